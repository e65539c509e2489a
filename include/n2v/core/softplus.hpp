// softplus(s) = log(1 + e^s) on the host, in plain float arithmetic that a `#pragma omp simd`
// loop vectorises on any ISA (no libm call, no intrinsics): the CPU trainers' loss sums, where
// libm's scalar log1pf(expf(x)) was a ninth of the MovieLens job. Used for losses only, never for
// a gradient, so it moves no embedding bit.
#pragma once

#include <bit>
#include <cstdint>

namespace n2v::core {

/// softplus(s) = max(s, 0) + log1p(e^−|s|), within 3e-7 relative of the exact value
/// (softplus_test.cpp). e^a for a = −|s|: a = n·ln2 + r with |r| <= ln2/2, e^r by its degree-7
/// Taylor polynomial (truncation < 6e-9), 2^n put into the exponent bits; below a = −87 the term
/// e^a < 2^−125 is taken as 2^−125 (an absolute error under 1e-37). log(u) of u = 1 + e^a in
/// [1, 2]: u halved when >= 1.5 so m is in [0.75, 1.5), then 2·atanh((m − 1)/(m + 1)) by its
/// series to t⁹ (truncation < 4e-9), and log1p's rounding of 1 + e corrected as in Goldberg 1991:
/// log1p(e) = log(u) + (e − (u − 1))/u.
inline float Softplus(float s) {
  const float abs_s = s < 0.0f ? -s : s;
  float a = -abs_s;
  a = a < -87.0f ? -87.0f : a;
  // Round a·log2(e) to the nearest integer (ties to even) by adding and subtracting 1.5·2^23;
  // valid for |x| < 2^22, and here |x| <= 126.
  constexpr float kRound = 12582912.0f;
  const float n = (a * 1.44269504088896341f + kRound) - kRound;
  float r = a - n * 0.693145751953125f;  // ln2's high part: n·hi is exact
  r = r - n * 1.428606765330187e-06f;   // and its low part
  float p = 1.0f / 5040;
  p = p * r + 1.0f / 720;
  p = p * r + 1.0f / 120;
  p = p * r + 1.0f / 24;
  p = p * r + 1.0f / 6;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  const int32_t ni = static_cast<int32_t>(n);  // in [−126, 0]: 2^n is a normal float
  const float e = p * std::bit_cast<float>((ni + 127) << 23);  // e^a in (0, 1]
  const float u = 1.0f + e;
  const bool big = u >= 1.5f;
  const float m = big ? u * 0.5f : u;
  const float t = (m - 1.0f) / (m + 1.0f);
  const float t2 = t * t;
  float q = 1.0f / 9;
  q = q * t2 + 1.0f / 7;
  q = q * t2 + 1.0f / 5;
  q = q * t2 + 1.0f / 3;
  q = q * t2 + 1.0f;
  float log_u = (big ? 0.693147180559945309f : 0.0f) + (t + t) * q;
  log_u = log_u + (e - (u - 1.0f)) / u;
  return (s > 0.0f ? s : 0.0f) + log_u;
}

}  // namespace n2v::core
