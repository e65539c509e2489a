// cpu::TrainSgd / TrainSgdOnGraph (cpu/train_sgd.cpp): one thread against a scalar word2vec.c
// loop written here from the shared draws, bit for bit; streamed == in memory; checkpoint →
// resume == uninterrupted; Hogwild on 2 and 4 threads still trains; input and checkpoint errors.
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "n2v/core/sgns.hpp"
#include "n2v/core/word2vec.hpp"
#include "n2v/walk.hpp"
#include "n2v/word2vec.hpp"

namespace n2v {
namespace {

// --- fixtures -----------------------------------------------------------------------------------

/// A weighted graph on n nodes: a ring plus `chords` random chords, undirected; or, with
/// `sinks` > 0, directed with the last `sinks` nodes lacking out-edges (walks reaching them end
/// early, padded with -1).
Graph SmallGraph(int32_t n, int chords, uint64_t seed, int32_t sinks = 0) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int32_t> node(0, n - 1);
  std::uniform_real_distribution<float> weight(0.5f, 4.0f);
  std::map<std::pair<int32_t, int32_t>, float> adj;
  const auto add = [&](int32_t a, int32_t b) {
    if (a == b) return;
    const float w = weight(rng);
    if (sinks > 0) {
      if (a < n - sinks) adj.emplace(std::make_pair(a, b), w);
    } else {
      adj.emplace(std::make_pair(a, b), w);
      adj.emplace(std::make_pair(b, a), w);
    }
  };
  for (int32_t v = 0; v < n; ++v) add(v, (v + 1) % n);
  for (int c = 0; c < chords; ++c) add(node(rng), node(rng));
  Graph g;
  g.directed = sinks > 0;
  g.offsets.assign(static_cast<size_t>(n) + 1, 0);
  for (const auto& [e, w] : adj) {
    ++g.offsets[e.first + 1];
    g.neighbors.push_back(e.second);  // map order: rows in order, each sorted
    g.weights.push_back(w);
  }
  for (int32_t v = 0; v < n; ++v) g.offsets[v + 1] += g.offsets[v];
  return g;
}

std::vector<int32_t> Walks(const Graph& g, const AliasTables& a, const core::WalkParams& wp,
                           uint64_t num_walks) {
  std::vector<int32_t> w(num_walks * wp.length);
  cpu::SampleWalks(g.view(), a.view(), wp, 0, num_walks, w.data(), 1);
  return w;
}

core::WalkParams Params(uint32_t length, double p = 0.5, double q = 2.0, uint64_t seed = 9) {
  WalkOptions wo;
  wo.length = length;
  wo.p = p;
  wo.q = q;
  wo.seed = seed;
  return MakeWalkParams(wo);
}

/// First position where two float arrays differ in their bits, or -1.
int64_t FirstBitDifference(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size()) return 0;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::bit_cast<uint32_t>(a[i]) != std::bit_cast<uint32_t>(b[i])) {
      return static_cast<int64_t>(i);
    }
  }
  return -1;
}

/// "" or " (x vs y)" with both values in full, for the message of a bit difference at `at`.
std::string Values(const std::vector<float>& a, const std::vector<float>& b, int64_t at) {
  if (at < 0 || a.size() != b.size() || static_cast<size_t>(at) >= a.size()) return "";
  char buf[64];
  std::snprintf(buf, sizeof(buf), " (%.9g vs %.9g)", a[at], b[at]);
  return buf;
}

#define EXPECT_SAME_BITS(a, b, what)                                                    \
  do {                                                                                  \
    const int64_t _at = FirstBitDifference((a), (b));                                   \
    EXPECT_EQ(_at, -1) << what << ": first difference at " << _at << " of " << (a).size() \
                       << Values((a), (b), _at);                                        \
  } while (0)

// --- the scalar reference -----------------------------------------------------------------------

/// The dot product in the order cpu/train_sgd.cpp documents (kLanes = 32): element d into partial
/// sum d mod 32 by fused multiply-add, then the 32 partial sums added as a halving tree.
float CanonicalDot(const float* a, const float* b, int32_t dim) {
  float p[32] = {};
  for (int32_t d = 0; d < dim; ++d) p[d % 32] = std::fma(a[d], b[d], p[d % 32]);
  for (int w = 16; w >= 1; w /= 2) {
    for (int l = 0; l < w; ++l) p[l] = p[l] + p[l + w];
  }
  return p[0];
}

struct Reference {
  std::vector<float> in, out;
  std::vector<double> losses;
  int64_t pairs = 0;
  int64_t skipped = 0;  // negatives equal to their context, skipped
};

