/* One call of the MPI executor on one rank: see mpi_session.h. */
#include "mpi_session.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void ctune__mpi_nap(long ns)
{
    struct timespec ts = {0, ns};
    nanosleep(&ts, NULL);
}

double ctune__mpi_wtime(void) { return MPI_Wtime(); }

long ctune__mpi_nap_ns(const ctune__mpi_run *r)
{
    return r->now - r->active < FAST_WINDOW ? POLL_FAST_NS : POLL_SLOW_NS;
}

/* Records the first failure (keeps the current ctune error message). */
ctune_status ctune__mpi_fail(ctune__mpi_run *r, ctune_status st)
{
    if (r->fail == CTUNE_OK) {
        r->fail = st;
        snprintf(r->msg, sizeof r->msg, "%s", ctune_last_error());
    }
    return st;
}

/* Heartbeats (rank 0 to every rank, the others to rank 0) and the
 * timeout check on the same peers. */
ctune_status ctune__mpi_keepalive(ctune__mpi_run *r)
{
    ctune__mpi *m = r->m;
    if (m->timeout <= 0)
        return CTUNE_OK;
    double period = m->timeout / 4 < 1.0 ? m->timeout / 4 : 1.0;
    int beat = r->now - r->last_beat >= period;
    if (beat)
        r->last_beat = r->now;
    for (int k = 0; k < m->size; k++) {
        if (k == m->rank || (m->rank != 0 && k != 0))
            continue;
        if (beat) {
            hdr h = {0, 0, 0, 0};
            ctune_status rc = ctune__mpi_post(m, &r->q, k, TAG_BEAT, &h, NULL, 0);
            if (rc != CTUNE_OK)
                return ctune__mpi_fail(r, rc);
        }
        if (r->now - r->heard[k] > m->timeout)
            return ctune__mpi_failf(r, CTUNE_EIO,
                                    "mpi: no message from rank %d for %.0f s (timeout=%g): "
                                    "the rank died, was stopped or hangs, or runs another function",
                                    k, r->now - r->heard[k], m->timeout);
    }
    return CTUNE_OK;
}

/* The end of a turn of the root's or a peer's loop: queued sends progress,
 * heartbeats go out (CTUNE_EIO when a rank is gone), and when this turn did
 * nothing, a nap until a local task finishes or a message may have come. */
ctune_status ctune__mpi_end_turn(ctune__mpi_run *r, int busy)
{
    ctune__mpi_sends_progress(&r->q);
    ctune_status rc = ctune__mpi_keepalive(r);
    if (rc != CTUNE_OK)
        return rc;
    if (busy) {
        r->active = r->now;
        return CTUNE_OK;
    }
    ctune__pool_wait(&r->pool, ctune__mpi_nap_ns(r));
    return CTUNE_OK;
}

/* Handles a message every state accepts (BEAT, ABORT); returns 1 when it
 * was one of those. */
int ctune__mpi_common_message(ctune__mpi_run *r)
{
    r->heard[r->in.source] = r->now;
    if (r->in.tag == TAG_BEAT)
        return 1;
    if (r->in.tag == TAG_ABORT) {
        char text[MSGLEN];
        size_t n = r->in.n < sizeof text - 1 ? r->in.n : sizeof text - 1;
        memcpy(text, r->in.payload, n);
        text[n] = '\0';
        ctune_status st = (ctune_status)r->in.h.a;
        if (st >= 0 || st < -64)
            st = CTUNE_EIO;
        /* a message that names its rank ("mpi: rank 2 ...", relayed by rank
         * 0 or sent before the tasks) is kept; others get the sender's rank */
        const char *body = strncmp(text, "mpi: ", 5) == 0 ? text + 5 : text;
        if (strncmp(body, "rank ", 5) == 0)
            ctune__mpi_failf(r, st, "mpi: %s", body);
        else
            ctune__mpi_failf(r, st, "mpi: rank %d: %s", r->in.source, body);
        r->peer_failed = 1;
        return 1;
    }
    return 0;
}

ctune_status ctune__mpi_protocol_error(ctune__mpi_run *r, const char *what)
{
    return ctune__mpi_failf(r, CTUNE_EIO, "mpi: unexpected %s from rank %d (tag %d)", what,
                            r->in.source, r->in.tag);
}

/* Sends ABORT with the failure: rank 0 to every other rank (relaying a
 * peer's failure to the rest), another rank to rank 0 unless the failure
 * came from a peer. */
void ctune__mpi_broadcast_abort(ctune__mpi_run *r)
{
    ctune__mpi *m = r->m;
    hdr h = {r->fail, 0, 0, 0};
    for (int k = 0; k < m->size; k++) {
        if (k == m->rank || (m->rank != 0 && (k != 0 || r->peer_failed)))
            continue;
        if (r->peer_failed && k == r->in.source)
            continue;
        ctune__mpi_post(m, &r->q, k, TAG_ABORT, &h, r->msg, strlen(r->msg));
    }
}

/* Lets pending sends complete for up to `seconds` (or the timeout). */
ctune_status ctune__mpi_drain(ctune__mpi_run *r, double seconds)
{
    double t0 = ctune__mpi_wtime();
    while (r->q.n) {
        ctune__mpi_sends_progress(&r->q);
        if (!r->q.n)
            break;
        if (ctune__mpi_wtime() - t0 > seconds)
            return CTUNE_EIO;
        ctune__mpi_nap(POLL_FAST_NS);
    }
    return CTUNE_OK;
}

/* ---- the handshake -------------------------------------------------------------------- */

