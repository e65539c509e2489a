// Synthetic graphs (Boost.Graph's R-MAT, PLOD and Erdős–Rényi generators → n2v::Graph) and
// synthetic MovieLens ratings for scale tests. Twin: none (front end).
// Threads: OpenMP. R-MAT/ER candidates are drawn in fixed chunks in parallel and deduplicated in
// chunk order; ratings are drawn per user (counter-based) and formatted in parallel; both are
// identical for any thread count.
#include "n2v/synth.hpp"

#include <omp.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "boost/graph/adjacency_list.hpp"
#include "boost/graph/erdos_renyi_generator.hpp"
#include "boost/graph/plod_generator.hpp"
#include "boost/graph/rmat_graph_generator.hpp"
#include "boost/random/taus88.hpp"
#include "boost/random/uniform_int_distribution.hpp"
#include "n2v/atomic_file.hpp"
#include "n2v/core/rng.hpp"
#include "n2v/status.hpp"

namespace n2v {
namespace {

constexpr int64_t kMaxNodes = std::numeric_limits<int32_t>::max();

/// Seeds of independent sub-streams: SplitMix64 of (seed, tag, index), so chunk c of one model
/// never shares a generator state with another chunk, round or stage.
uint64_t SubSeed(uint64_t seed, uint64_t tag, uint64_t index) {
  return core::SplitMix64(core::SplitMix64(seed ^ (tag * 0x9E3779B97F4A7C15ull)) + index);
}
core::PhiloxKey KeyOf(uint64_t seed, uint64_t tag) {
  const uint64_t k = SubSeed(seed, tag, 0x5EED);
  return core::PhiloxKey{static_cast<uint32_t>(k), static_cast<uint32_t>(k >> 32)};
}
enum Tag : uint64_t {
  kTagChunk = 1,
  kTagPermutation,
  kTagWeight,
  kTagPlod,
  kTagSubsample,
  kTagMovie,
  kTagUser,
  kTagRate,
  kTagPick,
};

uint64_t Pack(uint64_t u, uint64_t v) { return u << 32 | v; }
uint32_t Src(uint64_t key) { return static_cast<uint32_t>(key >> 32); }
uint32_t Dst(uint64_t key) { return static_cast<uint32_t>(key); }

// Boost's generators read only graph_traits (vertex/edge size types, directedness) from their
// Graph parameter; our own code orients and deduplicates, so directed traits serve both cases.
using TraitsGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS>;
// taus88 (L'Ecuyer's combined Tausworthe generator): Boost's R-MAT step draws 5 uniforms per
// level (quadrant + 4 noise factors), ~100 per edge at 2^20 nodes, so the engine sets the pace:
// 530 ns/edge with taus88 against 980 with std::mt19937_64 and 720 with boost::minstd_rand
// (measured here, 2^20 nodes). Seeded through a seed sequence, not taus88's one-word seed(v),
// which would give its three components the same state.
using Engine = boost::random::taus88;
Engine MakeEngine(uint64_t seed) {
  std::seed_seq seq{static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32)};
  return Engine(seq);
}

/// Set of nonzero 64-bit keys: open addressing, linear probing, power-of-two capacity kept at
/// most 3/4 full. Insert() is a few nanoseconds when the caller Prefetch()es ~16 keys ahead;
/// absl::flat_hash_set took ~190 ns per insert at 50M keys (one cache miss each, nothing to
/// overlap them), which made deduplication the serial bottleneck of the generator.
class KeySet {
 public:
  explicit KeySet(int64_t expected) { Rehash(Capacity(expected)); }
  void Prefetch(uint64_t key) const { __builtin_prefetch(&slots_[Slot(key)]); }
  /// True when key (nonzero) was not in the set.
  bool Insert(uint64_t key) {
    if (4 * (size_ + 1) > 3 * static_cast<int64_t>(slots_.size())) Rehash(2 * slots_.size());
    for (size_t i = Slot(key);; i = (i + 1) & mask_) {
      if (slots_[i] == key) return false;
      if (slots_[i] == 0) {
        slots_[i] = key;
        ++size_;
        return true;
      }
    }
  }

 private:
  static size_t Capacity(int64_t expected) {
    size_t c = 1024;
    while (static_cast<double>(c) * 0.75 < static_cast<double>(expected) + 1) c *= 2;
    return c;
  }
  size_t Slot(uint64_t key) const { return core::SplitMix64(key) & mask_; }
  void Rehash(size_t capacity) {
    std::vector<uint64_t> old = std::move(slots_);
    slots_.assign(capacity, 0);
    mask_ = capacity - 1;
    size_ = 0;
    for (const uint64_t k : old) {
      if (k != 0) Insert(k);
    }
  }
  std::vector<uint64_t> slots_;
  size_t mask_ = 0;
  int64_t size_ = 0;
};

// --- graph validation ---------------------------------------------------------------------------

absl::Status ValidateGraphOptions(const SynthGraphOptions& o) {
  if (o.nodes < 2 || o.nodes > kMaxNodes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "synth graph: nodes: expected an integer in [2, ", kMaxNodes, "], got ", o.nodes));
  }
  const int64_t pairs = o.directed ? o.nodes * (o.nodes - 1) : o.nodes * (o.nodes - 1) / 2;
  if (o.edges < 1 || o.edges > pairs) {
    return absl::InvalidArgumentError(
        absl::StrCat("synth graph: edges: expected an integer in [1, ", pairs, "] (", o.nodes,
                     " nodes have ", pairs, o.directed ? " ordered" : "",
                     " node pairs; self-loops are excluded), got ", o.edges));
  }
  if (o.model == SynthModel::kRmat) {
    const double d = 1.0 - o.rmat_a - o.rmat_b - o.rmat_c;
    for (const double x : {o.rmat_a, o.rmat_b, o.rmat_c}) {
      if (!std::isfinite(x) || x < 0 || x > 1 || d < -1e-12) {
        return absl::InvalidArgumentError(absl::StrCat(
            "synth graph: rmat: expected probabilities a, b, c >= 0 with a + b + c <= 1 (d = 1 - "
            "a - b - c), got a=",
            o.rmat_a, " b=", o.rmat_b, " c=", o.rmat_c));
      }
    }
  }
  if (o.model == SynthModel::kPlod && (!std::isfinite(o.plod_alpha) || o.plod_alpha <= 0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("synth graph: plod: alpha: expected a finite number > 0, got ", o.plod_alpha));
  }
  return absl::OkStatus();
}

