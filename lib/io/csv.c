/* Streaming CSV loader: records are found with memchr (quote-aware when a
 * record holds a '"'), a record's delimiters indexed with SIMD compares
 * (csv_index.h), its numbers parsed in place by the fast number parser, and
 * rows appended to X / y arrays that grow geometrically (sized from the input
 * length once the first rows show the bytes per row) and are shrunk to fit at
 * the end. A file is read through one buffer of 1 MiB (grown only for a
 * record longer than that). */
#define _DEFAULT_SOURCE /* madvise (prefault) */
#include "io/csv.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/cnum.h"
#include "core/data.h"
#include "core/error.h"
#include "io/csv_index.h"
#include "io/numparse.h"

#define CSV_BUFFER_SIZE ((size_t)1 << 20)
#define CSV_MAX_RECORD ((size_t)64 << 20)

enum { ROLE_SKIP = -1, ROLE_TARGET = -2 };
enum { LABELS_UNDECIDED, LABELS_NUMERIC, LABELS_STRING };

typedef struct label_table {
    char **names; /* by code of first appearance */
    size_t n, cap;
    size_t *slots; /* open addressing: code + 1, 0 = empty */
    size_t n_slots;
} label_table;

typedef struct csv {
    const ctune__csv_opts *o;
    const char *src;
    size_t line;        /* line where the current record starts (1-based) */
    size_t base;        /* input offset of the current buffer */
    size_t offset;      /* input offset of the current record */
    size_t total_bytes; /* input length when known, else 0 */
    size_t data_start;  /* input offset of the first data row */
    int planned;
    int have_header;
    size_t first_line; /* line of the header or first data row */
    size_t ncols;
    int *role;     /* per column: feature index >= 0, ROLE_SKIP, ROLE_TARGET */
    size_t n_lead; /* leading columns whose feature index is their own */
    /* per column: the offset of its delimiter in the row; 32 more for
     * ctune__csv_index's scratch */
    uint32_t *index;
    /* The record being processed: the end of the bytes that may be read
     * past it (its buffer's end), and whether it holds a '"'. */
    const char *readable;
    int quoted;
    /* the processor has SSSE3 and popcnt (ctune__parse_short_cell_ssse3,
     * ctune__csv_index_popcnt) */
    int simd;
    size_t n_out;
    int has_target;
    size_t target_col;
    int label_mode;
    char **feature_names; /* n_out entries when there is a header */
    void *X;
    double *y;
    size_t rows, cap;
    label_table lt;
    char *scratch;
    size_t scratch_cap;
    /* A first row whose only text is its target cell: a header if the
     * next row's target is a number, else data (see decide_header). */
    char *pending;
    size_t pending_len, pending_line, pending_offset;
} csv;

/* ---- helpers ----------------------------------------------------------- */

static size_t elem_size(const csv *c)
{
    return c->o->dtype == CTUNE_FLOAT32 ? sizeof(float) : sizeof(double);
}

/* `s` cut to 40 characters for a message (into buf, 48 bytes). */
static const char *shorten(const char *s, char *buf)
{
    size_t n = strlen(s);
    if (n <= 40)
        return s;
    memcpy(buf, s, 37);
    memcpy(buf + 37, "...", 4);
    return buf;
}

/* "<src>: line L, column C: <message>" as a CTUNE_EFORMAT. */
static ctune_status field_error(const csv *c, size_t col, const char *fmt, ...) CTUNE_PRINTF(3, 4);
static ctune_status field_error(const csv *c, size_t col, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    ctune__vsnprintf_c(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return ctune_set_error(CTUNE_EFORMAT, "%s: line %zu, column %zu: %s", c->src, c->line, col + 1,
                           msg);
}

static ctune_status ensure_scratch(csv *c, size_t n)
{
    if (n + 1 <= c->scratch_cap)
        return CTUNE_OK;
    size_t cap = c->scratch_cap ? c->scratch_cap : 256;
    while (cap < n + 1)
        cap *= 2;
    char *s = ctune__realloc(c->scratch, cap);
    if (!s)
        return CTUNE_ENOMEM;
    c->scratch = s;
    c->scratch_cap = cap;
    return CTUNE_OK;
}

static int is_blank(char ch, char delim) { return ch == ' ' || (ch == '\t' && delim != '\t'); }

/* Reads the field starting at p (the record ends at e) into c->scratch,
 * unquoted and trimmed; *fend is the delimiter after it or e. */
static ctune_status read_field(csv *c, const char *p, const char *e, size_t col, const char **fend,
                               size_t *len)
{
    const char d = c->o->delim;
    CTUNE_TRY(ensure_scratch(c, (size_t)(e - p)));
    char *out = c->scratch;
    size_t n = 0;
    const char *q = p;
    while (q < e && is_blank(*q, d))
        q++;
    if (q < e && *q == '"') {
        q++;
        for (;;) {
            if (q >= e) {
                c->scratch[0] = '\0';
                return field_error(c, col, "unterminated quoted field");
            }
            if (*q == '"') {
                if (q + 1 < e && q[1] == '"') {
                    out[n++] = '"';
                    q += 2;
                    continue;
                }
                q++;
                break;
            }
            out[n++] = *q++;
        }
        while (q < e && is_blank(*q, d))
            q++;
        if (q < e && *q != d) {
            return field_error(c, col, "unexpected character '%c' after a closing quote", *q);
        }
    } else {
        const char *f = memchr(q, d, (size_t)(e - q));
        if (!f)
            f = e;
        const char *b = f;
        while (b > q && is_blank(b[-1], d))
            b--;
        memcpy(out, q, (size_t)(b - q));
        n = (size_t)(b - q);
        q = f;
    }
    out[n] = '\0';
    *fend = q;
    *len = n;
    return CTUNE_OK;
}

/* Number of fields of the record [s, e) (for messages). */
static size_t count_fields(csv *c, const char *s, const char *e)
{
    size_t n = 0;
    const char *p = s, *f;
    size_t len;
    for (;;) {
        if (read_field(c, p, e, n, &f, &len) != CTUNE_OK)
            return n + 1;
        n++;
        if (f >= e)
            return n;
        p = f + 1;
    }
}

static ctune_status ragged(csv *c, size_t found)
{
    size_t col = (found < c->ncols ? found : c->ncols) + 1;
    return ctune_set_error(
        CTUNE_EFORMAT,
        "%s: line %zu, column %zu: row has %zu field%s, expected %zu (as on line %zu)", c->src,
        c->line, col, found, found == 1 ? "" : "s", c->ncols, c->first_line);
}

/* ---- class labels ------------------------------------------------------ */

static uint64_t hash_str(const char *s, size_t n)
{
    uint64_t h = UINT64_C(1469598103934665603);
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= UINT64_C(1099511628211);
    }
    return h;
}

