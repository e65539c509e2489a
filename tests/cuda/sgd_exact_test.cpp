// The GPU's SGD in its exact launch (SgdLaunch{1}: one warp, every centre in order, the CPU's
// arithmetic operation for operation) against the CPU's one-thread result: cuda::TrainSgd vs
// cpu::TrainSgd on the same walks at dims 16, 128, 200 and 1024; cuda::TrainSgdOnGraph vs
// cpu::TrainSgdOnGraph (counts, tables, losses, pairs, progress); checkpoints moving between the
// backends; cancellation; the up-front memory check.
//
// Tolerance, per weight: none — bit-equal — where the host's libm is glibc ≥ 2.28 (runtime
// gnu_get_libc_version); |gpu − cpu| ≤ kAtol + kRtol·|cpu| with any other libm.
// Why bit-equal: every float operation of the exact path is the CPU's: the same fused
// multiply-adds in the same order (lane l's chain over dims l, l + 32, … and the 32-way halving
// tree, e1 and out updated by fma, the input row by one add), the same draws and learning rate,
// and σ's exp computed by glibc's own expf algorithm in double, which equals glibc's expf on all
// 2.17e9 floats in [−6, 6] (checked exhaustively against glibc 2.36, with and without FMA); a
// host emulation of the kernel's arithmetic matched cpu::TrainSgd bit for bit at dims 16, 48,
// 128, 200 and 1024. The fallback bound is what another libm would leave: an expf rounded
// differently now and then makes σ differ by one ulp (~6e-8 relative) in a few pairs, and the
// difference spreads through the later pairs touching those rows (~1e-7..1e-6 after a few
// epochs), while a wrong draw, order, learning rate or missing update moves a weight by about
// lr·g·h (≥ 1e-4 once trained) at once and grows from there. Each table's count of bit-equal
// weights and its largest difference are printed and recorded (RecordProperty) either way.
// Losses: relative kLossRtol per epoch. The GPU sums device BceWithLogits (log1pf/expf within
// ~2 ulp), the CPU a vectorised softplus (within 3e-7 relative per term of libm's): every term
// is positive, so the sums differ by at most ~5e-7 relative.
#include <algorithm>
#include <atomic>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>
#include "../libm_expf.hpp"
#include "cuda_test_util.hpp"
#include "gtest/gtest.h"
#include "n2v/cuda_api.hpp"
#include "n2v/walk.hpp"
#include "n2v/word2vec.hpp"

