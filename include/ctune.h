/*
 * ctune.h — the public API of ctune, an embeddable hyperparameter-tuning
 * library: estimators behind a vtable, a Keras-like neural-network engine,
 * cross-validation and randomized / grid search.
 *
 * Conventions (see docs/api-conventions.md):
 *  - Every fallible call returns a ctune_status: CTUNE_OK (0) or a negative
 *    code. On failure ctune_last_error() gives a message naming the problem.
 *  - Objects are created by ctune_*_new() / returned through `**out` and belong
 *    to the caller, who frees them with the matching *_free(); *_free(NULL) is
 *    a no-op. Pointers returned as values are borrowed: valid until the next
 *    mutating call on the same handle, unless documented otherwise.
 *  - Output arrays are caller-allocated; query functions give their size.
 *  - Only plain types cross the API (opaque handles, integers, doubles,
 *    const char *, pointers to caller arrays), so any FFI can call it.
 *  - Thread safety: distinct handles may be used from distinct threads
 *    concurrently; one handle must not be used from two threads at once.
 *    The error message is per thread.
 *  - The library never prints, aborts or exits.
 */
#ifndef CTUNE_H
#define CTUNE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32) && defined(CTUNE_BUILDING)
#define CTUNE_API __declspec(dllexport)
#elif defined(__GNUC__) && __GNUC__ >= 4
#define CTUNE_API __attribute__((visibility("default")))
#else
#define CTUNE_API
#endif

#if defined(__GNUC__)
#define CTUNE_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define CTUNE_PRINTF(fmt, args)
#endif

/* ========================================================================
 * Version
 * ======================================================================== */

#define CTUNE_VERSION_MAJOR 0
#define CTUNE_VERSION_MINOR 1
#define CTUNE_VERSION_PATCH 0
/** MAJOR * 10000 + MINOR * 100 + PATCH. */
#define CTUNE_VERSION_NUMBER \
    (CTUNE_VERSION_MAJOR * 10000 + CTUNE_VERSION_MINOR * 100 + CTUNE_VERSION_PATCH)

/** The library's version as "MAJOR.MINOR.PATCH" (static string; thread-safe).
 *  Compare with CTUNE_VERSION_* to detect a header/library mismatch. */
CTUNE_API const char *ctune_version_string(void);
/** The library's version as CTUNE_VERSION_NUMBER computes it (thread-safe). */
CTUNE_API int ctune_version_number(void);

/* ========================================================================
 * Status codes and errors
 * ======================================================================== */

/** Result of every fallible call. Codes are grouped by kind of failure. */
typedef int ctune_status;

enum {
    CTUNE_OK = 0,
    CTUNE_EINVAL = -1,     /**< invalid argument (NULL, out of range, unknown name) */
    CTUNE_EDATA = -2,      /**< invalid data (NaN/Inf, wrong shape, bad labels) */
    CTUNE_ESTATE = -3,     /**< wrong state (predict before fit, ...) */
    CTUNE_ENOMEM = -4,     /**< out of memory */
    CTUNE_EIO = -5,        /**< I/O failure (open, read, write) */
    CTUNE_EFORMAT = -6,    /**< malformed text or file (CSV, space text, model file) */
    CTUNE_ENUMERIC = -7,   /**< numeric failure (loss became NaN/Inf, singular) */
    CTUNE_EUSER = -8,      /**< a user callback returned non-zero */
    CTUNE_ECANCELLED = -9, /**< cancelled by a progress callback */
    CTUNE_EUNSUPPORTED = -10, /**< operation not supported by this estimator/build */
    CTUNE_EINTERNAL = -11  /**< internal error (a bug: please report) */
};

/** Static, never-NULL name of a status code ("invalid argument", ...).
 *  Unknown codes give "unknown status". Thread-safe. */
CTUNE_API const char *ctune_status_string(ctune_status code);

/** The message of the last failure on the calling thread; never NULL ("" if
 *  none). Borrowed: valid until the next ctune call on this thread. */
CTUNE_API const char *ctune_last_error(void);

/** The status code that went with ctune_last_error() (CTUNE_OK if none). */
CTUNE_API ctune_status ctune_last_error_code(void);

/** Sets the calling thread's error message, printf-style, and returns `code`,
 *  so a custom estimator or callback can write
 *  `return ctune_set_error(CTUNE_EDATA, "row %zu is bad", r);`.
 *  Messages longer than 1023 bytes are truncated. */
CTUNE_API ctune_status ctune_set_error(ctune_status code, const char *fmt, ...)
    CTUNE_PRINTF(2, 3);

/** Same as ctune_set_error() with a plain message (for FFI callers). */
CTUNE_API ctune_status ctune_set_error_str(ctune_status code, const char *message);

/** Clears the calling thread's error. */
CTUNE_API void ctune_clear_error(void);

/* ========================================================================
 * Allocation accounting
 *
 * Every allocation of the library goes through one internal allocator that
 * counts live blocks, so tests can check that nothing leaks and can make the
 * N-th allocation fail.
 * ======================================================================== */

/** Number of blocks currently allocated by the library (all threads). */
CTUNE_API int64_t ctune_alloc_live(void);

/** Total number of successful allocations since the process started. */
CTUNE_API int64_t ctune_alloc_total(void);

/** Test hook: the `n`-th allocation from now (1 = the next one) fails, as do
 *  all later ones if `sticky` is non-zero; n = 0 disables failures.
 *  Process-wide; meant for single-threaded tests. */
CTUNE_API void ctune_alloc_fail_at(int64_t n, int sticky);

/** Number of allocations that the test hook made fail so far. */
CTUNE_API int64_t ctune_alloc_failures(void);

/* ========================================================================
 * Random numbers
 *
 * A ctune_rng is a xoshiro256** generator. Independent streams are derived
 * from (seed, stream id): ctune_seed_derive() mixes a seed with ids through
 * SplitMix64, so the task (candidate c, fold f) of a search seeded s uses
 * ctune_seed_derive(ctune_seed_derive(s, c), f) whatever thread or MPI rank
 * runs it.
 * ======================================================================== */

typedef struct ctune_rng ctune_rng;

/** Mixes `seed` with `id` into a new, statistically independent seed. Pure. */
CTUNE_API uint64_t ctune_seed_derive(uint64_t seed, uint64_t id);

/** Creates a generator for stream `stream` of `seed`. Returns CTUNE_EINVAL on
 *  NULL out, CTUNE_ENOMEM. Free with ctune_rng_free(). */
CTUNE_API ctune_status ctune_rng_new(ctune_rng **out, uint64_t seed, uint64_t stream);
CTUNE_API void ctune_rng_free(ctune_rng *rng);
/** Next 64 random bits. */
CTUNE_API uint64_t ctune_rng_u64(ctune_rng *rng);
/** Uniform double in [0, 1) with 53 random bits. */
CTUNE_API double ctune_rng_uniform(ctune_rng *rng);
/** Uniform integer in [0, n) without modulo bias; 0 when n == 0. */
CTUNE_API uint64_t ctune_rng_below(ctune_rng *rng, uint64_t n);
/** Standard normal deviate (polar Box–Muller). */
CTUNE_API double ctune_rng_normal(ctune_rng *rng);

/* ========================================================================
 * Data views
 *
 * A ctune_data wraps caller arrays without copying: X is n_rows × n_cols,
 * row-major, element type float32 or float64, consecutive rows `row_stride`
 * elements apart; y is n_rows × n_targets float64, contiguous (may be absent,
 * e.g. for predict). The caller's arrays must outlive the view and every view
 * derived from it. A subset view (a fold) selects rows by index without
 * copying X. Views are immutable and may be shared by threads.
 * ======================================================================== */

typedef enum ctune_dtype { CTUNE_FLOAT32 = 1, CTUNE_FLOAT64 = 2 } ctune_dtype;

typedef struct ctune_data ctune_data;

/** Wraps X (dtype CTUNE_FLOAT32 or CTUNE_FLOAT64; n_rows × n_cols, consecutive
 *  rows `row_stride` elements apart, 0 meaning n_cols) and optionally y
 *  (n_rows × n_targets float64, NULL with n_targets 0 for none).
 *  No copy, no validation of values (see ctune_data_validate()).
 *  Errors: CTUNE_EINVAL (NULL X, n_cols 0, row_stride < n_cols, y NULL with
 *  n_targets > 0, unknown dtype), CTUNE_ENOMEM. n_rows may be 0. */
CTUNE_API ctune_status ctune_data_new(ctune_data **out, const void *X, int dtype,
                                      size_t n_rows, size_t n_cols, size_t row_stride,
                                      const double *y, size_t n_targets);

/** A view of rows `rows[0..n)` of `src` (indices into src, repeats allowed),
 *  without copying X or y. The index list is copied. `src` may be freed before
 *  the subset (views share the underlying arrays by reference count).
 *  Errors: CTUNE_EINVAL (index out of range: names it), CTUNE_ENOMEM. */
CTUNE_API ctune_status ctune_data_subset(ctune_data **out, const ctune_data *src,
                                         const size_t *rows, size_t n);

/** Releases a view (the caller's arrays are never freed unless the data was
 *  created by a loader that owns them). NULL is a no-op. */
CTUNE_API void ctune_data_free(ctune_data *data);

CTUNE_API size_t ctune_data_n_rows(const ctune_data *data);
CTUNE_API size_t ctune_data_n_cols(const ctune_data *data);
/** Number of targets (columns of y); 0 when the view has no y. */
CTUNE_API size_t ctune_data_n_targets(const ctune_data *data);
/** CTUNE_FLOAT32 or CTUNE_FLOAT64; 0 for NULL. */
CTUNE_API int ctune_data_dtype(const ctune_data *data);

/** Checks that every X value (and y value, when present) is finite.
 *  Returns CTUNE_EDATA naming the first offender, e.g.
 *  "X row 17, column 3 is NaN" (rows and columns counted from 0 in the view). */
CTUNE_API ctune_status ctune_data_validate(const ctune_data *data);

/** Copies X of the view's rows `rows[0..n)` (NULL rows = the first n rows)
 *  into `out` (n × n_cols, consecutive rows `ld` elements apart, ld >= n_cols),
 *  converting to float32 / float64. Errors: CTUNE_EINVAL. */
CTUNE_API ctune_status ctune_data_gather_f32(const ctune_data *data, const size_t *rows,
                                             size_t n, float *out, size_t ld);
CTUNE_API ctune_status ctune_data_gather_f64(const ctune_data *data, const size_t *rows,
                                             size_t n, double *out, size_t ld);
/** Copies y of rows `rows[0..n)` (NULL = first n) into out (n × n_targets).
 *  CTUNE_ESTATE-free: returns CTUNE_EINVAL when the view has no y. */
CTUNE_API ctune_status ctune_data_gather_y(const ctune_data *data, const size_t *rows,
                                           size_t n, double *out);

/** X[row][col] of the view as double (0 on out-of-range; check sizes first). */
CTUNE_API double ctune_data_x(const ctune_data *data, size_t row, size_t col);
/** y[row][target] of the view (NaN when absent or out of range). */
CTUNE_API double ctune_data_y(const ctune_data *data, size_t row, size_t target);

/* ========================================================================
 * Parameters and parameter specs
 *
 * A ctune_params is an ordered set of name → typed value (int, double,
 * string, bool or none). An estimator declares its parameters with a spec:
 * a static array of ctune_param_spec ended by an entry whose name is NULL.
 * ======================================================================== */

/** Value types; a spec's `types` is a bitwise OR of the accepted ones. */
enum {
    CTUNE_TYPE_INT = 1,
    CTUNE_TYPE_DOUBLE = 2,
    CTUNE_TYPE_STRING = 4,
    CTUNE_TYPE_BOOL = 8,
    CTUNE_TYPE_NONE = 16 /**< Python's None (e.g. max_depth=none) */
};

/** One declared parameter. All strings are static text.
 *  - types:   accepted value types (an int is accepted where only
 *             CTUNE_TYPE_DOUBLE is declared, and converted).
 *  - default_value: text form of the default ("16", "0.001", "adam", "true", "none").
 *  - range:   numeric interval for int/double values, e.g. "[1, inf)",
 *             "(0, 1)", "[0, 1]"; NULL for none.
 *  - choices: allowed strings separated by '|', e.g. "sgd|adam"; NULL = any.
 *  - doc:     one line of documentation. */
typedef struct ctune_param_spec {
    const char *name;
    unsigned types;
    const char *default_value;
    const char *range;
    const char *choices;
    const char *doc;
} ctune_param_spec;

typedef struct ctune_params ctune_params;

/** Creates an empty set. Free with ctune_params_free(). */
CTUNE_API ctune_status ctune_params_new(ctune_params **out);
CTUNE_API void ctune_params_free(ctune_params *params);
/** Deep copy. */
CTUNE_API ctune_status ctune_params_copy(ctune_params **out, const ctune_params *src);

/** Setters add or replace `name`. Names are [A-Za-z_][A-Za-z0-9_]* (a "__"
 *  separates pipeline steps). Strings are copied. */
