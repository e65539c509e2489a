// n2v::RunMovieLens and its outputs (n2v.hpp): the seed's job, load → PMI graph → walks →
// examples → Adam training → similarity, then the exports. Everything is computed before
// anything is written, and every file is written atomically, so a failure never leaves a partial
// output directory behind.
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <future>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "n2v/atomic_file.hpp"
#include "n2v/csr_io.hpp"
#include "n2v/export.hpp"
#include "n2v/json.hpp"
#include "n2v/movie_query.hpp"
#include "n2v/n2v.hpp"
#include "n2v/report.hpp"
#include "n2v/status.hpp"
#include "n2v/stopwatch.hpp"
#if defined(N2V_WITH_CUDA)
#include "n2v/cuda_api.hpp"
#endif

namespace n2v {
namespace {

namespace fs = std::filesystem;

void ConfigJson(JsonWriter& j, const MovieLensOptions& f, const MovieLensResult& r) {
  j.BeginObject();
  j.Key("data").String(f.data);
  j.Key("min_rating").Double(f.min_rating).Key("min_weight").Double(f.min_weight);
  j.Key("p").Double(f.p).Key("q").Double(f.q);
  j.Key("num_walks").Int(f.num_walks).Key("num_steps").Int(f.num_steps);
  j.Key("window").Int(r.window).Key("negatives").Int(f.negatives);
  j.Key("dim").Int(f.dim).Key("epochs").Int(f.epochs).Key("batch").Int(f.batch);
  j.Key("optimizer").String("adam").Key("lr").Double(f.lr).Key("l2").Double(f.l2);
  j.Key("k").Int(f.k);
  j.Key("queries").BeginArray();
  for (const auto& q : f.queries) j.String(q);
  j.EndArray();
  j.Key("threads").Int(r.threads).Key("seed").Int(static_cast<int64_t>(f.seed));
  j.Key("device").String(f.device.Name());
  j.EndObject();
}

}  // namespace

absl::StatusOr<MovieLensResult> RunMovieLens(const MovieLensOptions& f) {
  N2V_RETURN_IF_ERROR(ValidateMovieLensOptions(f));
  MovieLensResult r;
  r.threads = EffectiveThreads(f.threads);
  const int threads = r.threads;
  std::string note;
  N2V_ASSIGN_OR_RETURN(r.device, ResolveDevice(f.device, threads, &note));
  if (!note.empty() && f.on_progress) {
    f.on_progress(ProgressEvent{.kind = ProgressEvent::Kind::kNote, .text = note});
  }
  r.window = f.window < 0 ? f.num_steps : static_cast<uint32_t>(f.window);

  // --- load ---
  Stopwatch clock;
  const std::string ratings_path = (fs::path(f.data) / "ratings.csv").string();
  const std::string movies_path = (fs::path(f.data) / "movies.csv").string();
  auto movies_future = std::async(std::launch::async, [&] { return ReadMovies(movies_path); });
  auto ratings = ReadRatings(ratings_path);
  auto movies = movies_future.get();
  if (!ratings.ok()) return ratings.status();
  if (!movies.ok()) return movies.status();
  r.movies = std::move(*movies);
  r.load_ms = clock.Lap();
  if (f.on_progress) {
    f.on_progress(ProgressEvent{
        .kind = ProgressEvent::Kind::kStage,
        .text = absl::StrFormat("Loaded %d ratings and %d movies from %s (%.0f ms)",
                                ratings->size(), r.movies.size(), f.data, r.load_ms)});
  }

  // --- graph ---
  N2V_ASSIGN_OR_RETURN(r.graph, BuildPmiGraph(*ratings, PmiOptions{f.min_rating, f.min_weight},
                                              &r.pmi, threads));
  *ratings = std::vector<Rating>();
  r.stats = ComputeGraphStats(r.graph);
  r.graph_ms = clock.Lap();
  if (f.on_progress) {
    const GraphStats& gs = r.stats;
    f.on_progress(ProgressEvent{
        .kind = ProgressEvent::Kind::kStage,
        .text = absl::StrFormat(
            "Movie graph: %d nodes, %d edges, average degree %.2f (min %d, median %.0f, max %d), "
            "%d connected component(s) (%.0f ms)",
            gs.nodes, gs.edges, gs.mean_degree, gs.min_degree, gs.median_degree, gs.max_degree,
            gs.components, r.graph_ms)});
  }

  // Resolve queries before the expensive stages: a typo should cost nothing.
  const MovieIndex index(r.movies, r.graph.names);
  for (const auto& q : f.queries) {
    N2V_ASSIGN_OR_RETURN(const int32_t node, index.Resolve(q));
    r.query_nodes.push_back(node);
  }
  const CsrView g = r.graph.view();
  r.titles.reserve(g.num_nodes);
  r.genres.reserve(g.num_nodes);
  for (int32_t v = 0; v < g.num_nodes; ++v) {
    r.titles.push_back(index.Title(v));
    r.genres.push_back(index.Genres(v));
  }

  // --- walks, examples, training ---
  WalkOptions wo;
  wo.p = f.p;
  wo.q = f.q;
  wo.length = f.num_steps;
  wo.num_walks = f.num_walks;
  wo.seed = f.seed;
  const ExampleOptions eo{r.window, f.negatives, f.seed};
  AdamTrainOptions ao;
  ao.dim = f.dim;
  ao.epochs = f.epochs;
  ao.batch = f.batch;
  ao.adam.lr = static_cast<float>(f.lr);
  ao.l2 = static_cast<float>(f.l2);
  ao.seed = f.seed;
  const uint64_t num_walks = static_cast<uint64_t>(f.num_walks) * g.num_nodes;
  r.walks = static_cast<int64_t>(num_walks);
  clock.Lap();
  const AliasTables alias = BuildAliasTables(g, threads);
  const double alias_ms = clock.Lap();
  N2V_ASSIGN_OR_RETURN(SeedModelResult run, TrainSeedModel(r.graph, alias, wo, eo, ao, r.device,
                                                           threads, f.on_progress, f.cancelled));
  clock.Lap();
  r.walks_ms = alias_ms + run.walks_ms;  // the walks stage includes their alias tables
  r.examples_ms = run.examples_ms;
  r.training_ms = run.training_ms;
  r.device_setup_ms = run.device_setup_ms;
  r.examples = run.examples;
  r.couples = run.couples;
  r.losses = std::move(run.losses);
  r.embeddings = std::move(run.embeddings);
  if (f.on_progress) {
    f.on_progress(ProgressEvent{
        .kind = ProgressEvent::Kind::kStage,
        .text = absl::StrFormat("Walks: %d of %d movies; %d skip-gram examples (%d couples)",
                                num_walks, f.num_steps, r.examples, r.couples)});
  }

  // --- similarity ---
  clock.Lap();
  N2V_ASSIGN_OR_RETURN(r.similar,
                       MostSimilar(r.embeddings, r.query_nodes, f.k,
                                   r.device.cuda ? Device::Cuda(r.device.index) : Device::Cpu(),
                                   threads));
  r.similarity_ms = clock.Lap();
  return r;
}

std::string FormatSimilarMovies(const MovieLensResult& r) {
  std::string text;
  for (size_t i = 0; i < r.query_nodes.size(); ++i) {
    const std::string& title = r.titles[r.query_nodes[i]];
    absl::StrAppend(&text, title, "\n", std::string(title.size(), '-'), "\n");
    for (const Neighbor& nb : r.similar[i]) {
      absl::StrAppend(&text, absl::StrFormat("- %s  (%.3f)\n", r.titles[nb.node], nb.score));
    }
    absl::StrAppend(&text, "\n");
  }
  return text;
}

absl::Status WriteMovieLensOutputs(const MovieLensResult& r, const MovieLensOptions& f,
                                   const std::string& dir, double total_ms_so_far,
                                   double* export_ms) {
  Stopwatch clock;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    return absl::UnavailableError(
        absl::StrCat(dir, ": cannot create the output directory: ", ec.message()));
  }
  auto out = [&](const char* name) { return (fs::path(dir) / name).string(); };
  const CsrView g = r.graph.view();
  std::vector<std::vector<std::string>> meta;
  meta.reserve(g.num_nodes);
  for (int32_t v = 0; v < g.num_nodes; ++v) {
    meta.push_back({r.titles[v], r.graph.names[v], r.genres[v]});
  }
  // The files are independent and each is written atomically (its own temporary, fsync, rename):
  // three writers run beside the report's assembly, so the formatting and the fsyncs overlap
  // (ml-latest-small: 9 fsyncs of ~0.3–0.9 ms each, formerly one after another). A future's
  // destructor waits for its writer, so every return below leaves no writer running.
  std::future<absl::Status> vectors = std::async(std::launch::async, [&] {
    return WriteWord2VecText(out("embeddings.w2v.txt"), r.embeddings, r.graph.names);
  });
  std::future<absl::Status> projector = std::async(std::launch::async, [&] {
    return WriteProjectorTsv(out("vectors.tsv"), out("metadata.tsv"), r.embeddings,
                             {"title", "movieId", "genres"}, meta);
  });
  std::future<absl::Status> small_files = std::async(std::launch::async, [&]() -> absl::Status {
    N2V_RETURN_IF_ERROR(WriteCsr(out("graph.csr"), r.graph));
    N2V_RETURN_IF_ERROR(WriteLossCsv(out("loss.csv"), r.losses));
    return WriteFileAtomic(out("similar.txt"), FormatSimilarMovies(r));
  });
  ReportData report;
  report.title = "n2v movielens";
  report.queries_title = "Similar movies";
  report.device = r.device.description;
  report.config = {{"data", f.data},
                   {"p", absl::StrCat(f.p)},
                   {"q", absl::StrCat(f.q)},
                   {"num_walks", absl::StrCat(f.num_walks)},
                   {"num_steps", absl::StrCat(f.num_steps)},
                   {"window", absl::StrCat(r.window)},
                   {"negatives", absl::StrCat(f.negatives)},
                   {"dim", absl::StrCat(f.dim)},
                   {"epochs", absl::StrCat(f.epochs)},
                   {"batch", absl::StrCat(f.batch)},
                   {"optimizer", "adam"},
                   {"lr", absl::StrCat(f.lr)},
                   {"l2", absl::StrCat(f.l2)},
                   {"min_rating", absl::StrCat(f.min_rating)},
                   {"min_weight", absl::StrCat(f.min_weight)},
                   {"threads", absl::StrCat(r.threads)},
                   {"seed", absl::StrCat(f.seed)}};
  report.graph = r.stats;
  report.degrees.reserve(g.num_nodes);
  for (int32_t v = 0; v < g.num_nodes; ++v) {
    report.degrees.push_back(g.offsets[v + 1] - g.offsets[v]);
  }
  report.losses = r.losses;
  report.stage_ms = {{"load", r.load_ms},         {"graph", r.graph_ms},
                     {"walks", r.walks_ms},       {"examples", r.examples_ms},
                     {"training", r.training_ms}, {"similarity", r.similarity_ms}};
  if (r.device.cuda) report.stage_ms.emplace_back("device setup", r.device_setup_ms);
  for (size_t i = 0; i < r.query_nodes.size(); ++i) {
    ReportData::Query q;
    q.query = r.titles[r.query_nodes[i]];
    for (const Neighbor& nb : r.similar[i]) q.neighbors.emplace_back(r.titles[nb.node], nb.score);
    report.queries.push_back(std::move(q));
  }
  // The map, coloured by each movie's first listed genre, named by title.
  N2V_RETURN_IF_ERROR(AddEmbeddingMap(r.graph, r.embeddings, r.titles, f.report, f.seed, r.device,
                                      r.threads, &report));
  {
    std::vector<std::string> genre_names;
    absl::flat_hash_map<std::string, int32_t> genre_id;
    std::vector<int32_t> first_genre(g.num_nodes, -1);
    for (int32_t v = 0; v < g.num_nodes; ++v) {
      const std::string genre = r.genres[v].substr(0, r.genres[v].find('|'));
      if (genre.empty() || genre == "(no genres listed)") continue;
      auto [it, added] = genre_id.try_emplace(genre, static_cast<int32_t>(genre_names.size()));
      if (added) genre_names.push_back(genre);
      first_genre[v] = it->second;
    }
    ColourByCategory(&report.map, first_genre, genre_names, "genre");
    report.map_note = "Colours: each movie's first listed genre in movies.csv.";
  }
  N2V_RETURN_IF_ERROR(WriteReport(dir, report));
  N2V_RETURN_IF_ERROR(vectors.get());
  N2V_RETURN_IF_ERROR(projector.get());
  N2V_RETURN_IF_ERROR(small_files.get());
  const double exports = clock.ms();
  if (export_ms != nullptr) *export_ms = exports;

