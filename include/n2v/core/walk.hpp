// One node2vec walk step, written once for host and device (docs/DESIGN.md, decisions 2 and 3).
// A candidate is drawn by edge weight from the node's alias table, then accepted with probability
// bias/max_bias, bias = 1/p (back to the previous node), 1 (a neighbour of the previous node) or
// 1/q (outward) (Grover & Leskovec 2016, §3.2.2). Exactly the seed's transition rule, O(E) memory.
// Every accept/reject decision compares 32-bit integers, so nvcc's FMA contraction cannot make the
// GPU disagree with the CPU. The alias table comes in two layouts (AliasView on the host,
// PackedAliasView on the device) that draw the same slots.
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

/// The same table with each slot's keep and alias in one 64-bit word (keep in the low half), so
/// a draw that jumps costs one gather, not two: the device's form (cuda::UploadGraph packs it).
struct PackedAliasView {
  const uint64_t* slot = nullptr;  // [num_edges] keep | uint64_t(uint32_t(alias)) << 32
};

N2V_HD uint64_t PackAliasSlot(uint32_t keep, int32_t alias) {
  return uint64_t{keep} | (uint64_t{static_cast<uint32_t>(alias)} << 32);
}

/// Edge slot an alias draw ends on: slot e itself when r_keep <= its keep, else its alias column.
N2V_HD int64_t AliasPick(const AliasView& a, int64_t row, int64_t e, uint32_t r_keep) {
  return r_keep > a.keep[e] ? row + a.alias[e] : e;
}
N2V_HD int64_t AliasPick(const PackedAliasView& a, int64_t row, int64_t e, uint32_t r_keep) {
  const uint64_t s = a.slot[e];
  return r_keep > static_cast<uint32_t>(s) ? row + static_cast<int32_t>(s >> 32) : e;
}

/// Walk parameters with the p/q biases already turned into integer acceptance thresholds.
struct WalkParams {
  uint32_t length = kDefaultWalkLength;  // nodes per walk, the start included
  uint32_t accept_return = 0xFFFFFFFFu;   // accept iff random word <= threshold
  uint32_t accept_common = 0xFFFFFFFFu;
  uint32_t accept_outward = 0xFFFFFFFFu;
  PhiloxKey key{0, 0};
  // Every row's reverse edges are in the graph (checked by RowsSymmetric), so "is x a neighbour
  // of t" may be answered from the shorter of the two rows. False (x's row, always right) when
  // not known.
  bool symmetric = false;
};

/// node2vec search bias α_pq(t, x) for the step t → v → x (Grover & Leskovec 2016, §3.2.2).
N2V_HD float Node2vecBias(bool x_is_t, bool x_adjacent_to_t, float inv_p, float inv_q) {
  return x_is_t ? inv_p : (x_adjacent_to_t ? 1.0f : inv_q);
}

/// True iff `target` is in the sorted slots [lo, hi) of g.neighbors.
N2V_HD bool RowHas(const CsrView& g, int64_t lo, int64_t hi, int32_t target) {
  while (lo < hi) {
    const int64_t mid = lo + ((hi - lo) >> 1);
    const int32_t x = g.neighbors[mid];
    if (x == target) return true;
    if (x < target) lo = mid + 1; else hi = mid;
  }
  return false;
}

/// True iff `target` is in the sorted row of `node`.
N2V_HD bool HasEdge(const CsrView& g, int32_t node, int32_t target) {
  return RowHas(g, g.offsets[node], g.offsets[node + 1], target);
}

/// Draws a neighbour of v by edge weight with two random words. Requires deg(v) > 0.
template <class Alias>
N2V_HD int32_t DrawByWeight(const CsrView& g, const Alias& a, int32_t v, uint32_t r_col,
                            uint32_t r_keep) {
  const int64_t row = g.offsets[v];
  const uint32_t deg = static_cast<uint32_t>(g.offsets[v + 1] - row);
  return g.neighbors[AliasPick(a, row, row + UniformBelow(r_col, deg), r_keep)];
}

/// What an attempt's draws decide before any adjacency search: the candidate x is accepted,
/// rejected, or (kSearch) decided by whether x is a neighbour of t (AcceptAfterSearch).
enum class Verdict { kReject, kAccept, kSearch };

/// The verdict of the acceptance word z for the candidate x of the step t -> v -> x (t < 0 on a
/// walk's first step, which accepts any x).
N2V_HD Verdict FirstVerdict(const WalkParams& p, int32_t t, int32_t x, uint32_t z) {
  if (t < 0) return Verdict::kAccept;
  if (x == t) return z <= p.accept_return ? Verdict::kAccept : Verdict::kReject;
  // The word alone decides unless it lies between the common and the outward thresholds: then
  // only is the binary search for the edge x -> t (most of a step's memory traffic) needed. When
  // q = 1 (the seed's p = q = 1 included) the two are equal and no step searches.
  const uint32_t lo = p.accept_common < p.accept_outward ? p.accept_common : p.accept_outward;
  const uint32_t hi = p.accept_common < p.accept_outward ? p.accept_outward : p.accept_common;
  if (z <= lo) return Verdict::kAccept;
  if (z > hi) return Verdict::kReject;
  return Verdict::kSearch;
}

