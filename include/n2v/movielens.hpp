// MovieLens readers and the seed's PMI movie graph. Readers accept the files as GroupLens ships
// them (ml-latest-small, ml-25m, ml-32m: header line, CRLF or LF, RFC 4180 quoted titles).
// Twin: none (the front end is CPU code used by both backends).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "n2v/graph.hpp"

namespace n2v {

struct Movie {
  int64_t movie_id = 0;
  std::string title;
  std::string genres;  // '|'-separated, as in movies.csv
};

struct Rating {
  int32_t user_id = 0;
  int32_t movie_id = 0;
  float rating = 0;
};

/// movies.csv: movieId,title,genres. Errors name the file, line and what was expected.
absl::StatusOr<std::vector<Movie>> ReadMovies(const std::string& path);

/// ratings.csv: userId,movieId,rating,timestamp. Errors name the file, line and what was expected.
absl::StatusOr<std::vector<Rating>> ReadRatings(const std::string& path);

struct PmiOptions {
  double min_rating = 5.0;  // ratings >= this count as "liked"
  double min_weight = 10.0;  // keep edges with weight >= this
};

struct PmiStats {
  int64_t liked_ratings = 0;   // ratings >= min_rating (the seed's sum of item frequencies)
  int64_t users = 0;           // users with at least one liked rating
  int64_t pairs_counted = 0;   // co-occurrences counted (Σ over users of k(k−1)/2)
  int64_t distinct_pairs = 0;  // distinct movie pairs (the seed's len(pair_frequency))
};

/// The seed's rule: per user, count pairs of liked movies; D = log(Σ item counts);
/// weight = (log xy − log x − log y + D)·xy in double; keep weight >= min_weight; undirected.
/// Built with Boost.Graph's compressed_sparse_row_graph. Node names are movieIds as strings,
/// nodes sorted by movieId; only movies with at least one kept edge are nodes.
absl::StatusOr<Graph> BuildPmiGraph(const std::vector<Rating>& ratings, const PmiOptions& o,
                                    PmiStats* stats, int threads);

}  // namespace n2v
