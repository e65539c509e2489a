// word2vec-style SGD streamed from the graph on the device: cuda::TrainSgdOnGraph
// (n2v/cuda_api.hpp). Twin: cpu::TrainSgdOnGraph (cpu/train_sgd.cpp): the same walks (core::WalkOne
// keyed on global walk ids), the same counts, negatives table (NegativeTable) and initialisation,
// the same per-centre draws (keyed on global centre ids) and the same SgdState, so a checkpoint of
// one resumes on the other. Walks never leave the device: each epoch samples chunks of walks into
// two device buffers on one stream while the other stream trains the previous chunk (cuda/sgd.cu's
// kernel, told which global walk its buffer starts at). The calling thread enqueues chunk c, then
// waits for chunk c − 1 (so at most two chunks are in flight), reports progress and asks whether to
// stop. Parity tests: tests/cuda/sgd_exact_test.cpp (exact launch), sgd_hogwild_test.cpp.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "cuda/cuda_check.cuh"
#include "cuda/device.cuh"
#include "cuda/device_buffer.cuh"
#include "cuda/sgd.cuh"
#include "cuda/walk.cuh"
#include "n2v/cuda_api.hpp"
#include "n2v/status.hpp"
#include "n2v/walk.hpp"
#include "n2v/word2vec.hpp"

