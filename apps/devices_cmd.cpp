// `n2v devices` (apps/devices_cmd.hpp).
#include "apps/devices_cmd.hpp"

#include <cstdio>

#include "apps/cli_common.hpp"
#if defined(N2V_WITH_CUDA)
#include "n2v/cuda_api.hpp"
#endif

namespace n2v::app {

CLI::App* AddDevicesCommand(CLI::App& app) {
  return app.add_subcommand("devices", "List the CUDA devices n2v can use (or say why none)");
}

std::string CudaVersionString() {
#if defined(N2V_WITH_CUDA)
  return CudaRuntimeVersion();
#else
  return "none";
#endif
}

int RunDevices() {
#if defined(N2V_WITH_CUDA)
  auto devices = ListCudaDevices();
  if (!devices.ok()) {
    std::printf("no usable CUDA device: %s\n", std::string(devices.status().message()).c_str());
    std::printf("cpu: available (use --device cpu)\n");
    return kExitOk;
  }
  for (const auto& d : *devices) {
    std::printf("cuda:%d  %s  compute %d.%d  %d SMs  %.1f GiB (%.1f GiB free)\n", d.index,
                d.name.c_str(), d.cc_major, d.cc_minor, d.sm_count,
                static_cast<double>(d.total_mem) / (1 << 30),
                static_cast<double>(d.free_mem) / (1 << 30));
  }
  std::printf("CUDA runtime %s\n", CudaRuntimeVersion().c_str());
#else
  std::printf("no usable CUDA device: this n2v was built without the CUDA backend\n");
  std::printf("cpu: available (use --device cpu)\n");
#endif
  return kExitOk;
}

}  // namespace n2v::app
