// word2vec-style SGD on the device, on its own terms: one centre's updates against a scalar host
// reference built from the same core/word2vec.hpp draws; the exact pair count of an epoch; loss
// falling over epochs; and community structure showing in the trained vectors. Against the CPU
// twin: sgd_exact_test.cpp (exact launch) and sgd_hogwild_test.cpp (full launch).
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "cuda/device_buffer.cuh"
#include "cuda/sgd.cuh"
#include "cuda_test_util.hpp"
#include "gtest/gtest.h"
#include "n2v/core/sgns.hpp"
#include "n2v/core/word2vec.hpp"
#include "n2v/cuda_api.hpp"
#include "n2v/walk.hpp"

namespace n2v {
namespace {

using testing::CudaTest;

std::vector<int32_t> RandomWalks(int64_t num_walks, uint32_t length, int32_t num_nodes,
                                 uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int32_t> node(0, num_nodes - 1);
  std::vector<int32_t> walks(static_cast<size_t>(num_walks) * length);
  for (int32_t& v : walks) v = node(rng);
  return walks;
}

template <typename T>
std::vector<T> ToHost(const cuda::DeviceBuffer<T>& b) {
  std::vector<T> h(b.size());
  EXPECT_TRUE(b.CopyToHost(h.data(), h.size()).ok());
  return h;
}

// One centre's word2vec updates as the kernel makes them (dot products against the current output
// rows, output rows updated by g·h, the input row by Σ g·out once per pair).
// Tolerance 1e-6 + 1e-5·|ref|: only the rounding differs (the kernel's fused multiply-adds and
// warp tree against this unfused sequential loop) — a few ulps of values of order 1e-2.
TEST_F(CudaTest, SgdOneCentreMatchesScalarReference) {
  const int32_t num_nodes = 50;
  const int64_t num_walks = 10;
  const uint32_t length = 6;
  cuda::SgdTrainOptions o;
  o.dim = 40;  // two dims per lane, lanes 8..31 idle in the second
  o.window = 3;
  o.negatives = 5;
  o.epochs = 2;
  o.seed = 77;
  const std::vector<int32_t> walks = RandomWalks(num_walks, length, num_nodes, 5);
  auto stream = cuda::Stream::Create();
  ASSERT_TRUE(stream.ok()) << stream.status();
  auto d_walks = cuda::DeviceBuffer<int32_t>::FromHost(walks.data(), walks.size());
  ASSERT_TRUE(d_walks.ok()) << d_walks.status();
  auto state = cuda::PrepareSgd(d_walks->data(), num_walks, length, num_nodes, o, stream->get());
  ASSERT_TRUE(state.ok()) << state.status();
  std::vector<float> in = ToHost(state->input), out = ToHost(state->output);
  const std::vector<uint32_t> keep = ToHost(state->neg_keep);
  const std::vector<int32_t> alias = ToHost(state->neg_alias);
  for (float x : in) ASSERT_LE(std::fabs(x), 0.5f / o.dim);
  for (float x : out) ASSERT_EQ(x, 0.0f);
  // Start from a trained-looking output table: all zeros would make every dot product 0.
  std::mt19937_64 rng(3);
  std::normal_distribution<float> z(0.0f, 0.3f);
  for (float& x : out) x = z(rng);
  ASSERT_EQ(cudaMemcpy(state->output.data(), out.data(), out.size() * 4, cudaMemcpyHostToDevice),
            cudaSuccess);

  const int32_t epoch = 1;
  const uint64_t centre = 2 * length + 2;  // walk 2, position 2: a window on both sides
  ASSERT_TRUE(cuda::SgdEpochOnDevice(*state, d_walks->data(), num_walks, length, o, epoch, centre,
                                     1, stream->get())
                  .ok());
  ASSERT_TRUE(stream->Sync().ok());
  const std::vector<float> gpu_in = ToHost(state->input), gpu_out = ToHost(state->output);

  // --- the reference ---
  const uint64_t total = static_cast<uint64_t>(num_walks) * length;
  const float lr = core::SgdLearningRate(o.lr, o.min_lr_fraction, epoch * total + centre,
                                         o.epochs * total);
  const uint32_t i = centre % length;
  const int32_t* walk = walks.data() + (centre / length) * length;
  const int32_t wi = walk[i];
  const uint32_t b = core::ShrunkWindow(core::SgdWindowKey(o.seed), epoch, centre, o.window);
  std::vector<float> h(in.begin() + wi * o.dim, in.begin() + (wi + 1) * o.dim);
  int pairs = 0;
  for (uint32_t j = i > b ? i - b : 0; j < std::min<uint32_t>(length, i + b + 1); ++j) {
    if (j == i) continue;
    const int32_t wj = walk[j];
    const uint64_t pair = core::SgdPairId(centre, i, j, o.window);
    std::vector<float> e1(o.dim, 0.0f);
    for (uint32_t t = 0; t <= o.negatives; ++t) {
      int32_t target = wj;
      float label = 1.0f;
      if (t > 0) {
        target = core::DrawNegative(core::SgdNegativeKey(o.seed), epoch, pair, t - 1, keep.data(),
                                    alias.data(), num_nodes);
        ASSERT_GE(target, 0);
        ASSERT_LT(target, num_nodes);
        if (target == wj) continue;
        label = 0.0f;
      }
      float* o_row = out.data() + target * o.dim;
      float f = 0.0f;
      for (int d = 0; d < o.dim; ++d) f += h[d] * o_row[d];
      const float g = core::SgnsCoeff(f, label, lr);
      for (int d = 0; d < o.dim; ++d) {
        e1[d] += g * o_row[d];
        o_row[d] += g * h[d];
      }
    }
    for (int d = 0; d < o.dim; ++d) {
      in[wi * o.dim + d] += e1[d];
      h[d] += e1[d];
    }
    ++pairs;
  }
  ASSERT_GT(pairs, 0);
  for (size_t p = 0; p < in.size(); ++p) {
    ASSERT_TRUE(testing::Close(gpu_in[p], in[p], 1e-6, 1e-5))
        << "input row " << p / o.dim << " dim " << p % o.dim << ": gpu " << gpu_in[p] << " ref "
        << in[p] << " (seed " << o.seed << ")";
  }
  for (size_t p = 0; p < out.size(); ++p) {
    ASSERT_TRUE(testing::Close(gpu_out[p], out[p], 1e-6, 1e-5))
        << "output row " << p / o.dim << " dim " << p % o.dim << ": gpu " << gpu_out[p]
        << " ref " << out[p] << " (seed " << o.seed << ")";
  }
}

TEST_F(CudaTest, SgdLossFallsAndCommunitiesEmerge) {
  const Graph g = testing::CommunityGraph(8, 40, 17);
  WalkOptions wo;
  wo.length = 40;
  wo.num_walks = 10;
  const AliasTables alias = BuildAliasTables(g.view(), 2);
  const int64_t num_walks = int64_t{wo.num_walks} * g.num_nodes();
  std::vector<int32_t> walks(static_cast<size_t>(num_walks) * wo.length);
  cpu::SampleWalks(g.view(), alias.view(), MakeWalkParams(wo), 0, num_walks, walks.data(), 2);

  cuda::SgdTrainOptions o;
  o.dim = 32;
  o.epochs = 5;
  o.window = 5;
  o.negatives = 5;
  Embeddings in, out;
  auto stats = cuda::TrainSgd(walks.data(), num_walks, wo.length, g.num_nodes(), o, &in, &out);
  ASSERT_TRUE(stats.ok()) << stats.status();
  ASSERT_EQ(stats->losses.size(), 5u);
  // Untrained (output table zero), every pair costs (1 + negatives)·ln 2.
  const double untrained = (1 + o.negatives) * std::log(2.0);
  EXPECT_LT(stats->losses.front(), untrained);
  EXPECT_LT(stats->losses.back(), stats->losses.front())
      << "losses " << stats->losses.front() << " … " << stats->losses.back();
  // Epoch means over ~750k pairs hardly fluctuate; 2% slack covers a plateau under Hogwild.
  for (size_t e = 1; e < stats->losses.size(); ++e) {
    EXPECT_LT(stats->losses[e], stats->losses[e - 1] * 1.02) << "epoch " << e;
  }

  // Pairs per epoch are fixed by the window draws alone: count them on the host.
  int64_t expected = 0;
  for (int32_t e = 0; e < o.epochs; ++e) {
    for (uint64_t c = 0; c < walks.size(); ++c) {
      const uint32_t i = c % wo.length;
      const uint32_t b = core::ShrunkWindow(core::SgdWindowKey(o.seed), e, c, o.window);
      const uint32_t lo = i > b ? i - b : 0, hi = std::min<uint32_t>(wo.length, i + b + 1);
      expected += hi - lo - 1;  // CommunityGraph has no dead end: no padding
    }
  }
  EXPECT_EQ(stats->pairs, expected);

  // Cosine within a community beats cosine across communities by a wide margin.
  const Embeddings unit = Normalized(in, 2);
  double same = 0, other = 0;
  int64_t ns = 0, no = 0;
  for (int32_t a = 0; a < unit.rows; ++a) {
    for (int32_t b = a + 1; b < unit.rows; ++b) {
      double dot = 0;
      for (int32_t d = 0; d < unit.dim; ++d) dot += unit.row(a)[d] * unit.row(b)[d];
      if (a / 40 == b / 40) same += dot, ++ns; else other += dot, ++no;
    }
  }
  EXPECT_GT(same / ns, other / no + 0.2) << "within " << same / ns << " across " << other / no;
  ASSERT_EQ(out.rows, g.num_nodes());
}

TEST_F(CudaTest, SgdRejectsBadInput) {
  const std::vector<int32_t> walks = {0, 1, 2, 7};
  Embeddings in;
  cuda::SgdTrainOptions o;
  EXPECT_EQ(cuda::TrainSgd(walks.data(), 2, 2, 5, o, &in).status().code(),
            absl::StatusCode::kInvalidArgument);  // id 7 >= 5 nodes
  o.dim = 2000;
  EXPECT_EQ(cuda::TrainSgd(walks.data(), 2, 2, 8, o, &in).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace n2v
