/* The text form of parameter spaces:
 *
 *   space := entry (sep entry)*        sep := ';' or newline (empty entries allowed)
 *   entry := name ':' (dist | value ('|' value)*)
 *   dist  := ('uniform' | 'loguniform' | 'randint') '(' number ',' number ')'
 *   value := 'quoted' | "quoted" | bare text (typed as ctune_params_set_text does)
 *
 * Errors give the byte offset of the offending character and a caret
 * excerpt of its line. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/cnum.h"
#include "core/error.h"
#include "model_selection/space.h"

typedef struct {
    const char *text;
    size_t pos;
} parser;

/* "space text: <what> at offset N\n  <line>\n  <caret>" */
static ctune_status perr(const parser *ps, size_t off, const char *fmt, ...) CTUNE_PRINTF(3, 4);
static ctune_status perr(const parser *ps, size_t off, const char *fmt, ...)
{
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    ctune__vsnprintf_c(what, sizeof what, fmt, ap);
    va_end(ap);
    const char *t = ps->text;
    size_t len = strlen(t);
    if (off > len)
        off = len;
    size_t ls = off, le = off;
    while (ls > 0 && t[ls - 1] != '\n')
        ls--;
    while (le < len && t[le] != '\n')
        le++;
    enum { WIN = 40 };
    size_t ws = off > ls + WIN ? off - WIN : ls;
    size_t we = le > off + WIN ? off + WIN : le;
    char line[2 * WIN + 8], caret[2 * WIN + 8];
    size_t k = 0;
    if (ws > ls) {
        memcpy(line, "...", 3);
        k = 3;
    }
    size_t col = k + (off - ws);
    for (size_t i = ws; i < we; i++)
        line[k++] = t[i] == '\t' || t[i] == '\r' ? ' ' : t[i];
    if (we < le) {
        memcpy(line + k, "...", 3);
        k += 3;
    }
    line[k] = '\0';
    memset(caret, ' ', col);
    caret[col] = '^';
    caret[col + 1] = '\0';
    return ctune_set_error(CTUNE_EFORMAT, "space text: %s at offset %zu\n  %s\n  %s", what, off,
                           line, caret);
}

static int at_sep(const parser *ps)
{
    char c = ps->text[ps->pos];
    return c == '\0' || c == ';' || c == '\n';
}

static void skip_blanks(parser *ps) /* spaces and tabs, not newlines */
{
    while (ps->text[ps->pos] == ' ' || ps->text[ps->pos] == '\t' || ps->text[ps->pos] == '\r')
        ps->pos++;
}

static int ident_start(char c) { return isalpha((unsigned char)c) || c == '_'; }
static int ident_char(char c) { return isalnum((unsigned char)c) || c == '_'; }

static const char *describe(char c, char *buf, size_t cap)
{
    if (c == '\0')
        snprintf(buf, cap, "end of text");
    else if (c == '\n')
        snprintf(buf, cap, "end of line");
    else
        snprintf(buf, cap, "'%c'", c);
    return buf;
}

static ctune_status parse_number(parser *ps, int integer, const char *dist, double *d, int64_t *i)
{
    skip_blanks(ps);
    const char *s = ps->text + ps->pos;
    char *end;
    char what[32];
    if (*s == '\0' || isspace((unsigned char)*s) || *s == ',' || *s == ')')
        return perr(ps, ps->pos, "expected a number in %s(...), found %s", dist,
                    describe(*s, what, sizeof what));
    errno = 0;
    double v = ctune__strtod_c(s, &end);
    if (end == s)
        return perr(ps, ps->pos, "expected a number in %s(...)", dist);
    if (!isfinite(v) || errno == ERANGE)
        return perr(ps, ps->pos, "%s(...) bounds must be finite numbers", dist);
    if (integer) {
        errno = 0;
        char *iend;
        long long iv = strtoll(s, &iend, 10);
        if (iend != end || errno == ERANGE)
            return perr(ps, ps->pos, "randint(...) bounds must be integers");
        *i = iv;
    }
    *d = v;
    ps->pos += (size_t)(end - s);
    return CTUNE_OK;
}

static ctune_status expect(parser *ps, char c, const char *context)
{
    skip_blanks(ps);
    if (ps->text[ps->pos] != c) {
        char what[32];
        return perr(ps, ps->pos, "expected '%c' %s, found %s", c, context,
                    describe(ps->text[ps->pos], what, sizeof what));
    }
    ps->pos++;
    return CTUNE_OK;
}

