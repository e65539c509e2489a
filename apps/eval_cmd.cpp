// `n2v eval` (apps/eval_cmd.hpp). The graph, its split and its alias tables are made once and
// reused by every (p, q) point of a grid; points run back to back, each with every thread (or the
// GPU).
#include "apps/eval_cmd.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "apps/cli_common.hpp"
#include "n2v/atomic_file.hpp"
#include "n2v/edgelist.hpp"
#include "n2v/embeddings_io.hpp"
#include "n2v/eval.hpp"
#include "n2v/json.hpp"
#include "n2v/labels_io.hpp"
#include "n2v/n2v.hpp"
#include "n2v/status.hpp"

namespace n2v::app {
namespace {

absl::Status Bad(const std::string& flag, const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat(flag, ": expected ", what));
}

// Rows of `t` placed at the graph's node ids; nodes missing from the table get a zero row.
absl::StatusOr<Embeddings> AlignTable(const LoadedEmbeddings& t, const Graph& g,
                                      const std::string& path, bool quiet) {
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
  if (missing > 0 && !quiet) {
    std::fprintf(stderr, "n2v: warning: %s: %lld node(s) of the graph have no vector (e.g. '%s'); "
                 "they score as zero vectors\n", path.c_str(), static_cast<long long>(missing),
                 first_missing.c_str());
  }
  return e;
}

struct PointResult {
  double p = 1, q = 1;
  LinkPredictionResult link;
  ClassificationResult node;
  double train_s = 0;
  double final_loss = NAN;
};

}  // namespace

CLI::App* AddEvalCommand(CLI::App& app, EvalFlags& f) {
  CLI::App* c = app.add_subcommand(
      "eval", "Embedding quality: link prediction (held-out edges, ROC-AUC) or node "
              "classification (--labels, micro/macro-F1), over a (p, q) grid or for an "
              "embeddings file");
  AddGraphFlags(c, f.graph, /*required=*/true);
  c->add_option("--task", f.task, "link (hold out edges) or node (classify --labels)")
      ->check(CLI::IsMember({"link", "node"}));
  c->add_option("--p", f.p, "Return parameter p, or a comma-separated grid (0.25,1,4)")
      ->delimiter(',');
  c->add_option("--q", f.q, "In-out parameter q, or a comma-separated grid")->delimiter(',');
  c->add_option("--walk-length,-l", f.run.opt.walk.length, "Nodes per walk (the start included)");
  c->add_option("--num-walks,-r", f.run.opt.walk.num_walks, "Walks started from every node");
  AddModelFlags(c, f.run);
  AddRunFlags(c, f.run.opt.threads, f.run.opt.seed, f.run.device, f.run.quiet);
  c->add_option("--test-fraction", f.test_fraction,
                "link: fraction of the edges held out (every node keeps an edge)");
  c->add_option("--labels", f.labels,
                "node: file of 'node label [label ...]' lines (multi-label; a node may repeat)");
  c->add_flag("--skip-unknown-labels", f.skip_unknown_labels,
              "node: skip label lines naming nodes the graph lacks (default: error)");
  c->add_option("--train-fraction", f.train_fraction, "node: fraction of labelled nodes to train on");
  c->add_option("--repeats", f.repeats, "node: random splits averaged");
  c->add_option("--C", f.c, "Inverse L2 strength of the logistic regressions (scikit-learn's C)");
  c->add_option("--embeddings", f.embeddings,
                "Evaluate this embeddings file (word2vec text/binary, .npy) instead of training; "
                "for link prediction it must have been trained on the residual graph "
                "(--residual-out) of the same --seed and --test-fraction");
  c->add_option("--residual-out", f.residual_out,
                "link: also write the residual graph (the input less the held-out edges) as an "
                "edge list, for training with another tool");
  c->add_option("--json", f.json, "Also write the results as JSON to this file");
  c->fallthrough();
  c->add_flag("--dump-config", f.dump_config,
              "Print the effective configuration as TOML (usable with --config) and exit")
      ->configurable(false);
  return c;
}

