/* The lecture's randomized search over MPI: StandardScaler + MLP on breast
 * cancer, 20 candidates × 3 folds, first on 1 rank (rank 0 alone, on
 * MPI_COMM_SELF, while the other ranks sleep), then on every rank of
 * MPI_COMM_WORLD. Prints the elapsed time and best score of each run, the
 * speed-up, and whether both runs gave the same results table (all columns
 * but the times, compared bit for bit).
 *
 *   mpirun -np 2 build/bench/mpi_search [--repeat=N] [search options]
 *
 * Each run is repeated N times (default 5); the median times are reported.
 * e.g. "n_jobs=2" as the argument gives each rank 2 worker threads (use
 * mpirun --bind-to none then: Open MPI binds each of 2 ranks to one core). */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_info.h"
#include "ctune_mpi.h"

static const char SPACE[] =
    "mlp__optimizer: sgd|adam; mlp__activation: relu|tanh; mlp__batch_size: 10|32|64; "
    "mlp__epochs: 20; mlp__nl: 1|2; mlp__nn: 16|64|128; mlp__learning_rate: 0.001|0.01";

static int die(const char *what)
{
    fprintf(stderr, "mpi_search: %s: %s\n", what, ctune_last_error());
    MPI_Abort(MPI_COMM_WORLD, 1);
    return 1;
}

