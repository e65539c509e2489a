// word2vec's training regime (docs/DESIGN.md, decision 6) as every backend exposes it: the options and
// statistics both share, the CPU trainer over walks in memory (cpu::TrainSgd, twin of
// cuda::TrainSgd in n2v/cuda_api.hpp) and streamed from the graph (cpu::TrainSgdOnGraph), and the
// checkpoint that resumes a streamed run exactly. The draws are core/word2vec.hpp, the per-pair
// math core/sgns.hpp. Plain C++: compiles with g++ alone.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "n2v/core/defaults.hpp"
#include "n2v/core/limits.hpp"
#include "n2v/core/walk.hpp"
#include "n2v/graph.hpp"
#include "n2v/ranks.hpp"
#include "n2v/train.hpp"
#include "n2v/walk.hpp"

namespace n2v {

/// word2vec's regime: separate input/output tables, negatives drawn from the walks' node
/// frequencies^power, linearly decaying learning rate, random window shrink, Hogwild updates.
/// Pairs are made on the fly from the walks.
struct SgdTrainOptions {
  int32_t dim = core::kDefaultDim;
  int32_t epochs = core::kDefaultEpochs;
  uint32_t window = core::kDefaultWindow;  // maximum; each centre draws its window from [1, window]
  uint32_t negatives = core::kDefaultNegatives;
  float lr = core::kSgdDefaultLr;                      // word2vec's skip-gram default
  float min_lr_fraction = core::kSgdMinLrFraction;     // lr decays linearly to lr * this
  double power = core::kNegativePower;                 // negatives ~ count^power
  double sample = core::kSgdDefaultSample;  // subsampling of frequent nodes (0: off)
  bool shared_negatives = false;  // one set of negatives per centre's window (HogBatch)
  uint64_t seed = core::kDefaultSeed;
};

struct SgdStats {
  std::vector<double> losses;  // per epoch: mean over (centre, context) pairs of that pair's
                               // −log σ(pos) − Σ log σ(−neg)
  int64_t pairs = 0;           // (centre, context) pairs trained, all epochs
  double ms = 0;               // training time: wall time, the counting pass and table set-up
                               // included (cuda::TrainSgd over walks in memory: device time)
};

/// Everything a streamed run needs to continue exactly where it stopped: what a checkpoint holds.
/// A default-constructed state starts a new run; TrainSgdOnGraph fills it.
struct SgdState {
  // --- the run that made it: a state resumes only the same run --------------------------------
  SgdTrainOptions options;
  int32_t num_nodes = 0;
  uint32_t walk_length = 0;
  uint64_t num_walks = 0;    // walk ids [0, num_walks) in every epoch
  uint32_t source_crc = 0;   // zlib crc32 of the graph arrays and the walk parameters
  // --- where it is ------------------------------------------------------------------------------
  std::vector<uint64_t> counts;  // [num_nodes] occurrences in one epoch's walks (negatives table)
  Embeddings input;              // [num_nodes x dim] word2vec's syn0: the node embeddings
  Embeddings output;             // [num_nodes x dim] syn1neg
  int32_t next_epoch = 0;        // epochs finished
  std::vector<double> losses;    // [next_epoch] mean pair loss of each finished epoch
  int64_t pairs = 0;             // pairs trained in the finished epochs

