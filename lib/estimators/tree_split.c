/* The split search of one node (scikit-learn's BestSplitter / RandomSplitter).
 *
 * Classifiers: a feature's codes pack (rank << cb | class), so one pass over
 * the node's samples builds a (rank, class) histogram, and a scan of the
 * ranks in order evaluates every threshold with O(1) criterion updates per
 * class count. Small nodes (few samples for the feature's number of ranks)
 * sort their codes instead and scan sample by sample.
 * Regressors: a counting sort (or comparison sort) of the node's samples by
 * rank, then an incremental scan (squared error), or two passes of running
 * medians (absolute error). */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/labels.h"
#include "estimators/tree_work.h"

#define LN2 0.69314718055994530942

/* The classification scans are instantiated per criterion. */
#if defined(__GNUC__)
#define ALWAYS_INLINE static inline __attribute__((always_inline))
#else
#define ALWAYS_INLINE static inline
#endif

/* A feature's (rank, class) histogram is used when it has at most this many
 * slots per sample of the node (plus 64); else the node's codes are sorted. */
#ifndef HIST_FACTOR
#define HIST_FACTOR 16
#endif

/* Uniform integer in [0, n), 0 < n < 2^32 (Lemire's method, unbiased). */
static uint32_t draw_below(ctune_rng *rng, uint32_t n)
{
    uint64_t m = (uint64_t)(uint32_t)ctune_rng_u64(rng) * n;
    uint32_t low = (uint32_t)m;
    if (low < n) {
        uint32_t thresh = (uint32_t)(-n) % n;
        while (low < thresh) {
            m = (uint64_t)(uint32_t)ctune_rng_u64(rng) * n;
            low = (uint32_t)m;
        }
    }
    return (uint32_t)(m >> 32);
}

/* ---- sorting small arrays ------------------------------------------------------------ */

#define DEFINE_SORT(NAME, T)                                                                 \
    static void NAME(T *a, size_t n)                                                         \
    {                                                                                        \
        while (n > 16) {                                                                     \
            T x = a[0], y = a[n / 2], z = a[n - 1];                                          \
            T pivot = x < y ? (y < z ? y : (x < z ? z : x)) : (x < z ? x : (y < z ? z : y)); \
            size_t i = 0, j = n - 1;                                                         \
            for (;;) {                                                                       \
                while (a[i] < pivot)                                                         \
                    i++;                                                                     \
                while (a[j] > pivot)                                                         \
                    j--;                                                                     \
                if (i >= j)                                                                  \
                    break;                                                                   \
                T tmp = a[i];                                                                \
                a[i] = a[j];                                                                 \
                a[j] = tmp;                                                                  \
                i++;                                                                         \
                j--;                                                                         \
            }                                                                                \
            size_t left = j + 1;                                                             \
            if (left < n - left) {                                                           \
                NAME(a, left);                                                               \
                a += left;                                                                   \
                n -= left;                                                                   \
            } else {                                                                         \
                NAME(a + left, n - left);                                                    \
                n = left;                                                                    \
            }                                                                                \
        }                                                                                    \
        for (size_t i = 1; i < n; i++) {                                                     \
            T v = a[i];                                                                      \
            size_t j = i;                                                                    \
            while (j > 0 && a[j - 1] > v) {                                                  \
                a[j] = a[j - 1];                                                             \
                j--;                                                                         \
            }                                                                                \
            a[j] = v;                                                                        \
        }                                                                                    \
    }

DEFINE_SORT(sort_u32, uint32_t)
DEFINE_SORT(sort_u64, uint64_t)

static inline void take(ctune__tsplit *b, size_t f, uint32_t r, uint32_t rn, size_t nl,
                        double proxy, double wl, double wr)
{
    b->found = 1;
    b->feature = (uint32_t)f;
    b->rank = r;
    b->rank_next = rn;
    b->n_left = nl;
    b->proxy = proxy;
    b->wimp_left = wl > 0 ? wl : 0;
    b->wimp_right = wr > 0 ? wr : 0;
}

/* ---- classification: histogram scans -------------------------------------------------- */

/* Scan variants: Gini with class weights (double accumulators), Gini without
 * (exact integer accumulators), entropy (k ln k from a table). */
enum { GINI_W, GINI_U, ENTROPY };