CTUNE_API ctune_status ctune_params_set_int(ctune_params *p, const char *name, int64_t value);
CTUNE_API ctune_status ctune_params_set_double(ctune_params *p, const char *name, double value);
CTUNE_API ctune_status ctune_params_set_string(ctune_params *p, const char *name, const char *value);
CTUNE_API ctune_status ctune_params_set_bool(ctune_params *p, const char *name, int value);
CTUNE_API ctune_status ctune_params_set_none(ctune_params *p, const char *name);
/** Sets `name` from text, inferring the type: integer, then double, then
 *  true/false, then none, else string (quotes '...' or "..." force a string). */
CTUNE_API ctune_status ctune_params_set_text(ctune_params *p, const char *name, const char *text);
/** Copies every entry of `src` into `p` (replacing same names). */
CTUNE_API ctune_status ctune_params_update(ctune_params *p, const ctune_params *src);
/** Parses "key=value, key=value" (also ';' or newlines as separators) with
 *  ctune_params_set_text() semantics. Errors: CTUNE_EFORMAT naming the
 *  offending character offset. On error `p` is unchanged. */
CTUNE_API ctune_status ctune_params_parse(ctune_params *p, const char *text);
/** Removes `name`; CTUNE_EINVAL if absent. */
CTUNE_API ctune_status ctune_params_remove(ctune_params *p, const char *name);

CTUNE_API size_t ctune_params_count(const ctune_params *p);
/** Name of entry i (borrowed), NULL if out of range. */
CTUNE_API const char *ctune_params_name(const ctune_params *p, size_t i);
/** Index of `name`, or -1. */
CTUNE_API long ctune_params_find(const ctune_params *p, const char *name);
/** CTUNE_TYPE_* of `name`, 0 when absent. */
CTUNE_API int ctune_params_type(const ctune_params *p, const char *name);
/** Typed getters. Errors: CTUNE_EINVAL when absent (naming it) or of another
 *  type (get_double accepts an int; get_int accepts an integral double).
 *  get_string's result is borrowed from `p`. */
CTUNE_API ctune_status ctune_params_get_int(const ctune_params *p, const char *name, int64_t *out);
CTUNE_API ctune_status ctune_params_get_double(const ctune_params *p, const char *name, double *out);
CTUNE_API ctune_status ctune_params_get_string(const ctune_params *p, const char *name, const char **out);
CTUNE_API ctune_status ctune_params_get_bool(const ctune_params *p, const char *name, int *out);
/** 1 when `name` is present and none, else 0. */
CTUNE_API int ctune_params_is_none(const ctune_params *p, const char *name);
/** Text form of one value into buf (always NUL-terminated when cap > 0);
 *  returns the length it needs (excluding NUL), or a negative status. */
CTUNE_API long ctune_params_value_text(const ctune_params *p, const char *name, char *buf, size_t cap);
/** "k=v, k=v" text of the whole set (same return convention). */
CTUNE_API long ctune_params_to_text(const ctune_params *p, char *buf, size_t cap);
/** 1 when both sets hold the same names with equal values (order ignored). */
CTUNE_API int ctune_params_equal(const ctune_params *a, const ctune_params *b);

/** Fills `out` with every spec entry's default. */
CTUNE_API ctune_status ctune_params_from_spec(ctune_params **out, const ctune_param_spec *spec);
/** Checks one value against its spec entry (type, range, choices); the
 *  message names the parameter, the value and what is allowed. An int is
 *  converted to double in `p` where the spec wants a double. */
CTUNE_API ctune_status ctune_params_check(ctune_params *p, const ctune_param_spec *spec);
/** Number of entries in a spec (up to the NULL name). */
CTUNE_API size_t ctune_spec_count(const ctune_param_spec *spec);

/* ========================================================================
 * Estimators
 *
 * An estimator is an opaque handle around a vtable, its parameters and its
 * fitted state (scikit-learn's contract: construction only stores params;
 * fit does the work; clone copies params, not the fit).
 * ======================================================================== */

/** What an estimator predicts (ctune_estimator_kind() returns one). */
typedef enum ctune_kind {
    CTUNE_CLASSIFIER = 1,
    CTUNE_REGRESSOR = 2,
    CTUNE_TRANSFORMER = 3
} ctune_kind;

typedef struct ctune_estimator ctune_estimator;

/** Context of one fit, given by the library to an estimator's fit: the
 *  thread budget and the RNG stream of the task. Read with the accessors. */
typedef struct ctune_fit_ctx ctune_fit_ctx;

/** Threads this fit may use for its own computation (>= 1). An estimator
 *  that runs BLIS or its own threads must not exceed it. */
CTUNE_API int ctune_fit_ctx_threads(const ctune_fit_ctx *ctx);
/** The seed a fit should use given the estimator's own `seed` param: the
 *  param itself outside a search, derived from it and the task's stream
 *  inside one (so each task is reproducible whatever thread runs it). */
CTUNE_API uint64_t ctune_fit_ctx_seed(const ctune_fit_ctx *ctx, uint64_t own_seed);
/** 1 when the work this fit belongs to was cancelled (a long fit may poll it
 *  and return CTUNE_ECANCELLED). */
CTUNE_API int ctune_fit_ctx_cancelled(const ctune_fit_ctx *ctx);

/** Byte streams for estimator persistence (see the I/O section). */
typedef struct ctune_writer ctune_writer;
typedef struct ctune_reader ctune_reader;

#define CTUNE_ESTIMATOR_VTABLE_VERSION 1

/** The estimator vtable (the sqlite3_module pattern): a version first,
 *  methods only ever appended; optional methods may be NULL.
 *
 *  `self` is the estimator's instance, created by `create` from the current
 *  params each time the handle is fitted and released by `destroy`.
 *  For a classifier the library maps labels: `fit` receives y as class codes
 *  0..n_classes-1 (as doubles) and `predict` must return codes; the handle
 *  maps them back to the caller's labels. Methods report failures through
 *  ctune_set_error() and return its status. */
typedef struct ctune_estimator_vtable {
    unsigned version;               /**< CTUNE_ESTIMATOR_VTABLE_VERSION */
    const char *name;               /**< e.g. "DummyClassifier" */
    int kind;                       /**< a ctune_kind */
    const ctune_param_spec *params; /**< NULL-name-terminated; may be NULL for none */

    /** Creates an unfitted instance from validated params. `user` is the
     *  pointer given to ctune_estimator_new(). Required. */
    ctune_status (*create)(void **self, const ctune_params *params, void *user);
    /** Fits on `train` (y as class codes for classifiers; n_classes > 0 for
     *  classifiers, 0 otherwise). Required. */
    ctune_status (*fit)(void *self, const ctune_data *train, size_t n_classes,
                        const ctune_fit_ctx *ctx);
    /** Writes n_rows × n_outputs predictions (class codes for classifiers;
     *  n_outputs is 1 for classifiers, the number of fitted targets for
     *  regressors). Required for classifiers and regressors. */
    ctune_status (*predict)(void *self, const ctune_data *X, double *out);
    /** Writes n_rows × n_classes probabilities. Optional (classifiers). */
    ctune_status (*predict_proba)(void *self, const ctune_data *X, double *out);
    /** Own score on data with y (original labels already mapped to codes).
     *  Optional: the default is accuracy / R². */
    ctune_status (*score)(void *self, const ctune_data *data, double *out);
    /** Transformers: number of output columns once fitted. */
    size_t (*n_features_out)(const void *self);
    /** Transformers: writes n_rows × n_features_out into out. */
    ctune_status (*transform)(void *self, const ctune_data *X, double *out);
    /** Optional inverse of transform (n_rows × n_features_in). */
    ctune_status (*inverse_transform)(void *self, const ctune_data *X, double *out);
    /** Optional persistence of the fitted state. */
    ctune_status (*save)(const void *self, ctune_writer *w);
    ctune_status (*load)(void **self, const ctune_params *params, ctune_reader *r, void *user);
    /** Releases the instance. Required. */
    void (*destroy)(void *self);
    /** Optional: number of regression outputs learned at fit (default: y's
     *  number of targets). Reserved for multi-output regressors. */
    size_t (*n_outputs)(const void *self);
    /** Optional reference counting of the `user` pointer, for estimators
     *  whose user data (and even vtable) is allocated per estimator family:
     *  ctune_estimator_new() adopts one reference from its caller,
     *  ctune_estimator_clone() calls user_retain(user), and
     *  ctune_estimator_free() calls user_release(user) last (after which the
     *  handle touches neither the vtable nor user). Both or neither. */
    void (*user_retain)(void *user);
    void (*user_release)(void *user);
} ctune_estimator_vtable;

/** Creates an estimator with the spec's defaults. `vtable` must outlive the
 *  handle (typically static). `user` is handed to create/load; with
 *  user_retain/user_release in the vtable the handle adopts the caller's
 *  reference, also when this call fails.
 *  Errors: CTUNE_EINVAL (NULL or incomplete vtable, wrong version, a spec
 *  whose defaults do not parse), CTUNE_ENOMEM. */
CTUNE_API ctune_status ctune_estimator_new(ctune_estimator **out,
                                           const ctune_estimator_vtable *vtable, void *user);
/** Frees the handle, its params and its fitted state. NULL is a no-op. */
CTUNE_API void ctune_estimator_free(ctune_estimator *est);

/** Vtable name (borrowed, static). */
CTUNE_API const char *ctune_estimator_name(const ctune_estimator *est);
CTUNE_API int ctune_estimator_kind(const ctune_estimator *est);
CTUNE_API const ctune_estimator_vtable *ctune_estimator_vtable_of(const ctune_estimator *est);
/** The user pointer given at creation. */
CTUNE_API void *ctune_estimator_user(const ctune_estimator *est);
/** 1 when fitted. */
CTUNE_API int ctune_estimator_is_fitted(const ctune_estimator *est);

/** Same vtable, user and copy of params; unfitted. */
CTUNE_API ctune_status ctune_estimator_clone(ctune_estimator **out, const ctune_estimator *src);
/** Validates every entry of `params` against the spec (unknown names are
 *  CTUNE_EINVAL listing the known ones; wrong types and out-of-range values
 *  name the parameter) and, if all pass, applies them and drops the fitted
 *  state. On error nothing changes. */
CTUNE_API ctune_status ctune_estimator_set_params(ctune_estimator *est, const ctune_params *params);
/** Same from a "key=value, key=value" string. */
CTUNE_API ctune_status ctune_estimator_set_params_text(ctune_estimator *est, const char *text);
/** Current params (every declared parameter). Borrowed: valid until the next
 *  set_params or free of `est`. */
CTUNE_API const ctune_params *ctune_estimator_get_params(const ctune_estimator *est);
/** Checks one name=value against the spec without applying it. */
CTUNE_API ctune_status ctune_estimator_check_params(const ctune_estimator *est, const ctune_params *params);

/** Fits on `data` (y required; X and y validated finite; classifier labels
 *  must be integer-valued). Replaces any previous fit. */
CTUNE_API ctune_status ctune_estimator_fit(ctune_estimator *est, const ctune_data *data);
/** fit with a context: threads (>= 1, 0 = default 1) and a task stream id
 *  mixed into the seed (0 = use the estimator's seed as is). */
CTUNE_API ctune_status ctune_estimator_fit_ex(ctune_estimator *est, const ctune_data *data,
                                              int threads, uint64_t stream);

/** Number of classes found at fit (classifiers), 0 otherwise or unfitted. */
CTUNE_API size_t ctune_estimator_n_classes(const ctune_estimator *est);
/** The class labels in sorted order into out[0..n_classes). */
CTUNE_API ctune_status ctune_estimator_classes(const ctune_estimator *est, double *out);
/** Number of features seen at fit (0 when unfitted). */
CTUNE_API size_t ctune_estimator_n_features_in(const ctune_estimator *est);
/** Columns of predict's output: 1 for classifiers, the targets for regressors,
 *  n_features_out for transformers (0 when unfitted). */
CTUNE_API size_t ctune_estimator_n_outputs(const ctune_estimator *est);

/** Predicts n_rows × n_outputs values into out (original labels for
 *  classifiers). Errors: CTUNE_ESTATE before fit, CTUNE_EDATA on a feature
 *  count mismatch or non-finite X, CTUNE_EINVAL on NULLs. */
CTUNE_API ctune_status ctune_estimator_predict(ctune_estimator *est, const ctune_data *X, double *out);
/** n_rows × n_classes probabilities (classes in ctune_estimator_classes()
 *  order). CTUNE_EUNSUPPORTED when the estimator has none. */
CTUNE_API ctune_status ctune_estimator_predict_proba(ctune_estimator *est, const ctune_data *X, double *out);
/** Default score on labelled data: the estimator's own, else accuracy for
 *  classifiers and R² for regressors. */
CTUNE_API ctune_status ctune_estimator_score(ctune_estimator *est, const ctune_data *data, double *out);
/** Transformers: n_rows × ctune_estimator_n_outputs() into out. */
CTUNE_API ctune_status ctune_estimator_transform(ctune_estimator *est, const ctune_data *X, double *out);
CTUNE_API ctune_status ctune_estimator_inverse_transform(ctune_estimator *est, const ctune_data *X, double *out);

