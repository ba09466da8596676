/* The MPI executor: see the protocol in mpi_exec.h. */
#define _GNU_SOURCE /* sched_getaffinity, CPU_COUNT */
#include "mpi_exec.h"

#include "model_selection/pool.h"

#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { TAG_HELLO = 7301, TAG_WELCOME, TAG_REQ, TAG_ASSIGN, TAG_RETIRED, TAG_STOP, TAG_BEAT,
       TAG_FINISH, TAG_ABORT };

typedef struct {
    int64_t a, b, c, d;
} hdr;

/* REQ's want (h.c): 0 = only a finished record; NOW = a worker is idle;
 * AHEAD = a task to queue behind the running one. ASSIGN's task (h.b): a
 * task, NONE_LEFT (no more: stopped or all handed out) or NOT_AHEAD (too
 * few left to queue ahead: ask again when a worker is idle). */
enum { WANT_NOW = 1, WANT_AHEAD = 2 };
#define NONE_LEFT (-1)
#define NOT_AHEAD (-2)

#define HOSTLEN 256
#define MSGLEN 1024
/* Polling period of the communicating thread: short while messages or
 * finished tasks keep coming (latency), long when nothing happened for a
 * while (a few wake-ups per second of an idle rank cost nothing). */
#define POLL_FAST_NS 100000L  /* 0.1 ms */
#define POLL_SLOW_NS 1000000L /* 1 ms */
#define FAST_WINDOW 0.01      /* seconds after the last activity */

/* ---- allocation ----------------------------------------------------------------- */

static atomic_long live_blocks;

void *ctune__mpi_alloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        ctune_set_error(CTUNE_ENOMEM, "out of memory (allocating %zu bytes in libctune_mpi)", n);
        return NULL;
    }
    atomic_fetch_add(&live_blocks, 1);
    return p;
}

void *ctune__mpi_calloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) {
        ctune_set_error(CTUNE_ENOMEM, "out of memory (allocating %zu × %zu bytes in "
                        "libctune_mpi)", n, size);
        return NULL;
    }
    atomic_fetch_add(&live_blocks, 1);
    return p;
}

void ctune__mpi_free(void *p)
{
    if (!p)
        return;
    atomic_fetch_sub(&live_blocks, 1);
    free(p);
}

long ctune__mpi_alloc_live(void) { return atomic_load(&live_blocks); }

ctune_status ctune__mpi_error(int mpi_rc, const char *what)
{
    char s[MPI_MAX_ERROR_STRING];
    int len = 0;
    if (MPI_Error_string(mpi_rc, s, &len) != MPI_SUCCESS || len <= 0)
        snprintf(s, sizeof s, "MPI error %d", mpi_rc);
    else
        s[len < MPI_MAX_ERROR_STRING ? len : MPI_MAX_ERROR_STRING - 1] = '\0';
    return ctune_set_error(CTUNE_EIO, "mpi: %s failed: %s", what, s);
}

/* ---- pending sends ------------------------------------------------------------------ */

typedef struct {
    MPI_Request *req;
    void **buf;
    size_t n, cap;
} sends;

static void sends_progress(sends *q)
{
    size_t j = 0;
    for (size_t i = 0; i < q->n; i++) {
        int flag = 0;
        if (MPI_Test(&q->req[i], &flag, MPI_STATUS_IGNORE) != MPI_SUCCESS)
            flag = 1; /* a failed send: the peer's silence will be reported */
        if (flag) {
            ctune__mpi_free(q->buf[i]);
        } else {
            q->req[j] = q->req[i];
            q->buf[j] = q->buf[i];
            j++;
        }
    }
    q->n = j;
}

/* Sends still pending when a call ends after a failure (their peer died
 * or left): MPI may still read their buffers, so they wait here until MPI
 * completes them (checked at every later call and at ctune_mpi_finalize). */
static sends graveyard;

static void sends_move(sends *to, sends *from);

void ctune__mpi_graveyard_sweep(int final)
{
    sends_progress(&graveyard);
    if (final) {
        for (size_t i = 0; i < graveyard.n; i++) {
            MPI_Cancel(&graveyard.req[i]);
            MPI_Request_free(&graveyard.req[i]);
            ctune__mpi_free(graveyard.buf[i]);
        }
        graveyard.n = 0;
    }
    if (graveyard.n == 0) {
        ctune__mpi_free(graveyard.req);
        ctune__mpi_free(graveyard.buf);
        memset(&graveyard, 0, sizeof graveyard);
    }
}

