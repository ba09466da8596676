/* "key=value" options of the CSV loader and the dataset loader. */
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "io/csv.h"

static const struct {
    const char *name;
    unsigned bit;
} KEYS[] = {
    {"header", CSV_KEY_HEADER},     {"delimiter", CSV_KEY_DELIMITER}, {"target", CSV_KEY_TARGET},
    {"features", CSV_KEY_FEATURES}, {"dtype", CSV_KEY_DTYPE},         {"comment", CSV_KEY_COMMENT},
    {"labels", CSV_KEY_LABELS},     {"missing", CSV_KEY_MISSING},
};
#define N_KEYS (sizeof KEYS / sizeof KEYS[0])

#define ANY \
    (CTUNE_TYPE_INT | CTUNE_TYPE_DOUBLE | CTUNE_TYPE_STRING | CTUNE_TYPE_BOOL | CTUNE_TYPE_NONE)

/* The options, in KEYS order, checked by the one options parser; values
 * whose text matters whatever its type (a delimiter, a column name) are
 * checked by apply(). */
static const ctune_param_spec CSV_OPTIONS[] = {
    {"header", CTUNE_TYPE_BOOL | CTUNE_TYPE_STRING, "auto", NULL, NULL,
     "first row: auto (detected), true or false"},
    {"delimiter", CTUNE_TYPE_STRING | CTUNE_TYPE_INT, ",", NULL, NULL,
     "one character, or tab, comma, semicolon"},
    {"target", ANY, NULL, NULL, NULL, "target column: name or index (default: the last); none"},
    {"features", ANY, NULL, NULL, NULL, "feature columns: names separated by '|'"},
    {"dtype", CTUNE_TYPE_STRING, "float64", NULL, "float32|float64", "type of X"},
    {"comment", CTUNE_TYPE_STRING | CTUNE_TYPE_INT | CTUNE_TYPE_NONE, "#", NULL, NULL,
     "comment character, or none"},
    {"labels", CTUNE_TYPE_STRING, "auto", NULL, "auto|numeric|string", "target values"},
    {"missing", CTUNE_TYPE_STRING | CTUNE_TYPE_DOUBLE, "error", NULL, "error|nan",
     "empty numeric fields: an error, or NaN"},
    {NULL, 0, NULL, NULL, NULL, NULL},
};

void ctune__csv_opts_init(ctune__csv_opts *o)
{
    memset(o, 0, sizeof *o);
    o->header = CSV_HEADER_AUTO;
    o->delim = ',';
    o->comment = 0;
    o->target = CSV_TARGET_LAST;
    o->dtype = CTUNE_FLOAT64;
    o->labels = CSV_LABELS_AUTO;
}

void ctune__csv_opts_free(ctune__csv_opts *o)
{
    if (!o)
        return;
    ctune__free(o->target_name);
    for (size_t i = 0; i < o->n_features; i++)
        ctune__free(o->features[i]);
    ctune__free(o->features);
    o->target_name = NULL;
    o->features = NULL;
    o->n_features = 0;
}

/* Text of a value whatever its inferred type (strings as they are). */
static ctune_status value_text(const ctune_params *p, const char *key, char *buf, size_t cap)
{
    if (ctune_params_type(p, key) == CTUNE_TYPE_STRING) {
        const char *s;
        CTUNE_TRY(ctune_params_get_string(&s, p, key));
        snprintf(buf, cap, "%s", s);
        return CTUNE_OK;
    }
    long n = ctune_params_value_text(buf, cap, p, key);
    return n < 0 ? (ctune_status)n : CTUNE_OK;
}

static ctune_status bad(const char *what, const char *key, const char *val, const char *legal)
{
    return ctune_set_error(CTUNE_EINVAL, "%s: %s must be %s, got '%s'", what, key, legal, val);
}

static ctune_status parse_features(ctune__csv_opts *o, const char *val, const char *what)
{
    size_t n = 1;
    for (const char *c = val; *c; c++)
        n += *c == '|';
    o->features = ctune__calloc(n, sizeof *o->features);
    if (!o->features)
        return CTUNE_ENOMEM;
    const char *s = val;
    for (size_t i = 0; i < n; i++) {
        const char *e = strchr(s, '|');
        if (!e)
            e = s + strlen(s);
        const char *a = s, *b = e;
        while (a < b && (*a == ' ' || *a == '\t'))
            a++;
        while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
            b--;
        if (a == b)
            return ctune_set_error(CTUNE_EINVAL,
                                   "%s: features has an empty name (entry %zu of '%s')", what,
                                   i + 1, val);
        o->features[i] = ctune__strndup(a, (size_t)(b - a));
        if (!o->features[i])
            return CTUNE_ENOMEM;
        o->n_features = i + 1;
        s = *e ? e + 1 : e;
    }
    return CTUNE_OK;
}

