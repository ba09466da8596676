/**
 * @file ctune.h
 * @brief ctune's public API.
 *
 * ctune.h — the public API of ctune, an embeddable hyperparameter-tuning
 * library: estimators behind a vtable, a Keras-like neural-network engine,
 * cross-validation and randomized / grid search.
 *
 * Contents. The header is one section per module, each a Doxygen group
 * (a page of the reference's Modules list), in this order:
 *  - @ref grp_core "Core": the version, the ctune_status codes and the
 *    per-thread error message.
 *  - @ref grp_memlog "Memory and logging": the process-wide log callback.
 *  - @ref grp_data "Data": random streams, ctune_data views of caller arrays.
 *  - @ref grp_params "Params and specs": ctune_params, ctune_param_spec.
 *  - @ref grp_estimator "Estimator protocol": the handle, the vtable, fit,
 *    predict, score, clone.
 *  - @ref grp_fit_ctx "Fit context": what a fit receives (threads, seed,
 *    cancellation).
 *  - @ref grp_nn "NN engine": Keras-like Sequential models.
 *  - @ref grp_keras "Keras-style estimators": KerasClassifier/Regressor.
 *  - @ref grp_metrics "Metrics and scorers".
 *  - @ref grp_builtin "Built-in estimators": dummies, trees, scaler,
 *    pipeline.
 *  - @ref grp_datagen "Data generators": seeded synthetic data.
 *  - @ref grp_check "Conformance kit": checks a custom estimator.
 *  - @ref grp_model_selection "Model selection": splitters, parameter
 *    spaces, progress, cross-validation, searches.
 *  - @ref grp_executors "Executors": where a search's tasks run.
 *  - @ref grp_io "I/O": CSV, datasets, model persistence, atomic writes.
 *  - @ref grp_experimental "Experimental": unsettled APIs, behind
 *    CTUNE_EXPERIMENTAL.
 * Other headers: ctune_mpi.h (@ref grp_mpi "MPI"), ctune_testing.h
 * (@ref grp_testing "test instrumentation"), ctune.hpp (@ref grp_cxx "C++").
 *
 * Reading order: core (statuses and errors, which every call follows),
 * data and params (what calls take), the estimator protocol, then the
 * built-in or Keras-style estimators (what to fit), metrics and model
 * selection (scoring and tuning it), I/O (loading data, saving models).
 * Writing an estimator adds the fit context, the conformance kit and the
 * persistence primitives of I/O; running tasks elsewhere, the executors.
 *
 * Conventions (see docs/api-conventions.md):
 *  - Every fallible call returns a ctune_status: CTUNE_OK (0) or a negative
 *    code. On failure ctune_last_error() gives a message naming the problem.
 *  - Objects are created by `ctune_*_new()` / returned through `**out` and
 *    belong to the caller, who frees them with the matching `*_free()`;
 *    `*_free(NULL)` is a no-op. Pointers returned as values are borrowed:
 *    valid until the next mutating call on the same handle, unless documented
 *    otherwise.
 *  - Output arrays are caller-allocated; query functions give their size.
 *  - Outputs first: a function that returns values through pointer
 *    parameters takes them first, then the handle it works on, then its
 *    inputs: ctune_params_new(&p), ctune_params_get_int(&v, p, "nl"),
 *    ctune_search_best_index(&i, search), ctune_tuner_ask(&trial, &params,
 *    tuner), ctune_estimator_predict(out, est, X),
 *    ctune_metric_accuracy(&score, y_true, y_pred, n), ctune_read_f64(&v, r).
 *    A handle a call changes in place is its subject, not an output
 *    (ctune_params_set_int(p, ...), ctune_model_fit(m, ...)); stream writers
 *    (ctune_write_*(w, ...)) take inputs only. The exceptions are signatures
 *    fixed elsewhere: callback types and vtable members (their layout is part
 *    of the versioned vtables), ctune_mlp_build() (a ctune_build_fn), and
 *    ctune_mpi_init() (MPI_Init_thread's order).
 *  - @anchor buffers Buffers: one rule, snprintf's, for every function that
 *    writes text or bytes into a caller buffer. It takes `(buf, cap)` first
 *    (they are outputs) and returns `long`: the length the whole text needs
 *    without the NUL (the whole size, for bytes), even when it did not fit;
 *    it writes at most `cap` bytes, text always NUL-terminated when cap > 0;
 *    buf may be NULL when cap is 0. So `n = f(NULL, 0, x)` then
 *    `f(buf, n + 1, x)` gets it all, and a result >= cap means it was cut.
 *    A failure is a negative ctune_status (the error message set as usual).
 *  - `_ex` means one thing: the base function plus a last
 *    `const char *options` ("key=value" text, parsed by
 *    ctune_params_parse_spec()). A variant with other extra arguments has a
 *    descriptive name instead (ctune_estimator_fit_task(),
 *    ctune_model_fit_monitored(), ctune_cross_validate_executor()).
 *  - Only plain types cross the API (opaque handles, integers, doubles,
 *    `const char *`, pointers to caller arrays), so any FFI can call it.
 *  - Thread safety: distinct handles may be used from distinct threads
 *    concurrently; one handle must not be used from two threads at once.
 *    The error message is per thread. See docs/threading-and-reproducibility.md.
 *  - The library never prints, aborts or exits.
 *
 * Process-wide state (everything else belongs to a handle or to the calling
 * thread's error message):
 *  - the log callback, ctune_set_log_callback();
 *  - the allocation counters and the allocation-failure test hook, declared
 *    in ctune_testing.h (unstable; for single-threaded tests);
 *  - tables built once on first use (the BLIS context, the C locale of the
 *    number parser);
 *  - the neural-network engine's fork handlers (a fork waits for the BLIS
 *    calls running on ctune's threads).
 * The threads of a search or cross-validation (n_jobs), and those of a
 * neural-network fit, predict or evaluate (ctune_model_set_threads()),
 * belong to that call: they are started and joined inside it, so no thread
 * of the library runs between calls. docs/threading-and-reproducibility.md
 * gives the rules.
 *
 * Stability: everything declared here is stable API within a soname
 * (libctune.so.1): functions are only added, vtables only grow at the end
 * (with their version constant). Declarations inside the "Experimental API"
 * block at the end are the exception: they exist only when the including
 * program defines CTUNE_EXPERIMENTAL, may change or go in any release, and
 * are outside the ABI check. ctune_testing.h is unstable as a whole.
 *
 * A first program is in docs/getting-started-c.md.
 */
#ifndef CTUNE_H
#define CTUNE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Marks a public symbol: exported from the shared library, which is built
 *  with hidden visibility for everything else. */
#if defined(_WIN32) && defined(CTUNE_BUILDING)
#define CTUNE_API __declspec(dllexport)
#elif defined(__GNUC__) && __GNUC__ >= 4
#define CTUNE_API __attribute__((visibility("default")))
#else
#define CTUNE_API
#endif

/** Lets GCC and Clang check the format string of a printf-style function:
 *  argument `fmt` is the format, arguments from `args` on are its values. */
#if defined(__GNUC__)
#define CTUNE_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define CTUNE_PRINTF(fmt, args)
#endif

/* ========================================================================
 * Core: version, status codes and errors
 * ======================================================================== */
/** @defgroup grp_core Core: version, status codes and errors
 *  Version of the header and the library; the status every fallible call
 *  returns; the per-thread error message.
 *  @{ */

/* ---- Version ---- */

/** Major version of this header. While it is 0 the API is settling: a
 *  release that breaks the API or ABI raises the minor version and the
 *  shared library's soname (0.2.0 is libctune.so.1; see NEWS.md). */
#define CTUNE_VERSION_MAJOR 0
/** Minor version of this header: additions, or (while the major version is
 *  0) breaking changes with a new soname. */
#define CTUNE_VERSION_MINOR 2
/** Patch version of this header: fixes only. */
#define CTUNE_VERSION_PATCH 0
/** MAJOR * 10000 + MINOR * 100 + PATCH. */
#define CTUNE_VERSION_NUMBER \
    (CTUNE_VERSION_MAJOR * 10000 + CTUNE_VERSION_MINOR * 100 + CTUNE_VERSION_PATCH)

/**
 * The library's version as "MAJOR.MINOR.PATCH".
 *
 * Compare with the CTUNE_VERSION_* macros to detect a header / library
 * mismatch at run time. Thread-safe.
 *
 * @return a static string, never NULL
 */
CTUNE_API const char *ctune_version_string(void);
/**
 * The library's version number, as CTUNE_VERSION_NUMBER computes it.
 *
 * Thread-safe.
 *
 * @return MAJOR * 10000 + MINOR * 100 + PATCH of the library
 */
CTUNE_API int ctune_version_number(void);

/* ---- Status codes and errors ---- */

/** Result of every fallible call: CTUNE_OK (0) or a negative code naming the
 *  kind of failure (the anonymous enum below). */
typedef int ctune_status;

/** The status codes. Codes are grouped by kind of failure; the message of
 *  ctune_last_error() says what exactly went wrong. */
enum {
    CTUNE_OK = 0,             /**< success */
    CTUNE_EINVAL = -1,        /**< invalid argument (NULL, out of range, unknown name) */
    CTUNE_EDATA = -2,         /**< invalid data (NaN/Inf, wrong shape, bad labels) */
    CTUNE_ESTATE = -3,        /**< wrong state (predict before fit, ...) */
    CTUNE_ENOMEM = -4,        /**< out of memory */
    CTUNE_EIO = -5,           /**< I/O failure (open, read, write) */
    CTUNE_EFORMAT = -6,       /**< malformed text or file (CSV, space text, model file) */
    CTUNE_ENUMERIC = -7,      /**< numeric failure (loss became NaN/Inf, singular) */
    CTUNE_EUSER = -8,         /**< a user callback returned non-zero */
    CTUNE_ECANCELLED = -9,    /**< cancelled (progress callback, ctune_search_cancel(),
                                ctune_estimator_cancel()) */
    CTUNE_EUNSUPPORTED = -10, /**< operation not supported by this estimator/build */
    CTUNE_EINTERNAL = -11,    /**< internal error (a bug: please report) */
    CTUNE_EALLFAILED = -12    /**< every fit of a search failed: no candidate has a finite
                                mean test score ("all N fits failed; first error: ...");
                                the results table is kept, there is no best candidate */
};

/**
 * The name of a status code ("ok", "invalid argument", ...).
 *
 * Thread-safe.
 *
 * @param code a ctune_status
 * @return a static string, never NULL; "unknown status" for an unknown code
 */
CTUNE_API const char *ctune_status_string(ctune_status code);

/**
 * The message of the last failure on the calling thread.
 *
 * Every failing call sets it; many calls clear it when they start. Each
 * thread has its own message, so a failure on a worker thread never
 * overwrites the caller's.
 *
 * @return the message, never NULL ("" if none). Borrowed: a thread-local
 *         buffer whose content changes with the next ctune call on this
 *         thread; copy it to keep it.
 */
CTUNE_API const char *ctune_last_error(void);

/**
 * The status code that went with ctune_last_error().
 *
 * @return the calling thread's last error code, CTUNE_OK if none
 */
CTUNE_API ctune_status ctune_last_error_code(void);

/**
 * Sets the calling thread's error message, printf-style, and returns `code`.
 *
 * For custom estimators and callbacks:
 * `return ctune_set_error(CTUNE_EDATA, "row %zu is bad", r);`.
 * Messages longer than 1023 bytes are truncated. The arguments may point
 * into the current message (ctune_last_error()).
 *
 * @param code the status to record and return
 * @param fmt  printf format of the message; NULL uses ctune_status_string(code)
 * @param ...  the format's arguments
 * @return `code`
 */
CTUNE_API ctune_status ctune_set_error(ctune_status code, const char *fmt, ...) CTUNE_PRINTF(2, 3);

/**
 * Same as ctune_set_error() with a plain message (for FFI callers).
 *
 * @param code    the status to record and return
 * @param message the message (copied, truncated to 1023 bytes); NULL uses
 *                ctune_status_string(code)
 * @return `code`
 */
CTUNE_API ctune_status ctune_set_error_str(ctune_status code, const char *message);

/** Clears the calling thread's error: ctune_last_error() becomes "" and
 *  ctune_last_error_code() CTUNE_OK. */
CTUNE_API void ctune_clear_error(void);

/** @} */

/* ========================================================================
 * Memory and logging
 * ======================================================================== */
/** @defgroup grp_memlog Memory and logging
 *  The process-wide log callback; allocation accounting lives in
 *  ctune_testing.h.
 *  @{ */

/** A receiver of the library's optional log lines: `level` 0 is info, 1 a
 *  warning; `message` is valid during the call only. */
typedef void (*ctune_log_fn)(int level, const char *message, void *user);
/** Sets the receiver of the library's optional log lines, e.g. the per-epoch
 *  lines of verbose Keras-style fits. The library itself never prints:
 *  without a callback the lines are dropped.
 *  @param fn   the receiver, or NULL to remove it; it may be called from
 *              worker threads concurrently
 *  @param user handed to every call of `fn`
 *  Process-wide; thread-safe. */
CTUNE_API void ctune_set_log_callback(ctune_log_fn fn, void *user);

/* Allocation accounting and the allocation-failure test hook
 * (ctune_alloc_live(), ctune_alloc_fail_at(), ...) are in ctune_testing.h. */

/** @} */

/* ========================================================================
 * Data: random numbers and data views
 *
 * ---- Random numbers ----
 *
 * A ctune_rng is a xoshiro256** generator. Independent streams are derived
 * from (seed, stream id): ctune_seed_derive() mixes a seed with ids through
 * SplitMix64, so the task (candidate c, fold f) of a search seeded s uses
 * ctune_seed_derive(ctune_seed_derive(s, c), f) whatever thread or MPI rank
 * runs it.
 * ======================================================================== */
/** @defgroup grp_data Data: random numbers and data views
 *  Seeded random streams and ctune_data, the view over caller arrays that
 *  every fit, predict and score takes.
 *  @{ */

/** A random number generator (xoshiro256**) on one stream of one seed.
 *  Created by ctune_rng_new(), freed by ctune_rng_free(). Not thread-safe:
 *  use one generator per thread. */
typedef struct ctune_rng ctune_rng;

/**
 * Mixes `seed` with `id` into a new, statistically independent seed.
 *
 * SplitMix64-based; pure and thread-safe. Chain calls to derive nested
 * streams: a search task (candidate c, fold f) uses
 * `ctune_seed_derive(ctune_seed_derive(seed, c), f)`.
 *
 * @param seed the parent seed
 * @param id   the stream id
 * @return the derived seed
 */
CTUNE_API uint64_t ctune_seed_derive(uint64_t seed, uint64_t id);

/**
 * Creates a generator for stream `stream` of `seed`.
 *
 * The same (seed, stream) always gives the same sequence of bits.
 *
 * @param[out] out receives the generator, owned by the caller (ctune_rng_free())
 * @param seed   the seed
 * @param stream the stream id, mixed into the seed
 * @return CTUNE_OK, CTUNE_EINVAL (NULL out) or CTUNE_ENOMEM
 */
CTUNE_API ctune_status ctune_rng_new(ctune_rng **out, uint64_t seed, uint64_t stream);
/**
 * Frees a generator.
 *
 * @param rng the generator; NULL is a no-op
 */
CTUNE_API void ctune_rng_free(ctune_rng *rng);
/**
 * Next 64 random bits.
 *
 * @param rng the generator (not NULL)
 * @return 64 uniformly distributed bits
 */
CTUNE_API uint64_t ctune_rng_u64(ctune_rng *rng);
/**
 * Uniform double in [0, 1) with 53 random bits.
 *
 * @param rng the generator (not NULL)
 * @return a value in [0, 1)
 */
CTUNE_API double ctune_rng_uniform(ctune_rng *rng);
/**
 * Uniform integer in [0, n) without modulo bias.
 *
 * @param rng the generator (not NULL)
 * @param n   the exclusive upper bound
 * @return a value in [0, n); 0 when n == 0
 */
CTUNE_API uint64_t ctune_rng_below(ctune_rng *rng, uint64_t n);
/**
 * Standard normal deviate (polar Box–Muller).
 *
 * @param rng the generator (not NULL)
 * @return a draw of N(0, 1)
 */
CTUNE_API double ctune_rng_normal(ctune_rng *rng);

/* ---- Data views ----
 *
 * A ctune_data wraps caller arrays without copying: X is n_rows × n_cols,
 * row-major, element type float32 or float64, consecutive rows `row_stride`
 * elements apart; y is n_rows × n_targets float64, contiguous (may be absent,
 * e.g. for predict). The caller's arrays must outlive the view and every view
 * derived from it. A subset view (a fold) selects rows by index without
 * copying X. Views are immutable and may be shared by threads. */

/** Element type of X in a data view. */
typedef enum ctune_dtype { CTUNE_FLOAT32 = 1, CTUNE_FLOAT64 = 2 } ctune_dtype;
/** @var CTUNE_FLOAT32
 *  X holds `float` elements (zero-copy for float32 arrays). */
/** @var CTUNE_FLOAT64
 *  X holds `double` elements (numpy's default dtype). */

/** A read-only view of X (and optionally y) over caller arrays, or a subset
 *  of another view's rows. Immutable once created: one view may be read by
 *  any number of threads at once. Free with ctune_data_free(). */
typedef struct ctune_data ctune_data;

/**
 * Wraps caller arrays X and optionally y in a data view, without copying.
 *
 * No value is validated (see ctune_data_validate()). The arrays must
 * outlive the view and every view derived from it.
 *
 * @param[out] out   receives the view, owned by the caller (ctune_data_free())
 * @param X          n_rows × n_cols elements of type `dtype`, row-major
 * @param dtype      CTUNE_FLOAT32 or CTUNE_FLOAT64
 * @param n_rows     number of rows (may be 0)
 * @param n_cols     number of columns (>= 1)
 * @param row_stride elements between the starts of consecutive rows
 *                   (>= n_cols; 0 means n_cols)
 * @param y          n_rows × n_targets float64 targets, row-major and
 *                   contiguous, or NULL for none
 * @param n_targets  columns of y; 0 when y is NULL
 * @return CTUNE_OK; CTUNE_EINVAL (NULL out or X, n_cols 0,
 *         row_stride < n_cols, y NULL with n_targets > 0, unknown dtype, a
 *         shape whose offsets overflow size_t); CTUNE_ENOMEM
 */
CTUNE_API ctune_status ctune_data_new(ctune_data **out, const void *X, int dtype, size_t n_rows,
                                      size_t n_cols, size_t row_stride, const double *y,
                                      size_t n_targets);

/**
 * A view of some rows of `src`, without copying X or y.
 *
 * Row i of the subset is row `rows[i]` of `src`; repeats are allowed. The
 * index list is copied. `src` may be freed before the subset (views share
 * the underlying arrays by reference count).
 *
 * @param[out] out receives the view, owned by the caller (ctune_data_free())
 * @param src  the view to select from
 * @param rows n row indices into `src`
 * @param n    number of rows of the subset (may be 0)
 * @return CTUNE_OK; CTUNE_EINVAL (NULLs, an index out of range: the
 *         message names it); CTUNE_ENOMEM
 */
CTUNE_API ctune_status ctune_data_subset(ctune_data **out, const ctune_data *src,
                                         const size_t *rows, size_t n);

/**
 * Releases a view.
 *
 * The caller's arrays are never freed, unless the data was created by a
 * loader that owns them (then the last view sharing them frees them).
 *
 * @param data the view; NULL is a no-op
 */
CTUNE_API void ctune_data_free(ctune_data *data);

/**
 * Number of rows of the view.
 *
 * @param data the view
 * @return the row count; 0 for NULL
 */
CTUNE_API size_t ctune_data_n_rows(const ctune_data *data);
/**
 * Number of columns (features) of X.
 *
 * @param data the view
 * @return the column count; 0 for NULL
 */
CTUNE_API size_t ctune_data_n_cols(const ctune_data *data);
/**
 * Number of targets (columns of y).
 *
 * @param data the view
 * @return the target count; 0 when the view has no y, or for NULL
 */
CTUNE_API size_t ctune_data_n_targets(const ctune_data *data);
/**
 * Element type of X.
 *
 * @param data the view
 * @return CTUNE_FLOAT32 or CTUNE_FLOAT64; 0 for NULL
 */
CTUNE_API int ctune_data_dtype(const ctune_data *data);
/**
 * Direct read access to X, for bindings that hand the rows on without a
 * copy (Python's custom estimators get a numpy view).
 *
 * Works when the view's rows are its storage's rows in order (a view made by
 * ctune_data_new(), or the coded view a classifier's fit receives); a
 * subset, as in cross-validation, has no such layout.
 *
 * @param[out] X receives the address of row 0 (ctune_data_dtype() values)
 * @param[out] stride receives the distance between rows, in elements
 * @param data   the view
 * @return CTUNE_OK; CTUNE_EUNSUPPORTED for a subset view (gather its rows
 *         with ctune_data_gather_f64()); CTUNE_EINVAL (NULLs)
 */
CTUNE_API ctune_status ctune_data_rows(const void **X, size_t *stride, const ctune_data *data);

/**
 * Checks that every X value (and y value, when present) is finite.
 *
 * Rows and columns are counted from 0 in the view.
 *
 * @param data the view
 * @return CTUNE_OK; CTUNE_EDATA naming the first offender, e.g.
 *         "X row 17, column 3 is NaN"; CTUNE_EINVAL (NULL)
 */
CTUNE_API ctune_status ctune_data_validate(const ctune_data *data);

/**
 * Copies X of some rows of the view into a float32 array.
 *
 * Values are converted from the view's dtype.
 *
 * @param[out] out caller array of n rows, consecutive rows `ld` floats apart
 * @param ld   leading dimension of `out` (>= n_cols)
 * @param data the view
 * @param rows n row indices into the view, or NULL for the first n rows
 * @param n    number of rows to copy
 * @return CTUNE_OK; CTUNE_EINVAL (NULLs, ld < n_cols, more rows than the
 *         view has, an index out of range)
 */
CTUNE_API ctune_status ctune_data_gather_f32(float *out, size_t ld, const ctune_data *data,
                                             const size_t *rows, size_t n);
/**
 * Copies X of some rows of the view into a float64 array.
 *
 * Same as ctune_data_gather_f32() with double output.
 *
 * @param[out] out caller array of n rows, consecutive rows `ld` doubles apart
 * @param ld   leading dimension of `out` (>= n_cols)
 * @param data the view
 * @param rows n row indices into the view, or NULL for the first n rows
 * @param n    number of rows to copy
 * @return CTUNE_OK; CTUNE_EINVAL (as ctune_data_gather_f32())
 */
CTUNE_API ctune_status ctune_data_gather_f64(double *out, size_t ld, const ctune_data *data,
                                             const size_t *rows, size_t n);
/**
 * Copies y of some rows of the view into a caller array.
 *
 * @param[out] out caller array of n × n_targets doubles, row-major
 * @param data the view
 * @param rows n row indices into the view, or NULL for the first n rows
 * @param n    number of rows to copy
 * @return CTUNE_OK; CTUNE_EINVAL (NULLs, the view has no y, an index out
 *         of range)
 */
CTUNE_API ctune_status ctune_data_gather_y(double *out, const ctune_data *data, const size_t *rows,
                                           size_t n);

/**
 * One element of X, as a double.
 *
 * Meant for tests and small tools; use the gather functions for bulk reads.
 *
 * @param data the view
 * @param row  row in the view
 * @param col  column
 * @return X[row][col]; 0 when out of range (check sizes first) or for NULL
 */
CTUNE_API double ctune_data_x(const ctune_data *data, size_t row, size_t col);
/**
 * One element of y.
 *
 * @param data   the view
 * @param row    row in the view
 * @param target target column
 * @return y[row][target]; NaN when the view has no y or out of range
 */
CTUNE_API double ctune_data_y(const ctune_data *data, size_t row, size_t target);

/** @} */

/* ========================================================================
 * Parameters and parameter specs
 *
 * A ctune_params is an ordered set of name → typed value (int, double,
 * string, bool or none). An estimator declares its parameters with a spec:
 * a static array of ctune_param_spec ended by an entry whose name is NULL.
 * ======================================================================== */
/** @defgroup grp_params Parameters and parameter specs
 *  Typed name → value sets (ctune_params) and the specs (ctune_param_spec)
 *  that declare and validate an estimator's parameters.
 *  @{ */

/** Value types; a spec's `types` is a bitwise OR of the accepted ones. */
enum {
    CTUNE_TYPE_INT = 1,    /**< a signed 64-bit integer */
    CTUNE_TYPE_DOUBLE = 2, /**< a double */
    CTUNE_TYPE_STRING = 4, /**< a string (copied into the set) */
    CTUNE_TYPE_BOOL = 8,   /**< true or false */
    CTUNE_TYPE_NONE = 16   /**< Python's None (e.g. max_depth=none) */
};

/** One declared parameter of an estimator or builder. All strings are static
 *  text. A spec is an array of these ended by an entry whose name is NULL:
 *  `{NULL, 0, NULL, NULL, NULL, NULL}`. */
typedef struct ctune_param_spec {
    /** Parameter name, [A-Za-z_][A-Za-z0-9_]*; NULL ends the spec. */
    const char *name;
    /** Accepted value types: a bitwise OR of CTUNE_TYPE_* (an int is accepted
     *  where only CTUNE_TYPE_DOUBLE is declared, and converted). */
    unsigned types;
    /** Text form of the default ("16", "0.001", "adam", "true", "none");
     *  NULL means none. */
    const char *default_value;
    /** Numeric interval for int and double values, such as "[1, inf)",
     *  "(0, 1)" or "[0, 1]"; NULL for none. */
    const char *range;
    /** Allowed strings separated by '|', such as "sgd|adam"; NULL = any. */
    const char *choices;
    /** One line of documentation. */
    const char *doc;
} ctune_param_spec;

/** An ordered set of name → typed value: an estimator's parameters, a
 *  search candidate. Created by ctune_params_new(), freed by
 *  ctune_params_free(). Text form: "nl=2, optimizer=adam, max_depth=none". */