/* Ends a call's sends: completed ones are freed, the others go to the
 * graveyard. */
static void sends_drop(sends *q)
{
    sends_progress(q);
    sends_move(&graveyard, q);
    q->n = 0;
    ctune__mpi_free(q->req);
    ctune__mpi_free(q->buf);
    q->req = NULL;
    q->buf = NULL;
    q->cap = 0;
}

static int sends_reserve(sends *q)
{
    if (q->n < q->cap)
        return 1;
    size_t cap = q->cap ? 2 * q->cap : 16;
    MPI_Request *r = ctune__mpi_alloc(cap * sizeof *r);
    void **b = r ? ctune__mpi_alloc(cap * sizeof *b) : NULL;
    if (!b) {
        ctune__mpi_free(r);
        return 0;
    }
    if (q->n) {
        memcpy(r, q->req, q->n * sizeof *r);
        memcpy(b, q->buf, q->n * sizeof *b);
    }
    ctune__mpi_free(q->req);
    ctune__mpi_free(q->buf);
    q->req = r;
    q->buf = b;
    q->cap = cap;
    return 1;
}

static void sends_move(sends *to, sends *from)
{
    for (size_t i = 0; i < from->n; i++) {
        if (sends_reserve(to)) {
            to->req[to->n] = from->req[i];
            to->buf[to->n++] = from->buf[i];
        } else { /* no memory to remember it: let MPI finish it alone */
            MPI_Request_free(&from->req[i]);
            atomic_fetch_sub(&live_blocks, 1);
        }
    }
    from->n = 0;
}

/* Sends header + payload to `dest` without blocking; the bytes are copied. */
static ctune_status post(ctune__mpi *m, sends *q, int dest, int tag, const hdr *h,
                         const void *payload, size_t n)
{
    if (!sends_reserve(q))
        return CTUNE_ENOMEM;
    size_t total = sizeof *h + n;
    if (total > (size_t)INT32_MAX)
        return ctune_set_error(CTUNE_EINVAL, "mpi: a message of %zu bytes is too large "
                               "(records of the whole job must stay under 2 GiB)", total);
    char *buf = ctune__mpi_alloc(total);
    if (!buf)
        return CTUNE_ENOMEM;
    hdr stamped = *h;
    stamped.d = m->session;
    memcpy(buf, &stamped, sizeof stamped);
    if (n)
        memcpy(buf + sizeof *h, payload, n);
    int rc = MPI_Isend(buf, (int)total, MPI_BYTE, dest, tag, m->comm, &q->req[q->n]);
    if (rc != MPI_SUCCESS) {
        ctune__mpi_free(buf);
        char what[64];
        snprintf(what, sizeof what, "MPI_Isend to rank %d", dest);
        return ctune__mpi_error(rc, what);
    }
    q->buf[q->n++] = buf;
    return CTUNE_OK;
}

/* ---- received messages -------------------------------------------------------------- */

typedef struct {
    int source, tag;
    hdr h;
    char *payload; /* into buf */
    size_t n;      /* payload bytes */
    char *buf;
    size_t cap;
} inbox;

/* Receives one message of this session if any: 1 = got one, 0 = none,
 * < 0 = status. */
