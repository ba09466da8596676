/* Check suite: the NN engine through the public API — learning, history,
 * EarlyStopping, callbacks, reproducibility, allocation discipline, bad
 * input. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

/* ---- helpers ------------------------------------------------------------ */

static ctune_model *mlp(const char *hidden_act, int64_t units, int64_t out, const char *out_act,
                        const char *opt, const char *loss, const char *options)
{
    ctune_model *m;
    ck_assert_ok(ctune_model_new(&m));
    ck_assert_ok(ctune_model_add_dense(m, units, hidden_act, NULL));
    ck_assert_ok(ctune_model_add_dense(m, out, out_act, NULL));
    ck_assert_ok(ctune_model_compile(m, opt, loss, options));
    return m;
}

/* Three Gaussian blobs in 2-D, n rows, labels 0..2. */
static void blobs(double *X, double *y, size_t n, uint64_t seed)
{
    ctune_rng *r;
    ck_assert_ok(ctune_rng_new(&r, seed, 0));
    static const double cx[3] = {-3, 0, 3}, cy[3] = {0, 3, -1};
    for (size_t i = 0; i < n; i++) {
        size_t c = i % 3;
        X[2 * i] = cx[c] + 0.6 * ctune_rng_normal(r);
        X[2 * i + 1] = cy[c] + 0.6 * ctune_rng_normal(r);
        y[i] = (double)c;
    }
    ctune_rng_free(r);
}

static double accuracy_of(ctune_model *m, const ctune_data *d, const double *y, size_t n)
{
    size_t k = ctune_model_n_outputs(m);
    double *p = malloc(n * k * sizeof *p);
    ck_assert_ok(ctune_model_predict(p, m, d));
    size_t hit = 0;
    for (size_t i = 0; i < n; i++) {
        size_t best = 0;
        if (k == 1) {
            best = p[i] > 0.5;
        } else {
            for (size_t j = 1; j < k; j++)
                if (p[i * k + j] > p[i * k + best])
                    best = j;
        }
        hit += (double)best == y[i];
    }
    free(p);
    return (double)hit / (double)n;
}

/* ---- learning ------------------------------------------------------------ */

START_TEST(test_xor)
{
    double X[] = {0, 0, 0, 1, 1, 0, 1, 1}, y[] = {0, 1, 1, 0};
    ctune_data *d;
    ck_assert_ok(ctune_data_new(&d, X, CTUNE_FLOAT64, 4, 2, 0, y, 1));
    ctune_model *m = mlp("tanh", 8, 1, "sigmoid", "adam", "binary_crossentropy",
                         "learning_rate=0.05, metrics=accuracy");
    ck_assert_ok(ctune_model_fit(m, d, 300, 4, "seed=3"));
    double p[4];
    ck_assert_ok(ctune_model_predict(p, m, d));
    for (int i = 0; i < 4; i++)
        ck_assert_msg((p[i] > 0.5) == (y[i] > 0.5), "XOR row %d: p = %g", i, p[i]);
    double loss, acc;
    ck_assert_ok(ctune_model_evaluate(&loss, &acc, m, d));
    ck_assert_double_eq(acc, 1.0);
    ck_assert_double_lt(loss, 0.1);
    ck_assert_uint_eq(ctune_model_history_len(m), 300);
    double first, last;
    ck_assert_ok(ctune_model_history_value(&first, m, "loss", 0));
    ck_assert_ok(ctune_model_history_value(&last, m, "loss", 299));
    ck_assert_double_lt(last, first);
    ctune_model_free(m);
    ctune_data_free(d);
}
END_TEST

START_TEST(test_blobs_softmax_and_probabilities)
{
    enum { n = 300 };
    double X[2 * n], y[n];
    blobs(X, y, n, 5);
    ctune_data *d;
    ck_assert_ok(ctune_data_new(&d, X, CTUNE_FLOAT64, n, 2, 0, y, 1));
    ctune_model *m = mlp("relu", 16, 3, "softmax", "adam", "sparse_categorical_crossentropy",
                         "learning_rate=0.01, metrics=accuracy");
    ck_assert_ok(ctune_model_fit(m, d, 20, 16, NULL));
    ck_assert_double_ge(accuracy_of(m, d, y, n), 0.95);
    double *p = malloc(n * 3 * sizeof *p);
    ck_assert_ok(ctune_model_predict(p, m, d));
    for (size_t i = 0; i < n; i++)
        ck_assert_double_eq_tol(p[3 * i] + p[3 * i + 1] + p[3 * i + 2], 1.0, 1e-5);
    free(p);
    ctune_model_free(m);
    ctune_data_free(d);
}
END_TEST

/* Each loss / optimizer learns the blobs (or a linear target) a little. */
START_TEST(test_every_optimizer_learns)
{
    static const char *const opts[] = {"sgd",     "adam",     "adamw",  "rmsprop",
                                       "adagrad", "adadelta", "adamax", "nadam"};
    static const char *const extra[] = {"learning_rate=0.1, momentum=0.9, nesterov=true",
                                        "learning_rate=0.01, amsgrad=true",
                                        "learning_rate=0.01",
                                        "learning_rate=0.01, momentum=0.5, centered=true",
                                        "learning_rate=0.1",
                                        "learning_rate=1.0",
                                        "learning_rate=0.01, clipnorm=1",
                                        "learning_rate=0.01, clipvalue=0.5"};
    enum { n = 150 };
    double X[2 * n], y[n];
    blobs(X, y, n, 11);
    ctune_data *d;
    ck_assert_ok(ctune_data_new(&d, X, CTUNE_FLOAT64, n, 2, 0, y, 1));
    for (int k = 0; k < 8; k++) {
        char o[160];
        snprintf(o, sizeof o, "%s, metrics=accuracy", extra[k]);
        ctune_model *m = mlp("relu", 16, 3, "softmax", opts[k], "sparse_categorical_crossentropy",
                             o);
        ck_assert_ok(ctune_model_fit(m, d, 15, 10, NULL));
        double acc = accuracy_of(m, d, y, n);
        ck_assert_msg(acc >= 0.9, "%s: accuracy %g", opts[k], acc);
        ctune_model_free(m);
    }
    ctune_data_free(d);
}
END_TEST

