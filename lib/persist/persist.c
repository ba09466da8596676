/* Saving and loading estimators: a versioned little-endian container with a
 * CRC-32 around the estimator's params, its fitted state and the payload of
 * its vtable's save hook. Layout in docs/data-and-persistence.md. */
#include "persist/persist.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/error.h"
#include "estimator/estimator.h"
#include "io/atomic.h"
#include "io/stream.h"
#include "persist/registry.h"

/* The nesting hooks put on every stream handed to a hook (io/stream.h). */
static const ctune__nest_ops NEST;

static const char *kind_name(int kind)
{
    switch (kind) {
    case CTUNE_CLASSIFIER: return "classifier";
    case CTUNE_REGRESSOR: return "regressor";
    case CTUNE_TRANSFORMER: return "transformer";
    default: return "unknown kind";
    }
}

/* ---- params ------------------------------------------------------------ */

static ctune_status write_params(ctune_writer *w, const ctune_params *p)
{
    size_t n = ctune_params_count(p);
    CTUNE_TRY(ctune_write_u64(w, n));
    for (size_t i = 0; i < n; i++) {
        const char *name = ctune_params_name(p, i);
        int type = ctune_params_type(p, name);
        CTUNE_TRY(ctune_write_string(w, name));
        CTUNE_TRY(ctune__write_u8(w, (unsigned)type));
        switch (type) {
        case CTUNE_TYPE_INT: {
            int64_t v;
            CTUNE_TRY(ctune_params_get_int(&v, p, name));
            CTUNE_TRY(ctune_write_i64(w, v));
            break;
        }
        case CTUNE_TYPE_DOUBLE: {
            double v;
            CTUNE_TRY(ctune_params_get_double(&v, p, name));
            CTUNE_TRY(ctune_write_f64(w, v));
            break;
        }
        case CTUNE_TYPE_STRING: {
            const char *v;
            CTUNE_TRY(ctune_params_get_string(&v, p, name));
            CTUNE_TRY(ctune_write_string(w, v));
            break;
        }
        case CTUNE_TYPE_BOOL: {
            int v;
            CTUNE_TRY(ctune_params_get_bool(&v, p, name));
            CTUNE_TRY(ctune__write_u8(w, v != 0));
            break;
        }
        default: break; /* none: no value */
        }
    }
    return CTUNE_OK;
}

static ctune_status read_one_param(ctune_reader *r, ctune_params *p)
{
    size_t at = r->base + r->pos;
    char *name = NULL, *s = NULL;
    CTUNE_TRY(ctune__read_string_alloc(r, &name));
    if (!name)
        return ctune_set_error(CTUNE_EFORMAT,
                               "model file corrupted: parameter at byte %zu has no "
                               "name",
                               at);
    unsigned type;
    ctune_status rc = ctune__read_u8(r, &type);
    if (rc == CTUNE_OK) {
        switch (type) {
        case CTUNE_TYPE_INT: {
            int64_t v;
            rc = ctune_read_i64(&v, r);
            if (rc == CTUNE_OK)
                rc = ctune_params_set_int(p, name, v);
            break;
        }
        case CTUNE_TYPE_DOUBLE: {
            double v;
            rc = ctune_read_f64(&v, r);
            if (rc == CTUNE_OK)
                rc = ctune_params_set_double(p, name, v);
            break;
        }
        case CTUNE_TYPE_STRING:
            rc = ctune__read_string_alloc(r, &s);
            if (rc == CTUNE_OK && !s)
                rc = ctune_set_error(CTUNE_EFORMAT,
                                     "model file corrupted: parameter '%s' has no "
                                     "string value",
                                     name);
            if (rc == CTUNE_OK)
                rc = ctune_params_set_string(p, name, s);
            break;
        case CTUNE_TYPE_BOOL: {
            unsigned v;
            rc = ctune__read_u8(r, &v);
            if (rc == CTUNE_OK && v > 1)
                rc = ctune_set_error(CTUNE_EFORMAT,
                                     "model file corrupted: bool parameter '%s' is "
                                     "%u",
                                     name, v);
            if (rc == CTUNE_OK)
                rc = ctune_params_set_bool(p, name, (int)v);
            break;
        }
        case CTUNE_TYPE_NONE: rc = ctune_params_set_none(p, name); break;
        default:
            rc = ctune_set_error(CTUNE_EFORMAT,
                                 "model file corrupted: parameter '%s' has unknown type %u", name,
                                 type);
        }
    }
    if (rc == CTUNE_EINVAL) { /* e.g. an invalid name */
        ctune__error_prefix("model file corrupted");
        rc = ctune_set_error(CTUNE_EFORMAT, "%s", ctune_last_error());
    }
    ctune__free(name);
    ctune__free(s);
    return rc;
}

