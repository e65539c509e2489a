// cuBLAS loaded on first use (cublas_api.cuh). Twin: none (CUDA only).
#include "cuda/cublas_api.cuh"

#include <link.h>

#include <atomic>
#include <cstring>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "cuda/dl_library.hpp"

namespace n2v::cuda {
namespace {

#define N2V_STR2(x) #x
#define N2V_STR(x) N2V_STR2(x)
constexpr char kLibrary[] = "libcublas.so." N2V_STR(CUBLAS_VER_MAJOR);

using Loaded = LoadedLibrary<CublasApi>;

Loaded Load() {
  return LoadLibrary<CublasApi>(
      "cuBLAS", kLibrary, N2V_CUBLAS_DIR,
      ". The GPU similarity needs it: install the CUDA toolkit's cuBLAS, put it on "
      "LD_LIBRARY_PATH, or run with --device cpu",
      [](void* lib, CublasApi* api, std::string* missing) {
        BindSymbol(lib, "cublasCreate_v2", &api->create, missing);
        BindSymbol(lib, "cublasDestroy_v2", &api->destroy, missing);
        BindSymbol(lib, "cublasSetStream_v2", &api->set_stream, missing);
        BindSymbol(lib, "cublasSetMathMode", &api->set_math_mode, missing);
        BindSymbol(lib, "cublasSgemm_v2", &api->sgemm, missing);
        BindSymbol(lib, "cublasGetStatusName", &api->status_name, missing);
        BindSymbol(lib, "cublasGetStatusString", &api->status_string, missing);
      });
}

const Loaded& Once() {
  static const Loaded* const loaded = new Loaded(Load());
  return *loaded;
}

std::atomic<bool> g_loaded{false};

}  // namespace

absl::StatusOr<const CublasApi*> LoadCublas() {
  const Loaded& l = Once();
  if (!l.status.ok()) return l.status;
  g_loaded.store(true, std::memory_order_release);
  return &l.api;
}

const CublasApi* LoadedCublas() {
  return g_loaded.load(std::memory_order_acquire) ? &Once().api : nullptr;
}

bool CublasIsMapped() {
  bool found = false;
  dl_iterate_phdr(
      [](dl_phdr_info* info, size_t, void* data) {
        const char* name = info->dlpi_name;
        if (name != nullptr && std::strstr(name, "libcublas") != nullptr) {
          *static_cast<bool*>(data) = true;
        }
        return 0;
      },
      &found);
  return found;
}

}  // namespace n2v::cuda
