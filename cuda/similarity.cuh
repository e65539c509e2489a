// Cosine similarity on the device: rows L2-normalised, scores = one cuBLAS SGEMM of the query rows
// against every row, then a per-row top-k. Twin: cpu/similarity.cpp (cpu::TopKCosine, Normalized).
// Host-facing form: cuda::TopKCosine / AllKnn in n2v/cuda_api.hpp; these are the device-resident
// pieces (the pipeline and the benchmark use them directly).
#pragma once

#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <cstdint>

#include "absl/status/status.h"

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

/// Score-tile rows that fit `budget_bytes` for a table of `rows` rows (at least 1).
int64_t KnnTileRows(int32_t rows, size_t budget_bytes);

/// kNN of every row of the normalised table d_unit [rows x dim] into d_node/d_score [rows x k],
/// in tiles of tile_rows query rows (scratch d_scores holds tile_rows x rows floats).
absl::Status AllKnnOnDevice(cublasHandle_t handle, const float* d_unit, int32_t rows, int32_t dim,
                            int k, int64_t tile_rows, float* d_scores, int32_t* d_node,
                            float* d_score, cudaStream_t stream);

}  // namespace n2v::cuda
