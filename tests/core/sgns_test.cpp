// Host tests of the shared skip-gram math (core/sgns.hpp): the sigmoid, TensorFlow's stable BCE
// with logits, the per-pair gradient against finite differences, Keras's Adam step worked by
// hand, and the truncated He-normal initialiser's moments.
#include <cmath>
#include <cstdint>
#include <vector>

#include "gtest/gtest.h"
#include "n2v/core/rng.hpp"
#include "n2v/core/sgns.hpp"

namespace n2v::core {
namespace {

TEST(Sigmoid, SymmetryAndLimits) {
  for (float x : {0.0f, 0.1f, 0.5f, 1.0f, 2.5f, 6.0f, 10.0f, 30.0f}) {
    // σ(−x) = 1 − σ(x); float rounding of 1 − σ(x) bounds the difference by ~1 ulp of 1.
    EXPECT_NEAR(Sigmoid(-x), 1.0f - Sigmoid(x), 1.2e-7f) << x;
  }
  EXPECT_EQ(Sigmoid(0.0f), 0.5f);
  EXPECT_EQ(Sigmoid(100.0f), 1.0f);
  EXPECT_EQ(Sigmoid(-200.0f), 0.0f);
  EXPECT_TRUE(std::isfinite(Sigmoid(-1000.0f)));
}

TEST(ClampLogit, Word2vecMaxExp) {
  EXPECT_EQ(ClampLogit(7.0f), kMaxLogit);
  EXPECT_EQ(ClampLogit(-7.0f), -kMaxLogit);
  EXPECT_EQ(ClampLogit(1.5f), 1.5f);
  EXPECT_NEAR(SgnsCoeff(0.0f, 1.0f, 0.025f), 0.0125f, 1e-9f);
  EXPECT_EQ(SgnsCoeff(50.0f, 1.0f, 0.1f), 0.1f * (1.0f - Sigmoid(6.0f)));
}

// −y·log σ(z) − (1 − y)·log(1 − σ(z)) in double: the textbook form, fine where it does not
// overflow.
double NaiveBce(double z, double y) {
  const double s = 1.0 / (1.0 + std::exp(-z));
  return -y * std::log(s) - (1.0 - y) * std::log(1.0 - s);
}

TEST(BceWithLogits, MatchesTheNaiveFormula) {
  for (float y : {0.0f, 1.0f}) {
    for (float z : {-15.0f, -6.0f, -2.0f, -0.5f, 0.0f, 0.3f, 1.0f, 4.0f, 12.0f}) {
      const double ref = NaiveBce(z, y);
      // Float evaluation: a few ulps of the result plus the absolute error of log1pf near 0.
      EXPECT_NEAR(BceWithLogits(z, y), ref, 1e-6 + 1e-6 * ref) << "z=" << z << " y=" << y;
    }
  }
  // The stable form survives logits where the naive one overflows.
  EXPECT_NEAR(BceWithLogits(200.0f, 0.0f), 200.0f, 1e-4f);
  EXPECT_NEAR(BceWithLogits(-200.0f, 1.0f), 200.0f, 1e-4f);
  EXPECT_NEAR(BceWithLogits(200.0f, 1.0f), 0.0f, 1e-6f);
}

TEST(BceWithLogits, GradientIsSigmoidMinusLabel) {
  for (float y : {0.0f, 1.0f}) {
    for (float z : {-3.0f, -0.25f, 0.0f, 0.7f, 5.0f}) {
      const double h = 1e-4;
      const double fd = (NaiveBce(z + h, y) - NaiveBce(z - h, y)) / (2 * h);
      EXPECT_NEAR(BceWithLogitsGrad(z, y), fd, 1e-6) << "z=" << z << " y=" << y;
    }
  }
}

// The per-pair loss of the seed's model, L(e_t, e_c) = bce(e_t·e_c, y), in double.
double PairLoss(const std::vector<double>& et, const std::vector<double>& ec, double y) {
  double z = 0.0;
  for (size_t d = 0; d < et.size(); ++d) z += et[d] * ec[d];
  return NaiveBce(z, y);
}

TEST(PairGradient, FiniteDifferencesAgreeWithTheAnalyticGradient) {
  // dL/de_t = (σ(z) − y)·e_c and dL/de_c = (σ(z) − y)·e_t: what both trainers scatter.
  const PhiloxKey key = StreamKey(11, Stream::kEval);
  const int dim = 12;
  for (int trial = 0; trial < 20; ++trial) {
    std::vector<double> et(dim), ec(dim);
    std::vector<float> ft(dim), fc(dim);
    for (int d = 0; d < dim; ++d) {
      const U32x4 r = Random4(key, d, trial, 0);
      ft[d] = StandardNormal(r.x, r.y) * 0.5f;
      fc[d] = StandardNormal(r.z, r.w) * 0.5f;
      et[d] = ft[d];
      ec[d] = fc[d];
    }
    const float y = trial % 2 == 0 ? 1.0f : 0.0f;
    float z = 0.0f;
    for (int d = 0; d < dim; ++d) z += ft[d] * fc[d];
    const float g = BceWithLogitsGrad(z, y);
    const double h = 1e-6;
    for (int d = 0; d < dim; ++d) {
      std::vector<double> tp = et, tm = et, cp = ec, cm = ec;
      tp[d] += h;
      tm[d] -= h;
      cp[d] += h;
      cm[d] -= h;
      const double fd_t = (PairLoss(tp, ec, y) - PairLoss(tm, ec, y)) / (2 * h);
      const double fd_c = (PairLoss(et, cp, y) - PairLoss(et, cm, y)) / (2 * h);
      // The analytic side is float (as the trainers compute it): relative 1e-5 covers its
      // rounding; the central difference in double is accurate to ~1e-9 at h = 1e-6.
      EXPECT_NEAR(g * fc[d], fd_t, 1e-5 * (1.0 + std::fabs(fd_t))) << "trial " << trial << " d " << d;
      EXPECT_NEAR(g * ft[d], fd_c, 1e-5 * (1.0 + std::fabs(fd_c))) << "trial " << trial << " d " << d;
    }
  }
}

TEST(Adam, StepScalarsMatchKeras) {
  const AdamParams p;  // lr 1e-3, β1 0.9, β2 0.999, ε 1e-7, held as float32 as Keras does
  const double lr = p.lr, b1 = p.beta1, b2 = p.beta2;
  const AdamStepScalars s1 = MakeAdamStep(p, 1);
  EXPECT_FLOAT_EQ(s1.alpha, static_cast<float>(lr * std::sqrt(1 - b2) / (1 - b1)));
  // ≈ 3.1623e-4; float32 β2 = 0.99900001 makes 1 − β2 0.99999e-3, hence the 1e-5 relative.
  EXPECT_NEAR(s1.alpha, 1e-3 * std::sqrt(0.001) / 0.1, 1e-5 * 3.1623e-4);
  const AdamStepScalars s10 = MakeAdamStep(p, 10);
  EXPECT_FLOAT_EQ(s10.alpha, static_cast<float>(lr * std::sqrt(1 - std::pow(b2, 10)) /
                                                (1 - std::pow(b1, 10))));
  EXPECT_FLOAT_EQ(s1.one_minus_beta1, 0.1f);
  EXPECT_FLOAT_EQ(s1.one_minus_beta2, 1.0f - 0.999f);
  EXPECT_EQ(s1.epsilon, 1e-7f);
}

TEST(Adam, UpdateMatchesTwoStepsWorkedByHand) {
  const AdamParams p;
  // Keras keeps β1, β2, lr and 1 − β in float32; work by hand in double from those same floats.
  const double b1 = p.beta1, b2 = p.beta2, lr = p.lr, eps = p.epsilon;
  const double c1 = 1.0f - p.beta1, c2 = 1.0f - p.beta2;
  float w = 1.0f, m = 0.0f, v = 0.0f;
  // Step 1, g = 0.5: Adam's first step has magnitude lr whatever g is.
  AdamUpdate(w, m, v, 0.5f, MakeAdamStep(p, 1));
  double mh = 0.5 * c1, vh = 0.25 * c2;
  double wh = 1.0 - (lr * std::sqrt(1 - b2) / (1 - b1)) * mh / (std::sqrt(vh) + eps);
  // Tolerances: a few float roundings relative to each quantity (float eps is 6e-8).
  EXPECT_NEAR(m, mh, 3e-7 * mh);
  EXPECT_NEAR(v, vh, 3e-7 * vh);
  EXPECT_NEAR(w, wh, 1e-7);
  EXPECT_NEAR(w, 1.0 - 1e-3, 1e-6);
  // Step 2, g = −0.2.
  AdamUpdate(w, m, v, -0.2f, MakeAdamStep(p, 2));
  mh = mh + (-0.2 - mh) * c1;
  vh = vh + (0.2 * 0.2 - vh) * c2;
  wh = wh - (lr * std::sqrt(1 - b2 * b2) / (1 - b1 * b1)) * mh / (std::sqrt(vh) + eps);
  EXPECT_NEAR(m, mh, 3e-7 * std::fabs(mh));
  EXPECT_NEAR(v, vh, 3e-7 * vh);
  EXPECT_NEAR(w, wh, 1e-7);
}

TEST(L2, GradientOfLambdaWSquared) {
  EXPECT_FLOAT_EQ(L2Grad(0.5f, 1e-6f), 1e-6f);
  EXPECT_FLOAT_EQ(L2Grad(-2.0f, 0.5f), -2.0f);
}

TEST(HeNormalTruncated, MomentsAndTruncation) {
  // ml-latest-small's table: 1405 rows × 50. A normal truncated at ±2σ has standard deviation
  // 0.87962566·σ, which HeNormalStddev divides out: the draws have sd sqrt(2 / rows).
  const int64_t rows = 1405;
  const int dim = 50;
  const float stddev = HeNormalStddev(rows);
  const PhiloxKey key = StreamKey(42, Stream::kInit);
  double sum = 0.0, sum_sq = 0.0;
  float max_abs = 0.0f;
  const int64_t n = rows * dim;
  for (int64_t r = 0; r < rows; ++r) {
    for (int c = 0; c < dim; ++c) {
      const float x = HeNormalTruncated(key, r, c, stddev);
      sum += x;
      sum_sq += static_cast<double>(x) * x;
      max_abs = std::max(max_abs, std::fabs(x));
    }
  }
  const double mean = sum / n, sd = std::sqrt(sum_sq / n - mean * mean);
  const double target_sd = std::sqrt(2.0 / rows);
  // 70250 draws: the mean's standard error is sd/265 ≈ 1.4e-4, so 5 standard errors is 7e-4;
  // the sd's relative standard error is about 1/sqrt(2n)·(kurtosis term) < 0.4%, allow 2%.
  EXPECT_NEAR(mean, 0.0, 5 * target_sd / std::sqrt(static_cast<double>(n)));
  EXPECT_NEAR(sd / target_sd, 1.0, 0.02);
  EXPECT_LE(max_abs, 2.0f * stddev);
  EXPECT_GT(max_abs, 1.9f * stddev);  // the tails are reached, not clipped short
  // A pure function of (key, row, col).
  EXPECT_EQ(HeNormalTruncated(key, 7, 3, stddev), HeNormalTruncated(key, 7, 3, stddev));
}

}  // namespace
}  // namespace n2v::core
