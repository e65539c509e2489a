// libFuzzer target: n2v::ReadRatings (ratings.csv).
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
#include "n2v/movielens.hpp"

using n2v::fuzz::CheckError;

const char kName[] = "ratings";

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string& path = n2v::fuzz::InputPath(kName);
  n2v::fuzz::WriteInput(path, data, size);
  auto r = n2v::ReadRatings(path);
  if (!r.ok()) {
    CheckError(r.status());
    return 0;
  }
  FUZZ_CHECK(!r->empty());
  for (const n2v::Rating& x : *r) {
    FUZZ_CHECK(x.user_id >= 1);
    FUZZ_CHECK(x.movie_id >= 0);
    FUZZ_CHECK(std::isfinite(x.rating) && x.rating >= 0 && x.rating <= 10);
  }
  return 0;
}
