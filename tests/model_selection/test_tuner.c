/* Check suite: the tuner (ask / tell, report and the pruner, the trials
 * table and its export, optimize with its budgets) and its bad input. */
#define CTUNE_EXPERIMENTAL
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fixtures.h"
#include "testutil.h"

static ctune_space *space_of(const char *text)
{
    ctune_space *sp = NULL;
    ck_assert_ok(ctune_space_parse(&sp, text));
    return sp;
}

static ctune_tuner *tuner_of(const char *space, const char *opts)
{
    ctune_space *sp = space_of(space);
    ctune_tuner *t = NULL;
    ck_assert_ok(ctune_tuner_new(&t, sp, opts));
    ctune_space_free(sp);
    return t;
}

/* The text of each of n proposals, told in `order` with value = -trial. */
static void run_ask_tell(const char *opts, const size_t *order, size_t n, char texts[][128])
{
    ctune_tuner *t = tuner_of("lr: loguniform(1e-4, 1); nn: randint(1, 64); act: relu|tanh", opts);
    size_t ids[16];
    for (size_t i = 0; i < n; i++) {
        const ctune_params *p = NULL;
        ck_assert_ok(ctune_tuner_ask(&ids[i], &p, t));
        ck_assert_uint_eq(ids[i], i);
        ck_assert_int_gt(ctune_params_to_text(texts[i], 128, p), 0);
    }
    for (size_t i = 0; i < n; i++)
        ck_assert_ok(ctune_tuner_tell(t, ids[order[i]], -(double)order[i]));
    ctune_tuner_free(t);
}

START_TEST(test_ask_tell_deterministic)
{
    static const size_t fwd[] = {0, 1, 2, 3, 4, 5}, rev[] = {5, 4, 3, 2, 1, 0};
    char a[6][128], b[6][128], c[6][128];
    run_ask_tell("seed=7", fwd, 6, a);
    run_ask_tell("seed=7", fwd, 6, b);
    run_ask_tell("seed=8", rev, 6, c);
    for (size_t i = 0; i < 6; i++)
        ck_assert_str_eq(a[i], b[i]);
    int differ = 0;
    for (size_t i = 0; i < 6; i++)
        differ |= strcmp(a[i], c[i]) != 0;
    ck_assert(differ); /* the seed matters */
    for (size_t i = 1; i < 6; i++)
        ck_assert_str_ne(a[0], a[i]);
}
END_TEST

