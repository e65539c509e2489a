// The generic graph reader: text edge lists (plain or gzip) and the project's CSR file, and the
// CSR builder every edge source shares (the reader, the synthetic generators, eval's edge split).
// Twin: none (front end).
//
// Edge-list format, one edge per line:
//   u v            (unweighted; every edge weighs 1)
//   u v w          (with EdgeListOptions::weighted; exactly three columns)
// - Fields are separated by any run of spaces and tabs; leading and trailing blanks are ignored.
//   Lines end in LF or CRLF; the last line may lack its line break. A UTF-8 byte-order mark at the
//   start of the file is skipped.
// - A line whose first field starts with '#' is a comment; so is everything from a field starting
//   with '#' to the end of the line ("u v # note"). A '#' inside an id ("C#") is part of the id.
//   Blank lines are skipped.
// - Node ids are kept verbatim as strings: any bytes other than blanks, control characters
//   (U+0000–U+001F, U+007F) and a leading '#', forming valid UTF-8. "007", "7" and "1e5" are three
//   different nodes; "99999999999999999999" is a fine id. Dense ids 0..n-1 are assigned in order
//   of first appearance and Graph::names[i] holds id i's text.
// - A weight must parse entirely as a finite number > 0 that a float can hold (std::from_chars
//   syntax plus an optional leading '+'): "nan", "inf", "-1", "0", "1.5x", "1e39" are errors.
// - Undirected (the default): every edge u v is stored in both rows. Directed: in u's row only.
// - A self-loop u u is kept and takes one slot in u's row, in either mode.
// - Duplicate edges are merged into one: "u v" twice, and in undirected mode also "u v" then
//   "v u". The merged edge weighs the sum of the duplicates' weights when weighted, 1 otherwise.
// - Every node of an edge list has at least one edge (a node is only named by an edge), so an
//   edge list cannot describe isolated nodes; GraphFromEdges can (num_nodes above every id).
// - Rows are sorted by neighbour id, offsets are 64-bit (graph.hpp's CsrView contract).
// Errors are one line, `<file>:<line>: <field>: expected <what>, got '<text>'` for a bad line.
//
// Threading: one thread reads (and inflates) the next block while another parses; the CSR build
// (degree count, scatter, row sort and merge) is OpenMP. Results do not depend on thread counts.
// Measured: 50M random edges over 5M numeric ids (778 MB) load in ~28 s wall, ~15 s CPU, 1.1 GB
// peak RSS, on 2 cores shared with other jobs (load average ~6).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "n2v/graph.hpp"

namespace n2v {

struct EdgeListOptions {
  bool weighted = false;  // a third column holds each edge's weight
  bool directed = false;  // u v is an arc u -> v only
};

/// Filled by the reader; the CLI prints warnings from it.
/// lines = edges + duplicates; an edge list's comment and blank lines are counted apart.
struct EdgeListStats {
  int64_t lines = 0;             // data lines read (one edge each)
  int64_t edges = 0;             // edges in the result, as users count them (undirected: once)
  int64_t comment_or_blank = 0;  // lines skipped
  int64_t self_loops = 0;        // self-loop edges in the result (after merging)
  int64_t duplicates = 0;        // input edges merged into an earlier one
};

/// Reads a text edge list, plain or gzip-compressed (detected by the 1f 8b magic, any file name).
/// Missing file: NotFoundError; corrupt or truncated gzip: DataLossError; a malformed line, an
/// empty or comment-only file ("no edges"): InvalidArgumentError; a graph the CSR cannot index
/// (more than 2^31 − 1 nodes) or memory cannot hold: ResourceExhaustedError. All name the file.
absl::StatusOr<Graph> ReadEdgeList(const std::string& path, const EdgeListOptions& o,
                                   EdgeListStats* stats = nullptr);

/// Reads any graph input: the project's CSR file (detected by its magic, read by ReadCsr, which
/// records its own directedness and weights, so `o` is not used and `stats` only gets `edges`)
/// or else an edge list (ReadEdgeList).
absl::StatusOr<Graph> ReadGraph(const std::string& path, const EdgeListOptions& o,
                                EdgeListStats* stats = nullptr);

/// Builds a Graph from edges whose endpoints are already dense ids in [0, num_nodes), with the
/// edge-list rules above (mirroring, self-loops, merging, sorted rows). `w` empty means every edge
/// weighs 1 and merged duplicates weigh 1; otherwise one finite weight > 0 per edge, summed on
/// merging. `names` is empty or one distinct name per node. Nodes without edges get empty rows.
/// Fills stats' edges, self_loops and duplicates. Bad input: InvalidArgumentError naming the edge,
/// each message starting with `where` (what the caller calls the edges: the Python binding passes
/// "graph"), as `<where>: edge 7: weight: expected a finite number > 0, got nan`.
absl::StatusOr<Graph> GraphFromEdges(int32_t num_nodes, std::vector<int32_t> src,
                                     std::vector<int32_t> dst, std::vector<float> w, bool directed,
                                     std::vector<std::string> names,
                                     EdgeListStats* stats = nullptr,
                                     std::string_view where = "GraphFromEdges");

/// Writes `g` as an edge list ReadEdgeList reads back: "u v" per edge by node name (undirected
/// edges once, from the lower id), "u v w" when `weighted`. Atomic (temp file + rename).
absl::Status WriteEdgeList(const std::string& path, const Graph& g, bool weighted);

/// Bytes the CSR arrays of a graph take: offsets 8·(n+1) + neighbours and weights 8·slots.
uint64_t CsrBytesEstimate(int64_t num_nodes, int64_t num_edge_slots);

/// Physical memory of this machine in bytes (sysconf pages × page size).
uint64_t PhysicalMemoryBytes();

/// Refuses (ResourceExhaustedError, prefixed by `where`) a graph the CSR cannot index, more than
/// 2^31 − 1 nodes, or whose CSR arrays (CsrBytesEstimate) exceed `available_bytes`; the message
/// gives the count or the estimate. The readers call it with PhysicalMemoryBytes() before they
/// allocate the CSR.
absl::Status CheckCsrFits(const std::string& where, int64_t num_nodes, int64_t num_edge_slots,
                          uint64_t available_bytes);

}  // namespace n2v