static ctune_status read_params(ctune_reader *r, ctune_params **out)
{
    size_t n;
    CTUNE_TRY(ctune__read_count(r, 9, &n)); /* >= 9 bytes per entry */
    CTUNE_TRY(ctune_params_new(out));
    for (size_t i = 0; i < n; i++) {
        ctune_status rc = read_one_param(r, *out);
        if (rc != CTUNE_OK) {
            ctune_params_free(*out);
            *out = NULL;
            return rc;
        }
    }
    return CTUNE_OK;
}

/* ---- body -------------------------------------------------------------- */

/* The state byte after the params. */
enum { STATE_FITTED = 1, STATE_DEFINITION = 2, STATE_CLASS_NAMES = 4 };

/* Whether a fitted classifier's classes have names (format version 3). */
static int has_class_names(const ctune_estimator *est)
{
    return ctune_estimator_is_fitted(est) && ctune_estimator_n_classes(est) > 0 &&
           ctune_estimator_class_name(est, 0) != NULL;
}

ctune_status ctune__persist_write(ctune_writer *w, const ctune_estimator *est)
{
    CTUNE_CHECK_NULL(w, "writer");
    CTUNE_CHECK_NULL(est, "estimator");
    if (!w->nest)
        w->nest = &NEST;
    const ctune_estimator_vtable *vt = ctune_estimator_vtable_of(est);
    int fitted = ctune_estimator_is_fitted(est);
    int has_def = ctune__vtable_has_definition(vt);
    if (fitted && (!vt->save || !vt->load))
        return ctune_set_error(CTUNE_EUNSUPPORTED,
                               "%s has no %s hook: a fitted %s cannot be saved (an unfitted one "
                               "can: its params only)",
                               vt->name, !vt->save ? "save" : "load", vt->name);
    CTUNE_TRY(ctune_write_string(w, vt->name));
    CTUNE_TRY(ctune__write_u32(w, (uint32_t)vt->kind));
    CTUNE_TRY(write_params(w, ctune_estimator_get_params(est)));
    int named = has_class_names(est);
    CTUNE_TRY(ctune__write_u8(w, (fitted ? STATE_FITTED : 0) | (has_def ? STATE_DEFINITION : 0) |
                                     (named ? STATE_CLASS_NAMES : 0)));
    if (has_def) {
        size_t at = w->len;
        CTUNE_TRY(ctune_write_u64(w, 0)); /* definition length, patched below */
        ctune_status rc = vt->save_definition(ctune_estimator_user(est), w);
        if (rc != CTUNE_OK) {
            if (ctune_last_error()[0] == '\0')
                ctune_set_error(rc, "%s: save_definition failed (%s)", vt->name,
                                ctune_status_string(rc));
            return rc;
        }
        ctune__writer_patch_u64(w, at, (uint64_t)(w->len - at - 8));
        if (w->version < 2)
            w->version = 2;
    }
    if (!fitted)
        return CTUNE_OK;
    size_t k = ctune_estimator_n_classes(est);
    CTUNE_TRY(ctune_write_u64(w, ctune_estimator_n_features_in(est)));
    CTUNE_TRY(ctune_write_u64(w, ctune_estimator_n_outputs(est)));
    CTUNE_TRY(ctune_write_u64(w, k));
    if (k) {
        double *classes = CTUNE_NEW_ARRAY(double, k);
        if (!classes)
            return CTUNE_ENOMEM;
        ctune_status rc = ctune_estimator_classes(classes, est);
        if (rc == CTUNE_OK)
            rc = ctune_write_f64_array(w, classes, k);
        ctune__free(classes);
        CTUNE_TRY(rc);
    }
    if (named) {
        for (size_t i = 0; i < k; i++)
            CTUNE_TRY(ctune_write_string(w, ctune_estimator_class_name(est, i)));
        if (w->version < 3)
            w->version = 3;
    }
    size_t at = w->len;
    CTUNE_TRY(ctune_write_u64(w, 0)); /* payload length, patched below */
    ctune_status rc = vt->save(ctune__estimator_self(est), w);
    if (rc != CTUNE_OK) {
        if (ctune_last_error()[0] == '\0')
            ctune_set_error(rc, "%s: save failed (%s)", vt->name, ctune_status_string(rc));
        return rc;
    }
    ctune__writer_patch_u64(w, at, (uint64_t)(w->len - at - 8));
    return CTUNE_OK;
}

