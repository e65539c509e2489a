// word2vec-style SGD on the device (cuda/sgd.cuh). Twin: cpu::TrainSgd (cpu/train_sgd.cpp); the
// draws are core/word2vec.hpp and the per-pair math core/sgns.hpp (SgnsCoeff), shared by both,
// so the two agree up to Hogwild's races (a device parity test is still to be written).
// Threading: one warp per centre position of a walk; the warp keeps the centre's input row in
// registers (dim/32 floats per lane) and walks its shrunk window, one (centre, context) pair at a
// time: for the context and each negative, a warp-shuffle dot product, g = lr·(label − σ(dot)),
// the output row updated by g·h and g·out accumulated for the input row, which is updated once per
// pair (word2vec.c's neu1e). Updates are atomicAdd (fire-and-forget reductions): Hogwild's races
// can make a warp read a row another warp is changing, but no update is ever lost.
#include <cub/block/block_reduce.cuh>

#include <algorithm>
#include <climits>
#include <cmath>
#include <numeric>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cuda/cuda_check.cuh"
#include "cuda/device.cuh"
#include "cuda/sgd.cuh"
#include "n2v/core/sgns.hpp"
#include "n2v/core/word2vec.hpp"
#include "n2v/status.hpp"
#include "n2v/walk.hpp"

namespace n2v::cuda {
namespace {

constexpr int kBlock = 256;
constexpr int kWarp = 32;
constexpr unsigned kFullMask = 0xFFFFFFFFu;

struct SgdArgs {
  const int32_t* walks;  // [num_walks x length]
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
  double* loss;                // [epoch]
  unsigned long long* pairs;   // [epoch]
};

// One warp per centre (grid-stride over the centres [first, first + count) of flat positions
// walk·length + i); lane l holds dims l, l + 32, … of every row (kPerLane of them, dim ≤ 1024).
// Tables row-major [num_nodes x dim]. Per pair: 1 + negatives output rows read and
// atomically updated, one input row atomically updated (≈ 7.2 KB at dim 128, 5 negatives).
template <int kPerLane>
__global__ void __launch_bounds__(kBlock) SgdEpochKernel(SgdArgs a, uint64_t first,
                                                         uint64_t count) {
  const int lane = threadIdx.x & (kWarp - 1);
  const uint64_t warps = static_cast<uint64_t>(gridDim.x) * blockDim.x / kWarp;
  const int32_t dim = a.dim;
  double loss = 0.0;
  unsigned long long pairs = 0;
  for (uint64_t k = (static_cast<uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x) / kWarp;
       k < count; k += warps) {
    const uint64_t centre = first + k;
    const uint64_t w = centre / a.length;
    const uint32_t i = static_cast<uint32_t>(centre % a.length);
    const int32_t* walk = a.walks + w * a.length;
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
    const uint32_t lo = i > b ? i - b : 0;
    const uint32_t hi = static_cast<uint32_t>(
        std::min<uint64_t>(a.length, static_cast<uint64_t>(i) + b + 1));
    for (uint32_t jpos = lo; jpos < hi; ++jpos) {
      const int32_t wj = walk[jpos];
      if (jpos == i || wj < 0) continue;
      const uint64_t pair = core::SgdPairId(centre, i, jpos, a.window);
      float e1[kPerLane];
#pragma unroll
      for (int j = 0; j < kPerLane; ++j) e1[j] = 0.0f;
      for (uint32_t t = 0; t <= a.negatives; ++t) {
        int32_t target = wj;
        float label = 1.0f;
        if (t > 0) {
          target = core::DrawNegative(a.negative_key, a.epoch, pair, t - 1, a.neg_keep,
                                      a.neg_alias, a.num_nodes);
          if (target == wj) continue;  // word2vec.c: a negative equal to the context is skipped
          label = 0.0f;
        }
        float* const out_row = a.output + static_cast<size_t>(target) * dim;
        float o[kPerLane];
        float partial = 0.0f;
#pragma unroll
        for (int j = 0; j < kPerLane; ++j) {
          const int d = lane + j * kWarp;
          o[j] = d < dim ? out_row[d] : 0.0f;
          partial += h[j] * o[j];
        }
#pragma unroll
        for (int off = kWarp / 2; off > 0; off >>= 1) {
          partial += __shfl_down_sync(kFullMask, partial, off);
        }
        const float f = __shfl_sync(kFullMask, partial, 0);
        const float g = core::SgnsCoeff(f, label, lr);
        if (lane == 0) loss += static_cast<double>(core::BceWithLogits(f, label));
#pragma unroll
        for (int j = 0; j < kPerLane; ++j) {
          const int d = lane + j * kWarp;
          if (d < dim) {
            e1[j] += g * o[j];
            atomicAdd(out_row + d, g * h[j]);
          }
        }
      }
#pragma unroll
      for (int j = 0; j < kPerLane; ++j) {
        const int d = lane + j * kWarp;
        if (d < dim) {
          atomicAdd(in_row + d, e1[j]);
          h[j] += e1[j];
        }
      }
      if (lane == 0) ++pairs;
    }
  }
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

EpochKernel PickEpochKernel(int32_t dim) {
  const int per_lane = (dim + kWarp - 1) / kWarp;
  if (per_lane <= 1) return SgdEpochKernel<1>;
  if (per_lane <= 2) return SgdEpochKernel<2>;
  if (per_lane <= 4) return SgdEpochKernel<4>;
  if (per_lane <= 8) return SgdEpochKernel<8>;
  if (per_lane <= 16) return SgdEpochKernel<16>;
  return SgdEpochKernel<32>;
}

unsigned Blocks(uint64_t threads, uint64_t cap) {
  return static_cast<unsigned>(std::clamp<uint64_t>(CeilDiv(threads, uint64_t{kBlock}), 1, cap));
}

absl::Status CheckOptions(int32_t num_nodes, uint32_t length, const SgdTrainOptions& o) {
  if (num_nodes <= 0 || o.dim < 1 || o.dim > 1024 || o.window < 1 || o.epochs < 0 ||
      length == 0 || !(o.lr > 0) || !(o.power >= 0)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "TrainSgd on CUDA: needs num_nodes > 0, 1 <= dim <= 1024, window >= 1, epochs >= 0, "
        "length >= 1, lr > 0, power >= 0 (got num_nodes ", num_nodes, ", dim ", o.dim, ", window ",
        o.window, ", epochs ", o.epochs, ", length ", length, ")"));
  }
  return absl::OkStatus();
}

}  // namespace

