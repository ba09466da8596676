/* Check suite: warm start (the vtable's fit_more, ctune_estimator_fit_warm()).
 * Training 3 epochs and then 6 more must equal 9 epochs in one fit, bit for
 * bit: weights, optimizer state and the shuffle / dropout RNG streams. */
#define CTUNE_EXPERIMENTAL
#include <stdatomic.h>
#include <stdlib.h>
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

/* ---- a Pipeline continues its last step --------------------------------------- */

static ctune_estimator *make_pipe(void)
{
    ctune_estimator *p, *sc, *mlp;
    ck_assert_ok(ctune_pipeline_new(&p));
    ck_assert_ok(ctune_standard_scaler_new(&sc));
    ck_assert_ok(ctune_mlp_classifier_new(&mlp));
    ck_assert_ok(ctune_estimator_set_params_text(mlp, "nn=8, nl=2, batch_size=16, seed=5"));
    ck_assert_ok(ctune_pipeline_add_step(p, "scale", sc));
    ck_assert_ok(ctune_pipeline_add_step(p, "mlp", mlp));
    ctune_estimator_free(sc);
    ctune_estimator_free(mlp);
    return p;
}

static ctune_params *pipe_epochs(int64_t e)
{
    ctune_params *p;
    ck_assert_ok(ctune_params_new(&p));
    ck_assert_ok(ctune_params_set_int(p, "mlp__epochs", e));
    return p;
}

static const ctune_estimator *step(const ctune_estimator *pipe, const char *name)
{
    const ctune_estimator *st = NULL;
    ck_assert_ok(ctune_pipeline_step(&st, pipe, name));
    return st;
}

/* Same network state, same scaler, same probabilities. */
static void assert_same_pipe(const ctune_estimator *a, ctune_estimator *b, const ctune_data *d)
{
    assert_same_state(step(a, "mlp"), step(b, "mlp"));
    size_t n = ctune_data_n_rows(d);
    double *pa = malloc(n * 3 * sizeof *pa), *pb = malloc(n * 3 * sizeof *pb);
    ck_assert_ok(ctune_estimator_predict_proba(pa, (ctune_estimator *)a, d));
    ck_assert_ok(ctune_estimator_predict_proba(pb, b, d));
    ck_assert_int_eq(memcmp(pa, pb, n * 3 * sizeof *pa), 0);
    free(pa);
    free(pb);
}

/* scaler + MLP: 3 epochs then 6 more equal 9 in one fit, as for the MLP
 * alone; with the stream of a search task too. */
START_TEST(test_pipeline_3_then_6_is_9)
{
    double X[150 * 2], y[150];
    ctune_data *d = blobs(X, y, 150);
    for (int with_stream = 0; with_stream < 2; with_stream++) {
        ctune_estimator *once = make_pipe(), *warm = make_pipe();
        ck_assert_ok(ctune_estimator_set_params_text(once, "mlp__epochs=9"));
        ck_assert_ok(ctune_estimator_set_params_text(warm, "mlp__epochs=3"));
        ck_assert_ok(ctune_estimator_fit_task(once, d, 1, with_stream ? 77 : 0));
        ck_assert_ok(ctune_estimator_fit_task(warm, d, 1, with_stream ? 77 : 0));
        ctune_params *nine = pipe_epochs(9), *twelve = pipe_epochs(12);
        int continued = -1;
        ck_assert_ok(ctune_estimator_fit_warm(&continued, warm, d, nine));
        ck_assert_int_eq(continued, 1);
        assert_same_pipe(once, warm, d);
        int64_t e = 0;
        ck_assert_ok(ctune_params_get_int(&e, ctune_estimator_get_params(warm), "mlp__epochs"));
        ck_assert_int_eq(e, 9);
        ck_assert_ok(
            ctune_params_get_int(&e, ctune_estimator_get_params(step(warm, "mlp")), "epochs"));
        ck_assert_int_eq(e, 9);
        /* both go on alike, and equal 12 in one fit */
        ck_assert_ok(ctune_estimator_fit_warm(&continued, warm, d, twelve));
        ck_assert_int_eq(continued, 1);
        ck_assert_ok(ctune_estimator_fit_warm(&continued, once, d, twelve));
        ck_assert_int_eq(continued, 1);
        assert_same_pipe(once, warm, d);
        ctune_estimator *fresh = make_pipe();
        ck_assert_ok(ctune_estimator_set_params_text(fresh, "mlp__epochs=12"));
        ck_assert_ok(ctune_estimator_fit_task(fresh, d, 1, with_stream ? 77 : 0));
        assert_same_pipe(fresh, warm, d);
        /* the same epochs: nothing to train, still the same */
        ck_assert_ok(ctune_estimator_fit_warm(&continued, warm, d, twelve));
        ck_assert_int_eq(continued, 1);
        assert_same_pipe(fresh, warm, d);
        ctune_params_free(nine);
        ctune_params_free(twelve);
        ctune_estimator_free(fresh);
        ctune_estimator_free(once);
        ctune_estimator_free(warm);
    }
    ctune_data_free(d);
}
END_TEST

