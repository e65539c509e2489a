// Walk micro-benchmarks on a synthetic graph: 100k nodes, 1M random weighted undirected edges
// (2M edge slots, mean degree 20), the CPU backend's alias build and node2vec steps per second.
// The GPU's figure is bench/gpu_bench.cu's walks. Threads are the benchmark argument.
//
// Memory bandwidth of this machine (2 vCPUs of a Xeon @ 2.5 GHz, 36 MB L3), measured by
// BM_StreamCopy below (STREAM's copy kernel over two 128 MiB arrays, 3.6× the L3, counted as
// STREAM counts it: 16 B per element), median of 3, 2026-11-28, load average 6.3 from other
// jobs: 9.5 GB/s per second of CPU time on one thread (4.7 GB/s of wall time: the thread got
// half a core), 8.7 GB/s per CPU-second on two (4.3 GB/s wall). An idle two-core figure could
// not be taken on this shared machine. The bounds below divide 9.5 GB/s by the DRAM bytes an
// operation moves (a random access moves a whole 64-byte line however few bytes it uses), and
// the measured rates beside them are per CPU-second at the same load.
#include <benchmark/benchmark.h>
#include <omp.h>

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

// DRAM bytes per edge slot: the weight read (4 B), keep and alias written (8 B), the row bounds
// (8 B per row: 0.4 B per slot); Vose's scratch (scaled probabilities, small/large lists) stays
// in L1 for rows of ~20. Streamed, ~12 B per slot, ~20 B with the write-allocate reads of keep
// and alias: 9.5 GB/s allows ~475M slots/s on one core. Measured: 55M slots per CPU-second
// (12% of that): the cost is Vose's per-row loop (a division per slot, unpredictable
// small/large branches), not bytes.
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
//
// DRAM bytes per walk step (the graph's 2M slots × 16 B of neighbours, weights, keep and alias
// are 32 MB: past L2, mostly past L3 under load). One candidate from v: the row bounds offsets[v],
// offsets[v+1] (1 line), keep[e] (1 line), alias[e] when the coin rejects column e (about half
// the time) and neighbors[e'] (1 line): ~3.5 lines, 224 B. Unless q = 1, HasEdge(x, t) adds x's
// bounds (1 line) and a binary search of x's ~20-entry row (80 B: ~2 lines): ~3 lines, 192 B.
// Since 83d7cf1 that search is made only for a word between the common and the outward
// thresholds (core::WalkAttempt); the per-case figures below predate it (the new ones, and the
// lines per step they imply, are in bench/RESULTS.md, "Walk step: deciding before the search").
//   p = q = 1 (the seed's): 1 candidate per step, ~224 B: 9.5 GB/s allows ~42M steps/s on one
//     core. Measured: 10.5M steps per CPU-second (25% of it).
//   p = 4, q = 0.25: outward moves are accepted outright (1/q is the largest bias) and almost all
//     moves on this triangle-free graph are outward: ~1.05 candidates, ~420 B per step: ~23M
//     steps/s per core. Measured (2 threads): 2.6M steps per CPU-second (11%).
//   p = 0.25, q = 4: outward accepted with (1/q)/(1/p) = 1/16, so ~16 candidates per step; v's
//     lines stay cached after the first, each further candidate costs its HasEdge (~3 lines) and
//     its column (1 line): ~16 × 256 B ≈ 4 KB per step: ~2.3M steps/s per core. Measured:
//     0.67M steps per CPU-second (29%).
// The lines are dependent loads (row bounds, then the slot, then the neighbour's row), ~100 ns
// each from DRAM, so latency binds at a quarter of the bandwidth bound: SampleWalks interleaves
// 8 walks per thread with prefetches to keep several misses in flight.
void BM_SampleWalks(benchmark::State& state) {
  const Graph& g = SyntheticGraph();
  static const AliasTables alias = BuildAliasTables(g.view(), 2);
  const int threads = static_cast<int>(state.range(0));
  WalkOptions o;
  o.p = static_cast<double>(state.range(1)) / 100.0;
  o.q = static_cast<double>(state.range(2)) / 100.0;
  o.length = 80;
  const core::WalkParams params = MakeWalkParams(o, g, 2);  // as the engine sets it up
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
    ->Args({2, 50, 200})
    ->Args({2, 25, 25})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MinTime(0.3);

// STREAM's copy kernel (McCalpin), the bandwidth figure the comments above divide by: c[i] = a[i]
// over two 128 MiB arrays of doubles, counted as STREAM counts it (8 B read + 8 B written per
// element; the write-allocate read of c is real traffic but not counted). Arg: threads.
void BM_StreamCopy(benchmark::State& state) {
  const int threads = static_cast<int>(state.range(0));
  constexpr int64_t kElems = int64_t{16} << 20;  // 128 MiB per array
  static std::vector<double> a(kElems, 1.0), c(kElems, 0.0);
  double* const dst = c.data();
  const double* const src = a.data();
  for (auto _ : state) {
#pragma omp parallel for num_threads(threads) schedule(static)
    for (int64_t i = 0; i < kElems; ++i) dst[i] = src[i];
    benchmark::ClobberMemory();
  }
  state.counters["bytes/s"] = benchmark::Counter(
      16.0 * static_cast<double>(kElems) * state.iterations(), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_StreamCopy)
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MeasureProcessCPUTime();  // CPU column: all threads, to tell bandwidth from a busy machine

}  // namespace
}  // namespace n2v

BENCHMARK_MAIN();
