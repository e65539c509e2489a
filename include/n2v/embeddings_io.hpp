// Embedding readers: word2vec text and binary (as word2vec.c and gensim write them) and NumPy
// .npy with a sibling ids file, so `n2v similar` can query tables made by n2v or by other tools.
// Twin: none (host I/O). Every malformed input is one InvalidArgumentError line naming the file,
// the line (text) or byte offset (binary, .npy) and what was expected.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "n2v/train.hpp"

namespace n2v {

/// An embedding table with one key per row (row r is keys[r]); keys are unique and non-empty.
struct LoadedEmbeddings {
  Embeddings emb;
  std::vector<std::string> keys;
};

enum class EmbeddingsFormat { kWord2VecText, kWord2VecBinary, kNpy };

/// Reads `path`, detecting the format from its bytes: "\x93NUMPY" → .npy; otherwise a
/// "count dim" header line, then word2vec text when the bytes after it are printable UTF-8
/// (tabs, CR and LF allowed) and word2vec binary when they are not (float32 data holds NUL or
/// control bytes or invalid UTF-8 with overwhelming probability). `format`, if not null, receives
/// the format read. Requirements common to all formats: at least one row, dim >= 1, rows and dim
/// < 2^31, every value finite (float64 values must fit a float), keys unique.
absl::StatusOr<LoadedEmbeddings> ReadEmbeddings(const std::string& path,
                                                EmbeddingsFormat* format = nullptr);

/// word2vec text: "count dim", then per row "key v1 ... vdim" (spaces or tabs; CRLF accepted;
/// blank lines at the end of the file ignored). WriteWord2VecText's output reads back exactly.
absl::StatusOr<LoadedEmbeddings> ReadWord2VecText(const std::string& path);

/// word2vec binary: "count dim\n", then per row the key's bytes, one space, dim little-endian
/// float32 and an optional '\n' (word2vec.c writes it, recent gensim does not).
absl::StatusOr<LoadedEmbeddings> ReadWord2VecBinary(const std::string& path);

/// NumPy .npy format 1.0/2.0/3.0 holding a 2-D C-order '<f4' or '<f8' array (rows x dim).
/// Keys come from `<path without .npy>.ids.txt`, else `<path>.ids` (one id per line, one line per
/// row); with neither file present the keys are the row numbers "0", "1", ...
absl::StatusOr<LoadedEmbeddings> ReadNpy(const std::string& path);

}  // namespace n2v
