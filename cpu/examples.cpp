// The seed's training examples: keras.preprocessing.sequence.skipgrams over every walk, each couple
// ordered (min, max), self-pairs dropped, identical (target, context, label) triples merged with
// their count as weight. Twin: none yet (the GPU trainer consumes these Examples).
// Threading: OpenMP; walks are split into one contiguous block per thread, every couple is packed
// into an integer key, keys are scattered into buckets by their top bits (one parallel pass), and
// each bucket is merged in cache (dense counts or a small radix sort) by the thread that owns its
// range. Negative contexts are keyed on (walk, couple, k), so the output does not depend on the
// thread count.
#include <omp.h>
#include <sys/mman.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <new>
#include <vector>

#include "n2v/core/rng.hpp"
#include "n2v/core/skipgram.hpp"
#include "n2v/options.hpp"
#include "n2v/status.hpp"
#include "n2v/train.hpp"

namespace n2v::cpu {
namespace {

// Bits of the most significant digit: the one scatter over the whole key array goes to at most
// 2048 buckets (ml-latest-small: one per target node), few enough for the TLB and store buffers,
// and leaves buckets small enough to finish in cache.
constexpr int kTopBits = 11;

// Scratch for the keys: 2 MiB aligned and, on Linux, backed by transparent huge pages when large,
// so the radix scatter is not spent in page faults and TLB misses. Uninitialised. Below 64 MiB the
// 4 KiB pages fit the L2 TLB's reach, and huge pages only added stalls: the kernel compacts memory
// inside the fault to find them ("defrag=madvise"): with them ml-latest-small's example stage (two
// 12.6 MB buffers) took 24–49 ms over 8 runs, without them 28–32 ms.
template <typename T>
class ScratchBuffer {
 public:
  explicit ScratchBuffer(size_t n) {
    constexpr size_t kHuge = size_t{2} << 20;
    size_t bytes = std::max<size_t>(n * sizeof(T), sizeof(T));
    const bool huge = bytes >= 32 * kHuge;
    const size_t align = huge ? kHuge : alignof(std::max_align_t);
    bytes = (bytes + align - 1) / align * align;
    ptr_ = static_cast<T*>(std::aligned_alloc(align, bytes));
    if (ptr_ == nullptr) throw std::bad_alloc();
#if defined(MADV_HUGEPAGE)
    if (huge) ::madvise(ptr_, bytes, MADV_HUGEPAGE);
#endif
  }
  ~ScratchBuffer() { std::free(ptr_); }
  ScratchBuffer(const ScratchBuffer&) = delete;
  ScratchBuffer& operator=(const ScratchBuffer&) = delete;
  T* get() const { return ptr_; }

