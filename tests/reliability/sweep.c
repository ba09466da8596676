#include "sweep.h"

#include <check.h>
#include <stdio.h>
#include <string.h>

static long g_total;

long ctr_sweep_total(void) { return g_total; }

/* One pass: returns the number of failed steps before the call succeeded. */
static int pass(const ctr_sweep *s, void *ctx, int max_steps, int sticky)
{
    for (int k = 1; k <= max_steps; k++) {
        int64_t start = ctune_alloc_live();
        if (s->setup)
            s->setup(ctx);
        int64_t before = ctune_alloc_live();
        int64_t fails = ctune_alloc_failures();
        ctune_clear_error();
        ctune_alloc_fail_at(k, sticky);
        ctune_status rc = s->call(ctx);
        ctune_alloc_fail_at(0, 0);
        int64_t after = ctune_alloc_live();
        int injected = ctune_alloc_failures() > fails;
        if (rc == CTUNE_OK) {
            /* a call may survive a failed optional allocation (a
             * shrink-to-fit realloc) only when the case says so */
            ck_assert_msg(!injected || (s->flags & CTR_TOLERANT),
                          "%s (%s, step %d): succeeded although an allocation failed", s->name,
                          sticky ? "sticky" : "single", k);
        } else {
            ck_assert_msg(rc == CTUNE_ENOMEM,
                          "%s (%s, step %d): status %d (%s) instead of CTUNE_ENOMEM: %s", s->name,
                          sticky ? "sticky" : "single", k, rc, ctune_status_string(rc),
                          ctune_last_error());
            ck_assert_msg(injected, "%s (step %d): failed without an injected failure", s->name, k);
            ck_assert_msg(strstr(ctune_last_error(), "out of memory") != NULL,
                          "%s (step %d): message '%s' does not say out of memory", s->name, k,
                          ctune_last_error());
            ck_assert_msg((s->flags & CTR_MAY_KEEP) ||
                              ((s->flags & CTR_MAY_RELEASE) ? after <= before : after == before),
                          "%s (%s, step %d): %lld blocks live after the failed call, %lld before",
                          s->name, sticky ? "sticky" : "single", k, (long long)after,
                          (long long)before);
        }
        if (s->after)
            s->after(ctx, rc);
        if (s->teardown)
            s->teardown(ctx);
        ck_assert_msg(ctune_alloc_live() == start,
                      "%s (%s, step %d): leak: %lld blocks live, %lld at the start", s->name,
                      sticky ? "sticky" : "single", k, (long long)ctune_alloc_live(),
                      (long long)start);
        if (rc == CTUNE_OK && !injected)
            return k - 1;
    }
    ck_abort_msg("%s: the call never succeeded within %d steps", s->name, max_steps);
    return -1;
}

int ctr_sweep_run(const ctr_sweep *s, void *ctx, int max_steps)
{
    int n = pass(s, ctx, max_steps, 0);
    int m = pass(s, ctx, max_steps, 1);
    ck_assert_msg(m == n, "%s: %d steps in single mode, %d in sticky mode", s->name, n, m);
    if ((s->flags & CTR_NO_ALLOC))
        ck_assert_msg(n == 0, "%s: %d allocations in a call that should make none", s->name, n);
    else
        ck_assert_msg(n > 0, "%s: the call made no allocation", s->name);
    fprintf(stderr, "sweep %s: %d steps\n", s->name, n);
    g_total += n;
    return n;
}
