// cuBLAS is loaded on first use, not linked (cuda/cublas_api.cuh): a process that trains and
// answers queries on the CPU never maps it, and loading it works without a GPU or driver where
// the toolkit is installed. Runs without a device.
#include "cuda/cublas_api.cuh"

#include "gtest/gtest.h"
#include "n2v/n2v.hpp"
#include "n2v/synth.hpp"

namespace n2v {
namespace {

TEST(CublasApi, ACpuRunNeverMapsIt) {
  if (cuda::LoadedCublas() != nullptr) GTEST_SKIP() << "loaded by an earlier test of this process";
  ASSERT_FALSE(cuda::CublasIsMapped()) << "libcublas is mapped at start: is it linked again?";
  SynthGraphOptions g;
  g.nodes = 200;
  g.edges = 1000;
  auto graph = SynthGraph(g);
  ASSERT_TRUE(graph.ok()) << graph.status();
  TrainOptions o;
  o.device = Device::Cpu();
  o.walk.length = 10;
  o.walk.num_walks = 1;
  o.model.dim = 8;
  o.threads = 1;
  auto r = Train(*graph, o);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE(cuda::CublasIsMapped());
  EXPECT_EQ(cuda::LoadedCublas(), nullptr);
}

TEST(CublasApi, LoadsOnceWithEveryEntryPoint) {
  auto api = cuda::LoadCublas();
  ASSERT_TRUE(api.ok()) << api.status();  // the toolkit is installed wherever this test is built
  const cuda::CublasApi* a = *api;
  EXPECT_NE(a->create, nullptr);
  EXPECT_NE(a->sgemm, nullptr);
  EXPECT_NE(a->status_name, nullptr);
  EXPECT_STREQ(a->status_name(CUBLAS_STATUS_ALLOC_FAILED), "CUBLAS_STATUS_ALLOC_FAILED");
  EXPECT_TRUE(cuda::CublasIsMapped());
  EXPECT_EQ(cuda::LoadedCublas(), a);
  auto again = cuda::LoadCublas();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, a);
}

}  // namespace
}  // namespace n2v
