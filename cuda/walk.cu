// node2vec walks on the device (cuda/walk.cuh) and streamed to the host (cuda::StreamWalks,
// cuda::SampleWalks). Twin: cpu/walk.cpp (cpu::SampleWalks).
// Threading: a resident wave of walker threads, each taking walks in turn one attempt at a time;
// every draw is keyed on (walk id, step, attempt), so the schedule cannot change a walk. Walk-step decisions are integer comparisons (core/walk.hpp).
// Streaming: two device chunks and two pinned host chunks; one stream samples, another
// downloads, and the calling thread runs the sink on chunk k while chunk k + 1 is sampled and
// downloaded (tests/cuda/walk_parity_test.cpp checks every element against the CPU's).
#include <algorithm>
#include <climits>
#include <cstdint>
#include <cstring>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cuda/cuda_check.cuh"
#include "cuda/device.cuh"
#include "cuda/walk.cuh"
#include "n2v/core/walk.hpp"
#include "n2v/cuda_api.hpp"
#include "n2v/status.hpp"

namespace n2v::cuda {
namespace {

constexpr int kWalkBlock = 256;

// Walkers (grid-stride): walk first_walk + i is written to out + i * length, row-major
// [count x length], -1 padding after a dead end. Input: CSR with sorted rows and packed per-edge
// alias slots, all in device memory. Each pass of the loop is one attempt of the lane's current
// step (core::Walker): a lane whose candidate was accepted goes on to its next step, and a lane
// whose walk is done to its next walk, while others of its warp retry. A loop over steps with
// the retry loop inside (core::WalkOne) idles every lane of a warp until its unluckiest one
// accepts: at p = 0.25, q = 4 a step takes ~16 attempts on average, and a warp waits for the
// most of 32. Every attempt is keyed (walk id, step, attempt) as in core::WalkStep, so the walks
// are the CPU's whatever the order. Threads of a warp walk different rows, so loads are gathers;
// the napkin cost is ≈ 200-270 B of L2/HBM traffic per step (bench/walk_bench.cpp counts them).
__global__ void SampleWalksKernel(CsrView g, core::PackedAliasView a, core::WalkParams p,
                                  uint64_t first_walk, uint64_t count, int32_t* out) {
  const uint64_t stride = static_cast<uint64_t>(gridDim.x) * blockDim.x;
  uint64_t i = static_cast<uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= count) return;
  core::Walker w;
  w.Start(g, first_walk + i, out + i * p.length);
  for (;;) {
    if (w.Advance(g, a, p)) continue;
    i += stride;
    if (i >= count) return;
    w.Start(g, first_walk + i, out + i * p.length);
  }
}

// Packs host alias slots this many at a time: a bounded host buffer, copies large enough to
// run at bandwidth.
constexpr size_t kPackChunk = size_t{1} << 20;

}  // namespace

absl::StatusOr<DeviceGraph> UploadGraph(const CsrView& g, const core::AliasView& alias) {
  if (g.num_nodes <= 0) return absl::InvalidArgumentError("UploadGraph: the graph has no node");
  if (g.num_edges > 0 && (alias.keep == nullptr || alias.alias == nullptr)) {
    return absl::InvalidArgumentError("UploadGraph: alias tables missing (BuildAliasTables)");
  }
  DeviceGraph d;
  d.num_nodes = g.num_nodes;
  d.num_edges = g.num_edges;
  const size_t n1 = static_cast<size_t>(g.num_nodes) + 1, e = static_cast<size_t>(g.num_edges);
  auto offsets = DeviceBuffer<int64_t>::FromHost(g.offsets, n1, "CSR offsets");
  if (!offsets.ok()) return offsets.status();
  d.offsets = std::move(*offsets);
  auto neighbors = DeviceBuffer<int32_t>::FromHost(g.neighbors, e, "CSR neighbours");
  if (!neighbors.ok()) return neighbors.status();
  d.neighbors = std::move(*neighbors);
  auto slots = DeviceBuffer<uint64_t>::Allocate(e, "alias slots");
  if (!slots.ok()) return slots.status();
  d.alias_slots = std::move(*slots);
  if (e > 0) {
    std::vector<uint64_t> packed(std::min(e, kPackChunk));
    for (size_t first = 0; first < e; first += packed.size()) {
      const size_t n = std::min(packed.size(), e - first);
      for (size_t j = 0; j < n; ++j) {
        packed[j] = core::PackAliasSlot(alias.keep[first + j], alias.alias[first + j]);
      }
      // A pageable copy returns once `packed` has been staged, so it may be refilled at once.
      N2V_CUDA_RETURN_IF_ERROR(cudaMemcpy(d.alias_slots.data() + first, packed.data(),
                                          n * sizeof(uint64_t), cudaMemcpyHostToDevice));
    }
    // As DeviceBuffer::FromHost: the kernels' non-blocking streams do not wait for the legacy one.
    N2V_CUDA_RETURN_IF_ERROR(cudaStreamSynchronize(nullptr));
  }
  return d;
}

