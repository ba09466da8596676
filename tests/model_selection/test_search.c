/* Check suite: randomized and grid search with estimators defined in the
 * test through the public vtable. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixtures.h"
#include "testutil.h"

typedef struct {
    double *X, *y;
    ctune_data *data;
} dataset;

static dataset blobs(size_t n)
{
    dataset d;
    fx_blobs(n, 1, &d.X, &d.y);
    ck_assert_ok(ctune_data_new(&d.data, d.X, CTUNE_FLOAT64, n, 2, 0, d.y, 1));
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
    ctune_estimator *e;
    ck_assert_ok(ctune_estimator_new(&e, vt, NULL));
    if (params)
        ck_assert_ok(ctune_estimator_set_params_text(e, params));
    return e;
}

static ctune_space *space(const char *text)
{
    ctune_space *sp;
    ck_assert_ok(ctune_space_parse(&sp, text));
    return sp;
}

static double result(const ctune_search *s, const char *col, size_t i)
{
    double v;
    ck_assert_ok(ctune_search_result(&v, s, col, i));
    return v;
}

START_TEST(test_grid_search_custom_estimator)
{
    dataset d = blobs(60);
    int64_t live = ctune_alloc_live();
    ctune_estimator *est = new_est(&fx_centroid_vt, NULL);
    ctune_space *sp = space("shrink: 0|0.25|0.5|0.97");
    ctune_search *s;
    ck_assert_ok(ctune_search_new_grid(&s, est, sp));
    ctune_space_free(sp); /* the search keeps its own copy */
    ck_assert_uint_eq(ctune_search_n_candidates(s), 4);
    ck_assert_ok(ctune_search_set_options(s, "cv=3, scoring=accuracy"));
    atomic_store(&fx_fits, 0);
    ck_assert_ok(ctune_search_fit(s, d.data));
    ck_assert_int_eq(atomic_load(&fx_fits), 4 * 3 + 1); /* tasks + refit */
    ck_assert_int_eq(ctune_search_fit_status(s), CTUNE_OK);
    ck_assert_int_eq(ctune_search_has_results(s), 1);
    ck_assert_uint_eq(ctune_search_n_splits(s), 3);
    ck_assert_uint_eq(ctune_search_n_tasks_done(s), 12);
    const char *cols[] = {"mean_fit_time",
                          "std_fit_time",
                          "mean_score_time",
                          "std_score_time",
                          "param_shrink",
                          "params",
                          "split0_test_score",
                          "split1_test_score",
                          "split2_test_score",
                          "mean_test_score",
                          "std_test_score",
                          "rank_test_score",
                          "error"};
    ck_assert_uint_eq(ctune_search_n_columns(s), 13);
    for (size_t j = 0; j < 13; j++)
        ck_assert_str_eq(ctune_search_column_name(s, j), cols[j]);
    ck_assert_ptr_null(ctune_search_column_name(s, 13));

    /* each candidate scores as cross_val_score of the same params */
    double means[4];
    for (size_t c = 0; c < 4; c++) {
        ctune_estimator *e = new_est(&fx_centroid_vt, NULL);
        ck_assert_ok(ctune_estimator_set_params(e, ctune_search_candidate_params(s, c)));
        double want[3], m = 0, q = 0;
        ck_assert_ok(ctune_cross_val_score(want, e, d.data, 3, "accuracy"));
        for (int f = 0; f < 3; f++) {
            char col[32];
            snprintf(col, sizeof col, "split%d_test_score", f);
            ck_assert_double_eq(result(s, col, c), want[f]);
            m += want[f] / 3;
        }
        for (int f = 0; f < 3; f++)
            q += (want[f] - m) * (want[f] - m) / 3; /* ddof 0 */
        ck_assert_double_eq_tol(result(s, "mean_test_score", c), m, 1e-15);
        ck_assert_double_eq_tol(result(s, "std_test_score", c), sqrt(q), 1e-15);
        ck_assert_ptr_null(ctune_search_candidate_error(s, c));
        means[c] = result(s, "mean_test_score", c);
        ctune_estimator_free(e);
    }
    ck_assert_double_eq(result(s, "param_shrink", 1), 0.25);
    /* rank, method "min" */
    for (size_t c = 0; c < 4; c++) {
        double better = 0;
        for (size_t o = 0; o < 4; o++)
            better += means[o] > means[c];
        ck_assert_double_eq(result(s, "rank_test_score", c), better + 1);
    }
    size_t best;
    double best_score;
    ck_assert_ok(ctune_search_best_index(&best, s));
    ck_assert_ok(ctune_search_best_score(&best_score, s));
    ck_assert_double_eq(result(s, "rank_test_score", best), 1);
    for (size_t c = 0; c < best; c++) /* the first candidate of rank 1 */
        ck_assert_double_gt(result(s, "rank_test_score", c), 1);
    ck_assert_double_eq(best_score, means[best]);
    ck_assert_int_eq(
        ctune_params_equal(ctune_search_best_params(s), ctune_search_candidate_params(s, best)), 1);
    /* the refitted best is ready to predict; the caller's estimator is untouched */
    ctune_estimator *be = ctune_search_best_estimator(s);
    ck_assert_ptr_nonnull(be);
    ck_assert_int_eq(ctune_estimator_is_fitted(be), 1);
    double pred[60], acc;
    ck_assert_ok(ctune_estimator_predict(pred, be, d.data));
    ck_assert(pred[0] == 3 || pred[0] == 7);
    ck_assert_ok(ctune_estimator_score(&acc, be, d.data));
    ck_assert(acc > 0.7);
    ck_assert_int_eq(ctune_estimator_is_fitted(est), 0);
    ck_assert(ctune_search_refit_time(s) >= 0);
    ck_assert_uint_eq(ctune_search_n_warnings(s), 0);
    /* take the best estimator */
    ctune_estimator *taken;
    ck_assert_ok(ctune_search_take_best_estimator(&taken, s));
    ck_assert_ptr_eq(taken, be);
    ck_assert_ptr_null(ctune_search_best_estimator(s));
    ck_assert_status(ctune_search_take_best_estimator(&taken, s), CTUNE_ESTATE);
    ctune_search_free(s);
    ck_assert_int_eq(ctune_estimator_is_fitted(be), 1); /* survives the search */
    ctune_estimator_free(be);
    ctune_estimator_free(est);
    ck_assert_int_eq(ctune_alloc_live(), live);
    dataset_free(&d);
}
END_TEST

