/* Growable strings and string lists. */
#include "model_selection/strbuf.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/alloc.h"
#include "core/cnum.h"

void ctune__sb_init(ctune__sb *b)
{
    b->s = NULL;
    b->len = b->cap = 0;
    b->failed = 0;
}

void ctune__sb_free(ctune__sb *b)
{
    ctune__free(b->s);
    ctune__sb_init(b);
}

static int reserve(ctune__sb *b, size_t extra)
{
    if (b->failed)
        return 0;
    if (extra > SIZE_MAX - b->len - 1) {
        b->failed = 1;
        ctune_set_error(CTUNE_ENOMEM, "out of memory: a text of more than %zu bytes", SIZE_MAX);
        return 0;
    }
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return 1;
    size_t nc = b->cap ? b->cap : 64;
    while (nc < need)
        nc = nc > SIZE_MAX / 2 ? need : nc * 2;
    char *s = ctune__realloc(b->s, nc);
    if (!s) {
        b->failed = 1;
        return 0;
    }
    b->s = s;
    b->cap = nc;
    return 1;
}

void ctune__sb_append(ctune__sb *b, const char *s, size_t n)
{
    if (!reserve(b, n))
        return;
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void ctune__sb_str(ctune__sb *b, const char *s) { ctune__sb_append(b, s, strlen(s)); }

void ctune__sb_printf(ctune__sb *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = ctune__vsnprintf_c(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !reserve(b, (size_t)n))
        return;
    va_start(ap, fmt);
    ctune__vsnprintf_c(b->s + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void ctune__sb_double(ctune__sb *b, double v, const char *nan_text)
{
    if (isnan(v)) {
        ctune__sb_str(b, nan_text);
        return;
    }
    if (isinf(v)) {
        ctune__sb_str(b, v > 0 ? "inf" : "-inf");
        return;
    }
    char tmp[40];
    ctune__fmt_double(tmp, sizeof tmp, v);
    ctune__sb_str(b, tmp);
}

void ctune__sb_json_string(ctune__sb *b, const char *s)
{
    ctune__sb_append(b, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': ctune__sb_append(b, "\\\"", 2); break;
        case '\\': ctune__sb_append(b, "\\\\", 2); break;
        case '\n': ctune__sb_append(b, "\\n", 2); break;
        case '\r': ctune__sb_append(b, "\\r", 2); break;
        case '\t': ctune__sb_append(b, "\\t", 2); break;
        default:
            if (*p < 0x20)
                ctune__sb_printf(b, "\\u%04x", *p);
            else
                ctune__sb_append(b, (const char *)p, 1);
        }
    }
    ctune__sb_append(b, "\"", 1);
}

void ctune__sb_csv_field(ctune__sb *b, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        ctune__sb_str(b, s);
        return;
    }
    ctune__sb_append(b, "\"", 1);
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            ctune__sb_append(b, "\"", 1);
        ctune__sb_append(b, p, 1);
    }
    ctune__sb_append(b, "\"", 1);
}

ctune_status ctune__sb_status(const ctune__sb *b) { return b->failed ? CTUNE_ENOMEM : CTUNE_OK; }

long ctune__copy_out(const char *text, size_t len, char *buf, size_t cap)
{
    if (cap > 0) {
        size_t k = len < cap - 1 ? len : cap - 1;
        if (k)
            memcpy(buf, text, k);
        buf[k] = '\0';
    }
    return (long)len;
}

void ctune__strlist_init(ctune__strlist *l)
{
    l->items = NULL;
    l->n = l->cap = 0;
}

void ctune__strlist_clear(ctune__strlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        ctune__free(l->items[i]);
    ctune__free(l->items);
    ctune__strlist_init(l);
}

ctune_status ctune__strlist_push(ctune__strlist *l, const char *s)
{
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 4;
        char **it = ctune__realloc(l->items, nc * sizeof *it);
        if (!it)
            return CTUNE_ENOMEM;
        l->items = it;
        l->cap = nc;
    }
    char *c = ctune__strdup(s);
    if (!c)
        return CTUNE_ENOMEM;
    l->items[l->n++] = c;
    return CTUNE_OK;
}

ctune_status ctune__strlist_pushf(ctune__strlist *l, const char *fmt, ...)
{
    char tmp[1024];
    va_list ap;
    va_start(ap, fmt);
    ctune__vsnprintf_c(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    return ctune__strlist_push(l, tmp);
}

const char *ctune__strlist_get(const ctune__strlist *l, size_t i)
{
    return l && i < l->n ? l->items[i] : NULL;
}

double ctune__now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}