static ctune_status labels_rehash(label_table *t, size_t n_slots)
{
    size_t *slots = ctune__calloc(n_slots, sizeof *slots);
    if (!slots)
        return CTUNE_ENOMEM;
    for (size_t k = 0; k < t->n; k++) {
        size_t i = (size_t)hash_str(t->names[k], strlen(t->names[k])) & (n_slots - 1);
        while (slots[i])
            i = (i + 1) & (n_slots - 1);
        slots[i] = k + 1;
    }
    ctune__free(t->slots);
    t->slots = slots;
    t->n_slots = n_slots;
    return CTUNE_OK;
}

/* Code (by first appearance) of label `s`, added when new. */
static ctune_status label_code(label_table *t, const char *s, size_t n, size_t *code)
{
    if (t->n_slots == 0)
        CTUNE_TRY(labels_rehash(t, 16));
    size_t i = (size_t)hash_str(s, n) & (t->n_slots - 1);
    while (t->slots[i]) {
        const char *name = t->names[t->slots[i] - 1];
        if (strlen(name) == n && !memcmp(name, s, n)) {
            *code = t->slots[i] - 1;
            return CTUNE_OK;
        }
        i = (i + 1) & (t->n_slots - 1);
    }
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 8;
        char **names = ctune__realloc(t->names, cap * sizeof *names);
        if (!names)
            return CTUNE_ENOMEM;
        t->names = names;
        t->cap = cap;
    }
    char *copy = ctune__strndup(s, n);
    if (!copy)
        return CTUNE_ENOMEM;
    t->names[t->n] = copy;
    t->slots[i] = ++t->n;
    *code = t->n - 1;
    if (2 * t->n > t->n_slots)
        return labels_rehash(t, t->n_slots * 2);
    return CTUNE_OK;
}

static void labels_free(label_table *t)
{
    for (size_t k = 0; k < t->n; k++)
        ctune__free(t->names[k]);
    ctune__free(t->names);
    ctune__free(t->slots);
    memset(t, 0, sizeof *t);
}

static int cmp_name_ptr(const void *a, const void *b)
{
    return strcmp(**(char *const *const *)a, **(char *const *const *)b);
}

/* Renumbers codes so that class names come in byte order (as scikit-learn's
 * LabelEncoder sorts them). */
static ctune_status labels_sort(csv *c)
{
    label_table *t = &c->lt;
    size_t k = t->n;
    char ***order = CTUNE_NEW_ARRAY(char **, k ? k : 1);
    size_t *remap = CTUNE_NEW_ARRAY(size_t, k ? k : 1);
    char **sorted = CTUNE_NEW_ARRAY(char *, k ? k : 1);
    if (!order || !remap || !sorted) {
        ctune__free(order);
        ctune__free(remap);
        ctune__free(sorted);
        return CTUNE_ENOMEM;
    }
    for (size_t i = 0; i < k; i++)
        order[i] = &t->names[i];
    qsort(order, k, sizeof *order, cmp_name_ptr);
    for (size_t i = 0; i < k; i++) {
        size_t old = (size_t)(order[i] - t->names);
        remap[old] = i;
        sorted[i] = t->names[old];
    }
    for (size_t r = 0; r < c->rows; r++)
        c->y[r] = (double)remap[(size_t)c->y[r]];
    ctune__free(t->names);
    t->names = sorted;
    t->cap = k ? k : 1;
    ctune__free(order);
    ctune__free(remap);
    ctune__free(t->slots); /* no more lookups */
    t->slots = NULL;
    t->n_slots = 0;
    return CTUNE_OK;
}

/* ---- output arrays ----------------------------------------------------- */

/* Maps in the pages of [p, p + n) of a block just grown, in one call:
 * the loader writes all of them next, and one trap per 4 KiB page cost
 * about a third of the time of filling 80 MB of fresh memory. Only
 * where the kernel can (Linux 5.14 on); any failure leaves the pages
 * to be mapped on first write, as without it. */
static void prefault(void *p, size_t n)
{
#if defined(__linux__)
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* the kernel's value, for older C library headers */
#endif
    uintptr_t a = ((uintptr_t)p + 4095) & ~(uintptr_t)4095,
              b = ((uintptr_t)p + n) & ~(uintptr_t)4095;
    if (n >= ((size_t)1 << 20) && b > a)
        (void)madvise((void *)a, b - a, MADV_POPULATE_WRITE);
#else
    (void)p, (void)n;
#endif
}

