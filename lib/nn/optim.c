/* Optimizers: Keras 3's update rules (keras/src/optimizers) and
 * defaults, with optional clipnorm / clipvalue / global_clipnorm and
 * decoupled weight decay. Scalars per step in double, updates in float. */
#include "nn/hot.h"

#include "nn/optim.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/params.h"
#include "nn/gemm.h"
#include "nn/names.h"

static const ctune__name NAMES[] = {
    {"sgd", NULL, CTUNE__OPT_SGD},         {"adam", NULL, CTUNE__OPT_ADAM},
    {"adamw", NULL, CTUNE__OPT_ADAMW},     {"rmsprop", NULL, CTUNE__OPT_RMSPROP},
    {"adagrad", NULL, CTUNE__OPT_ADAGRAD}, {"adadelta", NULL, CTUNE__OPT_ADADELTA},
    {"adamax", NULL, CTUNE__OPT_ADAMAX},   {"nadam", NULL, CTUNE__OPT_NADAM},
};
#define N_NAMES (sizeof NAMES / sizeof NAMES[0])

int ctune__optim_find(const char *name) { return ctune__name_find(NAMES, N_NAMES, name); }
const char *ctune__optim_name(int id)
{
    return id >= 0 && (size_t)id < N_NAMES ? NAMES[id].name : NULL;
}
void ctune__optim_list(char *buf, size_t cap) { ctune__name_list(NAMES, N_NAMES, buf, cap); }
const char *ctune_nn_optimizer_name(size_t i) { return i < N_NAMES ? NAMES[i].name : NULL; }

void ctune__optim_defaults(ctune__optim *o, int kind)
{
    memset(o, 0, sizeof *o);
    o->kind = kind;
    o->learning_rate = kind == CTUNE__OPT_SGD ? 0.01 : 0.001;
    o->beta_1 = 0.9;
    o->beta_2 = 0.999;
    o->epsilon = 1e-7;
    o->rho = kind == CTUNE__OPT_ADADELTA ? 0.95 : 0.9;
    o->initial_accumulator_value = 0.1;
    o->weight_decay = kind == CTUNE__OPT_ADAMW ? 0.004 : 0.0;
    o->u_product = 1.0;
}

static ctune_status get_num(const ctune_params *p, const char *name, double *v)
{
    return ctune__params_double_or(p, name, *v, v);
}

ctune_status ctune__optim_configure(ctune__optim *o, const ctune_params *p)
{
    ctune__optim t = *o;
    if (p) {
        CTUNE_TRY(get_num(p, "learning_rate", &t.learning_rate));
        CTUNE_TRY(get_num(p, "momentum", &t.momentum));
        CTUNE_TRY(get_num(p, "beta_1", &t.beta_1));
        CTUNE_TRY(get_num(p, "beta_2", &t.beta_2));
        CTUNE_TRY(get_num(p, "epsilon", &t.epsilon));
        CTUNE_TRY(get_num(p, "rho", &t.rho));
        CTUNE_TRY(get_num(p, "initial_accumulator_value", &t.initial_accumulator_value));
        CTUNE_TRY(get_num(p, "weight_decay", &t.weight_decay));
        CTUNE_TRY(get_num(p, "clipnorm", &t.clipnorm));
        CTUNE_TRY(get_num(p, "clipvalue", &t.clipvalue));
        CTUNE_TRY(get_num(p, "global_clipnorm", &t.global_clipnorm));
        CTUNE_TRY(ctune__params_bool_or(p, "nesterov", t.nesterov, &t.nesterov));
        CTUNE_TRY(ctune__params_bool_or(p, "amsgrad", t.amsgrad, &t.amsgrad));
        CTUNE_TRY(ctune__params_bool_or(p, "centered", t.centered, &t.centered));
    }
    if ((t.clipnorm > 0) + (t.clipvalue > 0) + (t.global_clipnorm > 0) > 1)
        return ctune_set_error(CTUNE_EINVAL, "compile: only one of clipnorm, clipvalue and "
                                             "global_clipnorm can be set");
    *o = t;
    return CTUNE_OK;
}

