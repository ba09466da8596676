/* Check suite: finite-difference gradient checks of the NN engine.
 *
 * Method: the test holds its own double-precision reference of the forward
 * pass and loss (written from Keras' formulas, independent of lib/nn). For a
 * small network it takes the engine's float32 weights, computes the loss in
 * double at w ± h (h = 1e-6, central differences) for every weight, and
 * compares with the engine's analytic float32 gradient
 * (ctune__nn_loss_grad): |g - g_fd| <= 3e-4 + 3e-3 |g_fd|. Dropout masks
 * drawn by the engine are handed to the reference, so dropout is checked in
 * training mode too. The engine's loss must match the reference's to 1e-5
 * relative, which also checks the forward pass. Every hidden activation is
 * checked with every loss (with and without a Dropout layer), and every
 * output activation with the regression losses. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn/activation.h"
#include "nn/model.h"
#include "testutil.h"

#define N 6    /* rows */
#define D 3    /* inputs */
#define MAXW 8 /* widest layer */

typedef struct spec {
    int dense;
    size_t units;
    const char *act;
    int bias;
    double l1, l2, rate;
} spec;

static double sigm(double z) { return 1.0 / (1.0 + exp(-z)); }

static double act_ref(const char *act, double z)
{
    if (!strcmp(act, "linear"))
        return z;
    if (!strcmp(act, "relu"))
        return z > 0 ? z : 0;
    if (!strcmp(act, "leaky_relu"))
        return z > 0 ? z : 0.2 * z;
    if (!strcmp(act, "elu"))
        return z > 0 ? z : exp(z) - 1;
    if (!strcmp(act, "selu"))
        return 1.0507009873554805 * (z > 0 ? z : 1.6732632423543772 * (exp(z) - 1));
    if (!strcmp(act, "tanh"))
        return tanh(z);
    if (!strcmp(act, "sigmoid"))
        return sigm(z);
    if (!strcmp(act, "hard_sigmoid"))
        return fmin(1.0, fmax(0.0, z / 6 + 0.5));
    if (!strcmp(act, "softplus"))
        return log(1 + exp(z));
    if (!strcmp(act, "softsign"))
        return z / (1 + fabs(z));
    if (!strcmp(act, "swish"))
        return z * sigm(z);
    if (!strcmp(act, "gelu"))
        return 0.5 * z * (1 + erf(z / sqrt(2.0)));
    ck_abort_msg("no reference for %s", act);
    return 0;
}

static double clip(double p) { return fmin(1 - 1e-7, fmax(1e-7, p)); }

