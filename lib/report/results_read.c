/* Reader of the results document (see results_read.h). */
#include "report/results_read.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"

static ctune_status bad(const ctune__json *v, const char *field, const char *want)
{
    if (!v)
        return ctune_set_error(CTUNE_EFORMAT, "results file: '%s' is missing (expected %s)", field,
                               want);
    return ctune_set_error(CTUNE_EFORMAT,
                           "results file: '%s' (line %u column %u) must be %s, "
                           "not %s",
                           field, v->line, v->col, want, ctune__json_type_name(v->type));
}

static int is_count(const ctune__json *v)
{
    return v && v->type == CTUNE__JSON_NUMBER && v->num >= 0 && v->num <= 1e15 &&
           v->num == floor(v->num);
}

static const ctune__json *column(const ctune__json *cv, const char *name)
{
    return ctune__json_get(cv, name);
}

/* A column of n numbers or nulls into a new array (NaN for null). */
static ctune_status numbers(const ctune__json *col, const char *name, size_t n, double **out)
{
    *out = NULL;
    if (!col || col->type != CTUNE__JSON_ARRAY)
        return bad(col, name, "an array of numbers");
    if (col->n != n)
        return ctune_set_error(CTUNE_EFORMAT,
                               "results file: column '%s' (line %u) has %zu "
                               "values for %zu candidates",
                               name, col->line, col->n, n);
    double *v = CTUNE_NEW_ARRAY(double, n ? n : 1);
    if (!v)
        return ctune_set_error(CTUNE_ENOMEM, "results file: out of memory");
    for (size_t i = 0; i < n; i++) {
        const ctune__json *x = &col->items[i];
        if (x->type == CTUNE__JSON_NULL) {
            v[i] = NAN;
        } else if (x->type == CTUNE__JSON_NUMBER) {
            v[i] = x->num;
        } else {
            ctune__free(v);
            char what[160];
            snprintf(what, sizeof what, "%s[%zu]", name, i);
            return bad(x, what, "a number or null");
        }
    }
    *out = v;
    return CTUNE_OK;
}

/* A column of n strings or nulls (borrowed pointers into the tree). */
static ctune_status strings(const ctune__json *col, const char *name, size_t n, const char ***out)
{
    *out = NULL;
    if (!col || col->type != CTUNE__JSON_ARRAY)
        return bad(col, name, "an array of strings");
    if (col->n != n)
        return ctune_set_error(CTUNE_EFORMAT,
                               "results file: column '%s' (line %u) has %zu "
                               "values for %zu candidates",
                               name, col->line, col->n, n);
    const char **v = ctune__calloc(n ? n : 1, sizeof *v);
    if (!v)
        return ctune_set_error(CTUNE_ENOMEM, "results file: out of memory");
    for (size_t i = 0; i < n; i++) {
        const ctune__json *x = &col->items[i];
        if (x->type == CTUNE__JSON_STRING) {
            v[i] = x->str;
        } else if (x->type != CTUNE__JSON_NULL) {
            ctune__free(v);
            char what[160];
            snprintf(what, sizeof what, "%s[%zu]", name, i);
            return bad(x, what, "a string or null");
        }
    }
    *out = v;
    return CTUNE_OK;
}

void ctune__rdoc_free(ctune__rdoc *d)
{
    if (!d)
        return;
    for (size_t k = 0; k < d->n_params; k++)
        ctune__free(d->params[k].v);
    ctune__free(d->params);
    ctune__free(d->mean);
    ctune__free(d->std);
    ctune__free(d->rank);
    if (d->split)
        for (size_t k = 0; k < d->n_splits; k++)
            ctune__free(d->split[k]);
    ctune__free(d->split);
    ctune__free(d->error);
    ctune__free(d->iter);
    ctune__free(d->n_resources);
    ctune__free(d->bracket);
    ctune__free(d->state);
    for (size_t k = 0; k < d->n_series; k++)
        ctune__free(d->series[k].v);
    ctune__free(d->series);
    ctune__json_free(d->root);
    ctune__free(d);
}

