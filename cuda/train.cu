// The seed's Adam model on the device (cuda/train.cuh). Twin: cpu/train_adam.cpp (cpu::TrainAdam).
//
// One kernel per optimizer step. Step s needs W_s = Adam(W_{s-1}, G_{s-1}) before it can compute
// G_s, which is a grid-wide dependency; instead of two launches per step (a gradient kernel and a
// dense Adam kernel) the step kernel does both halves of that dependency at once:
//   dense part   — every parameter: (W, M, V)_s from (W, M, V)_{s-1} and G_{s-1} (+ 2λW),
//                  Σ W_s² for the loss, and zeroes G_{s+1} for the step after next;
//   batch part   — one warp per example of batch s: the warp recomputes the W_s entries of its
//                  two rows from the same inputs (core::AdamUpdate, --fmad=false: bit-identical to
//                  what the dense part writes), takes the dot product, BCE and dL/dz, and
//                  atomically adds the row gradients into G_s.
// State is ping-ponged (W, M, V)[s & 1] and the gradient rotates over three buffers G[s % 3], so
// the two parts never touch the same memory. MovieLens is ≈ 8600 tiny steps: one launch per step,
// and a chunk of up to kGraphSteps launches captured once into a CUDA Graph and replayed (each
// kernel reads its chunk's first global step from device memory, so one graph serves every chunk
// of every epoch), bring the launch cost to roughly 2 µs per step. On sm_90+ the steps are
// launched with programmatic dependent launch: step s + 1's kernel starts while step s finishes
// and loads its examples (which do not depend on step s) before waiting for it. A persistent
// cooperative kernel would need one grid-wide barrier per step anyway, costs about as much, and
// can deadlock if co-residency is misjudged; the graph cannot.
#include <cub/block/block_reduce.cuh>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cuda/cuda_check.cuh"
#include "cuda/device.cuh"
#include "cuda/device_buffer.cuh"
#include "cuda/train.cuh"
#include "n2v/core/limits.hpp"
#include "n2v/core/sgns.hpp"
#include "n2v/core/shuffle.hpp"
#include "n2v/cuda_api.hpp"
#include "n2v/status.hpp"

