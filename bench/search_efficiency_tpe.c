/* Search efficiency, TPE part: TPE against a randomized search with the same
 * number of trials, on the lecture's MLP problem.
 *
 * Workload: digits (embedded), one stratified 75/25 train/test split (seed
 * 0); each search runs 3-fold CV on the train part and refits its best
 * candidate on it; the score is that refitted estimator's accuracy on the
 * test part (free of the best-CV selection bias). Model: StandardScaler +
 * the MLP builder, epochs fixed. Space:
 *   learning_rate: loguniform(1e-4, 1e-1); nn: 16|64|256; nl: 1|2|3;
 *   activation: relu|tanh
 * Methods: random (ctune_search_new_randomized) and tpe
 * (ctune_search_new_tpe, batch 1), each with the same seeds (paired).
 *
 * usage: search_efficiency_tpe [--trials 30] [--seeds 5] [--epochs 27]
 *                              [--jobs 2] [--batch 1] [--methods random,tpe]
 * Prints one line per (method, seed) and the mean test accuracy per method.
 * bench/search_efficiency_tpe_optuna.py runs Optuna's own TPESampler on the
 * same objective through the Python binding. Not run by the tests. */
#define _POSIX_C_SOURCE 200809L
#define CTUNE_EXPERIMENTAL
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctune.h"

static const char *SPACE = "mlp__learning_rate: loguniform(1e-4, 1e-1); mlp__nn: 16|64|256; "
                           "mlp__nl: 1|2|3; mlp__activation: relu|tanh";

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void die(const char *what)
{
    fprintf(stderr, "search_efficiency_tpe: %s: %s\n", what, ctune_last_error());
    exit(1);
}

static ctune_estimator *make_model(long epochs)
{
    ctune_estimator *scaler, *mlp, *pipe;
    if (ctune_standard_scaler_new(&scaler) || ctune_mlp_classifier_new(&mlp) ||
        ctune_pipeline_new(&pipe))
        die("model");
    char fixed[64];
    snprintf(fixed, sizeof fixed, "epochs=%ld", epochs);
    if (ctune_estimator_set_params_text(mlp, fixed) ||
        ctune_pipeline_add_step(pipe, "scaler", scaler) ||
        ctune_pipeline_add_step(pipe, "mlp", mlp))
        die("pipeline");
    ctune_estimator_free(scaler);
    ctune_estimator_free(mlp);
    return pipe;
}

int main(int argc, char **argv)
{
    long trials = 30, seeds = 5, epochs = 27, jobs = 2, batch = 1;
    const char *methods = "random,tpe";
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--trials") == 0)
            trials = atol(argv[i + 1]);
        else if (strcmp(argv[i], "--seeds") == 0)
            seeds = atol(argv[i + 1]);
        else if (strcmp(argv[i], "--epochs") == 0)
            epochs = atol(argv[i + 1]);
        else if (strcmp(argv[i], "--jobs") == 0)
            jobs = atol(argv[i + 1]);
        else if (strcmp(argv[i], "--batch") == 0)
            batch = atol(argv[i + 1]);
        else if (strcmp(argv[i], "--methods") == 0)
            methods = argv[i + 1];
        else {
            fprintf(stderr, "usage: search_efficiency_tpe [--trials N] [--seeds N] [--epochs N] "
                            "[--jobs N] [--batch K] [--methods random,tpe]\n");
            return 2;
        }
    }
    ctune_data *all, *train, *test;
    if (ctune_dataset_load(&all, "digits", NULL))
        die("digits");
    if (ctune_train_test_split(&train, &test, all, 0.25, 0, 1))
        die("split");
    ctune_estimator *model = make_model(epochs);
    ctune_space *space;
    if (ctune_space_parse(&space, SPACE))
        die("space");
    printf("digits: %zu train, %zu test rows; %ld trials, %ld epochs, 3-fold CV, n_jobs %ld\n",
           ctune_data_n_rows(train), ctune_data_n_rows(test), trials, epochs, jobs);
    const char *names[] = {"random", "tpe"};
    for (int m = 0; m < 2; m++) {
        if (!strstr(methods, names[m]))
            continue;
        double sum = 0, sum_cv = 0, t_all = 0;
        for (long seed = 0; seed < seeds; seed++) {
            ctune_search *s;
            char tpe_opts[32];
            snprintf(tpe_opts, sizeof tpe_opts, "batch=%ld", batch);
            ctune_status st = m == 0 ? ctune_search_new_randomized(&s, model, space, (size_t)trials,
                                                                   (uint64_t)seed)
                                     : ctune_search_new_tpe(&s, model, space, (size_t)trials,
                                                            (uint64_t)seed, tpe_opts);
            if (st)
                die("search");
            char opts[96];
            snprintf(opts, sizeof opts, "cv=3, scoring=accuracy, n_jobs=%ld", jobs);
            if (ctune_search_set_options(s, opts))
                die("options");
            double t0 = now();
            if (ctune_search_fit(s, train))
                die("fit");
            double t = now() - t0, cv, acc;
            if (ctune_search_best_score(&cv, s) ||
                ctune_score(&acc, ctune_search_best_estimator(s), "accuracy", test))
                die("score");
            char params[256];
            ctune_params_to_text(params, sizeof params, ctune_search_best_params(s));
            printf("%-6s seed %ld: test %.4f  cv %.4f  %6.1f s  %s\n", names[m], seed, acc, cv, t,
                   params);
            fflush(stdout);
            sum += acc;
            sum_cv += cv;
            t_all += t;
            ctune_search_free(s);
        }
        printf("%-6s mean test accuracy %.4f (cv %.4f) over %ld seeds, %.0f s\n", names[m],
               sum / (double)seeds, sum_cv / (double)seeds, seeds, t_all);
    }
    ctune_space_free(space);
    ctune_estimator_free(model);
    ctune_data_free(train);
    ctune_data_free(test);
    ctune_data_free(all);
    return 0;
}
