/* The HTML report (see report.h, docs/report.md): a summary, the plots of
 * the search drawn with report/svg.h, and the ranked table. */
#define _POSIX_C_SOURCE 200809L /* fstat, stat */
#define CTUNE_EXPERIMENTAL      /* ctune_study_*: a study as the input */
#include "report/report.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/alloc.h"
#include "core/error.h"
#include "report/svg.h"

enum { W = 640, H = 360, ML = 76, MR = 24, MT = 40, MB = 60 };
enum { SW = 330, SH = 270 }; /* one slice plot */
enum { MAX_TABLE_ROWS = 1000, MAX_CURVES = 5, MAX_CATEGORIES = 64 };

/* What every plot needs about the candidates. */
typedef struct view {
    const ctune__rdoc *d;
    size_t n_finite;
    size_t n_pruned, n_incomplete; /* pruned trials; candidates with splits not run */
    double lo, hi;                 /* range of the finite mean scores */
    long best;                     /* the best candidate, -1 when none */
    const char *metric;
    char ylabel[300];
    size_t *order; /* candidates by rank (NaN last, then index) */
} view;

/* The colour of a score (the ramp from the worst to the best). */
static void score_colour(const view *v, double s, char out[8])
{
    ctune__svg_colour(v->hi > v->lo ? (s - v->lo) / (v->hi - v->lo) : 1, out);
}

/* The text of a parameter value: strings as is, numbers formatted, "none"
 * for null. */
static void value_text(ctune__sb *b, const ctune__json *x)
{
    if (!x)
        ctune__sb_str(b, "none");
    else if (x->type == CTUNE__JSON_STRING)
        ctune__sb_str(b, x->str);
    else if (x->type == CTUNE__JSON_BOOL)
        ctune__sb_str(b, x->b ? "true" : "false");
    else if (x->type == CTUNE__JSON_NUMBER)
        ctune__fmt_num(b, x->num);
    else
        ctune__sb_str(b, "none");
}

/* One parameter as plotted: numbers on a linear or log scale, or the
 * distinct values as categories (strings, booleans, or any null). */
typedef struct axis {
    const ctune__rparam *p;
    int categorical, log;
    char **cats; /* sorted distinct texts */
    size_t n_cat;
    double *x; /* per candidate: the value, or its category index */
} axis;

