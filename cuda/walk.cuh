// node2vec walks on the device: the graph and its alias tables uploaded once, each thread a
// walker taking core::WalkAttempt (what cpu::SampleWalks's steps are made of) one attempt at a
// time, keyed as on the CPU, so walks are bit-identical to the CPU's. Twin: cpu/walk.cpp.
// Host-facing forms: cuda::SampleWalks and cuda::StreamWalks in n2v/cuda_api.hpp; this header is
// the device-resident form the pipeline and cuda::TrainSgdOnGraph use.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

#include "absl/status/statusor.h"
#include "cuda/device_buffer.cuh"
#include "n2v/core/walk.hpp"
#include "n2v/graph.hpp"

namespace n2v::cuda {

/// CSR (offsets, neighbours) and alias tables in device memory. Edge weights are not uploaded:
/// walks draw by the alias tables and test adjacency on the neighbour ids only. Each alias slot
/// is packed into one 64-bit word (core::PackedAliasView): a draw is one gather, not two.
struct DeviceGraph {
  DeviceBuffer<int64_t> offsets;
  DeviceBuffer<int32_t> neighbors;
  DeviceBuffer<uint64_t> alias_slots;
  int32_t num_nodes = 0;
  int64_t num_edges = 0;

  CsrView view() const {
    return CsrView{offsets.data(), neighbors.data(), nullptr, num_nodes, num_edges};
  }
  core::PackedAliasView alias_view() const { return core::PackedAliasView{alias_slots.data()}; }
};

/// Device bytes UploadGraph allocates.
inline size_t DeviceGraphBytes(int32_t num_nodes, int64_t num_edges) {
  return sizeof(int64_t) * (static_cast<size_t>(num_nodes) + 1) +
         (sizeof(int32_t) + sizeof(uint64_t)) * static_cast<size_t>(num_edges);
}

/// Copies a host graph and its alias tables (BuildAliasTables) to the current device, packing
/// the tables on the way.
absl::StatusOr<DeviceGraph> UploadGraph(const CsrView& g, const core::AliasView& alias);

/// Enqueues walks [first_walk, first_walk + count) into d_out (count x params.length) on
/// `stream`. d_g and d_alias point to device memory (DeviceGraph::view()).
absl::Status SampleWalksOnDevice(const CsrView& d_g, const core::PackedAliasView& d_alias,
                                 const core::WalkParams& params, uint64_t first_walk,
                                 uint64_t count, int32_t* d_out, cudaStream_t stream);

}  // namespace n2v::cuda
