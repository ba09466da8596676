/* Check suite: the public executor interface of libctune (ctune_job_*,
 * ctune_search_set_executor, ctune_cross_validate_executor), which libctune_mpi is
 * built on. Needs no MPI: executors defined here run the tasks in another
 * order, or "on another process" (a leader run whose records and outcome a
 * follower copies), and must give the serial results. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "ctune.h"
#include "ctune_testing.h"

#define ck_assert_status(expr, expected)                                                         \
    do {                                                                                         \
        ctune_status st__ = (expr);                                                              \
        ck_assert_msg(st__ == (expected), "%s returned %d, expected %d; error: %s", #expr, st__, \
                      (int)(expected), ctune_last_error());                                      \
    } while (0)
#define ck_assert_ok(expr) ck_assert_status(expr, CTUNE_OK)
#define ck_assert_error_has(needle)                                                      \
    ck_assert_msg(strstr(ctune_last_error(), (needle)) != NULL, "error '%s' lacks '%s'", \
                  ctune_last_error(), (needle))

/* ---- fixtures -------------------------------------------------------------------------- */

static double X[60 * 2], Y[60];

static ctune_data *make_data(void)
{
    for (size_t i = 0; i < 60; i++) {
        X[2 * i] = (double)((i * 37) % 11) / 11.0 + (i % 2);
        X[2 * i + 1] = (double)((i * 13) % 7) / 7.0;
        Y[i] = (double)(i % 3 == 0);
    }
    ctune_data *d;
    ck_assert_ok(ctune_data_new(&d, X, CTUNE_FLOAT64, 60, 2, 0, Y, 1));
    return d;
}

static ctune_search *make_search(const char *options)
{
    ctune_estimator *est;
    ck_assert_ok(ctune_dummy_classifier_new(&est));
    ctune_space *sp;
    ck_assert_ok(ctune_space_parse(&sp, "strategy: stratified|uniform|prior; seed: 1|2|3"));
    ctune_search *s;
    ck_assert_ok(ctune_search_new_grid(&s, est, sp));
    ck_assert_ok(ctune_search_set_options(s, options ? options : "cv=3, seed=11"));
    ctune_space_free(sp);
    ctune_estimator_free(est);
    return s;
}

/* The results without the time columns; exact doubles (%a). */
static char *signature(const ctune_search *s)
{
    size_t cap = 1 << 15, len = 0;
    char *out = malloc(cap), cell[512];
    size_t best = 99;
    ctune_search_best_index(&best, s);
    len += (size_t)snprintf(out, cap, "status=%d done=%zu best=%zu\n", ctune_search_fit_status(s),
                            ctune_search_n_tasks_done(s), best);
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
            if (len + strlen(col) + strlen(cell) + 32 >= cap)
                out = realloc(out, cap *= 2);
            len += (size_t)snprintf(out + len, cap - len, "%s[%zu]=%s\n", col, i, cell);
        }
    }
    return out;
}

/* ---- executors --------------------------------------------------------------------------- */

typedef struct {
    int runs;
    long n_jobs_seen;
    int refit;
    ctune_status fail_with; /* run returns it */
    int set_message;
    int bad_calls_ok;
} rev_state;

/* Runs the tasks in reverse order on the calling thread. */
static ctune_status reverse_run(void *self, ctune_job *job)
{
    rev_state *st = self;
    st->runs++;
    st->n_jobs_seen = ctune_job_n_jobs(job);
    size_t n = ctune_job_n_tasks(job);
    /* bad calls on a live job */
    st->bad_calls_ok = ctune_job_run_task(job, n, 1) == CTUNE_EINVAL &&
                       ctune_job_record(job, n) == NULL && ctune_job_task_done(job, n) != 0 &&
                       ctune_job_record_size(job) > 0 &&
                       (char *)ctune_job_record(job, 1) ==
                           (char *)ctune_job_record(job, 0) + ctune_job_record_size(job);
    if (st->fail_with) {
        if (st->set_message)
            return ctune_set_error(st->fail_with, "reverse: the cluster is on fire");
        return st->fail_with;
    }
    for (size_t i = n; i-- > 0;) {
        if (ctune_job_stopped(job))
            break;
        ck_assert_ok(ctune_job_run_task(job, i, 1));
        if (ctune_job_task_done(job, i))
            ck_assert_int_eq(ctune_job_stopped(job), 1);
    }
    return CTUNE_OK;
}

static int reverse_refit(void *self) { return ((rev_state *)self)->refit; }

