// MovieLens readers and the seed's PMI movie graph. Readers accept the files as GroupLens ships
// them (ml-latest-small, ml-25m, ml-32m: header line, CRLF or LF, RFC 4180 quoted titles).
// Twin: none (the front end is CPU code used by both backends).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "n2v/core/defaults.hpp"
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

// Both readers take the whole file in one read and accept: LF or CRLF line ends, an optional UTF-8
// byte-order mark, RFC 4180 quoted fields (commas, doubled quotes and line breaks inside quotes),
// blank lines (skipped, as pandas does), a last line with or without a line end. The header line
// must name exactly the columns below. Every failure is one line,
// `<file>:<line>: <field>: expected <what>, got '<text>'` (InvalidArgumentError), except a file
// that cannot be opened: NotFoundError (or the errno's code) naming it. A file with a header and
// no rows is an error: nothing downstream can use it.

/// movies.csv: movieId,title,genres. movieId is an integer in [0, 2^31 − 1] (it must fit the
/// ratings' int32) and unique (a duplicate names both lines); title and genres are valid UTF-8.
absl::StatusOr<std::vector<Movie>> ReadMovies(const std::string& path);

/// ratings.csv: userId,movieId,rating,timestamp. userId in [1, 2^31 − 1], movieId in
/// [0, 2^31 − 1], rating a finite number in [0, 10] (MovieLens: 0.5..5), timestamp any int64
/// (checked, not kept). Rows are returned in file order; repeated (user, movie) rows are kept.
absl::StatusOr<std::vector<Rating>> ReadRatings(const std::string& path);

struct PmiOptions {
  double min_rating = core::kSeedMinRating;  // ratings >= this count as "liked" (compared in float)
  double min_weight = core::kSeedMinWeight;  // keep edges with weight >= this; must be > 0
};

struct PmiStats {
  int64_t liked_ratings = 0;    // distinct liked (user, movie): the seed's Σ item frequencies
  int64_t duplicate_liked = 0;  // repeated liked (user, movie) rows, counted once
  int64_t users = 0;            // users with at least one liked rating
  int64_t pairs_counted = 0;    // co-occurrences counted (Σ over users of k(k−1)/2)
  int64_t distinct_pairs = 0;   // distinct movie pairs (the seed's len(pair_frequency))
};

/// The seed's rule: per user, count pairs of liked movies; D = log(Σ item counts);
/// weight = (log xy − log x − log y + D)·xy in double; keep weight >= min_weight; undirected.
/// Node names are movieIds as strings, nodes sorted by movieId; only movies with at least one
/// kept edge are nodes. A user's liked movies are a set (a repeated rating counts once).
/// Memory: the graph (8 B per edge slot) + ~3 B per kept edge while it is built + O(liked
/// ratings + threads × liked movies); time: O(Σ over users of k²) counting, parallel over movie
/// rows. threads <= 0 means OpenMP's default. When no rating is liked or no pair reaches
/// min_weight, returns InvalidArgumentError with the counts (and fills `stats` as far as it got).
/// The graph does not depend on `threads`.
absl::StatusOr<Graph> BuildPmiGraph(const std::vector<Rating>& ratings, const PmiOptions& o,
                                    PmiStats* stats, int threads);

}  // namespace n2v