typedef struct ctune_params ctune_params;

/**
 * Creates an empty parameter set.
 *
 * @param[out] out receives the set, owned by the caller (ctune_params_free())
 * @return CTUNE_OK, CTUNE_EINVAL (NULL out) or CTUNE_ENOMEM
 */
CTUNE_API ctune_status ctune_params_new(ctune_params **out);
/**
 * Frees a parameter set and its strings.
 *
 * @param params the set; NULL is a no-op
 */
CTUNE_API void ctune_params_free(ctune_params *params);
/**
 * Deep copy of a parameter set.
 *
 * @param[out] out receives the copy, owned by the caller (ctune_params_free())
 * @param src the set to copy
 * @return CTUNE_OK, CTUNE_EINVAL (NULLs) or CTUNE_ENOMEM
 */
CTUNE_API ctune_status ctune_params_copy(ctune_params **out, const ctune_params *src);

/**
 * Sets `name` to an integer, adding or replacing it.
 *
 * Names are [A-Za-z_][A-Za-z0-9_]* (a "__" separates pipeline steps). A
 * replaced entry keeps its position.
 *
 * @param p     the set
 * @param name  the parameter name
 * @param value the value
 * @return CTUNE_OK; CTUNE_EINVAL (NULL p, invalid name); CTUNE_ENOMEM
 */
CTUNE_API ctune_status ctune_params_set_int(ctune_params *p, const char *name, int64_t value);
/**
 * Sets `name` to a double, adding or replacing it.
 *
 * @param p     the set
 * @param name  the parameter name
 * @param value the value
 * @return as ctune_params_set_int()
 */
CTUNE_API ctune_status ctune_params_set_double(ctune_params *p, const char *name, double value);
/**
 * Sets `name` to a string, adding or replacing it.
 *
 * @param p     the set
 * @param name  the parameter name
 * @param value the value (copied; not NULL)
 * @return as ctune_params_set_int(); CTUNE_EINVAL for a NULL value
 */
CTUNE_API ctune_status ctune_params_set_string(ctune_params *p, const char *name,
                                               const char *value);
/**
 * Sets `name` to a boolean, adding or replacing it.
 *
 * @param p     the set
 * @param name  the parameter name
 * @param value non-zero for true
 * @return as ctune_params_set_int()
 */
CTUNE_API ctune_status ctune_params_set_bool(ctune_params *p, const char *name, int value);
/**
 * Sets `name` to none (Python's None), adding or replacing it.
 *
 * @param p    the set
 * @param name the parameter name
 * @return as ctune_params_set_int()
 */
CTUNE_API ctune_status ctune_params_set_none(ctune_params *p, const char *name);
/**
 * Sets `name` from text, inferring the type.
 *
 * Tried in order: integer, double, true/false, none (or null), else
 * string; the keywords are case-insensitive. Quotes '...' or "..." around
 * the text force a string.
 *
 * @param p    the set
 * @param name the parameter name
 * @param text the value's text (not NULL)
 * @return as ctune_params_set_int(); CTUNE_EINVAL for a NULL text
 */
CTUNE_API ctune_status ctune_params_set_text(ctune_params *p, const char *name, const char *text);
/**
 * Copies every entry of `src` into `p`, replacing entries of the same name.
 *
 * @param p   the set to update
 * @param src the entries to copy
 * @return CTUNE_OK, CTUNE_EINVAL (NULLs) or CTUNE_ENOMEM
 */
CTUNE_API ctune_status ctune_params_update(ctune_params *p, const ctune_params *src);
/**
 * Parses "key=value, key=value" text into `p`.
 *
 * Separators are ',', ';' or newlines; values are typed as by
 * ctune_params_set_text(). On error `p` is unchanged.
 *
 * @param p    the set to add to
 * @param text the text
 * @return CTUNE_OK; CTUNE_EFORMAT naming the offending character offset;
 *         CTUNE_EINVAL (NULLs, invalid name); CTUNE_ENOMEM
 */
CTUNE_API ctune_status ctune_params_parse(ctune_params *p, const char *text);
/**
 * Removes `name` from the set.
 *
 * @param p    the set
 * @param name the parameter name
 * @return CTUNE_OK; CTUNE_EINVAL when absent
 */
CTUNE_API ctune_status ctune_params_remove(ctune_params *p, const char *name);

/**
 * Number of entries.
 *
 * @param p the set
 * @return the entry count; 0 for NULL
 */
CTUNE_API size_t ctune_params_count(const ctune_params *p);
/**
 * Name of entry i, in insertion order.
 *
 * @param p the set
 * @param i the entry index
 * @return the name (borrowed: valid until the entry is removed or the set
 *         freed); NULL when out of range
 */
CTUNE_API const char *ctune_params_name(const ctune_params *p, size_t i);
/**
 * Index of `name` in the set.
 *
 * @param p    the set
 * @param name the parameter name
 * @return the index, or -1 when absent (or for NULLs)
 */
CTUNE_API long ctune_params_find(const ctune_params *p, const char *name);
/**
 * Type of the value of `name`.
 *
 * @param p    the set
 * @param name the parameter name
 * @return a CTUNE_TYPE_* value; 0 when absent
 */
CTUNE_API int ctune_params_type(const ctune_params *p, const char *name);
/**
 * Reads `name` as an integer.
 *
 * An integral double is accepted (|value| < 9e15).
 *
 * @param[out] out receives the value
 * @param p    the set
 * @param name the parameter name
 * @return CTUNE_OK; CTUNE_EINVAL when absent (naming it), of another type
 *         (naming both types), or for NULLs
 */
CTUNE_API ctune_status ctune_params_get_int(int64_t *out, const ctune_params *p, const char *name);
/**
 * Reads `name` as a double (an int is converted).
 *
 * @param[out] out receives the value
 * @param p    the set
 * @param name the parameter name
 * @return as ctune_params_get_int()
 */
CTUNE_API ctune_status ctune_params_get_double(double *out, const ctune_params *p,
                                               const char *name);
/**
 * Reads `name` as a string.
 *
 * @param[out] out receives the string, borrowed from `p`: valid until the entry
 *                 is replaced or removed, or the set freed
 * @param p    the set
 * @param name the parameter name
 * @return as ctune_params_get_int()
 */
CTUNE_API ctune_status ctune_params_get_string(const char **out, const ctune_params *p,
                                               const char *name);
/**
 * Reads `name` as a boolean (an int 0 or 1 is accepted).
 *
 * @param[out] out receives 1 for true, 0 for false
 * @param p    the set
 * @param name the parameter name
 * @return as ctune_params_get_int()
 */
CTUNE_API ctune_status ctune_params_get_bool(int *out, const ctune_params *p, const char *name);
/**
 * Whether `name` is present and none.
 *
 * @param p    the set
 * @param name the parameter name
 * @return 1 when present and none, else 0
 */
CTUNE_API int ctune_params_is_none(const ctune_params *p, const char *name);
/**
 * Text form of one value, by the @ref buffers "buffer rule" (snprintf's).
 *
 * Doubles are written so that they read back equal (and as doubles).
 *
 * @param[out] buf receives the text; may be NULL when cap is 0
 * @param cap  size of buf in bytes
 * @param p    the set
 * @param name the parameter name
 * @return the length the text needs (excluding the NUL), even when it did
 *         not fit; a negative ctune_status on error (absent name, NULLs)
 */
CTUNE_API long ctune_params_value_text(char *buf, size_t cap, const ctune_params *p,
                                       const char *name);
/**
 * Text form of the whole set, "k=v, k=v", by the @ref buffers "buffer rule".
 *
 * Strings that would read back as another type are quoted, so the text
 * parses back to an equal set with ctune_params_parse().
 *
 * @param[out] buf receives the text; may be NULL when cap is 0
 * @param cap size of buf in bytes
 * @param p   the set
 * @return the length the text needs (excluding the NUL); a negative
 *         ctune_status on error
 */
CTUNE_API long ctune_params_to_text(char *buf, size_t cap, const ctune_params *p);
/**
 * Whether two sets hold the same names with equal values.
 *
 * Order is ignored; values must have the same type (NaN equals NaN).
 *
 * @param a a set
 * @param b another set
 * @return 1 when equal, else 0 (two NULLs are equal)
 */
CTUNE_API int ctune_params_equal(const ctune_params *a, const ctune_params *b);

/**
 * Creates a set holding every spec entry's default.
 *
 * @param[out] out receives the set, owned by the caller (ctune_params_free())
 * @param spec a NULL-name-terminated spec; NULL gives an empty set
 * @return CTUNE_OK; CTUNE_EINVAL (NULL out, a default that does not parse
 *         or fails its own type, range or choices); CTUNE_ENOMEM
 */
CTUNE_API ctune_status ctune_params_from_spec(ctune_params **out, const ctune_param_spec *spec);
/**
 * Checks every entry of `p` against a spec (name, type, range, choices).
 *
 * An int is converted to double in `p` where the spec wants a double.
 *
 * @param p    the set to check (may be modified by that conversion)
 * @param spec a NULL-name-terminated spec
 * @return CTUNE_OK; CTUNE_EINVAL naming the parameter, the value and what
 *         is allowed, or an unknown name with the list of known ones
 */
CTUNE_API ctune_status ctune_params_check(ctune_params *p, const ctune_param_spec *spec);
/**
 * Parses "key=value" options text and checks it against a spec.
 *
 * The one parser of every option set of the library (searches,
 * cross-validation, CSV, fits, MPI, conformance checks): the same syntax
 * as ctune_params_parse(), then each key must name a spec entry and each
 * value must fit its type, range and choices. Messages start with `who`:
 * "search: unknown option 'n_iter'; known: cv, scoring, ...",
 * "search: option 'cv' must be int, got string 'three'". Defaults are not
 * added: the set holds the keys given, in order (a later key overrides an
 * earlier one).
 *
 * @param[out] out receives the set, owned by the caller (ctune_params_free())
 * @param text the options text
 * @param spec a NULL-name-terminated spec of the accepted options
 * @param who  names the caller in messages (NULL: "options")
 * @return CTUNE_OK; CTUNE_EINVAL (NULLs, unknown key listing the known
 *         ones, bad value); CTUNE_EFORMAT (malformed text); CTUNE_ENOMEM
 */
CTUNE_API ctune_status ctune_params_parse_spec(ctune_params **out, const char *text,
                                               const ctune_param_spec *spec, const char *who);
/**
 * Number of entries in a spec, up to the NULL name.
 *
 * @param spec a spec; NULL counts 0
 * @return the entry count
 */
CTUNE_API size_t ctune_spec_count(const ctune_param_spec *spec);

/** @} */

/* ========================================================================
 * Estimator protocol and vtable
 *
 * An estimator is an opaque handle around a vtable, its parameters and its
 * fitted state (scikit-learn's contract: construction only stores params;
 * fit does the work; clone copies params, not the fit).
 * ======================================================================== */
/** @defgroup grp_estimator Estimator protocol and vtable
 *  The estimator handle, the vtable a custom estimator implements, and the
 *  calls every estimator answers (fit, predict, score, clone, params).
 *  @{ */

/** What an estimator predicts (ctune_estimator_kind() returns one). */
typedef enum ctune_kind {
    CTUNE_CLASSIFIER = 1,
    CTUNE_REGRESSOR = 2,
    CTUNE_TRANSFORMER = 3
} ctune_kind;
/** @var CTUNE_CLASSIFIER
 *  Predicts class labels from integer-valued training labels. */
/** @var CTUNE_REGRESSOR
 *  Predicts one or more real targets. */
/** @var CTUNE_TRANSFORMER
 *  Transforms X, as StandardScaler does; a pipeline step before the final
 *  estimator. */

/** An estimator handle: a vtable, its params and its fitted state. Created
 *  by ctune_estimator_new() or a built-in constructor, freed by
 *  ctune_estimator_free(). One handle must not be used from two threads at
 *  once; clones may be fitted concurrently. */
typedef struct ctune_estimator ctune_estimator;

/** @} */

/* ========================================================================
 * Fit context
 * ======================================================================== */
/** @defgroup grp_fit_ctx Fit context
 *  What the library gives an estimator's fit: its thread budget, its random
 *  stream and cancellation.
 *  @{ */

/** Context of one fit, given by the library to an estimator's fit: the
 *  thread budget and the RNG stream of the task. Read with the accessors. */
typedef struct ctune_fit_ctx ctune_fit_ctx;

/**
 * Threads this fit may use for its own computation.
 *
 * An estimator that runs BLIS or its own threads must not exceed it: a
 * search with n_jobs > 1 gives 1 thread to each task, a serial one all
 * cores (docs/threading-and-reproducibility.md).
 *
 * @param ctx the fit context (NULL gives 1)
 * @return the thread budget, >= 1
 */
CTUNE_API int ctune_fit_ctx_threads(const ctune_fit_ctx *ctx);
/**
 * The seed a fit should use, given the estimator's own `seed` param.
 *
 * Outside a search (or with stream 0 in ctune_estimator_fit_task()) it is
 * the param itself; inside one it is derived from the param and the task's
 * stream, so each task is reproducible whatever thread runs it.
 *
 * @param ctx      the fit context (NULL gives `own_seed`)
 * @param own_seed the estimator's seed param
 * @return the seed to draw from
 */
CTUNE_API uint64_t ctune_fit_ctx_seed(const ctune_fit_ctx *ctx, uint64_t own_seed);
/**
 * Whether the work this fit belongs to was cancelled.
 *
 * A long fit may poll it and return CTUNE_ECANCELLED. Thread-safe.
 *
 * @param ctx the fit context (NULL gives 0)
 * @return 1 when cancelled, else 0
 */
CTUNE_API int ctune_fit_ctx_cancelled(const ctune_fit_ctx *ctx);

/** @} */

/* ---- Estimator protocol and vtable (continued) ---- */
/** @addtogroup grp_estimator
 *  @{ */

/** A byte sink for an estimator's save hook (see the I/O section). */
typedef struct ctune_writer ctune_writer;
/** A bounds-checked byte source for an estimator's load hook. */
typedef struct ctune_reader ctune_reader;

/** Version of ctune_estimator_vtable this header declares; put it in the
 *  vtable's `version` field.
 *
 *  Version history (methods are appended at the end of the struct, in this
 *  order, and this constant is bumped by one with each addition; the library
 *  reads a method only from vtables whose version has it):
 *  - 1: everything up to user_release;
 *  - 2: save_definition, load_definition;
 *  - 3: fit_more (warm start). */
#define CTUNE_ESTIMATOR_VTABLE_VERSION 3

/** The estimator vtable (the sqlite3_module pattern): a version first,
 *  methods only ever appended; optional methods may be NULL.
 *
 *  `self` is the estimator's instance, created by `create` from the current
 *  params each time the handle is fitted and released by `destroy`.
 *  For a classifier the library maps labels: `fit` receives y as class codes
 *  0..n_classes-1 (as doubles) and `predict` must return codes; the handle
 *  maps them back to the caller's labels. Methods report failures through
 *  ctune_set_error() and return its status. The library checks arguments
 *  (NULLs, shapes, finite values, fitted state) before calling a method.
 *  Clones of one handle share the vtable and may run concurrently on
 *  different threads, so methods must not touch unsynchronized global
 *  state. See docs/custom-estimators.md. */
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
    /** Optional persistence of the fitted state: writes the instance with
     *  the ctune_write_* primitives. */
    ctune_status (*save)(const void *self, ctune_writer *w);
    /** Optional, with `save`: creates an instance from `params` and reads
     *  back exactly what save wrote, with the ctune_read_* primitives. */
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
    /** Releases one reference to `user` (see user_retain). */
    void (*user_release)(void *user);

    /* ---- version 2 ---- */
    /** Optional, with load_definition (version >= 2): persistence of the
     *  estimator's definition, what a handle needs before its params apply
     *  (a Pipeline's steps, from which its param names come). Writes the
     *  definition held by `user` (the handle's user pointer), fitted or not,
     *  with the ctune_write_* primitives. */
    ctune_status (*save_definition)(const void *user, ctune_writer *w);
    /** Optional, with save_definition (version >= 2): makes a new, unfitted
     *  handle with this vtable's name from what save_definition wrote.
     *  `user` is the user pointer of the estimator loaded into (the one
     *  given to ctune_estimator_load_like(), the built-in made by name, or
     *  the `user` given to ctune_estimator_load()). */
    ctune_status (*load_definition)(ctune_estimator **out, ctune_reader *r, void *user);

    /* ---- version 3 ---- */
    /** Optional (version >= 3): warm start. Continues training the fitted
     *  instance `self` on the same `train` (and n_classes) as its last fit
     *  so that it ends exactly as a fresh fit with `params` would have: bit
     *  for bit the same state, RNG streams included. `params` differ from
     *  those the instance was created with at most in the training budget
     *  (the Keras wrappers: `epochs` raised from 3 to 9 trains 6 more
     *  epochs). Return CTUNE_EUNSUPPORTED, without touching `self`, when
     *  that cannot be done exactly (another param changed, the budget went
     *  down, an instance loaded from a file): the library then fits from
     *  scratch. On any other failure the library drops the instance. */
    ctune_status (*fit_more)(void *self, const ctune_params *params, const ctune_data *train,
                             size_t n_classes, const ctune_fit_ctx *ctx);
    /* Append new methods here (see CTUNE_ESTIMATOR_VTABLE_VERSION). */
} ctune_estimator_vtable;

/**
 * Creates an estimator from a vtable, with the spec's defaults.
 *
 * With user_retain / user_release in the vtable the handle adopts the
 * caller's reference to `user`, also when this call fails.
 *
 * @param[out] out receives the handle, owned by the caller
 *                 (ctune_estimator_free())
 * @param vtable the vtable; must outlive the handle and its clones
 *               (typically static)
 * @param user   handed to the vtable's create and load
 * @return CTUNE_OK; CTUNE_EINVAL (NULL or incomplete vtable, wrong version,
 *         a spec whose defaults do not parse); CTUNE_ENOMEM
 */
CTUNE_API ctune_status ctune_estimator_new(ctune_estimator **out,
                                           const ctune_estimator_vtable *vtable, void *user);
/**
 * Frees the handle, its params and its fitted state.
 *
 * @param est the estimator; NULL is a no-op
 */
CTUNE_API void ctune_estimator_free(ctune_estimator *est);

/**
 * The vtable's name, such as "DecisionTreeClassifier".
 *
 * @param est the estimator
 * @return the name (borrowed from the vtable); NULL for NULL
 */
CTUNE_API const char *ctune_estimator_name(const ctune_estimator *est);
/**
 * What the estimator predicts.
 *
 * @param est the estimator
 * @return a ctune_kind; 0 for NULL
 */
CTUNE_API int ctune_estimator_kind(const ctune_estimator *est);
/**
 * The vtable the handle was created with.
 *
 * @param est the estimator
 * @return the vtable (borrowed); NULL for NULL
 */
CTUNE_API const ctune_estimator_vtable *ctune_estimator_vtable_of(const ctune_estimator *est);
/**
 * The user pointer given at creation.
 *
 * @param est the estimator
 * @return the pointer; NULL for NULL
 */
CTUNE_API void *ctune_estimator_user(const ctune_estimator *est);
/**
 * Whether the estimator is fitted.
 *
 * @param est the estimator
 * @return 1 when fitted, else 0
 */
CTUNE_API int ctune_estimator_is_fitted(const ctune_estimator *est);

/**
 * An unfitted copy: same vtable and user, a copy of the params.
 *
 * With user_retain in the vtable, the clone takes a reference to user.
 *
 * @param[out] out receives the clone, owned by the caller (ctune_estimator_free())
 * @param src the estimator to clone (only read)
 * @return CTUNE_OK, CTUNE_EINVAL (NULLs) or CTUNE_ENOMEM
 */
CTUNE_API ctune_status ctune_estimator_clone(ctune_estimator **out, const ctune_estimator *src);
/**
 * Validates and applies parameters; drops the fitted state.
 *
 * Every entry of `params` is checked against the spec; only when all pass
 * are they applied. On error nothing changes.
 *
 * @param est    the estimator
 * @param params the names and values to set (copied; other params keep
 *               their values)
 * @return CTUNE_OK; CTUNE_EINVAL (NULLs, an unknown name listing the known
 *         ones, a wrong type or out-of-range value naming the parameter);
 *         CTUNE_ENOMEM
 */
CTUNE_API ctune_status ctune_estimator_set_params(ctune_estimator *est, const ctune_params *params);
/**
 * Same as ctune_estimator_set_params() from "key=value, key=value" text.
 *
 * @param est  the estimator
 * @param text the parameters, as ctune_params_parse() reads them
 * @return as ctune_estimator_set_params(); CTUNE_EFORMAT for malformed text
 */
CTUNE_API ctune_status ctune_estimator_set_params_text(ctune_estimator *est, const char *text);
/**
 * Current parameters: every declared parameter with its value.
 *
 * @param est the estimator
 * @return the set, borrowed: valid until the next set_params or free of
 *         `est`; NULL for NULL
 */
CTUNE_API const ctune_params *ctune_estimator_get_params(const ctune_estimator *est);
/**
 * Checks parameters against the spec without applying them.
 *
 * @param est    the estimator
 * @param params the names and values to check
 * @return CTUNE_OK, or the error ctune_estimator_set_params() would give
 */
CTUNE_API ctune_status ctune_estimator_check_params(const ctune_estimator *est,
                                                    const ctune_params *params);

/**
 * Fits the estimator on labelled data, replacing any previous fit.
 *
 * X and y are validated finite; classifiers need exactly one target
 * column of integer-valued labels (any values, e.g. {3, 7}). The fit uses
 * 1 thread and the estimator's own seed. On failure the handle is left
 * unfitted.
 *
 * @param est  the estimator
 * @param data the training data; y required except for transformers
 * @return CTUNE_OK; CTUNE_EINVAL (NULLs); CTUNE_EDATA (0 rows, no y, a
 *         wrong number of target columns, non-finite values, non-integer
 *         labels); CTUNE_ENOMEM; CTUNE_ECANCELLED after
 *         ctune_estimator_cancel(); any error of the vtable's create or fit
 */
CTUNE_API ctune_status ctune_estimator_fit(ctune_estimator *est, const ctune_data *data);
/**
 * Asks a running ctune_estimator_fit() / ctune_estimator_fit_task() or
 * ctune_cross_validate() of `est` to stop.
 *
 * Sets a lock-free atomic flag and returns: thread-safe and
 * async-signal-safe, so another thread or a signal handler may call it.
 * The fit polls the flag through its context (ctune_fit_ctx_cancelled():
 * the built-in network once per minibatch, the tree once per feature
 * scanned in a node), frees what it allocated and returns
 * CTUNE_ECANCELLED, leaving the handle unfitted; ctune_cross_validate()
 * starts no new fold and returns CTUNE_ECANCELLED. The request ends when
 * that call returns; made while no such call runs, it cancels the next
 * one at once. A search fits clones of its estimator: cancel it with
 * ctune_search_cancel(). NULL is a no-op.
 *
 * @param est the estimator
 */
CTUNE_API void ctune_estimator_cancel(ctune_estimator *est);
/**
 * Fits with an explicit context: a thread budget and a task stream.
 *
 * This is how a search fits each task; ctune_check_estimator() uses it too.
 *
 * @param est     the estimator
 * @param data    the training data; y required except for transformers
 * @param threads the thread budget (>= 1; 0 = the default, 1)
 * @param stream  a task stream id mixed into the estimator's seed by
 *                ctune_fit_ctx_seed(); 0 uses the seed as is
 * @return as ctune_estimator_fit(); CTUNE_EINVAL for a negative thread count
 */
CTUNE_API ctune_status ctune_estimator_fit_task(ctune_estimator *est, const ctune_data *data,
                                                int threads, uint64_t stream);

/**
 * Number of classes found at fit (classifiers).
 *
 * @param est the estimator
 * @return the class count; 0 for other kinds, unfitted, or NULL
 */
CTUNE_API size_t ctune_estimator_n_classes(const ctune_estimator *est);
/**
 * The class labels seen at fit, in sorted order.
 *
 * @param[out] out caller array of ctune_estimator_n_classes() doubles
 * @param est the estimator (a fitted classifier)
 * @return CTUNE_OK; CTUNE_EINVAL (NULLs, not a classifier); CTUNE_ESTATE
 *         (not fitted)
 */
CTUNE_API ctune_status ctune_estimator_classes(double *out, const ctune_estimator *est);
/**
 * Gives a fitted classifier's classes names, kept in its model file.
 *
 * A fit on data with class names (a CSV file with text labels, an embedded
 * dataset) names the classes itself; a binding that maps its own labels to
 * codes names them with this call, so `ctune predict` prints the original
 * labels. A new fit or set_params drops the names.
 *
 * @param est   a fitted classifier
 * @param names n strings (copied), one per class in ctune_estimator_classes()
 *              order; NULL with n 0 removes the names
 * @param n     ctune_estimator_n_classes()
 * @return CTUNE_OK; CTUNE_EINVAL (NULL est, not a classifier, n not the
 *         class count, a NULL name); CTUNE_ESTATE (not fitted); CTUNE_ENOMEM
 */
CTUNE_API ctune_status ctune_estimator_set_class_names(ctune_estimator *est,
                                                       const char *const *names, size_t n);
/**
 * The name of a fitted classifier's i-th class.
 *
 * @param est the estimator
 * @param i   the class index, in ctune_estimator_classes() order
 * @return the name (valid until the next fit, set_params or free); NULL when
 *         the classes have no names, i is out of range, or est is NULL
 */
CTUNE_API const char *ctune_estimator_class_name(const ctune_estimator *est, size_t i);
/**
 * Number of features (columns of X) seen at fit.
 *
 * @param est the estimator
 * @return the feature count; 0 when unfitted or NULL
 */
CTUNE_API size_t ctune_estimator_n_features_in(const ctune_estimator *est);
/**
 * Columns of predict's output.
 *
 * @param est the estimator
 * @return 1 for classifiers, the targets for regressors, n_features_out for
 *         transformers; 0 when unfitted or NULL
 */
