/* Check suite: optimizer update rules, step by step, against values
 * computed by hand and against a double-precision transcription of Keras 3's
 * published formulas (keras/src/optimizers). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "nn/optim.h"
#include "testutil.h"

static ctune__optim make(const char *name, const char *options)
{
    ctune__optim o;
    int id = ctune__optim_find(name);
    ck_assert_int_ge(id, 0);
    ctune__optim_defaults(&o, id);
    ctune_params *p;
    ck_assert_ok(ctune_params_new(&p));
    if (options)
        ck_assert_ok(ctune_params_parse(p, options));
    ck_assert_ok(ctune__optim_configure(&o, p));
    ctune_params_free(p);
    return o;
}

/* One weight, gradients g[0..steps): returns the weight after each step. */
static void run1(const char *name, const char *options, float w0, const float *g, int steps,
                 float *out)
{
    ctune__optim o = make(name, options);
    ck_assert_ok(ctune__optim_prepare(&o, 1));
    size_t seg[2] = {0, 1};
    float w = w0;
    for (int s = 0; s < steps; s++) {
        float gg = g[s];
        ctune__optim_step(&o, &w, &gg, seg, 1);
        out[s] = w;
    }
    ctune__optim_reset(&o);
}

#define CLOSE(a, b)                                                     \
    ck_assert_msg(fabs((double)(a) - (b)) <= 2e-7 * fmax(1.0, fabs(b)), \
                  "%s: got %.10g, expected %.10g", #a, (double)(a), (double)(b))

START_TEST(test_hand_computed_first_steps)
{
    float g2[2] = {2, 2}, w[2];
    run1("sgd", NULL, 1, g2, 1, w);
    CLOSE(w[0], 0.98); /* w - 0.01 · 2 */
    run1("sgd", "momentum=0.9", 1, g2, 2, w);
    CLOSE(w[0], 0.98);  /* m = -0.02 */
    CLOSE(w[1], 0.942); /* m = 0.9 · -0.02 - 0.02 = -0.038 */
    run1("sgd", "momentum=0.9, nesterov=true", 1, g2, 2, w);
    CLOSE(w[0], 0.962);  /* 1 + 0.9 · -0.02 - 0.02 */
    CLOSE(w[1], 0.9078); /* 0.962 + 0.9 · -0.038 - 0.02 */
    /* adam: m = 0.2, v = 0.004, alpha = 0.001 · sqrt(0.001) / 0.1 */
    run1("adam", NULL, 1, g2, 1, w);
    CLOSE(w[0], 1 - 0.001 * sqrt(0.001) / 0.1 * 0.2 / (sqrt(0.004) + 1e-7));
    CLOSE(w[0], 0.9990000016);
    /* rmsprop: velocity 0.4, epsilon inside the square root */
    run1("rmsprop", NULL, 1, g2, 1, w);
    CLOSE(w[0], 1 - 0.001 * 2 / sqrt(0.4 + 1e-7));
    CLOSE(w[0], 0.9968377263);
    /* adagrad: accumulator 0.1 + 4 */
    run1("adagrad", NULL, 1, g2, 1, w);
    CLOSE(w[0], 1 - 0.001 * 2 / sqrt(4.1 + 1e-7));
    /* adadelta: accumulated grad 0.2, delta = -sqrt(1e-7) · 2 / sqrt(0.2 + 1e-7) */
    run1("adadelta", NULL, 1, g2, 1, w);
    CLOSE(w[0], 1 - 0.001 * sqrt(1e-7) * 2 / sqrt(0.2 + 1e-7));
    /* adamax: m = 0.2, u = 2 */
    run1("adamax", NULL, 1, g2, 1, w);
    CLOSE(w[0], 1 - 0.001 / 0.1 * 0.2 / (2 + 1e-7));
    /* nadam (Keras 3): u1 = 0.9 (1 - 0.5 · 0.96) = 0.468, u2 = 0.9 (1 - 0.5 · 0.96²)
     * = 0.48528; products 0.468 and 0.468 · 0.48528; m = 0.2, v̂ = 0.004 / 0.001 */
    run1("nadam", NULL, 1, g2, 1, w);
    CLOSE(w[0], 1 - 0.001 * (0.48528 * 0.2 / (1 - 0.468 * 0.48528) + 0.532 * 2 / (1 - 0.468)) /
                        (2 + 1e-7));
    /* adamw: decay first (w · 0.004 · 0.001), then the adam step */
    run1("adamw", NULL, 1, g2, 1, w);
    CLOSE(w[0], 1 - 0.004 * 0.001 - 0.001 * sqrt(0.001) / 0.1 * 0.2 / (sqrt(0.004) + 1e-7));
}
END_TEST

/* Double transcription of Keras 3's update_step for every optimizer. */
typedef struct ref {
    double m, v, vhat, u, acc, acc2, mom, avg, u_product;
    int t;
} ref;

static double ref_step(const char *name, ref *r, double w, double g, double lr, double mu,
                       int nesterov, int amsgrad, int centered, double wd)
{
    const double b1 = 0.9, b2 = 0.999, eps = 1e-7;
    double t = ++r->t;
    w -= w * wd * lr;
    if (!strcmp(name, "sgd")) {
        if (mu == 0)
            return w - lr * g;
        r->mom = mu * r->mom - lr * g;
        return nesterov ? w + mu * r->mom - lr * g : w + r->mom;
    }
    if (!strcmp(name, "adam") || !strcmp(name, "adamw")) {
        double alpha = lr * sqrt(1 - pow(b2, t)) / (1 - pow(b1, t));
        r->m += (g - r->m) * (1 - b1);
        r->v += (g * g - r->v) * (1 - b2);
        double v = r->v;
        if (amsgrad) {
            r->vhat = fmax(r->vhat, r->v);
            v = r->vhat;
        }
        return w - alpha * r->m / (sqrt(v) + eps);
    }
    if (!strcmp(name, "rmsprop")) {
        const double rho = 0.9;
        r->v = rho * r->v + (1 - rho) * g * g;
        double den = r->v + eps;
        if (centered) {
            r->avg = rho * r->avg + (1 - rho) * g;
            den = r->v - r->avg * r->avg + eps;
        }
        double inc = lr * g / sqrt(den);
        if (mu > 0) {
            r->mom = mu * r->mom + inc;
            return w - r->mom;
        }
        return w - inc;
    }
    if (!strcmp(name, "adagrad")) {
        if (t == 1)
            r->acc = 0.1;
        r->acc += g * g;
        return w - lr * g / sqrt(r->acc + eps);
    }
    if (!strcmp(name, "adadelta")) {
        const double rho = 0.95;
        r->acc = rho * r->acc + (1 - rho) * g * g;
        double d = -sqrt(r->acc2 + eps) * g / sqrt(r->acc + eps);
        r->acc2 = rho * r->acc2 + (1 - rho) * d * d;
        return w + lr * d;
    }
    if (!strcmp(name, "adamax")) {
        r->m += (g - r->m) * (1 - b1);
        r->u = fmax(b2 * r->u, fabs(g));
        return w - lr * r->m / ((1 - pow(b1, t)) * (r->u + eps));
    }
    /* nadam */
    if (t == 1)
        r->u_product = 1;
    /* Keras 3: u_t = beta_1 (1 - 0.5 * 0.96^t) */
    double u_t = b1 * (1 - 0.5 * pow(0.96, t));
    double u_t1 = b1 * (1 - 0.5 * pow(0.96, t + 1));
    double up_t = r->u_product * u_t, up_t1 = up_t * u_t1;
    r->u_product = up_t;
    r->m += (g - r->m) * (1 - b1);
    r->v += (g * g - r->v) * (1 - b2);
    double m_hat = u_t1 * r->m / (1 - up_t1) + (1 - u_t) * g / (1 - up_t);
    double v_hat = r->v / (1 - pow(b2, t));
    return w - lr * m_hat / (sqrt(v_hat) + eps);
}

typedef struct ocase {
    const char *name, *options;
    double lr, mu, wd;
    int nesterov, amsgrad, centered;
} ocase;

static const ocase CASES[] = {
    {"sgd", "learning_rate=0.1", 0.1, 0, 0, 0, 0, 0},
    {"sgd", "learning_rate=0.05, momentum=0.8", 0.05, 0.8, 0, 0, 0, 0},
    {"sgd", "learning_rate=0.05, momentum=0.8, nesterov=true", 0.05, 0.8, 0, 1, 0, 0},
    {"adam", NULL, 0.001, 0, 0, 0, 0, 0},
    {"adam", "learning_rate=0.01, amsgrad=true", 0.01, 0, 0, 0, 1, 0},
    {"adamw", "learning_rate=0.01, weight_decay=0.1", 0.01, 0, 0.1, 0, 0, 0},
    {"rmsprop", NULL, 0.001, 0, 0, 0, 0, 0},
    {"rmsprop", "momentum=0.5, centered=true", 0.001, 0.5, 0, 0, 0, 1},
    {"adagrad", "learning_rate=0.01", 0.01, 0, 0, 0, 0, 0},
    {"adadelta", "learning_rate=1.0", 1.0, 0, 0, 0, 0, 0},
    {"adamax", NULL, 0.001, 0, 0, 0, 0, 0},
    {"nadam", "learning_rate=0.002", 0.002, 0, 0, 0, 0, 0},
    {"sgd", "learning_rate=0.1, weight_decay=0.01", 0.1, 0, 0.01, 0, 0, 0},
};
#define N_CASES (sizeof CASES / sizeof CASES[0])

/* Five steps on 1100 weights (crossing the optimizer's internal blocks)
 * with varying gradients, against the double transcription. */
START_TEST(test_steps_match_formula)
{
    const ocase *c = &CASES[_i];
    enum { n = 1100, steps = 5 };
    float *w = malloc(n * sizeof *w), *g = malloc(n * sizeof *g);
    double *wr = malloc(n * sizeof *wr);
    ref *r = calloc(n, sizeof *r);
    for (size_t i = 0; i < n; i++)
        wr[i] = w[i] = (float)(0.5 * sin(0.1 * (double)i));
    ctune__optim o = make(c->name, c->options);
    ck_assert_ok(ctune__optim_prepare(&o, n));
    size_t seg[3] = {0, 700, n};
    for (int s = 0; s < steps; s++) {
        for (size_t i = 0; i < n; i++) {
            g[i] = (float)(cos(0.37 * (double)i + s) * (1 + (double)(i % 5)) * 0.3);
            wr[i] = ref_step(c->name, &r[i], wr[i], g[i], c->lr, c->mu, c->nesterov, c->amsgrad,
                             c->centered, c->wd);
        }
        ctune__optim_step(&o, w, g, seg, 2);
        for (size_t i = 0; i < n; i++)
            ck_assert_msg(fabs(w[i] - wr[i]) <= 1e-6 * fmax(1.0, fabs(wr[i])) + 2e-7,
                          "%s (%s) step %d weight %zu: %.9g vs formula %.9g", c->name,
                          c->options ? c->options : "defaults", s + 1, i, (double)w[i], wr[i]);
    }
    ck_assert_int_eq(o.iterations, steps);
    ctune__optim_reset(&o);
    free(w);
    free(g);
    free(wr);
    free(r);
}
END_TEST

#if defined(__x86_64__)
/* 1 when this CPU (or emulator) honours FTZ: valgrind does not, and runs
 * the update with subnormals kept, so the flush itself is checked only
 * where it can happen. */
static int ftz_honoured(void)
{
    unsigned csr = _mm_getcsr();
    _mm_setcsr(csr | 0x8040u);
    volatile float a = 1e-30f, b = 1e-10f;
    volatile float p = a * b; /* 1e-40: subnormal unless flushed */
    _mm_setcsr(csr);
    return p == 0.0f;
}
#endif

/* Gradients around 1e-20, whose squares are subnormal (the update runs
 * with subnormals flushed to zero): the weights still follow the double
 * transcription, and the caller's floating-point mode is left as it was. */
START_TEST(test_subnormal_gradients)
{
    const ocase *c = &CASES[_i];
    enum { n = 600, steps = 3 };
    float w[n], g[n];
    double wr[n];
    ref *r = calloc(n, sizeof *r);
    for (size_t i = 0; i < n; i++)
        wr[i] = w[i] = (float)(0.5 * sin(0.1 * (double)i));
    ctune__optim o = make(c->name, c->options);
    ck_assert_ok(ctune__optim_prepare(&o, n));
    size_t seg[2] = {0, n};
#if defined(__x86_64__)
    unsigned csr = _mm_getcsr();
#endif
    for (int s = 0; s < steps; s++) {
        for (size_t i = 0; i < n; i++) {
            g[i] = (float)(cos(0.37 * (double)i + s) * 1e-20);
            wr[i] = ref_step(c->name, &r[i], wr[i], g[i], c->lr, c->mu, c->nesterov, c->amsgrad,
                             c->centered, c->wd);
        }
        ctune__optim_step(&o, w, g, seg, 1);
        for (size_t i = 0; i < n; i++)
            ck_assert_msg(fabs(w[i] - wr[i]) <= 1e-6 * fmax(1.0, fabs(wr[i])) + 2e-7,
                          "%s (%s) step %d weight %zu: %.9g vs formula %.9g", c->name,
                          c->options ? c->options : "defaults", s + 1, i, (double)w[i], wr[i]);
    }
#if defined(__x86_64__)
    ck_assert_uint_eq(_mm_getcsr(), csr);
    if (strcmp(c->name, "adam") == 0 && !c->options && ftz_honoured()) /* v = 0.001 g² → 0 */
        for (size_t i = 0; i < n; i++)
            ck_assert_float_eq(o.slots[n + i], 0.0f);
#endif
    ctune__optim_reset(&o);
    free(r);
}
END_TEST

START_TEST(test_clipping)
{
    size_t seg[3] = {0, 2, 4};
    float w[4] = {0, 0, 0, 0};
    /* clipnorm is per variable: (3, 4) has norm 5 → (0.6, 0.8); (0.3, 0.4) is kept */
    float g[4] = {3, 4, 0.3f, 0.4f};
    ctune__optim o = make("sgd", "learning_rate=1, clipnorm=1");
    ck_assert_ok(ctune__optim_prepare(&o, 4));
    ctune__optim_step(&o, w, g, seg, 2);
    ck_assert_float_eq_tol(w[0], -0.6f, 1e-6f);
    ck_assert_float_eq_tol(w[1], -0.8f, 1e-6f);
    ck_assert_float_eq_tol(w[2], -0.3f, 1e-6f);
    ck_assert_float_eq_tol(w[3], -0.4f, 1e-6f);
    ctune__optim_reset(&o);
    /* global_clipnorm: the whole gradient (norm sqrt(25.25)) scaled to norm 1 */
    float g2[4] = {3, 4, 0.3f, 0.4f}, w2[4] = {0, 0, 0, 0};
    o = make("sgd", "learning_rate=1, global_clipnorm=1");
    ck_assert_ok(ctune__optim_prepare(&o, 4));
    ctune__optim_step(&o, w2, g2, seg, 2);
    double nrm = sqrt(25.25);
    ck_assert_float_eq_tol(w2[0], (float)(-3 / nrm), 1e-6f);
    ck_assert_float_eq_tol(w2[3], (float)(-0.4 / nrm), 1e-6f);
    ctune__optim_reset(&o);
    /* clipvalue: each component into [-0.5, 0.5] */
    float g3[4] = {3, -4, 0.3f, -0.4f}, w3[4] = {0, 0, 0, 0};
    o = make("sgd", "learning_rate=1, clipvalue=0.5");
    ck_assert_ok(ctune__optim_prepare(&o, 4));
    ctune__optim_step(&o, w3, g3, seg, 2);
    ck_assert_float_eq(w3[0], -0.5f);
    ck_assert_float_eq(w3[1], 0.5f);
    ck_assert_float_eq_tol(w3[2], -0.3f, 1e-7f);
    ck_assert_float_eq_tol(w3[3], 0.4f, 1e-7f);
    ctune__optim_reset(&o);
}
END_TEST

/* Through the public API: one weight, one sample, MSE — the gradient is
 * 2 (w·x - y) x, so each optimizer's first step is known. */
START_TEST(test_first_step_through_fit)
{
    double X[1] = {1}, y[1] = {3};
    ctune_data *d;
    ck_assert_ok(ctune_data_new(&d, X, CTUNE_FLOAT64, 1, 1, 0, y, 1));
    static const struct {
        const char *opt, *options;
        double w1;
    } cases[] = {
        {"sgd", "learning_rate=0.1", 1.4}, /* 1 - 0.1 · (-4) */
        {"adam", NULL, 1.0009999998},      /* ≈ 1 + lr */
        {"sgd", "learning_rate=0.1, clipvalue=1", 1.1},
    };
    for (size_t k = 0; k < 3; k++) {
        ctune_model *m;
        ck_assert_ok(ctune_model_new(&m));
        ck_assert_ok(
            ctune_model_add_dense(m, 1, "linear", "use_bias=false, kernel_initializer=ones"));
        ck_assert_ok(ctune_model_compile(m, cases[k].opt, "mean_squared_error", cases[k].options));
        ck_assert_ok(ctune_model_fit(m, d, 1, 1, NULL));
        float w;
        ck_assert_uint_eq(ctune_model_n_params(m), 1);
        ck_assert_ok(ctune_model_get_weights(&w, m));
        CLOSE(w, cases[k].w1);
        double loss;
        ck_assert_ok(ctune_model_history_value(&loss, m, "loss", 0));
        ck_assert_double_eq(loss, 4.0);
        ctune_model_free(m);
    }
    ctune_data_free(d);
}
END_TEST

START_TEST(test_names_and_defaults)
{
    ctune__optim o = make("sgd", NULL);
    ck_assert_double_eq(o.learning_rate, 0.01);
    ck_assert_double_eq(o.momentum, 0);
    o = make("adam", NULL);
    ck_assert_double_eq(o.learning_rate, 0.001);
    ck_assert_double_eq(o.beta_1, 0.9);
    ck_assert_double_eq(o.beta_2, 0.999);
    ck_assert_double_eq(o.epsilon, 1e-7);
    o = make("adamw", NULL);
    ck_assert_double_eq(o.weight_decay, 0.004);
    o = make("rmsprop", NULL);
    ck_assert_double_eq(o.rho, 0.9);
    o = make("adagrad", NULL);
    ck_assert_double_eq(o.initial_accumulator_value, 0.1);
    o = make("adadelta", NULL);
    ck_assert_double_eq(o.rho, 0.95);
    ck_assert_int_eq(ctune__optim_find("NADAM"), CTUNE__OPT_NADAM);
    ck_assert_int_eq(ctune__optim_find("adamm"), -1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("nn_optim");
    TCase *tc = tcase_create("optim");
    tcase_add_test(tc, test_hand_computed_first_steps);
    tcase_add_loop_test(tc, test_steps_match_formula, 0, (int)N_CASES);
    tcase_add_loop_test(tc, test_subnormal_gradients, 0, (int)N_CASES);
    tcase_add_test(tc, test_clipping);
    tcase_add_test(tc, test_first_step_through_fit);
    tcase_add_test(tc, test_names_and_defaults);
    suite_add_tcase(s, tc);
    return ctu_run_suite(s);
}