/* Checks the saved fitted state against the estimator's kind. */
static ctune_status check_fitted_state(const ctune_estimator_vtable *vt, size_t n_features,
                                       size_t n_outputs, const double *classes, size_t k)
{
    if (n_features == 0)
        return ctune_set_error(CTUNE_EFORMAT, "model file corrupted: a fitted %s with 0 features",
                               vt->name);
    if (vt->kind == CTUNE_CLASSIFIER) {
        if (k == 0 || n_outputs != 1)
            return ctune_set_error(CTUNE_EFORMAT,
                                   "model file corrupted: classifier %s with %zu classes and %zu "
                                   "outputs",
                                   vt->name, k, n_outputs);
        for (size_t i = 0; i < k; i++)
            if (!isfinite(classes[i]) || classes[i] != floor(classes[i]) ||
                (i > 0 && !(classes[i] > classes[i - 1])))
                return ctune_set_error(CTUNE_EFORMAT,
                                       "model file corrupted: class labels of %s are not sorted "
                                       "integers (label %zu is %g)",
                                       vt->name, i, classes[i]);
    } else if (k != 0 || n_outputs == 0) {
        return ctune_set_error(CTUNE_EFORMAT,
                               "model file corrupted: %s %s with %zu classes and %zu outputs",
                               kind_name(vt->kind), vt->name, k, n_outputs);
    }
    return CTUNE_OK;
}

/* Reads the k class names of a fitted classifier, each a non-empty string. */
static ctune_status read_class_names(ctune_reader *r, const char *est_name, size_t k, char ***out)
{
    *out = NULL;
    if (k == 0)
        return ctune_set_error(CTUNE_EFORMAT,
                               "model file corrupted: class names for %s, which has no classes",
                               est_name);
    if (k > ctune_read_remaining(r) / 8)
        return ctune_set_error(CTUNE_EFORMAT,
                               "model file truncated at byte %zu (%zu class names announced)",
                               r->base + r->len, k);
    char **names = CTUNE_NEW_ARRAY(char *, k);
    if (!names)
        return CTUNE_ENOMEM;
    ctune_status rc = CTUNE_OK;
    size_t i = 0;
    for (; i < k && rc == CTUNE_OK; i++) {
        names[i] = NULL;
        size_t at = r->base + r->pos;
        rc = ctune__read_string_alloc(r, &names[i]);
        if (rc == CTUNE_OK && !names[i])
            rc = ctune_set_error(CTUNE_EFORMAT,
                                 "model file corrupted: class name %zu of %s is missing (byte %zu)",
                                 i, est_name, at);
    }
    if (rc != CTUNE_OK) {
        for (size_t j = 0; j < i; j++)
            ctune__free(names[j]);
        ctune__free(names);
        return rc;
    }
    *out = names;
    return CTUNE_OK;
}

static void free_class_names(char **names, size_t k)
{
    if (!names)
        return;
    for (size_t i = 0; i < k; i++)
        ctune__free(names[i]);
    ctune__free(names);
}

