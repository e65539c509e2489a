// Cosine top-k micro-benchmarks: ml-latest-small's table (1405 × 50, the seed's 5 queries) and a
// large one (100k × 128, 16 queries). Twin: bench/similarity_bench.cu (cuBLAS GEMM + top-k).
//
// Napkin math: every query streams the whole normalised table once, rows × dim × 4 B — 51 MB
// per query for 100k × 128 — plus the normalisation pass (read + write, 2 × 51 MB, once per
// call). At this machine's ~10 GB/s per core that is ~5 ms per query per core; the dot
// products (rows × dim FMAs, 16 per instruction) are far cheaper than the bytes. Batching
// queries into a GEMM (as the CUDA twin does) is what would lift it past the bandwidth bound.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "n2v/core/rng.hpp"
#include "n2v/similarity.hpp"

namespace n2v {
namespace {

Embeddings Random(int32_t rows, int32_t dim) {
  const core::PhiloxKey key = core::StreamKey(4, core::Stream::kEval);
  Embeddings e;
  e.rows = rows;
  e.dim = dim;
  e.data.resize(static_cast<size_t>(rows) * dim);
  for (size_t i = 0; i < e.data.size(); ++i) {
    const core::U32x4 r = core::Random4(key, 0, 0, i);
    e.data[i] = core::StandardNormal(r.x, r.y);
  }
  return e;
}

// Args: rows, dim, queries, threads.
void BM_TopKCosine(benchmark::State& state) {
  const int32_t rows = static_cast<int32_t>(state.range(0));
  const int32_t dim = static_cast<int32_t>(state.range(1));
  const int32_t nq = static_cast<int32_t>(state.range(2));
  const int threads = static_cast<int>(state.range(3));
  const Embeddings e = Random(rows, dim);
  std::vector<int32_t> queries;
  for (int32_t i = 0; i < nq; ++i) queries.push_back(static_cast<int32_t>(int64_t{i} * rows / nq));
  for (auto _ : state) {
    auto top = cpu::TopKCosine(e, queries, 10, threads);
    benchmark::DoNotOptimize(top.data());
  }
  state.counters["queries/s"] =
      benchmark::Counter(static_cast<double>(nq) * state.iterations(), benchmark::Counter::kIsRate);
  state.counters["bytes/s"] = benchmark::Counter(
      static_cast<double>(rows) * dim * 4 * nq * state.iterations(), benchmark::Counter::kIsRate,
      benchmark::Counter::kIs1024);
}
BENCHMARK(BM_TopKCosine)
    ->Args({1405, 50, 5, 1})
    ->Args({1405, 50, 5, 2})
    ->Args({100000, 128, 16, 1})
    ->Args({100000, 128, 16, 2})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace n2v

BENCHMARK_MAIN();
