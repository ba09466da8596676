/* Class tables: the classes of a search's data, found once (see data.h). */
#include <math.h>
#include <stdatomic.h>
#include <string.h>

#include "core/alloc.h"
#include "core/data.h"
#include "core/error.h"
#include "core/labels.h"

struct ctune__class_table {
    atomic_int refs;
    const ctune__storage *st; /* the storage whose y the table codes */
    ctune__storage *coded;    /* st's X, y = the code of each row (a reference) */
    double *classes;          /* k sorted labels */
    size_t k;
    /* The table of `coded` itself (its classes are the codes 0..k-1, its
     * coded storage `coded`): what the nested fits on a coded view use. A
     * reference; NULL in that table, which is its own. */
    struct ctune__class_table *codes_table;
};

/* What the coded storage owns: its y, and a reference to the source's
 * storage (whose X it reads). */
typedef struct coded_owned {
    double *codes;
    ctune__storage *src;
} coded_owned;

static void release_coded(void *ctx)
{
    coded_owned *o = ctx;
    ctune__free(o->codes);
    ctune__storage_release(o->src);
    ctune__free(o);
}

void ctune__class_table_release(ctune__class_table *t)
{
    if (!t || atomic_fetch_sub(&t->refs, 1) != 1)
        return;
    ctune__class_table_release(t->codes_table);
    ctune__storage_release(t->coded);
    ctune__free(t->classes);
    ctune__free(t);
}

void ctune__data_set_class_table(ctune_data *d, ctune__class_table *t)
{
    if (t)
        atomic_fetch_add(&t->refs, 1);
    ctune__class_table_release(d->class_table);
    d->class_table = t;
}

/* A table over `st` (one reference to it, taken) with classes `classes`
 * (k, taken). */
static ctune__class_table *table_new(const ctune__storage *st, ctune__storage *coded,
                                     double *classes, size_t k)
{
    ctune__class_table *t = ctune__calloc(1, sizeof *t);
    if (!t) {
        ctune__storage_release(coded);
        ctune__free(classes);
        return NULL;
    }
    atomic_init(&t->refs, 1);
    t->st = st;
    t->coded = coded;
    t->classes = classes;
    t->k = k;
    return t;
}

/* The storage over the X of d's storage whose y is `codes` (taken), or
 * NULL (out of memory). */
static ctune__storage *coded_storage(const ctune_data *d, double *codes)
{
    coded_owned *o = ctune__malloc(sizeof *o);
    ctune__storage *st = o ? ctune__malloc(sizeof *st) : NULL;
    if (!st) {
        ctune__free(o);
        ctune__free(codes);
        return NULL;
    }
    memcpy(st, d->st, sizeof *st);
    atomic_init(&st->refs, 1);
    st->y = codes;
    st->n_targets = 1;
    st->release = release_coded;
    st->release_ctx = o;
    o->codes = codes;
    o->src = d->st;
    atomic_fetch_add(&d->st->refs, 1);
    return st;
}

/* Sorted distinct labels of the rows of d (*k of them), or NULL with *k = 0
 * when a label is not an integer value; NULL with *k = 1: out of memory. */
static double *find_classes(const ctune_data *d, size_t *k)
{
    size_t n = d->n;
    double *buf = CTUNE_NEW_ARRAY(double, n ? n : 1);
    *k = 1;
    if (!buf)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        double v = ctune__data_y_at(d, i, 0);
        if (v != floor(v) || fabs(v) > 9.0e15) { /* as the fits require */
            ctune__free(buf);
            *k = 0;
            return NULL;
        }
        buf[i] = v;
    }
    *k = ctune__sort_unique(buf, n);
    double *c = ctune__realloc(buf, *k * sizeof *c);
    if (!c) {
        ctune__free(buf);
        *k = 1;
    }
    return c;
}

