/* The conformance kit: a battery of named checks that any estimator handle
 * should pass (scikit-learn's check_estimator idea), for users unit-testing
 * their own estimators. Every check works on clones of the given handle and
 * on data generated here; a failure is reported by the check's name and a
 * reason, never by aborting. */
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/cnum.h"
#include "core/data.h"
#include "core/error.h"
#include "core/params.h"
#include "ctune_testing.h"
#include "estimator/estimator.h"

/* Stream id of every fit of the battery: fits of two clones with it must
 * agree (ctune_fit_ctx_seed derives the same seed). */
#define CHECK_STREAM 0x5EEDu
/* Written into and after each output buffer: a NaN with a payload no
 * computation makes, so a value left unwritten is told from a NaN result.
 * The cells after the buffer must survive predict/transform. */
#define CANARY_BITS UINT64_C(0x7FF4C0FFEE15DEAD)
#define N_CANARY 4

static double canary(void)
{
    uint64_t b = CANARY_BITS;
    double v;
    memcpy(&v, &b, sizeof v);
    return v;
}

static int is_canary(double v)
{
    uint64_t b;
    memcpy(&b, &v, sizeof b);
    return b == CANARY_BITS;
}

typedef struct ck {
    const ctune_estimator *proto;
    int kind;
    double tol;
    size_t n, d, k; /* rows, features, classes of the generated data */
    uint64_t seed;
    double overlap_std; /* fit_deterministic's overlapping classes (0: not run) */
    double *X, *y;      /* n × d, n */
    double *X0, *y0;    /* pristine copies, restored before each check */
    ctune_data *train;
    /* reference fit on train (NULL when fit_predict failed) */
    ctune_estimator *ref;
    double *ref_out; /* n × width */
    size_t width;
    char ref_error[256];
    /* report */
    char *report;
    size_t cap, len;
    int n_failed;
    const char *name; /* current check */
    int failed;       /* current check already reported */
    int quiet;        /* a skipped check run for its side effects only */
    int stop;         /* memory was overwritten: run no further check */
    /* checks that could not run, reported on one line at the end */
    char not_run[512];
    char not_run_why[256];
} ck;

/* ---- helpers ------------------------------------------------------------- */

/* Appends "<head>: <text>\n" to the report (truncated, NUL-terminated). */
static void report_line(ck *c, const char *head, const char *text)
{
    /* snprintf-like: c->len counts the whole report, written while it fits */
    int w;
    if (c->report && c->len < c->cap)
        w = snprintf(c->report + c->len, c->cap - c->len, "%s: %s\n", head, text);
    else
        w = snprintf(NULL, 0, "%s: %s\n", head, text);
    if (w > 0)
        c->len += (size_t)w;
}

static void fail(ck *c, const char *fmt, ...) CTUNE_PRINTF(2, 3);

static void fail(ck *c, const char *fmt, ...)
{
    if (c->failed)
        return;
    c->failed = 1;
    if (c->quiet)
        return;
    c->n_failed++;
    char reason[512];
    va_list ap;
    va_start(ap, fmt);
    ctune__vsnprintf_c(reason, sizeof reason, fmt, ap);
    va_end(ap);
    report_line(c, c->name, reason);
}

static int near(double a, double b, double tol)
{
    if (a == b)
        return 1;
    double m = fmax(1.0, fmax(fabs(a), fabs(b)));
    return fabs(a - b) <= tol * m;
}

/* Compares two n × w outputs; reports the first difference. */
static int same_outputs(ck *c, const double *a, const double *b, size_t n, size_t w,
                        const char *what)
{
    for (size_t i = 0; i < n * w; i++)
        if (!near(a[i], b[i], c->tol)) {
            fail(c, "%s differ at row %zu, column %zu: %.17g vs %.17g (tolerance %g)", what, i / w,
                 i % w, a[i], b[i], c->tol);
            return 0;
        }
    return 1;
}

static double *new_out(size_t n, size_t w)
{
    size_t m = n * (w ? w : 1);
    double *p = CTUNE_NEW_ARRAY(double, m + N_CANARY);
    if (p)
        for (size_t i = 0; i < m + N_CANARY; i++)
            p[i] = canary();
    return p;
}

static int canary_ok(const double *p, size_t n, size_t w)
{
    for (size_t i = 0; i < N_CANARY; i++)
        if (!is_canary(p[n * w + i]))
            return 0;
    return 1;
}

/* predict, or transform for transformers */
static ctune_status outputs(ctune_estimator *e, const ctune_data *X, double *out)
{
    return ctune_estimator_kind(e) == CTUNE_TRANSFORMER ? ctune_estimator_transform(out, e, X)
                                                        : ctune_estimator_predict(out, e, X);
}

/* Clone of the prototype fitted on `data` with the battery's stream.
 * Returns ENOMEM to abort; otherwise OK with *fit_rc the fit's status
 * (*out NULL when it failed, the message in ctune_last_error()). */
static ctune_status fitted_clone(ck *c, const ctune_data *data, ctune_estimator **out,
                                 ctune_status *fit_rc)
{
    *out = NULL;
    ctune_estimator *e;
    CTUNE_TRY(ctune_estimator_clone(&e, c->proto));
    ctune_status rc = ctune_estimator_fit_task(e, data, 1, CHECK_STREAM);
    if (rc == CTUNE_ENOMEM) {
        ctune_estimator_free(e);
        return rc;
    }
    *fit_rc = rc;
    if (rc != CTUNE_OK) {
        ctune_estimator_free(e);
        return CTUNE_OK;
    }
    *out = e;
    return CTUNE_OK;
}

/* Fits a clone on `data` and writes its outputs on `X` into a new buffer
 * (*out, n_rows(X) × c->width). On a failure reports it with `what` and
 * returns OK with *out NULL. */
static ctune_status fit_and_output(ck *c, const ctune_data *data, const ctune_data *X,
                                   const char *what, double **out)
{
    *out = NULL;
    ctune_estimator *e;
    ctune_status frc;
    CTUNE_TRY(fitted_clone(c, data, &e, &frc));
    if (!e) {
        fail(c, "fit on %s failed: %s", what, ctune_last_error());
        return CTUNE_OK;
    }
    size_t w = ctune_estimator_n_outputs(e);
    if (w != c->width) {
        fail(c, "fit on %s gives %zu outputs, the reference fit %zu", what, w, c->width);
        ctune_estimator_free(e);
        return CTUNE_OK;
    }
    double *o = new_out(ctune_data_n_rows(X), w);
    ctune_status rc = o ? outputs(e, X, o) : CTUNE_ENOMEM;
    ctune_estimator_free(e);
    if (rc == CTUNE_ENOMEM) {
        ctune__free(o);
        return rc;
    }
    if (rc != CTUNE_OK) {
        fail(c, "predict after fitting on %s failed: %s", what, ctune_last_error());
        ctune__free(o);
        return CTUNE_OK;
    }
    *out = o;
    return CTUNE_OK;
}

/* Generated data for the estimator's kind: n × d, X rounded to float32
 * precision so float32 and float64 views hold the same values; `spread` is
 * the blobs' cluster_std or the regression's noise. */
static ctune_status generate_spread(ck *c, double *X, double *y, size_t n, size_t d, uint64_t seed,
                                    double spread)
{
    ctune_status rc;
    if (c->kind == CTUNE_REGRESSOR)
        rc = ctune_make_regression(X, y, NULL, n, d, d < 3 ? d : 3, spread, seed);
    else
        rc = ctune_make_blobs(X, y, NULL, n, d, c->k, spread, seed);
    for (size_t i = 0; rc == CTUNE_OK && i < n * d; i++)
        X[i] = (double)(float)X[i];
    return rc;
}

/* Records the current check as not run (reported once, at the end). */
static void not_run(ck *c, const char *why)
{
    c->failed = 1;
    if (c->quiet)
        return;
    size_t len = strlen(c->not_run);
    snprintf(c->not_run + len, sizeof c->not_run - len, "%s%s", len ? ", " : "", c->name);
    if (!c->not_run_why[0])
        snprintf(c->not_run_why, sizeof c->not_run_why, "%.255s", why);
}

