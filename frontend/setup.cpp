// Host-side set-up both backends share, computed once on the CPU and handed to either: per-row
// alias tables (Vose's method, in double), the integer p/q acceptance thresholds of core::WalkStep,
// and the Adam regime's initial table; and what `threads` = 0 means everywhere (all cores). Declared in n2v/walk.hpp and n2v/train.hpp.
// Threading: OpenMP over rows; results do not depend on the thread count.
#include <omp.h>
#include <sched.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <thread>
#include <vector>

#include "n2v/core/rng.hpp"
#include "n2v/core/sgns.hpp"
#include "n2v/options.hpp"
#include "n2v/status.hpp"
#include "n2v/train.hpp"
#include "n2v/walk.hpp"

namespace n2v {

int EffectiveThreads(int threads) {
  if (threads > 0) return threads;
  // The cores this process may run on: all of them, or those mpirun bound a rank to (one core
  // per rank by default), or a container's cpuset.
#if defined(__linux__)
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0) return CPU_COUNT(&set);
#endif
  const unsigned hw = std::thread::hardware_concurrency();
  return hw > 0 ? static_cast<int>(hw) : 1;
}

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
#pragma omp parallel num_threads(EffectiveThreads(threads))
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

core::WalkParams MakeWalkParams(const WalkOptions& o, const Graph& g, int threads) {
  core::WalkParams p = MakeWalkParams(o);
  // Skipped when no step searches (equal thresholds) and for directed graphs, which keep the
  // reference's edge x -> t.
  p.symmetric = !g.directed && p.accept_common != p.accept_outward &&
                RowsSymmetric(g.view(), threads);
  return p;
}

bool RowsSymmetric(const CsrView& g, int threads) {
  // Distinct pairs (u, v), u != v, split by u < v ("upper") and u > v ("lower"). If every upper
  // pair's reverse is present, reversal maps the upper pairs one-to-one into the lower ones, so
  // equal counts mean it maps onto them too: half the searches of testing every slot.
  int64_t upper = 0, lower = 0;
  int missing = 0;
  const int32_t n = g.num_nodes;
#pragma omp parallel for schedule(dynamic, 1024) num_threads(EffectiveThreads(threads)) \
    reduction(+ : upper, lower) reduction(| : missing)
  for (int32_t u = 0; u < n; ++u) {
    if (missing) continue;  // this thread's copy: an early out, not a promise for the others
    for (int64_t e = g.offsets[u]; e < g.offsets[u + 1]; ++e) {
      const int32_t v = g.neighbors[e];
      if (v == u || (e > g.offsets[u] && g.neighbors[e - 1] == v)) continue;
      if (v < u) {
        ++lower;
      } else {
        ++upper;
        if (!core::HasEdge(g, v, u)) {
          missing = 1;
          break;
        }
      }
    }
  }
  return !missing && upper == lower;
}

Embeddings InitHeNormal(int32_t rows, int32_t dim, uint64_t seed, int threads) {
  Embeddings e;
  e.rows = rows;
  e.dim = dim;
  e.data.resize(static_cast<size_t>(rows) * static_cast<size_t>(dim));
  const core::PhiloxKey key = core::StreamKey(seed, core::Stream::kInit);
  const float stddev = core::HeNormalStddev(rows);
  float* const data = e.data.data();
#pragma omp parallel for schedule(static) num_threads(EffectiveThreads(threads))
  for (int32_t r = 0; r < rows; ++r) {
    for (int32_t c = 0; c < dim; ++c) {
      data[static_cast<size_t>(r) * dim + c] =
          core::HeNormalTruncated(key, static_cast<uint64_t>(r), static_cast<uint32_t>(c), stddev);
    }
  }
  return e;
}

}  // namespace n2v
