// `n2v eval`: embedding quality the way node2vec papers measure it — link prediction on held-out
// edges (ROC-AUC, cosine and edge-operator classifiers) and multi-label node classification
// (micro/macro-F1) — for one (p, q) or a grid of them, or for an embeddings file made elsewhere.
#pragma once

#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "apps/train_flags.hpp"

namespace n2v::app {

struct EvalFlags {
  GraphFlags graph;
  TrainFlagSet run;  // walk.p and walk.q come from the lists below
  std::vector<double> p = {1.0};
  std::vector<double> q = {1.0};
  std::string task = "link";  // link | node
  double test_fraction = 0.2;
  std::string labels;
  bool skip_unknown_labels = false;
  double train_fraction = 0.5;
  int32_t repeats = 10;
  double c = 1.0;
  std::string embeddings;    // evaluate this table instead of training
  std::string residual_out;  // write the link-prediction residual graph as an edge list
  std::string json;          // results as JSON
  bool dump_config = false;
};

CLI::App* AddEvalCommand(CLI::App& app, EvalFlags& f);
int RunEval(const EvalFlags& f);

}  // namespace n2v::app