START_TEST(test_grid_and_best)
{
    ctune_tuner *t = tuner_of("a: 1|2; b: x|y", "sampler=grid, direction=minimize");
    static const char *const want[] = {"a=1, b=x", "a=1, b=y", "a=2, b=x", "a=2, b=y"};
    char buf[64];
    for (size_t i = 0; i < 4; i++) {
        size_t k;
        const ctune_params *p;
        ck_assert_ok(ctune_tuner_ask(&k, &p, t));
        ctune_params_to_text(buf, sizeof buf, p);
        ck_assert_str_eq(buf, want[i]);
    }
    size_t k;
    const ctune_params *p;
    ck_assert_status(ctune_tuner_ask(&k, &p, t), CTUNE_ESTATE);
    ck_assert_error_has("no point left");
    ck_assert_status(ctune_tuner_best(&k, NULL, t), CTUNE_ESTATE);
    ck_assert_ok(ctune_tuner_tell(t, 2, 0.5));
    ck_assert_ok(ctune_tuner_tell(t, 0, 0.25));
    ck_assert_ok(ctune_tuner_tell_failed(t, 1, "diverged"));
    double v;
    ck_assert_ok(ctune_tuner_best(&k, &v, t));
    ck_assert_uint_eq(k, 0);
    ck_assert_double_eq(v, 0.25);
    int state;
    ck_assert_ok(ctune_tuner_trial(&state, &v, &p, t, 1));
    ck_assert_int_eq(state, CTUNE_TRIAL_FAILED);
    ck_assert(isnan(v));
    ck_assert_ok(ctune_tuner_trial(&state, NULL, NULL, t, 3));
    ck_assert_int_eq(state, CTUNE_TRIAL_RUNNING);

    char csv[1024];
    long n = ctune_tuner_results_csv_buf(csv, sizeof csv, t);
    ck_assert_int_gt(n, 0);
    ck_assert_ptr_nonnull(strstr(csv, "param_a,param_b,params,split0_test_score,mean_test_score,"
                                      "std_test_score,rank_test_score,error,state\n"));
    ck_assert_ptr_nonnull(strstr(csv, "1,x,\"a=1, b=x\",0.25,0.25,0,1,,done\n"));
    ck_assert_ptr_nonnull(strstr(csv, "1,y,\"a=1, b=y\",nan,nan,nan,3,diverged,failed\n"));
    ck_assert_ptr_nonnull(strstr(csv, "2,y,\"a=2, b=y\",nan,nan,nan,3,running,\n"));
    char json[2048];
    ck_assert_int_gt(ctune_tuner_results_json_buf(json, sizeof json, t), 0);
    /* the state of each trial in trial order; running is null */
    ck_assert_ptr_nonnull(strstr(json, "\"state\": [\"done\", \"failed\", \"done\", null]"));
    ck_assert_ptr_nonnull(strstr(json, "\"best_index\": 0,"));
    ck_assert_ptr_nonnull(strstr(json, "\"status\": \"partial\""));
    ck_assert_ptr_null(strstr(json, "stopped_by"));
    ctune_tuner_free(t);
}
END_TEST

START_TEST(test_report_pruner)
{
    /* median pruner, no startup trials: a trial below the median of the
     * complete ones at the same step is pruned */
    ctune_tuner *t = tuner_of("x: uniform(0, 1)", "pruner=median, n_startup_trials=1, seed=3");
    size_t a, b, c;
    const ctune_params *p;
    int prune = -1;
    ck_assert_ok(ctune_tuner_ask(&a, &p, t));
    ck_assert_ok(ctune_tuner_ask(&b, &p, t));
    ck_assert_ok(ctune_tuner_ask(&c, &p, t));
    ck_assert_ok(ctune_tuner_report(&prune, t, a, 0, 0.8));
    ck_assert_int_eq(prune, 0); /* nothing told yet */
    ck_assert_ok(ctune_tuner_tell(t, a, 0.8));
    ck_assert_ok(ctune_tuner_report(&prune, t, b, 0, 0.5));
    ck_assert_int_eq(prune, 1);
    ck_assert_ok(ctune_tuner_tell_pruned(t, b));
    ck_assert_ok(ctune_tuner_report(&prune, t, c, 0, 0.9));
    ck_assert_int_eq(prune, 0);
    ck_assert_status(ctune_tuner_report(&prune, t, c, 0, 0.9), CTUNE_EINVAL);
    ck_assert_error_has("not greater");
    ck_assert_status(ctune_tuner_report(&prune, t, b, 1, 0.9), CTUNE_ESTATE);
    char csv[1024];
    ck_assert_int_gt(ctune_tuner_results_csv_buf(csv, sizeof csv, t), 0);
    ck_assert_ptr_nonnull(strstr(csv, ",0.5,0.5,0,2,pruned at step 0,pruned\n"));
    char json[2048];
    ck_assert_int_gt(ctune_tuner_results_json_buf(json, sizeof json, t), 0);
    ck_assert_ptr_nonnull(strstr(json, "\"state\": [\"done\", \"pruned\", null]"));
    ctune_tuner_free(t);

    /* direction=minimize turns the pruner around */
    t = tuner_of("x: uniform(0, 1)", "pruner=median, n_startup_trials=1, direction=minimize");
    ck_assert_ok(ctune_tuner_ask(&a, &p, t));
    ck_assert_ok(ctune_tuner_ask(&b, &p, t));
    ck_assert_ok(ctune_tuner_report(NULL, t, a, 0, 0.8));
    ck_assert_ok(ctune_tuner_tell(t, a, 0.8));
    ck_assert_ok(ctune_tuner_report(&prune, t, b, 0, 0.5));
    ck_assert_int_eq(prune, 0);
    ctune_tuner_free(t);
}
END_TEST

