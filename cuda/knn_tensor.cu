// All-against-all cosine top-k on BF16 tensor cores, with the answer of the FP32 path
// (cuda/similarity.cuh, AllKnnTensorOnDevice). Twin: cpu::TopKCosine over every row.
//
// Why it is exact: include/n2v/core/knn_window.hpp. Each row keeps the kCand best columns by
// approximate (BF16-product) score while the GEMM runs; at the end the row's list either holds
// every column its FP32 top-k can contain — then those columns are re-scored in FP32 and ranked in
// the CPU's order — or it does not, and the row goes to the FP32 path (SGEMM + top-k) afterwards.
// Ties in the approximate scores cannot lose a column: the window test is on scores, not ranks.
//
// Threading: one CTA of 8 warps per 128 query rows. Its BF16 query tile stays in shared memory;
// it streams the table in tiles of 128 rows, 32 dimensions of the tile in shared memory at a time.
// Each warp computes a 32 x 64 block of the 128 x 128 score tile with WMMA 16x16x16 (FP32
// accumulators), the block goes to shared memory, and each warp then selects for 16 query rows:
// a row's 128 scores, four per lane, are compared with the row's current kCand-th best, and the
// rare columns that beat it are inserted into the row's sorted list (in shared memory) by the
// whole warp. The score tile never reaches global memory, so there is no top-k pass over a
// score matrix. Needs compute capability 8.0 (BF16 WMMA) and SmemBytes of shared memory a CTA:
// 178,176 bytes at dim 128, 210,944 at 256 (H100/H200 allow 232,448; an A100 166,912, dim ≤ 64).
#include <cuda_bf16.h>
#include <mma.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "cuda/cuda_check.cuh"
#include "cuda/device.cuh"
#include "cuda/device_buffer.cuh"
#include "cuda/similarity.cuh"
#include "n2v/core/knn_window.hpp"
#include "n2v/status.hpp"