absl::Status SampleWalksOnDevice(const CsrView& d_g, const core::PackedAliasView& d_alias,
                                 const core::WalkParams& params, uint64_t first_walk,
                                 uint64_t count, int32_t* d_out, cudaStream_t stream) {
  if (count == 0) return absl::OkStatus();
  if (d_g.num_nodes <= 0 || params.length < 1) {
    return absl::InvalidArgumentError("SampleWalks: empty graph or zero walk length");
  }
  // One resident wave of walkers, each taking walks in turn: a lane done with its walk starts
  // another instead of idling until its warp's slowest walk ends.
  N2V_ASSIGN_OR_RETURN(const int sms, SmCount());
  int per_sm = 0;
  N2V_CUDA_RETURN_IF_ERROR(
      cudaOccupancyMaxActiveBlocksPerMultiprocessor(&per_sm, SampleWalksKernel, kWalkBlock, 0));
  const uint64_t resident = static_cast<uint64_t>(std::max(sms, 1)) * std::max(per_sm, 1);
  const uint64_t blocks =
      std::min<uint64_t>({CeilDiv(count, uint64_t{kWalkBlock}), resident, uint64_t{INT_MAX}});
  SampleWalksKernel<<<static_cast<unsigned>(blocks), kWalkBlock, 0, stream>>>(
      d_g, d_alias, params, first_walk, count, d_out);
  N2V_CUDA_CHECK_LAUNCH();
  return absl::OkStatus();
}

