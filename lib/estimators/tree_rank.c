/* Sorting each feature once per fit: every training sample gets the rank of
 * its value among the feature's distinct values, and the distinct values are
 * kept (sorted) for thresholds. Features are ranked lazily, by blocks of 8
 * columns (one cache line of a float64 row), the first time a node draws one.
 * Integers in a range of at most n + 256 values (pixels, counts, codes) are
 * ranked by value; other values by an LSD radix sort of order-preserving keys
 * that skips the bytes all keys share. */
#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "estimators/tree_work.h"

/* Order-preserving unsigned key of a double (-0.0 has +0.0's key). */
static inline uint64_t dkey(double v)
{
    uint64_t u;
    if (v == 0.0)
        v = 0.0;
    memcpy(&u, &v, sizeof u);
    return (u >> 63) ? ~u : (u | 0x8000000000000000ull);
}

static inline double keyd(uint64_t k)
{
    uint64_t u = (k >> 63) ? (k & 0x7FFFFFFFFFFFFFFFull) : ~k;
    double v;
    memcpy(&v, &u, sizeof v);
    return v;
}

/* Makes room for n more distinct values. */
static ctune_status reserve_vals(ctune__twork *w, size_t n)
{
    if (w->vals_len + n <= w->vals_cap)
        return CTUNE_OK;
    size_t cap = w->vals_cap ? w->vals_cap : 1024;
    while (cap < w->vals_len + n)
        cap *= 2;
    double *nv = ctune__realloc(w->vals, cap * sizeof *nv);
    if (!nv)
        return CTUNE_ENOMEM;
    w->vals = nv;
    w->vals_cap = cap;
    return CTUNE_OK;
}

static void finish(ctune__twork *w, size_t f, uint32_t nb)
{
    w->voff[f] = w->vals_len;
    w->nb[f] = nb;
    w->vals_len += nb;
    w->ranked[f] = 1;
}

/* Integer values in [lo, lo + tab_cap): the rank is the value minus lo (the
 * ranks of absent values stay unused; scans skip empty ranks). Returns 0
 * when a value is not an integer (the codes written are then overwritten). */
static int rank_integers(ctune__twork *w, size_t f, const double *col, double lo, double hi)
{
    size_t n = w->n, V = (size_t)(hi - lo) + 1;
    uint32_t *Rf = w->R + f * n;
    const uint32_t *cls = w->cls;
    unsigned cb = w->cb;
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        double o = col[i] - lo; /* in [0, V) */
        uint32_t k = (uint32_t)o;
        bad |= (double)k != o;
        Rf[i] = cls ? (k << cb | cls[i]) : k;
    }
    if (bad)
        return 0;
    double *vals = w->vals + w->vals_len;
    for (size_t k = 0; k < V; k++)
        vals[k] = lo + (double)k;
    finish(w, f, (uint32_t)V);
    return 1;
}

static void rank_radix(ctune__twork *w, size_t f, const double *col)
{
    size_t n = w->n;
    uint64_t *ka = w->k0, *kb = w->k1;
    uint32_t *ia = w->i0, *ib = w->i1;
    uint64_t or_acc = 0, and_acc = ~0ull;
    for (size_t i = 0; i < n; i++) {
        uint64_t k = dkey(col[i]);
        ka[i] = k;
        ia[i] = (uint32_t)i;
        or_acc |= k;
        and_acc &= k;
    }
    uint64_t diff = or_acc ^ and_acc;
    uint32_t hist[256];
    for (int b = 0; b < 8; b++) {
        unsigned sh = 8u * (unsigned)b;
        if (!((diff >> sh) & 0xFF))
            continue;
        memset(hist, 0, sizeof hist);
        for (size_t i = 0; i < n; i++)
            hist[(ka[i] >> sh) & 0xFF]++;
        uint32_t pos = 0;
        for (int v = 0; v < 256; v++) {
            uint32_t c = hist[v];
            hist[v] = pos;
            pos += c;
        }
        for (size_t i = 0; i < n; i++) {
            uint32_t q = hist[(ka[i] >> sh) & 0xFF]++;
            kb[q] = ka[i];
            ib[q] = ia[i];
        }
        uint64_t *tk = ka;
        ka = kb;
        kb = tk;
        uint32_t *ti = ia;
        ia = ib;
        ib = ti;
    }
    double *vals = w->vals + w->vals_len;
    uint32_t *Rf = w->R + f * n;
    unsigned cb = w->cb;
    uint32_t r = 0;
    vals[0] = keyd(ka[0]);
    for (size_t i = 0; i < n; i++) {
        if (i && ka[i] != ka[i - 1])
            vals[++r] = keyd(ka[i]);
        Rf[ia[i]] = w->C ? (r << cb | w->cls[ia[i]]) : r;
    }
    finish(w, f, r + 1);
}

static ctune_status rank_column(ctune__twork *w, size_t f, const double *col, double lo,
                                double hi)
{
    CTUNE_TRY(reserve_vals(w, w->n + 256));
    if (hi - lo < (double)(w->n + 256) && lo > -4503599627370496.0 && hi < 4503599627370496.0 &&
        rank_integers(w, f, col, lo, hi))
        return CTUNE_OK;
    rank_radix(w, f, col);
    return CTUNE_OK;
}

ctune_status ctune__tree_rank(ctune__twork *w, size_t f)
{
    if (w->ranked[f])
        return CTUNE_OK;
    size_t n = w->n, f0 = f / 8 * 8, f1 = f0 + 8 < w->d ? f0 + 8 : w->d, nf = f1 - f0;
    double *col = w->col, lo[8], hi[8];
    for (size_t j = 0; j < 8; j++) {
        lo[j] = INFINITY;
        hi[j] = -INFINITY;
    }
    /* transpose the block, with each column's range */
    if (w->dtype == CTUNE_FLOAT64 && nf == 8) {
        for (size_t i = 0; i < n; i++) {
            const double *r = (const double *)w->rowp[i] + f0;
            for (size_t j = 0; j < 8; j++) {
                double v = r[j];
                col[j * n + i] = v;
                lo[j] = v < lo[j] ? v : lo[j];
                hi[j] = v > hi[j] ? v : hi[j];
            }
        }
    } else {
        for (size_t i = 0; i < n; i++) {
            const void *row = w->rowp[i];
            for (size_t j = 0; j < nf; j++) {
                double v = w->dtype == CTUNE_FLOAT64 ? ((const double *)row)[f0 + j]
                                                     : (double)((const float *)row)[f0 + j];
                col[j * n + i] = v;
                lo[j] = v < lo[j] ? v : lo[j];
                hi[j] = v > hi[j] ? v : hi[j];
            }
        }
    }
    for (size_t j = 0; j < nf; j++)
        CTUNE_TRY(rank_column(w, f0 + j, col + j * n, lo[j], hi[j]));
    return CTUNE_OK;
}
