// cuBLAS, loaded when first used. Linking libcublas made every n2v process, CPU runs and
// `n2v --version` included, pay ~80-120 ms and ~218 MB of resident memory at start (its and
// libcublasLt's load-time initialisation), though only the GPU similarity calls it. So nothing
// links it: LoadCublas() dlopens it once, on the first GPU similarity, and the calls go through
// the table of entry points it returns. Twin: none (CUDA only).
#pragma once

#include <cublas_v2.h>

#include "absl/status/statusor.h"

namespace n2v::cuda {

/// The cuBLAS entry points n2v calls (the _v2 symbols cublas_v2.h maps the names to).
struct CublasApi {
  decltype(&cublasCreate_v2) create;
  decltype(&cublasDestroy_v2) destroy;
  decltype(&cublasSetStream_v2) set_stream;
  decltype(&cublasSetMathMode) set_math_mode;
  decltype(&cublasSgemm_v2) sgemm;
  decltype(&cublasGetStatusName) status_name;
  decltype(&cublasGetStatusString) status_string;
};

/// Loads libcublas.so.<the major version n2v was built with> once (thread-safe): first by name
/// (the binary's run path, LD_LIBRARY_PATH, the system's), then from the toolkit n2v was built
/// against. FailedPreconditionError naming the library and the loader's reason when it is absent
/// or lacks an entry point; every later call returns the same answer.
absl::StatusOr<const CublasApi*> LoadCublas();

/// The table once LoadCublas() has succeeded, else null (for error messages).
const CublasApi* LoadedCublas();

/// Whether libcublas is mapped into this process now (tests: a CPU run never maps it).
bool CublasIsMapped();

}  // namespace n2v::cuda
