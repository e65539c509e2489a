// Device discovery: without a GPU the reason is one readable line (these tests also run on CI
// machines, where they check exactly that); with one, the devices are listed and selectable.
#include <string>

#include "cuda_test_util.hpp"
#include "gtest/gtest.h"
#include "n2v/cuda_api.hpp"

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

TEST(CudaDevices, RuntimeVersionIsReadable) {
  const std::string v = CudaRuntimeVersion();
  EXPECT_FALSE(v.empty());
  EXPECT_NE(v.find('('), std::string::npos) << v;  // "13.0 (driver 12.8)" or "13.0 (no driver)"
}

}  // namespace
}  // namespace n2v
