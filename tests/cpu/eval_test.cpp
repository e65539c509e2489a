// Evaluation library: ROC-AUC against hand-computed values and a brute-force count, the
// link-prediction split's invariants (every node keeps an edge, held-out edges gone, non-edges
// really non-edges, determinism, impossible cases), link prediction on perfect and random
// embeddings, F1 and top-k decoding by hand, and classification on separable data.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "n2v/eval.hpp"

namespace n2v {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// --- helpers ------------------------------------------------------------------------------------

/// CSR from an edge list (undirected: both slots), rows sorted, weight of (u, v) = 1 + (u + v) % 7
/// so a test can tell the residual kept each slot's own weight.
Graph MakeGraph(int32_t n, const std::vector<std::pair<int32_t, int32_t>>& edges, bool directed) {
  std::vector<std::vector<int32_t>> rows(n);
  for (const auto& [u, v] : edges) {
    rows[u].push_back(v);
    if (!directed && u != v) rows[v].push_back(u);
  }
  Graph g;
  g.directed = directed;
  for (int32_t u = 0; u < n; ++u) {
    std::sort(rows[u].begin(), rows[u].end());
    for (const int32_t v : rows[u]) {
      g.neighbors.push_back(v);
      g.weights.push_back(static_cast<float>(1 + (u + v) % 7));
    }
    g.offsets.push_back(static_cast<int64_t>(g.neighbors.size()));
    g.names.push_back(absl::StrCat("n", u));
  }
  return g;
}

/// Erdős–Rényi-like graph: m distinct random pairs (no self-loops) over n nodes.
std::vector<std::pair<int32_t, int32_t>> RandomEdges(int32_t n, int m, uint32_t seed,
                                                     bool directed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int32_t> node(0, n - 1);
  std::set<std::pair<int32_t, int32_t>> seen;
  while (static_cast<int>(seen.size()) < m) {
    int32_t u = node(rng), v = node(rng);
    if (u == v) continue;
    if (!directed && u > v) std::swap(u, v);
    seen.emplace(u, v);
  }
  return {seen.begin(), seen.end()};
}

bool Has(const Graph& g, int32_t u, int32_t v) {
  return std::binary_search(g.neighbors.begin() + g.offsets[u], g.neighbors.begin() + g.offsets[u + 1], v);
}

int64_t Degree(const Graph& g, int32_t u) { return g.offsets[u + 1] - g.offsets[u]; }

// --- ROC-AUC ------------------------------------------------------------------------------------

TEST(RocAuc, HandComputedValuesWithTies) {
  // 0.9 and 0.8 beat all three negatives (3 + 3); 0.4 beats 0.1 and ties 0.4 (1 + 1/2): 7.5 / 9.
  auto a = RocAuc({0.9, 0.8, 0.4}, {0.7, 0.4, 0.1});
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_DOUBLE_EQ(*a, 7.5 / 9);
  EXPECT_DOUBLE_EQ(*RocAuc({1, 1}, {1, 1, 1}), 0.5);  // everything tied
  EXPECT_DOUBLE_EQ(*RocAuc({2, 3}, {0, 1}), 1.0);
  EXPECT_DOUBLE_EQ(*RocAuc({0, 1}, {2, 3}), 0.0);
  // Ties inside one class do not count: {1, 1} vs {0, 1}: 2 wins + 2 half-ties = 3 of 4.
  EXPECT_DOUBLE_EQ(*RocAuc({1, 1}, {0, 1}), 0.75);
}

TEST(RocAuc, MatchesBruteForcePairCountOnManyTies) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> score(0, 9);  // ten values: ties everywhere
  std::vector<double> pos(300), neg(200);
  for (double& x : pos) x = score(rng) + 0.5;
  for (double& x : neg) x = score(rng);
  for (size_t i = 0; i < neg.size(); i += 3) neg[i] += 0.5;  // some exact cross-class ties
  double wins = 0;
  for (const double p : pos) {
    for (const double q : neg) wins += p > q ? 1.0 : (p == q ? 0.5 : 0.0);
  }
  EXPECT_DOUBLE_EQ(*RocAuc(pos, neg), wins / (pos.size() * neg.size()));
}

