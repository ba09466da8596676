/* Parameter spaces (lists of values and distributions), the sampler
 * (scikit-learn's ParameterSampler) and the grid (ParameterGrid). */
#include "model_selection/space.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/rng.h"
#include "model_selection/strbuf.h"

/* ---- entries ---------------------------------------------------------------- */

void ctune__space_entry_clear(ctune__space_entry *e)
{
    ctune__free(e->name);
    for (size_t i = 0; i < e->n_values; i++)
        if (e->values[i].type == CTUNE_TYPE_STRING)
            ctune__free(e->values[i].s);
    ctune__free(e->values);
    memset(e, 0, sizeof *e);
}

ctune_status ctune_space_new(ctune_space **out)
{
    CTUNE_CHECK_NULL(out, "out");
    *out = ctune__calloc(1, sizeof **out);
    return *out ? CTUNE_OK : CTUNE_ENOMEM;
}

void ctune_space_free(ctune_space *sp)
{
    if (!sp)
        return;
    for (size_t i = 0; i < sp->n; i++)
        ctune__space_entry_clear(&sp->e[i]);
    ctune__free(sp->e);
    ctune__free(sp);
}

static long find_entry(const ctune_space *sp, const char *name, size_t *pos)
{
    size_t lo = 0, hi = sp->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(sp->e[mid].name, name);
        if (c == 0) {
            *pos = mid;
            return (long)mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *pos = lo;
    return -1;
}

ctune_status ctune__space_insert(ctune_space *sp, ctune__space_entry *e)
{
    size_t pos;
    if (find_entry(sp, e->name, &pos) >= 0) {
        ctune_set_error(CTUNE_EINVAL, "space: duplicate parameter '%s'", e->name);
        ctune__space_entry_clear(e);
        return CTUNE_EINVAL;
    }
    if (sp->n == sp->cap) {
        size_t nc = sp->cap ? sp->cap * 2 : 8;
        ctune__space_entry *ne = ctune__realloc(sp->e, nc * sizeof *ne);
        if (!ne) {
            ctune__space_entry_clear(e);
            return CTUNE_ENOMEM;
        }
        sp->e = ne;
        sp->cap = nc;
    }
    memmove(sp->e + pos + 1, sp->e + pos, (sp->n - pos) * sizeof *sp->e);
    sp->e[pos] = *e;
    sp->n++;
    memset(e, 0, sizeof *e);
    return CTUNE_OK;
}

static int valid_name(const char *s)
{
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_'))
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_'))
            return 0;
    return 1;
}

/* Starts an entry: checks sp and name, copies the name. */
static ctune_status begin_entry(const char *who, ctune_space *sp, const char *name,
                                ctune__space_entry *e)
{
    memset(e, 0, sizeof *e);
    if (!sp)
        return ctune_set_error(CTUNE_EINVAL, "%s: space is NULL", who);
    if (!name)
        return ctune_set_error(CTUNE_EINVAL, "%s: name is NULL", who);
    if (!valid_name(name))
        return ctune_set_error(CTUNE_EINVAL, "%s: invalid parameter name '%s'", who, name);
    size_t pos;
    if (find_entry(sp, name, &pos) >= 0)
        return ctune_set_error(CTUNE_EINVAL, "%s: duplicate parameter '%s'", who, name);
    e->name = ctune__strdup(name);
    return e->name ? CTUNE_OK : CTUNE_ENOMEM;
}

static ctune_status begin_list(const char *who, ctune_space *sp, const char *name,
                               const void *values, size_t n, ctune__space_entry *e)
{
    memset(e, 0, sizeof *e);
    if (sp && name && n == 0)
        return ctune_set_error(CTUNE_EINVAL, "%s: parameter '%s' has an empty list of values", who,
                               name);
    if (!values && sp && name)
        return ctune_set_error(CTUNE_EINVAL, "%s: values is NULL", who);
    if (n > SIZE_MAX / sizeof *e->values)
        return ctune_set_error(CTUNE_EINVAL, "%s: %zu values for '%s' cannot be addressed", who, n,
                               name ? name : "(null)");
    CTUNE_TRY(begin_entry(who, sp, name, e));
    e->kind = CTUNE__DIST_LIST;
    e->values = ctune__calloc(n, sizeof *e->values);
    if (!e->values) {
        ctune__space_entry_clear(e);
        return CTUNE_ENOMEM;
    }
    e->n_values = n;
    return CTUNE_OK;
}

ctune_status ctune_space_add_ints(ctune_space *sp, const char *name, const int64_t *values,
                                  size_t n)
{
    ctune__space_entry e;
    CTUNE_TRY(begin_list("ctune_space_add_ints", sp, name, values, n, &e));
    for (size_t i = 0; i < n; i++) {
        e.values[i].type = CTUNE_TYPE_INT;
        e.values[i].i = values[i];
    }
    return ctune__space_insert(sp, &e);
}

ctune_status ctune_space_add_doubles(ctune_space *sp, const char *name, const double *values,
                                     size_t n)
{
    ctune__space_entry e;
    CTUNE_TRY(begin_list("ctune_space_add_doubles", sp, name, values, n, &e));
    for (size_t i = 0; i < n; i++) {
        if (isnan(values[i])) {
            ctune__space_entry_clear(&e);
            return ctune_set_error(CTUNE_EINVAL,
                                   "ctune_space_add_doubles: value %zu of '%s' is "
                                   "NaN",
                                   i, name);
        }
        e.values[i].type = CTUNE_TYPE_DOUBLE;
        e.values[i].d = values[i];
    }
    return ctune__space_insert(sp, &e);
}

ctune_status ctune_space_add_bools(ctune_space *sp, const char *name, const int *values, size_t n)
{
    ctune__space_entry e;
    CTUNE_TRY(begin_list("ctune_space_add_bools", sp, name, values, n, &e));
    for (size_t i = 0; i < n; i++) {
        e.values[i].type = CTUNE_TYPE_BOOL;
        e.values[i].i = values[i] != 0;
    }
    return ctune__space_insert(sp, &e);
}

ctune_status ctune_space_add_strings(ctune_space *sp, const char *name, const char *const *values,
                                     size_t n)
{
    ctune__space_entry e;
    CTUNE_TRY(begin_list("ctune_space_add_strings", sp, name, values, n, &e));
    for (size_t i = 0; i < n; i++) {
        if (!values[i]) {
            ctune__space_entry_clear(&e);
            return ctune_set_error(CTUNE_EINVAL,
                                   "ctune_space_add_strings: value %zu of '%s' is "
                                   "NULL",
                                   i, name);
        }
        e.values[i].type = CTUNE_TYPE_STRING;
        e.values[i].s = ctune__strdup(values[i]);
        if (!e.values[i].s) {
            e.values[i].type = CTUNE_TYPE_NONE;
            ctune__space_entry_clear(&e);
            return CTUNE_ENOMEM;
        }
    }
    return ctune__space_insert(sp, &e);
}

ctune_status ctune_space_add_texts(ctune_space *sp, const char *name, const char *const *values,
                                   size_t n)
{
    ctune__space_entry e;
    CTUNE_TRY(begin_list("ctune_space_add_texts", sp, name, values, n, &e));
    ctune_params *tmp;
    ctune_status rc = ctune_params_new(&tmp);
    for (size_t i = 0; i < n && rc == CTUNE_OK; i++) {
        if (!values[i]) {
            rc = ctune_set_error(CTUNE_EINVAL, "ctune_space_add_texts: value %zu of '%s' is NULL",
                                 i, name);
            break;
        }
        rc = ctune_params_set_text(tmp, "v", values[i]);
        ctune__value *v = &e.values[i];
        v->type = CTUNE_TYPE_NONE;
        if (rc != CTUNE_OK)
            break;
        int t = ctune_params_type(tmp, "v");
        switch (t) {
        case CTUNE_TYPE_INT: rc = ctune_params_get_int(&v->i, tmp, "v"); break;
        case CTUNE_TYPE_DOUBLE: rc = ctune_params_get_double(&v->d, tmp, "v"); break;
        case CTUNE_TYPE_BOOL: {
            int b = 0;
            rc = ctune_params_get_bool(&b, tmp, "v");
            v->i = b;
            break;
        }
        case CTUNE_TYPE_STRING: {
            const char *s = NULL;
            rc = ctune_params_get_string(&s, tmp, "v");
            if (rc == CTUNE_OK) {
                v->s = ctune__strdup(s);
                rc = v->s ? CTUNE_OK : CTUNE_ENOMEM;
            }
            break;
        }
        default: break;
        }
        if (rc == CTUNE_OK)
            v->type = t;
    }
    ctune_params_free(tmp);
    if (rc != CTUNE_OK) {
        ctune__space_entry_clear(&e);
        return rc;
    }
    return ctune__space_insert(sp, &e);
}

ctune_status ctune_space_add_uniform(ctune_space *sp, const char *name, double lo, double hi)
{
    if (!(isfinite(lo) && isfinite(hi) && lo < hi))
        return ctune_set_error(CTUNE_EINVAL, "uniform(%g, %g) for '%s': needs finite lo < hi", lo,
                               hi, name ? name : "(null)");
    ctune__space_entry e;
    CTUNE_TRY(begin_entry("ctune_space_add_uniform", sp, name, &e));
    e.kind = CTUNE__DIST_UNIFORM;
    e.lo = lo;
    e.hi = hi;
    return ctune__space_insert(sp, &e);
}

ctune_status ctune_space_add_loguniform(ctune_space *sp, const char *name, double lo, double hi)
{
    if (!(isfinite(lo) && isfinite(hi) && lo > 0 && lo < hi))
        return ctune_set_error(CTUNE_EINVAL,
                               "loguniform(%g, %g) for '%s': needs finite "
                               "0 < lo < hi",
                               lo, hi, name ? name : "(null)");
    ctune__space_entry e;
    CTUNE_TRY(begin_entry("ctune_space_add_loguniform", sp, name, &e));
    e.kind = CTUNE__DIST_LOGUNIFORM;
    e.lo = lo;
    e.hi = hi;
    return ctune__space_insert(sp, &e);
}

ctune_status ctune_space_add_randint(ctune_space *sp, const char *name, int64_t lo, int64_t hi)
{
    if (!(lo < hi))
        return ctune_set_error(CTUNE_EINVAL,
                               "randint(%lld, %lld) for '%s': needs lo < hi (hi is "
                               "excluded)",
                               (long long)lo, (long long)hi, name ? name : "(null)");
    ctune__space_entry e;
    CTUNE_TRY(begin_entry("ctune_space_add_randint", sp, name, &e));
    e.kind = CTUNE__DIST_RANDINT;
    e.ilo = lo;
    e.ihi = hi;
    return ctune__space_insert(sp, &e);
}

static ctune_status entry_copy(ctune__space_entry *dst, const ctune__space_entry *src)
{
    *dst = *src;
    dst->name = NULL;
    dst->values = NULL;
    dst->n_values = 0;
    dst->name = ctune__strdup(src->name);
    if (!dst->name)
        return CTUNE_ENOMEM;
    if (src->kind != CTUNE__DIST_LIST)
        return CTUNE_OK;
    dst->values = ctune__calloc(src->n_values, sizeof *dst->values);
    if (!dst->values)
        return CTUNE_ENOMEM;
    for (size_t i = 0; i < src->n_values; i++) {
        dst->values[i] = src->values[i];
        if (src->values[i].type == CTUNE_TYPE_STRING) {
            dst->values[i].s = ctune__strdup(src->values[i].s);
            if (!dst->values[i].s) {
                dst->values[i].type = CTUNE_TYPE_NONE;
                dst->n_values = i;
                return CTUNE_ENOMEM;
            }
        }
        dst->n_values = i + 1;
    }
    return CTUNE_OK;
}

ctune_status ctune_space_copy(ctune_space **out, const ctune_space *src)
{
    CTUNE_CHECK_NULL(out, "out");
    *out = NULL;
    CTUNE_CHECK_NULL(src, "space");
    ctune_space *sp;
    CTUNE_TRY(ctune_space_new(&sp));
    if (src->n) {
        sp->e = ctune__calloc(src->n, sizeof *sp->e);
        if (!sp->e) {
            ctune__free(sp);
            return CTUNE_ENOMEM;
        }
        sp->cap = src->n;
    }
    for (size_t i = 0; i < src->n; i++) {
        ctune_status rc = entry_copy(&sp->e[i], &src->e[i]);
        sp->n = i + 1;
        if (rc != CTUNE_OK) {
            ctune_space_free(sp);
            return rc;
        }
    }
    *out = sp;
    return CTUNE_OK;
}

size_t ctune_space_count(const ctune_space *sp) { return sp ? sp->n : 0; }

const char *ctune_space_name(const ctune_space *sp, size_t i)
{
    return sp && i < sp->n ? sp->e[i].name : NULL;
}

ctune_status ctune__space_grid_size(const ctune_space *sp, uint64_t *out)
{
    uint64_t g = 1;
    for (size_t i = 0; i < sp->n; i++) {
        const ctune__space_entry *e = &sp->e[i];
        if (e->kind != CTUNE__DIST_LIST)
            return ctune_set_error(CTUNE_EINVAL,
                                   "space: '%s' is a distribution, so the space has "
                                   "no finite grid",
                                   e->name);
        if (g > UINT64_MAX / e->n_values)
            return ctune_set_error(CTUNE_EINVAL, "space: the grid has more than 2^64 points");
        g *= e->n_values;
    }
    *out = g;
    return CTUNE_OK;
}

ctune_status ctune_space_grid_size(uint64_t *out, const ctune_space *sp)
{
    CTUNE_CHECK_NULL(sp, "space");
    CTUNE_CHECK_NULL(out, "out");
    *out = 0;
    return ctune__space_grid_size(sp, out);
}

/* ---- text form ----------------------------------------------------------------- */

/* Appends a value so that the space parser reads it back identically. */
static void value_text(ctune__sb *b, const ctune__value *v)
{
    switch (v->type) {
    case CTUNE_TYPE_INT: ctune__sb_printf(b, "%lld", (long long)v->i); break;
    case CTUNE_TYPE_DOUBLE: {
        size_t at = b->len;
        ctune__sb_double(b, v->d, "nan");
        if (!b->failed && !strpbrk(b->s + at, ".eEni"))
            ctune__sb_str(b, ".0");
        break;
    }
    case CTUNE_TYPE_BOOL: ctune__sb_str(b, v->i ? "true" : "false"); break;
    case CTUNE_TYPE_NONE: ctune__sb_str(b, "none"); break;
    default: {
        /* quote unless it reads back as the same bare string */
        ctune_params *tmp = NULL;
        int bare = v->s[0] && !strpbrk(v->s, "|;\n,()[]{}:='\" \t\r") &&
                   ctune_params_new(&tmp) == CTUNE_OK &&
                   ctune_params_set_text(tmp, "v", v->s) == CTUNE_OK &&
                   ctune_params_type(tmp, "v") == CTUNE_TYPE_STRING;
        ctune_params_free(tmp);
        if (bare)
            ctune__sb_str(b, v->s);
        else
            ctune__sb_printf(b, strchr(v->s, '\'') ? "\"%s\"" : "'%s'", v->s);
    }
    }
}

long ctune_space_to_text(char *buf, size_t cap, const ctune_space *sp)
{
    CTUNE_CHECK_NULL(sp, "space");
    if (cap && !buf)
        return ctune_set_error(CTUNE_EINVAL, "ctune_space_to_text: buf is NULL");
    ctune__sb b;
    ctune__sb_init(&b);
    ctune__sb_str(&b, "");
    for (size_t i = 0; i < sp->n; i++) {
        const ctune__space_entry *e = &sp->e[i];
        ctune__sb_printf(&b, "%s%s: ", i ? "; " : "", e->name);
        switch (e->kind) {
        case CTUNE__DIST_LIST:
            for (size_t j = 0; j < e->n_values; j++) {
                if (j)
                    ctune__sb_str(&b, "|");
                value_text(&b, &e->values[j]);
            }
            break;
        case CTUNE__DIST_RANDINT:
            ctune__sb_printf(&b, "randint(%lld, %lld)", (long long)e->ilo, (long long)e->ihi);
            break;
        default:
            ctune__sb_str(&b, e->kind == CTUNE__DIST_UNIFORM ? "uniform(" : "loguniform(");
            ctune__sb_double(&b, e->lo, "nan");
            ctune__sb_str(&b, ", ");
            ctune__sb_double(&b, e->hi, "nan");
            ctune__sb_str(&b, ")");
        }
    }
    ctune_status rc = ctune__sb_status(&b);
    long n = rc == CTUNE_OK ? ctune__copy_out(b.s, b.len, buf, cap) : rc;
    ctune__sb_free(&b);
    return n;
}

/* ---- candidates ------------------------------------------------------------------ */

ctune_status ctune__value_set(ctune_params *p, const char *name, const ctune__value *v)
{
    switch (v->type) {
    case CTUNE_TYPE_INT: return ctune_params_set_int(p, name, v->i);
    case CTUNE_TYPE_DOUBLE: return ctune_params_set_double(p, name, v->d);
    case CTUNE_TYPE_BOOL: return ctune_params_set_bool(p, name, (int)v->i);
    case CTUNE_TYPE_STRING: return ctune_params_set_string(p, name, v->s);
    default: return ctune_params_set_none(p, name);
    }
}

void ctune_candidates_free(ctune_candidates *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++)
        ctune_params_free(c->items[i]);
    ctune__free(c->items);
    ctune__free(c->warning);
    ctune__free(c);
}

