// Embedding exports (include/n2v/export.hpp). Formatting is done into one buffer, then written
// atomically, so a failed or interrupted export never leaves half a file.
#include "n2v/export.hpp"

#include <bit>
#include <charconv>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "n2v/atomic_file.hpp"
#include "n2v/status.hpp"

namespace n2v {
namespace {

void AppendFloat(std::string& out, float v) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof(buf), v);
  out.append(buf, r.ptr);
}

}  // namespace

absl::StatusOr<ExportFormat> ResolveExportFormat(const std::string& format,
                                                 const std::string& path) {
  if (format == "w2v") return ExportFormat::kWord2VecText;
  if (format == "w2v-binary") return ExportFormat::kWord2VecBinary;
  if (format == "npy") return ExportFormat::kNpy;
  if (format == "tsv") return ExportFormat::kProjectorTsv;
  if (format != "auto") {
    return absl::InvalidArgumentError(absl::StrCat(
        "--format: expected auto, w2v, w2v-binary, npy or tsv, got '", format, "'"));
  }
  const std::string ext = std::filesystem::path(path).extension().string();
  if (ext == ".npy") return ExportFormat::kNpy;
  if (ext == ".bin") return ExportFormat::kWord2VecBinary;
  if (ext == ".tsv") return ExportFormat::kProjectorTsv;
  return ExportFormat::kWord2VecText;
}

std::string TsvField(const std::string& s) {
  std::string out = s;
  for (char& c : out) {
    if (c == '\t' || c == '\n' || c == '\r') c = ' ';
  }
  return out;
}

