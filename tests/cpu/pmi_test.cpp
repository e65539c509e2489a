// Tests of the PMI movie graph against the seed: ml-latest-small gives the seed's 1405 nodes and
// 40043 edges, and every edge and weight equals a straightforward std::map port of the seed's
// Python (its own CSV parsing, its own loops), within float rounding.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "n2v/movielens.hpp"
#include "n2v/synth.hpp"

namespace n2v {
namespace {

using ::testing::HasSubstr;

const std::string kRatingsPath = std::string(N2V_SOURCE_DIR) + "/data/ml-latest-small/ratings.csv";

// --- the reference: the seed's Python, line for line --------------------------------------------

struct Reference {
  std::map<std::pair<int, int>, double> edges;  // (smaller movieId, larger movieId) -> weight
  int64_t users = 0;
  int64_t liked = 0;
  int64_t pairs_counted = 0;
  int64_t distinct_pairs = 0;
};

/// ratings.csv read with getline/stod (independent of ReadRatings), then the seed's loops with
/// "movie_<id>" string keys, so min/max and the subtraction order are the seed's exactly.
Reference SeedReference(const std::string& path, double min_rating, double min_weight) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);                                  // header
  std::map<int, std::vector<std::string>> movies_by_user;  // groupby("userId"), rows in file order
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    const size_t a = line.find(','), b = line.find(',', a + 1), c = line.find(',', b + 1);
    const int user = std::stoi(line.substr(0, a));
    const std::string movie = "movie_" + line.substr(a + 1, b - a - 1);
    const double rating = std::stod(line.substr(b + 1, c - b - 1));
    if (rating >= min_rating) movies_by_user[user].push_back(movie);
  }
  Reference ref;
  std::map<std::string, int> item_frequency;
  std::map<std::pair<std::string, std::string>, int> pair_frequency;
  for (const auto& [user, current_movies] : movies_by_user) {
    ++ref.users;
    for (size_t i = 0; i < current_movies.size(); ++i) {
      item_frequency[current_movies[i]] += 1;
      for (size_t j = i + 1; j < current_movies.size(); ++j) {
        const std::string& x = std::min(current_movies[i], current_movies[j]);
        const std::string& y = std::max(current_movies[i], current_movies[j]);
        pair_frequency[{x, y}] += 1;
        ++ref.pairs_counted;
      }
    }
  }
  int64_t total = 0;
  for (const auto& [movie, f] : item_frequency) total += f;
  ref.liked = total;
  ref.distinct_pairs = static_cast<int64_t>(pair_frequency.size());
  const double D = std::log(static_cast<double>(total));
  for (const auto& [pair, xy_frequency] : pair_frequency) {
    const auto& [x, y] = pair;
    const int x_frequency = item_frequency[x];
    const int y_frequency = item_frequency[y];
    const double pmi = std::log(xy_frequency) - std::log(x_frequency) - std::log(y_frequency) + D;
    const double weight = pmi * xy_frequency;
    if (weight >= min_weight) {
      const int a = std::stoi(x.substr(6)), b = std::stoi(y.substr(6));
      ref.edges[{std::min(a, b), std::max(a, b)}] = weight;
    }
  }
  return ref;
}

/// Checks the CSR invariants every consumer relies on: sorted rows, no self-loops, symmetry with
/// equal weights both ways, positive finite weights.
void ExpectWellFormedUndirected(const Graph& g) {
  ASSERT_FALSE(g.directed);
  ASSERT_EQ(g.offsets.size(), static_cast<size_t>(g.num_nodes()) + 1);
  ASSERT_EQ(g.offsets.front(), 0);
  ASSERT_EQ(g.offsets.back(), g.num_edge_slots());
  ASSERT_EQ(g.weights.size(), g.neighbors.size());
  ASSERT_EQ(g.names.size(), static_cast<size_t>(g.num_nodes()));
  for (int32_t v = 0; v < g.num_nodes(); ++v) {
    for (int64_t e = g.offsets[v]; e < g.offsets[v + 1]; ++e) {
      const int32_t u = g.neighbors[e];
      ASSERT_GE(u, 0);
      ASSERT_LT(u, g.num_nodes());
      ASSERT_NE(u, v) << "self-loop at " << v;
      if (e > g.offsets[v]) {
        ASSERT_LT(g.neighbors[e - 1], u) << "row " << v << " not sorted";
      }
      ASSERT_TRUE(std::isfinite(g.weights[e]) && g.weights[e] > 0);
      const auto* b = g.neighbors.data() + g.offsets[u];
      const auto* end = g.neighbors.data() + g.offsets[u + 1];
      const auto* it = std::lower_bound(b, end, v);
      ASSERT_TRUE(it != end && *it == v) << "edge " << v << "->" << u << " has no reverse";
      ASSERT_EQ(g.weights[it - g.neighbors.data()], g.weights[e]);
    }
  }
}