/* The results table without its time columns, exact (%a) doubles. */
static char *signature(const ctune_search *s)
{
    size_t cap = 1 << 16, len = 0;
    char *out = malloc(cap), cell[1024];
    out[0] = '\0';
    for (size_t j = 0; j < ctune_search_n_columns(s); j++) {
        const char *col = ctune_search_column_name(s, j);
        if (strstr(col, "_time"))
            continue;
        for (size_t i = 0; i < ctune_search_n_candidates(s); i++) {
            double v;
            if (ctune_search_result(&v, s, col, i) == CTUNE_OK)
                snprintf(cell, sizeof cell, "%a", v);
            else
                ctune_search_result_text(cell, sizeof cell, s, col, i);
            size_t need = strlen(col) + strlen(cell) + 32;
            if (len + need >= cap)
                out = realloc(out, cap = 2 * cap + need);
            len += (size_t)snprintf(out + len, cap - len, "%s[%zu]=%s\n", col, i, cell);
        }
    }
    return out;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* One search over `comm`, `repeat` times; rank 0 of `comm` prints and gets
 * the median elapsed time and the signature of the results (NULL
 * elsewhere). */
static char *run(const ctune_estimator *model, const ctune_space *space, const ctune_data *data,
                 MPI_Comm comm, const char *options, const char *label, int repeat, double *median)
{
    double times[64];
    char *sig = NULL;
    if (repeat > 64)
        repeat = 64;
    for (int k = 0; k < repeat; k++) {
        int rank, size;
        MPI_Comm_rank(comm, &rank);
        MPI_Comm_size(comm, &size);
        ctune_search *s;
        if (ctune_search_new_randomized(&s, model, space, 20, 42) != CTUNE_OK)
            die("search");
        if (ctune_search_set_options(s, "cv=3") != CTUNE_OK ||
            (options && ctune_search_set_options(s, options) != CTUNE_OK))
            die("search options");
        MPI_Barrier(comm); /* every rank starts together */
        double t0 = MPI_Wtime();
        if (ctune_mpi_search_fit(s, data, comm, NULL) != CTUNE_OK)
            die("ctune_mpi_search_fit");
        double elapsed = MPI_Wtime() - t0;
        times[k] = elapsed;
        if (rank == 0 && k == repeat - 1) {
            qsort(times, (size_t)repeat, sizeof *times, cmp_double);
            *median = times[repeat / 2];
            double best;
            char params[512];
            ctune_search_best_score(&best, s);
            ctune_params_to_text(params, sizeof params, ctune_search_best_params(s));
            printf("%-6s %d rank%s: median %.3f s (min %.3f, max %.3f, %d runs)   best score %.6f\n"
                   "         best params: %s\n",
                   label, size, size > 1 ? "s" : " ", *median, times[0], times[repeat - 1], repeat,
                   best, params);
            double busy = 0, v;
            for (size_t i = 0; i < ctune_search_n_candidates(s); i++) {
                if (ctune_search_result(&v, s, "mean_fit_time", i) == CTUNE_OK)
                    busy += 3 * v;
                if (ctune_search_result(&v, s, "mean_score_time", i) == CTUNE_OK)
                    busy += 3 * v;
            }
            printf("         (task time summed over the ranks %.2f s; refit of the best on rank 0 "
                   "%.3f s)\n",
                   busy, ctune_search_refit_time(s));
            fflush(stdout);
            sig = signature(s);
        }
        ctune_search_free(s);
    }
    return sig;
}

/* Waits for rank 0 without spinning a core (MPI's blocking waits poll). */
static void sleepy_barrier(void)
{
    MPI_Request req;
    MPI_Ibarrier(MPI_COMM_WORLD, &req);
    for (int done = 0; !done;) {
        MPI_Test(&req, &done, MPI_STATUS_IGNORE);
        struct timespec ts = {0, 1000000L};
        if (!done)
            nanosleep(&ts, NULL);
    }
}

int main(int argc, char **argv)
{
    if (ctune_mpi_init(&argc, &argv, NULL) != CTUNE_OK)
        return die("ctune_mpi_init");
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    const char *options = NULL;
    int repeat = 5;
    for (int i = 1; i < argc; i++) {
        if (strncmp(argv[i], "--repeat=", 9) == 0)
            repeat = atoi(argv[i] + 9) > 0 ? atoi(argv[i] + 9) : 1;
        else
            options = argv[i];
    }

    /* every rank loads the data and builds the same search */
    ctune_data *data;
    if (ctune_dataset_load(&data, "breast_cancer", NULL) != CTUNE_OK)
        return die("breast_cancer");
    ctune_estimator *scaler, *mlp, *pipe;
    if (ctune_standard_scaler_new(&scaler) != CTUNE_OK ||
        ctune_mlp_classifier_new(&mlp) != CTUNE_OK || ctune_pipeline_new(&pipe) != CTUNE_OK ||
        ctune_pipeline_add_step(pipe, "scaler", scaler) != CTUNE_OK ||
        ctune_pipeline_add_step(pipe, "mlp", mlp) != CTUNE_OK)
        return die("StandardScaler + MLPClassifier pipeline");
    ctune_space *space;
    if (ctune_space_parse(&space, SPACE) != CTUNE_OK)
        return die("space");
    if (rank == 0) {
        char th[64];
        snprintf(th, sizeof th, "1 per rank, %d rank%s", size, size > 1 ? "s" : "");
        bench_print_info("mpi_search", th);
        printf("breast cancer (%zu x %zu), StandardScaler + MLPClassifier, 20 candidates x 3 "
               "folds, seed 42%s%s\n",
               ctune_data_n_rows(data), ctune_data_n_cols(data), options ? ", " : "",
               options ? options : "");
        fflush(stdout);
    }

    char *one = NULL, *all = NULL;
    double t1 = 0, tn = 0;
    if (rank == 0)
        one = run(pipe, space, data, MPI_COMM_SELF, options, "alone", repeat, &t1);
    sleepy_barrier();
    if (size > 1)
        all = run(pipe, space, data, MPI_COMM_WORLD, options, "all", repeat, &tn);
    if (rank == 0 && all) {
        printf("speed-up of %d ranks over 1: %.2fx\n", size, t1 / tn);
        printf("results of the two runs: %s\n",
               strcmp(one, all) == 0 ? "identical (every column but the times, bit for bit)"
                                     : "DIFFERENT");
    }
    free(one);
    free(all);
    ctune_space_free(space);
    ctune_estimator_free(pipe);
    ctune_estimator_free(mlp);
    ctune_estimator_free(scaler);
    ctune_data_free(data);
    ctune_mpi_finalize();
    return 0;
}