static ctune_status grow_rows(csv *c)
{
    size_t want, expect = 0; /* expect: the rows the input should hold, when estimated */
    if (c->cap == 0) {
        /* A row takes at least 2 bytes per column: no more rows than that
         * fit in the input (keeps wide, short inputs from over-allocating). */
        want = 1024;
        if (c->total_bytes && c->total_bytes / (2 * c->ncols) + 1 < want)
            want = c->total_bytes / (2 * c->ncols) + 1;
    } else {
        want = c->cap + c->cap / 2 + 1; /* + 1: a first guess of 1 row grows too */
        /* Size from the bytes per row seen so far when the input length is
         * known: the arrays then end close to their final size. */
        if (c->total_bytes > c->data_start && c->offset > c->data_start && c->rows >= 64) {
            double per_row = (double)(c->offset - c->data_start) / (double)c->rows;
            double rows = (double)(c->total_bytes - c->data_start) / per_row;
            double est = rows * 1.02 + 64;
            size_t floor_ = c->cap + c->cap / 8;
            if (est < (double)SIZE_MAX / 2) {
                want = (size_t)est > floor_ ? (size_t)est : floor_;
                expect = (size_t)rows < want ? (size_t)rows : want;
            }
        }
    }
    size_t es = elem_size(c);
    if (want > SIZE_MAX / es / c->n_out)
        return ctune_set_error(CTUNE_ENOMEM, "%s: too many rows", c->src);
    void *X = ctune__realloc(c->X, want * c->n_out * es);
    if (!X)
        return CTUNE_ENOMEM;
    c->X = X;
    /* the rows expected, not the margin for a wrong estimate (which stays
     * unmapped unless used) */
    size_t fill = expect > c->cap ? expect - c->cap : 0;
    prefault((char *)X + c->cap * c->n_out * es, fill * c->n_out * es);
    if (c->has_target) {
        double *y = ctune__realloc(c->y, want * sizeof *y);
        if (!y)
            return CTUNE_ENOMEM;
        c->y = y;
        prefault(y + c->cap, fill * sizeof *y);
    }
    c->cap = want;
    return CTUNE_OK;
}

/* ---- records ----------------------------------------------------------- */

static ctune_status store_label(csv *c, size_t col, size_t len, double *yv)
{
    char tmp[48];
    if (len == 0)
        return field_error(c, col, "empty target field");
    if (c->label_mode == LABELS_UNDECIDED) {
        double v;
        int numeric = ctune__parse_number_full(c->scratch, len, &v);
        c->label_mode = c->o->labels == CSV_LABELS_STRING               ? LABELS_STRING
                        : c->o->labels == CSV_LABELS_NUMERIC || numeric ? LABELS_NUMERIC
                                                                        : LABELS_STRING;
    }
    if (c->label_mode == LABELS_NUMERIC) {
        if (!ctune__parse_number_full(c->scratch, len, yv))
            return field_error(c, col,
                               "'%s' is not a number (the target column was read as numeric "
                               "from its first value; labels=string reads class names)",
                               shorten(c->scratch, tmp));
        if (c->o->n_class_names &&
            !(*yv >= 0 && *yv < (double)c->o->n_class_names && *yv == floor(*yv)))
            return field_error(c, col, "label '%s' has no class name", shorten(c->scratch, tmp));
        return CTUNE_OK;
    }
    size_t code;
    CTUNE_TRY(label_code(&c->lt, c->scratch, len, &code));
    *yv = (double)code;
    return CTUNE_OK;
}

/* The number cell [p, fe), its end known: the short-cell path (SSSE3 when
 * the processor has it) when 17 bytes can be read from p, else (or when
 * it declines) ctune__parse_number bounded by the cell's end. Every
 * number cell of a data row goes through it (the leading cells of an
 * indexed row through the same two steps in LEAD_CELLS). Returns 1 when
 * the cell is exactly a number (its value, strtod's, in *v), else 0 (the
 * caller reads the field: quotes, blanks, an empty cell, text). */
static inline int number_cell(const csv *c, const char *p, const char *fe, double *v)
{
    if (c->readable - p >= 17) {
#ifdef CTUNE__SHORT_CELL_SSSE3
        if (c->simd) {
            if (ctune__parse_short_cell_ssse3(p, fe, v))
                return 1;
        } else
#endif
            if (ctune__parse_short_cell(p, fe, v))
            return 1;
    }
    return ctune__parse_number(p, fe, v) == fe;
}

/* The first `lead` cells of a row at s, whose ends are s + pos[0 ..
 * lead), stored into x[0 .. lead) (doubles, or floats rounded from
 * them): the short path (17 bytes may be read from a cell's start when
 * its offset is short_lim or less), else ctune__parse_number bounded by
 * the cell's end. Returns the cells done; *off is the offset of the next
 * one. */
#define LEAD_CELLS(PARSE_SHORT, T)                                                   \
    size_t col = 0, o = 0;                                                           \
    for (; col < lead; col++) {                                                      \
        const char *q = s + o, *fe = s + pos[col];                                   \
        T *dst = (T *)x + col;                                                       \
        double tmp, *v = sizeof(T) == sizeof(double) ? (double *)(void *)dst : &tmp; \
        if (!((ptrdiff_t)o <= short_lim && PARSE_SHORT(q, fe, v)) &&                 \
            ctune__parse_number(q, fe, v) != fe)                                     \
            break; /* not exactly a number (an empty cell: NULL) */                  \
        if (sizeof(T) != sizeof(double))                                             \
            *dst = (T)*v;                                                            \
        o = pos[col] + 1;                                                            \
    }                                                                                \
    *off = o;                                                                        \
    return col

static size_t lead_cells(const char *s, const uint32_t *pos, size_t lead, ptrdiff_t short_lim,
                         void *x, size_t *off)
{
    LEAD_CELLS(ctune__parse_short_cell, double);
}

static size_t lead_cells_f32(const char *s, const uint32_t *pos, size_t lead, ptrdiff_t short_lim,
                             void *x, size_t *off)
{
    LEAD_CELLS(ctune__parse_short_cell, float);
}

#ifdef CTUNE__SHORT_CELL_SSSE3
__attribute__((target("ssse3"))) static size_t lead_cells_ssse3(const char *s, const uint32_t *pos,
                                                                size_t lead, ptrdiff_t short_lim,
                                                                void *x, size_t *off)
{
    LEAD_CELLS(ctune__parse_short_cell_ssse3, double);
}

