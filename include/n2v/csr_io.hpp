// The project's CSR file: a versioned little-endian binary with 64-bit offsets, 32-bit node ids,
// float weights, the node-name table and a CRC-32 of everything after the header.
//
// Layout (version 1). Header, 64 bytes: magic "N2VCSR\0\1" (8), u32 version = 1, u32 flags
// (bit 0 directed, bit 1 has names; other bits must be 0), u64 num_nodes (n, <= 2^31 − 1),
// u64 num_edge_slots (m), u64 names_bytes, u32 zlib crc32 of every byte after the header, zero
// padding. Body: int64 offsets[n+1], int32 neighbors[m], float weights[m],
// uint64 name_offsets[n+1], name bytes. Every array starts 4- or 8-byte aligned (mmap-able).
// A graph without names is written with the names flag clear and all name_offsets 0, and reads
// back with an empty `names`.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "n2v/graph.hpp"

namespace n2v {

/// Writes atomically (temp file + rename). Refuses (InvalidArgumentError) a graph ReadCsr would
/// reject: offsets not from 0 to m, ids out of range, unsorted rows, weights not finite and > 0,
/// names neither empty nor one per node.
absl::Status WriteCsr(const std::string& path, const Graph& g);

/// Validates magic, version, sizes, offsets, ids, weights and checksum; errors name the file and
/// what was expected. Missing file: NotFoundError; truncated or checksum mismatch: DataLossError;
/// anything else malformed: InvalidArgumentError.
absl::StatusOr<Graph> ReadCsr(const std::string& path);

/// True when `path` is a regular file that starts with the CSR magic (what ReadGraph reads as a
/// CSR file rather than an edge list).
bool IsCsrFile(const std::string& path);

}  // namespace n2v