 private:
  T* ptr_ = nullptr;
};

// Key of one couple (core/skipgram.hpp): sorts by (target, context, label) in as few radix
// passes as the node count allows, in 32-bit words when 2·node_bits + 1 <= 32.
template <typename Key>
using KeyLayout = core::ExampleKeyLayout<Key>;

// Positive couples keras makes from one walk: for each valid position i, the valid positions j≠i
// in [i − window, i + window]. `valid_prefix` is scratch of length + 1.
int64_t CountCouples(const int32_t* walk, uint32_t length, uint32_t window, int32_t num_nodes,
                     std::vector<uint32_t>& valid_prefix) {
  valid_prefix[0] = 0;
  for (uint32_t i = 0; i < length; ++i) {
    N2V_CHECK(walk[i] < num_nodes);
    valid_prefix[i + 1] = valid_prefix[i] + (walk[i] >= 0 ? 1u : 0u);
  }
  int64_t couples = 0;
  for (uint32_t i = 0; i < length; ++i) {
    if (walk[i] < 0) continue;
    const core::WindowBounds wb = core::SkipgramWindow(i, window, length);
    couples += valid_prefix[wb.hi] - valid_prefix[wb.lo] - 1;  // minus i itself
  }
  return couples;
}

// Stable LSD radix sort of keys[0, n) by bits [0, bits), in digits of at most 8 bits, using tmp
// (n keys) as the other buffer. For one bucket of the MSD pass: a few thousand keys in L1/L2.
// Returns where the sorted keys ended up (keys or tmp).
template <typename Key>
Key* SortBucket(Key* keys, Key* tmp, int64_t n, int bits) {
  if (n < 2 || bits <= 0) return keys;
  if (n < 64) {  // a histogram pass costs more than sorting a handful of keys
    std::sort(keys, keys + n);
    return keys;
  }
  const int passes = (bits + 7) / 8;
  const int digit_bits = (bits + passes - 1) / passes;
  const size_t radix = size_t{1} << digit_bits;
  const Key mask = static_cast<Key>(radix - 1);
  uint32_t count[256];
  Key* src = keys;
  Key* dst = tmp;
  for (int pass = 0; pass < passes; ++pass) {
    const int shift = pass * digit_bits;
    std::fill(count, count + radix, 0u);
    for (int64_t i = 0; i < n; ++i) ++count[(src[i] >> shift) & mask];
    uint32_t running = 0;
    for (size_t d = 0; d < radix; ++d) {
      const uint32_t c = count[d];
      count[d] = running;
      running += c;
    }
    for (int64_t i = 0; i < n; ++i) {
      const Key k = src[i];
      dst[count[(k >> shift) & mask]++] = k;
    }
    std::swap(src, dst);
  }
  return src;
}

// Keys are generated per thread into one array, then sorted most-significant digit first: one
// parallel scatter by the top (at most 11) bits into buckets — the only pass whose writes go
// all over memory — then each bucket, now small, is sorted by its low bits in cache and
// run-length encoded by the thread that owns its range of buckets.
template <typename Key>
Examples Generate(const int32_t* walks, int64_t num_walks, uint32_t length, int32_t num_nodes,
                  const ExampleOptions& o, int threads, int node_bits) {
  Examples ex;
  const KeyLayout<Key> layout{node_bits};
  const int key_bits = 2 * node_bits + 1;
  const int top_bits = std::min(key_bits, kTopBits);
  const int low_bits = key_bits - top_bits;
  const size_t buckets = size_t{1} << top_bits;
  const uint32_t window = o.window, negatives = o.negatives;
  const core::PhiloxKey rng_key = core::StreamKey(o.seed, core::Stream::kNegatives);

  const int max_threads = EffectiveThreads(threads);
  std::vector<int64_t> cap(max_threads + 1, 0);    // keys each thread may write, then offsets
  std::vector<int64_t> written(max_threads, 0);    // keys each thread wrote
  std::vector<int64_t> hist(static_cast<size_t>(max_threads) * buckets);  // then scatter offsets
  std::vector<int64_t> bucket_begin(buckets + 1, 0);
  std::vector<int64_t> bucket_uniques(buckets, 0);
  std::vector<uint8_t> unique_in_a(buckets, 0);  // which buffer holds a bucket's unique keys
  std::vector<int64_t> part_begin(max_threads + 1, 0);  // uniques per thread, then offsets
  std::unique_ptr<ScratchBuffer<Key>> buf_a, buf_b;
  int64_t total = 0;

#pragma omp parallel num_threads(max_threads)
  {
    const int nt = omp_get_num_threads(), tid = omp_get_thread_num();
    const int64_t w0 = num_walks * tid / nt, w1 = num_walks * (tid + 1) / nt;
    int64_t* const my_hist = hist.data() + static_cast<size_t>(tid) * buckets;

    // --- size: every positive couple brings `negatives` negatives --------------------------
    std::vector<uint32_t> valid_prefix(length + 1);
    int64_t couples = 0;
    for (int64_t w = w0; w < w1; ++w) {
      couples += CountCouples(walks + w * length, length, window, num_nodes, valid_prefix);
    }
    cap[tid + 1] = couples * (1 + static_cast<int64_t>(negatives));
#pragma omp barrier
#pragma omp single
    {
      for (int t = 0; t < nt; ++t) cap[t + 1] += cap[t];
      buf_a = std::make_unique<ScratchBuffer<Key>>(static_cast<size_t>(cap[nt]));
      buf_b = std::make_unique<ScratchBuffer<Key>>(static_cast<size_t>(cap[nt]));
    }

    // --- generate into this thread's slice of buf_a, counting the top digit -----------------
    std::fill(my_hist, my_hist + buckets, int64_t{0});
    Key* const begin = buf_a->get() + cap[tid];
    Key* out = begin;
    for (int64_t w = w0; w < w1; ++w) {
      const int32_t* walk = walks + w * length;
      uint32_t couple = 0;  // keras's order: i outer, j inner
      for (uint32_t i = 0; i < length; ++i) {
        const int32_t wi = walk[i];
        if (wi < 0) continue;
        const core::WindowBounds wb = core::SkipgramWindow(i, window, length);
        for (uint32_t j = wb.lo; j < wb.hi; ++j) {
          const int32_t wj = walk[j];
          if (j == i || wj < 0) continue;
          if (wi != wj) {
            const Key k = layout.Pack(wi, wj, 1);
            *out++ = k;
            ++my_hist[k >> low_bits];
          }
          // keras cycles the shuffled positive targets over int(P·negatives) negatives, so each
          // positive's target is paired with exactly `negatives` uniform contexts.
          for (uint32_t k4 = 0; k4 < negatives; k4 += 4) {
            const core::U32x4 r =
                core::Random4(rng_key, k4 / 4, couple, static_cast<uint64_t>(w));
            const uint32_t words[4] = {r.x, r.y, r.z, r.w};
            const uint32_t m = std::min(4u, negatives - k4);
            for (uint32_t d = 0; d < m; ++d) {
              const int32_t c = static_cast<int32_t>(
                  core::UniformBelow(words[d], static_cast<uint32_t>(num_nodes)));
              if (c == wi) continue;
              const Key k = layout.Pack(wi, c, 0);
              *out++ = k;
              ++my_hist[k >> low_bits];
            }
          }
          ++couple;
        }
      }
    }
    written[tid] = out - begin;
#pragma omp barrier
#pragma omp single
    {
      int64_t running = 0;
      for (size_t d = 0; d < buckets; ++d) {
        bucket_begin[d] = running;
        for (int t = 0; t < nt; ++t) {
          int64_t& h = hist[static_cast<size_t>(t) * buckets + d];
          const int64_t c = h;
          h = running;
          running += c;
        }
      }
      bucket_begin[buckets] = running;
      total = running;
    }

    // --- MSD scatter by the top digit (stable: thread slices in order) ----------------------
    Key* const sorted = buf_b->get();
    for (const Key* k = begin; k != out; ++k) sorted[my_hist[*k >> low_bits]++] = *k;
#pragma omp barrier

    // --- each thread: a contiguous range of buckets holding ~total/nt keys --------------------
    auto first_bucket = [&](int t) -> size_t {
      if (t == 0) return 0;
      if (t == nt) return buckets;
      const int64_t goal = total * t / nt;
      return static_cast<size_t>(
          std::lower_bound(bucket_begin.begin(), bucket_begin.end() - 1, goal) -
          bucket_begin.begin());
    };
    const size_t d0 = first_bucket(tid), d1 = first_bucket(tid + 1);

    // --- merge each bucket: its unique keys to the front of one buffer, counts beside them in
    // the other (both regions of the bucket are free once its keys have been read) ------------
    const size_t low_values = size_t{1} << low_bits;
    std::vector<uint32_t> table;  // dense counts of the low bits, when that is the cheaper way
    int64_t uniques = 0;
    for (size_t d = d0; d < d1; ++d) {
      const int64_t b0 = bucket_begin[d], n = bucket_begin[d + 1] - b0;
      Key* const in_b = sorted + b0;
      Key* const in_a = buf_a->get() + b0;
      const Key high = static_cast<Key>(static_cast<Key>(d) << low_bits);
      int64_t u = 0;
      if (n > 0 && low_values <= 2 * static_cast<size_t>(n)) {
        // Dense: count every low value in an L1/L2 table, then read it out in order. For
        // ml-latest-small a bucket is one target, ~2250 keys over 4096 values.
        table.assign(low_values, 0u);
        for (int64_t i = 0; i < n; ++i) ++table[in_b[i] & (low_values - 1)];
        for (size_t x = 0; x < low_values; ++x) {
          if (table[x] == 0) continue;
          in_a[u] = static_cast<Key>(high | x);
          in_b[u] = static_cast<Key>(table[x]);
          ++u;
        }
        unique_in_a[d] = 1;
      } else {
        Key* keys = SortBucket(in_b, in_a, n, low_bits);
        Key* other = keys == in_b ? in_a : in_b;
        for (int64_t i = 0; i < n;) {
          const Key k = keys[i];
          int64_t j = i + 1;
          while (j < n && keys[j] == k) ++j;
          keys[u] = k;  // u <= i: compacting in place is safe
          other[u] = static_cast<Key>(j - i);
          ++u;
          i = j;
        }
        unique_in_a[d] = keys == in_a ? 1 : 0;
      }
      bucket_uniques[d] = u;
      uniques += u;
    }
    part_begin[tid + 1] = uniques;
#pragma omp barrier
#pragma omp single
    for (int t = 0; t < nt; ++t) part_begin[t + 1] += part_begin[t];
    {
      // The four outputs are allocated and zeroed (page faults, mostly) by two threads at once.
      const size_t u = static_cast<size_t>(part_begin[nt]);
      if (tid == 0) {
        ex.target.resize(u);
        ex.label.resize(u);
      }
      if (tid == (nt > 1 ? 1 : 0)) {
        ex.context.resize(u);
        ex.weight.resize(u);
      }
    }
#pragma omp barrier
    // --- write this thread's buckets into the answer -----------------------------------------
    size_t at = static_cast<size_t>(part_begin[tid]);
    for (size_t d = d0; d < d1; ++d) {
      const int64_t b0 = bucket_begin[d], u = bucket_uniques[d];
      const Key* keys = (unique_in_a[d] ? buf_a->get() : sorted) + b0;
      const Key* counts = (unique_in_a[d] ? sorted : buf_a->get()) + b0;
      for (int64_t i = 0; i < u; ++i, ++at) {
        const Key k = keys[i];
        ex.target[at] = layout.Target(k);
        ex.context[at] = layout.Context(k);
        ex.label[at] = static_cast<uint8_t>(layout.Label(k));
        ex.weight[at] = static_cast<float>(counts[i]);  // exact: counts stay far below 2^24
      }
    }
  }
  ex.raw_pairs = total;
  return ex;
}

}  // namespace

Examples GenerateExamples(const int32_t* walks, int64_t num_walks, uint32_t length,
                          int32_t num_nodes, const ExampleOptions& o, int threads) {
  if (num_walks <= 0 || length == 0 || num_nodes <= 0) return Examples{};
  const int node_bits = core::ExampleKeyNodeBits(num_nodes);
  if (2 * node_bits + 1 <= 32) {
    return Generate<uint32_t>(walks, num_walks, length, num_nodes, o, threads, node_bits);
  }
  return Generate<uint64_t>(walks, num_walks, length, num_nodes, o, threads, node_bits);
}

}  // namespace n2v::cpu
