// One node2vec walk step, written once for host and device (docs/DESIGN.md, decisions 2 and 3).
// A candidate is drawn by edge weight from the node's alias table, then accepted with probability
// bias/max_bias, bias = 1/p (back to the previous node), 1 (a neighbour of the previous node) or
// 1/q (outward) (Grover & Leskovec 2016, §3.2.2). Exactly the seed's transition rule, O(E) memory.
// Every accept/reject decision compares 32-bit integers, so nvcc's FMA contraction cannot make the
// GPU disagree with the CPU.
#pragma once

#include <cstdint>

#include "n2v/core/defaults.hpp"
#include "n2v/core/hd.hpp"
#include "n2v/core/rng.hpp"
#include "n2v/graph.hpp"

namespace n2v::core {

/// Per-edge alias table (Walker/Vose): for slot e of row v, keep column e - offsets[v] when
/// random word <= keep[e], else jump to column alias[e] of the same row.
struct AliasView {
  const uint32_t* keep = nullptr;  // [num_edges] ceil(prob * 2^32) - 1
  const int32_t* alias = nullptr;  // [num_edges] column within the row
};

/// Walk parameters with the p/q biases already turned into integer acceptance thresholds.
struct WalkParams {
  uint32_t length = kDefaultWalkLength;  // nodes per walk, the start included
  uint32_t accept_return = 0xFFFFFFFFu;   // accept iff random word <= threshold
  uint32_t accept_common = 0xFFFFFFFFu;
  uint32_t accept_outward = 0xFFFFFFFFu;
  PhiloxKey key{0, 0};
};

/// node2vec search bias α_pq(t, x) for the step t → v → x (Grover & Leskovec 2016, §3.2.2).
N2V_HD float Node2vecBias(bool x_is_t, bool x_adjacent_to_t, float inv_p, float inv_q) {
  return x_is_t ? inv_p : (x_adjacent_to_t ? 1.0f : inv_q);
}

/// True iff `target` is in the sorted row of `node`.
N2V_HD bool HasEdge(const CsrView& g, int32_t node, int32_t target) {
  int64_t lo = g.offsets[node], hi = g.offsets[node + 1];
  while (lo < hi) {
    const int64_t mid = lo + ((hi - lo) >> 1);
    const int32_t x = g.neighbors[mid];
    if (x == target) return true;
    if (x < target) lo = mid + 1; else hi = mid;
  }
  return false;
}

/// Draws a neighbour of v by edge weight with two random words. Requires deg(v) > 0.
N2V_HD int32_t DrawByWeight(const CsrView& g, const AliasView& a, int32_t v, uint32_t r_col,
                            uint32_t r_keep) {
  const int64_t row = g.offsets[v];
  const uint32_t deg = static_cast<uint32_t>(g.offsets[v + 1] - row);
  int64_t e = row + UniformBelow(r_col, deg);
  if (r_keep > a.keep[e]) e = row + a.alias[e];
  return g.neighbors[e];
}

/// Node after v given the previous node t (t < 0 on the first step), or -1 if v has no out-edge.
/// `step` is the index of the node being produced; draws are keyed (walk_id, step, attempt).
N2V_HD int32_t WalkStep(const CsrView& g, const AliasView& a, const WalkParams& p,
                        uint64_t walk_id, uint32_t step, int32_t t, int32_t v) {
  if (g.offsets[v + 1] == g.offsets[v]) return -1;
  for (uint32_t attempt = 0;; ++attempt) {
    const U32x4 r = Random4(p.key, attempt, step, walk_id);
    const int32_t x = DrawByWeight(g, a, v, r.x, r.y);
    if (t < 0) return x;
    // node2vec's reference code and the seed test the edge x -> t (the same for undirected graphs).
    // When q = 1 (the seed's p = q = 1 included) both answers give the same threshold, so the
    // binary search — most of a step's memory traffic — is skipped.
    const uint32_t threshold =
        x == t ? p.accept_return
               : (p.accept_common == p.accept_outward || HasEdge(g, x, t) ? p.accept_common
                                                                          : p.accept_outward);
    if (r.z <= threshold) return x;
  }
}

/// Start node of walk `walk_id`: walks cycle over the nodes, num_walks rounds of num_nodes.
N2V_HD int32_t WalkStart(const CsrView& g, uint64_t walk_id) {
  return static_cast<int32_t>(walk_id % static_cast<uint64_t>(g.num_nodes));
}

/// Writes walk `walk_id` (p.length node ids) to out; a walk that reaches a node with no out-edge
/// is padded with -1.
N2V_HD void WalkOne(const CsrView& g, const AliasView& a, const WalkParams& p, uint64_t walk_id,
                    int32_t* out) {
  int32_t t = -1, v = WalkStart(g, walk_id);
  out[0] = v;
  uint32_t i = 1;
  for (; i < p.length; ++i) {
    const int32_t x = WalkStep(g, a, p, walk_id, i, t, v);
    if (x < 0) break;
    out[i] = x;
    t = v;
    v = x;
  }
  for (; i < p.length; ++i) out[i] = -1;
}

}  // namespace n2v::core