/* ---- NN ENGINE (lib/nn) ------------------------------------------------ */
/* A Keras-like Sequential model: Dense and Dropout layers, compiled with an
 * optimizer, a loss and metrics, trained with minibatches on a ctune_data.
 * Every name (activation, initializer, loss, optimizer, metric, option) is
 * Keras' name, so a builder can pass strings straight from a parameter
 * search; names are matched case-insensitively. Computation is float32;
 * forward and backward passes are BLIS GEMMs. See docs/nn.md.
 *
 * Typical use:
 *   ctune_model *m;
 *   ctune_model_new(&m);
 *   ctune_model_add_dense(m, 16, "relu", NULL);
 *   ctune_model_add_dense(m, 2, "softmax", NULL);
 *   ctune_model_compile(m, "adam", "sparse_categorical_crossentropy",
 *                       "learning_rate=0.001, metrics=accuracy");
 *   ctune_model_fit(m, train, 10, 32, "validation_split=0.2");
 *   ctune_model_predict(m, test, proba);   // n × 2 probabilities
 *   ctune_model_free(m);
 *
 * Thread safety: a model must not be used from two threads at once;
 * distinct models may be trained concurrently (each uses at most the number
 * of BLIS threads given to ctune_model_set_threads()). */

typedef struct ctune_model ctune_model;

/** Creates an empty model (no layers, not compiled, seed 0, 1 thread).
 *  Free with ctune_model_free(). Errors: CTUNE_EINVAL (NULL out), CTUNE_ENOMEM. */
CTUNE_API ctune_status ctune_model_new(ctune_model **out);
/** Frees the model and everything it owns. NULL is a no-op. */
CTUNE_API void ctune_model_free(ctune_model *m);

/** Appends a Dense layer of `units` outputs with `activation` (NULL or ""
 *  means "linear"). `options` is NULL or "key=value" text with:
 *  kernel_initializer (default glorot_uniform), bias_initializer (zeros),
 *  use_bias (true), l1 (0), l2 (0) — the L1/L2 kernel regularization
 *  factors, added to the loss as l1·Σ|W| + l2·ΣW² as Keras does.
 *  The input width of the first layer is taken from the data at the first
 *  fit (or from ctune_model_build()).
 *  Errors: CTUNE_EINVAL (units < 1, unknown activation / initializer /
 *  option: the message lists the known names; negative l1/l2),
 *  CTUNE_ESTATE (the model is already built), CTUNE_EFORMAT, CTUNE_ENOMEM. */
CTUNE_API ctune_status ctune_model_add_dense(ctune_model *m, int64_t units, const char *activation,
                                             const char *options);
/** Appends an inverted Dropout layer: during fit each input is zeroed with
 *  probability `rate` and the rest scaled by 1/(1-rate); inactive in
 *  predict and evaluate. Errors: CTUNE_EINVAL (rate outside [0, 1), NaN;
 *  a Dropout as first layer is allowed), CTUNE_ESTATE (already built). */
CTUNE_API ctune_status ctune_model_add_dropout(ctune_model *m, double rate);

/** Sets the optimizer (sgd, adam, adamw, rmsprop, adagrad, adadelta, adamax,
 *  nadam), the loss (binary_crossentropy, categorical_crossentropy,
 *  sparse_categorical_crossentropy, mean_squared_error / mse,
 *  mean_absolute_error / mae, huber) and options, e.g.
 *  "learning_rate=0.01, momentum=0.9, nesterov=true, clipnorm=1,
 *   metrics=accuracy". Optimizer options and defaults are Keras':
 *  learning_rate, momentum, nesterov, beta_1, beta_2, epsilon, amsgrad,
 *  rho, centered, initial_accumulator_value, weight_decay, clipnorm,
 *  clipvalue, global_clipnorm (see docs/nn.md for each default).
 *  metrics: names separated by '|' or spaces, from accuracy (acc),
 *  binary_accuracy, categorical_accuracy, sparse_categorical_accuracy,
 *  mse, mae (long names accepted); "accuracy" resolves as in Keras.
 *  May be called before layers are complete or before the input width is
 *  known; calling it again replaces the configuration and resets the
 *  optimizer's state. Errors: CTUNE_EINVAL (unknown names or options,
 *  listing the known ones; out-of-range values), CTUNE_EFORMAT. */
CTUNE_API ctune_status ctune_model_compile(ctune_model *m, const char *optimizer, const char *loss,
                                           const char *options);

/** Builds the weights for inputs of `input_dim` columns (Keras' build),
 *  drawing initial weights from the model's seed. Not needed before fit,
 *  which builds on first use. Errors: CTUNE_EINVAL (input_dim 0),
 *  CTUNE_ESTATE (no layers; already built for another width), CTUNE_ENOMEM. */
CTUNE_API ctune_status ctune_model_build(ctune_model *m, size_t input_dim);

/** Epoch callback: called after each epoch (0-based `epoch`) with the
 *  history already holding that epoch. Return 0 to continue; non-zero stops
 *  training (see ctune_model_fit_ex() for the status). */
typedef int (*ctune_epoch_callback)(const ctune_model *m, int epoch, void *user);

/** Trains for `epochs` (>= 0) with minibatches of `batch_size` (>= 1; the
 *  last partial batch is kept). `data` needs y: class codes 0..K-1 (n × 1)
 *  for sparse_categorical_crossentropy and categorical_crossentropy (which
 *  also takes n × K one-hot rows), n × units values in [0, 1] for
 *  binary_crossentropy, n × units targets for regression losses. X may be
 *  float32 or float64. `options` is NULL or "key=value" text with:
 *  shuffle (true), validation_split (0; the last fraction of the rows,
 *  taken before shuffling, as Keras), seed (re-seeds the model as
 *  ctune_model_set_seed() would), verbose (accepted, ignored),
 *  early_stopping_patience (enables EarlyStopping), monitor (val_loss;
 *  an error when not recorded), min_delta (0), mode (auto|min|max),
 *  restore_best_weights (false).
 *  Weights and optimizer state carry over between fits, as in Keras; the
 *  history is replaced. No allocation happens inside the batch loop.
 *  Errors: CTUNE_EINVAL (NULLs, batch_size < 1, epochs < 0, bad options),
 *  CTUNE_ESTATE (no layers, not compiled, last layer a Dropout),
 *  CTUNE_EDATA (no y, wrong y width, a label outside the output layer —
 *  naming the row and both numbers —, NaN/Inf in X or y, width mismatch
 *  with the built model, too few rows for validation_split),
 *  CTUNE_ENUMERIC (the loss became NaN/Inf: names epoch and batch; the
 *  weights are then those of the failing step), CTUNE_ENOMEM. */
CTUNE_API ctune_status ctune_model_fit(ctune_model *m, const ctune_data *data, int64_t epochs,
                                       int64_t batch_size, const char *options);
/** fit with explicit validation data (NULL for none; it overrides
 *  validation_split) and an epoch callback (NULL for none). When the
 *  callback returns non-zero, training stops after that epoch; the model
 *  keeps the weights and history of the epochs run and fit returns the
 *  callback's value when it is a negative ctune_status (its message kept),
 *  else CTUNE_EUSER ("stopped by the epoch callback after epoch N").
 *  EarlyStopping is not an error: fit returns CTUNE_OK. */
CTUNE_API ctune_status ctune_model_fit_ex(ctune_model *m, const ctune_data *data,
                                          const ctune_data *validation, int64_t epochs,
                                          int64_t batch_size, const char *options,
                                          ctune_epoch_callback callback, void *user);

/** Writes n_rows × ctune_model_n_outputs() outputs of the built model into
 *  `out` (row-major; softmax and sigmoid outputs are probabilities).
 *  Errors: CTUNE_EINVAL (NULLs), CTUNE_ESTATE (not built), CTUNE_EDATA
 *  (column count mismatch, NaN/Inf in X), CTUNE_ENOMEM. */
CTUNE_API ctune_status ctune_model_predict(ctune_model *m, const ctune_data *X, double *out);
/** Mean loss (with regularization, as Keras) and the first compiled metric
 *  (NaN when none) on labelled data, in inference mode. `out_metric` may be
 *  NULL. Errors: as fit's data errors, CTUNE_ESTATE (not built/compiled). */
CTUNE_API ctune_status ctune_model_evaluate(ctune_model *m, const ctune_data *data,
                                            double *out_loss, double *out_metric);

/** Number of layers added. */
CTUNE_API size_t ctune_model_n_layers(const ctune_model *m);
/** Output units of the last Dense layer (the columns of predict), 0 if none. */
CTUNE_API size_t ctune_model_n_outputs(const ctune_model *m);
/** Input width (0 until built). */
CTUNE_API size_t ctune_model_input_dim(const ctune_model *m);
/** Canonical Keras name of the compiled loss and of the output activation
 *  (static strings), NULL when not compiled / no Dense layer. */
CTUNE_API const char *ctune_model_loss(const ctune_model *m);
CTUNE_API const char *ctune_model_output_activation(const ctune_model *m);

/** Epochs recorded by the last fit (the history is replaced by each fit). */
CTUNE_API size_t ctune_model_history_len(const ctune_model *m);
/** Number of history keys and the i-th ("loss", metrics as named at
 *  compile, then "val_loss", "val_<metric>" when validating). Borrowed:
 *  valid until the next compile/fit/free. NULL out of range. */
CTUNE_API size_t ctune_model_history_n_keys(const ctune_model *m);
CTUNE_API const char *ctune_model_history_key(const ctune_model *m, size_t i);
/** History value `key` at `epoch` (0-based). Errors: CTUNE_EINVAL (unknown
 *  key, listing the known ones; epoch out of range; NULLs). */
CTUNE_API ctune_status ctune_model_history_value(const ctune_model *m, const char *key,
                                                 size_t epoch, double *out);

/** Number of float32 weights (0 until built). Order, per Dense layer: the
 *  kernel (inputs × units, row-major, as Keras' get_weights()), then the
 *  bias (units) when use_bias. */
CTUNE_API size_t ctune_model_n_params(const ctune_model *m);
/** Copies all weights into out[0..n_params). CTUNE_ESTATE when not built. */
CTUNE_API ctune_status ctune_model_get_weights(const ctune_model *m, float *out);
/** Replaces all weights from in[0..n_params) (the optimizer state is kept).
 *  CTUNE_ESTATE when not built, CTUNE_EDATA for a non-finite value. */
CTUNE_API ctune_status ctune_model_set_weights(ctune_model *m, const float *in);

/** Number of BLIS threads for this model's products (>= 1; default 1).
 *  Applied per call; no global state is touched. CTUNE_EINVAL when < 1. */
CTUNE_API ctune_status ctune_model_set_threads(ctune_model *m, int threads);
/** Seeds the model: the initial weights (when not yet built), the epoch
 *  shuffles and the dropout masks derive from it. The same seed and calls
 *  give bit-identical weights, history and predictions (for a given thread
 *  count and machine). Default seed: 0. */
CTUNE_API ctune_status ctune_model_set_seed(ctune_model *m, uint64_t seed);

/** Known names (static strings; NULL out of range), for messages and UIs. */
CTUNE_API const char *ctune_nn_activation_name(size_t i);
CTUNE_API const char *ctune_nn_initializer_name(size_t i);
CTUNE_API const char *ctune_nn_loss_name(size_t i);
CTUNE_API const char *ctune_nn_optimizer_name(size_t i);
CTUNE_API const char *ctune_nn_metric_name(size_t i);
/* ---- END NN ENGINE ----------------------------------------------------- */

/* ---- KERAS-STYLE ESTIMATORS (lib/estimators/keras*) -------------------- */


/** The model-builder callback: the C form of Keras' `create_model(...)`.
 *  It receives the current values of the parameters declared in its spec
 *  (read them by name with ctune_params_get_*), plus scikeras' meta values
 *  `n_features_in_` (int), `n_classes_` (int, classifiers) and `n_outputs_`
 *  (int: regression targets, 1 for classifiers); it adds layers to the empty
 *  `model` and compiles it. Return CTUNE_OK, or a status with a message set
 *  through ctune_set_error(): the fit then fails with that status and
 *  message. Called once per fit, never at construction or clone; it may run
 *  on a search's worker threads concurrently for different estimators. */
typedef ctune_status (*ctune_build_fn)(const ctune_params *params, ctune_model *model, void *user);

/** Creates a KerasClassifier / KerasRegressor around `build`.
 *  `builder_spec` declares the builder's parameters (NULL-name-terminated,
 *  must outlive the estimator and its clones; NULL for none): these and the
 *  wrapper's own training params form the estimator's params:
 *    epochs (int, 1), batch_size (int, 32), shuffle (bool, true),
 *    validation_split (double, 0), verbose (int, 0: 1 logs one line per epoch
 *    through ctune_set_log_callback()), seed (int, 0),
 *    early_stopping (bool, false), monitor (string, "val_loss" when
 *    validation_split > 0 else "loss"), patience (int, 0), min_delta (double, 0),
 *    restore_best_weights (bool, false).
 *  Training params go to the fit; every other param goes to the builder.
 *  Errors: CTUNE_EINVAL (NULL build or out; a builder param named like a
 *  training param, naming it; an invalid builder spec default), CTUNE_ENOMEM.
 *  `user` is handed to every build call and must outlive all clones. */
