// RAII owners of device resources: DeviceBuffer<T> (cudaMalloc'd array), PinnedBuffer<T>
// (page-locked host array), Stream, Event,
// CublasHandle, Graph and the CaptureScope that records a stream into a CUDA Graph. All are
// move-only; creation returns a status; destructors only log (RAFT's no-throw rule).
// Twin: none (CUDA only).
#pragma once

#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <cstddef>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "cuda/cuda_check.cuh"

namespace n2v::cuda {

/// A device array of `size` elements of T. Empty (null) when size is 0.
template <typename T>
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  DeviceBuffer(DeviceBuffer&& o) noexcept : ptr_(std::exchange(o.ptr_, nullptr)), size_(std::exchange(o.size_, 0)) {}
  DeviceBuffer& operator=(DeviceBuffer&& o) noexcept {
    if (this != &o) {
      Reset();
      ptr_ = std::exchange(o.ptr_, nullptr);
      size_ = std::exchange(o.size_, 0);
    }
    return *this;
  }
  ~DeviceBuffer() { Reset(); }

  /// Allocates `size` elements; the error says how many bytes were asked for and for what.
  static absl::StatusOr<DeviceBuffer> Allocate(size_t size, const char* what = "buffer") {
    DeviceBuffer b;
    if (size == 0) return b;
    const cudaError_t e = cudaMalloc(reinterpret_cast<void**>(&b.ptr_), size * sizeof(T));
    if (e != cudaSuccess) {
      b.ptr_ = nullptr;
      (void)cudaGetLastError();  // cudaMalloc's error is not sticky; clear it
      return absl::Status(ErrorCode(e), absl::StrCat("cudaMalloc of ", size * sizeof(T),
                                                     " bytes for ", what, ": ", ErrorName(e)));
    }
    b.size_ = size;
    return b;
  }

  /// Allocates and copies `size` host elements in. Returns once the data are on the device: a
  /// pageable cudaMemcpy may return while its last DMA is still in flight on the legacy stream,
  /// which the non-blocking streams the kernels run on do not wait for, so the legacy stream is
  /// synchronised too.
  static absl::StatusOr<DeviceBuffer> FromHost(const T* host, size_t size,
                                               const char* what = "buffer") {
    auto b = Allocate(size, what);
    if (!b.ok()) return b.status();
    if (size > 0) {
      N2V_CUDA_RETURN_IF_ERROR(cudaMemcpy(b->ptr_, host, size * sizeof(T), cudaMemcpyHostToDevice));
      N2V_CUDA_RETURN_IF_ERROR(cudaStreamSynchronize(nullptr));
    }
    return b;
  }

  /// Copies `count` host elements into the first `count` (synchronous, as FromHost).
  absl::Status CopyFromHost(const T* host, size_t count) {
    if (count > size_) return absl::InternalError("DeviceBuffer::CopyFromHost past the end");
    if (count > 0) {
      N2V_CUDA_RETURN_IF_ERROR(cudaMemcpy(ptr_, host, count * sizeof(T), cudaMemcpyHostToDevice));
      N2V_CUDA_RETURN_IF_ERROR(cudaStreamSynchronize(nullptr));
    }
    return absl::OkStatus();
  }

  T* data() { return ptr_; }
  const T* data() const { return ptr_; }
  size_t size() const { return size_; }
  size_t bytes() const { return size_ * sizeof(T); }
  bool empty() const { return size_ == 0; }

  /// Copies the first `count` elements out to the host (synchronous).
  absl::Status CopyToHost(T* host, size_t count) const {
    if (count > size_) return absl::InternalError("DeviceBuffer::CopyToHost past the end");
    if (count > 0) {
      N2V_CUDA_RETURN_IF_ERROR(cudaMemcpy(host, ptr_, count * sizeof(T), cudaMemcpyDeviceToHost));
    }
    return absl::OkStatus();
  }

  absl::Status ZeroAsync(cudaStream_t stream) {
    if (size_ > 0) N2V_CUDA_RETURN_IF_ERROR(cudaMemsetAsync(ptr_, 0, bytes(), stream));
    return absl::OkStatus();
  }

  void Reset() {
    if (ptr_ != nullptr) N2V_CUDA_LOG_IF_ERROR(cudaFree(ptr_));
    ptr_ = nullptr;
    size_ = 0;
  }

 private:
  T* ptr_ = nullptr;
  size_t size_ = 0;
};

/// A page-locked host array of `size` elements of T (cudaMallocHost), for asynchronous copies.
template <typename T>
class PinnedBuffer {
 public:
  PinnedBuffer() = default;
  PinnedBuffer(const PinnedBuffer&) = delete;
  PinnedBuffer& operator=(const PinnedBuffer&) = delete;
  PinnedBuffer(PinnedBuffer&& o) noexcept
      : ptr_(std::exchange(o.ptr_, nullptr)), size_(std::exchange(o.size_, 0)) {}
  PinnedBuffer& operator=(PinnedBuffer&& o) noexcept {
    if (this != &o) {
      Reset();
      ptr_ = std::exchange(o.ptr_, nullptr);
      size_ = std::exchange(o.size_, 0);
    }
    return *this;
  }
  ~PinnedBuffer() { Reset(); }

