// Cosine top-k on the device (cuda/similarity.cuh). Twin: cpu/similarity.cpp (cpu::TopKCosine).
// (AllKnn's tensor-core path is cuda/knn_tensor.cu; rows it cannot settle come back here.)
// Threading: normalisation and query gathering one warp per row; scores by cuBLAS SGEMM (FP32,
// no TF32, so scores stay within float round-off of the CPU's dot products); top-k one block per
// score row — each thread keeps its own sorted K best in registers while it strides over the row,
// then k rounds of a block-wide arg-max merge the threads' lists. The order is the CPU's total
// order (score descending, then the smaller row), so the answer does not depend on the split.
#include <cub/block/block_reduce.cuh>

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cuda/cuda_check.cuh"
#include "cuda/device.cuh"
#include "cuda/device_buffer.cuh"
#include "cuda/similarity.cuh"
#include "n2v/cuda_api.hpp"
#include "n2v/status.hpp"

namespace n2v::cuda {
namespace {

constexpr int kWarp = 32;
constexpr unsigned kFullMask = 0xFFFFFFFFu;

struct Cand {
  float score;
  int32_t node;
};

// The CPU's order: higher score first, then the smaller row. Empty slots are (−inf, INT_MAX).
__device__ __forceinline__ bool Better(float as, int32_t an, float bs, int32_t bn) {
  return as > bs || (as == bs && an < bn);
}

struct BetterOf {
  __device__ __forceinline__ Cand operator()(const Cand& a, const Cand& b) const {
    return Better(a.score, a.node, b.score, b.node) ? a : b;
  }
};

// One warp per row (grid-stride over warps): Σx² in double, then x·float(1/sqrt(Σx²)) — the
// CPU's Normalized() — into out. Rows row-major [rows x dim]; in and out may alias.
__global__ void NormalizeRowsKernel(const float* in, float* out, int32_t rows, int32_t dim) {
  const int lane = threadIdx.x & (kWarp - 1);
  const int64_t warps = static_cast<int64_t>(gridDim.x) * blockDim.x / kWarp;
  for (int64_t r = (static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x) / kWarp; r < rows;
       r += warps) {
    const float* x = in + r * dim;
    double ss = 0.0;
    for (int32_t d = lane; d < dim; d += kWarp) ss += static_cast<double>(x[d]) * x[d];
#pragma unroll
    for (int off = kWarp / 2; off > 0; off >>= 1) ss += __shfl_down_sync(kFullMask, ss, off);
    ss = __shfl_sync(kFullMask, ss, 0);
    const float scale = ss > 0.0 ? static_cast<float>(1.0 / sqrt(ss)) : 0.0f;
    float* y = out + r * dim;
    for (int32_t d = lane; d < dim; d += kWarp) y[d] = x[d] * scale;
  }
}

// One warp per query (grid-stride): out[i] = table[queries[i]], rows of dim floats.
__global__ void GatherRowsKernel(const float* table, int32_t dim, const int32_t* queries,
                                 int32_t nq, float* out) {
  const int lane = threadIdx.x & (kWarp - 1);
  const int64_t warps = static_cast<int64_t>(gridDim.x) * blockDim.x / kWarp;
  for (int64_t i = (static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x) / kWarp; i < nq;
       i += warps) {
    const float* src = table + static_cast<int64_t>(queries[i]) * dim;
    for (int32_t d = lane; d < dim; d += kWarp) out[i * dim + d] = src[d];
  }
}

// One block per score row (grid-stride over rows). Thread t scans columns t, t + kThreads, …
// (coalesced) keeping its K best sorted in registers (the insertion is fully unrolled, so the
// arrays never leave registers for K ≤ 32); then k rounds of a block arg-max over the threads'
// heads, the winning thread popping its head. Scores row-major [num_rows x n_cols]; outputs
// [num_rows x k]; requires k ≤ K.
template <int K, int kThreads>
__global__ void __launch_bounds__(kThreads)
    TopKRowsKernel(const float* scores, int64_t num_rows, int32_t n_cols, int k, int32_t* out_node,
                   float* out_score) {
  using BlockReduce = cub::BlockReduce<Cand, kThreads>;
  __shared__ typename BlockReduce::TempStorage tmp;
  __shared__ Cand winner;
  for (int64_t row = blockIdx.x; row < num_rows; row += gridDim.x) {
    const float* r = scores + row * n_cols;
    float ls[K];
    int32_t ln[K];
#pragma unroll
    for (int j = 0; j < K; ++j) {
      ls[j] = -INFINITY;
      ln[j] = INT_MAX;
    }
    for (int32_t c = threadIdx.x; c < n_cols; c += kThreads) {
      const float s = r[c];
      if (Better(s, c, ls[K - 1], ln[K - 1])) {
        ls[K - 1] = s;
        ln[K - 1] = c;
#pragma unroll
        for (int j = K - 1; j > 0; --j) {
          if (Better(ls[j], ln[j], ls[j - 1], ln[j - 1])) {
            const float ts = ls[j];
            ls[j] = ls[j - 1];
            ls[j - 1] = ts;
            const int32_t tn = ln[j];
            ln[j] = ln[j - 1];
            ln[j - 1] = tn;
          }
        }
      }
    }
    for (int round = 0; round < k; ++round) {
      const Cand best = BlockReduce(tmp).Reduce(Cand{ls[0], ln[0]}, BetterOf());
      if (threadIdx.x == 0) winner = best;
      __syncthreads();
      const Cand w = winner;
      if (w.node != INT_MAX && ln[0] == w.node) {  // columns are unique: one thread pops
#pragma unroll
        for (int j = 0; j < K - 1; ++j) {
          ls[j] = ls[j + 1];
          ln[j] = ln[j + 1];
        }
        ls[K - 1] = -INFINITY;
        ln[K - 1] = INT_MAX;
      }
      if (threadIdx.x == 0) {
        out_node[row * k + round] = w.node == INT_MAX ? -1 : w.node;
        out_score[row * k + round] = w.score;
      }
      __syncthreads();  // winner and tmp are reused next round
    }
  }
}

// One thread per (listed row, rank): out[ids[i]][j] = in[i][j] for the [count x k] answers.
__global__ void ScatterRowsKernel(const int32_t* in_node, const float* in_score, const int32_t* ids,
                                  int32_t count, int k, int32_t* out_node, float* out_score) {
  const int64_t total = static_cast<int64_t>(count) * k;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < total;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int64_t at = static_cast<int64_t>(ids[i / k]) * k + i % k;
    out_node[at] = in_node[i];
    out_score[at] = in_score[i];
  }
}

template <int K, int kThreads>
absl::Status LaunchTopK(const float* d_scores, int64_t num_rows, int32_t n_cols, int k,
                        int32_t* d_node, float* d_score, cudaStream_t stream) {
  const unsigned blocks = static_cast<unsigned>(std::min<int64_t>(num_rows, INT_MAX));
  TopKRowsKernel<K, kThreads><<<blocks, kThreads, 0, stream>>>(d_scores, num_rows, n_cols, k,
                                                               d_node, d_score);
  N2V_CUDA_CHECK_LAUNCH();
  return absl::OkStatus();
}

unsigned WarpBlocks(int64_t warps_needed) {
  constexpr int kBlock = 256;
  return GridBlocks<int64_t>(warps_needed * kWarp, kBlock, INT_MAX);
}

absl::Status CheckTable(const Embeddings& e) {
  if (e.rows < 0 || e.dim <= 0 ||
      e.data.size() != static_cast<size_t>(e.rows) * static_cast<size_t>(e.dim)) {
    return absl::InvalidArgumentError("TopKCosine on CUDA: the table is not [rows x dim]");
  }
  return absl::OkStatus();
}

// Bytes for score tiles: half the free memory, at most kMaxKnnTileBytes.
absl::StatusOr<size_t> TileBudget() {
  auto mem = GetMemInfo();
  if (!mem.ok()) return mem.status();
  return std::min(kMaxKnnTileBytes, mem->free / 2);
}

}  // namespace

