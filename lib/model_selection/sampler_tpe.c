/* TPE sampler: univariate Parzen estimators (see sampler_tpe.h). */
#include "model_selection/sampler_tpe.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/rng.h"
#include "model_selection/space.h"

static const ctune_param_spec TPE_SPEC[] = {
    {"n_startup_trials", CTUNE_TYPE_INT, "10", "[0, inf)", NULL,
     "trials drawn at random before the estimators take over"},
    {"n_ei_candidates", CTUNE_TYPE_INT, "24", "[1, 100000]", NULL,
     "draws of l(x) scored by l(x)/g(x) for each proposal"},
    {"batch", CTUNE_TYPE_INT, "1", "[1, 100000]", NULL,
     "proposals per synchronous batch, from the same history"},
    {"prior_weight", CTUNE_TYPE_DOUBLE, "1.0", "(0, inf)", NULL,
     "weight of the prior component of each estimator"},
    {"consider_endpoints", CTUNE_TYPE_BOOL, "false", NULL, NULL,
     "the outermost components' bandwidths also count the gap to the range's ends"},
    {"consider_magic_clip", CTUNE_TYPE_BOOL, "true", NULL, NULL,
     "bandwidths are at least range / min(100, 1 + components)"},
    {"direction", CTUNE_TYPE_STRING, "maximize", NULL, "maximize|minimize",
     "whether greater values are better (ctune's scorers) or smaller"},
    {NULL, 0, NULL, NULL, NULL, NULL},
};

const ctune_param_spec *ctune__tpe_spec(void) { return TPE_SPEC; }

ctune_status ctune__tpe_opts_init(ctune__tpe_opts *o, const ctune_params *opts)
{
    CTUNE_CHECK_NULL(o, "options");
    ctune_params *p = NULL;
    ctune_status st = ctune_params_from_spec(&p, TPE_SPEC);
    if (st == CTUNE_OK && opts)
        st = ctune_params_update(p, opts);
    if (st == CTUNE_OK)
        st = ctune_params_check(p, TPE_SPEC);
    const char *dir = "maximize";
    if (st == CTUNE_OK)
        st = ctune_params_get_int(&o->n_startup_trials, p, "n_startup_trials");
    if (st == CTUNE_OK)
        st = ctune_params_get_int(&o->n_ei_candidates, p, "n_ei_candidates");
    if (st == CTUNE_OK)
        st = ctune_params_get_int(&o->batch, p, "batch");
    if (st == CTUNE_OK)
        st = ctune_params_get_double(&o->prior_weight, p, "prior_weight");
    if (st == CTUNE_OK)
        st = ctune_params_get_bool(&o->consider_endpoints, p, "consider_endpoints");
    if (st == CTUNE_OK)
        st = ctune_params_get_bool(&o->consider_magic_clip, p, "consider_magic_clip");
    if (st == CTUNE_OK)
        st = ctune_params_get_string(&dir, p, "direction");
    if (st == CTUNE_OK)
        o->minimize = strcmp(dir, "minimize") == 0;
    ctune_params_free(p);
    if (st != CTUNE_OK && st != CTUNE_ENOMEM)
        ctune__error_prefix("TPE");
    return st;
}

ctune_status ctune__tpe_check_space(const ctune_space *sp, const char *who)
{
    if (!sp || sp->n == 0)
        return ctune_set_error(CTUNE_EINVAL,
                               "TPE: %s is empty: it needs at least one parameter "
                               "to sample",
                               who ? who : "space");
    return CTUNE_OK;
}

/* ---- the normal distribution -------------------------------------------------- */

#define SQRT1_2 0.70710678118654752440
#define LOG_SQRT_2PI 0.91893853320467274178

static double ndtr(double z) { return 0.5 * erfc(-z * SQRT1_2); }

