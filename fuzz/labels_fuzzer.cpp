// libFuzzer target: n2v::ReadNodeLabels (n2v eval's node-label files), with a fixed set of node
// names, in both unknown-node modes. On success asserts the result's invariants (nodes ascending
// and known, labels ascending, distinct and in range, label names sorted and distinct, the counts
// adding up); on failure that the error is one non-empty line. Built and run by scripts/fuzz.

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "fuzz/fuzz_util.hpp"
#include "n2v/labels_io.hpp"

using n2v::fuzz::CheckError;

const char kName[] = "labels";

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::vector<std::string> names = {"a", "b", "c", "1", "2", "node-\xce\xb1", "C#", "x y"};
  const std::string& path = n2v::fuzz::InputPath(kName);
  n2v::fuzz::WriteInput(path, data, size);
  for (bool skip : {false, true}) {
    auto r = n2v::ReadNodeLabels(path, names, n2v::LabelReadOptions{skip});
    if (!r.ok()) {
      CheckError(r.status());
      continue;
    }
    FUZZ_CHECK(!r->nodes.empty());
    FUZZ_CHECK(r->nodes.size() == r->labels.size());
    FUZZ_CHECK(r->unlabelled_nodes == static_cast<int64_t>(names.size() - r->nodes.size()));
    for (size_t i = 0; i < r->label_names.size(); ++i) {
      FUZZ_CHECK(!r->label_names[i].empty());
      if (i > 0) FUZZ_CHECK(r->label_names[i - 1] < r->label_names[i]);
    }
    std::set<int32_t> used;
    for (size_t i = 0; i < r->nodes.size(); ++i) {
      FUZZ_CHECK(r->nodes[i] >= 0 && r->nodes[i] < static_cast<int32_t>(names.size()));
      if (i > 0) FUZZ_CHECK(r->nodes[i - 1] < r->nodes[i]);
      FUZZ_CHECK(!r->labels[i].empty());
      for (size_t k = 0; k < r->labels[i].size(); ++k) {
        FUZZ_CHECK(r->labels[i][k] >= 0 && r->labels[i][k] < r->num_labels());
        if (k > 0) FUZZ_CHECK(r->labels[i][k - 1] < r->labels[i][k]);
        used.insert(r->labels[i][k]);
      }
    }
    FUZZ_CHECK(static_cast<int32_t>(used.size()) == r->num_labels());
    if (!skip) FUZZ_CHECK(r->skipped_lines == 0 && r->skipped_nodes == 0);
  }
  return 0;
}
