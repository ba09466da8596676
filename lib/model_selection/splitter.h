/* Internal side of splitters (KFold, StratifiedKFold, ShuffleSplit) and of
 * computed splits. */
#ifndef CTUNE_MODEL_SELECTION_SPLITTER_H
#define CTUNE_MODEL_SELECTION_SPLITTER_H

#include <stdint.h>

#include "ctune.h"
#include "model_selection/strbuf.h"

typedef enum {
    CTUNE__KFOLD = 1,
    CTUNE__STRATIFIED_KFOLD = 2,
    CTUNE__SHUFFLE_SPLIT = 3,
    CTUNE__INDEX_SPLIT = 4
} ctune__split_kind;

struct ctune_splitter {
    ctune__split_kind kind;
    size_t n_splits;
    int shuffle; /* k-fold kinds */
    uint64_t seed;
    double test_fraction; /* shuffle split */
    int stratify;         /* shuffle split */
    ctune_splits *fixed;  /* index split: the caller's splits (owned) */
};

struct ctune_splits {
    size_t count;
    size_t n_rows;   /* rows of the data that was split */
    size_t *n_train; /* count entries */
    size_t *n_test;
    size_t **rows; /* rows[i]: n_test[i] test indices, then n_train[i] train indices */
    ctune__strlist warnings;
};

/* A deep copy of a splitter (an index split owns its index lists). */
ctune_status ctune__splitter_copy(ctune_splitter **out, const ctune_splitter *src);
/* A copy of computed splits (an index split's lists, when options keep a
 * splitter by value). */
ctune_status ctune__splits_dup(ctune_splits **out, const ctune_splits *src);

/* The splitter scikit-learn picks for an integer cv (check_cv):
 * StratifiedKFold for a classifier, KFold otherwise, shuffled with `seed`
 * when `shuffle`. Fills `out` (no allocation). The one home of this rule
 * (ctune_cv_splitter_new() exposes it). */
ctune_status ctune__splitter_for_cv(ctune_splitter *out, const ctune_estimator *est, size_t cv,
                                    int shuffle, uint64_t seed);

/* Borrowed test / train index arrays of split i (no checks). */
static inline const size_t *ctune__splits_test(const ctune_splits *s, size_t i)
{
    return s->rows[i];
}
static inline const size_t *ctune__splits_train(const ctune_splits *s, size_t i)
{
    return s->rows[i] + s->n_test[i];
}

#endif
