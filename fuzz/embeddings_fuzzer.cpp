// libFuzzer target: n2v::ReadEmbeddings (word2vec text or binary, .npy).
// Writes each input to a file in /dev/shm (or $TMPDIR), removed at exit, and reads it back
// through the real reader. On success asserts the result's invariants; on failure asserts the
// error message is one non-empty line. Built and run by scripts/fuzz.
#include <fcntl.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>

#include "absl/status/status.h"
#include "n2v/embeddings_io.hpp"

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
    return std::string(dir ? dir : "/tmp") + "/n2v-fuzz-embeddings-" + std::to_string(getpid());
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
  n2v::EmbeddingsFormat format;
  auto r = n2v::ReadEmbeddings(InputPath(), &format);
  if (!r.ok()) {
    CheckError(r.status());
    return 0;
  }
  const n2v::Embeddings& e = r->emb;
  FUZZ_CHECK(e.rows >= 1 && e.dim >= 1);
  FUZZ_CHECK(static_cast<int64_t>(e.rows) * e.dim == static_cast<int64_t>(e.data.size()));
  FUZZ_CHECK(r->keys.size() == static_cast<size_t>(e.rows));
  for (float x : e.data) FUZZ_CHECK(std::isfinite(x));
  std::set<std::string> seen;
  for (const std::string& k : r->keys) {
    FUZZ_CHECK(!k.empty());
    FUZZ_CHECK(seen.insert(k).second);
  }
  return 0;
}
