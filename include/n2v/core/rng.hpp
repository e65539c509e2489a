// Counter-based randomness: Philox4x32-10 (Salmon et al., SC'11), written once for host and
// device. Every random number n2v draws is a pure function of (key, counter), so results do not
// depend on thread count or backend. Twin: none (the same code runs on both sides).
#pragma once

#include <cstdint>

#include "n2v/core/hd.hpp"

namespace n2v::core {

struct U32x4 {
  uint32_t x, y, z, w;
};

struct PhiloxKey {
  uint32_t k0, k1;
};

/// High 32 bits of a 32x32 product.
N2V_HD uint32_t MulHi32(uint32_t a, uint32_t b) {
#if defined(__CUDA_ARCH__)
  return __umulhi(a, b);
#else
  return static_cast<uint32_t>((static_cast<uint64_t>(a) * b) >> 32);
#endif
}

/// Philox4x32 with 10 rounds; matches Random123's philox4x32_10 known-answer vectors.
N2V_HD U32x4 Philox4x32(U32x4 ctr, PhiloxKey key) {
  constexpr uint32_t kM0 = 0xD2511F53u, kM1 = 0xCD9E8D57u;
  constexpr uint32_t kW0 = 0x9E3779B9u, kW1 = 0xBB67AE85u;
#if defined(__CUDA_ARCH__)
#pragma unroll
#endif
  for (int round = 0; round < 10; ++round) {
    const uint32_t hi0 = MulHi32(kM0, ctr.x), lo0 = kM0 * ctr.x;
    const uint32_t hi1 = MulHi32(kM1, ctr.z), lo1 = kM1 * ctr.z;
    ctr = U32x4{hi1 ^ ctr.y ^ key.k0, lo1, hi0 ^ ctr.w ^ key.k1, lo0};
    key.k0 += kW0;
    key.k1 += kW1;
  }
  return ctr;
}

/// SplitMix64 finaliser: turns (seed, stream) into a well-mixed Philox key.
N2V_HD uint64_t SplitMix64(uint64_t z) {
  z += 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

/// Independent random streams of one run: the same seed never reuses a counter across stages.
enum class Stream : uint32_t {
  kWalk = 1,
  kInit = 2,
  kExamples = 3,
  kShuffle = 4,
  kNegatives = 5,
  kWindow = 6,
  kEval = 7,
  kSubsample = 8,
};

/// Key for one stream of one run.
N2V_HD PhiloxKey StreamKey(uint64_t seed, Stream stream) {
  const uint64_t k = SplitMix64(seed ^ (static_cast<uint64_t>(stream) << 56) ^
                                (static_cast<uint64_t>(stream) * 0x9E3779B97F4A7C15ull));
  return PhiloxKey{static_cast<uint32_t>(k), static_cast<uint32_t>(k >> 32)};
}

/// Four random words for (key, a, b, c): a is usually the draw index, b the step, c the item.
N2V_HD U32x4 Random4(PhiloxKey key, uint32_t a, uint32_t b, uint64_t c) {
  return Philox4x32(U32x4{a, b, static_cast<uint32_t>(c), static_cast<uint32_t>(c >> 32)}, key);
}

/// Uniform integer in [0, n) from one 32-bit word (Lemire's multiply-shift; bias < n / 2^32).
N2V_HD uint32_t UniformBelow(uint32_t r, uint32_t n) { return MulHi32(r, n); }

/// Uniform float in [0, 1) with 24 random bits (exactly representable, same on both sides).
N2V_HD float UniformFloat(uint32_t r) { return static_cast<float>(r >> 8) * (1.0f / 16777216.0f); }

/// Uniform float in (0, 1]: safe to take a logarithm of.
N2V_HD float UniformFloatOpen0(uint32_t r) {
  return static_cast<float>((r >> 8) + 1u) * (1.0f / 16777216.0f);
}

}  // namespace n2v::core
