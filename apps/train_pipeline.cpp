// Shared flags and the training run of `n2v train`, `n2v walk` and `n2v eval`
// (apps/train_pipeline.hpp).
#include "apps/train_pipeline.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "n2v/edgelist.hpp"
#include "n2v/status.hpp"
#include "n2v/word2vec.hpp"
#if defined(N2V_WITH_CUDA)
#include "n2v/cuda_api.hpp"
#endif

namespace n2v::app {
namespace {

absl::Status Bad(const std::string& flag, const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat(flag, ": expected ", what));
}

}  // namespace

void AddGraphFlags(CLI::App* c, GraphFlags& f, bool required) {
  auto* in = c->add_option("--input,-i", f.input,
                           "Graph: an edge list ('u v' or 'u v w' lines; '#' comments; plain or "
                           "gzip) or a CSR file from `n2v graph`");
  if (required) in->required();
  c->add_flag("--weighted", f.weighted, "Edge-list lines carry a third column, the edge weight");
  c->add_flag("--directed", f.directed,
              "Edges are arcs u -> v (default: undirected, each edge in both directions)");
}

void AddWalkFlags(CLI::App* c, WalkFlags& f) {
  c->add_option("--p", f.p, "Return parameter p (weight/p back to the previous node)");
  c->add_option("--q", f.q, "In-out parameter q (weight/q to nodes away from the previous one)");
  c->add_option("--walk-length,-l", f.walk_length, "Nodes per walk (the start included)");
  c->add_option("--num-walks,-r", f.num_walks, "Walks started from every node");
}

void AddModelFlags(CLI::App* c, ModelFlags& f) {
  c->add_option("--dimensions,--dim,-d", f.dim, "Embedding dimension");
  c->add_option("--window-size,--window,-k", f.window,
                "Skip-gram window (sgd: each position draws its window from 1..this, as word2vec)");
  c->add_option("--epochs,--iter", f.epochs, "Passes over the walks");
  c->add_option("--negative,--negatives", f.negative, "Negative samples per positive pair");
  c->add_option("--optimizer", f.optimizer,
                "sgd: word2vec's (two tables, unigram^0.75 negatives, linear lr decay, Hogwild); "
                "adam: the Keras example's model (one table, BCE, Adam, L2)")
      ->check(CLI::IsMember({"sgd", "adam"}));
  c->add_option("--lr,--alpha", f.lr, "Learning rate (-1: 0.025 for sgd, 0.001 for adam)");
  c->add_option("--embedding", f.embedding,
                "sgd: the vectors written: input+output (word2vec's two tables summed, w + c as "
                "Levy et al. 2015; better for link prediction) or input (syn0 alone, gensim's wv)")
      ->check(CLI::IsMember({"input+output", "input"}));
  c->add_option("--batch", f.batch, "Batch size (adam only)");
  c->add_option("--l2", f.l2, "L2 penalty on the table (adam only)");
}

void AddRunFlags(CLI::App* c, RunFlags& f) {
  c->add_option("--threads,--workers", f.threads, "CPU threads (0: all cores)");
  c->add_option("--seed", f.seed, "Random seed (walks, initialisation, negatives)");
  c->add_option("--device", f.device, "auto, cpu, cuda or cuda:N");
  c->add_flag("--quiet", f.quiet, "Print nothing but errors");
}

absl::Status ValidateWalkFlags(const WalkFlags& f) {
  if (!(f.p > 0) || !std::isfinite(f.p)) return Bad("--p", "a positive number");
  if (!(f.q > 0) || !std::isfinite(f.q)) return Bad("--q", "a positive number");
  if (f.walk_length < 2) return Bad("--walk-length", "at least 2 (a walk of one node has no pairs)");
  if (f.num_walks < 1) return Bad("--num-walks", "at least 1");
  return absl::OkStatus();
}

