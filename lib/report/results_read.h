/* Reads a results document (the JSON written by ctune_search_results_json,
 * layout in docs/results-schema.md) back into typed arrays for the report.
 * Strict: a document that is not ctune's, a column of the wrong length or
 * type, or a schema newer than this reader is CTUNE_EFORMAT naming the
 * field (and its line and column). Unknown fields and columns are ignored,
 * so later optional additions of the same schema still read. */
#ifndef CTUNE_REPORT_RESULTS_READ_H
#define CTUNE_REPORT_RESULTS_READ_H

#include <stddef.h>

#include "ctune.h"
#include "io/json.h"

/* The newest schema this reader understands. */
#define CTUNE__RDOC_SCHEMA 1

/* One searched parameter (a param_<name> column). */
typedef struct ctune__rparam {
    const char *name;      /* without "param_" (borrowed from the tree) */
    const ctune__json **v; /* per candidate: its value (NULL when null) */
    int categorical;       /* some value is a string or a boolean */
} ctune__rparam;

/* One per-epoch series of the optional "history" section. */
typedef struct ctune__rseries {
    size_t candidate;
    const char *metric; /* e.g. "loss", "val_accuracy" */
    double *v;          /* per epoch, NaN for null */
    size_t n;
} ctune__rseries;

typedef struct ctune__rdoc {
    ctune__json *root;
    long schema; /* 0: written before the field existed */
    size_t n_cands, n_splits;
    const char *status;       /* "complete", "partial" */
    const char *metric;       /* the suffix of the test columns shown ("score", "f1", ...) */
    const char *metric_label; /* its name for people: the refit metric ("f1_macro") or metric */
    long best_index;          /* -1: none */
    double best_score;        /* NaN: none */
    size_t n_params;
    ctune__rparam *params;     /* sorted as in the file */
    double *mean, *std, *rank; /* per candidate, NaN for null */
    double **split;            /* n_splits columns of n_cands (NaN for null) */
    const char **error;        /* per candidate, NULL when none (or no column) */
    /* optional sections (NULL / 0 when absent) */
    double *iter, *n_resources; /* successive halving: rung and its budget */
    double *bracket;            /* Hyperband: the bracket of the row */
    /* "done", "failed", "pruned" (NULL: unknown): the state column, or the
     * pruned column mapped (1: pruned; 0: failed when the row has an
     * error, else done); the two must agree when both are present */
    const char **state;
    int has_pruned; /* the pruned column is present */
    ctune__rseries *series;
    size_t n_series;
    /* not read from the document: set by the caller when it comes from a
     * study (ctune_report_write on a study file) */
    int from_study;
    size_t tasks_done, tasks_total;
} ctune__rdoc;

/* Parses and checks a results document. On error *out is NULL. */
ctune_status ctune__rdoc_read(const char *text, size_t len, ctune__rdoc **out);
void ctune__rdoc_free(ctune__rdoc *d);

#endif
