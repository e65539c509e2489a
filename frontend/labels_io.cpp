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
#include "n2v/reader_error.hpp"
#include "n2v/utf8.hpp"

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
          path, ": cannot match labels to nodes: node name '", ShownText(node_names[i]),
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
        ShownText(out.first_skipped_node), "')"));
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
