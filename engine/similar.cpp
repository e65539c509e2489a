// n2v::MostSimilar (n2v.hpp): cosine top-k on the resolved device, or on the host when the query
// is small (AnswerOnHost); cpu::TopKCosine and cuda::TopKCosine are twins (same order, same ties),
// so where it is answered never changes the answer.
#include "absl/strings/str_cat.h"
#include "n2v/core/limits.hpp"
#include "n2v/n2v.hpp"
#include "n2v/status.hpp"
#if defined(N2V_WITH_CUDA)
#include "n2v/cuda_api.hpp"
#endif

namespace n2v {
namespace {

// Whether a GPU query is cheaper on the host. The GPU path takes a host table too: it uploads it
// (rows·dim·4 bytes over PCIe, ~25 GB/s), normalises it, runs a GEMM and a top-k, and the first
// call of a process also pays for cuBLAS's handle (n2v movielens --device cuda on an H200:
// 50 ms for the seed's 5 queries). The host reads the table from memory at a similar rate and
// its dot products ran at ~5.8·10^9 multiply-adds per second per thread (bench/similarity_bench,
// 100k × 128 with 16 to 256 queries on two threads of a Zen 4, 2026-12-04: ~40 ms + ~1.1 ms per
// query), so with no more queries than threads the host is done about when the upload is; and a
// job of at most 2^23 multiply-adds per thread (~1.5 ms) is over before a warm GPU's launches
// and copies would be.
bool AnswerOnHost(size_t queries, const Embeddings& e, int threads) {
  const double macs = static_cast<double>(queries) * e.rows * e.dim;
  const int t = EffectiveThreads(threads);
  return queries <= static_cast<size_t>(t) || macs <= static_cast<double>(t) * (1 << 23);
}

}  // namespace

absl::StatusOr<std::vector<std::vector<Neighbor>>> MostSimilar(const Embeddings& e,
                                                               const std::vector<int32_t>& queries,
                                                               int k, const Device& device,
                                                               int threads) {
  if (k < 1) return absl::InvalidArgumentError("--k: expected at least 1");
  if (e.rows <= 0 || e.dim <= 0 ||
      e.data.size() != static_cast<size_t>(e.rows) * static_cast<size_t>(e.dim)) {
    return absl::InvalidArgumentError("MostSimilar: the table is empty or its size is wrong");
  }
  for (int32_t q : queries) {
    if (q < 0 || q >= e.rows) {
      return absl::InvalidArgumentError(
          absl::StrCat("MostSimilar: query row ", q, " is not in [0, ", e.rows, ")"));
    }
  }
  if (device.kind != Device::Kind::kCpu && k <= core::kMaxTopK &&
      AnswerOnHost(queries.size(), e, threads)) {
    N2V_RETURN_IF_ERROR(CheckDeviceVisible(device));  // still an error to name a missing GPU
    return cpu::TopKCosine(e, queries, k, EffectiveThreads(threads));
  }
  N2V_ASSIGN_OR_RETURN(const DeviceUsed used, ResolveDevice(device, threads));
  if (used.cuda) {
#if defined(N2V_WITH_CUDA)
    if (k > core::kMaxTopK) {
      return absl::InvalidArgumentError(
          absl::StrCat("--k: expected at most ", core::kMaxTopK, " on a GPU, got ", k));
    }
    return CudaTopKCosine(e, queries, k);
#endif
  }
  return cpu::TopKCosine(e, queries, k, EffectiveThreads(threads));
}

}  // namespace n2v
