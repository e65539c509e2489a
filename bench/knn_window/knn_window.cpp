// How often the tensor-core all-kNN (cuda/knn_tensor.cu) can settle a row from its BF16
// candidates, measured on the host by emulating its selection: for sampled rows of a table, the
// approximate scores (inputs rounded to BF16, as the kernel's), the number of columns inside the
// window [k-th best − 2·eps, ∞) and whether the 64 best candidates hold it
// (n2v/core/knn_window.hpp). Rows that are not settled go to the FP32 path on the GPU, so this
// predicts the kernel's fallback rate for a table without a GPU.
//
// Usage: knn_window --k K [--queries Q] (--embeddings FILE | --rows N --dim D [--seed S])
//   FILE: word2vec text/binary or .npy (n2v's outputs); else N random normal rows.
// Prints one JSON line: rows, dim, k, eps, queries, settled_fraction, mean/max columns in window.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "n2v/core/knn_window.hpp"
#include "n2v/cuda_api.hpp"
#include "n2v/embeddings_io.hpp"
#include "n2v/similarity.hpp"

namespace {

std::map<std::string, std::string> Flags(int argc, char** argv) {
  std::map<std::string, std::string> f;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i];
    if (key.rfind("--", 0) != 0) {
      std::fprintf(stderr, "knn_window: expected --flag value pairs, got '%s'\n", argv[i]);
      std::exit(2);
    }
    f[key.substr(2)] = argv[i + 1];
  }
  if (argc % 2 == 0) {
    std::fprintf(stderr, "knn_window: flag '%s' has no value\n", argv[argc - 1]);
    std::exit(2);
  }
  return f;
}

int64_t IntFlag(const std::map<std::string, std::string>& f, const std::string& key,
                int64_t fallback) {
  auto it = f.find(key);
  if (it == f.end()) return fallback;
  char* end = nullptr;
  const long long v = std::strtoll(it->second.c_str(), &end, 10);
  if (end == it->second.c_str() || *end != '\0' || v < 1) {
    std::fprintf(stderr, "knn_window: --%s: expected a positive integer, got '%s'\n", key.c_str(),
                 it->second.c_str());
    std::exit(2);
  }
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  const auto f = Flags(argc, argv);
  const int k = static_cast<int>(IntFlag(f, "k", 10));
  const int64_t want_queries = IntFlag(f, "queries", 1000);
  n2v::Embeddings e;
  if (auto it = f.find("embeddings"); it != f.end()) {
    auto loaded = n2v::ReadEmbeddings(it->second);
    if (!loaded.ok()) {
      std::fprintf(stderr, "knn_window: %s\n", std::string(loaded.status().message()).c_str());
      return 1;
    }
    e = std::move(loaded->emb);
  } else {
    e.rows = static_cast<int32_t>(IntFlag(f, "rows", 100000));
    e.dim = static_cast<int32_t>(IntFlag(f, "dim", 128));
    std::mt19937_64 rng(static_cast<uint64_t>(IntFlag(f, "seed", 7)));
    std::normal_distribution<float> z(0.0f, 1.0f);
    e.data.resize(static_cast<size_t>(e.rows) * e.dim);
    for (float& x : e.data) x = z(rng);
  }
  constexpr int kCand = n2v::cuda::kTensorKnnCandidates;
  if (k > n2v::cuda::kTensorKnnMaxK || e.rows < kCand) {
    std::fprintf(stderr, "knn_window: need k <= %d and at least %d rows\n",
                 n2v::cuda::kTensorKnnMaxK, kCand);
    return 2;
  }
  const n2v::Embeddings unit = n2v::Normalized(e, 0);
  const int32_t dim = unit.dim;
  std::vector<float> bf(unit.data.size());
  for (size_t i = 0; i < bf.size(); ++i) bf[i] = n2v::core::RoundToBf16(unit.data[i]);
  const float eps = n2v::core::Bf16ScoreBound(n2v::core::TensorKnnPaddedDim(dim));
  const int64_t queries = std::min<int64_t>(want_queries, unit.rows);
  int64_t settled = 0, in_window_sum = 0, in_window_max = 0;
  std::vector<float> approx(unit.rows), sorted(unit.rows);
  for (int64_t qi = 0; qi < queries; ++qi) {
    const int64_t q = qi * unit.rows / queries;
    const float* a = bf.data() + q * dim;
    for (int32_t c = 0; c < unit.rows; ++c) {
      const float* b = bf.data() + static_cast<int64_t>(c) * dim;
      float s = 0.0f;
#pragma omp simd reduction(+ : s)
      for (int32_t d = 0; d < dim; ++d) s += a[d] * b[d];
      approx[c] = s;
    }
    sorted = approx;
    std::partial_sort(sorted.begin(), sorted.begin() + kCand, sorted.end(), std::greater<float>());
    const float kth = sorted[k - 1];
    int64_t in_window = 0;
    for (float s : approx) in_window += s >= kth - 2.0f * eps ? 1 : 0;
    in_window_sum += in_window;
    in_window_max = std::max(in_window_max, in_window);
    settled += n2v::core::CandidatesHoldTopK(kth, sorted[kCand - 1], true, eps) ? 1 : 0;
  }
  std::printf(
      "{\"rows\": %d, \"dim\": %d, \"k\": %d, \"eps\": %.6f, \"candidates\": %d, \"queries\": %lld, "
      "\"settled_fraction\": %.4f, \"mean_in_window\": %.2f, \"max_in_window\": %lld}\n",
      unit.rows, dim, k, eps, kCand, static_cast<long long>(queries),
      static_cast<double>(settled) / queries, static_cast<double>(in_window_sum) / queries,
      static_cast<long long>(in_window_max));
  return 0;
}
