// Cosine similarity top-k. Twin: cuda/similarity.cuh (cuBLAS SGEMM of normalised rows + top-k).
#pragma once

#include <cstdint>
#include <vector>

#include "n2v/train.hpp"

namespace n2v {

struct Neighbor {
  int32_t node;
  float score;  // cosine similarity
};

/// Rows scaled to unit L2 norm (a zero row stays zero).
Embeddings Normalized(const Embeddings& e, int threads);

namespace cpu {

/// For each query row, the k rows of highest cosine similarity (the query itself included, as
/// the seed does), best first; ties broken by the smaller row index.
std::vector<std::vector<Neighbor>> TopKCosine(const Embeddings& e,
                                              const std::vector<int32_t>& queries, int k,
                                              int threads);

}  // namespace cpu
}  // namespace n2v