static size_t slots_needed(const ctune__optim *o)
{
    switch (o->kind) {
    case CTUNE__OPT_SGD: return o->momentum > 0 ? 1 : 0;
    case CTUNE__OPT_ADAM:
    case CTUNE__OPT_ADAMW: return o->amsgrad ? 3 : 2;
    case CTUNE__OPT_RMSPROP: return 1 + (o->momentum > 0) + (o->centered != 0);
    case CTUNE__OPT_ADAGRAD: return 1;
    default: /* adadelta, adamax, nadam */ return 2;
    }
}

ctune_status ctune__optim_prepare(ctune__optim *o, size_t n)
{
    size_t k = slots_needed(o);
    if (o->slots && o->n == n && o->n_slots == k)
        return CTUNE_OK;
    ctune__free(o->slots);
    o->slots = NULL;
    o->n = n;
    o->n_slots = k;
    if (k == 0)
        return CTUNE_OK;
    if (n > SIZE_MAX / k)
        return ctune_set_error(CTUNE_ENOMEM,
                               "compile: %zu optimizer slots of %zu weights "
                               "overflow the size range",
                               k, n);
    o->slots = ctune__calloc(k * n, sizeof(float));
    if (!o->slots)
        return CTUNE_ENOMEM;
    if (o->kind == CTUNE__OPT_ADAGRAD)
        for (size_t i = 0; i < n; i++)
            o->slots[i] = (float)o->initial_accumulator_value;
    return CTUNE_OK;
}

void ctune__optim_reset(ctune__optim *o)
{
    ctune__free(o->slots);
    o->slots = NULL;
    o->n = o->n_slots = 0;
    o->iterations = 0;
    o->u_product = 1.0;
}

static double sumsq(const float *g, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        s += (double)g[i] * g[i];
    return s;
}

static void scale(float *g, size_t n, float f)
{
    for (size_t i = 0; i < n; i++)
        g[i] *= f;
}

static void clip(const ctune__optim *o, float *g, const size_t *seg, size_t n_seg)
{
    size_t n = seg[n_seg];
    if (o->clipvalue > 0) {
        float c = (float)o->clipvalue;
        for (size_t i = 0; i < n; i++)
            g[i] = g[i] > c ? c : (g[i] < -c ? -c : g[i]);
    } else if (o->clipnorm > 0) {
        for (size_t s = 0; s < n_seg; s++) {
            double nrm = sqrt(sumsq(g + seg[s], seg[s + 1] - seg[s]));
            if (nrm > o->clipnorm)
                scale(g + seg[s], seg[s + 1] - seg[s], (float)(o->clipnorm / nrm));
        }
    } else if (o->global_clipnorm > 0) {
        double nrm = sqrt(sumsq(g, n));
        if (nrm > o->global_clipnorm)
            scale(g, n, (float)(o->global_clipnorm / nrm));
    }
}

/* sqrtf does not vectorize while it may set errno (and -fno-math-errno is
 * not available per function), so the updates run in blocks: a first loop
 * computes the sqrt arguments into tmp, vsqrt() takes their square roots
 * with SIMD instructions, a second loop finishes the update. */
#define BLK 512

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
__attribute__((target("avx512f"))) static void vsqrt_avx512(float *x, size_t n)
{
    size_t i = 0;
    for (; i + 16 <= n; i += 16)
        _mm512_storeu_ps(x + i, _mm512_sqrt_ps(_mm512_loadu_ps(x + i)));
    for (; i < n; i++)
        _mm_store_ss(x + i, _mm_sqrt_ss(_mm_load_ss(x + i)));
}
static void vsqrt(float *x, size_t n)
{
    if (__builtin_cpu_supports("avx512f")) {
        vsqrt_avx512(x, n);
        return;
    }
    size_t i = 0;
    for (; i + 4 <= n; i += 4)
        _mm_storeu_ps(x + i, _mm_sqrt_ps(_mm_loadu_ps(x + i)));
    for (; i < n; i++)
        _mm_store_ss(x + i, _mm_sqrt_ss(_mm_load_ss(x + i)));
}
#else
static void vsqrt(float *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        x[i] = sqrtf(x[i]);
}
#endif

