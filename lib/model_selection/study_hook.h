/* The seam between a search and a durable study (lib/study). A search knows
 * no storage: it computes its fingerprint text and calls these hooks, which
 * lib/study implements over SQLite. lib/model_selection never includes
 * lib/study (ARCHITECTURE.md, include table). */
#ifndef CTUNE_MODEL_SELECTION_STUDY_HOOK_H
#define CTUNE_MODEL_SELECTION_STUDY_HOOK_H

#include <stddef.h>
#include <stdint.h>

#include "ctune.h"
#include "model_selection/evaluate.h"

/* A task of a study: candidate `cand` (its index in the search: a
 * halving candidate keeps it from rung to rung, a TPE trial is its
 * proposal number) at rung `rung` (the halving iteration or the pruner's
 * step, 0-based; 0 for one-run searches) on split `split`. n_resources
 * (0 = none) and bracket (-1 = none) are stored with it. */
typedef struct ctune__study_key {
    size_t cand, rung, split;
    int64_t n_resources, bracket;
} ctune__study_key;

typedef struct ctune__study_begin {
    const char *fingerprint;
    size_t n_cands;  /* candidates of the search (trials for TPE) */
    size_t n_splits; /* of this run */
    size_t n_scores;
    size_t n_tasks; /* tasks of the whole search (a pruned one: every step of
                     * every candidate, an upper bound) */
    int exclusive;  /* one live process at a time */
} ctune__study_begin;

typedef struct ctune__study_hook {
    void *self;
    /* Before the tasks of each evaluation run of a fit (a search made of
     * several runs, rung after rung or batch after batch, calls it before
     * each; the later calls find the same fingerprint): `b->fingerprint`
     * is the search's identity as "key: value" lines. Records it in a new
     * study, or fails with CTUNE_ESTATE naming the first line that
     * differs. With b->exclusive the study admits one live process at a
     * time (CTUNE_ESTATE for the others). */
    ctune_status (*begin)(void *self, const ctune__study_begin *b);
    /* For each of the n tasks keys[i]: fills record i of `recs` (records
     * of rec_size bytes, with n_scores scores) with the task's committed
     * record and sets found[i] to 1, or sets it to 0 when the study has
     * none; in one read of the study. Errors: a row that does not fit
     * (CTUNE_EFORMAT). */
    ctune_status (*lookup)(void *self, const ctune__study_key *keys, size_t n, void *recs,
                           size_t rec_size, size_t n_scores, unsigned char *found);
    /* Commits one finished task durably, before the search goes on; a
     * failure stops the search with that status. `params` is the
     * candidate's text (ctune_params_to_text). */
    ctune_status (*commit)(void *self, const ctune__study_key *key, const char *params,
                           const ctune__task_rec *rec, size_t n_scores);
    /* Several processes on one study (may be NULL). Called from executor
     * threads before task `key` runs: sets *outcome to CTUNE__CLAIMED
     * (this process runs it), CTUNE__CLAIM_DONE (another process
     * committed it meanwhile: `rec` is filled) or CTUNE__CLAIM_BUSY
     * (another live process runs it: try again later). A claim may take
     * the later splits of the task's candidate along (they are then
     * CTUNE__CLAIMED at once); the claims of tasks that never run go at
     * `end`, or with the process. */
    ctune_status (*claim)(void *self, const ctune__study_key *key, ctune__task_rec *rec,
                          size_t n_scores, int *outcome);
    /* A pruner stopped candidate `cand` after rung `rung`: its committed
     * tasks of that rung get the state "pruned" (may be NULL). */
    ctune_status (*mark_pruned)(void *self, size_t cand, size_t rung);
    /* 1 when this process should refit: it committed the study's last task,
     * or found every task committed when the fit began. */
    int (*refit_here)(void *self);
    /* Once per ctune_search_fit() with a study, after the refit, on every
     * path (error, cancel; also when begin never ran): stops what begin
     * started (the heartbeat of this process's claims) and drops the
     * claims this handle still holds. May be NULL. */
    void (*end)(void *self);
} ctune__study_hook;

enum { CTUNE__CLAIMED = 0, CTUNE__CLAIM_DONE = 1, CTUNE__CLAIM_BUSY = 2 };

/* ---- a tuner's trials in a study (ctune_tuner_set_study) ------------------ */

/* One trial of a tuner as the study stores it (candidate = number, rung 0,
 * split 0). */
typedef struct ctune__tuner_row {
    size_t number;
    const char *params; /* ctune_params_to_text() */
    int state;          /* CTUNE_TRIAL_* */
    double value;       /* NaN unless complete */
    const char *error;  /* "" when none */
    const int64_t *steps;
    const double *values;
    size_t n_steps; /* intermediate values */
} ctune__tuner_row;

typedef ctune_status (*ctune__tuner_row_fn)(void *user, const ctune__tuner_row *row);
typedef ctune_status (*ctune__tuner_tell_fn)(void *user, size_t seq, size_t number, size_t n_asked);

/* Every tuner operation on a study runs between lock and unlock, in one
 * write transaction: it reads what other processes did (read_trials,
 * read_tells), then writes its own change, so the processes see one
 * order of asks and tells. */
typedef struct ctune__tuner_hook {
    void *self;
    /* Takes the study (a write transaction); records `fingerprint` in a
     * new study, else CTUNE_ESTATE when it differs. */
    ctune_status (*lock)(void *self, const char *fingerprint);
    /* Commits (commit != 0) or rolls back, and lets the study go. */
    ctune_status (*unlock)(void *self, int commit);
    /* Calls fn for every trial numbered >= from, in number order. */
    ctune_status (*read_trials)(void *self, size_t from, ctune__tuner_row_fn fn, void *user);
    /* Calls fn for every tell of sequence number >= from, in order: the
     * trial told and the number of trials asked when it was. */
    ctune_status (*read_tells)(void *self, size_t from, ctune__tuner_tell_fn fn, void *user);
    /* Inserts or replaces a trial. */
    ctune_status (*write_trial)(void *self, const ctune__tuner_row *row);
    /* Records tell `seq` (trial `number`, n_asked trials asked by then). */
    ctune_status (*write_tell)(void *self, size_t seq, size_t number, size_t n_asked);
} ctune__tuner_hook;

/* Attaches a study's tuner hook (borrowed), loading the trials the study
 * holds; NULL detaches. CTUNE_ESTATE when the tuner has trials of its own
 * or the study belongs to something else. */
ctune_status ctune__tuner_set_study_hook(ctune_tuner *t, const ctune__tuner_hook *hook);

/* Attaches a hook (borrowed: it must outlive the search's fits), or
 * detaches with NULL. */
void ctune__search_set_study_hook(ctune_search *s, const ctune__study_hook *hook);

/* The fingerprint text of a search for `data` (the caller frees *out with
 * ctune__free). */
ctune_status ctune__search_fingerprint(const ctune_search *s, const ctune_data *data, char **out);

#endif
