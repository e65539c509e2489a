// `n2v synth graph` (R-MAT, PLOD, Erdős–Rényi graphs from Boost.Graph's generators) and
// `n2v synth ratings` (MovieLens-format ratings with long-tailed activity), for scale tests.
#pragma once

#include <cstdint>
#include <string>

#include "CLI/CLI.hpp"

namespace n2v::app {

struct SynthFlags {
  // graph
  std::string model = "rmat";
  int64_t nodes = 100000;
  int64_t edges = 1000000;
  bool weighted = false;
  bool directed = false;
  // ratings (ml-25m's size by default)
  int64_t users = 162541;
  int64_t movies = 62423;
  int64_t ratings = 25000095;
  // both
  std::string output;
  uint64_t seed = 1;
  int threads = 0;
  bool quiet = false;
};

/// Adds `synth` with its `graph` and `ratings` subcommands.
CLI::App* AddSynthCommand(CLI::App& app, SynthFlags& f);
int RunSynth(CLI::App* synth, const SynthFlags& f);

}  // namespace n2v::app