CTUNE__MULTIVERSION
static void step_sgd(float *restrict w, const float *restrict g, float *restrict mom, size_t n,
                     float lr, float mu, int nesterov)
{
    if (!mom) {
        for (size_t i = 0; i < n; i++)
            w[i] -= lr * g[i];
    } else if (nesterov) {
        for (size_t i = 0; i < n; i++) {
            float m = mu * mom[i] - lr * g[i];
            mom[i] = m;
            w[i] += mu * m - lr * g[i];
        }
    } else {
        for (size_t i = 0; i < n; i++) {
            float m = mu * mom[i] - lr * g[i];
            mom[i] = m;
            w[i] += m;
        }
    }
}

CTUNE__MULTIVERSION
static void adam_moments(const float *restrict g, float *restrict m, float *restrict v,
                         float *restrict vhat, float *restrict tmp, size_t n, float b1c, float b2c)
{
    for (size_t i = 0; i < n; i++) {
        m[i] += (g[i] - m[i]) * b1c;
        v[i] += (g[i] * g[i] - v[i]) * b2c;
    }
    if (vhat) {
        for (size_t i = 0; i < n; i++) {
            vhat[i] = vhat[i] > v[i] ? vhat[i] : v[i];
            tmp[i] = vhat[i];
        }
    } else {
        for (size_t i = 0; i < n; i++)
            tmp[i] = v[i];
    }
}

/* w -= f · num / (den + eps) */
CTUNE__MULTIVERSION
static void apply_ratio(float *restrict w, const float *restrict num, const float *restrict den,
                        size_t n, float f, float eps)
{
    for (size_t i = 0; i < n; i++)
        w[i] -= f * num[i] / (den[i] + eps);
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
/* Adam in one pass with AVX-512 (the common case: no amsgrad). Same
 * operations and rounding as the blocked version. */
__attribute__((target("avx512f"))) static void adam_avx512(float *w, const float *g, float *m,
                                                           float *v, size_t n, float alpha,
                                                           float b1c, float b2c, float eps)
{
    const __m512 va = _mm512_set1_ps(alpha), v1 = _mm512_set1_ps(b1c);
    const __m512 v2 = _mm512_set1_ps(b2c), ve = _mm512_set1_ps(eps);
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m512 gi = _mm512_loadu_ps(g + i), mi = _mm512_loadu_ps(m + i);
        __m512 vi = _mm512_loadu_ps(v + i);
        mi = _mm512_fmadd_ps(_mm512_sub_ps(gi, mi), v1, mi);
        vi = _mm512_fmadd_ps(_mm512_fmsub_ps(gi, gi, vi), v2, vi);
        _mm512_storeu_ps(m + i, mi);
        _mm512_storeu_ps(v + i, vi);
        __m512 den = _mm512_add_ps(_mm512_sqrt_ps(vi), ve);
        __m512 wi = _mm512_loadu_ps(w + i);
        _mm512_storeu_ps(w + i, _mm512_sub_ps(wi, _mm512_div_ps(_mm512_mul_ps(va, mi), den)));
    }
    for (; i < n; i++) {
        float mi = m[i] + (g[i] - m[i]) * b1c;
        float vi = v[i] + (g[i] * g[i] - v[i]) * b2c;
        m[i] = mi;
        v[i] = vi;
        float den = _mm_cvtss_f32(_mm_sqrt_ss(_mm_set_ss(vi))) + eps;
        w[i] -= alpha * mi / den;
    }
}
#define HAVE_ADAM_AVX512 1
#endif

static void step_adam(float *w, const float *g, float *m, float *v, float *vhat, size_t n,
                      float alpha, float b1c, float b2c, float eps)
{
#ifdef HAVE_ADAM_AVX512
    if (!vhat && __builtin_cpu_supports("avx512f")) {
        adam_avx512(w, g, m, v, n, alpha, b1c, b2c, eps);
        return;
    }
#endif
    float tmp[BLK];
    for (size_t i = 0; i < n; i += BLK) {
        size_t k = n - i < BLK ? n - i : BLK;
        adam_moments(g + i, m + i, v + i, vhat ? vhat + i : NULL, tmp, k, b1c, b2c);
        vsqrt(tmp, k);
        apply_ratio(w + i, m + i, tmp, k, alpha, eps);
    }
}

