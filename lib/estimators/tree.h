/* Internal side of the CART decision trees (classifier and regressor): the
 * fitted tree layout, the build configuration and the builder. */
#ifndef CTUNE_ESTIMATORS_TREE_H
#define CTUNE_ESTIMATORS_TREE_H

#include <stddef.h>
#include <stdint.h>

#include "ctune.h"

enum {
    CTUNE__CRIT_GINI = 1,
    CTUNE__CRIT_ENTROPY, /* also "log_loss" */
    CTUNE__CRIT_SQUARED,
    CTUNE__CRIT_ABSOLUTE
};

enum { CTUNE__MF_ALL = 0, CTUNE__MF_INT, CTUNE__MF_FRAC, CTUNE__MF_SQRT, CTUNE__MF_LOG2 };

/* Validated hyperparameters of one fit. */
typedef struct ctune__tree_config {
    int criterion;       /* CTUNE__CRIT_* */
    int random_splitter; /* 0 = best, 1 = random */
    size_t max_depth;    /* SIZE_MAX for none */
    size_t mss_int;      /* min_samples_split as a count (when mss_frac == 0) */
    double mss_frac;     /* ... or a fraction of n in (0, 1] */
    size_t msl_int;      /* min_samples_leaf as a count (when msl_frac == 0) */
    double msl_frac;     /* ... or a fraction of n in (0, 1) */
    double min_impurity_decrease;
    int mf_kind; /* CTUNE__MF_* */
    int64_t mf_int;
    double mf_frac;
    size_t max_leaf_nodes; /* 0 for none (depth-first growth) */
    int balanced;          /* class_weight = balanced */
    uint64_t seed;
} ctune__tree_config;

/* A node as predict walks it: feature < 0 marks a leaf; otherwise rows with
 * x[feature] <= threshold go to `left` and the others to `left + 1`. */
typedef struct ctune__tree_node {
    int32_t feature;
    int32_t left;
    double threshold;
} ctune__tree_node;

/* Per-node statistics kept for inspection (scikit-learn's tree_ arrays). */
typedef struct ctune__tree_stat {
    double impurity;
    double weight; /* weighted number of training samples */
    size_t n_samples;
} ctune__tree_stat;

typedef struct ctune__tree {
    int classifier;
    size_t n_features;
    size_t n_values; /* classes (classifier) or outputs (regressor) */
    size_t n_nodes, cap;
    size_t n_leaves, depth;
    ctune__tree_node *nodes;
    ctune__tree_stat *stats;
    double *values;      /* n_nodes × n_values: class fractions or predictions */
    double *importances; /* n_features, normalized to sum 1 (all 0 for a stump) */
} ctune__tree;

/* Grows a tree on `train` (y: class codes 0..n_classes-1 for a classifier,
 * n_classes == 0 for a regressor). `t` must be zeroed; on failure it is left
 * empty (ctune__tree_clear is still safe). `ctx` (may be NULL) is polled
 * for cancellation before each feature scanned in a node (CTUNE_ECANCELLED). */
ctune_status ctune__tree_build(ctune__tree *t, const ctune__tree_config *cfg,
                               const ctune_data *train, size_t n_classes, uint64_t seed,
                               const ctune_fit_ctx *ctx);

/* Frees the tree's arrays and zeroes it. */
void ctune__tree_clear(ctune__tree *t);

/* Index of the leaf that row `row` (dtype CTUNE_FLOAT32/64) falls into. */
static inline size_t ctune__tree_leaf(const ctune__tree *t, const void *row, int dtype)
{
    const ctune__tree_node *nd = t->nodes;
    size_t i = 0;
    if (dtype == CTUNE_FLOAT64) {
        const double *x = row;
        while (nd[i].feature >= 0)
            i = (size_t)nd[i].left + (x[nd[i].feature] <= nd[i].threshold ? 0 : 1);
    } else {
        const float *x = row;
        while (nd[i].feature >= 0)
            i = (size_t)nd[i].left + ((double)x[nd[i].feature] <= nd[i].threshold ? 0 : 1);
    }
    return i;
}

#endif
