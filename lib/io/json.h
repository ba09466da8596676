/* A strict JSON reader (RFC 8259) for documents ctune wrote itself or that
 * a user hands back: results tables (docs/results-schema.md).
 *
 * Strict: no comments, no trailing commas, no NaN/Infinity literals, no
 * duplicate keys, valid UTF-8 only, no NUL character in strings (\u0000),
 * numbers that overflow a double are an error. Numbers are read through
 * the C-locale helpers of core/numparse.h, whatever the host's locale.
 * Limits: nesting depth and input size (ctune__json_limits). Errors are
 * CTUNE_EFORMAT with "JSON line L column C: ..." (1-based, the column
 * counted in bytes). */
#ifndef CTUNE_IO_JSON_H
#define CTUNE_IO_JSON_H

#include <stddef.h>

#include "ctune.h"

typedef enum {
    CTUNE__JSON_NULL,
    CTUNE__JSON_BOOL,
    CTUNE__JSON_NUMBER,
    CTUNE__JSON_STRING,
    CTUNE__JSON_ARRAY,
    CTUNE__JSON_OBJECT
} ctune__json_type;

/* One value. An array holds `n` items in `items`; an object holds `n`
 * members: keys[i] (NUL-terminated UTF-8) and items[i], in document order. */
typedef struct ctune__json {
    ctune__json_type type;
    unsigned line, col; /* where the value starts, 1-based */
    int b;              /* BOOL */
    double num;         /* NUMBER (finite) */
    char *str;          /* STRING, NUL-terminated UTF-8 */
    size_t len;         /* STRING length in bytes */
    struct ctune__json *items;
    char **keys;
    size_t n;
} ctune__json;

typedef struct ctune__json_limits {
    unsigned max_depth; /* arrays/objects nested deeper are refused (default 64) */
    size_t max_bytes;   /* longer inputs are refused (default 256 MiB) */
} ctune__json_limits;

/* Parses text[0..len) (no NUL needed) into a tree owned by *out; `lim`
 * NULL means the defaults. On error *out is NULL and nothing leaks. */
ctune_status ctune__json_parse(const char *text, size_t len, const ctune__json_limits *lim,
                               ctune__json **out);
/* Frees a tree from ctune__json_parse(); NULL is a no-op. */
void ctune__json_free(ctune__json *v);

/* Member `key` of object `v`, or NULL (also when v is not an object). */
const ctune__json *ctune__json_get(const ctune__json *v, const char *key);
/* Name of a type for messages: "null", "a boolean", "a number", ... */
const char *ctune__json_type_name(ctune__json_type t);

#endif
