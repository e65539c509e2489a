// Embedding readers (include/n2v/embeddings_io.hpp). Each file is taken in one read, then parsed
// in place; nothing is allocated from a header's claims before the file size backs them up, so a
// corrupt header cannot ask for gigabytes. Single-threaded: the parse is I/O-sized.
#include "n2v/embeddings_io.hpp"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "n2v/reader_error.hpp"
#include "n2v/utf8.hpp"

namespace n2v {
namespace {

namespace fs = std::filesystem;

constexpr char kNpyMagic[] = "\x93NUMPY";
constexpr size_t kNpyMagicLen = 6;
constexpr int64_t kMaxIndex = std::numeric_limits<int32_t>::max();

absl::Status Bad(const std::string& path, const std::string& where, const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat(path, ":", where, ": ", what));
}

std::string Excerpt(std::string_view s) { return ShownText(absl::string_view(s.data(), s.size())); }

absl::StatusOr<std::string> Slurp(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": is a directory, expected a file"));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int err = errno;
    if (err == ENOENT) return absl::NotFoundError(absl::StrCat(path, ": no such file"));
    return absl::ErrnoToStatus(err, absl::StrCat(path, ": cannot open"));
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return absl::DataLossError(absl::StrCat(path, ": read failed"));
  return std::move(ss).str();
}

// Parses one float token in full; the message says what was wrong (empty on success).
std::string ParseFloat(std::string_view tok, float* out) {
  std::string_view t = tok;
  if (!t.empty() && t[0] == '+') t.remove_prefix(1);
  const auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), *out);
  if (ec == std::errc::result_out_of_range) return "a finite float32 value (out of range)";
  if (ec != std::errc() || ptr != t.data() + t.size() || t.empty()) return "a number";
  if (!std::isfinite(*out)) return "a finite number (NaN and Inf are not embeddings)";
  return "";
}

bool ParseIndex(std::string_view tok, int64_t* out) {
  const auto [ptr, ec] = std::from_chars(tok.data(), tok.data() + tok.size(), *out);
  return ec == std::errc() && ptr == tok.data() + tok.size() && !tok.empty();
}

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

std::vector<std::string_view> SplitBlanks(std::string_view line) {
  std::vector<std::string_view> toks;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && IsBlank(line[i])) ++i;
    const size_t start = i;
    while (i < line.size() && !IsBlank(line[i])) ++i;
    if (i > start) toks.push_back(line.substr(start, i - start));
  }
  return toks;
}

struct Header {
  int64_t rows = 0;
  int64_t dim = 0;
  size_t body = 0;  // offset of the first byte after the header line
};

// "count dim" on the first line, both in [1, 2^31 − 1].
absl::StatusOr<Header> ParseHeader(const std::string& path, const std::string& data) {
  const size_t nl = data.find('\n');
  if (nl == std::string::npos) {
    return Bad(path, "1", absl::StrCat("expected a header line 'count dim' ending in a line break, got '",
                                       Excerpt(data), "'"));
  }
  const std::string_view line(data.data(), nl);
  const auto toks = SplitBlanks(line);
  Header h;
  h.body = nl + 1;
  if (toks.size() != 2 || !ParseIndex(toks[0], &h.rows) || !ParseIndex(toks[1], &h.dim)) {
    return Bad(path, "1", absl::StrCat("expected a header 'count dim' (two integers), got '",
                                       Excerpt(line), "'"));
  }
  if (h.rows < 1 || h.rows > kMaxIndex) {
    return Bad(path, "1", absl::StrCat("expected a row count in [1, 2^31 - 1], got ", h.rows));
  }
  if (h.dim < 1 || h.dim > kMaxIndex) {
    return Bad(path, "1", absl::StrCat("expected a dimension in [1, 2^31 - 1], got ", h.dim));
  }
  return h;
}

// True when `s` has no control bytes other than tab, CR and LF: a text file. (A binary file's
// float32 bytes hold control bytes within a few rows.) UTF-8 is checked per key afterwards, so a
// Latin-1 text file is read as text and refused at the line with the bad key, not taken for
// binary.
bool LooksLikeText(std::string_view s) {
  for (unsigned char c : s) {
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) return false;
  }
  return true;
}

// Keys are names written back into TSV, JSON and word2vec files: UTF-8 without control bytes (as
// gensim, which decodes them strictly). A Latin-1 text file would otherwise pass for a binary one.
bool ValidKey(std::string_view key) {
  for (unsigned char c : key) {
    if (c < 0x20 || c == 0x7f) return false;
  }
  return IsValidUtf8(key);
}