CTUNE_API ctune_status ctune_keras_classifier_new(ctune_estimator **out, ctune_build_fn build,
                                                  const ctune_param_spec *builder_spec, void *user);
CTUNE_API ctune_status ctune_keras_regressor_new(ctune_estimator **out, ctune_build_fn build,
                                                 const ctune_param_spec *builder_spec, void *user);

/** The fitted Keras model of a Keras-style estimator (borrowed; valid until
 *  the next fit/set_params/free of `est`), e.g. to read its history.
 *  NULL when unfitted or not a Keras-style estimator. */
CTUNE_API const ctune_model *ctune_keras_model(const ctune_estimator *est);

/** The built-in MLP builder usable without any callback (FFI, CLI): the
 *  lecture's create_model plus what users tune next. Parameters:
 *    nl (int, 1: hidden layers), nn (int, 16: units per hidden layer),
 *    activation ("relu"), optimizer ("adam"), learning_rate (double, 0.001),
 *    momentum (double, 0: sgd and rmsprop only), dropout (double, 0: after each
 *    hidden layer), l2 (double, 0: kernel regularization of every layer),
 *    kernel_initializer ("glorot_uniform").
 *  The output layer and loss follow the task: 2 classes → 1 sigmoid unit +
 *  binary_crossentropy; k > 2 classes → k softmax units +
 *  sparse_categorical_crossentropy; regression → n_outputs_ linear units +
 *  mean_squared_error. */
CTUNE_API ctune_status ctune_mlp_build(const ctune_params *params, ctune_model *model, void *user);
/** The MLP builder's spec (static). */
CTUNE_API const ctune_param_spec *ctune_mlp_spec(void);
/** KerasClassifier / KerasRegressor with the built-in MLP builder
 *  (estimator names "MLPClassifier" / "MLPRegressor"). */
CTUNE_API ctune_status ctune_mlp_classifier_new(ctune_estimator **out);
CTUNE_API ctune_status ctune_mlp_regressor_new(ctune_estimator **out);

/** Receives the library's optional log lines (level 0 info, 1 warning), e.g.
 *  the per-epoch lines of verbose Keras-style fits. The library itself never
 *  prints: without a callback the lines are dropped. Process-wide; `fn` may be
 *  called from worker threads concurrently. NULL removes the callback. */
typedef void (*ctune_log_fn)(int level, const char *message, void *user);
CTUNE_API void ctune_set_log_callback(ctune_log_fn fn, void *user);
/* ---- END KERAS-STYLE ESTIMATORS ---------------------------------------- */

/* ---- METRICS AND SCORERS (lib/core/metrics.c) -------------------------- */

/** Fraction of positions where y_pred equals y_true (n > 0).
 *  Errors: CTUNE_EINVAL (NULL, n == 0), CTUNE_EDATA (a NaN/Inf label). */
CTUNE_API ctune_status ctune_metric_accuracy(const double *y_true, const double *y_pred, size_t n,
                                             double *out);
/** Coefficient of determination R², averaged uniformly over `n_targets`
 *  columns (row-major n × n_targets arrays). A constant y_true column scores
 *  1 when predicted exactly, else 0 (scikit-learn's convention).
 *  Errors: CTUNE_EINVAL (NULL, n or n_targets 0), CTUNE_EDATA (NaN/Inf). */
CTUNE_API ctune_status ctune_metric_r2(const double *y_true, const double *y_pred, size_t n,
                                       size_t n_targets, double *out);

/* Metrics below follow scikit-learn's definitions (sklearn.metrics) and the
 * same conventions as the two above: arrays are caller-owned and only read;
 * the result goes to *out; labels are any finite doubles compared exactly.
 * Errors: CTUNE_EINVAL (NULL, n == 0, bad option, a metric that is undefined
 * on these labels), CTUNE_EDATA (a NaN/Inf value, naming the array and row),
 * CTUNE_ENOMEM (the label-set metrics allocate O(n) scratch).
 * All are pure and thread-safe. See docs/metrics.md. */

/** How precision / recall / F1 combine classes. */
typedef enum ctune_average {
    CTUNE_AVERAGE_BINARY = 1, /**< the class `pos_label` only (at most 2 labels in y) */
    CTUNE_AVERAGE_MACRO = 2   /**< unweighted mean over the labels of y_true ∪ y_pred */
} ctune_average;

/** Balanced accuracy: the mean over the classes present in y_true of the
 *  recall of each (predictions of classes absent from y_true are ignored,
 *  as scikit-learn's balanced_accuracy_score with adjusted=False). */
CTUNE_API ctune_status ctune_metric_balanced_accuracy(const double *y_true, const double *y_pred,
                                                      size_t n, double *out);
/** Log loss (cross-entropy): mean over rows of -log p[i][y_true[i]].
 *  `y_true` holds class codes 0..k-1 (not labels); `proba` is n × k
 *  row-major. As scikit-learn (eps = 1e-15), every probability is clipped
 *  to [1e-15, 1 - 1e-15] and each row renormalized to sum to 1 before the
 *  log. Errors: CTUNE_EDATA for a code outside 0..k-1 (naming the row) or a
 *  non-finite probability. */
CTUNE_API ctune_status ctune_metric_log_loss(const double *y_true, const double *proba, size_t n,
                                             size_t k, double *out);
/** Precision tp / (tp + fp), recall tp / (tp + fn) and F1
 *  2tp / (2tp + fp + fn) with `average` a ctune_average:
 *  - CTUNE_AVERAGE_BINARY: of the class `pos_label`. The labels of y_true
 *    and y_pred together must be at most 2, and contain pos_label when they
 *    are 2 (else CTUNE_EINVAL, naming them).
 *  - CTUNE_AVERAGE_MACRO: unweighted mean over every label of y_true ∪ y_pred
 *    (pos_label is ignored).
 *  An undefined ratio (0 / 0) counts as 0 (scikit-learn's zero_division). */
CTUNE_API ctune_status ctune_metric_precision(const double *y_true, const double *y_pred, size_t n,
                                              int average, double pos_label, double *out);
CTUNE_API ctune_status ctune_metric_recall(const double *y_true, const double *y_pred, size_t n,
                                           int average, double pos_label, double *out);
CTUNE_API ctune_status ctune_metric_f1(const double *y_true, const double *y_pred, size_t n,
                                       int average, double pos_label, double *out);
/** Binary ROC AUC of scores `y_score` (greater = more positive) against
 *  y_true, whose samples equal to `pos_label` are positive (scikit-learn's
 *  roc_auc_score takes the larger of the two labels). Area under the ROC
 *  curve by the trapezoid rule over the distinct thresholds, so tied scores
 *  count half, exactly as roc_curve + auc. Errors: CTUNE_EINVAL when y_true
 *  holds a third label (multiclass is not supported) or only one class. */
CTUNE_API ctune_status ctune_metric_roc_auc(const double *y_true, const double *y_score, size_t n,
                                            double pos_label, double *out);
/** Mean squared error, mean absolute error and root mean squared error of
 *  n × n_targets row-major arrays, averaged uniformly over the targets (RMSE
 *  takes the root per target first, as scikit-learn's
 *  root_mean_squared_error). */
CTUNE_API ctune_status ctune_metric_mse(const double *y_true, const double *y_pred, size_t n,
                                        size_t n_targets, double *out);
CTUNE_API ctune_status ctune_metric_mae(const double *y_true, const double *y_pred, size_t n,
                                        size_t n_targets, double *out);
CTUNE_API ctune_status ctune_metric_rmse(const double *y_true, const double *y_pred, size_t n,
                                         size_t n_targets, double *out);

/** Scorers, by scikit-learn's names: a scorer turns (fitted estimator,
 *  labelled data) into a number where greater is better ("neg_*" scorers
 *  negate a loss). Known names are listed by ctune_scorer_name():
 *  classifiers: accuracy, balanced_accuracy, f1, f1_macro, neg_log_loss,
 *  precision, precision_macro, recall, recall_macro, roc_auc;
 *  regressors: neg_mean_absolute_error, neg_mean_squared_error,
 *  neg_root_mean_squared_error, r2.
 *  The binary scorers (f1, precision, recall, roc_auc) need a classifier
 *  fitted on exactly 2 classes and take the larger class label as positive
 *  (scikit-learn's pos_label=1 for labels {0, 1}); roc_auc scores with
 *  predict_proba's column of that class. neg_log_loss and roc_auc need
 *  predict_proba, and a y label the classifier did not see at fit is
 *  CTUNE_EDATA naming the row. See docs/metrics.md.
 *  `scorer` NULL or "" means the estimator's default score
 *  (ctune_estimator_score()).
 *  Errors: CTUNE_EINVAL for an unknown name (listing the known ones), or a
 *  scorer that does not fit the estimator (e.g. "roc_auc" on 3 classes, a
 *  classification scorer on a regressor); errors of predict/predict_proba. */
CTUNE_API ctune_status ctune_score(ctune_estimator *est, const char *scorer, const ctune_data *data,
                                   double *out);
/** CTUNE_OK when `scorer` names a known scorer, else CTUNE_EINVAL listing them. */
CTUNE_API ctune_status ctune_scorer_check(const char *scorer);
/** Number of known scorers, and the i-th name (static; NULL out of range). */
CTUNE_API size_t ctune_scorer_count(void);
CTUNE_API const char *ctune_scorer_name(size_t i);
/* ---- END METRICS AND SCORERS ------------------------------------------- */

/* ---- BUILT-IN ESTIMATORS: DUMMY (lib/estimators/dummy.c) --------------- */
/* Baselines that ignore X, as scikit-learn's sklearn.dummy (see
 * docs/custom-estimators.md; their source, lib/estimators/dummy.c, is the
 * smallest example of the vtable).
 *
 * DummyClassifier params:
 *  - strategy (string, default "prior"):
 *      most_frequent: predict the most frequent training label (ties: the
 *                     smallest); predict_proba is one-hot on it;
 *      prior:         predict as most_frequent; predict_proba is the class
 *                     prior (training frequencies);
 *      stratified:    predict a label drawn from the class prior; predict_proba
 *                     is one-hot on the drawn class;
 *      uniform:       predict a label drawn uniformly among the classes;
 *                     predict_proba is 1/n_classes everywhere.
 *  - seed (int >= 0, default 0): seed of the draws, used through
 *    ctune_fit_ctx_seed() (so a search task derives its own stream). Each
 *    row's draw is a function of the fitted seed and the row's values only:
 *    predicting a row alone or in any batch gives the same label.
 * DummyRegressor params:
 *  - strategy (string, default "mean"): mean | median (numpy's median: the
 *    mean of the two middle values for an even count) | constant, per target;
 *  - constant (double or none, default none): the value predicted for every
 *    target by strategy=constant; fit fails with CTUNE_EINVAL when it is none.
 */

/** A DummyClassifier / DummyRegressor with default params. Free with
 *  ctune_estimator_free(). Errors: CTUNE_EINVAL (NULL out), CTUNE_ENOMEM. */
CTUNE_API ctune_status ctune_dummy_classifier_new(ctune_estimator **out);
CTUNE_API ctune_status ctune_dummy_regressor_new(ctune_estimator **out);
/** Their vtables (static; for ctune_estimator_new() with a user pointer, or
 *  to wrap or compare). Never NULL. Thread-safe. */
CTUNE_API const ctune_estimator_vtable *ctune_dummy_classifier_vtable(void);
CTUNE_API const ctune_estimator_vtable *ctune_dummy_regressor_vtable(void);
/* ---- END BUILT-IN ESTIMATORS: DUMMY ------------------------------------ */

/* ---- BUILT-IN ESTIMATORS: TREES, SCALER, PIPELINE ---------------------- */
/* scikit-learn's DecisionTreeClassifier / DecisionTreeRegressor,
 * StandardScaler and Pipeline, as ordinary estimator handles (fit, predict,
 * clone, set_params, search ...). See docs/trees-scaling-pipelines.md.
 * Constructors: Errors CTUNE_EINVAL (NULL out), CTUNE_ENOMEM. The handle
 * belongs to the caller (ctune_estimator_free). Thread safety as for every
 * handle: distinct handles may be fitted concurrently. */

/** A CART classification tree. Params (scikit-learn's names and defaults):
 *  criterion = gini | entropy | log_loss (= entropy); splitter = best |
 *  random; max_depth = int >= 1 | none; min_samples_split = int >= 2 |
 *  fraction in (0, 1] (default 2); min_samples_leaf = int >= 1 | fraction in
 *  (0, 1) (default 1); min_impurity_decrease = double >= 0 (0.0);
 *  max_features = int | fraction in (0, 1] | sqrt | log2 | none (all);
 *  max_leaf_nodes = int >= 2 (best-first growth) | none (depth-first);
 *  class_weight = none | balanced; seed = int >= 0 (0).
 *  Fractions and max_features > n_features are checked at fit. */
CTUNE_API ctune_status ctune_decision_tree_classifier_new(ctune_estimator **out);
/** A CART regression tree: criterion = squared_error (leaves predict the
 *  mean) | absolute_error (the median); the other params as the classifier's
 *  except class_weight. Multi-output y (n_targets > 1) is supported. */