static ctune_status apply(ctune__csv_opts *o, const ctune_params *p, const char *key,
                          const char *what)
{
    char val[1024];
    int type = ctune_params_type(p, key);
    CTUNE_TRY(value_text(p, key, val, sizeof val));
    if (!strcmp(key, "header")) {
        if (!strcmp(val, "auto"))
            o->header = CSV_HEADER_AUTO;
        else if (type == CTUNE_TYPE_BOOL)
            o->header = !strcmp(val, "true") ? CSV_HEADER_YES : CSV_HEADER_NO;
        else
            return bad(what, key, val, "auto, true or false");
    } else if (!strcmp(key, "delimiter")) {
        if (!strcmp(val, "\\t") || !strcmp(val, "tab"))
            o->delim = '\t';
        else if (!strcmp(val, "comma"))
            o->delim = ',';
        else if (!strcmp(val, "semicolon"))
            o->delim = ';';
        else if (strlen(val) == 1 && val[0] != '"' && val[0] != '\n' && val[0] != '\r')
            o->delim = val[0];
        else
            return bad(what, key, val, "one character (',' ';' '\\t' ...) or tab|comma|semicolon");
    } else if (!strcmp(key, "comment")) {
        if (type == CTUNE_TYPE_NONE || val[0] == '\0')
            o->comment = 0;
        else if (strlen(val) == 1 && val[0] != '"' && val[0] != '\n' && val[0] != '\r')
            o->comment = val[0];
        else
            return bad(what, key, val, "one character or none");
    } else if (!strcmp(key, "target")) {
        ctune__free(o->target_name);
        o->target_name = NULL;
        if (type == CTUNE_TYPE_NONE) {
            o->target = CSV_TARGET_NONE;
        } else if (type == CTUNE_TYPE_INT) {
            int64_t k;
            CTUNE_TRY(ctune_params_get_int(&k, p, key));
            if (k < -1000000000 || k > 1000000000)
                return bad(what, key, val, "a column name or index");
            o->target = CSV_TARGET_INDEX;
            o->target_index = (long)k;
        } else {
            o->target = CSV_TARGET_NAME;
            o->target_name = ctune__strdup(val);
            if (!o->target_name)
                return CTUNE_ENOMEM;
        }
    } else if (!strcmp(key, "features")) {
        for (size_t i = 0; i < o->n_features; i++)
            ctune__free(o->features[i]);
        ctune__free(o->features);
        o->features = NULL;
        o->n_features = 0;
        if (type == CTUNE_TYPE_NONE)
            return CTUNE_OK;
        return parse_features(o, val, what);
    } else if (!strcmp(key, "dtype")) {
        if (!strcmp(val, "float32"))
            o->dtype = CTUNE_FLOAT32;
        else if (!strcmp(val, "float64"))
            o->dtype = CTUNE_FLOAT64;
        else
            return bad(what, key, val, "float32 or float64");
    } else if (!strcmp(key, "labels")) {
        if (!strcmp(val, "auto"))
            o->labels = CSV_LABELS_AUTO;
        else if (!strcmp(val, "numeric"))
            o->labels = CSV_LABELS_NUMERIC;
        else if (!strcmp(val, "string"))
            o->labels = CSV_LABELS_STRING;
        else
            return bad(what, key, val, "auto, numeric or string");
    } else if (!strcmp(key, "missing")) {
        if (!strcmp(val, "error"))
            o->missing_nan = 0;
        else if (!strcmp(val, "nan"))
            o->missing_nan = 1;
        else
            return bad(what, key, val, "error or nan");
    }
    return CTUNE_OK;
}

ctune_status ctune__csv_opts_parse(ctune__csv_opts *o, const char *text, unsigned allowed,
                                   const char *what)
{
    ctune__csv_opts_init(o);
    if (!text || !*text)
        return CTUNE_OK;
    ctune_param_spec spec[N_KEYS + 1];
    size_t n = 0;
    for (size_t k = 0; k < N_KEYS; k++)
        if (allowed & KEYS[k].bit)
            spec[n++] = CSV_OPTIONS[k];
    memset(&spec[n], 0, sizeof spec[n]);
    ctune_params *p = NULL;
    ctune_status rc = ctune_params_parse_spec(&p, text, spec, what);
    if (rc == CTUNE_EFORMAT) /* a malformed text is a bad argument here */
        rc = ctune_set_error(CTUNE_EINVAL, "%s", ctune_last_error());
    for (size_t i = 0; rc == CTUNE_OK && i < ctune_params_count(p); i++)
        rc = apply(o, p, ctune_params_name(p, i), what);
    if (rc == CTUNE_OK && o->comment && o->comment == o->delim)
        rc = ctune_set_error(CTUNE_EINVAL, "%s: comment and delimiter are both '%c'", what,
                             o->comment);
    ctune_params_free(p);
    if (rc != CTUNE_OK) {
        ctune__csv_opts_free(o);
        ctune__csv_opts_init(o);
    }
    return rc;
}
