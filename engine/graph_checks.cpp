// n2v::CheckGraphHasEdges (n2v.hpp): the input checks every front door shares.
#include <string>

#include "absl/strings/str_cat.h"
#include "n2v/n2v.hpp"

namespace n2v {

absl::Status CheckGraphHasEdges(const Graph& g, std::string_view input) {
  if (g.num_nodes() == 0) {
    return absl::InvalidArgumentError(absl::StrCat(std::string(input), ": the graph has no nodes"));
  }
  if (g.num_edge_slots() == 0) {
    // Every walk would be its start node alone: no pairs to train on, no split to evaluate.
    return absl::InvalidArgumentError(absl::StrCat(
        std::string(input), ": the graph has ", g.num_nodes(), " nodes but no edges; walks need edges"));
  }
  return absl::OkStatus();
}

}  // namespace n2v
