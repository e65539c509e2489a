// Shared command-line helpers (apps/cli_common.hpp).
#include "apps/cli_common.hpp"

#include <charconv>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/status/statusor.h"
#include "apps/mpi_ranks.hpp"
#include "n2v/ranks.hpp"

namespace n2v::app {

namespace {
bool g_last_error_agreed = false;
}  // namespace

bool LastErrorWasAgreed() { return g_last_error_agreed; }

int ReportError(const absl::Status& st) {
  const Ranks* ranks = JobRanks();
  g_last_error_agreed = IsAgreedError(st);
  if (!IsDistributed(ranks)) {
    std::fprintf(stderr, "n2v: %s\n", std::string(st.message()).c_str());
  } else if (!g_last_error_agreed) {
    std::fprintf(stderr, "n2v: rank %d of %d: %s\n", ranks->rank(), ranks->size(),
                 std::string(st.message()).c_str());
  } else if (ranks->rank() == 0) {
    std::fprintf(stderr, "n2v: %s\n", std::string(st.message()).c_str());
  }
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
