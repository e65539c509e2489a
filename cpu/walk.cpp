// Walk set-up and the CPU walk loop: per-row alias tables (Vose), the p/q acceptance thresholds,
// and cpu::SampleWalks, which only iterates: every step is core::WalkStep and every walk equals
// core::WalkOne's (core/walk.hpp).
// Twin: cuda/walk.cu (n2v::cuda::SampleWalks). Threading: OpenMP over rows (alias build) and over
// walks (sampling); each walk's draws are keyed on its id, so output is independent of threads.
#include "n2v/walk.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "n2v/status.hpp"

namespace n2v {

uint32_t AcceptThreshold(double prob) {
  // Accept iff word <= threshold, i.e. with probability (threshold + 1) / 2^32 = ceil(prob·2^32)/2^32:
  // never below prob, and above it by less than 2^-32.
  constexpr double kTwo32 = 4294967296.0;
  const double t = std::ceil(prob * kTwo32) - 1.0;
  if (!(t > 0.0)) return 0;  // also catches NaN
  if (t >= kTwo32 - 1.0) return 0xFFFFFFFFu;
  return static_cast<uint32_t>(t);
}

AliasTables BuildAliasTables(const CsrView& g, int threads) {
  AliasTables t;
  t.keep.resize(static_cast<size_t>(g.num_edges));
  t.alias.resize(static_cast<size_t>(g.num_edges));
  uint32_t* const keep = t.keep.data();
  int32_t* const alias = t.alias.data();
  const int32_t n = g.num_nodes;
#pragma omp parallel num_threads(std::max(threads, 1))
  {
    // Scratch reused across rows: scaled probabilities and the two work lists of Vose's method.
    std::vector<double> prob;
    std::vector<int32_t> small, large;
#pragma omp for schedule(dynamic, 256)
    for (int32_t v = 0; v < n; ++v) {
      const int64_t row = g.offsets[v];
      const int64_t deg = g.offsets[v + 1] - row;
      if (deg == 0) continue;
      const float* w = g.weights + row;
      double sum = 0.0;
      for (int64_t j = 0; j < deg; ++j) sum += std::max(0.0, static_cast<double>(w[j]));
      prob.resize(static_cast<size_t>(deg));
      small.clear();
      large.clear();
      for (int64_t j = 0; j < deg; ++j) {
        // A row whose weights sum to zero is drawn uniformly rather than not at all.
        prob[j] = sum > 0.0 ? std::max(0.0, static_cast<double>(w[j])) * static_cast<double>(deg) / sum
                            : 1.0;
        (prob[j] < 1.0 ? small : large).push_back(static_cast<int32_t>(j));
      }
      while (!small.empty() && !large.empty()) {
        const int32_t s = small.back(), l = large.back();
        small.pop_back();
        keep[row + s] = AcceptThreshold(prob[s]);
        alias[row + s] = l;
        prob[l] = (prob[l] + prob[s]) - 1.0;  // Vose's order of operations: keeps round-off small
        if (prob[l] < 1.0) {
          large.pop_back();
          small.push_back(l);
        }
      }
      // What is left has probability 1 up to round-off (Vose: both lists end at exactly 1).
      for (int32_t j : large) keep[row + j] = 0xFFFFFFFFu, alias[row + j] = j;
      for (int32_t j : small) keep[row + j] = 0xFFFFFFFFu, alias[row + j] = j;
    }
  }
  return t;
}

core::WalkParams MakeWalkParams(const WalkOptions& o) {
  // The caller validates user input; here p, q > 0 is an invariant.
  N2V_CHECK(o.p > 0.0 && o.q > 0.0 && std::isfinite(o.p) && std::isfinite(o.q));
  N2V_CHECK(o.length >= 1);
  const double inv_p = 1.0 / o.p, inv_q = 1.0 / o.q;
  const double max_bias = std::max({inv_p, 1.0, inv_q});
  core::WalkParams p;
  p.length = o.length;
  p.accept_return = AcceptThreshold(inv_p / max_bias);
  p.accept_common = AcceptThreshold(1.0 / max_bias);
  p.accept_outward = AcceptThreshold(inv_q / max_bias);
  p.key = core::StreamKey(o.seed, core::Stream::kWalk);
  return p;
}

namespace cpu {

constexpr uint64_t kInterleave = 8;

void SampleWalks(const CsrView& g, const core::AliasView& alias, const core::WalkParams& params,
                 uint64_t first_walk, uint64_t count, int32_t* out, int threads) {
  if (count == 0) return;
  N2V_CHECK(g.num_nodes > 0 && params.length >= 1);
  const int64_t groups = static_cast<int64_t>((count + kInterleave - 1) / kInterleave);
  const uint32_t len = params.length;
  // Walk cost varies (dead ends, rejections, hub rows), so hand out small chunks dynamically.
#pragma omp parallel for schedule(dynamic, 8) num_threads(std::max(threads, 1))
  for (int64_t grp = 0; grp < groups; ++grp) {
    // kInterleave walks advance one step each in turn: each step is a chain of dependent cache
    // misses (row bounds → alias slot → neighbour → its row), and the out-of-order core overlaps
    // the chains of different walks. Each walk's draws are keyed on its id as in core::WalkOne,
    // so the nodes are exactly WalkOne's.
    const uint64_t w0 = static_cast<uint64_t>(grp) * kInterleave;
    const int m = static_cast<int>(std::min<uint64_t>(kInterleave, count - w0));
    int32_t prev[kInterleave], cur[kInterleave];
    int32_t* row[kInterleave];
    for (int k = 0; k < m; ++k) {
      const uint64_t id = first_walk + w0 + k;
      row[k] = out + (w0 + k) * len;
      prev[k] = -1;
      cur[k] = core::WalkStart(g, id);
      row[k][0] = cur[k];
    }
    for (uint32_t i = 1; i < len; ++i) {
      // Prefetch what the first attempt of each walk's step will read: the alias slot and the
      // neighbour id of the column its first random word picks. Only a hint: the step itself is
      // core::WalkStep below, which makes every decision.
      for (int k = 0; k < m; ++k) {
        if (cur[k] < 0) continue;
        const int64_t r0 = g.offsets[cur[k]];
        const uint32_t deg = static_cast<uint32_t>(g.offsets[cur[k] + 1] - r0);
        const uint32_t col =
            core::UniformBelow(core::Random4(params.key, 0, i, first_walk + w0 + k).x, deg);
        __builtin_prefetch(alias.keep + r0 + col);
        __builtin_prefetch(alias.alias + r0 + col);
        __builtin_prefetch(g.neighbors + r0 + col);
      }
      for (int k = 0; k < m; ++k) {
        if (cur[k] < 0) {
          row[k][i] = -1;
          continue;
        }
        const int32_t x = core::WalkStep(g, alias, params, first_walk + w0 + k, i, prev[k], cur[k]);
        row[k][i] = x;
        prev[k] = cur[k];
        cur[k] = x;  // -1 at a dead end: the rest of this walk is padding
        if (x >= 0) __builtin_prefetch(g.offsets + x);  // the next step's row bounds
      }
    }
  }
}

}  // namespace cpu
}  // namespace n2v
