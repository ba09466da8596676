#include "core/params.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/cnum.h"
#include "core/error.h"

typedef struct entry {
    char *name;
    int type;
    union {
        int64_t i;
        double d;
        char *s;
        int b;
    } v;
} entry;

struct ctune_params {
    entry *e;
    size_t n, cap;
};

static const char *type_name(int t)
{
    switch (t) {
    case CTUNE_TYPE_INT: return "int";
    case CTUNE_TYPE_DOUBLE: return "double";
    case CTUNE_TYPE_STRING: return "string";
    case CTUNE_TYPE_BOOL: return "bool";
    case CTUNE_TYPE_NONE: return "none";
    default: return "?";
    }
}

ctune_status ctune_params_new(ctune_params **out)
{
    CTUNE_CHECK_NULL(out, "out");
    *out = ctune__calloc(1, sizeof **out);
    return *out ? CTUNE_OK : CTUNE_ENOMEM;
}

static void entry_clear(entry *e)
{
    ctune__free(e->name);
    if (e->type == CTUNE_TYPE_STRING)
        ctune__free(e->v.s);
}

void ctune_params_free(ctune_params *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n; i++)
        entry_clear(&p->e[i]);
    ctune__free(p->e);
    ctune__free(p);
}

long ctune_params_find(const ctune_params *p, const char *name)
{
    if (!p || !name)
        return -1;
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->e[i].name, name) == 0)
            return (long)i;
    return -1;
}

static int valid_name(const char *s)
{
    if (!s || !(isalpha((unsigned char)*s) || *s == '_'))
        return 0;
    for (; *s; s++)
        if (!(isalnum((unsigned char)*s) || *s == '_'))
            return 0;
    return 1;
}

/* Stores (name, type, value) taking ownership of `str` for strings
 * (freed on failure). */
static ctune_status put(ctune_params *p, const char *name, int type, int64_t i, double d, char *str,
                        int b)
{
    if (!p) {
        ctune__free(str);
        return ctune_set_error(CTUNE_EINVAL, "params is NULL");
    }
    if (!valid_name(name)) {
        ctune__free(str);
        return ctune_set_error(CTUNE_EINVAL, "invalid parameter name '%s'", name ? name : "(null)");
    }
    long k = ctune_params_find(p, name);
    entry ne = {0};
    ne.type = type;
    switch (type) {
    case CTUNE_TYPE_INT: ne.v.i = i; break;
    case CTUNE_TYPE_DOUBLE: ne.v.d = d; break;
    case CTUNE_TYPE_STRING: ne.v.s = str; break;
    case CTUNE_TYPE_BOOL: ne.v.b = b ? 1 : 0; break;
    default: break;
    }
    if (k >= 0) {
        ne.name = p->e[k].name;
        p->e[k].name = NULL;
        entry_clear(&p->e[k]);
        p->e[k] = ne;
        return CTUNE_OK;
    }
    ne.name = ctune__strdup(name);
    if (!ne.name) {
        ctune__free(str);
        return CTUNE_ENOMEM;
    }
    if (p->n == p->cap) {
        size_t nc = p->cap ? p->cap * 2 : 8;
        entry *e = ctune__realloc(p->e, nc * sizeof *e);
        if (!e) {
            ctune__free(ne.name);
            ctune__free(str);
            return CTUNE_ENOMEM;
        }
        p->e = e;
        p->cap = nc;
    }
    p->e[p->n++] = ne;
    return CTUNE_OK;
}

ctune_status ctune_params_set_int(ctune_params *p, const char *name, int64_t v)
{
    return put(p, name, CTUNE_TYPE_INT, v, 0, NULL, 0);
}

ctune_status ctune_params_set_double(ctune_params *p, const char *name, double v)
{
    return put(p, name, CTUNE_TYPE_DOUBLE, 0, v, NULL, 0);
}

ctune_status ctune_params_set_bool(ctune_params *p, const char *name, int v)
{
    return put(p, name, CTUNE_TYPE_BOOL, 0, 0, NULL, v);
}

ctune_status ctune_params_set_none(ctune_params *p, const char *name)
{
    return put(p, name, CTUNE_TYPE_NONE, 0, 0, NULL, 0);
}

