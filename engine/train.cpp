// n2v::Train (n2v.hpp): options → device → regime → backend. The SGD regime streams its walks on
// either backend (cpu::TrainSgdOnGraph / cuda::TrainSgdOnGraph, twins with one SgdState), so
// checkpoints, resumes, progress and cancellation are the same code here for both; the Adam
// regime (the Keras example's model) materialises the seed's examples.
#include <omp.h>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "n2v/n2v.hpp"
#include "n2v/core/word2vec.hpp"
#include "n2v/status.hpp"
#include "n2v/stopwatch.hpp"
#include "n2v/word2vec.hpp"
#if defined(N2V_WITH_CUDA)
#include "n2v/cuda_api.hpp"
#endif

namespace n2v {
namespace {

namespace fs = std::filesystem;

void Emit(const TrainOptions& o, ProgressEvent e) {
  if (o.on_progress) o.on_progress(e);
}

bool Cancelled(const CancelCallback& c) { return c && c(); }

// A data-parallel run's identity on this rank: crc32 of every setting that shapes the run, in
// the high word, and the graph's and walks' crc (SgdSourceCrc) in the low one.
uint64_t RunFingerprint(const TrainOptions& o, uint32_t source_crc) {
  const ModelConfig& m = o.model;
  const std::string text = absl::StrFormat(
      "p=%.17g q=%.17g length=%u walks=%u dim=%d window=%u epochs=%d negatives=%u optimizer=%s "
      "lr=%.17g batch=%d l2=%.17g embedding=%s sample=%.17g shared=%d seed=%u every=%d dir=%s "
      "resume=%s sync=%u transport=%s device=%s",
      o.walk.p, o.walk.q, o.walk.length, o.walk.num_walks, m.dim, m.window, m.epochs, m.negatives,
      OptimizerName(m.optimizer), m.EffectiveLr(), m.batch, m.l2, EmbeddingTableName(m.embedding),
      m.sample, m.shared_negatives ? 1 : 0, o.seed, o.checkpoint.every, o.checkpoint.dir,
      o.checkpoint.resume, o.sync_every, GpuTransportName(o.gpu_transport), o.device.Name());
  const uLong crc = crc32(0L, reinterpret_cast<const Bytef*>(text.data()),
                          static_cast<uInt>(text.size()));
  return (static_cast<uint64_t>(crc) << 32) | source_crc;
}

core::WalkParams WalkParamsOf(const WalkConfig& w, uint64_t seed, const Graph& g, int threads) {
  WalkOptions wo;
  wo.p = w.p;
  wo.q = w.q;
  wo.length = w.length;
  wo.num_walks = w.num_walks;
  wo.seed = seed;
  return MakeWalkParams(wo, g, threads);
}

// --resume takes a checkpoint file, or a directory whose highest epoch-N.ckpt is used.
absl::StatusOr<std::string> ResolveCheckpoint(const std::string& resume) {
  std::error_code ec;
  if (fs::is_regular_file(resume, ec)) return resume;
  if (!fs::is_directory(resume, ec)) {
    return absl::NotFoundError(
        absl::StrCat("--resume ", resume, ": no such checkpoint file or directory"));
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
void AddTables(const Embeddings& output, Embeddings* input, int threads) {
  N2V_CHECK(output.rows == input->rows && output.dim == input->dim);
  float* in = input->data.data();
  const float* out = output.data.data();
  const int64_t n = static_cast<int64_t>(input->data.size());
#pragma omp parallel for schedule(static) num_threads(threads)
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
  auto str = [](const auto& v) { return absl::StrCat(v); };
  if (s.options.dim != o.dim) return differs("--dimensions", str(s.options.dim), str(o.dim));
  if (s.options.epochs != o.epochs) return differs("--epochs", str(s.options.epochs), str(o.epochs));
  if (s.options.window != o.window) {
    return differs("--window-size", str(s.options.window), str(o.window));
  }
  if (s.options.negatives != o.negatives) {
    return differs("--negative", str(s.options.negatives), str(o.negatives));
  }
  if (s.options.lr != o.lr) return differs("--lr", str(s.options.lr), str(o.lr));
  if (s.options.sample != o.sample) {
    return differs("--sample", str(s.options.sample), str(o.sample));
  }
  if (s.options.shared_negatives != o.shared_negatives) {
    return differs("--shared-negatives", s.options.shared_negatives ? "on" : "off",
                   o.shared_negatives ? "on" : "off");
  }
  if (s.options.seed != o.seed) return differs("--seed", str(s.options.seed), str(o.seed));
  if (s.num_nodes != num_nodes) {
    return differs("a graph of", absl::StrCat(s.num_nodes, " nodes"),
                   absl::StrCat(num_nodes, " nodes"));
  }
  if (s.walk_length != length) return differs("--walk-length", str(s.walk_length), str(length));
  if (s.num_walks != num_walks) {
    return differs("--num-walks", str(s.num_walks / std::max(1, num_nodes)),
                   str(num_walks / std::max(1, num_nodes)));
  }
  return absl::OkStatus();
}

absl::Status TrainAdamRegime(const Graph& graph, const AliasTables& alias, const TrainOptions& o,
                             int threads, TrainResult* res) {
  const ModelConfig& m = o.model;
  WalkOptions wo;
  wo.p = o.walk.p;
  wo.q = o.walk.q;
  wo.length = o.walk.length;
  wo.num_walks = o.walk.num_walks;
  wo.seed = o.seed;
  AdamTrainOptions ao;
  ao.dim = m.dim;
  ao.epochs = m.epochs;
  ao.batch = m.batch;
  ao.adam.lr = static_cast<float>(m.EffectiveLr());
  ao.l2 = static_cast<float>(m.l2);
  ao.seed = o.seed;
  // The trace: one point per epoch (the examples are counted once they exist, after the run).
  Stopwatch clock;
  const ProgressCallback record = [&](const ProgressEvent& e) {
    if (e.kind == ProgressEvent::Kind::kEpoch) {
      res->trace.push_back(TracePoint{0, -1, clock.ms() / 1000, m.EffectiveLr(), e.loss, true});
    }
    if (o.on_progress) o.on_progress(e);
  };
  N2V_ASSIGN_OR_RETURN(SeedModelResult run,
                       TrainSeedModel(graph, alias, wo, ExampleOptions{m.window, m.negatives, o.seed},
                                      ao, res->device, threads, record, o.cancelled));
  for (size_t e = 0; e < res->trace.size(); ++e) {
    res->trace[e].centres = static_cast<uint64_t>(run.examples) * (e + 1);
    res->trace[e].pairs = run.examples * static_cast<int64_t>(e + 1);
  }
  res->walks_ms = run.walks_ms + run.examples_ms;
  res->training_ms = run.training_ms;
  res->pairs = run.examples;
  res->losses = std::move(run.losses);
  res->embeddings = std::move(run.embeddings);
  return absl::OkStatus();
}

absl::Status TrainSgdRegime(const Graph& graph, const AliasTables& alias, const TrainOptions& o,
                            int threads, TrainResult* res) {
  const ModelConfig& m = o.model;
  SgdTrainOptions so;
  so.dim = m.dim;
  so.epochs = m.epochs;
  so.window = m.window;
  so.negatives = m.negatives;
  so.lr = static_cast<float>(m.EffectiveLr());
  so.sample = m.sample;
  so.shared_negatives = m.shared_negatives;
  so.seed = o.seed;
  const CsrView g = graph.view();
  const core::WalkParams wp = WalkParamsOf(o.walk, o.seed, graph, threads);
  const uint64_t num_walks = static_cast<uint64_t>(o.walk.num_walks) * g.num_nodes;
  const CheckpointConfig& ckpt = o.checkpoint;

  Ranks* const ranks = IsDistributed(o.ranks.get()) ? o.ranks.get() : nullptr;
  const bool writer = ranks == nullptr || ranks->rank() == 0;  // checkpoints: rank 0 only
  if (ranks != nullptr) {
    N2V_RETURN_IF_ERROR(CheckSameEverywhere(*ranks, RunFingerprint(o, SgdSourceCrc(g, wp)),
                                            "settings or a graph"));
  }
  SgdState state;
  if (!ckpt.resume.empty()) {
    // Every rank reads the checkpoint; one that cannot makes every rank stop, naming it.
    absl::StatusOr<std::string> path = ResolveCheckpoint(ckpt.resume);
    absl::StatusOr<SgdState> read =
        path.ok() ? ReadSgdCheckpoint(*path) : absl::StatusOr<SgdState>(path.status());
    absl::Status st = read.ok() ? CheckSameRun(*path, *read, so, g.num_nodes, o.walk.length,
                                               num_walks)
                                : read.status();
    if (ranks != nullptr) st = AgreeOnStatus(*ranks, st);
    N2V_RETURN_IF_ERROR(st);
    state = std::move(*read);
    res->first_epoch = state.next_epoch;
    Emit(o, ProgressEvent{.kind = ProgressEvent::Kind::kResumed,
                          .epoch = state.next_epoch,
                          .epochs = so.epochs,
                          .text = *path});
  }
  if (ckpt.every > 0 && writer) {
    std::error_code ec;
    fs::create_directories(ckpt.dir, ec);
    if (ec) {
      return absl::UnavailableError(
          absl::StrCat("--checkpoint-dir ", ckpt.dir, ": cannot create it: ", ec.message()));
    }
  }
  absl::Status checkpoint_status;
  Stopwatch clock;
  const uint64_t run_centres = static_cast<uint64_t>(so.epochs) * num_walks * o.walk.length;
  auto lr_at = [&](uint64_t done) {
    return static_cast<double>(core::SgdLearningRate(so.lr, so.min_lr_fraction, done, run_centres));
  };
  auto on_progress = [&](uint64_t done, uint64_t total, int64_t pairs, double loss) {
    const double seconds = clock.ms() / 1000;
    res->trace.push_back(TracePoint{done, pairs, seconds, lr_at(done), loss, false});
    Emit(o, ProgressEvent{.kind = ProgressEvent::Kind::kProgress,
                          .epochs = so.epochs,
                          .done = done,
                          .total = total,
                          .seconds = seconds});
  };
  auto on_epoch = [&](const SgdState& s) {
    const int32_t epoch = s.next_epoch;  // epochs finished
    const double seconds = clock.ms() / 1000;
    const uint64_t done = static_cast<uint64_t>(epoch) * num_walks * o.walk.length;
    const double loss = s.losses.empty() ? NAN : s.losses.back();
    res->trace.push_back(TracePoint{done, s.pairs, seconds, lr_at(done), loss, true});
    Emit(o, ProgressEvent{.kind = ProgressEvent::Kind::kEpoch,
                          .epoch = epoch,
                          .epochs = so.epochs,
                          .loss = loss,
                          .seconds = seconds});
    if (writer && ckpt.every > 0 && (epoch % ckpt.every == 0 || epoch == so.epochs)) {
      const std::string path =
          (fs::path(ckpt.dir) / absl::StrCat("epoch-", epoch, ".ckpt")).string();
      checkpoint_status = WriteSgdCheckpoint(path, s);
      if (!checkpoint_status.ok()) return false;
    }
    return !Cancelled(o.cancelled);
  };
  absl::StatusOr<SgdStats> stats;
  if (res->device.cuda) {
#if defined(N2V_WITH_CUDA)
    const SgdDataParallel dp{ranks, o.sync_every, &res->sync, o.gpu_transport};
    stats = cuda::TrainSgdOnGraph(g, alias.view(), wp, num_walks, so, res->device.index, &state,
                                  on_epoch, on_progress, o.cancelled, {}, dp);
#endif
  } else {
    const SgdDataParallel dp{ranks, o.sync_every, &res->sync, o.gpu_transport};
    stats = cpu::TrainSgdOnGraph(g, alias.view(), wp, num_walks, so, threads, &state, on_epoch,
                                 on_progress, o.cancelled, dp);
  }
  // A trainer error that is neither agreed nor an (agreed) stop is this rank's alone, met while
  // the others may wait in a collective: it is returned at once, without another collective, and
  // the command line ends the job (Ranks::Abort).
  if (ranks != nullptr && !stats.ok() && !IsAgreedError(stats.status()) &&
      !absl::IsCancelled(stats.status())) {
    return stats.status();
  }
  absl::Status st = checkpoint_status;
  if (st.ok() && !stats.ok()) st = stats.status();
  if (st.ok() && state.next_epoch < so.epochs) st = absl::CancelledError("training cancelled");
  // Every rank ends here together (the stops were agreed): one answer for all, naming the rank
  // that failed first (rank 0's checkpoint write, say). An error already agreed is on every rank.
  if (ranks != nullptr && !IsAgreedError(st)) st = AgreeOnStatus(*ranks, st);
  N2V_RETURN_IF_ERROR(st);
  res->training_ms = clock.Lap();
  res->losses = std::move(stats->losses);
  res->pairs = stats->pairs;
  res->embeddings = std::move(state.input);
  if (m.embedding == EmbeddingTable::kInputPlusOutput) {
    AddTables(state.output, &res->embeddings, threads);
  }
  return absl::OkStatus();
}

// The device of this rank of a data-parallel run, the same kind on every rank (a collective).
// GPU ranks take one GPU each by local rank: --device cuda:K gives local rank L the GPU
// (K + L) mod (the host's GPUs), auto the GPU L mod (the host's GPUs); a K the host does not
// have is an error, as in one process (it used to wrap round silently). Auto falls back to CPU
// ranks, with a note, unless every rank found a GPU; an explicit cuda that a rank cannot use
// fails every rank, naming it.
absl::StatusOr<DeviceUsed> ResolveRankDevice(const Device& d, int threads, Ranks& ranks,
                                             std::string* note) {
  int gpus_here = 0;
#if defined(N2V_WITH_CUDA)
  if (d.kind != Device::Kind::kCpu) {
    if (auto devices = ListCudaDevices(); devices.ok()) gpus_here = static_cast<int>(devices->size());
  }
#endif
  absl::StatusOr<DeviceUsed> used;
  if (d.kind == Device::Kind::kCpu || gpus_here == 0) {
    used = ResolveDevice(d, threads, note);
  } else if (absl::Status visible = CheckDeviceVisible(d); !visible.ok()) {
    used = visible;  // an explicit cuda:K the host lacks: one process's error
  } else {
    const int first = d.kind == Device::Kind::kCuda ? d.index : 0;
    used = ResolveDevice(Device::Cuda((first + ranks.local_rank()) % gpus_here), threads, note);
    if (!used.ok() && d.kind == Device::Kind::kAuto) {
      *note = absl::StrCat("--device auto: using the CPU: ", used.status().message());
      used = ResolveDevice(Device::Cpu(), threads);
    }
  }
  N2V_RETURN_IF_ERROR(AgreeOnStatus(ranks, used.status()));
  uint64_t on_gpus = used->cuda ? 1 : 0;
  N2V_RETURN_IF_ERROR(ranks.SumInPlace(&on_gpus, 1));
  const uint64_t size = static_cast<uint64_t>(ranks.size());
  if (on_gpus == 0 || on_gpus == size) return used;
  // Only auto gets here (an explicit cuda that some rank lacks has failed above).
  *note = absl::StrCat("--device auto under mpirun: ", size - on_gpus, " of ", size,
                       " ranks found no GPU, so every rank trains on the CPU");
  return ResolveDevice(Device::Cpu(), threads);
}

}  // namespace

absl::StatusOr<TrainResult> Train(const Graph& g, const TrainOptions& o) {
  N2V_RETURN_IF_ERROR(ValidateTrainOptions(o));
  if (g.num_nodes() == 0) return absl::InvalidArgumentError("the graph has no nodes");
  if (g.num_edge_slots() == 0) {
    // Every walk would be its start node alone: no pairs to train on.
    return absl::InvalidArgumentError(absl::StrCat(
        "the graph has ", g.num_nodes(), " nodes but no edges; walks need edges"));
  }
  const int threads = EffectiveThreads(o.threads);
  TrainResult res;
  std::string note;
  if (IsDistributed(o.ranks.get())) {
    // Data-parallel runs are the SGD regime, on CPU or GPU ranks (docs/DISTRIBUTED.md).
    if (o.model.optimizer == Optimizer::kAdam) {
      return absl::FailedPreconditionError(
          "--optimizer adam runs in one process; under mpirun, train with --optimizer sgd");
    }
    N2V_ASSIGN_OR_RETURN(res.device, ResolveRankDevice(o.device, threads, *o.ranks, &note));
  } else {
    N2V_ASSIGN_OR_RETURN(res.device, ResolveDevice(o.device, threads, &note));
  }
  if (!note.empty()) Emit(o, ProgressEvent{.kind = ProgressEvent::Kind::kNote, .text = note});
  Stopwatch clock;
  const AliasTables alias = BuildAliasTables(g.view(), threads);
  res.alias_ms = clock.Lap();
  if (o.model.optimizer == Optimizer::kAdam) {
    N2V_RETURN_IF_ERROR(TrainAdamRegime(g, alias, o, threads, &res));
  } else {
    N2V_RETURN_IF_ERROR(TrainSgdRegime(g, alias, o, threads, &res));
  }
  return res;
}

}  // namespace n2v
