// n2v::Evaluate (n2v.hpp): the split (or the labels) made once, then one Train per (p, q) point
// of the grid, or an embeddings file aligned to the graph, scored by engine/eval.cpp's metrics.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <iterator>
#include <optional>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "n2v/embeddings_io.hpp"
#include "n2v/labels_io.hpp"
#include "n2v/n2v.hpp"
#include "n2v/status.hpp"

namespace n2v {
namespace {

void Emit(const EvalOptions& o, ProgressEvent::Kind kind, std::string text) {
  if (o.train.on_progress) o.train.on_progress(ProgressEvent{.kind = kind, .text = std::move(text)});
}

// Rows of `t` placed at the graph's node ids; nodes missing from the table get a zero row.
absl::StatusOr<Embeddings> AlignTable(const LoadedEmbeddings& t, const Graph& g,
                                      const std::string& path, const EvalOptions& o) {
  absl::flat_hash_map<std::string, int32_t> row_of;
  for (size_t r = 0; r < t.keys.size(); ++r) row_of[t.keys[r]] = static_cast<int32_t>(r);
  Embeddings e;
  e.rows = g.num_nodes();
  e.dim = t.emb.dim;
  e.data.assign(static_cast<size_t>(e.rows) * e.dim, 0.0f);
  int64_t missing = 0;
  std::string first_missing;
  for (int32_t v = 0; v < g.num_nodes(); ++v) {
    auto it = row_of.find(g.names[v]);
    if (it == row_of.end()) {
      if (missing++ == 0) first_missing = g.names[v];
      continue;
    }
    std::copy_n(t.emb.row(it->second), e.dim, e.data.data() + static_cast<size_t>(v) * e.dim);
  }
  if (missing == g.num_nodes()) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": no key matches a node of the graph (first node: '", g.names[0], "')"));
  }
  if (missing > 0) {
    Emit(o, ProgressEvent::Kind::kNote,
         absl::StrFormat("warning: %s: %d node(s) of the graph have no vector (e.g. '%s'); they "
                         "score as zero vectors",
                         path, missing, first_missing));
  }
  return e;
}

}  // namespace

