/* The evaluation engine shared by cross_validate and the searches: options,
 * the (candidate, split) task list, its execution through an executor and
 * the per-task records. Knows estimators only through the public API and
 * lib/estimator/estimator.h. */
#ifndef CTUNE_MODEL_SELECTION_EVALUATE_H
#define CTUNE_MODEL_SELECTION_EVALUATE_H

#include <stdatomic.h>
#include <stdint.h>

#include "ctune.h"
#include "model_selection/executor.h"
#include "model_selection/splitter.h"
#include "model_selection/strbuf.h"

/* ---- options ("key=value" text) -------------------------------------------- */

/* The option specs of a search and of cross_validate (its subset). */
extern const ctune_param_spec ctune__search_options[];
extern const ctune_param_spec ctune__cv_options[];

/* A scorer given by the caller (ctune_search_add_scorer), found by name. */
#define CTUNE__MAX_CUSTOM_SCORERS 8
typedef struct ctune__custom_scorer {
    char name[64];
    ctune_scorer_fn fn;
    void *user;
} ctune__custom_scorer;

/* Every option of a search or cross_validate, whatever way it was given:
 * "key=value" text (ctune__eval_opts_apply), a typed setter
 * (ctune_search_set_cv, ...) or an argument (ctune_cross_validate's cv and
 * splitter). Each is validated by the one setter below. */
typedef struct ctune__eval_opts {
    size_t cv;        /* folds when no splitter is set (default 5) */
    int has_splitter; /* 1: `splitter` replaces cv */
    ctune_splitter splitter;
    ctune__strlist scoring; /* scorer names; empty = the estimator's score */
    int refit;              /* 1 = refit the best on all data */
    char *refit_metric;     /* scorer named by refit=<name>, or NULL */
    int error_raise;        /* error_score=raise */
    double error_value;     /* error_score value otherwise (default NaN) */
    int return_train;
    long n_jobs;
    int has_seed;
    uint64_t seed;
    double timeout; /* searches: wall seconds after which no task starts (0 = none) */
    ctune__custom_scorer custom[CTUNE__MAX_CUSTOM_SCORERS]; /* copied by value */
    size_t n_custom;
} ctune__eval_opts;

/* The caller's scorer named `name`, or NULL. */
const ctune__custom_scorer *ctune__eval_opts_custom(const ctune__eval_opts *o, const char *name);
/* Scores a fitted estimator with the named scorer: a caller's, or a
 * built-in one through ctune_score() (NULL name: the estimator's score). */
ctune_status ctune__eval_opts_score(const ctune__eval_opts *o, const char *name,
                                    ctune_estimator *est, const ctune_data *data, double *out);
/* The one validation of cv (>= 2 folds) and n_jobs (non-zero, |n_jobs|
 * <= 4096): "<who>: cv must be >= 2 folds, got 1". */
ctune_status ctune__check_cv(int64_t cv, const char *who);
ctune_status ctune__check_n_jobs(int64_t n_jobs, const char *who);

void ctune__eval_opts_init(ctune__eval_opts *o);
void ctune__eval_opts_clear(ctune__eval_opts *o);
/* Applies "key=value" text checked against `spec` (one of the two above)
 * by the one options parser. On error `o` is unchanged and the message
 * names the key and the legal values. */
ctune_status ctune__eval_opts_apply(ctune__eval_opts *o, const char *text,
                                    const ctune_param_spec *spec, const char *who);
/* Typed setters (on error `o` is unchanged). scoring: "name[|name...]",
 * NULL or "" for the estimator's score. refit: on/off, and with `metric`
 * the scorer that picks the best (only when on). */
ctune_status ctune__eval_opts_set_cv(ctune__eval_opts *o, int64_t cv, const char *who);
ctune_status ctune__eval_opts_set_n_jobs(ctune__eval_opts *o, int64_t n_jobs, const char *who);
ctune_status ctune__eval_opts_set_scoring(ctune__eval_opts *o, const char *names, const char *who);
ctune_status ctune__eval_opts_set_refit(ctune__eval_opts *o, int refit, const char *metric,
                                        const char *who);
/* timeout: wall seconds, finite and > 0 ("<who>: timeout must be ..."). */
ctune_status ctune__eval_opts_set_timeout(ctune__eval_opts *o, double seconds, const char *who);
/* A splitter replaces cv (copied); NULL goes back to cv folds. */
ctune_status ctune__eval_opts_set_splitter(ctune__eval_opts *o, const ctune_splitter *sp);
/* The splitter of a run: the one set, else the cv rule of
 * ctune__splitter_for_cv() for `est`. */
ctune_status ctune__eval_opts_splitter(const ctune__eval_opts *o, const ctune_estimator *est,
                                       ctune_splitter *out);
/* Index of the scorer used to pick the best candidate (refit metric, or
 * the only scorer). Errors: CTUNE_EINVAL when several scorers are set and
 * refit names none of them. With need_metric 0 and several scorers without
 * refit=<name>, *out is (size_t)-1. */
ctune_status ctune__eval_opts_metric(const ctune__eval_opts *o, int need_metric, size_t *out);

/* ---- task records ----------------------------------------------------------- */

#define CTUNE__NOT_RUN 1 /* status of a task the executor did not run */
#define CTUNE__ERRLEN 240

typedef struct ctune__task_rec {
    int32_t status;         /* CTUNE_OK, a failure status, or CTUNE__NOT_RUN */
    int32_t score_failures; /* scorers that failed after a good fit (error_score given) */
    double fit_time, score_time;
    char error[CTUNE__ERRLEN];
    double scores[]; /* n_scorers test scores, then n_scorers train scores */
} ctune__task_rec;

