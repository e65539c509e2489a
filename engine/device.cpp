// Device resolution (n2v.hpp's ResolveDevice): the one place that decides between the backends.
#include "absl/strings/str_cat.h"
#include "n2v/n2v.hpp"
#if defined(N2V_WITH_CUDA)
#include "n2v/cuda_api.hpp"
#endif

namespace n2v {

absl::StatusOr<DeviceUsed> ResolveDevice(const Device& d, int threads, std::string* note) {
  const DeviceUsed cpu{false, 0, absl::StrCat("cpu (", EffectiveThreads(threads), " threads)")};
  if (d.kind == Device::Kind::kCpu) return cpu;
  const bool explicit_cuda = d.kind == Device::Kind::kCuda;
#if defined(N2V_WITH_CUDA)
  const int index = explicit_cuda ? d.index : 0;
  auto devices = ListCudaDevices();
  std::string why;
  if (!devices.ok()) {
    why = std::string(devices.status().message());
  } else if (index >= static_cast<int>(devices->size())) {
    why = absl::StrCat("no CUDA device ", index, " (", devices->size(), " found)");
  } else {
    const absl::Status st = UseCudaDevice(index);
    if (st.ok()) {
      return DeviceUsed{true, index, absl::StrCat("cuda:", index, " ", (*devices)[index].name)};
    }
    why = std::string(st.message());
  }
#else
  // A CPU-only build has nothing to choose between: auto is the CPU, silently.
  const std::string why = "this n2v was built without the CUDA backend";
  if (!explicit_cuda) return cpu;
#endif
  if (explicit_cuda) {
    return absl::FailedPreconditionError(absl::StrCat("--device ", d.Name(), ": ", why));
  }
  if (note != nullptr) *note = absl::StrCat("--device auto: using the CPU: ", why);
  return cpu;
}

}  // namespace n2v
