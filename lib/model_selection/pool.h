/* The worker pool: the one thread pool of the executors.
 *
 * A pool is a set of worker threads, one per slot, fed by a dispatching
 * thread (the one that calls these functions): it hands a task index to an
 * idle slot, the slot's worker runs run(ctx, task, threads, local) (local:
 * the slot's own state, which the caller set) and marks it
 * finished, the dispatcher collects finished tasks and hands out more.
 * The thread pool executor (executor_pthread.c) and the MPI executor of
 * libctune_mpi (lib/mpi/mpi_exec.c) both drive their workers with it.
 *
 * The module allocates nothing and reports nothing: the caller gives the
 * slot storage and turns a failure into its own message, so the same code
 * serves libctune and libctune_mpi (which links its own copy of pool.c and
 * cannot reach libctune's internal allocator). Workers are started by
 * ctune__pool_start() and joined by ctune__pool_stop(); no thread outlives
 * the pool. */
#ifndef CTUNE_MODEL_SELECTION_POOL_H
#define CTUNE_MODEL_SELECTION_POOL_H

#include <pthread.h>
#include <stddef.h>

enum { CTUNE__SLOT_IDLE, CTUNE__SLOT_RUN, CTUNE__SLOT_DONE };

typedef struct ctune__pool ctune__pool;

typedef struct ctune__pool_slot {
    ctune__pool *pool;
    int state; /* CTUNE__SLOT_*, under the pool's mutex */
    size_t task;
    pthread_t tid;
    void *local; /* the caller's state of this worker, passed to run (the pool
                  * never touches it; set before ctune__pool_start) */
} ctune__pool_slot;

struct ctune__pool {
    pthread_mutex_t mu;
    pthread_cond_t work;     /* workers wait for a task */
    pthread_cond_t finished; /* the dispatcher waits for a finished task */
    int quit;
    int threads; /* thread budget of each task */
    void (*run)(void *ctx, size_t task, int threads, void *local);
    void *ctx;
    ctune__pool_slot *slots;
    int n; /* workers started */
};

/* Starts up to `want` workers on `slots` (caller storage of `want`
 * entries, kept until ctune__pool_stop()). Returns the number started,
 * which may be fewer than asked when a thread cannot be created; 0 means
 * nothing started (and nothing to stop). */
int ctune__pool_start(ctune__pool *p, ctune__pool_slot *slots, int want, int threads,
                      void (*run)(void *ctx, size_t task, int threads, void *local), void *ctx);

/* Hands `task` to an idle slot: 1 = handed out, 0 = no slot is idle. */
int ctune__pool_submit(ctune__pool *p, size_t task);

/* Moves up to `cap` finished tasks to `tasks` (their slots become idle) and
 * returns how many. With `running` non-NULL, *running receives the number
 * of tasks still running and *idle (when non-NULL) the idle slots. */
size_t ctune__pool_collect(ctune__pool *p, size_t *tasks, size_t cap, int *running, int *idle);

/* Waits until a task finishes or `ns` nanoseconds passed (ns < 0: no
 * limit, and no wait at all when no task runs); returns at once when a
 * finished task is waiting to be collected. */
void ctune__pool_wait(ctune__pool *p, long ns);

/* Waits for the running tasks to end, then stops and joins the workers. */
void ctune__pool_stop(ctune__pool *p);

#endif
