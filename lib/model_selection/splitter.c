/* Splitters with scikit-learn's fold allocation: KFold, StratifiedKFold
 * (scikit-learn >= 0.24 allocation), ShuffleSplit and StratifiedShuffleSplit.
 * Splits are index lists; data views over them are made by the caller. */
#include "model_selection/splitter.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/data.h"
#include "core/error.h"
#include "core/rng.h"
#include "model_selection/evaluate.h"

/* ---- construction ---------------------------------------------------------- */

static ctune_status check_k(const char *who, size_t k)
{
    if (k < 2)
        return ctune_set_error(CTUNE_EINVAL,
                               "%s: k-fold cross-validation requires "
                               "n_splits >= 2, got %zu",
                               who, k);
    return CTUNE_OK;
}

static ctune_status new_splitter(ctune_splitter **out, const ctune_splitter *init)
{
    ctune_splitter *s = ctune__malloc(sizeof *s);
    if (!s)
        return CTUNE_ENOMEM;
    *s = *init;
    *out = s;
    return CTUNE_OK;
}

ctune_status ctune_kfold_new(ctune_splitter **out, size_t n_splits, int shuffle, uint64_t seed)
{
    CTUNE_CHECK_NULL(out, "out");
    *out = NULL;
    CTUNE_TRY(check_k("KFold", n_splits));
    ctune_splitter s = {CTUNE__KFOLD, n_splits, shuffle != 0, seed, 0.0, 0, NULL};
    return new_splitter(out, &s);
}

ctune_status ctune_stratified_kfold_new(ctune_splitter **out, size_t n_splits, int shuffle,
                                        uint64_t seed)
{
    CTUNE_CHECK_NULL(out, "out");
    *out = NULL;
    CTUNE_TRY(check_k("StratifiedKFold", n_splits));
    ctune_splitter s = {CTUNE__STRATIFIED_KFOLD, n_splits, shuffle != 0, seed, 0.0, 0, NULL};
    return new_splitter(out, &s);
}

static ctune_status check_fraction(const char *who, double f)
{
    if (!(f > 0.0 && f < 1.0))
        return ctune_set_error(CTUNE_EINVAL, "%s: test_fraction must be in (0, 1), got %g", who, f);
    return CTUNE_OK;
}

ctune_status ctune_shuffle_split_new(ctune_splitter **out, size_t n_splits, double test_fraction,
                                     uint64_t seed, int stratify)
{
    CTUNE_CHECK_NULL(out, "out");
    *out = NULL;
    if (n_splits < 1)
        return ctune_set_error(CTUNE_EINVAL, "ShuffleSplit: n_splits must be >= 1, got 0");
    CTUNE_TRY(check_fraction("ShuffleSplit", test_fraction));
    ctune_splitter s = {CTUNE__SHUFFLE_SPLIT, n_splits,      1,   seed,
                        test_fraction,        stratify != 0, NULL};
    return new_splitter(out, &s);
}

static ctune_status splits_alloc(ctune_splits **out, size_t count, size_t n_rows);
static ctune_status splits_copy(ctune_splits **out, const ctune_splits *src);

/* Copies one side's indices into split i of `s`, checking them. */
static ctune_status put_side(ctune_splits *s, size_t i, const size_t *idx, size_t n, size_t offset,
                             const char *side)
{
    if (n == 0)
        return ctune_set_error(CTUNE_EINVAL, "IndexSplit: split %zu has an empty %s side", i, side);
    if (!idx)
        return ctune_set_error(CTUNE_EINVAL, "IndexSplit: split %zu: %s indices are NULL", i, side);
    for (size_t j = 0; j < n; j++) {
        if (idx[j] >= s->n_rows)
            return ctune_set_error(CTUNE_EINVAL,
                                   "IndexSplit: split %zu, %s index %zu is %zu, but the data has "
                                   "%zu rows",
                                   i, side, j, idx[j], s->n_rows);
        s->rows[i][offset + j] = idx[j];
    }
    return CTUNE_OK;
}

