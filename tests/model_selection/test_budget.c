/* Check suite: the budgets of a search. After a timeout
 * (ctune_search_set_timeout(), option timeout=) no new candidate starts;
 * the search ends cleanly with the candidates that finished, whose results
 * are those of an unbounded run; ctune_search_stopped_by() and the JSON's
 * stopped_by say which budget ended it. */
#define CTUNE_EXPERIMENTAL /* row params, halving, TPE */
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctune_testing.h"
#include "fixtures.h"
#include "model_selection/evaluate.h"
#include "testutil.h"

#define N_LEVELS 30

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static ctune_data *blobs(size_t n, double **X, double **y)
{
    fx_blobs(n, 1, X, y);
    ctune_data *d;
    ck_assert_ok(ctune_data_new(&d, *X, CTUNE_FLOAT64, n, 2, 0, *y, 1));
    return d;
}

/* A SlowSeeded estimator whose fits take delay_ms. */
static ctune_estimator *slow(int64_t delay_ms)
{
    ctune_estimator *e;
    ck_assert_ok(ctune_estimator_new(&e, &fx_slow_seeded_vt, NULL));
    ctune_params *p;
    ck_assert_ok(ctune_params_new(&p));
    ck_assert_ok(ctune_params_set_int(p, "delay_ms", delay_ms));
    ck_assert_ok(ctune_estimator_set_params(e, p));
    ctune_params_free(p);
    return e;
}

/* level: 0|1|...|N_LEVELS-1, so a row's level is its grid index. */
static ctune_space *levels(void)
{
    char text[512] = "level: 0";
    for (int i = 1; i < N_LEVELS; i++) {
        char b[16];
        snprintf(b, sizeof b, "|%d", i);
        strcat(text, b);
    }
    ctune_space *sp;
    ck_assert_ok(ctune_space_parse(&sp, text));
    return sp;
}

static int64_t row_level(const ctune_search *s, size_t i)
{
    int64_t v = -1;
    ck_assert_ok(ctune_params_get_int(&v, ctune_search_row_params(s, i), "level"));
    return v;
}

START_TEST(test_timeout_bad_values)
{
    int64_t live = ctune_alloc_live();
    ctune_estimator *e = slow(0);
    ctune_space *sp = levels();
    ctune_search *s;
    ck_assert_ok(ctune_search_new_grid(&s, e, sp));
    ck_assert_status(ctune_search_set_timeout(NULL, 1), CTUNE_EINVAL);
    ck_assert_status(ctune_search_set_timeout(s, 0), CTUNE_EINVAL);
    ck_assert_error_has("timeout must be a finite number of seconds > 0, got 0");
    ck_assert_status(ctune_search_set_timeout(s, -1.5), CTUNE_EINVAL);
    ck_assert_error_has("got -1.5");
    ck_assert_status(ctune_search_set_timeout(s, NAN), CTUNE_EINVAL);
    ck_assert_error_has("got nan");
    ck_assert_status(ctune_search_set_timeout(s, INFINITY), CTUNE_EINVAL);
    ck_assert_error_has("got inf");
    /* the same key in the options text, through the one options parser */
    ck_assert_status(ctune_search_set_options(s, "timeout=0"), CTUNE_EINVAL);
    ck_assert_error_has("timeout must be a finite number of seconds > 0, got 0");
    ck_assert_status(ctune_search_set_options(s, "timeout=-2"), CTUNE_EINVAL);
    ck_assert_error_has("got -2");
    ck_assert_status(ctune_search_set_options(s, "timeout=nan"), CTUNE_EINVAL);
    ck_assert_status(ctune_search_set_options(s, "timeout=inf"), CTUNE_EINVAL);
    ck_assert_status(ctune_search_set_options(s, "timeout=soon"), CTUNE_EINVAL);
    ck_assert_error_has("timeout");
    /* a rejected value changes nothing: an earlier cv stays, and no
     * timeout is set, so the whole grid runs */
    ck_assert_ok(ctune_search_set_options(s, "cv=2"));
    ck_assert_status(ctune_search_set_options(s, "cv=3, timeout=-1"), CTUNE_EINVAL);
    ck_assert_ptr_null(ctune_search_stopped_by(s)); /* before any fit */
    double *X, *y;
    ctune_data *d = blobs(40, &X, &y);
    ck_assert_ok(ctune_search_fit(s, d));
    ck_assert_uint_eq(ctune_search_n_splits(s), 2);
    ck_assert_uint_eq(ctune_search_n_rows(s), N_LEVELS);
    ck_assert_str_eq(ctune_search_stopped_by(s), "grid");
    ck_assert_ptr_null(ctune_search_stopped_by(NULL));
    /* cross_validate has no timeout */
    ctune_cv_results *res = NULL;
    ck_assert_status(ctune_cross_validate(&res, e, d, NULL, 2, "timeout=1"), CTUNE_EINVAL);
    ck_assert_ptr_null(res);
    ctune_search_free(s);
    ctune_space_free(sp);
    ctune_estimator_free(e);
    ctune_data_free(d);
    ck_assert_int_eq(ctune_alloc_live(), live);
    free(X);
    free(y);
}
END_TEST