static ctune_status read_fitted(ctune_reader *r, ctune_estimator *est, int named)
{
    const ctune_estimator_vtable *vt = ctune_estimator_vtable_of(est);
    uint64_t nf, no;
    size_t k, plen;
    CTUNE_TRY(ctune_read_u64(&nf, r));
    CTUNE_TRY(ctune_read_u64(&no, r));
    if (nf > SIZE_MAX || no > SIZE_MAX)
        return ctune_set_error(CTUNE_EFORMAT, "model file corrupted: sizes out of range");
    CTUNE_TRY(ctune__read_count(r, 8, &k));
    double *classes = NULL;
    if (k) {
        classes = CTUNE_NEW_ARRAY(double, k);
        if (!classes)
            return CTUNE_ENOMEM;
    }
    ctune_status rc = ctune_read_f64_array(classes, k, r);
    if (rc == CTUNE_OK)
        rc = check_fitted_state(vt, (size_t)nf, (size_t)no, classes, k);
    char **names = NULL;
    if (rc == CTUNE_OK && named)
        rc = read_class_names(r, vt->name, k, &names);
    if (rc == CTUNE_OK)
        rc = ctune__read_count(r, 1, &plen);
    void *self = NULL;
    if (rc == CTUNE_OK) {
        ctune_reader sub;
        ctune__reader_sub(&sub, r, plen);
        sub.fit_features = (size_t)nf;
        sub.fit_outputs = (size_t)no;
        sub.fit_classes = k;
        rc = vt->load(&self, ctune_estimator_get_params(est), &sub, ctune_estimator_user(est));
        if (rc != CTUNE_OK) {
            self = NULL; /* the hook released what it made */
            if (ctune_last_error()[0] == '\0')
                ctune_set_error(rc, "%s: load failed (%s)", vt->name, ctune_status_string(rc));
        } else if (!self) {
            rc = ctune_set_error(CTUNE_EINTERNAL, "%s: load returned OK without an instance",
                                 vt->name);
        } else if (sub.pos != sub.len) {
            rc = ctune_set_error(CTUNE_EFORMAT,
                                 "model file corrupted: %s's load read %zu of its %zu bytes",
                                 vt->name, sub.pos, sub.len);
        } else if (vt->kind == CTUNE_TRANSFORMER && vt->n_features_out(self) != no) {
            rc = ctune_set_error(CTUNE_EFORMAT,
                                 "model file corrupted: %s outputs %zu columns, the file says %zu",
                                 vt->name, vt->n_features_out(self), (size_t)no);
        } else if (vt->kind == CTUNE_REGRESSOR && vt->n_outputs && vt->n_outputs(self) != no) {
            rc = ctune_set_error(CTUNE_EFORMAT,
                                 "model file corrupted: %s has %zu outputs, the file says %zu",
                                 vt->name, vt->n_outputs(self), (size_t)no);
        }
    }
    if (rc != CTUNE_OK) {
        if (self)
            vt->destroy(self);
        ctune__free(classes);
        free_class_names(names, k);
        return rc;
    }
    ctune__estimator_adopt(est, self, classes, k, (size_t)nf, (size_t)no);
    if (names)
        rc = ctune_estimator_set_class_names(est, (const char *const *)names, k);
    free_class_names(names, k);
    return rc;
}

/* Where the new handle comes from: `like` (cloned), `vtable` (+ user, as
 * ctune_estimator_new()) or, with neither, the built-in named in the file
 * (made by the registry; `own`). */
typedef struct origin {
    const ctune_estimator *like;
    const ctune_estimator_vtable *vtable;
    void *user;
    ctune_estimator *own;
} origin;

/* The estimator that a load starts from (like or own; NULL for a vtable). */
static const ctune_estimator *template_of(const origin *o) { return o->like ? o->like : o->own; }

/* The vtable and user pointer of the estimator loaded into. */
static const ctune_estimator_vtable *origin_vtable(const origin *o)
{
    const ctune_estimator *t = template_of(o);
    return t ? ctune_estimator_vtable_of(t) : o->vtable;
}
static void *origin_user(const origin *o)
{
    const ctune_estimator *t = template_of(o);
    return t ? ctune_estimator_user(t) : o->user;
}

/* Resolves the file's estimator name to a vtable (and, by name, a fresh
 * built-in in o->own). */
static ctune_status resolve(origin *o, const char *name, const ctune_estimator_vtable **vt)
{
    if (o->like) {
        *vt = ctune_estimator_vtable_of(o->like);
        if (strcmp((*vt)->name, name) != 0)
            return ctune_set_error(CTUNE_EFORMAT,
                                   "model file holds a '%s', but the estimator given is '%s'", name,
                                   (*vt)->name);
        return CTUNE_OK;
    }
    if (o->vtable) {
        *vt = o->vtable;
        if (strcmp(o->vtable->name ? o->vtable->name : "", name) != 0)
            return ctune_set_error(CTUNE_EFORMAT,
                                   "model file holds a '%s', but the vtable given is '%s'", name,
                                   o->vtable->name ? o->vtable->name : "(unnamed)");
        return CTUNE_OK;
    }
    if (!ctune__builtin_known(name)) {
        char names[512];
        ctune__builtin_names(names, sizeof names);
        return ctune_set_error(CTUNE_EINVAL,
                               "model file holds a '%s', which is not a built-in estimator "
                               "(built-in: %s): pass its vtable to ctune_estimator_load (or an "
                               "estimator made like it to ctune_estimator_load_like)",
                               name, names);
    }
    CTUNE_TRY(ctune__builtin_new(&o->own, name));
    *vt = ctune_estimator_vtable_of(o->own);
    return CTUNE_OK;
}

static ctune_status check_kind(const char *name, uint32_t kind, const ctune_estimator_vtable *vt)
{
    if ((int)kind != vt->kind)
        return ctune_set_error(CTUNE_EFORMAT,
                               "model file says '%s' is a %s, but its vtable is a %s", name,
                               kind_name((int)kind), kind_name(vt->kind));
    return CTUNE_OK;
}

