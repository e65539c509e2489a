// Shared command-line helpers (apps/cli_common.hpp).
#include "apps/cli_common.hpp"


#include <charconv>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/status/statusor.h"
#if defined(N2V_WITH_CUDA)
#include "n2v/cuda_api.hpp"
#endif

namespace n2v::app {

int ReportError(const absl::Status& st) {
  std::fprintf(stderr, "n2v: %s\n", std::string(st.message()).c_str());
  switch (st.code()) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kOutOfRange:
    case absl::StatusCode::kAlreadyExists:
      return kExitUsage;
    default:
      return kExitRuntime;
  }
}

int EffectiveThreads(int flag) {
  if (flag > 0) return flag;
  const unsigned hw = std::thread::hardware_concurrency();
  return hw > 0 ? static_cast<int>(hw) : 1;
}

absl::StatusOr<DeviceChoice> ChooseDevice(const std::string& spec, int threads, bool quiet) {
  DeviceChoice cpu{false, 0, absl::StrCat("cpu (", threads, " threads)")};
  if (spec == "cpu") return cpu;
  int index = 0;
  bool explicit_cuda = false;
  if (spec == "cuda") {
    explicit_cuda = true;
  } else if (spec.rfind("cuda:", 0) == 0) {
    explicit_cuda = true;
    const char* b = spec.data() + 5;
    const char* e = spec.data() + spec.size();
    const auto r = std::from_chars(b, e, index);
    if (r.ec != std::errc() || r.ptr != e || index < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("--device: expected auto, cpu, cuda or cuda:N, got '", spec, "'"));
    }
  } else if (spec != "auto") {
    return absl::InvalidArgumentError(
        absl::StrCat("--device: expected auto, cpu, cuda or cuda:N, got '", spec, "'"));
  }
#if defined(N2V_WITH_CUDA)
  auto devices = ListCudaDevices();
  std::string why;
  if (!devices.ok()) {
    why = std::string(devices.status().message());
  } else if (index >= static_cast<int>(devices->size())) {
    why = absl::StrCat("no CUDA device ", index, " (", devices->size(), " found)");
  } else {
    const absl::Status st = UseCudaDevice(index);
    if (st.ok()) {
      const auto& d = (*devices)[index];
      return DeviceChoice{true, index, absl::StrCat("cuda:", index, " ", d.name)};
    }
    why = std::string(st.message());
  }
#else
  // A CPU-only build has nothing to choose between: auto is the CPU, silently.
  const std::string why = "this n2v was built without the CUDA backend";
  if (!explicit_cuda) return cpu;
#endif
  if (explicit_cuda) {
    return absl::FailedPreconditionError(absl::StrCat("--device ", spec, ": ", why));
  }
  if (!quiet) std::fprintf(stderr, "n2v: --device auto: using the CPU: %s\n", why.c_str());
  return cpu;
}

}  // namespace n2v::app