namespace {

// StreamWalks's chunk when the caller leaves it to us: ~64 MB of walks, big enough to amortise a
// launch and a copy, small enough that two of them and two pinned host copies are cheap.
constexpr uint64_t kAutoChunkBytes = uint64_t{64} << 20;

/// StreamWalks on the current device.
absl::Status StreamWalksHere(const CsrView& g, const core::AliasView& alias,
                             const core::WalkParams& params, uint64_t first_walk, uint64_t count,
                             uint64_t chunk_walks, const WalkChunkSink& sink,
                             const CancelCallback& cancelled) {
  if (count == 0) return absl::OkStatus();
  if (params.length < 1) return absl::InvalidArgumentError("StreamWalks: zero walk length");
  if (!sink) return absl::InvalidArgumentError("StreamWalks: no sink");
  if (g.num_nodes <= 0 || g.offsets == nullptr) {
    return absl::InvalidArgumentError("StreamWalks: the graph has no node");
  }
  if (first_walk > UINT64_MAX - count) {
    return absl::InvalidArgumentError(
        absl::StrCat("StreamWalks: walks ", first_walk, " + ", count, " overflow"));
  }
  const uint64_t walk_bytes = uint64_t{params.length} * sizeof(int32_t);
  const bool automatic = chunk_walks == 0;
  uint64_t chunk = automatic ? std::max<uint64_t>(1, kAutoChunkBytes / walk_bytes) : chunk_walks;
  chunk = std::min(chunk, count);
  if (chunk > (UINT64_MAX / 4) / walk_bytes) {
    return absl::InvalidArgumentError(absl::StrCat("StreamWalks: chunks of ", chunk,
                                                   " walks of ", params.length, " overflow"));
  }
  N2V_CUDA_RETURN_IF_ERROR(cudaFree(nullptr));  // context first, so free memory is meaningful
  const uint64_t graph_bytes = DeviceGraphBytes(g.num_nodes, g.num_edges);
  if (automatic) {  // an automatic chunk shrinks to what is free after the graph
    N2V_ASSIGN_OR_RETURN(const MemInfo mem, GetMemInfo());
    const double usable = kUsableFraction * static_cast<double>(mem.free);
    const double left = usable - static_cast<double>(graph_bytes);
    const uint64_t fit = left > 0 ? static_cast<uint64_t>(left / (2.0 * walk_bytes)) : 0;
    if (fit > 0) chunk = std::min(chunk, fit);
  }
  N2V_RETURN_IF_ERROR(CheckFits(graph_bytes + 2 * chunk * walk_bytes,
                                absl::StrCat("StreamWalks (the graph and two chunks of ", chunk,
                                             " walks of ", params.length, ")")));
  N2V_ASSIGN_OR_RETURN(DeviceGraph graph, UploadGraph(g, alias));
  N2V_ASSIGN_OR_RETURN(Stream sample, Stream::Create());
  N2V_ASSIGN_OR_RETURN(Stream copy, Stream::Create());
  DeviceBuffer<int32_t> d_buf[2];
  PinnedBuffer<int32_t> h_buf[2];
  Event sampled[2], copied[2];
  const int buffers = count > chunk ? 2 : 1;
  for (int b = 0; b < buffers; ++b) {
    N2V_ASSIGN_OR_RETURN(d_buf[b],
                         DeviceBuffer<int32_t>::Allocate(chunk * params.length, "walk chunk"));
    N2V_ASSIGN_OR_RETURN(h_buf[b],
                         PinnedBuffer<int32_t>::Allocate(chunk * params.length, "walk chunk"));
    N2V_ASSIGN_OR_RETURN(sampled[b], Event::CreateForSync());
    N2V_ASSIGN_OR_RETURN(copied[b], Event::CreateForSync());
  }
  const uint64_t chunks = CeilDiv(count, chunk);
  const auto size_of = [&](uint64_t c) { return std::min(chunk, count - c * chunk); };
  // Chunk c: sampled into d_buf[c % 2] on `sample`, then copied to h_buf[c % 2] on `copy`.
  // Enqueued only once the sink has returned chunk c − 2 (the same buffers), so both are free.
  const auto enqueue = [&](uint64_t c) -> absl::Status {
    const int b = static_cast<int>(c % 2);
    const uint64_t n = size_of(c);
    N2V_RETURN_IF_ERROR(SampleWalksOnDevice(graph.view(), graph.alias_view(), params,
                                            first_walk + c * chunk, n, d_buf[b].data(),
                                            sample.get()));
    N2V_RETURN_IF_ERROR(sampled[b].Record(sample.get()));
    N2V_RETURN_IF_ERROR(sampled[b].WaitOn(copy.get()));
    N2V_CUDA_RETURN_IF_ERROR(cudaMemcpyAsync(h_buf[b].data(), d_buf[b].data(), n * walk_bytes,
                                             cudaMemcpyDeviceToHost, copy.get()));
    return copied[b].Record(copy.get());
  };
  // Before the buffers die on an early return: nothing may still write into them.
  const auto drain = [&] {
    N2V_CUDA_LOG_IF_ERROR(cudaStreamSynchronize(sample.get()));
    N2V_CUDA_LOG_IF_ERROR(cudaStreamSynchronize(copy.get()));
  };
  const auto run = [&]() -> absl::Status {
    N2V_RETURN_IF_ERROR(enqueue(0));
    if (chunks > 1) N2V_RETURN_IF_ERROR(enqueue(1));
    for (uint64_t c = 0; c < chunks; ++c) {
      const int b = static_cast<int>(c % 2);
      N2V_RETURN_IF_ERROR(copied[b].Sync());
      if (cancelled && cancelled()) return absl::CancelledError("walk sampling cancelled");
      N2V_RETURN_IF_ERROR(sink(first_walk + c * chunk, size_of(c), h_buf[b].data()));
      if (c + 2 < chunks) N2V_RETURN_IF_ERROR(enqueue(c + 2));
    }
    return absl::OkStatus();
  };
  const absl::Status st = run();
  drain();
  return st;
}

}  // namespace

absl::Status SampleWalks(const CsrView& g, const core::AliasView& alias,
                         const core::WalkParams& params, uint64_t first_walk, uint64_t count,
                         int32_t* out) {
  if (count == 0) return absl::OkStatus();
  if (params.length < 1) return absl::InvalidArgumentError("SampleWalks: zero walk length");
  const size_t row = params.length;
  return StreamWalksHere(
      g, alias, params, first_walk, count, 0,
      [&](uint64_t first, uint64_t n, const int32_t* walks) {
        std::memcpy(out + (first - first_walk) * row, walks, n * row * sizeof(int32_t));
        return absl::OkStatus();
      },
      nullptr);
}

absl::Status StreamWalks(const CsrView& g, const core::AliasView& alias,
                         const core::WalkParams& params, uint64_t first_walk, uint64_t count,
                         uint64_t chunk_walks, int device, const WalkChunkSink& sink,
                         const CancelCallback& cancelled) {
  if (count == 0) return absl::OkStatus();
  N2V_RETURN_IF_ERROR(UseCudaDevice(device));
  return StreamWalksHere(g, alias, params, first_walk, count, chunk_walks, sink, cancelled);
}

}  // namespace n2v::cuda
