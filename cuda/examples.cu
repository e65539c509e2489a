// The seed's examples on the device (cuda/examples.cuh). Twin: cpu/examples.cpp — the per-walk loop
// below is the CPU's, line for line (keras's order: i outer, j inner; negatives keyed on
// (walk, couple, k) in Stream::kNegatives), so the sorted, merged output is identical.
// Threading: one thread per walk for counting and for emitting keys (a walk's couples depend on
// its own ids only); CUB does the scan, the radix sort and the run-length encoding.
#include <cub/device/device_radix_sort.cuh>
#include <cub/device/device_run_length_encode.cuh>
#include <cub/device/device_scan.cuh>

#include <algorithm>
#include <bit>
#include <climits>
#include <cstdint>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cuda/cuda_check.cuh"
#include "cuda/device.cuh"
#include "cuda/examples.cuh"
#include "n2v/core/rng.hpp"
#include "n2v/core/skipgram.hpp"
#include "n2v/cuda_api.hpp"
#include "n2v/status.hpp"

namespace n2v::cuda {
namespace {

constexpr int kBlock = 256;

// cpu/examples.cpp's key (core/skipgram.hpp), always 64-bit here.
using KeyLayout = core::ExampleKeyLayout<uint64_t>;

KeyLayout MakeLayout(int32_t num_nodes) {
  return KeyLayout{core::ExampleKeyNodeBits(num_nodes)};
}

// The couples of walk w in cpu/examples.cpp's order. kWrite = false only counts (the negative
// draws are made too: a negative equal to its target is dropped, so the count needs them).
template <bool kWrite>
__device__ int64_t EmitWalk(const int32_t* walk, uint32_t length, uint32_t window,
                            uint32_t negatives, int32_t num_nodes, core::PhiloxKey key,
                            uint64_t w, KeyLayout layout, uint64_t* out) {
  int64_t n = 0;
  uint32_t couple = 0;
  for (uint32_t i = 0; i < length; ++i) {
    const int32_t wi = walk[i];
    if (wi < 0) continue;
    const core::WindowBounds wb = core::SkipgramWindow(i, window, length);
    for (uint32_t j = wb.lo; j < wb.hi; ++j) {
      const int32_t wj = walk[j];
      if (j == i || wj < 0) continue;
      if (wi != wj) {
        if (kWrite) out[n] = layout.Pack(wi, wj, 1);
        ++n;
      }
      for (uint32_t k4 = 0; k4 < negatives; k4 += 4) {
        const core::U32x4 r = core::Random4(key, k4 / 4, couple, w);
        const uint32_t words[4] = {r.x, r.y, r.z, r.w};
        const uint32_t m = negatives - k4 < 4u ? negatives - k4 : 4u;
        for (uint32_t d = 0; d < m; ++d) {
          const int32_t c =
              static_cast<int32_t>(core::UniformBelow(words[d], static_cast<uint32_t>(num_nodes)));
          if (c == wi) continue;
          if (kWrite) out[n] = layout.Pack(wi, c, 0);
          ++n;
        }
      }
      ++couple;
    }
  }
  return n;
}

// One thread per walk: counts[w] = keys walk w emits; *bad = 1 if a walk holds an id >= num_nodes
// (the CPU aborts on it; here it is an input error; negative ids are padding, as on the CPU). Walks row-major
// [num_walks x length].
__global__ void CountCouplesKernel(const int32_t* walks, int64_t num_walks, uint32_t length,
                                   uint32_t window, uint32_t negatives, int32_t num_nodes,
                                   core::PhiloxKey key, KeyLayout layout, int64_t* counts,
                                   int* bad) {
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t w = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; w < num_walks;
       w += stride) {
    const int32_t* walk = walks + w * length;
    bool ok = true;
    for (uint32_t i = 0; i < length; ++i) ok &= walk[i] < num_nodes;  // < 0: padding
    if (!ok) {
      atomicExch(bad, 1);
      counts[w] = 0;
      continue;
    }
    counts[w] = EmitWalk<false>(walk, length, window, negatives, num_nodes, key,
                                static_cast<uint64_t>(w), layout, nullptr);
  }
}

// One thread per walk: writes walk w's keys at keys + offsets[w] (offsets = exclusive prefix sum
// of CountCouplesKernel's counts), so the key array is in the CPU's generation order.
__global__ void EmitCouplesKernel(const int32_t* walks, int64_t num_walks, uint32_t length,
                                  uint32_t window, uint32_t negatives, int32_t num_nodes,
                                  core::PhiloxKey key, KeyLayout layout, const int64_t* offsets,
                                  uint64_t* keys) {
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t w = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; w < num_walks;
       w += stride) {
    EmitWalk<true>(walks + w * length, length, window, negatives, num_nodes, key,
                   static_cast<uint64_t>(w), layout, keys + offsets[w]);
  }
}