// --- candidate streams --------------------------------------------------------------------------

/// Chunk c of the R-MAT or ER candidate stream: `count` packed (u, v) keys, oriented u < v when
/// undirected. A self-loop stays in the stream (as u == v) so the caller can count it.
void DrawChunk(const SynthGraphOptions& o, const std::vector<uint32_t>& permutation, int64_t c,
               int64_t count, std::vector<uint64_t>* out) {
  out->resize(static_cast<size_t>(count));
  Engine gen = MakeEngine(SubSeed(o.seed, kTagChunk, static_cast<uint64_t>(c)));
  const auto n = static_cast<size_t>(o.nodes);
  const auto emit = [&](int64_t i, size_t u, size_t v) {
    if (!o.directed && u > v) std::swap(u, v);
    (*out)[i] = Pack(u, v);
  };
  if (o.model == SynthModel::kRmat) {
    // permute_vertices = false: Boost would draw a fresh permutation per iterator (per chunk),
    // scattering each chunk's hubs differently; one permutation of the graph is applied here.
    // The iterator's own count is only its end test (and yields one edge fewer than asked), so
    // it is asked for one more and read `count` times.
    boost::rmat_iterator<Engine, TraitsGraph> it(gen, n, static_cast<size_t>(count) + 1, o.rmat_a,
                                                 o.rmat_b, o.rmat_c,
                                                 1.0 - o.rmat_a - o.rmat_b - o.rmat_c, false);
    for (int64_t i = 0; i < count; ++i, ++it) {
      emit(i, permutation[it->first], permutation[it->second]);
    }
  } else {
    // Boost 1.74's erdos_renyi_iterator (either constructor: the probability form only turns
    // p·n² into a count) draws uniform ordered pairs with replacement, u != v: a multigraph with
    // fewer than m distinct edges. Its first M distinct pairs are a uniform M-subset, exactly
    // G(n, M), and chunks of it draw in parallel. sorted_erdos_renyi_iterator would give G(n, p)
    // instead (geometric skips, O(n + m), no duplicates) but a binomial edge count, in one
    // sequential stream that cannot be split across threads.
    boost::erdos_renyi_iterator<Engine, TraitsGraph> it(gen, n, static_cast<size_t>(count) + 1,
                                                        false);
    for (int64_t i = 0; i < count; ++i, ++it) emit(i, it->first, it->second);
  }
}

/// The first o.edges distinct edges of the chunked stream, in stream order. Chunks are drawn in
/// parallel and consumed in order (an OpenMP ordered loop), so one thread's hash-set inserts
/// overlap the other threads' drawing. Fewer than o.edges only when max_chunks ran out.
std::vector<uint64_t> FirstDistinctOfChunks(const SynthGraphOptions& o,
                                            const std::vector<uint32_t>& permutation, int64_t chunk,
                                            int64_t max_chunks, int threads, SynthGraphStats* st) {
  const int64_t m = o.edges;
  KeySet seen(m);
  std::vector<uint64_t> accepted;
  accepted.reserve(static_cast<size_t>(m));
  std::atomic<bool> done{false};  // read outside the ordered region to skip drawing
  // Waves of a few chunks per thread: the ordered loop then never runs far past the chunk that
  // completes M (each ordered hand-off can cost a scheduler slice on a busy machine).
  const int64_t wave = 4 * static_cast<int64_t>(threads);
  for (int64_t first = 0; first < max_chunks && !done; first += wave) {
    const int64_t last = std::min(max_chunks, first + wave);
#pragma omp parallel num_threads(threads)
    {
      std::vector<uint64_t> buf;
#pragma omp for ordered schedule(static, 1)
      for (int64_t c = first; c < last; ++c) {
        const bool skip = done.load(std::memory_order_relaxed);
        if (!skip) DrawChunk(o, permutation, c, chunk, &buf);
#pragma omp ordered
        if (!skip) {
          constexpr size_t kAhead = 16;  // prefetch distance: ~16 misses in flight
          for (size_t i = 0; i < std::min(kAhead, buf.size()); ++i) seen.Prefetch(buf[i]);
          for (size_t i = 0; i < buf.size() && !done.load(std::memory_order_relaxed); ++i) {
            if (i + kAhead < buf.size()) seen.Prefetch(buf[i + kAhead]);
            const uint64_t key = buf[i];
            ++st->candidates;
            if (Src(key) == Dst(key)) {
              ++st->self_loops;
            } else if (!seen.Insert(key)) {
              ++st->duplicates;
            } else {
              accepted.push_back(key);
              if (static_cast<int64_t>(accepted.size()) == m) done.store(true);
            }
          }
        }
      }
    }
  }
  return accepted;
}