/// Every edge is the reference's with its weight; together they are all of the reference's.
void ExpectMatchesReference(const Graph& g, const Reference& ref) {
  std::map<std::pair<int, int>, float> got;
  for (int32_t v = 0; v < g.num_nodes(); ++v) {
    for (int64_t e = g.offsets[v]; e < g.offsets[v + 1]; ++e) {
      const int a = std::stoi(g.names[v]), b = std::stoi(g.names[g.neighbors[e]]);
      if (a < b) got[{a, b}] = g.weights[e];
    }
  }
  ASSERT_EQ(got.size(), ref.edges.size());
  int64_t bit_equal = 0;
  for (const auto& [key, w] : ref.edges) {
    const auto it = got.find(key);
    ASSERT_TRUE(it != got.end()) << "missing edge " << key.first << "-" << key.second;
    // The graph stores float: rounding the double to nearest float errs by <= 2^-24 relative.
    EXPECT_NEAR(it->second, w, std::ldexp(std::abs(w), -24)) << key.first << "-" << key.second;
    bit_equal += it->second == static_cast<float>(w);
  }
  // Same operations in the same order on the same libm: the doubles agree to the bit.
  EXPECT_EQ(bit_equal, static_cast<int64_t>(ref.edges.size()));
}

// --- ml-latest-small ----------------------------------------------------------------------------

TEST(BuildPmiGraph, MlLatestSmallMatchesTheSeedEdgeForEdge) {
  const auto t0 = std::chrono::steady_clock::now();
  const auto ratings = ReadRatings(kRatingsPath);
  ASSERT_TRUE(ratings.ok()) << ratings.status();
  const auto t1 = std::chrono::steady_clock::now();
  PmiStats stats;
  const auto g = BuildPmiGraph(*ratings, PmiOptions{}, &stats, 2);
  const auto t2 = std::chrono::steady_clock::now();
  ASSERT_TRUE(g.ok()) << g.status();
  const auto ms = [](auto a, auto b) {
    return std::chrono::duration<double, std::milli>(b - a).count();
  };
  std::printf(
      "parse %.1f ms + build %.1f ms: %d nodes, %lld edges, %lld liked ratings, "
      "%lld users, %lld pairs counted, %lld distinct pairs\n",
      ms(t0, t1), ms(t1, t2), g->num_nodes(), static_cast<long long>(g->num_edges()),
      static_cast<long long>(stats.liked_ratings), static_cast<long long>(stats.users),
      static_cast<long long>(stats.pairs_counted), static_cast<long long>(stats.distinct_pairs));

  // The seed's printed figures.
  EXPECT_EQ(g->num_nodes(), 1405);
  EXPECT_EQ(g->num_edges(), 40043);
  EXPECT_EQ(stats.users, 573);              // "573/573" groups in the seed's progress bar
  EXPECT_EQ(stats.distinct_pairs, 298586);  // "298586/298586" pairs in the seed's progress bar
  EXPECT_NEAR(2.0 * g->num_edges() / g->num_nodes(), 57.0, 0.005);  // "Average node degree: 57.0"

  const Reference ref = SeedReference(kRatingsPath, 5.0, 10.0);
  EXPECT_EQ(stats.liked_ratings, ref.liked);
  EXPECT_EQ(stats.duplicate_liked, 0);
  EXPECT_EQ(stats.users, ref.users);
  EXPECT_EQ(stats.pairs_counted, ref.pairs_counted);
  EXPECT_EQ(stats.distinct_pairs, ref.distinct_pairs);

  ExpectWellFormedUndirected(*g);
  // Names: numeric movieIds, ascending.
  for (int32_t v = 1; v < g->num_nodes(); ++v) {
    ASSERT_LT(std::stoi(g->names[v - 1]), std::stoi(g->names[v]));
  }
  ExpectMatchesReference(*g, ref);
}

