/* DecisionTreeClassifier and DecisionTreeRegressor: params, vtables and the
 * public accessors. The tree itself is grown by tree_build.c. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "core/alloc.h"
#include "core/data.h"
#include "core/error.h"
#include "core/params.h"
#include "estimator/estimator.h"
#include "estimators/tree.h"
#include "io/stream.h"

#define STRUCTURAL_PARAMS                                                                         \
    {"splitter",                                                                                  \
     CTUNE_TYPE_STRING,                                                                           \
     "best",                                                                                      \
     NULL,                                                                                        \
     "best|random",                                                                               \
     "best: the best split of each drawn feature; random: one random threshold per feature"},     \
        {"max_depth", CTUNE_TYPE_INT | CTUNE_TYPE_NONE,                                           \
         "none",      "[1, inf)",                                                                 \
         NULL,        "maximum depth (root = 0); none grows until leaves are pure or too small"}, \
        {"min_samples_split",                                                                     \
         CTUNE_TYPE_INT | CTUNE_TYPE_DOUBLE,                                                      \
         "2",                                                                                     \
         "(0, inf)",                                                                              \
         NULL,                                                                                    \
         "samples needed to split a node: an int >= 2 or a fraction in (0, 1] of n"},             \
        {"min_samples_leaf",                                                                      \
         CTUNE_TYPE_INT | CTUNE_TYPE_DOUBLE,                                                      \
         "1",                                                                                     \
         "(0, inf)",                                                                              \
         NULL,                                                                                    \
         "samples each leaf must keep: an int >= 1 or a fraction in (0, 1) of n"},                \
        {"min_impurity_decrease",                                                                 \
         CTUNE_TYPE_DOUBLE,                                                                       \
         "0.0",                                                                                   \
         "[0, inf)",                                                                              \
         NULL,                                                                                    \
         "split only when the weighted impurity decreases by at least this"},                     \
        {"max_features",                                                                          \
         CTUNE_TYPE_INT | CTUNE_TYPE_DOUBLE | CTUNE_TYPE_STRING | CTUNE_TYPE_NONE,                \
         "none",                                                                                  \
         "(0, inf)",                                                                              \
         "sqrt|log2",                                                                             \
         "features drawn per split: int, fraction in (0, 1], sqrt, log2 or none (all)"},          \
    {                                                                                             \
        "max_leaf_nodes", CTUNE_TYPE_INT | CTUNE_TYPE_NONE, "none", "[2, inf)", NULL,             \
            "grow best-first up to this many leaves; none grows depth-first"                      \
    }

static const ctune_param_spec CLASSIFIER_SPEC[] = {
    {"criterion", CTUNE_TYPE_STRING, "gini", NULL, "gini|entropy|log_loss",
     "impurity: gini, or entropy (log_loss is the same criterion)"},
    STRUCTURAL_PARAMS,
    {"class_weight", CTUNE_TYPE_STRING | CTUNE_TYPE_NONE, "none", NULL, "balanced",
     "none, or balanced: weight n / (n_classes * count) per class"},
    {"seed", CTUNE_TYPE_INT, "0", "[0, inf)", NULL, "seed of the feature draws and thresholds"},
    {NULL, 0, NULL, NULL, NULL, NULL},
};

static const ctune_param_spec REGRESSOR_SPEC[] = {
    {"criterion", CTUNE_TYPE_STRING, "squared_error", NULL, "squared_error|absolute_error",
     "squared_error (leaf mean) or absolute_error (leaf median)"},
    STRUCTURAL_PARAMS,
    {"seed", CTUNE_TYPE_INT, "0", "[0, inf)", NULL, "seed of the feature draws and thresholds"},
    {NULL, 0, NULL, NULL, NULL, NULL},
};

typedef struct tree_est {
    const char *name;
    ctune__tree_config cfg;
    ctune__tree tree;
} tree_est;

/* ---- params ------------------------------------------------------------------------ */

