// A synthetic graph for a test (n2v::SynthGraph with the test's options), failing the test when
// the generator does: one helper for every test file that needs an R-MAT, PLOD or ER graph.
#pragma once

#include <utility>

#include "gtest/gtest.h"
#include "n2v/graph.hpp"
#include "n2v/synth.hpp"

namespace n2v::testing {

inline Graph SynthTestGraph(const SynthGraphOptions& o) {
  absl::StatusOr<Graph> g = SynthGraph(o);
  EXPECT_TRUE(g.ok()) << g.status();
  return g.ok() ? *std::move(g) : Graph{};
}

}  // namespace n2v::testing
