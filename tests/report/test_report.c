/* Check suite: the HTML report (lib/report): the results reader (every
 * required field, optional sections, refusals naming the field), the SVG
 * output (structure, one mark per candidate), escaping of every string that
 * reaches the page, pages for degenerate searches, locale-free numbers,
 * the public entry points and allocation failures. */
#define CTUNE_EXPERIMENTAL /* ctune_study_*: a study as the input */
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model_selection/strbuf.h"
#include "report/report.h"
#include "report/results_read.h"
#include "report/svg.h"
#include "testutil.h"

enum { F_NAN = 1, F_HISTORY = 2, F_HALVING = 4, F_NASTY = 8, F_STATE = 16, F_PRUNED = 32 };

static const char *NASTY_NAME = "a<b&\\\"q'"; /* JSON text of a<b&"q' */
static const char *NASTY_VALUE = "</script><b>x</b>&amp;";

static double score_of(size_t i, int flags)
{
    if ((flags & F_NAN) && i % 3 == 1)
        return NAN;
    return 0.6 + 0.3 * fabs(sin((double)i * 1.7));
}

static void num(ctune__sb *b, double v)
{
    if (isfinite(v))
        ctune__sb_printf(b, "%.6f", v); /* tests run in the C locale here */
    else
        ctune__sb_str(b, "null");
}

/* A results document of n candidates with params act (string), lr (a
 * log-uniform float), nl (int), in schema 1 layout. */
static char *gen_doc(size_t n, int flags)
{
    ctune__sb b;
    ctune__sb_init(&b);
    const char *metric = flags & F_NASTY ? "f1&<i>" : "score";
    long best = -1;
    for (size_t i = 0; i < n; i++)
        if (isfinite(score_of(i, flags)) &&
            (best < 0 || score_of(i, flags) > score_of((size_t)best, flags)))
            best = (long)i;
    ctune__sb_printf(&b, "{\n  \"schema\": 1,\n  \"best_index\": ");
    if (best >= 0)
        ctune__sb_printf(&b, "%ld,\n  \"best_score\": ", best);
    else
        ctune__sb_str(&b, "null,\n  \"best_score\": ");
    num(&b, best >= 0 ? score_of((size_t)best, flags) : NAN);
    ctune__sb_printf(&b,
                     ",\n  \"best_params\": null,\n  \"refit_metric\": \"%s\",\n  \"scorers\": "
                     "[\"%s\"],\n  \"n_candidates\": %zu,\n  \"n_splits\": 2,\n  \"status\": "
                     "\"complete\",\n  \"cv_results\": {\n    \"mean_fit_time\": [",
                     metric, metric, n);
    for (size_t i = 0; i < n; i++)
        ctune__sb_str(&b, i ? ", 0.01" : "0.01");
    ctune__sb_printf(&b, "],\n    \"param_%s\": [", flags & F_NASTY ? NASTY_NAME : "act");
    for (size_t i = 0; i < n; i++)
        ctune__sb_printf(&b, "%s\"%s\"", i ? ", " : "",
                         (flags & F_NASTY) && i % 2 ? "<\\/script><b>x<\\/b>&amp;"
                         : i % 2                    ? "relu"
                                                    : "tanh");
    ctune__sb_str(&b, "],\n    \"param_lr\": [");
    for (size_t i = 0; i < n; i++) {
        ctune__sb_str(&b, i ? ", " : "");
        num(&b, pow(10, -4 + 3.0 * (double)(i % 7) / 6));
    }
    ctune__sb_str(&b, "],\n    \"param_nl\": [");
    for (size_t i = 0; i < n; i++)
        ctune__sb_printf(&b, "%s%zu", i ? ", " : "", 1 + i % 3);
    ctune__sb_str(&b, "],\n    \"params\": [");
    for (size_t i = 0; i < n; i++)
        ctune__sb_printf(&b, "%s{\"nl\": %zu}", i ? ", " : "", 1 + i % 3);
    for (int k = 0; k < 2; k++) {
        ctune__sb_printf(&b, "],\n    \"split%d_test_%s\": [", k, metric);
        for (size_t i = 0; i < n; i++) {
            ctune__sb_str(&b, i ? ", " : "");
            num(&b, score_of(i, flags) + (k ? 0.01 : -0.01));
        }
    }
    ctune__sb_printf(&b, "],\n    \"mean_test_%s\": [", metric);
    for (size_t i = 0; i < n; i++) {
        ctune__sb_str(&b, i ? ", " : "");
        num(&b, score_of(i, flags));
    }
    ctune__sb_printf(&b, "],\n    \"std_test_%s\": [", metric);
    for (size_t i = 0; i < n; i++)
        ctune__sb_str(&b, isfinite(score_of(i, flags)) ? (i ? ", 0.01" : "0.01")
                                                       : (i ? ", null" : "null"));
    ctune__sb_printf(&b, "],\n    \"rank_test_%s\": [", metric);
    for (size_t i = 0; i < n; i++) {
        size_t r = 1;
        double s = score_of(i, flags);
        for (size_t j = 0; j < n; j++) {
            double t = score_of(j, flags);
            r += isfinite(s) ? (isfinite(t) && t > s) : isfinite(t);
        }
        ctune__sb_printf(&b, "%s%zu", i ? ", " : "", r);
    }
    if (flags & F_HALVING) {
        ctune__sb_str(&b, "],\n    \"iter\": [");
        for (size_t i = 0; i < n; i++)
            ctune__sb_printf(&b, "%s%zu", i ? ", " : "", i * 3 / n);
        ctune__sb_str(&b, "],\n    \"n_resources\": [");
        for (size_t i = 0; i < n; i++)
            ctune__sb_printf(&b, "%s%zu", i ? ", " : "", (size_t)30 << (i * 3 / n));
    }
    if (flags & F_PRUNED) { /* a pruned search: rows 3, 7, 11, ... stopped at step 3 */
        ctune__sb_str(&b, "],\n    \"pruned\": [");
        for (size_t i = 0; i < n; i++)
            ctune__sb_printf(&b, "%s%d", i ? ", " : "", i % 4 == 3);
        if (!(flags & F_HALVING)) {
            ctune__sb_str(&b, "],\n    \"n_resources\": [");
            for (size_t i = 0; i < n; i++)
                ctune__sb_printf(&b, "%s%d", i ? ", " : "", i % 4 == 3 ? 3 : 9);
        }
    }
    if (flags & F_STATE) {
        ctune__sb_str(&b, "],\n    \"state\": [");
        for (size_t i = 0; i < n; i++)
            ctune__sb_printf(&b, "%s\"%s\"", i ? ", " : "",
                             isfinite(score_of(i, flags)) ? "done"
                             : i % 2                      ? "failed"
                                                          : "pruned");
    }
    ctune__sb_str(&b, "],\n    \"error\": [");
    for (size_t i = 0; i < n; i++)
        ctune__sb_str(&b, isfinite(score_of(i, flags))
                              ? (i ? ", null" : "null")
                              : (i ? ", \"boom <\\/script><script>alert(1)<\\/script> & \\\"q\\\"\""
                                   : "\"boom\""));
    ctune__sb_str(&b, "]\n  }");
    if (flags & F_HISTORY) {
        ctune__sb_str(&b, ",\n  \"history\": [");
        for (size_t i = 0; i < n; i++)
            for (int m = 0; m < 2; m++) {
                ctune__sb_printf(&b, "%s{\"candidate\": %zu, \"metric\": \"%s\", \"values\": [",
                                 i || m ? ", " : "", i, m ? "val_accuracy" : "loss");
                for (int e = 0; e < 6; e++) {
                    ctune__sb_str(&b, e ? ", " : "");
                    num(&b, m ? 0.5 + 0.05 * e : 1.0 / (1 + e + (double)i));
                }
                ctune__sb_str(&b, "]}");
            }
        ctune__sb_str(&b, "]");
    }
    ctune__sb_str(&b, "\n}\n");
    ck_assert(!b.failed);
    return b.s;
}

static ctune__rdoc *read_ok(const char *text)
{
    ctune__rdoc *d = NULL;
    ctune_status rc = ctune__rdoc_read(text, strlen(text), &d);
    ck_assert_msg(rc == CTUNE_OK, "%s", ctune_last_error());
    return d;
}

static char *html_of(const ctune__rdoc *d, const char *source)
{
    ctune__sb b;
    ctune__sb_init(&b);
    ck_assert_ok(ctune__report_html(d, source, &b));
    return b.s;
}