static ctune_status generate(ck *c, double *X, double *y, size_t n, size_t d, uint64_t seed)
{
    return generate_spread(c, X, y, n, d, seed, 1.0);
}

static int need_ref(ck *c)
{
    if (c->ref)
        return 1;
    char why[300];
    snprintf(why, sizeof why, "the reference fit failed: %s", c->ref_error);
    not_run(c, why);
    return 0;
}

/* ---- checks ---------------------------------------------------------------- */

static ctune_status check_fit_predict(ck *c)
{
    ctune_status frc;
    CTUNE_TRY(fitted_clone(c, c->train, &c->ref, &frc));
    if (!c->ref) {
        snprintf(c->ref_error, sizeof c->ref_error, "%s", ctune_last_error());
        fail(c, "fit on %zu × %zu generated data failed: %s", c->n, c->d, c->ref_error);
        return CTUNE_OK;
    }
    ctune_estimator *e = c->ref;
    if (!ctune_estimator_is_fitted(e))
        fail(c, "not fitted after a successful fit");
    if (ctune_estimator_n_features_in(e) != c->d)
        fail(c, "n_features_in is %zu, expected %zu", ctune_estimator_n_features_in(e), c->d);
    c->width = ctune_estimator_n_outputs(e);
    size_t want = c->kind == CTUNE_TRANSFORMER ? c->width : 1;
    if (c->width == 0 || c->width != want)
        fail(c, "n_outputs is %zu, expected %zu", c->width, want);
    if (c->kind == CTUNE_CLASSIFIER && ctune_estimator_n_classes(e) != c->k)
        fail(c, "n_classes is %zu, expected %zu", ctune_estimator_n_classes(e), c->k);
    if (c->width == 0) {
        snprintf(c->ref_error, sizeof c->ref_error, "0 outputs");
        ctune_estimator_free(c->ref);
        c->ref = NULL;
        return CTUNE_OK;
    }
    c->ref_out = new_out(c->n, c->width);
    if (!c->ref_out)
        return CTUNE_ENOMEM;
    ctune_status rc = outputs(e, c->train, c->ref_out);
    if (rc == CTUNE_ENOMEM)
        return rc;
    if (rc != CTUNE_OK) {
        snprintf(c->ref_error, sizeof c->ref_error, "%s", ctune_last_error());
        fail(c, "predict on the training data failed: %s", c->ref_error);
        ctune_estimator_free(c->ref);
        c->ref = NULL;
    }
    return CTUNE_OK;
}

static ctune_status check_predict_before_fit(ck *c)
{
    ctune_estimator *e;
    CTUNE_TRY(ctune_estimator_clone(&e, c->proto));
    double *o = new_out(c->n, c->width ? c->width : c->d);
    if (!o) {
        ctune_estimator_free(e);
        return CTUNE_ENOMEM;
    }
    ctune_status rc = outputs(e, c->train, o);
    if (rc != CTUNE_ESTATE && rc != CTUNE_ENOMEM)
        fail(c, "%s on an unfitted clone returned %d (%s), expected CTUNE_ESTATE",
             c->kind == CTUNE_TRANSFORMER ? "transform" : "predict", rc, ctune_status_string(rc));
    if (rc != CTUNE_ENOMEM && c->kind == CTUNE_CLASSIFIER) {
        rc = ctune_estimator_predict_proba(o, e, c->train);
        if (rc != CTUNE_ESTATE && rc != CTUNE_ENOMEM)
            fail(c, "predict_proba on an unfitted clone returned %d (%s), expected CTUNE_ESTATE",
                 rc, ctune_status_string(rc));
    }
    ctune__free(o);
    ctune_estimator_free(e);
    return rc == CTUNE_ENOMEM ? rc : CTUNE_OK;
}

static ctune_status check_clone_unfitted(ck *c)
{
    if (!need_ref(c))
        return CTUNE_OK;
    ctune_estimator *e;
    CTUNE_TRY(ctune_estimator_clone(&e, c->ref));
    if (ctune_estimator_is_fitted(e))
        fail(c, "a clone of a fitted estimator is fitted");
    else if (!ctune_params_equal(ctune_estimator_get_params(e), ctune_estimator_get_params(c->ref)))
        fail(c, "a clone's params differ from the original's");
    else if (strcmp(ctune_estimator_name(e), ctune_estimator_name(c->ref)) != 0 ||
             ctune_estimator_kind(e) != ctune_estimator_kind(c->ref))
        fail(c, "a clone is another kind of estimator (%s)", ctune_estimator_name(e));
    else if (ctune_estimator_n_outputs(e) != 0 || ctune_estimator_n_features_in(e) != 0)
        fail(c, "a clone reports fitted attributes");
    ctune_estimator_free(e);
    return CTUNE_OK;
}

static ctune_status check_params_round_trip(ck *c)
{
    const ctune_params *p = ctune_estimator_get_params(c->proto);
    long need = ctune_params_to_text(NULL, 0, p);
    if (need < 0) {
        fail(c, "get_params cannot be written as text: %s", ctune_last_error());
        return CTUNE_OK;
    }
    char *text = ctune__malloc((size_t)need + 1);
    if (!text)
        return CTUNE_ENOMEM;
    ctune_params_to_text(text, (size_t)need + 1, p);
    ctune_estimator *e = NULL;
    ctune_params *q = NULL;
    ctune_status rc = ctune_estimator_clone(&e, c->proto);
    if (rc == CTUNE_OK)
        rc = ctune_params_new(&q);
    if (rc == CTUNE_OK && (rc = ctune_params_parse(q, text)) != CTUNE_OK && rc != CTUNE_ENOMEM) {
        fail(c, "the text of get_params ('%s') does not parse: %s", text, ctune_last_error());
        rc = CTUNE_OK;
    } else if (rc == CTUNE_OK && (rc = ctune_estimator_set_params(e, q)) != CTUNE_OK &&
               rc != CTUNE_ENOMEM) {
        fail(c, "set_params rejects the text of get_params ('%s'): %s", text, ctune_last_error());
        rc = CTUNE_OK;
    } else if (rc == CTUNE_OK && !ctune_params_equal(ctune_estimator_get_params(e), p)) {
        fail(c, "set_params(get_params text '%s') changed the params", text);
    } else if (rc == CTUNE_OK && (rc = ctune_estimator_set_params(e, p)) != CTUNE_OK &&
               rc != CTUNE_ENOMEM) {
        fail(c, "set_params rejects get_params itself: %s", ctune_last_error());
        rc = CTUNE_OK;
    }
    size_t declared = ctune_spec_count(ctune_estimator_vtable_of(c->proto)->params);
    if (rc == CTUNE_OK && !c->failed && ctune_params_count(p) != declared)
        fail(c, "get_params lists %zu parameters, the spec declares %zu", ctune_params_count(p),
             declared);
    ctune_params_free(q);
    ctune_estimator_free(e);
    ctune__free(text);
    return rc;
}

static ctune_status check_unknown_param(ck *c)
{
    ctune_estimator *e;
    CTUNE_TRY(ctune_estimator_clone(&e, c->proto));
    ctune_status rc = ctune_estimator_set_params_text(e, "ctune_check_no_such_param=1");
    if (rc == CTUNE_OK)
        fail(c, "set_params accepted the unknown parameter 'ctune_check_no_such_param'");
    else if (rc != CTUNE_ENOMEM && rc != CTUNE_EINVAL)
        fail(c, "set_params of an unknown parameter returned %d (%s), expected CTUNE_EINVAL", rc,
             ctune_status_string(rc));
    else if (rc != CTUNE_ENOMEM && !strstr(ctune_last_error(), "ctune_check_no_such_param"))
        fail(c, "the error of an unknown parameter does not name it: '%s'", ctune_last_error());
    else if (rc != CTUNE_ENOMEM && !ctune_params_equal(ctune_estimator_get_params(e),
                                                       ctune_estimator_get_params(c->proto)))
        fail(c, "a rejected set_params changed the params");
    ctune_estimator_free(e);
    return rc == CTUNE_ENOMEM ? rc : CTUNE_OK;
}

/* Two fits with the same seed on the training data: the same predictions
 * and probabilities. */
