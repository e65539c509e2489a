// Device resolution (n2v.hpp's ResolveDevice): the one place that decides between the backends.
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "n2v/n2v.hpp"
#if defined(N2V_WITH_CUDA)
#include "n2v/cuda_api.hpp"
#endif

namespace n2v {

namespace {

#if !defined(N2V_WITH_CUDA)
constexpr char kNoCudaBackend[] = "this n2v was built without the CUDA backend";
#else
// Why GPU `index` cannot be used as far as listing the devices tells (no context is created), or
// "" if it is visible.
std::string NotVisible(int index, std::vector<DeviceInfo>* found) {
  auto devices = ListCudaDevices();
  if (!devices.ok()) return std::string(devices.status().message());
  if (index >= static_cast<int>(devices->size())) {
    return absl::StrCat("no CUDA device ", index, " (", devices->size(), " found)");
  }
  if (found != nullptr) *found = std::move(*devices);
  return "";
}
#endif

}  // namespace

absl::Status CheckDeviceVisible(const Device& d) {
  if (d.kind != Device::Kind::kCuda) return absl::OkStatus();
#if defined(N2V_WITH_CUDA)
  const std::string why = NotVisible(d.index, nullptr);
#else
  const std::string why = kNoCudaBackend;
#endif
  if (why.empty()) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat("--device ", d.Name(), ": ", why));
}

absl::StatusOr<DeviceUsed> ResolveDevice(const Device& d, int threads, std::string* note) {
  const DeviceUsed cpu{false, 0, absl::StrCat("cpu (", EffectiveThreads(threads), " threads)")};
  if (d.kind == Device::Kind::kCpu) return cpu;
  const bool explicit_cuda = d.kind == Device::Kind::kCuda;
#if defined(N2V_WITH_CUDA)
  const int index = explicit_cuda ? d.index : 0;
  std::vector<DeviceInfo> devices;
  std::string why = NotVisible(index, &devices);
  if (why.empty()) {
    const absl::Status st = UseCudaDevice(index);  // the only GPU that gets a context
    if (st.ok()) {
      return DeviceUsed{true, index, absl::StrCat("cuda:", index, " ", devices[index].name)};
    }
    why = std::string(st.message());
  }
#else
  // A CPU-only build has nothing to choose between: auto is the CPU, silently.
  const std::string why = kNoCudaBackend;
  if (!explicit_cuda) return cpu;
#endif
  if (explicit_cuda) {
    return absl::FailedPreconditionError(absl::StrCat("--device ", d.Name(), ": ", why));
  }
  if (note != nullptr) *note = absl::StrCat("--device auto: using the CPU: ", why);
  return cpu;
}

}  // namespace n2v
