// The embedding map's projection (report.hpp's ProjectEmbeddings) and its colours. PCA is the
// drawn rows' covariance (centred, in double) and its two leading eigenvectors, computed with
// Eigen (Debian's libeigen3-dev, header-only: nothing more for the binary or an installed copy's
// users to link; docs/DESIGN.md, "Reports"). Host only.
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <numeric>

// GCC 12 warns of uninitialised AVX-512 lanes inside Eigen's own kernels (-march=native): not ours.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <Eigen/Dense>

#include "absl/strings/str_cat.h"
#include "n2v/core/rng.hpp"
#include "n2v/report.hpp"

namespace n2v {

absl::StatusOr<EmbeddingMap> ProjectEmbeddings(const Embeddings& e, int32_t max_points,
                                               uint64_t seed, int threads,
                                               const std::vector<int32_t>& candidates) {
  if (e.rows <= 0 || e.dim <= 0) {
    return absl::InvalidArgumentError("embedding map: the table has no rows");
  }
  if (max_points < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("embedding map: expected at least 1 point, got ", max_points));
  }
  std::vector<int32_t> all;
  if (candidates.empty()) {
    all.resize(e.rows);
    std::iota(all.begin(), all.end(), 0);
  }
  const std::vector<int32_t>& pool = candidates.empty() ? all : candidates;
  for (int32_t r : pool) {
    if (r < 0 || r >= e.rows) {
      return absl::InvalidArgumentError(
          absl::StrCat("embedding map: row ", r, " is outside the table's ", e.rows, " rows"));
    }
  }
  EmbeddingMap m;
  m.rows = static_cast<int64_t>(pool.size());
  m.left_out = e.rows - m.rows;
  // The rows drawn: all candidates, or the max_points of smallest Philox priority (a uniform
  // sample without replacement, the same for a seed whatever the thread count).
  if (m.rows <= max_points) {
    m.shown = pool;
  } else {
    const core::PhiloxKey key = core::StreamKey(seed, core::Stream::kEval);
    std::vector<std::pair<uint64_t, int32_t>> pri(pool.size());
    for (size_t i = 0; i < pool.size(); ++i) {
      const int32_t r = pool[i];
      const core::U32x4 w = core::Random4(key, 0x6d6170u /* "map" */, 0, static_cast<uint64_t>(r));
      pri[i] = {(static_cast<uint64_t>(w.x) << 32) | w.y, r};
    }
    std::nth_element(pri.begin(), pri.begin() + max_points, pri.end());
    m.shown.resize(max_points);
    for (int32_t i = 0; i < max_points; ++i) m.shown[i] = pri[i].second;
    std::sort(m.shown.begin(), m.shown.end());
  }
  const int64_t n = static_cast<int64_t>(m.shown.size());
  const int d = e.dim;
  Eigen::MatrixXd x(n, d);
  const int t = threads > 0 ? threads : omp_get_max_threads();
#pragma omp parallel for schedule(static) num_threads(t)
  for (int64_t i = 0; i < n; ++i) {
    const float* row = e.row(m.shown[i]);
    for (int j = 0; j < d; ++j) x(i, j) = row[j];
  }
  const Eigen::RowVectorXd mean = x.colwise().mean();
  x.rowwise() -= mean;
  Eigen::MatrixXd cov = Eigen::MatrixXd::Zero(d, d);
  cov.selfadjointView<Eigen::Lower>().rankUpdate(x.transpose(), 1.0 / std::max<int64_t>(n - 1, 1));
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(cov.selfadjointView<Eigen::Lower>());
  if (eig.info() != Eigen::Success) {
    return absl::InternalError("embedding map: the covariance's eigen-decomposition failed");
  }
  // Eigenvalues ascend: the last two columns are the leading components. Each gets the sign that
  // makes its largest coefficient positive, so a map does not flip between identical runs.
  const Eigen::VectorXd& values = eig.eigenvalues();
  const double total = std::max(values.sum(), 0.0);
  Eigen::MatrixXd pc(d, 2);
  for (int c = 0; c < 2; ++c) {
    const int k = std::max(d - 1 - c, 0);
    Eigen::VectorXd v = Eigen::VectorXd::Zero(d);  // a 1-dimensional table has no second axis
    if (d - 1 - c >= 0) v = eig.eigenvectors().col(k);
    Eigen::Index at = 0;
    v.cwiseAbs().maxCoeff(&at);
    if (v(at) < 0) v = -v;
    pc.col(c) = v;
    m.variance[c] = d - 1 - c >= 0 && total > 0 ? std::max(values(k), 0.0) / total : 0.0;
  }
  const Eigen::MatrixXd xy = x * pc;
  m.x.resize(n);
  m.y.resize(n);
  for (int64_t i = 0; i < n; ++i) {
    m.x[i] = static_cast<float>(xy(i, 0));
    m.y[i] = static_cast<float>(xy(i, 1));
  }
  return m;
}

void ColourByDegree(EmbeddingMap* map, const CsrView& g, const std::vector<std::string>& names) {
  map->colour_by = "degree";
  map->categories.clear();
  map->category.clear();
  map->degree.resize(map->shown.size());
  map->names.resize(map->shown.size());
  for (size_t i = 0; i < map->shown.size(); ++i) {
    const int32_t v = map->shown[i];
    map->degree[i] = static_cast<double>(g.offsets[v + 1] - g.offsets[v]);
    map->names[i] = v < static_cast<int32_t>(names.size()) ? names[v] : absl::StrCat(v);
  }
}

void ColourByCategory(EmbeddingMap* map, const std::vector<int32_t>& row_category,
                      const std::vector<std::string>& category_names, const std::string& what) {
  std::vector<int64_t> count(category_names.size(), 0);
  for (int32_t r : map->shown) {
    const int32_t c = r < static_cast<int32_t>(row_category.size()) ? row_category[r] : -1;
    if (c >= 0 && c < static_cast<int32_t>(count.size())) ++count[c];
  }
  // Most frequent first (ties by name), categories that no drawn point has left out.
  std::vector<int32_t> order;
  for (size_t c = 0; c < count.size(); ++c) {
    if (count[c] > 0) order.push_back(static_cast<int32_t>(c));
  }
  std::stable_sort(order.begin(), order.end(), [&](int32_t a, int32_t b) {
    return count[a] != count[b] ? count[a] > count[b] : category_names[a] < category_names[b];
  });
  std::vector<int32_t> rank(category_names.size(), -1);
  map->categories.clear();
  for (size_t i = 0; i < order.size(); ++i) {
    rank[order[i]] = static_cast<int32_t>(i);
    map->categories.push_back(category_names[order[i]]);
  }
  map->colour_by = what;
  map->category.resize(map->shown.size());
  for (size_t i = 0; i < map->shown.size(); ++i) {
    const int32_t r = map->shown[i];
    const int32_t c = r < static_cast<int32_t>(row_category.size()) ? row_category[r] : -1;
    map->category[i] = c >= 0 && c < static_cast<int32_t>(rank.size()) ? rank[c] : -1;
  }
}

}  // namespace n2v