absl::Status NormalizeRowsOnDevice(const float* d_in, float* d_out, int32_t rows, int32_t dim,
                                   cudaStream_t stream) {
  if (rows <= 0 || dim <= 0) return absl::OkStatus();
  NormalizeRowsKernel<<<WarpBlocks(rows), 256, 0, stream>>>(d_in, d_out, rows, dim);
  N2V_CUDA_CHECK_LAUNCH();
  return absl::OkStatus();
}

absl::Status CosineScoresOnDevice(cublasHandle_t handle, const float* d_table, int32_t rows,
                                  int32_t dim, const float* d_queries, int32_t nq,
                                  float* d_scores) {
  if (rows <= 0 || nq <= 0) return absl::OkStatus();
  const float one = 1.0f, zero = 0.0f;
  // Column-major view: C (rows x nq, ld rows) = Aᵀ·B with A = table (dim x rows, ld dim) and
  // B = queries (dim x nq, ld dim); C is the row-major [nq x rows] score matrix.
  // A handle exists, so cuBLAS is loaded (CublasHandle::Create).
  const CublasApi* api = LoadedCublas();
  if (api == nullptr) {
    return absl::FailedPreconditionError("CosineScoresOnDevice: cuBLAS is not loaded");
  }
  N2V_CUDA_RETURN_IF_ERROR(api->sgemm(handle, CUBLAS_OP_T, CUBLAS_OP_N, rows, nq, dim, &one,
                                      d_table, dim, d_queries, dim, &zero, d_scores, rows));
  return absl::OkStatus();
}