static int receive(ctune__mpi *m, inbox *in)
{
again:;
    int flag = 0;
    MPI_Status st;
    int rc = MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, m->comm, &flag, &st);
    if (rc != MPI_SUCCESS)
        return ctune__mpi_error(rc, "MPI_Iprobe");
    if (!flag)
        return 0;
    int count = 0;
    MPI_Get_count(&st, MPI_BYTE, &count);
    if (count < (int)sizeof(hdr))
        count = (int)sizeof(hdr);
    if ((size_t)count > in->cap) {
        char *b = ctune__mpi_alloc((size_t)count);
        if (!b)
            return CTUNE_ENOMEM;
        ctune__mpi_free(in->buf);
        in->buf = b;
        in->cap = (size_t)count;
    }
    memset(in->buf, 0, sizeof(hdr));
    rc = MPI_Recv(in->buf, count, MPI_BYTE, st.MPI_SOURCE, st.MPI_TAG, m->comm,
                  MPI_STATUS_IGNORE);
    if (rc != MPI_SUCCESS) {
        char what[64];
        snprintf(what, sizeof what, "MPI_Recv from rank %d", st.MPI_SOURCE);
        return ctune__mpi_error(rc, what);
    }
    in->source = st.MPI_SOURCE;
    in->tag = st.MPI_TAG;
    memcpy(&in->h, in->buf, sizeof in->h);
    in->payload = in->buf + sizeof(hdr);
    in->n = (size_t)count - sizeof(hdr);
    if (in->h.d != m->session)
        goto again; /* left over from an earlier call */
    return 1;
}

/* ---- local workers: the worker pool of libctune (model_selection/pool.c) ---- */

static void run_task(void *ctx, size_t task, int threads)
{
    ctune_job_run_task(ctx, task, threads);
}

static void nap(long ns)
{
    struct timespec ts = {0, ns};
    nanosleep(&ts, NULL);
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

/* ---- one run ------------------------------------------------------------------------------ */

typedef struct {
    ctune__mpi *m;
    ctune_job *job;
    size_t n_tasks, rec_size;
    sends q;
    inbox in;
    ctune__pool pool;
    ctune__pool_slot *slots;
    size_t *finished; /* one per worker: tasks collected from the pool */
    double now;
    double *heard;     /* per rank: last time a message came from it */
    double last_beat;  /* last heartbeat sent */
    double active;     /* last time something happened */
    ctune_status fail; /* first failure */
    char msg[MSGLEN];
    int peer_failed; /* the failure came from a peer's ABORT: do not echo it back */
} run;

static double wtime(void) { return MPI_Wtime(); }

static long nap_ns(const run *r)
{
    return r->now - r->active < FAST_WINDOW ? POLL_FAST_NS : POLL_SLOW_NS;
}

/* Records the first failure (keeps the current ctune error message). */
static ctune_status fail(run *r, ctune_status st)
{
    if (r->fail == CTUNE_OK) {
        r->fail = st;
        snprintf(r->msg, sizeof r->msg, "%s", ctune_last_error());
    }
    return st;
}

static ctune_status failf(run *r, ctune_status st, const char *fmt, ...) CTUNE_PRINTF(3, 4);

static ctune_status failf(run *r, ctune_status st, const char *fmt, ...)
{
    char buf[MSGLEN];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    ctune_set_error_str(st, buf);
    return fail(r, st);
}

/* Heartbeats (rank 0 to every rank, the others to rank 0) and the
 * timeout check on the same peers. */
static ctune_status keepalive(run *r)
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
            ctune_status rc = post(m, &r->q, k, TAG_BEAT, &h, NULL, 0);
            if (rc != CTUNE_OK)
                return fail(r, rc);
        }
        if (r->now - r->heard[k] > m->timeout)
            return failf(r, CTUNE_EIO, "mpi: no message from rank %d for %.0f s (timeout=%g): "
                         "the rank died, was stopped or hangs, or runs another function",
                         k, r->now - r->heard[k], m->timeout);
    }
    return CTUNE_OK;
}

/* The end of a turn of the root's or a peer's loop: queued sends progress,
 * heartbeats go out (CTUNE_EIO when a rank is gone), and when this turn did
 * nothing, a nap until a local task finishes or a message may have come. */
static ctune_status end_turn(run *r, int busy)
{
    sends_progress(&r->q);
    ctune_status rc = keepalive(r);
    if (rc != CTUNE_OK)
        return rc;
    if (busy) {
        r->active = r->now;
        return CTUNE_OK;
    }
    ctune__pool_wait(&r->pool, nap_ns(r));
    return CTUNE_OK;
}

/* Handles a message every state accepts (BEAT, ABORT); returns 1 when it
 * was one of those. */
static int common_message(run *r)
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
            failf(r, st, "mpi: %s", body);
        else
            failf(r, st, "mpi: rank %d: %s", r->in.source, body);
        r->peer_failed = 1;
        return 1;
    }
    return 0;
}

