// Flags bound to the library's options, the graph reader with its printed summary, and the
// progress printer (apps/train_flags.hpp).
#include "apps/train_flags.hpp"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "n2v/status.hpp"

namespace n2v::app {

absl::StatusOr<TrainOptions> TrainFlagSet::ToOptions() const {
  TrainOptions o = opt;
  N2V_ASSIGN_OR_RETURN(o.model.optimizer, ParseOptimizer(optimizer));
  N2V_ASSIGN_OR_RETURN(o.model.embedding, ParseEmbeddingTable(embedding));
  N2V_ASSIGN_OR_RETURN(o.gpu_transport, ParseGpuTransport(gpu_transport));
  N2V_ASSIGN_OR_RETURN(o.device, Device::Parse(device));
  return o;
}

void AddGraphFlags(CLI::App* c, GraphFlags& f, bool required) {
  auto* in = c->add_option("--input,-i", f.input,
                           "Graph: an edge list ('u v' or 'u v w' lines; '#' comments; plain or "
                           "gzip) or a CSR file from `n2v graph`");
  if (required) in->required();
  c->add_flag("--weighted", f.read.weighted,
              "Edge-list lines carry a third column, the edge weight");
  c->add_flag("--directed", f.read.directed,
              "Edges are arcs u -> v (default: undirected, each edge in both directions)");
}

void AddSyncFlag(CLI::App* c, uint32_t& sync_every) {
  c->add_option("--sync-every", sync_every,
                "Under mpirun: chunks (about 2048 walk positions each) every rank trains between "
                "two sums of the tables' deltas (0: auto, the longest whose staleness is at most 4: "
                "docs/DISTRIBUTED.md)");
}

void AddGpuTransportFlag(CLI::App* c, std::string& transport) {
  c->add_option("--gpu-transport", transport,
                "Under mpirun with --device cuda: how GPU ranks sum the tables' deltas (nccl: "
                "NCCL, one GPU per rank; host: copied to host memory and summed by MPI, which also "
                "works for ranks sharing a GPU; auto: nccl when every rank can use it, else host)")
      ->check(CLI::IsMember({"auto", "nccl", "host"}));
}

void AddWalkFlags(CLI::App* c, WalkConfig& w) {
  c->add_option("--p", w.p, "Return parameter p (weight/p back to the previous node)");
  c->add_option("--q", w.q, "In-out parameter q (weight/q to nodes away from the previous one)");
  c->add_option("--walk-length,-l", w.length, "Nodes per walk (the start included)");
  c->add_option("--num-walks,-r", w.num_walks, "Walks started from every node");
}

void AddModelFlags(CLI::App* c, TrainFlagSet& f) {
  ModelConfig& m = f.opt.model;
  c->add_option("--dimensions,--dim,-d", m.dim, "Embedding dimension");
  c->add_option("--window-size,--window,-k", m.window,
                "Skip-gram window (sgd: each position draws its window from 1..this, as word2vec)");
  c->add_option("--epochs,--iter", m.epochs, "Passes over the walks");
  c->add_option("--negative,--negatives", m.negatives, "Negative samples per positive pair");
  c->add_option("--optimizer", f.optimizer,
                "sgd: word2vec's (two tables, unigram^0.75 negatives, linear lr decay, Hogwild); "
                "adam: the Keras example's model (one table, BCE, Adam, L2)")
      ->check(CLI::IsMember({"sgd", "adam"}));
  c->add_option("--lr,--alpha", m.lr,
                absl::StrCat("Learning rate (-1: ", core::kSgdDefaultLr, " for sgd, ",
                             core::kAdamDefaultLr, " for adam)"));
  c->add_option("--embedding", f.embedding,
                "sgd: the vectors written: input+output (word2vec's two tables summed, w + c as "
                "Levy et al. 2015; better for link prediction) or input (syn0 alone, gensim's wv)")
      ->check(CLI::IsMember({"input+output", "input"}));
  c->add_option("--sample", m.sample,
                "sgd: word2vec's subsampling of frequent nodes: an occurrence of a node of "
                "frequency f is kept with probability (sqrt(f/s) + 1)·s/f (0: off; word2vec and "
                "gensim use 1e-3)");
  c->add_flag("--shared-negatives", m.shared_negatives,
              "sgd: the contexts of a centre's window share one set of negatives, so the "
              "window trains as one small matrix product (HogBatch); fewer rows touched");
  c->add_option("--batch", m.batch, "Batch size (adam only)");
  c->add_option("--l2", m.l2, "L2 penalty on the table (adam only)");
}

void AddRunFlags(CLI::App* c, int& threads, uint64_t& seed, std::string& device, bool& quiet) {
  c->add_option("--threads,--workers", threads, "CPU threads (0: all cores)");
  c->add_option("--seed", seed, "Random seed (walks, initialisation, negatives)");
  c->add_option("--device", device, "auto, cpu, cuda or cuda:N");
  c->add_flag("--quiet", quiet, "Print nothing but errors");
}

void AddReportFlags(CLI::App* c, ReportOptions& r, bool& no_report, const std::string& where,
                    bool labels) {
  c->add_option("--report", r.path,
                absl::StrCat("Write the self-contained HTML report here (default: ", where, ")"));
  c->add_flag("--no-report", no_report, "Write no HTML report");
  c->add_option("--report-points", r.max_points,
                "Embedding map: nodes drawn at most (a uniform sample beyond, said on the page)");
  c->add_option("--report-hubs", r.hubs,
                "Neighbour table: this many highest-degree nodes (0: no table)");
  c->add_option("--report-neighbors", r.neighbors, "Neighbour table: nearest nodes listed per hub");
  if (labels) {
    c->add_option("--report-labels", r.labels,
                  "Colour the map by label, from this 'node label ...' file (of a node's labels, the one the "
                  "file names first)");
  }
}

absl::StatusOr<Graph> LoadGraph(const GraphFlags& f, bool quiet) {
  EdgeListStats st;
  N2V_ASSIGN_OR_RETURN(Graph g, ReadGraph(f.input, f.read, &st));
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
                   f.read.weighted ? " (weights summed)" : "");
    }
    if (st.self_loops > 0) {
      std::fprintf(stderr, "n2v: note: %s: %lld self-loop(s) kept\n", f.input.c_str(),
                   static_cast<long long>(st.self_loops));
    }
  }
  return g;
}

