// NCCL, loaded when first used, as cuBLAS is (cublas_api.cuh): only GPU ranks under mpirun call
// it, and libnccl is ~200 MB that no other run should map. LoadNccl() dlopens it once and the
// calls go through the table of entry points it returns. Twin: none (CUDA only).
#pragma once

#include <nccl.h>

#include <string>

#include "absl/status/statusor.h"

namespace n2v::cuda {

/// The NCCL entry points n2v calls.
struct NcclApi {
  decltype(&ncclGetVersion) get_version;
  decltype(&ncclGetUniqueId) get_unique_id;
  decltype(&ncclCommInitRank) comm_init_rank;
  decltype(&ncclCommDestroy) comm_destroy;
  decltype(&ncclCommAbort) comm_abort;
  decltype(&ncclCommGetAsyncError) comm_get_async_error;
  decltype(&ncclAllReduce) all_reduce;
  decltype(&ncclGetErrorString) error_string;
};

/// Loads libnccl.so.<the major version n2v was built with> once (thread-safe): by name first,
/// then from the toolkit n2v was built against. FailedPreconditionError naming the library and
/// the loader's reason when it is absent or lacks an entry point; later calls give the same answer.
absl::StatusOr<const NcclApi*> LoadNccl();

/// "NCCL 2.28.3", from the loaded library; empty when it does not load.
std::string NcclVersion();

}  // namespace n2v::cuda
