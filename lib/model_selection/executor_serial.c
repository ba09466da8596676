/* The serial executor: every task on the calling thread, in index order. */
#include "core/alloc.h"
#include "model_selection/executor.h"

static ctune_status serial_run(const ctune__executor *ex, ctune__exec_job *job)
{
    for (size_t i = 0; i < job->n_tasks; i++) {
        if (atomic_load(job->stop))
            break;
        void *rec = (char *)job->results + i * job->result_size;
        job->task(job->ctx, i, rec, ex->task_threads);
        if (job->done && job->done(job->ctx, i, rec))
            atomic_store(job->stop, 1);
    }
    return CTUNE_OK;
}

static void executor_free(ctune__executor *ex) { ctune__free(ex); }

ctune_status ctune__executor_serial_new(ctune__executor **out, int task_threads)
{
    ctune__executor *ex = ctune__calloc(1, sizeof *ex);
    if (!ex)
        return CTUNE_ENOMEM;
    ex->name = "serial";
    ex->width = 1;
    ex->task_threads = task_threads > 0 ? task_threads : 1;
    ex->run = serial_run;
    ex->destroy = executor_free;
    *out = ex;
    return CTUNE_OK;
}

ctune_status ctune__executor_for_jobs(ctune__executor **out, long n_jobs)
{
    *out = NULL;
    int cores = ctune__n_cores();
    if (n_jobs == 0)
        return ctune_set_error(CTUNE_EINVAL,
                               "n_jobs must be non-zero (1 = serial, -1 = all cores)");
    long w = n_jobs > 0 ? n_jobs : (long)cores + 1 + n_jobs;
    if (w < 1)
        w = 1;
    if (w > 4096)
        w = 4096;
    if (w == 1)
        return ctune__executor_serial_new(out, cores);
    return ctune__executor_pthread_new(out, (int)w, 1);
}