CTUNE_API size_t ctune_estimator_n_outputs(const ctune_estimator *est);

/**
 * Predicts n_rows × n_outputs values.
 *
 * Classifiers give the original labels; for a transformer this is
 * ctune_estimator_transform(). 0 rows is a no-op.
 *
 * @param[out] out caller array of n_rows × ctune_estimator_n_outputs() doubles,
 *                 row-major
 * @param est the estimator (fitted)
 * @param X   the data (y, if any, is ignored)
 * @return CTUNE_OK; CTUNE_ESTATE (not fitted); CTUNE_EDATA (feature count
 *         mismatch, non-finite X); CTUNE_EINVAL (NULLs); errors of the
 *         vtable's predict
 */
CTUNE_API ctune_status ctune_estimator_predict(double *out, ctune_estimator *est,
                                               const ctune_data *X);
/**
 * Predicts class probabilities.
 *
 * @param[out] out caller array of n_rows × n_classes doubles, row-major, classes
 *                 in ctune_estimator_classes() order
 * @param est the estimator (a fitted classifier)
 * @param X   the data
 * @return as ctune_estimator_predict(); CTUNE_EUNSUPPORTED when the
 *         estimator has no predict_proba
 */
CTUNE_API ctune_status ctune_estimator_predict_proba(double *out, ctune_estimator *est,
                                                     const ctune_data *X);
/**
 * Default score on labelled data.
 *
 * The estimator's own score when its vtable has one, else accuracy for
 * classifiers and R² for regressors. For other metrics see ctune_score().
 *
 * @param[out] out receives the score (greater is better)
 * @param est  the estimator (fitted)
 * @param data the data, with y
 * @return as ctune_estimator_predict(); CTUNE_EDATA (0 rows, no y, a wrong
 *         number of targets, non-finite y); CTUNE_EUNSUPPORTED (a
 *         transformer without a score)
 */
CTUNE_API ctune_status ctune_estimator_score(double *out, ctune_estimator *est,
                                             const ctune_data *data);
/**
 * Transforms X (transformers).
 *
 * @param[out] out caller array of n_rows × ctune_estimator_n_outputs() doubles
 * @param est the estimator (a fitted transformer)
 * @param X   the data
 * @return as ctune_estimator_predict(); CTUNE_EUNSUPPORTED when the
 *         estimator has no transform
 */
CTUNE_API ctune_status ctune_estimator_transform(double *out, ctune_estimator *est,
                                                 const ctune_data *X);
/**
 * Undoes ctune_estimator_transform() (transformers that support it).
 *
 * @param[out] out caller array of n_rows × ctune_estimator_n_features_in() doubles
 * @param est the estimator (a fitted transformer)
 * @param X   transformed data, ctune_estimator_n_outputs() columns
 * @return CTUNE_OK; CTUNE_ESTATE (not fitted); CTUNE_EDATA (column count
 *         mismatch, non-finite X); CTUNE_EUNSUPPORTED (no inverse);
 *         CTUNE_EINVAL (NULLs)
 */
CTUNE_API ctune_status ctune_estimator_inverse_transform(double *out, ctune_estimator *est,
                                                         const ctune_data *X);

/** @} */

/* ========================================================================
 * NN engine
 * ======================================================================== */
/** @defgroup grp_nn NN engine
 *  A Keras-like Sequential model (Dense, Dropout; optimizers, losses,
 *  metrics) trained in float32 on BLIS.
 *  @{ */
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
 *   ctune_model_predict(proba, m, test);   // n × 2 probabilities
 *   ctune_model_free(m);
 *
 * Thread safety: a model must not be used from two threads at once;
 * distinct models may be trained concurrently (each uses at most the number
 * of threads given to ctune_model_set_threads()). */

/** A Keras-like Sequential neural network (Dense and Dropout layers).
 *
 *  @code
 *  ctune_model *m;
 *  ctune_model_new(&m);
 *  ctune_model_add_dense(m, 16, "relu", NULL);
 *  ctune_model_add_dense(m, 2, "softmax", NULL);
 *  ctune_model_compile(m, "adam", "sparse_categorical_crossentropy",
 *                      "learning_rate=0.001, metrics=accuracy");
 *  ctune_model_fit(m, train, 10, 32, "validation_split=0.2");
 *  ctune_model_predict(proba, m, test);   // n × 2 probabilities
 *  ctune_model_free(m);
 *  @endcode
 *
 *  Created by ctune_model_new(), freed by ctune_model_free(). A model must
 *  not be used from two threads at once; distinct models may be trained
 *  concurrently, each with at most the threads given to
 *  ctune_model_set_threads(), joined before each call returns. See
 *  docs/nn.md. */
typedef struct ctune_model ctune_model;

/**
 * Creates an empty model: no layers, not compiled, seed 0, 1 thread.
 *
 * @param[out] out receives the model, owned by the caller (ctune_model_free())
 * @return CTUNE_OK, CTUNE_EINVAL (NULL out) or CTUNE_ENOMEM
 */
CTUNE_API ctune_status ctune_model_new(ctune_model **out);
/**
 * Frees the model and everything it owns.
 *
 * @param m the model; NULL is a no-op
 */
CTUNE_API void ctune_model_free(ctune_model *m);

/**
 * Appends a Dense layer (Keras' `Dense(units, activation, ...)`).
 *
 * `options` keys: kernel_initializer (default glorot_uniform),
 * bias_initializer (zeros), use_bias (true), l1 (0), l2 (0) — the L1/L2
 * kernel regularization factors, added to the loss as l1·Σ|W| + l2·ΣW² as
 * Keras does. The input width of the first layer is taken from the data at
 * the first fit (or from ctune_model_build()).
 *
 * @param m          the model
 * @param units      number of outputs (>= 1)
 * @param activation a name from ctune_nn_activation_name(); NULL or ""
 *                   means "linear"
 * @param options    NULL or "key=value" text
 * @return CTUNE_OK; CTUNE_EINVAL (units < 1, unknown activation /
 *         initializer / option: the message lists the known names;
 *         negative l1/l2); CTUNE_ESTATE (the model is already built);
 *         CTUNE_EFORMAT; CTUNE_ENOMEM
 */
CTUNE_API ctune_status ctune_model_add_dense(ctune_model *m, int64_t units, const char *activation,
                                             const char *options);
/**
 * Appends an inverted Dropout layer (Keras' `Dropout(rate)`).
 *
 * During fit each input is zeroed with probability `rate` and the rest
 * scaled by 1/(1-rate); inactive in predict and evaluate. A Dropout may be
 * the first layer, not the last.
 *
 * @param m    the model
 * @param rate drop probability in [0, 1)
 * @return CTUNE_OK; CTUNE_EINVAL (rate outside [0, 1), NaN);
 *         CTUNE_ESTATE (already built); CTUNE_ENOMEM
 */
CTUNE_API ctune_status ctune_model_add_dropout(ctune_model *m, double rate);

/**
 * Sets the optimizer, the loss, metrics and options (Keras' `compile`).
 *
 * Optimizers: sgd, adam, adamw, rmsprop, adagrad, adadelta, adamax, nadam.
 * Losses: binary_crossentropy, categorical_crossentropy,
 * sparse_categorical_crossentropy, mean_squared_error / mse,
 * mean_absolute_error / mae, huber.
 * Options, e.g. "learning_rate=0.01, momentum=0.9, nesterov=true,
 * clipnorm=1, metrics=accuracy": the optimizer options and defaults are
 * Keras' — learning_rate, momentum, nesterov, beta_1, beta_2, epsilon,
 * amsgrad, rho, centered, initial_accumulator_value, weight_decay,
 * clipnorm, clipvalue, global_clipnorm (see docs/nn.md for each default).
 * `metrics`: names separated by '|' or spaces, from accuracy (acc),
 * binary_accuracy, categorical_accuracy, sparse_categorical_accuracy, mse,
 * mae (long names accepted); "accuracy" resolves as in Keras 3, from the
 * output width (one unit: binary; several: categorical, or sparse for codes).
 *
 * May be called before layers are complete or before the input width is
 * known; calling it again replaces the configuration and resets the
 * optimizer's state.
 *
 * @param m         the model
 * @param optimizer an optimizer name (ctune_nn_optimizer_name())
 * @param loss      a loss name (ctune_nn_loss_name())
 * @param options   NULL or "key=value" text
 * @return CTUNE_OK; CTUNE_EINVAL (unknown names or options, listing the
 *         known ones; out-of-range values); CTUNE_EFORMAT; CTUNE_ENOMEM
 */
CTUNE_API ctune_status ctune_model_compile(ctune_model *m, const char *optimizer, const char *loss,
                                           const char *options);

/**
 * Builds the weights for inputs of `input_dim` columns (Keras' `build`).
 *
 * Initial weights are drawn from the model's seed. Not needed before fit,
 * which builds on first use.
 *
 * @param m         the model
 * @param input_dim number of input columns (>= 1)
 * @return CTUNE_OK; CTUNE_EINVAL (input_dim 0); CTUNE_ESTATE (no layers;
 *         already built for another width); CTUNE_ENOMEM
 */
CTUNE_API ctune_status ctune_model_build(ctune_model *m, size_t input_dim);

/** Epoch callback: called after each epoch (0-based `epoch`) with the
 *  history already holding that epoch; it may read the model's weights and
 *  history. Return 0 to continue; non-zero stops training (see
 *  ctune_model_fit_monitored() for the status). Called on the thread running fit. */
typedef int (*ctune_epoch_callback)(const ctune_model *m, int epoch, void *user);

/**
 * Trains the model with minibatches (Keras' `fit`).
 *
 * `data` needs y: class codes 0..K-1 (n × 1) for
 * sparse_categorical_crossentropy and categorical_crossentropy (which also
 * takes n × K one-hot rows), n × units values in [0, 1] for
 * binary_crossentropy, n × units targets for regression losses. X may be
 * float32 or float64. The last partial batch is kept.
 *
 * `options` keys: shuffle (true), validation_split (0; the last fraction of
 * the rows, taken before shuffling, as Keras), seed (re-seeds the model as
 * ctune_model_set_seed() would), verbose (accepted, ignored),
 * early_stopping_patience (enables EarlyStopping), monitor (val_loss; an
 * error when not recorded), min_delta (0), mode (auto|min|max),
 * restore_best_weights (false: when true, the best epoch's weights are
 * restored at the end of training, whether it stopped early or not, as
 * Keras 3).
 *
 * Weights and optimizer state carry over between fits, as in Keras; the
 * history is replaced. No allocation happens inside the batch loop. Uses
 * the model's thread count (ctune_model_set_threads()); a history of more
 * epochs than memory can hold is CTUNE_ENOMEM before any training.
 *
 * @param m          the model (with layers, compiled)
 * @param data       the training data, with y
 * @param epochs     number of epochs (>= 0)
 * @param batch_size rows per batch (>= 1)
 * @param options    NULL or "key=value" text
 * @return CTUNE_OK; CTUNE_EINVAL (NULLs, batch_size < 1, epochs < 0, bad
 *         options); CTUNE_ESTATE (no layers, not compiled, last layer a
 *         Dropout); CTUNE_EDATA (no y, wrong y width, a label outside the
 *         output layer — naming the row and both numbers —, NaN/Inf in X or
 *         y, a finite value beyond float32's range in X or in a regression
 *         y, width mismatch with the built model, too few rows for
 *         validation_split); CTUNE_ENUMERIC (the loss became NaN/Inf: names
 *         epoch and batch, the weights are those of the failing step; or the
 *         weights became NaN/Inf, checked at the end of each epoch: names
 *         the epoch); CTUNE_ENOMEM
 */
CTUNE_API ctune_status ctune_model_fit(ctune_model *m, const ctune_data *data, int64_t epochs,
                                       int64_t batch_size, const char *options);
/**
 * Trains with explicit validation data and an epoch callback.
 *
 * When the callback returns non-zero, training stops after that epoch; the
 * model keeps the weights and history of the epochs run. EarlyStopping is
 * not an error. A fit that fails up front never calls back.
 *
 * @param m          the model (with layers, compiled)
 * @param data       the training data, with y
 * @param validation validation data with y, or NULL for none (it overrides
 *                   validation_split)
 * @param epochs     number of epochs (>= 0)
 * @param batch_size rows per batch (>= 1)
 * @param options    NULL or "key=value" text (as ctune_model_fit())
 * @param callback   called after each epoch, or NULL
 * @param user       handed to the callback
 * @return as ctune_model_fit(); when the callback stopped training, its
 *         value if it is a negative ctune_status (its message kept), else
 *         CTUNE_EUSER ("stopped by the epoch callback after epoch N");
 *         CTUNE_OK after EarlyStopping
 */
CTUNE_API ctune_status ctune_model_fit_monitored(ctune_model *m, const ctune_data *data,
                                                 const ctune_data *validation, int64_t epochs,
                                                 int64_t batch_size, const char *options,
                                                 ctune_epoch_callback callback, void *user);

/**
 * Computes the model's outputs for X (Keras' `predict`).
 *
 * Softmax and sigmoid outputs are probabilities. Inference mode: Dropout
 * is inactive.
 *
 * @param[out] out caller array of n_rows × ctune_model_n_outputs() doubles,
 *                 row-major
 * @param m   the model (built)
 * @param X   the data (y, if any, is ignored)
 * @return CTUNE_OK; CTUNE_EINVAL (NULLs); CTUNE_ESTATE (not built);
 *         CTUNE_EDATA (column count mismatch, NaN/Inf in X, a value
 *         beyond float32's range); CTUNE_ENUMERIC (an output is NaN/Inf: the weights or X are too
 *         large for float32; `out` is then partly written); CTUNE_ENOMEM
 */
CTUNE_API ctune_status ctune_model_predict(double *out, ctune_model *m, const ctune_data *X);
/**
 * Mean loss and first metric on labelled data (Keras' `evaluate`).
 *
 * Inference mode. The loss includes the regularization term, as Keras
 * reports it.
 *
 * @param[out] out_loss receives the mean loss
 * @param[out] out_metric receives the first compiled metric (NaN when none);
 *                        may be NULL
 * @param m          the model (built and compiled)
 * @param data       the data, with y
 * @return CTUNE_OK; fit's data errors; CTUNE_ESTATE (not built or not
 *         compiled); CTUNE_EINVAL (NULLs); CTUNE_ENOMEM
 */
CTUNE_API ctune_status ctune_model_evaluate(double *out_loss, double *out_metric, ctune_model *m,
                                            const ctune_data *data);

/**
 * Number of layers added.
 *
 * @param m the model
 * @return the layer count; 0 for NULL
 */
CTUNE_API size_t ctune_model_n_layers(const ctune_model *m);
/**
 * Output units of the last Dense layer: the columns of predict.
 *
 * @param m the model
 * @return the unit count; 0 without a Dense layer or for NULL
 */
CTUNE_API size_t ctune_model_n_outputs(const ctune_model *m);
/**
 * Input width.
 *
 * @param m the model
 * @return the number of input columns; 0 until built
 */
CTUNE_API size_t ctune_model_input_dim(const ctune_model *m);
/**
 * Canonical Keras name of the compiled loss.
 *
 * @param m the model
 * @return a static string; NULL when not compiled
 */
CTUNE_API const char *ctune_model_loss(const ctune_model *m);
/**
 * Canonical Keras name of the last Dense layer's activation.
 *
 * @param m the model
 * @return a static string; NULL without a Dense layer
 */
CTUNE_API const char *ctune_model_output_activation(const ctune_model *m);

/**
 * Number of epochs recorded by the last fit.
 *
 * @param m the model
 * @return the epoch count (each fit replaces the history); 0 for NULL
 */
CTUNE_API size_t ctune_model_history_len(const ctune_model *m);
/**
 * Number of history keys.
 *
 * Keys are "loss", the metrics as named at compile, then "val_loss" and
 * `val_<metric>` when validating.
 *
 * @param m the model
 * @return the key count; 0 for NULL
 */
CTUNE_API size_t ctune_model_history_n_keys(const ctune_model *m);
/**
 * Name of history key i.
 *
 * @param m the model
 * @param i the key index
 * @return the name, borrowed: valid until the next compile, fit or free;
 *         NULL out of range
 */
CTUNE_API const char *ctune_model_history_key(const ctune_model *m, size_t i);
/**
 * One value of the history.
 *
 * @param[out] out receives the value
 * @param m     the model
 * @param key   a history key, e.g. "val_accuracy"
 * @param epoch the epoch (0-based)
 * @return CTUNE_OK; CTUNE_EINVAL (unknown key, listing the known ones;
 *         epoch out of range; NULLs)
 */
CTUNE_API ctune_status ctune_model_history_value(double *out, const ctune_model *m, const char *key,
                                                 size_t epoch);

/**
 * Number of float32 weights.
 *
 * Order, per Dense layer: the kernel (inputs × units, row-major, as Keras'
 * `get_weights()`), then the bias (units) when use_bias.
 *
 * @param m the model
 * @return the weight count; 0 until built
 */
CTUNE_API size_t ctune_model_n_params(const ctune_model *m);
/**
 * Copies all weights, in ctune_model_n_params() order.
 *
 * @param[out] out caller array of ctune_model_n_params() floats
 * @param m   the model (built)
 * @return CTUNE_OK; CTUNE_EINVAL (NULLs); CTUNE_ESTATE (not built)
 */
CTUNE_API ctune_status ctune_model_get_weights(float *out, const ctune_model *m);
/**
 * Replaces all weights; the optimizer state is kept.
 *
 * @param m  the model (built)
 * @param in ctune_model_n_params() floats, in ctune_model_n_params() order
 * @return CTUNE_OK; CTUNE_EINVAL (NULLs); CTUNE_ESTATE (not built);
 *         CTUNE_EDATA (a non-finite value)
 */
CTUNE_API ctune_status ctune_model_set_weights(ctune_model *m, const float *in);

/**
 * Number of threads this model's fit, predict and evaluate calls may use.
 *
 * Each call owns a pool of `threads - 1` workers beside the calling thread,
 * started at the first product large enough to split and joined before the
 * call returns (no thread outlives it: the library may be unloaded, or the
 * process forked, between calls). Large products, activations and the
 * optimizer update are split; the pool times its steps and works on one
 * thread when splitting does not pay (a busy core). The weights are the
 * same for any thread count. BLIS is called with one thread per call; no
 * environment variable or global BLIS state is touched. See docs/nn.md and
 * docs/threading-and-reproducibility.md.
 *
 * @param m       the model
 * @param threads thread count (>= 1; default 1)
 * @return CTUNE_OK; CTUNE_EINVAL (NULL, threads < 1)
 */
CTUNE_API ctune_status ctune_model_set_threads(ctune_model *m, int threads);
/**
 * Seeds the model.
 *
 * The initial weights (when not yet built), the epoch shuffles and the
 * dropout masks derive from it, on three independent streams. The same seed
 * and calls give bit-identical weights, history and predictions (for a
 * given thread count and machine). Default seed: 0.
 *
 * @param m    the model
 * @param seed the seed
 * @return CTUNE_OK; CTUNE_EINVAL (NULL)
 */
CTUNE_API ctune_status ctune_model_set_seed(ctune_model *m, uint64_t seed);

/**
 * Known activation names, for messages and UIs.
 *
 * @param i the index (0, 1, ... until NULL)
 * @return a static string; NULL out of range
 */
CTUNE_API const char *ctune_nn_activation_name(size_t i);
/**
 * Known initializer names.
 *
 * @param i the index (0, 1, ... until NULL)
 * @return a static string; NULL out of range
 */
CTUNE_API const char *ctune_nn_initializer_name(size_t i);
/**
 * Known loss names.
 *
 * @param i the index (0, 1, ... until NULL)
 * @return a static string; NULL out of range
 */
CTUNE_API const char *ctune_nn_loss_name(size_t i);
/**
 * Known optimizer names.
 *
 * @param i the index (0, 1, ... until NULL)
 * @return a static string; NULL out of range
 */
CTUNE_API const char *ctune_nn_optimizer_name(size_t i);
/**
 * Known metric names.
 *
 * @param i the index (0, 1, ... until NULL)
 * @return a static string; NULL out of range
 */
CTUNE_API const char *ctune_nn_metric_name(size_t i);
/** @} */

/* ========================================================================
 * Keras-style estimators
 * ======================================================================== */
/** @defgroup grp_keras Keras-style estimators
 *  KerasClassifier / KerasRegressor: an NN model built by a callback from
 *  searchable parameters, as an ordinary estimator.
 *  @{ */

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
 *  `user` is handed to every build call and must outlive all clones.
 *  @return CTUNE_OK; CTUNE_EINVAL (NULL build or out; a builder param named
 *  like a training param, naming it; an invalid builder spec default);
 *  CTUNE_ENOMEM */
CTUNE_API ctune_status ctune_keras_classifier_new(ctune_estimator **out, ctune_build_fn build,
                                                  const ctune_param_spec *builder_spec, void *user);
/** Same as ctune_keras_classifier_new() for regression (estimator name
 *  "KerasRegressor"): y is n × t targets, the output layer must have t
 *  units, score() is R². Same parameters and ownership.
 *  @return as ctune_keras_classifier_new() */
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
 *  mean_squared_error.
 *  `params` NULL builds with every default (one linear output, MSE).
 *  @return CTUNE_OK; CTUNE_EINVAL (NULL `model`, a param of the wrong type,
 *  nn < 1); the failure of ctune_model_add_dense() or ctune_model_compile()
 *  (e.g. an unknown activation or optimizer) */
CTUNE_API ctune_status ctune_mlp_build(const ctune_params *params, ctune_model *model, void *user);
/** The MLP builder's spec (static). */
CTUNE_API const ctune_param_spec *ctune_mlp_spec(void);
/** A KerasClassifier with the built-in MLP builder (estimator name
 *  "MLPClassifier"): its params are the training params of
 *  ctune_keras_classifier_new() and the builder's of ctune_mlp_spec().
 *  @param[out] out receives the estimator (free with ctune_estimator_free())
 *  @return CTUNE_OK, CTUNE_EINVAL (NULL out), CTUNE_ENOMEM */
CTUNE_API ctune_status ctune_mlp_classifier_new(ctune_estimator **out);
/** A KerasRegressor with the built-in MLP builder ("MLPRegressor"); as
 *  ctune_mlp_classifier_new().
 *  @return as ctune_mlp_classifier_new() */
CTUNE_API ctune_status ctune_mlp_regressor_new(ctune_estimator **out);

/* Persistence (ctune_estimator_save(), docs/data-and-persistence.md): a
 * fitted Keras-style estimator saves its params, the meta values its builder
 * received (n_features_in_, n_classes_, n_outputs_), a summary of its
 * architecture (layers, output units and activation, loss, number of
 * weights) and its float32 weights; the training history and the optimizer
 * state are not saved. Loading calls the builder once with the saved params,
 * builds the model and sets the weights, so predictions are bit-identical.
 *  - MLPClassifier / MLPRegressor load by name:
 *      ctune_estimator_load(&out, path, NULL, NULL);
 *  - KerasClassifier / KerasRegressor with your builder load like an
 *    estimator made with the same builder, spec and user (its params are not
 *    used; `out` keeps the family alive, so `like` may be freed at once):
 *      ctune_keras_classifier_new(&like, build, spec, user);
 *      ctune_estimator_load_like(&out, path, like);
 *    Passing its vtable and user pointer (ctune_estimator_vtable_of(),
 *    ctune_estimator_user()) to ctune_estimator_load() does the same. A builder
 *    that now makes another model than the saved one is CTUNE_EFORMAT naming
 *    what differs; a builder that rejects the saved params too.
 * Loading runs the builder with the params read from the file: trust a
 * model file as you trust the code of its builder. */

/** @} */

/* ========================================================================
 * Metrics and scorers
 * ======================================================================== */
/** @defgroup grp_metrics Metrics and scorers
 *  scikit-learn's metrics on caller arrays, and scorers that score a fitted
 *  estimator by name.
 *  @{ */

/**
 * Accuracy: the fraction of positions where y_pred equals y_true.
 *
 * Pure and thread-safe, as every metric below.
 *
 * @param[out] out receives the accuracy, in [0, 1]
 * @param y_true n true labels
 * @param y_pred n predicted labels
 * @param n      number of samples (> 0)
 * @return CTUNE_OK; CTUNE_EINVAL (NULL, n == 0); CTUNE_EDATA (a NaN/Inf label)
 */
CTUNE_API ctune_status ctune_metric_accuracy(double *out, const double *y_true,
                                             const double *y_pred, size_t n);
/**
 * Coefficient of determination R², averaged uniformly over the targets.
 *
 * A constant y_true column scores 1 when predicted exactly, else 0
 * (scikit-learn's convention).
 *
 * @param[out] out  receives R² (at most 1)
 * @param y_true    n × n_targets true values, row-major
 * @param y_pred    n × n_targets predictions, row-major
 * @param n         number of samples (> 0)
 * @param n_targets number of targets (> 0)
 * @return CTUNE_OK; CTUNE_EINVAL (NULL, n or n_targets 0); CTUNE_EDATA
 *         (NaN/Inf)
 */
CTUNE_API ctune_status ctune_metric_r2(double *out, const double *y_true, const double *y_pred,
                                       size_t n, size_t n_targets);

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

/**
 * Balanced accuracy: the mean recall over the classes present in y_true.
 *
 * Predictions of classes absent from y_true are ignored, as scikit-learn's
 * balanced_accuracy_score with adjusted=False.
 *
 * @param[out] out receives the score, in [0, 1]
 * @param y_true n true labels
 * @param y_pred n predicted labels
 * @param n      number of samples (> 0)
 * @return CTUNE_OK; CTUNE_EINVAL; CTUNE_EDATA; CTUNE_ENOMEM
 */
CTUNE_API ctune_status ctune_metric_balanced_accuracy(double *out, const double *y_true,
                                                      const double *y_pred, size_t n);
