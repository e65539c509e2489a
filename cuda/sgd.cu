// word2vec-style SGD on the device (cuda/sgd.cuh). Twin: cpu::TrainSgd (cpu/train_sgd.cpp); the
// draws are core/word2vec.hpp and the per-pair math core/sgns.hpp's, shared by both. The
// arithmetic is the CPU's operation for operation (explicit __fmaf_rn/__fadd_rn/__fmul_rn: the
// TU is compiled with --fmad=false, so nothing else is fused): a dot product is lane l's fused
// multiply-add chain over dims l, l + 32, ... followed by a shuffle tree, which is exactly
// cpu/train_sgd.cpp's kLanes = 32 partial sums and halving tree; e1 += g·out and out += g·h are
// fused multiply-adds; the input row takes one rounded add of e1 per pair; and σ's exp is glibc's
// expf algorithm evaluated in double (GlibcExpf below). With SgdLaunch{1} (one warp, every centre
// in order, plain stores) the tables are then the CPU's one-thread tables. Parity tests in
// tests/cuda/: sgd_exact_test.cpp (exact launch, both entry points), sgd_hogwild_test.cpp (the
// full launch against the multi-threaded CPU), sgd_test.cu (one centre against a scalar loop).
// Threading: one warp per centre position of a walk; the warp keeps the centre's input row in
// registers (dim/32 floats per lane) and walks its shrunk window, one (centre, context) pair at a
// time: for the context and each negative, a warp-shuffle dot product, g = lr·(label − σ(dot)),
// the output row updated by g·h and g·out accumulated for the input row, which is updated once per
// pair (word2vec.c's neu1e). Hogwild launch: updates are atomicAdd (fire-and-forget reductions):
// a warp may read a row another warp is changing, but no update is ever lost.
#include <cub/block/block_reduce.cuh>

#include <algorithm>
#include <climits>
#include <cmath>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cuda/cuda_check.cuh"
#include "cuda/device.cuh"
#include "cuda/sgd.cuh"
#include "n2v/core/glibc_expf.hpp"
#include "n2v/core/sgns.hpp"
#include "n2v/core/skipgram.hpp"
#include "n2v/core/word2vec.hpp"
#include "n2v/status.hpp"
#include "n2v/walk.hpp"
#include "n2v/word2vec.hpp"

