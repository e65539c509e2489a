// `n2v train` (embeddings for any graph), `n2v walk` (the walks alone, for other trainers) and
// `n2v graph` (ratings or an edge list → the CSR file, once).
#pragma once

#include <string>

#include "CLI/CLI.hpp"
#include "apps/train_flags.hpp"

namespace n2v::app {

struct TrainFlags {
  GraphFlags graph;
  TrainFlagSet run;
  std::string output;
  std::string format = "auto";
  ReportOptions report;
  bool no_report = false;  // default path: <output>.report.html
  bool dump_config = false;
};

struct WalkCmdFlags {
  GraphFlags graph;
  WalkRunOptions opt;
  std::string device = opt.device.Name();
  bool quiet = false;
  std::string output;
  ReportOptions report;
  bool no_report = false;  // default path: <output>.report.html (the map options do not apply)
  bool dump_config = false;
  bool partition = false;  // split the graph by node ranges over the ranks (mpirun)
};

struct GraphCmdFlags {
  GraphFlags graph;
  std::string movielens;  // a MovieLens directory instead of --input
  double min_rating = 5.0;
  double min_weight = 10.0;
  std::string output;
  int threads = 0;
  bool quiet = false;
};

CLI::App* AddTrainCommand(CLI::App& app, TrainFlags& f);
CLI::App* AddWalkCommand(CLI::App& app, WalkCmdFlags& f);
CLI::App* AddGraphCommand(CLI::App& app, GraphCmdFlags& f);

/// `config` is the effective configuration as TOML (what --dump-config prints).
int RunTrain(const TrainFlags& f, const std::string& config);
int RunWalk(const WalkCmdFlags& f);
int RunGraph(const GraphCmdFlags& f);

}  // namespace n2v::app