// One thread per unique key: unpacks run r into the four example arrays.
__global__ void UnpackExamplesKernel(const uint64_t* unique, const uint32_t* counts, int64_t runs,
                                     KeyLayout layout, int32_t* target, int32_t* context,
                                     uint8_t* label, float* weight) {
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t r = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; r < runs;
       r += stride) {
    const uint64_t k = unique[r];
    target[r] = layout.Target(k);
    context[r] = layout.Context(k);
    label[r] = static_cast<uint8_t>(layout.Label(k));
    weight[r] = static_cast<float>(counts[r]);
  }
}

unsigned Blocks(int64_t n) {
  return GridBlocks<int64_t>(n, kBlock, INT_MAX);
}

}  // namespace

int64_t MaxCouples(int64_t num_walks, uint32_t length, const ExampleOptions& o) {
  int64_t per_walk = 0;
  for (uint32_t i = 0; i < length; ++i) {
    const core::WindowBounds wb = core::SkipgramWindow(i, o.window, length);
    per_walk += static_cast<int64_t>(wb.hi - wb.lo) - 1;
  }
  return num_walks * per_walk * (1 + static_cast<int64_t>(o.negatives));
}

size_t ExamplesDeviceBytes(int64_t num_walks, uint32_t length, const ExampleOptions& o) {
  const size_t couples = static_cast<size_t>(MaxCouples(num_walks, length, o));
  // counts + offsets per walk; two key buffers, run counts and CUB scratch (radix sort needs about
  // one more key buffer's worth at most); the unpacked examples (13 B each).
  return 2 * sizeof(int64_t) * (static_cast<size_t>(num_walks) + 1) + couples * (8 + 8 + 4) +
         couples * 8 + couples * 13 + (1 << 20);
}