START_TEST(test_task_streams)
{
    dataset d = blobs(30);
    ctune_estimator *est = new_est(&fx_seeded_vt, "seed=5");
    ctune_space *sp = space("level: randint(0, 1000)");
    ctune_search *s;
    ck_assert_ok(ctune_search_new_randomized(&s, est, sp, 6, 77));
    ck_assert_ok(ctune_search_set_options(s, "cv=3"));
    ck_assert_ok(ctune_search_fit(s, d.data));
    /* task (c, f) fits with seed_derive(own seed, derive(derive(77, c), f)) */
    for (uint64_t c = 0; c < 6; c++)
        for (uint64_t f = 0; f < 3; f++) {
            char col[32];
            snprintf(col, sizeof col, "split%d_test_score", (int)f);
            uint64_t stream = ctune_seed_derive(ctune_seed_derive(77, c), f);
            ck_assert_double_eq(result(s, col, (size_t)c),
                                fx_seed_score(ctune_seed_derive(5, stream)));
        }
    /* the refit uses split index n_splits */
    size_t best;
    ck_assert_ok(ctune_search_best_index(&best, s));
    ck_assert_uint_eq(fx_seeded_fit_seed(ctune_search_best_estimator(s)),
                      ctune_seed_derive(5, ctune_seed_derive(ctune_seed_derive(77, best), 3)));
    /* seed option overrides the stream seed, not the sampled candidates */
    ck_assert_ok(ctune_search_set_options(s, "seed=78"));
    ck_assert_ok(ctune_search_fit(s, d.data));
    ck_assert_double_eq(
        result(s, "split0_test_score", 0),
        fx_seed_score(ctune_seed_derive(5, ctune_seed_derive(ctune_seed_derive(78, 0), 0))));
    ctune_search_free(s);
    /* grid search streams use seed 0 by default */
    ctune_space *grid = space("level: 1|2");
    ck_assert_ok(ctune_search_new_grid(&s, est, grid));
    ck_assert_ok(ctune_search_set_options(s, "cv=2, refit=false"));
    ck_assert_ok(ctune_search_fit(s, d.data));
    ck_assert_double_eq(
        result(s, "split1_test_score", 1),
        fx_seed_score(ctune_seed_derive(5, ctune_seed_derive(ctune_seed_derive(0, 1), 1))));
    ck_assert_ptr_null(ctune_search_best_estimator(s));
    ctune_search_free(s);
    ctune_space_free(grid);
    ctune_space_free(sp);
    ctune_estimator_free(est);
    dataset_free(&d);
}
END_TEST

/* Every numeric column except timings, bit for bit. */
static void assert_same_results(const ctune_search *a, const ctune_search *b)
{
    ck_assert_uint_eq(ctune_search_n_columns(a), ctune_search_n_columns(b));
    ck_assert_uint_eq(ctune_search_n_candidates(a), ctune_search_n_candidates(b));
    for (size_t j = 0; j < ctune_search_n_columns(a); j++) {
        const char *col = ctune_search_column_name(a, j);
        ck_assert_str_eq(col, ctune_search_column_name(b, j));
        if (strstr(col, "_time"))
            continue;
        for (size_t i = 0; i < ctune_search_n_candidates(a); i++) {
            char ta[256], tb[256];
            ck_assert_int_ge(ctune_search_result_text(ta, sizeof ta, a, col, i), 0);
            ck_assert_int_ge(ctune_search_result_text(tb, sizeof tb, b, col, i), 0);
            ck_assert_str_eq(ta, tb);
            double va, vb;
            if (ctune_search_result(&va, a, col, i) == CTUNE_OK) {
                ck_assert_ok(ctune_search_result(&vb, b, col, i));
                ck_assert_int_eq(memcmp(&va, &vb, sizeof va), 0);
            }
        }
    }
}

START_TEST(test_n_jobs_bit_identical)
{
    dataset d = blobs(80);
    int64_t live = ctune_alloc_live();
    const ctune_estimator_vtable *vts[] = {&fx_centroid_vt, &fx_seeded_vt};
    const char *spaces[] = {"shrink: uniform(0, 1)", "level: randint(0, 9); seed: 1|2|3"};
    for (int k = 0; k < 2; k++) {
        ctune_estimator *est = new_est(vts[k], NULL);
        ctune_space *sp = space(spaces[k]);
        ctune_search *s1, *s2, *s3;
        ck_assert_ok(ctune_search_new_randomized(&s1, est, sp, 8, 4));
        ck_assert_ok(ctune_search_new_randomized(&s2, est, sp, 8, 4));
        ck_assert_ok(ctune_search_new_randomized(&s3, est, sp, 8, 4));
        ck_assert_ok(ctune_search_set_options(s1, "cv=4, n_jobs=1, return_train_score=true"));
        ck_assert_ok(ctune_search_set_options(s2, "cv=4, n_jobs=2, return_train_score=true"));
        ck_assert_ok(ctune_search_set_options(s3, "cv=4, n_jobs=-1, return_train_score=true"));
        ck_assert_ok(ctune_search_fit(s1, d.data));
        ck_assert_ok(ctune_search_fit(s2, d.data));
        ck_assert_ok(ctune_search_fit(s3, d.data));
        assert_same_results(s1, s2);
        assert_same_results(s1, s3);
        size_t b1, b2;
        ck_assert_ok(ctune_search_best_index(&b1, s1));
        ck_assert_ok(ctune_search_best_index(&b2, s2));
        ck_assert_uint_eq(b1, b2);
        ctune_search_free(s1);
        ctune_search_free(s2);
        ctune_search_free(s3);
        ctune_space_free(sp);
        ctune_estimator_free(est);
    }
    ck_assert_int_eq(ctune_alloc_live(), live);
    dataset_free(&d);
}
END_TEST

/* The typed setters set the options the text sets: same results, and bad
 * values are refused with nothing changed. */
