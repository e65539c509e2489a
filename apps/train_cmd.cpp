// `n2v train`, `n2v walk`, `n2v graph` (apps/train_cmd.hpp). Nothing is written until the work
// succeeded, and every file is written atomically (an interrupted run leaves earlier outputs
// intact and no temporary files).
#include "apps/train_cmd.hpp"

#include <omp.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "apps/cli_common.hpp"
#include "apps/mpi_ranks.hpp"
#include "apps/train_flags.hpp"
#include "n2v/atomic_file.hpp"
#include "n2v/csr_io.hpp"
#include "n2v/export.hpp"
#include "n2v/graph_stats.hpp"
#include "n2v/json.hpp"
#include "n2v/movielens.hpp"
#include "n2v/n2v.hpp"
#include "n2v/partition.hpp"
#include "n2v/report.hpp"
#include "n2v/status.hpp"
#include "n2v/walk.hpp"

namespace n2v::app {
namespace {

namespace fs = std::filesystem;

const char* FormatName(ExportFormat f) {
  switch (f) {
    case ExportFormat::kWord2VecText: return "word2vec text";
    case ExportFormat::kWord2VecBinary: return "word2vec binary";
    case ExportFormat::kNpy: return ".npy + ids";
    case ExportFormat::kProjectorTsv: return "projector TSV";
  }
  return "?";
}

absl::Status CheckOutputDir(const std::string& output, const char* flag) {
  if (output.empty()) return absl::InvalidArgumentError(absl::StrCat(flag, ": expected a file"));
  const fs::path parent = fs::path(output).parent_path();
  std::error_code ec;
  if (!parent.empty() && !fs::is_directory(parent, ec)) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, " ", output, ": the directory ", parent.string(), " does not exist"));
  }
  if (fs::is_directory(output, ec)) {
    return absl::InvalidArgumentError(absl::StrCat(flag, " ", output, ": is a directory"));
  }
  // Outputs are written to a temporary file renamed over the target: over /dev/null or a pipe
  // that would replace the device or the fifo itself.
  if (fs::exists(output, ec) && !fs::is_regular_file(output, ec)) {
    return absl::InvalidArgumentError(absl::StrCat(
        flag, " ", output, ": expected a regular file (n2v replaces its outputs whole, by "
        "renaming a temporary file over them), got a device, fifo or socket"));
  }
  return absl::OkStatus();
}

// Two spellings of one file (a/../x and x), whether or not it exists yet.
bool SamePath(const std::string& a, const std::string& b) {
  std::error_code ec;
  return fs::weakly_canonical(a, ec) == fs::weakly_canonical(b, ec);
}


// Each chunk is formatted by every thread, its share of the walks each, and written in walk
// order; the file never holds more than the chunk being written. A graph without names (a CSR
// file written without them) writes node numbers.
WalkSink WalkLinesSink(AtomicFileWriter& writer, const std::vector<std::string>& names,
                       uint32_t len, int threads, int64_t* tokens) {
  auto parts = std::make_shared<std::vector<std::string>>(threads);
  return [&writer, &names, len, threads, tokens, parts](uint64_t, uint64_t count,
                                                       const int32_t* walks) -> absl::Status {
    int64_t chunk_tokens = 0;
#pragma omp parallel num_threads(threads) reduction(+ : chunk_tokens)
    {
      const int t = omp_get_thread_num();
      const uint64_t lo = count * t / threads, hi = count * (t + 1) / threads;
      std::string& out = (*parts)[t];
      out.clear();
      for (uint64_t w = lo; w < hi; ++w) {
        const int32_t* walk = walks + w * len;
        for (uint32_t i = 0; i < len && walk[i] >= 0; ++i) {
          if (i) out += ' ';
          if (names.empty()) {
            absl::StrAppend(&out, walk[i]);
          } else {
            out += names[walk[i]];
          }
          ++chunk_tokens;
        }
        out += '\n';
      }
    }
    *tokens += chunk_tokens;
    for (const std::string& part : *parts) N2V_RETURN_IF_ERROR(writer.Append(part));
    return absl::OkStatus();
  };
}