namespace n2v::cuda {
namespace {

constexpr int kBlock = 256;
constexpr int kWarp = 32;
// Per-step loss sums are spread over this many slots (block % kLossStripes) and added up on the
// host: ~400 blocks adding doubles to one address serialise in L2, and ncu showed the step kernel
// latency-bound (12k cycles, 10% memory throughput) with nothing else long enough to explain it.
constexpr int kLossStripes = 16;
constexpr unsigned kFullMask = 0xFFFFFFFFu;
// Steps per captured graph: an epoch of the seed's job (860 steps) in one graph; bigger epochs are
// replayed in chunks, so capture and instantiation stay cheap however large the epoch.
constexpr int64_t kGraphSteps = 2048;

// cpu/train_adam.cpp's packed example: one 16-byte load per (shuffled) visit.
struct alignas(16) PackedExample {
  int32_t target;
  int32_t context;
  float weight;
  float label;
};

// The optimizer state: (W, M, V)[parity] of [rows x dim] floats and three gradient buffers.
struct AdamBuffers {
  float* w[2];
  float* m[2];
  float* v[2];
  float* g[3];
  size_t params;
  float lambda;
};

struct AdamStepArgs {
  AdamBuffers buf;
  const PackedExample* ex;
  uint64_t num_examples;
  int32_t batch;
  int32_t dim;
  int64_t num_batches;                  // per epoch
  const core::AdamStepScalars* scalars;  // [t - 1] for Adam step t ≥ 1
  const core::PhiloxKey* epoch_keys;     // [epoch]
  const int64_t* step_base;              // first global step of the launch's chunk (set per replay)
  double* bce;                           // [global step][kLossStripes] Σ w·BCE of the batch
  double* sq;                            // [global step][kLossStripes] Σ W_s²
  int32_t dense_blocks;                  // blocks [0, dense_blocks) do the dense part, the rest
                                         // the batch part (see AdamStepKernel)
};

// Programmatic dependent launch (sm_90+; no-ops before, and when a kernel was launched without
// the attribute): a step lets the next step's kernel launch at once, and that kernel does what
// does not depend on this step (its examples' permutation and loads) before waiting for this one
// to finish and its writes to be visible.
__device__ __forceinline__ void LetNextStepLaunch() {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
  asm volatile("griddepcontrol.launch_dependents;" ::: "memory");
#endif
}
__device__ __forceinline__ void WaitForPreviousStep() {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
  asm volatile("griddepcontrol.wait;" ::: "memory");
#endif
}

// Parameter p of W_s (and M_s, V_s) from state s-1 and G_{s-1}: the CPU's dense update, verbatim.
__device__ __forceinline__ void AdamFrom(const AdamBuffers& b, int64_t prev, size_t p,
                                         const core::AdamStepScalars& sc, float& w, float& m,
                                         float& v) {
  const int par = static_cast<int>(prev & 1);
  w = b.w[par][p];
  m = b.m[par][p];
  v = b.v[par][p];
  const float g = b.g[prev % 3][p];
  core::AdamUpdate(w, m, v, g + core::L2Grad(w, b.lambda), sc);
}

// Dense part of step s (grid-stride over parameters): writes state s (s ≥ 1; state 0 is the
// initial table), zeroes G_{s+1}, returns this thread's share of Σ W_s².
__device__ double DenseAdam(const AdamBuffers& b, int64_t s, const core::AdamStepScalars* scalars,
                           int64_t block, int64_t blocks) {
  const size_t stride = static_cast<size_t>(blocks) * blockDim.x;
  const size_t first = static_cast<size_t>(block) * blockDim.x + threadIdx.x;
  float* const g_zero = b.g[(s + 1) % 3];
  double sq = 0.0;
  if (s == 0) {
    for (size_t p = first; p < b.params; p += stride) {
      const float w = b.w[0][p];
      sq += static_cast<double>(w * w);
      g_zero[p] = 0.0f;
    }
    return sq;
  }
  const core::AdamStepScalars sc = scalars[s - 1];
  const int cur = static_cast<int>(s & 1);
  for (size_t p = first; p < b.params; p += stride) {
    float w, m, v;
    AdamFrom(b, s - 1, p, sc, w, m, v);
    b.w[cur][p] = w;
    b.m[cur][p] = m;
    b.v[cur][p] = v;
    sq += static_cast<double>(w * w);
    g_zero[p] = 0.0f;
  }
  return sq;
}

// Batch part of step s: one warp per example (grid-stride over warps); lane l holds dimensions
// l, l + 32, … (kPerLane of them: dim ≤ 32·kPerLane ≤ 1024), so both rows stay in registers for
// the dot product (warp-shuffle sum) and the gradient. Returns lane 0's share of Σ w·BCE.
template <int kPerLane>
__device__ double BatchGradient(const AdamStepArgs& a, int64_t s, int64_t b_in_epoch,
                                core::PhiloxKey key, int64_t block, int64_t blocks) {
  const int lane = threadIdx.x & (kWarp - 1);
  const int64_t warp = (block * blockDim.x + threadIdx.x) / kWarp;
  const int64_t warps = blocks * blockDim.x / kWarp;
  const int32_t dim = a.dim;
  const bool initial = s == 0;
  core::AdamStepScalars sc{};
  if (!initial) sc = a.scalars[s - 1];
  float* const g_out = a.buf.g[s % 3];
  const float batch_f = static_cast<float>(a.batch);
  double loss = 0.0;
  // Example i of the batch: its shuffled position and record depend on nothing the previous step
  // writes, so the warp's first is loaded before waiting for that step, and each next one a turn
  // ahead.
  auto load = [&](int64_t i) {
    const uint64_t pos = static_cast<uint64_t>(b_in_epoch) * static_cast<uint64_t>(a.batch) +
                         static_cast<uint64_t>(i);
    return a.ex[core::PermuteIndex(pos, a.num_examples, key)];
  };
  PackedExample next{};
  if (warp < a.batch) next = load(warp);
  WaitForPreviousStep();
  for (int64_t i = warp; i < a.batch; i += warps) {
    const PackedExample e = next;
    if (i + warps < a.batch) next = load(i + warps);
    const size_t t0 = static_cast<size_t>(e.target) * dim;
    const size_t c0 = static_cast<size_t>(e.context) * dim;
    float et[kPerLane], ec[kPerLane];
    float partial = 0.0f;
#pragma unroll
    for (int j = 0; j < kPerLane; ++j) {
      const int d = lane + j * kWarp;
      et[j] = 0.0f;
      ec[j] = 0.0f;
      if (d < dim) {
        if (initial) {
          et[j] = a.buf.w[0][t0 + d];
          ec[j] = a.buf.w[0][c0 + d];
        } else {
          float m, v;
          AdamFrom(a.buf, s - 1, t0 + d, sc, et[j], m, v);
          AdamFrom(a.buf, s - 1, c0 + d, sc, ec[j], m, v);
        }
        partial += et[j] * ec[j];
      }
    }
#pragma unroll
    for (int off = kWarp / 2; off > 0; off >>= 1) partial += __shfl_down_sync(kFullMask, partial, off);
    const float z = __shfl_sync(kFullMask, partial, 0);  // lane 0's sum, the same bits everywhere
    // d(Σ w·bce / batch)/dz in the CPU twin's order: (w / batch)·(σ(z) − y).
    const float coef = (e.weight / batch_f) * core::BceWithLogitsGrad(z, e.label);
    if (lane == 0) loss += static_cast<double>(e.weight * core::BceWithLogits(z, e.label));
#pragma unroll
    for (int j = 0; j < kPerLane; ++j) {
      const int d = lane + j * kWarp;
      if (d < dim) {
        atomicAdd(g_out + t0 + d, coef * ec[j]);
        atomicAdd(g_out + c0 + d, coef * et[j]);
      }
    }
  }
  return loss;
}

// One optimizer step, global step s = *step_base + j (batch s mod num_batches of epoch
// s / num_batches): dense part + batch part (see the file comment). Grid: a.dense_blocks blocks
// for the parameters, then enough blocks for one warp per example of the batch; block 256. Ends
// with one block-level reduction and one double atomicAdd per figure per block.
template <int kPerLane>
__global__ void __launch_bounds__(kBlock) AdamStepKernel(AdamStepArgs a, int64_t j) {
  const int64_t s = *a.step_base + j;
  const int64_t epoch = s / a.num_batches;
  const int64_t b_in_epoch = s - epoch * a.num_batches;
  // The two parts touch disjoint buffers, so they run in different blocks at the same time: a
  // step then costs the longer of the two dependent-load chains rather than their sum.
  const int64_t block = blockIdx.x, dense_blocks = a.dense_blocks;
  const bool dense = block < dense_blocks;
  // step_base, the examples and the keys are written before the replay, never by a step.
  LetNextStepLaunch();
  if (dense) WaitForPreviousStep();  // the batch part waits after its first example's load
  const double mine =
      dense ? DenseAdam(a.buf, s, a.scalars, block, dense_blocks)
            : BatchGradient<kPerLane>(a, s, b_in_epoch, a.epoch_keys[epoch], block - dense_blocks,
                                      static_cast<int64_t>(gridDim.x) - dense_blocks);
  using BlockReduce = cub::BlockReduce<double, kBlock>;
  __shared__ typename BlockReduce::TempStorage tmp;
  const double block_sum = BlockReduce(tmp).Sum(mine);
  if (threadIdx.x == 0) {
    atomicAdd((dense ? a.sq : a.bce) + s * kLossStripes + block % kLossStripes, block_sum);
  }
}

// After the last step S − 1: state S = Adam(state S − 1, G_{S−1}), the trained table.
// Grid-stride over parameters.
__global__ void AdamFinishKernel(AdamBuffers b, const core::AdamStepScalars* scalars, int64_t s) {
  (void)DenseAdam(b, s, scalars, blockIdx.x, gridDim.x);
}

// One thread: *step_base = base, the first global step of the chunk replayed next (a kernel rather
// than a host-to-device copy: stream-ordered, no host buffer to keep alive).
__global__ void SetStepBaseKernel(int64_t* step_base, int64_t base) { *step_base = base; }

// One thread per example: packs and validates (ids in [0, rows)); *bad = 1 on a bad id.
__global__ void PackExamplesKernel(ExamplesView ex, int32_t rows, PackedExample* out, int* bad) {
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < ex.size;
       i += stride) {
    const int32_t t = ex.target[i], c = ex.context[i];
    if (t < 0 || t >= rows || c < 0 || c >= rows) atomicExch(bad, 1);
    out[i] = PackedExample{t, c, ex.weight[i], static_cast<float>(ex.label[i])};
  }
}

using StepKernel = void (*)(AdamStepArgs, int64_t);

StepKernel PickStepKernel(int32_t dim) {
  const int per_lane = (dim + kWarp - 1) / kWarp;
  if (per_lane <= 1) return AdamStepKernel<1>;
  if (per_lane <= 2) return AdamStepKernel<2>;
  if (per_lane <= 4) return AdamStepKernel<4>;
  if (per_lane <= 8) return AdamStepKernel<8>;
  if (per_lane <= 16) return AdamStepKernel<16>;
  return AdamStepKernel<32>;
}

unsigned Blocks(int64_t n, int64_t cap) {
  return GridBlocks<int64_t>(n, kBlock, cap);
}

}  // namespace