absl::Status TopKRowsOnDevice(const float* d_scores, int64_t num_rows, int32_t n_cols, int k,
                              int32_t* d_node, float* d_score, cudaStream_t stream) {
  if (k < 1 || k > kMaxTopK) {
    return absl::InvalidArgumentError(
        absl::StrCat("top-k on CUDA: k must be in [1, ", kMaxTopK, "], got ", k));
  }
  if (num_rows <= 0) return absl::OkStatus();
  // Fewer threads for larger K: each thread's list costs 2K registers.
  if (k <= 8) return LaunchTopK<8, 256>(d_scores, num_rows, n_cols, k, d_node, d_score, stream);
  if (k <= 16) return LaunchTopK<16, 256>(d_scores, num_rows, n_cols, k, d_node, d_score, stream);
  if (k <= 32) return LaunchTopK<32, 128>(d_scores, num_rows, n_cols, k, d_node, d_score, stream);
  if (k <= 64) return LaunchTopK<64, 64>(d_scores, num_rows, n_cols, k, d_node, d_score, stream);
  return LaunchTopK<128, 32>(d_scores, num_rows, n_cols, k, d_node, d_score, stream);
}

int64_t KnnTileRows(int32_t rows, size_t budget_bytes) {
  if (rows <= 0) return 1;
  const int64_t t = static_cast<int64_t>(budget_bytes / (static_cast<size_t>(rows) * sizeof(float)));
  return std::clamp<int64_t>(t, 1, rows);
}