ctune_status ctune_index_split_new(ctune_splitter **out, size_t n_rows, size_t n_splits,
                                   const size_t *const *train, const size_t *n_train,
                                   const size_t *const *test, const size_t *n_test)
{
    CTUNE_CHECK_NULL(out, "out");
    *out = NULL;
    if (n_splits < 1)
        return ctune_set_error(CTUNE_EINVAL, "IndexSplit: n_splits must be >= 1, got 0");
    CTUNE_CHECK_NULL(train, "train");
    CTUNE_CHECK_NULL(n_train, "n_train");
    CTUNE_CHECK_NULL(test, "test");
    CTUNE_CHECK_NULL(n_test, "n_test");
    ctune_splits *f;
    CTUNE_TRY(splits_alloc(&f, n_splits, n_rows));
    ctune_status rc = CTUNE_OK;
    for (size_t i = 0; i < n_splits && rc == CTUNE_OK; i++) {
        if (n_train[i] > SIZE_MAX / sizeof(size_t) - n_test[i]) {
            rc = ctune_set_error(CTUNE_EINVAL, "IndexSplit: split %zu is too large", i);
            break;
        }
        f->rows[i] = CTUNE_NEW_ARRAY(size_t, n_test[i] + n_train[i]);
        if (!f->rows[i]) {
            rc = CTUNE_ENOMEM;
            break;
        }
        f->n_test[i] = n_test[i];
        f->n_train[i] = n_train[i];
        rc = put_side(f, i, test[i], n_test[i], 0, "test");
        if (rc == CTUNE_OK)
            rc = put_side(f, i, train[i], n_train[i], n_test[i], "train");
    }
    ctune_splitter init = {CTUNE__INDEX_SPLIT, n_splits, 0, 0, 0.0, 0, f};
    if (rc == CTUNE_OK)
        rc = new_splitter(out, &init);
    if (rc != CTUNE_OK)
        ctune_splits_free(f);
    return rc;
}

ctune_status ctune__splitter_copy(ctune_splitter **out, const ctune_splitter *src)
{
    *out = NULL;
    ctune_splitter init = *src;
    init.fixed = NULL;
    if (src->fixed)
        CTUNE_TRY(splits_copy(&init.fixed, src->fixed));
    ctune_status rc = new_splitter(out, &init);
    if (rc != CTUNE_OK)
        ctune_splits_free(init.fixed);
    return rc;
}

void ctune_splitter_free(ctune_splitter *s)
{
    if (!s)
        return;
    ctune_splits_free(s->fixed);
    ctune__free(s);
}

size_t ctune_splitter_n_splits(const ctune_splitter *s) { return s ? s->n_splits : 0; }

const char *ctune_splitter_name(const ctune_splitter *s)
{
    if (!s)
        return NULL;
    switch (s->kind) {
    case CTUNE__KFOLD: return "KFold";
    case CTUNE__STRATIFIED_KFOLD: return "StratifiedKFold";
    case CTUNE__INDEX_SPLIT: return "IndexSplit";
    default: return s->stratify ? "StratifiedShuffleSplit" : "ShuffleSplit";
    }
}

ctune_status ctune__splitter_for_cv(ctune_splitter *out, const ctune_estimator *est, size_t cv,
                                    int shuffle, uint64_t seed)
{
    CTUNE_TRY(ctune__check_cv(cv > INT64_MAX ? INT64_MAX : (int64_t)cv, "cross-validation"));
    ctune_splitter s = {ctune_estimator_kind(est) == CTUNE_CLASSIFIER ? CTUNE__STRATIFIED_KFOLD
                                                                      : CTUNE__KFOLD,
                        cv,
                        shuffle != 0,
                        shuffle ? seed : 0,
                        0.0,
                        0,
                        NULL};
    *out = s;
    return CTUNE_OK;
}

ctune_status ctune_cv_splitter_new(ctune_splitter **out, const ctune_estimator *est, size_t cv,
                                   int shuffle, uint64_t seed)
{
    CTUNE_CHECK_NULL(out, "out");
    *out = NULL;
    CTUNE_CHECK_NULL(est, "estimator");
    CTUNE_TRY(ctune__check_cv(cv > INT64_MAX ? INT64_MAX : (int64_t)cv, "ctune_cv_splitter_new"));
    ctune_splitter s;
    CTUNE_TRY(ctune__splitter_for_cv(&s, est, cv, shuffle, seed));
    return new_splitter(out, &s);
}

