/* The pthread executor: a pool of workers (the calling thread is one of
 * them) taking task indices from a shared counter. Completion callbacks are
 * serialized by a mutex. If a thread cannot be created, the pool runs with
 * the workers it has (the calling thread always works). */
#include <pthread.h>

#include "core/alloc.h"
#include "model_selection/executor.h"

typedef struct {
    const ctune__executor *ex;
    ctune__exec_job *job;
    atomic_size_t next;
    pthread_mutex_t lock;
} pool_run;

static void *worker(void *arg)
{
    pool_run *pr = arg;
    ctune__exec_job *job = pr->job;
    for (;;) {
        if (atomic_load(job->stop))
            break;
        size_t i = atomic_fetch_add(&pr->next, 1);
        if (i >= job->n_tasks)
            break;
        void *rec = (char *)job->results + i * job->result_size;
        job->task(job->ctx, i, rec, pr->ex->task_threads);
        if (job->done) {
            pthread_mutex_lock(&pr->lock);
            if (job->done(job->ctx, i, rec))
                atomic_store(job->stop, 1);
            pthread_mutex_unlock(&pr->lock);
        }
    }
    return NULL;
}

static ctune_status pool_execute(const ctune__executor *ex, ctune__exec_job *job)
{
    pool_run pr;
    pr.ex = ex;
    pr.job = job;
    atomic_init(&pr.next, 0);
    if (pthread_mutex_init(&pr.lock, NULL) != 0)
        return ctune_set_error(CTUNE_EINTERNAL, "pthread executor: cannot create a mutex");
    size_t want = (size_t)ex->width;
    if (want > job->n_tasks)
        want = job->n_tasks;
    pthread_t *tids = want > 1 ? CTUNE_NEW_ARRAY(pthread_t, want - 1) : NULL;
    size_t started = 0;
    if (tids)
        for (; started < want - 1; started++)
            if (pthread_create(&tids[started], NULL, worker, &pr) != 0)
                break; /* run with the workers we have */
    worker(&pr);
    for (size_t i = 0; i < started; i++)
        pthread_join(tids[i], NULL);
    ctune__free(tids);
    pthread_mutex_destroy(&pr.lock);
    return CTUNE_OK;
}

static void executor_free(ctune__executor *ex) { ctune__free(ex); }

ctune_status ctune__executor_pthread_new(ctune__executor **out, int workers, int task_threads)
{
    ctune__executor *ex = ctune__calloc(1, sizeof *ex);
    if (!ex)
        return CTUNE_ENOMEM;
    ex->name = "pthread";
    ex->width = workers > 0 ? workers : 1;
    ex->task_threads = task_threads > 0 ? task_threads : 1;
    ex->run = pool_execute;
    ex->destroy = executor_free;
    *out = ex;
    return CTUNE_OK;
}