/* Left/right accumulators of a classification scan. */
typedef struct cacc {
    double WL, WR, sql, sqr, SL, SR;
    int64_t isql, isqr;
    size_t nl;
} cacc;

ALWAYS_INLINE void cacc_init(ctune__twork *w, const ctune__tnode *ns, cacc *a, const int mode)
{
    size_t C = w->C;
    memset(a, 0, sizeof *a);
    a->WR = ns->W;
    a->sqr = ns->sq;
    a->isqr = (int64_t)ns->sq; /* exact: a sum of squared counts */
    a->SR = ns->S;
    if (mode == GINI_W) {
        memset(w->wl, 0, C * sizeof *w->wl);
        memcpy(w->wr, w->node_w, C * sizeof *w->wr);
    } else {
        memset(w->kl, 0, C * sizeof *w->kl);
        memcpy(w->kr, w->node_k, C * sizeof *w->kr);
    }
}

/* Moves k samples of class c from the right child to the left one. */
ALWAYS_INLINE void cacc_move(ctune__twork *w, cacc *a, uint32_t c, uint32_t k, const int mode)
{
    if (mode == GINI_W) {
        double x = w->cw[c] * (double)k;
        a->sql += x * (2 * w->wl[c] + x);
        w->wl[c] += x;
        a->sqr += x * (x - 2 * w->wr[c]);
        w->wr[c] -= x;
        a->WL += x;
        a->WR -= x;
    } else if (mode == GINI_U) {
        int64_t l = w->kl[c], r = w->kr[c], kk = k;
        a->isql += kk * (2 * l + kk);
        a->isqr += kk * (kk - 2 * r);
        w->kl[c] = (uint32_t)(l + kk);
        w->kr[c] = (uint32_t)(r - kk);
    } else {
        uint32_t l = w->kl[c], r = w->kr[c];
        w->kl[c] = l + k;
        w->kr[c] = r - k;
        const double *T = w->T;
        if (w->weighted) {
            double x = w->cw[c], lx = (double)k * w->lcw[c];
            a->SL += x * (lx + T[l + k] - T[l]);
            a->SR += x * (T[r - k] - T[r] - lx);
            a->WL += x * (double)k;
            a->WR -= x * (double)k;
        } else {
            a->SL += T[l + k] - T[l];
            a->SR += T[r - k] - T[r];
        }
    }
    a->nl += k;
}

/* Evaluates the boundary after the samples moved so far. */
ALWAYS_INLINE void cacc_eval(ctune__twork *w, const cacc *a, size_t m, size_t f, uint32_t r,
                             uint32_t rn, ctune__tsplit *best, const int mode)
{
    size_t nl = a->nl;
    if (nl < w->msl || m - nl < w->msl)
        return;
    if (mode == GINI_W) {
        double proxy = a->sql / a->WL + a->sqr / a->WR;
        if (proxy > best->proxy)
            take(best, f, r, rn, nl, proxy, a->WL - a->sql / a->WL, a->WR - a->sqr / a->WR);
    } else if (mode == GINI_U) {
        double WL = (double)nl, WR = (double)(m - nl);
        double ql = (double)a->isql / WL, qr = (double)a->isqr / WR;
        double proxy = ql + qr;
        if (proxy > best->proxy)
            take(best, f, r, rn, nl, proxy, WL - ql, WR - qr);
    } else {
        double ll, lr;
        if (w->weighted) {
            ll = a->WL * log(a->WL);
            lr = a->WR * log(a->WR);
        } else {
            ll = w->T[nl];
            lr = w->T[m - nl];
        }
        double proxy = a->SL + a->SR - ll - lr;
        if (proxy > best->proxy)
            take(best, f, r, rn, nl, proxy, (ll - a->SL) / LN2, (lr - a->SR) / LN2);
    }
}