/* The words of every budget when the timeout does not run out; a large
 * timeout leaves the results bit-identical (same JSON but the field). */
START_TEST(test_stopped_by_words)
{
    double *X, *y;
    ctune_data *d = blobs(40, &X, &y);
    ctune_estimator *e = slow(0);
    ctune_space *sp = levels();
    ctune_search *s, *r;
    ck_assert_ok(ctune_search_new_grid(&s, e, sp));
    ck_assert_ok(ctune_search_set_options(s, "cv=2"));
    ck_assert_ok(ctune_search_fit(s, d));
    ck_assert_str_eq(ctune_search_stopped_by(s), "grid");
    long n = ctune_search_results_json_buf(NULL, 0, s);
    ck_assert_int_gt(n, 0);
    char *a = malloc((size_t)n + 1);
    ctune_search_results_json_buf(a, (size_t)n + 1, s);
    /* its whole list ran: no stopped_by, the document a study rebuilds */
    ck_assert_ptr_null(strstr(a, "stopped_by"));
    free(a);
    /* a timeout that does not run out changes nothing: bit-identical scores */
    ck_assert_ok(ctune_search_set_timeout(s, 3600));
    ck_assert_ok(ctune_search_fit(s, d));
    ck_assert_str_eq(ctune_search_stopped_by(s), "grid");
    ck_assert_uint_eq(ctune_search_n_rows(s), N_LEVELS);
    const char *cols[] = {"mean_test_score", "split0_test_score", "split1_test_score",
                          "rank_test_score"};
    ctune_search *plain;
    ck_assert_ok(ctune_search_new_grid(&plain, e, sp));
    ck_assert_ok(ctune_search_set_options(plain, "cv=2"));
    ck_assert_ok(ctune_search_fit(plain, d));
    for (size_t c = 0; c < 4; c++)
        for (size_t i = 0; i < N_LEVELS; i++) {
            double u, v;
            ck_assert_ok(ctune_search_result(&u, s, cols[c], i));
            ck_assert_ok(ctune_search_result(&v, plain, cols[c], i));
            ck_assert_int_eq(memcmp(&u, &v, sizeof u), 0);
        }
    ctune_search_free(plain);
    ctune_search_free(s);
    /* randomized: n_iter; TPE: n_trials; halving: schedule */
    ck_assert_ok(ctune_search_new_randomized(&r, e, sp, 4, 3));
    ck_assert_ok(ctune_search_set_options(r, "cv=2"));
    ck_assert_ok(ctune_search_fit(r, d));
    ck_assert_str_eq(ctune_search_stopped_by(r), "n_iter");
    ctune_search_free(r);
    ctune_space *cont;
    ck_assert_ok(ctune_space_parse(&cont, "level: randint(0, 100)"));
    ck_assert_ok(ctune_search_new_tpe(&r, e, cont, 6, 3, NULL));
    ck_assert_ok(ctune_search_set_options(r, "cv=2"));
    ck_assert_ok(ctune_search_fit(r, d));
    ck_assert_str_eq(ctune_search_stopped_by(r), "n_trials");
    ctune_search_free(r);
    ctune_space_free(cont);
    ck_assert_ok(ctune_search_new_halving(&r, e, sp, 0, 3, "factor=3"));
    ck_assert_ok(ctune_search_set_options(r, "cv=2"));
    ck_assert_ok(ctune_search_fit(r, d));
    ck_assert_str_eq(ctune_search_stopped_by(r), "schedule");
    /* a cancellation */
    ctune_search_cancel(r);
    ck_assert_status(ctune_search_fit(r, d), CTUNE_ECANCELLED);
    ck_assert_str_eq(ctune_search_stopped_by(r), "cancelled");
    n = ctune_search_results_json_buf(NULL, 0, r);
    ck_assert_int_gt(n, 0);
    a = malloc((size_t)n + 1);
    ctune_search_results_json_buf(a, (size_t)n + 1, r);
    ck_assert_ptr_nonnull(strstr(a, "\"status\": \"partial\",\n  \"stopped_by\": \"cancelled\""));
    free(a);
    ctune_search_free(r);
    ctune_space_free(sp);
    ctune_estimator_free(e);
    ctune_data_free(d);
    free(X);
    free(y);
}
END_TEST

