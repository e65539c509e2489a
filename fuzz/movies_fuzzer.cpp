// libFuzzer target: n2v::ReadMovies (movies.csv).
// Writes each input to a file in /dev/shm (or $TMPDIR), removed at exit, and reads it back
// through the real reader. On success asserts the result's invariants; on failure asserts the
// error message is one non-empty line. Built and run by scripts/fuzz.

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>

#include "absl/status/status.h"
#include "fuzz/fuzz_util.hpp"
#include "n2v/movielens.hpp"

using n2v::fuzz::CheckError;

const char kName[] = "movies";

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string& path = n2v::fuzz::InputPath(kName);
  n2v::fuzz::WriteInput(path, data, size);
  auto r = n2v::ReadMovies(path);
  if (!r.ok()) {
    CheckError(r.status());
    return 0;
  }
  FUZZ_CHECK(!r->empty());
  std::set<int64_t> ids;
  for (const n2v::Movie& m : *r) {
    FUZZ_CHECK(m.movie_id >= 0 && m.movie_id <= INT32_MAX);
    FUZZ_CHECK(ids.insert(m.movie_id).second);
  }
  return 0;
}
