// The seed's PMI movie graph: movies liked by the same user are linked with weight
// (log xy − log x − log y + log D)·xy, kept when >= min_weight. Pairs are counted one movie row at
// a time with a dense per-thread counter (Gustavson's product of the user×movie matrix with its
// transpose): memory is O(liked ratings + threads × movies), never O(Σ k²) pair keys.
// Twin: none (front end). Threads: OpenMP over movie rows; the result is thread-count independent.
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "boost/graph/compressed_sparse_row_graph.hpp"
#include "boost/range/iterator_range.hpp"
#include "n2v/movielens.hpp"
#include "n2v/status.hpp"

namespace n2v {
namespace {

struct EdgeWeightProperty {
  float weight;
};
// 32-bit vertices and 64-bit edge indices: the same widths as n2v::Graph.
using BoostCsrGraph =
    boost::compressed_sparse_row_graph<boost::directedS, boost::no_property, EdgeWeightProperty,
                                       boost::no_property, uint32_t, uint64_t>;

/// A kept edge of one upper-triangle row: (column, weight).
struct Kept {
  uint32_t col;
  float weight;
};

}  // namespace

absl::StatusOr<Graph> BuildPmiGraph(const std::vector<Rating>& ratings, const PmiOptions& o,
                                    PmiStats* stats, int threads) {
  if (!std::isfinite(o.min_rating)) {
    return absl::InvalidArgumentError(
        absl::StrCat("min_rating: expected a finite number, got ", o.min_rating));
  }
  if (!std::isfinite(o.min_weight) || o.min_weight <= 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "min_weight: expected a finite number > 0 (walks draw neighbours in proportion to "
        "weight), got ",
        o.min_weight));
  }
  if (threads <= 0) threads = omp_get_max_threads();
  PmiStats st;

  // Ratings are floats, so the threshold is too: --min-rating 4.7 then keeps a rating written
  // "4.7", as pandas' float64 comparison in the seed does.
  const float min_rating = static_cast<float>(o.min_rating);

  // --- dense movie indices, in movieId order (so compacting to kept nodes keeps that order) ----
  int64_t liked = 0;
  int32_t min_id = std::numeric_limits<int32_t>::max();
  int32_t max_id = std::numeric_limits<int32_t>::min();
  for (const Rating& r : ratings) {
    if (r.rating >= min_rating) {
      ++liked;
      min_id = std::min(min_id, r.movie_id);
      max_id = std::max(max_id, r.movie_id);
    }
  }
  if (liked == 0) {
    return absl::InvalidArgumentError(absl::StrCat("PMI graph: no rating >= min_rating ",
                                                   o.min_rating, " among ", ratings.size(),
                                                   " ratings, so no movie pair to link"));
  }
  std::vector<int32_t> movie_ids;  // dense index -> movieId
  std::vector<uint32_t> index_of;  // movieId - min_id -> dense index, when the id range is small
  const int64_t id_range = int64_t{max_id} - min_id + 1;
  // A direct table costs 4 bytes per id in the range; MovieLens ids span < 300k. Wider, sparser
  // id spaces fall back to binary search in the sorted id list.
  const bool use_table = id_range <= std::max<int64_t>(int64_t{1} << 24, 4 * liked);
  if (use_table) {
    index_of.assign(static_cast<size_t>(id_range), 0);
    for (const Rating& r : ratings) {
      if (r.rating >= min_rating) index_of[r.movie_id - min_id] = 1;
    }
    for (int64_t i = 0; i < id_range; ++i) {
      if (index_of[i] != 0) {
        index_of[i] = static_cast<uint32_t>(movie_ids.size());
        movie_ids.push_back(static_cast<int32_t>(min_id + i));
      }
    }
  } else {
    movie_ids.reserve(static_cast<size_t>(liked));
    for (const Rating& r : ratings) {
      if (r.rating >= min_rating) movie_ids.push_back(r.movie_id);
    }
    std::sort(movie_ids.begin(), movie_ids.end());
    movie_ids.erase(std::unique(movie_ids.begin(), movie_ids.end()), movie_ids.end());
  }
  const auto movie_index = [&](int32_t id) -> uint32_t {
    if (use_table) return index_of[id - min_id];
    return static_cast<uint32_t>(std::lower_bound(movie_ids.begin(), movie_ids.end(), id) -
                                 movie_ids.begin());
  };
  const int64_t num_movies = static_cast<int64_t>(movie_ids.size());

  // --- per-user sets of liked movies: sort packed (user, movie) keys --------------------------
  std::vector<uint64_t> keys;
  keys.reserve(static_cast<size_t>(liked));
  for (const Rating& r : ratings) {
    if (r.rating >= min_rating) {
      keys.push_back(uint64_t{static_cast<uint32_t>(r.user_id)} << 32 | movie_index(r.movie_id));
    }
  }
  std::vector<uint32_t>().swap(index_of);
  std::sort(keys.begin(), keys.end());
  // A user who rated a movie twice likes it once: the seed's "set of movies a user liked".
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  st.duplicate_liked = liked - static_cast<int64_t>(keys.size());
  const int64_t num_liked = static_cast<int64_t>(keys.size());
  st.liked_ratings = num_liked;

  std::vector<uint32_t> user_movies(static_cast<size_t>(num_liked));  // rows sorted by movie
  std::vector<int64_t> user_start;
  for (int64_t i = 0; i < num_liked; ++i) {
    user_movies[i] = static_cast<uint32_t>(keys[i]);
    if (i == 0 || (keys[i] >> 32) != (keys[i - 1] >> 32)) user_start.push_back(i);
  }
  user_start.push_back(num_liked);
  std::vector<uint64_t>().swap(keys);
  const int64_t num_users = static_cast<int64_t>(user_start.size()) - 1;
  N2V_CHECK(num_users <= std::numeric_limits<uint32_t>::max());
  st.users = num_users;
  for (int64_t u = 0; u < num_users; ++u) {
    const int64_t k = user_start[u + 1] - user_start[u];
    st.pairs_counted += k * (k - 1) / 2;
  }

  // --- the transpose: users of each movie; item_frequency is its row length -------------------
  std::vector<int64_t> movie_start(static_cast<size_t>(num_movies) + 1, 0);
  for (const uint32_t m : user_movies) ++movie_start[m + 1];
  for (int64_t m = 0; m < num_movies; ++m) movie_start[m + 1] += movie_start[m];
  std::vector<uint32_t> movie_users(static_cast<size_t>(num_liked));
  {
    std::vector<int64_t> cursor(movie_start.begin(), movie_start.end() - 1);
    for (int64_t u = 0; u < num_users; ++u) {
      for (int64_t i = user_start[u]; i < user_start[u + 1]; ++i) {
        movie_users[cursor[user_movies[i]]++] = static_cast<uint32_t>(u);
      }
    }
  }
  int64_t max_frequency = 0;
  for (int64_t m = 0; m < num_movies; ++m) {
    max_frequency = std::max(max_frequency, movie_start[m + 1] - movie_start[m]);
  }
  // Every count is <= max_frequency, so std::log of each is computed once; the values are the
  // ones the seed's math.log gives (the same libm call on the same double).
  std::vector<double> log_of(static_cast<size_t>(max_frequency) + 1, 0.0);
  for (int64_t k = 1; k <= max_frequency; ++k) log_of[k] = std::log(static_cast<double>(k));
  const double log_d = std::log(static_cast<double>(num_liked));

  // The seed subtracts log(x) then log(y) where x is the smaller of the two "movie_<id>" strings;
  // floating-point subtraction is not associative, so the same order is kept here: lex_rank
  // orders movies as those strings sort.
  std::vector<uint32_t> lex_rank(static_cast<size_t>(num_movies));
  {
    std::vector<std::pair<std::string, uint32_t>> names(static_cast<size_t>(num_movies));
    for (int64_t m = 0; m < num_movies; ++m) {
      names[m] = {std::to_string(movie_ids[m]), static_cast<uint32_t>(m)};
    }
    std::sort(names.begin(), names.end());
    for (int64_t r = 0; r < num_movies; ++r) lex_rank[names[r].second] = static_cast<uint32_t>(r);
  }

  // --- count pairs row by row (x < y), weigh and filter ---------------------------------------
  std::vector<std::vector<Kept>> thread_kept(static_cast<size_t>(threads));
  std::vector<int32_t> row_thread(static_cast<size_t>(num_movies));
  std::vector<int64_t> row_begin(static_cast<size_t>(num_movies));
  std::vector<int64_t> row_len(static_cast<size_t>(num_movies));
  int64_t distinct_pairs = 0;
  double max_weight = -std::numeric_limits<double>::infinity();
  const uint32_t* const movies_of_user = user_movies.data();