namespace n2v {
namespace {

using testing::CudaTest;

constexpr double kAtol = 1e-5;
constexpr double kRtol = 1e-4;
constexpr double kLossRtol = 1e-5;

const cuda::SgdLaunch kExact{1};

using testing::HostExpfIsGlibcs;
using testing::LibcVersion;

core::WalkParams Params(uint32_t length, double p, double q, uint64_t seed) {
  WalkOptions wo;
  wo.length = length;
  wo.p = p;
  wo.q = q;
  wo.seed = seed;
  return MakeWalkParams(wo);
}

/// Checks every weight; prints how many are bit-equal. `seed` goes into every message.
void ExpectTablesClose(const Embeddings& gpu, const Embeddings& cpu, const std::string& what,
                       uint64_t seed) {
  ASSERT_EQ(gpu.rows, cpu.rows) << what;
  ASSERT_EQ(gpu.dim, cpu.dim) << what;
  ASSERT_EQ(gpu.data.size(), cpu.data.size()) << what;
  size_t bad = 0, same_bits = 0, worst = 0;
  double worst_excess = -std::numeric_limits<double>::infinity(), max_abs = 0;
  for (size_t i = 0; i < cpu.data.size(); ++i) {
    const double c = cpu.data[i], g = gpu.data[i];
    const double diff = std::fabs(g - c);
    const double excess = diff - (kAtol + kRtol * std::fabs(c));
    if (!(excess <= worst_excess)) worst_excess = excess, worst = i;  // NaN counts as worst
    if (!(excess <= 0)) ++bad;
    max_abs = std::max(max_abs, diff);
    same_bits += std::bit_cast<uint32_t>(gpu.data[i]) == std::bit_cast<uint32_t>(cpu.data[i]);
  }
  std::printf("%s: %zu of %zu weights bit-equal, max |gpu - cpu| %.3g (seed %llu)\n",
              what.c_str(), same_bits, cpu.data.size(), max_abs,
              static_cast<unsigned long long>(seed));
  ::testing::Test::RecordProperty(what + " bit-equal", std::to_string(same_bits) + "/" +
                                                           std::to_string(cpu.data.size()));
  const size_t rows = static_cast<size_t>(std::max(cpu.dim, 1));
  if (HostExpfIsGlibcs()) {
    EXPECT_EQ(same_bits, cpu.data.size())
        << what << " (seed " << seed << "): " << cpu.data.size() - same_bits << " of "
        << cpu.data.size() << " weights not bit-equal on a glibc " << LibcVersion() << " host (max |gpu - cpu| " << max_abs << "; " << bad
        << " outside the fallback bound " << kAtol << " + " << kRtol << "·|cpu|; worst at row "
        << worst / rows << " dim " << worst % rows << ": gpu " << gpu.data[worst] << " cpu "
        << cpu.data[worst] << ")";
  } else {
    EXPECT_EQ(bad, 0u) << what << " (seed " << seed << "): " << bad << " of " << cpu.data.size()
                       << " weights out of tolerance; worst at row " << worst / rows << " dim "
                       << worst % rows << ": gpu " << gpu.data[worst] << " cpu "
                       << cpu.data[worst];
  }
}

void ExpectLossesClose(const std::vector<double>& gpu, const std::vector<double>& cpu,
                       const std::string& what, uint64_t seed) {
  ASSERT_EQ(gpu.size(), cpu.size()) << what;
  for (size_t e = 0; e < cpu.size(); ++e) {
    EXPECT_TRUE(testing::Close(gpu[e], cpu[e], 0.0, kLossRtol))
        << what << " epoch " << e << ": gpu " << gpu[e] << " cpu " << cpu[e] << " (seed "
        << seed << ")";
  }
}

// --- cuda::TrainSgd, exact launch, against cpu::TrainSgd on one thread ---------------------------

struct ExactCase {
  int32_t dim;
  uint64_t seed;
  double sample = 0;  // > 0: subsampled walks (the device's SubsampleKernel)
  bool shared = false;  // shared negatives (SgdSharedKernel)
};
std::string CaseName(const ExactCase& c) {
  return "dim" + std::to_string(c.dim) + (c.sample > 0 ? "_subsampled" : "") +
         (c.shared ? "_shared" : "");
}
void PrintTo(const ExactCase& c, std::ostream* os) { *os << CaseName(c); }

class SgdExact : public CudaTest, public ::testing::WithParamInterface<ExactCase> {};

TEST_P(SgdExact, TablesEqualCpuOneThread) {
  const ExactCase& c = GetParam();
  // A weighted random graph with dead ends (directed, 20 sinks): walks carry -1 padding.
  const Graph g = testing::RandomGraph(200, 1200, c.seed, 20);
  const AliasTables alias = BuildAliasTables(g.view(), 2);
  const core::WalkParams wp = Params(20, 0.5, 2.0, c.seed);
  const int64_t num_walks = 2 * int64_t{g.num_nodes()};
  std::vector<int32_t> walks(static_cast<size_t>(num_walks) * wp.length);
  cpu::SampleWalks(g.view(), alias.view(), wp, 0, num_walks, walks.data(), 2);
  SgdTrainOptions o;
  o.dim = c.dim;
  o.epochs = 2;
  o.window = 5;
  o.negatives = 5;
  o.seed = c.seed;
  o.sample = c.sample;
  o.shared_negatives = c.shared;
  Embeddings cpu_in, cpu_out, gpu_in, gpu_out;
  auto cpu = cpu::TrainSgd(walks.data(), num_walks, wp.length, g.num_nodes(), o, 1, &cpu_in,
                           &cpu_out);
  ASSERT_TRUE(cpu.ok()) << cpu.status();
  auto gpu = cuda::TrainSgd(walks.data(), num_walks, wp.length, g.num_nodes(), o, &gpu_in,
                            &gpu_out, kExact);
  ASSERT_TRUE(gpu.ok()) << gpu.status();
  const std::string what = "dim " + std::to_string(c.dim);
  EXPECT_EQ(gpu->pairs, cpu->pairs) << what;
  ASSERT_GT(cpu->pairs, 0);
  ExpectLossesClose(gpu->losses, cpu->losses, what, c.seed);
  ExpectTablesClose(gpu_in, cpu_in, what + " input table", c.seed);
  ExpectTablesClose(gpu_out, cpu_out, what + " output table", c.seed);
}

// 16: half a warp idle; 128: four floats per lane; 200: a ragged last column (lanes 8..31 idle);
// 1024: the largest, 32 floats per lane.
INSTANTIATE_TEST_SUITE_P(Dims, SgdExact,
                         ::testing::Values(ExactCase{16, 101}, ExactCase{128, 102},
                                           ExactCase{200, 103}, ExactCase{1024, 104},
                                           ExactCase{128, 105, 1e-3},
                                           // shared negatives: 40 (ragged), 128, 1024 (the
                                           // largest rows in shared memory), subsampled too
                                           ExactCase{40, 106, 0, true},
                                           ExactCase{128, 107, 0, true},
                                           ExactCase{1024, 108, 0, true},
                                           ExactCase{128, 109, 1e-3, true}),
                         [](const ::testing::TestParamInfo<ExactCase>& info) {
                           return CaseName(info.param);
                         });

// Zero epochs: the tables as initialised, which must be the CPU's InitTables exactly.
TEST_F(CudaTest, SgdInitialisationEqualsCpu) {
  const uint64_t seed = 7;
  const Graph g = testing::RandomGraph(120, 600, seed);
  const AliasTables alias = BuildAliasTables(g.view(), 2);
  const core::WalkParams wp = Params(10, 1.0, 1.0, seed);
  std::vector<int32_t> walks(size_t{120} * wp.length);
  cpu::SampleWalks(g.view(), alias.view(), wp, 0, 120, walks.data(), 2);
  for (const int32_t dim : {1, 33, 128}) {
    SgdTrainOptions o;
    o.dim = dim;
    o.epochs = 0;
    o.seed = seed;
    Embeddings cpu_in, cpu_out, gpu_in, gpu_out;
    ASSERT_TRUE(cpu::TrainSgd(walks.data(), 120, wp.length, 120, o, 1, &cpu_in, &cpu_out).ok());
    auto gpu = cuda::TrainSgd(walks.data(), 120, wp.length, 120, o, &gpu_in, &gpu_out, kExact);
    ASSERT_TRUE(gpu.ok()) << gpu.status();
    ASSERT_EQ(gpu_in.data.size(), cpu_in.data.size());
    for (size_t i = 0; i < cpu_in.data.size(); ++i) {
      ASSERT_EQ(std::bit_cast<uint32_t>(gpu_in.data[i]), std::bit_cast<uint32_t>(cpu_in.data[i]))
          << "dim " << dim << " element " << i << ": gpu " << gpu_in.data[i] << " cpu "
          << cpu_in.data[i] << " (seed " << seed << ")";
    }
    for (float x : gpu_out.data) ASSERT_EQ(x, 0.0f);
  }
}

// --- cuda::TrainSgdOnGraph ---------------------------------------------------------------------

struct GraphRun {
  Graph g;
  AliasTables alias;
  core::WalkParams wp;
  uint64_t num_walks = 0;
  SgdTrainOptions o;
};

GraphRun SmallRun(uint64_t seed) {
  GraphRun r;
  r.g = testing::RandomGraph(150, 700, seed);
  r.alias = BuildAliasTables(r.g.view(), 2);
  r.wp = Params(20, 0.5, 2.0, seed);
  // Exact-mode chunks are 4096 positions (204 walks of 20): 307 walks make a ragged second chunk.
  r.num_walks = 2 * 150 + 7;
  r.o.dim = 48;  // one and a half floats per lane
  r.o.epochs = 3;
  r.o.window = 6;
  r.o.seed = seed;
  return r;
}

TEST_F(CudaTest, SgdOnGraphExactEqualsCpuOneThread) {
  const uint64_t seed = 211;
  const GraphRun r = SmallRun(seed);
  SgdState cpu_state, gpu_state;
  auto cpu = cpu::TrainSgdOnGraph(r.g.view(), r.alias.view(), r.wp, r.num_walks, r.o, 1,
                                  &cpu_state);
  ASSERT_TRUE(cpu.ok()) << cpu.status();
  std::vector<std::pair<uint64_t, uint64_t>> progress;
  std::vector<int32_t> epochs_seen;
  auto gpu = cuda::TrainSgdOnGraph(
      r.g.view(), r.alias.view(), r.wp, r.num_walks, r.o, 0, &gpu_state,
      [&](const SgdState& s) {
        epochs_seen.push_back(s.next_epoch);
        EXPECT_EQ(s.losses.size(), static_cast<size_t>(s.next_epoch));
        EXPECT_EQ(s.input.data.size(), size_t{150} * r.o.dim);
        return true;
      },
      [&](uint64_t done, uint64_t total, int64_t, double) { progress.emplace_back(done, total); }, nullptr,
      kExact);
  ASSERT_TRUE(gpu.ok()) << gpu.status();
  EXPECT_EQ(epochs_seen, (std::vector<int32_t>{1, 2, 3}));

  // The counting pass: exactly the CPU's counts (the same walks).
  EXPECT_EQ(gpu_state.counts, cpu_state.counts);
  // The state's identity, as the CPU fills it.
  EXPECT_EQ(gpu_state.num_nodes, cpu_state.num_nodes);
  EXPECT_EQ(gpu_state.walk_length, cpu_state.walk_length);
  EXPECT_EQ(gpu_state.num_walks, cpu_state.num_walks);
  EXPECT_EQ(gpu_state.source_crc, cpu_state.source_crc);
  EXPECT_EQ(gpu_state.options.seed, r.o.seed);
  EXPECT_EQ(gpu_state.next_epoch, 3);
  EXPECT_EQ(gpu_state.pairs, cpu_state.pairs);
  EXPECT_EQ(gpu->pairs, cpu->pairs);
  ExpectLossesClose(gpu->losses, cpu->losses, "TrainSgdOnGraph", seed);
  EXPECT_EQ(gpu_state.losses, gpu->losses);
  ExpectTablesClose(gpu_state.input, cpu_state.input, "TrainSgdOnGraph input", seed);
  ExpectTablesClose(gpu_state.output, cpu_state.output, "TrainSgdOnGraph output", seed);

  // Progress: increasing, the run's total each time, ending at it.
  const uint64_t total = uint64_t{3} * r.num_walks * r.wp.length;
  ASSERT_FALSE(progress.empty());
  for (size_t i = 0; i < progress.size(); ++i) {
    EXPECT_EQ(progress[i].second, total);
    if (i > 0) EXPECT_GT(progress[i].first, progress[i - 1].first);
  }
  EXPECT_EQ(progress.back().first, total);
  EXPECT_GE(progress.size(), 6u);  // two chunks per epoch at least

  // The same run on the full (Hogwild) launch: the same counts and pairs; trains.
  SgdState hog;
  auto h = cuda::TrainSgdOnGraph(r.g.view(), r.alias.view(), r.wp, r.num_walks, r.o, 0, &hog);
  ASSERT_TRUE(h.ok()) << h.status();
  EXPECT_EQ(hog.counts, cpu_state.counts);
  EXPECT_EQ(h->pairs, cpu->pairs);
  ASSERT_EQ(h->losses.size(), 3u);
  EXPECT_LT(h->losses.back(), h->losses.front());
}

// Subsampling on the streamed path: each chunk compacted on the device (SubsampleKernel) from
// the CPU's thresholds, so the exact launch still trains exactly the CPU's pairs.
TEST_F(CudaTest, SgdOnGraphSubsampledExactEqualsCpuOneThread) {
  const uint64_t seed = 212;
  GraphRun r = SmallRun(seed);
  r.o.sample = 1e-3;
  SgdState cpu_state, gpu_state, plain;
  auto cpu = cpu::TrainSgdOnGraph(r.g.view(), r.alias.view(), r.wp, r.num_walks, r.o, 1,
                                  &cpu_state);
  ASSERT_TRUE(cpu.ok()) << cpu.status();
  auto gpu = cuda::TrainSgdOnGraph(r.g.view(), r.alias.view(), r.wp, r.num_walks, r.o, 0,
                                   &gpu_state, nullptr, nullptr, nullptr, kExact);
  ASSERT_TRUE(gpu.ok()) << gpu.status();
  SgdTrainOptions every = r.o;
  every.sample = 0;
  auto all = cpu::TrainSgdOnGraph(r.g.view(), r.alias.view(), r.wp, r.num_walks, every, 1, &plain);
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_LT(cpu->pairs, all->pairs) << "subsampling dropped nothing";
  EXPECT_EQ(gpu->pairs, cpu->pairs);
  EXPECT_EQ(gpu_state.options.sample, r.o.sample);
  ExpectLossesClose(gpu->losses, cpu->losses, "subsampled TrainSgdOnGraph", seed);
  ExpectTablesClose(gpu_state.input, cpu_state.input, "subsampled input", seed);
  ExpectTablesClose(gpu_state.output, cpu_state.output, "subsampled output", seed);
}

// Shared negatives streamed: the exact launch equals the CPU's one thread, and the Hogwild launch
// trains (its loss falls) with the same pair count.
TEST_F(CudaTest, SgdOnGraphSharedNegativesEqualsCpuOneThread) {
  const uint64_t seed = 213;
  GraphRun r = SmallRun(seed);
  r.o.shared_negatives = true;
  SgdState cpu_state, gpu_state, hog;
  auto cpu = cpu::TrainSgdOnGraph(r.g.view(), r.alias.view(), r.wp, r.num_walks, r.o, 1,
                                  &cpu_state);
  ASSERT_TRUE(cpu.ok()) << cpu.status();
  auto gpu = cuda::TrainSgdOnGraph(r.g.view(), r.alias.view(), r.wp, r.num_walks, r.o, 0,
                                   &gpu_state, nullptr, nullptr, nullptr, kExact);
  ASSERT_TRUE(gpu.ok()) << gpu.status();
  EXPECT_EQ(gpu->pairs, cpu->pairs);
  EXPECT_TRUE(gpu_state.options.shared_negatives);
  ExpectLossesClose(gpu->losses, cpu->losses, "shared-negatives TrainSgdOnGraph", seed);
  ExpectTablesClose(gpu_state.input, cpu_state.input, "shared-negatives input", seed);
  ExpectTablesClose(gpu_state.output, cpu_state.output, "shared-negatives output", seed);
  auto h = cuda::TrainSgdOnGraph(r.g.view(), r.alias.view(), r.wp, r.num_walks, r.o, 0, &hog);
  ASSERT_TRUE(h.ok()) << h.status();
  EXPECT_EQ(h->pairs, cpu->pairs);
  ASSERT_EQ(h->losses.size(), 3u);
  EXPECT_LT(h->losses.back(), h->losses.front());
}

std::string TempPath(const std::string& name) {
  return (std::filesystem::path(::testing::TempDir()) / name).string();
}

TEST_F(CudaTest, SgdCheckpointsMoveBetweenBackends) {
  const uint64_t seed = 307;
  const GraphRun r = SmallRun(seed);
  const auto gpu_run = [&](SgdState* s, const SgdEpochCallback& cb) {
    return cuda::TrainSgdOnGraph(r.g.view(), r.alias.view(), r.wp, r.num_walks, r.o, 0, s, cb,
                                 nullptr, nullptr, kExact);
  };
  const auto cpu_run = [&](SgdState* s, const SgdEpochCallback& cb) {
    return cpu::TrainSgdOnGraph(r.g.view(), r.alias.view(), r.wp, r.num_walks, r.o, 1, s, cb);
  };
  SgdState gpu_whole, cpu_whole;
  auto gw = gpu_run(&gpu_whole, nullptr);
  ASSERT_TRUE(gw.ok()) << gw.status();
  auto cw = cpu_run(&cpu_whole, nullptr);
  ASSERT_TRUE(cw.ok()) << cw.status();

  // GPU: stop after epoch 1 of 3, checkpoint, read back, resume on the GPU.
  const std::string gpu_ckpt = TempPath("gpu_epoch1.ckpt");
  SgdState part;
  auto first = gpu_run(&part, [&](const SgdState& s) {
    EXPECT_TRUE(WriteSgdCheckpoint(gpu_ckpt, s).ok());
    return s.next_epoch < 1;
  });
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_EQ(part.next_epoch, 1);
  ASSERT_EQ(first->losses.size(), 1u);
  auto loaded = ReadSgdCheckpoint(gpu_ckpt);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->counts, part.counts);
  EXPECT_EQ(loaded->input.data, part.input.data);

