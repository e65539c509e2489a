// The seed's model on the CPU: one tied embedding table, logit = e_t·e_c, weighted binary
// cross-entropy with logits, Keras's L2 penalty on the whole table, and dense Adam.
// Twin: cuda/train.cu (n2v::cuda::TrainAdam). Per-pair and optimizer math is core/sgns.hpp.
// Threading: one OpenMP team per epoch; the table (and Adam's m, v and the batch gradient) is
// split by columns, one slice per thread, so the dense Adam pass and the gradient scatter touch
// only the thread's own memory (split by rows, every step's update invalidated half of each
// core's cached table and two threads were barely faster than one). Per batch: (A) each thread
// computes its slice's part of every logit; (B) threads take chunks of examples: logit, loss,
// dL/dz; (C) each thread scatters the gradient into its slice and runs Adam on it in place. The
// same thread count always gives the same bits; other counts differ only by the order in which a
// logit's slices are summed.
#include <omp.h>
#if defined(__x86_64__) || defined(__i386__)
// GCC 12 warns about _mm512_undefined_ps() inside its own intrinsics (GCC PR 105593); the
// warning is about the header, not this code.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#pragma GCC diagnostic pop
#endif

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <new>
#include <thread>
#include <utility>
#include <vector>

#include "n2v/core/rng.hpp"
#include "n2v/core/sgns.hpp"
#include "n2v/core/shuffle.hpp"
#include "n2v/core/softplus.hpp"
#include "n2v/options.hpp"
#include "n2v/status.hpp"
#include "n2v/train.hpp"
#include "sigmoid_lanes.hpp"