/* Makes the (unfitted) handle: from the definition block when the state
 * says there is one, else as the origin says. */
static ctune_status make_handle(ctune_reader *r, origin *o, unsigned state, ctune_estimator **est)
{
    const ctune_estimator_vtable *vt = origin_vtable(o);
    int has_def = ctune__vtable_has_definition(vt);
    const char *name = vt->name;
    if (state & STATE_DEFINITION) {
        if (!has_def)
            return ctune_set_error(CTUNE_EFORMAT,
                                   "model file corrupted: it gives a definition for '%s', which "
                                   "takes none",
                                   name);
        size_t dlen;
        CTUNE_TRY(ctune__read_count(r, 1, &dlen));
        ctune_reader sub;
        ctune__reader_sub(&sub, r, dlen);
        *est = NULL;
        ctune_status rc = vt->load_definition(est, &sub, origin_user(o));
        if (rc != CTUNE_OK) {
            *est = NULL; /* the hook released what it made */
            if (ctune_last_error()[0] == '\0')
                ctune_set_error(rc, "%s: load_definition failed (%s)", name,
                                ctune_status_string(rc));
        } else if (!*est || strcmp(ctune_estimator_name(*est), name) != 0) {
            rc = ctune_set_error(CTUNE_EINTERNAL, "%s: load_definition made a %s", name,
                                 *est ? ctune_estimator_name(*est) : "NULL handle");
            ctune_estimator_free(*est);
            *est = NULL;
        } else if (sub.pos != sub.len) {
            rc = ctune_set_error(CTUNE_EFORMAT,
                                 "model file corrupted: the definition of %s has %zu unread bytes",
                                 name, sub.len - sub.pos);
            ctune_estimator_free(*est);
            *est = NULL;
        }
        return rc;
    }
    if (has_def)
        return ctune_set_error(CTUNE_EFORMAT, "model file corrupted: the %s has no definition",
                               name);
    if (o->own) {
        *est = o->own;
        o->own = NULL;
        return CTUNE_OK;
    }
    if (o->like)
        return ctune_estimator_clone(est, o->like);
    /* the new handle holds its own reference to user; the caller keeps theirs */
    if (o->vtable->user_retain && o->vtable->user_release)
        o->vtable->user_retain(o->user);
    return ctune_estimator_new(est, o->vtable, o->user);
}

/* Nested estimators (pipelines of pipelines) deeper than this are refused,
 * so a crafted file cannot exhaust the stack. */
#define MAX_DEPTH 32

static ctune_status read_body(ctune_reader *r, ctune_estimator **out, origin *o)
{
    CTUNE_CHECK_NULL(out, "out");
    *out = NULL;
    CTUNE_CHECK_NULL(r, "reader");
    if (r->depth > MAX_DEPTH)
        return ctune_set_error(CTUNE_EFORMAT,
                               "model file corrupted: estimators nested more than %d deep at "
                               "byte %zu",
                               MAX_DEPTH, r->base + r->pos);
    char *name = NULL;
    ctune_params *params = NULL;
    ctune_estimator *est = NULL;
    const ctune_estimator_vtable *vt = NULL;
    uint32_t kind;
    unsigned state;
    size_t at = r->base + r->pos;
    ctune_status rc = ctune__read_string_alloc(r, &name);
    if (rc == CTUNE_OK && (!name || !*name))
        rc = ctune_set_error(CTUNE_EFORMAT, "model file corrupted: no estimator name at byte %zu",
                             at);
    if (rc == CTUNE_OK)
        rc = ctune__read_u32(r, &kind);
    if (rc == CTUNE_OK)
        rc = resolve(o, name, &vt);
    /* A handle with a definition (a pipeline) has its kind from it. */
    if (rc == CTUNE_OK && !ctune__vtable_has_definition(origin_vtable(o)))
        rc = check_kind(name, kind, vt);
    if (rc == CTUNE_OK)
        rc = read_params(r, &params);
    if (rc == CTUNE_OK)
        rc = ctune__read_u8(r, &state);
    if (rc == CTUNE_OK && (state > (STATE_FITTED | STATE_DEFINITION | STATE_CLASS_NAMES) ||
                           ((state & STATE_CLASS_NAMES) && !(state & STATE_FITTED))))
        rc = ctune_set_error(CTUNE_EFORMAT, "model file corrupted: state byte is %u", state);
    if (rc == CTUNE_OK)
        rc = make_handle(r, o, state, &est);
    if (rc == CTUNE_OK) {
        vt = ctune_estimator_vtable_of(est);
        rc = check_kind(name, kind, vt);
    }
    if (rc == CTUNE_OK) {
        rc = ctune_estimator_set_params(est, params);
        if (rc == CTUNE_EINVAL) {
            ctune__error_prefix("model file: the saved parameters do not fit %s", vt->name);
            rc = ctune_set_error(CTUNE_EFORMAT, "%s", ctune_last_error());
        }
    }
    if (rc == CTUNE_OK && (state & STATE_FITTED) && !vt->load)
        rc = ctune_set_error(CTUNE_EUNSUPPORTED,
                             "%s has no load hook: its fitted state cannot be loaded", vt->name);
    if (rc == CTUNE_OK && (state & STATE_FITTED))
        rc = read_fitted(r, est, (state & STATE_CLASS_NAMES) != 0);
    ctune__free(name);
    ctune_params_free(params);
    ctune_estimator_free(o->own);
    o->own = NULL;
    if (rc != CTUNE_OK) {
        ctune_estimator_free(est);
        return rc;
    }
    *out = est;
    return CTUNE_OK;
}

