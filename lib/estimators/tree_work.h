/* Internal workspace of one tree fit, shared by tree_rank.c (sorting each
 * feature once), tree_split.c (the split search) and tree_build.c (growth).
 * Every buffer is carved out of one allocation made at the start of a fit. */
#ifndef CTUNE_ESTIMATORS_TREE_WORK_H
#define CTUNE_ESTIMATORS_TREE_WORK_H

#include <stddef.h>
#include <stdint.h>

#include "core/rng.h"
#include "estimators/tree.h"

/* Statistics of the node being split. */
typedef struct ctune__tnode {
    size_t n;
    double W;    /* weighted samples */
    double wimp; /* W · impurity */
    double sq;   /* gini: Σ_c W_c² */
    double S;    /* entropy: Σ_c W_c ln W_c */
    double sqs;  /* squared error: Σ y² over samples and outputs */
} ctune__tnode;

/* The best split found so far at a node. */
typedef struct ctune__tsplit {
    int found;
    uint32_t feature;
    uint32_t rank;      /* samples whose rank is <= rank go left */
    uint32_t rank_next; /* best splitter: the next distinct rank in the node */
    double threshold;
    size_t n_left;
    double proxy;                 /* criterion value to maximize (scikit-learn's proxy) */
    double wimp_left, wimp_right; /* children's W · impurity */
} ctune__tsplit;

typedef struct ctune__twork {
    const ctune__tree_config *cfg;
    const ctune_fit_ctx *ctx; /* polled for cancellation per feature scanned; may be NULL */
    size_t n_scanned;         /* features scanned so far, over all nodes */
    ctune__tree *tree;
    size_t n, d, C, t; /* samples, features, classes (0: regressor), outputs */
    int crit, dtype;
    const char **rowp; /* row pointers of the training view */
    /* Codes: column f at R + f * n, valid once ranked[f]. A code is the
     * sample's rank among the feature's distinct values, shifted left by cb
     * with the class in the low bits for classifiers (cb = 0 for regressors). */
    uint32_t *R;
    unsigned cb;
    uint32_t cmask;
    unsigned char *ranked;
    uint32_t *nb; /* number of ranks per feature (distinct values, or the
                        * integer range for integer features) */
    size_t *voff; /* offset of the feature's values by rank in vals */
    double *vals;
    size_t vals_len, vals_cap;
    /* ranking scratch */
    double *col;    /* 8 columns of n values */
    uint32_t *icol; /* the same as small integers (when they are) */
    uint64_t *k0, *k1;
    uint32_t *i0, *i1;
    /* split scratch */
    uint32_t *samples, *srank, *spay, *cnt, *features;
    uint32_t *hist; /* 2 × hist_cap entries (two interleaved copies), kept zero */
    size_t hist_cap;
    /* classification */
    uint32_t *cls;
    double *cw, *lcw; /* class weights and their logs */
    int weighted;
    double *T;        /* T[k] = k ln k (entropy) */
    double *node_w;   /* the node's per-class weighted totals */
    uint32_t *node_k; /* the node's per-class counts */
    double *wl, *wr;
    uint32_t *kl, *kr;
    /* regression */
    double *y; /* n × t */
    double *node_sum, *suml;
    double *hlo, *hhi, *devl, *devr, *buf;
    /* resolved sizes */
    size_t mf, mss, msl, max_depth;
    double mid, w_root;
    ctune_rng rng;
} ctune__twork;

/* Ranks the features of block f / 8 (8 consecutive columns) if not done. */
ctune_status ctune__tree_rank(ctune__twork *w, size_t f);

/* scikit-learn's feature sampling and split search over the node's samples
 * [start, end). *n_const: features known constant in the node (in), and for
 * its children (out). best->found is 0 when no valid split exists.
 * CTUNE_ECANCELLED when the fit context is cancelled (polled before each
 * feature). */
ctune_status ctune__tree_find_split(ctune__twork *w, size_t start, size_t end,
                                    const ctune__tnode *ns, size_t *n_const, ctune__tsplit *best);

/* Median of buf[0..m) (sorted in place) and the sum of |v - median|. */
double ctune__tree_median_dev(double *buf, size_t m, double *dev);

#endif