static ctune_status deterministic_on_train(ck *c)
{
    double *o;
    CTUNE_TRY(fit_and_output(c, c->train, c->train, "the same data with the same seed", &o));
    if (o)
        same_outputs(c, c->ref_out, o, c->n, c->width,
                     "two fits with the same seed and data: predictions");
    ctune__free(o);
    if (c->failed || c->kind != CTUNE_CLASSIFIER ||
        !ctune_estimator_vtable_of(c->proto)->predict_proba)
        return CTUNE_OK;
    /* predict_proba too */
    ctune_estimator *a = NULL, *b = NULL;
    ctune_status frc;
    double *pa = new_out(c->n, c->k), *pb = new_out(c->n, c->k);
    ctune_status rc = pa && pb ? CTUNE_OK : CTUNE_ENOMEM;
    if (rc == CTUNE_OK)
        rc = fitted_clone(c, c->train, &a, &frc);
    if (rc == CTUNE_OK && a)
        rc = fitted_clone(c, c->train, &b, &frc);
    if (rc == CTUNE_OK && a && b) {
        ctune_status r1 = ctune_estimator_predict_proba(pa, a, c->train);
        ctune_status r2 = r1 == CTUNE_OK ? ctune_estimator_predict_proba(pb, b, c->train) : r1;
        if (r1 == CTUNE_ENOMEM || r2 == CTUNE_ENOMEM)
            rc = CTUNE_ENOMEM;
        else if (r1 == CTUNE_OK && r2 == CTUNE_OK)
            same_outputs(c, pa, pb, c->n, c->k, "two fits with the same seed: predict_proba");
    }
    ctune_estimator_free(a);
    ctune_estimator_free(b);
    ctune__free(pa);
    ctune__free(pb);
    return rc;
}

/* Outputs (and, for a classifier with predict_proba, probabilities
 * appended after them) of `e` on `d`: n × (width + k) into a new buffer. */
static ctune_status outputs_and_proba(ck *c, ctune_estimator *e, const ctune_data *d, int proba,
                                      double **out)
{
    size_t n = ctune_data_n_rows(d), w = c->width + (proba ? c->k : 0);
    double *o = new_out(n, w);
    *out = o;
    if (!o)
        return CTUNE_ENOMEM;
    double *p = proba ? CTUNE_NEW_ARRAY(double, n * c->k) : NULL;
    double *q = CTUNE_NEW_ARRAY(double, n * c->width);
    ctune_status rc = (!proba || p) && q ? outputs(e, d, q) : CTUNE_ENOMEM;
    if (rc == CTUNE_OK && proba)
        rc = ctune_estimator_predict_proba(p, e, d);
    if (rc == CTUNE_OK)
        for (size_t i = 0; i < n; i++) {
            memcpy(o + i * w, q + i * c->width, c->width * sizeof *o);
            if (proba)
                memcpy(o + i * w + c->width, p + i * c->k, c->k * sizeof *o);
        }
    ctune__free(p);
    ctune__free(q);
    return rc;
}

/* Two fits with the same seed on data whose classes overlap (a regressor:
 * whose targets are noisy), where neighbourhoods and splits are fragile: an
 * estimator that draws from rand() or keeps state between fits (a global
 * counter) predicts differently. One fit also predicts twice. */
static ctune_status deterministic_on_overlap(ck *c)
{
    size_t n = c->n, d = c->d;
    int proba = c->kind == CTUNE_CLASSIFIER && ctune_estimator_vtable_of(c->proto)->predict_proba;
    size_t w = c->width + (proba ? c->k : 0);
    double *X = CTUNE_NEW_ARRAY(double, n *d), *y = CTUNE_NEW_ARRAY(double, n);
    double *oa = NULL, *oa2 = NULL, *ob = NULL;
    ctune_data *data = NULL;
    ctune_estimator *a = NULL, *b = NULL;
    ctune_status fa = CTUNE_OK, fb = CTUNE_OK, rc = X && y ? CTUNE_OK : CTUNE_ENOMEM;
    if (rc == CTUNE_OK)
        rc = generate_spread(c, X, y, n, d, c->seed + 3, c->overlap_std);
    if (rc == CTUNE_OK)
        rc = ctune_data_new(&data, X, CTUNE_FLOAT64, n, d, 0, y, 1);
    if (rc == CTUNE_OK)
        rc = fitted_clone(c, data, &a, &fa);
    if (rc == CTUNE_OK && a)
        rc = fitted_clone(c, data, &b, &fb);
    if (rc == CTUNE_OK && (!a || !b))
        fail(c, "fit on overlapping classes (cluster_std %g) failed: %s", c->overlap_std,
             ctune_last_error());
    ctune_status r = CTUNE_OK;
    if (rc == CTUNE_OK && a && b) {
        r = outputs_and_proba(c, a, data, proba, &oa);
        if (r == CTUNE_OK)
            r = outputs_and_proba(c, a, data, proba, &oa2);
        if (r == CTUNE_OK)
            r = outputs_and_proba(c, b, data, proba, &ob);
        if (r == CTUNE_ENOMEM)
            rc = r;
        else if (r != CTUNE_OK)
            fail(c, "predict on overlapping classes failed: %s", ctune_last_error());
    }
    if (rc == CTUNE_OK && r == CTUNE_OK && a && b &&
        same_outputs(c, oa, oa2, n, w,
                     "one fit predicting the overlapping-classes data twice: outputs"))
        same_outputs(c, oa, ob, n, w,
                     "two fits with the same seed on overlapping classes (an estimator using "
                     "rand() or global state?): outputs");
    ctune_estimator_free(a);
    ctune_estimator_free(b);
    ctune_data_free(data);
    ctune__free(oa);
    ctune__free(oa2);
    ctune__free(ob);
    ctune__free(X);
    ctune__free(y);
    return rc;
}

static ctune_status check_fit_deterministic(ck *c)
{
    if (!need_ref(c))
        return CTUNE_OK;
    CTUNE_TRY(deterministic_on_train(c));
    if (c->failed || c->overlap_std <= 0)
        return CTUNE_OK;
    return deterministic_on_overlap(c);
}

/* Every declared parameter is read (by its name, through a ctune_params
 * getter) while the estimator is created and fitted: a parameter that
 * create never reads, or reads under a misspelt name, would be tuned for
 * nothing. */
static ctune_status check_unused_params(ck *c)
{
    const ctune_param_spec *spec = ctune_estimator_vtable_of(c->proto)->params;
    size_t np = ctune_spec_count(spec);
    if (np == 0)
        return CTUNE_OK;
    unsigned char *marks = ctune__calloc(np, 1);
    ctune_estimator *e = NULL;
    ctune_status r = CTUNE_OK, rc = marks ? ctune_estimator_clone(&e, c->proto) : CTUNE_ENOMEM;
    if (rc == CTUNE_OK) {
        ctune__params_watch(spec, marks);
        r = ctune_estimator_fit_task(e, c->train, 1, CHECK_STREAM);
        ctune__params_watch(NULL, NULL);
        if (r == CTUNE_ENOMEM)
            rc = r;
    }
    if (rc == CTUNE_OK && r != CTUNE_OK) {
        fail(c, "fit failed: %s", ctune_last_error());
    } else if (rc == CTUNE_OK) {
        char names[400];
        size_t len = 0, count = 0;
        names[0] = '\0';
        for (size_t i = 0; i < np; i++)
            if (!marks[i]) {
                if (len < sizeof names)
                    len += (size_t)snprintf(names + len, sizeof names - len, "%s'%s'",
                                            count ? ", " : "", spec[i].name);
                count++;
            }
        if (count)
            fail(c,
                 "declared parameter%s %s %s never read by create or fit (read under "
                 "another name?)",
                 count > 1 ? "s" : "", names, count > 1 ? "are" : "is");
    }
    ctune_estimator_free(e);
    ctune__free(marks);
    return rc;
}