/* ---- splits container -------------------------------------------------------- */

void ctune_splits_free(ctune_splits *s)
{
    if (!s)
        return;
    if (s->rows)
        for (size_t i = 0; i < s->count; i++)
            ctune__free(s->rows[i]);
    ctune__free(s->rows);
    ctune__free(s->n_train);
    ctune__free(s->n_test);
    ctune__strlist_clear(&s->warnings);
    ctune__free(s);
}

static ctune_status splits_alloc(ctune_splits **out, size_t count, size_t n_rows)
{
    ctune_splits *s = ctune__calloc(1, sizeof *s);
    if (!s)
        return CTUNE_ENOMEM;
    ctune__strlist_init(&s->warnings);
    s->count = count;
    s->n_rows = n_rows;
    s->rows = ctune__calloc(count, sizeof *s->rows);
    s->n_train = ctune__calloc(count, sizeof *s->n_train);
    s->n_test = ctune__calloc(count, sizeof *s->n_test);
    if (!s->rows || !s->n_train || !s->n_test) {
        ctune_splits_free(s);
        return CTUNE_ENOMEM;
    }
    *out = s;
    return CTUNE_OK;
}

ctune_status ctune__splits_dup(ctune_splits **out, const ctune_splits *src)
{
    return splits_copy(out, src);
}

static ctune_status splits_copy(ctune_splits **out, const ctune_splits *src)
{
    ctune_splits *s;
    CTUNE_TRY(splits_alloc(&s, src->count, src->n_rows));
    for (size_t i = 0; i < src->count; i++) {
        size_t n = src->n_test[i] + src->n_train[i];
        s->rows[i] = CTUNE_NEW_ARRAY(size_t, n);
        if (!s->rows[i]) {
            ctune_splits_free(s);
            return CTUNE_ENOMEM;
        }
        memcpy(s->rows[i], src->rows[i], n * sizeof *s->rows[i]);
        s->n_test[i] = src->n_test[i];
        s->n_train[i] = src->n_train[i];
    }
    *out = s;
    return CTUNE_OK;
}

/* Split i from a fold assignment: test = rows whose fold is i, train = the
 * rest, both ascending (scikit-learn's masks). */
static ctune_status split_from_folds(ctune_splits *s, size_t i, const size_t *fold, size_t n)
{
    size_t nt = 0;
    for (size_t r = 0; r < n; r++)
        nt += fold[r] == i;
    size_t *rows = CTUNE_NEW_ARRAY(size_t, n ? n : 1);
    if (!rows)
        return CTUNE_ENOMEM;
    size_t a = 0, b = nt;
    for (size_t r = 0; r < n; r++) {
        if (fold[r] == i)
            rows[a++] = r;
        else
            rows[b++] = r;
    }
    s->rows[i] = rows;
    s->n_test[i] = nt;
    s->n_train[i] = n - nt;
    return CTUNE_OK;
}

static ctune_status splits_from_folds(ctune_splits *s, const size_t *fold, size_t n)
{
    for (size_t i = 0; i < s->count; i++)
        CTUNE_TRY(split_from_folds(s, i, fold, n));
    return CTUNE_OK;
}

/* ---- class encoding ------------------------------------------------------------ */

static _Thread_local const double *t_sort_y;

static int cmp_by_label(const void *a, const void *b)
{
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    double x = t_sort_y[i], y = t_sort_y[j];
    if (x != y)
        return x < y ? -1 : 1;
    return (i > j) - (i < j);
}

/* Codes by sorted label value (np.unique) of y (n labels) into codes[n]
 * and their number *k. */
static ctune_status sorted_codes(const double *y, size_t n, size_t *codes, size_t *k)
{
    size_t *order = CTUNE_NEW_ARRAY(size_t, n ? n : 1);
    if (!order)
        return CTUNE_ENOMEM;
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    t_sort_y = y;
    qsort(order, n, sizeof *order, cmp_by_label);
    *k = 0;
    for (size_t p = 0; p < n; p++) {
        if (p == 0 || y[order[p]] != y[order[p - 1]])
            (*k)++;
        codes[order[p]] = *k - 1;
    }
    ctune__free(order);
    return CTUNE_OK;
}

