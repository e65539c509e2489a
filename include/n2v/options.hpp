// The options family of every entry point in n2v.hpp. Every default is written here once: the
// CLI's flags bind to these fields (their help shows these values), `--config` files and
// `--dump-config` go through the same flags, and library users get the same defaults.
// Enumerations, not strings, for regime, output table and device; each has a Parse/Name pair that
// the CLI (and any other front door) uses to read and print it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "n2v/core/defaults.hpp"
#include "n2v/ranks.hpp"
#include "n2v/train.hpp"

namespace n2v {

/// Where the work runs. Auto: a working GPU if there is one (n2v says in a note why it uses the
/// CPU otherwise); Cpu; Cuda(index): that GPU or an error saying why not.
struct Device {
  enum class Kind { kAuto, kCpu, kCuda };
  Kind kind = Kind::kAuto;
  int index = 0;  // kCuda only

  static Device Auto() { return Device{Kind::kAuto, 0}; }
  static Device Cpu() { return Device{Kind::kCpu, 0}; }
  static Device Cuda(int index = 0) { return Device{Kind::kCuda, index}; }
  /// "auto", "cpu", "cuda" or "cuda:N"; anything else is InvalidArgumentError.
  static absl::StatusOr<Device> Parse(std::string_view spec);
  /// The spelling Parse reads back ("cuda" for Cuda(0) given as "cuda" is written "cuda:0").
  std::string Name() const;
  bool operator==(const Device&) const = default;
};

/// The training regime. kSgd: word2vec's (two tables, unigram^0.75 negatives, linear lr decay,
/// Hogwild), `n2v train`'s default. kAdam: the Keras example's model (one tied table, BCE with
/// logits, Adam, L2, batches), the MovieLens job's.
enum class Optimizer { kSgd, kAdam };
absl::StatusOr<Optimizer> ParseOptimizer(std::string_view s);  // "sgd" | "adam"
std::string_view OptimizerName(Optimizer o);

/// The vectors an SGD run returns: word2vec's input table plus its output table (w + c, Levy,
/// Goldberg & Dagan 2015; the default, better on link prediction here), or the input table alone
/// (what gensim's `wv` holds).
enum class EmbeddingTable { kInputPlusOutput, kInput };
absl::StatusOr<EmbeddingTable> ParseEmbeddingTable(std::string_view s);  // "input+output"|"input"
std::string_view EmbeddingTableName(EmbeddingTable t);

/// node2vec's walk settings (Grover & Leskovec 2016), with its defaults.
struct WalkConfig {
  double p = core::kDefaultP;  // return parameter: weight/p back to the previous node
  double q = core::kDefaultQ;  // in-out parameter: weight/q to nodes away from the previous one
  uint32_t length = core::kDefaultWalkLength;    // nodes per walk, the start included
  uint32_t num_walks = core::kDefaultNumWalks;  // walks started from every node
};

/// The skip-gram model and its optimiser.
struct ModelConfig {
  int32_t dim = core::kDefaultDim;
  uint32_t window = core::kDefaultWindow;  // sgd: each centre draws its window from 1..window
  int32_t epochs = core::kDefaultEpochs;
  uint32_t negatives = core::kDefaultNegatives;  // negative samples per positive pair
  Optimizer optimizer = Optimizer::kSgd;
  double lr = -1;           // < 0: the regime's default (sgd 0.025, adam 0.001)
  int32_t batch = core::kSeedBatch;  // adam only
  double l2 = core::kSeedL2;         // adam only
  EmbeddingTable embedding = EmbeddingTable::kInputPlusOutput;  // sgd only
  double sample = core::kSgdDefaultSample;  // sgd only: frequent-node subsampling (0: off)
  bool shared_negatives = false;  // sgd only: one set of negatives per centre's window