static ctune_status read_params(ctune__rdoc *d, const ctune__json *cv)
{
    size_t n = 0;
    for (size_t j = 0; j < cv->n; j++)
        n += strncmp(cv->keys[j], "param_", 6) == 0;
    if (!n)
        return CTUNE_OK;
    d->params = ctune__calloc(n, sizeof *d->params);
    if (!d->params)
        return ctune_set_error(CTUNE_ENOMEM, "results file: out of memory");
    for (size_t j = 0; j < cv->n; j++) {
        const char *key = cv->keys[j];
        if (strncmp(key, "param_", 6) != 0)
            continue;
        const ctune__json *col = &cv->items[j];
        if (col->type != CTUNE__JSON_ARRAY)
            return bad(col, key, "an array of parameter values");
        if (col->n != d->n_cands)
            return ctune_set_error(CTUNE_EFORMAT,
                                   "results file: column '%s' (line %u) has %zu "
                                   "values for %zu candidates",
                                   key, col->line, col->n, d->n_cands);
        ctune__rparam *p = &d->params[d->n_params++];
        p->name = key + 6;
        p->v = ctune__calloc(d->n_cands ? d->n_cands : 1, sizeof *p->v);
        if (!p->v)
            return ctune_set_error(CTUNE_ENOMEM, "results file: out of memory");
        for (size_t i = 0; i < d->n_cands; i++) {
            const ctune__json *x = &col->items[i];
            switch (x->type) {
            case CTUNE__JSON_NULL: break;
            case CTUNE__JSON_STRING:
            case CTUNE__JSON_BOOL:
                p->categorical = 1;
                p->v[i] = x;
                break;
            case CTUNE__JSON_NUMBER: p->v[i] = x; break;
            default: {
                char what[160];
                snprintf(what, sizeof what, "%s[%zu]", key, i);
                return bad(x, what, "a number, string, boolean or null");
            }
            }
        }
    }
    return CTUNE_OK;
}

static ctune_status read_history(ctune__rdoc *d, const ctune__json *h)
{
    if (h->type != CTUNE__JSON_ARRAY)
        return bad(h, "history", "an array of series");
    if (!h->n)
        return CTUNE_OK;
    d->series = ctune__calloc(h->n, sizeof *d->series);
    if (!d->series)
        return ctune_set_error(CTUNE_ENOMEM, "results file: out of memory");
    for (size_t k = 0; k < h->n; k++) {
        const ctune__json *s = &h->items[k];
        char what[64];
        snprintf(what, sizeof what, "history[%zu]", k);
        if (s->type != CTUNE__JSON_OBJECT)
            return bad(s, what, "an object {candidate, metric, values}");
        const ctune__json *c = ctune__json_get(s, "candidate");
        const ctune__json *m = ctune__json_get(s, "metric");
        const ctune__json *v = ctune__json_get(s, "values");
        snprintf(what, sizeof what, "history[%zu].candidate", k);
        if (!is_count(c) || c->num >= (double)d->n_cands)
            return c && c->type == CTUNE__JSON_NUMBER
                       ? ctune_set_error(CTUNE_EFORMAT,
                                         "results file: '%s' (line %u) is not a "
                                         "candidate index below %zu",
                                         what, c->line, d->n_cands)
                       : bad(c, what, "a candidate index");
        snprintf(what, sizeof what, "history[%zu].metric", k);
        if (!m || m->type != CTUNE__JSON_STRING)
            return bad(m, what, "a string");
        snprintf(what, sizeof what, "history[%zu].values", k);
        if (!v || v->type != CTUNE__JSON_ARRAY)
            return bad(v, what, "an array of numbers");
        ctune__rseries *r = &d->series[d->n_series++];
        r->candidate = (size_t)c->num;
        r->metric = m->str;
        r->n = v->n;
        CTUNE_TRY(numbers(v, what, v->n, &r->v));
    }
    return CTUNE_OK;
}

