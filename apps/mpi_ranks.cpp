// n2v::Ranks over MPI (apps/mpi_ranks.hpp). Sums of more than 2^30 elements are split into
// several MPI calls (MPI counts are int); the non-blocking sum keeps one request per piece.
#include "apps/mpi_ranks.hpp"

#include <cstdio>
#include <cstdlib>
#include <algorithm>
#include <exception>
#include <new>
#include <vector>

#include "absl/strings/str_cat.h"
#include "apps/cli_common.hpp"
#include "n2v/status.hpp"
#if defined(N2V_WITH_MPI)
#include <mpi.h>
#endif

namespace n2v::app {
namespace {

std::shared_ptr<Ranks> g_ranks;

int EnvInt(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr ? std::atoi(v) : -1;
}

#if defined(N2V_WITH_MPI)
constexpr size_t kPiece = size_t{1} << 30;
constexpr uint64_t kIntMax = 0x7FFFFFFF;

class MpiRanks final : public Ranks {
 public:
  MpiRanks() {
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
    // Errors come back as codes (Check), so a failure inside MPI, such as its own allocation
    // running out of memory, is printed as n2v's one line naming the rank before the job ends,
    // instead of MPI's fatal handler's page.
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    char version[MPI_MAX_LIBRARY_VERSION_STRING];
    int len = 0;
    MPI_Get_library_version(version, &len);
    std::string v(version, static_cast<size_t>(len));
    v = v.substr(0, v.find_first_of(",\n"));
    // Hosts: ranks that are first on their shared-memory node.
    MPI_Comm node;
    MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &node);
    int local = 0;
    MPI_Comm_rank(node, &local);
    MPI_Comm_size(node, &local_size_);
    MPI_Comm_free(&node);
    local_rank_ = local;
    int first = local == 0 ? 1 : 0, hosts = 0;
    MPI_Allreduce(&first, &hosts, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    transport_ = absl::StrCat("MPI (", v, "), ", size_, size_ == 1 ? " rank" : " ranks", " on ",
                              hosts, hosts == 1 ? " host" : " hosts");
  }
  int rank() const override { return rank_; }
  int size() const override { return size_; }
  int local_rank() const override { return local_rank_; }
  int local_size() const override { return local_size_; }
  std::string transport() const override { return transport_; }

