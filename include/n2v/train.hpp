// Skip-gram training API. The seed's model (one tied table, weighted BCE with logits, Adam, L2)
// trains on the seed's examples: every walk's skip-gram couples within `window`, 4 negatives per
// positive (the positive's target with a uniformly drawn context), each pair ordered (min, max),
// self-pairs dropped, identical (target, context, label) triples merged with a count as weight.
// Twin: cuda/train.cuh.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "n2v/core/defaults.hpp"
#include "n2v/core/sgns.hpp"

namespace n2v {

/// Unique (target, context, label) triples with their counts; sorted by (target, context, label).
struct Examples {
  std::vector<int32_t> target;
  std::vector<int32_t> context;
  std::vector<uint8_t> label;
  std::vector<float> weight;  // how many times the triple occurred
  int64_t raw_pairs = 0;      // couples before merging (positives + negatives, self-pairs dropped)
  int64_t size() const { return static_cast<int64_t>(target.size()); }
};

struct ExampleOptions {
  uint32_t window = core::kSeedNumSteps;      // the seed uses num_steps
  uint32_t negatives = core::kSeedNegatives;  // per positive couple
  uint64_t seed = core::kDefaultSeed;
};

/// Embedding table, row-major [rows x dim].
struct Embeddings {
  int32_t rows = 0;
  int32_t dim = 0;
  std::vector<float> data;
  const float* row(int32_t r) const { return data.data() + static_cast<int64_t>(r) * dim; }
};

struct AdamTrainOptions {
  int32_t dim = core::kSeedDim;
  int32_t epochs = core::kSeedEpochs;
  int32_t batch = core::kSeedBatch;  // drop_remainder, as the seed's tf.data pipeline
  core::AdamParams adam;
  float l2 = static_cast<float>(core::kSeedL2);
  uint64_t seed = core::kDefaultSeed;
};

/// Called after each epoch with (epoch index from 0, mean loss); return false to stop early.
using EpochCallback = std::function<bool(int32_t, double)>;

/// Asked by long-running work every few milliseconds (never concurrently); returning true stops
/// it with CancelledError. Must be cheap (e.g. an atomic load).
using CancelCallback = std::function<bool()>;

/// He-normal (truncated) initial table, identical on every backend for a seed.
Embeddings InitHeNormal(int32_t rows, int32_t dim, uint64_t seed, int threads);

namespace cpu {

/// The seed's example generation over walks [num_walks x length] (-1 = padding).
Examples GenerateExamples(const int32_t* walks, int64_t num_walks, uint32_t length,
                          int32_t num_nodes, const ExampleOptions& o, int threads);

/// The seed's model trained with Adam; returns the per-epoch mean loss (Keras's reported loss:
/// mean over batches of Σ w·BCE / batch + λ·Σ W²).
std::vector<double> TrainAdam(const Examples& ex, const AdamTrainOptions& o, Embeddings* emb,
                              int threads, const EpochCallback& on_epoch = nullptr);

}  // namespace cpu
}  // namespace n2v
