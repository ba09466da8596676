/* One call of the MPI executor on one rank: its state, the first
 * failure and how it reaches the other ranks (ABORT), heartbeats and the
 * timeout, the pacing of the communicating thread, and the handshake that
 * checks every rank runs the same job. The dispatch loops live in
 * mpi_root.c (rank 0) and mpi_peer.c (ranks > 0). */
#ifndef CTUNE_MPI_SESSION_H
#define CTUNE_MPI_SESSION_H

#include "model_selection/pool.h"
#include "mpi_wire.h"

#define MSGLEN 1024
/* Polling period of the communicating thread: short while messages or
 * finished tasks keep coming (latency), long when nothing happened for a
 * while (a few wake-ups per second of an idle rank cost nothing). */
#define POLL_FAST_NS 100000L  /* 0.1 ms */
#define POLL_SLOW_NS 1000000L /* 1 ms */
#define FAST_WINDOW 0.01      /* seconds after the last activity */

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
} ctune__mpi_run;

double ctune__mpi_wtime(void);
void ctune__mpi_nap(long ns);
/* The nap of an idle turn: short soon after activity, longer after. */
long ctune__mpi_nap_ns(const ctune__mpi_run *r);
/* Records the first failure (keeps the current ctune error message). */
ctune_status ctune__mpi_fail(ctune__mpi_run *r, ctune_status st);
/* Sets the ctune error, then records it as ctune__mpi_fail(). The message
 * is formatted by ctune_set_error(), whose numbers do not depend on the
 * host's locale (a host's vsnprintf would write "30,5 s" under de_DE). */
#define ctune__mpi_failf(r, st, ...) ctune__mpi_fail((r), ctune_set_error((st), __VA_ARGS__))
/* Heartbeats (rank 0 to every rank, the others to rank 0) and the
 * timeout check on the same peers. */
ctune_status ctune__mpi_keepalive(ctune__mpi_run *r);
/* The end of a turn of the root's or a peer's loop: queued sends progress,
 * heartbeats go out (CTUNE_EIO when a rank is gone), and when this turn did
 * nothing, a nap until a local task finishes or a message may have come. */
ctune_status ctune__mpi_end_turn(ctune__mpi_run *r, int busy);
/* Handles a message every state accepts (BEAT, ABORT); returns 1 when it
 * was one of those. */
int ctune__mpi_common_message(ctune__mpi_run *r);
ctune_status ctune__mpi_protocol_error(ctune__mpi_run *r, const char *what);
/* Sends ABORT with the failure: rank 0 to every other rank (relaying a
 * peer's failure to the rest), another rank to rank 0 unless the failure
 * came from a peer. */
void ctune__mpi_broadcast_abort(ctune__mpi_run *r);
/* Lets pending sends complete for up to `seconds` (or the timeout). */
ctune_status ctune__mpi_drain(ctune__mpi_run *r, double seconds);
/* rank 0: collects HELLO from every rank, checks the jobs match, answers
 * WELCOME(ranks on the same host). Returns this host's rank count. */
ctune_status ctune__mpi_root_handshake(ctune__mpi_run *r, int *local_ranks);
/* rank r > 0: HELLO, then waits for WELCOME. */
ctune_status ctune__mpi_peer_handshake(ctune__mpi_run *r, int *local_ranks);

/* The dispatch loops: rank 0 hands out tasks (its own workers and the
 * peers'), then sends every rank the records; a peer runs what rank 0
 * assigns and receives the records. */
ctune_status ctune__mpi_root_loop(ctune__mpi_run *r);
ctune_status ctune__mpi_peer_loop(ctune__mpi_run *r);

#endif