static ctune_status check_fit_input_unchanged(ck *c)
{
    double *X0 = CTUNE_NEW_ARRAY(double, c->n * c->d);
    double *y0 = CTUNE_NEW_ARRAY(double, c->n);
    double *o = new_out(c->n, c->kind == CTUNE_CLASSIFIER ? c->k : (c->width ? c->width : 1));
    ctune_estimator *e = NULL;
    ctune_status frc = CTUNE_OK, rc = X0 && y0 && o ? CTUNE_OK : CTUNE_ENOMEM;
    if (rc == CTUNE_OK) {
        memcpy(X0, c->X, c->n * c->d * sizeof *X0);
        memcpy(y0, c->y, c->n * sizeof *y0);
        rc = fitted_clone(c, c->train, &e, &frc);
    }
    if (rc == CTUNE_OK && e) {
        ctune_status r = outputs(e, c->train, o);
        if (r == CTUNE_OK && c->kind == CTUNE_CLASSIFIER &&
            ctune_estimator_vtable_of(e)->predict_proba)
            r = ctune_estimator_predict_proba(o, e, c->train);
        if (r == CTUNE_OK && c->kind != CTUNE_TRANSFORMER) {
            double s;
            r = ctune_estimator_score(&s, e, c->train);
        }
        if (r == CTUNE_ENOMEM)
            rc = r;
    }
    if (rc == CTUNE_OK) {
        for (size_t i = 0; i < c->n * c->d && !c->failed; i++)
            if (memcmp(&X0[i], &c->X[i], sizeof *X0) != 0)
                fail(c, "fit or predict modified X row %zu, column %zu (%.17g became %.17g)",
                     i / c->d, i % c->d, X0[i], c->X[i]);
        for (size_t i = 0; i < c->n && !c->failed; i++)
            if (memcmp(&y0[i], &c->y[i], sizeof *y0) != 0)
                fail(c, "fit or predict modified y row %zu (%.17g became %.17g)", i, y0[i],
                     c->y[i]);
        if (!e && !c->failed)
            fail(c, "fit failed: %s", ctune_last_error());
    }
    ctune_estimator_free(e);
    ctune__free(X0);
    ctune__free(y0);
    ctune__free(o);
    return rc;
}

static ctune_status check_predict_shape(ck *c)
{
    if (!need_ref(c))
        return CTUNE_OK;
    if (!canary_ok(c->ref_out, c->n, c->width)) {
        /* the library's own buffers are exactly that size: later checks
         * would corrupt memory */
        fail(c,
             "%s wrote past n_rows × n_outputs = %zu × %zu values; the remaining checks "
             "were not run",
             c->kind == CTUNE_TRANSFORMER ? "transform" : "predict", c->n, c->width);
        c->stop = 1;
        return CTUNE_OK;
    }
    for (size_t i = 0; i < c->n * c->width; i++) {
        if (is_canary(c->ref_out[i])) {
            fail(c, "output row %zu, column %zu was not written", i / c->width, i % c->width);
            return CTUNE_OK;
        }
        if (!isfinite(c->ref_out[i])) {
            fail(c, "output row %zu, column %zu is %g", i / c->width, i % c->width, c->ref_out[i]);
            return CTUNE_OK;
        }
    }
    return CTUNE_OK;
}

static ctune_status check_predict_labels(ck *c)
{
    if (c->kind != CTUNE_CLASSIFIER || !need_ref(c))
        return CTUNE_OK;
    /* labels of the generated data are 0..k-1 */
    for (size_t i = 0; i < c->n; i++) {
        double v = c->ref_out[i];
        if (!(v >= 0 && v < (double)c->k && v == floor(v))) {
            fail(c, "prediction %g of row %zu is not a training label (0..%zu)", v, i, c->k - 1);
            return CTUNE_OK;
        }
    }
    return CTUNE_OK;
}

static ctune_status check_predict_proba(ck *c)
{
    if (c->kind != CTUNE_CLASSIFIER || !ctune_estimator_vtable_of(c->proto)->predict_proba ||
        !need_ref(c))
        return CTUNE_OK;
    double *p = new_out(c->n, c->k);
    if (!p)
        return CTUNE_ENOMEM;
    ctune_status rc = ctune_estimator_predict_proba(p, c->ref, c->train);
    if (rc != CTUNE_OK) {
        if (rc != CTUNE_ENOMEM)
            fail(c, "predict_proba failed: %s", ctune_last_error());
    } else if (!canary_ok(p, c->n, c->k)) {
        fail(c, "predict_proba wrote past n_rows × n_classes = %zu × %zu values", c->n, c->k);
    } else {
        for (size_t i = 0; i < c->n && !c->failed; i++) {
            double s = 0;
            for (size_t j = 0; j < c->k; j++) {
                double v = p[i * c->k + j];
                if (is_canary(v)) {
                    fail(c, "row %zu, class %zu was not written", i, j);
                    break;
                }
                if (!(v >= -c->tol && v <= 1 + c->tol)) {
                    fail(c, "row %zu, class %zu has probability %.17g, outside [0, 1]", i, j, v);
                    break;
                }
                s += v;
            }
            if (!c->failed && !(fabs(s - 1.0) <= fmax(c->tol, 1e-12) * (double)c->k))
                fail(c, "row %zu's probabilities sum to %.17g, not 1 (tolerance %g)", i, s, c->tol);
        }
    }
    ctune__free(p);
    return rc == CTUNE_ENOMEM ? rc : CTUNE_OK;
}

static ctune_status check_one_feature(ck *c)
{
    double *X = CTUNE_NEW_ARRAY(double, c->n), *y = CTUNE_NEW_ARRAY(double, c->n);
    ctune_data *d = NULL;
    ctune_estimator *e = NULL;
    double *o = NULL;
    ctune_status frc = CTUNE_OK, rc = X && y ? CTUNE_OK : CTUNE_ENOMEM;
    if (rc == CTUNE_OK)
        rc = generate(c, X, y, c->n, 1, c->seed + 1);
    if (rc == CTUNE_OK)
        rc = ctune_data_new(&d, X, CTUNE_FLOAT64, c->n, 1, 0, y, 1);
    if (rc == CTUNE_OK)
        rc = fitted_clone(c, d, &e, &frc);
    if (rc == CTUNE_OK && !e)
        fail(c, "fit on 1 feature failed: %s", ctune_last_error());
    if (rc == CTUNE_OK && e) {
        size_t w = ctune_estimator_n_outputs(e);
        o = new_out(c->n, w);
        rc = o ? outputs(e, d, o) : CTUNE_ENOMEM;
        if (rc != CTUNE_OK && rc != CTUNE_ENOMEM) {
            fail(c, "predict on 1 feature failed: %s", ctune_last_error());
            rc = CTUNE_OK;
        } else if (rc == CTUNE_OK) {
            for (size_t i = 0; i < c->n * w && !c->failed; i++)
                if (!isfinite(o[i]))
                    fail(c, "output row %zu is %g with 1 feature", i / w, o[i]);
        }
    }
    ctune__free(o);
    ctune_estimator_free(e);
    ctune_data_free(d);
    ctune__free(X);
    ctune__free(y);
    return rc;
}

static ctune_status check_noncontiguous_labels(ck *c)
{
    if (c->kind != CTUNE_CLASSIFIER || !need_ref(c))
        return CTUNE_OK;
    /* class code j becomes label 3 + 4j: {3, 7, 11, ...} */
    double *y = CTUNE_NEW_ARRAY(double, c->n);
    ctune_data *d = NULL;
    ctune_estimator *e = NULL;
    double *o = new_out(c->n, 1);
    double cls[64];
    ctune_status frc = CTUNE_OK, rc = y && o ? CTUNE_OK : CTUNE_ENOMEM;
    if (rc == CTUNE_OK) {
        for (size_t i = 0; i < c->n; i++)
            y[i] = 3.0 + 4.0 * c->y[i];
        rc = ctune_data_new(&d, c->X, CTUNE_FLOAT64, c->n, c->d, 0, y, 1);
    }
    if (rc == CTUNE_OK)
        rc = fitted_clone(c, d, &e, &frc);
    if (rc == CTUNE_OK && !e)
        fail(c, "fit with labels {3, 7, ...} failed: %s", ctune_last_error());
    if (rc == CTUNE_OK && e) {
        if (ctune_estimator_n_classes(e) != c->k || c->k > 64 ||
            ctune_estimator_classes(cls, e) != CTUNE_OK || cls[0] != 3 || cls[1] != 7)
            fail(c, "classes after fitting labels {3, 7, ...} are not {3, 7, ...}");
        rc = outputs(e, d, o);
        if (rc != CTUNE_OK && rc != CTUNE_ENOMEM) {
            fail(c, "predict with labels {3, 7, ...} failed: %s", ctune_last_error());
            rc = CTUNE_OK;
        } else if (rc == CTUNE_OK) {
            for (size_t i = 0; i < c->n && !c->failed; i++) {
                double want = 3.0 + 4.0 * c->ref_out[i];
                if (o[i] != want)
                    fail(c,
                         "row %zu predicts %g with labels {3, 7, ...}, but %g (label %g) "
                         "with labels {0, 1, ...}: the same codes and seed must predict the "
                         "same",
                         i, o[i], c->ref_out[i], want);
            }
        }
    }
    ctune_estimator_free(e);
    ctune_data_free(d);
    ctune__free(y);
    ctune__free(o);
    return rc;
}

