// Embedding quality, the two standard node2vec evaluations behind `n2v eval`: link prediction
// (hold out edges, score held-out edges against non-edges) and multi-label node classification
// (one-vs-rest logistic regression, top-k decoding: the DeepWalk / node2vec protocol). The
// classifier is liblinear's L2-regularised logistic regression, the solver behind scikit-learn's
// LogisticRegression(solver='liblinear'); bench/eval_crosscheck/ holds the figures equal to
// scikit-learn's. Twin: none (host code). Random choices are Philox draws (core/rng.hpp,
// Stream::kEval): every result is a pure function of its inputs and the seed, for any thread count.
#pragma once

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "n2v/graph.hpp"
#include "n2v/labels_io.hpp"
#include "n2v/train.hpp"

namespace n2v {

// --- metrics ------------------------------------------------------------------------------------

/// Exact ROC-AUC of positive against negative scores: the Mann–Whitney U statistic over
/// n_pos·n_neg, a tie between a positive and a negative counting one half (what
/// sklearn.metrics.roc_auc_score returns). O(n log n). InvalidArgumentError when either side is
/// empty or a score is NaN.
absl::StatusOr<double> RocAuc(absl::Span<const double> positive, absl::Span<const double> negative);

/// One point of a ROC curve: the false- and true-positive rates at one score threshold.
struct RocPoint {
  double fpr = 0;
  double tpr = 0;
};

/// The ROC curve of positive against negative scores, from (0, 0) to (1, 1), one point per
/// distinct score (ties move diagonally), thinned to at most `max_points` points (>= 2) by
/// keeping every point whose distance along the curve from the last kept one is at least 1 / max
/// of the curve's length, and the ends. Empty when either side is empty or a score is NaN.
std::vector<RocPoint> RocCurve(absl::Span<const double> positive,
                               absl::Span<const double> negative, int max_points = 200);

// --- link prediction ----------------------------------------------------------------------------

struct NodePair {
  int32_t u = 0;
  int32_t v = 0;
  friend bool operator==(const NodePair&, const NodePair&) = default;
};

/// A link-prediction split. Undirected pairs are stored with u < v; directed pairs as (from, to).
struct LinkSplit {
  Graph residual;                       // the graph less test_edges: same nodes, names, weights
  std::vector<NodePair> test_edges;     // held out
  std::vector<NodePair> test_non_edges; // as many, not adjacent in the original graph
  std::vector<NodePair> train_edges;    // edges of the residual graph, for the edge classifier
  std::vector<NodePair> train_non_edges;  // as many, not adjacent in the original graph
  int64_t candidate_edges = 0;   // edges that may be held out: every edge but self-loops
  int64_t requested_test = 0;    // round(test_fraction · candidate_edges)
  double achieved_fraction = 0;  // test_edges.size() / candidate_edges
};

/// Holds out test_fraction ∈ (0, 1) of the edges (an undirected edge is one edge; parallel slots
/// of the same pair are one edge, removed together) so that every node keeps its degree > 0
/// (in + out degree for a directed graph; a node with no edge stays without one):
/// edges are shuffled with the seed, and the ones that join two components of a union–find
/// (a random spanning forest of the undirected skeleton) are kept; the first requested_test of
/// the others in the shuffled order are held out. Fewer such edges than requested: all of them
/// are held out and achieved_fraction says so. Self-loops are never held out. Non-edges are
/// distinct pairs of distinct nodes drawn uniformly, not adjacent in the original graph (directed:
/// no edge u → v), test and training non-edges disjoint. Training edges: min(#test, #residual
/// non-loop edges) residual edges drawn without replacement. Errors (InvalidArgumentError): a
/// fraction outside (0, 1), an undirected graph whose rows are not symmetric, no edge that can be
/// held out (a forest), and fewer non-adjacent pairs than needed (a complete graph). Deterministic
/// for a seed.
absl::StatusOr<LinkSplit> SplitEdgesForLinkPrediction(const Graph& g, double test_fraction,
                                                      uint64_t seed);

/// Binary operators turning two node embeddings into one edge feature (Grover & Leskovec 2016,
/// table 1).
enum class EdgeOperator { kHadamard, kAverage, kWeightedL1, kWeightedL2 };
inline constexpr EdgeOperator kEdgeOperators[] = {EdgeOperator::kHadamard, EdgeOperator::kAverage,
                                                  EdgeOperator::kWeightedL1,
                                                  EdgeOperator::kWeightedL2};
const char* EdgeOperatorName(EdgeOperator op);  // "hadamard", "average", "l1", "l2"

/// Feature of the pair (u, v), in double: u⊙v, (u+v)/2, |u−v| or (u−v)² element-wise.
void EdgeFeature(const Embeddings& emb, NodePair p, EdgeOperator op, double* out);

struct LogRegOptions {
  double C = 1.0;     // inverse regularisation strength (scikit-learn's C)
  double tol = 1e-4;  // liblinear's eps; 1e-4 is scikit-learn's default tol
};

struct LinkPredictionResult {
  double cosine_auc = 0;  // cosine similarity of the two embeddings as the score, no training
  double operator_auc[4] = {0, 0, 0, 0};  // by EdgeOperator: logistic regression on the feature
  std::vector<RocPoint> cosine_roc;          // the ROC curves behind those AUCs (RocCurve)
  std::vector<RocPoint> operator_roc[4];
  double auc(EdgeOperator op) const { return operator_auc[static_cast<int>(op)]; }
  int64_t train_pairs = 0;  // edges + non-edges the classifiers saw
  int64_t test_pairs = 0;   // edges + non-edges scored
};

/// AUC of test_edges against test_non_edges scored by cosine similarity (a zero vector has cosine
/// 0 with everything) and by each operator's logistic regression (an intercept, as
/// scikit-learn's fit_intercept with intercept_scaling 1) trained on train_edges (label 1) and
/// train_non_edges (label 0) and scored by its probability of 1. emb has one row per residual
/// node. threads <= 0: OpenMP's default. Memory: the training pairs' features in liblinear's
/// layout, 2·|train_edges|·(dim + 2)·16 bytes per operator; operators run in parallel while that
/// stays under ~1 GiB in all.
absl::StatusOr<LinkPredictionResult> EvaluateLinkPrediction(const Embeddings& emb,
                                                            const LinkSplit& split,
                                                            const LogRegOptions& lr = {},
                                                            int threads = 0);

// --- node classification ------------------------------------------------------------------------

struct ClassificationOptions {
  double train_fraction = 0.5;  // of the labelled nodes; train count = floor(fraction · n)
  int32_t repeats = 10;         // independent seeded shuffles
  uint64_t seed = 42;
  LogRegOptions lr;
  int threads = 0;  // <= 0: OpenMP's default; (repeat, label) fits run in parallel
};

/// Repeat r's split of the n labelled nodes: indices into NodeLabels::nodes, each list ascending.
struct ClassificationSplit {
  std::vector<int32_t> train;
  std::vector<int32_t> test;
};
absl::StatusOr<ClassificationSplit> SplitForClassification(int32_t n, double train_fraction,
                                                           uint64_t seed, int32_t repeat);

struct F1Scores {
  double micro = 0;
  double macro = 0;
  std::vector<double> per_label;  // [num_labels] each label's F1 (0 when it has no true and no
                                  // predicted sample)
};

/// Micro- and macro-F1 of predicted against true label sets (label ids in [0, num_labels)),
/// as sklearn.metrics.f1_score on multilabel indicator matrices with num_labels columns: micro =
/// 2·TP / (2·TP + FP + FN) over all labels; macro = mean over all num_labels labels of the same
/// per label, a label with no true and no predicted sample scoring 0 (scikit-learn's default
/// zero_division).
F1Scores MultiLabelF1(const std::vector<std::vector<int32_t>>& truth,
                      const std::vector<std::vector<int32_t>>& predicted, int32_t num_labels);

/// The k labels of highest probability (ties: the lower label id first), ascending.
std::vector<int32_t> TopKLabels(absl::Span<const double> probability, int32_t k);

struct ClassificationResult {
  std::vector<double> micro_f1;  // per repeat
  std::vector<double> macro_f1;
  double micro_mean = 0, micro_std = 0;  // std: sample standard deviation (0 for one repeat)
  double macro_mean = 0, macro_std = 0;
  std::vector<double> label_f1;  // [num_labels] mean over repeats of each label's F1
  int32_t train_nodes = 0;
  int32_t test_nodes = 0;
  double absent_labels = 0;  // mean over repeats of labels with no true and no predicted test node
};

/// One-vs-rest logistic regression per label, trained on each repeat's train split, the test
/// nodes decoded top-k (k = the node's true label count, labels ranked by probability: the
/// DeepWalk / node2vec protocol, scikit-learn's OneVsRestClassifier + predict_proba). A label
/// with no positive (or no negative) training node gets a constant probability 0 (1), as
/// OneVsRestClassifier's constant predictor. emb row = node id (NodeLabels::nodes indexes it).
/// Errors: a node id outside emb, a train fraction leaving either side empty, repeats < 1.
absl::StatusOr<ClassificationResult> EvaluateNodeClassification(const Embeddings& emb,
                                                                const NodeLabels& labels,
                                                                const ClassificationOptions& o);

}  // namespace n2v