/* The optional pruned column (0/1 per row): mapped into d->state, or
 * checked against the state column when there is one. */
static ctune_status read_pruned(ctune__rdoc *d, const ctune__json *col)
{
    if (col->type != CTUNE__JSON_ARRAY)
        return bad(col, "pruned", "an array of 0 and 1");
    if (col->n != d->n_cands)
        return ctune_set_error(CTUNE_EFORMAT,
                               "results file: column 'pruned' (line %u) has %zu "
                               "values for %zu candidates",
                               col->line, col->n, d->n_cands);
    for (size_t i = 0; i < d->n_cands; i++) {
        const ctune__json *x = &col->items[i];
        if (x->type != CTUNE__JSON_NUMBER || (x->num != 0 && x->num != 1)) {
            char what[64];
            snprintf(what, sizeof what, "pruned[%zu]", i);
            if (x->type == CTUNE__JSON_NUMBER)
                return ctune_set_error(CTUNE_EFORMAT,
                                       "results file: '%s' (line %u column %u) must be 0 "
                                       "or 1",
                                       what, x->line, x->col);
            return bad(x, what, "0 or 1");
        }
    }
    d->has_pruned = 1;
    if (d->state) { /* both: they must say the same */
        for (size_t i = 0; i < d->n_cands; i++) {
            const char *s = d->state[i];
            int p = col->items[i].num == 1;
            if (s && (strcmp(s, "pruned") == 0) != p)
                return ctune_set_error(CTUNE_EFORMAT,
                                       "results file: pruned[%zu] (line %u) is %d but "
                                       "state[%zu] is %s",
                                       i, col->items[i].line, p, i, s);
        }
        return CTUNE_OK;
    }
    d->state = ctune__calloc(d->n_cands ? d->n_cands : 1, sizeof *d->state);
    if (!d->state)
        return ctune_set_error(CTUNE_ENOMEM, "results file: out of memory");
    for (size_t i = 0; i < d->n_cands; i++)
        d->state[i] = col->items[i].num == 1            ? "pruned"
                      : d->error && d->error[i] != NULL ? "failed"
                                                        : "done";
    return CTUNE_OK;
}

/* Checks the document is a results object of a schema this reads; sets *cv_out
 * to its cv_results and reads the candidate and split counts. */
static ctune_status read_counts(ctune__rdoc *d, const ctune__json **cv_out)
{
    const ctune__json *root = d->root;
    if (root->type != CTUNE__JSON_OBJECT)
        return ctune_set_error(CTUNE_EFORMAT,
                               "not a ctune results file: the document is %s, "
                               "not an object",
                               ctune__json_type_name(root->type));
    const ctune__json *cv = ctune__json_get(root, "cv_results");
    *cv_out = cv;
    const ctune__json *schema = ctune__json_get(root, "schema");
    if (!cv || (!schema && !ctune__json_get(root, "n_candidates")))
        return ctune_set_error(CTUNE_EFORMAT,
                               "not a ctune results file: no '%s' field (write "
                               "one with 'ctune search --results FILE.json')",
                               cv ? "schema" : "cv_results");
    if (schema) {
        if (!is_count(schema))
            return bad(schema, "schema", "a version number");
        d->schema = (long)schema->num;
        if (d->schema < 1 || d->schema > CTUNE__RDOC_SCHEMA)
            return ctune_set_error(CTUNE_EFORMAT,
                                   "results file: schema %ld is not one this "
                                   "ctune reads (1 to %d)%s",
                                   d->schema, CTUNE__RDOC_SCHEMA,
                                   d->schema > CTUNE__RDOC_SCHEMA ? ": written by a newer ctune"
                                                                  : "");
    }
    if (cv->type != CTUNE__JSON_OBJECT)
        return bad(cv, "cv_results", "an object of columns");
    const ctune__json *nc = ctune__json_get(root, "n_candidates");
    const ctune__json *ns = ctune__json_get(root, "n_splits");
    if (!is_count(nc))
        return bad(nc, "n_candidates", "a count");
    if (!is_count(ns) || ns->num > 1e6)
        return bad(ns, "n_splits", "a count");
    d->n_cands = (size_t)nc->num;
    d->n_splits = (size_t)ns->num;
    return CTUNE_OK;
}

