/* The serial executor: every task on the calling thread, in index order,
 * with all cores as its thread budget and one scratch block for all. */
#include "model_selection/executor.h"

static ctune_status serial_run(void *self, ctune_job *job)
{
    (void)self;
    int threads = ctune__n_cores();
    ctune__scratch scratch = {0}; /* the one worker's block, kept across its tasks */
    for (size_t i = 0; i < job->n_tasks; i++) {
        if (atomic_load(job->stop))
            break;
        void *rec = (char *)job->results + i * job->result_size;
        job->task(job->ctx, i, rec, threads, &scratch);
        if (job->done && job->done(job->ctx, i, rec))
            atomic_store(job->stop, 1);
    }
    ctune__scratch_free(&scratch);
    return CTUNE_OK;
}

const ctune_executor_vtable ctune__serial_executor = {
    .version = CTUNE_EXECUTOR_VTABLE_VERSION,
    .name = "serial",
    .run = serial_run,
    .refit_here = NULL,
};