ctune_status ctune_params_set_string(ctune_params *p, const char *name, const char *v)
{
    if (!v)
        return ctune_set_error(CTUNE_EINVAL, "string value for '%s' is NULL",
                               name ? name : "(null)");
    char *s = ctune__strdup(v);
    if (!s)
        return CTUNE_ENOMEM;
    return put(p, name, CTUNE_TYPE_STRING, 0, 0, s, 0);
}

/* Parses a whole string as int64 / double; 1 on success. */
static int parse_int(const char *s, int64_t *out)
{
    if (!*s)
        return 0;
    errno = 0;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (*end || errno)
        return 0;
    *out = v;
    return 1;
}

static int parse_double(const char *s, double *out)
{
    if (!*s)
        return 0;
    errno = 0;
    char *end;
    double v = ctune__strtod_c(s, &end);
    if (*end || errno == ERANGE)
        return 0;
    *out = v;
    return 1;
}

static int ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
            return 0;
    return *a == *b;
}

ctune_status ctune_params_set_text(ctune_params *p, const char *name, const char *text)
{
    if (!text)
        return ctune_set_error(CTUNE_EINVAL, "text value for '%s' is NULL", name ? name : "(null)");
    size_t n = strlen(text);
    if (n >= 2 && (text[0] == '\'' || text[0] == '"') && text[n - 1] == text[0]) {
        char *s = ctune__strndup(text + 1, n - 2);
        if (!s)
            return CTUNE_ENOMEM;
        return put(p, name, CTUNE_TYPE_STRING, 0, 0, s, 0);
    }
    int64_t i;
    double d;
    if (parse_int(text, &i))
        return ctune_params_set_int(p, name, i);
    if (parse_double(text, &d))
        return ctune_params_set_double(p, name, d);
    if (ieq(text, "true"))
        return ctune_params_set_bool(p, name, 1);
    if (ieq(text, "false"))
        return ctune_params_set_bool(p, name, 0);
    if (ieq(text, "none") || ieq(text, "null"))
        return ctune_params_set_none(p, name);
    return ctune_params_set_string(p, name, text);
}

static ctune_status copy_entry(ctune_params *dst, const char *as, const entry *e)
{
    switch (e->type) {
    case CTUNE_TYPE_INT: return ctune_params_set_int(dst, as, e->v.i);
    case CTUNE_TYPE_DOUBLE: return ctune_params_set_double(dst, as, e->v.d);
    case CTUNE_TYPE_STRING: return ctune_params_set_string(dst, as, e->v.s);
    case CTUNE_TYPE_BOOL: return ctune_params_set_bool(dst, as, e->v.b);
    default: return ctune_params_set_none(dst, as);
    }
}

ctune_status ctune__params_copy_value(ctune_params *dst, const char *as, const ctune_params *src,
                                      const char *name)
{
    long k = ctune_params_find(src, name);
    if (k < 0)
        return ctune_set_error(CTUNE_EINVAL, "no parameter '%s'", name);
    return copy_entry(dst, as, &src->e[k]);
}

ctune_status ctune_params_update(ctune_params *p, const ctune_params *src)
{
    CTUNE_CHECK_NULL(p, "params");
    CTUNE_CHECK_NULL(src, "src");
    for (size_t i = 0; i < src->n; i++)
        CTUNE_TRY(copy_entry(p, src->e[i].name, &src->e[i]));
    return CTUNE_OK;
}

ctune_status ctune_params_copy(ctune_params **out, const ctune_params *src)
{
    CTUNE_CHECK_NULL(out, "out");
    *out = NULL;
    CTUNE_CHECK_NULL(src, "src");
    ctune_params *p;
    CTUNE_TRY(ctune_params_new(&p));
    ctune_status rc = ctune_params_update(p, src);
    if (rc != CTUNE_OK) {
        ctune_params_free(p);
        return rc;
    }
    *out = p;
    return CTUNE_OK;
}

ctune_status ctune_params_remove(ctune_params *p, const char *name)
{
    long k = ctune_params_find(p, name);
    if (k < 0)
        return ctune_set_error(CTUNE_EINVAL, "no parameter '%s' to remove", name ? name : "(null)");
    entry_clear(&p->e[k]);
    memmove(&p->e[k], &p->e[k + 1], (p->n - (size_t)k - 1) * sizeof *p->e);
    p->n--;
    return CTUNE_OK;
}

