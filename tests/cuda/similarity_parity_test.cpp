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

// Every row of an all-kNN answer against cpu::TopKCosine over all rows.
void ExpectKnnMatchesCpu(const Embeddings& e, const cuda::KnnGraph& knn, int k,
                         const std::string& what) {
  ASSERT_EQ(knn.rows, e.rows) << what;
  ASSERT_EQ(knn.k, k) << what;
  std::vector<int32_t> all(e.rows);
  for (int32_t r = 0; r < e.rows; ++r) all[r] = r;
  const auto cpu = cpu::TopKCosine(e, all, k, 2);
  for (int32_t r = 0; r < e.rows; ++r) {
    std::vector<Neighbor> gpu;
    for (int j = 0; j < k; ++j) {
      gpu.push_back(Neighbor{knn.node[static_cast<size_t>(r) * k + j],
                             knn.score[static_cast<size_t>(r) * k + j]});
    }
    ExpectSameNeighbours(gpu, cpu[r], what + " row " + std::to_string(r));
    if (::testing::Test::HasFailure()) return;  // one row's report is enough
  }
}

TEST_F(CudaTest, AllKnnMatchesBruteForce) {
  const Embeddings e = RandomTable(3000, 48, 11);
  auto knn = cuda::AllKnn(e, 10, cuda::KnnMethod::kFp32);
  ASSERT_TRUE(knn.ok()) << knn.status();
  EXPECT_EQ(knn->method, cuda::KnnMethod::kFp32);
  EXPECT_EQ(knn->fp32_rows, e.rows);
  ExpectKnnMatchesCpu(e, *knn, 10, "all-kNN FP32");
}

// The tensor-core path where the device and the build have it (sm_80+ code, compute capability
// 8.0+, the shared memory): otherwise AllKnn says why (FailedPrecondition, "AllKnn on tensor
// cores: ...") and the test skips with that reason. Any other error fails.
absl::StatusOr<cuda::KnnGraph> TensorKnn(const Embeddings& e, int k) {
  return cuda::AllKnn(e, k, cuda::KnnMethod::kTensorCores);
}
bool TensorKnnUnavailable(const absl::Status& s) {
  return s.code() == absl::StatusCode::kFailedPrecondition &&
         s.message().find("AllKnn on tensor cores: ") == 0;
}
#define N2V_TENSOR_KNN_OR_SKIP(var, e, k)                  \
  auto var = TensorKnn(e, k);                              \
  if (TensorKnnUnavailable(var.status())) {                \
    GTEST_SKIP() << var.status();                          \
  }                                                        \
  ASSERT_TRUE(var.ok()) << var.status()

class TensorKnnParity : public CudaTest, public ::testing::WithParamInterface<TopKCase> {};

TEST_P(TensorKnnParity, MatchesCpu) {
  const TopKCase& c = GetParam();
  const Embeddings e = RandomTable(c.rows, c.dim, c.seed);
  N2V_TENSOR_KNN_OR_SKIP(knn, e, c.k);
  EXPECT_EQ(knn->method, cuda::KnnMethod::kTensorCores);
  // Random rows: nearly every row's candidates settle it (knn_window_test measures the same).
  EXPECT_LE(knn->fp32_rows, e.rows / 10) << c.name;
  ExpectKnnMatchesCpu(e, *knn, std::min(c.k, c.rows), c.name);
}

INSTANTIATE_TEST_SUITE_P(
    Tables, TensorKnnParity,
    ::testing::Values(TopKCase{"seed_shape_k5", 1405, 50, 5, 21},  // rows not a multiple of 128
                      TopKCase{"k1", 1000, 32, 1, 22},
                      TopKCase{"k10_dim128", 5000, 128, 10, 23},
                      TopKCase{"k16", 2500, 64, 16, 24},           // the largest k
                      TopKCase{"dim200", 1300, 200, 10, 25},       // several 32-dim chunks, padded
                      TopKCase{"dim256", 600, 256, 16, 26},        // the largest dim
                      TopKCase{"dim3", 900, 3, 4, 27},             // near-ties everywhere
                      TopKCase{"fewer_rows_than_list", 40, 16, 16, 28},
                      TopKCase{"one_tile_and_one_row", 129, 24, 8, 29}),
    [](const ::testing::TestParamInfo<TopKCase>& info) { return info.param.name; });

