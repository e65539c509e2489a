// Graph statistics every job reports: weakly connected components (Boost.Graph's disjoint sets
// over the CSR edges, O(E α(n)), no adjacency_list copy of the graph), degrees and weights.
// Twin: none (front end). Single-threaded: one pass over the edges.
#include "n2v/graph_stats.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <vector>

#include "boost/pending/disjoint_sets.hpp"

namespace n2v {

GraphStats ComputeGraphStats(const Graph& g) {
  GraphStats s;
  const int32_t n = g.num_nodes();
  s.nodes = n;
  s.edges = g.num_edges();
  if (n <= 0) return s;

  std::vector<int32_t> rank(static_cast<size_t>(n));
  std::vector<int32_t> parent(static_cast<size_t>(n));
  boost::disjoint_sets<int32_t*, int32_t*> sets(rank.data(), parent.data());
  for (int32_t v = 0; v < n; ++v) sets.make_set(v);

  // A node is isolated when no edge touches it: for a directed graph an in-edge counts too.
  std::vector<char> touched(static_cast<size_t>(n), 0);
  std::vector<int64_t> degrees(static_cast<size_t>(n));
  s.min_weight = std::numeric_limits<double>::infinity();
  s.max_weight = -std::numeric_limits<double>::infinity();
  for (int32_t v = 0; v < n; ++v) {
    const int64_t begin = g.offsets[v];
    const int64_t end = g.offsets[v + 1];
    degrees[v] = end - begin;
    for (int64_t e = begin; e < end; ++e) {
      const int32_t u = g.neighbors[e];
      // Undirected graphs store both directions: one union per edge is enough.
      if (g.directed || v < u) sets.union_set(v, u);
      touched[v] = touched[u] = 1;
      s.min_weight = std::min<double>(s.min_weight, g.weights[e]);
      s.max_weight = std::max<double>(s.max_weight, g.weights[e]);
    }
  }
  if (g.num_edge_slots() == 0) s.min_weight = s.max_weight = 0;

  std::vector<int32_t> size(static_cast<size_t>(n), 0);
  for (int32_t v = 0; v < n; ++v) {
    const int32_t root = sets.find_set(v);
    if (size[root]++ == 0) ++s.components;
    s.largest_component = std::max(s.largest_component, size[root]);
    if (!touched[v]) ++s.isolated_nodes;
  }

  s.mean_degree = static_cast<double>(g.num_edge_slots()) / n;
  std::sort(degrees.begin(), degrees.end());
  s.min_degree = degrees.front();
  s.max_degree = degrees.back();
  s.median_degree = n % 2 == 1 ? static_cast<double>(degrees[n / 2])
                               : 0.5 * (static_cast<double>(degrees[n / 2 - 1]) + degrees[n / 2]);
  return s;
}

}  // namespace n2v