/// The decision FirstVerdict left to the search: `common` = x is a neighbour of t.
N2V_HD bool AcceptAfterSearch(const WalkParams& p, bool common, uint32_t z) {
  return z <= (common ? p.accept_common : p.accept_outward);
}

/// Attempt `attempt` of the step t -> v -> ?: the candidate if accepted, else -1. Requires
/// deg(v) > 0. `step` is the index of the node being produced; the draws are keyed
/// (walk_id, step, attempt), so a caller may interleave attempts of many walks in any order.
template <class Alias>
N2V_HD int32_t WalkAttempt(const CsrView& g, const Alias& a, const WalkParams& p,
                           uint64_t walk_id, uint32_t step, uint32_t attempt, int32_t t,
                           int32_t v) {
  const U32x4 r = Random4(p.key, attempt, step, walk_id);
  const int32_t x = DrawByWeight(g, a, v, r.x, r.y);
  const Verdict verdict = FirstVerdict(p, t, x, r.z);
  if (verdict != Verdict::kSearch) return verdict == Verdict::kAccept ? x : -1;
  // node2vec's reference code and the seed test the edge x -> t. On a symmetric graph t -> x is
  // the same question, and t's row is often the shorter (x drawn by weight is biased to hubs).
  const int64_t x_lo = g.offsets[x], x_hi = g.offsets[x + 1];
  bool common;
  if (p.symmetric) {
    const int64_t t_lo = g.offsets[t], t_hi = g.offsets[t + 1];
    common = t_hi - t_lo < x_hi - x_lo ? RowHas(g, t_lo, t_hi, x) : RowHas(g, x_lo, x_hi, t);
  } else {
    common = RowHas(g, x_lo, x_hi, t);
  }
  return AcceptAfterSearch(p, common, r.z) ? x : -1;
}

/// Node after v given the previous node t (t < 0 on the first step), or -1 if v has no out-edge.
/// `step` is the index of the node being produced; draws are keyed (walk_id, step, attempt).
template <class Alias>
N2V_HD int32_t WalkStep(const CsrView& g, const Alias& a, const WalkParams& p, uint64_t walk_id,
                        uint32_t step, int32_t t, int32_t v) {
  if (g.offsets[v + 1] == g.offsets[v]) return -1;
  for (uint32_t attempt = 0;; ++attempt) {
    const int32_t x = WalkAttempt(g, a, p, walk_id, step, attempt, t, v);
    if (x >= 0) return x;
  }
}

/// Start node of walk `walk_id`: walks cycle over the nodes, num_walks rounds of num_nodes.
N2V_HD int32_t WalkStart(const CsrView& g, uint64_t walk_id) {
  return static_cast<int32_t>(walk_id % static_cast<uint64_t>(g.num_nodes));
}

/// One walk written one attempt at a time, for callers that interleave many walks (a GPU warp's
/// lanes, cuda/walk.cu): a walker whose candidate was accepted goes on to its next step while
/// another retries. Each attempt is WalkStep's, keyed (walk_id, step, attempt), so the walk is
/// WalkOne's whatever the interleaving.
struct Walker {
  uint64_t walk_id = 0;
  int32_t* out = nullptr;  // the walk's p.length slots
  int32_t t = -1, v = 0;   // previous and current node
  uint32_t step = 1, attempt = 0;

  N2V_HD void Start(const CsrView& g, uint64_t id, int32_t* row) {
    walk_id = id;
    out = row;
    t = -1;
    v = WalkStart(g, id);
    out[0] = v;
    step = 1;
    attempt = 0;
  }

  /// One attempt of the current step; once the walk is written (after a dead end, padded with
  /// -1) returns false instead.
  template <class Alias>
  N2V_HD bool Advance(const CsrView& g, const Alias& a, const WalkParams& p) {
    if (step < p.length && g.offsets[v + 1] > g.offsets[v]) {
      const int32_t x = WalkAttempt(g, a, p, walk_id, step, attempt, t, v);
      if (x < 0) {
        ++attempt;
      } else {
        out[step++] = x;
        t = v;
        v = x;
        attempt = 0;
      }
      return true;
    }
    for (; step < p.length; ++step) out[step] = -1;
    return false;
  }
};

/// Writes walk `walk_id` (p.length node ids) to out; a walk that reaches a node with no out-edge
/// is padded with -1.
template <class Alias>
N2V_HD void WalkOne(const CsrView& g, const Alias& a, const WalkParams& p, uint64_t walk_id,
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
