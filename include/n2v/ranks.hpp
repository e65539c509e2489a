// The processes of a distributed run ("ranks") as the library sees them: an abstract set of
// collectives, so that the engine and the CPU backend do not depend on MPI. The command line
// implements it over MPI (apps/mpi_ranks.cpp, built when OpenMPI is found; tests/mpi runs it
// under mpirun). A null Ranks pointer, or one of size 1, is a plain run.
//
// Every collective must be called by every rank, in the same order, with the same sizes; a rank
// that cannot take part (an error of its own) must end the job (Abort), never return quietly, or
// the others would wait for it forever. docs/DISTRIBUTED.md has the protocol.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace n2v {

class Ranks {
 public:
  virtual ~Ranks() = default;

  virtual int rank() const = 0;
  virtual int size() const = 0;
  /// This rank's index among the ranks of its host, and how many ranks that host runs (GPU ranks
  /// take device local_rank() mod the host's device count).
  virtual int local_rank() const = 0;
  virtual int local_size() const = 0;
  /// How the ranks talk, for logs: "MPI (Open MPI v4.1.4), 2 ranks on 1 host".
  virtual std::string transport() const = 0;

  /// Element-wise sums over all ranks, in place; every rank receives the same result.
  virtual absl::Status SumInPlace(uint64_t* data, size_t n) = 0;
  virtual absl::Status SumInPlace(double* data, size_t n) = 0;

  /// Starts summing `send` [n] of every rank into `recv` [n] without waiting for it; at most one
  /// such sum is in flight per Ranks. `send` and `recv` must stay untouched until FinishSum.
  virtual absl::Status StartSum(const float* send, float* recv, size_t n) = 0;
  /// Lets the sum in flight progress; true once it is complete (then FinishSum returns at once).
  /// Called from the thread that started it.
  virtual bool PollSum() = 0;
  /// Waits for the sum in flight.
  virtual absl::Status FinishSum() = 0;

  /// Every rank's `mine`, in rank order.
  virtual absl::Status Gather(uint64_t mine, std::vector<uint64_t>* all) = 0;
  /// Rank `root`'s `bytes` on every rank.
  virtual absl::Status Broadcast(std::string* bytes, int root) = 0;

  /// Personalised exchange: `send` holds, one after another, `send_bytes[r]` bytes for each rank
  /// r (send_bytes has size() entries); on return `recv` holds what every rank sent this one,
  /// in rank order, and `recv_bytes[r]` how many bytes came from rank r.
  virtual absl::Status AllToAll(const uint8_t* send, const std::vector<uint64_t>& send_bytes,
                                std::vector<uint8_t>* recv, std::vector<uint64_t>* recv_bytes) = 0;
  /// Element-wise maximum over all ranks of `data` [n], received by rank `root` alone (the
  /// others' `data` is left as they passed it).
  virtual absl::Status MaxToRoot(int32_t* data, size_t n, int root) = 0;

  /// Ends every rank of the job now, with exit code `code` (after this rank printed why).
  [[noreturn]] virtual void Abort(int code) = 0;
};

/// How GPU ranks sum the tables' deltas. kNccl: NCCL's all-reduce between device buffers (one
/// GPU per rank; bootstrapped through the ranks' Broadcast). kHost: each delta is copied to host
/// memory and summed by the ranks' own StartSum (MPI), then copied back: what works where NCCL
/// cannot, two ranks sharing one GPU included. kAuto: NCCL when every rank can use it (it loads,
/// and no two ranks of a host share a GPU), else kHost. CPU ranks always sum in host memory.
enum class GpuTransport { kAuto, kNccl, kHost };
absl::StatusOr<GpuTransport> ParseGpuTransport(std::string_view s);  // "auto" | "nccl" | "host"
std::string_view GpuTransportName(GpuTransport t);

/// True when `r` describes more than one process.
inline bool IsDistributed(const Ranks* r) { return r != nullptr && r->size() > 1; }

/// Agreement on an error that any rank may have alone (reading its input, say): every rank
/// passes its own status and receives the same answer, OK only if every rank's is OK; otherwise
/// the lowest failing rank's error, its code and its message prefixed "rank R of N: ". The
/// returned error is marked as agreed (IsAgreedError), so only one rank needs to print it.
absl::Status AgreeOnStatus(Ranks& ranks, const absl::Status& mine);

/// True for a status that AgreeOnStatus returned: every rank has it.
bool IsAgreedError(const absl::Status& st);

/// Refuses a run whose ranks were given different settings or graphs: every rank passes the same
/// kind of fingerprint (a checksum of its effective options and its graph); a rank whose value
/// differs from rank 0's makes every rank return the same FailedPreconditionError naming it
/// (`what` says what was checksummed).
absl::Status CheckSameEverywhere(Ranks& ranks, uint64_t fingerprint, const std::string& what);

}  // namespace n2v
