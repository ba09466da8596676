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
} ctune_estimator_vtable;

/** Creates an estimator with the spec's defaults. `vtable` must outlive the
 *  handle (typically static). `user` is handed to create/load.
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
/* ---- END KERAS-STYLE ESTIMATORS ---------------------------------------- */

/* ---- METRICS AND SCORERS (lib/core/metrics.c) -------------------------- */

/** Fraction of positions where y_pred equals y_true (n > 0).
 *  Errors: CTUNE_EINVAL (NULL, n == 0). */
CTUNE_API ctune_status ctune_metric_accuracy(const double *y_true, const double *y_pred, size_t n,
                                             double *out);
/** Coefficient of determination R², averaged uniformly over `n_targets`
 *  columns (row-major n × n_targets arrays). A constant y_true column scores
 *  1 when predicted exactly, else 0 (scikit-learn's convention). */
CTUNE_API ctune_status ctune_metric_r2(const double *y_true, const double *y_pred, size_t n,
                                       size_t n_targets, double *out);
/** Scorers, by scikit-learn's names: a scorer turns (fitted estimator,
 *  labelled data) into a number where greater is better ("neg_*" scorers
 *  negate a loss). Known names are listed by ctune_scorer_name().
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
/* ---- END BUILT-IN ESTIMATORS: DUMMY ------------------------------------ */

/* ---- BUILT-IN ESTIMATORS: TREES, SCALER, PIPELINE ---------------------- */
/* ---- END BUILT-IN ESTIMATORS: TREES, SCALER, PIPELINE ------------------ */

/* ---- DATA GENERATORS (lib/core/datagen.c) ------------------------------ */
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
/* ---- END CONFORMANCE KIT ----------------------------------------------- */

/* ---- MODEL SELECTION (lib/model_selection) ----------------------------- */
/* ---- END MODEL SELECTION ----------------------------------------------- */

/* ---- I/O: CSV, DATASETS, PERSISTENCE (lib/io) -------------------------- */
/* Persistence primitives for an estimator's save/load vtable hooks. All
 * values are written little-endian; readers check bounds and return
 * CTUNE_EFORMAT ("model file truncated at byte N") instead of reading past
 * the end. */
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
 *  NUL); CTUNE_EFORMAT when it does not fit. */
CTUNE_API ctune_status ctune_read_string(ctune_reader *r, char *buf, size_t cap);
/* ---- END I/O ----------------------------------------------------------- */

#ifdef __cplusplus
}
#endif

#endif /* CTUNE_H */