static ctune_status parse_count_or_fraction(const ctune_params *p, const char *name,
                                            const char *owner, size_t min_int, int frac_incl_one,
                                            size_t *count, double *frac)
{
    *count = 0;
    *frac = 0;
    if (ctune_params_type(p, name) == CTUNE_TYPE_DOUBLE) {
        double v;
        CTUNE_TRY(ctune_params_get_double(&v, p, name));
        if (!(v > 0 && (frac_incl_one ? v <= 1 : v < 1)))
            return ctune_set_error(CTUNE_EINVAL,
                                   "%s: %s = %g: a fraction must be in (0, 1%c "
                                   "(or give an int >= %zu)",
                                   owner, name, v, frac_incl_one ? ']' : ')', min_int);
        *frac = v;
        return CTUNE_OK;
    }
    int64_t v;
    CTUNE_TRY(ctune__params_int_or(p, name, (int64_t)min_int, &v));
    if (v < (int64_t)min_int)
        return ctune_set_error(CTUNE_EINVAL,
                               "%s: %s = %lld: an int must be >= %zu (or give a fraction)", owner,
                               name, (long long)v, min_int);
    *count = (size_t)v;
    return CTUNE_OK;
}

static ctune_status parse_config(const ctune_params *p, int classifier, const char *owner,
                                 ctune__tree_config *c)
{
    memset(c, 0, sizeof *c);
    const char *s;
    CTUNE_TRY(ctune__params_string_or(p, "criterion", classifier ? "gini" : "squared_error", &s));
    if (strcmp(s, "gini") == 0 && classifier)
        c->criterion = CTUNE__CRIT_GINI;
    else if ((strcmp(s, "entropy") == 0 || strcmp(s, "log_loss") == 0) && classifier)
        c->criterion = CTUNE__CRIT_ENTROPY;
    else if (strcmp(s, "squared_error") == 0 && !classifier)
        c->criterion = CTUNE__CRIT_SQUARED;
    else if (strcmp(s, "absolute_error") == 0 && !classifier)
        c->criterion = CTUNE__CRIT_ABSOLUTE;
    else
        return ctune_set_error(CTUNE_EINVAL, "%s: criterion '%s' is not one of %s", owner, s,
                               classifier ? "gini|entropy|log_loss"
                                          : "squared_error|absolute_error");
    CTUNE_TRY(ctune__params_string_or(p, "splitter", "best", &s));
    if (strcmp(s, "best") != 0 && strcmp(s, "random") != 0)
        return ctune_set_error(CTUNE_EINVAL, "%s: splitter '%s' is not one of best|random", owner,
                               s);
    c->random_splitter = strcmp(s, "random") == 0;

    c->max_depth = SIZE_MAX;
    if (ctune_params_find(p, "max_depth") >= 0 && !ctune_params_is_none(p, "max_depth")) {
        int64_t v;
        CTUNE_TRY(ctune_params_get_int(&v, p, "max_depth"));
        if (v < 1)
            return ctune_set_error(CTUNE_EINVAL, "%s: max_depth = %lld must be >= 1 or none", owner,
                                   (long long)v);
        c->max_depth = (size_t)v;
    }
    CTUNE_TRY(
        parse_count_or_fraction(p, "min_samples_split", owner, 2, 1, &c->mss_int, &c->mss_frac));
    CTUNE_TRY(
        parse_count_or_fraction(p, "min_samples_leaf", owner, 1, 0, &c->msl_int, &c->msl_frac));
    CTUNE_TRY(ctune__params_double_or(p, "min_impurity_decrease", 0.0, &c->min_impurity_decrease));
    if (!(c->min_impurity_decrease >= 0) || isinf(c->min_impurity_decrease))
        return ctune_set_error(CTUNE_EINVAL,
                               "%s: min_impurity_decrease = %g must be finite and >= 0", owner,
                               c->min_impurity_decrease);

    c->mf_kind = CTUNE__MF_ALL;
    switch (ctune_params_type(p, "max_features")) {
    case CTUNE_TYPE_INT:
        CTUNE_TRY(ctune_params_get_int(&c->mf_int, p, "max_features"));
        if (c->mf_int < 1)
            return ctune_set_error(CTUNE_EINVAL, "%s: max_features = %lld must be >= 1", owner,
                                   (long long)c->mf_int);
        c->mf_kind = CTUNE__MF_INT;
        break;
    case CTUNE_TYPE_DOUBLE:
        CTUNE_TRY(ctune_params_get_double(&c->mf_frac, p, "max_features"));
        if (!(c->mf_frac > 0 && c->mf_frac <= 1))
            return ctune_set_error(CTUNE_EINVAL,
                                   "%s: max_features = %g: a fraction must be in (0, 1]", owner,
                                   c->mf_frac);
        c->mf_kind = CTUNE__MF_FRAC;
        break;
    case CTUNE_TYPE_STRING:
        CTUNE_TRY(ctune_params_get_string(&s, p, "max_features"));
        if (strcmp(s, "sqrt") == 0)
            c->mf_kind = CTUNE__MF_SQRT;
        else if (strcmp(s, "log2") == 0)
            c->mf_kind = CTUNE__MF_LOG2;
        else
            return ctune_set_error(CTUNE_EINVAL,
                                   "%s: max_features '%s' is not one of sqrt|log2 (or an int, a "
                                   "fraction, none)",
                                   owner, s);
        break;
    default: break;
    }
    if (ctune_params_find(p, "max_leaf_nodes") >= 0 && !ctune_params_is_none(p, "max_leaf_nodes")) {
        int64_t v;
        CTUNE_TRY(ctune_params_get_int(&v, p, "max_leaf_nodes"));
        if (v < 2)
            return ctune_set_error(CTUNE_EINVAL, "%s: max_leaf_nodes = %lld must be >= 2 or none",
                                   owner, (long long)v);
        c->max_leaf_nodes = (size_t)v;
    }
    if (classifier && ctune_params_find(p, "class_weight") >= 0 &&
        !ctune_params_is_none(p, "class_weight")) {
        CTUNE_TRY(ctune_params_get_string(&s, p, "class_weight"));
        if (strcmp(s, "balanced") != 0)
            return ctune_set_error(CTUNE_EINVAL, "%s: class_weight '%s' is not none or balanced",
                                   owner, s);
        c->balanced = 1;
    }
    int64_t seed;
    CTUNE_TRY(ctune__params_int_or(p, "seed", 0, &seed));
    c->seed = (uint64_t)seed;
    return CTUNE_OK;
}

