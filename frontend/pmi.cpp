// The seed's PMI movie graph: movies liked by the same user are linked with weight
// (log xy − log x − log y + log D)·xy, kept when >= min_weight. Pairs are counted one movie row at
// a time with a dense per-thread counter (Gustavson's product of the user×movie matrix with its
// transpose): memory is O(liked ratings + threads × movies), never O(Σ k²) pair keys. A kept pair
// is held as two varints (column step, xy: ~2–3 bytes) until the final CSR, which is written in
// place: the upper half of each row from its own varints, the lower half by a transpose of those.
// Twin: none (front end). Threads: OpenMP over movie rows; the result is thread-count independent.
#include <omp.h>
#include <sys/mman.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <parallel/algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "n2v/movielens.hpp"
#include "n2v/status.hpp"

namespace n2v {
namespace {

/// Appends v as a LEB128 varint.
inline uint8_t* PutVarint(uint8_t* p, uint32_t v) {
  while (v >= 0x80) {
    *p++ = static_cast<uint8_t>(v | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<uint8_t>(v);
  return p;
}
inline const uint8_t* GetVarint(const uint8_t* p, uint32_t* v) {
  uint32_t x = *p & 0x7F;
  for (int shift = 7; *p++ & 0x80; shift += 7) x |= static_cast<uint32_t>(*p & 0x7F) << shift;
  *v = x;
  return p;
}

/// Append-only byte storage in large blocks, so a row's bytes never move (no reallocation copy,
/// which would double the peak while the kept pairs are the largest thing alive).
class ByteArena {
 public:
  /// Room for n contiguous bytes; the caller writes them and then calls Commit(used).
  uint8_t* Reserve(size_t n) {
    if (blocks_.empty() || used_ + n > size_) {
      size_ = std::max(n, kBlock);
      // Not zeroed: a block is written before it is read, and only the pages written are ever
      // touched (zero-filling 32 MiB per thread cost ~16k page faults on a 100 KB MovieLens graph).
      blocks_.push_back(std::make_unique_for_overwrite<uint8_t[]>(size_));
      used_ = 0;
    }
    return blocks_.back().get() + used_;
  }
  void Commit(size_t n) { used_ += n; }

 private:
  static constexpr size_t kBlock = size_t{32} << 20;
  std::vector<std::unique_ptr<uint8_t[]>> blocks_;
  size_t size_ = 0, used_ = 0;
};

/// The seed's arithmetic, in its order: log xy − log x − log y + D (x, y as the "movie_<id>"
/// strings sort), times xy. Both passes that need a weight call this, so they agree to the bit.
inline double PmiWeight(const double* log_of, uint32_t xy, double log_first, double log_second,
                        double log_d) {
  const double pmi = log_of[xy] - log_first - log_second + log_d;
  return pmi * static_cast<double>(xy);
}

/// Asks for 2 MiB pages (THP "madvise" mode) on a large, not yet touched allocation: the
/// transpose below writes to ~2 × nodes places spread over gigabytes at once, and with 4 KiB pages
/// nearly every one of those writes missed the TLB.
void AdviseHugePages(void* p, size_t bytes) {
  constexpr uintptr_t kHuge = uintptr_t{2} << 20;
  const uintptr_t begin = (reinterpret_cast<uintptr_t>(p) + kHuge - 1) & ~(kHuge - 1);
  const uintptr_t end = (reinterpret_cast<uintptr_t>(p) + bytes) & ~(kHuge - 1);
  if (end > begin) ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
}

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
  // Liked entries are indexed by uint32 below; ml-32m has 32M ratings, so 2^32 is far off.
  N2V_CHECK(liked < std::numeric_limits<uint32_t>::max());
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
  // Integer keys sort to one order whatever the algorithm: libstdc++'s parallel mergesort.
  // Under ThreadSanitizer (clang + libomp) the serial sort: libstdc++'s parallel mode has every
  // thread store the same omp_get_num_threads() into one shared variable (multiway_mergesort.h),
  // a benign race inside the library that TSan reports.
#if defined(__SANITIZE_THREAD__)
#define N2V_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define N2V_TSAN 1
#endif
#endif
#if defined(N2V_TSAN)
  std::sort(keys.begin(), keys.end());
#else
  __gnu_parallel::sort(keys.begin(), keys.end(), std::less<uint64_t>(),
                       __gnu_parallel::multiway_mergesort_tag(threads));
#endif
  // A user who rated a movie twice likes it once: the seed's "set of movies a user liked".
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  st.duplicate_liked = liked - static_cast<int64_t>(keys.size());
  const int64_t num_liked = static_cast<int64_t>(keys.size());
  st.liked_ratings = num_liked;

  std::vector<uint32_t> user_movies(static_cast<size_t>(num_liked));  // rows sorted by movie
  std::vector<uint32_t> user_start;
  for (int64_t i = 0; i < num_liked; ++i) {
    user_movies[i] = static_cast<uint32_t>(keys[i]);
    if (i == 0 || (keys[i] >> 32) != (keys[i - 1] >> 32)) {
      user_start.push_back(static_cast<uint32_t>(i));
    }
  }
  user_start.push_back(static_cast<uint32_t>(num_liked));
  std::vector<uint64_t>().swap(keys);
  const int64_t num_users = static_cast<int64_t>(user_start.size()) - 1;
  st.users = num_users;
  for (int64_t u = 0; u < num_users; ++u) {
    const int64_t k = user_start[u + 1] - user_start[u];
    st.pairs_counted += k * (k - 1) / 2;
  }

  // --- the transpose: for each movie x, the tail of every liking user's row after x -----------
  // Storing the tail [begin, end) itself (not the user) spares row x a binary search per user.
  struct Tail {
    uint32_t begin, end;
  };
  std::vector<int64_t> movie_start(static_cast<size_t>(num_movies) + 1, 0);
  for (const uint32_t m : user_movies) ++movie_start[m + 1];
  for (int64_t m = 0; m < num_movies; ++m) movie_start[m + 1] += movie_start[m];
  std::vector<Tail> tails(static_cast<size_t>(num_liked));
  {
    std::vector<int64_t> cursor(movie_start.begin(), movie_start.end() - 1);
    for (int64_t u = 0; u < num_users; ++u) {
      for (uint32_t i = user_start[u]; i < user_start[u + 1]; ++i) {
        tails[cursor[user_movies[i]]++] = Tail{i + 1, user_start[u + 1]};
      }
    }
  }
  std::vector<uint32_t>().swap(user_start);
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
  // log x per movie, one load in the per-pair code instead of three.
  std::vector<double> log_frequency(static_cast<size_t>(num_movies));
  for (int64_t m = 0; m < num_movies; ++m) {
    log_frequency[m] = log_of[movie_start[m + 1] - movie_start[m]];
  }
  const auto log_freq = [&](int64_t m) { return log_frequency[m]; };

  // --- count pairs row by row (x < y), weigh, keep (y, xy) as varints -------------------------
  // Row x's kept pairs: `upper[x]` of them, as (y − previous y, xy) varints at `row_bytes[x]` (in
  // the arena of the thread that counted the row); `lower` counts each y's pairs with smaller x.
  std::vector<const uint8_t*> row_bytes(static_cast<size_t>(num_movies), nullptr);
  std::vector<int64_t> upper(static_cast<size_t>(num_movies), 0);  // kept pairs (x, y > x)
  std::vector<std::vector<uint32_t>> thread_lower(static_cast<size_t>(threads));  // (x < y, y)
  std::vector<ByteArena> arenas(static_cast<size_t>(threads));
  int64_t distinct_pairs = 0;
  double max_weight = -std::numeric_limits<double>::infinity();
  const uint32_t* const movies_of_user = user_movies.data();
#pragma omp parallel num_threads(threads) reduction(+ : distinct_pairs) reduction(max : max_weight)
  {
    const int t = omp_get_thread_num();
    std::vector<uint32_t>& lower = thread_lower[t];
    lower.assign(static_cast<size_t>(num_movies), 0);
    ByteArena& arena = arenas[t];
    // xy for the current x, padded to whole 16-counter blocks for the dense scan.
    std::vector<uint32_t> count(static_cast<size_t>(num_movies + 16), 0);
    std::vector<uint32_t> touched;
    std::vector<std::pair<uint32_t, uint32_t>> kept;  // (y, xy), ascending y
    // Rows near x = 0 carry the most work (every y > x), hence dynamic scheduling.
#pragma omp for schedule(dynamic, 16)
    for (int64_t x = 0; x < num_movies; ++x) {
      int64_t increments = 0;
      for (int64_t k = movie_start[x]; k < movie_start[x + 1]; ++k) {
        increments += tails[k].end - tails[k].begin;
      }
      kept.clear();
      const double log_fx = log_freq(x);
      const auto visit = [&](uint32_t y) {
        const uint32_t xy = count[y];
        count[y] = 0;
        ++distinct_pairs;
        const bool x_first = lex_rank[x] < lex_rank[y];
        const double log_fy = log_freq(y);
        const double weight = PmiWeight(log_of.data(), xy, x_first ? log_fx : log_fy,
                                        x_first ? log_fy : log_fx, log_d);
        max_weight = std::max(max_weight, weight);
        if (weight >= o.min_weight) kept.push_back({y, xy});
      };
      // A row whose increments rival its width (num_movies − x) is read back by a scan of the
      // counters, which comes out sorted and lets the increment loop run without a branch;
      // a sparser row tracks the columns it touched and sorts them. Same pairs either way.
      if (increments * 8 >= num_movies - x) {
        uint32_t* const counter = count.data();
        const int64_t k_end = movie_start[x + 1];
        for (int64_t k = movie_start[x]; k < k_end; ++k) {
          // Each tail starts somewhere new in the 4·liked-byte user rows: fetch the tail after
          // next while this one is counted. Locals for the bounds: the counter stores could
          // alias tails[k].end, which the compiler would otherwise reload after every increment.
          if (k + 2 < k_end) __builtin_prefetch(movies_of_user + tails[k + 2].begin);
          const uint32_t* y = movies_of_user + tails[k].begin;
          const uint32_t* const y_end = movies_of_user + tails[k].end;
          for (; y < y_end; ++y) ++counter[*y];
        }
        // 16 counters at a time into a bit mask (vectorised), then its set bits in order.
        for (int64_t b = (x + 1) & ~int64_t{15}; b < num_movies; b += 16) {
          uint32_t mask = 0;
          for (int j = 0; j < 16; ++j) mask |= static_cast<uint32_t>(counter[b + j] != 0) << j;
          for (; mask != 0; mask &= mask - 1) {
            visit(static_cast<uint32_t>(b + __builtin_ctz(mask)));
          }
        }
      } else if (increments > 0) {
        touched.clear();
        for (int64_t k = movie_start[x]; k < movie_start[x + 1]; ++k) {
          for (uint32_t i = tails[k].begin; i < tails[k].end; ++i) {
            if (count[movies_of_user[i]]++ == 0) touched.push_back(movies_of_user[i]);
          }
        }
        std::sort(touched.begin(), touched.end());
        for (const uint32_t y : touched) visit(y);
      }
      upper[x] = static_cast<int64_t>(kept.size());
      if (kept.empty()) continue;
      uint8_t* const begin = arena.Reserve(kept.size() * 10);  // ≤ 5 bytes per varint
      uint8_t* p = begin;
      uint32_t prev = static_cast<uint32_t>(x);
      for (const auto& [y, xy] : kept) {
        p = PutVarint(p, y - prev);
        p = PutVarint(p, xy);
        prev = y;
        ++lower[y];
      }
      arena.Commit(static_cast<size_t>(p - begin));
      row_bytes[x] = begin;
    }
  }
  st.distinct_pairs = distinct_pairs;
  if (stats != nullptr) *stats = st;  // also on the error below: the counts explain it
  std::vector<uint32_t>().swap(user_movies);
  std::vector<Tail>().swap(tails);

  // --- nodes: movies with a kept edge, in movieId order ---------------------------------------
  std::vector<int64_t> lower(static_cast<size_t>(num_movies), 0);
  for (const std::vector<uint32_t>& tl : thread_lower) {
    for (int64_t m = 0; m < num_movies; ++m) lower[m] += tl[m];
  }
  std::vector<std::vector<uint32_t>>().swap(thread_lower);
  int64_t kept_edges = 0;
  for (int64_t x = 0; x < num_movies; ++x) kept_edges += upper[x];
  if (kept_edges == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "PMI graph: no movie pair reaches min_weight ", o.min_weight, " (", num_liked,
        " liked ratings from ", num_users, " users, ", distinct_pairs,
        " distinct pairs, largest weight ", max_weight, "); lower min_weight or min_rating"));
  }
  std::vector<int32_t> node_of(static_cast<size_t>(num_movies), -1);
  std::vector<int64_t> node_movie;  // node -> dense movie index
  Graph g;
  g.directed = false;
  for (int64_t x = 0; x < num_movies; ++x) {
    if (lower[x] + upper[x] > 0) {
      node_of[x] = static_cast<int32_t>(node_movie.size());
      node_movie.push_back(x);
      g.names.push_back(std::to_string(movie_ids[x]));
    }
  }
  const auto num_nodes = static_cast<int64_t>(node_movie.size());
  g.offsets.assign(static_cast<size_t>(num_nodes) + 1, 0);
  for (int64_t v = 0; v < num_nodes; ++v) {
    g.offsets[v + 1] = g.offsets[v] + lower[node_movie[v]] + upper[node_movie[v]];
  }
  const int64_t num_slots = 2 * kept_edges;
  N2V_CHECK(g.offsets[num_nodes] == num_slots);
  // Written in place (Graph's vectors cannot adopt a buffer, and a copy would double the peak).
  g.neighbors.reserve(static_cast<size_t>(num_slots));
  g.weights.reserve(static_cast<size_t>(num_slots));
  AdviseHugePages(g.neighbors.data(), static_cast<size_t>(num_slots) * sizeof(int32_t));
  AdviseHugePages(g.weights.data(), static_cast<size_t>(num_slots) * sizeof(float));
  g.neighbors.resize(static_cast<size_t>(num_slots));
  g.weights.resize(static_cast<size_t>(num_slots));
  int32_t* const neighbors = g.neighbors.data();
  float* const weights = g.weights.data();