  SgdState on_gpu = *loaded;
  auto rest = gpu_run(&on_gpu, nullptr);
  ASSERT_TRUE(rest.ok()) << rest.status();
  EXPECT_EQ(on_gpu.next_epoch, 3);
  EXPECT_EQ(rest->pairs, gw->pairs);
  ExpectLossesClose(rest->losses, gw->losses, "GPU resumed on GPU", seed);
  // The exact launch is deterministic on one device: resumed == uninterrupted, bit for bit
  // (checked within the parity tolerance, the bit-equal count printed).
  ExpectTablesClose(on_gpu.input, gpu_whole.input, "GPU resumed on GPU input", seed);
  ExpectTablesClose(on_gpu.output, gpu_whole.output, "GPU resumed on GPU output", seed);
  EXPECT_EQ(on_gpu.input.data, gpu_whole.input.data) << "exact launch not deterministic";

  // The GPU checkpoint resumed on the CPU.
  SgdState on_cpu = *std::move(loaded);
  auto cpu_rest = cpu_run(&on_cpu, nullptr);
  ASSERT_TRUE(cpu_rest.ok()) << cpu_rest.status();
  EXPECT_EQ(on_cpu.next_epoch, 3);
  EXPECT_EQ(cpu_rest->pairs, cw->pairs);
  ExpectLossesClose(cpu_rest->losses, cw->losses, "GPU resumed on CPU", seed);
  ExpectTablesClose(on_cpu.input, cpu_whole.input, "GPU resumed on CPU input", seed);
  ExpectTablesClose(on_cpu.output, cpu_whole.output, "GPU resumed on CPU output", seed);

