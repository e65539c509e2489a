// A random permutation of [0, n) evaluated one index at a time: a keyed Feistel network over the
// next power of two with cycle walking (Black & Rogaway 2002). O(1) memory, embarrassingly
// parallel, and the same on host and device, so both backends visit training examples in the
// same order.
#pragma once

#include <cstdint>

#include "n2v/core/hd.hpp"
#include "n2v/core/rng.hpp"

namespace n2v::core {

N2V_HD uint32_t FeistelRound(uint32_t half, uint32_t key, uint32_t round) {
  uint32_t h = half * 0x9E3779B1u ^ key ^ (round * 0x85EBCA77u);
  h ^= h >> 15;
  h *= 0x2C1B3C6Du;
  h ^= h >> 12;
  h *= 0x297A2D39u;
  h ^= h >> 15;
  return h;
}

/// Position i of a key-dependent permutation of [0, n), n ≤ 2^62.
N2V_HD uint64_t PermuteIndex(uint64_t i, uint64_t n, PhiloxKey key) {
  if (n <= 1) return 0;
  int bits = 2;
  while ((uint64_t{1} << bits) < n) ++bits;
  bits += bits & 1;  // even, so the two halves have equal width
  const int half_bits = bits / 2;
  const uint64_t half_mask = (uint64_t{1} << half_bits) - 1;
  uint64_t x = i;
  do {  // cycle walking: re-encrypt until the value falls inside [0, n)
    uint64_t left = x >> half_bits, right = x & half_mask;
    for (uint32_t r = 0; r < 4; ++r) {
      const uint64_t f = FeistelRound(static_cast<uint32_t>(right), r & 1 ? key.k1 : key.k0, r);
      const uint64_t next = (left ^ f) & half_mask;
      left = right;
      right = next;
    }
    x = (left << half_bits) | right;
  } while (x >= n);
  return x;
}

}  // namespace n2v::core
