// Why the tensor-core all-kNN (cuda/knn_tensor.cu) is exact although its scores are BF16
// products: the bound on how far an approximate score can sit from the FP32 one, and the test
// that a row's kept candidates hold its whole FP32 top-k. Shared by the kernel and the host test
// that checks the argument (tests/core/knn_window_test.cpp).
//
// The argument. Let a row's reference scores s (FP32 cosines) and approximate scores s~ satisfy
// |s~ − s| <= eps for every column. Let t be the k-th best reference score and T~ the k-th best
// approximate one. Then T~ >= t − eps (k columns have s >= t, so s~ >= t − eps) and T~ <= t + eps
// (else k columns would have s~ > t + eps, so s > t: more than k − 1 columns beat the k-th).
// Every column of the reference top-k, exact ties with the k-th included, has s~ >= t − eps >=
// T~ − 2 eps. So a list of the M best approximate scores holds all of them unless the list is
// full and its last kept score is still >= T~ − 2 eps (a dropped column might be in the window):
// then the row is answered by the FP32 path instead. Re-ranking the kept columns by their FP32
// scores, in the CPU's total order (score descending, then the smaller row), gives the FP32 top-k.
#pragma once

#include <bit>
#include <cstdint>

#include "n2v/core/hd.hpp"

namespace n2v::core {

/// eps for rows of (padded) dimension `dim` whose L2 norms are within 2^-10 of 1 (the normalised
/// table; a zero row scores 0 exactly on both paths):
/// - BF16 rounding: each input moves by at most 2^-8 of itself (8 significant bits, nearest), so a
///   product by at most (2^-7 + 2^-16)|a_i b_i|; summed, by (2^-7 + 2^-16)·Σ|a_i b_i| <=
///   (2^-7 + 2^-16)·‖a‖‖b‖ (Cauchy–Schwarz), times (1 + 2^-10)² for the norms;
/// - the tensor core's FP32 accumulation (products of BF16 are exact in FP32; each of the dim
///   additions, with truncation and alignment to the larger operand, loses at most 2^-22 of a
///   magnitude <= ~1): dim·2^-21 with a factor 2 to spare;
/// - the FP32 reference's own rounding (dim additions of 2^-24 relative): dim·2^-23.
N2V_HD float Bf16ScoreBound(int32_t dim) {
  constexpr float kRounding = (1.0f / 128 + 1.0f / 65536) * (1.0f + 1.0f / 512 + 1.0f / 1048576);
  return kRounding + static_cast<float>(dim) * (1.0f / 2097152 + 1.0f / 8388608);
}

/// The kernel's tiles cover the dimensions kTensorKnnChunk at a time (the rows are zero-padded
/// to a whole number of them), so its dot products, and the bound, run over the padded dimension.
inline constexpr int32_t kTensorKnnChunk = 32;
N2V_HD int32_t TensorKnnPaddedDim(int32_t dim) {
  return (dim + kTensorKnnChunk - 1) / kTensorKnnChunk * kTensorKnnChunk;
}

/// Whether a row's list of its M best approximate scores (best first) holds every column of its
/// FP32 top-k: `kth` is the list's k-th score, `last` its M-th, `full` whether M columns were
/// kept (a shorter list kept every column there is).
N2V_HD bool CandidatesHoldTopK(float kth, float last, bool full, float eps) {
  return !full || last < kth - 2.0f * eps;
}

/// x rounded to BF16 (the nearest of the floats with 8 significant bits, ties to even), as a
/// float: what __float2bfloat16_rn gives on the device, for finite x.
inline float RoundToBf16(float x) {
  const uint32_t u = std::bit_cast<uint32_t>(x);
  const uint32_t rounded = (u + 0x7FFFu + ((u >> 16) & 1u)) & 0xFFFF0000u;
  return std::bit_cast<float>(rounded);
}

}  // namespace n2v::core