namespace n2v::cuda {
namespace {

using Bf16 = __nv_bfloat16;

constexpr int kWarp = 32;
constexpr unsigned kFullMask = 0xFFFFFFFFu;
constexpr int kThreads = 256;
constexpr int kWarps = kThreads / kWarp;
constexpr int kRowsPerCta = 128;    // query rows of a CTA: its resident A tile
constexpr int kColsPerTile = 128;   // table rows scored per step: the B tile
constexpr int kChunk = core::kTensorKnnChunk;  // dimensions of the B tile in shared memory at once
constexpr int kPad = 8;             // BF16 padding per shared row: WMMA wants ld % 8 == 0, and
                                    // it spreads the rows over the banks
constexpr int kBld = kChunk + kPad;
constexpr int kScoreLd = kColsPerTile + 4;
constexpr int kRowsPerWarp = kRowsPerCta / kWarps;  // selection: 16 rows a warp
constexpr int kCand = kTensorKnnCandidates;
constexpr int kDimsPerLane = kTensorKnnMaxDim / kWarp;  // the re-rank's query row in registers
static_assert(kCand == 2 * kWarp, "the list insert and the re-rank give each lane two entries");
static_assert(kColsPerTile == 4 * kWarp, "selection reads a row's scores as one float4 a lane");

// Dimensions padded to whole chunks (zeros: they add exact zeros to every product).
int32_t PaddedDim(int32_t dim) { return core::TensorKnnPaddedDim(dim); }

size_t SmemBytes(int32_t dp) {
  return sizeof(Bf16) * kRowsPerCta * (dp + kPad) + sizeof(Bf16) * kColsPerTile * kBld +
         sizeof(float) * kRowsPerCta * kScoreLd +
         (sizeof(float) + sizeof(int32_t)) * kRowsPerCta * kCand;
}

// The CPU's order: higher score first, then the smaller row. Empty slots are (−inf, INT_MAX).
__device__ __forceinline__ bool Better(float as, int32_t an, float bs, int32_t bn) {
  return as > bs || (as == bs && an < bn);
}

// Inserts (s, c) into the warp's sorted list of kCand entries (best first), dropping the last.
// Lane j holds entries j and j + 32; every lane reads before any writes.
__device__ __forceinline__ void InsertSorted(float* ls, int32_t* ln, float s, int32_t c,
                                             int lane) {
  const float s0 = ls[lane], s1 = ls[lane + kWarp];
  const int32_t n0 = ln[lane], n1 = ln[lane + kWarp];
  // The list is sorted, so the entries better than (s, c) are a prefix: its length is the slot.
  const int pos = __popc(__ballot_sync(kFullMask, Better(s0, n0, s, c))) +
                  __popc(__ballot_sync(kFullMask, Better(s1, n1, s, c)));
  __syncwarp();
  if (lane >= pos) {  // entry `lane` (< 32 < kCand − 1) moves down one
    ls[lane + 1] = s0;
    ln[lane + 1] = n0;
  }
  if (lane + kWarp >= pos && lane + kWarp < kCand - 1) {
    ls[lane + kWarp + 1] = s1;
    ln[lane + kWarp + 1] = n1;
  }
  if (lane == 0) {
    ls[pos] = s;
    ln[pos] = c;
  }
  __syncwarp();
}

// out[r][d] = bf16(in[r][d]) for d < dim, 0 up to dp. Grid-stride over the elements.
__global__ void ToBf16Kernel(const float* in, int32_t rows, int32_t dim, int32_t dp, Bf16* out) {
  const int64_t total = static_cast<int64_t>(rows) * dp;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < total;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int64_t r = i / dp;
    const int32_t d = static_cast<int32_t>(i - r * dp);
    out[i] = __float2bfloat16_rn(d < dim ? in[r * dim + d] : 0.0f);
  }
}

// bf: the table in BF16 [rows x dp]; unit: the same rows in FP32 [rows x dim] (the re-rank).
// Writes the rows it answers into out_node/out_score [rows x k] and appends the others to
// overflow (their count in *overflow_count).
__global__ void __launch_bounds__(kThreads, 1)
    KnnTensorKernel(const Bf16* __restrict__ bf, const float* __restrict__ unit, int32_t rows,
                    int32_t dim, int32_t dp, int k, float eps, int32_t* __restrict__ out_node,
                    float* __restrict__ out_score, int32_t* __restrict__ overflow,
                    int32_t* __restrict__ overflow_count) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800
  namespace wmma = nvcuda::wmma;
  extern __shared__ __align__(128) unsigned char smem[];
  const int lda = dp + kPad;
  Bf16* a_tile = reinterpret_cast<Bf16*>(smem);
  Bf16* b_tile = a_tile + kRowsPerCta * lda;
  float* s_tile = reinterpret_cast<float*>(b_tile + kColsPerTile * kBld);
  float* list_s = s_tile + kRowsPerCta * kScoreLd;
  int32_t* list_n = reinterpret_cast<int32_t*>(list_s + kRowsPerCta * kCand);
  const int tid = threadIdx.x, lane = tid & (kWarp - 1), warp = tid / kWarp;
  const int32_t q0 = static_cast<int32_t>(blockIdx.x) * kRowsPerCta;

  // The query tile, zero past the table's end; every list empty.
  const int a_vecs = dp / 8;  // 8 BF16 in a uint4
  for (int i = tid; i < kRowsPerCta * a_vecs; i += kThreads) {
    const int r = i / a_vecs, v = i - r * a_vecs;
    uint4 x = make_uint4(0, 0, 0, 0);
    if (q0 + r < rows) x = reinterpret_cast<const uint4*>(bf + static_cast<int64_t>(q0 + r) * dp)[v];
    *reinterpret_cast<uint4*>(a_tile + r * lda + v * 8) = x;
  }
  for (int i = tid; i < kRowsPerCta * kCand; i += kThreads) {
    list_s[i] = -INFINITY;
    list_n[i] = INT_MAX;
  }
  __syncthreads();

