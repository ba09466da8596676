/* The executor: runs the tasks of a search (one per candidate × split).
 *
 * The search builds a job — n_tasks, a task function, a fixed-size result
 * record per task — and hands it to an executor. The executor decides where
 * tasks run (the calling thread, a pthread pool, later MPI ranks) and
 * guarantees that when run() returns, the record of every task that ran is
 * present in job->results on the calling process. The search reduces the
 * records by task index, so results never depend on who ran what.
 *
 * Contract for implementations:
 *  - task(ctx, i, record, threads) is called at most once per i in
 *    [0, n_tasks); it writes only `record` (result_size bytes at
 *    results + i * result_size, plain data without pointers, so that a
 *    distributed executor can ship it as bytes). `threads` is the thread
 *    budget of that task (ctune_fit_ctx.threads).
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
 *  - A custom executor (ctune_executor_vtable, include/ctune.h) gets the
 *    same job as a ctune_job; a distributed one calls done on one process
 *    and copies the outcome (get_outcome/set_outcome) to the others.
 */
#ifndef CTUNE_MODEL_SELECTION_EXECUTOR_H
#define CTUNE_MODEL_SELECTION_EXECUTOR_H

#include <stdatomic.h>
#include <stddef.h>

#include "ctune.h"
#include "core/ncores.h"

/* The job is the public ctune_job (include/ctune.h, EXECUTORS): custom
 * executors (e.g. libctune_mpi) drive it through the ctune_job_* accessors. */
typedef struct ctune_job {
    size_t n_tasks;
    size_t result_size;
    void *results; /* n_tasks * result_size bytes */
    void (*task)(void *ctx, size_t i, void *record, int threads);
    int (*done)(void *ctx, size_t i, const void *record); /* may be NULL */
    void *ctx;
    atomic_int *stop; /* never NULL */
    long n_jobs;      /* the caller's n_jobs option (custom executors size pools by it) */
    /* The caller's completion state (tasks counted by done, CTUNE_JOB_* flags),
     * read on the process that called done and copied to the others by a
     * distributed executor. May be NULL. */
    void (*get_outcome)(void *ctx, size_t *n_done, int *flags);
    void (*set_outcome)(void *ctx, size_t n_done, int flags);
} ctune__exec_job;

typedef struct ctune__executor ctune__executor;

struct ctune__executor {
    const char *name;
    /* Number of tasks it runs at once (for the thread budget and docs). */
    int width;
    /* Thread budget it gives each task. */
    int task_threads;
    ctune_status (*run)(const ctune__executor *ex, ctune__exec_job *job);
    void (*destroy)(ctune__executor *ex);
    void *state;
};

/* The executor for n_jobs (scikit-learn/joblib semantics: 1 = serial on
 * the calling thread; k > 1 = a pool of k threads; -1 = all cores; -k = all
 * cores but k - 1). The thread budget per task is 1 when the pool has more
 * than one worker, else all cores. Errors: CTUNE_EINVAL for n_jobs 0,
 * CTUNE_ENOMEM. Free with ex->destroy(ex). */
ctune_status ctune__executor_for_jobs(ctune__executor **out, long n_jobs);

/* The implementations. */
ctune_status ctune__executor_serial_new(ctune__executor **out, int task_threads);
ctune_status ctune__executor_pthread_new(ctune__executor **out, int workers, int task_threads);

#endif