/// Expected PLOD degree sum for beta: the integral over x in [1, n] of beta·x^-alpha, clamped to
/// [lo, hi] as Boost clamps it (undirected: [1, n − 1]; directed: unclamped, floor at 0). The
/// floor() Boost applies costs < 1 per node; the caller's rounds absorb that.
double PlodDegreeSum(double beta, double alpha, double n, double lo, double hi) {
  const auto integral = [&](double a, double b) {  // ∫_a^b beta x^-alpha dx
    if (b <= a) return 0.0;
    if (std::abs(alpha - 1.0) < 1e-12) return beta * std::log(b / a);
    return beta * (std::pow(b, 1 - alpha) - std::pow(a, 1 - alpha)) / (1 - alpha);
  };
  const auto clip = [&](double x) { return std::clamp(x, 1.0, n); };
  const double x_hi = clip(std::pow(beta / hi, 1 / alpha));               // f(x) >= hi below
  const double x_lo = lo > 0 ? clip(std::pow(beta / lo, 1 / alpha)) : n;  // f(x) <= lo above
  const double head = std::isinf(hi) ? 0.0 : hi * (x_hi - 1);  // directed: no cap, no head
  return head + integral(x_hi, x_lo) + lo * (n - x_lo);
}

double SolvePlodBeta(double target, double alpha, double n, bool directed) {
  const double lo = directed ? 0.0 : 1.0;
  const double hi = directed ? std::numeric_limits<double>::infinity() : n - 1;
  double a = -30, b = 60;  // log(beta) bracket: degree sums from ~0 to saturation
  for (int i = 0; i < 200; ++i) {
    const double mid = 0.5 * (a + b);
    (PlodDegreeSum(std::exp(mid), alpha, n, lo, hi) < target ? a : b) = mid;
  }
  return std::exp(b);
}

/// Distinct edges of one full PLOD stream for beta (Boost's iterators; self-loops rejected).
std::vector<uint64_t> PlodDistinct(const SynthGraphOptions& o, double beta, int round,
                                   SynthGraphStats* st) {
  Engine gen = MakeEngine(SubSeed(o.seed, kTagPlod, static_cast<uint64_t>(round)));
  const auto n = static_cast<size_t>(o.nodes);
  KeySet seen(o.edges + o.edges / 4);
  std::vector<uint64_t> distinct;
  distinct.reserve(static_cast<size_t>(o.edges) + o.edges / 4);
  *st = SynthGraphStats{};
  const auto take = [&](size_t u, size_t v) {
    ++st->candidates;
    if (u == v) {
      ++st->self_loops;
      return;
    }
    if (!o.directed && u > v) std::swap(u, v);
    const uint64_t key = Pack(u, v);
    if (seen.Insert(key)) {
      distinct.push_back(key);
    } else {
      ++st->duplicates;
    }
  };
  if (o.directed) {
    // Boost's out_directed_plod_iterator yields (0, 0) before its first ++ (a placeholder, not an
    // edge), hence the increment before the first read.
    boost::plod_iterator<Engine, boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS>>
        it(gen, n, o.plod_alpha, beta, false), end;
    for (++it; it != end; ++it) take(it->first, it->second);
  } else {
    boost::plod_iterator<Engine,
                         boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS>>
        it(gen, n, o.plod_alpha, beta, false), end;
    for (; it != end; ++it) take(it->first, it->second);
  }
  return distinct;
}

// --- CSR ----------------------------------------------------------------------------------------

/// Weight of an edge: a pure function of (seed, oriented key), uniform on the 24-bit grid in (0,
/// 1].
float EdgeWeight(core::PhiloxKey key, uint64_t edge) {
  return core::UniformFloatOpen0(core::Random4(key, 0, 0, edge).x);
}