START_TEST(test_typed_setters)
{
    dataset d = blobs(60);
    int64_t live = ctune_alloc_live();
    ctune_estimator *est = new_est(&fx_seeded_vt, NULL);
    ctune_space *sp = space("level: randint(0, 9); seed: 1|2|3");
    ctune_search *text, *typed;
    ck_assert_ok(ctune_search_new_randomized(&text, est, sp, 6, 4));
    ck_assert_ok(ctune_search_new_randomized(&typed, est, sp, 6, 4));
    ck_assert_ok(ctune_search_set_options(text, "cv=3, n_jobs=2, seed=11, "
                                                "scoring=accuracy|f1, refit=f1"));
    ck_assert_ok(ctune_search_set_cv(typed, 3));
    ck_assert_ok(ctune_search_set_n_jobs(typed, 2));
    ck_assert_ok(ctune_search_set_random_state(typed, 11));
    ck_assert_ok(ctune_search_set_scoring(typed, "accuracy|f1"));
    ck_assert_ok(ctune_search_set_refit(typed, 1, "f1"));

    /* refused, nothing changed */
    ck_assert_status(ctune_search_set_cv(typed, 1), CTUNE_EINVAL);
    ck_assert_str_eq(ctune_last_error(), "search: cv must be >= 2 folds, got 1");
    ck_assert_status(ctune_search_set_n_jobs(typed, 0), CTUNE_EINVAL);
    ck_assert_error_has("search: n_jobs must be non-zero");
    ck_assert_status(ctune_search_set_n_jobs(typed, 5000), CTUNE_EINVAL);
    ck_assert_status(ctune_search_set_scoring(typed, "accuracy, n_jobs=1"), CTUNE_EINVAL);
    ck_assert_error_has("unknown scorer 'accuracy, n_jobs=1'");
    ck_assert_status(ctune_search_set_scoring(typed, "f1|f1"), CTUNE_EINVAL);
    ck_assert_status(ctune_search_set_refit(typed, 0, "f1"), CTUNE_EINVAL);
    ck_assert_status(ctune_search_set_cv(NULL, 3), CTUNE_EINVAL);
    ck_assert_status(ctune_search_set_n_jobs(NULL, 1), CTUNE_EINVAL);
    ck_assert_status(ctune_search_set_scoring(NULL, NULL), CTUNE_EINVAL);
    ck_assert_status(ctune_search_set_refit(NULL, 1, NULL), CTUNE_EINVAL);
    ck_assert_status(ctune_search_set_random_state(NULL, 1), CTUNE_EINVAL);

    ck_assert_ok(ctune_search_fit(text, d.data));
    ck_assert_ok(ctune_search_fit(typed, d.data));
    ck_assert_uint_eq(ctune_search_n_splits(typed), 3);
    assert_same_results(text, typed);
    ck_assert_ptr_nonnull(ctune_search_best_estimator(typed));

    /* back to the defaults: the estimator's score, no refit */
    ck_assert_ok(ctune_search_set_scoring(typed, NULL));
    ck_assert_ok(ctune_search_set_refit(typed, 0, NULL));
    ck_assert_ok(ctune_search_fit(typed, d.data));
    ck_assert_ptr_null(ctune_search_best_estimator(typed));
    ck_assert_ok(ctune_search_set_scoring(typed, ""));
    ctune_search_free(text);
    ctune_search_free(typed);
    ctune_space_free(sp);
    ctune_estimator_free(est);
    ck_assert_int_eq(ctune_alloc_live(), live);
    dataset_free(&d);
}
END_TEST

START_TEST(test_error_score_nan)
{
    dataset d = blobs(40);
    int64_t live = ctune_alloc_live();
    ctune_estimator *est = new_est(&fx_centroid_vt, "fail_above=0.5");
    ctune_space *sp = space("shrink: 0.1|0.3|0.6|0.9");
    ctune_search *s;
    ck_assert_ok(ctune_search_new_grid(&s, est, sp));
    ck_assert_ok(ctune_search_set_options(s, "cv=3, n_jobs=2"));
    ck_assert_ok(ctune_search_fit(s, d.data));
    for (size_t c = 0; c < 4; c++) {
        int fails = c >= 2;
        for (int f = 0; f < 3; f++) {
            char col[32];
            snprintf(col, sizeof col, "split%d_test_score", f);
            ck_assert_int_eq(isnan(result(s, col, c)), fails);
        }
        ck_assert_int_eq(isnan(result(s, "mean_test_score", c)), fails);
        if (fails) {
            ck_assert_double_eq(result(s, "rank_test_score", c), 3); /* NaN last, tied */
            char want[128];
            snprintf(want, sizeof want,
                     "split 0: NearestCentroid: shrink %g is above "
                     "fail_above 0.5",
                     c == 2 ? 0.6 : 0.9);
            ck_assert_str_eq(ctune_search_candidate_error(s, c), want);
            char buf[256];
            ck_assert_int_eq(ctune_search_result_text(buf, sizeof buf, s, "error", c),
                             (long)strlen(want));
            ck_assert_str_eq(buf, want);
        } else {
            ck_assert_double_le(result(s, "rank_test_score", c), 2);
            ck_assert_ptr_null(ctune_search_candidate_error(s, c));
        }
    }
    size_t best;
    ck_assert_ok(ctune_search_best_index(&best, s));
    ck_assert_uint_lt(best, 2);
    ck_assert_ptr_nonnull(ctune_search_best_estimator(s));
    ck_assert_uint_eq(ctune_search_n_warnings(s), 2);
    ck_assert_str_eq(ctune_search_warning(s, 0), "6 fits failed out of a total of 12; their "
                                                 "scores are set to error_score (see the error "
                                                 "column)");
    ck_assert_str_eq(ctune_search_warning(s, 1), "one or more of the mean test scores are "
                                                 "non-finite");
    ck_assert_ptr_null(ctune_search_warning(s, 2));
    /* error_score as a number */
    ck_assert_ok(ctune_search_set_options(s, "error_score=0, n_jobs=1"));
    ck_assert_ok(ctune_search_fit(s, d.data));
    ck_assert_double_eq(result(s, "mean_test_score", 3), 0);
    ck_assert_double_eq(result(s, "std_test_score", 3), 0);
    ck_assert_uint_eq(ctune_search_n_warnings(s), 1);
    ctune_search_free(s);

    /* every candidate fails: a distinct status, the table is kept (ranks
     * all 1), no best candidate and no refit */
    ctune_space_free(sp);
    sp = space("shrink: 0.6|0.9");
    ck_assert_ok(ctune_search_new_grid(&s, est, sp));
    ck_assert_ok(ctune_search_set_options(s, "cv=2"));
    for (int refit = 1; refit >= 0; refit--) {
        ck_assert_ok(ctune_search_set_options(s, refit ? "refit=true" : "refit=false"));
        ck_assert_status(ctune_search_fit(s, d.data), CTUNE_EALLFAILED);
        ck_assert_str_eq(ctune_last_error(), "all 4 fits failed; first error: split 0: "
                                             "NearestCentroid: shrink 0.6 is above fail_above 0.5");
        ck_assert_int_eq(ctune_search_fit_status(s), CTUNE_EALLFAILED);
        ck_assert_int_eq(ctune_search_has_results(s), 1);
        ck_assert_double_eq(result(s, "rank_test_score", 0), 1);
        ck_assert_double_eq(result(s, "rank_test_score", 1), 1);
        double bs;
        ck_assert_status(ctune_search_best_score(&bs, s), CTUNE_ESTATE);
        ck_assert_ptr_null(ctune_search_best_params(s));
        ck_assert_ptr_null(ctune_search_best_estimator(s));
    }
    ck_assert_str_eq(ctune_status_string(CTUNE_EALLFAILED), "all fits failed");
    ctune_search_free(s);
    ctune_space_free(sp);
    ctune_estimator_free(est);
    ck_assert_int_eq(ctune_alloc_live(), live);
    dataset_free(&d);
}
END_TEST