/* Sampled candidates are held in memory: a count whose table (and index
 * array) cannot even be addressed is an argument error. */
static ctune_status check_n_candidates(size_t n)
{
    size_t limit = SIZE_MAX / sizeof(uint64_t) / 2;
    if (n > limit)
        return ctune_set_error(CTUNE_EINVAL,
                               "n_iter %zu is too large: at most %zu candidates can be addressed "
                               "(each one is also a parameter set in memory)",
                               n, limit);
    return CTUNE_OK;
}

static ctune_status candidates_alloc(ctune_candidates **out, size_t n)
{
    CTUNE_TRY(check_n_candidates(n));
    ctune_candidates *c = ctune__calloc(1, sizeof *c);
    if (!c)
        return CTUNE_ENOMEM;
    c->items = ctune__calloc(n ? n : 1, sizeof *c->items);
    if (!c->items) {
        ctune__free(c);
        return CTUNE_ENOMEM;
    }
    *out = c;
    return CTUNE_OK;
}

/* Grid point `index`: keys sorted, the last key varying fastest. */
ctune_status ctune__space_grid_point(const ctune_space *sp, uint64_t index, ctune_params **out)
{
    ctune_params *p;
    CTUNE_TRY(ctune_params_new(&p));
    /* decode from the last key (fastest) to the first, then insert in key order */
    size_t off_stack[64];
    size_t *off = sp->n <= 64 ? off_stack : CTUNE_NEW_ARRAY(size_t, sp->n);
    if (!off) {
        ctune_params_free(p);
        return CTUNE_ENOMEM;
    }
    for (size_t k = sp->n; k-- > 0;) {
        uint64_t m = sp->e[k].n_values;
        off[k] = (size_t)(index % m);
        index /= m;
    }
    ctune_status rc = CTUNE_OK;
    for (size_t k = 0; k < sp->n && rc == CTUNE_OK; k++)
        rc = ctune__value_set(p, sp->e[k].name, &sp->e[k].values[off[k]]);
    if (off != off_stack)
        ctune__free(off);
    if (rc != CTUNE_OK) {
        ctune_params_free(p);
        return rc;
    }
    *out = p;
    return CTUNE_OK;
}

