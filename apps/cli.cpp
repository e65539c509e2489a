#include "apps/cli.hpp"

#include <exception>
#include <string>

#include "apps/cli_common.hpp"
#include "apps/devices_cmd.hpp"

namespace n2v::app {
namespace {

// CLI11's messages quote values from the file, which may hold newlines or other control bytes
// (a TOML multi-line string, a binary file): escaped, so an error stays one line.
std::string OneLine(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c < 0x20 || c == 0x7f) {
      static const char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

// The --config file's name, when one was given.
std::string ConfigFile(const CLI::App& app) {
  const CLI::Option* config = app.get_config_ptr();
  return config && config->count() ? config->as<std::string>() : std::string();
}

std::string VersionString() {
  std::string v = std::string("n2v ") + N2V_VERSION + " (" + N2V_BUILD_TYPE + " build";
#if defined(N2V_WITH_CUDA)
  v += ", CUDA backend built in, CUDA runtime " + CudaVersionString();
#else
  v += ", CPU only: CUDA backend not built";
#endif
  return v + ")";
}

}  // namespace

Cli::Cli()
    : app("n2v: node2vec embeddings — biased (p, q) random walks, skip-gram with negative "
          "sampling, similarity queries and exports, on the CPU or an NVIDIA GPU.") {
  app.option_defaults()->always_capture_default();
  app.set_version_flag("--version", VersionString());
  app.require_subcommand(1);
  // TOML or INI: a [movielens] section (or dotted keys, movielens.p = 0.5) with the flags' names;
  // flags on the command line override the file. --dump-config writes this format.
  app.set_config("--config", "",
                 "Read flags from a TOML or INI file ([movielens] section with the flags' names); "
                 "command-line flags override it");
  app.allow_config_extras(CLI::config_extras_mode::error);  // a misspelt key must not pass silently
  ml_cmd = AddMovieLensCommand(app, ml);
  dev_cmd = AddDevicesCommand(app);
  sim_cmd = AddSimilarCommand(app, sim);
  train_cmd = AddTrainCommand(app, train);
  walk_cmd = AddWalkCommand(app, walk);
  graph_cmd = AddGraphCommand(app, graph);
  eval_cmd = AddEvalCommand(app, eval);
  synth_cmd = AddSynthCommand(app, synth);
  for (CLI::App* c : {ml_cmd, train_cmd, walk_cmd, graph_cmd, eval_cmd}) {
    c->allow_config_extras(CLI::config_extras_mode::error);
  }
}

std::optional<int> Cli::Parse(int argc, const char* const* argv, std::FILE* err) {
  try {
    app.parse(argc, argv);
    return std::nullopt;
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ConfigError& e) {
    // CLI11's message names the key but not the file.
    const std::string file = ConfigFile(app);
    std::fprintf(err, "n2v: %s: %s\n", OneLine(file.empty() ? "config" : file).c_str(),
                 OneLine(e.what()).c_str());
  } catch (const CLI::ParseError& e) {
    // One line, like every other n2v error (CLI11's own printer adds a second). A bad value may
    // come from --config's file (CLI11 does not say which), so the file is named when there is one.
    const std::string file = ConfigFile(app);
    if (!file.empty()) {
      std::fprintf(err, "n2v: %s (flags from the command line and %s; n2v --help lists them)\n",
                   OneLine(e.what()).c_str(), OneLine(file).c_str());
    } else {
      std::fprintf(err, "n2v: %s (n2v --help lists the commands and flags)\n",
                   OneLine(e.what()).c_str());
    }
  } catch (const std::exception& e) {
    // Anything else CLI11's reader lets out (a standard exception from a conversion, say) is
    // still the input's fault: one line and exit 2, never an abort.
    const std::string file = ConfigFile(app);
    std::fprintf(err, "n2v: %s: cannot read it as a TOML or INI file (%s)\n",
                 OneLine(file.empty() ? "command line" : file).c_str(), OneLine(e.what()).c_str());
  }
  return kExitUsage;
}

}  // namespace n2v::app