TEST(RocAuc, EmptySideOrNanIsAnError) {
  EXPECT_FALSE(RocAuc({}, {1.0}).ok());
  EXPECT_FALSE(RocAuc({1.0}, {}).ok());
  EXPECT_FALSE(RocAuc({1.0, std::nan("")}, {0.0}).ok());
}

// The ROC curve runs from (0, 0) to (1, 1), never falls, and the area under it is RocAuc's.
TEST(RocCurve, EndsAtTheCornersAndItsAreaIsTheAuc) {
  std::vector<double> pos, neg;
  for (int i = 0; i < 3000; ++i) pos.push_back(std::sin(i * 1.3) + 0.6), neg.push_back(std::cos(i * 0.7));
  pos.push_back(0.25), neg.push_back(0.25);  // a tie moves diagonally
  for (int max_points : {2, 20, 200, 100000}) {
    const std::vector<RocPoint> c = RocCurve(pos, neg, max_points);
    ASSERT_GE(c.size(), 2u);
    EXPECT_LE(c.size(), static_cast<size_t>(max_points));
    EXPECT_EQ(c.front().fpr, 0);
    EXPECT_EQ(c.front().tpr, 0);
    EXPECT_EQ(c.back().fpr, 1);
    EXPECT_EQ(c.back().tpr, 1);
    double area = 0;
    for (size_t i = 1; i < c.size(); ++i) {
      EXPECT_GE(c[i].fpr, c[i - 1].fpr);
      EXPECT_GE(c[i].tpr, c[i - 1].tpr);
      area += (c[i].fpr - c[i - 1].fpr) * (c[i].tpr + c[i - 1].tpr) / 2;
    }
    if (max_points >= 100000) {
      // Every distinct score kept: the trapezoids are exactly the Mann-Whitney statistic.
      EXPECT_NEAR(area, *RocAuc(pos, neg), 1e-12);
    } else if (max_points >= 200) {
      EXPECT_NEAR(area, *RocAuc(pos, neg), 5e-3);
    }
  }
  EXPECT_TRUE(RocCurve({}, neg).empty());
  EXPECT_TRUE(RocCurve(pos, {NAN}).empty());
}

// Per-label F1 is what micro/macro summarise: the macro is their mean.
TEST(MultiLabelF1, PerLabelScoresAverageToTheMacro) {
  const std::vector<std::vector<int32_t>> truth = {{0}, {1}, {0, 2}, {2}}, pred = {{0}, {0}, {0, 1}, {2}};
  const F1Scores f = MultiLabelF1(truth, pred, 4);
  ASSERT_EQ(f.per_label.size(), 4u);
  EXPECT_NEAR(f.per_label[0], 2.0 * 2 / (2 * 2 + 1 + 0), 1e-12);  // tp 2, fp 1
  EXPECT_EQ(f.per_label[1], 0.0);                                 // tp 0, fp 1, fn 1
  EXPECT_NEAR(f.per_label[2], 2.0 * 1 / (2 * 1 + 0 + 1), 1e-12);  // tp 1, fn 1
  EXPECT_EQ(f.per_label[3], 0.0);                                 // absent
  EXPECT_NEAR(f.macro, (f.per_label[0] + f.per_label[2]) / 4, 1e-12);
}

// --- the split ----------------------------------------------------------------------------------

struct SplitCase {
  bool directed;
  int32_t n;
  int m;
  double fraction;
  uint64_t seed;
};

void PrintTo(const SplitCase& c, std::ostream* os) {
  *os << (c.directed ? "directed" : "undirected") << " n=" << c.n << " m=" << c.m
      << " fraction=" << c.fraction << " seed=" << c.seed;
}

class SplitTest : public ::testing::TestWithParam<SplitCase> {};

