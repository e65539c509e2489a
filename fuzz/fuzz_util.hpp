// Shared plumbing of the libFuzzer targets (fuzz/*_fuzzer.cpp): each input is written to a file in
// /dev/shm (or $TMPDIR), removed at exit, and read back through the real reader; a failed read
// must give one non-empty line of error. Built by scripts/fuzz.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/status/status.h"

#define FUZZ_CHECK(cond)                                                                  \
  do {                                                                                    \
    if (!(cond)) {                                                                        \
      std::fprintf(stderr, "FUZZ_CHECK failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
      std::abort();                                                                       \
    }                                                                                     \
  } while (0)

namespace n2v::fuzz {

/// The per-process input file of target `name`; unlinked at exit.
inline const std::string& InputPath(const char* name) {
  static const std::string path = [name] {
    const char* dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : std::getenv("TMPDIR");
    return std::string(dir ? dir : "/tmp") + "/n2v-fuzz-" + name + "-" + std::to_string(getpid());
  }();
  static const bool registered = std::atexit([] { unlink(path.c_str()); }) == 0;
  (void)registered;
  return path;
}

/// Replaces the input file's contents with the fuzzer's bytes.
inline void WriteInput(const std::string& path, const uint8_t* data, size_t size) {
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

/// A reader's failure: one non-empty line.
inline void CheckError(const absl::Status& s) {
  FUZZ_CHECK(!s.ok());
  const absl::string_view m = s.message();
  FUZZ_CHECK(!m.empty());
  FUZZ_CHECK(m.find('\n') == absl::string_view::npos);
  FUZZ_CHECK(m.find('\r') == absl::string_view::npos);
}

}  // namespace n2v::fuzz