absl::Status NamesFitWalkLines(const std::string& input, const std::vector<std::string>& names) {
  for (const std::string& name : names) {
    if (name.find_first_of(" \t\r\n") != std::string::npos) {
      return absl::InvalidArgumentError(absl::StrCat(
          input, ": node id '", name, "' holds white space; a walks file cannot"));
    }
  }
  return absl::OkStatus();
}

// `n2v walk --partition`: every rank loads its part, walks, and rank 0 writes. Errors any rank
// meets alone are agreed on, so every rank ends with the same one line.
int RunPartitionedWalk(const WalkCmdFlags& f) {
  Stopwatch total;
  WalkRunOptions opt = f.opt;
  const std::shared_ptr<Ranks> ranks = SharedJobRanks();
  const int size = ranks ? ranks->size() : 1;
  const int rank = ranks ? ranks->rank() : 0;
  const bool writer_rank = rank == 0;
  const bool quiet = f.quiet || !writer_rank;
  const auto agree = [&](const absl::Status& st) {
    return ranks ? AgreeOnStatus(*ranks, st) : st;
  };
  // The flags first: the same on every rank, so every rank finds the same fault; only rank 0's
  // file system is asked about the output.
  absl::Status flags = ValidateWalkConfig(opt.walk);
  if (flags.ok()) {
    absl::StatusOr<Device> device = Device::Parse(f.device);
    flags = device.status();
    if (flags.ok() && device->kind == Device::Kind::kCuda) {
      flags = absl::InvalidArgumentError(
          "--partition: walks on a partitioned graph run on the CPU; expected --device cpu or "
          "auto");
    }
  }
  if (flags.ok() && opt.threads < 0) {
    flags = absl::InvalidArgumentError("--threads: expected 0 (all cores) or more");
  }
  if (flags.ok() && writer_rank) flags = CheckOutputDir(f.output, "--output");
  if (absl::Status agreed = agree(flags); !agreed.ok()) return ReportError(agreed);
  opt.device = Device::Cpu();
  const int threads = EffectiveThreads(opt.threads);
  omp_set_num_threads(threads);
  opt.collect_stats = false;
  // The input: a CSR file is read for this rank's part only; an edge list is read whole by
  // every rank, then cut.
  absl::StatusOr<GraphPart> part;
  const bool csr = IsCsrFile(f.graph.input);
  if (csr) {
    part = ReadCsrPart(f.graph.input, rank, size, writer_rank);
  } else {
    absl::StatusOr<Graph> graph = LoadGraph(f.graph, /*quiet=*/true);
    if (graph.ok()) {
      part = PartitionGraph(*graph, rank, size, writer_rank);
    } else {
      part = graph.status();
    }
  }
  absl::Status st = part.status();
  if (st.ok() && part->num_edge_slots == 0) {
    st = absl::InvalidArgumentError(absl::StrCat(f.graph.input, ": the graph has ",
                                                 part->num_nodes,
                                                 " nodes but no edges; walks need edges"));
  }
  if (st.ok() && writer_rank) st = NamesFitWalkLines(f.graph.input, part->names);
  if (absl::Status agreed = agree(st); !agreed.ok()) return ReportError(agreed);
  if (ranks) {
    uint64_t h = part->checksum;
    for (const double d : {opt.walk.p, opt.walk.q}) {
      uint64_t bits;
      std::memcpy(&bits, &d, sizeof bits);
      h = h * 0x100000001B3ull ^ bits;
    }
    h = h * 0x100000001B3ull ^ (uint64_t{opt.walk.length} << 32 | opt.walk.num_walks);
    h = h * 0x100000001B3ull ^ opt.seed;
    h = h * 0x100000001B3ull ^ opt.chunk_walks;
    if (absl::Status same = CheckSameEverywhere(*ranks, h, "walk flags or graphs"); !same.ok()) {
      return ReportError(same);
    }
  }
  const double setup_ms = total.ms();
  if (!quiet) {
    std::fprintf(stderr,
                 "Graph %s: %d nodes, %lld edge slots, split by node ranges over %d rank(s)%s\n",
                 f.graph.input.c_str(), part->num_nodes,
                 static_cast<long long>(part->num_edge_slots), size,
                 csr ? " (each read only its part of the CSR file)"
                     : " (each read the whole edge list: `n2v graph` writes a CSR file, whose "
                       "parts the ranks read alone)");
    if (!f.no_report) {
      std::fprintf(stderr, "n2v: note: --partition writes no HTML report (no rank holds the "
                           "whole graph)\n");
    }
  }
  absl::StatusOr<AtomicFileWriter> writer =
      writer_rank ? AtomicFileWriter::Open(f.output)
                  : absl::StatusOr<AtomicFileWriter>(absl::UnknownError("not the writer"));
  if (absl::Status agreed = agree(writer_rank ? writer.status() : absl::OkStatus());
      !agreed.ok()) {
    return ReportError(agreed);
  }
  int64_t tokens = 0;
  WalkSink sink;
  if (writer_rank) sink = WalkLinesSink(*writer, part->names, opt.walk.length, threads, &tokens);
  PartitionWalkStats ps;
  absl::StatusOr<WalkRunStats> stats;
  {
    InterruptCancels cancels;
    opt.cancelled = [] { return PendingInterrupt() != 0; };
    stats = SampleWalksPartitioned(*part, opt, ranks.get(), sink, &ps);
  }
  DieOfPendingInterrupt();
  if (!stats.ok()) return ReportError(stats.status());
  st = writer_rank ? writer->Commit() : absl::OkStatus();
  if (absl::Status agreed = agree(st); !agreed.ok()) return ReportError(agreed);
  if (!quiet) {
    const double steps = static_cast<double>(tokens) - static_cast<double>(stats->walks);
    const double sample_ms = stats->sample_ms;
    uint64_t max_part = 0, max_rss = 0;
    for (uint64_t b : ps.part_bytes) max_part = std::max(max_part, b);
    for (uint64_t b : ps.peak_rss_bytes) max_rss = std::max(max_rss, b);
    std::fprintf(stderr,
                 "Wrote %llu walks (%lld nodes) to %s in %.2f s over %d rank(s) (load %.2f s, "
                 "sampling and writing %.2f s = %.3g steps/s); rank 0: %llu supersteps, sent "
                 "%.1f MB of walkers, %.2f s in exchanges, %.2f s assembling walks; per rank at "
                 "most %.1f MB of graph and alias rows, peak RSS %.1f MB\n",
                 static_cast<unsigned long long>(stats->walks), static_cast<long long>(tokens),
                 f.output.c_str(), total.ms() / 1000, size, setup_ms / 1000, sample_ms / 1000,
                 sample_ms > 0 ? steps / (sample_ms / 1000) : 0.0,
                 static_cast<unsigned long long>(ps.supersteps), ps.bytes_sent / 1e6,
                 ps.exchange_ms / 1000, ps.assemble_ms / 1000, max_part / 1e6, max_rss / 1e6);
  }
  return kExitOk;
}

}  // namespace

