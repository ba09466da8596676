/* Results table: reduction of task records (mean, std with ddof 0, rank
 * with method "min" and NaN last), accessors and CSV / JSON export. */
#include "model_selection/results.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "io/atomic.h"
#include "model_selection/space.h"

void ctune__results_free(ctune__results *r)
{
    if (!r)
        return;
    for (size_t j = 0; j < r->n_cols; j++) {
        ctune__free(r->cols[j].name);
        ctune__free(r->cols[j].v);
    }
    ctune__free(r->cols);
    if (r->errors)
        for (size_t i = 0; i < r->n_cands; i++)
            ctune__free(r->errors[i]);
    ctune__free(r->errors);
    ctune__free(r->mean_test);
    ctune__free(r->rank_test);
    ctune__strlist_clear(&r->suffixes);
    ctune__free(r);
}

/* Appends a column named `name`. Returns it, or NULL when out of memory. */
ctune__col *ctune__results_add_col(ctune__results *r, size_t *cap, ctune__col_kind kind,
                                   const char *name)
{
    if (r->n_cols == *cap) {
        size_t nc = *cap ? *cap * 2 : 32;
        ctune__col *cols = ctune__realloc(r->cols, nc * sizeof *cols);
        if (!cols)
            return NULL;
        r->cols = cols;
        *cap = nc;
    }
    ctune__col *c = &r->cols[r->n_cols];
    memset(c, 0, sizeof *c);
    c->kind = kind;
    c->name = ctune__strdup(name);
    if (!c->name)
        return NULL;
    if (kind == CTUNE__COL_NUM || kind == CTUNE__COL_RANK || kind == CTUNE__COL_STATE) {
        c->v = ctune__calloc(r->n_cands ? r->n_cands : 1, sizeof *c->v);
        if (!c->v) {
            ctune__free(c->name);
            return NULL;
        }
    }
    if (kind == CTUNE__COL_PARAM)
        c->param = c->name + strlen("param_");
    r->n_cols++;
    return c;
}

static void mean_std(const double *x, size_t n, double *mean, double *std)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += x[i];
    double m = s / (double)n, q = 0;
    for (size_t i = 0; i < n; i++)
        q += (x[i] - m) * (x[i] - m);
    *mean = m;
    *std = sqrt(q / (double)n);
}

/* scikit-learn: NaN means become min - 1, then rank(-means, "min"); all NaN
 * gives rank 1 everywhere. */
static void rank_min(const double *mean, size_t n, double *rank)
{
    double lo = INFINITY;
    int any = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(mean[i])) {
            any = 1;
            if (mean[i] < lo)
                lo = mean[i];
        }
    for (size_t i = 0; i < n; i++) {
        if (!any) {
            rank[i] = 1;
            continue;
        }
        double a = isnan(mean[i]) ? lo - 1 : mean[i];
        size_t better = 0;
        for (size_t j = 0; j < n; j++) {
            double b = isnan(mean[j]) ? lo - 1 : mean[j];
            better += b > a;
        }
        rank[i] = (double)(better + 1);
    }
}

size_t ctune__results_best(const ctune__results *r, size_t k)
{
    const double *rank = r->rank_test[k];
    size_t best = 0;
    for (size_t i = 1; i < r->n_cands; i++)
        if (rank[i] < rank[best])
            best = i;
    return best;
}

/* mean/std_fit_time and mean/std_score_time. */
static ctune_status add_time_cols(ctune__results *r, size_t *cap, const ctune__eval *ev,
                                  double *tmp)
{
    for (int which = 0; which < 2; which++) {
        ctune__col *cm = ctune__results_add_col(r, cap, CTUNE__COL_NUM,
                                                which ? "mean_score_time" : "mean_fit_time");
        if (!cm)
            return CTUNE_ENOMEM;
        double *mv = cm->v;
        ctune__col *cs = ctune__results_add_col(r, cap, CTUNE__COL_NUM,
                                                which ? "std_score_time" : "std_fit_time");
        if (!cs)
            return CTUNE_ENOMEM;
        for (size_t c = 0; c < r->n_cands; c++) {
            for (size_t f = 0; f < r->n_splits; f++) {
                const ctune__task_rec *rec = ctune__eval_rec(ev, c, f);
                tmp[f] = which ? rec->score_time : rec->fit_time;
            }
            mean_std(tmp, r->n_splits, &mv[c], &cs->v[c]);
        }
    }
    return CTUNE_OK;
}

