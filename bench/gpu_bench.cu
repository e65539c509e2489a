// GPU benchmarks, one JSON object on stdout (scripts/gpu-check reads it). Timed with cudaEvents
// after a warm-up launch (CUDA loads kernels lazily on first use). Figures and their targets:
//   walks      steps/s, 1M nodes / 10M undirected edges (20M slots), p = 0.5, q = 2, length 80.
//              Napkin: ≈ 200-270 B of gathers per step → 6-9G steps/s at 3.35 TB/s (bench/walk_bench.cpp counts the bytes);
//              target ≥ 5e9 (issue 15).
//   sgd        (centre, context) pair updates/s, dim 128, 5 negatives, window 10, on the first
//              100k of those walks, for each pair kernel (sequential, parallel) and shared
//              negatives. Bound: ≈ 7.2 KB per pair from HBM (the device's peak from its memory
//              clock and bus width, in the JSON) → ≈ 6.7e8/s on an H200; targets 6e8 and, shared
//              negatives, 2e9 (issue 15).
//   allknn     top-10 of every row of a 1M x 128 table: tiled SGEMM + top-k, against the same
//              SGEMMs alone (the peak this could reach) → fraction of SGEMM time; then the
//              tensor-core path (BF16 candidates + FP32 re-rank) on the same table, its rows sent
//              to the FP32 path, its answer against the FP32 one, and its bound (the device's
//              dense BF16 rate); target ≤ 2 s (issue 15).
//   movielens  the seed's GPU stages (walks + examples + training + similarity) on
//              ml-latest-small's PMI graph (or a synthetic graph of its size); target ≤ 20 ms (issue 15).
// Usage: gpu_bench [--data DIR] [--quick] [--skip-allknn]. Runs in ≈ 20-30 s on an H100
// (--quick: a few seconds, for smoke tests).
#include <cuda_runtime.h>
#include <curand.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "cuda/cuda_check.cuh"
#include "cuda/device.cuh"
#include "cuda/device_buffer.cuh"
#include "cuda/sgd.cuh"
#include "cuda/similarity.cuh"
#include "cuda/walk.cuh"
#include "n2v/cuda_api.hpp"
#include "n2v/movielens.hpp"
#include "n2v/status.hpp"
#include "n2v/walk.hpp"

namespace n2v::bench {
namespace {

using cuda::DeviceBuffer;
using cuda::Event;
using cuda::Stream;

struct Options {
  std::string data = "data/ml-latest-small";
  bool quick = false;
  bool skip_allknn = false;
};

// Collects "key": value pairs of one JSON object.
class Json {
 public:
  void Num(const std::string& key, double v) {
    Add(key, std::isfinite(v) ? absl::StrFormat("%.6g", v) : std::string("null"));
  }
  void Int(const std::string& key, int64_t v) { Add(key, absl::StrCat(v)); }
  void Str(const std::string& key, const std::string& v) { Add(key, Quote(v)); }
  void Bool(const std::string& key, bool v) { Add(key, v ? "true" : "false"); }
  void Obj(const std::string& key, const Json& o) { Add(key, o.str()); }
  std::string str() const { return "{" + body_ + "}"; }
  static std::string Quote(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
      if (c == '"' || c == '\\') out += '\\', out += c;
      else if (static_cast<unsigned char>(c) < 0x20) out += absl::StrFormat("\\u%04x", c);
      else out += c;
    }
    return out + "\"";
  }

