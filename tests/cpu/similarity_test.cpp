// Cosine top-k against brute force (double-precision cosines, full sort), exact tie order, k
// clamping, zero rows, and both parallel paths (many queries / few queries).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "gtest/gtest.h"
#include "n2v/core/rng.hpp"
#include "n2v/similarity.hpp"

namespace n2v {
namespace {

Embeddings RandomEmbeddings(int32_t rows, int32_t dim, uint64_t seed) {
  const core::PhiloxKey key = core::StreamKey(seed, core::Stream::kEval);
  Embeddings e;
  e.rows = rows;
  e.dim = dim;
  for (int32_t r = 0; r < rows; ++r) {
    for (int32_t d = 0; d < dim; ++d) {
      const core::U32x4 x = core::Random4(key, d, 0, r);
      e.data.push_back(core::StandardNormal(x.x, x.y));
    }
  }
  return e;
}

// Every cosine in double, sorted by (score desc, index asc).
std::vector<std::pair<double, int32_t>> BruteForce(const Embeddings& e, int32_t q) {
  std::vector<std::pair<double, int32_t>> all;
  auto norm = [&](int32_t r) {
    double s = 0;
    for (int32_t d = 0; d < e.dim; ++d) s += double(e.row(r)[d]) * e.row(r)[d];
    return std::sqrt(s);
  };
  const double nq = norm(q);
  for (int32_t r = 0; r < e.rows; ++r) {
    double dot = 0;
    for (int32_t d = 0; d < e.dim; ++d) dot += double(e.row(q)[d]) * e.row(r)[d];
    const double nr = norm(r);
    all.push_back({nq > 0 && nr > 0 ? dot / (nq * nr) : 0.0, r});
  }
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
    return a.first > b.first || (a.first == b.first && a.second < b.second);
  });
  return all;
}

void ExpectTopKMatchesBruteForce(const Embeddings& e, const std::vector<int32_t>& queries, int k,
                                 int threads) {
  const auto got = cpu::TopKCosine(e, queries, k, threads);
  ASSERT_EQ(got.size(), queries.size());
  const int32_t kk = std::clamp<int32_t>(k, 0, e.rows);
  for (size_t i = 0; i < queries.size(); ++i) {
    const auto ref = BruteForce(e, queries[i]);
    ASSERT_EQ(static_cast<int32_t>(got[i].size()), kk) << "query " << queries[i];
    for (int32_t j = 0; j < kk; ++j) {
      // Float scores of unit rows against double cosines: a few ulps of 1.
      EXPECT_NEAR(got[i][j].score, ref[j].first, 1e-6) << "query " << queries[i] << " rank " << j;
      if (j + 1 < kk) {  // best first, ties by the smaller row
        EXPECT_TRUE(got[i][j].score > got[i][j + 1].score ||
                    (got[i][j].score == got[i][j + 1].score && got[i][j].node < got[i][j + 1].node));
      }
      // The node is the brute-force one unless two cosines are within float resolution.
      if (ref[j].second != got[i][j].node) {
        double other = 0;
        for (const auto& [s, r] : ref) if (r == got[i][j].node) other = s;
        EXPECT_NEAR(other, ref[j].first, 2e-6) << "query " << queries[i] << " rank " << j;
      }
    }
  }
}

TEST(TopKCosine, MatchesBruteForce) {
  const Embeddings e = RandomEmbeddings(500, 24, 1);
  std::vector<int32_t> many;
  for (int32_t q = 0; q < 500; q += 7) many.push_back(q);
  for (int k : {1, 5, 10, 64}) {
    ExpectTopKMatchesBruteForce(e, many, k, 2);           // parallel over queries
    ExpectTopKMatchesBruteForce(e, {3}, k, 2);            // parallel over rows
    ExpectTopKMatchesBruteForce(e, {0, 499}, k, 3);       // fewer queries than threads
    ExpectTopKMatchesBruteForce(e, {42, 7, 42}, k, 1);    // repeated query, one thread
  }
}

TEST(TopKCosine, LargeTableSplitsRowsAcrossThreads) {
  // 20000 × 64 floats is above the size where a single query's rows are split over threads.
  const Embeddings e = RandomEmbeddings(20000, 64, 5);
  ExpectTopKMatchesBruteForce(e, {5}, 10, 2);
  ExpectTopKMatchesBruteForce(e, {19999, 0}, 25, 3);
  ExpectTopKMatchesBruteForce(e, {7, 8, 9}, 5, 2);  // as many queries as threads or more
}

TEST(TopKCosine, QueryComesFirstAndKIsClamped) {
  const Embeddings e = RandomEmbeddings(30, 8, 2);
  const auto got = cpu::TopKCosine(e, {4, 17}, 100, 2);
  ASSERT_EQ(got[0].size(), 30u);
  EXPECT_EQ(got[0][0].node, 4);
  EXPECT_NEAR(got[0][0].score, 1.0f, 1e-6f);
  EXPECT_EQ(got[1][0].node, 17);
  EXPECT_TRUE(cpu::TopKCosine(e, {4}, 0, 2)[0].empty());
  EXPECT_TRUE(cpu::TopKCosine(e, {}, 5, 2).empty());
}

TEST(TopKCosine, TiesGoToTheSmallerRow) {
  // Rows 2, 5, 9 and 11 are the same direction (9 a scaled copy): equal scores against query 2.
  Embeddings e = RandomEmbeddings(12, 6, 3);
  for (int32_t r : {5, 9, 11}) {
    for (int32_t d = 0; d < 6; ++d) e.data[r * 6 + d] = e.data[2 * 6 + d] * (r == 9 ? 4.0f : 1.0f);
  }
  for (int threads : {1, 2, 4}) {
    for (const std::vector<int32_t>& qs : {std::vector<int32_t>{11}, std::vector<int32_t>{11, 0, 1, 3, 4}}) {
      const auto got = cpu::TopKCosine(e, qs, 4, threads);
      const std::vector<int32_t> nodes{got[0][0].node, got[0][1].node, got[0][2].node, got[0][3].node};
      EXPECT_EQ(nodes[0], 2);  // exact ties (identical rows) are ordered by index
      EXPECT_EQ(nodes[1], 5);
      EXPECT_EQ(nodes[3], 11);
      EXPECT_EQ(got[0][0].score, got[0][1].score);
      EXPECT_EQ(got[0][1].score, got[0][3].score);
    }
  }
}

TEST(Normalized, UnitRowsAndZeroRowsStayZero) {
  Embeddings e = RandomEmbeddings(20, 5, 4);
  std::fill(e.data.begin() + 3 * 5, e.data.begin() + 4 * 5, 0.0f);
  const Embeddings u = Normalized(e, 2);
  ASSERT_EQ(u.rows, 20);
  ASSERT_EQ(u.dim, 5);
  for (int32_t r = 0; r < 20; ++r) {
    double s = 0;
    for (int32_t d = 0; d < 5; ++d) s += double(u.row(r)[d]) * u.row(r)[d];
    if (r == 3) {
      EXPECT_EQ(s, 0.0);
    } else {
      EXPECT_NEAR(s, 1.0, 1e-6);
      // Same direction as the input.
      EXPECT_GT(u.row(r)[0] * e.row(r)[0], -1e-12f);
    }
  }
  // A zero query scores 0 against everything and still returns k rows.
  const auto got = cpu::TopKCosine(e, {3}, 3, 2);
  ASSERT_EQ(got[0].size(), 3u);
  EXPECT_EQ(got[0][0].score, 0.0f);
  EXPECT_EQ(got[0][0].node, 0);
}

}  // namespace
}  // namespace n2v