absl::StatusOr<DeviceExamples> GenerateExamplesOnDevice(const int32_t* d_walks, int64_t num_walks,
                                                        uint32_t length, int32_t num_nodes,
                                                        const ExampleOptions& o,
                                                        cudaStream_t stream) {
  DeviceExamples ex;
  if (num_walks <= 0 || length == 0 || num_nodes <= 0) return ex;
  const KeyLayout layout = MakeLayout(num_nodes);
  const int key_bits = 2 * layout.node_bits + 1;
  const core::PhiloxKey key = core::StreamKey(o.seed, core::Stream::kNegatives);

  // --- count, then prefix-sum into offsets[0..num_walks] ---------------------------------------
  auto offsets = DeviceBuffer<int64_t>::Allocate(static_cast<size_t>(num_walks) + 1,
                                                 "per-walk couple offsets");
  if (!offsets.ok()) return offsets.status();
  auto bad = DeviceBuffer<int>::Allocate(1, "input check flag");
  if (!bad.ok()) return bad.status();
  N2V_RETURN_IF_ERROR(bad->ZeroAsync(stream));
  N2V_CUDA_RETURN_IF_ERROR(cudaMemsetAsync(offsets->data(), 0, sizeof(int64_t), stream));
  CountCouplesKernel<<<Blocks(num_walks), kBlock, 0, stream>>>(
      d_walks, num_walks, length, o.window, o.negatives, num_nodes, key, layout,
      offsets->data() + 1, bad->data());
  N2V_CUDA_CHECK_LAUNCH();
  size_t scan_bytes = 0;
  N2V_CUDA_RETURN_IF_ERROR(cub::DeviceScan::InclusiveSum(nullptr, scan_bytes, offsets->data() + 1,
                                                         offsets->data() + 1, num_walks, stream));
  auto scan_tmp = DeviceBuffer<uint8_t>::Allocate(std::max<size_t>(scan_bytes, 1), "scan scratch");
  if (!scan_tmp.ok()) return scan_tmp.status();
  N2V_CUDA_RETURN_IF_ERROR(cub::DeviceScan::InclusiveSum(scan_tmp->data(), scan_bytes,
                                                         offsets->data() + 1, offsets->data() + 1,
                                                         num_walks, stream));
  int64_t total = 0;
  int host_bad = 0;
  N2V_CUDA_RETURN_IF_ERROR(cudaMemcpyAsync(&total, offsets->data() + num_walks, sizeof(total),
                                           cudaMemcpyDeviceToHost, stream));
  N2V_CUDA_RETURN_IF_ERROR(
      cudaMemcpyAsync(&host_bad, bad->data(), sizeof(int), cudaMemcpyDeviceToHost, stream));
  N2V_CUDA_RETURN_IF_ERROR(cudaStreamSynchronize(stream));
  scan_tmp->Reset();
  if (host_bad != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "GenerateExamples: a walk holds a node id >= the node count ", num_nodes));
  }
  ex.raw_pairs = total;
  if (total == 0) return ex;
  // cub::DeviceRunLengthEncode counts items in an int.
  if (total > INT_MAX) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "GenerateExamples on CUDA handles at most ", INT_MAX, " couples; these walks make ", total,
        " (use fewer walks, a smaller window or the CPU backend)"));
  }

  // --- emit keys in generation order, sort, run-length encode ----------------------------------
  auto keys_a = DeviceBuffer<uint64_t>::Allocate(static_cast<size_t>(total), "couple keys");
  if (!keys_a.ok()) return keys_a.status();
  auto keys_b = DeviceBuffer<uint64_t>::Allocate(static_cast<size_t>(total), "sorted couple keys");
  if (!keys_b.ok()) return keys_b.status();
  EmitCouplesKernel<<<Blocks(num_walks), kBlock, 0, stream>>>(d_walks, num_walks, length,
                                                               o.window, o.negatives, num_nodes,
                                                               key, layout, offsets->data(),
                                                               keys_a->data());
  N2V_CUDA_CHECK_LAUNCH();

  cub::DoubleBuffer<uint64_t> keys(keys_a->data(), keys_b->data());
  size_t sort_bytes = 0;
  N2V_CUDA_RETURN_IF_ERROR(
      cub::DeviceRadixSort::SortKeys(nullptr, sort_bytes, keys, total, 0, key_bits, stream));
  auto counts = DeviceBuffer<uint32_t>::Allocate(static_cast<size_t>(total), "run lengths");
  if (!counts.ok()) return counts.status();
  auto num_runs = DeviceBuffer<int>::Allocate(1, "run count");
  if (!num_runs.ok()) return num_runs.status();
  size_t rle_bytes = 0;
  N2V_CUDA_RETURN_IF_ERROR(cub::DeviceRunLengthEncode::Encode(
      nullptr, rle_bytes, keys.Current(), keys.Alternate(), counts->data(), num_runs->data(),
      static_cast<int>(total), stream));
  auto tmp = DeviceBuffer<uint8_t>::Allocate(std::max<size_t>({sort_bytes, rle_bytes, 1}),
                                             "sort scratch");
  if (!tmp.ok()) return tmp.status();
  N2V_CUDA_RETURN_IF_ERROR(
      cub::DeviceRadixSort::SortKeys(tmp->data(), sort_bytes, keys, total, 0, key_bits, stream));
  // Encode reads the sorted keys (Current) and writes the unique ones over the other buffer.
  N2V_CUDA_RETURN_IF_ERROR(cub::DeviceRunLengthEncode::Encode(
      tmp->data(), rle_bytes, keys.Current(), keys.Alternate(), counts->data(), num_runs->data(),
      static_cast<int>(total), stream));
  int runs = 0;
  N2V_CUDA_RETURN_IF_ERROR(
      cudaMemcpyAsync(&runs, num_runs->data(), sizeof(int), cudaMemcpyDeviceToHost, stream));
  N2V_CUDA_RETURN_IF_ERROR(cudaStreamSynchronize(stream));
  tmp->Reset();  // freed only after the sync: nothing still reads them
  offsets->Reset();

  // --- unpack ----------------------------------------------------------------------------------
  const size_t u = static_cast<size_t>(runs);
  auto target = DeviceBuffer<int32_t>::Allocate(u, "example targets");
  if (!target.ok()) return target.status();
  auto context = DeviceBuffer<int32_t>::Allocate(u, "example contexts");
  if (!context.ok()) return context.status();
  auto label = DeviceBuffer<uint8_t>::Allocate(u, "example labels");
  if (!label.ok()) return label.status();
  auto weight = DeviceBuffer<float>::Allocate(u, "example weights");
  if (!weight.ok()) return weight.status();
  UnpackExamplesKernel<<<Blocks(runs), kBlock, 0, stream>>>(
      keys.Alternate(), counts->data(), runs, layout, target->data(), context->data(),
      label->data(), weight->data());
  N2V_CUDA_CHECK_LAUNCH();
  // The key buffers are freed when this function returns; make sure the unpack has read them.
  N2V_CUDA_RETURN_IF_ERROR(cudaStreamSynchronize(stream));
  ex.target = std::move(*target);
  ex.context = std::move(*context);
  ex.label = std::move(*label);
  ex.weight = std::move(*weight);
  ex.size = runs;
  return ex;
}