START_TEST(test_error_score_raise)
{
    dataset d = blobs(40);
    int64_t live = ctune_alloc_live();
    ctune_estimator *est = new_est(&fx_centroid_vt, "fail_above=0.5");
    ctune_space *sp = space("shrink: 0.1|0.3|0.6|0.9");
    ctune_search *s;
    ck_assert_ok(ctune_search_new_grid(&s, est, sp));
    ck_assert_ok(ctune_search_set_options(s, "cv=3, error_score=raise"));
    atomic_store(&fx_fits, 0);
    ck_assert_status(ctune_search_fit(s, d.data), CTUNE_ENUMERIC);
    ck_assert_str_eq(ctune_last_error(), "candidate 2, split 0: NearestCentroid: shrink 0.6 is "
                                         "above fail_above 0.5");
    ck_assert_int_eq(atomic_load(&fx_fits), 7); /* stopped at the first failure */
    ck_assert_int_eq(ctune_search_fit_status(s), CTUNE_ENUMERIC);
    ck_assert_uint_eq(ctune_search_n_tasks_done(s), 7);
    /* results so far stay queryable; no refit */
    ck_assert_int_eq(ctune_search_has_results(s), 1);
    ck_assert_ptr_null(ctune_search_best_estimator(s));
    size_t best;
    ck_assert_ok(ctune_search_best_index(&best, s));
    ck_assert_uint_lt(best, 2);
    ck_assert(isnan(result(s, "split1_test_score", 2)));
    ck_assert_str_eq(ctune_search_candidate_error(s, 3), "split 0: not run (the search stopped)");
    char json[8192];
    ck_assert_int_gt(ctune_search_results_json_buf(json, sizeof json, s), 0);
    ck_assert(strstr(json, "\"status\": \"partial\"") != NULL);
    ctune_search_free(s);
    ctune_space_free(sp);
    ctune_estimator_free(est);
    ck_assert_int_eq(ctune_alloc_live(), live);
    dataset_free(&d);
}
END_TEST

typedef struct {
    size_t calls, stop_at;
    size_t last_done, total;
    int ordered;
    double scores[64];
    size_t cand[64], split[64];
} progress_log;

static int on_progress(size_t candidate, size_t split, double score, double elapsed, size_t done,
                       size_t total, void *user)
{
    progress_log *log = user;
    if (log->calls < 64) {
        log->scores[log->calls] = score;
        log->cand[log->calls] = candidate;
        log->split[log->calls] = split;
    }
    log->calls++;
    log->ordered &= done == log->last_done + 1 && elapsed >= 0;
    log->last_done = done;
    log->total = total;
    return log->stop_at && done >= log->stop_at;
}

START_TEST(test_progress_and_cancellation)
{
    dataset d = blobs(40);
    int64_t live = ctune_alloc_live();
    ctune_estimator *est = new_est(&fx_centroid_vt, NULL);
    ctune_space *sp = space("shrink: 0|0.2|0.4|0.6");
    ctune_search *s;
    ck_assert_ok(ctune_search_new_grid(&s, est, sp));
    ck_assert_ok(ctune_search_set_options(s, "cv=3"));
    progress_log log = {0};
    log.ordered = 1;
    ck_assert_ok(ctune_search_set_progress(s, on_progress, &log));
    ck_assert_ok(ctune_search_fit(s, d.data));
    ck_assert_uint_eq(log.calls, 12);
    ck_assert_uint_eq(log.total, 12);
    ck_assert_int_eq(log.ordered, 1);
    for (size_t t = 0; t < 12; t++) { /* serial: candidate-major order, the split's score */
        ck_assert_uint_eq(log.cand[t], t / 3);
        ck_assert_uint_eq(log.split[t], t % 3);
        char col[32];
        snprintf(col, sizeof col, "split%zu_test_score", t % 3);
        ck_assert_double_eq(log.scores[t], result(s, col, t / 3));
    }

    /* cancel after 4 tasks */
    memset(&log, 0, sizeof log);
    log.ordered = 1;
    log.stop_at = 4;
    atomic_store(&fx_fits, 0);
    ck_assert_status(ctune_search_fit(s, d.data), CTUNE_ECANCELLED);
    ck_assert_str_eq(ctune_last_error(), "cancelled by the progress callback after 4 of 12 tasks");
    ck_assert_int_eq(atomic_load(&fx_fits), 4); /* no refit, nothing more */
    ck_assert_uint_eq(log.calls, 4);
    ck_assert_int_eq(ctune_search_fit_status(s), CTUNE_ECANCELLED);
    ck_assert_uint_eq(ctune_search_n_tasks_done(s), 4);
    ck_assert_int_eq(ctune_search_has_results(s), 1);
    ck_assert_ptr_null(ctune_search_best_estimator(s));
    ck_assert(!isnan(result(s, "mean_test_score", 0)));
    ck_assert(!isnan(result(s, "split0_test_score", 1)));
    ck_assert(isnan(result(s, "split1_test_score", 1)));
    ck_assert(isnan(result(s, "mean_test_score", 1)));
    ck_assert_str_eq(ctune_search_candidate_error(s, 1), "split 1: not run (the search stopped)");
    size_t best;
    ck_assert_ok(ctune_search_best_index(&best, s));
    ck_assert_uint_eq(best, 0); /* the only complete candidate */
    char csv[4096];
    ck_assert_int_gt(ctune_search_results_csv_buf(csv, sizeof csv, s), 0);
    /* a later fit without cancellation replaces everything */
    log.stop_at = 0;
    ck_assert_ok(ctune_search_fit(s, d.data));
    ck_assert_ptr_nonnull(ctune_search_best_estimator(s));
    ck_assert_ok(ctune_search_set_progress(s, NULL, NULL));
    ctune_search_free(s);
    ctune_space_free(sp);
    ctune_estimator_free(est);
    ck_assert_int_eq(ctune_alloc_live(), live);
    dataset_free(&d);
}
END_TEST

START_TEST(test_cancellation_parallel)
{
    dataset d = blobs(40);
    int64_t live = ctune_alloc_live();
    ctune_estimator *est = new_est(&fx_slow_vt, "delay_ms=30");
    ctune_space *sp = space("shrink: 0|0.2|0.4|0.6|0.8");
    ctune_search *s;
    ck_assert_ok(ctune_search_new_grid(&s, est, sp));
    ck_assert_ok(ctune_search_set_options(s, "cv=4, n_jobs=2"));
    progress_log log = {0};
    log.ordered = 1;
    log.stop_at = 3;
    ck_assert_ok(ctune_search_set_progress(s, on_progress, &log));
    ck_assert_status(ctune_search_fit(s, d.data), CTUNE_ECANCELLED);
    ck_assert_uint_eq(log.calls, 3); /* never called after the stop */
    /* the other worker's task in flight may finish (or see the cancel flag) */
    size_t done = ctune_search_n_tasks_done(s);
    ck_assert(done == 3 || done == 4);
    ck_assert_int_eq(ctune_search_has_results(s), 1);
    size_t not_run = 0;
    for (size_t c = 0; c < 5; c++)
        for (int f = 0; f < 4; f++) {
            char col[32];
            snprintf(col, sizeof col, "split%d_test_score", f);
            not_run += isnan(result(s, col, c));
        }
    ck_assert_uint_eq(not_run, 20 - done);
    ctune_search_free(s);
    ctune_space_free(sp);
    ctune_estimator_free(est);
    ck_assert_int_eq(ctune_alloc_live(), live);
    dataset_free(&d);
}
END_TEST

