// n2v::SampleWalksPartitioned (n2v/partition.hpp): walks on a graph split by node ranges, in
// bulk-synchronous supersteps. Each step is core::FirstVerdict / core::AcceptAfterSearch on the
// draws of core::Random4 keyed (walk, step, attempt), as core::WalkAttempt, so the walks equal
// SampleWalks's whatever the split. Threading: OpenMP over a rank's walkers in a superstep; only
// the calling thread talks to the other ranks.
#include <omp.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <limits>
#include <vector>

#include "absl/strings/str_cat.h"
#include "n2v/core/walk.hpp"
#include "n2v/partition.hpp"
#include "n2v/status.hpp"
#include "n2v/walk.hpp"

namespace n2v {
namespace {

// A walker between supersteps: what any rank needs to take its next attempt.
struct Walker {
  uint64_t id;
  uint32_t step;     // index of the node being drawn
  uint32_t attempt;  // of that step
  int32_t t;         // previous node (-1 at the start)
  int32_t v;         // current node
  int32_t x;         // >= 0: a candidate waiting for x's owner to say whether x -> t exists
  int32_t pad;
};
static_assert(sizeof(Walker) == 32);

constexpr int32_t kUnset = std::numeric_limits<int32_t>::min();

double MsSince(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

uint64_t PeakRssBytes() {
  struct rusage u {};
  return getrusage(RUSAGE_SELF, &u) == 0 ? static_cast<uint64_t>(u.ru_maxrss) * 1024 : 0;
}

}  // namespace

absl::StatusOr<WalkRunStats> SampleWalksPartitioned(const GraphPart& part,
                                                    const WalkRunOptions& o, Ranks* ranks,
                                                    const WalkSink& sink,
                                                    PartitionWalkStats* pstats) {
  N2V_RETURN_IF_ERROR(ValidateWalkConfig(o.walk));
  const int size = ranks != nullptr ? ranks->size() : 1;
  const int me = ranks != nullptr ? ranks->rank() : 0;
  if (part.parts() != size || part.rank != me) {
    return absl::InvalidArgumentError(absl::StrCat("SampleWalksPartitioned: the part is rank ",
                                                   part.rank, " of ", part.parts(),
                                                   ", this process rank ", me, " of ", size));
  }
  if (o.threads < 0) {
    return absl::InvalidArgumentError("--threads: expected 0 (all cores) or more");
  }
  if (part.num_nodes == 0) return absl::InvalidArgumentError("the graph has no nodes");
  if (o.device.kind == Device::Kind::kCuda) {
    return absl::InvalidArgumentError(
        "--partition: walks on a partitioned graph run on the CPU; expected --device cpu");
  }
  if (me == 0 && !sink) return absl::InvalidArgumentError("SampleWalksPartitioned: no sink");
  const int threads = EffectiveThreads(o.threads);
  WalkRunStats stats;
  N2V_ASSIGN_OR_RETURN(stats.device, ResolveDevice(Device::Cpu(), threads, nullptr));
  PartitionWalkStats ps;

  const CsrView g = part.local_view();
  const AliasTables alias_tables = BuildAliasTables(g, threads);
  const core::AliasView alias = alias_tables.view();
  WalkOptions wo;
  wo.p = o.walk.p;
  wo.q = o.walk.q;
  wo.length = o.walk.length;
  wo.num_walks = o.walk.num_walks;
  wo.seed = o.seed;
  // symmetric stays false: the check is always x -> t, answered from x's row by x's owner.
  const core::WalkParams params = MakeWalkParams(wo);
  const uint32_t len = o.walk.length;
  const int32_t n = part.num_nodes, first = part.first();
  const uint64_t num_walks = static_cast<uint64_t>(o.walk.num_walks) * static_cast<uint64_t>(n);
  stats.walks = num_walks;
  // Larger batches than one process's chunks: each batch costs about `len` supersteps whatever
  // its size.
  const uint64_t chunk = o.chunk_walks > 0 ? o.chunk_walks : 4 * DefaultWalkChunk(len);

  std::vector<int32_t> out;
  std::vector<Walker> active, incoming;
  std::vector<std::vector<std::vector<Walker>>> outbox(
      threads, std::vector<std::vector<Walker>>(size));
  std::vector<uint8_t> send, recv;
  std::vector<uint64_t> send_bytes(size), recv_bytes;
  std::vector<uint64_t> visits, lengths;
  if (o.collect_stats && me == 0) visits.assign(n, 0), lengths.assign(len + 1, 0);
  const auto start = std::chrono::steady_clock::now();

  // Takes walker w as far as this rank can: to the end of its walk, or into an outbox.
  const auto run = [&](Walker w, int32_t* batch_out, uint64_t batch_first,
                       std::vector<std::vector<Walker>>& box) {
    int32_t* row = batch_out + (w.id - batch_first) * len;
    if (w.x >= 0) {
      // Sent here, x's owner, to answer whether x -> t exists.
      const int64_t lo = g.offsets[w.x - first], hi = g.offsets[w.x - first + 1];
      const uint32_t z = core::Random4(params.key, w.attempt, w.step, w.id).z;
      if (core::AcceptAfterSearch(params, core::RowHas(g, lo, hi, w.t), z)) {
        row[w.step++] = w.x;
        w.t = w.v;
        w.v = w.x;
        w.attempt = 0;
      } else {
        ++w.attempt;  // the next attempt draws from v's row, back on v's owner
        w.x = -1;
        box[part.Owner(w.v)].push_back(w);
        return;
      }
      w.x = -1;
    }
    while (w.step < len) {
      const int64_t r0 = g.offsets[w.v - first];
      const uint32_t deg = static_cast<uint32_t>(g.offsets[w.v - first + 1] - r0);
      if (deg == 0) {
        for (uint32_t i = w.step; i < len; ++i) row[i] = -1;
        return;
      }
      const core::U32x4 r = core::Random4(params.key, w.attempt, w.step, w.id);
      const int32_t x = core::DrawByWeight(g, alias, w.v - first, r.x, r.y);
      core::Verdict verdict = core::FirstVerdict(params, w.t, x, r.z);
      if (verdict == core::Verdict::kSearch) {
        if (!part.Owns(x)) {
          w.x = x;
          box[part.Owner(x)].push_back(w);
          return;
        }
        const int64_t lo = g.offsets[x - first], hi = g.offsets[x - first + 1];
        verdict = core::AcceptAfterSearch(params, core::RowHas(g, lo, hi, w.t), r.z)
                      ? core::Verdict::kAccept
                      : core::Verdict::kReject;
      }
      if (verdict == core::Verdict::kReject) {
        ++w.attempt;
        continue;
      }
      row[w.step++] = x;
      w.t = w.v;
      w.v = x;
      w.attempt = 0;
      if (w.step < len && !part.Owns(x)) {
        box[part.Owner(x)].push_back(w);
        return;
      }
    }
  };

  for (uint64_t batch_first = 0; batch_first < num_walks; batch_first += chunk) {
    const uint64_t count = std::min(chunk, num_walks - batch_first);
    out.assign(static_cast<size_t>(count) * len, kUnset);
    // This rank's starts: walk w starts at node w mod n.
    active.clear();
    for (uint64_t w = batch_first; w < batch_first + count; ++w) {
      const int32_t s = static_cast<int32_t>(w % static_cast<uint64_t>(n));
      if (!part.Owns(s)) continue;
      out[(w - batch_first) * len] = s;
      active.push_back(Walker{w, 1, 0, -1, s, -1, 0});
    }
    for (;;) {
      const int64_t m = static_cast<int64_t>(active.size());
#pragma omp parallel for schedule(dynamic, 64) num_threads(threads)
      for (int64_t i = 0; i < m; ++i) {
        run(active[i], out.data(), batch_first, outbox[omp_get_thread_num()]);
      }
      // The walkers leaving this rank, grouped by destination.
      uint64_t leaving = 0;
      send.clear();
      for (int r = 0; r < size; ++r) {
        uint64_t bytes = 0;
        for (int t = 0; t < threads; ++t) {
          std::vector<Walker>& b = outbox[t][r];
          const size_t at = send.size();
          send.resize(at + b.size() * sizeof(Walker));
          if (!b.empty()) std::memcpy(send.data() + at, b.data(), b.size() * sizeof(Walker));
          bytes += b.size() * sizeof(Walker);
          b.clear();
        }
        send_bytes[r] = bytes;
        leaving += bytes / sizeof(Walker);
      }
      if (size == 1) {
        N2V_CHECK(leaving == 0);
        break;
      }
      const auto t0 = std::chrono::steady_clock::now();
      uint64_t in_flight = leaving;
      N2V_RETURN_IF_ERROR(ranks->SumInPlace(&in_flight, 1));
      if (in_flight == 0) {
        ps.exchange_ms += MsSince(t0);
        break;
      }
      N2V_RETURN_IF_ERROR(ranks->AllToAll(send.data(), send_bytes, &recv, &recv_bytes));
      ps.exchange_ms += MsSince(t0);
      ++ps.supersteps;
      ps.walkers_sent += leaving;
      ps.bytes_sent += leaving * sizeof(Walker);
      active.resize(recv.size() / sizeof(Walker));
      if (!recv.empty()) std::memcpy(active.data(), recv.data(), recv.size());
    }
    // Every position was written by exactly one rank; the others hold kUnset, below any id.
    const auto t1 = std::chrono::steady_clock::now();
    if (size > 1) N2V_RETURN_IF_ERROR(ranks->MaxToRoot(out.data(), out.size(), 0));
    ps.assemble_ms += MsSince(t1);
    absl::Status st;
    if (me == 0) {
      for (const int32_t node : out) N2V_CHECK(node != kUnset);
      if (o.collect_stats) {
        for (uint64_t w = 0; w < count; ++w) {
          const int32_t* walk = out.data() + w * len;
          uint32_t i = 0;
          for (; i < len && walk[i] >= 0; ++i) ++visits[walk[i]];
          ++lengths[i];
        }
      }
      st = sink(batch_first, count, out.data());
    }
    if (st.ok() && o.cancelled && o.cancelled()) st = absl::CancelledError("walk sampling cancelled");
    if (size > 1) st = AgreeOnStatus(*ranks, st);
    N2V_RETURN_IF_ERROR(st);
    if (me == 0 && o.on_progress) {
      o.on_progress(ProgressEvent{.kind = ProgressEvent::Kind::kProgress,
                                  .done = batch_first + count,
                                  .total = num_walks,
                                  .seconds = MsSince(start) / 1000});
    }
  }
  stats.sample_ms = MsSince(start);
  if (o.collect_stats && me == 0) {
    stats.visits = std::move(visits);
    stats.length_counts = std::move(lengths);
  }
  const uint64_t mine = part.bytes() + 8 * alias_tables.keep.size();
  if (size > 1) {
    N2V_RETURN_IF_ERROR(ranks->Gather(mine, &ps.part_bytes));
    N2V_RETURN_IF_ERROR(ranks->Gather(PeakRssBytes(), &ps.peak_rss_bytes));
  } else {
    ps.part_bytes = {mine};
    ps.peak_rss_bytes = {PeakRssBytes()};
  }
  if (pstats != nullptr) *pstats = std::move(ps);
  return stats;
}

}  // namespace n2v
