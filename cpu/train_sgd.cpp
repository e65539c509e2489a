// word2vec's SGD on the CPU: skip-gram with negative sampling over walks in memory (TrainSgd) or
// streamed from the graph (TrainSgdOnGraph), and the checkpoint that resumes a streamed run.
// Twin: cuda/sgd.cu (n2v::cuda::TrainSgd): the same draws (core/word2vec.hpp), initialisation and
// per-pair math (core/sgns.hpp); only the summation order of a dot product differs.
// Threading: one OpenMP team per epoch; threads take chunks of walks in order (dynamic schedule)
// and update the shared tables without locks (Hogwild, see N2V_HOGWILD below).
#include <omp.h>
#include <zlib.h>
#if defined(__x86_64__) || defined(__i386__)
// GCC 12 warns about _mm512_undefined_ps() inside its own intrinsics (GCC PR 105593); the
// warning is about the header, not this code.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <immintrin.h>
#pragma GCC diagnostic pop
#endif
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <numeric>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "sigmoid_lanes.hpp"
#include "n2v/atomic_file.hpp"
#include "n2v/core/limits.hpp"
#include "n2v/core/rng.hpp"
#include "n2v/core/sgns.hpp"
#include "n2v/core/skipgram.hpp"
#include "n2v/core/softplus.hpp"
#include "n2v/core/word2vec.hpp"
#include "n2v/options.hpp"
#include "n2v/status.hpp"
#include "n2v/walk.hpp"
#include "n2v/word2vec.hpp"

// Hogwild (Recht et al. 2011; word2vec.c, gensim): threads read and write rows of the shared
// tables with plain loads and stores, no locks and no atomics, and an update may now and then be
// lost or read half-applied. That is the algorithm, not a bug: SGD tolerates it, and word2vec's
// rows are touched sparsely enough that collisions are rare. Relaxed std::atomic_ref<float> would
// make it defined behaviour but cannot be vectorised (one scalar access per float, several times
// slower), so the functions that touch the tables during training carry this attribute instead:
// ThreadSanitizer (scripts/sanitize tsan) leaves their memory accesses out, and reports only what
// happens outside them (set-up, counting, the loss and progress bookkeeping), which must be
// race-free and is (train_sgd_test runs both kernels on several threads). TSan would not see the
// vectorised 64-byte accesses anyway (it instruments accesses of 1 to 16 bytes), but it would see
// any scalar one. It changes nothing in other builds.
#if defined(__clang__) || defined(__GNUC__)
#define N2V_HOGWILD __attribute__((no_sanitize("thread")))
#else
#define N2V_HOGWILD
#endif

namespace n2v {
namespace {

static_assert(std::endian::native == std::endian::little, "the checkpoint is little-endian");

// Centres per unit of work: ~1-2 ms of training, small enough to balance two threads and to keep
// the learning rate decaying smoothly across them, large enough to amortise the hand-out.
constexpr uint64_t kChunkCentres = 2048;
// A dot product's lanes: element d of the rows goes to partial sum d mod kLanes (a fused
// multiply-add chain in increasing d), and the kLanes partial sums are added as a tree, halving:
// p[l] += p[l + 16], then + p[l + 8], + p[l + 4], + p[l + 2], + p[l + 1]. With AVX-512 that is
// two independent accumulator chains (half the latency of one) and a shuffle reduction; any other
// instruction set must (and the scalar path does) add in exactly this order, which the test's
// scalar reference reproduces.
constexpr int kLanes = 32;
using core::kMaxDim;
// Tables are trained with their rows at a 64-byte boundary (AlignedTable): with dim a multiple of
// 16 every vector load and store of a row then stays within one cache line. glibc's malloc returns
// large blocks 16 bytes past a page boundary, so a table in a std::vector would have every 64-byte
// access split over two lines (~15 % slower in a dot-and-update loop over L2-resident rows,
// measured). Tables made here reserve this many floats of slack, so the shift needs no new
// allocation.
constexpr size_t kAlignSlack = 16;

// --- options and set-up -------------------------------------------------------------------------
// --- set-up ---------------------------------------------------------------------------------------


/// Allocates (without touching) room for a table of `size` floats plus kAlignSlack, and asks for
/// transparent huge pages over it. Rows are visited at random: on 4 KiB pages a table past a few
/// MB misses the TLB on nearly every row (a page walk on top of the cache miss), on 2 MiB pages
/// a 100k x 128 table is 50 TLB entries. Linux's default THP mode is "madvise", so without the
/// advice the tables get small pages; where THP is off the advice is ignored.
void ReserveTable(std::vector<float>* v, size_t size) {
  v->reserve(size + kAlignSlack);
#if defined(MADV_HUGEPAGE)
  constexpr uintptr_t kHuge = uintptr_t{2} << 20;
  const uintptr_t begin = reinterpret_cast<uintptr_t>(v->data());
  const uintptr_t end = begin + v->capacity() * sizeof(float);
  const uintptr_t first = (begin + kHuge - 1) & ~(kHuge - 1), last = end & ~(kHuge - 1);
  if (last > first) {
    ::madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE);  // advice only
  }
#endif
}

/// core::Word2vecInit for the input table; the output table starts at zero.
void InitTables(int32_t n, int32_t dim, uint64_t seed, int threads, Embeddings* input,
                Embeddings* output) {
  const size_t size = static_cast<size_t>(n) * static_cast<size_t>(dim);
  input->rows = output->rows = n;
  input->dim = output->dim = dim;
  ReserveTable(&input->data, size);
  input->data.resize(size);
  ReserveTable(&output->data, size);
  output->data.assign(size, 0.0f);
  const core::PhiloxKey key = core::SgdInitKey(seed);
  float* const data = input->data.data();
#pragma omp parallel for schedule(static) num_threads(threads)
  for (int32_t r = 0; r < n; ++r) {
    for (int32_t c = 0; c < dim; ++c) {
      data[static_cast<size_t>(r) * dim + c] =
          core::Word2vecInit(key, static_cast<uint64_t>(r), static_cast<uint32_t>(c), dim);
    }
  }
}

// --- walks: in memory or sampled on demand ------------------------------------------------------

/// Walks already in memory: a chunk is a pointer into them.
struct MemoryWalks {
  const int32_t* walks;
  uint32_t length;
  const int32_t* Get(uint64_t first, uint64_t /*count*/, std::vector<int32_t>* /*buf*/) const {
    return walks + first * length;
  }
};

/// Walks sampled when needed (core::WalkOne by global walk id), into the thread's buffer.
struct GraphWalks {
  CsrView g;
  core::AliasView alias;
  core::WalkParams wp;
  const int32_t* Get(uint64_t first, uint64_t count, std::vector<int32_t>* buf) const {
    buf->resize(static_cast<size_t>(count) * wp.length);
    cpu::SampleWalks(g, alias, wp, first, count, buf->data(), 1);
    return buf->data();
  }
};

/// Walks sampled when needed, as GraphWalks, into their place in one array that keeps them all:
/// the counting pass samples every walk once anyway, and training then reads them from memory
/// instead of sampling them again (TrainSgdOnGraph, when they fit kKeptWalksBytes).
struct KeepingWalks {
  GraphWalks graph;
  int32_t* kept;  // [num_walks x length]
  const int32_t* Get(uint64_t first, uint64_t count, std::vector<int32_t>* /*buf*/) const {
    int32_t* out = kept + first * graph.wp.length;
    cpu::SampleWalks(graph.g, graph.alias, graph.wp, first, count, out, 1);
    return out;
  }
};

/// The most walk memory TrainSgdOnGraph keeps from its counting pass (64M positions); larger
/// corpora are sampled again by training, so memory stays flat as walks per node grow.
constexpr uint64_t kKeptWalksBytes = uint64_t{256} << 20;
std::atomic<uint64_t> g_kept_walks_bytes{kKeptWalksBytes};

uint64_t WalksPerChunk(uint32_t length) {
  return std::max<uint64_t>(1, kChunkCentres / length);
}

/// Occurrences of every node in walks [0, num_walks). Fails on an id >= num_nodes, naming the
/// first one (negative ids are padding). When streamed walks are counted (a whole pass of
/// sampling), `cancelled` is asked by thread 0 after each of its chunks, as in training; true
/// skips the chunks left and returns CancelledError.
/// Data-parallel: rank `rank` of `nranks` counts only its chunks (c mod nranks = rank); the caller
/// sums the ranks' counts.
template <typename Source>
absl::StatusOr<std::vector<uint64_t>> CountNodes(const Source& src, uint64_t num_walks,
                                                 uint32_t length, int32_t num_nodes,
                                                 int threads,
                                                 const CancelCallback& cancelled = nullptr,
                                                 int rank = 0, int nranks = 1) {
  std::vector<uint64_t> counts(static_cast<size_t>(num_nodes), 0);
  const uint64_t per_chunk = WalksPerChunk(length);
  const int64_t chunks = static_cast<int64_t>((num_walks + per_chunk - 1) / per_chunk);
  uint64_t first_bad = std::numeric_limits<uint64_t>::max();
  int32_t bad_id = 0;
  std::atomic<bool> stop{false};
#pragma omp parallel num_threads(threads)
  {
    std::vector<int32_t> buf;
    uint64_t my_bad = std::numeric_limits<uint64_t>::max();
    int32_t my_bad_id = 0;
#pragma omp for schedule(dynamic, 1) nowait
    for (int64_t c = rank; c < chunks; c += nranks) {
      if (stop.load(std::memory_order_relaxed)) continue;
      if (cancelled && omp_get_thread_num() == 0 && c > rank && cancelled()) {
        stop.store(true, std::memory_order_relaxed);
        continue;
      }
      const uint64_t first = static_cast<uint64_t>(c) * per_chunk;
      const uint64_t count = std::min(per_chunk, num_walks - first);
      const int32_t* w = src.Get(first, count, &buf);
      const uint64_t entries = count * length;
      for (uint64_t e = 0; e < entries; ++e) {
        const int32_t v = w[e];
        if (v >= num_nodes) {
          if (first * length + e < my_bad) my_bad = first * length + e, my_bad_id = v;
        } else if (v >= 0) {
          std::atomic_ref<uint64_t>(counts[static_cast<size_t>(v)])
              .fetch_add(1, std::memory_order_relaxed);
        }
      }
    }
#pragma omp critical(n2v_sgd_count)
    if (my_bad < first_bad) first_bad = my_bad, bad_id = my_bad_id;
  }
  if (stop.load()) return absl::CancelledError("training cancelled");
  if (first_bad != std::numeric_limits<uint64_t>::max()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "TrainSgd: walk ", first_bad / length, " position ", first_bad % length,
        " holds node id ", bad_id, ", not below the node count ", num_nodes));
  }
  return counts;
}

