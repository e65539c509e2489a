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

struct Loaded {
  NcclApi api{};
  absl::Status status;
};

Loaded Load() {
  Loaded l;
#ifdef N2V_NCCL_DIR
  const char* const fallback_dir = N2V_NCCL_DIR;
#else
  const char* const fallback_dir = nullptr;
#endif
  std::string why;
  void* const lib = OpenLibrary(kLibrary, fallback_dir, &why);
  if (lib == nullptr) {
    l.status = absl::FailedPreconditionError(absl::StrCat(
        "NCCL (", kLibrary, ") could not be loaded: ", why,
        ". Put the CUDA toolkit's NCCL on LD_LIBRARY_PATH, or sum through host memory with "
        "--gpu-transport host"));
    return l;
  }
  std::string missing;
  BindSymbol(lib, "ncclGetVersion", &l.api.get_version, &missing);
  BindSymbol(lib, "ncclGetUniqueId", &l.api.get_unique_id, &missing);
  BindSymbol(lib, "ncclCommInitRank", &l.api.comm_init_rank, &missing);
  BindSymbol(lib, "ncclCommDestroy", &l.api.comm_destroy, &missing);
  BindSymbol(lib, "ncclCommAbort", &l.api.comm_abort, &missing);
  BindSymbol(lib, "ncclCommGetAsyncError", &l.api.comm_get_async_error, &missing);
  BindSymbol(lib, "ncclAllReduce", &l.api.all_reduce, &missing);
  BindSymbol(lib, "ncclGetErrorString", &l.api.error_string, &missing);
  if (!missing.empty()) {
    l.status = absl::FailedPreconditionError(
        absl::StrCat("NCCL (", kLibrary, ") lacks the entry points ", missing));
  }
  return l;  // the library stays loaded for the process's lifetime
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
