// Every default value of n2v, written once. The options family (n2v/options.hpp), the backends'
// option structs (WalkOptions, SgdTrainOptions, AdamTrainOptions, ExampleOptions, PmiOptions) and
// the CLI's flags (bound to the options family) all take their defaults from here.
#pragma once

#include <cstdint>

namespace n2v::core {

// --- node2vec's (Grover & Leskovec 2016, and its reference implementation's flags) --------------
inline constexpr double kDefaultP = 1.0;
inline constexpr double kDefaultQ = 1.0;
inline constexpr uint32_t kDefaultWalkLength = 80;
inline constexpr uint32_t kDefaultNumWalks = 10;
inline constexpr int32_t kDefaultDim = 128;
inline constexpr uint32_t kDefaultWindow = 10;
inline constexpr int32_t kDefaultEpochs = 1;
inline constexpr uint32_t kDefaultNegatives = 5;
inline constexpr uint64_t kDefaultSeed = 42;

// --- word2vec's SGD (word2vec.c, gensim) ---------------------------------------------------------
/// The skip-gram learning rate, decaying linearly to kSgdDefaultLr · kSgdMinLrFraction.
inline constexpr float kSgdDefaultLr = 0.025f;
inline constexpr float kSgdMinLrFraction = 1e-4f;
/// Negatives are drawn ~ count^kNegativePower.
inline constexpr double kNegativePower = 0.75;
/// Frequent-node subsampling threshold (word2vec's `sample`; core::SubsampleWalk). 0: off.
inline constexpr double kSgdDefaultSample = 0.0;

// --- the Keras example's model (the seed) ---------------------------------------------------------
/// Keras's Adam learning rate.
inline constexpr float kAdamDefaultLr = 1e-3f;
inline constexpr int32_t kSeedDim = 50;
inline constexpr int32_t kSeedEpochs = 10;
inline constexpr int32_t kSeedBatch = 1024;  // the last partial batch dropped (drop_remainder)
inline constexpr double kSeedL2 = 1e-6;
inline constexpr uint32_t kSeedNegatives = 4;  // per positive couple
inline constexpr uint32_t kSeedNumWalks = 5;
inline constexpr uint32_t kSeedNumSteps = 10;  // movies per walk; the seed's window is num_steps
inline constexpr double kSeedMinRating = 5.0;
inline constexpr double kSeedMinWeight = 10.0;
inline constexpr int kSeedTopK = 5;

// --- evaluation ------------------------------------------------------------------------------------
inline constexpr double kEvalTestFraction = 0.2;
inline constexpr double kEvalTrainFraction = 0.5;
inline constexpr int32_t kEvalRepeats = 10;

}  // namespace n2v::core