// --- the training loop --------------------------------------------------------------------------

struct EpochArgs {
  uint32_t length;
  int32_t dim;
  uint32_t window;
  uint32_t negatives;
  float lr0;
  float min_lr_fraction;
  uint64_t total_centres;  // num_walks · length, one epoch
  uint32_t epoch;
  uint32_t epochs;
  float* input;
  float* output;
  const uint32_t* neg_keep;
  const int32_t* neg_alias;
  uint32_t num_nodes;
  core::PhiloxKey window_key;
  core::PhiloxKey negative_key;
  uint32_t max_pairs;  // per centre: 2·min(window, length − 1)
  bool shared_negatives;
};

/// One centre's work, drawn before it is trained (so its rows can be prefetched ahead):
/// the learning rate, and per (centre, context) pair the context followed by the negatives that
/// differ from it (word2vec.c skips a negative equal to the context).
struct Plan {
  int32_t wi = -1;  // the centre's node; -1: padding, nothing to train
  float lr = 0;
  uint32_t pairs = 0;
  std::vector<int32_t> targets;   // [max_pairs x (1 + negatives)], row p: pair p's targets
  std::vector<uint32_t> ntargets; // [max_pairs]
  std::vector<uint8_t> distinct;  // [max_pairs] 1 iff the pair's targets are distinct rows

  void Resize(const EpochArgs& a) {
    targets.resize(static_cast<size_t>(a.max_pairs) * (a.negatives + 1));
    ntargets.resize(a.max_pairs);
    distinct.resize(a.max_pairs);
  }
};

/// Shared negatives: the centres whose negatives DrawLanes draws at once (three blocks each at
/// five negatives: 48 lanes, three vectors).
constexpr uint32_t kSharedDrawCentres = 16;

/// MakePlan's scratch: the centre's contexts and pair ids, and one Philox block per
/// (pair, block of two negatives): its counter words in, its two negatives out. Shared negatives
/// use the block lanes for kSharedDrawCentres centres.
struct DrawScratch {
  std::vector<int32_t> context;
  std::vector<uint64_t> pair_id;
  std::vector<uint32_t> c0, c2, c3;  // counter words x, z, w (y is the epoch)
  std::vector<int32_t> even, odd;    // negatives 2k and 2k + 1 of block k

  /// Queues the `blocks` Philox blocks of pair `id` at lane `lanes`: core::DrawNegative takes
  /// negative d from block d / 2 of counter (d / 2, epoch, id), words x, y for even d and z, w
  /// for odd d (the epoch is DrawLanes's y). Returns the next free lane.
  size_t QueueBlocks(size_t lanes, uint64_t id, uint32_t blocks) {
    for (uint32_t k = 0; k < blocks; ++k, ++lanes) {
      c0[lanes] = k;
      c2[lanes] = static_cast<uint32_t>(id);
      c3[lanes] = static_cast<uint32_t>(id >> 32);
    }
    return lanes;
  }

  void Resize(const EpochArgs& a) {
    // 16 lanes of slack: the vector path reads and writes whole vectors. Per-pair negatives draw
    // a centre's pairs at once, shared negatives kSharedDrawCentres centres' at once.
    const size_t units = std::max<size_t>(a.max_pairs, kSharedDrawCentres);
    const size_t lanes = units * ((a.negatives + 1) / 2) + 16;
    context.resize(a.max_pairs);
    pair_id.resize(a.max_pairs);
    for (auto* v : {&c0, &c2, &c3}) v->resize(lanes);
    even.resize(lanes);
    odd.resize(lanes);
  }
};

/// core::DrawNegative's choice from its two random words, without a branch (the keep test is a
/// coin flip the predictor cannot learn).
inline int32_t PickNegative(const EpochArgs& a, uint32_t r_col, uint32_t r_keep) {
  const uint32_t col = core::UniformBelow(r_col, a.num_nodes);
  const int32_t alias = a.neg_alias[col];
  return r_keep > a.neg_keep[col] ? alias : static_cast<int32_t>(col);
}

/// For every lane l < n: the Philox block of counter (c0[l], y, c2[l], c3[l]) and the two
/// negatives core::DrawNegative takes from it (words x, y → even, z, w → odd). 16 lanes at a
/// time where AVX-512 is available: the same integer arithmetic, so the same negatives.
void DrawLanes(const EpochArgs& a, uint32_t y, size_t n, DrawScratch* s) {
  const core::PhiloxKey key = a.negative_key;
  size_t l = 0;
#if defined(__AVX512F__)
  const __m512i m0 = _mm512_set1_epi32(static_cast<int>(0xD2511F53u));
  const __m512i m1 = _mm512_set1_epi32(static_cast<int>(0xCD9E8D57u));
  const __m512i nodes = _mm512_set1_epi32(static_cast<int>(a.num_nodes));
  // High half of each lane's 32x32-bit product: vpmuludq on the even lanes and on the odd lanes
  // shifted down (the low halves come from vpmulld).
  const auto mul_hi = [](__m512i x, __m512i m) {
    const __m512i even = _mm512_mul_epu32(x, m);
    const __m512i odd = _mm512_mul_epu32(_mm512_srli_epi64(x, 32), m);
    return _mm512_mask_blend_epi32(0xAAAA, _mm512_srli_epi64(even, 32), odd);
  };
  // Alias draw over n columns; every column index is below num_nodes <= 2^31 − 1, so the
  // gathers' signed 32-bit indices hold it.
  const auto pick = [&](__m512i r_col, __m512i r_keep) {
    const __m512i col = mul_hi(r_col, nodes);
    const __m512i keep = _mm512_i32gather_epi32(col, a.neg_keep, 4);
    const __m512i alias = _mm512_i32gather_epi32(col, a.neg_alias, 4);
    return _mm512_mask_blend_epi32(_mm512_cmpgt_epu32_mask(r_keep, keep), col, alias);
  };
  for (; l < n; l += 16) {
    __m512i x = _mm512_loadu_si512(s->c0.data() + l);
    __m512i yy = _mm512_set1_epi32(static_cast<int>(y));
    __m512i z = _mm512_loadu_si512(s->c2.data() + l);
    __m512i w = _mm512_loadu_si512(s->c3.data() + l);
    uint32_t k0 = key.k0, k1 = key.k1;
    for (int round = 0; round < 10; ++round) {  // core::Philox4x32
      const __m512i hi0 = mul_hi(x, m0), lo0 = _mm512_mullo_epi32(x, m0);
      const __m512i hi1 = mul_hi(z, m1), lo1 = _mm512_mullo_epi32(z, m1);
      x = _mm512_xor_si512(_mm512_xor_si512(hi1, yy), _mm512_set1_epi32(static_cast<int>(k0)));
      yy = lo1;
      z = _mm512_xor_si512(_mm512_xor_si512(hi0, w), _mm512_set1_epi32(static_cast<int>(k1)));
      w = lo0;
      k0 += 0x9E3779B9u;
      k1 += 0xBB67AE85u;
    }
    _mm512_storeu_si512(s->even.data() + l, pick(x, yy));
    _mm512_storeu_si512(s->odd.data() + l, pick(z, w));
  }
#endif
  for (; l < n; ++l) {
    const core::U32x4 r = core::Philox4x32(core::U32x4{s->c0[l], y, s->c2[l], s->c3[l]}, key);
    s->even[l] = PickNegative(a, r.x, r.y);
    s->odd[l] = PickNegative(a, r.z, r.w);
  }
}

/// What every plan starts with: the centre's node (false when it is padding: nothing to train),
/// its learning rate and its shrunk window.
bool BeginPlan(const EpochArgs& a, const int32_t* walk, uint64_t centre, uint32_t i, Plan* p,
               core::WindowBounds* wb) {
  p->pairs = 0;
  p->wi = walk[i];
  if (p->wi < 0) return false;
  p->lr = core::SgdLearningRate(a.lr0, a.min_lr_fraction,
                                static_cast<uint64_t>(a.epoch) * a.total_centres + centre,
                                static_cast<uint64_t>(a.epochs) * a.total_centres);
  const uint32_t b = core::ShrunkWindow(a.window_key, a.epoch, centre, a.window);
  *wb = core::SkipgramWindow(i, b, a.length);
  return true;
}

/// Writes a pair's or a window's negatives d = 0 .. negatives − 1 (DrawLanes's blocks: `even`
/// for even d, `odd` for odd d) to out[], in order, except those equal to `other` (the context,
/// or the centre for shared negatives); returns how many it kept. Branch-free: each is written,
/// and kept unless equal, so out[] needs room for all of them.
inline uint32_t KeepNegatives(const int32_t* even, const int32_t* odd, uint32_t negatives,
                              int32_t other, int32_t* out) {
  uint32_t n = 0;
  for (uint32_t d = 0; d < negatives; ++d) {
    const int32_t v = (d & 1u) ? odd[d / 2] : even[d / 2];
    out[n] = v;
    n += v != other ? 1 : 0;
  }
  return n;
}

