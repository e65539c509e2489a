// Link prediction and node classification (include/n2v/eval.hpp). Logistic regression is
// liblinear's L2R_LR (trust-region Newton on the primal), called exactly as scikit-learn's
// LogisticRegression(solver='liblinear') calls it: intercept as an extra feature of value 1
// (intercept_scaling = 1, so the intercept is regularised too), eps = tol, C as given.
// Threading: OpenMP over the four edge operators and over the (repeat, label) fits of
// one-vs-rest; every random draw is Philox (Stream::kEval) keyed by seed and draw index, and
// every fit is independent, so no result depends on the thread count.
#include "n2v/eval.hpp"

#include <linear.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <memory>
#include <mutex>
#include <numeric>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "n2v/core/rng.hpp"
#include "n2v/status.hpp"

namespace n2v {
namespace {

// --- random draws -------------------------------------------------------------------------------

/// What a draw is for: the `a` word of the Philox counter, so no two purposes share a counter.
enum Purpose : uint32_t {
  kEdgeShuffle = 1,
  kNonEdges = 2,
  kTrainEdges = 3,
  kClassSplit = 4,
};

uint64_t Draw64(core::PhiloxKey key, Purpose purpose, uint32_t sub, uint64_t i) {
  const core::U32x4 r = core::Random4(key, purpose, sub, i);
  return (static_cast<uint64_t>(r.x) << 32) | r.y;
}

/// Uniform in [0, n) from 64 random bits (Lemire's multiply-shift; bias < n / 2^64).
uint64_t Below(uint64_t r, uint64_t n) {
  return static_cast<uint64_t>((static_cast<unsigned __int128>(r) * n) >> 64);
}

/// Moves a uniformly random k-subset of v, in random order, to v[0, k) (Fisher–Yates, forward).
template <typename T>
void PartialShuffle(std::vector<T>& v, size_t k, core::PhiloxKey key, Purpose purpose,
                    uint32_t sub) {
  const size_t m = v.size();
  for (size_t i = 0; i < k && i + 1 < m; ++i) {
    const size_t j = i + Below(Draw64(key, purpose, sub, i), m - i);
    std::swap(v[i], v[j]);
  }
}

uint64_t PairKey(int32_t u, int32_t v) {
  return (static_cast<uint64_t>(static_cast<uint32_t>(u)) << 32) | static_cast<uint32_t>(v);
}

bool Adjacent(const Graph& g, int32_t u, int32_t v) {
  const auto b = g.neighbors.begin() + g.offsets[u];
  const auto e = g.neighbors.begin() + g.offsets[u + 1];
  return std::binary_search(b, e, v);
}

// --- union–find ---------------------------------------------------------------------------------

class DisjointSets {
 public:
  explicit DisjointSets(int32_t n) : parent_(n), size_(n, 1) {
    std::iota(parent_.begin(), parent_.end(), 0);
  }
  int32_t Find(int32_t x) {
    while (parent_[x] != x) {
      parent_[x] = parent_[parent_[x]];  // path halving
      x = parent_[x];
    }
    return x;
  }
  /// Joins the sets of a and b; false when they were one already.
  bool Union(int32_t a, int32_t b) {
    a = Find(a);
    b = Find(b);
    if (a == b) return false;
    if (size_[a] < size_[b]) std::swap(a, b);
    parent_[b] = a;
    size_[a] += size_[b];
    return true;
  }

 private:
  std::vector<int32_t> parent_;
  std::vector<int32_t> size_;
};

// --- liblinear ----------------------------------------------------------------------------------

void Silent(const char*) {}

/// Dense rows in liblinear's sparse layout: dim features (index 1..dim), the intercept feature
/// (index dim + 1, value 1) and the terminator (index −1). Built once, shared read-only.
class FeatureRows {
 public:
  FeatureRows(int64_t rows, int32_t dim) : dim_(dim), nodes_(static_cast<size_t>(rows) * (dim + 2)) {
    for (int64_t r = 0; r < rows; ++r) {
      feature_node* x = row(r);
      for (int32_t j = 0; j < dim; ++j) x[j].index = j + 1;
      x[dim] = feature_node{dim + 1, 1.0};
      x[dim + 1] = feature_node{-1, 0.0};
    }
  }
  feature_node* row(int64_t r) { return nodes_.data() + r * (dim_ + 2); }
  const feature_node* row(int64_t r) const { return nodes_.data() + r * (dim_ + 2); }
  void Set(int64_t r, const double* values) {
    feature_node* x = row(r);
    for (int32_t j = 0; j < dim_; ++j) x[j].value = values[j];
  }
  int32_t dim() const { return dim_; }

