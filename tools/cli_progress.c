/* Progress on stderr: a redrawn bar on a terminal, plain lines otherwise;
 * SIGINT/SIGTERM handling so Ctrl-C cancels a running search or fit
 * cleanly, and a second Ctrl-C exits at once. */
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

static volatile sig_atomic_t g_signal; /* the first signal received, 0 before */
static _Atomic(ctune_search *) g_search;
static _Atomic(ctune_estimator *) g_est;

static void on_signal(int sig)
{
    if (g_signal)
        _exit(128 + sig); /* the second signal: stop now */
    g_signal = sig;
    /* both calls only set a lock-free atomic flag */
    ctune_search *s = atomic_load(&g_search);
    ctune_estimator *e = atomic_load(&g_est);
    if (s)
        ctune_search_cancel(s);
    if (e)
        ctune_estimator_cancel(e);
}

void cli_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

void cli_cancel_target(ctune_search *search, ctune_estimator *est)
{
    atomic_store(&g_search, search);
    atomic_store(&g_est, est);
    /* a signal that came before the target was known */
    if (g_signal) {
        if (search)
            ctune_search_cancel(search);
        if (est)
            ctune_estimator_cancel(est);
    }
}

int cli_interrupted(void) { return g_signal != 0; }

int cli_signal_exit(void) { return g_signal ? 128 + g_signal : CLI_INTERRUPTED; }

struct cli_progress {
    int quiet, tty;
    const char *label;
    double t0;
    size_t last_line; /* plain mode: last printed decile */
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

cli_progress *cli_progress_new(int quiet, const char *label)
{
    cli_progress *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->quiet = quiet;
    p->tty = isatty(STDERR_FILENO);
    p->label = label;
    p->t0 = now();
    p->last_line = (size_t)-1;
    return p;
}

void cli_progress_update(cli_progress *p, size_t done, size_t total, double best)
{
    if (!p || p->quiet || total == 0)
        return;
    double el = now() - p->t0;
    char bs[32];
    if (best == best)
        snprintf(bs, sizeof bs, "%.4f", best);
    else
        snprintf(bs, sizeof bs, "-");
    double eta = done ? el * (double)(total - done) / (double)done : 0.0;
    if (p->tty) {
        enum { W = 28 };
        char bar[W + 1];
        size_t fill = done * W / total;
        for (size_t i = 0; i < W; i++)
            bar[i] = i < fill ? '#' : '.';
        bar[W] = '\0';
        fprintf(stderr, "\r%s [%s] %zu/%zu  %.1fs  ETA %.1fs  best %s ", p->label, bar, done, total,
                el, eta, bs);
        fflush(stderr);
        return;
    }
    size_t decile = done * 10 / total;
    if (decile != p->last_line || done == total) {
        p->last_line = decile;
        fprintf(stderr, "%s: %zu/%zu tasks, %.1fs elapsed, best %s\n", p->label, done, total, el,
                bs);
    }
}

void cli_progress_end(cli_progress *p)
{
    if (!p)
        return;
    if (p->tty && !p->quiet)
        fputc('\n', stderr);
    free(p);
}
