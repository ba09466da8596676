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
} ctune__study_hook;

/* Attaches a hook (borrowed: it must outlive the search's fits), or
 * detaches with NULL. */
void ctune__search_set_study_hook(ctune_search *s, const ctune__study_hook *hook);

/* The fingerprint text of a search for `data` (the caller frees *out with
 * ctune__free). */
ctune_status ctune__search_fingerprint(const ctune_search *s, const ctune_data *data,
                                       char **out);

#endif
