// GPU ranks' table syncs and their transports (table_sync.cuh). Twin: cpu/train_sgd.cpp's
// TableSync (the same three copies and the same float operations, element by element, so that a
// sum is folded in exactly as on the CPU). Tests: tests/cuda/gpu_ranks_test.cpp (two ranks on
// threads sharing one GPU, and NCCL with one rank).
#include "cuda/table_sync.cuh"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cuda/cuda_check.cuh"
#include "n2v/cuda_api.hpp"
#include "n2v/status.hpp"
#if defined(N2V_WITH_NCCL)
#include "cuda/nccl_api.cuh"
#endif

namespace n2v::cuda {
namespace {

constexpr int kBlock = 256;
constexpr unsigned kMaxBlocks = 4096;

unsigned BlocksFor(size_t n) {
  return static_cast<unsigned>(std::min<size_t>(kMaxBlocks, (n + kBlock - 1) / kBlock + 1));
}

// Element i < floats is the input table's, the rest the output table's.
__device__ inline float& TableAt(float* t0, float* t1, size_t floats, size_t i) {
  return i < floats ? t0[i] : t1[i - floats];
}

// d = T − S.
__global__ void DeltaKernel(float* t0, float* t1, const float* s, float* d, size_t floats) {
  for (size_t i = blockIdx.x * size_t{blockDim.x} + threadIdx.x; i < 2 * floats;
       i += size_t{gridDim.x} * blockDim.x) {
    d[i] = TableAt(t0, t1, floats, i) - s[i];
  }
}

// T += D − d, S += D, d = T − S.
__global__ void FoldKernel(float* t0, float* t1, float* s, float* d, const float* sum,
                           size_t floats) {
  for (size_t i = blockIdx.x * size_t{blockDim.x} + threadIdx.x; i < 2 * floats;
       i += size_t{gridDim.x} * blockDim.x) {
    float& t = TableAt(t0, t1, floats, i);
    t += sum[i] - d[i];
    s[i] += sum[i];
    d[i] = t - s[i];
  }
}

// T = S = S + D.
__global__ void SettleKernel(float* t0, float* t1, float* s, const float* sum, size_t floats) {
  for (size_t i = blockIdx.x * size_t{blockDim.x} + threadIdx.x; i < 2 * floats;
       i += size_t{gridDim.x} * blockDim.x) {
    const float v = s[i] + sum[i];
    s[i] = v;
    TableAt(t0, t1, floats, i) = v;
  }
}

double MsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

/// The ranks' own sum (MPI) on pinned host copies of the device buffers.
class HostDeltaSum final : public DeltaSum {
 public:
  HostDeltaSum(Ranks* ranks, int device, PinnedBuffer<float> send, PinnedBuffer<float> recv)
      : ranks_(ranks), device_(device), send_(std::move(send)), recv_(std::move(recv)) {}

  absl::Status Start(const float* send, float* recv, size_t n, cudaStream_t stream) override {
    if (n > send_.size()) return absl::InternalError("HostDeltaSum: more floats than allocated");
    N2V_CUDA_RETURN_IF_ERROR(cudaMemcpyAsync(send_.data(), send, n * sizeof(float),
                                             cudaMemcpyDeviceToHost, stream));
    N2V_CUDA_RETURN_IF_ERROR(cudaStreamSynchronize(stream));
    recv_device_ = recv;
    n_ = n;
    return ranks_->StartSum(send_.data(), recv_.data(), n);
  }
  bool Poll() override { return ranks_->PollSum(); }
  absl::Status Finish(cudaStream_t stream) override {
    N2V_RETURN_IF_ERROR(ranks_->FinishSum());
    // Stream-ordered: the next Start synchronises the stream before the ranks write recv_ again.
    N2V_CUDA_RETURN_IF_ERROR(cudaMemcpyAsync(recv_device_, recv_.data(), n_ * sizeof(float),
                                             cudaMemcpyHostToDevice, stream));
    return absl::OkStatus();
  }
  std::string name() const override {
    return absl::StrCat("staged through host memory from cuda:", device_, " (", ranks_->size(),
                        " ranks' sum)");
  }