  // A CPU checkpoint resumed on the GPU.
  const std::string cpu_ckpt = TempPath("cpu_epoch2.ckpt");
  SgdState cpu_part;
  ASSERT_TRUE(cpu_run(&cpu_part, [&](const SgdState& s) {
                EXPECT_TRUE(WriteSgdCheckpoint(cpu_ckpt, s).ok());
                return s.next_epoch < 2;
              }).ok());
  auto cpu_loaded = ReadSgdCheckpoint(cpu_ckpt);
  ASSERT_TRUE(cpu_loaded.ok()) << cpu_loaded.status();
  SgdState from_cpu = *std::move(cpu_loaded);
  auto gpu_rest = gpu_run(&from_cpu, nullptr);
  ASSERT_TRUE(gpu_rest.ok()) << gpu_rest.status();
  EXPECT_EQ(from_cpu.next_epoch, 3);
  ExpectTablesClose(from_cpu.input, cpu_whole.input, "CPU resumed on GPU input", seed);
  ExpectTablesClose(from_cpu.output, cpu_whole.output, "CPU resumed on GPU output", seed);

  // A finished state resumes to itself; a different run is refused, naming what differs.
  auto again = gpu_run(&on_gpu, nullptr);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->losses, rest->losses);
  SgdTrainOptions other = r.o;
  other.window = 3;
  SgdState copy = on_gpu;
  auto refused = cuda::TrainSgdOnGraph(r.g.view(), r.alias.view(), r.wp, r.num_walks, other, 0,
                                       &copy);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition) << refused.status();
  EXPECT_NE(refused.status().message().find("window"), std::string::npos) << refused.status();
  std::remove(gpu_ckpt.c_str());
  std::remove(cpu_ckpt.c_str());
}