START_TEST(test_regression_losses)
{
    enum { n = 200 };
    double X[2 * n], y[2 * n];
    for (size_t i = 0; i < n; i++) {
        X[2 * i] = sin(0.37 * (double)i);
        X[2 * i + 1] = cos(0.11 * (double)i);
        y[2 * i] = 2 * X[2 * i] - X[2 * i + 1] + 0.5;
        y[2 * i + 1] = X[2 * i] * X[2 * i + 1];
    }
    ctune_data *d;
    ck_assert_ok(ctune_data_new(&d, X, CTUNE_FLOAT64, n, 2, 0, y, 2));
    static const char *const losses[] = {"mse", "mean_absolute_error", "huber"};
    for (int k = 0; k < 3; k++) {
        ctune_model *m = mlp("tanh", 16, 2, "linear", "adam", losses[k],
                             "learning_rate=0.01, metrics=mse|mae");
        ck_assert_ok(ctune_model_fit(m, d, 60, 16, NULL));
        double loss, mse;
        ck_assert_ok(ctune_model_evaluate(&loss, &mse, m, d));
        ck_assert_msg(mse < 0.05, "%s: mse %g", losses[k], mse);
        double hm;
        ck_assert_ok(ctune_model_history_value(&hm, m, "mae", 59));
        ck_assert_str_eq(ctune_model_loss(m), k == 0   ? "mean_squared_error"
                                              : k == 1 ? "mean_absolute_error"
                                                       : "huber");
        ctune_model_free(m);
    }
    ctune_data_free(d);
}
END_TEST

START_TEST(test_breast_cancer_3fold)
{
    double *X, *y;
    size_t n, dim;
    ck_assert_int_eq(ctu_load_csv(ctu_data_path("breast_cancer.csv"), &X, &y, &n, &dim), 0);
    ck_assert_uint_eq(n, 569);
    ck_assert_uint_eq(dim, 30);
    ctu_standardize(X, n, dim);
    ctune_data *all;
    ck_assert_ok(ctune_data_new(&all, X, CTUNE_FLOAT64, n, dim, 0, y, 1));
    double sum = 0;
    for (size_t f = 0; f < 3; f++) {
        size_t *tr = malloc(n * sizeof *tr), *te = malloc(n * sizeof *te), ntr = 0, nte = 0;
        double *yte = malloc(n * sizeof *yte);
        for (size_t i = 0; i < n; i++) {
            if (i % 3 == f) {
                yte[nte] = y[i];
                te[nte++] = i;
            } else {
                tr[ntr++] = i;
            }
        }
        ctune_data *dtr, *dte;
        ck_assert_ok(ctune_data_subset(&dtr, all, tr, ntr));
        ck_assert_ok(ctune_data_subset(&dte, all, te, nte));
        ctune_model *m = mlp("relu", 16, 1, "sigmoid", "adam", "binary_crossentropy",
                             "metrics=accuracy");
        ck_assert_ok(ctune_model_fit(m, dtr, 10, 10, "seed=1"));
        double loss, acc;
        ck_assert_ok(ctune_model_evaluate(&loss, &acc, m, dte));
        ck_assert_double_eq_tol(acc, accuracy_of(m, dte, yte, nte), 1e-12);
        fprintf(stderr, "breast cancer fold %zu: accuracy %.4f\n", f, acc);
        sum += acc;
        ctune_model_free(m);
        ctune_data_free(dtr);
        ctune_data_free(dte);
        free(tr);
        free(te);
        free(yte);
    }
    fprintf(stderr, "breast cancer 3-fold mean accuracy %.4f\n", sum / 3);
    ck_assert_double_ge(sum / 3, 0.95);
    ctune_data_free(all);
    free(X);
    free(y);
}
END_TEST

/* categorical_crossentropy takes codes or one-hot rows, with the same result. */
START_TEST(test_categorical_codes_and_onehot)
{
    enum { n = 90 };
    double X[2 * n], y[n], oh[3 * n];
    blobs(X, y, n, 2);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < 3; j++)
            oh[3 * i + j] = y[i] == (double)j;
    ctune_data *d1, *d2;
    ck_assert_ok(ctune_data_new(&d1, X, CTUNE_FLOAT64, n, 2, 0, y, 1));
    ck_assert_ok(ctune_data_new(&d2, X, CTUNE_FLOAT64, n, 2, 0, oh, 3));
    float w1[64], w2[64];
    ctune_model *m1 = mlp("relu", 8, 3, "softmax", "sgd", "categorical_crossentropy", NULL);
    ctune_model *m2 = mlp("relu", 8, 3, "softmax", "sgd", "categorical_crossentropy", NULL);
    ck_assert_ok(ctune_model_fit(m1, d1, 3, 8, NULL));
    ck_assert_ok(ctune_model_fit(m2, d2, 3, 8, NULL));
    ck_assert_uint_le(ctune_model_n_params(m1), 64);
    ck_assert_ok(ctune_model_get_weights(w1, m1));
    ck_assert_ok(ctune_model_get_weights(w2, m2));
    for (size_t k = 0; k < ctune_model_n_params(m1); k++)
        ck_assert_float_eq_tol(w1[k], w2[k], 1e-6);
    ctune_model_free(m1);
    ctune_model_free(m2);
    ctune_data_free(d1);
    ctune_data_free(d2);
}
END_TEST

/* ---- training loop -------------------------------------------------------- */

typedef struct cb_state {
    int calls, stop_at, ret;
    float w0[64];
} cb_state;

static int on_epoch(const ctune_model *m, int epoch, void *user)
{
    cb_state *s = user;
    s->calls++;
    ck_assert_uint_eq(ctune_model_history_len(m), (size_t)epoch + 1);
    if (epoch == 0)
        ck_assert_ok(ctune_model_get_weights(s->w0, m));
    if (epoch == s->stop_at) {
        if (s->ret < 0)
            return ctune_set_error(s->ret, "pruned by the test at epoch %d", epoch);
        return s->ret;
    }
    return 0;
}

