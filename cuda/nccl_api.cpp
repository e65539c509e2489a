// NCCL loaded on first use (nccl_api.cuh). Twin: none (CUDA only).
#include "cuda/nccl_api.cuh"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "cuda/dl_library.hpp"

namespace n2v::cuda {
namespace {

#define N2V_NCCL_STR2(x) #x
#define N2V_NCCL_STR(x) N2V_NCCL_STR2(x)
constexpr char kLibrary[] = "libnccl.so." N2V_NCCL_STR(NCCL_MAJOR);

using Loaded = LoadedLibrary<NcclApi>;

Loaded Load() {
  return LoadLibrary<NcclApi>(
      "NCCL", kLibrary, N2V_NCCL_DIR,
      ". Put the CUDA toolkit's NCCL on LD_LIBRARY_PATH, or sum through host memory with "
      "--gpu-transport host",
      [](void* lib, NcclApi* api, std::string* missing) {
        BindSymbol(lib, "ncclGetVersion", &api->get_version, missing);
        BindSymbol(lib, "ncclGetUniqueId", &api->get_unique_id, missing);
        BindSymbol(lib, "ncclCommInitRank", &api->comm_init_rank, missing);
        BindSymbol(lib, "ncclCommDestroy", &api->comm_destroy, missing);
        BindSymbol(lib, "ncclCommAbort", &api->comm_abort, missing);
        BindSymbol(lib, "ncclCommGetAsyncError", &api->comm_get_async_error, missing);
        BindSymbol(lib, "ncclAllReduce", &api->all_reduce, missing);
        BindSymbol(lib, "ncclGetErrorString", &api->error_string, missing);
      });
}

const Loaded& Once() {
  static const Loaded* const loaded = new Loaded(Load());
  return *loaded;
}

}  // namespace

absl::StatusOr<const NcclApi*> LoadNccl() {
  const Loaded& l = Once();
  if (!l.status.ok()) return l.status;
  return &l.api;
}

std::string NcclVersion() {
  auto api = LoadNccl();
  if (!api.ok()) return "";
  int v = 0;
  if ((*api)->get_version(&v) != ncclSuccess) return "NCCL";
  // NCCL_VERSION(X, Y, Z) is X * 10000 + Y * 100 + Z from 2.9 on.
  return absl::StrCat("NCCL ", v / 10000, ".", v / 100 % 100, ".", v % 100);
}

}  // namespace n2v::cuda