ctune_status ctune__persist_read(ctune_reader *r, ctune_estimator **out,
                                 const ctune_estimator_vtable *vtable, void *user)
{
    if (r && !r->nest)
        r->nest = &NEST;
    origin o = {NULL, vtable, user, NULL};
    return read_body(r, out, &o);
}

ctune_status ctune__persist_read_like(ctune_reader *r, ctune_estimator **out,
                                      const ctune_estimator *like)
{
    if (r && !r->nest)
        r->nest = &NEST;
    origin o = {like, NULL, NULL, NULL};
    return read_body(r, out, &o);
}

static const ctune__nest_ops NEST = {ctune__persist_write, ctune__persist_read_like};

/* ---- container --------------------------------------------------------- */

static ctune_status serialize(const ctune_estimator *est, ctune_writer *w)
{
    CTUNE_TRY(ctune_write_bytes(w, CTUNE__MODEL_MAGIC, 8));
    CTUNE_TRY(ctune__write_u32(w, 1)); /* the version, patched below */
    CTUNE_TRY(ctune__write_u32(w, 0)); /* flags */
    CTUNE_TRY(ctune_write_u64(w, 0));  /* body length, patched below */
    CTUNE_TRY(ctune__persist_write(w, est));
    ctune__writer_patch_u64(w, 16, (uint64_t)(w->len - CTUNE__MODEL_HEADER));
    /* the lowest version that reads this body: old readers still read
     * every model that needs nothing newer */
    for (int i = 0; i < 4; i++)
        w->buf[8 + i] = (unsigned char)(w->version >> (8 * i));
    return ctune__write_u32(w, ctune__crc32(0, w->buf, w->len));
}

long ctune_estimator_save_buffer(void *buf, size_t cap, const ctune_estimator *est)
{
    CTUNE_CHECK_NULL(est, "estimator");
    if (!buf && cap)
        return ctune_set_error(CTUNE_EINVAL,
                               "ctune_estimator_save_buffer: buf is NULL but cap is %zu", cap);
    ctune_writer w;
    ctune__writer_init(&w);
    ctune_status rc = serialize(est, &w);
    long n = rc;
    if (rc == CTUNE_OK && w.len > (size_t)LONG_MAX)
        n = ctune_set_error(CTUNE_ENOMEM,
                            "ctune_estimator_save_buffer: the model of %zu bytes is too large",
                            w.len);
    else if (rc == CTUNE_OK) {
        /* bytes, snprintf-like: the prefix that fits, the whole size returned */
        if (cap)
            memcpy(buf, w.buf, w.len < cap ? w.len : cap);
        n = (long)w.len;
    }
    ctune__writer_free(&w);
    return n;
}

static ctune_status io_error(const char *what, const char *path, int err)
{
    char msg[256];
    if (strerror_r(err, msg, sizeof msg) != 0)
        msg[0] = '\0';
    return ctune_set_error(CTUNE_EIO, "%s '%s': %s", what, path, msg[0] ? msg : "I/O error");
}

ctune_status ctune_estimator_save(const ctune_estimator *est, const char *path)
{
    CTUNE_CHECK_NULL(est, "estimator");
    CTUNE_CHECK_NULL(path, "path");
    ctune_writer w;
    ctune__writer_init(&w);
    ctune_status rc = serialize(est, &w);
    if (rc == CTUNE_OK)
        rc = ctune__atomic_write(path, w.buf, w.len);
    ctune__writer_free(&w);
    return rc;
}