/* ---- vtable methods ----------------------------------------------------------------- */

static ctune_status tree_create(void **self, const ctune_params *params, int classifier)
{
    const char *name = classifier ? "DecisionTreeClassifier" : "DecisionTreeRegressor";
    ctune__tree_config cfg;
    CTUNE_TRY(parse_config(params, classifier, name, &cfg));
    tree_est *te = ctune__calloc(1, sizeof *te);
    if (!te)
        return CTUNE_ENOMEM;
    te->name = name;
    te->cfg = cfg;
    *self = te;
    return CTUNE_OK;
}

static ctune_status cls_create(void **self, const ctune_params *params, void *user)
{
    (void)user;
    return tree_create(self, params, 1);
}

static ctune_status reg_create(void **self, const ctune_params *params, void *user)
{
    (void)user;
    return tree_create(self, params, 0);
}

static ctune_status tree_fit(void *self, const ctune_data *train, size_t n_classes,
                             const ctune_fit_ctx *ctx)
{
    tree_est *te = self;
    ctune__tree_clear(&te->tree);
    ctune_data *own; /* the builder walks stored rows */
    CTUNE_TRY(ctune__data_plain(train, &own, &train));
    ctune_status rc = ctune__tree_build(&te->tree, &te->cfg, train, n_classes,
                                        ctune_fit_ctx_seed(ctx, te->cfg.seed), ctx);
    ctune_data_free(own);
    if (rc != CTUNE_OK && rc != CTUNE_ENOMEM)
        ctune__error_prefix("%s", te->name);
    return rc;
}

static ctune_status cls_predict(void *self, const ctune_data *X, double *out)
{
    ctune_data *own; /* leaves are found from stored rows */
    CTUNE_TRY(ctune__data_plain(X, &own, &X));
    const ctune__tree *t = &((tree_est *)self)->tree;
    int dtype = ctune_data_dtype(X);
    size_t C = t->n_values;
    for (size_t i = 0; i < X->n; i++) {
        const double *v = t->values + ctune__tree_leaf(t, ctune__data_row_ptr(X, i), dtype) * C;
        size_t best = 0;
        for (size_t c = 1; c < C; c++)
            if (v[c] > v[best])
                best = c;
        out[i] = (double)best;
    }
    ctune_data_free(own);
    return CTUNE_OK;
}

