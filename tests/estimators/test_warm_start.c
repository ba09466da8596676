/* Check suite: warm start (the vtable's fit_more, ctune_estimator_fit_warm()).
 * Training 3 epochs and then 6 more must equal 9 epochs in one fit, bit for
 * bit: weights, optimizer state and the shuffle / dropout RNG streams. */
#define CTUNE_EXPERIMENTAL
#include <string.h>

#include "core/error.h"
#include "nn/model.h"
#include "testutil.h"

static const ctune_param_spec DROP_SPEC[] = {
    {"nn", CTUNE_TYPE_INT, "16", "[1, inf)", NULL, "hidden units"},
    {"optimizer", CTUNE_TYPE_STRING, "adam", NULL, NULL, "optimizer"},
    {NULL, 0, NULL, NULL, NULL, NULL},
};

/* Dense, Dropout, softmax: uses both RNG streams and the optimizer slots. */
static ctune_status drop_build(const ctune_params *p, ctune_model *m, void *user)
{
    (void)user;
    int64_t nn, k;
    const char *opt;
    CTUNE_TRY(ctune_params_get_int(&nn, p, "nn"));
    CTUNE_TRY(ctune_params_get_int(&k, p, "n_classes_"));
    CTUNE_TRY(ctune_params_get_string(&opt, p, "optimizer"));
    CTUNE_TRY(ctune_model_add_dense(m, nn, "relu", NULL));
    CTUNE_TRY(ctune_model_add_dropout(m, 0.25));
    CTUNE_TRY(ctune_model_add_dense(m, k, "softmax", NULL));
    return ctune_model_compile(m, opt, "sparse_categorical_crossentropy", "learning_rate=0.01");
}

static ctune_data *blobs(double *X, double *y, size_t n)
{
    ctune_make_blobs(X, y, NULL, n, 2, 3, 1.5, 11);
    ctune_data *d;
    ck_assert_ok(ctune_data_new(&d, X, CTUNE_FLOAT64, n, 2, 0, y, 1));
    return d;
}

static ctune_params *epochs(int64_t e)
{
    ctune_params *p;
    ck_assert_ok(ctune_params_new(&p));
    ck_assert_ok(ctune_params_set_int(p, "epochs", e));
    return p;
}

/* The whole training state of a fitted Keras estimator's model. */
static void assert_same_state(const ctune_estimator *a, const ctune_estimator *b)
{
    const ctune_model *ma = ctune_keras_model(a), *mb = ctune_keras_model(b);
    ck_assert_ptr_nonnull(ma);
    ck_assert_ptr_nonnull(mb);
    ck_assert_uint_eq(ma->n_params, mb->n_params);
    ck_assert_int_eq(memcmp(ma->params, mb->params, ma->n_params * sizeof(float)), 0);
    ck_assert_int_eq(ma->opt.iterations, mb->opt.iterations);
    ck_assert_uint_eq(ma->opt.n_slots, mb->opt.n_slots);
    ck_assert_uint_gt(ma->opt.n_slots, 0);
    ck_assert_int_eq(
        memcmp(ma->opt.slots, mb->opt.slots, ma->opt.n_slots * ma->opt.n * sizeof(float)), 0);
    ck_assert_int_eq(memcmp(ma->shuffle_rng.s, mb->shuffle_rng.s, sizeof ma->shuffle_rng.s), 0);
    ck_assert_int_eq(memcmp(ma->dropout_rng.s, mb->dropout_rng.s, sizeof ma->dropout_rng.s), 0);
}

static void run_3_then_6(const char *optimizer, ctune_estimator *(*make)(void))
{
    (void)optimizer;
    double X[150 * 2], y[150];
    ctune_data *d = blobs(X, y, 150);
    ctune_estimator *once = make(), *warm = make();
    ck_assert_ok(ctune_estimator_set_params_text(once, "epochs=9, batch_size=16, seed=5"));
    ck_assert_ok(ctune_estimator_set_params_text(warm, "epochs=3, batch_size=16, seed=5"));
    ck_assert_ok(ctune_estimator_fit(once, d));
    ck_assert_ok(ctune_estimator_fit(warm, d));
    ctune_params *nine = epochs(9);
    int continued = -1;
    ck_assert_ok(ctune_estimator_fit_warm(&continued, warm, d, nine));
    ck_assert_int_eq(continued, 1);
    assert_same_state(once, warm);
    /* the params say what was trained: 9 epochs */
    int64_t e;
    ck_assert_ok(ctune_params_get_int(&e, ctune_estimator_get_params(warm), "epochs"));
    ck_assert_int_eq(e, 9);
    /* and both go on identically: 9 + 3 == 12 */
    ctune_params *twelve = epochs(12);
    ck_assert_ok(ctune_estimator_fit_warm(&continued, warm, d, twelve));
    ck_assert_int_eq(continued, 1);
    ck_assert_ok(ctune_estimator_fit_warm(&continued, once, d, twelve));
    ck_assert_int_eq(continued, 1);
    assert_same_state(once, warm);
    ctune_estimator *fresh = make();
    ck_assert_ok(ctune_estimator_set_params_text(fresh, "epochs=12, batch_size=16, seed=5"));
    ck_assert_ok(ctune_estimator_fit(fresh, d));
    assert_same_state(fresh, warm);
    ctune_params_free(nine);
    ctune_params_free(twelve);
    ctune_estimator_free(fresh);
    ctune_estimator_free(once);
    ctune_estimator_free(warm);
    ctune_data_free(d);
}