/* Encodes y (n labels of `data`) into class codes. With by_appearance the
 * code of a class is its rank by first appearance in y (StratifiedKFold),
 * otherwise by sorted label value (StratifiedShuffleSplit, np.unique).
 * Writes codes[n], counts[n_classes] (allocated) and n_classes. The codes
 * by sorted label come from the data's class table when it has one (a
 * search's data: its labels are sorted once per search), else from a sort
 * of y: the same values. */
static ctune_status encode_classes(const ctune_data *data, const double *y, size_t n,
                                   int by_appearance, size_t *codes, size_t **counts_out,
                                   size_t *n_classes)
{
    size_t k = 0;
    int used = 0;
    CTUNE_TRY(ctune__data_class_codes(data, codes, &k, &used));
    if (!used)
        CTUNE_TRY(sorted_codes(y, n, codes, &k));
    size_t *counts = ctune__calloc(k ? k : 1, sizeof *counts);
    size_t *perm = CTUNE_NEW_ARRAY(size_t, k ? k : 1);
    if (!counts || !perm) {
        ctune__free(counts);
        ctune__free(perm);
        return CTUNE_ENOMEM;
    }
    /* perm[code] = the code's rank by first appearance, or the code itself */
    for (size_t g = 0; g < k; g++)
        perm[g] = by_appearance ? SIZE_MAX : g;
    if (by_appearance)
        for (size_t i = 0, r = 0; i < n; i++)
            if (perm[codes[i]] == SIZE_MAX)
                perm[codes[i]] = r++;
    for (size_t i = 0; i < n; i++) {
        codes[i] = perm[codes[i]];
        counts[codes[i]]++;
    }
    ctune__free(perm);
    *counts_out = counts;
    *n_classes = k;
    return CTUNE_OK;
}

/* Gathers the class labels of `data` (1 integer-valued target). */
static ctune_status gather_labels(const char *who, const ctune_data *data, double **out)
{
    size_t n = ctune_data_n_rows(data);
    if (ctune_data_n_targets(data) != 1)
        return ctune_set_error(CTUNE_EDATA,
                               "%s: stratified splitting needs exactly 1 target "
                               "column of class labels, the data has %zu",
                               who, ctune_data_n_targets(data));
    double *y = CTUNE_NEW_ARRAY(double, n ? n : 1);
    if (!y)
        return CTUNE_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        double v = ctune__data_y_at(data, i, 0);
        if (!isfinite(v) || v != floor(v)) {
            ctune__free(y);
            return ctune_set_error(CTUNE_EDATA,
                                   "%s: y row %zu is %.17g: class labels must be "
                                   "integer-valued",
                                   who, i, v);
        }
        y[i] = v;
    }
    *out = y;
    return CTUNE_OK;
}

/* ---- KFold / StratifiedKFold ----------------------------------------------------- */

static ctune_status kfold(ctune_splits *s, const ctune_splitter *sp, size_t n)
{
    size_t *idx = CTUNE_NEW_ARRAY(size_t, n);
    size_t *fold = CTUNE_NEW_ARRAY(size_t, n);
    ctune_status rc = idx && fold ? CTUNE_OK : CTUNE_ENOMEM;
    if (rc == CTUNE_OK) {
        for (size_t i = 0; i < n; i++)
            idx[i] = i;
        if (sp->shuffle) {
            ctune_rng rng;
            ctune__rng_init(&rng, sp->seed, 0);
            ctune__rng_shuffle_size(&rng, idx, n);
        }
        size_t k = sp->n_splits, start = 0;
        for (size_t f = 0; f < k; f++) {
            size_t size = n / k + (f < n % k);
            for (size_t p = start; p < start + size; p++)
                fold[idx[p]] = f;
            start += size;
        }
        rc = splits_from_folds(s, fold, n);
    }
    ctune__free(idx);
    ctune__free(fold);
    return rc;
}

