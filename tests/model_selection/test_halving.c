/* Check suite: successive halving (HalvingGridSearchCV / HalvingRandomSearchCV).
 *
 * A stub classifier whose score is a known function of its params proves
 * that the schedule, the kept candidates and the tie rule are
 * scikit-learn's. The expected values below are what scikit-learn 1.2.1's
 * HalvingGridSearchCV gives for the same stub written in Python (a
 * classifier whose score() returns stub_f(x, budget)). */
#define CTUNE_EXPERIMENTAL
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

/* score(x, budget): three-way ties at 0.7 for x = 1, 4, 15 at budget 3. */
static double stub_f(int64_t x, int64_t b)
{
    if (x == 4 || x == 15)
        return 0.7;
    return (double)((x * 7) % 11) / 10.0 + (double)b * (double)((x % 3) - 1) / 100.0;
}

typedef struct stub {
    int64_t x, budget;
} stub;

static const ctune_param_spec STUB_SPEC[] = {
    {"x", CTUNE_TYPE_INT, "0", "[0, inf)", NULL, "candidate"},
    {"budget", CTUNE_TYPE_INT, "1", "[1, inf)", NULL, "resource"},
    {"rate", CTUNE_TYPE_DOUBLE, "0.5", NULL, NULL, "a double param"},
    {NULL, 0, NULL, NULL, NULL, NULL},
};

static ctune_status stub_create(void **self, const ctune_params *p, void *user)
{
    (void)user;
    stub *s = calloc(1, sizeof *s);
    if (!s)
        return CTUNE_ENOMEM;
    ctune_params_get_int(&s->x, p, "x");
    ctune_params_get_int(&s->budget, p, "budget");
    *self = s;
    return CTUNE_OK;
}
static ctune_status stub_fit(void *self, const ctune_data *d, size_t k, const ctune_fit_ctx *c)
{
    (void)self, (void)d, (void)k, (void)c;
    return CTUNE_OK;
}
static ctune_status stub_predict(void *self, const ctune_data *X, double *out)
{
    (void)self;
    for (size_t i = 0; i < ctune_data_n_rows(X); i++)
        out[i] = 0;
    return CTUNE_OK;
}
static ctune_status stub_score(void *self, const ctune_data *d, double *out)
{
    (void)d;
    const stub *s = self;
    *out = stub_f(s->x, s->budget);
    return CTUNE_OK;
}
static void stub_destroy(void *self) { free(self); }

static const ctune_estimator_vtable STUB_VT = {
    .version = CTUNE_ESTIMATOR_VTABLE_VERSION,
    .name = "HalvingStub",
    .kind = CTUNE_CLASSIFIER,
    .params = STUB_SPEC,
    .create = stub_create,
    .fit = stub_fit,
    .predict = stub_predict,
    .score = stub_score,
    .destroy = stub_destroy,
};

static ctune_data *data30(double *X, double *y)
{
    for (int i = 0; i < 30; i++) {
        X[2 * i] = 2 * i;
        X[2 * i + 1] = 2 * i + 1;
        y[i] = i % 2;
    }
    ctune_data *d;
    ck_assert_ok(ctune_data_new(&d, X, CTUNE_FLOAT64, 30, 2, 0, y, 1));
    return d;
}

static ctune_search *grid_search(const char *options)
{
    ctune_estimator *e;
    ck_assert_ok(ctune_estimator_new(&e, &STUB_VT, NULL));
    ctune_space *sp;
    ck_assert_ok(ctune_space_parse(&sp, "x: 0|1|2|3|4|5|6|7|8|9|10|11|12|13|14|15|16|17|18|19"));
    ctune_search *s;
    ck_assert_ok(ctune_search_new_halving(&s, e, sp, 0, 0, options));
    ck_assert_ok(ctune_search_set_options(s, "cv=3"));
    ctune_space_free(sp);
    ctune_estimator_free(e);
    return s;
}

/* The x of each row of iteration `it`, in row order, as "a b c". */
static void iter_xs(ctune_search *s, size_t it, char *buf, size_t cap)
{
    size_t len = 0;
    buf[0] = '\0';
    size_t rows = 0;
    for (size_t k = 0; k < ctune_search_n_iterations(s); k++)
        rows += ctune_search_n_candidates_at(s, k);
    for (size_t i = 0; i < rows; i++) {
        double v, x;
        ck_assert_ok(ctune_search_result(&v, s, "iter", i));
        if ((size_t)v != it)
            continue;
        ck_assert_ok(ctune_search_result(&x, s, "param_x", i));
        len += (size_t)snprintf(buf + len, cap - len, "%s%d", len ? " " : "", (int)x);
    }
}

