/* Fuzz target: fit / predict / predict_proba / transform / score / every
 * scorer / clone / save+load of the built-in estimators on arbitrary small
 * data and params. Input layout (missing bytes read as 0):
 *   byte 0   flags: bit 0 regressor, bit 1 float32 X, bit 2 strided X
 *            (NaN padding), bit 3 reversed-subset view, bits 4-6 the
 *            estimator: 0 Dummy, 1 DecisionTree, 2 StandardScaler,
 *            3 Pipeline (scaler + tree), 4 MLP, 5 Pipeline (scaler + MLP),
 *            6-7 Dummy
 *   byte 1   n rows (0..32)       byte 2  d features (1..6)
 *   byte 3   targets of a regressor (1..3)
 *   byte 4   L, then L bytes of "key=value" params text
 *   then one byte per X value (n × d) and per y value, decoded by value().
 * The MLPs train with epochs <= 2, nn <= 8, nl <= 2 (larger values from the
 * params text are clamped: the target must stay fast).
 * Checks: known statuses; non-finite input is CTUNE_EDATA; only the MLP may
 * fail with CTUNE_ENUMERIC (a diverging loss, naming the epoch); a
 * successful fit predicts finite values (labels seen at fit),
 * probabilities in [0, 1] summing to 1, finite scores, finite transforms;
 * a clone refits to the same predictions, a saved and loaded model
 * predicts the same; nothing leaks. An MLP whose last training step sent
 * its outputs past float32 (finite weights, so fit succeeded) may refuse to
 * predict with CTUNE_ENUMERIC (documented in docs/reliability.md). */
#include <float.h>
#include <math.h>

#include "fuzz.h"

static double value(unsigned b, int label)
{
    static const double SPECIAL[] = {
        0.0,    -0.0,    NAN,      INFINITY, -INFINITY, 1e30, -1e30, 1e-30,
        -1e-30, DBL_MAX, -DBL_MAX, DBL_MIN,  5e-324,    0.5,  1e15,  9.1e15,
        1e308,  -1e308,  3.5e38,   1e-45,    2.5,       -7.0, 1e300, 123456789.0,
    };
    if (b >= 256 - sizeof SPECIAL / sizeof SPECIAL[0])
        return SPECIAL[b - (256 - sizeof SPECIAL / sizeof SPECIAL[0])];
    if (label)
        return (double)(b % 5) * 3.0 - 2.0; /* labels -2, 1, 4, 7, 10 */
    return ((double)b - 100.0) / 8.0;
}

enum { MAX_N = 32, MAX_D = 6, MAX_T = 3 };
enum { EST_DUMMY, EST_TREE, EST_SCALER, EST_PIPE, EST_MLP, EST_PIPE_MLP };

/* Builds the estimator `which` (a regressor when reg). */
static ctune_estimator *make(int which, int reg)
{
    ctune_estimator *e = NULL, *s = NULL, *t = NULL;
    switch (which) {
    case EST_TREE:
        FUZZ_ASSERT((reg ? ctune_decision_tree_regressor_new(&e)
                         : ctune_decision_tree_classifier_new(&e)) == CTUNE_OK);
        break;
    case EST_SCALER: FUZZ_ASSERT(ctune_standard_scaler_new(&e) == CTUNE_OK); break;
    case EST_MLP:
        FUZZ_ASSERT((reg ? ctune_mlp_regressor_new(&e) : ctune_mlp_classifier_new(&e)) == CTUNE_OK);
        FUZZ_ASSERT(ctune_estimator_set_params_text(e, "epochs=1, batch_size=8, nn=3") == CTUNE_OK);
        break;
    case EST_PIPE:
    case EST_PIPE_MLP:
        FUZZ_ASSERT(ctune_pipeline_new(&e) == CTUNE_OK);
        FUZZ_ASSERT(ctune_standard_scaler_new(&s) == CTUNE_OK);
        t = make(which == EST_PIPE ? EST_TREE : EST_MLP, reg);
        FUZZ_ASSERT(ctune_pipeline_add_step(e, "scaler", s) == CTUNE_OK);
        FUZZ_ASSERT(ctune_pipeline_add_step(e, "model", t) == CTUNE_OK);
        ctune_estimator_free(s);
        ctune_estimator_free(t);
        break;
    default:
        FUZZ_ASSERT((reg ? ctune_dummy_regressor_new(&e) : ctune_dummy_classifier_new(&e)) ==
                    CTUNE_OK);
    }
    return e;
}

