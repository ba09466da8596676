/* Progress on stderr: a redrawn bar on a terminal, plain lines otherwise;
 * SIGINT handling so Ctrl-C cancels a search cleanly. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

static volatile sig_atomic_t g_interrupted;

static void on_sigint(int sig)
{
    (void)sig;
    g_interrupted = 1;
}

void cli_signals(void)
{
    struct sigaction sa;
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;
    sigaction(SIGINT, &sa, NULL);
}

int cli_interrupted(void) { return g_interrupted != 0; }

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
        fprintf(stderr, "\r%s [%s] %zu/%zu  %.1fs  ETA %.1fs  best %s ", p->label, bar, done,
                total, el, eta, bs);
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
