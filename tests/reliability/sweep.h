/* Allocation-failure sweeps: runs a call with its 1st, 2nd, ... allocation
 * failing until the call succeeds, and checks at every step that the call
 * reports CTUNE_ENOMEM with a message, leaks nothing, and leaves its inputs
 * usable (or cleanly freeable). Used by the Check suites of
 * tests/reliability; see docs/reliability.md. */
#ifndef CTUNE_TEST_SWEEP_H
#define CTUNE_TEST_SWEEP_H

#include "ctune.h"
#include "ctune_testing.h"

/* A failed call may legitimately free blocks that existed before it (a
 * refit drops the previous fit first). */
#define CTR_MAY_RELEASE 1u
/* The call may succeed although one of its allocations failed (an optional
 * one: a shrink-to-fit realloc keeps the larger block); the sweep goes on
 * until a call succeeds with no failure. */
#define CTR_TOLERANT 2u
/* The call must not allocate at all (0 steps). */
#define CTR_NO_ALLOC 4u
/* A failed call may keep blocks that became part of its handle's state
 * before the failure (a model built and its optimizer state prepared by its
 * first fit, as Keras keeps them): more blocks may be live right after the
 * call; teardown must still free everything. */
#define CTR_MAY_KEEP 8u

/* One entry point under test. `ctx` is the caller's state, handed to every
 * hook. Only `call` is required. */
typedef struct ctr_sweep {
    const char *name; /* printed with the sweep count */
    /* Builds the inputs of one attempt (allocation failures are off). */
    void (*setup)(void *ctx);
    /* The call under test (allocation failures are on). */
    ctune_status (*call)(void *ctx);
    /* Runs after each attempt with failures off: with rc != CTUNE_OK it
     * checks that the inputs are still usable (e.g. the handle fits and
     * predicts); with CTUNE_OK it checks the result. Either way it frees
     * what `call` produced. Uses Check assertions. */
    void (*after)(void *ctx, ctune_status rc);
    /* Frees what setup built. */
    void (*teardown)(void *ctx);
    /* CTR_* flags below. */
    unsigned flags;
} ctr_sweep;

/* Sweeps `s`, first with a single failing allocation (k = 1, 2, ...), then
 * with every allocation from the k-th on failing (sticky mode, so error
 * paths that allocate fail too). Asserts (Check) at each failed step:
 *  - the status is CTUNE_ENOMEM and ctune_last_error() says "out of memory";
 *  - the failure was injected (ctune_alloc_failures() grew);
 *  - ctune_alloc_live() right after the call is unchanged (or lower with
 *    CTR_MAY_RELEASE), and back to its value before setup after teardown;
 * and that the call eventually succeeds within `max_steps` (with at least
 * one step, or none with CTR_NO_ALLOC).
 * Prints "sweep NAME: N steps" to stderr and returns N: the number of
 * allocations the successful call made (every one of them was made to
 * fail once). */
int ctr_sweep_run(const ctr_sweep *s, void *ctx, int max_steps);

/* Running total of the steps of every sweep of this process. */
long ctr_sweep_total(void);

#endif