/* param_<name> per space entry, then params. */
static ctune_status add_param_cols(ctune__results *r, size_t *cap, const ctune_space *space)
{
    char name[256];
    for (size_t j = 0; space && j < space->n; j++) {
        snprintf(name, sizeof name, "param_%s", space->e[j].name);
        if (!ctune__results_add_col(r, cap, CTUNE__COL_PARAM, name))
            return CTUNE_ENOMEM;
    }
    if (space && !ctune__results_add_col(r, cap, CTUNE__COL_PARAMS, "params"))
        return CTUNE_ENOMEM;
    return CTUNE_OK;
}

/* split<f>_<side>_<s>, mean_, std_ (and rank_ for test) of scorer k. */
static ctune_status add_score_cols(ctune__results *r, size_t *cap, const ctune__eval *ev, size_t k,
                                   int train, double *tmp)
{
    const ctune__eval_opts *o = ev->opts;
    size_t nc = r->n_cands, ns = r->n_splits, nk = r->n_scorers;
    const char *sfx = r->suffixes.items[k];
    const char *side = train ? "train" : "test";
    char name[256];
    size_t first = r->n_cols;
    for (size_t f = 0; f < ns; f++) {
        snprintf(name, sizeof name, "split%zu_%s_%s", f, side, sfx);
        if (!ctune__results_add_col(r, cap, CTUNE__COL_NUM, name))
            return CTUNE_ENOMEM;
    }
    snprintf(name, sizeof name, "mean_%s_%s", side, sfx);
    if (!ctune__results_add_col(r, cap, CTUNE__COL_NUM, name))
        return CTUNE_ENOMEM;
    snprintf(name, sizeof name, "std_%s_%s", side, sfx);
    if (!ctune__results_add_col(r, cap, CTUNE__COL_NUM, name))
        return CTUNE_ENOMEM;
    snprintf(name, sizeof name, "rank_%s_%s", side, sfx);
    if (!train && !ctune__results_add_col(r, cap, CTUNE__COL_RANK, name))
        return CTUNE_ENOMEM;
    ctune__col *cm = &r->cols[first + ns];
    ctune__col *cs = &r->cols[first + ns + 1];
    for (size_t c = 0; c < nc; c++) {
        for (size_t f = 0; f < ns; f++) {
            const ctune__task_rec *rec = ctune__eval_rec(ev, c, f);
            double v = rec->scores[k + (train ? nk : 0)];
            if (rec->status != CTUNE_OK)
                v = rec->status == CTUNE__NOT_RUN || rec->status == CTUNE_ECANCELLED
                        ? NAN
                        : o->error_value;
            r->cols[first + f].v[c] = v;
            tmp[f] = v;
        }
        mean_std(tmp, ns, &cm->v[c], &cs->v[c]);
        if (!train && !isfinite(cm->v[c]))
            r->non_finite = 1;
    }
    if (!train)
        rank_min(cm->v, nc, r->cols[first + ns + 2].v);
    return CTUNE_OK;
}

/* Counts run and failed tasks; a candidate's error is its first failed
 * split's. */
static ctune_status collect_errors(ctune__results *r, const ctune__eval *ev)
{
    for (size_t c = 0; c < r->n_cands; c++)
        for (size_t f = 0; f < r->n_splits; f++) {
            const ctune__task_rec *rec = ctune__eval_rec(ev, c, f);
            if (rec->status != CTUNE__NOT_RUN)
                r->n_run++;
            int failed = rec->score_failures > 0 ||
                         (rec->status != CTUNE_OK && rec->status != CTUNE__NOT_RUN &&
                          rec->status != CTUNE_ECANCELLED);
            r->n_failed += (size_t)failed;
            if ((rec->status == CTUNE_OK && !rec->score_failures) || r->errors[c])
                continue;
            char msg[CTUNE__ERRLEN + 64];
            snprintf(msg, sizeof msg, "split %zu: %s", f,
                     rec->status == CTUNE__NOT_RUN ? "not run (the search stopped)" : rec->error);
            if (!(r->errors[c] = ctune__strdup(msg)))
                return CTUNE_ENOMEM;
        }
    return CTUNE_OK;
}

static ctune_status build_cols(ctune__results *r, const ctune__eval *ev, const ctune_space *space,
                               double *tmp)
{
    size_t cap = 0;
    CTUNE_TRY(add_time_cols(r, &cap, ev, tmp));
    CTUNE_TRY(add_param_cols(r, &cap, space));
    for (size_t k = 0; k < r->n_scorers; k++)
        for (int train = 0; train < 2 && (!train || ev->opts->return_train); train++)
            CTUNE_TRY(add_score_cols(r, &cap, ev, k, train, tmp));
    if (!ctune__results_add_col(r, &cap, CTUNE__COL_ERROR, "error"))
        return CTUNE_ENOMEM;
    /* pointers into the columns (stable now that all columns exist) */
    for (size_t k = 0, j = 0; j < r->n_cols; j++) {
        if (r->cols[j].kind == CTUNE__COL_RANK) {
            r->rank_test[k] = r->cols[j].v;
            r->mean_test[k] = r->cols[j - 2].v;
            k++;
        }
    }
    return collect_errors(r, ev);
}