CTUNE__MULTIVERSION
static void rms_velocity(const float *restrict g, float *restrict vel, float *restrict avg,
                         float *restrict tmp, size_t n, float rho, float eps)
{
    for (size_t i = 0; i < n; i++) {
        vel[i] = rho * vel[i] + (1.0f - rho) * g[i] * g[i];
        tmp[i] = vel[i] + eps;
    }
    if (avg)
        for (size_t i = 0; i < n; i++) {
            avg[i] = rho * avg[i] + (1.0f - rho) * g[i];
            tmp[i] = vel[i] - avg[i] * avg[i] + eps;
        }
}

CTUNE__MULTIVERSION
static void rms_apply(float *restrict w, const float *restrict g, float *restrict mom,
                      const float *restrict tmp, size_t n, float lr, float mu)
{
    if (mom) {
        for (size_t i = 0; i < n; i++) {
            mom[i] = mu * mom[i] + lr * g[i] / tmp[i];
            w[i] -= mom[i];
        }
    } else {
        for (size_t i = 0; i < n; i++)
            w[i] -= lr * g[i] / tmp[i];
    }
}

static void step_rmsprop(float *w, const float *g, float *vel, float *mom, float *avg, size_t n,
                         float lr, float rho, float mu, float eps)
{
    float tmp[BLK];
    for (size_t i = 0; i < n; i += BLK) {
        size_t k = n - i < BLK ? n - i : BLK;
        rms_velocity(g + i, vel + i, avg ? avg + i : NULL, tmp, k, rho, eps);
        vsqrt(tmp, k);
        rms_apply(w + i, g + i, mom ? mom + i : NULL, tmp, k, lr, mu);
    }
}

CTUNE__MULTIVERSION
static void adagrad_acc(const float *restrict g, float *restrict acc, float *restrict tmp, size_t n,
                        float eps)
{
    for (size_t i = 0; i < n; i++) {
        acc[i] += g[i] * g[i];
        tmp[i] = acc[i] + eps;
    }
}

static void step_adagrad(float *w, const float *g, float *acc, size_t n, float lr, float eps)
{
    float tmp[BLK];
    for (size_t i = 0; i < n; i += BLK) {
        size_t k = n - i < BLK ? n - i : BLK;
        adagrad_acc(g + i, acc + i, tmp, k, eps);
        vsqrt(tmp, k);
        apply_ratio(w + i, g + i, tmp, k, lr, 0.0f);
    }
}

CTUNE__MULTIVERSION
static void adadelta_acc(const float *restrict g, float *restrict ag, const float *restrict ad,
                         float *restrict t1, float *restrict t2, size_t n, float rho, float eps)
{
    for (size_t i = 0; i < n; i++) {
        ag[i] = rho * ag[i] + (1.0f - rho) * g[i] * g[i];
        t1[i] = ad[i] + eps;
        t2[i] = ag[i] + eps;
    }
}

CTUNE__MULTIVERSION
static void adadelta_apply(float *restrict w, const float *restrict g, float *restrict ad,
                           const float *restrict t1, const float *restrict t2, size_t n, float lr,
                           float rho)
{
    for (size_t i = 0; i < n; i++) {
        float d = -t1[i] * g[i] / t2[i];
        ad[i] = rho * ad[i] + (1.0f - rho) * d * d;
        w[i] += lr * d;
    }
}

static void step_adadelta(float *w, const float *g, float *ag, float *ad, size_t n, float lr,
                          float rho, float eps)
{
    float t1[BLK], t2[BLK];
    for (size_t i = 0; i < n; i += BLK) {
        size_t k = n - i < BLK ? n - i : BLK;
        adadelta_acc(g + i, ag + i, ad + i, t1, t2, k, rho, eps);
        vsqrt(t1, k);
        vsqrt(t2, k);
        adadelta_apply(w + i, g + i, ad + i, t1, t2, k, lr, rho);
    }
}