CLI::App* AddTrainCommand(CLI::App& app, TrainFlags& f) {
  CLI::App* c = app.add_subcommand(
      "train", "Node2vec embeddings for any graph: (p, q) walks + skip-gram (word2vec's SGD by "
               "default), written as word2vec text/binary, .npy or projector TSV");
  AddGraphFlags(c, f.graph, /*required=*/true);
  c->add_option("--output,-o", f.output, "Embeddings file")->required();
  c->add_option("--format", f.format,
                "auto (by extension: .npy, .bin = w2v-binary, .tsv; else w2v), w2v, w2v-binary, "
                "npy, tsv");
  AddWalkFlags(c, f.run.opt.walk);
  AddModelFlags(c, f.run);
  AddRunFlags(c, f.run.opt.threads, f.run.opt.seed, f.run.device, f.run.quiet);
  CheckpointConfig& ck = f.run.opt.checkpoint;
  c->add_option("--checkpoint-every", ck.every,
                "Write a checkpoint every N epochs (sgd, CPU or GPU) into --checkpoint-dir "
                "(0: never)");
  c->add_option("--checkpoint-dir", ck.dir, "Checkpoint directory (default: <output>.ckpt)");
  c->add_option("--resume", ck.resume,
                "Continue from a checkpoint file, or a directory's latest epoch-N.ckpt");
  AddSyncFlag(c, f.run.opt.sync_every);
  AddGpuTransportFlag(c, f.run.gpu_transport);
  AddReportFlags(c, f.report, f.no_report, "<output>.report.html", /*labels=*/true);
  c->fallthrough();
  c->add_flag("--dump-config", f.dump_config,
              "Print the effective configuration as TOML (usable with --config) and exit")
      ->configurable(false);
  return c;
}