static ctune_status stratified_kfold(ctune_splits *s, const ctune_splitter *sp,
                                     const ctune_data *data)
{
    size_t n = ctune_data_n_rows(data), k = sp->n_splits;
    double *y = NULL;
    size_t *codes = NULL, *counts = NULL, *alloc = NULL, *fold = NULL, *ff = NULL, nc = 0;
    ctune_status rc = gather_labels("StratifiedKFold", data, &y);
    if (rc != CTUNE_OK)
        return rc;
    codes = CTUNE_NEW_ARRAY(size_t, n);
    fold = CTUNE_NEW_ARRAY(size_t, n);
    ff = CTUNE_NEW_ARRAY(size_t, n);
    rc = codes && fold && ff ? CTUNE_OK : CTUNE_ENOMEM;
    if (rc == CTUNE_OK)
        rc = encode_classes(data, y, n, 1, codes, &counts, &nc);
    if (rc == CTUNE_OK) {
        size_t min = counts[0], all_below = 1;
        for (size_t c = 0; c < nc; c++) {
            if (counts[c] < min)
                min = counts[c];
            if (counts[c] >= k)
                all_below = 0;
        }
        if (all_below)
            rc = ctune_set_error(CTUNE_EINVAL,
                                 "StratifiedKFold: n_splits=%zu cannot be greater "
                                 "than the number of members in each class",
                                 k);
        else if (min < k)
            rc = ctune__strlist_pushf(&s->warnings,
                                      "StratifiedKFold: the least populated class "
                                      "in y has only %zu members, which is less than n_splits=%zu",
                                      min, k);
    }
    if (rc == CTUNE_OK) {
        alloc = ctune__calloc(k * nc, sizeof *alloc);
        rc = alloc ? CTUNE_OK : CTUNE_ENOMEM;
    }
    if (rc == CTUNE_OK) {
        /* y_order = sorted codes; fold f takes y_order[f::k]: position p of
         * the sorted order goes to fold p % k. alloc[f * nc + c]. */
        size_t p = 0;
        for (size_t c = 0; c < nc; c++)
            for (size_t j = 0; j < counts[c]; j++, p++)
                alloc[(p % k) * nc + c]++;
        /* rows grouped by class, ascending inside each class (counting sort) */
        size_t *start = ctune__calloc(nc + 1, sizeof *start);
        size_t *rows = CTUNE_NEW_ARRAY(size_t, n);
        rc = start && rows ? CTUNE_OK : CTUNE_ENOMEM;
        if (rc == CTUNE_OK) {
            for (size_t c = 0; c < nc; c++)
                start[c + 1] = start[c] + counts[c];
            memcpy(ff, start, nc * sizeof *ff); /* fill pointers (ff is scratch here) */
            for (size_t r = 0; r < n; r++)
                rows[ff[codes[r]]++] = r;
            ctune_rng rng;
            ctune__rng_init(&rng, sp->seed, 0);
            for (size_t c = 0; c < nc; c++) {
                /* folds_for_class = repeat(arange(k), alloc[:, c]) */
                size_t m = 0;
                for (size_t f = 0; f < k; f++)
                    for (size_t j = 0; j < alloc[f * nc + c]; j++)
                        ff[m++] = f;
                if (sp->shuffle)
                    ctune__rng_shuffle_size(&rng, ff, m);
                for (size_t q = 0; q < m; q++)
                    fold[rows[start[c] + q]] = ff[q];
            }
        }
        ctune__free(start);
        ctune__free(rows);
    }
    if (rc == CTUNE_OK)
        rc = splits_from_folds(s, fold, n);
    ctune__free(y);
    ctune__free(codes);
    ctune__free(counts);
    ctune__free(alloc);
    ctune__free(fold);
    ctune__free(ff);
    return rc;
}

/* ---- ShuffleSplit / StratifiedShuffleSplit ------------------------------------------ */

