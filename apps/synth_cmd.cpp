// `n2v synth graph|ratings` (apps/synth_cmd.hpp).
#include "apps/synth_cmd.hpp"

#include <omp.h>

#include <cstdio>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "apps/cli_common.hpp"
#include "n2v/atomic_file.hpp"
#include "n2v/csr_io.hpp"
#include "n2v/edgelist.hpp"
#include "n2v/status.hpp"
#include "n2v/synth.hpp"

namespace n2v::app {
namespace {

namespace fs = std::filesystem;

}  // namespace

CLI::App* AddSynthCommand(CLI::App& app, SynthFlags& f) {
  CLI::App* s = app.add_subcommand("synth", "Synthetic inputs for scale tests");
  s->require_subcommand(1);
  CLI::App* g = s->add_subcommand(
      "graph", "A random graph: rmat (R-MAT, skewed), plod (power-law degrees) or er "
               "(Erdős–Rényi G(n, m)); written as a CSR file (.csr) or an edge list (else)");
  g->add_option("--model", f.model, "rmat, plod or er")->check(CLI::IsMember({"rmat", "plod", "er"}));
  g->add_option("--nodes", f.nodes, "Nodes");
  g->add_option("--edges", f.edges, "Distinct edges (no self-loops)");
  g->add_flag("--weighted", f.weighted, "Weights uniform in (0, 1] (else all 1)");
  g->add_flag("--directed", f.directed, "Arcs u -> v (else undirected)");
  g->add_option("--output,-o", f.output, "Output: .csr for the CSR file, else an edge list")->required();
  CLI::App* r = s->add_subcommand(
      "ratings", "MovieLens-format ratings.csv + movies.csv with long-tailed user activity and "
                 "movie popularity (defaults: ml-25m's size)");
  r->add_option("--users", f.users, "Users (each rates at least 20 movies)");
  r->add_option("--movies", f.movies, "Movies");
  r->add_option("--ratings", f.ratings, "Ratings (no user rates a movie twice)");
  r->add_option("--out", f.output, "Directory to write ratings.csv and movies.csv into")->required();
  for (CLI::App* c : {g, r}) {
    c->add_option("--seed", f.seed, "Random seed");
    c->add_option("--threads", f.threads, "CPU threads (0: all cores; the output does not depend on it)");
    c->add_flag("--quiet", f.quiet, "Print nothing but errors");
  }
  return s;
}

int RunSynth(CLI::App* synth, const SynthFlags& f) {
  Stopwatch clock;
  const int threads = EffectiveThreads(f.threads);
  omp_set_num_threads(threads);
  if (synth->get_subcommand("graph")->parsed()) {
    auto model = ParseSynthModel(f.model);
    if (!model.ok()) return ReportError(model.status());
    SynthGraphOptions o;
    o.model = *model;
    o.nodes = f.nodes;
    o.edges = f.edges;
    o.directed = f.directed;
    o.weighted = f.weighted;
    o.seed = f.seed;
    o.threads = threads;
    SynthGraphStats stats;
    auto g = SynthGraph(o, &stats);
    if (!g.ok()) return ReportError(g.status());
    const double gen_ms = clock.Lap();
    const bool csr = fs::path(f.output).extension() == ".csr";
    absl::Status st = csr ? WriteCsr(f.output, *g) : WriteEdgeList(f.output, *g, f.weighted);
    if (!st.ok()) return ReportError(st);
    if (!f.quiet) {
      std::fprintf(stderr,
                   "Wrote %s: %s graph, %d nodes, %lld %s edges, max degree %lld (%lld candidates "
                   "drawn: %lld self-loops and %lld duplicates dropped); generated in %.2f s, "
                   "written in %.2f s\n",
                   f.output.c_str(), f.model.c_str(), g->num_nodes(),
                   static_cast<long long>(g->num_edges()), f.directed ? "directed" : "undirected",
                   static_cast<long long>(stats.max_degree),
                   static_cast<long long>(stats.candidates),
                   static_cast<long long>(stats.self_loops),
                   static_cast<long long>(stats.duplicates), gen_ms / 1000, clock.ms() / 1000);
    }
    return kExitOk;
  }
  SynthRatingsOptions o;
  o.users = f.users;
  o.movies = f.movies;
  o.ratings = f.ratings;
  o.seed = f.seed;
  o.threads = threads;
  std::error_code ec;
  fs::create_directories(f.output, ec);
  if (ec) {
    return ReportError(absl::UnavailableError(
        absl::StrCat("--out ", f.output, ": cannot create the directory: ", ec.message())));
  }
  SynthRatingsStats stats;
  if (absl::Status st = WriteSynthRatings(o, f.output, &stats); !st.ok()) return ReportError(st);
  if (!f.quiet) {
    std::fprintf(stderr,
                 "Wrote %s/ratings.csv and movies.csv: %lld ratings by %lld users of %lld movies "
                 "(%lld rated; busiest user %lld, most-rated movie %lld, mean rating %.2f) in "
                 "%.2f s\n",
                 f.output.c_str(), static_cast<long long>(stats.ratings),
                 static_cast<long long>(f.users), static_cast<long long>(f.movies),
                 static_cast<long long>(stats.movies_rated),
                 static_cast<long long>(stats.max_user_ratings),
                 static_cast<long long>(stats.max_movie_ratings), stats.mean_rating,
                 clock.ms() / 1000);
  }
  return kExitOk;
}

}  // namespace n2v::app