/* Checks the header of a model file, its first `len` bytes: magic, version,
 * flags and the body length it declares (*body), which must leave room for
 * the header and the checksum in a size_t. */
static ctune_status check_header(const unsigned char *b, size_t len, uint64_t *body)
{
    const size_t H = CTUNE__MODEL_HEADER;
    if (memcmp(b, CTUNE__MODEL_MAGIC, len < 8 ? len : 8) != 0)
        return ctune_set_error(CTUNE_EFORMAT,
                               "not a ctune model file (its first bytes are not \"%s\")",
                               CTUNE__MODEL_MAGIC);
    if (len < H)
        return ctune_set_error(CTUNE_EFORMAT,
                               "model file truncated at byte %zu (the header alone is %zu bytes)",
                               len, H);
    ctune_reader hr;
    uint32_t version, flags;
    ctune__reader_init(&hr, b, H, 0);
    hr.pos = 8;
    CTUNE_TRY(ctune__read_u32(&hr, &version));
    CTUNE_TRY(ctune__read_u32(&hr, &flags));
    CTUNE_TRY(ctune_read_u64(body, &hr));
    if (version < 1 || version > CTUNE__MODEL_VERSION)
        return ctune_set_error(CTUNE_EFORMAT,
                               "model format version %u is not supported (this ctune reads "
                               "versions 1 to %u)",
                               version, CTUNE__MODEL_VERSION);
    if (flags != 0)
        return ctune_set_error(CTUNE_EFORMAT, "model file has unknown flags 0x%x", flags);
    if (*body > (uint64_t)(SIZE_MAX - H - 4 - 1))
        return ctune_set_error(CTUNE_EFORMAT,
                               "model file header declares a body of %llu bytes, more than this "
                               "system can address",
                               (unsigned long long)*body);
    return CTUNE_OK;
}

/* Checks the container (magic, version, length, checksum), then reads the
 * body. */
static ctune_status load_mem(ctune_estimator **out, const unsigned char *b, size_t len, origin *o)
{
    const size_t H = CTUNE__MODEL_HEADER;
    uint64_t body;
    CTUNE_TRY(check_header(b, len, &body));
    if (len < H + 4 || body > len - H - 4)
        return ctune_set_error(CTUNE_EFORMAT,
                               "model file truncated at byte %zu (its header announces %llu bytes)",
                               len, (unsigned long long)body + H + 4);
    if (body < len - H - 4)
        return ctune_set_error(
            CTUNE_EFORMAT, "model file has %llu unexpected bytes after its end (byte %llu)",
            (unsigned long long)(len - H - 4 - body), (unsigned long long)body + H + 4);
    ctune_reader tr;
    uint32_t stored;
    ctune__reader_init(&tr, b + len - 4, 4, len - 4);
    CTUNE_TRY(ctune__read_u32(&tr, &stored));
    uint32_t computed = ctune__crc32(0, b, len - 4);
    if (stored != computed)
        return ctune_set_error(CTUNE_EFORMAT,
                               "model file checksum mismatch (stored 0x%08x, computed 0x%08x): "
                               "the file is corrupted",
                               stored, computed);
    ctune_reader r;
    ctune__reader_init(&r, b + H, (size_t)body, H);
    r.nest = &NEST;
    CTUNE_TRY(read_body(&r, out, o));
    if (r.pos != r.len) {
        ctune_estimator_free(*out);
        *out = NULL;
        return ctune_set_error(CTUNE_EFORMAT,
                               "model file corrupted: %zu unread bytes at the end of its body "
                               "(byte %zu)",
                               r.len - r.pos, H + r.pos);
    }
    return CTUNE_OK;
}

ctune_status ctune_estimator_load_buffer(ctune_estimator **out, const void *buf, size_t len,
                                         const ctune_estimator_vtable *vtable, void *user)
{
    CTUNE_CHECK_NULL(out, "out");
    *out = NULL;
    if (!buf && len)
        return ctune_set_error(CTUNE_EINVAL, "ctune_estimator_load_buffer: buf is NULL");
    origin o = {NULL, vtable, user, NULL};
    return load_mem(out, buf ? buf : (const void *)"", len, &o);
}

ctune_status ctune_estimator_load_like_buffer(ctune_estimator **out, const void *buf, size_t len,
                                              const ctune_estimator *like)
{
    CTUNE_CHECK_NULL(out, "out");
    *out = NULL;
    CTUNE_CHECK_NULL(like, "like");
    if (!buf && len)
        return ctune_set_error(CTUNE_EINVAL, "ctune_estimator_load_like_buffer: buf is NULL");
    origin o = {like, NULL, NULL, NULL};
    return load_mem(out, buf ? buf : (const void *)"", len, &o);
}