static const ctune_executor_vtable REVERSE = {
    .version = CTUNE_EXECUTOR_VTABLE_VERSION,
    .name = "reverse",
    .run = reverse_run,
    .refit_here = reverse_refit,
};

/* A leader runs every task and keeps records + outcome; a follower runs
 * nothing, copies them in: the way a distributed executor fills the
 * processes that did not call task_done. */
typedef struct {
    int leader;
    unsigned char *records;
    size_t bytes, n_done;
    int flags;
} relay_state;

static ctune_status relay_run(void *self, ctune_job *job)
{
    relay_state *st = self;
    size_t n = ctune_job_n_tasks(job);
    if (st->leader) {
        for (size_t i = 0; i < n && !ctune_job_stopped(job); i++) {
            ctune_job_run_task(job, i, 1);
            ctune_job_task_done(job, i);
        }
        st->bytes = n * ctune_job_record_size(job);
        st->records = malloc(st->bytes);
        memcpy(st->records, ctune_job_record(job, 0), st->bytes);
        return ctune_job_outcome(&st->n_done, &st->flags, job);
    }
    ck_assert_uint_eq(st->bytes, n * ctune_job_record_size(job));
    memcpy(ctune_job_record(job, 0), st->records, st->bytes);
    return ctune_job_set_outcome(job, st->n_done, st->flags);
}

static const ctune_executor_vtable RELAY = {
    .version = CTUNE_EXECUTOR_VTABLE_VERSION,
    .name = "relay",
    .run = relay_run,
};

static int cancel_after_4(size_t c, size_t f, double score, double el, size_t done, size_t total,
                          void *user)
{
    (void)c, (void)f, (void)score, (void)el, (void)total, (void)user;
    return done >= 4;
}

/* ---- tests ------------------------------------------------------------------------------- */

START_TEST(test_reverse_order_matches_serial)
{
    ctune_data *d = make_data();
    int64_t live = ctune_alloc_live();
    ctune_search *a = make_search(NULL), *b = make_search(NULL);
    rev_state st = {0, 0, 1, CTUNE_OK, 0, 0};
    ck_assert_ok(ctune_search_set_executor(a, &REVERSE, &st));
    ck_assert_ok(ctune_search_fit(a, d));
    ck_assert_ok(ctune_search_fit(b, d));
    ck_assert_int_eq(st.runs, 1);
    ck_assert_int_eq(st.bad_calls_ok, 1);
    char *x = signature(a), *y = signature(b);
    ck_assert_str_eq(x, y);
    free(x), free(y);
    ck_assert_ptr_nonnull(ctune_search_best_estimator(a));
    /* NULL goes back to the n_jobs executors */
    ck_assert_ok(ctune_search_set_executor(a, NULL, NULL));
    ck_assert_ok(ctune_search_fit(a, d));
    ck_assert_int_eq(st.runs, 1);
    ctune_search_free(a);
    ctune_search_free(b);
    ck_assert_int_eq(ctune_alloc_live(), live);
    ctune_data_free(d);
}
END_TEST

START_TEST(test_n_jobs_and_refit_here)
{
    ctune_data *d = make_data();
    ctune_search *a = make_search("cv=3, n_jobs=3");
    rev_state st = {0, 0, 0, CTUNE_OK, 0, 0};
    ck_assert_ok(ctune_search_set_executor(a, &REVERSE, &st));
    ck_assert_ok(ctune_search_fit(a, d));
    ck_assert_int_eq(st.n_jobs_seen, 3);
    size_t best;
    ck_assert_ok(ctune_search_best_index(&best, a));    /* the best is known */
    ck_assert_ptr_null(ctune_search_best_estimator(a)); /* but not refitted here */
    ck_assert_double_eq(ctune_search_refit_time(a), 0);
    ctune_search_free(a);
    ctune_data_free(d);
}
END_TEST

START_TEST(test_relay_copies_results_and_outcome)
{
    ctune_data *d = make_data();
    int64_t live = ctune_alloc_live();
    for (int cancel = 0; cancel < 2; cancel++) {
        ctune_search *a = make_search(NULL), *b = make_search(NULL);
        relay_state lead = {1, NULL, 0, 0, 0};
        ck_assert_ok(ctune_search_set_executor(a, &RELAY, &lead));
        if (cancel)
            ck_assert_ok(ctune_search_set_progress(a, cancel_after_4, NULL));
        ck_assert_status(ctune_search_fit(a, d), cancel ? CTUNE_ECANCELLED : CTUNE_OK);
        ck_assert_int_eq(lead.flags, cancel ? CTUNE_JOB_CANCELLED : 0);
        relay_state follow = lead;
        follow.leader = 0;
        ck_assert_ok(ctune_search_set_executor(b, &RELAY, &follow));
        ck_assert_status(ctune_search_fit(b, d), cancel ? CTUNE_ECANCELLED : CTUNE_OK);
        if (cancel)
            ck_assert_error_has("cancelled by the progress callback after 4 of 27 tasks");
        char *x = signature(a), *y = signature(b);
        ck_assert_str_eq(x, y);
        free(x), free(y);
        free(lead.records);
        ctune_search_free(a);
        ctune_search_free(b);
    }
    ck_assert_int_eq(ctune_alloc_live(), live);
    ctune_data_free(d);
}
END_TEST