/* fit on (X, y) with one value replaced must fail with CTUNE_EDATA */
static ctune_status expect_fit_edata(ck *c, double *arr, size_t at, double bad, const char *what)
{
    double keep = arr[at];
    arr[at] = bad;
    ctune_estimator *e;
    ctune_status frc = CTUNE_OK;
    ctune_status rc = fitted_clone(c, c->train, &e, &frc);
    arr[at] = keep;
    if (rc != CTUNE_OK)
        return rc;
    if (e) {
        fail(c, "fit accepted %s", what);
        ctune_estimator_free(e);
    } else if (frc != CTUNE_EDATA) {
        fail(c, "fit with %s returned %d (%s), expected CTUNE_EDATA", what, frc,
             ctune_status_string(frc));
    }
    return CTUNE_OK;
}

static ctune_status check_nonfinite_rejected(ck *c)
{
    size_t r = c->n / 2;
    CTUNE_TRY(expect_fit_edata(c, c->X, r * c->d + c->d - 1, NAN, "a NaN in X"));
    CTUNE_TRY(expect_fit_edata(c, c->X, r * c->d, INFINITY, "+Inf in X"));
    if (c->kind != CTUNE_TRANSFORMER) {
        CTUNE_TRY(expect_fit_edata(c, c->y, r, NAN, "a NaN in y"));
        CTUNE_TRY(expect_fit_edata(c, c->y, r + 1, -INFINITY, "-Inf in y"));
    }
    if (c->failed || !c->ref)
        return CTUNE_OK;
    double *o = new_out(c->n, c->width);
    if (!o)
        return CTUNE_ENOMEM;
    double keep = c->X[r * c->d];
    c->X[r * c->d] = NAN;
    ctune_status rc = outputs(c->ref, c->train, o);
    c->X[r * c->d] = keep;
    ctune__free(o);
    if (rc == CTUNE_ENOMEM)
        return rc;
    if (rc != CTUNE_EDATA)
        fail(c, "predict with a NaN in X returned %d (%s), expected CTUNE_EDATA", rc,
             ctune_status_string(rc));
    return CTUNE_OK;
}

static ctune_status check_empty_data(ck *c)
{
    ctune_data *d;
    CTUNE_TRY(ctune_data_new(&d, c->X, CTUNE_FLOAT64, 0, c->d, 0, c->y, 1));
    ctune_estimator *e;
    ctune_status frc = CTUNE_OK;
    ctune_status rc = fitted_clone(c, d, &e, &frc);
    if (rc == CTUNE_OK && e) {
        fail(c, "fit accepted 0 rows");
        ctune_estimator_free(e);
    } else if (rc == CTUNE_OK && frc != CTUNE_EDATA) {
        fail(c, "fit on 0 rows returned %d (%s), expected CTUNE_EDATA", frc,
             ctune_status_string(frc));
    }
    if (rc == CTUNE_OK && c->ref) {
        double dummy = canary();
        ctune_status r = outputs(c->ref, d, &dummy);
        if (r == CTUNE_ENOMEM)
            rc = r;
        else if (r != CTUNE_OK)
            fail(c, "predict on 0 rows failed: %s", ctune_last_error());
        else if (!is_canary(dummy))
            fail(c, "predict on 0 rows wrote output");
    }
    ctune_data_free(d);
    return rc;
}

static ctune_status check_n_features_mismatch(ck *c)
{
    if (!need_ref(c))
        return CTUNE_OK;
    /* the first n - 1 rows of X read as rows of d + 1 features */
    size_t rows = (c->n * c->d) / (c->d + 1);
    ctune_data *d;
    CTUNE_TRY(ctune_data_new(&d, c->X, CTUNE_FLOAT64, rows, c->d + 1, 0, NULL, 0));
    double *o = new_out(rows, c->width + 1);
    ctune_status rc = o ? outputs(c->ref, d, o) : CTUNE_ENOMEM;
    if (rc != CTUNE_ENOMEM && rc != CTUNE_EDATA)
        fail(c,
             "predict with %zu features after fitting %zu returned %d (%s), expected "
             "CTUNE_EDATA",
             c->d + 1, c->d, rc, ctune_status_string(rc));
    if (rc != CTUNE_ENOMEM && c->kind == CTUNE_CLASSIFIER &&
        ctune_estimator_vtable_of(c->proto)->predict_proba) {
        ctune_status r = ctune_estimator_predict_proba(o, c->ref, d);
        if (r == CTUNE_ENOMEM)
            rc = r;
        else if (r != CTUNE_EDATA)
            fail(c, "predict_proba with %zu features after fitting %zu returned %d (%s)", c->d + 1,
                 c->d, r, ctune_status_string(r));
    }
    ctune__free(o);
    ctune_data_free(d);
    return rc == CTUNE_ENOMEM ? rc : CTUNE_OK;
}

static ctune_status check_subset_invariance(ck *c)
{
    if (!need_ref(c))
        return CTUNE_OK;
    int proba = c->kind == CTUNE_CLASSIFIER && ctune_estimator_vtable_of(c->proto)->predict_proba;
    double *o = new_out(1, c->width), *pall = NULL, *p1 = NULL;
    ctune_status rc = o ? CTUNE_OK : CTUNE_ENOMEM;
    if (rc == CTUNE_OK && proba) {
        pall = new_out(c->n, c->k);
        p1 = new_out(1, c->k);
        rc = pall && p1 ? ctune_estimator_predict_proba(pall, c->ref, c->train) : CTUNE_ENOMEM;
        if (rc != CTUNE_OK && rc != CTUNE_ENOMEM) {
            proba = 0; /* reported by the predict_proba check */
            rc = CTUNE_OK;
        }
    }
    for (size_t i = 0; i < c->n && rc == CTUNE_OK && !c->failed; i++) {
        ctune_data *one;
        rc = ctune_data_subset(&one, c->train, &i, 1);
        if (rc != CTUNE_OK)
            break;
        rc = outputs(c->ref, one, o);
        if (rc == CTUNE_OK)
            for (size_t j = 0; j < c->width && !c->failed; j++)
                if (!near(o[j], c->ref_out[i * c->width + j], c->tol))
                    fail(c, "row %zu predicted alone gives %.17g, within all rows %.17g", i, o[j],
                         c->ref_out[i * c->width + j]);
        if (rc == CTUNE_OK && proba) {
            rc = ctune_estimator_predict_proba(p1, c->ref, one);
            for (size_t j = 0; rc == CTUNE_OK && j < c->k && !c->failed; j++)
                if (!near(p1[j], pall[i * c->k + j], c->tol))
                    fail(c,
                         "row %zu alone has probability %.17g for class %zu, within all rows "
                         "%.17g",
                         i, p1[j], j, pall[i * c->k + j]);
        }
        ctune_data_free(one);
        if (rc != CTUNE_OK && rc != CTUNE_ENOMEM) {
            fail(c, "predicting row %zu alone failed: %s", i, ctune_last_error());
            rc = CTUNE_OK;
        }
    }
    ctune__free(o);
    ctune__free(pall);
    ctune__free(p1);
    return rc;
}

