// Embedding exports, each written atomically: word2vec text (gensim's
// KeyedVectors.load_word2vec_format reads it), the Embedding Projector's vectors/metadata TSV
// pair, and the loss curve.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "n2v/train.hpp"

namespace n2v {

/// First line "rows dim", then "key v1 ... vdim" per row; floats in shortest round-trip form.
absl::Status WriteWord2VecText(const std::string& path, const Embeddings& e,
                               const std::vector<std::string>& keys);

/// word2vec.c's binary format (gensim's load_word2vec_format(binary=True) reads it): "rows dim\n",
/// then per row the key, one space, dim little-endian float32 and '\n'.
absl::Status WriteWord2VecBinary(const std::string& path, const Embeddings& e,
                                 const std::vector<std::string>& keys);

/// NumPy .npy (format 1.0, '<f4', C order, shape (rows, dim)) plus the keys, one per line, in
/// "<path without .npy>.ids.txt" — the pair ReadNpy and `n2v similar` read back. Returns the ids
/// file's path in `ids_path` when not null.
absl::Status WriteNpy(const std::string& path, const Embeddings& e,
                      const std::vector<std::string>& keys, std::string* ids_path = nullptr);

/// The export formats `n2v train --format` offers.
enum class ExportFormat { kWord2VecText, kWord2VecBinary, kNpy, kProjectorTsv };

/// The format `n2v train --format` (and Python's save) names: "w2v", "w2v-binary", "npy", "tsv",
/// or "auto", by the extension of `path` (.npy, .bin = w2v-binary, .tsv; else word2vec text).
/// Anything else: InvalidArgumentError naming --format.
absl::StatusOr<ExportFormat> ResolveExportFormat(const std::string& format,
                                                 const std::string& path);

/// Writes `e` in `format` to `path`. kProjectorTsv writes `path` as vectors.tsv and
/// "<path without .tsv>.metadata.tsv" with the keys (one column, no header). Keys must not hold
/// white space for the word2vec formats (an InvalidArgumentError names the key).
absl::Status WriteEmbeddings(const std::string& path, ExportFormat format, const Embeddings& e,
                             const std::vector<std::string>& keys);

/// vectors.tsv (one row per embedding, tab-separated, no header) and metadata.tsv (a header line,
/// then one line per embedding, same order): the Projector pairs line i of each.
absl::Status WriteProjectorTsv(const std::string& vectors_path, const std::string& metadata_path,
                               const Embeddings& e, const std::vector<std::string>& header,
                               const std::vector<std::vector<std::string>>& metadata_rows);

/// loss.csv: "epoch,loss" with epochs from 1.
absl::Status WriteLossCsv(const std::string& path, const std::vector<double>& losses);

/// Removes tabs and newlines from a metadata field (the TSV format has no quoting).
std::string TsvField(const std::string& s);

}  // namespace n2v
