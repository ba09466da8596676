/* Seeded synthetic data sets for tests and examples, after scikit-learn's
 * make_blobs, make_classification and make_regression, written into caller
 * arrays (X row-major n × d, y of n values). */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "core/error.h"
#include "core/rng.h"

/* Distinct RNG streams so each generator's draws are independent of the
 * others' for the same seed. */
enum { STREAM_BLOBS = 0xB10B, STREAM_CLASSIFICATION = 0xC1A5, STREAM_REGRESSION = 0x4E62 };

static ctune_status check_common(const double *X, const double *y, size_t n, size_t d,
                                 const char *fn)
{
    if (!X)
        return ctune_set_error(CTUNE_EINVAL, "%s: X is NULL", fn);
    if (!y)
        return ctune_set_error(CTUNE_EINVAL, "%s: y is NULL", fn);
    if (n == 0 || d == 0)
        return ctune_set_error(CTUNE_EINVAL, "%s: shape %zu × %zu has no values", fn, n, d);
    if (n > SIZE_MAX / sizeof(double) / d)
        return ctune_set_error(CTUNE_EINVAL, "%s: shape %zu × %zu is too large", fn, n, d);
    return CTUNE_OK;
}

/* Fisher–Yates over the rows of X (n × d) and y together. */
static void shuffle_rows(ctune_rng *rng, double *X, double *y, size_t n, size_t d)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)ctune_rng_below(rng, i);
        size_t a = i - 1;
        if (j == a)
            continue;
        for (size_t k = 0; k < d; k++) {
            double t = X[a * d + k];
            X[a * d + k] = X[j * d + k];
            X[j * d + k] = t;
        }
        double t = y[a];
        y[a] = y[j];
        y[j] = t;
    }
}

ctune_status ctune_make_blobs(double *X, double *y, double *centers_out, size_t n, size_t d,
                              size_t centers, double cluster_std, uint64_t seed)
{
    CTUNE_TRY(check_common(X, y, n, d, __func__));
    if (centers == 0 || centers > n)
        return ctune_set_error(CTUNE_EINVAL, "%s: centers %zu must be in 1..n (%zu)", __func__,
                               centers, n);
    if (!(cluster_std >= 0) || !isfinite(cluster_std))
        return ctune_set_error(CTUNE_EINVAL, "%s: cluster_std %g must be finite and >= 0", __func__,
                               cluster_std);
    ctune_rng rng;
    ctune__rng_init(&rng, seed, STREAM_BLOBS);
    /* Centers uniform in [-10, 10)^d (scikit-learn's center_box), kept in
     * the first `centers` rows of X as scratch (no allocation). */
    for (size_t j = 0; j < centers; j++)
        for (size_t k = 0; k < d; k++) {
            double v = -10.0 + 20.0 * ctune_rng_uniform(&rng);
            X[j * d + k] = v;
            if (centers_out)
                centers_out[j * d + k] = v;
        }
    /* Row i of the unshuffled data belongs to center i % centers, so the
     * first n % centers centers have one more sample. Filling from the last
     * row down, every center row j is read (by rows i >= j) before row j
     * itself is overwritten. */
    for (size_t i = n; i-- > 0;) {
        size_t j = i % centers;
        for (size_t k = 0; k < d; k++)
            X[i * d + k] = X[j * d + k] + cluster_std * ctune_rng_normal(&rng);
        y[i] = (double)j;
    }
    shuffle_rows(&rng, X, y, n, d);
    return CTUNE_OK;
}

