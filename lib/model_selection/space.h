/* Internal layout of parameter spaces and candidate lists. */
#ifndef CTUNE_MODEL_SELECTION_SPACE_H
#define CTUNE_MODEL_SELECTION_SPACE_H

#include <stdint.h>

#include "ctune.h"

/* One typed value of a list (bool and int in i). */
typedef struct ctune__value {
    int type; /* CTUNE_TYPE_* */
    int64_t i;
    double d;
    char *s;
} ctune__value;

typedef enum {
    CTUNE__DIST_LIST = 0,
    CTUNE__DIST_UNIFORM,
    CTUNE__DIST_LOGUNIFORM,
    CTUNE__DIST_RANDINT
} ctune__dist_kind;

typedef struct ctune__space_entry {
    char *name;
    ctune__dist_kind kind;
    ctune__value *values; /* lists */
    size_t n_values;
    double lo, hi;    /* uniform, loguniform */
    int64_t ilo, ihi; /* randint: [ilo, ihi) */
} ctune__space_entry;

/* Entries are kept sorted by name (byte order), the order sampling and the
 * grid use. */
struct ctune_space {
    ctune__space_entry *e;
    size_t n, cap;
};

struct ctune_candidates {
    ctune_params **items;
    size_t n;
    char *warning; /* NULL or the sampler's warning */
};

/* Inserts a fully built entry (takes ownership of its name and values, also
 * on failure). Errors: CTUNE_EINVAL on a duplicate name, CTUNE_ENOMEM. */
ctune_status ctune__space_insert(ctune_space *sp, ctune__space_entry *e);
void ctune__space_entry_clear(ctune__space_entry *e);
/* Grid size with overflow check (1 for an empty space). Errors: CTUNE_EINVAL
 * when an entry is a distribution or the product overflows. */
ctune_status ctune__space_grid_size(const ctune_space *sp, uint64_t *out);
/* Grid point `index` (< the grid size; keys sorted, the last varying
 * fastest) and one random draw from `rng` (entries in sorted order), as the
 * searches' samplers make them. */
ctune_status ctune__space_grid_point(const ctune_space *sp, uint64_t index, ctune_params **out);
ctune_status ctune__space_random_point(const ctune_space *sp, ctune_rng *rng, ctune_params **out);
/* Sets `name` in p to the typed value v. */
ctune_status ctune__value_set(ctune_params *p, const char *name, const ctune__value *v);

#endif
