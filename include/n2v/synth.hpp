// Synthetic inputs for scale tests: graphs from Boost.Graph's R-MAT, PLOD and Erdős–Rényi
// generators (as n2v::Graph), and MovieLens-format ratings with long-tailed user activity and
// movie popularity. Everything is a pure function of the options (seed included): the same
// options give the same bytes on any thread count. Twin: none (front end, CPU only).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "n2v/graph.hpp"

namespace n2v {

enum class SynthModel {
  kRmat,  // Chakrabarti et al.'s recursive matrix: skewed, community-like (Graph500's generator)
  kPlod,  // Palmer & Steffan's power-law out-degree: degree = beta · x^-alpha, x uniform
  kEr,    // Erdős–Rényi G(n, m): m distinct edges chosen uniformly
};

/// "rmat" | "plod" | "er" (as the CLI spells them); InvalidArgumentError naming the choices.
absl::StatusOr<SynthModel> ParseSynthModel(std::string_view name);
std::string_view SynthModelName(SynthModel m);

struct SynthGraphOptions {
  SynthModel model = SynthModel::kRmat;
  int64_t nodes = 1000;  // N, in [2, 2^31 − 1]; node v is named "v" (0 .. N−1)
  int64_t edges = 10000;  // M distinct edges, self-loops excluded: ≤ N(N−1)/2, or N(N−1) directed
  bool directed = false;  // undirected: each edge fills two slots with the same weight
  bool weighted = false;  // weights uniform in (0, 1] (24-bit grid); unweighted: all 1
  uint64_t seed = 1;
  int threads = 0;  // <= 0: OpenMP's default; the graph does not depend on it
  // R-MAT quadrant probabilities; d = 1 − a − b − c. Defaults are Graph500's.
  double rmat_a = 0.57, rmat_b = 0.19, rmat_c = 0.19;
  // PLOD exponent: P(degree > k) ~ k^(−1/alpha); 0.5 gives the k^−3 density of preferential
  // attachment. beta is solved for from N and M.
  double plod_alpha = 0.5;
};

struct SynthGraphStats {
  int64_t candidates = 0;  // edges drawn from the Boost generator, up to the last one used
  int64_t self_loops = 0;  // of those, dropped as u == v
  int64_t duplicates = 0;  // of those, dropped as an edge already taken
  int64_t max_degree = 0;  // largest row length of the result (out-degree when directed)
};

/// A graph of exactly `edges` distinct edges (no self-loops; for an undirected graph (u, v) and
/// (v, u) are one edge) on `nodes` nodes, as a valid n2v::Graph: sorted rows, names "0".."N−1".
/// The edges are the first M distinct ones of the model's candidate stream: R-MAT and ER streams
/// are cut into fixed chunks, each a Boost iterator driven by a std::mt19937_64 seeded from
/// (seed, chunk), so chunks are drawn in parallel and still give one sequence; PLOD is one
/// sequential stream. Errors: nodes or edges out of range (edges > the number of node pairs),
/// bad model parameters, or a model too concentrated to give M distinct edges (R-MAT at high
/// density) — InvalidArgumentError saying which and what to change.
absl::StatusOr<Graph> SynthGraph(const SynthGraphOptions& o, SynthGraphStats* stats = nullptr);

struct SynthRatingsOptions {
  int64_t users = 162541;  // ml-25m's figures are the defaults
  int64_t movies = 62423;
  int64_t ratings = 25000095;
  int64_t min_per_user = 20;  // every user rates at least this many movies (MovieLens: 20)
  double user_sigma = 1.5;    // lognormal σ of a user's ratings above the minimum
  double movie_sigma = 2.5;   // lognormal σ of a movie's popularity weight
  uint64_t seed = 1;
  int threads = 0;  // <= 0: OpenMP's default; the files do not depend on it
};

struct SynthRatingsStats {
  int64_t ratings = 0;
  int64_t max_user_ratings = 0;
  int64_t max_movie_ratings = 0;
  int64_t movies_rated = 0;  // movies with at least one rating
  double mean_rating = 0;
};

/// Writes dir/ratings.csv (userId,movieId,rating,timestamp; rows by user, then movie) and
/// dir/movies.csv (movieId,title,genres: "Synthetic Movie <id> (<year>)", 1–3 MovieLens genres),
/// each atomically; dir must exist. Exactly `ratings` rows, no repeated (user, movie), users
/// 1..U, movies 1..M. Activity: min_per_user + a lognormal share of the rest (scaled to the exact
/// total, capped at M; σ 1.5 puts the busiest of 162k users near 20–30k ratings, ml-25m's is
/// 32k). Each user's movies: weighted sampling without replacement by lognormal
/// popularity (z capped at 3.5σ so no movie is in every list). Rating: an ordered-probit draw
/// from user bias + movie quality + noise, cut at ml-25m's marginal (mean ≈ 3.53).
absl::Status WriteSynthRatings(const SynthRatingsOptions& o, const std::string& dir,
                               SynthRatingsStats* stats = nullptr);

}  // namespace n2v