/* The unbounded reference: every level's mean and split scores. */
static void reference(const ctune_data *d, double *mean, double *s0, double *s1)
{
    ctune_estimator *e = slow(0);
    ctune_space *sp = levels();
    ctune_search *s;
    ck_assert_ok(ctune_search_new_grid(&s, e, sp));
    ck_assert_ok(ctune_search_set_options(s, "cv=2, seed=11"));
    ck_assert_ok(ctune_search_fit(s, d));
    ck_assert_uint_eq(ctune_search_n_rows(s), N_LEVELS);
    for (size_t i = 0; i < N_LEVELS; i++) {
        ck_assert_int_eq(row_level(s, i), (int64_t)i);
        ck_assert_ok(ctune_search_result(&mean[i], s, "mean_test_score", i));
        ck_assert_ok(ctune_search_result(&s0[i], s, "split0_test_score", i));
        ck_assert_ok(ctune_search_result(&s1[i], s, "split1_test_score", i));
    }
    ctune_search_free(s);
    ctune_space_free(sp);
    ctune_estimator_free(e);
}

/* 30 candidates of 2 fits of 50 ms and a timeout of 0.3 s: the search ends
 * with stopped_by timeout and fewer candidates, soon after the budget, and
 * each finished candidate has the scores of an unbounded run. */
static void run_timeout(long n_jobs, const char *how)
{
    double *X, *y;
    ctune_data *d = blobs(40, &X, &y);
    double mean[N_LEVELS], s0[N_LEVELS], s1[N_LEVELS];
    reference(d, mean, s0, s1);
    int64_t live = ctune_alloc_live();
    ctune_estimator *e = slow(50);
    ctune_space *sp = levels();
    ctune_search *s;
    ck_assert_ok(ctune_search_new_grid(&s, e, sp));
    ck_assert_ok(ctune_search_set_options(s, "cv=2, seed=11"));
    ck_assert_ok(ctune_search_set_n_jobs(s, n_jobs));
    if (strcmp(how, "text") == 0)
        ck_assert_ok(ctune_search_set_options(s, "timeout=0.3"));
    else
        ck_assert_ok(ctune_search_set_timeout(s, 0.3));
    double t0 = now();
    ck_assert_ok(ctune_search_fit(s, d));
    double took = now() - t0;
    /* unbounded: 30 x 2 x 50 ms = 3 s of fits (1.5 s on 2 workers); a
     * generous bound only, never a tight timing */
    ck_assert_double_lt(took, 0.3 + 1.2);
    ck_assert_str_eq(ctune_search_stopped_by(s), "timeout");
    ck_assert_int_eq(ctune_search_fit_status(s), CTUNE_OK);
    size_t n = ctune_search_n_rows(s);
    ck_assert_uint_ge(n, 1);
    ck_assert_uint_lt(n, N_LEVELS);
    ck_assert_uint_eq(ctune_search_n_candidates(s), N_LEVELS); /* the plan */
    int64_t prev = -1;
    for (size_t i = 0; i < n; i++) {
        int64_t lv = row_level(s, i);
        ck_assert_int_gt(lv, prev); /* in candidate order */
        prev = lv;
        double m, a, b;
        ck_assert_ok(ctune_search_result(&m, s, "mean_test_score", i));
        ck_assert_ok(ctune_search_result(&a, s, "split0_test_score", i));
        ck_assert_ok(ctune_search_result(&b, s, "split1_test_score", i));
        ck_assert_int_eq(memcmp(&m, &mean[lv], sizeof m), 0);
        ck_assert_int_eq(memcmp(&a, &s0[lv], sizeof a), 0);
        ck_assert_int_eq(memcmp(&b, &s1[lv], sizeof b), 0);
        ck_assert_ptr_null(ctune_search_candidate_error(s, i));
    }
    /* best and refit among those */
    size_t best;
    ck_assert_ok(ctune_search_best_index(&best, s));
    ck_assert_uint_lt(best, n);
    for (size_t i = 0; i < n; i++) {
        double m;
        ck_assert_ok(ctune_search_result(&m, s, "mean_test_score", i));
        double bs;
        ck_assert_ok(ctune_search_best_score(&bs, s));
        ck_assert_double_le(m, bs);
    }
    ck_assert_ptr_eq(ctune_search_best_params(s), ctune_search_row_params(s, best));
    ck_assert_ptr_nonnull(ctune_search_best_estimator(s));
    /* JSON: complete over the finished candidates, stopped by the timeout */
    long len = ctune_search_results_json_buf(NULL, 0, s);
    ck_assert_int_gt(len, 0);
    char *json = malloc((size_t)len + 1);
    ctune_search_results_json_buf(json, (size_t)len + 1, s);
    ck_assert_ptr_nonnull(strstr(json, "\"stopped_by\": \"timeout\""));
    ck_assert_ptr_nonnull(strstr(json, "\"status\": \"complete\""));
    char want[64];
    snprintf(want, sizeof want, "\"n_candidates\": %zu,", n);
    ck_assert_ptr_nonnull(strstr(json, want));
    free(json);
    ctune_search_free(s);
    ctune_space_free(sp);
    ctune_estimator_free(e);
    ck_assert_int_eq(ctune_alloc_live(), live);
    ctune_data_free(d);
    free(X);
    free(y);
}

