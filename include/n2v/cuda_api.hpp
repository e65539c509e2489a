// The CUDA backend as the g++-compiled code sees it: plain C++ types only (no CUDA header), so
// apps/ and tests can call it; every function returns a status instead of failing on a machine
// without a GPU. Declared only usefully where the library was built with N2V_WITH_CUDA (link
// n2v_cuda). Twins: n2v::cpu::SampleWalks / GenerateExamples / TrainAdam / TopKCosine
// (walk.hpp, train.hpp, similarity.hpp); the kernels live in cuda/*.cu.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
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
  size_t free_mem = 0;   // bytes, when listed
  int cc_major = 0;
  int cc_minor = 0;
  int sm_count = 0;
};

/// True in a build with the CUDA backend (this header's functions are then defined).
bool CudaBuiltIn();

/// "13.0 (driver 12.8)", or "13.0 (no driver: ...)" when the driver cannot be queried.
std::string CudaRuntimeVersion();

/// Every visible device, or an error with a one-line reason: no driver, driver too old for this
/// runtime (cudaErrorInsufficientDriver), or no device.
absl::StatusOr<std::vector<DeviceInfo>> ListCudaDevices();

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
/// cpu::SampleWalks's output. `g` and `alias` are host arrays (alias from BuildAliasTables).
/// The walks are produced in batches sized to the free device memory.
absl::Status SampleWalks(const CsrView& g, const core::AliasView& alias,
                         const core::WalkParams& params, uint64_t first_walk, uint64_t count,
                         int32_t* out);

/// Exactly cpu::GenerateExamples's output (same couples, same negative draws, same order).
absl::StatusOr<Examples> GenerateExamples(const int32_t* walks, int64_t num_walks,
                                          uint32_t length, int32_t num_nodes,
                                          const ExampleOptions& o);

/// cpu::TrainAdam on the device: trains `emb` (initialised by the caller, e.g. InitHeNormal) in
/// place and returns the per-epoch loss. Same example order and batches as the CPU twin.
absl::StatusOr<std::vector<double>> TrainAdam(const Examples& ex, const AdamTrainOptions& o,
                                              Embeddings* emb,
                                              const EpochCallback& on_epoch = nullptr);

// word2vec's regime (DESIGN.md, decision 6): the options and stats live in n2v/word2vec.hpp,
// shared with the CPU twin cpu::TrainSgd; the names stay reachable as cuda::SgdTrainOptions.
using ::n2v::SgdStats;
using ::n2v::SgdTrainOptions;

/// Trains on host `walks` [num_walks x length] (-1 = padding). `input` receives the node
/// embeddings [num_nodes x dim] (word2vec's syn0); `output` (may be null) the context table.
absl::StatusOr<SgdStats> TrainSgd(const int32_t* walks, int64_t num_walks, uint32_t length,
                                  int32_t num_nodes, const SgdTrainOptions& o, Embeddings* input,
                                  Embeddings* output = nullptr);

/// Largest k the CUDA top-k supports (per-thread candidate lists live in registers/local memory).
constexpr int kMaxTopK = 128;

/// Same semantics as cpu::TopKCosine: cosine of L2-normalised rows (a zero row scores 0), the
/// query itself included, best first, ties broken by the smaller row index; min(k, rows) each.
/// k ≤ kMaxTopK.
absl::StatusOr<std::vector<std::vector<Neighbor>>> TopKCosine(const Embeddings& e,
                                                             const std::vector<int32_t>& queries,
                                                             int k);

/// The k nearest rows (cosine, self included) of every row, row-major [rows x k].
struct KnnGraph {
  int32_t rows = 0;
  int32_t k = 0;
  std::vector<int32_t> node;
  std::vector<float> score;
};

/// All-against-all TopKCosine, computed in row tiles sized to free memory.
absl::StatusOr<KnnGraph> AllKnn(const Embeddings& e, int k);

}  // namespace cuda
}  // namespace n2v