/* What a Pipeline cannot continue exactly it fits from scratch, to the
 * result of a fresh fit: a transformer's params changed, fewer epochs, a
 * last step without fit_more, other data. */
START_TEST(test_pipeline_declines)
{
    double X[150 * 2], y[150];
    ctune_data *d = blobs(X, y, 150);
    ctune_estimator *e = make_pipe(), *ref = make_pipe();
    ck_assert_ok(ctune_estimator_set_params_text(e, "mlp__epochs=3"));
    int continued = -1;
    ck_assert_ok(ctune_estimator_fit_warm(&continued, e, d, NULL)); /* unfitted */
    ck_assert_int_eq(continued, 0);
    ctune_params *p;
    ck_assert_ok(ctune_params_new(&p));
    ck_assert_ok(ctune_params_parse(p, "mlp__epochs=5, scale__with_mean=false"));
    ck_assert_ok(ctune_estimator_fit_warm(&continued, e, d, p));
    ck_assert_int_eq(continued, 0);
    ck_assert_ok(ctune_estimator_set_params_text(ref, "mlp__epochs=5, scale__with_mean=false"));
    ck_assert_ok(ctune_estimator_fit(ref, d));
    assert_same_pipe(ref, e, d);
    /* fewer epochs */
    ctune_params *two = pipe_epochs(2);
    ck_assert_ok(ctune_estimator_fit_warm(&continued, e, d, two));
    ck_assert_int_eq(continued, 0);
    ck_assert_ok(ctune_estimator_set_params_text(ref, "mlp__epochs=2"));
    ck_assert_ok(ctune_estimator_fit(ref, d));
    assert_same_pipe(ref, e, d);
    /* other rows */
    ctune_data *half;
    ck_assert_ok(ctune_data_new(&half, X, CTUNE_FLOAT64, 75, 2, 0, y, 1));
    ctune_params *four = pipe_epochs(4);
    ck_assert_ok(ctune_estimator_fit_warm(&continued, e, half, four));
    ck_assert_int_eq(continued, 0);
    /* a last step without fit_more: a tree */
    ctune_estimator *tp, *sc, *tree;
    ck_assert_ok(ctune_pipeline_new(&tp));
    ck_assert_ok(ctune_standard_scaler_new(&sc));
    ck_assert_ok(ctune_decision_tree_classifier_new(&tree));
    ck_assert_ok(ctune_pipeline_add_step(tp, "scale", sc));
    ck_assert_ok(ctune_pipeline_add_step(tp, "tree", tree));
    ck_assert_ok(ctune_estimator_fit(tp, d));
    ctune_params *depth;
    ck_assert_ok(ctune_params_new(&depth));
    ck_assert_ok(ctune_params_parse(depth, "tree__max_depth=2"));
    ck_assert_ok(ctune_estimator_fit_warm(&continued, tp, d, depth));
    ck_assert_int_eq(continued, 0);
    ck_assert_int_eq(ctune_estimator_is_fitted(tp), 1);
    /* bad params: refused, the fit kept */
    ctune_params *bad = pipe_epochs(-1);
    ck_assert_int_eq(ctune_estimator_fit_warm(&continued, e, d, bad), CTUNE_EINVAL);
    ck_assert_ptr_nonnull(strstr(ctune_last_error(), "epochs"));
    ck_assert_int_eq(ctune_estimator_is_fitted(e), 1);
    ctune_params_free(bad);
    ctune_params_free(depth);
    ctune_params_free(p);
    ctune_params_free(two);
    ctune_params_free(four);
    ctune_data_free(half);
    ctune_estimator_free(sc);
    ctune_estimator_free(tree);
    ctune_estimator_free(tp);
    ctune_estimator_free(e);
    ctune_estimator_free(ref);
    ctune_data_free(d);
}
END_TEST