namespace n2v::cuda {
namespace {

constexpr int kBlock = 256;
constexpr int kWarp = 32;
constexpr unsigned kFullMask = 0xFFFFFFFFu;

// --- σ as the CPU computes it ------------------------------------------------------------------

// glibc's expf (core/glibc_expf.hpp): 2^(k/32) from its table times a cubic in r, all in double,
// one rounding to float at the end.
__constant__ unsigned long long kExp2fTable[32] = {N2V_GLIBC_EXP2F_TABLE};

/// expf(x) exactly as glibc computes it, for |x| < 88 (the sigmoid's argument is clamped to ±6);
/// anything else falls back to CUDA's expf. Checked on the host against glibc 2.36's expf on
/// every float in [−6, 6] (2.17e9 values), both with the polynomial's fused multiply-adds (glibc's
/// FMA variant, which x86-64 hosts with FMA run) and without: every result bit-equal. (z is
/// rounded before k and r are taken from it, as glibc's source reads; its FMA build fuses that
/// product instead, which gives other results at two floats of (−88, 88), none in [−6, 6]:
/// cpu/sigmoid_lanes.hpp.)
__device__ __forceinline__ float GlibcExpf(float x) {
  if (!(fabsf(x) < core::kExpfMainPathLimit)) return expf(x);
  const double z = __dmul_rn(core::kExpfInvLn2N, static_cast<double>(x));
  double kd = __dadd_rn(z, core::kExpfShift);  // round z to an integer k, kept in kd's low bits
  const unsigned long long ki = static_cast<unsigned long long>(__double_as_longlong(kd));
  kd = __dsub_rn(kd, core::kExpfShift);
  const double r = __dsub_rn(z, kd);
  const unsigned long long t = kExp2fTable[ki % 32] + (ki << (52 - core::kExpfTableBits));
  const double s = __longlong_as_double(static_cast<long long>(t));
  const double p = __fma_rn(core::kExpfC0, r, core::kExpfC1);
  const double r2 = __dmul_rn(r, r);
  double y = __fma_rn(core::kExpfC2, r, 1.0);
  y = __fma_rn(p, r2, y);
  y = __dmul_rn(y, s);
  return __double2float_rn(y);
}

/// core::SgnsCoeff with the host's rounding: lr·(label − 1/(1 + exp(−clamp(dot)))).
__device__ __forceinline__ float SgnsCoeffAsHost(float dot, float label, float lr) {
  const float x = core::ClampLogit(dot);
  const float sigma = __fdiv_rn(1.0f, __fadd_rn(1.0f, GlibcExpf(-x)));
  return __fmul_rn(lr, __fsub_rn(label, sigma));
}

// --- the epoch kernel ------------------------------------------------------------------------------

struct SgdArgs {
  const int32_t* walks;   // walks [walks_first, ...), row-major [. x length]
  uint64_t walks_first;   // global id of the buffer's first walk
  uint32_t length;
  int32_t dim;
  uint32_t window;
  uint32_t negatives;
  float lr0;
  float min_lr_fraction;
  uint64_t total_centres;  // num_walks · length, one epoch
  uint32_t epoch;
  uint32_t epochs;
  float* input;
  float* output;
  const uint32_t* neg_keep;
  const int32_t* neg_alias;
  uint32_t num_nodes;
  core::PhiloxKey window_key;
  core::PhiloxKey negative_key;
  uint64_t max_warps;          // warps that take centres (0: all of the grid)
  double* loss;                // [epoch]
  unsigned long long* pairs;   // [epoch]
};

// One (centre, context) pair, word2vec.c's order: for the context and then each negative in turn,
// its output row loaded, the dot product, g, the row updated; e1 accumulates g·out for the input
// row (which the caller updates). SgdEpochKernel's pairs, and TrainPairParallel's for a pair
// whose targets repeat a row.
template <int kPerLane, bool kAtomic>
__device__ __forceinline__ void TrainPairSequential(const SgdArgs& a, const float (&h)[kPerLane],
                                                    float (&e1)[kPerLane], int32_t wj,
                                                    uint64_t pair, float lr, int lane,
                                                    double& loss) {
  const int32_t dim = a.dim;
  for (uint32_t t = 0; t <= a.negatives; ++t) {
    int32_t target = wj;
    float label = 1.0f;
    if (t > 0) {
      target = core::DrawNegative(a.negative_key, a.epoch, pair, t - 1, a.neg_keep, a.neg_alias,
                                  a.num_nodes);
      if (target == wj) continue;  // word2vec.c: a negative equal to the context is skipped
      label = 0.0f;
    }
    float* const out_row = a.output + static_cast<size_t>(target) * dim;
    float o[kPerLane];
    // Lane l's partial sum of dims l, l + 32, … (a lane past the row's end keeps +0, as the
    // CPU's unused partial sums), then the CPU's halving tree: p[l] + p[l + 16], + 8, …
    float partial = 0.0f;
#pragma unroll
    for (int j = 0; j < kPerLane; ++j) {
      const int d = lane + j * kWarp;
      o[j] = d < dim ? out_row[d] : 0.0f;
      if (d < dim) partial = __fmaf_rn(h[j], o[j], partial);
    }
#pragma unroll
    for (int off = kWarp / 2; off > 0; off >>= 1) {
      partial = __fadd_rn(partial, __shfl_down_sync(kFullMask, partial, off));
    }
    const float f = __shfl_sync(kFullMask, partial, 0);
    const float g = SgnsCoeffAsHost(f, label, lr);
    if (lane == 0) loss += static_cast<double>(core::BceWithLogits(f, label));
#pragma unroll
    for (int j = 0; j < kPerLane; ++j) {
      const int d = lane + j * kWarp;
      if (d < dim) {
        e1[j] = __fmaf_rn(g, o[j], e1[j]);
        if constexpr (kAtomic) {
          atomicAdd(out_row + d, __fmul_rn(g, h[j]));
        } else {
          out_row[d] = __fmaf_rn(g, h[j], o[j]);
        }
      }
    }
  }
}

// The input row's update after a pair: e1 added (atomically under Hogwild) and into h.
template <int kPerLane, bool kAtomic>
__device__ __forceinline__ void UpdateInputRow(float* in_row, int32_t dim, int lane,
                                               float (&h)[kPerLane], const float (&e1)[kPerLane]) {
#pragma unroll
  for (int j = 0; j < kPerLane; ++j) {
    const int d = lane + j * kWarp;
    if (d < dim) {
      if constexpr (kAtomic) {
        atomicAdd(in_row + d, e1[j]);
      } else {
        in_row[d] = __fadd_rn(in_row[d], e1[j]);
      }
      h[j] = __fadd_rn(h[j], e1[j]);
    }
  }
}

// Per-block sums of the warps' losses and pair counts into the epoch's accumulators.
__device__ __forceinline__ void AddEpochStats(const SgdArgs& a, double loss,
                                              unsigned long long pairs) {
  using LossReduce = cub::BlockReduce<double, kBlock>;
  using PairReduce = cub::BlockReduce<unsigned long long, kBlock>;
  __shared__ union {
    typename LossReduce::TempStorage loss;
    typename PairReduce::TempStorage pairs;
  } tmp;
  const double block_loss = LossReduce(tmp.loss).Sum(loss);
  __syncthreads();
  const unsigned long long block_pairs = PairReduce(tmp.pairs).Sum(pairs);
  if (threadIdx.x == 0) {
    atomicAdd(a.loss + a.epoch, block_loss);
    atomicAdd(a.pairs + a.epoch, block_pairs);
  }
}

// The centre loop of word2vec's regime, which both pair kernels run: one warp per centre
// (grid-stride over the centres [first, first + count) of global flat positions walk·length + i,
// in order); lane l holds dims l, l + 32, … of every row (kPerLane of them, dim ≤ 1024). For each
// (centre, context) pair of the centre's shrunk window, train_pair(a, h, e1, wj, pair, lr, lane,
// loss) with e1 zeroed trains the output rows and accumulates the input row's update in e1,
// which is then applied (UpdateInputRow); the block's losses and pair count end in the epoch's
// sums.
template <int kPerLane, bool kAtomic, typename TrainPair>
__device__ __forceinline__ void TrainCentres(const SgdArgs& a, uint64_t first, uint64_t count,
                                             TrainPair train_pair) {
  const int lane = threadIdx.x & (kWarp - 1);
  const uint64_t grid_warps = static_cast<uint64_t>(gridDim.x) * blockDim.x / kWarp;
  const uint64_t warps =
      a.max_warps > 0 && a.max_warps < grid_warps ? a.max_warps : grid_warps;
  const uint64_t warp = (static_cast<uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x) / kWarp;
  const int32_t dim = a.dim;
  double loss = 0.0;
  unsigned long long pairs = 0;
  for (uint64_t k = warp < warps ? warp : count; k < count; k += warps) {
    const uint64_t centre = first + k;
    const uint64_t w = centre / a.length;
    const uint32_t i = static_cast<uint32_t>(centre % a.length);
    const int32_t* walk = a.walks + (w - a.walks_first) * a.length;
    const int32_t wi = walk[i];
    if (wi < 0) continue;
    const float lr = core::SgdLearningRate(
        a.lr0, a.min_lr_fraction, static_cast<uint64_t>(a.epoch) * a.total_centres + centre,
        static_cast<uint64_t>(a.epochs) * a.total_centres);
    const uint32_t b = core::ShrunkWindow(a.window_key, a.epoch, centre, a.window);
    float* const in_row = a.input + static_cast<size_t>(wi) * dim;
    float h[kPerLane];
#pragma unroll
    for (int j = 0; j < kPerLane; ++j) {
      const int d = lane + j * kWarp;
      h[j] = d < dim ? in_row[d] : 0.0f;
    }
    const core::WindowBounds wb = core::SkipgramWindow(i, b, a.length);
    for (uint32_t jpos = wb.lo; jpos < wb.hi; ++jpos) {
      const int32_t wj = walk[jpos];
      if (jpos == i || wj < 0) continue;
      const uint64_t pair = core::SgdPairId(centre, i, jpos, a.window);
      float e1[kPerLane];
#pragma unroll
      for (int j = 0; j < kPerLane; ++j) e1[j] = 0.0f;
      train_pair(a, h, e1, wj, pair, lr, lane, loss);
      UpdateInputRow<kPerLane, kAtomic>(in_row, dim, lane, h, e1);
      if (lane == 0) ++pairs;
    }
  }
  AddEpochStats(a, loss, pairs);
}

// One pair as SgdPairKernel::kParallel trains it (Hogwild): the same negatives and updates as
// TrainPairSequential<kPerLane, true>, but the K negatives are drawn by lanes 0..K−1 at once
// (each a Philox block and an alias gather) instead of by every lane one after another, and all
// 1 + K output rows are loaded, and their dot products reduced, before any is updated, so the
// 1 + K dependent round trips to memory of a pair become one. A pair that names one row twice (two equal negatives) is trained
// by TrainPairSequential instead, so that the second sees the first's update as there: with one
// warp the two kernels give the same bits. kTargets bounds 1 + K (registers: kTargets · kPerLane
// floats of rows).
template <int kPerLane, int kTargets>
__device__ __forceinline__ void TrainPairParallel(const SgdArgs& a, const float (&h)[kPerLane],
                                                  float (&e1)[kPerLane], int32_t wj,
                                                  uint64_t pair, float lr, int lane,
                                                  double& loss) {
  const int32_t dim = a.dim;
  const uint32_t negatives = a.negatives;  // 1 + negatives <= kTargets (SgdKernelFor checks)
  // Negative d is lane d's draw; target 0 is the context, target t >= 1 negative t − 1,
  // skipped (as word2vec.c) when it equals the context. Every lane holds every target.
  const int32_t mine = static_cast<uint32_t>(lane) < negatives
                           ? core::DrawNegative(a.negative_key, a.epoch, pair,
                                                static_cast<uint32_t>(lane), a.neg_keep,
                                                a.neg_alias, a.num_nodes)
                           : -1;
  int32_t target[kTargets];
  bool live[kTargets];
  target[0] = wj;
  live[0] = true;
#pragma unroll
  for (int t = 1; t < kTargets; ++t) {
    target[t] = __shfl_sync(kFullMask, mine, t - 1);
    live[t] = static_cast<uint32_t>(t) <= negatives && target[t] != wj;
  }
  bool repeats = false;
#pragma unroll
  for (int t = 2; t < kTargets; ++t) {
#pragma unroll
    for (int u = 1; u < t; ++u) repeats |= live[t] && live[u] && target[t] == target[u];
  }
  if (repeats) {  // warp-uniform: every lane holds the same targets
    TrainPairSequential<kPerLane, true>(a, h, e1, wj, pair, lr, lane, loss);
  } else {
    float o[kTargets][kPerLane];
    float partial[kTargets];
#pragma unroll
    for (int t = 0; t < kTargets; ++t) {
      const float* const row = a.output + static_cast<size_t>(live[t] ? target[t] : 0) * dim;
      partial[t] = 0.0f;
#pragma unroll
      for (int j = 0; j < kPerLane; ++j) {
        const int d = lane + j * kWarp;
        o[t][j] = live[t] && d < dim ? row[d] : 0.0f;
      }
    }
    // Each target's dot product exactly as TrainPairSequential's (lane l's fma chain over
    // dims l, l + 32, …, then the halving tree), the trees interleaved across targets.
#pragma unroll
    for (int t = 0; t < kTargets; ++t) {
#pragma unroll
      for (int j = 0; j < kPerLane; ++j) {
        if (lane + j * kWarp < dim) partial[t] = __fmaf_rn(h[j], o[t][j], partial[t]);
      }
    }
#pragma unroll
    for (int off = kWarp / 2; off > 0; off >>= 1) {
#pragma unroll
      for (int t = 0; t < kTargets; ++t) {
        partial[t] = __fadd_rn(partial[t], __shfl_down_sync(kFullMask, partial[t], off));
      }
    }
#pragma unroll
    for (int t = 0; t < kTargets; ++t) {
      if (!live[t]) continue;  // warp-uniform
      const float f = __shfl_sync(kFullMask, partial[t], 0);
      const float label = t == 0 ? 1.0f : 0.0f;
      const float g = SgnsCoeffAsHost(f, label, lr);
      if (lane == 0) loss += static_cast<double>(core::BceWithLogits(f, label));
      float* const out_row = a.output + static_cast<size_t>(target[t]) * dim;
#pragma unroll
      for (int j = 0; j < kPerLane; ++j) {
        const int d = lane + j * kWarp;
        if (d < dim) {
          e1[j] = __fmaf_rn(g, o[t][j], e1[j]);
          atomicAdd(out_row + d, __fmul_rn(g, h[j]));
        }
      }
    }
  }
}

// word2vec's regime, pairs one target after another (TrainCentres, TrainPairSequential). Tables
// row-major [num_nodes x dim]. Per pair: 1 + negatives output rows read and updated, one input
// row updated (≈ 7.2 KB at dim 128, 5 negatives).
// kAtomic (Hogwild): updates by atomicAdd, an output row by the rounded g·h (no update lost
// between warps). !kAtomic (one warp, exact): plain loads and stores in the CPU's order, the
// output row by fma(g, h, out) as the CPU: the warp reads back its own writes (same lane, same
// address), so a row drawn twice in one pair sees its first update, as on the CPU.
template <int kPerLane, bool kAtomic>
__global__ void __launch_bounds__(kBlock) SgdEpochKernel(SgdArgs a, uint64_t first,
                                                         uint64_t count) {
  TrainCentres<kPerLane, kAtomic>(a, first, count, TrainPairSequential<kPerLane, kAtomic>);
}

// word2vec's regime with the pair latency taken out (SgdPairKernel::kParallel, TrainPairParallel).
template <int kPerLane, int kTargets>
__global__ void __launch_bounds__(kBlock) SgdParallelKernel(SgdArgs a, uint64_t first,
                                                            uint64_t count) {
  TrainCentres<kPerLane, true>(a, first, count, TrainPairParallel<kPerLane, kTargets>);
}

// Shared negatives (SgdTrainOptions::shared_negatives), the CPU's TrainCentreShared: one warp per
// centre, as SgdEpochKernel; the centre's output row and its K negatives' are copied into the
// warp's slice of shared memory (the window's snapshot) with their updates accumulated beside
// them, and each context's input row is trained against them in turn; the output rows take their
// updates once, after the window. Lane l owns dims l, l + 32, … of every row, in shared memory
// too, so no lane reads what another wrote except the target ids (one __syncwarp). !kAtomic (one
// warp): the CPU's order exactly; kAtomic (Hogwild): updates by atomicAdd.
template <int kPerLane, bool kAtomic>
__global__ void SgdSharedKernel(SgdArgs a, uint64_t first, uint64_t count) {
  extern __shared__ float smem[];
  const int lane = threadIdx.x & (kWarp - 1);
  const uint32_t max_targets = a.negatives + 1;
  constexpr uint32_t kRow = kPerLane * kWarp;  // floats per row in shared memory
  float* const rows = smem + static_cast<size_t>(threadIdx.x / kWarp) *
                                 (2 * max_targets * kRow + max_targets);
  float* const delta = rows + max_targets * kRow;
  int32_t* const ids = reinterpret_cast<int32_t*>(delta + max_targets * kRow);
  const uint64_t grid_warps = static_cast<uint64_t>(gridDim.x) * blockDim.x / kWarp;
  const uint64_t warps =
      a.max_warps > 0 && a.max_warps < grid_warps ? a.max_warps : grid_warps;
  const uint64_t warp = (static_cast<uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x) / kWarp;
  const int32_t dim = a.dim;
  double loss = 0.0;
  unsigned long long pairs = 0;
  for (uint64_t k = warp < warps ? warp : count; k < count; k += warps) {
    const uint64_t centre = first + k;
    const uint64_t w = centre / a.length;
    const uint32_t i = static_cast<uint32_t>(centre % a.length);
    const int32_t* walk = a.walks + (w - a.walks_first) * a.length;
    const int32_t wi = walk[i];
    if (wi < 0) continue;
    const uint32_t b = core::ShrunkWindow(a.window_key, a.epoch, centre, a.window);
    const core::WindowBounds wb = core::SkipgramWindow(i, b, a.length);
    bool any = false;
    for (uint32_t jpos = wb.lo; jpos < wb.hi && !any; ++jpos) {
      any = jpos != i && walk[jpos] >= 0;
    }
    if (!any) continue;  // as the CPU: no context, nothing drawn or touched
    const float lr = core::SgdLearningRate(
        a.lr0, a.min_lr_fraction, static_cast<uint64_t>(a.epoch) * a.total_centres + centre,
        static_cast<uint64_t>(a.epochs) * a.total_centres);
    const uint64_t id = core::SharedNegativesPairId(centre, i, a.window);
    __syncwarp();  // every lane is done with the previous centre's ids
    uint32_t nt = 1;
    if (lane == 0) ids[0] = wi;
    for (uint32_t d = 0; d < a.negatives; ++d) {
      const int32_t v = core::DrawNegative(a.negative_key, a.epoch, id, d, a.neg_keep,
                                           a.neg_alias, a.num_nodes);
      if (v == wi) continue;
      if (lane == 0) ids[nt] = v;
      ++nt;
    }
    __syncwarp();
    for (uint32_t t = 0; t < nt; ++t) {
      const float* out_row = a.output + static_cast<size_t>(ids[t]) * dim;
#pragma unroll
      for (int j = 0; j < kPerLane; ++j) {
        const int d = lane + j * kWarp;
        rows[t * kRow + j * kWarp + lane] = d < dim ? out_row[d] : 0.0f;
        delta[t * kRow + j * kWarp + lane] = 0.0f;
      }
    }
    for (uint32_t jpos = wb.lo; jpos < wb.hi; ++jpos) {
      const int32_t wj = walk[jpos];
      if (jpos == i || wj < 0) continue;
      float* const in_row = a.input + static_cast<size_t>(wj) * dim;
      float h[kPerLane], e[kPerLane];
#pragma unroll
      for (int j = 0; j < kPerLane; ++j) {
        const int d = lane + j * kWarp;
        h[j] = d < dim ? in_row[d] : 0.0f;
        e[j] = 0.0f;
      }
      for (uint32_t t = 0; t < nt; ++t) {
        const float* o = rows + t * kRow;
        float partial = 0.0f;
#pragma unroll
        for (int j = 0; j < kPerLane; ++j) {
          if (lane + j * kWarp < dim) partial = __fmaf_rn(h[j], o[j * kWarp + lane], partial);
        }
#pragma unroll
        for (int off = kWarp / 2; off > 0; off >>= 1) {
          partial = __fadd_rn(partial, __shfl_down_sync(kFullMask, partial, off));
        }
        const float f = __shfl_sync(kFullMask, partial, 0);
        const float label = t == 0 ? 1.0f : 0.0f;
        const float g = SgnsCoeffAsHost(f, label, lr);
        if (lane == 0) loss += static_cast<double>(core::BceWithLogits(f, label));
        float* const dt = delta + t * kRow;
#pragma unroll
        for (int j = 0; j < kPerLane; ++j) {
          e[j] = __fmaf_rn(g, o[j * kWarp + lane], e[j]);
          dt[j * kWarp + lane] = __fmaf_rn(g, h[j], dt[j * kWarp + lane]);
        }
      }
#pragma unroll
      for (int j = 0; j < kPerLane; ++j) {
        const int d = lane + j * kWarp;
        if (d < dim) {
          if constexpr (kAtomic) {
            atomicAdd(in_row + d, e[j]);
          } else {
            in_row[d] = __fadd_rn(in_row[d], e[j]);
          }
        }
      }
      if (lane == 0) ++pairs;
    }
    for (uint32_t t = 0; t < nt; ++t) {
      float* const out_row = a.output + static_cast<size_t>(ids[t]) * dim;
#pragma unroll
      for (int j = 0; j < kPerLane; ++j) {
        const int d = lane + j * kWarp;
        if (d < dim) {
          if constexpr (kAtomic) {
            atomicAdd(out_row + d, delta[t * kRow + j * kWarp + lane]);
          } else {
            out_row[d] = __fadd_rn(out_row[d], delta[t * kRow + j * kWarp + lane]);
          }
        }
      }
    }
  }
  // One atomic per warp (the block size varies with the shared memory each warp needs).
  if (lane == 0 && (loss != 0.0 || pairs != 0)) {
    atomicAdd(a.loss + a.epoch, loss);
    atomicAdd(a.pairs + a.epoch, pairs);
  }
}

// One thread per walk entry (grid-stride): counts[v] += 1 for every valid id; *bad = 1 if an id
// is >= num_nodes (negative ids are padding).
__global__ void CountNodesKernel(const int32_t* walks, uint64_t entries, int32_t num_nodes,
                                 unsigned long long* counts, int* bad) {
  const uint64_t stride = static_cast<uint64_t>(gridDim.x) * blockDim.x;
  for (uint64_t e = static_cast<uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x; e < entries;
       e += stride) {
    const int32_t v = walks[e];
    if (v >= num_nodes) {
      atomicExch(bad, 1);
    } else if (v >= 0) {
      atomicAdd(counts + v, 1ull);
    }
  }
}

// One thread per walk (grid-stride): core::SubsampleWalk of walks [first, first + count), read
// from `in` (row w − in_first) and written to `out` (row w − first).
__global__ void SubsampleKernel(const int32_t* in, uint64_t in_first, int32_t* out,
                                uint64_t first, uint64_t count, uint32_t length, uint32_t epoch,
                                const uint32_t* keep, core::PhiloxKey key) {
  const uint64_t stride = static_cast<uint64_t>(gridDim.x) * blockDim.x;
  for (uint64_t k = static_cast<uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x; k < count;
       k += stride) {
    const uint64_t w = first + k;
    core::SubsampleWalk(key, epoch, w, length, keep, in + (w - in_first) * length,
                        out + k * length);
  }
}

// One thread per input-table element (grid-stride): core::Word2vecInit.
__global__ void InitInputKernel(float* input, int32_t rows, int32_t dim, core::PhiloxKey key) {
  const uint64_t n = static_cast<uint64_t>(rows) * dim;
  const uint64_t stride = static_cast<uint64_t>(gridDim.x) * blockDim.x;
  for (uint64_t p = static_cast<uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x; p < n;
       p += stride) {
    input[p] = core::Word2vecInit(key, p / dim, static_cast<uint32_t>(p % dim), dim);
  }
}

using EpochKernel = void (*)(SgdArgs, uint64_t, uint64_t);

template <bool kAtomic>
EpochKernel PickEpochKernelFor(int32_t dim) {
  const int per_lane = (dim + kWarp - 1) / kWarp;
  if (per_lane <= 1) return SgdEpochKernel<1, kAtomic>;
  if (per_lane <= 2) return SgdEpochKernel<2, kAtomic>;
  if (per_lane <= 4) return SgdEpochKernel<4, kAtomic>;
  if (per_lane <= 8) return SgdEpochKernel<8, kAtomic>;
  if (per_lane <= 16) return SgdEpochKernel<16, kAtomic>;
  return SgdEpochKernel<32, kAtomic>;
}

/// One warp alone needs no atomics: its loads see its own stores.
EpochKernel PickEpochKernel(int32_t dim, bool exact) {
  return exact ? PickEpochKernelFor<false>(dim) : PickEpochKernelFor<true>(dim);
}

// SgdParallelKernel holds 1 + negatives rows of kPerLane floats per lane in registers: up to 8
// targets (the default 5 negatives and up to 7) at dims up to 128.
constexpr int kParallelTargets = 8;
constexpr int kParallelMaxPerLane = 4;

bool ParallelKernelApplies(int32_t dim, uint32_t negatives) {
  return negatives + 1 <= static_cast<uint32_t>(kParallelTargets) &&
         (dim + kWarp - 1) / kWarp <= kParallelMaxPerLane;
}

// 6 targets (word2vec's and n2v's default of 5 negatives) or 8: rows of targets a launch never
// has would still take registers.
template <int kTargets>
EpochKernel PickParallelKernelFor(int32_t dim) {
  const int per_lane = (dim + kWarp - 1) / kWarp;
  if (per_lane <= 1) return SgdParallelKernel<1, kTargets>;
  if (per_lane <= 2) return SgdParallelKernel<2, kTargets>;
  return SgdParallelKernel<4, kTargets>;
}

EpochKernel PickParallelKernel(int32_t dim, uint32_t negatives) {
  return negatives + 1 <= 6 ? PickParallelKernelFor<6>(dim)
                            : PickParallelKernelFor<kParallelTargets>(dim);
}

// Blocks of `threads` threads (and `smem` dynamic shared bytes) of `kernel` resident at once on
// the device: the grid-stride launches use no more, so that every warp starts at once and the
// centres, handed out in order, are trained in about that order in time (the learning rate
// decays with the centre). At least one block per SM.
uint64_t ResidentBlocks(EpochKernel kernel, int threads, size_t smem, int sms) {
  int per_sm = 0;
  if (cudaOccupancyMaxActiveBlocksPerMultiprocessor(&per_sm, kernel, threads, smem) !=
      cudaSuccess) {
    (void)cudaGetLastError();
    per_sm = 1;
  }
  return static_cast<uint64_t>(sms) * static_cast<uint64_t>(std::max(per_sm, 1));
}

template <bool kAtomic>
EpochKernel PickSharedKernelFor(int32_t dim, int* per_lane) {
  const int need = (dim + kWarp - 1) / kWarp;
  for (const int p : {1, 2, 4, 8, 16}) {
    if (need <= p) {
      *per_lane = p;
      switch (p) {
        case 1: return SgdSharedKernel<1, kAtomic>;
        case 2: return SgdSharedKernel<2, kAtomic>;
        case 4: return SgdSharedKernel<4, kAtomic>;
        case 8: return SgdSharedKernel<8, kAtomic>;
        default: return SgdSharedKernel<16, kAtomic>;
      }
    }
  }
  *per_lane = 32;
  return SgdSharedKernel<32, kAtomic>;
}


unsigned Blocks(uint64_t threads, uint64_t cap) {
  return GridBlocks<uint64_t>(threads, kBlock, cap);
}

/// Launches the epoch kernel of `o` (word2vec's or shared negatives) on centres
/// [first, first + count) with at most `cap` blocks of kBlock threads' worth of warps.
absl::Status LaunchEpochKernel(const SgdArgs& a, const SgdTrainOptions& o, SgdKernelRun run,
                               uint64_t max_warps, int sms, uint64_t first, uint64_t count,
                               cudaStream_t stream) {
  const bool exact = run == SgdKernelRun::kExact || run == SgdKernelRun::kSharedExact;
  if (!o.shared_negatives) {
    const EpochKernel kernel = run == SgdKernelRun::kParallel ? PickParallelKernel(o.dim, o.negatives)
                                                              : PickEpochKernel(o.dim, exact);
    uint64_t cap = ResidentBlocks(kernel, kBlock, 0, sms);
    if (max_warps > 0) cap = std::min<uint64_t>(cap, CeilDiv(max_warps * kWarp, uint64_t{kBlock}));
    kernel<<<Blocks(count * kWarp, cap), kBlock, 0, stream>>>(a, first, count);
    N2V_CUDA_CHECK_LAUNCH();
    return absl::OkStatus();
  }
  int per_lane = 0;
  const EpochKernel kernel = exact ? PickSharedKernelFor<false>(o.dim, &per_lane)
                                   : PickSharedKernelFor<true>(o.dim, &per_lane);
  const uint64_t targets = uint64_t{o.negatives} + 1;
  const uint64_t per_warp = (2 * targets * per_lane * kWarp + targets) * sizeof(float);
  int dev = 0, optin = 0;
  N2V_CUDA_RETURN_IF_ERROR(cudaGetDevice(&dev));
  N2V_CUDA_RETURN_IF_ERROR(
      cudaDeviceGetAttribute(&optin, cudaDevAttrMaxSharedMemoryPerBlockOptin, dev));
  if (per_warp > static_cast<uint64_t>(optin)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--shared-negatives on CUDA: dim ", o.dim, " with ", o.negatives, " negatives needs ",
        per_warp, " bytes of shared memory per warp, more than the device's ", optin));
  }
  const int warps_per_block = static_cast<int>(
      std::clamp<uint64_t>(std::min<uint64_t>(48 * 1024, optin) / per_warp, 1, 8));
  const uint64_t smem = per_warp * warps_per_block;
  if (smem > 48 * 1024) {
    N2V_CUDA_RETURN_IF_ERROR(cudaFuncSetAttribute(
        kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, static_cast<int>(smem)));
  }
  const uint64_t threads = uint64_t(warps_per_block) * kWarp;
  uint64_t cap = ResidentBlocks(kernel, static_cast<int>(threads), smem, sms);
  if (max_warps > 0) cap = std::min<uint64_t>(cap, CeilDiv(max_warps * kWarp, threads));
  const unsigned blocks = GridBlocks<uint64_t>(count * kWarp, threads, cap);
  kernel<<<blocks, static_cast<unsigned>(threads), smem, stream>>>(a, first, count);
  N2V_CUDA_CHECK_LAUNCH();
  return absl::OkStatus();
}

}  // namespace