static size_t count(const char *s, const char *needle)
{
    size_t n = 0;
    for (const char *p = s; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

/* The text of figure `id` (from its start to its </figure>), in a static buffer. */
static const char *figure(const char *html, const char *id)
{
    static char buf[1 << 20];
    char key[64];
    snprintf(key, sizeof key, "<figure class=\"plot\" id=\"%s\">", id);
    const char *p = strstr(html, key);
    ck_assert_msg(p != NULL, "no figure '%s'", id);
    const char *e = strstr(p, "</figure>");
    ck_assert(e && (size_t)(e - p) < sizeof buf);
    memcpy(buf, p, (size_t)(e - p));
    buf[e - p] = '\0';
    return buf;
}

/* Every svg is an accessible image with a title and a description. */
static void check_structure(const char *html)
{
    ck_assert(strncmp(html, "<!DOCTYPE html>\n<html lang=\"en\">", 31) == 0);
    ck_assert(strstr(html, "</body>\n</html>\n") != NULL);
    size_t n = count(html, "<svg ");
    ck_assert_uint_eq(n, count(html, "</svg>"));
    ck_assert_uint_eq(n, count(html, "<figure class=\"plot\""));
    ck_assert_uint_eq(n, count(html, "</figure>"));
    ck_assert_uint_eq(n, count(html, "role=\"img\" aria-labelledby=\""));
    ck_assert_uint_eq(n, count(html, "-t\">"));
    ck_assert_uint_eq(count(html, "<desc id="), n);
    ck_assert_uint_eq(count(html, "<title id="), n);
    ck_assert_uint_eq(count(html, "<table>"), count(html, "</table>"));
    ck_assert_uint_eq(count(html, "<tr"), count(html, "</tr>"));
    ck_assert_ptr_null(strstr(html, "<script")); /* no script, nothing fetched */
    ck_assert_ptr_null(strstr(html, "http://www.w3.org/2000/svg\" src"));
    ck_assert_ptr_null(strstr(html, "href="));
    ck_assert_ptr_null(strstr(html, "url("));
    ck_assert_ptr_null(strstr(html, "NaN\"")); /* no NaN coordinates */
    ck_assert_ptr_null(strstr(html, "=\"nan"));
    ck_assert_ptr_null(strstr(html, "inf\""));
}

START_TEST(test_plots_count_candidates)
{
    const size_t n = 24;
    char *text = gen_doc(n, 0);
    ctune__rdoc *d = read_ok(text);
    ck_assert_uint_eq(d->n_cands, n);
    ck_assert_uint_eq(d->n_params, 3);
    ck_assert_str_eq(d->params[0].name, "act");
    ck_assert(d->params[0].categorical && !d->params[1].categorical);
    ck_assert_int_eq(d->schema, 1);
    ck_assert_ptr_null(d->iter);
    ck_assert_uint_eq(d->n_series, 0);
    char *html = html_of(d, "results.json");
    check_structure(html);
    /* history, parallel, 3 slices, importances */
    ck_assert_uint_eq(count(html, "<svg "), 6);
    ck_assert_uint_eq(count(figure(html, "history"), "class=\"pt"), n);
    ck_assert_uint_eq(count(figure(html, "history"), "class=\"pt best\""), 1);
    ck_assert_uint_eq(count(figure(html, "history"), "class=\"best-line\""), 1);
    ck_assert_uint_eq(count(figure(html, "parallel"), "class=\"pline"), n);
    for (int k = 0; k < 3; k++) {
        char id[16];
        snprintf(id, sizeof id, "slice-%d", k);
        ck_assert_uint_eq(count(figure(html, id), "class=\"pt"), n);
    }
    ck_assert(strstr(figure(html, "slice-1"), "lr (value, log scale)") != NULL); /* 3 decades */
    ck_assert(strstr(figure(html, "slice-2"), "nl (value)") != NULL);
    ck_assert(strstr(figure(html, "slice-0"), "act (category)") != NULL);
    ck_assert_uint_eq(count(figure(html, "importance"), "class=\"bar\""), 3);
    ck_assert(strstr(html, "Method: mean decrease in impurity") != NULL);
    ck_assert(strstr(html, "No learning curves") != NULL);
    ck_assert_uint_eq(count(html, "<tr>") + count(html, "<tr class=\"best\">"), n + 1);
    ck_assert_uint_eq(count(html, "<tr class=\"best\">"), 1);
    ck_assert(strstr(html, "mean test score (score)") != NULL); /* axis label with its unit */
    ck_assert(strstr(html, "candidate (index, in order of evaluation)") != NULL);
    free(html);
    ctune__rdoc_free(d);
    free(text);
}
END_TEST

START_TEST(test_optional_sections)
{
    const size_t n = 12;
    char *text = gen_doc(n, F_HISTORY | F_HALVING | F_STATE);
    ctune__rdoc *d = read_ok(text);
    ck_assert_ptr_nonnull(d->iter);
    ck_assert_ptr_nonnull(d->n_resources);
    ck_assert_ptr_nonnull(d->state);
    ck_assert_uint_eq(d->n_series, 2 * n);
    ck_assert_str_eq(d->series[1].metric, "val_accuracy");
    ck_assert_uint_eq(d->series[1].n, 6);
    char *html = html_of(d, NULL);
    check_structure(html);
    ck_assert_uint_eq(count(figure(html, "curves-0"), "class=\"curve\""), 5); /* the top 5 */
    ck_assert(strstr(figure(html, "curves-1"), "val_accuracy (per epoch)") != NULL);
    ck_assert_uint_eq(count(figure(html, "rungs"), "class=\"pt"), n);
    ck_assert(strstr(html, "<th scope=\"col\">state</th>") != NULL);
    ck_assert(strstr(html, "<th scope=\"col\">rung</th>") != NULL);
    ck_assert_ptr_null(strstr(html, "No learning curves"));
    free(html);
    ctune__rdoc_free(d);
    free(text);
}
END_TEST

/* Every string from the file reaches the page escaped. */
START_TEST(test_escaping)
{
    char *text = gen_doc(10, F_NASTY | F_NAN | F_PRUNED);
    ctune__rdoc *d = read_ok(text);
    ck_assert_str_eq(d->params[0].name, "a<b&\"q'");
    ck_assert_str_eq(d->state[3], "pruned");
    ck_assert_str_eq(d->metric, "f1&<i>");
    char *html = html_of(d, "dir/<x>&\"'.json");
    check_structure(html);
    ck_assert_ptr_null(strstr(html, "</script"));
    ck_assert_ptr_null(strstr(html, "<b>"));
    ck_assert_ptr_null(strstr(html, "<i>"));
    ck_assert_ptr_null(strstr(html, "a<b"));
    ck_assert_ptr_null(strstr(html, "<x>"));
    ck_assert(strstr(html, "a&lt;b&amp;&quot;q&#39;") != NULL); /* param name */
    ck_assert(strstr(html, "&lt;/script&gt;&lt;b&gt;x&lt;/b&gt;&amp;amp;") != NULL); /* value */
    ck_assert(strstr(html, "mean test f1&amp;&lt;i&gt;") != NULL);                   /* metric */
    ck_assert(strstr(html, "boom &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; "
                           "&quot;q&quot;") != NULL);                      /* error text */
    ck_assert(strstr(html, "dir/&lt;x&gt;&amp;&quot;&#39;.json") != NULL); /* source */
    /* escaped in attributes too: no raw quote ends a title early */
    ck_assert_ptr_null(strstr(html, "q'\""));
    free(html);
    ctune__rdoc_free(d);
    free(text);
    (void)NASTY_VALUE;
}
END_TEST

/* Degenerate searches give a page that says what is missing. */
START_TEST(test_degenerate_pages)
{
    /* an empty search */
    char *text = gen_doc(0, 0);
    ctune__rdoc *d = read_ok(text);
    char *html = html_of(d, NULL);
    check_structure(html);
    ck_assert(strstr(html, "The search has no candidates: there is nothing to plot.") != NULL);
    ck_assert_uint_eq(count(html, "<svg "), 0);
    free(html);
    ctune__rdoc_free(d);
    free(text);

    /* one candidate */
    text = gen_doc(1, 0);
    d = read_ok(text);
    html = html_of(d, NULL);
    check_structure(html);
    ck_assert(strstr(html, "A single candidate") != NULL);
    ck_assert(strstr(html, "Parameter importances need at least 2 searched parameters and 8") !=
              NULL);
    ck_assert_uint_eq(count(figure(html, "history"), "class=\"pt"), 1);
    ck_assert_ptr_null(strstr(html, "id=\"importance\""));
    free(html);
    ctune__rdoc_free(d);
    free(text);

    /* NaN scores: crosses in the history, left out elsewhere */
    text = gen_doc(9, F_NAN);
    d = read_ok(text);
    html = html_of(d, NULL);
    check_structure(html);
    ck_assert_uint_eq(count(figure(html, "history"), "class=\"pt"), 9);
    ck_assert_uint_eq(count(figure(html, "history"), "class=\"pt failed\""), 3);
    ck_assert_uint_eq(count(figure(html, "parallel"), "class=\"pline"), 6);
    ck_assert_uint_eq(count(figure(html, "slice-0"), "class=\"pt"), 6);
    ck_assert(strstr(html, "3 of the 9 candidates have no score") != NULL);
    free(html);
    ctune__rdoc_free(d);
    free(text);

    /* every score NaN */
    const char *all_nan =
        "{\"schema\": 1, \"best_index\": null, \"best_score\": null, \"refit_metric\": \"score\","
        " \"n_candidates\": 2, \"n_splits\": 1, \"status\": \"complete\", \"cv_results\": {"
        "\"param_a\": [1, 2], \"params\": [{\"a\": 1}, {\"a\": 2}], \"split0_test_score\": "
        "[null, null], \"mean_test_score\": [null, null], \"std_test_score\": [null, null],"
        " \"rank_test_score\": [1, 1], \"error\": [\"x failed\", \"y failed\"]}}";
    d = read_ok(all_nan);
    html = html_of(d, NULL);
    check_structure(html);
    ck_assert(strstr(html, "No candidate has a score") != NULL);
    ck_assert_uint_eq(count(html, "<svg "), 0);
    ck_assert(strstr(html, "x failed") != NULL);
    ck_assert(strstr(html, "<dt>best score</dt><dd>none") != NULL);
    free(html);
    ctune__rdoc_free(d);

    /* no searched parameter, a partial search */
    const char *bare =
        "{\"schema\": 1, \"n_candidates\": 1, \"n_splits\": 0, \"status\": \"partial\","
        " \"cv_results\": {\"params\": [{}], \"mean_test_score\": [0.5],"
        " \"std_test_score\": [0], \"rank_test_score\": [1]}}";
    d = read_ok(bare);
    ctune__rdoc_free(d);
    /* the optional stopped_by of a search ended by its timeout */
    const char *timed =
        "{\"schema\": 1, \"n_candidates\": 1, \"n_splits\": 0, \"status\": \"complete\","
        " \"stopped_by\": \"timeout\", \"cv_results\": {\"params\": [{}], "
        "\"mean_test_score\": [0.5], \"std_test_score\": [0], \"rank_test_score\": [1]}}";
    d = read_ok(timed);
    ctune__rdoc_free(d);
    d = read_ok(bare);
    html = html_of(d, NULL);
    check_structure(html);
    ck_assert(strstr(html, "No parameter was searched") != NULL);
    ck_assert(strstr(html, "partial results") != NULL);
    ck_assert_uint_eq(count(html, "<svg "), 1);
    free(html);
    ctune__rdoc_free(d);
}
END_TEST

static void read_bad(const char *text, ctune_status want, const char *needle)
{
    ctune__rdoc *d = (ctune__rdoc *)1;
    ctune_status rc = ctune__rdoc_read(text, strlen(text), &d);
    ck_assert_msg(rc == want, "'%s': status %d (%s)", text, rc, ctune_last_error());
    ck_assert_ptr_null(d);
    ck_assert_msg(strstr(ctune_last_error(), needle) != NULL, "'%s': '%s' lacks '%s'", text,
                  ctune_last_error(), needle);
}

START_TEST(test_reader_refusals)
{
    read_bad("[1, 2]", CTUNE_EFORMAT, "not a ctune results file: the document is an array");
    read_bad("{\"a\": 1}", CTUNE_EFORMAT, "not a ctune results file: no 'cv_results' field");
    read_bad("{\"cv_results\": {}}", CTUNE_EFORMAT, "no 'schema' field");
    read_bad("{\"schema\": 2, \"cv_results\": {}}", CTUNE_EFORMAT,
             "schema 2 is not one this ctune reads (1 to 1): written by a newer ctune");
    read_bad("{\"schema\": 0, \"cv_results\": {}}", CTUNE_EFORMAT, "schema 0 is not one");
    read_bad("{\"schema\": \"1\", \"cv_results\": {}}", CTUNE_EFORMAT,
             "'schema' (line 1 column 12) must be a version number, not a string");
    read_bad("{\"schema\": 1.5, \"cv_results\": {}}", CTUNE_EFORMAT, "version number");
    read_bad("{\"schema\": 1, \"n_candidates\": 0, \"n_splits\": 0, \"stopped_by\": 3, "
             "\"cv_results\": {}}",
             CTUNE_EFORMAT, "'stopped_by' (line 1 column 63) must be a string, not a number");
    read_bad("{\"schema\": 1, \"cv_results\": []}", CTUNE_EFORMAT,
             "'cv_results' (line 1 column 29) must be an object of columns");
    read_bad("{\"schema\": 1, \"cv_results\": {}}", CTUNE_EFORMAT, "'n_candidates' is missing");
    read_bad("{\"schema\": 1, \"n_candidates\": -1, \"cv_results\": {}}", CTUNE_EFORMAT,
             "'n_candidates'");
    read_bad("{\"schema\": 1, \"n_candidates\": 1, \"n_splits\": 0, \"cv_results\": {}}",
             CTUNE_EFORMAT, "'mean_test_score' is missing");
    read_bad("{\"schema\": 1, \"n_candidates\": 2, \"n_splits\": 0, \"cv_results\": {"
             "\"mean_test_score\": [1]}}",
             CTUNE_EFORMAT, "column 'mean_test_score' (line 1) has 1 values for 2 candidates");
    read_bad("{\"schema\": 1, \"n_candidates\": 1, \"n_splits\": 0, \"cv_results\": {"
             "\"mean_test_score\": [\"0.5\"]}}",
             CTUNE_EFORMAT, "'mean_test_score[0]' (line 1 column 84) must be a number or null");
    const char *head = "{\"schema\": 1, \"n_candidates\": 1, \"n_splits\": 1, \"cv_results\": {"
                       "\"mean_test_score\": [1], \"std_test_score\": [0], \"rank_test_score\": "
                       "[1], ";
    char buf[1024];
    snprintf(buf, sizeof buf, "%s\"params\": [{}]}}", head);
    read_bad(buf, CTUNE_EFORMAT, "'split0_test_score' is missing");
    snprintf(buf, sizeof buf, "%s\"split0_test_score\": [1], \"params\": [1]}}", head);
    read_bad(buf, CTUNE_EFORMAT, "'params[0]'");
    snprintf(buf, sizeof buf,
             "%s\"split0_test_score\": [1], \"params\": [{}], \"param_a\": "
             "[[1]]}}",
             head);
    read_bad(buf, CTUNE_EFORMAT, "'param_a[0]'");
    snprintf(buf, sizeof buf,
             "%s\"split0_test_score\": [1], \"params\": [{}], \"error\": "
             "[1]}}",
             head);
    read_bad(buf, CTUNE_EFORMAT, "'error[0]'");
    snprintf(buf, sizeof buf,
             "%s\"split0_test_score\": [1], \"params\": [{}], \"state\": "
             "[\"running\"]}}",
             head);
    read_bad(buf, CTUNE_EFORMAT, "state[0] (line 1) is not done, failed or pruned");
    snprintf(buf, sizeof buf,
             "%s\"split0_test_score\": [1], \"params\": [{}]}, \"history\": "
             "[{\"candidate\": 1, \"metric\": \"loss\", \"values\": []}]}",
             head);
    read_bad(buf, CTUNE_EFORMAT,
             "'history[0].candidate' (line 1) is not a candidate index below 1");
    snprintf(buf, sizeof buf,
             "%s\"split0_test_score\": [1], \"params\": [{}]}, \"history\": "
             "[{\"candidate\": 0, \"values\": []}]}",
             head);
    read_bad(buf, CTUNE_EFORMAT, "'history[0].metric' is missing");
    snprintf(buf, sizeof buf,
             "%s\"split0_test_score\": [1], \"params\": [{}]}, \"best_index\": "
             "1}",
             head);
    read_bad(buf, CTUNE_EFORMAT, "'best_index'");
    snprintf(buf, sizeof buf,
             "%s\"split0_test_score\": [1], \"params\": [{}]}, \"unknown\": "
             "{\"a\": [1]}}",
             head);
    ctune__rdoc *d = read_ok(buf); /* unknown fields are later optional additions */
    ck_assert_int_eq(d->schema, 1);
    ctune__rdoc_free(d);
    read_bad("{\"schema\": 1, \"cv_results\": {}, \"x\": [1,]}", CTUNE_EFORMAT,
             "JSON line 1 column 41: a trailing comma");
    /* a file written before the schema field is read as schema 1 */
    d = read_ok("{\"n_candidates\": 0, \"n_splits\": 0, \"cv_results\": {\"params\": [], "
                "\"mean_test_score\": [], \"std_test_score\": [], \"rank_test_score\": []}}");
    ck_assert_int_eq(d->schema, 0);
    ctune__rdoc_free(d);
}
END_TEST

/* Which columns hold the scores shown: sklearn's single-metric "score"
 * suffix under the scorer's name, or the refit metric of several. */
START_TEST(test_metric_columns)
{
    const char *single =
        "{\"schema\": 1, \"refit_metric\": \"f1_macro\", \"scorers\": [\"score\"], "
        "\"n_candidates\": 1, \"n_splits\": 0, \"cv_results\": {\"params\": [{}], "
        "\"mean_test_score\": [0.5], \"std_test_score\": [0], \"rank_test_score\": [1]}}";
    ctune__rdoc *d = read_ok(single);
    ck_assert_str_eq(d->metric, "score");
    ck_assert_str_eq(d->metric_label, "f1_macro");
    char *html = html_of(d, NULL);
    ck_assert(strstr(html, "mean test f1_macro (higher is better)") != NULL);
    free(html);
    ctune__rdoc_free(d);
    const char *multi =
        "{\"schema\": 1, \"refit_metric\": \"f1\", \"scorers\": [\"accuracy\", \"f1\"], "
        "\"n_candidates\": 1, \"n_splits\": 0, \"cv_results\": {\"params\": [{}], "
        "\"mean_test_f1\": [0.25], \"std_test_f1\": [0], \"rank_test_f1\": [1], "
        "\"mean_test_accuracy\": [0.5]}}";
    d = read_ok(multi);
    ck_assert_str_eq(d->metric, "f1");
    ck_assert(d->mean[0] == 0.25);
    ctune__rdoc_free(d);
    const char *no_refit =
        "{\"schema\": 1, \"refit_metric\": null, \"scorers\": [\"accuracy\", \"f1\"], "
        "\"n_candidates\": 1, \"n_splits\": 0, \"cv_results\": {\"params\": [{}], "
        "\"mean_test_accuracy\": [0.5], \"std_test_accuracy\": [0], "
        "\"rank_test_accuracy\": [1]}}";
    d = read_ok(no_refit);
    ck_assert_str_eq(d->metric, "accuracy");
    ck_assert_str_eq(d->metric_label, "accuracy");
    ctune__rdoc_free(d);
    read_bad("{\"schema\": 1, \"scorers\": [\"a\", 1], \"n_candidates\": 0, \"n_splits\": 0, "
             "\"cv_results\": {}}",
             CTUNE_EFORMAT, "'scorers'");
}
END_TEST

START_TEST(test_numbers_locale_free)
{
    const char *names[] = {"de_DE.UTF-8", "fr_FR.UTF-8", NULL};
    for (int i = 0; names[i]; i++)
        if (setlocale(LC_NUMERIC, names[i]))
            break;
    struct {
        double v;
        const char *text;
    } cases[] = {{0, "0"},
                 {3, "3"},
                 {-12, "-12"},
                 {0.5, "0.5"},
                 {0.123456, "0.1235"},
                 {1234.5678, "1235"},
                 {-0.0001234, "-0.0001234"},
                 {1e-5, "1e-5"},
                 {2.5e7, "25000000"},
                 {2.5e20, "2.5e20"},
                 {NAN, "NaN"},
                 {1.23456e-7, "1.235e-7"},
                 {9.99999e-6, "1e-5"}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        ctune__sb b;
        ctune__sb_init(&b);
        ctune__fmt_num(&b, cases[i].v);
        ck_assert_msg(strcmp(b.s, cases[i].text) == 0, "%g: '%s', want '%s'", cases[i].v, b.s,
                      cases[i].text);
        ctune__sb_free(&b);
    }
    ctune__sb b;
    ctune__sb_init(&b);
    ctune__fmt_fixed(&b, 0.94666, 4);
    ctune__sb_str(&b, " ");
    ctune__fmt_fixed(&b, -0.00004, 4);
    ctune__sb_str(&b, " ");
    ctune__fmt_fixed(&b, 12.05, 1);
    ck_assert_str_eq(b.s, "0.9467 0.0000 12.1");
    ctune__sb_free(&b);
    /* a whole page, importances included, has the same bytes in any locale */
    setlocale(LC_NUMERIC, "C");
    char *text = gen_doc(10, 0);
    ctune__rdoc *d = read_ok(text);
    for (int i = 0; names[i]; i++)
        if (setlocale(LC_NUMERIC, names[i]))
            break;
    char *html = html_of(d, NULL);
    setlocale(LC_NUMERIC, "C");
    ck_assert(strstr(html, "id=\"importance\"") != NULL);
    ck_assert_ptr_null(strstr(html, "cx=\"1,"));
    ck_assert(strstr(html, "0.9") != NULL);
    char *again = html_of(d, NULL);
    ck_assert_msg(strcmp(html, again) == 0, "the page differs by locale");
    free(again);
    free(html);
    ctune__rdoc_free(d);
    free(text);
}
END_TEST

START_TEST(test_colour_ramp)
{
    /* luminance rises with the score: readable in greyscale */
    double last = -1;
    for (int k = 0; k <= 20; k++) {
        char c[8];
        ctune__svg_colour(k / 20.0, c);
        ck_assert_uint_eq(strlen(c), 7);
        unsigned r, g, bl;
        ck_assert_int_eq(sscanf(c, "#%02x%02x%02x", &r, &g, &bl), 3);
        double y = 0.2126 * r + 0.7152 * g + 0.0722 * bl;
        ck_assert_msg(y > last, "step %d: luminance %g after %g", k, y, last);
        last = y;
    }
    char c[8];
    ctune__svg_colour(NAN, c);
    ck_assert_str_eq(c, "#440154");
}
END_TEST

/* The importances find the parameter the score depends on. */
START_TEST(test_importances)
{
    char *text = gen_doc(30, 0);
    ctune__rdoc *d = read_ok(text);
    /* the score becomes a function of nl only */
    for (size_t i = 0; i < d->n_cands; i++)
        d->mean[i] = d->params[2].v[i]->num * 0.1;
    double imp[3];
    ck_assert_ok(ctune__report_importances(d, imp));
    ck_assert_msg(imp[2] > 0.9, "nl %g, act %g, lr %g", imp[2], imp[0], imp[1]);
    ck_assert(fabs(imp[0] + imp[1] + imp[2] - 1) < 1e-12);
    for (size_t i = 0; i < d->n_cands; i++) /* constant: nothing explains it */
        d->mean[i] = 0.5;
    ck_assert_ok(ctune__report_importances(d, imp));
    ck_assert(imp[0] == 0 && imp[1] == 0 && imp[2] == 0);
    ctune__rdoc_free(d);
    free(text);

    /* integer values with gaps (a batch size of 5, 10, 20) drive the score */
    ctune__sb b;
    ctune__sb_init(&b);
    ctune__sb_str(&b, "{\"schema\": 1, \"n_candidates\": 12, \"n_splits\": 0, \"cv_results\": "
                      "{\"params\": [{}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}], "
                      "\"param_batch\": [5, 10, 20, 5, 10, 20, 5, 10, 20, 5, 10, 20], "
                      "\"param_width\": [16, 16, 64, 64, 128, 128, 16, 64, 128, 16, 64, 128], "
                      "\"mean_test_score\": [0.91, 0.95, 0.97, 0.912, 0.951, 0.971, 0.909, "
                      "0.949, 0.969, 0.911, 0.95, 0.97], \"std_test_score\": [0, 0, 0, 0, 0, 0,"
                      " 0, 0, 0, 0, 0, 0], \"rank_test_score\": [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, "
                      "1, 1]}}");
    d = read_ok(b.s);
    ck_assert_ok(ctune__report_importances(d, imp));
    ck_assert_msg(imp[0] > 0.75, "batch %g, width %g", imp[0], imp[1]);
    ctune__rdoc_free(d);
    ctune__sb_free(&b);
}
END_TEST

/* A real search, through the public entry points. */
START_TEST(test_public_api)
{
    ctune_data *data = NULL;
    ctune_estimator *est = NULL;
    ctune_space *space = NULL;
    ctune_search *s = NULL;
    ck_assert_ok(ctune_dataset_load(&data, "iris", NULL));
    ck_assert_ok(ctune_decision_tree_classifier_new(&est));
    ck_assert_ok(ctune_space_parse(&space, "max_depth: 1|2|3|4; criterion: gini|entropy"));
    ck_assert_ok(ctune_search_new_grid(&s, est, space));
    char html_path[64], json_path[64];
    snprintf(html_path, sizeof html_path, "/tmp/ctune_report_%d.html", (int)getpid());
    snprintf(json_path, sizeof json_path, "/tmp/ctune_report_%d.json", (int)getpid());
    ck_assert_status(ctune_search_report(s, html_path), CTUNE_ESTATE); /* not fitted */
    ck_assert_int_eq(access(html_path, F_OK), -1);
    ck_assert_ok(ctune_search_fit(s, data));
    ck_assert_ok(ctune_search_report(s, html_path));
    ck_assert_ok(ctune_search_results_json(s, json_path));
    FILE *f = fopen(html_path, "rb");
    ck_assert_ptr_nonnull(f);
    static char page[1 << 20];
    size_t n = fread(page, 1, sizeof page - 1, f);
    fclose(f);
    page[n] = '\0';
    check_structure(page);
    ck_assert_uint_eq(count(figure(page, "history"), "class=\"pt"), 8);
    ck_assert(strstr(page, "<dt>candidates</dt><dd>8 (8 with a score)</dd>") != NULL);
    ck_assert_ok(ctune_report_write(json_path, html_path));
    ck_assert_status(ctune_report_write(json_path, json_path), CTUNE_EINVAL);
    ck_assert_error_has("never overwrites an input");
    ck_assert_status(ctune_report_write("/nonexistent/r.json", html_path), CTUNE_EIO);
    ck_assert_error_has("/nonexistent/r.json");
    ck_assert_status(ctune_report_write(NULL, html_path), CTUNE_EINVAL);
    ck_assert_status(ctune_report_write(json_path, NULL), CTUNE_EINVAL);
    ck_assert_status(ctune_search_report(NULL, html_path), CTUNE_EINVAL);
    /* a file that is not results: refused, the old page stays */
    f = fopen(json_path, "wb");
    fputs("{\"hello\": \"world\"}", f);
    fclose(f);
    ck_assert_status(ctune_report_write(json_path, html_path), CTUNE_EFORMAT);
    ck_assert_error_has("not a ctune results file");
    ck_assert_error_has(json_path);
    ck_assert_int_eq(access(html_path, F_OK), 0);
    unlink(html_path);
    unlink(json_path);
    ctune_search_free(s);
    ctune_space_free(space);
    ctune_estimator_free(est);
    ctune_data_free(data);
}
END_TEST

/* Every allocation may fail: CTUNE_ENOMEM (or a page without importances),
 * and nothing leaks. */
START_TEST(test_alloc_failures)
{
    char *text = gen_doc(9, F_NAN | F_HISTORY | F_HALVING | F_STATE);
    int done = 0;
    for (int k = 1; k < 5000 && !done; k++) {
        int64_t live = ctune_alloc_live();
        ctune__rdoc *d = NULL;
        ctune__sb b;
        ctune__sb_init(&b);
        ctune_alloc_fail_at(k, 0);
        int64_t fails = ctune_alloc_failures();
        ctune_status rc = ctune__rdoc_read(text, strlen(text), &d);
        if (rc == CTUNE_OK)
            rc = ctune__report_html(d, "x", &b);
        int injected = ctune_alloc_failures() > fails;
        ctune_alloc_fail_at(0, 0);
        ck_assert_msg(rc == CTUNE_OK || rc == CTUNE_ENOMEM, "step %d: %d %s", k, rc,
                      ctune_last_error());
        if (rc == CTUNE_OK)
            check_structure(b.s);
        done = rc == CTUNE_OK && !injected;
        ctune__sb_free(&b);
        ctune__rdoc_free(d);
        ck_assert_msg(ctune_alloc_live() == live, "step %d: leak", k);
    }
    ck_assert(done);
    free(text);
}
END_TEST

/* The optional pruned column of a search with a pruner: mapped to the
 * pruned state, shown as triangles, dashed lines and a table state. */
START_TEST(test_pruned_column)
{
    const size_t n = 12;
    char *text = gen_doc(n, F_PRUNED | F_HISTORY);
    ctune__rdoc *d = read_ok(text);
    ck_assert(d->has_pruned);
    ck_assert_ptr_nonnull(d->state);
    for (size_t i = 0; i < n; i++)
        ck_assert_str_eq(d->state[i], i % 4 == 3 ? "pruned" : "done");
    ck_assert_int_eq(d->best_index, 1); /* the best is a complete trial */
    char *html = html_of(d, NULL);
    check_structure(html);
    const char *h = figure(html, "history");
    ck_assert_uint_eq(count(h, "class=\"pt"), n);
    ck_assert_uint_eq(count(h, "class=\"pt pruned\""), 3);
    ck_assert_uint_eq(count(h, "class=\"key pruned\""), 1); /* the legend */
    ck_assert(strstr(h, "pruned (score at its last step)") != NULL);
    ck_assert(strstr(h, "3 trials were pruned (triangles pointing down") != NULL); /* desc */
    ck_assert_uint_eq(count(figure(html, "parallel"), "class=\"pline pruned\""), 3);
    ck_assert_uint_eq(count(figure(html, "slice-0"), "class=\"pt pruned\""), 3);
    /* the step each trial reached, pruned ones as triangles */
    const char *r = figure(html, "rungs");
    ck_assert(strstr(r, "Pruning: the step each trial reached") != NULL);
    ck_assert_uint_eq(count(r, "class=\"pt"), n);
    ck_assert_uint_eq(count(r, "class=\"pt pruned\""), 3);
    ck_assert(strstr(r, "pruned at 3, candidate 3") != NULL);
    /* learning curves: candidate 3 is among the 5 best by rank, dashed */
    ck_assert_uint_eq(count(figure(html, "curves-0"), "class=\"curve pruned\""), 1);
    ck_assert(strstr(figure(html, "curves-0"), "candidate 3 (pruned)") != NULL);
    ck_assert(strstr(html, "<dt>pruned</dt><dd>3 of 12 trials") != NULL);
    ck_assert(strstr(html, "3 of the 12 trials were pruned") != NULL);
    ck_assert_uint_eq(count(html, "<td>▽ pruned</td>"), 3);
    ck_assert_uint_eq(count(figure(html, "importance"), "class=\"bar\""), 3);
    free(html);
    /* importances leave the pruned trials out */
    double with[3], without[3];
    ck_assert_ok(ctune__report_importances(d, with));
    const char **state = d->state;
    d->state = NULL;
    ck_assert_ok(ctune__report_importances(d, without));
    d->state = state;
    ck_assert(with[0] != without[0] || with[1] != without[1] || with[2] != without[2]);
    ctune__rdoc_free(d);
    free(text);

    /* state and pruned together: they must agree */
    const char *head = "{\"schema\": 1, \"n_candidates\": 2, \"n_splits\": 1, \"cv_results\": {"
                       "\"mean_test_score\": [1, 0.5], \"std_test_score\": [0, 0], "
                       "\"rank_test_score\": [1, 2], \"split0_test_score\": [1, 0.5], "
                       "\"params\": [{}, {}], ";
    char buf[1024];
    snprintf(buf, sizeof buf, "%s\"state\": [\"done\", \"pruned\"], \"pruned\": [0, 1]}}", head);
    d = read_ok(buf);
    ck_assert(d->has_pruned);
    ck_assert_str_eq(d->state[1], "pruned");
    ctune__rdoc_free(d);
    snprintf(buf, sizeof buf, "%s\"state\": [\"done\", null], \"pruned\": [0, 1]}}", head);
    d = read_ok(buf); /* an unknown state agrees with anything */
    ctune__rdoc_free(d);
    snprintf(buf, sizeof buf, "%s\"state\": [\"done\", \"pruned\"], \"pruned\": [0, 0]}}", head);
    read_bad(buf, CTUNE_EFORMAT, "pruned[1] (line 1) is 0 but state[1] is pruned");
    snprintf(buf, sizeof buf, "%s\"state\": [\"pruned\", \"done\"], \"pruned\": [1, 1]}}", head);
    read_bad(buf, CTUNE_EFORMAT, "pruned[1] (line 1) is 1 but state[1] is done");
    /* without state: 0 is done, or failed for a row with an error */
    snprintf(buf, sizeof buf, "%s\"error\": [null, \"split 0: boom\"], \"pruned\": [0, 0]}}", head);
    d = read_ok(buf);
    ck_assert_str_eq(d->state[0], "done");
    ck_assert_str_eq(d->state[1], "failed");
    ctune__rdoc_free(d);
    /* wrong types and lengths */
    snprintf(buf, sizeof buf, "%s\"pruned\": [0, \"1\"]}}", head);
    read_bad(buf, CTUNE_EFORMAT, "'pruned[1]' (line 1 column");
    read_bad(buf, CTUNE_EFORMAT, "must be 0 or 1, not a string");
    snprintf(buf, sizeof buf, "%s\"pruned\": [0, 0.5]}}", head);
    read_bad(buf, CTUNE_EFORMAT, "'pruned[1]' (line 1 column");
    read_bad(buf, CTUNE_EFORMAT, "must be 0 or 1");
    snprintf(buf, sizeof buf, "%s\"pruned\": [2, 0]}}", head);
    read_bad(buf, CTUNE_EFORMAT, "'pruned[0]'");
    snprintf(buf, sizeof buf, "%s\"pruned\": [true, 0]}}", head);
    read_bad(buf, CTUNE_EFORMAT, "'pruned[0]' (line 1 column");
    snprintf(buf, sizeof buf, "%s\"pruned\": [null, 0]}}", head);
    read_bad(buf, CTUNE_EFORMAT, "must be 0 or 1, not null");
    snprintf(buf, sizeof buf, "%s\"pruned\": [0, 1, 0]}}", head);
    read_bad(buf, CTUNE_EFORMAT, "column 'pruned' (line 1) has 3 values for 2 candidates");
    snprintf(buf, sizeof buf, "%s\"pruned\": [0]}}", head);
    read_bad(buf, CTUNE_EFORMAT, "column 'pruned' (line 1) has 1 values for 2 candidates");
    snprintf(buf, sizeof buf, "%s\"pruned\": 1}}", head);
    read_bad(buf, CTUNE_EFORMAT, "'pruned' (line 1 column");
    read_bad(buf, CTUNE_EFORMAT, "must be an array of 0 and 1, not a number");
    /* Hyperband's bracket column: a table column and the rungs' tooltips */
    snprintf(buf, sizeof buf, "%s\"bracket\": [1, 0], \"iter\": [0, 0], \"n_resources\": [3, 9]}}",
             head);
    d = read_ok(buf);
    ck_assert_ptr_nonnull(d->bracket);
    html = html_of(d, NULL);
    check_structure(html);
    ck_assert(strstr(html, "<th scope=\"col\">bracket</th>") != NULL);
    ck_assert(strstr(figure(html, "rungs"), "bracket 1, rung 0, candidate 0") != NULL);
    free(html);
    ctune__rdoc_free(d);
    snprintf(buf, sizeof buf, "%s\"bracket\": [1]}}", head);
    read_bad(buf, CTUNE_EFORMAT, "column 'bracket' (line 1) has 1 values for 2 candidates");
}
END_TEST

/* A partial search: candidates whose splits did not all run are shown as
 * incomplete, apart from failed ones. */
START_TEST(test_incomplete_candidates)
{
    const char *doc =
        "{\"schema\": 1, \"best_index\": 0, \"best_score\": 0.9, \"refit_metric\": \"score\","
        " \"n_candidates\": 4, \"n_splits\": 2, \"status\": \"partial\", \"cv_results\": {"
        "\"param_a\": [1, 2, null, null], \"params\": [{\"a\": 1}, {\"a\": 2}, {}, {}],"
        " \"split0_test_score\": [0.9, null, 0.8, null],"
        " \"split1_test_score\": [0.9, null, null, null],"
        " \"mean_test_score\": [0.9, null, null, null], \"std_test_score\": [0, null, null, null],"
        " \"rank_test_score\": [1, 2, 2, 2], \"error\": [null, \"split 0: boom\","
        " \"split 1: not run (the search stopped)\", \"split 0: not run (the search stopped)\"]}}";
    ctune__rdoc *d = read_ok(doc);
    char *html = html_of(d, NULL);
    check_structure(html);
    const char *h = figure(html, "history");
    ck_assert_uint_eq(count(h, "class=\"pt"), 4);
    ck_assert_uint_eq(count(h, "class=\"pt incomplete\""), 2);
    ck_assert_uint_eq(count(h, "class=\"pt failed\""), 1);
    ck_assert(strstr(h, "2 candidates are incomplete") != NULL);
    ck_assert(strstr(h, "not run yet") != NULL); /* the legend */
    ck_assert_uint_eq(count(html, "<td>incomplete: splits not run</td>"), 2);
    ck_assert(strstr(html, "1 of the 4 candidates have no score (failed)") != NULL);
    ck_assert(strstr(html, "partial results") != NULL);
    /* the candidates without params do not turn the axis of a into categories */
    ck_assert(strstr(figure(html, "slice-0"), "a (value)") != NULL);
    free(html);
    ctune__rdoc_free(d);
}
END_TEST

static void spit(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, n, f), n);
    fclose(f);
}