CTUNE__MULTIVERSION
static void step_adamax(float *restrict w, const float *restrict g, float *restrict m,
                        float *restrict u, size_t n, float lr_c, float b1c, float b2, float eps)
{
    for (size_t i = 0; i < n; i++) {
        float mi = m[i] + (g[i] - m[i]) * b1c;
        float bu = b2 * u[i], ag = fabsf(g[i]);
        float ui = bu > ag ? bu : ag;
        m[i] = mi;
        u[i] = ui;
        w[i] -= lr_c * mi / (ui + eps);
    }
}

CTUNE__MULTIVERSION
static void nadam_moments(const float *restrict g, float *restrict m, float *restrict v,
                          float *restrict mhat, float *restrict tmp, size_t n, float b1c, float b2c,
                          float cm, float cg, float cv)
{
    for (size_t i = 0; i < n; i++) {
        m[i] += (g[i] - m[i]) * b1c;
        v[i] += (g[i] * g[i] - v[i]) * b2c;
        mhat[i] = cm * m[i] + cg * g[i];
        tmp[i] = v[i] * cv;
    }
}

static void step_nadam(float *w, const float *g, float *m, float *v, size_t n, float lr, float b1c,
                       float b2c, float cm, float cg, float cv, float eps)
{
    float tmp[BLK], mhat[BLK];
    for (size_t i = 0; i < n; i += BLK) {
        size_t k = n - i < BLK ? n - i : BLK;
        nadam_moments(g + i, m + i, v + i, mhat, tmp, k, b1c, b2c, cm, cg, cv);
        vsqrt(tmp, k);
        apply_ratio(w + i, mhat, tmp, k, lr, eps);
    }
}

CTUNE__MULTIVERSION
static void decay(float *restrict w, size_t n, float f)
{
    for (size_t i = 0; i < n; i++)
        w[i] -= w[i] * f;
}

/* One step's scalars, computed once; the update of [lo, hi) reads only
 * them and that range, so ranges may run on different threads. */
typedef struct step_job {
    const ctune__optim *o;
    float *w, *g, *s0, *s1, *s2;
    float lr, decay, a1, a2, a3, a4, a5;
} step_job;

static void step_range_body(void *ctx, size_t lo, size_t hi)
{
    const step_job *j = ctx;
    const ctune__optim *o = j->o;
    size_t n = hi - lo;
    float *w = j->w + lo, *g = j->g + lo;
    float *s0 = j->s0 ? j->s0 + lo : NULL, *s1 = j->s1 ? j->s1 + lo : NULL;
    float *s2 = j->s2 ? j->s2 + lo : NULL;
    if (j->decay != 0.0f)
        decay(w, n, j->decay);
    switch (o->kind) {
    case CTUNE__OPT_SGD:
        step_sgd(w, g, o->momentum > 0 ? s0 : NULL, n, j->lr, (float)o->momentum, o->nesterov);
        break;
    case CTUNE__OPT_ADAM:
    case CTUNE__OPT_ADAMW:
        step_adam(w, g, s0, s1, o->amsgrad ? s2 : NULL, n, j->a1, j->a2, j->a3, (float)o->epsilon);
        break;
    case CTUNE__OPT_RMSPROP: {
        float *mom = o->momentum > 0 ? s1 : NULL;
        float *avg = o->centered ? (mom ? s2 : s1) : NULL;
        step_rmsprop(w, g, s0, mom, avg, n, j->lr, (float)o->rho, (float)o->momentum,
                     (float)o->epsilon);
        break;
    }
    case CTUNE__OPT_ADAGRAD: step_adagrad(w, g, s0, n, j->lr, (float)o->epsilon); break;
    case CTUNE__OPT_ADADELTA:
        step_adadelta(w, g, s0, s1, n, j->lr, (float)o->rho, (float)o->epsilon);
        break;
    case CTUNE__OPT_ADAMAX:
        step_adamax(w, g, s0, s1, n, j->a1, j->a2, (float)o->beta_2, (float)o->epsilon);
        break;
    case CTUNE__OPT_NADAM:
        step_nadam(w, g, s0, s1, n, j->lr, j->a1, j->a2, j->a3, j->a4, j->a5, (float)o->epsilon);
        break;
    default: break;
    }
}

