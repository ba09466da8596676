/* `ctune study show FILE` and `ctune study export FILE --results OUT`:
 * read a durable study (docs/studies.md) without running anything. */
#define CTUNE_EXPERIMENTAL /* ctune_study_*: durable studies */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

static void usage_study(FILE *f)
{
    fprintf(f, "usage: ctune study show FILE\n"
               "       ctune study export FILE --results OUT.csv|OUT.json\n"
               "\n"
               "show: the candidates ranked by mean test score (first scorer) over the\n"
               "committed tasks, and the tasks done out of the total.\n"
               "export: every committed task (candidate, split, state, params, scores,\n"
               "times, error) as CSV or JSON.\n");
}

typedef struct cand_row {
    double sum, sumsq, fit;
    size_t n, rung; /* the tasks of its highest rung (halving, pruner) */
    int failed;
    char *params;
} cand_row;

static int open_existing(const char *path, ctune_study **out)
{
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
        fprintf(stderr, "ctune study: '%s' is not an existing study file\n", path);
        return CLI_USAGE;
    }
    /* read only: never a schema created in another file, nor a study of
     * schema version 1 upgraded */
    if (ctune_study_open(out, path, "create=false") != CTUNE_OK)
        return cli_fail("opening the study");
    return CLI_OK;
}

static int show(ctune_study *study)
{
    size_t done, total, nc, ns, nt;
    if (ctune_study_progress(&done, &total, study) != CTUNE_OK ||
        ctune_study_shape(&nc, &ns, study) != CTUNE_OK ||
        ctune_study_n_trials(&nt, study) != CTUNE_OK)
        return cli_fail("reading the study");
    cand_row *rows = calloc(nc ? nc : 1, sizeof *rows);
    size_t *order = malloc((nc ? nc : 1) * sizeof *order);
    double *mean = malloc((nc ? nc : 1) * sizeof *mean);
    int rc = CLI_OK;
    if (!rows || !order || !mean) {
        fprintf(stderr, "ctune: out of memory\n");
        rc = CLI_ERROR;
        goto out;
    }
    for (size_t i = 0; i < nt; i++) {
        ctune_study_trial_info t;
        if (ctune_study_trial(&t, study, i) != CTUNE_OK) {
            rc = cli_fail("reading the study");
            goto out;
        }
        if (t.candidate >= nc)
            continue;
        cand_row *r = &rows[t.candidate];
        if (t.rung > r->rung || !r->n) { /* a candidate ranks by its highest rung */
            r->sum = r->sumsq = r->fit = 0;
            r->n = 0;
            r->failed = 0;
            r->rung = t.rung;
            free(r->params);
            r->params = NULL;
        }
        double v = t.n_scores ? t.scores[0] : NAN;
        r->sum += v;
        r->sumsq += v * v;
        r->fit += t.fit_time;
        r->n++;
        r->failed |= strcmp(t.state, "done") != 0 && strcmp(t.state, "pruned") != 0;
        if (!r->params)
            r->params = strdup(t.params);
    }
    for (size_t c = 0; c < nc; c++) {
        order[c] = c;
        mean[c] = rows[c].n == ns && ns ? rows[c].sum / (double)ns : NAN;
    }
    for (size_t i = 1; i < nc; i++) { /* by mean, descending, stable; NaN last */
        size_t k = order[i], j = i;
        while (j > 0 &&
               (isnan(mean[order[j - 1]]) ? !isnan(mean[k]) : mean[k] > mean[order[j - 1]])) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = k;
    }
    printf("tasks done: %zu of %zu\n", done, total);
    printf("\n%-5s %-8s %-8s %-9s %s\n", "rank", "mean", "std", "fit_s", "params");
    size_t rank = 0;
    for (size_t r = 0; r < nc; r++) {
        size_t c = order[r];
        const cand_row *x = &rows[c];
        if (!isfinite(mean[c])) {
            printf("%-5s %-8s %-8s %-9s %s%s\n", "-", "-", "-", "-",
                   x->params ? x->params : "(not run yet)", x->n < ns ? "  [incomplete]" : "");
            continue;
        }
        if (r == 0 || mean[c] != mean[order[r - 1]])
            rank = r + 1; /* ties share the lowest rank */
        double m = mean[c], var = x->sumsq / (double)ns - m * m;
        printf("%-5zu %-8.4f %-8.4f %-9.4f %s\n", rank, m, var > 0 ? sqrt(var) : 0.0,
               x->fit / (double)ns, x->params ? x->params : "");
    }
out:
    for (size_t c = 0; rows && c < nc; c++)
        free(rows[c].params);
    free(rows);
    free(order);
    free(mean);
    return rc;
}

/* A growable text buffer for the export. */
typedef struct buf {
    char *s;
    size_t len, cap;
    int failed;
} buf;

static void put(buf *b, const char *fmt, ...) CTUNE_PRINTF(2, 3);

static void put(buf *b, const char *fmt, ...)
{
    if (b->failed)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? b->cap - b->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
            b->failed = 1;
            return;
        }
        if (b->s && b->len + (size_t)n < b->cap) {
            b->len += (size_t)n;
            return;
        }
        size_t cap = (b->cap + (size_t)n + 1) * 2;
        char *s = realloc(b->s, cap);
        if (!s) {
            b->failed = 1;
            return;
        }
        b->s = s;
        b->cap = cap;
    }
}

static void put_num(buf *b, double v, int json)
{
    if (isfinite(v))
        put(b, "%.17g", v);
    else
        put(b, "%s", json ? "null" : "nan");
}