START_TEST(test_relay_error_score_raise)
{
    /* a failing fit under error_score=raise: the follower reports the same
     * failure from the copied records and outcome */
    ctune_data *d = make_data();
    ctune_estimator *est;
    ck_assert_ok(ctune_dummy_regressor_new(&est));
    ctune_space *sp;
    ck_assert_ok(ctune_space_parse(&sp, "strategy: mean|constant|median"));
    ctune_search *a, *b;
    ck_assert_ok(ctune_search_new_grid(&a, est, sp));
    ck_assert_ok(ctune_search_new_grid(&b, est, sp));
    ck_assert_ok(ctune_search_set_options(a, "cv=2, error_score=raise"));
    ck_assert_ok(ctune_search_set_options(b, "cv=2, error_score=raise"));
    relay_state lead = {1, NULL, 0, 0, 0};
    ck_assert_ok(ctune_search_set_executor(a, &RELAY, &lead));
    ck_assert_status(ctune_search_fit(a, d), CTUNE_EINVAL);
    char msg[1024];
    snprintf(msg, sizeof msg, "%s", ctune_last_error());
    ck_assert_int_eq(lead.flags, CTUNE_JOB_FAILED);
    relay_state follow = lead;
    follow.leader = 0;
    ck_assert_ok(ctune_search_set_executor(b, &RELAY, &follow));
    ck_assert_status(ctune_search_fit(b, d), CTUNE_EINVAL);
    ck_assert_str_eq(ctune_last_error(), msg);
    ck_assert_msg(strstr(msg, "candidate 1, split 0") != NULL, "message %s", msg);
    free(lead.records);
    ctune_search_free(a);
    ctune_search_free(b);
    ctune_space_free(sp);
    ctune_estimator_free(est);
    ctune_data_free(d);
}
END_TEST

START_TEST(test_executor_failure)
{
    ctune_data *d = make_data();
    int64_t live = ctune_alloc_live();
    ctune_search *a = make_search(NULL);
    rev_state st = {0, 0, 1, CTUNE_EIO, 1, 0};
    ck_assert_ok(ctune_search_set_executor(a, &REVERSE, &st));
    ck_assert_status(ctune_search_fit(a, d), CTUNE_EIO);
    ck_assert_error_has("reverse: the cluster is on fire");
    ck_assert_int_eq(ctune_search_fit_status(a), CTUNE_EIO);
    ck_assert_int_eq(ctune_search_has_results(a), 1); /* the records present: none ran */
    ck_assert_ptr_null(ctune_search_best_estimator(a));
    st.set_message = 0;
    ck_assert_status(ctune_search_fit(a, d), CTUNE_EIO);
    ck_assert_error_has("executor 'reverse' failed");
    ctune_search_free(a);
    ck_assert_int_eq(ctune_alloc_live(), live);
    ctune_data_free(d);
}
END_TEST

START_TEST(test_cancel_through_task_done)
{
    ctune_data *d = make_data();
    ctune_search *a = make_search(NULL);
    rev_state st = {0, 0, 1, CTUNE_OK, 0, 0};
    ck_assert_ok(ctune_search_set_executor(a, &REVERSE, &st));
    ck_assert_ok(ctune_search_set_progress(a, cancel_after_4, NULL));
    ck_assert_status(ctune_search_fit(a, d), CTUNE_ECANCELLED);
    ck_assert_uint_eq(ctune_search_n_tasks_done(a), 4);
    ck_assert_ptr_null(ctune_search_best_estimator(a));
    ctune_search_free(a);
    ctune_data_free(d);
}
END_TEST

