// GPU examples equal cpu::GenerateExamples exactly: same unique (target, context, label) triples in
// the same order, same counts, same raw couple count. Walks come from cpu::SampleWalks, so this
// checks the example stage alone.
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "cuda_test_util.hpp"
#include "gtest/gtest.h"
#include "n2v/cuda_api.hpp"
#include "n2v/movielens.hpp"
#include "n2v/train.hpp"
#include "n2v/walk.hpp"

namespace n2v {
namespace {

using testing::CudaTest;

struct ExampleCase {
  std::string name;
  int32_t nodes;
  int64_t edges;
  int32_t sinks;
  uint32_t length, num_walks, window, negatives;
  uint64_t seed;
};
// ctest shows the case name, not the struct bytes.
void PrintTo(const ExampleCase& c, std::ostream* os) { *os << c.name; }


std::vector<int32_t> CpuWalks(const Graph& g, uint32_t length, uint32_t num_walks, uint64_t seed) {
  WalkOptions wo;
  wo.length = length;
  wo.num_walks = num_walks;
  wo.seed = seed;
  const AliasTables alias = BuildAliasTables(g.view(), 2);
  const uint64_t count = uint64_t{num_walks} * g.num_nodes();
  std::vector<int32_t> walks(count * length);
  cpu::SampleWalks(g.view(), alias.view(), MakeWalkParams(wo), 0, count, walks.data(), 2);
  return walks;
}

void ExpectSameExamples(const std::vector<int32_t>& walks, uint32_t length, int32_t num_nodes,
                        const ExampleOptions& eo, const std::string& what) {
  const int64_t num_walks = static_cast<int64_t>(walks.size() / length);
  const Examples cpu = cpu::GenerateExamples(walks.data(), num_walks, length, num_nodes, eo, 2);
  auto gpu = cuda::GenerateExamples(walks.data(), num_walks, length, num_nodes, eo);
  ASSERT_TRUE(gpu.ok()) << gpu.status();
  ASSERT_EQ(gpu->raw_pairs, cpu.raw_pairs) << what;
  ASSERT_EQ(gpu->size(), cpu.size()) << what;
  for (int64_t i = 0; i < cpu.size(); ++i) {
    ASSERT_EQ(gpu->target[i], cpu.target[i]) << what << " example " << i << " seed " << eo.seed;
    ASSERT_EQ(gpu->context[i], cpu.context[i]) << what << " example " << i;
    ASSERT_EQ(gpu->label[i], cpu.label[i]) << what << " example " << i;
    ASSERT_EQ(gpu->weight[i], cpu.weight[i]) << what << " example " << i;
  }
}

class ExamplesParity : public CudaTest, public ::testing::WithParamInterface<ExampleCase> {};

TEST_P(ExamplesParity, ExactlyEqualsCpu) {
  const ExampleCase& c = GetParam();
  const Graph g = testing::RandomGraph(c.nodes, c.edges, c.seed, c.sinks);
  const std::vector<int32_t> walks = CpuWalks(g, c.length, c.num_walks, c.seed);
  ExpectSameExamples(walks, c.length, g.num_nodes(), ExampleOptions{c.window, c.negatives, c.seed},
                     c.name);
}

INSTANTIATE_TEST_SUITE_P(
    Walks, ExamplesParity,
    ::testing::Values(
        ExampleCase{"seed_shape", 1405, 40043, 0, 10, 5, 10, 4, 42},
        ExampleCase{"short_window", 600, 6000, 0, 20, 3, 3, 4, 7},
        ExampleCase{"five_negatives", 600, 6000, 0, 12, 2, 5, 5, 8},   // 4 + 1: a partial Philox block
        ExampleCase{"no_negatives", 300, 3000, 0, 15, 2, 4, 0, 9},
        ExampleCase{"padding", 300, 1200, 40, 16, 3, 6, 4, 10},        // dead ends: -1 padding
        ExampleCase{"tiny_graph", 3, 3, 0, 8, 4, 2, 4, 11}),           // many self-pairs
    [](const ::testing::TestParamInfo<ExampleCase>& info) { return info.param.name; });

TEST_F(CudaTest, ExamplesOnMovieLensEqualCpu) {
  auto ratings = ReadRatings(testing::DataPath("ml-latest-small/ratings.csv"));
  if (!ratings.ok()) GTEST_SKIP() << "no ml-latest-small: " << ratings.status();
  auto g = BuildPmiGraph(*ratings, PmiOptions{}, nullptr, 2);
  ASSERT_TRUE(g.ok()) << g.status();
  const std::vector<int32_t> walks = CpuWalks(*g, 10, 5, 42);
  ExpectSameExamples(walks, 10, g->num_nodes(), ExampleOptions{10, 4, 42}, "movielens");
}

TEST_F(CudaTest, ExamplesRejectOutOfRangeIds) {
  const std::vector<int32_t> walks = {0, 1, 2, 3, 1, 9};  // 9 >= 4 nodes
  auto gpu = cuda::GenerateExamples(walks.data(), 2, 3, 4, ExampleOptions{2, 4, 1});
  ASSERT_FALSE(gpu.ok());
  EXPECT_EQ(gpu.status().code(), absl::StatusCode::kInvalidArgument) << gpu.status();
}

TEST_F(CudaTest, ExamplesOfNoWalkAreEmpty) {
  auto gpu = cuda::GenerateExamples(nullptr, 0, 10, 5, ExampleOptions{});
  ASSERT_TRUE(gpu.ok()) << gpu.status();
  EXPECT_EQ(gpu->size(), 0);
  EXPECT_EQ(gpu->raw_pairs, 0);
}

}  // namespace
}  // namespace n2v
