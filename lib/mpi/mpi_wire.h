/* The wire of the MPI executor: message tags and header, non-blocking
 * sends that own their bytes, and the receive of this session's messages
 * (see the protocol in mpi_exec.h). */
#ifndef CTUNE_MPI_WIRE_H
#define CTUNE_MPI_WIRE_H

#include <stdint.h>

#include "mpi_exec.h"

enum {
    TAG_HELLO = 7301,
    TAG_WELCOME,
    TAG_REQ,
    TAG_ASSIGN,
    TAG_RETIRED,
    TAG_STOP,
    TAG_BEAT,
    TAG_FINISH,
    TAG_ABORT
};

/* Every message starts with one; d carries the session. */
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

/* Sends in flight and the buffers MPI may still read. */
typedef struct {
    MPI_Request *req;
    void **buf;
    size_t n, cap;
} sends;

/* The last message received; payload points into buf. */
typedef struct {
    int source, tag;
    hdr h;
    char *payload; /* into buf */
    size_t n;      /* payload bytes */
    char *buf;
    size_t cap;
} inbox;

/* Frees the buffers of completed sends. */
void ctune__mpi_sends_progress(sends *q);
/* Ends a call's sends: completed ones are freed, the others wait in the
 * graveyard (ctune__mpi_graveyard_sweep) until MPI completes them. */
void ctune__mpi_sends_drop(sends *q);
/* Sends header + payload to `dest` without blocking; the bytes are copied. */
ctune_status ctune__mpi_post(ctune__mpi *m, sends *q, int dest, int tag, const hdr *h,
                             const void *payload, size_t n);
/* Receives one message of this session if any: 1 = got one, 0 = none,
 * < 0 = status. */
int ctune__mpi_receive(ctune__mpi *m, inbox *in);

#endif