ctune_status ctune__results_build(ctune__results **out, const ctune__eval *ev,
                                  ctune_params *const *params, const ctune_space *space)
{
    *out = NULL;
    ctune__results *r = ctune__calloc(1, sizeof *r);
    if (!r)
        return CTUNE_ENOMEM;
    ctune__strlist_init(&r->suffixes);
    size_t nc = ev->n_cands, nk = ev->n_scorers;
    const ctune__eval_opts *o = ev->opts;
    r->n_cands = nc;
    r->n_splits = ev->n_splits;
    r->n_scorers = nk;
    r->params = params;
    ctune_status rc = CTUNE_ENOMEM;
    double *tmp = CTUNE_NEW_ARRAY(double, ev->n_splits);
    r->errors = ctune__calloc(nc ? nc : 1, sizeof *r->errors);
    r->mean_test = ctune__calloc(nk, sizeof *r->mean_test);
    r->rank_test = ctune__calloc(nk, sizeof *r->rank_test);
    if (tmp && r->errors && r->mean_test && r->rank_test) {
        rc = CTUNE_OK;
        for (size_t k = 0; k < nk && rc == CTUNE_OK; k++)
            rc = ctune__strlist_push(&r->suffixes,
                                     o->scoring.n <= 1 ? "score" : o->scoring.items[k]);
    }
    if (rc == CTUNE_OK)
        rc = build_cols(r, ev, space, tmp);
    ctune__free(tmp);
    if (rc != CTUNE_OK) {
        ctune__results_free(r);
        return CTUNE_ENOMEM;
    }
    *out = r;
    return CTUNE_OK;
}

ctune_status ctune__results_prepend(ctune__results *r, const char *name, const double *v)
{
    size_t cap = r->n_cols; /* full: add_col grows the array */
    ctune__col *c = ctune__results_add_col(r, &cap, CTUNE__COL_NUM, name);
    if (!c)
        return CTUNE_ENOMEM;
    ctune__col tmp = *c;
    memcpy(tmp.v, v, r->n_cands * sizeof *v);
    memmove(&r->cols[1], &r->cols[0], (r->n_cols - 1) * sizeof *r->cols);
    r->cols[0] = tmp;
    return CTUNE_OK;
}

ctune_status ctune__results_add_param(ctune__results *r, const char *param)
{
    char name[256];
    snprintf(name, sizeof name, "param_%s", param);
    size_t cap = r->n_cols;
    ctune__col *c = ctune__results_add_col(r, &cap, CTUNE__COL_PARAM, name);
    if (!c)
        return CTUNE_ENOMEM;
    ctune__col tmp = *c;
    size_t at = 0; /* before "params", as the last param_ column */
    while (at + 1 < r->n_cols && r->cols[at].kind != CTUNE__COL_PARAMS)
        at++;
    memmove(&r->cols[at + 1], &r->cols[at], (r->n_cols - 1 - at) * sizeof *r->cols);
    r->cols[at] = tmp;
    return CTUNE_OK;
}

const ctune__col *ctune__results_col(const ctune__results *r, const char *name)
{
    for (size_t j = 0; j < r->n_cols; j++)
        if (strcmp(r->cols[j].name, name) == 0)
            return &r->cols[j];
    char list[768];
    size_t len = 0;
    list[0] = '\0';
    for (size_t j = 0; j < r->n_cols && len + 8 < sizeof list; j++) {
        int w = snprintf(list + len, sizeof list - len, "%s%s", j ? ", " : "", r->cols[j].name);
        if (w < 0)
            break;
        len += (size_t)w;
    }
    if (len >= sizeof list)
        memcpy(list + sizeof list - 4, "...", 4);
    ctune_set_error(CTUNE_EINVAL, "unknown results column '%s'; known: %s", name, list);
    return NULL;
}