/**
 * Log loss (cross-entropy): the mean over rows of -log p[i][y_true[i]].
 *
 * As scikit-learn (eps = 1e-15), every probability is clipped to
 * [1e-15, 1 - 1e-15] and each row renormalized to sum to 1 before the log.
 *
 * @param[out] out receives the loss (>= 0; smaller is better)
 * @param y_true n class codes 0..k-1 (not labels)
 * @param proba  n × k probabilities, row-major
 * @param n      number of samples (> 0)
 * @param k      number of classes (> 0)
 * @return CTUNE_OK; CTUNE_EINVAL (NULL, n or k 0); CTUNE_EDATA (a code
 *         outside 0..k-1, naming the row; a non-finite probability)
 */
CTUNE_API ctune_status ctune_metric_log_loss(double *out, const double *y_true, const double *proba,
                                             size_t n, size_t k);
/**
 * Precision tp / (tp + fp).
 *
 * With CTUNE_AVERAGE_BINARY, of the class `pos_label`: the labels of y_true
 * and y_pred together must be at most 2, and contain pos_label when they
 * are 2 (else CTUNE_EINVAL, naming them). With CTUNE_AVERAGE_MACRO, the
 * unweighted mean over every label of y_true ∪ y_pred (pos_label is
 * ignored). An undefined ratio (0 / 0) counts as 0 (scikit-learn's
 * zero_division).
 *
 * @param[out] out  receives the score, in [0, 1]
 * @param y_true    n true labels
 * @param y_pred    n predicted labels
 * @param n         number of samples (> 0)
 * @param average   a ctune_average
 * @param pos_label the positive label (finite) for CTUNE_AVERAGE_BINARY
 * @return CTUNE_OK; CTUNE_EINVAL; CTUNE_EDATA; CTUNE_ENOMEM
 */
CTUNE_API ctune_status ctune_metric_precision(double *out, const double *y_true,
                                              const double *y_pred, size_t n, int average,
                                              double pos_label);
/**
 * Recall tp / (tp + fn).
 *
 * `average` and `pos_label` as for ctune_metric_precision().
 *
 * @param[out] out  receives the score, in [0, 1]
 * @param y_true    n true labels
 * @param y_pred    n predicted labels
 * @param n         number of samples (> 0)
 * @param average   a ctune_average
 * @param pos_label the positive label for CTUNE_AVERAGE_BINARY
 * @return as ctune_metric_precision()
 */
CTUNE_API ctune_status ctune_metric_recall(double *out, const double *y_true, const double *y_pred,
                                           size_t n, int average, double pos_label);
/**
 * F1 score 2tp / (2tp + fp + fn).
 *
 * `average` and `pos_label` as for ctune_metric_precision().
 *
 * @param[out] out  receives the score, in [0, 1]
 * @param y_true    n true labels
 * @param y_pred    n predicted labels
 * @param n         number of samples (> 0)
 * @param average   a ctune_average
 * @param pos_label the positive label for CTUNE_AVERAGE_BINARY
 * @return as ctune_metric_precision()
 */
CTUNE_API ctune_status ctune_metric_f1(double *out, const double *y_true, const double *y_pred,
                                       size_t n, int average, double pos_label);
/**
 * Binary ROC AUC of scores against labels.
 *
 * Samples of y_true equal to `pos_label` are positive (scikit-learn's
 * roc_auc_score takes the larger of the two labels). The area under the
 * ROC curve by the trapezoid rule over the distinct thresholds, so tied
 * scores count half, exactly as roc_curve + auc.
 *
 * @param[out] out  receives the AUC, in [0, 1]
 * @param y_true    n labels, at most 2 distinct
 * @param y_score   n scores (greater = more positive)
 * @param n         number of samples (> 0)
 * @param pos_label the positive label (finite)
 * @return CTUNE_OK; CTUNE_EINVAL (NULL, n 0, y_true holding a third label —
 *         multiclass is not supported — or only one class); CTUNE_EDATA;
 *         CTUNE_ENOMEM
 */
CTUNE_API ctune_status ctune_metric_roc_auc(double *out, const double *y_true,
                                            const double *y_score, size_t n, double pos_label);
/**
 * Mean squared error, averaged uniformly over the targets.
 *
 * @param[out] out  receives the error (>= 0)
 * @param y_true    n × n_targets true values, row-major
 * @param y_pred    n × n_targets predictions, row-major
 * @param n         number of samples (> 0)
 * @param n_targets number of targets (> 0)
 * @return CTUNE_OK; CTUNE_EINVAL (NULL, n or n_targets 0); CTUNE_EDATA
 */
CTUNE_API ctune_status ctune_metric_mse(double *out, const double *y_true, const double *y_pred,
                                        size_t n, size_t n_targets);
/**
 * Mean absolute error, averaged uniformly over the targets.
 *
 * @param[out] out  receives the error (>= 0)
 * @param y_true    n × n_targets true values, row-major
 * @param y_pred    n × n_targets predictions, row-major
 * @param n         number of samples (> 0)
 * @param n_targets number of targets (> 0)
 * @return as ctune_metric_mse()
 */
CTUNE_API ctune_status ctune_metric_mae(double *out, const double *y_true, const double *y_pred,
                                        size_t n, size_t n_targets);
/**
 * Root mean squared error, averaged uniformly over the targets.
 *
 * The root is taken per target first, as scikit-learn's
 * root_mean_squared_error.
 *
 * @param[out] out  receives the error (>= 0)
 * @param y_true    n × n_targets true values, row-major
 * @param y_pred    n × n_targets predictions, row-major
 * @param n         number of samples (> 0)
 * @param n_targets number of targets (> 0)
 * @return as ctune_metric_mse()
 */
CTUNE_API ctune_status ctune_metric_rmse(double *out, const double *y_true, const double *y_pred,
                                         size_t n, size_t n_targets);

/**
 * Scores a fitted estimator on labelled data with a scorer named as in
 * scikit-learn.
 *
 * A scorer gives a number where greater is better ("neg_*" scorers negate
 * a loss). Known names (listed by ctune_scorer_name()):
 * classifiers: accuracy, balanced_accuracy, f1, f1_macro, neg_log_loss,
 * precision, precision_macro, recall, recall_macro, roc_auc;
 * regressors: neg_mean_absolute_error, neg_mean_squared_error,
 * neg_root_mean_squared_error, r2.
 *
 * The binary scorers (f1, precision, recall, roc_auc) need a classifier
 * fitted on exactly 2 classes and take the larger class label as positive
 * (scikit-learn's pos_label=1 for labels {0, 1}); roc_auc scores with
 * predict_proba's column of that class. neg_log_loss and roc_auc need
 * predict_proba, and a y label the classifier did not see at fit is
 * CTUNE_EDATA naming the row. See docs/metrics.md.
 *
 * @param[out] out receives the score
 * @param est    the estimator (fitted)
 * @param scorer a scorer name; NULL or "" means the estimator's default
 *               score (ctune_estimator_score())
 * @param data   the data, with y
 * @return CTUNE_OK; CTUNE_EINVAL for an unknown name (listing the known
 *         ones) or a scorer that does not fit the estimator (e.g. "roc_auc"
 *         on 3 classes, a classification scorer on a regressor); errors of
 *         predict / predict_proba
 */
CTUNE_API ctune_status ctune_score(double *out, ctune_estimator *est, const char *scorer,
                                   const ctune_data *data);
/**
 * Checks that `scorer` names a known scorer.
 *
 * Thread-safe.
 *
 * @param scorer the name
 * @return CTUNE_OK; CTUNE_EINVAL (NULL, or unknown: the message lists the
 *         known ones)
 */
CTUNE_API ctune_status ctune_scorer_check(const char *scorer);
/**
 * Number of known scorers.
 *
 * @return the count
 */
CTUNE_API size_t ctune_scorer_count(void);
/**
 * Name of scorer i.
 *
 * @param i the index, below ctune_scorer_count()
 * @return a static string; NULL out of range
 */
CTUNE_API const char *ctune_scorer_name(size_t i);
/** @} */

/* ========================================================================
 * Built-in estimators
 * ======================================================================== */
/** @defgroup grp_builtin Built-in estimators
 *  Dummy baselines, decision trees, StandardScaler and Pipeline, as ordinary
 *  estimator handles.
 *  @{ */

/* ---- Dummy estimators ---- */
/* Baselines that ignore X, as scikit-learn's sklearn.dummy (see
 * docs/custom-estimators.md; their source, lib/estimators/dummy.c, is the
 * smallest example of the vtable). Their params are documented with each
 * constructor. */

/**
 * A DummyClassifier with default params: a baseline that ignores X.
 *
 * Params:
 *  - strategy (string, default "prior"): most_frequent (predict the most
 *    frequent training label, ties: the smallest; predict_proba one-hot on
 *    it); prior (predict as most_frequent; predict_proba is the class
 *    prior, the training frequencies); stratified (predict a label drawn
 *    from the class prior; predict_proba one-hot on the drawn class);
 *    uniform (a label drawn uniformly; predict_proba 1/n_classes
 *    everywhere).
 *  - seed (int >= 0, default 0): seed of the draws, used through
 *    ctune_fit_ctx_seed() (so a search task derives its own stream). Each
 *    row's draw depends only on the fitted seed
 *    and the row's values: a row predicts the same label alone or in any
 *    batch.
 *
 * @param[out] out receives the handle, owned by the caller (ctune_estimator_free())
 * @return CTUNE_OK, CTUNE_EINVAL (NULL out) or CTUNE_ENOMEM
 */
CTUNE_API ctune_status ctune_dummy_classifier_new(ctune_estimator **out);
/**
 * A DummyRegressor with default params: a baseline that ignores X.
 *
 * Params:
 *  - strategy (string, default "mean"): mean | median (numpy's median: the
 *    mean of the two middle values for an even count) | constant, per target;
 *  - constant (double or none, default none): the value predicted for every
 *    target by strategy=constant; fit fails with CTUNE_EINVAL when it is none.
 *
 * @param[out] out receives the handle, owned by the caller (ctune_estimator_free())
 * @return CTUNE_OK, CTUNE_EINVAL (NULL out) or CTUNE_ENOMEM
 */
CTUNE_API ctune_status ctune_dummy_regressor_new(ctune_estimator **out);
/**
 * The DummyClassifier's vtable.
 *
 * For ctune_estimator_new() with a user pointer, or to wrap or compare.
 * Thread-safe.
 *
 * @return the static vtable, never NULL
 */
CTUNE_API const ctune_estimator_vtable *ctune_dummy_classifier_vtable(void);
/**
 * The DummyRegressor's vtable.
 *
 * Thread-safe.
 *
 * @return the static vtable, never NULL
 */
CTUNE_API const ctune_estimator_vtable *ctune_dummy_regressor_vtable(void);
/* ---- Trees, scaler, pipeline ---- */
/* scikit-learn's DecisionTreeClassifier / DecisionTreeRegressor,
 * StandardScaler and Pipeline, as ordinary estimator handles (fit, predict,
 * clone, set_params, search ...). See docs/trees-scaling-pipelines.md.
 * Constructors: Errors CTUNE_EINVAL (NULL out), CTUNE_ENOMEM. The handle
 * belongs to the caller (ctune_estimator_free). Thread safety as for every
 * handle: distinct handles may be fitted concurrently. */

/**
 * A CART classification tree (scikit-learn's DecisionTreeClassifier).
 *
 * Params (scikit-learn's names and defaults): criterion = gini | entropy |
 * log_loss (= entropy); splitter = best | random; max_depth = int >= 1 |
 * none; min_samples_split = int >= 2 | fraction in (0, 1] (default 2);
 * min_samples_leaf = int >= 1 | fraction in (0, 1) (default 1);
 * min_impurity_decrease = double >= 0 (0.0); max_features = int | fraction
 * in (0, 1] | sqrt | log2 | none (all); max_leaf_nodes = int >= 2
 * (best-first growth) | none (depth-first); class_weight = none | balanced;
 * seed = int >= 0 (0). Fractions and max_features > n_features are checked
 * at fit.
 *
 * @param[out] out receives the handle, owned by the caller (ctune_estimator_free())
 * @return CTUNE_OK, CTUNE_EINVAL (NULL out) or CTUNE_ENOMEM
 */
CTUNE_API ctune_status ctune_decision_tree_classifier_new(ctune_estimator **out);
/**
 * A CART regression tree (scikit-learn's DecisionTreeRegressor).
 *
 * criterion = squared_error (leaves predict the mean) | absolute_error (the
 * median); the other params as the classifier's except class_weight.
 * Multi-output y (n_targets > 1) is supported. The criteria sum y and
 * its squares: fit is CTUNE_EDATA naming the row when n_rows · |y| exceeds
 * 1e150 (scale such targets).
 *
 * @param[out] out receives the handle, owned by the caller (ctune_estimator_free())
 * @return CTUNE_OK, CTUNE_EINVAL (NULL out) or CTUNE_ENOMEM
 */
CTUNE_API ctune_status ctune_decision_tree_regressor_new(ctune_estimator **out);
/**
 * The static vtable behind ctune_decision_tree_classifier_new().
 *
 * @return the vtable, never NULL
 */
CTUNE_API const ctune_estimator_vtable *ctune_decision_tree_classifier_vtable(void);
/**
 * The static vtable behind ctune_decision_tree_regressor_new().
 *
 * @return the vtable, never NULL
 */
CTUNE_API const ctune_estimator_vtable *ctune_decision_tree_regressor_vtable(void);

/* Accessors of a fitted tree (a handle made by the constructors above, or a
 * fitted pipeline step found with ctune_pipeline_step()). Errors:
 * CTUNE_EINVAL (NULL tree or out, a handle that is not a tree, node out of
 * range), CTUNE_ESTATE (not fitted). Read-only: safe from several threads. */

/**
 * Depth of the deepest leaf of a fitted tree.
 *
 * Read-only: safe from several threads, as every tree accessor.
 *
 * @param[out] out receives the depth (a single-leaf tree has depth 0)
 * @param tree a fitted tree (or a fitted pipeline step that is one)
 * @return CTUNE_OK; CTUNE_EINVAL (NULLs, not a tree); CTUNE_ESTATE (not fitted)
 */
CTUNE_API ctune_status ctune_tree_depth(size_t *out, const ctune_estimator *tree);
/**
 * Number of leaves of a fitted tree.
 *
 * @param[out] out receives the leaf count
 * @param tree a fitted tree
 * @return as ctune_tree_depth()
 */
CTUNE_API ctune_status ctune_tree_n_leaves(size_t *out, const ctune_estimator *tree);
/**
 * Number of nodes (internal nodes and leaves) of a fitted tree.
 *
 * Nodes are numbered from 0, the root.
 *
 * @param[out] out receives the node count
 * @param tree a fitted tree
 * @return as ctune_tree_depth()
 */
CTUNE_API ctune_status ctune_tree_n_nodes(size_t *out, const ctune_estimator *tree);
/**
 * Impurity-based (Gini / MDI) feature importances.
 *
 * Normalized to sum 1 (all 0 for a single leaf).
 *
 * @param[out] out caller array of ctune_estimator_n_features_in() doubles
 * @param tree a fitted tree
 * @return as ctune_tree_depth()
 */
CTUNE_API ctune_status ctune_tree_feature_importances(double *out, const ctune_estimator *tree);
/**
 * Structure of one node: its split and its children.
 *
 * Rows with x[feature] <= threshold go left. A leaf gives feature, left and
 * right -1 and threshold NaN.
 *
 * @param[out] feature receives the split feature, or NULL
 * @param[out] threshold receives the split threshold, or NULL
 * @param[out] left receives the left child's index, or NULL
 * @param[out] right receives the right child's index, or NULL
 * @param tree      a fitted tree
 * @param node      the node index (0 = root)
 * @return as ctune_tree_depth(); CTUNE_EINVAL for a node out of range
 */
CTUNE_API ctune_status ctune_tree_node(int64_t *feature, double *threshold, int64_t *left,
                                       int64_t *right, const ctune_estimator *tree, size_t node);
/**
 * Impurity and training sample counts of one node.
 *
 * @param[out] impurity      receives the node's impurity, or NULL
 * @param[out] weighted_n_samples receives the weighted sample count, or NULL
 * @param[out] n_samples     receives the plain sample count, or NULL
 * @param tree               a fitted tree
 * @param node               the node index (0 = root)
 * @return as ctune_tree_node()
 */
CTUNE_API ctune_status ctune_tree_node_stats(double *impurity, double *weighted_n_samples,
                                             size_t *n_samples, const ctune_estimator *tree,
                                             size_t node);
/**
 * Value of one node.
 *
 * For a classifier its (weighted) class distribution: n_classes fractions
 * in ctune_estimator_classes() order, which is what predict_proba returns
 * for rows reaching that leaf. For a regressor its prediction,
 * ctune_estimator_n_outputs() values.
 *
 * @param[out] out caller array of n_classes (classifier) or n_outputs
 *                 (regressor) doubles
 * @param tree a fitted tree
 * @param node the node index (0 = root)
 * @return as ctune_tree_node()
 */
CTUNE_API ctune_status ctune_tree_node_value(double *out, const ctune_estimator *tree, size_t node);

/**
 * scikit-learn's StandardScaler, a transformer (CTUNE_TRANSFORMER).
 *
 * transform gives (x - mean) / scale per column; inverse_transform undoes
 * it. Params: with_mean = bool (true): subtract the mean; with_std = bool
 * (true): divide by the population standard deviation (ddof 0). Columns of
 * zero variance (up to rounding, as scikit-learn decides) keep scale 1.
 * Output is float64, n_rows × n_features.
 *
 * @param[out] out receives the handle, owned by the caller (ctune_estimator_free())
 * @return CTUNE_OK, CTUNE_EINVAL (NULL out) or CTUNE_ENOMEM
 */
CTUNE_API ctune_status ctune_standard_scaler_new(ctune_estimator **out);
/**
 * Column means learned by a fitted StandardScaler.
 *
 * Read-only: safe from several threads.
 *
 * @param[out] out caller array of ctune_estimator_n_features_in() doubles
 * @param scaler a fitted StandardScaler (or a fitted pipeline step that is one)
 * @return CTUNE_OK; CTUNE_EINVAL (NULL, not a StandardScaler);
 *         CTUNE_ESTATE (not fitted)
 */
CTUNE_API ctune_status ctune_scaler_mean(double *out, const ctune_estimator *scaler);
/**
 * Population variances (ddof 0) learned by a fitted StandardScaler.
 *
 * @param[out] out caller array of ctune_estimator_n_features_in() doubles
 * @param scaler a fitted StandardScaler
 * @return as ctune_scaler_mean()
 */
CTUNE_API ctune_status ctune_scaler_var(double *out, const ctune_estimator *scaler);
/**
 * Scales used by transform.
 *
 * The standard deviation; 1 for zero-variance columns; all 1 when
 * with_std is false.
 *
 * @param[out] out caller array of ctune_estimator_n_features_in() doubles
 * @param scaler a fitted StandardScaler
 * @return as ctune_scaler_mean()
 */
CTUNE_API ctune_status ctune_scaler_scale(double *out, const ctune_estimator *scaler);

/**
 * Creates an empty Pipeline (scikit-learn's Pipeline).
 *
 * A pipeline is an estimator made of named steps: transformers followed by
 * a final estimator of any kind. Steps may be any estimators, built-in or
 * custom (through their vtable).
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
 *
 * Fitting an empty pipeline is CTUNE_ESTATE.
 *
 * @param[out] out receives the handle, owned by the caller (ctune_estimator_free())
 * @return CTUNE_OK, CTUNE_EINVAL (NULL out) or CTUNE_ENOMEM
 */
CTUNE_API ctune_status ctune_pipeline_new(ctune_estimator **out);
/**
 * Appends a step to a pipeline.
 *
 * The pipeline stores a clone of `step` (its params, not its fit): the
 * caller keeps `step` and may free it at once; later changes to `step` do
 * not affect the pipeline (set `name__param` on the pipeline instead). The
 * step's current params become the pipeline's `name__*` params. Drops the
 * pipeline's fitted state. On error the pipeline is unchanged.
 *
 * @param pipe the pipeline
 * @param name the step's name: [A-Za-z_][A-Za-z0-9_]*, without "__", at
 *             most 63 characters, unique in the pipeline
 * @param step the estimator to clone into the pipeline (only read)
 * @return CTUNE_OK; CTUNE_EINVAL (NULL, `pipe` not a pipeline, bad or
 *         duplicate name, a step after a non-transformer: only the last step
 *         may be a classifier or regressor); CTUNE_ENOMEM
 */
CTUNE_API ctune_status ctune_pipeline_add_step(ctune_estimator *pipe, const char *name,
                                               const ctune_estimator *step);
/* A saved Pipeline records each step's name and estimator (its fitted state
 * when fitted), so ctune_estimator_load(&out, path, NULL, NULL) rebuilds it
 * when every step is a built-in estimator; with custom or Keras-style steps,
 * load it with ctune_estimator_load_like() and a pipeline of the same steps. */

/**
 * Number of steps of a pipeline.
 *
 * @param pipe the pipeline
 * @return the step count; 0 for NULL or a handle that is not a pipeline
 */
CTUNE_API size_t ctune_pipeline_n_steps(const ctune_estimator *pipe);
/**
 * Name of step i.
 *
 * @param pipe the pipeline
 * @param i    the step index
 * @return the name, borrowed (valid while the pipeline lives); NULL when
 *         out of range or `pipe` is not a pipeline
 */
CTUNE_API const char *ctune_pipeline_step_name(const ctune_estimator *pipe, size_t i);
/**
 * The fitted step named `name`, for inspection.
 *
 * A borrowed, read-only view of the pipeline's own step: the pointer is
 * const because the step belongs to the pipeline (freeing, fitting or
 * setting params of it would corrupt the pipeline). Inspect it with the
 * const accessors, e.g. ctune_tree_depth() or ctune_scaler_mean(); for an
 * estimator of your own, clone it (ctune_estimator_clone() gives an unfitted
 * copy) or save and load it.
 *
 * @param[out] out receives the step, borrowed (not to be freed): valid until the
 *                 next fit, set_params, add_step or free of `pipe`
 * @param pipe the pipeline (fitted)
 * @param name the step's name
 * @return CTUNE_OK; CTUNE_EINVAL (NULL, not a pipeline, unknown step: lists
 *         the steps); CTUNE_ESTATE (the pipeline is not fitted)
 */
CTUNE_API ctune_status ctune_pipeline_step(const ctune_estimator **out, const ctune_estimator *pipe,
                                           const char *name);
/** @} */

/* ========================================================================
 * Data generators
 * ======================================================================== */
/** @defgroup grp_datagen Data generators
 *  Seeded synthetic data (make_blobs, make_classification, make_regression)
 *  into caller arrays.
 *  @{ */
/* Seeded synthetic data for tests and examples (after scikit-learn's
 * make_blobs / make_classification / make_regression). Each writes into
 * caller arrays: X is n × d row-major doubles, y holds n values (class
 * labels 0..k-1 as doubles, or regression targets). The same arguments and
 * seed give the same bits on every platform with IEEE doubles. No
 * allocation; pure and thread-safe. Errors: CTUNE_EINVAL naming the bad
 * argument (NULL array, n or d 0, sizes out of range); on error the arrays
 * may be partially written. See docs/metrics.md ("Data generators"). */

/**
 * Isotropic Gaussian blobs (scikit-learn's make_blobs).
 *
 * `centers` centers are drawn uniformly in [-10, 10)^d; each row is its
 * center + cluster_std · N(0, I). Class sizes are balanced (the first
 * n % centers classes have one more row) and the rows are shuffled; y is
 * the center index. The same arguments give the same bits on every platform
 * with IEEE doubles; no allocation; pure and thread-safe.
 *
 * @param[out] X      caller array of n × d doubles, row-major
 * @param[out] y      caller array of n doubles
 * @param[out] centers_out caller array of centers × d doubles receiving the
 *                         centers, or NULL
 * @param n           number of rows (>= centers)
 * @param d           number of columns (>= 1)
 * @param centers     number of blobs (>= 1)
 * @param cluster_std standard deviation of each blob (>= 0)
 * @param seed        the seed
 * @return CTUNE_OK; CTUNE_EINVAL naming the bad argument (the arrays may
 *         then be partially written)
 */
CTUNE_API ctune_status ctune_make_blobs(double *X, double *y, double *centers_out, size_t n,
                                        size_t d, size_t centers, double cluster_std,
                                        uint64_t seed);
/**
 * A classification problem (after scikit-learn's make_classification).
 *
 * Class c (0..n_classes-1) is a Gaussian cluster N(v_c, I) on columns
 * 0..n_informative-1, where v_c are distinct random vertices of the
 * hypercube [-class_sep, class_sep]^n_informative; columns
 * n_informative..d-1 are N(0, 1) noise. Balanced classes (the first
 * n % n_classes have one more row), rows shuffled, no label noise (unlike
 * scikit-learn: one cluster per class, no redundant features, no random
 * covariance, columns not shuffled).
 *
 * @param[out] X        caller array of n × d doubles, row-major
 * @param[out] y        caller array of n doubles (labels 0..n_classes-1)
 * @param n             number of rows (>= n_classes)
 * @param d             number of columns (>= n_informative)
 * @param n_informative informative columns (>= 1)
 * @param n_classes     number of classes, 2 <= n_classes <= 2^n_informative
 * @param class_sep     half the hypercube's side (>= 0)
 * @param seed          the seed
 * @return as ctune_make_blobs()
 */
CTUNE_API ctune_status ctune_make_classification(double *X, double *y, size_t n, size_t d,
                                                 size_t n_informative, size_t n_classes,
                                                 double class_sep, uint64_t seed);
/**
 * A linear regression problem (after scikit-learn's make_regression).
 *
 * X ~ N(0, 1), y = X · coef + noise · N(0, 1) where coef[k] =
 * 100 · U[0, 1) for k < n_informative and 0 beyond.
 *
 * @param[out] X        caller array of n × d doubles, row-major
 * @param[out] y        caller array of n doubles
 * @param[out] coef_out caller array of d doubles receiving coef, or NULL
 * @param n             number of rows (>= 1)
 * @param d             number of columns (>= 1)
 * @param n_informative columns with a non-zero coefficient (<= d)
 * @param noise         standard deviation of the added noise (>= 0)
 * @param seed          the seed
 * @return as ctune_make_blobs()
 */