typedef struct expect {
    const char *options;
    size_t n_iter, n_possible, n_required, n_remaining;
    int64_t min_res, res[5];
    size_t cands[5];
    const char *kept[5];
    long best;
    int64_t best_x, best_budget;
} expect;

/* scikit-learn 1.2.1, HalvingGridSearchCV(Stub(), {'x': range(20)},
 * resource='budget', max_resources=27, cv=3, **options) */
static const expect EXPECT[] = {
    {"resource=budget, max_resources=27",
     3,
     3,
     3,
     1,
     3,
     {3, 9, 27},
     {20, 7, 3},
     {NULL, "4 15 9 6 17 3 14", "3 17 14"},
     29,
     14,
     27},
    {"resource=budget, max_resources=27, aggressive_elimination=true, min_resources=1",
     3,
     4,
     3,
     1,
     1,
     {3, 9, 27},
     {20, 7, 3},
     {NULL, "4 15 9 6 17 3 14", "3 17 14"},
     29,
     14,
     27},
    {"resource=budget, max_resources=27, factor=2, min_resources=2",
     4,
     4,
     5,
     2,
     2,
     {2, 4, 8, 16},
     {20, 10, 5, 3},
     {NULL, "7 12 1 4 15 9 6 17 3 14", "9 6 17 3 14", "3 17 14"},
     37,
     14,
     16},
    {"resource=budget, max_resources=27, min_resources=1",
     3,
     4,
     3,
     1,
     1,
     {1, 3, 9},
     {20, 7, 3},
     {NULL, "4 15 9 6 17 3 14", "17 3 14"},
     29,
     14,
     9},
};

START_TEST(test_grid_matches_sklearn)
{
    const expect *x = &EXPECT[_i];
    double X[60], y[30];
    ctune_data *d = data30(X, y);
    ctune_search *s = grid_search(x->options);
    ck_assert_ok(ctune_search_fit(s, d));
    ck_assert_uint_eq(ctune_search_n_iterations(s), x->n_iter);
    ck_assert_uint_eq(ctune_search_n_possible_iterations(s), x->n_possible);
    ck_assert_uint_eq(ctune_search_n_required_iterations(s), x->n_required);
    ck_assert_uint_eq(ctune_search_n_remaining_candidates(s), x->n_remaining);
    ck_assert_int_eq(ctune_search_min_resources(s), x->min_res);
    ck_assert_int_eq(ctune_search_max_resources(s), 27);
    for (size_t it = 0; it < x->n_iter; it++) {
        ck_assert_int_eq(ctune_search_n_resources(s, it), x->res[it]);
        ck_assert_uint_eq(ctune_search_n_candidates_at(s, it), x->cands[it]);
        if (x->kept[it]) {
            char buf[256];
            iter_xs(s, it, buf, sizeof buf);
            ck_assert_str_eq(buf, x->kept[it]);
        }
    }
    size_t best;
    ck_assert_ok(ctune_search_best_index(&best, s));
    ck_assert_uint_eq(best, (size_t)x->best);
    const ctune_params *bp = ctune_search_best_params(s);
    int64_t v;
    ck_assert_ok(ctune_params_get_int(&v, bp, "x"));
    ck_assert_int_eq(v, x->best_x);
    ck_assert_ok(ctune_params_get_int(&v, bp, "budget"));
    ck_assert_int_eq(v, x->best_budget);
    /* the refitted best has the last iteration's resource */
    ck_assert_ok(ctune_params_get_int(
        &v, ctune_estimator_get_params(ctune_search_best_estimator(s)), "budget"));
    ck_assert_int_eq(v, x->best_budget);
    /* one row per candidate per iteration; iter and n_resources first */
    ck_assert_str_eq(ctune_search_column_name(s, 0), "iter");
    ck_assert_str_eq(ctune_search_column_name(s, 1), "n_resources");
    double r;
    ck_assert_ok(ctune_search_result(&r, s, "n_resources", 20));
    ck_assert_double_eq(r, (double)x->res[1]);
    char csv[1 << 16];
    long n = ctune_search_results_csv_buf(csv, sizeof csv, s);
    ck_assert_int_gt(n, 0);
    ck_assert_int_eq(strncmp(csv, "iter,n_resources,", 17), 0);
    size_t lines = 0;
    for (long i = 0; i < n; i++)
        lines += csv[i] == '\n';
    size_t rows = 0;
    for (size_t it = 0; it < x->n_iter; it++)
        rows += x->cands[it];
    ck_assert_uint_eq(lines, rows + 1);
    ctune_search_free(s);
    ctune_data_free(d);
}
END_TEST