  const GraphStats& gs = r.stats;
  JsonWriter j;
  j.BeginObject();
  j.Key("n2v_version").String(N2V_VERSION);
  j.Key("command").String("movielens");
  j.Key("device").String(r.device.description);
  j.Key("config");
  ConfigJson(j, f, r);
  j.Key("graph").BeginObject();
  j.Key("nodes").Int(gs.nodes).Key("edges").Int(gs.edges);
  j.Key("components").Int(gs.components).Key("largest_component").Int(gs.largest_component);
  j.Key("isolated_nodes").Int(gs.isolated_nodes);
  j.Key("min_degree").Int(gs.min_degree).Key("max_degree").Int(gs.max_degree);
  j.Key("mean_degree").Double(gs.mean_degree).Key("median_degree").Double(gs.median_degree);
  j.Key("min_weight").Double(gs.min_weight).Key("max_weight").Double(gs.max_weight);
  j.Key("liked_ratings").Int(r.pmi.liked_ratings).Key("users").Int(r.pmi.users);
  j.Key("pairs_counted").Int(r.pmi.pairs_counted).Key("distinct_pairs").Int(r.pmi.distinct_pairs);
  j.EndObject();
  j.Key("walks").Int(r.walks);
  j.Key("examples").Int(r.examples).Key("couples").Int(r.couples);
  j.Key("losses").BeginArray();
  for (double l : r.losses) j.Double(l);
  j.EndArray();
  j.Key("final_loss").Double(r.losses.empty() ? NAN : r.losses.back());
  j.Key("timings_ms").BeginObject();
  j.Key("load").Double(r.load_ms).Key("graph").Double(r.graph_ms).Key("walks").Double(r.walks_ms);
  j.Key("examples").Double(r.examples_ms).Key("training").Double(r.training_ms);
  j.Key("similarity").Double(r.similarity_ms).Key("export").Double(exports);
  if (r.device.cuda) j.Key("device_setup").Double(r.device_setup_ms);
  j.Key("total").Double(total_ms_so_far + clock.ms());
  j.EndObject();
  j.Key("similar").BeginArray();
  for (size_t i = 0; i < r.query_nodes.size(); ++i) {
    j.BeginObject().Key("query").String(r.titles[r.query_nodes[i]]);
    j.Key("movieId").String(r.graph.names[r.query_nodes[i]]).Key("neighbors").BeginArray();
    for (const Neighbor& nb : r.similar[i]) {
      j.BeginObject().Key("title").String(r.titles[nb.node]);
      j.Key("movieId").String(r.graph.names[nb.node]).Key("score").Double(nb.score).EndObject();
    }
    j.EndArray().EndObject();
  }
  j.EndArray();
  j.EndObject();
  return WriteFileAtomic(out("run.json"), j.str() + "\n");
}

}  // namespace n2v