/// CSR from distinct oriented keys (no self-loops, no duplicates). Undirected keys (u < v) fill
/// both rows. Rows are sorted, so the result depends only on the key set. (GraphFromEdges in
/// edgelist.hpp, when it lands, does this and also merges duplicates; none exist here.)
Graph BuildCsr(const std::vector<uint64_t>& keys, const SynthGraphOptions& o, int threads) {
  const int64_t n = o.nodes;
  Graph g;
  g.directed = o.directed;
  g.offsets.assign(static_cast<size_t>(n) + 1, 0);
  int64_t* const off = g.offsets.data();
  // Rows are cut into ranges of ~2^22 slots (16 MB of neighbours) and each range scans every key
  // for its rows: the writes stay in one range's few MB instead of landing anywhere in the whole
  // graph, at the price of one sequential read of the keys per range. (One range per thread
  // spent ~70% of the build waiting on write misses at 1M nodes; atomic increments instead of
  // owned ranges were worse still: their lock prefix serialises the misses.)
  const int64_t slots_expected = static_cast<int64_t>(keys.size()) * (o.directed ? 1 : 2);
  const int64_t ranges = std::max<int64_t>(threads, (slots_expected >> 22) + 1);
  const auto for_my_rows = [&](auto&& visit) {
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1)
    for (int64_t r = 0; r < ranges; ++r) {
      const auto lo = static_cast<uint32_t>(n * r / ranges);
      const auto hi = static_cast<uint32_t>(n * (r + 1) / ranges);
      for (const uint64_t k : keys) {
        const uint32_t u = Src(k), v = Dst(k);
        if (u >= lo && u < hi) visit(u, v);
        if (!o.directed && v >= lo && v < hi) visit(v, u);
      }
    }
  };
  for_my_rows([&](uint32_t u, uint32_t) { ++off[u + 1]; });
  for (int64_t v = 0; v < n; ++v) off[v + 1] += off[v];
  const int64_t slots = off[n];
  g.neighbors.resize(static_cast<size_t>(slots));
  g.weights.resize(static_cast<size_t>(slots));
  {
    std::vector<int64_t> cursor(g.offsets.begin(), g.offsets.end() - 1);
    int64_t* const cur = cursor.data();
    int32_t* const nbr = g.neighbors.data();
    for_my_rows([&](uint32_t u, uint32_t v) { nbr[cur[u]++] = static_cast<int32_t>(v); });
  }
  const core::PhiloxKey wkey = KeyOf(o.seed, kTagWeight);
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1024)
  for (int64_t v = 0; v < n; ++v) {
    std::sort(g.neighbors.begin() + off[v], g.neighbors.begin() + off[v + 1]);
    for (int64_t e = off[v]; e < off[v + 1]; ++e) {
      const auto x = static_cast<uint64_t>(g.neighbors[e]);
      const auto y = static_cast<uint64_t>(v);
      const uint64_t key = o.directed ? Pack(y, x) : Pack(std::min(x, y), std::max(x, y));
      g.weights[e] = o.weighted ? EdgeWeight(wkey, key) : 1.0f;
    }
  }
  g.names.resize(static_cast<size_t>(n));
  for (int64_t v = 0; v < n; ++v) g.names[v] = std::to_string(v);
  return g;
}

}  // namespace

absl::StatusOr<SynthModel> ParseSynthModel(std::string_view name) {
  if (name == "rmat") return SynthModel::kRmat;
  if (name == "plod") return SynthModel::kPlod;
  if (name == "er") return SynthModel::kEr;
  return absl::InvalidArgumentError(
      absl::StrCat("synth graph: model: expected rmat, plod or er, got '", std::string(name), "'"));
}

std::string_view SynthModelName(SynthModel m) {
  switch (m) {
    case SynthModel::kRmat:
      return "rmat";
    case SynthModel::kPlod:
      return "plod";
    case SynthModel::kEr:
      return "er";
  }
  return "?";
}

absl::StatusOr<Graph> SynthGraph(const SynthGraphOptions& o, SynthGraphStats* stats) {
  N2V_RETURN_IF_ERROR(ValidateGraphOptions(o));
  const int threads = o.threads > 0 ? o.threads : omp_get_max_threads();
  SynthGraphStats st;
  std::vector<uint64_t> keys;
  if (o.model == SynthModel::kPlod) {
    // A PLOD stream's length is set by its degree draws, not by M, and its order is not random
    // (directed: source by source; undirected: hubs pair up last). So: one whole stream whose
    // expected distinct edges exceed M, then a uniform M-subset of them. If duplicates left it
    // short, beta grows and the stream is redrawn, up to kRounds times.
    constexpr int kRounds = 8;
    const double n = static_cast<double>(o.nodes);
    double target = (o.directed ? 1.0 : 2.0) * static_cast<double>(o.edges) * 1.05;
    for (int round = 0;; ++round) {
      const double beta = SolvePlodBeta(target, o.plod_alpha, n, o.directed);
      keys = PlodDistinct(o, beta, round, &st);
      const auto got = static_cast<int64_t>(keys.size());
      if (got >= o.edges) break;
      if (round + 1 == kRounds) {
        return absl::InvalidArgumentError(
            absl::StrCat("synth graph: plod: only ", got, " distinct edges from ", st.candidates,
                         " candidates (beta ", beta, ") after ", kRounds, " rounds; ", o.edges,
                         " edges on ", o.nodes, " nodes is too dense for PLOD with alpha ",
                         o.plod_alpha, ": lower edges or alpha, or use er"));
      }
      target *= 1.1 * static_cast<double>(o.edges) / std::max<double>(1.0, got);
    }
    if (static_cast<int64_t>(keys.size()) > o.edges) {
      // The M keys of smallest hash: uniform among the distinct edges, independent of their order.
      const core::PhiloxKey hkey = KeyOf(o.seed, kTagSubsample);
      std::vector<std::pair<uint64_t, uint64_t>> ranked(keys.size());
      for (size_t i = 0; i < keys.size(); ++i) {
        const core::U32x4 r = core::Random4(hkey, 0, 0, keys[i]);
        ranked[i] = {uint64_t{r.x} << 32 | r.y, keys[i]};
      }
      std::nth_element(ranked.begin(), ranked.begin() + o.edges, ranked.end());
      keys.resize(static_cast<size_t>(o.edges));
      for (int64_t i = 0; i < o.edges; ++i) keys[i] = ranked[i].second;
    }
  } else {
    std::vector<uint32_t> permutation;
    if (o.model == SynthModel::kRmat) {
      // R-MAT puts its hubs at small ids; a uniform relabelling (Fisher–Yates with Boost's
      // portable uniform_int_distribution) hides that, as Graph500 does.
      permutation.resize(static_cast<size_t>(o.nodes));
      for (int64_t v = 0; v < o.nodes; ++v) permutation[v] = static_cast<uint32_t>(v);
      Engine gen = MakeEngine(SubSeed(o.seed, kTagPermutation, 0));
      for (int64_t i = o.nodes - 1; i > 0; --i) {
        boost::random::uniform_int_distribution<int64_t> pick(0, i);
        std::swap(permutation[i], permutation[pick(gen)]);
      }
    }
    // Chunk size is a function of M only (never of threads): small graphs draw small chunks.
    const int64_t chunk = std::clamp<int64_t>(o.edges / 8, 4096, int64_t{1} << 20);
    // Up to 32 candidates per edge: ER at full density needs ln(pairs) (coupon collector, < 32
    // for any graph that fits memory); R-MAT that needs more is piling onto a few hot pairs.
    const int64_t max_chunks = (32 * o.edges + chunk - 1) / chunk + 1;
    keys = FirstDistinctOfChunks(o, permutation, chunk, max_chunks, threads, &st);
    if (static_cast<int64_t>(keys.size()) < o.edges) {
      return absl::InvalidArgumentError(absl::StrCat(
          "synth graph: ", std::string(SynthModelName(o.model)), ": only ", keys.size(),
          " distinct edges among ", st.candidates, " candidates; ", o.edges, " edges on ", o.nodes,
          " nodes is too dense for it (R-MAT concentrates edges on few node pairs, and with N "
          "not a power of two leaves some ids unreachable): lower edges, raise nodes, or use er"));
    }
  }
  Graph g = BuildCsr(keys, o, threads);
  std::vector<uint64_t>().swap(keys);
  for (int32_t v = 0; v < g.num_nodes(); ++v) {
    st.max_degree = std::max(st.max_degree, g.offsets[v + 1] - g.offsets[v]);
  }
  if (stats != nullptr) *stats = st;
  return g;
}

