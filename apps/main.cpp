// n2v command line: CLI11 parses flags into config structs and calls the library; this is the
// only place that turns a Status into an exit code (0 ok, 1 runtime failure, 2 usage/input).
#include <cstdio>
#include <string>

#include "CLI/CLI.hpp"
#include "apps/cli_common.hpp"
#include "apps/devices_cmd.hpp"
#include "apps/movielens_cmd.hpp"
#include "apps/similar_cmd.hpp"
#include "apps/synth_cmd.hpp"
#include "apps/eval_cmd.hpp"
#include "apps/train_cmd.hpp"
#include "n2v/atomic_file.hpp"

namespace {

std::string VersionString() {
  std::string v = std::string("n2v ") + N2V_VERSION + " (" + N2V_BUILD_TYPE + " build";
#if defined(N2V_WITH_CUDA)
  v += ", CUDA backend built in, CUDA runtime " + n2v::app::CudaVersionString();
#else
  v += ", CPU only: CUDA backend not built";
#endif
  return v + ")";
}

// A subcommand's effective configuration as TOML under its own section: what --config reads back.
std::string ConfigOf(const CLI::App* cmd) {
  return "[" + cmd->get_name() + "]\n" +
         cmd->config_to_str(/*default_also=*/true, /*write_description=*/true);
}

}  // namespace

int main(int argc, char** argv) {
  // Ctrl-C / SIGTERM: remove the temporary files of outputs being written, keep published ones.
  n2v::InstallInterruptCleanup();
  CLI::App app{"n2v: node2vec embeddings — biased (p, q) random walks, skip-gram with negative "
               "sampling, similarity queries and exports, on the CPU or an NVIDIA GPU."};
  app.option_defaults()->always_capture_default();
  app.set_version_flag("--version", VersionString());
  app.require_subcommand(1);
  // TOML or INI: a [movielens] section (or dotted keys, movielens.p = 0.5) with the flags' names;
  // flags on the command line override the file. --dump-config writes this format.
  app.set_config("--config", "",
                 "Read flags from a TOML or INI file ([movielens] section with the flags' names); "
                 "command-line flags override it");
  app.allow_config_extras(CLI::config_extras_mode::error);  // a misspelt key must not pass silently

  n2v::app::MovieLensFlags ml;
  CLI::App* ml_cmd = n2v::app::AddMovieLensCommand(app, ml);
  CLI::App* dev_cmd = n2v::app::AddDevicesCommand(app);
  ml_cmd->allow_config_extras(CLI::config_extras_mode::error);
  n2v::app::SimilarFlags sim;
  CLI::App* sim_cmd = n2v::app::AddSimilarCommand(app, sim);
  n2v::app::TrainFlags train;
  CLI::App* train_cmd = n2v::app::AddTrainCommand(app, train);
  n2v::app::WalkCmdFlags walk;
  CLI::App* walk_cmd = n2v::app::AddWalkCommand(app, walk);
  n2v::app::GraphCmdFlags graph;
  CLI::App* graph_cmd = n2v::app::AddGraphCommand(app, graph);
  n2v::app::EvalFlags eval;
  CLI::App* eval_cmd = n2v::app::AddEvalCommand(app, eval);
  n2v::app::SynthFlags synth;
  CLI::App* synth_cmd = n2v::app::AddSynthCommand(app, synth);
  for (CLI::App* c : {train_cmd, walk_cmd, graph_cmd, eval_cmd}) {
    c->allow_config_extras(CLI::config_extras_mode::error);
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ConfigError& e) {
    // CLI11's message names the key but not the file.
    const CLI::Option* config = app.get_config_ptr();
    const std::string file = config && config->count() ? config->as<std::string>() : "config";
    std::fprintf(stderr, "n2v: %s: %s\n", file.c_str(), e.what());
    return n2v::app::kExitUsage;
  } catch (const CLI::ParseError& e) {
    // One line, like every other n2v error (CLI11's own printer adds a second).
    std::fprintf(stderr, "n2v: %s (n2v --help lists the commands and flags)\n", e.what());
    return n2v::app::kExitUsage;
  }
  if (ml_cmd->parsed()) {
    if (ml.dump_config) {
      // Only this command's flags, under its section: what --config reads back.
      std::string dump = "[movielens]\n" + ml_cmd->config_to_str(/*default_also=*/true,
                                                                  /*write_description=*/true);
      // --query has no captured default (see AddMovieLensCommand): write the effective list as a
      // TOML array so the dump reads back to the same queries.
      const std::string empty_query = "\nquery=\"\"";
      if (const size_t at = dump.find(empty_query); at != std::string::npos) {
        std::string list = "\nquery=[";
        for (size_t i = 0; i < ml.queries.size(); ++i) {
          list += i ? ", \"" : "\"";
          for (char c : ml.queries[i]) {
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
  if (dev_cmd->parsed()) return n2v::app::RunDevices();
  if (sim_cmd->parsed()) return n2v::app::RunSimilar(sim);
  if (train_cmd->parsed()) {
    const std::string config = ConfigOf(train_cmd);
    if (train.dump_config) {
      std::fputs(config.c_str(), stdout);
      return n2v::app::kExitOk;
    }
    return n2v::app::RunTrain(train, config);
  }
  if (walk_cmd->parsed()) {
    if (walk.dump_config) {
      std::fputs(ConfigOf(walk_cmd).c_str(), stdout);
      return n2v::app::kExitOk;
    }
    return n2v::app::RunWalk(walk);
  }
  if (graph_cmd->parsed()) return n2v::app::RunGraph(graph);
  if (synth_cmd->parsed()) return n2v::app::RunSynth(synth_cmd, synth);
  if (eval_cmd->parsed()) {
    if (eval.dump_config) {
      std::fputs(ConfigOf(eval_cmd).c_str(), stdout);
      return n2v::app::kExitOk;
    }
    return n2v::app::RunEval(eval);
  }
  return n2v::app::kExitUsage;
}