START_TEST(test_timeout_serial) { run_timeout(1, "setter"); }
END_TEST

START_TEST(test_timeout_threads) { run_timeout(2, "text"); }
END_TEST

/* The refit continues the stream of the best row's candidate: the same
 * fitted seed as the refit of an unbounded search that picks it. */
START_TEST(test_timeout_refit_stream)
{
    double *X, *y;
    ctune_data *d = blobs(40, &X, &y);
    ctune_estimator *e = slow(50);
    ctune_space *sp = levels();
    ctune_search *s;
    ck_assert_ok(ctune_search_new_grid(&s, e, sp));
    ck_assert_ok(ctune_search_set_options(s, "cv=2, seed=5, timeout=0.25"));
    ck_assert_ok(ctune_search_fit(s, d));
    ck_assert_str_eq(ctune_search_stopped_by(s), "timeout");
    size_t best;
    ck_assert_ok(ctune_search_best_index(&best, s));
    int64_t lv = row_level(s, best);
    uint64_t got = fx_seeded_fit_seed(ctune_search_best_estimator(s));
    /* the refit of candidate lv of a grid search with n_splits 2 */
    ck_assert_uint_eq(
        got, ctune_seed_derive(0, ctune_seed_derive(ctune_seed_derive(5, (uint64_t)lv), 2)));
    ctune_search_free(s);
    ctune_space_free(sp);
    ctune_estimator_free(e);
    ctune_data_free(d);
    free(X);
    free(y);
}
END_TEST

/* A budget smaller than one fit: the candidate that started before it runs
 * all its splits (its fits are not cut short), no other starts; the
 * search ends within that candidate's time. */
START_TEST(test_timeout_finishes_started_candidate)
{
    double *X, *y;
    ctune_data *d = blobs(40, &X, &y);
    int64_t live = ctune_alloc_live();
    ctune_estimator *e = slow(60);
    ctune_space *sp = levels();
    ctune_search *s;
    ck_assert_ok(ctune_search_new_grid(&s, e, sp));
    ck_assert_ok(ctune_search_set_options(s, "cv=3, timeout=0.01, seed=2"));
    ck_assert_ok(ctune_search_fit(s, d));
    ck_assert_str_eq(ctune_search_stopped_by(s), "timeout");
    ck_assert_uint_eq(ctune_search_n_rows(s), 1); /* the serial executor: candidate 0 */
    ck_assert_int_eq(row_level(s, 0), 0);
    ck_assert_uint_eq(ctune_search_n_tasks_done(s), 3);
    ck_assert_ptr_null(ctune_search_candidate_error(s, 0));
    size_t b;
    ck_assert_ok(ctune_search_best_index(&b, s));
    ck_assert_uint_eq(b, 0);
    ck_assert_ptr_nonnull(ctune_search_best_estimator(s));
    /* the same with 2 workers: the candidates started run whole */
    ck_assert_ok(ctune_search_set_n_jobs(s, 2));
    ck_assert_ok(ctune_search_fit(s, d));
    ck_assert_str_eq(ctune_search_stopped_by(s), "timeout");
    size_t n = ctune_search_n_rows(s);
    ck_assert_uint_ge(n, 1);
    ck_assert_uint_le(n, 3);
    ck_assert_uint_eq(ctune_search_n_tasks_done(s) % 3, 0);
    ctune_search_free(s);
    ctune_space_free(sp);
    ctune_estimator_free(e);
    ck_assert_int_eq(ctune_alloc_live(), live);
    ctune_data_free(d);
    free(X);
    free(y);
}
END_TEST