/// Plans centre `centre` (flat position walk·length + i; `walk` is its walk's row).
void MakePlan(const EpochArgs& a, const int32_t* walk, uint64_t centre, uint32_t i, Plan* p,
              DrawScratch* s) {
  core::WindowBounds wb;
  if (!BeginPlan(a, walk, centre, i, p, &wb)) return;
  uint32_t pairs = 0;
  for (uint32_t j = wb.lo; j < wb.hi; ++j) {
    const int32_t wj = walk[j];
    if (j == i || wj < 0) continue;
    s->context[pairs] = wj;
    s->pair_id[pairs++] = core::SgdPairId(centre, i, j, a.window);
  }
  // All blocks of the centre's pairs at once.
  const uint32_t blocks = (a.negatives + 1) / 2;
  size_t lanes = 0;
  for (uint32_t q = 0; q < pairs; ++q) lanes = s->QueueBlocks(lanes, s->pair_id[q], blocks);
  DrawLanes(a, a.epoch, lanes, s);
  const uint32_t stride = a.negatives + 1;
  uint32_t q = 0;
#if defined(__AVX512F__) && defined(__AVX512CD__)
  // A pair's negatives in one vector (at most 15, so with the context at most 16 targets): even
  // and odd draws interleaved, those equal to the context dropped by a compress, and their
  // distinctness read from vpconflictd (the lanes before each that hold its value).
  if (a.negatives <= 15) {
    const __m512i interleave =
        _mm512_setr_epi32(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
    const __mmask16 live = static_cast<__mmask16>((1u << a.negatives) - 1);
    const __mmask16 block_lanes = static_cast<__mmask16>((1u << blocks) - 1);
    for (; q < pairs; ++q) {
      const int32_t wj = s->context[q];
      int32_t* t = p->targets.data() + static_cast<size_t>(q) * stride;
      const __m512i even = _mm512_maskz_loadu_epi32(block_lanes, s->even.data() + size_t{q} * blocks);
      const __m512i odd = _mm512_maskz_loadu_epi32(block_lanes, s->odd.data() + size_t{q} * blocks);
      const __m512i negs = _mm512_permutex2var_epi32(even, interleave, odd);
      const __mmask16 keep = _mm512_mask_cmpneq_epi32_mask(live, negs, _mm512_set1_epi32(wj));
      const uint32_t kept = static_cast<uint32_t>(__builtin_popcount(keep));
      t[0] = wj;
      _mm512_mask_compressstoreu_epi32(t + 1, keep, negs);
      p->ntargets[q] = 1 + kept;
      const __mmask16 first = static_cast<__mmask16>((1u << kept) - 1);
      const __m512i conflicts =
          _mm512_maskz_conflict_epi32(first, _mm512_maskz_compress_epi32(keep, negs));
      p->distinct[q] = _mm512_test_epi32_mask(conflicts, conflicts) == 0 ? 1 : 0;
    }
  }
#endif
  for (; q < pairs; ++q) {
    const int32_t wj = s->context[q];
    int32_t* t = p->targets.data() + static_cast<size_t>(q) * stride;
    t[0] = wj;
    const uint32_t n = 1 + KeepNegatives(s->even.data() + static_cast<size_t>(q) * blocks,
                                         s->odd.data() + static_cast<size_t>(q) * blocks,
                                         a.negatives, wj, t + 1);
    p->ntargets[q] = n;
    // The context differs from every negative kept; two negatives may coincide.
    bool distinct = true;
    for (uint32_t u = 2; u < n && distinct; ++u) {
      for (uint32_t v = 1; v < u; ++v) distinct = distinct && t[u] != t[v];
    }
    p->distinct[q] = distinct ? 1 : 0;
  }
  p->pairs = pairs;
}

/// Draws the shared negatives of centres [centre, centre + count) (flat positions; the centre
/// at `centre` is position `i` of its walk) into s->even / s->odd, centre c's blocks at
/// (c − centre)·blocks: core::DrawNegative's draws (Philox block d / 2 of counter (d / 2, epoch,
/// core::SharedNegativesPairId)), all of them in DrawLanes's vectors. A centre that turns out to
/// be padding or to have no context has its draws made and ignored.
void DrawSharedNegatives(const EpochArgs& a, uint64_t centre, uint32_t i, uint32_t count,
                         DrawScratch* s) {
  const uint32_t blocks = (a.negatives + 1) / 2;
  size_t lanes = 0;
  for (uint32_t c = 0; c < count; ++c) {
    lanes = s->QueueBlocks(lanes, core::SharedNegativesPairId(centre + c, i, a.window), blocks);
    if (++i == a.length) i = 0;  // the next walk
  }
  DrawLanes(a, a.epoch, lanes, s);
}

/// Plans centre `centre` for shared negatives (SgdTrainOptions::shared_negatives): targets[0,
/// pairs) are the window's contexts, targets[pairs, pairs + ntargets[0]) the centre's negatives
/// that differ from it (core::SharedNegativesPairId keys them, one draw per negative), taken
/// from `even` / `odd`, the centre's blocks as DrawSharedNegatives drew them.
void MakeSharedPlan(const EpochArgs& a, const int32_t* walk, uint64_t centre, uint32_t i,
                    const int32_t* even, const int32_t* odd, Plan* p) {
  core::WindowBounds wb;
  if (!BeginPlan(a, walk, centre, i, p, &wb)) return;
  uint32_t pairs = 0;
  int32_t* t = p->targets.data();
  for (uint32_t j = wb.lo; j < wb.hi; ++j) {
    const int32_t wj = walk[j];
    if (j == i || wj < 0) continue;
    t[pairs++] = wj;
  }
  p->pairs = pairs;
  if (pairs == 0) return;
  p->ntargets[0] = KeepNegatives(even, odd, a.negatives, p->wi, t + pairs);
}

// Per-target losses are queued as softplus arguments (BCE(z, 1) = softplus(−z), BCE(z, 0) =
// softplus(z)) and summed kLossBatch at a time, off the training's critical path.
constexpr size_t kLossBatch = 1024;

/// Per-thread state of one epoch.
struct ThreadState {
  Plan plan[2];
  DrawScratch draws;
  std::vector<int32_t> walks;    // a streamed chunk
  std::vector<int32_t> kept;     // the chunk's walks after subsampling (core::SubsampleWalk)
  std::vector<float> h, e1;      // the portable path's centre row and its gradient
  std::vector<float> rows, delta;  // shared negatives: the output rows and their updates
  std::vector<float> f, g;       // [1 + negatives] one pair's dot products and coefficients
  std::vector<float> fm, gm;     // shared negatives: [max_pairs x fstride] a run's products, coefficients
  std::vector<const float*> orow;  // shared negatives: [1 + negatives] the output rows
  uint32_t fstride = 0;
  std::vector<float> loss_args;  // queued softplus arguments
  size_t queued = 0;
  double loss = 0;
  int64_t pairs = 0;
  int64_t flushed_pairs = 0;  // `pairs` at the last flush: the pairs `loss` covers (± one centre)

  explicit ThreadState(const EpochArgs& a) {
    plan[0].Resize(a);
    plan[1].Resize(a);
    draws.Resize(a);
    f.resize(a.negatives + 1 + 3);  // ReduceLanes4 stores four at a time
    if (a.shared_negatives) {
      rows.resize(static_cast<size_t>(a.negatives + 1) * a.dim);
      delta.resize(static_cast<size_t>(a.negatives + 1) * a.dim);
      e1.resize(static_cast<size_t>(a.dim));
      fstride = (a.negatives + 1 + 3) / 4 * 4;  // ReduceLanes4 stores four at a time
      fm.resize(static_cast<size_t>(a.max_pairs) * fstride);
      orow.resize(a.negatives + 1);
      gm.resize(static_cast<size_t>(a.max_pairs) * fstride);
    }
    g.resize(a.negatives + 1);
    loss_args.resize(kLossBatch + a.negatives + 1);
  }
  void QueueLosses(const float* dots, uint32_t n) {
    loss_args[queued++] = -dots[0];
    for (uint32_t j = 1; j < n; ++j) loss_args[queued++] = dots[j];
    if (queued >= kLossBatch) FlushLosses();
  }
  void FlushLosses();
};

void ThreadState::FlushLosses() {
  // core::Softplus vectorises here on any ISA; the lanes' partial sums are doubles.
  double sum = 0.0;
  const float* args = loss_args.data();
#pragma omp simd reduction(+ : sum)
  for (size_t l = 0; l < queued; ++l) sum += static_cast<double>(core::Softplus(args[l]));
  loss += sum;
  queued = 0;
  flushed_pairs = pairs;
}

N2V_HOGWILD inline void PrefetchRow(const float* row, int32_t dim) {
  const char* p = reinterpret_cast<const char*>(row);
  for (int32_t b = 0; b < dim * 4; b += 64) __builtin_prefetch(p + b, 1, 3);
}

/// Prefetches the rows pair `p` of `plan` will touch.
N2V_HOGWILD inline void PrefetchPair(const EpochArgs& a, const Plan& plan, uint32_t p) {
  const int32_t* t = plan.targets.data() + static_cast<size_t>(p) * (a.negatives + 1);
  for (uint32_t k = 0; k < plan.ntargets[p]; ++k) {
    PrefetchRow(a.output + static_cast<size_t>(t[k]) * a.dim, a.dim);
  }
}

// How far ahead the output rows are prefetched, in pairs. A pair takes ~100-300 ns, a row from
// DRAM ~100 ns plus queueing behind the other rows in flight; two pairs ahead was ~10 % faster
// than one on a 100k-node table, three no better than two (bench/train_bench.cpp, BM_TrainSgd).
constexpr uint32_t kPrefetchPairs = 2;

/// While training pair q of `p`: prefetches the pair kPrefetchPairs later in the thread's stream
/// of pairs, which may be one of the next centre's (`next`, planned one centre ahead).
N2V_HOGWILD inline void PrefetchAhead(const EpochArgs& a, const Plan& p, const Plan& next,
                                      uint32_t q) {
  const uint32_t ahead = q + kPrefetchPairs;
  if (ahead < p.pairs) {
    PrefetchPair(a, p, ahead);
  } else if (ahead - p.pairs < next.pairs) {
    PrefetchPair(a, next, ahead - p.pairs);
  }
}

#if defined(__AVX512F__)
// --- AVX-512: the centre's row and its gradient held in registers ------------------------------

constexpr int kMaxVectors = kMaxDim / 16;

/// The rest of a dot product's halving tree (see kLanes) from its 16 sums p[l] + p[l + 16].
N2V_HOGWILD inline float ReduceLanes16(__m512 s16) {
  const __m256 s8 = _mm256_add_ps(_mm512_castps512_ps256(s16),
                                  _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(s16), 1)));
  const __m128 s4 = _mm_add_ps(_mm256_castps256_ps128(s8), _mm256_extractf128_ps(s8, 1));
  const __m128 s2 = _mm_add_ps(s4, _mm_movehl_ps(s4, s4));
  const __m128 s1 = _mm_add_ss(s2, _mm_movehdup_ps(s2));
  return _mm_cvtss_f32(s1);
}