namespace n2v {
namespace {

// Examples per unit of work in the per-example phase (and per partial sum of the loss).
constexpr int32_t kLossChunk = 64;
// Narrowest column slice worth a thread of its own: below a quarter of an AVX-512 vector the
// per-row overheads dominate.
constexpr int32_t kMinSliceDims = 4;

// 64-byte aligned storage for the slices (std::vector's allocator aligns to 16 only).
template <typename T>
struct LineAllocator {
  using value_type = T;
  LineAllocator() = default;
  template <typename U>
  explicit LineAllocator(const LineAllocator<U>&) {}
  T* allocate(size_t n) { return static_cast<T*>(::operator new(n * sizeof(T), std::align_val_t{64})); }
  void deallocate(T* p, size_t) { ::operator delete(p, std::align_val_t{64}); }
  bool operator==(const LineAllocator&) const { return true; }
};
using AlignedFloats = std::vector<float, LineAllocator<float>>;

// Row stride of a slice `width` columns wide: a whole number of 64-byte lines when that pads the
// row by at most a third, so that every row starts on a line and the row kernels use full,
// unmasked vectors (the padding is zero in W, m, v and G and stays zero: its gradient, moments
// and updates are 0, and 0·0 adds nothing to a logit, so the trained values are the same bits as
// unpadded); otherwise the width itself. A row of 25 (ml-latest-small's dim 50 on two threads)
// takes 32.
int32_t SliceStride(int32_t width) {
  constexpr int32_t kLine = 16;  // floats per 64-byte line
  const int32_t padded = (width + kLine - 1) / kLine * kLine;
  return 3 * (padded - width) <= width ? padded : width;
}

// One thread's columns [d0, d0 + width) of the table and of Adam's state, stored row-major on
// their own so that no cache line is shared with another thread's slice.
struct Slice {
  int32_t d0 = 0, width = 0, stride = 0;
  AlignedFloats w, m, v, g;  // [rows x stride]; g is the batch's data-loss gradient
};

// One example packed for the shuffled gather: a single 16-byte load per visit instead of four
// scattered ones.
struct PackedExample {
  int32_t target;
  int32_t context;
  float weight;
  float label;
};

/// Key of epoch `epoch`'s visiting order: StreamKey(seed ^ epoch·φ64, kShuffle), where
/// φ64 = 0x9E3779B97F4A7C15 (2^64 / golden ratio) spreads consecutive epochs over the key space;
/// epoch 0 uses StreamKey(seed, kShuffle). The CUDA twin must use the same formula.
core::PhiloxKey EpochShuffleKey(uint64_t seed, int32_t epoch) {
  return core::StreamKey(seed ^ (static_cast<uint64_t>(epoch) * 0x9E3779B97F4A7C15ull),
                         core::Stream::kShuffle);
}

// out[i] = core::PermuteIndex(first + i, n, key) for i < count, computed kPermuteLanes at a time
// so the Feistel rounds (core::FeistelRound) vectorise; PermuteIndex's own data-dependent loop
// does not, and one index at a time it was an eighth of the training time. Every lane takes one
// encryption; the few that land outside [0, n) (cycle walking) are compacted and encrypted again.
// The arithmetic per lane is exactly PermuteIndex's: same halves, rounds and keys (train_test
// checks the visit order end to end against core::PermuteIndex).
constexpr int kPermuteLanes = 64;

// Word is uint32_t when the index space fits 32 bits (twice the lanes per vector), else uint64_t;
// the halves are below 2^31 either way, so both give PermuteIndex's values.
template <typename Word>
void PermuteLanes(uint64_t first, int32_t count, uint64_t n, core::PhiloxKey key, int half_bits,
                  uint64_t* out) {
  const Word half_mask = static_cast<Word>((uint64_t{1} << half_bits) - 1);
  const Word limit = static_cast<Word>(n - 1);  // "x < n" as "x <= n − 1": n may be 2^32
  for (int32_t g0 = 0; g0 < count; g0 += kPermuteLanes) {
    int m = std::min(kPermuteLanes, count - g0);  // lanes still walking
    // Lanes [m, mp) are padding that is encrypted and never read: the vector loops then run whole
    // 16-lane vectors, where the cycle walking's few lanes otherwise ran the scalar epilogue.
    Word x[kPermuteLanes] = {}, left[kPermuteLanes], right[kPermuteLanes];
    int32_t slots[2][kPermuteLanes];  // which output each walking lane belongs to (two buffers)
    int32_t* slot = slots[0];
    int32_t* next_slot = slots[1];
    for (int l = 0; l < m; ++l) {
      x[l] = static_cast<Word>(first + static_cast<uint64_t>(g0 + l));
      slot[l] = g0 + l;
    }
    for (bool first_pass = true; m > 0; first_pass = false) {
      const int mp = std::min(kPermuteLanes, (m + 15) & ~15);
      // Round by round over all lanes, so the multiply chains of different vectors overlap (one
      // lane's four rounds are a ~150-cycle dependency chain).
#pragma omp simd
      for (int l = 0; l < mp; ++l) {
        left[l] = x[l] >> half_bits;
        right[l] = x[l] & half_mask;
      }
      for (uint32_t r = 0; r < 4; ++r) {
        const uint32_t round_key = r & 1 ? key.k1 : key.k0;
#pragma omp simd
        for (int l = 0; l < mp; ++l) {
          const Word f =
              static_cast<Word>(core::FeistelRound(static_cast<uint32_t>(right[l]), round_key, r));
          const Word next = (left[l] ^ f) & half_mask;
          left[l] = right[l];
          right[l] = next;
        }
      }
#pragma omp simd
      for (int l = 0; l < mp; ++l) left[l] = (left[l] << half_bits) | right[l];  // the values
      // Every lane's value is written (a walking lane's is overwritten later); on the first pass
      // the lanes are the outputs in order, a plain vector store.
      if (first_pass) {
#pragma omp simd
        for (int l = 0; l < m; ++l) out[g0 + l] = left[l];
      } else {
        for (int l = 0; l < m; ++l) out[slot[l]] = left[l];
      }
      // Branch-free compaction of the lanes still outside [0, n), into arrays this pass does not
      // read (in place, each store would wait on the loads it might alias).
      int kept = 0;
      for (int l = 0; l < m; ++l) {
        x[kept] = left[l];
        next_slot[kept] = slot[l];
        kept += left[l] > limit ? 1 : 0;
      }
      std::swap(slot, next_slot);
      m = kept;
    }
  }
}

void PermuteRange(uint64_t first, int32_t count, uint64_t n, core::PhiloxKey key, uint64_t* out) {
  if (n <= 1) {
    std::fill(out, out + count, uint64_t{0});
    return;
  }
  int bits = 2;  // PermuteIndex's domain: the next even power of two
  while ((uint64_t{1} << bits) < n) ++bits;
  bits += bits & 1;
  if (bits <= 32) {
    PermuteLanes<uint32_t>(first, count, n, key, bits / 2, out);
  } else {
    PermuteLanes<uint64_t>(first, count, n, key, bits / 2, out);
  }
}

// The two row kernels of a training example, e_t·e_c and y += g·x over one row (slice). With
// AVX-512 a row of 50 is three full vectors and one masked one, instead of six 8-wide steps and a
// scalar tail.
float RowDot(const float* a, const float* b, int32_t dim) {
#if defined(__AVX512F__)
  __m512 acc = _mm512_setzero_ps();
  int32_t d = 0;
  for (; d + 16 <= dim; d += 16) {
    acc = _mm512_fmadd_ps(_mm512_loadu_ps(a + d), _mm512_loadu_ps(b + d), acc);
  }
  if (d < dim) {
    const __mmask16 m = static_cast<__mmask16>((1u << (dim - d)) - 1);
    acc = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, a + d), _mm512_maskz_loadu_ps(m, b + d), acc);
  }
  return _mm512_reduce_add_ps(acc);
#else
  float acc = 0.0f;
#pragma omp simd reduction(+ : acc)
  for (int32_t d = 0; d < dim; ++d) acc += a[d] * b[d];
  return acc;
#endif
}