SgdKernelRun SgdKernelFor(const SgdTrainOptions& o, const SgdLaunch& launch) {
  // Naming a pair kernel with one warp runs it with atomics (the tests' comparison); shared
  // negatives have one kernel, exact with one warp.
  if (o.shared_negatives) {
    return launch.max_warps == 1 ? SgdKernelRun::kSharedExact : SgdKernelRun::kShared;
  }
  if (launch.max_warps == 1 && launch.pairs == SgdPairKernel::kAuto) return SgdKernelRun::kExact;
  // kAuto keeps the sequential kernel: the parallel one has not yet run on a GPU (SgdLaunch).
  if (launch.pairs == SgdPairKernel::kParallel && ParallelKernelApplies(o.dim, o.negatives)) {
    return SgdKernelRun::kParallel;
  }
  return SgdKernelRun::kSequential;
}

size_t SgdDeviceBytes(int32_t num_nodes, const SgdTrainOptions& o) {
  const size_t n = static_cast<size_t>(std::max(num_nodes, 0));
  const size_t subsample = o.sample > 0 ? n * 4 + kSubsampleSlice * sizeof(int32_t) : 0;
  return 2 * n * static_cast<size_t>(std::max(o.dim, 1)) * sizeof(float) + n * (4 + 4 + 8) +
         subsample + static_cast<size_t>(std::max(o.epochs, 1)) * 16 + 4096;
}