absl::StatusOr<Examples> GenerateExamples(const int32_t* walks, int64_t num_walks,
                                          uint32_t length, int32_t num_nodes,
                                          const ExampleOptions& o) {
  Examples out;
  if (num_walks <= 0 || length == 0 || num_nodes <= 0) return out;
  N2V_CUDA_RETURN_IF_ERROR(cudaFree(nullptr));
  const size_t walk_elems = static_cast<size_t>(num_walks) * length;
  N2V_RETURN_IF_ERROR(CheckFits(walk_elems * sizeof(int32_t) +
                                    ExamplesDeviceBytes(num_walks, length, o),
                                "GenerateExamples"));
  auto stream = Stream::Create();
  if (!stream.ok()) return stream.status();
  auto d_walks = DeviceBuffer<int32_t>::FromHost(walks, walk_elems, "walks");
  if (!d_walks.ok()) return d_walks.status();
  auto ex = GenerateExamplesOnDevice(d_walks->data(), num_walks, length, num_nodes, o,
                                     stream->get());
  if (!ex.ok()) return ex.status();
  const size_t u = static_cast<size_t>(ex->size);
  out.target.resize(u);
  out.context.resize(u);
  out.label.resize(u);
  out.weight.resize(u);
  N2V_RETURN_IF_ERROR(ex->target.CopyToHost(out.target.data(), u));
  N2V_RETURN_IF_ERROR(ex->context.CopyToHost(out.context.data(), u));
  N2V_RETURN_IF_ERROR(ex->label.CopyToHost(out.label.data(), u));
  N2V_RETURN_IF_ERROR(ex->weight.CopyToHost(out.weight.data(), u));
  out.raw_pairs = ex->raw_pairs;
  return out;
}

}  // namespace n2v::cuda