ctune_status ctune_params_parse(ctune_params *p, const char *text)
{
    CTUNE_CHECK_NULL(p, "params");
    CTUNE_CHECK_NULL(text, "text");
    ctune_params *tmp;
    CTUNE_TRY(ctune_params_new(&tmp));
    ctune_status rc = CTUNE_OK;
    const char *s = text;
    char *key = NULL, *val = NULL;
    for (;;) {
        while (*s && (isspace((unsigned char)*s) || *s == ',' || *s == ';'))
            s++;
        if (!*s)
            break;
        const char *k0 = s;
        while (*s && (isalnum((unsigned char)*s) || *s == '_'))
            s++;
        const char *k1 = s;
        while (*s == ' ' || *s == '\t')
            s++;
        if (k1 == k0 || *s != '=') {
            rc = ctune_set_error(CTUNE_EFORMAT,
                                 k1 == k0 ? "params text: expected a parameter name at offset %zu"
                                          : "params text: expected '=' at offset %zu",
                                 (size_t)(s - text));
            break;
        }
        s++;
        while (*s == ' ' || *s == '\t')
            s++;
        const char *v0 = s, *v1;
        if (*s == '\'' || *s == '"') {
            char q = *s++;
            while (*s && *s != q)
                s++;
            if (*s != q) {
                rc = ctune_set_error(CTUNE_EFORMAT,
                                     "params text: unterminated quote starting at offset %zu",
                                     (size_t)(v0 - text));
                break;
            }
            s++;
            v1 = s;
        } else {
            while (*s && *s != ',' && *s != ';' && *s != '\n')
                s++;
            v1 = s;
            while (v1 > v0 && isspace((unsigned char)v1[-1]))
                v1--;
        }
        if (v1 == v0) {
            rc = ctune_set_error(CTUNE_EFORMAT, "params text: missing value at offset %zu",
                                 (size_t)(v0 - text));
            break;
        }
        key = ctune__strndup(k0, (size_t)(k1 - k0));
        val = ctune__strndup(v0, (size_t)(v1 - v0));
        if (!key || !val) {
            rc = CTUNE_ENOMEM;
            break;
        }
        rc = ctune_params_set_text(tmp, key, val);
        ctune__free(key);
        ctune__free(val);
        key = val = NULL;
        if (rc != CTUNE_OK)
            break;
    }
    ctune__free(key);
    ctune__free(val);
    /* Apply to a copy, then swap it in: a failing update (out of memory)
     * leaves `p` unchanged. */
    ctune_params *merged = NULL;
    if (rc == CTUNE_OK)
        rc = ctune_params_copy(&merged, p);
    if (rc == CTUNE_OK)
        rc = ctune_params_update(merged, tmp);
    if (rc == CTUNE_OK) {
        ctune_params swap = *p;
        *p = *merged;
        *merged = swap;
    }
    ctune_params_free(merged);
    ctune_params_free(tmp);
    return rc;
}

size_t ctune_params_count(const ctune_params *p) { return p ? p->n : 0; }

const char *ctune_params_name(const ctune_params *p, size_t i)
{
    return p && i < p->n ? p->e[i].name : NULL;
}

static _Thread_local const ctune_param_spec *t_watch_spec;
static _Thread_local unsigned char *t_watch_marks;

void ctune__params_watch(const ctune_param_spec *spec, unsigned char *marks)
{
    t_watch_spec = marks ? spec : NULL;
    t_watch_marks = marks;
}

/* Marks the watched spec's entries that `name` reads (see params.h). */
static void note_read(const char *name)
{
    const ctune_param_spec *spec = t_watch_spec;
    if (!spec || !name)
        return;
    size_t nn = strlen(name);
    for (size_t i = 0; spec[i].name; i++) {
        const char *d = spec[i].name;
        size_t dn = strlen(d);
        if ((dn == nn && !memcmp(d, name, nn)) || (dn > nn + 2 && !memcmp(d + dn - nn, name, nn) &&
                                                   d[dn - nn - 1] == '_' && d[dn - nn - 2] == '_'))
            t_watch_marks[i] = 1;
    }
}

