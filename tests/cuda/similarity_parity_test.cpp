// GPU cosine top-k against cpu::TopKCosine and a brute-force all-kNN. Scores come from cuBLAS SGEMM
// (a different summation order from the CPU's dot products), so they agree within float
// round-off, not bit for bit: scores must agree within kScoreTol, and the neighbour lists must be
// the CPU's except where two candidates' scores are within kScoreTol of each other (near-ties may
// swap). Exact ties are ordered by the smaller row on both sides.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <set>
#include <ostream>
#include <string>
#include <vector>

#include "cuda_test_util.hpp"
#include "gtest/gtest.h"
#include "n2v/cuda_api.hpp"
#include "n2v/similarity.hpp"

namespace n2v {
namespace {

using testing::CudaTest;

// Unit-vector dot products of dim ≤ 128 in float: a few ulps of 1.0 apart at most between
// summation orders (≈ 1e-7 each); 1e-5 leaves a wide margin.
constexpr float kScoreTol = 1e-5f;

Embeddings RandomTable(int32_t rows, int32_t dim, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> z(0.0f, 1.0f);
  Embeddings e;
  e.rows = rows;
  e.dim = dim;
  e.data.resize(static_cast<size_t>(rows) * dim);
  for (float& x : e.data) x = z(rng);
  return e;
}

// GPU list == CPU list up to near-ties: same length, scores within tolerance rank by rank, and
// every row the lists disagree on scores within tolerance of the k-th score (a boundary tie).
void ExpectSameNeighbours(const std::vector<Neighbor>& gpu, const std::vector<Neighbor>& cpu,
                          const std::string& what) {
  ASSERT_EQ(gpu.size(), cpu.size()) << what;
  if (cpu.empty()) return;
  for (size_t j = 0; j < cpu.size(); ++j) {
    EXPECT_NEAR(gpu[j].score, cpu[j].score, kScoreTol) << what << " rank " << j;
    if (j > 0) {  // best first; exact ties by the smaller row
      EXPECT_TRUE(gpu[j - 1].score > gpu[j].score ||
                  (gpu[j - 1].score == gpu[j].score && gpu[j - 1].node < gpu[j].node))
          << what << " rank " << j;
    }
  }
  std::set<int32_t> cpu_rows, gpu_rows;
  for (const Neighbor& n : cpu) cpu_rows.insert(n.node);
  for (const Neighbor& n : gpu) gpu_rows.insert(n.node);
  const float kth = cpu.back().score;
  for (const Neighbor& n : gpu) {
    if (!cpu_rows.count(n.node)) {
      EXPECT_NEAR(n.score, kth, kScoreTol) << what << ": row " << n.node << " only on the GPU";
    }
  }
  for (const Neighbor& n : cpu) {
    if (!gpu_rows.count(n.node)) {
      EXPECT_NEAR(n.score, kth, kScoreTol) << what << ": row " << n.node << " only on the CPU";
    }
  }
}

struct TopKCase {
  std::string name;
  int32_t rows, dim, k;
  uint64_t seed;
};
// ctest shows the case name, not the struct bytes.
void PrintTo(const TopKCase& c, std::ostream* os) { *os << c.name; }


class TopKParity : public CudaTest, public ::testing::WithParamInterface<TopKCase> {};

TEST_P(TopKParity, MatchesCpu) {
  const TopKCase& c = GetParam();
  const Embeddings e = RandomTable(c.rows, c.dim, c.seed);
  std::vector<int32_t> queries;
  for (int32_t q = 0; q < c.rows; q += std::max(1, c.rows / 37)) queries.push_back(q);
  queries.push_back(c.rows - 1);
  const auto cpu = cpu::TopKCosine(e, queries, c.k, 2);
  auto gpu = cuda::TopKCosine(e, queries, c.k);
  ASSERT_TRUE(gpu.ok()) << gpu.status();
  ASSERT_EQ(gpu->size(), cpu.size());
  for (size_t i = 0; i < cpu.size(); ++i) {
    ExpectSameNeighbours((*gpu)[i], cpu[i],
                         c.name + " query " + std::to_string(queries[i]) + " seed " +
                             std::to_string(c.seed));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Tables, TopKParity,
    ::testing::Values(TopKCase{"seed_shape_k5", 1405, 50, 5, 1},
                      TopKCase{"k1", 1000, 32, 1, 2},
                      TopKCase{"k10_dim128", 5000, 128, 10, 3},
                      TopKCase{"k17", 2500, 64, 17, 8},    // K = 32 kernel, 128 threads
                      TopKCase{"k24", 2500, 100, 24, 9},
                      TopKCase{"k32", 2500, 128, 32, 10},  // K = 32, every slot used
                      TopKCase{"k33", 3000, 64, 33, 4},    // K = 64 kernel
                      TopKCase{"k128", 2000, 16, 128, 5},  // the largest K
                      TopKCase{"k_above_rows", 7, 8, 20, 6},
                      TopKCase{"dim1", 500, 1, 10, 7}),    // massive exact ties (±1 scores)
    [](const ::testing::TestParamInfo<TopKCase>& info) { return info.param.name; });

TEST_F(CudaTest, TopKTiesAndZeroRows) {
  Embeddings e = RandomTable(100, 16, 9);
  // Rows 10, 40 and 70 identical: exact ties, listed by the smaller row. Row 5 is zero: it scores 0
  // against everything and its own list is all zeros, by row.
  for (int32_t r : {40, 70}) std::copy(e.row(10), e.row(10) + 16, e.data.begin() + r * 16);
  std::fill(e.data.begin() + 5 * 16, e.data.begin() + 6 * 16, 0.0f);
  const std::vector<int32_t> queries = {10, 40, 5, 99};
  auto gpu = cuda::TopKCosine(e, queries, 6);
  ASSERT_TRUE(gpu.ok()) << gpu.status();
  for (int i : {0, 1}) {
    ASSERT_GE((*gpu)[i].size(), 3u);
    EXPECT_EQ((*gpu)[i][0].node, 10);
    EXPECT_EQ((*gpu)[i][1].node, 40);
    EXPECT_EQ((*gpu)[i][2].node, 70);
  }
  const auto cpu = cpu::TopKCosine(e, queries, 6, 2);
  for (size_t i = 0; i < queries.size(); ++i) {
    ExpectSameNeighbours((*gpu)[i], cpu[i], "ties query " + std::to_string(queries[i]));
  }
  for (const Neighbor& n : (*gpu)[2]) EXPECT_EQ(n.score, 0.0f);
}

TEST_F(CudaTest, TopKRejectsBadInput) {
  const Embeddings e = RandomTable(300, 8, 1);
  EXPECT_EQ(cuda::TopKCosine(e, {0, 300}, 5).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(cuda::TopKCosine(e, {0}, cuda::kMaxTopK + 1).status().code(),
            absl::StatusCode::kInvalidArgument);
  auto empty = cuda::TopKCosine(e, {}, 5);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
  auto zero_k = cuda::TopKCosine(e, {1, 2}, 0);
  ASSERT_TRUE(zero_k.ok());
  ASSERT_EQ(zero_k->size(), 2u);
  EXPECT_TRUE((*zero_k)[0].empty());
}

TEST_F(CudaTest, AllKnnMatchesBruteForce) {
  const Embeddings e = RandomTable(3000, 48, 11);
  const int k = 10;
  auto knn = cuda::AllKnn(e, k);
  ASSERT_TRUE(knn.ok()) << knn.status();
  ASSERT_EQ(knn->rows, e.rows);
  ASSERT_EQ(knn->k, k);
  std::vector<int32_t> all(e.rows);
  for (int32_t r = 0; r < e.rows; ++r) all[r] = r;
  const auto cpu = cpu::TopKCosine(e, all, k, 2);
  for (int32_t r = 0; r < e.rows; ++r) {
    std::vector<Neighbor> gpu;
    for (int j = 0; j < k; ++j) {
      gpu.push_back(Neighbor{knn->node[static_cast<size_t>(r) * k + j],
                             knn->score[static_cast<size_t>(r) * k + j]});
    }
    ExpectSameNeighbours(gpu, cpu[r], "all-kNN row " + std::to_string(r));
    if (::testing::Test::HasFailure()) return;  // one row's report is enough
  }
}

}  // namespace
}  // namespace n2v