/* Histogram path. Returns 1 when the feature is constant in the node. */
ALWAYS_INLINE int cls_hist(ctune__twork *w, size_t f, size_t start, size_t end,
                           const ctune__tnode *ns, ctune__tsplit *best, const int mode)
{
    size_t m = end - start, C = w->C;
    unsigned cb = w->cb;
    const uint32_t *Rf = w->R + f * w->n, *smp = w->samples + start;
    /* two interleaved copies: repeated codes do not serialize the increments */
    uint32_t *h = w->hist, *h2 = w->hist + w->hist_cap;
    uint32_t lo = UINT32_MAX, hi = 0;
    size_t p = 0;
    for (; p + 1 < m; p += 2) {
        uint32_t u = Rf[smp[p]], v = Rf[smp[p + 1]];
        h[u]++;
        h2[v]++;
        uint32_t a1 = u < v ? u : v, b1 = u < v ? v : u;
        lo = a1 < lo ? a1 : lo;
        hi = b1 > hi ? b1 : hi;
    }
    if (p < m) {
        uint32_t u = Rf[smp[p]];
        h[u]++;
        lo = u < lo ? u : lo;
        hi = u > hi ? u : hi;
    }
    uint32_t bmin = lo >> cb, bmax = hi >> cb;
    if (bmin == bmax) {
        memset(h + ((size_t)bmin << cb), 0, C * sizeof *h);
        memset(h2 + ((size_t)bmin << cb), 0, C * sizeof *h2);
        return 1;
    }
    cacc a;
    cacc_init(w, ns, &a, mode);
    /* The boundary after a non-empty rank is evaluated when the next
     * non-empty rank shows up (its threshold needs that rank). */
    uint32_t prev = bmin;
    int pending = 0;
    for (uint32_t b = bmin; b <= bmax; b++) {
        uint32_t *hb = h + ((size_t)b << cb), *hb2 = h2 + ((size_t)b << cb);
        uint32_t tot = 0;
        for (size_t c = 0; c < C; c++)
            tot += hb[c] + hb2[c];
        if (!tot)
            continue;
        if (pending)
            cacc_eval(w, &a, m, f, prev, b, best, mode);
        /* branch-free: moving 0 samples changes nothing */
        for (size_t c = 0; c < C; c++)
            cacc_move(w, &a, (uint32_t)c, hb[c] + hb2[c], mode);
        memset(hb, 0, C * sizeof *hb);
        memset(hb2, 0, C * sizeof *hb2);
        prev = b;
        pending = 1;
    }
    return 0;
}

/* Sorted path for small nodes. */
ALWAYS_INLINE int cls_sorted(ctune__twork *w, size_t f, size_t start, size_t end,
                             const ctune__tnode *ns, ctune__tsplit *best, const int mode)
{
    size_t m = end - start;
    unsigned cb = w->cb;
    uint32_t cmask = w->cmask;
    const uint32_t *Rf = w->R + f * w->n, *smp = w->samples + start;
    uint32_t *keys = w->srank;
    uint32_t lo = UINT32_MAX, hi = 0;
    for (size_t p = 0; p < m; p++) {
        uint32_t v = Rf[smp[p]];
        keys[p] = v;
        lo = v < lo ? v : lo;
        hi = v > hi ? v : hi;
    }
    if ((lo >> cb) == (hi >> cb))
        return 1;
    sort_u32(keys, m);
    cacc a;
    cacc_init(w, ns, &a, mode);
    for (size_t q = 0; q + 1 < m; q++) {
        cacc_move(w, &a, keys[q] & cmask, 1, mode);
        uint32_t r = keys[q] >> cb, rn = keys[q + 1] >> cb;
        if (r != rn)
            cacc_eval(w, &a, m, f, r, rn, best, mode);
    }
    return 0;
}

#define CLS_VARIANT(MODE, NAME)                                                       \
    static int cls_hist_##NAME(ctune__twork *w, size_t f, size_t start, size_t end,   \
                               const ctune__tnode *ns, ctune__tsplit *best)           \
    {                                                                                 \
        return cls_hist(w, f, start, end, ns, best, MODE);                            \
    }                                                                                 \
    static int cls_sorted_##NAME(ctune__twork *w, size_t f, size_t start, size_t end, \
                                 const ctune__tnode *ns, ctune__tsplit *best)         \
    {                                                                                 \
        return cls_sorted(w, f, start, end, ns, best, MODE);                          \
    }

CLS_VARIANT(GINI_W, gini_w)
CLS_VARIANT(GINI_U, gini_u)
CLS_VARIANT(ENTROPY, entropy)