__attribute__((target("ssse3"))) static size_t lead_cells_f32_ssse3(
    const char *s, const uint32_t *pos, size_t lead, ptrdiff_t short_lim, void *x, size_t *off)
{
    LEAD_CELLS(ctune__parse_short_cell_ssse3, float);
}
#endif

/* The leading cells of a row [s, e) without quotes, parsed from the
 * row's delimiter index (see ctune__csv_index): each cell's end is known
 * before it is parsed, so no cell waits for the previous one. Stores the
 * feature cells into the row (xd or xf) and a numeric target into *yv, and
 * returns the number of cells done: all of them (ncols) when the row is
 * complete, else the first cell it leaves to the general loop (a cell
 * that is not exactly a number, a text target, or a row with another
 * number of cells), whose start it puts in *p. */
static size_t indexed_cells(csv *c, const char **p, const char *e, double *xd, float *xf,
                            double *yv)
{
    const char *s = *p;
    const size_t nc = c->ncols;
    const uint32_t *pos = c->index;
    size_t nd;
#ifdef CTUNE__CSV_INDEX_POPCNT
    if (c->simd)
        nd = ctune__csv_index_popcnt(s, e, c->readable, c->o->delim, c->index, nc - 1);
    else
#endif
        nd = ctune__csv_index(s, e, c->readable, c->o->delim, c->index, nc - 1);
    if (nd != nc - 1)
        return 0;
    c->index[nc - 1] = (uint32_t)(e - s);
    /* the short path reads 17 bytes from a cell's start */
    const ptrdiff_t short_lim = (c->readable - s) - 17;
    size_t col = 0, off = 0; /* the cell's offset */
    /* A cell longer than a short decimal leaves the short path at once;
     * any text it does not take goes to ctune__parse_number, bounded by
     * the cell's end. The leading features (most often all of them) are
     * stored in order, without a role to look up. */
    if (c->n_lead) {
#ifdef CTUNE__SHORT_CELL_SSSE3
        if (c->simd)
            col = xd ? lead_cells_ssse3(s, pos, c->n_lead, short_lim, xd, &off)
                     : lead_cells_f32_ssse3(s, pos, c->n_lead, short_lim, xf, &off);
        else
#endif
            col = xd ? lead_cells(s, pos, c->n_lead, short_lim, xd, &off)
                     : lead_cells_f32(s, pos, c->n_lead, short_lim, xf, &off);
        if (col < c->n_lead)
            goto stop;
    }
    const int *role = c->role;
    const int num_target = c->label_mode == LABELS_NUMERIC && !c->o->n_class_names;
    for (; col < nc; col++) {
        const char *q = s + off, *fe = s + pos[col];
        int r = role[col];
        if (r >= 0 || (r == ROLE_TARGET && num_target)) {
            double v;
            if (!number_cell(c, q, fe, &v))
                goto stop;
            if (r < 0)
                *yv = v;
            else if (xf)
                xf[r] = (float)v;
            else
                xd[r] = v;
        } else if (r == ROLE_TARGET) {
            goto stop; /* a text label */
        }
        off = pos[col] + 1;
    }
    return col;
stop:
    *p = s + off;
    return col;
}

static ctune_status process_data(csv *c, const char *s, const char *e)
{
    if (c->rows == c->cap)
        CTUNE_TRY(grow_rows(c));
    const char d = c->o->delim;
    const int f32 = c->o->dtype == CTUNE_FLOAT32;
    float *xf = f32 ? (float *)c->X + c->rows * c->n_out : NULL;
    double *xd = f32 ? NULL : (double *)c->X + c->rows * c->n_out;
    double yv = 0;
    const char *p = s;
    size_t col = c->quoted ? 0 : indexed_cells(c, &p, e, xd, xf, &yv);
    if (col == c->ncols)
        goto row_done;
    for (;;) { /* the general loop, for the rest of the row */
        const char *fend;
        size_t len;
        if (col >= c->ncols)
            return ragged(c, count_fields(c, s, e));
        int role = c->role[col];
        /* the cell's end when it holds no quoted delimiter (a quoted
         * cell is not a number: read_field finds its end) */
        const char *fe = ctune__csv_next_delim(p, e, c->readable, d);
        if (role >= 0) {
            double v;
            if (number_cell(c, p, fe, &v)) {
                fend = fe;
            } else {
                CTUNE_TRY(read_field(c, p, e, col, &fend, &len));
                if (len == 0) {
                    if (!c->o->missing_nan)
                        return field_error(c, col, "empty field is not a number");
                    v = NAN;
                } else if (!ctune__parse_number_full(c->scratch, len, &v)) {
                    char tmp[48];
                    return field_error(c, col, "'%s' is not a number", shorten(c->scratch, tmp));
                }
            }
            if (f32)
                xf[role] = (float)v;
            else
                xd[role] = v;
        } else if (role == ROLE_TARGET) {
            if (c->label_mode == LABELS_NUMERIC && !c->o->n_class_names &&
                number_cell(c, p, fe, &yv)) {
                fend = fe;
            } else {
                CTUNE_TRY(read_field(c, p, e, col, &fend, &len));
                CTUNE_TRY(store_label(c, col, len, &yv));
            }
        } else if (p < e && (*p == '"' || is_blank(*p, d))) {
            CTUNE_TRY(read_field(c, p, e, col, &fend, &len));
        } else {
            fend = fe;
        }
        col++;
        if (fend >= e)
            break;
        p = fend + 1;
    }
    if (col != c->ncols)
        return ragged(c, col);
row_done:
    if (c->has_target)
        c->y[c->rows] = yv;
    c->rows++;
    return CTUNE_OK;
}

typedef struct fields {
    char **v;
    size_t n, cap;
} fields;

static void fields_free(fields *f)
{
    for (size_t i = 0; i < f->n; i++)
        ctune__free(f->v[i]);
    ctune__free(f->v);
}