/// ReduceLanes16 of four dot products at once, each level of the tree one add for all four
/// (operands shuffled so that every lane adds exactly what ReduceLanes16 adds): the totals of
/// a, b, c, d in lanes 0..3.
N2V_HOGWILD inline __m128 ReduceLanes4(__m512 a, __m512 b, __m512 c, __m512 d) {
  // [a.lo256 + a.hi256 | b.lo256 + b.hi256]
  const __m512 ab = _mm512_add_ps(_mm512_shuffle_f32x4(a, b, 0x44), _mm512_shuffle_f32x4(a, b, 0xEE));
  const __m512 cd = _mm512_add_ps(_mm512_shuffle_f32x4(c, d, 0x44), _mm512_shuffle_f32x4(c, d, 0xEE));
  // One 128-bit quarter per product: [x.lo128 + x.hi128] for x = a, b, c, d.
  const __m512 s4 = _mm512_add_ps(_mm512_shuffle_f32x4(ab, cd, 0x88), _mm512_shuffle_f32x4(ab, cd, 0xDD));
  const __m512 s2 = _mm512_add_ps(s4, _mm512_permute_ps(s4, _MM_SHUFFLE(1, 0, 3, 2)));
  const __m512 s1 = _mm512_add_ps(s2, _mm512_permute_ps(s2, _MM_SHUFFLE(2, 3, 0, 1)));
  return _mm512_castps512_ps128(
      _mm512_permutexvar_ps(_mm512_setr_epi32(0, 4, 8, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), s1));
}

/// Trains one planned centre. kNV > 0: the rows are exactly kNV vectors (dim in
/// (16(kNV − 1), 16 kNV]), so every loop over them unrolls; 0: any dim.
/// The centre's row h lives in an L1-resident buffer, not in registers: SgnsCoeff calls libm
/// (expf, and fminf/fmaxf, which GCC does not inline without -ffinite-math-only), every zmm
/// register is caller-saved, and a register-resident h was spilled and reloaded around each of
/// those calls — the kernel ran at a third of its speed. The pair's gradient e1 stays in
/// registers through the update loop, which calls nothing.
/// kFull: dim is a multiple of 16, so no vector is masked. Masks are not free: a load that
/// overlaps an earlier masked store cannot take its data from the store buffer and waits for the
/// store to reach L1, and the rows just written are read again a pair or two later.
template <int kNV, bool kFull>
N2V_HOGWILD void TrainCentre(const EpochArgs& a, const Plan& p, const Plan& next,
                             ThreadState* t) {
  constexpr int kMax = kNV > 0 ? kNV : kMaxVectors;
  const int32_t dim = a.dim;
  const int nv = kNV > 0 ? kNV : (dim + 15) / 16;
  const __mmask16 tail =
      kFull ? __mmask16{0xFFFF} : static_cast<__mmask16>((1u << (dim % 16)) - 1);
  const auto mask = [&](int k) { return k + 1 == nv ? tail : __mmask16{0xFFFF}; };
  const uint32_t stride = a.negatives + 1;
  float* const in_row = a.input + static_cast<size_t>(p.wi) * dim;
  float* const f = t->f.data();
  float* const g = t->g.data();
  alignas(64) float h[kMax * 16];
  alignas(64) float e1_mem[kMax * 16];
#pragma GCC unroll 16
  for (int k = 0; k < nv; ++k) {
    _mm512_store_ps(h + 16 * k, _mm512_maskz_loadu_ps(mask(k), in_row + 16 * k));
  }
  // A dot product's 32 partial sums (see kLanes), lanes l and l + 16 already added: the first
  // level of the tree.
  const auto dot_lanes = [&](const float* out_row) {
    __m512 acc[2] = {_mm512_setzero_ps(), _mm512_setzero_ps()};
#pragma GCC unroll 16
    for (int k = 0; k < nv; ++k) {
      // mask3: lanes past the row's end keep their partial sum untouched, exactly as the scalar
      // order (an FMA of zeros could turn a −0 sum into +0).
      acc[k & 1] = _mm512_mask3_fmadd_ps(_mm512_load_ps(h + 16 * k),
                                         _mm512_maskz_loadu_ps(mask(k), out_row + 16 * k),
                                         acc[k & 1], mask(k));
    }
    return _mm512_add_ps(acc[0], acc[1]);
  };
  const auto dot = [&](const float* out_row) { return ReduceLanes16(dot_lanes(out_row)); };
  if (next.wi >= 0) PrefetchRow(a.input + static_cast<size_t>(next.wi) * dim, dim);
  for (uint32_t q = 0; q < p.pairs; ++q) {
    PrefetchAhead(a, p, next, q);
    const int32_t* targets = p.targets.data() + static_cast<size_t>(q) * stride;
    const uint32_t nt = p.ntargets[q];
    const auto row = [&](uint32_t j) { return a.output + static_cast<size_t>(targets[j]) * dim; };
    __m512 e1[kMax];
    if (p.distinct[q]) {
      // Distinct rows: no target's update changes another's dot product, so all of them are
      // taken first (their latencies overlap) and the result is word2vec.c's one-at-a-time
      // order exactly.
      for (uint32_t j = 0; j < nt; j += 4) {
        __m512 s16[4];
        for (uint32_t u = 0; u < 4; ++u) {
          s16[u] = j + u < nt ? dot_lanes(row(j + u)) : _mm512_setzero_ps();
        }
        _mm_storeu_ps(f + j, ReduceLanes4(s16[0], s16[1], s16[2], s16[3]));
      }
      cpu::SgnsCoeffs(f, nt, p.lr, g);
#pragma GCC unroll 16
      for (int k = 0; k < nv; ++k) e1[k] = _mm512_setzero_ps();
      for (uint32_t j = 0; j < nt; ++j) {
        float* const out_row = row(j);
        const __m512 gv = _mm512_set1_ps(g[j]);
#pragma GCC unroll 16
        for (int k = 0; k < nv; ++k) {
          const __m512 o = _mm512_maskz_loadu_ps(mask(k), out_row + 16 * k);
          e1[k] = _mm512_fmadd_ps(gv, o, e1[k]);
          _mm512_mask_storeu_ps(out_row + 16 * k, mask(k),
                                _mm512_fmadd_ps(gv, _mm512_load_ps(h + 16 * k), o));
        }
      }
    } else {
      // A row drawn twice: one target at a time, each dot product after the previous update
      // (e1 kept in memory across the SgnsCoeff calls).
#pragma GCC unroll 16
      for (int k = 0; k < nv; ++k) _mm512_store_ps(e1_mem + 16 * k, _mm512_setzero_ps());
      for (uint32_t j = 0; j < nt; ++j) {
        float* const out_row = row(j);
        f[j] = dot(out_row);
        const __m512 gv = _mm512_set1_ps(core::SgnsCoeff(f[j], j == 0 ? 1.0f : 0.0f, p.lr));
#pragma GCC unroll 16
        for (int k = 0; k < nv; ++k) {
          const __m512 o = _mm512_maskz_loadu_ps(mask(k), out_row + 16 * k);
          _mm512_store_ps(e1_mem + 16 * k,
                          _mm512_fmadd_ps(gv, o, _mm512_load_ps(e1_mem + 16 * k)));
          _mm512_mask_storeu_ps(out_row + 16 * k, mask(k),
                                _mm512_fmadd_ps(gv, _mm512_load_ps(h + 16 * k), o));
        }
      }
#pragma GCC unroll 16
      for (int k = 0; k < nv; ++k) e1[k] = _mm512_load_ps(e1_mem + 16 * k);
    }
    // word2vec.c's neu1e: the centre's row changes once per pair. The row is re-read rather than
    // overwritten with h, so another thread's concurrent update to it survives.
#pragma GCC unroll 16
    for (int k = 0; k < nv; ++k) {
      const __m512 cur = _mm512_maskz_loadu_ps(mask(k), in_row + 16 * k);
      _mm512_mask_storeu_ps(in_row + 16 * k, mask(k), _mm512_add_ps(cur, e1[k]));
      _mm512_store_ps(h + 16 * k, _mm512_add_ps(_mm512_load_ps(h + 16 * k), e1[k]));
    }
    t->QueueLosses(f, nt);
  }
  t->pairs += p.pairs;
}
#endif  // __AVX512F__

// --- any instruction set: the same arithmetic in the same order, one float at a time -----------

N2V_HOGWILD inline float DotScalar(const float* h, const float* o, int32_t dim) {
  float p[kLanes] = {};
  for (int32_t d0 = 0; d0 < dim; d0 += kLanes) {
    const int32_t m = std::min(kLanes, dim - d0);
    for (int32_t l = 0; l < m; ++l) p[l] = std::fma(h[d0 + l], o[d0 + l], p[l]);
  }
  for (int w = kLanes / 2; w >= 1; w /= 2) {
    for (int l = 0; l < w; ++l) p[l] = p[l] + p[l + w];
  }
  return p[0];
}