absl::StatusOr<DeviceSgdTables> AllocateSgdTables(int32_t num_nodes, const SgdTrainOptions& o,
                                                  cudaStream_t stream) {
  N2V_RETURN_IF_ERROR(CheckSgdOptions("TrainSgd on CUDA", num_nodes, 1, o));
  DeviceSgdTables s;
  s.num_nodes = num_nodes;
  s.dim = o.dim;
  const size_t n = static_cast<size_t>(num_nodes);
  const size_t params = n * static_cast<size_t>(o.dim);
  N2V_ASSIGN_OR_RETURN(s.input, DeviceBuffer<float>::Allocate(params, "SGD input table"));
  N2V_ASSIGN_OR_RETURN(s.output, DeviceBuffer<float>::Allocate(params, "SGD output table"));
  N2V_ASSIGN_OR_RETURN(s.neg_keep, DeviceBuffer<uint32_t>::Allocate(n, "negative alias keep"));
  N2V_ASSIGN_OR_RETURN(s.neg_alias,
                       DeviceBuffer<int32_t>::Allocate(n, "negative alias columns"));
  const size_t epochs = static_cast<size_t>(std::max(o.epochs, 1));
  N2V_ASSIGN_OR_RETURN(s.loss, DeviceBuffer<double>::Allocate(epochs, "SGD losses"));
  N2V_ASSIGN_OR_RETURN(s.pairs,
                       DeviceBuffer<unsigned long long>::Allocate(epochs, "SGD pair counts"));
  N2V_RETURN_IF_ERROR(s.loss.ZeroAsync(stream));
  N2V_RETURN_IF_ERROR(s.pairs.ZeroAsync(stream));
  return s;
}