 private:
  int32_t dim_;
  std::vector<feature_node> nodes_;
};

/// Weights (dim + 1, the last the intercept) of the L2-regularised logistic regression of y
/// (labels 0/1, both present) on the rows, oriented so that w·x > 0 means label 1.
std::vector<double> FitLogReg(std::vector<feature_node*>& x, std::vector<double>& y, int32_t dim,
                              const LogRegOptions& o) {
  static std::once_flag quiet;
  std::call_once(quiet, [] { set_print_string_function(&Silent); });
  problem prob{};
  prob.l = static_cast<int>(x.size());
  prob.n = dim + 1;
  prob.y = y.data();
  prob.x = x.data();
  prob.bias = 1.0;
  parameter param{};
  param.solver_type = L2R_LR;
  param.eps = o.tol;
  param.C = o.C;
  param.nr_weight = 0;
  param.weight_label = nullptr;
  param.weight = nullptr;
  param.p = 0.1;  // liblinear's default; SVR only
  param.init_sol = nullptr;
  N2V_CHECK(check_parameter(&prob, &param) == nullptr);
  model* m = train(&prob, &param);
  N2V_CHECK(m != nullptr && m->nr_class == 2);
  // liblinear numbers classes in order of first appearance; w·x > 0 means m->label[0].
  const double sign = m->label[0] == 1 ? 1.0 : -1.0;
  std::vector<double> w(dim + 1);
  for (int32_t j = 0; j <= dim; ++j) w[j] = sign * m->w[j];
  free_and_destroy_model(&m);
  return w;
}

/// P(label 1 | x) as scikit-learn computes it: expit of the decision value.
double Probability(const std::vector<double>& w, const double* x, int32_t dim) {
  double dec = w[dim];  // intercept · 1
  for (int32_t j = 0; j < dim; ++j) dec += w[j] * x[j];
  return 1.0 / (1.0 + std::exp(-dec));
}

int Threads(int threads) { return threads > 0 ? threads : omp_get_max_threads(); }

}  // namespace

// --- metrics ------------------------------------------------------------------------------------

absl::StatusOr<double> RocAuc(absl::Span<const double> positive,
                              absl::Span<const double> negative) {
  if (positive.empty() || negative.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("ROC-AUC needs positive and negative scores, got ",
                                                   positive.size(), " positive and ",
                                                   negative.size(), " negative"));
  }
  std::vector<std::pair<double, bool>> s;
  s.reserve(positive.size() + negative.size());
  for (const double x : positive) s.emplace_back(x, true);
  for (const double x : negative) s.emplace_back(x, false);
  for (const auto& [x, pos] : s) {
    if (std::isnan(x)) return absl::InvalidArgumentError("ROC-AUC: a score is NaN");
  }
  std::sort(s.begin(), s.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  // Σ over positives of (negatives below it + ½ negatives tied with it); exact in double while
  // the counts stay below 2^52.
  double wins = 0;
  int64_t neg_below = 0;
  for (size_t i = 0; i < s.size();) {
    size_t j = i;
    int64_t p = 0, q = 0;
    for (; j < s.size() && s[j].first == s[i].first; ++j) (s[j].second ? p : q) += 1;
    wins += static_cast<double>(p) * (static_cast<double>(neg_below) + 0.5 * static_cast<double>(q));
    neg_below += q;
    i = j;
  }
  return wins / (static_cast<double>(positive.size()) * static_cast<double>(negative.size()));
}

std::vector<RocPoint> RocCurve(absl::Span<const double> positive,
                               absl::Span<const double> negative, int max_points) {
  std::vector<RocPoint> curve;
  if (positive.empty() || negative.empty()) return curve;
  std::vector<std::pair<double, bool>> s;
  s.reserve(positive.size() + negative.size());
  for (const double x : positive) s.emplace_back(x, true);
  for (const double x : negative) s.emplace_back(x, false);
  for (const auto& [x, pos] : s) {
    if (std::isnan(x)) return curve;
  }
  // Highest score first: lowering the threshold past each distinct score admits its group.
  std::sort(s.begin(), s.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  const double np = static_cast<double>(positive.size()), nn = static_cast<double>(negative.size());
  std::vector<RocPoint> full{{0, 0}};
  int64_t tp = 0, fp = 0;
  for (size_t i = 0; i < s.size();) {
    size_t j = i;
    for (; j < s.size() && s[j].first == s[i].first; ++j) (s[j].second ? tp : fp) += 1;
    full.push_back({static_cast<double>(fp) / nn, static_cast<double>(tp) / np});
    i = j;
  }
  double length = 0;
  for (size_t i = 1; i < full.size(); ++i) {
    length += std::hypot(full[i].fpr - full[i - 1].fpr, full[i].tpr - full[i - 1].tpr);
  }
  const double step = length / std::max(max_points - 1, 1);
  curve.push_back(full.front());
  double since = 0;
  for (size_t i = 1; i + 1 < full.size(); ++i) {
    since += std::hypot(full[i].fpr - full[i - 1].fpr, full[i].tpr - full[i - 1].tpr);
    if (since >= step && static_cast<int>(curve.size()) < max_points - 1) {
      curve.push_back(full[i]);
      since = 0;
    }
  }
  curve.push_back(full.back());
  return curve;
}

F1Scores MultiLabelF1(const std::vector<std::vector<int32_t>>& truth,
                      const std::vector<std::vector<int32_t>>& predicted, int32_t num_labels) {
  N2V_CHECK(truth.size() == predicted.size());
  std::vector<int64_t> tp(num_labels, 0), fp(num_labels, 0), fn(num_labels, 0);
  for (size_t i = 0; i < truth.size(); ++i) {
    const auto& t = truth[i];
    const auto& p = predicted[i];
    for (const int32_t l : t) {
      N2V_CHECK(l >= 0 && l < num_labels);
      (std::find(p.begin(), p.end(), l) != p.end() ? tp : fn)[l] += 1;
    }
    for (const int32_t l : p) {
      N2V_CHECK(l >= 0 && l < num_labels);
      if (std::find(t.begin(), t.end(), l) == t.end()) fp[l] += 1;
    }
  }
  const auto f1 = [](int64_t tp, int64_t fp, int64_t fn) {
    const int64_t den = 2 * tp + fp + fn;
    return den == 0 ? 0.0 : 2.0 * static_cast<double>(tp) / static_cast<double>(den);
  };
  F1Scores out;
  int64_t TP = 0, FP = 0, FN = 0;
  double sum = 0;
  out.per_label.resize(num_labels);
  for (int32_t l = 0; l < num_labels; ++l) {
    TP += tp[l];
    FP += fp[l];
    FN += fn[l];
    out.per_label[l] = f1(tp[l], fp[l], fn[l]);
    sum += out.per_label[l];
  }
  out.micro = f1(TP, FP, FN);
  out.macro = num_labels > 0 ? sum / num_labels : 0.0;
  return out;
}

std::vector<int32_t> TopKLabels(absl::Span<const double> probability, int32_t k) {
  std::vector<int32_t> idx(probability.size());
  std::iota(idx.begin(), idx.end(), 0);
  k = std::clamp<int32_t>(k, 0, static_cast<int32_t>(idx.size()));
  std::partial_sort(idx.begin(), idx.begin() + k, idx.end(), [&](int32_t a, int32_t b) {
    return probability[a] != probability[b] ? probability[a] > probability[b] : a < b;
  });
  idx.resize(k);
  std::sort(idx.begin(), idx.end());
  return idx;
}

// --- link prediction ----------------------------------------------------------------------------

absl::StatusOr<LinkSplit> SplitEdgesForLinkPrediction(const Graph& g, double test_fraction,
                                                      uint64_t seed) {
  if (!(test_fraction > 0 && test_fraction < 1)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "link prediction: test fraction: expected a value in (0, 1), got ", test_fraction));
  }
  const int32_t n = g.num_nodes();
  const core::PhiloxKey key = core::StreamKey(seed, core::Stream::kEval);