static void axis_free(axis *a)
{
    for (size_t k = 0; k < a->n_cat; k++)
        ctune__free(a->cats[k]);
    ctune__free(a->cats);
    ctune__free(a->x);
    memset(a, 0, sizeof *a);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static ctune_status axis_make(axis *a, const ctune__rdoc *d, const ctune__rparam *p)
{
    memset(a, 0, sizeof *a);
    a->p = p;
    size_t n = d->n_cands;
    a->x = CTUNE_NEW_ARRAY(double, n ? n : 1);
    if (!a->x)
        return CTUNE_ENOMEM;
    a->categorical = 0;
    double lo = INFINITY, hi = 0;
    int all_pos = 1;
    for (size_t i = 0; i < n; i++) { /* the kind of axis: from the candidates plotted */
        if (!isfinite(d->mean[i]))
            continue;
        if (p->v[i] && p->v[i]->type != CTUNE__JSON_NUMBER)
            a->categorical = 1;
        if (!p->v[i]) {
            a->categorical = 1;
            continue;
        }
        if (p->v[i]->type == CTUNE__JSON_NUMBER) {
            double x = p->v[i]->num;
            all_pos &= x > 0;
            lo = fmin(lo, x);
            hi = fmax(hi, x);
        }
    }
    if (!a->categorical) {
        /* a log axis when the values span more than two decades, all positive
         * (the results do not record the space, so its loguniform is unknown) */
        a->log = all_pos && lo > 0 && hi / lo > 100;
        for (size_t i = 0; i < n; i++)
            a->x[i] = p->v[i] ? p->v[i]->num : NAN; /* NULL: a candidate not plotted */
        return CTUNE_OK;
    }
    a->cats = ctune__calloc(n ? n : 1, sizeof *a->cats);
    if (!a->cats)
        return CTUNE_ENOMEM;
    ctune__sb t;
    ctune__sb_init(&t);
    for (size_t i = 0; i < n; i++) { /* distinct texts of the candidates plotted */
        if (!isfinite(d->mean[i]))
            continue;
        t.len = 0;
        ctune__sb_str(&t, "");
        value_text(&t, p->v[i]);
        if (t.failed)
            break;
        size_t k = 0;
        while (k < a->n_cat && strcmp(a->cats[k], t.s) != 0)
            k++;
        if (k == a->n_cat && !(a->cats[a->n_cat++] = ctune__strdup(t.s))) {
            a->n_cat--;
            t.failed = 1;
            break;
        }
    }
    if (t.failed) {
        ctune__sb_free(&t);
        return CTUNE_ENOMEM;
    }
    qsort(a->cats, a->n_cat, sizeof *a->cats, cmp_str);
    for (size_t i = 0; i < n; i++) {
        t.len = 0;
        ctune__sb_str(&t, "");
        value_text(&t, p->v[i]);
        char **hit = t.failed ? NULL : bsearch(&t.s, a->cats, a->n_cat, sizeof *a->cats, cmp_str);
        a->x[i] = hit ? (double)(hit - a->cats) : 0;
    }
    ctune_status rc = t.failed ? CTUNE_ENOMEM : CTUNE_OK;
    ctune__sb_free(&t);
    return rc;
}

static void axis_scale(const axis *a, const view *v, ctune__scale *s, double p0, double p1)
{
    if (a->categorical) {
        ctune__scale_cats(s, (const char *const *)a->cats, a->n_cat, p0, p1);
        return;
    }
    double *vals = CTUNE_NEW_ARRAY(double, v->d->n_cands ? v->d->n_cands : 1);
    size_t m = 0;
    if (vals) /* the range of the candidates that are plotted */
        for (size_t i = 0; i < v->d->n_cands; i++)
            if (isfinite(v->d->mean[i]))
                vals[m++] = a->x[i];
    ctune__scale_fit(s, a->log ? CTUNE__SCALE_LOG : CTUNE__SCALE_LINEAR, vals ? vals : a->x,
                     vals ? m : v->d->n_cands, p0, p1);
    ctune__free(vals);
}

/* "candidate 3: mean accuracy 0.9512 ± 0.0123; lr=0.01, nl=2" for tooltips. */
static void candidate_tip(ctune__sb *b, const view *v, size_t i)
{
    const ctune__rdoc *d = v->d;
    ctune__sb_printf(b, "candidate %zu: mean test %s ", i, v->metric);
    ctune__fmt_fixed(b, d->mean[i], 4);
    ctune__sb_str(b, " ± ");
    ctune__fmt_fixed(b, d->std[i], 4);
    for (size_t k = 0; k < d->n_params; k++) {
        ctune__sb_str(b, k ? ", " : "; ");
        ctune__sb_str(b, d->params[k].name);
        ctune__sb_str(b, "=");
        value_text(b, d->params[k].v[i]);
    }
}

/* A trial a pruner stopped (state "pruned", or the pruned column). */
static int is_pruned(const ctune__rdoc *d, size_t i)
{
    return d->state && d->state[i] && strcmp(d->state[i], "pruned") == 0;
}

/* A candidate without a score because a split of it has not run (a search
 * stopped early, or a study in progress): its error is the results
 * table's "split <k>: not run ...". */
static int is_incomplete(const ctune__rdoc *d, size_t i)
{
    const char *e = d->error ? d->error[i] : NULL;
    if (isfinite(d->mean[i]) || !e || strncmp(e, "split ", 6) != 0 || e[6] < '0' || e[6] > '9')
        return 0;
    e += 6;
    while (*e >= '0' && *e <= '9')
        e++;
    return strncmp(e, ": not run", 9) == 0;
}

static ctune__mark mark_of(const view *v, size_t i)
{
    if (!isfinite(v->d->mean[i]))
        return is_incomplete(v->d, i) ? CTUNE__MARK_INCOMPLETE : CTUNE__MARK_FAILED;
    if ((long)i == v->best)
        return CTUNE__MARK_BEST;
    return is_pruned(v->d, i) ? CTUNE__MARK_PRUNED : CTUNE__MARK_POINT;
}

/* A legend row at y of the marks that `used` flags (indexed by ctune__mark). */
static void legend(ctune__sb *b, double x, double y, const int *used)
{
    static const ctune__mark order[] = {CTUNE__MARK_BEST, CTUNE__MARK_POINT, CTUNE__MARK_PRUNED,
                                        CTUNE__MARK_FAILED, CTUNE__MARK_INCOMPLETE};
    static const char *const text[] = {"candidate", "best", "no score (failed)",
                                       "pruned (score at its last step)", "not run yet"};
    char fill[8];
    ctune__svg_colour(0.6, fill);
    ctune__sb_str(b, "<g class=\"legend\">\n");
    for (size_t k = 0; k < sizeof order / sizeof *order; k++) {
        ctune__mark m = order[k];
        if (!used[m])
            continue;
        ctune__svg_key(b, x + 9, y, m, fill);
        ctune__sb_str(b, "<text class=\"legend\" x=\"");
        ctune__svg_coord(b, x + 22);
        ctune__sb_str(b, "\" y=\"");
        ctune__svg_coord(b, y + 4);
        ctune__sb_printf(b, "\">%s</text>\n", text[m]);
        x += 22 + 6.5 * (double)strlen(text[m]) + 16;
    }
    ctune__sb_str(b, "</g>\n");
}

/* ---- 1. optimization history ------------------------------------------- */

static void plot_history(ctune__sb *b, const view *v)
{
    const ctune__rdoc *d = v->d;
    ctune__sb desc;
    ctune__sb_init(&desc);
    ctune__sb_printf(&desc,
                     "Mean test %s of each of the %zu candidates in the order they were "
                     "evaluated, with the best so far as a line.",
                     v->metric, d->n_cands);
    if (v->best >= 0) {
        ctune__sb_printf(&desc, " The best, candidate %ld, scores ", v->best);
        ctune__fmt_fixed(&desc, d->mean[v->best], 4);
        ctune__sb_str(&desc, " (diamond).");
    }
    if (v->n_pruned)
        ctune__sb_printf(&desc,
                         " %zu trials were pruned (triangles pointing down, at the score of "
                         "their last step; left out of the best-so-far line).",
                         v->n_pruned);
    if (d->n_cands > v->n_finite + v->n_incomplete)
        ctune__sb_printf(&desc, " %zu candidates have no score (crosses on the x axis).",
                         d->n_cands - v->n_finite - v->n_incomplete);
    if (v->n_incomplete)
        ctune__sb_printf(&desc,
                         " %zu candidates are incomplete: some of their splits have not run "
                         "yet (dashed rings on the x axis).",
                         v->n_incomplete);
    ctune__svg_open(b, "history", W, H + 24, "Optimization history", desc.s);
    ctune__svg_heading(b, W / 2.0, 22, "Optimization history");
    ctune__scale sx, sy;
    double xr[2] = {0, d->n_cands ? (double)d->n_cands - 1 : 0};
    ctune__scale_fit(&sx, CTUNE__SCALE_LINEAR, xr, 2, ML, W - MR);
    ctune__scale_fit(&sy, CTUNE__SCALE_LINEAR, d->mean, d->n_cands, H - MB, MT);
    ctune__svg_axis_x(b, &sx, H - MB, "candidate (index, in order of evaluation)");
    ctune__svg_axis_y(b, &sy, ML, v->ylabel);
    /* best so far */
    ctune__sb_str(b, "<polyline class=\"best-line\" points=\"");
    double best = -INFINITY;
    for (size_t i = 0; i < d->n_cands; i++) {
        if (!isfinite(d->mean[i]) || is_pruned(d, i))
            continue;
        double y0 = best;
        best = fmax(best, d->mean[i]);
        if (isfinite(y0) && best > y0) /* a step */
            ctune__svg_xy(b, ctune__scale_map(&sx, (double)i), ctune__scale_map(&sy, y0));
        ctune__svg_xy(b, ctune__scale_map(&sx, (double)i), ctune__scale_map(&sy, best));
    }
    if (isfinite(best) && d->n_cands)
        ctune__svg_xy(b, ctune__scale_map(&sx, (double)d->n_cands - 1),
                      ctune__scale_map(&sy, best));
    ctune__sb_str(b, "\"/>\n<g class=\"points\">\n");
    ctune__sb tip;
    ctune__sb_init(&tip);
    int used[5] = {0};
    for (size_t i = 0; i < d->n_cands; i++) {
        char col[8];
        score_colour(v, d->mean[i], col);
        tip.len = 0;
        ctune__sb_str(&tip, "");
        candidate_tip(&tip, v, i);
        if (!isfinite(d->mean[i]) && d->error && d->error[i]) {
            ctune__sb_str(&tip, "; error: ");
            ctune__sb_str(&tip, d->error[i]);
        }
        ctune__mark m = mark_of(v, i);
        used[m] = 1;
        ctune__svg_mark(b, ctune__scale_map(&sx, (double)i),
                        isfinite(d->mean[i]) ? ctune__scale_map(&sy, d->mean[i]) : H - MB - 6, m,
                        col, tip.s);
    }
    ctune__sb_str(b, "</g>\n");
    legend(b, ML, H + 10, used);
    ctune__svg_close(b, v->n_pruned ? "Each point is a candidate; the line is the best mean score "
                                      "so far of the trials that ran to the end. Higher is "
                                      "better."
                                    : "Each point is a candidate; the line is the best mean score "
                                      "so far. Higher is better.");
    if (tip.failed || desc.failed)
        b->failed = 1;
    ctune__sb_free(&tip);
    ctune__sb_free(&desc);
}

/* ---- 2. parallel coordinates -------------------------------------------- */

static void plot_parallel(ctune__sb *b, const view *v, const axis *ax)
{
    const ctune__rdoc *d = v->d;
    size_t na = d->n_params + 1; /* the params, then the score */
    int w = (int)(na * 130 + 60);
    if (w < W)
        w = W;
    double step = (double)(w - 110) / (double)(na - 1);
    ctune__scale *sc = CTUNE_NEW_ARRAY(ctune__scale, na);
    if (!sc) {
        b->failed = 1;
        return;
    }
    for (size_t k = 0; k < d->n_params; k++)
        axis_scale(&ax[k], v, &sc[k], H - MB, MT + 28);
    ctune__scale_fit(&sc[na - 1], CTUNE__SCALE_LINEAR, d->mean, d->n_cands, H - MB, MT + 28);
    ctune__sb desc;
    ctune__sb_init(&desc);
    ctune__sb_printf(&desc,
                     "One line per candidate with a score (%zu) across one vertical axis "
                     "per parameter (",
                     v->n_finite);
    for (size_t k = 0; k < d->n_params; k++) {
        if (k)
            ctune__sb_str(&desc, ", ");
        ctune__sb_str(&desc, d->params[k].name);
    }
    ctune__sb_printf(&desc,
                     ") and a last axis for the mean test %s; a line's colour is its "
                     "score, dark for the worst and light for the best; the best is the "
                     "thick outlined line.",
                     v->metric);
    if (v->n_pruned)
        ctune__sb_printf(&desc, " The %zu pruned trials are dashed lines.", v->n_pruned);
    ctune__svg_open(b, "parallel", w, H, "Parallel coordinates", desc.s);
    ctune__svg_heading(b, w / 2.0, 22, "Parallel coordinates");
    ctune__sb_str(b, "<g class=\"lines\">\n");
    for (int pass = 0; pass < 2; pass++) /* the best last, on top */
        for (size_t i = 0; i < d->n_cands; i++) {
            if (!isfinite(d->mean[i]) || ((long)i == v->best) != pass)
                continue;
            char col[8];
            score_colour(v, d->mean[i], col);
            if (pass) { /* an outline under the best line */
                ctune__sb_str(b, "<polyline class=\"best-outline\" points=\"");
                for (size_t k = 0; k < na; k++)
                    ctune__svg_xy(b, 70 + step * (double)k,
                                  ctune__scale_map(&sc[k], k + 1 < na ? ax[k].x[i] : d->mean[i]));
                ctune__sb_str(b, "\"/>\n");
            }
            ctune__sb_printf(b, "<polyline class=\"pline%s\" stroke=\"%s\" points=\"",
                             pass              ? " best"
                             : is_pruned(d, i) ? " pruned"
                                               : "",
                             col);
            for (size_t k = 0; k < na; k++)
                ctune__svg_xy(b, 70 + step * (double)k,
                              ctune__scale_map(&sc[k], k + 1 < na ? ax[k].x[i] : d->mean[i]));
            ctune__sb_str(b, "\"><title>");
            ctune__sb tip;
            ctune__sb_init(&tip);
            candidate_tip(&tip, v, i);
            ctune__html_text(b, tip.s);
            if (tip.failed)
                b->failed = 1;
            ctune__sb_free(&tip);
            ctune__sb_str(b, "</title></polyline>\n");
        }
    ctune__sb_str(b, "</g>\n");
    for (size_t k = 0; k < na; k++) {
        double x = 70 + step * (double)k;
        ctune__svg_axis_y(b, &sc[k], x, "");
        ctune__sb_str(b, "<text class=\"label\" text-anchor=\"middle\" x=\"");
        ctune__svg_coord(b, x);
        ctune__sb_printf(b, "\" y=\"%d\">", k % 2 ? MT + 1 : MT + 15); /* staggered: long names */
        if (k + 1 < na) {
            ctune__html_text(b, d->params[k].name);
            if (ax[k].log)
                ctune__sb_str(b, " (log)");
        } else {
            ctune__sb_str(b, "mean ");
            ctune__html_text(b, v->metric);
        }
        ctune__sb_str(b, "</text>\n");
    }
    ctune__svg_close(b, "Each line is a candidate; follow the light lines to see which values "
                        "score well. Parameter values are in their own units; categories are "
                        "sorted by name.");
    if (desc.failed)
        b->failed = 1;
    ctune__sb_free(&desc);
    ctune__free(sc);
}

/* ---- 3. slices ---------------------------------------------------------- */

static void plot_slice(ctune__sb *b, const view *v, const axis *a, size_t k)
{
    const ctune__rdoc *d = v->d;
    char id[32], title[300];
    snprintf(id, sizeof id, "slice-%zu", k);
    snprintf(title, sizeof title, "Slice: %.200s", a->p->name);
    ctune__sb desc;
    ctune__sb_init(&desc);
    ctune__sb_printf(&desc,
                     "Mean test %s of each candidate with a score (%zu) against the value "
                     "of %s",
                     v->metric, v->n_finite, a->p->name);
    ctune__sb_str(&desc, a->categorical ? " (categories)" : a->log ? " (log scale)" : "");
    ctune__sb_str(&desc, "; darker points were evaluated earlier.");
    if (v->n_pruned)
        ctune__sb_str(&desc, " Pruned trials are triangles pointing down.");
    ctune__svg_open(b, id, SW, SH, title, desc.s);
    ctune__svg_heading(b, SW / 2.0, 18, title);
    ctune__scale sx, sy;
    int slant = a->categorical && a->n_cat > 4;
    double bottom = SH - (slant ? 72 : 52);
    axis_scale(a, v, &sx, 70, SW - 14);
    ctune__scale_fit(&sy, CTUNE__SCALE_LINEAR, d->mean, d->n_cands, bottom, 30);
    char xl[300];
    snprintf(xl, sizeof xl, "%.200s (%s)", a->p->name,
             a->categorical ? "category"
             : a->log       ? "value, log scale"
                            : "value");
    ctune__svg_axis_x(b, &sx, bottom, xl);
    ctune__svg_axis_y(b, &sy, 70, v->ylabel);
    ctune__sb_str(b, "<g class=\"points\">\n");
    ctune__sb tip;
    ctune__sb_init(&tip);
    for (size_t i = 0; i < d->n_cands; i++) {
        if (!isfinite(d->mean[i]))
            continue;
        char col[8];
        ctune__svg_colour(d->n_cands > 1 ? (double)i / (double)(d->n_cands - 1) : 1, col);
        tip.len = 0;
        ctune__sb_str(&tip, "");
        candidate_tip(&tip, v, i);
        ctune__svg_mark(b, ctune__scale_map(&sx, a->x[i]), ctune__scale_map(&sy, d->mean[i]),
                        mark_of(v, i), col, tip.s);
    }
    ctune__sb_str(b, "</g>\n");
    ctune__svg_close(b, NULL);
    if (tip.failed || desc.failed)
        b->failed = 1;
    ctune__sb_free(&tip);
    ctune__sb_free(&desc);
}

/* ---- 4. importances ----------------------------------------------------- */

enum { N_TREES = 16 };

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Replaces the n values x[0], x[stride], ... by their rank among the
 * distinct values (0, 1, ...): the same order, so the same trees. */
static ctune_status dense_ranks(double *x, size_t n, size_t stride)
{
    double *u = CTUNE_NEW_ARRAY(double, n ? n : 1);
    if (!u)
        return ctune_set_error(CTUNE_ENOMEM, "report: out of memory");
    for (size_t i = 0; i < n; i++)
        u[i] = x[i * stride];
    qsort(u, n, sizeof *u, cmp_double);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (!m || u[i] != u[m - 1])
            u[m++] = u[i];
    for (size_t i = 0; i < n; i++) {
        const double *hit = bsearch(&x[i * stride], u, m, sizeof *u, cmp_double);
        x[i * stride] = hit ? (double)(hit - u) : 0;
    }
    ctune__free(u);
    return CTUNE_OK;
}

ctune_status ctune__report_importances(const ctune__rdoc *d, double *out)
{
    size_t p = d->n_params, n = 0;
    for (size_t k = 0; k < p; k++)
        out[k] = 0;
    for (size_t i = 0; i < d->n_cands; i++) /* pruned trials stopped early: left out */
        n += isfinite(d->mean[i]) && !is_pruned(d, i);
    if (p == 0 || n < 2)
        return CTUNE_OK;
    axis *ax = ctune__calloc(p, sizeof *ax);
    double *X = CTUNE_NEW_ARRAY(double, n *p);
    double *y = CTUNE_NEW_ARRAY(double, n);
    size_t *rows = CTUNE_NEW_ARRAY(size_t, n);
    double *imp = CTUNE_NEW_ARRAY(double, p);
    ctune_data *data = NULL;
    ctune_status rc = ax && X && y && rows && imp ? CTUNE_OK
                                                  : ctune_set_error(CTUNE_ENOMEM, "report: out of "
                                                                                  "memory");
    for (size_t k = 0; k < p && rc == CTUNE_OK; k++)
        if (axis_make(&ax[k], d, &d->params[k]) != CTUNE_OK)
            rc = ctune_set_error(CTUNE_ENOMEM, "report: out of memory");
    if (rc == CTUNE_OK) {
        /* a tree splits on order only: each value enters as its rank among the
         * parameter's distinct values (category codes are ranks already) */
        size_t r = 0;
        for (size_t i = 0; i < d->n_cands; i++) {
            if (!isfinite(d->mean[i]) || is_pruned(d, i))
                continue;
            for (size_t k = 0; k < p; k++)
                X[r * p + k] = isfinite(ax[k].x[i]) ? ax[k].x[i] : 0;
            y[r++] = d->mean[i];
        }
        for (size_t k = 0; k < p && rc == CTUNE_OK; k++)
            rc = dense_ranks(X + k, n, p);
        if (rc == CTUNE_OK)
            rc = ctune_data_new(&data, X, CTUNE_FLOAT64, n, p, 0, y, 1);
    }
    /* a small forest: each tree on a bootstrap sample, averaged */
    unsigned long long s = 0x9E3779B97F4A7C15ULL;
    for (int t = 0; t < N_TREES && rc == CTUNE_OK; t++) {
        for (size_t i = 0; i < n; i++) {
            s ^= s << 13, s ^= s >> 7, s ^= s << 17; /* xorshift64 */
            rows[i] = (size_t)(s % n);
        }
        ctune_data *sub = NULL;
        ctune_estimator *tree = NULL;
        char opts[64];
        snprintf(opts, sizeof opts, "seed=%d", t);
        rc = ctune_data_subset(&sub, data, rows, n);
        if (rc == CTUNE_OK)
            rc = ctune_decision_tree_regressor_new(&tree);
        if (rc == CTUNE_OK)
            rc = ctune_estimator_set_params_text(tree, opts);
        if (rc == CTUNE_OK)
            rc = ctune_estimator_fit(tree, sub);
        if (rc == CTUNE_OK)
            rc = ctune_tree_feature_importances(imp, tree);
        if (rc == CTUNE_OK) {
            for (size_t k = 0; k < p; k++)
                out[k] += imp[k];
        }
        ctune_estimator_free(tree);
        ctune_data_free(sub);
    }
    double sum = 0;
    for (size_t k = 0; k < p; k++)
        sum += out[k];
    for (size_t k = 0; k < p; k++)
        out[k] = rc == CTUNE_OK && sum > 0 ? out[k] / sum : 0;
    ctune_data_free(data);
    if (ax)
        for (size_t k = 0; k < p; k++)
            axis_free(&ax[k]);
    ctune__free(ax);
    ctune__free(X);
    ctune__free(y);
    ctune__free(rows);
    ctune__free(imp);
    return rc;
}

static void plot_importances(ctune__sb *b, const view *v, const double *imp)
{
    const ctune__rdoc *d = v->d;
    size_t p = d->n_params;
    size_t *ord = CTUNE_NEW_ARRAY(size_t, p);
    const char **names = CTUNE_NEW_ARRAY(const char *, p);
    if (!ord || !names) {
        b->failed = 1;
        ctune__free(ord);
        ctune__free(names);
        return;
    }
    for (size_t k = 0; k < p; k++)
        ord[k] = k;
    for (size_t a = 1; a < p; a++) /* by importance, descending (insertion sort: p is small) */
        for (size_t c = a; c > 0 && imp[ord[c]] > imp[ord[c - 1]]; c--) {
            size_t t = ord[c];
            ord[c] = ord[c - 1];
            ord[c - 1] = t;
        }
    for (size_t k = 0; k < p; k++)
        names[k] = d->params[ord[k]].name;
    int h = (int)(p * 34 + 110);
    ctune__sb desc;
    ctune__sb_init(&desc);
    ctune__sb_str(&desc, "Share of the variation of the mean score explained by each parameter, "
                         "from the impurity importances of a forest of regression trees: ");
    for (size_t k = 0; k < p; k++) {
        if (k)
            ctune__sb_str(&desc, ", ");
        ctune__sb_str(&desc, names[k]);
        ctune__sb_str(&desc, " ");
        ctune__fmt_fixed(&desc, imp[ord[k]], 3);
    }
    ctune__sb_str(&desc, ".");
    ctune__svg_open(b, "importance", W, h, "Parameter importances", desc.s);
    ctune__svg_heading(b, W / 2.0, 22, "Parameter importances");
    ctune__scale sx, sy;
    double xr[2] = {0, 1};
    ctune__scale_fit(&sx, CTUNE__SCALE_LINEAR, xr, 2, 150, W - MR);
    sx.lo = 0; /* bars start at 0 */
    ctune__scale_cats(&sy, names, p, MT, h - MB);
    ctune__svg_axis_x(b, &sx, h - MB, "importance (share of the total, 0 to 1)");
    ctune__svg_axis_y(b, &sy, 150, "");
    ctune__sb_str(b, "<g class=\"bars\">\n");
    for (size_t k = 0; k < p; k++) {
        double y = ctune__scale_map(&sy, (double)k);
        char col[8];
        ctune__svg_colour(0.25 + 0.5 * imp[ord[k]], col);
        ctune__sb_str(b, "<rect class=\"bar\" x=\"150\" y=\"");
        ctune__svg_coord(b, y - 11);
        ctune__sb_str(b, "\" height=\"22\" width=\"");
        ctune__svg_coord(b, ctune__scale_map(&sx, imp[ord[k]]) - 150);
        ctune__sb_printf(b, "\" fill=\"%s\"><title>", col);
        ctune__html_text(b, names[k]);
        ctune__sb_str(b, ": ");
        ctune__fmt_fixed(b, imp[ord[k]], 3);
        ctune__sb_str(b, "</title></rect>\n<text class=\"value\" x=\"");
        ctune__svg_coord(b, ctune__scale_map(&sx, imp[ord[k]]) + 4);
        ctune__sb_str(b, "\" y=\"");
        ctune__svg_coord(b, y + 4);
        ctune__sb_str(b, "\">");
        ctune__fmt_fixed(b, imp[ord[k]], 3);
        ctune__sb_str(b, "</text>\n");
    }
    ctune__sb_str(b, "</g>\n");
    ctune__svg_close(b, "Method: mean decrease in impurity (squared error) of 16 ctune decision "
                        "tree regressors, each fitted on a bootstrap sample of the candidates "
                        "from the parameter values (as their rank among the parameter's values: "
                        "a tree splits on order only) to the mean test score, averaged and "
                        "scaled to sum to 1. "
                        "It ranks parameters as Optuna's fANOVA evaluator does, by how much of "
                        "the score's variation they explain; with few candidates it is rough.");
    if (desc.failed)
        b->failed = 1;
    ctune__sb_free(&desc);
    ctune__free(ord);
    ctune__free(names);
}

/* ---- 5. learning curves and rungs --------------------------------------- */

static void plot_curves(ctune__sb *b, const view *v, const char *metric, size_t idx)
{
    const ctune__rdoc *d = v->d;
    size_t top[MAX_CURVES], nt = 0;
    for (size_t r = 0; r < d->n_cands && nt < MAX_CURVES; r++) {
        size_t i = v->order[r];
        if (!isfinite(d->mean[i]))
            break;
        for (size_t k = 0; k < d->n_series; k++)
            if (d->series[k].candidate == i && strcmp(d->series[k].metric, metric) == 0) {
                top[nt++] = i;
                break;
            }
    }
    if (!nt)
        return;
    double ep[2] = {1, 1}, yr[2] = {INFINITY, -INFINITY};
    for (size_t k = 0; k < d->n_series; k++) {
        const ctune__rseries *s = &d->series[k];
        if (strcmp(s->metric, metric) != 0)
            continue;
        for (size_t t = 0; t < nt; t++)
            if (s->candidate == top[t]) {
                ep[1] = fmax(ep[1], (double)s->n);
                for (size_t e = 0; e < s->n; e++)
                    if (isfinite(s->v[e])) {
                        yr[0] = fmin(yr[0], s->v[e]);
                        yr[1] = fmax(yr[1], s->v[e]);
                    }
            }
    }
    char id[32], title[300], yl[300];
    snprintf(id, sizeof id, "curves-%zu", idx);
    snprintf(title, sizeof title, "Learning curves: %.200s", metric);
    snprintf(yl, sizeof yl, "%.200s (per epoch)", metric);
    ctune__sb desc;
    ctune__sb_init(&desc);
    ctune__sb_printf(&desc, "%s per epoch of the %zu best candidates that recorded it:", metric,
                     nt);
    for (size_t t = 0; t < nt; t++)
        ctune__sb_printf(&desc, "%s candidate %zu", t ? "," : "", top[t]);
    ctune__sb_str(&desc, "; lighter lines belong to better candidates.");
    for (size_t t = 0; t < nt; t++)
        if (is_pruned(d, top[t])) {
            ctune__sb_str(&desc, " Dashed lines are pruned trials, stopped early.");
            break;
        }
    ctune__svg_open(b, id, W, H, title, desc.s);
    ctune__svg_heading(b, W / 2.0, 22, title);
    ctune__scale sx, sy;
    ctune__scale_fit(&sx, CTUNE__SCALE_LINEAR, ep, 2, ML, W - MR - 110);
    ctune__scale_fit(&sy, CTUNE__SCALE_LINEAR, yr, 2, H - MB, MT);
    ctune__svg_axis_x(b, &sx, H - MB, "epoch (count)");
    ctune__svg_axis_y(b, &sy, ML, yl);
    for (size_t t = 0; t < nt; t++) {
        char col[8];
        ctune__svg_colour(nt > 1 ? 1.0 - (double)t / (double)(nt - 1) : 1, col);
        for (size_t k = 0; k < d->n_series; k++) {
            const ctune__rseries *s = &d->series[k];
            if (s->candidate != top[t] || strcmp(s->metric, metric) != 0)
                continue;
            ctune__sb_printf(b, "<polyline class=\"curve%s\" stroke=\"%s\" points=\"",
                             is_pruned(d, top[t]) ? " pruned" : "", col);
            for (size_t e = 0; e < s->n; e++)
                if (isfinite(s->v[e]))
                    ctune__svg_xy(b, ctune__scale_map(&sx, (double)e + 1),
                                  ctune__scale_map(&sy, s->v[e]));
            ctune__sb_printf(b, "\"><title>candidate %zu%s</title></polyline>\n", top[t],
                             is_pruned(d, top[t]) ? " (pruned)" : "");
        }
        ctune__sb_printf(b,
                         "<rect class=\"swatch\" x=\"%d\" y=\"%zu\" width=\"10\" "
                         "height=\"10\" fill=\"%s\"/><text class=\"legend\" x=\"%d\" "
                         "y=\"%zu\">candidate %zu%s</text>\n",
                         W - MR - 100, MT + 1 + 18 * t, col, W - MR - 86, MT + 10 + 18 * t, top[t],
                         is_pruned(d, top[t]) ? " (pruned)" : "");
    }
    ctune__svg_close(b, NULL);
    if (desc.failed)
        b->failed = 1;
    ctune__sb_free(&desc);
}

/* Successive halving and Hyperband (iter, n_resources): the score of every
 * row against its rung's resources, coloured by rung; a pruned search
 * (pruned, n_resources): the score of every trial against the step it
 * reached, pruned ones as triangles. */
static void plot_rungs(ctune__sb *b, const view *v)
{
    const ctune__rdoc *d = v->d;
    double lo = INFINITY, hi = -INFINITY, imax = 0;
    for (size_t i = 0; i < d->n_cands; i++) {
        if (isfinite(d->n_resources[i])) {
            lo = fmin(lo, d->n_resources[i]);
            hi = fmax(hi, d->n_resources[i]);
        }
        if (d->iter && isfinite(d->iter[i]))
            imax = fmax(imax, d->iter[i]);
    }
    int log = lo > 0 && hi / lo > 100;
    const char *title = d->iter ? "Successive halving rungs"
                                : "Pruning: the step each trial reached";
    ctune__sb desc;
    ctune__sb_init(&desc);
    if (d->iter)
        ctune__sb_str(&desc, "Mean test score of every candidate at every rung against the "
                             "resources it was given; lighter points belong to later rungs.");
    else
        ctune__sb_printf(&desc,
                         "Mean test score of every trial against the resources (steps) it "
                         "reached: %zu trials were pruned (triangles pointing down) and %zu "
                         "ran to the end.",
                         v->n_pruned, v->n_finite - v->n_pruned);
    if (d->bracket)
        ctune__sb_str(&desc, " Each point's tooltip names its Hyperband bracket.");
    ctune__svg_open(b, "rungs", W, H, title, desc.s);
    ctune__svg_heading(b, W / 2.0, 22, title);
    ctune__scale sx, sy;
    ctune__scale_fit(&sx, log ? CTUNE__SCALE_LOG : CTUNE__SCALE_LINEAR, d->n_resources, d->n_cands,
                     ML, W - MR);
    ctune__scale_fit(&sy, CTUNE__SCALE_LINEAR, d->mean, d->n_cands, H - MB, MT);
    ctune__svg_axis_x(b, &sx, H - MB,
                      log ? "resources (n_resources, log scale)" : "resources (n_resources)");
    ctune__svg_axis_y(b, &sy, ML, v->ylabel);
    ctune__sb_str(b, "<g class=\"points\">\n");
    ctune__sb tip;
    ctune__sb_init(&tip);
    for (size_t i = 0; i < d->n_cands; i++) {
        if (!isfinite(d->mean[i]) || !isfinite(d->n_resources[i]))
            continue;
        char col[8];
        if (d->iter)
            ctune__svg_colour(imax > 0 && isfinite(d->iter[i]) ? d->iter[i] / imax : 0, col);
        else
            score_colour(v, d->mean[i], col);
        tip.len = 0;
        ctune__sb_str(&tip, "");
        if (d->bracket) {
            ctune__sb_str(&tip, "bracket ");
            ctune__fmt_num(&tip, d->bracket[i]);
            ctune__sb_str(&tip, ", ");
        }
        if (d->iter) {
            ctune__sb_str(&tip, "rung ");
            ctune__fmt_num(&tip, d->iter[i]);
            ctune__sb_str(&tip, ", ");
        }
        if (is_pruned(d, i)) {
            ctune__sb_str(&tip, "pruned at ");
            ctune__fmt_num(&tip, d->n_resources[i]);
            ctune__sb_str(&tip, ", ");
        }
        candidate_tip(&tip, v, i);
        ctune__svg_mark(b, ctune__scale_map(&sx, d->n_resources[i]),
                        ctune__scale_map(&sy, d->mean[i]), mark_of(v, i), col, tip.s);
    }
    ctune__sb_str(b, "</g>\n");
    ctune__svg_close(b, NULL);
    if (tip.failed || desc.failed)
        b->failed = 1;
    ctune__sb_free(&tip);
    ctune__sb_free(&desc);
}

/* ---- 6. the table ------------------------------------------------------- */

static void table(ctune__sb *b, const view *v)
{
    const ctune__rdoc *d = v->d;
    ctune__sb_str(b, "<section id=\"ranking\"><h2>Candidates, best first</h2>\n"
                     "<div class=\"scroll\"><table>\n<thead><tr><th scope=\"col\">rank</th>"
                     "<th scope=\"col\">candidate</th><th scope=\"col\">mean test ");
    ctune__html_text(b, v->metric);
    ctune__sb_str(b, " ± std</th>");
    for (size_t k = 0; k < d->n_params; k++) {
        ctune__sb_str(b, "<th scope=\"col\">");
        ctune__html_text(b, d->params[k].name);
        ctune__sb_str(b, "</th>");
    }
    if (d->bracket)
        ctune__sb_str(b, "<th scope=\"col\">bracket</th>");
    if (d->iter)
        ctune__sb_str(b, "<th scope=\"col\">rung</th>");
    if (d->n_resources)
        ctune__sb_str(b, "<th scope=\"col\">resources</th>");
    int states = d->state || v->n_incomplete;
    if (states)
        ctune__sb_str(b, "<th scope=\"col\">state</th>");
    int errors = 0;
    for (size_t i = 0; d->error && i < d->n_cands; i++)
        errors |= d->error[i] != NULL;
    if (errors)
        ctune__sb_str(b, "<th scope=\"col\">error</th>");
    ctune__sb_str(b, "</tr></thead>\n<tbody>\n");
    size_t rows = d->n_cands < MAX_TABLE_ROWS ? d->n_cands : MAX_TABLE_ROWS;
    for (size_t r = 0; r < rows; r++) {
        size_t i = v->order[r];
        ctune__sb_str(b, (long)i == v->best ? "<tr class=\"best\"><td>" : "<tr><td>");
        if (isfinite(d->rank[i]))
            ctune__fmt_num(b, d->rank[i]);
        else
            ctune__sb_str(b, "–");
        ctune__sb_printf(b, "%s</td><td>%zu</td><td class=\"num\">",
                         (long)i == v->best ? " ◆ best" : "", i);
        if (isfinite(d->mean[i])) {
            ctune__fmt_fixed(b, d->mean[i], 4);
            ctune__sb_str(b, " ± ");
            ctune__fmt_fixed(b, d->std[i], 4);
        } else {
            ctune__sb_str(b, "no score");
        }
        ctune__sb_str(b, "</td>");
        ctune__sb cell;
        ctune__sb_init(&cell);
        for (size_t k = 0; k < d->n_params; k++) {
            cell.len = 0;
            ctune__sb_str(&cell, "");
            value_text(&cell, d->params[k].v[i]);
            ctune__sb_str(b, "<td>");
            ctune__html_text(b, cell.s);
            ctune__sb_str(b, "</td>");
        }
        if (cell.failed)
            b->failed = 1;
        ctune__sb_free(&cell);
        if (d->bracket) {
            ctune__sb_str(b, "<td>");
            ctune__fmt_num(b, d->bracket[i]);
            ctune__sb_str(b, "</td>");
        }
        if (d->iter) {
            ctune__sb_str(b, "<td>");
            ctune__fmt_num(b, d->iter[i]);
            ctune__sb_str(b, "</td>");
        }
        if (d->n_resources) {
            ctune__sb_str(b, "<td>");
            ctune__fmt_num(b, d->n_resources[i]);
            ctune__sb_str(b, "</td>");
        }
        if (states) {
            const char *st = d->state && d->state[i] ? d->state[i] : "";
            if (is_incomplete(d, i))
                st = "incomplete: splits not run";
            else if (is_pruned(d, i))
                st = "▽ pruned";
            ctune__sb_str(b, "<td>");
            ctune__html_text(b, st);
            ctune__sb_str(b, "</td>");
        }
        if (errors) {
            ctune__sb_str(b, "<td class=\"error\">");
            ctune__html_text(b, d->error[i] ? d->error[i] : "");
            ctune__sb_str(b, "</td>");
        }
        ctune__sb_str(b, "</tr>\n");
    }
    ctune__sb_str(b, "</tbody></table></div>\n");
    if (rows < d->n_cands)
        ctune__sb_printf(b,
                         "<p class=\"note\">The first %zu of %zu candidates are shown; the "
                         "results file holds them all.</p>\n",
                         rows, d->n_cands);
    ctune__sb_str(b, "</section>\n");
}

/* ---- the page ----------------------------------------------------------- */

static const char CSS[] =
    "body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:0 auto;"
    "max-width:1200px;padding:16px 24px;color:#1a1a1a;background:#fff}"
    "h1{font-size:1.6em;margin:.2em 0}h2{font-size:1.25em;margin:1.4em 0 .5em;"
    "border-bottom:1px solid #ccc}"
    ".source{color:#555;word-break:break-all}"
    "dl{display:grid;grid-template-columns:max-content auto;gap:2px 16px}dt{font-weight:600}"
    "dd{margin:0;word-break:break-word}"
    ".notes li{margin:.2em 0}.notes{background:#f4f4f4;border-left:4px solid #555;"
    "padding:.5em 1em .5em 2em}"
    "figure.plot{margin:12px 0;display:inline-block;vertical-align:top}"
    ".slices{display:flex;flex-wrap:wrap;gap:8px}"
    "figcaption{max-width:640px;color:#444;font-size:.9em}"
    "svg{background:#fff;overflow:visible}"
    "svg text{font:12px system-ui,sans-serif;fill:#222}"
    "svg text.heading{font-size:15px;font-weight:600}svg text.label{font-size:13px}"
    ".axis line{stroke:#333;stroke-width:1}"
    ".best-line{fill:none;stroke:#222;stroke-width:2;stroke-dasharray:6 3}"
    ".pt{stroke:#222;stroke-width:.8}.pt.best{stroke:#000;stroke-width:2}"
    ".pt.failed,.key.failed{fill:none;stroke:#b00;stroke-width:2}"
    ".pt.pruned{stroke:#000;stroke-width:1.2}.key{stroke:#222;stroke-width:.8}"
    ".key.best{stroke:#000;stroke-width:2}.key.pruned{stroke:#000;stroke-width:1.2}"
    ".pt.incomplete,.key.incomplete{fill:none;stroke:#444;stroke-width:1.5;"
    "stroke-dasharray:2 2}"
    ".pline{fill:none;stroke-width:1.6;opacity:.85}.pline.best{stroke-width:3.5;opacity:1}"
    ".pline.pruned{stroke-dasharray:5 3;opacity:.6}.curve.pruned{stroke-dasharray:6 3}"
    ".best-outline{fill:none;stroke:#000;stroke-width:6}"
    ".curve{fill:none;stroke-width:2.2}.bar,.swatch{stroke:#222;stroke-width:.8}"
    ".scroll{overflow-x:auto}table{border-collapse:collapse;font-size:.9em}"
    "th,td{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top}"
    "th{background:#eee}td.num{font-variant-numeric:tabular-nums;white-space:nowrap}"
    "tr.best td{font-weight:600;background:#fff6cc}td.error{color:#8b0000;max-width:420px}"
    ".note{color:#444}footer{margin-top:2em;color:#666;font-size:.85em}";

static int cmp_rank(const void *a, const void *b, const ctune__rdoc *d)
{
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    double ri = d->rank[i], rj = d->rank[j];
    int fi = isfinite(d->mean[i]) && isfinite(ri), fj = isfinite(d->mean[j]) && isfinite(rj);
    if (fi != fj)
        return fj - fi;
    if (fi && ri != rj)
        return ri < rj ? -1 : 1;
    return i < j ? -1 : i > j;
}

static void note(ctune__sb *b, const char *text)
{
    ctune__sb_str(b, "<li>");
    ctune__html_text(b, text);
    ctune__sb_str(b, "</li>\n");
}

/* Fills the counts, score range and best candidate of `v` from its document. */
static void view_scan(view *v)
{
    const ctune__rdoc *d = v->d;
    for (int pass = 0; pass < 2 && v->best < 0; pass++) /* the best of the complete trials first */
        for (size_t i = 0; i < d->n_cands; i++)
            if (isfinite(d->mean[i]) && (pass || !is_pruned(d, i)) &&
                (v->best < 0 || d->mean[i] > d->mean[v->best]))
                v->best = (long)i;
    for (size_t i = 0; i < d->n_cands; i++) {
        v->n_incomplete += is_incomplete(d, i) != 0;
        if (isfinite(d->mean[i])) {
            v->n_finite++;
            v->n_pruned += is_pruned(d, i) != 0;
            v->lo = fmin(v->lo, d->mean[i]);
            v->hi = fmax(v->hi, d->mean[i]);
        }
    }
    if (d->best_index >= 0 && isfinite(d->mean[d->best_index]))
        v->best = d->best_index;
}

/* Fills v->order with the candidates by rank (a stable insertion sort). */
static void view_order(view *v)
{
    const ctune__rdoc *d = v->d;
    for (size_t i = 0; i < d->n_cands; i++)
        v->order[i] = i;
    for (size_t a = 1; a < d->n_cands; a++) /* stable insertion sort by rank */
        for (size_t c = a; c > 0 && cmp_rank(&v->order[c], &v->order[c - 1], d) < 0; c--) {
            size_t t = v->order[c];
            v->order[c] = v->order[c - 1];
            v->order[c - 1] = t;
        }
}

/* Writes the page head, its style and the header naming the source. */
static void html_head(ctune__sb *b, const ctune__rdoc *d, const char *source)
{
    ctune__sb_str(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                     "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                     "<title>ctune search report</title>\n<style>");
    ctune__sb_str(b, CSS);
    ctune__sb_str(b, "</style>\n</head>\n<body>\n<header><h1>ctune search report</h1>\n");
    if (source) {
        ctune__sb_str(b, d->from_study ? "<p class=\"source\">Study: "
                                       : "<p class=\"source\">Results: ");
        ctune__html_text(b, source);
        ctune__sb_str(b, "</p>\n");
    }
}

/* Writes the summary list: counts, metric, status and the best candidate. */
static void html_summary(ctune__sb *b, const view *v)
{
    const ctune__rdoc *d = v->d;
    ctune__sb_str(b, "</header>\n<main>\n<section id=\"summary\"><h2>Summary</h2>\n<dl>\n");
    ctune__sb_printf(b,
                     "<dt>candidates</dt><dd>%zu (%zu with a score)</dd>\n<dt>folds</dt>"
                     "<dd>%zu</dd>\n<dt>metric</dt><dd>mean test ",
                     d->n_cands, v->n_finite, d->n_splits);
    ctune__html_text(b, d->metric_label);
    ctune__sb_str(b, " (higher is better)</dd>\n<dt>status</dt><dd>");
    ctune__html_text(b, d->status);
    if (d->from_study)
        ctune__sb_printf(b, "</dd>\n<dt>study</dt><dd>%zu of %zu tasks done", d->tasks_done,
                         d->tasks_total);
    if (v->n_pruned)
        ctune__sb_printf(b, "</dd>\n<dt>pruned</dt><dd>%zu of %zu trials", v->n_pruned, d->n_cands);
    ctune__sb_str(b, "</dd>\n<dt>best score</dt><dd>");
    if (v->best >= 0) {
        ctune__fmt_fixed(b, d->mean[v->best], 4);
        ctune__sb_str(b, " ± ");
        ctune__fmt_fixed(b, d->std[v->best], 4);
        ctune__sb_printf(b, " (candidate %ld)</dd>\n<dt>best params</dt><dd>", v->best);
        ctune__sb cell;
        ctune__sb_init(&cell);
        for (size_t k = 0; k < d->n_params; k++) {
            if (k)
                ctune__sb_str(b, ", ");
            ctune__html_text(b, d->params[k].name);
            ctune__sb_str(b, " = ");
            cell.len = 0;
            ctune__sb_str(&cell, "");
            value_text(&cell, d->params[k].v[v->best]);
            ctune__html_text(b, cell.s);
        }
        if (cell.failed)
            b->failed = 1;
        ctune__sb_free(&cell);
        if (!d->n_params)
            ctune__sb_str(b, "(no searched parameters)");
    } else {
        ctune__sb_str(b, "none");
    }
    ctune__sb_str(b, "</dd>\n</dl>\n");
}

/* Writes the notes on what the page cannot show (show_imp: 1 shown, 0 too few, -1 failed). */
static void html_notes(ctune__sb *b, const view *v, int show_imp, size_t n_complete, int has_curves)
{
    const ctune__rdoc *d = v->d;
    ctune__sb_str(b, "<ul class=\"notes\">\n");
    char msg[512];
    if (!d->n_cands)
        note(b, "The search has no candidates: there is nothing to plot.");
    else if (!v->n_finite)
        note(b, "No candidate has a score (every fit failed or none was run): there is "
                "nothing to plot. The table lists the errors.");
    else if (v->n_finite + v->n_incomplete < d->n_cands) {
        snprintf(msg, sizeof msg,
                 "%zu of the %zu candidates have no score (failed): "
                 "they are crosses in the history and left out of the other "
                 "plots.",
                 d->n_cands - v->n_finite - v->n_incomplete, d->n_cands);
        note(b, msg);
    }
    if (d->from_study && d->tasks_done < d->tasks_total) {
        snprintf(msg, sizeof msg,
                 "This is a study in progress: %zu of %zu tasks done. The %zu candidates "
                 "with splits not run yet are incomplete: dashed rings in the history, "
                 "left out of the other plots.",
                 d->tasks_done, d->tasks_total, v->n_incomplete);
        note(b, msg);
    } else if (strcmp(d->status, "complete") != 0) {
        note(b, "The search did not complete: these are partial results.");
        if (v->n_incomplete) {
            snprintf(msg, sizeof msg,
                     "%zu candidates are incomplete (splits not run): dashed rings in the "
                     "history, left out of the other plots.",
                     v->n_incomplete);
            note(b, msg);
        }
    }
    if (v->n_pruned) {
        snprintf(msg, sizeof msg,
                 "%zu of the %zu trials were pruned: their scores are those of the step they "
                 "reached. They are triangles pointing down and dashed lines, left out of the "
                 "best-so-far line and of the importances.",
                 v->n_pruned, d->n_cands);
        note(b, msg);
    }
    if (d->n_cands == 1)
        note(b, "A single candidate: each plot has one point and nothing can be compared.");
    if (v->n_finite && !d->n_params)
        note(b, "No parameter was searched (no param_ columns): no parallel coordinates, "
                "slices or importances.");
    else if (v->n_finite && show_imp == 0) {
        snprintf(msg, sizeof msg,
                 "Parameter importances need at least 2 searched parameters "
                 "and %d candidates with a score%s (here %zu and %zu).",
                 CTUNE__REPORT_MIN_IMPORTANCE, v->n_pruned ? " that ran to the end" : "",
                 d->n_params, n_complete);
        note(b, msg);
    } else if (show_imp < 0) {
        snprintf(msg, sizeof msg, "Parameter importances could not be estimated: %s",
                 ctune_last_error());
        note(b, msg);
    }
    if (v->n_finite && !has_curves)
        note(b, "No learning curves: the results hold no per-epoch history.");
    ctune__sb_str(b, "</ul>\n</section>\n");
}

/* Writes the plots section (only called when some candidate has a score). */
static void html_plots(ctune__sb *b, const view *v, const axis *ax, const double *imp, int show_imp)
{
    const ctune__rdoc *d = v->d;
    ctune__sb_str(b, "<section id=\"plots\"><h2>Plots</h2>\n");
    plot_history(b, v);
    if (d->n_params) {
        plot_parallel(b, v, ax);
        ctune__sb_str(b, "<h3>Slices</h3>\n<div class=\"slices\">\n");
        for (size_t k = 0; k < d->n_params; k++)
            plot_slice(b, v, &ax[k], k);
        ctune__sb_str(b, "</div>\n");
    }
    if (show_imp > 0)
        plot_importances(b, v, imp);
    if (d->n_series > 0) { /* one plot per metric, in order of first appearance */
        size_t idx = 0;
        for (size_t k = 0; k < d->n_series && idx < 4; k++) {
            size_t j = 0;
            while (j < k && strcmp(d->series[j].metric, d->series[k].metric) != 0)
                j++;
            if (j == k)
                plot_curves(b, v, d->series[k].metric, idx++);
        }
    }
    if (d->n_resources && (d->iter || v->n_pruned))
        plot_rungs(b, v);
    ctune__sb_str(b, "</section>\n");
}

/* Writes the page footer naming the version and the kind of source. */
static void html_footer(ctune__sb *b, const ctune__rdoc *d)
{
    ctune__sb_printf(b, "</main>\n<footer>Written by ctune %s from ", ctune_version_string());
    if (d->from_study)
        ctune__sb_printf(b, "a study (its results, schema %ld)", d->schema);
    else
        ctune__sb_printf(b, "a results file of schema %ld", d->schema);
    ctune__sb_str(b, ". Colours run from dark (worst) to light (best) and read in "
                     "greyscale; the best candidate is a diamond.</footer>\n</body>\n"
                     "</html>\n");
}

ctune_status ctune__report_html(const ctune__rdoc *d, const char *source, ctune__sb *b)
{
    CTUNE_CHECK_NULL(d, "d");
    CTUNE_CHECK_NULL(b, "b");
    view v = {d, 0, 0, 0, INFINITY, -INFINITY, -1, d->metric_label, {0}, NULL};
    snprintf(v.ylabel, sizeof v.ylabel, "mean test %.200s (score)", d->metric_label);
    view_scan(&v);
    v.order = CTUNE_NEW_ARRAY(size_t, d->n_cands ? d->n_cands : 1);
    axis *ax = ctune__calloc(d->n_params ? d->n_params : 1, sizeof *ax);
    double *imp = CTUNE_NEW_ARRAY(double, d->n_params ? d->n_params : 1);
    ctune_status rc = v.order && ax && imp ? CTUNE_OK : CTUNE_ENOMEM;
    for (size_t k = 0; k < d->n_params && rc == CTUNE_OK; k++)
        rc = axis_make(&ax[k], d, &d->params[k]);
    if (rc != CTUNE_OK)
        goto done;
    view_order(&v);

    html_head(b, d, source);
    html_summary(b, &v);

    /* what the page cannot show, said plainly */
    size_t n_complete = v.n_finite - v.n_pruned; /* importances leave pruned trials out */
    int show_imp = d->n_params >= 2 && n_complete >= CTUNE__REPORT_MIN_IMPORTANCE;
    int has_curves = d->n_series > 0;
    if (show_imp && ctune__report_importances(d, imp) != CTUNE_OK)
        show_imp = -1;
    html_notes(b, &v, show_imp, n_complete, has_curves);

    if (v.n_finite)
        html_plots(b, &v, ax, imp, show_imp);
    if (d->n_cands)
        table(b, &v);
    html_footer(b, d);
done:
    if (ax)
        for (size_t k = 0; k < d->n_params; k++)
            axis_free(&ax[k]);
    ctune__free(ax);
    ctune__free(imp);
    ctune__free(v.order);
    if (rc == CTUNE_OK && b->failed)
        rc = CTUNE_ENOMEM;
    return rc == CTUNE_ENOMEM ? ctune_set_error(CTUNE_ENOMEM, "report: out of memory") : rc;
}

/* ---- public entry points ------------------------------------------------ */

/* The page of a results document; `study` (may be NULL) gives the progress
 * of the study it was read from. */
static ctune_status write_page(const char *text, size_t len, const char *source,
                               const char *html_path, const size_t *study)
{
    ctune__rdoc *d = NULL;
    CTUNE_TRY(ctune__rdoc_read(text, len, &d));
    if (study) {
        d->from_study = 1;
        d->tasks_done = study[0];
        d->tasks_total = study[1];
    }
    ctune__sb b;
    ctune__sb_init(&b);
    ctune_status rc = ctune__report_html(d, source, &b);
    if (rc == CTUNE_OK)
        rc = ctune_write_file(html_path, b.s, b.len);
    ctune__sb_free(&b);
    ctune__rdoc_free(d);
    return rc;
}

/* The page of a study: its results document (ctune_study_results_json_buf,
 * the text a search writes) through the same reader. The study is opened
 * with create=false and only read. */
static ctune_status write_study_page(const char *path, const char *html_path)
{
    ctune_study *st = NULL;
    ctune_status rc = ctune_study_open(&st, path, "create=false");
    if (rc != CTUNE_OK) {
        char why[768];
        snprintf(why, sizeof why, "%s", ctune_last_error());
        return ctune_set_error(rc, "'%s' is a study file (SQLite): %s", path, why);
    }
    char *text = NULL;
    long n = 0;
    /* one call into a buffer that fits a small study (each call reads the
     * whole study); when the text is longer, one of its size plus room for
     * the tasks other processes may commit meanwhile, and again if it grew
     * past that */
    size_t cap = (size_t)64 << 10;
    for (int tries = 0; rc == CTUNE_OK; tries++) {
        ctune__free(text);
        text = ctune__malloc(cap);
        if (!text) {
            rc = ctune_set_error(CTUNE_ENOMEM, "report: out of memory");
            break;
        }
        n = ctune_study_results_json_buf(text, cap, st);
        if (n < 0)
            rc = (ctune_status)n;
        else if ((size_t)n < cap)
            break;
        else if (tries == 3)
            rc = ctune_set_error(CTUNE_EIO, "study %s kept growing while read", path);
        else
            cap = (size_t)n + ((size_t)n >> 4) + 65536;
    }
    size_t prog[2] = {0, 0};
    if (rc == CTUNE_OK)
        rc = ctune_study_progress(&prog[0], &prog[1], st);
    if (rc == CTUNE_OK && prog[0] == 0)
        rc = ctune_set_error(CTUNE_ESTATE,
                             "study %s has no task done yet (0 of %zu): nothing to "
                             "report",
                             path, prog[1]);
    ctune_study_close(st);
    if (rc == CTUNE_OK)
        rc = write_page(text, (size_t)n, path, html_path, prog);
    ctune__free(text);
    return rc;
}

static const char SQLITE_MAGIC[16] = "SQLite format 3"; /* and its NUL */

ctune_status ctune_report_write(const char *results_path, const char *html_path)
{
    CTUNE_CHECK_NULL(results_path, "results_path");
    CTUNE_CHECK_NULL(html_path, "html_path");
    struct stat si, so;
    if (stat(results_path, &si) == 0 && stat(html_path, &so) == 0 && si.st_dev == so.st_dev &&
        si.st_ino == so.st_ino)
        return ctune_set_error(CTUNE_EINVAL,
                               "report: '%s' is the results file itself: ctune "
                               "never overwrites an input",
                               html_path);
    FILE *f = fopen(results_path, "rb");
    if (!f)
        return ctune_set_error(CTUNE_EIO, "cannot open '%s': %s", results_path, strerror(errno));
    struct stat st;
    char head[sizeof SQLITE_MAGIC];
    if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= (off_t)sizeof head &&
        fread(head, 1, sizeof head, f) == sizeof head &&
        memcmp(head, SQLITE_MAGIC, sizeof head) == 0) {
        fclose(f); /* a study, by its content: SQLite reads it */
        return write_study_page(results_path, html_path);
    }
    rewind(f);
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < 0 ||
        (unsigned long long)st.st_size > ((size_t)256 << 20)) {
        fclose(f);
        return ctune_set_error(CTUNE_EIO, "'%s' is not a regular file of at most 256 MiB",
                               results_path);
    }
    size_t n = (size_t)st.st_size;
    char *text = ctune__malloc(n ? n : 1);
    if (!text) {
        fclose(f);
        return ctune_set_error(CTUNE_ENOMEM, "report: out of memory");
    }
    size_t got = fread(text, 1, n, f);
    int err = ferror(f);
    fclose(f);
    if (got != n || err) {
        ctune__free(text);
        return ctune_set_error(CTUNE_EIO, "cannot read '%s'", results_path);
    }
    ctune_status rc = write_page(text, n, results_path, html_path, NULL);
    if (rc != CTUNE_OK && rc != CTUNE_EIO && rc != CTUNE_ENOMEM) {
        char why[768];
        snprintf(why, sizeof why, "%s", ctune_last_error());
        ctune_set_error(rc, "%s: %s", results_path, why);
    }
    ctune__free(text);
    return rc;
}

ctune_status ctune_search_report(const ctune_search *search, const char *html_path)
{
    CTUNE_CHECK_NULL(search, "search");
    CTUNE_CHECK_NULL(html_path, "html_path");
    long n = ctune_search_results_json_buf(NULL, 0, search);
    if (n < 0)
        return (ctune_status)n;
    char *text = ctune__malloc((size_t)n + 1);
    if (!text)
        return ctune_set_error(CTUNE_ENOMEM, "report: out of memory");
    ctune_status rc = CTUNE_OK;
    if (ctune_search_results_json_buf(text, (size_t)n + 1, search) != n)
        rc = ctune_set_error(CTUNE_EINTERNAL, "report: the results changed while read");
    if (rc == CTUNE_OK)
        rc = write_page(text, (size_t)n, NULL, html_path, NULL);
    ctune__free(text);
    return rc;
}
