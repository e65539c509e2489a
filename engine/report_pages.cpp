// The pages of `n2v train`, `n2v eval` and `n2v walk` (report.hpp): a run's results turned into a
// ReportData and rendered. The map and the neighbour table are computed here, after the run;
// nothing is written (the caller writes the page atomically with its other outputs).
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <numeric>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "n2v/labels_io.hpp"
#include "n2v/report.hpp"
#include "n2v/status.hpp"
#include "n2v/stopwatch.hpp"

namespace n2v {
namespace {

namespace fs = std::filesystem;

std::vector<int64_t> OutDegrees(const CsrView& g) {
  std::vector<int64_t> d(g.num_nodes);
  for (int32_t v = 0; v < g.num_nodes; ++v) d[v] = g.offsets[v + 1] - g.offsets[v];
  return d;
}

void AddWalkConfig(const WalkConfig& w, std::vector<std::pair<std::string, std::string>>* c) {
  c->emplace_back("p", absl::StrCat(w.p));
  c->emplace_back("q", absl::StrCat(w.q));
  c->emplace_back("walk-length", absl::StrCat(w.length));
  c->emplace_back("num-walks", absl::StrCat(w.num_walks));
}

void AddTrainConfig(const TrainOptions& o, bool walk,
                    std::vector<std::pair<std::string, std::string>>* c) {
  if (walk) AddWalkConfig(o.walk, c);
  const ModelConfig& m = o.model;
  c->emplace_back("optimizer", std::string(OptimizerName(m.optimizer)));
  c->emplace_back("dimensions", absl::StrCat(m.dim));
  c->emplace_back("window-size", absl::StrCat(m.window));
  c->emplace_back("epochs", absl::StrCat(m.epochs));
  c->emplace_back("negative", absl::StrCat(m.negatives));
  c->emplace_back("lr", absl::StrCat(m.EffectiveLr()));
  if (m.optimizer == Optimizer::kAdam) {
    c->emplace_back("batch", absl::StrCat(m.batch));
    c->emplace_back("l2", absl::StrCat(m.l2));
  } else {
    c->emplace_back("embedding", std::string(EmbeddingTableName(m.embedding)));
    c->emplace_back("sample", absl::StrCat(m.sample));
    if (m.shared_negatives) c->emplace_back("shared negatives", "on");
  }
  c->emplace_back("threads", absl::StrCat(EffectiveThreads(o.threads)));
  c->emplace_back("seed", absl::StrCat(o.seed));
  c->emplace_back("device", o.device.Name());
}

/// The page parts every command shares: graph statistics, degrees, the caller's settings.
ReportData Base(const Graph& g, const ReportRun& run, const std::string& device) {
  Stopwatch clock;
  ReportData d;
  d.title = absl::StrCat("n2v ", run.command);
  d.subtitle = absl::StrCat("Input: ", run.input.empty() ? std::string("(in memory)") : run.input);
  d.device = device;
  d.graph = ComputeGraphStats(g);
  d.degrees = OutDegrees(g.view());
  d.config.emplace_back("input", run.input);
  d.config.emplace_back("directed", g.directed ? "yes" : "no");
  d.stage_ms = run.stage_ms;
  d.stage_ms.emplace_back("report: graph statistics", clock.ms());
  return d;
}

}  // namespace

absl::Status AddEmbeddingMap(const Graph& g, const Embeddings& emb,
                             const std::vector<std::string>& names, const ReportOptions& ro,
                             uint64_t seed, const DeviceUsed& device, int threads, ReportData* d) {
  N2V_RETURN_IF_ERROR(ValidateReportOptions(ro));
  Stopwatch clock;
  // Nodes without any edge (in or out) are in no walk: their rows were never trained.
  const CsrView v = g.view();
  std::vector<uint8_t> touched(v.num_nodes, 0);
  for (int32_t u = 0; u < v.num_nodes; ++u) {
    if (v.offsets[u + 1] > v.offsets[u]) touched[u] = 1;
    for (int64_t e = v.offsets[u]; e < v.offsets[u + 1]; ++e) touched[v.neighbors[e]] = 1;
  }
  std::vector<int32_t> candidates;
  for (int32_t u = 0; u < v.num_nodes && u < emb.rows; ++u) {
    if (touched[u]) candidates.push_back(u);
  }
  if (candidates.empty()) {
    return absl::InvalidArgumentError("embedding map: the graph has no node with an edge");
  }
  N2V_ASSIGN_OR_RETURN(d->map, ProjectEmbeddings(emb, ro.max_points, seed, threads, candidates));
  if (d->map.left_out > 0) d->map.left_out_why = "nodes without any edge (never trained)";
  ColourByDegree(&d->map, g.view(), names);
  d->stage_ms.emplace_back("report: map (PCA)", clock.Lap());
  if (ro.hubs <= 0) return absl::OkStatus();
  std::vector<int32_t> hubs(g.num_nodes());
  std::iota(hubs.begin(), hubs.end(), 0);
  const std::vector<int64_t> deg = OutDegrees(g.view());
  const size_t count = std::min<size_t>(ro.hubs, hubs.size());
  std::partial_sort(hubs.begin(), hubs.begin() + count, hubs.end(), [&](int32_t a, int32_t b) {
    return deg[a] != deg[b] ? deg[a] > deg[b] : a < b;
  });
  hubs.resize(count);
  const int k = std::min<int>(ro.neighbors + 1, emb.rows);
  N2V_ASSIGN_OR_RETURN(
      const std::vector<std::vector<Neighbor>> nb,
      MostSimilar(emb, hubs, k, device.cuda ? Device::Cuda(device.index) : Device::Cpu(), threads));
  for (size_t i = 0; i < hubs.size(); ++i) {
    ReportData::Query q;
    q.query = absl::StrCat(names[hubs[i]], " (degree ", deg[hubs[i]], ")");
    for (const Neighbor& n : nb[i]) {
      if (n.node == hubs[i] || static_cast<int>(q.neighbors.size()) >= ro.neighbors) continue;
      q.neighbors.emplace_back(names[n.node], n.score);
    }
    d->hub_neighbors.push_back(std::move(q));
  }
  d->stage_ms.emplace_back("report: neighbours", clock.Lap());
  return absl::OkStatus();
}

absl::Status CheckReportPath(const std::string& path, const std::string& flag) {
  if (path.empty()) return absl::InvalidArgumentError(absl::StrCat(flag, ": expected a file name"));
  const fs::path parent = fs::path(path).parent_path();
  const std::string dir = parent.empty() ? std::string(".") : parent.string();
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, " ", path, ": expected a file for the HTML report, got a directory"));
  }
  if (!fs::is_directory(dir, ec)) {
    return absl::InvalidArgumentError(absl::StrCat(
        flag, " ", path, ": expected a file in an existing directory; ", dir, " does not exist"));
  }
  if (::access(dir.c_str(), W_OK | X_OK) != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        flag, " ", path, ": expected a file in a writable directory; ", dir, " is not writable"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> RenderTrainReport(const Graph& g, const TrainOptions& o,
                                              const TrainResult& r, const ReportOptions& ro,
                                              const ReportRun& run) {
  N2V_RETURN_IF_ERROR(ValidateReportOptions(ro));
  ReportData d = Base(g, run, r.device.description);
  AddTrainConfig(o, /*walk=*/true, &d.config);
  for (const auto& kv : run.extra_config) d.config.push_back(kv);
  d.losses = r.losses;
  d.trace = r.trace;
  d.stage_ms.emplace_back("alias tables", r.alias_ms);
  if (r.walks_ms > 0) d.stage_ms.emplace_back("walks + examples", r.walks_ms);
  d.stage_ms.emplace_back("training", r.training_ms);
  if (r.first_epoch > 0) {
    d.notes.push_back(absl::StrCat("Resumed from a checkpoint after ", r.first_epoch,
                                   " epoch(s): the trace covers this run's epochs only."));
  }
  if (r.device.cuda && o.model.optimizer == Optimizer::kSgd) {
    d.trace_note = "On the GPU the loss is read back once per epoch; the learning rate is drawn "
                   "at every progress report.";
  } else if (o.model.optimizer == Optimizer::kSgd) {
    d.trace_note = "The loss is a running estimate from one thread's pairs between progress "
                   "reports (about 1/256 of an epoch apart); the learning rate decays linearly, "
                   "as word2vec's.";
  } else {
    d.trace_note = "Adam: one point per epoch, at a constant learning rate.";
  }
  const int threads = EffectiveThreads(o.threads);
  N2V_RETURN_IF_ERROR(AddEmbeddingMap(g, r.embeddings, g.names, ro, o.seed, r.device, threads, &d));
  if (!ro.labels.empty()) {
    N2V_ASSIGN_OR_RETURN(const NodeLabels labels,
                         ReadNodeLabels(ro.labels, g.names, LabelReadOptions{true}));
    std::vector<int32_t> first(g.num_nodes(), -1);
    for (size_t i = 0; i < labels.nodes.size(); ++i) {
      if (!labels.labels[i].empty()) first[labels.nodes[i]] = labels.labels[i][0];
    }
    ColourByCategory(&d.map, first, labels.label_names, "label");
    d.map_note = absl::StrCat("Colours: of each node's labels in ", ro.labels,
                              ", the one the file names first.");
  }
  return RenderReportHtml(d);
}

absl::StatusOr<std::string> RenderEvalReport(const Graph& g, const EvalOptions& o,
                                             const EvalResult& r, const ReportOptions& ro,
                                             const ReportRun& run) {
  N2V_RETURN_IF_ERROR(ValidateReportOptions(ro));
  const bool link = o.task == EvalTask::kLink;
  ReportData d = Base(g, run, r.device.description);
  d.config.emplace_back("task", std::string(EvalTaskName(o.task)));
  if (!o.embeddings.empty()) d.config.emplace_back("embeddings", o.embeddings);
  auto join = [](const std::vector<double>& v) {
    std::string s;
    for (double x : v) absl::StrAppend(&s, s.empty() ? "" : ", ", x);
    return s;
  };
  d.config.emplace_back("p grid", join(o.p));
  d.config.emplace_back("q grid", join(o.q));
  d.config.emplace_back("walk-length", absl::StrCat(o.train.walk.length));
  d.config.emplace_back("num-walks", absl::StrCat(o.train.walk.num_walks));
  if (o.embeddings.empty()) AddTrainConfig(o.train, /*walk=*/false, &d.config);
  if (link) {
    d.config.emplace_back("test-fraction", absl::StrCat(o.test_fraction));
  } else {
    d.config.emplace_back("labels", o.labels);
    d.config.emplace_back("train-fraction", absl::StrCat(o.train_fraction));
    d.config.emplace_back("repeats", absl::StrCat(o.repeats));
  }
  d.config.emplace_back("C", absl::StrCat(o.c));
  for (const auto& kv : run.extra_config) d.config.push_back(kv);
  double train_s = 0;
  for (const EvalPoint& pt : r.points) train_s += pt.train_s;
  if (o.embeddings.empty()) d.stage_ms.emplace_back("training + scoring", 1000 * train_s);
  if (link) {
    d.notes.push_back(absl::StrFormat(
        "Link prediction: %d held-out edges (%.1f%% of %d that may be held out) against %d "
        "non-edges; the classifiers trained on %d edges and %d non-edges of the residual graph.",
        r.test_edges, 100 * r.achieved_fraction, r.candidate_edges, r.test_non_edges,
        r.train_edges, r.train_non_edges));
  } else {
    d.notes.push_back(absl::StrFormat(
        "Node classification: %d labelled nodes, %d labels, %d repeats of a %.0f%% training split, "
        "top-k decoding.", r.labelled_nodes, r.labels, o.repeats, 100 * o.train_fraction));
  }

  // One heat map per metric when there is a grid (a file or a single point: one cell each).
  const bool grid = o.embeddings.empty();
  const std::vector<double> ps = grid ? o.p : std::vector<double>{NAN};
  const std::vector<double> qs = grid ? o.q : std::vector<double>{NAN};
  auto heat = [&](const std::string& metric, auto value) {
    ReportData::Heatmap m;
    m.metric = metric;
    m.p = ps;
    m.q = qs;
    for (const EvalPoint& pt : r.points) m.value.push_back(value(pt));
    m.value.resize(ps.size() * qs.size(), NAN);
    d.heatmaps.push_back(std::move(m));
  };
  if (link) {
    heat("cosine AUC", [](const EvalPoint& pt) { return pt.link.cosine_auc; });
    for (EdgeOperator op : kEdgeOperators) {
      heat(absl::StrCat(EdgeOperatorName(op), " AUC"),
           [op](const EvalPoint& pt) { return pt.link.auc(op); });
    }
  } else {
    heat("micro-F1", [](const EvalPoint& pt) { return pt.node.micro_mean; });
    heat("macro-F1", [](const EvalPoint& pt) { return pt.node.macro_mean; });
  }
  if (r.best_point >= 0 && r.best_point < static_cast<int32_t>(r.points.size())) {
    const EvalPoint& best = r.points[r.best_point];
    const std::string where = std::isnan(best.p) ? std::string("the embeddings file")
                                                 : absl::StrFormat("p = %g, q = %g", best.p, best.q);
    d.eval_note = absl::StrCat("Rows p, columns q; darker is better within each metric. The best "
                               "point (", link ? "mean AUC of the five scorers" : "micro-F1",
                               ") is ", where, "; the curves, the map and the neighbours below are "
                               "its embeddings'.");
    if (link) {
      d.roc_title = absl::StrCat("ROC curves at ", where);
      d.roc.push_back({"cosine", best.link.cosine_auc, best.link.cosine_roc});
      for (EdgeOperator op : kEdgeOperators) {
        d.roc.push_back({absl::StrCat(EdgeOperatorName(op), " + LR"), best.link.auc(op),
                         best.link.operator_roc[static_cast<int>(op)]});
      }
    } else {
      for (size_t l = 0; l < best.node.label_f1.size() && l < r.label_names.size(); ++l) {
        d.label_f1.emplace_back(r.label_names[l], best.node.label_f1[l]);
      }
    }
    if (r.best_embeddings.rows > 0) {
      // Link prediction trains on the residual graph; its map and neighbours use the full graph's
      // degrees and names (the same nodes, in the same order).
      N2V_RETURN_IF_ERROR(AddEmbeddingMap(g, r.best_embeddings, g.names, ro, o.train.seed, r.device,
                                          EffectiveThreads(o.train.threads), &d));
      if (!link && !r.label_names.empty()) {
        ColourByCategory(&d.map, r.first_label, r.label_names, "label");
        d.map_note = absl::StrCat("Colours: of each node's labels in ", o.labels,
                                  ", the one the file names first.");
      }
    }
  } else {
    d.map_note = "No embeddings were kept for this evaluation.";
  }
  return RenderReportHtml(d);
}

absl::StatusOr<std::string> RenderWalkReport(const Graph& g, const WalkRunOptions& o,
                                             const WalkRunStats& s, const ReportRun& run) {
  if (s.visits.size() != static_cast<size_t>(g.num_nodes())) {
    return absl::InvalidArgumentError(
        "walk report: the walks' statistics are missing (SampleWalks with collect_stats)");
  }
  ReportData d = Base(g, run, s.device.description);
  AddWalkConfig(o.walk, &d.config);
  d.config.emplace_back("threads", absl::StrCat(EffectiveThreads(o.threads)));
  d.config.emplace_back("seed", absl::StrCat(o.seed));
  d.config.emplace_back("device", o.device.Name());
  for (const auto& kv : run.extra_config) d.config.push_back(kv);
  d.stage_ms.emplace_back("sampling", s.sample_ms);
  d.notes.push_back(absl::StrFormat("%d walks of up to %d nodes, %d from every node.", s.walks,
                                    o.walk.length, o.walk.num_walks));
  d.visits = s.visits;
  d.length_counts = s.length_counts;
  d.directed = g.directed;
  const CsrView v = g.view();
  d.strength.assign(v.num_nodes, 0.0);
  for (int32_t u = 0; u < v.num_nodes; ++u) {
    for (int64_t e = v.offsets[u]; e < v.offsets[u + 1]; ++e) d.strength[u] += v.weights[e];
  }
  d.map_note = "n2v walk trains no embeddings, so this page has no map: `n2v train` with the same "
               "walk flags draws one.";
  return RenderReportHtml(d);
}

}  // namespace n2v
