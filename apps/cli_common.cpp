// Shared command-line helpers (apps/cli_common.hpp).
#include "apps/cli_common.hpp"


#include <charconv>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/status/statusor.h"

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

}  // namespace n2v::app
