// GPU walks equal the CPU's exactly (ASSERT_EQ per element): the same core::WalkAttempt over the
// same host-built alias tables (packed on the device), keyed on (walk id, step, attempt), whatever
// order the lanes take their attempts in. Cases cover p, q < 1 and > 1, weighted and unweighted,
// undirected (searched from the shorter row, and from x's) and directed, R-MAT hubs, dead ends
// (-1 padding), an offset first walk, ml-latest-small's size and the real MovieLens graph;
// cuda::StreamWalks (the same walks handed out chunk by chunk, in order) with chunk sizes that do
// not divide the count, its sink errors and its cancellation.
#include <algorithm>
#include <cstdint>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cuda_test_util.hpp"
#include "gtest/gtest.h"
#include "n2v/cuda_api.hpp"
#include "n2v/movielens.hpp"
#include "n2v/synth.hpp"
#include "n2v/walk.hpp"

namespace n2v {
namespace {

using testing::CudaTest;

struct WalkCase {
  std::string name;
  int32_t nodes;
  int64_t edges;
  int32_t sinks;  // > 0: directed with dead ends
  double p, q;
  uint32_t length, num_walks;
  uint64_t seed;
  uint64_t first_walk;
  bool unweighted = false;  // every weight 1
};
// ctest shows the case name, not the struct bytes.
void PrintTo(const WalkCase& c, std::ostream* os) { *os << c.name; }


void ExpectSameWalks(const Graph& g, const WalkOptions& wo, uint64_t first_walk, uint64_t count,
                     const std::string& what) {
  const AliasTables alias = BuildAliasTables(g.view(), 2);
  core::WalkParams params = MakeWalkParams(wo, g, 2);
  // A symmetric graph is walked both ways: t's row searched when shorter, and x's always.
  for (int pass = 0; pass < (params.symmetric ? 2 : 1); ++pass) {
    if (pass == 1) params.symmetric = false;
    std::vector<int32_t> cpu(count * wo.length), gpu(count * wo.length, -7);
    cpu::SampleWalks(g.view(), alias.view(), params, first_walk, count, cpu.data(), 2);
    const absl::Status st =
        cuda::SampleWalks(g.view(), alias.view(), params, first_walk, count, gpu.data());
    ASSERT_TRUE(st.ok()) << st;
    for (size_t i = 0; i < cpu.size(); ++i) {
      ASSERT_EQ(gpu[i], cpu[i]) << what << ": walk " << first_walk + i / wo.length
                                << " position " << i % wo.length << " (seed " << wo.seed
                                << ", symmetric " << params.symmetric << ")";
    }
  }
}

class WalkParity : public CudaTest, public ::testing::WithParamInterface<WalkCase> {};

TEST_P(WalkParity, ExactlyEqualsCpu) {
  const WalkCase& c = GetParam();
  Graph g = testing::RandomGraph(c.nodes, c.edges, c.seed, c.sinks);
  if (c.unweighted) std::fill(g.weights.begin(), g.weights.end(), 1.0f);
  WalkOptions wo;
  wo.p = c.p;
  wo.q = c.q;
  wo.length = c.length;
  wo.num_walks = c.num_walks;
  wo.seed = c.seed;
  ExpectSameWalks(g, wo, c.first_walk, uint64_t{c.num_walks} * c.nodes, c.name);
}

INSTANTIATE_TEST_SUITE_P(
    Graphs, WalkParity,
    ::testing::Values(
        WalkCase{"unbiased", 500, 5000, 0, 1.0, 1.0, 40, 4, 11, 0},
        WalkCase{"return_heavy", 500, 5000, 0, 0.25, 4.0, 40, 4, 12, 0},
        WalkCase{"outward_heavy", 500, 5000, 0, 4.0, 0.25, 40, 4, 13, 0},
        WalkCase{"bench_pq", 800, 12000, 0, 0.5, 2.0, 80, 2, 14, 0},
        WalkCase{"dead_ends", 300, 1200, 40, 0.5, 2.0, 30, 3, 15, 0},
        WalkCase{"offset_first_walk", 400, 3000, 0, 2.0, 0.5, 25, 2, 16, 123457},
        WalkCase{"unweighted_pq", 600, 6000, 0, 0.5, 2.0, 40, 3, 17, 0, true},
        WalkCase{"unweighted_return_heavy", 600, 6000, 0, 0.25, 4.0, 40, 3, 18, 0, true},
        WalkCase{"unweighted_outward_heavy", 600, 6000, 0, 4.0, 0.25, 40, 3, 19, 0, true},
        WalkCase{"unweighted_dead_ends", 300, 1200, 40, 0.25, 4.0, 30, 3, 20, 0, true},
        WalkCase{"movielens_size", 1405, 40043, 0, 1.0, 1.0, 10, 5, 42, 0}),
    [](const ::testing::TestParamInfo<WalkCase>& info) { return info.param.name; });

// R-MAT's hubs (rows of hundreds beside rows of one): where searching the shorter row differs
// most from searching x's. Undirected and directed, weighted and unweighted, four (p, q).
TEST_F(CudaTest, WalksOnRmatHubsEqualCpu) {
  for (const bool directed : {false, true}) {
    for (const bool weighted : {true, false}) {
      SynthGraphOptions so;
      so.nodes = 4096;
      so.edges = 40000;
      so.directed = directed;
      so.weighted = weighted;
      so.seed = 21;
      so.threads = 2;
      auto g = SynthGraph(so);
      ASSERT_TRUE(g.ok()) << g.status();
      for (const auto& [p, q] : {std::pair{1.0, 1.0}, std::pair{0.25, 4.0}, std::pair{4.0, 0.25},
                                 std::pair{0.5, 2.0}}) {
        WalkOptions wo;
        wo.p = p;
        wo.q = q;
        wo.length = 40;
        wo.num_walks = 2;
        wo.seed = 22;
        ExpectSameWalks(*g, wo, 0, uint64_t{2} * g->num_nodes(),
                        absl::StrCat("rmat directed=", directed, " weighted=", weighted, " p=", p,
                                     " q=", q));
      }
    }
  }
}

// The real job: PMI graph of ml-latest-small (skipped if the data are not in the tree).
TEST_F(CudaTest, WalksOnMovieLensEqualCpu) {
  auto ratings = ReadRatings(testing::DataPath("ml-latest-small/ratings.csv"));
  if (!ratings.ok()) GTEST_SKIP() << "no ml-latest-small: " << ratings.status();
  auto g = BuildPmiGraph(*ratings, PmiOptions{}, nullptr, 2);
  ASSERT_TRUE(g.ok()) << g.status();
  WalkOptions wo;  // the seed's: p = q = 1, 5 walks of 10
  wo.length = 10;
  wo.num_walks = 5;
  ExpectSameWalks(*g, wo, 0, uint64_t{5} * g->num_nodes(), "movielens p=q=1");
  wo.p = 0.5;
  wo.q = 2.0;
  wo.length = 80;
  ExpectSameWalks(*g, wo, 0, uint64_t{5} * g->num_nodes(), "movielens p=0.5 q=2");
}

// --- cuda::StreamWalks: the same walks, chunk by chunk, in order ---------------------------------

struct StreamCase {
  std::string name;
  double p, q;
  uint32_t length;
  uint64_t first_walk, count, chunk;  // chunk 0: automatic
  uint64_t seed;
};
void PrintTo(const StreamCase& c, std::ostream* os) { *os << c.name; }

class StreamWalksParity : public CudaTest, public ::testing::WithParamInterface<StreamCase> {};

TEST_P(StreamWalksParity, ExactlyEqualsCpu) {
  const StreamCase& c = GetParam();
  const Graph g = testing::RandomGraph(400, 3000, c.seed, /*sinks=*/25);
  WalkOptions wo;
  wo.p = c.p;
  wo.q = c.q;
  wo.length = c.length;
  wo.seed = c.seed;
  const AliasTables alias = BuildAliasTables(g.view(), 2);
  const core::WalkParams params = MakeWalkParams(wo, g, 2);
  std::vector<int32_t> cpu(c.count * c.length);
  cpu::SampleWalks(g.view(), alias.view(), params, c.first_walk, c.count, cpu.data(), 2);
  std::vector<int32_t> gpu(c.count * c.length, -7);
  uint64_t next = c.first_walk, calls = 0;
  const absl::Status st = cuda::StreamWalks(
      g.view(), alias.view(), params, c.first_walk, c.count, c.chunk, 0,
      [&](uint64_t first, uint64_t n, const int32_t* walks) {
        EXPECT_EQ(first, next) << c.name << ": chunks out of order";
        if (c.chunk > 0) {
          EXPECT_EQ(n, std::min(c.chunk, c.first_walk + c.count - first)) << c.name;
        }
        EXPECT_LE(first + n, c.first_walk + c.count) << c.name;
        std::copy(walks, walks + n * c.length, gpu.begin() + (first - c.first_walk) * c.length);
        next = first + n;
        ++calls;
        return absl::OkStatus();
      });
  ASSERT_TRUE(st.ok()) << st;
  EXPECT_EQ(next, c.first_walk + c.count) << c.name;
  if (c.chunk > 0) EXPECT_EQ(calls, (c.count + c.chunk - 1) / c.chunk) << c.name;
  for (size_t i = 0; i < cpu.size(); ++i) {
    ASSERT_EQ(gpu[i], cpu[i]) << c.name << ": walk " << c.first_walk + i / c.length
                              << " position " << i % c.length << " (seed " << c.seed << ")";
  }
}

INSTANTIATE_TEST_SUITE_P(
    Chunks, StreamWalksParity,
    ::testing::Values(StreamCase{"unbiased_chunk7", 1.0, 1.0, 30, 0, 1000, 7, 31},
                      StreamCase{"return_heavy_chunk333", 0.25, 4.0, 40, 0, 2000, 333, 32},
                      StreamCase{"outward_heavy_chunk1", 4.0, 0.25, 12, 0, 50, 1, 33},
                      StreamCase{"offset_chunk999", 0.5, 2.0, 25, 98765, 3001, 999, 34},
                      StreamCase{"one_chunk", 2.0, 0.5, 20, 5, 777, 100000, 35},
                      StreamCase{"automatic", 0.5, 2.0, 80, 3, 4321, 0, 36}),
    [](const ::testing::TestParamInfo<StreamCase>& info) { return info.param.name; });

TEST_F(CudaTest, StreamWalksStopsOnSinkErrorAndCancel) {
  const Graph g = testing::RandomGraph(300, 2000, 41);
  const AliasTables alias = BuildAliasTables(g.view(), 2);
  WalkOptions wo;
  wo.length = 20;
  const core::WalkParams params = MakeWalkParams(wo);
  int calls = 0;
  absl::Status st = cuda::StreamWalks(g.view(), alias.view(), params, 0, 1000, 100, 0,
                                      [&](uint64_t, uint64_t, const int32_t*) {
                                        return ++calls == 3 ? absl::DataLossError("disk full")
                                                            : absl::OkStatus();
                                      });
  EXPECT_EQ(st.code(), absl::StatusCode::kDataLoss) << st;
  EXPECT_EQ(calls, 3);
  calls = 0;
  st = cuda::StreamWalks(
      g.view(), alias.view(), params, 0, 1000, 100, 0,
      [&](uint64_t, uint64_t, const int32_t*) {
        ++calls;
        return absl::OkStatus();
      },
      [&] { return calls >= 2; });
  EXPECT_EQ(st.code(), absl::StatusCode::kCancelled) << st;
  EXPECT_EQ(calls, 2);
  // Nothing to do; and a device that does not exist.
  EXPECT_TRUE(cuda::StreamWalks(g.view(), alias.view(), params, 0, 0, 0, 0, nullptr).ok());
  EXPECT_EQ(cuda::StreamWalks(g.view(), alias.view(), params, 0, 10, 0, 1 << 20,
                              [](uint64_t, uint64_t, const int32_t*) { return absl::OkStatus(); })
                .code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace n2v
