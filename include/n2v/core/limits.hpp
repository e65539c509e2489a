// The limits every backend enforces, written once (the defaults are core/defaults.hpp). The CPU
// kernels could go further; the CUDA kernels keep one row per warp in registers (32 lanes x 32
// floats), and the two backends must accept the same inputs.
#pragma once

#include <cstdint>

#include "n2v/core/defaults.hpp"

namespace n2v::core {

/// Largest embedding dimension: one warp of 32 lanes holding up to 32 floats each per row.
inline constexpr int32_t kMaxDim = 1024;

/// Largest k the top-k paths accept (the CUDA top-k keeps per-thread candidate lists in
/// registers and local memory).
inline constexpr int kMaxTopK = 128;

}  // namespace n2v::core