START_TEST(test_bad_tell)
{
    ctune_tuner *t = tuner_of("x: uniform(0, 1)", NULL);
    size_t a, b;
    const ctune_params *p;
    ck_assert_ok(ctune_tuner_ask(&a, &p, t));
    ck_assert_ok(ctune_tuner_ask(&b, &p, t));
    ck_assert_status(ctune_tuner_tell(t, 9, 1.0), CTUNE_EINVAL);
    ck_assert_error_has("unknown trial 9");
    ck_assert_ok(ctune_tuner_tell(t, a, 1.0));
    ck_assert_status(ctune_tuner_tell(t, a, 2.0), CTUNE_ESTATE);
    ck_assert_error_has("already told (complete)");
    ck_assert_status(ctune_tuner_tell_failed(t, a, "x"), CTUNE_ESTATE);
    ck_assert_status(ctune_tuner_tell_pruned(t, a), CTUNE_ESTATE);
    double v;
    size_t k;
    ck_assert_ok(ctune_tuner_best(&k, &v, t)); /* nothing lost */
    ck_assert_double_eq(v, 1.0);
    ck_assert_status(ctune_tuner_tell(t, b, NAN), CTUNE_EDATA);
    ck_assert_error_has("NaN");
    int state;
    ck_assert_ok(ctune_tuner_trial(&state, NULL, NULL, t, b));
    ck_assert_int_eq(state, CTUNE_TRIAL_FAILED);
    ck_assert_status(ctune_tuner_tell(t, b, 0.0), CTUNE_ESTATE);
    ck_assert_status(ctune_tuner_report(NULL, t, 5, 0, 0.0), CTUNE_EINVAL);
    ck_assert_status(ctune_tuner_trial(NULL, NULL, NULL, t, 5), CTUNE_EINVAL);
    ctune_tuner_free(t);
}
END_TEST

