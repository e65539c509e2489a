// Walk sampling API. The math is core/walk.hpp; this is the host-side set-up (alias tables, p/q
// thresholds) and the CPU backend's loop. Twin: cuda/walk.cuh (n2v::cuda::SampleWalks).
#pragma once

#include <cstdint>
#include <vector>

#include "n2v/core/defaults.hpp"
#include "n2v/core/walk.hpp"
#include "n2v/graph.hpp"

namespace n2v {

/// Alias tables for drawing a neighbour by edge weight in O(1): 8 bytes per edge slot.
struct AliasTables {
  std::vector<uint32_t> keep;
  std::vector<int32_t> alias;
  core::AliasView view() const { return core::AliasView{keep.data(), alias.data()}; }
};

/// Builds every row's alias table (Vose's method, in double), multi-threaded over rows.
AliasTables BuildAliasTables(const CsrView& g, int threads);

/// Node2vec walk settings as the user gives them.
struct WalkOptions {
  double p = core::kDefaultP;
  double q = core::kDefaultQ;
  uint32_t length = core::kDefaultWalkLength;   // nodes per walk, start included
  uint32_t num_walks = core::kDefaultNumWalks;  // walks per node
  uint64_t seed = core::kDefaultSeed;
};

/// Turns p, q into the integer acceptance thresholds of core::WalkStep:
/// accept iff word <= ceil(bias / max(1/p, 1, 1/q) · 2^32) − 1.
core::WalkParams MakeWalkParams(const WalkOptions& o);

/// The same for walks on `g`, with WalkParams::symmetric set when it can help and is known to
/// hold: an undirected graph whose rows RowsSymmetric finds symmetric, checked only when a step
/// may test adjacency (q != 1). The walks are the same either way; only the search differs.
core::WalkParams MakeWalkParams(const WalkOptions& o, const Graph& g, int threads);

/// True iff every edge u -> v of g (u != v) has its reverse v -> u. Undirected graphs built by
/// n2v always have; a graph read from a CSR file is not checked for it. O(E log deg), threaded.
bool RowsSymmetric(const CsrView& g, int threads);

/// Threshold for accepting with probability `prob` in (0, 1]: word <= result.
uint32_t AcceptThreshold(double prob);

namespace cpu {

/// Writes walks [first_walk, first_walk + count) to out (count × length ids, row-major),
/// multi-threaded; identical for any thread count.
void SampleWalks(const CsrView& g, const core::AliasView& alias, const core::WalkParams& params,
                 uint64_t first_walk, uint64_t count, int32_t* out, int threads);

}  // namespace cpu
}  // namespace n2v