START_TEST(test_random_flavour)
{
    double X[60], y[30];
    ctune_data *d = data30(X, y);
    ctune_estimator *e;
    ck_assert_ok(ctune_estimator_new(&e, &STUB_VT, NULL));
    ctune_space *sp;
    ck_assert_ok(ctune_space_parse(&sp, "x: randint(0, 20); rate: uniform(0, 1)"));
    ctune_search *s;
    /* n_candidates=exhaust: max_resources // min_resources = 27 // 1 */
    ck_assert_ok(ctune_search_new_halving(&s, e, sp, 1, 7, "resource=budget, max_resources=27"));
    ck_assert_ok(ctune_search_set_options(s, "cv=3"));
    ck_assert_ok(ctune_search_fit(s, d));
    ck_assert_uint_eq(ctune_search_n_candidates_at(s, 0), 27);
    ck_assert_uint_eq(ctune_search_n_iterations(s), 4);
    ck_assert_int_eq(ctune_search_n_resources(s, 3), 27);
    ck_assert_uint_eq(ctune_search_n_candidates_at(s, 3), 1);
    /* same seed, same results; n_jobs does not matter */
    ctune_search *s2;
    ck_assert_ok(ctune_search_new_halving(&s2, e, sp, 1, 7, "resource=budget, max_resources=27"));
    ck_assert_ok(ctune_search_set_options(s2, "cv=3, n_jobs=2"));
    ck_assert_ok(ctune_search_fit(s2, d));
    char a[1 << 16], b[1 << 16];
    long na = ctune_search_results_csv_buf(a, sizeof a, s);
    long nb = ctune_search_results_csv_buf(b, sizeof b, s2);
    ck_assert_int_gt(na, 0);
    ck_assert_int_gt(nb, 0); /* the timing columns differ */
    /* compare everything but the timing columns: params and scores */
    size_t best1, best2;
    ck_assert_ok(ctune_search_best_index(&best1, s));
    ck_assert_ok(ctune_search_best_index(&best2, s2));
    ck_assert_uint_eq(best1, best2);
    for (size_t i = 0; i < 40; i++) {
        double v1, v2;
        ck_assert_ok(ctune_search_result(&v1, s, "mean_test_score", i));
        ck_assert_ok(ctune_search_result(&v2, s2, "mean_test_score", i));
        ck_assert(v1 == v2);
        ck_assert_ok(ctune_search_result(&v1, s, "param_rate", i));
        ck_assert_ok(ctune_search_result(&v2, s2, "param_rate", i));
        ck_assert(v1 == v2);
    }
    ctune_search_free(s);
    ctune_search_free(s2);
    /* a number of candidates */
    ck_assert_ok(ctune_search_new_halving(&s, e, sp, 1, 7,
                                          "resource=budget, max_resources=9, n_candidates=5"));
    ck_assert_ok(ctune_search_set_options(s, "cv=3"));
    ck_assert_ok(ctune_search_fit(s, d));
    ck_assert_uint_eq(ctune_search_n_candidates_at(s, 0), 5);
    ck_assert_uint_eq(ctune_search_n_iterations(s), 2); /* required: 1 + floor(log3 5) */
    ck_assert_int_eq(ctune_search_n_resources(s, 1), 3);
    ctune_search_free(s);
    ctune_space_free(sp);
    ctune_estimator_free(e);
    ctune_data_free(d);
}
END_TEST

