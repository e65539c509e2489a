// Skip-gram with negative sampling: the per-pair loss and gradient and the optimizer steps,
// written once for host and device. Two regimes (docs/DESIGN.md, decision 6):
//  - the seed's model: one tied table, logit = e_t . e_c, binary cross-entropy with logits,
//    sample weights, Adam (Keras defaults) with an L2 penalty on the whole table;
//  - word2vec's: separate input/output tables, SGD with the logit clipped at ±6 (word2vec.c).
#pragma once

#include <cmath>
#include <cstdint>

#include "n2v/core/hd.hpp"
#include "n2v/core/limits.hpp"
#include "n2v/core/rng.hpp"

namespace n2v::core {

N2V_HD float Sigmoid(float x) { return 1.0f / (1.0f + expf(-x)); }

/// word2vec.c's MAX_EXP: beyond ±6 the sigmoid is taken as saturated.
constexpr float kMaxLogit = 6.0f;
N2V_HD float ClampLogit(float x) { return fminf(fmaxf(x, -kMaxLogit), kMaxLogit); }

/// Binary cross-entropy of logit z against label y in {0,1}, in TensorFlow's stable form
/// max(z,0) - z*y + log(1 + exp(-|z|)) (tf.nn.sigmoid_cross_entropy_with_logits).
N2V_HD float BceWithLogits(float z, float y) {
  return fmaxf(z, 0.0f) - z * y + log1pf(expf(-fabsf(z)));
}

/// d BceWithLogits / dz.
N2V_HD float BceWithLogitsGrad(float z, float y) { return Sigmoid(z) - y; }

/// SGNS coefficient g = lr·(label − σ(dot)), with the logit clipped as in word2vec.c.
N2V_HD float SgnsCoeff(float dot, float label, float lr) {
  return lr * (label - Sigmoid(ClampLogit(dot)));
}

/// Keras Adam's constants (tf.keras.optimizers.Adam defaults; epsilon 1e-7, not PyTorch's 1e-8).
struct AdamParams {
  float lr = kAdamDefaultLr;
  float beta1 = 0.9f;
  float beta2 = 0.999f;
  float epsilon = 1e-7f;
};

/// Per-step scalars of Adam: alpha = lr·sqrt(1 − β2^t)/(1 − β1^t) for step t ≥ 1.
struct AdamStepScalars {
  float alpha;
  float one_minus_beta1;
  float one_minus_beta2;
  float epsilon;
};

/// Computed once per step on the host (double, so both backends get the same float).
inline AdamStepScalars MakeAdamStep(const AdamParams& p, int64_t t) {
  const double b1t = std::pow(static_cast<double>(p.beta1), static_cast<double>(t));
  const double b2t = std::pow(static_cast<double>(p.beta2), static_cast<double>(t));
  return AdamStepScalars{static_cast<float>(p.lr * std::sqrt(1.0 - b2t) / (1.0 - b1t)),
                         1.0f - p.beta1, 1.0f - p.beta2, p.epsilon};
}

/// One Adam update of one parameter, Keras's formulation:
/// m += (g − m)(1 − β1); v += (g² − v)(1 − β2); w −= alpha·m/(sqrt(v) + ε).
N2V_HD void AdamUpdate(float& w, float& m, float& v, float g, const AdamStepScalars& s) {
  m += (g - m) * s.one_minus_beta1;
  v += (g * g - v) * s.one_minus_beta2;
  w -= s.alpha * m / (sqrtf(v) + s.epsilon);
}

/// Gradient of the L2 penalty λ·Σw² (keras.regularizers.l2(λ)).
N2V_HD float L2Grad(float w, float lambda) { return 2.0f * lambda * w; }

/// One standard normal draw from two random words (Box–Muller, cosine branch).
N2V_HD float StandardNormal(uint32_t r0, uint32_t r1) {
  const float u = UniformFloatOpen0(r0);
  const float v = UniformFloat(r1);
  return sqrtf(-2.0f * logf(u)) * cosf(6.283185307179586f * v);
}

/// Keras he_normal for an Embedding(input_dim, output_dim): a normal truncated at ±2σ with
/// σ = sqrt(2 / input_dim) / 0.87962566 (VarianceScaling, fan_in = input_dim, the row count).
/// Element (row, col) is a pure function of the key, so every backend initialises identically.
N2V_HD float HeNormalTruncated(PhiloxKey key, uint64_t row, uint32_t col, float stddev) {
  for (uint32_t attempt = 0;; ++attempt) {
    const U32x4 r = Random4(key, attempt, col, row);
    const float z = StandardNormal(r.x, r.y);
    if (fabsf(z) <= 2.0f) return z * stddev;
  }
}

/// The standard deviation HeNormalTruncated uses for a table of `rows` rows.
inline float HeNormalStddev(int64_t rows) {
  return static_cast<float>(std::sqrt(2.0 / static_cast<double>(rows)) / 0.87962566103423978);
}

}  // namespace n2v::core
