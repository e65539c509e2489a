// cpu/sigmoid_lanes.hpp: σ over vectors must give the scalar core::Sigmoid / core::SgnsCoeff bits
// (libm's expf), or the AVX-512 trainers would drift from the scalar ones and from the GPU's exact
// launch. The reproduction is of glibc's expf (≥ 2.28); on another libm the comparisons here are
// held to one ulp instead, and say so.
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <random>
#include <vector>

#include "../../cpu/sigmoid_lanes.hpp"
#include "../libm_expf.hpp"
#include "gtest/gtest.h"
#include "n2v/core/glibc_expf.hpp"
#include "n2v/core/sgns.hpp"

namespace n2v {
namespace {

int64_t UlpDistance(float a, float b) {
  const auto key = [](float x) {
    const int32_t i = std::bit_cast<int32_t>(x);
    return i < 0 ? int64_t{INT32_MIN} - i : int64_t{i};
  };
  return std::abs(key(a) - key(b));
}

/// Every value of `got` equals `want` bit for bit (within one ulp where libm is not glibc's).
void ExpectSameBits(const std::vector<float>& in, const std::vector<float>& want,
                    const std::vector<float>& got, const char* what) {
  const bool exact = testing::HostExpfIsGlibcs();
  size_t bad = 0;
  for (size_t i = 0; i < in.size(); ++i) {
    const bool same = std::bit_cast<uint32_t>(want[i]) == std::bit_cast<uint32_t>(got[i]) ||
                      (std::isnan(want[i]) && std::isnan(got[i]));
    const bool ok = same || (!exact && UlpDistance(want[i], got[i]) <= 1);
    if (!ok && ++bad <= 5) {
      ADD_FAILURE() << what << "(" << std::hexfloat << in[i] << "): scalar " << want[i]
                    << ", lanes " << got[i];
    }
  }
  EXPECT_EQ(bad, 0u) << what << ": " << bad << " of " << in.size() << " differ"
                     << (exact ? "" : " by more than one ulp (libm is not glibc >= 2.28)");
}

/// Floats spread over every binade of (−limit, limit) (a fixed stride through the bit patterns,
/// so each run sees the same ~2.6 million), the edges of the main path and the special values.
std::vector<float> SweepInputs(float limit) {
  std::vector<float> x;
  const uint32_t top = std::bit_cast<uint32_t>(limit);
  for (uint32_t b = 0; b < top; b += 1699) {
    x.push_back(std::bit_cast<float>(b));
    x.push_back(-std::bit_cast<float>(b));
  }
  for (float v : {0.0f, -0.0f, 6.0f, -6.0f, 88.0f, -88.0f, std::nextafter(88.0f, 0.0f),
                  std::nextafter(-88.0f, 0.0f), 88.7f, -88.7f, 89.0f, -104.0f, -110.0f, 1e30f,
                  -1e30f, std::numeric_limits<float>::infinity(),
                  -std::numeric_limits<float>::infinity(), std::numeric_limits<float>::quiet_NaN(),
                  std::numeric_limits<float>::denorm_min(), 0x1.04845ep+5f, -0x1.f8cbb2p+5f}) {
    x.push_back(v);
  }
  return x;
}

#if N2V_SIGMOID_LANES
TEST(SigmoidLanes, ExpfMainPathEqualsLibmExpf) {
  std::vector<float> x = SweepInputs(core::kExpfMainPathLimit);
  // Only the main path's domain: the function leaves the rest to libm by contract.
  std::erase_if(x, [](float v) { return !(std::fabs(v) < core::kExpfMainPathLimit); });
  x.resize(x.size() / 8 * 8);
  std::vector<float> want(x.size()), got(x.size());
  for (size_t i = 0; i < x.size(); ++i) want[i] = expf(x[i]);
  for (size_t i = 0; i < x.size(); i += 8) {
    _mm256_storeu_ps(got.data() + i, cpu::ExpfMainPath8(_mm256_loadu_ps(x.data() + i)));
  }
  ExpectSameBits(x, want, got, "expf");
}
#endif

TEST(SigmoidLanes, SigmoidEqualsScalarEverywhere) {
  const std::vector<float> x = SweepInputs(120.0f);
  std::vector<float> want(x.size()), got(x.size());
  for (size_t i = 0; i < x.size(); ++i) want[i] = core::Sigmoid(x[i]);
  cpu::SigmoidLanes(x.data(), static_cast<int32_t>(x.size()), got.data());
  ExpectSameBits(x, want, got, "Sigmoid");
}

TEST(SigmoidLanes, TouchesOnlyItsLanes) {
  // Any count, any alignment: the masked tails read and write nothing past n.
  for (int32_t n = 0; n <= 19; ++n) {
    std::vector<float> x(32, 0.5f), out(32, -7.0f);
    for (int32_t i = 0; i < n; ++i) x[1 + i] = static_cast<float>(i) - 9.0f;
    cpu::SigmoidLanes(x.data() + 1, n, out.data() + 1);
    EXPECT_EQ(out[0], -7.0f);
    for (int32_t i = 0; i < n; ++i) EXPECT_EQ(out[1 + i], core::Sigmoid(x[1 + i])) << n << " " << i;
    for (int32_t i = n + 1; i < 32; ++i) EXPECT_EQ(out[i], -7.0f) << "n " << n << " wrote " << i;
  }
}

TEST(SigmoidLanes, SgnsCoeffsEqualScalarForEveryPairShape) {
  std::mt19937 rng(7);
  std::normal_distribution<float> dot(0.0f, 4.0f);
  std::vector<float> in, want, got;
  for (uint32_t n = 1; n <= 21; ++n) {  // 1 + negatives: the target's label 1 in lane 0 only
    for (int rep = 0; rep < 2000; ++rep) {
      std::vector<float> f(n + 3), g(n + 3, 123.0f);
      for (uint32_t j = 0; j < n; ++j) f[j] = dot(rng);
      if (rep == 0) f[0] = std::numeric_limits<float>::quiet_NaN();  // clamped as fminf/fmaxf do
      const float lr = 0.025f * std::uniform_real_distribution<float>(0.0001f, 1.0f)(rng);
      cpu::SgnsCoeffs(f.data(), n, lr, g.data());
      for (uint32_t j = 0; j < n; ++j) {
        in.push_back(f[j]);
        want.push_back(core::SgnsCoeff(f[j], j == 0 ? 1.0f : 0.0f, lr));
        got.push_back(g[j]);
      }
      for (uint32_t j = n; j < n + 3; ++j) ASSERT_EQ(g[j], 123.0f) << "wrote past n = " << n;
    }
  }
  ExpectSameBits(in, want, got, "SgnsCoeff");
}

}  // namespace
}  // namespace n2v
