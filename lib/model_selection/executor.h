/* The executor: runs the tasks of a search (one per candidate × split).
 *
 * The search builds a job — n_tasks, a task function, a fixed-size result
 * record per task — and hands it to an executor. The executor decides where
 * tasks run (the calling thread, a thread pool, MPI ranks) and
 * guarantees that when run() returns, the record of every task that ran is
 * present in job->results on the calling process. The search reduces the
 * records by task index, so results never depend on who ran what.
 *
 * Contract for implementations:
 *  - task(ctx, i, record, threads, scratch) is called at most once per i in
 *    [0, n_tasks); it writes only `record` (result_size bytes at
 *    results + i * result_size, plain data without pointers, so that a
 *    distributed executor can ship it as bytes). `threads` is the thread
 *    budget of that task (ctune_fit_ctx.threads); `scratch` is the
 *    worker's reusable block (NULL when the executor keeps none: a custom
 *    or MPI executor, through ctune_job_run_task()).
 *  - done(ctx, i, record) is called on the calling process, one call at a
 *    time (never concurrently), after task i's record is final; a non-zero
 *    return asks to stop: tasks not yet started are not run and the
 *    executor sets *job->stop to 1 (tasks in flight see it through their
 *    fit context and may end early).
 *  - Tasks also stop being started when *job->stop becomes non-zero.
 *  - Records of tasks that were not run are left as the caller initialized
 *    them.
 *  - run() returns CTUNE_OK once no task is running, or a status for a
 *    failure of the executor itself (never for a failed task: that is in
 *    the record).
 *  - Every executor is a ctune_executor_vtable (include/ctune.h): the
 *    built-in serial and thread pool ones below, a user's, and the MPI one
 *    of libctune_mpi. A distributed one calls done on one process and
 *    copies the outcome (get_outcome/set_outcome) to the others.
 */
#ifndef CTUNE_MODEL_SELECTION_EXECUTOR_H
#define CTUNE_MODEL_SELECTION_EXECUTOR_H

#include <stdatomic.h>
#include <stddef.h>

#include "core/alloc.h"
#include "core/ncores.h"
#include "ctune.h"

/* The job is the public ctune_job (include/ctune.h, EXECUTORS): every
 * executor, built-in or custom, drives it through its fields here or the
 * ctune_job_* accessors (job.c). */
struct ctune_job {
    size_t n_tasks;
    size_t result_size;
    void *results; /* n_tasks * result_size bytes */
    /* `scratch` is the running worker's block (core/alloc.h): kept by the
     * executor from one task of that worker to the next, or NULL */
    void (*task)(void *ctx, size_t i, void *record, int threads, ctune__scratch *scratch);
    int (*done)(void *ctx, size_t i, const void *record); /* may be NULL */
    void *ctx;
    atomic_int *stop; /* never NULL */
    long n_jobs;      /* the caller's n_jobs (validated: non-zero, |n_jobs| <= 4096) */
    /* The caller's completion state (tasks counted by done, CTUNE_JOB_* flags),
     * read on the process that called done and copied to the others by a
     * distributed executor. May be NULL. */
    void (*get_outcome)(void *ctx, size_t *n_done, int *flags);
    void (*set_outcome)(void *ctx, size_t n_done, int flags);
};

/* Workers for n_jobs (scikit-learn/joblib semantics: k > 0 = k workers;
 * -1 = all cores; -k = all cores but k - 1; at least 1, at most 4096). */
int ctune__jobs_workers(long n_jobs);

/* The built-in executors, instances of the public ctune_executor_vtable
 * (their `self` is unused: pass NULL). The serial one runs every task on
 * the calling thread in index order with all cores as each task's thread
 * budget; the thread pool runs them on ctune__jobs_workers(n_jobs) workers
 * (pool.c), one thread of budget each, while the calling thread dispatches
 * tasks and calls done. */
extern const ctune_executor_vtable ctune__serial_executor;
extern const ctune_executor_vtable ctune__thread_executor;

/* The executor for n_jobs: serial when it means one worker, else the
 * thread pool. */
const ctune_executor_vtable *ctune__executor_for_jobs(long n_jobs);

/* Checks a custom executor vtable (NULL is fine). */
ctune_status ctune__executor_vtable_check(const ctune_executor_vtable *vt);

#endif
