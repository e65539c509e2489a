// core::Softplus, the CPU trainers' vectorisable loss term, against log1p(exp(s)) in long double:
// every float of [−40, 40] at a step of 2^−10 and a sweep of the tails, one value at a time and in
// a `#pragma omp simd` loop (the way the trainers call it), which must give the same bits.
#include <cmath>
#include <cstring>
#include <cstdint>
#include <limits>
#include <vector>

#include "gtest/gtest.h"
#include "n2v/core/softplus.hpp"

namespace n2v::core {
namespace {

long double ExactSoftplus(float s) {
  const long double x = s;
  return (x > 0 ? x : 0.0L) + std::log1p(std::exp(-std::fabs(x)));
}

std::vector<float> Grid() {
  std::vector<float> xs;
  for (int i = -40 * 1024; i <= 40 * 1024; ++i) xs.push_back(static_cast<float>(i) / 1024.0f);
  for (float x = 40.0f; x < 1e30f; x *= 1.37f) {
    xs.push_back(x);
    xs.push_back(-x);
  }
  for (float x : {1e-30f, 1e-38f, 1e-45f, 86.9f, 87.0f, 87.1f, 88.7f, 89.0f, 103.0f, 150.0f}) {
    xs.push_back(x);
    xs.push_back(-x);
  }
  xs.push_back(std::numeric_limits<float>::max());
  xs.push_back(std::numeric_limits<float>::lowest());
  return xs;
}

TEST(Softplus, WithinThreeTenthsOfAMillionthOfTheExactValue) {
  double worst = 0.0;
  float worst_at = 0.0f;
  for (float s : Grid()) {
    const long double exact = ExactSoftplus(s);
    const float got = Softplus(s);
    ASSERT_TRUE(std::isfinite(got)) << s;
    ASSERT_GE(got, 0.0f) << s;
    // Relative error; where softplus is below 1e-30 the term is nothing next to a loss sum, and
    // an absolute 1e-37 (the clamp at e^−87) is the bound.
    const double err = static_cast<double>(std::fabs(got - exact));
    if (exact < 1e-30L) {
      EXPECT_LT(err, 1e-37) << s;
      continue;
    }
    const double rel = err / static_cast<double>(exact);
    if (rel > worst) {
      worst = rel;
      worst_at = s;
    }
  }
  EXPECT_LT(worst, 3e-7) << "worst at s = " << worst_at;
}

TEST(Softplus, ExactWhereTheTermVanishes) {
  EXPECT_EQ(Softplus(0.0f), static_cast<float>(std::log(2.0)));
  EXPECT_EQ(Softplus(100.0f), 100.0f);  // log1p(e^−100) is far below half an ulp of 100
  EXPECT_EQ(Softplus(1e30f), 1e30f);
  EXPECT_LT(Softplus(-100.0f), 1e-37f);
}

TEST(Softplus, VectorisedLoopGivesTheScalarBits) {
  const std::vector<float> xs = Grid();
  std::vector<float> out(xs.size());
  const size_t n = xs.size();
#pragma omp simd
  for (size_t i = 0; i < n; ++i) out[i] = Softplus(xs[i]);
  for (size_t i = 0; i < n; ++i) {
    const float one = Softplus(xs[i]);
    ASSERT_EQ(std::memcmp(&one, &out[i], sizeof(float)), 0) << xs[i] << ": " << one << " vs " << out[i];
  }
}

}  // namespace
}  // namespace n2v::core