TEST(BuildPmiGraph, ThreadCountDoesNotChangeTheGraph) {
  const auto ratings = ReadRatings(kRatingsPath);
  ASSERT_TRUE(ratings.ok()) << ratings.status();
  const auto one = BuildPmiGraph(*ratings, PmiOptions{}, nullptr, 1);
  ASSERT_TRUE(one.ok()) << one.status();
  for (const int threads : {2, 3, 8}) {
    const auto many = BuildPmiGraph(*ratings, PmiOptions{}, nullptr, threads);
    ASSERT_TRUE(many.ok()) << many.status();
    EXPECT_EQ(many->offsets, one->offsets) << threads << " threads";
    EXPECT_EQ(many->neighbors, one->neighbors) << threads << " threads";
    EXPECT_EQ(many->weights, one->weights) << threads << " threads";
    EXPECT_EQ(many->names, one->names) << threads << " threads";
  }
}

TEST(BuildPmiGraph, OtherThresholdsMatchTheReference) {
  const auto ratings = ReadRatings(kRatingsPath);
  ASSERT_TRUE(ratings.ok()) << ratings.status();
  const PmiOptions o{4.5, 15.0};  // min_rating, min_weight
  PmiStats stats;
  const auto g = BuildPmiGraph(*ratings, o, &stats, 2);
  ASSERT_TRUE(g.ok()) << g.status();
  const Reference ref = SeedReference(kRatingsPath, o.min_rating, o.min_weight);
  EXPECT_EQ(g->num_edges(), static_cast<int64_t>(ref.edges.size()));
  EXPECT_EQ(stats.distinct_pairs, ref.distinct_pairs);
  EXPECT_EQ(stats.liked_ratings, ref.liked);
  ExpectWellFormedUndirected(*g);
  ExpectMatchesReference(*g, ref);
}

// --- synthetic ratings: dense rows, many nodes
// ----------------------------------------------------

TEST(BuildPmiGraph, DenseSyntheticRatingsMatchTheReference) {
  // Heavy users and a low min_rating make most rows dense (the counter-scan path) and give more
  // nodes than one transpose block (2048 rows), split over threads: the paths ml-latest-small at
  // min_rating 5 barely touches. Seed 11, printed on failure by the reference's counts.
  SynthRatingsOptions so;
  so.users = 120;
  so.movies = 8000;
  so.ratings = 12000;
  so.user_sigma = 1.0;  // a milder tail: the std::map reference pays ~1 µs per pair
  so.seed = 11;
  const std::string dir = ::testing::TempDir() + "/n2v_pmi_synth_" + std::to_string(::getpid());
  std::filesystem::create_directories(dir);
  ASSERT_TRUE(WriteSynthRatings(so, dir).ok());
  const std::string path = dir + "/ratings.csv";
  const auto ratings = ReadRatings(path);
  ASSERT_TRUE(ratings.ok()) << ratings.status();
  const PmiOptions o{3.0, 5.0};  // min_rating, min_weight
  PmiStats stats;
  const auto g = BuildPmiGraph(*ratings, o, &stats, 2);
  ASSERT_TRUE(g.ok()) << g.status();
  ASSERT_GT(g->num_nodes(), 2048) << "the test no longer spans two transpose blocks";
  const Reference ref = SeedReference(path, o.min_rating, o.min_weight);
  EXPECT_EQ(stats.liked_ratings, ref.liked);
  EXPECT_EQ(stats.users, ref.users);
  EXPECT_EQ(stats.pairs_counted, ref.pairs_counted);
  EXPECT_EQ(stats.distinct_pairs, ref.distinct_pairs);
  ExpectWellFormedUndirected(*g);
  ExpectMatchesReference(*g, ref);
  for (const int threads : {1, 3}) {
    const auto other = BuildPmiGraph(*ratings, o, nullptr, threads);
    ASSERT_TRUE(other.ok()) << other.status();
    EXPECT_EQ(other->offsets, g->offsets) << threads << " threads";
    EXPECT_EQ(other->neighbors, g->neighbors) << threads << " threads";
    EXPECT_EQ(other->weights, g->weights) << threads << " threads";
  }
  std::filesystem::remove_all(dir);
}

// --- small cases
// ----------------------------------------------------------------------------------

