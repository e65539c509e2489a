// Outputs are written atomically (docs/DESIGN.md, decision 8): into a temporary file beside the target,
// flushed, then renamed over it. An interrupted run leaves the previous file intact, and — with
// InstallInterruptCleanup — no temporary file either.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace n2v {

/// Replaces `path` with `contents` atomically.
absl::Status WriteFileAtomic(const std::string& path, std::string_view contents);

/// A file written in pieces and published atomically: the bytes go to "<path>.tmp.<pid>.<n>"
/// through a buffer; Commit() flushes, fsyncs and renames it over `path`. Destroying an
/// uncommitted writer (an error path, an exception) removes the temporary file; so does SIGINT or
/// SIGTERM once InstallInterruptCleanup() has run. Large exports stream through it instead of
/// being formatted into one string.
class AtomicFileWriter {
 public:
  static absl::StatusOr<AtomicFileWriter> Open(const std::string& path);
  AtomicFileWriter(AtomicFileWriter&& o) noexcept;
  AtomicFileWriter& operator=(AtomicFileWriter&&) = delete;
  AtomicFileWriter(const AtomicFileWriter&) = delete;
  ~AtomicFileWriter();

  /// Appends bytes (buffered; a write error is reported here or by Commit).
  absl::Status Append(std::string_view bytes);
  /// The buffer Append fills; callers may format straight into it and call MaybeFlush().
  std::string& buffer() { return buf_; }
  absl::Status MaybeFlush() { return buf_.size() >= kFlushBytes ? Flush() : absl::OkStatus(); }
  /// Publishes the file. After an error the target is untouched and the temporary removed.
  absl::Status Commit();
  const std::string& path() const { return path_; }

 private:
  static constexpr size_t kFlushBytes = 1 << 22;
  AtomicFileWriter(std::string path, std::string tmp, int fd, int slot)
      : path_(std::move(path)), tmp_(std::move(tmp)), fd_(fd), slot_(slot) {}
  absl::Status Flush();
  absl::Status WriteAll(std::string_view bytes);
  void Abandon();

  std::string path_, tmp_, buf_;
  int fd_ = -1;
  int slot_ = -1;  // index in the interrupt-cleanup registry
};

/// Installs SIGINT/SIGTERM handlers that remove every temporary file an AtomicFileWriter or
/// WriteFileAtomic has open, then end the process with the signal's default action (so the shell
/// sees 130/143). Outputs already published are never touched. Call once, early, from main().
void InstallInterruptCleanup();

/// While one of these lives, the first SIGINT/SIGTERM/SIGHUP is only recorded: long-running work
/// polls PendingInterrupt() (pass it as a CancelCallback) and returns CancelledError, and the
/// caller then calls DieOfPendingInterrupt(). A second signal ends the process at once, as outside
/// a scope. Needs InstallInterruptCleanup().
class InterruptCancels {
 public:
  InterruptCancels();
  ~InterruptCancels();
  InterruptCancels(const InterruptCancels&) = delete;
  InterruptCancels& operator=(const InterruptCancels&) = delete;
};

/// The signal recorded inside an InterruptCancels scope, or 0.
int PendingInterrupt();

/// If a signal was recorded: removes every temporary file still open and ends the process with
/// that signal's default action (exit status 128 + signal). Returns otherwise.
void DieOfPendingInterrupt();

}  // namespace n2v
