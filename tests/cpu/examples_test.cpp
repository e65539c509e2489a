// Example generation against a plain std::map implementation of the seed's rule (keras skipgrams
// couples within the window, `negatives` uniform contexts per positive's target, pairs ordered
// (min, max), self-pairs dropped, identical triples merged), its counts, and thread invariance.
#include <algorithm>
#include <cstdint>
#include <map>
#include <tuple>
#include <vector>

#include "gtest/gtest.h"
#include "n2v/core/rng.hpp"
#include "n2v/train.hpp"

namespace n2v {
namespace {

using Triple = std::tuple<int32_t, int32_t, int>;

// The rule written the obvious way. Negative k of positive couple `couple` of walk w takes word
// k % 4 of Random4(StreamKey(seed, kNegatives), k / 4, couple, w): the documented keying.
std::map<Triple, int64_t> Reference(const std::vector<int32_t>& walks, int64_t num_walks,
                                    uint32_t length, int32_t num_nodes, const ExampleOptions& o,
                                    int64_t* raw) {
  const core::PhiloxKey key = core::StreamKey(o.seed, core::Stream::kNegatives);
  std::map<Triple, int64_t> counts;
  *raw = 0;
  auto add = [&](int32_t a, int32_t b, int label) {
    if (a == b) return;
    ++counts[{std::min(a, b), std::max(a, b), label}];
    ++*raw;
  };
  for (int64_t w = 0; w < num_walks; ++w) {
    const int32_t* s = walks.data() + w * length;
    uint32_t couple = 0;
    for (int64_t i = 0; i < length; ++i) {
      if (s[i] < 0) continue;  // keras skips the padding token
      for (int64_t j = std::max<int64_t>(0, i - o.window);
           j < std::min<int64_t>(length, i + o.window + 1); ++j) {
        if (j == i || s[j] < 0) continue;
        add(s[i], s[j], 1);
        for (uint32_t k = 0; k < o.negatives; ++k) {
          const core::U32x4 r = core::Random4(key, k / 4, couple, static_cast<uint64_t>(w));
          const uint32_t words[4] = {r.x, r.y, r.z, r.w};
          add(s[i], static_cast<int32_t>(core::UniformBelow(words[k % 4], num_nodes)), 0);
        }
        ++couple;
      }
    }
  }
  return counts;
}

// Random walks over [0, num_nodes) with repeats (so self-pairs occur), tail padding and, for
// generality, an occasional -1 inside a walk.
std::vector<int32_t> RandomWalks(int64_t num_walks, uint32_t length, int32_t num_nodes,
                                 uint64_t seed) {
  const core::PhiloxKey key = core::StreamKey(seed, core::Stream::kEval);
  std::vector<int32_t> walks(num_walks * length);
  for (int64_t w = 0; w < num_walks; ++w) {
    const uint32_t valid = 1 + core::UniformBelow(core::Random4(key, 1, 0, w).x, length);
    for (uint32_t i = 0; i < length; ++i) {
      const core::U32x4 r = core::Random4(key, 0, i, w);
      int32_t x = static_cast<int32_t>(core::UniformBelow(r.x, num_nodes));
      if (core::UniformBelow(r.y, 8) == 0 && i > 0) x = walks[w * length + i - 1];  // a repeat
      if (core::UniformBelow(r.z, 50) == 0) x = -1;
      walks[w * length + i] = i < valid ? x : -1;
    }
  }
  return walks;
}

void ExpectSameAsReference(const std::vector<int32_t>& walks, int64_t num_walks, uint32_t length,
                           int32_t num_nodes, const ExampleOptions& o, int threads) {
  int64_t raw = 0;
  const auto ref = Reference(walks, num_walks, length, num_nodes, o, &raw);
  const Examples ex = cpu::GenerateExamples(walks.data(), num_walks, length, num_nodes, o, threads);
  ASSERT_EQ(ex.size(), static_cast<int64_t>(ref.size()));
  EXPECT_EQ(ex.raw_pairs, raw);
  int64_t i = 0;
  for (const auto& [triple, count] : ref) {  // std::map order = (target, context, label)
    const auto& [t, c, label] = triple;
    ASSERT_EQ(ex.target[i], t) << i;
    ASSERT_EQ(ex.context[i], c) << i;
    ASSERT_EQ(ex.label[i], label) << i;
    ASSERT_EQ(ex.weight[i], static_cast<float>(count)) << i;
    ++i;
  }
}

TEST(GenerateExamples, MatchesMapReferenceSeedShape) {
  // The seed's shape: walks of 10, window 10 (every pair of a walk), 4 negatives.
  const int32_t n = 50;
  const auto walks = RandomWalks(300, 10, n, 1);
  ExampleOptions o;  // window 10, negatives 4, seed 42
  ExpectSameAsReference(walks, 300, 10, n, o, 2);
}

TEST(GenerateExamples, MatchesMapReferenceOtherShapes) {
  struct Case {
    int32_t nodes;
    uint32_t length, window, negatives;
    uint64_t seed;
  };
  // Small node counts take the dense-count path per bucket; 20000 (32-bit keys) and 100000 nodes
  // (64-bit keys) leave buckets of ~100 keys over a wide range: the in-cache radix path.
  for (const Case& c : {Case{7, 30, 2, 5, 3}, Case{2, 8, 3, 1, 4}, Case{1, 5, 2, 4, 5},
                        Case{100000, 40, 5, 4, 6}, Case{20000, 30, 6, 4, 9},
                        Case{3000, 12, 0, 3, 7}, Case{500, 20, 4, 0, 8}}) {
    SCOPED_TRACE(::testing::Message() << "nodes=" << c.nodes << " length=" << c.length
                                      << " window=" << c.window << " negatives=" << c.negatives);
    const auto walks = RandomWalks(120, c.length, c.nodes, c.seed);
    ExampleOptions o;
    o.window = c.window;
    o.negatives = c.negatives;
    o.seed = c.seed * 31;
    ExpectSameAsReference(walks, 120, c.length, c.nodes, o, 3);
  }
}

TEST(GenerateExamples, PositiveCountsSumOverWalks) {
  const int32_t n = 200;
  const uint32_t length = 10;
  const auto walks = RandomWalks(500, length, n, 9);
  ExampleOptions o;
  o.window = 3;
  const Examples ex = cpu::GenerateExamples(walks.data(), 500, length, n, o, 2);
  // Positives: every ordered couple (i, j), |i − j| <= window, both valid, different nodes.
  // Negatives: `negatives` per couple, self-couples included (keras makes them before the seed
  // drops self-pairs), minus the draws whose context equals the target.
  int64_t expected = 0, all_couples = 0;
  for (int64_t w = 0; w < 500; ++w) {
    const int32_t* s = walks.data() + w * length;
    for (int64_t i = 0; i < length; ++i) {
      for (int64_t j = 0; j < length; ++j) {
        if (i != j && std::abs(i - j) <= o.window && s[i] >= 0 && s[j] >= 0) {
          ++all_couples;
          if (s[i] != s[j]) ++expected;
        }
      }
    }
  }
  double positives = 0.0, negatives = 0.0;
  for (int64_t i = 0; i < ex.size(); ++i) {
    EXPECT_LT(ex.target[i], ex.context[i]);  // ordered, no self-pairs
    (ex.label[i] ? positives : negatives) += ex.weight[i];
    if (i > 0) {
      EXPECT_TRUE(std::tie(ex.target[i - 1], ex.context[i - 1], ex.label[i - 1]) <
                  std::tie(ex.target[i], ex.context[i], ex.label[i]));
    }
  }
  EXPECT_EQ(static_cast<int64_t>(positives), expected);
  EXPECT_EQ(static_cast<int64_t>(positives + negatives), ex.raw_pairs);
  // Binomial(4·couples, 1/n) draws hit their target: ~66 of ~26000 here, sd ~8; 1% is ~30 sd.
  const double expected_neg = 4.0 * all_couples * (1.0 - 1.0 / n);
  EXPECT_NEAR(negatives, expected_neg, 0.01 * expected_neg);
}

TEST(GenerateExamples, IdenticalForAnyThreadCount) {
  const int32_t n = 1405;
  const auto walks = RandomWalks(2000, 10, n, 10);
  const ExampleOptions o;
  const Examples ref = cpu::GenerateExamples(walks.data(), 2000, 10, n, o, 1);
  ASSERT_GT(ref.size(), 0);
  for (int threads : {2, 3, 5, 8}) {
    const Examples ex = cpu::GenerateExamples(walks.data(), 2000, 10, n, o, threads);
    EXPECT_EQ(ex.target, ref.target) << threads;
    EXPECT_EQ(ex.context, ref.context) << threads;
    EXPECT_EQ(ex.label, ref.label) << threads;
    EXPECT_EQ(ex.weight, ref.weight) << threads;
    EXPECT_EQ(ex.raw_pairs, ref.raw_pairs) << threads;
  }
}

TEST(GenerateExamples, EmptyInputs) {
  const ExampleOptions o;
  std::vector<int32_t> walks(10, -1);
  EXPECT_EQ(cpu::GenerateExamples(walks.data(), 1, 10, 5, o, 2).size(), 0);
  EXPECT_EQ(cpu::GenerateExamples(walks.data(), 0, 10, 5, o, 2).size(), 0);
}

}  // namespace
}  // namespace n2v