// Cancelled mid-epoch: CancelledError soon after, and the state is the last epoch handed to
// on_epoch (or untouched), never a partly trained one.
TEST_F(CudaTest, SgdOnGraphCancels) {
  const uint64_t seed = 401;
  const Graph g = testing::RandomGraph(20000, 150000, seed);
  const AliasTables alias = BuildAliasTables(g.view(), 4);
  const core::WalkParams wp = Params(80, 1.0, 1.0, seed);
  const uint64_t num_walks = 20 * uint64_t{20000};  // 32M positions an epoch: ~8 chunks
  SgdTrainOptions o;
  o.dim = 128;
  o.epochs = 3;
  o.seed = seed;

  // A fresh run cancelled in its first epoch: the state stays untouched.
  {
    std::atomic<bool> stop{false};
    std::chrono::steady_clock::time_point asked;
    SgdState s;
    auto st = cuda::TrainSgdOnGraph(
        g.view(), alias.view(), wp, num_walks, o, 0, &s, nullptr,
        [&](uint64_t, uint64_t, int64_t, double) {
          if (!stop.exchange(true)) asked = std::chrono::steady_clock::now();
        },
        [&] { return stop.load(); });
    const double s_after =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - asked).count();
    EXPECT_EQ(st.status().code(), absl::StatusCode::kCancelled) << st.status();
    EXPECT_LT(s_after, 2.0) << "cancel took " << s_after << " s";
    EXPECT_FALSE(s.started());
    EXPECT_TRUE(s.input.data.empty());
  }
  // Cancelled in epoch 2: the state is epoch 1's, whole.
  {
    SgdState s;
    SgdState epoch1;
    bool in_epoch2 = false;
    auto st = cuda::TrainSgdOnGraph(
        g.view(), alias.view(), wp, num_walks, o, 0, &s,
        [&](const SgdState& st) {
          epoch1 = st;
          in_epoch2 = true;
          return true;
        },
        nullptr, [&] { return in_epoch2; });
    EXPECT_EQ(st.status().code(), absl::StatusCode::kCancelled) << st.status();
    EXPECT_EQ(s.next_epoch, 1);
    EXPECT_EQ(s.losses.size(), 1u);
    EXPECT_EQ(s.input.data, epoch1.input.data);
    EXPECT_EQ(s.output.data, epoch1.output.data);
    EXPECT_TRUE(CheckSgdResumable(s, o, g.num_nodes(), wp.length, num_walks,
                                  SgdSourceCrc(g.view(), wp))
                    .ok());
  }
}

