/**
 * @file ctune_mpi.h
 * @brief ctune's searches and cross-validation over MPI (libctune_mpi).
 *
 * ctune_mpi.h — ctune's searches and cross-validation over an MPI
 * communicator (libctune_mpi, pkg-config ctune_mpi). Built only when MPI is
 * found (meson option `mpi`); the plain libctune never depends on MPI.
 *
 * Every rank of the communicator calls the same function with the same
 * search (same estimator, space, options) and the same data, loaded on each
 * rank. The tasks (candidate × split) are handed out dynamically by rank 0,
 * which also works; every rank ends with the same results table,
 * bit-identical to a serial ctune_search_fit() apart from the timing
 * columns. Semantics, guarantees on failure and cluster usage:
 * docs/mpi.md.
 *
 * Threads: the calling thread is the only one that calls MPI (MPI must be
 * initialized with at least MPI_THREAD_FUNNELED, see ctune_mpi_init(), and
 * these functions called from the thread that initialized it); tasks run
 * on worker threads (n_jobs per rank, default 1).
 *
 * FFI: the `_f` variants take the communicator as a Fortran handle
 * (MPI_Fint: mpi4py's comm.py2f(), or ctune_mpi_comm_world_f()), so ctypes
 * and cffi users can call them without MPI's C types.
 */
#ifndef CTUNE_MPI_H
#define CTUNE_MPI_H

#include <mpi.h>

#include "ctune.h"

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) && __GNUC__ >= 4
#define CTUNE_MPI_API __attribute__((visibility("default")))
#else
#define CTUNE_MPI_API
#endif

/** @defgroup grp_mpi MPI (ctune_mpi.h)
 *  Searches and cross-validation over an MPI communicator (libctune_mpi).
 *  @{ */

/** Initializes MPI with MPI_THREAD_FUNNELED (argc/argv may be NULL) unless
 *  it is initialized already; *provided (may be NULL) receives the thread
 *  level MPI provides. Call from the main thread.
 *  @return CTUNE_OK; CTUNE_EUNSUPPORTED when MPI provides less than
 *  MPI_THREAD_FUNNELED (ctune's worker threads never call MPI, but they
 *  exist); CTUNE_EIO when MPI_Init_thread fails */
CTUNE_MPI_API ctune_status ctune_mpi_init(int *argc, char ***argv, int *provided);
/** 1 when this process was started by an MPI launcher (mpirun / mpiexec
 *  of Open MPI, MPICH, Intel MPI; srun with PMI or PMIx), judged from the
 *  environment they set (OMPI_COMM_WORLD_SIZE, PMIX_RANK, PMI_RANK,
 *  PMI_SIZE, MPI_LOCALNRANKS), else 0. Lets a program that may run with or
 *  without mpirun (the ctune CLI) decide whether to call ctune_mpi_init().
 *  Thread-safe; needs no MPI call. */
CTUNE_MPI_API int ctune_mpi_launched(void);
/** Finalizes MPI if ctune_mpi_init() initialized it and it is not
 *  finalized yet; otherwise does nothing.
 *  @return CTUNE_OK; CTUNE_EIO when MPI_Finalize fails */
CTUNE_MPI_API ctune_status ctune_mpi_finalize(void);

/** This process's rank in `comm`.
 *  @param[out] out  receives the rank
 *  @param      comm the communicator
 *  @return CTUNE_OK; CTUNE_EINVAL (NULL out); CTUNE_ESTATE (MPI not
 *  initialized); CTUNE_EIO (invalid communicator) */
CTUNE_MPI_API ctune_status ctune_mpi_rank(int *out, MPI_Comm comm);
/** The number of ranks of `comm`.
 *  @param[out] out  receives the number of ranks
 *  @param      comm the communicator
 *  @return as ctune_mpi_rank() */
CTUNE_MPI_API ctune_status ctune_mpi_size(int *out, MPI_Comm comm);

