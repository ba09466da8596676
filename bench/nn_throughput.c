/* nn_throughput — training throughput of the NN engine.
 *
 *   nn_throughput [--quick] [--rounds N]
 *
 * 1. The sgemm peak of this machine for 1 and 2 threads (a 1024³ product
 *    through the engine's GEMM entry point, median of several runs).
 * 2. One epoch of a 784-256-256-10 relu/softmax MLP, Adam, on synthetic
 *    data (60000 × 784 float32, labels from a fixed random linear teacher),
 *    at batch 32 and 128, with 1 and 2 threads: samples/s, achieved
 *    GFLOP/s counted as 6 × weights FLOPs per sample, and the ratio to the
 *    sgemm peak of the same thread count.
 * 3. With --rounds N: the batch-128 epoch N more times each, alternating 1
 *    and 2 threads (1, 2, 1, 2, ...), with the ratio of each pair and the
 *    best of each thread count: the figures the README quotes.
 *    2-thread lines also show how many training steps the pool ran split
 *    among threads and alone (its fallback when splitting does not pay).
 * 4. µs per training step of a 30-128-128-2 net at batch 10 on one thread.
 *
 * --quick uses 12000 rows and fewer repetitions. Built by meson, never run
 * by the tests. Figures are whole-run wall-clock timings of this program. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctune.h"
#define BENCH_GEMM_INFO
#include "bench_info.h"
#include "nn/gemm.h"
#include "nn/model.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void die(const char *what, ctune_status rc)
{
    fprintf(stderr, "%s failed: %s (%s)\n", what, ctune_status_string(rc), ctune_last_error());
    exit(1);
}
#define TRY(x)                   \
    do {                         \
        ctune_status rc__ = (x); \
        if (rc__ != CTUNE_OK)    \
            die(#x, rc__);       \
    } while (0)

static double sgemm_peak(int threads, int reps)
{
    enum { n = 1024 };
    float *A = malloc(sizeof(float) * n * n), *B = malloc(sizeof(float) * n * n);
    float *C = malloc(sizeof(float) * n * n);
    for (size_t i = 0; i < (size_t)n * n; i++) {
        A[i] = (float)((i * 2654435761u) % 1000) / 1000.0f - 0.5f;
        B[i] = (float)((i * 40503u) % 1000) / 1000.0f - 0.5f;
    }
    double *g = malloc(sizeof(double) * (size_t)reps);
    ctune__nn_pool *pool;
    TRY(ctune__nn_pool_new(&pool, threads));
    for (int r = -1; r < reps; r++) {
        int inner = 4;
        double t0 = now();
        for (int i = 0; i < inner; i++)
            ctune__sgemm(pool, 0, 0, n, n, n, 1.0f, A, n, B, n, 0.0f, C, n);
        double dt = (now() - t0) / inner;
        if (r >= 0)
            g[r] = 2.0 * n * n * n / dt / 1e9;
    }
    ctune__nn_pool_free(pool);
    qsort(g, (size_t)reps, sizeof *g, cmp_d);
    double med = g[reps / 2];
    free(g);
    free(A);
    free(B);
    free(C);
    return med;
}

static ctune_model *build(const size_t *widths, size_t n_layers, const char *opt)
{
    ctune_model *m;
    TRY(ctune_model_new(&m));
    for (size_t i = 1; i < n_layers; i++)
        TRY(ctune_model_add_dense(m, (int64_t)widths[i], i + 1 < n_layers ? "relu" : "softmax",
                                  NULL));
    TRY(ctune_model_compile(m, opt, "sparse_categorical_crossentropy", NULL));
    TRY(ctune_model_set_seed(m, 1));
    return m;
}

int main(int argc, char **argv)
{
    int quick = 0, rounds = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quick") == 0) {
            quick = 1;
        } else if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc) {
            char *end;
            long v = strtol(argv[++i], &end, 10);
            if (*end || v < 0 || v > 1000) {
                fprintf(stderr, "%s: --rounds takes 0..1000\n", argv[0]);
                return 2;
            }
            rounds = (int)v;
        } else {
            fprintf(stderr, "usage: %s [--quick] [--rounds N]\n", argv[0]);
            return 2;
        }
    }
    size_t rows = quick ? 12000 : 60000;
    int reps = quick ? 3 : 7;
    bench_print_info(quick ? "nn_throughput --quick" : "nn_throughput", "1 and 2 (each line says)");

    double peak[3] = {0};
    for (int t = 1; t <= 2; t++) {
        peak[t] = sgemm_peak(t, reps);
        printf("sgemm 1024^3, %d thread%s: %.1f GFLOP/s (median of %d)\n", t, t > 1 ? "s" : "",
               peak[t], reps);
    }

    /* synthetic data: X uniform in [0, 1), labels = argmax of a random linear teacher */
    enum { D = 784, K = 10 };
    float *X = malloc(sizeof(float) * rows * D), *T = malloc(sizeof(float) * D * K);
    float *S = malloc(sizeof(float) * rows * K);
    double *y = malloc(sizeof(double) * rows);
    ctune_rng *rng;
    TRY(ctune_rng_new(&rng, 2024, 0));
    for (size_t i = 0; i < rows * D; i++)
        X[i] = (float)ctune_rng_uniform(rng);
    for (size_t i = 0; i < (size_t)D * K; i++)
        T[i] = (float)ctune_rng_normal(rng);
    ctune__sgemm(NULL, 0, 0, rows, K, D, 1.0f, X, D, T, K, 0.0f, S, K);
    for (size_t i = 0; i < rows; i++) {
        size_t best = 0;
        for (size_t k = 1; k < K; k++)
            if (S[i * K + k] > S[i * K + best])
                best = k;
        y[i] = (double)best;
    }
    ctune_data *data;
    TRY(ctune_data_new(&data, X, CTUNE_FLOAT32, rows, D, 0, y, 1));

    static const size_t big[] = {784, 256, 256, 10};
    double weights = 784.0 * 256 + 256.0 * 256 + 256.0 * 10;
    double flop_per_sample = 6.0 * weights;
    printf("\n784-256-256-10 relu/softmax, Adam, %zu × 784 float32, one epoch "
           "(%.2f MFLOP per sample = 6 × weights)\n",
           rows, flop_per_sample / 1e6);
    static const int batches[] = {32, 128};
    for (int b = 0; b < 2; b++)
        for (int t = 1; t <= 2; t++) {
            ctune_model *m = build(big, 4, "adam");
            TRY(ctune_model_set_threads(m, t));
            TRY(ctune_model_build(m, D));
            double t0 = now();
            TRY(ctune_model_fit(m, data, 1, batches[b], NULL));
            double dt = now() - t0;
            double sps = (double)rows / dt, gf = sps * flop_per_sample / 1e9;
            double loss;
            TRY(ctune_model_history_value(&loss, m, "loss", 0));
            printf("batch %3d, %d thread%s: %9.0f samples/s  %6.1f GFLOP/s  %5.1f %% of sgemm peak"
                   "  (%.2f s, loss %.3f",
                   batches[b], t, t > 1 ? "s" : " ", sps, gf, 100.0 * gf / peak[t], dt, loss);
            if (t > 1)
                printf(", steps split %lld / alone %lld", (long long)m->fit_split_steps,
                       (long long)m->fit_alone_steps);
            printf(")\n");
            fflush(stdout);
            ctune_model_free(m);
        }
    if (rounds > 0) {
        printf("\nbatch 128, alternating 1 and 2 threads, %d rounds (samples/s)\n", rounds);
        double best[3] = {0}, *ratio = malloc(sizeof(double) * (size_t)rounds);
        for (int r = 0; r < rounds; r++) {
            double sps[3];
            long long split = 0, alone = 0;
            for (int t = 1; t <= 2; t++) {
                ctune_model *m = build(big, 4, "adam");
                TRY(ctune_model_set_threads(m, t));
                TRY(ctune_model_build(m, D));
                double t0 = now();
                TRY(ctune_model_fit(m, data, 1, 128, NULL));
                sps[t] = (double)rows / (now() - t0);
                best[t] = sps[t] > best[t] ? sps[t] : best[t];
                if (t > 1) {
                    split = m->fit_split_steps;
                    alone = m->fit_alone_steps;
                }
                ctune_model_free(m);
            }
            ratio[r] = sps[2] / sps[1];
            printf("round %2d: 1 thread %9.0f  2 threads %9.0f  ratio %.2f  (steps split %lld / "
                   "alone %lld)\n",
                   r + 1, sps[1], sps[2], ratio[r], split, alone);
            fflush(stdout);
        }
        qsort(ratio, (size_t)rounds, sizeof *ratio, cmp_d);
        printf("best 1 thread %.0f, best 2 threads %.0f (%.2fx); ratio per round: min %.2f, "
               "median %.2f, max %.2f\n",
               best[1], best[2], best[2] / best[1], ratio[0], ratio[rounds / 2], ratio[rounds - 1]);
        free(ratio);
    }
    ctune_data_free(data);
    free(X);
    free(T);
    free(S);
    free(y);

    /* small net: µs per step */
    enum { SD = 30 };
    size_t srows = quick ? 5000 : 20000;
    int epochs = quick ? 2 : 5;
    float *Xs = malloc(sizeof(float) * srows * SD);
    double *ys = malloc(sizeof(double) * srows);
    for (size_t i = 0; i < srows; i++) {
        double s = 0;
        for (size_t j = 0; j < SD; j++) {
            Xs[i * SD + j] = (float)ctune_rng_normal(rng);
            s += Xs[i * SD + j] * (j % 2 ? 1.0 : -0.5);
        }
        ys[i] = s > 0;
    }
    ctune_data *ds;
    TRY(ctune_data_new(&ds, Xs, CTUNE_FLOAT32, srows, SD, 0, ys, 1));
    static const size_t small[] = {30, 128, 128, 2};
    static const char *const opts[] = {"adam", "sgd"};
    printf("\n30-128-128-2 relu/softmax, batch 10, 1 thread, %zu rows × %d epochs\n", srows,
           epochs);
    for (int o = 0; o < 2; o++) {
        double best = INFINITY;
        for (int r = 0; r < (quick ? 2 : 3); r++) {
            ctune_model *m = build(small, 4, opts[o]);
            TRY(ctune_model_build(m, SD));
            double t0 = now();
            TRY(ctune_model_fit(m, ds, epochs, 10, NULL));
            double dt = now() - t0;
            double us = dt * 1e6 / ((double)epochs * (double)((srows + 9) / 10));
            best = us < best ? us : best;
            ctune_model_free(m);
        }
        printf("%-4s: %.2f µs per training step (best of %d runs)\n", opts[o], best, quick ? 2 : 3);
    }
    ctune_data_free(ds);
    free(Xs);
    free(ys);
    ctune_rng_free(rng);
    return 0;
}