absl::Status InitSgdTables(DeviceSgdTables& s, uint64_t seed, cudaStream_t stream) {
  N2V_RETURN_IF_ERROR(s.output.ZeroAsync(stream));
  const uint64_t params = s.input.size();
  if (params == 0) return absl::OkStatus();
  N2V_ASSIGN_OR_RETURN(const int sms, SmCount());
  InitInputKernel<<<Blocks(params, uint64_t(sms) * 16), kBlock, 0, stream>>>(
      s.input.data(), s.num_nodes, s.dim, core::SgdInitKey(seed));
  N2V_CUDA_CHECK_LAUNCH();
  return absl::OkStatus();
}

absl::Status UploadNegatives(DeviceSgdTables& s, const std::vector<uint64_t>& counts,
                             const SgdTrainOptions& o) {
  const double power = o.power;
  const size_t n = static_cast<size_t>(s.num_nodes);
  if (counts.size() != n || s.neg_keep.size() != n || s.neg_alias.size() != n) {
    return absl::InternalError(absl::StrCat("UploadNegatives: ", counts.size(),
                                            " counts for a table of ", n, " rows"));
  }
  s.has_negatives = std::any_of(counts.begin(), counts.end(), [](uint64_t c) { return c > 0; });
  const AliasTables neg = NegativeTable(counts, power);
  if (neg.keep.size() != n || neg.alias.size() != n) {
    return absl::InternalError("UploadNegatives: NegativeTable has the wrong size");
  }
  N2V_RETURN_IF_ERROR(s.neg_keep.CopyFromHost(neg.keep.data(), n));
  N2V_RETURN_IF_ERROR(s.neg_alias.CopyFromHost(neg.alias.data(), n));
  s.sample = o.sample;
  const std::vector<uint32_t> keep = SubsampleThresholds(counts, o.sample);
  if (keep.empty()) {
    s.sample_keep = DeviceBuffer<uint32_t>();
    return absl::OkStatus();
  }
  N2V_ASSIGN_OR_RETURN(s.sample_keep,
                       DeviceBuffer<uint32_t>::FromHost(keep.data(), n, "subsampling thresholds"));
  return absl::OkStatus();
}

