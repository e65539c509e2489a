// CPU walk tests: the node2vec transition law checked by chi-square against exact probabilities
// for p, q above and below 1, alias tables against their rows' weights (exactly), the integer
// thresholds, thread-count invariance, and -1 padding at dead ends.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <ostream>
#include <set>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "n2v/core/rng.hpp"
#include "n2v/graph.hpp"
#include "n2v/walk.hpp"

namespace n2v {
namespace {

// Builds a CSR with sorted rows from (u, v, w) triples; undirected adds both directions.
Graph MakeGraph(int32_t n, const std::vector<std::tuple<int32_t, int32_t, float>>& edges,
                bool directed) {
  std::vector<std::vector<std::pair<int32_t, float>>> adj(n);
  for (const auto& [u, v, w] : edges) {
    adj[u].push_back({v, w});
    if (!directed) adj[v].push_back({u, w});
  }
  Graph g;
  g.directed = directed;
  for (auto& row : adj) {
    std::sort(row.begin(), row.end());
    for (const auto& [v, w] : row) {
      g.neighbors.push_back(v);
      g.weights.push_back(w);
    }
    g.offsets.push_back(static_cast<int64_t>(g.neighbors.size()));
  }
  g.names.resize(n);
  return g;
}

// A triangle 0-1-2 with a tail 2-3-4, a pendant 5 hung on 0 and 2, and an extra edge 2-4; the
// weights are all different. Seen from v = 2 with t = 0, the neighbours are a return (0), common
// neighbours of t (1, 5) and outward moves (3, 4); with t = 3 they are a return (3), a common
// neighbour (4) and outward moves (0, 1, 5).
Graph TestGraph() {
  return MakeGraph(6,
                   {{0, 1, 1.0f},
                    {0, 2, 3.0f},
                    {1, 2, 0.5f},
                    {2, 3, 2.0f},
                    {3, 4, 1.5f},
                    {2, 4, 0.75f},
                    {0, 5, 4.0f},
                    {2, 5, 0.25f}},
                   /*directed=*/false);
}

// Upper 0.9999 quantiles of the chi-square distribution (Boost.Math, chi_squared(df)), indexed
// by df. A strict level: with the fixed seeds below a correct sampler passes with probability
// 0.9999 per check, while a wrong law at 1e5 draws gives statistics in the hundreds or more.
constexpr double kChi2Q9999[] = {0, 15.1367, 18.4207, 21.1075, 23.5127, 25.7448, 27.8563};

// Pearson's statistic of observed counts against probabilities.
double ChiSquare(const std::vector<int64_t>& observed, const std::vector<double>& prob,
                 int64_t draws) {
  double stat = 0.0;
  for (size_t i = 0; i < observed.size(); ++i) {
    const double expected = prob[i] * static_cast<double>(draws);
    const double d = static_cast<double>(observed[i]) - expected;
    stat += d * d / expected;
  }
  return stat;
}

struct PQ {
  double p, q;
};
void PrintTo(const PQ& pq, std::ostream* os) { *os << "p=" << pq.p << " q=" << pq.q; }

class TransitionLaw : public ::testing::TestWithParam<PQ> {};

// Exact law of the step t → v → x, worked out independently of core/: weight · α_pq normalised,
// with α = 1/p for x = t, 1 when x is adjacent to t, 1/q otherwise (Grover & Leskovec, §3.2.2).
std::vector<double> ExactLaw(const Graph& g, int32_t t, int32_t v, double p, double q) {
  std::set<std::pair<int32_t, int32_t>> edges;
  for (int32_t u = 0; u < g.num_nodes(); ++u) {
    for (int64_t e = g.offsets[u]; e < g.offsets[u + 1]; ++e) edges.insert({u, g.neighbors[e]});
  }
  std::vector<double> prob;
  double sum = 0.0;
  for (int64_t e = g.offsets[v]; e < g.offsets[v + 1]; ++e) {
    const int32_t x = g.neighbors[e];
    double bias = 1.0;
    if (t >= 0) bias = x == t ? 1.0 / p : (edges.count({x, t}) ? 1.0 : 1.0 / q);
    prob.push_back(g.weights[e] * bias);
    sum += prob.back();
  }
  for (double& x : prob) x /= sum;
  return prob;
}

// Empirical counts per column of v's row over `draws` steps with distinct walk ids.
std::vector<int64_t> CountSteps(const Graph& g, const AliasTables& at, const core::WalkParams& wp,
                                int32_t t, int32_t v, int64_t draws) {
  const CsrView view = g.view();
  const int64_t row = g.offsets[v], deg = g.offsets[v + 1] - row;
  std::vector<int64_t> counts(deg, 0);
  for (int64_t i = 0; i < draws; ++i) {
    const int32_t x = core::WalkStep(view, at.view(), wp, static_cast<uint64_t>(i), 1, t, v);
    const auto* it = std::lower_bound(g.neighbors.data() + row, g.neighbors.data() + row + deg, x);
    EXPECT_TRUE(it != g.neighbors.data() + row + deg && *it == x) << x;
    ++counts[it - (g.neighbors.data() + row)];
  }
  return counts;
}

TEST_P(TransitionLaw, MatchesExactNode2vecProbabilities) {
  const PQ pq = GetParam();
  const Graph g = TestGraph();
  const AliasTables at = BuildAliasTables(g.view(), 2);
  WalkOptions o;
  o.p = pq.p;
  o.q = pq.q;
  o.seed = 20240611;
  const core::WalkParams wp = MakeWalkParams(o);
  const int64_t draws = 100000;
  for (const auto& [t, v] : std::vector<std::pair<int32_t, int32_t>>{{0, 2}, {3, 2}, {2, 0}}) {
    const std::vector<double> prob = ExactLaw(g, t, v, pq.p, pq.q);
    const std::vector<int64_t> counts = CountSteps(g, at, wp, t, v, draws);
    const double stat = ChiSquare(counts, prob, draws);
    const size_t df = prob.size() - 1;
    EXPECT_LT(stat, kChi2Q9999[df]) << "p=" << pq.p << " q=" << pq.q << " t=" << t << " v=" << v
                                    << " seed=" << o.seed;
  }
}

INSTANTIATE_TEST_SUITE_P(PQGrid, TransitionLaw,
                         ::testing::Values(PQ{0.25, 4}, PQ{4, 0.25}, PQ{1, 1}, PQ{0.5, 2},
                                           PQ{2, 0.5}, PQ{0.25, 0.25}, PQ{4, 4}),
                         [](const ::testing::TestParamInfo<PQ>& info) {
                           return absl::StrCat("p", static_cast<int>(info.param.p * 100), "_q",
                                               static_cast<int>(info.param.q * 100));
                         });

TEST(TransitionLaw, FirstStepIsProportionalToWeights) {
  const Graph g = TestGraph();
  const AliasTables at = BuildAliasTables(g.view(), 1);
  WalkOptions o;
  o.p = 0.25;  // p and q must not matter without a previous node
  o.q = 4;
  o.seed = 99;
  const core::WalkParams wp = MakeWalkParams(o);
  const int64_t draws = 100000;
  for (int32_t v = 0; v < g.num_nodes(); ++v) {
    const std::vector<double> prob = ExactLaw(g, -1, v, 1, 1);
    const std::vector<int64_t> counts = CountSteps(g, at, wp, -1, v, draws);
    const size_t df = prob.size() - 1;
    if (df == 0) {
      EXPECT_EQ(counts[0], draws);
      continue;
    }
    EXPECT_LT(ChiSquare(counts, prob, draws), kChi2Q9999[df]) << "v=" << v;
  }
}

TEST(TransitionLaw, DirectedGraphTestsTheEdgeFromCandidateToPrevious) {
  // 0 -> 1; 1 -> {0, 2, 3}; 2 -> 0; 3 -> 1. From v = 1 with t = 0: 0 is a return, 2 is common
  // (2 -> 0 exists), 3 is outward (no 3 -> 0).
  const Graph g = MakeGraph(4, {{0, 1, 1.0f}, {1, 0, 2.0f}, {1, 2, 1.0f}, {1, 3, 3.0f},
                                {2, 0, 1.0f}, {3, 1, 1.0f}},
                            /*directed=*/true);
  const AliasTables at = BuildAliasTables(g.view(), 1);
  WalkOptions o;
  o.p = 2;
  o.q = 0.5;
  o.seed = 5;
  const core::WalkParams wp = MakeWalkParams(o);
  const int64_t draws = 100000;
  const std::vector<double> prob = ExactLaw(g, 0, 1, o.p, o.q);
  EXPECT_LT(ChiSquare(CountSteps(g, at, wp, 0, 1, draws), prob, draws), kChi2Q9999[2]);
}

// --- alias tables and thresholds ----------------------------------------------------------------

// Exact probability of each column of row v under its alias table: column j is drawn with 1/deg,
// kept with (keep + 1)/2^32, otherwise replaced by its alias.
std::vector<double> AliasLaw(const Graph& g, const AliasTables& at, int32_t v) {
  const int64_t row = g.offsets[v], deg = g.offsets[v + 1] - row;
  std::vector<double> prob(deg, 0.0);
  for (int64_t j = 0; j < deg; ++j) {
    const double keep = (static_cast<double>(at.keep[row + j]) + 1.0) / 4294967296.0;
    prob[j] += keep / deg;
    const int32_t a = at.alias[row + j];
    EXPECT_GE(a, 0);
    EXPECT_LT(a, deg);
    prob[a] += (1.0 - keep) / deg;
  }
  return prob;
}

TEST(AliasTables, ReproduceRowWeightDistributions) {
  // Rows of degree 1 to 200 with weights spanning 1e-6..1e6, equal weights, and a zero weight.
  std::vector<std::tuple<int32_t, int32_t, float>> edges;
  const core::PhiloxKey key = core::StreamKey(3, core::Stream::kEval);
  const int32_t n = 300;
  for (int32_t u = 0; u < 60; ++u) {
    const int32_t deg = 1 + u * 3;
    for (int32_t j = 0; j < deg; ++j) {
      const core::U32x4 r = core::Random4(key, j, u, 0);
      float w = std::exp(static_cast<float>(core::UniformFloat(r.x) * 27.6 - 13.8));
      if (u == 7) w = 2.5f;              // all equal
      if (u == 8 && j == 3) w = 0.0f;    // never drawn
      edges.push_back({u, 100 + j, w});  // distinct targets, so rows stay sorted
    }
  }
  const Graph g = MakeGraph(n, edges, /*directed=*/true);
  for (int threads : {1, 3}) {
    const AliasTables at = BuildAliasTables(g.view(), threads);
    ASSERT_EQ(at.keep.size(), g.neighbors.size());
    for (int32_t v = 0; v < n; ++v) {
      const int64_t row = g.offsets[v], deg = g.offsets[v + 1] - row;
      if (deg == 0) continue;
      double sum = 0.0;
      for (int64_t j = 0; j < deg; ++j) sum += g.weights[row + j];
      const std::vector<double> law = AliasLaw(g, at, v);
      for (int64_t j = 0; j < deg; ++j) {
        // Each threshold is rounded up by < 2^-32 and Vose's residues carry ~1e-16·deg of
        // round-off, so deg·2^-32 bounds the error of any column.
        EXPECT_NEAR(law[j], g.weights[row + j] / sum, deg * 2.4e-10) << "v=" << v << " j=" << j;
      }
    }
  }
}

TEST(AcceptThreshold, RoundsUpAndClamps) {
  EXPECT_EQ(AcceptThreshold(1.0), 0xFFFFFFFFu);
  EXPECT_EQ(AcceptThreshold(2.0), 0xFFFFFFFFu);
  EXPECT_EQ(AcceptThreshold(0.5), 0x7FFFFFFFu);
  EXPECT_EQ(AcceptThreshold(0.25), 0x3FFFFFFFu);
  EXPECT_EQ(AcceptThreshold(0.0), 0u);
  EXPECT_EQ(AcceptThreshold(-1.0), 0u);
  EXPECT_EQ(AcceptThreshold(1e-12), 0u);             // ceil(0.0043) − 1
  EXPECT_EQ(AcceptThreshold(1.5 / 4294967296.0), 1u);  // ceil(1.5) − 1
  // Never below the probability: (threshold + 1) / 2^32 >= prob.
  for (double prob : {0.1, 1.0 / 3, 0.7, 0.999999}) {
    const double accept = (static_cast<double>(AcceptThreshold(prob)) + 1.0) / 4294967296.0;
    EXPECT_GE(accept, prob);
    EXPECT_LT(accept - prob, 1.0 / 4294967296.0);
  }
}

TEST(MakeWalkParams, ThresholdsOfTheBiasEnvelope) {
  WalkOptions o;
  o.p = 1;
  o.q = 1;
  core::WalkParams wp = MakeWalkParams(o);
  EXPECT_EQ(wp.accept_return, 0xFFFFFFFFu);
  EXPECT_EQ(wp.accept_common, 0xFFFFFFFFu);
  EXPECT_EQ(wp.accept_outward, 0xFFFFFFFFu);
  o.p = 0.25;  // 1/p = 4 is the envelope
  o.q = 4;
  o.length = 7;
  wp = MakeWalkParams(o);
  EXPECT_EQ(wp.length, 7u);
  EXPECT_EQ(wp.accept_return, 0xFFFFFFFFu);
  EXPECT_EQ(wp.accept_common, 0x3FFFFFFFu);   // 1/4
  EXPECT_EQ(wp.accept_outward, 0x0FFFFFFFu);  // (1/4)/4
  o.p = 4;
  o.q = 0.5;  // 1/q = 2 is the envelope
  wp = MakeWalkParams(o);
  EXPECT_EQ(wp.accept_return, 0x1FFFFFFFu);   // (1/4)/2
  EXPECT_EQ(wp.accept_common, 0x7FFFFFFFu);   // 1/2
  EXPECT_EQ(wp.accept_outward, 0xFFFFFFFFu);
  const core::PhiloxKey k = core::StreamKey(o.seed, core::Stream::kWalk);
  EXPECT_EQ(wp.key.k0, k.k0);
  EXPECT_EQ(wp.key.k1, k.k1);
}

// --- the CPU loop -------------------------------------------------------------------------------

Graph RandomGraph(int32_t n, int64_t m, uint64_t seed) {
  const core::PhiloxKey key = core::StreamKey(seed, core::Stream::kEval);
  std::set<std::pair<int32_t, int32_t>> seen;
  std::vector<std::tuple<int32_t, int32_t, float>> edges;
  for (int64_t i = 0; static_cast<int64_t>(edges.size()) < m; ++i) {
    const core::U32x4 r = core::Random4(key, 0, 0, static_cast<uint64_t>(i));
    int32_t u = static_cast<int32_t>(core::UniformBelow(r.x, n));
    int32_t v = static_cast<int32_t>(core::UniformBelow(r.y, n));
    if (u == v) continue;
    if (u > v) std::swap(u, v);
    if (!seen.insert({u, v}).second) continue;
    edges.push_back({u, v, 0.1f + 10.0f * core::UniformFloat(r.z)});
  }
  return MakeGraph(n, edges, /*directed=*/false);
}

TEST(SampleWalks, IdenticalForAnyThreadCount) {
  const Graph g = RandomGraph(2000, 12000, 17);
  WalkOptions o;
  o.p = 0.5;
  o.q = 2;
  o.length = 20;
  o.seed = 1234;
  const core::WalkParams wp = MakeWalkParams(o);
  const uint64_t count = 3 * 2000;
  std::vector<int32_t> ref;
  for (int threads : {1, 2, 3, 8}) {
    const AliasTables at = BuildAliasTables(g.view(), threads);
    std::vector<int32_t> walks(count * o.length, -7);
    cpu::SampleWalks(g.view(), at.view(), wp, 0, count, walks.data(), threads);
    if (ref.empty()) {
      ref = walks;
      for (int32_t x : walks) ASSERT_GE(x, -1);
    } else {
      EXPECT_EQ(walks, ref) << "threads=" << threads;
    }
  }
  // A later slice equals the same walks of the whole run.
  const AliasTables at = BuildAliasTables(g.view(), 2);
  std::vector<int32_t> part(100 * o.length);
  cpu::SampleWalks(g.view(), at.view(), wp, 2500, 100, part.data(), 2);
  EXPECT_TRUE(std::equal(part.begin(), part.end(), ref.begin() + 2500 * o.length));
}

TEST(SampleWalks, EqualsCoreWalkOneWalkByWalk) {
  // The CPU loop interleaves walks; each must still be exactly core::WalkOne's, the function the
  // CUDA kernel calls. A directed graph with dead ends covers the padding path too.
  Graph g = RandomGraph(500, 1500, 29);
  std::vector<std::tuple<int32_t, int32_t, float>> edges;
  for (int32_t u = 0; u < g.num_nodes(); ++u) {
    for (int64_t e = g.offsets[u]; e < g.offsets[u + 1]; ++e) {
      if (g.neighbors[e] > u || u % 7 == 0) edges.push_back({u, g.neighbors[e], g.weights[e]});
    }
  }
  for (const Graph& gr : {g, MakeGraph(500, edges, /*directed=*/true)}) {
    WalkOptions o;
    o.p = 0.5;
    o.q = 2;
    o.length = 30;
    const core::WalkParams wp = MakeWalkParams(o);
    const AliasTables at = BuildAliasTables(gr.view(), 2);
    const uint64_t first = 777, count = 1003;  // not a multiple of the interleave
    std::vector<int32_t> walks(count * o.length);
    cpu::SampleWalks(gr.view(), at.view(), wp, first, count, walks.data(), 3);
    std::vector<int32_t> one(o.length);
    for (uint64_t w = 0; w < count; ++w) {
      core::WalkOne(gr.view(), at.view(), wp, first + w, one.data());
      ASSERT_TRUE(std::equal(one.begin(), one.end(), walks.begin() + w * o.length)) << w;
    }
  }
}

TEST(SampleWalks, EveryStepFollowsAnEdgeAndStartsCycle) {
  const Graph g = RandomGraph(300, 1500, 23);
  WalkOptions o;
  o.length = 15;
  const AliasTables at = BuildAliasTables(g.view(), 2);
  std::vector<int32_t> walks(600 * o.length);
  cpu::SampleWalks(g.view(), at.view(), MakeWalkParams(o), 0, 600, walks.data(), 2);
  for (int64_t w = 0; w < 600; ++w) {
    const int32_t* walk = walks.data() + w * o.length;
    EXPECT_EQ(walk[0], w % 300);
    for (uint32_t i = 1; i < o.length; ++i) {
      if (walk[i] < 0) {
        EXPECT_EQ(g.offsets[walk[i - 1] + 1], g.offsets[walk[i - 1]]);  // only at dead ends
        break;
      }
      EXPECT_TRUE(core::HasEdge(g.view(), walk[i - 1], walk[i])) << "walk " << w << " step " << i;
    }
  }
}

TEST(SampleWalks, DeadEndsPadWithMinusOne) {
  // Directed: 0 -> 1 -> 2, 3 -> 0; node 2 and node 4 have no out-edges.
  const Graph g = MakeGraph(5, {{0, 1, 1.0f}, {1, 2, 1.0f}, {3, 0, 1.0f}}, /*directed=*/true);
  const AliasTables at = BuildAliasTables(g.view(), 2);
  WalkOptions o;
  o.length = 6;
  std::vector<int32_t> walks(5 * o.length);
  cpu::SampleWalks(g.view(), at.view(), MakeWalkParams(o), 0, 5, walks.data(), 2);
  const std::vector<int32_t> expected{0, 1, 2,  -1, -1, -1,  //
                                      1, 2, -1, -1, -1, -1,  //
                                      2, -1, -1, -1, -1, -1,  //
                                      3, 0, 1,  2,  -1, -1,  //
                                      4, -1, -1, -1, -1, -1};
  EXPECT_EQ(walks, expected);
}

}  // namespace
}  // namespace n2v
