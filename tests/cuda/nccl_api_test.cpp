// NCCL is loaded on first use, not linked (cuda/nccl_api.cuh), through the same loader as cuBLAS
// (cuda/dl_library.hpp). Where the toolkit's NCCL is installed (CI and this project's machines),
// loading works without a GPU or driver and names a version; where it is not, the error is one
// line naming the library and the way round it. Runs without a device.
#include <string>

#include "cuda/nccl_api.cuh"
#include "gtest/gtest.h"

namespace n2v {
namespace {

TEST(NcclApi, LoadsWithEveryEntryPointOrSaysWhyInOneLine) {
  auto api = cuda::LoadNccl();
  if (api.ok()) {
    const cuda::NcclApi* a = *api;
    EXPECT_NE(a->get_version, nullptr);
    EXPECT_NE(a->get_unique_id, nullptr);
    EXPECT_NE(a->comm_init_rank, nullptr);
    EXPECT_NE(a->comm_destroy, nullptr);
    EXPECT_NE(a->comm_abort, nullptr);
    EXPECT_NE(a->comm_get_async_error, nullptr);
    EXPECT_NE(a->all_reduce, nullptr);
    EXPECT_NE(a->error_string, nullptr);
    const std::string v = cuda::NcclVersion();
    EXPECT_EQ(v.rfind("NCCL ", 0), 0u) << v;
    return;
  }
  const std::string msg(api.status().message());
  EXPECT_EQ(api.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(msg.find("libnccl.so."), std::string::npos) << msg;
  EXPECT_NE(msg.find("--gpu-transport host"), std::string::npos) << msg;
  EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  EXPECT_EQ(cuda::NcclVersion(), "");
}

}  // namespace
}  // namespace n2v