absl::StatusOr<EvalResult> Evaluate(const Graph& graph, const std::string& input,
                                    const EvalOptions& o) {
  N2V_RETURN_IF_ERROR(ValidateEvalOptions(o));
  if (graph.num_nodes() == 0) {
    return absl::InvalidArgumentError(absl::StrCat(input, ": the graph has no nodes"));
  }
  const bool link = o.task == EvalTask::kLink;
  const int threads = EffectiveThreads(o.train.threads);
  const uint64_t seed = o.train.seed;
  EvalResult res;
  std::string note;
  // Under ranks, Train picks every rank's device together (one GPU per rank, or CPU ranks).
  const bool ranks_train = IsDistributed(o.train.ranks.get()) && o.embeddings.empty();
  if (!ranks_train) {
    N2V_ASSIGN_OR_RETURN(res.device,
                         ResolveDevice(o.embeddings.empty() ? o.train.device : Device::Cpu(),
                                       threads, &note));
  }
  if (!note.empty()) Emit(o, ProgressEvent::Kind::kNote, note);

  // The graph embeddings are trained on: the residual for link prediction, the whole graph else.
  std::optional<LinkSplit> split;
  std::optional<NodeLabels> labels;
  const Graph* train_graph = &graph;
  if (link) {
    N2V_ASSIGN_OR_RETURN(split, SplitEdgesForLinkPrediction(graph, o.test_fraction, seed));
    train_graph = &split->residual;
    res.test_edges = static_cast<int64_t>(split->test_edges.size());
    res.test_non_edges = static_cast<int64_t>(split->test_non_edges.size());
    res.train_edges = static_cast<int64_t>(split->train_edges.size());
    res.train_non_edges = static_cast<int64_t>(split->train_non_edges.size());
    res.candidate_edges = split->candidate_edges;
    res.achieved_fraction = split->achieved_fraction;
    Emit(o, ProgressEvent::Kind::kStage,
         absl::StrFormat("Link prediction: %d edges held out (%.1f%% of %d that may be), %d "
                         "non-edges; classifiers train on %d + %d pairs",
                         res.test_edges, 100 * res.achieved_fraction, res.candidate_edges,
                         res.test_non_edges, res.train_edges, res.train_non_edges));
    if (!o.residual_out.empty()) {
      bool weighted = false;
      for (float w : split->residual.weights) weighted |= w != 1.0f;
      N2V_RETURN_IF_ERROR(WriteEdgeList(o.residual_out, split->residual, weighted));
    }
  } else {
    N2V_ASSIGN_OR_RETURN(labels, ReadNodeLabels(o.labels, graph.names,
                                                LabelReadOptions{o.skip_unknown_labels}));
    res.labelled_nodes = static_cast<int64_t>(labels->nodes.size());
    res.unlabelled_nodes = labels->unlabelled_nodes;
    res.labels = labels->num_labels();
    res.skipped_label_lines = labels->skipped_lines;
    res.skipped_label_nodes = labels->skipped_nodes;
    res.first_skipped_node = labels->first_skipped_node;
    res.first_skipped_line = labels->first_skipped_line;
    std::string line = absl::StrFormat(
        "Node classification: %d labelled nodes, %d labels, %d unlabelled", res.labelled_nodes,
        res.labels, res.unlabelled_nodes);
    if (res.skipped_label_lines > 0) {
      absl::StrAppend(&line, absl::StrFormat(
                                 ", %d line(s) for %d unknown node(s) skipped (first: '%s' at "
                                 "line %d)",
                                 res.skipped_label_lines, res.skipped_label_nodes,
                                 res.first_skipped_node, res.first_skipped_line));
    }
    Emit(o, ProgressEvent::Kind::kStage, line);
    if (o.keep_best) {
      res.label_names = labels->label_names;
      res.first_label.assign(graph.num_nodes(), -1);
      for (size_t i = 0; i < labels->nodes.size(); ++i) {
        if (!labels->labels[i].empty()) res.first_label[labels->nodes[i]] = labels->labels[i][0];
      }
    }
  }
  // The point a report shows: link, the mean AUC of the five scorers; node, micro-F1.
  double best_score = -INFINITY;
  const auto keep = [&](const EvalPoint& pt, Embeddings* emb) {
    if (!o.keep_best) return;
    double v = pt.node.micro_mean;
    if (link) {
      v = pt.link.cosine_auc;
      for (EdgeOperator op : kEdgeOperators) v += pt.link.auc(op);
      v /= 1 + std::size(kEdgeOperators);
    }
    if (v > best_score) {
      best_score = v;
      res.best_point = static_cast<int32_t>(res.points.size());
      res.best_embeddings = std::move(*emb);
    }
  };

  auto score = [&](const Embeddings& emb, EvalPoint& pt) -> absl::Status {
    if (link) {
      N2V_ASSIGN_OR_RETURN(pt.link, EvaluateLinkPrediction(emb, *split, LogRegOptions{o.c}, threads));
    } else {
      ClassificationOptions co;
      co.train_fraction = o.train_fraction;
      co.repeats = o.repeats;
      co.seed = seed;
      co.lr.C = o.c;
      co.threads = threads;
      N2V_ASSIGN_OR_RETURN(pt.node, EvaluateNodeClassification(emb, *labels, co));
    }
    return absl::OkStatus();
  };

  if (!o.embeddings.empty()) {
    N2V_ASSIGN_OR_RETURN(const LoadedEmbeddings table, ReadEmbeddings(o.embeddings));
    N2V_ASSIGN_OR_RETURN(Embeddings emb, AlignTable(table, *train_graph, o.embeddings, o));
    EvalPoint pt;
    N2V_RETURN_IF_ERROR(score(emb, pt));
    keep(pt, &emb);
    res.points.push_back(pt);
    return res;
  }
  // Every point trains on the device resolved above (one note, not one per point).
  TrainOptions t = o.train;
  if (!ranks_train) t.device = res.device.cuda ? Device::Cuda(res.device.index) : Device::Cpu();
  for (double p : o.p) {
    for (double q : o.q) {
      t.walk.p = p;
      t.walk.q = q;
      const auto start = std::chrono::steady_clock::now();
      N2V_ASSIGN_OR_RETURN(TrainResult trained, Train(*train_graph, t));
      if (ranks_train) res.device = trained.device;
      EvalPoint pt;
      pt.p = p;
      pt.q = q;
      pt.train_s =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      if (!trained.losses.empty()) pt.final_loss = trained.losses.back();
      N2V_RETURN_IF_ERROR(score(trained.embeddings, pt));
      keep(pt, &trained.embeddings);
      res.points.push_back(pt);
      if (o.p.size() * o.q.size() > 1) {
        Emit(o, ProgressEvent::Kind::kStage,
             absl::StrFormat("  p=%g q=%g done in %.1f s", p, q, pt.train_s));
      }
    }
  }
  return res;
}

}  // namespace n2v
