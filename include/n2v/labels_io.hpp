// Node-label files for `n2v eval` node classification: `node label [label ...]` lines matched
// against a graph's (or an embedding table's) node names. Twin: none (host I/O). Every malformed
// input is one InvalidArgumentError line, `<file>:<line>: <field>: expected <what>, got '<text>'`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace n2v {

/// Labels of the labelled nodes. nodes[i] is a node id (index into the names given to the
/// reader), ascending; labels[i] its label ids, ascending and distinct; label_names[l] is label
/// l's text, the label ids numbering the distinct labels in byte-wise sorted order (as
/// scikit-learn's MultiLabelBinarizer orders its classes).
struct NodeLabels {
  std::vector<std::string> label_names;
  std::vector<int32_t> nodes;
  std::vector<std::vector<int32_t>> labels;
  int64_t unlabelled_nodes = 0;     // names given to the reader that no line labels
  int64_t skipped_lines = 0;        // lines naming a node not among the names (skip policy only)
  int64_t skipped_nodes = 0;        // distinct such node names
  std::string first_skipped_node;   // the first of them, for a message ("" when none)
  int64_t first_skipped_line = 0;   // its line
  int32_t num_labels() const { return static_cast<int32_t>(label_names.size()); }
};

struct LabelReadOptions {
  /// A line whose node is not among the names: false (default) fails with `<file>:<line>: node:
  /// expected a node of the graph, got '<name>'`; true skips the line and counts it in
  /// skipped_lines / skipped_nodes (with the first one named), for label files that cover more
  /// nodes than the graph (movies.csv's genres for a PMI graph that kept only some movies).
  bool skip_unknown_nodes = false;
};

/// Reads a label file. Format: UTF-8 text, one record per line, fields separated by spaces or
/// tabs; the first field is the node's name, matched verbatim (byte for byte, case-sensitive)
/// against `node_names`, the others are its labels. A field starting with '#' starts a comment
/// that runs to the end of the line ('#' inside a field, as in `C#`, is text). Blank and
/// comment-only lines are skipped; CRLF line ends and a leading byte-order mark are accepted.
/// A node may appear on several lines: its labels accumulate; a label repeated for a node counts
/// once. Errors (InvalidArgumentError, one line, naming file:line): invalid UTF-8 or a control
/// byte other than tab/CR, a line with a node and no label, an unknown node (unless skipped),
/// a file with no record, and no labelled node at all (e.g. every line skipped). Names must be
/// non-empty and unique. A missing file is NotFoundError naming it.
absl::StatusOr<NodeLabels> ReadNodeLabels(const std::string& path,
                                          const std::vector<std::string>& node_names,
                                          const LabelReadOptions& options = {});

}  // namespace n2v