static ctune_status check_views_equivalent(ck *c)
{
    if (!need_ref(c))
        return CTUNE_OK;
    size_t n = c->n, d = c->d, s = d + 3;
    float *Xf = CTUNE_NEW_ARRAY(float, n *d);
    double *Xs = CTUNE_NEW_ARRAY(double, n *s);      /* strided, NaN padding */
    double *Xb = CTUNE_NEW_ARRAY(double, 2 * n * d); /* rows interleaved with junk */
    double *yb = CTUNE_NEW_ARRAY(double, 2 * n);
    size_t *idx = CTUNE_NEW_ARRAY(size_t, n);
    ctune_data *vf = NULL, *vs = NULL, *vb = NULL, *vsub = NULL;
    ctune_status rc = Xf && Xs && Xb && yb && idx ? CTUNE_OK : CTUNE_ENOMEM;
    if (rc == CTUNE_OK) {
        for (size_t i = 0; i < n; i++) {
            for (size_t j = 0; j < d; j++) {
                double v = c->X[i * d + j];
                Xf[i * d + j] = (float)v;
                Xs[i * s + j] = v;
                Xb[(2 * i + 1) * d + j] = v;
                Xb[2 * i * d + j] = 1e6 * (double)(j + 1); /* junk rows */
            }
            for (size_t j = d; j < s; j++)
                Xs[i * s + j] = NAN;
            yb[2 * i + 1] = c->y[i];
            yb[2 * i] = c->kind == CTUNE_REGRESSOR ? -1e6 : 0;
            idx[i] = 2 * i + 1;
        }
        rc = ctune_data_new(&vf, Xf, CTUNE_FLOAT32, n, d, 0, c->y, 1);
    }
    if (rc == CTUNE_OK)
        rc = ctune_data_new(&vs, Xs, CTUNE_FLOAT64, n, d, s, c->y, 1);
    if (rc == CTUNE_OK)
        rc = ctune_data_new(&vb, Xb, CTUNE_FLOAT64, 2 * n, d, 0, yb, 1);
    if (rc == CTUNE_OK)
        rc = ctune_data_subset(&vsub, vb, idx, n);
    const ctune_data *views[3] = {vf, vs, vsub};
    static const char *const names[3] = {"a float32 view", "a strided view",
                                         "a subset (index) view"};
    for (int v = 0; v < 3 && rc == CTUNE_OK && !c->failed; v++) {
        /* fit on the view, predict on the view and on the plain array */
        double *o = NULL;
        rc = fit_and_output(c, views[v], c->train, names[v], &o);
        if (o) {
            char what[96];
            snprintf(what, sizeof what, "fit on %s vs on the plain array: predictions", names[v]);
            same_outputs(c, c->ref_out, o, n, c->width, what);
            ctune__free(o);
        }
        if (rc == CTUNE_OK && !c->failed) {
            o = new_out(n, c->width);
            rc = o ? outputs(c->ref, views[v], o) : CTUNE_ENOMEM;
            if (rc == CTUNE_OK) {
                char what[96];
                snprintf(what, sizeof what, "predict on %s vs on the plain array", names[v]);
                same_outputs(c, c->ref_out, o, n, c->width, what);
            } else if (rc != CTUNE_ENOMEM) {
                fail(c, "predict on %s failed: %s", names[v], ctune_last_error());
                rc = CTUNE_OK;
            }
            ctune__free(o);
        }
    }
    ctune_data_free(vf);
    ctune_data_free(vs);
    ctune_data_free(vsub);
    ctune_data_free(vb);
    ctune__free(Xf);
    ctune__free(Xs);
    ctune__free(Xb);
    ctune__free(yb);
    ctune__free(idx);
    return rc;
}

static ctune_status check_refit_clean(ck *c)
{
    if (!need_ref(c))
        return CTUNE_OK;
    /* fit on other data first, then on train: same as a fresh fit on train */
    double *X = CTUNE_NEW_ARRAY(double, c->n * c->d), *y = CTUNE_NEW_ARRAY(double, c->n);
    ctune_data *other = NULL;
    ctune_estimator *e = NULL;
    double *o = NULL;
    ctune_status rc = X && y ? CTUNE_OK : CTUNE_ENOMEM;
    if (rc == CTUNE_OK)
        rc = generate(c, X, y, c->n, c->d, c->seed + 2);
    if (rc == CTUNE_OK)
        rc = ctune_data_new(&other, X, CTUNE_FLOAT64, c->n, c->d, 0, y, 1);
    if (rc == CTUNE_OK)
        rc = ctune_estimator_clone(&e, c->proto);
    if (rc == CTUNE_OK) {
        ctune_status r = ctune_estimator_fit_task(e, other, 1, CHECK_STREAM);
        if (r == CTUNE_OK)
            r = ctune_estimator_fit_task(e, c->train, 1, CHECK_STREAM);
        if (r == CTUNE_ENOMEM)
            rc = r;
        else if (r != CTUNE_OK)
            fail(c, "a second fit failed: %s", ctune_last_error());
    }
    if (rc == CTUNE_OK && !c->failed) {
        o = new_out(c->n, c->width);
        rc = o ? outputs(e, c->train, o) : CTUNE_ENOMEM;
        if (rc == CTUNE_OK)
            same_outputs(c, c->ref_out, o, c->n, c->width,
                         "a refit after fitting other data vs a fresh fit: predictions");
        else if (rc != CTUNE_ENOMEM) {
            fail(c, "predict after a refit failed: %s", ctune_last_error());
            rc = CTUNE_OK;
        }
    }
    ctune__free(o);
    ctune_estimator_free(e);
    ctune_data_free(other);
    ctune__free(X);
    ctune__free(y);
    return rc;
}

static ctune_status check_score(ck *c)
{
    if (c->kind == CTUNE_TRANSFORMER || !need_ref(c))
        return CTUNE_OK;
    double s = NAN;
    ctune_status rc = ctune_estimator_score(&s, c->ref, c->train);
    if (rc == CTUNE_ENOMEM)
        return rc;
    if (rc != CTUNE_OK)
        fail(c, "score failed: %s", ctune_last_error());
    else if (!isfinite(s))
        fail(c, "%s on the training data is %g", c->kind == CTUNE_REGRESSOR ? "R²" : "score", s);
    else if (c->kind == CTUNE_CLASSIFIER && !ctune_estimator_vtable_of(c->proto)->score &&
             !(s >= 0 && s <= 1))
        fail(c, "accuracy %g is outside [0, 1]", s);
    else if (c->kind == CTUNE_REGRESSOR && !ctune_estimator_vtable_of(c->proto)->score &&
             !(s <= 1 + c->tol))
        fail(c, "R² %g is above 1", s);
    return CTUNE_OK;
}

static ctune_status check_transform_shape(ck *c)
{
    if (c->kind != CTUNE_TRANSFORMER || !need_ref(c))
        return CTUNE_OK;
    /* transform on rows other than the training ones */
    size_t m = c->n / 3 ? c->n / 3 : 1;
    ctune_data *d;
    CTUNE_TRY(ctune_data_new(&d, c->X + (c->n - m) * c->d, CTUNE_FLOAT64, m, c->d, 0, NULL, 0));
    double *o = new_out(m, c->width);
    ctune_status rc = o ? ctune_estimator_transform(o, c->ref, d) : CTUNE_ENOMEM;
    if (rc != CTUNE_OK && rc != CTUNE_ENOMEM) {
        fail(c, "transform of %zu rows failed: %s", m, ctune_last_error());
        rc = CTUNE_OK;
    } else if (rc == CTUNE_OK) {
        if (!canary_ok(o, m, c->width))
            fail(c, "transform wrote past n_rows × n_features_out = %zu × %zu", m, c->width);
        for (size_t i = 0; i < m * c->width && !c->failed; i++)
            if (!isfinite(o[i]))
                fail(c, "transform row %zu, column %zu is %g", i / c->width, i % c->width, o[i]);
    }
    ctune__free(o);
    ctune_data_free(d);
    return rc;
}