void RowAxpy(float g, const float* x, float* y, int32_t dim) {
#if defined(__AVX512F__)
  const __m512 gv = _mm512_set1_ps(g);
  int32_t d = 0;
  for (; d + 16 <= dim; d += 16) {
    _mm512_storeu_ps(y + d, _mm512_fmadd_ps(gv, _mm512_loadu_ps(x + d), _mm512_loadu_ps(y + d)));
  }
  if (d < dim) {
    const __mmask16 m = static_cast<__mmask16>((1u << (dim - d)) - 1);
    _mm512_mask_storeu_ps(
        y + d, m, _mm512_fmadd_ps(gv, _mm512_maskz_loadu_ps(m, x + d), _mm512_maskz_loadu_ps(m, y + d)));
  }
#else
#pragma omp simd
  for (int32_t d = 0; d < dim; ++d) y[d] += g * x[d];
#endif
}

// The team's step barrier. Training meets twice per batch (1720 times an epoch on
// ml-latest-small), and on a machine whose cores are shared with other work libgomp's barrier
// spins for up to a few hundred microseconds while the thread it waits for sits descheduled —
// two threads then ran several times slower than one. This one spins briefly (a barrier between
// running threads completes in well under a microsecond) and then yields the core.
class StepBarrier {
 public:
  explicit StepBarrier(int threads) : threads_(threads) {}
  void Wait() {
    if (threads_ == 1) return;
    const uint32_t gen = generation_.load(std::memory_order_acquire);
    if (arrived_.fetch_add(1, std::memory_order_acq_rel) + 1 == threads_) {
      arrived_.store(0, std::memory_order_relaxed);
      generation_.store(gen + 1, std::memory_order_release);
      return;
    }
    for (int spin = 0; generation_.load(std::memory_order_acquire) == gen; ++spin) {
      if (spin < kSpins) {
#if defined(__x86_64__) || defined(__i386__)
        _mm_pause();
#endif
      } else {
        std::this_thread::yield();
      }
    }
  }

 private:
  static constexpr int kSpins = 2000;  // ~10-50 µs of pause instructions, then yield
  const int threads_;
  alignas(64) std::atomic<int> arrived_{0};
  alignas(64) std::atomic<uint32_t> generation_{0};
};

