// libFuzzer target: n2v::ReadCsr (the binary CSR file), and n2v::ReadCsrPart held to it: for 1,
// 2 and 3 parts, every part reads when ReadCsr does, and then equals PartitionGraph's cut of
// ReadCsr's graph; some part fails when ReadCsr fails.
// Writes each input to a file in /dev/shm (or $TMPDIR), removed at exit, and reads it back
// through the real reader. On success asserts the result's invariants; on failure asserts the
// error message is one non-empty line. Built and run by scripts/fuzz.

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/status/status.h"
#include "fuzz/fuzz_util.hpp"
#include "n2v/csr_io.hpp"
#include "n2v/partition.hpp"

using n2v::fuzz::CheckError;

const char kName[] = "csr";

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string& path = n2v::fuzz::InputPath(kName);
  n2v::fuzz::WriteInput(path, data, size);
  auto r = n2v::ReadCsr(path);
  for (int parts = 1; parts <= 3; ++parts) {
    bool all_ok = true;
    for (int rank = 0; rank < parts; ++rank) {
      auto part = n2v::ReadCsrPart(path, rank, parts, /*keep_names=*/rank == 0);
      if (!part.ok()) {
        CheckError(part.status());
        all_ok = false;
        continue;
      }
      if (!r.ok()) continue;  // a part may read well while another part's rows are bad
      const n2v::GraphPart cut = n2v::PartitionGraph(*r, rank, parts, rank == 0);
      FUZZ_CHECK(part->bounds == cut.bounds && part->offsets == cut.offsets);
      FUZZ_CHECK(part->neighbors == cut.neighbors && part->weights == cut.weights);
      FUZZ_CHECK(part->names == cut.names && part->directed == cut.directed);
    }
    FUZZ_CHECK(all_ok == r.ok());
  }
  if (!r.ok()) {
    CheckError(r.status());
    return 0;
  }
  const n2v::Graph& g = *r;
  FUZZ_CHECK(!g.offsets.empty());
  FUZZ_CHECK(g.offsets.front() == 0);
  FUZZ_CHECK(g.offsets.back() == static_cast<int64_t>(g.neighbors.size()));
  FUZZ_CHECK(g.weights.size() == g.neighbors.size());
  FUZZ_CHECK(g.names.empty() || g.names.size() == g.offsets.size() - 1);
  const int64_t n = g.num_nodes();
  for (int64_t v = 0; v < n; ++v) {
    FUZZ_CHECK(g.offsets[v] <= g.offsets[v + 1]);
    for (int64_t e = g.offsets[v]; e < g.offsets[v + 1]; ++e) {
      FUZZ_CHECK(g.neighbors[e] >= 0 && g.neighbors[e] < n);
      FUZZ_CHECK(e == g.offsets[v] || g.neighbors[e - 1] <= g.neighbors[e]);
      FUZZ_CHECK(std::isfinite(g.weights[e]) && g.weights[e] > 0);
    }
  }
  return 0;
}