/// word2vec.c's skip-gram loop (train_model_thread, negative sampling branch) as the CUDA kernel
/// orders it: the centre's input row (syn0) against the context's and the negatives' output rows
/// (syn1neg), neu1e accumulated over the pair's targets and added once per pair. The draws are
/// core/word2vec.hpp's, used directly (core::DrawNegative once per negative).
Reference ScalarReference(const std::vector<int32_t>& walks, uint32_t length, int32_t n,
                          const SgdTrainOptions& o) {
  const int32_t dim = o.dim;
  std::vector<uint64_t> counts(n, 0);
  for (int32_t v : walks) {
    if (v >= 0) ++counts[v];
  }
  std::vector<float> weights(n);
  for (int32_t v = 0; v < n; ++v) {
    weights[v] = counts[v] > 0 ? static_cast<float>(std::pow(double(counts[v]), o.power)) : 0.0f;
  }
  std::vector<int64_t> offsets{0, n};
  std::vector<int32_t> cols(n);
  std::iota(cols.begin(), cols.end(), 0);
  const AliasTables neg = BuildAliasTables(CsrView{offsets.data(), cols.data(), weights.data(), 1, n}, 1);

  Reference r;
  r.in.resize(size_t(n) * dim);
  r.out.assign(size_t(n) * dim, 0.0f);
  for (int32_t v = 0; v < n; ++v) {
    for (int32_t c = 0; c < dim; ++c) {
      r.in[size_t(v) * dim + c] = core::Word2vecInit(core::SgdInitKey(o.seed), v, c, dim);
    }
  }
  const uint64_t total = walks.size();
  const core::PhiloxKey wkey = core::SgdWindowKey(o.seed), nkey = core::SgdNegativeKey(o.seed);
  // word2vec's subsampling, written out from gensim's formula: keep an occurrence of a node of
  // count c with probability min(1, (sqrt(c/t) + 1)·t/c), t = sample·Σc, as an integer threshold
  // on the position's own random word; the walk's kept nodes close up.
  std::vector<uint32_t> keep(n, 0xFFFFFFFFu);
  const double t = o.sample * static_cast<double>(std::count_if(
                                  walks.begin(), walks.end(), [](int32_t v) { return v >= 0; }));
  for (int32_t v = 0; v < n && o.sample > 0; ++v) {
    if (counts[v] == 0) continue;
    const double p = std::min(1.0, (std::sqrt(counts[v] / t) + 1) * t / counts[v]);
    const double kept_words = std::round(p * 4294967296.0);
    keep[v] = kept_words >= 4294967296.0 ? 0xFFFFFFFFu
                                         : uint32_t(std::max(kept_words, 1.0) - 1);
  }
  std::vector<int32_t> trained(walks.size());
  std::vector<float> neu1e(dim);
  for (int32_t e = 0; e < o.epochs; ++e) {
    double loss = 0;
    int64_t pairs = 0;
    trained = walks;
    if (o.sample > 0) {
      for (uint64_t w0 = 0; w0 < total; w0 += length) {
        uint32_t k = 0;
        for (uint32_t i = 0; i < length; ++i) {
          const uint64_t pos = w0 + i;
          const core::U32x4 r = core::Random4(core::SgdSubsampleKey(o.seed), 0, e, pos / 4);
          const uint32_t words[4] = {r.x, r.y, r.z, r.w};
          const int32_t v = walks[pos];
          if (v >= 0 && words[pos % 4] <= keep[v]) trained[w0 + k++] = v;
        }
        for (; k < length; ++k) trained[w0 + k] = -1;
      }
    }
    for (uint64_t centre = 0; centre < total; ++centre) {
      const uint32_t i = centre % length;
      const int32_t* walk = trained.data() + (centre - i);
      const int32_t word = walk[i];
      if (word < 0) continue;
      const float alpha =
          core::SgdLearningRate(o.lr, o.min_lr_fraction, e * total + centre, o.epochs * total);
      const uint32_t b = core::ShrunkWindow(wkey, e, centre, o.window);
      if (o.shared_negatives) {
        // HogBatch: the window's contexts' input rows against a snapshot of the centre's output
        // row and K negatives drawn once for the centre; output rows updated after the window.
        std::vector<int32_t> contexts;
        for (uint32_t j = i > b ? i - b : 0; j < std::min<uint64_t>(length, uint64_t(i) + b + 1);
             ++j) {
          if (j != i && walk[j] >= 0) contexts.push_back(walk[j]);
        }
        if (contexts.empty()) continue;
        std::vector<int32_t> targets{word};
        for (uint32_t d = 0; d < o.negatives; ++d) {
          const int32_t v = core::DrawNegative(nkey, e, core::SgdPairId(centre, i, i, o.window), d,
                                               neg.keep.data(), neg.alias.data(), n);
          if (v == word) {
            ++r.skipped;
          } else {
            targets.push_back(v);
          }
        }
        std::vector<float> snap, delta(targets.size() * dim, 0.0f);
        for (int32_t t : targets) {
          snap.insert(snap.end(), r.out.begin() + size_t(t) * dim, r.out.begin() + size_t(t + 1) * dim);
        }
        for (int32_t c : contexts) {
          float* h = r.in.data() + size_t(c) * dim;
          std::fill(neu1e.begin(), neu1e.end(), 0.0f);
          std::vector<float> g(targets.size());
          for (size_t k = 0; k < targets.size(); ++k) {
            const float f = CanonicalDot(h, snap.data() + k * dim, dim);
            g[k] = core::SgnsCoeff(f, k == 0 ? 1.0f : 0.0f, alpha);
            loss += core::BceWithLogits(f, k == 0 ? 1.0f : 0.0f);
          }
          for (size_t k = 0; k < targets.size(); ++k) {
            for (int32_t d = 0; d < dim; ++d) {
              neu1e[d] = std::fma(g[k], snap[k * dim + d], neu1e[d]);
              delta[k * dim + d] = std::fma(g[k], h[d], delta[k * dim + d]);
            }
          }
          for (int32_t d = 0; d < dim; ++d) h[d] = h[d] + neu1e[d];
          ++pairs;
        }
        for (size_t k = 0; k < targets.size(); ++k) {
          float* o_row = r.out.data() + size_t(targets[k]) * dim;
          for (int32_t d = 0; d < dim; ++d) o_row[d] = o_row[d] + delta[k * dim + d];
        }
        continue;
      }
      float* syn0 = r.in.data() + size_t(word) * dim;
      for (uint32_t j = i > b ? i - b : 0; j < std::min<uint64_t>(length, uint64_t(i) + b + 1); ++j) {
        const int32_t context = walk[j];
        if (j == i || context < 0) continue;
        const uint64_t pair = core::SgdPairId(centre, i, j, o.window);
        std::fill(neu1e.begin(), neu1e.end(), 0.0f);
        for (uint32_t d = 0; d <= o.negatives; ++d) {
          int32_t target;
          float label;
          if (d == 0) {
            target = context;
            label = 1;
          } else {
            target = core::DrawNegative(nkey, e, pair, d - 1, neg.keep.data(), neg.alias.data(), n);
            if (target == context) {
              ++r.skipped;
              continue;
            }
            label = 0;
          }
          float* syn1neg = r.out.data() + size_t(target) * dim;
          const float f = CanonicalDot(syn0, syn1neg, dim);
          const float g = core::SgnsCoeff(f, label, alpha);
          loss += core::BceWithLogits(f, label);
          for (int32_t c = 0; c < dim; ++c) neu1e[c] = std::fma(g, syn1neg[c], neu1e[c]);
          for (int32_t c = 0; c < dim; ++c) syn1neg[c] = std::fma(g, syn0[c], syn1neg[c]);
        }
        for (int32_t c = 0; c < dim; ++c) syn0[c] = syn0[c] + neu1e[c];
        ++pairs;
      }
    }
    r.losses.push_back(pairs > 0 ? loss / pairs : 0.0);
    r.pairs += pairs;
  }
  return r;
}

