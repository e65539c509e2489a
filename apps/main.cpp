// n2v command line: CLI11 parses flags into config structs and calls the library; this is the
// only place that turns a Status into an exit code (0 ok, 1 runtime failure, 2 usage/input).
#include <cstdio>
#include <optional>
#include <string>
#include <tuple>

#include "apps/cli.hpp"
#include "apps/cli_common.hpp"
#include "apps/devices_cmd.hpp"
#include "apps/mpi_ranks.hpp"
#include "n2v/ranks.hpp"
#include "n2v/atomic_file.hpp"

namespace {

// A subcommand's effective configuration as TOML under its own section: what --config reads back.
std::string ConfigOf(const CLI::App* cmd) {
  return "[" + cmd->get_name() + "]\n" +
         cmd->config_to_str(/*default_also=*/true, /*write_description=*/true);
}

}  // namespace

namespace {

int Run(int argc, char** argv);

}  // namespace

int main(int argc, char** argv) {
  // Under mpirun: MPI first (it may rewrite argv), and every exit through FinishRanks.
  auto ranks = n2v::app::StartRanks(&argc, &argv);
  if (!ranks.ok()) return n2v::app::ReportError(ranks.status());
  return n2v::app::FinishRanks(Run(argc, argv));
}

namespace {

int Run(int argc, char** argv) {
  // Ctrl-C / SIGTERM: remove the temporary files of outputs being written, keep published ones.
  n2v::InstallInterruptCleanup();
  n2v::app::Cli cli;
  if (std::optional<int> code = cli.Parse(argc, argv)) return *code;
  // Several ranks run train and eval data-parallel; the other commands are one process's work.
  if (n2v::IsDistributed(n2v::app::JobRanks()) && !cli.train_cmd->parsed() &&
      !cli.eval_cmd->parsed() && !cli.dev_cmd->parsed() &&
      !(cli.walk_cmd->parsed() && cli.walk.partition)) {
    return n2v::app::ReportError(n2v::AgreeOnStatus(
        *n2v::app::JobRanks(),
        absl::FailedPreconditionError(
            cli.walk_cmd->parsed()
                ? "under mpirun with several ranks `n2v walk` needs --partition (the graph split "
                  "over the ranks); or run it as one process, without mpirun"
                : "under mpirun with several ranks n2v runs train, eval, devices and walk "
                  "--partition; run this command as one process, without mpirun")));
  }
  const auto& [ml, sim, train, walk, graph, eval, synth] =
      std::tie(cli.ml, cli.sim, cli.train, cli.walk, cli.graph, cli.eval, cli.synth);
  if (cli.ml_cmd->parsed()) {
    if (ml.dump_config) {
      // Only this command's flags, under its section: what --config reads back.
      std::string dump = "[movielens]\n" + cli.ml_cmd->config_to_str(/*default_also=*/true,
                                                                      /*write_description=*/true);
      // --query has no captured default (see AddMovieLensCommand): write the effective list as a
      // TOML array so the dump reads back to the same queries.
      const std::string empty_query = "\nquery=\"\"";
      if (const size_t at = dump.find(empty_query); at != std::string::npos) {
        std::string list = "\nquery=[";
        for (size_t i = 0; i < ml.opt.queries.size(); ++i) {
          list += i ? ", \"" : "\"";
          for (char c : ml.opt.queries[i]) {
            if (c == '"' || c == '\\') list += '\\';
            list += c;
          }
          list += '"';
        }
        dump.replace(at, empty_query.size(), list + "]");
      }
      std::fputs(dump.c_str(), stdout);
      return n2v::app::kExitOk;
    }
    return n2v::app::RunMovieLens(ml);
  }
  if (cli.dev_cmd->parsed()) return n2v::app::RunDevices();
  if (cli.sim_cmd->parsed()) return n2v::app::RunSimilar(sim);
  if (cli.train_cmd->parsed()) {
    const std::string config = ConfigOf(cli.train_cmd);
    if (train.dump_config) {
      std::fputs(config.c_str(), stdout);
      return n2v::app::kExitOk;
    }
    return n2v::app::RunTrain(train, config);
  }
  if (cli.walk_cmd->parsed()) {
    if (walk.dump_config) {
      std::fputs(ConfigOf(cli.walk_cmd).c_str(), stdout);
      return n2v::app::kExitOk;
    }
    return n2v::app::RunWalk(walk);
  }
  if (cli.graph_cmd->parsed()) return n2v::app::RunGraph(graph);
  if (cli.synth_cmd->parsed()) return n2v::app::RunSynth(cli.synth_cmd, synth);
  if (cli.eval_cmd->parsed()) {
    if (eval.dump_config) {
      std::fputs(ConfigOf(cli.eval_cmd).c_str(), stdout);
      return n2v::app::kExitOk;
    }
    return n2v::app::RunEval(eval);
  }
  return n2v::app::kExitUsage;
}

}  // namespace