constexpr char kKeyExpected[] = "expected a UTF-8 key without control bytes, got '";

// Keys must be unique: the second occurrence is reported with the first's position.
class KeySet {
 public:
  explicit KeySet(size_t n) { first_.reserve(n); }
  // Returns the position of an earlier identical key, or empty when `key` is new.
  std::string Add(const std::string& key, const std::string& where) {
    auto [it, inserted] = first_.try_emplace(key, where);
    return inserted ? "" : it->second;
  }

 private:
  absl::flat_hash_map<std::string, std::string> first_;
};

absl::StatusOr<LoadedEmbeddings> ParseText(const std::string& path, const std::string& data) {
  auto header = ParseHeader(path, data);
  if (!header.ok()) return header.status();
  const Header h = *header;
  // Each value takes at least two bytes ("0 "); a header claiming more than the file can hold
  // fails here, before the table is allocated.
  if (static_cast<__int128>(h.rows) * (h.dim * 2 + 2) > static_cast<__int128>(data.size())) {
    return Bad(path, "1", absl::StrCat("header says ", h.rows, " rows of ", h.dim,
                                       " values, but the file has only ", data.size(), " bytes"));
  }
  LoadedEmbeddings out;
  out.emb.rows = static_cast<int32_t>(h.rows);
  out.emb.dim = static_cast<int32_t>(h.dim);
  out.emb.data.resize(static_cast<size_t>(h.rows * h.dim));
  out.keys.reserve(h.rows);
  KeySet seen(h.rows);
  size_t pos = h.body;
  int64_t line_no = 1, row = 0;
  while (pos < data.size()) {
    size_t nl = data.find('\n', pos);
    if (nl == std::string::npos) nl = data.size();
    const std::string_view line(data.data() + pos, nl - pos);
    ++line_no;
    pos = nl + 1;
    const auto toks = SplitBlanks(line);
    const std::string where = std::to_string(line_no);
    if (toks.empty()) {
      // Blank lines are tolerated only at the end of the file.
      size_t rest = pos;
      while (rest < data.size() && (IsBlank(data[rest]) || data[rest] == '\n')) ++rest;
      if (rest >= data.size()) break;
      return Bad(path, where, absl::StrCat("expected 'key' and ", h.dim, " values, got an empty line"));
    }
    if (row == h.rows) {
      return Bad(path, where, absl::StrCat("expected the end of the file: the header says ", h.rows,
                                           " rows, but there are more"));
    }
    if (static_cast<int64_t>(toks.size()) != h.dim + 1) {
      return Bad(path, where, absl::StrCat("expected a key and ", h.dim, " values, got ",
                                           toks.size() - 1, " values"));
    }
    std::string key(toks[0]);
    if (!ValidKey(key)) return Bad(path, where, absl::StrCat(kKeyExpected, Excerpt(key), "'"));
    const std::string earlier = seen.Add(key, where);
    if (!earlier.empty()) {
      return Bad(path, where, absl::StrCat("expected unique keys, got '", Excerpt(key),
                                           "' again (first on line ", earlier, ")"));
    }
    float* dst = out.emb.data.data() + row * h.dim;
    for (int64_t d = 0; d < h.dim; ++d) {
      const std::string err = ParseFloat(toks[d + 1], &dst[d]);
      if (!err.empty()) {
        return Bad(path, where, absl::StrCat("value ", d + 1, " of '", Excerpt(key), "': expected ",
                                             err, ", got '", Excerpt(toks[d + 1]), "'"));
      }
    }
    out.keys.push_back(std::move(key));
    ++row;
  }
  if (row != h.rows) {
    return Bad(path, std::to_string(line_no),
               absl::StrCat("expected ", h.rows, " rows as the header says, the file ends after ",
                            row));
  }
  return out;
}