static ctune_status cls_predict_proba(void *self, const ctune_data *X, double *out)
{
    ctune_data *own; /* leaves are found from stored rows */
    CTUNE_TRY(ctune__data_plain(X, &own, &X));
    const ctune__tree *t = &((tree_est *)self)->tree;
    int dtype = ctune_data_dtype(X);
    size_t C = t->n_values;
    for (size_t i = 0; i < X->n; i++) {
        size_t leaf = ctune__tree_leaf(t, ctune__data_row_ptr(X, i), dtype);
        memcpy(out + i * C, t->values + leaf * C, C * sizeof *out);
    }
    ctune_data_free(own);
    return CTUNE_OK;
}

static ctune_status reg_predict(void *self, const ctune_data *X, double *out)
{
    ctune_data *own; /* leaves are found from stored rows */
    CTUNE_TRY(ctune__data_plain(X, &own, &X));
    const ctune__tree *t = &((tree_est *)self)->tree;
    int dtype = ctune_data_dtype(X);
    size_t k = t->n_values;
    for (size_t i = 0; i < X->n; i++) {
        size_t leaf = ctune__tree_leaf(t, ctune__data_row_ptr(X, i), dtype);
        memcpy(out + i * k, t->values + leaf * k, k * sizeof *out);
    }
    ctune_data_free(own);
    return CTUNE_OK;
}

static size_t reg_n_outputs(const void *self) { return ((const tree_est *)self)->tree.n_values; }

static void tree_destroy(void *self)
{
    tree_est *te = self;
    if (!te)
        return;
    ctune__tree_clear(&te->tree);
    ctune__free(te);
}

/* ---- persistence ------------------------------------------------------------------------
 * u64 n_features, n_values, n_nodes, n_leaves, depth; per node i64 feature, i64 left,
 * f64 threshold, f64 impurity, f64 weighted samples, u64 samples; f64 values
 * (n_nodes × n_values); f64 importances (n_features). */

#define NODE_BYTES 48

static ctune_status tree_save(const void *self, ctune_writer *w)
{
    const ctune__tree *t = &((const tree_est *)self)->tree;
    CTUNE_TRY(ctune_write_u64(w, t->n_features));
    CTUNE_TRY(ctune_write_u64(w, t->n_values));
    CTUNE_TRY(ctune_write_u64(w, t->n_nodes));
    CTUNE_TRY(ctune_write_u64(w, t->n_leaves));
    CTUNE_TRY(ctune_write_u64(w, t->depth));
    for (size_t i = 0; i < t->n_nodes; i++) {
        CTUNE_TRY(ctune_write_i64(w, t->nodes[i].feature));
        CTUNE_TRY(ctune_write_i64(w, t->nodes[i].left));
        CTUNE_TRY(ctune_write_f64(w, t->nodes[i].threshold));
        CTUNE_TRY(ctune_write_f64(w, t->stats[i].impurity));
        CTUNE_TRY(ctune_write_f64(w, t->stats[i].weight));
        CTUNE_TRY(ctune_write_u64(w, t->stats[i].n_samples));
    }
    CTUNE_TRY(ctune_write_f64_array(w, t->values, t->n_nodes * t->n_values));
    return ctune_write_f64_array(w, t->importances, t->n_features);
}

static ctune_status corrupt(const char *name, const char *what, size_t node)
{
    return ctune_set_error(CTUNE_EFORMAT, "model file corrupted: %s node %zu %s", name, node, what);
}

/* Reads the nodes and checks that they form a tree predict can walk: every
 * node but the root has one parent, listed before it; split features exist;
 * children are in range. Recounts the leaves and the depth. */
