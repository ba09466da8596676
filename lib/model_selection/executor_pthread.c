/* The thread pool executor: ctune__jobs_workers(n_jobs) workers of the
 * worker pool (pool.c) run the tasks with a thread budget of one each; the
 * calling thread hands out task indices in order, calls done for each
 * finished task (so done is never concurrent) and stops handing out once a
 * stop is asked. Each worker keeps a scratch block across its tasks (freed
 * after the join). If no thread can be created, the calling thread runs the
 * tasks itself. */
#include "core/alloc.h"
#include "model_selection/executor.h"
#include "model_selection/pool.h"

static void *record_at(ctune_job *job, size_t i)
{
    return (char *)job->results + i * job->result_size;
}

static void run_one(void *ctx, size_t i, int threads, void *local)
{
    ctune_job *job = ctx;
    job->task(job->ctx, i, record_at(job, i), threads, local);
}

static int finish(ctune_job *job, size_t i)
{
    return job->done && job->done(job->ctx, i, record_at(job, i));
}

static ctune_status run_here(ctune_job *job)
{
    ctune__scratch scratch = {0};
    for (size_t i = 0; i < job->n_tasks && !atomic_load(job->stop); i++) {
        run_one(job, i, 1, &scratch);
        if (finish(job, i))
            atomic_store(job->stop, 1);
    }
    ctune__scratch_free(&scratch);
    return CTUNE_OK;
}

static ctune_status threads_run(void *self, ctune_job *job)
{
    (void)self;
    size_t want = (size_t)ctune__jobs_workers(job->n_jobs);
    if (want > job->n_tasks)
        want = job->n_tasks;
    if (want == 0)
        return CTUNE_OK;
    ctune__pool_slot *slots = CTUNE_NEW_ARRAY(ctune__pool_slot, want);
    size_t *finished = CTUNE_NEW_ARRAY(size_t, want);
    /* each worker's block, kept across its tasks, freed after the join */
    ctune__scratch *scratch = ctune__calloc(want, sizeof *scratch);
    for (size_t w = 0; slots && scratch && w < want; w++)
        slots[w].local = &scratch[w];
    ctune__pool pool;
    int n = slots && finished && scratch
                ? ctune__pool_start(&pool, slots, (int)want, 1, run_one, job)
                : 0;
    if (n == 0) {
        ctune__free(slots);
        ctune__free(finished);
        ctune__free(scratch);
        return run_here(job);
    }
    size_t next = 0;
    for (;;) {
        int running = 0;
        size_t got = ctune__pool_collect(&pool, finished, (size_t)n, &running, NULL);
        for (size_t k = 0; k < got; k++)
            if (finish(job, finished[k]))
                atomic_store(job->stop, 1);
        while (!atomic_load(job->stop) && next < job->n_tasks && ctune__pool_submit(&pool, next)) {
            next++;
            running++;
        }
        if (running == 0)
            break;
        ctune__pool_wait(&pool, -1);
    }
    ctune__pool_stop(&pool);
    for (size_t w = 0; w < want; w++)
        ctune__scratch_free(&scratch[w]);
    ctune__free(scratch);
    ctune__free(slots);
    ctune__free(finished);
    return CTUNE_OK;
}

const ctune_executor_vtable ctune__thread_executor = {
    .version = CTUNE_EXECUTOR_VTABLE_VERSION,
    .name = "threads",
    .run = threads_run,
    .refit_here = NULL,
};
