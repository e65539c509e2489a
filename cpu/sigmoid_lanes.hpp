// σ over vectors for the CPU trainers, bit-equal to the scalar core::Sigmoid and core::SgnsCoeff
// where the host's libm is glibc ≥ 2.28: core::Sigmoid calls expf, a libm call per logit that the
// compiler cannot vectorise and that forced every zmm register of the AVX-512 kernels to be saved
// around it; these compute glibc's own expf algorithm (core/glibc_expf.hpp) eight lanes at a time
// in double, as cuda/sgd.cu does one lane at a time. Any lane outside that algorithm's main path
// (|x| ≥ 88, NaN) is answered by the scalar function, so the result is the scalar one everywhere.
// Checked by tests/cpu/sigmoid_lanes_test.cpp: against libm's expf on a sweep of [−88, 88] and on
// the special values, and against core::Sigmoid / core::SgnsCoeff.
#pragma once

#include <cstdint>

#include "n2v/core/sgns.hpp"

#if defined(__AVX512F__) && defined(__AVX512VL__)
#define N2V_SIGMOID_LANES 1
// GCC 12 warns about _mm512_undefined_ps() inside its own intrinsics (GCC PR 105593); the warning
// is about the header, not this code.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#pragma GCC diagnostic pop

#include "n2v/core/glibc_expf.hpp"
#else
#define N2V_SIGMOID_LANES 0
#endif

