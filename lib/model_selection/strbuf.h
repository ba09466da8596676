/* Growable strings and string lists for model selection (results export,
 * warnings, messages). Allocation goes through lib/core/alloc.h. */
#ifndef CTUNE_MODEL_SELECTION_STRBUF_H
#define CTUNE_MODEL_SELECTION_STRBUF_H

#include <stddef.h>

#include "ctune.h"

/* A NUL-terminated growable string. A failed append sets `failed` (and the
 * ENOMEM message) and makes later appends no-ops, so callers check once. */
typedef struct ctune__sb {
    char *s;
    size_t len, cap;
    int failed;
} ctune__sb;

void ctune__sb_init(ctune__sb *b);
void ctune__sb_free(ctune__sb *b);
void ctune__sb_append(ctune__sb *b, const char *s, size_t n);
void ctune__sb_str(ctune__sb *b, const char *s);
void ctune__sb_printf(ctune__sb *b, const char *fmt, ...) CTUNE_PRINTF(2, 3);
/* A double that reads back to the same value ("%.17g" shortened); NaN and
 * infinities as `nan_text` / "inf" / "-inf". */
void ctune__sb_double(ctune__sb *b, double v, const char *nan_text);
/* A JSON string literal (quotes and escapes). */
void ctune__sb_json_string(ctune__sb *b, const char *s);
/* A CSV field (quoted when it holds ',', '"', CR or LF, RFC 4180). */
void ctune__sb_csv_field(ctune__sb *b, const char *s);
/* CTUNE_OK, or CTUNE_ENOMEM when an append failed. */
ctune_status ctune__sb_status(const ctune__sb *b);

/* Copies `text` (length `len`) into a caller buffer with the needed-size
 * convention: always NUL-terminated when cap > 0, returns len. */
long ctune__copy_out(const char *text, size_t len, char *buf, size_t cap);
/* A list of owned strings. */
typedef struct ctune__strlist {
    char **items;
    size_t n, cap;
} ctune__strlist;

void ctune__strlist_init(ctune__strlist *l);
void ctune__strlist_clear(ctune__strlist *l);
ctune_status ctune__strlist_push(ctune__strlist *l, const char *s);
ctune_status ctune__strlist_pushf(ctune__strlist *l, const char *fmt, ...) CTUNE_PRINTF(2, 3);
/* Borrowed item i, NULL out of range. */
const char *ctune__strlist_get(const ctune__strlist *l, size_t i);

/* Seconds from a monotonic clock. */
double ctune__now(void);

#endif