/* Evaluates classification feature f at the node; returns 1 when constant. */
static int cls_eval(ctune__twork *w, size_t f, size_t start, size_t end, const ctune__tnode *ns,
                    ctune__tsplit *best)
{
    size_t m = end - start, span = (size_t)w->nb[f] << w->cb;
    int hist = span <= w->hist_cap && span <= HIST_FACTOR * m + 64;
    if (w->crit == CTUNE__CRIT_ENTROPY)
        return hist ? cls_hist_entropy(w, f, start, end, ns, best)
                    : cls_sorted_entropy(w, f, start, end, ns, best);
    if (w->weighted)
        return hist ? cls_hist_gini_w(w, f, start, end, ns, best)
                    : cls_sorted_gini_w(w, f, start, end, ns, best);
    return hist ? cls_hist_gini_u(w, f, start, end, ns, best)
                : cls_sorted_gini_u(w, f, start, end, ns, best);
}

/* ---- regression: order the node by rank, then scan -------------------------------------- */

/* Fills srank/spay (rank, sample) in rank order; returns 1 when constant. */
static int order_node(ctune__twork *w, size_t f, size_t start, size_t end)
{
    size_t m = end - start;
    const uint32_t *Rf = w->R + f * w->n, *smp = w->samples + start;
    uint32_t nb = w->nb[f], rmin = UINT32_MAX, rmax = 0;
    if ((size_t)nb <= 8 * m + 64) {
        uint32_t *cnt = w->cnt;
        for (size_t p = 0; p < m; p++) {
            uint32_t r = Rf[smp[p]];
            rmin = r < rmin ? r : rmin;
            rmax = r > rmax ? r : rmax;
        }
        if (rmin >= rmax)
            return 1;
        memset(cnt + rmin, 0, ((size_t)rmax - rmin + 1) * sizeof *cnt);
        for (size_t p = 0; p < m; p++)
            cnt[Rf[smp[p]]]++;
        uint32_t pos = 0;
        for (uint32_t b = rmin; b <= rmax; b++) {
            uint32_t c = cnt[b];
            cnt[b] = pos;
            pos += c;
        }
        for (size_t p = 0; p < m; p++) {
            uint32_t s = smp[p], r = Rf[s];
            uint32_t q = cnt[r]++;
            w->srank[q] = r;
            w->spay[q] = s;
        }
        return 0;
    }
    uint64_t *keys = w->k0;
    for (size_t p = 0; p < m; p++) {
        uint32_t s = smp[p], r = Rf[s];
        rmin = r < rmin ? r : rmin;
        rmax = r > rmax ? r : rmax;
        keys[p] = (uint64_t)r << 32 | s;
    }
    if (rmin == rmax)
        return 1;
    sort_u64(keys, m);
    for (size_t p = 0; p < m; p++) {
        w->srank[p] = (uint32_t)(keys[p] >> 32);
        w->spay[p] = (uint32_t)keys[p];
    }
    return 0;
}

static void scan_squared(ctune__twork *w, size_t f, size_t m, const ctune__tnode *ns,
                         ctune__tsplit *best)
{
    size_t t = w->t, msl = w->msl;
    double *suml = w->suml;
    const double *tot = w->node_sum, *y = w->y;
    const uint32_t *srank = w->srank, *spay = w->spay;
    memset(suml, 0, t * sizeof *suml);
    double sqsl = 0;
    for (size_t q = 0; q + 1 < m; q++) {
        const double *yr = y + (size_t)spay[q] * t;
        for (size_t k = 0; k < t; k++) {
            suml[k] += yr[k];
            sqsl += yr[k] * yr[k];
        }
        if (srank[q + 1] == srank[q])
            continue;
        size_t nl = q + 1;
        if (nl < msl)
            continue;
        if (m - nl < msl)
            break;
        double a = 0, b = 0;
        for (size_t k = 0; k < t; k++) {
            a += suml[k] * suml[k];
            b += (tot[k] - suml[k]) * (tot[k] - suml[k]);
        }
        double WL = (double)nl, WR = (double)(m - nl);
        double proxy = a / WL + b / WR;
        if (proxy > best->proxy)
            take(best, f, srank[q], srank[q + 1], nl, proxy, (sqsl - a / WL) / (double)t,
                 (ns->sqs - sqsl - b / WR) / (double)t);
    }
}