static ctune_status read_nodes(ctune_reader *r, ctune__tree *t, const char *name, size_t *leaves,
                               size_t *depth)
{
    size_t n = t->n_nodes;
    size_t *level = ctune__malloc_array(n, sizeof *level);
    if (!level)
        return CTUNE_ENOMEM;
    for (size_t i = 0; i < n; i++)
        level[i] = SIZE_MAX;
    level[0] = 0;
    *leaves = 0;
    *depth = 0;
    ctune_status rc = CTUNE_OK;
    for (size_t i = 0; rc == CTUNE_OK && i < n; i++) {
        int64_t feature, left;
        uint64_t count;
        ctune__tree_stat *st = &t->stats[i];
        rc = ctune_read_i64(&feature, r);
        if (rc == CTUNE_OK)
            rc = ctune_read_i64(&left, r);
        if (rc == CTUNE_OK)
            rc = ctune_read_f64(&t->nodes[i].threshold, r);
        if (rc == CTUNE_OK)
            rc = ctune_read_f64(&st->impurity, r);
        if (rc == CTUNE_OK)
            rc = ctune_read_f64(&st->weight, r);
        if (rc == CTUNE_OK)
            rc = ctune_read_u64(&count, r);
        if (rc != CTUNE_OK)
            break;
        if (level[i] == SIZE_MAX) {
            rc = corrupt(name, "has no parent", i);
            break;
        }
        if (!isfinite(st->impurity) || !(st->weight >= 0) || isinf(st->weight) ||
            count > SIZE_MAX) {
            rc = corrupt(name, "has impossible statistics", i);
            break;
        }
        st->n_samples = (size_t)count;
        t->nodes[i].feature = (int32_t)(feature < 0 ? -1 : feature);
        t->nodes[i].left = (int32_t)(left < 0 ? -1 : left);
        if (feature == -1 && left == -1) {
            ++*leaves;
            if (level[i] > *depth)
                *depth = level[i];
            continue;
        }
        if (feature < 0 || (uint64_t)feature >= t->n_features) {
            rc = corrupt(name, "splits on a feature that does not exist", i);
        } else if (left <= (int64_t)i || (uint64_t)left >= n - 1) {
            rc = corrupt(name, "has children out of range", i);
        } else if (!isfinite(t->nodes[i].threshold)) {
            rc = corrupt(name, "has a threshold that is not finite", i);
        } else if (level[left] != SIZE_MAX || level[left + 1] != SIZE_MAX) {
            rc = corrupt(name, "has a child that already has a parent", i);
        } else {
            level[left] = level[left + 1] = level[i] + 1;
        }
    }
    ctune__free(level);
    return rc;
}

static ctune_status tree_load(void **self, const ctune_params *params, ctune_reader *r,
                              int classifier)
{
    tree_est *te;
    CTUNE_TRY(tree_create((void **)&te, params, classifier));
    ctune__tree *t = &te->tree;
    const char *name = te->name;
    uint64_t nf, nv, nn, n_leaves, depth;
    ctune_status rc = ctune_read_u64(&nf, r);
    if (rc == CTUNE_OK)
        rc = ctune_read_u64(&nv, r);
    if (rc == CTUNE_OK)
        rc = ctune_read_u64(&nn, r);
    if (rc == CTUNE_OK)
        rc = ctune_read_u64(&n_leaves, r);
    if (rc == CTUNE_OK)
        rc = ctune_read_u64(&depth, r);
    size_t want_values = classifier ? r->fit_classes : r->fit_outputs;
    size_t left = ctune_read_remaining(r);
    if (rc == CTUNE_OK &&
        (nf != r->fit_features || nv == 0 || nv != want_values || nn == 0 ||
         nn > left / NODE_BYTES || nn > INT32_MAX || nv > (left / 8) / nn || nf > left / 8))
        rc = ctune_set_error(CTUNE_EFORMAT,
                             "model file corrupted: %s of %llu nodes, %llu values per node and "
                             "%llu features (fitted on %zu features, %zu %s)",
                             name, (unsigned long long)nn, (unsigned long long)nv,
                             (unsigned long long)nf, r->fit_features, want_values,
                             classifier ? "classes" : "outputs");
    if (rc == CTUNE_OK) {
        t->classifier = classifier;
        t->n_features = (size_t)nf;
        t->n_values = (size_t)nv;
        t->n_nodes = t->cap = (size_t)nn;
        t->nodes = ctune__malloc_array(t->n_nodes, sizeof *t->nodes);
        t->stats = ctune__malloc_array(t->n_nodes, sizeof *t->stats);
        t->values = ctune__malloc_array(t->n_nodes * t->n_values, sizeof *t->values);
        t->importances = ctune__malloc_array(t->n_features, sizeof *t->importances);
        if (!t->nodes || !t->stats || !t->values || !t->importances)
            rc = CTUNE_ENOMEM;
    }
    size_t leaves = 0, deepest = 0;
    if (rc == CTUNE_OK)
        rc = read_nodes(r, t, name, &leaves, &deepest);
    if (rc == CTUNE_OK && (leaves != n_leaves || deepest != depth))
        rc = ctune_set_error(CTUNE_EFORMAT,
                             "model file corrupted: %s says %llu leaves and depth %llu, its nodes "
                             "make %zu and %zu",
                             name, (unsigned long long)n_leaves, (unsigned long long)depth, leaves,
                             deepest);
    if (rc == CTUNE_OK) {
        t->n_leaves = leaves;
        t->depth = deepest;
        rc = ctune_read_f64_array(t->values, t->n_nodes * t->n_values, r);
    }
    if (rc == CTUNE_OK)
        rc = ctune_read_f64_array(t->importances, t->n_features, r);
    for (size_t i = 0; rc == CTUNE_OK && i < t->n_nodes * t->n_values; i++)
        if (!isfinite(t->values[i]))
            rc = corrupt(name, "has a non-finite value", i / t->n_values);
    /* A classifier's values are class fractions: predict_proba returns them. */
    for (size_t i = 0; rc == CTUNE_OK && classifier && i < t->n_nodes; i++) {
        const double *v = t->values + i * t->n_values;
        double sum = 0;
        for (size_t j = 0; j < t->n_values; j++) {
            if (!(v[j] >= 0 && v[j] <= 1)) {
                rc = ctune_set_error(CTUNE_EFORMAT,
                                     "model file corrupted: %s node %zu has class %zu probability "
                                     "%.17g, outside [0, 1]",
                                     name, i, j, v[j]);
                break;
            }
            sum += v[j];
        }
        if (rc == CTUNE_OK && !(fabs(sum - 1) <= 1e-9 * (double)t->n_values))
            rc = ctune_set_error(CTUNE_EFORMAT,
                                 "model file corrupted: %s node %zu has class probabilities "
                                 "summing to %.17g, not 1",
                                 name, i, sum);
    }
    for (size_t f = 0; rc == CTUNE_OK && f < t->n_features; f++)
        if (!(t->importances[f] >= 0 && t->importances[f] <= 1))
            rc = ctune_set_error(CTUNE_EFORMAT,
                                 "model file corrupted: %s importance of feature %zu is %g", name,
                                 f, t->importances[f]);
    if (rc != CTUNE_OK) {
        tree_destroy(te);
        return rc;
    }
    *self = te;
    return CTUNE_OK;
}