START_TEST(test_validation_split_and_history)
{
    enum { n = 100 };
    double X[2 * n], y[n];
    blobs(X, y, n, 3);
    ctune_data *d;
    ck_assert_ok(ctune_data_new(&d, X, CTUNE_FLOAT64, n, 2, 0, y, 1));
    ctune_model *m = mlp("relu", 8, 3, "softmax", "adam", "sparse_categorical_crossentropy",
                         "learning_rate=0.01, metrics=accuracy");
    ck_assert_ok(ctune_model_fit(m, d, 4, 16, "validation_split=0.2, seed=9"));
    ck_assert_uint_eq(ctune_model_history_n_keys(m), 4);
    ck_assert_str_eq(ctune_model_history_key(m, 0), "loss");
    ck_assert_str_eq(ctune_model_history_key(m, 1), "accuracy");
    ck_assert_str_eq(ctune_model_history_key(m, 2), "val_loss");
    ck_assert_str_eq(ctune_model_history_key(m, 3), "val_accuracy");
    ck_assert_ptr_null(ctune_model_history_key(m, 4));
    /* validation = the last 20 rows, unshuffled: evaluate them directly */
    size_t tail[20], head[80];
    for (size_t i = 0; i < 80; i++)
        head[i] = i;
    for (size_t i = 0; i < 20; i++)
        tail[i] = 80 + i;
    ctune_data *dv, *dt;
    ck_assert_ok(ctune_data_subset(&dv, d, tail, 20));
    ck_assert_ok(ctune_data_subset(&dt, d, head, 80));
    double vl, va, hl, ha;
    ck_assert_ok(ctune_model_evaluate(&vl, &va, m, dv));
    ck_assert_ok(ctune_model_history_value(&hl, m, "val_loss", 3));
    ck_assert_ok(ctune_model_history_value(&ha, m, "val_accuracy", 3));
    ck_assert_double_eq_tol(vl, hl, 1e-6);
    ck_assert_double_eq(va, ha);
    /* explicit validation data of the same rows gives the same history */
    ctune_model *m2 = mlp("relu", 8, 3, "softmax", "adam", "sparse_categorical_crossentropy",
                          "learning_rate=0.01, metrics=accuracy");
    ck_assert_ok(ctune_model_fit_monitored(m2, dt, dv, 4, 16, "seed=9", NULL, NULL));
    for (size_t k = 0; k < 4; k++)
        for (size_t e = 0; e < 4; e++) {
            double a, b;
            ck_assert_ok(ctune_model_history_value(&a, m, ctune_model_history_key(m, k), e));
            ck_assert_ok(ctune_model_history_value(&b, m2, ctune_model_history_key(m, k), e));
            ck_assert_double_eq(a, b);
        }
    ck_assert_status(ctune_model_history_value(&hl, m, "val_acc", 0), CTUNE_EINVAL);
    ck_assert_error_has("known: loss, accuracy, val_loss, val_accuracy");
    ck_assert_status(ctune_model_history_value(&hl, m, "loss", 4), CTUNE_EINVAL);
    ck_assert_error_has("epoch 4 is out of range");
    ctune_model_free(m);
    ctune_model_free(m2);
    ctune_data_free(dv);
    ctune_data_free(dt);
    ctune_data_free(d);
}
END_TEST

START_TEST(test_epoch_callback_stops)
{
    enum { n = 60 };
    double X[2 * n], y[n];
    blobs(X, y, n, 4);
    ctune_data *d;
    ck_assert_ok(ctune_data_new(&d, X, CTUNE_FLOAT64, n, 2, 0, y, 1));
    ctune_model *m = mlp("relu", 8, 3, "softmax", "sgd", "sparse_categorical_crossentropy", NULL);
    cb_state s = {0, 2, 1, {0}};
    ck_assert_status(ctune_model_fit_monitored(m, d, NULL, 10, 8, NULL, on_epoch, &s), CTUNE_EUSER);
    ck_assert_error_has("stopped by the epoch callback after epoch 2 (it returned 1)");
    ck_assert_int_eq(s.calls, 3);
    ck_assert_uint_eq(ctune_model_history_len(m), 3);
    double p[3 * n];
    ck_assert_ok(ctune_model_predict(p, m, d)); /* the model stays usable */
    cb_state s2 = {0, 1, CTUNE_ECANCELLED, {0}};
    ck_assert_status(ctune_model_fit_monitored(m, d, NULL, 10, 8, NULL, on_epoch, &s2),
                     CTUNE_ECANCELLED);
    ck_assert_error_has("pruned by the test at epoch 1");
    ck_assert_int_eq(s2.calls, 2);
    /* a fit that fails up front never calls back */
    cb_state s3 = {0, 5, 1, {0}};
    ck_assert_status(ctune_model_fit_monitored(m, d, NULL, 10, 0, NULL, on_epoch, &s3),
                     CTUNE_EINVAL);
    ck_assert_int_eq(s3.calls, 0);
    ctune_model_free(m);
    ctune_data_free(d);
}
END_TEST

START_TEST(test_early_stopping)
{
    enum { n = 60 };
    double X[2 * n], y[n];
    blobs(X, y, n, 6);
    ctune_data *d;
    ck_assert_ok(ctune_data_new(&d, X, CTUNE_FLOAT64, n, 2, 0, y, 1));
    ctune_model *m = mlp("relu", 8, 3, "softmax", "sgd", "sparse_categorical_crossentropy", NULL);
    /* a huge min_delta: only the first epoch improves, patience 2 stops after epoch 2 and
     * restores the weights of epoch 0 */
    cb_state s = {0, -1, 0, {0}};
    ck_assert_ok(
        ctune_model_fit_monitored(m, d, NULL, 10, 8,
                                  "early_stopping_patience=2, monitor=loss, min_delta=1e9, "
                                  "restore_best_weights=true",
                                  on_epoch, &s));
    ck_assert_uint_eq(ctune_model_history_len(m), 3);
    float w[64];
    ck_assert_uint_le(ctune_model_n_params(m), 64);
    ck_assert_ok(ctune_model_get_weights(w, m));
    ck_assert_int_eq(memcmp(w, s.w0, ctune_model_n_params(m) * sizeof(float)), 0);
    /* improving val_loss never stops; monitor needs validation */
    ck_assert_ok(ctune_model_fit(m, d, 5, 8, "validation_split=0.25, early_stopping_patience=1"));
    ck_assert_uint_ge(ctune_model_history_len(m), 2);
    ck_assert_status(ctune_model_fit(m, d, 5, 8, "early_stopping_patience=1"), CTUNE_EINVAL);
    ck_assert_error_has("monitor 'val_loss' is not recorded by this fit (it needs "
                        "validation_split or validation data)");
    ck_assert_status(ctune_model_fit(m, d, 5, 8, "early_stopping_patience=1, monitor=accuracy"),
                     CTUNE_EINVAL);
    ck_assert_error_has("known: loss");
    ck_assert_status(ctune_model_fit(m, d, 5, 8, "early_stopping_patience=1, mode=up"),
                     CTUNE_EINVAL);
    ck_assert_error_has("fit: option 'mode' = 'up' is not one of auto|min|max");
    ctune_model_free(m);
    ctune_data_free(d);
}
END_TEST

/* Keras 3's EarlyStopping restores the best weights in on_train_end, also
 * when patience never ran out. The best epoch is found here from the
 * history with Keras' rule (the first value that beats the best so far). */
