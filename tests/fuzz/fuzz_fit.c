/* Fuzz target: fit / predict / predict_proba / score / every scorer /
 * clone / save+load of the Dummy estimators on arbitrary small data and
 * params. Input layout (missing bytes read as 0):
 *   byte 0   flags: bit 0 regressor, bit 1 float32 X, bit 2 strided X
 *            (NaN padding), bit 3 reversed-subset view
 *   byte 1   n rows (0..32)       byte 2  d features (1..6)
 *   byte 3   targets of a regressor (1..3)
 *   byte 4   L, then L bytes of "key=value" params text
 *   then one byte per X value (n × d) and per y value, decoded by value().
 * Checks: known statuses; non-finite input is CTUNE_EDATA; a successful
 * fit predicts finite values (labels seen at fit), probabilities in [0, 1]
 * summing to 1, finite scores; a clone refits to the same predictions, a
 * saved and loaded model predicts the same; nothing leaks. */
#include <float.h>
#include <math.h>

#include "fuzz.h"

static double value(unsigned b, int label)
{
    static const double SPECIAL[] = {
        0.0,     -0.0,     NAN,      INFINITY, -INFINITY, 1e30,   -1e30,  1e-30,
        -1e-30,  DBL_MAX,  -DBL_MAX, DBL_MIN,  5e-324,    0.5,    1e15,   9.1e15,
        1e308,   -1e308,   3.5e38,   1e-45,    2.5,       -7.0,   1e300,  123456789.0,
    };
    if (b >= 256 - sizeof SPECIAL / sizeof SPECIAL[0])
        return SPECIAL[b - (256 - sizeof SPECIAL / sizeof SPECIAL[0])];
    if (label)
        return (double)(b % 5) * 3.0 - 2.0; /* labels -2, 1, 4, 7, 10 */
    return ((double)b - 100.0) / 8.0;
}

enum { MAX_N = 32, MAX_D = 6, MAX_T = 3 };

static void check_predictions(ctune_estimator *e, const ctune_data *d, size_t n, size_t t,
                              double *pred)
{
    size_t k = ctune_estimator_n_classes(e);
    ctune_status rc = ctune_estimator_predict(e, d, pred);
    fuzz_status_ok(rc);
    FUZZ_ASSERT(rc == CTUNE_OK);
    for (size_t i = 0; i < n * t; i++)
        FUZZ_ASSERT(isfinite(pred[i]));
    if (k) {
        double classes[MAX_N];
        FUZZ_ASSERT(k <= MAX_N && ctune_estimator_classes(e, classes) == CTUNE_OK);
        for (size_t i = 0; i < n; i++) {
            int found = 0;
            for (size_t c = 0; c < k; c++)
                found |= pred[i] == classes[c];
            FUZZ_ASSERT(found);
        }
        double proba[MAX_N * MAX_N];
        rc = ctune_estimator_predict_proba(e, d, proba);
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
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_in in = {data, size, 0};
    unsigned flags = fuzz_byte(&in);
    int reg = flags & 1, f32 = (flags >> 1) & 1, strided = (flags >> 2) & 1;
    int subset = (flags >> 3) & 1;
    size_t n = fuzz_byte(&in) % (MAX_N + 1);
    size_t d = 1 + fuzz_byte(&in) % MAX_D;
    size_t t = reg ? 1 + fuzz_byte(&in) % MAX_T : (fuzz_byte(&in), 1);
    size_t L = fuzz_byte(&in) % 64;
    char text[64];
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
                               f32 ? CTUNE_FLOAT32 : CTUNE_FLOAT64, n, d, stride, y, t) ==
                CTUNE_OK);
    if (subset) {
        size_t rows[MAX_N];
        for (size_t i = 0; i < n; i++)
            rows[i] = n - 1 - i;
        FUZZ_ASSERT(ctune_data_subset(&view, base, rows, n) == CTUNE_OK);
        ctune_data_free(base);
    } else {
        view = base;
    }

    ctune_estimator *e;
    FUZZ_ASSERT((reg ? ctune_dummy_regressor_new(&e) : ctune_dummy_classifier_new(&e)) ==
                CTUNE_OK);
    ctune_status rc = ctune_estimator_set_params_text(e, text);
    fuzz_status_ok(rc);
    rc = ctune_estimator_fit(e, view);
    fuzz_status_ok(rc);
    if (n == 0 || !finite) {
        FUZZ_ASSERT(rc == CTUNE_EDATA);
    }
    FUZZ_ASSERT(rc == CTUNE_OK || rc == CTUNE_EDATA || rc == CTUNE_EINVAL);
    FUZZ_ASSERT(ctune_estimator_is_fitted(e) == (rc == CTUNE_OK));
    if (rc == CTUNE_OK) {
        double pred[MAX_N * MAX_T], pred2[MAX_N * MAX_T];
        FUZZ_ASSERT(ctune_estimator_n_outputs(e) == t);
        check_predictions(e, view, n, t, pred);
        /* scores: the default one and every scorer */
        double s;
        rc = ctune_estimator_score(e, view, &s);
        fuzz_status_ok(rc);
        FUZZ_ASSERT(rc == CTUNE_OK);
        FUZZ_ASSERT(isfinite(s));
        for (size_t i = 0; i < ctune_scorer_count(); i++) {
            rc = ctune_score(e, ctune_scorer_name(i), view, &s);
            fuzz_status_ok(rc);
            FUZZ_ASSERT(rc == CTUNE_OK || rc == CTUNE_EINVAL);
            if (rc == CTUNE_OK)
                FUZZ_ASSERT(!isnan(s));
        }
        /* a clone fits to the same predictions */
        ctune_estimator *c;
        FUZZ_ASSERT(ctune_estimator_clone(&c, e) == CTUNE_OK);
        FUZZ_ASSERT(ctune_estimator_fit(c, view) == CTUNE_OK);
        FUZZ_ASSERT(ctune_estimator_predict(c, view, pred2) == CTUNE_OK);
        FUZZ_ASSERT(memcmp(pred, pred2, n * t * sizeof *pred) == 0);
        ctune_estimator_free(c);
        /* and so does a saved and loaded model */
        size_t len;
        FUZZ_ASSERT(ctune_estimator_save_buffer(e, NULL, 0, &len) == CTUNE_OK);
        uint8_t *buf = malloc(len);
        FUZZ_ASSERT(buf != NULL);
        FUZZ_ASSERT(ctune_estimator_save_buffer(e, buf, len, &len) == CTUNE_OK);
        FUZZ_ASSERT(ctune_estimator_load_buffer(&c, buf, len, NULL, NULL) == CTUNE_OK);
        FUZZ_ASSERT(ctune_estimator_predict(c, view, pred2) == CTUNE_OK);
        FUZZ_ASSERT(memcmp(pred, pred2, n * t * sizeof *pred) == 0);
        ctune_estimator_free(c);
        free(buf);
    } else {
        double out[MAX_N * MAX_T + 1];
        FUZZ_ASSERT(ctune_estimator_predict(e, view, out) == CTUNE_ESTATE);
    }
    ctune_estimator_free(e);
    ctune_data_free(view);
    FUZZ_ASSERT(ctune_alloc_live() == live);
    return 0;
}
