// Trainer micro-benchmarks at ml-latest-small's size: the seed's example generation (7025 walks
// of 10, window 10, 4 negatives) and one epoch of the seed's dense-Adam model (1405 × 50 table,
// ~881k examples, batch 1024); the divider's bound on that model's Adam pass (BM_SqrtDivBound); and
// one epoch of word2vec's SGD (cpu::TrainSgd on uniform walks over 1405 and 100k nodes,
// cpu::TrainSgdOnGraph streaming from a 20k-node graph). The GPU's figures are
// bench/gpu_bench.cu's sgd and movielens. Threads are the benchmark argument.
//
// Napkin math for one training example: its 16-byte record (a random line of a 14 MB array),
// two 200-byte rows for the logit, and two 200-byte gradient rows read and written — ~1 KB, all
// but the record in L1/L2. Per batch the dense Adam pass reads and writes W, m, v and G: 70250
// floats × 32 B = 2.2 MB (L2-resident), i.e. ~2.2 KB per example. At L2 bandwidth (~50 GB/s per
// core) that is ~20M examples/s per core; the real bound is the divider: each parameter's Adam
// update needs a square root and a division, which BM_SqrtDivBound measures with nothing else in
// the way. Each example also takes a σ (glibc's expf, vectorised) and a softplus for the loss.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "n2v/core/rng.hpp"
#include "n2v/core/sgns.hpp"
#include "n2v/train.hpp"
#include "n2v/walk.hpp"
#include "n2v/word2vec.hpp"

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

// The divider's bound on the dense Adam pass: every parameter's update (core::AdamUpdate) takes
// a square root and a division, which share the divider. Here out = m / (sqrt(v) + ε) over 2048
// parameters in L1 and nothing else, built with cpu/train_adam.cpp's flags so the compiler
// vectorises it the same way; one thread. The seed's 8610 steps of a 1405 × 50 table need
// 8610 · 1405 · 64 of these on two threads (each thread's 25 columns padded to 32), so they take at
// least that over (params/s · 2).
void BM_SqrtDivBound(benchmark::State& state) {
  constexpr size_t kParams = 2048;
  std::vector<float> m(kParams), v(kParams), out(kParams);
  for (size_t i = 0; i < kParams; ++i) {
    m[i] = 1e-3f * static_cast<float>(i % 7) - 3.5e-3f;
    v[i] = 1e-6f * static_cast<float>(1 + i % 5);
  }
  const float eps = core::AdamParams{}.epsilon;
  for (auto _ : state) {
    const float* const mp = m.data();
    const float* const vp = v.data();
    float* const op = out.data();
#pragma omp simd
    for (size_t i = 0; i < kParams; ++i) op[i] = mp[i] / (std::sqrt(vp[i]) + eps);
    benchmark::ClobberMemory();
  }
  state.counters["params/s"] = benchmark::Counter(static_cast<double>(kParams) * state.iterations(),
                                                  benchmark::Counter::kIsRate);
}
BENCHMARK(BM_SqrtDivBound)->Unit(benchmark::kMicrosecond)->UseRealTime();