/* log Phi(z) for z <= 0, accurate in the far tail. */
static double log_ndtr_neg(double z)
{
    if (z > -30.0)
        return log(ndtr(z));
    double r = 1.0 / (z * z);
    return -0.5 * z * z - log(-z) - LOG_SQRT_2PI + log1p(-r + 3.0 * r * r - 15.0 * r * r * r);
}

/* log(Phi(b) - Phi(a)) for a <= b. */
static double log_gauss_mass(double a, double b)
{
    if (a >= 0.0) {
        double t = -a;
        a = -b;
        b = t;
    }
    if (b <= 0.0) {
        double lb = log_ndtr_neg(b), la = log_ndtr_neg(a);
        return lb + log1p(-exp(la - lb));
    }
    return log1p(-ndtr(a) - ndtr(-b));
}

/* Inverse of Phi on (0, 1): Acklam's rational approximation, then one
 * Halley step on erfc. */
static double ndtri(double p)
{
    static const double A[] = {-3.969683028665376e+01, 2.209460984245205e+02,
                               -2.759285104469687e+02, 1.383577518672690e+02,
                               -3.066479806614716e+01, 2.506628277459239e+00};
    static const double B[] = {-5.447609879822406e+01, 1.615858368580409e+02,
                               -1.556989798598866e+02, 6.680131188771972e+01,
                               -1.328068155288572e+01};
    static const double C[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                               -2.400758277161838e+00, -2.549732539343734e+00,
                               4.374664141464968e+00,  2.938163982698783e+00};
    static const double D[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                               3.754408661907416e+00};
    if (p <= 0.0)
        return -INFINITY;
    if (p >= 1.0)
        return INFINITY;
    double x;
    if (p < 0.02425) {
        double q = sqrt(-2.0 * log(p));
        x = (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) /
            ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0);
    } else if (p <= 1.0 - 0.02425) {
        double q = p - 0.5, r = q * q;
        x = (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q /
            (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0);
    } else {
        double q = sqrt(-2.0 * log1p(-p));
        x = -(((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) /
            ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0);
    }
    double e = ndtr(x) - p;
    double u = e * 2.50662827463100050242 * exp(0.5 * x * x);
    return x - u / (1.0 + 0.5 * x * u);
}

/* A draw of N(0, 1) truncated to [a, b]. */
static double trunc_normal(ctune_rng *rng, double a, double b)
{
    double u = ctune_rng_uniform(rng);
    double x;
    if (a >= 0.0) { /* the mass is in the right tail: sample its mirror */
        double pa = ndtr(-b), pb = ndtr(-a);
        x = -ndtri(pa + u * (pb - pa));
    } else {
        double pa = ndtr(a), pb = ndtr(b);
        x = ndtri(pa + u * (pb - pa));
    }
    if (!(x >= a))
        x = a;
    if (!(x <= b))
        x = b;
    return x;
}

/* ---- one dimension -------------------------------------------------------------- */

/* A Parzen estimator of one dimension: m components (observations, then the
 * prior), weights w (normalized); numerical: mu, sigma on [low, high];
 * categorical: m rows of n_choices probabilities. */
typedef struct {
    size_t m;
    double *w, *mu, *sigma, *cat;
    size_t n_choices;
    double low, high;
    int integer; /* cells of width 1 around each integer */
} parzen;

static void parzen_free(parzen *pz)
{
    ctune__free(pz->w);
    ctune__free(pz->mu);
    ctune__free(pz->sigma);
    ctune__free(pz->cat);
    memset(pz, 0, sizeof *pz);
}

/* Optuna's default_weights(n). */
static void default_weights(double *w, size_t n)
{
    if (n < 25) {
        for (size_t i = 0; i < n; i++)
            w[i] = 1.0;
        return;
    }
    size_t nr = n - 25;
    for (size_t i = 0; i < nr; i++) /* linspace(1/n, 1, nr) */
        w[i] = nr == 1 ? 1.0 / (double)n
                       : 1.0 / (double)n + (1.0 - 1.0 / (double)n) * (double)i / (double)(nr - 1);
    for (size_t i = nr; i < n; i++)
        w[i] = 1.0;
}

typedef struct {
    double v;
    size_t i;
} vi;

static int cmp_vi(const void *a, const void *b)
{
    const vi *x = a, *y = b;
    if (x->v != y->v)
        return x->v < y->v ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

/* Builds the estimator of n observations x[] (already on the transformed
 * scale; categorical: choice indices). */
static ctune_status parzen_build(parzen *pz, const ctune__tpe_opts *o, const double *x, size_t n,
                                 size_t n_choices, double low, double high, int integer)
{
    memset(pz, 0, sizeof *pz);
    size_t m = n + 1;
    pz->m = m;
    pz->n_choices = n_choices;
    pz->low = low;
    pz->high = high;
    pz->integer = integer;
    pz->w = CTUNE_NEW_ARRAY(double, m);
    if (!pz->w)
        return CTUNE_ENOMEM;
    default_weights(pz->w, n);
    pz->w[n] = o->prior_weight;
    double sum = 0;
    for (size_t i = 0; i < m; i++)
        sum += pz->w[i];
    for (size_t i = 0; i < m; i++)
        pz->w[i] /= sum;
    if (n_choices) {
        pz->cat = ctune__malloc_array(m, n_choices * sizeof(double));
        if (!pz->cat)
            return CTUNE_ENOMEM;
        double base = o->prior_weight / (double)m;
        for (size_t i = 0; i < m; i++) {
            double *row = pz->cat + i * n_choices;
            for (size_t c = 0; c < n_choices; c++)
                row[c] = base;
            if (i < n)
                row[(size_t)x[i]] += 1.0;
            double s = 0;
            for (size_t c = 0; c < n_choices; c++)
                s += row[c];
            for (size_t c = 0; c < n_choices; c++)
                row[c] /= s;
        }
        return CTUNE_OK;
    }
    pz->mu = CTUNE_NEW_ARRAY(double, m);
    pz->sigma = CTUNE_NEW_ARRAY(double, m);
    vi *srt = CTUNE_NEW_ARRAY(vi, m);
    double *ends = CTUNE_NEW_ARRAY(double, m + 2);
    if (!pz->mu || !pz->sigma || !srt || !ends) {
        ctune__free(srt);
        ctune__free(ends);
        return CTUNE_ENOMEM;
    }
    for (size_t i = 0; i < n; i++)
        pz->mu[i] = x[i];
    pz->mu[n] = 0.5 * (low + high);
    for (size_t i = 0; i < m; i++)
        srt[i] = (vi){pz->mu[i], i};
    qsort(srt, m, sizeof *srt, cmp_vi);
    ends[0] = low;
    for (size_t i = 0; i < m; i++)
        ends[i + 1] = srt[i].v;
    ends[m + 1] = high;
    for (size_t k = 0; k < m; k++) {
        double left = ends[k + 1] - ends[k], right = ends[k + 2] - ends[k + 1];
        double s = left > right ? left : right;
        if (!o->consider_endpoints && m + 2 >= 4) {
            if (k == 0)
                s = ends[2] - ends[1];
            else if (k == m - 1)
                s = ends[m] - ends[m - 1];
        }
        pz->sigma[srt[k].i] = s;
    }
    double range = high - low;
    double cells = 1.0 + (double)m;
    double minsigma = o->consider_magic_clip ? range / (cells < 100.0 ? cells : 100.0) : 1e-12;
    for (size_t i = 0; i < m; i++) {
        double s = pz->sigma[i];
        pz->sigma[i] = s < minsigma ? minsigma : s > range ? range : s;
    }
    pz->sigma[n] = range;
    ctune__free(srt);
    ctune__free(ends);
    return CTUNE_OK;
}

static size_t pick_component(const parzen *pz, ctune_rng *rng)
{
    double u = ctune_rng_uniform(rng), c = 0;
    for (size_t i = 0; i + 1 < pz->m; i++) {
        c += pz->w[i];
        if (u < c)
            return i;
    }
    return pz->m - 1;
}

/* A draw: categorical index, or a value on the transformed scale (an integer
 * dimension rounds it to the nearest integer within range). */
static double parzen_sample(const parzen *pz, ctune_rng *rng)
{
    size_t i = pick_component(pz, rng);
    if (pz->n_choices) {
        const double *row = pz->cat + i * pz->n_choices;
        double u = ctune_rng_uniform(rng), c = 0;
        for (size_t k = 0; k + 1 < pz->n_choices; k++) {
            c += row[k];
            if (u < c)
                return (double)k;
        }
        return (double)(pz->n_choices - 1);
    }
    double mu = pz->mu[i], s = pz->sigma[i];
    double x = mu + s * trunc_normal(rng, (pz->low - mu) / s, (pz->high - mu) / s);
    if (pz->integer) {
        x = round(x);
        if (x < pz->low + 0.5)
            x = pz->low + 0.5;
        if (x > pz->high - 0.5)
            x = pz->high - 0.5;
    } else {
        if (x < pz->low)
            x = pz->low;
        if (x > pz->high)
            x = pz->high;
    }
    return x;
}

static double parzen_log_pdf(const parzen *pz, double x)
{
    if (pz->n_choices) {
        double s = 0;
        for (size_t i = 0; i < pz->m; i++)
            s += pz->w[i] * pz->cat[i * pz->n_choices + (size_t)x];
        return log(s);
    }
    double best = -INFINITY;
    double stack[64];
    double *lp = pz->m <= 64 ? stack : NULL;
    /* log-sum-exp in two passes without a buffer when m is large */
    for (size_t pass = 0; pass < 2; pass++) {
        double acc = 0;
        for (size_t i = 0; i < pz->m; i++) {
            double mu = pz->mu[i], s = pz->sigma[i];
            double a = (pz->low - mu) / s, b = (pz->high - mu) / s;
            double l;
            if (pass == 1 && lp) {
                l = lp[i];
            } else {
                if (pz->integer) {
                    double lo = x - 0.5 < pz->low ? pz->low : x - 0.5;
                    double hi = x + 0.5 > pz->high ? pz->high : x + 0.5;
                    l = log_gauss_mass((lo - mu) / s, (hi - mu) / s) - log_gauss_mass(a, b);
                } else {
                    double z = (x - mu) / s;
                    l = -0.5 * z * z - LOG_SQRT_2PI - log(s) - log_gauss_mass(a, b);
                }
                l += log(pz->w[i]);
                if (lp)
                    lp[i] = l;
            }
            if (pass == 0) {
                if (l > best)
                    best = l;
            } else {
                acc += exp(l - best);
            }
        }
        if (pass == 1)
            return best + log(acc);
        if (best == -INFINITY)
            return -INFINITY;
    }
    return best;
}

/* ---- the space ---------------------------------------------------------------- */

/* Index of the value of `name` in p among a list's values; -1 when absent. */
static long list_index(const ctune__space_entry *e, const ctune_params *p)
{
    int t = ctune_params_type(p, e->name);
    for (size_t k = 0; k < e->n_values; k++) {
        const ctune__value *v = &e->values[k];
        if (v->type != t)
            continue;
        switch (t) {
        case CTUNE_TYPE_INT: {
            int64_t i;
            if (ctune_params_get_int(&i, p, e->name) == CTUNE_OK && i == v->i)
                return (long)k;
            break;
        }
        case CTUNE_TYPE_BOOL: {
            int b;
            if (ctune_params_get_bool(&b, p, e->name) == CTUNE_OK && b == (v->i != 0))
                return (long)k;
            break;
        }
        case CTUNE_TYPE_DOUBLE: {
            double d;
            if (ctune_params_get_double(&d, p, e->name) == CTUNE_OK &&
                (d == v->d || (isnan(d) && isnan(v->d))))
                return (long)k;
            break;
        }
        case CTUNE_TYPE_STRING: {
            const char *s;
            if (ctune_params_get_string(&s, p, e->name) == CTUNE_OK && strcmp(s, v->s) == 0)
                return (long)k;
            break;
        }
        default: return (long)k; /* none */
        }
    }
    return -1;
}

/* The range of a numerical dimension on the transformed scale. */
static void dim_range(const ctune__space_entry *e, double *low, double *high)
{
    switch (e->kind) {
    case CTUNE__DIST_LOGUNIFORM:
        *low = log(e->lo);
        *high = log(e->hi);
        break;
    case CTUNE__DIST_RANDINT: /* integers ilo .. ihi - 1 */
        *low = (double)e->ilo - 0.5;
        *high = (double)(e->ihi - 1) + 0.5;
        break;
    default:
        *low = e->lo;
        *high = e->hi;
        break;
    }
}

/* History entry t's value of dimension e on the transformed scale. */
static ctune_status observe(const ctune__space_entry *e, const ctune_params *p, size_t t,
                            double *out)
{
    if (ctune_params_find(p, e->name) < 0)
        return ctune_set_error(CTUNE_EINVAL, "TPE: trial %zu has no value for '%s'", t, e->name);
    if (e->kind == CTUNE__DIST_LIST) {
        long k = list_index(e, p);
        if (k < 0)
            return ctune_set_error(CTUNE_EINVAL,
                                   "TPE: trial %zu: the value of '%s' is not one "
                                   "of its list",
                                   t, e->name);
        *out = (double)k;
        return CTUNE_OK;
    }
    double v, low, high;
    ctune_status st = ctune_params_get_double(&v, p, e->name);
    if (st != CTUNE_OK) {
        ctune__error_prefix("TPE: trial %zu", t);
        return st;
    }
    if (e->kind == CTUNE__DIST_LOGUNIFORM)
        v = v > 0 ? log(v) : NAN;
    dim_range(e, &low, &high);
    if (!(v >= low && v <= high))
        return ctune_set_error(CTUNE_EINVAL,
                               "TPE: trial %zu: the value of '%s' is outside its "
                               "range",
                               t, e->name);
    *out = v;
    return CTUNE_OK;
}

/* Sets dimension e of p from x (transformed scale or choice index). */
static ctune_status emit(const ctune__space_entry *e, double x, ctune_params *p)
{
    switch (e->kind) {
    case CTUNE__DIST_LIST: return ctune__value_set(p, e->name, &e->values[(size_t)x]);
    case CTUNE__DIST_RANDINT: return ctune_params_set_int(p, e->name, (int64_t)x);
    case CTUNE__DIST_LOGUNIFORM: {
        double v = exp(x);
        v = v < e->lo ? e->lo : v > e->hi ? e->hi : v;
        return ctune_params_set_double(p, e->name, v);
    }
    default: return ctune_params_set_double(p, e->name, x);
    }
}

/* A uniform draw of dimension e (the startup phase), as ctune's random search
 * draws it. */
static double uniform_draw(const ctune__space_entry *e, ctune_rng *rng)
{
    switch (e->kind) {
    case CTUNE__DIST_LIST: return (double)ctune_rng_below(rng, e->n_values);
    case CTUNE__DIST_RANDINT:
        return (double)(int64_t)((uint64_t)e->ilo +
                                 ctune_rng_below(rng, (uint64_t)e->ihi - (uint64_t)e->ilo));
    case CTUNE__DIST_LOGUNIFORM: {
        double a = log(e->lo), b = log(e->hi);
        return a + (b - a) * ctune_rng_uniform(rng);
    }
    default: {
        double u = ctune_rng_uniform(rng);
        return e->lo + (e->hi - e->lo) * u;
    }
    }
}

/* ---- proposals ------------------------------------------------------------------ */

typedef struct {
    const ctune__tpe_opts *o;
    const ctune_space *sp;
    size_t nd;
    double *obs; /* n_hist × nd observations (transformed) */
    size_t *below, *above;
    size_t n_below, n_above;
    parzen *l, *g; /* nd each (when not in the startup phase) */
    int startup;
    int lists;      /* every dimension is a list */
    uint64_t grid;  /* grid size when lists */
    uint64_t *seen; /* sorted grid indices evaluated or proposed */
    size_t n_seen, cap_seen;
} tpe_run;

static uint64_t grid_index(const tpe_run *r, const double *x)
{
    uint64_t g = 0;
    for (size_t d = 0; d < r->nd; d++)
        g = g * r->sp->e[d].n_values + (uint64_t)x[d];
    return g;
}

static void grid_decode(const tpe_run *r, uint64_t g, double *x)
{
    for (size_t d = r->nd; d-- > 0;) {
        uint64_t m = r->sp->e[d].n_values;
        x[d] = (double)(g % m);
        g /= m;
    }
}

static int seen_has(const tpe_run *r, uint64_t g)
{
    size_t lo = 0, hi = r->n_seen;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r->seen[mid] < g)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < r->n_seen && r->seen[lo] == g;
}

static ctune_status seen_add(tpe_run *r, uint64_t g)
{
    if (seen_has(r, g))
        return CTUNE_OK;
    if (r->n_seen == r->cap_seen) {
        size_t cap = r->cap_seen ? 2 * r->cap_seen : 16;
        uint64_t *s = ctune__realloc(r->seen, cap * sizeof *s);
        if (!s)
            return CTUNE_ENOMEM;
        r->seen = s;
        r->cap_seen = cap;
    }
    size_t i = r->n_seen;
    while (i > 0 && r->seen[i - 1] > g) {
        r->seen[i] = r->seen[i - 1];
        i--;
    }
    r->seen[i] = g;
    r->n_seen++;
    return CTUNE_OK;
}

/* The j-th unevaluated grid index in increasing order. */
static uint64_t nth_unseen(const tpe_run *r, uint64_t j)
{
    uint64_t g = j;
    for (size_t i = 0; i < r->n_seen && r->seen[i] <= g; i++)
        g++;
    return g;
}

static void run_free(tpe_run *r)
{
    for (size_t d = 0; r->l && d < r->nd; d++)
        parzen_free(&r->l[d]);
    for (size_t d = 0; r->g && d < r->nd; d++)
        parzen_free(&r->g[d]);
    ctune__free(r->l);
    ctune__free(r->g);
    ctune__free(r->obs);
    ctune__free(r->below);
    ctune__free(r->above);
    ctune__free(r->seen);
}

/* Splits the finite-valued history into below (best n_below) and above, both
 * in tell order, and builds l and g for every dimension. */
static ctune_status build_estimators(tpe_run *r, const double *val, size_t n_hist)
{
    size_t n = 0;
    for (size_t t = 0; t < n_hist; t++)
        n += !isnan(val[t]);
    r->startup = n < (uint64_t)r->o->n_startup_trials || n == 0;
    if (r->startup)
        return CTUNE_OK;
    vi *order = CTUNE_NEW_ARRAY(vi, n);
    r->below = CTUNE_NEW_ARRAY(size_t, n);
    r->above = CTUNE_NEW_ARRAY(size_t, n);
    r->l = ctune__calloc(r->nd, sizeof *r->l);
    r->g = ctune__calloc(r->nd, sizeof *r->g);
    double *xb = CTUNE_NEW_ARRAY(double, n);
    ctune_status st = CTUNE_ENOMEM;
    if (!order || !r->below || !r->above || !r->l || !r->g || !xb)
        goto done;
    size_t m = 0;
    for (size_t t = 0; t < n_hist; t++)
        if (!isnan(val[t]))
            order[m++] = (vi){r->o->minimize ? val[t] : -val[t], t};
    qsort(order, n, sizeof *order, cmp_vi); /* best first, ties by tell order */
    size_t nb = (size_t)ceil(0.1 * (double)n);
    r->n_below = nb < 25 ? nb : 25;
    r->n_above = n - r->n_below;
    for (size_t i = 0; i < r->n_below; i++)
        r->below[i] = order[i].i;
    for (size_t i = r->n_below; i < n; i++)
        r->above[i - r->n_below] = order[i].i;
    qsort(r->below, r->n_below, sizeof(size_t), cmp_size);
    qsort(r->above, r->n_above, sizeof(size_t), cmp_size);
    st = CTUNE_OK;
    for (size_t d = 0; d < r->nd && st == CTUNE_OK; d++) {
        const ctune__space_entry *e = &r->sp->e[d];
        size_t nc = e->kind == CTUNE__DIST_LIST ? e->n_values : 0;
        double low = 0, high = 0;
        if (!nc)
            dim_range(e, &low, &high);
        int integer = e->kind == CTUNE__DIST_RANDINT;
        for (size_t i = 0; i < r->n_below; i++)
            xb[i] = r->obs[r->below[i] * r->nd + d];
        st = parzen_build(&r->l[d], r->o, xb, r->n_below, nc, low, high, integer);
        for (size_t i = 0; i < r->n_above && st == CTUNE_OK; i++)
            xb[i] = r->obs[r->above[i] * r->nd + d];
        if (st == CTUNE_OK)
            st = parzen_build(&r->g[d], r->o, xb, r->n_above, nc, low, high, integer);
    }
done:
    ctune__free(order);
    ctune__free(xb);
    return st;
}

/* The best unevaluated grid point by the summed per-dimension scores of
 * every choice (lowest index on ties); a random one past 2^20 points. */
static ctune_status best_unseen(tpe_run *r, ctune_rng *rng, double *x)
{
    uint64_t free_points = r->grid - r->n_seen;
    if (r->startup || r->grid > (1u << 20)) {
        grid_decode(r, nth_unseen(r, ctune_rng_below(rng, free_points)), x);
        return CTUNE_OK;
    }
    size_t total = 0;
    for (size_t d = 0; d < r->nd; d++)
        total += r->sp->e[d].n_values;
    double *score = CTUNE_NEW_ARRAY(double, total);
    if (!score)
        return CTUNE_ENOMEM;
    for (size_t d = 0, off = 0; d < r->nd; off += r->sp->e[d].n_values, d++)
        for (size_t c = 0; c < r->sp->e[d].n_values; c++)
            score[off + c] = parzen_log_pdf(&r->l[d], (double)c) -
                             parzen_log_pdf(&r->g[d], (double)c);
    double best = -INFINITY;
    uint64_t arg = UINT64_MAX;
    for (uint64_t gi = 0; gi < r->grid; gi++) {
        if (seen_has(r, gi))
            continue;
        grid_decode(r, gi, x);
        double s = 0;
        for (size_t d = 0, off = 0; d < r->nd; off += r->sp->e[d].n_values, d++)
            s += score[off + (size_t)x[d]];
        if (arg == UINT64_MAX || s > best) {
            best = s;
            arg = gi;
        }
    }
    ctune__free(score);
    grid_decode(r, arg, x);
    return CTUNE_OK;
}

/* One proposal into x (transformed scale or choice indices). */
static ctune_status propose_one(tpe_run *r, ctune_rng *rng, double *x)
{
    for (size_t d = 0; d < r->nd; d++) {
        const ctune__space_entry *e = &r->sp->e[d];
        if (r->startup) {
            x[d] = uniform_draw(e, rng);
            continue;
        }
        double best = -INFINITY, arg = 0;
        for (int64_t c = 0; c < r->o->n_ei_candidates; c++) {
            double s = parzen_sample(&r->l[d], rng);
            double score = parzen_log_pdf(&r->l[d], s) - parzen_log_pdf(&r->g[d], s);
            if (c == 0 || score > best) {
                best = score;
                arg = s;
            }
        }
        x[d] = arg;
    }
    if (r->lists) {
        uint64_t g = grid_index(r, x);
        if (seen_has(r, g))
            CTUNE_TRY(best_unseen(r, rng, x));
        CTUNE_TRY(seen_add(r, grid_index(r, x)));
    }
    return CTUNE_OK;
}

ctune_status ctune__tpe_propose(const ctune__tpe_opts *o, const ctune_space *sp, uint64_t seed,
                                ctune_params *const *hist, const double *val, size_t n_hist,
                                size_t k, ctune_params **out)
{
    CTUNE_CHECK_NULL(o, "options");
    CTUNE_CHECK_NULL(out, "out");
    CTUNE_TRY(ctune__tpe_check_space(sp, "space"));
    if (n_hist && (!hist || !val))
        return ctune_set_error(CTUNE_EINVAL, "TPE: the history is NULL");
    for (size_t j = 0; j < k; j++)
        out[j] = NULL;
    tpe_run r;
    memset(&r, 0, sizeof r);
    r.o = o;
    r.sp = sp;
    r.nd = sp->n;
    r.lists = 1;
    for (size_t d = 0; d < r.nd; d++)
        r.lists &= sp->e[d].kind == CTUNE__DIST_LIST;
    ctune_status st = CTUNE_OK;
    if (r.lists && ctune__space_grid_size(sp, &r.grid) != CTUNE_OK) {
        ctune_clear_error();
        r.lists = 0; /* an astronomically large grid: duplicates are not a concern */
    }
    size_t nobs = n_hist * r.nd;
    if (n_hist && (nobs / n_hist != r.nd || !(r.obs = CTUNE_NEW_ARRAY(double, nobs))))
        return ctune_set_error(CTUNE_ENOMEM, "TPE: out of memory for %zu trials", n_hist);
    for (size_t t = 0; t < n_hist && st == CTUNE_OK; t++) {
        if (!hist[t]) {
            st = ctune_set_error(CTUNE_EINVAL, "TPE: trial %zu has no parameters", t);
            break;
        }
        for (size_t d = 0; d < r.nd && st == CTUNE_OK; d++)
            st = observe(&sp->e[d], hist[t], t, &r.obs[t * r.nd + d]);
        if (st == CTUNE_OK && r.lists)
            st = seen_add(&r, grid_index(&r, &r.obs[t * r.nd]));
    }
    if (st == CTUNE_OK && r.lists && r.grid - r.n_seen < k)
        st = ctune_set_error(CTUNE_EINVAL,
                             "TPE: the space has %llu points and %zu were "
                             "evaluated: %zu more cannot all be new",
                             (unsigned long long)r.grid, r.n_seen, k);
    if (st == CTUNE_OK)
        st = build_estimators(&r, val, n_hist);
    double *x = st == CTUNE_OK ? CTUNE_NEW_ARRAY(double, r.nd) : NULL;
    if (st == CTUNE_OK && !x)
        st = CTUNE_ENOMEM;
    uint64_t base = ctune_seed_derive(seed, (uint64_t)n_hist);
    for (size_t j = 0; j < k && st == CTUNE_OK; j++) {
        ctune_rng rng;
        ctune__rng_init(&rng, base, (uint64_t)j);
        st = propose_one(&r, &rng, x);
        if (st == CTUNE_OK)
            st = ctune_params_new(&out[j]);
        for (size_t d = 0; d < r.nd && st == CTUNE_OK; d++)
            st = emit(&sp->e[d], x[d], out[j]);
    }
    ctune__free(x);
    run_free(&r);
    if (st != CTUNE_OK) {
        for (size_t j = 0; j < k; j++) {
            ctune_params_free(out[j]);
            out[j] = NULL;
        }
    }
    return st;
}
