// Device discovery (ListCudaDevices, UseCudaDevice, versions) and memory budgeting. Every reason a
// GPU cannot be used is turned into one line a user can act on. Twin: none (CUDA only).
#include <cuda_runtime.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "cuda/cuda_check.cuh"
#include "cuda/device.cuh"
#include "n2v/cuda_api.hpp"

namespace n2v {
namespace {

std::string VersionString(int v) { return absl::StrCat(v / 1000, ".", (v % 1000) / 10); }

// The reason behind a failed cudaGetDeviceCount, in words.
std::string DeviceCountError(cudaError_t e) {
  int runtime = 0, driver = 0;
  (void)cudaRuntimeGetVersion(&runtime);
  (void)cudaDriverGetVersion(&driver);
  (void)cudaGetLastError();
  switch (e) {
    case cudaErrorInsufficientDriver:
      if (driver == 0) {
        return "no NVIDIA driver is loaded (cudaErrorInsufficientDriver)";
      }
      return absl::StrCat("the NVIDIA driver (CUDA ", VersionString(driver),
                          ") is older than this build's CUDA runtime ", VersionString(runtime),
                          " (cudaErrorInsufficientDriver)");
    case cudaErrorNoDevice:
      return "no CUDA device is visible (cudaErrorNoDevice; check CUDA_VISIBLE_DEVICES)";
    default:
      return absl::StrCat("cudaGetDeviceCount failed: ", cuda::ErrorName(e));
  }
}

}  // namespace

// One tiny kernel, launched before a device is chosen: a GPU this binary has no device code for
// (or a broken driver) fails here, with the reason, instead of at the pipeline's first launch.
static __global__ void ProbeKernel(int* out) {
  if (threadIdx.x == 0) *out = 0x6e3276;  // "n2v"
}

// The lowest compute capability (×10) this build has device code or PTX for, from
// CMAKE_CUDA_ARCHITECTURES; 0 when the list names none (native, all), left to the probe.
#if !defined(N2V_CUDA_MIN_ARCH)
#define N2V_CUDA_MIN_ARCH 0
#endif
#if !defined(N2V_CUDA_ARCHS)
#define N2V_CUDA_ARCHS "unknown"
#endif

static absl::Status ProbeDevice(int index, const cudaDeviceProp& prop) {
  const auto fail = [&](cudaError_t e) {
    (void)cudaGetLastError();
    return absl::FailedPreconditionError(absl::StrCat(
        "cuda:", index, " ", prop.name, " (compute capability ", prop.major, ".", prop.minor,
        ") did not run a test kernel: ", cuda::ErrorName(e), "; this n2v has device code for "
        "CUDA architectures ", N2V_CUDA_ARCHS));
  };
  int* d_out = nullptr;
  if (cudaError_t e = cudaMalloc(&d_out, sizeof(int)); e != cudaSuccess) return fail(e);
  ProbeKernel<<<1, 32>>>(d_out);
  cudaError_t e = cudaGetLastError();
  if (e == cudaSuccess) e = cudaDeviceSynchronize();
  int got = 0;
  if (e == cudaSuccess) e = cudaMemcpy(&got, d_out, sizeof(int), cudaMemcpyDeviceToHost);
  (void)cudaFree(d_out);
  if (e != cudaSuccess) return fail(e);
  if (got != 0x6e3276) {
    return absl::FailedPreconditionError(absl::StrCat(
        "cuda:", index, " ", prop.name, " ran a test kernel that wrote the wrong value"));
  }
  return absl::OkStatus();
}

bool CudaBuiltIn() { return true; }

std::string CudaRuntimeVersion() {
  int runtime = 0, driver = 0;
  const cudaError_t re = cudaRuntimeGetVersion(&runtime);
  const cudaError_t de = cudaDriverGetVersion(&driver);
  (void)cudaGetLastError();
  const std::string rt = re == cudaSuccess ? VersionString(runtime) : std::string("unknown");
  if (de != cudaSuccess || driver == 0) return absl::StrCat(rt, " (no driver)");
  return absl::StrCat(rt, " (driver ", VersionString(driver), ")");
}

absl::StatusOr<std::vector<DeviceInfo>> ListCudaDevices(bool free_memory) {
  int count = 0;
  const cudaError_t e = cudaGetDeviceCount(&count);
  if (e != cudaSuccess) {
    (void)cudaGetLastError();
    return absl::FailedPreconditionError(DeviceCountError(e));
  }
  if (count <= 0) return absl::FailedPreconditionError("no CUDA device is visible");
  int current = 0;
  N2V_CUDA_RETURN_IF_ERROR(cudaGetDevice(&current));
  std::vector<DeviceInfo> out;
  for (int i = 0; i < count; ++i) {
    cudaDeviceProp prop{};
    N2V_CUDA_RETURN_IF_ERROR(cudaGetDeviceProperties(&prop, i));
    DeviceInfo d;
    d.index = i;
    d.name = prop.name;
    d.total_mem = prop.totalGlobalMem;
    d.cc_major = prop.major;
    d.cc_minor = prop.minor;
    d.sm_count = prop.multiProcessorCount;
    // Free memory needs the device's context (cudaGetDeviceProperties does not); a device that
    // cannot make one is still listed.
    size_t free_b = 0, total_b = 0;
    if (free_memory && cudaSetDevice(i) == cudaSuccess &&
        cudaMemGetInfo(&free_b, &total_b) == cudaSuccess) {
      d.free_mem = free_b;
    }
    (void)cudaGetLastError();
    out.push_back(std::move(d));
  }
  if (free_memory) N2V_CUDA_RETURN_IF_ERROR(cudaSetDevice(current));
  return out;
}

absl::Status UseCudaDevice(int index) {
  int count = 0;
  const cudaError_t e = cudaGetDeviceCount(&count);
  if (e != cudaSuccess) {
    (void)cudaGetLastError();
    return absl::FailedPreconditionError(DeviceCountError(e));
  }
  if (index < 0 || index >= count) {
    return absl::FailedPreconditionError(
        absl::StrCat("no CUDA device ", index, " (", count, " visible)"));
  }
  cudaDeviceProp prop{};
  N2V_CUDA_RETURN_IF_ERROR(cudaGetDeviceProperties(&prop, index));
  if (prop.major < 7 || (prop.major == 7 && prop.minor < 5)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "cuda:", index, " ", prop.name, " has compute capability ", prop.major, ".", prop.minor,
        "; CUDA 13 needs 7.5 or newer"));
  }
  // Device code (or PTX, which the driver compiles for newer GPUs) exists only for the
  // architectures the build named: an older GPU cannot run it.
  if (N2V_CUDA_MIN_ARCH > 0 && prop.major * 10 + prop.minor < N2V_CUDA_MIN_ARCH) {
    return absl::FailedPreconditionError(absl::StrCat(
        "cuda:", index, " ", prop.name, " has compute capability ", prop.major, ".", prop.minor,
        "; this n2v was built for CUDA architectures ", N2V_CUDA_ARCHS, " (", N2V_CUDA_MIN_ARCH / 10,
        ".", N2V_CUDA_MIN_ARCH % 10, " and newer): rebuild with -DCMAKE_CUDA_ARCHITECTURES=",
        prop.major, prop.minor, " to use it"));
  }
  N2V_CUDA_RETURN_IF_ERROR(cudaSetDevice(index));
  N2V_CUDA_RETURN_IF_ERROR(cudaFree(nullptr));  // create the context now, not mid-pipeline
  return ProbeDevice(index, prop);
}