START_TEST(test_unknown_space_name_rejected_before_any_fit)
{
    dataset d = blobs(20);
    int64_t live = ctune_alloc_live();
    ctune_estimator *est = new_est(&fx_centroid_vt, NULL);
    ctune_space *sp = space("shrink: 0|0.5; shrnk: 1|2");
    ctune_search *s = (ctune_search *)1;
    atomic_store(&fx_fits, 0);
    ck_assert_status(ctune_search_new_grid(&s, est, sp), CTUNE_EINVAL);
    ck_assert_ptr_null(s);
    ck_assert_str_eq(ctune_last_error(), "search space: unknown parameter 'shrnk' for "
                                         "NearestCentroid; known: shrink, fail_above");
    ck_assert_status(ctune_search_new_randomized(&s, est, sp, 3, 1), CTUNE_EINVAL);
    ck_assert_error_has("unknown parameter 'shrnk'");
    ck_assert_int_eq(atomic_load(&fx_fits), 0);
    ctune_space_free(sp);
    ctune_estimator_free(est);
    ck_assert_int_eq(ctune_alloc_live(), live);
    dataset_free(&d);
}
END_TEST

START_TEST(test_bad_input)
{
    dataset d = blobs(20);
    int64_t live = ctune_alloc_live();
    ctune_estimator *est = new_est(&fx_centroid_vt, NULL);
    ctune_space *sp = space("shrink: 0|0.5"), *empty, *dist = space("shrink: uniform(0, 1)");
    ck_assert_ok(ctune_space_new(&empty));
    ctune_search *s = NULL;
    ck_assert_status(ctune_search_new_grid(NULL, est, sp), CTUNE_EINVAL);
    ck_assert_status(ctune_search_new_grid(&s, NULL, sp), CTUNE_EINVAL);
    ck_assert_status(ctune_search_new_grid(&s, est, NULL), CTUNE_EINVAL);
    ck_assert_status(ctune_search_new_grid(&s, est, empty), CTUNE_EINVAL);
    ck_assert_str_eq(ctune_last_error(), "search space is empty: add at least one parameter");
    ck_assert_status(ctune_search_new_grid(&s, est, dist), CTUNE_EINVAL);
    ck_assert_error_has("'shrink' is a distribution");
    ck_assert_status(ctune_search_new_randomized(&s, est, sp, 0, 1), CTUNE_EINVAL);
    ck_assert_str_eq(ctune_last_error(), "randomized search: n_iter must be >= 1, got 0");
    ck_assert_status(ctune_search_new_randomized(&s, est, empty, 3, 1), CTUNE_EINVAL);
    ck_assert_ptr_null(s);

    ck_assert_ok(ctune_search_new_grid(&s, est, sp));
    /* accessors before fit */
    size_t idx;
    double v;
    char buf[64];
    ck_assert_status(ctune_search_best_index(&idx, s), CTUNE_ESTATE);
    ck_assert_str_eq(ctune_last_error(), "the search has no results: call ctune_search_fit");
    ck_assert_status(ctune_search_best_score(&v, s), CTUNE_ESTATE);
    ck_assert_ptr_null(ctune_search_best_params(s));
    ck_assert_ptr_null(ctune_search_best_estimator(s));
    ck_assert_status(ctune_search_result(&v, s, "mean_test_score", 0), CTUNE_ESTATE);
    ck_assert_int_eq(ctune_search_result_text(buf, sizeof buf, s, "error", 0), CTUNE_ESTATE);
    ck_assert_int_eq(ctune_search_results_csv_buf(buf, sizeof buf, s), CTUNE_ESTATE);
    ck_assert_status(ctune_search_results_json(s, "/tmp/x.json"), CTUNE_ESTATE);
    ck_assert_uint_eq(ctune_search_n_columns(s), 0);
    ck_assert_int_eq(ctune_search_fit_status(s), CTUNE_ESTATE);
    ck_assert_int_eq(ctune_search_has_results(s), 0);
    ck_assert_ptr_nonnull(ctune_search_candidate_params(s, 1));
    ck_assert_ptr_null(ctune_search_candidate_params(s, 2));

    /* options */
    ck_assert_status(ctune_search_set_options(s, "cv=1"), CTUNE_EINVAL);
    ck_assert_str_eq(ctune_last_error(), "search: cv must be >= 2 folds, got 1");
    ck_assert_status(ctune_search_set_options(s, "cv=3, n_iter=4"), CTUNE_EINVAL);
    ck_assert_str_eq(ctune_last_error(), "search: unknown option 'n_iter'; known: cv, scoring, "
                                         "refit, error_score, return_train_score, n_jobs, seed, "
                                         "timeout");
    ck_assert_status(ctune_search_set_options(s, "scoring=acc"), CTUNE_EINVAL);
    ck_assert_error_has("search: option scoring: unknown scorer 'acc'; known: accuracy, ");
    ck_assert_status(ctune_search_set_options(s, "refit=3"), CTUNE_EINVAL);
    ck_assert_status(ctune_search_set_options(s, "cv=three"), CTUNE_EINVAL);
    ck_assert_status(ctune_search_set_options(s, "cv 3"), CTUNE_EFORMAT);
    ck_assert_status(ctune_search_set_options(s, NULL), CTUNE_EINVAL);
    ck_assert_status(ctune_search_set_options(NULL, "cv=3"), CTUNE_EINVAL);
    ck_assert_status(ctune_search_set_splitter(NULL, NULL), CTUNE_EINVAL);
    ck_assert_status(ctune_search_set_progress(NULL, NULL, NULL), CTUNE_EINVAL);
    /* a failed set_options changed nothing: cv is still 5 (and 5 > 20 / 2 classes is fine) */
    ck_assert_ok(ctune_search_set_options(s, "refit=accuracy"));
    ck_assert_status(ctune_search_fit(s, d.data), CTUNE_EINVAL);
    ck_assert_str_eq(ctune_last_error(), "refit=accuracy is not one of the scorers (scoring=none)");
    ck_assert_ok(ctune_search_set_options(s, "scoring=accuracy|r2, refit=true"));
    ck_assert_status(ctune_search_fit(s, d.data), CTUNE_EINVAL);
    ck_assert_error_has("with several scorers, refit must name the one");
    ck_assert_status(ctune_search_fit(s, NULL), CTUNE_EINVAL);
    ck_assert_status(ctune_search_fit(NULL, d.data), CTUNE_EINVAL);
    ck_assert_int_eq(ctune_search_has_results(s), 0);
    /* several scorers without a refit metric: a table, but no best */
    ck_assert_ok(ctune_search_set_options(s, "refit=false, cv=2"));
    ck_assert_ok(ctune_search_fit(s, d.data));
    ck_assert_status(ctune_search_best_index(&idx, s), CTUNE_ESTATE);
    ck_assert_error_has("with several scorers, set refit=<scorer>");
    ck_assert_ok(ctune_search_result(&v, s, "mean_test_accuracy", 1));
    ck_assert_ok(ctune_search_result(&v, s, "rank_test_r2", 1));
    ck_assert_double_eq(v, 1); /* all NaN: rank 1 everywhere */
    ck_assert_status(ctune_search_result(&v, s, "mean_test_score", 0), CTUNE_EINVAL);
    ck_assert_error_has("unknown results column 'mean_test_score'; known: mean_fit_time, ");
    ck_assert_status(ctune_search_result(&v, s, "mean_test_accuracy", 2), CTUNE_EINVAL);
    ck_assert_str_eq(ctune_last_error(), "candidate 2 is out of range (2 candidates)");
    ck_assert_status(ctune_search_result(&v, s, "params", 0), CTUNE_EINVAL);
    ck_assert_error_has("is text: use ctune_search_result_text");
    ck_assert_status(ctune_search_result(&v, s, NULL, 0), CTUNE_EINVAL);
    ck_assert_status(ctune_search_result(NULL, s, "params", 0), CTUNE_EINVAL);
    ck_assert_int_eq(ctune_search_result_text(NULL, 4, s, "params", 0), CTUNE_EINVAL);
    ck_assert_int_eq(ctune_search_result_text(NULL, 0, s, "params", 0), 8); /* "shrink=0" */
    /* refit naming a scorer */
    ck_assert_ok(ctune_search_set_options(s, "refit=accuracy"));
    ck_assert_ok(ctune_search_fit(s, d.data));
    ck_assert_ok(ctune_search_best_index(&idx, s));
    ck_assert_ptr_nonnull(ctune_search_best_estimator(s));
    ck_assert_status(ctune_search_take_best_estimator(NULL, s), CTUNE_EINVAL);
    ctune_search_free(s);
    ctune_search_free(NULL);
    ck_assert_uint_eq(ctune_search_n_candidates(NULL), 0);
    ctune_space_free(sp);
    ctune_space_free(empty);
    ctune_space_free(dist);
    ctune_estimator_free(est);
    ck_assert_int_eq(ctune_alloc_live(), live);
    dataset_free(&d);
}
END_TEST