typedef struct every_epoch {
    size_t n_params;
    float w[6][64];
} every_epoch;

static int keep_weights(const ctune_model *m, int epoch, void *user)
{
    every_epoch *s = user;
    ck_assert_uint_le(ctune_model_n_params(m), 64);
    ck_assert_ok(ctune_model_get_weights(s->w[epoch], m));
    return 0;
}

START_TEST(test_restore_best_weights_at_end)
{
    enum { n = 60, epochs = 6 };
    double X[2 * n], y[n];
    blobs(X, y, n, 6);
    ctune_data *d;
    ck_assert_ok(ctune_data_new(&d, X, CTUNE_FLOAT64, n, 2, 0, y, 1));
    ctune_model *m = mlp("relu", 8, 3, "softmax", "sgd", "sparse_categorical_crossentropy", NULL);
    every_epoch s;
    /* mode=max on a falling loss: the best epoch is an early one, patience never runs out */
    ck_assert_ok(ctune_model_fit_monitored(m, d, NULL, epochs, 8,
                                           "early_stopping_patience=100, monitor=loss, mode=max, "
                                           "restore_best_weights=true",
                                           keep_weights, &s));
    ck_assert_uint_eq(ctune_model_history_len(m), epochs);
    s.n_params = ctune_model_n_params(m); /* known once built */
    ck_assert_uint_gt(s.n_params, 0);
    size_t best = 0;
    double best_v = -INFINITY;
    for (size_t e = 0; e < epochs; e++) {
        double v;
        ck_assert_ok(ctune_model_history_value(&v, m, "loss", e));
        if (v > best_v) {
            best_v = v;
            best = e;
        }
    }
    ck_assert_uint_lt(best, epochs - 1); /* else the test could not fail */
    float w[64];
    ck_assert_ok(ctune_model_get_weights(w, m));
    ck_assert_int_eq(memcmp(w, s.w[best], s.n_params * sizeof(float)), 0);
    ck_assert_int_ne(memcmp(w, s.w[epochs - 1], s.n_params * sizeof(float)), 0);
    /* without restore_best_weights the last epoch's weights stay */
    ck_assert_ok(ctune_model_fit_monitored(m, d, NULL, epochs, 8,
                                           "early_stopping_patience=100, monitor=loss, mode=max",
                                           keep_weights, &s));
    ck_assert_ok(ctune_model_get_weights(w, m));
    ck_assert_int_eq(memcmp(w, s.w[epochs - 1], s.n_params * sizeof(float)), 0);
    ctune_model_free(m);
    ctune_data_free(d);
}
END_TEST

/* Keras 3 picks the accuracy from the shapes: binary_crossentropy on two
 * sigmoid units with y of two columns is categorical_accuracy. Both
 * accuracies are computed here from the predictions. */
START_TEST(test_accuracy_follows_output_width)
{
    enum { n = 40 };
    double X[2 * n], y[2 * n];
    for (size_t i = 0; i < n; i++) {
        X[2 * i] = sin(0.7 * (double)i);
        X[2 * i + 1] = cos(1.3 * (double)i);
        y[2 * i] = i % 3 == 0; /* multi-label rows: 00, 01, 10, 11 */
        y[2 * i + 1] = i % 2 == 0;
    }
    ctune_data *d;
    ck_assert_ok(ctune_data_new(&d, X, CTUNE_FLOAT64, n, 2, 0, y, 2));
    ctune_model *m = mlp("tanh", 8, 2, "sigmoid", "adam", "binary_crossentropy",
                         "metrics=accuracy|binary_accuracy");
    ck_assert_ok(ctune_model_fit(m, d, 2, 8, NULL));
    double p[2 * n], loss, acc, cat = 0, bin = 0;
    ck_assert_ok(ctune_model_predict(p, m, d));
    for (size_t i = 0; i < n; i++) {
        size_t want = y[2 * i + 1] > y[2 * i], got = p[2 * i + 1] > p[2 * i];
        cat += want == got;
        bin += ((p[2 * i] > 0.5) == (y[2 * i] > 0.5)) +
               ((p[2 * i + 1] > 0.5) == (y[2 * i + 1] > 0.5));
    }
    cat /= n;
    bin /= 2.0 * n;
    ck_assert_double_ne(cat, bin); /* else the test could not tell them apart */
    ck_assert_ok(ctune_model_evaluate(&loss, &acc, m, d));
    ck_assert_double_eq_tol(acc, cat, 1e-12);
    /* the history holds both, under the names given at compile */
    double h;
    ck_assert_ok(ctune_model_history_value(&h, m, "binary_accuracy", 0));
    ck_assert_ok(ctune_model_history_value(&h, m, "accuracy", 0));
    ctune_model_free(m);
    ctune_data_free(d);
}
END_TEST

/* A variance-scaling bias_initializer takes fan_in = fan_out = units (Keras
 * 3's compute_fans for a 1-D shape), not the kernel's fan-in: with 2 inputs
 * and 64 units the bounds are those of fan 64. */
START_TEST(test_bias_initializer_fans)
{
    static const struct {
        const char *name;
        double bound; /* the Keras formula with fan = 64 */
    } cases[] = {
        {"he_uniform", 0.30618621784789724},                          /* sqrt(6 / 64) */
        {"glorot_uniform", 0.21650635094610965},                      /* sqrt(6 / (64 + 64)) */
        {"lecun_uniform", 0.21650635094610965},                       /* sqrt(3 / 64) */
        {"he_normal", 2 * 0.17677669529663687 / 0.87962566103423978}, /* 2σ, σ = sqrt(2/64)/.. */
    };
    double X[4] = {1, 2, 3, 4}, y[2] = {0, 1};
    ctune_data *d;
    ck_assert_ok(ctune_data_new(&d, X, CTUNE_FLOAT64, 2, 2, 0, y, 1));
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        ctune_model *m;
        char o[80];
        snprintf(o, sizeof o, "bias_initializer=%s", cases[c].name);
        ck_assert_ok(ctune_model_new(&m));
        ck_assert_ok(ctune_model_add_dense(m, 64, "relu", o));
        ck_assert_ok(ctune_model_add_dense(m, 1, "sigmoid", NULL));
        ck_assert_ok(ctune_model_compile(m, "sgd", "binary_crossentropy", NULL));
        ck_assert_ok(ctune_model_fit(m, d, 0, 1, NULL)); /* builds, no step */
        float w[2 * 64 + 64 + 64 + 1];
        ck_assert_uint_eq(ctune_model_n_params(m), sizeof w / sizeof w[0]);
        ck_assert_ok(ctune_model_get_weights(w, m));
        double hi = 0;
        for (size_t j = 0; j < 64; j++)
            hi = fmax(hi, fabs(w[2 * 64 + j]));
        ck_assert_msg(hi <= cases[c].bound * (1 + 1e-6) && hi > 0.5 * cases[c].bound,
                      "%s: largest bias %g, Keras bound %g", cases[c].name, hi, cases[c].bound);
        ctune_model_free(m);
    }
    ctune_data_free(d);
}
END_TEST