/* Keeps an MLP's training small whatever the params text asked. */
static void clamp(ctune_estimator *e, const char *prefix)
{
    static const struct {
        const char *name;
        int64_t max;
    } CAPS[] = {{"epochs", 2}, {"nn", 8}, {"nl", 2}};
    const ctune_params *p = ctune_estimator_get_params(e);
    for (size_t i = 0; i < sizeof CAPS / sizeof CAPS[0]; i++) {
        char name[64], text[96];
        int64_t v;
        snprintf(name, sizeof name, "%s%s", prefix, CAPS[i].name);
        if (ctune_params_get_int(&v, p, name) == CTUNE_OK && v > CAPS[i].max) {
            snprintf(text, sizeof text, "%s=%lld", name, (long long)CAPS[i].max);
            FUZZ_ASSERT(ctune_estimator_set_params_text(e, text) == CTUNE_OK);
            p = ctune_estimator_get_params(e);
        }
    }
}

static void check_transform(ctune_estimator *e, const ctune_data *d, size_t n, size_t dcols,
                            double *out)
{
    ctune_status rc = ctune_estimator_transform(out, e, d);
    fuzz_status_ok(rc);
    FUZZ_ASSERT(rc == CTUNE_OK);
    for (size_t i = 0; i < n * dcols; i++)
        FUZZ_ASSERT(isfinite(out[i]));
    double back[MAX_N * MAX_D];
    rc = ctune_estimator_inverse_transform(back, e, d);
    fuzz_status_ok(rc);
    FUZZ_ASSERT(rc == CTUNE_OK);
}

/* Returns 0 when an MLP refused to predict because its outputs overflow
 * float32 (documented: a fit whose last step sends the outputs past
 * float32 with finite weights succeeds; predict says so), else 1. */
static int check_predictions(ctune_estimator *e, const ctune_data *d, size_t n, size_t t,
                             double *pred, int mlp)
{
    size_t k = ctune_estimator_n_classes(e);
    if (ctune_estimator_kind(e) == CTUNE_TRANSFORMER) {
        check_transform(e, d, n, ctune_data_n_cols(d), pred);
        return 1;
    }
    ctune_status rc = ctune_estimator_predict(pred, e, d);
    fuzz_status_ok(rc);
    if (mlp && rc == CTUNE_ENUMERIC) {
        FUZZ_ASSERT(strstr(ctune_last_error(), "too large for float32") != NULL);
        return 0;
    }
    FUZZ_ASSERT(rc == CTUNE_OK);
    for (size_t i = 0; i < n * t; i++)
        FUZZ_ASSERT(isfinite(pred[i]));
    if (k) {
        double classes[MAX_N];
        FUZZ_ASSERT(k <= MAX_N && ctune_estimator_classes(classes, e) == CTUNE_OK);
        for (size_t i = 0; i < n; i++) {
            int found = 0;
            for (size_t c = 0; c < k; c++)
                found |= pred[i] == classes[c];
            FUZZ_ASSERT(found);
        }
        double proba[MAX_N * MAX_N];
        rc = ctune_estimator_predict_proba(proba, e, d);
        fuzz_status_ok(rc);
        FUZZ_ASSERT(rc == CTUNE_OK);
        for (size_t i = 0; i < n; i++) {
            double s = 0;
            for (size_t c = 0; c < k; c++) {
                FUZZ_ASSERT(proba[i * k + c] >= 0 && proba[i * k + c] <= 1);
                s += proba[i * k + c];
            }
            FUZZ_ASSERT(fabs(s - 1.0) < 1e-9);
        }
    }
    return 1;
}

/* predict, or transform for a transformer */
static ctune_status outputs(ctune_estimator *e, const ctune_data *d, double *out)
{
    if (ctune_estimator_kind(e) == CTUNE_TRANSFORMER)
        return ctune_estimator_transform(out, e, d);
    return ctune_estimator_predict(out, e, d);
}