/* Mean loss + regularization of the reference network. y is N × ty. */
static double ref_loss(const spec *L, size_t nl, const double *w, const double *X, const double *Y,
                       size_t ty, const char *loss, const float *masks)
{
    double cur[N * MAXW], nxt[N * MAXW], reg = 0;
    size_t width = D, off = 0;
    memcpy(cur, X, sizeof(double) * N * D);
    for (size_t l = 0; l < nl; l++) {
        size_t u = L[l].units;
        if (!L[l].dense) {
            for (size_t k = 0; k < N * width; k++)
                cur[k] *= masks[k];
            masks += N * width;
            continue;
        }
        const double *W = w + off, *b = W + width * u;
        for (size_t k = 0; k < width * u; k++)
            reg += L[l].l1 * fabs(W[k]) + L[l].l2 * W[k] * W[k];
        for (size_t i = 0; i < N; i++)
            for (size_t j = 0; j < u; j++) {
                double s = L[l].bias ? b[j] : 0;
                for (size_t p = 0; p < width; p++)
                    s += cur[i * width + p] * W[p * u + j];
                nxt[i * u + j] = s;
            }
        off += width * u + (L[l].bias ? u : 0);
        for (size_t i = 0; i < N; i++) {
            double *r = nxt + i * u;
            if (!strcmp(L[l].act, "softmax")) {
                double mx = r[0], s = 0;
                for (size_t j = 1; j < u; j++)
                    mx = fmax(mx, r[j]);
                for (size_t j = 0; j < u; j++)
                    s += (r[j] = exp(r[j] - mx));
                for (size_t j = 0; j < u; j++)
                    r[j] /= s;
            } else {
                for (size_t j = 0; j < u; j++)
                    r[j] = act_ref(L[l].act, r[j]);
            }
        }
        memcpy(cur, nxt, sizeof(double) * N * u);
        width = u;
    }
    double total = 0;
    size_t K = width;
    for (size_t i = 0; i < N; i++) {
        const double *a = cur + i * K;
        double t[MAXW];
        for (size_t j = 0; j < K; j++)
            t[j] = ty == 1 && K > 1 ? (j == (size_t)Y[i]) : Y[i * ty + j];
        double s = 0;
        if (!strcmp(loss, "categorical_crossentropy") ||
            !strcmp(loss, "sparse_categorical_crossentropy")) {
            double sum = 0;
            for (size_t j = 0; j < K; j++)
                sum += a[j];
            for (size_t j = 0; j < K; j++)
                s -= t[j] * log(clip(a[j] / sum));
        } else {
            for (size_t j = 0; j < K; j++) {
                double e = a[j] - t[j];
                if (!strcmp(loss, "binary_crossentropy"))
                    s -= t[j] * log(clip(a[j])) + (1 - t[j]) * log(1 - clip(a[j]));
                else if (!strcmp(loss, "mean_squared_error"))
                    s += e * e;
                else if (!strcmp(loss, "mean_absolute_error"))
                    s += fabs(e);
                else
                    s += fabs(e) <= 1 ? 0.5 * e * e : fabs(e) - 0.5;
            }
            s /= (double)K;
        }
        total += s;
    }
    return total / N + reg;
}

static int n_checked;

/* Builds the engine model for `L`, checks its gradient against finite
 * differences of the reference. */
static void check(const spec *L, size_t nl, const char *loss, size_t ty, unsigned seed)
{
    char what[256];
    snprintf(what, sizeof what, "loss %s, layers:", loss);
    ctune_model *m;
    ck_assert_ok(ctune_model_new(&m));
    ck_assert_ok(ctune_model_set_seed(m, seed));
    for (size_t l = 0; l < nl; l++) {
        char opt[128];
        size_t len = strlen(what);
        if (L[l].dense) {
            snprintf(opt, sizeof opt, "use_bias=%s, l1=%g, l2=%g, kernel_initializer=%s",
                     L[l].bias ? "true" : "false", L[l].l1, L[l].l2, "glorot_normal");
            ck_assert_ok(ctune_model_add_dense(m, (int64_t)L[l].units, L[l].act, opt));
            snprintf(what + len, sizeof what - len, " dense(%zu,%s)", L[l].units, L[l].act);
        } else {
            ck_assert_ok(ctune_model_add_dropout(m, L[l].rate));
            snprintf(what + len, sizeof what - len, " dropout(%g)", L[l].rate);
        }
    }
    ck_assert_ok(ctune_model_compile(m, "sgd", loss, NULL));
    /* data: X ~ N(0, 1); labels per loss */
    ctune_rng *rng;
    ck_assert_ok(ctune_rng_new(&rng, seed, 99));
    double X[N * D], Y[N * MAXW];
    for (size_t k = 0; k < N * D; k++)
        X[k] = ctune_rng_normal(rng);
    size_t K = L[nl - 1].units;
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; j < ty; j++) {
            double *y = &Y[i * ty + j];
            if (ty == 1 && (strstr(loss, "categorical")))
                *y = (double)ctune_rng_below(rng, K);
            else if (strstr(loss, "categorical"))
                *y = j == i % K;
            else if (strstr(loss, "binary"))
                *y = (double)ctune_rng_below(rng, 2);
            else
                *y = ctune_rng_normal(rng);
        }
    ctune_rng_free(rng);
    ctune_data *d;
    ck_assert_ok(ctune_data_new(&d, X, CTUNE_FLOAT64, N, D, 0, Y, ty));
    ck_assert_ok(ctune_model_build(m, D));
    /* make biases non-zero so they matter */
    size_t np = ctune_model_n_params(m);
    float *wf = malloc(np * sizeof *wf), *g = malloc(np * sizeof *g);
    float masks[N * MAXW * 4];
    ck_assert_ok(ctune_model_get_weights(wf, m));
    for (size_t k = 0; k < np; k++)
        if (wf[k] == 0.0f)
            wf[k] = 0.05f * (float)((int)(k % 7) - 3);
    ck_assert_ok(ctune_model_set_weights(m, wf));
    double loss_eng;
    ck_assert_ok(ctune__nn_loss_grad(m, d, 1, &loss_eng, g, masks));
    double *w = calloc(np, sizeof *w);
    for (size_t k = 0; k < np; k++)
        w[k] = wf[k];
    double l0 = ref_loss(L, nl, w, X, Y, ty, loss, masks);
    ck_assert_msg(fabs(l0 - loss_eng) <= 1e-5 * fmax(1.0, fabs(l0)),
                  "%s: engine loss %.9g, reference %.9g", what, loss_eng, l0);
    const double h = 1e-6;
    for (size_t k = 0; k < np; k++) {
        double keep = w[k];
        w[k] = keep + h;
        double lp = ref_loss(L, nl, w, X, Y, ty, loss, masks);
        w[k] = keep - h;
        double lm = ref_loss(L, nl, w, X, Y, ty, loss, masks);
        w[k] = keep;
        double fd = (lp - lm) / (2 * h);
        ck_assert_msg(fabs(g[k] - fd) <= 3e-4 + 3e-3 * fabs(fd),
                      "%s: d loss / d w[%zu] = %.7g (engine) vs %.7g (finite differences)", what, k,
                      (double)g[k], fd);
    }
    n_checked++;
    free(w);
    free(wf);
    free(g);
    ctune_data_free(d);
    ctune_model_free(m);
}

