/* The MPI executor of libctune_mpi: a custom ctune executor (include/ctune.h,
 * EXECUTORS) that spreads a job's tasks over the ranks of a communicator.
 *
 * Protocol (all messages on a private duplicate of the caller's
 * communicator, MPI_ERRORS_RETURN, only the calling thread calls MPI):
 *
 *   rank r > 0                               rank 0 (dispatcher + worker)
 *   HELLO(n_tasks, record size, host) ──►    checks every rank runs the same job
 *                                    ◄──     WELCOME(ranks on r's host) | ABORT
 *   REQ(slot, -1)           ──►              next task, or -1 when none / stopped
 *                           ◄──              ASSIGN(slot, task | -1)
 *   REQ(slot, task, record) ──►              stores the record, calls task_done
 *   RETIRED (all slots got -1) ──►
 *                           ◄──              STOP (a stop was asked: cancel fits)
 *                           ◄──              FINISH(n_done, flags, all records)
 *   BEAT both ways every second (timeout detection); ABORT(status, text) from
 *   any rank ends the run on every rank that receives it.
 *
 * Every wait is a poll (MPI_Iprobe / MPI_Test with 1 ms sleeps) bounded by
 * the timeout, so a dead or silent peer is reported instead of waited for.
 * Tasks run on worker threads (n_jobs per rank); the calling thread only
 * communicates. */
#ifndef CTUNE_MPI_EXEC_H
#define CTUNE_MPI_EXEC_H

#include <mpi.h>
#include <stdint.h>

#include "ctune.h"

typedef struct ctune__mpi {
    MPI_Comm comm; /* the private duplicate */
    int rank, size;
    double timeout; /* seconds; 0 = none */
    int refit_all;
    int entered; /* run() was called on this rank */
    /* Agreed by every rank when the communicator is set up: messages of an
     * earlier call (Open MPI may reuse a freed communicator's context for a
     * new one) carry another session and are dropped. */
    int64_t session;
} ctune__mpi;

/* The executor vtable; `self` is a ctune__mpi. */
extern const ctune_executor_vtable ctune__mpi_vtable;

/* After a local failure before run(): tells every other rank (best effort,
 * bounded wait) that this rank will not take part, with its status and
 * message. */
void ctune__mpi_notify_early_failure(ctune__mpi *m, ctune_status st, const char *msg);

/* Propagates a non-OK status. */
#define CTUNE_MPI_TRY(expr)         \
    do {                            \
        ctune_status rc__ = (expr); \
        if (rc__ != CTUNE_OK)       \
            return rc__;            \
    } while (0)

/* Frees the buffers of sends of earlier failed calls that MPI has
 * completed since; `final` (before MPI_Finalize) cancels the rest. */
void ctune__mpi_graveyard_sweep(int final);

/* Sets a CTUNE_EIO error naming the MPI call and MPI's error string. */
ctune_status ctune__mpi_error(int mpi_rc, const char *what);

/* malloc/calloc that set the ctune ENOMEM message on failure (libctune_mpi
 * cannot reach libctune's internal allocator). */
void *ctune__mpi_alloc(size_t n);
void *ctune__mpi_calloc(size_t n, size_t size);
/* Live blocks of these allocators (tests check it returns to zero). */
long ctune__mpi_alloc_live(void);
void ctune__mpi_free(void *p);
/* Stops counting a block handed over to MPI for good (a send buffer that
 * cannot be tracked any more). */
void ctune__mpi_forget(void);

#endif