namespace n2v::cuda {
namespace {

// Walk positions per chunk under the full (Hogwild) launch: ~0.1-0.3 s of training on an H100
// class device at dim 128, a few ms of sampling, 16 MB per buffer. Small enough that a cancel
// waits at most for two of them, large enough to fill the GPU and amortise the host round trip.
constexpr uint64_t kChunkCentres = uint64_t{1} << 22;
// Under SgdLaunch{k}, chunks of k · this many positions (a single warp trains ~10^5 pairs/s, so a
// full-size chunk would hold a cancel up for minutes).
constexpr uint64_t kChunkCentresPerWarp = uint64_t{1} << 12;

uint64_t ChunkCentres(const SgdLaunch& launch) {
  if (launch.max_warps <= 0) return kChunkCentres;
  return std::min(kChunkCentres, static_cast<uint64_t>(launch.max_warps) * kChunkCentresPerWarp);
}

uint64_t ChunkWalks(uint32_t length, uint64_t centres) {
  return std::max<uint64_t>(1, centres / std::max<uint32_t>(length, 1));
}

/// TrainSgdOnGraphDeviceBytes, part by part.
struct DeviceParts {
  uint64_t graph = 0;      // CSR offsets and neighbours, per-edge alias tables
  uint64_t tables = 0;     // input and output [n x dim] floats
  uint64_t negatives = 0;  // the negatives' alias table (keep, alias) and the node counts
  uint64_t chunks = 0;     // two walk chunk buffers
  uint64_t small = 0;      // per-epoch accumulators, flags
  uint64_t total() const { return graph + tables + negatives + chunks + small; }
};

DeviceParts PartsOf(int32_t num_nodes, int64_t num_edge_slots, uint32_t length,
                    const SgdTrainOptions& o) {
  const uint64_t n = static_cast<uint64_t>(std::max(num_nodes, 0));
  const uint64_t m = static_cast<uint64_t>(std::max<int64_t>(num_edge_slots, 0));
  const uint64_t len = std::max<uint32_t>(length, 1);
  DeviceParts p;
  p.graph = DeviceGraphBytes(static_cast<int32_t>(n), static_cast<int64_t>(m));
  p.tables = 2 * n * static_cast<uint64_t>(std::max(o.dim, 1)) * sizeof(float);
  p.negatives = n * (sizeof(uint32_t) + sizeof(int32_t)) + n * sizeof(uint64_t);
  // The largest chunk any launch uses (the full launch's).
  p.chunks = 2 * ChunkWalks(length, kChunkCentres) * len * sizeof(int32_t);
  if (o.sample > 0) {  // the thresholds and one subsampled chunk (SgdEpochOnDevice)
    p.negatives += n * sizeof(uint32_t);
    p.chunks += std::min<uint64_t>(ChunkWalks(length, kChunkCentres) * len, kSubsampleSlice) *
                sizeof(int32_t);
  }
  p.small = static_cast<uint64_t>(std::max(o.epochs, 1)) * 16 + 4096;
  return p;
}

absl::Status CheckDeviceMemory(const DeviceParts& p, int device) {
  N2V_ASSIGN_OR_RETURN(const MemInfo mem, GetMemInfo());
  const double usable = kUsableFraction * static_cast<double>(mem.free);
  if (static_cast<double>(p.total()) <= usable) return absl::OkStatus();
  constexpr double kGB = 1e9;
  return absl::ResourceExhaustedError(absl::StrFormat(
      "TrainSgdOnGraph on CUDA needs about %.2f GB of device memory (graph and alias tables "
      "%.2f GB, input and output tables %.2f GB, negatives table and node counts %.2f GB, two "
      "walk chunks %.2f GB), but cuda:%d has %.2f GB free of %.2f GB (%.0f%% of free is usable); "
      "use a smaller --dim or --device cpu",
      p.total() / kGB, p.graph / kGB, p.tables / kGB, p.negatives / kGB, p.chunks / kGB, device,
      mem.free / kGB, mem.total / kGB, 100 * kUsableFraction));
}

SgdStats StatsOf(const SgdState& s, std::chrono::steady_clock::time_point start) {
  SgdStats stats;
  stats.losses = s.losses;
  stats.pairs = s.pairs;
  stats.ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                 .count();
  return stats;
}

absl::Status Download(const DeviceBuffer<float>& d, int32_t rows, int32_t dim, Embeddings* e) {
  const size_t size = static_cast<size_t>(rows) * static_cast<size_t>(dim);
  e->rows = rows;
  e->dim = dim;
  e->data.resize(size);
  return d.CopyToHost(e->data.data(), size);
}

absl::Status Upload(const Embeddings& e, DeviceBuffer<float>* d) {
  if (e.data.size() != d->size()) {
    return absl::InternalError("TrainSgdOnGraph on CUDA: table size differs from the state's");
  }
  return d->CopyFromHost(e.data.data(), e.data.size());
}

}  // namespace

uint64_t TrainSgdOnGraphDeviceBytes(int32_t num_nodes, int64_t num_edge_slots, uint32_t length,
                                    const SgdTrainOptions& o) {
  return PartsOf(num_nodes, num_edge_slots, length, o).total();
}

absl::StatusOr<SgdStats> TrainSgdOnGraph(const CsrView& g, const core::AliasView& alias,
                                         const core::WalkParams& wp, uint64_t num_walks,
                                         const SgdTrainOptions& o, int device, SgdState* state,
                                         const SgdEpochCallback& on_epoch,
                                         const SgdProgressCallback& on_progress,
                                         const CancelCallback& cancelled,
                                         const SgdLaunch& launch) {
  const auto start = std::chrono::steady_clock::now();
  constexpr const char* kWho = "TrainSgdOnGraph on CUDA";
  N2V_RETURN_IF_ERROR(CheckSgdOptions(kWho, g.num_nodes, wp.length, o));
  if (state == nullptr) return absl::InvalidArgumentError("TrainSgdOnGraph: state is null");
  if (launch.max_warps < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "TrainSgdOnGraph: SgdLaunch::max_warps must be >= 0, got ", launch.max_warps));
  }
  if (g.offsets == nullptr || (g.num_edges > 0 && (g.neighbors == nullptr ||
                                                   alias.keep == nullptr ||
                                                   alias.alias == nullptr))) {
    return absl::InvalidArgumentError("TrainSgdOnGraph: graph or alias arrays missing");
  }
  if (num_walks > std::numeric_limits<uint64_t>::max() / wp.length / 2) {
    return absl::InvalidArgumentError(
        absl::StrCat("TrainSgdOnGraph: ", num_walks, " walks of ", wp.length, " overflow"));
  }
  N2V_RETURN_IF_ERROR(UseCudaDevice(device));
  // Before anything is allocated or any graph array read.
  N2V_RETURN_IF_ERROR(CheckDeviceMemory(PartsOf(g.num_nodes, g.num_edges, wp.length, o), device));

  const uint32_t source_crc = SgdSourceCrc(g, wp);
  const bool resume = state->started();
  if (resume) {
    N2V_RETURN_IF_ERROR(
        CheckSgdResumable(*state, o, g.num_nodes, wp.length, num_walks, source_crc));
    if (state->next_epoch >= o.epochs || num_walks == 0) return StatsOf(*state, start);
  }
  const int32_t n = g.num_nodes;
  const uint32_t length = wp.length;
  const uint64_t total_centres = num_walks * length;

  // --- device resources (a return after work is enqueued drains both streams first) ----------
  N2V_ASSIGN_OR_RETURN(DeviceGraph graph, UploadGraph(g, alias));
  const uint64_t chunk_walks = std::min(ChunkWalks(length, ChunkCentres(launch)), num_walks);
  DeviceBuffer<int32_t> d_walks[2];
  for (auto& b : d_walks) {
    N2V_ASSIGN_OR_RETURN(b, DeviceBuffer<int32_t>::Allocate(chunk_walks * length, "walk chunk"));
  }
  N2V_ASSIGN_OR_RETURN(Stream sample, Stream::Create());
  N2V_ASSIGN_OR_RETURN(Stream train, Stream::Create());
  Event sampled[2], trained[2];
  for (int b = 0; b < 2; ++b) {
    N2V_ASSIGN_OR_RETURN(sampled[b], Event::CreateForSync());
    N2V_ASSIGN_OR_RETURN(trained[b], Event::CreateForSync());
  }
  N2V_ASSIGN_OR_RETURN(DeviceSgdTables tables, AllocateSgdTables(n, o, train.get()));
  const auto drain = [&] {
    N2V_CUDA_LOG_IF_ERROR(cudaStreamSynchronize(sample.get()));
    N2V_CUDA_LOG_IF_ERROR(cudaStreamSynchronize(train.get()));
  };

  // One pass over walks [0, num_walks): chunk c is sampled into d_walks[c % 2] on `sample` (once
  // the chunk before it in that buffer is consumed), then consume(buffer, first walk, walks) is
  // enqueued on `train`. Once chunk c is enqueued, the host waits for chunk c − 1 and calls
  // after(c − 1) (progress, cancellation); a non-OK status from it ends the pass.
  const uint64_t chunks = num_walks == 0 ? 0 : CeilDiv(num_walks, chunk_walks);
  const auto pass = [&](const auto& consume, const auto& after) -> absl::Status {
    for (uint64_t c = 0; c < chunks; ++c) {
      const int b = static_cast<int>(c % 2);
      const uint64_t first = c * chunk_walks;
      const uint64_t count = std::min(chunk_walks, num_walks - first);
      if (c >= 2) N2V_RETURN_IF_ERROR(trained[b].WaitOn(sample.get()));
      N2V_RETURN_IF_ERROR(SampleWalksOnDevice(graph.view(), graph.alias_view(), wp, first, count,
                                              d_walks[b].data(), sample.get()));
      N2V_RETURN_IF_ERROR(sampled[b].Record(sample.get()));
      N2V_RETURN_IF_ERROR(sampled[b].WaitOn(train.get()));
      N2V_RETURN_IF_ERROR(consume(d_walks[b].data(), first, count));
      N2V_RETURN_IF_ERROR(trained[b].Record(train.get()));
      if (c >= 1) {
        N2V_RETURN_IF_ERROR(trained[1 - b].Sync());
        N2V_RETURN_IF_ERROR(after(c - 1));
      }
    }
    if (chunks > 0) {
      N2V_RETURN_IF_ERROR(trained[(chunks - 1) % 2].Sync());
      N2V_RETURN_IF_ERROR(after(chunks - 1));
    }
    return absl::OkStatus();
  };
  const auto stop_if_cancelled = [&]() -> absl::Status {
    if (cancelled && cancelled()) return absl::CancelledError("training cancelled");
    return absl::OkStatus();
  };

  // --- the run's state: a fresh one is built here and handed to *state at its first commit -----
  SgdState fresh;
  SgdState* run = state;
  if (!resume) {
    fresh.options = o;
    fresh.num_nodes = n;
    fresh.walk_length = length;
    fresh.num_walks = num_walks;
    fresh.source_crc = source_crc;
    // The counting pass: every walk sampled once on the device and counted there.
    N2V_ASSIGN_OR_RETURN(auto counts, DeviceBuffer<unsigned long long>::Allocate(
                                          static_cast<size_t>(n), "node counts"));
    N2V_ASSIGN_OR_RETURN(auto bad, DeviceBuffer<int>::Allocate(1, "walk check flag"));
    N2V_RETURN_IF_ERROR(counts.ZeroAsync(train.get()));
    N2V_RETURN_IF_ERROR(bad.ZeroAsync(train.get()));
    absl::Status st = pass(
        [&](const int32_t* walks, uint64_t, uint64_t count) {
          return CountNodesOnDevice(walks, count * length, n, counts.data(), bad.data(),
                                    train.get());
        },
        [&](uint64_t) { return stop_if_cancelled(); });
    if (!st.ok()) {
      drain();
      return st;
    }
    static_assert(sizeof(uint64_t) == sizeof(unsigned long long));
    fresh.counts.resize(static_cast<size_t>(n));
    N2V_RETURN_IF_ERROR(counts.CopyToHost(
        reinterpret_cast<unsigned long long*>(fresh.counts.data()), fresh.counts.size()));
    int h_bad = 0;
    N2V_RETURN_IF_ERROR(bad.CopyToHost(&h_bad, 1));
    if (h_bad != 0) {
      return absl::InternalError("TrainSgdOnGraph on CUDA: a sampled walk holds an id >= n");
    }
    N2V_RETURN_IF_ERROR(UploadNegatives(tables, fresh.counts, o));
    N2V_RETURN_IF_ERROR(InitSgdTables(tables, o.seed, train.get()));
    N2V_RETURN_IF_ERROR(train.Sync());
    run = &fresh;
  } else {
    N2V_RETURN_IF_ERROR(Upload(state->input, &tables.input));
    N2V_RETURN_IF_ERROR(Upload(state->output, &tables.output));
    N2V_RETURN_IF_ERROR(UploadNegatives(tables, state->counts, o));
  }

  // Epoch results are committed to the state together with the tables they belong to, so a
  // cancelled call never leaves a state whose tables and progress disagree.
  std::vector<double> losses = run->losses;
  int64_t pairs = run->pairs;
  int32_t next_epoch = run->next_epoch;
  bool committed = false;
  const auto commit = [&]() -> absl::Status {
    N2V_RETURN_IF_ERROR(Download(tables.input, n, o.dim, &run->input));
    N2V_RETURN_IF_ERROR(Download(tables.output, n, o.dim, &run->output));
    run->losses = losses;
    run->pairs = pairs;
    run->next_epoch = next_epoch;
    if (run != state) {
      *state = std::move(fresh);
      run = state;
    }
    return absl::OkStatus();
  };

  const uint64_t run_total = static_cast<uint64_t>(o.epochs) * total_centres;
  for (int32_t epoch = next_epoch; epoch < o.epochs && num_walks > 0; ++epoch) {
    const uint64_t epoch_base = static_cast<uint64_t>(epoch) * total_centres;
    absl::Status st = pass(
        [&](const int32_t* walks, uint64_t first, uint64_t count) {
          return SgdEpochOnDevice(tables, walks, static_cast<int64_t>(num_walks), length, o,
                                  epoch, first * length, count * length, train.get(), launch,
                                  first);
        },
        [&](uint64_t c) {
          if (on_progress) {
            const uint64_t done = std::min((c + 1) * chunk_walks, num_walks) * length;
            // Pairs and loss are counted on the device and read back once per epoch.
            on_progress(epoch_base + done, run_total, -1, NAN);
          }
          return stop_if_cancelled();
        });
    if (!st.ok()) {
      drain();
      return st;
    }
    double loss = 0;
    unsigned long long count = 0;
    N2V_CUDA_RETURN_IF_ERROR(cudaMemcpy(&loss, tables.loss.data() + epoch, sizeof(double),
                                        cudaMemcpyDeviceToHost));
    N2V_CUDA_RETURN_IF_ERROR(cudaMemcpy(&count, tables.pairs.data() + epoch, sizeof(count),
                                        cudaMemcpyDeviceToHost));
    losses.push_back(count > 0 ? loss / static_cast<double>(count) : 0.0);
    pairs += static_cast<int64_t>(count);
    next_epoch = epoch + 1;
    committed = false;
    if (on_epoch) {
      N2V_RETURN_IF_ERROR(commit());
      committed = true;
      if (!on_epoch(*state)) break;
    }
  }
  if (!committed) N2V_RETURN_IF_ERROR(commit());
  return StatsOf(*state, start);
}

}  // namespace n2v::cuda
