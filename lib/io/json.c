/* A strict JSON reader: recursive descent over a byte range, bounded by a
 * nesting depth, building a tree of ctune__json values (see json.h). */
#include "io/json.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "io/numparse.h"

typedef struct {
    const char *p, *end;
    const char *line_start;
    unsigned line;
    unsigned depth, max_depth;
} parser;

static unsigned col_of(const parser *ps, const char *at)
{
    return (unsigned)(at - ps->line_start) + 1;
}

static ctune_status fail_at(const parser *ps, const char *at, const char *what)
{
    return ctune_set_error(CTUNE_EFORMAT, "JSON line %u column %u: %s", ps->line, col_of(ps, at),
                           what);
}

static void skip_ws(parser *ps)
{
    while (ps->p < ps->end) {
        char c = *ps->p;
        if (c == '\n') {
            ps->line++;
            ps->line_start = ps->p + 1;
        } else if (c != ' ' && c != '\t' && c != '\r') {
            return;
        }
        ps->p++;
    }
}

static void free_value(ctune__json *v)
{
    if (v->type == CTUNE__JSON_STRING)
        ctune__free(v->str);
    if (v->type == CTUNE__JSON_ARRAY || v->type == CTUNE__JSON_OBJECT) {
        for (size_t i = 0; i < v->n; i++) {
            free_value(&v->items[i]);
            if (v->keys)
                ctune__free(v->keys[i]);
        }
        ctune__free(v->items);
        ctune__free(v->keys);
    }
}

void ctune__json_free(ctune__json *v)
{
    if (!v)
        return;
    free_value(v);
    ctune__free(v);
}

const char *ctune__json_type_name(ctune__json_type t)
{
    switch (t) {
    case CTUNE__JSON_NULL: return "null";
    case CTUNE__JSON_BOOL: return "a boolean";
    case CTUNE__JSON_NUMBER: return "a number";
    case CTUNE__JSON_STRING: return "a string";
    case CTUNE__JSON_ARRAY: return "an array";
    case CTUNE__JSON_OBJECT: return "an object";
    }
    return "a value";
}

const ctune__json *ctune__json_get(const ctune__json *v, const char *key)
{
    if (!v || v->type != CTUNE__JSON_OBJECT || !key)
        return NULL;
    for (size_t i = 0; i < v->n; i++)
        if (strcmp(v->keys[i], key) == 0)
            return &v->items[i];
    return NULL;
}

/* ---- strings ------------------------------------------------------------ */

static int hex4(const char *p, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (unsigned)(c - 'A' + 10);
        else
            return 0;
    }
    *out = v;
    return 1;
}