START_TEST(test_export_csv_json)
{
    dataset d = blobs(30);
    int64_t live = ctune_alloc_live();
    ctune_estimator *est = new_est(&fx_centroid_vt, "fail_above=0.5");
    ctune_space *sp = space("shrink: 0.1|0.9");
    ctune_search *s;
    ck_assert_ok(ctune_search_new_grid(&s, est, sp));
    ck_assert_ok(ctune_search_set_options(s, "cv=2, return_train_score=true"));
    ck_assert_ok(ctune_search_fit(s, d.data));
    long n = ctune_search_results_csv_buf(NULL, 0, s);
    ck_assert_int_gt(n, 0);
    char *csv = malloc((size_t)n + 1);
    ck_assert_int_eq(ctune_search_results_csv_buf(csv, (size_t)n + 1, s), n);
    ck_assert_uint_eq(strlen(csv), (size_t)n);
    const char *header = "mean_fit_time,std_fit_time,mean_score_time,std_score_time,param_shrink,"
                         "params,split0_test_score,split1_test_score,mean_test_score,"
                         "std_test_score,rank_test_score,split0_train_score,split1_train_score,"
                         "mean_train_score,std_train_score,error\n";
    ck_assert_int_eq(strncmp(csv, header, strlen(header)), 0);
    /* candidate 1 failed: nan scores, rank 2, the error text */
    const char *row1 = strchr(strchr(csv, '\n') + 1, '\n') + 1;
    ck_assert(strstr(row1, ",0.9,shrink=0.9,nan,nan,nan,nan,2,nan,nan,nan,nan,split 0: "
                           "NearestCentroid: shrink 0.9 is above fail_above 0.5\n") != NULL);
    char small[16];
    ck_assert_int_eq(ctune_search_results_csv_buf(small, sizeof small, s), n);
    ck_assert_str_eq(small, "mean_fit_time,s");

    long nj = ctune_search_results_json_buf(NULL, 0, s);
    char *json = malloc((size_t)nj + 1);
    ck_assert_int_eq(ctune_search_results_json_buf(json, (size_t)nj + 1, s), nj);
    ck_assert(strncmp(json, "{\n  \"schema\": 1,\n  \"best_index\": 0,\n  \"best_score\": ", 52) ==
              0);
    ck_assert(strstr(json, "\"best_params\": {\"shrink\": 0.1},") != NULL);
    ck_assert(strstr(json, "\"refit_metric\": \"score\",\n  \"scorers\": [\"score\"],\n  "
                           "\"n_candidates\": 2,\n  \"n_splits\": 2,\n  \"status\": "
                           "\"complete\",\n  \"cv_results\": {\n    \"mean_fit_time\": [") != NULL);
    ck_assert(strstr(json, "\"param_shrink\": [0.1, 0.9]") != NULL);
    ck_assert(strstr(json, "\"params\": [{\"shrink\": 0.1}, {\"shrink\": 0.9}]") != NULL);
    ck_assert(strstr(json, "\"split0_test_score\": [") != NULL);
    ck_assert(strstr(json, ", null],\n    \"split1_test_score\"") != NULL);
    ck_assert(strstr(json, "\"rank_test_score\": [1, 2]") != NULL);
    ck_assert(strstr(json, "\"error\": [null, \"split 0: NearestCentroid: shrink 0.9 is above "
                           "fail_above 0.5\"]\n  }\n}\n") != NULL);

    /* files hold the same bytes */
    char path[64];
    snprintf(path, sizeof path, "/tmp/ctune_ms_%d.csv", (int)getpid());
    ck_assert_ok(ctune_search_results_csv(s, path));
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    char *back = calloc(1, (size_t)n + 2);
    ck_assert_uint_eq(fread(back, 1, (size_t)n + 1, f), (size_t)n);
    fclose(f);
    ck_assert_str_eq(back, csv);
    ck_assert_ok(ctune_search_results_json(s, path));
    f = fopen(path, "rb");
    char *jback = calloc(1, (size_t)nj + 2);
    ck_assert_uint_eq(fread(jback, 1, (size_t)nj + 1, f), (size_t)nj);
    fclose(f);
    ck_assert_str_eq(jback, json);
    unlink(path);
    ck_assert_status(ctune_search_results_csv(s, "/nonexistent-dir/x.csv"), CTUNE_EIO);
    ck_assert_error_has("cannot create a temporary file for '/nonexistent-dir/x.csv'");
    ck_assert_status(ctune_search_results_csv(s, NULL), CTUNE_EINVAL);
    ck_assert_int_eq(ctune_search_results_json_buf(NULL, 3, s), CTUNE_EINVAL);
    ck_assert_int_eq(ctune_search_results_json_buf(json, 3, NULL), CTUNE_EINVAL);
    free(csv);
    free(json);
    free(back);
    free(jback);
    ctune_search_free(s);
    ctune_space_free(sp);
    ctune_estimator_free(est);
    ck_assert_int_eq(ctune_alloc_live(), live);
    dataset_free(&d);
}
END_TEST

