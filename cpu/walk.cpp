// The CPU walk loop: cpu::SampleWalks only iterates; every step is core::WalkStep and every walk
// equals core::WalkOne's (core/walk.hpp). The alias tables and thresholds it reads are built by
// frontend/setup.cpp. Twin: cuda/walk.cu (n2v::cuda::SampleWalks). Threading: OpenMP over walks;
// each walk's draws are keyed on its id, so output is independent of threads.
#include "n2v/walk.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "n2v/options.hpp"
#include "n2v/status.hpp"

namespace n2v {
namespace cpu {

constexpr uint64_t kInterleave = 8;

void SampleWalks(const CsrView& g, const core::AliasView& alias, const core::WalkParams& params,
                 uint64_t first_walk, uint64_t count, int32_t* out, int threads) {
  if (count == 0) return;
  N2V_CHECK(g.num_nodes > 0 && params.length >= 1);
  const int64_t groups = static_cast<int64_t>((count + kInterleave - 1) / kInterleave);
  const uint32_t len = params.length;
  // Walk cost varies (dead ends, rejections, hub rows), so hand out small chunks dynamically.
#pragma omp parallel for schedule(dynamic, 8) num_threads(EffectiveThreads(threads))
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