int ctune_params_type(const ctune_params *p, const char *name)
{
    note_read(name);
    long k = ctune_params_find(p, name);
    return k < 0 ? 0 : p->e[k].type;
}

static ctune_status lookup(const ctune_params *p, const char *name, const entry **out)
{
    note_read(name);
    CTUNE_CHECK_NULL(p, "params");
    CTUNE_CHECK_NULL(name, "name");
    long k = ctune_params_find(p, name);
    if (k < 0)
        return ctune_set_error(CTUNE_EINVAL, "no parameter '%s'", name);
    *out = &p->e[k];
    return CTUNE_OK;
}

static ctune_status wrong_type(const entry *e, const char *want)
{
    return ctune_set_error(CTUNE_EINVAL, "parameter '%s' is a %s, not a %s", e->name,
                           type_name(e->type), want);
}

ctune_status ctune_params_get_int(int64_t *out, const ctune_params *p, const char *name)
{
    const entry *e = NULL;
    CTUNE_TRY(lookup(p, name, &e));
    CTUNE_CHECK_NULL(out, "out");
    if (e->type == CTUNE_TYPE_INT) {
        *out = e->v.i;
        return CTUNE_OK;
    }
    if (e->type == CTUNE_TYPE_DOUBLE && e->v.d == floor(e->v.d) && fabs(e->v.d) < 9.0e15) {
        *out = (int64_t)e->v.d;
        return CTUNE_OK;
    }
    return wrong_type(e, "int");
}

ctune_status ctune_params_get_double(double *out, const ctune_params *p, const char *name)
{
    const entry *e = NULL;
    CTUNE_TRY(lookup(p, name, &e));
    CTUNE_CHECK_NULL(out, "out");
    if (e->type == CTUNE_TYPE_DOUBLE) {
        *out = e->v.d;
        return CTUNE_OK;
    }
    if (e->type == CTUNE_TYPE_INT) {
        *out = (double)e->v.i;
        return CTUNE_OK;
    }
    return wrong_type(e, "double");
}

ctune_status ctune_params_get_string(const char **out, const ctune_params *p, const char *name)
{
    const entry *e = NULL;
    CTUNE_TRY(lookup(p, name, &e));
    CTUNE_CHECK_NULL(out, "out");
    if (e->type != CTUNE_TYPE_STRING)
        return wrong_type(e, "string");
    *out = e->v.s;
    return CTUNE_OK;
}

ctune_status ctune_params_get_bool(int *out, const ctune_params *p, const char *name)
{
    const entry *e = NULL;
    CTUNE_TRY(lookup(p, name, &e));
    CTUNE_CHECK_NULL(out, "out");
    if (e->type == CTUNE_TYPE_BOOL) {
        *out = e->v.b;
        return CTUNE_OK;
    }
    if (e->type == CTUNE_TYPE_INT && (e->v.i == 0 || e->v.i == 1)) {
        *out = (int)e->v.i;
        return CTUNE_OK;
    }
    return wrong_type(e, "bool");
}

int ctune_params_is_none(const ctune_params *p, const char *name)
{
    return ctune_params_type(p, name) == CTUNE_TYPE_NONE;
}

ctune_status ctune__params_int_or(const ctune_params *p, const char *name, int64_t def,
                                  int64_t *out)
{
    if (ctune_params_find(p, name) < 0) {
        *out = def;
        return CTUNE_OK;
    }
    return ctune_params_get_int(out, p, name);
}

ctune_status ctune__params_double_or(const ctune_params *p, const char *name, double def,
                                     double *out)
{
    if (ctune_params_find(p, name) < 0) {
        *out = def;
        return CTUNE_OK;
    }
    return ctune_params_get_double(out, p, name);
}

ctune_status ctune__params_bool_or(const ctune_params *p, const char *name, int def, int *out)
{
    if (ctune_params_find(p, name) < 0) {
        *out = def;
        return CTUNE_OK;
    }
    return ctune_params_get_bool(out, p, name);
}

ctune_status ctune__params_string_or(const ctune_params *p, const char *name, const char *def,
                                     const char **out)
{
    if (ctune_params_find(p, name) < 0) {
        *out = def;
        return CTUNE_OK;
    }
    return ctune_params_get_string(out, p, name);
}