ctune_status ctune__results_value(const ctune__results *r, const ctune__col *c, size_t i,
                                  double *out)
{
    if (i >= r->n_cands)
        return ctune_set_error(CTUNE_EINVAL, "candidate %zu is out of range (%zu candidates)", i,
                               r->n_cands);
    switch (c->kind) {
    case CTUNE__COL_NUM:
    case CTUNE__COL_RANK: *out = c->v[i]; return CTUNE_OK;
    case CTUNE__COL_PARAM: {
        const ctune_params *p = r->params[i];
        int t = ctune_params_type(p, c->param);
        if (t == CTUNE_TYPE_NONE || t == 0) {
            *out = NAN;
            return CTUNE_OK;
        }
        if (t == CTUNE_TYPE_BOOL) {
            int b = 0;
            ctune_params_get_bool(&b, p, c->param);
            *out = b;
            return CTUNE_OK;
        }
        if (t == CTUNE_TYPE_INT || t == CTUNE_TYPE_DOUBLE)
            return ctune_params_get_double(out, p, c->param);
        break;
    }
    default: break;
    }
    return ctune_set_error(CTUNE_EINVAL,
                           "column '%s' of candidate %zu is text: use "
                           "ctune_search_result_text",
                           c->name, i);
}

/* The state column's text of a CTUNE_TRIAL_* code (docs/results-schema.md),
 * NULL for a running trial (the schema has no such state). */
static const char *state_name(double v)
{
    return v == CTUNE_TRIAL_COMPLETE ? "done"
           : v == CTUNE_TRIAL_PRUNED ? "pruned"
           : v == CTUNE_TRIAL_FAILED ? "failed"
                                     : NULL;
}

void ctune__results_text(const ctune__results *r, const ctune__col *c, size_t i, ctune__sb *b)
{
    switch (c->kind) {
    case CTUNE__COL_NUM:
    case CTUNE__COL_RANK: ctune__sb_double(b, c->v[i], "nan"); break;
    case CTUNE__COL_PARAM: {
        const ctune_params *p = r->params[i];
        long n = ctune_params_find(p, c->param) >= 0 ? ctune_params_value_text(NULL, 0, p, c->param)
                                                     : -1;
        if (n < 0)
            break;
        char *tmp = ctune__malloc((size_t)n + 1);
        if (!tmp) {
            b->failed = 1;
            break;
        }
        ctune_params_value_text(tmp, (size_t)n + 1, p, c->param);
        ctune__sb_append(b, tmp, (size_t)n);
        ctune__free(tmp);
        break;
    }
    case CTUNE__COL_PARAMS: {
        const ctune_params *p = r->params[i];
        long n = ctune_params_to_text(NULL, 0, p);
        char *tmp = n >= 0 ? ctune__malloc((size_t)n + 1) : NULL;
        if (!tmp) {
            b->failed = 1;
            break;
        }
        ctune_params_to_text(tmp, (size_t)n + 1, p);
        ctune__sb_append(b, tmp, (size_t)n);
        ctune__free(tmp);
        break;
    }
    case CTUNE__COL_ERROR:
        if (r->errors[i])
            ctune__sb_str(b, r->errors[i]);
        break;
    case CTUNE__COL_STATE:
        if (state_name(c->v[i]))
            ctune__sb_str(b, state_name(c->v[i]));
        break;
    }
}

void ctune__results_csv(const ctune__results *r, ctune__sb *b)
{
    for (size_t j = 0; j < r->n_cols; j++) {
        if (j)
            ctune__sb_str(b, ",");
        ctune__sb_csv_field(b, r->cols[j].name);
    }
    ctune__sb_str(b, "\n");
    ctune__sb cell;
    ctune__sb_init(&cell);
    for (size_t i = 0; i < r->n_cands; i++) {
        for (size_t j = 0; j < r->n_cols; j++) {
            if (j)
                ctune__sb_str(b, ",");
            cell.len = 0;
            ctune__sb_str(&cell, "");
            ctune__results_text(r, &r->cols[j], i, &cell);
            if (cell.failed)
                b->failed = 1;
            else
                ctune__sb_csv_field(b, cell.s);
        }
        ctune__sb_str(b, "\n");
    }
    ctune__sb_free(&cell);
}

void ctune__json_param(ctune__sb *b, const ctune_params *p, const char *name)
{
    int t = ctune_params_type(p, name);
    int64_t iv;
    double dv;
    int bv;
    const char *sv;
    switch (t) {
    case CTUNE_TYPE_INT:
        ctune_params_get_int(&iv, p, name);
        ctune__sb_printf(b, "%lld", (long long)iv);
        break;
    case CTUNE_TYPE_DOUBLE:
        ctune_params_get_double(&dv, p, name);
        ctune__sb_double(b, isfinite(dv) ? dv : NAN, "null");
        break;
    case CTUNE_TYPE_BOOL:
        ctune_params_get_bool(&bv, p, name);
        ctune__sb_str(b, bv ? "true" : "false");
        break;
    case CTUNE_TYPE_STRING:
        ctune_params_get_string(&sv, p, name);
        ctune__sb_json_string(b, sv);
        break;
    default: ctune__sb_str(b, "null"); break;
    }
}