START_TEST(test_regressor_search_with_splitter)
{
    double *X, *y;
    fx_linear(60, 3, &X, &y);
    ctune_data *data;
    ck_assert_ok(ctune_data_new(&data, X, CTUNE_FLOAT64, 60, 2, 0, y, 1));
    int64_t live = ctune_alloc_live();
    ctune_estimator *est = new_est(&fx_ridge_vt, NULL);
    ctune_space *sp = space("alpha: loguniform(1e-3, 1e3)");
    ctune_search *s;
    ck_assert_ok(ctune_search_new_randomized(&s, est, sp, 5, 8));
    ck_assert_ok(ctune_search_set_options(s, "scoring=r2, cv=4"));
    ck_assert_ok(ctune_search_fit(s, data));
    /* an integer cv on a regressor is KFold: same as cross_val_score */
    for (size_t c = 0; c < 5; c++) {
        ctune_estimator *e = new_est(&fx_ridge_vt, NULL);
        ck_assert_ok(ctune_estimator_set_params(e, ctune_search_candidate_params(s, c)));
        double want[4];
        ck_assert_ok(ctune_cross_val_score(want, e, data, 4, "r2"));
        ck_assert_double_eq(result(s, "split3_test_score", c), want[3]);
        double alpha = result(s, "param_alpha", c);
        ck_assert(alpha >= 1e-3 && alpha < 1e3);
        ctune_estimator_free(e);
    }
    double best;
    ck_assert_ok(ctune_search_best_score(&best, s));
    ck_assert(best > 0.8);
    /* a splitter replaces cv */
    ctune_splitter *ss;
    ck_assert_ok(ctune_shuffle_split_new(&ss, 3, 0.2, 1, 0));
    ck_assert_ok(ctune_search_set_splitter(s, ss));
    ctune_splitter_free(ss); /* copied */
    ck_assert_ok(ctune_search_fit(s, data));
    ck_assert_uint_eq(ctune_search_n_splits(s), 3);
    ck_assert_ok(ctune_search_set_splitter(s, NULL));
    ck_assert_ok(ctune_search_fit(s, data));
    ck_assert_uint_eq(ctune_search_n_splits(s), 4);
    double kfold3 = result(s, "split3_test_score", 2);
    /* the same 4 folds given as index lists score the same */
    size_t rows[60], n_train[4], n_test[4];
    const size_t *train[4], *test[4];
    for (size_t i = 0; i < 60; i++)
        rows[i] = i;
    size_t tr_buf[4][60];
    for (size_t f = 0; f < 4; f++) {
        test[f] = rows + 15 * f;
        n_test[f] = 15;
        n_train[f] = 0;
        for (size_t i = 0; i < 60; i++)
            if (i / 15 != f)
                tr_buf[f][n_train[f]++] = i;
        train[f] = tr_buf[f];
    }
    ctune_splitter *ix;
    ck_assert_ok(ctune_index_split_new(&ix, 60, 4, train, n_train, test, n_test));
    ck_assert_ok(ctune_search_set_splitter(s, ix));
    ctune_splitter_free(ix); /* deep-copied */
    ck_assert_ok(ctune_search_fit(s, data));
    ck_assert_double_eq(result(s, "split3_test_score", 2), kfold3);
    ctune_search_free(s);
    ctune_space_free(sp);
    ctune_estimator_free(est);
    ck_assert_int_eq(ctune_alloc_live(), live);
    ctune_data_free(data);
    free(X);
    free(y);
}
END_TEST

START_TEST(test_sampler_warning_through_search)
{
    dataset d = blobs(20);
    ctune_estimator *est = new_est(&fx_centroid_vt, NULL);
    ctune_space *sp = space("shrink: 0|0.5|1");
    ctune_search *s;
    ck_assert_ok(ctune_search_new_randomized(&s, est, sp, 10, 1));
    ck_assert_uint_eq(ctune_search_n_candidates(s), 3);
    ck_assert_uint_eq(ctune_search_n_warnings(s), 1);
    ck_assert_error_has(""); /* no error */
    ck_assert(strstr(ctune_search_warning(s, 0), "smaller than n_iter=10") != NULL);
    ck_assert_ok(ctune_search_set_options(s, "cv=2"));
    ck_assert_ok(ctune_search_fit(s, d.data));
    ck_assert_uint_eq(ctune_search_n_warnings(s), 1);
    ck_assert(strstr(ctune_search_warning(s, 0), "smaller than n_iter=10") != NULL);
    ctune_search_free(s);
    ctune_space_free(sp);
    ctune_estimator_free(est);
    dataset_free(&d);
}
END_TEST

/* Accuracy computed by the caller; user counts the calls (atomically enough
 * for n_jobs=1). Fails when the data has fewer rows than *user's limit. */
static ctune_status my_accuracy(ctune_estimator *est, const ctune_data *data, double *out,
                                void *user)
{
    int *calls = user;
    (*calls)++;
    size_t n = ctune_data_n_rows(data);
    double *pred = malloc(n * sizeof *pred);
    ctune_status rc = ctune_estimator_predict(pred, est, data);
    size_t hit = 0;
    for (size_t i = 0; rc == CTUNE_OK && i < n; i++)
        hit += pred[i] == ctune_data_y(data, i, 0);
    free(pred);
    *out = (double)hit / (double)n;
    return rc;
}

static ctune_status failing_scorer(ctune_estimator *est, const ctune_data *data, double *out,
                                   void *user)
{
    return ctune_set_error(CTUNE_EUSER, "no score today");
}