TEST_F(CudaTest, TensorKnnTiesAndZeroRowsFallBackOrMatch) {
  // Each of 20 rows repeated 80 times: 80 exact ties at the top of every list, more than the 64
  // candidates a row keeps, so every row must go to the FP32 path; a zero row scores 0 everywhere.
  const Embeddings base = RandomTable(20, 32, 30);
  Embeddings e = RandomTable(1600, 32, 31);
  for (int32_t r = 0; r < e.rows; ++r) {
    std::copy(base.row(r % 20), base.row(r % 20) + 32, e.data.begin() + static_cast<size_t>(r) * 32);
  }
  N2V_TENSOR_KNN_OR_SKIP(knn, e, 10);
  EXPECT_EQ(knn->fp32_rows, e.rows);
  ExpectKnnMatchesCpu(e, *knn, 10, "duplicated rows");
  for (int32_t r = 0; r < 3; ++r) {  // the ties in row order: r, r + 20, r + 40, ...
    for (int j = 0; j < 10; ++j) EXPECT_EQ(knn->node[r * 10 + j], r + 20 * j) << "row " << r;
  }
  Embeddings z = RandomTable(700, 40, 32);
  std::fill(z.data.begin() + 7 * 40, z.data.begin() + 8 * 40, 0.0f);
  N2V_TENSOR_KNN_OR_SKIP(zknn, z, 5);
  ExpectKnnMatchesCpu(z, *zknn, 5, "zero row");
  for (int j = 0; j < 5; ++j) EXPECT_EQ(zknn->score[7 * 5 + j], 0.0f);
}

TEST_F(CudaTest, TensorKnnAgreesWithTheFp32Path) {
  const Embeddings e = RandomTable(4000, 100, 33);
  N2V_TENSOR_KNN_OR_SKIP(tc, e, 12);
  auto fp32 = cuda::AllKnn(e, 12, cuda::KnnMethod::kFp32);
  ASSERT_TRUE(fp32.ok()) << fp32.status();
  for (int32_t r = 0; r < e.rows; ++r) {
    std::vector<Neighbor> a, b;
    for (int j = 0; j < 12; ++j) {
      const size_t at = static_cast<size_t>(r) * 12 + j;
      a.push_back({tc->node[at], tc->score[at]});
      b.push_back({fp32->node[at], fp32->score[at]});
    }
    ExpectSameNeighbours(a, b, "tensor vs FP32 row " + std::to_string(r));
    if (HasFailure()) return;
  }
}

TEST_F(CudaTest, TensorKnnOutsideItsShapesSaysWhy) {
  const Embeddings e = RandomTable(300, 8, 34);
  auto big_k = cuda::AllKnn(e, cuda::kTensorKnnMaxK + 1, cuda::KnnMethod::kTensorCores);
  EXPECT_TRUE(TensorKnnUnavailable(big_k.status())) << big_k.status();
  EXPECT_NE(std::string(big_k.status().message()).find("k = 17"), std::string::npos)
      << big_k.status();
  auto automatic = cuda::AllKnn(e, cuda::kTensorKnnMaxK + 1);  // kAuto: the FP32 path, always
                                                               // until the kernel is measured
  ASSERT_TRUE(automatic.ok()) << automatic.status();
  EXPECT_EQ(automatic->method, cuda::KnnMethod::kFp32);
  ExpectKnnMatchesCpu(e, *automatic, cuda::kTensorKnnMaxK + 1, "kAuto above the tensor k");
}

}  // namespace
}  // namespace n2v
