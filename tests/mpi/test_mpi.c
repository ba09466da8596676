/* MPI search and cross_validate, run by mpirun with 2 and 3 ranks: results
 * must be bit-identical to a serial run done here on rank 0 (scores, ranks,
 * best candidate, error texts; not the times), on every rank.
 *
 * Not a Check suite: Check's fork mode cannot fork MPI processes, and every
 * rank must take part in every test. Each test returns its failures; the
 * ranks agree on the outcome (MPI_Allreduce) and rank 0 prints it.
 *
 * Usage: test_mpi [dead-rank]   (dead-rank: rank 1 kills itself during a
 * task; run with mpirun --enable-recovery so that rank 0 survives). */
#define _POSIX_C_SOURCE 200809L
#define CTUNE_EXPERIMENTAL /* halving, Hyperband, ctune_search_new_tpe() */
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ctune_mpi.h"
#include "ctune_testing.h"

static int g_rank, g_size, g_fails;

static void failf(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "[rank %d] %s:%d: ", g_rank, file, line);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    g_fails++;
}

#define CHECK(cond, ...)                            \
    do {                                            \
        if (!(cond))                                \
            failf(__FILE__, __LINE__, __VA_ARGS__); \
    } while (0)
#define CHECK_STATUS(expr, want)                                                          \
    do {                                                                                  \
        ctune_status st__ = (expr);                                                       \
        CHECK(st__ == (want), "%s returned %d (%s), expected %d; error: %s", #expr, st__, \
              ctune_status_string(st__), (int)(want), ctune_last_error());                \
    } while (0)
#define CHECK_OK(expr) CHECK_STATUS(expr, CTUNE_OK)
#define CHECK_ERROR_HAS(needle)                                                  \
    CHECK(strstr(ctune_last_error(), (needle)) != NULL, "error '%s' lacks '%s'", \
          ctune_last_error(), (needle))

/* ---- test estimators (public vtable only) ---------------------------------------------- */

/* NearestCentroid with shrink in [0, 1]; fit fails (CTUNE_ENUMERIC) when
 * shrink > fail_above; sleeps delay_ms per fit (polling cancellation);
 * die_rank: that MPI_COMM_WORLD rank kills itself in fit (dead-rank test). */
static const ctune_param_spec NC_PARAMS[] = {
    {"shrink", CTUNE_TYPE_DOUBLE, "0", "[0, 1]", NULL, "pull toward the mean"},
    {"fail_above", CTUNE_TYPE_DOUBLE | CTUNE_TYPE_NONE, "none", NULL, NULL, "fit fails above"},
    {"delay_ms", CTUNE_TYPE_INT, "0", "[0, 100000]", NULL, "sleep in fit"},
    {"die_rank", CTUNE_TYPE_INT, "-1", NULL, NULL, "rank that dies in fit"},
    {NULL, 0, NULL, NULL, NULL, NULL},
};

typedef struct {
    double shrink, fail_above;
    long delay_ms, die_rank;
    size_t k, d;
    double *mu;
} nc;

static ctune_status nc_create(void **self, const ctune_params *p, void *user)
{
    (void)user;
    nc *m = calloc(1, sizeof *m);
    if (!m)
        return ctune_set_error(CTUNE_ENOMEM, "NC: out of memory");
    int64_t v;
    ctune_params_get_double(&m->shrink, p, "shrink");
    m->fail_above = INFINITY;
    if (!ctune_params_is_none(p, "fail_above"))
        ctune_params_get_double(&m->fail_above, p, "fail_above");
    ctune_params_get_int(&v, p, "delay_ms");
    m->delay_ms = (long)v;
    ctune_params_get_int(&v, p, "die_rank");
    m->die_rank = (long)v;
    *self = m;
    return CTUNE_OK;
}

static void nc_destroy(void *self)
{
    nc *m = self;
    if (m)
        free(m->mu);
    free(m);
}

