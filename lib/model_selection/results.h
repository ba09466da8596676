/* The results table of a search (scikit-learn's cv_results_) built from the
 * task records, its accessors and its CSV / JSON export. */
#ifndef CTUNE_MODEL_SELECTION_RESULTS_H
#define CTUNE_MODEL_SELECTION_RESULTS_H

#include "ctune.h"
#include "model_selection/evaluate.h"
#include "model_selection/strbuf.h"

typedef enum {
    CTUNE__COL_NUM,    /* v[n_cands] */
    CTUNE__COL_RANK,   /* v[n_cands], integers */
    CTUNE__COL_PARAM,  /* value of parameter `param` of each candidate */
    CTUNE__COL_PARAMS, /* the whole parameter set */
    CTUNE__COL_ERROR,  /* error text or empty */
    CTUNE__COL_STATE   /* v[n_cands]: a CTUNE_TRIAL_* state; "done", "pruned",
                        * "failed", or null (empty in CSV) for a running trial */
} ctune__col_kind;

typedef struct ctune__col {
    char *name;
    ctune__col_kind kind;
    double *v;
    const char *param; /* borrowed from the name */
} ctune__col;

typedef struct ctune__results {
    size_t n_cands, n_splits, n_scorers;
    ctune_params *const *params; /* borrowed */
    ctune__strlist suffixes;     /* "score", or the scorer names */
    ctune__col *cols;
    size_t n_cols;
    char **errors;            /* per candidate, NULL when all splits succeeded */
    const double **mean_test; /* per scorer: column values */
    const double **rank_test;
    size_t n_failed; /* failed tasks (not counting tasks not run) */
    size_t n_run;
    int non_finite; /* some mean test score is not finite */
} ctune__results;

/* Builds the table from a run's records. `param_names` (sorted) name the
 * param_<name> columns; `params[c]` are the candidates. */
ctune_status ctune__results_build(ctune__results **out, const ctune__eval *ev,
                                  ctune_params *const *params, const ctune_space *space);
void ctune__results_free(ctune__results *r);

/* Inserts a numeric column `name` first, with r->n_cands values copied
 * from v (successive halving's iter and n_resources, first as in
 * scikit-learn's cv_results_). Errors: CTUNE_ENOMEM (r unchanged). */
ctune_status ctune__results_prepend(ctune__results *r, const char *name, const double *v);

/* Adds the column param_<param> before "params" (the halving resource,
 * which every row sets though it is not in the space). */
ctune_status ctune__results_add_param(ctune__results *r, const char *param);

/* Appends a column (`cap`: the caller's capacity count, 0 at first) for a
 * table built by hand (the tuner's); NULL when out of memory. */
ctune__col *ctune__results_add_col(ctune__results *r, size_t *cap, ctune__col_kind kind,
                                   const char *name);

/* Index of the best candidate for scorer k (lowest rank, first on ties). */
size_t ctune__results_best(const ctune__results *r, size_t k);
/* Column by name, or NULL (with an EINVAL message listing the names). */
const ctune__col *ctune__results_col(const ctune__results *r, const char *name);
ctune_status ctune__results_value(const ctune__results *r, const ctune__col *c, size_t i,
                                  double *out);
/* Appends the text of column c for candidate i. */
void ctune__results_text(const ctune__results *r, const ctune__col *c, size_t i, ctune__sb *b);

/* Search-level facts written into the JSON export. */
typedef struct ctune__results_meta {
    long best_index; /* -1 = none */
    double best_score;
    const char *refit_metric; /* NULL = none */
    const char *status;       /* "complete" or "partial" */
    const char *stopped_by;   /* NULL (not written), or the budget that ended the run */
} ctune__results_meta;

/* Version of the JSON export's layout (docs/results-schema.md): raised when
 * a field changes meaning or a required field is added or removed. */
#define CTUNE__RESULTS_SCHEMA 1

void ctune__results_csv(const ctune__results *r, ctune__sb *b);

/* Makes the results document of `owner` (a search or a tuner): CSV, or JSON
 * when json; *out is the caller's to free on CTUNE_OK, freed on failure. */
typedef ctune_status (*ctune__results_export_fn)(const void *owner, int json, ctune__sb *out);
/* That document written to path through the atomic writer. */
ctune_status ctune__results_export_file(ctune__results_export_fn make, const void *owner, int json,
                                        const char *path);
/* That document copied into buf under the buffer rule (the length needed is
 * returned); `what` names the call in the error for a NULL buf. */
long ctune__results_export_buf(ctune__results_export_fn make, const void *owner, int json,
                               char *buf, size_t cap, const char *what);
void ctune__results_json(const ctune__results *r, const ctune__results_meta *m, ctune__sb *b);
/* A typed JSON value of parameter `name` of p (null when absent). */
void ctune__json_param(ctune__sb *b, const ctune_params *p, const char *name);

#endif