static ctune_status protocol_error(run *r, const char *what)
{
    return failf(r, CTUNE_EIO, "mpi: unexpected %s from rank %d (tag %d)", what, r->in.source,
                 r->in.tag);
}

/* Sends ABORT with the failure: rank 0 to every other rank (relaying a
 * peer's failure to the rest), another rank to rank 0 unless the failure
 * came from a peer. */
static void broadcast_abort(run *r)
{
    ctune__mpi *m = r->m;
    hdr h = {r->fail, 0, 0, 0};
    for (int k = 0; k < m->size; k++) {
        if (k == m->rank || (m->rank != 0 && (k != 0 || r->peer_failed)))
            continue;
        if (r->peer_failed && k == r->in.source)
            continue;
        post(m, &r->q, k, TAG_ABORT, &h, r->msg, strlen(r->msg));
    }
}

/* Lets pending sends complete for up to `seconds` (or the timeout). */
static ctune_status drain(run *r, double seconds)
{
    double t0 = wtime();
    while (r->q.n) {
        sends_progress(&r->q);
        if (!r->q.n)
            break;
        if (wtime() - t0 > seconds)
            return CTUNE_EIO;
        nap(POLL_FAST_NS);
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
static ctune_status root_handshake(run *r, int *local_ranks)
{
    ctune__mpi *m = r->m;
    char *hosts = ctune__mpi_calloc((size_t)m->size, HOSTLEN);
    int *got = ctune__mpi_calloc((size_t)m->size, sizeof *got);
    if (!hosts || !got) {
        ctune__mpi_free(hosts);
        ctune__mpi_free(got);
        return fail(r, CTUNE_ENOMEM);
    }
    host_name(hosts);
    got[0] = 1;
    int missing = m->size - 1;
    double start = wtime();
    ctune_status rc = CTUNE_OK;
    while (missing > 0 && rc == CTUNE_OK) {
        r->now = wtime();
        int g = receive(m, &r->in);
        if (g < 0) {
            rc = fail(r, g);
            break;
        }
        if (g == 0) {
            sends_progress(&r->q);
            rc = keepalive(r);
            /* every rank entered the call: reaching run() takes no fit */
            for (int k = 1; k < m->size && rc == CTUNE_OK && m->timeout > 0; k++)
                if (!got[k] && r->now - start > m->timeout)
                    rc = failf(r, CTUNE_EIO, "mpi: rank %d did not reach its tasks within %g s "
                               "(timeout)", k, m->timeout);
            nap(nap_ns(r));
            continue;
        }
        if (common_message(r)) {
            rc = r->fail;
            continue;
        }
        if (r->in.tag != TAG_HELLO || got[r->in.source]) {
            rc = protocol_error(r, "message during the handshake");
            break;
        }
        if ((size_t)r->in.h.a != r->n_tasks || (size_t)r->in.h.b != r->rec_size) {
            rc = failf(r, CTUNE_EINVAL, "mpi: rank %d runs a different job (%lld tasks of %lld "
                       "bytes; rank 0: %zu tasks of %zu bytes): every rank must run the same "
                       "search (estimator, space, options) on the same data", r->in.source,
                       (long long)r->in.h.a, (long long)r->in.h.b, r->n_tasks, r->rec_size);
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
                if (post(m, &r->q, k, TAG_WELCOME, &h, NULL, 0) != CTUNE_OK)
                    rc = fail(r, ctune_last_error_code());
            }
        }
    }
    ctune__mpi_free(hosts);
    ctune__mpi_free(got);
    return rc;
}

/* rank r > 0: HELLO, then waits for WELCOME. */
static ctune_status peer_handshake(run *r, int *local_ranks)
{
    ctune__mpi *m = r->m;
    char host[HOSTLEN];
    host_name(host);
    hdr h = {(int64_t)r->n_tasks, (int64_t)r->rec_size, 0, 0};
    if (post(m, &r->q, 0, TAG_HELLO, &h, host, HOSTLEN) != CTUNE_OK)
        return fail(r, ctune_last_error_code());
    double start = wtime();
    for (;;) {
        r->now = wtime();
        int g = receive(m, &r->in);
        if (g < 0)
            return fail(r, g);
        if (g == 0) {
            sends_progress(&r->q);
            CTUNE_MPI_TRY(keepalive(r));
            if (m->timeout > 0 && r->now - start > m->timeout)
                return failf(r, CTUNE_EIO, "mpi: rank 0 did not start the tasks within %g s "
                             "(timeout)", m->timeout);
            nap(nap_ns(r));
            continue;
        }
        if (common_message(r)) {
            if (r->fail)
                return r->fail;
            continue;
        }
        if (r->in.source != 0 || r->in.tag != TAG_WELCOME)
            return protocol_error(r, "message during the handshake");
        *local_ranks = (int)r->in.h.a;
        return CTUNE_OK;
    }
}

/* ---- rank 0: dispatcher + local workers ------------------------------------------------ */

static ctune_status root_loop(run *r)
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
        return fail(r, CTUNE_ENOMEM);
    }
    for (int k = 1; k < m->size; k++)
        peer_on[k] = 1;
    for (size_t t = 0; t < r->n_tasks; t++)
        owner[t] = -1;
    ctune_status rc = CTUNE_OK;
    for (;;) {
        r->now = wtime();
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
            int g = receive(m, &r->in);
            if (g < 0) {
                rc = fail(r, g);
                break;
            }
            if (g == 0)
                break;
            busy = 1;
            if (common_message(r)) {
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
                        rc = protocol_error(r, "task record");
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
                if ((rc = post(m, &r->q, src, TAG_ASSIGN, &h, NULL, 0)) != CTUNE_OK) {
                    fail(r, rc);
                    break;
                }
            } else if (r->in.tag == TAG_RETIRED && peer_on[src]) {
                peer_on[src] = 0;
                retired_peers++;
            } else {
                rc = protocol_error(r, "message");
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
                if (peer_on[k] && (rc = post(m, &r->q, k, TAG_STOP, &h, NULL, 0)) != CTUNE_OK)
                    fail(r, rc);
            if (rc != CTUNE_OK)
                break;
        }
        if (local_active == 0 && retired_peers == m->size - 1)
            break;
        if ((rc = end_turn(r, busy)) != CTUNE_OK)
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
        if ((rc = post(m, &r->q, k, TAG_FINISH, &h, ctune_job_record(job, 0),
                       r->n_tasks * r->rec_size)) != CTUNE_OK)
            return fail(r, rc);
    double t0 = wtime();
    while (r->q.n) {
        r->now = wtime();
        sends_progress(&r->q);
        if (!r->q.n)
            break;
        int g = receive(m, &r->in);
        if (g < 0)
            return fail(r, g);
        if (g == 1 && common_message(r) && r->fail)
            return r->fail;
        if (m->timeout > 0 && r->now - t0 > m->timeout)
            return failf(r, CTUNE_EIO, "mpi: the results could not be delivered to every rank "
                         "within %g s (timeout)", m->timeout);
        nap(POLL_FAST_NS);
    }
    return CTUNE_OK;
}

