/* The public face of the executor interface: the ctune_job accessors every
 * executor may use (libctune_mpi and users' executors must) and the check
 * of a caller's vtable. */
#include "core/error.h"
#include "model_selection/executor.h"

size_t ctune_job_n_tasks(const ctune_job *job) { return job ? job->n_tasks : 0; }

size_t ctune_job_record_size(const ctune_job *job) { return job ? job->result_size : 0; }

void *ctune_job_record(ctune_job *job, size_t i)
{
    if (!job || i >= job->n_tasks)
        return NULL;
    return (char *)job->results + i * job->result_size;
}

long ctune_job_n_jobs(const ctune_job *job) { return job ? job->n_jobs : 1; }

ctune_status ctune_job_run_task(ctune_job *job, size_t i, int threads)
{
    CTUNE_CHECK_NULL(job, "job");
    if (i >= job->n_tasks)
        return ctune_set_error(CTUNE_EINVAL,
                               "ctune_job_run_task: task %zu is out of range "
                               "(%zu tasks)",
                               i, job->n_tasks);
    job->task(job->ctx, i, ctune_job_record(job, i), threads > 0 ? threads : 1, NULL);
    return CTUNE_OK;
}

int ctune_job_task_done(ctune_job *job, size_t i)
{
    if (!job || i >= job->n_tasks)
        return 1;
    if (job->done && job->done(job->ctx, i, ctune_job_record(job, i))) {
        atomic_store(job->stop, 1);
        return 1;
    }
    return 0;
}

int ctune_job_stopped(const ctune_job *job) { return job && atomic_load(job->stop) ? 1 : 0; }

void ctune_job_stop(ctune_job *job)
{
    if (job)
        atomic_store(job->stop, 1);
}

ctune_status ctune_job_outcome(size_t *n_done, int *flags, const ctune_job *job)
{
    CTUNE_CHECK_NULL(job, "job");
    CTUNE_CHECK_NULL(n_done, "n_done");
    CTUNE_CHECK_NULL(flags, "flags");
    *n_done = 0;
    *flags = 0;
    if (job->get_outcome)
        job->get_outcome(job->ctx, n_done, flags);
    return CTUNE_OK;
}

ctune_status ctune_job_set_outcome(ctune_job *job, size_t n_done, int flags)
{
    CTUNE_CHECK_NULL(job, "job");
    if (n_done > job->n_tasks)
        return ctune_set_error(CTUNE_EINVAL, "ctune_job_set_outcome: %zu tasks done of %zu", n_done,
                               job->n_tasks);
    if (flags & ~(CTUNE_JOB_CANCELLED | CTUNE_JOB_FAILED | CTUNE_JOB_TIMEOUT))
        return ctune_set_error(CTUNE_EINVAL, "ctune_job_set_outcome: unknown flags 0x%x", flags);
    if (job->set_outcome)
        job->set_outcome(job->ctx, n_done, flags);
    return CTUNE_OK;
}

ctune_status ctune__executor_vtable_check(const ctune_executor_vtable *vt)
{
    if (!vt)
        return CTUNE_OK;
    if (vt->version != CTUNE_EXECUTOR_VTABLE_VERSION)
        return ctune_set_error(CTUNE_EINVAL, "executor vtable '%s': version %d, expected %d",
                               vt->name ? vt->name : "?", vt->version,
                               CTUNE_EXECUTOR_VTABLE_VERSION);
    if (!vt->run)
        return ctune_set_error(CTUNE_EINVAL, "executor vtable '%s': run is NULL",
                               vt->name ? vt->name : "?");
    return CTUNE_OK;
}