static ctune_status split_record(csv *c, const char *s, const char *e, fields *out)
{
    const char *p = s, *f;
    size_t len;
    for (;;) {
        CTUNE_TRY(read_field(c, p, e, out->n, &f, &len));
        if (out->n == out->cap) {
            size_t cap = out->cap ? out->cap * 2 : 16;
            char **v = ctune__realloc(out->v, cap * sizeof *v);
            if (!v)
                return CTUNE_ENOMEM;
            out->v = v;
            out->cap = cap;
        }
        out->v[out->n] = ctune__strndup(c->scratch, len);
        if (!out->v[out->n])
            return CTUNE_ENOMEM;
        out->n++;
        if (f >= e)
            return CTUNE_OK;
        p = f + 1;
    }
}

static void column_list(const fields *f, char *buf, size_t cap)
{
    size_t len = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < f->n; i++) {
        size_t need = strlen(f->v[i]) + 2;
        if (len + need + 4 >= cap) {
            snprintf(buf + len, cap - len, "%s...", len ? ", " : "");
            return;
        }
        len += (size_t)snprintf(buf + len, cap - len, "%s%s", len ? ", " : "", f->v[i]);
    }
}

/* Column of `tok`: a header name, else an integer index (negative from the
 * end); -1 when neither. */
static long find_column(const csv *c, const fields *names, const char *tok)
{
    if (names)
        for (size_t i = 0; i < names->n; i++)
            if (!strcmp(names->v[i], tok))
                return (long)i;
    char *end;
    errno = 0;
    long k = strtol(tok, &end, 10);
    if (end == tok || *end || errno)
        return -1;
    if (k < 0)
        k += (long)c->ncols;
    return k >= 0 && (size_t)k < c->ncols ? k : -1;
}

static int is_integer_text(const char *s)
{
    char *end;
    errno = 0;
    (void)strtol(s, &end, 10);
    return end != s && !*end && !errno;
}

/* The target column named `o->target_name` in the header `names`. */
static ctune_status find_target_by_name(csv *c, const fields *names)
{
    const ctune__csv_opts *o = c->o;
    if (!names)
        return ctune_set_error(CTUNE_EINVAL,
                               "%s: target '%s' is a column name, but the file has no header row",
                               c->src, o->target_name);
    long k = -1;
    for (size_t i = 0; i < names->n; i++)
        if (!strcmp(names->v[i], o->target_name)) {
            if (k >= 0)
                return ctune_set_error(CTUNE_EFORMAT,
                                       "%s: line %zu: target '%s' is ambiguous: columns %ld "
                                       "and %zu both have that name",
                                       c->src, c->first_line, o->target_name, k + 1, i + 1);
            k = (long)i;
        }
    if (k < 0) {
        char cols[600];
        column_list(names, cols, sizeof cols);
        return ctune_set_error(CTUNE_EINVAL,
                               "%s: line %zu: no target column named '%s'; columns: %s", c->src,
                               c->first_line, o->target_name, cols);
    }
    c->target_col = (size_t)k;
    return CTUNE_OK;
}

/* Sets has_target and target_col from the target option. */
static ctune_status plan_target(csv *c, const fields *names)
{
    const ctune__csv_opts *o = c->o;
    c->has_target = o->target != CSV_TARGET_NONE;
    if (o->target == CSV_TARGET_LAST) {
        c->target_col = c->ncols - 1;
    } else if (o->target == CSV_TARGET_INDEX) {
        long k = o->target_index < 0 ? o->target_index + (long)c->ncols : o->target_index;
        if (k < 0 || (size_t)k >= c->ncols)
            return ctune_set_error(CTUNE_EINVAL,
                                   "%s: line %zu: target index %ld is out of range for %zu columns "
                                   "(0..%zu, or -%zu..-1 from the end)",
                                   c->src, c->first_line, o->target_index, c->ncols, c->ncols - 1,
                                   c->ncols);
        c->target_col = (size_t)k;
    } else if (o->target == CSV_TARGET_NAME) {
        return find_target_by_name(c, names);
    }
    return CTUNE_OK;
}

/* The column of the selected feature `tok` (feature j), checked: known,
 * unambiguous, not the target, not selected before. */
static ctune_status select_feature(csv *c, const fields *names, const char *tok, size_t j)
{
    long k = find_column(c, names, tok);
    if (k < 0) {
        if (!names && !is_integer_text(tok))
            return ctune_set_error(CTUNE_EINVAL,
                                   "%s: feature '%s' is a column name, but the file has no "
                                   "header row",
                                   c->src, tok);
        char cols[600] = "";
        if (names)
            column_list(names, cols, sizeof cols);
        return ctune_set_error(CTUNE_EINVAL, "%s: line %zu: unknown feature column '%s'%s%s",
                               c->src, c->first_line, tok, names ? "; columns: " : "",
                               names ? cols : " (index out of range)");
    }
    for (size_t i = (size_t)k + 1; names && i < names->n; i++)
        if (!strcmp(names->v[i], tok))
            return ctune_set_error(CTUNE_EFORMAT,
                                   "%s: line %zu: feature '%s' is ambiguous: columns %ld "
                                   "and %zu both have that name",
                                   c->src, c->first_line, tok, k + 1, i + 1);
    if (c->has_target && (size_t)k == c->target_col)
        return ctune_set_error(CTUNE_EINVAL, "%s: feature '%s' is the target column", c->src, tok);
    if (c->role[k] >= 0)
        return ctune_set_error(CTUNE_EINVAL, "%s: feature '%s' is selected twice", c->src, tok);
    c->role[k] = (int)j;
    return CTUNE_OK;
}

/* Feature roles: the selected columns in the order given, else every
 * column but the target. */