// --- one thread: exactly the reference ----------------------------------------------------------

struct RefCase {
  int32_t nodes;
  int32_t dim;      // 128: the register-resident kernel, full vectors; 40: a masked tail;
                    // 150: more than 8 vectors (the any-dim kernel); 16, 7: one vector
  uint32_t window;
  uint32_t negatives;
  uint64_t seed;
  double sample = 0;  // > 0: subsampling, which drops occurrences and closes the walks up
  bool shared = false;  // shared negatives (HogBatch)
};

class SgdReferenceTest : public ::testing::TestWithParam<RefCase> {};

TEST_P(SgdReferenceTest, OneThreadEqualsScalarWord2vecLoop) {
  const RefCase c = GetParam();
  // Directed with sinks: walks end early and carry -1 padding, which both must skip.
  const Graph g = SmallGraph(c.nodes, c.nodes, c.seed, /*sinks=*/2);
  const AliasTables a = BuildAliasTables(g.view(), 1);
  const core::WalkParams wp = Params(12);
  const uint64_t num_walks = 3 * uint64_t(c.nodes);
  const std::vector<int32_t> walks = Walks(g, a, wp, num_walks);
  ASSERT_NE(std::find(walks.begin(), walks.end(), -1), walks.end()) << "no padding exercised";
  SgdTrainOptions o;
  o.dim = c.dim;
  o.epochs = 2;
  o.window = c.window;
  o.negatives = c.negatives;
  o.seed = c.seed;
  o.lr = 0.05f;
  o.sample = c.sample;
  o.shared_negatives = c.shared;
  const Reference ref = ScalarReference(walks, wp.length, c.nodes, o);
  ASSERT_GT(ref.pairs, 0);
  for (bool scalar : {false, true}) {
    SCOPED_TRACE(scalar ? "portable kernel" : "native kernel");
    cpu::UseScalarSgdKernelForTesting(scalar);
    Embeddings in, out;
    auto stats = cpu::TrainSgd(walks.data(), num_walks, wp.length, c.nodes, o, 1, &in, &out);
    cpu::UseScalarSgdKernelForTesting(false);
    ASSERT_TRUE(stats.ok()) << stats.status();
    EXPECT_EQ(in.rows, c.nodes);
    EXPECT_EQ(in.dim, c.dim);
    EXPECT_SAME_BITS(in.data, ref.in, "input table (seed " << c.seed << ")");
    EXPECT_SAME_BITS(out.data, ref.out, "output table (seed " << c.seed << ")");
    EXPECT_EQ(stats->pairs, ref.pairs);
    ASSERT_EQ(stats->losses.size(), ref.losses.size());
    // The trainer sums its losses with a vectorised softplus (at most 3e-7 relative from the
    // exact value over [−40, 40], libm's log1pf/expf about 1e-7) in another order: 1e-6.
    for (size_t e = 0; e < ref.losses.size(); ++e) {
      EXPECT_NEAR(stats->losses[e], ref.losses[e], 1e-6 * ref.losses[e]) << "epoch " << e;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Dims, SgdReferenceTest,
                         ::testing::Values(RefCase{30, 128, 5, 5, 1}, RefCase{30, 40, 3, 5, 2},
                                           RefCase{25, 150, 4, 3, 3}, RefCase{20, 16, 10, 7, 4},
                                           RefCase{20, 7, 2, 1, 5},
                                           // 4 nodes: about a quarter of the negatives equal
                                           // their context and must be skipped
                                           RefCase{4, 32, 3, 5, 6},
                                           // subsampling: ~60-80 % of the occurrences dropped
                                           RefCase{30, 128, 5, 5, 7, 1e-3},
                                           RefCase{25, 40, 3, 2, 8, 1e-2},
                                           // shared negatives, with and without subsampling;
                                           // 4 nodes: negatives equal to the centre skipped
                                           RefCase{30, 128, 5, 5, 9, 0, true},
                                           RefCase{25, 40, 3, 3, 10, 1e-3, true},
                                           RefCase{4, 16, 3, 5, 11, 0, true},
                                           // dim 256: the AVX-512 kernel re-reads context rows
                                           // from L1 instead of holding them in registers
                                           RefCase{30, 256, 5, 5, 12, 0, true}));

TEST(SgdTest, SharedNegativesLongWindowsNativeEqualsPortable) {
  // Window 10 on walks of 40 over 300 nodes: up to 20 contexts a centre, most of them distinct, so
  // the AVX-512 kernel's runs of distinct rows pass 16 (two vectors of InRun's check), and rows
  // repeating within a window split them. The native kernel must give the portable one's bits.
  const Graph g = SmallGraph(300, 900, 21);
  const AliasTables a = BuildAliasTables(g.view(), 1);
  const core::WalkParams wp = Params(40, 1.0, 0.5, 4);
  const uint64_t num_walks = 300;
  const std::vector<int32_t> walks = Walks(g, a, wp, num_walks);
  SgdTrainOptions o;
  o.dim = 64;
  o.window = 10;
  o.seed = 13;
  o.shared_negatives = true;
  Embeddings in[2], out[2];
  for (int scalar : {0, 1}) {
    cpu::UseScalarSgdKernelForTesting(scalar != 0);
    auto stats = cpu::TrainSgd(walks.data(), num_walks, wp.length, g.num_nodes(), o, 1,
                               &in[scalar], &out[scalar]);
    cpu::UseScalarSgdKernelForTesting(false);
    ASSERT_TRUE(stats.ok()) << stats.status();
  }
  EXPECT_SAME_BITS(in[0].data, in[1].data, "input table");
  EXPECT_SAME_BITS(out[0].data, out[1].data, "output table");
}

TEST(SgdTest, TinyGraphSkipsNegativesEqualToContext) {
  // The reference counts its skips: make sure the 4-node case above really exercises them.
  const Graph g = SmallGraph(4, 4, 6, 2);
  const AliasTables a = BuildAliasTables(g.view(), 1);
  const core::WalkParams wp = Params(12);
  SgdTrainOptions o;
  o.dim = 32;
  o.epochs = 2;
  o.window = 3;
  o.seed = 6;
  const Reference ref = ScalarReference(Walks(g, a, wp, 12), wp.length, 4, o);
  EXPECT_GT(ref.skipped, ref.pairs / 10) << "skipped " << ref.skipped << " of " << ref.pairs * 5;
}

TEST(SgdTest, OnlyPositivesWhenEveryNegativeIsTheContext) {
  // Only node 0 occurs, so every negative drawn is node 0, the context of every pair: all are
  // skipped. Each pair then costs −log σ(dot) ≤ ln 2 (its dot starts at 0 and only grows), where
  // five unskipped negatives would add five more terms of about ln 2.
  const std::vector<int32_t> walks = {0, 0, 0, 0, 0, -1, 0, 0, 0, -1, -1, -1};
  SgdTrainOptions o;
  o.dim = 16;
  o.epochs = 1;
  o.window = 2;
  Embeddings in, out;
  auto stats = cpu::TrainSgd(walks.data(), 2, 6, 3, o, 1, &in, &out);
  ASSERT_TRUE(stats.ok()) << stats.status();
  ASSERT_EQ(stats->losses.size(), 1u);
  EXPECT_GT(stats->losses[0], 0.0);
  EXPECT_LE(stats->losses[0], std::log(2.0) + 1e-6);
  // Rows 1 and 2 never occur, are never drawn, and keep their zero output rows.
  for (int32_t d = 0; d < o.dim; ++d) {
    EXPECT_EQ(out.row(1)[d], 0.0f);
    EXPECT_EQ(out.row(2)[d], 0.0f);
  }
}

// --- streamed == in memory, resume == uninterrupted ---------------------------------------------

TEST(SgdTest, StreamingEqualsInMemoryOnOneThread) {
  // TrainSgdOnGraph keeps its counting pass's walks for training when they fit (they do here), or
  // samples them again chunk by chunk (limit 0): both must be the in-memory run.
  for (const uint64_t keep_bytes : {cpu::KeptWalksBytes(), uint64_t{0}}) {
  cpu::SetKeptWalksBytesForTesting(keep_bytes);
  for (const double sample : {0.0, 1e-3}) {
  SCOPED_TRACE(absl::StrCat(sample > 0 ? "subsampled" : "every occurrence",
                            keep_bytes > 0 ? ", walks kept" : ", walks sampled again"));
  const Graph g = SmallGraph(60, 90, 11, 3);
  const AliasTables a = BuildAliasTables(g.view(), 1);
  const core::WalkParams wp = Params(20);
  const uint64_t num_walks = 2 * 60 + 7;  // not a multiple of the chunk size
  SgdTrainOptions o;
  o.dim = 48;
  o.epochs = 2;
  o.window = 6;
  o.seed = 5;
  o.sample = sample;
  const std::vector<int32_t> walks = Walks(g, a, wp, num_walks);
  Embeddings in, out;
  auto mem = cpu::TrainSgd(walks.data(), num_walks, wp.length, g.num_nodes(), o, 1, &in, &out);
  ASSERT_TRUE(mem.ok()) << mem.status();
  SgdState s;
  auto streamed = cpu::TrainSgdOnGraph(g.view(), a.view(), wp, num_walks, o, 1, &s);
  ASSERT_TRUE(streamed.ok()) << streamed.status();
  EXPECT_SAME_BITS(s.input.data, in.data, "input table");
  EXPECT_SAME_BITS(s.output.data, out.data, "output table");
  EXPECT_EQ(streamed->losses, mem->losses);
  EXPECT_EQ(streamed->pairs, mem->pairs);
  EXPECT_EQ(s.next_epoch, 2);
  // The counting pass saw exactly the walks' node occurrences.
  std::vector<uint64_t> counts(g.num_nodes(), 0);
  for (int32_t v : walks) {
    if (v >= 0) ++counts[v];
  }
  EXPECT_EQ(s.counts, counts);
  }
  }
  cpu::SetKeptWalksBytesForTesting(cpu::KeptWalksBytes());
}

// core::SubsampleWalk keeps each occurrence with gensim's probability, closes the walk up, and
// is a pure function of (seed, epoch, position): a statistical test against the exact
// probabilities of SubsampleThresholds, over many walks.
TEST(SgdTest, SubsamplingKeepsGensimsFractionOfEachNode) {
  // Node v occurs with frequency ∝ v + 1 (a skewed corpus), walks of 16, no padding.
  const int32_t n = 8;
  const uint32_t length = 16;
  const uint64_t num_walks = 20000;
  std::vector<int32_t> walks(num_walks * length);
  std::mt19937_64 rng(3);
  std::discrete_distribution<int32_t> node({1, 2, 3, 4, 5, 6, 7, 8});
  for (auto& v : walks) v = node(rng);
  std::vector<uint64_t> counts(n, 0);
  for (int32_t v : walks) ++counts[v];
  const double sample = 0.002;
  const std::vector<uint32_t> keep = SubsampleThresholds(counts, sample);
  ASSERT_EQ(keep.size(), size_t(n));
  EXPECT_TRUE(SubsampleThresholds(counts, 0).empty());
  const double t = sample * static_cast<double>(walks.size());
  const core::PhiloxKey key = core::SgdSubsampleKey(17);
  std::vector<uint64_t> kept(n, 0);
  std::vector<int32_t> out(length), again(length);
  for (uint64_t w = 0; w < num_walks; ++w) {
    const int32_t* in = walks.data() + w * length;
    const uint32_t k = core::SubsampleWalk(key, 1, w, length, keep.data(), in, out.data());
    for (uint32_t i = 0; i < length; ++i) {
      if (i < k) {
        ASSERT_GE(out[i], 0);
        ++kept[out[i]];
      } else {
        ASSERT_EQ(out[i], -1) << "padding after the kept nodes";
      }
    }
    // The kept nodes are a subsequence of the walk, in order.
    uint32_t j = 0;
    for (uint32_t i = 0; i < length && j < k; ++i) j += in[i] == out[j] ? 1 : 0;
    ASSERT_EQ(j, k) << "walk " << w;
    // In place gives the same; the draw depends on the epoch.
    std::copy(in, in + length, again.begin());
    core::SubsampleWalk(key, 1, w, length, keep.data(), again.data(), again.data());
    ASSERT_EQ(again, out);
  }
  for (int32_t v = 0; v < n; ++v) {
    const double c = static_cast<double>(counts[v]);
    const double p = std::min(1.0, (std::sqrt(c / t) + 1) * t / c);
    const double sd = std::sqrt(c * p * (1 - p));
    EXPECT_NEAR(static_cast<double>(kept[v]), c * p, 5 * sd + 1e-9)
        << "node " << v << ": expected keep probability " << p;
    EXPECT_LT(p, 1.0) << "the test should drop occurrences of every node";
  }
  // Another epoch draws afresh.
  std::vector<int32_t> e2(length);
  uint64_t differ = 0;
  for (uint64_t w = 0; w < 100; ++w) {
    core::SubsampleWalk(key, 1, w, length, keep.data(), walks.data() + w * length, out.data());
    core::SubsampleWalk(key, 2, w, length, keep.data(), walks.data() + w * length, e2.data());
    differ += out != e2 ? 1 : 0;
  }
  EXPECT_GT(differ, 50u);
}

std::string TempPath(const std::string& name) {
  return (std::filesystem::path(::testing::TempDir()) / name).string();
}

TEST(SgdTest, CheckpointAndResumeEqualUninterruptedRun) {
  const Graph g = SmallGraph(50, 70, 21);
  const AliasTables a = BuildAliasTables(g.view(), 1);
  const core::WalkParams wp = Params(15, 1.0, 1.0, 3);
  const uint64_t num_walks = 100;
  SgdTrainOptions o;
  o.dim = 32;
  o.epochs = 3;
  o.window = 5;
  o.seed = 8;

  SgdState whole;
  std::vector<int32_t> seen;
  auto full = cpu::TrainSgdOnGraph(g.view(), a.view(), wp, num_walks, o, 1, &whole,
                                   [&](const SgdState& st) {
                                     seen.push_back(st.next_epoch);
                                     return true;
                                   });
  ASSERT_TRUE(full.ok()) << full.status();
  EXPECT_EQ(seen, (std::vector<int32_t>{1, 2, 3}));

  const std::string path = TempPath("sgd_resume.ckpt");
  SgdState part;
  auto first = cpu::TrainSgdOnGraph(g.view(), a.view(), wp, num_walks, o, 1, &part,
                                    [&](const SgdState& st) {
                                      EXPECT_TRUE(WriteSgdCheckpoint(path, st).ok());
                                      return st.next_epoch < 1;  // stop after epoch 1 of 3
                                    });
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_EQ(first->losses.size(), 1u);
  auto loaded = ReadSgdCheckpoint(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->next_epoch, 1);
  EXPECT_SAME_BITS(loaded->input.data, part.input.data, "checkpointed input");
  EXPECT_EQ(loaded->counts, part.counts);

  SgdState resumed = *std::move(loaded);
  auto rest = cpu::TrainSgdOnGraph(g.view(), a.view(), wp, num_walks, o, 1, &resumed);
  ASSERT_TRUE(rest.ok()) << rest.status();
  EXPECT_SAME_BITS(resumed.input.data, whole.input.data, "input table");
  EXPECT_SAME_BITS(resumed.output.data, whole.output.data, "output table");
  EXPECT_EQ(rest->losses, full->losses);
  EXPECT_EQ(rest->pairs, full->pairs);
  EXPECT_EQ(resumed.next_epoch, 3);

  // A finished run resumes to itself; a different run is refused, naming what differs.
  auto again = cpu::TrainSgdOnGraph(g.view(), a.view(), wp, num_walks, o, 1, &resumed);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->losses, full->losses);
  SgdTrainOptions other = o;
  other.seed = 9;
  SgdState copy = resumed;
  auto refused = cpu::TrainSgdOnGraph(g.view(), a.view(), wp, num_walks, other, 1, &copy);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("seed"), std::string::npos) << refused.status();
  auto other_walks = cpu::TrainSgdOnGraph(g.view(), a.view(), Params(15, 2.0, 1.0, 3),
                                          num_walks, o, 1, &copy);
  EXPECT_EQ(other_walks.status().code(), absl::StatusCode::kFailedPrecondition);
  std::remove(path.c_str());
}