  // Distinct non-loop edges: (u < v) once for undirected graphs, (u, v) for directed ones.
  std::vector<NodePair> edges;
  edges.reserve(g.directed ? g.neighbors.size() : g.neighbors.size() / 2);
  for (int32_t u = 0; u < n; ++u) {
    for (int64_t e = g.offsets[u]; e < g.offsets[u + 1]; ++e) {
      const int32_t v = g.neighbors[e];
      if (v == u || (e > g.offsets[u] && g.neighbors[e - 1] == v)) continue;
      if (!g.directed && !Adjacent(g, v, u)) {
        return absl::InvalidArgumentError(absl::StrCat(
            "link prediction: expected an undirected graph's rows to be symmetric, got edge ", u,
            " -> ", v, " without ", v, " -> ", u));
      }
      if (g.directed || u < v) edges.push_back(NodePair{u, v});
    }
  }
  LinkSplit out;
  out.candidate_edges = static_cast<int64_t>(edges.size());
  out.requested_test = std::llround(test_fraction * static_cast<double>(edges.size()));

  // Random spanning forest: shuffle, keep the edges that join two components.
  PartialShuffle(edges, edges.size(), key, kEdgeShuffle, 0);
  DisjointSets sets(n);
  std::vector<NodePair> residual_edges;
  absl::flat_hash_set<uint64_t> held;
  for (const NodePair& e : edges) {
    if (!sets.Union(e.u, e.v) &&
        static_cast<int64_t>(out.test_edges.size()) < out.requested_test) {
      out.test_edges.push_back(e);
      held.insert(PairKey(e.u, e.v));
      if (!g.directed) held.insert(PairKey(e.v, e.u));
    } else {
      residual_edges.push_back(e);
    }
  }
  if (out.test_edges.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "link prediction: no edge can be held out without leaving a node with no edge (the graph "
        "is a forest: ", edges.size(), " edges over ", n, " nodes), or the test fraction ",
        test_fraction, " rounds to 0 edges"));
  }
  out.achieved_fraction =
      static_cast<double>(out.test_edges.size()) / static_cast<double>(out.candidate_edges);

  // The residual graph: the original rows less the held-out slots (rows stay sorted).
  Graph& r = out.residual;
  r.directed = g.directed;
  r.names = g.names;
  r.offsets.assign(static_cast<size_t>(n) + 1, 0);
  r.neighbors.reserve(g.neighbors.size());
  r.weights.reserve(g.weights.size());
  for (int32_t u = 0; u < n; ++u) {
    for (int64_t e = g.offsets[u]; e < g.offsets[u + 1]; ++e) {
      if (held.contains(PairKey(u, g.neighbors[e]))) continue;
      r.neighbors.push_back(g.neighbors[e]);
      r.weights.push_back(g.weights.empty() ? 1.0f : g.weights[e]);
    }
    r.offsets[u + 1] = static_cast<int64_t>(r.neighbors.size());
  }

  // Training edges for the edge classifier: a uniform sample of the residual's edges.
  const size_t train_count = std::min(out.test_edges.size(), residual_edges.size());
  std::sort(residual_edges.begin(), residual_edges.end(),
            [](NodePair a, NodePair b) { return PairKey(a.u, a.v) < PairKey(b.u, b.v); });
  PartialShuffle(residual_edges, train_count, key, kTrainEdges, 0);
  out.train_edges.assign(residual_edges.begin(), residual_edges.begin() + train_count);

  // Non-edges: test and training sets disjoint, none adjacent in the original graph.
  const size_t need = out.test_edges.size() + train_count;
  const double total_pairs = g.directed ? static_cast<double>(n) * (n - 1)
                                        : static_cast<double>(n) * (n - 1) / 2;
  const double available = total_pairs - static_cast<double>(edges.size());
  if (available < static_cast<double>(need)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "link prediction: needs ", need, " non-adjacent node pairs (", out.test_edges.size(),
        " test + ", train_count, " training), but the graph has only ",
        static_cast<int64_t>(available), " (", n, " nodes, ", edges.size(),
        " edges: complete or nearly)"));
  }
  std::vector<NodePair> non_edges;
  if (available * 4 < total_pairs || available < 2.0 * static_cast<double>(need)) {
    // Dense graph, or most non-edges needed: rejection would mostly reject; list the non-edges
    // and sample them. Either condition bounds n² by a small multiple of the edges (need <= 2 ·
    // edges), so the listing costs O(edges · log degree).
    for (int32_t u = 0; u < n; ++u) {
      for (int32_t v = g.directed ? 0 : u + 1; v < n; ++v) {
        if (v != u && !Adjacent(g, u, v)) non_edges.push_back(NodePair{u, v});
      }
    }
    PartialShuffle(non_edges, need, key, kNonEdges, 0);
    non_edges.resize(need);
  } else {
    // Sparse graph: a draw is a new non-edge with probability >= 3/4 · 1/2 (non-edges are >= a
    // quarter of the pairs, and at most half of them get taken), so this ends after <= ~8·need
    // draws, ~1.3·need on a sparse graph.
    absl::flat_hash_set<uint64_t> taken;
    for (uint64_t i = 0; non_edges.size() < need; ++i) {
      const core::U32x4 w = core::Random4(key, kNonEdges, 1, i);
      int32_t u = static_cast<int32_t>(core::UniformBelow(w.x, static_cast<uint32_t>(n)));
      int32_t v = static_cast<int32_t>(core::UniformBelow(w.y, static_cast<uint32_t>(n)));
      if (u == v) continue;
      if (!g.directed && u > v) std::swap(u, v);
      if (Adjacent(g, u, v) || !taken.insert(PairKey(u, v)).second) continue;
      non_edges.push_back(NodePair{u, v});
    }
  }
  out.test_non_edges.assign(non_edges.begin(), non_edges.begin() + out.test_edges.size());
  out.train_non_edges.assign(non_edges.begin() + out.test_edges.size(), non_edges.end());
  for (auto* list : {&out.test_edges, &out.test_non_edges, &out.train_edges, &out.train_non_edges}) {
    std::sort(list->begin(), list->end(),
              [](NodePair a, NodePair b) { return PairKey(a.u, a.v) < PairKey(b.u, b.v); });
  }
  return out;
}