static ctune_status plan_features(csv *c, const fields *names)
{
    const ctune__csv_opts *o = c->o;
    if (o->features) {
        for (size_t j = 0; j < o->n_features; j++)
            CTUNE_TRY(select_feature(c, names, o->features[j], j));
        c->n_out = o->n_features;
        return CTUNE_OK;
    }
    size_t j = 0;
    for (size_t i = 0; i < c->ncols; i++)
        if (!c->has_target || i != c->target_col)
            c->role[i] = (int)j++;
    c->n_out = j;
    return CTUNE_OK;
}

/* The header's names of the feature columns, by feature index. */
static ctune_status keep_feature_names(csv *c, const fields *names)
{
    c->feature_names = ctune__calloc(c->n_out, sizeof *c->feature_names);
    if (!c->feature_names)
        return CTUNE_ENOMEM;
    for (size_t i = 0; i < c->ncols; i++)
        if (c->role[i] >= 0) {
            c->feature_names[c->role[i]] = ctune__strdup(names->v[i]);
            if (!c->feature_names[c->role[i]])
                return CTUNE_ENOMEM;
        }
    return CTUNE_OK;
}

/* Assigns column roles; `names` is the header or NULL. */
static ctune_status plan_columns(csv *c, const fields *names)
{
    for (size_t i = 0; i < c->ncols; i++)
        c->role[i] = ROLE_SKIP;
    CTUNE_TRY(plan_target(c, names));
    CTUNE_TRY(plan_features(c, names));
    if (c->has_target)
        c->role[c->target_col] = ROLE_TARGET;
    if (c->n_out == 0)
        return ctune_set_error(CTUNE_EFORMAT,
                               "%s: line %zu: no feature columns (the row has %zu field%s)", c->src,
                               c->first_line, c->ncols, c->ncols == 1 ? "" : "s");
    if (c->n_out > (size_t)INT32_MAX)
        return ctune_set_error(CTUNE_EFORMAT, "%s: too many columns", c->src);
    c->label_mode = !c->has_target                       ? LABELS_NUMERIC
                    : c->o->n_class_names                ? LABELS_NUMERIC
                    : c->o->labels == CSV_LABELS_NUMERIC ? LABELS_NUMERIC
                    : c->o->labels == CSV_LABELS_STRING  ? LABELS_STRING
                                                         : LABELS_UNDECIDED;
    return names ? keep_feature_names(c, names) : CTUNE_OK;
}

static int field_is_number(const char *s)
{
    double v;
    return *s && ctune__parse_number_full(s, strlen(s), &v);
}

/* Is `s` the decimal text of `i` ("0", "1", ...)? */
static int is_index_text(const char *s, size_t i)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%zu", i);
    return !strcmp(s, buf);
}

/* Decides whether the first row `f` is a header; *defer asks for the next
 * row's target cell before deciding. */
static ctune_status decide_header(csv *c, const fields *f, int *header, int *defer)
{
    *defer = 0;
    const ctune__csv_opts *o = c->o;
    if (o->header != CSV_HEADER_AUTO) {
        *header = o->header == CSV_HEADER_YES;
        return CTUNE_OK;
    }
    if (o->target == CSV_TARGET_NAME) {
        *header = 1;
        return CTUNE_OK;
    }
    for (size_t j = 0; j < o->n_features; j++)
        if (!is_integer_text(o->features[j])) {
            *header = 1;
            return CTUNE_OK;
        }
    /* Index-only plan: the row is a header when a feature field, or a
     * numeric target field, is not a number; or when its cells are the
     * column indices 0, 1, 2, ... (with any target name), as pandas writes
     * the header of unnamed columns. */
    CTUNE_TRY(plan_columns(c, NULL));
    *header = 0;
    *defer = 0;
    for (size_t i = 0; i < c->ncols && !*header; i++) {
        int numeric = field_is_number(f->v[i]) || (!f->v[i][0] && o->missing_nan);
        if (c->role[i] >= 0 || (c->role[i] == ROLE_TARGET && o->labels == CSV_LABELS_NUMERIC))
            *header = !numeric;
    }
    if (!*header && c->n_out >= 2) {
        int indices = 1;
        for (size_t i = 0, j = 0; i < c->ncols && indices; i++) {
            if (c->has_target && i == c->target_col) {
                indices = !field_is_number(f->v[i]) || is_index_text(f->v[i], i);
                continue;
            }
            indices = is_index_text(f->v[i], i) || is_index_text(f->v[i], j);
            j++;
        }
        *header = indices;
    }
    /* A text target cell over numeric features: a header when the column's
     * data is numeric, a class label otherwise; the next row decides. */
    if (!*header && c->has_target && o->labels == CSV_LABELS_AUTO && !o->n_class_names &&
        f->v[c->target_col][0] && !field_is_number(f->v[c->target_col]))
        *defer = 1;
    for (size_t j = 0; c->feature_names && j < c->n_out; j++)
        ctune__free(c->feature_names[j]);
    ctune__free(c->feature_names);
    c->feature_names = NULL;
    return CTUNE_OK;
}

/* Plans the columns from the first row [s, e), a header or not, and reads
 * it as data when it is not a header. */
static ctune_status commit_first(csv *c, const char *s, const char *e, int header)
{
    fields f = {0};
    ctune_status rc = header ? split_record(c, s, e, &f) : CTUNE_OK;
    if (rc == CTUNE_OK)
        rc = plan_columns(c, header ? &f : NULL);
    fields_free(&f);
    if (rc != CTUNE_OK)
        return rc;
    c->planned = 1;
    c->have_header = header;
    for (c->n_lead = 0; c->n_lead < c->ncols && c->role[c->n_lead] == (int)c->n_lead;)
        c->n_lead++;
    if (header) {
        c->data_start = c->offset + (size_t)(e - s) + 1;
        return CTUNE_OK;
    }
    c->data_start = c->offset;
    return process_data(c, s, e);
}

/* Settles a deferred first row: it is a header when the target cell of the
 * second row [s, e) (or nothing, at the end of the input) is a number. */
