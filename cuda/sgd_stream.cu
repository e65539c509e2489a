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
#include "cuda/table_sync.cuh"
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
  uint64_t sync = 0;       // data-parallel: the agreed tables, the delta and the sum (3 x tables)
  uint64_t total() const { return graph + tables + negatives + chunks + small + sync; }
};

DeviceParts PartsOf(int32_t num_nodes, int64_t num_edge_slots, uint32_t length,
                    const SgdTrainOptions& o, bool distributed = false) {
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
  if (distributed) p.sync = TableSyncDeviceBytes(n * static_cast<uint64_t>(std::max(o.dim, 1)));
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
      "walk chunks %.2f GB%s), but cuda:%d has %.2f GB free of %.2f GB (%.0f%% of free is "
      "usable); use a smaller --dim or --device cpu",
      p.total() / kGB, p.graph / kGB, p.tables / kGB, p.negatives / kGB, p.chunks / kGB,
      p.sync > 0 ? absl::StrFormat(", the ranks' table syncs %.2f GB", p.sync / kGB) : "", device,
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
                                         const SgdLaunch& launch, const SgdDataParallel& dp) {
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
  // Data-parallel (dp.ranks with more than one rank): rank `me` trains the chunks c ≡ me (mod N)
  // of each round, as the CPU's RunEpochs does; every step below that can fail on one rank alone
  // before the first collective is agreed on, so that no rank waits for one that has left.
  const bool distributed = IsDistributed(dp.ranks);
  const int nranks = distributed ? dp.ranks->size() : 1;
  const int me = distributed ? dp.ranks->rank() : 0;
  const auto agreed = [&](const absl::Status& st) {
    return distributed ? AgreeOnStatus(*dp.ranks, st) : st;
  };

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
  const uint64_t chunk_walks = std::min(ChunkWalks(length, ChunkCentres(launch)), num_walks);
  DeviceGraph graph;
  DeviceBuffer<int32_t> d_walks[2];
  Stream sample, train;
  Event sampled[2], trained[2];
  DeviceSgdTables tables;
  const absl::Status setup = [&]() -> absl::Status {
    N2V_RETURN_IF_ERROR(UseCudaDevice(device));
    // Before anything is allocated or any graph array read.
    N2V_RETURN_IF_ERROR(CheckDeviceMemory(
        PartsOf(g.num_nodes, g.num_edges, wp.length, o, distributed), device));
    N2V_ASSIGN_OR_RETURN(graph, UploadGraph(g, alias));
    for (auto& b : d_walks) {
      N2V_ASSIGN_OR_RETURN(b, DeviceBuffer<int32_t>::Allocate(chunk_walks * length, "walk chunk"));
    }
    N2V_ASSIGN_OR_RETURN(sample, Stream::Create());
    N2V_ASSIGN_OR_RETURN(train, Stream::Create());
    for (int b = 0; b < 2; ++b) {
      N2V_ASSIGN_OR_RETURN(sampled[b], Event::CreateForSync());
      N2V_ASSIGN_OR_RETURN(trained[b], Event::CreateForSync());
    }
    N2V_ASSIGN_OR_RETURN(tables, AllocateSgdTables(n, o, train.get()));
    return absl::OkStatus();
  }();
  N2V_RETURN_IF_ERROR(agreed(setup));
  const auto drain = [&] {
    N2V_CUDA_LOG_IF_ERROR(cudaStreamSynchronize(sample.get()));
    N2V_CUDA_LOG_IF_ERROR(cudaStreamSynchronize(train.get()));
  };

  // One pass over the chunks lo, lo + step, ... < hi of `cw` walks each (walks [c·cw, c·cw + cw)
  // of [0, num_walks)): the k-th is sampled into d_walks[k % 2] on `sample` (once the chunk
  // before it in that buffer is consumed), then consume(buffer, first walk, walks) is enqueued on
  // `train`. Once chunk k is enqueued, the host waits for chunk k − 1 and calls after(its end,
  // in walks); a non-OK status from it ends the pass.
  const auto pass = [&](uint64_t cw, uint64_t lo, uint64_t hi, uint64_t step, const auto& consume,
                        const auto& after) -> absl::Status {
    uint64_t k = 0, prev_end = 0;
    for (uint64_t c = lo; c < hi; c += step, ++k) {
      const int b = static_cast<int>(k % 2);
      const uint64_t first = c * cw;
      const uint64_t count = std::min(cw, num_walks - first);
      if (k >= 2) N2V_RETURN_IF_ERROR(trained[b].WaitOn(sample.get()));
      N2V_RETURN_IF_ERROR(SampleWalksOnDevice(graph.view(), graph.alias_view(), wp, first, count,
                                              d_walks[b].data(), sample.get()));
      N2V_RETURN_IF_ERROR(sampled[b].Record(sample.get()));
      N2V_RETURN_IF_ERROR(sampled[b].WaitOn(train.get()));
      N2V_RETURN_IF_ERROR(consume(d_walks[b].data(), first, count));
      N2V_RETURN_IF_ERROR(trained[b].Record(train.get()));
      if (k >= 1) {
        N2V_RETURN_IF_ERROR(trained[1 - b].Sync());
        N2V_RETURN_IF_ERROR(after(prev_end));
      }
      prev_end = first + count;
    }
    if (k > 0) {
      N2V_RETURN_IF_ERROR(trained[(k - 1) % 2].Sync());
      N2V_RETURN_IF_ERROR(after(prev_end));
    }
    return absl::OkStatus();
  };
  const uint64_t chunks = num_walks == 0 ? 0 : CeilDiv(num_walks, chunk_walks);
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
    // The counting pass: every walk sampled once on the device and counted there (data-parallel:
    // each rank its own chunks, with no cancel, as on the CPU; the counts are then summed).
    absl::StatusOr<DeviceBuffer<unsigned long long>> counts =
        DeviceBuffer<unsigned long long>::Allocate(static_cast<size_t>(n), "node counts");
    absl::StatusOr<DeviceBuffer<int>> bad =
        counts.ok() ? DeviceBuffer<int>::Allocate(1, "walk check flag") : counts.status();
    absl::Status st = bad.status();
    if (st.ok()) st.Update(counts->ZeroAsync(train.get()));
    if (st.ok()) st.Update(bad->ZeroAsync(train.get()));
    if (st.ok()) {
      st.Update(pass(
          chunk_walks, static_cast<uint64_t>(me), chunks, static_cast<uint64_t>(nranks),
          [&](const int32_t* walks, uint64_t, uint64_t count) {
            return CountNodesOnDevice(walks, count * length, n, counts->data(), bad->data(),
                                      train.get());
          },
          [&](uint64_t) { return distributed ? absl::OkStatus() : stop_if_cancelled(); }));
    }
    if (!st.ok()) drain();
    static_assert(sizeof(uint64_t) == sizeof(unsigned long long));
    fresh.counts.resize(static_cast<size_t>(n));
    int h_bad = 0;
    if (st.ok()) {
      st.Update(counts->CopyToHost(reinterpret_cast<unsigned long long*>(fresh.counts.data()),
                                   fresh.counts.size()));
    }
    if (st.ok()) st.Update(bad->CopyToHost(&h_bad, 1));
    if (st.ok() && h_bad != 0) {
      st.Update(absl::InternalError("TrainSgdOnGraph on CUDA: a sampled walk holds an id >= n"));
    }
    N2V_RETURN_IF_ERROR(agreed(st));
    if (distributed) {
      N2V_RETURN_IF_ERROR(dp.ranks->SumInPlace(fresh.counts.data(), fresh.counts.size()));
    }
    st.Update(UploadNegatives(tables, fresh.counts, o));
    if (st.ok()) st.Update(InitSgdTables(tables, o.seed, train.get()));
    if (st.ok()) st.Update(train.Sync());
    N2V_RETURN_IF_ERROR(agreed(st));
    run = &fresh;
  } else {
    absl::Status st = Upload(state->input, &tables.input);
    if (st.ok()) st.Update(Upload(state->output, &tables.output));
    if (st.ok()) st.Update(UploadNegatives(tables, state->counts, o));
    N2V_RETURN_IF_ERROR(agreed(st));
  }

  // --- data-parallel rounds: `span` consecutive chunks of `train_walks` walks, every N-th this
  // rank's, and a table sync between rounds ---------------------------------------------------
  uint64_t train_walks = chunk_walks;
  uint64_t sync_chunks = 0;
  std::unique_ptr<DeltaSum> delta_sum;
  std::unique_ptr<DeviceTableSync> sync;
  SgdSyncStats local_stats;
  SgdSyncStats* sync_stats = dp.stats != nullptr ? dp.stats : &local_stats;
  if (distributed && num_walks > 0) {  // the same on every rank: no walks, no syncs
    const double staleness_per_walk = SyncStaleness(run->counts, length, nranks);
    // --sync-every counts the CPU's chunks; the auto interval is planned on this backend's.
    const uint64_t round_walks =
        dp.sync_chunks > 0
            ? static_cast<uint64_t>(dp.sync_chunks) * SgdCpuWalksPerChunk(length)
            : [&] {
                const SyncPlan plan = AutoSyncPlan(staleness_per_walk, chunk_walks);
                return plan.walks_per_chunk * plan.sync_chunks;
              }();
    train_walks = std::max<uint64_t>(1, std::min(chunk_walks, round_walks));
    sync_chunks = std::max<uint64_t>(1, round_walks / train_walks);
    const size_t floats = static_cast<size_t>(n) * static_cast<size_t>(o.dim);
    N2V_ASSIGN_OR_RETURN(delta_sum, MakeDeltaSum(dp.ranks, dp.gpu_transport, device, 2 * floats));
    absl::StatusOr<std::unique_ptr<DeviceTableSync>> made = DeviceTableSync::Create(
        delta_sum.get(), tables.input.data(), tables.output.data(), floats, train.get(),
        sync_stats);
    N2V_RETURN_IF_ERROR(agreed(made.status()));
    sync = std::move(*made);
    sync_stats->sync_chunks = static_cast<uint32_t>(sync_chunks);
    sync_stats->positions_per_sync = sync_chunks * train_walks * length;
    sync_stats->bytes_per_sync = 2 * floats * sizeof(float);
    sync_stats->staleness = staleness_per_walk * static_cast<double>(sync_chunks * train_walks);
    sync_stats->transport = delta_sum->name();
  }
  const uint64_t train_chunks = num_walks == 0 ? 0 : CeilDiv(num_walks, train_walks);
  const uint64_t span = distributed ? sync_chunks * static_cast<uint64_t>(nranks) : train_chunks;
  const uint64_t rounds = std::max<uint64_t>(1, CeilDiv(train_chunks, std::max<uint64_t>(span, 1)));
  // The same decision on every rank: any rank's `local` stop is everyone's.
  const auto agree_stop = [&](bool local) -> absl::StatusOr<bool> {
    if (!distributed) return local;
    double flag = local ? 1 : 0;
    N2V_RETURN_IF_ERROR(dp.ranks->SumInPlace(&flag, 1));
    return flag > 0;
  };

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
    const auto consume = [&](const int32_t* walks, uint64_t first, uint64_t count) {
      return SgdEpochOnDevice(tables, walks, static_cast<int64_t>(num_walks), length, o, epoch,
                              first * length, count * length, train.get(), launch, first);
    };
    const auto after = [&](uint64_t end_walk) {
      if (sync) sync->Poll();
      if (on_progress) {
        // Pairs and loss are counted on the device and read back once per epoch. Under ranks,
        // the end of this rank's chunk stands for everyone's (they run alike).
        on_progress(epoch_base + std::min(end_walk, num_walks) * length, run_total, -1, NAN);
      }
      return stop_if_cancelled();
    };
    bool stop = false;
    if (sync) N2V_RETURN_IF_ERROR(agreed(sync->Begin()));
    for (uint64_t round = 0; round < rounds; ++round) {
      const uint64_t lo = round * span + static_cast<uint64_t>(me);
      const uint64_t hi = std::min(train_chunks, (round + 1) * span);
      absl::Status st = pass(train_walks, lo, hi, distributed ? nranks : 1, consume, after);
      const bool cancel = absl::IsCancelled(st);
      if (!st.ok()) drain();
      if (!st.ok() && !(cancel && distributed)) return st;
      if (!distributed) break;
      // Under ranks a cancel is agreed at the round's end (the others finish their round).
      N2V_ASSIGN_OR_RETURN(stop, agree_stop(cancel));
      if (stop) break;
      if (round + 1 < rounds) N2V_RETURN_IF_ERROR(sync->Boundary());
    }
    if (stop) {
      N2V_RETURN_IF_ERROR(sync->Abandon());
      return absl::CancelledError("training cancelled");
    }
    if (sync) N2V_RETURN_IF_ERROR(sync->Settle());
    double loss = 0;
    unsigned long long count = 0;
    N2V_CUDA_RETURN_IF_ERROR(cudaMemcpy(&loss, tables.loss.data() + epoch, sizeof(double),
                                        cudaMemcpyDeviceToHost));
    N2V_CUDA_RETURN_IF_ERROR(cudaMemcpy(&count, tables.pairs.data() + epoch, sizeof(count),
                                        cudaMemcpyDeviceToHost));
    if (distributed) {
      double sums[2] = {loss, static_cast<double>(count)};
      N2V_RETURN_IF_ERROR(dp.ranks->SumInPlace(sums, 2));
      loss = sums[0];
      count = static_cast<unsigned long long>(sums[1]);
    }
    losses.push_back(count > 0 ? loss / static_cast<double>(count) : 0.0);
    pairs += static_cast<int64_t>(count);
    next_epoch = epoch + 1;
    committed = false;
    if (on_epoch) {
      N2V_RETURN_IF_ERROR(commit());
      committed = true;
      N2V_ASSIGN_OR_RETURN(const bool any_stop, agree_stop(!on_epoch(*state)));
      if (any_stop) break;
    }
  }
  if (!committed) N2V_RETURN_IF_ERROR(commit());
  return StatsOf(*state, start);
}

}  // namespace n2v::cuda
