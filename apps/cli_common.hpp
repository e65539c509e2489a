// Shared pieces of the n2v command line: exit codes, timing, device choice, Status → exit.
#pragma once

#include <cstdio>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "n2v/options.hpp"
#include "n2v/stopwatch.hpp"

namespace n2v::app {

/// Documented exit codes: 0 success, 1 runtime failure, 2 usage or input error.
constexpr int kExitOk = 0;
constexpr int kExitRuntime = 1;
constexpr int kExitUsage = 2;

/// Prints "n2v: <message>" on stderr and returns the exit code for the status. Under mpirun
/// with several ranks: an error every rank agreed on (n2v::IsAgreedError, already naming the
/// rank it came from) is printed by rank 0 alone; any other is this rank's own and is printed as
/// "n2v: rank R of N: <message>" (FinishRanks then ends the job).
int ReportError(const absl::Status& st);

/// Whether the last ReportError was of an error every rank agreed on.
bool LastErrorWasAgreed();


}  // namespace n2v::app