// --- Hogwild --------------------------------------------------------------------------------------

// Also the multi-threaded test of the race-free bookkeeping under ThreadSanitizer
// (scripts/sanitize tsan): both kernels run on several threads, so the portable one's scalar
// table accesses are exercised too (the AVX-512 one's 64-byte accesses are not instrumented).
TEST(SgdTest, AnyThreadCountTrainsAndLossFalls) {
  const Graph g = SmallGraph(150, 300, 31);
  const AliasTables a = BuildAliasTables(g.view(), 1);
  const core::WalkParams wp = Params(20, 1.0, 1.0, 4);
  const uint64_t num_walks = 2 * 150;
  const std::vector<int32_t> walks = Walks(g, a, wp, num_walks);
  SgdTrainOptions o;
  o.dim = 16;
  o.epochs = 3;
  o.window = 5;
  int64_t pairs_one_thread = -1;
  for (const auto& [threads, scalar] : std::vector<std::pair<int, bool>>{
           {1, false}, {2, false}, {4, false}, {2, true}}) {
    SCOPED_TRACE(::testing::Message() << threads << " threads" << (scalar ? ", portable" : ""));
    cpu::UseScalarSgdKernelForTesting(scalar);
    Embeddings in, out;
    auto stats = cpu::TrainSgd(walks.data(), num_walks, wp.length, g.num_nodes(), o, threads,
                               &in, &out);
    cpu::UseScalarSgdKernelForTesting(false);
    ASSERT_TRUE(stats.ok()) << stats.status();
    for (float x : in.data) ASSERT_TRUE(std::isfinite(x));
    for (float x : out.data) ASSERT_TRUE(std::isfinite(x));
    ASSERT_EQ(stats->losses.size(), 3u);
    // Untrained (output table zero) a pair costs (1 + negatives)·ln 2.
    EXPECT_LT(stats->losses[0], (1 + o.negatives) * std::log(2.0));
    EXPECT_LT(stats->losses[2], stats->losses[0]) << stats->losses[0] << " → " << stats->losses[2];
    // The pairs are fixed by the window draws, whatever the threads.
    if (pairs_one_thread < 0) pairs_one_thread = stats->pairs;
    EXPECT_EQ(stats->pairs, pairs_one_thread);
  }
  // The streamed form on several threads too.
  SgdState s;
  auto streamed = cpu::TrainSgdOnGraph(g.view(), a.view(), wp, num_walks, o, 2, &s);
  ASSERT_TRUE(streamed.ok()) << streamed.status();
  EXPECT_EQ(streamed->pairs, pairs_one_thread);
  EXPECT_LT(streamed->losses[2], streamed->losses[0]);
}