CTUNE_API ctune_status ctune_decision_tree_regressor_new(ctune_estimator **out);
/** The static vtables behind the two constructors (never NULL). */
CTUNE_API const ctune_estimator_vtable *ctune_decision_tree_classifier_vtable(void);
CTUNE_API const ctune_estimator_vtable *ctune_decision_tree_regressor_vtable(void);

/* Accessors of a fitted tree (a handle made by the constructors above, or a
 * fitted pipeline step found with ctune_pipeline_step()). Errors:
 * CTUNE_EINVAL (NULL tree or out, a handle that is not a tree, node out of
 * range), CTUNE_ESTATE (not fitted). Read-only: safe from several threads. */

/** Depth of the deepest leaf (a single-leaf tree has depth 0). */
CTUNE_API ctune_status ctune_tree_depth(const ctune_estimator *tree, size_t *out);
/** Number of leaves. */
CTUNE_API ctune_status ctune_tree_n_leaves(const ctune_estimator *tree, size_t *out);
/** Number of nodes (internal nodes and leaves); node 0 is the root. */
CTUNE_API ctune_status ctune_tree_n_nodes(const ctune_estimator *tree, size_t *out);
/** Impurity-based (Gini / MDI) feature importances into
 *  out[0..n_features_in), normalized to sum 1 (all 0 for a single leaf). */
CTUNE_API ctune_status ctune_tree_feature_importances(const ctune_estimator *tree, double *out);
/** Structure of node `node`: its split feature and threshold (rows with
 *  x[feature] <= threshold go left) and its children; a leaf gives feature,
 *  left and right -1 and threshold NaN. Any out pointer may be NULL. */
CTUNE_API ctune_status ctune_tree_node(const ctune_estimator *tree, size_t node, int64_t *feature,
                                       double *threshold, int64_t *left, int64_t *right);
/** Impurity, weighted and plain training sample counts of node `node`
 *  (any out pointer may be NULL). */
CTUNE_API ctune_status ctune_tree_node_stats(const ctune_estimator *tree, size_t node,
                                             double *impurity, double *weighted_n_samples,
                                             size_t *n_samples);
/** Value of node `node` into out: for a classifier its (weighted) class
 *  distribution, n_classes fractions in ctune_estimator_classes() order, which
 *  is what predict_proba returns for rows reaching that leaf; for a regressor
 *  its prediction, ctune_estimator_n_outputs() values. */
CTUNE_API ctune_status ctune_tree_node_value(const ctune_estimator *tree, size_t node, double *out);

/** scikit-learn's StandardScaler, a transformer (CTUNE_TRANSFORMER):
 *  transform gives (x - mean) / scale per column, inverse_transform undoes it.
 *  Params: with_mean = bool (true): subtract the mean; with_std = bool (true):
 *  divide by the population standard deviation (ddof 0). Columns of zero
 *  variance (up to rounding, as scikit-learn decides) keep scale 1. Output is
 *  float64, n_rows × n_features. */
CTUNE_API ctune_status ctune_standard_scaler_new(ctune_estimator **out);
/** Fitted statistics of a scaler into out[0..n_features_in): the column
 *  means, the population variances, and the scales used by transform (the
 *  standard deviation, 1 for zero-variance columns, all 1 when with_std is
 *  false). Errors: CTUNE_EINVAL (NULL, not a StandardScaler), CTUNE_ESTATE. */
CTUNE_API ctune_status ctune_scaler_mean(const ctune_estimator *scaler, double *out);
CTUNE_API ctune_status ctune_scaler_var(const ctune_estimator *scaler, double *out);
CTUNE_API ctune_status ctune_scaler_scale(const ctune_estimator *scaler, double *out);

/** Creates an empty Pipeline: an estimator made of named steps, transformers
 *  followed by a final estimator of any kind (scikit-learn's Pipeline). Steps
 *  may be any estimators, built-in or custom (through their vtable).
 *  - fit fits each transformer on the data it receives (the training rows
 *    only, inside cross-validation) and feeds its float64 output, with the
 *    same y, to the next step; predict / predict_proba / score / transform go
 *    through the fitted transforms.
 *  - Its kind is the last step's kind; predict_proba exists when the last
 *    step has one.
 *  - Its params are its steps' params named `step__param` (e.g.
 *    "scaler__with_mean", "tree__max_depth"), with the steps' types, ranges
 *    and choices, so set_params and searches tune all steps together; an
 *    unknown step or param is CTUNE_EINVAL listing the known names.
 *  - Cloning a pipeline clones its steps (params, not fitted state).
 *  Fitting an empty pipeline is CTUNE_ESTATE. */
CTUNE_API ctune_status ctune_pipeline_new(ctune_estimator **out);
/** Appends a step named `name` ([A-Za-z_][A-Za-z0-9_]*, without "__", at most
 *  63 characters, unique in the pipeline). The pipeline stores a clone of
 *  `step` (its params, not its fit): the caller keeps `step` and may free it
 *  at once; later changes to `step` do not affect the pipeline (set
 *  "name__param" on the pipeline instead). The step's current params become
 *  the pipeline's "name__*" params. Drops the pipeline's fitted state.
 *  Errors: CTUNE_EINVAL (NULL, `pipe` not a pipeline, bad or duplicate name,
 *  a step after a non-transformer: only the last step may be a classifier
 *  or regressor), CTUNE_ENOMEM; on error the pipeline is unchanged. */
CTUNE_API ctune_status ctune_pipeline_add_step(ctune_estimator *pipe, const char *name,
                                               const ctune_estimator *step);
/** Number of steps (0 for NULL or a handle that is not a pipeline). */
CTUNE_API size_t ctune_pipeline_n_steps(const ctune_estimator *pipe);
/** Name of step i (borrowed, valid while the pipeline lives); NULL when out
 *  of range or `pipe` is not a pipeline. */
CTUNE_API const char *ctune_pipeline_step_name(const ctune_estimator *pipe, size_t i);
/** The fitted step named `name` into *out (borrowed: valid until the next
 *  fit, set_params, add_step or free of `pipe`; use it read-only, e.g. with
 *  ctune_tree_depth() or ctune_scaler_mean()). Errors: CTUNE_EINVAL (NULL,
 *  not a pipeline, unknown step: lists the steps), CTUNE_ESTATE (the
 *  pipeline is not fitted). */
CTUNE_API ctune_status ctune_pipeline_step(const ctune_estimator *pipe, const char *name,
                                           ctune_estimator **out);
/* ---- END BUILT-IN ESTIMATORS: TREES, SCALER, PIPELINE ------------------ */

/* ---- DATA GENERATORS (lib/core/datagen.c) ------------------------------ */
/* Seeded synthetic data for tests and examples (after scikit-learn's
 * make_blobs / make_classification / make_regression). Each writes into
 * caller arrays: X is n × d row-major doubles, y holds n values (class
 * labels 0..k-1 as doubles, or regression targets). The same arguments and
 * seed give the same bits on every platform with IEEE doubles. No
 * allocation; pure and thread-safe. Errors: CTUNE_EINVAL naming the bad
 * argument (NULL array, n or d 0, sizes out of range); on error the arrays
 * may be partially written. See docs/metrics.md ("Data generators"). */

/** Isotropic Gaussian blobs: `centers` centers drawn uniformly in
 *  [-10, 10)^d, each row = its center + cluster_std · N(0, I). Class sizes
 *  are balanced (the first n % centers classes have one more row) and the
 *  rows are shuffled; y is the center index. `centers_out` (centers × d) or
 *  NULL receives the centers. Needs 1 <= centers <= n, cluster_std >= 0. */
CTUNE_API ctune_status ctune_make_blobs(double *X, double *y, size_t n, size_t d, size_t centers,
                                        double cluster_std, uint64_t seed, double *centers_out);
/** A classification problem: class c (0..n_classes-1) is a Gaussian
 *  cluster N(v_c, I) on columns 0..n_informative-1, where v_c are distinct
 *  random vertices of the hypercube [-class_sep, class_sep]^n_informative;
 *  columns n_informative..d-1 are N(0, 1) noise. Balanced classes (the
 *  first n % n_classes have one more row), rows shuffled, no label noise
 *  (unlike scikit-learn: one cluster per class, no redundant features, no
 *  random covariance, columns not shuffled). Needs 1 <= n_informative <= d,
 *  2 <= n_classes <= min(n, 2^n_informative), class_sep >= 0. */
CTUNE_API ctune_status ctune_make_classification(double *X, double *y, size_t n, size_t d,
                                                 size_t n_informative, size_t n_classes,
                                                 double class_sep, uint64_t seed);
/** A linear regression problem: X ~ N(0, 1), y = X · coef + noise · N(0, 1)
 *  where coef[k] = 100 · U[0, 1) for k < n_informative and 0 beyond.
 *  `coef_out` (d values) or NULL receives coef. Needs n_informative <= d,
 *  noise >= 0. */
CTUNE_API ctune_status ctune_make_regression(double *X, double *y, size_t n, size_t d,
                                             size_t n_informative, double noise, uint64_t seed,
                                             double *coef_out);
/* ---- END DATA GENERATORS ----------------------------------------------- */

/* ---- CONFORMANCE KIT (lib/estimator/check.c) --------------------------- */

/** Runs the conformance battery ("unit-testing custom estimators", the
 *  scikit-learn check_estimator idea) on `est`, which is only cloned, never
 *  modified or fitted. `options` is NULL or "key=value" text (documented in
 *  docs/custom-estimators.md, e.g. "tolerance=1e-6, skip=concurrency").
 *  Writes one line per failed check ("check_name: reason") into `report`
 *  (NUL-terminated, truncated to report_cap; may be NULL with cap 0) and the
 *  number of failed checks into *n_failed.
 *  Returns CTUNE_OK when the battery ran (whatever it found), CTUNE_EINVAL on
 *  bad arguments, CTUNE_ENOMEM. */
CTUNE_API ctune_status ctune_check_estimator(const ctune_estimator *est, const char *options,
                                             char *report, size_t report_cap, int *n_failed);
/** Number of checks in the battery and the i-th check's name (static). */
CTUNE_API size_t ctune_check_count(void);
CTUNE_API const char *ctune_check_name(size_t i);

/* The battery, in order (names are stable; ctune_check_name() lists them).
 * Data is generated with ctune_make_blobs (classifiers, transformers) or
 * ctune_make_regression (regressors), X rounded to float32 precision; every
 * fit is ctune_estimator_fit_ex(clone, data, 1, stream) with one fixed
 * stream, so two fits must agree whatever the estimator's randomness.
 *  fit_predict          fit on the generated data works; n_features_in,
 *                       n_outputs, n_classes are right (the reference fit)
 *  predict_shape        predict writes exactly n_rows × n_outputs finite
 *                       values (writing past them stops the battery)
 *  predict_before_fit   predict/transform/predict_proba of an unfitted clone
 *                       return CTUNE_ESTATE
 *  clone_unfitted       a clone of a fitted estimator is unfitted with equal
 *                       params and the same vtable
 *  params_round_trip    the text of get_params parses and set_params accepts
 *                       it unchanged; every spec parameter is listed
 *  unknown_param        set_params of an unknown name is CTUNE_EINVAL naming
 *                       it, and changes nothing
 *  fit_deterministic    two fits with the same seed and data predict the same
 *                       (and the same probabilities)
 *  fit_input_unchanged  fit / predict / predict_proba / score leave X and y
 *                       bit-identical
 *  predict_labels       classifiers predict training labels only
 *  predict_proba        rows of probabilities in [0, 1] summing to 1 (when
 *                       the estimator has predict_proba)
 *  one_feature          fit and predict work with 1 feature
 *  noncontiguous_labels labels {3, 7, 11, ...} give the same predictions as
 *                       {0, 1, 2, ...} mapped (the estimator sees codes only)
 *  nonfinite_rejected   NaN/Inf in X or y at fit, NaN in X at predict:
 *                       CTUNE_EDATA
 *  empty_data           fit on 0 rows is CTUNE_EDATA; predict on 0 rows is a
 *                       no-op
 *  n_features_mismatch  predict with another feature count is CTUNE_EDATA
 *  subset_invariance    each row predicted alone equals the batch prediction
 *  views_equivalent     fits on float32, strided (NaN padding) and index-subset
 *                       views of the same values equal the plain fit
 *  refit_clean          fitting other data first leaves no trace
 *  score                the default score is finite (accuracy in [0, 1],
 *                       R² <= 1)
 *  transform_shape      transformers write n_rows × n_features_out finite values
 *  no_leaks             a full cycle leaves ctune_alloc_live() unchanged (only
 *                       blocks allocated through ctune are seen; assumes no
 *                       other thread uses ctune meanwhile)
 *  concurrency          two clones fitted in two threads at once predict as
 *                       the sequential fit
 * Options (ctune_params_parse text): tolerance (double >= 0, default 1e-9:
 * relative, |a - b| <= tolerance · max(1, |a|, |b|); exact estimators pass
 * with it, float32 ones need about 1e-6), skip (check names separated by
 * '|', e.g. "skip=concurrency|no_leaks"; unknown names are CTUNE_EINVAL),
 * n_rows (default 60), n_features (default 4), n_classes (default 3),
 * seed (of the generated data, default 0). A check that does not apply to
 * the estimator's kind passes. Not thread-safe with the allocation test
 * hooks; otherwise the battery only uses clones of `est`. */