START_TEST(test_numeric_failure)
{
    enum { n = 40 };
    double X[n], y[n];
    for (size_t i = 0; i < n; i++) {
        X[i] = 1.0 + (double)i;
        y[i] = 1e20;
    }
    ctune_data *d;
    ck_assert_ok(ctune_data_new(&d, X, CTUNE_FLOAT64, n, 1, 0, y, 1));
    ctune_model *m = mlp("relu", 4, 1, "linear", "sgd", "mse", "learning_rate=1e10");
    ck_assert_status(ctune_model_fit(m, d, 3, 4, NULL), CTUNE_ENUMERIC);
    ck_assert_error_has("fit: the loss became");
    ck_assert_error_has("at epoch 0, batch ");
    ctune_model_free(m);
    ctune_data_free(d);
}
END_TEST

/* ---- reproducibility and settings ----------------------------------------- */

static void fit_once(uint64_t seed, int dtype, float *w, double *hist, double *pred)
{
    enum { n = 120 };
    double X[2 * n], y[n];
    float Xf[2 * n];
    blobs(X, y, n, 8);
    for (size_t i = 0; i < 2 * n; i++)
        Xf[i] = (float)X[i];
    ctune_data *d;
    ck_assert_ok(ctune_data_new(&d, dtype == CTUNE_FLOAT32 ? (const void *)Xf : (const void *)X,
                                dtype, n, 2, 0, y, 1));
    ctune_model *m;
    ck_assert_ok(ctune_model_new(&m));
    ck_assert_ok(ctune_model_set_seed(m, seed));
    ck_assert_ok(ctune_model_add_dense(m, 16, "relu", "kernel_initializer=he_normal"));
    ck_assert_ok(ctune_model_add_dropout(m, 0.3));
    ck_assert_ok(ctune_model_add_dense(m, 3, "softmax", NULL));
    ck_assert_ok(
        ctune_model_compile(m, "adam", "sparse_categorical_crossentropy", "metrics=accuracy"));
    ck_assert_ok(ctune_model_fit(m, d, 5, 7, "validation_split=0.2"));
    ck_assert_ok(ctune_model_get_weights(w, m));
    for (size_t e = 0; e < 5; e++) {
        ck_assert_ok(ctune_model_history_value(&hist[2 * e], m, "loss", e));
        ck_assert_ok(ctune_model_history_value(&hist[2 * e + 1], m, "val_accuracy", e));
    }
    ck_assert_ok(ctune_model_predict(pred, m, d));
    ctune_model_free(m);
    ctune_data_free(d);
}

START_TEST(test_reproducible)
{
    float w1[128], w2[128], w3[128];
    double h1[10], h2[10], h3[10], p1[360], p2[360], p3[360];
    fit_once(42, CTUNE_FLOAT64, w1, h1, p1);
    fit_once(42, CTUNE_FLOAT32, w2, h2, p2);
    fit_once(43, CTUNE_FLOAT64, w3, h3, p3);
    ck_assert_int_eq(memcmp(w1, w2, 16 * 2 * 4 + 16 * 4 + 16 * 3 * 4 + 3 * 4), 0);
    ck_assert_int_eq(memcmp(h1, h2, sizeof h1), 0);
    ck_assert_int_eq(memcmp(p1, p2, sizeof p1), 0);
    ck_assert_int_ne(memcmp(w1, w3, 16 * 2 * 4), 0);
}
END_TEST

START_TEST(test_no_allocation_in_batch_loop)
{
    enum { n = 200 };
    double X[2 * n], y[n];
    blobs(X, y, n, 1);
    ctune_data *d;
    ck_assert_ok(ctune_data_new(&d, X, CTUNE_FLOAT64, n, 2, 0, y, 1));
    int64_t live = ctune_alloc_live();
    int64_t count[2];
    for (int k = 0; k < 2; k++) {
        ctune_model *m = mlp("relu", 16, 3, "softmax", "adam", "sparse_categorical_crossentropy",
                             "metrics=accuracy");
        int64_t before = ctune_alloc_total();
        ck_assert_ok(ctune_model_fit(m, d, k == 0 ? 1 : 5, 8,
                                     "validation_split=0.1, early_stopping_patience=10, "
                                     "restore_best_weights=true"));
        count[k] = ctune_alloc_total() - before;
        ctune_model_free(m);
    }
    ck_assert_int_eq(count[0], count[1]);
    ck_assert_int_eq(ctune_alloc_live(), live);
    ctune_data_free(d);
}
END_TEST

START_TEST(test_weights_and_threads)
{
    enum { n = 64 };
    double X[2 * n], y[n];
    blobs(X, y, n, 12);
    ctune_data *d;
    ck_assert_ok(ctune_data_new(&d, X, CTUNE_FLOAT64, n, 2, 0, y, 1));
    ctune_model *m = mlp("relu", 5, 3, "softmax", "adam", "sparse_categorical_crossentropy", NULL);
    ck_assert_uint_eq(ctune_model_n_params(m), 0);
    ck_assert_uint_eq(ctune_model_input_dim(m), 0);
    float w[64];
    ck_assert_status(ctune_model_get_weights(w, m), CTUNE_ESTATE);
    ck_assert_ok(ctune_model_build(m, 2));
    ck_assert_uint_eq(ctune_model_n_params(m), 2 * 5 + 5 + 5 * 3 + 3);
    ck_assert_ok(ctune_model_get_weights(w, m));
    for (size_t k = 10; k < 15; k++) /* biases start at zero */
        ck_assert_float_eq(w[k], 0.0f);
    w[0] = 0.25f;
    ck_assert_ok(ctune_model_set_weights(m, w));
    float w2[64];
    ck_assert_ok(ctune_model_get_weights(w2, m));
    ck_assert_float_eq(w2[0], 0.25f);
    w[3] = NAN;
    ck_assert_status(ctune_model_set_weights(m, w), CTUNE_EDATA);
    ck_assert_error_has("weight 3 is not finite");
    ck_assert_ok(ctune_model_set_threads(m, 2));
    ck_assert_ok(ctune_model_fit(m, d, 2, 16, NULL));
    ck_assert_status(ctune_model_set_threads(m, 0), CTUNE_EINVAL);
    ck_assert_status(ctune_model_build(m, 3), CTUNE_ESTATE);
    ck_assert_error_has("built for 2 inputs, not 3");
    ck_assert_str_eq(ctune_model_output_activation(m), "softmax");
    ck_assert_uint_eq(ctune_model_n_layers(m), 2);
    ck_assert_uint_eq(ctune_model_n_outputs(m), 3);
    ctune_model_free(m);
    ctune_data_free(d);
}
END_TEST