static ctune_status cls_load(void **self, const ctune_params *params, ctune_reader *r, void *user)
{
    (void)user;
    return tree_load(self, params, r, 1);
}

static ctune_status reg_load(void **self, const ctune_params *params, ctune_reader *r, void *user)
{
    (void)user;
    return tree_load(self, params, r, 0);
}

static const ctune_estimator_vtable CLASSIFIER_VT = {
    .version = CTUNE_ESTIMATOR_VTABLE_VERSION,
    .name = "DecisionTreeClassifier",
    .kind = CTUNE_CLASSIFIER,
    .params = CLASSIFIER_SPEC,
    .create = cls_create,
    .fit = tree_fit,
    .predict = cls_predict,
    .predict_proba = cls_predict_proba,
    .save = tree_save,
    .load = cls_load,
    .destroy = tree_destroy,
};

static const ctune_estimator_vtable REGRESSOR_VT = {
    .version = CTUNE_ESTIMATOR_VTABLE_VERSION,
    .name = "DecisionTreeRegressor",
    .kind = CTUNE_REGRESSOR,
    .params = REGRESSOR_SPEC,
    .create = reg_create,
    .fit = tree_fit,
    .predict = reg_predict,
    .save = tree_save,
    .load = reg_load,
    .destroy = tree_destroy,
    .n_outputs = reg_n_outputs,
};

ctune_status ctune_decision_tree_classifier_new(ctune_estimator **out)
{
    return ctune_estimator_new(out, &CLASSIFIER_VT, NULL);
}

ctune_status ctune_decision_tree_regressor_new(ctune_estimator **out)
{
    return ctune_estimator_new(out, &REGRESSOR_VT, NULL);
}

const ctune_estimator_vtable *ctune_decision_tree_classifier_vtable(void) { return &CLASSIFIER_VT; }

const ctune_estimator_vtable *ctune_decision_tree_regressor_vtable(void) { return &REGRESSOR_VT; }

/* ---- accessors ------------------------------------------------------------------------ */

