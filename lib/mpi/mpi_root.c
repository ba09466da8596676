/* Rank 0 of the MPI executor: the dispatcher, which also works. */
#include "mpi_session.h"

#include <string.h>

/* ---- rank 0: dispatcher + local workers ------------------------------------------------ */

ctune_status ctune__mpi_root_loop(ctune__mpi_run *r)
{
    ctune__mpi *m = r->m;
    ctune_job *job = r->job;
    ctune__pool *p = &r->pool;
    size_t next = 0;
    int stopped = 0, stop_sent = 0;
    int retired_peers = 0;
    int *peer_on = ctune__mpi_calloc((size_t)m->size, sizeof *peer_on);
    int *owner = ctune__mpi_calloc(r->n_tasks ? r->n_tasks : 1, sizeof *owner);
    if (!peer_on || !owner) {
        ctune__mpi_free(peer_on);
        ctune__mpi_free(owner);
        return ctune__mpi_fail(r, CTUNE_ENOMEM);
    }
    for (int k = 1; k < m->size; k++)
        peer_on[k] = 1;
    for (size_t t = 0; t < r->n_tasks; t++)
        owner[t] = -1;
    ctune_status rc = CTUNE_OK;
    for (;;) {
        r->now = ctune__mpi_wtime();
        int busy = 0;
        /* local workers */
        int local_active = 0;
        size_t got = ctune__pool_collect(p, r->finished, (size_t)p->n, &local_active, NULL);
        for (size_t k = 0; k < got; k++)
            if (ctune_job_task_done(job, r->finished[k]))
                stopped = 1;
        busy |= got > 0;
        while (!stopped && !ctune_job_stopped(job) && next < r->n_tasks &&
               ctune__pool_submit(p, next)) {
            owner[next++] = 0;
            local_active++;
        }
        /* messages */
        for (;;) {
            int g = ctune__mpi_receive(m, &r->in);
            if (g < 0) {
                rc = ctune__mpi_fail(r, g);
                break;
            }
            if (g == 0)
                break;
            busy = 1;
            if (ctune__mpi_common_message(r)) {
                rc = r->fail;
                if (rc)
                    break;
                continue;
            }
            int src = r->in.source;
            if (r->in.tag == TAG_REQ && peer_on[src]) {
                int64_t t = r->in.h.b, want = r->in.h.c;
                if (t >= 0) {
                    if ((size_t)t >= r->n_tasks || owner[t] != src ||
                        r->in.n != r->rec_size) {
                        rc = ctune__mpi_protocol_error(r, "task record");
                        break;
                    }
                    owner[t] = -2; /* reported */
                    memcpy(ctune_job_record(job, (size_t)t), r->in.payload, r->rec_size);
                    if (ctune_job_task_done(job, (size_t)t))
                        stopped = 1;
                }
                if (!want)
                    continue;
                int64_t give = NONE_LEFT;
                if (!stopped && !ctune_job_stopped(job) && next < r->n_tasks) {
                    /* near the end, queued tasks would wait behind running
                     * ones while other ranks idle: hand out only on demand */
                    if (want == WANT_AHEAD && r->n_tasks - next <= 2 * (size_t)m->size) {
                        give = NOT_AHEAD;
                    } else {
                        give = (int64_t)next++;
                        owner[give] = src;
                    }
                }
                hdr h = {0, give, 0, 0};
                if ((rc = ctune__mpi_post(m, &r->q, src, TAG_ASSIGN, &h, NULL, 0)) != CTUNE_OK) {
                    ctune__mpi_fail(r, rc);
                    break;
                }
            } else if (r->in.tag == TAG_RETIRED && peer_on[src]) {
                peer_on[src] = 0;
                retired_peers++;
            } else {
                rc = ctune__mpi_protocol_error(r, "message");
                break;
            }
        }
        if (rc != CTUNE_OK)
            break;
        if ((stopped || ctune_job_stopped(job)) && !stop_sent) {
            stop_sent = 1;
            ctune_job_stop(job);
            hdr h = {0, 0, 0, 0};
            for (int k = 1; k < m->size && rc == CTUNE_OK; k++)
                if (peer_on[k] && (rc = ctune__mpi_post(m, &r->q, k, TAG_STOP, &h, NULL, 0)) != CTUNE_OK)
                    ctune__mpi_fail(r, rc);
            if (rc != CTUNE_OK)
                break;
        }
        if (local_active == 0 && retired_peers == m->size - 1)
            break;
        if ((rc = ctune__mpi_end_turn(r, busy)) != CTUNE_OK)
            break;
    }
    ctune__mpi_free(peer_on);
    ctune__mpi_free(owner);
    if (rc != CTUNE_OK)
        return rc;
    /* FINISH: the outcome and every record to every rank */
    size_t n_done = 0;
    int flags = 0;
    ctune_job_outcome(job, &n_done, &flags);
    hdr h = {(int64_t)n_done, flags, 0, 0};
    for (int k = 1; k < m->size; k++)
        if ((rc = ctune__mpi_post(m, &r->q, k, TAG_FINISH, &h, ctune_job_record(job, 0),
                       r->n_tasks * r->rec_size)) != CTUNE_OK)
            return ctune__mpi_fail(r, rc);
    double t0 = ctune__mpi_wtime();
    while (r->q.n) {
        r->now = ctune__mpi_wtime();
        ctune__mpi_sends_progress(&r->q);
        if (!r->q.n)
            break;
        int g = ctune__mpi_receive(m, &r->in);
        if (g < 0)
            return ctune__mpi_fail(r, g);
        if (g == 1 && ctune__mpi_common_message(r) && r->fail)
            return r->fail;
        if (m->timeout > 0 && r->now - t0 > m->timeout)
            return ctune__mpi_failf(r, CTUNE_EIO, "mpi: the results could not be delivered to every rank "
                         "within %g s (timeout)", m->timeout);
        ctune__mpi_nap(POLL_FAST_NS);
    }
    return CTUNE_OK;
}