#pragma omp parallel num_threads(threads) reduction(+ : distinct_pairs) reduction(max : max_weight)
  {
    const int t = omp_get_thread_num();
    std::vector<Kept>& out = thread_kept[t];
    std::vector<uint32_t> count(static_cast<size_t>(num_movies), 0);  // xy for the current x
    std::vector<uint32_t> touched;
    std::vector<Kept> kept;
    // Rows near x = 0 carry the most work (every y > x), hence dynamic scheduling.
#pragma omp for schedule(dynamic, 16)
    for (int64_t x = 0; x < num_movies; ++x) {
      touched.clear();
      for (int64_t k = movie_start[x]; k < movie_start[x + 1]; ++k) {
        const uint32_t u = movie_users[k];
        const uint32_t* row_end = movies_of_user + user_start[u + 1];
        const uint32_t* y =
            std::upper_bound(movies_of_user + user_start[u], row_end, static_cast<uint32_t>(x));
        for (; y != row_end; ++y) {
          if (count[*y]++ == 0) touched.push_back(*y);
        }
      }
      distinct_pairs += static_cast<int64_t>(touched.size());
      kept.clear();
      const double log_fx = log_of[movie_start[x + 1] - movie_start[x]];
      for (const uint32_t y : touched) {
        const uint32_t xy = count[y];
        count[y] = 0;
        const double log_fy = log_of[movie_start[y + 1] - movie_start[y]];
        const bool x_first = lex_rank[x] < lex_rank[y];
        const double pmi =
            log_of[xy] - (x_first ? log_fx : log_fy) - (x_first ? log_fy : log_fx) + log_d;
        const double weight = pmi * static_cast<double>(xy);
        max_weight = std::max(max_weight, weight);
        if (weight >= o.min_weight) kept.push_back({y, static_cast<float>(weight)});
      }
      std::sort(kept.begin(), kept.end(),
                [](const Kept& a, const Kept& b) { return a.col < b.col; });
      row_thread[x] = t;
      row_begin[x] = static_cast<int64_t>(out.size());
      row_len[x] = static_cast<int64_t>(kept.size());
      out.insert(out.end(), kept.begin(), kept.end());
    }
  }
  st.distinct_pairs = distinct_pairs;
  if (stats != nullptr) *stats = st;  // also on the error below: the counts explain it

  // --- nodes: movies with a kept edge, in movieId order ---------------------------------------
  std::vector<int64_t> degree(static_cast<size_t>(num_movies), 0);
  int64_t kept_edges = 0;
  for (int64_t x = 0; x < num_movies; ++x) {
    const Kept* row = thread_kept[row_thread[x]].data() + row_begin[x];
    degree[x] += row_len[x];
    for (int64_t i = 0; i < row_len[x]; ++i) ++degree[row[i].col];
    kept_edges += row_len[x];
  }
  if (kept_edges == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "PMI graph: no movie pair reaches min_weight ", o.min_weight, " (", num_liked,
        " liked ratings from ", num_users, " users, ", distinct_pairs,
        " distinct pairs, largest weight ", max_weight, "); lower min_weight or min_rating"));
  }
  std::vector<int32_t> node_of(static_cast<size_t>(num_movies), -1);
  Graph g;
  g.directed = false;
  int64_t num_nodes = 0;
  for (int64_t x = 0; x < num_movies; ++x) {
    if (degree[x] > 0) {
      node_of[x] = static_cast<int32_t>(num_nodes++);
      g.names.push_back(std::to_string(movie_ids[x]));
    }
  }

  // Both directions, sources ascending. Row v receives its smaller neighbours while rows x < v are
  // emitted and its larger ones when row v itself is, so each row comes out sorted.
  const int64_t num_slots = 2 * kept_edges;
  std::vector<int64_t> cursor(static_cast<size_t>(num_nodes) + 1, 0);
  for (int64_t x = 0; x < num_movies; ++x) {
    if (node_of[x] >= 0) cursor[node_of[x] + 1] = degree[x];
  }
  for (int64_t v = 0; v < num_nodes; ++v) cursor[v + 1] += cursor[v];
  std::vector<std::pair<uint32_t, uint32_t>> edges(static_cast<size_t>(num_slots));
  std::vector<EdgeWeightProperty> weights(static_cast<size_t>(num_slots));
  for (int64_t x = 0; x < num_movies; ++x) {
    const Kept* row = thread_kept[row_thread[x]].data() + row_begin[x];
    const auto a = static_cast<uint32_t>(node_of[x]);
    for (int64_t i = 0; i < row_len[x]; ++i) {
      const auto b = static_cast<uint32_t>(node_of[row[i].col]);
      const int64_t ab = cursor[a]++;
      const int64_t ba = cursor[b]++;
      edges[ab] = {a, b};
      edges[ba] = {b, a};
      weights[ab].weight = weights[ba].weight = row[i].weight;
    }
  }
  std::vector<std::vector<Kept>>().swap(thread_kept);

  const BoostCsrGraph csr(boost::edges_are_sorted, edges.begin(), edges.end(), weights.begin(),
                          static_cast<uint32_t>(num_nodes), static_cast<uint64_t>(num_slots));
  std::vector<std::pair<uint32_t, uint32_t>>().swap(edges);
  std::vector<EdgeWeightProperty>().swap(weights);

  g.offsets.assign(static_cast<size_t>(num_nodes) + 1, 0);
  g.neighbors.reserve(static_cast<size_t>(num_slots));
  g.weights.reserve(static_cast<size_t>(num_slots));
  for (uint32_t v = 0; v < static_cast<uint32_t>(num_nodes); ++v) {
    for (const auto& e : boost::make_iterator_range(boost::out_edges(v, csr))) {
      g.neighbors.push_back(static_cast<int32_t>(boost::target(e, csr)));
      g.weights.push_back(csr[e].weight);
    }
    g.offsets[v + 1] = static_cast<int64_t>(g.neighbors.size());
  }
  N2V_CHECK(g.num_edge_slots() == num_slots);
  return g;
}

}  // namespace n2v