/* Subnormal operands or results cost a microcode assist of about a hundred
 * cycles per vector instruction: once training converges, squared
 * gradients below 1.2e-38 made Adam's step twice as slow as the rest of
 * a small network's step. The update runs with subnormals flushed to zero
 * (FTZ and DAZ, as TensorFlow runs its CPU kernels), on the thread that
 * runs it, and restores that thread's mode. Only values far below the
 * weights' last bit change. */
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
static unsigned flush_subnormals(void)
{
    unsigned csr = _mm_getcsr();
    _mm_setcsr(csr | 0x8040u); /* FTZ (bit 15) | DAZ (bit 6) */
    return csr;
}
static void restore_fp_mode(unsigned csr) { _mm_setcsr(csr); }
#else
static unsigned flush_subnormals(void) { return 0; }
static void restore_fp_mode(unsigned csr) { (void)csr; }
#endif

static void step_range(void *ctx, size_t lo, size_t hi)
{
    unsigned csr = flush_subnormals();
    step_range_body(ctx, lo, hi);
    restore_fp_mode(csr);
}

void ctune__optim_step_on(ctune__optim *o, struct ctune__nn_pool *pool, float *w, float *g,
                          const size_t *seg, size_t n_seg)
{
    size_t n = seg[n_seg];
    step_job j = {0};
    j.o = o;
    j.w = w;
    j.g = g;
    j.s0 = o->slots;
    j.s1 = j.s0 ? j.s0 + n : NULL;
    j.s2 = j.s0 && o->n_slots > 2 ? j.s0 + 2 * n : NULL;
    clip(o, g, seg, n_seg); /* reductions: on this thread, in order */
    double lr = o->learning_rate;
    j.lr = (float)lr;
    j.decay = o->weight_decay > 0 ? (float)(o->weight_decay * lr) : 0.0f;
    double t = (double)(o->iterations + 1);
    switch (o->kind) {
    case CTUNE__OPT_ADAM:
    case CTUNE__OPT_ADAMW:
        j.a1 = (float)(lr * sqrt(1.0 - pow(o->beta_2, t)) / (1.0 - pow(o->beta_1, t)));
        j.a2 = (float)(1.0 - o->beta_1);
        j.a3 = (float)(1.0 - o->beta_2);
        break;
    case CTUNE__OPT_ADAMAX:
        j.a1 = (float)(lr / (1.0 - pow(o->beta_1, t)));
        j.a2 = (float)(1.0 - o->beta_1);
        break;
    case CTUNE__OPT_NADAM: {
        /* Keras 3's schedule (keras/src/optimizers/nadam.py): 0.96^t, not
         * Keras <= 2.10's 0.96^(0.004 t) */
        double u_t = o->beta_1 * (1.0 - 0.5 * pow(0.96, t));
        double u_t1 = o->beta_1 * (1.0 - 0.5 * pow(0.96, t + 1.0));
        double up_t = o->u_product * u_t, up_t1 = up_t * u_t1;
        o->u_product = up_t;
        j.a1 = (float)(1.0 - o->beta_1);
        j.a2 = (float)(1.0 - o->beta_2);
        j.a3 = (float)(u_t1 / (1.0 - up_t1));
        j.a4 = (float)((1.0 - u_t) / (1.0 - up_t));
        j.a5 = (float)(1.0 / (1.0 - pow(o->beta_2, t)));
        break;
    }
    default: break;
    }
    /* ranges of whole BLK blocks: each element sees the same calls */
    ctune__nn_pool_for(pool, n, BLK, 65536, step_range, &j);
    o->iterations++;
}

void ctune__optim_step(ctune__optim *o, float *w, float *g, const size_t *seg, size_t n_seg)
{
    ctune__optim_step_on(o, NULL, w, g, seg, n_seg);
}
