/* Rank 0 of the MPI executor: the dispatcher, which also works. Each turn
 * it collects its own workers' finished tasks and hands them new ones,
 * answers the peers' requests (storing the records they carry), sends STOP
 * once a stop is asked, and ends when its workers are idle and every peer
 * retired; then every rank gets the outcome and all records (FINISH). */
#include "mpi_session.h"

#include <string.h>

typedef struct {
    ctune__mpi_run *r;
    size_t next; /* next task to hand out */
    int stopped, stop_sent, retired_peers;
    int *peer_on; /* per rank: still asking for tasks */
    int *owner;   /* per task: -1 not handed out, rank running it, -2 reported */
} root;

static int can_give(const root *s)
{
    return !s->stopped && !ctune_job_stopped(s->r->job) && s->next < s->r->n_tasks;
}

/* Collects this rank's finished tasks and keeps its workers busy; returns
 * 1 when something happened. *active: tasks still running here. */
static int local_turn(root *s, int *active)
{
    ctune__mpi_run *r = s->r;
    ctune__pool *p = &r->pool;
    size_t got = ctune__pool_collect(p, r->finished, (size_t)p->n, active, NULL);
    for (size_t k = 0; k < got; k++)
        if (ctune_job_task_done(r->job, r->finished[k]))
            s->stopped = 1;
    while (can_give(s) && ctune__pool_submit(p, s->next)) {
        s->owner[s->next++] = 0;
        ++*active;
    }
    return got > 0;
}

/* REQ(slot, task, record): stores a finished record, then answers with a
 * task when one is wanted. */
static ctune_status on_request(root *s, int src)
{
    ctune__mpi_run *r = s->r;
    int64_t t = r->in.h.b, want = r->in.h.c;
    if (t >= 0) {
        if ((size_t)t >= r->n_tasks || s->owner[t] != src || r->in.n != r->rec_size)
            return ctune__mpi_protocol_error(r, "task record");
        s->owner[t] = -2;
        memcpy(ctune_job_record(r->job, (size_t)t), r->in.payload, r->rec_size);
        if (ctune_job_task_done(r->job, (size_t)t))
            s->stopped = 1;
    }
    if (!want)
        return CTUNE_OK;
    int64_t give = NONE_LEFT;
    if (can_give(s)) {
        /* near the end, queued tasks would wait behind running ones while
         * other ranks idle: hand out only on demand */
        if (want == WANT_AHEAD && r->n_tasks - s->next <= 2 * (size_t)r->m->size) {
            give = NOT_AHEAD;
        } else {
            give = (int64_t)s->next++;
            s->owner[give] = src;
        }
    }
    hdr h = {0, give, 0, 0};
    ctune_status rc = ctune__mpi_post(r->m, &r->q, src, TAG_ASSIGN, &h, NULL, 0);
    return rc == CTUNE_OK ? CTUNE_OK : ctune__mpi_fail(r, rc);
}

/* Handles every message waiting; sets *busy when there was one. */
static ctune_status read_messages(root *s, int *busy)
{
    ctune__mpi_run *r = s->r;
    for (;;) {
        int g = ctune__mpi_receive(r->m, &r->in);
        if (g < 0)
            return ctune__mpi_fail(r, g);
        if (g == 0)
            return CTUNE_OK;
        *busy = 1;
        if (ctune__mpi_common_message(r)) {
            if (r->fail)
                return r->fail;
            continue;
        }
        int src = r->in.source;
        ctune_status rc;
        if (r->in.tag == TAG_REQ && s->peer_on[src]) {
            rc = on_request(s, src);
        } else if (r->in.tag == TAG_RETIRED && s->peer_on[src]) {
            s->peer_on[src] = 0;
            s->retired_peers++;
            rc = CTUNE_OK;
        } else {
            rc = ctune__mpi_protocol_error(r, "message");
        }
        if (rc != CTUNE_OK)
            return rc;
    }
}

/* Once a stop is asked: STOP to the peers still working. */
static ctune_status send_stop(root *s)
{
    ctune__mpi_run *r = s->r;
    if (s->stop_sent || !(s->stopped || ctune_job_stopped(r->job)))
        return CTUNE_OK;
    s->stop_sent = 1;
    ctune_job_stop(r->job);
    hdr h = {0, 0, 0, 0};
    for (int k = 1; k < r->m->size; k++) {
        ctune_status rc = s->peer_on[k] ? ctune__mpi_post(r->m, &r->q, k, TAG_STOP, &h, NULL, 0)
                                        : CTUNE_OK;
        if (rc != CTUNE_OK)
            return ctune__mpi_fail(r, rc);
    }
    return CTUNE_OK;
}

/* FINISH: the outcome and every record to every rank, delivered within
 * the timeout. */
static ctune_status finish(ctune__mpi_run *r)
{
    ctune__mpi *m = r->m;
    size_t n_done = 0;
    int flags = 0;
    ctune_job_outcome(&n_done, &flags, r->job);
    hdr h = {(int64_t)n_done, flags, 0, 0};
    for (int k = 1; k < m->size; k++) {
        ctune_status rc = ctune__mpi_post(m, &r->q, k, TAG_FINISH, &h, ctune_job_record(r->job, 0),
                                          r->n_tasks * r->rec_size);
        if (rc != CTUNE_OK)
            return ctune__mpi_fail(r, rc);
    }
    double t0 = ctune__mpi_wtime();
    while (r->q.n) {
        r->now = ctune__mpi_wtime();
        ctune__mpi_sends_progress(&r->q);
        if (!r->q.n)
            break;
        /* Nothing is received here: a peer that has its results may already
         * say hello for the search's next job (successive halving runs
         * several), which the next handshake must read. Its heartbeats wait
         * for that handshake too. */
        if (m->timeout > 0 && r->now - t0 > m->timeout)
            return ctune__mpi_failf(r, CTUNE_EIO,
                                    "mpi: the results could not be delivered to "
                                    "every rank within %g s (timeout)",
                                    m->timeout);
        ctune__mpi_nap(POLL_FAST_NS);
    }
    return CTUNE_OK;
}

ctune_status ctune__mpi_root_loop(ctune__mpi_run *r)
{
    ctune__mpi *m = r->m;
    root s = {r, 0, 0, 0, 0, NULL, NULL};
    s.peer_on = ctune__mpi_calloc((size_t)m->size, sizeof *s.peer_on);
    s.owner = ctune__mpi_calloc(r->n_tasks ? r->n_tasks : 1, sizeof *s.owner);
    if (!s.peer_on || !s.owner) {
        ctune__mpi_free(s.peer_on);
        ctune__mpi_free(s.owner);
        return ctune__mpi_fail(r, CTUNE_ENOMEM);
    }
    for (int k = 1; k < m->size; k++)
        s.peer_on[k] = 1;
    for (size_t t = 0; t < r->n_tasks; t++)
        s.owner[t] = -1;
    ctune_status rc = CTUNE_OK;
    while (rc == CTUNE_OK) {
        r->now = ctune__mpi_wtime();
        int active = 0;
        int busy = local_turn(&s, &active);
        rc = read_messages(&s, &busy);
        if (rc == CTUNE_OK)
            rc = send_stop(&s);
        if (rc != CTUNE_OK || (active == 0 && s.retired_peers == m->size - 1))
            break;
        rc = ctune__mpi_end_turn(r, busy);
    }
    ctune__mpi_free(s.peer_on);
    ctune__mpi_free(s.owner);
    return rc == CTUNE_OK ? finish(r) : rc;
}
