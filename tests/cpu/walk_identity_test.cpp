// The walk step's shortcuts change no walk: whole walk sets from cpu::SampleWalks, from
// core::WalkOne over the device's packed alias layout, and from core::Walker lanes interleaved
// as a GPU warp runs them (cuda/walk.cu) all equal, element for element, those of a frozen copy
// of the step as it was before (RefWalkStep: x's row searched on every step that is not a
// return, thresholds picked before comparing). Graphs: weighted and unweighted, directed and
// undirected, R-MAT hubs, dead ends, and an "undirected" graph whose rows are not symmetric;
// (p, q) on both sides of 1 and p = q = 1. Also RowsSymmetric itself.
#include <algorithm>
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "../synth_test_graph.hpp"
#include "gtest/gtest.h"
#include "n2v/core/walk.hpp"
#include "n2v/graph.hpp"
#include "n2v/synth.hpp"
#include "n2v/walk.hpp"

namespace n2v {
namespace {

// core::WalkStep as it was before the shortcuts, kept verbatim as the reference.
int32_t RefWalkStep(const CsrView& g, const core::AliasView& a, const core::WalkParams& p,
                    uint64_t walk_id, uint32_t step, int32_t t, int32_t v) {
  if (g.offsets[v + 1] == g.offsets[v]) return -1;
  for (uint32_t attempt = 0;; ++attempt) {
    const core::U32x4 r = core::Random4(p.key, attempt, step, walk_id);
    const int64_t row = g.offsets[v];
    const uint32_t deg = static_cast<uint32_t>(g.offsets[v + 1] - row);
    int64_t e = row + core::UniformBelow(r.x, deg);
    if (r.y > a.keep[e]) e = row + a.alias[e];
    const int32_t x = g.neighbors[e];
    if (t < 0) return x;
    const uint32_t threshold =
        x == t ? p.accept_return
               : (p.accept_common == p.accept_outward || core::HasEdge(g, x, t)
                      ? p.accept_common
                      : p.accept_outward);
    if (r.z <= threshold) return x;
  }
}

std::vector<int32_t> RefWalks(const CsrView& g, const core::AliasView& a,
                              const core::WalkParams& p, uint64_t first, uint64_t count) {
  std::vector<int32_t> out(count * p.length, -7);
  for (uint64_t w = 0; w < count; ++w) {
    int32_t* row = out.data() + w * p.length;
    int32_t t = -1, v = core::WalkStart(g, first + w);
    row[0] = v;
    uint32_t i = 1;
    for (; i < p.length; ++i) {
      const int32_t x = RefWalkStep(g, a, p, first + w, i, t, v);
      if (x < 0) break;
      row[i] = x;
      t = v;
      v = x;
    }
    for (; i < p.length; ++i) row[i] = -1;
  }
  return out;
}

// The kernel's schedule on the host: `lanes` walkers, each taking walks lane, lane + lanes, ...,
// advanced one attempt each in turn until all are done (cuda/walk.cu's loop, one warp).
std::vector<int32_t> LaneWalks(const CsrView& g, const core::PackedAliasView& a,
                               const core::WalkParams& p, uint64_t first, uint64_t count,
                               uint64_t lanes) {
  std::vector<int32_t> out(count * p.length, -7);
  std::vector<core::Walker> w(lanes);
  std::vector<uint64_t> next(lanes);
  std::vector<bool> live(lanes, false);
  for (uint64_t l = 0; l < lanes && l < count; ++l) {
    next[l] = l;
    w[l].Start(g, first + l, out.data() + l * p.length);
    live[l] = true;
  }
  for (bool any = true; any;) {
    any = false;
    for (uint64_t l = 0; l < lanes; ++l) {
      if (!live[l]) continue;
      any = true;
      if (w[l].Advance(g, a, p)) continue;
      next[l] += lanes;
      if (next[l] >= count) {
        live[l] = false;
        continue;
      }
      w[l].Start(g, first + next[l], out.data() + next[l] * p.length);
    }
  }
  return out;
}

std::vector<uint64_t> Pack(const AliasTables& t) {
  std::vector<uint64_t> slots(t.keep.size());
  for (size_t e = 0; e < slots.size(); ++e) slots[e] = core::PackAliasSlot(t.keep[e], t.alias[e]);
  return slots;
}

struct PQ {
  double p, q;
};
constexpr PQ kPQ[] = {{1.0, 1.0}, {0.25, 4.0}, {4.0, 0.25}, {0.5, 2.0}, {2.0, 0.5}, {1.0, 0.5}};

// Every form of the new step against the reference, for each (p, q); `symmetric` is what
// MakeWalkParams(o, g, threads) must conclude whenever q != 1.
void ExpectIdentical(const Graph& g, const std::string& name, bool symmetric, uint32_t length,
                     uint64_t first, uint64_t count) {
  const AliasTables at = BuildAliasTables(g.view(), 2);
  const std::vector<uint64_t> packed = Pack(at);
  const core::PackedAliasView pa{packed.data()};
  for (const PQ& pq : kPQ) {
    WalkOptions o;
    o.p = pq.p;
    o.q = pq.q;
    o.length = length;
    o.seed = 1234 + static_cast<uint64_t>(pq.p * 100 + pq.q);
    const core::WalkParams old_params = MakeWalkParams(o);
    const core::WalkParams params = MakeWalkParams(o, g, 2);
    EXPECT_EQ(params.symmetric, symmetric && pq.q != 1.0) << name;
    const std::string what = name + " p=" + std::to_string(pq.p) + " q=" + std::to_string(pq.q);
    const std::vector<int32_t> want = RefWalks(g.view(), at.view(), old_params, first, count);
    // The symmetric flag is forced both ways too: on a symmetric graph either search is right.
    for (int force = 0; force < 3; ++force) {
      core::WalkParams wp = params;
      if (force == 1) wp.symmetric = false;
      if (force == 2) wp.symmetric = symmetric;  // what a caller may set on a symmetric graph
      std::vector<int32_t> cpu(count * length, -7);
      cpu::SampleWalks(g.view(), at.view(), wp, first, count, cpu.data(), 2);
      ASSERT_EQ(cpu, want) << what << " (cpu::SampleWalks, force " << force << ")";
    }
    std::vector<int32_t> one(count * length, -7);
    for (uint64_t w = 0; w < count; ++w) {
      core::WalkOne(g.view(), pa, params, first + w, one.data() + w * length);
    }
    ASSERT_EQ(one, want) << what << " (core::WalkOne, packed alias slots)";
    for (uint64_t lanes : {uint64_t{1}, uint64_t{32}, uint64_t{77}}) {
      ASSERT_EQ(LaneWalks(g.view(), pa, params, first, count, lanes), want)
          << what << " (core::Walker, " << lanes << " lanes)";
    }
  }
}

Graph Rmat(int64_t nodes, int64_t edges, bool directed, bool weighted, uint64_t seed) {
  return n2v::testing::SynthTestGraph({.model = SynthModel::kRmat, .nodes = nodes, .edges = edges,
                                       .directed = directed, .weighted = weighted, .seed = seed,
                                       .threads = 2});
}

// Directed with dead ends: the last `sinks` nodes have no out-edge; rows are sorted.
Graph WithDeadEnds(int32_t n, int32_t sinks, uint64_t seed) {
  Graph g = Rmat(n, int64_t{n} * 6, /*directed=*/true, /*weighted=*/true, seed);
  Graph out;
  out.directed = true;
  for (int32_t u = 0; u < g.num_nodes(); ++u) {
    if (u < n - sinks) {
      for (int64_t e = g.offsets[u]; e < g.offsets[u + 1]; ++e) {
        out.neighbors.push_back(g.neighbors[e]);
        out.weights.push_back(g.weights[e]);
      }
    }
    out.offsets.push_back(static_cast<int64_t>(out.neighbors.size()));
  }
  out.names.resize(g.num_nodes());
  return out;
}

TEST(WalkIdentity, UndirectedWeightedRmatWithHubs) {
  const Graph g = Rmat(2000, 16000, false, true, 3);
  ASSERT_TRUE(RowsSymmetric(g.view(), 2));
  ExpectIdentical(g, "rmat undirected weighted", true, 40, 0, 4000);
}

TEST(WalkIdentity, UndirectedUnweightedRmatWithHubs) {
  const Graph g = Rmat(3000, 30000, false, false, 5);
  ExpectIdentical(g, "rmat undirected unweighted", true, 30, 17, 3000);
}

TEST(WalkIdentity, UndirectedUnweightedEr) {
  SynthGraphOptions o;
  o.model = SynthModel::kEr;
  o.nodes = 1500;
  o.edges = 6000;
  o.seed = 9;
  auto g = SynthGraph(o);
  ASSERT_TRUE(g.ok()) << g.status();
  ExpectIdentical(*g, "er undirected unweighted", true, 40, 0, 3000);
}

TEST(WalkIdentity, DirectedWeightedRmat) {
  const Graph g = Rmat(2000, 20000, true, true, 7);
  ExpectIdentical(g, "rmat directed weighted", false, 40, 5, 4000);
}

TEST(WalkIdentity, DirectedUnweightedWithDeadEnds) {
  Graph g = WithDeadEnds(1500, 200, 11);
  for (float& w : g.weights) w = 1.0f;
  ExpectIdentical(g, "directed dead ends unweighted", false, 30, 0, 3000);
}

TEST(WalkIdentity, DirectedWeightedWithDeadEnds) {
  const Graph g = WithDeadEnds(1500, 200, 13);
  ExpectIdentical(g, "directed dead ends weighted", false, 30, 99999, 3000);
}

TEST(WalkIdentity, UndirectedFlagOnAsymmetricRows) {
  // A graph that says it is undirected but whose rows are not symmetric (a CSR file is not
  // checked for it): the step must keep searching x's row, as the reference does.
  Graph g = Rmat(1500, 12000, true, true, 17);
  g.directed = false;
  ASSERT_FALSE(RowsSymmetric(g.view(), 2));
  ExpectIdentical(g, "asymmetric rows flagged undirected", false, 30, 0, 3000);
}

TEST(RowsSymmetric, FindsAMissingReverseEdgeAnywhere) {
  // 0 - 1, 1 - 2 both ways, self-loop on 2, parallel slots 0 -> 1 twice.
  Graph g;
  g.offsets = {0, 2, 4, 6};
  g.neighbors = {1, 1, 0, 2, 1, 2};
  g.weights.assign(6, 1.0f);
  EXPECT_TRUE(RowsSymmetric(g.view(), 2));
  // Drop 2 -> 1 (keep its self-loop): 1 -> 2 has no reverse; found from either end of the pair.
  Graph h;
  h.offsets = {0, 2, 4, 5};
  h.neighbors = {1, 1, 0, 2, 2};
  h.weights.assign(5, 1.0f);
  EXPECT_FALSE(RowsSymmetric(h.view(), 2));
  // Only a lower pair without its reverse: 2 -> 0 alone.
  Graph k;
  k.offsets = {0, 1, 2, 3};
  k.neighbors = {1, 0, 0};
  k.weights.assign(3, 1.0f);
  EXPECT_FALSE(RowsSymmetric(k.view(), 1));
  // MakeWalkParams leaves it false for directed graphs and when no step searches (q = 1).
  WalkOptions o;
  o.q = 2.0;
  EXPECT_TRUE(MakeWalkParams(o, g, 2).symmetric);
  g.directed = true;
  EXPECT_FALSE(MakeWalkParams(o, g, 2).symmetric);
  g.directed = false;
  o.q = 1.0;
  EXPECT_FALSE(MakeWalkParams(o, g, 2).symmetric);
}

}  // namespace
}  // namespace n2v