  static absl::StatusOr<PinnedBuffer> Allocate(size_t size, const char* what = "host buffer") {
    PinnedBuffer b;
    if (size == 0) return b;
    const cudaError_t e = cudaMallocHost(reinterpret_cast<void**>(&b.ptr_), size * sizeof(T));
    if (e != cudaSuccess) {
      b.ptr_ = nullptr;
      (void)cudaGetLastError();
      return absl::Status(ErrorCode(e), absl::StrCat("cudaMallocHost of ", size * sizeof(T),
                                                     " bytes for ", what, ": ", ErrorName(e)));
    }
    b.size_ = size;
    return b;
  }

  T* data() { return ptr_; }
  const T* data() const { return ptr_; }
  size_t size() const { return size_; }

  void Reset() {
    if (ptr_ != nullptr) N2V_CUDA_LOG_IF_ERROR(cudaFreeHost(ptr_));
    ptr_ = nullptr;
    size_ = 0;
  }

 private:
  T* ptr_ = nullptr;
  size_t size_ = 0;
};

/// A non-blocking stream.
class Stream {
 public:
  Stream() = default;
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;
  Stream(Stream&& o) noexcept : s_(std::exchange(o.s_, nullptr)) {}
  Stream& operator=(Stream&& o) noexcept {
    if (this != &o) {
      if (s_ != nullptr) N2V_CUDA_LOG_IF_ERROR(cudaStreamDestroy(s_));
      s_ = std::exchange(o.s_, nullptr);
    }
    return *this;
  }
  ~Stream() {
    if (s_ != nullptr) N2V_CUDA_LOG_IF_ERROR(cudaStreamDestroy(s_));
  }
  static absl::StatusOr<Stream> Create() {
    Stream s;
    N2V_CUDA_RETURN_IF_ERROR(cudaStreamCreateWithFlags(&s.s_, cudaStreamNonBlocking));
    return s;
  }
  cudaStream_t get() const { return s_; }
  absl::Status Sync() const {
    N2V_CUDA_RETURN_IF_ERROR(cudaStreamSynchronize(s_));
    return absl::OkStatus();
  }

 private:
  cudaStream_t s_ = nullptr;
};

/// A timing event.
class Event {
 public:
  Event() = default;
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;
  Event(Event&& o) noexcept : e_(std::exchange(o.e_, nullptr)) {}
  Event& operator=(Event&& o) noexcept {
    if (this != &o) {
      if (e_ != nullptr) N2V_CUDA_LOG_IF_ERROR(cudaEventDestroy(e_));
      e_ = std::exchange(o.e_, nullptr);
    }
    return *this;
  }
  ~Event() {
    if (e_ != nullptr) N2V_CUDA_LOG_IF_ERROR(cudaEventDestroy(e_));
  }
  static absl::StatusOr<Event> Create() {
    Event e;
    N2V_CUDA_RETURN_IF_ERROR(cudaEventCreate(&e.e_));
    return e;
  }
  /// An event for ordering streams and waiting on from the host only (no timing: cheaper).
  static absl::StatusOr<Event> CreateForSync() {
    Event e;
    N2V_CUDA_RETURN_IF_ERROR(cudaEventCreateWithFlags(&e.e_, cudaEventDisableTiming));
    return e;
  }
  /// Makes `s` wait (on the device) for the work recorded by the last Record.
  absl::Status WaitOn(cudaStream_t s) const {
    N2V_CUDA_RETURN_IF_ERROR(cudaStreamWaitEvent(s, e_, 0));
    return absl::OkStatus();
  }
  /// Blocks the host until the recorded work is done.
  absl::Status Sync() const {
    N2V_CUDA_RETURN_IF_ERROR(cudaEventSynchronize(e_));
    return absl::OkStatus();
  }
  cudaEvent_t get() const { return e_; }
  absl::Status Record(cudaStream_t s) {
    N2V_CUDA_RETURN_IF_ERROR(cudaEventRecord(e_, s));
    return absl::OkStatus();
  }
  /// Milliseconds from `start` to this event; synchronises on this event.
  absl::StatusOr<float> MsSince(const Event& start) const {
    N2V_CUDA_RETURN_IF_ERROR(cudaEventSynchronize(e_));
    float ms = 0;
    N2V_CUDA_RETURN_IF_ERROR(cudaEventElapsedTime(&ms, start.e_, e_));
    return ms;
  }

 private:
  cudaEvent_t e_ = nullptr;
};