/* Running median with the sum of absolute deviations from it: `lo` is a
 * max-heap of the lower half (stored negated), `hi` a min-heap. */
typedef struct medheap {
    double *lo, *hi;
    size_t nlo, nhi;
    double slo, shi;
} medheap;

static void heap_push(double *h, size_t *n, double v)
{
    size_t i = (*n)++;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (h[p] <= v)
            break;
        h[i] = h[p];
        i = p;
    }
    h[i] = v;
}

static double heap_pop(double *h, size_t *n)
{
    double top = h[0], v = h[--*n];
    size_t i = 0, m = *n;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= m)
            break;
        if (c + 1 < m && h[c + 1] < h[c])
            c++;
        if (h[c] >= v)
            break;
        h[i] = h[c];
        i = c;
    }
    if (m)
        h[i] = v;
    return top;
}

static double med_add(medheap *h, double v)
{
    if (h->nlo == 0 || v <= -h->lo[0]) {
        heap_push(h->lo, &h->nlo, -v);
        h->slo += v;
    } else {
        heap_push(h->hi, &h->nhi, v);
        h->shi += v;
    }
    if (h->nlo > h->nhi + 1) {
        double x = -heap_pop(h->lo, &h->nlo);
        h->slo -= x;
        heap_push(h->hi, &h->nhi, x);
        h->shi += x;
    } else if (h->nhi > h->nlo) {
        double x = heap_pop(h->hi, &h->nhi);
        h->shi -= x;
        heap_push(h->lo, &h->nlo, -x);
        h->slo += x;
    }
    double med = -h->lo[0];
    double dev = (h->shi - med * (double)h->nhi) + (med * (double)h->nlo - h->slo);
    return dev > 0 ? dev : 0;
}

static void scan_absolute(ctune__twork *w, size_t f, size_t m, ctune__tsplit *best)
{
    size_t t = w->t, msl = w->msl;
    const double *y = w->y;
    const uint32_t *srank = w->srank, *spay = w->spay;
    double *devl = w->devl, *devr = w->devr;
    memset(devl, 0, m * sizeof *devl);
    memset(devr, 0, m * sizeof *devr);
    for (size_t k = 0; k < t; k++) {
        medheap h = {w->hlo, w->hhi, 0, 0, 0, 0};
        for (size_t q = 0; q + 1 < m; q++) {
            double dv = med_add(&h, y[(size_t)spay[q] * t + k]);
            if (srank[q + 1] != srank[q])
                devl[q] += dv;
        }
        medheap g = {w->hlo, w->hhi, 0, 0, 0, 0};
        for (size_t q = m - 1; q > 0; q--) {
            double dv = med_add(&g, y[(size_t)spay[q] * t + k]);
            if (srank[q - 1] != srank[q])
                devr[q - 1] += dv;
        }
    }
    for (size_t q = 0; q + 1 < m; q++) {
        if (srank[q + 1] == srank[q])
            continue;
        size_t nl = q + 1;
        if (nl < msl)
            continue;
        if (m - nl < msl)
            break;
        double proxy = -(devl[q] + devr[q]);
        if (proxy > best->proxy)
            take(best, f, srank[q], srank[q + 1], nl, proxy, devl[q] / (double)t,
                 devr[q] / (double)t);
    }
}

double ctune__tree_median_dev(double *buf, size_t m, double *dev)
{
    qsort(buf, m, sizeof *buf, ctune__cmp_double);
    double med = m % 2 ? buf[m / 2] : (buf[m / 2 - 1] + buf[m / 2]) / 2.0;
    double s = 0;
    for (size_t i = 0; i < m; i++)
        s += fabs(buf[i] - med);
    *dev = s;
    return med;
}

/* ---- random splitter ------------------------------------------------------------------ */

/* One random threshold on feature f; returns 1 when the feature is constant. */
/* The split of a random threshold: left = the samples of rank <= rl. */
typedef struct {
    const uint32_t *Rf, *smp;
    size_t m;
    uint32_t rl;
    size_t nl;
    double proxy, wil, wir;
} rsplit;

