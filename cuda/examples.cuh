// The seed's training examples on the device: skip-gram couples and negatives from walks in
// device memory, packed into 64-bit keys, radix-sorted and run-length encoded into unique
// (target, context, label) triples with their counts. Twin: cpu/examples.cpp
// (cpu::GenerateExamples); the output is identical, element for element.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

#include "absl/status/statusor.h"
#include "cuda/device_buffer.cuh"
#include "n2v/train.hpp"

namespace n2v::cuda {

/// Examples in device memory, sorted by (target, context, label) like n2v::Examples.
struct DeviceExamples {
  DeviceBuffer<int32_t> target;
  DeviceBuffer<int32_t> context;
  DeviceBuffer<uint8_t> label;
  DeviceBuffer<float> weight;
  int64_t size = 0;       // unique triples
  int64_t raw_pairs = 0;  // couples before merging
};

/// Upper bound on the couples (positives + negatives) of num_walks full walks (no padding).
int64_t MaxCouples(int64_t num_walks, uint32_t length, const ExampleOptions& o);

/// Upper bound on the peak device bytes GenerateExamplesOnDevice allocates (walks excluded).
size_t ExamplesDeviceBytes(int64_t num_walks, uint32_t length, const ExampleOptions& o);

/// Generates the examples of d_walks [num_walks x length] on `stream` (synchronises once, to size
/// the output). InvalidArgument if a walk holds an id >= num_nodes (negative ids are padding).
absl::StatusOr<DeviceExamples> GenerateExamplesOnDevice(const int32_t* d_walks, int64_t num_walks,
                                                        uint32_t length, int32_t num_nodes,
                                                        const ExampleOptions& o,
                                                        cudaStream_t stream);

}  // namespace n2v::cuda