size_t SgdDeviceBytes(int32_t num_nodes, const SgdTrainOptions& o) {
  const size_t n = static_cast<size_t>(std::max(num_nodes, 0));
  return 2 * n * static_cast<size_t>(std::max(o.dim, 1)) * sizeof(float) + n * (4 + 4 + 8) +
         static_cast<size_t>(std::max(o.epochs, 1)) * 16 + 4096;
}

absl::StatusOr<SgdState> PrepareSgd(const int32_t* d_walks, int64_t num_walks, uint32_t length,
                                    int32_t num_nodes, const SgdTrainOptions& o,
                                    cudaStream_t stream) {
  N2V_RETURN_IF_ERROR(CheckOptions(num_nodes, length, o));
  SgdState s;
  s.num_nodes = num_nodes;
  s.dim = o.dim;
  const size_t n = static_cast<size_t>(num_nodes);

  // --- node frequencies → count^power alias table (host Vose, the walks' own BuildAliasTables) --
  auto counts = DeviceBuffer<unsigned long long>::Allocate(n, "node counts");
  if (!counts.ok()) return counts.status();
  auto bad = DeviceBuffer<int>::Allocate(1, "input check flag");
  if (!bad.ok()) return bad.status();
  N2V_RETURN_IF_ERROR(counts->ZeroAsync(stream));
  N2V_RETURN_IF_ERROR(bad->ZeroAsync(stream));
  const uint64_t entries = static_cast<uint64_t>(std::max<int64_t>(num_walks, 0)) * length;
  if (entries > 0) {
    CountNodesKernel<<<Blocks(entries, INT_MAX), kBlock, 0, stream>>>(d_walks, entries, num_nodes,
                                                                      counts->data(), bad->data());
    N2V_CUDA_CHECK_LAUNCH();
  }
  std::vector<unsigned long long> h_counts(n);
  int h_bad = 0;
  N2V_CUDA_RETURN_IF_ERROR(cudaMemcpyAsync(h_counts.data(), counts->data(), n * 8,
                                           cudaMemcpyDeviceToHost, stream));
  N2V_CUDA_RETURN_IF_ERROR(
      cudaMemcpyAsync(&h_bad, bad->data(), sizeof(int), cudaMemcpyDeviceToHost, stream));
  N2V_CUDA_RETURN_IF_ERROR(cudaStreamSynchronize(stream));
  if (h_bad != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "TrainSgd: a walk holds a node id >= the node count ", num_nodes));
  }
  std::vector<float> weights(n);
  double total = 0;
  for (size_t v = 0; v < n; ++v) {
    weights[v] = h_counts[v] > 0 ? static_cast<float>(std::pow(static_cast<double>(h_counts[v]), o.power))
                                 : 0.0f;
    total += weights[v];
  }
  s.has_negatives = total > 0;
  std::vector<int64_t> offsets{0, static_cast<int64_t>(n)};
  std::vector<int32_t> columns(n);
  std::iota(columns.begin(), columns.end(), 0);
  const CsrView one_row{offsets.data(), columns.data(), weights.data(), 1,
                        static_cast<int64_t>(n)};
  const AliasTables neg = BuildAliasTables(one_row, 1);
  auto keep = DeviceBuffer<uint32_t>::FromHost(neg.keep.data(), n, "negative alias keep");
  if (!keep.ok()) return keep.status();
  s.neg_keep = std::move(*keep);
  auto alias = DeviceBuffer<int32_t>::FromHost(neg.alias.data(), n, "negative alias columns");
  if (!alias.ok()) return alias.status();
  s.neg_alias = std::move(*alias);

  // --- tables and accumulators -----------------------------------------------------------------
  const size_t params = n * static_cast<size_t>(o.dim);
  auto input = DeviceBuffer<float>::Allocate(params, "SGD input table");
  if (!input.ok()) return input.status();
  s.input = std::move(*input);
  auto output = DeviceBuffer<float>::Allocate(params, "SGD output table");
  if (!output.ok()) return output.status();
  s.output = std::move(*output);
  N2V_RETURN_IF_ERROR(s.output.ZeroAsync(stream));
  auto sms = SmCount();
  if (!sms.ok()) return sms.status();
  InitInputKernel<<<Blocks(params, uint64_t(*sms) * 16), kBlock, 0, stream>>>(
      s.input.data(), num_nodes, o.dim, core::SgdInitKey(o.seed));
  N2V_CUDA_CHECK_LAUNCH();
  const size_t epochs = static_cast<size_t>(std::max(o.epochs, 1));
  auto loss = DeviceBuffer<double>::Allocate(epochs, "SGD losses");
  if (!loss.ok()) return loss.status();
  s.loss = std::move(*loss);
  auto pairs = DeviceBuffer<unsigned long long>::Allocate(epochs, "SGD pair counts");
  if (!pairs.ok()) return pairs.status();
  s.pairs = std::move(*pairs);
  N2V_RETURN_IF_ERROR(s.loss.ZeroAsync(stream));
  N2V_RETURN_IF_ERROR(s.pairs.ZeroAsync(stream));
  N2V_CUDA_RETURN_IF_ERROR(cudaStreamSynchronize(stream));  // host vectors above die here
  return s;
}

