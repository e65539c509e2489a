// `n2v devices` (apps/devices_cmd.hpp).
#include "apps/devices_cmd.hpp"

#include <unistd.h>

#include <cstdio>
#include <string>

#include "absl/strings/str_cat.h"

#include "apps/cli_common.hpp"
#include "apps/mpi_ranks.hpp"
#include "n2v/options.hpp"
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

namespace {

// Under mpirun: one line per rank, printed by rank 0 in rank order, of how that rank trains and
// how it talks to the others. Plain runs say whether n2v can run under mpirun at all.
void PrintRanks() {
  Ranks* ranks = JobRanks();
  if (ranks == nullptr) {
#if defined(N2V_WITH_MPI)
    std::printf("ranks: one process (run under mpirun for data-parallel train and eval)\n");
#else
    std::printf("ranks: one process (built without MPI: no mpirun runs)\n");
#endif
    return;
  }
  std::fflush(stdout);
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  // With --device cuda: this rank's GPU (by local rank) and how GPU ranks would sum their
  // deltas with --gpu-transport auto (NCCL only if every rank can use it).
  std::string gpu = "no GPU";
#if defined(N2V_WITH_CUDA)
  auto devices = ListCudaDevices();
  const int count = devices.ok() ? static_cast<int>(devices->size()) : 0;
  const std::string why = count > 0 ? cuda::NcclUnusableReason(ranks->local_size()) : "no GPU";
  uint64_t able = why.empty() ? 1 : 0;
  if (!ranks->SumInPlace(&able, 1).ok()) return;
  if (count > 0) {
    const auto& d = (*devices)[ranks->local_rank() % count];
    gpu = absl::StrCat("cuda:", d.index, " ", d.name, ", summing ",
                       able == static_cast<uint64_t>(ranks->size())
                           ? absl::StrCat("with ", cuda::NcclLibraryVersion())
                           : absl::StrCat("through host memory (",
                                          why.empty() ? "another rank cannot use NCCL" : why,
                                          ")"));
  }
#endif
  for (int r = 0; r < ranks->size(); ++r) {
    std::string line = absl::StrCat("rank ", ranks->rank(), " of ", ranks->size(), " on ", host,
                                    ": cpu (", EffectiveThreads(0),
                                    EffectiveThreads(0) == 1 ? " thread); " : " threads); ",
                                    "--device cuda: ", gpu, "; ", ranks->transport());
    if (!ranks->Broadcast(&line, r).ok()) return;
    if (ranks->rank() == 0) std::printf("%s\n", line.c_str());
  }
}

}  // namespace

static void PrintDevices() {
#if defined(N2V_WITH_CUDA)
  auto devices = ListCudaDevices(/*free_memory=*/true);
  if (!devices.ok()) {
    std::printf("no usable CUDA device: %s\n", std::string(devices.status().message()).c_str());
    std::printf("cpu: available (use --device cpu)\n");
    return;
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
}

int RunDevices() {
  // Under mpirun, rank 0 lists its host's devices and then every rank's line.
  if (JobRanks() == nullptr || JobRanks()->rank() == 0) PrintDevices();
  PrintRanks();
  return kExitOk;
}

}  // namespace n2v::app
