/* The wire of the MPI executor: see mpi_wire.h. */
#include "mpi_wire.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

/* ---- pending sends ------------------------------------------------------------------ */

void ctune__mpi_sends_progress(sends *q)
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
    ctune__mpi_sends_progress(&graveyard);
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
void ctune__mpi_sends_drop(sends *q)
{
    ctune__mpi_sends_progress(q);
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
            ctune__mpi_forget(); /* its buffer stays with MPI */
        }
    }
    from->n = 0;
}

/* Sends header + payload to `dest` without blocking; the bytes are copied. */
ctune_status ctune__mpi_post(ctune__mpi *m, sends *q, int dest, int tag, const hdr *h,
                             const void *payload, size_t n)
{
    if (!sends_reserve(q))
        return CTUNE_ENOMEM;
    size_t total = sizeof *h + n;
    if (total > (size_t)INT32_MAX)
        return ctune_set_error(CTUNE_EINVAL,
                               "mpi: a message of %zu bytes is too large "
                               "(records of the whole job must stay under 2 GiB)",
                               total);
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

/* Receives one message of this session if any: 1 = got one, 0 = none,
 * < 0 = status. */
int ctune__mpi_receive(ctune__mpi *m, inbox *in)
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
    rc = MPI_Recv(in->buf, count, MPI_BYTE, st.MPI_SOURCE, st.MPI_TAG, m->comm, MPI_STATUS_IGNORE);
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
