// The seed's job on the GPU in one call (RunSeedModelOnCuda): graph upload, walks, examples and
// Adam training stay in device memory end to end; only the trained table comes back. Twin: the CPU
// path of apps/movielens_cmd.cpp (cpu::SampleWalks → cpu::GenerateExamples → InitHeNormal →
// cpu::TrainAdam), which this reproduces exactly up to training's float round-off.
// Threading: see the stage files (walk.cu, examples.cu, train.cu); one stream, cudaEvents between
// stages.
#include <algorithm>
#include <cmath>
#include <thread>

#include "absl/strings/str_cat.h"
#include "cuda/cuda_check.cuh"
#include "cuda/device.cuh"
#include "cuda/device_buffer.cuh"
#include "cuda/examples.cuh"
#include "cuda/train.cuh"
#include "cuda/walk.cuh"
#include "n2v/cuda_api.hpp"
#include "n2v/core/limits.hpp"
#include "n2v/status.hpp"

namespace n2v {

absl::StatusOr<CudaSeedRun> RunSeedModelOnCuda(const Graph& graph, const AliasTables& alias,
                                               const WalkOptions& walk,
                                               const ExampleOptions& examples,
                                               const AdamTrainOptions& train, int device) {
  const CsrView g = graph.view();
  if (g.num_nodes <= 0) return absl::InvalidArgumentError("the graph has no node");
  if (alias.keep.size() != static_cast<size_t>(g.num_edges) ||
      alias.alias.size() != static_cast<size_t>(g.num_edges)) {
    return absl::InvalidArgumentError("alias tables do not match the graph (BuildAliasTables)");
  }
  if (!(walk.p > 0) || !(walk.q > 0) || !std::isfinite(walk.p) || !std::isfinite(walk.q) ||
      walk.length < 1 || walk.num_walks < 1) {
    return absl::InvalidArgumentError("walks need p, q > 0, length >= 1 and num_walks >= 1");
  }
  if (train.dim < 1 || train.dim > core::kMaxDim || train.batch < 1 || train.epochs < 0) {
    return absl::InvalidArgumentError(absl::StrCat("training needs 1 <= dim <= ", core::kMaxDim,
                                                   ", batch >= 1, epochs >= 0"));
  }
  N2V_RETURN_IF_ERROR(UseCudaDevice(device));
  CudaSeedRun run;
  {
    cudaDeviceProp prop{};
    N2V_CUDA_RETURN_IF_ERROR(cudaGetDeviceProperties(&prop, device));
    run.device_name = prop.name;
  }

  // --- the whole job's footprint, checked before the first allocation --------------------------
  const int64_t num_walks = static_cast<int64_t>(walk.num_walks) * g.num_nodes;
  const size_t walk_bytes = static_cast<size_t>(num_walks) * walk.length * sizeof(int32_t);
  const int64_t max_examples = cuda::MaxCouples(num_walks, walk.length, examples);
  const size_t table_bytes = static_cast<size_t>(g.num_nodes) * train.dim * sizeof(float);
  // Walks and the example scratch are alive together; the example scratch is freed before
  // training, but the estimate adds everything up to stay on the safe side.
  run.device_bytes = cuda::DeviceGraphBytes(g.num_nodes, g.num_edges) + walk_bytes +
                     cuda::ExamplesDeviceBytes(num_walks, walk.length, examples) + table_bytes +
                     cuda::AdamDeviceBytes(max_examples, g.num_nodes, train);
  N2V_RETURN_IF_ERROR(cuda::CheckFits(
      run.device_bytes,
      absl::StrCat("the GPU pipeline (", g.num_nodes, " nodes, ", g.num_edges, " edge slots, ",
                   num_walks, " walks of ", walk.length, ", dim ", train.dim, ")")));

  auto stream = cuda::Stream::Create();
  if (!stream.ok()) return stream.status();
  const cudaStream_t s = stream->get();
  auto ev_walk0 = cuda::Event::Create();
  if (!ev_walk0.ok()) return ev_walk0.status();
  auto ev_walk1 = cuda::Event::Create();
  if (!ev_walk1.ok()) return ev_walk1.status();
  auto ev_ex1 = cuda::Event::Create();
  if (!ev_ex1.ok()) return ev_ex1.status();

  // --- walks ----------------------------------------------------------------------------------
  auto d_graph = cuda::UploadGraph(g, alias.view());
  if (!d_graph.ok()) return d_graph.status();
  auto d_walks = cuda::DeviceBuffer<int32_t>::Allocate(
      static_cast<size_t>(num_walks) * walk.length, "walks");
  if (!d_walks.ok()) return d_walks.status();
  N2V_RETURN_IF_ERROR(ev_walk0->Record(s));
  N2V_RETURN_IF_ERROR(cuda::SampleWalksOnDevice(d_graph->view(), d_graph->alias_view(),
                                                MakeWalkParams(walk, graph, 0), 0,
                                                static_cast<uint64_t>(num_walks),
                                                d_walks->data(), s));
  N2V_RETURN_IF_ERROR(ev_walk1->Record(s));

  // --- examples -------------------------------------------------------------------------------
  auto ex = cuda::GenerateExamplesOnDevice(d_walks->data(), num_walks, walk.length, g.num_nodes,
                                           examples, s);
  if (!ex.ok()) return ex.status();
  N2V_RETURN_IF_ERROR(ev_ex1->Record(s));
  auto walks_ms = ev_walk1->MsSince(*ev_walk0);
  if (!walks_ms.ok()) return walks_ms.status();
  auto examples_ms = ev_ex1->MsSince(*ev_walk1);
  if (!examples_ms.ok()) return examples_ms.status();
  run.walks_ms = *walks_ms;
  run.examples_ms = *examples_ms;
  run.num_examples = ex->size;
  run.raw_pairs = ex->raw_pairs;
  d_walks->Reset();
  d_graph->offsets.Reset();
  d_graph->neighbors.Reset();
  d_graph->alias_slots.Reset();
  if (ex->size < train.batch) {
    return absl::InvalidArgumentError(absl::StrCat("only ", ex->size,
                                                   " training examples, fewer than one batch of "
                                                   "--batch ",
                                                   train.batch));
  }

  // --- training: the CPU's initial table (host InitHeNormal: device libm differs in the last
  // bit), trained on the device ---------------------------------------------------------------
  const int host_threads = std::max(1u, std::thread::hardware_concurrency());
  run.embeddings = InitHeNormal(g.num_nodes, train.dim, train.seed, host_threads);
  auto d_table = cuda::DeviceBuffer<float>::FromHost(run.embeddings.data.data(),
                                                     run.embeddings.data.size(), "embeddings");
  if (!d_table.ok()) return d_table.status();
  const cuda::ExamplesView view{ex->target.data(), ex->context.data(), ex->label.data(),
                                ex->weight.data(), ex->size};
  auto trained = cuda::TrainAdamOnDevice(view, train, d_table->data(), g.num_nodes, nullptr, s);
  if (!trained.ok()) return trained.status();
  run.training_ms = trained->ms;
  run.losses = std::move(trained->losses);
  N2V_RETURN_IF_ERROR(stream->Sync());
  N2V_RETURN_IF_ERROR(
      d_table->CopyToHost(run.embeddings.data.data(), run.embeddings.data.size()));
  return run;
}

}  // namespace n2v
