/* Times decision-tree fits on digits the way a randomized search runs them:
 * 50 candidates drawn from {max_depth: 3|5|10|none, max_features:
 * randint(1, 65), min_samples_leaf: randint(1, 10), criterion: gini|entropy}
 * × 5 unshuffled folds (each fit on ~1437 × 64), i.e. 250 fits, each
 * followed by scoring its test fold.
 *
 * usage: tree_fit path/to/digits.csv [repeats]
 * Prints the mean time per fit (µs), per fit + score, the mean fit time of
 * the fastest repeat (robust on a busy machine) and the best mean CV
 * accuracy. Not run by the tests. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctune.h"
#define BENCH_GEMM_INFO
#include "bench_info.h"

static int load_csv(const char *path, double **Xo, double **yo, size_t *no, size_t *do_)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char *line = NULL;
    size_t cap = 0, d = 0, n = 0, rows = 0;
    double *X = NULL, *y = NULL;
    int header = 1;
    while (getline(&line, &cap, f) > 0) {
        if (header) {
            for (char *c = line; *c; c++)
                d += *c == ',';
            header = 0;
            continue;
        }
        if (n == rows) {
            rows = rows ? 2 * rows : 1024;
            X = realloc(X, rows * d * sizeof *X);
            y = realloc(y, rows * sizeof *y);
            if (!X || !y)
                return -1;
        }
        char *p = line;
        for (size_t j = 0; j <= d; j++) {
            double v = strtod(p, &p);
            if (j < d)
                X[n * d + j] = v;
            else
                y[n] = v;
            if (*p == ',')
                p++;
        }
        n++;
    }
    free(line);
    fclose(f);
    *Xo = X;
    *yo = y;
    *no = n;
    *do_ = d;
    return 0;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

#define CHECK(x)                                                        \
    do {                                                                \
        if ((x) != CTUNE_OK) {                                          \
            fprintf(stderr, "%s failed: %s\n", #x, ctune_last_error()); \
            return 1;                                                   \
        }                                                               \
    } while (0)

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s digits.csv [repeats]\n", argv[0]);
        return 2;
    }
    int repeats = argc > 2 ? atoi(argv[2]) : 1;
    bench_print_info("tree_fit", "1");
    double *X, *y;
    size_t n, d;
    if (load_csv(argv[1], &X, &y, &n, &d) != 0) {
        fprintf(stderr, "cannot read %s\n", argv[1]);
        return 1;
    }
    ctune_data *all;
    CHECK(ctune_data_new(&all, X, CTUNE_FLOAT64, n, d, 0, y, 1));
    enum { K = 5, CAND = 50 };
    ctune_data *train[K], *test[K];
    size_t *idx = malloc(n * sizeof *idx);
    for (int k = 0; k < K; k++) {
        size_t lo = n * (size_t)k / K, hi = n * (size_t)(k + 1) / K, m = 0;
        for (size_t i = 0; i < n; i++)
            if (i < lo || i >= hi)
                idx[m++] = i;
        CHECK(ctune_data_subset(&train[k], all, idx, m));
        for (size_t i = lo; i < hi; i++)
            idx[i - lo] = i;
        CHECK(ctune_data_subset(&test[k], all, idx, hi - lo));
    }
    ctune_rng *rng;
    CHECK(ctune_rng_new(&rng, 42, 0));
    static const char *depths[] = {"3", "5", "10", "none"};
    static const char *crits[] = {"gini", "entropy"};
    char params[CAND][160];
    for (int c = 0; c < CAND; c++)
        snprintf(params[c], sizeof params[c],
                 "max_depth=%s, max_features=%d, min_samples_leaf=%d, criterion=%s, seed=%d",
                 depths[ctune_rng_below(rng, 4)], 1 + (int)ctune_rng_below(rng, 64),
                 1 + (int)ctune_rng_below(rng, 9), crits[ctune_rng_below(rng, 2)], c);
    ctune_rng_free(rng);

    double fit_time = 0, total_time = 0, best = 0, fastest_fits = 1e30;
    long fits = 0;
    for (int r = 0; r < repeats; r++) {
        double rep_fit = fit_time;
        for (int c = 0; c < CAND; c++) {
            ctune_estimator *tree;
            CHECK(ctune_decision_tree_classifier_new(&tree));
            CHECK(ctune_estimator_set_params_text(tree, params[c]));
            double mean = 0;
            for (int k = 0; k < K; k++) {
                double t0 = now();
                CHECK(ctune_estimator_fit(tree, train[k]));
                double t1 = now();
                double acc;
                CHECK(ctune_estimator_score(&acc, tree, test[k]));
                double t2 = now();
                fit_time += t1 - t0;
                total_time += t2 - t0;
                mean += acc / K;
                fits++;
            }
            if (mean > best)
                best = mean;
            ctune_estimator_free(tree);
        }
        if (fit_time - rep_fit < fastest_fits)
            fastest_fits = fit_time - rep_fit;
    }
    printf("digits %zu x %zu, %ld tree fits (%d candidates x %d folds x %d repeats)\n", n, d, fits,
           CAND, K, repeats);
    printf("mean fit: %.1f us, mean fit + score: %.1f us, whole search: %.3f s per repeat\n",
           1e6 * fit_time / (double)fits, 1e6 * total_time / (double)fits, total_time / repeats);
    printf("fastest repeat: %.1f us per fit\n", 1e6 * fastest_fits / (CAND * K));
    printf("best mean CV accuracy: %.4f\n", best);
    for (int k = 0; k < K; k++) {
        ctune_data_free(train[k]);
        ctune_data_free(test[k]);
    }
    ctune_data_free(all);
    free(idx);
    free(X);
    free(y);
    return 0;
}
