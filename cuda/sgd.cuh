// word2vec-style SGD training on the device (regime 2): separate input/output tables,
// unigram^0.75 negatives, linear learning-rate decay, random window shrink, Hogwild. Pairs are made
// on the fly from walks in device memory. Twin: cpu::TrainSgd (n2v/word2vec.hpp; tests here use a
// scalar host reference of one step; the shared draws are core/word2vec.hpp). Host-facing form: cuda::TrainSgd in
// n2v/cuda_api.hpp; this header is the device-resident form the benchmark and tests use.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

#include "absl/status/statusor.h"
#include "cuda/device_buffer.cuh"
#include "n2v/cuda_api.hpp"

namespace n2v::cuda {

/// Tables, the negative-sampling alias table and the per-epoch accumulators of one SGD run.
struct SgdState {
  DeviceBuffer<float> input;        // [num_nodes x dim] word2vec's syn0
  DeviceBuffer<float> output;       // [num_nodes x dim] syn1neg
  DeviceBuffer<uint32_t> neg_keep;  // [num_nodes] alias table over count^power
  DeviceBuffer<int32_t> neg_alias;  // [num_nodes]
  DeviceBuffer<double> loss;        // [epochs] Σ pair losses
  DeviceBuffer<unsigned long long> pairs;  // [epochs] pairs trained
  int32_t num_nodes = 0;
  int32_t dim = 0;
  bool has_negatives = false;       // false when no node occurs in the walks
};

/// Upper bound on SgdState's device bytes (walks excluded).
size_t SgdDeviceBytes(int32_t num_nodes, const SgdTrainOptions& o);

/// Counts node occurrences in d_walks, builds the count^power alias table (on the host, with
/// BuildAliasTables), and initialises the tables (core::Word2vecInit; output zero).
absl::StatusOr<SgdState> PrepareSgd(const int32_t* d_walks, int64_t num_walks, uint32_t length,
                                    int32_t num_nodes, const SgdTrainOptions& o,
                                    cudaStream_t stream);

/// Trains epoch `epoch` on the centres (flat walk positions) [first_centre, first_centre + count):
/// one warp per centre, looping over its window's (centre, context) pairs.
absl::Status SgdEpochOnDevice(SgdState& s, const int32_t* d_walks, int64_t num_walks,
                              uint32_t length, const SgdTrainOptions& o, int32_t epoch,
                              uint64_t first_centre, uint64_t count, cudaStream_t stream);

/// All epochs on all centres; losses and pair counts as cuda::TrainSgd reports them.
absl::StatusOr<SgdStats> TrainSgdOnDevice(SgdState& s, const int32_t* d_walks, int64_t num_walks,
                                          uint32_t length, const SgdTrainOptions& o,
                                          cudaStream_t stream);

}  // namespace n2v::cuda
