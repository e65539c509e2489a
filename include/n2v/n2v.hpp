// n2v as a library: the entry points every front door calls (the CLI in apps/, config files, the
// MovieLens job, the tests, and programs of your own). Each takes an options struct from
// n2v/options.hpp and returns absl::Status or absl::StatusOr<Result>; none prints, none exits.
// The engine (engine/) chooses the backend: n2v::cpu (always built) or n2v::cuda (when the
// library was built with nvcc), which sample the same walks bit for bit.
//
//   absl::StatusOr<n2v::Graph> g = n2v::ReadGraph("graph.edges", {.weighted = true});
//   n2v::TrainOptions opt;                 // node2vec's defaults
//   opt.walk.p = 0.5; opt.walk.q = 2;
//   absl::StatusOr<n2v::TrainResult> r = n2v::Train(*g, opt);
//   // r->embeddings: rows x dim, row i belongs to g->names[i]
//
// Link n2v::n2v (find_package(n2v) after `cmake --install`). docs/DESIGN.md has the architecture.
#pragma once

#include <cmath>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "n2v/edgelist.hpp"
#include "n2v/eval.hpp"
#include "n2v/graph.hpp"
#include "n2v/graph_stats.hpp"
#include "n2v/movielens.hpp"
#include "n2v/options.hpp"
#include "n2v/similarity.hpp"
#include "n2v/train.hpp"
#include "n2v/walk.hpp"
#include "n2v/word2vec.hpp"