static void rm_db(const char *path)
{
    char side[600];
    unlink(path);
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
}

#ifdef CTUNE_TEST_STUDIES
#include <sqlite3.h>

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "%s", path);
    char *buf = malloc(1 << 22);
    size_t n = fread(buf, 1, (1 << 22) - 1, f);
    fclose(f);
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

static int stop_after(size_t c, size_t f, double score, double elapsed, size_t done, size_t total,
                      void *user)
{
    (void)c, (void)f, (void)score, (void)elapsed, (void)total;
    return done >= *(size_t *)user;
}

/* A grid search of 8 candidates x 3 splits on iris through a study at
 * `path`, stopped after `stop` tasks (0: run it all); its results JSON is
 * written to `json` when not NULL. Other kinds of search (tpe): 1 TPE, 2 a
 * grid with a pruner, 3 to 6 successive halving (3: on n_samples, factor 2;
 * 4: on an MLP's epochs, factor 2; 5: on n_samples, factor 3 with
 * aggressive elimination; 6: random, on epochs, factor 3), 7 Hyperband of
 * 12 candidates, fewer than its brackets ask for. */
static void study_search_of(const char *path, const char *options, size_t stop, const char *json,
                            int tpe)
{
    ctune_data *data = NULL;
    ctune_estimator *est = NULL;
    ctune_space *space = NULL;
    ctune_search *s = NULL;
    ctune_study *st = NULL;
    ck_assert_ok(ctune_dataset_load(&data, "iris", NULL));
    if (tpe == 2) { /* a grid of an MLP pruned on its epochs, step after step */
        ck_assert_ok(ctune_mlp_classifier_new(&est));
        ck_assert_ok(ctune_space_parse(&space, "learning_rate: 0.0001|0.001|0.01|0.1; nn: 4|8"));
        ck_assert_ok(ctune_search_new_grid(&s, est, space));
        ck_assert_ok(ctune_search_set_pruner(s, "sha", "epochs", 4));
    } else if (tpe == 4 || tpe == 6 || tpe == 7) { /* an MLP's epochs as the resource */
        ck_assert_ok(ctune_mlp_classifier_new(&est));
        ck_assert_ok(ctune_space_parse(&space, tpe == 7 ? "learning_rate: 0.001|0.01|0.1|0.3; "
                                                          "nn: 2|4|8"
                                                        : "learning_rate: 0.0001|0.001|0.01|0.1; "
                                                          "nn: 4|8"));
        if (tpe == 4)
            ck_assert_ok(ctune_search_new_halving(&s, est, space, 0, 0,
                                                  "resource=epochs, factor=2, max_resources=8"));
        else if (tpe == 6)
            ck_assert_ok(ctune_search_new_halving(&s, est, space, 1, 5,
                                                  "resource=epochs, factor=3, n_candidates=7, "
                                                  "max_resources=9"));
        else
            ck_assert_ok(ctune_search_new_hyperband(&s, est, space, 3, "max_epochs=9, factor=3"));
    } else if (tpe == 3 || tpe == 5) { /* the rows of iris as the resource */
        ck_assert_ok(ctune_decision_tree_classifier_new(&est));
        ck_assert_ok(ctune_space_parse(&space, "max_depth: 1|2|3|none; criterion: gini|entropy"));
        ck_assert_ok(ctune_search_new_halving(
            &s, est, space, 0, 0,
            tpe == 3 ? "factor=2, min_resources=18"
                     : "factor=3, min_resources=100, aggressive_elimination=true"));
    } else {
        ck_assert_ok(ctune_decision_tree_classifier_new(&est));
        ck_assert_ok(ctune_space_parse(&space, "max_depth: 1|2|3|none; criterion: gini|entropy"));
        if (tpe)
            ck_assert_ok(ctune_search_new_tpe(&s, est, space, 8, 3, "n_startup_trials=3"));
        else
            ck_assert_ok(ctune_search_new_grid(&s, est, space));
    }
    ck_assert_ok(ctune_search_set_options(s, options));
    ck_assert_ok(ctune_study_open(&st, path, NULL));
    ck_assert_ok(ctune_search_set_study(s, st));
    if (stop)
        ck_assert_ok(ctune_search_set_progress(s, stop_after, &stop));
    ctune_status rc = ctune_search_fit(s, data);
    ck_assert_int_eq(rc, stop ? CTUNE_ECANCELLED : CTUNE_OK);
    if (json)
        ck_assert_ok(ctune_search_results_json(s, json));
    ck_assert_ok(ctune_search_set_study(s, NULL));
    ctune_study_close(st);
    ctune_search_free(s);
    ctune_space_free(space);
    ctune_estimator_free(est);
    ctune_data_free(data);
}

