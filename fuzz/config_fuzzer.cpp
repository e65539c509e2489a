// libFuzzer target: --config files (TOML or INI), read by n2v's own command line (apps/cli.hpp:
// the top-level app with every subcommand and flag, CLI11's config reader) under each subcommand
// that takes one: train, walk, eval, movielens, graph. Each input must end in one of: a parse
// that succeeds, --help/--version output (exit 0), or exit 2 with exactly one non-empty line of
// error starting "n2v: ". An exception escaping Cli::Parse, a crash, a leak or a hang is a bug.
// Built and run by scripts/fuzz.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "apps/cli.hpp"
#include "fuzz/fuzz_util.hpp"

const char kName[] = "config";

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string& path = n2v::fuzz::InputPath(kName);
  n2v::fuzz::WriteInput(path, data, size);
  // Each subcommand with the flags it requires on the command line, so that a valid file parses.
  const std::vector<std::vector<const char*>> commands = {
      {"train", "-i", "g.edges", "-o", "e.w2v"},
      {"walk", "-i", "g.edges", "-o", "w.txt"},
      {"eval", "-i", "g.edges"},
      {"movielens"},
      {"graph", "-i", "g.edges", "-o", "g.csr"},
  };
  for (const auto& cmd : commands) {
    std::vector<const char*> argv = {"n2v"};
    argv.insert(argv.end(), cmd.begin(), cmd.end());
    argv.push_back("--config");
    argv.push_back(path.c_str());
    char* buf = nullptr;
    size_t len = 0;
    std::FILE* err = open_memstream(&buf, &len);
    FUZZ_CHECK(err != nullptr);
    std::optional<int> code;
    {
      n2v::app::Cli cli;
      code = cli.Parse(static_cast<int>(argv.size()), argv.data(), err);
    }
    FUZZ_CHECK(std::fclose(err) == 0);
    const std::string msg(buf, len);
    std::free(buf);
    if (!code.has_value() || *code == 0) {
      FUZZ_CHECK(msg.empty());
      continue;
    }
    FUZZ_CHECK(*code == 2);
    FUZZ_CHECK(msg.size() > 6 && msg.compare(0, 5, "n2v: ") == 0);
    FUZZ_CHECK(msg.back() == '\n');
    FUZZ_CHECK(msg.find('\n') == msg.size() - 1);
    FUZZ_CHECK(msg.find('\r') == std::string::npos);
  }
  return 0;
}