  const int wr = warp / 2;  // this warp's MMA block: query rows wr·32 + [0, 32),
  const int wc = warp % 2;  // tile columns wc·64 + [0, 64)
  for (int32_t t0 = 0; t0 < rows; t0 += kColsPerTile) {
    wmma::fragment<wmma::accumulator, 16, 16, 16, float> acc[2][4];
#pragma unroll
    for (int i = 0; i < 2; ++i) {
#pragma unroll
      for (int j = 0; j < 4; ++j) wmma::fill_fragment(acc[i][j], 0.0f);
    }
    for (int c0 = 0; c0 < dp; c0 += kChunk) {
      // B chunk: table rows t0 + [0, 128), dimensions c0 + [0, 32); zero past the end. The
      // barrier before the MMA also orders this write after every warp's previous selection.
      for (int i = tid; i < kColsPerTile * (kChunk / 8); i += kThreads) {
        const int r = i / (kChunk / 8), v = i - r * (kChunk / 8);
        uint4 x = make_uint4(0, 0, 0, 0);
        if (t0 + r < rows) {
          x = *reinterpret_cast<const uint4*>(bf + static_cast<int64_t>(t0 + r) * dp + c0 + v * 8);
        }
        *reinterpret_cast<uint4*>(b_tile + r * kBld + v * 8) = x;
      }
      __syncthreads();
#pragma unroll
      for (int kk = 0; kk < kChunk; kk += 16) {
        wmma::fragment<wmma::matrix_a, 16, 16, 16, Bf16, wmma::row_major> a[2];
        wmma::fragment<wmma::matrix_b, 16, 16, 16, Bf16, wmma::col_major> b[4];
#pragma unroll
        for (int i = 0; i < 2; ++i) {
          wmma::load_matrix_sync(a[i], a_tile + (wr * 32 + i * 16) * lda + c0 + kk, lda);
        }
        // Bᵀ's column n is table row n, stored row-major: a column-major B with ld kBld.
#pragma unroll
        for (int j = 0; j < 4; ++j) {
          wmma::load_matrix_sync(b[j], b_tile + (wc * 64 + j * 16) * kBld + kk, kBld);
        }
#pragma unroll
        for (int i = 0; i < 2; ++i) {
#pragma unroll
          for (int j = 0; j < 4; ++j) wmma::mma_sync(acc[i][j], a[i], b[j], acc[i][j]);
        }
      }
      __syncthreads();  // the B chunk is rewritten next
    }
#pragma unroll
    for (int i = 0; i < 2; ++i) {
#pragma unroll
      for (int j = 0; j < 4; ++j) {
        wmma::store_matrix_sync(s_tile + (wr * 32 + i * 16) * kScoreLd + wc * 64 + j * 16,
                                acc[i][j], kScoreLd, wmma::mem_row_major);
      }
    }
    __syncthreads();

    // Selection: this warp's 16 query rows against the tile's 128 columns.
    for (int rr = 0; rr < kRowsPerWarp; ++rr) {
      const int r = warp * kRowsPerWarp + rr;
      float* ls = list_s + r * kCand;
      int32_t* ln = list_n + r * kCand;
      const float4 v4 = *reinterpret_cast<const float4*>(s_tile + r * kScoreLd + lane * 4);
      const float v[4] = {v4.x, v4.y, v4.z, v4.w};
      float thr_s = ls[kCand - 1];
      int32_t thr_n = ln[kCand - 1];
#pragma unroll
      for (int e = 0; e < 4; ++e) {
        const int32_t col = t0 + lane * 4 + e;
        unsigned mask = __ballot_sync(kFullMask, col < rows && Better(v[e], col, thr_s, thr_n));
        while (mask != 0) {
          const int src = __ffs(mask) - 1;
          mask &= mask - 1;
          const float s = __shfl_sync(kFullMask, v[e], src);
          const int32_t c = t0 + src * 4 + e;
          if (Better(s, c, thr_s, thr_n)) {  // the same on every lane: s, c, thr are uniform
            InsertSorted(ls, ln, s, c, lane);
            thr_s = ls[kCand - 1];
            thr_n = ln[kCand - 1];
          }
        }
      }
    }
    // No barrier: the next step's first shared write is the B chunk, which selection never
    // reads, and the barrier after it holds every warp until all have finished selecting.
  }