/* Reads up to `n` bytes (fewer only at the end of the input); *got. */
static ctune_status read_upto(int fd, const char *path, unsigned char *b, size_t n, size_t *got)
{
    *got = 0;
    while (*got < n) {
        ssize_t k = read(fd, b + *got, n - *got);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            return io_error("cannot read model file", path, errno);
        }
        if (k == 0)
            break;
        *got += (size_t)k;
    }
    return CTUNE_OK;
}

/* Reads a model file into a ctune__malloc'd buffer. The header is read and
 * checked first, and no more bytes are read than it declares (plus one, to
 * tell trailing bytes): a stream such as /dev/zero fails at its first bytes,
 * and memory grows only with the bytes that really arrive. */
static ctune_status read_file(const char *path, unsigned char **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return io_error("cannot open model file", path, errno);
    const size_t H = CTUNE__MODEL_HEADER;
    unsigned char head[CTUNE__MODEL_HEADER];
    size_t n = 0;
    uint64_t body = 0;
    ctune_status rc = read_upto(fd, path, head, H, &n);
    if (rc == CTUNE_OK)
        rc = check_header(head, n, &body);
    if (rc != CTUNE_OK) {
        close(fd);
        return rc;
    }
    struct stat sb;
    int regular = fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode);
    size_t limit = H + (size_t)body + 4 + 1; /* checked by check_header */
    if (regular && (uint64_t)sb.st_size > (uint64_t)limit) {
        close(fd);
        return ctune_set_error(
            CTUNE_EFORMAT, "model file has %llu unexpected bytes after its end (byte %llu)",
            (unsigned long long)sb.st_size - (limit - 1), (unsigned long long)(limit - 1));
    }
    size_t cap = regular ? (size_t)sb.st_size + 1 : 65536;
    if (cap > limit)
        cap = limit;
    if (cap < H)
        cap = H;
    unsigned char *b = ctune__malloc(cap);
    rc = b ? CTUNE_OK : CTUNE_ENOMEM;
    if (b)
        memcpy(b, head, H);
    while (rc == CTUNE_OK && n < limit) {
        if (n == cap) {
            size_t grown = cap > SIZE_MAX / 2 ? SIZE_MAX : cap * 2;
            if (grown > limit)
                grown = limit;
            unsigned char *nb = ctune__realloc(b, grown);
            if (!nb) {
                rc = CTUNE_ENOMEM;
                break;
            }
            b = nb;
            cap = grown;
        }
        ssize_t got = read(fd, b + n, cap - n);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            rc = io_error("cannot read model file", path, errno);
        } else if (got == 0) {
            break;
        } else {
            n += (size_t)got;
        }
    }
    close(fd);
    if (rc == CTUNE_OK && n == limit)
        rc = ctune_set_error(CTUNE_EFORMAT,
                             "model file has unexpected bytes after its end "
                             "(byte %zu)",
                             limit - 1);
    if (rc != CTUNE_OK) {
        ctune__free(b);
        return rc;
    }
    *out = b;
    *len = n;
    return CTUNE_OK;
}

static ctune_status load_path(ctune_estimator **out, const char *path, origin *o)
{
    unsigned char *b;
    size_t len;
    ctune_status rc = read_file(path, &b, &len);
    if (rc == CTUNE_EFORMAT)
        ctune__error_prefix("%s", path);
    if (rc != CTUNE_OK)
        return rc;
    rc = load_mem(out, b, len, o);
    ctune__free(b);
    if (rc != CTUNE_OK && rc != CTUNE_ENOMEM)
        ctune__error_prefix("%s", path);
    return rc;
}

ctune_status ctune_estimator_load(ctune_estimator **out, const char *path,
                                  const ctune_estimator_vtable *vtable, void *user)
{
    CTUNE_CHECK_NULL(out, "out");
    *out = NULL;
    CTUNE_CHECK_NULL(path, "path");
    origin o = {NULL, vtable, user, NULL};
    return load_path(out, path, &o);
}

ctune_status ctune_estimator_load_like(ctune_estimator **out, const char *path,
                                       const ctune_estimator *like)
{
    CTUNE_CHECK_NULL(out, "out");
    *out = NULL;
    CTUNE_CHECK_NULL(path, "path");
    CTUNE_CHECK_NULL(like, "like");
    origin o = {like, NULL, NULL, NULL};
    return load_path(out, path, &o);
}
