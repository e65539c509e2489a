// Device discovery: without a GPU the reason is one readable line (these tests also run on CI
// machines, where they check exactly that); with one, the devices are listed and selectable.
#include <string>
#include <vector>

#include "cuda_test_util.hpp"
#include "gtest/gtest.h"
#include "n2v/cuda_api.hpp"
#include "n2v/n2v.hpp"

namespace n2v {
namespace {

TEST(CudaDevices, ListOrSayWhyNot) {
  EXPECT_TRUE(CudaBuiltIn());
  int count = 0;
  const bool have_device = cudaGetDeviceCount(&count) == cudaSuccess && count > 0;
  (void)cudaGetLastError();
  auto devices = ListCudaDevices();
  if (!have_device) {
    ASSERT_FALSE(devices.ok());
    EXPECT_EQ(devices.status().code(), absl::StatusCode::kFailedPrecondition);
    const std::string msg(devices.status().message());
    EXPECT_FALSE(msg.empty());
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
    EXPECT_FALSE(UseCudaDevice(0).ok());
    return;
  }
  ASSERT_TRUE(devices.ok()) << devices.status();
  ASSERT_EQ(static_cast<int>(devices->size()), count);
  for (const DeviceInfo& d : *devices) {
    EXPECT_FALSE(d.name.empty());
    EXPECT_GT(d.total_mem, 0u);
    EXPECT_GT(d.free_mem, 0u);
    EXPECT_LE(d.free_mem, d.total_mem);
    EXPECT_GE(d.cc_major, 7);
    EXPECT_GT(d.sm_count, 0);
  }
  EXPECT_TRUE(UseCudaDevice(0).ok());
  const absl::Status bad = UseCudaDevice(count + 5);
  EXPECT_EQ(bad.code(), absl::StatusCode::kFailedPrecondition) << bad;
}

// Whether GPU `i` has an active primary context: the driver's cuDevicePrimaryCtxGetState,
// fetched through the runtime so that this test needs no libcuda at link time. -1 if unknown.
int PrimaryContextActive(int i) {
  using Fn = int (*)(int, unsigned int*, int*);  // CUresult (CUdevice, unsigned int*, int*)
  void* fn = nullptr;
  cudaDriverEntryPointQueryResult found{};
  if (cudaGetDriverEntryPointByVersion("cuDevicePrimaryCtxGetState", &fn, 12000, cudaEnableDefault,
                                       &found) != cudaSuccess ||
      fn == nullptr) {
    (void)cudaGetLastError();
    return -1;
  }
  unsigned int flags = 0;
  int active = 0;
  if (reinterpret_cast<Fn>(fn)(i, &flags, &active) != 0) return -1;
  return active;
}

class CudaContexts : public testing::CudaTest {};

// Listing the GPUs and answering a small similarity query create no context; resolving a device
// creates one on that GPU only (on a machine with several, the others stay without).
TEST_F(CudaContexts, OnlyTheGpuARunUsesGetsOne) {
  int count = 0;
  ASSERT_EQ(cudaGetDeviceCount(&count), cudaSuccess);
  std::vector<int> before(count);
  for (int i = 0; i < count; ++i) {
    before[i] = PrimaryContextActive(i);
    if (before[i] < 0) GTEST_SKIP() << "cuDevicePrimaryCtxGetState is not reachable";
  }
  ASSERT_TRUE(ListCudaDevices().ok());
  Embeddings e;
  e.rows = 40;
  e.dim = 8;
  for (int i = 0; i < 320; ++i) e.data.push_back(static_cast<float>((i * 7) % 5));
  ASSERT_TRUE(MostSimilar(e, {1, 2}, 3, Device::Cuda(0), 2).ok());
  for (int i = 0; i < count; ++i) EXPECT_EQ(PrimaryContextActive(i), before[i]) << "cuda:" << i;
  const int chosen = count - 1;
  auto used = ResolveDevice(Device::Cuda(chosen), 1);
  ASSERT_TRUE(used.ok()) << used.status();
  for (int i = 0; i < count; ++i) {
    EXPECT_EQ(PrimaryContextActive(i), i == chosen ? 1 : before[i]) << "cuda:" << i;
  }
}

TEST(CudaDevices, RuntimeVersionIsReadable) {
  const std::string v = CudaRuntimeVersion();
  EXPECT_FALSE(v.empty());
  EXPECT_NE(v.find('('), std::string::npos) << v;  // "13.0 (driver 12.8)" or "13.0 (no driver)"
}

}  // namespace
}  // namespace n2v