static size_t put_utf8(char *o, unsigned cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Length of the valid UTF-8 sequence at p (lead byte >= 0x80), 0 if invalid:
 * no overlong forms, no surrogates, nothing above U+10FFFF. */
static size_t utf8_len(const unsigned char *p, const unsigned char *e)
{
    unsigned c = p[0];
    size_t n;
    unsigned min, cp;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2, min = 0x80, cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3, min = 0x800, cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4, min = 0x10000, cp = c & 0x07;
    } else {
        return 0;
    }
    if ((size_t)(e - p) < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

/* At the opening quote. The decoded text is never longer than the source. */
static ctune_status parse_string(parser *ps, char **out, size_t *out_len)
{
    const char *start = ps->p++;
    const char *q = ps->p;
    while (q < ps->end && *q != '"') /* find the end first: size the buffer */
        q += (*q == '\\' && q + 1 < ps->end) ? 2 : 1;
    if (q >= ps->end)
        return fail_at(ps, start, "a string is not closed (missing '\"')");
    char *buf = ctune__malloc((size_t)(q - ps->p) + 1);
    if (!buf)
        return ctune_set_error(CTUNE_ENOMEM, "JSON: out of memory");
    size_t n = 0;
    while (*ps->p != '"') {
        const unsigned char c = (unsigned char)*ps->p;
        const char *at = ps->p;
        if (c < 0x20) {
            ctune__free(buf);
            return fail_at(ps, at, "a control character in a string (escape it)");
        }
        if (c >= 0x80) {
            size_t k = utf8_len((const unsigned char *)ps->p, (const unsigned char *)ps->end);
            if (!k) {
                ctune__free(buf);
                return fail_at(ps, at, "invalid UTF-8 in a string");
            }
            memcpy(buf + n, ps->p, k);
            n += k;
            ps->p += k;
            continue;
        }
        if (c != '\\') {
            buf[n++] = (char)c;
            ps->p++;
            continue;
        }
        char e = ps->p[1];
        ps->p += 2;
        const char *simple = strchr("\"\\/bfnrt", e);
        if (e && simple) {
            static const char map[] = "\"\\/\b\f\n\r\t";
            buf[n++] = map[simple - "\"\\/bfnrt"];
            continue;
        }
        unsigned cp, lo;
        if (e != 'u' || ps->end - ps->p < 4 || !hex4(ps->p, &cp)) {
            ctune__free(buf);
            return fail_at(ps, at,
                           e == 'u' ? "\\u needs four hex digits" : "unknown escape in a string");
        }
        ps->p += 4;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (ps->end - ps->p < 6 || ps->p[0] != '\\' || ps->p[1] != 'u' ||
                !hex4(ps->p + 2, &lo) || lo < 0xDC00 || lo > 0xDFFF) {
                ctune__free(buf);
                return fail_at(ps, at, "a UTF-16 high surrogate without its low half");
            }
            ps->p += 6;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            ctune__free(buf);
            return fail_at(ps, at, "a lone UTF-16 low surrogate");
        } else if (cp == 0) {
            ctune__free(buf);
            return fail_at(ps, at, "\\u0000 (a NUL character) is not supported in strings");
        }
        n += put_utf8(buf + n, cp); /* 6 or 12 source bytes give at most 4 */
    }
    ps->p++;
    buf[n] = '\0';
    *out = buf;
    *out_len = n;
    return CTUNE_OK;
}

/* ---- numbers ------------------------------------------------------------ */

static int is_digit(const parser *ps, const char *q)
{
    return q < ps->end && *q >= '0' && *q <= '9';
}

static ctune_status parse_number(parser *ps, double *out)
{
    const char *s = ps->p, *q = s;
    if (q < ps->end && *q == '-')
        q++;
    if (!is_digit(ps, q))
        return fail_at(ps, s,
                       q < ps->end && *q == 'I' ? "NaN and Infinity are not JSON (write "
                                                  "null)"
                                                : "expected a digit after '-'");
    if (*q == '0' && is_digit(ps, q + 1))
        return fail_at(ps, s, "a number with a leading zero");
    while (is_digit(ps, q))
        q++;
    if (q < ps->end && *q == '.') {
        q++;
        if (!is_digit(ps, q))
            return fail_at(ps, s, "expected a digit after the decimal point");
        while (is_digit(ps, q))
            q++;
    }
    if (q < ps->end && (*q == 'e' || *q == 'E')) {
        q++;
        if (q < ps->end && (*q == '+' || *q == '-'))
            q++;
        if (!is_digit(ps, q))
            return fail_at(ps, s, "expected a digit in the exponent");
        while (is_digit(ps, q))
            q++;
    }
    double v;
    if (ctune__parse_number(s, q, &v) != q)
        return fail_at(ps, s, "unreadable number");
    if (!isfinite(v))
        return fail_at(ps, s, "a number out of the range of a double");
    *out = v;
    ps->p = q;
    return CTUNE_OK;
}

/* ---- values ------------------------------------------------------------- */

static ctune_status parse_value(parser *ps, ctune__json *v);

/* Appends a zeroed slot to a vector of values (and of keys when `keys`). */
static ctune__json *grow(ctune__json **items, char ***keys, size_t n, size_t *cap)
{
    if (n == *cap) {
        size_t nc = *cap ? *cap * 2 : 4;
        if (nc > SIZE_MAX / sizeof(ctune__json))
            return NULL;
        ctune__json *ni = ctune__realloc(*items, nc * sizeof *ni);
        if (!ni)
            return NULL;
        *items = ni;
        if (keys) {
            char **nk = ctune__realloc(*keys, nc * sizeof *nk);
            if (!nk)
                return NULL;
            *keys = nk;
        }
        *cap = nc;
    }
    memset(&(*items)[n], 0, sizeof **items);
    return &(*items)[n];
}

static ctune_status parse_container(parser *ps, ctune__json *v, int object)
{
    const char close = object ? '}' : ']';
    if (++ps->depth > ps->max_depth)
        return fail_at(ps, ps->p, "nested deeper than the limit");
    v->type = object ? CTUNE__JSON_OBJECT : CTUNE__JSON_ARRAY;
    ps->p++;
    size_t cap = 0;
    ctune_status rc = CTUNE_OK;
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == close) {
        ps->p++;
        ps->depth--;
        return CTUNE_OK;
    }
    for (;;) {
        char *key = NULL;
        size_t klen;
        skip_ws(ps);
        if (object) {
            if (ps->p >= ps->end || *ps->p != '"') {
                rc = fail_at(ps, ps->p, "expected a member name (a string in double quotes)");
                break;
            }
            const char *kat = ps->p;
            if ((rc = parse_string(ps, &key, &klen)) != CTUNE_OK)
                break;
            for (size_t i = 0; i < v->n; i++)
                if (strcmp(v->keys[i], key) == 0) {
                    ctune__free(key);
                    key = NULL;
                    rc = fail_at(ps, kat, "a duplicate member name");
                    break;
                }
            if (rc != CTUNE_OK)
                break;
            skip_ws(ps);
            if (ps->p >= ps->end || *ps->p != ':') {
                ctune__free(key);
                rc = fail_at(ps, ps->p, "expected ':' after a member name");
                break;
            }
            ps->p++;
            skip_ws(ps);
        }
        ctune__json *slot = grow(&v->items, object ? &v->keys : NULL, v->n, &cap);
        if (!slot) {
            ctune__free(key);
            rc = ctune_set_error(CTUNE_ENOMEM, "JSON: out of memory");
            break;
        }
        if ((rc = parse_value(ps, slot)) != CTUNE_OK) {
            free_value(slot);
            ctune__free(key);
            break;
        }
        if (object)
            v->keys[v->n] = key;
        v->n++;
        skip_ws(ps);
        if (ps->p < ps->end && *ps->p == ',') {
            ps->p++;
            skip_ws(ps);
            if (ps->p < ps->end && *ps->p == close) {
                rc = fail_at(ps, ps->p, "a trailing comma");
                break;
            }
            continue;
        }
        if (ps->p < ps->end && *ps->p == close) {
            ps->p++;
            break;
        }
        rc = fail_at(ps, ps->p,
                     object ? "expected ',' or '}' after an object member"
                            : "expected ',' or ']' after an array element");
        break;
    }
    ps->depth--;
    return rc;
}

