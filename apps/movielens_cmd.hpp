// `n2v movielens`: the seed's whole job (PMI movie graph, walks, skip-gram, similar movies,
// exports) with every knob as a flag, bound to n2v::MovieLensOptions (defaults = the seed's).
#pragma once

#include <string>

#include "CLI/CLI.hpp"
#include "n2v/options.hpp"

namespace n2v::app {

struct MovieLensFlags {
  MovieLensOptions opt;
  std::string out = "n2v-out/movielens";
  std::string device = opt.device.Name();
  bool quiet = false;
  bool dump_config = false;
};

/// Adds the subcommand and its flags to `app`; the flags are written into `flags`.
CLI::App* AddMovieLensCommand(CLI::App& app, MovieLensFlags& flags);

/// Runs the job (n2v::RunMovieLens, then the exports); returns the process exit code.
int RunMovieLens(const MovieLensFlags& flags);

}  // namespace n2v::app