N2V_HOGWILD void TrainCentreScalar(const EpochArgs& a, const Plan& p, const Plan& next,
                                   ThreadState* t) {
  const int32_t dim = a.dim;
  const uint32_t stride = a.negatives + 1;
  float* const in_row = a.input + static_cast<size_t>(p.wi) * dim;
  t->h.resize(static_cast<size_t>(dim));
  t->e1.resize(static_cast<size_t>(dim));
  float* const h = t->h.data();
  float* const e1 = t->e1.data();
  float* const f = t->f.data();
  std::copy_n(in_row, dim, h);
  for (uint32_t q = 0; q < p.pairs; ++q) {
    PrefetchAhead(a, p, next, q);
    std::fill_n(e1, dim, 0.0f);
    const int32_t* targets = p.targets.data() + static_cast<size_t>(q) * stride;
    for (uint32_t j = 0; j < p.ntargets[q]; ++j) {
      float* const o = a.output + static_cast<size_t>(targets[j]) * dim;
      f[j] = DotScalar(h, o, dim);
      const float g = core::SgnsCoeff(f[j], j == 0 ? 1.0f : 0.0f, p.lr);
      for (int32_t d = 0; d < dim; ++d) {
        e1[d] = std::fma(g, o[d], e1[d]);
        o[d] = std::fma(g, h[d], o[d]);
      }
    }
    t->QueueLosses(f, p.ntargets[q]);
    for (int32_t d = 0; d < dim; ++d) {
      in_row[d] = in_row[d] + e1[d];
      h[d] = h[d] + e1[d];
    }
  }
  t->pairs += p.pairs;
}

/// Shared negatives (HogBatch, Ji et al. 2016; BlazingText): the window's m contexts' input rows
/// against one set of output rows, the centre's and its K negatives', as a small matrix product:
/// F = H·Oᵀ (m × (1 + K)), G = lr·(label − σ(clamp F)), each context's row += G_j·O as soon as its
/// products are taken, and O += Gᵀ·H added once after the window (O is the window's snapshot,
/// copied to an L1-resident buffer). Per centre 1 + K + m rows are read and written instead of
/// word2vec's m·(1 + K) + 1; the pairs and their terms are word2vec's (each (context, centre) pair
/// with K negatives), only which negatives and when the output rows change differ. Dots in
/// DotScalar's order; loops over dim left to the compiler (omp simd).
N2V_HOGWILD void TrainCentreShared(const EpochArgs& a, const Plan& p, const Plan& next,
                                   ThreadState* t) {
  const int32_t dim = a.dim;
  const uint32_t m = p.pairs, nt = 1 + p.ntargets[0];
  const int32_t* ctx = p.targets.data();
  const auto target = [&](uint32_t k) { return k == 0 ? p.wi : ctx[m + k - 1]; };
  float* const rows = t->rows.data();
  float* const delta = t->delta.data();
  float* const e = t->e1.data();
  float* const f = t->f.data();
  float* const g = t->g.data();
  for (uint32_t k = 0; k < nt; ++k) {
    std::copy_n(a.output + static_cast<size_t>(target(k)) * dim, dim, rows + size_t{k} * dim);
    std::fill_n(delta + size_t{k} * dim, dim, 0.0f);
  }
  // The next centre's rows, while this one computes.
  if (next.pairs > 0) {
    for (uint32_t j = 0; j < next.pairs + next.ntargets[0]; ++j) {
      const float* base = j < next.pairs ? a.input : a.output;
      PrefetchRow(base + static_cast<size_t>(next.targets[j]) * dim, dim);
    }
    PrefetchRow(a.output + static_cast<size_t>(next.wi) * dim, dim);
  }
  for (uint32_t j = 0; j < m; ++j) {
    float* const h = a.input + static_cast<size_t>(ctx[j]) * dim;
    for (uint32_t k = 0; k < nt; ++k) {
      f[k] = DotScalar(h, rows + size_t{k} * dim, dim);
      g[k] = core::SgnsCoeff(f[k], k == 0 ? 1.0f : 0.0f, p.lr);
    }
#pragma omp simd
    for (int32_t d = 0; d < dim; ++d) e[d] = 0.0f;
    for (uint32_t k = 0; k < nt; ++k) {
      const float gk = g[k];
      const float* o = rows + size_t{k} * dim;
      float* dk = delta + size_t{k} * dim;
#pragma omp simd
      for (int32_t d = 0; d < dim; ++d) {
        e[d] = std::fma(gk, o[d], e[d]);
        dk[d] = std::fma(gk, h[d], dk[d]);
      }
    }
#pragma omp simd
    for (int32_t d = 0; d < dim; ++d) h[d] = h[d] + e[d];
    t->QueueLosses(f, nt);
  }
  // One at a time: a row drawn twice gets both updates.
  for (uint32_t k = 0; k < nt; ++k) {
    float* const o = a.output + static_cast<size_t>(target(k)) * dim;
    const float* dk = delta + size_t{k} * dim;
#pragma omp simd
    for (int32_t d = 0; d < dim; ++d) o[d] = o[d] + dk[d];
  }
  t->pairs += m;
}

#if defined(__AVX512F__)
/// Whether `v` is one of run[0, len).
N2V_HOGWILD inline bool InRun(const int32_t* run, uint32_t len, int32_t v) {
  const __m512i needle = _mm512_set1_epi32(v);
  for (uint32_t i = 0; i < len; i += 16) {
    const uint32_t n = std::min(16u, len - i);
    const __mmask16 live = static_cast<__mmask16>((uint32_t{1} << n) - 1);
    if (_mm512_mask_cmpeq_epi32_mask(live, _mm512_maskz_loadu_epi32(live, run + i), needle) != 0) {
      return true;
    }
  }
  return false;
}

/// TrainCentreShared for dim = 16·kNV: the same arithmetic in the same order (each dot product's
/// lanes and halving tree are DotScalar's, four products reduced at once by ReduceLanes4), with
/// every row operation a run of full vectors. The kernel calls nothing (SgnsCoeffs is vector code),
/// so up to dim 128 a context's row stays in registers through its 1 + K dot products; wider rows
/// are re-read from L1 for each. The updates that follow a run re-read the rows from L1.
template <int kNV>
N2V_HOGWILD void TrainCentreSharedAvx512(const EpochArgs& a, const Plan& p, const Plan& next,
                                         ThreadState* t) {
  constexpr int32_t dim = 16 * kNV;
  const uint32_t m = p.pairs, nt = 1 + p.ntargets[0];
  const int32_t* ctx = p.targets.data();
  const auto target = [&](uint32_t k) { return k == 0 ? p.wi : ctx[m + k - 1]; };
  // The output rows are read where they are, not copied: this thread writes none of them before
  // the window's end, so they are the window's snapshot (under Hogwild another thread's write may
  // show, as anywhere else). Their updates are summed in `delta`, which the first context writes.
  const float** const orow = t->orow.data();
  for (uint32_t k = 0; k < nt; ++k) orow[k] = a.output + static_cast<size_t>(target(k)) * dim;
  float* const delta = t->delta.data();
  if (next.pairs > 0) {
    for (uint32_t j = 0; j < next.pairs + next.ntargets[0]; ++j) {
      const float* base = j < next.pairs ? a.input : a.output;
      PrefetchRow(base + static_cast<size_t>(next.targets[j]) * dim, dim);
    }
    PrefetchRow(a.output + static_cast<size_t>(next.wi) * dim, dim);
  }
  // The window's contexts go in runs of distinct rows. Within a run no context's update can
  // change another's dot product (the output rows are the window's snapshot), so every product
  // and coefficient of the run is taken first, their latencies overlapping, and then the updates
  // in the contexts' order: the one-context-at-a-time arithmetic exactly. A row that appears
  // again ends the run, so its second products see its first update, as in word2vec.c.
  const uint32_t fstride = t->fstride;
  float* const fm = t->fm.data();
  float* const gm = t->gm.data();
  constexpr bool kHoldRow = kNV <= 8;
  for (uint32_t j0 = 0, j1; j0 < m; j0 = j1) {
    for (j1 = j0 + 1; j1 < m && !InRun(ctx + j0, j1 - j0, ctx[j1]);) ++j1;
    for (uint32_t j = j0; j < j1; ++j) {
      const float* const h = a.input + static_cast<size_t>(ctx[j]) * dim;
      __m512 hv[kHoldRow ? kNV : 1];
      if constexpr (kHoldRow) {
#pragma GCC unroll 8
        for (int v = 0; v < kNV; ++v) hv[v] = _mm512_loadu_ps(h + 16 * v);
      }
      const auto h_vec = [&](int v) {
        return kHoldRow ? hv[kHoldRow ? v : 0] : _mm512_loadu_ps(h + 16 * v);
      };
      float* const f = fm + (j - j0) * fstride;
      for (uint32_t k = 0; k < nt; k += 4) {
        __m512 s16[4];
        for (uint32_t u = 0; u < 4; ++u) {
          if (k + u < nt) {
            __m512 acc[2] = {_mm512_setzero_ps(), _mm512_setzero_ps()};
            const float* o = orow[k + u];
#pragma GCC unroll 8
            for (int v = 0; v < kNV; ++v) {
              acc[v & 1] = _mm512_fmadd_ps(h_vec(v), _mm512_loadu_ps(o + 16 * v), acc[v & 1]);
            }
            s16[u] = _mm512_add_ps(acc[0], acc[1]);
          } else {
            s16[u] = _mm512_setzero_ps();
          }
        }
        _mm_storeu_ps(f + k, ReduceLanes4(s16[0], s16[1], s16[2], s16[3]));
      }
      cpu::SgnsCoeffs(f, nt, p.lr, gm + (j - j0) * fstride);
    }
    // The output rows' update sums, one row at a time over the run in the contexts' order, held
    // in registers and stored once a run, from the contexts' rows before their own updates. The
    // first context's sum starts at +0, as a zeroed buffer would (an FMA onto +0, not a product).
    for (uint32_t k = 0; k < nt; ++k) {
      float* const dk = delta + k * dim;
      __m512 sum[kNV];
#pragma GCC unroll 16
      for (int v = 0; v < kNV; ++v) {
        sum[v] = j0 == 0 ? _mm512_setzero_ps() : _mm512_loadu_ps(dk + 16 * v);
      }
      for (uint32_t j = j0; j < j1; ++j) {
        const float* const h = a.input + static_cast<size_t>(ctx[j]) * dim;
        const __m512 gv = _mm512_set1_ps(gm[(j - j0) * fstride + k]);
#pragma GCC unroll 16
        for (int v = 0; v < kNV; ++v) sum[v] = _mm512_fmadd_ps(gv, _mm512_loadu_ps(h + 16 * v), sum[v]);
      }
#pragma GCC unroll 16
      for (int v = 0; v < kNV; ++v) _mm512_storeu_ps(dk + 16 * v, sum[v]);
    }
    // Then each context's own row, in order.
    for (uint32_t j = j0; j < j1; ++j) {
      float* const h = a.input + static_cast<size_t>(ctx[j]) * dim;
      const float* const g = gm + (j - j0) * fstride;
      __m512 e[kNV];
#pragma GCC unroll 16
      for (int v = 0; v < kNV; ++v) e[v] = _mm512_setzero_ps();
      for (uint32_t k = 0; k < nt; ++k) {
        const __m512 gv = _mm512_set1_ps(g[k]);
        const float* o = orow[k];
#pragma GCC unroll 16
        for (int v = 0; v < kNV; ++v) e[v] = _mm512_fmadd_ps(gv, _mm512_loadu_ps(o + 16 * v), e[v]);
      }
      // Re-read: another thread's update to the row since the products survives.
#pragma GCC unroll 16
      for (int v = 0; v < kNV; ++v) {
        _mm512_storeu_ps(h + 16 * v, _mm512_add_ps(_mm512_loadu_ps(h + 16 * v), e[v]));
      }
      t->QueueLosses(fm + (j - j0) * fstride, nt);
    }
  }
  for (uint32_t k = 0; k < nt; ++k) {
    float* const o = a.output + static_cast<size_t>(target(k)) * dim;
    const float* dk = delta + k * dim;
#pragma GCC unroll 8
    for (int v = 0; v < kNV; ++v) {
      _mm512_storeu_ps(o + 16 * v, _mm512_add_ps(_mm512_loadu_ps(o + 16 * v),
                                                 _mm512_loadu_ps(dk + 16 * v)));
    }
  }
  t->pairs += m;
}
#endif

