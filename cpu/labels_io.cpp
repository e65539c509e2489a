// Node-label reader (include/n2v/labels_io.hpp). The file is taken in one read and parsed in
// place, line by line; labels are interned as they come and numbered in sorted order at the end.
// Single-threaded: a BlogCatalog-sized file (10k nodes, 15k labels) is a few milliseconds.
#include "n2v/labels_io.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"

namespace n2v {
namespace {

absl::StatusOr<std::string> Slurp(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": expected a label file, got a directory"));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int err = errno;
    if (err == ENOENT) return absl::NotFoundError(absl::StrCat(path, ": no such file"));
    return absl::ErrnoToStatus(err, absl::StrCat(path, ": cannot open: ", std::strerror(err)));
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return absl::DataLossError(absl::StrCat(path, ": read failed"));
  return std::move(ss).str();
}

/// Length of the valid UTF-8 sequence starting at s[i] (RFC 3629: no overlong forms, no
/// surrogates, nothing above U+10FFFF), or 0 when it is not one.
size_t Utf8SequenceLength(absl::string_view s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  if (c < 0x80) return 1;
  size_t len;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    if (c == 0xE0) lo = 0xA0;  // overlong
    if (c == 0xED) hi = 0x9F;  // surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    if (c == 0xF0) lo = 0x90;  // overlong
    if (c == 0xF4) hi = 0x8F;  // above U+10FFFF
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  if (b(i + 1) < lo || b(i + 1) > hi) return 0;
  for (size_t k = 2; k < len; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return 0;
  }
  return len;
}

/// The line as it can be shown in a one-line message: control bytes and bytes of invalid UTF-8
/// escaped as \xNN, long lines cut (at a character boundary).
std::string Shown(absl::string_view text) {
  constexpr size_t kMaxShown = 60;  // enough to recognise a line, short enough for a terminal
  std::string out;
  size_t i = 0;
  while (i < text.size() && i < kMaxShown) {
    const auto c = static_cast<unsigned char>(text[i]);
    const size_t len = Utf8SequenceLength(text, i);
    if (c == '\t') {
      out += "\\t";
    } else if (len == 0 || c < 0x20 || c == 0x7F) {
      out += absl::StrFormat("\\x%02x", c);
    } else {
      out.append(text.data() + i, len);
      i += len;
      continue;
    }
    ++i;
  }
  if (i < text.size()) out += "...";
  return out;
}

absl::Status LineError(const std::string& file, int64_t line, absl::string_view field,
                       absl::string_view expected, absl::string_view got,
                       absl::string_view note = {}) {
  return absl::InvalidArgumentError(absl::StrCat(file, ":", line, ": ", field, ": expected ",
                                                 expected, ", got '", Shown(got), "'", note));
}

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

}  // namespace

