/* Grows CART trees (scikit-learn's algorithm): node statistics, depth-first
 * growth (a stack) or best-first growth with max_leaf_nodes (a frontier
 * heap ordered by impurity improvement), and the fit's setup.
 *
 * A node is a range of `samples`, partitioned in place when it splits; the
 * split search is in tree_split.c and the per-fit sorting of the features in
 * tree_rank.c. All buffers are allocated once per fit: nothing is allocated
 * per node except the amortized growth of the node arrays.
 *
 * A node is a leaf when it is pure (impurity <= DBL_EPSILON), as deep as
 * max_depth, has fewer than min_samples_split or 2 * min_samples_leaf
 * samples, has no valid split, or its best split improves the weighted
 * impurity by less than min_impurity_decrease. */
#include "estimators/tree.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/data.h"
#include "core/error.h"
#include "core/rng.h"
#include "estimators/tree_work.h"

#define EPS DBL_EPSILON
#define LN2 0.69314718055994530942

/* ---- node statistics ----------------------------------------------------------------- */

/* Computes the node's statistics and writes its value and stat. */
static void node_stats(ctune__twork *w, size_t node, size_t start, size_t end, ctune__tnode *ns)
{
    size_t m = end - start;
    const uint32_t *smp = w->samples + start;
    ctune__tree *tr = w->tree;
    double *val = tr->values + node * tr->n_values;
    memset(ns, 0, sizeof *ns);
    ns->n = m;
    if (w->C) {
        size_t C = w->C;
        memset(w->node_k, 0, C * sizeof *w->node_k);
        for (size_t p = 0; p < m; p++)
            w->node_k[w->cls[smp[p]]]++;
        double W = 0, sq = 0, S = 0;
        for (size_t c = 0; c < C; c++) {
            uint32_t k = w->node_k[c];
            double wc = w->cw[c] * (double)k;
            w->node_w[c] = wc;
            W += wc;
            sq += wc * wc;
            if (k && w->crit == CTUNE__CRIT_ENTROPY)
                S += w->weighted ? w->cw[c] * ((double)k * w->lcw[c] + w->T[k]) : w->T[k];
        }
        for (size_t c = 0; c < C; c++)
            val[c] = w->node_w[c] / W;
        ns->W = W;
        ns->sq = sq;
        ns->S = S;
        if (w->crit == CTUNE__CRIT_GINI)
            ns->wimp = W - sq / W;
        else
            ns->wimp = ((w->weighted ? W * log(W) : w->T[m]) - S) / LN2;
    } else {
        size_t t = w->t;
        double W = (double)m, total = 0;
        for (size_t k = 0; k < t; k++) {
            if (w->crit == CTUNE__CRIT_SQUARED) {
                double s = 0, sqs = 0;
                for (size_t p = 0; p < m; p++)
                    s += w->y[(size_t)smp[p] * t + k];
                double mean = s / W;
                for (size_t p = 0; p < m; p++) {
                    double v = w->y[(size_t)smp[p] * t + k];
                    total += (v - mean) * (v - mean);
                    sqs += v * v;
                }
                w->node_sum[k] = s;
                ns->sqs += sqs;
                val[k] = mean;
            } else {
                for (size_t p = 0; p < m; p++)
                    w->buf[p] = w->y[(size_t)smp[p] * t + k];
                double dev;
                val[k] = ctune__tree_median_dev(w->buf, m, &dev);
                total += dev;
            }
        }
        ns->W = W;
        ns->wimp = total / (double)t;
    }
    if (ns->wimp < 0)
        ns->wimp = 0;
    tr->stats[node].impurity = ns->wimp / ns->W;
    tr->stats[node].weight = ns->W;
    tr->stats[node].n_samples = m;
}

/* Moves the node's samples with rank <= r of feature f to the front. */
static void partition(ctune__twork *w, size_t start, size_t end, const ctune__tsplit *s)
{
    const uint32_t *Rf = w->R + (size_t)s->feature * w->n;
    uint32_t *a = w->samples;
    size_t i = start, j = end;
    while (i < j) {
        if ((Rf[a[i]] >> w->cb) <= s->rank) {
            i++;
        } else {
            j--;
            uint32_t tmp = a[i];
            a[i] = a[j];
            a[j] = tmp;
        }
    }
}

/* ---- tree storage ------------------------------------------------------------------------- */