/* ---- END CONFORMANCE KIT ----------------------------------------------- */

/* ---- MODEL SELECTION (lib/model_selection) ----------------------------- */
/* Cross-validation and hyperparameter search, scikit-learn's model_selection
 * in C. Semantics, defaults, result columns and reproducibility rules are in
 * docs/model-selection.md. Everything here sees estimators only through the
 * estimator API, so a custom estimator is cross-validated and searched like
 * a built-in one. */

/* ---- Splitters ---- */

/** A splitting strategy (KFold, StratifiedKFold, ShuffleSplit). Immutable
 *  once created: it may be shared by threads and used for many splits. */
typedef struct ctune_splitter ctune_splitter;
/** The splits computed by a splitter for one data set: per split a test and
 *  a train index list (row indices of the data that was split). */
typedef struct ctune_splits ctune_splits;

/** KFold: `n_splits` consecutive folds (the first n % n_splits folds have
 *  one sample more), over the rows in order, or shuffled once with `seed`
 *  when `shuffle` is non-zero. Errors: CTUNE_EINVAL (NULL out, n_splits < 2),
 *  CTUNE_ENOMEM. Free with ctune_splitter_free(). */
CTUNE_API ctune_status ctune_kfold_new(ctune_splitter **out, size_t n_splits, int shuffle,
                                       uint64_t seed);
/** StratifiedKFold with scikit-learn's (>= 0.24) allocation: classes are
 *  ordered by first appearance in y, each fold receives each class in
 *  proportion (fold i takes positions i, i + k, ... of the class-sorted
 *  order), and a class's samples go to its folds in blocks, in row order
 *  (the block assignment is shuffled per class with `seed` when `shuffle`).
 *  Needs one integer-valued target column. A class with fewer members than
 *  n_splits is a warning (ctune_splits_warning()); every class having fewer
 *  is an error. Errors as ctune_kfold_new(). */
CTUNE_API ctune_status ctune_stratified_kfold_new(ctune_splitter **out, size_t n_splits,
                                                  int shuffle, uint64_t seed);
/** ShuffleSplit (or StratifiedShuffleSplit when `stratify` is non-zero):
 *  `n_splits` independent random splits with ceil(test_fraction * n) test
 *  rows and the rest for training (scikit-learn's sizes; the stratified form
 *  uses its per-class allocation). Indices come in random order.
 *  Errors: CTUNE_EINVAL (n_splits 0, test_fraction outside (0, 1)),
 *  CTUNE_ENOMEM. */
CTUNE_API ctune_status ctune_shuffle_split_new(ctune_splitter **out, size_t n_splits,
                                               double test_fraction, uint64_t seed, int stratify);
/** Frees a splitter; NULL is a no-op. */
CTUNE_API void ctune_splitter_free(ctune_splitter *splitter);
/** Number of splits the splitter makes (0 for NULL). */
CTUNE_API size_t ctune_splitter_n_splits(const ctune_splitter *splitter);
/** "KFold", "StratifiedKFold", "ShuffleSplit" or "StratifiedShuffleSplit"
 *  (static; NULL for NULL). */
CTUNE_API const char *ctune_splitter_name(const ctune_splitter *splitter);

/** Computes the splits of `data` (only its row count, and y for stratified
 *  splitters, are read). Errors: CTUNE_EINVAL (NULLs, n_splits greater than
 *  the number of rows, fewer than 2 rows, every class smaller than n_splits,
 *  a split that would leave a side empty), CTUNE_EDATA (stratified without
 *  exactly one integer-valued target column), CTUNE_ENOMEM.
 *  Free the result with ctune_splits_free(). Thread-safe for distinct
 *  outputs. */
CTUNE_API ctune_status ctune_splitter_split(ctune_splits **out, const ctune_splitter *splitter,
                                            const ctune_data *data);
/** Frees splits; NULL is a no-op. */
CTUNE_API void ctune_splits_free(ctune_splits *splits);
/** Number of splits (0 for NULL). */
CTUNE_API size_t ctune_splits_count(const ctune_splits *splits);
/** The train / test row indices of split i: *idx points at *n indices,
 *  borrowed from `splits` (valid until it is freed). K-fold indices are in
 *  ascending order. Errors: CTUNE_EINVAL (NULLs, i out of range). */
CTUNE_API ctune_status ctune_splits_train(const ctune_splits *splits, size_t i,
                                          const size_t **idx, size_t *n);
CTUNE_API ctune_status ctune_splits_test(const ctune_splits *splits, size_t i,
                                         const size_t **idx, size_t *n);
/** Warnings raised while splitting (where scikit-learn warns, e.g. a class
 *  smaller than n_splits): their number, and warning i (borrowed; NULL out
 *  of range). */
CTUNE_API size_t ctune_splits_n_warnings(const ctune_splits *splits);
CTUNE_API const char *ctune_splits_warning(const ctune_splits *splits, size_t i);

/** Splits `data` once into a train and a test view (no copy of X):
 *  ceil(test_fraction * n) random test rows, stratified by the class labels
 *  of y when `stratify` is non-zero (scikit-learn's train_test_split).
 *  Both views belong to the caller (ctune_data_free()). On error both are
 *  NULL. Errors as ctune_shuffle_split_new() and ctune_splitter_split(). */
CTUNE_API ctune_status ctune_train_test_split(ctune_data **train, ctune_data **test,
                                              const ctune_data *data, double test_fraction,
                                              uint64_t seed, int stratify);

/* ---- Parameter spaces ---- */

/** A parameter space: per parameter name, a list of values (int, double,
 *  string, bool, none — mixed types allowed) or a distribution. Entries are
 *  kept sorted by name, the order used by sampling and by the grid. */
typedef struct ctune_space ctune_space;
/** A list of candidate parameter sets (a grid or a sample of a space). */
typedef struct ctune_candidates ctune_candidates;

/** Creates an empty space. Free with ctune_space_free(). */
CTUNE_API ctune_status ctune_space_new(ctune_space **out);
/** Frees a space; NULL is a no-op. */
CTUNE_API void ctune_space_free(ctune_space *space);
/** Deep copy. */
CTUNE_API ctune_status ctune_space_copy(ctune_space **out, const ctune_space *src);
/** Parses the text form into a new space, e.g.
 *  "optimizer: sgd|adam; batch_size: 5|10|20; learning_rate: loguniform(1e-4, 1e-1)".
 *  Entries are separated by ';' or newlines: `name: v1|v2|...` (values typed
 *  as ctune_params_set_text() does; 'quotes' force a string) or
 *  `name: uniform(lo, hi)`, `loguniform(lo, hi)`, `randint(lo, hi)`.
 *  Errors: CTUNE_EFORMAT with the byte offset of the offending character and
 *  a caret excerpt: "space text: expected ':' after 'nl', found '=' at
 *  offset 2\n  nl=1|2\n    ^"; CTUNE_EINVAL (NULLs); CTUNE_ENOMEM. */
CTUNE_API ctune_status ctune_space_parse(ctune_space **out, const char *text);
/** Adds the entries of a text (as ctune_space_parse()) to `space`; on error
 *  the space is unchanged. A name already present is an error. */
CTUNE_API ctune_status ctune_space_add_text(ctune_space *space, const char *text);
/** Adds a list of n >= 1 values for `name` (copied). Errors: CTUNE_EINVAL
 *  (NULLs, n 0, invalid or duplicate name, a NaN double, a NULL string),
 *  CTUNE_ENOMEM. add_bools takes ints (non-zero = true); add_texts types
 *  each text as ctune_params_set_text() does ("none", "3", "0.5", "relu"). */
CTUNE_API ctune_status ctune_space_add_ints(ctune_space *space, const char *name,
                                            const int64_t *values, size_t n);
CTUNE_API ctune_status ctune_space_add_doubles(ctune_space *space, const char *name,
                                               const double *values, size_t n);
CTUNE_API ctune_status ctune_space_add_strings(ctune_space *space, const char *name,
                                               const char *const *values, size_t n);
CTUNE_API ctune_status ctune_space_add_bools(ctune_space *space, const char *name,
                                             const int *values, size_t n);
CTUNE_API ctune_status ctune_space_add_texts(ctune_space *space, const char *name,
                                             const char *const *values, size_t n);
/** Distributions: uniform on [lo, hi) (finite lo < hi); log-uniform on
 *  [lo, hi) (0 < lo < hi: log(value) is uniform); integers uniform on
 *  [lo, hi) (hi excluded, as scipy's randint). Errors: CTUNE_EINVAL (bad
 *  bounds, NULLs, invalid or duplicate name), CTUNE_ENOMEM. */
CTUNE_API ctune_status ctune_space_add_uniform(ctune_space *space, const char *name, double lo,
                                               double hi);
CTUNE_API ctune_status ctune_space_add_loguniform(ctune_space *space, const char *name,
                                                  double lo, double hi);
CTUNE_API ctune_status ctune_space_add_randint(ctune_space *space, const char *name, int64_t lo,
                                               int64_t hi);
/** Number of entries, and the name of entry i in sorted order (borrowed;
 *  NULL out of range). */
CTUNE_API size_t ctune_space_count(const ctune_space *space);
CTUNE_API const char *ctune_space_name(const ctune_space *space, size_t i);
/** Number of points of the grid (the product of the list lengths; 1 for an
 *  empty space). Errors: CTUNE_EINVAL when an entry is a distribution or the
 *  product exceeds 2^64. */
CTUNE_API ctune_status ctune_space_grid_size(const ctune_space *space, uint64_t *out);
/** The text form (parses back to an equal space) into buf with the
 *  needed-size convention: returns the length (excluding the NUL) even when
 *  it does not fit; buf is NUL-terminated when cap > 0. Negative status on
 *  error. */
CTUNE_API long ctune_space_to_text(const ctune_space *space, char *buf, size_t cap);

/** Every point of the grid, in scikit-learn's ParameterGrid order: keys
 *  sorted, the last key varying fastest. Errors: CTUNE_EINVAL (empty space,
 *  a distribution, a grid too large to list), CTUNE_ENOMEM. */
CTUNE_API ctune_status ctune_space_grid(ctune_candidates **out, const ctune_space *space);
/** n_iter samples, as scikit-learn's ParameterSampler: when every entry is a
 *  list, distinct grid points drawn without replacement (n_iter capped at the
 *  grid size, with a warning: ctune_candidates_warning()); otherwise n_iter
 *  independent draws with replacement, entries visited in sorted order.
 *  Deterministic for a given seed. Errors: CTUNE_EINVAL (empty space,
 *  n_iter 0), CTUNE_ENOMEM. */
CTUNE_API ctune_status ctune_space_sample(ctune_candidates **out, const ctune_space *space,
                                          size_t n_iter, uint64_t seed);
/** Frees candidates; NULL is a no-op. */
CTUNE_API void ctune_candidates_free(ctune_candidates *candidates);
/** Number of candidates (0 for NULL). */
CTUNE_API size_t ctune_candidates_count(const ctune_candidates *candidates);
/** Candidate i (borrowed; NULL out of range). */
CTUNE_API const ctune_params *ctune_candidates_get(const ctune_candidates *candidates, size_t i);
/** The sampler's warning (n_iter capped), or NULL. Borrowed. */
CTUNE_API const char *ctune_candidates_warning(const ctune_candidates *candidates);

/* ---- Progress ---- */

/** Called once per finished task of a search, one call at a time (never
 *  concurrently, possibly from a worker thread): the task's candidate and
 *  split, its test score for the refit metric (NaN when the fit failed),
 *  seconds since the fit started, tasks finished so far and in total, and
 *  the user pointer. A non-zero return cancels the search: no new task
 *  starts, running fits see ctune_fit_ctx_cancelled(), and
 *  ctune_search_fit() returns CTUNE_ECANCELLED with the results so far.
 *  The callback must not call functions on the same search. */
typedef int (*ctune_progress_fn)(size_t candidate, size_t split, double score, double elapsed,
                                 size_t done, size_t total, void *user);

/* ---- Cross-validation ---- */

/** scikit-learn's cross_val_score: fits a clone of `est` on each training
 *  side of `cv` folds (StratifiedKFold for classifiers, KFold otherwise,
 *  unshuffled) and writes the score of each test side into out_scores[0..cv).
 *  `scoring` is a scorer name or NULL for the estimator's default score.
 *  `est` is never modified. A fold whose fit or score fails makes the call
 *  fail with that error (use ctune_cross_validate() with error_score=nan to
 *  go on). Runs serially; each fit may use all cores.
 *  Errors: CTUNE_EINVAL (NULLs, cv < 2, unknown scorer), splitter errors,
 *  the fit's error, CTUNE_ENOMEM. */
CTUNE_API ctune_status ctune_cross_val_score(const ctune_estimator *est, const ctune_data *data,
                                             int cv, const char *scoring, double *out_scores);

/** Results of ctune_cross_validate(): per split, columns of doubles. */
typedef struct ctune_cv_results ctune_cv_results;

