// GPU Adam training against cpu::TrainAdam on the same examples and initial table: one step, one
// epoch, early stopping, and bad input.
//
// Tolerance |gpu − cpu| ≤ 1e-6 + 1e-5·|cpu| per weight, 1e-5 relative per loss. Why not exact:
// the GPU sums each dot product as a warp tree and accumulates row gradients with atomicAdd in
// arrival order, the CPU in SIMD-lane and example order; device expf/log1pf may differ from glibc
// in the last bit or two. Adam's step ≈ lr·m/√v is nearly scale-free, so a relative gradient error
// ε moves a weight by about lr·ε (lr = 1e-3) — far inside the bound. A starting guess until
// confirmed on a GPU (docs/DESIGN.md, "Backends are twins"); the failure message prints the worst element.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "cuda_test_util.hpp"
#include "gtest/gtest.h"
#include "n2v/cuda_api.hpp"
#include "n2v/train.hpp"
#include "n2v/walk.hpp"

namespace n2v {
namespace {

using testing::CudaTest;

constexpr double kAtol = 1e-6;
constexpr double kRtol = 1e-5;
constexpr double kLossRtol = 1e-5;

Examples MakeExamples(uint64_t seed) {
  const Graph g = testing::RandomGraph(300, 2500, seed);
  WalkOptions wo;
  wo.length = 10;
  wo.num_walks = 2;
  wo.seed = seed;
  const AliasTables alias = BuildAliasTables(g.view(), 2);
  const uint64_t count = uint64_t{wo.num_walks} * g.num_nodes();
  std::vector<int32_t> walks(count * wo.length);
  cpu::SampleWalks(g.view(), alias.view(), MakeWalkParams(wo), 0, count, walks.data(), 2);
  return cpu::GenerateExamples(walks.data(), static_cast<int64_t>(count), wo.length,
                               g.num_nodes(), ExampleOptions{10, 4, seed}, 2);
}

void ExpectTablesClose(const Embeddings& gpu, const Embeddings& cpu, const std::string& what,
                       double scale = 1.0) {
  ASSERT_EQ(gpu.data.size(), cpu.data.size());
  size_t worst = 0, bad = 0;
  double worst_excess = -1;
  for (size_t i = 0; i < cpu.data.size(); ++i) {
    const double excess = std::fabs(double(gpu.data[i]) - cpu.data[i]) -
                          scale * (kAtol + kRtol * std::fabs(double(cpu.data[i])));
    if (excess > worst_excess) worst_excess = excess, worst = i;
    if (excess > 0) ++bad;
  }
  EXPECT_EQ(bad, 0u) << what << ": " << bad << " of " << cpu.data.size()
                     << " weights out of tolerance; worst at " << worst << " (row "
                     << worst / cpu.dim << "): gpu " << gpu.data[worst] << " cpu "
                     << cpu.data[worst];
}

void ExpectLossesClose(const std::vector<double>& gpu, const std::vector<double>& cpu,
                       const std::string& what) {
  ASSERT_EQ(gpu.size(), cpu.size()) << what;
  for (size_t e = 0; e < cpu.size(); ++e) {
    EXPECT_TRUE(testing::Close(gpu[e], cpu[e], 0.0, kLossRtol))
        << what << " epoch " << e << ": gpu " << gpu[e] << " cpu " << cpu[e];
  }
}

struct TrainCase {
  std::string name;
  int32_t dim;
  int32_t batch;  // 0: the whole example set in one batch (exactly one Adam step per epoch)
  int32_t epochs;
  uint64_t seed;
  double tol_scale = 1.0;  // > 1 only where thousands of steps compound the round-off
};
// ctest shows the case name, not the struct bytes.
void PrintTo(const TrainCase& c, std::ostream* os) { *os << c.name; }


class AdamParity : public CudaTest, public ::testing::WithParamInterface<TrainCase> {};

TEST_P(AdamParity, MatchesCpuWithinTolerance) {
  const TrainCase& c = GetParam();
  const Examples ex = MakeExamples(c.seed);
  ASSERT_GT(ex.size(), 2048);
  AdamTrainOptions o;
  o.dim = c.dim;
  o.epochs = c.epochs;
  o.batch = c.batch > 0 ? c.batch : static_cast<int32_t>(ex.size());
  o.seed = c.seed;
  if (c.name.rfind("chunked", 0) == 0) ASSERT_GT(ex.size() / o.batch, 2048) << "not chunked";
  const int32_t rows = 300;
  Embeddings cpu_emb = InitHeNormal(rows, c.dim, c.seed, 2);
  Embeddings gpu_emb = cpu_emb;
  const std::vector<double> cpu_loss = cpu::TrainAdam(ex, o, &cpu_emb, 2);
  auto gpu_loss = cuda::TrainAdam(ex, o, &gpu_emb);
  ASSERT_TRUE(gpu_loss.ok()) << gpu_loss.status();
  const std::string what = c.name + " (seed " + std::to_string(c.seed) + ")";
  ExpectLossesClose(*gpu_loss, cpu_loss, what);
  ExpectTablesClose(gpu_emb, cpu_emb, what, c.tol_scale);
}

INSTANTIATE_TEST_SUITE_P(
    Steps, AdamParity,
    ::testing::Values(TrainCase{"one_step_dim50", 50, 0, 1, 1},
                      TrainCase{"one_step_dim7", 7, 0, 1, 2},         // lanes past dim idle
                      TrainCase{"one_step_dim128", 128, 0, 1, 3},
                      TrainCase{"two_single_steps", 50, 0, 2, 4},     // state carried over
                      TrainCase{"one_epoch_batch1024", 50, 1024, 1, 5},
                      TrainCase{"one_epoch_batch333", 33, 333, 1, 6},  // odd step count
                      TrainCase{"three_epochs", 50, 1024, 3, 7},
                      // > 2048 steps an epoch: replayed as a 2048-step graph plus a tail graph.
                      // A wrong step index would be off by whole Adam steps, far beyond 10x.
                      TrainCase{"chunked_graph_batch25", 16, 25, 1, 8, 10.0}),
    [](const ::testing::TestParamInfo<TrainCase>& info) { return info.param.name; });

TEST_F(CudaTest, AdamEarlyStopMatchesCpu) {
  const Examples ex = MakeExamples(21);
  AdamTrainOptions o;
  o.epochs = 5;
  o.batch = 512;
  Embeddings cpu_emb = InitHeNormal(300, o.dim, o.seed, 2);
  Embeddings gpu_emb = cpu_emb;
  auto stop_after_two = [](int32_t epoch, double) { return epoch < 1; };
  const std::vector<double> cpu_loss = cpu::TrainAdam(ex, o, &cpu_emb, 2, stop_after_two);
  std::vector<int32_t> seen;
  auto gpu_loss = cuda::TrainAdam(ex, o, &gpu_emb, [&](int32_t epoch, double loss) {
    seen.push_back(epoch);
    return stop_after_two(epoch, loss);
  });
  ASSERT_TRUE(gpu_loss.ok()) << gpu_loss.status();
  EXPECT_EQ(seen, (std::vector<int32_t>{0, 1}));
  ExpectLossesClose(*gpu_loss, cpu_loss, "early stop");
  ExpectTablesClose(gpu_emb, cpu_emb, "early stop");
}

TEST_F(CudaTest, AdamRejectsBadInput) {
  Examples ex = MakeExamples(31);
  AdamTrainOptions o;
  Embeddings emb = InitHeNormal(300, 16, o.seed, 2);  // dim 16 != o.dim 50
  EXPECT_EQ(cuda::TrainAdam(ex, o, &emb).status().code(), absl::StatusCode::kInvalidArgument);
  emb = InitHeNormal(10, o.dim, o.seed, 2);  // ids up to 299 >= 10 rows
  EXPECT_EQ(cuda::TrainAdam(ex, o, &emb).status().code(), absl::StatusCode::kInvalidArgument);
  emb = InitHeNormal(300, o.dim, o.seed, 2);
  o.batch = static_cast<int32_t>(ex.size()) + 1;  // no full batch: nothing to do, like the CPU
  const Embeddings before = emb;
  auto none = cuda::TrainAdam(ex, o, &emb);
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_TRUE(none->empty());
  EXPECT_EQ(emb.data, before.data);
}

}  // namespace
}  // namespace n2v
