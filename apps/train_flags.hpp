// The flags `n2v train`, `n2v walk` and `n2v eval` share, bound straight to the library's options
// (n2v/options.hpp), so each default is the options struct's and is written nowhere else. Enum
// and device options are read as strings that start from the struct's default's name and are
// parsed by the library (ParseOptimizer, Device::Parse, ...). Also: reading --input with the
// summary and warnings the CLI prints, and a printer for the library's progress events.
#pragma once

#include <cstdint>
#include <string>

#include "CLI/CLI.hpp"
#include "absl/status/statusor.h"
#include "n2v/n2v.hpp"

namespace n2v::app {

/// --input and how to read an edge list.
struct GraphFlags {
  std::string input;
  EdgeListOptions read;
};

/// The options of a training run as flags; ToOptions() gives the library's TrainOptions.
struct TrainFlagSet {
  TrainOptions opt;
  std::string optimizer{OptimizerName(opt.model.optimizer)};
  std::string embedding{EmbeddingTableName(opt.model.embedding)};
  std::string device = opt.device.Name();
  std::string gpu_transport{GpuTransportName(opt.gpu_transport)};
  bool quiet = false;

  /// The options with the string-valued flags parsed (InvalidArgumentError naming the flag).
  absl::StatusOr<TrainOptions> ToOptions() const;
};

void AddGraphFlags(CLI::App* c, GraphFlags& f, bool required);
void AddWalkFlags(CLI::App* c, WalkConfig& w);
void AddModelFlags(CLI::App* c, TrainFlagSet& f);
/// --threads, --seed, --device, --quiet.
void AddRunFlags(CLI::App* c, int& threads, uint64_t& seed, std::string& device, bool& quiet);

/// --sync-every: chunks each rank trains between table syncs under mpirun.
void AddSyncFlag(CLI::App* c, uint32_t& sync_every);
/// --gpu-transport: how GPU ranks sum their deltas under mpirun (auto | nccl | host).
void AddGpuTransportFlag(CLI::App* c, std::string& transport);

/// --report FILE, --no-report and the map's sizes (--report-points, --report-hubs,
/// --report-neighbors); --report-labels too when `labels`. `where` says the default file.
void AddReportFlags(CLI::App* c, ReportOptions& r, bool& no_report, const std::string& where,
                    bool labels);

/// Reads --input (the project's CSR file, or an edge list, plain or gzip), printing one summary
/// line and any warnings (self-loops, merged duplicates) unless quiet. A graph without nodes or
/// edges is an error naming the file.
absl::StatusOr<Graph> LoadGraph(const GraphFlags& f, bool quiet);

/// Prints the library's progress events on stderr (nothing when quiet): notes as "n2v: note"
/// lines, epochs one line each, and on a terminal a progress line rewritten in place.
class ProgressPrinter {
 public:
  explicit ProgressPrinter(bool quiet);
  ProgressCallback callback();

 private:
  void On(const ProgressEvent& e);
  void Line(const std::string& s, bool final);
  bool quiet_;
  bool tty_;
  bool rate_started_ = false;
  uint64_t rate_base_ = 0;
  double rate_t0_ = 0;
};

}  // namespace n2v::app
