// Trainer micro-benchmarks at ml-latest-small's size: the seed's example generation (7025 walks
// of 10, window 10, 4 negatives) and one epoch of the seed's dense-Adam model (1405 × 50 table,
// ~881k examples, batch 1024). Twin: bench/train_bench.cu (when it exists). Threads are the
// benchmark argument.
//
// Napkin math for one training example: its 16-byte record (a random line of a 14 MB array),
// two 200-byte rows for the logit, and two 200-byte gradient rows read and written — ~1 KB, all
// but the record in L1/L2. Per batch the dense Adam pass reads and writes W, m, v and G: 70250
// floats × 32 B = 2.2 MB (L2-resident), i.e. ~2.2 KB per example. At L2 bandwidth (~50 GB/s per
// core) that is ~20M examples/s per core; the real bounds are lower: each parameter's Adam update
// needs a square root and a division (the divider does one per ~1.4 cycles: 70k parameters ≈
// 40 µs per batch of 1024 per core), and each example a log1pf and two expf (~40 ns; glibc's
// scalar log1pf alone is ~25 ns): another ~40 µs per batch. Together ~80 µs per batch per core,
// ~12M examples/s per core at best.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "n2v/core/rng.hpp"
#include "n2v/train.hpp"

namespace n2v {
namespace {

constexpr int32_t kNodes = 1405;

const std::vector<int32_t>& Walks() {  // 7025 walks of 10 uniform nodes
  static const std::vector<int32_t> w = [] {
    const core::PhiloxKey key = core::StreamKey(2, core::Stream::kEval);
    std::vector<int32_t> w(7025 * 10);
    for (size_t i = 0; i < w.size(); ++i) {
      w[i] = static_cast<int32_t>(core::UniformBelow(core::Random4(key, 0, 0, i).x, kNodes));
    }
    return w;
  }();
  return w;
}

void BM_GenerateExamples(benchmark::State& state) {
  const int threads = static_cast<int>(state.range(0));
  int64_t raw = 0;
  for (auto _ : state) {
    Examples ex = cpu::GenerateExamples(Walks().data(), 7025, 10, kNodes, ExampleOptions{}, threads);
    raw = ex.raw_pairs;
    benchmark::DoNotOptimize(ex.target.data());
  }
  state.counters["pairs/s"] =
      benchmark::Counter(static_cast<double>(raw) * state.iterations(), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_GenerateExamples)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

const Examples& SeedExamples() {
  static const Examples ex =
      cpu::GenerateExamples(Walks().data(), 7025, 10, kNodes, ExampleOptions{}, 2);
  return ex;
}

void BM_TrainAdamEpoch(benchmark::State& state) {
  const int threads = static_cast<int>(state.range(0));
  const Examples& ex = SeedExamples();
  AdamTrainOptions o;
  o.epochs = 1;
  Embeddings emb = InitHeNormal(kNodes, o.dim, o.seed, threads);
  for (auto _ : state) {
    std::vector<double> loss = cpu::TrainAdam(ex, o, &emb, threads);
    benchmark::DoNotOptimize(loss.data());
  }
  const double examples = static_cast<double>(ex.size() / o.batch * o.batch);
  state.counters["examples/s"] =
      benchmark::Counter(examples * state.iterations(), benchmark::Counter::kIsRate);
  state.counters["adam_params/s"] = benchmark::Counter(
      static_cast<double>(ex.size() / o.batch) * kNodes * o.dim * state.iterations(),
      benchmark::Counter::kIsRate);
}
BENCHMARK(BM_TrainAdamEpoch)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_InitHeNormal(benchmark::State& state) {
  for (auto _ : state) {
    Embeddings e = InitHeNormal(100000, 128, 1, static_cast<int>(state.range(0)));
    benchmark::DoNotOptimize(e.data.data());
  }
  state.counters["values/s"] =
      benchmark::Counter(100000.0 * 128 * state.iterations(), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_InitHeNormal)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace n2v

BENCHMARK_MAIN();