CTUNE_API ctune_status ctune_make_regression(double *X, double *y, double *coef_out, size_t n,
                                             size_t d, size_t n_informative, double noise,
                                             uint64_t seed);
/** @} */

/* ========================================================================
 * Conformance kit
 * ======================================================================== */
/** @defgroup grp_check Conformance kit
 *  Checks that a custom estimator honours the estimator contract
 *  (check_estimator).
 *  @{ */

/**
 * Runs the conformance battery on an estimator ("unit-testing custom
 * estimators", the scikit-learn check_estimator idea).
 *
 * `est` is only cloned, never modified or fitted. Data is generated with
 * ctune_make_blobs() (classifiers, transformers) or ctune_make_regression()
 * (regressors), X rounded to float32 precision; every fit is
 * `ctune_estimator_fit_task(clone, data, 1, stream)` with one fixed stream,
 * so two fits must agree whatever the estimator's randomness. A check that
 * does not apply to the estimator's kind passes. The checks, in order
 * (names are stable; ctune_check_name() lists them):
 *  - `fit_predict`: fit on the generated data works; n_features_in,
 *    n_outputs, n_classes are right (the reference fit)
 *  - `predict_shape`: predict writes exactly n_rows × n_outputs finite
 *    values (writing past them stops the battery; outputs are pre-filled
 *    with a NaN sentinel, so an unwritten cell is reported as such)
 *  - `predict_before_fit`: predict / transform / predict_proba of an
 *    unfitted clone return CTUNE_ESTATE
 *  - `clone_unfitted`: a clone of a fitted estimator is unfitted with equal
 *    params and the same vtable
 *  - `params_round_trip`: the text of get_params parses and set_params
 *    accepts it unchanged; every spec parameter is listed
 *  - `unknown_param`: set_params of an unknown name is CTUNE_EINVAL naming
 *    it, and changes nothing
 *  - `unused_params`: every declared parameter is read by name (through
 *    the ctune_params getters, on any params set; `a__b` also as `b`)
 *    while the estimator is created and fitted
 *  - `fit_deterministic`: two fits with the same seed and data predict the
 *    same (and the same probabilities), on the generated data and on data
 *    whose classes overlap (option cluster_std), where rand() or state
 *    kept between fits changes predictions; one fit predicts twice alike
 *  - `fit_input_unchanged`: fit / predict / predict_proba / score leave X
 *    and y bit-identical
 *  - `predict_labels`: classifiers predict training labels only
 *  - `predict_proba`: rows of probabilities in [0, 1] summing to 1 (when the
 *    estimator has predict_proba)
 *  - `one_feature`: fit and predict work with 1 feature
 *  - `noncontiguous_labels`: labels {3, 7, 11, ...} give the same
 *    predictions as {0, 1, 2, ...} mapped (the estimator sees codes only)
 *  - `nonfinite_rejected`: NaN/Inf in X or y at fit, NaN in X at predict:
 *    CTUNE_EDATA
 *  - `empty_data`: fit on 0 rows is CTUNE_EDATA; predict on 0 rows is a
 *    no-op
 *  - `n_features_mismatch`: predict with another feature count is
 *    CTUNE_EDATA
 *  - `subset_invariance`: each row predicted alone equals the batch
 *    prediction
 *  - `views_equivalent`: fits on float32, strided (NaN padding) and
 *    index-subset views of the same values equal the plain fit
 *  - `refit_clean`: fitting other data first leaves no trace
 *  - `score`: the default score is finite (accuracy in [0, 1], R² <= 1)
 *  - `transform_shape`: transformers write n_rows × n_features_out finite
 *    values
 *  - `no_leaks`: a full cycle leaves ctune_alloc_live() unchanged (only
 *    blocks allocated through ctune are seen; assumes no other thread uses
 *    ctune meanwhile)
 *  - `concurrency`: two clones fitted in two threads at once predict as the
 *    sequential fit
 *  - `fit_more` (vtables with fit_more): a fit continued with its own params
 *    predicts as the fit (a fresh fit with them is the fit itself), or
 *    fit_more declines with CTUNE_EUNSUPPORTED leaving the fit as it was
 *
 * Options (ctune_params_parse() text; see docs/custom-estimators.md):
 * tolerance (double >= 0, default 1e-9: relative,
 * |a - b| <= tolerance · max(1, |a|, |b|); exact estimators pass with it,
 * float32 ones need about 1e-6), skip (check names separated by '|', e.g.
 * "skip=concurrency|no_leaks"; unknown names are CTUNE_EINVAL), n_rows
 * (default 60), n_features (default 4), n_classes (default 3), seed (of
 * the generated data, default 0), cluster_std (spread of the overlapping
 * classes of fit_deterministic, or a regression's noise; default 8, 0
 * leaves that run out).
 *
 * The report has one line per failed check; checks that could not run
 * (the reference fit failed, or predict wrote past its buffer) are not
 * counted and share one last line, "not run (\<why\>): name, name, ...".
 *
 * Not thread-safe with the allocation test hooks; otherwise the battery
 * only uses clones of `est`.
 *
 * @param[out] report receives one line per failed check ("check_name:
 *                    reason"), as a @ref buffers "text buffer"; may be NULL
 *                    with report_cap 0
 * @param report_cap size of report in bytes
 * @param[out] n_failed receives the number of failed checks (not counting the
 *                      checks that could not run); may be NULL
 * @param est        the estimator to check (only cloned)
 * @param options    NULL or "key=value" text
 * @return when the battery ran (whatever it found), the length of the whole
 *         report (0 when every check passed; @ref buffers "text buffer"
 *         rule); a negative ctune_status: CTUNE_EINVAL (bad arguments or
 *         options), CTUNE_ENOMEM
 */
CTUNE_API long ctune_check_estimator(char *report, size_t report_cap, int *n_failed,
                                     const ctune_estimator *est, const char *options);
/**
 * Number of checks in the battery.
 *
 * @return the count
 */
CTUNE_API size_t ctune_check_count(void);
/**
 * Name of check i of the battery, in running order.
 *
 * @param i the index, below ctune_check_count()
 * @return a static string; NULL out of range
 */
CTUNE_API const char *ctune_check_name(size_t i);
/** @} */

/* ========================================================================
 * Model selection
 * ======================================================================== */
/** @defgroup grp_model_selection Model selection
 *  Splitters, parameter spaces, cross-validation, searches and their progress
 *  callback.
 *  @{ */
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
 *  a train index list (row indices of the data that was split). Immutable:
 *  may be read by several threads at once. */
typedef struct ctune_splits ctune_splits;

/**
 * Creates a KFold splitter.
 *
 * `n_splits` consecutive folds over the rows in order (the first
 * n % n_splits folds have one sample more), or over the rows shuffled once
 * with `seed` when `shuffle` is non-zero.
 *
 * @param[out] out receives the splitter, owned by the caller
 *                 (ctune_splitter_free())
 * @param n_splits number of folds (>= 2)
 * @param shuffle  non-zero to shuffle the rows first
 * @param seed     seed of the shuffle (ignored without shuffle)
 * @return CTUNE_OK; CTUNE_EINVAL (NULL out, n_splits < 2); CTUNE_ENOMEM
 */
CTUNE_API ctune_status ctune_kfold_new(ctune_splitter **out, size_t n_splits, int shuffle,
                                       uint64_t seed);
/**
 * Creates a StratifiedKFold splitter, with scikit-learn's (>= 0.24)
 * allocation.
 *
 * Classes are ordered by first appearance in y, each fold receives each
 * class in proportion (fold i takes positions i, i + k, ... of the
 * class-sorted order), and a class's samples go to its folds in blocks, in
 * row order (the block assignment is shuffled per class with `seed` when
 * `shuffle`). Needs one integer-valued target column. A class with fewer
 * members than n_splits is a warning (ctune_splits_warning()); every class
 * having fewer is an error.
 *
 * @param[out] out receives the splitter, owned by the caller
 *                 (ctune_splitter_free())
 * @param n_splits number of folds (>= 2)
 * @param shuffle  non-zero to shuffle each class's block assignment
 * @param seed     seed of the shuffle (ignored without shuffle)
 * @return as ctune_kfold_new()
 */
CTUNE_API ctune_status ctune_stratified_kfold_new(ctune_splitter **out, size_t n_splits,
                                                  int shuffle, uint64_t seed);
/**
 * Creates the splitter an integer cv means (scikit-learn's check_cv).
 *
 * StratifiedKFold for a classifier, KFold otherwise, each with `cv` folds:
 * the rule that ctune_search_set_cv(), the cv option and the `cv` argument
 * of ctune_cross_validate() / ctune_cross_val_score() apply. Use it to get
 * that choice shuffled, or to show which splitter a cv means.
 *
 * @param[out] out receives the splitter, owned by the caller
 *                 (ctune_splitter_free())
 * @param est     the estimator (only its kind is read)
 * @param cv      number of folds (>= 2)
 * @param shuffle non-zero to shuffle (as ctune_kfold_new() /
 *                ctune_stratified_kfold_new())
 * @param seed    seed of the shuffle (ignored without shuffle)
 * @return CTUNE_OK; CTUNE_EINVAL (NULLs, cv < 2); CTUNE_ENOMEM
 */
CTUNE_API ctune_status ctune_cv_splitter_new(ctune_splitter **out, const ctune_estimator *est,
                                             size_t cv, int shuffle, uint64_t seed);
/**
 * Creates a ShuffleSplit (or StratifiedShuffleSplit) splitter.
 *
 * `n_splits` independent random splits with ceil(test_fraction * n) test
 * rows and the rest for training (scikit-learn's sizes; the stratified form
 * uses its per-class allocation). Indices come in random order.
 *
 * @param[out] out      receives the splitter, owned by the caller
 *                      (ctune_splitter_free())
 * @param n_splits      number of splits (>= 1)
 * @param test_fraction fraction of the rows in each test side, in (0, 1)
 * @param seed          the seed
 * @param stratify      non-zero for StratifiedShuffleSplit
 * @return CTUNE_OK; CTUNE_EINVAL (NULL out, n_splits 0, test_fraction
 *         outside (0, 1)); CTUNE_ENOMEM
 */
CTUNE_API ctune_status ctune_shuffle_split_new(ctune_splitter **out, size_t n_splits,
                                               double test_fraction, uint64_t seed, int stratify);
/**
 * Creates a splitter of fixed index lists ("IndexSplit"): the splits a
 * caller computed itself, e.g. a binding handing over the (train, test)
 * pairs of any scikit-learn splitter or iterable.
 *
 * The lists are copied and used as they are (any order; a row may be in
 * both sides or in none). ctune_splitter_split() gives them for data of
 * exactly `n_rows` rows.
 *
 * @param[out] out receives the splitter, owned by the caller
 *                 (ctune_splitter_free())
 * @param n_rows   the rows of the data the indices refer to
 * @param n_splits number of splits (>= 1)
 * @param train    n_splits arrays of training row indices
 * @param n_train  their lengths (each >= 1)
 * @param test     n_splits arrays of test row indices
 * @param n_test   their lengths (each >= 1)
 * @return CTUNE_OK; CTUNE_EINVAL (NULLs, n_splits 0, an empty side, an
 *         index >= n_rows naming the split, side and position);
 *         CTUNE_ENOMEM
 */
CTUNE_API ctune_status ctune_index_split_new(ctune_splitter **out, size_t n_rows, size_t n_splits,
                                             const size_t *const *train, const size_t *n_train,
                                             const size_t *const *test, const size_t *n_test);
/**
 * Frees a splitter.
 *
 * @param splitter the splitter; NULL is a no-op
 */
CTUNE_API void ctune_splitter_free(ctune_splitter *splitter);
/**
 * Number of splits the splitter makes.
 *
 * @param splitter the splitter
 * @return the split count; 0 for NULL
 */
CTUNE_API size_t ctune_splitter_n_splits(const ctune_splitter *splitter);
/**
 * Name of the splitter's strategy.
 *
 * @param splitter the splitter
 * @return "KFold", "StratifiedKFold", "ShuffleSplit",
 *         "StratifiedShuffleSplit" or "IndexSplit" (static); NULL for NULL
 */
CTUNE_API const char *ctune_splitter_name(const ctune_splitter *splitter);

/**
 * Computes the splits of `data`.
 *
 * Only the row count, and y for stratified splitters, are read.
 * Thread-safe for distinct outputs.
 *
 * @param[out] out receives the splits, owned by the caller (ctune_splits_free())
 * @param splitter the splitter
 * @param data     the data to split
 * @return CTUNE_OK; CTUNE_EINVAL (NULLs, n_splits greater than the number
 *         of rows, fewer than 2 rows, every class smaller than n_splits, a
 *         split that would leave a side empty); CTUNE_EDATA (stratified
 *         without exactly one integer-valued target column); CTUNE_ENOMEM
 */
CTUNE_API ctune_status ctune_splitter_split(ctune_splits **out, const ctune_splitter *splitter,
                                            const ctune_data *data);
/**
 * Frees splits.
 *
 * @param splits the splits; NULL is a no-op
 */
CTUNE_API void ctune_splits_free(ctune_splits *splits);
/**
 * Number of splits.
 *
 * @param splits the splits
 * @return the split count; 0 for NULL
 */
CTUNE_API size_t ctune_splits_count(const ctune_splits *splits);
/**
 * The train row indices of split i.
 *
 * K-fold indices are in ascending order; shuffle-split indices in random
 * order.
 *
 * @param[out] idx receives a pointer to *n indices, borrowed from `splits`
 *                 (valid until it is freed)
 * @param[out] n receives the number of indices
 * @param splits the splits
 * @param i      the split index
 * @return CTUNE_OK; CTUNE_EINVAL (NULLs, i out of range)
 */
CTUNE_API ctune_status ctune_splits_train(const size_t **idx, size_t *n, const ctune_splits *splits,
                                          size_t i);
/**
 * The test row indices of split i.
 *
 * @param[out] idx receives a pointer to *n indices, borrowed from `splits`
 *                 (valid until it is freed)
 * @param[out] n receives the number of indices
 * @param splits the splits
 * @param i      the split index
 * @return as ctune_splits_train()
 */
CTUNE_API ctune_status ctune_splits_test(const size_t **idx, size_t *n, const ctune_splits *splits,
                                         size_t i);
/**
 * Number of warnings raised while splitting.
 *
 * ctune warns where scikit-learn does, e.g. a class smaller than n_splits.
 *
 * @param splits the splits
 * @return the warning count; 0 for NULL
 */
CTUNE_API size_t ctune_splits_n_warnings(const ctune_splits *splits);
/**
 * Text of warning i.
 *
 * @param splits the splits
 * @param i      the warning index
 * @return the text, borrowed from `splits`; NULL out of range
 */
CTUNE_API const char *ctune_splits_warning(const ctune_splits *splits, size_t i);

/**
 * Splits `data` once into a train and a test view (scikit-learn's
 * train_test_split).
 *
 * ceil(test_fraction * n) random test rows, stratified by the class labels
 * of y when `stratify` is non-zero. No copy of X. On error both outputs
 * are NULL.
 *
 * @param[out] train    receives the train view, owned by the caller
 *                      (ctune_data_free())
 * @param[out] test     receives the test view, owned by the caller
 * @param data          the data to split
 * @param test_fraction fraction of the rows in the test view, in (0, 1)
 * @param seed          the seed
 * @param stratify      non-zero to stratify by y
 * @return as ctune_shuffle_split_new() and ctune_splitter_split()
 */
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

/**
 * Creates an empty parameter space.
 *
 * @param[out] out receives the space, owned by the caller (ctune_space_free())
 * @return CTUNE_OK, CTUNE_EINVAL (NULL out) or CTUNE_ENOMEM
 */
CTUNE_API ctune_status ctune_space_new(ctune_space **out);
/**
 * Frees a space.
 *
 * @param space the space; NULL is a no-op
 */
CTUNE_API void ctune_space_free(ctune_space *space);
/**
 * Deep copy of a space.
 *
 * @param[out] out receives the copy, owned by the caller (ctune_space_free())
 * @param src the space to copy
 * @return CTUNE_OK, CTUNE_EINVAL (NULLs) or CTUNE_ENOMEM
 */
CTUNE_API ctune_status ctune_space_copy(ctune_space **out, const ctune_space *src);
/**
 * Parses the text form of a space into a new space.
 *
 * For example
 * "optimizer: sgd|adam; batch_size: 5|10|20; learning_rate: loguniform(1e-4, 1e-1)".
 * Entries are separated by ';' or newlines: `name: v1|v2|...` (values typed
 * as ctune_params_set_text() does; 'quotes' force a string) or
 * `name: uniform(lo, hi)`, `loguniform(lo, hi)`, `randint(lo, hi)`. The
 * grammar is in docs/model-selection.md.
 *
 * @param[out] out receives the space, owned by the caller (ctune_space_free())
 * @param text the text
 * @return CTUNE_OK; CTUNE_EFORMAT with the byte offset of the offending
 *         character and a caret excerpt, e.g. `space text: expected ':'
 *         after 'nl', found '=' at offset 2`; CTUNE_EINVAL (NULLs);
 *         CTUNE_ENOMEM
 */
CTUNE_API ctune_status ctune_space_parse(ctune_space **out, const char *text);
/**
 * Adds the entries of a text (as ctune_space_parse() reads it) to a space.
 *
 * On error the space is unchanged.
 *
 * @param space the space
 * @param text  the entries
 * @return as ctune_space_parse(); a name already present is CTUNE_EFORMAT
 *         "duplicate parameter 'name'" with its offset in `text`
 */
CTUNE_API ctune_status ctune_space_add_text(ctune_space *space, const char *text);
/**
 * Adds a list of integer values for `name`.
 *
 * @param space  the space
 * @param name   the parameter name (not yet in the space)
 * @param values n values (copied)
 * @param n      number of values (>= 1)
 * @return CTUNE_OK; CTUNE_EINVAL (NULLs, n 0, invalid or duplicate name);
 *         CTUNE_ENOMEM
 */
CTUNE_API ctune_status ctune_space_add_ints(ctune_space *space, const char *name,
                                            const int64_t *values, size_t n);
/**
 * Adds a list of double values for `name`.
 *
 * @param space  the space
 * @param name   the parameter name (not yet in the space)
 * @param values n values (copied; no NaN)
 * @param n      number of values (>= 1)
 * @return as ctune_space_add_ints(); CTUNE_EINVAL for a NaN
 */
CTUNE_API ctune_status ctune_space_add_doubles(ctune_space *space, const char *name,
                                               const double *values, size_t n);
/**
 * Adds a list of string values for `name`.
 *
 * @param space  the space
 * @param name   the parameter name (not yet in the space)
 * @param values n strings (copied; none NULL)
 * @param n      number of values (>= 1)
 * @return as ctune_space_add_ints(); CTUNE_EINVAL for a NULL string
 */
CTUNE_API ctune_status ctune_space_add_strings(ctune_space *space, const char *name,
                                               const char *const *values, size_t n);
/**
 * Adds a list of boolean values for `name`.
 *
 * @param space  the space
 * @param name   the parameter name (not yet in the space)
 * @param values n ints, non-zero meaning true
 * @param n      number of values (>= 1)
 * @return as ctune_space_add_ints()
 */
CTUNE_API ctune_status ctune_space_add_bools(ctune_space *space, const char *name,
                                             const int *values, size_t n);
/**
 * Adds a list of values given as text, typed one by one.
 *
 * Each text is typed as ctune_params_set_text() does ("none", "3", "0.5",
 * "relu"), so one list may mix types.
 *
 * @param space  the space
 * @param name   the parameter name (not yet in the space)
 * @param values n texts (none NULL)
 * @param n      number of values (>= 1)
 * @return as ctune_space_add_strings()
 */
CTUNE_API ctune_status ctune_space_add_texts(ctune_space *space, const char *name,
                                             const char *const *values, size_t n);
/**
 * Adds a uniform distribution on [lo, hi) for `name`.
 *
 * @param space the space
 * @param name  the parameter name (not yet in the space)
 * @param lo    lower bound (finite)
 * @param hi    upper bound (finite, > lo), excluded
 * @return CTUNE_OK; CTUNE_EINVAL (bad bounds, NULLs, invalid or duplicate
 *         name); CTUNE_ENOMEM
 */
CTUNE_API ctune_status ctune_space_add_uniform(ctune_space *space, const char *name, double lo,
                                               double hi);
/**
 * Adds a log-uniform distribution on [lo, hi) for `name`: log(value) is
 * uniform.
 *
 * @param space the space
 * @param name  the parameter name (not yet in the space)
 * @param lo    lower bound (finite, > 0)
 * @param hi    upper bound (finite, > lo), excluded
 * @return as ctune_space_add_uniform()
 */
CTUNE_API ctune_status ctune_space_add_loguniform(ctune_space *space, const char *name, double lo,
                                                  double hi);
/**
 * Adds integers uniform on [lo, hi) for `name` (hi excluded, as scipy's
 * randint).
 *
 * @param space the space
 * @param name  the parameter name (not yet in the space)
 * @param lo    smallest value
 * @param hi    one past the largest value (> lo)
 * @return as ctune_space_add_uniform()
 */
CTUNE_API ctune_status ctune_space_add_randint(ctune_space *space, const char *name, int64_t lo,
                                               int64_t hi);
/**
 * Number of entries of a space.
 *
 * @param space the space
 * @return the entry count; 0 for NULL
 */
CTUNE_API size_t ctune_space_count(const ctune_space *space);
/**
 * Name of entry i, in sorted order.
 *
 * @param space the space
 * @param i     the entry index
 * @return the name, borrowed (valid until the space is freed); NULL out of
 *         range
 */
CTUNE_API const char *ctune_space_name(const ctune_space *space, size_t i);
/**
 * Number of points of the grid: the product of the list lengths.
 *
 * @param[out] out receives the size (1 for an empty space)
 * @param space the space
 * @return CTUNE_OK; CTUNE_EINVAL (NULLs, an entry is a distribution, the
 *         product exceeds 2^64)
 */
CTUNE_API ctune_status ctune_space_grid_size(uint64_t *out, const ctune_space *space);
/**
 * The text form of a space, by the @ref buffers "buffer rule"; it parses back to an equal
 * space.
 *
 * @param[out] buf receives the text; may be NULL when cap is 0
 * @param cap   size of buf in bytes
 * @param space the space
 * @return the length of the text (excluding the NUL); a negative
 *         ctune_status on error (NULLs)
 */
CTUNE_API long ctune_space_to_text(char *buf, size_t cap, const ctune_space *space);

/**
 * Every point of the grid, in scikit-learn's ParameterGrid order: keys
 * sorted, the last key varying fastest.
 *
 * @param[out] out receives the candidates, owned by the caller
 *                 (ctune_candidates_free())
 * @param space the space (lists only)
 * @return CTUNE_OK; CTUNE_EINVAL (NULLs, empty space, a distribution, a
 *         grid too large to list); CTUNE_ENOMEM
 */
CTUNE_API ctune_status ctune_space_grid(ctune_candidates **out, const ctune_space *space);
/**
 * Samples n_iter candidates, as scikit-learn's ParameterSampler.
 *
 * When every entry is a list: distinct grid points drawn without
 * replacement (n_iter capped at the grid size, with a warning:
 * ctune_candidates_warning()). Otherwise n_iter independent draws with
 * replacement, entries visited in sorted order. Deterministic for a given
 * seed (stream 0 of `seed`).
 *
 * @param[out] out receives the candidates, owned by the caller
 *                 (ctune_candidates_free())
 * @param space  the space
 * @param n_iter number of candidates (>= 1)
 * @param seed   the seed
 * @return CTUNE_OK; CTUNE_EINVAL (NULLs, empty space, n_iter 0, more
 *         candidates than can be addressed); CTUNE_ENOMEM
 */
CTUNE_API ctune_status ctune_space_sample(ctune_candidates **out, const ctune_space *space,
                                          size_t n_iter, uint64_t seed);
/**
 * Frees candidates.
 *
 * @param candidates the candidates; NULL is a no-op
 */
CTUNE_API void ctune_candidates_free(ctune_candidates *candidates);
/**
 * Number of candidates.
 *
 * @param candidates the candidates
 * @return the count; 0 for NULL
 */
CTUNE_API size_t ctune_candidates_count(const ctune_candidates *candidates);
/**
 * Candidate i.
 *
 * @param candidates the candidates
 * @param i          the index
 * @return the parameter set, borrowed (valid until the candidates are
 *         freed); NULL out of range
 */
CTUNE_API const ctune_params *ctune_candidates_get(const ctune_candidates *candidates, size_t i);
/**
 * The sampler's warning (n_iter capped at the grid size).
 *
 * @param candidates the candidates
 * @return the text, borrowed; NULL when there is none
 */
CTUNE_API const char *ctune_candidates_warning(const ctune_candidates *candidates);

/* ---- Progress ---- */

/** Progress callback of a search, called once per finished task.
 *
 *  Calls come one at a time (never concurrently), in completion order, on
 *  the thread that called ctune_search_fit() (a custom executor may call
 *  ctune_job_task_done() from another). Arguments: the task's candidate and split, its test score for
 *  the refit metric (NaN when the fit failed), seconds since the fit
 *  started, tasks finished so far and in total, and the user pointer. A
 *  non-zero return cancels the search: no new task starts, running fits see
 *  ctune_fit_ctx_cancelled(), and ctune_search_fit() returns
 *  CTUNE_ECANCELLED with the results so far. The callback must not call
 *  functions on the same search. */
typedef int (*ctune_progress_fn)(size_t candidate, size_t split, double score, double elapsed,
                                 size_t done, size_t total, void *user);

/* ---- Cross-validation ---- */

