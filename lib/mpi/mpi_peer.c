/* Ranks > 0 of the MPI executor: workers fed by rank 0. */
#include "mpi_session.h"

#include <string.h>

/* ---- rank r > 0: workers fed by rank 0 ------------------------------------------------- */

ctune_status ctune__mpi_peer_loop(ctune__mpi_run *r)
{
    ctune__mpi *m = r->m;
    ctune_job *job = r->job;
    ctune__pool *p = &r->pool;
    /* tasks assigned by rank 0 and not started yet: one per worker is asked
     * for ahead, so a worker never waits for a round trip to rank 0 */
    size_t *queue = ctune__mpi_alloc((size_t)p->n * 2 * sizeof *queue);
    size_t *report = ctune__mpi_alloc((size_t)p->n * sizeof *report);
    if (!queue || !report) {
        ctune__mpi_free(queue);
        ctune__mpi_free(report);
        return ctune__mpi_fail(r, CTUNE_ENOMEM);
    }
    size_t q_head = 0, q_len = 0, q_cap = (size_t)p->n * 2;
    int outstanding = 0, exhausted = 0, retired_sent = 0, ahead = 1;
    ctune_status rc = CTUNE_OK;
    while (rc == CTUNE_OK) {
        r->now = ctune__mpi_wtime();
        int busy = 0, running = 0, idle = 0;
        size_t n_report = ctune__pool_collect(p, report, (size_t)p->n, &running, &idle);
        while (q_len && !ctune_job_stopped(job) && ctune__pool_submit(p, queue[q_head])) {
            q_head = (q_head + 1) % q_cap;
            q_len--;
            running++;
            idle--;
        }
        /* keep one task per worker running and, while many are left, one
         * queued behind it; finished records carry the next request */
        int supply = running + (int)q_len + outstanding;
        int demand = ahead ? 2 * p->n : p->n;
        int asking = !exhausted && !ctune_job_stopped(job);
        for (size_t k = 0; k < n_report || (asking && supply < demand); k++) {
            int want = 0;
            if (asking && supply < demand) {
                want = supply < p->n ? WANT_NOW : WANT_AHEAD;
                supply++;
                outstanding++;
            }
            int64_t t = k < n_report ? (int64_t)report[k] : -1;
            hdr h = {0, t, want, 0};
            rc = ctune__mpi_post(m, &r->q, 0, TAG_REQ, &h, t >= 0 ? ctune_job_record(job, (size_t)t) : NULL,
                      t >= 0 ? r->rec_size : 0);
            if (rc != CTUNE_OK)
                break;
            busy = 1;
        }
        if (rc != CTUNE_OK) {
            ctune__mpi_fail(r, rc);
            break;
        }
        if (ctune_job_stopped(job))
            q_len = 0; /* assigned but never started: they stay "not run" */
        if (!retired_sent && outstanding == 0 && q_len == 0 && running == 0 &&
            (exhausted || ctune_job_stopped(job))) {
            hdr h = {0, 0, 0, 0};
            if ((rc = ctune__mpi_post(m, &r->q, 0, TAG_RETIRED, &h, NULL, 0)) != CTUNE_OK) {
                ctune__mpi_fail(r, rc);
                break;
            }
            retired_sent = 1;
        }
        int finished = 0;
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
            if (r->in.source != 0) {
                rc = ctune__mpi_protocol_error(r, "message");
                break;
            }
            if (r->in.tag == TAG_ASSIGN && outstanding > 0) {
                int64_t t = r->in.h.b;
                outstanding--;
                if (t >= (int64_t)r->n_tasks) {
                    rc = ctune__mpi_protocol_error(r, "assignment");
                    break;
                }
                if (t == NOT_AHEAD) {
                    ahead = 0;
                } else if (t < 0) {
                    exhausted = 1;
                } else if (!ctune_job_stopped(job) && q_len < q_cap) {
                    queue[(q_head + q_len) % q_cap] = (size_t)t;
                    q_len++;
                }
            } else if (r->in.tag == TAG_STOP) {
                ctune_job_stop(job);
            } else if (r->in.tag == TAG_FINISH && retired_sent) {
                if (r->in.n != r->n_tasks * r->rec_size) {
                    rc = ctune__mpi_protocol_error(r, "results");
                    break;
                }
                memcpy(ctune_job_record(job, 0), r->in.payload, r->in.n);
                ctune_job_set_outcome(job, (size_t)r->in.h.a, (int)r->in.h.b);
                finished = 1;
                break;
            } else {
                rc = ctune__mpi_protocol_error(r, "message");
                break;
            }
        }
        if (rc != CTUNE_OK || finished)
            break;
        if (q_len && idle && !ctune_job_stopped(job))
            continue; /* hand the new tasks to idle workers now */
        if ((rc = ctune__mpi_end_turn(r, busy)) != CTUNE_OK)
            break;
    }
    ctune__mpi_free(queue);
    ctune__mpi_free(report);
    if (rc == CTUNE_OK)
        ctune__mpi_drain(r, m->timeout > 0 ? m->timeout : 60);
    return rc;
}

