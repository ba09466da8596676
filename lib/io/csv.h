/* Internal side of the CSV loader: parsed options and the entry point the
 * embedded datasets use. */
#ifndef CTUNE_IO_CSV_H
#define CTUNE_IO_CSV_H

#include <stddef.h>

#include "ctune.h"

enum { CSV_HEADER_AUTO = -1, CSV_HEADER_NO = 0, CSV_HEADER_YES = 1 };
enum { CSV_TARGET_LAST, CSV_TARGET_INDEX, CSV_TARGET_NAME, CSV_TARGET_NONE };
enum { CSV_LABELS_AUTO, CSV_LABELS_NUMERIC, CSV_LABELS_STRING };

typedef struct ctune__csv_opts {
    int header;        /* CSV_HEADER_* */
    char delim;        /* ',' */
    char comment;      /* 0 (none, the default) or the comment character */
    int target;        /* CSV_TARGET_* */
    long target_index; /* CSV_TARGET_INDEX: 0-based, negative counts from the end */
    char *target_name; /* CSV_TARGET_NAME (owned) */
    char **features;   /* NULL = every column but the target; else names or indices (owned) */
    size_t n_features;
    int dtype;       /* CTUNE_FLOAT32 / CTUNE_FLOAT64 */
    int labels;      /* CSV_LABELS_* */
    int missing_nan; /* empty numeric fields read as NaN instead of an error */
    /* Static class names for numeric labels 0..n-1 (embedded datasets). */
    const char *const *class_names;
    size_t n_class_names;
} ctune__csv_opts;

/* Keys accepted by ctune__csv_opts_parse (bit mask). */
enum {
    CSV_KEY_HEADER = 1,
    CSV_KEY_DELIMITER = 2,
    CSV_KEY_TARGET = 4,
    CSV_KEY_FEATURES = 8,
    CSV_KEY_DTYPE = 16,
    CSV_KEY_COMMENT = 32,
    CSV_KEY_LABELS = 64,
    CSV_KEY_MISSING = 128,
    CSV_KEY_ALL = 255
};

/* Fills `o` with the defaults. */
void ctune__csv_opts_init(ctune__csv_opts *o);
/* Parses "key=value, ..." text (NULL or "" = defaults) accepting only the
 * keys in `allowed`. Errors: CTUNE_EINVAL naming the option, prefixed with
 * `what` ("CSV options"). On error `o` holds the defaults. */
ctune_status ctune__csv_opts_parse(ctune__csv_opts *o, const char *text, unsigned allowed,
                                   const char *what);
void ctune__csv_opts_free(ctune__csv_opts *o);

/* Loads CSV text held in memory; `src` names it in messages. */
ctune_status ctune__csv_load_mem(ctune_data **out, const char *buf, size_t len,
                                 const ctune__csv_opts *o, const char *src);

#endif