/** scikit-learn's cross_validate. Splits with `splitter`, or when it is NULL
 *  with `cv` folds (0 = 5) chosen as for ctune_cross_val_score(). `options`
 *  is NULL or "key=value" text: scoring=<name>|<name>... (default: the
 *  estimator's score), return_train_score=false, error_score=nan|raise|<number>
 *  (default nan), n_jobs=1, seed=0 (the task streams' seed). Columns:
 *  fit_time, score_time, test_score (or test_<scorer> with several scorers)
 *  and train_... when asked. `est` is never modified.
 *  Errors: CTUNE_EINVAL (NULLs, bad options listing the known keys, unknown
 *  scorer), splitter errors, CTUNE_ENOMEM, a fold's error with
 *  error_score=raise. Free the results with ctune_cv_results_free(). */
CTUNE_API ctune_status ctune_cross_validate(ctune_cv_results **out, const ctune_estimator *est,
                                            const ctune_data *data,
                                            const ctune_splitter *splitter, int cv,
                                            const char *options);
/** Frees cross_validate results; NULL is a no-op. */
CTUNE_API void ctune_cv_results_free(ctune_cv_results *res);
/** Number of splits (rows of every column). */
CTUNE_API size_t ctune_cv_results_n_splits(const ctune_cv_results *res);
/** Number of columns and the name of column i (borrowed; NULL out of range). */
CTUNE_API size_t ctune_cv_results_n_columns(const ctune_cv_results *res);
CTUNE_API const char *ctune_cv_results_column_name(const ctune_cv_results *res, size_t i);
/** Copies column `name` (n_splits doubles) into out. Errors: CTUNE_EINVAL
 *  (NULLs, unknown column, listing the known ones). */
CTUNE_API ctune_status ctune_cv_results_column(const ctune_cv_results *res, const char *name,
                                               double *out);
/** The error text of split i when its fit or scoring failed, else NULL
 *  (borrowed). */
CTUNE_API const char *ctune_cv_results_error(const ctune_cv_results *res, size_t split);
/** Warnings (split warnings, failed fits): count and text (borrowed). */
CTUNE_API size_t ctune_cv_results_n_warnings(const ctune_cv_results *res);
CTUNE_API const char *ctune_cv_results_warning(const ctune_cv_results *res, size_t i);

/* ---- Searches ---- */

/** A randomized or grid search (RandomizedSearchCV / GridSearchCV). One
 *  search must not be used from two threads at once; it runs its own worker
 *  threads inside ctune_search_fit() (n_jobs). */
typedef struct ctune_search ctune_search;

/** A randomized search of n_iter candidates sampled from `space` with
 *  `seed` (see ctune_space_sample(); the candidates exist from creation).
 *  The search keeps clones of `est` and `space`: the caller keeps
 *  ownership of both and they are never modified. Every space name is
 *  checked against the estimator's parameters before anything runs.
 *  Errors: CTUNE_EINVAL (NULLs, n_iter 0, empty space, unknown parameter
 *  name listing the known ones), CTUNE_ENOMEM. Free with
 *  ctune_search_free(). */
CTUNE_API ctune_status ctune_search_new_randomized(ctune_search **out, const ctune_estimator *est,
                                                   const ctune_space *space, size_t n_iter,
                                                   uint64_t seed);
/** A grid search over every point of `space` (all entries lists), in
 *  ctune_space_grid() order. Task streams use seed 0 unless the option
 *  seed=<n> is set. Errors as above, and CTUNE_EINVAL for a distribution. */
CTUNE_API ctune_status ctune_search_new_grid(ctune_search **out, const ctune_estimator *est,
                                             const ctune_space *space);
/** Frees the search, its results and its best estimator; NULL is a no-op. */
CTUNE_API void ctune_search_free(ctune_search *search);

/** Sets options from "key=value" text (separated by ',' ';' or newlines);
 *  later calls override earlier ones. Keys and defaults:
 *  cv=5 (folds: StratifiedKFold for classifiers, KFold otherwise),
 *  scoring=<name>[|<name>...] (default: the estimator's score),
 *  refit=true|false|<scorer> (with several scorers it must name one),
 *  error_score=nan|raise|<number> (default nan),
 *  return_train_score=false, n_jobs=1 (-1 = all cores),
 *  seed=<n> (task-stream seed; default: the randomized seed, or 0).
 *  Errors: CTUNE_EINVAL (unknown key listing the known ones, bad value,
 *  unknown scorer), CTUNE_EFORMAT (malformed text). On error nothing
 *  changes. */
CTUNE_API ctune_status ctune_search_set_options(ctune_search *search, const char *options);
/** Uses `splitter` (copied; NULL goes back to cv=<k>) instead of cv. */
CTUNE_API ctune_status ctune_search_set_splitter(ctune_search *search,
                                                 const ctune_splitter *splitter);
/** Sets the progress callback (NULL to remove). */
CTUNE_API ctune_status ctune_search_set_progress(ctune_search *search, ctune_progress_fn fn,
                                                 void *user);

/** Runs the search on `data`: splits once, evaluates every (candidate,
 *  split) task on the executor chosen by n_jobs (results are bit-identical
 *  for any n_jobs: the task (c, f) fits with the RNG stream
 *  ctune_seed_derive(ctune_seed_derive(seed, c), f)), builds the results
 *  table, then refits the best candidate on all the data when refit is on.
 *  Replaces the results of a previous fit. The data must stay valid during
 *  the call only.
 *  Returns CTUNE_OK; CTUNE_ECANCELLED when the progress callback stopped it
 *  (results so far are kept, no refit); with error_score=raise the first
 *  failing fit's status and message (results so far kept); CTUNE_ENOMEM
 *  (never turned into a score); input errors before any fit (data with
 *  NaN, splitter errors, refit not naming a scorer, ...). */
CTUNE_API ctune_status ctune_search_fit(ctune_search *search, const ctune_data *data);

/** Status of the last ctune_search_fit() (CTUNE_ESTATE before any fit). */
CTUNE_API ctune_status ctune_search_fit_status(const ctune_search *search);
/** 1 when a results table exists (complete, or partial after a
 *  cancellation or an error_score=raise stop), else 0. */
CTUNE_API int ctune_search_has_results(const ctune_search *search);
/** Number of candidates (known from creation) and of splits (after fit). */
CTUNE_API size_t ctune_search_n_candidates(const ctune_search *search);
CTUNE_API size_t ctune_search_n_splits(const ctune_search *search);
/** Tasks that finished in the last fit. */
CTUNE_API size_t ctune_search_n_tasks_done(const ctune_search *search);
/** Parameters of candidate i (borrowed, valid until the search is freed;
 *  NULL out of range). */
CTUNE_API const ctune_params *ctune_search_candidate_params(const ctune_search *search, size_t i);

/** The best candidate for the refit metric (lowest rank, first on ties) and
 *  its mean test score. Errors: CTUNE_ESTATE (no results; several scorers
 *  and no refit metric; a partial search where no candidate completed),
 *  CTUNE_EINVAL (NULLs). */
CTUNE_API ctune_status ctune_search_best_index(const ctune_search *search, size_t *out);
CTUNE_API ctune_status ctune_search_best_score(const ctune_search *search, double *out);
/** Parameters of the best candidate (borrowed; NULL when there is none). */
CTUNE_API const ctune_params *ctune_search_best_params(const ctune_search *search);
/** The best candidate refitted on all the data, ready to predict (borrowed,
 *  valid until the next fit or free of the search); NULL without refit. */
CTUNE_API ctune_estimator *ctune_search_best_estimator(const ctune_search *search);
/** Moves the refitted best estimator to the caller (who frees it); the
 *  search no longer holds it. Errors: CTUNE_ESTATE when there is none. */
CTUNE_API ctune_status ctune_search_take_best_estimator(ctune_estimator **out,
                                                        ctune_search *search);
/** Seconds spent refitting the best candidate (0 without refit). */
CTUNE_API double ctune_search_refit_time(const ctune_search *search);

/** Columns of the results table, named as scikit-learn's cv_results_
 *  (mean_fit_time, std_fit_time, mean_score_time, std_score_time,
 *  param_<name>..., params, split<k>_test_<s>, mean_test_<s>, std_test_<s>,
 *  rank_test_<s>, [split<k>_train_<s>, mean_train_<s>, std_train_<s>] per
 *  scorer s ("score" with one scorer), then error). Count and name of
 *  column j (borrowed; NULL out of range). 0 without results. */
CTUNE_API size_t ctune_search_n_columns(const ctune_search *search);
CTUNE_API const char *ctune_search_column_name(const ctune_search *search, size_t j);
/** Numeric value of `column` for candidate i (param_<name> columns when the
 *  value is an int, double or bool). Errors: CTUNE_ESTATE (no results),
 *  CTUNE_EINVAL (NULLs, unknown column listing the known ones, i out of
 *  range, a text value). */
CTUNE_API ctune_status ctune_search_result(const ctune_search *search, const char *column,
                                           size_t i, double *out);
/** Text of `column` for candidate i (any column; numbers round-trip, NaN is
 *  "nan") with the needed-size convention (see ctune_space_to_text()).
 *  Negative status on error. */
CTUNE_API long ctune_search_result_text(const ctune_search *search, const char *column, size_t i,
                                        char *buf, size_t cap);
/** Error text of candidate i's first failed split ("split 1: ..."), or NULL
 *  when all its splits succeeded (borrowed). */
CTUNE_API const char *ctune_search_candidate_error(const ctune_search *search, size_t i);
/** Warnings of the last fit and of sampling (capped n_iter, failed fits,
 *  non-finite scores, split warnings): count and text (borrowed). */
CTUNE_API size_t ctune_search_n_warnings(const ctune_search *search);
CTUNE_API const char *ctune_search_warning(const ctune_search *search, size_t i);

/** Exports the results table: CSV (header row of column names, one row per
 *  candidate, RFC 4180 quoting, NaN as "nan") or JSON ({"best_index",
 *  "best_score", "best_params", "refit_metric", "scorers", "n_splits",
 *  "cv_results": {column: [values...]}}; NaN and absent values as null).
 *  To a file (replaced; CTUNE_EIO naming the path) or into a caller buffer
 *  with the needed-size convention (negative status on error). Errors:
 *  CTUNE_ESTATE without results, CTUNE_EINVAL, CTUNE_ENOMEM. */
CTUNE_API ctune_status ctune_search_results_csv(const ctune_search *search, const char *path);
CTUNE_API ctune_status ctune_search_results_json(const ctune_search *search, const char *path);
CTUNE_API long ctune_search_results_csv_buf(const ctune_search *search, char *buf, size_t cap);
CTUNE_API long ctune_search_results_json_buf(const ctune_search *search, char *buf, size_t cap);
/* ---- END MODEL SELECTION ----------------------------------------------- */

/* ---- EXECUTORS (lib/model_selection/executor_custom.c) ----------------- */
/* Where a search's tasks run. ctune_search_fit() and ctune_cross_validate()
 * run their tasks (candidate × split) serially or on a thread pool (n_jobs);
 * a custom executor runs them anywhere else — libctune_mpi (ctune_mpi.h)
 * spreads them over MPI ranks with this interface. The search builds a job
 * (its tasks and one fixed-size record per task), hands it to the
 * executor's run(), then reduces the records by task index, so results do
 * not depend on who ran what. See docs/model-selection.md ("The executor
 * interface") and docs/mpi.md. */

/** A batch of tasks handed to an executor (opaque; borrowed for the
 *  duration of run()). */
typedef struct ctune_job ctune_job;

/** Flags of ctune_job_outcome(): the job stopped because the progress
 *  callback cancelled it, or because a task failed under error_score=raise
 *  (or ran out of memory). */
#define CTUNE_JOB_CANCELLED 1
#define CTUNE_JOB_FAILED 2

#define CTUNE_EXECUTOR_VTABLE_VERSION 1

/** A custom executor: a versioned vtable (fields are only ever appended;
 *  optional methods may be NULL). `self` is the pointer given with it. */
typedef struct ctune_executor_vtable {
    int version;      /**< CTUNE_EXECUTOR_VTABLE_VERSION */
    const char *name; /**< for messages, e.g. "mpi" */
    /** Runs the job's tasks. Contract: call ctune_job_run_task() at most
     *  once per task index (any thread, any order, concurrently for distinct
     *  tasks); call ctune_job_task_done() for each finished task on the
     *  calling process, one call at a time, and start no new task once it
     *  (or ctune_job_stopped()) asks to stop; return once no task is
     *  running. Records of tasks run elsewhere must be copied into
     *  ctune_job_record() before their task_done call. Return CTUNE_OK, or
     *  a status with a message (ctune_set_error()) for a failure of the
     *  executor itself (a failed task is not one: it is in its record); the
     *  records present are then kept as partial results. Required. */
    ctune_status (*run)(void *self, ctune_job *job);
    /** Whether this process refits the best candidate after the tasks
     *  (non-zero = yes). Optional: NULL means yes. */
    int (*refit_here)(void *self);
} ctune_executor_vtable;

/** Number of tasks of the job (0 for NULL). Task t of a search is
 *  candidate t / n_splits, split t % n_splits. */