static const char *const HIDDEN[] = {"linear", "relu",    "leaky_relu",   "elu",      "selu",
                                     "tanh",   "sigmoid", "hard_sigmoid", "softplus", "softsign",
                                     "swish",  "gelu",    "softmax"};
#define N_HIDDEN (sizeof HIDDEN / sizeof HIDDEN[0])

typedef struct out_case {
    const char *loss, *act;
    size_t units, ty;
} out_case;

static const out_case OUTS[] = {
    {"binary_crossentropy", "sigmoid", 1, 1},
    {"binary_crossentropy", "sigmoid", 3, 3},
    {"binary_crossentropy", "softmax", 3, 3},
    {"binary_crossentropy", "hard_sigmoid", 2, 2},
    {"categorical_crossentropy", "softmax", 3, 3},
    {"categorical_crossentropy", "softmax", 3, 1},
    {"categorical_crossentropy", "sigmoid", 3, 3},
    {"sparse_categorical_crossentropy", "softmax", 4, 1},
    {"sparse_categorical_crossentropy", "softplus", 3, 1},
    {"mean_squared_error", "linear", 2, 2},
    {"mean_absolute_error", "linear", 2, 2},
    {"huber", "linear", 2, 2},
};
#define N_OUTS (sizeof OUTS / sizeof OUTS[0])

/* Every hidden activation × every loss/output, with and without Dropout. */
START_TEST(test_hidden_activation_by_loss)
{
    const out_case *o = &OUTS[_i];
    for (size_t h = 0; h < N_HIDDEN; h++) {
        spec L1[] = {{1, 5, HIDDEN[h], 1, 0, 0, 0}, {1, o->units, o->act, 1, 0, 0, 0}};
        check(L1, 2, o->loss, o->ty, 100 + (unsigned)h);
        spec L2[] = {{1, 5, HIDDEN[h], 1, 0, 0, 0},
                     {0, 0, NULL, 0, 0, 0, 0.4},
                     {1, o->units, o->act, 1, 0, 0, 0}};
        check(L2, 3, o->loss, o->ty, 200 + (unsigned)h);
    }
}
END_TEST