/* Formats a double so that it parses back to the same value, as a double. */
static int fmt_double(char *buf, size_t cap, double d)
{
    char tmp[48];
    ctune__fmt_double(tmp, sizeof tmp - 2, d);
    /* keep it a double when read back */
    if (!strpbrk(tmp, ".eEn"))
        strcat(tmp, ".0");
    return snprintf(buf, cap, "%s", tmp);
}

static int entry_text(const entry *e, char *buf, size_t cap)
{
    switch (e->type) {
    case CTUNE_TYPE_INT: return snprintf(buf, cap, "%" PRId64, e->v.i);
    case CTUNE_TYPE_DOUBLE: return fmt_double(buf, cap, e->v.d);
    case CTUNE_TYPE_STRING: return snprintf(buf, cap, "%s", e->v.s);
    case CTUNE_TYPE_BOOL: return snprintf(buf, cap, "%s", e->v.b ? "true" : "false");
    default: return snprintf(buf, cap, "none");
    }
}

long ctune_params_value_text(char *buf, size_t cap, const ctune_params *p, const char *name)
{
    const entry *e = NULL;
    CTUNE_TRY(lookup(p, name, &e));
    if (cap && !buf)
        return ctune_set_error(CTUNE_EINVAL, "buf is NULL");
    return entry_text(e, buf, cap);
}

/* How a string value is written so that ctune_params_parse() reads it back
 * as the same string: 0 bare, or the quote character to put around it
 * (a value holding both quote characters and needing quotes cannot be
 * written back exactly; it is quoted with '). */
static int string_quote(const char *v)
{
    int64_t ii;
    double dd;
    size_t n = strlen(v);
    int need = n == 0 || parse_int(v, &ii) || parse_double(v, &dd) || ieq(v, "true") ||
               ieq(v, "false") || ieq(v, "none") || ieq(v, "null") || strpbrk(v, ",;\n") != NULL ||
               isspace((unsigned char)v[0]) || isspace((unsigned char)v[n - 1]) || v[0] == '\'' ||
               v[0] == '"';
    if (!need)
        return 0;
    return strchr(v, '\'') && !strchr(v, '"') ? '"' : '\'';
}

long ctune_params_to_text(char *buf, size_t cap, const ctune_params *p)
{
    CTUNE_CHECK_NULL(p, "params");
    if (cap && !buf)
        return ctune_set_error(CTUNE_EINVAL, "buf is NULL");
    size_t len = 0;
    if (cap)
        buf[0] = '\0';
    for (size_t i = 0; i < p->n; i++) {
        char v[512];
        const char *text = v;
        int q = 0;
        if (p->e[i].type == CTUNE_TYPE_STRING) {
            text = p->e[i].v.s; /* whole, however long */
            q = string_quote(text);
        } else {
            entry_text(&p->e[i], v, sizeof v);
        }
        int w = q ? snprintf(len < cap ? buf + len : NULL, len < cap ? cap - len : 0, "%s%s=%c%s%c",
                             i ? ", " : "", p->e[i].name, q, text, q)
                  : snprintf(len < cap ? buf + len : NULL, len < cap ? cap - len : 0, "%s%s=%s",
                             i ? ", " : "", p->e[i].name, text);
        len += (size_t)w;
    }
    return (long)len;
}

static int entry_equal(const entry *a, const entry *b)
{
    if (a->type != b->type)
        return 0;
    switch (a->type) {
    case CTUNE_TYPE_INT: return a->v.i == b->v.i;
    case CTUNE_TYPE_DOUBLE: return a->v.d == b->v.d || (isnan(a->v.d) && isnan(b->v.d));
    case CTUNE_TYPE_STRING: return strcmp(a->v.s, b->v.s) == 0;
    case CTUNE_TYPE_BOOL: return a->v.b == b->v.b;
    default: return 1;
    }
}

int ctune_params_equal(const ctune_params *a, const ctune_params *b)
{
    if (!a || !b)
        return a == b;
    if (a->n != b->n)
        return 0;
    for (size_t i = 0; i < a->n; i++) {
        long k = ctune_params_find(b, a->e[i].name);
        if (k < 0 || !entry_equal(&a->e[i], &b->e[k]))
            return 0;
    }
    return 1;
}

/* ---- specs -------------------------------------------------------------- */

