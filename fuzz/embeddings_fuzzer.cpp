// libFuzzer target: n2v::ReadEmbeddings (word2vec text or binary, .npy).
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
#include "n2v/embeddings_io.hpp"

using n2v::fuzz::CheckError;

const char kName[] = "embeddings";

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string& path = n2v::fuzz::InputPath(kName);
  n2v::fuzz::WriteInput(path, data, size);
  n2v::EmbeddingsFormat format;
  auto r = n2v::ReadEmbeddings(path, &format);
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