absl::Status ValidateModelFlags(const ModelFlags& f) {
  if (f.dim < 1 || f.dim > 1024) return Bad("--dimensions", "1 to 1024");
  if (f.window < 1) return Bad("--window-size", "at least 1");
  if (f.epochs < 1) return Bad("--epochs", "at least 1");
  if (f.lr != -1 && (!(f.lr > 0) || !std::isfinite(f.lr))) {
    return Bad("--lr", "a positive number (or -1 for the optimizer's default)");
  }
  if (f.batch < 1) return Bad("--batch", "at least 1");
  if (!(f.l2 >= 0) || !std::isfinite(f.l2)) return Bad("--l2", "a non-negative number");
  return absl::OkStatus();
}

absl::StatusOr<Graph> LoadGraph(const GraphFlags& f, bool quiet) {
  EdgeListStats st;
  N2V_ASSIGN_OR_RETURN(Graph g,
                       ReadGraph(f.input, EdgeListOptions{f.weighted, f.directed}, &st));
  if (g.num_nodes() == 0) {
    return absl::InvalidArgumentError(absl::StrCat(f.input, ": the graph has no nodes"));
  }
  if (g.num_edges() == 0) {
    // Every walk would be its start node alone: no pairs to train on, no split to evaluate.
    return absl::InvalidArgumentError(absl::StrCat(
        f.input, ": the graph has ", g.num_nodes(), " nodes but no edges; walks need edges"));
  }
  if (!quiet) {
    std::fprintf(stderr, "Graph %s: %d nodes, %lld %s edges\n", f.input.c_str(), g.num_nodes(),
                 static_cast<long long>(g.num_edges()), g.directed ? "directed" : "undirected");
    if (st.duplicates > 0) {
      std::fprintf(stderr, "n2v: warning: %s: %lld duplicate edge line(s) merged into one edge%s\n",
                   f.input.c_str(), static_cast<long long>(st.duplicates),
                   f.weighted ? " (weights summed)" : "");
    }
    if (st.self_loops > 0) {
      std::fprintf(stderr, "n2v: note: %s: %lld self-loop(s) kept\n", f.input.c_str(),
                   static_cast<long long>(st.self_loops));
    }
  }
  return g;
}

WalkOptions MakeWalkOptions(const WalkFlags& w, uint64_t seed) {
  WalkOptions wo;
  wo.p = w.p;
  wo.q = w.q;
  wo.length = w.walk_length;
  wo.num_walks = w.num_walks;
  wo.seed = seed;
  return wo;
}

}  // namespace n2v::app

namespace n2v::app {
namespace {

// A progress line: rewritten in place on a terminal, one line per update otherwise.
class Progress {
 public:
  explicit Progress(bool quiet) : quiet_(quiet), tty_(::isatty(STDERR_FILENO) == 1) {}
  void Line(const std::string& s, bool final) {
    if (quiet_) return;
    if (tty_) {
      std::fprintf(stderr, "\r\033[K%s%s", s.c_str(), final ? "\n" : "");
    } else if (final || !tty_) {
      std::fprintf(stderr, "%s\n", s.c_str());
    }
  }
  bool tty() const { return tty_; }