/* Reads the status, the metric shown and the best candidate and score. */
static ctune_status read_summary(ctune__rdoc *d)
{
    const ctune__json *root = d->root;
    const ctune__json *st = ctune__json_get(root, "status");
    if (st && st->type != CTUNE__JSON_STRING)
        return bad(st, "status", "a string");
    d->status = st ? st->str : "unknown";
    const ctune__json *by = ctune__json_get(root, "stopped_by"); /* optional */
    if (by && by->type != CTUNE__JSON_STRING)
        return bad(by, "stopped_by", "a string");

    /* the metric shown: the refit metric, else the first scorer, else "score" */
    const ctune__json *rm = ctune__json_get(root, "refit_metric");
    const ctune__json *sc = ctune__json_get(root, "scorers");
    if (rm && rm->type != CTUNE__JSON_STRING && rm->type != CTUNE__JSON_NULL)
        return bad(rm, "refit_metric", "a string or null");
    if (sc && (sc->type != CTUNE__JSON_ARRAY || (sc->n && sc->items[0].type != CTUNE__JSON_STRING)))
        return bad(sc, "scorers", "an array of strings");
    /* the columns' suffix: the refit metric when it is one of the scorers
     * (several metrics), else the first scorer ("score" for a single metric,
     * whose name is then only in refit_metric) */
    d->metric = sc && sc->n ? sc->items[0].str : "score";
    for (size_t k = 0; sc && k < sc->n; k++) {
        if (sc->items[k].type != CTUNE__JSON_STRING)
            return bad(&sc->items[k], "scorers", "an array of strings");
        if (rm && rm->type == CTUNE__JSON_STRING && strcmp(rm->str, sc->items[k].str) == 0)
            d->metric = rm->str;
    }
    d->metric_label = rm && rm->type == CTUNE__JSON_STRING && strlen(rm->str) <= 200 ? rm->str
                                                                                     : d->metric;
    if (strlen(d->metric) > 200)
        return ctune_set_error(CTUNE_EFORMAT, "results file: the metric name is longer than "
                                              "200 bytes");

    d->best_index = -1;
    d->best_score = NAN;
    const ctune__json *bi = ctune__json_get(root, "best_index");
    if (bi && bi->type != CTUNE__JSON_NULL) {
        if (!is_count(bi) || bi->num >= (double)d->n_cands)
            return bad(bi, "best_index", "a candidate index or null");
        d->best_index = (long)bi->num;
    }
    const ctune__json *bs = ctune__json_get(root, "best_score");
    if (bs && bs->type == CTUNE__JSON_NUMBER)
        d->best_score = bs->num;
    else if (bs && bs->type != CTUNE__JSON_NULL)
        return bad(bs, "best_score", "a number or null");
    return CTUNE_OK;
}

