// word2vec's regime (docs/DESIGN.md, decision 6), the decisions that must agree between backends:
// table initialisation, the random window shrink, negative draws from a unigram^0.75 alias table,
// and the linearly decaying learning rate (Mikolov et al. 2013; word2vec.c). Every draw is keyed
// on (epoch, centre position, window slot, draw), so a CPU twin can reproduce the GPU's choices.
// Twin: none (the same code runs on both sides); used by cuda/sgd.cu.
#pragma once

#include <cstdint>

#include "n2v/core/hd.hpp"
#include "n2v/core/rng.hpp"

namespace n2v::core {

/// The keys of one SGD run. SplitMix64(seed) keeps them apart from the Adam regime's streams of
/// the same seed (StreamKey(seed, ...)).
N2V_HD PhiloxKey SgdInitKey(uint64_t seed) { return StreamKey(SplitMix64(seed), Stream::kInit); }
N2V_HD PhiloxKey SgdWindowKey(uint64_t seed) {
  return StreamKey(SplitMix64(seed), Stream::kWindow);
}
N2V_HD PhiloxKey SgdNegativeKey(uint64_t seed) {
  return StreamKey(SplitMix64(seed), Stream::kNegatives);
}

/// The keep draws of frequent-node subsampling (SubsampleWalk).
N2V_HD PhiloxKey SgdSubsampleKey(uint64_t seed) {
  return StreamKey(SplitMix64(seed), Stream::kSubsample);
}

/// word2vec's subsampling of frequent words (Mikolov et al. 2013, §2.3; word2vec.c, gensim):
/// each occurrence of node v in a walk is kept with probability min(1, (sqrt(f/t) + 1)·t/f),
/// where f is v's count and t = sample × the total count (gensim's formula; SubsampleThresholds
/// turns it into keep[v], an integer threshold), and the walk is trained as if the dropped
/// occurrences were not there: the kept nodes close up, so windows reach further, and the walk
/// ends in padding (−1). The draw of flat walk position `position` (walk · length + i) in epoch
/// `epoch` is word position % 4 of Random4(key, 0, epoch, position / 4): a pure function of the
/// key, so both backends, any thread count and a resumed run drop the same occurrences. Keeping
/// is an integer comparison, as in the walks, so no rounding can make the backends disagree.
/// Returns the number of nodes kept. `in` and `out` may be the same row.
N2V_HD uint32_t SubsampleWalk(PhiloxKey key, uint32_t epoch, uint64_t walk_id, uint32_t length,
                              const uint32_t* keep, const int32_t* in, int32_t* out) {
  const uint64_t base = walk_id * length;
  uint32_t kept = 0;
  U32x4 r{0, 0, 0, 0};
  for (uint32_t i = 0; i < length; ++i) {
    const uint64_t pos = base + i;
    if (i == 0 || (pos & 3u) == 0) r = Random4(key, 0, epoch, pos >> 2);
    const int32_t v = in[i];
    if (v < 0) continue;  // padding stays padding
    const uint32_t word = (pos & 3u) == 0 ? r.x : (pos & 3u) == 1 ? r.y : (pos & 3u) == 2 ? r.z : r.w;
    if (word <= keep[v]) out[kept++] = v;
  }
  for (uint32_t i = kept; i < length; ++i) out[i] = -1;
  return kept;
}

/// word2vec.c's input-table initialisation: uniform in [−0.5/dim, 0.5/dim); the output table
/// starts at zero.
N2V_HD float Word2vecInit(PhiloxKey key, uint64_t row, uint32_t col, int32_t dim) {
  return (UniformFloat(Random4(key, col, 0, row).x) - 0.5f) / static_cast<float>(dim);
}

/// word2vec's random window shrink: the centre at flat walk position `centre` uses
/// b ∈ [1, window] positions on each side.
N2V_HD uint32_t ShrunkWindow(PhiloxKey key, uint32_t epoch, uint64_t centre, uint32_t window) {
  return 1u + UniformBelow(Random4(key, 0, epoch, centre).x, window);
}

/// Identifies the (centre i, context j) pair of flat centre position `centre`: one id per window
/// slot, so every pair draws its own negatives.
N2V_HD uint64_t SgdPairId(uint64_t centre, uint32_t i, uint32_t j, uint32_t window) {
  return centre * (2ull * window + 1ull) + (static_cast<uint64_t>(j) + window - i);
}

/// The id of centre `centre`'s shared negatives (SgdTrainOptions::shared_negatives): its own
/// window slot (j = i), which no (centre, context) pair uses.
N2V_HD uint64_t SharedNegativesPairId(uint64_t centre, uint32_t i, uint32_t window) {
  return SgdPairId(centre, i, i, window);
}

/// Negative `d` of pair `pair_id`: a row drawn by the alias table (keep/alias over n rows, built
/// by BuildAliasTables from count^0.75 as a single row). Two draws per Philox block.
N2V_HD int32_t DrawNegative(PhiloxKey key, uint32_t epoch, uint64_t pair_id, uint32_t d,
                            const uint32_t* keep, const int32_t* alias, uint32_t n) {
  const U32x4 r = Random4(key, d / 2, epoch, pair_id);
  const uint32_t r_col = (d & 1u) ? r.z : r.x;
  const uint32_t r_keep = (d & 1u) ? r.w : r.y;
  uint32_t col = UniformBelow(r_col, n);
  if (r_keep > keep[col]) col = static_cast<uint32_t>(alias[col]);
  return static_cast<int32_t>(col);
}

/// word2vec.c's schedule: lr0·(1 − done/total), floored at lr0·min_fraction.
N2V_HD float SgdLearningRate(float lr0, float min_fraction, uint64_t done, uint64_t total) {
  const double left = total > 0 ? 1.0 - static_cast<double>(done) / static_cast<double>(total) : 1.0;
  const float f = static_cast<float>(left);
  return lr0 * (f > min_fraction ? f : min_fraction);
}

}  // namespace n2v::core
