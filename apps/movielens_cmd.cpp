// `n2v movielens` (apps/movielens_cmd.hpp): load → PMI graph → walks → examples → training →
// similarity → exports. Everything is computed before anything is written, and every file is
// written atomically, so a failure never leaves a partial output directory behind.
#include "apps/movielens_cmd.hpp"

#include <omp.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <future>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "apps/cli_common.hpp"
#include "n2v/atomic_file.hpp"
#include "n2v/csr_io.hpp"
#include "n2v/export.hpp"
#include "n2v/graph_stats.hpp"
#include "n2v/json.hpp"
#include "n2v/movie_query.hpp"
#include "n2v/movielens.hpp"
#include "n2v/report.hpp"
#include "n2v/similarity.hpp"
#include "n2v/status.hpp"
#include "n2v/train.hpp"
#include "n2v/walk.hpp"
#if defined(N2V_WITH_CUDA)
#include "n2v/cuda_api.hpp"
#endif

namespace n2v::app {
namespace {

namespace fs = std::filesystem;

struct StageTimes {
  double load = 0, graph = 0, walks = 0, examples = 0, training = 0, similarity = 0, exports = 0;
  double device_setup = 0;  // GPU runs: upload, allocation and download around the device stages
  double total = 0;
};

absl::Status Validate(const MovieLensFlags& f) {
  auto bad = [](const std::string& flag, const std::string& what) {
    return absl::InvalidArgumentError(absl::StrCat(flag, ": expected ", what));
  };
  if (!(f.p > 0) || !std::isfinite(f.p)) return bad("--p", "a positive number");
  if (!(f.q > 0) || !std::isfinite(f.q)) return bad("--q", "a positive number");
  if (f.num_walks < 1) return bad("--num-walks", "at least 1");
  if (f.num_steps < 2) return bad("--num-steps", "at least 2 (a walk of one node has no pairs)");
  if (f.window == 0 || f.window < -1) return bad("--window", "at least 1");
  if (f.dim < 1 || f.dim > 1024) return bad("--dim", "1 to 1024");
  if (f.epochs < 1) return bad("--epochs", "at least 1");
  if (f.batch < 1) return bad("--batch", "at least 1");
  if (!(f.lr > 0) || !std::isfinite(f.lr)) return bad("--lr", "a positive number");
  if (!(f.l2 >= 0) || !std::isfinite(f.l2)) return bad("--l2", "a non-negative number");
  if (f.k < 1) return bad("--k", "at least 1");
  if (!std::isfinite(f.min_rating)) return bad("--min-rating", "a number");
  if (!std::isfinite(f.min_weight)) return bad("--min-weight", "a number");
  return absl::OkStatus();
}

void ConfigJson(JsonWriter& j, const MovieLensFlags& f, uint32_t window, int threads) {
  j.BeginObject();
  j.Key("data").String(f.data).Key("out").String(f.out);
  j.Key("min_rating").Double(f.min_rating).Key("min_weight").Double(f.min_weight);
  j.Key("p").Double(f.p).Key("q").Double(f.q);
  j.Key("num_walks").Int(f.num_walks).Key("num_steps").Int(f.num_steps);
  j.Key("window").Int(window).Key("negatives").Int(f.negatives);
  j.Key("dim").Int(f.dim).Key("epochs").Int(f.epochs).Key("batch").Int(f.batch);
  j.Key("optimizer").String("adam").Key("lr").Double(f.lr).Key("l2").Double(f.l2);
  j.Key("k").Int(f.k);
  j.Key("queries").BeginArray();
  for (const auto& q : f.queries) j.String(q);
  j.EndArray();
  j.Key("threads").Int(threads).Key("seed").Int(static_cast<int64_t>(f.seed));
  j.Key("device").String(f.device);
  j.EndObject();
}

}  // namespace

CLI::App* AddMovieLensCommand(CLI::App& app, MovieLensFlags& f) {
  CLI::App* c = app.add_subcommand(
      "movielens",
      "The Keras node2vec example end to end: PMI movie graph from MovieLens ratings, (p, q) walks, "
      "the seed's skip-gram model (tied table, BCE, Adam), similar movies, exports");
  c->add_option("--data", f.data, "MovieLens directory (ratings.csv, movies.csv)");
  c->add_option("--out", f.out, "Output directory");
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
  c->add_option("--device", f.device, "auto, cpu, cuda or cuda:N");
  c->add_flag("--quiet", f.quiet, "Print only the similar-movie lists");
  // --config belongs to the top-level app (apps/main.cpp); fallthrough lets users write it after
  // the subcommand too: `n2v movielens --config run.toml`.
  c->fallthrough();
  c->add_flag("--dump-config", f.dump_config,
              "Print the effective configuration as TOML (usable with --config) and exit")
      ->configurable(false);
  return c;
}

int RunMovieLens(const MovieLensFlags& f) {
  Stopwatch total_clock;
  StageTimes t;
  if (absl::Status st = Validate(f); !st.ok()) return ReportError(st);
  const int threads = EffectiveThreads(f.threads);
  omp_set_num_threads(threads);
  auto device = ChooseDevice(f.device, threads, f.quiet);
  if (!device.ok()) return ReportError(device.status());
  const uint32_t window = f.window < 0 ? f.num_steps : static_cast<uint32_t>(f.window);
  auto info = [&](const std::string& s) {
    if (!f.quiet) std::fprintf(stderr, "%s\n", s.c_str());
  };

  // --- load ---
  Stopwatch clock;
  const std::string ratings_path = (fs::path(f.data) / "ratings.csv").string();
  const std::string movies_path = (fs::path(f.data) / "movies.csv").string();
  auto movies_future = std::async(std::launch::async, [&] { return ReadMovies(movies_path); });
  auto ratings = ReadRatings(ratings_path);
  auto movies = movies_future.get();
  if (!ratings.ok()) return ReportError(ratings.status());
  if (!movies.ok()) return ReportError(movies.status());
  t.load = clock.Lap();
  info(absl::StrFormat("Loaded %d ratings and %d movies from %s (%.0f ms)", ratings->size(),
                       movies->size(), f.data, t.load));

  // --- graph ---
  PmiStats pmi;
  auto graph = BuildPmiGraph(*ratings, PmiOptions{f.min_rating, f.min_weight}, &pmi, threads);
  if (!graph.ok()) return ReportError(graph.status());
  const GraphStats gs = ComputeGraphStats(*graph);
  t.graph = clock.Lap();
  info(absl::StrFormat(
      "Movie graph: %d nodes, %d edges, average degree %.2f (min %d, median %.0f, max %d), "
      "%d connected component(s) (%.0f ms)",
      gs.nodes, gs.edges, gs.mean_degree, gs.min_degree, gs.median_degree, gs.max_degree,
      gs.components, t.graph));

  // Resolve queries before the expensive stages: a typo should cost nothing.
  MovieIndex index(*movies, graph->names);
  std::vector<int32_t> query_nodes;
  for (const auto& q : f.queries) {
    auto node = index.Resolve(q);
    if (!node.ok()) return ReportError(node.status());
    query_nodes.push_back(*node);
  }

  // --- walks, examples, training ---
  WalkOptions wo;
  wo.p = f.p;
  wo.q = f.q;
  wo.length = f.num_steps;
  wo.num_walks = f.num_walks;
  wo.seed = f.seed;
  ExampleOptions eo{window, f.negatives, f.seed};
  AdamTrainOptions ao;
  ao.dim = f.dim;
  ao.epochs = f.epochs;
  ao.batch = f.batch;
  ao.adam.lr = static_cast<float>(f.lr);
  ao.l2 = static_cast<float>(f.l2);
  ao.seed = f.seed;
  const CsrView g = graph->view();
  const uint64_t num_walks = static_cast<uint64_t>(f.num_walks) * g.num_nodes;
  int64_t num_examples = 0, raw_pairs = 0;
  std::vector<double> losses;
  Embeddings emb;
  // Progress: one line per epoch with the rate and the time left. On a terminal the line is
  // rewritten in place (the last one stays); otherwise each epoch gets its own line.
  const bool tty = ::isatty(STDERR_FILENO) == 1;
  Stopwatch epoch_clock;
  int64_t examples_per_epoch = 0;
  auto on_epoch = [&](int32_t epoch, double loss) {
    if (f.quiet) return true;
    const double s = epoch_clock.ms() / 1000.0;
    const double rate = s > 0 ? static_cast<double>(examples_per_epoch) * (epoch + 1) / s : 0;
    const double eta = s / (epoch + 1) * (f.epochs - epoch - 1);
    const std::string line = absl::StrFormat(
        "Epoch %d/%d - loss: %.4f - lr %g - %.0f%% - %.2f M examples/s - ETA %.1f s", epoch + 1,
        f.epochs, loss, f.lr, 100.0 * (epoch + 1) / f.epochs, rate / 1e6, eta);
    if (tty) {
      std::fprintf(stderr, "\r\033[K%s%s", line.c_str(), epoch + 1 == f.epochs ? "\n" : "");
    } else {
      std::fprintf(stderr, "%s\n", line.c_str());
    }
    return true;
  };
  const AliasTables alias = BuildAliasTables(g, threads);
  if (device->cuda) {
#if defined(N2V_WITH_CUDA)
    auto run = RunSeedModelOnCuda(*graph, alias, wo, eo, ao, device->index);
    if (!run.ok()) return ReportError(run.status());
    // Device stages are timed with CUDA events; the rest of the wall time (upload, allocation,
    // download) is reported as device_setup so the stage times still add up.
    const double wall = clock.Lap();
    t.walks = run->walks_ms;
    t.examples = run->examples_ms;
    t.training = run->training_ms;
    t.device_setup = wall - run->walks_ms - run->examples_ms - run->training_ms;
    num_examples = run->num_examples;
    raw_pairs = run->raw_pairs;
    losses = std::move(run->losses);
    emb = std::move(run->embeddings);
    // The device reports its losses at the end; print them without a rate.
    for (size_t e = 0; e < losses.size(); ++e) {
      info(absl::StrFormat("Epoch %d/%d - loss: %.4f", e + 1, f.epochs, losses[e]));
    }
#endif
  } else {
    std::vector<int32_t> walks(num_walks * f.num_steps);
    cpu::SampleWalks(g, alias.view(), MakeWalkParams(wo), 0, num_walks, walks.data(), threads);
    t.walks = clock.Lap();
    Examples ex = cpu::GenerateExamples(walks.data(), static_cast<int64_t>(num_walks), f.num_steps,
                                        g.num_nodes, eo, threads);
    t.examples = clock.Lap();
    num_examples = ex.size();
    raw_pairs = ex.raw_pairs;
    if (num_examples < f.batch) {
      return ReportError(absl::InvalidArgumentError(absl::StrCat(
          "only ", num_examples, " training examples, fewer than one batch of --batch ", f.batch)));
    }
    emb = InitHeNormal(g.num_nodes, f.dim, f.seed, threads);
    examples_per_epoch = num_examples / f.batch * f.batch;  // drop_remainder
    epoch_clock = Stopwatch();
    losses = cpu::TrainAdam(ex, ao, &emb, threads, on_epoch);
    t.training = clock.Lap();
  }
  info(absl::StrFormat("Walks: %d of %d movies; %d skip-gram examples (%d couples)", num_walks,
                       f.num_steps, num_examples, raw_pairs));

  // --- similarity ---
  std::vector<std::vector<Neighbor>> similar;
  if (device->cuda) {
#if defined(N2V_WITH_CUDA)
    auto s = CudaTopKCosine(emb, query_nodes, f.k);
    if (!s.ok()) return ReportError(s.status());
    similar = std::move(*s);
#endif
  } else {
    similar = cpu::TopKCosine(emb, query_nodes, f.k, threads);
  }
  t.similarity = clock.Lap();
  std::string similar_text;
  for (size_t i = 0; i < f.queries.size(); ++i) {
    const std::string& title = index.Title(query_nodes[i]);
    absl::StrAppend(&similar_text, title, "\n", std::string(title.size(), '-'), "\n");
    for (const Neighbor& nb : similar[i]) {
      absl::StrAppend(&similar_text, absl::StrFormat("- %s  (%.3f)\n", index.Title(nb.node), nb.score));
    }
    absl::StrAppend(&similar_text, "\n");
  }
  std::fputs(similar_text.c_str(), stdout);
  std::fflush(stdout);

  // --- exports ---
  std::error_code ec;
  fs::create_directories(f.out, ec);
  if (ec) {
    return ReportError(absl::UnavailableError(
        absl::StrCat(f.out, ": cannot create the output directory: ", ec.message())));
  }
  auto out = [&](const char* name) { return (fs::path(f.out) / name).string(); };
  std::vector<std::vector<std::string>> meta;
  meta.reserve(g.num_nodes);
  for (int32_t v = 0; v < g.num_nodes; ++v) {
    meta.push_back({index.Title(v), graph->names[v], index.Genres(v)});
  }
  absl::Status st = WriteWord2VecText(out("embeddings.w2v.txt"), emb, graph->names);
  if (st.ok()) st = WriteProjectorTsv(out("vectors.tsv"), out("metadata.tsv"), emb,
                                      {"title", "movieId", "genres"}, meta);
  if (st.ok()) st = WriteCsr(out("graph.csr"), *graph);
  if (st.ok()) st = WriteLossCsv(out("loss.csv"), losses);
  if (st.ok()) st = WriteFileAtomic(out("similar.txt"), similar_text);
  if (!st.ok()) return ReportError(st);
  ReportData report;
  report.title = "n2v movielens";
  report.device = device->description;
  report.config = {{"data", f.data},
                   {"p", absl::StrCat(f.p)},
                   {"q", absl::StrCat(f.q)},
                   {"num_walks", absl::StrCat(f.num_walks)},
                   {"num_steps", absl::StrCat(f.num_steps)},
                   {"window", absl::StrCat(window)},
                   {"negatives", absl::StrCat(f.negatives)},
                   {"dim", absl::StrCat(f.dim)},
                   {"epochs", absl::StrCat(f.epochs)},
                   {"batch", absl::StrCat(f.batch)},
                   {"optimizer", "adam"},
                   {"lr", absl::StrCat(f.lr)},
                   {"l2", absl::StrCat(f.l2)},
                   {"min_rating", absl::StrCat(f.min_rating)},
                   {"min_weight", absl::StrCat(f.min_weight)},
                   {"threads", absl::StrCat(threads)},
                   {"seed", absl::StrCat(f.seed)}};
  report.graph = gs;
  report.degrees.reserve(g.num_nodes);
  for (int32_t v = 0; v < g.num_nodes; ++v) report.degrees.push_back(g.offsets[v + 1] - g.offsets[v]);
  report.losses = losses;
  report.stage_ms = {{"load", t.load},         {"graph", t.graph},
                     {"walks", t.walks},       {"examples", t.examples},
                     {"training", t.training}, {"similarity", t.similarity}};
  if (device->cuda) report.stage_ms.emplace_back("device setup", t.device_setup);
  for (size_t i = 0; i < f.queries.size(); ++i) {
    ReportData::Query q;
    q.query = index.Title(query_nodes[i]);
    for (const Neighbor& nb : similar[i]) q.neighbors.emplace_back(index.Title(nb.node), nb.score);
    report.queries.push_back(std::move(q));
  }
  st = WriteReport(f.out, report);
  if (!st.ok()) return ReportError(st);
  t.exports = clock.Lap();
  t.total = total_clock.ms();

  JsonWriter r;
  r.BeginObject();
  r.Key("n2v_version").String(N2V_VERSION);
  r.Key("command").String("movielens");
  r.Key("device").String(device->description);
  r.Key("config");
  ConfigJson(r, f, window, threads);
  r.Key("graph").BeginObject();
  r.Key("nodes").Int(gs.nodes).Key("edges").Int(gs.edges);
  r.Key("components").Int(gs.components).Key("largest_component").Int(gs.largest_component);
  r.Key("isolated_nodes").Int(gs.isolated_nodes);
  r.Key("min_degree").Int(gs.min_degree).Key("max_degree").Int(gs.max_degree);
  r.Key("mean_degree").Double(gs.mean_degree).Key("median_degree").Double(gs.median_degree);
  r.Key("min_weight").Double(gs.min_weight).Key("max_weight").Double(gs.max_weight);
  r.Key("liked_ratings").Int(pmi.liked_ratings).Key("users").Int(pmi.users);
  r.Key("pairs_counted").Int(pmi.pairs_counted).Key("distinct_pairs").Int(pmi.distinct_pairs);
  r.EndObject();
  r.Key("walks").Int(static_cast<int64_t>(num_walks));
  r.Key("examples").Int(num_examples).Key("couples").Int(raw_pairs);
  r.Key("losses").BeginArray();
  for (double l : losses) r.Double(l);
  r.EndArray();
  r.Key("final_loss").Double(losses.empty() ? NAN : losses.back());
  r.Key("timings_ms").BeginObject();
  r.Key("load").Double(t.load).Key("graph").Double(t.graph).Key("walks").Double(t.walks);
  r.Key("examples").Double(t.examples).Key("training").Double(t.training);
  r.Key("similarity").Double(t.similarity).Key("export").Double(t.exports);
  if (device->cuda) r.Key("device_setup").Double(t.device_setup);
  r.Key("total").Double(t.total);
  r.EndObject();
  r.Key("similar").BeginArray();
  for (size_t i = 0; i < f.queries.size(); ++i) {
    r.BeginObject().Key("query").String(index.Title(query_nodes[i]));
    r.Key("movieId").String(graph->names[query_nodes[i]]).Key("neighbors").BeginArray();
    for (const Neighbor& nb : similar[i]) {
      r.BeginObject().Key("title").String(index.Title(nb.node));
      r.Key("movieId").String(graph->names[nb.node]).Key("score").Double(nb.score).EndObject();
    }
    r.EndArray().EndObject();
  }
  r.EndArray();
  r.EndObject();
  st = WriteFileAtomic(out("run.json"), r.str() + "\n");
  if (!st.ok()) return ReportError(st);

  info(absl::StrFormat(
      "Stages (ms): load %.1f, graph %.1f, walks %.1f, examples %.1f, training %.1f, "
      "similarity %.1f, export %.1f; total %.1f on %s",
      t.load, t.graph, t.walks, t.examples, t.training, t.similarity, t.exports, t.total,
      device->description));
  info(absl::StrCat("Outputs in ", f.out,
                    "/: embeddings.w2v.txt vectors.tsv metadata.tsv graph.csr loss.csv "
                    "similar.txt report.html loss.svg run.json"));
  return kExitOk;
}

}  // namespace n2v::app
