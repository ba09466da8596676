/* Sorting each feature once per fit: every training sample gets the rank of
 * its value among the feature's distinct values, and the distinct values are
 * kept (sorted) for thresholds. Features are ranked lazily, by blocks of 8
 * columns (one cache line of a float64 row), the first time a node draws one.
 * Integers in [0, n + 256) (pixels, counts, codes) are ranked by value; other
 * values by an LSD radix sort of order-preserving keys that skips the bytes
 * all keys share. */
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

/* Integer features: `ik` holds the values, all integers in [0, n + 256).
 * The rank is the value itself (ranks of absent values stay unused: scans
 * skip empty ranks). */
static void rank_integers(ctune__twork *w, size_t f, const uint32_t *ik)
{
    size_t n = w->n;
    uint32_t *Rf = w->R + f * n, top = 0;
    const uint32_t *cls = w->cls;
    unsigned cb = w->cb;
    if (cls) {
        for (size_t i = 0; i < n; i++) {
            Rf[i] = ik[i] << cb | cls[i];
            top = ik[i] > top ? ik[i] : top;
        }
    } else {
        for (size_t i = 0; i < n; i++) {
            Rf[i] = ik[i];
            top = ik[i] > top ? ik[i] : top;
        }
    }
    size_t V = (size_t)top + 1;
    double *vals = w->vals + w->vals_len;
    for (size_t k = 0; k < V; k++)
        vals[k] = (double)k;
    finish(w, f, (uint32_t)V);
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

/* For 0 <= v < 2^52, v + 2^52 holds round(v) in its low mantissa bits, and
 * equals v + 2^52 exactly iff v is an integer. Sets *k and returns 1 when v
 * is an integer in [0, limit). */
static inline unsigned small_int(double v, double limit, uint32_t *k)
{
    double d = v + 0x1p52;
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    *k = (uint32_t)u;
    return (v >= 0) & (v < limit) & (d - 0x1p52 == v);
}

static inline double x_at(const ctune__twork *w, size_t i, size_t f)
{
    return w->dtype == CTUNE_FLOAT64 ? ((const double *)w->rowp[i])[f]
                                     : (double)((const float *)w->rowp[i])[f];
}

#define SMALL_INT_STEP(j)                                     \
    do {                                                      \
        uint32_t k_;                                          \
        bad |= (unsigned)!small_int(r[j], limit, &k_) << (j); \
        ik[(j)*n + i] = k_;                                   \
    } while (0)

ctune_status ctune__tree_rank(ctune__twork *w, size_t f)
{
    if (w->ranked[f])
        return CTUNE_OK;
    size_t n = w->n, f0 = f / 8 * 8, f1 = f0 + 8 < w->d ? f0 + 8 : w->d, nf = f1 - f0;
    double *col = w->col, limit = (double)(n + 256);
    uint32_t *ik = w->icol;
    unsigned bad = 0; /* bit j: column j is not all small non-negative integers */
    /* Pass 1 over the block (one cache line of a float64 row): the values
     * as small integers, when they are. */
    if (w->dtype == CTUNE_FLOAT64 && nf == 8) {
        for (size_t i = 0; i < n; i++) {
            const double *r = (const double *)w->rowp[i] + f0;
            SMALL_INT_STEP(0);
            SMALL_INT_STEP(1);
            SMALL_INT_STEP(2);
            SMALL_INT_STEP(3);
            SMALL_INT_STEP(4);
            SMALL_INT_STEP(5);
            SMALL_INT_STEP(6);
            SMALL_INT_STEP(7);
        }
    } else {
        for (size_t i = 0; i < n; i++)
            for (unsigned j = 0; j < nf; j++) {
                uint32_t k;
                bad |= (unsigned)!small_int(x_at(w, i, f0 + j), limit, &k) << j;
                ik[j * n + i] = k;
            }
    }
    /* Pass 2, for the other columns: their values, transposed. */
    if (bad)
        for (size_t i = 0; i < n; i++)
            for (unsigned j = 0; j < nf; j++)
                if ((bad >> j) & 1)
                    col[j * n + i] = x_at(w, i, f0 + j);
    for (size_t j = 0; j < nf; j++) {
        CTUNE_TRY(reserve_vals(w, n + 256));
        if ((bad >> j) & 1)
            rank_radix(w, f0 + j, col + j * n);
        else
            rank_integers(w, f0 + j, ik + j * n);
    }
    return CTUNE_OK;
}