 private:
  Ranks* ranks_;
  int device_;
  PinnedBuffer<float> send_, recv_;
  float* recv_device_ = nullptr;
  size_t n_ = 0;
};

#if defined(N2V_WITH_NCCL)
absl::Status NcclError(const NcclApi* api, ncclResult_t r, const char* what) {
  return absl::InternalError(absl::StrCat(what, " failed: ", api->error_string(r)));
}

/// NCCL's all-reduce between the ranks' device buffers, on a stream of its own.
class NcclDeltaSum final : public DeltaSum {
 public:
  NcclDeltaSum(const NcclApi* api, ncclComm_t comm, int device, Stream stream, Event ready,
               Event done)
      : api_(api), comm_(comm), device_(device), comm_stream_(std::move(stream)),
        ready_(std::move(ready)), done_(std::move(done)) {}
  ~NcclDeltaSum() override {
    if (comm_ != nullptr) api_->comm_destroy(comm_);
  }

  absl::Status Start(const float* send, float* recv, size_t n, cudaStream_t stream) override {
    N2V_RETURN_IF_ERROR(ready_.Record(stream));
    N2V_RETURN_IF_ERROR(ready_.WaitOn(comm_stream_.get()));
    const ncclResult_t r =
        api_->all_reduce(send, recv, n, ncclFloat32, ncclSum, comm_, comm_stream_.get());
    if (r != ncclSuccess) return NcclError(api_, r, "ncclAllReduce");
    return done_.Record(comm_stream_.get());
  }
  bool Poll() override { return cudaEventQuery(done_.get()) == cudaSuccess; }
  absl::Status Finish(cudaStream_t stream) override {
    // Polled rather than waited on, so that a peer's failure NCCL detects ends this wait too.
    for (;;) {
      const cudaError_t e = cudaEventQuery(done_.get());
      if (e == cudaSuccess) break;
      if (e != cudaErrorNotReady) N2V_CUDA_RETURN_IF_ERROR(e);
      ncclResult_t async = ncclSuccess;
      const ncclResult_t r = api_->comm_get_async_error(comm_, &async);
      if (r != ncclSuccess) return NcclError(api_, r, "ncclCommGetAsyncError");
#if NCCL_VERSION_CODE >= NCCL_VERSION(2, 14, 0)
      const bool failed = async != ncclSuccess && async != ncclInProgress;
#else
      const bool failed = async != ncclSuccess;
#endif
      if (failed) {
        api_->comm_abort(comm_);
        comm_ = nullptr;
        return NcclError(api_, async, "ncclAllReduce (asynchronous)");
      }
      std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
    return done_.WaitOn(stream);
  }
  std::string name() const override {
    return absl::StrCat(NcclVersion(), " on cuda:", device_);
  }

 private:
  const NcclApi* api_;
  ncclComm_t comm_;
  int device_;
  Stream comm_stream_;
  Event ready_, done_;
};
#endif

absl::StatusOr<std::unique_ptr<DeltaSum>> MakeHostDeltaSum(Ranks* ranks, int device, size_t n) {
  absl::StatusOr<PinnedBuffer<float>> send = PinnedBuffer<float>::Allocate(n, "delta (host)");
  absl::StatusOr<PinnedBuffer<float>> recv =
      send.ok() ? PinnedBuffer<float>::Allocate(n, "sum of deltas (host)") : send.status();
  // A rank that cannot allocate fails every rank, naming itself.
  N2V_RETURN_IF_ERROR(AgreeOnStatus(*ranks, recv.status()));
  return std::unique_ptr<DeltaSum>(
      new HostDeltaSum(ranks, device, std::move(*send), std::move(*recv)));
}

}  // namespace

std::string NcclUnusableReason(int local_size) {
#if defined(N2V_WITH_NCCL)
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    (void)cudaGetLastError();
    count = 0;
  }
  if (local_size > count) {
    return absl::StrCat(local_size, " ranks share this host's ", count,
                        count == 1 ? " GPU" : " GPUs", " (NCCL needs a GPU of its own per rank)");
  }
  if (absl::StatusOr<const NcclApi*> l = LoadNccl(); !l.ok()) return std::string(l.status().message());
  return "";
#else
  (void)local_size;
  return "this n2v was built without NCCL's header";
#endif
}

std::string NcclLibraryVersion() {
#if defined(N2V_WITH_NCCL)
  return NcclVersion();
#else
  return "";
#endif
}

absl::StatusOr<std::unique_ptr<DeltaSum>> MakeDeltaSum(Ranks* ranks, GpuTransport want, int device,
                                                       size_t n) {
  if (ranks == nullptr) return absl::InvalidArgumentError("MakeDeltaSum: no ranks");
  // Why this rank cannot use NCCL; empty: it can. Besides loading, NCCL needs every rank on a GPU
  // of its own: ranks compare (host, PCI bus id) of the GPUs they drive, which holds whatever each
  // rank's CUDA_VISIBLE_DEVICES is.
  std::string why;
  if (want == GpuTransport::kHost) {
    why = "--gpu-transport host";
  } else {
#if defined(N2V_WITH_NCCL)
    if (absl::StatusOr<const NcclApi*> l = LoadNccl(); !l.ok()) why = std::string(l.status().message());
#else
    why = "this n2v was built without NCCL's header";
#endif
  }
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  char bus[64] = {};
  if (cudaDeviceGetPCIBusId(bus, sizeof bus, device) != cudaSuccess) {
    (void)cudaGetLastError();
    std::snprintf(bus, sizeof bus, "cuda:%d", device);
  }
  const std::string gpu = absl::StrCat(host, "/", bus);
  uint64_t key = 1469598103934665603ull;  // FNV-1a
  for (unsigned char c : gpu) key = (key ^ c) * 1099511628211ull;
  std::vector<uint64_t> keys;
  N2V_RETURN_IF_ERROR(ranks->Gather(key, &keys));
  for (size_t r = 0; r < keys.size() && why.empty(); ++r) {
    if (static_cast<int>(r) != ranks->rank() && keys[r] == key) {
      why = absl::StrCat("ranks ", std::min<int>(ranks->rank(), static_cast<int>(r)), " and ",
                         std::max<int>(ranks->rank(), static_cast<int>(r)), " drive the same GPU (",
                         bus, " on ", host, "), and NCCL needs a GPU of its own per rank");
    }
  }
  uint64_t able = why.empty() ? 1 : 0;
  N2V_RETURN_IF_ERROR(ranks->SumInPlace(&able, 1));
  const bool everyone = able == static_cast<uint64_t>(ranks->size());
  if (want == GpuTransport::kNccl && !everyone) {
    N2V_RETURN_IF_ERROR(AgreeOnStatus(
        *ranks, why.empty() ? absl::OkStatus()
                            : absl::FailedPreconditionError(absl::StrCat(
                                  "--gpu-transport nccl: cuda:", device, ": ", why))));
  }
  if (!everyone) return MakeHostDeltaSum(ranks, device, n);
#if defined(N2V_WITH_NCCL)
  N2V_ASSIGN_OR_RETURN(const NcclApi* api, LoadNccl());  // loaded: why is empty
  // Rank 0's id reaches every rank through the ranks' own broadcast (MPI).
  ncclUniqueId id{};
  absl::Status st;
  if (ranks->rank() == 0) {
    if (const ncclResult_t r = api->get_unique_id(&id); r != ncclSuccess) {
      st.Update(NcclError(api, r, "ncclGetUniqueId"));
    }
  }
  N2V_RETURN_IF_ERROR(AgreeOnStatus(*ranks, st));
  std::string bytes = ranks->rank() == 0 ? std::string(id.internal, sizeof(id.internal)) : "";
  N2V_RETURN_IF_ERROR(ranks->Broadcast(&bytes, 0));
  if (bytes.size() != sizeof(id.internal)) {
    return absl::InternalError("NCCL's unique id arrived with the wrong size");
  }
  std::memcpy(id.internal, bytes.data(), sizeof(id.internal));
  absl::StatusOr<Stream> stream = Stream::Create();
  absl::StatusOr<Event> ready = stream.ok() ? Event::CreateForSync() : stream.status();
  absl::StatusOr<Event> done = ready.ok() ? Event::CreateForSync() : ready.status();
  N2V_RETURN_IF_ERROR(AgreeOnStatus(*ranks, done.status()));
  ncclComm_t comm = nullptr;
  // A rank whose init fails returns here while the others may still wait inside theirs: the
  // error is not agreed, so the command line ends the whole job (Ranks::Abort).
  if (const ncclResult_t r = api->comm_init_rank(&comm, ranks->size(), id, ranks->rank());
      r != ncclSuccess) {
    return NcclError(api, r, "ncclCommInitRank");
  }
  return std::unique_ptr<DeltaSum>(new NcclDeltaSum(api, comm, device, std::move(*stream),
                                                    std::move(*ready), std::move(*done)));
#else
  return absl::InternalError("MakeDeltaSum: NCCL chosen in a build without it");
#endif
}

absl::StatusOr<std::unique_ptr<DeviceTableSync>> DeviceTableSync::Create(
    DeltaSum* sum, float* input, float* output, size_t floats, cudaStream_t stream,
    SgdSyncStats* stats) {
  std::unique_ptr<DeviceTableSync> s(new DeviceTableSync());
  s->sum_ = sum;
  s->t_[0] = input;
  s->t_[1] = output;
  s->floats_ = floats;
  s->stream_ = stream;
  s->stats_ = stats;
  N2V_ASSIGN_OR_RETURN(s->s_, DeviceBuffer<float>::Allocate(2 * floats, "agreed tables"));
  N2V_ASSIGN_OR_RETURN(s->d_, DeviceBuffer<float>::Allocate(2 * floats, "tables' delta"));
  N2V_ASSIGN_OR_RETURN(s->total_, DeviceBuffer<float>::Allocate(2 * floats, "sum of deltas"));
  return s;
}

absl::Status DeviceTableSync::Begin() {
  if (in_flight_) return absl::InternalError("DeviceTableSync::Begin with a sum in flight");
  const size_t bytes = floats_ * sizeof(float);
  N2V_CUDA_RETURN_IF_ERROR(
      cudaMemcpyAsync(s_.data(), t_[0], bytes, cudaMemcpyDeviceToDevice, stream_));
  N2V_CUDA_RETURN_IF_ERROR(
      cudaMemcpyAsync(s_.data() + floats_, t_[1], bytes, cudaMemcpyDeviceToDevice, stream_));
  return absl::OkStatus();
}

void DeviceTableSync::Poll() {
  if (in_flight_ && !done_) done_ = sum_->Poll();
}

absl::Status DeviceTableSync::Boundary() {
  N2V_RETURN_IF_ERROR(Fold());
  return Start();
}

absl::Status DeviceTableSync::Settle() {
  N2V_RETURN_IF_ERROR(Fold());
  N2V_RETURN_IF_ERROR(Start());
  N2V_RETURN_IF_ERROR(Wait());
  const auto t0 = std::chrono::steady_clock::now();
  SettleKernel<<<BlocksFor(2 * floats_), kBlock, 0, stream_>>>(t_[0], t_[1], s_.data(),
                                                               total_.data(), floats_);
  N2V_CUDA_CHECK_LAUNCH();
  N2V_CUDA_RETURN_IF_ERROR(cudaStreamSynchronize(stream_));
  stats_->merge_ms += MsSince(t0);
  return absl::OkStatus();
}

absl::Status DeviceTableSync::Abandon() {
  if (in_flight_) N2V_RETURN_IF_ERROR(Wait());
  N2V_CUDA_RETURN_IF_ERROR(cudaStreamSynchronize(stream_));
  return absl::OkStatus();
}

absl::Status DeviceTableSync::Wait() {
  const auto t0 = std::chrono::steady_clock::now();
  N2V_RETURN_IF_ERROR(sum_->Finish(stream_));
  in_flight_ = done_ = false;
  ++stats_->syncs;
  stats_->wait_ms += MsSince(t0);
  return absl::OkStatus();
}

// T += D − d, S += D, d = T − S; or, with no sum in flight, d = T − S.
absl::Status DeviceTableSync::Fold() {
  const bool fold = in_flight_;
  if (fold) N2V_RETURN_IF_ERROR(Wait());
  const auto t0 = std::chrono::steady_clock::now();
  if (fold) {
    FoldKernel<<<BlocksFor(2 * floats_), kBlock, 0, stream_>>>(t_[0], t_[1], s_.data(), d_.data(),
                                                               total_.data(), floats_);
  } else {
    DeltaKernel<<<BlocksFor(2 * floats_), kBlock, 0, stream_>>>(t_[0], t_[1], s_.data(),
                                                                d_.data(), floats_);
  }
  N2V_CUDA_CHECK_LAUNCH();
  N2V_CUDA_RETURN_IF_ERROR(cudaStreamSynchronize(stream_));
  stats_->merge_ms += MsSince(t0);
  return absl::OkStatus();
}

absl::Status DeviceTableSync::Start() {
  N2V_RETURN_IF_ERROR(sum_->Start(d_.data(), total_.data(), d_.size(), stream_));
  in_flight_ = true;
  done_ = false;
  return absl::OkStatus();
}

}  // namespace n2v::cuda