START_TEST(test_n_samples)
{
    double X[60], y[30];
    ctune_data *d = data30(X, y);
    /* scikit-learn: smallest = 3 folds * 2 * 2 classes = 12 rows, max 30 */
    ctune_search *s = grid_search(NULL);
    ck_assert_ok(ctune_search_fit(s, d));
    ck_assert_int_eq(ctune_search_min_resources(s), 12);
    ck_assert_int_eq(ctune_search_max_resources(s), 30);
    ck_assert_uint_eq(ctune_search_n_iterations(s), 1);
    ck_assert_int_eq(ctune_search_n_resources(s, 0), 12);
    ck_assert_uint_eq(ctune_search_n_remaining_candidates(s), 7);
    ctune_search_free(s);
    s = grid_search("min_resources=smallest, factor=2");
    ck_assert_ok(ctune_search_fit(s, d));
    ck_assert_uint_eq(ctune_search_n_iterations(s), 2);
    ck_assert_int_eq(ctune_search_n_resources(s, 0), 12);
    ck_assert_int_eq(ctune_search_n_resources(s, 1), 24);
    ck_assert_uint_eq(ctune_search_n_candidates_at(s, 1), 10);
    ck_assert_uint_eq(ctune_search_n_remaining_candidates(s), 5);
    ctune_search_free(s);
    ctune_data_free(d);
}
END_TEST

/* A halving on epochs continues promoted candidates' fits (warm start):
 * the same results for any n_jobs, and the same as fitting each row from
 * scratch (a retrained candidate gets the same stream in every round). */
START_TEST(test_epochs_warm_start)
{
    double *X, *y;
    size_t n = 120;
    X = malloc(n * 2 * sizeof *X);
    y = malloc(n * sizeof *y);
    ctune_make_blobs(X, y, NULL, n, 2, 3, 2.0, 5);
    ctune_data *d;
    ck_assert_ok(ctune_data_new(&d, X, CTUNE_FLOAT64, n, 2, 0, y, 1));
    ctune_estimator *e;
    ck_assert_ok(ctune_mlp_classifier_new(&e));
    ck_assert_ok(ctune_estimator_set_params_text(e, "nn=8, batch_size=16"));
    ctune_space *sp;
    ck_assert_ok(ctune_space_parse(&sp, "learning_rate: 0.001|0.003|0.01|0.03|0.1|0.3"));
    /* the same MLP without warm start: every round fits from scratch */
    ctune_estimator_vtable cold_vt = *ctune_estimator_vtable_of(e);
    cold_vt.fit_more = NULL;
    cold_vt.user_retain(ctune_estimator_user(e)); /* the new handle adopts it */
    ctune_estimator *cold;
    ck_assert_ok(ctune_estimator_new(&cold, &cold_vt, ctune_estimator_user(e)));
    ck_assert_ok(ctune_estimator_set_params(cold, ctune_estimator_get_params(e)));
    double mean[3][20];
    size_t rows = 0;
    for (int run = 0; run < 3; run++) {
        ctune_search *s;
        ck_assert_ok(ctune_search_new_halving(&s, run == 2 ? cold : e, sp, 0, 0,
                                              "resource=epochs, max_resources=9, factor=3"));
        ck_assert_ok(
            ctune_search_set_options(s, run ? "cv=3, n_jobs=2, refit=false" : "cv=3, refit=false"));
        ck_assert_ok(ctune_search_fit(s, d));
        ck_assert_uint_eq(ctune_search_n_iterations(s), 2);
        ck_assert_int_eq(ctune_search_n_resources(s, 0), 3);
        ck_assert_int_eq(ctune_search_n_resources(s, 1), 9);
        rows = 6 + 2;
        for (size_t i = 0; i < rows; i++)
            ck_assert_ok(ctune_search_result(&mean[run][i], s, "mean_test_score", i));
        ctune_search_free(s);
    }
    for (size_t i = 0; i < rows; i++) {
        ck_assert(mean[0][i] == mean[1][i]);
        ck_assert(mean[0][i] == mean[2][i]);
    }
    ctune_estimator_free(cold);
    ctune_space_free(sp);
    ctune_estimator_free(e);
    ctune_data_free(d);
    free(X);
    free(y);
}
END_TEST

/* KerasTuner's Hyperband schedule for max_epochs=27, factor=3: brackets
 * of 27, 12, 6 and 4 candidates; bracket b's rounds train
 * floor(size / 3^r) candidates ceil(27 / 3^(b - r)) epochs. */
