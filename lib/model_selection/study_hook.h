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
    /* Fills `rec` (with n_scores scores) with the committed record of
     * task `key` and sets *found to 1, or sets it to 0 when the study has
     * none. Errors: a row that does not fit (CTUNE_EFORMAT). */
    ctune_status (*lookup)(void *self, const ctune__study_key *key, ctune__task_rec *rec,
                           size_t n_scores, int *found);
    /* Commits one finished task durably, before the search goes on; a
     * failure stops the search with that status. `params` is the
     * candidate's text (ctune_params_to_text). */
    ctune_status (*commit)(void *self, const ctune__study_key *key, const char *params,
                           const ctune__task_rec *rec, size_t n_scores);
    /* Several processes on one study (may be NULL). Called from executor
     * threads before task `key` runs: sets *outcome to CTUNE__CLAIMED
     * (this process runs it), CTUNE__CLAIM_DONE (another process
     * committed it meanwhile: `rec` is filled) or CTUNE__CLAIM_BUSY
     * (another live process runs it: try again later). */
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

/* Attaches a hook (borrowed: it must outlive the search's fits), or
 * detaches with NULL. */
void ctune__search_set_study_hook(ctune_search *s, const ctune__study_hook *hook);

/* The fingerprint text of a search for `data` (the caller frees *out with
 * ctune__free). */
ctune_status ctune__search_fingerprint(const ctune_search *s, const ctune_data *data, char **out);

#endif