static ctune_status fitted_tree(const ctune_estimator *est, const char *fn, const ctune__tree **out)
{
    *out = NULL;
    if (!est)
        return ctune_set_error(CTUNE_EINVAL, "%s: tree is NULL", fn);
    const ctune_estimator_vtable *vt = ctune_estimator_vtable_of(est);
    if (vt != &CLASSIFIER_VT && vt != &REGRESSOR_VT)
        return ctune_set_error(CTUNE_EINVAL,
                               "%s: %s is not a DecisionTreeClassifier or "
                               "DecisionTreeRegressor",
                               fn, ctune_estimator_name(est));
    const tree_est *te = ctune__estimator_self(est);
    if (!te)
        return ctune_set_error(CTUNE_ESTATE, "%s: %s is not fitted: call fit first", fn, vt->name);
    *out = &te->tree;
    return CTUNE_OK;
}

ctune_status ctune_tree_depth(size_t *out, const ctune_estimator *tree)
{
    const ctune__tree *t;
    CTUNE_TRY(fitted_tree(tree, __func__, &t));
    CTUNE_CHECK_NULL(out, "out");
    *out = t->depth;
    return CTUNE_OK;
}

ctune_status ctune_tree_n_leaves(size_t *out, const ctune_estimator *tree)
{
    const ctune__tree *t;
    CTUNE_TRY(fitted_tree(tree, __func__, &t));
    CTUNE_CHECK_NULL(out, "out");
    *out = t->n_leaves;
    return CTUNE_OK;
}

ctune_status ctune_tree_n_nodes(size_t *out, const ctune_estimator *tree)
{
    const ctune__tree *t;
    CTUNE_TRY(fitted_tree(tree, __func__, &t));
    CTUNE_CHECK_NULL(out, "out");
    *out = t->n_nodes;
    return CTUNE_OK;
}

ctune_status ctune_tree_feature_importances(double *out, const ctune_estimator *tree)
{
    const ctune__tree *t;
    CTUNE_TRY(fitted_tree(tree, __func__, &t));
    CTUNE_CHECK_NULL(out, "out");
    memcpy(out, t->importances, t->n_features * sizeof *out);
    return CTUNE_OK;
}

static ctune_status check_node(const ctune__tree *t, size_t node, const char *fn)
{
    if (node >= t->n_nodes)
        return ctune_set_error(CTUNE_EINVAL,
                               "%s: node %zu is out of range (the tree has %zu nodes)", fn, node,
                               t->n_nodes);
    return CTUNE_OK;
}

ctune_status ctune_tree_node(int64_t *feature, double *threshold, int64_t *left, int64_t *right,
                             const ctune_estimator *tree, size_t node)
{
    const ctune__tree *t;
    CTUNE_TRY(fitted_tree(tree, __func__, &t));
    CTUNE_TRY(check_node(t, node, __func__));
    const ctune__tree_node *nd = &t->nodes[node];
    int leaf = nd->feature < 0;
    if (feature)
        *feature = leaf ? -1 : nd->feature;
    if (threshold)
        *threshold = leaf ? NAN : nd->threshold;
    if (left)
        *left = leaf ? -1 : nd->left;
    if (right)
        *right = leaf ? -1 : (int64_t)nd->left + 1;
    return CTUNE_OK;
}

ctune_status ctune_tree_node_stats(double *impurity, double *weighted_n_samples, size_t *n_samples,
                                   const ctune_estimator *tree, size_t node)
{
    const ctune__tree *t;
    CTUNE_TRY(fitted_tree(tree, __func__, &t));
    CTUNE_TRY(check_node(t, node, __func__));
    const ctune__tree_stat *st = &t->stats[node];
    if (impurity)
        *impurity = st->impurity;
    if (weighted_n_samples)
        *weighted_n_samples = st->weight;
    if (n_samples)
        *n_samples = st->n_samples;
    return CTUNE_OK;
}

ctune_status ctune_tree_node_value(double *out, const ctune_estimator *tree, size_t node)
{
    const ctune__tree *t;
    CTUNE_TRY(fitted_tree(tree, __func__, &t));
    CTUNE_TRY(check_node(t, node, __func__));
    CTUNE_CHECK_NULL(out, "out");
    memcpy(out, t->values + node * t->n_values, t->n_values * sizeof *out);
    return CTUNE_OK;
}
