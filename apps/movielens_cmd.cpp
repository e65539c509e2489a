// `n2v movielens` (apps/movielens_cmd.hpp): flags → n2v::MovieLensOptions → n2v::RunMovieLens →
// the similar-movie lists on stdout → n2v::WriteMovieLensOutputs. The library computes
// everything before anything is written, and writes every file atomically.
#include "apps/movielens_cmd.hpp"

#include <omp.h>

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "apps/cli_common.hpp"
#include "apps/train_flags.hpp"
#include "n2v/atomic_file.hpp"
#include "n2v/n2v.hpp"

namespace n2v::app {

CLI::App* AddMovieLensCommand(CLI::App& app, MovieLensFlags& flags) {
  MovieLensOptions& f = flags.opt;
  CLI::App* c = app.add_subcommand(
      "movielens",
      "The Keras node2vec example end to end: PMI movie graph from MovieLens ratings, (p, q) walks, "
      "the seed's skip-gram model (tied table, BCE, Adam), similar movies, exports");
  c->add_option("--data", f.data, "MovieLens directory (ratings.csv, movies.csv)");
  c->add_option("--out", flags.out, "Output directory");
  c->add_option("--min-rating", f.min_rating, "Ratings >= this count as liked");
  c->add_option("--min-weight", f.min_weight, "Keep movie pairs whose PMI weight is >= this");
  c->add_option("--p", f.p, "Return parameter p (weight/p back to the previous movie)");
  c->add_option("--q", f.q, "In-out parameter q (weight/q to movies away from the previous one)");
  c->add_option("--num-walks", f.num_walks, "Walks started from every movie");
  c->add_option("--num-steps", f.num_steps, "Movies per walk (the start included)");
  c->add_option("--window", f.window, "Skip-gram window (-1: num_steps, as the seed)");
  c->add_option("--negatives", f.negatives, "Negative examples per positive");
  c->add_option("--dim", f.dim, "Embedding dimension");
  c->add_option("--epochs", f.epochs, "Training epochs");
  c->add_option("--batch", f.batch, "Batch size (the last partial batch is dropped, as the seed)");
  c->add_option("--lr", f.lr, "Adam learning rate");
  c->add_option("--l2", f.l2, "L2 penalty on the embedding table");
  c->add_option("--k", f.k, "Similar movies shown per query (the query itself included)");
  // No captured default: a vector default would be written by --dump-config as one string.
  c->add_option("--query", f.queries,
                "Query movie: exact title or movieId (repeatable; default: the seed's five titles, "
                "Matrix, The (1999); Star Wars: Episode IV - A New Hope (1977); Lion King, The "
                "(1994); Terminator 2: Judgment Day (1991); Godfather, The (1972))")
      ->default_str("");
  c->add_option("--threads", f.threads, "CPU threads (0: all cores)");
  c->add_option("--seed", f.seed, "Random seed (walks, initialisation, examples, shuffling)");
  c->add_option("--device", flags.device, "auto, cpu, cuda or cuda:N");
  c->add_flag("--quiet", flags.quiet, "Print only the similar-movie lists");
  c->add_option("--report-points", f.report.max_points,
                "report.html's embedding map: movies drawn at most (a uniform sample beyond)");
  c->add_option("--report-hubs", f.report.hubs,
                "report.html's neighbour table: this many highest-degree movies (0: no table)");
  c->add_option("--report-neighbors", f.report.neighbors,
                "report.html's neighbour table: nearest movies listed per hub");
  // --config belongs to the top-level app (apps/main.cpp); fallthrough lets users write it after
  // the subcommand too: `n2v movielens --config run.toml`.
  c->fallthrough();
  c->add_flag("--dump-config", flags.dump_config,
              "Print the effective configuration as TOML (usable with --config) and exit")
      ->configurable(false);
  return c;
}

int RunMovieLens(const MovieLensFlags& flags) {
  Stopwatch total_clock;
  MovieLensOptions o = flags.opt;
  auto device = Device::Parse(flags.device);
  if (!device.ok()) return ReportError(device.status());
  o.device = *device;
  if (absl::Status st = ValidateMovieLensOptions(o); !st.ok()) return ReportError(st);
  omp_set_num_threads(EffectiveThreads(o.threads));
  ProgressPrinter printer(flags.quiet);
  o.on_progress = printer.callback();
  absl::StatusOr<MovieLensResult> r;
  {
    InterruptCancels cancels;
    o.cancelled = [] { return PendingInterrupt() != 0; };
    r = n2v::RunMovieLens(o);
  }
  DieOfPendingInterrupt();
  if (!r.ok()) return ReportError(r.status());
  std::fputs(FormatSimilarMovies(*r).c_str(), stdout);
  std::fflush(stdout);
  double export_ms = 0;
  if (absl::Status st = WriteMovieLensOutputs(*r, o, flags.out, total_clock.ms(), &export_ms);
      !st.ok()) {
    return ReportError(st);
  }
  if (!flags.quiet) {
    std::fprintf(
        stderr, "%s\n",
        absl::StrFormat("Stages (ms): load %.1f, graph %.1f, walks %.1f, examples %.1f, training "
                        "%.1f, similarity %.1f, export %.1f; total %.1f on %s",
                        r->load_ms, r->graph_ms, r->walks_ms, r->examples_ms, r->training_ms,
                        r->similarity_ms, export_ms, total_clock.ms(), r->device.description)
            .c_str());
    std::fprintf(stderr, "Outputs in %s/: embeddings.w2v.txt vectors.tsv metadata.tsv graph.csr "
                         "loss.csv similar.txt report.html loss.svg run.json\n",
                 flags.out.c_str());
  }
  return kExitOk;
}

}  // namespace n2v::app