START_TEST(test_null_and_options)
{
    ctune_space *sp = space_of("x: uniform(0, 1)");
    ctune_tuner *t = NULL;
    ck_assert_status(ctune_tuner_new(NULL, sp, NULL), CTUNE_EINVAL);
    ck_assert_status(ctune_tuner_new(&t, NULL, NULL), CTUNE_EINVAL);
    ck_assert_status(ctune_tuner_new(&t, sp, "sampler=annealing"), CTUNE_EINVAL);
    ck_assert_error_has("sampler");
    ck_assert_status(ctune_tuner_new(&t, sp, "sampler=grid"), CTUNE_EINVAL);
    ck_assert_status(ctune_tuner_new(&t, sp, "pruner=sha, n_startup_trials=2"), CTUNE_EINVAL);
    ck_assert_error_has("n_startup_trials");
    ck_assert_status(ctune_tuner_new(&t, sp, "pruner=none, min_resource=2"), CTUNE_EINVAL);
    ck_assert_status(ctune_tuner_new(&t, sp, "direction=up"), CTUNE_EINVAL);
    ck_assert_status(ctune_tuner_new(&t, sp, "seed=-1"), CTUNE_EINVAL);
    ck_assert_status(ctune_tuner_new(&t, sp, "colour=red"), CTUNE_EINVAL);
    ck_assert_status(ctune_tuner_new(&t, sp, "=1"), CTUNE_EFORMAT);
    ck_assert_ptr_null(t);
    ctune_space *empty = NULL;
    ck_assert_ok(ctune_space_new(&empty));
    ck_assert_status(ctune_tuner_new(&t, empty, NULL), CTUNE_EINVAL);
    ctune_space_free(empty);
    ck_assert_ok(ctune_tuner_new(&t, sp, "pruner=sha, min_resource=2, reduction_factor=3"));
    size_t k;
    const ctune_params *p;
    ck_assert_status(ctune_tuner_ask(&k, &p, NULL), CTUNE_EINVAL);
    ck_assert_status(ctune_tuner_ask(NULL, &p, t), CTUNE_EINVAL);
    ck_assert_status(ctune_tuner_ask(&k, NULL, t), CTUNE_EINVAL);
    ck_assert_status(ctune_tuner_report(NULL, NULL, 0, 0, 0), CTUNE_EINVAL);
    ck_assert_status(ctune_tuner_tell(NULL, 0, 0), CTUNE_EINVAL);
    ck_assert_status(ctune_tuner_tell_pruned(NULL, 0), CTUNE_EINVAL);
    ck_assert_status(ctune_tuner_tell_failed(NULL, 0, "x"), CTUNE_EINVAL);
    ck_assert_status(ctune_tuner_trial(NULL, NULL, NULL, NULL, 0), CTUNE_EINVAL);
    ck_assert_status(ctune_tuner_best(&k, NULL, NULL), CTUNE_EINVAL);
    ck_assert_status(ctune_tuner_best(NULL, NULL, t), CTUNE_EINVAL);
    ck_assert_status(ctune_tuner_results_csv(NULL, "x.csv"), CTUNE_EINVAL);
    ck_assert_status(ctune_tuner_results_csv(t, NULL), CTUNE_EINVAL);
    ck_assert_status(ctune_tuner_results_json(t, NULL), CTUNE_EINVAL);
    ck_assert_int_lt(ctune_tuner_results_csv_buf(NULL, 4, t), 0);
    ck_assert_int_lt(ctune_tuner_results_json_buf(NULL, 0, NULL), 0);
    ck_assert_uint_eq(ctune_tuner_n_trials(NULL), 0);
    ck_assert_ptr_null(ctune_tuner_stopped_by(t));
    ck_assert_int_eq(ctune_trial_should_prune(NULL), 0);
    ck_assert_status(ctune_trial_report(NULL, 0, 0), CTUNE_EINVAL);
    ck_assert_uint_eq(ctune_trial_number(NULL), 0);
    ctune_tuner_ask(&k, &p, t);
    ck_assert_int_eq(ctune_tuner_report(NULL, t, k, -1, 0.5), CTUNE_EINVAL);
    ck_assert_error_has("negative");
    ctune_tuner_free(t);
    ctune_tuner_free(NULL);
    ctune_space_free(sp);
}
END_TEST

/* ---- optimize ---- */

typedef struct obj_state {
    int calls;
    long sleep_ns;
    int fail_every; /* 0: never */
    int steps;
} obj_state;

static ctune_status objective(const ctune_params *p, ctune_trial_ctx *ctx, double *value,
                              void *user)
{
    obj_state *st = user;
    double x = 0;
    ctune_status rc = ctune_params_get_double(&x, p, "x");
    if (rc != CTUNE_OK)
        return rc;
    int call = __atomic_add_fetch(&st->calls, 1, __ATOMIC_SEQ_CST);
    if (st->sleep_ns) {
        struct timespec ts = {0, st->sleep_ns};
        nanosleep(&ts, NULL);
    }
    for (int s = 0; s < st->steps; s++) {
        rc = ctune_trial_report(ctx, s, x * (s + 1));
        if (rc != CTUNE_OK)
            return rc;
        if (ctune_trial_should_prune(ctx))
            return CTUNE_OK;
    }
    if (st->fail_every && call % st->fail_every == 0)
        return ctune_set_error(CTUNE_ENUMERIC, "loss became NaN at epoch 3");
    *value = x;
    return CTUNE_OK;
}