static ctune_status parse_dist(parser *ps, ctune__space_entry *e)
{
    size_t start = ps->pos;
    size_t n = 0;
    while (ident_char(ps->text[ps->pos + n]))
        n++;
    const char *fn = ps->text + start;
    if (n == 7 && strncmp(fn, "uniform", 7) == 0)
        e->kind = CTUNE__DIST_UNIFORM;
    else if (n == 10 && strncmp(fn, "loguniform", 10) == 0)
        e->kind = CTUNE__DIST_LOGUNIFORM;
    else if (n == 7 && strncmp(fn, "randint", 7) == 0)
        e->kind = CTUNE__DIST_RANDINT;
    else
        return perr(ps, start, "unknown distribution '%.*s'; known: uniform, loguniform, randint",
                    (int)n, fn);
    const char *name = e->kind == CTUNE__DIST_UNIFORM      ? "uniform"
                       : e->kind == CTUNE__DIST_LOGUNIFORM ? "loguniform"
                                                           : "randint";
    ps->pos += n;
    CTUNE_TRY(expect(ps, '(', "after the distribution name"));
    int integer = e->kind == CTUNE__DIST_RANDINT;
    CTUNE_TRY(parse_number(ps, integer, name, &e->lo, &e->ilo));
    CTUNE_TRY(expect(ps, ',', "between the bounds"));
    CTUNE_TRY(parse_number(ps, integer, name, &e->hi, &e->ihi));
    CTUNE_TRY(expect(ps, ')', "after the bounds"));
    if (integer ? !(e->ilo < e->ihi) : !(e->lo < e->hi))
        return perr(ps, start, "%s(lo, hi) needs lo < hi", name);
    if (e->kind == CTUNE__DIST_LOGUNIFORM && !(e->lo > 0))
        return perr(ps, start, "loguniform(lo, hi) needs 0 < lo");
    skip_blanks(ps);
    if (!at_sep(ps))
        return perr(ps, ps->pos, "unexpected '%c' after %s(...): entries are separated by ';'",
                    ps->text[ps->pos], name);
    return CTUNE_OK;
}

/* Types `token` the way ctune_params_set_text() does. */
static ctune_status type_value(const char *token, int quoted, ctune__value *v)
{
    v->type = CTUNE_TYPE_NONE;
    if (quoted) {
        v->s = ctune__strdup(token);
        if (!v->s)
            return CTUNE_ENOMEM;
        v->type = CTUNE_TYPE_STRING;
        return CTUNE_OK;
    }
    ctune_params *tmp;
    CTUNE_TRY(ctune_params_new(&tmp));
    ctune_status rc = ctune_params_set_text(tmp, "v", token);
    int t = rc == CTUNE_OK ? ctune_params_type(tmp, "v") : 0;
    switch (t) {
    case CTUNE_TYPE_INT: rc = ctune_params_get_int(&v->i, tmp, "v"); break;
    case CTUNE_TYPE_DOUBLE: rc = ctune_params_get_double(&v->d, tmp, "v"); break;
    case CTUNE_TYPE_BOOL: {
        int b = 0;
        rc = ctune_params_get_bool(&b, tmp, "v");
        v->i = b;
        break;
    }
    case CTUNE_TYPE_STRING:
        v->s = ctune__strdup(token);
        rc = v->s ? CTUNE_OK : CTUNE_ENOMEM;
        break;
    default: break;
    }
    if (rc == CTUNE_OK && t)
        v->type = t;
    ctune_params_free(tmp);
    return rc;
}

static ctune_status push_value(ctune__space_entry *e, size_t *cap, const char *token, int quoted)
{
    if (e->n_values == *cap) {
        size_t nc = *cap ? *cap * 2 : 4;
        ctune__value *nv = ctune__realloc(e->values, nc * sizeof *nv);
        if (!nv)
            return CTUNE_ENOMEM;
        e->values = nv;
        *cap = nc;
    }
    ctune__value v = {0};
    CTUNE_TRY(type_value(token, quoted, &v));
    e->values[e->n_values++] = v;
    return CTUNE_OK;
}

