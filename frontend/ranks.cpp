// The rank-independent parts of n2v/ranks.hpp: agreeing on an error, refusing mismatched ranks
// (in the front end, so that both backends can agree on their own errors).
#include "n2v/ranks.hpp"

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace n2v {
namespace {

constexpr char kAgreedPayload[] = "n2v/agreed";

absl::Status Agreed(absl::StatusCode code, const std::string& message) {
  absl::Status st(code, message);
  st.SetPayload(kAgreedPayload, absl::Cord("1"));
  return st;
}

}  // namespace

absl::StatusOr<GpuTransport> ParseGpuTransport(std::string_view s) {
  if (s == "auto") return GpuTransport::kAuto;
  if (s == "nccl") return GpuTransport::kNccl;
  if (s == "host") return GpuTransport::kHost;
  return absl::InvalidArgumentError(
      absl::StrCat("GPU transport must be auto, nccl or host, got '", std::string(s), "'"));
}

std::string_view GpuTransportName(GpuTransport t) {
  switch (t) {
    case GpuTransport::kNccl:
      return "nccl";
    case GpuTransport::kHost:
      return "host";
    case GpuTransport::kAuto:
      break;
  }
  return "auto";
}

bool IsAgreedError(const absl::Status& st) {
  return !st.ok() && st.GetPayload(kAgreedPayload).has_value();
}

absl::Status AgreeOnStatus(Ranks& ranks, const absl::Status& mine) {
  std::vector<uint64_t> failed;
  if (absl::Status st = ranks.Gather(mine.ok() ? 0 : 1, &failed); !st.ok()) return st;
  int first = -1;
  for (size_t r = 0; r < failed.size(); ++r) {
    if (failed[r] != 0) {
      first = static_cast<int>(r);
      break;
    }
  }
  if (first < 0) return absl::OkStatus();
  // The failing rank sends its code and message: "<code> <message>".
  std::string wire;
  if (ranks.rank() == first) {
    wire = absl::StrCat(static_cast<int>(mine.code()), " ", mine.message());
  }
  if (absl::Status st = ranks.Broadcast(&wire, first); !st.ok()) return st;
  const size_t space = wire.find(' ');
  int code = static_cast<int>(absl::StatusCode::kUnknown);
  if (space == std::string::npos || !absl::SimpleAtoi(wire.substr(0, space), &code)) {
    return absl::InternalError("AgreeOnStatus: a malformed error message from rank " +
                               std::to_string(first));
  }
  return Agreed(static_cast<absl::StatusCode>(code),
                absl::StrCat("rank ", first, " of ", ranks.size(), ": ", wire.substr(space + 1)));
}

absl::Status CheckSameEverywhere(Ranks& ranks, uint64_t fingerprint, const std::string& what) {
  std::vector<uint64_t> all;
  if (absl::Status st = ranks.Gather(fingerprint, &all); !st.ok()) return st;
  for (size_t r = 1; r < all.size(); ++r) {
    if (all[r] != all[0]) {
      return Agreed(absl::StatusCode::kFailedPrecondition,
                    absl::StrFormat("rank %d of %d was given other %s than rank 0 (checksum "
                                    "%016x, rank 0 has %016x): every rank must run the same "
                                    "command on the same graph",
                                    r, all.size(), what, all[r], all[0]));
    }
  }
  return absl::OkStatus();
}

}  // namespace n2v