static ctune_status nc_fit(void *self, const ctune_data *train, size_t k, const ctune_fit_ctx *ctx)
{
    nc *m = self;
    if (m->die_rank >= 0 && m->die_rank == g_rank)
        raise(SIGKILL);
    for (long i = 0; i < m->delay_ms; i++) {
        if (ctune_fit_ctx_cancelled(ctx))
            return ctune_set_error(CTUNE_ECANCELLED, "NC: cancelled");
        struct timespec ts = {0, 1000000L};
        nanosleep(&ts, NULL);
    }
    if (m->shrink > m->fail_above)
        return ctune_set_error(CTUNE_ENUMERIC, "NC: shrink %g is above fail_above %g", m->shrink,
                               m->fail_above);
    size_t n = ctune_data_n_rows(train), d = ctune_data_n_cols(train);
    double *mu = calloc(k * d, sizeof *mu), *mean = calloc(d, sizeof *mean);
    double *row = malloc(d * sizeof *row);
    size_t *count = calloc(k, sizeof *count);
    if (!mu || !mean || !row || !count) {
        free(mu), free(mean), free(row), free(count);
        return ctune_set_error(CTUNE_ENOMEM, "NC: out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        size_t c = (size_t)ctune_data_y(train, i, 0);
        ctune_data_gather_f64(row, d, train, &i, 1);
        for (size_t j = 0; j < d; j++) {
            mu[c * d + j] += row[j];
            mean[j] += row[j] / (double)n;
        }
        count[c]++;
    }
    for (size_t c = 0; c < k; c++)
        for (size_t j = 0; j < d; j++)
            mu[c * d + j] = (1 - m->shrink) * mu[c * d + j] / (double)(count[c] ? count[c] : 1) +
                            m->shrink * mean[j];
    free(m->mu);
    m->mu = mu;
    m->k = k;
    m->d = d;
    free(mean), free(row), free(count);
    return CTUNE_OK;
}

static ctune_status nc_predict(void *self, const ctune_data *X, double *out)
{
    const nc *m = self;
    double *row = malloc(m->d * sizeof *row);
    if (!row)
        return ctune_set_error(CTUNE_ENOMEM, "NC: out of memory");
    for (size_t i = 0; i < ctune_data_n_rows(X); i++) {
        ctune_data_gather_f64(row, m->d, X, &i, 1);
        size_t best = 0;
        double bd = INFINITY;
        for (size_t c = 0; c < m->k; c++) {
            double dist = 0;
            for (size_t j = 0; j < m->d; j++)
                dist += (row[j] - m->mu[c * m->d + j]) * (row[j] - m->mu[c * m->d + j]);
            if (dist < bd) {
                bd = dist;
                best = c;
            }
        }
        out[i] = (double)best;
    }
    free(row);
    return CTUNE_OK;
}

static const ctune_estimator_vtable NC_VT = {
    .version = CTUNE_ESTIMATOR_VTABLE_VERSION,
    .name = "TestCentroid",
    .kind = CTUNE_CLASSIFIER,
    .params = NC_PARAMS,
    .create = nc_create,
    .fit = nc_fit,
    .predict = nc_predict,
    .destroy = nc_destroy,
};

/* Seeded: its score is a function of the seed its fit derived from the
 * task stream, so any task run with the wrong stream shows. */
static const ctune_param_spec SEEDED_PARAMS[] = {
    {"seed", CTUNE_TYPE_INT, "0", "[0, 1000000]", NULL, "own seed"},
    {"level", CTUNE_TYPE_INT, "0", NULL, NULL, "unused: a space to search"},
    {NULL, 0, NULL, NULL, NULL, NULL},
};

typedef struct {
    int64_t seed;
    uint64_t fitted;
} seeded;

static ctune_status sd_create(void **self, const ctune_params *p, void *user)
{
    (void)user;
    seeded *m = calloc(1, sizeof *m);
    if (!m)
        return ctune_set_error(CTUNE_ENOMEM, "Seeded: out of memory");
    ctune_params_get_int(&m->seed, p, "seed");
    *self = m;
    return CTUNE_OK;
}

static void sd_destroy(void *self) { free(self); }

static ctune_status sd_fit(void *self, const ctune_data *train, size_t k, const ctune_fit_ctx *ctx)
{
    (void)train, (void)k;
    seeded *m = self;
    m->fitted = ctune_fit_ctx_seed(ctx, (uint64_t)m->seed);
    return CTUNE_OK;
}

static ctune_status sd_predict(void *self, const ctune_data *X, double *out)
{
    (void)self;
    for (size_t i = 0; i < ctune_data_n_rows(X); i++)
        out[i] = 0;
    return CTUNE_OK;
}

static ctune_status sd_score(void *self, const ctune_data *data, double *out)
{
    (void)data;
    const seeded *m = self;
    *out = (double)(m->fitted % 1000003u) / 1000003.0 + 1e-9 * (double)(m->fitted >> 40);
    return CTUNE_OK;
}

static const ctune_estimator_vtable SEEDED_VT = {
    .version = CTUNE_ESTIMATOR_VTABLE_VERSION,
    .name = "TestSeeded",
    .kind = CTUNE_CLASSIFIER,
    .params = SEEDED_PARAMS,
    .create = sd_create,
    .fit = sd_fit,
    .predict = sd_predict,
    .score = sd_score,
    .destroy = sd_destroy,
};

/* ---- data ------------------------------------------------------------------------------ */

typedef struct {
    double *X, *y;
    ctune_data *data;
} dataset;

/* Two overlapping blobs in 3-D, labels {2, 5}; deterministic. */
static dataset blobs(size_t n, int poison)
{
    dataset d;
    d.X = malloc(n * 3 * sizeof *d.X);
    d.y = malloc(n * sizeof *d.y);
    uint64_t s = 12345;
    for (size_t i = 0; i < n; i++) {
        int c = (int)((i / 4) % 2);
        for (size_t j = 0; j < 3; j++) {
            s = s * 6364136223846793005ULL + 1442695040888963407ULL;
            double u = (double)(s >> 11) / 9007199254740992.0;
            d.X[i * 3 + j] = (c ? 0.8 : -0.8) + 2.0 * (u - 0.5) * 2.2;
        }
        d.y[i] = c ? 5 : 2;
    }
    if (poison)
        d.X[7 * 3 + 1] = NAN;
    if (ctune_data_new(&d.data, d.X, CTUNE_FLOAT64, n, 3, 0, d.y, 1) != CTUNE_OK) {
        fprintf(stderr, "cannot make test data: %s\n", ctune_last_error());
        MPI_Abort(MPI_COMM_WORLD, 2);
    }
    return d;
}

static void dataset_free(dataset *d)
{
    ctune_data_free(d->data);
    free(d->X);
    free(d->y);
}

static ctune_estimator *new_est(const ctune_estimator_vtable *vt, const char *params)
{
    ctune_estimator *e = NULL;
    if (ctune_estimator_new(&e, vt, NULL) != CTUNE_OK ||
        (params && ctune_estimator_set_params_text(e, params) != CTUNE_OK)) {
        fprintf(stderr, "cannot make estimator: %s\n", ctune_last_error());
        MPI_Abort(MPI_COMM_WORLD, 2);
    }
    return e;
}

static ctune_search *new_search(const ctune_estimator *est, const char *space, size_t n_iter,
                                uint64_t seed, const char *options)
{
    ctune_space *sp = NULL;
    ctune_search *s = NULL;
    ctune_status rc = ctune_space_parse(&sp, space);
    if (rc == CTUNE_OK)
        rc = n_iter ? ctune_search_new_randomized(&s, est, sp, n_iter, seed)
                    : ctune_search_new_grid(&s, est, sp);
    if (rc == CTUNE_OK && options)
        rc = ctune_search_set_options(s, options);
    ctune_space_free(sp);
    if (rc != CTUNE_OK) {
        fprintf(stderr, "cannot make search: %s\n", ctune_last_error());
        MPI_Abort(MPI_COMM_WORLD, 2);
    }
    return s;
}

/* ---- comparing results ------------------------------------------------------------------- */

static int is_time_column(const char *name) { return strstr(name, "_time") != NULL; }

/* The results table without the time columns, as text (numbers round-trip:
 * equal text means bit-identical doubles), plus the best candidate. */
static char *signature(const ctune_search *s)
{
    size_t cap = 1 << 16, len = 0;
    char *out = malloc(cap);
    out[0] = '\0';
    char cell[4096];
    size_t best = (size_t)-1;
    double best_score = NAN;
    ctune_search_best_index(&best, s);
    ctune_search_best_score(&best_score, s);
    len += (size_t)snprintf(out + len, cap - len, "status=%d done=%zu best=%zu score=%a\n",
                            ctune_search_fit_status(s), ctune_search_n_tasks_done(s), best,
                            best_score);
    for (size_t j = 0; j < ctune_search_n_columns(s); j++) {
        const char *col = ctune_search_column_name(s, j);
        if (is_time_column(col))
            continue;
        size_t rows = ctune_search_n_rows(s) ? ctune_search_n_rows(s)
                                             : ctune_search_n_candidates(s);
        for (size_t i = 0; i < rows; i++) {
            double v;
            if (ctune_search_result(&v, s, col, i) == CTUNE_OK)
                snprintf(cell, sizeof cell, "%a", v); /* exact bits */
            else
                ctune_search_result_text(cell, sizeof cell, s, col, i);
            size_t need = strlen(col) + strlen(cell) + 32;
            if (len + need >= cap) {
                cap = 2 * cap + need;
                out = realloc(out, cap);
            }
            len += (size_t)snprintf(out + len, cap - len, "%s[%zu]=%s\n", col, i, cell);
        }
    }
    return out;
}

/* Broadcasts rank 0's text; every rank compares its own with it. */
static void compare_with_root(const char *mine, const char *root_text, const char *what)
{
    int n = 0;
    if (g_rank == 0)
        n = (int)strlen(root_text) + 1;
    MPI_Bcast(&n, 1, MPI_INT, 0, MPI_COMM_WORLD);
    char *ref = malloc((size_t)n);
    if (g_rank == 0)
        memcpy(ref, root_text, (size_t)n);
    MPI_Bcast(ref, n, MPI_CHAR, 0, MPI_COMM_WORLD);
    if (strcmp(mine, ref) != 0) {
        /* first differing line */
        const char *a = mine, *b = ref;
        while (*a && *a == *b)
            a++, b++;
        while (a > mine && a[-1] != '\n')
            a--, b--;
        failf(__FILE__, __LINE__, "%s differs: got '%.160s' expected '%.160s'", what, a, b);
    }
    free(ref);
}

/* Fits `s_mpi` over MPI and a twin serially on rank 0; compares. */
static void search_matches_serial(ctune_search *s_mpi, ctune_search *s_serial,
                                  const ctune_data *data, const char *mpi_options,
                                  ctune_status want)
{
    char *ref = NULL;
    if (g_rank == 0) {
        CHECK_STATUS(ctune_search_fit(s_serial, data), want);
        ref = signature(s_serial);
    }
    CHECK_STATUS(ctune_mpi_search_fit(s_mpi, data, MPI_COMM_WORLD, mpi_options), want);
    char *mine = signature(s_mpi);
    compare_with_root(mine, ref, "MPI results vs serial");
    free(mine);
    free(ref);
}

/* ---- tests ------------------------------------------------------------------------------- */

static size_t g_progress_calls;
static size_t g_cancel_after;

static int count_progress(size_t c, size_t f, double score, double elapsed, size_t done,
                          size_t total, void *user)
{
    (void)c, (void)f, (void)score, (void)elapsed, (void)total, (void)user;
    g_progress_calls++;
    return g_cancel_after && done >= g_cancel_after;
}

static void test_grid_custom_estimator(void)
{
    dataset d = blobs(90, 0);
    ctune_estimator *est = new_est(&NC_VT, NULL);
    const char *space = "shrink: 0|0.1|0.2|0.3|0.4|0.5|0.6|0.7|0.8|0.9|0.95";
    ctune_search *a = new_search(est, space, 0, 0, "cv=3, scoring=accuracy");
    ctune_search *b = new_search(est, space, 0, 0, "cv=3, scoring=accuracy");
    g_progress_calls = 0;
    g_cancel_after = 0;
    CHECK_OK(ctune_search_set_progress(a, count_progress, NULL));
    search_matches_serial(a, b, d.data, NULL, CTUNE_OK);
    CHECK(g_progress_calls == (g_rank == 0 ? 33u : 0u), "progress calls %zu on rank %d",
          g_progress_calls, g_rank);
    CHECK(ctune_search_n_tasks_done(a) == 33, "tasks done %zu", ctune_search_n_tasks_done(a));
    /* refit=root: the best estimator on rank 0 only */
    CHECK((ctune_search_best_estimator(a) != NULL) == (g_rank == 0),
          "best estimator presence on rank %d", g_rank);
    const ctune_params *bp = ctune_search_best_params(a);
    CHECK(bp != NULL, "no best params");
    /* refit=all: everywhere */
    CHECK_OK(ctune_mpi_search_fit(a, d.data, MPI_COMM_WORLD, "refit=all, timeout=30"));
    CHECK(ctune_search_best_estimator(a) != NULL, "refit=all: no best estimator");
    /* the search is usable serially again afterwards */
    CHECK_OK(ctune_search_fit(a, d.data));
    ctune_search_free(a);
    ctune_search_free(b);
    ctune_estimator_free(est);
    dataset_free(&d);
}

static void test_randomized_streams_threads(void)
{
    dataset d = blobs(64, 0);
    ctune_estimator *est = new_est(&SEEDED_VT, NULL);
    const char *space = "level: 0|1|2|3|4|5|6|7|8|9|10|11; seed: 1|2|3";
    ctune_search *a = new_search(est, space, 17, 42, "cv=4, n_jobs=2");
    ctune_search *b = new_search(est, space, 17, 42, "cv=4");
    search_matches_serial(a, b, d.data, NULL, CTUNE_OK);
    ctune_search_free(a);
    a = new_search(est, space, 17, 42, "cv=4, n_jobs=-1, return_train_score=true");
    ctune_search_free(b);
    b = new_search(est, space, 17, 42, "cv=4, return_train_score=true");
    search_matches_serial(a, b, d.data, "timeout=0", CTUNE_OK);
    ctune_search_free(a);
    ctune_search_free(b);
    ctune_estimator_free(est);
    dataset_free(&d);
}

/* Successive halving and Hyperband over MPI: the rounds run on the ranks,
 * every rank takes the same promotions, and promoted MLP fits continue on
 * whichever rank holds them (or restart, to the same result). */
static void test_halving_hyperband(void)
{
    dataset d = blobs(60, 0);
    ctune_estimator *mlp = NULL;
    CHECK_OK(ctune_mlp_classifier_new(&mlp));
    CHECK_OK(ctune_estimator_set_params_text(mlp, "nn=4, batch_size=16"));
    ctune_space *sp = NULL;
    CHECK_OK(
        ctune_space_parse(&sp, "learning_rate: loguniform(0.001, 0.3); activation: relu|tanh"));
    for (int hb = 0; hb < 2; hb++) {
        ctune_search *a = NULL, *b = NULL;
        const char *opts = hb ? "max_epochs=4, factor=2"
                              : "resource=epochs, max_resources=4, "
                                "n_candidates=6, factor=2";
        for (int k = 0; k < 2; k++)
            CHECK_OK(hb ? ctune_search_new_hyperband(k ? &b : &a, mlp, sp, 9, opts)
                        : ctune_search_new_halving(k ? &b : &a, mlp, sp, 1, 9, opts));
        CHECK_OK(ctune_search_set_options(a, "cv=3, n_jobs=2"));
        CHECK_OK(ctune_search_set_options(b, "cv=3"));
        search_matches_serial(a, b, d.data, NULL, CTUNE_OK);
        CHECK(ctune_search_n_rows(a) > 6, "rows %zu", ctune_search_n_rows(a));
        ctune_search_free(a);
        ctune_search_free(b);
    }
    ctune_space_free(sp);
    ctune_estimator_free(mlp);
    dataset_free(&d);
}

/* TPE proposes each batch from the records every rank receives, so the
 * ranks propose the same candidates and the results equal a serial run. */
static void test_tpe_batches(void)
{
    dataset d = blobs(90, 0);
    ctune_estimator *est = new_est(&NC_VT, NULL);
    const char *batches[] = {"batch=1, n_startup_trials=4", "batch=3, n_startup_trials=4"};
    for (int k = 0; k < 2; k++) {
        ctune_space *sp = NULL;
        ctune_search *a = NULL, *b = NULL;
        CHECK_OK(ctune_space_parse(&sp, "shrink: uniform(0, 0.95)"));
        CHECK_OK(ctune_search_new_tpe(&a, est, sp, 10, 5, batches[k]));
        CHECK_OK(ctune_search_new_tpe(&b, est, sp, 10, 5, batches[k]));
        CHECK_OK(ctune_search_set_options(a, "cv=3, n_jobs=2"));
        CHECK_OK(ctune_search_set_options(b, "cv=3"));
        search_matches_serial(a, b, d.data, NULL, CTUNE_OK);
        CHECK(ctune_search_n_candidates(a) == 10, "TPE candidates %zu",
              ctune_search_n_candidates(a));
        ctune_search_free(a);
        ctune_search_free(b);
        ctune_space_free(sp);
    }
    ctune_estimator_free(est);
    dataset_free(&d);
}

static void test_dummy_estimators(void)
{
    dataset d = blobs(50, 0);
    ctune_estimator *est;
    CHECK_OK(ctune_dummy_classifier_new(&est));
    const char *space = "strategy: most_frequent|prior|stratified|uniform; seed: 0|1|2";
    ctune_search *a = new_search(est, space, 0, 0, "cv=5, seed=7, scoring=accuracy");
    ctune_search *b = new_search(est, space, 0, 0, "cv=5, seed=7, scoring=accuracy");
    search_matches_serial(a, b, d.data, NULL, CTUNE_OK);
    ctune_search_free(a);
    ctune_search_free(b);
    ctune_estimator_free(est);
    /* a regressor: y as a continuous target */
    for (size_t i = 0; i < 50; i++)
        d.y[i] = d.X[i * 3] * 2 + d.X[i * 3 + 1];
    CHECK_OK(ctune_dummy_regressor_new(&est));
    a = new_search(est, "strategy: mean|median|constant; constant: 0.5|1.5", 0, 0, "cv=3");
    b = new_search(est, "strategy: mean|median|constant; constant: 0.5|1.5", 0, 0, "cv=3");
    search_matches_serial(a, b, d.data, NULL, CTUNE_OK);
    ctune_search_free(a);
    ctune_search_free(b);
    ctune_estimator_free(est);
    dataset_free(&d);
}

static void test_error_score_nan(void)
{
    dataset d = blobs(60, 0);
    ctune_estimator *est = new_est(&NC_VT, "fail_above=0.45");
    const char *space = "shrink: 0|0.2|0.4|0.5|0.7|0.9";
    ctune_search *a = new_search(est, space, 0, 0, "cv=3, n_jobs=2");
    ctune_search *b = new_search(est, space, 0, 0, "cv=3");
    search_matches_serial(a, b, d.data, NULL, CTUNE_OK);
    double v = 0;
    CHECK_OK(ctune_search_result(&v, a, "mean_test_score", 4));
    CHECK(isnan(v), "failed candidate scored %g, expected NaN", v);
    const char *err = ctune_search_candidate_error(a, 4);
    CHECK(err && strstr(err, "above fail_above"), "error text '%s'", err ? err : "(null)");
    ctune_search_free(a);
    ctune_search_free(b);
    /* error_score=<number> */
    a = new_search(est, space, 0, 0, "cv=3, error_score=-1");
    b = new_search(est, space, 0, 0, "cv=3, error_score=-1");
    search_matches_serial(a, b, d.data, NULL, CTUNE_OK);
    ctune_search_free(a);
    ctune_search_free(b);
    ctune_estimator_free(est);
    dataset_free(&d);
}

static void test_error_score_raise(void)
{
    dataset d = blobs(60, 0);
    ctune_estimator *est = new_est(&NC_VT, "fail_above=0.45");
    const char *space = "shrink: 0|0.2|0.4|0.5|0.7|0.9";
    ctune_search *a = new_search(est, space, 0, 0, "cv=3, error_score=raise");
    ctune_search *b = new_search(est, space, 0, 0, "cv=3, error_score=raise");
    char ref[1024] = "";
    if (g_rank == 0) {
        CHECK_STATUS(ctune_search_fit(b, d.data), CTUNE_ENUMERIC);
        snprintf(ref, sizeof ref, "%s", ctune_last_error());
    }
    CHECK_STATUS(ctune_mpi_search_fit(a, d.data, MPI_COMM_WORLD, NULL), CTUNE_ENUMERIC);
    char mine[1024];
    snprintf(mine, sizeof mine, "%s", ctune_last_error());
    /* the same failure on every rank; which failing task is named may differ
     * from the serial run when several fail at once (as with n_jobs > 1) */
    char root_mpi[1024];
    snprintf(root_mpi, sizeof root_mpi, "%s", mine);
    compare_with_root(mine, root_mpi, "error_score=raise message across ranks");
    CHECK(strstr(ref, "candidate 3, split 0") != NULL || g_rank != 0, "serial: '%s'", ref);
    CHECK(strstr(mine, "candidate ") && strstr(mine, "is above fail_above 0.45"), "message '%s'",
          mine);
    CHECK(ctune_search_has_results(a), "no partial results");
    CHECK(ctune_search_best_estimator(a) == NULL, "a refit after a raise stop");
    ctune_search_free(a);
    ctune_search_free(b);
    ctune_estimator_free(est);
    dataset_free(&d);
}

static void test_cancel_from_rank0(void)
{
    dataset d = blobs(60, 0);
    ctune_estimator *est = new_est(&NC_VT, "delay_ms=20");
    ctune_search *a = new_search(est, "shrink: 0|0.1|0.2|0.3|0.4|0.5|0.6|0.7", 0, 0,
                                 "cv=3, n_jobs=2");
    g_progress_calls = 0;
    g_cancel_after = 4;
    CHECK_OK(ctune_search_set_progress(a, count_progress, NULL));
    CHECK_STATUS(ctune_mpi_search_fit(a, d.data, MPI_COMM_WORLD, NULL), CTUNE_ECANCELLED);
    CHECK_ERROR_HAS("cancelled by the progress callback");
    g_cancel_after = 0;
    CHECK(g_rank != 0 || g_progress_calls == 4, "progress calls %zu after a stop at 4",
          g_progress_calls);
    CHECK(ctune_search_has_results(a), "no partial results");
    CHECK(ctune_search_n_tasks_done(a) >= 4 && ctune_search_n_tasks_done(a) < 24, "tasks done %zu",
          ctune_search_n_tasks_done(a));
    CHECK(ctune_search_best_estimator(a) == NULL, "refit after a cancel");
    /* same partial table on every rank */
    char *mine = signature(a);
    compare_with_root(mine, mine, "cancelled results across ranks");
    free(mine);
    ctune_search_free(a);
    ctune_estimator_free(est);
    dataset_free(&d);
}

/* A search's timeout is decided where done runs (rank 0) and handed to
 * every rank with the outcome: all ranks end with the same finished
 * candidates and say "timeout". */
static void test_search_timeout(void)
{
    dataset d = blobs(60, 0);
    ctune_estimator *est = new_est(&NC_VT, "delay_ms=30");
    char space[1024] = "shrink: 0";
    for (int i = 1; i < 60; i++) {
        char b[16];
        snprintf(b, sizeof b, "|%g", i / 100.0);
        strcat(space, b);
    }
    /* 60 x 3 fits of 30 ms: well over the 0.15 s budget on any rank count */
    ctune_search *a = new_search(est, space, 0, 0, "cv=3, n_jobs=2, timeout=0.15");
    CHECK_OK(ctune_mpi_search_fit(a, d.data, MPI_COMM_WORLD, NULL));
    const char *by = ctune_search_stopped_by(a);
    CHECK(by && strcmp(by, "timeout") == 0, "stopped by %s", by ? by : "(none)");
    size_t n = ctune_search_n_rows(a);
    CHECK(n >= 1 && n < 60, "rows %zu", n);
    char *sig = signature(a);
    char *mine = malloc(strlen(sig) + 64);
    sprintf(mine, "%sstopped_by=%s\n", sig, by ? by : "(none)");
    compare_with_root(mine, mine, "timed-out results across ranks");
    free(sig);
    free(mine);
    ctune_search_free(a);
    ctune_estimator_free(est);
    dataset_free(&d);
}

static void test_cross_validate(void)
{
    dataset d = blobs(80, 0);
    ctune_estimator *est = new_est(&NC_VT, "shrink=0.3");
    ctune_cv_results *r = NULL, *ref = NULL;
    const char *opts = "scoring=accuracy|balanced_accuracy, return_train_score=true";
    CHECK_OK(ctune_mpi_cross_validate(&r, est, d.data, NULL, 7, opts, MPI_COMM_WORLD, NULL));
    char mine[8192] = "", root[8192] = "";
    size_t len = 0;
    double col[16];
    for (size_t j = 0; r && j < ctune_cv_results_n_columns(r); j++) {
        const char *name = ctune_cv_results_column_name(r, j);
        if (is_time_column(name))
            continue;
        ctune_cv_results_column(col, r, name);
        for (size_t f = 0; f < ctune_cv_results_n_splits(r); f++)
            len += (size_t)snprintf(mine + len, sizeof mine - len, "%s%zu=%a\n", name, f, col[f]);
    }
    if (g_rank == 0) {
        CHECK_OK(ctune_cross_validate(&ref, est, d.data, NULL, 7, opts));
        len = 0;
        for (size_t j = 0; ref && j < ctune_cv_results_n_columns(ref); j++) {
            const char *name = ctune_cv_results_column_name(ref, j);
            if (is_time_column(name))
                continue;
            ctune_cv_results_column(col, ref, name);
            for (size_t f = 0; f < ctune_cv_results_n_splits(ref); f++)
                len += (size_t)snprintf(root + len, sizeof root - len, "%s%zu=%a\n", name, f,
                                        col[f]);
        }
    }
    CHECK(strlen(mine) > 100, "cross_validate results too short: '%s'", mine);
    compare_with_root(mine, root, "cross_validate vs serial");
    ctune_cv_results_free(r);
    ctune_cv_results_free(ref);
    /* the Fortran-handle variant, and a failing fold (error_score=nan) */
    ctune_estimator_set_params_text(est, "shrink=0.6, fail_above=0.5");
    CHECK_OK(
        ctune_mpi_cross_validate_f(&r, est, d.data, NULL, 3, NULL, ctune_mpi_comm_world_f(), NULL));
    CHECK(r && ctune_cv_results_error(r, 1) && strstr(ctune_cv_results_error(r, 1), "fail_above"),
          "cross_validate error of split 1 missing");
    ctune_cv_results_free(r);
    ctune_estimator_free(est);
    dataset_free(&d);
}

static void test_one_rank_communicators(void)
{
    /* every rank runs its own 1-rank search on MPI_COMM_SELF */
    dataset d = blobs(40, 0);
    ctune_estimator *est = new_est(&SEEDED_VT, NULL);
    ctune_search *a = new_search(est, "level: 0|1|2|3|4; seed: 5|6", 0, 0, "cv=2, n_jobs=2");
    ctune_search *b = new_search(est, "level: 0|1|2|3|4; seed: 5|6", 0, 0, "cv=2");
    CHECK_OK(ctune_mpi_search_fit(a, d.data, MPI_COMM_SELF, NULL));
    CHECK_OK(ctune_search_fit(b, d.data));
    char *x = signature(a), *y = signature(b);
    CHECK(strcmp(x, y) == 0, "1-rank MPI search differs from serial");
    CHECK(ctune_search_best_estimator(a) != NULL, "1-rank: rank 0 of COMM_SELF refits");
    free(x);
    free(y);
    ctune_search_free(a);
    ctune_search_free(b);
    ctune_estimator_free(est);
    dataset_free(&d);
}

static void test_bad_arguments(void)
{
    dataset d = blobs(20, 0);
    ctune_estimator *est = new_est(&NC_VT, NULL);
    ctune_search *s = new_search(est, "shrink: 0|0.5", 0, 0, "cv=2");
    CHECK_STATUS(ctune_mpi_search_fit(NULL, d.data, MPI_COMM_WORLD, NULL), CTUNE_EINVAL);
    CHECK_ERROR_HAS("search is NULL");
    CHECK_STATUS(ctune_mpi_search_fit(s, NULL, MPI_COMM_WORLD, NULL), CTUNE_EINVAL);
    CHECK_ERROR_HAS("data is NULL");
    CHECK_STATUS(ctune_mpi_search_fit(s, d.data, MPI_COMM_NULL, NULL), CTUNE_EINVAL);
    CHECK_ERROR_HAS("MPI_COMM_NULL");
    CHECK_STATUS(ctune_mpi_search_fit(s, d.data, MPI_COMM_WORLD, "timeuot=3"), CTUNE_EINVAL);
    CHECK_ERROR_HAS("mpi_options: unknown option 'timeuot'; known: timeout, start_timeout, "
                    "refit");
    CHECK_STATUS(ctune_mpi_search_fit(s, d.data, MPI_COMM_WORLD, "timeout=-1"), CTUNE_EINVAL);
    CHECK_ERROR_HAS("mpi_options: option 'timeout' = -1 is out of range [0, inf)");
    CHECK_STATUS(ctune_mpi_search_fit(s, d.data, MPI_COMM_WORLD, "refit=some"), CTUNE_EINVAL);
    CHECK_ERROR_HAS("mpi_options: option 'refit' = 'some' is not one of root|all");
    CHECK_STATUS(ctune_mpi_search_fit(s, d.data, MPI_COMM_WORLD, "timeout 3"), CTUNE_EFORMAT);
    CHECK_ERROR_HAS("mpi_options");
    ctune_cv_results *r = (ctune_cv_results *)&r;
    CHECK_STATUS(ctune_mpi_cross_validate(&r, NULL, d.data, NULL, 3, NULL, MPI_COMM_WORLD, NULL),
                 CTUNE_EINVAL);
    CHECK(r == NULL, "out not cleared");
    CHECK_STATUS(ctune_mpi_cross_validate(NULL, est, d.data, NULL, 3, NULL, MPI_COMM_WORLD, NULL),
                 CTUNE_EINVAL);
    int v = -5;
    CHECK_OK(ctune_mpi_rank(&v, MPI_COMM_WORLD));
    CHECK(v == g_rank, "rank %d", v);
    CHECK_OK(ctune_mpi_size_f(&v, ctune_mpi_comm_world_f()));
    CHECK(v == g_size, "size %d", v);
    CHECK_STATUS(ctune_mpi_rank(NULL, MPI_COMM_WORLD), CTUNE_EINVAL);
    CHECK(ctune_mpi_launched() == 1, "ctune_mpi_launched() under mpirun");
    int provided = -1;
    CHECK_OK(ctune_mpi_init(NULL, NULL, &provided)); /* already initialized: a no-op */
    CHECK(provided >= MPI_THREAD_FUNNELED, "provided %d", provided);
    ctune_search_free(s);
    ctune_estimator_free(est);
    dataset_free(&d);
}

static void test_ranks_disagree(void)
{
    /* the last rank builds a different search: every rank fails clearly */
    dataset d = blobs(40, 0);
    ctune_estimator *est = new_est(&NC_VT, NULL);
    ctune_search *s = new_search(est, "shrink: 0|0.2|0.4|0.6", 0, 0,
                                 g_rank == g_size - 1 ? "cv=4" : "cv=2");
    CHECK_STATUS(ctune_mpi_search_fit(s, d.data, MPI_COMM_WORLD, "timeout=20"), CTUNE_EINVAL);
    CHECK_ERROR_HAS("runs a different job");
    CHECK_ERROR_HAS("every rank must run the same search");
    ctune_search_free(s);
    ctune_estimator_free(est);
    dataset_free(&d);
}

static void test_rank_fails_before_tasks(void)
{
    /* the last rank's data has a NaN: its fit fails before any task and
     * every rank reports that rank's error */
    dataset d = blobs(40, g_rank == g_size - 1);
    ctune_estimator *est = new_est(&NC_VT, NULL);
    ctune_search *s = new_search(est, "shrink: 0|0.2", 0, 0, "cv=2");
    CHECK_STATUS(ctune_mpi_search_fit(s, d.data, MPI_COMM_WORLD, "timeout=20"), CTUNE_EDATA);
    if (g_rank != g_size - 1) {
        char want[64];
        snprintf(want, sizeof want, "rank %d failed before running its tasks", g_size - 1);
        CHECK_ERROR_HAS(want);
    }
    CHECK_ERROR_HAS("NaN");
    ctune_search_free(s);
    ctune_estimator_free(est);
    dataset_free(&d);
}

static int stall_once(size_t c, size_t f, double score, double elapsed, size_t done, size_t total,
                      void *user)
{
    (void)c, (void)f, (void)score, (void)elapsed, (void)total, (void)user;
    if (done == 2) { /* rank 0's communicating thread stops answering */
        struct timespec ts = {3, 0};
        nanosleep(&ts, NULL);
    }
    return 0;
}

static void test_silent_rank_times_out(void)
{
    dataset d = blobs(40, 0);
    ctune_estimator *est = new_est(&NC_VT, "delay_ms=5");
    ctune_search *s = new_search(est, "shrink: 0|0.1|0.2|0.3|0.4|0.5|0.6|0.7", 0, 0, "cv=2");
    CHECK_OK(ctune_search_set_progress(s, stall_once, NULL));
    double t0 = MPI_Wtime();
    CHECK_STATUS(ctune_mpi_search_fit(s, d.data, MPI_COMM_WORLD, "timeout=1"), CTUNE_EIO);
    CHECK_ERROR_HAS("no message from rank");
    CHECK_ERROR_HAS("timeout=1");
    CHECK(MPI_Wtime() - t0 < 20, "the timeout took %g s", MPI_Wtime() - t0);
    ctune_search_free(s);
    ctune_estimator_free(est);
    dataset_free(&d);
}

/* ---- the runner -------------------------------------------------------------------------- */

typedef struct {
    const char *name;
    void (*fn)(void);
} test;

static const test TESTS[] = {
    {"grid_custom_estimator", test_grid_custom_estimator},
    {"randomized_streams_threads", test_randomized_streams_threads},
    {"tpe_batches", test_tpe_batches},
    {"dummy_estimators", test_dummy_estimators},
    {"halving_hyperband", test_halving_hyperband},
    {"error_score_nan", test_error_score_nan},
    {"error_score_raise", test_error_score_raise},
    {"cancel_from_rank0", test_cancel_from_rank0},
    {"search_timeout", test_search_timeout},
    {"cross_validate", test_cross_validate},
    {"one_rank_communicators", test_one_rank_communicators},
    {"bad_arguments", test_bad_arguments},
    {"ranks_disagree", test_ranks_disagree},
    {"rank_fails_before_tasks", test_rank_fails_before_tasks},
    {"silent_rank_times_out", test_silent_rank_times_out},
};

static int dead_rank_test(void)
{
    /* rank 1 dies in its first fit; rank 0 must report it within the timeout */
    dataset d = blobs(40, 0);
    ctune_estimator *est = new_est(&NC_VT, "die_rank=1, delay_ms=50");
    ctune_search *s = new_search(est, "shrink: 0|0.1|0.2|0.3|0.4|0.5", 0, 0, "cv=2");
    double t0 = MPI_Wtime();
    ctune_status rc = ctune_mpi_search_fit(s, d.data, MPI_COMM_WORLD, "timeout=2");
    int ok = rc == CTUNE_EIO && strstr(ctune_last_error(), "no message from rank 1") != NULL;
    if (g_rank == 0) {
        printf("%s dead_rank: status %d (%s) after %.1f s: %s\n", ok ? "ok" : "FAIL", rc,
               ctune_status_string(rc), MPI_Wtime() - t0, ctune_last_error());
        fflush(stdout);
    }
    ctune_search_free(s);
    ctune_estimator_free(est);
    dataset_free(&d);
    /* a peer is dead: MPI_Finalize could wait for it */
    _exit(ok ? 0 : 1);
}

int main(int argc, char **argv)
{
    int provided;
    if (ctune_mpi_init(&argc, &argv, &provided) != CTUNE_OK) {
        fprintf(stderr, "ctune_mpi_init: %s\n", ctune_last_error());
        return 1;
    }
    MPI_Comm_rank(MPI_COMM_WORLD, &g_rank);
    MPI_Comm_size(MPI_COMM_WORLD, &g_size);
    if (argc > 1 && strcmp(argv[1], "dead-rank") == 0)
        return dead_rank_test();
    int total_fail = 0;
    double t_all = MPI_Wtime();
    for (size_t i = 0; i < sizeof TESTS / sizeof TESTS[0]; i++) {
        int64_t live = ctune_alloc_live();
        g_fails = 0;
        double t0 = MPI_Wtime();
        TESTS[i].fn();
        CHECK(ctune_alloc_live() == live, "%s leaked %lld blocks", TESTS[i].name,
              (long long)(ctune_alloc_live() - live));
        int any = 0;
        MPI_Allreduce(&g_fails, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
        if (g_rank == 0) {
            printf("%s %s (%d ranks, %.2f s)\n", any ? "FAIL" : "ok", TESTS[i].name, g_size,
                   MPI_Wtime() - t0);
            fflush(stdout);
        }
        total_fail += any != 0;
    }
    if (g_rank == 0)
        printf("%d of %zu tests failed (%d ranks, %.1f s)\n", total_fail,
               sizeof TESTS / sizeof TESTS[0], g_size, MPI_Wtime() - t_all);
    ctune_mpi_finalize();
    return total_fail ? 1 : 0;
}
