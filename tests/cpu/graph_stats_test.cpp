// Tests of the graph statistics: hand-counted small graphs (undirected, directed, empty), a
// breadth-first-search reference for components on random graphs, and the seed's figures.
#include "n2v/graph_stats.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "n2v/movielens.hpp"

namespace n2v {
namespace {

/// A CSR graph from (u, v, w) edges; undirected graphs store both directions.
Graph FromEdges(int32_t n, const std::vector<std::tuple<int32_t, int32_t, float>>& edges,
                bool directed) {
  std::vector<std::tuple<int32_t, int32_t, float>> slots;
  for (const auto& [u, v, w] : edges) {
    slots.emplace_back(u, v, w);
    if (!directed) slots.emplace_back(v, u, w);
  }
  std::sort(slots.begin(), slots.end());
  Graph g;
  g.directed = directed;
  g.offsets.assign(static_cast<size_t>(n) + 1, 0);
  for (const auto& [u, v, w] : slots) {
    ++g.offsets[u + 1];
    g.neighbors.push_back(v);
    g.weights.push_back(w);
  }
  for (int32_t v = 0; v < n; ++v) g.offsets[v + 1] += g.offsets[v];
  return g;
}

TEST(GraphStats, UndirectedByHand) {
  // Triangle 0-1-2, edge 3-4, node 5 alone.
  const Graph g = FromEdges(6, {{0, 1, 2.0f}, {1, 2, 3.0f}, {0, 2, 0.5f}, {3, 4, 7.0f}}, false);
  const GraphStats s = ComputeGraphStats(g);
  EXPECT_EQ(s.nodes, 6);
  EXPECT_EQ(s.edges, 4);
  EXPECT_EQ(s.components, 3);
  EXPECT_EQ(s.largest_component, 3);
  EXPECT_EQ(s.isolated_nodes, 1);
  EXPECT_EQ(s.min_degree, 0);
  EXPECT_EQ(s.max_degree, 2);
  EXPECT_DOUBLE_EQ(s.mean_degree, 8.0 / 6);
  EXPECT_DOUBLE_EQ(s.median_degree, 1.5);  // degrees 0 1 1 2 2 2
  EXPECT_DOUBLE_EQ(s.min_weight, 0.5);
  EXPECT_DOUBLE_EQ(s.max_weight, 7.0);
}

TEST(GraphStats, DirectedComponentsAreWeak) {
  // 0 -> 1 <- 2, 3 -> 3 (a self-loop), 4 alone. Node 1 has no out-edge but is not isolated.
  const Graph g = FromEdges(5, {{0, 1, 1.0f}, {2, 1, 1.0f}, {3, 3, 4.0f}}, true);
  const GraphStats s = ComputeGraphStats(g);
  EXPECT_EQ(s.edges, 3);
  EXPECT_EQ(s.components, 3);
  EXPECT_EQ(s.largest_component, 3);
  EXPECT_EQ(s.isolated_nodes, 1);
  EXPECT_EQ(s.min_degree, 0);
  EXPECT_EQ(s.max_degree, 1);
  EXPECT_DOUBLE_EQ(s.median_degree, 1.0);  // out-degrees 0 0 1 1 1
  EXPECT_DOUBLE_EQ(s.max_weight, 4.0);
}

TEST(GraphStats, EmptyAndEdgeless) {
  const GraphStats empty = ComputeGraphStats(Graph{});
  EXPECT_EQ(empty.nodes, 0);
  EXPECT_EQ(empty.components, 0);
  EXPECT_EQ(empty.mean_degree, 0);
  const GraphStats edgeless = ComputeGraphStats(FromEdges(3, {}, false));
  EXPECT_EQ(edgeless.components, 3);
  EXPECT_EQ(edgeless.largest_component, 1);
  EXPECT_EQ(edgeless.isolated_nodes, 3);
  EXPECT_EQ(edgeless.min_weight, 0);
  EXPECT_EQ(edgeless.max_weight, 0);
}

/// Components by breadth-first search over both edge directions: the reference.
std::vector<int32_t> ComponentSizesByBfs(const Graph& g) {
  const int32_t n = g.num_nodes();
  std::vector<std::vector<int32_t>> adj(n);
  for (int32_t v = 0; v < n; ++v) {
    for (int64_t e = g.offsets[v]; e < g.offsets[v + 1]; ++e) {
      adj[v].push_back(g.neighbors[e]);
      adj[g.neighbors[e]].push_back(v);
    }
  }
  std::vector<char> seen(n, 0);
  std::vector<int32_t> sizes;
  for (int32_t s = 0; s < n; ++s) {
    if (seen[s]) continue;
    std::vector<int32_t> queue = {s};
    seen[s] = 1;
    for (size_t i = 0; i < queue.size(); ++i) {
      for (const int32_t u : adj[queue[i]]) {
        if (!seen[u]) {
          seen[u] = 1;
          queue.push_back(u);
        }
      }
    }
    sizes.push_back(static_cast<int32_t>(queue.size()));
  }
  return sizes;
}

TEST(GraphStats, ComponentsMatchBfsOnRandomGraphs) {
  for (const uint32_t seed : {1u, 2u, 3u, 4u}) {
    std::mt19937 rng(seed);
    const int32_t n = 2000;
    std::vector<std::tuple<int32_t, int32_t, float>> edges;
    // ~0.9 n edges: near the giant-component threshold, so many components of many sizes.
    std::uniform_int_distribution<int32_t> node(0, n - 1);
    std::set<std::pair<int32_t, int32_t>> seen;
    for (int i = 0; i < 900; ++i) {
      const int32_t a = node(rng), b = node(rng);
      if (a == b || !seen.insert({std::min(a, b), std::max(a, b)}).second) continue;
      edges.emplace_back(a, b, 1.0f);
    }
    for (const bool directed : {false, true}) {
      const Graph g = FromEdges(n, edges, directed);
      const GraphStats s = ComputeGraphStats(g);
      const std::vector<int32_t> sizes = ComponentSizesByBfs(g);
      EXPECT_EQ(s.components, static_cast<int32_t>(sizes.size())) << "seed " << seed;
      EXPECT_EQ(s.largest_component, *std::max_element(sizes.begin(), sizes.end()))
          << "seed " << seed;
      EXPECT_EQ(s.isolated_nodes, std::count(sizes.begin(), sizes.end(), 1)) << "seed " << seed;
    }
  }
}

TEST(GraphStats, MlLatestSmallPmiGraph) {
  const auto ratings =
      ReadRatings(std::string(N2V_SOURCE_DIR) + "/data/ml-latest-small/ratings.csv");
  ASSERT_TRUE(ratings.ok()) << ratings.status();
  const auto g = BuildPmiGraph(*ratings, PmiOptions{}, nullptr, 2);
  ASSERT_TRUE(g.ok()) << g.status();
  const GraphStats s = ComputeGraphStats(*g);
  EXPECT_EQ(s.nodes, 1405);
  EXPECT_EQ(s.edges, 40043);
  EXPECT_EQ(s.isolated_nodes, 0);  // a node exists only because an edge was kept
  EXPECT_GE(s.min_degree, 1);
  EXPECT_NEAR(s.mean_degree, 57.0, 0.005);  // the seed's "Average node degree: 57.0"
  EXPECT_GE(s.min_weight, 10.0);            // min_weight
  const std::vector<int32_t> sizes = ComponentSizesByBfs(*g);
  EXPECT_EQ(s.components, static_cast<int32_t>(sizes.size()));
  EXPECT_EQ(s.largest_component, *std::max_element(sizes.begin(), sizes.end()));
  std::printf(
      "ml-latest-small PMI graph: %d components, largest %d, degree %lld..%lld, median "
      "%.1f, weight %.2f..%.2f\n",
      s.components, s.largest_component, static_cast<long long>(s.min_degree),
      static_cast<long long>(s.max_degree), s.median_degree, s.min_weight, s.max_weight);
}

}  // namespace
}  // namespace n2v