/* Appends k nodes; returns the first id through *id. */
static ctune_status add_nodes(ctune__tree *t, size_t k, size_t *id)
{
    if (t->n_nodes + k > t->cap) {
        size_t cap = t->cap ? t->cap : 32;
        while (cap < t->n_nodes + k)
            cap *= 2;
        ctune__tree_node *nd = ctune__realloc(t->nodes, cap * sizeof *nd);
        if (!nd)
            return CTUNE_ENOMEM;
        t->nodes = nd;
        ctune__tree_stat *st = ctune__realloc(t->stats, cap * sizeof *st);
        if (!st)
            return CTUNE_ENOMEM;
        t->stats = st;
        double *v = ctune__realloc(t->values, cap * t->n_values * sizeof *v);
        if (!v)
            return CTUNE_ENOMEM;
        t->values = v;
        t->cap = cap;
    }
    *id = t->n_nodes;
    for (size_t i = 0; i < k; i++) {
        t->nodes[t->n_nodes + i].feature = -1;
        t->nodes[t->n_nodes + i].left = -1;
        t->nodes[t->n_nodes + i].threshold = 0;
    }
    t->n_nodes += k;
    return CTUNE_OK;
}

static void mark_leaf(ctune__twork *w, size_t depth)
{
    w->tree->n_leaves++;
    if (depth > w->tree->depth)
        w->tree->depth = depth;
}

/* Decides whether the node splits; fills *s when it does. */
static ctune_status node_split(ctune__twork *w, size_t start, size_t end, size_t depth,
                               const ctune__tnode *ns, size_t *n_const, ctune__tsplit *s,
                               int *is_leaf)
{
    size_t m = end - start;
    s->found = 0;
    *is_leaf = depth >= w->max_depth || m < w->mss || m < 2 * w->msl || ns->wimp / ns->W <= EPS;
    if (*is_leaf)
        return CTUNE_OK;
    CTUNE_TRY(ctune__tree_find_split(w, start, end, ns, n_const, s));
    if (!s->found)
        *is_leaf = 1;
    else if ((ns->wimp - s->wimp_left - s->wimp_right) / w->w_root + EPS < w->mid)
        *is_leaf = 1;
    return CTUNE_OK;
}

static void record_split(ctune__twork *w, size_t node, size_t child, const ctune__tnode *ns,
                         const ctune__tsplit *s)
{
    ctune__tree_node *nd = &w->tree->nodes[node];
    nd->feature = (int32_t)s->feature;
    nd->left = (int32_t)child;
    nd->threshold = s->threshold;
    w->tree->importances[s->feature] += ns->wimp - s->wimp_left - s->wimp_right;
}

typedef struct frame {
    size_t start, end, depth, node, n_const;
} frame;

static ctune_status build_depth_first(ctune__twork *w, frame *stack)
{
    size_t top = 0, root;
    CTUNE_TRY(add_nodes(w->tree, 1, &root));
    stack[top++] = (frame){0, w->n, 0, root, 0};
    while (top) {
        frame fr = stack[--top];
        ctune__tnode ns;
        node_stats(w, fr.node, fr.start, fr.end, &ns);
        ctune__tsplit s;
        int leaf;
        size_t n_const = fr.n_const;
        CTUNE_TRY(node_split(w, fr.start, fr.end, fr.depth, &ns, &n_const, &s, &leaf));
        if (leaf) {
            mark_leaf(w, fr.depth);
            continue;
        }
        size_t child;
        CTUNE_TRY(add_nodes(w->tree, 2, &child));
        partition(w, fr.start, fr.end, &s);
        record_split(w, fr.node, child, &ns, &s);
        size_t mid = fr.start + s.n_left;
        stack[top++] = (frame){mid, fr.end, fr.depth + 1, child + 1, n_const};
        stack[top++] = (frame){fr.start, mid, fr.depth + 1, child, n_const};
    }
    return CTUNE_OK;
}

typedef struct frontier {
    size_t start, end, depth, node;
    double improvement;
    int leaf;
    ctune__tnode ns;
    ctune__tsplit s;
} frontier;

static int fr_before(const frontier *a, const frontier *b)
{
    if (a->improvement != b->improvement)
        return a->improvement > b->improvement;
    return a->node < b->node;
}

static void fr_push(frontier *h, size_t *n, const frontier *x)
{
    size_t i = (*n)++;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!fr_before(x, &h[p]))
            break;
        h[i] = h[p];
        i = p;
    }
    h[i] = *x;
}