TEST(BuildPmiGraph, NodesAreSortedByNumericMovieIdAndDuplicatesCountOnce) {
  // Users 1 and 2 both like movies 9, 10 and 100; user 1 rated movie 10 twice. Each pair has
  // xy = 2, x = y = 2, D = log 6: weight = 2·(log 2 − 2 log 2 + log 6) = 2 log 3.
  const std::vector<Rating> ratings = {{1, 100, 5}, {1, 10, 5},  {1, 9, 5},  {2, 9, 5},
                                       {2, 10, 5},  {2, 100, 5}, {1, 10, 5}, {3, 50, 2}};
  PmiStats stats;
  const auto g = BuildPmiGraph(ratings, PmiOptions{5.0, 1.0}, &stats, 2);
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ(g->names, (std::vector<std::string>{"9", "10", "100"}));
  EXPECT_EQ(g->num_edges(), 3);
  EXPECT_EQ(stats.liked_ratings, 6);
  EXPECT_EQ(stats.duplicate_liked, 1);
  EXPECT_EQ(stats.users, 2);
  EXPECT_EQ(stats.pairs_counted, 6);
  EXPECT_EQ(stats.distinct_pairs, 3);
  ExpectWellFormedUndirected(*g);
  for (const float w : g->weights) EXPECT_FLOAT_EQ(w, static_cast<float>(2 * std::log(3.0)));
}

TEST(BuildPmiGraph, MinRatingComparesAsStoredFloats) {
  // 4.7 is not a float; a rating read as "4.7" must still pass --min-rating 4.7, as in pandas.
  const std::vector<Rating> ratings = {{1, 1, 4.7f}, {1, 2, 4.7f}, {2, 1, 4.7f}, {2, 2, 4.7f}};
  const auto g = BuildPmiGraph(ratings, PmiOptions{4.7, 0.1}, nullptr, 1);
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ(g->num_edges(), 1);
}

TEST(BuildPmiGraph, NoEdgeIsAnErrorWithTheCounts) {
  const std::vector<Rating> ratings = {{1, 1, 5}, {1, 2, 5}, {2, 1, 5}, {3, 3, 5}};
  PmiStats stats;
  const auto g = BuildPmiGraph(ratings, PmiOptions{5.0, 1000.0}, &stats, 2);
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.status().code(), absl::StatusCode::kInvalidArgument);
  const std::string msg(g.status().message());
  EXPECT_THAT(msg, HasSubstr("no movie pair reaches min_weight 1000"));
  EXPECT_THAT(msg, HasSubstr("4 liked ratings from 3 users, 1 distinct pairs"));
  EXPECT_EQ(stats.liked_ratings, 4);  // filled as far as it got

  const auto none_liked = BuildPmiGraph(ratings, PmiOptions{5.5, 10.0}, nullptr, 1);
  ASSERT_FALSE(none_liked.ok());
  EXPECT_THAT(std::string(none_liked.status().message()),
              HasSubstr("no rating >= min_rating 5.5 among 4 ratings"));

  const auto empty = BuildPmiGraph({}, PmiOptions{}, nullptr, 1);
  ASSERT_FALSE(empty.ok());
  EXPECT_THAT(std::string(empty.status().message()), HasSubstr("among 0 ratings"));
}

TEST(BuildPmiGraph, RejectsNonPositiveMinWeight) {
  const std::vector<Rating> ratings = {{1, 1, 5}, {1, 2, 5}};
  for (const double w : {0.0, -1.0, std::nan("")}) {
    const auto g = BuildPmiGraph(ratings, PmiOptions{5.0, w}, nullptr, 1);
    ASSERT_FALSE(g.ok()) << w;
    EXPECT_THAT(std::string(g.status().message()), HasSubstr("min_weight: expected"));
  }
}

TEST(BuildPmiGraph, SparseHugeMovieIdsUseTheSortedIdPath) {
  // Ids spread over the int32 range are mapped by binary search instead of a direct table.
  const std::vector<Rating> ratings = {{1, 2000000000, 5}, {1, 7, 5}, {2, 2000000000, 5},
                                       {2, 7, 5},          {3, 0, 5}, {3, 7, 5}};
  const auto g = BuildPmiGraph(ratings, PmiOptions{5.0, 0.1}, nullptr, 2);
  ASSERT_TRUE(g.ok()) << g.status();
  // 7–2000000000: xy 2, x 3, y 2, D log 6: 2·(log 2 − log 3 − log 2 + log 6) = 2 log 2 > 0.1.
  // 0–7: xy 1, x 1, y 3: log 1 − log 1 − log 3 + log 6 = log 2 > 0.1.
  EXPECT_EQ(g->names, (std::vector<std::string>{"0", "7", "2000000000"}));
  EXPECT_EQ(g->num_edges(), 2);
  ExpectWellFormedUndirected(*g);
}

}  // namespace
}  // namespace n2v