START_TEST(test_optimize_n_trials)
{
    obj_state st = {0, 0, 3, 0};
    ctune_tuner *t = tuner_of("x: uniform(0, 1)", "seed=5");
    ck_assert_ok(ctune_tuner_optimize(t, objective, &st, "n_trials=7, n_jobs=2"));
    ck_assert_int_eq(st.calls, 7);
    ck_assert_uint_eq(ctune_tuner_n_trials(t), 7);
    ck_assert_str_eq(ctune_tuner_stopped_by(t), "n_trials");
    int failed = 0;
    for (size_t i = 0; i < 7; i++) {
        int state;
        ck_assert_ok(ctune_tuner_trial(&state, NULL, NULL, t, i));
        ck_assert_int_ne(state, CTUNE_TRIAL_RUNNING);
        failed += state == CTUNE_TRIAL_FAILED;
    }
    ck_assert_int_eq(failed, 2);
    char json[4096];
    ck_assert_int_gt(ctune_tuner_results_json_buf(json, sizeof json, t), 0);
    ck_assert_ptr_nonnull(strstr(json, "\"stopped_by\": \"n_trials\""));
    ck_assert_ptr_nonnull(strstr(json, "objective failed: loss became NaN at epoch 3"));

    /* the same seed with n_jobs=1 proposes the same trials */
    obj_state st1 = {0, 0, 0, 0};
    ctune_tuner *t1 = tuner_of("x: uniform(0, 1)", "seed=5");
    ck_assert_ok(ctune_tuner_optimize(t1, objective, &st1, "n_trials=7"));
    for (size_t i = 0; i < 7; i++) {
        const ctune_params *a, *b;
        ck_assert_ok(ctune_tuner_trial(NULL, NULL, &a, t, i));
        ck_assert_ok(ctune_tuner_trial(NULL, NULL, &b, t1, i));
        ck_assert(ctune_params_equal(a, b));
    }
    ctune_tuner_free(t1);
    ctune_tuner_free(t);
}
END_TEST

START_TEST(test_optimize_timeout)
{
    /* each trial sleeps 30 ms at least: with timeout=0.1 the run stops after
     * at most 4 trials (elapsed >= 0.12 s then), however slow the machine */
    obj_state st = {0, 30000000L, 0, 0};
    ctune_tuner *t = tuner_of("x: uniform(0, 1)", NULL);
    ck_assert_ok(ctune_tuner_optimize(t, objective, &st, "n_trials=1000, timeout=0.1"));
    ck_assert_int_ge(st.calls, 1);
    ck_assert_int_le(st.calls, 4);
    ck_assert_str_eq(ctune_tuner_stopped_by(t), "timeout");
    ck_assert_uint_eq(ctune_tuner_n_trials(t), (size_t)st.calls);
    ctune_tuner_free(t);
}
END_TEST

START_TEST(test_optimize_pruning_and_grid)
{
    obj_state st = {0, 0, 0, 4};
    ctune_tuner *t = tuner_of("x: 0.9|0.1|0.5|0.05", "sampler=grid, pruner=median, "
                                                     "n_startup_trials=1");
    ck_assert_ok(ctune_tuner_optimize(t, objective, &st, NULL));
    ck_assert_str_eq(ctune_tuner_stopped_by(t), "n_trials");
    ck_assert_uint_eq(ctune_tuner_n_trials(t), 4);
    int state;
    ck_assert_ok(ctune_tuner_trial(&state, NULL, NULL, t, 0));
    ck_assert_int_eq(state, CTUNE_TRIAL_COMPLETE);
    ck_assert_ok(ctune_tuner_trial(&state, NULL, NULL, t, 1));
    ck_assert_int_eq(state, CTUNE_TRIAL_PRUNED);
    ck_assert_status(ctune_tuner_optimize(t, objective, &st, NULL), CTUNE_ESTATE);
    ctune_tuner_free(t);
}
END_TEST