  absl::Status SumInPlace(uint64_t* data, size_t n) override {
    for (size_t at = 0; at < n; at += kPiece) {
      const int count = static_cast<int>(std::min(kPiece, n - at));
      N2V_RETURN_IF_ERROR(Check(MPI_Allreduce(MPI_IN_PLACE, data + at, count, MPI_UINT64_T,
                                              MPI_SUM, MPI_COMM_WORLD),
                                "MPI_Allreduce"));
    }
    return absl::OkStatus();
  }
  absl::Status SumInPlace(double* data, size_t n) override {
    for (size_t at = 0; at < n; at += kPiece) {
      const int count = static_cast<int>(std::min(kPiece, n - at));
      N2V_RETURN_IF_ERROR(Check(
          MPI_Allreduce(MPI_IN_PLACE, data + at, count, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD),
          "MPI_Allreduce"));
    }
    return absl::OkStatus();
  }
  absl::Status StartSum(const float* send, float* recv, size_t n) override {
    if (!requests_.empty()) return absl::InternalError("StartSum: a sum is already in flight");
    for (size_t at = 0; at < n; at += kPiece) {
      const int count = static_cast<int>(std::min(kPiece, n - at));
      MPI_Request r;
      N2V_RETURN_IF_ERROR(Check(MPI_Iallreduce(send + at, recv + at, count, MPI_FLOAT, MPI_SUM,
                                               MPI_COMM_WORLD, &r),
                                "MPI_Iallreduce"));
      requests_.push_back(r);
    }
    return absl::OkStatus();
  }
  bool PollSum() override {
    if (requests_.empty()) return true;
    int done = 0;
    MPI_Testall(static_cast<int>(requests_.size()), requests_.data(), &done,
                MPI_STATUSES_IGNORE);
    return done != 0;
  }
  absl::Status FinishSum() override {
    if (requests_.empty()) return absl::OkStatus();
    const int rc = MPI_Waitall(static_cast<int>(requests_.size()), requests_.data(),
                               MPI_STATUSES_IGNORE);
    requests_.clear();
    return Check(rc, "MPI_Waitall");
  }
  absl::Status Gather(uint64_t mine, std::vector<uint64_t>* all) override {
    all->assign(static_cast<size_t>(size_), 0);
    return Check(MPI_Allgather(&mine, 1, MPI_UINT64_T, all->data(), 1, MPI_UINT64_T,
                               MPI_COMM_WORLD),
                 "MPI_Allgather");
  }
  absl::Status Broadcast(std::string* bytes, int root) override {
    uint64_t n = bytes->size();
    N2V_RETURN_IF_ERROR(Check(MPI_Bcast(&n, 1, MPI_UINT64_T, root, MPI_COMM_WORLD), "MPI_Bcast"));
    bytes->resize(static_cast<size_t>(n));
    for (size_t at = 0; at < n; at += kPiece) {
      const int count = static_cast<int>(std::min<size_t>(kPiece, n - at));
      N2V_RETURN_IF_ERROR(
          Check(MPI_Bcast(bytes->data() + at, count, MPI_CHAR, root, MPI_COMM_WORLD), "MPI_Bcast"));
    }
    return absl::OkStatus();
  }
  absl::Status AllToAll(const uint8_t* send, const std::vector<uint64_t>& send_bytes,
                        std::vector<uint8_t>* recv, std::vector<uint64_t>* recv_bytes) override {
    if (send_bytes.size() != static_cast<size_t>(size_)) {
      return absl::InternalError("AllToAll: expected one byte count per rank");
    }
    recv_bytes->assign(static_cast<size_t>(size_), 0);
    N2V_RETURN_IF_ERROR(Check(MPI_Alltoall(send_bytes.data(), 1, MPI_UINT64_T,
                                           recv_bytes->data(), 1, MPI_UINT64_T, MPI_COMM_WORLD),
                              "MPI_Alltoall"));
    // MPI_Alltoallv counts and displacements are int: a larger exchange is refused, not cut.
    std::vector<int> sc(size_), sd(size_), rc(size_), rd(size_);
    uint64_t s_at = 0, r_at = 0;
    for (int r = 0; r < size_; ++r) {
      if (s_at + send_bytes[r] > kIntMax || r_at + (*recv_bytes)[r] > kIntMax) {
        return absl::ResourceExhaustedError(
            "AllToAll: more than 2^31 − 1 bytes in one exchange; use smaller batches");
      }
      sc[r] = static_cast<int>(send_bytes[r]);
      sd[r] = static_cast<int>(s_at);
      rc[r] = static_cast<int>((*recv_bytes)[r]);
      rd[r] = static_cast<int>(r_at);
      s_at += send_bytes[r];
      r_at += (*recv_bytes)[r];
    }
    recv->resize(static_cast<size_t>(r_at));
    return Check(MPI_Alltoallv(send, sc.data(), sd.data(), MPI_BYTE, recv->data(), rc.data(),
                               rd.data(), MPI_BYTE, MPI_COMM_WORLD),
                 "MPI_Alltoallv");
  }
  absl::Status MaxToRoot(int32_t* data, size_t n, int root) override {
    for (size_t at = 0; at < n; at += kPiece) {
      const int count = static_cast<int>(std::min(kPiece, n - at));
      const int rc = rank_ == root ? MPI_Reduce(MPI_IN_PLACE, data + at, count, MPI_INT32_T,
                                                MPI_MAX, root, MPI_COMM_WORLD)
                                   : MPI_Reduce(data + at, nullptr, count, MPI_INT32_T, MPI_MAX,
                                                root, MPI_COMM_WORLD);
      N2V_RETURN_IF_ERROR(Check(rc, "MPI_Reduce"));
    }
    return absl::OkStatus();
  }
  [[noreturn]] void Abort(int code) override {
    std::fflush(stdout);
    std::fflush(stderr);
    MPI_Abort(MPI_COMM_WORLD, code);
    std::_Exit(code);
  }