static void study_search(const char *path, const char *options, size_t stop, const char *json)
{
    study_search_of(path, options, stop, json, 0);
}

/* The results document of a study, from a fresh handle. */
static char *study_json(const char *path, long *len)
{
    ctune_study *st = NULL;
    ck_assert_ok(ctune_study_open(&st, path, "create=false"));
    long n = ctune_study_results_json_buf(NULL, 0, st);
    ck_assert_msg(n > 0, "%s", ctune_last_error());
    char *buf = malloc((size_t)n + 1);
    ck_assert_int_eq(ctune_study_results_json_buf(buf, (size_t)n + 1, st), n);
    ctune_study_close(st);
    *len = n;
    return buf;
}

static void sql(const char *path, const char *text)
{
    sqlite3 *db = NULL;
    ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
    char *err = NULL;
    ck_assert_msg(sqlite3_exec(db, text, NULL, NULL, &err) == SQLITE_OK, "%s", err);
    sqlite3_close(db);
}

/* A study file as the input: its results document equals the search's,
 * and the page says how far a study in progress is. */
START_TEST(test_study_input)
{
    char db[96], json[96], html[96];
    snprintf(db, sizeof db, "/tmp/ctune_report_%d <&>.db", (int)getpid());
    snprintf(json, sizeof json, "/tmp/ctune_report_%d.json", (int)getpid());
    snprintf(html, sizeof html, "/tmp/ctune_report_%d.html", (int)getpid());

    /* a finished study: the very text the search wrote, whatever the options */
    static const char *const options[] = {
        "cv=3", "cv=3, scoring=accuracy|f1_macro, refit=f1_macro, return_train_score=true",
        "cv=3, scoring=accuracy|f1_macro, refit=false", "cv=3, scoring=f1_macro, error_score=0"};
    for (size_t k = 0; k < 8 * sizeof options / sizeof *options; k++) {
        /* the same for a TPE search (1), a pruned search (2), successive
         * halving (3 to 6) and Hyperband (7): their rows in the search's order */
        int tpe = (int)(k / (sizeof options / sizeof *options));
        rm_db(db);
        study_search_of(db, options[k % (sizeof options / sizeof *options)], 0, json, tpe);
        size_t want_len;
        char *want = slurp(json, &want_len);
        long n;
        char *got = study_json(db, &n);
        if (tpe == 2) { /* some trials were pruned, some not */
            const char *col = strstr(want, "\"pruned\": [");
            ck_assert_ptr_nonnull(col);
            size_t len = strcspn(col, "]");
            ck_assert_msg(memchr(col, '0', len) && memchr(col, '1', len), "%.*s", (int)len, col);
        }
        if (tpe >= 3) /* rounds after the first */
            ck_assert_ptr_nonnull(strstr(want, "\"iter\": [0, 0, "));
        if (tpe == 7) { /* finished: every task of its schedule done, no more planned */
            ck_assert_ptr_nonnull(strstr(want, "\"bracket\": [2, "));
            ctune_study *hb = NULL;
            size_t done = 0, total = 0;
            ck_assert_ok(ctune_study_open(&hb, db, "create=false"));
            ck_assert_ok(ctune_study_progress(&done, &total, hb));
            ck_assert_uint_eq(done, 51);
            ck_assert_uint_eq(total, 51);
            ctune_study_close(hb);
        }
        ck_assert_uint_eq((size_t)n, want_len);
        ck_assert_msg(memcmp(got, want, want_len) == 0, "options '%s' (tpe %d):\n%s\nvs\n%s",
                      options[k % (sizeof options / sizeof *options)], tpe, got, want);
        free(got);
        free(want);
    }
    rm_db(db);
    study_search(db, "cv=3", 0, NULL);
    ck_assert_ok(ctune_report_write(db, html));
    char *page = slurp(html, NULL);
    check_structure(page);
    ck_assert(strstr(page, "<p class=\"source\">Study: /tmp/ctune_report_") != NULL);
    ck_assert(strstr(page, " &lt;&amp;&gt;.db</p>") != NULL); /* the name, escaped */
    ck_assert(strstr(page, "<dt>study</dt><dd>24 of 24 tasks done") != NULL);
    ck_assert(strstr(page, "<dt>status</dt><dd>complete") != NULL);
    ck_assert_ptr_null(strstr(page, "study in progress"));
    ck_assert_uint_eq(count(figure(page, "history"), "class=\"pt"), 8);
    ck_assert_uint_eq(count(figure(page, "history"), "class=\"pt best\""), 1);
    free(page);
    ck_assert_status(ctune_report_write(db, db), CTUNE_EINVAL); /* never over its input */

    /* in progress: 7 of 24 tasks (candidates 0 and 1 done, 2 has one split) */
    rm_db(db);
    study_search(db, "cv=3", 7, NULL);
    long n0;
    char *before = study_json(db, &n0);
    ck_assert(strstr(before, "\"status\": \"partial\"") != NULL);
    ck_assert_ok(ctune_report_write(db, html));
    page = slurp(html, NULL);
    check_structure(page);
    ck_assert(strstr(page, "study in progress: 7 of 24 tasks done") != NULL);
    ck_assert(strstr(page, "<dt>study</dt><dd>7 of 24 tasks done") != NULL);
    ck_assert(strstr(page, "<dt>candidates</dt><dd>8 (2 with a score)</dd>") != NULL);
    const char *h = figure(page, "history");
    ck_assert_uint_eq(count(h, "class=\"pt"), 8);
    ck_assert_uint_eq(count(h, "class=\"pt incomplete\""), 6);
    ck_assert_uint_eq(count(page, "<td>incomplete: splits not run</td>"), 6);
    ck_assert_uint_eq(count(figure(page, "parallel"), "class=\"pline"), 2);
    free(page);
    /* the report read the study and changed nothing in it */
    long n1;
    char *after = study_json(db, &n1);
    ck_assert_int_eq(n0, n1);
    ck_assert(memcmp(before, after, (size_t)n0) == 0);
    free(before);
    free(after);

    /* no task done yet: a clear error, no page */
    unlink(html);
    sql(db, "DELETE FROM trials");
    ck_assert_status(ctune_report_write(db, html), CTUNE_ESTATE);
    ck_assert_error_has("has no task done yet (0 of 24): nothing to report");
    ck_assert_int_eq(access(html, F_OK), -1);
    /* an empty study (opened, no search began) */
    rm_db(db);
    ctune_study *st = NULL;
    ck_assert_ok(ctune_study_open(&st, db, NULL));
    ck_assert_status(ctune_study_results_json_buf(NULL, 0, st), CTUNE_ESTATE);
    ctune_study_close(st);
    ck_assert_status(ctune_report_write(db, html), CTUNE_ESTATE);
    ck_assert_error_has("no search has begun on it yet");
    ck_assert_int_eq(access(html, F_OK), -1);

    /* a study whose meta data or rows do not fit its search: refused */
    static const char *const broken[][2] = {
        {"UPDATE meta SET value='1099511627776' WHERE key='n_candidates'", "too large"},
        {"UPDATE meta SET value='0' WHERE key='n_splits'", "does not fit its search"},
        {"UPDATE meta SET value='2' WHERE key='n_scores'", "does not fit its search"},
        {"UPDATE meta SET value=replace(value, 'strategy: grid', 'strategy: halving') "
         "WHERE key='fingerprint'",
         "(strategy halving) cannot be rebuilt"},
        {"UPDATE meta SET value=replace(value, 'seed: ', 'pruner: kind=1' || char(10) || 'seed: ') "
         "WHERE key='fingerprint'",
         "its pruner line is malformed"},
        {"UPDATE meta SET value=replace(value, 'refit: 1 -', 'refit: 1 nope') "
         "WHERE key='fingerprint'",
         "refit=nope is not one of its scorers"},
        {"UPDATE meta SET value=replace(value, 'refit: 1 -', 'refit: yes') "
         "WHERE key='fingerprint'",
         "refit line 'yes' is malformed"},
        {"UPDATE meta SET value=replace(value, 'error_score: nan', 'error_score: 1x') "
         "WHERE key='fingerprint'",
         "error_score line '1x' is malformed"},
        {"UPDATE meta SET value=replace(value, 'space: ', 'space: (') WHERE key='fingerprint'",
         "the space of its search does not read back"},
        {"UPDATE meta SET value=replace(value, 'scoring:', 'scores:') WHERE key='fingerprint'",
         "has no 'scoring' line"},
        {"UPDATE trials SET candidate=99 WHERE candidate=0 AND split=0",
         "a trial of candidate 99, split 0 is outside its search (8 candidates, 3 splits)"},
        {"UPDATE trials SET scores=x'00' WHERE candidate=1", "is malformed"},
        {"UPDATE trials SET params='=1' WHERE candidate=2", "params of candidate 2 do not read"},
    };
    for (size_t k = 0; k < sizeof broken / sizeof *broken; k++) {
        rm_db(db);
        study_search(db, "cv=3", 0, NULL);
        sql(db, broken[k][0]);
        ctune_status brc = ctune_report_write(db, html);
        ck_assert_msg(brc == CTUNE_EFORMAT, "%s: %d %s", broken[k][0], brc, ctune_last_error());
        ck_assert_msg(strstr(ctune_last_error(), broken[k][1]) != NULL, "%s: %s", broken[k][0],
                      ctune_last_error());
    }
    ck_assert_int_eq(access(html, F_OK), -1);

    /* a halving study in progress: the rounds complete so far, and the
     * round begun with its rows not run (8 + 4 rows, 30 of 45 tasks: the
     * study of a run stopped after two candidates of its second round) */
    rm_db(db);
    study_search_of(db, "cv=3", 0, NULL, 3);
    sql(db, "DELETE FROM trials WHERE rung > 1 OR (rung = 1 AND candidate NOT IN "
            "(SELECT DISTINCT candidate FROM trials WHERE rung = 1 ORDER BY candidate LIMIT 2))");
    char *hv = study_json(db, &n0);
    ck_assert(strstr(hv, "\"status\": \"partial\"") != NULL);
    ck_assert_msg(strstr(hv, "\"iter\": [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1]") != NULL, "%s", hv);
    free(hv);
    ck_assert_ok(ctune_report_write(db, html));
    page = slurp(html, NULL);
    check_structure(page);
    ck_assert(strstr(page, "study in progress: 30 of 45 tasks done") != NULL);
    ck_assert_ptr_nonnull(figure(page, "rungs"));
    free(page);
    /* stopped in its first round: that round only */
    rm_db(db);
    study_search_of(db, "cv=3", 7, NULL, 3);
    hv = study_json(db, &n0);
    ck_assert_msg(strstr(hv, "\"iter\": [0, 0, 0, 0, 0, 0, 0, 0]") != NULL, "%s", hv);
    free(hv);

    /* a halving study whose rows or schedule do not fit its search: refused */
    static const char *const hv_broken[][2] = {
        {"UPDATE trials SET rung=9 WHERE candidate=0 AND rung=0",
         "is not one its schedule reaches"},
        {"UPDATE trials SET n_resources=5 WHERE candidate=0 AND rung=0 AND split=1",
         "differ in n_resources or bracket"},
        {"UPDATE trials SET n_resources=NULL WHERE candidate=1 AND rung=0",
         "the rung or n_resources of candidate 1 is malformed"},
        {"UPDATE meta SET value='7' WHERE key='n_tasks'", "no schedule of successive halving"},
        {"UPDATE meta SET value=replace(value, 'factor=2', 'factor=x') WHERE key='fingerprint'",
         "its halving line"},
        {"UPDATE trials SET scores=x'00' WHERE candidate=1 AND rung=0", "is malformed"},
        {"UPDATE trials SET params='=1' WHERE candidate=2", "params of candidate 2 do not read"},
        {"UPDATE trials SET candidate=99 WHERE candidate=0",
         "a trial of candidate 99, split 0 is outside its search"},
        {"UPDATE trials SET candidate=99 WHERE candidate=0 AND split=0",
         "16 rows, more than the 15 of its schedule"},
    };
    unlink(html);
    for (size_t k = 0; k < sizeof hv_broken / sizeof *hv_broken; k++) {
        rm_db(db);
        study_search_of(db, "cv=3", 0, NULL, 3);
        sql(db, hv_broken[k][0]);
        ctune_status brc = ctune_report_write(db, html);
        ck_assert_msg(brc == CTUNE_EFORMAT, "%s: %d %s", hv_broken[k][0], brc, ctune_last_error());
        ck_assert_msg(strstr(ctune_last_error(), hv_broken[k][1]) != NULL, "%s: %s",
                      hv_broken[k][0], ctune_last_error());
    }
    ck_assert_int_eq(access(html, F_OK), -1);

    /* another program's database: refused, and left as it was */
    rm_db(db);
    sql(db, "CREATE TABLE notes(x TEXT); INSERT INTO notes VALUES('keep me')");
    size_t len0, len1;
    char *raw0 = slurp(db, &len0);
    ck_assert_status(ctune_report_write(db, html), CTUNE_EFORMAT);
    ck_assert_error_has("is a study file (SQLite)");
    ck_assert_error_has("not a ctune study");
    char *raw1 = slurp(db, &len1);
    ck_assert(len0 == len1 && memcmp(raw0, raw1, len0) == 0);
    free(raw0);
    free(raw1);
    /* an empty SQLite database: not turned into a study */
    rm_db(db);
    sql(db, "CREATE TABLE t(x); DROP TABLE t");
    raw0 = slurp(db, &len0);
    ck_assert_status(ctune_report_write(db, html), CTUNE_EFORMAT);
    ck_assert_error_has("an empty database");
    raw1 = slurp(db, &len1);
    ck_assert(len0 == len1 && memcmp(raw0, raw1, len0) == 0);
    free(raw0);
    free(raw1);
    /* create=false on a missing file: no file appears */
    rm_db(db);
    ck_assert_status(ctune_study_open(&st, db, "create=false"), CTUNE_EIO);
    ck_assert_int_eq(access(db, F_OK), -1);
    ck_assert_status(ctune_study_open(&st, db, "create=maybe"), CTUNE_EINVAL);
    ck_assert_error_has("create must be true or false");

    /* a corrupted file with SQLite's header, and a truncated study */
    char junk[8192];
    memcpy(junk, "SQLite format 3", 16);
    for (size_t i = 16; i < sizeof junk; i++)
        junk[i] = (char)(i * 131 + 7);
    spit(db, junk, sizeof junk);
    ck_assert_int_eq(ctune_report_write(db, html), CTUNE_EFORMAT);
    ck_assert_error_has(db);
    ck_assert_int_eq(access(html, F_OK), -1);
    rm_db(db);
    study_search(db, "cv=3", 0, NULL);
    size_t full;
    char *whole = slurp(db, &full);
    ck_assert_uint_gt(full, 4096);
    rm_db(db);
    spit(db, whole, 4096 + 100);
    free(whole);
    ctune_status rc = ctune_report_write(db, html);
    ck_assert_msg(rc == CTUNE_EFORMAT || rc == CTUNE_EIO, "%d %s", rc, ctune_last_error());
    ck_assert_error_has(db);
    ck_assert_int_eq(access(html, F_OK), -1);

    /* the export's arguments, its needed-size convention, its allocations */
    rm_db(db);
    study_search(db, "cv=3", 10, NULL);
    ck_assert_ok(ctune_study_open(&st, db, "create=false"));
    ck_assert_status(ctune_study_results_json_buf(NULL, 0, NULL), CTUNE_EINVAL);
    ck_assert_status(ctune_study_results_json_buf(NULL, 8, st), CTUNE_EINVAL);
    long need = ctune_study_results_json_buf(NULL, 0, st);
    char small[16];
    ck_assert_int_eq(ctune_study_results_json_buf(small, sizeof small, st), need);
    ck_assert_uint_eq(strlen(small), sizeof small - 1);
    /* the same sweep over a halving study in progress and a Hyperband study */
    for (int kind = 0; kind < 3; kind++) {
        if (kind) {
            ctune_study_close(st);
            rm_db(db);
            study_search_of(db, "cv=3", 0, NULL, kind == 1 ? 3 : 7);
            if (kind == 1)
                sql(db, "DELETE FROM trials WHERE rung > 1 OR (rung = 1 AND split > 0)");
            ck_assert_ok(ctune_study_open(&st, db, "create=false"));
            need = ctune_study_results_json_buf(NULL, 0, st);
            ck_assert_msg(need > 0, "%s", ctune_last_error());
        }
        int done = 0;
        for (int k = 1; k < 5000 && !done; k++) {
            int64_t live = ctune_alloc_live();
            ctune_alloc_fail_at(k, 0);
            int64_t fails = ctune_alloc_failures();
            long got = ctune_study_results_json_buf(NULL, 0, st);
            int injected = ctune_alloc_failures() > fails;
            ctune_alloc_fail_at(0, 0);
            ck_assert_msg(got == need || got == CTUNE_ENOMEM, "kind %d step %d: %ld %s", kind, k,
                          got, ctune_last_error());
            done = got == need && !injected;
            ck_assert_msg(ctune_alloc_live() == live, "kind %d step %d: leak", kind, k);
        }
        ck_assert(done);
    }
    ctune_study_close(st);
    rm_db(db);
    unlink(json);
    unlink(html);
}
END_TEST
#else
/* Without studies a study file is refused with a message that says so. */
START_TEST(test_study_input)
{
    char db[96], html[96];
    snprintf(db, sizeof db, "/tmp/ctune_report_%d.db", (int)getpid());
    snprintf(html, sizeof html, "/tmp/ctune_report_%d.html", (int)getpid());
    char junk[4096] = "SQLite format 3";
    spit(db, junk, sizeof junk);
    ck_assert_status(ctune_report_write(db, html), CTUNE_EINVAL);
    ck_assert_error_has("this ctune was built without studies");
    ck_assert_int_eq(access(html, F_OK), -1);
    rm_db(db);
}
END_TEST
#endif

int main(void)
{
    Suite *s = suite_create("report");
    TCase *tc = tcase_create("report");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_plots_count_candidates);
    tcase_add_test(tc, test_optional_sections);
    tcase_add_test(tc, test_escaping);
    tcase_add_test(tc, test_degenerate_pages);
    tcase_add_test(tc, test_reader_refusals);
    tcase_add_test(tc, test_metric_columns);
    tcase_add_test(tc, test_numbers_locale_free);
    tcase_add_test(tc, test_colour_ramp);
    tcase_add_test(tc, test_importances);
    tcase_add_test(tc, test_public_api);
    tcase_add_test(tc, test_alloc_failures);
    tcase_add_test(tc, test_pruned_column);
    tcase_add_test(tc, test_incomplete_candidates);
    tcase_add_test(tc, test_study_input);
    suite_add_tcase(s, tc);
    return ctu_run_suite(s);
}