/* ---- rank r > 0: workers fed by rank 0 ------------------------------------------------- */

static ctune_status peer_loop(run *r)
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
        return fail(r, CTUNE_ENOMEM);
    }
    size_t q_head = 0, q_len = 0, q_cap = (size_t)p->n * 2;
    int outstanding = 0, exhausted = 0, retired_sent = 0, ahead = 1;
    ctune_status rc = CTUNE_OK;
    while (rc == CTUNE_OK) {
        r->now = wtime();
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
            rc = post(m, &r->q, 0, TAG_REQ, &h, t >= 0 ? ctune_job_record(job, (size_t)t) : NULL,
                      t >= 0 ? r->rec_size : 0);
            if (rc != CTUNE_OK)
                break;
            busy = 1;
        }
        if (rc != CTUNE_OK) {
            fail(r, rc);
            break;
        }
        if (ctune_job_stopped(job))
            q_len = 0; /* assigned but never started: they stay "not run" */
        if (!retired_sent && outstanding == 0 && q_len == 0 && running == 0 &&
            (exhausted || ctune_job_stopped(job))) {
            hdr h = {0, 0, 0, 0};
            if ((rc = post(m, &r->q, 0, TAG_RETIRED, &h, NULL, 0)) != CTUNE_OK) {
                fail(r, rc);
                break;
            }
            retired_sent = 1;
        }
        int finished = 0;
        for (;;) {
            int g = receive(m, &r->in);
            if (g < 0) {
                rc = fail(r, g);
                break;
            }
            if (g == 0)
                break;
            busy = 1;
            if (common_message(r)) {
                rc = r->fail;
                if (rc)
                    break;
                continue;
            }
            if (r->in.source != 0) {
                rc = protocol_error(r, "message");
                break;
            }
            if (r->in.tag == TAG_ASSIGN && outstanding > 0) {
                int64_t t = r->in.h.b;
                outstanding--;
                if (t >= (int64_t)r->n_tasks) {
                    rc = protocol_error(r, "assignment");
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
                    rc = protocol_error(r, "results");
                    break;
                }
                memcpy(ctune_job_record(job, 0), r->in.payload, r->in.n);
                ctune_job_set_outcome(job, (size_t)r->in.h.a, (int)r->in.h.b);
                finished = 1;
                break;
            } else {
                rc = protocol_error(r, "message");
                break;
            }
        }
        if (rc != CTUNE_OK || finished)
            break;
        if (q_len && idle && !ctune_job_stopped(job))
            continue; /* hand the new tasks to idle workers now */
        if ((rc = end_turn(r, busy)) != CTUNE_OK)
            break;
    }
    ctune__mpi_free(queue);
    ctune__mpi_free(report);
    if (rc == CTUNE_OK)
        drain(r, m->timeout > 0 ? m->timeout : 60);
    return rc;
}