/* scikit-learn's _validate_shuffle_split for a float test_size. */
static ctune_status shuffle_sizes(const char *who, size_t n, double tf, size_t *n_test,
                                  size_t *n_train)
{
    double t = ceil(tf * (double)n);
    double tr = floor((1.0 - tf) * (double)n);
    *n_test = (size_t)t;
    *n_train = (size_t)tr;
    if (*n_train == 0)
        return ctune_set_error(CTUNE_EINVAL,
                               "%s: with n_samples=%zu and test_fraction=%g the "
                               "train set would be empty",
                               who, n, tf);
    if (*n_test == 0)
        return ctune_set_error(CTUNE_EINVAL,
                               "%s: with n_samples=%zu and test_fraction=%g the "
                               "test set would be empty",
                               who, n, tf);
    if (*n_test + *n_train > n)
        *n_train = n - *n_test;
    return CTUNE_OK;
}

static ctune_status shuffle_split(ctune_splits *s, const ctune_splitter *sp, size_t n)
{
    size_t nt, ntr;
    CTUNE_TRY(shuffle_sizes("ShuffleSplit", n, sp->test_fraction, &nt, &ntr));
    ctune_rng rng;
    ctune__rng_init(&rng, sp->seed, 0);
    for (size_t i = 0; i < s->count; i++) {
        size_t *rows = CTUNE_NEW_ARRAY(size_t, n);
        if (!rows)
            return CTUNE_ENOMEM;
        for (size_t r = 0; r < n; r++)
            rows[r] = r;
        ctune__rng_shuffle_size(&rng, rows, n);
        s->rows[i] = rows; /* test = first nt of the permutation, train = next ntr */
        s->n_test[i] = nt;
        s->n_train[i] = ntr;
    }
    return CTUNE_OK;
}

/* scikit-learn's _approximate_mode: n_draws spread over classes in
 * proportion to counts, the remainder to the largest fractional parts (ties
 * broken at random). Scratch: idx[nc], rem[nc]. */
static void approximate_mode(const size_t *counts, size_t nc, size_t n_draws, ctune_rng *rng,
                             size_t *out, size_t *idx, double *rem)
{
    size_t total = 0, floored = 0;
    for (size_t c = 0; c < nc; c++)
        total += counts[c];
    for (size_t c = 0; c < nc; c++) {
        double cont = (double)counts[c] / (double)total * (double)n_draws;
        double fl = floor(cont);
        out[c] = (size_t)fl;
        rem[c] = cont - fl;
        floored += out[c];
    }
    size_t need = n_draws > floored ? n_draws - floored : 0;
    while (need > 0) {
        double best = -1.0; /* largest remainder not yet used */
        for (size_t c = 0; c < nc; c++)
            if (rem[c] > best)
                best = rem[c];
        if (best < 0)
            break;
        size_t m = 0;
        for (size_t c = 0; c < nc; c++)
            if (rem[c] == best)
                idx[m++] = c;
        size_t take = m < need ? m : need;
        for (size_t j = 0; j < take; j++) { /* `take` of the m ties, without replacement */
            size_t pick = j + (size_t)ctune_rng_below(rng, m - j);
            size_t t = idx[j];
            idx[j] = idx[pick];
            idx[pick] = t;
            out[idx[j]]++;
        }
        for (size_t j = 0; j < m; j++)
            rem[idx[j]] = -1.0;
        need -= take;
    }
}

typedef struct {
    size_t *codes, *counts, *byclass, *start, *ni, *ti, *left, *idx, *perm;
    double *rem;
    double *y;
} sss_scratch;

static void sss_free(sss_scratch *w)
{
    ctune__free(w->codes);
    ctune__free(w->counts);
    ctune__free(w->byclass);
    ctune__free(w->start);
    ctune__free(w->ni);
    ctune__free(w->ti);
    ctune__free(w->left);
    ctune__free(w->idx);
    ctune__free(w->perm);
    ctune__free(w->rem);
    ctune__free(w->y);
}

