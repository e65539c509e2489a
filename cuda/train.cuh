// The seed's model trained with Adam on the device (tied table, weighted BCE with logits, L2 on
// the whole table, dense Keras Adam). Twin: cpu/train_adam.cpp (cpu::TrainAdam): the same
// visiting order (core::PermuteIndex, per-epoch key), the same batches, the same per-element
// math (core/sgns.hpp); only float summation orders differ. Host-facing form: cuda::TrainAdam in
// n2v/cuda_api.hpp; this header is the device-resident form the pipeline uses.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "n2v/core/rng.hpp"
#include "n2v/train.hpp"

namespace n2v::cuda {

/// Device pointers to examples sorted as n2v::Examples (DeviceExamples or uploaded host ones).
struct ExamplesView {
  const int32_t* target = nullptr;
  const int32_t* context = nullptr;
  const uint8_t* label = nullptr;
  const float* weight = nullptr;
  int64_t size = 0;
};

/// cpu/train_adam.cpp's visiting-order key of an epoch: StreamKey(seed ^ epoch·φ64, kShuffle).
inline core::PhiloxKey EpochShuffleKey(uint64_t seed, int32_t epoch) {
  return core::StreamKey(seed ^ (static_cast<uint64_t>(epoch) * 0x9E3779B97F4A7C15ull),
                         core::Stream::kShuffle);
}

/// Upper bound on the device bytes TrainAdamOnDevice allocates.
size_t AdamDeviceBytes(int64_t num_examples, int32_t rows, const AdamTrainOptions& o);

struct AdamDeviceResult {
  std::vector<double> losses;  // per epoch, cpu::TrainAdam's figure
  float ms = 0;                // device time (cudaEvents), graph capture included
};

/// Trains d_table [rows x o.dim] (device, in place) on `ex`. Each epoch's steps are captured once
/// into a CUDA Graph and replayed (falls back to plain launches if capture is unavailable).
/// Synchronises once per epoch when on_epoch is set, else once at the end.
absl::StatusOr<AdamDeviceResult> TrainAdamOnDevice(const ExamplesView& ex,
                                                   const AdamTrainOptions& o, float* d_table,
                                                   int32_t rows, const EpochCallback& on_epoch,
                                                   cudaStream_t stream);

}  // namespace n2v::cuda