/**
 * scikit-learn's cross_val_score: one score per fold.
 *
 * Fits a clone of `est` on each training side of `cv` folds
 * (StratifiedKFold for classifiers, KFold otherwise, unshuffled) and scores
 * the test side. `est` is never modified. A fold whose fit or score fails
 * makes the call fail with that error (use ctune_cross_validate() with
 * error_score=nan to go on). Runs serially; each fit may use all cores.
 * It is ctune_cross_validate() with `cv` folds, this one scorer and
 * error_score=raise, returning the test_score column.
 *
 * @param[out] out_scores caller array of cv doubles receiving the scores
 * @param est        the estimator (only cloned)
 * @param data       the data, with y
 * @param cv         number of folds (>= 2)
 * @param scoring    a scorer name, or NULL for the estimator's default score
 * @return CTUNE_OK; CTUNE_EINVAL (NULLs, cv < 2, unknown scorer); splitter
 *         errors; the failing fold's error; CTUNE_ENOMEM
 */
CTUNE_API ctune_status ctune_cross_val_score(double *out_scores, const ctune_estimator *est,
                                             const ctune_data *data, int cv, const char *scoring);

/** Results of ctune_cross_validate(): per split, columns of doubles. */
typedef struct ctune_cv_results ctune_cv_results;

/**
 * scikit-learn's cross_validate: times and scores per split, with options.
 *
 * Columns: fit_time, score_time, test_score (or `test_<scorer>` with
 * several scorers) and `train_...` when asked. `options` keys:
 * `scoring=<name>|<name>...` (default: the estimator's score),
 * return_train_score=false, `error_score=nan|raise|<number>` (default nan),
 * n_jobs=1, seed=0 (the task streams' seed). `est` is never modified.
 *
 * @param[out] out receives the results, owned by the caller
 *                 (ctune_cv_results_free())
 * @param est      the estimator (only cloned)
 * @param data     the data, with y
 * @param splitter the splitter, or NULL to use `cv`
 * @param cv       folds when splitter is NULL (0 = 5), chosen as for
 *                 ctune_cross_val_score()
 * @param options  NULL or "key=value" text
 * @return CTUNE_OK; CTUNE_EINVAL (NULLs, bad options listing the known
 *         keys, unknown scorer); splitter errors; CTUNE_ENOMEM; a fold's
 *         error with error_score=raise
 */
CTUNE_API ctune_status ctune_cross_validate(ctune_cv_results **out, const ctune_estimator *est,
                                            const ctune_data *data, const ctune_splitter *splitter,
                                            int cv, const char *options);
/**
 * Frees cross_validate results.
 *
 * @param res the results; NULL is a no-op
 */
CTUNE_API void ctune_cv_results_free(ctune_cv_results *res);
/**
 * Number of splits: the rows of every column.
 *
 * @param res the results
 * @return the split count; 0 for NULL
 */
CTUNE_API size_t ctune_cv_results_n_splits(const ctune_cv_results *res);
/**
 * Number of columns.
 *
 * @param res the results
 * @return the column count; 0 for NULL
 */
CTUNE_API size_t ctune_cv_results_n_columns(const ctune_cv_results *res);
/**
 * Name of column i.
 *
 * @param res the results
 * @param i   the column index
 * @return the name, borrowed from `res`; NULL out of range
 */
CTUNE_API const char *ctune_cv_results_column_name(const ctune_cv_results *res, size_t i);
/**
 * Copies one column.
 *
 * @param[out] out caller array of ctune_cv_results_n_splits() doubles
 * @param res  the results
 * @param name the column name
 * @return CTUNE_OK; CTUNE_EINVAL (NULLs, unknown column, listing the known
 *         ones)
 */
CTUNE_API ctune_status ctune_cv_results_column(double *out, const ctune_cv_results *res,
                                               const char *name);
/**
 * The error text of a split whose fit or scoring failed.
 *
 * @param res   the results
 * @param split the split index
 * @return the text, borrowed from `res`; NULL when the split succeeded or
 *         out of range
 */
CTUNE_API const char *ctune_cv_results_error(const ctune_cv_results *res, size_t split);
/**
 * Number of warnings (split warnings, failed fits).
 *
 * @param res the results
 * @return the warning count; 0 for NULL
 */
CTUNE_API size_t ctune_cv_results_n_warnings(const ctune_cv_results *res);
/**
 * Text of warning i.
 *
 * @param res the results
 * @param i   the warning index
 * @return the text, borrowed from `res`; NULL out of range
 */
CTUNE_API const char *ctune_cv_results_warning(const ctune_cv_results *res, size_t i);

/* ---- Searches ---- */

/** A randomized or grid search (RandomizedSearchCV / GridSearchCV). One
 *  search must not be used from two threads at once; it runs its own worker
 *  threads inside ctune_search_fit() (n_jobs). */
typedef struct ctune_search ctune_search;

/**
 * Creates a randomized search (RandomizedSearchCV) of n_iter candidates.
 *
 * The candidates are sampled from `space` with `seed` at creation (see
 * ctune_space_sample()). The search keeps a clone of `est` and a copy of
 * `space`: the caller keeps ownership of both and they are never modified.
 * Every space name is checked against the estimator's parameters before
 * anything runs.
 *
 * @param[out] out receives the search, owned by the caller (ctune_search_free())
 * @param est    the estimator to tune (only cloned)
 * @param space  the parameter space (copied)
 * @param n_iter number of candidates (>= 1; capped at the grid size when
 *               every entry is a list)
 * @param seed   seed of the sampling, and default seed of the task streams
 * @return CTUNE_OK; CTUNE_EINVAL (NULLs, n_iter 0, empty space, unknown
 *         parameter name listing the known ones); CTUNE_ENOMEM
 */
CTUNE_API ctune_status ctune_search_new_randomized(ctune_search **out, const ctune_estimator *est,
                                                   const ctune_space *space, size_t n_iter,
                                                   uint64_t seed);
/**
 * Creates a grid search (GridSearchCV) over every point of `space`.
 *
 * Candidates are in ctune_space_grid() order. Task streams use seed 0
 * unless the option seed=\<n\> is set.
 *
 * @param[out] out receives the search, owned by the caller (ctune_search_free())
 * @param est   the estimator to tune (only cloned)
 * @param space the parameter space, lists only (copied)
 * @return as ctune_search_new_randomized(); CTUNE_EINVAL for a distribution
 */
CTUNE_API ctune_status ctune_search_new_grid(ctune_search **out, const ctune_estimator *est,
                                             const ctune_space *space);
/**
 * Frees the search, its results and its best estimator.
 *
 * @param search the search; NULL is a no-op
 */
CTUNE_API void ctune_search_free(ctune_search *search);

/**
 * Sets search options from "key=value" text.
 *
 * The typed setters (ctune_search_set_cv(), ctune_search_set_n_jobs(),
 * ctune_search_set_scoring(), ctune_search_set_refit(),
 * ctune_search_set_random_state(), ctune_search_set_timeout()) set the
 * same options without text.
 * Separators are ',', ';' or newlines; later calls override earlier ones.
 * Keys and defaults:
 *  - cv=5 (folds: StratifiedKFold for classifiers, KFold otherwise)
 *  - `scoring=<name>[|<name>...]` (default: the estimator's score)
 *  - `refit=true|false|<scorer>` (with several scorers it must name one)
 *  - `error_score=nan|raise|<number>` (default nan)
 *  - return_train_score=false
 *  - n_jobs=1 (-1 = all cores; k > 1 workers get 1 BLIS thread per fit)
 *  - `seed=<n>` (task-stream seed; default: the randomized seed, or 0)
 *  - `timeout=<seconds>` (wall budget of each ctune_search_fit(); default
 *    none; see ctune_search_set_timeout())
 *
 * On error nothing changes.
 *
 * @param search  the search
 * @param options the text
 * @return CTUNE_OK; CTUNE_EINVAL (NULL, unknown key listing the known
 *         ones, bad value, unknown scorer); CTUNE_EFORMAT (malformed text)
 */
CTUNE_API ctune_status ctune_search_set_options(ctune_search *search, const char *options);
/** A scorer of the caller's (ctune_search_add_scorer()): writes the score of
 *  the fitted `est` on `data` (with y, in the labels `est` was fitted on) to
 *  *out, greater is better; returns CTUNE_OK or a status set with
 *  ctune_set_error(). It may be called from the search's worker threads at
 *  the same time (n_jobs > 1); `est` is only valid during the call. */
typedef ctune_status (*ctune_scorer_fn)(ctune_estimator *est, const ctune_data *data, double *out,
                                        void *user);
/**
 * Adds a scorer of the caller's, usable by name in the scoring= and refit=
 * options set afterwards (as scikit-learn's scorer callables).
 *
 * A failing or NaN score is a failed score (error_score applies). In-process
 * only: the MPI executor's other ranks do not have it.
 *
 * @param search the search
 * @param name   1 to 63 characters without separators, quotes or spaces;
 *               not a built-in scorer's name nor an added one's
 * @param fn     the scorer
 * @param user   handed to every call of `fn`
 * @return CTUNE_OK; CTUNE_EINVAL (NULLs, a bad or taken name, more than 8
 *         scorers added)
 */
CTUNE_API ctune_status ctune_search_add_scorer(ctune_search *search, const char *name,
                                               ctune_scorer_fn fn, void *user);
/**
 * Sets the number of folds (the cv option, typed).
 *
 * StratifiedKFold for classifiers, KFold otherwise, unshuffled (see
 * ctune_cv_splitter_new()). A splitter given to ctune_search_set_splitter()
 * takes precedence while it is set.
 *
 * @param search the search
 * @param cv     number of folds (>= 2; default 5)
 * @return CTUNE_OK; CTUNE_EINVAL (NULL search, cv < 2: nothing changes)
 */
CTUNE_API ctune_status ctune_search_set_cv(ctune_search *search, size_t cv);
/**
 * Sets the number of parallel workers (the n_jobs option, typed).
 *
 * @param search the search
 * @param n_jobs 1 = serial (default); k > 1 = k worker threads, one BLIS
 *               thread per fit; -1 = all cores; -k = all cores but k - 1
 * @return CTUNE_OK; CTUNE_EINVAL (NULL search, n_jobs 0 or beyond ±4096:
 *         nothing changes)
 */
CTUNE_API ctune_status ctune_search_set_n_jobs(ctune_search *search, long n_jobs);
/**
 * Sets the scorers (the scoring option, typed).
 *
 * The text is taken as scorer names only, never as options.
 *
 * @param search  the search
 * @param scoring a scorer name ("accuracy", "f1", "r2", ...; see
 *                ctune_scorer_check()), several separated by '|', or NULL
 *                / "" for the estimator's own score (default)
 * @return CTUNE_OK; CTUNE_EINVAL (NULL search, unknown or repeated scorer:
 *         nothing changes)
 */
CTUNE_API ctune_status ctune_search_set_scoring(ctune_search *search, const char *scoring);
/**
 * Sets whether the best candidate is refitted on all the data (the refit
 * option, typed).
 *
 * @param search the search
 * @param refit  non-zero to refit (default), 0 not to
 * @param metric with several scorers, the one that picks the best
 *               candidate (refit=\<scorer\>); NULL otherwise. Checked
 *               against the scorers at ctune_search_fit().
 * @return CTUNE_OK; CTUNE_EINVAL (NULL search, a metric with refit 0:
 *         nothing changes); CTUNE_ENOMEM
 */
CTUNE_API ctune_status ctune_search_set_refit(ctune_search *search, int refit, const char *metric);
/**
 * Sets the seed of the task streams (the seed option, typed).
 *
 * Task (c, f) fits with the RNG stream
 * `ctune_seed_derive(ctune_seed_derive(seed, c), f)`. The candidates of a
 * randomized search were sampled at creation with the seed given there,
 * which is also this seed's default (a grid search's is 0).
 *
 * @param search the search
 * @param seed   the seed
 * @return CTUNE_OK; CTUNE_EINVAL (NULL search)
 */
CTUNE_API ctune_status ctune_search_set_random_state(ctune_search *search, uint64_t seed);
/**
 * Sets a wall-clock budget for each ctune_search_fit() (the timeout
 * option, typed; Optuna's `timeout`).
 *
 * The clock starts when ctune_search_fit() is called, and the budget is
 * looked at each time a task finishes. Once it is spent, no new candidate
 * starts: the candidates already started run all their splits (their fits
 * are not cut short, unlike ctune_search_cancel()), the tasks of the others
 * are not run, and the search stops when the started ones are done; so it
 * ends within about one candidate's time of the budget. The search then
 * ends cleanly: its results keep the candidates (rows, for successive
 * halving and Hyperband; trials that finished or were pruned, with a
 * pruner, whose trial in progress trains on) whose splits all finished, in
 * their order; the best
 * candidate is chosen among them and refitted (the refit is not part of the
 * budget); ctune_search_stopped_by() and the JSON's `stopped_by` say
 * "timeout", and ctune_search_fit() returns CTUNE_OK. Successive halving
 * starts no new iteration, Hyperband no new bracket, TPE no new batch.
 *
 * Which candidates finish depends on time, so a search ended by its timeout
 * is not reproducible as a whole; each candidate that finished has exactly
 * the scores it has in a search without a timeout (its task streams do not
 * depend on the others). A search whose timeout does not run out gives
 * bit-identical results to one without.
 *
 * @param search  the search
 * @param seconds the budget, finite and > 0
 * @return CTUNE_OK; CTUNE_EINVAL (NULL search; seconds <= 0, NaN or
 *         infinite, naming the value: nothing changes)
 */
CTUNE_API ctune_status ctune_search_set_timeout(ctune_search *search, double seconds);
/**
 * Uses a splitter instead of the cv option.
 *
 * @param search   the search
 * @param splitter the splitter (copied); NULL goes back to cv=\<k\>
 * @return CTUNE_OK; CTUNE_EINVAL (NULL search)
 */
CTUNE_API ctune_status ctune_search_set_splitter(ctune_search *search,
                                                 const ctune_splitter *splitter);
/**
 * Sets the progress callback.
 *
 * @param search the search
 * @param fn     the callback, or NULL to remove it
 * @param user   handed to the callback
 * @return CTUNE_OK; CTUNE_EINVAL (NULL search)
 */
CTUNE_API ctune_status ctune_search_set_progress(ctune_search *search, ctune_progress_fn fn,
                                                 void *user);

/**
 * Runs the search on `data`.
 *
 * Splits once, evaluates every (candidate, split) task on the executor
 * chosen by n_jobs, builds the results table, then refits the best
 * candidate on all the data when refit is on. Results are bit-identical
 * for any n_jobs: the task (c, f) fits with the RNG stream
 * `ctune_seed_derive(ctune_seed_derive(seed, c), f)` (see
 * docs/threading-and-reproducibility.md). Replaces the results of a
 * previous fit.
 *
 * @param search the search
 * @param data   the data, with y; must stay valid during the call only
 * @return CTUNE_OK; CTUNE_ECANCELLED when the progress callback or
 *         ctune_search_cancel() stopped it (results so far are kept, no
 *         refit); CTUNE_EALLFAILED when no candidate has a finite mean test
 *         score ("all N fits failed; first error: ...": the table is kept,
 *         there is no best candidate and no refit); with error_score=raise
 *         the first failing fit's status and message (results so far kept);
 *         CTUNE_ENOMEM (never turned into a score); input errors before any
 *         fit (data with NaN, splitter errors, refit not naming a scorer,
 *         ...); the refit's error (the table stays available). A timeout
 *         (ctune_search_set_timeout()) that ends the search returns
 *         CTUNE_OK with the candidates that finished, or CTUNE_ECANCELLED
 *         without any results when none finished (a race, or a custom
 *         executor that left tasks unrun: "timeout=0.1 s ran out before
 *         any candidate finished its 5 splits: ...").
 */
CTUNE_API ctune_status ctune_search_fit(ctune_search *search, const ctune_data *data);
/**
 * Asks a running ctune_search_fit() to stop, from any thread or from a
 * signal handler.
 *
 * Sets a lock-free atomic flag and returns at once: thread-safe and
 * async-signal-safe. The search starts no new task; the fits in flight see
 * ctune_fit_ctx_cancelled() (the built-in network polls it once per
 * minibatch, the tree once per feature scanned in a node; custom
 * estimators should poll it too) and return; the refit is cancelled the
 * same way. ctune_search_fit() then returns CTUNE_ECANCELLED with the
 * results of the tasks that finished. The request ends when
 * ctune_search_fit() returns; made while no fit runs, it cancels the next
 * ctune_search_fit() at once. Under MPI, call it on the root: the peers
 * are told to stop. NULL is a no-op.
 *
 * @param search the search
 */
CTUNE_API void ctune_search_cancel(ctune_search *search);

/**
 * Status of the last ctune_search_fit().
 *
 * @param search the search
 * @return that status; CTUNE_ESTATE before any fit; CTUNE_EINVAL for NULL
 */
CTUNE_API ctune_status ctune_search_fit_status(const ctune_search *search);
/**
 * Which budget ended the last ctune_search_fit(), in the words of
 * ctune_tuner_stopped_by() (the JSON results carry it as `stopped_by` for
 * "timeout" and "cancelled" only: a search that ran its list writes the
 * document a study rebuilds from its trials):
 *  - "n_iter": a randomized search ran its n_iter candidates;
 *  - "grid": a grid search ran every point of its grid;
 *  - "n_trials": a TPE search ran its n_trials trials;
 *  - "schedule": successive halving or Hyperband ran every iteration or
 *    bracket of its schedule;
 *  - "timeout": the timeout ran out with work left (ctune_search_set_timeout());
 *  - "cancelled": ctune_search_cancel() or the progress callback stopped it.
 * A search with a pruner says "n_iter" or "grid" as its flavour. A fit
 * whose every candidate failed (CTUNE_EALLFAILED) still says the budget
 * that ended it.
 *
 * @param search the search
 * @return a static string; NULL for NULL, before any fit, or after a fit
 *         that an error stopped (error_score=raise, out of memory, bad input)
 */
CTUNE_API const char *ctune_search_stopped_by(const ctune_search *search);
/**
 * Whether a results table exists.
 *
 * @param search the search
 * @return 1 for a complete table, or a partial one after a cancellation or
 *         an error_score=raise stop; else 0
 */
CTUNE_API int ctune_search_has_results(const ctune_search *search);
/**
 * Number of candidates, known from creation.
 *
 * @param search the search
 * @return the candidate count; 0 for NULL
 */
CTUNE_API size_t ctune_search_n_candidates(const ctune_search *search);
/**
 * Number of splits of the last fit.
 *
 * @param search the search
 * @return the split count; 0 without results
 */
CTUNE_API size_t ctune_search_n_splits(const ctune_search *search);
/**
 * Tasks that finished in the last fit.
 *
 * @param search the search
 * @return the task count; 0 for NULL
 */
CTUNE_API size_t ctune_search_n_tasks_done(const ctune_search *search);
/**
 * Parameters of candidate i.
 *
 * @param search the search
 * @param i      the candidate index
 * @return the set, borrowed (valid until the search is freed); NULL out of
 *         range
 */
CTUNE_API const ctune_params *ctune_search_candidate_params(const ctune_search *search, size_t i);

/**
 * Index of the best candidate for the refit metric (scikit-learn's
 * best_index_).
 *
 * The best is the lowest rank, first on ties.
 *
 * @param[out] out receives the candidate index
 * @param search the search
 * @return CTUNE_OK; CTUNE_ESTATE (no results; several scorers and no refit
 *         metric; a partial search where no candidate completed);
 *         CTUNE_EINVAL (NULLs)
 */
CTUNE_API ctune_status ctune_search_best_index(size_t *out, const ctune_search *search);
/**
 * Mean test score of the best candidate (scikit-learn's best_score_).
 *
 * @param[out] out receives the score
 * @param search the search
 * @return as ctune_search_best_index()
 */
CTUNE_API ctune_status ctune_search_best_score(double *out, const ctune_search *search);
/**
 * Parameters of the best candidate (scikit-learn's best_params_).
 *
 * @param search the search
 * @return the set, borrowed (valid until the search is freed); NULL when
 *         there is no best
 */
CTUNE_API const ctune_params *ctune_search_best_params(const ctune_search *search);
/**
 * The best candidate refitted on all the data, ready to predict
 * (scikit-learn's best_estimator_).
 *
 * The search must be mutable: the estimator returned is (predicting with it
 * is a mutating call on it), and it belongs to the search.
 *
 * @param search the search
 * @return the estimator, borrowed: valid until the next fit or free of the
 *         search; NULL without refit, or once taken
 */
CTUNE_API ctune_estimator *ctune_search_best_estimator(ctune_search *search);
/**
 * Moves the refitted best estimator to the caller.
 *
 * The search no longer holds it.
 *
 * @param[out] out receives the estimator, owned by the caller
 *                 (ctune_estimator_free())
 * @param search the search
 * @return CTUNE_OK; CTUNE_ESTATE when there is none; CTUNE_EINVAL (NULLs)
 */
CTUNE_API ctune_status ctune_search_take_best_estimator(ctune_estimator **out,
                                                        ctune_search *search);
/**
 * Seconds spent refitting the best candidate.
 *
 * @param search the search
 * @return the time; 0 without refit
 */
CTUNE_API double ctune_search_refit_time(const ctune_search *search);

/**
 * Number of columns of the results table.
 *
 * Columns are named as scikit-learn's cv_results_: mean_fit_time,
 * std_fit_time, mean_score_time, std_score_time, `param_<name>`...,
 * params, `split<k>_test_<s>`, `mean_test_<s>`, `std_test_<s>`,
 * `rank_test_<s>`, [`split<k>_train_<s>`, `mean_train_<s>`,
 * `std_train_<s>`] per scorer s ("score" with one scorer), then error.
 *
 * @param search the search
 * @return the column count; 0 without results
 */
CTUNE_API size_t ctune_search_n_columns(const ctune_search *search);
/**
 * Name of column j of the results table.
 *
 * @param search the search
 * @param j      the column index
 * @return the name, borrowed (valid until the next fit or free of the
 *         search); NULL out of range
 */
CTUNE_API const char *ctune_search_column_name(const ctune_search *search, size_t j);
/**
 * Numeric value of a results column for one candidate.
 *
 * `param_<name>` columns are numeric when the value is an int, double or
 * bool (none reads as NaN).
 *
 * @param[out] out receives the value
 * @param search the search
 * @param column the column name
 * @param i      the candidate index
 * @return CTUNE_OK; CTUNE_ESTATE (no results); CTUNE_EINVAL (NULLs, unknown
 *         column listing the known ones, i out of range, a text value)
 */
CTUNE_API ctune_status ctune_search_result(double *out, const ctune_search *search,
                                           const char *column, size_t i);
/**
 * Text of a results column for one candidate, by the @ref buffers "buffer rule".
 *
 * Any column; numbers round-trip, NaN is "nan".
 *
 * @param[out] buf receives the text; may be NULL when cap is 0
 * @param cap    size of buf in bytes
 * @param search the search
 * @param column the column name
 * @param i      the candidate index
 * @return the length of the text (excluding the NUL); a negative
 *         ctune_status on error (as ctune_search_result())
 */
CTUNE_API long ctune_search_result_text(char *buf, size_t cap, const ctune_search *search,
                                        const char *column, size_t i);
/**
 * Error text of candidate i's first failed split ("split 1: ...").
 *
 * @param search the search
 * @param i      the candidate index
 * @return the text, borrowed (valid until the next fit or free of the
 *         search); NULL when all its splits succeeded
 */
CTUNE_API const char *ctune_search_candidate_error(const ctune_search *search, size_t i);
/**
 * Number of warnings of the last fit and of sampling (capped n_iter, failed
 * fits, non-finite scores, split warnings).
 *
 * @param search the search
 * @return the warning count; 0 for NULL
 */
CTUNE_API size_t ctune_search_n_warnings(const ctune_search *search);
/**
 * Text of warning i.
 *
 * @param search the search
 * @param i      the warning index
 * @return the text, borrowed (valid until the next fit or free of the
 *         search); NULL out of range
 */
CTUNE_API const char *ctune_search_warning(const ctune_search *search, size_t i);

/**
 * Writes the results table as CSV to a file.
 *
 * A header row of column names, one row per candidate, RFC 4180 quoting,
 * NaN as "nan". The file is replaced atomically (ctune_write_file()).
 *
 * @param search the search
 * @param path   the file
 * @return CTUNE_OK; CTUNE_ESTATE (no results); CTUNE_EIO naming the path;
 *         CTUNE_EINVAL (NULLs); CTUNE_ENOMEM
 */
CTUNE_API ctune_status ctune_search_results_csv(const ctune_search *search, const char *path);
/**
 * Writes the results table as JSON to a file.
 *
 * An object with "best_index", "best_score", "best_params",
 * "refit_metric", "scorers", "n_splits", "status" and "cv_results":
 * {column: [values...]}; NaN and absent values are null. Layout in
 * docs/model-selection.md. The file is replaced.
 *
 * @param search the search
 * @param path   the file
 * @return as ctune_search_results_csv()
 */
CTUNE_API ctune_status ctune_search_results_json(const ctune_search *search, const char *path);
/**
 * The results table as CSV into a caller buffer, by the @ref buffers "buffer rule".
 *
 * Same text as ctune_search_results_csv().
 *
 * @param[out] buf receives the text; may be NULL when cap is 0
 * @param cap    size of buf in bytes
 * @param search the search
 * @return the length of the text (excluding the NUL); a negative
 *         ctune_status on error (CTUNE_ESTATE, CTUNE_EINVAL, CTUNE_ENOMEM)
 */
CTUNE_API long ctune_search_results_csv_buf(char *buf, size_t cap, const ctune_search *search);
/**
 * The results table as JSON into a caller buffer, by the @ref buffers "buffer rule".
 *
 * Same text as ctune_search_results_json().
 *
 * @param[out] buf receives the text; may be NULL when cap is 0
 * @param cap    size of buf in bytes
 * @param search the search
 * @return as ctune_search_results_csv_buf()
 */
CTUNE_API long ctune_search_results_json_buf(char *buf, size_t cap, const ctune_search *search);

