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

/// Prints "n2v: <message>" on stderr and returns the exit code for the status.
int ReportError(const absl::Status& st);


}  // namespace n2v::app
