/* Check suite: the TPE sampler (pure proposals from a history) and the TPE
 * search (batches, determinism across n_jobs, the all-lists rule, bad input). */
#define CTUNE_EXPERIMENTAL
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"
#include "model_selection/sampler_tpe.h"
#include "testutil.h"

static ctune_space *space(const char *text)
{
    ctune_space *sp;
    ck_assert_ok(ctune_space_parse(&sp, text));
    return sp;
}

static ctune__tpe_opts opts(const char *text)
{
    ctune__tpe_opts o;
    ctune_params *p;
    ck_assert_ok(ctune_params_new(&p));
    if (text)
        ck_assert_ok(ctune_params_parse(p, text));
    ck_assert_ok(ctune__tpe_opts_init(&o, p));
    ctune_params_free(p);
    return o;
}

static double dbl(const ctune_params *p, const char *name)
{
    double v;
    ck_assert_ok(ctune_params_get_double(&v, p, name));
    return v;
}

static void free_all(ctune_params **p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        ctune_params_free(p[i]);
}

START_TEST(test_options)
{
    ctune__tpe_opts o = opts(NULL);
    ck_assert_int_eq(o.n_startup_trials, 10);
    ck_assert_int_eq(o.n_ei_candidates, 24);
    ck_assert_int_eq(o.batch, 1);
    ck_assert(o.prior_weight == 1.0);
    ck_assert_int_eq(o.consider_endpoints, 0);
    ck_assert_int_eq(o.consider_magic_clip, 1);
    ck_assert_int_eq(o.minimize, 0);
    o = opts("batch=4, direction=minimize, n_startup_trials=3");
    ck_assert_int_eq(o.batch, 4);
    ck_assert_int_eq(o.minimize, 1);
    ck_assert_int_eq(o.n_startup_trials, 3);
    const char *bad[] = {"batch=0", "n_ei_candidates=0", "prior_weight=0", "gamma=3",
                         "direction=up"};
    const char *named[] = {"batch", "n_ei_candidates", "prior_weight", "gamma", "direction"};
    for (int i = 0; i < 5; i++) {
        ctune_params *p;
        ck_assert_ok(ctune_params_new(&p));
        ck_assert_ok(ctune_params_parse(p, bad[i]));
        ck_assert_status(ctune__tpe_opts_init(&o, p), CTUNE_EINVAL);
        ck_assert_error_has(named[i]);
        ck_assert_error_has("TPE");
        ctune_params_free(p);
    }
}
END_TEST

/* Proposals are a pure function of (seed, history): the same call gives the
 * same points, proposal j of a batch does not depend on the batch size, and
 * another seed gives other points. */