int RunTrain(const TrainFlags& f, const std::string& config) {
  Stopwatch total;
  // Under mpirun every rank trains and only rank 0 speaks and writes.
  const std::shared_ptr<Ranks> ranks = SharedJobRanks();
  const bool distributed = IsDistributed(ranks.get());
  const bool writer = !distributed || ranks->rank() == 0;
  const bool quiet = f.run.quiet || !writer;
  auto info = [&](const std::string& s) {
    if (!quiet) std::fprintf(stderr, "%s\n", s.c_str());
  };
  auto options = f.run.ToOptions();
  if (!options.ok()) return ReportError(options.status());
  TrainOptions& opt = *options;
  opt.ranks = ranks;
  if (opt.checkpoint.every > 0 && opt.checkpoint.dir.empty()) {
    opt.checkpoint.dir = f.output + ".ckpt";
  }
  if (absl::Status st = ValidateTrainOptions(opt); !st.ok()) return ReportError(st);
  if (absl::Status st = CheckOutputDir(f.output, "--output"); !st.ok()) return ReportError(st);
  auto format = ResolveExportFormat(f.format, f.output);
  if (!format.ok()) return ReportError(format.status());
  ReportOptions report = f.report;
  report.enabled = !f.no_report;
  if (report.path.empty()) report.path = f.output + ".report.html";
  if (report.enabled) {
    if (absl::Status st = ValidateReportOptions(report); !st.ok()) return ReportError(st);
    if (absl::Status st = CheckReportPath(report.path, "--report"); !st.ok()) return ReportError(st);
    if (SamePath(report.path, f.output)) {
      return ReportError(absl::InvalidArgumentError(absl::StrCat(
          "--report ", report.path, ": expected a file other than --output")));
    }
  }
  const int threads = EffectiveThreads(opt.threads);
  omp_set_num_threads(threads);

  // The input first: a bad file is reported alone, before any note about the device.
  Stopwatch clock;
  auto graph = LoadGraph(f.graph, quiet);
  if (distributed) {
    // A rank that cannot read the graph stops every rank, naming itself.
    if (absl::Status st = AgreeOnStatus(*ranks, graph.status()); !st.ok()) return ReportError(st);
  }
  if (!graph.ok()) return ReportError(graph.status());
  const double load_ms = clock.Lap();
  if (distributed) {
    info(absl::StrCat("Data-parallel over ", ranks->transport(), "; rank 0 writes every output"));
  }
  if (!quiet) {
    // The effective configuration, without the saved file's comments: key=value lines.
    std::string compact;
    for (absl::string_view line : absl::StrSplit(config, '\n')) {
      if (line.empty() || line[0] == '#' || line[0] == '[') continue;
      absl::StrAppend(&compact, "  ", line, "\n");
    }
    std::fprintf(stderr, "Configuration (saved as %s.config.toml):\n%s", f.output.c_str(),
                 compact.c_str());
  }
  ProgressPrinter printer(quiet);
  opt.on_progress = printer.callback();
  absl::StatusOr<TrainResult> trained;
  {
    // Ctrl-C / SIGTERM: the run stops at its next chunk and nothing is written.
    InterruptCancels cancels;
    opt.cancelled = [] { return PendingInterrupt() != 0; };
    trained = Train(*graph, opt);
  }
  DieOfPendingInterrupt();
  if (!trained.ok()) return ReportError(trained.status());
  const double train_ms = clock.Lap();
  if (!writer) return kExitOk;

  // The report is rendered before anything is written: a bad --report-labels file writes nothing.
  std::string html;
  if (report.enabled) {
    ReportRun run{"train", f.graph.input, {{"output", f.output}, {"format", FormatName(*format)}},
                  {{"load", load_ms}}};
    auto page = RenderTrainReport(*graph, opt, *trained, report, run);
    if (!page.ok()) return ReportError(page.status());
    html = std::move(*page);
  }
  double report_ms = clock.Lap();

  absl::Status st = WriteEmbeddings(f.output, *format, trained->embeddings, graph->names);
  if (st.ok()) st = WriteFileAtomic(f.output + ".config.toml", config);
  const double export_ms = clock.Lap();
  // The report's time is its rendering and its write: what writing it adds to the run.
  if (st.ok() && report.enabled) st = WriteFileAtomic(report.path, html);
  report_ms += clock.Lap();
  if (st.ok()) {
    JsonWriter r;
    r.BeginObject();
    r.Key("n2v_version").String(N2V_VERSION).Key("command").String("train");
    r.Key("device").String(trained->device.description).Key("threads").Int(threads);
    r.Key("input").String(f.graph.input).Key("output").String(f.output);
    r.Key("format").String(FormatName(*format));
    r.Key("graph").BeginObject();
    r.Key("nodes").Int(graph->num_nodes()).Key("edges").Int(graph->num_edges());
    r.Key("directed").Bool(graph->directed).EndObject();
    r.Key("optimizer").String(std::string(OptimizerName(opt.model.optimizer)));
    r.Key("first_epoch").Int(trained->first_epoch);
    r.Key("losses").BeginArray();
    for (double l : trained->losses) r.Double(l);
    r.EndArray();
    r.Key("pairs").Int(trained->pairs);
    if (distributed) {
      const SgdSyncStats& sy = trained->sync;
      r.Key("ranks").BeginObject();
      r.Key("size").Int(ranks->size()).Key("transport").String(ranks->transport());
      r.Key("tables_summed").String(sy.transport);
      r.Key("sync_chunks").Int(sy.sync_chunks).Key("syncs").Int(static_cast<int64_t>(sy.syncs));
      r.Key("bytes_per_sync").Int(static_cast<int64_t>(sy.bytes_per_sync));
      r.Key("rank0_wait_ms").Double(sy.wait_ms).Key("rank0_merge_ms").Double(sy.merge_ms);
      r.Key("positions_per_sync").Int(static_cast<int64_t>(sy.positions_per_sync));
      r.Key("staleness").Double(sy.staleness);
      r.EndObject();
    }
    r.Key("timings_ms").BeginObject();
    r.Key("load").Double(load_ms).Key("alias").Double(trained->alias_ms);
    r.Key("train").Double(train_ms - trained->alias_ms);
    r.Key("export").Double(export_ms);
    if (report.enabled) r.Key("report").Double(report_ms);
    r.Key("total").Double(total.ms()).EndObject();
    r.EndObject();
    st = WriteFileAtomic(f.output + ".run.json", r.str() + "\n");
  }
  if (!st.ok()) return ReportError(st);
  info(absl::StrFormat(
      "Wrote %s (%s, %d x %d) in %.0f ms; total %.2f s on %s (load %.0f ms, alias %.0f ms, "
      "walks + training %.0f ms%s)",
      f.output, FormatName(*format), trained->embeddings.rows, trained->embeddings.dim, export_ms,
      total.ms() / 1000, trained->device.description, load_ms, trained->alias_ms,
      train_ms - trained->alias_ms,
      report.enabled ? absl::StrFormat(", report %.0f ms: %s", report_ms, report.path) : ""));
  if (distributed) {
    const SgdSyncStats& sy = trained->sync;
    info(absl::StrFormat(
        "Table syncs: %llu of %.1f MB each (every %llu positions per rank, staleness %.1f), %s; "
        "rank 0 waited %.0f ms for them and spent %.0f ms merging",
        static_cast<unsigned long long>(sy.syncs), sy.bytes_per_sync / 1e6,
        static_cast<unsigned long long>(sy.positions_per_sync), sy.staleness, sy.transport,
        sy.wait_ms, sy.merge_ms));
    if (sy.staleness > kWarnSyncStaleness) {
      info(absl::StrFormat(
          "n2v: warning: sync staleness %.1f is above %.0f, where training was measured to lose "
          "quality against one process (%d ranks on %d nodes, syncing every %llu positions); fewer "
          "ranks, or the auto --sync-every, keep the quality",
          sy.staleness, kWarnSyncStaleness, ranks->size(), trained->embeddings.rows,
          static_cast<unsigned long long>(sy.positions_per_sync)));
    }
  }
  return kExitOk;
}

