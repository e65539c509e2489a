// The CUDA backend as the g++-compiled code sees it: plain C++ types only (no CUDA header), so
// apps/ and tests can call it; every function returns a status instead of failing on a machine
// without a GPU. Declared only usefully where the library was built with N2V_WITH_CUDA (link
// n2v_cuda). Twins: n2v::cpu::SampleWalks / GenerateExamples / TrainAdam / TopKCosine
// (walk.hpp, train.hpp, similarity.hpp); the kernels live in cuda/*.cu.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "n2v/core/limits.hpp"
#include "n2v/graph.hpp"
#include "n2v/similarity.hpp"
#include "n2v/train.hpp"
#include "n2v/walk.hpp"
#include "n2v/word2vec.hpp"

namespace n2v {

// --- devices ------------------------------------------------------------------------------------

struct DeviceInfo {
  int index = 0;
  std::string name;
  size_t total_mem = 0;  // bytes
  size_t free_mem = 0;   // bytes, when listed with free_memory
  int cc_major = 0;
  int cc_minor = 0;
  int sm_count = 0;
};

/// True in a build with the CUDA backend (this header's functions are then defined).
bool CudaBuiltIn();

/// "13.0 (driver 12.8)", or "13.0 (no driver: ...)" when the driver cannot be queried.
std::string CudaRuntimeVersion();

/// Every visible device, or an error with a one-line reason: no driver, driver too old for this
/// runtime (cudaErrorInsufficientDriver), or no device. Creates no CUDA context unless
/// `free_memory` (DeviceInfo::free_mem needs one on every device: `n2v devices` only).
absl::StatusOr<std::vector<DeviceInfo>> ListCudaDevices(bool free_memory = false);

/// Makes `index` the current device of the calling thread and creates its context.
absl::Status UseCudaDevice(int index);

// --- the seed's job on the GPU (what `n2v movielens --device cuda` calls) -----------------------

struct CudaSeedRun {
  Embeddings embeddings;         // [num_nodes x dim], trained
  std::vector<double> losses;    // per epoch, as cpu::TrainAdam reports them
  int64_t num_examples = 0;      // unique (target, context, label) triples
  int64_t raw_pairs = 0;         // couples before merging
  double walks_ms = 0;           // device time of each stage (cudaEvents), upload excluded
  double examples_ms = 0;
  double training_ms = 0;
  size_t device_bytes = 0;       // the estimate checked against free memory before allocating
  std::string device_name;
};

/// Walks → examples → Adam training on device `device`, equal to the CPU path: the same walks and
/// examples exactly, embeddings within float round-off. The table starts from InitHeNormal
/// (num_nodes rows). Fails with ResourceExhausted and the byte estimate if the job does not fit,
/// and with InvalidArgument if there are fewer examples than one batch (as the CPU path).
absl::StatusOr<CudaSeedRun> RunSeedModelOnCuda(const Graph& g, const AliasTables& alias,
                                               const WalkOptions& walk,
                                               const ExampleOptions& examples,
                                               const AdamTrainOptions& train, int device);

/// cuda::TopKCosine under the name the CLI uses.
absl::StatusOr<std::vector<std::vector<Neighbor>>> CudaTopKCosine(
    const Embeddings& e, const std::vector<int32_t>& queries, int k);

// --- the stages one by one (host in, host out), for parity tests and library users --------------

namespace cuda {

/// Walks [first_walk, first_walk + count) into host `out` (count x params.length), exactly
/// cpu::SampleWalks's output, on the current device. `g` and `alias` are host arrays (alias from
/// BuildAliasTables). StreamWalks with chunks sized automatically, each copied into `out`.
absl::Status SampleWalks(const CsrView& g, const core::AliasView& alias,
                         const core::WalkParams& params, uint64_t first_walk, uint64_t count,
                         int32_t* out);

/// Receives walks [first, first + count) (count x length ids, -1 padding) in walk order; the
/// buffer is valid until it returns. A non-OK status stops the stream and is returned.
using WalkChunkSink =
    std::function<absl::Status(uint64_t first, uint64_t count, const int32_t* walks)>;

/// Walks [first_walk, first_walk + count) on device `device`, handed to `sink` chunk by chunk:
/// the graph uploaded once, chunks of chunk_walks walks (0: sized automatically, ~64 MB) sampled
/// into two device buffers and downloaded through two pinned host buffers, so chunk k+1 is sampled
/// and downloaded while the sink consumes chunk k. Exactly cpu::SampleWalks's walks.
/// Device memory: the graph (DeviceGraphBytes: 8 (n + 1) + 12 m bytes) and two chunks, checked
/// against free memory first (ResourceExhausted). `cancelled` is asked before each chunk goes to
/// the sink; true: CancelledError once the chunks in flight are drained (milliseconds).
absl::Status StreamWalks(const CsrView& g, const core::AliasView& alias,
                         const core::WalkParams& params, uint64_t first_walk, uint64_t count,
                         uint64_t chunk_walks, int device, const WalkChunkSink& sink,
                         const CancelCallback& cancelled = nullptr);

/// Exactly cpu::GenerateExamples's output (same couples, same negative draws, same order).
absl::StatusOr<Examples> GenerateExamples(const int32_t* walks, int64_t num_walks,
                                          uint32_t length, int32_t num_nodes,
                                          const ExampleOptions& o);

/// cpu::TrainAdam on the device: trains `emb` (initialised by the caller, e.g. InitHeNormal) in
/// place and returns the per-epoch loss. Same example order and batches as the CPU twin.
absl::StatusOr<std::vector<double>> TrainAdam(const Examples& ex, const AdamTrainOptions& o,
                                              Embeddings* emb,
                                              const EpochCallback& on_epoch = nullptr);

// word2vec's regime (docs/DESIGN.md, decision 6): the options and stats live in n2v/word2vec.hpp,
// shared with the CPU twin cpu::TrainSgd; the names stay reachable as cuda::SgdTrainOptions.
using ::n2v::SgdStats;
using ::n2v::SgdTrainOptions;

/// Launch shape of the SGD kernels. max_warps = 0: the full grid (Hogwild across warps, as
/// today). max_warps = 1: one warp takes every centre in order: no races, and (with the same
/// fused multiply-adds as the CPU) tables equal cpu::TrainSgd's one-thread result within the
/// per-weight tolerance its parity test states.
/// The exact mode's arithmetic is the CPU's, operation for operation: each dot product is lane
/// l's fused multiply-add chain over dims l, l + 32, ... and a shuffle tree that adds the 32
/// partial sums exactly as cpu/train_sgd.cpp's halving tree; e1 += g·out and out += g·h are
/// fused multiply-adds, the input row is updated by one rounded add per pair; σ's exp is glibc's
/// expf algorithm in double (bit-equal to glibc ≥ 2.28 on every float in [−6, 6], checked
/// exhaustively). So on a glibc host the tables equal the CPU's bit for bit (a host emulation of
/// this arithmetic matched cpu::TrainSgd exactly at dims 16 to 1024), which is what
/// tests/cuda/sgd_exact_test.cpp checks there; with another libm it states a small tolerance. Only the reported losses differ
/// in rounding (device log1pf/expf against the CPU's vectorised softplus, ≤ ~5e-7 relative).
/// max_warps > 1: that many warps, Hogwild among them (atomic updates).
///
/// `pairs` picks the Hogwild kernel of word2vec's regime (shared negatives have their own).
/// kSequential: a pair's targets one after another (draw, load, dot, update), every lane drawing
/// every negative. kParallel: the K negatives drawn by K lanes at once and all 1 + K output rows
/// loaded before any is updated, so a pair waits on memory once instead of 1 + K times; the same
/// pairs, negatives, learning rates and updates, and with one warp the same bits as kSequential
/// (a pair that draws one row twice is trained by kSequential's loop, so the second draw sees
/// the first's update). kParallel applies up to 7 negatives and dim 128; elsewhere kSequential
/// runs. kAuto: kSequential, the kernel that has run on a GPU (kParallel was written without
/// one, 2026-12-04: gpu_bench times both, and it becomes kAuto's choice where it is measured
/// faster); with max_warps = 1, the exact mode. Naming either with max_warps = 1 runs that
/// kernel in one warp with atomic updates (how the two are compared bit for bit).
/// Every Hogwild launch sizes its grid to the blocks the device holds at once
/// (cudaOccupancyMaxActiveBlocksPerMultiprocessor), so all warps start together and the
/// centres, handed out in order, are trained in about that order in time.
enum class SgdPairKernel { kAuto, kSequential, kParallel };

struct SgdLaunch {
  int max_warps = 0;
  SgdPairKernel pairs = SgdPairKernel::kAuto;
};

/// The kernel an SGD epoch of `o` under `launch` runs: word2vec's regime exact (one warp in the
/// CPU's order), sequential or parallel (Hogwild), or shared negatives' kernel exact or Hogwild.
/// Host-only and device-free: what the launch and the tests decide by.
enum class SgdKernelRun { kExact, kSequential, kParallel, kSharedExact, kShared };
SgdKernelRun SgdKernelFor(const SgdTrainOptions& o, const SgdLaunch& launch);

/// Trains on host `walks` [num_walks x length] (-1 = padding). `input` receives the node
/// embeddings [num_nodes x dim] (word2vec's syn0); `output` (may be null) the context table.
/// On the current device.
absl::StatusOr<SgdStats> TrainSgd(const int32_t* walks, int64_t num_walks, uint32_t length,
                                  int32_t num_nodes, const SgdTrainOptions& o, Embeddings* input,
                                  Embeddings* output = nullptr, const SgdLaunch& launch = {});

/// Device bytes TrainSgdOnGraph allocates: the graph (offsets, neighbours) and its alias tables,
/// the two tables, the negatives table and counts, and the two walk chunk buffers. Independent of
/// the number of walks.
uint64_t TrainSgdOnGraphDeviceBytes(int32_t num_nodes, int64_t num_edge_slots, uint32_t length,
                                    const SgdTrainOptions& o);

/// The streamed twin of cpu::TrainSgdOnGraph (same arguments, same SgdState contract, same
/// draws), on device `device`.
/// - Memory: TrainSgdOnGraphDeviceBytes is checked against free memory before anything is
///   allocated or any graph array is read (ResourceExhausted naming the parts, in GB).
/// - A fresh run (state not started) samples every walk once on the device to count nodes
///   (state->counts, equal to the CPU's), builds the negatives table (NegativeTable) and
///   initialises the tables as the CPU does. A started state resumes at state->next_epoch
///   (CheckSgdResumable: FailedPrecondition when the run differs).
/// - Each epoch streams chunks of walks (global walk ids, ~2^22 positions each) sampled on one
///   stream while the previous chunk trains on another; no walk reaches host memory. After each
///   chunk: on_progress(centres done in the run, total, −1, NaN: pairs and loss are read back
///   per epoch only) and cancelled(); at most two chunks are in
///   flight, so a cancel returns CancelledError within about a second (sooner in exact mode,
///   whose chunks are smaller). A cancelled call leaves `state` as it was after the last epoch
///   it handed to on_epoch (or untouched): never a partly trained epoch.
/// - At each epoch's end, if on_epoch is set, the tables are downloaded into state->input/output
///   and next_epoch, losses and pairs updated before on_epoch is called (false stops the run).
/// - At the end the state holds the final tables, counts, losses, pairs and next_epoch, as the
///   CPU's does: a GPU checkpoint (WriteSgdCheckpoint) resumes on the CPU and vice versa.
/// - Data-parallel (`dp`, GPU ranks: one device per rank, `device` this rank's): the CPU twin's
///   protocol (SgdDataParallel) on the device, with the auto interval planned on this backend's
///   chunks (--sync-every counts the CPU's); the deltas are summed over NCCL or staged through
///   host memory (dp.gpu_transport, cuda/table_sync.cuh). A failure of one rank before its first
///   collective (device memory, say) is agreed: every rank returns it, naming the rank.
/// Returns the stats of every epoch of the run (the resumed ones included); `ms` is this call's
/// wall time (set-up and the counting pass included), as the CPU twin's.
absl::StatusOr<SgdStats> TrainSgdOnGraph(const CsrView& g, const core::AliasView& alias,
                                         const core::WalkParams& wp, uint64_t num_walks,
                                         const SgdTrainOptions& o, int device, SgdState* state,
                                         const SgdEpochCallback& on_epoch = nullptr,
                                         const SgdProgressCallback& on_progress = nullptr,
                                         const CancelCallback& cancelled = nullptr,
                                         const SgdLaunch& launch = {},
                                         const SgdDataParallel& dp = {});

/// Why a GPU rank on a host that runs `local_size` ranks cannot sum its deltas with NCCL, or
/// empty when it can: NCCL does not load, or the host's ranks outnumber its GPUs (two ranks on
/// one GPU then sum through host memory). Loads NCCL on first call.
std::string NcclUnusableReason(int local_size);
/// "NCCL 2.28.3" from the library, or empty when it does not load.
std::string NcclLibraryVersion();

/// Largest k the CUDA top-k supports (per-thread candidate lists live in registers/local memory):
/// the one limit both backends' callers check, core::kMaxTopK.
using core::kMaxTopK;

/// Same semantics as cpu::TopKCosine: cosine of L2-normalised rows (a zero row scores 0), the
/// query itself included, best first, ties broken by the smaller row index; min(k, rows) each.
/// k ≤ kMaxTopK.
absl::StatusOr<std::vector<std::vector<Neighbor>>> TopKCosine(const Embeddings& e,
                                                             const std::vector<int32_t>& queries,
                                                             int k);

/// How AllKnn scores. Both give TopKCosine's answer (the FP32 neighbours, scores within FP32
/// round-off of the CPU's):
/// - kFp32: cuBLAS SGEMM score tiles, then a top-k pass over each tile;
/// - kTensorCores: one kernel that scores with BF16 tensor cores and keeps each row's best
///   candidates as it goes, then re-scores them in FP32; a row whose candidates cannot be shown to
///   hold its FP32 top-k goes through kFp32 (n2v/core/knn_window.hpp has the argument). Needs
///   a build for sm_80 or newer, compute capability 8.0+, k ≤ 16, dim ≤ 256 and the shared memory
///   (178,176 bytes a block at dim 128: H100/H200 at every dim, an A100 up to dim 64);
/// - kAuto: kFp32 until the tensor-core kernel has run on a GPU (it has only been compiled).
enum class KnnMethod { kAuto, kFp32, kTensorCores };

/// The tensor-core path's limits: candidates a row keeps, and the largest k and dim it takes.
inline constexpr int kTensorKnnCandidates = 64;
inline constexpr int kTensorKnnMaxK = 16;
inline constexpr int32_t kTensorKnnMaxDim = 256;

/// The k nearest rows (cosine, self included) of every row, row-major [rows x k].
struct KnnGraph {
  int32_t rows = 0;
  int32_t k = 0;
  std::vector<int32_t> node;
  std::vector<float> score;
  KnnMethod method = KnnMethod::kFp32;  // the one that ran (never kAuto)
  int32_t fp32_rows = 0;                // rows answered by the FP32 path (all of them under kFp32)
};

/// All-against-all TopKCosine. kTensorCores where it cannot run is FailedPrecondition with the
/// reason.
absl::StatusOr<KnnGraph> AllKnn(const Embeddings& e, int k, KnnMethod method = KnnMethod::kAuto);

}  // namespace cuda
}  // namespace n2v