  // Each row is [neighbours < v | neighbours > v]. The upper half is row v's own varints,
  // decoded and weighed in parallel; the lower half is the transpose of the upper halves.
  std::vector<int64_t> upper_begin(static_cast<size_t>(num_nodes));  // first slot of v's upper half
  for (int64_t v = 0; v < num_nodes; ++v) upper_begin[v] = g.offsets[v] + lower[node_movie[v]];
#pragma omp parallel for num_threads(threads) schedule(dynamic, 64)
  for (int64_t v = 0; v < num_nodes; ++v) {
    const int64_t x = node_movie[v];
    const uint8_t* p = row_bytes[x];
    int64_t slot = upper_begin[v];
    uint32_t y = static_cast<uint32_t>(x);
    const double log_fx = log_freq(x);
    for (int64_t i = 0; i < upper[x]; ++i, ++slot) {
      uint32_t step, xy;
      p = GetVarint(p, &step);
      p = GetVarint(p, &xy);
      y += step;
      const bool x_first = lex_rank[x] < lex_rank[y];
      const double log_fy = log_freq(y);
      neighbors[slot] = node_of[y];
      weights[slot] = static_cast<float>(PmiWeight(log_of.data(), xy, x_first ? log_fx : log_fy,
                                                   x_first ? log_fy : log_fx, log_d));
    }
  }
  std::vector<ByteArena>().swap(arenas);