ctune_status ctune_make_classification(double *X, double *y, size_t n, size_t d,
                                       size_t n_informative, size_t n_classes, double class_sep,
                                       uint64_t seed)
{
    CTUNE_TRY(check_common(X, y, n, d, __func__));
    if (n_informative == 0 || n_informative > d)
        return ctune_set_error(CTUNE_EINVAL, "%s: n_informative %zu must be in 1..d (%zu)",
                               __func__, n_informative, d);
    if (n_classes < 2 || n_classes > n)
        return ctune_set_error(CTUNE_EINVAL, "%s: n_classes %zu must be in 2..n (%zu)", __func__,
                               n_classes, n);
    size_t bits = n_informative < 30 ? n_informative : 30;
    uint64_t n_vertices = (uint64_t)1 << bits;
    if (n_classes > n_vertices)
        return ctune_set_error(CTUNE_EINVAL,
                               "%s: n_classes %zu needs more hypercube vertices than "
                               "2^n_informative = %llu",
                               __func__, n_classes, (unsigned long long)n_vertices);
    if (!(class_sep >= 0) || !isfinite(class_sep))
        return ctune_set_error(CTUNE_EINVAL, "%s: class_sep %g must be finite and >= 0", __func__,
                               class_sep);
    ctune_rng rng;
    ctune__rng_init(&rng, seed, STREAM_CLASSIFICATION);
    /* Class c is centred on a distinct random vertex of the hypercube
     * [-class_sep, class_sep]^n_informative, kept as a bit pattern (low 30
     * bits distinct; higher dimensions get random signs from `hi`). The
     * patterns live in y as scratch until the labels are written. */
    uint64_t hi_seed = ctune_rng_u64(&rng);
    for (size_t c = 0; c < n_classes; c++) {
        uint64_t v;
        int dup;
        do {
            v = ctune_rng_below(&rng, n_vertices);
            dup = 0;
            for (size_t e = 0; e < c; e++)
                dup |= (uint64_t)y[e] == v;
        } while (dup);
        y[c] = (double)v; /* exact: v < 2^30 */
    }
    /* Row i of the unshuffled data belongs to class i % n_classes (balanced
     * classes); filled from the last row down so the patterns in y[0..k)
     * are read before being replaced by labels. */
    for (size_t i = n; i-- > 0;) {
        size_t c = i % n_classes;
        uint64_t v = (uint64_t)y[c];
        uint64_t hi = ctune_seed_derive(hi_seed, c);
        double *row = X + i * d;
        for (size_t k = 0; k < d; k++) {
            double z = ctune_rng_normal(&rng);
            if (k < n_informative) {
                int bit = k < bits ? (int)((v >> k) & 1u) : (int)((hi >> (k % 64)) & 1u);
                z += bit ? class_sep : -class_sep;
            }
            row[k] = z;
        }
        y[i] = (double)c;
    }
    shuffle_rows(&rng, X, y, n, d);
    return CTUNE_OK;
}

ctune_status ctune_make_regression(double *X, double *y, double *coef_out, size_t n, size_t d,
                                   size_t n_informative, double noise, uint64_t seed)
{
    CTUNE_TRY(check_common(X, y, n, d, __func__));
    if (n_informative > d)
        return ctune_set_error(CTUNE_EINVAL, "%s: n_informative %zu must be in 0..d (%zu)",
                               __func__, n_informative, d);
    if (!(noise >= 0) || !isfinite(noise))
        return ctune_set_error(CTUNE_EINVAL, "%s: noise %g must be finite and >= 0", __func__,
                               noise);
    /* Coefficients 100 * U[0, 1) on the first n_informative columns, 0 on
     * the others (scikit-learn's ground truth, without its column shuffle).
     * They come from their own stream, replayed for each row, so no scratch
     * memory is needed when coef_out is NULL. */
    ctune_rng coef0, rng;
    ctune__rng_init(&coef0, seed, STREAM_REGRESSION);
    ctune__rng_init(&rng, seed, STREAM_REGRESSION + 1);
    if (coef_out) {
        ctune_rng c = coef0;
        for (size_t k = 0; k < d; k++)
            coef_out[k] = k < n_informative ? 100.0 * ctune_rng_uniform(&c) : 0.0;
    }
    for (size_t i = 0; i < n; i++) {
        double *row = X + i * d;
        for (size_t k = 0; k < d; k++)
            row[k] = ctune_rng_normal(&rng);
        ctune_rng c = coef0;
        double acc = 0.0;
        for (size_t k = 0; k < n_informative; k++)
            acc += row[k] * (100.0 * ctune_rng_uniform(&c));
        y[i] = acc + noise * ctune_rng_normal(&rng);
    }
    return CTUNE_OK;
}