TEST_P(SplitTest, KeepsEveryNodeAndHoldsOutRealEdges) {
  const SplitCase c = GetParam();
  auto edges = RandomEdges(c.n, c.m, 11, c.directed);
  edges.push_back({3, 3});  // a self-loop: never held out
  // A pendant node (its one edge is a bridge) and an isolated node (stays isolated).
  edges.push_back({c.n, 0});
  const Graph g = MakeGraph(c.n + 2, edges, c.directed);
  auto s = SplitEdgesForLinkPrediction(g, c.fraction, c.seed);
  ASSERT_TRUE(s.ok()) << s.status() << " seed " << c.seed;
  const Graph& r = s->residual;
  SCOPED_TRACE(::testing::Message() << "seed " << c.seed << (c.directed ? " directed" : ""));

  EXPECT_EQ(r.num_nodes(), g.num_nodes());
  EXPECT_EQ(r.names, g.names);
  EXPECT_EQ(r.directed, g.directed);
  EXPECT_EQ(s->candidate_edges, c.m + 1);  // the self-loop is not a candidate
  EXPECT_EQ(s->requested_test, std::llround(c.fraction * (c.m + 1)));
  EXPECT_EQ(static_cast<int64_t>(s->test_edges.size()), s->requested_test);
  EXPECT_DOUBLE_EQ(s->achieved_fraction, double(s->test_edges.size()) / (c.m + 1));

  // Every node with an edge keeps one; degrees in the residual (in + out for directed graphs).
  std::vector<int64_t> deg(g.num_nodes(), 0), rdeg(g.num_nodes(), 0);
  for (int32_t u = 0; u < g.num_nodes(); ++u) {
    for (int64_t e = g.offsets[u]; e < g.offsets[u + 1]; ++e) ++deg[u], ++deg[g.neighbors[e]];
    for (int64_t e = r.offsets[u]; e < r.offsets[u + 1]; ++e) ++rdeg[u], ++rdeg[r.neighbors[e]];
  }
  for (int32_t u = 0; u < g.num_nodes(); ++u) {
    EXPECT_EQ(rdeg[u] > 0, deg[u] > 0) << "node " << u;
  }
  EXPECT_EQ(Degree(r, c.n + 1), 0);   // isolated before, isolated after
  EXPECT_TRUE(Has(r, c.n, 0));        // the bridge stays
  EXPECT_TRUE(Has(r, 3, 3));          // the self-loop stays

  // Held-out edges are edges of g and absent from the residual (both directions if undirected);
  // everything else is kept with its weight and rows stay sorted.
  std::set<std::pair<int32_t, int32_t>> held;
  for (const NodePair& p : s->test_edges) {
    EXPECT_TRUE(Has(g, p.u, p.v));
    EXPECT_FALSE(Has(r, p.u, p.v));
    if (!g.directed) {
      EXPECT_LT(p.u, p.v);
      EXPECT_FALSE(Has(r, p.v, p.u));
      held.emplace(p.v, p.u);
    }
    EXPECT_TRUE(held.emplace(p.u, p.v).second) << "held out twice";
  }
  EXPECT_EQ(r.num_edge_slots() + static_cast<int64_t>(held.size()), g.num_edge_slots());
  for (int32_t u = 0; u < r.num_nodes(); ++u) {
    EXPECT_TRUE(std::is_sorted(r.neighbors.begin() + r.offsets[u], r.neighbors.begin() + r.offsets[u + 1]));
    for (int64_t e = r.offsets[u]; e < r.offsets[u + 1]; ++e) {
      EXPECT_EQ(r.weights[e], static_cast<float>(1 + (u + r.neighbors[e]) % 7));
    }
  }

  // Non-edges: distinct pairs of distinct nodes not adjacent in the ORIGINAL graph; test and
  // training sets disjoint; as many as the edges they are paired with.
  ASSERT_EQ(s->test_non_edges.size(), s->test_edges.size());
  ASSERT_EQ(s->train_non_edges.size(), s->train_edges.size());
  EXPECT_EQ(s->train_edges.size(),
            std::min(s->test_edges.size(), static_cast<size_t>(c.m + 1) - s->test_edges.size()));
  std::set<std::pair<int32_t, int32_t>> non;
  for (const auto* list : {&s->test_non_edges, &s->train_non_edges}) {
    for (const NodePair& p : *list) {
      EXPECT_NE(p.u, p.v);
      EXPECT_FALSE(Has(g, p.u, p.v));
      if (!g.directed) {
        EXPECT_LT(p.u, p.v);
      }
      EXPECT_TRUE(non.emplace(p.u, p.v).second) << "non-edge drawn twice";
    }
  }
  // Training edges are residual edges, distinct.
  std::set<std::pair<int32_t, int32_t>> train;
  for (const NodePair& p : s->train_edges) {
    EXPECT_TRUE(Has(r, p.u, p.v));
    EXPECT_NE(p.u, p.v);
    EXPECT_TRUE(train.emplace(p.u, p.v).second);
  }

  // Deterministic for a seed; another seed gives another split.
  auto again = SplitEdgesForLinkPrediction(g, c.fraction, c.seed);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->test_edges, s->test_edges);
  EXPECT_EQ(again->test_non_edges, s->test_non_edges);
  EXPECT_EQ(again->train_edges, s->train_edges);
  EXPECT_EQ(again->train_non_edges, s->train_non_edges);
  EXPECT_EQ(again->residual.neighbors, r.neighbors);
  auto other = SplitEdgesForLinkPrediction(g, c.fraction, c.seed + 1);
  ASSERT_TRUE(other.ok());
  EXPECT_NE(other->test_edges, s->test_edges);
}