static ctune_status check_no_leaks(ck *c)
{
    int64_t live = ctune_alloc_live();
    ctune_estimator *e = NULL, *f = NULL;
    double *o = new_out(c->n, c->kind == CTUNE_CLASSIFIER ? c->k : (c->width ? c->width : c->d));
    ctune_status rc = o ? ctune_estimator_clone(&e, c->proto) : CTUNE_ENOMEM;
    ctune_status r = CTUNE_OK;
    if (rc == CTUNE_OK) {
        /* every path once: fit, outputs, proba, score, clone, set_params, refit */
        r = ctune_estimator_fit_task(e, c->train, 1, CHECK_STREAM);
        if (r == CTUNE_OK)
            r = outputs(e, c->train, o);
        if (r == CTUNE_OK && c->kind == CTUNE_CLASSIFIER &&
            ctune_estimator_vtable_of(e)->predict_proba)
            r = ctune_estimator_predict_proba(o, e, c->train);
        if (r == CTUNE_OK && c->kind != CTUNE_TRANSFORMER) {
            double s;
            r = ctune_estimator_score(&s, e, c->train);
        }
        if (r == CTUNE_OK)
            r = ctune_estimator_clone(&f, e);
        if (r == CTUNE_OK)
            r = ctune_estimator_set_params(e, ctune_estimator_get_params(f));
        if (r == CTUNE_OK)
            r = ctune_estimator_fit_task(e, c->train, 1, CHECK_STREAM);
        if (r == CTUNE_OK)
            r = ctune_estimator_fit_task(e, c->train, 1, CHECK_STREAM); /* over a fit */
        if (r == CTUNE_ENOMEM)
            rc = r;
    }
    ctune_estimator_free(f);
    ctune_estimator_free(e);
    ctune__free(o);
    int64_t after = ctune_alloc_live();
    if (rc == CTUNE_OK && r != CTUNE_OK)
        fail(c, "the fit/predict/score cycle failed: %s", ctune_last_error());
    else if (rc == CTUNE_OK && after != live)
        fail(c,
             "%lld block(s) allocated through ctune were not freed after fit, predict, score, "
             "clone, set_params, refit and free",
             (long long)(after - live));
    return rc;
}

typedef struct job {
    ctune_estimator *e;
    const ctune_data *train;
    double *out;
    ctune_status rc;
    char err[256];
} job;

static void *job_run(void *arg)
{
    job *j = arg;
    j->rc = ctune_estimator_fit_task(j->e, j->train, 1, CHECK_STREAM);
    if (j->rc == CTUNE_OK)
        j->rc = outputs(j->e, j->train, j->out);
    if (j->rc != CTUNE_OK)
        snprintf(j->err, sizeof j->err, "%s", ctune_last_error());
    return NULL;
}

static ctune_status check_concurrency(ck *c)
{
    if (!need_ref(c))
        return CTUNE_OK;
    job jobs[2];
    memset(jobs, 0, sizeof jobs);
    ctune_status rc = CTUNE_OK;
    for (int t = 0; t < 2 && rc == CTUNE_OK; t++) {
        jobs[t].train = c->train;
        jobs[t].out = new_out(c->n, c->width);
        rc = jobs[t].out ? ctune_estimator_clone(&jobs[t].e, c->proto) : CTUNE_ENOMEM;
    }
    pthread_t th[2];
    int started[2] = {0, 0};
    for (int t = 0; t < 2 && rc == CTUNE_OK; t++)
        started[t] = pthread_create(&th[t], NULL, job_run, &jobs[t]) == 0;
    for (int t = 0; t < 2; t++)
        if (started[t])
            pthread_join(th[t], NULL);
    if (rc == CTUNE_OK && !(started[0] && started[1]))
        fail(c, "could not start 2 threads");
    for (int t = 0; t < 2 && rc == CTUNE_OK && !c->failed; t++) {
        if (jobs[t].rc == CTUNE_ENOMEM)
            rc = CTUNE_ENOMEM;
        else if (jobs[t].rc != CTUNE_OK)
            fail(c, "fit/predict in thread %d failed: %s", t, jobs[t].err);
        else
            same_outputs(c, c->ref_out, jobs[t].out, c->n, c->width,
                         t == 0 ? "fits in 2 threads vs sequential: thread 0's predictions"
                                : "fits in 2 threads vs sequential: thread 1's predictions");
    }
    for (int t = 0; t < 2; t++) {
        ctune_estimator_free(jobs[t].e);
        ctune__free(jobs[t].out);
    }
    return rc;
}

/* fit_more (vtable version 3): a fit continued with its own params ends as a
 * fresh fit with them, which is the fit itself: its predictions stay, or
 * fit_more declines (CTUNE_EUNSUPPORTED) and leaves the fit as it was. */
static ctune_status check_fit_more(ck *c)
{
    const ctune_estimator_vtable *vt = ctune_estimator_vtable_of(c->proto);
    if (vt->version < 3 || !vt->fit_more || !need_ref(c))
        return CTUNE_OK;
    ctune_estimator *e;
    ctune_status frc;
    CTUNE_TRY(fitted_clone(c, c->train, &e, &frc));
    if (!e) {
        fail(c, "fit failed: %s", ctune_last_error());
        return CTUNE_OK;
    }
    ctune_fit_ctx ctx;
    ctune__fit_ctx_init(&ctx);
    ctx.has_stream = 1;
    ctx.stream = CHECK_STREAM;
    ctune_status rc = ctune__estimator_continue_ctx(e, c->train, NULL, &ctx);
    double *o = NULL;
    if (rc == CTUNE_ENOMEM) {
        ctune_estimator_free(e);
        return rc;
    }
    int continued = rc == CTUNE_OK;
    const char *how = continued ? "continued" : "declined";
    if (rc != CTUNE_OK && rc != CTUNE_EUNSUPPORTED) {
        fail(c, "fit_more with the fit's own params failed: %s", ctune_last_error());
    } else if (!ctune_estimator_is_fitted(e)) {
        fail(c, "not fitted after fit_more %s", how);
    } else {
        o = new_out(c->n, c->width);
        rc = o ? outputs(e, c->train, o) : CTUNE_ENOMEM;
        if (rc == CTUNE_OK)
            same_outputs(c, c->ref_out, o, c->n, c->width,
                         continued ? "a fit continued with its own params vs the fit: predictions"
                                   : "a fit after fit_more declined vs the fit: predictions");
        else if (rc != CTUNE_ENOMEM)
            fail(c, "predict after fit_more %s failed: %s", how, ctune_last_error());
    }
    ctune__free(o);
    ctune_estimator_free(e);
    return rc == CTUNE_ENOMEM ? rc : CTUNE_OK;
}

/* ---- the battery ----------------------------------------------------------- */

typedef struct check {
    const char *name;
    ctune_status (*fn)(ck *c);
} check;

static const check CHECKS[] = {
    {"fit_predict", check_fit_predict},
    {"predict_shape", check_predict_shape},
    {"predict_before_fit", check_predict_before_fit},
    {"clone_unfitted", check_clone_unfitted},
    {"params_round_trip", check_params_round_trip},
    {"unknown_param", check_unknown_param},
    {"unused_params", check_unused_params},
    {"fit_deterministic", check_fit_deterministic},
    {"fit_input_unchanged", check_fit_input_unchanged},
    {"predict_labels", check_predict_labels},
    {"predict_proba", check_predict_proba},
    {"one_feature", check_one_feature},
    {"noncontiguous_labels", check_noncontiguous_labels},
    {"nonfinite_rejected", check_nonfinite_rejected},
    {"empty_data", check_empty_data},
    {"n_features_mismatch", check_n_features_mismatch},
    {"subset_invariance", check_subset_invariance},
    {"views_equivalent", check_views_equivalent},
    {"refit_clean", check_refit_clean},
    {"score", check_score},
    {"transform_shape", check_transform_shape},
    {"no_leaks", check_no_leaks},
    {"concurrency", check_concurrency},
    {"fit_more", check_fit_more},
};
#define N_CHECKS (sizeof CHECKS / sizeof CHECKS[0])

size_t ctune_check_count(void) { return N_CHECKS; }

const char *ctune_check_name(size_t i) { return i < N_CHECKS ? CHECKS[i].name : NULL; }

