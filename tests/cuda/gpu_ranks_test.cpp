// GPU ranks (data-parallel training with --device cuda under mpirun), with the ranks as threads
// of this process (ThreadRanks) so that they run without MPI: two ranks sharing one GPU sum their
// deltas through host memory, end with the same tables on both ranks and train to the loss of
// one process; the host-staged and the NCCL sums add what every rank sent; a one-rank NCCL
// communicator is built through the ranks' broadcast. Skipped without a GPU (cuda_test_util.hpp).
// The CLI under mpirun is tests/mpi/run_mpi_tests.sh (its GPU section runs where there is one).
#include <cuda_runtime.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "../cpu/thread_ranks.hpp"
#include "../synth_test_graph.hpp"
#include "cuda/device_buffer.cuh"
#include "cuda/cuda_check.cuh"
#include "cuda/table_sync.cuh"
#include "cuda_test_util.hpp"
#include "gtest/gtest.h"
#include "n2v/cuda_api.hpp"
#include "n2v/n2v.hpp"
#include "n2v/status.hpp"
#include "n2v/synth.hpp"
#include "n2v/word2vec.hpp"

namespace n2v {
namespace {

using GpuRanks = testing::CudaTest;

Graph TestGraph() {
  return testing::SynthTestGraph(
      {.model = SynthModel::kRmat, .nodes = 3000, .edges = 20000, .weighted = true, .seed = 5});
}

TrainOptions SmallRun(Device d) {
  TrainOptions o;
  o.walk.p = 0.5;
  o.walk.q = 2;
  o.walk.length = 40;
  o.walk.num_walks = 4;
  o.model.dim = 32;
  o.model.window = 5;
  o.model.epochs = 2;
  o.device = d;
  o.threads = 1;
  o.seed = 3;
  return o;
}

// Two ranks on one machine (one GPU each by local rank, or both on the one GPU there is), the
// deltas staged through host memory: both ranks end with the same tables, every pair is trained
// once, and the loss is that of one process on the GPU within 2 %.
TEST_F(GpuRanks, TwoRanksThroughHostMemoryTrainAsOneProcess) {
  const Graph g = TestGraph();
  auto plain = Train(g, SmallRun(Device::Cuda(0)));
  ASSERT_TRUE(plain.ok()) << plain.status();
  ASSERT_TRUE(plain->device.cuda);
  TrainOptions o = SmallRun(Device::Cuda(0));
  o.gpu_transport = GpuTransport::kHost;
  auto two = testing::TrainOnThreadRanks(g, o, 2);
  for (int r = 0; r < 2; ++r) {
    ASSERT_TRUE(two[r].ok()) << "rank " << r << ": " << two[r].status();
    EXPECT_TRUE(two[r]->device.cuda);
    EXPECT_EQ(two[r]->embeddings.data, two[0]->embeddings.data) << "rank " << r;
    EXPECT_EQ(two[r]->losses, two[0]->losses) << "rank " << r;
    EXPECT_GT(two[r]->sync.syncs, 0u);
    EXPECT_LE(two[r]->sync.staleness, kSafeSyncStaleness);
    EXPECT_NE(two[r]->sync.transport.find("host memory"), std::string::npos)
        << two[r]->sync.transport;
  }
  EXPECT_EQ(two[0]->pairs, plain->pairs);
  ASSERT_EQ(two[0]->losses.size(), plain->losses.size());
  EXPECT_NEAR(two[0]->losses.back(), plain->losses.back(), 0.02 * plain->losses.back());
  for (float v : two[0]->embeddings.data) ASSERT_TRUE(std::isfinite(v));
}

// GPU ranks train as CPU ranks do: the same pairs, and a loss within 2 % (the GPU's Hogwild
// order differs from the CPU's, so the tables do not match float for float).
TEST_F(GpuRanks, MatchCpuRanks) {
  const Graph g = TestGraph();
  TrainOptions gpu = SmallRun(Device::Cuda(0));
  gpu.gpu_transport = GpuTransport::kHost;
  auto on_gpus = testing::TrainOnThreadRanks(g, gpu, 3);
  auto on_cpus = testing::TrainOnThreadRanks(g, SmallRun(Device::Cpu()), 3);
  for (int r = 0; r < 3; ++r) {
    ASSERT_TRUE(on_gpus[r].ok()) << "rank " << r << ": " << on_gpus[r].status();
    ASSERT_TRUE(on_cpus[r].ok()) << "rank " << r << ": " << on_cpus[r].status();
  }
  EXPECT_EQ(on_gpus[0]->pairs, on_cpus[0]->pairs);
  EXPECT_NEAR(on_gpus[0]->losses.back(), on_cpus[0]->losses.back(),
              0.02 * on_cpus[0]->losses.back());
}

// The host-staged sum of two ranks adds what each sent, element by element.
TEST_F(GpuRanks, HostStagedSumAddsEveryRanksBuffer) {
  constexpr size_t kN = 1000;
  testing::ThreadRankGroup group(2);
  std::vector<std::vector<float>> got(2);
  std::vector<absl::Status> status(2);
  std::vector<std::thread> threads;
  for (int r = 0; r < 2; ++r) {
    threads.emplace_back([&, r] {
      status[r] = [&]() -> absl::Status {
        N2V_CUDA_RETURN_IF_ERROR(cudaSetDevice(0));
        N2V_ASSIGN_OR_RETURN(auto sum, cuda::MakeDeltaSum(group.rank(r).get(),
                                                          GpuTransport::kHost, 0, kN));
        std::vector<float> mine(kN);
        for (size_t i = 0; i < kN; ++i) mine[i] = static_cast<float>(i) * (r + 1);
        N2V_ASSIGN_OR_RETURN(auto send, cuda::DeviceBuffer<float>::FromHost(mine.data(), kN));
        N2V_ASSIGN_OR_RETURN(auto recv, cuda::DeviceBuffer<float>::Allocate(kN));
        N2V_RETURN_IF_ERROR(sum->Start(send.data(), recv.data(), kN, nullptr));
        N2V_RETURN_IF_ERROR(sum->Finish(nullptr));
        N2V_CUDA_RETURN_IF_ERROR(cudaStreamSynchronize(nullptr));
        got[r].resize(kN);
        return recv.CopyToHost(got[r].data(), kN);
      }();
    });
  }
  for (auto& t : threads) t.join();
  for (int r = 0; r < 2; ++r) {
    ASSERT_TRUE(status[r].ok()) << "rank " << r << ": " << status[r];
    for (size_t i = 0; i < kN; ++i) ASSERT_EQ(got[r][i], 3.0f * static_cast<float>(i)) << i;
  }
}

// NCCL exercised with one rank: the communicator is built from an id sent through the ranks'
// broadcast, and the all-reduce of one rank returns what it sent. A library that does not load
// skips (and gpu-check, where skips fail, reports it).
TEST_F(GpuRanks, NcclWithOneRankReturnsWhatItSent) {
  if (const std::string why = cuda::NcclUnusableReason(1); !why.empty()) GTEST_SKIP() << why;
  constexpr size_t kN = 4096;
  testing::ThreadRankGroup group(1);
  ASSERT_EQ(cudaSetDevice(0), cudaSuccess);
  auto sum = cuda::MakeDeltaSum(group.rank(0).get(), GpuTransport::kNccl, 0, kN);
  ASSERT_TRUE(sum.ok()) << sum.status();
  EXPECT_NE((*sum)->name().find("NCCL"), std::string::npos) << (*sum)->name();
  std::vector<float> mine(kN);
  for (size_t i = 0; i < kN; ++i) mine[i] = 0.5f * static_cast<float>(i) - 7;
  auto send = cuda::DeviceBuffer<float>::FromHost(mine.data(), kN);
  auto recv = cuda::DeviceBuffer<float>::Allocate(kN);
  ASSERT_TRUE(send.ok() && recv.ok());
  ASSERT_TRUE((*sum)->Start(send->data(), recv->data(), kN, nullptr).ok());
  bool polled = false;
  for (int i = 0; i < 100000 && !polled; ++i) polled = (*sum)->Poll();
  ASSERT_TRUE((*sum)->Finish(nullptr).ok());
  ASSERT_EQ(cudaStreamSynchronize(nullptr), cudaSuccess);
  std::vector<float> got(kN);
  ASSERT_TRUE(recv->CopyToHost(got.data(), kN).ok());
  EXPECT_EQ(got, mine);
}

// --gpu-transport nccl where a rank cannot use NCCL (two ranks on one GPU) fails every rank with
// one error naming the first rank that cannot; auto then sums through host memory.
TEST_F(GpuRanks, NcclRefusedWhereRanksShareAGpu) {
  int count = 0;
  ASSERT_EQ(cudaGetDeviceCount(&count), cudaSuccess);
  if (count > 1) GTEST_SKIP() << count << " GPUs: two ranks do not share one here";
  const Graph g = TestGraph();
  TrainOptions o = SmallRun(Device::Cuda(0));
  o.model.epochs = 1;
  o.gpu_transport = GpuTransport::kNccl;
  auto nccl = testing::TrainOnThreadRanks(g, o, 2);
  for (int r = 0; r < 2; ++r) {
    ASSERT_FALSE(nccl[r].ok()) << "rank " << r;
    EXPECT_TRUE(IsAgreedError(nccl[r].status())) << nccl[r].status();
    EXPECT_NE(nccl[r].status().message().find("rank 0 of 2: --gpu-transport nccl"),
              std::string::npos)
        << nccl[r].status();
  }
  o.gpu_transport = GpuTransport::kAuto;
  auto automatic = testing::TrainOnThreadRanks(g, o, 2);
  ASSERT_TRUE(automatic[0].ok()) << automatic[0].status();
  EXPECT_NE(automatic[0]->sync.transport.find("host memory"), std::string::npos)
      << automatic[0]->sync.transport;
}

}  // namespace
}  // namespace n2v