absl::Status CountNodesOnDevice(const int32_t* d_walks, uint64_t entries, int32_t num_nodes,
                                unsigned long long* d_counts, int* d_bad, cudaStream_t stream) {
  if (entries == 0) return absl::OkStatus();
  N2V_ASSIGN_OR_RETURN(const int sms, SmCount());
  CountNodesKernel<<<Blocks(entries, uint64_t(sms) * 32), kBlock, 0, stream>>>(
      d_walks, entries, num_nodes, d_counts, d_bad);
  N2V_CUDA_CHECK_LAUNCH();
  return absl::OkStatus();
}

absl::StatusOr<DeviceSgdTables> PrepareSgd(const int32_t* d_walks, int64_t num_walks,
                                           uint32_t length, int32_t num_nodes,
                                           const SgdTrainOptions& o, cudaStream_t stream) {
  N2V_RETURN_IF_ERROR(CheckSgdOptions("TrainSgd on CUDA", num_nodes, length, o));
  if (num_walks < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("TrainSgd on CUDA: needs num_walks >= 0 (got ", num_walks, ")"));
  }
  const size_t n = static_cast<size_t>(num_nodes);

  // --- node frequencies → count^power alias table (NegativeTable, the CPU's own) ---------------
  N2V_ASSIGN_OR_RETURN(auto counts, DeviceBuffer<unsigned long long>::Allocate(n, "node counts"));
  N2V_ASSIGN_OR_RETURN(auto bad, DeviceBuffer<int>::Allocate(1, "input check flag"));
  N2V_RETURN_IF_ERROR(counts.ZeroAsync(stream));
  N2V_RETURN_IF_ERROR(bad.ZeroAsync(stream));
  N2V_RETURN_IF_ERROR(CountNodesOnDevice(d_walks, static_cast<uint64_t>(num_walks) * length,
                                         num_nodes, counts.data(), bad.data(), stream));
  std::vector<uint64_t> h_counts(n);
  int h_bad = 0;
  static_assert(sizeof(uint64_t) == sizeof(unsigned long long));
  N2V_CUDA_RETURN_IF_ERROR(cudaMemcpyAsync(h_counts.data(), counts.data(), n * 8,
                                           cudaMemcpyDeviceToHost, stream));
  N2V_CUDA_RETURN_IF_ERROR(
      cudaMemcpyAsync(&h_bad, bad.data(), sizeof(int), cudaMemcpyDeviceToHost, stream));
  N2V_CUDA_RETURN_IF_ERROR(cudaStreamSynchronize(stream));
  if (h_bad != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "TrainSgd: a walk holds a node id >= the node count ", num_nodes));
  }

  // --- tables and accumulators -----------------------------------------------------------------
  N2V_ASSIGN_OR_RETURN(DeviceSgdTables s, AllocateSgdTables(num_nodes, o, stream));
  N2V_RETURN_IF_ERROR(UploadNegatives(s, h_counts, o));
  N2V_RETURN_IF_ERROR(InitSgdTables(s, o.seed, stream));
  N2V_CUDA_RETURN_IF_ERROR(cudaStreamSynchronize(stream));
  return s;
}