INSTANTIATE_TEST_SUITE_P(Graphs, SplitTest,
                         ::testing::Values(SplitCase{false, 300, 1500, 0.5, 1},
                                           SplitCase{false, 300, 1500, 0.1, 42},
                                           SplitCase{true, 300, 2000, 0.3, 7},
                                           SplitCase{true, 200, 400, 0.2, 9}));

TEST(Split, FewerCandidatesThanRequestedHoldsOutAllAndSaysSo) {
  // A path 0-1-2-3-4 plus the chord 0-2: only one edge of the triangle can go.
  const Graph g = MakeGraph(5, {{0, 1}, {1, 2}, {2, 3}, {3, 4}, {0, 2}}, false);
  auto s = SplitEdgesForLinkPrediction(g, 0.8, 3);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->requested_test, 4);
  ASSERT_EQ(s->test_edges.size(), 1u);
  EXPECT_DOUBLE_EQ(s->achieved_fraction, 0.2);
  const NodePair e = s->test_edges[0];
  EXPECT_TRUE((e == NodePair{0, 1}) || (e == NodePair{1, 2}) || (e == NodePair{0, 2}));
}

TEST(Split, ParallelSlotsOfOnePairAreOneEdge) {
  // Pair (0, 1) twice (a multigraph row) in a triangle, so that something can be held out, and a
  // pendant node 3, so that non-edges exist.
  const Graph g = MakeGraph(4, {{0, 1}, {0, 1}, {1, 2}, {0, 2}, {2, 3}}, false);
  ASSERT_EQ(g.num_edge_slots(), 10);
  auto s = SplitEdgesForLinkPrediction(g, 0.25, 5);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->candidate_edges, 4);
  ASSERT_EQ(s->test_edges.size(), 1u);
  const NodePair e = s->test_edges[0];
  EXPECT_EQ(s->residual.num_edge_slots(), (e == NodePair{0, 1}) ? 6 : 8);
  for (const NodePair& p : s->test_edges) EXPECT_FALSE(Has(s->residual, p.u, p.v));
}