CLI::App* AddWalkCommand(CLI::App& app, WalkCmdFlags& f) {
  CLI::App* c = app.add_subcommand(
      "walk", "Write the (p, q) walks alone, one walk per line, node ids separated by spaces "
              "(for other trainers, e.g. gensim's LineSentence)");
  AddGraphFlags(c, f.graph, /*required=*/true);
  c->add_option("--output,-o", f.output, "Walks file")->required();
  AddWalkFlags(c, f.opt.walk);
  AddRunFlags(c, f.opt.threads, f.opt.seed, f.device, f.quiet);
  c->add_option("--report", f.report.path,
                "Write the self-contained HTML report here (default: <output>.report.html)");
  c->add_flag("--no-report", f.no_report, "Write no HTML report");
  c->add_flag("--partition", f.partition,
              "Under mpirun: split the graph by node ranges over the ranks, each holding about "
              "1/N of it (a CSR file is read only for that part), walkers moving between ranks; "
              "the walks equal one process's. Writes no HTML report");
  c->fallthrough();
  c->add_flag("--dump-config", f.dump_config,
              "Print the effective configuration as TOML (usable with --config) and exit")
      ->configurable(false);
  return c;
}

int RunWalk(const WalkCmdFlags& f) {
  if (f.partition) return RunPartitionedWalk(f);
  Stopwatch total;
  WalkRunOptions opt = f.opt;
  auto device = Device::Parse(f.device);
  if (!device.ok()) return ReportError(device.status());
  opt.device = *device;
  if (absl::Status st = ValidateWalkConfig(opt.walk); !st.ok()) return ReportError(st);
  if (absl::Status st = CheckOutputDir(f.output, "--output"); !st.ok()) return ReportError(st);
  const std::string report = f.report.path.empty() ? f.output + ".report.html" : f.report.path;
  const bool with_report = !f.no_report;
  if (with_report) {
    if (absl::Status st = CheckReportPath(report, "--report"); !st.ok()) return ReportError(st);
    if (SamePath(report, f.output)) {
      return ReportError(absl::InvalidArgumentError(
          absl::StrCat("--report ", report, ": expected a file other than --output")));
    }
  }
  opt.collect_stats = with_report;
  const int threads = EffectiveThreads(opt.threads);
  omp_set_num_threads(threads);
  // The input first: a bad file is the only message, not after a note about the device.
  auto graph = LoadGraph(f.graph, f.quiet);
  if (!graph.ok()) return ReportError(graph.status());
  if (absl::Status st = NamesFitWalkLines(f.graph.input, graph->names); !st.ok()) {
    return ReportError(st);
  }
  const double setup_ms = total.ms();
  auto writer = AtomicFileWriter::Open(f.output);
  if (!writer.ok()) return ReportError(writer.status());
  int64_t tokens = 0;
  const WalkSink sink = WalkLinesSink(*writer, graph->names, opt.walk.length, threads, &tokens);
  ProgressPrinter printer(f.quiet);
  opt.on_progress = [cb = printer.callback()](const ProgressEvent& e) {
    if (e.kind == ProgressEvent::Kind::kNote) cb(e);  // walk progress lines are not worth it
  };
  absl::StatusOr<WalkRunStats> stats;
  {
    InterruptCancels cancels;
    opt.cancelled = [] { return PendingInterrupt() != 0; };
    stats = SampleWalks(*graph, opt, sink);
  }
  DieOfPendingInterrupt();
  if (!stats.ok()) return ReportError(stats.status());
  std::string html;
  if (with_report) {
    ReportRun run{"walk", f.graph.input, {{"output", f.output}}, {{"load", setup_ms}}};
    auto page = RenderWalkReport(*graph, opt, *stats, run);
    if (!page.ok()) return ReportError(page.status());
    html = std::move(*page);
  }
  if (absl::Status st = writer->Commit(); !st.ok()) return ReportError(st);
  if (with_report) {
    if (absl::Status st = WriteFileAtomic(report, html); !st.ok()) return ReportError(st);
  }
  if (!f.quiet) {
    // Steps: transitions taken (a walk of L nodes takes L − 1).
    const double steps = static_cast<double>(tokens) - static_cast<double>(stats->walks);
    const double sample_ms = stats->sample_ms;
    std::fprintf(stderr,
                 "Wrote %llu walks (%lld nodes) to %s in %.2f s on %s (load %.2f s, sampling "
                 "%.2f s = %.3g steps/s, formatting and writing the rest)\n",
                 static_cast<unsigned long long>(stats->walks), static_cast<long long>(tokens),
                 f.output.c_str(), total.ms() / 1000, stats->device.description.c_str(),
                 setup_ms / 1000, sample_ms / 1000,
                 sample_ms > 0 ? steps / (sample_ms / 1000) : 0.0);
  }
  return kExitOk;
}

