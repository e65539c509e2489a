// Embedding exports, each written atomically: word2vec text (gensim's
// KeyedVectors.load_word2vec_format reads it), the Embedding Projector's vectors/metadata TSV
// pair, and the loss curve.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "n2v/train.hpp"

namespace n2v {

/// First line "rows dim", then "key v1 ... vdim" per row; floats in shortest round-trip form.
absl::Status WriteWord2VecText(const std::string& path, const Embeddings& e,
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