absl::StatusOr<NodeLabels> ReadNodeLabels(const std::string& path,
                                          const std::vector<std::string>& node_names,
                                          const LabelReadOptions& options) {
  if (node_names.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": no node names to match the label file against (the graph or table "
                           "has no names)"));
  }
  absl::flat_hash_map<absl::string_view, int32_t> node_of;
  node_of.reserve(node_names.size());
  for (size_t i = 0; i < node_names.size(); ++i) {
    auto [it, inserted] = node_of.try_emplace(node_names[i], static_cast<int32_t>(i));
    if (!inserted) {
      return absl::InvalidArgumentError(absl::StrCat(
          path, ": cannot match labels to nodes: node name '", Shown(node_names[i]),
          "' is shared by nodes ", it->second, " and ", i));
    }
  }

  auto bytes = Slurp(path);
  if (!bytes.ok()) return bytes.status();
  absl::string_view data = *bytes;
  if (data.size() >= 3 && std::memcmp(data.data(), "\xEF\xBB\xBF", 3) == 0) data.remove_prefix(3);

  absl::flat_hash_map<std::string, int32_t> label_of;  // label text -> interned id (file order)
  std::vector<std::string> interned;
  std::vector<std::pair<int32_t, int32_t>> pairs;  // (node, interned label)
  absl::flat_hash_set<absl::string_view> skipped;  // distinct unknown node names
  NodeLabels out;
  int64_t line_no = 0, records = 0;
  std::vector<absl::string_view> fields;
  size_t pos = 0;
  while (pos < data.size()) {
    size_t nl = data.find('\n', pos);
    if (nl == absl::string_view::npos) nl = data.size();
    absl::string_view line = data.substr(pos, nl - pos);
    pos = nl + 1;
    ++line_no;
    for (size_t i = 0; i < line.size();) {
      const auto c = static_cast<unsigned char>(line[i]);
      const size_t len = Utf8SequenceLength(line, i);
      if (len == 0) {
        return LineError(path, line_no, "text",
                         absl::StrFormat("UTF-8 (byte 0x%02x at column %d is not)", c, i + 1),
                         line);
      }
      if ((c < 0x20 && c != '\t' && c != '\r') || c == 0x7F) {
        return LineError(path, line_no, "text",
                         absl::StrFormat("printable text (control byte 0x%02x at column %d)", c,
                                         i + 1),
                         line);
      }
      i += len;
    }
    fields.clear();
    for (size_t i = 0; i < line.size();) {
      while (i < line.size() && IsBlank(line[i])) ++i;
      if (i == line.size() || line[i] == '#') break;  // a field starting with '#': a comment
      const size_t start = i;
      while (i < line.size() && !IsBlank(line[i])) ++i;
      fields.push_back(line.substr(start, i - start));
    }
    if (fields.empty()) continue;
    ++records;
    if (fields.size() == 1) {
      return LineError(path, line_no, "labels", "at least one label after the node", line);
    }
    const auto node = node_of.find(fields[0]);
    if (node == node_of.end()) {
      if (!options.skip_unknown_nodes) {
        return LineError(path, line_no, "node",
                         absl::StrCat("a node of the graph (one of its ", node_names.size(),
                                      " node names, matched verbatim)"),
                         fields[0], " (unknown nodes can be skipped and counted instead)");
      }
      ++out.skipped_lines;
      if (skipped.insert(fields[0]).second && skipped.size() == 1) {
        out.first_skipped_node = std::string(fields[0]);
        out.first_skipped_line = line_no;
      }
      continue;
    }
    for (size_t f = 1; f < fields.size(); ++f) {
      auto [it, inserted] =
          label_of.try_emplace(std::string(fields[f]), static_cast<int32_t>(interned.size()));
      if (inserted) interned.emplace_back(fields[f]);
      pairs.emplace_back(node->second, it->second);
    }
  }
  out.skipped_nodes = static_cast<int64_t>(skipped.size());
  if (records == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, ":", std::max<int64_t>(line_no, 1),
        ": records: expected at least one 'node label [label ...]' line, got ",
        data.empty() ? "an empty file" : "only blank lines and comments"));
  }
  if (pairs.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, ":", out.first_skipped_line,
        ": node: expected at least one node of the graph, got none: all ", out.skipped_lines,
        " lines name nodes not in the graph (", out.skipped_nodes, " distinct, the first '",
        Shown(out.first_skipped_node), "')"));
  }

  // Number labels in sorted order, then group the (node, label) pairs by node.
  std::vector<int32_t> order(interned.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int32_t>(i);
  std::sort(order.begin(), order.end(),
            [&](int32_t a, int32_t b) { return interned[a] < interned[b]; });
  std::vector<int32_t> rank(interned.size());
  out.label_names.reserve(interned.size());
  for (size_t r = 0; r < order.size(); ++r) {
    rank[order[r]] = static_cast<int32_t>(r);
    out.label_names.push_back(std::move(interned[order[r]]));
  }
  for (auto& [node, label] : pairs) label = rank[label];
  std::sort(pairs.begin(), pairs.end());
  pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
  for (const auto& [node, label] : pairs) {
    if (out.nodes.empty() || out.nodes.back() != node) {
      out.nodes.push_back(node);
      out.labels.emplace_back();
    }
    out.labels.back().push_back(label);
  }
  out.unlabelled_nodes = static_cast<int64_t>(node_names.size()) - static_cast<int64_t>(out.nodes.size());
  return out;
}

}  // namespace n2v