// --- the memory estimate --------------------------------------------------------------------------

// Pure arithmetic: no device needed.
TEST(SgdDeviceBytes, ArithmeticOfTheParts) {
  SgdTrainOptions o;
  o.dim = 128;
  o.epochs = 1;
  const uint64_t base = cuda::TrainSgdOnGraphDeviceBytes(1000, 5000, 80, o);
  // Per edge slot: neighbour, alias keep and alias column (4 bytes each).
  EXPECT_EQ(cuda::TrainSgdOnGraphDeviceBytes(1000, 6000, 80, o) - base, 12000u);
  // Per node: 2 tables x dim floats, a CSR offset, the negatives' keep and alias, a count.
  EXPECT_EQ(cuda::TrainSgdOnGraphDeviceBytes(1001, 5000, 80, o) - base, 2u * 128 * 4 + 8 + 8 + 8);
  SgdTrainOptions wide = o;
  wide.dim = 256;
  EXPECT_EQ(cuda::TrainSgdOnGraphDeviceBytes(1000, 5000, 80, wide) - base, 2u * 1000 * 128 * 4);
  // The two walk chunks: ~2^22 positions each, whatever the length.
  for (const uint32_t length : {1u, 80u, 1000u, 5000000u}) {
    const uint64_t b = cuda::TrainSgdOnGraphDeviceBytes(1, 0, length, o);
    const uint64_t fixed = 2 * 128 * 4 + 16 + 16 + 16 + 4096;  // one node, 1 epoch
    const uint64_t chunks = b - fixed;
    EXPECT_LE(chunks, 2 * ((uint64_t{1} << 22) + length) * 4) << "length " << length;
    EXPECT_GE(chunks, 2 * std::min<uint64_t>(uint64_t{1} << 22, length) * 4 / 2)
        << "length " << length;
  }
  // Subsampling: a threshold per node and one compacted chunk.
  SgdTrainOptions sampled = o;
  sampled.sample = 1e-3;
  EXPECT_EQ(cuda::TrainSgdOnGraphDeviceBytes(1000, 5000, 80, sampled) - base,
            1000u * 4 + std::min<uint64_t>((uint64_t{1} << 22) / 80 * 80, uint64_t{1} << 22) * 4);
  // The largest graph the CSR can index at the largest dim: 17.6 TB of tables, no overflow.
  SgdTrainOptions huge = o;
  huge.dim = 1024;
  EXPECT_GT(cuda::TrainSgdOnGraphDeviceBytes(std::numeric_limits<int32_t>::max(), 0, 80, huge),
            2 * uint64_t{std::numeric_limits<int32_t>::max()} * 1024 * 4);
}

