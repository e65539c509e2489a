// Device discovery and memory budgeting shared by the stages (cuda/device.cu). Twin: none.
#pragma once

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace n2v::cuda {

/// Free and total bytes of the current device.
struct MemInfo {
  size_t free = 0;
  size_t total = 0;
};
absl::StatusOr<MemInfo> GetMemInfo();

/// Fraction of the free memory a stage plans to use: the rest is headroom for the CUDA context,
/// cuBLAS workspaces and allocator granularity.
constexpr double kUsableFraction = 0.85;

/// ResourceExhausted naming `what`, the estimate and the free memory if `bytes` does not fit.
absl::Status CheckFits(size_t bytes, const std::string& what);

/// Streaming multiprocessors of the current device (launch sizing).
absl::StatusOr<int> SmCount();

/// One-line reason why no device is usable (driver missing/too old, no device), or "" if one is.
std::string NoDeviceReason();

}  // namespace n2v::cuda