ProgressPrinter::ProgressPrinter(bool quiet)
    : quiet_(quiet), tty_(::isatty(STDERR_FILENO) == 1) {}

ProgressCallback ProgressPrinter::callback() {
  return [this](const ProgressEvent& e) { On(e); };
}

void ProgressPrinter::Line(const std::string& s, bool final) {
  if (quiet_) return;
  if (tty_) {
    std::fprintf(stderr, "\r\033[K%s%s", s.c_str(), final ? "\n" : "");
  } else if (final) {
    std::fprintf(stderr, "%s\n", s.c_str());
  }
}

void ProgressPrinter::On(const ProgressEvent& e) {
  if (quiet_) return;
  using K = ProgressEvent::Kind;
  switch (e.kind) {
    case K::kNote:
      Line(absl::StrCat("n2v: ", e.text), true);
      break;
    case K::kStage:
      Line(e.text, true);
      break;
    case K::kResumed:
      Line(absl::StrFormat("Resuming from %s: %d of %d epochs done", e.text, e.epoch, e.epochs),
           true);
      break;
    case K::kProgress: {
      // Logs get the per-epoch lines only; a terminal also gets a rate and the time left,
      // measured from the first report (set-up excluded).
      if (!tty_ || e.total == 0) break;
      if (!rate_started_) {
        rate_started_ = true;
        rate_base_ = e.done;
        rate_t0_ = e.seconds;
        break;
      }
      const double s = e.seconds - rate_t0_;
      const double rate = s > 0 ? static_cast<double>(e.done - rate_base_) / s : 0;
      Line(absl::StrFormat("Training %.1f%% - %.2f M words/s - ETA %.0f s",
                           100.0 * e.done / e.total, rate / 1e6,
                           rate > 0 ? (e.total - e.done) / rate : 0.0),
           false);
      break;
    }
    case K::kEpoch: {
      std::string line =
          absl::StrFormat("Epoch %d/%d - loss %.4f - %.1f s", e.epoch, e.epochs, e.loss, e.seconds);
      if (e.total > 0 && e.seconds > 0) {
        const double rate = static_cast<double>(e.done) / e.seconds;
        absl::StrAppend(&line, absl::StrFormat(" - %.2f M examples/s - ETA %.1f s", rate / 1e6,
                                               e.seconds / e.epoch * (e.epochs - e.epoch)));
      }
      // Adam's epochs are short: on a terminal they share one line; SGD's each get their own.
      Line(line, !tty_ || e.total == 0 || e.epoch == e.epochs);
      break;
    }
  }
}

}  // namespace n2v::app