size_t AdamDeviceBytes(int64_t num_examples, int32_t rows, const AdamTrainOptions& o) {
  const size_t params = static_cast<size_t>(rows) * static_cast<size_t>(std::max(o.dim, 1));
  const int64_t nb = o.batch > 0 ? num_examples / o.batch : 0;
  const size_t steps = static_cast<size_t>(std::max<int64_t>(nb, 0)) *
                       static_cast<size_t>(std::max(o.epochs, 0));
  return sizeof(PackedExample) * static_cast<size_t>(num_examples) + 9 * sizeof(float) * params +
         steps * (sizeof(core::AdamStepScalars) + 2 * kLossStripes * sizeof(double)) +
         static_cast<size_t>(std::max(o.epochs, 0)) * sizeof(core::PhiloxKey) + 4096;
}

absl::StatusOr<AdamDeviceResult> TrainAdamOnDevice(const ExamplesView& ex,
                                                   const AdamTrainOptions& o, float* d_table,
                                                   int32_t rows, const EpochCallback& on_epoch,
                                                   cudaStream_t stream) {
  AdamDeviceResult result;
  if (rows <= 0 || o.dim <= 0 || o.dim > core::kMaxDim || o.batch <= 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "TrainAdam on CUDA: needs rows > 0, 1 <= dim <= ", core::kMaxDim, " and batch > 0 (rows ", rows,
        ", dim ", o.dim, ", batch ", o.batch, ")"));
  }
  const int64_t n = ex.size;
  const int64_t nb = n / o.batch;  // drop_remainder, as the seed's tf.data pipeline
  if (nb == 0 || o.epochs <= 0) return result;
  const size_t params = static_cast<size_t>(rows) * static_cast<size_t>(o.dim);
  const int64_t max_steps = nb * o.epochs;

  auto start = Event::Create();
  if (!start.ok()) return start.status();
  auto stop = Event::Create();
  if (!stop.ok()) return stop.status();
  N2V_RETURN_IF_ERROR(start->Record(stream));

  // --- inputs: packed examples, state, per-step scalars, per-epoch keys ------------------------
  auto packed = DeviceBuffer<PackedExample>::Allocate(static_cast<size_t>(n), "packed examples");
  if (!packed.ok()) return packed.status();
  // [0]: bad-id flag (as int); [1]: the replayed chunk's first global step.
  auto flag = DeviceBuffer<int64_t>::Allocate(2, "flags");
  if (!flag.ok()) return flag.status();
  N2V_RETURN_IF_ERROR(flag->ZeroAsync(stream));
  PackExamplesKernel<<<Blocks(n, INT_MAX), kBlock, 0, stream>>>(
      ex, rows, packed->data(), reinterpret_cast<int*>(flag->data()));
  N2V_CUDA_CHECK_LAUNCH();
  int bad = 0;
  N2V_CUDA_RETURN_IF_ERROR(
      cudaMemcpyAsync(&bad, flag->data(), sizeof(int), cudaMemcpyDeviceToHost, stream));
  N2V_CUDA_RETURN_IF_ERROR(cudaStreamSynchronize(stream));
  if (bad != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("TrainAdam on CUDA: an example's node id is outside [0, ", rows, ")"));
  }

  auto state = DeviceBuffer<float>::Allocate(9 * params, "Adam state (W, M, V twice; 3 gradients)");
  if (!state.ok()) return state.status();
  N2V_RETURN_IF_ERROR(state->ZeroAsync(stream));
  AdamBuffers buf{};
  for (int i = 0; i < 2; ++i) {
    buf.w[i] = state->data() + (0 + i) * params;
    buf.m[i] = state->data() + (2 + i) * params;
    buf.v[i] = state->data() + (4 + i) * params;
  }
  for (int i = 0; i < 3; ++i) buf.g[i] = state->data() + (6 + i) * params;
  buf.params = params;
  buf.lambda = o.l2;
  N2V_CUDA_RETURN_IF_ERROR(cudaMemcpyAsync(buf.w[0], d_table, params * sizeof(float),
                                           cudaMemcpyDeviceToDevice, stream));

  std::vector<core::AdamStepScalars> scalars(static_cast<size_t>(max_steps));
  for (int64_t t = 1; t <= max_steps; ++t) scalars[t - 1] = core::MakeAdamStep(o.adam, t);
  auto d_scalars = DeviceBuffer<core::AdamStepScalars>::FromHost(scalars.data(), scalars.size(),
                                                                 "Adam step scalars");
  if (!d_scalars.ok()) return d_scalars.status();
  std::vector<core::PhiloxKey> keys(static_cast<size_t>(o.epochs));
  for (int32_t e = 0; e < o.epochs; ++e) keys[e] = EpochShuffleKey(o.seed, e);
  auto d_keys = DeviceBuffer<core::PhiloxKey>::FromHost(keys.data(), keys.size(), "epoch keys");
  if (!d_keys.ok()) return d_keys.status();
  const size_t stripes = static_cast<size_t>(max_steps) * kLossStripes;
  auto sums = DeviceBuffer<double>::Allocate(2 * stripes, "step losses");
  if (!sums.ok()) return sums.status();
  N2V_RETURN_IF_ERROR(sums->ZeroAsync(stream));

  AdamStepArgs args{};
  args.buf = buf;
  args.ex = packed->data();
  args.num_examples = static_cast<uint64_t>(n);
  args.batch = o.batch;
  args.dim = o.dim;
  args.num_batches = nb;
  args.scalars = d_scalars->data();
  args.epoch_keys = d_keys->data();
  args.step_base = flag->data() + 1;
  args.bce = sums->data();
  args.sq = sums->data() + stripes;

  // Enough warps for the batch, enough threads for the parameters (grid-stride beyond that).
  auto sms = SmCount();
  if (!sms.ok()) return sms.status();
  // Separate blocks for the two parts: enough threads for the parameters (grid-stride beyond
  // 8 blocks per SM) and enough warps for the batch.
  const unsigned dense_blocks = Blocks(static_cast<int64_t>(params), int64_t{*sms} * 8);
  const unsigned blocks = dense_blocks + Blocks(int64_t{o.batch} * kWarp, INT_MAX);
  args.dense_blocks = static_cast<int32_t>(dense_blocks);
  const StepKernel step_kernel = PickStepKernel(o.dim);
  // Loads the kernel now (CUDA loads modules lazily, on first use), outside the capture below, and
  // fails early and clearly if this binary has no image for the device.
  cudaFuncAttributes attr{};
  N2V_CUDA_RETURN_IF_ERROR(cudaFuncGetAttributes(&attr, step_kernel));

  // Steps after the first of a launch sequence overlap their predecessor's tail (programmatic
  // dependent launch) where the loaded kernel has the griddepcontrol waits: compiled from PTX of
  // sm_90 or newer (a compute_80 image JIT-compiled for an H100 has none, and must not overlap).
  // A capture that fails with it is retried without.
  const bool pdl_capable = attr.ptxVersion >= 90;
  auto launch_steps = [&](int64_t count, bool pdl) -> absl::Status {
    cudaLaunchAttribute pdl_attr[1]{};
    pdl_attr[0].id = cudaLaunchAttributeProgrammaticStreamSerialization;
    pdl_attr[0].val.programmaticStreamSerializationAllowed = 1;
    cudaLaunchConfig_t cfg{};
    cfg.gridDim = dim3(blocks);
    cfg.blockDim = dim3(kBlock);
    cfg.stream = stream;
    for (int64_t j = 0; j < count; ++j) {
      if (pdl && j > 0) {
        cfg.attrs = pdl_attr;
        cfg.numAttrs = 1;
        N2V_CUDA_RETURN_IF_ERROR(cudaLaunchKernelEx(&cfg, step_kernel, args, j));
      } else {
        step_kernel<<<blocks, kBlock, 0, stream>>>(args, j);
        N2V_CUDA_CHECK_LAUNCH();
      }
    }
    return absl::OkStatus();
  };
  // An epoch is `full_chunks` chunks of `chunk` steps, then `tail` steps.
  const int64_t chunk = std::min(nb, kGraphSteps);
  const int64_t full_chunks = nb / chunk;
  const int64_t tail = nb - full_chunks * chunk;

  // --- capture a chunk (and the tail) once; replay per chunk ------------------------------------
  auto capture_steps = [&](int64_t count) {
    GraphExec graph;
    for (const bool pdl : {pdl_capable, false}) {
      {
        CaptureScope capture(stream);
        if (capture.Begin().ok() && launch_steps(count, pdl).ok()) {
          auto g = capture.End();
          if (g.ok()) graph = std::move(*g);
        }
      }
      (void)cudaGetLastError();  // a failed capture falls back to plain launches below
      if (graph.valid() || !pdl) break;
    }
    return graph;
  };
  GraphExec chunk_graph = capture_steps(chunk);
  GraphExec tail_graph;
  if (tail > 0) tail_graph = capture_steps(tail);
  // Each replay reads its first step from flag[1].
  auto run_steps = [&](int64_t base, int64_t count, const GraphExec& graph) -> absl::Status {
    SetStepBaseKernel<<<1, 1, 0, stream>>>(flag->data() + 1, base);
    N2V_CUDA_CHECK_LAUNCH();
    if (graph.valid()) return graph.Launch(stream);
    return launch_steps(count, false);
  };

  std::vector<double> host_sums;
  auto epoch_loss = [&](int32_t e) {
    double data = 0.0, l2 = 0.0;
    for (int64_t b = 0; b < nb; ++b) {
      for (int k = 0; k < kLossStripes; ++k) {
        const size_t slot = static_cast<size_t>(e * nb + b) * kLossStripes + k;
        data += host_sums[slot];
        l2 += host_sums[stripes + slot];
      }
    }
    return data / (static_cast<double>(nb) * o.batch) +
           static_cast<double>(o.l2) * l2 / static_cast<double>(nb);
  };
  auto fetch_sums = [&]() -> absl::Status {
    host_sums.resize(2 * stripes);
    N2V_CUDA_RETURN_IF_ERROR(cudaMemcpyAsync(host_sums.data(), sums->data(),
                                             host_sums.size() * sizeof(double),
                                             cudaMemcpyDeviceToHost, stream));
    N2V_CUDA_RETURN_IF_ERROR(cudaStreamSynchronize(stream));
    return absl::OkStatus();
  };

  int32_t epochs_run = 0;
  for (int32_t e = 0; e < o.epochs; ++e) {
    const int64_t first = static_cast<int64_t>(e) * nb;
    for (int64_t c = 0; c < full_chunks; ++c) {
      N2V_RETURN_IF_ERROR(run_steps(first + c * chunk, chunk, chunk_graph));
    }
    if (tail > 0) N2V_RETURN_IF_ERROR(run_steps(first + full_chunks * chunk, tail, tail_graph));
    epochs_run = e + 1;
    if (on_epoch) {
      N2V_RETURN_IF_ERROR(fetch_sums());
      const double loss = epoch_loss(e);
      result.losses.push_back(loss);
      if (!on_epoch(e, loss)) break;
    }
  }
  const int64_t steps = static_cast<int64_t>(epochs_run) * nb;
  AdamFinishKernel<<<Blocks(static_cast<int64_t>(params), int64_t{*sms} * 8), kBlock, 0, stream>>>(
      buf, d_scalars->data(), steps);
  N2V_CUDA_CHECK_LAUNCH();
  N2V_CUDA_RETURN_IF_ERROR(cudaMemcpyAsync(d_table, buf.w[steps & 1], params * sizeof(float),
                                           cudaMemcpyDeviceToDevice, stream));
  N2V_RETURN_IF_ERROR(stop->Record(stream));
  if (!on_epoch) {
    N2V_RETURN_IF_ERROR(fetch_sums());
    for (int32_t e = 0; e < epochs_run; ++e) result.losses.push_back(epoch_loss(e));
  }
  auto ms = stop->MsSince(*start);
  if (!ms.ok()) return ms.status();
  result.ms = *ms;
  return result;
}

