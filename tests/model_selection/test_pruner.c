/* Check suite: the pruners' decision rules (Optuna's MedianPruner and
 * SuccessiveHalvingPruner), with expectations computed by hand. */
#include <math.h>
#include <string.h>

#include "model_selection/pruner.h"
#include "testutil.h"

/* A trial with values at steps 0..n-1. */
static ctune__pruner_trial seq(const double *values, size_t n, int complete)
{
    static const int64_t STEPS[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    ctune__pruner_trial t = {STEPS, values, n, complete};
    return t;
}

static ctune__pruner make(const char *name, const char *opts)
{
    ctune__pruner pr;
    ctune_params *p = NULL;
    ck_assert_ok(ctune_params_new(&p));
    if (opts)
        ck_assert_ok(ctune_params_parse(p, opts));
    ck_assert_ok(ctune__pruner_init(&pr, name, p));
    ctune_params_free(p);
    return pr;
}

static int decide(const ctune__pruner *pr, ctune__pruner_trial t, const ctune__pruner_trial *o,
                  size_t n)
{
    int prune = -1;
    ck_assert_ok(ctune__pruner_decide(pr, &t, o, n, &prune));
    return prune;
}

/* Five complete trials whose value at step 2 is 0.1 ... 0.5 (median 0.3). */
static const double C1[] = {0.0, 0.0, 0.1}, C2[] = {0.0, 0.0, 0.2}, C3[] = {0.0, 0.0, 0.3},
                    C4[] = {0.0, 0.0, 0.4}, C5[] = {0.0, 0.0, 0.5}, C6[] = {0.0, 0.0, 0.6};

static void five_complete(ctune__pruner_trial *o)
{
    o[0] = seq(C1, 3, 1);
    o[1] = seq(C2, 3, 1);
    o[2] = seq(C3, 3, 1);
    o[3] = seq(C4, 3, 1);
    o[4] = seq(C5, 3, 1);
}

START_TEST(test_none_never_prunes)
{
    ctune__pruner pr = make("none", NULL);
    const double v[] = {NAN, NAN, NAN};
    ctune__pruner_trial o[5];
    five_complete(o);
    ck_assert_int_eq(decide(&pr, seq(v, 3, 0), o, 5), 0);
}
END_TEST

START_TEST(test_median_rule)
{
    ctune__pruner pr = make("median", NULL);
    ck_assert_int_eq(pr.n_startup_trials, 5);
    ck_assert_int_eq(pr.n_warmup_steps, 0);
    ck_assert_int_eq(pr.interval_steps, 1);
    ctune__pruner_trial o[7];
    five_complete(o);
    const double below[] = {0.1, 0.2, 0.25}, at[] = {0.0, 0.3, 0.1}, above[] = {0.0, 0.0, 0.31};
    /* best so far 0.25 < median 0.3 */
    ck_assert_int_eq(decide(&pr, seq(below, 3, 0), o, 5), 1);
    /* the best over steps counts (0.3 at step 1), equal to the median keeps */
    ck_assert_int_eq(decide(&pr, seq(at, 3, 0), o, 5), 0);
    ck_assert_int_eq(decide(&pr, seq(above, 3, 0), o, 5), 0);
    /* four complete trials: still starting up, whatever the value */
    const double awful[] = {-1.0, -1.0, -1.0};
    ck_assert_int_eq(decide(&pr, seq(awful, 3, 0), o, 4), 0);
    /* a pruned (incomplete) trial does not count, nor does its value */
    const double high[] = {9.0, 9.0, 9.0};
    o[4] = seq(high, 3, 0);
    ck_assert_int_eq(decide(&pr, seq(awful, 3, 0), o, 5), 0);
    /* six complete 0.1 ... 0.6: median 0.35 */
    five_complete(o);
    o[5] = seq(C6, 3, 1);
    const double b34[] = {0.0, 0.0, 0.34}, b36[] = {0.0, 0.0, 0.36};
    ck_assert_int_eq(decide(&pr, seq(b34, 3, 0), o, 6), 1);
    ck_assert_int_eq(decide(&pr, seq(b36, 3, 0), o, 6), 0);
    /* the median is over complete trials that reported this very step: at
     * step 3 only o[6] did (0.2), so 0.25 keeps and 0.15 prunes */
    const double o6[] = {0.0, 0.0, 0.0, 0.2};
    o[6] = seq(o6, 4, 1);
    const double s25[] = {0.0, 0.0, 0.0, 0.25}, s15[] = {0.0, 0.0, 0.0, 0.15};
    ck_assert_int_eq(decide(&pr, seq(s25, 4, 0), o, 7), 0);
    ck_assert_int_eq(decide(&pr, seq(s15, 4, 0), o, 7), 1);
    /* nobody reported step 4: keep */
    const double s4[] = {-1.0, -1.0, -1.0, -1.0, -1.0};
    ck_assert_int_eq(decide(&pr, seq(s4, 5, 0), o, 7), 0);
    /* no values yet: keep */
    ck_assert_int_eq(decide(&pr, seq(NULL, 0, 0), o, 7), 0);
}
END_TEST

START_TEST(test_median_nan_and_direction)
{
    ctune__pruner pr = make("median", NULL);
    ctune__pruner_trial o[6];
    five_complete(o);
    /* all NaN: pruned; NaNs are skipped in the best */
    const double nans[] = {NAN, NAN, NAN}, some[] = {0.35, NAN, NAN};
    ck_assert_int_eq(decide(&pr, seq(nans, 3, 0), o, 5), 1);
    ck_assert_int_eq(decide(&pr, seq(some, 3, 0), o, 5), 0);
    /* a complete trial with NaN at the step is left out of the median:
     * 0.1 0.2 0.3 0.4 0.5 NaN -> 0.3 */
    o[5] = seq(nans, 3, 1);
    const double b29[] = {0.0, 0.0, 0.29};
    ck_assert_int_eq(decide(&pr, seq(b29, 3, 0), o, 6), 1);
    /* minimize: the best is the smallest value, pruned when above the median */
    ctune__pruner mn = make("median", "direction=minimize");
    ck_assert_int_eq(mn.minimize, 1);
    const double m35[] = {0.9, 0.35, 0.5}, m25[] = {0.9, 0.6, 0.25};
    ck_assert_int_eq(decide(&mn, seq(m35, 3, 0), o, 5), 1);
    ck_assert_int_eq(decide(&mn, seq(m25, 3, 0), o, 5), 0);
}
END_TEST

START_TEST(test_median_warmup_and_interval)
{
    ctune__pruner_trial o[5];
    five_complete(o);
    const double low[] = {-1.0, -1.0, -1.0, -1.0, -1.0};
    ctune__pruner warm = make("median", "n_warmup_steps=3");
    ck_assert_int_eq(decide(&warm, seq(low, 3, 0), o, 5), 0); /* step 2 < 3 */
    ctune__pruner every2 = make("median", "interval_steps=2");
    /* step 2 starts an interval (previous report at 1) */
    ck_assert_int_eq(decide(&every2, seq(low, 3, 0), o, 5), 1);
    /* step 3: the interval [2, 4) already had a report at step 2 */
    const int64_t steps3[] = {0, 2, 3};
    const double v3[] = {-1.0, -1.0, -1.0};
    ctune__pruner_trial t = {steps3, v3, 3, 0};
    ctune__pruner_trial o3[5];
    static const double D[5][4] = {
        {0, 0, 0, 0.1}, {0, 0, 0, 0.2}, {0, 0, 0, 0.3}, {0, 0, 0, 0.4}, {0, 0, 0, 0.5}};
    for (int i = 0; i < 5; i++)
        o3[i] = seq(D[i], 4, 1);
    ck_assert_int_eq(decide(&every2, t, o3, 5), 0);
    /* the same step 3 after a report at step 1 is the first of its interval */
    const int64_t steps1[] = {0, 1, 3};
    ctune__pruner_trial t1 = {steps1, v3, 3, 0};
    ck_assert_int_eq(decide(&every2, t1, o3, 5), 1);
    /* n_startup_trials=0 still needs one complete trial (Optuna) */
    ctune__pruner s0 = make("median", "n_startup_trials=0");
    ck_assert_int_eq(decide(&s0, seq(low, 3, 0), o, 0), 0);
    ck_assert_int_eq(decide(&s0, seq(low, 3, 0), o, 1), 1);
}
END_TEST

START_TEST(test_sha_rungs)
{
    ctune__pruner pr = make("sha", NULL); /* rungs at steps 1, 4, 16 */
    ck_assert_int_eq(pr.min_resource, 1);
    ck_assert_int_eq(pr.reduction_factor, 4);
    ck_assert_int_eq(pr.min_early_stopping_rate, 0);
    const double first[] = {0.5};
    /* before the first rung */
    ck_assert_int_eq(decide(&pr, seq(first, 1, 0), NULL, 0), 0);
    /* alone at rung 0 (step 1): the best of one keeps */
    const double alone[] = {0.0, 0.5};
    ck_assert_int_eq(decide(&pr, seq(alone, 2, 0), NULL, 0), 0);
    /* three others at step 1: 0.9 0.8 0.7; with its own value 4 values:
     * keep the best 4/4 = 1 */
    const double a[] = {0, 0.9}, b[] = {0, 0.8}, c[] = {0, 0.7};
    ctune__pruner_trial o[8] = {seq(a, 2, 0), seq(b, 2, 1), seq(c, 2, 0)};
    const double v6[] = {0.0, 0.6}, v95[] = {0.0, 0.95}, v9[] = {0.0, 0.9};
    ck_assert_int_eq(decide(&pr, seq(v6, 2, 0), o, 3), 1);
    ck_assert_int_eq(decide(&pr, seq(v95, 2, 0), o, 3), 0);
    ck_assert_int_eq(decide(&pr, seq(v9, 2, 0), o, 3), 0); /* ties keep */
    /* seven others 0.1 ... 0.7 plus its own: keep the best 8/4 = 2 */
    static const double S[7][2] = {{0, 0.1}, {0, 0.2}, {0, 0.3}, {0, 0.4},
                                   {0, 0.5}, {0, 0.6}, {0, 0.7}};
    for (int i = 0; i < 7; i++)
        o[i] = seq(S[i], 2, i % 2);
    const double v65[] = {0.0, 0.65}, v55[] = {0.0, 0.55};
    ck_assert_int_eq(decide(&pr, seq(v65, 2, 0), o, 7), 0);
    ck_assert_int_eq(decide(&pr, seq(v55, 2, 0), o, 7), 1);
    /* minimize: keep the smallest 2 of 8 */
    ctune__pruner mn = make("sha", "direction=minimize");
    const double v15[] = {0.0, 0.15}, v25[] = {0.0, 0.25};
    ck_assert_int_eq(decide(&mn, seq(v15, 2, 0), o, 7), 0);
    ck_assert_int_eq(decide(&mn, seq(v25, 2, 0), o, 7), 1);
}
END_TEST

START_TEST(test_sha_rung_values)
{
    ctune__pruner pr = make("sha", NULL);
    /* a table trial's value at a rung is its first value at or after the
     * rung's step: steps {0, 2} give 0.1 at rung 0 (step 1) */
    const int64_t st02[] = {0, 2};
    const double w[] = {0.99, 0.1};
    ctune__pruner_trial o[3] = {{st02, w, 2, 0}};
    const double v5[] = {0.0, 0.5};
    ck_assert_int_eq(decide(&pr, seq(v5, 2, 0), o, 1), 0);
    /* a table trial that never reached the rung does not compete */
    const double early[] = {0.99};
    o[0] = seq(early, 1, 0);
    ck_assert_int_eq(decide(&pr, seq(v5, 2, 0), o, 1), 0);
    /* rungs crossed at an earlier report are not decided again: at step 3
     * (previous report at 2) rung 0 was passed and rung 1 is at step 4 */
    const double hi[] = {0.0, 0.9, 0.9, 0.9, 0.9};
    o[0] = seq(hi, 5, 0);
    const double low[] = {0.0, 0.1, 0.1, 0.1, 0.1};
    ck_assert_int_eq(decide(&pr, seq(low, 4, 0), o, 1), 0);
    /* at step 4 it meets rung 1 with 2 values: keep 1, 0.1 < 0.9 */
    ck_assert_int_eq(decide(&pr, seq(low, 5, 0), o, 1), 1);
    /* crossing two rungs at once decides both with the current value:
     * reports at 0 and 5; rung 0 (step 1): 0.5 vs 0.05 keeps; rung 1 (step 4):
     * 0.5 vs 0.9 prunes */
    const double t2[] = {0.05, 0.05, 0.9, 0.9, 0.9};
    const int64_t st1[] = {0, 1, 2, 3, 4}; /* o: 0.05 at step 1, 0.9 at step 4 */
    o[0].steps = st1;
    o[0].values = t2;
    o[0].n = 5;
    const int64_t st05[] = {0, 5};
    ctune__pruner_trial jump = {st05, v5, 2, 0};
    ck_assert_int_eq(decide(&pr, jump, o, 1), 1);
    /* NaN at a rung prunes; a NaN in the table does not compete */
    const double vnan[] = {0.0, NAN};
    ck_assert_int_eq(decide(&pr, seq(vnan, 2, 0), NULL, 0), 1);
    const double onan[] = {0.0, NAN};
    o[0] = seq(onan, 2, 0);
    const double v01[] = {0.0, 0.01};
    ck_assert_int_eq(decide(&pr, seq(v01, 2, 0), o, 1), 0);
}
END_TEST

START_TEST(test_sha_options)
{
    /* min_early_stopping_rate=1, reduction_factor=3, min_resource=2: first rung at 6 */
    ctune__pruner pr = make("sha", "min_resource=2, reduction_factor=3, min_early_stopping_rate=1");
    const double hi[] = {0, 0, 0, 0, 0, 0, 0.9}, low[] = {0, 0, 0, 0, 0, 0.1, 0.1};
    ctune__pruner_trial o[1] = {seq(hi, 7, 1)};
    ck_assert_int_eq(decide(&pr, seq(low, 6, 0), o, 1), 0); /* step 5 */
    ck_assert_int_eq(decide(&pr, seq(low, 7, 0), o, 1), 1); /* step 6: best 1 of 2 */
    /* bootstrap_count=2: pruned while at most 2 values were recorded */
    ctune__pruner boot = make("sha", "bootstrap_count=2");
    const double top[] = {0.0, 0.99};
    ck_assert_int_eq(decide(&boot, seq(top, 2, 0), o, 1), 1);
    ctune__pruner_trial o2[2] = {seq(hi, 7, 1), seq(hi, 7, 1)};
    ck_assert_int_eq(decide(&boot, seq(top, 2, 0), o2, 2), 0);
    /* huge rungs do not overflow: never reached */
    ctune__pruner big = make("sha", "min_resource=4611686018427387904, reduction_factor=4");
    const int64_t far[] = {INT64_MAX - 1};
    const double fv[] = {0.5};
    ctune__pruner_trial t = {far, fv, 1, 0};
    ck_assert_int_eq(decide(&big, t, NULL, 0), 0);
}
END_TEST

START_TEST(test_bad_input)
{
    int64_t live = ctune_alloc_live();
    ctune__pruner pr;
    ck_assert_status(ctune__pruner_init(&pr, "hyperband", NULL), CTUNE_EINVAL);
    ck_assert_error_has("hyperband");
    ck_assert_error_has("median");
    ck_assert_status(ctune__pruner_init(NULL, "median", NULL), CTUNE_EINVAL);
    ck_assert_status(ctune__pruner_init(&pr, NULL, NULL), CTUNE_EINVAL);
    ctune_params *p = NULL;
    ck_assert_ok(ctune_params_new(&p));
    ck_assert_ok(ctune_params_parse(p, "reduction_factor=1"));
    ck_assert_status(ctune__pruner_init(&pr, "sha", p), CTUNE_EINVAL);
    ck_assert_error_has("reduction_factor");
    ck_assert_error_has("sha");
    ctune_params_free(p);
    ck_assert_ok(ctune_params_new(&p));
    ck_assert_ok(ctune_params_parse(p, "n_startup=3"));
    ck_assert_status(ctune__pruner_init(&pr, "median", p), CTUNE_EINVAL);
    ck_assert_error_has("n_startup");
    ctune_params_free(p);
    ck_assert_ok(ctune_params_new(&p));
    ck_assert_ok(ctune_params_parse(p, "direction=up"));
    ck_assert_status(ctune__pruner_init(&pr, "median", p), CTUNE_EINVAL);
    ck_assert_error_has("direction");
    ctune_params_free(p);
    ck_assert_ok(ctune_params_new(&p));
    ck_assert_ok(ctune_params_parse(p, "min_resource=1"));
    ck_assert_status(ctune__pruner_init(&pr, "none", p), CTUNE_EINVAL);
    ck_assert_error_has("min_resource");
    ctune_params_free(p);
    ck_assert_ptr_nonnull(ctune__pruner_spec("median"));
    ck_assert_ptr_null(ctune__pruner_spec("asha"));

    pr = make("median", NULL);
    int prune = 7;
    const int64_t bad[] = {0, 2, 2};
    const double v[] = {0, 0, 0};
    ctune__pruner_trial t = {bad, v, 3, 0}, ok = seq(v, 3, 1);
    ck_assert_status(ctune__pruner_decide(&pr, &t, NULL, 0, &prune), CTUNE_EINVAL);
    ck_assert_error_has("step 2");
    ck_assert_status(ctune__pruner_decide(&pr, &ok, &t, 1, &prune), CTUNE_EINVAL);
    ck_assert_error_has("table trial 0");
    const int64_t neg[] = {-1};
    ctune__pruner_trial tn = {neg, v, 1, 0};
    ck_assert_status(ctune__pruner_decide(&pr, &tn, NULL, 0, &prune), CTUNE_EINVAL);
    ck_assert_error_has("negative");
    ctune__pruner_trial nul = {NULL, NULL, 2, 0};
    ck_assert_status(ctune__pruner_decide(&pr, &nul, NULL, 0, &prune), CTUNE_EINVAL);
    ck_assert_status(ctune__pruner_decide(&pr, &ok, NULL, 2, &prune), CTUNE_EINVAL);
    ck_assert_status(ctune__pruner_decide(NULL, &ok, NULL, 0, &prune), CTUNE_EINVAL);
    ck_assert_status(ctune__pruner_decide(&pr, NULL, NULL, 0, &prune), CTUNE_EINVAL);
    ck_assert_status(ctune__pruner_decide(&pr, &ok, NULL, 0, NULL), CTUNE_EINVAL);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

START_TEST(test_out_of_memory)
{
    int64_t live = ctune_alloc_live();
    ctune__pruner pr = make("median", NULL);
    ctune__pruner_trial o[5];
    five_complete(o);
    const double below[] = {0.1, 0.2, 0.25};
    ctune__pruner_trial t = seq(below, 3, 0);
    int prune = -1;
    ctune_alloc_fail_at(1, 0);
    ctune_status st = ctune__pruner_decide(&pr, &t, o, 5, &prune);
    ctune_alloc_fail_at(0, 0);
    ck_assert_int_eq(st, CTUNE_ENOMEM);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("pruner");
    TCase *tc = tcase_create("rules");
    tcase_add_test(tc, test_none_never_prunes);
    tcase_add_test(tc, test_median_rule);
    tcase_add_test(tc, test_median_nan_and_direction);
    tcase_add_test(tc, test_median_warmup_and_interval);
    tcase_add_test(tc, test_sha_rungs);
    tcase_add_test(tc, test_sha_rung_values);
    tcase_add_test(tc, test_sha_options);
    tcase_add_test(tc, test_bad_input);
    tcase_add_test(tc, test_out_of_memory);
    suite_add_tcase(s, tc);
    return ctu_run_suite(s);
}
