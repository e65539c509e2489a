// The table syncs of GPU ranks (data-parallel training, SgdDataParallel on the device). Twin:
// cpu/train_sgd.cpp's TableSync, the same protocol on host memory: every rank keeps, beside its
// two trained tables T, the tables as every rank last agreed on them (S), the delta it sent in
// the sum in flight (d) and that sum (D), all on the device. A boundary folds the sum in flight
// in (T += D − d, S += D, d = T − S) and starts the next sum of d, which completes while the next
// chunks train; Settle ends the epoch with one blocking sum more (T = S + D on every rank).
// The sum itself goes through a DeltaSum: NCCL between device buffers, or a copy to host memory
// summed by the ranks' own StartSum (MPI) and copied back.
#pragma once

#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "cuda/device_buffer.cuh"
#include "n2v/ranks.hpp"
#include "n2v/word2vec.hpp"

namespace n2v::cuda {

/// Sums a device buffer over the ranks, without blocking the host while it runs.
class DeltaSum {
 public:
  virtual ~DeltaSum() = default;
  /// Starts summing `send` [n] of every rank into `recv` [n] once the work enqueued on `stream`
  /// so far is done; both stay untouched until Finish.
  virtual absl::Status Start(const float* send, float* recv, size_t n, cudaStream_t stream) = 0;
  /// Lets the sum progress; true once it is complete.
  virtual bool Poll() = 0;
  /// Waits for the sum; work enqueued on `stream` afterwards sees `recv`.
  virtual absl::Status Finish(cudaStream_t stream) = 0;
  /// For logs and run.json: "NCCL 2.28.3 on cuda:0", "MPI, staged through host memory from cuda:0".
  virtual std::string name() const = 0;
};

/// The transport every rank of `ranks` uses to sum `n` floats from device `device` (current on
/// the calling thread): a collective, every rank must call it, and every rank gets the same kind.
/// kAuto takes NCCL when every rank can (the library loads and no two ranks of a host share a
/// GPU), else host memory; kNccl fails on every rank (naming the first rank that cannot) when
/// one cannot; kHost always stages through host memory.
absl::StatusOr<std::unique_ptr<DeltaSum>> MakeDeltaSum(Ranks* ranks, GpuTransport want, int device,
                                                       size_t n);

/// Device memory MakeDeltaSum and DeviceTableSync need beyond the tables, for `floats` floats
/// per table: S, d and D (3 x 2 tables).
inline size_t TableSyncDeviceBytes(size_t floats) { return 6 * floats * sizeof(float); }

class DeviceTableSync {
 public:
  /// `input` and `output` are the trained tables [floats each] on the current device; `sum` and
  /// `stats` must outlive the sync.
  static absl::StatusOr<std::unique_ptr<DeviceTableSync>> Create(DeltaSum* sum, float* input,
                                                                 float* output, size_t floats,
                                                                 cudaStream_t stream,
                                                                 SgdSyncStats* stats);
  /// An epoch's start: S = T (equal on every rank), no sum in flight.
  absl::Status Begin();
  /// Between chunks: lets the sum in flight progress.
  void Poll();
  /// Between rounds, once the round's chunks are enqueued on the stream: folds the sum in flight
  /// into the tables and starts the next.
  absl::Status Boundary();
  /// The epoch's end: afterwards the tables are S, the same floats on every rank.
  absl::Status Settle();
  /// A stop every rank agreed on: waits for the sum in flight (every rank has the same one), so
  /// that no transport still writes buffers about to be freed. The tables stay as they are.
  absl::Status Abandon();

 private:
  DeviceTableSync() = default;
  absl::Status Fold();
  absl::Status Start();
  absl::Status Wait();

  DeltaSum* sum_ = nullptr;
  float* t_[2] = {nullptr, nullptr};
  size_t floats_ = 0;
  cudaStream_t stream_ = nullptr;
  SgdSyncStats* stats_ = nullptr;
  DeviceBuffer<float> s_, d_, total_;  // [2 x floats] each: input's floats, then output's
  bool in_flight_ = false, done_ = false;
};

}  // namespace n2v::cuda
