// Turns a user's movie query (an exact title or a movieId) into a node of the movie graph, with
// a helpful message naming the closest titles when nothing matches.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "n2v/graph.hpp"
#include "n2v/movielens.hpp"

namespace n2v {

/// Levenshtein distance between two byte strings (callers lower-case first where case should not
/// count); used to suggest the closest titles or keys for a query that matches nothing.
size_t EditDistance(const std::string& a, const std::string& b);

class MovieIndex {
 public:
  /// `graph_names` are the graph's node names (movieIds as decimal strings).
  MovieIndex(const std::vector<Movie>& movies, const std::vector<std::string>& graph_names);

  /// Node of the movie whose exact title or movieId is `query`; NotFound with the closest
  /// titles, or FailedPrecondition when the movie exists but is not in the graph.
  absl::StatusOr<int32_t> Resolve(const std::string& query) const;

  /// Title of node `node` (its movieId when movies.csv does not list it).
  const std::string& Title(int32_t node) const { return node_title_[node]; }
  const std::string& Genres(int32_t node) const { return node_genres_[node]; }

  /// Up to `n` titles closest to `query` (substring matches first, then edit distance).
  std::vector<std::string> Closest(const std::string& query, size_t n) const;

 private:
  const std::vector<Movie>& movies_;
  std::vector<int32_t> movie_to_node_;  // per movies_ entry, node or -1
  std::vector<std::string> node_title_;
  std::vector<std::string> node_genres_;
};

}  // namespace n2v