absl::Status SgdEpochOnDevice(SgdState& s, const int32_t* d_walks, int64_t num_walks,
                              uint32_t length, const SgdTrainOptions& o, int32_t epoch,
                              uint64_t first_centre, uint64_t count, cudaStream_t stream) {
  if (count == 0 || !s.has_negatives) return absl::OkStatus();
  if (epoch < 0 || epoch >= std::max(o.epochs, 1) || s.dim != o.dim) {
    return absl::InvalidArgumentError("SgdEpoch: epoch or dim does not match the prepared state");
  }
  SgdArgs a{};
  a.walks = d_walks;
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
  a.loss = s.loss.data();
  a.pairs = s.pairs.data();
  auto sms = SmCount();
  if (!sms.ok()) return sms.status();
  // Full occupancy (8 blocks of 256 per SM), grid-stride beyond: centres are handed out in
  // order, so the learning rate decays smoothly across the launch.
  const unsigned blocks = Blocks(count * kWarp, uint64_t(*sms) * 8);
  PickEpochKernel(o.dim)<<<blocks, kBlock, 0, stream>>>(a, first_centre, count);
  N2V_CUDA_CHECK_LAUNCH();
  return absl::OkStatus();
}

absl::StatusOr<SgdStats> TrainSgdOnDevice(SgdState& s, const int32_t* d_walks, int64_t num_walks,
                                          uint32_t length, const SgdTrainOptions& o,
                                          cudaStream_t stream) {
  SgdStats stats;
  if (o.epochs <= 0 || num_walks <= 0) return stats;
  auto start = Event::Create();
  if (!start.ok()) return start.status();
  auto stop = Event::Create();
  if (!stop.ok()) return stop.status();
  N2V_RETURN_IF_ERROR(start->Record(stream));
  const uint64_t centres = static_cast<uint64_t>(num_walks) * length;
  for (int32_t e = 0; e < o.epochs; ++e) {
    N2V_RETURN_IF_ERROR(SgdEpochOnDevice(s, d_walks, num_walks, length, o, e, 0, centres, stream));
  }
  N2V_RETURN_IF_ERROR(stop->Record(stream));
  auto ms = stop->MsSince(*start);
  if (!ms.ok()) return ms.status();
  stats.ms = *ms;
  std::vector<double> loss(static_cast<size_t>(o.epochs));
  std::vector<unsigned long long> pairs(loss.size());
  N2V_RETURN_IF_ERROR(s.loss.CopyToHost(loss.data(), loss.size()));
  N2V_RETURN_IF_ERROR(s.pairs.CopyToHost(pairs.data(), pairs.size()));
  for (size_t e = 0; e < loss.size(); ++e) {
    stats.losses.push_back(pairs[e] > 0 ? loss[e] / static_cast<double>(pairs[e]) : 0.0);
    stats.pairs += static_cast<int64_t>(pairs[e]);
  }
  return stats;
}