/**
 * Writes the HTML report of a fitted search (docs/report.md).
 *
 * One self-contained page (inline SVG and CSS, no script, no external file):
 * a summary, the optimization history, parallel coordinates, one slice per
 * parameter, parameter importances (with enough candidates), learning
 * curves and rungs when the results hold them, and the ranked table. A
 * search whose candidates all failed still gives a page that says so. The
 * file is replaced atomically (ctune_write_file()).
 *
 * @param search    a search with results (fitted, or cancelled after some tasks)
 * @param html_path the page to write
 * @return CTUNE_OK; CTUNE_EINVAL (NULLs); CTUNE_ESTATE (no results yet);
 *         CTUNE_EIO naming the path; CTUNE_ENOMEM
 */
CTUNE_API ctune_status ctune_search_report(const ctune_search *search, const char *html_path);

/**
 * Writes the HTML report of a results file written by
 * ctune_search_results_json() (layout in docs/results-schema.md).
 *
 * The same page as ctune_search_report(). The results file is read with a
 * strict JSON reader: a file that is not ctune's results, a malformed one or
 * one of a newer schema is refused with a message naming the field, line
 * and column. `html_path` must not be the results file itself.
 *
 * `results_path` may also be a durable study (a file starting with
 * SQLite's header, whatever its name; docs/studies.md): the page then shows
 * the results of its committed tasks, read without changing the study, and
 * says how many of the study's tasks are done when it is still in progress.
 *
 * @param results_path the results JSON, or a study file
 * @param html_path    the page to write (replaced atomically)
 * @return CTUNE_OK; CTUNE_EINVAL (NULLs, html_path is results_path, a study
 *         with a ctune built without studies); CTUNE_EIO (unreadable input,
 *         unwritable output); CTUNE_EFORMAT (not a results document, not a
 *         ctune study); CTUNE_ESTATE (a study with no task done yet);
 *         CTUNE_ENOMEM
 */
CTUNE_API ctune_status ctune_report_write(const char *results_path, const char *html_path);
/** @} */

/* ========================================================================
 * Executors
 * ======================================================================== */
/** @defgroup grp_executors Executors
 *  Where the tasks of a search or cross-validation run: serial, thread pool,
 *  or a custom executor such as MPI's.
 *  @{ */
/* Where a search's tasks run. ctune_search_fit() and ctune_cross_validate()
 * run their tasks (candidate × split) on an executor: the built-in serial
 * or thread pool one chosen by n_jobs — both instances of
 * ctune_executor_vtable — or a custom one that runs them anywhere else — libctune_mpi (ctune_mpi.h)
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
/** See CTUNE_JOB_CANCELLED: a task failed under error_score=raise or ran
 *  out of memory. */
#define CTUNE_JOB_FAILED 2
/** See CTUNE_JOB_CANCELLED: the search's timeout ran out (a task finished
 *  after it): the candidates started by then run to their end, no other
 *  starts (ctune_search_set_timeout()). */
#define CTUNE_JOB_TIMEOUT 4

/** The version of ctune_executor_vtable this header describes. Methods are
 *  appended at the end of the struct, in order, and this constant goes up by
 *  one with each addition (as CTUNE_ESTIMATOR_VTABLE_VERSION). History:
 *  - 1: every method up to the last one of the struct below. */
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
 *  Thread-safe for distinct i.
 *  @return CTUNE_OK; CTUNE_EINVAL (NULL job, i out of range) */
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
 *  @return CTUNE_OK; CTUNE_EINVAL (NULLs) */
CTUNE_API ctune_status ctune_job_outcome(size_t *n_done, int *flags, const ctune_job *job);
/** Sets the completion state (as read by ctune_job_outcome() on the process
 *  that ran task_done) on another process's copy of the job.
 *  @return CTUNE_OK; CTUNE_EINVAL (NULL, n_done above the task count,
 *  unknown flags) */
CTUNE_API ctune_status ctune_job_set_outcome(ctune_job *job, size_t n_done, int flags);

/** Makes ctune_search_fit() run its tasks on a custom executor (NULL
 *  `vtable` goes back to n_jobs' serial / thread-pool executors). The
 *  vtable and `self` must stay valid while the search may fit. The refit
 *  runs on the calling thread with all cores, where refit_here allows.
 *  @return CTUNE_OK; CTUNE_EINVAL (NULL search, wrong version, NULL run) */
CTUNE_API ctune_status ctune_search_set_executor(ctune_search *search,
                                                 const ctune_executor_vtable *vtable, void *self);
/** ctune_cross_validate() on a custom executor (NULL `vtable`: as
 *  ctune_cross_validate()).
 *  @return as ctune_cross_validate(); CTUNE_EINVAL for a bad vtable; the
 *  executor's own failure */
CTUNE_API ctune_status
ctune_cross_validate_executor(ctune_cv_results **out, const ctune_estimator *est,
                              const ctune_data *data, const ctune_splitter *splitter, int cv,
                              const char *options, const ctune_executor_vtable *vtable, void *self);
/** @} */

/* ========================================================================
 * I/O: CSV, datasets, persistence, atomic writes
 * ======================================================================== */
/** @defgroup grp_io I/O: CSV, datasets, persistence, atomic writes
 *  Loading CSV files and datasets, saving and loading models, byte streams
 *  for save/load hooks, and the atomic file writer.
 *  @{ */

/** Loads a CSV file (docs/data-and-persistence.md) into a new data view
 * that owns its arrays: X (n_rows × n_features, float32 or float64) and, when
 * there is a target column, y (n_rows × 1). Free it with ctune_data_free().
 *
 * `options` is NULL (defaults) or "key=value" text separated by ',' ';' or
 * newlines (quote values holding those: delimiter=';'):
 *   header=auto|true|false      first row is a header (auto: when one of its
 *                               feature fields is not a number, when its
 *                               cells are the column indices 0,1,2,...
 *                               (any target name), or when only its target
 *                               cell is text and the next row's target is
 *                               a number)                           [auto]
 *   delimiter=C                 one character, or tab|comma|semicolon [,]
 *   target=NAME|INDEX|none      label column by header name or 0-based index
 *                               (negative from the end; a name two columns
 *                               share is an error)                     [-1]
 *   features=A|B|C              feature columns by name or index, in this
 *                               order             [all but the target]
 *   dtype=float32|float64       element type of X (float32 is the float64
 *                               value rounded to float)         [float64]
 *   comment=C|none              lines starting with C are skipped  [none]
 *   labels=auto|numeric|string  target values as numbers or as class names
 *                               mapped to codes 0..k-1 in byte order
 *                               (auto: from the first value)        [auto]
 *   missing=error|nan           empty numeric fields            [error]
 * Fields follow RFC 4180 (quotes, doubled quotes, newlines inside quotes);
 * CRLF, a UTF-8 BOM, blank lines and spaces around fields are accepted.
 * Thread-safe (distinct calls share nothing).
 * @return CTUNE_OK; CTUNE_EINVAL (NULLs, bad options, unknown target/feature
 * column: names the columns); CTUNE_EIO (open/read, with the system's
 * reason); CTUNE_EFORMAT naming file, line and column ("data.csv: line 214,
 * column 7: 'abc' is not a number"; rows with a different number of fields;
 * empty input; a header without data); CTUNE_ENOMEM */
CTUNE_API ctune_status ctune_csv_load(ctune_data **out, const char *path, const char *options);
/** Same as ctune_csv_load() on `len` bytes of CSV text in memory (need not
 *  be NUL-terminated; not retained). Messages name the input "CSV buffer".
 *  @return as ctune_csv_load() */
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
 * Thread-safe.
 * @return CTUNE_OK; CTUNE_EINVAL (unknown name: lists the known ones; bad
 * options); CTUNE_ENOMEM */
CTUNE_API ctune_status ctune_dataset_load(ctune_data **out, const char *name, const char *options);
/** Number of embedded datasets. Thread-safe. */
CTUNE_API size_t ctune_dataset_count(void);
/** Name of embedded dataset i (static; NULL when out of range). Thread-safe. */
CTUNE_API const char *ctune_dataset_name(size_t i);
/** One paragraph about a dataset: shape, classes, source and licence
 *  (static); NULL for an unknown name. */
CTUNE_API const char *ctune_dataset_description(const char *name);

/**
 * Replaces the file at `path` with `len` bytes of `data`, atomically: the
 * way ctune writes every file (results tables, model files, the CLI's
 * predictions).
 *
 * The bytes go to a temporary file ".<name>.<random>.tmp" created with
 * O_EXCL in the destination's directory, which is fsync'ed, renamed over
 * the destination, and the directory fsync'ed. A reader, a crash, a kill,
 * a full disk or a file-size limit sees the old file whole or the new one
 * whole, never a truncated file. An existing destination keeps its
 * permission bits (a new one gets 0666 less the umask). A symbolic link is
 * followed: its final target is replaced and the link stays, as editors
 * do. An existing destination that is not a regular file (directory,
 * device, FIFO, socket) is refused and left alone. On failure only the
 * temporary file is removed (a process killed mid-write may leave it
 * behind; the destination is intact).
 *
 * Thread-safe for distinct paths.
 *
 * @param path the destination
 * @param data `len` bytes (may be NULL when len is 0)
 * @param len  number of bytes
 * @return CTUNE_OK; CTUNE_EINVAL (NULL or empty path, NULL data with
 *         len > 0); CTUNE_EIO naming the path and the system's reason, or
 *         the refusal of a non-regular destination
 */
CTUNE_API ctune_status ctune_write_file(const char *path, const void *data, size_t len);

/* Model persistence (layout in docs/data-and-persistence.md). A model file
 * holds the magic "CTUNEMDL", a format version, the estimator's vtable name
 * and kind, every param (name, type, value), for a Pipeline its steps, the
 * handle's fitted state (features, outputs, class labels), the payload
 * written by the vtable's save hook, and a CRC-32 over everything. All
 * values are little-endian. Files are written in the lowest format version
 * that holds them (1, or 2 for pipelines); both are read.
 *
 * An unfitted estimator is saved with its params only (no hooks needed); a
 * fitted one needs the vtable's save and load hooks. A loaded model predicts
 * bit-identically to the saved one (given deterministic hooks). */

/** Writes `est` to the file at `path`, atomically, as ctune_write_file()
 *  does: an existing file is replaced whole or left untouched.
 *  Thread-safe for distinct files; `est` is only read.
 *  @return CTUNE_OK; CTUNE_EINVAL (NULLs); CTUNE_EUNSUPPORTED (fitted, and
 *  the vtable has no save or load hook: names the estimator); CTUNE_EIO
 *  (with the system's reason; only the temporary file is removed);
 *  CTUNE_ENOMEM; any error of the save hook */
CTUNE_API ctune_status ctune_estimator_save(const ctune_estimator *est, const char *path);
/** Serializes `est` into the caller's buffer, by the @ref buffers "buffer
 *  rule" for bytes: returns the size of the whole model, copies at most
 *  `cap` bytes of it (the model is complete when the result is <= cap);
 *  buf NULL with cap 0 is a size query.
 *  @return the model's size in bytes; a negative ctune_status as
 *  ctune_estimator_save() (CTUNE_EINVAL: NULL est, NULL buf with cap > 0) */
CTUNE_API long ctune_estimator_save_buffer(void *buf, size_t cap, const ctune_estimator *est);
/** Loads a model saved by ctune_estimator_save() into a new handle (owned by
 *  the caller, ctune_estimator_free()). `vtable` NULL looks the saved name up
 *  among the built-in estimators (DummyClassifier, DummyRegressor,
 *  DecisionTreeClassifier, DecisionTreeRegressor, StandardScaler, Pipeline,
 *  MLPClassifier, MLPRegressor), made with their constructors; a Pipeline is
 *  rebuilt from the steps saved in the file. A custom estimator passes its
 *  vtable (and `user`, handed to its create/load as by
 *  ctune_estimator_new()); with user_retain in the vtable the new handle
 *  takes its own reference to `user` (the caller keeps theirs, also on
 *  failure). An estimator whose vtable belongs to the handle or its family
 *  (KerasClassifier / KerasRegressor with your builder, a Pipeline holding
 *  custom steps) loads with ctune_estimator_load_like(), or with its
 *  ctune_estimator_vtable_of() and ctune_estimator_user() passed here.
 *  Never reads out of bounds, whatever the bytes. Thread-safe.
 *  @return CTUNE_OK; CTUNE_EIO (open/read); CTUNE_EFORMAT for any malformed
 *  file with the reason: not a model file (bad magic), unsupported format
 *  version, "truncated at byte N", checksum mismatch, the file's estimator
 *  is not the vtable's ("model file holds a 'A', but the vtable given is
 *  'B'"), saved params the vtable rejects; CTUNE_EINVAL (NULLs, a name that
 *  is no built-in estimator when vtable is NULL); CTUNE_EUNSUPPORTED (a
 *  fitted model whose vtable has no load hook); CTUNE_ENOMEM; errors of the
 *  load hook */
CTUNE_API ctune_status ctune_estimator_load(ctune_estimator **out, const char *path,
                                            const ctune_estimator_vtable *vtable, void *user);
/** Same as ctune_estimator_load() from `len` bytes in memory (not retained).
 *  @return as ctune_estimator_load() */
CTUNE_API ctune_status ctune_estimator_load_buffer(ctune_estimator **out, const void *buf,
                                                   size_t len, const ctune_estimator_vtable *vtable,
                                                   void *user);
/** Loads a model into a new handle made like `like`: a clone of it (same
 *  vtable, user data and estimator family; `like`'s params and fitted state
 *  are not used), given the saved params and fitted state. This is how an
 *  estimator made by a constructor with a callback loads, e.g. a
 *  KerasClassifier saved with your builder:
 *      ctune_keras_classifier_new(&like, my_build, my_spec, my_user);
 *      ctune_estimator_load_like(&model, "model.ctm", like);
 *      ctune_estimator_free(like);   // `model` keeps what it needs
 *  The builder is called once to rebuild the architecture, then the saved
 *  weights are set. For a Pipeline, `like` gives its steps' estimators: a
 *  pipeline with steps of the same names, in the same order (each step
 *  loads like the corresponding step of `like`), or an empty pipeline to
 *  look every step up among the built-in estimators. Works for every
 *  estimator, built-in or custom. Thread-safe (`like` is only read).
 *  @return as ctune_estimator_load(); CTUNE_EFORMAT when the file holds
 *  another estimator ("model file holds a 'A', but the estimator given is
 *  'B'") or other steps, or when the builder now makes another model than
 *  the saved one (naming what differs); CTUNE_EINVAL (NULLs) */
CTUNE_API ctune_status ctune_estimator_load_like(ctune_estimator **out, const char *path,
                                                 const ctune_estimator *like);
/** Same as ctune_estimator_load_like() from `len` bytes in memory.
 *  @return as ctune_estimator_load_like() */
CTUNE_API ctune_status ctune_estimator_load_like_buffer(ctune_estimator **out, const void *buf,
                                                        size_t len, const ctune_estimator *like);

/* Persistence primitives for an estimator's save/load vtable hooks. All
 * values are written little-endian; readers check bounds and return
 * CTUNE_EFORMAT ("model file truncated at byte N") instead of reading past
 * the end. A load hook reads exactly what its save hook wrote (reading less
 * or more is a format error), frees what it allocated when it fails, and
 * should check counts against ctune_read_remaining() before allocating.
 * Writers return CTUNE_ENOMEM when the buffer cannot grow. */
/** Appends `n` raw bytes. @return CTUNE_OK, CTUNE_EINVAL (NULLs), CTUNE_ENOMEM */
CTUNE_API ctune_status ctune_write_bytes(ctune_writer *w, const void *p, size_t n);
/** Appends an unsigned 64-bit integer (8 bytes, little-endian).
 *  @return as ctune_write_bytes() */
CTUNE_API ctune_status ctune_write_u64(ctune_writer *w, uint64_t v);
/** Appends a signed 64-bit integer (8 bytes, little-endian two's complement).
 *  @return as ctune_write_bytes() */
CTUNE_API ctune_status ctune_write_i64(ctune_writer *w, int64_t v);
/** Appends a double (its IEEE-754 bits, 8 bytes little-endian: NaN payloads kept).
 *  @return as ctune_write_bytes() */
CTUNE_API ctune_status ctune_write_f64(ctune_writer *w, double v);
/** Appends `n` floats (IEEE-754 bits, 4 bytes each, little-endian).
 *  @return as ctune_write_bytes() */
CTUNE_API ctune_status ctune_write_f32_array(ctune_writer *w, const float *p, size_t n);
/** Appends `n` doubles (8 bytes each, little-endian).
 *  @return as ctune_write_bytes() */
CTUNE_API ctune_status ctune_write_f64_array(ctune_writer *w, const double *p, size_t n);
/** A length-prefixed string (NULL is written as absent).
 *  @return as ctune_write_bytes() */
CTUNE_API ctune_status ctune_write_string(ctune_writer *w, const char *s);
/** Reads `n` raw bytes into p. @return CTUNE_OK, CTUNE_EINVAL (NULLs),
 *  CTUNE_EFORMAT when fewer than `n` bytes are left (naming the offset) */
CTUNE_API ctune_status ctune_read_bytes(void *p, size_t n, ctune_reader *r);
/** Reads what ctune_write_u64() wrote. @return as ctune_read_bytes() */
CTUNE_API ctune_status ctune_read_u64(uint64_t *v, ctune_reader *r);
/** Reads what ctune_write_i64() wrote. @return as ctune_read_bytes() */
CTUNE_API ctune_status ctune_read_i64(int64_t *v, ctune_reader *r);
/** Reads what ctune_write_f64() wrote (any bit pattern, NaN included: the
 *  hook validates values). @return as ctune_read_bytes() */
CTUNE_API ctune_status ctune_read_f64(double *v, ctune_reader *r);
/** Reads `n` floats written by ctune_write_f32_array(); check `n` against
 *  ctune_read_remaining() first. @return as ctune_read_bytes() */
CTUNE_API ctune_status ctune_read_f32_array(float *p, size_t n, ctune_reader *r);
/** Reads `n` doubles written by ctune_write_f64_array(). As above.
 *  @return as ctune_read_bytes() */
CTUNE_API ctune_status ctune_read_f64_array(double *p, size_t n, ctune_reader *r);
/** Reads a string written by ctune_write_string into buf, by the
 *  @ref buffers "text buffer rule". An absent (NULL) string reads as "".
 *  When it does not fit (result >= cap) `buf` gets its prefix and the
 *  string is not consumed, so a second call with a buffer of result + 1
 *  bytes reads it; buf NULL with cap 0 is a length query.
 *  @return the string's length; a negative ctune_status: CTUNE_EINVAL
 *  (NULL r, NULL buf with cap > 0), CTUNE_EFORMAT when fewer bytes are left
 *  than it needs or it holds a NUL byte */
CTUNE_API long ctune_read_string(char *buf, size_t cap, ctune_reader *r);
/** Bytes left to read in `r` (0 for NULL). */
CTUNE_API size_t ctune_read_remaining(const ctune_reader *r);
/** The fitted sizes of the model a load hook is reading, as the file's
 *  container records them (and the handle will report them once loaded:
 *  ctune_estimator_n_features_in(), ctune_estimator_n_outputs(),
 *  ctune_estimator_n_classes()). A load hook checks the sizes of the arrays
 *  it reads against these, so that a crafted file cannot make predict or
 *  predict_proba write more than the caller's buffer holds. 0 outside a
 *  load hook and for NULL. */
CTUNE_API size_t ctune_read_n_features(const ctune_reader *r);
/** Fitted number of outputs, as ctune_estimator_n_outputs() (1 for a
 *  classifier). As above. */
CTUNE_API size_t ctune_read_n_outputs(const ctune_reader *r);
/** Fitted number of classes (0 for a regressor or a transformer). As above. */
CTUNE_API size_t ctune_read_n_classes(const ctune_reader *r);
/** @} */

/* ========================================================================
 * Experimental API
 *
 * New APIs whose shape is not settled yet (studies, search strategies,
 * ask/tell) are declared in this block, fenced as zstd fences
 * ZSTD_STATIC_LINKING_ONLY: a program sees them only when it defines
 * CTUNE_EXPERIMENTAL before including ctune.h, and by doing so accepts that
 * they may change or disappear in any release, soname unchanged. Their
 * symbols are exported like any other but are outside the ABI check
 * (scripts/abi-check.sh reads this block to exempt them). A declaration
 * leaves the block, into its module's section, when it becomes stable.
 * ======================================================================== */
/** @defgroup grp_experimental Experimental API
 *  Unsettled APIs (studies, search strategies, ask/tell), declared only when
 *  the program defines CTUNE_EXPERIMENTAL; outside the ABI promise.
 *  @{ */
#if defined(CTUNE_EXPERIMENTAL) || defined(CTUNE_BUILDING)

/* ---- Warm start (estimators) ---- */

/**
 * Fits `est` on `data` with `params` merged into its params, continuing its
 * current fit when that gives exactly what a fresh fit would (a warm start).
 *
 * When `est` is fitted, its vtable has fit_more (version >= 3) and `data`
 * has the shape and classes of the last fit, the fit continues: for the
 * Keras wrappers, raising `epochs` from 3 to 9 trains 6 more epochs and
 * gives bit-identical weights, optimizer state and RNG streams to 9 epochs
 * in one fit. Otherwise (or when fit_more declines) it is an ordinary fit
 * from scratch. `data` must be the data of the last fit: only its shape and
 * classes are checked. A failed continuation leaves `est` unfitted.
 *
 * @param[out] continued receives 1 when the fit was continued, 0 when it started
 *                       from scratch; may be NULL
 * @param est       the estimator
 * @param data      the training data of its last fit
 * @param params    params to merge first (as ctune_estimator_set_params(),
 *                  but keeping the fit); NULL for none
 * @return as ctune_estimator_fit(), and CTUNE_EINVAL for params the spec
 *         rejects (the estimator then keeps its params and fit)
 */
CTUNE_API ctune_status ctune_estimator_fit_warm(int *continued, ctune_estimator *est,
                                                const ctune_data *data, const ctune_params *params);

/* ---- Successive halving (searches) ---- */

/**
 * Creates a successive-halving search: scikit-learn's HalvingRandomSearchCV
 * (`randomized` non-zero: candidates sampled from `space` with `seed`) or
 * HalvingGridSearchCV (`randomized` 0: every point of the grid).
 *
 * Iteration i evaluates its candidates with n_resources_[i] of the
 * resource, by cross-validation as ctune_search_fit() does, and keeps the
 * ceil(n / factor) best (by the mean test score of the ranking scorer) for
 * the next iteration, with factor times the resource. scikit-learn's rules
 * throughout (docs/model-selection.md): the schedule, min_resources
 * smallest / exhaust, n_candidates=exhaust, aggressive_elimination; ties
 * keep the later candidate (a stable sort, NaN lowest). The results table
 * has one row per candidate per iteration, with the columns `iter` and
 * `n_resources` first; the best candidate is the best of the last
 * iteration, refitted with its resource.
 *
 * `options` (NULL for the defaults) is "key=value" text:
 *   factor=F                  > 1                                      [3]
 *   resource=n_samples|NAME   n_samples (each split's train and test
 *                             rows subsampled), or an integer param of
 *                             the estimator such as epochs, not in the
 *                             space                            [n_samples]
 *   min_resources=N|smallest|exhaust      [smallest random, exhaust grid]
 *   max_resources=N|auto      auto = the data's rows (n_samples only)
 *   n_candidates=N|exhaust    random flavour only                [exhaust]
 *   aggressive_elimination=true|false                            [false]
 * The search's other options (cv, scoring, n_jobs, ...) are set with
 * ctune_search_set_options() as for any search.
 *
 * @return CTUNE_OK; CTUNE_EINVAL naming the option: factor <= 1, a resource
 *         that is not an integer parameter (or is in the space), max_resources
 *         missing for a parameter resource, min_resources > max_resources,
 *         n_candidates and min_resources both exhaust, unknown options; as
 *         ctune_search_new_randomized() otherwise. At fit, before any fit of
 *         an estimator: CTUNE_EINVAL when n_samples is too small for the
 *         folds and classes, or max_resources exceeds the rows.
 */
CTUNE_API ctune_status ctune_search_new_halving(ctune_search **out, const ctune_estimator *est,
                                                const ctune_space *space, int randomized,
                                                uint64_t seed, const char *options);
/**
 * Creates a Hyperband search (Li et al. 2018) as KerasTuner's Hyperband
 * runs it, with epochs as the budget.
 *
 * Brackets go from the most exploratory to the full budget: with
 * B = the number of times max_epochs divides by factor staying >= 1,
 * bracket b = B-1 .. 0 samples ceil(B / (b + 1) * factor^b) candidates from
 * `space`, and its round r trains floor(size / factor^r) of them (the best
 * of the previous round) for ceil(max_epochs / factor^(b - r)) epochs.
 * Promoted candidates continue their fits (warm start, exact), so a
 * candidate costs its last round's epochs. The whole runs
 * hyperband_iterations times, each with new candidates. Results: one row
 * per candidate per round with the columns `bracket`, `iter` (the round)
 * and `n_resources` first. The best is the best row at the largest number
 * of epochs (first on ties), refitted with it.
 *
 * `options` (NULL for the defaults) is "key=value" text: max_epochs=N
 * [100], factor=F (> 1) [3], hyperband_iterations=N [1], resource=NAME
 * (an integer parameter of the estimator, not in the space) [epochs].
 * ctune_search_n_iterations() gives the brackets run.
 *
 * @return CTUNE_OK; CTUNE_EINVAL naming the option (factor <= 1, a
 *         resource that is not an integer parameter, a count < 1, unknown
 *         options); as ctune_search_new_randomized() otherwise
 */
CTUNE_API ctune_status ctune_search_new_hyperband(ctune_search **out, const ctune_estimator *est,
                                                  const ctune_space *space, uint64_t seed,
                                                  const char *options);