  // Each row: the window test, then the FP32 re-rank of its list, or a place in the overflow.
  for (int rr = 0; rr < kRowsPerWarp; ++rr) {
    const int r = warp * kRowsPerWarp + rr;
    const int32_t row = q0 + r;
    if (row >= rows) break;
    const float* ls = list_s + r * kCand;
    const int32_t* ln = list_n + r * kCand;
    const bool full = rows > kCand;  // a column was dropped (64 rows fill the list, drop none)
    if (!core::CandidatesHoldTopK(ls[k - 1], ls[kCand - 1], full, eps)) {
      if (lane == 0) overflow[atomicAdd(overflow_count, 1)] = row;
      continue;
    }
    const float* q = unit + static_cast<int64_t>(row) * dim;
    float qv[kDimsPerLane];
#pragma unroll
    for (int t = 0; t < kDimsPerLane; ++t) {
      const int32_t d = lane + t * kWarp;
      qv[t] = d < dim ? q[d] : 0.0f;
    }
    float s0 = -INFINITY, s1 = -INFINITY;
    int32_t n0 = ln[lane], n1 = ln[lane + kWarp];
    for (int j = 0; j < kCand; ++j) {
      const int32_t c = ln[j];
      if (c == INT_MAX) break;  // the list's tail is empty (fewer rows than kCand)
      const float* x = unit + static_cast<int64_t>(c) * dim;
      float p = 0.0f;
#pragma unroll
      for (int t = 0; t < kDimsPerLane; ++t) {
        const int32_t d = lane + t * kWarp;
        if (d < dim) p += qv[t] * x[d];
      }
#pragma unroll
      for (int off = kWarp / 2; off > 0; off >>= 1) p += __shfl_xor_sync(kFullMask, p, off);
      if (lane == (j & (kWarp - 1))) {
        if (j < kWarp) s0 = p; else s1 = p;
      }
    }
    if (n0 == INT_MAX) s0 = -INFINITY;
    if (n1 == INT_MAX) s1 = -INFINITY;
    for (int round = 0; round < k; ++round) {
      float s = s0;
      int32_t n = n0;
      if (Better(s1, n1, s, n)) {
        s = s1;
        n = n1;
      }
#pragma unroll
      for (int off = kWarp / 2; off > 0; off >>= 1) {
        const float os = __shfl_xor_sync(kFullMask, s, off);
        const int32_t on = __shfl_xor_sync(kFullMask, n, off);
        if (Better(os, on, s, n)) {
          s = os;
          n = on;
        }
      }
      // A strict total order has one maximum: every lane holds the same winner. Columns are
      // unique, so one lane pops it.
      if (n != INT_MAX) {
        if (n0 == n) {
          s0 = -INFINITY;
          n0 = INT_MAX;
        } else if (n1 == n) {
          s1 = -INFINITY;
          n1 = INT_MAX;
        }
      }
      if (lane == 0) {
        out_node[static_cast<int64_t>(row) * k + round] = n == INT_MAX ? -1 : n;
        out_score[static_cast<int64_t>(row) * k + round] = s;
      }
    }
  }
#else
  __trap();  // the host never launches it below compute capability 8.0 (TensorKnnUnsupported)
#endif
}

}  // namespace

std::string TensorKnnUnsupported(int32_t dim, int k) {
  if (k < 1 || k > kTensorKnnMaxK) {
    return absl::StrCat("k = ", k, " is outside [1, ", kTensorKnnMaxK, "] (each row keeps ",
                        kTensorKnnCandidates, " candidates)");
  }
  if (dim < 1 || dim > kTensorKnnMaxDim) {
    return absl::StrCat("dim = ", dim, " is outside [1, ", kTensorKnnMaxDim, "]");
  }
  // The code this build carries for the kernel: built only below sm_80 (say for 7.5), the
  // device would JIT the PTX whose body is __trap(), and the trap would end the context.
  cudaFuncAttributes fa{};
  if (cudaFuncGetAttributes(&fa, KnnTensorKernel) != cudaSuccess) {
    (void)cudaGetLastError();
    return "no usable CUDA device";
  }
  if (fa.ptxVersion < 80 || fa.binaryVersion < 80) {
    return absl::StrCat("this build's code for the device is sm_", fa.binaryVersion,
                        " (PTX ", fa.ptxVersion, "); BF16 tensor cores need 80 or newer ",
                        "(CMAKE_CUDA_ARCHITECTURES)");
  }
  int device = 0, major = 0, minor = 0, optin = 0;
  if (cudaGetDevice(&device) != cudaSuccess ||
      cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, device) != cudaSuccess ||
      cudaDeviceGetAttribute(&minor, cudaDevAttrComputeCapabilityMinor, device) != cudaSuccess ||
      cudaDeviceGetAttribute(&optin, cudaDevAttrMaxSharedMemoryPerBlockOptin, device) !=
          cudaSuccess) {
    (void)cudaGetLastError();
    return "no usable CUDA device";
  }
  if (major < 8) {
    return absl::StrCat("compute capability ", major, ".", minor,
                        " has no BF16 tensor cores (8.0 or newer)");
  }
  const size_t need = SmemBytes(PaddedDim(dim));
  if (static_cast<size_t>(optin) < need) {
    return absl::StrCat("the kernel needs ", need, " bytes of shared memory a block; the device ",
                        "allows ", optin);
  }
  return "";
}