/* Successive halving, TPE and a pruned search stop too, and keep only
 * finished rows. */
START_TEST(test_timeout_other_searches)
{
    double *X, *y;
    ctune_data *d = blobs(60, &X, &y);
    int64_t live = ctune_alloc_live();
    ctune_estimator *e = slow(30);
    ctune_space *sp = levels();
    ctune_search *s;
    /* halving grid over n_samples: 30 candidates in the first iteration */
    ck_assert_ok(ctune_search_new_halving(&s, e, sp, 0, 3, "factor=3"));
    ck_assert_ok(ctune_search_set_options(s, "cv=2, timeout=0.2"));
    ck_assert_ok(ctune_search_fit(s, d));
    ck_assert_str_eq(ctune_search_stopped_by(s), "timeout");
    size_t n = ctune_search_n_rows(s);
    ck_assert_uint_ge(n, 1);
    ck_assert_uint_lt(n, N_LEVELS);
    for (size_t i = 0; i < n; i++) {
        double m;
        ck_assert_ok(ctune_search_result(&m, s, "mean_test_score", i));
        ck_assert(isfinite(m));
    }
    ck_assert_ptr_nonnull(ctune_search_best_estimator(s));
    ctune_search_free(s);
    /* TPE: batches of 1 by default */
    ctune_space *cont;
    ck_assert_ok(ctune_space_parse(&cont, "level: randint(0, 1000)"));
    ck_assert_ok(ctune_search_new_tpe(&s, e, cont, 40, 3, NULL));
    ck_assert_ok(ctune_search_set_options(s, "cv=2, timeout=0.2"));
    ck_assert_ok(ctune_search_fit(s, d));
    ck_assert_str_eq(ctune_search_stopped_by(s), "timeout");
    n = ctune_search_n_rows(s);
    ck_assert_uint_ge(n, 1);
    ck_assert_uint_lt(n, 40);
    ctune_search_free(s);
    ctune_space_free(cont);
    ctune_space_free(sp);
    ctune_estimator_free(e);
    ck_assert_int_eq(ctune_alloc_live(), live);
    ctune_data_free(d);
    free(X);
    free(y);
}
END_TEST

#ifdef CTUNE_TEST_HOOKS
/* A grid search whose timeout passes, in test builds, after 4 tasks (the
 * test hook of evaluate.c): candidates 0 and 1 finish, deterministically. */
static ctune_search *timed_search(const ctune_estimator *e, const ctune_space *sp)
{
    ctune_search *s;
    ck_assert_ok(ctune_search_new_grid(&s, e, sp));
    ck_assert_ok(ctune_search_set_options(s, "cv=2, timeout=3600"));
    return s;
}

/* Out of memory anywhere in a timed-out search (the tasks, keeping the
 * finished candidates, the table, the refit): CTUNE_ENOMEM with no results,
 * nothing leaks, and the search fits again. Every allocation fails once,
 * then every allocation from it on. */