const char* EdgeOperatorName(EdgeOperator op) {
  switch (op) {
    case EdgeOperator::kHadamard: return "hadamard";
    case EdgeOperator::kAverage: return "average";
    case EdgeOperator::kWeightedL1: return "l1";
    case EdgeOperator::kWeightedL2: return "l2";
  }
  return "?";
}

void EdgeFeature(const Embeddings& emb, NodePair p, EdgeOperator op, double* out) {
  const float* a = emb.row(p.u);
  const float* b = emb.row(p.v);
  for (int32_t j = 0; j < emb.dim; ++j) {
    const double x = a[j], y = b[j];
    switch (op) {
      case EdgeOperator::kHadamard: out[j] = x * y; break;
      case EdgeOperator::kAverage: out[j] = (x + y) / 2; break;
      case EdgeOperator::kWeightedL1: out[j] = std::abs(x - y); break;
      case EdgeOperator::kWeightedL2: out[j] = (x - y) * (x - y); break;
    }
  }
}

absl::StatusOr<LinkPredictionResult> EvaluateLinkPrediction(const Embeddings& emb,
                                                            const LinkSplit& split,
                                                            const LogRegOptions& lr, int threads) {
  if (emb.rows != split.residual.num_nodes() || emb.dim < 1 ||
      emb.data.size() != static_cast<size_t>(emb.rows) * emb.dim) {
    return absl::InvalidArgumentError(absl::StrCat(
        "link prediction: expected one embedding row per node of the graph (", 
        split.residual.num_nodes(), "), got a ", emb.rows, " x ", emb.dim, " table"));
  }
  if (!(lr.C > 0) || !(lr.tol > 0)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "logistic regression: expected C > 0 and tol > 0, got C = ", lr.C, ", tol = ", lr.tol));
  }
  const std::vector<NodePair>* lists[] = {&split.train_edges, &split.train_non_edges,
                                          &split.test_edges, &split.test_non_edges};
  for (const auto* list : lists) {
    for (const NodePair& p : *list) {
      if (p.u < 0 || p.u >= emb.rows || p.v < 0 || p.v >= emb.rows) {
        return absl::InvalidArgumentError(absl::StrCat("link prediction: pair (", p.u, ", ", p.v,
                                                       ") names a node outside the ", emb.rows,
                                                       "-row table"));
      }
    }
  }
  if (split.train_edges.empty() || split.train_non_edges.empty()) {
    return absl::InvalidArgumentError("link prediction: no training edges or non-edges");
  }
  LinkPredictionResult out;
  const size_t n_train = split.train_edges.size() + split.train_non_edges.size();
  const size_t n_test = split.test_edges.size() + split.test_non_edges.size();
  out.train_pairs = static_cast<int64_t>(n_train);
  out.test_pairs = static_cast<int64_t>(n_test);

  const auto cosine = [&](NodePair p) {
    const float* a = emb.row(p.u);
    const float* b = emb.row(p.v);
    double ab = 0, aa = 0, bb = 0;
    for (int32_t j = 0; j < emb.dim; ++j) {
      ab += static_cast<double>(a[j]) * b[j];
      aa += static_cast<double>(a[j]) * a[j];
      bb += static_cast<double>(b[j]) * b[j];
    }
    return aa > 0 && bb > 0 ? ab / std::sqrt(aa * bb) : 0.0;
  };
  std::vector<double> pos, neg;
  for (const NodePair& p : split.test_edges) pos.push_back(cosine(p));
  for (const NodePair& p : split.test_non_edges) neg.push_back(cosine(p));
  N2V_ASSIGN_OR_RETURN(out.cosine_auc, RocAuc(pos, neg));
  out.cosine_roc = RocCurve(pos, neg);

  // Only the training rows are materialised (liblinear's layout, 16 bytes a value); test pairs
  // are scored on the fly. Operators run in parallel while their rows fit in ~1 GiB together.
  constexpr int kOps = static_cast<int>(std::size(kEdgeOperators));
  const double bytes_per_op = static_cast<double>(n_train) * (emb.dim + 2) * sizeof(feature_node);
  const int op_threads = std::clamp(
      static_cast<int>(std::min<double>(kOps, std::floor((1u << 30) / bytes_per_op))), 1,
      std::min(Threads(threads), kOps));
  absl::Status errors[kOps];