using CentreFn = void (*)(const EpochArgs&, const Plan&, const Plan&, ThreadState*);

std::atomic<bool> g_force_scalar{false};

CentreFn PickCentreFn(int32_t dim) {
  if (g_force_scalar.load(std::memory_order_relaxed)) return TrainCentreScalar;
#if defined(__AVX512F__)
  const bool full = dim % 16 == 0;
  switch ((dim + 15) / 16) {
    case 1: return full ? TrainCentre<1, true> : TrainCentre<1, false>;
    case 2: return full ? TrainCentre<2, true> : TrainCentre<2, false>;
    case 3: return full ? TrainCentre<3, true> : TrainCentre<3, false>;
    case 4: return full ? TrainCentre<4, true> : TrainCentre<4, false>;
    case 5: return full ? TrainCentre<5, true> : TrainCentre<5, false>;
    case 6: return full ? TrainCentre<6, true> : TrainCentre<6, false>;
    case 7: return full ? TrainCentre<7, true> : TrainCentre<7, false>;
    case 8: return full ? TrainCentre<8, true> : TrainCentre<8, false>;
    default: return full ? TrainCentre<0, true> : TrainCentre<0, false>;
  }
#else
  return TrainCentreScalar;
#endif
}

CentreFn PickSharedFn(int32_t dim) {
  if (g_force_scalar.load(std::memory_order_relaxed)) return TrainCentreShared;
#if defined(__AVX512F__)
  if (dim % 16 == 0) {
    switch (dim / 16) {
      case 1: return TrainCentreSharedAvx512<1>;
      case 2: return TrainCentreSharedAvx512<2>;
      case 4: return TrainCentreSharedAvx512<4>;
      case 8: return TrainCentreSharedAvx512<8>;
      case 16: return TrainCentreSharedAvx512<16>;
      default: break;
    }
  }
#endif
  return TrainCentreShared;
}

/// Trains every centre of walks [first_walk, first_walk + count) (`walks`, row-major), in order,
/// planning each centre while the one before it trains.
void TrainChunk(const EpochArgs& a, CentreFn train, const int32_t* walks, uint64_t first_walk,
                uint64_t count, ThreadState* t) {
  const uint64_t n = count * a.length;
  const uint64_t base = first_walk * a.length;
  Plan* cur = &t->plan[0];
  Plan* nxt = &t->plan[1];
  // Shared negatives are drawn kSharedDrawCentres centres at a time, from the first centre
  // planned that the last batch did not cover.
  const uint32_t blocks = (a.negatives + 1) / 2;
  uint64_t drawn_from = 0, drawn_to = 0;  // flat positions whose draws are in t->draws
  const auto plan = [&](const int32_t* walk, uint64_t centre, uint32_t i, Plan* p) {
    if (a.shared_negatives) {
      if (centre >= drawn_to) {
        const uint64_t end = base + n;
        drawn_from = centre;
        drawn_to = std::min<uint64_t>(end, centre + kSharedDrawCentres);
        DrawSharedNegatives(a, centre, i, static_cast<uint32_t>(drawn_to - drawn_from), &t->draws);
      }
      const size_t at = static_cast<size_t>(centre - drawn_from) * blocks;
      MakeSharedPlan(a, walk, centre, i, t->draws.even.data() + at, t->draws.odd.data() + at, p);
    } else {
      MakePlan(a, walk, centre, i, p, &t->draws);
    }
  };
  plan(walks, base, 0, cur);
  for (uint64_t k = 0; k < n; ++k) {
    if (k + 1 < n) {
      const uint32_t i = static_cast<uint32_t>((k + 1) % a.length);
      plan(walks + (k + 1 - i), base + k + 1, i, nxt);
    } else {
      nxt->wi = -1;
      nxt->pairs = 0;
    }
    if (cur->pairs > 0) train(a, *cur, *nxt, t);
    std::swap(cur, nxt);
  }
}


/// For its lifetime, the table's floats sit at a 64-byte boundary inside its own vector (moved up
/// by at most 15 floats into the reserved slack); the destructor moves them back and trims the
/// vector, so outside training the state's tables are ordinary. Costs two memmoves of the table
/// per epoch. A vector without slack is reallocated once.
class AlignedTable {
 public:
  explicit AlignedTable(std::vector<float>* v) : v_(v), size_(v->size()) {
    v_->reserve(size_ + kAlignSlack);
    v_->resize(size_ + kAlignSlack);
    const uintptr_t addr = reinterpret_cast<uintptr_t>(v_->data());
    shift_ = ((64 - addr % 64) % 64) / sizeof(float);  // malloc aligns to 16: a whole float
    if (shift_ > 0) std::memmove(v_->data() + shift_, v_->data(), size_ * sizeof(float));
  }
  ~AlignedTable() {
    if (shift_ > 0) std::memmove(v_->data(), v_->data() + shift_, size_ * sizeof(float));
    v_->resize(size_);
  }
  AlignedTable(const AlignedTable&) = delete;
  AlignedTable& operator=(const AlignedTable&) = delete;
  float* data() { return v_->data() + shift_; }

 private:
  std::vector<float>* v_;
  size_t size_;
  size_t shift_ = 0;
};

/// The table syncs of a data-parallel run (SgdDataParallel), for one epoch. Every rank keeps, for
/// the two tables T (input and output, trained in place), three copies of their floats: S, the
/// tables as every rank last agreed on them (equal on all ranks), d, this rank's delta sent in the
/// sum in flight, and D, that sum. At a boundary the sum in flight is folded in, T += D − d and
/// S += D (T − S is then this rank's updates since that sum started), and the next sum of
/// d = T − S starts; it completes while the next chunks train (thread 0 polls it after each
/// chunk). Settle ends the epoch with one blocking sum more: T = S + D = S on every rank.
class TableSync {
 public:
  TableSync(Ranks* ranks, float* input, float* output, size_t floats, int threads,
            SgdSyncStats* stats)
      : ranks_(ranks), t_{input, output}, floats_(floats), threads_(threads), stats_(stats) {
    s_.resize(2 * floats);
    d_.assign(2 * floats, 0.0f);
    sum_.assign(2 * floats, 0.0f);
    std::memcpy(s_.data(), input, floats * sizeof(float));
    std::memcpy(s_.data() + floats, output, floats * sizeof(float));
  }
  TableSync(const TableSync&) = delete;
  TableSync& operator=(const TableSync&) = delete;

  /// Between chunks, from thread 0: lets the sum in flight progress.
  void Poll() {
    if (in_flight_ && !done_) done_ = ranks_->PollSum();
  }

  /// Between rounds (no thread training): folds the sum in flight into the tables and starts
  /// the next.
  absl::Status Boundary() {
    N2V_RETURN_IF_ERROR(Fold());
    return Start();
  }

  /// The epoch's end: afterwards the tables equal S, the same floats on every rank.
  absl::Status Settle() {
    N2V_RETURN_IF_ERROR(Fold());
    N2V_RETURN_IF_ERROR(Start());
    N2V_RETURN_IF_ERROR(Wait());
    const auto t0 = std::chrono::steady_clock::now();
    for (int k = 0; k < 2; ++k) {
      float* const t = t_[k];
      float* const s = s_.data() + k * floats_;
      const float* const sum = sum_.data() + k * floats_;
#pragma omp parallel for schedule(static) num_threads(threads_)
      for (size_t i = 0; i < floats_; ++i) t[i] = s[i] = s[i] + sum[i];
    }
    Count(t0, &stats_->merge_ms);
    return absl::OkStatus();
  }

  /// A stop every rank agreed on: waits for the sum in flight (every rank has the same one), so
  /// that MPI no longer writes into buffers about to be freed. The tables stay as they are.
  absl::Status Abandon() {
    if (in_flight_) return Wait();
    return absl::OkStatus();
  }

 private:
  absl::Status Wait() {
    const auto t0 = std::chrono::steady_clock::now();
    N2V_RETURN_IF_ERROR(ranks_->FinishSum());
    in_flight_ = done_ = false;
    ++stats_->syncs;
    Count(t0, &stats_->wait_ms);
    return absl::OkStatus();
  }

