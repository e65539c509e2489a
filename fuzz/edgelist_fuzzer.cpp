// libFuzzer target: n2v::ReadEdgeList (text edge lists, plain or gzip).
// Writes each input to a file in /dev/shm (or $TMPDIR), removed at exit, and reads it back
// through the real reader in all four modes (weighted or not, directed or not). On success
// asserts the CSR invariants (offsets from 0 to the slot count, ids in range, rows strictly
// sorted after merging, weights finite > 0 and 1 when unweighted, undirected rows mirrored with
// equal weights, one distinct valid name per node) and the stats' arithmetic; on failure asserts
// the error is one non-empty line naming the file. Built and run by scripts/fuzz.

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>

#include "absl/status/status.h"
#include "fuzz/fuzz_util.hpp"
#include "n2v/edgelist.hpp"

using n2v::fuzz::CheckError;

const char kName[] = "edgelist";

namespace {

/// Weight of the slot u -> v, or -1 if u's row has no v (rows are sorted: binary search).
float SlotWeight(const n2v::Graph& g, int32_t u, int32_t v) {
  int64_t lo = g.offsets[u], hi = g.offsets[u + 1];
  while (lo < hi) {
    const int64_t mid = lo + (hi - lo) / 2;
    if (g.neighbors[mid] == v) return g.weights[mid];
    if (g.neighbors[mid] < v) lo = mid + 1; else hi = mid;
  }
  return -1.0f;
}

void CheckGraph(const n2v::Graph& g, const n2v::EdgeListOptions& o, const n2v::EdgeListStats& st) {
  FUZZ_CHECK(g.directed == o.directed);
  FUZZ_CHECK(!g.offsets.empty() && g.offsets.front() == 0);
  FUZZ_CHECK(g.offsets.back() == static_cast<int64_t>(g.neighbors.size()));
  FUZZ_CHECK(g.weights.size() == g.neighbors.size());
  const int32_t n = g.num_nodes();
  FUZZ_CHECK(n >= 1);
  FUZZ_CHECK(g.names.size() == static_cast<size_t>(n));
  std::set<std::string> names;
  for (const std::string& name : g.names) {
    FUZZ_CHECK(!name.empty() && name[0] != '#');
    for (const char c : name) {
      const auto b = static_cast<unsigned char>(c);
      FUZZ_CHECK(b >= 0x20 && b != 0x7F && c != ' ');
    }
    FUZZ_CHECK(names.insert(name).second);
  }
  int64_t loops = 0;
  for (int32_t v = 0; v < n; ++v) {
    FUZZ_CHECK(g.offsets[v] <= g.offsets[v + 1]);
    // Every node of an edge list has an edge; undirected, that is a slot in its own row.
    if (!o.directed) FUZZ_CHECK(g.offsets[v] < g.offsets[v + 1]);
    for (int64_t e = g.offsets[v]; e < g.offsets[v + 1]; ++e) {
      const int32_t x = g.neighbors[e];
      FUZZ_CHECK(x >= 0 && x < n);
      FUZZ_CHECK(e == g.offsets[v] || g.neighbors[e - 1] < x);  // merged: strictly ascending
      FUZZ_CHECK(std::isfinite(g.weights[e]) && g.weights[e] > 0);
      if (!o.weighted) FUZZ_CHECK(g.weights[e] == 1.0f);
      if (!o.directed) FUZZ_CHECK(SlotWeight(g, x, v) == g.weights[e]);
      if (x == v) ++loops;
    }
  }
  FUZZ_CHECK(st.self_loops == loops);
  const int64_t slots = g.num_edge_slots();
  FUZZ_CHECK(st.edges == (o.directed ? slots : (slots - loops) / 2 + loops));
  FUZZ_CHECK(st.lines == st.edges + st.duplicates);
  FUZZ_CHECK(st.duplicates >= 0 && st.comment_or_blank >= 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string& path = n2v::fuzz::InputPath(kName);
  n2v::fuzz::WriteInput(path, data, size);
  for (const bool weighted : {false, true}) {
    for (const bool directed : {false, true}) {
      const n2v::EdgeListOptions o{.weighted = weighted, .directed = directed};
      n2v::EdgeListStats st;
      const auto r = n2v::ReadEdgeList(path, o, &st);
      if (!r.ok()) {
        CheckError(r.status());
        FUZZ_CHECK(r.status().message().find(path) != absl::string_view::npos);
        continue;
      }
      CheckGraph(*r, o, st);
    }
  }
  return 0;
}