static ctune_status stratified_shuffle_split(ctune_splits *s, const ctune_splitter *sp,
                                             const ctune_data *data)
{
    const char *who = "StratifiedShuffleSplit";
    size_t n = ctune_data_n_rows(data), nt, ntr, nc = 0;
    CTUNE_TRY(shuffle_sizes(who, n, sp->test_fraction, &nt, &ntr));
    sss_scratch w;
    memset(&w, 0, sizeof w);
    ctune_status rc = gather_labels(who, data, &w.y);
    if (rc == CTUNE_OK) {
        w.codes = CTUNE_NEW_ARRAY(size_t, n);
        rc = w.codes ? encode_classes(data, w.y, n, 0, w.codes, &w.counts, &nc) : CTUNE_ENOMEM;
    }
    if (rc == CTUNE_OK) {
        size_t min = w.counts[0];
        for (size_t c = 1; c < nc; c++)
            if (w.counts[c] < min)
                min = w.counts[c];
        if (min < 2)
            rc = ctune_set_error(CTUNE_EINVAL,
                                 "%s: the least populated class in y has only 1 "
                                 "member, which is too few (the minimum is 2)",
                                 who);
        else if (ntr < nc)
            rc = ctune_set_error(CTUNE_EINVAL,
                                 "%s: the train size %zu should be greater or equal "
                                 "to the number of classes %zu",
                                 who, ntr, nc);
        else if (nt < nc)
            rc = ctune_set_error(CTUNE_EINVAL,
                                 "%s: the test size %zu should be greater or equal "
                                 "to the number of classes %zu",
                                 who, nt, nc);
    }
    if (rc == CTUNE_OK) {
        w.byclass = CTUNE_NEW_ARRAY(size_t, n);
        w.start = CTUNE_NEW_ARRAY(size_t, nc + 1);
        w.ni = CTUNE_NEW_ARRAY(size_t, nc);
        w.ti = CTUNE_NEW_ARRAY(size_t, nc);
        w.left = CTUNE_NEW_ARRAY(size_t, nc);
        w.idx = CTUNE_NEW_ARRAY(size_t, nc);
        w.perm = CTUNE_NEW_ARRAY(size_t, n);
        w.rem = CTUNE_NEW_ARRAY(double, nc);
        rc = w.byclass && w.start && w.ni && w.ti && w.left && w.idx && w.perm && w.rem
                 ? CTUNE_OK
                 : CTUNE_ENOMEM;
    }
    if (rc == CTUNE_OK) {
        /* rows of each class in ascending order (argsort, mergesort) */
        w.start[0] = 0;
        for (size_t c = 0; c < nc; c++)
            w.start[c + 1] = w.start[c] + w.counts[c];
        memcpy(w.left, w.start, nc * sizeof *w.left);
        for (size_t r = 0; r < n; r++)
            w.byclass[w.left[w.codes[r]]++] = r;
        ctune_rng rng;
        ctune__rng_init(&rng, sp->seed, 0);
        for (size_t i = 0; i < s->count && rc == CTUNE_OK; i++) {
            approximate_mode(w.counts, nc, ntr, &rng, w.ni, w.idx, w.rem);
            for (size_t c = 0; c < nc; c++)
                w.left[c] = w.counts[c] - w.ni[c];
            approximate_mode(w.left, nc, nt, &rng, w.ti, w.idx, w.rem);
            size_t *rows = CTUNE_NEW_ARRAY(size_t, nt + ntr);
            if (!rows) {
                rc = CTUNE_ENOMEM;
                break;
            }
            size_t *test = rows, *train = rows + nt, a = 0, b = 0;
            for (size_t c = 0; c < nc; c++) {
                size_t m = w.counts[c];
                memcpy(w.perm, w.byclass + w.start[c], m * sizeof *w.perm);
                ctune__rng_shuffle_size(&rng, w.perm, m);
                for (size_t j = 0; j < w.ni[c]; j++)
                    train[b++] = w.perm[j];
                for (size_t j = 0; j < w.ti[c]; j++)
                    test[a++] = w.perm[w.ni[c] + j];
            }
            if (a != nt) /* approximate_mode draws exactly nt; keep the layout if not */
                memmove(rows + a, train, b * sizeof *train);
            train = rows + a;
            ctune__rng_shuffle_size(&rng, train, b);
            ctune__rng_shuffle_size(&rng, test, a);
            s->rows[i] = rows;
            s->n_test[i] = a;
            s->n_train[i] = b;
        }
    }
    sss_free(&w);
    return rc;
}

/* ---- split ---------------------------------------------------------------------------- */