static const ctune_param_spec OPTIONS[] = {
    {"tolerance", CTUNE_TYPE_DOUBLE, "1e-9", "[0, inf)", NULL,
     "relative tolerance when comparing predictions and probability sums"},
    {"skip", CTUNE_TYPE_STRING | CTUNE_TYPE_NONE, "none", NULL, NULL,
     "checks not to run, separated by '|'"},
    {"n_rows", CTUNE_TYPE_INT, "60", "[10, 1000000]", NULL, "rows of the generated data"},
    {"n_features", CTUNE_TYPE_INT, "4", "[1, 10000]", NULL, "features of the generated data"},
    {"n_classes", CTUNE_TYPE_INT, "3", "[2, 64]", NULL, "classes of the generated data"},
    {"seed", CTUNE_TYPE_INT, "0", "[0, inf)", NULL, "seed of the generated data"},
    {"cluster_std", CTUNE_TYPE_DOUBLE, "8", "[0, inf)", NULL,
     "spread of the overlapping classes (regression: noise) of fit_deterministic's second "
     "data set; 0 leaves that run out"},
    {NULL, 0, NULL, NULL, NULL, NULL},
};

static void check_names(char *buf, size_t cap)
{
    size_t len = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < N_CHECKS && len < cap; i++) {
        int w = snprintf(buf + len, cap - len, "%s%s", i ? ", " : "", CHECKS[i].name);
        if (w < 0)
            break;
        len += (size_t)w;
    }
}

/* Marks skipped checks from "a|b|c"; unknown names are CTUNE_EINVAL. */
static ctune_status parse_skip(const char *text, unsigned char *skip)
{
    const char *p = text;
    while (*p) {
        const char *e = strchr(p, '|');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        while (len && (*p == ' ')) {
            p++;
            len--;
        }
        while (len && p[len - 1] == ' ')
            len--;
        if (len) {
            size_t i = 0;
            for (; i < N_CHECKS; i++)
                if (strlen(CHECKS[i].name) == len && strncmp(CHECKS[i].name, p, len) == 0)
                    break;
            if (i == N_CHECKS) {
                char names[768];
                check_names(names, sizeof names);
                return ctune_set_error(CTUNE_EINVAL,
                                       "ctune_check_estimator: skip: unknown check '%.*s'; "
                                       "known: %s",
                                       (int)len, p, names);
            }
            skip[i] = 1;
        }
        if (!e)
            break;
        p = e + 1;
    }
    return CTUNE_OK;
}

static ctune_status parse_options(const char *text, ck *c, unsigned char *skip)
{
    ctune_params *opts, *given = NULL;
    CTUNE_TRY(ctune_params_from_spec(&opts, OPTIONS));
    ctune_status rc = ctune_params_parse_spec(&given, text ? text : "", OPTIONS,
                                              "ctune_check_estimator");
    if (rc == CTUNE_OK)
        rc = ctune_params_update(opts, given);
    int64_t n = 0, d = 0, k = 0, seed = 0;
    if (rc == CTUNE_OK)
        rc = ctune_params_get_double(&c->tol, opts, "tolerance");
    if (rc == CTUNE_OK)
        rc = ctune_params_get_int(&n, opts, "n_rows");
    if (rc == CTUNE_OK)
        rc = ctune_params_get_int(&d, opts, "n_features");
    if (rc == CTUNE_OK)
        rc = ctune_params_get_int(&k, opts, "n_classes");
    if (rc == CTUNE_OK)
        rc = ctune_params_get_int(&seed, opts, "seed");
    if (rc == CTUNE_OK)
        rc = ctune_params_get_double(&c->overlap_std, opts, "cluster_std");
    if (rc == CTUNE_OK && !ctune_params_is_none(opts, "skip")) {
        const char *s;
        rc = ctune_params_get_string(&s, opts, "skip");
        if (rc == CTUNE_OK)
            rc = parse_skip(s, skip);
    }
    if (rc == CTUNE_OK && n < 2 * k)
        rc = ctune_set_error(CTUNE_EINVAL,
                             "ctune_check_estimator: n_rows %lld is less than 2 × n_classes (%lld)",
                             (long long)n, (long long)k);
    if (rc != CTUNE_OK && rc != CTUNE_ENOMEM &&
        !strstr(ctune_last_error(), "ctune_check_estimator"))
        ctune__error_prefix("ctune_check_estimator: options");
    c->n = (size_t)n;
    c->d = (size_t)d;
    c->k = (size_t)k;
    c->seed = (uint64_t)seed;
    ctune_params_free(given);
    ctune_params_free(opts);
    return rc;
}

long ctune_check_estimator(char *report, size_t report_cap, int *n_failed,
                           const ctune_estimator *est, const char *options)
{
    if (report && report_cap)
        report[0] = '\0';
    if (n_failed)
        *n_failed = 0;
    CTUNE_CHECK_NULL(est, "est");
    if (!report && report_cap)
        return ctune_set_error(CTUNE_EINVAL, "ctune_check_estimator: report is NULL with cap %zu",
                               report_cap);
    ck c;
    memset(&c, 0, sizeof c);
    unsigned char skip[N_CHECKS];
    memset(skip, 0, sizeof skip);
    CTUNE_TRY(parse_options(options, &c, skip));
    c.proto = est;
    c.kind = ctune_estimator_kind(est);
    c.report = report;
    c.cap = report_cap;
    c.X = CTUNE_NEW_ARRAY(double, c.n *c.d);
    c.y = CTUNE_NEW_ARRAY(double, c.n);
    c.X0 = CTUNE_NEW_ARRAY(double, c.n *c.d);
    c.y0 = CTUNE_NEW_ARRAY(double, c.n);
    ctune_status rc = c.X && c.y && c.X0 && c.y0 ? CTUNE_OK : CTUNE_ENOMEM;
    if (rc == CTUNE_OK)
        rc = generate(&c, c.X0, c.y0, c.n, c.d, c.seed);
    if (rc == CTUNE_OK)
        rc = ctune_data_new(&c.train, c.X, CTUNE_FLOAT64, c.n, c.d, 0, c.y, 1);
    for (size_t i = 0; i < N_CHECKS && rc == CTUNE_OK && !c.stop; i++) {
        /* the first check makes the reference fit the others compare with:
         * when skipped, it still runs, silently */
        if (skip[i] && CHECKS[i].fn != check_fit_predict)
            continue;
        c.name = CHECKS[i].name;
        c.failed = 0;
        c.quiet = skip[i];
        /* an estimator that writes into its input fails one check, not all */
        memcpy(c.X, c.X0, c.n * c.d * sizeof *c.X);
        memcpy(c.y, c.y0, c.n * sizeof *c.y);
        rc = CHECKS[i].fn(&c);
    }
    /* checks left out after memory was overwritten */
    for (size_t i = 0; i < N_CHECKS && rc == CTUNE_OK && c.stop; i++)
        if (!skip[i] && !c.not_run[0] && CHECKS[i].fn == check_predict_shape) {
            for (size_t j = i + 1; j < N_CHECKS; j++)
                if (!skip[j]) {
                    c.name = CHECKS[j].name;
                    c.quiet = 0;
                    not_run(&c, "predict wrote past its output buffer");
                }
        }
    if (rc == CTUNE_OK && c.not_run[0]) {
        char head[300];
        snprintf(head, sizeof head, "not run (%s)", c.not_run_why);
        report_line(&c, head, c.not_run);
    }
    ctune_estimator_free(c.ref);
    ctune__free(c.ref_out);
    ctune_data_free(c.train);
    ctune__free(c.X);
    ctune__free(c.y);
    ctune__free(c.X0);
    ctune__free(c.y0);
    if (rc != CTUNE_OK) {
        if (report && report_cap)
            report[0] = '\0';
        if (rc == CTUNE_ENOMEM)
            return ctune_set_error(CTUNE_ENOMEM, "ctune_check_estimator: out of memory (in %s)",
                                   c.name ? c.name : "setup");
        return rc;
    }
    if (n_failed)
        *n_failed = c.n_failed;
    ctune_clear_error();
    return c.len > (size_t)LONG_MAX ? LONG_MAX : (long)c.len;
}