absl::StatusOr<LoadedEmbeddings> ParseBinary(const std::string& path, const std::string& data) {
  auto header = ParseHeader(path, data);
  if (!header.ok()) return header.status();
  const Header h = *header;
  auto at = [&](size_t off) { return absl::StrCat("byte ", off); };
  const int64_t row_bytes = h.dim * 4;
  // Each row is at least a one-byte key, a space and dim float32.
  if (static_cast<__int128>(h.rows) * (row_bytes + 2) >
      static_cast<__int128>(data.size() - h.body)) {
    return Bad(path, "1", absl::StrCat("header says ", h.rows, " rows of ", h.dim,
                                       " float32, but only ", data.size() - h.body,
                                       " bytes follow it (truncated binary file?)"));
  }
  LoadedEmbeddings out;
  out.emb.rows = static_cast<int32_t>(h.rows);
  out.emb.dim = static_cast<int32_t>(h.dim);
  out.emb.data.resize(static_cast<size_t>(h.rows * h.dim));
  out.keys.reserve(h.rows);
  KeySet seen(h.rows);
  size_t pos = h.body;
  for (int64_t row = 0; row < h.rows; ++row) {
    while (pos < data.size() && data[pos] == '\n') ++pos;  // word2vec.c's row terminator
    const size_t key_start = pos;
    const size_t sp = data.find(' ', pos);
    if (sp == std::string::npos) {
      return Bad(path, at(key_start), absl::StrCat("row ", row + 1, " of ", h.rows,
                                                   ": expected 'key ' then ", row_bytes,
                                                   " bytes of float32, the file ends (truncated)"));
    }
    if (sp == key_start) {
      return Bad(path, at(key_start), absl::StrCat("row ", row + 1, ": expected a key, got a space"));
    }
    std::string key = data.substr(key_start, sp - key_start);
    if (!ValidKey(key)) {
      return Bad(path, at(key_start), absl::StrCat("row ", row + 1, ": ", kKeyExpected,
                                                   Excerpt(key), "'"));
    }
    const std::string earlier = seen.Add(key, at(key_start));
    if (!earlier.empty()) {
      return Bad(path, at(key_start), absl::StrCat("row ", row + 1, ": expected unique keys, got '",
                                                   Excerpt(key), "' again (first at ", earlier, ")"));
    }
    pos = sp + 1;
    if (static_cast<int64_t>(data.size() - pos) < row_bytes) {
      return Bad(path, at(pos), absl::StrCat("row ", row + 1, " ('", Excerpt(key), "'): expected ",
                                             row_bytes, " bytes of float32, only ",
                                             data.size() - pos, " remain (truncated)"));
    }
    float* dst = out.emb.data.data() + row * h.dim;
    for (int64_t d = 0; d < h.dim; ++d) {
      // Little-endian on disk; every platform this builds for is little-endian too.
      std::memcpy(&dst[d], data.data() + pos + d * 4, 4);
      if (!std::isfinite(dst[d])) {
        return Bad(path, at(pos + d * 4),
                   absl::StrCat("row ", row + 1, " ('", Excerpt(key), "'), value ", d + 1,
                                ": expected a finite number, got ", dst[d]));
      }
    }
    pos += row_bytes;
    out.keys.push_back(std::move(key));
  }
  size_t end = pos;
  while (end < data.size() && (data[end] == '\n' || data[end] == '\r' || data[end] == ' ')) ++end;
  if (end != data.size()) {
    return Bad(path, at(pos), absl::StrCat("expected the end of the file after the header's ",
                                           h.rows, " rows, but ", data.size() - pos,
                                           " more bytes follow"));
  }
  return out;
}

// Value of `key` in the .npy header dict, e.g. 'descr' → "'<f4'"; empty when absent.
std::string NpyField(std::string_view dict, std::string_view key) {
  // Built with append: GCC 12's -Wrestrict misfires on "'" + std::string(key) + "'" at -O3.
  std::string quoted(1, '\'');
  quoted.append(key).push_back('\'');
  const size_t k = dict.find(quoted);
  if (k == std::string_view::npos) return "";
  size_t i = dict.find(':', k + quoted.size());
  if (i == std::string_view::npos) return "";
  ++i;
  while (i < dict.size() && dict[i] == ' ') ++i;
  size_t j = i;
  if (j < dict.size() && dict[j] == '(') {
    j = dict.find(')', j);
    if (j == std::string_view::npos) return "";
    ++j;
  } else {
    while (j < dict.size() && dict[j] != ',' && dict[j] != '}') ++j;
  }
  std::string v(dict.substr(i, j - i));
  while (!v.empty() && v.back() == ' ') v.pop_back();
  return v;
}

absl::StatusOr<std::vector<std::string>> ReadIds(const std::string& path, int64_t rows) {
  auto data = Slurp(path);
  if (!data.ok()) return data.status();
  std::vector<std::string> ids;
  KeySet seen(rows);
  size_t pos = 0;
  int64_t line_no = 0;
  while (pos < data->size()) {
    size_t nl = data->find('\n', pos);
    if (nl == std::string::npos) nl = data->size();
    std::string id = data->substr(pos, nl - pos);
    pos = nl + 1;
    ++line_no;
    if (!id.empty() && id.back() == '\r') id.pop_back();
    const std::string where = std::to_string(line_no);
    if (id.empty()) {
      return Bad(path, where, "expected one id per line, got an empty line");
    }
    if (!ValidKey(id)) return Bad(path, where, absl::StrCat(kKeyExpected, Excerpt(id), "'"));
    if (static_cast<int64_t>(ids.size()) == rows) {
      return Bad(path, where, absl::StrCat("expected ", rows,
                                           " ids (one per array row), the file has more"));
    }
    const std::string earlier = seen.Add(id, where);
    if (!earlier.empty()) {
      return Bad(path, where, absl::StrCat("expected unique ids, got '", Excerpt(id),
                                           "' again (first on line ", earlier, ")"));
    }
    ids.push_back(std::move(id));
  }
  if (static_cast<int64_t>(ids.size()) != rows) {
    return Bad(path, std::to_string(line_no),
               absl::StrCat("expected ", rows, " ids (one per array row), got ", ids.size()));
  }
  return ids;
}