/* Successive halving on the epochs of scaler + MLP: every row scores as a
 * grid search fitting that many epochs in one go (the promoted candidates
 * continue their fits), split by split, bit for bit. */
START_TEST(test_pipeline_halving_on_epochs)
{
    double X[150 * 2], y[150];
    ctune_data *d = blobs(X, y, 150);
    ctune_estimator *pipe = make_pipe();
    ctune_space *sp;
    ck_assert_ok(ctune_space_parse(&sp, "mlp__learning_rate: 0.001|0.002|0.005|0.01|0.02|0.03|"
                                        "0.05|0.07|0.1"));
    ctune_search *h;
    ck_assert_ok(ctune_search_new_halving(&h, pipe, sp, 0, 0,
                                          "resource=mlp__epochs, min_resources=1, "
                                          "max_resources=9, factor=3"));
    ck_assert_ok(ctune_search_set_options(h, "cv=3, seed=4, n_jobs=2"));
    ck_assert_ok(ctune_search_fit(h, d));
    ck_assert_uint_eq(ctune_search_n_iterations(h), 3);
    ck_assert_uint_eq(ctune_search_n_rows(h), 9 + 3 + 1);
    for (int64_t epochs = 1; epochs <= 9; epochs *= 3) {
        ctune_estimator *tmpl = make_pipe();
        ctune_params *ep = pipe_epochs(epochs);
        ck_assert_ok(ctune_estimator_set_params(tmpl, ep));
        ctune_params_free(ep);
        ctune_search *g;
        ck_assert_ok(ctune_search_new_grid(&g, tmpl, sp));
        ck_assert_ok(ctune_search_set_options(g, "cv=3, seed=4"));
        ck_assert_ok(ctune_search_fit(g, d));
        size_t checked = 0;
        for (size_t r = 0; r < ctune_search_n_rows(h); r++) {
            double res;
            ck_assert_ok(ctune_search_result(&res, h, "n_resources", r));
            if (res != (double)epochs)
                continue;
            double lr;
            ck_assert_ok(
                ctune_params_get_double(&lr, ctune_search_row_params(h, r), "mlp__learning_rate"));
            size_t c = 0; /* the grid row of the same candidate */
            double glr = -1;
            for (; c < ctune_search_n_rows(g); c++) {
                ck_assert_ok(ctune_params_get_double(&glr, ctune_search_row_params(g, c),
                                                     "mlp__learning_rate"));
                if (glr == lr)
                    break;
            }
            ck_assert_uint_lt(c, ctune_search_n_rows(g));
            const char *cols[] = {"split0_test_score", "split1_test_score", "split2_test_score"};
            for (size_t k = 0; k < 3; k++) {
                double a, b;
                ck_assert_ok(ctune_search_result(&a, h, cols[k], r));
                ck_assert_ok(ctune_search_result(&b, g, cols[k], c));
                ck_assert_int_eq(memcmp(&a, &b, sizeof a), 0);
            }
            checked++;
        }
        ck_assert_uint_eq(checked, epochs == 1 ? 9 : epochs == 3 ? 3 : 1);
        ctune_search_free(g);
        ctune_estimator_free(tmpl);
    }
    /* a pruner takes the pipeline too: it continues step by step */
    ctune_search *pr;
    ck_assert_ok(ctune_search_new_grid(&pr, pipe, sp));
    ck_assert_ok(ctune_search_set_options(pr, "cv=3, seed=4"));
    ck_assert_ok(ctune_search_set_pruner(pr, "median", "mlp__epochs", 3));
    ck_assert_ok(ctune_search_fit(pr, d));
    ck_assert_uint_eq(ctune_search_n_rows(pr), 9);
    ctune_search_free(pr);
    ctune_search_free(h);
    ctune_space_free(sp);
    ctune_estimator_free(pipe);
    ctune_data_free(d);
}
END_TEST

/* Counter: a classifier "trained" for `epochs` (predicts class 0) that
 * counts its fits and continuations, to see what a search calls. */
static atomic_int n_fit, n_more;