static ctune_status resolve_pending(csv *c, const char *s, const char *e)
{
    int header = 0;
    if (s) {
        fields g = {0};
        ctune_status rc = split_record(c, s, e, &g);
        header = rc == CTUNE_OK && g.n == c->ncols && field_is_number(g.v[c->target_col]);
        fields_free(&g);
        if (rc != CTUNE_OK)
            return rc;
    }
    char *p = c->pending;
    size_t line = c->line, offset = c->offset;
    const char *readable = c->readable;
    int quoted = c->quoted;
    c->pending = NULL;
    c->line = c->pending_line;
    c->offset = c->pending_offset;
    c->readable = p + c->pending_len;
    c->quoted = memchr(p, '"', c->pending_len) != NULL;
    ctune_status rc = commit_first(c, p, p + c->pending_len, header);
    c->line = line;
    c->offset = offset;
    c->readable = readable;
    c->quoted = quoted;
    ctune__free(p);
    if (rc != CTUNE_OK || !s)
        return rc;
    if (header)
        c->data_start = c->offset;
    return process_data(c, s, e);
}

static ctune_status process_first(csv *c, const char *s, const char *e)
{
    if (c->pending)
        return resolve_pending(c, s, e);
    fields f = {0};
    ctune_status rc = split_record(c, s, e, &f);
    if (rc == CTUNE_OK) {
        c->ncols = f.n;
        c->first_line = c->line;
        c->role = CTUNE_NEW_ARRAY(int, f.n);
        c->index = CTUNE_NEW_ARRAY(uint32_t, f.n + 32);
        rc = c->role && c->index ? CTUNE_OK : CTUNE_ENOMEM;
    }
    int header = 0, defer = 0;
    if (rc == CTUNE_OK)
        rc = decide_header(c, &f, &header, &defer);
    fields_free(&f);
    if (rc != CTUNE_OK)
        return rc;
    if (defer) {
        c->pending = ctune__strndup(s, (size_t)(e - s));
        if (!c->pending)
            return CTUNE_ENOMEM;
        c->pending_len = (size_t)(e - s);
        c->pending_line = c->line;
        c->pending_offset = c->offset;
        return CTUNE_OK;
    }
    return commit_first(c, s, e, header);
}

static ctune_status process_record(csv *c, const char *s, const char *e)
{
    const char *p = s;
    while (p < e && (*p == ' ' || *p == '\t' || *p == '\r'))
        p++;
    if (p == e)
        return CTUNE_OK; /* blank line */
    if (c->o->comment && *p == c->o->comment)
        return CTUNE_OK;
    if (!c->planned)
        return process_first(c, s, e);
    return process_data(c, s, e);
}

/* Processes the complete records of [buf, buf + len). Without at_eof, a
 * record without its newline is left for the next call; *used is what was
 * consumed. */
static ctune_status feed(csv *c, const char *buf, size_t len, int at_eof, size_t *used)
{
    const char *p = buf, *end = buf + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *rec_end = nl;
        size_t inner_lines = 0;
        c->readable = end;
        c->quoted = memchr(p, '"', (size_t)((nl ? nl : end) - p)) != NULL;
        if (c->quoted) {
            /* quote-aware: a newline inside quotes belongs to the field */
            int inq = 0;
            const char *q = p;
            rec_end = NULL;
            for (; q < end; q++) {
                if (*q == '"') {
                    inq = !inq;
                } else if (*q == '\n') {
                    if (!inq) {
                        rec_end = q;
                        break;
                    }
                    inner_lines++;
                }
            }
            if (!rec_end && at_eof && inq)
                return ctune_set_error(CTUNE_EFORMAT,
                                       "%s: line %zu: unterminated quoted field (the quote runs to "
                                       "the end of the input)",
                                       c->src, c->line);
        }
        if (!rec_end) {
            if (!at_eof)
                break;
            rec_end = end;
        }
        const char *re = rec_end;
        if (re > p && re[-1] == '\r')
            re--;
        c->offset = c->base + (size_t)(p - buf);
        CTUNE_TRY(process_record(c, p, re));
        c->line += 1 + inner_lines;
        p = rec_end < end ? rec_end + 1 : end;
    }
    *used = (size_t)(p - buf);
    return CTUNE_OK;
}

/* ---- result ------------------------------------------------------------ */

typedef struct csv_owned {
    void *X;
    double *y;
    char **feature_names;
    size_t n_features;
    char **class_names;
    size_t n_classes;
} csv_owned;

static void free_names(char **v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        ctune__free(v[i]);
    ctune__free(v);
}

static void release_owned(void *ctx)
{
    csv_owned *w = ctx;
    ctune__free(w->X);
    ctune__free(w->y);
    free_names(w->feature_names, w->n_features);
    free_names(w->class_names, w->n_classes);
    ctune__free(w);
}

static void csv_free(csv *c)
{
    ctune__free(c->role);
    ctune__free(c->index);
    free_names(c->feature_names, c->n_out);
    ctune__free(c->X);
    ctune__free(c->y);
    labels_free(&c->lt);
    ctune__free(c->scratch);
    ctune__free(c->pending);
}