TEST(SgdTest, ProgressAndEarlyStop) {
  const Graph g = SmallGraph(40, 40, 41);
  const AliasTables a = BuildAliasTables(g.view(), 1);
  const core::WalkParams wp = Params(10);
  const std::vector<int32_t> walks = Walks(g, a, wp, 400);
  SgdTrainOptions o;
  o.dim = 16;
  o.epochs = 3;
  uint64_t last = 0, total = 0;
  int64_t last_pairs = 0;
  bool monotonic = true;
  Embeddings in;
  auto stats = cpu::TrainSgd(
      walks.data(), 400, wp.length, g.num_nodes(), o, 2, &in, nullptr,
      [](int32_t epoch, double) { return epoch < 1; },  // stop after epoch 2 of 3
      [&](uint64_t done, uint64_t all, int64_t pairs, double loss) {
        monotonic = monotonic && done >= last && pairs >= last_pairs;
        last = done;
        last_pairs = pairs;
        total = all;
      });
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_EQ(stats->losses.size(), 2u);
  EXPECT_TRUE(monotonic);
  EXPECT_EQ(total, 3u * 400 * wp.length);
  EXPECT_EQ(last, 2u * 400 * wp.length);  // reported at the end of each epoch run
  EXPECT_EQ(last_pairs, stats->pairs);     // the end of an epoch reports every pair counted

  // Windowed losses, on one thread (so thread 0 trains every chunk): mean pair losses, each a sum
  // of 1 + negatives softplus terms, and on average within a few percent of the epoch's mean.
  std::vector<double> windows;
  o.epochs = 1;
  const std::vector<int32_t> many = Walks(g, a, wp, 20000);  // many chunks, so many reports
  auto one = cpu::TrainSgd(many.data(), 20000, wp.length, g.num_nodes(), o, 1, &in, nullptr, nullptr,
                           [&](uint64_t, uint64_t, int64_t, double loss) {
                             if (std::isfinite(loss)) windows.push_back(loss);
                           });
  ASSERT_TRUE(one.ok()) << one.status();
  ASSERT_GT(windows.size(), 3u);
  double sum = 0;
  for (double w : windows) {
    EXPECT_GT(w, 0);
    EXPECT_LT(w, 50);
    sum += w;
  }
  EXPECT_NEAR(sum / windows.size(), one->losses[0], 0.1 * one->losses[0]);
}

