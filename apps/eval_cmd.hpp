// `n2v eval`: embedding quality the way node2vec papers measure it — link prediction on held-out
// edges (ROC-AUC, cosine and edge-operator classifiers) and multi-label node classification
// (micro/macro-F1) — for one (p, q) or a grid of them, or for an embeddings file made elsewhere.
// Flags bind to n2v::EvalOptions; the work is n2v::Evaluate; this prints the table and the JSON.
#pragma once

#include <string>

#include "CLI/CLI.hpp"
#include "apps/train_flags.hpp"

namespace n2v::app {

struct EvalFlags {
  GraphFlags graph;
  TrainFlagSet run;  // the training of each point; walk.p and walk.q come from the grids
  EvalOptions opt;
  std::string task{EvalTaskName(opt.task)};
  std::string json;  // results as JSON
  ReportOptions report;
  bool no_report = false;  // default path: <json>.report.html, none without --json
  bool dump_config = false;
};

CLI::App* AddEvalCommand(CLI::App& app, EvalFlags& f);
int RunEval(const EvalFlags& f);

}  // namespace n2v::app