typedef struct counter {
    int64_t epochs;
} counter;

static const ctune_param_spec COUNTER_SPEC[] = {
    {"epochs", CTUNE_TYPE_INT, "1", "[1, inf)", NULL, "the training budget"},
    {"level", CTUNE_TYPE_INT, "0", NULL, NULL, "a parameter to search"},
    {NULL, 0, NULL, NULL, NULL, NULL},
};

static ctune_status counter_create(void **self, const ctune_params *p, void *user)
{
    (void)user;
    counter *c = calloc(1, sizeof *c);
    if (!c)
        return ctune_set_error(CTUNE_ENOMEM, "Counter: out of memory");
    int64_t level;
    ctune_params_get_int(&level, p, "level"); /* read: the spec's param is used */
    *self = c;
    return CTUNE_OK;
}

static ctune_status counter_fit(void *self, const ctune_data *train, size_t k,
                                const ctune_fit_ctx *ctx)
{
    (void)train, (void)k, (void)ctx;
    atomic_fetch_add(&n_fit, 1);
    ((counter *)self)->epochs = 0;
    return CTUNE_OK;
}

static ctune_status counter_more(void *self, const ctune_params *params, const ctune_data *train,
                                 size_t k, const ctune_fit_ctx *ctx)
{
    (void)train, (void)k, (void)ctx;
    int64_t e = 0;
    CTUNE_TRY(ctune_params_get_int(&e, params, "epochs"));
    atomic_fetch_add(&n_more, 1);
    ((counter *)self)->epochs = e;
    return CTUNE_OK;
}

static ctune_status counter_predict(void *self, const ctune_data *X, double *out)
{
    (void)self;
    for (size_t i = 0; i < ctune_data_n_rows(X); i++)
        out[i] = 0;
    return CTUNE_OK;
}

static void counter_destroy(void *self) { free(self); }

static const ctune_estimator_vtable COUNTER_VT = {
    .version = CTUNE_ESTIMATOR_VTABLE_VERSION,
    .name = "Counter",
    .kind = CTUNE_CLASSIFIER,
    .params = COUNTER_SPEC,
    .create = counter_create,
    .fit = counter_fit,
    .predict = counter_predict,
    .destroy = counter_destroy,
    .fit_more = counter_more,
};

/* Halving on the epochs of scaler + Counter: the first rung fits, every
 * later rung continues through the Pipeline's fit_more. */
START_TEST(test_pipeline_halving_continues)
{
    double X[150 * 2], y[150];
    ctune_data *d = blobs(X, y, 150);
    ctune_estimator *p, *sc, *cnt;
    ck_assert_ok(ctune_pipeline_new(&p));
    ck_assert_ok(ctune_standard_scaler_new(&sc));
    ck_assert_ok(ctune_estimator_new(&cnt, &COUNTER_VT, NULL));
    ck_assert_ok(ctune_pipeline_add_step(p, "scale", sc));
    ck_assert_ok(ctune_pipeline_add_step(p, "c", cnt));
    ctune_space *sp;
    ck_assert_ok(ctune_space_parse(&sp, "c__level: 1|2|3|4|5|6|7|8|9"));
    ctune_search *h;
    ck_assert_ok(ctune_search_new_halving(&h, p, sp, 0, 0,
                                          "resource=c__epochs, min_resources=1, "
                                          "max_resources=9, factor=3"));
    ck_assert_ok(ctune_search_set_options(h, "cv=3, refit=false"));
    atomic_store(&n_fit, 0);
    atomic_store(&n_more, 0);
    ck_assert_ok(ctune_search_fit(h, d));
    ck_assert_int_eq(atomic_load(&n_fit), 9 * 3);        /* the first rung */
    ck_assert_int_eq(atomic_load(&n_more), (3 + 1) * 3); /* the promoted ones continue */
    ctune_search_free(h);
    ctune_space_free(sp);
    ctune_estimator_free(sc);
    ctune_estimator_free(cnt);
    ctune_estimator_free(p);
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
    tcase_add_test(tc, test_pipeline_3_then_6_is_9);
    tcase_add_test(tc, test_pipeline_declines);
    tcase_add_test(tc, test_pipeline_halving_on_epochs);
    tcase_add_test(tc, test_pipeline_halving_continues);
    suite_add_tcase(s, tc);
    return ctu_run_suite(s);
}