size_t ctune_spec_count(const ctune_param_spec *spec)
{
    size_t n = 0;
    while (spec && spec[n].name)
        n++;
    return n;
}

const ctune_param_spec *ctune__spec_find(const ctune_param_spec *spec, const char *name)
{
    for (size_t i = 0; spec && spec[i].name; i++)
        if (strcmp(spec[i].name, name) == 0)
            return &spec[i];
    return NULL;
}

void ctune__spec_names(const ctune_param_spec *spec, char *buf, size_t cap)
{
    size_t len = 0;
    if (cap)
        buf[0] = '\0';
    for (size_t i = 0; spec && spec[i].name && len < cap; i++) {
        int w = snprintf(buf + len, cap - len, "%s%s", i ? ", " : "", spec[i].name);
        if (w < 0)
            break;
        len += (size_t)w;
    }
}

static void types_text(unsigned types, char *buf, size_t cap)
{
    size_t len = 0;
    buf[0] = '\0';
    for (int t = 1; t <= CTUNE_TYPE_NONE; t <<= 1)
        if (types & (unsigned)t) {
            int w = snprintf(buf + len, cap - len, "%s%s", len ? " or " : "", type_name(t));
            if (w < 0 || (size_t)w >= cap - len)
                break;
            len += (size_t)w;
        }
}

/* Parses "[lo, hi)" style ranges; returns 0 on malformed text. */
static int parse_range(const char *r, double *lo, int *lo_incl, double *hi, int *hi_incl)
{
    while (isspace((unsigned char)*r))
        r++;
    if (*r != '[' && *r != '(')
        return 0;
    *lo_incl = *r == '[';
    char *end;
    *lo = ctune__strtod_c(r + 1, &end);
    while (isspace((unsigned char)*end))
        end++;
    if (*end != ',')
        return 0;
    *hi = ctune__strtod_c(end + 1, &end);
    while (isspace((unsigned char)*end))
        end++;
    if (*end != ']' && *end != ')')
        return 0;
    *hi_incl = *end == ']';
    return 1;
}

static int in_choices(const char *choices, const char *s)
{
    size_t n = strlen(s);
    const char *c = choices;
    while (*c) {
        const char *bar = strchr(c, '|');
        size_t len = bar ? (size_t)(bar - c) : strlen(c);
        if (len == n && strncmp(c, s, n) == 0)
            return 1;
        if (!bar)
            break;
        c = bar + 1;
    }
    return 0;
}

static ctune_status check_value(ctune_params *p, const char *name, const ctune_param_spec *e,
                                const char *owner, const char *noun);

ctune_status ctune__param_check_one(ctune_params *p, const char *name, const ctune_param_spec *e,
                                    const char *owner)
{
    return check_value(p, name, e, owner, "parameter");
}

static ctune_status check_value(ctune_params *p, const char *name, const ctune_param_spec *e,
                                const char *owner, const char *noun)
{
    long k = ctune_params_find(p, name);
    if (k < 0)
        return ctune_set_error(CTUNE_EINVAL, "%s: no value for %s '%s'", owner, noun, name);
    entry *v = &p->e[k];
    unsigned types = e->types;
    char tt[96];
    char vt[256];
    entry_text(v, vt, sizeof vt);
    if (v->type == CTUNE_TYPE_INT && !(types & CTUNE_TYPE_INT) && (types & CTUNE_TYPE_DOUBLE)) {
        v->type = CTUNE_TYPE_DOUBLE;
        v->v.d = (double)v->v.i;
    } else if (v->type == CTUNE_TYPE_DOUBLE && !(types & CTUNE_TYPE_DOUBLE) &&
               (types & CTUNE_TYPE_INT) && v->v.d == floor(v->v.d) && fabs(v->v.d) < 9.0e15) {
        v->type = CTUNE_TYPE_INT;
        v->v.i = (int64_t)v->v.d;
    } else if (v->type == CTUNE_TYPE_INT && !(types & CTUNE_TYPE_INT) &&
               (types & CTUNE_TYPE_BOOL) && (v->v.i == 0 || v->v.i == 1)) {
        v->type = CTUNE_TYPE_BOOL;
        v->v.b = (int)v->v.i;
    }
    if (!(types & (unsigned)v->type)) {
        types_text(types, tt, sizeof tt);
        return ctune_set_error(CTUNE_EINVAL, "%s: %s '%s' must be %s, got %s '%s'", owner, noun,
                               name, tt, type_name(v->type), vt);
    }
    if ((v->type == CTUNE_TYPE_INT || v->type == CTUNE_TYPE_DOUBLE) && e->range) {
        double lo, hi, x = v->type == CTUNE_TYPE_INT ? (double)v->v.i : v->v.d;
        int li, hi_i;
        if (!parse_range(e->range, &lo, &li, &hi, &hi_i))
            return ctune_set_error(CTUNE_EINTERNAL, "%s: %s '%s' has a malformed range '%s'", owner,
                                   noun, name, e->range);
        if (isnan(x) || x < lo || x > hi || (!li && x == lo) || (!hi_i && x == hi))
            return ctune_set_error(CTUNE_EINVAL, "%s: %s '%s' = %s is out of range %s", owner, noun,
                                   name, vt, e->range);
    }
    if (v->type == CTUNE_TYPE_STRING && e->choices && !in_choices(e->choices, v->v.s))
        return ctune_set_error(CTUNE_EINVAL, "%s: %s '%s' = '%s' is not one of %s", owner, noun,
                               name, v->v.s, e->choices);
    return CTUNE_OK;
}

