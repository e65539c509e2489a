// The project's CSR file: a versioned little-endian binary with 64-bit offsets, 32-bit node ids,
// float weights, the node-name table and a CRC-32 of everything after the header.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "n2v/graph.hpp"

namespace n2v {

/// Writes atomically (temp file + rename).
absl::Status WriteCsr(const std::string& path, const Graph& g);

/// Validates magic, version, sizes, offsets, ids, weights and checksum; errors name the file and
/// what was expected.
absl::StatusOr<Graph> ReadCsr(const std::string& path);

}  // namespace n2v