TEST(Split, DenseGraphSamplesTheFewNonEdges) {
  // K_30 less 40 pairs: non-edges are 40 of 435 pairs, so they are listed, not drawn.
  std::vector<std::pair<int32_t, int32_t>> all, kept;
  for (int32_t u = 0; u < 30; ++u) {
    for (int32_t v = u + 1; v < 30; ++v) all.emplace_back(u, v);
  }
  std::mt19937 rng(3);
  std::shuffle(all.begin(), all.end(), rng);
  std::set<std::pair<int32_t, int32_t>> missing(all.begin(), all.begin() + 40);
  kept.assign(all.begin() + 40, all.end());
  const Graph g = MakeGraph(30, kept, false);
  auto s = SplitEdgesForLinkPrediction(g, 0.04, 1);  // 16 test edges: 32 non-edges of 40
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->test_edges.size(), 16u);
  std::set<std::pair<int32_t, int32_t>> seen;
  for (const auto* list : {&s->test_non_edges, &s->train_non_edges}) {
    for (const NodePair& p : *list) {
      EXPECT_TRUE(missing.count({p.u, p.v})) << p.u << "," << p.v;
      EXPECT_TRUE(seen.emplace(p.u, p.v).second);
    }
  }
  EXPECT_EQ(seen.size(), 32u);
}

TEST(Split, ImpossibleCasesAreClearErrors) {
  std::vector<std::pair<int32_t, int32_t>> k6;
  for (int32_t u = 0; u < 6; ++u) {
    for (int32_t v = u + 1; v < 6; ++v) k6.emplace_back(u, v);
  }
  auto complete = SplitEdgesForLinkPrediction(MakeGraph(6, k6, false), 0.5, 1);
  ASSERT_FALSE(complete.ok());
  EXPECT_EQ(complete.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(complete.status().message()), HasSubstr("non-adjacent node pairs"));
  EXPECT_THAT(std::string(complete.status().message()), HasSubstr("only 0"));

  auto tree = SplitEdgesForLinkPrediction(MakeGraph(4, {{0, 1}, {1, 2}, {1, 3}}, false), 0.5, 1);
  ASSERT_FALSE(tree.ok());
  EXPECT_THAT(std::string(tree.status().message()), HasSubstr("forest"));

  const Graph tri = MakeGraph(3, {{0, 1}, {1, 2}, {0, 2}}, false);
  for (const double f : {0.0, 1.0, -0.1, std::nan("")}) {
    EXPECT_FALSE(SplitEdgesForLinkPrediction(tri, f, 1).ok()) << f;
  }
  Graph asym = tri;
  asym.directed = false;
  asym.neighbors = {1, 2, 2, 0, 1};  // row 1 lacks 0
  asym.offsets = {0, 2, 3, 5};
  asym.weights.assign(5, 1.0f);
  auto bad = SplitEdgesForLinkPrediction(asym, 0.3, 1);
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(std::string(bad.status().message()), HasSubstr("symmetric"));
}

// --- link prediction ----------------------------------------------------------------------------

TEST(LinkPrediction, PerfectEmbeddingsScoreOne) {
  // 10 disjoint 8-cliques; a node's embedding is its clique's one-hot vector. Every non-edge
  // joins two cliques: cosine 0 against 1 for an edge, and the Hadamard / |u−v| / (u−v)²
  // features separate the classes linearly.
  constexpr int32_t kCliques = 10, kSize = 8;
  std::vector<std::pair<int32_t, int32_t>> edges;
  for (int32_t c = 0; c < kCliques; ++c) {
    for (int32_t a = 0; a < kSize; ++a) {
      for (int32_t b = a + 1; b < kSize; ++b) edges.emplace_back(c * kSize + a, c * kSize + b);
    }
  }
  const Graph g = MakeGraph(kCliques * kSize, edges, false);
  auto s = SplitEdgesForLinkPrediction(g, 0.3, 17);
  ASSERT_TRUE(s.ok()) << s.status();
  Embeddings emb;
  emb.rows = g.num_nodes();
  emb.dim = kCliques;
  emb.data.assign(static_cast<size_t>(emb.rows) * emb.dim, 0.0f);
  for (int32_t v = 0; v < emb.rows; ++v) emb.data[static_cast<size_t>(v) * emb.dim + v / kSize] = 1.0f;
  auto r = EvaluateLinkPrediction(emb, *s);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->cosine_auc, 1.0);
  // Logistic regression with C = 1 does not reach probability 1, but every edge outranks every
  // non-edge: AUC exactly 1 up to liblinear's rounding (1e-9 is far below one swapped pair,
  // 1 / (84 · 84) ≈ 1.4e-4).
  for (const EdgeOperator op :
       {EdgeOperator::kHadamard, EdgeOperator::kWeightedL1, EdgeOperator::kWeightedL2}) {
    EXPECT_NEAR(r->auc(op), 1.0, 1e-9) << EdgeOperatorName(op);
  }
  EXPECT_EQ(r->test_pairs, static_cast<int64_t>(2 * s->test_edges.size()));
  EXPECT_EQ(r->train_pairs, static_cast<int64_t>(2 * s->train_edges.size()));
}