ctune_status ctune__space_random_point(const ctune_space *sp, ctune_rng *rng, ctune_params **out)
{
    ctune_params *p;
    CTUNE_TRY(ctune_params_new(&p));
    ctune_status rc = CTUNE_OK;
    for (size_t k = 0; k < sp->n && rc == CTUNE_OK; k++) {
        const ctune__space_entry *e = &sp->e[k];
        switch (e->kind) {
        case CTUNE__DIST_LIST:
            rc = ctune__value_set(p, e->name, &e->values[ctune_rng_below(rng, e->n_values)]);
            break;
        case CTUNE__DIST_UNIFORM: {
            double u = ctune_rng_uniform(rng), v = e->lo + (e->hi - e->lo) * u;
            if (!isfinite(v)) /* hi - lo overflowed (bounds near ±DBL_MAX) */
                v = e->lo * (1.0 - u) + e->hi * u;
            rc = ctune_params_set_double(p, e->name, v < e->hi ? v : e->lo);
            break;
        }
        case CTUNE__DIST_LOGUNIFORM: {
            double a = log(e->lo), b = log(e->hi);
            double v = exp(a + (b - a) * ctune_rng_uniform(rng));
            if (v < e->lo)
                v = e->lo;
            if (v >= e->hi)
                v = nextafter(e->hi, e->lo);
            rc = ctune_params_set_double(p, e->name, v);
            break;
        }
        case CTUNE__DIST_RANDINT: {
            uint64_t span = (uint64_t)e->ihi - (uint64_t)e->ilo;
            uint64_t r = ctune_rng_below(rng, span);
            rc = ctune_params_set_int(p, e->name, (int64_t)((uint64_t)e->ilo + r));
            break;
        }
        }
    }
    if (rc != CTUNE_OK) {
        ctune_params_free(p);
        return rc;
    }
    *out = p;
    return CTUNE_OK;
}