absl::StatusOr<std::vector<double>> TrainAdam(const Examples& ex, const AdamTrainOptions& o,
                                              Embeddings* emb, const EpochCallback& on_epoch) {
  if (emb == nullptr || emb->rows <= 0 || emb->dim != o.dim ||
      emb->data.size() != static_cast<size_t>(emb->rows) * static_cast<size_t>(emb->dim)) {
    return absl::InvalidArgumentError(
        "TrainAdam on CUDA: emb must hold an initial [rows x o.dim] table (InitHeNormal)");
  }
  const int64_t n = ex.size();
  if (o.batch <= 0 || n / o.batch == 0 || o.epochs <= 0) return std::vector<double>{};
  N2V_CUDA_RETURN_IF_ERROR(cudaFree(nullptr));
  const size_t table_bytes = emb->data.size() * sizeof(float);
  N2V_RETURN_IF_ERROR(CheckFits(static_cast<size_t>(n) * 13 + table_bytes +
                                    AdamDeviceBytes(n, emb->rows, o),
                                "TrainAdam"));
  auto stream = Stream::Create();
  if (!stream.ok()) return stream.status();
  const size_t un = static_cast<size_t>(n);
  auto target = DeviceBuffer<int32_t>::FromHost(ex.target.data(), un, "example targets");
  if (!target.ok()) return target.status();
  auto context = DeviceBuffer<int32_t>::FromHost(ex.context.data(), un, "example contexts");
  if (!context.ok()) return context.status();
  auto label = DeviceBuffer<uint8_t>::FromHost(ex.label.data(), un, "example labels");
  if (!label.ok()) return label.status();
  auto weight = DeviceBuffer<float>::FromHost(ex.weight.data(), un, "example weights");
  if (!weight.ok()) return weight.status();
  auto table = DeviceBuffer<float>::FromHost(emb->data.data(), emb->data.size(), "embeddings");
  if (!table.ok()) return table.status();
  const ExamplesView view{target->data(), context->data(), label->data(), weight->data(), n};
  auto r = TrainAdamOnDevice(view, o, table->data(), emb->rows, on_epoch, stream->get());
  if (!r.ok()) return r.status();
  N2V_RETURN_IF_ERROR(stream->Sync());
  N2V_RETURN_IF_ERROR(table->CopyToHost(emb->data.data(), emb->data.size()));
  return std::move(r->losses);
}

}  // namespace n2v::cuda
