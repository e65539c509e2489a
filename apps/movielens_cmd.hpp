// `n2v movielens`: the seed's whole job (PMI movie graph, walks, skip-gram, similar movies,
// exports) with every knob as a flag, defaults = the seed's.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"

namespace n2v::app {

struct MovieLensFlags {
  std::string data = "data/ml-latest-small";
  std::string out = "n2v-out/movielens";
  double min_rating = 5.0;
  double min_weight = 10.0;
  double p = 1.0;
  double q = 1.0;
  uint32_t num_walks = 5;
  uint32_t num_steps = 10;
  int64_t window = -1;  // -1: num_steps, as the seed
  uint32_t negatives = 4;
  int32_t dim = 50;
  int32_t epochs = 10;
  int32_t batch = 1024;
  double lr = 1e-3;
  double l2 = 1e-6;
  int k = 5;
  std::vector<std::string> queries = {
      "Matrix, The (1999)", "Star Wars: Episode IV - A New Hope (1977)", "Lion King, The (1994)",
      "Terminator 2: Judgment Day (1991)", "Godfather, The (1972)"};
  int threads = 0;
  uint64_t seed = 42;
  std::string device = "auto";
  bool quiet = false;
  bool dump_config = false;
};

/// Adds the subcommand and its flags to `app`; the flags are written into `flags`.
CLI::App* AddMovieLensCommand(CLI::App& app, MovieLensFlags& flags);

/// Runs the job; returns the process exit code.
int RunMovieLens(const MovieLensFlags& flags);

}  // namespace n2v::app