ctune_status ctune_space_grid(ctune_candidates **out, const ctune_space *sp)
{
    CTUNE_CHECK_NULL(out, "out");
    *out = NULL;
    CTUNE_CHECK_NULL(sp, "space");
    if (sp->n == 0)
        return ctune_set_error(CTUNE_EINVAL, "space is empty: add at least one parameter");
    uint64_t g = 0;
    CTUNE_TRY(ctune__space_grid_size(sp, &g));
    if (g > (uint64_t)(SIZE_MAX / sizeof(void *)))
        return ctune_set_error(CTUNE_EINVAL, "space: the grid has %llu points, too many to list",
                               (unsigned long long)g);
    ctune_candidates *c;
    CTUNE_TRY(candidates_alloc(&c, (size_t)g));
    for (uint64_t i = 0; i < g; i++) {
        ctune_status rc = ctune__space_grid_point(sp, i, &c->items[i]);
        if (rc != CTUNE_OK) {
            ctune_candidates_free(c);
            return rc;
        }
        c->n++;
    }
    *out = c;
    return CTUNE_OK;
}

/* A set of uint64 (open addressing; `empty` marks free slots). */
typedef struct {
    uint64_t *slot;
    size_t mask;
} u64set;

static int u64set_add(u64set *s, uint64_t v) /* 1 when added, 0 when present */
{
    size_t h = (size_t)((v + 1) * 0x9E3779B97F4A7C15ull) & s->mask;
    while (s->slot[h] != UINT64_MAX) {
        if (s->slot[h] == v)
            return 0;
        h = (h + 1) & s->mask;
    }
    s->slot[h] = v;
    return 1;
}