START_TEST(test_hyperband_schedule)
{
    double X[60], y[30];
    ctune_data *d = data30(X, y);
    ctune_estimator *e;
    ck_assert_ok(ctune_estimator_new(&e, &STUB_VT, NULL));
    ctune_space *sp;
    ck_assert_ok(ctune_space_parse(&sp, "x: randint(0, 1000)"));
    ctune_search *s;
    ck_assert_ok(ctune_search_new_hyperband(&s, e, sp, 3, "max_epochs=27, resource=budget"));
    ck_assert_ok(ctune_search_set_options(s, "cv=3"));
    ck_assert_ok(ctune_search_fit(s, d));
    ck_assert_uint_eq(ctune_search_n_candidates(s), 27 + 12 + 6 + 4);
    ck_assert_uint_eq(ctune_search_n_iterations(s), 4);
    static const int rows[][3] = {/* bracket, epochs, count */
                                  {3, 1, 27}, {3, 3, 9},  {3, 9, 3}, {3, 27, 1}, {2, 3, 12},
                                  {2, 9, 4},  {2, 27, 1}, {1, 9, 6}, {1, 27, 2}, {0, 27, 4}};
    size_t i = 0;
    for (size_t g = 0; g < sizeof rows / sizeof rows[0]; g++)
        for (int k = 0; k < rows[g][2]; k++, i++) {
            double b, r;
            ck_assert_ok(ctune_search_result(&b, s, "bracket", i));
            ck_assert_ok(ctune_search_result(&r, s, "n_resources", i));
            ck_assert_int_eq((int)b, rows[g][0]);
            ck_assert_int_eq((int)r, rows[g][1]);
        }
    ck_assert_uint_eq(ctune_search_n_rows(s), i);
    ck_assert_str_eq(ctune_search_column_name(s, 0), "bracket");
    /* the best is a row at 27 epochs with the highest score */
    size_t best;
    double bs, v, r;
    ck_assert_ok(ctune_search_best_index(&best, s));
    ck_assert_ok(ctune_search_best_score(&bs, s));
    ck_assert_ok(ctune_search_result(&r, s, "n_resources", best));
    ck_assert_double_eq(r, 27);
    for (size_t j = 0; j < i; j++) {
        ck_assert_ok(ctune_search_result(&r, s, "n_resources", j));
        ck_assert_ok(ctune_search_result(&v, s, "mean_test_score", j));
        if (r == 27)
            ck_assert(v <= bs);
    }
    ctune_search_free(s);
    /* bad options name themselves */
    s = (ctune_search *)1;
    ck_assert_int_eq(ctune_search_new_hyperband(&s, e, sp, 3, "factor=1, resource=budget"),
                     CTUNE_EINVAL);
    ck_assert_ptr_null(s);
    ck_assert_ptr_nonnull(strstr(ctune_last_error(), "factor"));
    ck_assert_int_eq(ctune_search_new_hyperband(&s, e, sp, 3, "max_epochs=9"), CTUNE_EINVAL);
    ck_assert_ptr_nonnull(strstr(ctune_last_error(), "resource"));
    ck_assert_int_eq(ctune_search_new_hyperband(&s, e, sp, 3, "resource=budget, max_epochs=0"),
                     CTUNE_EINVAL);
    ck_assert_ptr_nonnull(strstr(ctune_last_error(), "max_epochs"));
    ck_assert_int_eq(ctune_search_new_hyperband(&s, e, sp, 3, "resource=x"), CTUNE_EINVAL);
    ck_assert_ptr_nonnull(strstr(ctune_last_error(), "space"));
    ctune_space_free(sp);
    ctune_estimator_free(e);
    ctune_data_free(d);
}
END_TEST

/* A stub that reports: fit_more continues to the new budget; its score is
 * x / 100 + budget / 1000. */
static ctune_status more_fit_more(void *self, const ctune_params *p, const ctune_data *d, size_t k,
                                  const ctune_fit_ctx *c)
{
    (void)d, (void)k, (void)c;
    stub *s = self;
    int64_t b = 0;
    ctune_params_get_int(&b, p, "budget");
    if (b < s->budget)
        return ctune_set_error(CTUNE_EUNSUPPORTED, "budget went down");
    s->budget = b;
    return CTUNE_OK;
}
static ctune_status more_score(void *self, const ctune_data *d, double *out)
{
    (void)d;
    const stub *s = self;
    *out = (double)s->x / 100.0 + (double)s->budget / 1000.0;
    return CTUNE_OK;
}
static const ctune_estimator_vtable MORE_VT = {
    .version = CTUNE_ESTIMATOR_VTABLE_VERSION,
    .name = "ReportingStub",
    .kind = CTUNE_CLASSIFIER,
    .params = STUB_SPEC,
    .create = stub_create,
    .fit = stub_fit,
    .predict = stub_predict,
    .score = more_score,
    .destroy = stub_destroy,
    .fit_more = more_fit_more,
};

