// The command line's processes under mpirun: n2v::Ranks over MPI (when n2v was built with
// OpenMPI), and what main() does with them at the start and the end of a run.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "n2v/ranks.hpp"

namespace n2v::app {

/// True when this process was started by mpirun (or another MPI launcher): its environment has
/// the launcher's rank variables (OMPI_COMM_WORLD_SIZE, PMIX_RANK or PMI_SIZE).
bool LaunchedByMpi();

/// The job's ranks when launched by mpirun, after MPI_Init_thread (MPI_THREAD_FUNNELED: only
/// the main thread calls MPI); null for a plain run. A build without MPI started by mpirun with
/// more than one rank gets FailedPreconditionError.
absl::StatusOr<std::shared_ptr<Ranks>> StartRanks(int* argc, char*** argv);

/// The job's ranks (null for a plain run), as StartRanks made them.
Ranks* JobRanks();
std::shared_ptr<Ranks> SharedJobRanks();

/// Ends the job with the command's exit code: MPI_Finalize when every rank ends the same way
/// (success, or an error every rank agreed on), MPI_Abort when this rank failed alone (so the
/// others, perhaps waiting for it in a collective, end too). Returns the code for main().
int FinishRanks(int code);

}  // namespace n2v::app