static frontier fr_pop(frontier *h, size_t *n)
{
    frontier top = h[0], v = h[--*n];
    size_t i = 0, m = *n;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= m)
            break;
        if (c + 1 < m && fr_before(&h[c + 1], &h[c]))
            c++;
        if (!fr_before(&h[c], &v))
            break;
        h[i] = h[c];
        i = c;
    }
    if (m)
        h[i] = v;
    return top;
}

static ctune_status fr_add(ctune__twork *w, frontier *h, size_t *nh, size_t start, size_t end,
                           size_t depth, size_t node)
{
    frontier f;
    memset(&f, 0, sizeof f);
    f.start = start;
    f.end = end;
    f.depth = depth;
    f.node = node;
    node_stats(w, node, start, end, &f.ns);
    size_t n_const = 0; /* frontier nodes are split in any order: no inheritance */
    CTUNE_TRY(node_split(w, start, end, depth, &f.ns, &n_const, &f.s, &f.leaf));
    f.improvement = f.leaf ? 0.0 : (f.ns.wimp - f.s.wimp_left - f.s.wimp_right) / w->w_root;
    fr_push(h, nh, &f);
    return CTUNE_OK;
}

static ctune_status build_best_first(ctune__twork *w, frontier *heap)
{
    size_t nh = 0, root;
    CTUNE_TRY(add_nodes(w->tree, 1, &root));
    CTUNE_TRY(fr_add(w, heap, &nh, 0, w->n, 0, root));
    size_t splits_left = w->cfg->max_leaf_nodes - 1;
    while (nh) {
        frontier f = fr_pop(heap, &nh);
        if (f.leaf || splits_left == 0) {
            mark_leaf(w, f.depth);
            continue;
        }
        size_t child;
        CTUNE_TRY(add_nodes(w->tree, 2, &child));
        partition(w, f.start, f.end, &f.s);
        record_split(w, f.node, child, &f.ns, &f.s);
        splits_left--;
        size_t mid = f.start + f.s.n_left;
        CTUNE_TRY(fr_add(w, heap, &nh, f.start, mid, f.depth + 1, child));
        CTUNE_TRY(fr_add(w, heap, &nh, mid, f.end, f.depth + 1, child + 1));
    }
    return CTUNE_OK;
}

/* ---- entry point ------------------------------------------------------------------------ */

void ctune__tree_clear(ctune__tree *t)
{
    if (!t)
        return;
    ctune__free(t->nodes);
    ctune__free(t->stats);
    ctune__free(t->values);
    ctune__free(t->importances);
    memset(t, 0, sizeof *t);
}

/* Carves aligned buffers out of one allocation. */
typedef struct arena {
    char *base;
    size_t off;
} arena;

static void *carve(arena *a, size_t bytes)
{
    size_t off = (a->off + 63) & ~(size_t)63;
    a->off = off + bytes;
    return a->base ? a->base + off : NULL;
}

static size_t resolve_max_features(const ctune__tree_config *c, size_t d)
{
    switch (c->mf_kind) {
    case CTUNE__MF_INT: return (size_t)c->mf_int;
    case CTUNE__MF_FRAC: {
        size_t k = (size_t)(c->mf_frac * (double)d);
        return k ? k : 1;
    }
    case CTUNE__MF_SQRT: {
        size_t k = (size_t)sqrt((double)d);
        return k ? k : 1;
    }
    case CTUNE__MF_LOG2: {
        size_t k = (size_t)log2((double)d);
        return k ? k : 1;
    }
    default: return d;
    }
}