  // T += D − d, S += D, d = T − S; or, with no sum in flight, d = T − S.
  absl::Status Fold() {
    const bool fold = in_flight_;
    if (fold) N2V_RETURN_IF_ERROR(Wait());
    const auto t0 = std::chrono::steady_clock::now();
    for (int k = 0; k < 2; ++k) {
      float* const t = t_[k];
      float* const s = s_.data() + k * floats_;
      float* const d = d_.data() + k * floats_;
      const float* const sum = sum_.data() + k * floats_;
      if (fold) {
#pragma omp parallel for schedule(static) num_threads(threads_)
        for (size_t i = 0; i < floats_; ++i) {
          t[i] += sum[i] - d[i];
          s[i] += sum[i];
          d[i] = t[i] - s[i];
        }
      } else {
#pragma omp parallel for schedule(static) num_threads(threads_)
        for (size_t i = 0; i < floats_; ++i) d[i] = t[i] - s[i];
      }
    }
    Count(t0, &stats_->merge_ms);
    return absl::OkStatus();
  }

  absl::Status Start() {
    N2V_RETURN_IF_ERROR(ranks_->StartSum(d_.data(), sum_.data(), d_.size()));
    in_flight_ = true;
    done_ = false;
    return absl::OkStatus();
  }

  static void Count(std::chrono::steady_clock::time_point t0, double* ms) {
    *ms += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  }

  Ranks* ranks_;
  float* t_[2];
  size_t floats_;
  int threads_;
  SgdSyncStats* stats_;
  std::vector<float> s_, d_, sum_;
  bool in_flight_ = false, done_ = false;
};

/// Epochs state->next_epoch .. o.epochs − 1 over `src`'s walks; the state's tables and counts
/// are set up. Returns false when `cancelled` said stop: thread 0 asks it after each of its chunks
/// (~1-2 ms apart) and every thread skips the chunks left, so a run stops within milliseconds,
/// mid-epoch, with the state's tables partly trained. Data-parallel (dp.ranks with more than one
/// rank): this rank trains its chunks (c mod N = rank) in rounds of dp.sync_chunks each, with a
/// TableSync boundary between rounds; a stop (cancelled, or on_epoch's false) is agreed by every
/// rank at the next boundary or epoch end, so all ranks stop together. A failed collective is
/// returned as an error (the caller ends the job).
template <typename Source>
absl::StatusOr<bool> RunEpochs(const Source& src, uint64_t num_walks, uint32_t length,
                               const SgdTrainOptions& o, int threads, SgdState* s,
                               const SgdEpochCallback& on_epoch,
                               const SgdProgressCallback& on_progress,
                               const CancelCallback& cancelled, const SgdDataParallel& dp = {}) {
  if (num_walks == 0 || s->next_epoch >= o.epochs) return true;
  const AliasTables neg = NegativeTable(s->counts, o.power);
  EpochArgs a{};
  a.length = length;
  a.dim = o.dim;
  a.window = o.window;
  a.negatives = o.negatives;
  a.lr0 = o.lr;
  a.min_lr_fraction = o.min_lr_fraction;
  a.total_centres = num_walks * length;
  a.epochs = static_cast<uint32_t>(o.epochs);
  a.neg_keep = neg.keep.data();
  a.neg_alias = neg.alias.data();
  a.num_nodes = static_cast<uint32_t>(s->num_nodes);
  a.window_key = core::SgdWindowKey(o.seed);
  a.negative_key = core::SgdNegativeKey(o.seed);
  a.max_pairs = 2 * std::min<uint32_t>(o.window, length - 1);
  a.shared_negatives = o.shared_negatives;
  const CentreFn train = o.shared_negatives ? PickSharedFn(o.dim) : PickCentreFn(o.dim);
  // Subsampling (o.sample > 0): each chunk's walks are compacted per epoch before training.
  const std::vector<uint32_t> keep = SubsampleThresholds(s->counts, o.sample);
  const core::PhiloxKey sample_key = core::SgdSubsampleKey(o.seed);
  uint64_t per_chunk = WalksPerChunk(length);  // smaller under ranks when the auto sync says so
  const uint64_t run_total = static_cast<uint64_t>(o.epochs) * a.total_centres;
  // Progress is reported about every 1/256 of an epoch (at least one chunk apart).
  const uint64_t report_step = std::max<uint64_t>(a.total_centres / 256, 1);

  // Data-parallel set-up: a round is span = sync_chunks · N consecutive chunks, of which this
  // rank trains every N-th; every rank has the same number of rounds, so the syncs pair up.
  const bool distributed = IsDistributed(dp.ranks);
  const int nranks = distributed ? dp.ranks->size() : 1;
  const int me = distributed ? dp.ranks->rank() : 0;
  SgdSyncStats local_stats;
  SgdSyncStats* sync_stats = dp.stats != nullptr ? dp.stats : &local_stats;
  uint64_t sync_chunks = dp.sync_chunks;
  // Staleness is linear in the positions per sync: one pass over the counts prices every interval.
  const double staleness_per_walk = distributed ? SyncStaleness(s->counts, length, nranks) : 0;
  if (distributed && sync_chunks == 0) {
    const SyncPlan plan = AutoSyncPlan(staleness_per_walk, per_chunk);
    per_chunk = plan.walks_per_chunk;
    sync_chunks = plan.sync_chunks;
  }
  const int64_t chunks = static_cast<int64_t>((num_walks + per_chunk - 1) / per_chunk);
  const int64_t span = distributed ? static_cast<int64_t>(sync_chunks) * nranks : chunks;
  const int64_t rounds = std::max<int64_t>(1, (chunks + span - 1) / span);
  if (distributed) {
    sync_stats->sync_chunks = static_cast<uint32_t>(sync_chunks);
    sync_stats->bytes_per_sync = 2 * s->input.data.size() * sizeof(float);
    sync_stats->transport = "CPU ranks, summed in host memory";
    sync_stats->positions_per_sync = sync_chunks * per_chunk * length;
    sync_stats->staleness = staleness_per_walk * static_cast<double>(sync_chunks * per_chunk);
  }
  // The same decision on every rank: any rank's `local` stop is everyone's.
  const auto agree = [&](bool local) -> absl::StatusOr<bool> {
    double flag = local ? 1 : 0;
    N2V_RETURN_IF_ERROR(dp.ranks->SumInPlace(&flag, 1));
    return flag > 0;
  };

  for (int32_t epoch = s->next_epoch; epoch < o.epochs; ++epoch) {
    a.epoch = static_cast<uint32_t>(epoch);
    const uint64_t epoch_base = static_cast<uint64_t>(epoch) * a.total_centres;
    std::atomic<uint64_t> done{0};
    std::atomic<int64_t> pairs_done{0};  // this epoch's, for progress reports
    std::atomic<bool> stop{false};
    double loss = 0;
    int64_t pairs = 0;
    {
      AlignedTable input(&s->input.data), output(&s->output.data);
      a.input = input.data();
      a.output = output.data();
      uint64_t next_report = report_step;  // thread 0's
      std::unique_ptr<TableSync> sync;
      if (distributed) {
        // The table's floats, not its vector's size (AlignedTable added the slack to it).
        const size_t floats = static_cast<size_t>(s->num_nodes) * static_cast<size_t>(o.dim);
        sync = std::make_unique<TableSync>(dp.ranks, a.input, a.output, floats, threads,
                                           sync_stats);
      }
      for (int64_t round = 0; round < rounds; ++round) {
        const int64_t lo = round * span + me;
        const int64_t hi = std::min<int64_t>(chunks, (round + 1) * span);
        double round_loss = 0;
        int64_t round_pairs = 0;
#pragma omp parallel num_threads(threads) reduction(+ : round_loss, round_pairs)
        {
          ThreadState t(a);
          const bool main_thread = omp_get_thread_num() == 0;
          const bool reporter = on_progress && main_thread;
          double reported_loss = 0;  // thread 0's loss and pairs at its previous report
          int64_t reported_pairs = 0;
#pragma omp for schedule(dynamic, 1) nowait
          for (int64_t c = lo; c < hi; c += nranks) {
            if (stop.load(std::memory_order_relaxed)) continue;
            const uint64_t first = static_cast<uint64_t>(c) * per_chunk;
            const uint64_t count = std::min(per_chunk, num_walks - first);
            const int64_t pairs_before = t.pairs;
            const int32_t* walks = src.Get(first, count, &t.walks);
            if (!keep.empty()) {
              t.kept.resize(static_cast<size_t>(count) * length);
              for (uint64_t k = 0; k < count; ++k) {
                core::SubsampleWalk(sample_key, a.epoch, first + k, length, keep.data(),
                                    walks + k * length, t.kept.data() + k * length);
              }
              walks = t.kept.data();
            }
            TrainChunk(a, train, walks, first, count, &t);
            const int64_t pairs_now =
                pairs_done.fetch_add(t.pairs - pairs_before, std::memory_order_relaxed) +
                t.pairs - pairs_before;
            // Progress counts every rank's centres as this rank's times N (they run alike).
            const uint64_t now =
                (done.fetch_add(count * length, std::memory_order_relaxed) + count * length) *
                nranks;
            if (reporter && now >= next_report) {
              // Thread 0's losses since its previous report, over the pairs they cover: its sum
              // grows at each flush (kLossBatch terms), so a report between two flushes has none.
              const double window_loss =
                  t.flushed_pairs > reported_pairs
                      ? (t.loss - reported_loss) /
                            static_cast<double>(t.flushed_pairs - reported_pairs)
                      : NAN;
              on_progress(epoch_base + std::min(now, a.total_centres), run_total,
                          s->pairs + pairs_now * nranks, window_loss);
              if (t.flushed_pairs > reported_pairs) {
                reported_loss = t.loss;
                reported_pairs = t.flushed_pairs;
              }
              next_report = now + report_step;
            }
            if (main_thread) {
              if (sync) sync->Poll();
              if (cancelled && cancelled()) stop.store(true, std::memory_order_relaxed);
            }
          }
          t.FlushLosses();
          round_loss += t.loss;
          round_pairs += t.pairs;
        }
        loss += round_loss;
        pairs += round_pairs;
        if (distributed) {
          N2V_ASSIGN_OR_RETURN(const bool any_stop, agree(stop.load()));
          if (any_stop) {
            stop.store(true);
            break;
          }
          if (round + 1 < rounds) N2V_RETURN_IF_ERROR(sync->Boundary());
        } else if (stop.load()) {
          break;
        }
      }
      if (sync) N2V_RETURN_IF_ERROR(stop.load() ? sync->Abandon() : sync->Settle());
    }  // the tables move back before anyone else sees the state
    if (stop.load()) return false;
    if (distributed) {
      double sums[2] = {loss, static_cast<double>(pairs)};
      N2V_RETURN_IF_ERROR(dp.ranks->SumInPlace(sums, 2));
      loss = sums[0];
      pairs = static_cast<int64_t>(sums[1]);
    }
    s->losses.push_back(pairs > 0 ? loss / static_cast<double>(pairs) : 0.0);
    s->pairs += pairs;
    s->next_epoch = epoch + 1;
    if (on_progress) on_progress(epoch_base + a.total_centres, run_total, s->pairs, NAN);
    bool go_on = !on_epoch || on_epoch(*s);
    if (distributed) {
      N2V_ASSIGN_OR_RETURN(const bool any_stop, agree(!go_on));
      go_on = !any_stop;
    }
    if (!go_on) break;
  }
  return true;
}