 private:
  bool quiet_, tty_;
};

absl::StatusOr<TrainResult> TrainAdamRegime(const Graph& graph, const AliasTables& alias,
                                            const WalkFlags& w, const ModelFlags& m,
                                            const RunFlags& r, const DeviceChoice& device,
                                            int threads) {
  TrainResult res;
  const WalkOptions wo = MakeWalkOptions(w, r.seed);
  ExampleOptions eo{m.window, m.negative, r.seed};
  AdamTrainOptions ao;
  ao.dim = m.dim;
  ao.epochs = m.epochs;
  ao.batch = m.batch;
  ao.adam.lr = static_cast<float>(m.lr < 0 ? 1e-3 : m.lr);
  ao.l2 = static_cast<float>(m.l2);
  ao.seed = r.seed;
  Progress progress(r.quiet);
  if (device.cuda) {
#if defined(N2V_WITH_CUDA)
    N2V_ASSIGN_OR_RETURN(CudaSeedRun run,
                         RunSeedModelOnCuda(graph, alias, wo, eo, ao, device.index));
    res.walks_ms = run.walks_ms + run.examples_ms;
    res.training_ms = run.training_ms;
    res.pairs = run.num_examples;
    res.losses = std::move(run.losses);
    res.emb = std::move(run.embeddings);
    for (size_t e = 0; e < res.losses.size(); ++e) {
      progress.Line(absl::StrFormat("Epoch %d/%d - loss %.4f", e + 1, m.epochs, res.losses[e]),
                    true);
    }
    return res;
#endif
  }
  const CsrView g = graph.view();
  Stopwatch clock;
  const uint64_t num_walks = static_cast<uint64_t>(w.num_walks) * g.num_nodes;
  std::vector<int32_t> walks(num_walks * w.walk_length);
  cpu::SampleWalks(g, alias.view(), MakeWalkParams(wo), 0, num_walks, walks.data(), threads);
  Examples ex = cpu::GenerateExamples(walks.data(), static_cast<int64_t>(num_walks),
                                      w.walk_length, g.num_nodes, eo, threads);
  walks = {};
  res.walks_ms = clock.Lap();
  if (ex.size() < m.batch) {
    return absl::InvalidArgumentError(absl::StrCat("only ", ex.size(),
                                                   " training examples, fewer than one --batch of ",
                                                   m.batch));
  }
  res.pairs = ex.size();
  res.emb = InitHeNormal(g.num_nodes, m.dim, r.seed, threads);
  const double per_epoch = static_cast<double>(ex.size() / m.batch * m.batch);
  Stopwatch epoch_clock;
  res.losses = cpu::TrainAdam(ex, ao, &res.emb, threads, [&](int32_t epoch, double loss) {
    const double s = epoch_clock.ms() / 1000.0;
    progress.Line(absl::StrFormat("Epoch %d/%d - loss %.4f - %.2f M examples/s - ETA %.1f s",
                                  epoch + 1, m.epochs, loss,
                                  s > 0 ? per_epoch * (epoch + 1) / s / 1e6 : 0.0,
                                  s / (epoch + 1) * (m.epochs - epoch - 1)),
                  epoch + 1 == m.epochs);
    return true;
  });
  res.training_ms = clock.Lap();
  return res;
}

}  // namespace
}  // namespace n2v::app