namespace n2v::cpu {

#if N2V_SIGMOID_LANES

alignas(64) inline constexpr uint64_t kExp2fTable[32] = {N2V_GLIBC_EXP2F_TABLE};

/// glibc's expf of eight floats whose magnitudes are below core::kExpfMainPathLimit (other lanes
/// get an unspecified value), with glibc's operations in glibc's order: equal to glibc 2.36's expf
/// on every one of the 2.24e9 floats in (−88, 88) (checked exhaustively on an AVX-512 Zen 5).
inline __m256 ExpfMainPath8(__m256 x) {
  const __m512d xd = _mm512_cvtps_pd(x);
  // k and r from the product x·32/ln2 unrounded, as glibc's x86-64 FMA build computes them (GCC
  // contracts its z = InvLn2N·x into both z + shift and z − k); glibc picks that build on every
  // CPU with FMA, so on every CPU this code runs on. Rounding z first, as glibc's C source reads,
  // gives other results at two floats of (−88, 88) (±32.56…, −63.1…).
  const __m512d inv = _mm512_set1_pd(core::kExpfInvLn2N);
  const __m512d shift = _mm512_set1_pd(core::kExpfShift);
  const __m512d kd_shifted = _mm512_fmadd_pd(inv, xd, shift);
  const __m512i ki = _mm512_castpd_si512(kd_shifted);  // k in the low bits, two's complement
  const __m512d r = _mm512_fmsub_pd(inv, xd, _mm512_sub_pd(kd_shifted, shift));
  // T[k mod 32]: entries k & 15 of the low and of the high half (bit 3 of the index picks the
  // table register, bits 0-2 the lane), bit 4 picks the half.
  const __m512i* table = reinterpret_cast<const __m512i*>(kExp2fTable);
  const __m512i low = _mm512_permutex2var_epi64(_mm512_load_si512(table), ki,
                                                _mm512_load_si512(table + 1));
  const __m512i high = _mm512_permutex2var_epi64(_mm512_load_si512(table + 2), ki,
                                                 _mm512_load_si512(table + 3));
  const __mmask8 upper = _mm512_test_epi64_mask(ki, _mm512_set1_epi64(16));
  const __m512i t = _mm512_add_epi64(_mm512_mask_blend_epi64(upper, low, high),
                                     _mm512_slli_epi64(ki, 52 - core::kExpfTableBits));
  const __m512d s = _mm512_castsi512_pd(t);
  const __m512d p = _mm512_fmadd_pd(_mm512_set1_pd(core::kExpfC0), r, _mm512_set1_pd(core::kExpfC1));
  const __m512d r2 = _mm512_mul_pd(r, r);
  __m512d y = _mm512_fmadd_pd(_mm512_set1_pd(core::kExpfC2), r, _mm512_set1_pd(1.0));
  y = _mm512_fmadd_pd(p, r2, y);
  y = _mm512_mul_pd(y, s);
  return _mm512_cvtpd_ps(y);
}

/// core::Sigmoid of eight floats: 1 / (1 + expf(−x)), the same bits lane for lane.
inline __m256 Sigmoid8(__m256 x) {
  const __m256 neg = _mm256_xor_ps(x, _mm256_set1_ps(-0.0f));
  const __m256 one = _mm256_set1_ps(1.0f);
  __m256 sigma = _mm256_div_ps(one, _mm256_add_ps(one, ExpfMainPath8(neg)));
  const __m256 magnitude = _mm256_andnot_ps(_mm256_set1_ps(-0.0f), x);
  // Not below the limit (NaN included): the scalar function, lane by lane. The SGD trainers' logits
  // are clamped to ±6 and never get here; Adam's rarely do.
  const __mmask8 outside =
      _mm256_cmp_ps_mask(magnitude, _mm256_set1_ps(core::kExpfMainPathLimit), _CMP_NLT_UQ);
  if (outside != 0) [[unlikely]] {
    alignas(32) float xs[8], out[8];
    _mm256_store_ps(xs, x);
    _mm256_store_ps(out, sigma);
    for (int l = 0; l < 8; ++l) {
      if (outside & (1u << l)) out[l] = core::Sigmoid(xs[l]);
    }
    sigma = _mm256_load_ps(out);
  }
  return sigma;
}

#endif  // N2V_SIGMOID_LANES

/// out[i] = core::Sigmoid(x[i]) for i < n, eight at a time where AVX-512 is built for.
inline void SigmoidLanes(const float* x, int32_t n, float* out) {
#if !N2V_SIGMOID_LANES
  for (int32_t i = 0; i < n; ++i) out[i] = core::Sigmoid(x[i]);
#else
  for (int32_t i = 0; i < n; i += 8) {
    const __mmask8 live = n - i >= 8 ? __mmask8{0xFF} : static_cast<__mmask8>((1u << (n - i)) - 1);
    _mm256_mask_storeu_ps(out + i, live, Sigmoid8(_mm256_maskz_loadu_ps(live, x + i)));
  }
#endif
}

/// g[j] = core::SgnsCoeff(f[j], j == 0 ? 1 : 0, lr) for j < n: the coefficients of one pair's
/// target (label 1) and its negatives (label 0), eight at a time where AVX-512 is built for.
/// Reads and writes only [0, n).
inline void SgnsCoeffs(const float* f, uint32_t n, float lr, float* g) {
#if !N2V_SIGMOID_LANES
  for (uint32_t j = 0; j < n; ++j) g[j] = core::SgnsCoeff(f[j], j == 0 ? 1.0f : 0.0f, lr);
#else
  const __m256 lo = _mm256_set1_ps(-core::kMaxLogit), hi = _mm256_set1_ps(core::kMaxLogit);
  const __m256 lrv = _mm256_set1_ps(lr);
  for (uint32_t j = 0; j < n; j += 8) {
    const __mmask8 live = n - j >= 8 ? __mmask8{0xFF} : static_cast<__mmask8>((1u << (n - j)) - 1);
    const __m256 dot = _mm256_maskz_loadu_ps(live, f + j);
    // core::ClampLogit's fminf(fmaxf(x, −6), 6): maxps returns its second operand when either is
    // NaN, as fmaxf returns the number.
    const __m256 x = _mm256_min_ps(_mm256_max_ps(dot, lo), hi);
    const __m256 label = j == 0 ? _mm256_setr_ps(1, 0, 0, 0, 0, 0, 0, 0) : _mm256_setzero_ps();
    _mm256_mask_storeu_ps(g + j, live, _mm256_mul_ps(lrv, _mm256_sub_ps(label, Sigmoid8(x))));
  }
#endif
}

}  // namespace n2v::cpu