// --- ratings ------------------------------------------------------------------------------------

namespace {

/// Standard normal from two words (Box–Muller in double).
double Normal(uint32_t a, uint32_t b) {
  const double u = (static_cast<double>(a) + 1.0) * 0x1p-32;  // (0, 1]
  const double v = static_cast<double>(b) * 0x1p-32;          // [0, 1)
  return std::sqrt(-2.0 * std::log(u)) * std::cos(6.283185307179586 * v);
}
double Uniform01Open0(uint32_t a) { return (static_cast<double>(a) + 1.0) * 0x1p-32; }

/// Vose's alias table over weights, thresholds as 32-bit integers: draw i = word1 mod-free
/// (UniformBelow), keep i when word2 < keep[i], else alias[i].
struct Alias {
  std::vector<uint32_t> keep;
  std::vector<uint32_t> alias;
  uint32_t Draw(uint32_t w1, uint32_t w2) const {
    const uint32_t i = core::UniformBelow(w1, static_cast<uint32_t>(keep.size()));
    return w2 < keep[i] ? i : alias[i];
  }
};

Alias BuildAlias(const std::vector<double>& w) {
  const size_t n = w.size();
  double total = 0;
  for (const double x : w) total += x;
  std::vector<double> scaled(n);
  std::vector<uint32_t> small, large;
  for (size_t i = 0; i < n; ++i) {
    scaled[i] = w[i] * static_cast<double>(n) / total;
    (scaled[i] < 1.0 ? small : large).push_back(static_cast<uint32_t>(i));
  }
  Alias a;
  a.keep.assign(n, 0xFFFFFFFFu);
  a.alias.resize(n);
  for (size_t i = 0; i < n; ++i) a.alias[i] = static_cast<uint32_t>(i);
  while (!small.empty() && !large.empty()) {
    const uint32_t s = small.back(), l = large.back();
    small.pop_back();
    a.keep[s] = static_cast<uint32_t>(std::min(4294967295.0, scaled[s] * 4294967296.0));
    a.alias[s] = l;
    scaled[l] -= 1.0 - scaled[s];
    if (scaled[l] < 1.0) {
      large.pop_back();
      small.push_back(l);
    }
  }
  return a;  // leftovers (rounding) keep themselves: keep = 2^32 − 1
}

// ml-25m's rating marginal (0.5 .. 5.0 stars: 1.57, 3.11, 1.60, 6.56, 5.05, 19.59, 12.71, 26.56,
// 8.80, 14.45 %; mean 3.53) as cut points of the probit latent b_u + q_m + ε, whose standard
// deviation is sqrt(0.45² + 0.55² + 1) = 1.2268: cut_j = 1.2268 · Φ⁻¹(cumulative share j).
constexpr double kUserBiasSd = 0.45;
constexpr double kMovieQualitySd = 0.55;
constexpr std::array<double, 9> kCuts = {-2.639293, -2.057018, -1.8793,  -1.391104, -1.12801,
                                         -0.391558, 0.00581,   0.896257, 1.30079};

// Genres as MovieLens spells them, with weights near their ml-25m frequencies (movies per genre).
constexpr std::array<const char*, 19> kGenres = {
    "Action",  "Adventure", "Animation", "Children", "Comedy", "Crime",   "Documentary",
    "Drama",   "Fantasy",   "Film-Noir", "Horror",   "IMAX",   "Musical", "Mystery",
    "Romance", "Sci-Fi",    "Thriller",  "War",      "Western"};
constexpr std::array<double, 19> kGenreWeight = {7348,  4145, 2929, 2935, 16870, 5319, 5605,
                                                 25606, 2731, 353,  5989, 195,   1054, 2925,
                                                 7719,  3595, 8654, 1874, 1399};

// Timestamps: each user rates within up to three years, starting between 2000-01-01 and
// ml-25m's last day (2019-11-21).
constexpr int64_t kFirstTime = 946684800, kLastTime = 1574327703, kUserSpan = 3 * 365 * 86400;

int Digits(uint64_t x) {
  int d = 1;
  while (x >= 10) {
    x /= 10;
    ++d;
  }
  return d;
}
char* PutUint(char* p, uint64_t x, int digits) {
  for (int i = digits - 1; i >= 0; --i) {
    p[i] = static_cast<char>('0' + x % 10);
    x /= 10;
  }
  return p + digits;
}

absl::Status ValidateRatingsOptions(const SynthRatingsOptions& o) {
  if (o.users < 1 || o.users > kMaxNodes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "synth ratings: users: expected an integer in [1, ", kMaxNodes, "], got ", o.users));
  }
  if (o.min_per_user < 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "synth ratings: min_per_user: expected an integer >= 1, got ", o.min_per_user));
  }
  if (o.movies < o.min_per_user || o.movies > kMaxNodes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "synth ratings: movies: expected an integer in [min_per_user = ", o.min_per_user, ", ",
        kMaxNodes, "] (each user rates min_per_user distinct movies), got ", o.movies));
  }
  // users, movies < 2^31: the products fit int64.
  const int64_t lo = o.users * o.min_per_user, hi = o.users * o.movies;
  if (o.ratings < lo || o.ratings > hi) {
    return absl::InvalidArgumentError(
        absl::StrCat("synth ratings: ratings: expected an integer in [", lo, ", ", hi,
                     "] (users × min_per_user "
                     "to users × movies), got ",
                     o.ratings));
  }
  for (const auto& [name, s] :
       {std::pair{"user_sigma", o.user_sigma}, std::pair{"movie_sigma", o.movie_sigma}}) {
    if (!std::isfinite(s) || s < 0 || s > 10) {
      return absl::InvalidArgumentError(
          absl::StrCat("synth ratings: ", name, ": expected a number in [0, 10], got ", s));
    }
  }
  return absl::OkStatus();
}