int RunEval(const EvalFlags& f) {
  const bool quiet = f.run.quiet;
  const bool link = f.task == "link";
  if (f.p.empty() || f.q.empty()) {
    return ReportError(Bad("--p/--q", "at least one value each"));
  }
  for (double v : f.p) {
    if (!(v > 0) || !std::isfinite(v)) return ReportError(Bad("--p", "positive numbers"));
  }
  for (double v : f.q) {
    if (!(v > 0) || !std::isfinite(v)) return ReportError(Bad("--q", "positive numbers"));
  }
  auto options = f.run.ToOptions();
  if (!options.ok()) return ReportError(options.status());
  TrainOptions opt = *options;
  opt.walk.p = f.p[0];
  opt.walk.q = f.q[0];
  if (absl::Status st = ValidateTrainOptions(opt); !st.ok()) return ReportError(st);
  if (link && !(f.test_fraction > 0 && f.test_fraction < 1)) {
    return ReportError(Bad("--test-fraction", "a number in (0, 1)"));
  }
  if (!link && f.labels.empty()) {
    return ReportError(Bad("--labels", "a label file for --task node"));
  }
  if (!link && !(f.train_fraction > 0 && f.train_fraction < 1)) {
    return ReportError(Bad("--train-fraction", "a number in (0, 1)"));
  }
  if (f.repeats < 1) return ReportError(Bad("--repeats", "at least 1"));
  if (!(f.c > 0) || !std::isfinite(f.c)) return ReportError(Bad("--C", "a positive number"));
  if (!f.embeddings.empty() && (f.p.size() > 1 || f.q.size() > 1)) {
    return ReportError(Bad("--embeddings", "no --p/--q grid (the table is already trained)"));
  }
  const int threads = EffectiveThreads(opt.threads);
  const uint64_t seed = opt.seed;
  omp_set_num_threads(threads);
  // The input first: a bad file is the only message, not after a note about the device.
  auto graph = LoadGraph(f.graph, quiet);
  if (!graph.ok()) return ReportError(graph.status());
  std::string device_note;
  auto device = ResolveDevice(f.embeddings.empty() ? opt.device : Device::Cpu(), threads,
                              &device_note);
  if (!device.ok()) return ReportError(device.status());
  if (!quiet && !device_note.empty()) std::fprintf(stderr, "n2v: %s\n", device_note.c_str());
  // Every point trains on the device chosen here (no note per point).
  opt.device = device->cuda ? Device::Cuda(device->index) : Device::Cpu();

  // The graph embeddings are trained on: the residual for link prediction, the whole graph else.
  std::optional<LinkSplit> split;
  std::optional<NodeLabels> labels;
  const Graph* train_graph = &*graph;
  if (link) {
    auto s = SplitEdgesForLinkPrediction(*graph, f.test_fraction, seed);
    if (!s.ok()) return ReportError(s.status());
    split = std::move(*s);
    train_graph = &split->residual;
    if (!quiet) {
      std::fprintf(stderr,
                   "Link prediction: %zu edges held out (%.1f%% of %lld that may be), %zu "
                   "non-edges; classifiers train on %zu + %zu pairs\n",
                   split->test_edges.size(), 100 * split->achieved_fraction,
                   static_cast<long long>(split->candidate_edges), split->test_non_edges.size(),
                   split->train_edges.size(), split->train_non_edges.size());
    }
    if (!f.residual_out.empty()) {
      bool weighted = false;
      for (float w : split->residual.weights) weighted |= w != 1.0f;
      if (absl::Status st = WriteEdgeList(f.residual_out, split->residual, weighted); !st.ok()) {
        return ReportError(st);
      }
    }
  } else {
    auto l = ReadNodeLabels(f.labels, graph->names, LabelReadOptions{f.skip_unknown_labels});
    if (!l.ok()) return ReportError(l.status());
    labels = std::move(*l);
    if (!quiet) {
      std::fprintf(stderr, "Node classification: %zu labelled nodes, %d labels, %lld unlabelled",
                   labels->nodes.size(), labels->num_labels(),
                   static_cast<long long>(labels->unlabelled_nodes));
      if (labels->skipped_lines > 0) {
        std::fprintf(stderr, ", %lld line(s) for %lld unknown node(s) skipped (first: '%s' at "
                     "line %lld)", static_cast<long long>(labels->skipped_lines),
                     static_cast<long long>(labels->skipped_nodes),
                     labels->first_skipped_node.c_str(),
                     static_cast<long long>(labels->first_skipped_line));
      }
      std::fprintf(stderr, "\n");
    }
  }

  auto evaluate = [&](const Embeddings& emb, PointResult& pr) -> absl::Status {
    if (link) {
      N2V_ASSIGN_OR_RETURN(pr.link, EvaluateLinkPrediction(emb, *split, LogRegOptions{f.c}, threads));
    } else {
      ClassificationOptions co;
      co.train_fraction = f.train_fraction;
      co.repeats = f.repeats;
      co.seed = seed;
      co.lr.C = f.c;
      co.threads = threads;
      N2V_ASSIGN_OR_RETURN(pr.node, EvaluateNodeClassification(emb, *labels, co));
    }
    return absl::OkStatus();
  };

  std::vector<PointResult> results;
  if (!f.embeddings.empty()) {
    auto table = ReadEmbeddings(f.embeddings);
    if (!table.ok()) return ReportError(table.status());
    auto emb = AlignTable(*table, *train_graph, f.embeddings, quiet);
    if (!emb.ok()) return ReportError(emb.status());
    PointResult pr;
    pr.p = pr.q = NAN;
    if (absl::Status st = evaluate(*emb, pr); !st.ok()) return ReportError(st);
    results.push_back(pr);
  } else {
    // One table row per point instead of progress lines; Ctrl-C stops the point being trained.
    InterruptCancels cancels;
    opt.cancelled = [] { return PendingInterrupt() != 0; };
    for (double p : f.p) {
      for (double q : f.q) {
        opt.walk.p = p;
        opt.walk.q = q;
        Stopwatch clock;
        auto trained = Train(*train_graph, opt);
        DieOfPendingInterrupt();
        if (!trained.ok()) return ReportError(trained.status());
        PointResult pr;
        pr.p = p;
        pr.q = q;
        pr.train_s = clock.ms() / 1000;
        if (!trained->losses.empty()) pr.final_loss = trained->losses.back();
        if (absl::Status st = evaluate(trained->embeddings, pr); !st.ok()) return ReportError(st);
        results.push_back(pr);
        if (!quiet && f.p.size() * f.q.size() > 1) {
          std::fprintf(stderr, "  p=%g q=%g done in %.1f s\n", p, q, pr.train_s);
        }
      }
    }
  }

  // The table (stdout).
  std::string table;
  if (link) {
    absl::StrAppend(&table, absl::StrFormat("%8s %8s  %10s  %10s %10s %10s %10s  %8s\n", "p", "q",
                                            "cosine", "hadamard", "average", "l1", "l2",
                                            "train_s"));
  } else {
    absl::StrAppend(&table, absl::StrFormat("%8s %8s  %17s  %17s  %8s\n", "p", "q",
                                            "micro-F1 (± std)", "macro-F1 (± std)", "train_s"));
  }
  for (const PointResult& r : results) {
    const std::string p = std::isnan(r.p) ? "-" : absl::StrCat(r.p);
    const std::string q = std::isnan(r.q) ? "-" : absl::StrCat(r.q);
    if (link) {
      absl::StrAppend(&table, absl::StrFormat(
          "%8s %8s  %10.4f  %10.4f %10.4f %10.4f %10.4f  %8.2f\n", p, q, r.link.cosine_auc,
          r.link.auc(EdgeOperator::kHadamard), r.link.auc(EdgeOperator::kAverage),
          r.link.auc(EdgeOperator::kWeightedL1), r.link.auc(EdgeOperator::kWeightedL2),
          r.train_s));
    } else {
      absl::StrAppend(&table, absl::StrFormat("%8s %8s  %8.4f ± %.4f  %8.4f ± %.4f  %8.2f\n", p, q,
                                              r.node.micro_mean, r.node.micro_std,
                                              r.node.macro_mean, r.node.macro_std, r.train_s));
    }
  }
  if (link) {
    table += "(ROC-AUC on held-out edges vs non-edges: cosine similarity, and logistic regression "
             "on each edge operator)\n";
  } else {
    table += absl::StrFormat("(%d repeats, %.0f%% of labelled nodes for training, top-k decoding)\n",
                             f.repeats, 100 * f.train_fraction);
  }
  std::fputs(table.c_str(), stdout);
  std::fflush(stdout);

  if (!f.json.empty()) {
    JsonWriter j;
    j.BeginObject();
    j.Key("n2v_version").String(N2V_VERSION).Key("command").String("eval");
    j.Key("input").String(f.graph.input).Key("task").String(f.task);
    j.Key("seed").Int(static_cast<int64_t>(seed));
    j.Key("device").String(device->description);
    if (link) {
      j.Key("test_edges").Int(static_cast<int64_t>(split->test_edges.size()));
      j.Key("test_fraction").Double(split->achieved_fraction);
    } else {
      j.Key("labelled_nodes").Int(static_cast<int64_t>(labels->nodes.size()));
      j.Key("labels").Int(labels->num_labels());
    }
    j.Key("results").BeginArray();
    for (const PointResult& r : results) {
      j.BeginObject();
      if (!std::isnan(r.p)) j.Key("p").Double(r.p).Key("q").Double(r.q);
      if (!f.embeddings.empty()) j.Key("embeddings").String(f.embeddings);
      if (link) {
        j.Key("auc_cosine").Double(r.link.cosine_auc);
        for (EdgeOperator op : kEdgeOperators) {
          j.Key(absl::StrCat("auc_", EdgeOperatorName(op))).Double(r.link.auc(op));
        }
      } else {
        j.Key("micro_f1").Double(r.node.micro_mean).Key("micro_f1_std").Double(r.node.micro_std);
        j.Key("macro_f1").Double(r.node.macro_mean).Key("macro_f1_std").Double(r.node.macro_std);
      }
      j.Key("train_s").Double(r.train_s);
      if (!std::isnan(r.final_loss)) j.Key("final_loss").Double(r.final_loss);
      j.EndObject();
    }
    j.EndArray();
    j.EndObject();
    if (absl::Status st = WriteFileAtomic(f.json, j.str() + "\n"); !st.ok()) return ReportError(st);
  }
  return kExitOk;
}

}  // namespace n2v::app
