// Host tests of the shared randomness: Philox known-answer vectors, stream separation, and the
// index permutation used to shuffle training examples.
#include <algorithm>
#include <cstdint>
#include <vector>

#include "gtest/gtest.h"
#include "n2v/core/rng.hpp"
#include "n2v/core/shuffle.hpp"

namespace n2v::core {
namespace {

// Random123's kat_vectors for philox4x32_10 (ctr, key -> out).
TEST(Philox, KnownAnswerVectors) {
  U32x4 a = Philox4x32({0, 0, 0, 0}, {0, 0});
  EXPECT_EQ(a.x, 0x6627e8d5u);
  EXPECT_EQ(a.y, 0xe169c58du);
  EXPECT_EQ(a.z, 0xbc57ac4cu);
  EXPECT_EQ(a.w, 0x9b00dbd8u);
  U32x4 b = Philox4x32({0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu},
                       {0xffffffffu, 0xffffffffu});
  EXPECT_EQ(b.x, 0x408f276du);
  EXPECT_EQ(b.y, 0x41c83b0eu);
  EXPECT_EQ(b.z, 0xa20bc7c6u);
  EXPECT_EQ(b.w, 0x6d5451fdu);
  U32x4 c = Philox4x32({0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u},
                       {0xa4093822u, 0x299f31d0u});
  EXPECT_EQ(c.x, 0xd16cfe09u);
  EXPECT_EQ(c.y, 0x94fdccebu);
  EXPECT_EQ(c.z, 0x5001e420u);
  EXPECT_EQ(c.w, 0x24126ea1u);
}

TEST(Philox, StreamsDiffer) {
  const PhiloxKey a = StreamKey(42, Stream::kWalk), b = StreamKey(42, Stream::kInit);
  const PhiloxKey c = StreamKey(43, Stream::kWalk);
  EXPECT_FALSE(a.k0 == b.k0 && a.k1 == b.k1);
  EXPECT_FALSE(a.k0 == c.k0 && a.k1 == c.k1);
}

TEST(Philox, UniformBelowIsInRangeAndRoughlyUniform) {
  const PhiloxKey key = StreamKey(7, Stream::kEval);
  std::vector<int> counts(7, 0);
  const int n = 70000;
  for (int i = 0; i < n; ++i) {
    const uint32_t v = UniformBelow(Random4(key, 0, 0, i).x, 7);
    ASSERT_LT(v, 7u);
    ++counts[v];
  }
  // Each bin ~ Binomial(70000, 1/7): sd ≈ 92.6; 5 sd.
  for (int c : counts) EXPECT_NEAR(c, 10000, 463);
}

TEST(PermuteIndex, IsAPermutationForManySizes) {
  for (uint64_t n : {1ull, 2ull, 3ull, 5ull, 16ull, 17ull, 1000ull, 4097ull, 100003ull}) {
    const PhiloxKey key = StreamKey(n, Stream::kShuffle);
    std::vector<uint64_t> seen(n);
    for (uint64_t i = 0; i < n; ++i) {
      const uint64_t j = PermuteIndex(i, n, key);
      ASSERT_LT(j, n) << "n=" << n << " i=" << i;
      seen[i] = j;
    }
    std::sort(seen.begin(), seen.end());
    for (uint64_t i = 0; i < n; ++i) ASSERT_EQ(seen[i], i) << "n=" << n;
  }
}

TEST(PermuteIndex, DependsOnKeyAndMixes) {
  const uint64_t n = 10000;
  const PhiloxKey k1 = StreamKey(1, Stream::kShuffle), k2 = StreamKey(2, Stream::kShuffle);
  int same = 0, fixed = 0;
  for (uint64_t i = 0; i < n; ++i) {
    same += PermuteIndex(i, n, k1) == PermuteIndex(i, n, k2);
    fixed += PermuteIndex(i, n, k1) == i;
  }
  // A random permutation has about 1 fixed point and agrees with another in about 1 place.
  EXPECT_LT(same, 10);
  EXPECT_LT(fixed, 10);
}

}  // namespace
}  // namespace n2v::core