START_TEST(test_custom_scorer)
{
    dataset d = blobs(30);
    int64_t live = ctune_alloc_live();
    ctune_estimator *est = new_est(&fx_centroid_vt, NULL);
    ctune_space *sp = space("shrink: 0|0.5|1");
    ctune_search *s;
    ck_assert_ok(ctune_search_new_grid(&s, est, sp));
    int calls = 0;
    ck_assert_status(ctune_search_set_options(s, "scoring=my_acc"), CTUNE_EINVAL);
    ck_assert_ok(ctune_search_add_scorer(s, "my_acc", my_accuracy, &calls));
    ck_assert_ok(ctune_search_set_options(s, "cv=3, scoring=accuracy|my_acc, refit=my_acc"));
    ck_assert_ok(ctune_search_fit(s, d.data));
    ck_assert_int_eq(calls, 3 * 3);
    for (size_t c = 0; c < 3; c++)
        ck_assert_double_eq(result(s, "mean_test_my_acc", c), result(s, "mean_test_accuracy", c));
    ck_assert_ptr_nonnull(ctune_search_best_estimator(s));
    /* bad names, duplicates, the limit */
    ck_assert_status(ctune_search_add_scorer(s, "accuracy", my_accuracy, NULL), CTUNE_EINVAL);
    ck_assert_error_has("exists already");
    ck_assert_status(ctune_search_add_scorer(s, "my_acc", my_accuracy, NULL), CTUNE_EINVAL);
    ck_assert_status(ctune_search_add_scorer(s, "a|b", my_accuracy, NULL), CTUNE_EINVAL);
    ck_assert_status(ctune_search_add_scorer(s, "", my_accuracy, NULL), CTUNE_EINVAL);
    ck_assert_status(ctune_search_add_scorer(s, "x", NULL, NULL), CTUNE_EINVAL);
    ck_assert_status(ctune_search_add_scorer(NULL, "x", my_accuracy, NULL), CTUNE_EINVAL);
    char name[8];
    for (int i = 0; i < 7; i++) {
        snprintf(name, sizeof name, "s%d", i);
        ck_assert_ok(ctune_search_add_scorer(s, name, my_accuracy, &calls));
    }
    ck_assert_status(ctune_search_add_scorer(s, "s7", my_accuracy, NULL), CTUNE_EINVAL);
    ck_assert_error_has("at most 8");
    ctune_search_free(s);
    /* a failing scorer gives error_score, or the error with error_score=raise */
    ck_assert_ok(ctune_search_new_grid(&s, est, sp));
    ck_assert_ok(ctune_search_add_scorer(s, "bad", failing_scorer, NULL));
    ck_assert_ok(ctune_search_set_options(s, "cv=2, scoring=bad, refit=false"));
    ck_assert_status(ctune_search_fit(s, d.data), CTUNE_EALLFAILED); /* every score failed */
    ck_assert_error_has("no score today");
    ck_assert(isnan(result(s, "mean_test_score", 0)));
    ck_assert_ok(ctune_search_set_options(s, "error_score=raise"));
    ck_assert_status(ctune_search_fit(s, d.data), CTUNE_EUSER);
    ck_assert_error_has("no score today");
    ctune_search_free(s);
    ctune_space_free(sp);
    ctune_estimator_free(est);
    ck_assert_int_eq(ctune_alloc_live(), live);
    dataset_free(&d);
}
END_TEST

/* Makes allocation k fail for k = 1, 2, ... until a small search (fit and
 * exports) succeeds; every failure must be CTUNE_ENOMEM and leak nothing. */
static void search_sweep(const ctune_estimator *est, const ctune_space *sp, const ctune_data *data,
                         const char *options)
{
    int64_t live = ctune_alloc_live();
    int ok = 0;
    for (int k = 1; k < 5000 && !ok; k++) {
        ctune_search *s = NULL;
        char buf[4096];
        ctune_alloc_fail_at(k, 0);
        ctune_status rc = ctune_search_new_grid(&s, est, sp);
        if (rc == CTUNE_OK)
            rc = ctune_search_set_options(s, options);
        if (rc == CTUNE_OK)
            rc = ctune_search_fit(s, data);
        if (rc == CTUNE_OK) {
            long n = ctune_search_results_json_buf(buf, sizeof buf, s);
            rc = n < 0 ? (ctune_status)n : CTUNE_OK;
        }
        if (rc == CTUNE_OK) {
            long n = ctune_search_results_csv_buf(buf, sizeof buf, s);
            rc = n < 0 ? (ctune_status)n : CTUNE_OK;
        }
        if (rc == CTUNE_OK) {
            long n = ctune_search_result_text(buf, sizeof buf, s, "params", 1);
            rc = n < 0 ? (ctune_status)n : CTUNE_OK;
        }
        ctune_alloc_fail_at(0, 0);
        if (rc != CTUNE_OK)
            ck_assert_msg(rc == CTUNE_ENOMEM, "k=%d: %d %s", k, rc, ctune_last_error());
        else
            ck_assert_str_eq(ctune_search_candidate_error(s, 1),
                             "split 0: NearestCentroid: shrink 0.7 is above fail_above 0.5");
        ok = rc == CTUNE_OK;
        ctune_search_free(s);
        ck_assert_int_eq(ctune_alloc_live(), live);
    }
    ck_assert_msg(ok, "never succeeded with %s", options);
}

START_TEST(test_search_alloc_failure_sweep)
{
    dataset d = blobs(24);
    ctune_estimator *est = new_est(&fx_centroid_vt, "fail_above=0.5");
    ctune_space *sp = space("shrink: 0.2|0.7");
    search_sweep(est, sp, d.data, "cv=2, scoring=accuracy, return_train_score=true");
    search_sweep(est, sp, d.data, "cv=2, n_jobs=2"); /* the pthread executor's allocations */
    ctune_space_free(sp);
    ctune_estimator_free(est);
    dataset_free(&d);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("search");
    TCase *tc = tcase_create("search");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_grid_search_custom_estimator);
    tcase_add_test(tc, test_task_streams);
    tcase_add_test(tc, test_n_jobs_bit_identical);
    tcase_add_test(tc, test_typed_setters);
    tcase_add_test(tc, test_error_score_nan);
    tcase_add_test(tc, test_error_score_raise);
    tcase_add_test(tc, test_progress_and_cancellation);
    tcase_add_test(tc, test_cancellation_parallel);
    tcase_add_test(tc, test_unknown_space_name_rejected_before_any_fit);
    tcase_add_test(tc, test_bad_input);
    tcase_add_test(tc, test_export_csv_json);
    tcase_add_test(tc, test_regressor_search_with_splitter);
    tcase_add_test(tc, test_custom_scorer);
    tcase_add_test(tc, test_sampler_warning_through_search);
    tcase_add_test(tc, test_search_alloc_failure_sweep);
    suite_add_tcase(s, tc);
    return ctu_run_suite(s);
}