static void layout(arena *a, ctune__twork *w, int best_first, size_t n_frontier, frame **stack,
                   frontier **heap)
{
    size_t n = w->n, d = w->d, C = w->C, t = w->t;
    a->off = 0;
    w->rowp = carve(a, n * sizeof *w->rowp);
    w->R = carve(a, n * d * sizeof *w->R);
    w->ranked = carve(a, d);
    w->nb = carve(a, d * sizeof *w->nb);
    w->voff = carve(a, d * sizeof *w->voff);
    w->col = carve(a, 8 * n * sizeof *w->col);
    w->icol = carve(a, 8 * n * sizeof *w->icol);
    w->k0 = carve(a, n * sizeof *w->k0);
    w->k1 = carve(a, n * sizeof *w->k1);
    w->i0 = carve(a, n * sizeof *w->i0);
    w->i1 = carve(a, n * sizeof *w->i1);
    w->samples = carve(a, n * sizeof *w->samples);
    w->srank = carve(a, n * sizeof *w->srank);
    w->spay = carve(a, n * sizeof *w->spay);
    w->features = carve(a, d * sizeof *w->features);
    if (C) {
        w->cls = carve(a, n * sizeof *w->cls);
        w->cw = carve(a, C * sizeof *w->cw);
        w->lcw = carve(a, C * sizeof *w->lcw);
        w->T = carve(a, (n + 1) * sizeof *w->T);
        w->node_w = carve(a, C * sizeof *w->node_w);
        w->node_k = carve(a, C * sizeof *w->node_k);
        w->wl = carve(a, C * sizeof *w->wl);
        w->wr = carve(a, C * sizeof *w->wr);
        w->kl = carve(a, C * sizeof *w->kl);
        w->kr = carve(a, C * sizeof *w->kr);
    } else {
        /* counting sort of a node by rank: integer features are ranked by
         * value, so ranks reach n + 255 (tree_rank.c) */
        w->cnt = carve(a, (n + 257) * sizeof *w->cnt);
        w->y = carve(a, n * t * sizeof *w->y);
        w->node_sum = carve(a, t * sizeof *w->node_sum);
        w->suml = carve(a, t * sizeof *w->suml);
        if (w->crit == CTUNE__CRIT_ABSOLUTE) {
            w->hlo = carve(a, n * sizeof *w->hlo);
            w->hhi = carve(a, n * sizeof *w->hhi);
            w->devl = carve(a, n * sizeof *w->devl);
            w->devr = carve(a, n * sizeof *w->devr);
            w->buf = carve(a, n * sizeof *w->buf);
        }
    }
    if (best_first)
        *heap = carve(a, (n_frontier + 1) * sizeof **heap);
    else
        *stack = carve(a, (n + 2) * sizeof **stack);
}

/* The work's sizes and stopping rules from the config and the data;
 * checks what makes the data unusable for a tree. */
static ctune_status setup_work(ctune__twork *w, const ctune__tree_config *cfg,
                               const ctune_data *train, size_t n_classes)
{
    size_t n = ctune_data_n_rows(train), d = ctune_data_n_cols(train);
    unsigned cb = 0;
    while (((size_t)1 << cb) < n_classes)
        cb++;
    if (n >= UINT32_MAX || d >= INT32_MAX || (n_classes && ((uint64_t)n << cb) >= UINT32_MAX))
        return ctune_set_error(CTUNE_EDATA,
                               "%zu rows × %zu features%s is too large for 32-bit "
                               "sample codes",
                               n, d, n_classes ? " with this many classes" : "");
    w->cfg = cfg;
    w->n = n;
    w->d = d;
    w->C = n_classes;
    w->cb = cb;
    w->cmask = ((uint32_t)1 << cb) - 1;
    w->t = n_classes ? 0 : ctune_data_n_targets(train);
    w->crit = cfg->criterion;
    w->dtype = ctune_data_dtype(train);
    w->hist_cap = n_classes ? 16 * n + 64 + ((size_t)1 << cb) : 0;
    w->mf = resolve_max_features(cfg, d);
    if (w->mf > d)
        return ctune_set_error(CTUNE_EINVAL, "max_features %zu exceeds the %zu features of X",
                               w->mf, d);
    /* The regression criteria sum y and its squares (and square the sums):
     * n·|y| <= 1e150 keeps every one of them finite. */
    for (size_t k = 0; k < w->t; k++)
        for (size_t i = 0; i < n; i++) {
            double v = ctune__data_y_at(train, i, k);
            if (fabs(v) * (double)n > 1e150)
                return ctune_set_error(CTUNE_EDATA,
                                       "y row %zu is %g: with %zu rows a regression tree needs "
                                       "|y| <= %g (the sums of its criterion would overflow); "
                                       "scale y",
                                       i, v, n, 1e150 / (double)n);
        }
    w->msl = cfg->msl_frac > 0 ? (size_t)ceil(cfg->msl_frac * (double)n) : cfg->msl_int;
    if (w->msl < 1)
        w->msl = 1;
    w->mss = cfg->mss_frac > 0 ? (size_t)ceil(cfg->mss_frac * (double)n) : cfg->mss_int;
    if (w->mss < 2)
        w->mss = 2;
    if (w->mss < 2 * w->msl)
        w->mss = 2 * w->msl;
    w->max_depth = cfg->max_depth;
    w->mid = cfg->min_impurity_decrease;
    return CTUNE_OK;
}