CLI::App* AddGraphCommand(CLI::App& app, GraphCmdFlags& f) {
  CLI::App* c = app.add_subcommand(
      "graph", "Build the CSR graph file once, from an edge list (--input) or from MovieLens "
               "ratings (--movielens DIR: the PMI movie graph of the Keras example)");
  AddGraphFlags(c, f.graph, /*required=*/false);
  c->add_option("--movielens", f.movielens, "MovieLens directory (ratings.csv) instead of --input");
  c->add_option("--min-rating", f.min_rating, "--movielens: ratings >= this count as liked");
  c->add_option("--min-weight", f.min_weight, "--movielens: keep pairs whose PMI weight >= this");
  c->add_option("--output,-o", f.output, "CSR file to write")->required();
  c->add_option("--threads,--workers", f.threads, "CPU threads (0: all cores)");
  c->add_flag("--quiet", f.quiet, "Print nothing but errors");
  return c;
}

int RunGraph(const GraphCmdFlags& f) {
  Stopwatch total;
  if (f.graph.input.empty() == f.movielens.empty()) {
    return ReportError(absl::InvalidArgumentError(
        "n2v graph: expected exactly one of --input (edge list) and --movielens (ratings)"));
  }
  if (absl::Status st = CheckOutputDir(f.output, "--output"); !st.ok()) return ReportError(st);
  const int threads = EffectiveThreads(f.threads);
  omp_set_num_threads(threads);
  absl::StatusOr<Graph> graph;
  if (!f.movielens.empty()) {
    auto ratings = ReadRatings((fs::path(f.movielens) / "ratings.csv").string());
    if (!ratings.ok()) return ReportError(ratings.status());
    PmiStats pmi;
    graph = BuildPmiGraph(*ratings, PmiOptions{f.min_rating, f.min_weight}, &pmi, threads);
    if (graph.ok() && !f.quiet) {
      std::fprintf(stderr, "PMI graph: %lld liked ratings, %lld users, %lld pairs counted\n",
                   static_cast<long long>(pmi.liked_ratings), static_cast<long long>(pmi.users),
                   static_cast<long long>(pmi.pairs_counted));
    }
  } else {
    graph = LoadGraph(f.graph, /*quiet=*/true);
  }
  if (!graph.ok()) return ReportError(graph.status());
  const GraphStats gs = ComputeGraphStats(*graph);
  if (absl::Status st = WriteCsr(f.output, *graph); !st.ok()) return ReportError(st);
  if (!f.quiet) {
    std::fprintf(stderr,
                 "Wrote %s: %d nodes, %lld %s edges, degree min %lld / median %.0f / max %lld, "
                 "%lld component(s), %lld isolated node(s) (%.2f s)\n",
                 f.output.c_str(), gs.nodes, static_cast<long long>(gs.edges),
                 graph->directed ? "directed" : "undirected",
                 static_cast<long long>(gs.min_degree), gs.median_degree,
                 static_cast<long long>(gs.max_degree), static_cast<long long>(gs.components),
                 static_cast<long long>(gs.isolated_nodes), total.ms() / 1000);
  }
  return kExitOk;
}

}  // namespace n2v::app
