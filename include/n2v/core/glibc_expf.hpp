// glibc's expf (sysdeps/ieee754/flt-32/e_expf.c since glibc 2.28, from Arm's optimized-routines),
// as data: the constants of its main path, for the two places that reproduce its results bit for
// bit instead of calling libm — the GPU's σ (cuda/sgd.cu, SgnsCoeffAsHost) and the CPU's σ over
// vectors (cpu/sigmoid_lanes.hpp). Both must equal the scalar core::Sigmoid, which calls the host's
// expf: that is what makes the AVX-512 and the scalar trainers, and the GPU's exact launch, give
// the same bits.
//
// The algorithm, for |x| < kExpfMainPathLimit: z = x·32/ln2 (one rounding), k = z rounded to the
// nearest integer (ties to even) by adding and subtracting 1.5·2^52, r = z − k (exact);
// exp(x) = 2^(k/32) · (1 + C2·r + C1·r² + C0·r³) with 2^(k/32) = asdouble(T[k mod 32] + (k << 47)),
// all in double, rounded to float once at the end.
#pragma once

#include <cstdint>

// T[i] = asuint64(2^(i/32)) − (i << 47): adding k << 47 puts k / 32 into the exponent. A macro so
// that the device copy (a __constant__ array) and the host's are one list.
#define N2V_GLIBC_EXP2F_TABLE                                                                     \
  0x3ff0000000000000ull, 0x3fefd9b0d3158574ull, 0x3fefb5586cf9890full, 0x3fef9301d0125b51ull,     \
      0x3fef72b83c7d517bull, 0x3fef54873168b9aaull, 0x3fef387a6e756238ull, 0x3fef1e9df51fdee1ull, \
      0x3fef06fe0a31b715ull, 0x3feef1a7373aa9cbull, 0x3feedea64c123422ull, 0x3feece086061892dull, \
      0x3feebfdad5362a27ull, 0x3feeb42b569d4f82ull, 0x3feeab07dd485429ull, 0x3feea47eb03a5585ull, \
      0x3feea09e667f3bcdull, 0x3fee9f75e8ec5f74ull, 0x3feea11473eb0187ull, 0x3feea589994cce13ull, \
      0x3feeace5422aa0dbull, 0x3feeb737b0cdc5e5ull, 0x3feec49182a3f090ull, 0x3feed503b23e255dull, \
      0x3feee89f995ad3adull, 0x3feeff76f2fb5e47ull, 0x3fef199bdd85529cull, 0x3fef3720dcef9069ull, \
      0x3fef5818dcfba487ull, 0x3fef7c97337b9b5full, 0x3fefa4afa2a490daull, 0x3fefd0765b6e4540ull

namespace n2v::core {

inline constexpr int kExpfTableBits = 5;  // 32 entries
inline constexpr double kExpfInvLn2N = 0x1.71547652b82fep+0 * 32;
inline constexpr double kExpfShift = 0x1.8p+52;
inline constexpr double kExpfC0 = 0x1.c6af84b912394p-5 / 32 / 32 / 32;
inline constexpr double kExpfC1 = 0x1.ebfce50fac4f3p-3 / 32 / 32;
inline constexpr double kExpfC2 = 0x1.62e42ff0c52d6p-1 / 32;
/// Inside (−limit, limit) glibc's expf always takes the main path above; the reproductions answer
/// only there and hand anything else (overflow, underflow, NaN) to libm.
inline constexpr float kExpfMainPathLimit = 88.0f;

}  // namespace n2v::core