static void host_name(char *buf)
{
    int len = 0;
    memset(buf, 0, HOSTLEN);
    char name[MPI_MAX_PROCESSOR_NAME];
    if (MPI_Get_processor_name(name, &len) == MPI_SUCCESS && len > 0) {
        size_t n = (size_t)len < HOSTLEN - 1 ? (size_t)len : HOSTLEN - 1;
        memcpy(buf, name, n);
    } else {
        gethostname(buf, HOSTLEN - 1);
    }
}

/* rank 0: collects HELLO from every rank, checks the jobs match, answers
 * WELCOME(ranks on the same host). Returns this host's rank count. */
ctune_status ctune__mpi_root_handshake(ctune__mpi_run *r, int *local_ranks)
{
    ctune__mpi *m = r->m;
    char *hosts = ctune__mpi_calloc((size_t)m->size, HOSTLEN);
    int *got = ctune__mpi_calloc((size_t)m->size, sizeof *got);
    if (!hosts || !got) {
        ctune__mpi_free(hosts);
        ctune__mpi_free(got);
        return ctune__mpi_fail(r, CTUNE_ENOMEM);
    }
    host_name(hosts);
    got[0] = 1;
    int missing = m->size - 1;
    double start = ctune__mpi_wtime();
    ctune_status rc = CTUNE_OK;
    while (missing > 0 && rc == CTUNE_OK) {
        r->now = ctune__mpi_wtime();
        int g = ctune__mpi_receive(m, &r->in);
        if (g < 0) {
            rc = ctune__mpi_fail(r, g);
            break;
        }
        if (g == 0) {
            ctune__mpi_sends_progress(&r->q);
            rc = ctune__mpi_keepalive(r);
            /* every rank entered the call: reaching run() takes no fit */
            for (int k = 1; k < m->size && rc == CTUNE_OK && m->timeout > 0; k++)
                if (!got[k] && r->now - start > m->timeout)
                    rc = ctune__mpi_failf(r, CTUNE_EIO,
                                          "mpi: rank %d did not reach its tasks within %g s "
                                          "(timeout)",
                                          k, m->timeout);
            ctune__mpi_nap(ctune__mpi_nap_ns(r));
            continue;
        }
        if (ctune__mpi_common_message(r)) {
            rc = r->fail;
            continue;
        }
        if (r->in.tag != TAG_HELLO || got[r->in.source]) {
            rc = ctune__mpi_protocol_error(r, "message during the handshake");
            break;
        }
        if ((size_t)r->in.h.a != r->n_tasks || (size_t)r->in.h.b != r->rec_size) {
            rc = ctune__mpi_failf(
                r, CTUNE_EINVAL,
                "mpi: rank %d runs a different job (%lld tasks of %lld "
                "bytes; rank 0: %zu tasks of %zu bytes): every rank must run the same "
                "search (estimator, space, options) on the same data",
                r->in.source, (long long)r->in.h.a, (long long)r->in.h.b, r->n_tasks, r->rec_size);
            break;
        }
        size_t n = r->in.n < HOSTLEN - 1 ? r->in.n : HOSTLEN - 1;
        memcpy(hosts + (size_t)r->in.source * HOSTLEN, r->in.payload, n);
        got[r->in.source] = 1;
        missing--;
    }
    if (rc == CTUNE_OK) {
        for (int k = 0; k < m->size && rc == CTUNE_OK; k++) {
            int same = 0;
            for (int j = 0; j < m->size; j++)
                same += strncmp(hosts + (size_t)k * HOSTLEN, hosts + (size_t)j * HOSTLEN,
                                HOSTLEN) == 0;
            if (k == 0) {
                *local_ranks = same;
            } else {
                hdr h = {same, 0, 0, 0};
                if (ctune__mpi_post(m, &r->q, k, TAG_WELCOME, &h, NULL, 0) != CTUNE_OK)
                    rc = ctune__mpi_fail(r, ctune_last_error_code());
            }
        }
    }
    ctune__mpi_free(hosts);
    ctune__mpi_free(got);
    return rc;
}

/* rank r > 0: HELLO, then waits for WELCOME. */
ctune_status ctune__mpi_peer_handshake(ctune__mpi_run *r, int *local_ranks)
{
    ctune__mpi *m = r->m;
    char host[HOSTLEN];
    host_name(host);
    hdr h = {(int64_t)r->n_tasks, (int64_t)r->rec_size, 0, 0};
    if (ctune__mpi_post(m, &r->q, 0, TAG_HELLO, &h, host, HOSTLEN) != CTUNE_OK)
        return ctune__mpi_fail(r, ctune_last_error_code());
    double start = ctune__mpi_wtime();
    for (;;) {
        r->now = ctune__mpi_wtime();
        int g = ctune__mpi_receive(m, &r->in);
        if (g < 0)
            return ctune__mpi_fail(r, g);
        if (g == 0) {
            ctune__mpi_sends_progress(&r->q);
            CTUNE_MPI_TRY(ctune__mpi_keepalive(r));
            if (m->timeout > 0 && r->now - start > m->timeout)
                return ctune__mpi_failf(r, CTUNE_EIO,
                                        "mpi: rank 0 did not start the tasks within %g s "
                                        "(timeout)",
                                        m->timeout);
            ctune__mpi_nap(ctune__mpi_nap_ns(r));
            continue;
        }
        if (ctune__mpi_common_message(r)) {
            if (r->fail)
                return r->fail;
            continue;
        }
        if (r->in.source != 0 || r->in.tag != TAG_WELCOME)
            return ctune__mpi_protocol_error(r, "message during the handshake");
        *local_ranks = (int)r->in.h.a;
        return CTUNE_OK;
    }
}