absl::StatusOr<SgdStats> TrainSgd(const int32_t* walks, int64_t num_walks, uint32_t length,
                                  int32_t num_nodes, const SgdTrainOptions& o, Embeddings* input,
                                  Embeddings* output) {
  N2V_RETURN_IF_ERROR(CheckOptions(num_nodes, length, o));
  if (input == nullptr) return absl::InvalidArgumentError("TrainSgd: input table is null");
  N2V_CUDA_RETURN_IF_ERROR(cudaFree(nullptr));
  const size_t walk_elems = static_cast<size_t>(std::max<int64_t>(num_walks, 0)) * length;
  N2V_RETURN_IF_ERROR(
      CheckFits(walk_elems * sizeof(int32_t) + SgdDeviceBytes(num_nodes, o), "TrainSgd"));
  auto stream = Stream::Create();
  if (!stream.ok()) return stream.status();
  auto d_walks = DeviceBuffer<int32_t>::FromHost(walks, walk_elems, "walks");
  if (!d_walks.ok()) return d_walks.status();
  auto state = PrepareSgd(d_walks->data(), num_walks, length, num_nodes, o, stream->get());
  if (!state.ok()) return state.status();
  auto stats = TrainSgdOnDevice(*state, d_walks->data(), num_walks, length, o, stream->get());
  if (!stats.ok()) return stats.status();
  N2V_RETURN_IF_ERROR(stream->Sync());
  const size_t params = static_cast<size_t>(num_nodes) * o.dim;
  input->rows = num_nodes;
  input->dim = o.dim;
  input->data.resize(params);
  N2V_RETURN_IF_ERROR(state->input.CopyToHost(input->data.data(), params));
  if (output != nullptr) {
    output->rows = num_nodes;
    output->dim = o.dim;
    output->data.resize(params);
    N2V_RETURN_IF_ERROR(state->output.CopyToHost(output->data.data(), params));
  }
  return stats;
}

}  // namespace n2v::cuda