// --- bad input ------------------------------------------------------------------------------------

TEST(SgdTest, RejectsBadInput) {
  const std::vector<int32_t> walks = {0, 1, 2, 7};
  Embeddings in;
  SgdTrainOptions o;
  auto bad_id = cpu::TrainSgd(walks.data(), 2, 2, 5, o, 1, &in);  // id 7 >= 5 nodes
  EXPECT_EQ(bad_id.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(bad_id.status().message().find("walk 1 position 1"), std::string::npos)
      << bad_id.status();
  EXPECT_EQ(cpu::TrainSgd(walks.data(), 2, 2, 0, o, 1, &in).status().code(),
            absl::StatusCode::kInvalidArgument);  // no nodes
  EXPECT_EQ(cpu::TrainSgd(walks.data(), 2, 2, 8, o, 1, nullptr).status().code(),
            absl::StatusCode::kInvalidArgument);
  for (auto change : std::vector<void (*)(SgdTrainOptions*)>{
           [](SgdTrainOptions* x) { x->dim = 0; }, [](SgdTrainOptions* x) { x->dim = 2000; },
           [](SgdTrainOptions* x) { x->window = 0; }, [](SgdTrainOptions* x) { x->lr = 0; },
           [](SgdTrainOptions* x) { x->epochs = -1; },
           [](SgdTrainOptions* x) { x->power = std::nan(""); }}) {
    SgdTrainOptions b;
    change(&b);
    const auto st = cpu::TrainSgd(walks.data(), 2, 2, 8, b, 1, &in).status();
    EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << st;
    EXPECT_EQ(st.message().find('\n'), std::string::npos);
  }
  const Graph g = SmallGraph(10, 5, 1);
  const AliasTables a = BuildAliasTables(g.view(), 1);
  SgdState s;
  SgdTrainOptions zero_dim;
  zero_dim.dim = 0;
  EXPECT_EQ(cpu::TrainSgdOnGraph(g.view(), a.view(), Params(5), 10, zero_dim, 1, &s)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(cpu::TrainSgdOnGraph(g.view(), a.view(), Params(5), 10, SgdTrainOptions{}, 1, nullptr)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(SgdTest, ZeroWalksAndAllPadding) {
  SgdTrainOptions o;
  o.dim = 20;
  o.epochs = 2;
  Embeddings in, out;
  auto none = cpu::TrainSgd(nullptr, 0, 10, 5, o, 2, &in, &out);
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_TRUE(none->losses.empty());
  EXPECT_EQ(none->pairs, 0);
  ASSERT_EQ(in.data.size(), 100u);
  for (float x : in.data) EXPECT_LE(std::fabs(x), 0.5f / o.dim);
  EXPECT_NE(in.data[0], in.data[1]);  // initialised, not zero
  for (float x : out.data) EXPECT_EQ(x, 0.0f);

  const std::vector<int32_t> padding(30, -1);
  auto empty = cpu::TrainSgd(padding.data(), 3, 10, 5, o, 2, &in, &out);
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_EQ(empty->losses, (std::vector<double>{0.0, 0.0}));
  EXPECT_EQ(empty->pairs, 0);

  const Graph g = SmallGraph(10, 5, 1);
  const AliasTables a = BuildAliasTables(g.view(), 1);
  SgdState s;
  auto streamed = cpu::TrainSgdOnGraph(g.view(), a.view(), Params(5), 0, o, 2, &s);
  ASSERT_TRUE(streamed.ok()) << streamed.status();
  EXPECT_TRUE(streamed->losses.empty());
}

// --- checkpoint files -----------------------------------------------------------------------------

SgdState TrainedState() {
  const Graph g = SmallGraph(12, 10, 2);
  const AliasTables a = BuildAliasTables(g.view(), 1);
  SgdTrainOptions o;
  o.dim = 8;
  o.epochs = 2;
  o.sample = 2.5e-3;  // recorded in the header
  o.shared_negatives = true;  // its flag bit
  SgdState s;
  EXPECT_TRUE(cpu::TrainSgdOnGraph(g.view(), a.view(), Params(6), 24, o, 1, &s).ok());
  return s;
}

std::string ReadAll(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

void WriteAll(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

TEST(SgdCheckpointTest, RoundTripsExactly) {
  const SgdState s = TrainedState();
  const std::string path = TempPath("sgd_roundtrip.ckpt");
  ASSERT_TRUE(WriteSgdCheckpoint(path, s).ok());
  auto r = ReadSgdCheckpoint(path);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->options.dim, s.options.dim);
  EXPECT_EQ(r->options.seed, s.options.seed);
  EXPECT_EQ(r->options.power, s.options.power);
  EXPECT_EQ(r->options.sample, s.options.sample);
  EXPECT_EQ(r->options.shared_negatives, s.options.shared_negatives);
  EXPECT_EQ(r->num_nodes, s.num_nodes);
  EXPECT_EQ(r->walk_length, s.walk_length);
  EXPECT_EQ(r->num_walks, s.num_walks);
  EXPECT_EQ(r->source_crc, s.source_crc);
  EXPECT_EQ(r->next_epoch, s.next_epoch);
  EXPECT_EQ(r->pairs, s.pairs);
  EXPECT_EQ(r->losses, s.losses);
  EXPECT_EQ(r->counts, s.counts);
  EXPECT_SAME_BITS(r->input.data, s.input.data, "input");
  EXPECT_SAME_BITS(r->output.data, s.output.data, "output");
  std::remove(path.c_str());
  // An unstarted state has nothing to resume.
  EXPECT_EQ(WriteSgdCheckpoint(path, SgdState{}).code(), absl::StatusCode::kInvalidArgument);
}

TEST(SgdCheckpointTest, MalformedFilesGiveOneLineErrors) {
  const SgdState s = TrainedState();
  const std::string good_path = TempPath("sgd_good.ckpt");
  ASSERT_TRUE(WriteSgdCheckpoint(good_path, s).ok());
  const std::string good = ReadAll(good_path);
  ASSERT_GT(good.size(), 128u);
  const std::string path = TempPath("sgd_bad.ckpt");
  struct Case {
    const char* name;
    std::string bytes;
    absl::StatusCode code;
    const char* says;
  };
  std::string bad_magic = good;
  bad_magic[0] = 'X';
  std::string bad_crc = good;
  bad_crc[good.size() - 3] ^= 0x40;  // a bit of the output table
  std::string bad_version = good;
  bad_version[8] = 7;
  std::string bad_dim = good;
  bad_dim[16] = 0;  // dim 8 → 0
  std::string bad_epoch = good;
  bad_epoch[76] = 9;  // next_epoch 2 → 9 > epochs
  const std::vector<Case> cases = {
      {"empty", "", absl::StatusCode::kInvalidArgument, "expected magic"},
      {"magic", bad_magic, absl::StatusCode::kInvalidArgument, "not an n2v SGD checkpoint"},
      {"short header", good.substr(0, 100), absl::StatusCode::kDataLoss, "truncated"},
      {"truncated body", good.substr(0, good.size() - 1), absl::StatusCode::kDataLoss,
       "truncated"},
      {"trailing", good + "x", absl::StatusCode::kInvalidArgument, "trailing bytes"},
      {"checksum", bad_crc, absl::StatusCode::kDataLoss, "checksum mismatch"},
      {"version", bad_version, absl::StatusCode::kInvalidArgument, "version"},
      {"dim", bad_dim, absl::StatusCode::kInvalidArgument, "dim 0"},
      {"next_epoch", bad_epoch, absl::StatusCode::kInvalidArgument, "next_epoch 9"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    WriteAll(path, c.bytes);
    const absl::Status st = ReadSgdCheckpoint(path).status();
    EXPECT_EQ(st.code(), c.code) << st;
    EXPECT_NE(st.message().find(c.says), std::string::npos) << st;
    EXPECT_NE(st.message().find(path), std::string::npos) << st;
    EXPECT_EQ(st.message().find('\n'), std::string::npos) << st;
  }
  EXPECT_EQ(ReadSgdCheckpoint(TempPath("sgd_missing.ckpt")).status().code(),
            absl::StatusCode::kNotFound);
  std::remove(path.c_str());
  std::remove(good_path.c_str());
}

}  // namespace
}  // namespace n2v