/** Runs ctune_search_fit(search, data) over `comm`: rank 0 hands out the
 *  tasks one at a time to the worker threads of every rank (its own
 *  included), collects the records, calls the progress callback (rank 0
 *  only) and sends every rank all the records and the outcome; every rank
 *  then builds the same results table and returns the same status
 *  (CTUNE_OK, CTUNE_ECANCELLED, the error_score=raise failure, ...).
 *  The refit runs on rank 0 only (ctune_search_best_estimator() is NULL on
 *  the other ranks) unless `mpi_options` says refit=all.
 *
 *  `mpi_options` (NULL for defaults) is "key=value" text:
 *    timeout=60   seconds without any message from a peer after which the
 *                 run fails with CTUNE_EIO (peer dead, stopped or stuck);
 *                 0 waits forever. Ranks exchange a heartbeat every
 *                 second, so a long task never trips it.
 *    start_timeout=0  seconds to wait for every rank to enter the call
 *                 (0 = no limit, as any collective).
 *    refit=root   root | all: which ranks refit the best candidate.
 *  n_jobs (search option) is the number of worker threads per rank.
 *
 *  A 1-rank communicator runs the same protocol locally.
 *  Collective over `comm`: every rank must call it. MPI errors on the
 *  private duplicate of `comm` (made at the first call, cached on `comm`)
 *  are returned, never fatal. After a CTUNE_EIO the other ranks may be in
 *  an unknown state: end the job (MPI_Abort).
 *  The search runs on libctune_mpi's executor during the call only; after
 *  it the search uses n_jobs' executors again (as after
 *  ctune_search_set_executor(search, NULL, NULL)). Not thread-safe: one
 *  call at a time per process.
 *
 *  @return what ctune_search_fit() returns, and: CTUNE_EIO naming the rank
 *  for a communication failure, a silent peer (timeout), a rank whose
 *  search differs (task count or record size) or a rank that failed before
 *  its tasks (its message is relayed); CTUNE_EINVAL (NULLs, bad
 *  mpi_options, MPI_COMM_NULL); CTUNE_ESTATE (MPI not initialized or
 *  finalized) */
CTUNE_MPI_API ctune_status ctune_mpi_search_fit(ctune_search *search, const ctune_data *data,
                                                MPI_Comm comm, const char *mpi_options);
/** ctune_mpi_search_fit() with a Fortran communicator handle (FFI).
 *  @return as ctune_mpi_search_fit() */
CTUNE_MPI_API ctune_status ctune_mpi_search_fit_f(ctune_search *search, const ctune_data *data,
                                                  MPI_Fint comm, const char *mpi_options);

/** ctune_cross_validate() over `comm`, distributed like
 *  ctune_mpi_search_fit(): every rank gets the same results (free them
 *  with ctune_cv_results_free()). `options` are cross_validate's,
 *  `mpi_options` as above (refit does not apply).
 *  @return as ctune_cross_validate() and ctune_mpi_search_fit() */
CTUNE_MPI_API ctune_status ctune_mpi_cross_validate(ctune_cv_results **out,
                                                    const ctune_estimator *est,
                                                    const ctune_data *data,
                                                    const ctune_splitter *splitter, int cv,
                                                    const char *options, MPI_Comm comm,
                                                    const char *mpi_options);
/** ctune_mpi_cross_validate() with a Fortran communicator handle (FFI).
 *  @return as ctune_mpi_cross_validate() */
CTUNE_MPI_API ctune_status ctune_mpi_cross_validate_f(ctune_cv_results **out,
                                                      const ctune_estimator *est,
                                                      const ctune_data *data,
                                                      const ctune_splitter *splitter, int cv,
                                                      const char *options, MPI_Fint comm,
                                                      const char *mpi_options);

/** MPI_COMM_WORLD as a Fortran handle, for FFI callers without MPI types. */
CTUNE_MPI_API MPI_Fint ctune_mpi_comm_world_f(void);
/** ctune_mpi_rank() with a Fortran communicator handle (FFI).
 *  @return as ctune_mpi_rank() */
CTUNE_MPI_API ctune_status ctune_mpi_rank_f(int *out, MPI_Fint comm);
/** ctune_mpi_size() with a Fortran communicator handle (FFI).
 *  @return as ctune_mpi_size() */
CTUNE_MPI_API ctune_status ctune_mpi_size_f(int *out, MPI_Fint comm);

/** Ends every process of `comm` with `errorcode` (MPI_Abort), for a caller
 * that cannot go on after ctune_mpi_search_fit() returned CTUNE_EIO (a rank
 * is gone). Does not return when MPI is initialized; otherwise returns
 * CTUNE_ESTATE. The `_f` variant takes a Fortran handle, for programs that
 * load libctune_mpi at run time without MPI's headers (the `ctune` CLI).
 * @return CTUNE_ESTATE (MPI not initialized or finalized); CTUNE_EIO if
 * MPI_Abort returns; no return otherwise */
CTUNE_MPI_API ctune_status ctune_mpi_abort(MPI_Comm comm, int errorcode);
/** ctune_mpi_abort() with a Fortran communicator handle (FFI, and the CLI).
 *  @return as ctune_mpi_abort() */
CTUNE_MPI_API ctune_status ctune_mpi_abort_f(MPI_Fint comm, int errorcode);

/** @} */

#ifdef __cplusplus
}
#endif

#endif
