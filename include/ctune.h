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