/// Ratings per user: min_per_user + a lognormal share of the rest, water-filled under the cap
/// (movies − min_per_user), then rounded by largest remainder so the total is exact.
std::vector<int64_t> UserActivity(const SynthRatingsOptions& o) {
  const int64_t n = o.users;
  const core::PhiloxKey key = KeyOf(o.seed, kTagUser);
  std::vector<double> y(static_cast<size_t>(n));
  for (int64_t u = 0; u < n; ++u) {
    const core::U32x4 r = core::Random4(key, 0, 0, static_cast<uint64_t>(u));
    y[u] = std::exp(o.user_sigma * Normal(r.x, r.y));
  }
  const double cap = static_cast<double>(o.movies - o.min_per_user);
  double rest = static_cast<double>(o.ratings - n * o.min_per_user);
  std::vector<double> share(static_cast<size_t>(n), -1.0);  // -1: not yet capped
  for (;;) {
    double free_y = 0;
    for (int64_t u = 0; u < n; ++u) {
      if (share[u] < 0) free_y += y[u];
    }
    bool capped = false;
    for (int64_t u = 0; u < n; ++u) {
      if (share[u] < 0 && rest * y[u] / free_y > cap) {
        share[u] = cap;
        rest -= cap;
        capped = true;
      }
    }
    if (!capped) {
      for (int64_t u = 0; u < n; ++u) {
        if (share[u] < 0) share[u] = free_y > 0 ? rest * y[u] / free_y : 0.0;
      }
      break;
    }
  }
  std::vector<int64_t> k(static_cast<size_t>(n));
  std::vector<std::pair<double, int64_t>> frac;
  int64_t assigned = 0;
  for (int64_t u = 0; u < n; ++u) {
    const double f = std::floor(share[u]);
    k[u] = static_cast<int64_t>(f);
    assigned += k[u];
    if (k[u] < static_cast<int64_t>(cap)) frac.push_back({share[u] - f, u});
  }
  int64_t left = o.ratings - n * o.min_per_user - assigned;
  std::sort(frac.begin(), frac.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  // Rounding leaves fewer units than uncapped users (each floor loses < 1); the modulo guards
  // the last units of a sum that rounding pushed past that.
  for (size_t i = 0; left > 0 && !frac.empty(); ++i, --left) ++k[frac[i % frac.size()].second];
  for (int64_t u = 0; u < n; ++u) k[u] += o.min_per_user;
  return k;
}

}  // namespace