// Dense Adam over parameters [p0, p1) of the table: g = data gradient + L2 gradient, then
// core::AdamUpdate, written to `next`; the data gradient is zeroed for the next batch. Returns
// Σ w² of the old values (the L2 term of the loss).
//
// One loop for every ISA: the compiler vectorises it for the -march it builds for (AVX2,
// AVX-512, NEON) once sqrtf needs no errno, which this file is built without (-fno-math-errno,
// CMakeLists.txt); with errno GCC kept a scalar libm fallback that made this pass ~10× slower
// than the bandwidth allows. Each lane computes core::AdamUpdate's expression in its order, with
// IEEE (correctly rounded) sqrt and division as the scalar function; the compiler may contract a
// multiply-add into an FMA as it may there, so the two can differ in the last bit. Σ w² is summed
// in the lanes, then in double: for a given build and thread count every parameter always takes
// the same path, so a run is reproducible bit for bit.
double DenseAdam(const float* cur, float* next, float* m, float* v, float* grad, size_t p0,
                 size_t p1, float lambda, const core::AdamStepScalars& s) {
  constexpr size_t kBlock = 4096;  // Σ w² in float over a block, then in double
  double sq = 0.0;
  for (size_t b = p0; b < p1; b += kBlock) {
    const size_t e = std::min(p1, b + kBlock);
    float block_sq = 0.0f;
#pragma omp simd reduction(+ : block_sq)
    for (size_t p = b; p < e; ++p) {
      float w = cur[p];
      block_sq += w * w;
      core::AdamUpdate(w, m[p], v[p], grad[p] + core::L2Grad(w, lambda), s);
      next[p] = w;
      grad[p] = 0.0f;
    }
    sq += static_cast<double>(block_sq);
  }
  return sq;
}

}  // namespace

