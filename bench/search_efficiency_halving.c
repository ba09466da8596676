/* Search efficiency of successive halving and Hyperband against a
 * full-budget random search with the same number of candidates.
 *
 * Workload: digits (embedded), a fixed stratified 75/25 train/test split
 * (within each class, every 4th row is a test row), tuning by 3-fold CV
 * on the train part, score = the refitted best's accuracy on the test
 * part (no best-CV selection bias). Space: learning_rate loguniform(1e-4,
 * 1e-1), nn 16|64|256, nl 1|2|3, activation relu|tanh; epochs up to 27.
 * Methods, each on the same seeds:
 *   random27   27 candidates × 27 epochs
 *   halving    HalvingRandomSearchCV: resource=epochs, max_resources=27,
 *              n_candidates=27, factor=3 (27 × 1, 9 × 3, 3 × 9, 1 × 27)
 *   random49   49 candidates × 27 epochs (Hyperband's candidate count)
 *   hyperband  max_epochs=27, factor=3 (brackets of 27, 12, 6, 4)
 * Cost: epoch·rows of the tuning fits (folds included, refit excluded);
 * with warm start a candidate costs its last round's epochs.
 *
 * Usage: search_efficiency_halving [seeds=5] [n_jobs=1]
 * Prints one line per method and seed, then the means. */
#define CTUNE_EXPERIMENTAL
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctune.h"

#define DIE(what)                                              \
    do {                                                       \
        fprintf(stderr, "%s: %s\n", what, ctune_last_error()); \
        exit(1);                                               \
    } while (0)

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Epoch·rows of a halving / Hyperband search's tuning fits: each
 * candidate (per fold) costs the epochs of the last round it ran in. */
static double warm_cost(ctune_search *s, double rows_per_fit, size_t folds)
{
    size_t n = ctune_search_n_rows(s);
    double cost = 0;
    for (size_t i = 0; i < n; i++) {
        double r, next_r = 0;
        ctune_search_result(&r, s, "n_resources", i);
        /* the row's candidate continues later iff a later row has its params */
        char a[1024], b[1024];
        ctune_params_to_text(a, sizeof a, ctune_search_row_params(s, i));
        /* strip the resource: compare the rest */
        int promoted = 0;
        for (size_t j = i + 1; j < n && !promoted; j++) {
            ctune_search_result(&next_r, s, "n_resources", j);
            if (next_r <= r)
                continue;
            ctune_params *p;
            ctune_params_copy(&p, ctune_search_row_params(s, j));
            ctune_params_set_int(p, "epochs", (int64_t)r);
            ctune_params_to_text(b, sizeof b, p);
            ctune_params_free(p);
            promoted = strcmp(a, b) == 0;
        }
        if (!promoted)
            cost += r;
    }
    return cost * rows_per_fit * (double)folds;
}

int main(int argc, char **argv)
{
    int seeds = argc > 1 ? atoi(argv[1]) : 5;
    long n_jobs = argc > 2 ? atol(argv[2]) : 1;
    ctune_data *all;
    if (ctune_dataset_load(&all, "digits", NULL) != CTUNE_OK)
        DIE("digits");
    size_t n = ctune_data_n_rows(all), n_tr = 0, n_te = 0;
    size_t *tr = malloc(n * sizeof *tr), *te = malloc(n * sizeof *te);
    size_t seen[16] = {0};
    for (size_t i = 0; i < n; i++) {
        size_t c = (size_t)ctune_data_y(all, i, 0);
        if (seen[c]++ % 4 == 0)
            te[n_te++] = i;
        else
            tr[n_tr++] = i;
    }
    ctune_data *train, *test;
    if (ctune_data_subset(&train, all, tr, n_tr) != CTUNE_OK ||
        ctune_data_subset(&test, all, te, n_te) != CTUNE_OK)
        DIE("split");
    ctune_estimator *mlp;
    if (ctune_mlp_classifier_new(&mlp) != CTUNE_OK ||
        ctune_estimator_set_params_text(mlp, "batch_size=32, epochs=27") != CTUNE_OK)
        DIE("mlp");
    ctune_space *space;
    if (ctune_space_parse(&space, "learning_rate: loguniform(1e-4, 1e-1); nn: 16|64|256; "
                                  "nl: 1|2|3; activation: relu|tanh") != CTUNE_OK)
        DIE("space");
    const size_t folds = 3;
    double rows_per_fit = (double)n_tr * (double)(folds - 1) / (double)folds;
    const char *names[4] = {"random27", "halving", "random49", "hyperband"};
    double acc_sum[4] = {0}, cost_sum[4] = {0}, time_sum[4] = {0};
    printf("digits: %zu train rows, %zu test rows; 3-fold CV; %d seeds; n_jobs=%ld\n", n_tr, n_te,
           seeds, n_jobs);
    for (int seed = 1; seed <= seeds; seed++) {
        for (int m = 0; m < 4; m++) {
            ctune_search *s = NULL;
            ctune_status rc;
            if (m == 0 || m == 2)
                rc = ctune_search_new_randomized(&s, mlp, space, m == 0 ? 27 : 49, (uint64_t)seed);
            else if (m == 1)
                rc = ctune_search_new_halving(&s, mlp, space, 1, (uint64_t)seed,
                                              "resource=epochs, max_resources=27, "
                                              "n_candidates=27, factor=3");
            else
                rc = ctune_search_new_hyperband(&s, mlp, space, (uint64_t)seed,
                                                "max_epochs=27, factor=3");
            if (rc != CTUNE_OK || ctune_search_set_cv(s, folds) != CTUNE_OK ||
                ctune_search_set_n_jobs(s, n_jobs) != CTUNE_OK)
                DIE(names[m]);
            double t0 = now();
            if (ctune_search_fit(s, train) != CTUNE_OK)
                DIE(names[m]);
            double t = now() - t0, acc = 0;
            if (ctune_estimator_score(&acc, ctune_search_best_estimator(s), test) != CTUNE_OK)
                DIE("score");
            double cost = m == 0 || m == 2 ? (double)ctune_search_n_candidates(s) * 27.0 *
                                                 rows_per_fit * (double)folds
                                           : warm_cost(s, rows_per_fit, folds);
            printf("seed %d %-9s test_accuracy %.4f  epoch_rows %.4g  time %.1f s\n", seed,
                   names[m], acc, cost, t);
            fflush(stdout);
            acc_sum[m] += acc;
            cost_sum[m] += cost;
            time_sum[m] += t;
            ctune_search_free(s);
        }
    }
    printf("\nmean over %d seeds:\n", seeds);
    for (int m = 0; m < 4; m++) {
        int ref = m < 2 ? 0 : 2;
        printf("%-9s test_accuracy %.4f (%+.4f vs %s)  epoch_rows %.4g (%.1f %% of %s)  "
               "time %.1f s\n",
               names[m], acc_sum[m] / seeds, (acc_sum[m] - acc_sum[ref]) / seeds, names[ref],
               cost_sum[m] / seeds, 100.0 * cost_sum[m] / cost_sum[ref], names[ref],
               time_sum[m] / seeds);
    }
    ctune_space_free(space);
    ctune_estimator_free(mlp);
    ctune_data_free(train);
    ctune_data_free(test);
    ctune_data_free(all);
    free(tr);
    free(te);
    return 0;
}
