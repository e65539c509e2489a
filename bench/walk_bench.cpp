// Walk micro-benchmarks on a synthetic graph: 100k nodes, 1M random weighted undirected edges
// (2M edge slots, mean degree 20), the CPU backend's alias build and node2vec steps per second.
// Twin: bench/walk_bench.cu (when it exists). Threads are the benchmark argument.
//
// Napkin math for one candidate (graph far larger than L2): the row bounds of v (16 B), one alias
// slot (keep + alias, 8 B) and the candidate id (4 B), then — unless q = 1 — HasEdge(x, t) reads
// x's bounds (16 B) and ~log2(20) ≈ 4 probes of its row: about 6 cache lines ≈ 400 B of traffic
// (3 lines, ~200 B, at q = 1). At ~10 GB/s per core that bounds a core near 25M candidates/s (50M
// at q = 1); memory latency is the real limit (the lines are dependent, ~100 ns per step), which
// is why SampleWalks interleaves 8 walks per thread with prefetches. Rejection multiplies the
// candidates: on this triangle-free random graph almost every move is outward, accepted with
// (1/q)/max(1/p, 1, 1/q) — 1/16 at p = 0.25, q = 4 (16 candidates per step), 1 at p = 4, q = 0.25.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <set>
#include <utility>
#include <vector>

#include "n2v/core/rng.hpp"
#include "n2v/graph.hpp"
#include "n2v/walk.hpp"

namespace n2v {
namespace {

const Graph& SyntheticGraph() {
  static const Graph g = [] {
    const int32_t n = 100000;
    const int64_t m = 1000000;
    const core::PhiloxKey key = core::StreamKey(1, core::Stream::kEval);
    std::vector<std::vector<std::pair<int32_t, float>>> adj(n);
    std::set<std::pair<int32_t, int32_t>> seen;
    for (int64_t i = 0; static_cast<int64_t>(seen.size()) < m; ++i) {
      const core::U32x4 r = core::Random4(key, 0, 0, static_cast<uint64_t>(i));
      int32_t u = static_cast<int32_t>(core::UniformBelow(r.x, n));
      int32_t v = static_cast<int32_t>(core::UniformBelow(r.y, n));
      if (u == v) continue;
      if (u > v) std::swap(u, v);
      if (!seen.insert({u, v}).second) continue;
      const float w = 0.1f + 10.0f * core::UniformFloat(r.z);
      adj[u].push_back({v, w});
      adj[v].push_back({u, w});
    }
    Graph g;
    for (auto& row : adj) {
      std::sort(row.begin(), row.end());
      for (const auto& [v, w] : row) {
        g.neighbors.push_back(v);
        g.weights.push_back(w);
      }
      g.offsets.push_back(static_cast<int64_t>(g.neighbors.size()));
    }
    g.names.resize(n);
    return g;
  }();
  return g;
}

void BM_BuildAliasTables(benchmark::State& state) {
  const Graph& g = SyntheticGraph();
  const int threads = static_cast<int>(state.range(0));
  for (auto _ : state) {
    AliasTables t = BuildAliasTables(g.view(), threads);
    benchmark::DoNotOptimize(t.keep.data());
  }
  state.counters["edges/s"] = benchmark::Counter(
      static_cast<double>(g.num_edge_slots()) * state.iterations(), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_BuildAliasTables)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

// Args: threads, p·100, q·100. 20000 walks of 80 nodes per iteration (1.6M steps).
void BM_SampleWalks(benchmark::State& state) {
  const Graph& g = SyntheticGraph();
  static const AliasTables alias = BuildAliasTables(g.view(), 2);
  const int threads = static_cast<int>(state.range(0));
  WalkOptions o;
  o.p = static_cast<double>(state.range(1)) / 100.0;
  o.q = static_cast<double>(state.range(2)) / 100.0;
  o.length = 80;
  const core::WalkParams params = MakeWalkParams(o);
  const uint64_t count = 20000;
  std::vector<int32_t> out(count * o.length);
  uint64_t first = 0;
  for (auto _ : state) {
    cpu::SampleWalks(g.view(), alias.view(), params, first, count, out.data(), threads);
    benchmark::DoNotOptimize(out.data());
    first += count;  // fresh walks every iteration, not a replay of the same ones
  }
  state.counters["steps/s"] = benchmark::Counter(
      static_cast<double>(count * (o.length - 1)) * state.iterations(), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_SampleWalks)
    ->Args({1, 100, 100})
    ->Args({2, 100, 100})
    ->Args({1, 25, 400})
    ->Args({2, 25, 400})
    ->Args({2, 400, 25})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MinTime(0.3);

}  // namespace
}  // namespace n2v

BENCHMARK_MAIN();
