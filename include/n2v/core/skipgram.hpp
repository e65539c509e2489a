// The skip-gram rules both regimes and both backends share: which positions of a walk a centre
// pairs with, and how the Adam regime's examples are keyed for sorting and merging. Twin: none
// (the same code runs on both sides: cpu/examples.cpp, cpu/train_sgd.cpp, cuda/examples.cu,
// cuda/sgd.cu).
#pragma once

#include <cstdint>

#include "n2v/core/hd.hpp"

namespace n2v::core {

/// Positions [lo, hi) of a walk of `length` within `radius` of position i (i itself included;
/// callers skip it): Keras's skipgrams window (radius = window) and word2vec's shrunk window
/// (radius = the centre's draw in [1, window]).
struct WindowBounds {
  uint32_t lo;
  uint32_t hi;
};
N2V_HD WindowBounds SkipgramWindow(uint32_t i, uint32_t radius, uint32_t length) {
  const uint64_t hi = static_cast<uint64_t>(i) + radius + 1;
  return WindowBounds{i > radius ? i - radius : 0u,
                      hi < length ? static_cast<uint32_t>(hi) : length};
}

/// Key of one (target, context, label) example of the Adam regime: the pair ordered (min, max),
/// (min << (node_bits + 1)) | (max << 1) | label. Sorting keys sorts by (target, context, label)
/// in 2·node_bits + 1 bits, so a Key of 32 bits serves graphs of up to 32768 nodes (half the
/// bytes to move) and 64 bits any other.
template <typename Key>
struct ExampleKeyLayout {
  int node_bits;
  N2V_HD Key Pack(int32_t a, int32_t b, uint32_t label) const {
    const Key t = static_cast<Key>(static_cast<uint32_t>(a < b ? a : b));
    const Key c = static_cast<Key>(static_cast<uint32_t>(a < b ? b : a));
    return static_cast<Key>((t << (node_bits + 1)) | (c << 1) | label);
  }
  N2V_HD int32_t Target(Key k) const { return static_cast<int32_t>(k >> (node_bits + 1)); }
  N2V_HD int32_t Context(Key k) const {
    return static_cast<int32_t>((k >> 1) & ((Key{1} << node_bits) - 1));
  }
  N2V_HD uint32_t Label(Key k) const { return static_cast<uint32_t>(k & 1u); }
};

/// Bits a node id needs in an ExampleKeyLayout for a graph of `num_nodes` nodes (at least 1).
N2V_HD int ExampleKeyNodeBits(int32_t num_nodes) {
  uint32_t v = num_nodes > 1 ? static_cast<uint32_t>(num_nodes - 1) : 1u;
  int bits = 0;
  while (v != 0) {
    ++bits;
    v >>= 1;
  }
  return bits;
}

}  // namespace n2v::core
