// word2vec-style SGD training on the device (regime 2): separate input/output tables,
// unigram^0.75 negatives, linear learning-rate decay, random window shrink, Hogwild (or, with
// SgdLaunch{1}, one warp in order: the CPU's one-thread result). Pairs are made on the fly from
// walks in device memory. Twin: cpu::TrainSgd (n2v/word2vec.hpp); the shared draws are
// core/word2vec.hpp. Host-facing forms: cuda::TrainSgd and cuda::TrainSgdOnGraph in
// n2v/cuda_api.hpp; this header is the device-resident form they, the benchmark and tests use.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "cuda/device_buffer.cuh"
#include "n2v/cuda_api.hpp"

namespace n2v::cuda {

/// Walk positions SgdEpochOnDevice compacts and trains per launch pair when subsampling.
inline constexpr uint64_t kSubsampleSlice = uint64_t{1} << 22;

/// Device tables, the negative-sampling alias table and the per-epoch accumulators of one SGD
/// run. (Not the host n2v::SgdState, the run's resumable state, which these tables are
/// downloaded into.)
struct DeviceSgdTables {
  DeviceBuffer<float> input;        // [num_nodes x dim] word2vec's syn0
  DeviceBuffer<float> output;       // [num_nodes x dim] syn1neg
  DeviceBuffer<uint32_t> neg_keep;  // [num_nodes] alias table over count^power
  DeviceBuffer<int32_t> neg_alias;  // [num_nodes]
  DeviceBuffer<double> loss;        // [epochs] Σ pair losses
  DeviceBuffer<unsigned long long> pairs;  // [epochs] pairs trained
  DeviceBuffer<uint32_t> sample_keep;  // [num_nodes] SubsampleThresholds; empty: no subsampling
  DeviceBuffer<int32_t> kept;          // a slice of walks after core::SubsampleWalk
  double sample = 0;
  int32_t num_nodes = 0;
  int32_t dim = 0;
  bool has_negatives = false;       // false when no node occurs in the walks
};

/// Upper bound on DeviceSgdTables' device bytes (walks excluded).
size_t SgdDeviceBytes(int32_t num_nodes, const SgdTrainOptions& o);

/// Allocates the tables and accumulators of a run of `o` over num_nodes rows (contents
/// undefined; the accumulators zeroed on `stream`). No negatives yet (UploadNegatives).
absl::StatusOr<DeviceSgdTables> AllocateSgdTables(int32_t num_nodes, const SgdTrainOptions& o,
                                                  cudaStream_t stream);

/// core::Word2vecInit into the input table (exactly cpu's InitTables), the output table zeroed.
absl::Status InitSgdTables(DeviceSgdTables& s, uint64_t seed, cudaStream_t stream);

/// NegativeTable(counts, o.power) (the CPU's table, built on the host) copied into s.neg_keep
/// and s.neg_alias; has_negatives = some count > 0; and when o.sample > 0 the subsampling
/// thresholds (SubsampleThresholds, the CPU's) into s.sample_keep. Synchronous.
absl::Status UploadNegatives(DeviceSgdTables& s, const std::vector<uint64_t>& counts,
                             const SgdTrainOptions& o);

/// Enqueues counts[v] += occurrences of v in d_walks[0, entries) (negative ids are padding);
/// *d_bad = 1 if an id is >= num_nodes.
absl::Status CountNodesOnDevice(const int32_t* d_walks, uint64_t entries, int32_t num_nodes,
                                unsigned long long* d_counts, int* d_bad, cudaStream_t stream);

/// Counts node occurrences in d_walks, builds the count^power alias table (NegativeTable, on the
/// host), and initialises the tables (core::Word2vecInit; output zero).
absl::StatusOr<DeviceSgdTables> PrepareSgd(const int32_t* d_walks, int64_t num_walks,
                                           uint32_t length, int32_t num_nodes,
                                           const SgdTrainOptions& o, cudaStream_t stream);

/// Trains epoch `epoch` on the centres (global flat walk positions walk·length + i)
/// [first_centre, first_centre + count): one warp per centre, looping over its window's
/// (centre, context) pairs. num_walks is the epoch's walk count (the learning-rate schedule's
/// total). d_walks holds walks [d_walks_first, ...): row w − d_walks_first is walk w, so a chunk
/// buffer can hold a slice of the epoch while every draw stays keyed on global ids; the centres
/// must lie in the buffer's walks. `launch`: see SgdLaunch. With subsampling (s.sample_keep set)
/// the centres must be whole walks: each slice of them is compacted (core::SubsampleWalk) into
/// s.kept and trained from there.
absl::Status SgdEpochOnDevice(DeviceSgdTables& s, const int32_t* d_walks, int64_t num_walks,
                              uint32_t length, const SgdTrainOptions& o, int32_t epoch,
                              uint64_t first_centre, uint64_t count, cudaStream_t stream,
                              const SgdLaunch& launch = {}, uint64_t d_walks_first = 0);

/// Per-epoch mean losses and the pair total from the accumulators of epochs [0, epochs), as
/// cuda::TrainSgd reports them (synchronous).
absl::Status ReadSgdEpochStats(const DeviceSgdTables& s, int32_t epochs,
                               std::vector<double>* losses, std::vector<int64_t>* pairs);

/// All epochs on all centres; losses and pair counts as cuda::TrainSgd reports them.
absl::StatusOr<SgdStats> TrainSgdOnDevice(DeviceSgdTables& s, const int32_t* d_walks,
                                          int64_t num_walks, uint32_t length,
                                          const SgdTrainOptions& o, cudaStream_t stream,
                                          const SgdLaunch& launch = {});

}  // namespace n2v::cuda