namespace cpu {

std::vector<double> TrainAdam(const Examples& ex, const AdamTrainOptions& o, Embeddings* emb,
                              int threads, const EpochCallback& on_epoch) {
  // `emb` holds the initial table (InitHeNormal) and receives the trained one.
  N2V_CHECK(emb != nullptr && emb->rows > 0 && emb->dim == o.dim && o.dim > 0 && o.batch > 0);
  N2V_CHECK(emb->data.size() == static_cast<size_t>(emb->rows) * static_cast<size_t>(emb->dim));
  const int32_t rows = emb->rows, dim = o.dim, batch = o.batch;
  const int64_t n = ex.size();
  const int64_t num_batches = n / batch;  // drop_remainder, as the seed's tf.data pipeline
  std::vector<double> losses;
  if (num_batches == 0 || o.epochs <= 0) return losses;
  const int nthreads = EffectiveThreads(threads);

  // Not value-initialised: the threads' first writes below are also the pages' first touch, so
  // the page faults of these 16·n bytes are taken in parallel instead of by a serial zero fill.
  const std::unique_ptr<PackedExample[]> packed_store =
      std::make_unique_for_overwrite<PackedExample[]>(static_cast<size_t>(n));
  PackedExample* const packed = packed_store.get();
#pragma omp parallel for schedule(static) num_threads(nthreads)
  for (int64_t i = 0; i < n; ++i) {
    N2V_CHECK(ex.target[i] >= 0 && ex.target[i] < rows && ex.context[i] >= 0 &&
              ex.context[i] < rows && ex.label[i] <= 1);
    packed[i] = PackedExample{ex.target[i], ex.context[i], ex.weight[i],
                              static_cast<float>(ex.label[i])};
  }

  // The table, split by columns into one slice per thread (at least kMinSliceDims wide), each
  // stored row-major on its own: [rows x stride] of W, m, v and the batch gradient G.
  const int num_slices = std::clamp(dim / kMinSliceDims, 1, nthreads);
  std::vector<Slice> slices(num_slices);
  for (int sl = 0; sl < num_slices; ++sl) {
    Slice& x = slices[sl];
    x.d0 = static_cast<int32_t>(int64_t{dim} * sl / num_slices);
    x.width = static_cast<int32_t>(int64_t{dim} * (sl + 1) / num_slices) - x.d0;
    x.stride = SliceStride(x.width);
    const size_t size = static_cast<size_t>(rows) * x.stride;
    x.w.assign(size, 0.0f);
    x.m.assign(size, 0.0f);
    x.v.assign(size, 0.0f);
    x.g.assign(size, 0.0f);
    for (int32_t r = 0; r < rows; ++r) {
      std::copy_n(emb->data.data() + static_cast<size_t>(r) * dim + x.d0, x.width,
                  x.w.data() + static_cast<size_t>(r) * x.stride);
    }
  }

  // Records of batches b, b + 1 and b + 2 (b mod 3): a fast thread gathers batch b + 1 while a
  // slow one may still scatter batch b − 1.
  std::vector<PackedExample> records(3 * static_cast<size_t>(batch));
  std::vector<uint64_t> visit(2 * static_cast<size_t>(batch));  // positions of batches b+1, b+2
  // Per-slice logits of batches b and b + 1 (b mod 2), and each thread's own copy of dL/dz.
  std::vector<float> partial(2 * static_cast<size_t>(num_slices) * batch);
  std::vector<float> coef(static_cast<size_t>(nthreads) * batch);
  const int32_t num_chunks = (batch + kLossChunk - 1) / kLossChunk;
  std::vector<double> chunk_loss(num_chunks), slice_sq(num_slices);
  const float batch_f = static_cast<float>(batch);
  const float lambda = o.l2;
  const uint64_t n_u = static_cast<uint64_t>(n);

  for (int32_t epoch = 0; epoch < o.epochs; ++epoch) {
    const core::PhiloxKey key = EpochShuffleKey(o.seed, epoch);
    std::fill(chunk_loss.begin(), chunk_loss.end(), 0.0);
    std::fill(slice_sq.begin(), slice_sq.end(), 0.0);
    const int64_t first_step = static_cast<int64_t>(epoch) * num_batches + 1;

    std::unique_ptr<StepBarrier> barrier;
#pragma omp parallel num_threads(nthreads)
    {
      const int nt = omp_get_num_threads(), tid = omp_get_thread_num();
#pragma omp single
      barrier = std::make_unique<StepBarrier>(nt);  // the team may be smaller than asked
      auto chunk_range = [&](int32_t chunk) {
        return std::make_pair(chunk * kLossChunk, std::min(batch, (chunk + 1) * kLossChunk));
      };
      // Visit positions of batch `bb` for one chunk, into its parity's half of `visit`; the
      // records they name are prefetched now and read a step later. A chunk is always planned
      // and gathered by the same thread (chunk ≡ tid mod nt), so `visit` needs no barrier.
      auto plan = [&](int64_t bb, int32_t i0, int32_t i1) {
        uint64_t* idx = visit.data() + (bb & 1) * batch;
        PermuteRange(static_cast<uint64_t>(bb) * batch + i0, i1 - i0, n_u, key, idx + i0);
        for (int32_t i = i0; i < i1; ++i) __builtin_prefetch(packed + idx[i]);
      };
      auto gather = [&](int64_t bb, int32_t i0, int32_t i1) {
        const uint64_t* idx = visit.data() + (bb & 1) * batch;
        PackedExample* rec = records.data() + (bb % 3) * batch;
        for (int32_t i = i0; i < i1; ++i) rec[i] = packed[idx[i]];
      };
      for (int32_t chunk = tid; chunk < num_chunks; chunk += nt) {
        const auto [i0, i1] = chunk_range(chunk);
        plan(0, i0, i1);
        gather(0, i0, i1);
        if (num_batches > 1) plan(1, i0, i1);
      }
      barrier->Wait();

      float* const my_coef = coef.data() + static_cast<size_t>(tid) * batch;
      // One barrier a step. A thread's work between two barriers: (C) its slices' gradient and
      // Adam for batch b − 1, (A) its slices' part of every logit of batch b and its chunks'
      // records of batch b + 1; after the barrier (B) every thread derives all of batch b's dL/dz
      // from the logits (a vectorised pass, cheaper than a second barrier) and its chunks' loss.
      for (int64_t b = 0; b < num_batches; ++b) {
        const PackedExample* rec = records.data() + (b % 3) * batch;
        float* const part = partial.data() + (b & 1) * static_cast<size_t>(num_slices) * batch;
        // --- A: each slice's part of every logit (only this thread touches its slices) -------
        for (int sl = tid; sl < num_slices; sl += nt) {
          const Slice& x = slices[sl];
          float* out = part + static_cast<size_t>(sl) * batch;
          for (int32_t i = 0; i < batch; ++i) {
            out[i] = RowDot(x.w.data() + static_cast<size_t>(rec[i].target) * x.stride,
                            x.w.data() + static_cast<size_t>(rec[i].context) * x.stride, x.stride);
          }
        }
        for (int32_t chunk = tid; chunk < num_chunks; chunk += nt) {
          const auto [i0, i1] = chunk_range(chunk);
          if (b + 1 < num_batches) gather(b + 1, i0, i1);
          if (b + 2 < num_batches) plan(b + 2, i0, i1);
        }
        barrier->Wait();

        // --- B: dL/dz of every example (each thread its own copy), the loss of its chunks ----
        // d(Σ w·bce / batch)/dz in autodiff's order, (w / batch)·(σ(z) − y), as
        // core::BceWithLogitsGrad computes it (SigmoidLanes gives core::Sigmoid's bits).
        for (int32_t chunk = 0; chunk < num_chunks; ++chunk) {
          const auto [i0, i1] = chunk_range(chunk);
          const int32_t len = i1 - i0;
          float z[kLossChunk], scale[kLossChunk], label[kLossChunk], sigma[kLossChunk];
          for (int32_t j = 0; j < len; ++j) {
            float zj = part[i0 + j];
            for (int sl = 1; sl < num_slices; ++sl) zj += part[static_cast<size_t>(sl) * batch + i0 + j];
            z[j] = zj;
            scale[j] = rec[i0 + j].weight / batch_f;
            label[j] = rec[i0 + j].label;
          }
          cpu::SigmoidLanes(z, len, sigma);
          float* const chunk_coef = my_coef + i0;  // (clang's omp simd cannot name a binding)
#pragma omp simd
          for (int32_t j = 0; j < len; ++j) chunk_coef[j] = scale[j] * (sigma[j] - label[j]);
          if (chunk % nt != tid) continue;
          float term[kLossChunk];
#pragma omp simd
          for (int32_t j = 0; j < len; ++j) {
            // BCE(z, 1) = softplus(−z), BCE(z, 0) = softplus(z)
            term[j] = core::Softplus(label[j] != 0.0f ? -z[j] : z[j]);
          }
          double loss = 0.0;
          for (int32_t j = 0; j < len; ++j) loss += static_cast<double>(rec[i0 + j].weight * term[j]);
          chunk_loss[chunk] += loss;
        }

        // --- C: each slice's gradient of the batch, then dense Adam on it, in place ----------
        const core::AdamStepScalars s = core::MakeAdamStep(o.adam, first_step + b);
        for (int sl = tid; sl < num_slices; sl += nt) {
          Slice& x = slices[sl];
          for (int32_t i = 0; i < batch; ++i) {
            const size_t t = static_cast<size_t>(rec[i].target) * x.stride;
            const size_t c = static_cast<size_t>(rec[i].context) * x.stride;
            RowAxpy(my_coef[i], x.w.data() + c, x.g.data() + t, x.stride);
            RowAxpy(my_coef[i], x.w.data() + t, x.g.data() + c, x.stride);
          }
          slice_sq[sl] += DenseAdam(x.w.data(), x.w.data(), x.m.data(), x.v.data(), x.g.data(), 0,
                                    x.w.size(), lambda, s);
        }
        // No barrier: the next A reads only this thread's slices; it writes the other half of
        // `partial`, whose readers (every thread's B of batch b − 1) finished before this step's
        // barrier, and gathers batch b + 2 into batch b − 1's records, which every thread had
        // finished scattering before that barrier too.
      }
    }

    double data_loss = 0.0, l2_sum = 0.0;
    for (double c : chunk_loss) data_loss += c;
    for (double sq : slice_sq) l2_sum += sq;
    // Keras's figure: mean over batches of (Σ w·bce / batch + λ·Σ W²).
    const double loss = data_loss / (static_cast<double>(num_batches) * batch) +
                        static_cast<double>(lambda) * l2_sum / static_cast<double>(num_batches);
    losses.push_back(loss);
    if (on_epoch && !on_epoch(epoch, loss)) break;
  }
  for (const Slice& x : slices) {
    for (int32_t r = 0; r < rows; ++r) {
      std::copy_n(x.w.data() + static_cast<size_t>(r) * x.stride, x.width,
                  emb->data.data() + static_cast<size_t>(r) * dim + x.d0);
    }
  }
  return losses;
}

}  // namespace cpu
}  // namespace n2v