 private:
  void Add(const std::string& key, const std::string& v) {
    if (!body_.empty()) body_ += ", ";
    body_ += Quote(key) + ": " + v;
  }
  std::string body_;
};

double WallMs(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

// SplitMix64 stream for the synthetic graph (fast; quality is irrelevant here).
struct Rng {
  uint64_t s;
  uint64_t Next() {
    uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
};

// Undirected random graph: `edges` random pairs (both directions stored), weights in [0.1, 10),
// rows sorted by neighbour (duplicates kept: harmless for walks).
Graph RandomGraph(int32_t n, int64_t edges, uint64_t seed) {
  Rng rng{seed};
  std::vector<int32_t> src(2 * edges), dst(2 * edges);
  std::vector<float> w(2 * edges);
  for (int64_t e = 0; e < edges; ++e) {
    const int32_t u = static_cast<int32_t>(rng.Next() % n);
    int32_t v = static_cast<int32_t>(rng.Next() % n);
    if (v == u) v = (v + 1) % n;
    const float wt = 0.1f + 9.9f * static_cast<float>(rng.Next() >> 40) / 16777216.0f;
    src[2 * e] = u, dst[2 * e] = v, w[2 * e] = wt;
    src[2 * e + 1] = v, dst[2 * e + 1] = u, w[2 * e + 1] = wt;
  }
  Graph g;
  g.offsets.assign(static_cast<size_t>(n) + 1, 0);
  for (int32_t s : src) ++g.offsets[s + 1];
  for (int32_t v = 0; v < n; ++v) g.offsets[v + 1] += g.offsets[v];
  std::vector<int64_t> at(g.offsets.begin(), g.offsets.end() - 1);
  g.neighbors.resize(src.size());
  g.weights.resize(src.size());
  for (size_t e = 0; e < src.size(); ++e) {
    const int64_t p = at[src[e]]++;
    g.neighbors[p] = dst[e];
    g.weights[p] = w[e];
  }
  std::vector<std::pair<int32_t, float>> row;
  for (int32_t v = 0; v < n; ++v) {
    row.clear();
    for (int64_t p = g.offsets[v]; p < g.offsets[v + 1]; ++p) row.push_back({g.neighbors[p], g.weights[p]});
    std::sort(row.begin(), row.end());
    for (size_t j = 0; j < row.size(); ++j) {
      g.neighbors[g.offsets[v] + j] = row[j].first;
      g.weights[g.offsets[v] + j] = row[j].second;
    }
  }
  g.names.resize(n);
  return g;
}

int HostThreads() { return std::max(1u, std::thread::hardware_concurrency()); }

// --- walks + SGD (the SGD trains on the walks already in device memory) -------------------------
absl::Status BenchWalksAndSgd(const Options& opt, Json* walks_json, Json* sgd_json) {
  const int32_t n = opt.quick ? 100000 : 1000000;
  const int64_t edges = int64_t{n} * 10;  // 20 edge slots per node
  const uint32_t length = 80;
  auto t0 = std::chrono::steady_clock::now();
  const Graph g = RandomGraph(n, edges, 1);
  const AliasTables alias = BuildAliasTables(g.view(), HostThreads());
  walks_json->Num("host_setup_ms", WallMs(t0));
  auto stream = Stream::Create();
  if (!stream.ok()) return stream.status();
  auto dg = cuda::UploadGraph(g.view(), alias.view());
  if (!dg.ok()) return dg.status();
  WalkOptions wo;
  wo.p = 0.5;
  wo.q = 2.0;
  wo.length = length;
  const core::WalkParams params = MakeWalkParams(wo);
  const uint64_t num_walks = static_cast<uint64_t>(n);  // one walk per node
  auto d_walks = DeviceBuffer<int32_t>::Allocate(num_walks * length, "walks");
  if (!d_walks.ok()) return d_walks.status();
  N2V_RETURN_IF_ERROR(cuda::SampleWalksOnDevice(dg->view(), dg->alias_view(), params, 0, 1024,
                                                d_walks->data(), stream->get()));  // warm-up
  auto start = Event::Create();
  auto stop = Event::Create();
  if (!start.ok() || !stop.ok()) return absl::InternalError("cudaEventCreate failed");
  std::vector<float> times;
  for (int rep = 0; rep < 3; ++rep) {
    N2V_RETURN_IF_ERROR(start->Record(stream->get()));
    N2V_RETURN_IF_ERROR(cuda::SampleWalksOnDevice(dg->view(), dg->alias_view(), params, 0,
                                                  num_walks, d_walks->data(), stream->get()));
    N2V_RETURN_IF_ERROR(stop->Record(stream->get()));
    auto ms = stop->MsSince(*start);
    if (!ms.ok()) return ms.status();
    times.push_back(*ms);
  }
  std::sort(times.begin(), times.end());
  const double ms = times[times.size() / 2];
  // Steps actually taken: every non-padding entry after the start node.
  std::vector<int32_t> h_walks(num_walks * length);
  N2V_RETURN_IF_ERROR(d_walks->CopyToHost(h_walks.data(), h_walks.size()));
  int64_t steps = 0;
  for (uint64_t w = 0; w < num_walks; ++w) {
    for (uint32_t i = 1; i < length; ++i) steps += h_walks[w * length + i] >= 0 ? 1 : 0;
  }
  walks_json->Int("nodes", n);
  walks_json->Int("edge_slots", g.num_edge_slots());
  walks_json->Num("p", wo.p);
  walks_json->Num("q", wo.q);
  walks_json->Int("walks", static_cast<int64_t>(num_walks));
  walks_json->Int("length", length);
  walks_json->Int("steps", steps);
  walks_json->Num("ms", ms);
  walks_json->Num("steps_per_s", steps / (ms * 1e-3));
  walks_json->Num("target_steps_per_s", 5e9);
  walks_json->Bool("meets_target", steps / (ms * 1e-3) >= 5e9);
  dg->offsets.Reset();
  dg->neighbors.Reset();
  dg->alias_slots.Reset();

  // --- SGD on the first walks: each pair kernel and shared negatives, each on fresh tables ------
  // Bytes-moved bound: a pair reads and atomically updates 1 + K output rows and updates the
  // input row, dim·4 bytes each way per row from HBM once the tables outgrow L2 (1M nodes: 512 MB
  // a table): 2·(2 + K)·dim·4 bytes (7.2 KB at dim 128, K = 5); shared negatives touch 1 + K + m
  // rows per centre of m pairs instead.
  int dev = 0, mem_khz = 0, bus_bits = 0;
  N2V_CUDA_RETURN_IF_ERROR(cudaGetDevice(&dev));
  N2V_CUDA_RETURN_IF_ERROR(cudaDeviceGetAttribute(&mem_khz, cudaDevAttrMemoryClockRate, dev));
  N2V_CUDA_RETURN_IF_ERROR(cudaDeviceGetAttribute(&bus_bits, cudaDevAttrGlobalMemoryBusWidth, dev));
  const double hbm_bytes_per_s = 2.0 * mem_khz * 1e3 * bus_bits / 8.0;  // DDR: two per clock
  cuda::SgdTrainOptions so;
  so.dim = 128;
  so.negatives = 5;
  so.window = 10;
  so.epochs = 2;  // epoch 1: warm-up on a few centres; epoch 0: the timed full pass
  const int64_t sgd_walks = std::min<int64_t>(opt.quick ? 20000 : 100000, n);
  const double pair_bytes = 2.0 * (2 + so.negatives) * so.dim * sizeof(float);
  sgd_json->Int("dim", so.dim);
  sgd_json->Int("negatives", so.negatives);
  sgd_json->Int("window", so.window);
  sgd_json->Int("walks", sgd_walks);
  sgd_json->Num("hbm_bytes_per_s", hbm_bytes_per_s);
  auto time_one = [&](const char* name, const cuda::SgdTrainOptions& to,
                      const cuda::SgdLaunch& launch, double target) -> absl::Status {
    auto state = cuda::PrepareSgd(d_walks->data(), sgd_walks, length, n, to, stream->get());
    if (!state.ok()) return state.status();
    N2V_RETURN_IF_ERROR(cuda::SgdEpochOnDevice(*state, d_walks->data(), sgd_walks, length, to, 1,
                                               0, 4096, stream->get(), launch));
    N2V_RETURN_IF_ERROR(start->Record(stream->get()));
    N2V_RETURN_IF_ERROR(cuda::SgdEpochOnDevice(*state, d_walks->data(), sgd_walks, length, to, 0,
                                               0, static_cast<uint64_t>(sgd_walks) * length,
                                               stream->get(), launch));
    N2V_RETURN_IF_ERROR(stop->Record(stream->get()));
    auto ms = stop->MsSince(*start);
    if (!ms.ok()) return ms.status();
    unsigned long long pairs = 0;
    double loss = 0;
    N2V_RETURN_IF_ERROR(state->pairs.CopyToHost(&pairs, 1));
    N2V_RETURN_IF_ERROR(state->loss.CopyToHost(&loss, 1));
    Json k;
    k.Int("pairs", static_cast<int64_t>(pairs));
    k.Num("ms", *ms);
    k.Num("pairs_per_s", pairs / (*ms * 1e-3));
    // Shared negatives: per centre 1 + K output rows and its m contexts' input rows, each read
    // and written once, over the centre's m pairs (m from this run's pairs per position).
    const double m = static_cast<double>(pairs) / (static_cast<double>(sgd_walks) * length);
    const double bytes = to.shared_negatives && m > 0
                             ? 2.0 * to.dim * sizeof(float) * (1 + to.negatives + m) / m
                             : pair_bytes;
    k.Num("bytes_per_pair_bound", bytes);
    k.Num("bound_pairs_per_s", hbm_bytes_per_s / bytes);
    k.Num("fraction_of_bound", pairs / (*ms * 1e-3) / (hbm_bytes_per_s / bytes));
    k.Num("mean_pair_loss", pairs > 0 ? loss / pairs : NAN);
    k.Num("target_pairs_per_s", target);
    k.Bool("meets_target", pairs / (*ms * 1e-3) >= target);
    sgd_json->Obj(name, k);
    return absl::OkStatus();
  };
  // Issue 15's targets: 6e8 pairs/s with word2vec's negatives, 2e9 with shared negatives.
  N2V_RETURN_IF_ERROR(time_one("sequential", so, cuda::SgdLaunch{0, cuda::SgdPairKernel::kSequential}, 6e8));
  N2V_RETURN_IF_ERROR(time_one("parallel", so, cuda::SgdLaunch{0, cuda::SgdPairKernel::kParallel}, 6e8));
  cuda::SgdTrainOptions shared = so;
  shared.shared_negatives = true;
  N2V_RETURN_IF_ERROR(time_one("shared_negatives", shared, cuda::SgdLaunch{}, 2e9));
  return absl::OkStatus();
}

// --- all-against-all top-10 -----------------------------------------------------------------------
absl::Status BenchAllKnn(const Options& opt, Json* out) {
  const int32_t n = opt.quick ? 100000 : 1000000;
  const int32_t dim = 128;
  const int k = 10;
  auto stream = Stream::Create();
  if (!stream.ok()) return stream.status();
  auto cublas = cuda::CublasHandle::Create(stream->get());
  if (!cublas.ok()) return cublas.status();
  auto table = DeviceBuffer<float>::Allocate(static_cast<size_t>(n) * dim, "table");
  if (!table.ok()) return table.status();
  {
    curandGenerator_t gen = nullptr;
    N2V_CUDA_RETURN_IF_ERROR(curandCreateGenerator(&gen, CURAND_RNG_PSEUDO_PHILOX4_32_10));
    curandStatus_t st = curandSetStream(gen, stream->get());
    if (st == CURAND_STATUS_SUCCESS) st = curandSetPseudoRandomGeneratorSeed(gen, 7);
    if (st == CURAND_STATUS_SUCCESS) st = curandGenerateNormal(gen, table->data(), table->size(), 0.0f, 1.0f);
    curandDestroyGenerator(gen);
    N2V_CUDA_RETURN_IF_ERROR(st);
  }
  N2V_RETURN_IF_ERROR(
      cuda::NormalizeRowsOnDevice(table->data(), table->data(), n, dim, stream->get()));
  auto mem = cuda::GetMemInfo();
  if (!mem.ok()) return mem.status();
  const int64_t tile = cuda::KnnTileRows(n, std::min<size_t>(size_t{4} << 30, mem->free / 2));
  const int64_t tiles = (n + tile - 1) / tile;
  auto scores = DeviceBuffer<float>::Allocate(static_cast<size_t>(tile) * n, "score tile");
  if (!scores.ok()) return scores.status();
  auto node = DeviceBuffer<int32_t>::Allocate(static_cast<size_t>(n) * k, "kNN rows");
  if (!node.ok()) return node.status();
  auto score = DeviceBuffer<float>::Allocate(static_cast<size_t>(n) * k, "kNN scores");
  if (!score.ok()) return score.status();
  auto start = Event::Create();
  auto stop = Event::Create();
  if (!start.ok() || !stop.ok()) return absl::InternalError("cudaEventCreate failed");

  // Warm-up: one tile of each kernel (cuBLAS picks and loads its kernel on first use).
  N2V_RETURN_IF_ERROR(cuda::CosineScoresOnDevice(cublas->get(), table->data(), n, dim,
                                                 table->data(), static_cast<int32_t>(tile),
                                                 scores->data()));
  N2V_RETURN_IF_ERROR(cuda::TopKRowsOnDevice(scores->data(), tile, n, k, node->data(),
                                             score->data(), stream->get()));
  // SGEMM alone on a few tiles, extrapolated to all: the reference this stage could reach.
  const int64_t ref_tiles = std::min<int64_t>(tiles, 8);
  N2V_RETURN_IF_ERROR(start->Record(stream->get()));
  for (int64_t t = 0; t < ref_tiles; ++t) {
    const int64_t r0 = t * tile;
    const int32_t rows = static_cast<int32_t>(std::min<int64_t>(tile, n - r0));
    N2V_RETURN_IF_ERROR(cuda::CosineScoresOnDevice(cublas->get(), table->data(), n, dim,
                                                   table->data() + r0 * dim, rows,
                                                   scores->data()));
  }
  N2V_RETURN_IF_ERROR(stop->Record(stream->get()));
  auto ref_ms = stop->MsSince(*start);
  if (!ref_ms.ok()) return ref_ms.status();
  // Full tiles only in the reference, so scale by rows, not tiles.
  const double ref_rows = static_cast<double>(std::min<int64_t>(ref_tiles * tile, n));
  const double sgemm_all_ms = *ref_ms * (static_cast<double>(n) / ref_rows);

  N2V_RETURN_IF_ERROR(start->Record(stream->get()));
  N2V_RETURN_IF_ERROR(cuda::AllKnnOnDevice(cublas->get(), table->data(), n, dim, k, tile,
                                           scores->data(), node->data(), score->data(),
                                           stream->get()));
  N2V_RETURN_IF_ERROR(stop->Record(stream->get()));
  auto ms = stop->MsSince(*start);
  if (!ms.ok()) return ms.status();
  // Sanity: every row's best neighbour is itself (unit vectors, cosine 1).
  std::vector<int32_t> first(static_cast<size_t>(n) * k);
  N2V_RETURN_IF_ERROR(node->CopyToHost(first.data(), first.size()));
  int64_t self_first = 0;
  for (int32_t r = 0; r < n; ++r) self_first += first[static_cast<size_t>(r) * k] == r ? 1 : 0;
  const double flops = 2.0 * n * static_cast<double>(n) * dim;
  out->Int("rows", n);
  out->Int("dim", dim);
  out->Int("k", k);
  out->Int("tile_rows", tile);
  out->Num("ms", *ms);
  out->Num("tflops", flops / (*ms * 1e-3) / 1e12);
  out->Num("sgemm_only_ms", sgemm_all_ms);
  out->Num("sgemm_tflops", flops / (sgemm_all_ms * 1e-3) / 1e12);
  out->Num("fraction_of_sgemm", sgemm_all_ms / *ms);
  out->Num("self_first_fraction", static_cast<double>(self_first) / n);
  out->Num("target_ms", 2000);  // issue 15: 1M x 128, k = 10 in 2 s

  // The tensor-core path on the same table: its time, the rows it sent to the FP32 path, and its
  // answer against the FP32 one just computed (same lists; scores within FP32 round-off).
  Json tc;
  if (const std::string why = cuda::TensorKnnUnsupported(dim, k); !why.empty()) {
    tc.Str("skipped", why);
    out->Obj("tensor_cores", tc);
    return absl::OkStatus();
  }
  std::vector<float> fp32_score(first.size());
  N2V_RETURN_IF_ERROR(score->CopyToHost(fp32_score.data(), fp32_score.size()));
  scores->Reset();  // the FP32 score tile; the tensor path needs none
  int32_t fallback = 0;
  N2V_RETURN_IF_ERROR(start->Record(stream->get()));
  N2V_RETURN_IF_ERROR(cuda::AllKnnTensorOnDevice(cublas->get(), table->data(), n, dim, k,
                                                 node->data(), score->data(), stream->get(),
                                                 &fallback));
  N2V_RETURN_IF_ERROR(stop->Record(stream->get()));
  auto tc_ms = stop->MsSince(*start);
  if (!tc_ms.ok()) return tc_ms.status();
  std::vector<int32_t> tc_node(first.size());
  std::vector<float> tc_score(first.size());
  N2V_RETURN_IF_ERROR(node->CopyToHost(tc_node.data(), tc_node.size()));
  N2V_RETURN_IF_ERROR(score->CopyToHost(tc_score.data(), tc_score.size()));
  int64_t same_rows = 0;
  double max_diff = 0;
  for (int32_t r = 0; r < n; ++r) {
    bool same = true;
    for (int j = 0; j < k; ++j) {
      const size_t at = static_cast<size_t>(r) * k + j;
      same = same && tc_node[at] == first[at];
      max_diff = std::max(max_diff, static_cast<double>(std::fabs(tc_score[at] - fp32_score[at])));
    }
    same_rows += same ? 1 : 0;
  }
  // Bound: the device's dense BF16 tensor rate (FLOPs per SM per clock: 4096 on sm_90, 2048 on
  // sm_80; 0 where not known) at its clock, for the 2·n²·dim of the score matrix.
  int dev = 0, sms = 0, clock_khz = 0, major = 0, minor = 0;
  N2V_CUDA_RETURN_IF_ERROR(cudaGetDevice(&dev));
  N2V_CUDA_RETURN_IF_ERROR(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, dev));
  N2V_CUDA_RETURN_IF_ERROR(cudaDeviceGetAttribute(&clock_khz, cudaDevAttrClockRate, dev));
  N2V_CUDA_RETURN_IF_ERROR(cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, dev));
  N2V_CUDA_RETURN_IF_ERROR(cudaDeviceGetAttribute(&minor, cudaDevAttrComputeCapabilityMinor, dev));
  const double per_sm_clock = major == 9 ? 4096 : (major == 8 && minor == 0 ? 2048 : 0);
  const double peak = per_sm_clock * sms * clock_khz * 1e3;
  tc.Num("ms", *tc_ms);
  tc.Num("tflops", flops / (*tc_ms * 1e-3) / 1e12);
  tc.Num("bf16_peak_tflops", peak / 1e12);
  if (peak > 0) {
    tc.Num("bound_ms", flops / peak * 1e3);
    tc.Num("fraction_of_bound", flops / peak * 1e3 / *tc_ms);
  }
  tc.Int("fp32_fallback_rows", fallback);
  tc.Num("rows_same_as_fp32", static_cast<double>(same_rows) / n);
  tc.Num("max_score_diff_vs_fp32", max_diff);
  tc.Num("speedup_vs_fp32", *ms / *tc_ms);
  tc.Bool("meets_target", *tc_ms <= 2000);
  out->Obj("tensor_cores", tc);
  return absl::OkStatus();
}

// --- the seed's GPU stages -----------------------------------------------------------------------
absl::Status BenchMovieLens(const Options& opt, Json* out) {
  auto t0 = std::chrono::steady_clock::now();
  Graph g;
  auto ratings = ReadRatings(opt.data + "/ratings.csv");
  if (ratings.ok()) {
    auto pmi = BuildPmiGraph(*ratings, PmiOptions{}, nullptr, HostThreads());
    if (!pmi.ok()) return pmi.status();
    g = std::move(*pmi);
    out->Str("graph", "ml-latest-small PMI");
  } else {
    g = RandomGraph(1405, 40043, 3);
    out->Str("graph", "synthetic 1405 nodes / 40043 edges (no " + opt.data + ")");
  }
  const AliasTables alias = BuildAliasTables(g.view(), HostThreads());
  out->Num("host_graph_ms", WallMs(t0));
  WalkOptions wo;  // the seed's settings
  wo.length = 10;
  wo.num_walks = 5;
  const ExampleOptions eo{10, 4, 42};
  AdamTrainOptions ao;
  int device = 0;
  N2V_CUDA_RETURN_IF_ERROR(cudaGetDevice(&device));

  // Run twice: the first pays lazy kernel loading; the second is the steady state.
  CudaSeedRun run;
  double cold_ms = 0, warm_wall_ms = 0;
  for (int rep = 0; rep < 2; ++rep) {
    auto t = std::chrono::steady_clock::now();
    auto r = RunSeedModelOnCuda(g, alias, wo, eo, ao, device);
    if (!r.ok()) return r.status();
    (rep == 0 ? cold_ms : warm_wall_ms) = WallMs(t);
    run = std::move(*r);
  }

  // Similarity: the seed's 5 queries x k = 5 on the trained table, device-resident (table
  // uploaded untimed, handle warm), then the host API the CLI calls, wall clock.
  auto stream = Stream::Create();
  if (!stream.ok()) return stream.status();
  auto cublas = cuda::CublasHandle::Create(stream->get());
  if (!cublas.ok()) return cublas.status();
  const int32_t rows = run.embeddings.rows, dim = run.embeddings.dim, nq = 5, k = 5;
  auto table = DeviceBuffer<float>::FromHost(run.embeddings.data.data(), run.embeddings.data.size());
  if (!table.ok()) return table.status();
  auto unit = DeviceBuffer<float>::Allocate(run.embeddings.data.size());
  auto scores = DeviceBuffer<float>::Allocate(static_cast<size_t>(nq) * rows);
  auto node = DeviceBuffer<int32_t>::Allocate(nq * k);
  auto score = DeviceBuffer<float>::Allocate(nq * k);
  if (!unit.ok() || !scores.ok() || !node.ok() || !score.ok()) {
    return absl::ResourceExhaustedError("similarity buffers");
  }
  auto similarity = [&]() -> absl::Status {
    N2V_RETURN_IF_ERROR(cuda::NormalizeRowsOnDevice(table->data(), unit->data(), rows, dim, stream->get()));
    // The first nq rows stand in for the query rows (same cost as a gather of nq rows).
    N2V_RETURN_IF_ERROR(cuda::CosineScoresOnDevice(cublas->get(), unit->data(), rows, dim,
                                                   unit->data(), nq, scores->data()));
    return cuda::TopKRowsOnDevice(scores->data(), nq, rows, k, node->data(), score->data(),
                                  stream->get());
  };
  N2V_RETURN_IF_ERROR(similarity());  // warm-up
  auto start = Event::Create();
  auto stop = Event::Create();
  if (!start.ok() || !stop.ok()) return absl::InternalError("cudaEventCreate failed");
  N2V_RETURN_IF_ERROR(start->Record(stream->get()));
  N2V_RETURN_IF_ERROR(similarity());
  N2V_RETURN_IF_ERROR(stop->Record(stream->get()));
  auto sim_ms = stop->MsSince(*start);
  if (!sim_ms.ok()) return sim_ms.status();
  const std::vector<int32_t> queries = {0, 1, 2, 3, 4};
  (void)CudaTopKCosine(run.embeddings, queries, k);
  auto t = std::chrono::steady_clock::now();
  auto api = CudaTopKCosine(run.embeddings, queries, k);
  if (!api.ok()) return api.status();
  const double api_ms = WallMs(t);

  const double total = run.walks_ms + run.examples_ms + run.training_ms + *sim_ms;
  out->Int("nodes", g.num_nodes());
  out->Int("edges", g.num_edges());
  out->Int("examples", run.num_examples);
  out->Int("couples", run.raw_pairs);
  out->Int("epochs", static_cast<int64_t>(run.losses.size()));
  out->Num("final_loss", run.losses.empty() ? NAN : run.losses.back());
  out->Num("walks_ms", run.walks_ms);
  out->Num("examples_ms", run.examples_ms);
  out->Num("training_ms", run.training_ms);
  out->Num("similarity_ms", *sim_ms);
  out->Num("gpu_stages_ms", total);
  out->Num("target_ms", 20);
  out->Bool("meets_target", total <= 20);
  out->Num("pipeline_wall_ms_cold", cold_ms);
  out->Num("pipeline_wall_ms_warm", warm_wall_ms);
  out->Num("similarity_host_api_ms", api_ms);
  out->Num("device_bytes_estimate", static_cast<double>(run.device_bytes));
  return absl::OkStatus();
}

}  // namespace
}  // namespace n2v::bench

