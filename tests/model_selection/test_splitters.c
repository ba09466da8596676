/* Check suite: KFold, StratifiedKFold, ShuffleSplit, train_test_split. The
 * expected folds follow scikit-learn's documented algorithms. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/data.h"
#include "testutil.h"

static ctune_data *make_data(const double *y, size_t n)
{
    static double X[64 * 2];
    for (size_t i = 0; i < n * 2; i++)
        X[i] = (double)i;
    ctune_data *d = NULL;
    ck_assert_ok(ctune_data_new(&d, X, CTUNE_FLOAT64, n, 2, 0, y, y ? 1 : 0));
    return d;
}

/* Asserts that split i's test indices are exactly `want` (n_want of them)
 * and train is the ascending complement. */
static void assert_split(const ctune_splits *s, size_t i, const size_t *want, size_t n_want,
                         size_t n_rows)
{
    const size_t *test, *train;
    size_t nt, ntr;
    ck_assert_ok(ctune_splits_test(&test, &nt, s, i));
    ck_assert_ok(ctune_splits_train(&train, &ntr, s, i));
    ck_assert_uint_eq(nt, n_want);
    for (size_t k = 0; k < nt; k++)
        ck_assert_msg(test[k] == want[k], "split %zu test[%zu] = %zu, want %zu", i, k, test[k],
                      want[k]);
    ck_assert_uint_eq(ntr, n_rows - nt);
    size_t k = 0, t = 0;
    for (size_t r = 0; r < n_rows; r++) {
        if (t < nt && test[t] == r) {
            t++;
            continue;
        }
        ck_assert_uint_eq(train[k], r);
        k++;
    }
}

