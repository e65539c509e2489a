// Embedding exports (include/n2v/export.hpp). Formatting is done into one buffer, then written
// atomically, so a failed or interrupted export never leaves half a file.
#include "n2v/export.hpp"

#include <charconv>

#include "absl/strings/str_cat.h"
#include "n2v/atomic_file.hpp"

namespace n2v {
namespace {

void AppendFloat(std::string& out, float v) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof(buf), v);
  out.append(buf, r.ptr);
}

}  // namespace

std::string TsvField(const std::string& s) {
  std::string out = s;
  for (char& c : out) {
    if (c == '\t' || c == '\n' || c == '\r') c = ' ';
  }
  return out;
}

absl::Status WriteWord2VecText(const std::string& path, const Embeddings& e,
                               const std::vector<std::string>& keys) {
  if (static_cast<int64_t>(keys.size()) != e.rows) {
    return absl::InternalError(absl::StrCat(path, ": ", keys.size(), " keys for ", e.rows, " rows"));
  }
  std::string out;
  out.reserve(static_cast<size_t>(e.rows) * (e.dim * 12 + 16));
  absl::StrAppend(&out, e.rows, " ", e.dim, "\n");
  for (int32_t r = 0; r < e.rows; ++r) {
    for (char c : keys[r]) {
      if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
        return absl::InvalidArgumentError(absl::StrCat(
            path, ": key '", keys[r], "' contains white space; word2vec text cannot hold it"));
      }
    }
    out += keys[r];
    const float* v = e.row(r);
    for (int32_t d = 0; d < e.dim; ++d) {
      out += ' ';
      AppendFloat(out, v[d]);
    }
    out += '\n';
  }
  return WriteFileAtomic(path, out);
}

absl::Status WriteProjectorTsv(const std::string& vectors_path, const std::string& metadata_path,
                               const Embeddings& e, const std::vector<std::string>& header,
                               const std::vector<std::vector<std::string>>& metadata_rows) {
  if (static_cast<int64_t>(metadata_rows.size()) != e.rows) {
    return absl::InternalError(absl::StrCat(metadata_path, ": ", metadata_rows.size(),
                                            " metadata rows for ", e.rows, " vectors"));
  }
  std::string vec;
  vec.reserve(static_cast<size_t>(e.rows) * (e.dim * 12 + 2));
  for (int32_t r = 0; r < e.rows; ++r) {
    const float* v = e.row(r);
    for (int32_t d = 0; d < e.dim; ++d) {
      if (d) vec += '\t';
      AppendFloat(vec, v[d]);
    }
    vec += '\n';
  }
  std::string meta;
  // The Projector reads a header line only when there are two or more columns.
  const bool with_header = header.size() > 1;
  auto append_row = [&meta](const std::vector<std::string>& row) {
    for (size_t i = 0; i < row.size(); ++i) {
      if (i) meta += '\t';
      meta += TsvField(row[i]);
    }
    meta += '\n';
  };
  if (with_header) append_row(header);
  for (const auto& row : metadata_rows) append_row(row);
  // Write metadata first and vectors last: both exist only once both were formatted.
  absl::Status st = WriteFileAtomic(metadata_path, meta);
  if (!st.ok()) return st;
  return WriteFileAtomic(vectors_path, vec);
}

absl::Status WriteLossCsv(const std::string& path, const std::vector<double>& losses) {
  std::string out = "epoch,loss\n";
  for (size_t i = 0; i < losses.size(); ++i) {
    char buf[32];
    const auto r = std::to_chars(buf, buf + sizeof(buf), losses[i]);
    absl::StrAppend(&out, i + 1, ",", absl::string_view(buf, static_cast<size_t>(r.ptr - buf)), "\n");
  }
  return WriteFileAtomic(path, out);
}

}  // namespace n2v