TEST_F(CudaTest, SgdOnGraphRefusesWhatDoesNotFit) {
  // A graph view of 2^31 − 1 nodes whose arrays are never read: the estimate (17.6 TB of tables
  // at dim 1024) is refused before anything is allocated or read.
  const std::vector<int64_t> offsets = {0, 0};
  const CsrView g{offsets.data(), nullptr, nullptr, std::numeric_limits<int32_t>::max(), 0};
  SgdTrainOptions o;
  o.dim = 1024;
  SgdState s;
  auto st = cuda::TrainSgdOnGraph(g, core::AliasView{}, Params(80, 1, 1, 1), 10, o, 0, &s);
  ASSERT_EQ(st.status().code(), absl::StatusCode::kResourceExhausted) << st.status();
  const std::string msg(st.status().message());
  EXPECT_NE(msg.find("GB"), std::string::npos) << msg;
  EXPECT_NE(msg.find("input and output tables"), std::string::npos) << msg;
  EXPECT_NE(msg.find("walk chunks"), std::string::npos) << msg;
  EXPECT_FALSE(s.started());
}

TEST_F(CudaTest, SgdOnGraphRejectsBadInput) {
  const GraphRun r = SmallRun(5);
  SgdState s;
  SgdTrainOptions o = r.o;
  o.dim = 2000;
  EXPECT_EQ(cuda::TrainSgdOnGraph(r.g.view(), r.alias.view(), r.wp, r.num_walks, o, 0, &s)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(cuda::TrainSgdOnGraph(r.g.view(), r.alias.view(), r.wp, r.num_walks, r.o, 0, nullptr)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(cuda::TrainSgdOnGraph(r.g.view(), r.alias.view(), r.wp, r.num_walks, r.o, 0, &s,
                                  nullptr, nullptr, nullptr, cuda::SgdLaunch{-1})
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(cuda::TrainSgdOnGraph(r.g.view(), r.alias.view(), r.wp, r.num_walks, r.o, 1 << 20,
                                  &s)
                .status()
                .code(),
            absl::StatusCode::kFailedPrecondition);  // no such device
  EXPECT_FALSE(s.started());
}

}  // namespace
}  // namespace n2v
