// Atomic file replacement: write to "<path>.tmp.<pid>.<n>", fsync, rename over the target. Temporary
// paths are kept in a fixed registry of plain char arrays so a signal handler can unlink them with
// async-signal-safe calls only.
#include "n2v/atomic_file.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace n2v {
namespace {

constexpr int kSlots = 256;
constexpr size_t kPathMax = 4096;
// state: 0 free, 1 being filled, 2 holds a live temporary path.
std::atomic<int> g_state[kSlots];
char g_paths[kSlots][kPathMax];
std::atomic<uint64_t> g_counter{0};

int Register(const std::string& tmp) {
  if (tmp.size() + 1 > kPathMax) return -1;
  for (int i = 0; i < kSlots; ++i) {
    int expected = 0;
    if (g_state[i].compare_exchange_strong(expected, 1)) {
      std::memcpy(g_paths[i], tmp.c_str(), tmp.size() + 1);
      g_state[i].store(2);
      return i;
    }
  }
  return -1;  // registry full: the file is still cleaned up on every non-signal path
}

void Unregister(int slot) {
  if (slot >= 0) g_state[slot].store(0);
}

extern "C" void CleanupAndDie(int sig) {
  for (int i = 0; i < kSlots; ++i) {
    if (g_state[i].load() == 2) ::unlink(g_paths[i]);
  }
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

// Inside an InterruptCancels scope the first signal is only recorded (the work polls it and
// stops); a second one, or any outside a scope, cleans up and ends the process at once.
std::atomic<int> g_cancel_scopes{0};
std::atomic<int> g_pending{0};
static_assert(std::atomic<int>::is_always_lock_free, "signal handlers need lock-free atomics");

extern "C" void OnInterrupt(int sig) {
  int expected = 0;
  if (g_cancel_scopes.load() > 0 && g_pending.compare_exchange_strong(expected, sig)) return;
  CleanupAndDie(sig);
}

absl::Status Errno(const std::string& path, const char* what, int err) {
  return absl::UnavailableError(absl::StrCat(path, ": ", what, ": ", std::strerror(err)));
}

}  // namespace

InterruptCancels::InterruptCancels() { g_cancel_scopes.fetch_add(1); }
InterruptCancels::~InterruptCancels() { g_cancel_scopes.fetch_sub(1); }

int PendingInterrupt() { return g_pending.load(std::memory_order_relaxed); }

void DieOfPendingInterrupt() {
  const int sig = g_pending.load();
  if (sig != 0) CleanupAndDie(sig);
}

void InstallInterruptCleanup() {
  struct sigaction sa {};
  sa.sa_handler = OnInterrupt;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
  ::sigaction(SIGHUP, &sa, nullptr);
}

absl::StatusOr<AtomicFileWriter> AtomicFileWriter::Open(const std::string& path) {
  std::string tmp = absl::StrCat(path, ".tmp.", ::getpid(), ".", g_counter.fetch_add(1));
  // Register before the file exists, so a signal between open and registration cannot leak it.
  const int slot = Register(tmp);
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    const int err = errno;
    Unregister(slot);
    return Errno(path, "cannot create temporary file", err);
  }
  return AtomicFileWriter(path, std::move(tmp), fd, slot);
}

AtomicFileWriter::AtomicFileWriter(AtomicFileWriter&& o) noexcept
    : path_(std::move(o.path_)), tmp_(std::move(o.tmp_)), buf_(std::move(o.buf_)), fd_(o.fd_),
      slot_(o.slot_) {
  o.fd_ = -1;
  o.slot_ = -1;
  o.tmp_.clear();
}

AtomicFileWriter::~AtomicFileWriter() { Abandon(); }

void AtomicFileWriter::Abandon() {
  if (fd_ >= 0) ::close(fd_);
  if (!tmp_.empty()) ::unlink(tmp_.c_str());
  Unregister(slot_);
  fd_ = -1;
  slot_ = -1;
  tmp_.clear();
}

absl::Status AtomicFileWriter::Flush() {
  if (absl::Status st = WriteAll(buf_); !st.ok()) return st;
  buf_.clear();
  return absl::OkStatus();
}

absl::Status AtomicFileWriter::WriteAll(std::string_view bytes) {
  if (fd_ < 0) return absl::FailedPreconditionError(absl::StrCat(path_, ": writer is closed"));
  const char* p = bytes.data();
  size_t left = bytes.size();
  while (left > 0) {
    const ssize_t n = ::write(fd_, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      Abandon();
      return Errno(path_, "write failed", err);
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

absl::Status AtomicFileWriter::Append(std::string_view bytes) {
  if (bytes.size() < kFlushBytes) {
    buf_.append(bytes);
    return MaybeFlush();
  }
  // Large payloads go straight to the file, without a copy into the buffer.
  if (absl::Status st = Flush(); !st.ok()) return st;
  return WriteAll(bytes);
}

absl::Status AtomicFileWriter::Commit() {
  if (absl::Status st = Flush(); !st.ok()) return st;
  if (::fsync(fd_) != 0) {
    const int err = errno;
    Abandon();
    return Errno(path_, "flush failed", err);
  }
  const int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) {
    const int err = errno;
    Abandon();
    return Errno(path_, "flush failed", err);
  }
  if (std::rename(tmp_.c_str(), path_.c_str()) != 0) {
    const int err = errno;
    Abandon();
    return Errno(path_, "rename failed", err);
  }
  tmp_.clear();  // published: nothing left to remove
  Unregister(slot_);
  slot_ = -1;
  return absl::OkStatus();
}

absl::Status WriteFileAtomic(const std::string& path, std::string_view contents) {
  auto w = AtomicFileWriter::Open(path);
  if (!w.ok()) return w.status();
  if (absl::Status st = w->Append(contents); !st.ok()) return st;
  return w->Commit();
}

}  // namespace n2v