/* Classification criteria; 0 when a side is under min_samples_leaf. */
static int random_class(ctune__twork *w, const ctune__tnode *ns, rsplit *r)
{
    size_t C = w->C;
    unsigned cb = w->cb;
    memset(w->kl, 0, C * sizeof *w->kl);
    for (size_t p = 0; p < r->m; p++) {
        uint32_t code = r->Rf[r->smp[p]];
        if ((code >> cb) <= r->rl) {
            w->kl[code & w->cmask]++;
            r->nl++;
        }
    }
    if (r->nl < w->msl || r->m - r->nl < w->msl)
        return 0;
    double WL = 0, sql = 0, SL = 0, sqr = 0, SR = 0;
    for (size_t c = 0; c < C; c++) {
        uint32_t kl = w->kl[c], kr = w->node_k[c] - kl;
        double xl = w->cw[c] * kl, xr = w->cw[c] * kr;
        WL += xl;
        sql += xl * xl;
        sqr += xr * xr;
        if (w->crit == CTUNE__CRIT_ENTROPY) {
            if (kl)
                SL += w->weighted ? w->cw[c] * (kl * w->lcw[c] + w->T[kl]) : w->T[kl];
            if (kr)
                SR += w->weighted ? w->cw[c] * (kr * w->lcw[c] + w->T[kr]) : w->T[kr];
        }
    }
    double WR = ns->W - WL;
    if (w->crit == CTUNE__CRIT_GINI) {
        r->proxy = sql / WL + sqr / WR;
        r->wil = WL - sql / WL;
        r->wir = WR - sqr / WR;
    } else {
        double ll = WL * log(WL), lr = WR * log(WR);
        r->proxy = SL + SR - ll - lr;
        r->wil = (ll - SL) / LN2;
        r->wir = (lr - SR) / LN2;
    }
    return 1;
}

/* Squared error; 0 when a side is under min_samples_leaf. */
static int random_squared(ctune__twork *w, const ctune__tnode *ns, rsplit *r)
{
    size_t t = w->t;
    memset(w->suml, 0, t * sizeof *w->suml);
    double sqsl = 0;
    for (size_t p = 0; p < r->m; p++)
        if (r->Rf[r->smp[p]] <= r->rl) {
            const double *yr = w->y + (size_t)r->smp[p] * t;
            for (size_t k = 0; k < t; k++) {
                w->suml[k] += yr[k];
                sqsl += yr[k] * yr[k];
            }
            r->nl++;
        }
    if (r->nl < w->msl || r->m - r->nl < w->msl)
        return 0;
    double sa = 0, sb = 0, WL = (double)r->nl, WR = (double)(r->m - r->nl);
    for (size_t k = 0; k < t; k++) {
        double d = w->node_sum[k] - w->suml[k];
        sa += w->suml[k] * w->suml[k];
        sb += d * d;
    }
    r->proxy = sa / WL + sb / WR;
    r->wil = (sqsl - sa / WL) / (double)t;
    r->wir = (ns->sqs - sqsl - sb / WR) / (double)t;
    return 1;
}

/* Absolute error (median deviations); 0 when a side is under
 * min_samples_leaf. */
static int random_absolute(ctune__twork *w, rsplit *r)
{
    size_t t = w->t;
    for (size_t p = 0; p < r->m; p++)
        r->nl += r->Rf[r->smp[p]] <= r->rl;
    if (r->nl < w->msl || r->m - r->nl < w->msl)
        return 0;
    double dl = 0, dr = 0, d;
    for (size_t k = 0; k < t; k++) {
        size_t a1 = 0, b1 = 0;
        for (size_t p = 0; p < r->m; p++) {
            double yv = w->y[(size_t)r->smp[p] * t + k];
            if (r->Rf[r->smp[p]] <= r->rl)
                w->buf[a1++] = yv;
            else
                w->devl[b1++] = yv;
        }
        ctune__tree_median_dev(w->buf, a1, &d);
        dl += d;
        ctune__tree_median_dev(w->devl, b1, &d);
        dr += d;
    }
    r->proxy = -(dl + dr);
    r->wil = dl / (double)t;
    r->wir = dr / (double)t;
    return 1;
}