static ctune_status finish(csv *c, ctune_data **out)
{
    if (c->pending)
        CTUNE_TRY(resolve_pending(c, NULL, NULL));
    if (!c->planned)
        return ctune_set_error(CTUNE_EFORMAT,
                               "%s: empty input (no header and no data; blank and comment lines "
                               "only)",
                               c->src);
    if (c->rows == 0)
        return ctune_set_error(CTUNE_EFORMAT, "%s: no data rows after the header on line %zu",
                               c->src, c->first_line);
    if (c->label_mode == LABELS_STRING)
        CTUNE_TRY(labels_sort(c));
    csv_owned *w = ctune__calloc(1, sizeof *w);
    if (!w)
        return CTUNE_ENOMEM;
    /* Shrink to fit (a failure keeps the larger block). */
    size_t es = elem_size(c);
    void *X = ctune__realloc(c->X, c->rows * c->n_out * es);
    if (X)
        c->X = X;
    if (c->y) {
        double *y = ctune__realloc(c->y, c->rows * sizeof *y);
        if (y)
            c->y = y;
    }
    ctune_clear_error();
    w->X = c->X;
    w->y = c->y;
    w->feature_names = c->feature_names;
    w->n_features = c->n_out;
    if (c->label_mode == LABELS_STRING) {
        w->class_names = c->lt.names;
        w->n_classes = c->lt.n;
        c->lt.names = NULL;
        c->lt.n = 0;
    }
    c->X = NULL;
    c->y = NULL;
    c->feature_names = NULL;

    ctune__storage init = {0};
    init.X = w->X;
    init.dtype = c->o->dtype;
    init.n_rows = c->rows;
    init.n_cols = c->n_out;
    init.stride = c->n_out;
    init.y = c->has_target ? w->y : NULL;
    init.n_targets = c->has_target ? 1 : 0;
    init.release = release_owned;
    init.release_ctx = w;
    init.feature_names = (const char *const *)w->feature_names;
    if (w->class_names) {
        init.class_names = (const char *const *)w->class_names;
        init.n_class_names = w->n_classes;
    } else if (c->o->n_class_names) {
        init.class_names = c->o->class_names;
        init.n_class_names = c->o->n_class_names;
    }
    return ctune__data_new_storage(out, &init);
}

static void csv_init(csv *c, const ctune__csv_opts *o, const char *src, size_t total)
{
    memset(c, 0, sizeof *c);
    c->o = o;
    c->src = src;
    c->line = 1;
    c->total_bytes = total;
#ifdef CTUNE__SHORT_CELL_SSSE3
    /* flags set once by a constructor: no race */
    c->simd = __builtin_cpu_supports("ssse3") && __builtin_cpu_supports("popcnt") ? 1 : 0;
#endif
}

static size_t bom_len(const char *buf, size_t len)
{
    return len >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3) ? 3 : 0;
}

ctune_status ctune__csv_load_mem(ctune_data **out, const char *buf, size_t len,
                                 const ctune__csv_opts *o, const char *src)
{
    csv c;
    csv_init(&c, o, src, len);
    size_t skip = bom_len(buf, len), used;
    c.base = skip;
    ctune_status rc = feed(&c, buf + skip, len - skip, 1, &used);
    if (rc == CTUNE_OK)
        rc = finish(&c, out);
    csv_free(&c);
    return rc;
}

/* ---- public entry points ----------------------------------------------- */

ctune_status ctune_csv_load_buffer(ctune_data **out, const char *buf, size_t len,
                                   const char *options)
{
    CTUNE_CHECK_NULL(out, "out");
    *out = NULL;
    if (!buf && len)
        return ctune_set_error(CTUNE_EINVAL, "ctune_csv_load_buffer: buf is NULL");
    ctune__csv_opts o;
    CTUNE_TRY(ctune__csv_opts_parse(&o, options, CSV_KEY_ALL, "CSV options"));
    ctune_status rc = ctune__csv_load_mem(out, buf ? buf : "", len, &o, "CSV buffer");
    ctune__csv_opts_free(&o);
    return rc;
}

static ctune_status io_error(const char *what, const char *path, int err)
{
    char msg[256];
    if (strerror_r(err, msg, sizeof msg) != 0)
        msg[0] = '\0';
    return ctune_set_error(CTUNE_EIO, "%s '%s': %s", what, path, msg[0] ? msg : "I/O error");
}

static ctune_status load_fd(csv *c, int fd, const char *path)
{
    size_t cap = CSV_BUFFER_SIZE, have = 0;
    char *buf = ctune__malloc(cap);
    if (!buf)
        return CTUNE_ENOMEM;
    int eof = 0, first = 1;
    ctune_status rc = CTUNE_OK;
    while (rc == CTUNE_OK) {
        while (!eof && have < cap) {
            ssize_t n = read(fd, buf + have, cap - have);
            if (n < 0) {
                if (errno == EINTR)
                    continue;
                rc = io_error("cannot read", path, errno);
                break;
            }
            if (n == 0)
                eof = 1;
            have += (size_t)n;
        }
        if (rc != CTUNE_OK)
            break;
        size_t skip = 0, used = 0;
        if (first) {
            skip = bom_len(buf, have);
            c->base = skip;
            first = 0;
        }
        rc = feed(c, buf + skip, have - skip, eof, &used);
        if (rc != CTUNE_OK || eof)
            break;
        size_t rest = have - skip - used;
        memmove(buf, buf + skip + used, rest);
        c->base += used;
        have = rest;
        if (have == cap) {
            if (cap >= CSV_MAX_RECORD) {
                rc = ctune_set_error(CTUNE_EFORMAT,
                                     "%s: line %zu: record longer than %zu MiB (an unterminated "
                                     "quote?)",
                                     c->src, c->line, CSV_MAX_RECORD >> 20);
                break;
            }
            char *nb = ctune__realloc(buf, cap * 2);
            if (!nb) {
                rc = CTUNE_ENOMEM;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    ctune__free(buf);
    return rc;
}

ctune_status ctune_csv_load(ctune_data **out, const char *path, const char *options)
{
    CTUNE_CHECK_NULL(out, "out");
    *out = NULL;
    CTUNE_CHECK_NULL(path, "path");
    ctune__csv_opts o;
    CTUNE_TRY(ctune__csv_opts_parse(&o, options, CSV_KEY_ALL, "CSV options"));
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        ctune__csv_opts_free(&o);
        return io_error("cannot open CSV file", path, errno);
    }
    struct stat sb;
    size_t total = fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) ? (size_t)sb.st_size : 0;
    csv c;
    csv_init(&c, &o, path, total);
    ctune_status rc = load_fd(&c, fd, path);
    close(fd);
    if (rc == CTUNE_OK)
        rc = finish(&c, out);
    csv_free(&c);
    ctune__csv_opts_free(&o);
    return rc;
}