/* ---- a run -------------------------------------------------------------------- */

struct ctune__study_hook; /* model_selection/study_hook.h */

typedef struct ctune__eval {
    /* inputs (borrowed) */
    const ctune_estimator *est;
    ctune_params *const *cands; /* NULL entries = the estimator's params as they are */
    size_t n_cands;
    const ctune_data *data;
    const ctune__eval_opts *opts;
    size_t progress_scorer;
    ctune_progress_fn progress;
    void *user;
    uint64_t seed;
    const ctune_executor_vtable *executor; /* NULL = the built-in one for n_jobs */
    void *executor_self;
    const atomic_int *interrupt; /* the caller's cancel request, or NULL */
    double fraction;             /* successive halving on n_samples: in (0, 1), each split's
                       * train and test rows are subsampled to this fraction
                       * (0 = all rows) */
    uint64_t sub_seed;           /* seed of that subsampling */
    const size_t *cand_ids;      /* candidate c's identity for its task streams and the
                             * cache (NULL = c): a candidate keeps its streams
                             * from one halving round to the next */
    ctune_estimator **cache;     /* NULL, or cache_splits slots per candidate id: a
                              * fitted estimator from an earlier round that the
                              * task continues with a warm start (taken out,
                              * put back once fitted). A process without it
                              * fits from scratch, to the same result. */
    size_t cache_splits;
    const struct ctune__study_hook *hook; /* durable study, or NULL */
    const char *fingerprint;              /* the search's, for the hook */
    /* The study keys of this run's tasks: the candidate is the task
     * streams' (cand_ids[c], else cand_offset + c), at rung study_rung with
     * study_resources (0 = none) and study_bracket (-1 = none; zeroed
     * runs set it). study_rows: (candidate, rung) rows of the whole search,
     * study_cands its candidates (0 = this run's), study_exclusive one
     * process at a time (searches of several runs). */
    size_t study_rung;
    int64_t study_resources, study_bracket;
    size_t study_rows, study_cands;
    int study_exclusive;
    double deadline; /* a search's timeout: ctune__now() after which no new candidate
                      * starts, 0 = none */

    /* A run over a slice of a longer candidate list (a sequential search's
     * batch): cands[0] is candidate cand_offset of the list, which seeds the
     * task streams and is what progress reports; tasks_before tasks of the
     * list ran in earlier batches and the list has n_cands_total candidates
     * (0 = n_cands). Zero for a whole list. */
    size_t cand_offset, tasks_before, n_cands_total;

    /* state and outputs */
    ctune_splits *splits;
    ctune_data **train, **test;
    /* a view of all rows of data, trusted (checked by this run, in this
     * public call) with the splits' column maxima and class table: what
     * the refit fits on (ctune__eval_refit) */
    ctune_data *all;
    size_t n_splits, n_scorers;
    unsigned char *records;
    size_t rec_size;
    size_t n_done;
    int user_cancelled, stopped_on_error, interrupted;
    /* the timeout (deadline > 0): once a task is done past the deadline, the
     * candidates started so far (cutoff: [0, cutoff)) run to their end and
     * the tasks of the others are refused (left not run); the run stops
     * once every task below the cutoff is done */
    int timed_out;          /* the deadline passed: the cutoff is set */
    atomic_size_t started;  /* 1 + the highest candidate a task started of (workers) */
    atomic_size_t cutoff;   /* SIZE_MAX until the deadline passes */
    unsigned char *settled; /* per task: done was called for it (deadline > 0 only) */
    size_t settled_below;   /* tasks done below the cutoff */
    atomic_int stop;
    double t0;
    unsigned char *preloaded; /* per task: 1 = record read from the study */
    ctune_status hook_status; /* a failed commit */
    atomic_int claim_err;     /* a failed claim (from an executor thread), 0 = none */
    char claim_msg[512];      /* its message, written by the thread that set claim_err */
} ctune__eval;

#ifdef CTUNE_TEST_HOOKS
/* Test builds only: non-zero makes the deadline of a run with one pass once
 * that many of its tasks are done, whatever the clock says (a timed-out
 * search made deterministic for tests). */
extern atomic_size_t ctune__test_deadline_after;
#endif

/* Splits the data (once), runs every task, fills the records. Returns
 * CTUNE_OK (also when the deadline stopped the run: ev->timed_out is then
 * set and the tasks not run keep their not-run records), CTUNE_ECANCELLED (progress callback, or *interrupt set: no
 * task starts once it is, running fits see it), the failing task's status
 * (error_score=raise, or an out-of-memory / internal failure, which is never
 * turned into a score), or an input error before any task ran. After a
 * failure the records that exist stay valid (ctune__eval_has_records). */
ctune_status ctune__eval_run(ctune__eval *ev);
int ctune__eval_has_records(const ctune__eval *ev);
const ctune__task_rec *ctune__eval_rec(const ctune__eval *ev, size_t cand, size_t split);
/* Releases everything the run allocated (not the inputs). */
void ctune__eval_clear(ctune__eval *ev);

/* Fits a clone of `est` with `params` on all of `data` (refit), with the
 * task stream of (seed, candidate, n_splits) and all cores; `interrupt`
 * (may be NULL) cancels it. `checked`: the run of this call that checked
 * `data` (its view of all rows is used: no second check), or NULL. */
ctune_status ctune__eval_refit(ctune_estimator **out, const ctune__eval *checked,
                               const ctune_estimator *est, const ctune_params *params,
                               const ctune_data *data, uint64_t seed, size_t candidate,
                               size_t n_splits, const atomic_int *interrupt, double *fit_time);

#endif
