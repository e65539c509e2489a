// The seed's job end to end on the GPU (RunSeedModelOnCuda) against the CPU path every front door
// runs (n2v::TrainSeedModel):
// identical example counts, losses within 1% after 10 epochs (the stages before training are
// exact, training differs by float round-off only, so 1% is a generous bound that still catches
// a wrong batch, order or optimizer step), and the up-front memory check.
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "cuda_test_util.hpp"
#include "gtest/gtest.h"
#include "n2v/cuda_api.hpp"
#include "n2v/n2v.hpp"
#include "n2v/movielens.hpp"
#include "n2v/train.hpp"
#include "n2v/walk.hpp"

namespace n2v {
namespace {

using testing::CudaTest;

// The CPU path every front door runs (n2v::TrainSeedModel on the CPU): the pipeline is written
// once, in engine/seed_model.cpp.
SeedModelResult RunOnCpu(const Graph& g, const AliasTables& alias, const WalkOptions& wo,
                         const ExampleOptions& eo, const AdamTrainOptions& ao) {
  auto r = TrainSeedModel(g, alias, wo, eo, ao, DeviceUsed{false, 0, "cpu"}, 2);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *std::move(r) : SeedModelResult{};
}

void ExpectSameRun(const Graph& g, const WalkOptions& wo, const ExampleOptions& eo,
                   const AdamTrainOptions& ao, double loss_rtol, const std::string& what) {
  const AliasTables alias = BuildAliasTables(g.view(), 2);
  const SeedModelResult cpu = RunOnCpu(g, alias, wo, eo, ao);
  auto gpu = RunSeedModelOnCuda(g, alias, wo, eo, ao, 0);
  ASSERT_TRUE(gpu.ok()) << gpu.status();
  EXPECT_EQ(gpu->num_examples, cpu.examples) << what;
  EXPECT_EQ(gpu->raw_pairs, cpu.couples) << what;
  ASSERT_EQ(gpu->losses.size(), cpu.losses.size()) << what;
  for (size_t e = 0; e < cpu.losses.size(); ++e) {
    EXPECT_TRUE(testing::Close(gpu->losses[e], cpu.losses[e], 0.0, loss_rtol))
        << what << " epoch " << e << ": gpu " << gpu->losses[e] << " cpu " << cpu.losses[e];
  }
  EXPECT_EQ(gpu->embeddings.rows, g.num_nodes());
  EXPECT_EQ(gpu->embeddings.dim, ao.dim);
  EXPECT_GT(gpu->device_bytes, 0u);
  EXPECT_FALSE(gpu->device_name.empty());
  EXPECT_GE(gpu->walks_ms, 0.0);
  EXPECT_GT(gpu->training_ms, 0.0);
  std::printf("[ %s ] GPU stages: walks %.2f ms, examples %.2f ms, training %.2f ms on %s\n",
              what.c_str(), gpu->walks_ms, gpu->examples_ms, gpu->training_ms,
              gpu->device_name.c_str());
}

TEST_F(CudaTest, SyntheticTenEpochsWithinOnePercent) {
  const Graph g = testing::CommunityGraph(10, 60, 23);
  WalkOptions wo;
  wo.length = 10;
  wo.num_walks = 5;
  AdamTrainOptions ao;  // the seed's: dim 50, batch 1024, Adam 1e-3, L2 1e-6, 10 epochs
  ExpectSameRun(g, wo, ExampleOptions{10, 4, 42}, ao, 0.01, "synthetic");
}

TEST_F(CudaTest, MovieLensSeedJobMatchesCpu) {
  auto ratings = ReadRatings(testing::DataPath("ml-latest-small/ratings.csv"));
  if (!ratings.ok()) GTEST_SKIP() << "no ml-latest-small: " << ratings.status();
  auto g = BuildPmiGraph(*ratings, PmiOptions{}, nullptr, 2);
  ASSERT_TRUE(g.ok()) << g.status();
  WalkOptions wo;
  wo.length = 10;
  wo.num_walks = 5;
  AdamTrainOptions ao;
  ao.epochs = 2;  // 1720 steps: enough to compare, cheap on the CPU side
  ExpectSameRun(*g, wo, ExampleOptions{10, 4, 42}, ao, 0.01, "movielens");
}

TEST_F(CudaTest, TooBigAJobFailsBeforeAllocating) {
  const Graph g = testing::RandomGraph(1000, 5000, 3);
  const AliasTables alias = BuildAliasTables(g.view(), 2);
  WalkOptions wo;
  wo.length = 80;
  wo.num_walks = 4000000;  // 4e9 walks of 80: ~1.3 TB of walks alone
  AdamTrainOptions ao;
  auto gpu = RunSeedModelOnCuda(g, alias, wo, ExampleOptions{}, ao, 0);
  ASSERT_FALSE(gpu.ok());
  EXPECT_EQ(gpu.status().code(), absl::StatusCode::kResourceExhausted) << gpu.status();
  EXPECT_NE(std::string(gpu.status().message()).find("MiB"), std::string::npos) << gpu.status();
}

TEST_F(CudaTest, FewerExamplesThanABatchIsAnError) {
  const Graph g = testing::RandomGraph(5, 4, 3);
  const AliasTables alias = BuildAliasTables(g.view(), 2);
  WalkOptions wo;
  wo.length = 3;
  wo.num_walks = 1;
  AdamTrainOptions ao;
  ao.batch = 100000;
  auto gpu = RunSeedModelOnCuda(g, alias, wo, ExampleOptions{}, ao, 0);
  ASSERT_FALSE(gpu.ok());
  EXPECT_EQ(gpu.status().code(), absl::StatusCode::kInvalidArgument) << gpu.status();
}

}  // namespace
}  // namespace n2v