START_TEST(test_name_lists)
{
    ck_assert_str_eq(ctune_nn_activation_name(0), "linear");
    ck_assert_str_eq(ctune_nn_activation_name(12), "softmax");
    ck_assert_ptr_null(ctune_nn_activation_name(13));
    ck_assert_str_eq(ctune_nn_initializer_name(0), "glorot_uniform");
    ck_assert_ptr_null(ctune_nn_initializer_name(8));
    ck_assert_str_eq(ctune_nn_loss_name(2), "sparse_categorical_crossentropy");
    ck_assert_ptr_null(ctune_nn_loss_name(6));
    ck_assert_str_eq(ctune_nn_optimizer_name(7), "nadam");
    ck_assert_ptr_null(ctune_nn_optimizer_name(8));
    ck_assert_str_eq(ctune_nn_metric_name(0), "accuracy");
    ck_assert_ptr_null(ctune_nn_metric_name(6));
    /* Keras spellings from a search are accepted as they are */
    ctune_model *m;
    ck_assert_ok(ctune_model_new(&m));
    ck_assert_ok(ctune_model_add_dense(m, 4, "silu", "kernel_initializer=LeCun_Normal"));
    ck_assert_ok(ctune_model_add_dense(m, 1, "sigmoid", NULL));
    ck_assert_ok(ctune_model_compile(m, "Adam", "binary_crossentropy", "metrics=[acc]"));
    ck_assert_ok(ctune_model_compile(m, "RMSprop", "mse", "metrics=mae"));
    ctune_model_free(m);
}
END_TEST

/* ---- bad input -------------------------------------------------------------- */

START_TEST(test_bad_names_list_known_ones)
{
    ctune_model *m;
    ck_assert_ok(ctune_model_new(&m));
    ck_assert_status(ctune_model_add_dense(m, 4, "rleu", NULL), CTUNE_EINVAL);
    ck_assert_str_eq(ctune_last_error(),
                     "add_dense: unknown activation 'rleu'; known: linear, relu, leaky_relu, elu, "
                     "selu, tanh, sigmoid, hard_sigmoid, softplus, softsign, swish, gelu, softmax");
    ck_assert_status(ctune_model_add_dense(m, 0, "relu", NULL), CTUNE_EINVAL);
    ck_assert_str_eq(ctune_last_error(), "add_dense: units must be >= 1, got 0");
    ck_assert_status(ctune_model_add_dense(m, -3, "relu", NULL), CTUNE_EINVAL);
    ck_assert_status(ctune_model_add_dense(m, 4, "relu", "kernel_initializer=xavier"),
                     CTUNE_EINVAL);
    ck_assert_error_has("unknown kernel_initializer 'xavier'; known: glorot_uniform, "
                        "glorot_normal, he_uniform, he_normal, lecun_uniform, lecun_normal, "
                        "zeros, ones");
    ck_assert_status(ctune_model_add_dense(m, 4, "relu", "units=3"), CTUNE_EINVAL);
    ck_assert_error_has("add_dense: unknown option 'units'; known: kernel_initializer, "
                        "bias_initializer, use_bias, l1, l2");
    ck_assert_status(ctune_model_add_dense(m, 4, "relu", "l2=-1"), CTUNE_EINVAL);
    ck_assert_status(ctune_model_add_dense(m, 4, "relu", "l2=x y, ="), CTUNE_EFORMAT);
    ck_assert_status(ctune_model_add_dropout(m, 1.0), CTUNE_EINVAL);
    ck_assert_error_has("rate must be in [0, 1), got 1");
    ck_assert_status(ctune_model_add_dropout(m, NAN), CTUNE_EINVAL);
    ck_assert_uint_eq(ctune_model_n_layers(m), 0);

    ck_assert_status(ctune_model_compile(m, "adamm", "mse", NULL), CTUNE_EINVAL);
    ck_assert_str_eq(ctune_last_error(), "compile: unknown optimizer 'adamm'; known: sgd, adam, "
                                         "adamw, rmsprop, adagrad, adadelta, adamax, nadam");
    ck_assert_status(ctune_model_compile(m, NULL, "mse", NULL), CTUNE_EINVAL);
    ck_assert_status(ctune_model_compile(m, "sgd", "crossentropy", NULL), CTUNE_EINVAL);
    ck_assert_str_eq(ctune_last_error(),
                     "compile: unknown loss 'crossentropy'; known: binary_crossentropy, "
                     "categorical_crossentropy, sparse_categorical_crossentropy, "
                     "mean_squared_error, mean_absolute_error, huber");
    ck_assert_status(ctune_model_compile(m, "sgd", "mse", "metrics=precision"), CTUNE_EINVAL);
    ck_assert_error_has("unknown metric 'precision'; known: accuracy, binary_accuracy");
    ck_assert_status(ctune_model_compile(m, "sgd", "mse", "lr=0.1"), CTUNE_EINVAL);
    ck_assert_error_has("compile: unknown option 'lr'; known: learning_rate, momentum");
    ck_assert_status(ctune_model_compile(m, "sgd", "mse", "momentum=1.5"), CTUNE_EINVAL);
    ck_assert_error_has("compile: option 'momentum' = 1.5 is out of range [0, 1)");
    ck_assert_status(ctune_model_compile(m, "sgd", "mse", "learning_rate=0"), CTUNE_EINVAL);
    ck_assert_status(ctune_model_compile(m, "sgd", "mse", "clipnorm=1, clipvalue=1"), CTUNE_EINVAL);
    ck_assert_error_has("only one of clipnorm, clipvalue and global_clipnorm");
    ck_assert_status(ctune_model_compile(m, "sgd", "mse", "nesterov=maybe"), CTUNE_EINVAL);
    ck_assert_ptr_null(ctune_model_loss(m));
    ctune_model_free(m);
}
END_TEST

/* Sizes near INT64_MAX / SIZE_MAX from the caller: a clear CTUNE_ENOMEM,
 * never a wrapped allocation (2^62 epochs × 4 history keys wrapped to 0). */