START_TEST(test_cross_validate_ex)
{
    ctune_data *d = make_data();
    ctune_estimator *est;
    ck_assert_ok(ctune_dummy_classifier_new(&est));
    ck_assert_ok(ctune_estimator_set_params_text(est, "strategy=stratified, seed=4"));
    ctune_cv_results *r1, *r2;
    rev_state st = {0, 0, 1, CTUNE_OK, 0, 0};
    ck_assert_ok(ctune_cross_validate_executor(&r1, est, d, NULL, 4, "n_jobs=2", &REVERSE, &st));
    ck_assert_int_eq(st.runs, 1);
    ck_assert_int_eq(st.n_jobs_seen, 2);
    ck_assert_ok(ctune_cross_validate_executor(&r2, est, d, NULL, 4, NULL, NULL, NULL));
    double a[4], b[4];
    ck_assert_ok(ctune_cv_results_column(a, r1, "test_score"));
    ck_assert_ok(ctune_cv_results_column(b, r2, "test_score"));
    ck_assert_int_eq(memcmp(a, b, sizeof a), 0);
    ctune_cv_results_free(r1);
    ctune_cv_results_free(r2);
    st.fail_with = CTUNE_EIO;
    st.set_message = 1;
    ck_assert_status(ctune_cross_validate_executor(&r1, est, d, NULL, 4, NULL, &REVERSE, &st),
                     CTUNE_EIO);
    ck_assert_ptr_null(r1);
    ck_assert_error_has("on fire");
    ctune_estimator_free(est);
    ctune_data_free(d);
}
END_TEST

START_TEST(test_bad_vtables_and_null_jobs)
{
    ctune_data *d = make_data();
    ctune_search *a = make_search(NULL);
    ctune_executor_vtable bad = REVERSE;
    bad.version = 99;
    ck_assert_status(ctune_search_set_executor(NULL, &REVERSE, NULL), CTUNE_EINVAL);
    ck_assert_error_has("search is NULL");
    ck_assert_status(ctune_search_set_executor(a, &bad, NULL), CTUNE_EINVAL);
    ck_assert_error_has("executor vtable 'reverse': version 99, expected 1");
    bad = REVERSE;
    bad.run = NULL;
    ck_assert_status(ctune_search_set_executor(a, &bad, NULL), CTUNE_EINVAL);
    ck_assert_error_has("run is NULL");
    ctune_cv_results *r = NULL;
    ck_assert_status(ctune_cross_validate_executor(&r, NULL, d, NULL, 3, NULL, &REVERSE, NULL),
                     CTUNE_EINVAL);
    ck_assert_status(
        ctune_cross_validate_executor(&r, (ctune_estimator *)NULL, d, NULL, 3, NULL, &bad, NULL),
        CTUNE_EINVAL);
    ctune_estimator *est;
    ck_assert_ok(ctune_dummy_classifier_new(&est));
    ck_assert_status(ctune_cross_validate_executor(&r, est, d, NULL, 3, NULL, &bad, NULL),
                     CTUNE_EINVAL);
    ck_assert_error_has("run is NULL");
    ctune_estimator_free(est);
    /* the failed set left the search as it was: serial */
    ck_assert_ok(ctune_search_fit(a, d));
    /* NULL jobs */
    size_t n = 9;
    int flags = 9;
    ck_assert_uint_eq(ctune_job_n_tasks(NULL), 0);
    ck_assert_uint_eq(ctune_job_record_size(NULL), 0);
    ck_assert_ptr_null(ctune_job_record(NULL, 0));
    ck_assert_int_eq(ctune_job_n_jobs(NULL), 1);
    ck_assert_status(ctune_job_run_task(NULL, 0, 1), CTUNE_EINVAL);
    ck_assert_int_ne(ctune_job_task_done(NULL, 0), 0);
    ck_assert_int_eq(ctune_job_stopped(NULL), 0);
    ctune_job_stop(NULL);
    ck_assert_status(ctune_job_outcome(&n, &flags, NULL), CTUNE_EINVAL);
    ck_assert_status(ctune_job_set_outcome(NULL, 0, 0), CTUNE_EINVAL);
    ctune_search_free(a);
    ctune_data_free(d);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("executor");
    TCase *tc = tcase_create("custom");
    tcase_add_test(tc, test_reverse_order_matches_serial);
    tcase_add_test(tc, test_n_jobs_and_refit_here);
    tcase_add_test(tc, test_relay_copies_results_and_outcome);
    tcase_add_test(tc, test_relay_error_score_raise);
    tcase_add_test(tc, test_executor_failure);
    tcase_add_test(tc, test_cancel_through_task_done);
    tcase_add_test(tc, test_cross_validate_ex);
    tcase_add_test(tc, test_bad_vtables_and_null_jobs);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int nf = srunner_ntests_failed(sr);
    srunner_free(sr);
    return nf == 0 ? 0 : 1;
}