namespace n2v::app {
namespace {

namespace fs = std::filesystem;

// --resume takes a checkpoint file, or a directory whose highest epoch-N.ckpt is used.
absl::StatusOr<std::string> ResolveCheckpoint(const std::string& resume) {
  std::error_code ec;
  if (fs::is_regular_file(resume, ec)) return resume;
  if (!fs::is_directory(resume, ec)) {
    return absl::NotFoundError(absl::StrCat("--resume ", resume, ": no such checkpoint file or directory"));
  }
  int best = -1;
  std::string path;
  for (const auto& e : fs::directory_iterator(resume, ec)) {
    const std::string name = e.path().filename().string();
    int epoch = 0;
    if (std::sscanf(name.c_str(), "epoch-%d.ckpt", &epoch) == 1 &&
        name == absl::StrCat("epoch-", epoch, ".ckpt") && epoch > best) {
      best = epoch;
      path = e.path().string();
    }
  }
  if (best < 0) {
    return absl::NotFoundError(absl::StrCat("--resume ", resume, ": no epoch-N.ckpt file in it"));
  }
  return path;
}

// w + c: the output table added to the input table, row by row.
void AddTables(const Embeddings& output, Embeddings* input) {
  N2V_CHECK(output.rows == input->rows && output.dim == input->dim);
  float* in = input->data.data();
  const float* out = output.data.data();
  const int64_t n = static_cast<int64_t>(input->data.size());
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < n; ++i) in[i] += out[i];
}

// A resumed run must be the same run: name the first setting that differs, as its flag.
absl::Status CheckSameRun(const std::string& path, const SgdState& s, const SgdTrainOptions& o,
                          int32_t num_nodes, uint32_t length, uint64_t num_walks) {
  auto differs = [&](const char* flag, const std::string& was, const std::string& now) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--resume ", path, ": the checkpoint was made with ", flag, " ", was, ", this run has ",
        now, "; resume with the settings of the run that wrote it"));
  };
  if (s.options.dim != o.dim) return differs("--dimensions", absl::StrCat(s.options.dim), absl::StrCat(o.dim));
  if (s.options.epochs != o.epochs) return differs("--epochs", absl::StrCat(s.options.epochs), absl::StrCat(o.epochs));
  if (s.options.window != o.window) return differs("--window-size", absl::StrCat(s.options.window), absl::StrCat(o.window));
  if (s.options.negatives != o.negatives) return differs("--negative", absl::StrCat(s.options.negatives), absl::StrCat(o.negatives));
  if (s.options.lr != o.lr) return differs("--lr", absl::StrCat(s.options.lr), absl::StrCat(o.lr));
  if (s.options.seed != o.seed) return differs("--seed", absl::StrCat(s.options.seed), absl::StrCat(o.seed));
  if (s.num_nodes != num_nodes) return differs("a graph of", absl::StrCat(s.num_nodes, " nodes"), absl::StrCat(num_nodes, " nodes"));
  if (s.walk_length != length) return differs("--walk-length", absl::StrCat(s.walk_length), absl::StrCat(length));
  if (s.num_walks != num_walks) {
    return differs("--num-walks", absl::StrCat(s.num_walks / std::max(1, num_nodes)),
                   absl::StrCat(num_walks / std::max(1, num_nodes)));
  }
  return absl::OkStatus();
}

