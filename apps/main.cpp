// n2v command line: CLI11 parses flags into config structs and calls the library; this is the
// only place that turns a Status into an exit code (0 ok, 1 runtime failure, 2 usage/input).
#include <cstdio>
#include <string>

#include "CLI/CLI.hpp"
#include "apps/cli_common.hpp"
#include "apps/devices_cmd.hpp"
#include "apps/movielens_cmd.hpp"

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

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"n2v: node2vec embeddings — biased (p, q) random walks, skip-gram with negative "
               "sampling, similarity queries and exports, on the CPU or an NVIDIA GPU."};
  app.option_defaults()->always_capture_default();
  app.set_version_flag("--version", VersionString());
  app.require_subcommand(1);

  n2v::app::MovieLensFlags ml;
  CLI::App* ml_cmd = n2v::app::AddMovieLensCommand(app, ml);
  CLI::App* dev_cmd = n2v::app::AddDevicesCommand(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return n2v::app::kExitUsage;
  }
  if (ml_cmd->parsed()) return n2v::app::RunMovieLens(ml);
  if (dev_cmd->parsed()) return n2v::app::RunDevices();
  return n2v::app::kExitUsage;
}