START_TEST(test_huge_sizes)
{
    enum { n = 10 };
    double X[2 * n], y[n];
    for (size_t i = 0; i < n; i++)
        X[2 * i] = (double)i, X[2 * i + 1] = -(double)i, y[i] = (double)(i % 2);
    ctune_data *d;
    ck_assert_ok(ctune_data_new(&d, X, CTUNE_FLOAT64, n, 2, 0, y, 1));
    ctune_model *m = mlp("relu", 4, 1, "sigmoid", "sgd", "binary_crossentropy",
                         "metrics=accuracy|mse|mae");
    static const int64_t epochs[] = {4611686018427387904LL, INT64_MAX,
                                     (int64_t)(SIZE_MAX / 32 + 1)};
    int64_t live = 0;
    for (size_t k = 0; k < 3; k++) {
        ck_assert_status(ctune_model_fit(m, d, epochs[k], 32, NULL), CTUNE_ENOMEM);
        ck_assert_msg(strstr(ctune_last_error(), "epochs") || strstr(ctune_last_error(), "memory"),
                      "%s", ctune_last_error());
        if (k == 0)
            live = ctune_alloc_live(); /* the model is built by now */
        ck_assert_int_eq(ctune_alloc_live(), live);
        ck_assert_uint_eq(ctune_model_history_len(m), 0);
    }
    /* a batch of INT64_MAX rows is one batch of all rows */
    ck_assert_ok(ctune_model_fit(m, d, 1, INT64_MAX, NULL));
    ck_assert_uint_eq(ctune_model_history_len(m), 1);
    ctune_model_free(m);
    /* layers whose weight count overflows size_t */
    ck_assert_ok(ctune_model_new(&m));
    ck_assert_ok(ctune_model_add_dense(m, (int64_t)1 << 40, "relu", NULL));
    ck_assert_ok(ctune_model_add_dense(m, (int64_t)1 << 40, "relu", NULL));
    ck_assert_ok(ctune_model_add_dense(m, 1, "sigmoid", NULL));
    ck_assert_ok(ctune_model_compile(m, "sgd", "binary_crossentropy", NULL));
    ck_assert_status(ctune_model_fit(m, d, 1, 4, NULL), CTUNE_ENOMEM);
    ck_assert_error_has("build: layer 1 (1099511627776 inputs × 1099511627776 units)");
    ctune_model_free(m);
    ck_assert_ok(ctune_model_new(&m));
    ck_assert_ok(ctune_model_add_dense(m, INT64_MAX, "relu", NULL));
    ck_assert_ok(ctune_model_add_dense(m, 1, "sigmoid", NULL));
    ck_assert_ok(ctune_model_compile(m, "sgd", "binary_crossentropy", NULL));
    ck_assert_status(ctune_model_fit(m, d, 1, 4, NULL), CTUNE_ENOMEM);
    ck_assert_error_has("build: layer 0");
    ctune_model_free(m);
    ctune_data_free(d);
}
END_TEST

START_TEST(test_bad_fit_input)
{
    enum { n = 10 };
    double X[2 * n], y[n], y2[2 * n];
    for (size_t i = 0; i < 2 * n; i++)
        X[i] = (double)i, y2[i] = 0.5;
    for (size_t i = 0; i < n; i++)
        y[i] = (double)(i % 2);
    ctune_data *d, *dx, *d2;
    ck_assert_ok(ctune_data_new(&d, X, CTUNE_FLOAT64, n, 2, 0, y, 1));
    ck_assert_ok(ctune_data_new(&dx, X, CTUNE_FLOAT64, n, 2, 0, NULL, 0));
    ck_assert_ok(ctune_data_new(&d2, X, CTUNE_FLOAT64, n, 2, 0, y2, 2));
    ctune_model *m;
    ck_assert_ok(ctune_model_new(&m));
    ck_assert_status(ctune_model_fit(m, d, 1, 4, NULL), CTUNE_ESTATE);
    ck_assert_str_eq(ctune_last_error(),
                     "fit: the model has no layers; add layers with ctune_model_add_dense()");
    ck_assert_ok(ctune_model_add_dense(m, 4, "relu", NULL));
    ck_assert_ok(ctune_model_add_dropout(m, 0.5));
    ck_assert_ok(ctune_model_compile(m, "sgd", "mse", NULL));
    ck_assert_status(ctune_model_fit(m, d, 1, 4, NULL), CTUNE_ESTATE);
    ck_assert_error_has("the last layer is a Dropout");
    ctune_model_free(m);

    m = mlp("relu", 4, 1, "sigmoid", "sgd", "binary_crossentropy", NULL);
    ck_assert_status(ctune_model_fit(NULL, d, 1, 4, NULL), CTUNE_EINVAL);
    ck_assert_status(ctune_model_fit(m, NULL, 1, 4, NULL), CTUNE_EINVAL);
    ck_assert_status(ctune_model_fit(m, d, 1, 0, NULL), CTUNE_EINVAL);
    ck_assert_str_eq(ctune_last_error(), "fit: batch_size must be >= 1, got 0");
    ck_assert_status(ctune_model_fit(m, d, -1, 4, NULL), CTUNE_EINVAL);
    ck_assert_status(ctune_model_fit(m, d, 1, 4, "shufle=false"), CTUNE_EINVAL);
    ck_assert_error_has("fit: unknown option 'shufle'; known: shuffle, validation_split");
    ck_assert_status(ctune_model_fit(m, d, 1, 4, "validation_split=1.5"), CTUNE_EINVAL);
    ck_assert_status(ctune_model_fit(m, d, 1, 4, "validation_split=0.95"), CTUNE_EDATA);
    ck_assert_error_has(
        "validation_split 0.95 of 10 rows leaves 0 for training and 10 for validation");
    ck_assert_status(ctune_model_fit(m, dx, 1, 4, NULL), CTUNE_EDATA);
    ck_assert_error_has("fit: the data has no y");
    ck_assert_status(ctune_model_fit(m, d2, 1, 4, NULL), CTUNE_EDATA);
    ck_assert_error_has("y has 2 columns but the output layer has 1 units");
    double pred[n];
    ck_assert_status(ctune_model_predict(pred, m, d), CTUNE_ESTATE);
    ck_assert_error_has("not built");
    /* binary labels outside [0, 1] */
    y[3] = 2;
    ck_assert_status(ctune_model_fit(m, d, 1, 4, NULL), CTUNE_EDATA);
    ck_assert_error_has("fit: y row 3 is 2, outside [0, 1] for binary_crossentropy");
    y[3] = 1;
    /* NaN in X names row and column */
    X[5] = NAN;
    ck_assert_status(ctune_model_fit(m, d, 1, 4, NULL), CTUNE_EDATA);
    ck_assert_error_has("X row 2, column 1 is NaN");
    X[5] = 5;
    ck_assert_ok(ctune_model_fit(m, d, 1, 4, NULL));
    ck_assert_ok(ctune_model_predict(pred, m, dx));
    ck_assert_status(ctune_model_add_dense(m, 2, "relu", NULL), CTUNE_ESTATE);
    double X3[3 * n];
    memset(X3, 0, sizeof X3);
    ctune_data *d3;
    ck_assert_ok(ctune_data_new(&d3, X3, CTUNE_FLOAT64, n, 3, 0, y, 1));
    ck_assert_status(ctune_model_fit(m, d3, 1, 4, NULL), CTUNE_EDATA);
    ck_assert_error_has("X has 3 columns but the model was built for 2");
    ck_assert_status(ctune_model_predict(pred, m, d3), CTUNE_EDATA);
    ck_assert_status(ctune_model_predict(NULL, m, d), CTUNE_EINVAL);
    ctune_data_free(d3);
    ctune_model_free(m);

    /* class codes outside the output layer: row and both numbers */
    m = mlp("relu", 4, 2, "softmax", "sgd", "sparse_categorical_crossentropy", NULL);
    y[7] = 2;
    ck_assert_status(ctune_model_fit(m, d, 1, 4, NULL), CTUNE_EDATA);
    ck_assert_str_eq(ctune_last_error(),
                     "fit: y row 7 is class 2 but the output layer has 2 units (classes 0..1)");
    y[7] = 0.5;
    ck_assert_status(ctune_model_fit(m, d, 1, 4, NULL), CTUNE_EDATA);
    ck_assert_error_has("y row 7 is 0.5, not a class code");
    y[7] = 1;
    ck_assert_status(ctune_model_fit(m, d2, 1, 4, NULL), CTUNE_EDATA);
    ck_assert_error_has("takes y as n × 1 class codes, got 2 columns");
    /* a sigmoid unit with sparse labels: class 1 does not exist */
    ctune_model_free(m);
    m = mlp("relu", 4, 1, "sigmoid", "sgd", "sparse_categorical_crossentropy", NULL);
    ck_assert_status(ctune_model_fit(m, d, 1, 4, NULL), CTUNE_EDATA);
    ck_assert_error_has("is class 1 but the output layer has 1 units (classes 0..0)");
    double loss;
    ck_assert_status(ctune_model_evaluate(&loss, NULL, m, d), CTUNE_ESTATE);
    ctune_model_free(m);
    /* not compiled */
    ck_assert_ok(ctune_model_new(&m));
    ck_assert_ok(ctune_model_add_dense(m, 1, NULL, NULL));
    ck_assert_status(ctune_model_fit(m, d, 1, 4, NULL), CTUNE_ESTATE);
    ck_assert_error_has("not compiled");
    ctune_model_free(m);
    ctune_model_free(NULL);
    ck_assert_status(ctune_model_new(NULL), CTUNE_EINVAL);
    ctune_data_free(d);
    ctune_data_free(dx);
    ctune_data_free(d2);
}
END_TEST

