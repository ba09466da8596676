/* Fuzz target: the model loader (ctune_estimator_load_buffer with the
 * built-in registry). Each input is loaded as it is (container checks),
 * then again with its body length and CRC-32 patched to match, so that
 * mutations reach the params, the fitted state and the estimators' load
 * hooks. A loaded model must predict within the shapes it announces (guard
 * cells after the output buffers stay untouched; probabilities are in
 * [0, 1]), refuse data one column too narrow or too wide, save again, and
 * reload to a byte-identical file; nothing leaks. */
#include <math.h>

#include "fuzz.h"
#include "io/stream.h"
#include "persist/persist.h"

static void put_le(uint8_t *p, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

enum { ROWS = 3, GUARD = 8 };
static const double SENTINEL = -12345.678;

static double *guarded(size_t cells)
{
    double *p = malloc((cells + GUARD) * sizeof *p);
    FUZZ_ASSERT(p != NULL);
    for (size_t i = 0; i < cells + GUARD; i++)
        p[i] = SENTINEL;
    return p;
}

static void check_guard(const double *p, size_t cells)
{
    for (size_t i = cells; i < cells + GUARD; i++)
        FUZZ_ASSERT(p[i] == SENTINEL);
}

/* Predicts ROWS rows of `width` columns with a model fitted on `nf`: the
 * right width predicts within the announced shapes (class labels, valid
 * probabilities), a wrong one is refused; no output is written past its
 * buffer (guard cells) either way. */
static void predict_checked(ctune_estimator *e, size_t nf, size_t width, size_t no, size_t k)
{
    double *X = malloc(ROWS * width * sizeof *X);
    double *out = guarded(ROWS * no);
    FUZZ_ASSERT(X != NULL);
    for (size_t i = 0; i < ROWS * width; i++)
        X[i] = (double)(i % 7) - 3.0;
    ctune_data *d;
    FUZZ_ASSERT(ctune_data_new(&d, X, CTUNE_FLOAT64, ROWS, width, 0, NULL, 0) == CTUNE_OK);
    ctune_status rc = ctune_estimator_predict(out, e, d);
    fuzz_status_ok(rc);
    check_guard(out, ROWS * no);
    if (width != nf)
        FUZZ_ASSERT(rc != CTUNE_OK);
    if (rc == CTUNE_OK && k) {
        double *classes = malloc(k * sizeof *classes);
        FUZZ_ASSERT(classes != NULL);
        FUZZ_ASSERT(ctune_estimator_classes(classes, e) == CTUNE_OK);
        for (size_t i = 0; i < ROWS; i++) {
            int found = 0;
            for (size_t c = 0; c < k; c++)
                found |= out[i] == classes[c];
            FUZZ_ASSERT(found);
        }
        free(classes);
    }
    if (k) {
        double *proba = guarded(ROWS * k);
        rc = ctune_estimator_predict_proba(proba, e, d);
        fuzz_status_ok(rc);
        check_guard(proba, ROWS * k);
        if (width != nf)
            FUZZ_ASSERT(rc != CTUNE_OK);
        for (size_t i = 0; rc == CTUNE_OK && i < ROWS * k; i++)
            FUZZ_ASSERT(isnan(proba[i]) || (proba[i] >= -1e-6 && proba[i] <= 1 + 1e-6));
        free(proba);
    }
    ctune_data_free(d);
    free(X);
    free(out);
}

static void exercise(ctune_estimator *e)
{
    ctune_status rc;
    size_t size1, size2;
    /* save, reload, save: the same bytes */
    long n = ctune_estimator_save_buffer(NULL, 0, e);
    fuzz_status_ok(n < 0 ? (ctune_status)n : CTUNE_OK);
    FUZZ_ASSERT(n > 0);
    size1 = (size_t)n;
    uint8_t *b1 = malloc(size1), *b2 = NULL;
    FUZZ_ASSERT(b1 != NULL);
    FUZZ_ASSERT(ctune_estimator_save_buffer(b1, size1, e) == n);
    ctune_estimator *f;
    rc = ctune_estimator_load_buffer(&f, b1, size1, NULL, NULL);
    fuzz_status_ok(rc);
    FUZZ_ASSERT(rc == CTUNE_OK);
    n = ctune_estimator_save_buffer(NULL, 0, f);
    FUZZ_ASSERT(n > 0);
    size2 = (size_t)n;
    FUZZ_ASSERT(size2 == size1);
    b2 = malloc(size2);
    FUZZ_ASSERT(b2 != NULL);
    FUZZ_ASSERT(ctune_estimator_save_buffer(b2, size2, f) == n);
    FUZZ_ASSERT(memcmp(b1, b2, size1) == 0);
    ctune_estimator_free(f);
    free(b1);
    free(b2);

    if (!ctune_estimator_is_fitted(e))
        return;
    size_t nf = ctune_estimator_n_features_in(e), no = ctune_estimator_n_outputs(e);
    size_t k = ctune_estimator_n_classes(e);
    FUZZ_ASSERT(nf > 0 && no > 0);
    if (nf > 4096 || no > 4096 || k > 4096)
        return;
    predict_checked(e, nf, nf, no, k);
    if (nf > 1)
        predict_checked(e, nf, nf - 1, no, k); /* one column too narrow */
    predict_checked(e, nf, nf + 1, no, k);     /* one column too wide */
}

static void load_one(const uint8_t *b, size_t len)
{
    ctune_estimator *e = (ctune_estimator *)1;
    ctune_status rc = ctune_estimator_load_buffer(&e, b, len, NULL, NULL);
    fuzz_status_ok(rc);
    if (rc != CTUNE_OK) {
        FUZZ_ASSERT(e == NULL);
        FUZZ_ASSERT(rc == CTUNE_EFORMAT || rc == CTUNE_EINVAL || rc == CTUNE_EUNSUPPORTED ||
                    rc == CTUNE_ENOMEM);
        return;
    }
    exercise(e);
    ctune_estimator_free(e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int64_t live = ctune_alloc_live();
    load_one(data, size);
    const size_t H = CTUNE__MODEL_HEADER;
    if (size >= H + 4) {
        uint8_t *fixed = malloc(size);
        FUZZ_ASSERT(fixed != NULL);
        memcpy(fixed, data, size);
        memcpy(fixed, CTUNE__MODEL_MAGIC, 8);
        put_le(fixed + 8, CTUNE__MODEL_VERSION, 4);
        put_le(fixed + 12, 0, 4);
        put_le(fixed + 16, size - H - 4, 8);
        put_le(fixed + size - 4, ctune__crc32(0, fixed, size - 4), 4);
        load_one(fixed, size);
        free(fixed);
    }
    FUZZ_ASSERT(ctune_alloc_live() == live);
    return 0;
}
