// The pieces `n2v train`, `n2v walk` and `n2v eval` share: reading any graph, the node2vec walk
// and training flags (with the aliases node2vec users type), and the training run itself on the
// CPU or the GPU, with either regime (DESIGN.md, decision 6).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/status/statusor.h"
#include "apps/cli_common.hpp"
#include "n2v/graph.hpp"
#include "n2v/train.hpp"
#include "n2v/walk.hpp"

namespace n2v::app {

/// --input and how to read an edge list.
struct GraphFlags {
  std::string input;
  bool weighted = false;
  bool directed = false;
};

/// The walk flags (node2vec's names and defaults).
struct WalkFlags {
  double p = 1.0;
  double q = 1.0;
  uint32_t walk_length = 80;
  uint32_t num_walks = 10;
};

/// The skip-gram flags. lr < 0 means the regime's default (sgd 0.025, adam 0.001).
struct ModelFlags {
  int32_t dim = 128;
  uint32_t window = 10;
  int32_t epochs = 1;
  uint32_t negative = 5;
  std::string optimizer = "sgd";
  double lr = -1;
  int32_t batch = 1024;  // adam only
  double l2 = 1e-6;      // adam only
  // sgd only: the vectors written, "input+output" (syn0 + syn1neg) or "input" (syn0, gensim's wv)
  std::string embedding = "input+output";
};

/// Run-wide flags.
struct RunFlags {
  int threads = 0;
  uint64_t seed = 42;
  std::string device = "auto";
  bool quiet = false;
};

void AddGraphFlags(CLI::App* c, GraphFlags& f, bool required);
void AddWalkFlags(CLI::App* c, WalkFlags& f);
void AddModelFlags(CLI::App* c, ModelFlags& f);
void AddRunFlags(CLI::App* c, RunFlags& f);

absl::Status ValidateWalkFlags(const WalkFlags& f);
absl::Status ValidateModelFlags(const ModelFlags& f);

/// Reads --input (the project's CSR file, or an edge list, plain or gzip), printing one summary
/// line and any warnings (self-loops, merged duplicates) unless quiet.
absl::StatusOr<Graph> LoadGraph(const GraphFlags& f, bool quiet);

WalkOptions MakeWalkOptions(const WalkFlags& w, uint64_t seed);

/// Checkpointing of the SGD regime: write the state every `every` epochs into `dir`; resume from
/// `resume` (a directory a previous run wrote).
struct CheckpointFlags {
  int32_t every = 0;
  std::string dir;
  std::string resume;
};

/// What a training run produced.
struct TrainResult {
  Embeddings emb;
  std::vector<double> losses;  // per epoch
  int64_t pairs = 0;           // sgd: (centre, context) pairs; adam: distinct examples
  double walks_ms = 0;         // walks materialised separately (adam, GPU); 0 when streamed
  double training_ms = 0;
  int32_t first_epoch = 0;     // > 0 after --resume
};

/// Trains embeddings for every node of `g` (row = node id).
absl::StatusOr<TrainResult> TrainEmbeddings(const Graph& g, const AliasTables& alias,
                                            const WalkFlags& w, const ModelFlags& m,
                                            const RunFlags& r, const DeviceChoice& device,
                                            int threads, const CheckpointFlags* ckpt = nullptr);

}  // namespace n2v::app
