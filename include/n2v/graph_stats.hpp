// Graph statistics reported by every job: components and degrees.
#pragma once

#include <cstdint>

#include "n2v/graph.hpp"

namespace n2v {

struct GraphStats {
  int32_t nodes = 0;
  int64_t edges = 0;  // as a user counts them (undirected once)
  int32_t components = 0;
  int32_t largest_component = 0;
  int32_t isolated_nodes = 0;
  int64_t min_degree = 0;
  int64_t max_degree = 0;
  double mean_degree = 0;
  double median_degree = 0;
  double min_weight = 0;
  double max_weight = 0;
};

/// Components are weakly connected components (Boost.Graph); degree = out-degree; an isolated
/// node has no edge in or out; the median of an even count is the mean of the middle two; min/max
/// weight are 0 for a graph without edges. O(E α(n)) time, O(n) extra memory.
GraphStats ComputeGraphStats(const Graph& g);

}  // namespace n2v