/* Optuna's MedianPruner at synchronous rungs: trials 0-4 are the startup
 * trials; later ones stop at the first step whose best value is below the
 * median of the complete trials at that step. */
START_TEST(test_median_pruner)
{
    double X[60], y[30];
    ctune_data *d = data30(X, y);
    ctune_estimator *e;
    ck_assert_ok(ctune_estimator_new(&e, &MORE_VT, NULL));
    ctune_space *sp;
    ck_assert_ok(ctune_space_parse(&sp, "x: 10|20|30|40|50|5|60|1"));
    ctune_search *s;
    ck_assert_ok(ctune_search_new_grid(&s, e, sp));
    ck_assert_ok(ctune_search_set_options(s, "cv=3"));
    ck_assert_ok(ctune_search_set_pruner(s, "median", "budget", 3));
    ck_assert_ok(ctune_search_fit(s, d));
    ck_assert_uint_eq(ctune_search_n_rows(s), 8);
    static const double pruned[8] = {0, 0, 0, 0, 0, 1, 0, 1};
    static const double steps[8] = {3, 3, 3, 3, 3, 1, 3, 1};
    for (size_t i = 0; i < 8; i++) {
        double v, r, m;
        ck_assert_ok(ctune_search_result(&v, s, "pruned", i));
        ck_assert_ok(ctune_search_result(&r, s, "n_resources", i));
        ck_assert_ok(ctune_search_result(&m, s, "mean_test_score", i));
        ck_assert_double_eq(v, pruned[i]);
        ck_assert_double_eq(r, steps[i]);
        /* a pruned trial keeps its last intermediate value */
        double x;
        ck_assert_ok(ctune_search_result(&x, s, "param_x", i));
        ck_assert_double_eq_tol(m, x / 100.0 + r / 1000.0, 1e-12);
    }
    size_t best;
    ck_assert_ok(ctune_search_best_index(&best, s));
    ck_assert_uint_eq(best, 6);
    ctune_search_free(s);
    /* an estimator that never reports, and bad arguments, before any fit */
    ctune_estimator *silent;
    ck_assert_ok(ctune_estimator_new(&silent, &STUB_VT, NULL));
    ck_assert_ok(ctune_search_new_grid(&s, silent, sp));
    ck_assert_int_eq(ctune_search_set_pruner(s, "median", "budget", 3), CTUNE_EINVAL);
    ck_assert_ptr_nonnull(strstr(ctune_last_error(), "never reports"));
    ck_assert_int_eq(ctune_search_set_pruner(s, "bogus", "budget", 3), CTUNE_EINVAL);
    ck_assert_ptr_nonnull(strstr(ctune_last_error(), "pruner"));
    ck_assert_ok(ctune_search_set_pruner(s, "none", NULL, 0));
    ctune_search_free(s);
    ck_assert_ok(ctune_search_new_grid(&s, e, sp));
    ck_assert_int_eq(ctune_search_set_pruner(s, "sha", "rate", 3), CTUNE_EINVAL);
    ck_assert_ptr_nonnull(strstr(ctune_last_error(), "resource"));
    ck_assert_int_eq(ctune_search_set_pruner(s, "sha", "budget", 0), CTUNE_EINVAL);
    ck_assert_ptr_nonnull(strstr(ctune_last_error(), "max_steps"));
    /* sha: rungs at 1 and 4 of 5 steps; n_jobs does not change a thing */
    ck_assert_ok(ctune_search_set_pruner(s, "sha", "budget", 5));
    ck_assert_ok(ctune_search_fit(s, d));
    double a[8], b2[8];
    for (size_t i = 0; i < 8; i++)
        ck_assert_ok(ctune_search_result(&a[i], s, "n_resources", i));
    ck_assert_ok(ctune_search_set_options(s, "n_jobs=2"));
    ck_assert_ok(ctune_search_fit(s, d));
    for (size_t i = 0; i < 8; i++) {
        ck_assert_ok(ctune_search_result(&b2[i], s, "n_resources", i));
        ck_assert(a[i] == b2[i]);
    }
    ck_assert_double_eq(a[0], 5); /* the first trial has nobody to lose to */
    ctune_search_free(s);
    ctune_estimator_free(silent);
    ctune_space_free(sp);
    ctune_estimator_free(e);
    ctune_data_free(d);
}
END_TEST

