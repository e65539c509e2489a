// Cosine similarity top-k on the CPU: normalise the rows, score every row against each query,
// keep the k best in a bounded heap. Twin: cuda/similarity.cu (cuBLAS SGEMM + top-k).
// Threading: OpenMP over queries when there are at least as many queries as threads, otherwise
// over row ranges of each query with per-thread heaps merged at the end. The total order
// (score descending, then row ascending) makes the result independent of the split.
#include "n2v/options.hpp"
#include "n2v/similarity.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "n2v/status.hpp"

namespace n2v {
namespace {

// Below this many floats (4 MiB) of table (or of table × queries) a thread team costs more to wake
// than it saves: the work stays on the calling thread.
constexpr int64_t kSplitRowsMinFloats = int64_t{1} << 20;

/// The order of the answer: higher score first, then the smaller row.
bool Better(const Neighbor& a, const Neighbor& b) {
  return a.score > b.score || (a.score == b.score && a.node < b.node);
}

float Dot(const float* a, const float* b, int32_t dim) {
  float s = 0.0f;
#pragma omp simd reduction(+ : s)
  for (int32_t d = 0; d < dim; ++d) s += a[d] * b[d];
  return s;
}

/// Offers rows [r0, r1) to a heap of at most k entries whose front is the worst kept.
void ScanRows(const Embeddings& e, const float* q, int32_t r0, int32_t r1, int32_t k,
              std::vector<Neighbor>& heap) {
  for (int32_t r = r0; r < r1; ++r) {
    const Neighbor cand{r, Dot(q, e.row(r), e.dim)};
    if (static_cast<int32_t>(heap.size()) < k) {
      heap.push_back(cand);
      std::push_heap(heap.begin(), heap.end(), Better);
    } else if (Better(cand, heap.front())) {
      std::pop_heap(heap.begin(), heap.end(), Better);
      heap.back() = cand;
      std::push_heap(heap.begin(), heap.end(), Better);
    }
  }
}

}  // namespace

Embeddings Normalized(const Embeddings& e, int threads) {
  Embeddings out;
  out.rows = e.rows;
  out.dim = e.dim;
  out.data.resize(e.data.size());
  const int32_t dim = e.dim;
#pragma omp parallel for schedule(static) num_threads(EffectiveThreads(threads)) \
    if (static_cast<int64_t>(e.rows) * dim >= kSplitRowsMinFloats)
  for (int32_t r = 0; r < e.rows; ++r) {
    const float* x = e.row(r);
    float* y = out.data.data() + static_cast<size_t>(r) * dim;
    double ss = 0.0;
    for (int32_t d = 0; d < dim; ++d) ss += static_cast<double>(x[d]) * x[d];
    const float scale = ss > 0.0 ? static_cast<float>(1.0 / std::sqrt(ss)) : 0.0f;
    for (int32_t d = 0; d < dim; ++d) y[d] = x[d] * scale;
  }
  return out;
}

namespace cpu {

std::vector<std::vector<Neighbor>> TopKCosine(const Embeddings& e,
                                              const std::vector<int32_t>& queries, int k,
                                              int threads) {
  const int64_t nq = static_cast<int64_t>(queries.size());
  std::vector<std::vector<Neighbor>> result(queries.size());
  const int32_t kk = std::clamp<int32_t>(k, 0, e.rows);
  if (kk == 0 || nq == 0) return result;
  for (int32_t q : queries) N2V_CHECK(q >= 0 && q < e.rows);
  const int nthreads = EffectiveThreads(threads);
  const Embeddings unit = Normalized(e, nthreads);

  // Many queries, or a table too small to be worth splitting (a thread team's wake-up costs more
  // than scanning ml-latest-small's 1405 rows): one query per task.
  const bool split_rows =
      nq < nthreads && static_cast<int64_t>(unit.rows) * unit.dim >= kSplitRowsMinFloats;
  if (!split_rows) {
#pragma omp parallel for schedule(dynamic, 1) \
    num_threads(static_cast<int>(std::min<int64_t>(nthreads, nq))) \
    if (nq * unit.rows * unit.dim >= kSplitRowsMinFloats)
    for (int64_t i = 0; i < nq; ++i) {
      std::vector<Neighbor>& heap = result[i];
      heap.reserve(kk);
      ScanRows(unit, unit.row(queries[i]), 0, unit.rows, kk, heap);
      std::sort(heap.begin(), heap.end(), Better);
    }
    return result;
  }

  // Few queries over a large table: each thread scans its rows for every query (one team for
  // all of them), then the per-thread heaps of each query are merged.
  std::vector<std::vector<Neighbor>> heaps(static_cast<size_t>(nq) * nthreads);
#pragma omp parallel num_threads(nthreads)
  {
    const int nt = omp_get_num_threads(), tid = omp_get_thread_num();
    const int32_t r0 = static_cast<int32_t>(int64_t{unit.rows} * tid / nt);
    const int32_t r1 = static_cast<int32_t>(int64_t{unit.rows} * (tid + 1) / nt);
    for (int64_t i = 0; i < nq; ++i) {
      ScanRows(unit, unit.row(queries[i]), r0, r1, kk, heaps[i * nthreads + tid]);
    }
  }
  for (int64_t i = 0; i < nq; ++i) {
    std::vector<Neighbor>& merged = result[i];
    for (int t = 0; t < nthreads; ++t) {
      const auto& h = heaps[i * nthreads + t];
      merged.insert(merged.end(), h.begin(), h.end());
    }
    const auto mid = merged.begin() + std::min<size_t>(kk, merged.size());
    std::partial_sort(merged.begin(), mid, merged.end(), Better);
    merged.resize(static_cast<size_t>(mid - merged.begin()));
  }
  return result;
}

}  // namespace cpu
}  // namespace n2v
