/* Ranks > 0 of the MPI executor: workers fed by rank 0. Each turn a peer
 * starts queued tasks on idle workers, reports finished records (each
 * report carries the next request), asks for tasks so that one runs and,
 * while many are left, one waits per worker, retires once nothing is left
 * to do, and reads rank 0's answers until FINISH brings every record. */
#include "mpi_session.h"

#include <string.h>

typedef struct {
    ctune__mpi_run *r;
    /* tasks assigned by rank 0 and not started yet: one per worker is asked
     * for ahead, so a worker never waits for a round trip to rank 0 */
    size_t *queue;
    size_t q_head, q_len, q_cap;
    size_t *report;  /* finished tasks of this turn */
    int outstanding; /* requests not answered yet */
    int exhausted;   /* rank 0 has no task left */
    int ahead;       /* rank 0 still hands out tasks to queue ahead */
    int retired_sent, finished;
} peer;

/* Collects finished tasks into s->report (returns how many) and starts
 * queued tasks on idle workers. */
static size_t local_turn(peer *s, int *running, int *idle)
{
    ctune__pool *p = &s->r->pool;
    size_t n = ctune__pool_collect(p, s->report, (size_t)p->n, running, idle);
    while (s->q_len && !ctune_job_stopped(s->r->job) &&
           ctune__pool_submit(p, s->queue[s->q_head])) {
        s->q_head = (s->q_head + 1) % s->q_cap;
        s->q_len--;
        ++*running;
        --*idle;
    }
    return n;
}

/* REQ messages: each finished record, and requests until the supply of
 * tasks (running, queued, asked for) meets the demand. */
static ctune_status send_requests(peer *s, size_t n_report, int running, int *busy)
{
    ctune__mpi_run *r = s->r;
    int workers = r->pool.n;
    int supply = running + (int)s->q_len + s->outstanding;
    int demand = s->ahead ? 2 * workers : workers;
    int asking = !s->exhausted && !ctune_job_stopped(r->job);
    for (size_t k = 0; k < n_report || (asking && supply < demand); k++) {
        int want = 0;
        if (asking && supply < demand) {
            want = supply < workers ? WANT_NOW : WANT_AHEAD;
            supply++;
            s->outstanding++;
        }
        int64_t t = k < n_report ? (int64_t)s->report[k] : -1;
        hdr h = {0, t, want, 0};
        ctune_status rc = ctune__mpi_post(r->m, &r->q, 0, TAG_REQ, &h,
                                          t >= 0 ? ctune_job_record(r->job, (size_t)t) : NULL,
                                          t >= 0 ? r->rec_size : 0);
        if (rc != CTUNE_OK)
            return ctune__mpi_fail(r, rc);
        *busy = 1;
    }
    return CTUNE_OK;
}

/* RETIRED once nothing runs, is queued or asked for, and no task is left
 * (or a stop was asked: tasks assigned but not started stay "not run"). */
static ctune_status retire(peer *s, int running)
{
    ctune__mpi_run *r = s->r;
    if (ctune_job_stopped(r->job))
        s->q_len = 0;
    if (s->retired_sent || s->outstanding || s->q_len || running ||
        !(s->exhausted || ctune_job_stopped(r->job)))
        return CTUNE_OK;
    hdr h = {0, 0, 0, 0};
    ctune_status rc = ctune__mpi_post(r->m, &r->q, 0, TAG_RETIRED, &h, NULL, 0);
    if (rc != CTUNE_OK)
        return ctune__mpi_fail(r, rc);
    s->retired_sent = 1;
    return CTUNE_OK;
}

/* One message from rank 0 (ASSIGN, STOP or FINISH). */
static ctune_status on_message(peer *s)
{
    ctune__mpi_run *r = s->r;
    if (r->in.source != 0)
        return ctune__mpi_protocol_error(r, "message");
    if (r->in.tag == TAG_ASSIGN && s->outstanding > 0) {
        int64_t t = r->in.h.b;
        s->outstanding--;
        if (t >= (int64_t)r->n_tasks)
            return ctune__mpi_protocol_error(r, "assignment");
        if (t == NOT_AHEAD) {
            s->ahead = 0;
        } else if (t < 0) {
            s->exhausted = 1;
        } else if (!ctune_job_stopped(r->job) && s->q_len < s->q_cap) {
            s->queue[(s->q_head + s->q_len) % s->q_cap] = (size_t)t;
            s->q_len++;
        }
    } else if (r->in.tag == TAG_STOP) {
        ctune_job_stop(r->job);
    } else if (r->in.tag == TAG_FINISH && s->retired_sent) {
        if (r->in.n != r->n_tasks * r->rec_size)
            return ctune__mpi_protocol_error(r, "results");
        memcpy(ctune_job_record(r->job, 0), r->in.payload, r->in.n);
        ctune_job_set_outcome(r->job, (size_t)r->in.h.a, (int)r->in.h.b);
        s->finished = 1;
    } else {
        return ctune__mpi_protocol_error(r, "message");
    }
    return CTUNE_OK;
}

/* Handles the messages waiting, up to FINISH; sets *busy when there was one. */
static ctune_status read_messages(peer *s, int *busy)
{
    ctune__mpi_run *r = s->r;
    while (!s->finished) {
        int g = ctune__mpi_receive(r->m, &r->in);
        if (g < 0)
            return ctune__mpi_fail(r, g);
        if (g == 0)
            break;
        *busy = 1;
        if (ctune__mpi_common_message(r)) {
            if (r->fail)
                return r->fail;
            continue;
        }
        ctune_status rc = on_message(s);
        if (rc != CTUNE_OK)
            return rc;
    }
    return CTUNE_OK;
}

ctune_status ctune__mpi_peer_loop(ctune__mpi_run *r)
{
    size_t workers = (size_t)r->pool.n;
    peer s;
    memset(&s, 0, sizeof s);
    s.r = r;
    s.ahead = 1;
    s.q_cap = workers * 2;
    s.queue = ctune__mpi_alloc(s.q_cap * sizeof *s.queue);
    s.report = ctune__mpi_alloc(workers * sizeof *s.report);
    if (!s.queue || !s.report) {
        ctune__mpi_free(s.queue);
        ctune__mpi_free(s.report);
        return ctune__mpi_fail(r, CTUNE_ENOMEM);
    }
    ctune_status rc = CTUNE_OK;
    while (rc == CTUNE_OK) {
        r->now = ctune__mpi_wtime();
        int busy = 0, running = 0, idle = 0;
        size_t n_report = local_turn(&s, &running, &idle);
        rc = send_requests(&s, n_report, running, &busy);
        if (rc == CTUNE_OK)
            rc = retire(&s, running);
        if (rc == CTUNE_OK)
            rc = read_messages(&s, &busy);
        if (rc != CTUNE_OK || s.finished)
            break;
        if (s.q_len && idle && !ctune_job_stopped(r->job))
            continue; /* hand the new tasks to idle workers now */
        rc = ctune__mpi_end_turn(r, busy);
    }
    ctune__mpi_free(s.queue);
    ctune__mpi_free(s.report);
    if (rc == CTUNE_OK)
        ctune__mpi_drain(r, r->m->timeout > 0 ? r->m->timeout : 60);
    return rc;
}