absl::Status AllKnnTensorOnDevice(cublasHandle_t handle, const float* d_unit, int32_t rows,
                                  int32_t dim, int k, int32_t* d_node, float* d_score,
                                  cudaStream_t stream, int32_t* fallback_rows) {
  if (fallback_rows != nullptr) *fallback_rows = 0;
  if (const std::string why = TensorKnnUnsupported(dim, k); !why.empty()) {
    return absl::FailedPreconditionError(absl::StrCat("all-kNN on tensor cores: ", why));
  }
  if (rows <= 0) return absl::OkStatus();
  if (k > rows) {
    return absl::InvalidArgumentError(
        absl::StrCat("all-kNN on tensor cores: k = ", k, " exceeds the ", rows, " rows"));
  }
  const int32_t dp = PaddedDim(dim);
  auto bf = DeviceBuffer<Bf16>::Allocate(static_cast<size_t>(rows) * dp, "BF16 table");
  if (!bf.ok()) return bf.status();
  auto overflow = DeviceBuffer<int32_t>::Allocate(static_cast<size_t>(rows) + 1, "kNN overflow");
  if (!overflow.ok()) return overflow.status();
  int32_t* d_count = overflow->data() + rows;
  N2V_CUDA_RETURN_IF_ERROR(cudaMemsetAsync(d_count, 0, sizeof(int32_t), stream));
  {
    constexpr int kBlock = 256;
    const unsigned blocks =
        GridBlocks<int64_t>(static_cast<int64_t>(rows) * dp, kBlock, int64_t{1} << 20);
    ToBf16Kernel<<<blocks, kBlock, 0, stream>>>(d_unit, rows, dim, dp, bf->data());
    N2V_CUDA_CHECK_LAUNCH();
  }
  const size_t smem = SmemBytes(dp);
  N2V_CUDA_RETURN_IF_ERROR(cudaFuncSetAttribute(
      KnnTensorKernel, cudaFuncAttributeMaxDynamicSharedMemorySize, static_cast<int>(smem)));
  const float eps = core::Bf16ScoreBound(dp);
  KnnTensorKernel<<<static_cast<unsigned>(CeilDiv(rows, kRowsPerCta)), kThreads, smem, stream>>>(
      bf->data(), d_unit, rows, dim, dp, k, eps, d_node, d_score, overflow->data(), d_count);
  N2V_CUDA_CHECK_LAUNCH();
  int32_t count = 0;
  N2V_CUDA_RETURN_IF_ERROR(
      cudaMemcpyAsync(&count, d_count, sizeof(int32_t), cudaMemcpyDeviceToHost, stream));
  N2V_CUDA_RETURN_IF_ERROR(cudaStreamSynchronize(stream));
  if (fallback_rows != nullptr) *fallback_rows = count;
  if (count == 0) return absl::OkStatus();
  bf->Reset();  // the FP32 path's score tiles may want the room
  auto mem = GetMemInfo();
  if (!mem.ok()) return mem.status();
  const int64_t tile = std::min<int64_t>(
      KnnTileRows(rows, std::min(kMaxKnnTileBytes, mem->free / 2)), count);
  return KnnOfRowsOnDevice(handle, d_unit, rows, dim, overflow->data(), count, k, tile, d_node,
                           d_score, stream);
}

}  // namespace n2v::cuda