/// A cuBLAS handle bound to a stream.
class CublasHandle {
 public:
  CublasHandle() = default;
  CublasHandle(const CublasHandle&) = delete;
  CublasHandle& operator=(const CublasHandle&) = delete;
  CublasHandle(CublasHandle&& o) noexcept
      : api_(std::exchange(o.api_, nullptr)), h_(std::exchange(o.h_, nullptr)) {}
  ~CublasHandle() {
    if (h_ != nullptr) N2V_CUDA_LOG_IF_ERROR(api_->destroy(h_));
  }
  /// Loads cuBLAS on first use (cublas_api.cuh): FailedPreconditionError when it is absent.
  static absl::StatusOr<CublasHandle> Create(cudaStream_t stream) {
    auto api = LoadCublas();
    if (!api.ok()) return api.status();
    CublasHandle h;
    h.api_ = *api;
    N2V_CUDA_RETURN_IF_ERROR(h.api_->create(&h.h_));
    N2V_CUDA_RETURN_IF_ERROR(h.api_->set_stream(h.h_, stream));
    // Plain FP32 (no TF32): scores must stay within float round-off of the CPU's.
    N2V_CUDA_RETURN_IF_ERROR(h.api_->set_math_mode(h.h_, CUBLAS_DEFAULT_MATH));
    return h;
  }
  cublasHandle_t get() const { return h_; }

 private:
  const CublasApi* api_ = nullptr;
  cublasHandle_t h_ = nullptr;
};

/// An instantiated CUDA Graph.
class GraphExec {
 public:
  GraphExec() = default;
  GraphExec(const GraphExec&) = delete;
  GraphExec& operator=(const GraphExec&) = delete;
  GraphExec(GraphExec&& o) noexcept : g_(std::exchange(o.g_, nullptr)), x_(std::exchange(o.x_, nullptr)) {}
  GraphExec& operator=(GraphExec&& o) noexcept {
    if (this != &o) {
      Reset();
      g_ = std::exchange(o.g_, nullptr);
      x_ = std::exchange(o.x_, nullptr);
    }
    return *this;
  }
  ~GraphExec() { Reset(); }
  void Reset() {
    if (x_ != nullptr) N2V_CUDA_LOG_IF_ERROR(cudaGraphExecDestroy(x_));
    if (g_ != nullptr) N2V_CUDA_LOG_IF_ERROR(cudaGraphDestroy(g_));
    x_ = nullptr;
    g_ = nullptr;
  }
  bool valid() const { return x_ != nullptr; }
  absl::Status Launch(cudaStream_t s) const {
    N2V_CUDA_RETURN_IF_ERROR(cudaGraphLaunch(x_, s));
    return absl::OkStatus();
  }

 private:
  friend class CaptureScope;
  cudaGraph_t g_ = nullptr;
  cudaGraphExec_t x_ = nullptr;
};

/// Records the work issued on `stream` between Begin() and End() into a GraphExec. Only kernel
/// launches and async copies/memsets may be issued while capturing (no allocation, no sync).
class CaptureScope {
 public:
  explicit CaptureScope(cudaStream_t stream) : stream_(stream) {}
  CaptureScope(const CaptureScope&) = delete;
  CaptureScope& operator=(const CaptureScope&) = delete;
  ~CaptureScope() {
    if (capturing_) {  // an error left the capture open: end it and drop the partial graph
      cudaGraph_t g = nullptr;
      (void)cudaStreamEndCapture(stream_, &g);
      if (g != nullptr) (void)cudaGraphDestroy(g);
      (void)cudaGetLastError();
      --internal::capture_depth;
    }
  }
  absl::Status Begin() {
    // ThreadLocal mode: other threads' unrelated CUDA calls cannot invalidate this capture.
    N2V_CUDA_RETURN_IF_ERROR(cudaStreamBeginCapture(stream_, cudaStreamCaptureModeThreadLocal));
    capturing_ = true;
    ++internal::capture_depth;
    return absl::OkStatus();
  }
  absl::StatusOr<GraphExec> End() {
    GraphExec out;
    capturing_ = false;
    --internal::capture_depth;
    N2V_CUDA_RETURN_IF_ERROR(cudaStreamEndCapture(stream_, &out.g_));
    N2V_CUDA_RETURN_IF_ERROR(cudaGraphInstantiate(&out.x_, out.g_, 0));
    return out;
  }

 private:
  cudaStream_t stream_;
  bool capturing_ = false;
};

/// ceil(a / b) for launch sizes.
template <typename A, typename B>
constexpr A CeilDiv(A a, B b) {
  return (a + static_cast<A>(b) - 1) / static_cast<A>(b);
}

/// A grid for `n` threads' work in blocks of `block`: ceil(n / block) blocks, at least 1 and at
/// most `cap` (the kernels' grid-stride loops take what a capped grid leaves).
template <typename T>
constexpr unsigned GridBlocks(T n, T block, T cap) {
  return static_cast<unsigned>(std::clamp<T>(CeilDiv(n, block), T{1}, cap));
}

}  // namespace n2v::cuda
