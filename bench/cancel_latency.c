/* How fast a running search stops: the wall time from ctune_search_cancel()
 * (called from another thread) to the return of ctune_search_fit(), with
 * epochs=4000 networks in flight on 2 threads.
 *
 * The search: the built-in MLP (nl=3, nn=256, batch_size=32, epochs=4000)
 * behind nothing, on the embedded digits (1797 × 64, 10 classes), a grid of
 * 4 candidates × 3 folds, n_jobs=2. After `delay` seconds (default 1.5,
 * long enough for both workers to be inside a fit) another thread cancels.
 *
 * usage: cancel_latency [repeats [delay_s]]
 * Prints each repeat's latency, the median and the maximum (target: the
 * maximum <= 1 s). Not run by the tests. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "ctune.h"
#define BENCH_GEMM_INFO
#include "bench_info.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

typedef struct {
    ctune_search *s;
    double delay, t_cancel;
} canceller;

static void *cancel_later(void *arg)
{
    canceller *c = arg;
    struct timespec ts = {(time_t)c->delay, (long)((c->delay - (double)(time_t)c->delay) * 1e9)};
    nanosleep(&ts, NULL);
    c->t_cancel = now();
    ctune_search_cancel(c->s);
    return NULL;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    int reps = argc > 1 ? atoi(argv[1]) : 5;
    double delay = argc > 2 ? atof(argv[2]) : 1.5;
    if (reps < 1 || reps > 100 || !(delay >= 0)) {
        fprintf(stderr, "usage: cancel_latency [repeats (1..100) [delay_s]]\n");
        return 2;
    }
    bench_print_info("cancel_latency", "2 (n_jobs=2) and the cancelling thread");
    ctune_data *d;
    ctune_estimator *e;
    ctune_space *sp;
    if (ctune_dataset_load(&d, "digits", NULL) != CTUNE_OK ||
        ctune_mlp_classifier_new(&e) != CTUNE_OK ||
        ctune_estimator_set_params_text(e, "nl=3, nn=256, batch_size=32, epochs=4000") !=
            CTUNE_OK ||
        ctune_space_parse(&sp, "learning_rate: 0.001|0.002|0.003|0.004") != CTUNE_OK) {
        fprintf(stderr, "setup: %s\n", ctune_last_error());
        return 1;
    }
    double lat[100];
    for (int r = 0; r < reps; r++) {
        ctune_search *s;
        if (ctune_search_new_grid(&s, e, sp) != CTUNE_OK ||
            ctune_search_set_options(s, "cv=3, n_jobs=2") != CTUNE_OK) {
            fprintf(stderr, "search: %s\n", ctune_last_error());
            return 1;
        }
        canceller c = {s, delay, 0};
        pthread_t t;
        if (pthread_create(&t, NULL, cancel_later, &c) != 0)
            return 1;
        ctune_status st = ctune_search_fit(s, d);
        double t_end = now();
        pthread_join(t, NULL);
        if (st != CTUNE_ECANCELLED) {
            fprintf(stderr, "the search ended with %s before the cancel: raise epochs\n",
                    ctune_status_string(st));
            return 1;
        }
        lat[r] = t_end - c.t_cancel;
        printf("repeat %d: %.1f ms from ctune_search_cancel to the return of ctune_search_fit\n",
               r + 1, lat[r] * 1e3);
        ctune_search_free(s);
    }
    qsort(lat, (size_t)reps, sizeof *lat, cmp);
    printf("cancel latency over %d repeats: median %.1f ms, max %.1f ms (target <= 1000 ms)\n",
           reps, lat[reps / 2] * 1e3, lat[reps - 1] * 1e3);
    ctune_space_free(sp);
    ctune_estimator_free(e);
    ctune_data_free(d);
    return 0;
}