namespace {

absl::Status CheckKeys(const std::string& path, const Embeddings& e,
                       const std::vector<std::string>& keys, bool word2vec) {
  if (static_cast<int64_t>(keys.size()) != e.rows) {
    return absl::InternalError(absl::StrCat(path, ": ", keys.size(), " keys for ", e.rows, " rows"));
  }
  for (const std::string& k : keys) {
    if (k.empty()) return absl::InvalidArgumentError(absl::StrCat(path, ": an empty key"));
    for (char c : k) {
      if (c == '\n' || c == '\r' || (word2vec && (c == ' ' || c == '\t'))) {
        return absl::InvalidArgumentError(absl::StrCat(
            path, ": key '", k, "' contains white space; this format cannot hold it"));
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status WriteWord2VecText(const std::string& path, const Embeddings& e,
                               const std::vector<std::string>& keys) {
  N2V_RETURN_IF_ERROR(CheckKeys(path, e, keys, /*word2vec=*/true));
  N2V_ASSIGN_OR_RETURN(AtomicFileWriter w, AtomicFileWriter::Open(path));
  std::string& out = w.buffer();
  absl::StrAppend(&out, e.rows, " ", e.dim, "\n");
  for (int32_t r = 0; r < e.rows; ++r) {
    out += keys[r];
    const float* v = e.row(r);
    for (int32_t d = 0; d < e.dim; ++d) {
      out += ' ';
      AppendFloat(out, v[d]);
    }
    out += '\n';
    N2V_RETURN_IF_ERROR(w.MaybeFlush());
  }
  return w.Commit();
}

absl::Status WriteWord2VecBinary(const std::string& path, const Embeddings& e,
                                 const std::vector<std::string>& keys) {
  static_assert(std::endian::native == std::endian::little, "float32 rows are written as stored");
  N2V_RETURN_IF_ERROR(CheckKeys(path, e, keys, /*word2vec=*/true));
  N2V_ASSIGN_OR_RETURN(AtomicFileWriter w, AtomicFileWriter::Open(path));
  std::string& out = w.buffer();
  absl::StrAppend(&out, e.rows, " ", e.dim, "\n");
  for (int32_t r = 0; r < e.rows; ++r) {
    out += keys[r];
    out += ' ';
    out.append(reinterpret_cast<const char*>(e.row(r)), sizeof(float) * e.dim);
    out += '\n';
    N2V_RETURN_IF_ERROR(w.MaybeFlush());
  }
  return w.Commit();
}

absl::Status WriteNpy(const std::string& path, const Embeddings& e,
                      const std::vector<std::string>& keys, std::string* ids_path) {
  N2V_RETURN_IF_ERROR(CheckKeys(path, e, keys, /*word2vec=*/false));
  std::filesystem::path ids = path;
  ids.replace_extension(".ids.txt");
  if (ids.string() == path) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": the .npy path must not end in .ids.txt"));
  }
  // Header: magic, version 1.0, u16 header length, a dict padded with spaces to a multiple of 64.
  std::string dict = absl::StrCat("{'descr': '<f4', 'fortran_order': False, 'shape': (", e.rows,
                                  ", ", e.dim, "), }");
  const size_t unpadded = 10 + dict.size() + 1;
  dict.append((64 - unpadded % 64) % 64, ' ');
  dict += '\n';
  std::string head = "\x93NUMPY";
  head += '\x01';
  head += '\x00';
  const uint16_t hlen = static_cast<uint16_t>(dict.size());
  head += static_cast<char>(hlen & 0xFF);
  head += static_cast<char>(hlen >> 8);
  head += dict;
  std::string id_text;
  for (const std::string& k : keys) absl::StrAppend(&id_text, k, "\n");
  N2V_ASSIGN_OR_RETURN(AtomicFileWriter w, AtomicFileWriter::Open(path));
  N2V_RETURN_IF_ERROR(w.Append(head));
  N2V_RETURN_IF_ERROR(w.Append(std::string_view(reinterpret_cast<const char*>(e.data.data()),
                                                e.data.size() * sizeof(float))));
  // The ids first: a reader never sees a new array with the old ids beside it for long, and a
  // failure here leaves the previous .npy untouched.
  N2V_RETURN_IF_ERROR(WriteFileAtomic(ids.string(), id_text));
  if (ids_path) *ids_path = ids.string();
  return w.Commit();
}

absl::Status WriteEmbeddings(const std::string& path, ExportFormat format, const Embeddings& e,
                             const std::vector<std::string>& keys) {
  switch (format) {
    case ExportFormat::kWord2VecText:
      return WriteWord2VecText(path, e, keys);
    case ExportFormat::kWord2VecBinary:
      return WriteWord2VecBinary(path, e, keys);
    case ExportFormat::kNpy:
      return WriteNpy(path, e, keys);
    case ExportFormat::kProjectorTsv: {
      std::filesystem::path meta = path;
      meta.replace_extension(".metadata.tsv");
      std::vector<std::vector<std::string>> rows;
      rows.reserve(keys.size());
      for (const std::string& k : keys) rows.push_back({k});
      return WriteProjectorTsv(path, meta.string(), e, {"id"}, rows);
    }
  }
  return absl::InternalError("unknown export format");
}

absl::Status WriteProjectorTsv(const std::string& vectors_path, const std::string& metadata_path,
                               const Embeddings& e, const std::vector<std::string>& header,
                               const std::vector<std::vector<std::string>>& metadata_rows) {
  if (static_cast<int64_t>(metadata_rows.size()) != e.rows) {
    return absl::InternalError(absl::StrCat(metadata_path, ": ", metadata_rows.size(),
                                            " metadata rows for ", e.rows, " vectors"));
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
  // Both files are formatted into their temporaries first and published only when both are
  // complete: metadata, then vectors.
  N2V_ASSIGN_OR_RETURN(AtomicFileWriter mw, AtomicFileWriter::Open(metadata_path));
  N2V_RETURN_IF_ERROR(mw.Append(meta));
  N2V_ASSIGN_OR_RETURN(AtomicFileWriter vw, AtomicFileWriter::Open(vectors_path));
  std::string& vec = vw.buffer();
  for (int32_t r = 0; r < e.rows; ++r) {
    const float* v = e.row(r);
    for (int32_t d = 0; d < e.dim; ++d) {
      if (d) vec += '\t';
      AppendFloat(vec, v[d]);
    }
    vec += '\n';
    N2V_RETURN_IF_ERROR(vw.MaybeFlush());
  }
  N2V_RETURN_IF_ERROR(mw.Commit());
  return vw.Commit();
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
