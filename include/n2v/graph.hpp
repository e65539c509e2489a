// The graph as every stage sees it: compressed sparse rows with 64-bit offsets, 32-bit node ids,
// float weights and sorted rows (docs/DESIGN.md, decision 4). CsrView is POD and passes to kernels by
// value; Graph owns the arrays and the node-name table.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace n2v {

/// Non-owning view of a CSR graph. Row v is neighbors[offsets[v] .. offsets[v+1]), sorted by id.
struct CsrView {
  const int64_t* offsets = nullptr;    // [num_nodes + 1]
  const int32_t* neighbors = nullptr;  // [num_edges]
  const float* weights = nullptr;      // [num_edges]
  int32_t num_nodes = 0;
  int64_t num_edges = 0;  // directed edge slots (an undirected edge counts twice)
};

/// An owned CSR graph with a name per node (movieId, or the id string of an edge list).
struct Graph {
  std::vector<int64_t> offsets{0};
  std::vector<int32_t> neighbors;
  std::vector<float> weights;
  std::vector<std::string> names;
  bool directed = false;

  int32_t num_nodes() const { return static_cast<int32_t>(offsets.size()) - 1; }
  int64_t num_edge_slots() const { return static_cast<int64_t>(neighbors.size()); }
  /// Edges as a user counts them: undirected edges once (a self-loop takes one slot, every other
  /// undirected edge two). O(slots) for an undirected graph: it counts the self-loops.
  int64_t num_edges() const {
    if (directed) return num_edge_slots();
    int64_t loops = 0;
    for (int32_t u = 0; u < num_nodes(); ++u) {
      for (int64_t e = offsets[u]; e < offsets[u + 1]; ++e) loops += neighbors[e] == u;
    }
    return (num_edge_slots() + loops) / 2;
  }
  CsrView view() const {
    return CsrView{offsets.data(), neighbors.data(), weights.data(), num_nodes(), num_edge_slots()};
  }
};

}  // namespace n2v