START_TEST(test_timeout_out_of_memory)
{
    double *X, *y;
    ctune_data *d = blobs(40, &X, &y);
    ctune_estimator *e = slow(0);
    ctune_space *sp = levels();
    int64_t live = ctune_alloc_live();
    atomic_store(&ctune__test_deadline_after, 4);
    ctune_search *s = timed_search(e, sp);
    int64_t t0 = ctune_alloc_total();
    ck_assert_ok(ctune_search_fit(s, d));
    int64_t total = ctune_alloc_total() - t0;
    ck_assert_str_eq(ctune_search_stopped_by(s), "timeout");
    ck_assert_uint_eq(ctune_search_n_rows(s), 2);
    ck_assert_ptr_nonnull(ctune_search_best_estimator(s));
    ctune_search_free(s);
    ck_assert_int_eq(ctune_alloc_live(), live);
    for (int sticky = 0; sticky < 2; sticky++)
        for (int64_t k = 1; k <= total; k++) {
            s = timed_search(e, sp);
            int64_t f0 = ctune_alloc_failures();
            ctune_alloc_fail_at(k, sticky);
            ctune_status rc = ctune_search_fit(s, d);
            ctune_alloc_fail_at(0, 0);
            ck_assert_msg(rc == CTUNE_ENOMEM || rc == CTUNE_OK, "k=%lld: %d (%s)", (long long)k, rc,
                          ctune_last_error());
            if (rc == CTUNE_ENOMEM) {
                ck_assert_int_gt(ctune_alloc_failures(), f0);
                ck_assert_int_eq(ctune_search_has_results(s), 0);
                ck_assert_ptr_null(ctune_search_stopped_by(s));
            }
            ctune_search_free(s);
            ck_assert_int_eq(ctune_alloc_live(), live);
        }
    /* and the search fits again */
    s = timed_search(e, sp);
    ck_assert_ok(ctune_search_fit(s, d));
    ck_assert_uint_eq(ctune_search_n_rows(s), 2);
    ctune_search_free(s);
    atomic_store(&ctune__test_deadline_after, 0);
    ctune_space_free(sp);
    ctune_estimator_free(e);
    ctune_data_free(d);
    free(X);
    free(y);
}
END_TEST

/* Each kind of search stopped at a known task (the hook counts the tasks
 * of each run: a halving round, a TPE batch, a pruner's step). */
START_TEST(test_timeout_deterministic_paths)
{
    double *X, *y;
    ctune_data *d = blobs(60, &X, &y);
    int64_t live = ctune_alloc_live();
    ctune_estimator *e = slow(0);
    ctune_space *sp = levels();
    ctune_search *s;
    /* halving: the first round stops after 4 tasks: 2 rows, no next round */
    atomic_store(&ctune__test_deadline_after, 4);
    ck_assert_ok(ctune_search_new_halving(&s, e, sp, 0, 3, "factor=3"));
    ck_assert_ok(ctune_search_set_options(s, "cv=2, timeout=3600"));
    ck_assert_ok(ctune_search_fit(s, d));
    ck_assert_str_eq(ctune_search_stopped_by(s), "timeout");
    ck_assert_uint_eq(ctune_search_n_rows(s), 2);
    for (size_t i = 0; i < 2; i++) {
        double it;
        ck_assert_ok(ctune_search_result(&it, s, "iter", i));
        ck_assert_double_eq(it, 0);
        ck_assert_int_eq(row_level(s, i), (int64_t)i);
    }
    ck_assert_ptr_nonnull(ctune_search_best_estimator(s));
    ctune_search_free(s);
    /* TPE, batches of 1 trial (2 tasks): the first batch ends the search */
    atomic_store(&ctune__test_deadline_after, 2);
    ctune_space *cont;
    ck_assert_ok(ctune_space_parse(&cont, "level: randint(0, 1000)"));
    ck_assert_ok(ctune_search_new_tpe(&s, e, cont, 10, 3, NULL));
    ck_assert_ok(ctune_search_set_options(s, "cv=2, timeout=3600"));
    ck_assert_ok(ctune_search_fit(s, d));
    ck_assert_str_eq(ctune_search_stopped_by(s), "timeout");
    ck_assert_uint_eq(ctune_search_n_rows(s), 1);
    ctune_search_free(s);
    ctune_space_free(cont);
    /* a pruner: the deadline passes in trial 0's first step; the trial
     * trains on to its last step (3 epochs), no other starts */
    ctune_estimator *mlp;
    ck_assert_ok(ctune_mlp_classifier_new(&mlp));
    ctune_space *nn;
    ck_assert_ok(ctune_space_parse(&nn, "nn: 4|8"));
    ck_assert_ok(ctune_search_new_grid(&s, mlp, nn));
    ck_assert_ok(ctune_search_set_options(s, "cv=2, timeout=3600"));
    ck_assert_ok(ctune_search_set_pruner(s, "median", "epochs", 3));
    ck_assert_ok(ctune_search_fit(s, d));
    ck_assert_str_eq(ctune_search_stopped_by(s), "timeout");
    ck_assert_uint_eq(ctune_search_n_rows(s), 1);
    double res;
    ck_assert_ok(ctune_search_result(&res, s, "n_resources", 0));
    ck_assert_double_eq(res, 3);
    /* with more budget the same search runs whole */
    atomic_store(&ctune__test_deadline_after, 0);
    ck_assert_ok(ctune_search_fit(s, d));
    ck_assert_str_eq(ctune_search_stopped_by(s), "grid");
    ck_assert_uint_eq(ctune_search_n_rows(s), 2);
    ctune_search_free(s);
    ctune_space_free(nn);
    ctune_estimator_free(mlp);
    ctune_space_free(sp);
    ctune_estimator_free(e);
    ck_assert_int_eq(ctune_alloc_live(), live);
    ctune_data_free(d);
    free(X);
    free(y);
}
END_TEST