static ctune_estimator *make_dropout(void)
{
    ctune_estimator *e;
    ck_assert_ok(ctune_keras_classifier_new(&e, drop_build, DROP_SPEC, NULL));
    return e;
}

static ctune_estimator *make_mlp(void)
{
    ctune_estimator *e;
    ck_assert_ok(ctune_mlp_classifier_new(&e));
    ck_assert_ok(ctune_estimator_set_params_text(e, "nn=8, nl=2"));
    return e;
}

START_TEST(test_3_then_6_is_9_dropout) { run_3_then_6("adam", make_dropout); }
END_TEST

START_TEST(test_3_then_6_is_9_mlp) { run_3_then_6("adam", make_mlp); }
END_TEST

START_TEST(test_falls_back_to_scratch)
{
    double X[150 * 2], y[150];
    ctune_data *d = blobs(X, y, 150);
    ctune_estimator *e = make_dropout(), *ref = make_dropout();
    ck_assert_ok(ctune_estimator_set_params_text(e, "epochs=3, seed=2"));
    int continued = -1;
    /* unfitted: a fit from scratch */
    ck_assert_ok(ctune_estimator_fit_warm(&continued, e, d, NULL));
    ck_assert_int_eq(continued, 0);
    /* another param than epochs changed: from scratch, as a fresh fit */
    ctune_params *p;
    ck_assert_ok(ctune_params_new(&p));
    ck_assert_ok(ctune_params_parse(p, "epochs=4, nn=12"));
    ck_assert_ok(ctune_estimator_fit_warm(&continued, e, d, p));
    ck_assert_int_eq(continued, 0);
    ck_assert_ok(ctune_estimator_set_params_text(ref, "epochs=4, nn=12, seed=2"));
    ck_assert_ok(ctune_estimator_fit(ref, d));
    assert_same_state(ref, e);
    /* fewer epochs: from scratch */
    ctune_params *two = epochs(2);
    ck_assert_ok(ctune_estimator_fit_warm(&continued, e, d, two));
    ck_assert_int_eq(continued, 0);
    ck_assert_uint_eq(ctune_model_history_len(ctune_keras_model(e)), 2);
    /* other data (row count): from scratch */
    ctune_data *half;
    ck_assert_ok(ctune_data_new(&half, X, CTUNE_FLOAT64, 75, 2, 0, y, 1));
    ctune_params *five = epochs(5);
    ck_assert_ok(ctune_estimator_fit_warm(&continued, e, half, five));
    ck_assert_int_eq(continued, 0);
    /* early stopping cannot be continued exactly */
    ck_assert_ok(ctune_estimator_set_params_text(e, "early_stopping=true, patience=50, epochs=2"));
    ck_assert_ok(ctune_estimator_fit(e, d));
    ctune_params *three = epochs(3);
    ck_assert_ok(ctune_estimator_fit_warm(&continued, e, d, three));
    ck_assert_int_eq(continued, 0);
    ctune_params_free(p);
    ctune_params_free(two);
    ctune_params_free(three);
    ctune_params_free(five);
    ctune_data_free(half);
    ctune_estimator_free(e);
    ctune_estimator_free(ref);
    ctune_data_free(d);
}
END_TEST

START_TEST(test_bad_input)
{
    double X[30 * 2], y[30];
    ctune_data *d = blobs(X, y, 30);
    ctune_estimator *e = make_dropout();
    int continued = -1;
    ck_assert_int_eq(ctune_estimator_fit_warm(&continued, NULL, d, NULL), CTUNE_EINVAL);
    ck_assert_int_eq(continued, 0);
    ck_assert_int_eq(ctune_estimator_fit_warm(NULL, e, NULL, NULL), CTUNE_EINVAL);
    ck_assert_ok(ctune_estimator_set_params_text(e, "epochs=1"));
    ck_assert_ok(ctune_estimator_fit(e, d));
    ctune_params *bad = epochs(-3);
    ck_assert_int_eq(ctune_estimator_fit_warm(NULL, e, d, bad), CTUNE_EINVAL);
    ck_assert_ptr_nonnull(strstr(ctune_last_error(), "epochs"));
    ck_assert_int_eq(ctune_estimator_is_fitted(e), 1); /* kept its fit */
    ctune_params *unknown;
    ck_assert_ok(ctune_params_new(&unknown));
    ck_assert_ok(ctune_params_set_int(unknown, "no_such", 1));
    ck_assert_int_eq(ctune_estimator_fit_warm(NULL, e, d, unknown), CTUNE_EINVAL);
    ctune_params_free(unknown);
    ctune_params_free(bad);
    ctune_estimator_free(e);
    ctune_data_free(d);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("warm_start");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_3_then_6_is_9_dropout);
    tcase_add_test(tc, test_3_then_6_is_9_mlp);
    tcase_add_test(tc, test_falls_back_to_scratch);
    tcase_add_test(tc, test_bad_input);
    suite_add_tcase(s, tc);
    return ctu_run_suite(s);
}
