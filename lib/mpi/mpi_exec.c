/* The MPI executor's vtable: a call on one rank sets up its worker pool
 * (model_selection/pool.c) with this rank's thread budget, runs the
 * handshake and the dispatch loop of its role, and reports the outcome.
 * See the protocol in mpi_exec.h. */
#define _GNU_SOURCE /* sched_getaffinity, CPU_COUNT */
#include "mpi_session.h"

#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* ---- local workers: the worker pool of libctune (model_selection/pool.c) ---- */

static void run_task(void *ctx, size_t task, int threads, void *local)
{
    (void)local; /* none: the public job API runs the task */
    ctune_job_run_task(ctx, task, threads);
}

/* ---- thread budget -------------------------------------------------------------------- */

static int cpus_usable(void)
{
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    int n = online >= 1 && online < 65536 ? (int)online : 1;
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0) {
        int a = CPU_COUNT(&set);
        if (a >= 1 && a < n)
            n = a;
    }
    return n;
}

/* Workers of this rank and the thread budget of each task, from n_jobs
 * and the ranks sharing this host. */
static void budget(long n_jobs, int local_ranks, size_t n_tasks, int *workers, int *threads)
{
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    int cores = online >= 1 && online < 65536 ? (int)online : 1;
    int share = cores / (local_ranks > 0 ? local_ranks : 1);
    int mine = cpus_usable();
    if (share < mine)
        mine = share;
    if (mine < 1)
        mine = 1;
    long w = n_jobs > 0 ? n_jobs : (long)mine + 1 + n_jobs;
    if (w < 1)
        w = 1;
    if (w > 256)
        w = 256;
    if ((size_t)w > n_tasks && n_tasks > 0)
        w = (long)n_tasks;
    *workers = (int)w;
    *threads = mine / (int)w >= 1 ? mine / (int)w : 1;
}

/* ---- the vtable ------------------------------------------------------------------------ */

static ctune_status mpi_run(void *self, ctune_job *job)
{
    ctune__mpi *m = self;
    m->entered = 1;
    ctune__mpi_run r;
    memset(&r, 0, sizeof r);
    r.m = m;
    r.job = job;
    r.n_tasks = ctune_job_n_tasks(job);
    r.rec_size = ctune_job_record_size(job);
    r.heard = ctune__mpi_calloc((size_t)m->size, sizeof *r.heard);
    if (!r.heard)
        return CTUNE_ENOMEM;
    r.now = r.last_beat = r.active = ctune__mpi_wtime();
    for (int k = 0; k < m->size; k++)
        r.heard[k] = r.now;

    int local_ranks = 1;
    ctune_status rc = m->rank == 0 ? ctune__mpi_root_handshake(&r, &local_ranks)
                                   : ctune__mpi_peer_handshake(&r, &local_ranks);
    if (rc == CTUNE_OK) {
        int workers, threads;
        budget(ctune_job_n_jobs(job), local_ranks, r.n_tasks, &workers, &threads);
        r.slots = ctune__mpi_calloc((size_t)workers, sizeof *r.slots);
        r.finished = r.slots ? ctune__mpi_calloc((size_t)workers, sizeof *r.finished) : NULL;
        if (!r.finished)
            rc = ctune__mpi_fail(&r, CTUNE_ENOMEM);
        else if (ctune__pool_start(&r.pool, r.slots, workers, threads, run_task, job) == 0)
            rc = ctune__mpi_failf(&r, CTUNE_EINTERNAL, "mpi: rank %d cannot start a worker thread",
                                  m->rank);
    }
    if (rc == CTUNE_OK)
        rc = m->rank == 0 ? ctune__mpi_root_loop(&r) : ctune__mpi_peer_loop(&r);
    if (rc != CTUNE_OK) {
        if (r.fail == CTUNE_OK)
            ctune__mpi_fail(&r, rc);
        ctune_job_stop(job); /* running fits may end early */
        ctune__mpi_broadcast_abort(&r);
    }
    ctune__pool_stop(&r.pool); /* waits for the tasks in flight */
    ctune__mpi_free(r.slots);
    ctune__mpi_free(r.finished);
    if (rc != CTUNE_OK)
        ctune__mpi_drain(&r, 1.0);
    ctune__mpi_sends_drop(&r.q);
    ctune__mpi_free(r.in.buf);
    ctune__mpi_free(r.heard);
    if (rc != CTUNE_OK)
        return ctune_set_error_str(r.fail, r.msg);
    return CTUNE_OK;
}

static int mpi_refit_here(void *self)
{
    const ctune__mpi *m = self;
    return m->refit_all || m->rank == 0;
}

const ctune_executor_vtable ctune__mpi_vtable = {
    .version = CTUNE_EXECUTOR_VTABLE_VERSION,
    .name = "mpi",
    .run = mpi_run,
    .refit_here = mpi_refit_here,
};

void ctune__mpi_notify_early_failure(ctune__mpi *m, ctune_status st, const char *msg)
{
    ctune__mpi_run r;
    memset(&r, 0, sizeof r);
    r.m = m;
    char text[MSGLEN];
    snprintf(text, sizeof text, "mpi: rank %d failed before running its tasks: %s", m->rank,
             msg && msg[0] ? msg : ctune_status_string(st));
    hdr h = {st, 0, 0, 0};
    for (int k = 0; k < m->size; k++)
        if (k != m->rank)
            ctune__mpi_post(m, &r.q, k, TAG_ABORT, &h, text, strlen(text));
    ctune__mpi_drain(&r, 1.0);
    ctune__mpi_sends_drop(&r.q);
}
