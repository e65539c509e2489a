// `n2v similar`: nearest neighbours by cosine similarity in a saved embedding table (word2vec
// text or binary, or .npy with ids), by key or, with --movies, by MovieLens title or movieId.
#pragma once

#include <string>
#include <vector>

#include "CLI/CLI.hpp"

namespace n2v::app {

struct SimilarFlags {
  std::string embeddings;
  std::vector<std::string> queries;  // empty: read from stdin (a prompt when it is a terminal)
  int k = 5;
  bool json = false;
  std::string movies;  // movies.csv: queries by title, results with titles
  int threads = 0;
};

/// Adds the subcommand and its flags to `app`; the flags are written into `f`.
CLI::App* AddSimilarCommand(CLI::App& app, SimilarFlags& f);

/// Runs the queries; returns the process exit code (2 for an unknown or ambiguous query).
int RunSimilar(const SimilarFlags& f);

}  // namespace n2v::app
