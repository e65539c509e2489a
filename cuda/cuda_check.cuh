// The one CUDA error macro (docs/DESIGN.md, decision 7): a cudaError_t, cublasStatus_t or
// curandStatus_t that is not success becomes an absl::Status naming the expression, the error and
// file:line. N2V_CUDA_CHECK_LAUNCH() follows every kernel launch. Twin: none (CUDA only).
#pragma once

#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <curand.h>

#include <cstdio>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "cuda/cublas_api.cuh"

namespace n2v::cuda {

inline bool IsOk(cudaError_t e) { return e == cudaSuccess; }
inline bool IsOk(cublasStatus_t e) { return e == CUBLAS_STATUS_SUCCESS; }
inline bool IsOk(curandStatus_t e) { return e == CURAND_STATUS_SUCCESS; }

inline std::string ErrorName(cudaError_t e) {
  return absl::StrCat(cudaGetErrorName(e), " (", cudaGetErrorString(e), ")");
}
inline std::string ErrorName(cublasStatus_t e) {
  // A cuBLAS status comes from a cuBLAS call, so the library is loaded (cublas_api.cuh).
  if (const CublasApi* api = LoadedCublas()) {
    return absl::StrCat(api->status_name(e), " (", api->status_string(e), ")");
  }
  return absl::StrCat("cublasStatus_t ", static_cast<int>(e));
}
inline std::string ErrorName(curandStatus_t e) {
  switch (e) {  // cuRAND has no string function
    case CURAND_STATUS_SUCCESS: return "CURAND_STATUS_SUCCESS";
    case CURAND_STATUS_VERSION_MISMATCH: return "CURAND_STATUS_VERSION_MISMATCH";
    case CURAND_STATUS_NOT_INITIALIZED: return "CURAND_STATUS_NOT_INITIALIZED";
    case CURAND_STATUS_ALLOCATION_FAILED: return "CURAND_STATUS_ALLOCATION_FAILED";
    case CURAND_STATUS_TYPE_ERROR: return "CURAND_STATUS_TYPE_ERROR";
    case CURAND_STATUS_OUT_OF_RANGE: return "CURAND_STATUS_OUT_OF_RANGE";
    case CURAND_STATUS_LENGTH_NOT_MULTIPLE: return "CURAND_STATUS_LENGTH_NOT_MULTIPLE";
    case CURAND_STATUS_DOUBLE_PRECISION_REQUIRED: return "CURAND_STATUS_DOUBLE_PRECISION_REQUIRED";
    case CURAND_STATUS_LAUNCH_FAILURE: return "CURAND_STATUS_LAUNCH_FAILURE";
    case CURAND_STATUS_PREEXISTING_FAILURE: return "CURAND_STATUS_PREEXISTING_FAILURE";
    case CURAND_STATUS_INITIALIZATION_FAILED: return "CURAND_STATUS_INITIALIZATION_FAILED";
    case CURAND_STATUS_ARCH_MISMATCH: return "CURAND_STATUS_ARCH_MISMATCH";
    case CURAND_STATUS_INTERNAL_ERROR: return "CURAND_STATUS_INTERNAL_ERROR";
  }
  return absl::StrCat("curandStatus_t ", static_cast<int>(e));
}

/// Out of memory maps to ResourceExhausted and a missing/old driver or device to
/// FailedPrecondition, so callers (and the CLI's exit code) can tell them from bugs.
inline absl::StatusCode ErrorCode(cudaError_t e) {
  switch (e) {
    case cudaErrorMemoryAllocation: return absl::StatusCode::kResourceExhausted;
    case cudaErrorNoDevice:
    case cudaErrorInsufficientDriver:
    case cudaErrorInvalidDevice:
    case cudaErrorDevicesUnavailable:
    case cudaErrorUnsupportedPtxVersion:
    case cudaErrorNoKernelImageForDevice: return absl::StatusCode::kFailedPrecondition;
    default: return absl::StatusCode::kInternal;
  }
}
inline absl::StatusCode ErrorCode(cublasStatus_t e) {
  return e == CUBLAS_STATUS_ALLOC_FAILED ? absl::StatusCode::kResourceExhausted
                                         : absl::StatusCode::kInternal;
}
inline absl::StatusCode ErrorCode(curandStatus_t e) {
  return e == CURAND_STATUS_ALLOCATION_FAILED ? absl::StatusCode::kResourceExhausted
                                              : absl::StatusCode::kInternal;
}

template <typename E>
absl::Status ErrorStatus(E e, const char* expr, const char* file, int line) {
  return absl::Status(ErrorCode(e), absl::StrCat(expr, ": ", ErrorName(e), " at ", file, ":", line));
}

namespace internal {
// Graph capture forbids synchronisation, so the Debug-only sync in N2V_CUDA_CHECK_LAUNCH skips it
// while this thread captures (see CaptureScope in device_buffer.cuh).
inline thread_local int capture_depth = 0;

inline cudaError_t DebugSync() {
#if !defined(NDEBUG)
  if (capture_depth == 0) return cudaDeviceSynchronize();
#endif
  return cudaSuccess;
}
}  // namespace internal

}  // namespace n2v::cuda

/// Returns an absl::Status from the enclosing function if `expr` (cudaError_t, cublasStatus_t or
/// curandStatus_t) is not success.
#define N2V_CUDA_RETURN_IF_ERROR(expr)                                                  \
  do {                                                                                  \
    const auto _n2v_cuda_e = (expr);                                                    \
    if (!::n2v::cuda::IsOk(_n2v_cuda_e)) {                                              \
      return ::n2v::cuda::ErrorStatus(_n2v_cuda_e, #expr, __FILE__, __LINE__);          \
    }                                                                                   \
  } while (0)

/// After every kernel launch: the launch error; in Debug builds also a device sync, so an
/// asynchronous fault is reported at the launch that caused it.
#define N2V_CUDA_CHECK_LAUNCH()                                              \
  do {                                                                       \
    N2V_CUDA_RETURN_IF_ERROR(cudaGetLastError());                            \
    N2V_CUDA_RETURN_IF_ERROR(::n2v::cuda::internal::DebugSync());            \
  } while (0)

/// For destructors and other places that cannot return a status: logs and goes on.
#define N2V_CUDA_LOG_IF_ERROR(expr)                                                        \
  do {                                                                                     \
    const auto _n2v_cuda_e = (expr);                                                       \
    if (!::n2v::cuda::IsOk(_n2v_cuda_e)) {                                                 \
      std::fprintf(stderr, "n2v: %s: %s at %s:%d\n", #expr,                                \
                   ::n2v::cuda::ErrorName(_n2v_cuda_e).c_str(), __FILE__, __LINE__);       \
    }                                                                                      \
  } while (0)