START_TEST(test_pure_and_batched)
{
    int64_t live = ctune_alloc_live();
    ctune_space *sp = space("x: uniform(0, 1); lr: loguniform(1e-4, 1e-1); n: randint(2, 6); "
                            "a: relu|tanh");
    ctune__tpe_opts o = opts(NULL);
    for (size_t n_hist = 0; n_hist <= 20; n_hist += 20) {
        ctune_params *hist[20];
        double val[20];
        for (size_t t = 0; t < n_hist; t++) {
            ck_assert_ok(ctune__tpe_propose(&o, sp, 7, hist, val, t, 1, &hist[t]));
            val[t] = -fabs(dbl(hist[t], "x") - 0.3);
        }
        ctune_params *a[3], *b[1], *c[1];
        ck_assert_ok(ctune__tpe_propose(&o, sp, 9, hist, val, n_hist, 3, a));
        ck_assert_ok(ctune__tpe_propose(&o, sp, 9, hist, val, n_hist, 1, b));
        ck_assert_ok(ctune__tpe_propose(&o, sp, 10, hist, val, n_hist, 1, c));
        ck_assert(ctune_params_equal(a[0], b[0]));
        ck_assert(!ctune_params_equal(a[0], a[1]));
        ck_assert(!ctune_params_equal(a[1], a[2]));
        ck_assert(!ctune_params_equal(a[0], c[0]));
        for (int j = 0; j < 3; j++) {
            double x = dbl(a[j], "x"), lr = dbl(a[j], "lr");
            int64_t n;
            ck_assert_ok(ctune_params_get_int(&n, a[j], "n"));
            ck_assert(x >= 0 && x <= 1);
            ck_assert(lr >= 1e-4 && lr <= 1e-1);
            ck_assert(n >= 2 && n <= 5);
        }
        free_all(a, 3);
        free_all(b, 1);
        free_all(c, 1);
        free_all(hist, n_hist);
    }
    ctune_space_free(sp);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

/* Twenty trials where 'a' always scores 1 and the others 0: the best two
 * (l) are both 'a', so l(a) = (2/3 + 2/3 + 1/3) / 3 = 5/9 while g has no 'a'
 * beyond its prior: 'a' has the best ratio, and 24 draws of l miss it with
 * probability (4/9)^24. */
START_TEST(test_categorical_follows_the_best)
{
    ctune_space *sp = space("c: a|b|c; x: uniform(0, 1)");
    ctune__tpe_opts o = opts(NULL);
    ctune_params *hist[20];
    double val[20];
    const char *cs[] = {"b", "c", "a", "b", "c", "b", "c", "b", "a", "c",
                        "b", "c", "b", "c", "b", "c", "b", "c", "b", "c"};
    for (int t = 0; t < 20; t++) {
        ck_assert_ok(ctune_params_new(&hist[t]));
        ck_assert_ok(ctune_params_set_string(hist[t], "c", cs[t]));
        ck_assert_ok(ctune_params_set_double(hist[t], "x", t / 20.0));
        val[t] = strcmp(cs[t], "a") == 0;
    }
    for (uint64_t seed = 0; seed < 5; seed++) {
        ctune_params *p;
        ck_assert_ok(ctune__tpe_propose(&o, sp, seed, hist, val, 20, 1, &p));
        const char *c;
        ck_assert_ok(ctune_params_get_string(&c, p, "c"));
        ck_assert_str_eq(c, "a");
        ctune_params_free(p);
    }
    /* minimize with the scores turned around is the same problem */
    o.minimize = 1;
    for (int t = 0; t < 20; t++)
        val[t] = 1.0 - val[t];
    ctune_params *p;
    ck_assert_ok(ctune__tpe_propose(&o, sp, 1, hist, val, 20, 1, &p));
    const char *c;
    ck_assert_ok(ctune_params_get_string(&c, p, "c"));
    ck_assert_str_eq(c, "a");
    ctune_params_free(p);
    free_all(hist, 20);
    ctune_space_free(sp);
}
END_TEST

/* Thirty trials on a line x = i/30 scored -|x - 0.5|: l holds the
 * ceil(0.1 * 30) = 4 (0.1 * 30 is 3.0000000000000004, as in Optuna) closest
 * to 0.5 and g has a hole around it, so l/g is largest there. */
START_TEST(test_numeric_follows_the_best)
{
    ctune_space *sp = space("x: uniform(0, 1); k: randint(0, 100); lr: loguniform(1e-5, 1)");
    ctune__tpe_opts o = opts(NULL);
    ctune_params *hist[30];
    double val[30];
    for (int t = 0; t < 30; t++) {
        ck_assert_ok(ctune_params_new(&hist[t]));
        ck_assert_ok(ctune_params_set_double(hist[t], "x", t / 30.0));
        ck_assert_ok(ctune_params_set_int(hist[t], "k", (t * 37) % 100));
        ck_assert_ok(ctune_params_set_double(hist[t], "lr", pow(10.0, -5.0 + t / 6.0)));
        val[t] = -fabs(t / 30.0 - 0.5) - fabs(((t * 37) % 100) - 50.0) / 1000.0 -
                 fabs(-5.0 + t / 6.0 + 2.5) / 100.0;
    }
    for (uint64_t seed = 0; seed < 5; seed++) {
        ctune_params *p;
        ck_assert_ok(ctune__tpe_propose(&o, sp, seed, hist, val, 30, 1, &p));
        double x = dbl(p, "x"), lr = dbl(p, "lr");
        int64_t k;
        ck_assert_ok(ctune_params_get_int(&k, p, "k"));
        ck_assert_msg(fabs(x - 0.5) < 0.15, "seed %d: x = %g", (int)seed, x);
        ck_assert_msg(lr > 1e-4 && lr < 1e-1, "seed %d: lr = %g", (int)seed, lr);
        ck_assert(k >= 0 && k < 100);
        ctune_params_free(p);
    }
    /* a failed trial (NaN) is left out: with 9 finite values of 10 the
     * sampler is still starting up, so it needs no estimator */
    double v10[10];
    for (int t = 0; t < 10; t++)
        v10[t] = t == 4 ? NAN : val[t];
    ctune_params *p;
    ck_assert_ok(ctune__tpe_propose(&o, sp, 3, hist, v10, 10, 1, &p));
    ctune_params_free(p);
    free_all(hist, 30);
    ctune_space_free(sp);
}
END_TEST

/* On a space of lists no point is proposed twice, in a batch or across
 * batches, until the grid is exhausted. */
START_TEST(test_lists_never_repeat)
{
    int64_t live = ctune_alloc_live();
    ctune_space *sp = space("nn: 16|64|256; nl: 1|2; act: relu|tanh");
    for (int batch = 1; batch <= 3; batch += 2) {
        ctune__tpe_opts o = opts("n_startup_trials=3");
        ctune_params *hist[12];
        double val[12];
        size_t n = 0;
        while (n < 12) {
            size_t k = 12 - n < (size_t)batch ? 12 - n : (size_t)batch;
            ck_assert_ok(ctune__tpe_propose(&o, sp, 5, hist, val, n, k, &hist[n]));
            for (size_t j = n; j < n + k; j++) {
                int64_t nn;
                ck_assert_ok(ctune_params_get_int(&nn, hist[j], "nn"));
                val[j] = nn == 64 ? 1.0 : 0.0;
            }
            n += k;
        }
        for (size_t i = 0; i < 12; i++)
            for (size_t j = 0; j < i; j++)
                ck_assert_msg(!ctune_params_equal(hist[i], hist[j]), "batch %d: %zu = %zu", batch,
                              i, j);
        ctune_params *more;
        ck_assert_status(ctune__tpe_propose(&o, sp, 5, hist, val, 12, 1, &more), CTUNE_EINVAL);
        ck_assert_error_has("12 points");
        free_all(hist, 12);
    }
    ctune_space_free(sp);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

START_TEST(test_bad_history)
{
    int64_t live = ctune_alloc_live();
    ctune_space *sp = space("nn: 16|64; lr: loguniform(1e-4, 1e-1)");
    ctune__tpe_opts o = opts(NULL);
    ctune_params *h[1], *out[2] = {(ctune_params *)1, (ctune_params *)1};
    double val[1] = {0.5};
    ck_assert_ok(ctune_params_new(&h[0]));
    ck_assert_ok(ctune_params_set_int(h[0], "nn", 16));
    ck_assert_status(ctune__tpe_propose(&o, sp, 1, h, val, 1, 2, out), CTUNE_EINVAL);
    ck_assert_error_has("trial 0 has no value for 'lr'");
    ck_assert_ptr_null(out[0]);
    ck_assert_ok(ctune_params_set_double(h[0], "lr", 0.5));
    ck_assert_status(ctune__tpe_propose(&o, sp, 1, h, val, 1, 2, out), CTUNE_EINVAL);
    ck_assert_error_has("'lr' is outside its range");
    ck_assert_ok(ctune_params_set_double(h[0], "lr", 0.01));
    ck_assert_ok(ctune_params_set_int(h[0], "nn", 32));
    ck_assert_status(ctune__tpe_propose(&o, sp, 1, h, val, 1, 2, out), CTUNE_EINVAL);
    ck_assert_error_has("'nn' is not one of its list");
    ck_assert_ok(ctune_params_set_string(h[0], "nn", "16"));
    ck_assert_status(ctune__tpe_propose(&o, sp, 1, h, val, 1, 2, out), CTUNE_EINVAL);
    ck_assert_status(ctune__tpe_propose(&o, sp, 1, NULL, val, 1, 2, out), CTUNE_EINVAL);
    ck_assert_status(ctune__tpe_propose(NULL, sp, 1, h, val, 1, 2, out), CTUNE_EINVAL);
    ck_assert_status(ctune__tpe_propose(&o, sp, 1, h, val, 1, 2, NULL), CTUNE_EINVAL);
    ctune_space *empty;
    ck_assert_ok(ctune_space_new(&empty));
    ck_assert_status(ctune__tpe_propose(&o, empty, 1, h, val, 0, 1, out), CTUNE_EINVAL);
    ck_assert_error_has("empty");
    ctune_space_free(empty);
    ctune_params_free(h[0]);
    ctune_space_free(sp);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

START_TEST(test_propose_alloc_failures)
{
    ctune_space *sp = space("nn: 16|64|256; lr: loguniform(1e-4, 1e-1); k: randint(1, 9)");
    ctune__tpe_opts o = opts("n_startup_trials=2, batch=2");
    ctune_params *hist[4];
    double val[4] = {0.1, 0.4, 0.3, 0.2};
    ck_assert_ok(ctune__tpe_propose(&o, sp, 3, NULL, NULL, 0, 4, hist));
    int ok = 0;
    for (int64_t k = 1; k < 400 && !ok; k++) {
        int64_t live = ctune_alloc_live();
        ctune_params *out[2];
        ctune_alloc_fail_at(k, 0);
        ctune_status rc = ctune__tpe_propose(&o, sp, 3, hist, val, 4, 2, out);
        ctune_alloc_fail_at(0, 0);
        if (rc == CTUNE_OK) {
            ok = 1;
            free_all(out, 2);
        } else {
            ck_assert_int_eq(rc, CTUNE_ENOMEM);
        }
        ck_assert_int_eq(ctune_alloc_live(), live);
    }
    ck_assert(ok);
    free_all(hist, 4);
    ctune_space_free(sp);
}
END_TEST

/* ---- the search ---------------------------------------------------------- */

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

static ctune_estimator *new_est(const ctune_estimator_vtable *vt)
{
    ctune_estimator *e;
    ck_assert_ok(ctune_estimator_new(&e, vt, NULL));
    return e;
}

static void assert_same(const ctune_search *a, const ctune_search *b)
{
    ck_assert_uint_eq(ctune_search_n_candidates(a), ctune_search_n_candidates(b));
    for (size_t i = 0; i < ctune_search_n_candidates(a); i++) {
        ck_assert(ctune_params_equal(ctune_search_candidate_params(a, i),
                                     ctune_search_candidate_params(b, i)));
        const char *cols[] = {"mean_test_score", "split0_test_score", "split2_test_score",
                              "rank_test_score"};
        for (int k = 0; k < 4; k++) {
            double x, y;
            ck_assert_ok(ctune_search_result(&x, a, cols[k], i));
            ck_assert_ok(ctune_search_result(&y, b, cols[k], i));
            ck_assert_msg(memcmp(&x, &y, sizeof x) == 0, "%s[%zu]: %.17g vs %.17g", cols[k], i, x,
                          y);
        }
    }
}

static size_t n_progress;

static int count_progress(size_t cand, size_t split, double score, double elapsed, size_t done,
                          size_t total, void *user)
{
    (void)split, (void)score, (void)elapsed, (void)user;
    ck_assert_uint_lt(cand, 14);
    ck_assert_uint_eq(total, 14 * 3);
    ck_assert_uint_le(done, total);
    n_progress++;
    return 0;
}

START_TEST(test_search_n_jobs_and_batches)
{
    dataset d = blobs(90);
    int64_t live = ctune_alloc_live();
    ctune_estimator *est = new_est(&fx_seeded_vt);
    ctune_space *sp = space("level: randint(0, 50); seed: 1|2|3");
    const char *opt[] = {"cv=3, n_jobs=1", "cv=3, n_jobs=2"};
    for (int batch = 1; batch <= 4; batch += 3) {
        char tpe_opts[64];
        snprintf(tpe_opts, sizeof tpe_opts, "batch=%d, n_startup_trials=5", batch);
        ctune_search *s[2];
        for (int k = 0; k < 2; k++) {
            ck_assert_ok(ctune_search_new_tpe(&s[k], est, sp, 14, 11, tpe_opts));
            ck_assert_uint_eq(ctune_search_n_candidates(s[k]), 0);
            ck_assert_ok(ctune_search_set_options(s[k], opt[k]));
            ck_assert_ok(ctune_search_set_progress(s[k], count_progress, NULL));
            n_progress = 0;
            ck_assert_ok(ctune_search_fit(s[k], d.data));
            ck_assert_uint_eq(n_progress, 14 * 3);
            ck_assert_uint_eq(ctune_search_n_candidates(s[k]), 14);
            ck_assert_uint_eq(ctune_search_n_tasks_done(s[k]), 14 * 3);
            ck_assert_ptr_nonnull(ctune_search_best_estimator(s[k]));
        }
        assert_same(s[0], s[1]);
        /* task streams are those of the candidate's index in the whole list */
        double v;
        int64_t own;
        ck_assert_ok(ctune_search_result(&v, s[0], "split1_test_score", 9));
        ck_assert_ok(ctune_params_get_int(&own, ctune_search_candidate_params(s[0], 9), "seed"));
        ck_assert(v == fx_seed_score(ctune_seed_derive(
                           (uint64_t)own, ctune_seed_derive(ctune_seed_derive(11, 9), 1))));
        /* a second fit gives the same results */
        ctune_search *again;
        ck_assert_ok(ctune_search_new_tpe(&again, est, sp, 14, 11, tpe_opts));
        ck_assert_ok(ctune_search_set_options(again, "cv=3"));
        ck_assert_ok(ctune_search_fit(again, d.data));
        ck_assert_ok(ctune_search_fit(again, d.data));
        assert_same(s[0], again);
        ctune_search_free(again);
        ctune_search_free(s[0]);
        ctune_search_free(s[1]);
    }
    ctune_space_free(sp);
    ctune_estimator_free(est);
    ck_assert_int_eq(ctune_alloc_live(), live);
    dataset_free(&d);
}
END_TEST

START_TEST(test_search_lists_capped)
{
    dataset d = blobs(60);
    ctune_estimator *est = new_est(&fx_centroid_vt);
    ctune_space *sp = space("shrink: 0|0.1|0.2|0.3|0.4|0.5");
    ctune_search *s;
    ck_assert_ok(ctune_search_new_tpe(&s, est, sp, 10, 3, "n_startup_trials=2"));
    ck_assert_uint_eq(ctune_search_n_warnings(s), 1);
    ck_assert_msg(strstr(ctune_search_warning(s, 0), "running 6 trials") != NULL, "%s",
                  ctune_search_warning(s, 0));
    ck_assert_ok(ctune_search_set_options(s, "cv=3"));
    ck_assert_ok(ctune_search_fit(s, d.data));
    ck_assert_uint_eq(ctune_search_n_candidates(s), 6);
    for (size_t i = 0; i < 6; i++)
        for (size_t j = 0; j < i; j++)
            ck_assert(!ctune_params_equal(ctune_search_candidate_params(s, i),
                                          ctune_search_candidate_params(s, j)));
    ctune_search_free(s);
    ctune_space_free(sp);
    ctune_estimator_free(est);
    dataset_free(&d);
}
END_TEST

static int stop_after_7(size_t cand, size_t split, double score, double elapsed, size_t done,
                        size_t total, void *user)
{
    (void)cand, (void)split, (void)score, (void)elapsed, (void)total, (void)user;
    return done >= 7;
}

/* A cancel in the third batch keeps the results of the batches run so far,
 * and the candidates proposed. */
START_TEST(test_search_cancel_keeps_batches)
{
    dataset d = blobs(60);
    int64_t live = ctune_alloc_live();
    ctune_estimator *est = new_est(&fx_centroid_vt);
    ctune_space *sp = space("shrink: uniform(0, 0.9)");
    ctune_search *s;
    ck_assert_ok(ctune_search_new_tpe(&s, est, sp, 10, 3, "batch=2"));
    ck_assert_ok(ctune_search_set_options(s, "cv=2"));
    ck_assert_ok(ctune_search_set_progress(s, stop_after_7, NULL));
    ck_assert_status(ctune_search_fit(s, d.data), CTUNE_ECANCELLED);
    ck_assert(ctune_search_has_results(s));
    ck_assert_uint_eq(ctune_search_n_candidates(s), 4);
    ck_assert_uint_eq(ctune_search_n_tasks_done(s), 7);
    double v;
    ck_assert_ok(ctune_search_result(&v, s, "mean_test_score", 2));
    ck_assert(isfinite(v));
    ctune_search_free(s);
    ctune_space_free(sp);
    ctune_estimator_free(est);
    ck_assert_int_eq(ctune_alloc_live(), live);
    dataset_free(&d);
}
END_TEST

START_TEST(test_search_bad_input)
{
    int64_t live = ctune_alloc_live();
    ctune_estimator *est = new_est(&fx_centroid_vt);
    ctune_space *empty, *sp = space("shrink: uniform(0, 1)");
    ck_assert_ok(ctune_space_new(&empty));
    long fits = atomic_load(&fx_fits);
    ctune_search *s = (ctune_search *)1;
    ck_assert_status(ctune_search_new_tpe(&s, est, empty, 10, 1, NULL), CTUNE_EINVAL);
    ck_assert_error_has("TPE: the search space is empty");
    ck_assert_ptr_null(s);
    ck_assert_status(ctune_search_new_tpe(&s, est, NULL, 10, 1, NULL), CTUNE_EINVAL);
    ck_assert_error_has("space");
    ck_assert_status(ctune_search_new_tpe(&s, est, sp, 0, 1, NULL), CTUNE_EINVAL);
    ck_assert_error_has("n_trials");
    ck_assert_status(ctune_search_new_tpe(&s, est, sp, 5, 1, "batch=0"), CTUNE_EINVAL);
    ck_assert_error_has("batch");
    ck_assert_status(ctune_search_new_tpe(&s, est, sp, 5, 1, "n_startup=1"), CTUNE_EINVAL);
    ck_assert_error_has("n_startup");
    ck_assert_status(ctune_search_new_tpe(&s, est, sp, 5, 1, "batch="), CTUNE_EFORMAT);
    ck_assert_status(ctune_search_new_tpe(NULL, est, sp, 5, 1, NULL), CTUNE_EINVAL);
    ck_assert_status(ctune_search_new_tpe(&s, NULL, sp, 5, 1, NULL), CTUNE_EINVAL);
    ctune_space *unknown = space("depth: 1|2");
    ck_assert_status(ctune_search_new_tpe(&s, est, unknown, 5, 1, NULL), CTUNE_EINVAL);
    ck_assert_error_has("depth");
    ck_assert_int_eq(atomic_load(&fx_fits), fits);
    ctune_space_free(unknown);
    ctune_space_free(empty);
    ctune_space_free(sp);
    ctune_estimator_free(est);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("tpe");
    TCase *tc = tcase_create("tpe");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_options);
    tcase_add_test(tc, test_pure_and_batched);
    tcase_add_test(tc, test_categorical_follows_the_best);
    tcase_add_test(tc, test_numeric_follows_the_best);
    tcase_add_test(tc, test_lists_never_repeat);
    tcase_add_test(tc, test_bad_history);
    tcase_add_test(tc, test_propose_alloc_failures);
    tcase_add_test(tc, test_search_n_jobs_and_batches);
    tcase_add_test(tc, test_search_lists_capped);
    tcase_add_test(tc, test_search_cancel_keeps_batches);
    tcase_add_test(tc, test_search_bad_input);
    suite_add_tcase(s, tc);
    return ctu_run_suite(s);
}