absl::StatusOr<TrainResult> TrainSgdRegime(const Graph& graph, const AliasTables& alias,
                                           const WalkFlags& w, const ModelFlags& m,
                                           const RunFlags& r, const DeviceChoice& device,
                                           int threads, const CheckpointFlags* ckpt) {
  TrainResult res;
  SgdTrainOptions o;
  o.dim = m.dim;
  o.epochs = m.epochs;
  o.window = m.window;
  o.negatives = m.negative;
  o.lr = static_cast<float>(m.lr < 0 ? 0.025 : m.lr);
  o.seed = r.seed;
  const CsrView g = graph.view();
  const core::WalkParams wp = MakeWalkParams(MakeWalkOptions(w, r.seed));
  const uint64_t num_walks = static_cast<uint64_t>(w.num_walks) * g.num_nodes;
  Progress progress(r.quiet);
  if (device.cuda) {
#if defined(N2V_WITH_CUDA)
    // The GPU path materialises the walks in host memory (4 bytes per walk position).
    const double walk_bytes = static_cast<double>(num_walks) * w.walk_length * 4;
    if (walk_bytes > 0.5 * static_cast<double>(PhysicalMemoryBytes())) {
      return absl::ResourceExhaustedError(absl::StrFormat(
          "--device %s: the walks need %.1f GB of host memory, more than half of this machine's; "
          "use --device cpu (it streams the walks) or fewer --num-walks",
          r.device, walk_bytes / 1e9));
    }
    Stopwatch clock;
    std::vector<int32_t> walks(num_walks * w.walk_length);
    N2V_RETURN_IF_ERROR(cuda::SampleWalks(g, alias.view(), wp, 0, num_walks, walks.data()));
    res.walks_ms = clock.Lap();
    Embeddings output;
    N2V_ASSIGN_OR_RETURN(SgdStats stats,
                         cuda::TrainSgd(walks.data(), static_cast<int64_t>(num_walks),
                                        w.walk_length, g.num_nodes, o, &res.emb, &output));
    if (m.embedding == "input+output") AddTables(output, &res.emb);
    res.training_ms = clock.Lap();
    res.losses = std::move(stats.losses);
    res.pairs = stats.pairs;
    for (size_t e = 0; e < res.losses.size(); ++e) {
      progress.Line(absl::StrFormat("Epoch %d/%d - loss %.4f", e + 1, m.epochs, res.losses[e]),
                    true);
    }
    return res;
#endif
  }
  SgdState state;
  if (ckpt != nullptr && !ckpt->resume.empty()) {
    N2V_ASSIGN_OR_RETURN(const std::string path, ResolveCheckpoint(ckpt->resume));
    N2V_ASSIGN_OR_RETURN(state, ReadSgdCheckpoint(path));
    N2V_RETURN_IF_ERROR(CheckSameRun(path, state, o, g.num_nodes, w.walk_length, num_walks));
    res.first_epoch = state.next_epoch;
    if (!r.quiet) {
      std::fprintf(stderr, "Resuming from %s: %d of %d epochs done\n", path.c_str(),
                   state.next_epoch, o.epochs);
    }
  }
  if (ckpt != nullptr && ckpt->every > 0) {
    std::error_code ec;
    fs::create_directories(ckpt->dir, ec);
    if (ec) {
      return absl::UnavailableError(
          absl::StrCat("--checkpoint-dir ", ckpt->dir, ": cannot create it: ", ec.message()));
    }
  }
  absl::Status checkpoint_status;
  Stopwatch clock;
  Stopwatch rate_clock;
  uint64_t rate_base = 0;
  bool rate_started = false;
  auto on_progress = [&](uint64_t done, uint64_t total) {
    if (!progress.tty() || r.quiet) return;  // logs get the per-epoch lines only
    if (!rate_started) {
      rate_started = true;
      rate_base = done;
      rate_clock = Stopwatch();
      return;
    }
    const double s = rate_clock.ms() / 1000;
    const double rate = s > 0 ? static_cast<double>(done - rate_base) / s : 0;
    progress.Line(absl::StrFormat("Training %.1f%% - %.2f M words/s - ETA %.0f s",
                                  100.0 * done / std::max<uint64_t>(total, 1), rate / 1e6,
                                  rate > 0 ? (total - done) / rate : 0.0),
                  false);
  };
  auto on_epoch = [&](const SgdState& s) {
    const int32_t epoch = s.next_epoch;  // epochs finished
    const double sec = clock.ms() / 1000;
    progress.Line(absl::StrFormat("Epoch %d/%d - loss %.4f - %.1f s", epoch, o.epochs,
                                  s.losses.empty() ? NAN : s.losses.back(), sec),
                  true);
    if (ckpt != nullptr && ckpt->every > 0 && (epoch % ckpt->every == 0 || epoch == o.epochs)) {
      const std::string path = (fs::path(ckpt->dir) / absl::StrCat("epoch-", epoch, ".ckpt")).string();
      checkpoint_status = WriteSgdCheckpoint(path, s);
      if (!checkpoint_status.ok()) return false;
    }
    return true;
  };
  N2V_ASSIGN_OR_RETURN(SgdStats stats,
                       cpu::TrainSgdOnGraph(g, alias.view(), wp, num_walks, o, threads, &state,
                                            on_epoch, on_progress));
  N2V_RETURN_IF_ERROR(checkpoint_status);
  res.training_ms = clock.Lap();
  res.losses = std::move(stats.losses);
  res.pairs = stats.pairs;
  res.emb = std::move(state.input);
  if (m.embedding == "input+output") AddTables(state.output, &res.emb);
  return res;
}

}  // namespace

absl::StatusOr<TrainResult> TrainEmbeddings(const Graph& g, const AliasTables& alias,
                                            const WalkFlags& w, const ModelFlags& m,
                                            const RunFlags& r, const DeviceChoice& device,
                                            int threads, const CheckpointFlags* ckpt) {
  if (m.optimizer == "adam") return TrainAdamRegime(g, alias, w, m, r, device, threads);
  return TrainSgdRegime(g, alias, w, m, r, device, threads, ckpt);
}

}  // namespace n2v::app