START_TEST(test_kfold_sizes)
{
    int64_t live = ctune_alloc_live();
    ctune_data *d = make_data(NULL, 10);
    ctune_splitter *sp;
    ctune_splits *s;
    ck_assert_ok(ctune_kfold_new(&sp, 3, 0, 0));
    ck_assert_str_eq(ctune_splitter_name(sp), "KFold");
    ck_assert_uint_eq(ctune_splitter_n_splits(sp), 3);
    ck_assert_ok(ctune_splitter_split(&s, sp, d));
    ck_assert_uint_eq(ctune_splits_count(s), 3);
    /* scikit-learn: KFold(3) on 10 samples -> [0..3], [4..6], [7..9] */
    const size_t f0[] = {0, 1, 2, 3}, f1[] = {4, 5, 6}, f2[] = {7, 8, 9};
    assert_split(s, 0, f0, 4, 10);
    assert_split(s, 1, f1, 3, 10);
    assert_split(s, 2, f2, 3, 10);
    ck_assert_uint_eq(ctune_splits_n_warnings(s), 0);
    ck_assert_ptr_null(ctune_splits_warning(s, 0));
    const size_t *idx;
    size_t n;
    ck_assert_status(ctune_splits_test(&idx, &n, s, 3), CTUNE_EINVAL);
    ck_assert_error_has("split 3 is out of range (3 splits)");
    ck_assert_status(ctune_splits_test(&idx, &n, NULL, 0), CTUNE_EINVAL);
    ck_assert_status(ctune_splits_train(NULL, &n, s, 0), CTUNE_EINVAL);
    ck_assert_status(ctune_splits_train(&idx, NULL, s, 0), CTUNE_EINVAL);
    ctune_splits_free(s);
    ctune_splitter_free(sp);

    /* KFold(5) on 7: sizes 2, 2, 1, 1, 1 */
    ctune_data *d7 = make_data(NULL, 7);
    ck_assert_ok(ctune_kfold_new(&sp, 5, 0, 0));
    ck_assert_ok(ctune_splitter_split(&s, sp, d7));
    const size_t g0[] = {0, 1}, g1[] = {2, 3}, g2[] = {4}, g3[] = {5}, g4[] = {6};
    assert_split(s, 0, g0, 2, 7);
    assert_split(s, 1, g1, 2, 7);
    assert_split(s, 2, g2, 1, 7);
    assert_split(s, 3, g3, 1, 7);
    assert_split(s, 4, g4, 1, 7);
    ctune_splits_free(s);
    ctune_splitter_free(sp);
    ctune_data_free(d7);
    ctune_data_free(d);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

START_TEST(test_kfold_shuffle)
{
    ctune_data *d = make_data(NULL, 10);
    ctune_splitter *a, *b, *c;
    ck_assert_ok(ctune_kfold_new(&a, 3, 1, 42));
    ck_assert_ok(ctune_kfold_new(&b, 3, 1, 42));
    ck_assert_ok(ctune_kfold_new(&c, 3, 1, 43));
    ctune_splits *sa, *sb, *sc;
    ck_assert_ok(ctune_splitter_split(&sa, a, d));
    ck_assert_ok(ctune_splitter_split(&sb, b, d));
    ck_assert_ok(ctune_splitter_split(&sc, c, d));
    int seen[10] = {0}, differs = 0, unshuffled = 1;
    for (size_t i = 0; i < 3; i++) {
        const size_t *ta, *tb, *tc;
        size_t na, nb, nc;
        ck_assert_ok(ctune_splits_test(&ta, &na, sa, i));
        ck_assert_ok(ctune_splits_test(&tb, &nb, sb, i));
        ck_assert_ok(ctune_splits_test(&tc, &nc, sc, i));
        ck_assert_uint_eq(na, i == 0 ? 4 : 3);
        ck_assert_uint_eq(na, nb);
        for (size_t k = 0; k < na; k++) {
            ck_assert_uint_eq(ta[k], tb[k]); /* same seed, same folds */
            differs |= ta[k] != tc[k];
            seen[ta[k]]++;
            if (k)
                ck_assert_uint_lt(ta[k - 1], ta[k]); /* ascending, as scikit-learn's masks */
            unshuffled &= ta[k] == (i == 0 ? 0 : i == 1 ? 4 : 7) + k;
        }
    }
    for (int r = 0; r < 10; r++)
        ck_assert_int_eq(seen[r], 1); /* a partition */
    ck_assert_int_eq(differs, 1);
    ck_assert_int_eq(unshuffled, 0);
    ctune_splits_free(sa);
    ctune_splits_free(sb);
    ctune_splits_free(sc);
    ctune_splitter_free(a);
    ctune_splitter_free(b);
    ctune_splitter_free(c);
    ctune_data_free(d);
}
END_TEST

START_TEST(test_stratified_allocation)
{
    int64_t live = ctune_alloc_live();
    ctune_splitter *sp;
    ctune_splits *s;
    /* scikit-learn's doc example: y = [0, 0, 1, 1], k = 2 -> test [0, 2], [1, 3] */
    const double y4[] = {0, 0, 1, 1};
    ctune_data *d4 = make_data(y4, 4);
    ck_assert_ok(ctune_stratified_kfold_new(&sp, 2, 0, 0));
    ck_assert_str_eq(ctune_splitter_name(sp), "StratifiedKFold");
    ck_assert_ok(ctune_splitter_split(&s, sp, d4));
    const size_t a0[] = {0, 2}, a1[] = {1, 3};
    assert_split(s, 0, a0, 2, 4);
    assert_split(s, 1, a1, 2, 4);
    ctune_splits_free(s);

    /* y = [0,0,0,0,1,1,1,1,1,1], k = 2: each fold gets 2 zeros and 3 ones, in blocks */
    const double y10[] = {0, 0, 0, 0, 1, 1, 1, 1, 1, 1};
    ctune_data *d10 = make_data(y10, 10);
    ck_assert_ok(ctune_splitter_split(&s, sp, d10));
    const size_t b0[] = {0, 1, 4, 5, 6}, b1[] = {2, 3, 7, 8, 9};
    assert_split(s, 0, b0, 5, 10);
    assert_split(s, 1, b1, 5, 10);
    ctune_splits_free(s);
    ctune_splitter_free(sp);

    /* Classes ordered by first appearance (label 2, then 0, then 1):
     * y_order = [c0 x4, c1 x3, c2 x5]; fold f takes positions f, f+3, ...
     * -> allocation c0 (2,1,1), c1 (1,1,1), c2 (1,2,2). */
    const double y12[] = {2, 2, 2, 2, 0, 0, 0, 1, 1, 1, 1, 1};
    ctune_data *d12 = make_data(y12, 12);
    ck_assert_ok(ctune_stratified_kfold_new(&sp, 3, 0, 0));
    ck_assert_ok(ctune_splitter_split(&s, sp, d12));
    const size_t c0[] = {0, 1, 4, 7}, c1[] = {2, 5, 8, 9}, c2[] = {3, 6, 10, 11};
    assert_split(s, 0, c0, 4, 12);
    assert_split(s, 1, c1, 4, 12);
    assert_split(s, 2, c2, 4, 12);
    ck_assert_uint_eq(ctune_splits_n_warnings(s), 0);
    ctune_splits_free(s);

    /* interleaved labels keep row order inside each class */
    const double y6[] = {5, 9, 5, 9, 5, 9};
    ctune_data *d6 = make_data(y6, 6);
    ck_assert_ok(ctune_splitter_split(&s, sp, d6));
    const size_t e0[] = {0, 1}, e1[] = {2, 3}, e2[] = {4, 5};
    assert_split(s, 0, e0, 2, 6);
    assert_split(s, 1, e1, 2, 6);
    assert_split(s, 2, e2, 2, 6);
    ctune_splits_free(s);
    ctune_splitter_free(sp);
    ctune_data_free(d4);
    ctune_data_free(d10);
    ctune_data_free(d12);
    ctune_data_free(d6);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

START_TEST(test_stratified_shuffle_keeps_proportions)
{
    double y[30];
    for (int i = 0; i < 30; i++)
        y[i] = i < 20 ? 1 : 4;
    ctune_data *d = make_data(y, 30);
    ctune_splitter *sp;
    ctune_splits *s, *s2;
    ck_assert_ok(ctune_stratified_kfold_new(&sp, 5, 1, 7));
    ck_assert_ok(ctune_splitter_split(&s, sp, d));
    ck_assert_ok(ctune_splitter_split(&s2, sp, d));
    int seen[30] = {0};
    for (size_t f = 0; f < 5; f++) {
        const size_t *t, *t2;
        size_t n, n2, ones = 0;
        ck_assert_ok(ctune_splits_test(&t, &n, s, f));
        ck_assert_ok(ctune_splits_test(&t2, &n2, s2, f));
        ck_assert_uint_eq(n, 6);
        for (size_t k = 0; k < n; k++) {
            ones += y[t[k]] == 1;
            seen[t[k]]++;
            ck_assert_uint_eq(t[k], t2[k]);
        }
        ck_assert_uint_eq(ones, 4);
    }
    for (int r = 0; r < 30; r++)
        ck_assert_int_eq(seen[r], 1);
    ctune_splits_free(s);
    ctune_splits_free(s2);
    ctune_splitter_free(sp);
    ctune_data_free(d);
}
END_TEST

START_TEST(test_stratified_properties)
{
    enum { N = 200, K = 5, C = 7 };
    static double X[N * 2];
    double y[N];
    unsigned long seed = ctu_seed();
    for (int i = 0; i < N; i++) {
        seed = seed * 6364136223846793005ul + 1442695040888963407ul;
        y[i] = (double)((seed >> 33) % C) * 10; /* labels 0, 10, ..., 60 */
        X[2 * i] = X[2 * i + 1] = i;
    }
    ctune_data *d;
    ck_assert_ok(ctune_data_new(&d, X, CTUNE_FLOAT64, N, 2, 0, y, 1));
    for (int shuffle = 0; shuffle < 2; shuffle++) {
        ctune_splitter *sp;
        ctune_splits *s;
        ck_assert_ok(ctune_stratified_kfold_new(&sp, K, shuffle, 99));
        ck_assert_ok(ctune_splitter_split(&s, sp, d));
        int fold_of[N], count[K][C] = {{0}};
        size_t size[K];
        for (size_t f = 0; f < K; f++) {
            const size_t *t;
            ck_assert_ok(ctune_splits_test(&t, &size[f], s, f));
            for (size_t k = 0; k < size[f]; k++) {
                fold_of[t[k]] = (int)f;
                count[f][(int)y[t[k]] / 10]++;
            }
        }
        size_t lo = N, hi = 0;
        for (int f = 0; f < K; f++) {
            lo = size[f] < lo ? size[f] : lo;
            hi = size[f] > hi ? size[f] : hi;
        }
        ck_assert_uint_le(hi - lo, 1);
        for (int c = 0; c < C; c++) {
            int cmin = N, cmax = 0;
            for (int f = 0; f < K; f++) {
                cmin = count[f][c] < cmin ? count[f][c] : cmin;
                cmax = count[f][c] > cmax ? count[f][c] : cmax;
            }
            ck_assert_int_le(cmax - cmin, 1); /* each class spread evenly */
            if (!shuffle) { /* unshuffled: a class's rows fill its folds in blocks */
                int last = 0;
                for (int i = 0; i < N; i++)
                    if ((int)y[i] / 10 == c) {
                        ck_assert_int_ge(fold_of[i], last);
                        last = fold_of[i];
                    }
            }
        }
        ctune_splits_free(s);
        ctune_splitter_free(sp);
    }
    ctune_data_free(d);
}
END_TEST

START_TEST(test_split_errors_and_warnings)
{
    int64_t live = ctune_alloc_live();
    ctune_splitter *sp = (ctune_splitter *)1;
    ck_assert_status(ctune_kfold_new(&sp, 1, 0, 0), CTUNE_EINVAL);
    ck_assert_ptr_null(sp);
    ck_assert_error_has("requires n_splits >= 2, got 1");
    ck_assert_status(ctune_stratified_kfold_new(&sp, 0, 0, 0), CTUNE_EINVAL);
    ck_assert_status(ctune_kfold_new(NULL, 3, 0, 0), CTUNE_EINVAL);
    ck_assert_status(ctune_shuffle_split_new(&sp, 0, 0.2, 0, 0), CTUNE_EINVAL);
    ck_assert_status(ctune_shuffle_split_new(&sp, 3, 0.0, 0, 0), CTUNE_EINVAL);
    ck_assert_error_has("test_fraction must be in (0, 1), got 0");
    ck_assert_status(ctune_shuffle_split_new(&sp, 3, 1.0, 0, 0), CTUNE_EINVAL);
    ck_assert_status(ctune_shuffle_split_new(&sp, 3, NAN, 0, 0), CTUNE_EINVAL);

    ctune_splits *s = (ctune_splits *)1;
    const double y3[] = {0, 1, 0};
    ctune_data *d3 = make_data(y3, 3);
    ck_assert_ok(ctune_kfold_new(&sp, 5, 0, 0));
    ck_assert_status(ctune_splitter_split(&s, sp, d3), CTUNE_EINVAL);
    ck_assert_ptr_null(s);
    ck_assert_str_eq(ctune_last_error(), "KFold: cannot have n_splits=5 greater than the number "
                                         "of samples n_samples=3");
    ck_assert_status(ctune_splitter_split(&s, NULL, d3), CTUNE_EINVAL);
    ck_assert_status(ctune_splitter_split(&s, sp, NULL), CTUNE_EINVAL);
    ck_assert_status(ctune_splitter_split(NULL, sp, d3), CTUNE_EINVAL);
    ctune_splitter_free(sp);

    /* every class smaller than k: error; the least populated one: warning */
    const double y4[] = {0, 1, 2, 3};
    ctune_data *d4 = make_data(y4, 4);
    ck_assert_ok(ctune_stratified_kfold_new(&sp, 2, 0, 0));
    ck_assert_status(ctune_splitter_split(&s, sp, d4), CTUNE_EINVAL);
    ck_assert_str_eq(ctune_last_error(), "StratifiedKFold: n_splits=2 cannot be greater than the "
                                         "number of members in each class");
    ctune_splitter_free(sp);
    const double y7[] = {0, 0, 0, 0, 0, 1, 1};
    ctune_data *d7 = make_data(y7, 7);
    ck_assert_ok(ctune_stratified_kfold_new(&sp, 3, 0, 0));
    ck_assert_ok(ctune_splitter_split(&s, sp, d7));
    ck_assert_uint_eq(ctune_splits_n_warnings(s), 1);
    ck_assert_str_eq(ctune_splits_warning(s, 0), "StratifiedKFold: the least populated class in "
                                                 "y has only 2 members, which is less than "
                                                 "n_splits=3");
    ctune_splits_free(s);

    /* stratified needs integer labels in one target column */
    const double yf[] = {0.5, 1, 0, 1, 0, 1, 0};
    ctune_data *df = make_data(yf, 7);
    ck_assert_status(ctune_splitter_split(&s, sp, df), CTUNE_EDATA);
    ck_assert_error_has("y row 0 is 0.5: class labels must be integer-valued");
    ctune_data *dn = make_data(NULL, 7);
    ck_assert_status(ctune_splitter_split(&s, sp, dn), CTUNE_EDATA);
    ck_assert_error_has("needs exactly 1 target column");
    ctune_splitter_free(sp);

    /* stratified shuffle split: a class of one member */
    ck_assert_ok(ctune_shuffle_split_new(&sp, 2, 0.3, 1, 1));
    ck_assert_str_eq(ctune_splitter_name(sp), "StratifiedShuffleSplit");
    const double y5[] = {0, 0, 0, 0, 1};
    ctune_data *d5 = make_data(y5, 5);
    ck_assert_status(ctune_splitter_split(&s, sp, d5), CTUNE_EINVAL);
    ck_assert_error_has("least populated class in y has only 1 member");
    ctune_splitter_free(sp);
    ck_assert_ok(ctune_shuffle_split_new(&sp, 2, 0.05, 1, 0));
    ck_assert_ok(ctune_splitter_split(&s, sp, d5)); /* ceil(0.25) = 1 test row */
    ctune_splits_free(s);
    ctune_splitter_free(sp);
    ck_assert_ok(ctune_shuffle_split_new(&sp, 2, 0.9, 1, 0));
    ck_assert_status(ctune_splitter_split(&s, sp, d5), CTUNE_EINVAL); /* floor(0.5) = 0 train */
    ck_assert_error_has("train set would be empty");
    ctune_splitter_free(sp);
    ctune_splitter_free(NULL);
    ctune_splits_free(NULL);
    ctune_data_free(d3);
    ctune_data_free(d4);
    ctune_data_free(d7);
    ctune_data_free(df);
    ctune_data_free(dn);
    ctune_data_free(d5);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

START_TEST(test_shuffle_split)
{
    double y[10] = {0, 0, 0, 0, 0, 0, 1, 1, 1, 1};
    ctune_data *d = make_data(y, 10);
    ctune_splitter *sp;
    ctune_splits *s;
    ck_assert_ok(ctune_shuffle_split_new(&sp, 4, 0.25, 3, 0));
    ck_assert_str_eq(ctune_splitter_name(sp), "ShuffleSplit");
    ck_assert_ok(ctune_splitter_split(&s, sp, d));
    ck_assert_uint_eq(ctune_splits_count(s), 4);
    int distinct_splits = 0;
    size_t first_test0 = 99;
    for (size_t i = 0; i < 4; i++) {
        const size_t *t, *tr;
        size_t nt, ntr;
        ck_assert_ok(ctune_splits_test(&t, &nt, s, i));
        ck_assert_ok(ctune_splits_train(&tr, &ntr, s, i));
        ck_assert_uint_eq(nt, 3); /* ceil(2.5) */
        ck_assert_uint_eq(ntr, 7);
        int seen[10] = {0};
        for (size_t k = 0; k < nt; k++)
            seen[t[k]]++;
        for (size_t k = 0; k < ntr; k++)
            seen[tr[k]]++;
        for (int r = 0; r < 10; r++)
            ck_assert_int_eq(seen[r], 1);
        if (i == 0)
            first_test0 = t[0];
        else
            distinct_splits |= t[0] != first_test0;
    }
    ck_assert_int_eq(distinct_splits, 1);
    ctune_splits_free(s);
    ctune_splitter_free(sp);

    /* stratified: 6 zeros + 4 ones, test 0.5 -> 3 zeros + 2 ones on each side */
    ck_assert_ok(ctune_shuffle_split_new(&sp, 3, 0.5, 3, 1));
    ck_assert_ok(ctune_splitter_split(&s, sp, d));
    for (size_t i = 0; i < 3; i++) {
        const size_t *t, *tr;
        size_t nt, ntr, ones = 0, ones_tr = 0;
        ck_assert_ok(ctune_splits_test(&t, &nt, s, i));
        ck_assert_ok(ctune_splits_train(&tr, &ntr, s, i));
        ck_assert_uint_eq(nt, 5);
        ck_assert_uint_eq(ntr, 5);
        for (size_t k = 0; k < nt; k++)
            ones += y[t[k]] == 1;
        for (size_t k = 0; k < ntr; k++)
            ones_tr += y[tr[k]] == 1;
        ck_assert_uint_eq(ones, 2);
        ck_assert_uint_eq(ones_tr, 2);
    }
    ctune_splits_free(s);
    ctune_splitter_free(sp);
    ctune_data_free(d);
}
END_TEST

START_TEST(test_train_test_split)
{
    int64_t live = ctune_alloc_live();
    double X[40 * 2], y[40];
    for (int i = 0; i < 40; i++) {
        X[2 * i] = i;
        X[2 * i + 1] = -i;
        y[i] = i % 4 == 0 ? 1 : 0; /* 10 ones, 30 zeros */
    }
    ctune_data *d, *tr, *te;
    ck_assert_ok(ctune_data_new(&d, X, CTUNE_FLOAT64, 40, 2, 0, y, 1));
    ck_assert_ok(ctune_train_test_split(&tr, &te, d, 0.25, 11, 1));
    ck_assert_uint_eq(ctune_data_n_rows(te), 10);
    ck_assert_uint_eq(ctune_data_n_rows(tr), 30);
    int seen[40] = {0};
    double ones_te = 0;
    for (size_t i = 0; i < 10; i++) {
        double v = ctune_data_x(te, i, 0);
        ck_assert_double_eq(ctune_data_x(te, i, 1), -v); /* a view of the caller's rows */
        seen[(int)v]++;
        ones_te += ctune_data_y(te, i, 0);
    }
    for (size_t i = 0; i < 30; i++)
        seen[(int)ctune_data_x(tr, i, 0)]++;
    for (int r = 0; r < 40; r++)
        ck_assert_int_eq(seen[r], 1);
    ck_assert(ones_te == 2 || ones_te == 3); /* 10 * 10/40 = 2.5: the tie goes either way */
    ctune_data_free(tr);
    ctune_data_free(te);
    ck_assert_status(ctune_train_test_split(&tr, &te, d, 1.5, 0, 0), CTUNE_EINVAL);
    ck_assert_ptr_null(tr);
    ck_assert_ptr_null(te);
    ck_assert_status(ctune_train_test_split(NULL, &te, d, 0.5, 0, 0), CTUNE_EINVAL);
    ck_assert_status(ctune_train_test_split(&tr, NULL, d, 0.5, 0, 0), CTUNE_EINVAL);
    ck_assert_status(ctune_train_test_split(&tr, &te, NULL, 0.5, 0, 0), CTUNE_EINVAL);
    ctune_data_free(d);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

START_TEST(test_split_alloc_failure_sweep)
{
    double y[20];
    for (int i = 0; i < 20; i++)
        y[i] = i % 3;
    ctune_data *d = make_data(y, 20);
    int64_t live = ctune_alloc_live();
    for (int kind = 0; kind < 4; kind++) {
        int ok = 0;
        for (int k = 1; k < 400 && !ok; k++) {
            ctune_splitter *sp = NULL;
            ctune_splits *s = NULL;
            ctune_data *tr = NULL, *te = NULL;
            ctune_alloc_fail_at(k, 0);
            ctune_status rc;
            switch (kind) {
            case 0: rc = ctune_kfold_new(&sp, 4, 1, 1); break;
            case 1: rc = ctune_stratified_kfold_new(&sp, 4, 1, 1); break;
            case 2: rc = ctune_shuffle_split_new(&sp, 3, 0.3, 1, 1); break;
            default: rc = ctune_train_test_split(&tr, &te, d, 0.3, 1, 1); break;
            }
            if (rc == CTUNE_OK && sp)
                rc = ctune_splitter_split(&s, sp, d);
            ctune_alloc_fail_at(0, 0);
            if (rc != CTUNE_OK)
                ck_assert_int_eq(rc, CTUNE_ENOMEM);
            ok = rc == CTUNE_OK;
            ctune_splits_free(s);
            ctune_splitter_free(sp);
            ctune_data_free(tr);
            ctune_data_free(te);
            ck_assert_int_eq(ctune_alloc_live(), live);
        }
        ck_assert_msg(ok, "kind %d never succeeded", kind);
    }
    ctune_data_free(d);
}
END_TEST

/* IndexSplit: the caller's index lists, copied and checked. */
START_TEST(test_index_split)
{
    int64_t live = ctune_alloc_live();
    ctune_data *d = make_data(NULL, 5);
    size_t tr0[3] = {0, 1, 2}, te0[2] = {3, 4}, tr1[2] = {4, 2}, te1[1] = {0};
    const size_t *train[2] = {tr0, tr1}, *test[2] = {te0, te1};
    size_t n_train[2] = {3, 2}, n_test[2] = {2, 1};
    ctune_splitter *sp;
    ck_assert_ok(ctune_index_split_new(&sp, 5, 2, train, n_train, test, n_test));
    tr1[0] = 99; /* copied */
    ck_assert_str_eq(ctune_splitter_name(sp), "IndexSplit");
    ck_assert_uint_eq(ctune_splitter_n_splits(sp), 2);
    ctune_splits *s;
    ck_assert_ok(ctune_splitter_split(&s, sp, d));
    const size_t *idx;
    size_t n;
    ck_assert_ok(ctune_splits_train(&idx, &n, s, 1));
    ck_assert_uint_eq(n, 2);
    ck_assert_uint_eq(idx[0], 4); /* order kept */
    ck_assert_uint_eq(idx[1], 2);
    ck_assert_ok(ctune_splits_test(&idx, &n, s, 0));
    ck_assert_uint_eq(n, 2);
    ck_assert_uint_eq(idx[1], 4);
    ctune_splits_free(s);
    ctune_data *d4 = make_data(NULL, 4);
    ck_assert_status(ctune_splitter_split(&s, sp, d4), CTUNE_EINVAL);
    ck_assert_error_has("the splits index 5 rows, but the data has 4");
    ctune_data_free(d4);
    ctune_splitter_free(sp);

    ck_assert_status(ctune_index_split_new(&sp, 5, 2, train, n_train, test, n_test), CTUNE_EINVAL);
    ck_assert_error_has("split 1, train index 0 is 99, but the data has 5 rows");
    ck_assert_ptr_null(sp);
    n_test[0] = 0;
    ck_assert_status(ctune_index_split_new(&sp, 5, 1, train, n_train, test, n_test), CTUNE_EINVAL);
    ck_assert_error_has("split 0 has an empty test side");
    ck_assert_status(ctune_index_split_new(&sp, 5, 0, train, n_train, test, n_test), CTUNE_EINVAL);
    ck_assert_status(ctune_index_split_new(&sp, 5, 1, NULL, n_train, test, n_test), CTUNE_EINVAL);
    ck_assert_status(ctune_index_split_new(NULL, 5, 1, train, n_train, test, n_test), CTUNE_EINVAL);
    ctune_data_free(d);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

/* Asserts that two splits are the same index lists. */
static void assert_same_splits(const ctune_splits *a, const ctune_splits *b)
{
    ck_assert_uint_eq(ctune_splits_count(a), ctune_splits_count(b));
    for (size_t f = 0; f < ctune_splits_count(a); f++) {
        const size_t *ia, *ib;
        size_t na, nb;
        ck_assert_ok(ctune_splits_train(&ia, &na, a, f));
        ck_assert_ok(ctune_splits_train(&ib, &nb, b, f));
        ck_assert_uint_eq(na, nb);
        ck_assert(memcmp(ia, ib, na * sizeof *ia) == 0);
        ck_assert_ok(ctune_splits_test(&ia, &na, a, f));
        ck_assert_ok(ctune_splits_test(&ib, &nb, b, f));
        ck_assert_uint_eq(na, nb);
        ck_assert(memcmp(ia, ib, na * sizeof *ia) == 0);
    }
}

/* A search's data carries its class table: the stratified splitters take
 * the label codes from it instead of sorting the labels, and split the
 * same (labels whose first-appearance order is not their sorted order);
 * a view missing one of the table's classes codes its own labels. */
START_TEST(test_stratified_codes_from_table)
{
    int64_t live = ctune_alloc_live();
    double y[40];
    for (int i = 0; i < 40; i++)
        y[i] = (double)((i * 7 + 3) % 5) * 3 - 4; /* 5, 8, -1, 2, -4, ... */
    ctune_data *d = make_data(y, 40), *t;
    ck_assert_ok(ctune__data_with_y(&t, d, NULL, 0, 0));
    ctune__class_table *tab;
    ck_assert_ok(ctune__class_table_new(&tab, d));
    ck_assert_ptr_nonnull(tab);
    ctune__data_set_class_table(t, tab);
    ctune__class_table_release(tab);
    size_t codes[40], k = 0;
    int used = 0;
    ck_assert_ok(ctune__data_class_codes(t, codes, &k, &used));
    ck_assert_int_eq(used, 1);
    ck_assert_uint_eq(k, 5);
    for (int i = 0; i < 40; i++)
        ck_assert_uint_eq(codes[i], (size_t)((y[i] + 4) / 3));
    ctune_splitter *sp[3];
    ck_assert_ok(ctune_stratified_kfold_new(&sp[0], 4, 1, 3));
    ck_assert_ok(ctune_stratified_kfold_new(&sp[1], 3, 0, 0));
    ck_assert_ok(ctune_shuffle_split_new(&sp[2], 3, 0.25, 9, 1));
    for (int j = 0; j < 3; j++) {
        ctune_splits *a, *b;
        ck_assert_ok(ctune_splitter_split(&a, sp[j], d));
        ck_assert_ok(ctune_splitter_split(&b, sp[j], t));
        assert_same_splits(a, b);
        ctune_splits_free(a);
        ctune_splits_free(b);
    }
    /* the rows without label 8: the table's codes are not used */
    size_t rows[40], n = 0;
    for (size_t i = 0; i < 40; i++)
        if (y[i] != 8)
            rows[n++] = i;
    ctune_data *sub;
    ck_assert_ok(ctune_data_subset(&sub, t, rows, n));
    ck_assert_ptr_nonnull(sub->class_table);
    ck_assert_ok(ctune__data_class_codes(sub, codes, &k, &used));
    ck_assert_int_eq(used, 0);
    ctune_splits *a;
    ck_assert_ok(ctune_splitter_split(&a, sp[0], sub));
    ck_assert_uint_eq(ctune_splits_count(a), 4);
    ctune_splits_free(a);
    /* allocation failures: ENOMEM or the same splits, nothing leaked */
    for (int64_t f = 1; f < 12; f++) {
        ctune_splits *b = NULL;
        ctune_alloc_fail_at(f, 0);
        ctune_status rc = ctune_splitter_split(&b, sp[0], t);
        ctune_alloc_fail_at(0, 0);
        ck_assert(rc == CTUNE_OK || rc == CTUNE_ENOMEM);
        ctune_splits_free(b);
    }
    for (int j = 0; j < 3; j++)
        ctune_splitter_free(sp[j]);
    ctune_data_free(sub);
    ctune_data_free(t);
    ctune_data_free(d);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("splitters");
    TCase *tc = tcase_create("splitters");
    tcase_add_test(tc, test_kfold_sizes);
    tcase_add_test(tc, test_kfold_shuffle);
    tcase_add_test(tc, test_stratified_allocation);
    tcase_add_test(tc, test_stratified_shuffle_keeps_proportions);
    tcase_add_test(tc, test_stratified_properties);
    tcase_add_test(tc, test_split_errors_and_warnings);
    tcase_add_test(tc, test_shuffle_split);
    tcase_add_test(tc, test_train_test_split);
    tcase_add_test(tc, test_split_alloc_failure_sweep);
    tcase_add_test(tc, test_index_split);
    tcase_add_test(tc, test_stratified_codes_from_table);
    suite_add_tcase(s, tc);
    return ctu_run_suite(s);
}
