// Shared pieces of the GPU tests: the fixture that skips without a device, seeded random graphs
// and the tolerance check. Plain C++ (cuda_runtime.h is a C API), so parity tests that only call
// n2v/cuda_api.hpp compile with g++.
#pragma once

#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "n2v/graph.hpp"

namespace n2v::testing {

/// Every GPU test derives from this: no driver, an old driver or no device → SKIPPED with the
/// reason (cudaGetDeviceCount returns an error, not zero, when there is no driver).
class CudaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    int count = 0;
    const cudaError_t e = cudaGetDeviceCount(&count);
    if (e != cudaSuccess) {
      (void)cudaGetLastError();
      GTEST_SKIP() << "no CUDA device (" << cudaGetErrorName(e) << ": " << cudaGetErrorString(e)
                   << ")";
    }
    if (count == 0) GTEST_SKIP() << "no CUDA device (0 visible)";
  }
};

/// A random weighted graph on n nodes with about `edges` distinct edges (no self-loops), sorted
/// rows; undirected edges are stored both ways. With `sinks` > 0 the graph is directed and the
/// last `sinks` nodes have no out-edge, so walks hit dead ends (-1 padding).
inline Graph RandomGraph(int32_t n, int64_t edges, uint64_t seed, int32_t sinks = 0) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int32_t> node(0, n - 1);
  std::uniform_real_distribution<float> weight(0.1f, 10.0f);
  const bool directed = sinks > 0;
  std::map<std::pair<int32_t, int32_t>, float> adj;
  int64_t made = 0, tries = 0;
  while (made < edges && tries < edges * 20) {
    ++tries;
    int32_t a = node(rng), b = node(rng);
    if (a == b) continue;
    if (directed && a >= n - sinks) continue;
    if (!directed && a > b) std::swap(a, b);
    if (!adj.emplace(std::make_pair(a, b), weight(rng)).second) continue;
    ++made;
  }
  std::vector<std::vector<std::pair<int32_t, float>>> rows(n);
  for (const auto& [e, w] : adj) {
    rows[e.first].push_back({e.second, w});
    if (!directed) rows[e.second].push_back({e.first, w});
  }
  Graph g;
  g.directed = directed;
  g.offsets.assign(1, 0);
  for (int32_t v = 0; v < n; ++v) {
    std::sort(rows[v].begin(), rows[v].end());
    for (const auto& [u, w] : rows[v]) {
      g.neighbors.push_back(u);
      g.weights.push_back(w);
    }
    g.offsets.push_back(static_cast<int64_t>(g.neighbors.size()));
    g.names.push_back(std::to_string(v));
  }
  return g;
}

/// A graph of `communities` dense clusters joined by a few bridges: embeddings trained on it have
/// a clear structure, so losses fall and neighbours are meaningful.
inline Graph CommunityGraph(int32_t communities, int32_t size, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> weight(0.5f, 2.0f);
  std::uniform_real_distribution<double> coin(0.0, 1.0);
  const int32_t n = communities * size;
  std::vector<std::vector<std::pair<int32_t, float>>> rows(n);
  auto add = [&](int32_t a, int32_t b) {
    const float w = weight(rng);
    rows[a].push_back({b, w});
    rows[b].push_back({a, w});
  };
  for (int32_t a = 0; a < n; ++a) {
    for (int32_t b = a + 1; b < n; ++b) {
      const bool same = a / size == b / size;
      if (coin(rng) < (same ? 0.3 : 0.002)) add(a, b);
    }
  }
  Graph g;
  g.offsets.assign(1, 0);
  for (int32_t v = 0; v < n; ++v) {
    std::sort(rows[v].begin(), rows[v].end());
    for (const auto& [u, w] : rows[v]) {
      g.neighbors.push_back(u);
      g.weights.push_back(w);
    }
    g.offsets.push_back(static_cast<int64_t>(g.neighbors.size()));
    g.names.push_back(std::to_string(v));
  }
  return g;
}

/// llm.c's tolerance: |gpu − cpu| ≤ atol + rtol·|cpu|.
inline bool Close(double gpu, double cpu, double atol, double rtol) {
  return std::fabs(gpu - cpu) <= atol + rtol * std::fabs(cpu);
}

/// The path of a file under the source tree's data/ folder: $N2V_SOURCE_DIR/data/ when that is
/// set (a prebuilt test binary run from another checkout, scripts/gpu-check), else the source
/// tree the binary was built from.
inline std::string DataPath(const std::string& rel) {
  if (const char* dir = std::getenv("N2V_SOURCE_DIR"); dir != nullptr && *dir != '\0') {
    return std::string(dir) + "/data/" + rel;
  }
#if defined(N2V_SOURCE_DIR)
  return std::string(N2V_SOURCE_DIR) + "/data/" + rel;
#else
  return "data/" + rel;
#endif
}

}  // namespace n2v::testing