TEST(LinkPrediction, RandomEmbeddingsScoreOneHalf) {
  // Embeddings independent of the graph: every score's AUC is a Mann–Whitney statistic under the
  // null, mean 1/2, sd sqrt((n1 + n2 + 1) / (12 n1 n2)) = 0.0105 for n1 = n2 = 1500; 5 sd =
  // 0.053 (pairs sharing nodes add a little correlation; the seed is fixed, so this is a check
  // of the implementation, not a flaky statistical test).
  const Graph g = MakeGraph(1000, RandomEdges(1000, 5000, 5, false), false);
  auto s = SplitEdgesForLinkPrediction(g, 0.3, 99);
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_EQ(s->test_edges.size(), 1500u);
  Embeddings emb;
  emb.rows = g.num_nodes();
  emb.dim = 16;
  std::mt19937 rng(123);
  std::normal_distribution<float> normal;
  for (int i = 0; i < emb.rows * emb.dim; ++i) emb.data.push_back(normal(rng));
  auto r = EvaluateLinkPrediction(emb, *s, {}, 2);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_NEAR(r->cosine_auc, 0.5, 0.053);
  for (const EdgeOperator op : kEdgeOperators) {
    EXPECT_NEAR(r->auc(op), 0.5, 0.053) << EdgeOperatorName(op);
  }
  // Thread count changes nothing.
  auto one = EvaluateLinkPrediction(emb, *s, {}, 1);
  ASSERT_TRUE(one.ok());
  for (const EdgeOperator op : kEdgeOperators) EXPECT_EQ(one->auc(op), r->auc(op));
}

TEST(LinkPrediction, RejectsAMismatchedTable) {
  const Graph g = MakeGraph(5, {{0, 1}, {1, 2}, {0, 2}, {2, 3}, {3, 4}, {2, 4}}, false);
  auto s = SplitEdgesForLinkPrediction(g, 0.3, 1);
  ASSERT_TRUE(s.ok()) << s.status();
  Embeddings emb;
  emb.rows = 4;
  emb.dim = 2;
  emb.data.assign(8, 1.0f);
  auto r = EvaluateLinkPrediction(emb, *s);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("one embedding row per node"));
}

// --- F1 and top-k -------------------------------------------------------------------------------

TEST(F1, HandCheckedMicroMacroWithAnAbsentLabel) {
  // Four labels; label 3 has no true and no predicted sample (scores 0, scikit-learn's default).
  // label 0: tp 1 (node 1), fn 1 (node 0): 2/3.  label 1: tp 1, fp 1 (node 0): 2/3.
  // label 2: tp 1: 1.  micro: TP 3, FP 1, FN 1: 6/8.  macro: (2/3 + 2/3 + 1 + 0) / 4.
  const F1Scores f = MultiLabelF1({{0}, {0, 1}, {2}}, {{1}, {0, 1}, {2}}, 4);
  EXPECT_DOUBLE_EQ(f.micro, 0.75);
  EXPECT_DOUBLE_EQ(f.macro, (2.0 / 3 + 2.0 / 3 + 1 + 0) / 4);
}