absl::Status WriteSynthRatings(const SynthRatingsOptions& o, const std::string& dir,
                               SynthRatingsStats* stats) {
  N2V_RETURN_IF_ERROR(ValidateRatingsOptions(o));
  const int threads = o.threads > 0 ? o.threads : omp_get_max_threads();
  const int64_t num_movies = o.movies, num_users = o.users;

  // --- movies: popularity weight, quality, title and genres -----------------------------------
  std::vector<double> weight(static_cast<size_t>(num_movies));
  std::vector<double> quality(static_cast<size_t>(num_movies));
  std::string movies_csv = "movieId,title,genres\n";
  {
    const core::PhiloxKey key = KeyOf(o.seed, kTagMovie);
    double genre_total = 0;
    for (const double w : kGenreWeight) genre_total += w;
    for (int64_t m = 0; m < num_movies; ++m) {
      const core::U32x4 r = core::Random4(key, 0, 0, static_cast<uint64_t>(m));
      const core::U32x4 s = core::Random4(key, 1, 0, static_cast<uint64_t>(m));
      // Capping z at 3.5 keeps the top ~15 of 62k movies from being in nearly every list
      // (ml-25m's most rated movie is in half of them).
      weight[m] = std::exp(o.movie_sigma * std::min(Normal(r.x, r.y), 3.5));
      quality[m] = kMovieQualitySd * Normal(r.z, r.w);
      // Year skewed to recent decades, as the catalogue is: 2019 − 119·u².
      const double yu = Uniform01Open0(s.x);
      const int year = 2019 - static_cast<int>(119.0 * yu * yu);
      bool has[kGenres.size()] = {};
      const int count = 1 + static_cast<int>(core::UniformBelow(s.y, 3));
      const uint32_t words[3] = {s.z, s.w, r.x ^ r.w};
      for (int g = 0; g < count; ++g) {
        double pick = static_cast<double>(words[g]) * 0x1p-32 * genre_total;
        size_t i = 0;
        while (i + 1 < kGenres.size() && pick >= kGenreWeight[i]) pick -= kGenreWeight[i++];
        has[i] = true;
      }
      absl::StrAppend(&movies_csv, m + 1, ",Synthetic Movie ", m + 1, " (", year, "),");
      bool first = true;
      for (size_t i = 0; i < kGenres.size(); ++i) {
        if (!has[i]) continue;
        if (!first) movies_csv += '|';
        movies_csv += kGenres[i];
        first = false;
      }
      movies_csv += '\n';
    }
  }
  const Alias alias = BuildAlias(weight);

  // --- users: activity, then each user's movies and ratings -----------------------------------
  const std::vector<int64_t> k = UserActivity(o);
  std::vector<int64_t> start(static_cast<size_t>(num_users) + 1, 0);
  for (int64_t u = 0; u < num_users; ++u) start[u + 1] = start[u] + k[u];
  const int64_t total = start[num_users];
  N2V_CHECK(total == o.ratings);
  std::vector<int32_t> movie_of(static_cast<size_t>(total));  // 0-based movie, per rating
  std::vector<uint8_t> stars(static_cast<size_t>(total));     // rating × 2 (1..10)
  std::vector<uint32_t> time_of(static_cast<size_t>(total));  // seconds after kFirstTime
  std::vector<int64_t> line_bytes(static_cast<size_t>(num_users) + 1, 0);
  const core::PhiloxKey pick_key = KeyOf(o.seed, kTagPick);
  const core::PhiloxKey rate_key = KeyOf(o.seed, kTagRate);
  // Rejection from the alias table is cheap while the chosen movies hold little of the
  // popularity mass; past movies/16 choices, or when rejections pile up (extreme movie_sigma), the
  // exponential race over every movie (Efraimidis–Spirakis) is cheaper. Both are successive
  // weighted sampling without replacement, so the switch changes cost, not the distribution.
  const int64_t race_above = num_movies / 16;
#pragma omp parallel num_threads(threads)
  {
    std::vector<uint64_t> chosen_bits(static_cast<size_t>((num_movies + 63) / 64), 0);
    std::vector<std::pair<double, int32_t>> race;
#pragma omp for schedule(dynamic, 64)
    for (int64_t u = 0; u < num_users; ++u) {
      int32_t* const out = movie_of.data() + start[u];
      const int64_t ku = k[u];
      int64_t got = 0;
      if (ku <= race_above) {
        const int64_t budget = 8 * ku + 1024;  // draws, two per Philox call
        for (uint32_t call = 0; got < ku && 2 * int64_t{call} < budget; ++call) {
          const core::U32x4 r = core::Random4(pick_key, call, 0, static_cast<uint64_t>(u));
          for (const uint32_t m : {alias.Draw(r.x, r.y), alias.Draw(r.z, r.w)}) {
            uint64_t& word = chosen_bits[m >> 6];
            if (got < ku && !(word >> (m & 63) & 1)) {
              word |= uint64_t{1} << (m & 63);
              out[got++] = static_cast<int32_t>(m);
            }
          }
        }
        for (int64_t i = 0; i < got; ++i) chosen_bits[out[i] >> 6] = 0;
      }
      if (got < ku) {
        race.resize(static_cast<size_t>(num_movies));
        for (int64_t m = 0; m < num_movies; m += 4) {
          const core::U32x4 r =
              core::Random4(pick_key, static_cast<uint32_t>(m), 1, static_cast<uint64_t>(u));
          const uint32_t w[4] = {r.x, r.y, r.z, r.w};
          for (int64_t j = m; j < std::min(m + 4, num_movies); ++j) {
            race[j] = {-std::log(Uniform01Open0(w[j - m])) / weight[j], static_cast<int32_t>(j)};
          }
        }
        std::nth_element(race.begin(), race.begin() + ku, race.end());
        for (int64_t i = 0; i < ku; ++i) out[i] = race[i].second;
      }
      std::sort(out, out + ku);

      const core::U32x4 ur = core::Random4(rate_key, 0, 1, static_cast<uint64_t>(u));
      const double bias = kUserBiasSd * Normal(ur.x, ur.y);
      const int64_t first = static_cast<int64_t>(
          core::UniformBelow(ur.z, static_cast<uint32_t>(kLastTime - kFirstTime + 1)));
      const int64_t span = std::min<int64_t>(kUserSpan, kLastTime - kFirstTime - first);
      const int user_digits = Digits(static_cast<uint64_t>(u + 1));
      int64_t bytes = 0;
      for (int64_t i = 0; i < ku; ++i) {
        const core::U32x4 r =
            core::Random4(rate_key, static_cast<uint32_t>(i), 0, static_cast<uint64_t>(u));
        const double z = bias + quality[out[i]] + Normal(r.x, r.y);
        const int level = static_cast<int>(std::upper_bound(kCuts.begin(), kCuts.end(), z) -
                                           kCuts.begin());  // 0..9
        stars[start[u] + i] = static_cast<uint8_t>(level + 1);
        const int64_t t =
            first + static_cast<int64_t>(core::UniformBelow(r.z, static_cast<uint32_t>(span + 1)));
        time_of[start[u] + i] = static_cast<uint32_t>(t);
        // "user,movie,r.r,timestamp\n"
        bytes += user_digits + 1 + Digits(static_cast<uint64_t>(out[i]) + 1) + 1 + 3 + 1 +
                 Digits(static_cast<uint64_t>(kFirstTime + t)) + 1;
      }
      line_bytes[u + 1] = bytes;
    }
  }

  // --- ratings.csv: each user's byte range is known, so a batch of users is formatted in
  // parallel in place, then streamed out (the file is ~0.7 GB at ml-25m's size).
  const std::string base = dir.empty() || dir.back() == '/' ? dir : dir + "/";
  N2V_ASSIGN_OR_RETURN(AtomicFileWriter ratings_file, AtomicFileWriter::Open(base + "ratings.csv"));
  N2V_RETURN_IF_ERROR(ratings_file.Append("userId,movieId,rating,timestamp\n"));
  for (int64_t u = 0; u < num_users; ++u) line_bytes[u + 1] += line_bytes[u];
  constexpr int64_t kBatchUsers = 4096;  // ~0.6 MB of text at ml-25m's mean activity
  std::string batch;
  for (int64_t b0 = 0; b0 < num_users; b0 += kBatchUsers) {
    const int64_t b1 = std::min(num_users, b0 + kBatchUsers);
    batch.resize(static_cast<size_t>(line_bytes[b1] - line_bytes[b0]));
#pragma omp parallel for num_threads(threads) schedule(dynamic, 64)
    for (int64_t u = b0; u < b1; ++u) {
      char* p = batch.data() + (line_bytes[u] - line_bytes[b0]);
      const int user_digits = Digits(static_cast<uint64_t>(u + 1));
      for (int64_t i = start[u]; i < start[u + 1]; ++i) {
        p = PutUint(p, static_cast<uint64_t>(u + 1), user_digits);
        *p++ = ',';
        const auto movie = static_cast<uint64_t>(movie_of[i]) + 1;
        p = PutUint(p, movie, Digits(movie));
        *p++ = ',';
        *p++ = static_cast<char>('0' + stars[i] / 2);
        *p++ = '.';
        *p++ = stars[i] % 2 ? '5' : '0';
        *p++ = ',';
        const auto t = static_cast<uint64_t>(kFirstTime + time_of[i]);
        p = PutUint(p, t, Digits(t));
        *p++ = '\n';
      }
      N2V_CHECK(p == batch.data() + (line_bytes[u + 1] - line_bytes[b0]));
    }
    N2V_RETURN_IF_ERROR(ratings_file.Append(batch));
  }

  if (stats != nullptr) {
    SynthRatingsStats s;
    s.ratings = total;
    std::vector<int64_t> per_movie(static_cast<size_t>(num_movies), 0);
    int64_t star_sum = 0;
    for (int64_t i = 0; i < total; ++i) {
      ++per_movie[movie_of[i]];
      star_sum += stars[i];
    }
    for (int64_t u = 0; u < num_users; ++u) s.max_user_ratings = std::max(s.max_user_ratings, k[u]);
    for (const int64_t c : per_movie) {
      s.max_movie_ratings = std::max(s.max_movie_ratings, c);
      s.movies_rated += c > 0;
    }
    s.mean_rating = 0.5 * static_cast<double>(star_sum) / static_cast<double>(total);
    *stats = s;
  }
  std::vector<int32_t>().swap(movie_of);
  std::vector<uint8_t>().swap(stars);
  std::vector<uint32_t>().swap(time_of);

  N2V_RETURN_IF_ERROR(WriteFileAtomic(base + "movies.csv", movies_csv));
  return ratings_file.Commit();
}

}  // namespace n2v
