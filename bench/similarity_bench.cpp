// Cosine top-k micro-benchmarks: ml-latest-small's table (1405 × 50, the seed's 5 queries) and a
// large one (100k × 128, 16, 64 and 256 queries). The GPU's figure (cuBLAS GEMM + top-k) is
// bench/gpu_bench.cu's allknn.
//
// Read bandwidth of this machine (2 vCPUs of a Xeon @ 2.5 GHz, 36 MB L3), measured by
// BM_StreamRead below (a sum over a 256 MiB array, 7× the L3: the access pattern of a top-k
// scan), median of 3, 2026-11-28, load average 6.2 from other jobs: 8.2 GB/s per second of CPU
// time on one thread (4.1 GB/s of wall time: the thread got half a core), 7.7 GB/s per
// CPU-second on two (5.1 GB/s wall). walk_bench's BM_StreamCopy gives 9.5 GB/s for STREAM's
// copy on the same machine. Measured rates below are per CPU-second at the same load.
#include <benchmark/benchmark.h>
#include <omp.h>

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
//
// DRAM bytes per top-k row (one query's k results): the query scans the whole normalised table,
// rows × dim × 4 B, plus its share of the normalisation pass (read e + write the unit table:
// 2 × rows × dim × 4 B per call, amortised over the call's queries); heaps and the query row
// stay in L1.
//   1405 × 50 (ml-latest-small, 5 queries): 281 KB per scan, L2-resident after the first, so no
//     DRAM bound applies; each call reads e and writes its copy once (562 KB). Measured: 23.6k
//     queries per CPU-second.
//   100k × 128, 16 queries: 51.2 MB per scan (past L3) + 2 × 51.2 MB / 16 = 57.6 MB per query: at
//     8.2 GB/s one core allows ~142 queries/s (two at 7.7 GB/s each: ~267/s). Measured: 106
//     queries per CPU-second on one thread, 75% of the bound: this one is bandwidth-bound.
//     The dot products (128 FMAs per row, 16 per AVX-512 instruction) cost less than the
//     bytes; batching queries into one GEMM (as the CUDA twin does) is what lifts the bound,
//     since each table row is then read once for many queries.
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
    ->Args({100000, 128, 64, 2})
    ->Args({100000, 128, 256, 2})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// Read bandwidth, the figure the comments above divide by: a sum over 64 Mi 4-byte words
// (256 MiB), each byte read once, as a top-k scan reads the table. Integers, so the sum
// vectorises (a float sum may not be reassociated and would time the adder, not memory).
// Arg: threads.
void BM_StreamRead(benchmark::State& state) {
  const int threads = static_cast<int>(state.range(0));
  constexpr int64_t kElems = int64_t{64} << 20;
  static const std::vector<uint32_t> a(kElems, 1u);
  const uint32_t* const src = a.data();
  for (auto _ : state) {
    uint64_t sum = 0;
#pragma omp parallel for num_threads(threads) schedule(static) reduction(+ : sum)
    for (int64_t i = 0; i < kElems; ++i) sum += src[i];
    benchmark::DoNotOptimize(sum);
  }
  state.counters["bytes/s"] = benchmark::Counter(
      4.0 * static_cast<double>(kElems) * state.iterations(), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_StreamRead)
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MeasureProcessCPUTime();  // CPU column: all threads, to tell bandwidth from a busy machine

}  // namespace
}  // namespace n2v

BENCHMARK_MAIN();
