// n2v::TrainSeedModel (n2v.hpp): the Keras example's model on a graph, walks → the seed's
// examples → He-normal table → Adam, on the CPU or the GPU. The one copy of this pipeline: the
// MovieLens job, Train's adam regime and the GPU pipeline's parity test all run it.
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

double MsSince(std::chrono::steady_clock::time_point& t) {
  const auto now = std::chrono::steady_clock::now();
  const double ms = std::chrono::duration<double, std::milli>(now - t).count();
  t = now;
  return ms;
}

}  // namespace

absl::StatusOr<SeedModelResult> TrainSeedModel(const Graph& graph, const AliasTables& alias,
                                               const WalkOptions& wo, const ExampleOptions& eo,
                                               const AdamTrainOptions& ao,
                                               const DeviceUsed& device, int threads,
                                               const ProgressCallback& on_progress,
                                               const CancelCallback& cancelled) {
  SeedModelResult r;
  const CsrView g = graph.view();
  auto clock = std::chrono::steady_clock::now();
  if (device.cuda) {
#if defined(N2V_WITH_CUDA)
    N2V_ASSIGN_OR_RETURN(CudaSeedRun run,
                         RunSeedModelOnCuda(graph, alias, wo, eo, ao, device.index));
    // Device stages are timed with CUDA events; the rest of the wall time (upload, allocation,
    // download) is device_setup, so the stage times still add up.
    const double wall = MsSince(clock);
    r.walks_ms = run.walks_ms;
    r.examples_ms = run.examples_ms;
    r.training_ms = run.training_ms;
    r.device_setup_ms = wall - run.walks_ms - run.examples_ms - run.training_ms;
    r.examples = run.num_examples;
    r.couples = run.raw_pairs;
    r.losses = std::move(run.losses);
    r.embeddings = std::move(run.embeddings);
    if (on_progress) {
      for (size_t e = 0; e < r.losses.size(); ++e) {
        on_progress(ProgressEvent{.kind = ProgressEvent::Kind::kEpoch,
                                  .epoch = static_cast<int32_t>(e + 1),
                                  .epochs = ao.epochs,
                                  .loss = r.losses[e],
                                  .seconds = r.training_ms / 1000});
      }
    }
    return r;
#else
    return absl::FailedPreconditionError("this n2v was built without the CUDA backend");
#endif
  }
  const int nt = EffectiveThreads(threads);
  const uint64_t num_walks = static_cast<uint64_t>(wo.num_walks) * g.num_nodes;
  std::vector<int32_t> walks(num_walks * wo.length);
  cpu::SampleWalks(g, alias.view(), MakeWalkParams(wo, graph, nt), 0, num_walks, walks.data(),
                   nt);
  r.walks_ms = MsSince(clock);
  Examples ex = cpu::GenerateExamples(walks.data(), static_cast<int64_t>(num_walks), wo.length,
                                      g.num_nodes, eo, nt);
  walks = {};
  r.examples_ms = MsSince(clock);
  r.examples = ex.size();
  r.couples = ex.raw_pairs;
  if (r.examples < ao.batch) {
    return absl::InvalidArgumentError(absl::StrCat(
        "only ", r.examples, " training examples, fewer than one batch of --batch ", ao.batch));
  }
  r.embeddings = InitHeNormal(g.num_nodes, ao.dim, ao.seed, nt);
  const uint64_t per_epoch = static_cast<uint64_t>(r.examples / ao.batch * ao.batch);
  const auto epoch_start = std::chrono::steady_clock::now();
  bool stop = false;
  r.losses = cpu::TrainAdam(ex, ao, &r.embeddings, nt, [&](int32_t epoch, double loss) {
    if (on_progress) {
      on_progress(ProgressEvent{
          .kind = ProgressEvent::Kind::kEpoch,
          .epoch = epoch + 1,
          .epochs = ao.epochs,
          .done = per_epoch * static_cast<uint64_t>(epoch + 1),
          .total = per_epoch * static_cast<uint64_t>(ao.epochs),
          .loss = loss,
          .seconds =
              std::chrono::duration<double>(std::chrono::steady_clock::now() - epoch_start)
                  .count()});
    }
    stop = cancelled && cancelled();
    return !stop;
  });
  if (stop) return absl::CancelledError("training cancelled");
  r.training_ms = MsSince(clock);
  return r;
}

}  // namespace n2v
