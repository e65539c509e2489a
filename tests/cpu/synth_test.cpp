// Tests of the synthetic generators: graphs have exactly the requested nodes and distinct edges
// as a well-formed CSR, R-MAT and PLOD degrees are heavy-tailed and ER's are not, results are a
// function of the options only (not of threads), bad options are clear errors; synthetic ratings
// parse with the project's own readers and have the requested shape.
#include "n2v/synth.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "n2v/movielens.hpp"

namespace n2v {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

// --- graphs -------------------------------------------------------------------------------------

/// Sorted rows without self-loops or repeats, names "0".."N−1", weights in (0, 1] (all 1 when
/// unweighted), and for an undirected graph every edge present both ways with one weight.
void ExpectValidSynthGraph(const Graph& g, const SynthGraphOptions& o) {
  ASSERT_EQ(g.num_nodes(), o.nodes);
  ASSERT_EQ(g.directed, o.directed);
  ASSERT_EQ(g.num_edges(), o.edges);
  ASSERT_EQ(g.num_edge_slots(), o.directed ? o.edges : 2 * o.edges);
  ASSERT_EQ(g.offsets.front(), 0);
  ASSERT_EQ(g.offsets.back(), g.num_edge_slots());
  ASSERT_EQ(g.weights.size(), g.neighbors.size());
  for (int32_t v = 0; v < g.num_nodes(); ++v) {
    ASSERT_EQ(g.names[v], std::to_string(v));
    for (int64_t e = g.offsets[v]; e < g.offsets[v + 1]; ++e) {
      const int32_t u = g.neighbors[e];
      ASSERT_GE(u, 0);
      ASSERT_LT(u, g.num_nodes());
      ASSERT_NE(u, v) << "self-loop at " << v;
      if (e > g.offsets[v]) {
        ASSERT_LT(g.neighbors[e - 1], u) << "row " << v << " unsorted or repeated";
      }
      if (o.weighted) {
        ASSERT_GT(g.weights[e], 0.0f);
        ASSERT_LE(g.weights[e], 1.0f);
      } else {
        ASSERT_EQ(g.weights[e], 1.0f);
      }
      if (!o.directed) {
        const auto* b = g.neighbors.data() + g.offsets[u];
        const auto* end = g.neighbors.data() + g.offsets[u + 1];
        const auto* it = std::lower_bound(b, end, v);
        ASSERT_TRUE(it != end && *it == v) << v << "->" << u << " has no reverse";
        ASSERT_EQ(g.weights[it - g.neighbors.data()], g.weights[e]);
      }
    }
  }
}

struct Degrees {
  int64_t max = 0;
  double mean = 0;
};
Degrees DegreesOf(const Graph& g) {
  Degrees d;
  for (int32_t v = 0; v < g.num_nodes(); ++v)
    d.max = std::max(d.max, g.offsets[v + 1] - g.offsets[v]);
  d.mean = static_cast<double>(g.num_edge_slots()) / g.num_nodes();
  return d;
}

struct GraphCase {
  SynthModel model;
  bool directed;
  bool weighted;
};

class SynthGraphTest : public ::testing::TestWithParam<GraphCase> {};

TEST_P(SynthGraphTest, ExactSizeValidCsrAndDeterministic) {
  SynthGraphOptions o;
  o.model = GetParam().model;
  o.directed = GetParam().directed;
  o.weighted = GetParam().weighted;
  o.nodes = 5000;
  o.edges = 60000;
  o.seed = 7;
  o.threads = 2;
  SynthGraphStats st;
  const auto g = SynthGraph(o, &st);
  ASSERT_TRUE(g.ok()) << g.status();
  ExpectValidSynthGraph(*g, o);
  // Every candidate is accounted for: taken, a self-loop or a repeat.
  EXPECT_GE(st.candidates - st.self_loops - st.duplicates, o.edges);
  EXPECT_EQ(st.max_degree, DegreesOf(*g).max);

  for (const int threads : {1, 3}) {
    SynthGraphOptions again = o;
    again.threads = threads;
    const auto h = SynthGraph(again);
    ASSERT_TRUE(h.ok()) << h.status();
    EXPECT_EQ(h->offsets, g->offsets) << threads << " threads, seed " << o.seed;
    EXPECT_EQ(h->neighbors, g->neighbors) << threads << " threads, seed " << o.seed;
    EXPECT_EQ(h->weights, g->weights) << threads << " threads, seed " << o.seed;
  }
  SynthGraphOptions other = o;
  other.seed = 8;
  const auto h = SynthGraph(other);
  ASSERT_TRUE(h.ok()) << h.status();
  EXPECT_NE(h->neighbors, g->neighbors) << "seeds 7 and 8 gave the same graph";
}

INSTANTIATE_TEST_SUITE_P(Models, SynthGraphTest,
                         ::testing::Values(GraphCase{SynthModel::kRmat, false, false},
                                           GraphCase{SynthModel::kRmat, true, true},
                                           GraphCase{SynthModel::kPlod, false, true},
                                           GraphCase{SynthModel::kPlod, true, false},
                                           GraphCase{SynthModel::kEr, false, true},
                                           GraphCase{SynthModel::kEr, true, false}),
                         [](const auto& info) {
                           return std::string(SynthModelName(info.param.model)) +
                                  (info.param.directed ? "_directed" : "_undirected") +
                                  (info.param.weighted ? "_weighted" : "");
                         });

TEST(SynthGraph, RmatAndPlodAreHeavyTailedErIsNot) {
  // Mean degree 20 on 20k nodes. ER's degrees are Binomial (≈ Poisson(20)): the largest of 20k
  // is ~40, under 3× the mean. R-MAT's hubs and PLOD's power-law draws exceed 5× the mean
  // (measured: R-MAT ~80×, PLOD ~7×).
  for (const SynthModel model : {SynthModel::kRmat, SynthModel::kPlod, SynthModel::kEr}) {
    SynthGraphOptions o;
    o.model = model;
    o.nodes = 20000;
    o.edges = 200000;
    o.seed = 3;
    const auto g = SynthGraph(o);
    ASSERT_TRUE(g.ok()) << g.status();
    const Degrees d = DegreesOf(*g);
    if (model == SynthModel::kEr) {
      EXPECT_LT(d.max, 3 * d.mean) << "er max degree " << d.max << ", mean " << d.mean;
    } else {
      EXPECT_GT(d.max, 5 * d.mean)
          << SynthModelName(model) << " max degree " << d.max << ", mean " << d.mean;
    }
  }
}

TEST(SynthGraph, ErCanFillEveryPair) {
  // M = every pair: the coupon collector's case of the distinct-edge stream.
  for (const bool directed : {false, true}) {
    SynthGraphOptions o;
    o.model = SynthModel::kEr;
    o.nodes = 12;
    o.directed = directed;
    o.edges = directed ? 12 * 11 : 12 * 11 / 2;
    const auto g = SynthGraph(o);
    ASSERT_TRUE(g.ok()) << g.status();
    ExpectValidSynthGraph(*g, o);
    for (int32_t v = 0; v < g->num_nodes(); ++v) EXPECT_EQ(g->offsets[v + 1] - g->offsets[v], 11);
  }
}

TEST(SynthGraph, BadOptionsAreClearErrors) {
  const auto error = [](const SynthGraphOptions& o) {
    const auto g = SynthGraph(o);
    EXPECT_FALSE(g.ok());
    EXPECT_EQ(g.status().code(), absl::StatusCode::kInvalidArgument);
    return std::string(g.status().message());
  };
  SynthGraphOptions o;
  o.nodes = 0;
  EXPECT_THAT(error(o), HasSubstr("nodes: expected an integer in [2, 2147483647], got 0"));
  o.nodes = int64_t{1} << 31;
  EXPECT_THAT(error(o), HasSubstr("got 2147483648"));

  o = SynthGraphOptions{};
  o.model = SynthModel::kEr;
  o.nodes = 100;
  o.edges = 4951;  // 100·99/2 = 4950 pairs
  EXPECT_THAT(error(o), HasSubstr("edges: expected an integer in [1, 4950]"));
  EXPECT_THAT(error(o), HasSubstr("100 nodes have 4950 node pairs"));
  o.directed = true;
  o.edges = 9901;
  EXPECT_THAT(error(o), HasSubstr("[1, 9900]"));
  o.edges = 0;
  EXPECT_THAT(error(o), HasSubstr("got 0"));

  o = SynthGraphOptions{};
  o.rmat_a = 0.6;
  o.rmat_b = 0.3;
  o.rmat_c = 0.2;  // d < 0
  EXPECT_THAT(error(o), HasSubstr("a + b + c <= 1"));
  o.rmat_a = std::nan("");
  EXPECT_THAT(error(o), HasSubstr("rmat: expected probabilities"));

  o = SynthGraphOptions{};
  o.model = SynthModel::kPlod;
  o.plod_alpha = 0;
  EXPECT_THAT(error(o), HasSubstr("plod: alpha: expected a finite number > 0, got 0"));

  // R-MAT cannot fill every pair: with N = 100 (not a power of two) ids 97..99 are never drawn.
  o = SynthGraphOptions{};
  o.nodes = 100;
  o.edges = 4950;
  EXPECT_THAT(error(o), HasSubstr("too dense"));

  const auto model = ParseSynthModel("ba");
  ASSERT_FALSE(model.ok());
  EXPECT_THAT(std::string(model.status().message()),
              HasSubstr("expected rmat, plod or er, got 'ba'"));
  EXPECT_EQ(*ParseSynthModel("plod"), SynthModel::kPlod);
}

// --- ratings ------------------------------------------------------------------------------------

std::string TempDir(const std::string& name) {
  const std::string dir =
      ::testing::TempDir() + "/n2v_synth_" + std::to_string(::getpid()) + "_" + name;
  fs::create_directories(dir);
  return dir;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

SynthRatingsOptions SmallRatings() {
  SynthRatingsOptions o;
  o.users = 400;
  o.movies = 600;
  o.ratings = 40000;  // mean 100 per user
  o.seed = 5;
  o.threads = 2;
  return o;
}

TEST(WriteSynthRatings, FilesParseWithTheReadersAndHaveTheRequestedShape) {
  const SynthRatingsOptions o = SmallRatings();
  const std::string dir = TempDir("shape");
  SynthRatingsStats st;
  ASSERT_TRUE(WriteSynthRatings(o, dir, &st).ok());
  const auto ratings = ReadRatings(dir + "/ratings.csv");
  ASSERT_TRUE(ratings.ok()) << ratings.status();
  const auto movies = ReadMovies(dir + "/movies.csv");
  ASSERT_TRUE(movies.ok()) << movies.status();

  ASSERT_EQ(static_cast<int64_t>(ratings->size()), o.ratings);
  ASSERT_EQ(static_cast<int64_t>(movies->size()), o.movies);
  EXPECT_EQ(st.ratings, o.ratings);
  for (int64_t i = 0; i < o.movies; ++i) {
    const Movie& m = (*movies)[i];
    EXPECT_EQ(m.movie_id, i + 1);
    EXPECT_THAT(m.title, ::testing::MatchesRegex("Synthetic Movie [0-9]+ \\((19|20)[0-9][0-9]\\)"));
    EXPECT_THAT(m.title, HasSubstr("Movie " + std::to_string(i + 1) + " ("));
    EXPECT_THAT(m.genres, ::testing::MatchesRegex("[A-Za-z|-]+"));
  }

  std::set<std::pair<int32_t, int32_t>> pairs;
  std::map<int32_t, int64_t> per_user, per_movie;
  double sum = 0;
  for (size_t i = 0; i < ratings->size(); ++i) {
    const Rating& r = (*ratings)[i];
    ASSERT_GE(r.user_id, 1);
    ASSERT_LE(r.user_id, o.users);
    ASSERT_GE(r.movie_id, 1);
    ASSERT_LE(r.movie_id, o.movies);
    ASSERT_TRUE(r.rating >= 0.5f && r.rating <= 5.0f && r.rating * 2 == std::floor(r.rating * 2))
        << r.rating;
    ASSERT_TRUE(pairs.insert({r.user_id, r.movie_id}).second)
        << "user " << r.user_id << " rated movie " << r.movie_id << " twice";
    if (i > 0) {  // MovieLens order: by user, then movie
      const Rating& p = (*ratings)[i - 1];
      ASSERT_TRUE(p.user_id < r.user_id || (p.user_id == r.user_id && p.movie_id < r.movie_id));
    }
    ++per_user[r.user_id];
    ++per_movie[r.movie_id];
    sum += r.rating;
  }
  ASSERT_EQ(static_cast<int64_t>(per_user.size()), o.users);
  int64_t max_user = 0, max_movie = 0;
  std::vector<int64_t> user_counts;
  for (const auto& [u, c] : per_user) {
    EXPECT_GE(c, o.min_per_user) << "user " << u;
    max_user = std::max(max_user, c);
    user_counts.push_back(c);
  }
  for (const auto& [m, c] : per_movie) max_movie = std::max(max_movie, c);
  EXPECT_EQ(st.max_user_ratings, max_user);
  EXPECT_EQ(st.max_movie_ratings, max_movie);
  EXPECT_EQ(st.movies_rated, static_cast<int64_t>(per_movie.size()));
  const double mean = sum / static_cast<double>(ratings->size());
  EXPECT_DOUBLE_EQ(st.mean_rating, mean);
  // ml-25m's marginal has mean 3.53; user and movie effects make 40k ratings vary by ~0.05.
  EXPECT_NEAR(mean, 3.53, 0.15);
  // Long tails: the heaviest user rates several times the median user's count, and the most
  // popular movie is rated by a large share of users while the median movie is not.
  std::nth_element(user_counts.begin(), user_counts.begin() + user_counts.size() / 2,
                   user_counts.end());
  const int64_t median_user = user_counts[user_counts.size() / 2];
  EXPECT_GT(max_user, 4 * median_user) << "max " << max_user << ", median " << median_user;
  EXPECT_GT(max_movie, o.users / 4);
}

TEST(WriteSynthRatings, DeterministicForASeedAndThreadCountFree) {
  SynthRatingsOptions o = SmallRatings();
  const std::string a = TempDir("det_a"), b = TempDir("det_b"), c = TempDir("det_c");
  o.threads = 1;
  ASSERT_TRUE(WriteSynthRatings(o, a).ok());
  o.threads = 3;
  ASSERT_TRUE(WriteSynthRatings(o, b).ok());
  EXPECT_EQ(Slurp(a + "/ratings.csv"), Slurp(b + "/ratings.csv"));
  EXPECT_EQ(Slurp(a + "/movies.csv"), Slurp(b + "/movies.csv"));
  o.seed = 6;
  ASSERT_TRUE(WriteSynthRatings(o, c).ok());
  EXPECT_NE(Slurp(a + "/ratings.csv"), Slurp(c + "/ratings.csv"));
}

TEST(WriteSynthRatings, EveryUserRatingEveryMovieIsReachable) {
  // ratings = users × movies: each list is the whole catalogue (the exponential-race path).
  SynthRatingsOptions o;
  o.users = 30;
  o.movies = 25;
  o.min_per_user = 20;
  o.ratings = 30 * 25;
  const std::string dir = TempDir("full");
  ASSERT_TRUE(WriteSynthRatings(o, dir).ok());
  const auto ratings = ReadRatings(dir + "/ratings.csv");
  ASSERT_TRUE(ratings.ok()) << ratings.status();
  std::set<std::pair<int32_t, int32_t>> pairs;
  for (const Rating& r : *ratings) pairs.insert({r.user_id, r.movie_id});
  EXPECT_EQ(pairs.size(), 750u);

  // An extreme popularity spread still finishes (rejection gives way to the race).
  o.users = 50;
  o.movies = 400;
  o.ratings = 50 * 24;
  o.movie_sigma = 8;
  ASSERT_TRUE(WriteSynthRatings(o, dir).ok());
  const auto skewed = ReadRatings(dir + "/ratings.csv");
  ASSERT_TRUE(skewed.ok()) << skewed.status();
  EXPECT_EQ(skewed->size(), 1200u);
}

TEST(WriteSynthRatings, BadOptionsAreClearErrors) {
  const std::string dir = TempDir("bad");
  const auto error = [&](const SynthRatingsOptions& o) {
    const absl::Status st = WriteSynthRatings(o, dir);
    EXPECT_FALSE(st.ok());
    return std::string(st.message());
  };
  SynthRatingsOptions o = SmallRatings();
  o.users = 0;
  EXPECT_THAT(error(o), HasSubstr("users: expected an integer in [1, 2147483647], got 0"));
  o = SmallRatings();
  o.movies = 10;
  EXPECT_THAT(error(o), HasSubstr("movies: expected an integer in [min_per_user = 20"));
  o = SmallRatings();
  o.ratings = 400 * 20 - 1;
  EXPECT_THAT(error(o), HasSubstr("ratings: expected an integer in [8000, 240000]"));
  o.ratings = 400 * 600 + 1;
  EXPECT_THAT(error(o), HasSubstr("got 240001"));
  o = SmallRatings();
  o.user_sigma = -1;
  EXPECT_THAT(error(o), HasSubstr("user_sigma: expected a number in [0, 10]"));
  o = SmallRatings();
  o.min_per_user = 0;
  EXPECT_THAT(error(o), HasSubstr("min_per_user: expected an integer >= 1"));
  EXPECT_FALSE(WriteSynthRatings(SmallRatings(), dir + "/no/such/dir").ok());
}

}  // namespace
}  // namespace n2v