/* Fills the laid-out work: row pointers, features and samples in order,
 * classes with their weights (or the targets), the root's weight. */
static void fill_work(ctune__twork *w, const ctune__tree_config *cfg, const ctune_data *train)
{
    size_t n = w->n, d = w->d;
    for (size_t i = 0; i < n; i++)
        w->rowp[i] = ctune__data_row_ptr(train, i);
    memset(w->ranked, 0, d);
    for (size_t f = 0; f < d; f++)
        w->features[f] = (uint32_t)f;
    for (size_t i = 0; i < n; i++)
        w->samples[i] = (uint32_t)i;
    if (w->C) {
        size_t C = w->C;
        memset(w->node_k, 0, C * sizeof *w->node_k);
        for (size_t i = 0; i < n; i++) {
            w->cls[i] = (uint32_t)ctune__data_y_at(train, i, 0);
            w->node_k[w->cls[i]]++;
        }
        w->weighted = cfg->balanced;
        for (size_t c = 0; c < C; c++) {
            w->cw[c] = cfg->balanced && w->node_k[c]
                           ? (double)n / ((double)C * (double)w->node_k[c])
                           : 1.0;
            w->lcw[c] = log(w->cw[c]);
        }
        if (w->crit == CTUNE__CRIT_ENTROPY) {
            w->T[0] = 0;
            for (size_t k = 1; k <= n; k++)
                w->T[k] = (double)k * log((double)k);
        }
        w->w_root = 0;
        for (size_t c = 0; c < C; c++)
            w->w_root += w->cw[c] * (double)w->node_k[c];
    } else {
        for (size_t i = 0; i < n; i++)
            for (size_t k = 0; k < w->t; k++)
                w->y[i * w->t + k] = ctune__data_y_at(train, i, k);
        w->w_root = (double)n;
    }
}

ctune_status ctune__tree_build(ctune__tree *t, const ctune__tree_config *cfg,
                               const ctune_data *train, size_t n_classes, uint64_t seed,
                               const ctune_fit_ctx *ctx)
{
    ctune__twork w;
    memset(&w, 0, sizeof w);
    w.ctx = ctx;
    w.tree = t;
    CTUNE_TRY(setup_work(&w, cfg, train, n_classes));
    size_t n = w.n, d = w.d;
    int best_first = cfg->max_leaf_nodes > 0;
    size_t n_frontier = best_first ? (cfg->max_leaf_nodes < n ? cfg->max_leaf_nodes : n) : 0;

    t->classifier = n_classes > 0;
    t->n_features = d;
    t->n_values = n_classes ? n_classes : w.t;
    t->importances = ctune__calloc(d, sizeof *t->importances);
    if (!t->importances)
        return CTUNE_ENOMEM;

    arena a = {NULL, 0};
    frame *stack = NULL;
    frontier *heap = NULL;
    layout(&a, &w, best_first, n_frontier, &stack, &heap);
    a.base = ctune__malloc(a.off);
    if (n_classes && a.base) {
        /* zero pages: the scans keep it zero after use */
        w.hist = ctune__calloc(2 * w.hist_cap, sizeof *w.hist);
        if (!w.hist) {
            ctune__free(a.base);
            a.base = NULL;
        }
    }
    if (!a.base) {
        ctune__tree_clear(t);
        return CTUNE_ENOMEM;
    }
    layout(&a, &w, best_first, n_frontier, &stack, &heap);
    fill_work(&w, cfg, train);
    ctune__rng_init(&w.rng, seed, 0);

    ctune_status rc = best_first ? build_best_first(&w, heap) : build_depth_first(&w, stack);
    ctune__free(w.vals);
    ctune__free(w.hist);
    ctune__free(a.base);
    if (rc != CTUNE_OK) {
        ctune__tree_clear(t);
        return rc;
    }
    double sum = 0;
    for (size_t f = 0; f < d; f++) {
        t->importances[f] /= w.w_root;
        sum += t->importances[f];
    }
    if (sum > 0)
        for (size_t f = 0; f < d; f++)
            t->importances[f] /= sum;
    return CTUNE_OK;
}
