// The n2v command line as one object: the top-level CLI11 app, every subcommand, and the flag
// structs its options write into. main.cpp parses argv with it and dispatches;
// fuzz/config_fuzzer.cpp parses hostile --config files through the very same app.
#pragma once

#include <cstdio>
#include <optional>

#include "CLI/CLI.hpp"
#include "apps/eval_cmd.hpp"
#include "apps/movielens_cmd.hpp"
#include "apps/similar_cmd.hpp"
#include "apps/synth_cmd.hpp"
#include "apps/train_cmd.hpp"

namespace n2v::app {

struct Cli {
  Cli();
  Cli(const Cli&) = delete;  // the app's options point into the flag structs below
  Cli& operator=(const Cli&) = delete;

  /// Parses argv (flags, then --config's file under them). Returns nullopt when a subcommand is
  /// ready to run; otherwise the exit code, after --help/--version output on stdout or one line
  /// of error on `err` ("n2v: <file>: ..." for a bad config file). Never throws.
  std::optional<int> Parse(int argc, const char* const* argv, std::FILE* err = stderr);

  CLI::App app;
  MovieLensFlags ml;
  SimilarFlags sim;
  TrainFlags train;
  WalkCmdFlags walk;
  GraphCmdFlags graph;
  EvalFlags eval;
  SynthFlags synth;
  CLI::App* ml_cmd = nullptr;
  CLI::App* dev_cmd = nullptr;
  CLI::App* sim_cmd = nullptr;
  CLI::App* train_cmd = nullptr;
  CLI::App* walk_cmd = nullptr;
  CLI::App* graph_cmd = nullptr;
  CLI::App* eval_cmd = nullptr;
  CLI::App* synth_cmd = nullptr;
};

}  // namespace n2v::app