int main(int argc, char** argv) {
  using namespace n2v::bench;
  Options opt;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--quick") {
      opt.quick = true;
    } else if (a == "--skip-allknn") {
      opt.skip_allknn = true;
    } else if (a == "--data" && i + 1 < argc) {
      opt.data = argv[++i];
    } else {
      std::fprintf(stderr, "usage: gpu_bench [--data DIR] [--quick] [--skip-allknn]\n");
      return 2;
    }
  }
  Json root;
  auto devices = n2v::ListCudaDevices();
  if (!devices.ok()) {
    root.Str("error", absl::StrCat("no CUDA device: ", devices.status().message()));
    std::printf("%s\n", root.str().c_str());
    return 3;
  }
  if (absl::Status st = n2v::UseCudaDevice(0); !st.ok()) {
    root.Str("error", std::string(st.message()));
    std::printf("%s\n", root.str().c_str());
    return 3;
  }
  root.Str("device", (*devices)[0].name);
  root.Str("cuda", n2v::CudaRuntimeVersion());
  root.Bool("quick", opt.quick);
  bool ok = true;
  auto section = [&](const char* name, auto&& fn) {
    Json j;
    const auto t0 = std::chrono::steady_clock::now();
    const absl::Status st = fn(&j);
    j.Num("wall_s", WallMs(t0) / 1000.0);
    if (!st.ok()) {
      j.Str("error", std::string(st.message()));
      ok = false;
    }
    std::fprintf(stderr, "gpu_bench: %s done (%s)\n", name, st.ok() ? "ok" : st.ToString().c_str());
    return j;
  };
  Json walks, sgd;
  Json both = section("walks+sgd", [&](Json*) { return BenchWalksAndSgd(opt, &walks, &sgd); });
  root.Obj("walks", walks);
  root.Obj("sgd", sgd);
  root.Obj("walks_sgd_status", both);
  if (!opt.skip_allknn) {
    root.Obj("allknn", section("allknn", [&](Json* j) { return BenchAllKnn(opt, j); }));
  }
  root.Obj("movielens", section("movielens", [&](Json* j) { return BenchMovieLens(opt, j); }));
  root.Bool("ok", ok);
  std::printf("%s\n", root.str().c_str());
  return ok ? 0 : 1;
}
