// `n2v eval` (apps/eval_cmd.hpp): flags → n2v::EvalOptions → n2v::Evaluate → the table on
// stdout and --json.
#include "apps/eval_cmd.hpp"

#include <omp.h>

#include <cmath>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "apps/cli_common.hpp"
#include "apps/mpi_ranks.hpp"
#include "n2v/atomic_file.hpp"
#include "n2v/json.hpp"
#include "n2v/n2v.hpp"
#include "n2v/report.hpp"

namespace n2v::app {

CLI::App* AddEvalCommand(CLI::App& app, EvalFlags& f) {
  CLI::App* c = app.add_subcommand(
      "eval", "Embedding quality: link prediction (held-out edges, ROC-AUC) or node "
              "classification (--labels, micro/macro-F1), over a (p, q) grid or for an "
              "embeddings file");
  EvalOptions& o = f.opt;
  AddGraphFlags(c, f.graph, /*required=*/true);
  c->add_option("--task", f.task, "link (hold out edges) or node (classify --labels)")
      ->check(CLI::IsMember({"link", "node"}));
  c->add_option("--p", o.p, "Return parameter p, or a comma-separated grid (0.25,1,4)")
      ->delimiter(',');
  c->add_option("--q", o.q, "In-out parameter q, or a comma-separated grid")->delimiter(',');
  c->add_option("--walk-length,-l", f.run.opt.walk.length, "Nodes per walk (the start included)");
  c->add_option("--num-walks,-r", f.run.opt.walk.num_walks, "Walks started from every node");
  AddModelFlags(c, f.run);
  AddRunFlags(c, f.run.opt.threads, f.run.opt.seed, f.run.device, f.run.quiet);
  AddSyncFlag(c, f.run.opt.sync_every);
  AddGpuTransportFlag(c, f.run.gpu_transport);
  c->add_option("--test-fraction", o.test_fraction,
                "link: fraction of the edges held out (every node keeps an edge)");
  c->add_option("--labels", o.labels,
                "node: file of 'node label [label ...]' lines (multi-label; a node may repeat)");
  c->add_flag("--skip-unknown-labels", o.skip_unknown_labels,
              "node: skip label lines naming nodes the graph lacks (default: error)");
  c->add_option("--train-fraction", o.train_fraction, "node: fraction of labelled nodes to train on");
  c->add_option("--repeats", o.repeats, "node: random splits averaged");
  c->add_option("--C", o.c, "Inverse L2 strength of the logistic regressions (scikit-learn's C)");
  c->add_option("--embeddings", o.embeddings,
                "Evaluate this embeddings file (word2vec text/binary, .npy) instead of training; "
                "for link prediction it must have been trained on the residual graph "
                "(--residual-out) of the same --seed and --test-fraction");
  c->add_option("--residual-out", o.residual_out,
                "link: also write the residual graph (the input less the held-out edges) as an "
                "edge list, for training with another tool");
  c->add_option("--json", f.json, "Also write the results as JSON to this file");
  AddReportFlags(c, f.report, f.no_report, "<json>.report.html with --json, else none",
                 /*labels=*/false);
  c->fallthrough();
  c->add_flag("--dump-config", f.dump_config,
              "Print the effective configuration as TOML (usable with --config) and exit")
      ->configurable(false);
  return c;
}

int RunEval(const EvalFlags& f) {
  // Under mpirun every rank trains each point data-parallel and scores it (the same split and
  // the same tables on every rank); rank 0 alone prints and writes.
  const std::shared_ptr<Ranks> ranks = SharedJobRanks();
  const bool distributed = IsDistributed(ranks.get());
  const bool writer = !distributed || ranks->rank() == 0;
  const bool quiet = f.run.quiet || !writer;
  EvalOptions o = f.opt;
  auto train = f.run.ToOptions();
  if (!train.ok()) return ReportError(train.status());
  o.train = *train;
  o.train.ranks = ranks;
  if (!writer) o.residual_out.clear();
  auto task = ParseEvalTask(f.task);
  if (!task.ok()) return ReportError(task.status());
  o.task = *task;
  const bool link = o.task == EvalTask::kLink;
  if (absl::Status st = ValidateEvalOptions(o); !st.ok()) return ReportError(st);
  ReportOptions report = f.report;
  if (report.path.empty() && !f.json.empty()) report.path = f.json + ".report.html";
  report.enabled = !f.no_report && !report.path.empty();
  if (report.enabled) {
    if (absl::Status st = ValidateReportOptions(report); !st.ok()) return ReportError(st);
    if (absl::Status st = CheckReportPath(report.path, "--report"); !st.ok()) return ReportError(st);
  }
  o.keep_best = report.enabled;
  const int threads = EffectiveThreads(o.train.threads);
  omp_set_num_threads(threads);
  // The input first: a bad file is the only message, not after a note about the device.
  auto graph = LoadGraph(f.graph, quiet);
  if (distributed) {
    if (absl::Status st = AgreeOnStatus(*ranks, graph.status()); !st.ok()) return ReportError(st);
  }
  if (!graph.ok()) return ReportError(graph.status());
  // Notes and stage lines; one table row per point instead of each point's training progress.
  ProgressPrinter printer(quiet);
  o.train.on_progress = [cb = printer.callback()](const ProgressEvent& e) {
    if (e.kind == ProgressEvent::Kind::kNote || e.kind == ProgressEvent::Kind::kStage) cb(e);
  };
  absl::StatusOr<EvalResult> res;
  {
    // Ctrl-C stops the point being trained; nothing is written.
    InterruptCancels cancels;
    o.train.cancelled = [] { return PendingInterrupt() != 0; };
    res = Evaluate(*graph, f.graph.input, o);
  }
  DieOfPendingInterrupt();
  if (!res.ok()) return ReportError(res.status());
  if (!writer) return kExitOk;
  const std::vector<EvalPoint>& results = res->points;

  std::string html;
  if (report.enabled) {
    auto page = RenderEvalReport(*graph, o, *res, report, ReportRun{"eval", f.graph.input, {}, {}});
    if (!page.ok()) return ReportError(page.status());
    html = std::move(*page);
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
  for (const EvalPoint& r : results) {
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
                             o.repeats, 100 * o.train_fraction);
  }
  std::fputs(table.c_str(), stdout);
  std::fflush(stdout);

  if (!f.json.empty()) {
    JsonWriter j;
    j.BeginObject();
    j.Key("n2v_version").String(N2V_VERSION).Key("command").String("eval");
    j.Key("input").String(f.graph.input).Key("task").String(std::string(EvalTaskName(o.task)));
    j.Key("seed").Int(static_cast<int64_t>(o.train.seed));
    j.Key("device").String(res->device.description);
    if (link) {
      j.Key("test_edges").Int(res->test_edges);
      j.Key("test_fraction").Double(res->achieved_fraction);
    } else {
      j.Key("labelled_nodes").Int(res->labelled_nodes);
      j.Key("labels").Int(res->labels);
    }
    j.Key("results").BeginArray();
    for (const EvalPoint& r : results) {
      j.BeginObject();
      if (!std::isnan(r.p)) j.Key("p").Double(r.p).Key("q").Double(r.q);
      if (!o.embeddings.empty()) j.Key("embeddings").String(o.embeddings);
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
  if (report.enabled) {
    if (absl::Status st = WriteFileAtomic(report.path, html); !st.ok()) return ReportError(st);
  }
  return kExitOk;
}

}  // namespace n2v::app