START_TEST(test_alloc_failure_sweep)
{
    enum { n = 30 };
    double X[2 * n], y[n];
    blobs(X, y, n, 13);
    ctune_data *d;
    ck_assert_ok(ctune_data_new(&d, X, CTUNE_FLOAT64, n, 2, 0, y, 1));
    int64_t live = ctune_alloc_live();
    for (int k = 1; k < 500; k++) {
        ctune_model *m = NULL;
        ctune_alloc_fail_at(k, 0);
        ctune_status rc = ctune_model_new(&m);
        if (rc == CTUNE_OK)
            rc = ctune_model_add_dense(m, 4, "relu", "l2=0.01");
        if (rc == CTUNE_OK)
            rc = ctune_model_add_dropout(m, 0.2);
        if (rc == CTUNE_OK)
            rc = ctune_model_add_dense(m, 3, "softmax", NULL);
        if (rc == CTUNE_OK)
            rc = ctune_model_compile(m, "adam", "sparse_categorical_crossentropy",
                                     "metrics=accuracy");
        if (rc == CTUNE_OK)
            rc = ctune_model_fit(m, d, 2, 8,
                                 "validation_split=0.2, early_stopping_patience=1, "
                                 "restore_best_weights=true");
        double p[3 * n], loss;
        if (rc == CTUNE_OK)
            rc = ctune_model_predict(p, m, d);
        if (rc == CTUNE_OK)
            rc = ctune_model_evaluate(&loss, NULL, m, d);
        ctune_alloc_fail_at(0, 0);
        if (rc != CTUNE_OK)
            ck_assert_status(rc, CTUNE_ENOMEM);
        ctune_model_free(m);
        ck_assert_int_eq(ctune_alloc_live(), live);
        if (rc == CTUNE_OK) {
            ctune_data_free(d);
            return;
        }
    }
    ck_abort_msg("never succeeded");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("nn");
    TCase *tc = tcase_create("nn");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_xor);
    tcase_add_test(tc, test_blobs_softmax_and_probabilities);
    tcase_add_test(tc, test_every_optimizer_learns);
    tcase_add_test(tc, test_regression_losses);
    tcase_add_test(tc, test_breast_cancer_3fold);
    tcase_add_test(tc, test_categorical_codes_and_onehot);
    tcase_add_test(tc, test_validation_split_and_history);
    tcase_add_test(tc, test_epoch_callback_stops);
    tcase_add_test(tc, test_early_stopping);
    tcase_add_test(tc, test_restore_best_weights_at_end);
    tcase_add_test(tc, test_accuracy_follows_output_width);
    tcase_add_test(tc, test_bias_initializer_fans);
    tcase_add_test(tc, test_huge_sizes);
    tcase_add_test(tc, test_numeric_failure);
    tcase_add_test(tc, test_reproducible);
    tcase_add_test(tc, test_no_allocation_in_batch_loop);
    tcase_add_test(tc, test_weights_and_threads);
    tcase_add_test(tc, test_name_lists);
    tcase_add_test(tc, test_bad_names_list_known_ones);
    tcase_add_test(tc, test_bad_fit_input);
    tcase_add_test(tc, test_alloc_failure_sweep);
    suite_add_tcase(s, tc);
    return ctu_run_suite(s);
}