START_TEST(test_optimize_bad_options)
{
    obj_state st = {0, 0, 0, 0};
    ctune_tuner *t = tuner_of("x: uniform(0, 1)", NULL);
    ck_assert_status(ctune_tuner_optimize(NULL, objective, &st, "n_trials=1"), CTUNE_EINVAL);
    ck_assert_status(ctune_tuner_optimize(t, NULL, &st, "n_trials=1"), CTUNE_EINVAL);
    ck_assert_status(ctune_tuner_optimize(t, objective, &st, "n_trials=1, timeout=0"),
                     CTUNE_EINVAL);
    ck_assert_error_has("timeout");
    ck_assert_status(ctune_tuner_optimize(t, objective, &st, "n_trials=1, timeout=-2"),
                     CTUNE_EINVAL);
    ck_assert_status(ctune_tuner_optimize(t, objective, &st, "n_trials=0"), CTUNE_EINVAL);
    ck_assert_status(ctune_tuner_optimize(t, objective, &st, "timeout=5"), CTUNE_EINVAL);
    ck_assert_error_has("n_trials");
    ck_assert_status(ctune_tuner_optimize(t, objective, &st, "n_trials=1, n_jobs=0"), CTUNE_EINVAL);
    ck_assert_status(ctune_tuner_optimize(t, objective, &st, "n_trials=1, budget=3"), CTUNE_EINVAL);
    ck_assert_int_eq(st.calls, 0);
    ck_assert_uint_eq(ctune_tuner_n_trials(t), 0);
    ctune_tuner_free(t);
}
END_TEST

START_TEST(test_export_files)
{
    char dir[] = "/tmp/ctune_tuner_XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char csv[128], json[128];
    snprintf(csv, sizeof csv, "%s/t.csv", dir);
    snprintf(json, sizeof json, "%s/t.json", dir);
    ctune_tuner *t = tuner_of("x: 1|2", "sampler=grid");
    size_t k;
    const ctune_params *p;
    ck_assert_ok(ctune_tuner_ask(&k, &p, t));
    ck_assert_ok(ctune_tuner_tell(t, k, 3.0));
    ck_assert_ok(ctune_tuner_results_csv(t, csv));
    ck_assert_ok(ctune_tuner_results_json(t, json));
    FILE *f = fopen(csv, "r");
    ck_assert_ptr_nonnull(f);
    char line[256];
    ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
    ck_assert_str_eq(line, "param_x,params,split0_test_score,mean_test_score,std_test_score,"
                           "rank_test_score,error,state\n");
    ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
    ck_assert_str_eq(line, "1,x=1,3,3,0,1,,done\n");
    fclose(f);
    remove(csv);
    remove(json);
    remove(dir);
    ctune_tuner_free(t);
}
END_TEST

START_TEST(test_out_of_memory)
{
    ctune_space *sp = space_of("x: uniform(0, 1); y: a|b");
    for (long n = 1; n < 40; n++) {
        long live = ctune_alloc_live();
        ctune_tuner *t = NULL;
        ctune_alloc_fail_at(n, 0);
        ctune_status st = ctune_tuner_new(&t, sp, "pruner=median");
        size_t k;
        const ctune_params *p;
        if (st == CTUNE_OK)
            st = ctune_tuner_ask(&k, &p, t);
        if (st == CTUNE_OK)
            st = ctune_tuner_report(NULL, t, k, 0, 1.0);
        if (st == CTUNE_OK)
            st = ctune_tuner_tell_failed(t, k, "x");
        char buf[512];
        if (st == CTUNE_OK && ctune_tuner_results_json_buf(buf, sizeof buf, t) < 0)
            st = CTUNE_ENOMEM;
        ctune_alloc_fail_at(0, 0);
        ck_assert(st == CTUNE_OK || st == CTUNE_ENOMEM);
        ctune_tuner_free(t);
        ck_assert_int_eq(ctune_alloc_live(), live);
    }
    ctune_space_free(sp);
}
END_TEST

/* TPE through ask/tell proposes what the TPE search proposes for the same
 * seed when each trial is told, in order, the search's score of it (one
 * trial per batch), and again with batches of 3 asks between tells. */