static int literal(parser *ps, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
        return 0;
    ps->p += n;
    return 1;
}

static ctune_status parse_value(parser *ps, ctune__json *v)
{
    memset(v, 0, sizeof *v);
    skip_ws(ps);
    v->line = ps->line;
    v->col = col_of(ps, ps->p);
    if (ps->p >= ps->end)
        return fail_at(ps, ps->p, "unexpected end of the document (expected a value)");
    char c = *ps->p;
    switch (c) {
    case '{':
    case '[': return parse_container(ps, v, c == '{');
    case '"': v->type = CTUNE__JSON_STRING; return parse_string(ps, &v->str, &v->len);
    case 't':
    case 'f':
        v->type = CTUNE__JSON_BOOL;
        v->b = c == 't';
        if (literal(ps, c == 't' ? "true" : "false"))
            return CTUNE_OK;
        break;
    case 'n':
        if (literal(ps, "null"))
            return CTUNE_OK;
        break;
    default:
        if (c == '-' || (c >= '0' && c <= '9')) {
            v->type = CTUNE__JSON_NUMBER;
            return parse_number(ps, &v->num);
        }
        break;
    }
    if (c == 'N' || c == 'I')
        return fail_at(ps, ps->p, "NaN and Infinity are not JSON (write null)");
    return fail_at(ps, ps->p, "unexpected character (expected a value)");
}

ctune_status ctune__json_parse(const char *text, size_t len, const ctune__json_limits *lim,
                               ctune__json **out)
{
    CTUNE_CHECK_NULL(out, "out");
    *out = NULL;
    if (!text && len)
        return ctune_set_error(CTUNE_EINVAL, "JSON: text is NULL");
    size_t max_bytes = lim && lim->max_bytes ? lim->max_bytes : (size_t)256 << 20;
    unsigned max_depth = lim && lim->max_depth ? lim->max_depth : 64;
    if (len > max_bytes)
        return ctune_set_error(CTUNE_EFORMAT,
                               "JSON: the document is %zu bytes, above the "
                               "limit of %zu",
                               len, max_bytes);
    parser ps = {text, text + len, text, 1, 0, max_depth};
    ctune__json *root = ctune__malloc(sizeof *root);
    if (!root)
        return ctune_set_error(CTUNE_ENOMEM, "JSON: out of memory");
    ctune_status rc = parse_value(&ps, root);
    if (rc == CTUNE_OK) {
        skip_ws(&ps);
        if (ps.p < ps.end)
            rc = fail_at(&ps, ps.p, "text after the end of the document");
    }
    if (rc != CTUNE_OK) {
        ctune__json_free(root);
        return rc;
    }
    *out = root;
    return CTUNE_OK;
}