ctune_status ctune_params_from_spec(ctune_params **out, const ctune_param_spec *spec)
{
    CTUNE_CHECK_NULL(out, "out");
    *out = NULL;
    ctune_params *p;
    CTUNE_TRY(ctune_params_new(&p));
    for (size_t i = 0; spec && spec[i].name; i++) {
        const ctune_param_spec *e = &spec[i];
        ctune_status rc;
        if (!e->default_value)
            rc = ctune_params_set_none(p, e->name);
        else if (e->types == CTUNE_TYPE_STRING || (e->types & CTUNE_TYPE_STRING && e->choices &&
                                                   in_choices(e->choices, e->default_value)))
            rc = ctune_params_set_string(p, e->name, e->default_value);
        else
            rc = ctune_params_set_text(p, e->name, e->default_value);
        if (rc == CTUNE_OK)
            rc = ctune__param_check_one(p, e->name, e, "spec default");
        if (rc != CTUNE_OK) {
            ctune_params_free(p);
            return rc;
        }
    }
    *out = p;
    return CTUNE_OK;
}

ctune_status ctune_params_check(ctune_params *p, const ctune_param_spec *spec)
{
    CTUNE_CHECK_NULL(p, "params");
    for (size_t i = 0; i < p->n; i++) {
        const ctune_param_spec *e = ctune__spec_find(spec, p->e[i].name);
        if (!e) {
            char names[768];
            ctune__spec_names(spec, names, sizeof names);
            return ctune_set_error(CTUNE_EINVAL, "unknown parameter '%s'; known: %s", p->e[i].name,
                                   names);
        }
        CTUNE_TRY(ctune__param_check_one(p, p->e[i].name, e, "params"));
    }
    return CTUNE_OK;
}

ctune_status ctune_params_parse_spec(ctune_params **out, const char *text,
                                     const ctune_param_spec *spec, const char *who)
{
    CTUNE_CHECK_NULL(out, "out");
    *out = NULL;
    CTUNE_CHECK_NULL(text, "options");
    if (!who)
        who = "options";
    ctune_params *p;
    CTUNE_TRY(ctune_params_new(&p));
    ctune_status rc = ctune_params_parse(p, text);
    if (rc != CTUNE_OK)
        ctune__error_prefix("%s", who);
    for (size_t i = 0; i < p->n && rc == CTUNE_OK; i++) {
        const ctune_param_spec *e = ctune__spec_find(spec, p->e[i].name);
        if (!e) {
            char names[768];
            ctune__spec_names(spec, names, sizeof names);
            rc = ctune_set_error(CTUNE_EINVAL, "%s: unknown option '%s'; known: %s", who,
                                 p->e[i].name, names);
        } else {
            rc = check_value(p, p->e[i].name, e, who, "option");
        }
    }
    if (rc != CTUNE_OK) {
        ctune_params_free(p);
        return rc;
    }
    *out = p;
    return CTUNE_OK;
}
