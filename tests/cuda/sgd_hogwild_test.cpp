// The GPU's SGD on its full launch (Hogwild across thousands of warps, atomic updates) against
// the multi-threaded CPU (Hogwild across threads, plain stores): the same streamed run
// (cuda::TrainSgdOnGraph vs cpu::TrainSgdOnGraph) on a graph with hubs (R-MAT) and on one with
// planted communities. The draws are the same on both sides, so node counts and pair counts are
// equal exactly; the tables are not (races differ run to run on either side), so what is compared
// is what a user sees:
//  - the mean pair loss of every epoch within kLossRtol = 2 % (epoch means over millions of
//    pairs; the two Hogwild schedules differ from each other by a fraction of a percent);
//  - link-prediction ROC-AUC (SplitEdgesForLinkPrediction / EvaluateLinkPrediction, one split for
//    both, input tables) within kAucTol = 0.01, by cosine and by Hadamard logistic regression.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "cuda_test_util.hpp"
#include "gtest/gtest.h"
#include "n2v/cuda_api.hpp"
#include "n2v/edgelist.hpp"
#include "n2v/eval.hpp"
#include "n2v/synth.hpp"
#include "n2v/walk.hpp"
#include "n2v/word2vec.hpp"

namespace n2v {
namespace {

using testing::CudaTest;

constexpr double kLossRtol = 0.02;
constexpr double kAucTol = 0.01;

/// A planted partition: `communities` groups of `size` nodes; each node draws `intra` partners in
/// its own group and `inter` anywhere, weights uniform in [0.5, 2).
Graph PlantedPartition(int32_t communities, int32_t size, int intra, int inter, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int32_t> member(0, size - 1);
  std::uniform_int_distribution<int32_t> any(0, communities * size - 1);
  std::uniform_real_distribution<float> weight(0.5f, 2.0f);
  const int32_t n = communities * size;
  std::vector<int32_t> src, dst;
  std::vector<float> w;
  for (int32_t v = 0; v < n; ++v) {
    for (int k = 0; k < intra + inter; ++k) {
      const int32_t u = k < intra ? (v / size) * size + member(rng) : any(rng);
      if (u == v) continue;
      src.push_back(v);
      dst.push_back(u);
      w.push_back(weight(rng));
    }
  }
  auto g = GraphFromEdges(n, std::move(src), std::move(dst), std::move(w), false, {});
  EXPECT_TRUE(g.ok()) << g.status();
  return g.ok() ? *std::move(g) : Graph{};
}

Graph Rmat(uint64_t seed) {
  SynthGraphOptions so;
  so.model = SynthModel::kRmat;
  so.nodes = 20000;
  so.edges = 150000;
  so.weighted = true;
  so.seed = seed;
  auto g = SynthGraph(so);
  EXPECT_TRUE(g.ok()) << g.status();
  return g.ok() ? *std::move(g) : Graph{};
}

int CpuThreads() { return static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 2u, 16u)); }

void CompareHogwild(const Graph& g, uint64_t seed, const std::string& what) {
  ASSERT_GT(g.num_nodes(), 0);
  auto split = SplitEdgesForLinkPrediction(g, 0.1, seed);
  ASSERT_TRUE(split.ok()) << split.status();
  const Graph& train = split->residual;
  const int threads = CpuThreads();
  const AliasTables alias = BuildAliasTables(train.view(), threads);
  WalkOptions wo;
  wo.length = 40;
  wo.p = 1.0;
  wo.q = 1.0;
  wo.seed = seed;
  const core::WalkParams wp = MakeWalkParams(wo);
  const uint64_t num_walks = 4 * static_cast<uint64_t>(train.num_nodes());
  SgdTrainOptions o;
  o.dim = 64;
  o.epochs = 2;
  o.window = 5;
  o.negatives = 5;
  o.seed = seed;

  SgdState cpu_state, gpu_state;
  auto cpu = cpu::TrainSgdOnGraph(train.view(), alias.view(), wp, num_walks, o, threads,
                                  &cpu_state);
  ASSERT_TRUE(cpu.ok()) << cpu.status();
  auto gpu = cuda::TrainSgdOnGraph(train.view(), alias.view(), wp, num_walks, o, 0, &gpu_state);
  ASSERT_TRUE(gpu.ok()) << gpu.status();

  EXPECT_EQ(gpu_state.counts, cpu_state.counts) << what;
  EXPECT_EQ(gpu->pairs, cpu->pairs) << what;
  ASSERT_EQ(gpu->losses.size(), cpu->losses.size()) << what;
  for (size_t e = 0; e < cpu->losses.size(); ++e) {
    std::printf("%s epoch %zu: loss gpu %.5f cpu %.5f (%d threads, seed %llu)\n", what.c_str(), e,
                gpu->losses[e], cpu->losses[e], threads, static_cast<unsigned long long>(seed));
    EXPECT_TRUE(testing::Close(gpu->losses[e], cpu->losses[e], 0.0, kLossRtol))
        << what << " epoch " << e << ": gpu " << gpu->losses[e] << " cpu " << cpu->losses[e]
        << " (seed " << seed << ")";
  }

  auto cpu_eval = EvaluateLinkPrediction(cpu_state.input, *split, {}, threads);
  ASSERT_TRUE(cpu_eval.ok()) << cpu_eval.status();
  auto gpu_eval = EvaluateLinkPrediction(gpu_state.input, *split, {}, threads);
  ASSERT_TRUE(gpu_eval.ok()) << gpu_eval.status();
  const double cpu_h = cpu_eval->auc(EdgeOperator::kHadamard);
  const double gpu_h = gpu_eval->auc(EdgeOperator::kHadamard);
  std::printf("%s: AUC cosine gpu %.4f cpu %.4f, hadamard gpu %.4f cpu %.4f\n", what.c_str(),
              gpu_eval->cosine_auc, cpu_eval->cosine_auc, gpu_h, cpu_h);
  EXPECT_NEAR(gpu_eval->cosine_auc, cpu_eval->cosine_auc, kAucTol) << what << " (seed " << seed
                                                                   << ")";
  EXPECT_NEAR(gpu_h, cpu_h, kAucTol) << what << " (seed " << seed << ")";
  // Both learnt something: far better than chance.
  EXPECT_GT(gpu_h, 0.6) << what;
}

// R-MAT (Graph500's quadrants): hubs of degree in the thousands, whose rows many warps update
// at once, and isolated nodes (walks of one node, padded).
TEST_F(CudaTest, SgdHogwildMatchesCpuOnRmat) { CompareHogwild(Rmat(17), 17, "rmat"); }

// 40 communities of 250: 12 partners inside, 1 outside per node.
TEST_F(CudaTest, SgdHogwildMatchesCpuOnCommunities) {
  CompareHogwild(PlantedPartition(40, 250, 12, 1, 23), 23, "communities");
}

}  // namespace
}  // namespace n2v