static void json_params_object(ctune__sb *b, const ctune_params *p)
{
    ctune__sb_str(b, "{");
    for (size_t k = 0; k < ctune_params_count(p); k++) {
        const char *name = ctune_params_name(p, k);
        if (k)
            ctune__sb_str(b, ", ");
        ctune__sb_json_string(b, name);
        ctune__sb_str(b, ": ");
        ctune__json_param(b, p, name);
    }
    ctune__sb_str(b, "}");
}

static void json_number(ctune__sb *b, double v)
{
    ctune__sb_double(b, isfinite(v) ? v : NAN, "null");
}

void ctune__results_json(const ctune__results *r, const ctune__results_meta *m, ctune__sb *b)
{
    ctune__sb_printf(b, "{\n  \"schema\": %d,\n  \"best_index\": ", CTUNE__RESULTS_SCHEMA);
    if (m->best_index >= 0)
        ctune__sb_printf(b, "%ld", m->best_index);
    else
        ctune__sb_str(b, "null");
    ctune__sb_str(b, ",\n  \"best_score\": ");
    json_number(b, m->best_index >= 0 ? m->best_score : NAN);
    ctune__sb_str(b, ",\n  \"best_params\": ");
    if (m->best_index >= 0)
        json_params_object(b, r->params[m->best_index]);
    else
        ctune__sb_str(b, "null");
    ctune__sb_str(b, ",\n  \"refit_metric\": ");
    if (m->refit_metric)
        ctune__sb_json_string(b, m->refit_metric);
    else
        ctune__sb_str(b, "null");
    ctune__sb_str(b, ",\n  \"scorers\": [");
    for (size_t k = 0; k < r->suffixes.n; k++) {
        if (k)
            ctune__sb_str(b, ", ");
        ctune__sb_json_string(b, r->suffixes.items[k]);
    }
    ctune__sb_printf(b, "],\n  \"n_candidates\": %zu,\n  \"n_splits\": %zu,\n  \"status\": ",
                     r->n_cands, r->n_splits);
    ctune__sb_json_string(b, m->status);
    if (m->stopped_by) {
        ctune__sb_str(b, ",\n  \"stopped_by\": ");
        ctune__sb_json_string(b, m->stopped_by);
    }
    ctune__sb_str(b, ",\n  \"cv_results\": {");
    ctune__sb cell;
    ctune__sb_init(&cell);
    for (size_t j = 0; j < r->n_cols; j++) {
        const ctune__col *c = &r->cols[j];
        ctune__sb_str(b, j ? ",\n    " : "\n    ");
        ctune__sb_json_string(b, c->name);
        ctune__sb_str(b, ": [");
        for (size_t i = 0; i < r->n_cands; i++) {
            if (i)
                ctune__sb_str(b, ", ");
            switch (c->kind) {
            case CTUNE__COL_NUM:
            case CTUNE__COL_RANK: json_number(b, c->v[i]); break;
            case CTUNE__COL_PARAM: ctune__json_param(b, r->params[i], c->param); break;
            case CTUNE__COL_PARAMS: json_params_object(b, r->params[i]); break;
            case CTUNE__COL_ERROR:
                if (r->errors[i])
                    ctune__sb_json_string(b, r->errors[i]);
                else
                    ctune__sb_str(b, "null");
                break;
            case CTUNE__COL_STATE:
                if (state_name(c->v[i]))
                    ctune__sb_json_string(b, state_name(c->v[i]));
                else
                    ctune__sb_str(b, "null");
                break;
            }
        }
        ctune__sb_str(b, "]");
    }
    ctune__sb_free(&cell);
    ctune__sb_str(b, "\n  }\n}\n");
}

ctune_status ctune__results_export_file(ctune__results_export_fn make, const void *owner, int json,
                                        const char *path)
{
    CTUNE_CHECK_NULL(path, "path");
    ctune__sb b;
    CTUNE_TRY(make(owner, json, &b));
    ctune_status rc = ctune__atomic_write(path, b.s, b.len);
    ctune__sb_free(&b);
    return rc;
}

long ctune__results_export_buf(ctune__results_export_fn make, const void *owner, int json,
                               char *buf, size_t cap, const char *what)
{
    if (cap && !buf)
        return ctune_set_error(CTUNE_EINVAL, "%s: buf is NULL", what);
    ctune__sb b;
    CTUNE_TRY(make(owner, json, &b));
    long n = ctune__copy_out(b.s, b.len, buf, cap);
    ctune__sb_free(&b);
    return n;
}