  bool started() const { return !counts.empty(); }
};

/// Called with the state after each finished epoch (e.g. to write a checkpoint); return false to
/// stop. Runs on the calling thread, between epochs: the tables are quiescent.
using SgdEpochCallback = std::function<bool(const SgdState&)>;

/// Centres (walk positions, padding included) done so far and the run's total over all epochs;
/// `pairs`: (centre, context) pairs trained so far in the run, −1 where the backend does not count
/// them between epochs (the GPU); `loss`: the mean pair loss of a recent window of pairs (on the
/// CPU, those thread 0 trained since its previous report up to its last sum of about a thousand
/// loss terms), NaN where not measured (the GPU; a report with no new sum; each epoch's end,
/// whose loss is in the state).
/// Called from the calling thread only, about every 1/256 of an epoch and at each epoch's end.
using SgdProgressCallback =
    std::function<void(uint64_t done, uint64_t total, int64_t pairs, double loss)>;

/// What the table syncs of a data-parallel run did (SgdDataParallel::stats).
struct SgdSyncStats {
  uint32_t sync_chunks = 0;     // chunks each rank trained between two syncs (after auto)
  uint64_t positions_per_sync = 0;  // walk positions each rank trained between two syncs
  uint64_t syncs = 0;           // sums of the tables' deltas, all epochs
  uint64_t bytes_per_sync = 0;  // floats summed per sync x 4: the bytes each rank contributes
  double wait_ms = 0;           // time spent waiting for sums to finish (not overlapped)
  double merge_ms = 0;          // time spent folding sums into the tables and taking deltas
  // N (N - 1) x P x sqrt(f n) / n: P positions each rank trains between syncs, n nodes, f the
  // hottest node's share of the walks. Above kSafeSyncStaleness the ranks' stale, summed deltas
  // start to cost quality against one process.
  double staleness = 0;
  // How the deltas were summed: "CPU ranks, summed in host memory", or for GPU ranks "staged
  // through host memory from cuda:K (N ranks' sum)" or "NCCL 2.x.y on cuda:K".
  std::string transport;
};

/// The staleness (SgdSyncStats) the auto sync interval stays at or below, the most measured to
/// train at one process's quality on every graph tried, unless the graph is too small or skewed
/// for the ranks (one walk each); and the staleness above which the CLI warns (on an R-MAT, 8 cost
/// 6 % in loss and 16 diverged).
inline constexpr double kSafeSyncStaleness = 4.0;
inline constexpr double kWarnSyncStaleness = 8.0;

/// Data-parallel training (TrainSgdOnGraph's `dp`): every rank holds the whole graph and both
/// tables; rank r trains the chunks c of every epoch with c mod N = r (the same walks, windows,
/// negatives and learning rates as one process, all keyed on global positions), the node counts
/// of the negatives table are summed over the ranks, and every `sync_chunks` chunks the ranks'
/// deltas to both tables since the last sync are summed (not averaged) and added on every rank,
/// the sum overlapping the next chunks' training. Each epoch ends with the tables equal on every
/// rank. A null `ranks` or one rank: a plain run, unchanged bit for bit.
struct SgdDataParallel {
  Ranks* ranks = nullptr;
  uint32_t sync_chunks = 0;  // 0: auto, staleness at most kSafeSyncStaleness (SgdSyncStats)
  SgdSyncStats* stats = nullptr;  // filled when not null
  GpuTransport gpu_transport = GpuTransport::kAuto;  // GPU ranks only
};

/// The staleness of a data-parallel round (SgdSyncStats::staleness): N (N − 1) x P x sqrt(f n) / n
/// for P = positions_per_round, n = counts.size() and f the largest count's share of the total.
double SyncStaleness(const std::vector<uint64_t>& counts, uint64_t positions_per_round,
                     int nranks);

/// A data-parallel epoch's grouping: walks per chunk and chunks each rank trains per round.
struct SyncPlan {
  uint64_t walks_per_chunk;
  uint64_t sync_chunks;
};
/// The auto sync interval: the longest round whose staleness is at most kSafeSyncStaleness, in
/// whole chunks of `walks_per_chunk` walks when one chunk is within the bound, else chunks shrunk
/// to fit (at least one walk).
SyncPlan AutoSyncPlan(double staleness_per_walk, uint64_t walks_per_chunk);

/// Walks per chunk of the CPU trainer (about 2048 positions): the unit of SgdDataParallel's
/// sync_chunks on both backends (--sync-every).
uint64_t SgdCpuWalksPerChunk(uint32_t length);

namespace cpu {

/// The CPU twin of cuda::TrainSgd over host `walks` [num_walks x length] (negative ids are
/// padding): the same draws (window shrink, negatives and learning rate keyed on the flat centre
/// position walk·length + i), the same initialisation and the same per-pair math. With one thread
/// the result is a pure function of the inputs, equal bit for bit to a scalar word2vec.c loop that
/// sums each dot product in the order documented in cpu/train_sgd.cpp; with more threads updates
/// race (Hogwild, as word2vec.c and gensim) and the tables differ run to run within noise.
/// (The reported losses are summed with a vectorised softplus, within 3e-7 relative per term of
/// libm's.) `input` receives the node embeddings (syn0), `output` (may be null) the context table.
/// `on_epoch(epoch, loss)` may stop the run early by returning false. threads <= 0: all cores.
absl::StatusOr<SgdStats> TrainSgd(const int32_t* walks, int64_t num_walks, uint32_t length,
                                  int32_t num_nodes, const SgdTrainOptions& o, int threads,
                                  Embeddings* input, Embeddings* output = nullptr,
                                  const EpochCallback& on_epoch = nullptr,
                                  const SgdProgressCallback& on_progress = nullptr);

/// TrainSgd on the walks [0, num_walks) of `g` (core::WalkOne with `wp`) without ever holding
/// them: each thread samples a few walks at a time into its own buffer, trains on them and drops
/// them, every epoch. The negative table needs the node counts first, so a fresh run starts with
/// one extra pass that samples every walk and only counts: one epoch's walk sampling, about 1 %
/// of an epoch's training (100k-node graph, walks of 40, dim 128: 0.53 s against 44 s of CPU).
/// Every call also checksums the graph arrays once (crc32, to recognise a resumed run's graph).
/// With one thread the tables equal TrainSgd's on the materialised walks bit for bit.
/// `state` is the run: default-constructed, a new run (it is filled in); from a checkpoint
/// (ReadSgdCheckpoint) or an earlier call that stopped early, the run continues at
/// state->next_epoch exactly as if it had never stopped (FailedPrecondition if the graph, walk
/// settings or options differ from the state's). The returned stats cover every epoch of the
/// run, the resumed ones included; `ms` is this call's. `cancelled` is asked every few
/// milliseconds; when it returns true the call returns CancelledError within milliseconds and
/// `state` holds a partly trained epoch (resume from a checkpoint, not from it).
absl::StatusOr<SgdStats> TrainSgdOnGraph(const CsrView& g, const core::AliasView& alias,
                                         const core::WalkParams& wp, uint64_t num_walks,
                                         const SgdTrainOptions& o, int threads, SgdState* state,
                                         const SgdEpochCallback& on_epoch = nullptr,
                                         const SgdProgressCallback& on_progress = nullptr,
                                         const CancelCallback& cancelled = nullptr,
                                         const SgdDataParallel& dp = {});

/// Tests only: makes later calls use the portable one-float-at-a-time kernel even where the
/// AVX-512 one would run, so both are checked against the reference on an AVX-512 machine.
void UseScalarSgdKernelForTesting(bool on);

/// The most memory TrainSgdOnGraph spends keeping the walks its counting pass samples, so that
/// training reads them instead of sampling them a second time (256 MiB: 64M positions); a larger
/// corpus is sampled again, chunk by chunk. Only one process keeps them (not data-parallel ranks).
uint64_t KeptWalksBytes();

/// Tests only: sets that limit for later calls (0: never keep), so the streamed path is checked on
/// graphs small enough to be kept.
void SetKeptWalksBytesForTesting(uint64_t bytes);

}  // namespace cpu

/// Why options `o` cannot train a graph of `num_nodes` nodes with walks of `length` (an
/// InvalidArgumentError naming `who` and every value), or OK. Both backends call it first.
absl::Status CheckSgdOptions(const char* who, int32_t num_nodes, uint32_t length,
                             const SgdTrainOptions& o);

/// The negatives' alias table over count^power (float weights, one CSR row of n columns,
/// BuildAliasTables): both backends draw their negatives from exactly this table.
AliasTables NegativeTable(const std::vector<uint64_t>& counts, double power);

/// core::SubsampleWalk's keep thresholds for `sample` > 0: node v's occurrence is kept iff its
/// random word is <= keep[v], with probability round(2^32·min(1, (sqrt(c/t) + 1)·t/c))/2^32 for
/// count c and t = sample·Σ counts (gensim's word_probability and sample_int). Empty when
/// sample is 0 (nothing dropped). Both backends use exactly this table.
std::vector<uint32_t> SubsampleThresholds(const std::vector<uint64_t>& counts, double sample);

/// Identifies the walks of a streamed run: zlib crc32 of the graph arrays and the walk
/// parameters (SgdState::source_crc).
uint32_t SgdSourceCrc(const CsrView& g, const core::WalkParams& wp);

/// Why `s` cannot continue the run described by the arguments (FailedPreconditionError naming
/// the first setting that differs), or OK.
absl::Status CheckSgdResumable(const SgdState& s, const SgdTrainOptions& o, int32_t num_nodes,
                               uint32_t length, uint64_t num_walks, uint32_t source_crc);

/// Writes `s` atomically (temp file + rename) in the SGD checkpoint format (little-endian):
/// a 128-byte header (magic "N2VSGD\0\1", version, the run's options and identity, sizes, zlib
/// crc32 of the body), then f64 losses[next_epoch], u64 counts[n], f32 input[n x dim],
/// f32 output[n x dim].
absl::Status WriteSgdCheckpoint(const std::string& path, const SgdState& s);

/// Reads a checkpoint written by WriteSgdCheckpoint. Missing file: NotFoundError; truncated or
/// checksum mismatch: DataLossError; anything else malformed: InvalidArgumentError; every message
/// one line naming the file and what was expected.
absl::StatusOr<SgdState> ReadSgdCheckpoint(const std::string& path);

}  // namespace n2v
