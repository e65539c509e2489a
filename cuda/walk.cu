// node2vec walks on the device (cuda/walk.cuh). Twin: cpu/walk.cpp (cpu::SampleWalks).
// Threading: one thread per walker; every draw is keyed on (walk id, step, attempt), so the
// schedule cannot change a walk. Walk-step decisions are integer comparisons (core/walk.hpp).
#include <algorithm>
#include <climits>

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

// One thread per walker (grid-stride): walk first_walk + i is written to out + i * length, row-
// major [count x length], -1 padding after a dead end. Input: CSR with sorted rows, per-edge alias
// tables, all in device memory. Threads of a warp walk different rows, so loads are gathers; the
// napkin cost is ≈ 200-270 B of L2/HBM traffic per step (ANCHORS.md).
__global__ void SampleWalksKernel(CsrView g, core::AliasView a, core::WalkParams p,
                                  uint64_t first_walk, uint64_t count, int32_t* out) {
  const uint64_t stride = static_cast<uint64_t>(gridDim.x) * blockDim.x;
  for (uint64_t i = static_cast<uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < count;
       i += stride) {
    core::WalkOne(g, a, p, first_walk + i, out + i * p.length);
  }
}

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
  auto keep = DeviceBuffer<uint32_t>::FromHost(alias.keep, e, "alias keep thresholds");
  if (!keep.ok()) return keep.status();
  d.keep = std::move(*keep);
  auto al = DeviceBuffer<int32_t>::FromHost(alias.alias, e, "alias columns");
  if (!al.ok()) return al.status();
  d.alias = std::move(*al);
  return d;
}

absl::Status SampleWalksOnDevice(const CsrView& d_g, const core::AliasView& d_alias,
                                 const core::WalkParams& params, uint64_t first_walk,
                                 uint64_t count, int32_t* d_out, cudaStream_t stream) {
  if (count == 0) return absl::OkStatus();
  if (d_g.num_nodes <= 0 || params.length < 1) {
    return absl::InvalidArgumentError("SampleWalks: empty graph or zero walk length");
  }
  const uint64_t blocks = std::min<uint64_t>(CeilDiv(count, uint64_t{kWalkBlock}), INT_MAX);
  SampleWalksKernel<<<static_cast<unsigned>(blocks), kWalkBlock, 0, stream>>>(
      d_g, d_alias, params, first_walk, count, d_out);
  N2V_CUDA_CHECK_LAUNCH();
  return absl::OkStatus();
}

absl::Status SampleWalks(const CsrView& g, const core::AliasView& alias,
                         const core::WalkParams& params, uint64_t first_walk, uint64_t count,
                         int32_t* out) {
  if (count == 0) return absl::OkStatus();
  if (params.length < 1) return absl::InvalidArgumentError("SampleWalks: zero walk length");
  N2V_CUDA_RETURN_IF_ERROR(cudaFree(nullptr));  // context first, so free memory is meaningful
  auto graph = UploadGraph(g, alias);
  if (!graph.ok()) return graph.status();
  auto stream = Stream::Create();
  if (!stream.ok()) return stream.status();

  // Batches sized to what is free after the graph: walks never need to fit the device at once.
  auto mem = GetMemInfo();
  if (!mem.ok()) return mem.status();
  const uint64_t walk_bytes = uint64_t{params.length} * sizeof(int32_t);
  const uint64_t fit = static_cast<uint64_t>(kUsableFraction * static_cast<double>(mem->free)) /
                       walk_bytes;
  if (fit == 0) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "SampleWalks: not even one walk of ", params.length, " fits in free device memory"));
  }
  const uint64_t batch = std::min(count, fit);
  auto d_out = DeviceBuffer<int32_t>::Allocate(batch * params.length, "walk batch");
  if (!d_out.ok()) return d_out.status();

  for (uint64_t done = 0; done < count;) {
    const uint64_t n = std::min(batch, count - done);
    N2V_RETURN_IF_ERROR(SampleWalksOnDevice(graph->view(), graph->alias_view(), params,
                                            first_walk + done, n, d_out->data(), stream->get()));
    N2V_CUDA_RETURN_IF_ERROR(cudaMemcpyAsync(out + done * params.length, d_out->data(),
                                             n * walk_bytes, cudaMemcpyDeviceToHost,
                                             stream->get()));
    N2V_RETURN_IF_ERROR(stream->Sync());
    done += n;
  }
  return absl::OkStatus();
}

}  // namespace n2v::cuda