void BM_InitHeNormal(benchmark::State& state) {
  for (auto _ : state) {
    Embeddings e = InitHeNormal(100000, 128, 1, static_cast<int>(state.range(0)));
    benchmark::DoNotOptimize(e.data.data());
  }
  state.counters["values/s"] =
      benchmark::Counter(100000.0 * 128 * state.iterations(), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_InitHeNormal)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();


// --- word2vec's SGD (cpu::TrainSgd, cpu::TrainSgdOnGraph) ---------------------------------------
//
// Napkin math for one (centre, context) pair at dim 128 with 5 negatives: six 512-byte output rows
// read for the dot products and read + written for the updates, the centre's row read and
// written once: ~7 KB of L1 traffic and ~150 AVX-512 FMAs (~75 cycles at two FMA ports), plus
// six libm expf for the coefficients and three Philox blocks for the negatives. Window 10 makes
// ~11 pairs per word. Small vocabularies (1405 rows: both tables 1.4 MB, L2/L3) are compute
// bound; large ones (100k rows: 100 MB of tables) wait on DRAM for most rows, which the kernel
// prefetches a pair ahead.
//
// DRAM bytes per pair at 100k rows (uniform walks, so nearly every row misses the caches): six
// 512-byte output rows read and written back (6 × 1 KB) plus the input row's read and write-back
// (1 KB), ~7 KB. walk_bench's BM_StreamCopy measured 9.5 GB/s per CPU-second on one thread and
// 8.7 on two, which allows ~1.36M pairs/s on one core and ~2.5M on two. Measured here
// (2026-11-28, idle 2-core Xeon @ 2.5 GHz, median of 3): 1.16M pairs/s on one thread (85% of the
// bound) and 2.05M on two (82%); at 1405 rows, 3.02M pairs/s on two (compute bound, above).

/// `num_walks` walks of 80 uniform nodes out of `nodes` (a stand-in for real walks: no locality,
/// the worst case for the caches).
std::vector<int32_t> UniformWalks(int32_t nodes, int64_t num_walks) {
  const core::PhiloxKey key = core::StreamKey(3, core::Stream::kEval);
  std::vector<int32_t> w(static_cast<size_t>(num_walks) * 80);
  for (size_t i = 0; i < w.size(); ++i) {
    w[i] = static_cast<int32_t>(core::UniformBelow(core::Random4(key, 0, 0, i).x, nodes));
  }
  return w;
}

// Args: nodes, threads. One epoch over 2000 walks of 80 (160k words), table set-up included.
void BM_TrainSgd(benchmark::State& state) {
  const int32_t nodes = static_cast<int32_t>(state.range(0));
  const int threads = static_cast<int>(state.range(1));
  const std::vector<int32_t> walks = UniformWalks(nodes, 2000);
  SgdTrainOptions o;  // dim 128, window 10, 5 negatives, 1 epoch
  int64_t pairs = 0;
  for (auto _ : state) {
    Embeddings in;
    auto stats = cpu::TrainSgd(walks.data(), 2000, 80, nodes, o, threads, &in);
    if (!stats.ok()) state.SkipWithError(std::string(stats.status().message()).c_str());
    pairs = stats.ok() ? stats->pairs : 0;
    benchmark::DoNotOptimize(in.data.data());
  }
  state.counters["words/s"] = benchmark::Counter(static_cast<double>(walks.size()) * state.iterations(),
                                                 benchmark::Counter::kIsRate);
  state.counters["pairs/s"] =
      benchmark::Counter(static_cast<double>(pairs) * state.iterations(), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_TrainSgd)
    ->Args({1405, 1})
    ->Args({1405, 2})
    ->Args({100000, 1})
    ->Args({100000, 2})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// A ring of `n` nodes, each also joined to the nodes 2..4 steps ahead (degree 8, weight 1).
Graph RingGraph(int32_t n) {
  Graph g;
  for (int32_t v = 0; v < n; ++v) {
    std::vector<int32_t> row;
    for (int32_t d = 1; d <= 4; ++d) row.push_back((v + d) % n), row.push_back((v - d + n) % n);
    std::sort(row.begin(), row.end());
    for (int32_t u : row) g.neighbors.push_back(u), g.weights.push_back(1.0f);
    g.offsets.push_back(static_cast<int64_t>(g.neighbors.size()));
  }
  return g;
}

// Args: threads. The streamed form on a 20k-node ring graph, one walk per node of 40 (800k words
// per epoch): the counting pass and every epoch's walk sampling included.
void BM_TrainSgdOnGraph(benchmark::State& state) {
  const int threads = static_cast<int>(state.range(0));
  static const Graph g = RingGraph(20000);
  static const AliasTables alias = BuildAliasTables(g.view(), 2);
  WalkOptions wo;
  wo.length = 40;
  const core::WalkParams wp = MakeWalkParams(wo);
  const uint64_t num_walks = 20000;
  SgdTrainOptions o;
  for (auto _ : state) {
    SgdState s;
    auto stats = cpu::TrainSgdOnGraph(g.view(), alias.view(), wp, num_walks, o, threads, &s);
    if (!stats.ok()) state.SkipWithError(std::string(stats.status().message()).c_str());
    benchmark::DoNotOptimize(s.input.data.data());
  }
  state.counters["words/s"] = benchmark::Counter(
      static_cast<double>(num_walks) * wo.length * state.iterations(), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_TrainSgdOnGraph)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace n2v

BENCHMARK_MAIN();