/* n distinct indices of [0, g) in random order (Floyd's algorithm, then a
 * shuffle). */
static ctune_status sample_indices(uint64_t g, size_t n, ctune_rng *rng, uint64_t *out)
{
    size_t cap = 16;
    while (cap < 2 * n)
        cap *= 2;
    u64set s = {CTUNE_NEW_ARRAY(uint64_t, cap), cap - 1};
    if (!s.slot)
        return CTUNE_ENOMEM;
    memset(s.slot, 0xff, cap * sizeof *s.slot);
    size_t k = 0;
    for (uint64_t j = g - n; j < g; j++) {
        uint64_t t = ctune_rng_below(rng, j + 1);
        out[k++] = u64set_add(&s, t) ? t : (u64set_add(&s, j), j);
    }
    ctune__free(s.slot);
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)ctune_rng_below(rng, i);
        uint64_t t = out[i - 1];
        out[i - 1] = out[j];
        out[j] = t;
    }
    return CTUNE_OK;
}

static int all_lists(const ctune_space *sp)
{
    for (size_t i = 0; i < sp->n; i++)
        if (sp->e[i].kind != CTUNE__DIST_LIST)
            return 0;
    return 1;
}

ctune_status ctune_space_sample(ctune_candidates **out, const ctune_space *sp, size_t n_iter,
                                uint64_t seed)
{
    CTUNE_CHECK_NULL(out, "out");
    *out = NULL;
    CTUNE_CHECK_NULL(sp, "space");
    if (sp->n == 0)
        return ctune_set_error(CTUNE_EINVAL, "space is empty: add at least one parameter");
    if (n_iter == 0)
        return ctune_set_error(CTUNE_EINVAL, "n_iter must be >= 1, got 0");
    ctune_rng rng;
    ctune__rng_init(&rng, seed, 0);
    ctune_candidates *c = NULL;
    ctune_status rc;
    if (all_lists(sp)) {
        uint64_t g = 0;
        CTUNE_TRY(ctune__space_grid_size(sp, &g));
        size_t n = n_iter;
        char warn[256] = "";
        if (g < (uint64_t)n_iter) {
            n = (size_t)g;
            snprintf(warn, sizeof warn,
                     "the total space of parameters %zu is smaller than "
                     "n_iter=%zu: running %zu iterations (use a grid search for exhaustive "
                     "searches)",
                     n, n_iter, n);
        }
        CTUNE_TRY(check_n_candidates(n));
        uint64_t *idx = CTUNE_NEW_ARRAY(uint64_t, n);
        if (!idx)
            return CTUNE_ENOMEM;
        rc = sample_indices(g, n, &rng, idx);
        if (rc == CTUNE_OK)
            rc = candidates_alloc(&c, n);
        for (size_t i = 0; i < n && rc == CTUNE_OK; i++) {
            rc = ctune__space_grid_point(sp, idx[i], &c->items[i]);
            if (rc == CTUNE_OK)
                c->n++;
        }
        if (rc == CTUNE_OK && warn[0]) {
            c->warning = ctune__strdup(warn);
            if (!c->warning)
                rc = CTUNE_ENOMEM;
        }
        ctune__free(idx);
    } else {
        rc = candidates_alloc(&c, n_iter);
        for (size_t i = 0; i < n_iter && rc == CTUNE_OK; i++) {
            rc = ctune__space_random_point(sp, &rng, &c->items[i]);
            if (rc == CTUNE_OK)
                c->n++;
        }
    }
    if (rc != CTUNE_OK) {
        ctune_candidates_free(c);
        return rc;
    }
    *out = c;
    return CTUNE_OK;
}

size_t ctune_candidates_count(const ctune_candidates *c) { return c ? c->n : 0; }

const ctune_params *ctune_candidates_get(const ctune_candidates *c, size_t i)
{
    return c && i < c->n ? c->items[i] : NULL;
}

const char *ctune_candidates_warning(const ctune_candidates *c) { return c ? c->warning : NULL; }
