// The tensor-core all-kNN's exactness argument (n2v/core/knn_window.hpp) checked on the host:
// BF16 rounding as the device does it, the score bound against rows at rounding ties and random
// unit rows (in round-to-nearest FP32 sums: the tensor core's truncating accumulation is the
// bound's other, separate term, which only a GPU shows),
// and the whole selection — the 64 best approximate columns, the window test, the FP32 re-rank —
// emulated over every row of random, clustered and duplicated tables, where every row the test
// passes must get exactly the FP32 top-k. (The kernel itself is held to cpu::TopKCosine by
// tests/cuda/similarity_parity_test.cpp on a GPU.)
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "gtest/gtest.h"
#include "n2v/core/knn_window.hpp"
#include "n2v/cuda_api.hpp"
#include "n2v/similarity.hpp"

namespace n2v::core {
namespace {

constexpr int kCand = cuda::kTensorKnnCandidates;  // what the kernel keeps a row

TEST(RoundToBf16, NearestTiesToEven) {
  EXPECT_EQ(RoundToBf16(1.0f), 1.0f);
  EXPECT_EQ(RoundToBf16(-2.5f), -2.5f);
  EXPECT_EQ(RoundToBf16(0.0f), 0.0f);
  // 1 + 2^-8 is half-way between 1 and 1 + 2^-7: even (1). 1 + 3·2^-8 is half-way between
  // 1 + 2^-7 and 1 + 2^-6: even (1 + 2^-6). Just above a half-way point rounds up.
  EXPECT_EQ(RoundToBf16(1.0f + 1.0f / 256), 1.0f);
  EXPECT_EQ(RoundToBf16(1.0f + 3.0f / 256), 1.0f + 1.0f / 64);
  EXPECT_EQ(RoundToBf16(1.0f + 1.0f / 256 + 1.0f / 65536), 1.0f + 1.0f / 128);
  EXPECT_EQ(RoundToBf16(-(1.0f + 1.0f / 256 + 1.0f / 65536)), -(1.0f + 1.0f / 128));
  std::mt19937 rng(1);
  std::normal_distribution<float> z(0.0f, 1.0f);
  for (int i = 0; i < 100000; ++i) {
    const float x = z(rng) * std::ldexp(1.0f, static_cast<int>(rng() % 60) - 30);
    const float r = RoundToBf16(x);
    EXPECT_LE(std::fabs(r - x), std::ldexp(std::fabs(x), -8)) << x;
    uint32_t bits;
    std::memcpy(&bits, &r, 4);
    EXPECT_EQ(bits & 0xFFFFu, 0u) << x;  // 8 significant bits
  }
}

float ApproxDot(const float* a, const float* b, int32_t dim) {
  float s = 0.0f;
  for (int32_t d = 0; d < dim; ++d) s += RoundToBf16(a[d]) * RoundToBf16(b[d]);
  return s;
}

float Fp32Dot(const float* a, const float* b, int32_t dim) {
  float s = 0.0f;
  for (int32_t d = 0; d < dim; ++d) s += a[d] * b[d];
  return s;
}

Embeddings Unit(Embeddings e) { return Normalized(e, 1); }

float Norm(const float* a, int32_t dim) {
  double ss = 0;
  for (int32_t d = 0; d < dim; ++d) ss += static_cast<double>(a[d]) * a[d];
  return static_cast<float>(std::sqrt(ss));
}

TEST(Bf16ScoreBound, NearlyAttainedByRowsAtRoundingTies) {
  // Every component just above a BF16 rounding tie, the same sign: each rounds up by almost 2^-8
  // of itself, so the products gain almost 2^-7 and Cauchy–Schwarz is an equality. The bound is
  // homogeneous in the rows' norms, so it is checked as |s~ − s| <= eps·‖a‖‖b‖ (these rows are
  // not unit: no unit row has every component at a tie).
  for (int32_t dim : {1, 2, 3, 50, 64, 128, 200, 256}) {
    const float eps = Bf16ScoreBound(TensorKnnPaddedDim(dim));
    std::vector<float> a(dim, (1.0f + 1.0f / 256 + 1.0f / 65536) / std::sqrt(static_cast<float>(dim)));
    for (float& x : a) x = std::ldexp(1.0f + 1.0f / 256 + 1.0f / 65536, std::ilogb(x));
    const float norm2 = Norm(a.data(), dim) * Norm(a.data(), dim);
    const float err = std::fabs(ApproxDot(a.data(), a.data(), dim) - Fp32Dot(a.data(), a.data(), dim));
    EXPECT_LE(err, eps * norm2) << "dim " << dim;
    EXPECT_GE(err, 0.95f * (1.0f / 128) * norm2) << "dim " << dim;  // the bound is nearly tight
  }
}

TEST(Bf16ScoreBound, HoldsForRandomUnitRows) {
  EXPECT_LT(Bf16ScoreBound(128), 0.0081f);  // the window stays narrow at the usual dims
  EXPECT_LT(Bf16ScoreBound(256), 0.0082f);
  std::mt19937 rng(2);
  std::normal_distribution<float> z(0.0f, 1.0f);
  for (int32_t dim : {1, 2, 3, 50, 64, 100, 128, 200, 256}) {
    const float eps = Bf16ScoreBound(TensorKnnPaddedDim(dim));
    Embeddings rnd{400, dim, std::vector<float>(400 * dim)};
    for (float& x : rnd.data) x = z(rng);
    for (int32_t r = 0; r < 100; ++r) {  // a quarter of the rows all positive
      for (int32_t d = 0; d < dim; ++d) rnd.data[r * dim + d] = std::fabs(rnd.data[r * dim + d]);
    }
    const Embeddings u = Unit(rnd);
    float worst = 0.0f;
    for (int32_t a = 0; a < u.rows; ++a) {
      for (int32_t b = 0; b < u.rows; ++b) {
        worst = std::max(worst, std::fabs(ApproxDot(u.row(a), u.row(b), dim) -
                                          Fp32Dot(u.row(a), u.row(b), dim)));
      }
    }
    EXPECT_LE(worst, eps) << "dim " << dim;
    EXPECT_GT(worst, 0.0f) << "dim " << dim;  // BF16 did round something
  }
}

struct Better {
  bool operator()(const Neighbor& a, const Neighbor& b) const {
    return a.score > b.score || (a.score == b.score && a.node < b.node);
  }
};

// Every row of `t`: the kernel's selection emulated. Returns the rows whose candidates passed the
// window test; for each of them the re-ranked answer must be the FP32 top-k exactly.
int32_t CheckSelection(const Embeddings& t, int k, const char* what) {
  const Embeddings u = Unit(t);
  const float eps = Bf16ScoreBound(TensorKnnPaddedDim(u.dim));
  int32_t held = 0;
  std::vector<Neighbor> approx(u.rows), exact(u.rows);
  for (int32_t q = 0; q < u.rows; ++q) {
    for (int32_t c = 0; c < u.rows; ++c) {
      approx[c] = {c, ApproxDot(u.row(q), u.row(c), u.dim)};
      exact[c] = {c, Fp32Dot(u.row(q), u.row(c), u.dim)};
    }
    const int32_t kept = std::min<int32_t>(kCand, u.rows);
    std::partial_sort(approx.begin(), approx.begin() + kept, approx.end(), Better());
    const bool full = u.rows > kCand;  // a column was dropped (as the kernel decides it)
    if (!CandidatesHoldTopK(approx[k - 1].score, approx[kept - 1].score, full, eps)) {
      continue;
    }
    ++held;
    std::vector<Neighbor> reranked;
    for (int32_t j = 0; j < kept; ++j) reranked.push_back(exact[approx[j].node]);
    std::sort(reranked.begin(), reranked.end(), Better());
    std::partial_sort(exact.begin(), exact.begin() + k, exact.end(), Better());
    for (int j = 0; j < k; ++j) {
      if (reranked[j].node != exact[j].node || reranked[j].score != exact[j].score) {
        ADD_FAILURE() << what << " row " << q << " rank " << j << ": re-ranked "
                      << reranked[j].node << " (" << reranked[j].score << "), FP32 top-k "
                      << exact[j].node << " (" << exact[j].score << ")";
        return -1;  // one row's report is enough
      }
    }
  }
  return held;
}

Embeddings Gaussian(int32_t rows, int32_t dim, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> z(0.0f, 1.0f);
  Embeddings e{rows, dim, std::vector<float>(static_cast<size_t>(rows) * dim)};
  for (float& x : e.data) x = z(rng);
  return e;
}

TEST(KnnSelection, RandomRowsAlmostAlwaysSettledAndExact) {
  for (int k : {1, 5, 10, 16}) {
    const Embeddings t = Gaussian(1500, 50, 10 + k);
    const int32_t held = CheckSelection(t, k, "gaussian");
    // The window (2·eps ≈ 0.016) holds a few columns past the k-th among 1500 random rows.
    EXPECT_GE(held, t.rows * 95 / 100) << "k " << k;
  }
}

TEST(KnnSelection, ClusteredRowsExactWhereverSettled) {
  // 15 clusters of 100 rows, from tight (noise 0.02 a dimension against centres of norm ~8) to
  // loose (~1.3): in the tight ones a row's whole cluster is inside the window, more than the 64
  // kept, so the row must overflow; in the loose ones rows settle. Every settled row is exact.
  std::mt19937_64 rng(3);
  std::normal_distribution<float> z(0.0f, 1.0f);
  const Embeddings centres = Gaussian(15, 64, 4);
  Embeddings t{1500, 64, std::vector<float>(1500 * 64)};
  for (int32_t r = 0; r < t.rows; ++r) {
    const int32_t c = r % 15;
    const float noise = 0.02f * std::pow(1.35f, static_cast<float>(c));
    for (int32_t d = 0; d < t.dim; ++d) {
      t.data[r * 64 + d] = centres.data[c * 64 + d] + noise * z(rng);
    }
  }
  for (int k : {1, 10, 16}) {
    const int32_t held = CheckSelection(t, k, "clustered");
    EXPECT_GT(held, t.rows / 10) << "k " << k;  // both branches are taken
    EXPECT_LT(held, t.rows * 9 / 10) << "k " << k;
  }
}

TEST(KnnSelection, DuplicatedRowsOverflowRatherThanGuess) {
  // Each row 80 times: 80 exact ties at the top, more than the 64 kept, so no row may pass.
  const Embeddings base = Gaussian(20, 32, 5);
  Embeddings t{1600, 32, std::vector<float>(1600 * 32)};
  for (int32_t r = 0; r < t.rows; ++r) {
    std::copy(base.row(r % 20), base.row(r % 20) + 32, t.data.begin() + r * 32);
  }
  EXPECT_EQ(CheckSelection(t, 10, "duplicated"), 0);
}

TEST(KnnSelection, SmallTablesKeepEveryRow) {
  // Fewer rows than kept candidates: the list is never full and always holds the answer.
  const Embeddings t = Gaussian(40, 16, 6);
  EXPECT_EQ(CheckSelection(t, 16, "small"), t.rows);
}

}  // namespace
}  // namespace n2v::core