namespace n2v {

/// The device a run actually used.
struct DeviceUsed {
  bool cuda = false;
  int index = 0;
  std::string description;  // "cpu (2 threads)" or "cuda:0 NVIDIA H200"
};

/// Resolves `d` for a run on `threads` CPU threads: Cpu always works; Cuda(i) is that GPU or a
/// FailedPreconditionError saying why not; Auto is a working GPU, else the CPU with the reason in
/// `*note` (when not null). Makes the chosen GPU current on the calling thread.
absl::StatusOr<DeviceUsed> ResolveDevice(const Device& d, int threads, std::string* note = nullptr);

/// OK unless `d` is Cuda(i) and that GPU is not visible (or this build has no CUDA backend): then
/// ResolveDevice's error for it. Creates no CUDA context, on any GPU.
absl::Status CheckDeviceVisible(const Device& d);

/// Why walks cannot run on `g` (its file or source named `input`), or OK: InvalidArgumentError
/// "<input>: the graph has no nodes" or "<input>: the graph has N nodes but no edges; walks need
/// edges", the lines every front door (the CLI, the Python module) reports for such an input.
absl::Status CheckGraphHasEdges(const Graph& g, std::string_view input);

// --- training -----------------------------------------------------------------------------------

/// One point of a run's training trace: where it was, how long it had taken, the learning rate
/// there and, when measured, the loss.
struct TracePoint {
  uint64_t centres = 0;  // walk positions trained so far in the run (sgd); examples (adam)
  int64_t pairs = -1;    // pairs (sgd) or examples (adam) trained so far; −1: not counted there
  double seconds = 0;    // since training began (the walks' counting pass included)
  double lr = 0;         // the learning rate at this point
  double loss = NAN;     // mean loss of a recent window (sgd, CPU) or of the epoch; NaN: none
  bool epoch_end = false;
};

struct TrainResult {
  Embeddings embeddings;       // [num_nodes x dim], row i = node i (Graph::names[i])
  std::vector<double> losses;  // per epoch (all of them after a resume)
  int64_t pairs = 0;           // sgd: (centre, context) pairs; adam: distinct examples
  int32_t first_epoch = 0;     // > 0 after a resume: epochs the checkpoint had done
  double alias_ms = 0;         // alias tables
  double walks_ms = 0;         // walks materialised apart from training (adam); 0 when streamed
  double training_ms = 0;
  DeviceUsed device;
  std::vector<TracePoint> trace;  // progress reports and epoch ends, in order (report.hpp draws it)
  SgdSyncStats sync;              // data-parallel runs (TrainOptions::ranks): the table syncs
};

/// node2vec embeddings of every node of `g`: (p, q) walks and skip-gram, on the device
/// `o.device` resolves to. The SGD regime streams its walks on both devices (memory is the graph,
/// its alias tables and the two tables, whatever the number of walks); the Adam regime
/// materialises the seed's examples. Errors: InvalidArgumentError for bad options or a graph
/// without nodes or edges; FailedPreconditionError for an unusable --device cuda or a checkpoint
/// of another run; ResourceExhaustedError with the estimate when the run does not fit;
/// CancelledError when o.cancelled said stop.
absl::StatusOr<TrainResult> Train(const Graph& g, const TrainOptions& o);

/// What TrainSeedModel produced.
struct SeedModelResult {
  Embeddings embeddings;       // [num_nodes x dim]
  std::vector<double> losses;  // per epoch, Keras's reported loss
  int64_t examples = 0;        // distinct (target, context, label) triples
  int64_t couples = 0;         // skip-gram couples before merging
  // Stage times (ms); on a GPU the first three are device times (CUDA events) and
  // device_setup_ms the rest of the wall time (upload, allocation, download).
  double walks_ms = 0, examples_ms = 0, training_ms = 0, device_setup_ms = 0;
};

/// The Keras example's model on `g`: every walk, the seed's examples, a He-normal table and Adam,
/// on `device` (from ResolveDevice). The MovieLens job and Train's adam regime run this; the GPU
/// equals the CPU exactly up to training's float round-off. Fewer examples than one batch:
/// InvalidArgumentError; cancelled (checked per epoch): CancelledError.
absl::StatusOr<SeedModelResult> TrainSeedModel(const Graph& g, const AliasTables& alias,
                                               const WalkOptions& walk,
                                               const ExampleOptions& examples,
                                               const AdamTrainOptions& adam,
                                               const DeviceUsed& device, int threads,
                                               const ProgressCallback& on_progress = nullptr,
                                               const CancelCallback& cancelled = nullptr);

// --- walks --------------------------------------------------------------------------------------

/// Receives walks [first, first + count) in walk order, row-major count x length node ids, -1
/// after a walk that ended early; the buffer is valid until it returns. A non-OK status stops the
/// sampling and is returned by SampleWalks.
using WalkSink =
    std::function<absl::Status(uint64_t first, uint64_t count, const int32_t* walks)>;

struct WalkRunStats {
  uint64_t walks = 0;
  double sample_ms = 0;  // time inside the sampler (the device's, with its downloads, on a GPU)
  DeviceUsed device;
  // With WalkRunOptions::collect_stats: how often each node occurs in the walks, and how many
  // walks have each length (index = nodes in the walk, 1..length; shorter ones ended early at a
  // node without out-edges).
  std::vector<uint64_t> visits;
  std::vector<uint64_t> length_counts;
};

/// Walks per chunk SampleWalks hands a CPU sink when WalkRunOptions::chunk_walks is 0: about 2^20
/// walk positions, at least 4096 walks.
uint64_t DefaultWalkChunk(uint32_t length);

/// All num_walks × num_nodes walks of `g` (walk w starts at node w mod num_nodes), streamed to
/// `sink` in chunks; identical on every device and for every thread count and chunk size.
absl::StatusOr<WalkRunStats> SampleWalks(const Graph& g, const WalkRunOptions& o,
                                         const WalkSink& sink);

// --- similarity ---------------------------------------------------------------------------------

/// For each query row, the k rows of highest cosine similarity (the query itself included), best
/// first, ties to the smaller row; on the device `device` resolves to. k in [1, core::kMaxTopK].
absl::StatusOr<std::vector<std::vector<Neighbor>>> MostSimilar(const Embeddings& e,
                                                               const std::vector<int32_t>& queries,
                                                               int k, const Device& device,
                                                               int threads = 0);

// --- evaluation ---------------------------------------------------------------------------------

struct EvalPoint {
  double p = NAN, q = NAN;  // NaN when a file was evaluated
  LinkPredictionResult link;
  ClassificationResult node;
  double train_s = 0;
  double final_loss = NAN;
};

struct EvalResult {
  std::vector<EvalPoint> points;  // the grid in order, p outer, q inner
  // link: the split's sizes; node: the labels read
  int64_t test_edges = 0, test_non_edges = 0, train_edges = 0, train_non_edges = 0;
  int64_t candidate_edges = 0;
  double achieved_fraction = 0;
  int64_t labelled_nodes = 0, unlabelled_nodes = 0;
  int32_t labels = 0;
  int64_t skipped_label_lines = 0, skipped_label_nodes = 0;
  std::string first_skipped_node;
  int64_t first_skipped_line = 0;
  DeviceUsed device;
  // With EvalOptions::keep_best: the embeddings of the point scoring best (link: mean AUC of the
  // five scorers; node: micro-F1), its index in `points`, and (node) the label names and, per
  // node, of its labels the one the file names first (−1: unlabelled).
  int32_t best_point = -1;
  Embeddings best_embeddings;
  std::vector<std::string> label_names;
  std::vector<int32_t> first_label;
};

/// Embedding quality on `g` (its file named `input` in messages): for link prediction the
/// embeddings are trained on the residual graph (g less the held-out edges), for node
/// classification on g; once per (p, q) of the grid, through Train (so on any device), or read
/// from o.embeddings. Progress events: kStage lines for the split or labels, kNote for warnings
/// (embeddings missing for some nodes), and each point's training through o.train.on_progress.
absl::StatusOr<EvalResult> Evaluate(const Graph& g, const std::string& input,
                                    const EvalOptions& o);

// --- the MovieLens job --------------------------------------------------------------------------

struct MovieLensResult {
  Graph graph;                 // the PMI movie graph (names = movieId)
  PmiStats pmi;
  GraphStats stats;
  std::vector<Movie> movies;   // movies.csv
  std::vector<std::string> titles;  // per node
  std::vector<std::string> genres;  // per node
  std::vector<int32_t> query_nodes;
  std::vector<std::vector<Neighbor>> similar;  // per query
  Embeddings embeddings;
  std::vector<double> losses;
  int64_t walks = 0;
  int64_t examples = 0;        // distinct (target, context, label) triples
  int64_t couples = 0;         // skip-gram couples before merging
  uint32_t window = 0;         // the effective window
  int threads = 0;
  DeviceUsed device;
  // Stage wall times (ms); on a GPU, walks/examples/training are device times and device_setup
  // the rest of those stages' wall time (upload, allocation, download).
  double load_ms = 0, graph_ms = 0, walks_ms = 0, examples_ms = 0, training_ms = 0,
         similarity_ms = 0, device_setup_ms = 0;
};

/// The seed's job: ratings → PMI graph → walks → the seed's examples → Adam → similar movies.
/// Computes everything and writes nothing. Queries are resolved (exact title or movieId) before
/// the expensive stages, so a typo fails fast, with the closest titles in the error.
absl::StatusOr<MovieLensResult> RunMovieLens(const MovieLensOptions& o);

/// "Title\n-----\n- Neighbour  (0.873)\n..." per query: what `n2v movielens` prints.
std::string FormatSimilarMovies(const MovieLensResult& r);

/// Writes the job's outputs into `dir` (created if missing), each file atomically:
/// embeddings.w2v.txt, vectors.tsv + metadata.tsv, graph.csr, loss.csv, similar.txt,
/// report.html + loss.svg, run.json. `export_ms` receives the time it took (also in run.json).
absl::Status WriteMovieLensOutputs(const MovieLensResult& r, const MovieLensOptions& o,
                                   const std::string& dir, double total_ms_so_far,
                                   double* export_ms = nullptr);

}  // namespace n2v