ctune_status ctune__class_table_new(ctune__class_table **out, const ctune_data *d)
{
    *out = NULL;
    if (d->y_local || !d->st->y || d->st->n_targets != 1 || d->n == 0)
        return CTUNE_OK;
    size_t k;
    double *classes = find_classes(d, &k);
    if (!classes)
        return k ? CTUNE_ENOMEM : CTUNE_OK;
    /* codes by storage row (rows outside d: -1, never read through d's views) */
    size_t n_rows = d->st->n_rows;
    double *codes = CTUNE_NEW_ARRAY(double, n_rows ? n_rows : 1);
    double *ids = CTUNE_NEW_ARRAY(double, k);
    if (!codes || !ids) {
        ctune__free(codes);
        ctune__free(ids);
        ctune__free(classes);
        return CTUNE_ENOMEM;
    }
    for (size_t r = 0; r < n_rows; r++)
        codes[r] = -1;
    for (size_t i = 0; i < d->n; i++)
        codes[ctune__data_row_index(d, i)] = (double)ctune__label_code(classes, k,
                                                                       ctune__data_y_at(d, i, 0));
    for (size_t c = 0; c < k; c++)
        ids[c] = (double)c;
    ctune__storage *coded = coded_storage(d, codes);
    ctune__class_table *t = coded ? table_new(d->st, coded, classes, k) : NULL;
    if (!coded)
        ctune__free(classes);
    if (!t) {
        ctune__free(ids);
        return CTUNE_ENOMEM;
    }
    /* the codes' own table: classes 0..k-1 over the same coded storage */
    atomic_fetch_add(&coded->refs, 1);
    t->codes_table = table_new(coded, coded, ids, k);
    if (!t->codes_table) {
        ctune__class_table_release(t);
        return CTUNE_ENOMEM;
    }
    *out = t;
    return CTUNE_OK;
}

ctune_status ctune__data_classes_from_table(const ctune_data *d, double **classes, size_t *k,
                                            ctune_data **coded, int *used)
{
    *used = 0;
    ctune__class_table *t = d->class_table;
    if (!t || d->y_local || d->st != t->st || d->n == 0)
        return CTUNE_OK;
    /* every class of the table among d's rows (a fold may miss one) */
    unsigned char *seen = ctune__calloc(t->k, 1);
    if (!seen)
        return CTUNE_ENOMEM;
    const double *codes = t->coded->y;
    size_t found = 0;
    for (size_t i = 0; i < d->n; i++) {
        double c = codes[ctune__data_row_index(d, i)];
        if (c < 0) { /* a row the table does not know */
            found = 0;
            break;
        }
        found += !seen[(size_t)c];
        seen[(size_t)c] = 1;
    }
    ctune__free(seen);
    if (found != t->k)
        return CTUNE_OK;
    double *c = CTUNE_NEW_ARRAY(double, t->k);
    if (!c)
        return CTUNE_ENOMEM;
    memcpy(c, t->classes, t->k * sizeof *c);
    ctune_data *v;
    ctune_status rc = ctune__data_view_on(&v, t->coded, d);
    if (rc != CTUNE_OK) {
        ctune__free(c);
        return rc;
    }
    /* nested fits on the codes find their own table */
    ctune__data_set_class_table(v, t->codes_table ? t->codes_table : t);
    *classes = c;
    *k = t->k;
    *coded = v;
    *used = 1;
    return CTUNE_OK;
}

ctune_status ctune__data_class_codes(const ctune_data *d, size_t *codes, size_t *k, int *used)
{
    *used = 0;
    const ctune__class_table *t = d->class_table;
    if (!t || d->y_local || d->st != t->st || d->n == 0)
        return CTUNE_OK;
    const double *c = t->coded->y;
    for (size_t i = 0; i < d->n; i++) {
        double v = c[ctune__data_row_index(d, i)];
        if (v < 0)
            return CTUNE_OK; /* a row the table does not know */
        codes[i] = (size_t)v;
    }
    /* every class of the table among the rows (a subset may miss one) */
    unsigned char *seen = ctune__calloc(t->k, 1);
    if (!seen)
        return CTUNE_ENOMEM;
    size_t present = 0;
    for (size_t i = 0; i < d->n; i++) {
        present += !seen[codes[i]];
        seen[codes[i]] = 1;
    }
    ctune__free(seen);
    if (present == t->k) {
        *k = t->k;
        *used = 1;
    }
    return CTUNE_OK;
}