/* Reads the score columns of the metric, the params and the errors. */
static ctune_status read_scores(ctune__rdoc *d, const ctune__json *cv)
{
    char name[256];
    snprintf(name, sizeof name, "mean_test_%s", d->metric);
    CTUNE_TRY(numbers(column(cv, name), name, d->n_cands, &d->mean));
    snprintf(name, sizeof name, "std_test_%s", d->metric);
    CTUNE_TRY(numbers(column(cv, name), name, d->n_cands, &d->std));
    snprintf(name, sizeof name, "rank_test_%s", d->metric);
    CTUNE_TRY(numbers(column(cv, name), name, d->n_cands, &d->rank));
    if (d->n_splits) {
        d->split = ctune__calloc(d->n_splits, sizeof *d->split);
        if (!d->split)
            return ctune_set_error(CTUNE_ENOMEM, "results file: out of memory");
        for (size_t k = 0; k < d->n_splits; k++) {
            snprintf(name, sizeof name, "split%zu_test_%s", k, d->metric);
            CTUNE_TRY(numbers(column(cv, name), name, d->n_cands, &d->split[k]));
        }
    }
    const ctune__json *params = column(cv, "params");
    if (!params || params->type != CTUNE__JSON_ARRAY)
        return bad(params, "params", "an array of objects");
    if (params->n != d->n_cands)
        return ctune_set_error(CTUNE_EFORMAT,
                               "results file: column 'params' (line %u) has %zu "
                               "values for %zu candidates",
                               params->line, params->n, d->n_cands);
    for (size_t i = 0; i < params->n; i++)
        if (params->items[i].type != CTUNE__JSON_OBJECT) {
            snprintf(name, sizeof name, "params[%zu]", i);
            return bad(&params->items[i], name, "an object");
        }
    CTUNE_TRY(read_params(d, cv));
    const ctune__json *err = column(cv, "error");
    if (err)
        CTUNE_TRY(strings(err, "error", d->n_cands, &d->error));
    return CTUNE_OK;
}

/* Reads the optional columns (iter, n_resources, state, pruned, bracket) and the history. */
static ctune_status read_optional(ctune__rdoc *d, const ctune__json *cv)
{
    const ctune__json *root = d->root;
    /* optional sections */
    const ctune__json *it = column(cv, "iter");
    if (it)
        CTUNE_TRY(numbers(it, "iter", d->n_cands, &d->iter));
    const ctune__json *nr = column(cv, "n_resources");
    if (nr)
        CTUNE_TRY(numbers(nr, "n_resources", d->n_cands, &d->n_resources));
    const ctune__json *state = column(cv, "state");
    if (state) {
        CTUNE_TRY(strings(state, "state", d->n_cands, &d->state));
        for (size_t i = 0; i < d->n_cands; i++) {
            const char *s = d->state[i];
            if (s && strcmp(s, "done") != 0 && strcmp(s, "failed") != 0 && strcmp(s, "pruned") != 0)
                return ctune_set_error(CTUNE_EFORMAT,
                                       "results file: state[%zu] (line %u) is "
                                       "not done, failed or pruned",
                                       i, state->items[i].line);
        }
    }
    const ctune__json *pr = column(cv, "pruned");
    if (pr)
        CTUNE_TRY(read_pruned(d, pr));
    const ctune__json *br = column(cv, "bracket");
    if (br)
        CTUNE_TRY(numbers(br, "bracket", d->n_cands, &d->bracket));
    const ctune__json *hist = ctune__json_get(root, "history");
    if (hist && hist->type != CTUNE__JSON_NULL)
        CTUNE_TRY(read_history(d, hist));
    return CTUNE_OK;
}

static ctune_status read_doc(ctune__rdoc *d)
{
    const ctune__json *cv = NULL;
    CTUNE_TRY(read_counts(d, &cv));
    CTUNE_TRY(read_summary(d));
    CTUNE_TRY(read_scores(d, cv));
    return read_optional(d, cv);
}

ctune_status ctune__rdoc_read(const char *text, size_t len, ctune__rdoc **out)
{
    CTUNE_CHECK_NULL(out, "out");
    *out = NULL;
    ctune__rdoc *d = ctune__calloc(1, sizeof *d);
    if (!d)
        return ctune_set_error(CTUNE_ENOMEM, "results file: out of memory");
    ctune_status rc = ctune__json_parse(text, len, NULL, &d->root);
    if (rc == CTUNE_OK)
        rc = read_doc(d);
    if (rc != CTUNE_OK) {
        ctune__rdoc_free(d);
        return rc;
    }
    *out = d;
    return CTUNE_OK;
}