absl::Status SgdEpochOnDevice(DeviceSgdTables& s, const int32_t* d_walks, int64_t num_walks,
                              uint32_t length, const SgdTrainOptions& o, int32_t epoch,
                              uint64_t first_centre, uint64_t count, cudaStream_t stream,
                              const SgdLaunch& launch, uint64_t d_walks_first) {
  if (count == 0 || !s.has_negatives) return absl::OkStatus();
  if (epoch < 0 || epoch >= std::max(o.epochs, 1) || s.dim != o.dim || length == 0) {
    return absl::InvalidArgumentError("SgdEpoch: epoch or dim does not match the prepared state");
  }
  if (launch.max_warps < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("SgdEpoch: SgdLaunch::max_warps must be >= 0, got ", launch.max_warps));
  }
  if (first_centre < d_walks_first * length) {
    return absl::InvalidArgumentError("SgdEpoch: centres before the walk buffer's first walk");
  }
  SgdArgs a{};
  a.walks = d_walks;
  a.walks_first = d_walks_first;
  a.length = length;
  a.dim = o.dim;
  a.window = o.window;
  a.negatives = o.negatives;
  a.lr0 = o.lr;
  a.min_lr_fraction = o.min_lr_fraction;
  a.total_centres = static_cast<uint64_t>(num_walks) * length;
  a.epoch = static_cast<uint32_t>(epoch);
  a.epochs = static_cast<uint32_t>(std::max(o.epochs, 1));
  a.input = s.input.data();
  a.output = s.output.data();
  a.neg_keep = s.neg_keep.data();
  a.neg_alias = s.neg_alias.data();
  a.num_nodes = static_cast<uint32_t>(s.num_nodes);
  a.window_key = core::SgdWindowKey(o.seed);
  a.negative_key = core::SgdNegativeKey(o.seed);
  a.max_warps = static_cast<uint64_t>(launch.max_warps);
  a.loss = s.loss.data();
  a.pairs = s.pairs.data();
  N2V_ASSIGN_OR_RETURN(const int sms, SmCount());
  // Full occupancy, grid-stride beyond: centres are handed out in order, so the learning rate
  // decays smoothly across the launch. max_warps > 0: just enough blocks for that many warps
  // (the rest of the last block only joins the reductions).
  const SgdKernelRun run = SgdKernelFor(o, launch);
  const uint64_t max_warps = static_cast<uint64_t>(launch.max_warps);
  if (s.sample_keep.size() == 0) {
    return LaunchEpochKernel(a, o, run, max_warps, sms, first_centre, count, stream);
  }
  // Subsampling: slice by slice, the walks compacted into s.kept and trained from there.
  if (first_centre % length != 0 || count % length != 0) {
    return absl::InvalidArgumentError(
        "SgdEpoch: with subsampling the centres must be whole walks");
  }
  if (s.sample != o.sample || s.sample_keep.size() != static_cast<size_t>(s.num_nodes)) {
    return absl::InvalidArgumentError("SgdEpoch: sample does not match the prepared state");
  }
  const uint64_t slice_walks = std::max<uint64_t>(1, kSubsampleSlice / length);
  const uint64_t walks = count / length;
  const size_t need = static_cast<size_t>(std::min(slice_walks, walks) * length);
  if (s.kept.size() < need) {
    s.kept = DeviceBuffer<int32_t>();  // the old one is freed first
    N2V_ASSIGN_OR_RETURN(s.kept, DeviceBuffer<int32_t>::Allocate(need, "subsampled walks"));
  }
  const core::PhiloxKey key = core::SgdSubsampleKey(o.seed);
  for (uint64_t w0 = first_centre / length; w0 < first_centre / length + walks;
       w0 += slice_walks) {
    const uint64_t n = std::min(slice_walks, first_centre / length + walks - w0);
    SubsampleKernel<<<Blocks(n, uint64_t(sms) * 8), kBlock, 0, stream>>>(
        d_walks, d_walks_first, s.kept.data(), w0, n, length, a.epoch, s.sample_keep.data(), key);
    N2V_CUDA_CHECK_LAUNCH();
    SgdArgs slice = a;
    slice.walks = s.kept.data();
    slice.walks_first = w0;
    N2V_RETURN_IF_ERROR(
        LaunchEpochKernel(slice, o, run, max_warps, sms, w0 * length, n * length, stream));
  }
  return absl::OkStatus();
}