/* ---- the vtable ------------------------------------------------------------------------ */

static ctune_status mpi_run(void *self, ctune_job *job)
{
    ctune__mpi *m = self;
    m->entered = 1;
    run r;
    memset(&r, 0, sizeof r);
    r.m = m;
    r.job = job;
    r.n_tasks = ctune_job_n_tasks(job);
    r.rec_size = ctune_job_record_size(job);
    r.heard = ctune__mpi_calloc((size_t)m->size, sizeof *r.heard);
    if (!r.heard)
        return CTUNE_ENOMEM;
    r.now = r.last_beat = r.active = wtime();
    for (int k = 0; k < m->size; k++)
        r.heard[k] = r.now;

    int local_ranks = 1;
    ctune_status rc = m->rank == 0 ? root_handshake(&r, &local_ranks)
                                   : peer_handshake(&r, &local_ranks);
    if (rc == CTUNE_OK) {
        int workers, threads;
        budget(ctune_job_n_jobs(job), local_ranks, r.n_tasks, &workers, &threads);
        r.slots = ctune__mpi_calloc((size_t)workers, sizeof *r.slots);
        r.finished = r.slots ? ctune__mpi_calloc((size_t)workers, sizeof *r.finished) : NULL;
        if (!r.finished)
            rc = fail(&r, CTUNE_ENOMEM);
        else if (ctune__pool_start(&r.pool, r.slots, workers, threads, run_task, job) == 0)
            rc = failf(&r, CTUNE_EINTERNAL, "mpi: rank %d cannot start a worker thread",
                       m->rank);
    }
    if (rc == CTUNE_OK)
        rc = m->rank == 0 ? root_loop(&r) : peer_loop(&r);
    if (rc != CTUNE_OK) {
        if (r.fail == CTUNE_OK)
            fail(&r, rc);
        ctune_job_stop(job); /* running fits may end early */
        broadcast_abort(&r);
    }
    ctune__pool_stop(&r.pool); /* waits for the tasks in flight */
    ctune__mpi_free(r.slots);
    ctune__mpi_free(r.finished);
    if (rc != CTUNE_OK)
        drain(&r, 1.0);
    sends_drop(&r.q);
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
    run r;
    memset(&r, 0, sizeof r);
    r.m = m;
    char text[MSGLEN];
    snprintf(text, sizeof text, "mpi: rank %d failed before running its tasks: %s", m->rank,
             msg && msg[0] ? msg : ctune_status_string(st));
    hdr h = {st, 0, 0, 0};
    for (int k = 0; k < m->size; k++)
        if (k != m->rank)
            post(m, &r.q, k, TAG_ABORT, &h, text, strlen(text));
    drain(&r, 1.0);
    sends_drop(&r.q);
}
