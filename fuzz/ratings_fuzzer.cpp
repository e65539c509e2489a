// libFuzzer target: n2v::ReadRatings (ratings.csv).
// Writes each input to a file in /dev/shm (or $TMPDIR), removed at exit, and reads it back
// through the real reader. On success asserts the result's invariants; on failure asserts the
// error message is one non-empty line. Built and run by scripts/fuzz.
#include <fcntl.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/status/status.h"
#include "n2v/movielens.hpp"

namespace {

#define FUZZ_CHECK(cond)                                                              \
  do {                                                                                \
    if (!(cond)) {                                                                    \
      std::fprintf(stderr, "FUZZ_CHECK failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
      std::abort();                                                                   \
    }                                                                                 \
  } while (0)

const std::string& InputPath() {
  static const std::string path = [] {
    const char* dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : std::getenv("TMPDIR");
    return std::string(dir ? dir : "/tmp") + "/n2v-fuzz-ratings-" + std::to_string(getpid());
  }();
  static const bool registered = std::atexit([] { unlink(InputPath().c_str()); }) == 0;
  (void)registered;
  return path;
}

void WriteInput(const uint8_t* data, size_t size) {
  const std::string& path = InputPath();
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  FUZZ_CHECK(fd >= 0);
  size_t done = 0;
  while (done < size) {
    ssize_t w = write(fd, data + done, size - done);
    FUZZ_CHECK(w > 0);
    done += static_cast<size_t>(w);
  }
  FUZZ_CHECK(close(fd) == 0);
}

void CheckError(const absl::Status& s) {
  FUZZ_CHECK(!s.ok());
  const absl::string_view m = s.message();
  FUZZ_CHECK(!m.empty());
  FUZZ_CHECK(m.find('\n') == absl::string_view::npos);
  FUZZ_CHECK(m.find('\r') == absl::string_view::npos);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  WriteInput(data, size);
  auto r = n2v::ReadRatings(InputPath());
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