  /// The learning rate this model trains with (the regime's default when lr < 0).
  double EffectiveLr() const;
};

/// Checkpoints of the SGD regime (epoch boundaries, on either device).
struct CheckpointConfig {
  int32_t every = 0;    // write epoch-K.ckpt every this many epochs (0: never)
  std::string dir;      // where (required when every > 0)
  std::string resume;   // continue from this checkpoint file, or a directory's latest epoch-K.ckpt
};

/// What long-running work reports. kNote: a one-line remark (e.g. why --device auto chose the
/// CPU); kStage: a stage's one-line summary (the MovieLens job's load, graph, walks); kProgress: `done` of `total` units (sgd: walk positions; adam: epochs) so far; kEpoch:
/// epoch `epoch` (1-based) of `epochs` ended with mean loss `loss`; kResumed: a checkpoint was
/// read and `epoch` epochs are already done.
struct ProgressEvent {
  enum class Kind { kNote, kStage, kProgress, kEpoch, kResumed };
  Kind kind = Kind::kNote;
  int32_t epoch = 0;
  int32_t epochs = 0;
  uint64_t done = 0;
  uint64_t total = 0;
  double loss = 0;
  double seconds = 0;  // since the stage began
  std::string text;    // kNote, kStage (kResumed: the checkpoint's path)
};
using ProgressCallback = std::function<void(const ProgressEvent&)>;

/// The HTML report of a run (n2v/report.hpp): where it goes and how much it shows. The embedding
/// map draws at most max_points nodes (a uniform sample, seeded, beyond that, and the page says
/// so); the neighbour table lists the `neighbors` nearest nodes of the `hubs` highest-degree ones.
struct ReportOptions {
  std::string path;  // the HTML file ("" : the command's default, beside its output)
  bool enabled = true;
  int32_t max_points = 100000;
  int32_t hubs = 6;
  int32_t neighbors = 5;
  std::string labels;  // train: colour the map by label (of a node's labels, the one the file
                       // names first)
};

/// Why `o` cannot make a report (InvalidArgumentError naming the flag), or OK.
absl::Status ValidateReportOptions(const ReportOptions& o);

/// Everything Train needs besides the graph.
struct TrainOptions {
  WalkConfig walk;
  ModelConfig model;
  Device device = Device::Auto();
  int threads = 0;     // CPU threads; 0: all cores
  uint64_t seed = core::kDefaultSeed;  // walks, initialisation, negatives, shuffling
  CheckpointConfig checkpoint;
  ProgressCallback on_progress;  // called on the calling thread
  CancelCallback cancelled;      // asked every few ms; true stops the run with CancelledError
  // Data-parallel training over processes (SgdDataParallel; the CLI under mpirun): null, or one
  // rank, is a plain run. Every rank calls Train with the same options on the same graph.
  std::shared_ptr<Ranks> ranks;
  uint32_t sync_every = 0;  // chunks each rank trains between table syncs; 0: auto
  GpuTransport gpu_transport = GpuTransport::kAuto;  // how GPU ranks sum (SgdDataParallel)
};

/// Sampling walks alone (SampleWalks).
struct WalkRunOptions {
  WalkConfig walk;
  Device device = Device::Auto();
  int threads = 0;
  uint64_t seed = core::kDefaultSeed;
  uint64_t chunk_walks = 0;  // walks per chunk handed to the sink (0: ~1M walk positions)
  bool collect_stats = false;  // count visits per node and walk lengths (WalkRunStats; reports)
  ProgressCallback on_progress;
  CancelCallback cancelled;
};

/// The seed's job (RunMovieLens), its parameters as defaults.
struct MovieLensOptions {
  std::string data = "data/ml-latest-small";  // ratings.csv and movies.csv
  double min_rating = core::kSeedMinRating;  // ratings >= this count as liked
  double min_weight = core::kSeedMinWeight;  // keep movie pairs whose PMI weight is >= this
  double p = core::kDefaultP;
  double q = core::kDefaultQ;
  uint32_t num_walks = core::kSeedNumWalks;
  uint32_t num_steps = core::kSeedNumSteps;  // movies per walk
  int64_t window = -1;                       // -1: num_steps, as the seed
  uint32_t negatives = core::kSeedNegatives;
  int32_t dim = core::kSeedDim;
  int32_t epochs = core::kSeedEpochs;
  int32_t batch = core::kSeedBatch;
  double lr = core::kAdamDefaultLr;
  double l2 = core::kSeedL2;
  int k = core::kSeedTopK;  // similar movies per query, the query itself included
  std::vector<std::string> queries = {
      "Matrix, The (1999)", "Star Wars: Episode IV - A New Hope (1977)", "Lion King, The (1994)",
      "Terminator 2: Judgment Day (1991)", "Godfather, The (1972)"};
  Device device = Device::Auto();
  int threads = 0;
  uint64_t seed = core::kDefaultSeed;
  ReportOptions report;  // report.html's map and neighbour table (its path is always report.html)
  ProgressCallback on_progress;
  CancelCallback cancelled;
};

/// What Evaluate measures: link prediction on held-out edges (ROC-AUC of cosine similarity and of
/// logistic regressions on edge operators), or multi-label node classification (micro/macro-F1).
enum class EvalTask { kLink, kNode };
absl::StatusOr<EvalTask> ParseEvalTask(std::string_view s);  // "link" | "node"
std::string_view EvalTaskName(EvalTask t);

/// Evaluate's options: embeddings trained with `train` for every (p, q) of the grid (or read from
/// `embeddings`), scored the way node2vec papers score them.
struct EvalOptions {
  TrainOptions train;             // train.walk.p / q are taken from the grids below
  std::vector<double> p = {1.0};  // grid of p values
  std::vector<double> q = {1.0};  // grid of q values
  EvalTask task = EvalTask::kLink;
  double test_fraction = core::kEvalTestFraction;  // link: fraction of the edges held out
  std::string labels;             // node: 'node label [label ...]' lines
  bool skip_unknown_labels = false;
  double train_fraction = core::kEvalTrainFraction;  // node: labelled nodes trained on
  int32_t repeats = core::kEvalRepeats;              // node: random splits averaged
  double c = 1.0;                 // inverse L2 strength of the logistic regressions
  std::string embeddings;         // evaluate this file (word2vec text/binary, .npy) instead
  std::string residual_out;       // link: also write the residual graph here (edge list)
  bool keep_best = false;         // keep the best point's embeddings in the result (reports)
};

/// Number of threads `threads` means: itself if > 0, else the cores this process may run on
/// (its CPU affinity: a container's cpuset, the core mpirun bound a rank to).
int EffectiveThreads(int threads);

/// Why `o` cannot train (InvalidArgumentError naming the option as the CLI spells it), or OK.
absl::Status ValidateTrainOptions(const TrainOptions& o);
absl::Status ValidateWalkConfig(const WalkConfig& w);
absl::Status ValidateMovieLensOptions(const MovieLensOptions& o);
absl::Status ValidateEvalOptions(const EvalOptions& o);

}  // namespace n2v