#pragma omp parallel for schedule(dynamic, 1) num_threads(op_threads)
  for (int k = 0; k < kOps; ++k) {
    const EdgeOperator op = kEdgeOperators[k];
    FeatureRows rows(static_cast<int64_t>(n_train), emb.dim);
    std::vector<double> f(emb.dim);
    std::vector<feature_node*> x(n_train);
    std::vector<double> y(n_train);
    for (size_t i = 0; i < n_train; ++i) {
      const bool edge = i < split.train_edges.size();
      EdgeFeature(emb, edge ? split.train_edges[i] : split.train_non_edges[i - split.train_edges.size()],
                  op, f.data());
      rows.Set(static_cast<int64_t>(i), f.data());
      x[i] = rows.row(static_cast<int64_t>(i));
      y[i] = edge ? 1.0 : 0.0;
    }
    const std::vector<double> w = FitLogReg(x, y, emb.dim, lr);
    const auto score = [&](const std::vector<NodePair>& pairs) {
      std::vector<double> p;
      p.reserve(pairs.size());
      for (const NodePair& pair : pairs) {
        EdgeFeature(emb, pair, op, f.data());
        p.push_back(Probability(w, f.data(), emb.dim));
      }
      return p;
    };
    const std::vector<double> pos_k = score(split.test_edges), neg_k = score(split.test_non_edges);
    auto auc = RocAuc(pos_k, neg_k);
    if (auc.ok()) {
      out.operator_auc[k] = *auc;
      out.operator_roc[k] = RocCurve(pos_k, neg_k);
    } else {
      errors[k] = auc.status();
    }
  }
  for (const absl::Status& st : errors) N2V_RETURN_IF_ERROR(st);
  return out;
}