CTUNE_API size_t ctune_job_n_tasks(const ctune_job *job);
/** Bytes of one task record: plain data without pointers, so it can be
 *  shipped between processes as bytes (0 for NULL). */
CTUNE_API size_t ctune_job_record_size(const ctune_job *job);
/** Task i's record (NULL for NULL or i out of range). The records are
 *  contiguous: record i is at ctune_job_record(job, 0) + i * record_size,
 *  so all of them can be copied at once. Before a task runs its record
 *  holds the "not run" value the caller initialized. */
CTUNE_API void *ctune_job_record(ctune_job *job, size_t i);
/** The n_jobs option of the search / cross_validate (1 by default;
 *  -1 = all cores), for an executor that sizes its own thread pool. */
CTUNE_API long ctune_job_n_jobs(const ctune_job *job);
/** Runs task i on the calling thread and writes its record; `threads` is
 *  the thread budget of its fit (ctune_fit_ctx_threads(), >= 1).
 *  Thread-safe for distinct i. Errors: CTUNE_EINVAL (NULL job, i out of
 *  range). */
CTUNE_API ctune_status ctune_job_run_task(ctune_job *job, size_t i, int threads);
/** Reports task i as finished (its record final, on this process): counts
 *  it, applies error_score=raise and calls the progress callback. Returns
 *  0 to go on, non-zero when the job asks to stop (the stop flag is then
 *  set: ctune_job_stopped() is 1 and running fits see
 *  ctune_fit_ctx_cancelled()). Not thread-safe: one call at a time.
 *  Returns non-zero for NULL or i out of range. */
CTUNE_API int ctune_job_task_done(ctune_job *job, size_t i);
/** 1 once a stop was asked (by task_done or ctune_job_stop()), else 0. */
CTUNE_API int ctune_job_stopped(const ctune_job *job);
/** Asks the job to stop: no new task should start; running fits see
 *  ctune_fit_ctx_cancelled(). Thread-safe. NULL is a no-op. */
CTUNE_API void ctune_job_stop(ctune_job *job);
/** The completion state built by the task_done calls so far: tasks
 *  counted (*n_done) and CTUNE_JOB_* flags (*flags). A distributed
 *  executor calls task_done on one process, then copies this state with
 *  ctune_job_set_outcome() (and the records) to the other processes, so
 *  that every process ends with the same results and status.
 *  Errors: CTUNE_EINVAL (NULLs). */
CTUNE_API ctune_status ctune_job_outcome(const ctune_job *job, size_t *n_done, int *flags);
CTUNE_API ctune_status ctune_job_set_outcome(ctune_job *job, size_t n_done, int flags);

/** Makes ctune_search_fit() run its tasks on a custom executor (NULL
 *  `vtable` goes back to n_jobs' serial / thread-pool executors). The
 *  vtable and `self` must stay valid while the search may fit. The refit
 *  runs on the calling thread with all cores, where refit_here allows.
 *  Errors: CTUNE_EINVAL (NULL search, wrong version, NULL run). */
CTUNE_API ctune_status ctune_search_set_executor(ctune_search *search,
                                                 const ctune_executor_vtable *vtable, void *self);
/** ctune_cross_validate() on a custom executor (NULL `vtable`: as
 *  ctune_cross_validate()). Errors as ctune_cross_validate(), CTUNE_EINVAL
 *  for a bad vtable, and the executor's own failure. */
CTUNE_API ctune_status ctune_cross_validate_ex(ctune_cv_results **out,
                                               const ctune_estimator *est,
                                               const ctune_data *data,
                                               const ctune_splitter *splitter, int cv,
                                               const char *options,
                                               const ctune_executor_vtable *vtable, void *self);
/* ---- END EXECUTORS ------------------------------------------------------ */

/* ---- I/O: CSV, DATASETS, PERSISTENCE (lib/io) -------------------------- */

/** Loads a CSV file (docs/data-and-persistence.md) into a new data view
 * that owns its arrays: X (n_rows × n_features, float32 or float64) and, when
 * there is a target column, y (n_rows × 1). Free it with ctune_data_free().
 *
 * `options` is NULL (defaults) or "key=value" text separated by ',' ';' or
 * newlines (quote values holding those: delimiter=';'):
 *   header=auto|true|false      first row is a header (auto: when one of its
 *                               feature fields is not a number)      [auto]
 *   delimiter=C                 one character, or tab|comma|semicolon [,]
 *   target=NAME|INDEX|none      label column by header name or 0-based index
 *                               (negative from the end)                [-1]
 *   features=A|B|C              feature columns by name or index, in this
 *                               order             [all but the target]
 *   dtype=float32|float64       element type of X (float32 is the float64
 *                               value rounded to float)         [float64]
 *   comment=C|none              lines starting with C are skipped     [#]
 *   labels=auto|numeric|string  target values as numbers or as class names
 *                               mapped to codes 0..k-1 in byte order
 *                               (auto: from the first value)        [auto]
 *   missing=error|nan           empty numeric fields            [error]
 * Fields follow RFC 4180 (quotes, doubled quotes, newlines inside quotes);
 * CRLF, a UTF-8 BOM, blank lines and spaces around fields are accepted.
 * Errors: CTUNE_EINVAL (NULLs, bad options, unknown target/feature column:
 * names the columns), CTUNE_EIO (open/read, with the system's reason),
 * CTUNE_EFORMAT naming file, line and column ("data.csv: line 214,
 * column 7: 'abc' is not a number"; rows with a different number of fields;
 * empty input; a header without data), CTUNE_ENOMEM.
 * Thread-safe (distinct calls share nothing). */
CTUNE_API ctune_status ctune_csv_load(ctune_data **out, const char *path, const char *options);
/** Same as ctune_csv_load() on `len` bytes of CSV text in memory (need not
 *  be NUL-terminated; not retained). Messages name the input "CSV buffer". */
CTUNE_API ctune_status ctune_csv_load_buffer(ctune_data **out, const char *buf, size_t len,
                                             const char *options);

/** Name of feature column j of a loaded data (from the CSV header or the
 *  dataset); NULL when absent (no header, a view from ctune_data_new(), j
 *  out of range). Borrowed: valid while any view of the data lives. */
CTUNE_API const char *ctune_data_feature_name(const ctune_data *data, size_t j);
/** Number of class names of a loaded data: the distinct string labels of a
 *  CSV read with labels=string (or auto with text labels), or a dataset's
 *  classes; 0 when y holds plain numbers. */
CTUNE_API size_t ctune_data_n_class_names(const ctune_data *data);
/** Name of class `code` (the value in y); NULL when absent. Borrowed, as
 *  ctune_data_feature_name(). */
CTUNE_API const char *ctune_data_class_name(const ctune_data *data, size_t code);

/** Loads an embedded dataset, compiled into the library (the classic UCI
 * datasets as distributed with scikit-learn; attribution in data/README.md):
 *   "breast_cancer"  569 × 30, classes malignant (0), benign (1)  [default]
 *   "iris"           150 × 4, classes setosa, versicolor, virginica
 *   "digits"         1797 × 64 (8×8 pixels 0..16), classes "0".."9"
 * loaded like sklearn.datasets.load_*: feature names and class names are
 * set. `name` NULL or "" means "breast_cancer". `options`: NULL or
 * "dtype=float32|float64, features=A|B" (as for CSV).
 * Errors: CTUNE_EINVAL (unknown name: lists the known ones; bad options),
 * CTUNE_ENOMEM. Thread-safe. */
CTUNE_API ctune_status ctune_dataset_load(ctune_data **out, const char *name, const char *options);
/** Number of embedded datasets, and the i-th name (static; NULL when out of
 *  range). */
CTUNE_API size_t ctune_dataset_count(void);
CTUNE_API const char *ctune_dataset_name(size_t i);
/** One paragraph about a dataset: shape, classes, source and licence
 *  (static); NULL for an unknown name. */
CTUNE_API const char *ctune_dataset_description(const char *name);

/* Model persistence (layout in docs/data-and-persistence.md). A model file
 * holds the magic "CTUNEMDL", a format version, the estimator's vtable name
 * and kind, every param (name, type, value), the handle's fitted state
 * (features, outputs, class labels), the payload written by the vtable's
 * save hook, and a CRC-32 over everything. All values are little-endian.
 *
 * An unfitted estimator is saved with its params only (no hooks needed); a
 * fitted one needs the vtable's save and load hooks. A loaded model predicts
 * bit-identically to the saved one (given deterministic hooks). */

/** Writes `est` to the file at `path` (created or truncated).
 *  Errors: CTUNE_EINVAL (NULLs), CTUNE_EUNSUPPORTED (fitted, and the vtable
 *  has no save or load hook: names the estimator), CTUNE_EIO (with the
 *  system's reason; a partly written file is removed), CTUNE_ENOMEM, and any
 *  error of the save hook. Thread-safe for distinct files; `est` is only
 *  read. */
CTUNE_API ctune_status ctune_estimator_save(const ctune_estimator *est, const char *path);
/** Serializes `est` into the caller's buffer: *size receives the bytes the
 *  model needs; with buf NULL and cap 0 nothing else happens (a size query),
 *  otherwise the model is copied when cap >= *size. Errors as
 *  ctune_estimator_save(), and CTUNE_EINVAL when cap is too small (*size is
 *  still set). */
CTUNE_API ctune_status ctune_estimator_save_buffer(const ctune_estimator *est, void *buf,
                                                   size_t cap, size_t *size);
/** Loads a model saved by ctune_estimator_save() into a new handle (owned by
 *  the caller, ctune_estimator_free()). `vtable` NULL looks the saved name up
 *  among the built-in estimators; a custom estimator passes its vtable (and
 *  `user`, handed to its create/load as by ctune_estimator_new()).
 *  Errors: CTUNE_EIO (open/read), CTUNE_EFORMAT for any malformed file with
 *  the reason: not a model file (bad magic), unsupported format version,
 *  "truncated at byte N", checksum mismatch, the file's estimator is not the
 *  vtable's ("model file holds a 'A', but the vtable given is 'B'"), saved
 *  params the vtable rejects; CTUNE_EINVAL (NULLs, a name that is no
 *  built-in estimator when vtable is NULL), CTUNE_EUNSUPPORTED (a fitted
 *  model whose vtable has no load hook), CTUNE_ENOMEM, errors of the load
 *  hook. Never reads out of bounds, whatever the bytes. Thread-safe. */
CTUNE_API ctune_status ctune_estimator_load(ctune_estimator **out, const char *path,
                                            const ctune_estimator_vtable *vtable, void *user);
/** Same as ctune_estimator_load() from `len` bytes in memory (not retained). */
CTUNE_API ctune_status ctune_estimator_load_buffer(ctune_estimator **out, const void *buf,
                                                   size_t len,
                                                   const ctune_estimator_vtable *vtable,
                                                   void *user);

/* Persistence primitives for an estimator's save/load vtable hooks. All
 * values are written little-endian; readers check bounds and return
 * CTUNE_EFORMAT ("model file truncated at byte N") instead of reading past
 * the end. A load hook reads exactly what its save hook wrote (reading less
 * or more is a format error), frees what it allocated when it fails, and
 * should check counts against ctune_read_remaining() before allocating.
 * Writers return CTUNE_ENOMEM when the buffer cannot grow. */
CTUNE_API ctune_status ctune_write_bytes(ctune_writer *w, const void *p, size_t n);
CTUNE_API ctune_status ctune_write_u64(ctune_writer *w, uint64_t v);
CTUNE_API ctune_status ctune_write_i64(ctune_writer *w, int64_t v);
CTUNE_API ctune_status ctune_write_f64(ctune_writer *w, double v);
CTUNE_API ctune_status ctune_write_f32_array(ctune_writer *w, const float *p, size_t n);
CTUNE_API ctune_status ctune_write_f64_array(ctune_writer *w, const double *p, size_t n);
/** A length-prefixed string (NULL is written as absent). */
CTUNE_API ctune_status ctune_write_string(ctune_writer *w, const char *s);
CTUNE_API ctune_status ctune_read_bytes(ctune_reader *r, void *p, size_t n);
CTUNE_API ctune_status ctune_read_u64(ctune_reader *r, uint64_t *v);
CTUNE_API ctune_status ctune_read_i64(ctune_reader *r, int64_t *v);
CTUNE_API ctune_status ctune_read_f64(ctune_reader *r, double *v);
CTUNE_API ctune_status ctune_read_f32_array(ctune_reader *r, float *p, size_t n);
CTUNE_API ctune_status ctune_read_f64_array(ctune_reader *r, double *p, size_t n);
/** Reads a string written by ctune_write_string into buf (cap bytes with the
 *  NUL); CTUNE_EFORMAT when it does not fit or holds a NUL byte. An absent
 *  (NULL) string reads as "". */
CTUNE_API ctune_status ctune_read_string(ctune_reader *r, char *buf, size_t cap);
/** Bytes left to read in `r` (0 for NULL). */
CTUNE_API size_t ctune_read_remaining(const ctune_reader *r);
/* ---- END I/O ----------------------------------------------------------- */

#ifdef __cplusplus
}
#endif

#endif /* CTUNE_H */
