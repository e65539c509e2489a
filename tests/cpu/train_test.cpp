// The seed's trainer on the CPU: against a plain scalar reference (one batch, then several epochs
// in the documented visit order), loss going down on a small graph, bitwise determinism for a
// given thread count (and round-off-close results across thread counts), the He-normal
// initialiser, and early stopping.
#include <cmath>
#include <cstdint>
#include <vector>

#include "gtest/gtest.h"
#include "n2v/core/rng.hpp"
#include "n2v/core/sgns.hpp"
#include "n2v/core/shuffle.hpp"
#include "n2v/train.hpp"
#include "n2v/walk.hpp"

namespace n2v {
namespace {

// Random examples over `rows` nodes: unique (t, c, label) with t < c, counts 1..5 as weights.
Examples RandomExamples(int64_t n, int32_t rows, uint64_t seed) {
  const core::PhiloxKey key = core::StreamKey(seed, core::Stream::kEval);
  Examples ex;
  for (int64_t i = 0; i < n; ++i) {
    const core::U32x4 r = core::Random4(key, 0, 0, static_cast<uint64_t>(i));
    int32_t t = static_cast<int32_t>(core::UniformBelow(r.x, rows));
    int32_t c = static_cast<int32_t>(core::UniformBelow(r.y, rows));
    if (t == c) c = (c + 1) % rows;
    ex.target.push_back(std::min(t, c));
    ex.context.push_back(std::max(t, c));
    ex.label.push_back(static_cast<uint8_t>(r.z & 1));
    ex.weight.push_back(static_cast<float>(1 + core::UniformBelow(r.w, 5)));
  }
  ex.raw_pairs = n;
  return ex;
}

// The documented visit order's key: StreamKey(seed ^ epoch·0x9E3779B97F4A7C15, kShuffle).
core::PhiloxKey EpochKey(uint64_t seed, int32_t epoch) {
  return core::StreamKey(seed ^ (static_cast<uint64_t>(epoch) * 0x9E3779B97F4A7C15ull),
                         core::Stream::kShuffle);
}

// The seed's model written the plain way: per batch, the gradient of Σ w·bce / batch in double
// (a dense table of it), plus 2λW, then Keras's Adam on every parameter in double from the same
// float step scalars. Returns the per-epoch losses and leaves the table in *w.
std::vector<double> ReferenceTrain(const Examples& ex, const AdamTrainOptions& o, int32_t rows,
                                   std::vector<double>* w) {
  const int32_t dim = o.dim;
  const int64_t n = ex.size(), batches = n / o.batch;
  std::vector<double> m(w->size(), 0.0), v(w->size(), 0.0), g(w->size());
  std::vector<double> losses;
  int64_t step = 0;
  for (int32_t epoch = 0; epoch < o.epochs; ++epoch) {
    double epoch_loss = 0.0;
    for (int64_t b = 0; b < batches; ++b) {
      std::fill(g.begin(), g.end(), 0.0);
      double data = 0.0, sq = 0.0;
      for (double x : *w) sq += x * x;
      for (int32_t i = 0; i < o.batch; ++i) {
        const uint64_t j = core::PermuteIndex(static_cast<uint64_t>(b * o.batch + i),
                                              static_cast<uint64_t>(n), EpochKey(o.seed, epoch));
        const int32_t t = ex.target[j], c = ex.context[j];
        const double y = ex.label[j], wt = ex.weight[j];
        double z = 0.0;
        for (int32_t d = 0; d < dim; ++d) z += (*w)[t * dim + d] * (*w)[c * dim + d];
        data += wt * (std::max(z, 0.0) - z * y + std::log1p(std::exp(-std::fabs(z))));
        const double coef = wt / o.batch * (1.0 / (1.0 + std::exp(-z)) - y);
        for (int32_t d = 0; d < dim; ++d) {
          g[t * dim + d] += coef * (*w)[c * dim + d];
          g[c * dim + d] += coef * (*w)[t * dim + d];
        }
      }
      epoch_loss += data / o.batch + o.l2 * sq;
      const core::AdamStepScalars s = core::MakeAdamStep(o.adam, ++step);
      for (size_t p = 0; p < w->size(); ++p) {
        const double gp = g[p] + 2.0 * o.l2 * (*w)[p];
        m[p] += (gp - m[p]) * s.one_minus_beta1;
        v[p] += (gp * gp - v[p]) * s.one_minus_beta2;
        (*w)[p] -= s.alpha * m[p] / (std::sqrt(v[p]) + s.epsilon);
      }
    }
    losses.push_back(epoch_loss / batches);
  }
  (void)rows;
  return losses;
}

void ExpectMatchesReference(const Examples& ex, const AdamTrainOptions& o, int32_t rows,
                            int threads) {
  Embeddings emb = InitHeNormal(rows, o.dim, o.seed, threads);
  std::vector<double> ref_w(emb.data.begin(), emb.data.end());
  const std::vector<double> ref_losses = ReferenceTrain(ex, o, rows, &ref_w);
  const std::vector<double> losses = cpu::TrainAdam(ex, o, &emb, threads);
  ASSERT_EQ(losses.size(), ref_losses.size());
  for (size_t e = 0; e < losses.size(); ++e) {
    // Per-example BCE in float against double: ~1e-7 relative each; 1e-6 relative in all.
    EXPECT_NEAR(losses[e], ref_losses[e], 1e-6 * ref_losses[e]) << "epoch " << e;
  }
  double worst = 0.0;
  for (size_t p = 0; p < ref_w.size(); ++p) worst = std::max(worst, std::fabs(emb.data[p] - ref_w[p]));
  // Weights are O(0.1) and each Adam step moves them by about lr = 1e-3; float rounding of the
  // gradient and the update stays orders below 1e-6 over a handful of steps (the contract:
  // "equals a scalar reference within 1e-6").
  EXPECT_LT(worst, 1e-6) << "threads " << threads;
}

TEST(TrainAdam, FirstStepMatchesScalarReference) {
  // One batch exactly (N == batch), ragged shapes: 37 rows (not a multiple of the 16-row block),
  // dim 13 (vector tails), batch 100 (not a multiple of the 64-example chunk).
  AdamTrainOptions o;
  o.dim = 13;
  o.batch = 100;
  o.epochs = 1;
  o.seed = 7;
  o.l2 = 1e-3f;  // large enough that the L2 term matters in the comparison
  const Examples ex = RandomExamples(100, 37, 1);
  for (int threads : {1, 2}) ExpectMatchesReference(ex, o, 37, threads);
  o.dim = 50;  // the seed's width
  o.l2 = 1e-6f;
  for (int threads : {1, 2}) ExpectMatchesReference(ex, o, 37, threads);
  o.dim = 8;  // two 4-column slices for three threads: one thread only does per-example work
  ExpectMatchesReference(ex, o, 37, 3);
}

TEST(TrainAdam, SeveralEpochsMatchScalarReferenceInVisitOrder) {
  // 2.5 batches: drop_remainder leaves half a batch out, and the visit order decides which.
  AdamTrainOptions o;
  o.dim = 16;
  o.batch = 128;
  o.epochs = 3;
  o.seed = 99;
  const Examples ex = RandomExamples(320, 60, 2);
  ExpectMatchesReference(ex, o, 60, 2);
}

// Walks on a small random graph → examples, as the MovieLens job does.
Examples SmallGraphExamples() {
  Graph g;
  const int32_t n = 120;
  const core::PhiloxKey key = core::StreamKey(5, core::Stream::kEval);
  std::vector<std::vector<std::pair<int32_t, float>>> adj(n);
  for (int32_t u = 0; u < n; ++u) {
    for (int k = 0; k < 4; ++k) {  // a ring of communities: neighbours mostly nearby
      const core::U32x4 r = core::Random4(key, k, 0, u);
      const int32_t v = (u + 1 + static_cast<int32_t>(core::UniformBelow(r.x, 6))) % n;
      adj[u].push_back({v, 1.0f + core::UniformFloat(r.y)});
      adj[v].push_back({u, adj[u].back().second});
    }
  }
  for (auto& row : adj) {
    std::sort(row.begin(), row.end());
    row.erase(std::unique(row.begin(), row.end(),
                          [](auto& a, auto& b) { return a.first == b.first; }),
              row.end());
    for (auto& [v, w] : row) {
      g.neighbors.push_back(v);
      g.weights.push_back(w);
    }
    g.offsets.push_back(static_cast<int64_t>(g.neighbors.size()));
  }
  WalkOptions wo;
  wo.length = 10;
  wo.num_walks = 10;
  const AliasTables at = BuildAliasTables(g.view(), 2);
  std::vector<int32_t> walks(static_cast<size_t>(n) * wo.num_walks * wo.length);
  cpu::SampleWalks(g.view(), at.view(), MakeWalkParams(wo), 0, uint64_t{n} * wo.num_walks,
                   walks.data(), 2);
  return cpu::GenerateExamples(walks.data(), int64_t{n} * wo.num_walks, wo.length, n,
                               ExampleOptions{}, 2);
}

TEST(TrainAdam, LossDecreasesOnASmallGraph) {
  const Examples ex = SmallGraphExamples();
  AdamTrainOptions o;
  o.epochs = 8;
  o.batch = 64;  // ~150 steps an epoch: enough for lr 1e-3 to move the table visibly
  Embeddings emb = InitHeNormal(120, o.dim, o.seed, 2);
  const std::vector<double> losses = cpu::TrainAdam(ex, o, &emb, 2);
  ASSERT_EQ(losses.size(), 8u);
  for (size_t e = 1; e < losses.size(); ++e) EXPECT_LT(losses[e], losses[e - 1]) << e;
  // The examples' weights are counts (mean ~55 here), so the loss starts near 38 and its floor
  // is high: the same pair is both a positive and a negative. 8 epochs take off ~3.5%.
  EXPECT_LT(losses.back(), 0.98 * losses.front());
  for (float x : emb.data) ASSERT_TRUE(std::isfinite(x));
}

TEST(TrainAdam, BitwiseDeterministicPerThreadCountAndCloseAcrossThem) {
  const Examples ex = RandomExamples(5000, 300, 3);
  AdamTrainOptions o;
  o.epochs = 3;
  o.batch = 512;
  auto run = [&](int threads) {
    Embeddings emb = InitHeNormal(300, o.dim, o.seed, threads);
    const std::vector<double> losses = cpu::TrainAdam(ex, o, &emb, threads);
    return std::make_pair(emb.data, losses);
  };
  const auto one = run(1);
  for (int threads : {1, 2, 3, 7}) {
    const auto a = run(threads), b = run(threads);
    EXPECT_EQ(a.first, b.first) << threads;  // std::vector<float> ==: every float bit-equal
    EXPECT_EQ(a.second, b.second) << threads;
    // Other thread counts split the table's columns differently, so each logit is summed in
    // another order: float round-off only (measured max 1.5e-8 on weights ~0.1 here).
    double worst = 0.0;
    for (size_t p = 0; p < a.first.size(); ++p) {
      worst = std::max(worst, static_cast<double>(std::fabs(a.first[p] - one.first[p])));
    }
    EXPECT_LT(worst, 2e-6) << threads;
    for (size_t e = 0; e < a.second.size(); ++e) EXPECT_NEAR(a.second[e], one.second[e], 1e-6);
  }
}

TEST(TrainAdam, CallbackStopsEarlyAndTooFewExamplesTrainNothing) {
  const Examples ex = RandomExamples(1000, 50, 4);
  AdamTrainOptions o;
  o.epochs = 10;
  o.batch = 100;
  Embeddings emb = InitHeNormal(50, o.dim, o.seed, 1);
  std::vector<int32_t> seen;
  const auto losses = cpu::TrainAdam(ex, o, &emb, 2, [&](int32_t epoch, double loss) {
    seen.push_back(epoch);
    EXPECT_TRUE(std::isfinite(loss));
    return epoch < 2;
  });
  EXPECT_EQ(losses.size(), 3u);
  EXPECT_EQ(seen, (std::vector<int32_t>{0, 1, 2}));
  o.batch = 2000;  // fewer examples than one batch: drop_remainder leaves no step
  const Embeddings before = emb;
  EXPECT_TRUE(cpu::TrainAdam(ex, o, &emb, 2).empty());
  EXPECT_EQ(emb.data, before.data);
}

TEST(InitHeNormal, IsTheSharedCoreDrawAndThreadInvariant) {
  const Embeddings a = InitHeNormal(333, 50, 42, 1);
  const Embeddings b = InitHeNormal(333, 50, 42, 3);
  ASSERT_EQ(a.rows, 333);
  ASSERT_EQ(a.dim, 50);
  EXPECT_EQ(a.data, b.data);
  const core::PhiloxKey key = core::StreamKey(42, core::Stream::kInit);
  const float sd = core::HeNormalStddev(333);
  for (int32_t r : {0, 1, 100, 332}) {
    for (int32_t c : {0, 17, 49}) {
      EXPECT_EQ(a.row(r)[c], core::HeNormalTruncated(key, r, c, sd));
    }
  }
  EXPECT_NE(InitHeNormal(333, 50, 43, 1).data, a.data);
}

}  // namespace
}  // namespace n2v
