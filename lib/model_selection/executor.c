/* Which built-in executor runs a job, and how many workers n_jobs means. */
#include "model_selection/executor.h"

int ctune__jobs_workers(long n_jobs)
{
    long w = n_jobs > 0 ? n_jobs : (long)ctune__n_cores() + 1 + n_jobs;
    if (w < 1)
        w = 1;
    if (w > 4096)
        w = 4096;
    return (int)w;
}

const ctune_executor_vtable *ctune__executor_for_jobs(long n_jobs)
{
    return ctune__jobs_workers(n_jobs) == 1 ? &ctune__serial_executor : &ctune__thread_executor;
}