/**
 * Prunes the trials of a random or grid search at synchronous rungs, from
 * their intermediate values (Optuna's pruners, deterministic).
 *
 * Each candidate (a trial) trains step by step up to `max_steps` of the
 * integer parameter `resource` (its epochs), continuing its fit through the
 * vtable's fit_more; after step s its intermediate value is the mean, over
 * its folds, of the score on each fold's test rows. The pruner then compares
 * it with the trials of lower index, all finished by then (trials run in
 * index order, the folds of each in parallel), so decisions and results do
 * not depend on n_jobs or MPI ranks. `pruner`: "median" (Optuna's
 * MedianPruner: n_startup_trials=5, n_warmup_steps=0, interval_steps=1),
 * "sha" (SuccessiveHalvingPruner: min_resource=1, reduction_factor=4,
 * min_early_stopping_rate=0) or "none" (back to a plain search).
 *
 * A pruned trial keeps its last intermediate value as its scores (the CV
 * scores after the steps it trained; column n_resources) and 1 in the
 * results column `pruned`; it is ranked with the others but is never the
 * best, which is the best complete trial.
 *
 * @return CTUNE_OK; CTUNE_EINVAL (unknown pruner, a halving or Hyperband
 *         search, max_steps out of [1, 100000], a resource that is not an
 *         integer parameter or is in the space, an estimator that never
 *         reports: its vtable has no fit_more)
 */
CTUNE_API ctune_status ctune_search_set_pruner(ctune_search *search, const char *pruner,
                                               const char *resource, int64_t max_steps);
/** Iterations run (scikit-learn's n_iterations_; 0 before a fit or for
 *  other searches). */
CTUNE_API size_t ctune_search_n_iterations(const ctune_search *search);
/** Iterations the resources allow: 1 + floor(log_factor(max / min))
 *  (n_possible_iterations_). */
CTUNE_API size_t ctune_search_n_possible_iterations(const ctune_search *search);
/** Iterations needed to end with one candidate: 1 + floor(log_factor(n))
 *  (n_required_iterations_). */
CTUNE_API size_t ctune_search_n_required_iterations(const ctune_search *search);
/** Candidates kept after the last iteration (n_remaining_candidates_). */
CTUNE_API size_t ctune_search_n_remaining_candidates(const ctune_search *search);
/** Resource of iteration `iter` (n_resources_[iter]); 0 out of range. */
CTUNE_API int64_t ctune_search_n_resources(const ctune_search *search, size_t iter);
/** Candidates of iteration `iter` (n_candidates_[iter]); 0 out of range. */
CTUNE_API size_t ctune_search_n_candidates_at(const ctune_search *search, size_t iter);
/** Rows of the results table: one per candidate for a random or grid
 *  search, one per candidate per iteration for successive halving (0
 *  without results). Row i's params are the text of column "params". */
CTUNE_API size_t ctune_search_n_rows(const ctune_search *search);
/** The params of results row i (borrowed from the search until its next
 *  fit or free; NULL out of range or without results). For successive
 *  halving and Hyperband they include the row's resource. */
CTUNE_API const ctune_params *ctune_search_row_params(const ctune_search *search, size_t i);
/** The resolved min_resources_ / max_resources_ of the last fit (0 before). */
CTUNE_API int64_t ctune_search_min_resources(const ctune_search *search);
/** See ctune_search_min_resources(). */
CTUNE_API int64_t ctune_search_max_resources(const ctune_search *search);

/* ---- durable studies (docs/studies.md) ------------------------------------ */

/** A durable study: the finished tasks of a search in a SQLite database
 *  file, so that a killed search resumes where it stopped
 *  (docs/studies.md). Built with the meson feature `studies`; without it
 *  ctune_study_open() fails with CTUNE_EINVAL ("built without studies").
 *  Not thread-safe: one thread uses a study at a time. */
typedef struct ctune_study ctune_study;

/**
 * Opens a study file, creating it when it does not exist (or is empty).
 *
 * The file is untrusted: it is opened in SQLite's defensive mode with
 * trusted_schema off and size limits, and its schema must be exactly
 * ctune's (tables, columns, no triggers or views); a newer schema version,
 * a corrupted or truncated file, or another program's database is refused.
 *
 * Options ("key=value, ..."):
 *  - `durability=normal|full`: normal (default) keeps every committed task
 *    through a crash or kill of the process; full also through power loss
 *    (SQLite synchronous=FULL), at a cost per task;
 *  - `fresh=true`: a study of another search is emptied and reused,
 *    instead of failing with CTUNE_ESTATE;
 *  - `create=false`: open an existing study only: a missing file is
 *    CTUNE_EIO and an empty database CTUNE_EFORMAT, nothing is written
 *    to either, and the journal mode of a study is left as it is
 *    (readers such as ctune_report_write() use it);
 *  - `timeout=<seconds>`: how long to wait for a database another process
 *    holds locked (default 5);
 *  - `claim_timeout=<seconds>`: several processes on one study claim
 *    tasks; a claim whose heartbeat is older than this (default 600), or
 *    whose process is gone (same host), is retried. A thread of the study
 *    refreshes the heartbeat of its claims every claim_timeout / 4 seconds
 *    (at least once a minute) while a search runs, so a fit may last
 *    longer than claim_timeout.
 *
 * @param out     receives the study (ctune_study_close())
 * @param path    the database file
 * @param options option text, or NULL
 * @return CTUNE_OK; CTUNE_EINVAL (NULLs, bad options, built without
 *         studies); CTUNE_EFORMAT (not a ctune study, corrupted, newer
 *         schema); CTUNE_EIO (cannot open, locked past the timeout);
 *         CTUNE_ENOMEM
 */
CTUNE_API ctune_status ctune_study_open(ctune_study **out, const char *path, const char *options);
/** Closes a study (NULL is fine). A search it is attached to must not be
 *  fitted afterwards (detach with ctune_search_set_study(s, NULL)). */
CTUNE_API void ctune_study_close(ctune_study *study);
/**
 * Attaches a study to a search (NULL detaches). The study is borrowed: it
 * must stay open while the search fits.
 *
 * ctune_search_fit() then records the search's fingerprint (estimator and
 * params, space, strategy, seeds, cv, scoring, refit, a hash of X and y),
 * runs only the tasks the study has not finished, and commits each task
 * when it ends, in its own transaction. A study of a different search
 * makes the fit fail with CTUNE_ESTATE naming the first difference (unless
 * opened with fresh=true). The results equal an uninterrupted run's but
 * for the timings. Every strategy takes a study; TPE, successive halving,
 * Hyperband and pruned searches run in one process at a time on it (the
 * fit of another live process fails with CTUNE_ESTATE).
 *
 * @return CTUNE_OK; CTUNE_EINVAL (NULL search)
 */
CTUNE_API ctune_status ctune_search_set_study(ctune_search *search, ctune_study *study);
/**
 * Progress of a study: tasks (candidate × rung × split) settled, and the
 * total of the search that last began on it (0 before any; for a pruned
 * search every step of every trial). Settled tasks are the committed ones
 * and, in a pruned search, the steps a pruner skipped after a trial's
 * pruned step, so done equals total once the search finished.
 *
 * @return CTUNE_OK; CTUNE_EINVAL (NULLs); CTUNE_EIO; CTUNE_EFORMAT
 */
CTUNE_API ctune_status ctune_study_progress(size_t *done, size_t *total, ctune_study *study);
/**
 * The shape of the search that last began on a study: its candidates and
 * splits (both 0 before any).
 *
 * @return CTUNE_OK; CTUNE_EINVAL (NULLs); CTUNE_EIO; CTUNE_EFORMAT
 */
CTUNE_API ctune_status ctune_study_shape(size_t *n_candidates, size_t *n_splits,
                                         ctune_study *study);
/**
 * 1 when the last ctune_search_fit() through this study completed it here:
 * this process committed its last task, or found every task committed.
 * Several processes on one study: that process refits the best candidate
 * and writes the outputs; the others end their fit with full results but
 * no refitted estimator, and see 0 here (docs/studies.md).
 *
 * @return 1 or 0 (0 for NULL)
 */
CTUNE_API int ctune_study_completed_here(const ctune_study *study);
/** Number of committed trials (rows, one per finished task).
 *  @return CTUNE_OK; CTUNE_EINVAL (NULLs); CTUNE_EIO */
CTUNE_API ctune_status ctune_study_n_trials(size_t *out, ctune_study *study);

/** One committed trial, as ctune_study_trial() reads it. The pointers
 *  belong to the study and stay valid until its next ctune_study_trial()
 *  or ctune_study_close(). */
typedef struct ctune_study_trial_info {
    size_t candidate;     /**< candidate index in the search */
    size_t split;         /**< split index */
    const char *params;   /**< the candidate's params, ctune_params_to_text() form */
    const char *state;    /**< "done", "failed" or "pruned" */
    const char *error;    /**< the error text ("" when none) */
    size_t n_scores;      /**< entries of scores: test scores, then train scores */
    const double *scores; /**< per scorer (NaN when not computed) */
    double fit_time;      /**< seconds (NaN when unknown) */
    double score_time;    /**< seconds (NaN when unknown) */
    size_t rung;          /**< rung: halving iteration or pruner step, 0-based (0 otherwise) */
    int64_t n_resources;  /**< the resource the task had (0 when none) */
    int64_t bracket;      /**< Hyperband bracket (-1 when none) */
} ctune_study_trial_info;

/**
 * Reads trial i (0 <= i < ctune_study_n_trials()), in order of candidate,
 * rung, then split.
 *
 * @return CTUNE_OK; CTUNE_EINVAL (NULLs, i out of range); CTUNE_EFORMAT (a
 *         malformed row); CTUNE_EIO; CTUNE_ENOMEM
 */
CTUNE_API ctune_status ctune_study_trial(ctune_study_trial_info *out, ctune_study *study, size_t i);
/**
 * The results of the search a study holds, as the JSON document of
 * ctune_search_results_json() (docs/results-schema.md), built from its
 * committed tasks the way a resumed search builds them, by the
 * @ref buffers "buffer rule". Reads only: the study is not changed.
 *
 * For a finished study it is the text that search's
 * ctune_search_results_json() wrote. For a study in progress, `status` is
 * "partial", the tasks not committed yet have null scores and the error
 * "split k: not run (the search stopped)", and a candidate none of whose
 * tasks is committed has no params (null param_ values, `{}`). A
 * successive-halving or Hyperband study gives one row per candidate per
 * round in the search's order (the rounds are replayed from the stored
 * scores); in progress, the rounds complete so far and the one begun. The text
 * is read in one transaction, so it is consistent while other processes
 * commit; two calls may differ when they did in between.
 *
 * @param[out] buf receives the text; may be NULL when cap is 0
 * @param cap   size of buf in bytes
 * @param study the study
 * @return the length of the text (excluding the NUL); a negative
 *         ctune_status on error: CTUNE_EINVAL (NULLs, built without
 *         studies), CTUNE_ESTATE (no search has begun on the study),
 *         CTUNE_EFORMAT (a row or the search's settings do not read back,
 *         or the rows of a successive-halving or Hyperband study are not
 *         those of its schedule), CTUNE_EIO, CTUNE_ENOMEM
 */
CTUNE_API long ctune_study_results_json_buf(char *buf, size_t cap, ctune_study *study);

/* ---- Tuner: ask / tell (experimental) ----------------------------------
 * A tuner proposes parameter sets from a space for a host that runs the
 * trials itself (its own training loop, a simulation, a command): ask a
 * trial, report intermediate values, tell its outcome. See docs/tuner.md.
 *
 * Determinism: the proposals are a pure function of the seed, the space
 * and the order of the tell calls (the random and grid samplers use only
 * the trial number: random trial k draws from stream k + 1 of the seed,
 * grid trial k is grid point k; TPE proposes from the told trials in tell
 * order, the trials asked since the last tell forming one batch, as in a
 * TPE search with that batch size). Several trials may be open at once; every
 * function takes the tuner's lock, so hosts may call from several threads.
 * ctune_tuner_set_study() attaches a study: storage that tuners in several
 * processes share, in one tell order. */

/** A tuner (ctune_tuner_new()). */
typedef struct ctune_tuner ctune_tuner;
/** What an objective run by ctune_tuner_optimize() reports through. */
typedef struct ctune_trial_ctx ctune_trial_ctx;

/** States of a trial (ctune_tuner_trial()). */
enum {
    CTUNE_TRIAL_RUNNING = 0,  /**< asked, not told yet */
    CTUNE_TRIAL_COMPLETE = 1, /**< told a finite value */
    CTUNE_TRIAL_PRUNED = 2,   /**< told pruned (ctune_tuner_tell_pruned()) */
    CTUNE_TRIAL_FAILED = 3    /**< told failed, or told NaN */
};

/**
 * Creates a tuner over a copy of `space`.
 *
 * Options: sampler=random|grid|tpe (random: independent draws; grid: the
 * grid points in ctune_space_grid() order, lists only; tpe: the TPE sampler
 * of ctune_search_new_tpe() over the told trials, with the options
 * tpe_n_startup_trials, tpe_n_ei_candidates, tpe_prior_weight,
 * tpe_consider_endpoints, tpe_consider_magic_clip), seed (default 0),
 * direction=maximize|minimize (default maximize), pruner=none|median|sha
 * (default none) and the chosen pruner's options (n_startup_trials,
 * n_warmup_steps, interval_steps; min_resource, reduction_factor,
 * min_early_stopping_rate, bootstrap_count: see docs/tuner.md).
 *
 * @param out     receives the tuner, owned by the caller (ctune_tuner_free())
 * @param space   the space (copied)
 * @param options options text (NULL or "" for the defaults)
 * @return CTUNE_OK; CTUNE_EINVAL (NULLs, empty space, a bad option, a grid
 *         over a distribution); CTUNE_EFORMAT (malformed text); CTUNE_ENOMEM
 */
CTUNE_API ctune_status ctune_tuner_new(ctune_tuner **out, const ctune_space *space,
                                       const char *options);
/**
 * Frees a tuner and every parameter set it handed out.
 *
 * @param tuner the tuner; NULL is a no-op
 */
CTUNE_API void ctune_tuner_free(ctune_tuner *tuner);
/**
 * Attaches a durable study to a tuner (NULL detaches), before its first
 * ask: several tuners, in one process or many on one machine, then ask,
 * report and tell against the study as one tuner would (Optuna's RDB
 * storage). Each call runs in one transaction that first reads what the
 * others asked and told, so the trial numbers, the tell order and the
 * proposals (TPE's included) are those of one tuner seeing the calls in
 * the order the study took them; a tuner attached to a study with trials
 * continues after them. Pruning decisions compare with the trials told by
 * any process; the reading functions show the study as of this tuner's
 * last ask, report or tell. The study is borrowed (close it after the
 * tuner); it holds
 * the tuner's fingerprint (space, sampler, seed, direction, TPE and pruner
 * options) and refuses another tuner or a search (CTUNE_ESTATE, unless
 * opened with fresh=true). Trials asked by a process that died stay
 * running. See docs/tuner.md.
 *
 * @return CTUNE_OK; CTUNE_EINVAL (NULL tuner, built without studies);
 *         CTUNE_ESTATE (the tuner asked trials already, has a study, or
 *         the study belongs to something else); CTUNE_EFORMAT; CTUNE_EIO;
 *         CTUNE_ENOMEM
 */
CTUNE_API ctune_status ctune_tuner_set_study(ctune_tuner *tuner, ctune_study *study);
/**
 * Opens a new trial and proposes its parameters.
 *
 * @param trial  receives the trial number (0, 1, 2, ... in ask order)
 * @param params receives the proposal, owned by the tuner and valid until
 *               ctune_tuner_free() (copy it with ctune_params_copy() to
 *               keep it longer)
 * @param tuner  the tuner
 * @return CTUNE_OK; CTUNE_EINVAL (NULLs); CTUNE_ESTATE when a grid has no
 *         point left; CTUNE_ENOMEM
 */
CTUNE_API ctune_status ctune_tuner_ask(size_t *trial, const ctune_params **params,
                                       ctune_tuner *tuner);
/**
 * Records an intermediate value of an open trial and asks the pruner.
 *
 * The pruner compares the trial with the trials told so far (complete and
 * pruned ones), so its answer, too, depends only on the tell order.
 *
 * @param should_prune receives 1 when the trial should stop (then tell it
 *                     with ctune_tuner_tell_pruned()), else 0; may be NULL
 * @param tuner        the tuner
 * @param trial        an open trial
 * @param step         the step (>= 0, greater than the trial's last one)
 * @param value        the value (NaN is recorded; the pruners treat it as
 *                     Optuna does)
 * @return CTUNE_OK; CTUNE_EINVAL (NULL tuner, unknown trial, a step not
 *         increasing); CTUNE_ESTATE (trial already told); CTUNE_ENOMEM
 */
CTUNE_API ctune_status ctune_tuner_report(int *should_prune, ctune_tuner *tuner, size_t trial,
                                          int64_t step, double value);
/**
 * Closes an open trial with its objective value.
 *
 * A NaN value is recorded as a failed trial (as Optuna does) and returns
 * CTUNE_EDATA; +-Inf is a value like any other.
 *
 * @param tuner the tuner
 * @param trial an open trial
 * @param value the objective value
 * @return CTUNE_OK; CTUNE_EINVAL (NULL tuner, unknown trial); CTUNE_ESTATE
 *         (trial already told: nothing changes); CTUNE_EDATA (NaN: the
 *         trial is now failed)
 */
CTUNE_API ctune_status ctune_tuner_tell(ctune_tuner *tuner, size_t trial, double value);
/**
 * Closes an open trial as pruned (after a report answered prune); its last
 * reported value stays in its intermediate values.
 *
 * @param tuner the tuner
 * @param trial an open trial
 * @return as ctune_tuner_tell(), without CTUNE_EDATA
 */
CTUNE_API ctune_status ctune_tuner_tell_pruned(ctune_tuner *tuner, size_t trial);
/**
 * Closes an open trial as failed, with the reason.
 *
 * @param tuner   the tuner
 * @param trial   an open trial
 * @param message why it failed (copied; NULL gives "failed")
 * @return as ctune_tuner_tell_pruned(); CTUNE_ENOMEM
 */
CTUNE_API ctune_status ctune_tuner_tell_failed(ctune_tuner *tuner, size_t trial,
                                               const char *message);
/**
 * Number of trials asked so far.
 *
 * @param tuner the tuner
 * @return the count; 0 for NULL
 */
CTUNE_API size_t ctune_tuner_n_trials(const ctune_tuner *tuner);
/**
 * One row of the trials table.
 *
 * @param state  receives a CTUNE_TRIAL_* state (may be NULL)
 * @param value  receives the told value, NaN unless complete (may be NULL)
 * @param params receives its parameters, owned by the tuner (may be NULL)
 * @param tuner  the tuner
 * @param trial  the trial number
 * @return CTUNE_OK; CTUNE_EINVAL (NULL tuner, unknown trial)
 */
CTUNE_API ctune_status ctune_tuner_trial(int *state, double *value, const ctune_params **params,
                                         const ctune_tuner *tuner, size_t trial);
/**
 * The best complete trial (greatest value, or least with
 * direction=minimize; the first told on ties).
 *
 * @param trial receives its number
 * @param value receives its value (may be NULL)
 * @param tuner the tuner
 * @return CTUNE_OK; CTUNE_EINVAL (NULLs); CTUNE_ESTATE when no trial is
 *         complete
 */
CTUNE_API ctune_status ctune_tuner_best(size_t *trial, double *value, const ctune_tuner *tuner);
/**
 * Writes the trials table as CSV (atomically), in the schema of
 * ctune_search_results_csv() (docs/results-schema.md) with one "split":
 * param_<name> columns, params, split0_test_score and mean_test_score (the
 * value, NaN unless complete), std_test_score (0, NaN unless complete),
 * rank_test_score and error (the reason of a failed trial, "pruned at
 * step K", or "running").
 *
 * @param tuner the tuner
 * @param path  the output file
 * @return CTUNE_OK; CTUNE_EINVAL (NULLs); CTUNE_EIO; CTUNE_ENOMEM
 */
CTUNE_API ctune_status ctune_tuner_results_csv(const ctune_tuner *tuner, const char *path);
/**
 * Writes the trials table as JSON (atomically), in the schema of
 * ctune_search_results_json(), plus "stopped_by" after an optimize run.
 *
 * @param tuner the tuner
 * @param path  the output file
 * @return as ctune_tuner_results_csv()
 */
CTUNE_API ctune_status ctune_tuner_results_json(const ctune_tuner *tuner, const char *path);
/**
 * The CSV of ctune_tuner_results_csv() into a buffer, by the @ref buffers "buffer rule".
 *
 * @param[out] buf the buffer; may be NULL when cap is 0
 * @param cap   its size
 * @param tuner the tuner
 * @return the text length, or a negative ctune_status
 */
CTUNE_API long ctune_tuner_results_csv_buf(char *buf, size_t cap, const ctune_tuner *tuner);
/**
 * The JSON of ctune_tuner_results_json() into a buffer, by the @ref buffers "buffer rule".
 *
 * @param[out] buf the buffer; may be NULL when cap is 0
 * @param cap   its size
 * @param tuner the tuner
 * @return as ctune_tuner_results_csv_buf()
 */
CTUNE_API long ctune_tuner_results_json_buf(char *buf, size_t cap, const ctune_tuner *tuner);

/**
 * An objective for ctune_tuner_optimize(): evaluates `params`, stores the
 * value in *value and returns CTUNE_OK, or returns an error status (with
 * ctune_set_error()) for a failed trial. It may report intermediate values
 * through `ctx` and return early once ctune_trial_should_prune() says so.
 */
typedef ctune_status (*ctune_objective_fn)(const ctune_params *params, ctune_trial_ctx *ctx,
                                           double *value, void *user);
/**
 * Reports an intermediate value of the running trial (ctune_tuner_report()).
 *
 * @param ctx   the trial context
 * @param step  the step (>= 0, increasing)
 * @param value the value
 * @return as ctune_tuner_report()
 */
CTUNE_API ctune_status ctune_trial_report(ctune_trial_ctx *ctx, int64_t step, double value);
/**
 * Whether the pruner asked this trial to stop at its last report, or the
 * run is stopping (budget reached). An objective that returns while this
 * is set by the pruner has its trial recorded as pruned.
 *
 * @param ctx the trial context
 * @return 1 or 0; 0 for NULL
 */
CTUNE_API int ctune_trial_should_prune(const ctune_trial_ctx *ctx);
/**
 * The number of the running trial.
 *
 * @param ctx the trial context
 * @return the trial number; 0 for NULL
 */
CTUNE_API size_t ctune_trial_number(const ctune_trial_ctx *ctx);
/**
 * Runs the objective on new trials: asks, calls, tells, on the executor of
 * the searches (n_jobs workers of the one worker pool).
 *
 * Options: n_trials (>= 1; default: the points left of a grid, otherwise
 * required), timeout (wall seconds, > 0: no trial starts after it), n_jobs
 * (default 1). Budgets stop the run as cancellation does: trials in flight
 * finish and are told. A failed objective fails its trial, not the run.
 * ctune_tuner_stopped_by() and the JSON export say which budget ended it.
 *
 * @param tuner     the tuner
 * @param objective the objective
 * @param user      passed to the objective
 * @param options   options text
 * @return CTUNE_OK; CTUNE_EINVAL (NULLs, a bad option, timeout <= 0, no
 *         n_trials); CTUNE_ESTATE (a grid with no point left); CTUNE_ENOMEM
 */
CTUNE_API ctune_status ctune_tuner_optimize(ctune_tuner *tuner, ctune_objective_fn objective,
                                            void *user, const char *options);
/**
 * What ended the last ctune_tuner_optimize(): "n_trials", "timeout" or
 * "grid" (no point left), or NULL before one.
 *
 * @param tuner the tuner
 * @return static text or NULL
 */
CTUNE_API const char *ctune_tuner_stopped_by(const ctune_tuner *tuner);
/* ---- TPE search (searches) ---- */

/**
 * Creates a TPE search: Optuna's TPESampler (Bergstra et al. 2011) proposing
 * `n_trials` candidates in synchronous batches, each evaluated by
 * cross-validation like any search's candidate.
 *
 * The first n_startup_trials candidates are drawn uniformly; later ones
 * maximize l(x)/g(x) over n_ei_candidates draws of l, where l and g are
 * univariate Parzen estimators over the best min(ceil(0.1 n), 25) trials and
 * the others (lists are categorical, randint an integer, loguniform on the
 * log scale). The value of a trial is its mean test score for the refit
 * metric (the first scorer when there is none); trials whose mean is NaN are
 * left out of the estimators. A batch of `batch` proposals comes from one
 * history, so results depend on the seed and `batch`, never on n_jobs, the
 * executor or the number of MPI ranks; with batch=1 and n_jobs > 1 the folds
 * of each trial run in parallel. On a space of lists only, no point is
 * proposed twice, and n_trials is capped at the grid size with the
 * randomized search's warning. docs/model-selection.md gives the estimator's
 * details and Optuna's names.
 *
 * Until the first fit, ctune_search_n_candidates() is 0: candidates exist
 * once proposed. Task streams use `seed` unless the option seed=\<n\> is
 * set, as for a randomized search.
 *
 * `options` (NULL for defaults) is "key=value" text:
 *  - n_startup_trials=10, n_ei_candidates=24, batch=1, prior_weight=1.0,
 *    consider_endpoints=false, consider_magic_clip=true,
 *    direction=maximize|minimize (maximize: ctune's scorers).
 *
 * @param[out] out receives the search, owned by the caller (ctune_search_free())
 * @param est      the estimator to tune (only cloned)
 * @param space    the parameter space (copied); lists, uniform, loguniform,
 *                 randint
 * @param n_trials number of candidates to propose and evaluate (>= 1)
 * @param seed     seed of the proposals and, by default, of the task streams
 * @param options  TPE options, or NULL
 * @return CTUNE_OK; CTUNE_EINVAL (NULLs, an empty space, n_trials 0, an
 *         unknown or bad option naming it, unknown parameter names);
 *         CTUNE_EFORMAT (malformed options); CTUNE_ENOMEM
 */
CTUNE_API ctune_status ctune_search_new_tpe(ctune_search **out, const ctune_estimator *est,
                                            const ctune_space *space, size_t n_trials,
                                            uint64_t seed, const char *options);

#endif /* CTUNE_EXPERIMENTAL */
/** @} */

#ifdef __cplusplus
}
#endif

#endif /* CTUNE_H */