SgdStats StatsOf(const SgdState& s, std::chrono::steady_clock::time_point start) {
  SgdStats stats;
  stats.losses = s.losses;
  stats.pairs = s.pairs;
  stats.ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                 .count();
  return stats;
}


}  // namespace

/// Staleness of a data-parallel run: N (N − 1) x P x sqrt(f n) / n, for P positions each rank
/// trains per round, n nodes and f the hottest node's share of the walks' positions (`counts`).
/// A rank sees the other N − 1 ranks' updates a round or two late (a sum is in flight during the
/// next round), and on rows every rank touches N such deltas arrive at once, so the overshoot
/// grows with N (N − 1) P and with how hot the hottest rows are: 1/n of the positions on a graph
/// of even degrees (sqrt(f n) ~ 1.4), far more on a skewed one (an R-MAT's hub: sqrt(f n) ~ 7).
/// Measured (docs/DISTRIBUTED.md: planted partitions and an R-MAT, 2-6 ranks, n2v's defaults): up
/// to 4 the loss stayed within 1.5 % and the link AUC within 0.001 of one process on every graph;
/// at 8 the R-MAT's loss was 6 % higher, and at 16 its training diverged.
double SyncStaleness(const std::vector<uint64_t>& counts, uint64_t positions_per_round,
                     int nranks) {
  uint64_t total = 0, hottest = 0;
  for (uint64_t c : counts) {
    total += c;
    hottest = std::max(hottest, c);
  }
  const double n = static_cast<double>(std::max<size_t>(counts.size(), 1));
  const double f = total > 0 ? static_cast<double>(hottest) / static_cast<double>(total) : 1 / n;
  return static_cast<double>(nranks) * (nranks - 1) * static_cast<double>(positions_per_round) *
         std::sqrt(f * n) / n;
}

/// The default sync interval (word2vec.hpp): walks per chunk and chunks per rank per round.
/// The longest round whose staleness is at most kSafeSyncStaleness: whole chunks when a chunk is
/// within the bound, else chunks shrunk to fit (at least one walk; a graph too small or too skewed
/// for N ranks then exceeds it, and the CLI says so). Smaller chunks change only how walks are
/// grouped, not what is trained: every draw and learning rate is keyed on global positions. At a
/// fixed staleness the syncs per epoch, and the bytes each rank sends, grow as N (N − 1): the
/// price of one process's quality.
SyncPlan AutoSyncPlan(double staleness_per_walk, uint64_t walks_per_chunk) {
  const uint64_t walks =
      staleness_per_walk > 0
          ? std::max<uint64_t>(1, static_cast<uint64_t>(kSafeSyncStaleness / staleness_per_walk))
          : walks_per_chunk;
  if (walks < walks_per_chunk) return {walks, 1};
  return {walks_per_chunk, walks / walks_per_chunk};
}

uint64_t SgdCpuWalksPerChunk(uint32_t length) { return WalksPerChunk(length); }

namespace cpu {

void UseScalarSgdKernelForTesting(bool on) { g_force_scalar.store(on); }

void SetKeptWalksBytesForTesting(uint64_t bytes) { g_kept_walks_bytes.store(bytes); }

uint64_t KeptWalksBytes() { return kKeptWalksBytes; }

absl::StatusOr<SgdStats> TrainSgd(const int32_t* walks, int64_t num_walks, uint32_t length,
                                  int32_t num_nodes, const SgdTrainOptions& o, int threads,
                                  Embeddings* input, Embeddings* output,
                                  const EpochCallback& on_epoch,
                                  const SgdProgressCallback& on_progress) {
  const auto start = std::chrono::steady_clock::now();
  N2V_RETURN_IF_ERROR(CheckSgdOptions("TrainSgd", num_nodes, length, o));
  if (input == nullptr) return absl::InvalidArgumentError("TrainSgd: input table is null");
  if (num_walks < 0 || (num_walks > 0 && walks == nullptr)) {
    return absl::InvalidArgumentError(
        absl::StrCat("TrainSgd: needs num_walks >= 0 and walks to read (got ", num_walks, ")"));
  }
  const int nt = EffectiveThreads(threads);
  const uint64_t nw = static_cast<uint64_t>(num_walks);
  const MemoryWalks src{walks, length};
  SgdState s;
  s.options = o;
  s.num_nodes = num_nodes;
  s.walk_length = length;
  s.num_walks = nw;
  N2V_ASSIGN_OR_RETURN(s.counts, CountNodes(src, nw, length, num_nodes, nt));
  InitTables(num_nodes, o.dim, o.seed, nt, &s.input, &s.output);
  SgdEpochCallback epoch_cb;
  if (on_epoch) {
    epoch_cb = [&on_epoch](const SgdState& st) {
      return on_epoch(st.next_epoch - 1, st.losses.back());
    };
  }
  N2V_RETURN_IF_ERROR(RunEpochs(src, nw, length, o, nt, &s, epoch_cb, on_progress, nullptr).status());
  SgdStats stats = StatsOf(s, start);
  *input = std::move(s.input);
  if (output != nullptr) *output = std::move(s.output);
  return stats;
}

absl::StatusOr<SgdStats> TrainSgdOnGraph(const CsrView& g, const core::AliasView& alias,
                                         const core::WalkParams& wp, uint64_t num_walks,
                                         const SgdTrainOptions& o, int threads, SgdState* state,
                                         const SgdEpochCallback& on_epoch,
                                         const SgdProgressCallback& on_progress,
                                         const CancelCallback& cancelled,
                                         const SgdDataParallel& dp) {
  const auto start = std::chrono::steady_clock::now();
  N2V_RETURN_IF_ERROR(CheckSgdOptions("TrainSgdOnGraph", g.num_nodes, wp.length, o));
  if (state == nullptr) return absl::InvalidArgumentError("TrainSgdOnGraph: state is null");
  if (g.offsets == nullptr || (g.num_edges > 0 && (g.neighbors == nullptr ||
                                                   alias.keep == nullptr ||
                                                   alias.alias == nullptr))) {
    return absl::InvalidArgumentError("TrainSgdOnGraph: graph or alias arrays missing");
  }
  if (num_walks > std::numeric_limits<uint64_t>::max() / wp.length) {
    return absl::InvalidArgumentError(
        absl::StrCat("TrainSgdOnGraph: ", num_walks, " walks of ", wp.length, " overflow"));
  }
  const int nt = EffectiveThreads(threads);
  const GraphWalks src{g, alias, wp};
  std::vector<int32_t> kept;  // the counting pass's walks, when kept
  const uint32_t source_crc = SgdSourceCrc(g, wp);
  if (state->started()) {
    N2V_RETURN_IF_ERROR(
        CheckSgdResumable(*state, o, g.num_nodes, wp.length, num_walks, source_crc));
  } else {
    SgdState fresh;
    fresh.options = o;
    fresh.num_nodes = g.num_nodes;
    fresh.walk_length = wp.length;
    fresh.num_walks = num_walks;
    fresh.source_crc = source_crc;
    // The counting pass: every walk sampled once, and kept for training when one process trains
    // and they fit kKeptWalksBytes, else dropped (CountNodes fails here only when cancelled:
    // sampled ids are always below the node count). The walks are a pure function of their ids,
    // so training on the kept ones is training on them sampled again, bit for bit.
    // Data-parallel: each rank counts its own chunks, and the counts are summed.
    const bool distributed = IsDistributed(dp.ranks);
    const uint64_t positions = num_walks * wp.length;
    if (!distributed && positions <= g_kept_walks_bytes.load() / sizeof(int32_t)) {
      kept.resize(static_cast<size_t>(positions));
      N2V_ASSIGN_OR_RETURN(fresh.counts,
                           CountNodes(KeepingWalks{src, kept.data()}, num_walks, wp.length,
                                      g.num_nodes, nt, cancelled));
    } else {
      N2V_ASSIGN_OR_RETURN(
          fresh.counts,
          CountNodes(src, num_walks, wp.length, g.num_nodes, nt,
                     distributed ? CancelCallback() : cancelled, distributed ? dp.ranks->rank() : 0,
                     distributed ? dp.ranks->size() : 1));
    }
    if (distributed) {
      N2V_RETURN_IF_ERROR(dp.ranks->SumInPlace(fresh.counts.data(), fresh.counts.size()));
    }
    InitTables(g.num_nodes, o.dim, o.seed, nt, &fresh.input, &fresh.output);
    *state = std::move(fresh);
  }
  N2V_ASSIGN_OR_RETURN(const bool finished,
                       kept.empty() ? RunEpochs(src, num_walks, wp.length, o, nt, state, on_epoch,
                                                on_progress, cancelled, dp)
                                    : RunEpochs(MemoryWalks{kept.data(), wp.length}, num_walks,
                                                wp.length, o, nt, state, on_epoch, on_progress,
                                                cancelled, dp));
  if (!finished) return absl::CancelledError("training cancelled");
  return StatsOf(*state, start);
}

}  // namespace cpu

}  // namespace n2v