static void tpe_matches_search(int batch)
{
    size_t n = 60, n_trials = 14;
    double *X = NULL, *y = NULL;
    fx_blobs(n, 1, &X, &y);
    ctune_data *data = NULL;
    ck_assert_ok(ctune_data_new(&data, X, CTUNE_FLOAT64, n, 2, 0, y, 1));
    ctune_estimator *est = NULL;
    ck_assert_ok(ctune_estimator_new(&est, &fx_centroid_vt, NULL));
    ctune_space *sp = space_of("shrink: uniform(0, 1)");
    char opts[96];
    snprintf(opts, sizeof opts, "n_startup_trials=4, batch=%d", batch);
    ctune_search *s = NULL;
    ck_assert_ok(ctune_search_new_tpe(&s, est, sp, n_trials, 9, opts));
    ck_assert_ok(ctune_search_set_options(s, "cv=3, refit=false"));
    ck_assert_ok(ctune_search_fit(s, data));

    ctune_tuner *t = NULL;
    ck_assert_ok(ctune_tuner_new(&t, sp, "sampler=tpe, seed=9, tpe_n_startup_trials=4"));
    for (size_t b = 0; b < n_trials; b += (size_t)batch) {
        size_t k = n_trials - b < (size_t)batch ? n_trials - b : (size_t)batch;
        for (size_t j = 0; j < k; j++) {
            size_t id;
            const ctune_params *p;
            ck_assert_ok(ctune_tuner_ask(&id, &p, t));
            ck_assert_uint_eq(id, b + j);
            ck_assert_msg(ctune_params_equal(p, ctune_search_candidate_params(s, id)),
                          "trial %zu (batch %d) differs from the search", id, batch);
        }
        for (size_t j = 0; j < k; j++) {
            double v;
            ck_assert_ok(ctune_search_result(&v, s, "mean_test_score", b + j));
            ck_assert_ok(ctune_tuner_tell(t, b + j, v));
        }
    }
    ctune_tuner_free(t);
    ctune_search_free(s);
    ctune_space_free(sp);
    ctune_estimator_free(est);
    ctune_data_free(data);
    free(X);
    free(y);
}

START_TEST(test_tpe_matches_search)
{
    tpe_matches_search(1);
    tpe_matches_search(3);
}
END_TEST

START_TEST(test_tpe_options)
{
    ctune_space *sp = space_of("x: uniform(0, 1)");
    ctune_tuner *t = NULL;
    ck_assert_status(ctune_tuner_new(&t, sp, "tpe_n_ei_candidates=5"), CTUNE_EINVAL);
    ck_assert_error_has("sampler=tpe");
    ck_assert_status(ctune_tuner_new(&t, sp, "sampler=tpe, tpe_n_ei_candidates=0"), CTUNE_EINVAL);
    ck_assert_ok(ctune_tuner_new(&t, sp,
                                 "sampler=tpe, tpe_prior_weight=2, pruner=median, "
                                 "n_startup_trials=2, direction=minimize"));
    ctune_tuner_free(t);
    ctune_space_free(sp);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("tuner");
    TCase *tc = tcase_create("tuner");
    tcase_add_test(tc, test_ask_tell_deterministic);
    tcase_add_test(tc, test_grid_and_best);
    tcase_add_test(tc, test_report_pruner);
    tcase_add_test(tc, test_bad_tell);
    tcase_add_test(tc, test_null_and_options);
    tcase_add_test(tc, test_optimize_n_trials);
    tcase_add_test(tc, test_optimize_timeout);
    tcase_add_test(tc, test_optimize_pruning_and_grid);
    tcase_add_test(tc, test_optimize_bad_options);
    tcase_add_test(tc, test_export_files);
    tcase_add_test(tc, test_out_of_memory);
    tcase_add_test(tc, test_tpe_matches_search);
    tcase_add_test(tc, test_tpe_options);
    suite_add_tcase(s, tc);
    return ctu_run_suite(s);
}