static int finite_x(int f32, const double *X64, const float *X32, size_t n, size_t d, size_t stride)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++)
            if (!(f32 ? isfinite(X32[i * stride + j]) : isfinite(X64[i * stride + j])))
                return 0;
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_in in = {data, size, 0};
    unsigned flags = fuzz_byte(&in);
    int reg = flags & 1, f32 = (flags >> 1) & 1, strided = (flags >> 2) & 1;
    int subset = (flags >> 3) & 1, which = (flags >> 4) & 7;
    size_t n = fuzz_byte(&in) % (MAX_N + 1);
    size_t d = 1 + fuzz_byte(&in) % MAX_D;
    size_t t = reg ? 1 + fuzz_byte(&in) % MAX_T : (fuzz_byte(&in), 1);
    size_t L = fuzz_byte(&in) % 64;
    char text[65];
    for (size_t i = 0; i < L; i++)
        text[i] = (char)fuzz_byte(&in);
    text[L] = '\0';

    size_t stride = d + (size_t)strided;
    double X64[MAX_N * (MAX_D + 1) + 1], y[MAX_N * MAX_T + 1];
    float X32[MAX_N * (MAX_D + 1) + 1];
    int finite = 1;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < stride; j++) {
            double v = j < d ? value(fuzz_byte(&in), 0) : NAN;
            X64[i * stride + j] = v;
            X32[i * stride + j] = (float)v;
            if (j < d)
                finite &= f32 ? isfinite(X32[i * stride + j]) : isfinite(v);
        }
    for (size_t i = 0; i < n * t; i++) {
        y[i] = value(fuzz_byte(&in), !reg);
        finite &= isfinite(y[i]) != 0;
    }

    int64_t live = ctune_alloc_live();
    ctune_data *base, *view;
    FUZZ_ASSERT(ctune_data_new(&base, f32 ? (const void *)X32 : (const void *)X64,
                               f32 ? CTUNE_FLOAT32 : CTUNE_FLOAT64, n, d, stride, y,
                               t) == CTUNE_OK);
    if (subset) {
        size_t rows[MAX_N];
        for (size_t i = 0; i < n; i++)
            rows[i] = n - 1 - i;
        FUZZ_ASSERT(ctune_data_subset(&view, base, rows, n) == CTUNE_OK);
        ctune_data_free(base);
    } else {
        view = base;
    }

    ctune_estimator *e = make(which, reg);
    int mlp = which == EST_MLP || which == EST_PIPE_MLP;
    int scaler = which == EST_SCALER;
    ctune_status rc = ctune_estimator_set_params_text(e, text);
    fuzz_status_ok(rc);
    if (mlp)
        clamp(e, which == EST_MLP ? "" : "model__");
    rc = ctune_estimator_fit(e, view);
    fuzz_status_ok(rc);
    if (n == 0 || (!finite && !(scaler && finite_x(f32, X64, X32, n, d, stride)))) {
        /* the scaler ignores y */
        FUZZ_ASSERT(rc == CTUNE_EDATA);
    }
    FUZZ_ASSERT(rc == CTUNE_OK || rc == CTUNE_EDATA || rc == CTUNE_EINVAL ||
                (mlp && rc == CTUNE_ENUMERIC));
    if (rc == CTUNE_ENUMERIC)
        FUZZ_ASSERT(strstr(ctune_last_error(), "epoch") != NULL);
    FUZZ_ASSERT(ctune_estimator_is_fitted(e) == (rc == CTUNE_OK));
    if (rc == CTUNE_OK) {
        double pred[MAX_N * (MAX_D + MAX_T)], pred2[MAX_N * (MAX_D + MAX_T)];
        size_t width = scaler ? d : t;
        if (!scaler)
            FUZZ_ASSERT(ctune_estimator_n_outputs(e) == t);
        if (!check_predictions(e, view, n, t, pred, mlp))
            goto diverged;
        /* scores: the default one and every scorer */
        double s;
        rc = ctune_estimator_score(&s, e, view);
        fuzz_status_ok(rc);
        FUZZ_ASSERT(rc == CTUNE_OK || (scaler && rc == CTUNE_EUNSUPPORTED));
        FUZZ_ASSERT(scaler || isfinite(s));
        for (size_t i = 0; !scaler && i < ctune_scorer_count(); i++) {
            rc = ctune_score(&s, e, ctune_scorer_name(i), view);
            fuzz_status_ok(rc);
            FUZZ_ASSERT(rc == CTUNE_OK || rc == CTUNE_EINVAL);
            if (rc == CTUNE_OK)
                FUZZ_ASSERT(!isnan(s));
        }
        /* a clone fits to the same predictions */
        ctune_estimator *c;
        FUZZ_ASSERT(ctune_estimator_clone(&c, e) == CTUNE_OK);
        FUZZ_ASSERT(ctune_estimator_fit(c, view) == CTUNE_OK);
        FUZZ_ASSERT(outputs(c, view, pred2) == CTUNE_OK);
        FUZZ_ASSERT(memcmp(pred, pred2, n * width * sizeof *pred) == 0);
        ctune_estimator_free(c);
        /* and so does a saved and loaded model */
        long n_saved = ctune_estimator_save_buffer(NULL, 0, e);
        FUZZ_ASSERT(n_saved > 0);
        size_t len = (size_t)n_saved;
        uint8_t *buf = malloc(len);
        FUZZ_ASSERT(buf != NULL);
        FUZZ_ASSERT(ctune_estimator_save_buffer(buf, len, e) == n_saved);
        FUZZ_ASSERT(ctune_estimator_load_buffer(&c, buf, len, NULL, NULL) == CTUNE_OK);
        FUZZ_ASSERT(outputs(c, view, pred2) == CTUNE_OK);
        FUZZ_ASSERT(memcmp(pred, pred2, n * width * sizeof *pred) == 0);
        ctune_estimator_free(c);
        free(buf);
    } else {
        double out[MAX_N * (MAX_D + MAX_T) + 1];
        FUZZ_ASSERT(outputs(e, view, out) == CTUNE_ESTATE);
    }
diverged:
    ctune_estimator_free(e);
    ctune_data_free(view);
    FUZZ_ASSERT(ctune_alloc_live() == live);
    return 0;
}