absl::Status ReadSgdEpochStats(const DeviceSgdTables& s, int32_t epochs,
                               std::vector<double>* losses, std::vector<int64_t>* pairs) {
  const size_t n = static_cast<size_t>(std::max(epochs, 0));
  std::vector<double> loss(n);
  std::vector<unsigned long long> count(n);
  N2V_RETURN_IF_ERROR(s.loss.CopyToHost(loss.data(), n));
  N2V_RETURN_IF_ERROR(s.pairs.CopyToHost(count.data(), n));
  losses->resize(n);
  pairs->resize(n);
  for (size_t e = 0; e < n; ++e) {
    (*losses)[e] = count[e] > 0 ? loss[e] / static_cast<double>(count[e]) : 0.0;
    (*pairs)[e] = static_cast<int64_t>(count[e]);
  }
  return absl::OkStatus();
}

absl::StatusOr<SgdStats> TrainSgdOnDevice(DeviceSgdTables& s, const int32_t* d_walks,
                                          int64_t num_walks, uint32_t length,
                                          const SgdTrainOptions& o, cudaStream_t stream,
                                          const SgdLaunch& launch) {
  SgdStats stats;
  if (o.epochs <= 0 || num_walks <= 0) return stats;
  N2V_ASSIGN_OR_RETURN(Event start, Event::Create());
  N2V_ASSIGN_OR_RETURN(Event stop, Event::Create());
  N2V_RETURN_IF_ERROR(start.Record(stream));
  const uint64_t centres = static_cast<uint64_t>(num_walks) * length;
  for (int32_t e = 0; e < o.epochs; ++e) {
    N2V_RETURN_IF_ERROR(
        SgdEpochOnDevice(s, d_walks, num_walks, length, o, e, 0, centres, stream, launch));
  }
  N2V_RETURN_IF_ERROR(stop.Record(stream));
  N2V_ASSIGN_OR_RETURN(stats.ms, stop.MsSince(start));
  std::vector<int64_t> pairs;
  N2V_RETURN_IF_ERROR(ReadSgdEpochStats(s, o.epochs, &stats.losses, &pairs));
  for (const int64_t p : pairs) stats.pairs += p;
  return stats;
}

absl::StatusOr<SgdStats> TrainSgd(const int32_t* walks, int64_t num_walks, uint32_t length,
                                  int32_t num_nodes, const SgdTrainOptions& o, Embeddings* input,
                                  Embeddings* output, const SgdLaunch& launch) {
  N2V_RETURN_IF_ERROR(CheckSgdOptions("TrainSgd on CUDA", num_nodes, length, o));
  if (input == nullptr) return absl::InvalidArgumentError("TrainSgd: input table is null");
  if (num_walks < 0 || (num_walks > 0 && walks == nullptr)) {
    return absl::InvalidArgumentError(
        absl::StrCat("TrainSgd: needs num_walks >= 0 and walks to read (got ", num_walks, ")"));
  }
  if (launch.max_warps < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("TrainSgd: SgdLaunch::max_warps must be >= 0, got ", launch.max_warps));
  }
  N2V_CUDA_RETURN_IF_ERROR(cudaFree(nullptr));
  const size_t walk_elems = static_cast<size_t>(num_walks) * length;
  N2V_RETURN_IF_ERROR(
      CheckFits(walk_elems * sizeof(int32_t) + SgdDeviceBytes(num_nodes, o), "TrainSgd"));
  N2V_ASSIGN_OR_RETURN(Stream stream, Stream::Create());
  N2V_ASSIGN_OR_RETURN(auto d_walks, DeviceBuffer<int32_t>::FromHost(walks, walk_elems, "walks"));
  N2V_ASSIGN_OR_RETURN(DeviceSgdTables state,
                       PrepareSgd(d_walks.data(), num_walks, length, num_nodes, o, stream.get()));
  N2V_ASSIGN_OR_RETURN(SgdStats stats, TrainSgdOnDevice(state, d_walks.data(), num_walks, length,
                                                        o, stream.get(), launch));
  N2V_RETURN_IF_ERROR(stream.Sync());
  const size_t params = static_cast<size_t>(num_nodes) * o.dim;
  input->rows = num_nodes;
  input->dim = o.dim;
  input->data.resize(params);
  N2V_RETURN_IF_ERROR(state.input.CopyToHost(input->data.data(), params));
  if (output != nullptr) {
    output->rows = num_nodes;
    output->dim = o.dim;
    output->data.resize(params);
    N2V_RETURN_IF_ERROR(state.output.CopyToHost(output->data.data(), params));
  }
  return stats;
}

}  // namespace n2v::cuda