static ctune_status parse_list(parser *ps, ctune__space_entry *e)
{
    size_t cap = 0;
    e->kind = CTUNE__DIST_LIST;
    for (;;) {
        skip_blanks(ps);
        const char *t = ps->text;
        size_t start = ps->pos;
        char *token;
        int quoted = t[start] == '\'' || t[start] == '"';
        if (quoted) {
            const char *close = strchr(t + start + 1, t[start]);
            const char *nl = strchr(t + start + 1, '\n');
            if (!close || (nl && nl < close))
                return perr(ps, start, "unterminated quote");
            token = ctune__strndup(t + start + 1, (size_t)(close - t - start - 1));
            ps->pos = (size_t)(close - t) + 1;
        } else {
            size_t end = start;
            while (t[end] && t[end] != '|' && t[end] != ';' && t[end] != '\n') {
                if (strchr(",()[]{}:='\"", t[end]))
                    return perr(ps, end,
                                "unexpected '%c' in a value: separate values with '|' "
                                "and quote a value that holds it",
                                t[end]);
                end++;
            }
            size_t tend = end;
            while (tend > start && strchr(" \t\r", t[tend - 1]))
                tend--;
            if (tend == start)
                return perr(ps, start, "empty value for '%s'", e->name);
            token = ctune__strndup(t + start, tend - start);
            ps->pos = end;
        }
        if (!token)
            return CTUNE_ENOMEM;
        ctune_status rc = push_value(e, &cap, token, quoted);
        ctune__free(token);
        CTUNE_TRY(rc);
        skip_blanks(ps);
        if (ps->text[ps->pos] == '|') {
            ps->pos++;
            continue;
        }
        if (at_sep(ps))
            return CTUNE_OK;
        return perr(ps, ps->pos, "expected '|' or ';' after a value, found '%c'",
                    ps->text[ps->pos]);
    }
}

static ctune_status parse_entry(parser *ps, ctune_space *sp)
{
    const char *t = ps->text;
    size_t start = ps->pos;
    if (!ident_start(t[start]))
        return perr(ps, start, "expected a parameter name, found '%c'", t[start]);
    size_t n = 0;
    while (ident_char(t[start + n]))
        n++;
    ctune__space_entry e;
    memset(&e, 0, sizeof e);
    e.name = ctune__strndup(t + start, n);
    if (!e.name)
        return CTUNE_ENOMEM;
    ps->pos = start + n;
    ctune_status rc = CTUNE_OK;
    for (size_t i = 0; i < sp->n && rc == CTUNE_OK; i++)
        if (strcmp(sp->e[i].name, e.name) == 0)
            rc = perr(ps, start, "duplicate parameter '%s'", e.name);
    if (rc == CTUNE_OK) {
        skip_blanks(ps);
        if (t[ps->pos] != ':') {
            char what[32];
            rc = perr(ps, ps->pos, "expected ':' after '%s', found %s", e.name,
                      describe(t[ps->pos], what, sizeof what));
        } else {
            ps->pos++;
            skip_blanks(ps);
        }
    }
    if (rc == CTUNE_OK && at_sep(ps))
        rc = perr(ps, ps->pos, "missing values for '%s'", e.name);
    if (rc == CTUNE_OK) {
        /* a name followed by '(' is a distribution */
        size_t k = ps->pos;
        while (ident_char(t[k]))
            k++;
        size_t after = k;
        while (t[after] == ' ' || t[after] == '\t')
            after++;
        if (k > ps->pos && ident_start(t[ps->pos]) && t[after] == '(')
            rc = parse_dist(ps, &e);
        else
            rc = parse_list(ps, &e);
    }
    if (rc != CTUNE_OK) {
        ctune__space_entry_clear(&e);
        return rc;
    }
    return ctune__space_insert(sp, &e);
}

ctune_status ctune_space_add_text(ctune_space *sp, const char *text)
{
    CTUNE_CHECK_NULL(sp, "space");
    CTUNE_CHECK_NULL(text, "text");
    /* parse into a copy so that `sp` is unchanged on error */
    ctune_space *work;
    CTUNE_TRY(ctune_space_copy(&work, sp));
    parser ps = {text, 0};
    ctune_status rc = CTUNE_OK;
    size_t added = 0;
    while (rc == CTUNE_OK) {
        while (isspace((unsigned char)text[ps.pos]) || text[ps.pos] == ';')
            ps.pos++;
        if (!text[ps.pos])
            break;
        rc = parse_entry(&ps, work);
        added++;
    }
    if (rc == CTUNE_OK && added == 0)
        rc = perr(&ps, ps.pos, "no parameters (expected 'name: value|value; ...')");
    if (rc != CTUNE_OK) {
        ctune_space_free(work);
        return rc;
    }
    /* swap contents */
    ctune_space tmp = *sp;
    *sp = *work;
    *work = tmp;
    ctune_space_free(work);
    return CTUNE_OK;
}

ctune_status ctune_space_parse(ctune_space **out, const char *text)
{
    CTUNE_CHECK_NULL(out, "out");
    *out = NULL;
    CTUNE_CHECK_NULL(text, "text");
    ctune_space *sp;
    CTUNE_TRY(ctune_space_new(&sp));
    ctune_status rc = ctune_space_add_text(sp, text);
    if (rc != CTUNE_OK) {
        ctune_space_free(sp);
        return rc;
    }
    *out = sp;
    return CTUNE_OK;
}
