/* The seam between a search and a durable study (lib/study). A search knows
 * no storage: it computes its fingerprint text and calls these hooks, which
 * lib/study implements over SQLite. lib/model_selection never includes
 * lib/study (ARCHITECTURE.md, include table). */
#ifndef CTUNE_MODEL_SELECTION_STUDY_HOOK_H
#define CTUNE_MODEL_SELECTION_STUDY_HOOK_H

#include <stddef.h>

#include "ctune.h"
#include "model_selection/evaluate.h"

typedef struct ctune__study_hook {
    void *self;
    /* Once per fit, before any task runs: `fingerprint` is the search's
     * identity as "key: value" lines. Records it in a new study, or fails
     * with CTUNE_ESTATE naming the first line that differs. */
    ctune_status (*begin)(void *self, const char *fingerprint, size_t n_cands, size_t n_splits,
                          size_t n_scores);
    /* Fills `rec` (with n_scores scores) with the committed record of
     * task (cand, split) and sets *found to 1, or sets it to 0 when the
     * study has none. Errors: a row that does not fit (CTUNE_EFORMAT). */
    ctune_status (*lookup)(void *self, size_t cand, size_t split, ctune__task_rec *rec,
                           size_t n_scores, int *found);
    /* Commits one finished task durably, before the search goes on; a
     * failure stops the search with that status. `params` is the
     * candidate's text (ctune_params_to_text). */
    ctune_status (*commit)(void *self, size_t cand, size_t split, const char *params,
                           const ctune__task_rec *rec, size_t n_scores);
    /* Several processes on one study (may be NULL). Called from executor
     * threads before task (cand, split) runs: sets *outcome to
     * CTUNE__CLAIMED (this process runs it), CTUNE__CLAIM_DONE (another
     * process committed it meanwhile: `rec` is filled) or CTUNE__CLAIM_BUSY
     * (another live process runs it: try again later). */
    ctune_status (*claim)(void *self, size_t cand, size_t split, ctune__task_rec *rec,
                          size_t n_scores, int *outcome);
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