static void expect_error(int randomized, const char *options, const char *space, const char *needle)
{
    ctune_estimator *e;
    ck_assert_ok(ctune_estimator_new(&e, &STUB_VT, NULL));
    ctune_space *sp;
    ck_assert_ok(ctune_space_parse(&sp, space ? space : "x: 1|2|3"));
    ctune_search *s = (ctune_search *)1;
    ck_assert_int_eq(ctune_search_new_halving(&s, e, sp, randomized, 0, options), CTUNE_EINVAL);
    ck_assert_ptr_null(s);
    ck_assert_msg(strstr(ctune_last_error(), needle), "'%s' lacks '%s'", ctune_last_error(),
                  needle);
    ctune_space_free(sp);
    ctune_estimator_free(e);
}

START_TEST(test_bad_options)
{
    expect_error(0, "factor=1", NULL, "factor");
    expect_error(0, "factor=0.5", NULL, "factor");
    expect_error(0, "factor=abc", NULL, "factor");
    expect_error(0, "resource=rate, max_resources=9", NULL, "resource");
    expect_error(0, "resource=nope, max_resources=9", NULL, "not a parameter");
    expect_error(0, "resource=x, max_resources=9", NULL, "space");
    expect_error(0, "resource=budget", NULL, "max_resources");
    expect_error(0, "resource=budget, min_resources=10, max_resources=9", NULL, "min_resources");
    expect_error(0, "min_resources=0", NULL, "min_resources");
    expect_error(1, "n_candidates=exhaust, min_resources=exhaust", "x: randint(0, 9)", "exhaust");
    expect_error(0, "n_candidates=4", NULL, "n_candidates");
    expect_error(0, "aggressive_elimination=maybe", NULL, "aggressive_elimination");
    expect_error(0, "colour=blue", NULL, "colour");
}
END_TEST

START_TEST(test_bad_data)
{
    double X[60], y[30];
    ctune_data *d = data30(X, y);
    /* 3 folds, 2 classes: each split needs 12 rows */
    ctune_search *s = grid_search("min_resources=5");
    long fits = 0;
    ck_assert_int_eq(ctune_search_fit(s, d), CTUNE_EINVAL);
    ck_assert_ptr_nonnull(strstr(ctune_last_error(), "min_resources"));
    ck_assert_ptr_nonnull(strstr(ctune_last_error(), "folds"));
    ck_assert_int_eq(ctune_search_n_tasks_done(s), fits);
    ctune_search_free(s);
    s = grid_search("max_resources=31");
    ck_assert_int_eq(ctune_search_fit(s, d), CTUNE_EINVAL);
    ck_assert_ptr_nonnull(strstr(ctune_last_error(), "max_resources"));
    ctune_search_free(s);
    /* too few rows for the folds and classes */
    ctune_data *small;
    ck_assert_ok(ctune_data_new(&small, X, CTUNE_FLOAT64, 10, 2, 0, y, 1));
    s = grid_search(NULL);
    ck_assert_int_eq(ctune_search_fit(s, small), CTUNE_EINVAL);
    ck_assert_ptr_nonnull(strstr(ctune_last_error(), "n_samples"));
    ctune_search_free(s);
    ctune_data_free(small);
    ctune_data_free(d);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("halving");
    TCase *tc = tcase_create("halving");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, test_grid_matches_sklearn, 0, (int)(sizeof EXPECT / sizeof EXPECT[0]));
    tcase_add_test(tc, test_random_flavour);
    tcase_add_test(tc, test_n_samples);
    tcase_add_test(tc, test_epochs_warm_start);
    tcase_add_test(tc, test_hyperband_schedule);
    tcase_add_test(tc, test_median_pruner);
    tcase_add_test(tc, test_bad_options);
    tcase_add_test(tc, test_bad_data);
    suite_add_tcase(s, tc);
    return ctu_run_suite(s);
}