/* Every activation as the output of every regression loss. */
START_TEST(test_output_activation_regression)
{
    static const char *const losses[] = {"mean_squared_error", "mean_absolute_error", "huber"};
    for (size_t l = 0; l < 3; l++)
        for (size_t h = 0; h < N_HIDDEN; h++) {
            spec L[] = {{1, 4, "tanh", 1, 0, 0, 0}, {1, 3, HIDDEN[h], 1, 0, 0, 0}};
            check(L, 2, losses[l], 3, 300 + (unsigned)h);
        }
}
END_TEST

/* Deeper stacks, dropout first, no bias, L1 / L2 regularization. */
START_TEST(test_regularization_and_stacks)
{
    spec a[] = {{0, 0, NULL, 0, 0, 0, 0.25},
                {1, 6, "relu", 0, 0.01, 0.02, 0},
                {1, 5, "tanh", 1, 0, 0.1, 0},
                {0, 0, NULL, 0, 0, 0, 0.5},
                {1, 3, "softmax", 1, 0.05, 0, 0}};
    check(a, 5, "sparse_categorical_crossentropy", 1, 7);
    check(a, 5, "categorical_crossentropy", 3, 8);
    spec b[] = {{1, 8, "elu", 1, 0.001, 0.001, 0},
                {1, 7, "swish", 0, 0, 0, 0},
                {1, 1, "sigmoid", 1, 0.01, 0.01, 0}};
    check(b, 3, "binary_crossentropy", 1, 9);
    spec c[] = {{1, 2, "linear", 0, 0.3, 0.2, 0}};
    check(c, 1, "mean_squared_error", 2, 10);
    ck_assert_int_gt(n_checked, 0);
}
END_TEST

/* Dropout is inactive outside training: the gradient then matches a
 * reference with all-ones masks. */
START_TEST(test_dropout_inactive_in_inference)
{
    spec L[] = {
        {1, 5, "relu", 1, 0, 0, 0}, {0, 0, NULL, 0, 0, 0, 0.6}, {1, 2, "softmax", 1, 0, 0, 0}};
    ctune_model *m;
    ck_assert_ok(ctune_model_new(&m));
    ck_assert_ok(ctune_model_add_dense(m, 5, "relu", NULL));
    ck_assert_ok(ctune_model_add_dropout(m, 0.6));
    ck_assert_ok(ctune_model_add_dense(m, 2, "softmax", NULL));
    ck_assert_ok(ctune_model_compile(m, "sgd", "sparse_categorical_crossentropy", NULL));
    double X[N * D], Y[N];
    for (size_t k = 0; k < N * D; k++)
        X[k] = sin((double)k);
    for (size_t i = 0; i < N; i++)
        Y[i] = (double)(i % 2);
    ctune_data *d;
    ck_assert_ok(ctune_data_new(&d, X, CTUNE_FLOAT64, N, D, 0, Y, 1));
    ck_assert_ok(ctune_model_build(m, D));
    size_t np = ctune_model_n_params(m);
    float wf[64], g[64], masks[N * 5];
    double w[64] = {0}, loss;
    ck_assert_uint_le(np, 64);
    ck_assert_ok(ctune_model_get_weights(wf, m));
    ck_assert_ok(ctune__nn_loss_grad(m, d, 0, &loss, g, masks));
    for (size_t k = 0; k < N * 5; k++)
        ck_assert_float_eq(masks[k], 1.0f);
    for (size_t k = 0; k < np; k++)
        w[k] = wf[k];
    ck_assert_double_eq_tol(ref_loss(L, 3, w, X, Y, 1, "sparse_categorical_crossentropy", masks),
                            loss, 1e-5);
    ctune_data_free(d);
    ctune_model_free(m);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("nn_grad");
    TCase *tc = tcase_create("grad");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_hidden_activation_by_loss, 0, (int)N_OUTS);
    tcase_add_test(tc, test_output_activation_regression);
    tcase_add_test(tc, test_regularization_and_stacks);
    tcase_add_test(tc, test_dropout_inactive_in_inference);
    suite_add_tcase(s, tc);
    return ctu_run_suite(s);
}