// --- node classification ------------------------------------------------------------------------

absl::StatusOr<ClassificationSplit> SplitForClassification(int32_t n, double train_fraction,
                                                           uint64_t seed, int32_t repeat) {
  const double train = std::floor(train_fraction * n);
  if (!(train >= 1 && train <= n - 1)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "node classification: train fraction: expected a value leaving at least one of the ", n,
        " labelled nodes on each side, got ", train_fraction));
  }
  std::vector<int32_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  const size_t k = static_cast<size_t>(train);
  PartialShuffle(order, k, core::StreamKey(seed, core::Stream::kEval), kClassSplit,
                 static_cast<uint32_t>(repeat));
  ClassificationSplit out;
  out.train.assign(order.begin(), order.begin() + k);
  out.test.assign(order.begin() + k, order.end());
  std::sort(out.train.begin(), out.train.end());
  std::sort(out.test.begin(), out.test.end());
  return out;
}

absl::StatusOr<ClassificationResult> EvaluateNodeClassification(const Embeddings& emb,
                                                                const NodeLabels& labels,
                                                                const ClassificationOptions& o) {
  if (o.repeats < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("node classification: repeats: expected >= 1, got ", o.repeats));
  }
  if (!(o.lr.C > 0) || !(o.lr.tol > 0)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "logistic regression: expected C > 0 and tol > 0, got C = ", o.lr.C, ", tol = ", o.lr.tol));
  }
  if (emb.dim < 1 || emb.data.size() != static_cast<size_t>(emb.rows) * emb.dim) {
    return absl::InvalidArgumentError(
        absl::StrCat("node classification: malformed embedding table ", emb.rows, " x ", emb.dim));
  }
  const int32_t n = static_cast<int32_t>(labels.nodes.size());
  const int32_t num_labels = labels.num_labels();
  N2V_CHECK(labels.labels.size() == labels.nodes.size());
  for (int32_t i = 0; i < n; ++i) {
    if (labels.nodes[i] < 0 || labels.nodes[i] >= emb.rows) {
      return absl::InvalidArgumentError(absl::StrCat("node classification: labelled node ",
                                                     labels.nodes[i], " has no row in the ",
                                                     emb.rows, "-row embedding table"));
    }
    for (const int32_t l : labels.labels[i]) N2V_CHECK(l >= 0 && l < num_labels);
  }
  const int32_t dim = emb.dim;
  // Features of labelled node i, dense (for scoring) and in liblinear's layout (for training).
  std::vector<double> features(static_cast<size_t>(n) * dim);
  FeatureRows rows(n, dim);
  for (int32_t i = 0; i < n; ++i) {
    const float* e = emb.row(labels.nodes[i]);
    std::copy(e, e + dim, features.begin() + static_cast<int64_t>(i) * dim);
    rows.Set(i, features.data() + static_cast<int64_t>(i) * dim);
  }
  // Indicator: has[i * num_labels + l] when labelled node i carries label l.
  std::vector<uint8_t> has(static_cast<size_t>(n) * num_labels, 0);
  for (int32_t i = 0; i < n; ++i) {
    for (const int32_t l : labels.labels[i]) has[static_cast<size_t>(i) * num_labels + l] = 1;
  }

  ClassificationResult out;
  const int t = Threads(o.threads);
  // Jobs are (repeat, label) fits, run in parallel over groups of repeats: enough jobs per group
  // (>= 4 per thread) to balance fits of unequal cost, few enough repeats in flight to bound the
  // probability tables (group × test nodes × labels doubles).
  const int32_t group = std::clamp<int32_t>((4 * t + num_labels - 1) / std::max(num_labels, 1),
                                            1, o.repeats);
  for (int32_t first = 0; first < o.repeats; first += group) {
    const int32_t reps = std::min(group, o.repeats - first);
    std::vector<ClassificationSplit> splits;
    for (int32_t rep = first; rep < first + reps; ++rep) {
      N2V_ASSIGN_OR_RETURN(ClassificationSplit split,
                           SplitForClassification(n, o.train_fraction, o.seed, rep));
      splits.push_back(std::move(split));
    }
    out.train_nodes = static_cast<int32_t>(splits[0].train.size());
    out.test_nodes = static_cast<int32_t>(splits[0].test.size());
    const size_t n_train = splits[0].train.size(), n_test = splits[0].test.size();
    // prob[g][i * num_labels + l]: P(test node i of repeat first + g has label l).
    std::vector<std::vector<double>> prob(reps, std::vector<double>(n_test * num_labels));
    const int64_t jobs = static_cast<int64_t>(reps) * num_labels;
#pragma omp parallel num_threads(t)
    {
      std::vector<feature_node*> x(n_train);
      std::vector<double> y(n_train);
#pragma omp for schedule(dynamic, 1)
      for (int64_t job = 0; job < jobs; ++job) {
        const int32_t g = static_cast<int32_t>(job / num_labels);
        const int32_t l = static_cast<int32_t>(job % num_labels);
        const ClassificationSplit& split = splits[g];
        double* p = prob[g].data();
        size_t positives = 0;
        for (size_t i = 0; i < n_train; ++i) {
          x[i] = rows.row(split.train[i]);
          y[i] = has[static_cast<size_t>(split.train[i]) * num_labels + l];
          positives += y[i] != 0;
        }
        if (positives == 0 || positives == n_train) {
          // scikit-learn's OneVsRestClassifier fits a constant predictor to a one-class column.
          const double c = positives == 0 ? 0.0 : 1.0;
          for (size_t i = 0; i < n_test; ++i) p[i * num_labels + l] = c;
          continue;
        }
        const std::vector<double> w = FitLogReg(x, y, dim, o.lr);
        for (size_t i = 0; i < n_test; ++i) {
          p[i * num_labels + l] =
              Probability(w, features.data() + static_cast<size_t>(split.test[i]) * dim, dim);
        }
      }
    }
    for (int32_t g = 0; g < reps; ++g) {
      const ClassificationSplit& split = splits[g];
      std::vector<std::vector<int32_t>> truth(n_test), predicted(n_test);
      std::vector<uint8_t> seen(num_labels, 0);
      for (size_t i = 0; i < n_test; ++i) {
        truth[i] = labels.labels[split.test[i]];
        predicted[i] = TopKLabels(
            absl::MakeConstSpan(prob[g].data() + i * num_labels, static_cast<size_t>(num_labels)),
            static_cast<int32_t>(truth[i].size()));
        for (const int32_t l : truth[i]) seen[l] = 1;
        for (const int32_t l : predicted[i]) seen[l] = 1;
      }
      const F1Scores f1 = MultiLabelF1(truth, predicted, num_labels);
      out.micro_f1.push_back(f1.micro);
      out.macro_f1.push_back(f1.macro);
      if (out.label_f1.empty()) out.label_f1.assign(num_labels, 0.0);
      for (int32_t l = 0; l < num_labels; ++l) out.label_f1[l] += f1.per_label[l] / o.repeats;
      out.absent_labels += static_cast<double>(std::count(seen.begin(), seen.end(), 0));
    }
  }
  out.absent_labels /= o.repeats;
  const auto mean_std = [](const std::vector<double>& v, double* mean, double* sd) {
    *mean = std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
    double ss = 0;
    for (const double x : v) ss += (x - *mean) * (x - *mean);
    *sd = v.size() > 1 ? std::sqrt(ss / static_cast<double>(v.size() - 1)) : 0.0;
  };
  mean_std(out.micro_f1, &out.micro_mean, &out.micro_std);
  mean_std(out.macro_f1, &out.macro_mean, &out.macro_std);
  return out;
}

}  // namespace n2v
