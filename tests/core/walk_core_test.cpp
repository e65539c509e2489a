// Host tests of the shared walk math (core/walk.hpp): the node2vec bias, the sorted-row edge test,
// the alias draw on a hand-made table, and single steps / whole walks on tiny graphs whose answer
// is forced. The statistical checks of the transition law live in tests/cpu/walk_test.cpp.
#include <cstdint>
#include <vector>

#include "gtest/gtest.h"
#include "n2v/core/rng.hpp"
#include "n2v/core/walk.hpp"
#include "n2v/graph.hpp"

namespace n2v::core {
namespace {

// A CSR built by hand from sorted adjacency lists; weights default to 1.
struct TinyGraph {
  std::vector<int64_t> offsets{0};
  std::vector<int32_t> neighbors;
  std::vector<float> weights;
  std::vector<uint32_t> keep;  // uniform alias tables: always keep the drawn column
  std::vector<int32_t> alias;

  explicit TinyGraph(const std::vector<std::vector<int32_t>>& rows) {
    for (const auto& row : rows) {
      for (size_t j = 0; j < row.size(); ++j) {
        neighbors.push_back(row[j]);
        weights.push_back(1.0f);
        keep.push_back(0xFFFFFFFFu);
        alias.push_back(static_cast<int32_t>(j));
      }
      offsets.push_back(static_cast<int64_t>(neighbors.size()));
    }
  }
  CsrView view() const {
    return CsrView{offsets.data(), neighbors.data(), weights.data(),
                   static_cast<int32_t>(offsets.size() - 1),
                   static_cast<int64_t>(neighbors.size())};
  }
  AliasView alias_view() const { return AliasView{keep.data(), alias.data()}; }
};

TEST(Node2vecBias, ReturnCommonOutward) {
  const float inv_p = 4.0f, inv_q = 0.25f;
  EXPECT_EQ(Node2vecBias(true, false, inv_p, inv_q), inv_p);
  EXPECT_EQ(Node2vecBias(true, true, inv_p, inv_q), inv_p);  // x == t wins over adjacency
  EXPECT_EQ(Node2vecBias(false, true, inv_p, inv_q), 1.0f);
  EXPECT_EQ(Node2vecBias(false, false, inv_p, inv_q), inv_q);
  // p and q must not be swapped: a large 1/q favours outward moves, a large 1/p returns.
  EXPECT_EQ(Node2vecBias(false, false, 1.0f, 8.0f), 8.0f);
  EXPECT_EQ(Node2vecBias(true, false, 8.0f, 1.0f), 8.0f);
}

TEST(HasEdge, BinarySearchInSortedRows) {
  const TinyGraph g({{1, 3, 5, 7, 9}, {0}, {}, {0, 9}, {}, {0}, {}, {0}, {}, {0, 3}});
  const CsrView v = g.view();
  for (int32_t x : {1, 3, 5, 7, 9}) EXPECT_TRUE(HasEdge(v, 0, x)) << x;
  for (int32_t x : {0, 2, 4, 6, 8}) EXPECT_FALSE(HasEdge(v, 0, x)) << x;
  EXPECT_TRUE(HasEdge(v, 1, 0));
  EXPECT_FALSE(HasEdge(v, 1, 1));
  EXPECT_FALSE(HasEdge(v, 2, 0));  // empty row
  EXPECT_TRUE(HasEdge(v, 9, 3));
  EXPECT_FALSE(HasEdge(v, 9, 1));
}

TEST(DrawByWeight, FollowsAHandMadeAliasTable) {
  // Row 0 has neighbours {10, 20, 30}: column 0 keeps up to 0x7FFFFFFF (probability 1/2) and
  // otherwise aliases to column 2; column 1 always keeps; column 2 keeps nothing above 0 and
  // aliases to column 1.
  std::vector<int64_t> offsets{0, 3};
  std::vector<int32_t> neighbors{10, 20, 30};
  std::vector<float> weights{1, 1, 1};
  std::vector<uint32_t> keep{0x7FFFFFFFu, 0xFFFFFFFFu, 0u};
  std::vector<int32_t> alias{2, 1, 1};
  const CsrView g{offsets.data(), neighbors.data(), weights.data(), 1, 3};
  const AliasView a{keep.data(), alias.data()};
  // UniformBelow(r, 3) = floor(r·3 / 2^32): 0 → column 0, 0x60000000 → 1, 0xFFFFFFFF → 2.
  const uint32_t col0 = 0, col1 = 0x60000000u, col2 = 0xFFFFFFFFu;
  ASSERT_EQ(UniformBelow(col0, 3), 0u);
  ASSERT_EQ(UniformBelow(col1, 3), 1u);
  ASSERT_EQ(UniformBelow(col2, 3), 2u);
  EXPECT_EQ(DrawByWeight(g, a, 0, col0, 0x7FFFFFFFu), 10);  // word == threshold keeps
  EXPECT_EQ(DrawByWeight(g, a, 0, col0, 0x80000000u), 30);  // above it jumps to the alias
  EXPECT_EQ(DrawByWeight(g, a, 0, col1, 0xFFFFFFFFu), 20);
  EXPECT_EQ(DrawByWeight(g, a, 0, col2, 0u), 30);
  EXPECT_EQ(DrawByWeight(g, a, 0, col2, 1u), 20);
}

TEST(WalkStep, ForcedMoves) {
  // Path 0 - 1 - 2 plus an isolated node 3.
  const TinyGraph g({{1}, {0, 2}, {1}, {}});
  const CsrView v = g.view();
  const AliasView a = g.alias_view();
  WalkParams p;
  p.key = StreamKey(1, Stream::kWalk);
  for (uint64_t w = 0; w < 100; ++w) {
    EXPECT_EQ(WalkStep(v, a, p, w, 1, -1, 0), 1);  // the only neighbour
    EXPECT_EQ(WalkStep(v, a, p, w, 2, 1, 0), 1);   // a return is still the only move
    EXPECT_EQ(WalkStep(v, a, p, w, 1, -1, 3), -1);  // no out-edge
  }
}

TEST(WalkStep, ZeroThresholdNeverAcceptsThatKindOfMove) {
  // From v = 1 with t = 0 on the path 0 - 1 - 2: neighbour 0 is a return, 2 is outward. With the
  // outward threshold at 0 a move to 2 is accepted only for the word 0 (probability 2^-32).
  const TinyGraph g({{1}, {0, 2}, {1}});
  WalkParams p;
  p.key = StreamKey(2, Stream::kWalk);
  p.accept_outward = 0;
  for (uint64_t w = 0; w < 1000; ++w) EXPECT_EQ(WalkStep(g.view(), g.alias_view(), p, w, 2, 0, 1), 0);
  p.accept_outward = 0xFFFFFFFFu;
  p.accept_return = 0;
  for (uint64_t w = 0; w < 1000; ++w) EXPECT_EQ(WalkStep(g.view(), g.alias_view(), p, w, 2, 0, 1), 2);
}

TEST(WalkStep, UsesTheEdgeFromCandidateToPrevious) {
  // Directed: 0 -> 1, 1 -> {2, 3}, 2 -> 0, 3 -> {}. From v = 1 with t = 0, candidate 2 has the
  // edge 2 -> 0 (a "common" move), candidate 3 does not (outward). Rejecting outward moves leaves 2.
  const TinyGraph g({{1}, {2, 3}, {0}, {}});
  WalkParams p;
  p.key = StreamKey(3, Stream::kWalk);
  p.accept_outward = 0;
  for (uint64_t w = 0; w < 1000; ++w) EXPECT_EQ(WalkStep(g.view(), g.alias_view(), p, w, 2, 0, 1), 2);
}

TEST(WalkOne, StartsCycleOverNodesAndDeadEndsPad) {
  // Directed chain 0 -> 1 -> 2, node 2 has no out-edge.
  const TinyGraph g({{1}, {2}, {}});
  WalkParams p;
  p.length = 5;
  p.key = StreamKey(4, Stream::kWalk);
  int32_t out[5];
  WalkOne(g.view(), g.alias_view(), p, 0, out);
  EXPECT_EQ(std::vector<int32_t>(out, out + 5), (std::vector<int32_t>{0, 1, 2, -1, -1}));
  WalkOne(g.view(), g.alias_view(), p, 4, out);  // walk 4 starts at node 4 % 3 = 1
  EXPECT_EQ(std::vector<int32_t>(out, out + 5), (std::vector<int32_t>{1, 2, -1, -1, -1}));
  WalkOne(g.view(), g.alias_view(), p, 2, out);
  EXPECT_EQ(std::vector<int32_t>(out, out + 5), (std::vector<int32_t>{2, -1, -1, -1, -1}));
  EXPECT_EQ(WalkStart(g.view(), 7), 1);
}

TEST(WalkOne, UndirectedPathBouncesDeterministically) {
  // On the path 0 - 1 every move is forced.
  const TinyGraph g({{1}, {0}});
  WalkParams p;
  p.length = 6;
  int32_t out[6];
  WalkOne(g.view(), g.alias_view(), p, 1, out);
  EXPECT_EQ(std::vector<int32_t>(out, out + 6), (std::vector<int32_t>{1, 0, 1, 0, 1, 0}));
}

}  // namespace
}  // namespace n2v::core