TEST(TopK, RanksByProbabilityTiesToTheLowerLabel) {
  EXPECT_THAT(TopKLabels({0.2, 0.9, 0.5, 0.9}, 2), ElementsAre(1, 3));
  EXPECT_THAT(TopKLabels({0.2, 0.9, 0.5, 0.9}, 3), ElementsAre(1, 2, 3));
  EXPECT_THAT(TopKLabels({0.5, 0.5, 0.1}, 1), ElementsAre(0));
  EXPECT_THAT(TopKLabels({0.1, 0.2}, 5), ElementsAre(0, 1));
}

TEST(F1, TopKDecodingByHand) {
  // Three test nodes, three labels. Node 0 has {0}: top-1 of (.7, .2, .6) is {0}, right.
  // Node 1 has {1, 2}: top-2 of (.8, .3, .4) is {0, 2}: 2 right, 0 wrong. Node 2 has {1}: top-1
  // of (.1, .3, .2) is {1}, right. Per label: 0: tp 1, fp 1 → 2/3; 1: tp 1, fn 1 → 2/3;
  // 2: tp 1 → 1. micro: TP 3, FP 1, FN 1 → 0.75; macro 7/9.
  const std::vector<std::vector<double>> prob = {{.7, .2, .6}, {.8, .3, .4}, {.1, .3, .2}};
  const std::vector<std::vector<int32_t>> truth = {{0}, {1, 2}, {1}};
  std::vector<std::vector<int32_t>> pred;
  for (size_t i = 0; i < prob.size(); ++i) {
    pred.push_back(TopKLabels(prob[i], static_cast<int32_t>(truth[i].size())));
  }
  EXPECT_THAT(pred[1], ElementsAre(0, 2));
  const F1Scores f = MultiLabelF1(truth, pred, 3);
  EXPECT_DOUBLE_EQ(f.micro, 0.75);
  EXPECT_DOUBLE_EQ(f.macro, 7.0 / 9);
}

// --- node classification ------------------------------------------------------------------------

/// n nodes with 1–3 of L labels each; embedding = 2·indicator(labels) + noise in (−0.1, 0.1):
/// label l is linearly separable on coordinate l.
struct Synthetic {
  Embeddings emb;
  NodeLabels labels;
};
Synthetic SeparableData(int32_t n, int32_t num_labels, uint32_t seed) {
  Synthetic s;
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int32_t> pick(0, num_labels - 1), count(1, 3);
  std::uniform_real_distribution<float> noise(-0.1f, 0.1f);
  for (int32_t l = 0; l < num_labels; ++l) s.labels.label_names.push_back(absl::StrCat("L", l));
  s.emb.rows = n;
  s.emb.dim = num_labels;
  s.emb.data.resize(static_cast<size_t>(n) * num_labels);
  for (int32_t v = 0; v < n; ++v) {
    std::set<int32_t> ls;
    const int32_t k = count(rng);
    while (static_cast<int32_t>(ls.size()) < k) ls.insert(pick(rng));
    s.labels.nodes.push_back(v);
    s.labels.labels.emplace_back(ls.begin(), ls.end());
    for (int32_t j = 0; j < num_labels; ++j) {
      s.emb.data[static_cast<size_t>(v) * num_labels + j] = (ls.count(j) ? 2.0f : 0.0f) + noise(rng);
    }
  }
  return s;
}

TEST(NodeClassification, SeparableDataScoresOne) {
  const Synthetic s = SeparableData(400, 6, 21);
  ClassificationOptions o;
  o.repeats = 3;
  o.seed = 5;
  auto r = EvaluateNodeClassification(s.emb, s.labels, o);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->micro_f1.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_DOUBLE_EQ(r->micro_f1[i], 1.0) << "repeat " << i << " seed 5";
    EXPECT_DOUBLE_EQ(r->macro_f1[i], 1.0) << "repeat " << i << " seed 5";
  }
  EXPECT_EQ(r->micro_std, 0.0);
  EXPECT_EQ(r->train_nodes, 200);
  EXPECT_EQ(r->test_nodes, 200);
  EXPECT_EQ(r->absent_labels, 0.0);
}

