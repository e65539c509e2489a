// n2v::SampleWalks (n2v.hpp): walks streamed to a sink in chunks. The CPU samples each chunk with
// every thread; the GPU (cuda::StreamWalks) uploads the graph once and downloads large chunks
// through pinned, double-buffered memory while it samples the next. Both give the same walks.
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <vector>

#include "absl/strings/str_cat.h"
#include "n2v/n2v.hpp"
#include "n2v/status.hpp"
#if defined(N2V_WITH_CUDA)
#include "n2v/cuda_api.hpp"
#endif

namespace n2v {
namespace {

// CPU chunks: about 2^20 walk positions (4 MiB of ids), and at least 4096 walks so every thread
// has many walks of a chunk to take.
uint64_t CpuChunkWalks(uint32_t length) {
  return std::max<uint64_t>(4096, (uint64_t{1} << 20) / std::max<uint32_t>(1, length));
}

double MsSince(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

uint64_t DefaultWalkChunk(uint32_t length) { return CpuChunkWalks(length); }

absl::StatusOr<WalkRunStats> SampleWalks(const Graph& graph, const WalkRunOptions& o,
                                         const WalkSink& sink) {
  N2V_RETURN_IF_ERROR(ValidateWalkConfig(o.walk));
  if (o.threads < 0) {
    return absl::InvalidArgumentError("--threads: expected 0 (all cores) or more");
  }
  if (graph.num_nodes() == 0) return absl::InvalidArgumentError("the graph has no nodes");
  if (!sink) return absl::InvalidArgumentError("SampleWalks: no sink");
  const int threads = EffectiveThreads(o.threads);
  WalkRunStats stats;
  std::string note;
  N2V_ASSIGN_OR_RETURN(stats.device, ResolveDevice(o.device, threads, &note));
  if (!note.empty() && o.on_progress) {
    o.on_progress(ProgressEvent{.kind = ProgressEvent::Kind::kNote, .text = note});
  }
  const CsrView g = graph.view();
  const AliasTables alias = BuildAliasTables(g, threads);
  WalkOptions wo;
  wo.p = o.walk.p;
  wo.q = o.walk.q;
  wo.length = o.walk.length;
  wo.num_walks = o.walk.num_walks;
  wo.seed = o.seed;
  const core::WalkParams params = MakeWalkParams(wo, graph, threads);
  const uint64_t num_walks = static_cast<uint64_t>(o.walk.num_walks) * g.num_nodes;
  stats.walks = num_walks;
  uint64_t done = 0;
  auto report = [&](uint64_t count, double seconds) {
    done += count;
    if (o.on_progress) {
      o.on_progress(ProgressEvent{.kind = ProgressEvent::Kind::kProgress,
                                  .done = done,
                                  .total = num_walks,
                                  .seconds = seconds});
    }
  };
  // Visit and length counts (collect_stats): per-thread tables over each chunk, summed at the end.
  const uint32_t len = o.walk.length;
  std::vector<std::vector<uint64_t>> visits(o.collect_stats ? threads : 0);
  std::vector<std::vector<uint64_t>> lengths(o.collect_stats ? threads : 0);
  const auto count_chunk = [&](uint64_t count, const int32_t* walks) {
#pragma omp parallel num_threads(threads)
    {
      const int t = omp_get_thread_num();
      std::vector<uint64_t>& v = visits[t];
      std::vector<uint64_t>& l = lengths[t];
      if (v.empty()) v.assign(g.num_nodes, 0), l.assign(len + 1, 0);
#pragma omp for schedule(static)
      for (int64_t w = 0; w < static_cast<int64_t>(count); ++w) {
        const int32_t* walk = walks + static_cast<uint64_t>(w) * len;
        uint32_t i = 0;
        for (; i < len && walk[i] >= 0; ++i) ++v[walk[i]];
        ++l[i];
      }
    }
  };
  const auto sum_counts = [&] {
    if (!o.collect_stats) return;
    stats.visits.assign(g.num_nodes, 0);
    stats.length_counts.assign(len + 1, 0);
    for (int t = 0; t < threads; ++t) {
      for (size_t i = 0; i < visits[t].size(); ++i) stats.visits[i] += visits[t][i];
      for (size_t i = 0; i < lengths[t].size(); ++i) stats.length_counts[i] += lengths[t][i];
    }
  };
  const auto start = std::chrono::steady_clock::now();
  if (stats.device.cuda) {
#if defined(N2V_WITH_CUDA)
    // Time in the sink is the caller's, not the sampler's.
    double sink_ms = 0;
    N2V_RETURN_IF_ERROR(cuda::StreamWalks(
        g, alias.view(), params, 0, num_walks, o.chunk_walks, stats.device.index,
        [&](uint64_t first, uint64_t count, const int32_t* walks) -> absl::Status {
          const auto t = std::chrono::steady_clock::now();
          if (o.collect_stats) count_chunk(count, walks);
          absl::Status st = sink(first, count, walks);
          sink_ms += MsSince(t);
          report(count, MsSince(start) / 1000);
          return st;
        },
        o.cancelled));
    stats.sample_ms = MsSince(start) - sink_ms;
    sum_counts();
    return stats;
#endif
  }
  const uint64_t chunk = o.chunk_walks > 0 ? o.chunk_walks : CpuChunkWalks(o.walk.length);
  std::vector<int32_t> buf(static_cast<size_t>(std::min(chunk, num_walks)) * o.walk.length);
  for (uint64_t first = 0; first < num_walks; first += chunk) {
    if (o.cancelled && o.cancelled()) return absl::CancelledError("walk sampling cancelled");
    const uint64_t count = std::min(chunk, num_walks - first);
    const auto t = std::chrono::steady_clock::now();
    cpu::SampleWalks(g, alias.view(), params, first, count, buf.data(), threads);
    stats.sample_ms += MsSince(t);
    if (o.collect_stats) count_chunk(count, buf.data());
    N2V_RETURN_IF_ERROR(sink(first, count, buf.data()));
    report(count, MsSince(start) / 1000);
  }
  sum_counts();
  return stats;
}

}  // namespace n2v
