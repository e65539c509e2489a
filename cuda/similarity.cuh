// Cosine similarity on the device: rows L2-normalised, scores = one cuBLAS SGEMM of the query rows
// against every row, then a per-row top-k; for all-kNN also a tensor-core path with the same
// answer (BF16 candidates in a fused GEMM + selection kernel, FP32 re-rank).
// Twin: cpu/similarity.cpp (cpu::TopKCosine, Normalized).
// Host-facing form: cuda::TopKCosine / AllKnn in n2v/cuda_api.hpp; these are the device-resident
// pieces (the pipeline and the benchmark use them directly).
#pragma once

#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "n2v/cuda_api.hpp"  // kTensorKnn* limits

namespace n2v::cuda {

/// out[r] = in[r] / ‖in[r]‖ (a zero row stays zero), as n2v::Normalized: the norm in double.
/// in and out are [rows x dim] row-major and may alias.
absl::Status NormalizeRowsOnDevice(const float* d_in, float* d_out, int32_t rows, int32_t dim,
                                   cudaStream_t stream);

/// d_scores [nq x rows] (row-major) = d_queries [nq x dim] · d_table [rows x dim]ᵀ, FP32 SGEMM.
absl::Status CosineScoresOnDevice(cublasHandle_t handle, const float* d_table, int32_t rows,
                                  int32_t dim, const float* d_queries, int32_t nq,
                                  float* d_scores);

/// For each of num_rows score rows (row-major, n_cols wide): the k best columns (score
/// descending, ties by the smaller column), into d_node/d_score [num_rows x k]. Slots past n_cols
/// get node −1. 1 ≤ k ≤ kMaxTopK.
absl::Status TopKRowsOnDevice(const float* d_scores, int64_t num_rows, int32_t n_cols, int k,
                              int32_t* d_node, float* d_score, cudaStream_t stream);

/// Score tiles are kept under this many bytes: big enough that SGEMM runs at full rate (a few
/// hundred query rows against a large table), small enough to leave room for the rest.
inline constexpr size_t kMaxKnnTileBytes = size_t{4} << 30;

/// Score-tile rows that fit `budget_bytes` for a table of `rows` rows (at least 1).
int64_t KnnTileRows(int32_t rows, size_t budget_bytes);

/// kNN of every row of the normalised table d_unit [rows x dim] into d_node/d_score [rows x k],
/// in tiles of tile_rows query rows (scratch d_scores holds tile_rows x rows floats).
absl::Status AllKnnOnDevice(cublasHandle_t handle, const float* d_unit, int32_t rows, int32_t dim,
                            int k, int64_t tile_rows, float* d_scores, int32_t* d_node,
                            float* d_score, cudaStream_t stream);

/// The FP32 kNN (SGEMM + TopKRowsOnDevice) of `count` listed rows of d_unit [rows x dim] (ids in
/// d_rows, on the device) into their places in d_node/d_score [rows x k], in tiles of at most
/// tile_rows rows; allocates its own scratch (tile_rows x (rows + dim + 2k) words).
absl::Status KnnOfRowsOnDevice(cublasHandle_t handle, const float* d_unit, int32_t rows,
                               int32_t dim, const int32_t* d_rows, int32_t count, int k,
                               int64_t tile_rows, int32_t* d_node, float* d_score,
                               cudaStream_t stream);

/// Why the tensor-core all-kNN cannot run for this shape on the current device (k or dim out
/// of range, compute capability below 8.0, too little shared memory), or "" when it can.
std::string TensorKnnUnsupported(int32_t dim, int k);

/// AllKnnOnDevice's answer, k ≤ rows, from BF16 tensor-core scores: each row keeps its
/// kTensorKnnCandidates best approximate columns, re-scored in FP32; a row whose list cannot be
/// shown to hold its FP32 top-k (n2v/core/knn_window.hpp) is answered by KnnOfRowsOnDevice, and
/// *fallback_rows (when given) says how many were. d_unit must be normalised (NormalizeRowsOnDevice:
/// the bound assumes norms within 2^-10 of 1, or zero rows) and `handle` bound to `stream`.
/// Allocates a BF16 copy of the table. Returns once the answer is complete (it synchronises the
/// stream). FailedPrecondition with TensorKnnUnsupported's reason when it cannot run.
absl::Status AllKnnTensorOnDevice(cublasHandle_t handle, const float* d_unit, int32_t rows,
                                  int32_t dim, int k, int32_t* d_node, float* d_score,
                                  cudaStream_t stream, int32_t* fallback_rows = nullptr);

}  // namespace n2v::cuda