static void put_text(buf *b, const char *s, int json)
{
    put(b, "\"");
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"')
            put(b, json ? "\\\"" : "\"\"");
        else if (json && c == '\\')
            put(b, "\\\\");
        else if (json && c < 0x20)
            put(b, "\\u%04x", c);
        else
            put(b, "%c", c);
    }
    put(b, "\"");
}

static int export(ctune_study *study, const char *path)
{
    int json = cli_results_is_json(path);
    size_t done, total, nt;
    if (ctune_study_progress(&done, &total, study) != CTUNE_OK ||
        ctune_study_n_trials(&nt, study) != CTUNE_OK)
        return cli_fail("reading the study");
    buf b = {0};
    if (json)
        put(&b, "{\"tasks_done\": %zu, \"tasks_total\": %zu, \"trials\": [", done, total);
    else
        put(&b, "candidate,split,state,params,scores,fit_time,score_time,error,rung,n_resources,"
                "bracket\n");
    for (size_t i = 0; i < nt; i++) {
        ctune_study_trial_info t;
        if (ctune_study_trial(&t, study, i) != CTUNE_OK) {
            free(b.s);
            return cli_fail("reading the study");
        }
        if (json) {
            put(&b, "%s\n  {\"candidate\": %zu, \"split\": %zu, \"state\": ", i ? "," : "",
                t.candidate, t.split);
            put_text(&b, t.state, 1);
            put(&b, ", \"params\": ");
            put_text(&b, t.params, 1);
            put(&b, ", \"scores\": [");
            for (size_t k = 0; k < t.n_scores; k++) {
                put(&b, k ? ", " : "");
                put_num(&b, t.scores[k], 1);
            }
            put(&b, "], \"fit_time\": ");
            put_num(&b, t.fit_time, 1);
            put(&b, ", \"score_time\": ");
            put_num(&b, t.score_time, 1);
            put(&b, ", \"error\": ");
            put_text(&b, t.error, 1);
            put(&b, ", \"rung\": %zu, \"n_resources\": ", t.rung);
            if (t.n_resources > 0)
                put(&b, "%lld", (long long)t.n_resources);
            else
                put(&b, "null");
            put(&b, ", \"bracket\": ");
            if (t.bracket >= 0)
                put(&b, "%lld", (long long)t.bracket);
            else
                put(&b, "null");
            put(&b, "}");
        } else {
            put(&b, "%zu,%zu,%s,", t.candidate, t.split, t.state);
            put_text(&b, t.params, 0);
            put(&b, ",\"");
            for (size_t k = 0; k < t.n_scores; k++) {
                put(&b, k ? " " : "");
                put_num(&b, t.scores[k], 0);
            }
            put(&b, "\",");
            put_num(&b, t.fit_time, 0);
            put(&b, ",");
            put_num(&b, t.score_time, 0);
            put(&b, ",");
            put_text(&b, t.error, 0);
            put(&b, ",%zu,", t.rung);
            if (t.n_resources > 0)
                put(&b, "%lld", (long long)t.n_resources);
            put(&b, ",");
            if (t.bracket >= 0)
                put(&b, "%lld", (long long)t.bracket);
            put(&b, "\n");
        }
    }
    if (json)
        put(&b, "\n]}\n");
    if (b.failed) {
        free(b.s);
        fprintf(stderr, "ctune: out of memory\n");
        return CLI_ERROR;
    }
    int rc = ctune_write_file(path, b.s, b.len) == CTUNE_OK ? CLI_OK
                                                            : cli_fail("writing the export");
    free(b.s);
    return rc;
}

int cli_study(int argc, char **argv)
{
    if (argc < 3 || strcmp(argv[2], "--help") == 0 || strcmp(argv[2], "-h") == 0) {
        usage_study(argc < 3 ? stderr : stdout);
        return argc < 3 ? CLI_USAGE : CLI_OK;
    }
    const char *sub = argv[2];
    int is_show = strcmp(sub, "show") == 0, is_export = strcmp(sub, "export") == 0;
    if (!is_show && !is_export)
        return cli_usage_error("study", "unknown subcommand '%s' (show or export)", sub);
    if (argc < 4 || strncmp(argv[3], "--", 2) == 0)
        return cli_usage_error("study", "%s needs the study FILE", sub);
    const char *file = argv[3];
    const char *results = NULL;
    for (int i = 4; i < argc; i++) {
        if (is_export && strcmp(argv[i], "--results") == 0 && i + 1 < argc && !results)
            results = argv[++i];
        else if (is_export && strncmp(argv[i], "--results=", 10) == 0 && !results)
            results = argv[i] + 10;
        else
            return cli_usage_error("study", "unexpected argument '%s'", argv[i]);
    }
    if (is_export) {
        if (!results)
            return cli_usage_error("study", "export needs --results OUT.csv|OUT.json");
        if (!cli_results_is_json(results) && !cli_results_is_csv(results))
            return cli_usage_error("study",
                                   "--results needs a file name ending in .csv or "
                                   ".json, got '%s'",
                                   results);
        const cli_path in[] = {{"study", file, 0}};
        const cli_path out[] = {{"results", results, 0}};
        int rc = cli_check_paths("study", in, 1, out, 1);
        if (rc != CLI_OK)
            return rc;
    }
    ctune_study *study = NULL;
    int rc = open_existing(file, &study);
    if (rc != CLI_OK)
        return rc;
    rc = is_show ? show(study) : export(study, results);
    ctune_study_close(study);
    return rc;
}