ctune_status ctune_splitter_split(ctune_splits **out, const ctune_splitter *sp,
                                  const ctune_data *data)
{
    CTUNE_CHECK_NULL(out, "out");
    *out = NULL;
    CTUNE_CHECK_NULL(sp, "splitter");
    CTUNE_CHECK_NULL(data, "data");
    size_t n = ctune_data_n_rows(data);
    const char *who = ctune_splitter_name(sp);
    if (sp->kind == CTUNE__INDEX_SPLIT) {
        if (n != sp->fixed->n_rows)
            return ctune_set_error(CTUNE_EINVAL,
                                   "IndexSplit: the splits index %zu rows, but the "
                                   "data has %zu",
                                   sp->fixed->n_rows, n);
        return splits_copy(out, sp->fixed);
    }
    if (sp->kind != CTUNE__SHUFFLE_SPLIT && sp->n_splits > n)
        return ctune_set_error(CTUNE_EINVAL,
                               "%s: cannot have n_splits=%zu greater than the "
                               "number of samples n_samples=%zu",
                               who, sp->n_splits, n);
    if (n < 2)
        return ctune_set_error(CTUNE_EINVAL, "%s: cannot split %zu samples", who, n);
    ctune_splits *s;
    CTUNE_TRY(splits_alloc(&s, sp->n_splits, n));
    ctune_status rc;
    switch (sp->kind) {
    case CTUNE__KFOLD: rc = kfold(s, sp, n); break;
    case CTUNE__STRATIFIED_KFOLD: rc = stratified_kfold(s, sp, data); break;
    default:
        rc = sp->stratify ? stratified_shuffle_split(s, sp, data) : shuffle_split(s, sp, n);
        break;
    }
    if (rc != CTUNE_OK) {
        ctune_splits_free(s);
        return rc;
    }
    *out = s;
    return CTUNE_OK;
}

size_t ctune_splits_count(const ctune_splits *s) { return s ? s->count : 0; }

static ctune_status get_part(const ctune_splits *s, size_t i, int test, const size_t **idx,
                             size_t *n)
{
    CTUNE_CHECK_NULL(s, "splits");
    CTUNE_CHECK_NULL(idx, "idx");
    CTUNE_CHECK_NULL(n, "n");
    if (i >= s->count)
        return ctune_set_error(CTUNE_EINVAL, "split %zu is out of range (%zu splits)", i, s->count);
    *idx = test ? ctune__splits_test(s, i) : ctune__splits_train(s, i);
    *n = test ? s->n_test[i] : s->n_train[i];
    return CTUNE_OK;
}

ctune_status ctune_splits_train(const size_t **idx, size_t *n, const ctune_splits *s, size_t i)
{
    return get_part(s, i, 0, idx, n);
}

ctune_status ctune_splits_test(const size_t **idx, size_t *n, const ctune_splits *s, size_t i)
{
    return get_part(s, i, 1, idx, n);
}

size_t ctune_splits_n_warnings(const ctune_splits *s) { return s ? s->warnings.n : 0; }

const char *ctune_splits_warning(const ctune_splits *s, size_t i)
{
    return s ? ctune__strlist_get(&s->warnings, i) : NULL;
}

/* ---- train_test_split -------------------------------------------------------------------- */

ctune_status ctune_train_test_split(ctune_data **train, ctune_data **test, const ctune_data *data,
                                    double test_fraction, uint64_t seed, int stratify)
{
    CTUNE_CHECK_NULL(train, "train");
    *train = NULL;
    CTUNE_CHECK_NULL(test, "test");
    *test = NULL;
    CTUNE_CHECK_NULL(data, "data");
    CTUNE_TRY(check_fraction("train_test_split", test_fraction));
    ctune_splitter sp = {CTUNE__SHUFFLE_SPLIT, 1, 1, seed, test_fraction, stratify != 0, NULL};
    ctune_splits *s;
    CTUNE_TRY(ctune_splitter_split(&s, &sp, data));
    ctune_status rc = ctune_data_subset(train, data, ctune__splits_train(s, 0), s->n_train[0]);
    if (rc == CTUNE_OK)
        rc = ctune_data_subset(test, data, ctune__splits_test(s, 0), s->n_test[0]);
    if (rc != CTUNE_OK) {
        ctune_data_free(*train);
        *train = NULL;
    }
    ctune_splits_free(s);
    return rc;
}