static int random_eval(ctune__twork *w, size_t f, size_t start, size_t end, const ctune__tnode *ns,
                       ctune__tsplit *best)
{
    size_t m = end - start;
    unsigned cb = w->cb;
    const uint32_t *Rf = w->R + f * w->n, *smp = w->samples + start;
    uint32_t rmin = UINT32_MAX, rmax = 0;
    for (size_t p = 0; p < m; p++) {
        uint32_t r = Rf[smp[p]] >> cb;
        rmin = r < rmin ? r : rmin;
        rmax = r > rmax ? r : rmax;
    }
    if (rmin == rmax)
        return 1;
    const double *v = w->vals + w->voff[f];
    double lo = v[rmin], hi = v[rmax];
    double thr = lo + (hi - lo) * ctune_rng_uniform(&w->rng);
    if (thr >= hi)
        thr = lo;
    uint32_t a = rmin, b = rmax; /* v[a] <= thr < v[b] */
    while (b - a > 1) {
        uint32_t c = a + (b - a) / 2;
        if (v[c] <= thr)
            a = c;
        else
            b = c;
    }
    rsplit r = {Rf, smp, m, a, 0, 0, 0, 0};
    int ok = w->C                             ? random_class(w, ns, &r)
             : w->crit == CTUNE__CRIT_SQUARED ? random_squared(w, ns, &r)
                                              : random_absolute(w, &r);
    if (ok && r.proxy > best->proxy) {
        take(best, f, r.rl, r.rl, r.nl, r.proxy, r.wil, r.wir);
        best->threshold = thr;
    }
    return 0;
}

/* ---- the search ------------------------------------------------------------------------ */

/* Evaluates feature f at the node; *constant = 1 when it is constant there. */
static ctune_status eval_feature(ctune__twork *w, size_t f, size_t start, size_t end,
                                 const ctune__tnode *ns, ctune__tsplit *best, int *constant)
{
    CTUNE_TRY(ctune__tree_rank(w, f));
    if (w->cfg->random_splitter) {
        *constant = random_eval(w, f, start, end, ns, best);
        return CTUNE_OK;
    }
    size_t m = end - start;
    if (w->C) {
        *constant = cls_eval(w, f, start, end, ns, best);
        return CTUNE_OK;
    }
    *constant = order_node(w, f, start, end);
    if (*constant)
        return CTUNE_OK;
    if (w->crit == CTUNE__CRIT_SQUARED)
        scan_squared(w, f, m, ns, best);
    else
        scan_absolute(w, f, m, best);
    return CTUNE_OK;
}

ctune_status ctune__tree_find_split(ctune__twork *w, size_t start, size_t end,
                                    const ctune__tnode *ns, size_t *n_const, ctune__tsplit *best)
{
    uint32_t *feat = w->features;
    size_t n_known = *n_const, n_found = 0, n_drawn = 0, n_total = n_known, visited = 0;
    size_t fi = w->d;
    memset(best, 0, sizeof *best);
    best->proxy = -INFINITY;
    while (fi > n_total && (visited < w->mf || visited <= n_found + n_drawn)) {
        visited++;
        size_t fj = n_drawn + draw_below(&w->rng, (uint32_t)(fi - n_found - n_drawn));
        uint32_t tmp;
        if (fj < n_known) {
            /* a feature already known to be constant here: counts as visited */
            tmp = feat[n_drawn];
            feat[n_drawn] = feat[fj];
            feat[fj] = tmp;
            n_drawn++;
            continue;
        }
        fj += n_found;
        if (ctune_fit_ctx_cancelled(w->ctx))
            return ctune_set_error(CTUNE_ECANCELLED, "fit cancelled after %zu feature scans",
                                   w->n_scanned);
        w->n_scanned++;
        int constant;
        CTUNE_TRY(eval_feature(w, feat[fj], start, end, ns, best, &constant));
        if (constant) {
            tmp = feat[fj];
            feat[fj] = feat[n_total];
            feat[n_total] = tmp;
            n_found++;
            n_total++;
            continue;
        }
        fi--;
        tmp = feat[fi];
        feat[fi] = feat[fj];
        feat[fj] = tmp;
    }
    *n_const = n_total;
    if (best->found && !w->cfg->random_splitter) {
        const double *v = w->vals + w->voff[best->feature];
        double a = v[best->rank], b = v[best->rank_next];
        double thr = a / 2.0 + b / 2.0;
        if (thr == b || isinf(thr) || isnan(thr))
            thr = a;
        best->threshold = thr;
    }
    return CTUNE_OK;
}