TEST(NodeClassification, NoiseScoresNearChanceAndThreadsChangeNothing) {
  Synthetic s = SeparableData(400, 5, 8);
  std::mt19937 rng(1);
  std::normal_distribution<float> normal;
  for (float& x : s.emb.data) x = normal(rng);  // features now carry no information
  ClassificationOptions o;
  o.repeats = 4;
  o.threads = 1;
  auto one = EvaluateNodeClassification(s.emb, s.labels, o);
  o.threads = 2;
  auto two = EvaluateNodeClassification(s.emb, s.labels, o);
  ASSERT_TRUE(one.ok() && two.ok());
  EXPECT_EQ(one->micro_f1, two->micro_f1);
  EXPECT_EQ(one->macro_f1, two->macro_f1);
  // Chance level for top-k with ~2 of 5 labels per node is ~0.4; far below the separable 1.0.
  EXPECT_LT(one->micro_mean, 0.6);
  EXPECT_GT(one->micro_std, 0.0);
}

TEST(NodeClassification, ALabelOnOneNodeGetsAConstantPredictor) {
  // Label 6 on node 0 only: in each repeat it is in the train split (all other train nodes are
  // negatives, so liblinear fits it) or in the test split (no positive to train on: constant 0,
  // the label cannot be predicted and scores F1 0 in the macro average).
  Synthetic s = SeparableData(100, 6, 3);
  s.labels.label_names.push_back("rare");
  s.labels.labels[0].push_back(6);
  ClassificationOptions o;
  o.repeats = 6;
  auto r = EvaluateNodeClassification(s.emb, s.labels, o);
  ASSERT_TRUE(r.ok()) << r.status();
  // Label 6 scores 0 in every repeat (true in the test split but never predicted, or neither
  // true nor predicted); the six separable labels carry the rest.
  for (size_t i = 0; i < r->macro_f1.size(); ++i) {
    EXPECT_GT(r->micro_f1[i], 0.9) << "repeat " << i;
    EXPECT_LE(r->macro_f1[i], 6.0 / 7 + 1e-12) << "repeat " << i;
    EXPECT_GT(r->macro_f1[i], 6.0 / 7 - 0.05) << "repeat " << i;
  }
}

TEST(NodeClassification, SplitIsAPartitionDeterministicPerRepeat) {
  auto a = SplitForClassification(101, 0.5, 9, 0);
  auto b = SplitForClassification(101, 0.5, 9, 0);
  auto c = SplitForClassification(101, 0.5, 9, 1);
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(a->train.size(), 50u);  // floor(0.5 · 101)
  EXPECT_EQ(a->test.size(), 51u);
  EXPECT_EQ(a->train, b->train);
  EXPECT_NE(a->train, c->train);
  std::vector<int32_t> all = a->train;
  all.insert(all.end(), a->test.begin(), a->test.end());
  std::sort(all.begin(), all.end());
  for (int32_t i = 0; i < 101; ++i) EXPECT_EQ(all[i], i);
  EXPECT_TRUE(std::is_sorted(a->train.begin(), a->train.end()));
  EXPECT_FALSE(SplitForClassification(10, 0.05, 1, 0).ok());  // no training node
  EXPECT_FALSE(SplitForClassification(10, 1.0, 1, 0).ok());   // no test node
}

TEST(NodeClassification, BadOptionsAndTablesAreErrors) {
  const Synthetic s = SeparableData(20, 3, 1);
  ClassificationOptions o;
  o.repeats = 0;
  EXPECT_FALSE(EvaluateNodeClassification(s.emb, s.labels, o).ok());
  o.repeats = 1;
  o.lr.C = 0;
  EXPECT_FALSE(EvaluateNodeClassification(s.emb, s.labels, o).ok());
  o.lr.C = 1;
  Embeddings short_table = s.emb;
  short_table.rows = 10;
  short_table.data.resize(10 * 3);
  auto r = EvaluateNodeClassification(short_table, s.labels, o);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("has no row"));
}

}  // namespace
}  // namespace n2v