namespace cuda {

absl::StatusOr<MemInfo> GetMemInfo() {
  MemInfo m;
  N2V_CUDA_RETURN_IF_ERROR(cudaMemGetInfo(&m.free, &m.total));
  return m;
}

absl::Status CheckFits(size_t bytes, const std::string& what) {
  auto m = GetMemInfo();
  if (!m.ok()) return m.status();
  const double usable = kUsableFraction * static_cast<double>(m->free);
  if (static_cast<double>(bytes) <= usable) return absl::OkStatus();
  constexpr double kMiB = 1024.0 * 1024.0;
  return absl::ResourceExhaustedError(absl::StrFormat(
      "%s needs about %.1f MiB of device memory, but only %.1f MiB of %.1f MiB are free "
      "(%.0f%% of free is usable); use a smaller job or --device cpu",
      what, bytes / kMiB, m->free / kMiB, m->total / kMiB, 100 * kUsableFraction));
}

absl::StatusOr<int> SmCount() {
  int dev = 0, sms = 0;
  N2V_CUDA_RETURN_IF_ERROR(cudaGetDevice(&dev));
  N2V_CUDA_RETURN_IF_ERROR(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, dev));
  return sms;
}

std::string NoDeviceReason() {
  int count = 0;
  const cudaError_t e = cudaGetDeviceCount(&count);
  if (e != cudaSuccess) {
    (void)cudaGetLastError();
    return DeviceCountError(e);
  }
  if (count <= 0) return "no CUDA device is visible";
  return "";
}

}  // namespace cuda
}  // namespace n2v