absl::StatusOr<LoadedEmbeddings> ParseNpy(const std::string& path, const std::string& data) {
  auto at = [](size_t off) { return absl::StrCat("byte ", off); };
  if (data.size() < kNpyMagicLen + 4 || data.compare(0, kNpyMagicLen, kNpyMagic) != 0) {
    return Bad(path, at(0), "expected the .npy magic \\x93NUMPY and a version");
  }
  const int major = static_cast<unsigned char>(data[6]);
  size_t header_len = 0, header_start = 0;
  if (major == 1) {
    header_len = static_cast<unsigned char>(data[8]) | (static_cast<unsigned char>(data[9]) << 8);
    header_start = 10;
  } else if (major == 2 || major == 3) {
    if (data.size() < 12) return Bad(path, at(8), "expected a 4-byte header length (truncated)");
    uint32_t n = 0;
    std::memcpy(&n, data.data() + 8, 4);
    header_len = n;
    header_start = 12;
  } else {
    return Bad(path, at(6), absl::StrCat("expected .npy format version 1, 2 or 3, got ", major));
  }
  if (data.size() < header_start + header_len) {
    return Bad(path, at(header_start), absl::StrCat("expected a ", header_len,
                                                    "-byte header, the file ends (truncated)"));
  }
  const std::string_view dict(data.data() + header_start, header_len);
  const std::string descr = NpyField(dict, "descr");
  const std::string fortran = NpyField(dict, "fortran_order");
  const std::string shape = NpyField(dict, "shape");
  const std::string hdr = at(header_start);
  if (descr.empty() || fortran.empty() || shape.empty()) {
    return Bad(path, hdr, absl::StrCat("expected a header dict with 'descr', 'fortran_order' and "
                                       "'shape', got '", Excerpt(dict), "'"));
  }
  size_t itemsize = 0;
  if (descr == "'<f4'") itemsize = 4;
  else if (descr == "'<f8'") itemsize = 8;
  else {
    return Bad(path, hdr, absl::StrCat("expected dtype '<f4' or '<f8' (little-endian float32 or "
                                       "float64), got ", Excerpt(descr), "; convert with "
                                       "a.astype('<f4')"));
  }
  if (fortran != "False") {
    return Bad(path, hdr, absl::StrCat("expected fortran_order False (C order), got ",
                                       Excerpt(fortran),
                                       "; save np.ascontiguousarray(a)"));
  }
  // shape "(rows, dim)"; a trailing comma or spaces are allowed.
  std::vector<int64_t> dims;
  {
    // NpyField keeps a value that has no parentheses as is: it may be one byte long.
    if (shape.size() < 2 || shape.front() != '(' || shape.back() != ')') {
      return Bad(path, hdr, absl::StrCat("expected a shape tuple (rows, dim), got ",
                                         Excerpt(shape)));
    }
    std::string_view s(shape);
    s.remove_prefix(1);
    s.remove_suffix(1);
    size_t i = 0;
    while (i < s.size()) {
      while (i < s.size() && (s[i] == ' ' || s[i] == ',')) ++i;
      const size_t start = i;
      while (i < s.size() && s[i] != ',' && s[i] != ' ') ++i;
      if (i == start) break;
      int64_t v = 0;
      if (!ParseIndex(s.substr(start, i - start), &v)) {
        return Bad(path, hdr, absl::StrCat("expected a shape of integers, got ", Excerpt(shape)));
      }
      dims.push_back(v);
    }
  }
  if (dims.size() != 2) {
    return Bad(path, hdr,
               absl::StrCat("expected a 2-D array (rows, dim), got shape ", Excerpt(shape)));
  }
  const int64_t rows = dims[0], dim = dims[1];
  if (rows < 1 || rows > kMaxIndex) {
    return Bad(path, hdr,
               absl::StrCat("expected rows in [1, 2^31 - 1], got shape ", Excerpt(shape)));
  }
  if (dim < 1 || dim > kMaxIndex) {
    return Bad(path, hdr,
               absl::StrCat("expected dim in [1, 2^31 - 1], got shape ", Excerpt(shape)));
  }
  const size_t body = header_start + header_len;
  const size_t have = data.size() - body;
  // rows, dim < 2^31 and itemsize <= 8: the product fits 2^65 only in theory; check by division.
  if (static_cast<uint64_t>(rows) > have / itemsize / static_cast<uint64_t>(dim)) {
    return Bad(path, at(body), absl::StrCat("expected ", rows, " x ", dim, " x ", itemsize,
                                            " bytes of data, got ", have, " (truncated)"));
  }
  const size_t need = static_cast<size_t>(rows) * dim * itemsize;
  if (have != need) {
    return Bad(path, at(body + need), absl::StrCat("expected the end of the file after ", need,
                                                   " bytes of data, but ", have - need,
                                                   " more bytes follow"));
  }
  LoadedEmbeddings out;
  out.emb.rows = static_cast<int32_t>(rows);
  out.emb.dim = static_cast<int32_t>(dim);
  out.emb.data.resize(static_cast<size_t>(rows * dim));
  const char* src = data.data() + body;
  for (size_t i = 0; i < out.emb.data.size(); ++i) {
    double v;
    if (itemsize == 4) {
      float f;
      std::memcpy(&f, src + i * 4, 4);
      v = f;
    } else {
      std::memcpy(&v, src + i * 8, 8);
    }
    const float f = static_cast<float>(v);
    if (!std::isfinite(v) || !std::isfinite(f)) {
      return Bad(path, at(body + i * itemsize),
                 absl::StrCat("element [", i / dim, ", ", i % dim, "]: expected a finite ",
                              itemsize == 4 ? "number" : "number within float32 range", ", got ",
                              v));
    }
    out.emb.data[i] = f;
  }
  // Sibling ids: "<stem>.ids.txt" (stem without .npy) first, then "<path>.ids".
  fs::path p(path);
  fs::path ids_txt = p;
  ids_txt.replace_extension(".ids.txt");
  const fs::path ids_plain = path + ".ids";
  std::error_code ec;
  std::string ids_path;
  if (fs::is_regular_file(ids_txt, ec)) ids_path = ids_txt.string();
  else if (fs::is_regular_file(ids_plain, ec)) ids_path = ids_plain.string();
  if (ids_path.empty()) {
    out.keys.reserve(rows);
    for (int64_t r = 0; r < rows; ++r) out.keys.push_back(std::to_string(r));
  } else {
    auto ids = ReadIds(ids_path, rows);
    if (!ids.ok()) return ids.status();
    out.keys = std::move(*ids);
  }
  return out;
}