 private:
  // MPI's default handler ends the job on an error; this covers a handler that returns.
  static absl::Status Check(int rc, const char* what) {
    if (rc == MPI_SUCCESS) return absl::OkStatus();
    char text[MPI_MAX_ERROR_STRING];
    int len = 0;
    MPI_Error_string(rc, text, &len);
    int cls = MPI_ERR_OTHER;
    MPI_Error_class(rc, &cls);
    // Open MPI reports a failed allocation of its own buffers as an internal error.
    const char* hint = cls == MPI_ERR_NO_MEM || cls == MPI_ERR_INTERN
                           ? " (MPI could not allocate its buffers: out of memory?)"
                           : "";
    return absl::UnavailableError(absl::StrCat(what, " failed: ", std::string(text, len), hint));
  }

  int rank_ = 0, size_ = 1, local_rank_ = 0, local_size_ = 1;
  std::string transport_;
  std::vector<MPI_Request> requests_;
};

// An exception nobody caught on a rank (std::bad_alloc when it runs out of memory, say) would
// kill this rank alone; the others would learn of it only from mpirun. Say which rank and why in
// one line, and end the whole job at once.
[[noreturn]] void TerminateJob() {
  std::string why = "terminated";
  if (std::exception_ptr e = std::current_exception()) {
    try {
      std::rethrow_exception(e);
    } catch (const std::bad_alloc&) {
      why = "out of memory (std::bad_alloc)";
    } catch (const std::exception& x) {
      why = absl::StrCat("uncaught exception: ", x.what());
    } catch (...) {
      why = "uncaught exception";
    }
  }
  std::fprintf(stderr, "n2v: rank %d of %d: %s\n", g_ranks ? g_ranks->rank() : 0,
               g_ranks ? g_ranks->size() : 1, why.c_str());
  if (g_ranks) g_ranks->Abort(kExitRuntime);
  std::abort();
}
#endif

}  // namespace

bool LaunchedByMpi() {
  return EnvInt("OMPI_COMM_WORLD_SIZE") > 0 || std::getenv("PMIX_RANK") != nullptr ||
         EnvInt("PMI_SIZE") > 0;
}

absl::StatusOr<std::shared_ptr<Ranks>> StartRanks(int* argc, char*** argv) {
  if (!LaunchedByMpi()) return std::shared_ptr<Ranks>();
#if defined(N2V_WITH_MPI)
  int provided = 0;
  if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
    return absl::UnavailableError("MPI_Init_thread failed");
  }
  if (provided < MPI_THREAD_FUNNELED) {
    MPI_Finalize();
    return absl::FailedPreconditionError(
        "this MPI library does not support MPI_THREAD_FUNNELED (OpenMP threads with MPI calls "
        "from the main thread), which n2v needs");
  }
  g_ranks = std::make_shared<MpiRanks>();
  std::set_terminate(TerminateJob);
  return g_ranks;
#else
  const int size = std::max(EnvInt("OMPI_COMM_WORLD_SIZE"), EnvInt("PMI_SIZE"));
  if (size > 1) {
    return absl::FailedPreconditionError(absl::StrCat(
        "started by mpirun with ", size, " ranks, but this n2v was built without MPI (no "
        "OpenMPI found at build time: install libopenmpi-dev, e.g. with scripts/setup, and "
        "rebuild)"));
  }
  return std::shared_ptr<Ranks>();
#endif
}

Ranks* JobRanks() { return g_ranks.get(); }
std::shared_ptr<Ranks> SharedJobRanks() { return g_ranks; }

int FinishRanks(int code) {
#if defined(N2V_WITH_MPI)
  if (!g_ranks) return code;
  if (code != kExitOk && !LastErrorWasAgreed() && g_ranks->size() > 1) g_ranks->Abort(code);
  g_ranks.reset();
  MPI_Finalize();
#endif
  return code;
}

}  // namespace n2v::app