absl::Status AllKnnOnDevice(cublasHandle_t handle, const float* d_unit, int32_t rows, int32_t dim,
                            int k, int64_t tile_rows, float* d_scores, int32_t* d_node,
                            float* d_score, cudaStream_t stream) {
  if (tile_rows < 1) return absl::InvalidArgumentError("AllKnn: tile_rows < 1");
  for (int64_t r0 = 0; r0 < rows; r0 += tile_rows) {
    const int32_t t = static_cast<int32_t>(std::min<int64_t>(tile_rows, rows - r0));
    N2V_RETURN_IF_ERROR(
        CosineScoresOnDevice(handle, d_unit, rows, dim, d_unit + r0 * dim, t, d_scores));
    N2V_RETURN_IF_ERROR(
        TopKRowsOnDevice(d_scores, t, rows, k, d_node + r0 * k, d_score + r0 * k, stream));
  }
  return absl::OkStatus();
}

absl::Status KnnOfRowsOnDevice(cublasHandle_t handle, const float* d_unit, int32_t rows,
                               int32_t dim, const int32_t* d_rows, int32_t count, int k,
                               int64_t tile_rows, int32_t* d_node, float* d_score,
                               cudaStream_t stream) {
  if (count <= 0) return absl::OkStatus();
  if (tile_rows < 1) return absl::InvalidArgumentError("KnnOfRows: tile_rows < 1");
  const int64_t tile = std::min<int64_t>(tile_rows, count);
  auto q_rows = DeviceBuffer<float>::Allocate(static_cast<size_t>(tile) * dim, "kNN query rows");
  if (!q_rows.ok()) return q_rows.status();
  auto scores = DeviceBuffer<float>::Allocate(static_cast<size_t>(tile) * rows, "score tile");
  if (!scores.ok()) return scores.status();
  auto node = DeviceBuffer<int32_t>::Allocate(static_cast<size_t>(tile) * k, "kNN tile rows");
  if (!node.ok()) return node.status();
  auto score = DeviceBuffer<float>::Allocate(static_cast<size_t>(tile) * k, "kNN tile scores");
  if (!score.ok()) return score.status();
  for (int64_t i0 = 0; i0 < count; i0 += tile) {
    const int32_t t = static_cast<int32_t>(std::min<int64_t>(tile, count - i0));
    GatherRowsKernel<<<WarpBlocks(t), 256, 0, stream>>>(d_unit, dim, d_rows + i0, t,
                                                        q_rows->data());
    N2V_CUDA_CHECK_LAUNCH();
    N2V_RETURN_IF_ERROR(
        CosineScoresOnDevice(handle, d_unit, rows, dim, q_rows->data(), t, scores->data()));
    N2V_RETURN_IF_ERROR(
        TopKRowsOnDevice(scores->data(), t, rows, k, node->data(), score->data(), stream));
    const int64_t n = static_cast<int64_t>(t) * k;
    ScatterRowsKernel<<<GridBlocks<int64_t>(n, 256, int64_t{1} << 20), 256, 0, stream>>>(
        node->data(), score->data(), d_rows + i0, t, k, d_node, d_score);
    N2V_CUDA_CHECK_LAUNCH();
  }
  // The scratch is freed on return, and the caller's list of rows may be too: finish first.
  N2V_CUDA_RETURN_IF_ERROR(cudaStreamSynchronize(stream));
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::vector<Neighbor>>> TopKCosine(const Embeddings& e,
                                                             const std::vector<int32_t>& queries,
                                                             int k) {
  N2V_RETURN_IF_ERROR(CheckTable(e));
  std::vector<std::vector<Neighbor>> result(queries.size());
  const int32_t kk = std::clamp<int32_t>(k, 0, e.rows);
  if (kk == 0 || queries.empty()) return result;
  if (kk > kMaxTopK) {
    return absl::InvalidArgumentError(absl::StrCat("TopKCosine on CUDA: k must be at most ",
                                                   kMaxTopK, ", got ", k));
  }
  for (int32_t q : queries) {
    if (q < 0 || q >= e.rows) {
      return absl::InvalidArgumentError(
          absl::StrCat("TopKCosine: query row ", q, " outside [0, ", e.rows, ")"));
    }
  }
  N2V_CUDA_RETURN_IF_ERROR(cudaFree(nullptr));
  const int32_t nq = static_cast<int32_t>(queries.size());
  auto budget = TileBudget();
  if (!budget.ok()) return budget.status();
  const int64_t tile = std::min<int64_t>(KnnTileRows(e.rows, *budget), nq);
  N2V_RETURN_IF_ERROR(CheckFits(e.data.size() * sizeof(float) +
                                    static_cast<size_t>(nq) * (e.dim * sizeof(float) + 4 + 8 * kk) +
                                    static_cast<size_t>(tile) * e.rows * sizeof(float),
                                "TopKCosine"));
  auto stream = Stream::Create();
  if (!stream.ok()) return stream.status();
  auto cublas = CublasHandle::Create(stream->get());
  if (!cublas.ok()) return cublas.status();
  auto unit = DeviceBuffer<float>::FromHost(e.data.data(), e.data.size(), "embeddings");
  if (!unit.ok()) return unit.status();
  auto d_queries = DeviceBuffer<int32_t>::FromHost(queries.data(), queries.size(), "query ids");
  if (!d_queries.ok()) return d_queries.status();
  auto q_rows = DeviceBuffer<float>::Allocate(static_cast<size_t>(nq) * e.dim, "query rows");
  if (!q_rows.ok()) return q_rows.status();
  auto scores = DeviceBuffer<float>::Allocate(static_cast<size_t>(tile) * e.rows, "score tile");
  if (!scores.ok()) return scores.status();
  auto node = DeviceBuffer<int32_t>::Allocate(static_cast<size_t>(nq) * kk, "top-k rows");
  if (!node.ok()) return node.status();
  auto score = DeviceBuffer<float>::Allocate(static_cast<size_t>(nq) * kk, "top-k scores");
  if (!score.ok()) return score.status();

  N2V_RETURN_IF_ERROR(NormalizeRowsOnDevice(unit->data(), unit->data(), e.rows, e.dim, stream->get()));
  GatherRowsKernel<<<WarpBlocks(nq), 256, 0, stream->get()>>>(unit->data(), e.dim,
                                                              d_queries->data(), nq, q_rows->data());
  N2V_CUDA_CHECK_LAUNCH();
  for (int32_t q0 = 0; q0 < nq; q0 += static_cast<int32_t>(tile)) {
    const int32_t t = static_cast<int32_t>(std::min<int64_t>(tile, nq - q0));
    N2V_RETURN_IF_ERROR(CosineScoresOnDevice(cublas->get(), unit->data(), e.rows, e.dim,
                                             q_rows->data() + static_cast<size_t>(q0) * e.dim, t,
                                             scores->data()));
    N2V_RETURN_IF_ERROR(TopKRowsOnDevice(scores->data(), t, e.rows, kk,
                                         node->data() + static_cast<size_t>(q0) * kk,
                                         score->data() + static_cast<size_t>(q0) * kk,
                                         stream->get()));
  }
  std::vector<int32_t> h_node(static_cast<size_t>(nq) * kk);
  std::vector<float> h_score(h_node.size());
  N2V_RETURN_IF_ERROR(stream->Sync());
  N2V_RETURN_IF_ERROR(node->CopyToHost(h_node.data(), h_node.size()));
  N2V_RETURN_IF_ERROR(score->CopyToHost(h_score.data(), h_score.size()));
  for (int32_t i = 0; i < nq; ++i) {
    result[i].reserve(kk);
    for (int32_t j = 0; j < kk; ++j) {
      const size_t at = static_cast<size_t>(i) * kk + j;
      result[i].push_back(Neighbor{h_node[at], h_score[at]});
    }
  }
  return result;
}

absl::StatusOr<KnnGraph> AllKnn(const Embeddings& e, int k, KnnMethod method) {
  N2V_RETURN_IF_ERROR(CheckTable(e));
  KnnGraph out;
  const int32_t kk = std::clamp<int32_t>(k, 0, e.rows);
  out.rows = e.rows;
  out.k = kk;
  if (kk == 0) return out;
  if (kk > kMaxTopK) {
    return absl::InvalidArgumentError(
        absl::StrCat("AllKnn on CUDA: k must be at most ", kMaxTopK, ", got ", k));
  }
  N2V_CUDA_RETURN_IF_ERROR(cudaFree(nullptr));
  // kAuto is the FP32 path until the tensor-core kernel has run on a GPU (scripts/gpu-check
  // times both in gpu_bench and runs TensorKnnParity). Only the tensor path asks whether it can
  // run: the question loads its kernel.
  const bool tensor = method == KnnMethod::kTensorCores;
  if (tensor) {
    if (const std::string why = TensorKnnUnsupported(e.dim, kk); !why.empty()) {
      return absl::FailedPreconditionError(absl::StrCat("AllKnn on tensor cores: ", why));
    }
  }
  const size_t results = static_cast<size_t>(e.rows) * kk;
  const size_t fixed = e.data.size() * sizeof(float) + results * 8;
  auto mem = GetMemInfo();
  if (!mem.ok()) return mem.status();
  // The tensor path's BF16 copy and overflow list, or the FP32 path's least score tile.
  const size_t extra = tensor ? static_cast<size_t>(e.rows) * (2 * kTensorKnnMaxDim + 4)
                              : static_cast<size_t>(e.rows) * sizeof(float);
  N2V_RETURN_IF_ERROR(CheckFits(fixed + extra, "AllKnn"));
  auto stream = Stream::Create();
  if (!stream.ok()) return stream.status();
  auto cublas = CublasHandle::Create(stream->get());
  if (!cublas.ok()) return cublas.status();
  auto unit = DeviceBuffer<float>::FromHost(e.data.data(), e.data.size(), "embeddings");
  if (!unit.ok()) return unit.status();
  auto node = DeviceBuffer<int32_t>::Allocate(results, "kNN rows");
  if (!node.ok()) return node.status();
  auto score = DeviceBuffer<float>::Allocate(results, "kNN scores");
  if (!score.ok()) return score.status();
  N2V_RETURN_IF_ERROR(NormalizeRowsOnDevice(unit->data(), unit->data(), e.rows, e.dim, stream->get()));
  if (tensor) {
    out.method = KnnMethod::kTensorCores;
    N2V_RETURN_IF_ERROR(AllKnnTensorOnDevice(cublas->get(), unit->data(), e.rows, e.dim, kk,
                                             node->data(), score->data(), stream->get(),
                                             &out.fp32_rows));
  } else {
    out.method = KnnMethod::kFp32;
    out.fp32_rows = e.rows;
    const size_t left = mem->free > fixed ? mem->free - fixed : 0;
    const int64_t tile = KnnTileRows(e.rows, std::min(kMaxKnnTileBytes, left / 2));
    auto scores = DeviceBuffer<float>::Allocate(static_cast<size_t>(tile) * e.rows, "score tile");
    if (!scores.ok()) return scores.status();
    N2V_RETURN_IF_ERROR(AllKnnOnDevice(cublas->get(), unit->data(), e.rows, e.dim, kk, tile,
                                       scores->data(), node->data(), score->data(),
                                       stream->get()));
  }
  N2V_RETURN_IF_ERROR(stream->Sync());
  out.node.resize(results);
  out.score.resize(results);
  N2V_RETURN_IF_ERROR(node->CopyToHost(out.node.data(), results));
  N2V_RETURN_IF_ERROR(score->CopyToHost(out.score.data(), results));
  return out;
}

}  // namespace n2v::cuda

namespace n2v {

absl::StatusOr<std::vector<std::vector<Neighbor>>> CudaTopKCosine(
    const Embeddings& e, const std::vector<int32_t>& queries, int k) {
  return cuda::TopKCosine(e, queries, k);
}

}  // namespace n2v
