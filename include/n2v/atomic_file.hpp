// Outputs are written atomically (DESIGN.md, decision 8): into a temporary file beside the target,
// flushed, then renamed over it. An interrupted run leaves the previous file intact.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace n2v {

/// Replaces `path` with `contents` atomically.
absl::Status WriteFileAtomic(const std::string& path, std::string_view contents);

}  // namespace n2v