bool IsNpy(const std::string& data) {
  return data.size() >= kNpyMagicLen && data.compare(0, kNpyMagicLen, kNpyMagic) == 0;
}

}  // namespace

absl::StatusOr<LoadedEmbeddings> ReadEmbeddings(const std::string& path, EmbeddingsFormat* format) {
  auto data = Slurp(path);
  if (!data.ok()) return data.status();
  if (IsNpy(*data)) {
    if (format) *format = EmbeddingsFormat::kNpy;
    return ParseNpy(path, *data);
  }
  auto header = ParseHeader(path, *data);
  if (!header.ok()) return header.status();
  // Enough bytes for a few binary rows: a key, then dim float32 (a text file is text throughout).
  constexpr size_t kSample = 4096;
  const std::string_view sample =
      std::string_view(*data).substr(header->body, std::min(kSample, data->size() - header->body));
  if (LooksLikeText(sample)) {
    if (format) *format = EmbeddingsFormat::kWord2VecText;
    return ParseText(path, *data);
  }
  if (format) *format = EmbeddingsFormat::kWord2VecBinary;
  return ParseBinary(path, *data);
}

absl::StatusOr<LoadedEmbeddings> ReadWord2VecText(const std::string& path) {
  auto data = Slurp(path);
  if (!data.ok()) return data.status();
  return ParseText(path, *data);
}

absl::StatusOr<LoadedEmbeddings> ReadWord2VecBinary(const std::string& path) {
  auto data = Slurp(path);
  if (!data.ok()) return data.status();
  return ParseBinary(path, *data);
}

absl::StatusOr<LoadedEmbeddings> ReadNpy(const std::string& path) {
  auto data = Slurp(path);
  if (!data.ok()) return data.status();
  return ParseNpy(path, *data);
}

}  // namespace n2v