  // The transpose, tiled by destination: a block of kBlockRows rows takes, from each source row
  // v below the block, the run of v's upper half that falls in the block — contiguous, since
  // upper halves are sorted — so every write lands in the block's few hundred KB (L2) instead of
  // anywhere in the gigabytes of the graph, and sources ascend, so each lower half fills in
  // order. Each source's run start is a cursor that only moves forward, block after block.
  // (Scattering straight from the upper halves missed cache and TLB on nearly every write: over
  // half the build at min_rating 3.) Threads take contiguous ranges of blocks, balanced by slots.
  // Blocks of 2048 rows keep the written lines (2 per row) in L2; a thread makes at most 64 of
  // them, so the per-block pass over the sources stays small when there are millions of nodes.
  constexpr int64_t kBlockRows = 2048, kMaxBlocks = 64;
#pragma omp parallel num_threads(threads)
  {
    const int64_t t = omp_get_thread_num(), nt = omp_get_num_threads();
    const auto row_at = [&](int64_t share) {
      return static_cast<int64_t>(
          std::lower_bound(g.offsets.begin(), g.offsets.end(), num_slots * share / nt) -
          g.offsets.begin());
    };
    const int64_t lo = std::min(row_at(t), num_nodes);
    const int64_t hi = t + 1 == nt ? num_nodes : std::min(row_at(t + 1), num_nodes);
    // run[v]: next unread slot of source v's upper half (sources below this thread's rows).
    std::vector<int64_t> run(static_cast<size_t>(std::max<int64_t>(hi, 0)));
    for (int64_t v = 0; v < hi; ++v) {
      run[v] = std::lower_bound(neighbors + upper_begin[v], neighbors + g.offsets[v + 1],
                                static_cast<int32_t>(lo)) -
               neighbors;
    }
    const int64_t block_rows = std::max(kBlockRows, (hi - lo + kMaxBlocks - 1) / kMaxBlocks);
    std::vector<int64_t> cursor(static_cast<size_t>(block_rows));
    for (int64_t b0 = lo; b0 < hi; b0 += block_rows) {
      const int64_t b1 = std::min(hi, b0 + block_rows);
      for (int64_t w = b0; w < b1; ++w) cursor[w - b0] = g.offsets[w];
      for (int64_t v = 0; v < b1 - 1; ++v) {
        int64_t s = run[v];
        const int64_t end = g.offsets[v + 1];
        for (; s < end && neighbors[s] < b1; ++s) {
          const int64_t d = cursor[neighbors[s] - b0]++;
          neighbors[d] = static_cast<int32_t>(v);
          weights[d] = weights[s];
        }
        run[v] = s;
      }
    }
  }
  return g;
}

}  // namespace n2v
