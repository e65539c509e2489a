// n2v::MostSimilar (n2v.hpp): cosine top-k on the resolved device; cpu::TopKCosine and
// cuda::TopKCosine are twins (same order, same ties).
#include "absl/strings/str_cat.h"
#include "n2v/core/limits.hpp"
#include "n2v/n2v.hpp"
#include "n2v/status.hpp"
#if defined(N2V_WITH_CUDA)
#include "n2v/cuda_api.hpp"
#endif

namespace n2v {

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