/* An executor of the caller's that runs task 0 (candidate 0, split 0),
 * then task 2 (candidate 1, split 0), and returns: with the deadline past
 * after task 0, candidate 1 is refused and candidate 0 never gets its
 * split 1, so no candidate finished. */
static ctune_status two_tasks(void *self, ctune_job *job)
{
    (void)self;
    size_t order[] = {0, 2};
    for (size_t i = 0; i < 2; i++) {
        if (ctune_job_stopped(job))
            break;
        ck_assert_ok(ctune_job_run_task(job, order[i], 1));
        if (ctune_job_task_done(job, order[i]))
            break;
    }
    return CTUNE_OK;
}

static const ctune_executor_vtable TWO_TASKS = {
    .version = CTUNE_EXECUTOR_VTABLE_VERSION,
    .name = "two_tasks",
    .run = two_tasks,
};

START_TEST(test_timeout_nothing_finished)
{
    double *X, *y;
    ctune_data *d = blobs(40, &X, &y);
    int64_t live = ctune_alloc_live();
    ctune_estimator *e = slow(0);
    ctune_space *sp = levels();
    ctune_search *s;
    ck_assert_ok(ctune_search_new_grid(&s, e, sp));
    ck_assert_ok(ctune_search_set_options(s, "cv=2, timeout=0.5"));
    ck_assert_ok(ctune_search_set_executor(s, &TWO_TASKS, NULL));
    atomic_store(&ctune__test_deadline_after, 1);
    ck_assert_status(ctune_search_fit(s, d), CTUNE_ECANCELLED);
    atomic_store(&ctune__test_deadline_after, 0);
    ck_assert_error_has("timeout=0.5 s ran out before any candidate finished its 2 splits");
    ck_assert_int_eq(ctune_search_has_results(s), 0);
    ck_assert_uint_eq(ctune_search_n_rows(s), 0);
    ck_assert_ptr_null(ctune_search_best_estimator(s));
    ck_assert_str_eq(ctune_search_stopped_by(s), "timeout");
    ck_assert_int_lt(ctune_search_results_json_buf(NULL, 0, s), 0);
    size_t b;
    ck_assert_status(ctune_search_best_index(&b, s), CTUNE_ESTATE);
    ctune_search_free(s);
    ctune_space_free(sp);
    ctune_estimator_free(e);
    ck_assert_int_eq(ctune_alloc_live(), live);
    ctune_data_free(d);
    free(X);
    free(y);
}
END_TEST
#endif

static Suite *suite(void)
{
    Suite *s = suite_create("budget");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_timeout_bad_values);
    tcase_add_test(tc, test_stopped_by_words);
    tcase_add_test(tc, test_timeout_serial);
    tcase_add_test(tc, test_timeout_threads);
    tcase_add_test(tc, test_timeout_refit_stream);
    tcase_add_test(tc, test_timeout_finishes_started_candidate);
    tcase_add_test(tc, test_timeout_other_searches);
#ifdef CTUNE_TEST_HOOKS
    tcase_add_test(tc, test_timeout_out_of_memory);
    tcase_add_test(tc, test_timeout_deterministic_paths);
    tcase_add_test(tc, test_timeout_nothing_finished);
#endif
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return ctu_run_suite(suite()); }
