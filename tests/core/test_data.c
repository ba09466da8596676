/* Check suite: data views, subsets, gathers, validation. */
#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/data.h"
#include "testutil.h"

static const double X64[4 * 3] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
static const double Y[4] = {0, 1, 0, 1};

START_TEST(test_new_and_shape)
{
    ctune_data *d;
    int64_t live = ctune_alloc_live();
    ck_assert_ok(ctune_data_new(&d, X64, CTUNE_FLOAT64, 4, 3, 0, Y, 1));
    ck_assert_uint_eq(ctune_data_n_rows(d), 4);
    ck_assert_uint_eq(ctune_data_n_cols(d), 3);
    ck_assert_uint_eq(ctune_data_n_targets(d), 1);
    ck_assert_int_eq(ctune_data_dtype(d), CTUNE_FLOAT64);
    ck_assert_double_eq(ctune_data_x(d, 2, 1), 8);
    ck_assert_double_eq(ctune_data_y(d, 3, 0), 1);
    ck_assert(isnan(ctune_data_y(d, 4, 0)));
    ck_assert_ok(ctune_data_validate(d));
    ctune_data_free(d);
    ctune_data_free(NULL);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

START_TEST(test_bad_arguments)
{
    ctune_data *d = (ctune_data *)1;
    ck_assert_status(ctune_data_new(&d, NULL, CTUNE_FLOAT64, 4, 3, 0, Y, 1), CTUNE_EINVAL);
    ck_assert_ptr_null(d);
    ck_assert_error_has("X is NULL");
    ck_assert_status(ctune_data_new(&d, X64, 7, 4, 3, 0, Y, 1), CTUNE_EINVAL);
    ck_assert_error_has("dtype 7");
    ck_assert_status(ctune_data_new(&d, X64, CTUNE_FLOAT64, 4, 0, 0, Y, 1), CTUNE_EINVAL);
    ck_assert_status(ctune_data_new(&d, X64, CTUNE_FLOAT64, 4, 3, 2, Y, 1), CTUNE_EINVAL);
    ck_assert_error_has("row_stride 2");
    ck_assert_status(ctune_data_new(&d, X64, CTUNE_FLOAT64, 4, 3, 0, NULL, 1), CTUNE_EINVAL);
    ck_assert_status(ctune_data_new(NULL, X64, CTUNE_FLOAT64, 4, 3, 0, Y, 1), CTUNE_EINVAL);
}
END_TEST

START_TEST(test_stride_and_float32)
{
    /* 3 rows of 2 columns inside rows of 4 floats */
    const float X[12] = {1, 2, -1, -1, 3, 4, -1, -1, 5, 6, -1, -1};
    ctune_data *d;
    ck_assert_ok(ctune_data_new(&d, X, CTUNE_FLOAT32, 3, 2, 4, NULL, 0));
    ck_assert_uint_eq(ctune_data_n_targets(d), 0);
    double out[6];
    ck_assert_ok(ctune_data_gather_f64(out, 2, d, NULL, 3));
    const double want[6] = {1, 2, 3, 4, 5, 6};
    for (int i = 0; i < 6; i++)
        ck_assert_double_eq(out[i], want[i]);
    float f[9];
    size_t rows[3] = {2, 0, 2};
    ck_assert_ok(ctune_data_gather_f32(f, 3, d, rows, 3));
    ck_assert_float_eq(f[0], 5);
    ck_assert_float_eq(f[1], 6);
    ck_assert_float_eq(f[3], 1);
    ck_assert_float_eq(f[7], 6);
    double y;
    ck_assert_status(ctune_data_gather_y(&y, d, NULL, 1), CTUNE_EINVAL);
    ck_assert_error_has("no y");
    ck_assert_status(ctune_data_gather_f64(out, 1, d, NULL, 3), CTUNE_EINVAL);
    ck_assert_status(ctune_data_gather_f64(out, 2, d, NULL, 4), CTUNE_EINVAL);
    size_t bad[1] = {3};
    ck_assert_status(ctune_data_gather_f64(out, 2, d, bad, 1), CTUNE_EINVAL);
    ctune_data_free(d);
}
END_TEST

START_TEST(test_subset_no_copy_and_nesting)
{
    ctune_data *d, *s1, *s2;
    int64_t live = ctune_alloc_live();
    ck_assert_ok(ctune_data_new(&d, X64, CTUNE_FLOAT64, 4, 3, 0, Y, 1));
    size_t r1[3] = {3, 1, 2};
    ck_assert_ok(ctune_data_subset(&s1, d, r1, 3));
    const void *rows = NULL;
    size_t stride = 0;
    ck_assert_ok(ctune_data_rows(&rows, &stride, d)); /* the caller's array itself */
    ck_assert_ptr_eq(rows, X64);
    ck_assert_uint_eq(stride, 3);
    ck_assert_status(ctune_data_rows(&rows, &stride, s1), CTUNE_EUNSUPPORTED);
    ck_assert_error_has("subset of 3 rows");
    ck_assert_ptr_null(rows);
    ck_assert_status(ctune_data_rows(&rows, &stride, NULL), CTUNE_EINVAL);
    ck_assert_status(ctune_data_rows(NULL, &stride, d), CTUNE_EINVAL);
    size_t r2[2] = {2, 0};
    ck_assert_ok(ctune_data_subset(&s2, s1, r2, 2)); /* rows 2 and 3 of the root */
    ctune_data_free(d);                              /* views keep the storage alive */
    ck_assert_uint_eq(ctune_data_n_rows(s2), 2);
    ck_assert_double_eq(ctune_data_x(s2, 0, 0), 7);
    ck_assert_double_eq(ctune_data_x(s2, 1, 2), 12);
    ck_assert_double_eq(ctune_data_y(s2, 1, 0), 1);
    double buf[6];
    ck_assert_ok(ctune_data_gather_f64(buf, 3, s2, NULL, 2));
    ck_assert_double_eq(buf[3], 10);
    size_t bad[1] = {3};
    ctune_data *s3 = (ctune_data *)1;
    ck_assert_status(ctune_data_subset(&s3, s1, bad, 1), CTUNE_EINVAL);
    ck_assert_error_has("index 3");
    ck_assert_ptr_null(s3);
    ctune_data_free(s1);
    ctune_data_free(s2);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

START_TEST(test_validate_names_first_offender)
{
    double X[6] = {1, 2, 3, 4, 5, 6};
    double y[3] = {0, 1, 0};
    X[5] = NAN;
    X[3] = INFINITY;
    ctune_data *d;
    ck_assert_ok(ctune_data_new(&d, X, CTUNE_FLOAT64, 3, 2, 0, y, 1));
    ck_assert_status(ctune_data_validate(d), CTUNE_EDATA);
    ck_assert_str_eq(ctune_last_error(), "X row 1, column 1 is +Inf");
    ctune_data_free(d);
    X[3] = 0;
    X[5] = 0;
    y[2] = NAN;
    ck_assert_ok(ctune_data_new(&d, X, CTUNE_FLOAT64, 3, 2, 0, y, 1));
    ck_assert_status(ctune_data_validate(d), CTUNE_EDATA);
    ck_assert_str_eq(ctune_last_error(), "y row 2 is NaN");
    ctune_data_free(d);
    float f[2] = {1, -INFINITY};
    ck_assert_ok(ctune_data_new(&d, f, CTUNE_FLOAT32, 1, 2, 0, NULL, 0));
    ck_assert_status(ctune_data_validate(d), CTUNE_EDATA);
    ck_assert_str_eq(ctune_last_error(), "X row 0, column 1 is -Inf");
    ctune_data_free(d);
}
END_TEST

START_TEST(test_alloc_failure_sweep)
{
    int64_t live = ctune_alloc_live();
    for (int k = 1; k < 10; k++) {
        ctune_data *d = NULL, *s = NULL;
        size_t rows[2] = {0, 1};
        ctune_alloc_fail_at(k, 0);
        ctune_status rc = ctune_data_new(&d, X64, CTUNE_FLOAT64, 4, 3, 0, Y, 1);
        if (rc == CTUNE_OK)
            rc = ctune_data_subset(&s, d, rows, 2);
        ctune_alloc_fail_at(0, 0);
        if (rc != CTUNE_OK) {
            ck_assert_int_eq(rc, CTUNE_ENOMEM);
            ck_assert_error_has("out of memory");
        }
        ctune_data_free(s);
        ctune_data_free(d);
        ck_assert_int_eq(ctune_alloc_live(), live);
        if (rc == CTUNE_OK)
            break;
    }
}
END_TEST

/* An affine view reads (x - shift) / scale through every accessor, bit for
 * bit as a scaler computes it (an overflowing difference is scaled first);
 * a subset keeps the map; ctune__data_plain() materializes those values. */
START_TEST(test_affine_view)
{
    static const double X[4 * 3] = {1, 2, 3, 4, 5, 6, 7, 1e308, 9, 0.1, 0.7, -3};
    static const float X32[4 * 3] = {1, 2, 3, 4, 5, 6, 7, 1e30f, 9, 0.1f, 0.7f, -3};
    const double shift[3] = {0.3, -1e308, 2.0 / 3}, scale[3] = {0.7, 4, 3.1};
    int64_t live = ctune_alloc_live();
    for (int f32 = 0; f32 < 2; f32++) {
        ctune_data *d, *a, *sub, *own;
        const ctune_data *use;
        ck_assert_ok(ctune_data_new(&d, f32 ? (const void *)X32 : (const void *)X,
                                    f32 ? CTUNE_FLOAT32 : CTUNE_FLOAT64, 4, 3, 0, Y, 1));
        ck_assert_ok(ctune__data_affine(&a, d, shift, scale));
        ck_assert_int_eq(ctune_data_dtype(a), CTUNE_FLOAT64);
        double g[12], want[12];
        float g32[12];
        for (size_t i = 0; i < 12; i++) {
            double x = f32 ? (double)X32[i] : X[i], v = (x - shift[i % 3]) / scale[i % 3];
            if (isinf(v))
                v = x / scale[i % 3] - shift[i % 3] / scale[i % 3];
            want[i] = v;
        }
        ck_assert(!f32 || isfinite(want[7]));               /* (1e30 + 1e308) / 4 */
        ck_assert(f32 || want[7] == 1e308 / 4 + 1e308 / 4); /* overflowed, scaled first */
        ck_assert_ok(ctune_data_gather_f64(g, 3, a, NULL, 4));
        ck_assert_ok(ctune_data_gather_f32(g32, 3, a, NULL, 4));
        for (size_t i = 0; i < 12; i++) {
            ck_assert_msg(memcmp(&g[i], &want[i], sizeof g[i]) == 0, "f32 %d, value %zu", f32, i);
            ck_assert(g32[i] == (float)want[i]);
            ck_assert(ctune_data_x(a, i / 3, i % 3) == want[i]);
        }
        ck_assert_ok(ctune_data_validate(a));
        size_t rows[2] = {3, 1};
        ck_assert_ok(ctune_data_subset(&sub, a, rows, 2));
        ck_assert(ctune_data_x(sub, 0, 2) == want[11]);
        ck_assert(ctune_data_y(sub, 1, 0) == Y[1]);
        ck_assert_ok(ctune__data_plain(sub, &own, &use));
        ck_assert_ptr_nonnull(own);
        ck_assert(use == own);
        ck_assert(ctune_data_x(use, 0, 0) == want[9] && ctune_data_x(use, 1, 2) == want[5]);
        ck_assert(ctune_data_y(use, 0, 0) == Y[3]);
        ctune_data_free(own);
        ck_assert_ok(ctune__data_plain(d, &own, &use)); /* no map: the view itself */
        ck_assert_ptr_null(own);
        ck_assert(use == d);
        ctune_data_free(sub);
        ctune_data_free(a);
        ctune_data_free(d);
    }
    /* a map that overflows finite values: validation reports it */
    static const double big[2] = {1e308, 1};
    const double sh1[1] = {0}, sc1[1] = {1e-10};
    ctune_data *d, *a;
    ck_assert_ok(ctune_data_new(&d, big, CTUNE_FLOAT64, 2, 1, 0, NULL, 0));
    ck_assert_ok(ctune__data_affine(&a, d, sh1, sc1));
    ck_assert_int_eq(ctune_data_validate(a), CTUNE_EDATA);
    ck_assert_error_has("row 0, column 0 is +Inf");
    ctune_data_free(a);
    ctune_data_free(d);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

/* Trust belongs to views a public call made after validating their source:
 * a trusted view skips the check, its subsets inherit it, and views made
 * by the public API never start trusted. */
START_TEST(test_trusted_views)
{
    static const double bad[3] = {1, NAN, 3};
    ctune_data *d, *s, *t;
    size_t rows[2] = {0, 1};
    ck_assert_ok(ctune_data_new(&d, bad, CTUNE_FLOAT64, 3, 1, 0, NULL, 0));
    ck_assert_ok(ctune_data_subset(&s, d, rows, 2));
    ck_assert_int_eq(ctune_data_validate(d), CTUNE_EDATA);
    ck_assert_int_eq(ctune_data_validate(s), CTUNE_EDATA);
    ctune__data_trust(s);
    ck_assert_ok(ctune_data_validate(s));
    ck_assert_ok(ctune_data_subset(&t, s, rows, 1));
    ck_assert_ok(ctune_data_validate(t));
    ctune_data_free(t);
    ctune_data_free(s);
    ctune_data_free(d);
}
END_TEST

/* An affine view remembers what the checks of its X found, and only
 * that: finite values beyond float32's range after the map are still
 * found by the float32 check after validation passed; a view within its
 * columns' bounds skips both later checks, and so do its subsets. */
START_TEST(test_affine_checks_remembered)
{
    static const double X[4] = {1, 2, 1e39, 3};
    static const double shift[1] = {0}, scale[1] = {1}, tiny[1] = {1e-300};
    ctune_data *d, *a, *s;
    size_t row, col, rows[2] = {1, 3};
    double v;
    ck_assert_ok(ctune_data_new(&d, X, CTUNE_FLOAT64, 4, 1, 0, NULL, 0));
    ck_assert_ok(ctune__data_affine(&a, d, shift, scale));
    ck_assert_ok(ctune_data_validate(a)); /* 1e39 is finite */
    ck_assert_int_eq(a->x_checked, 1);
    ck_assert_int_eq(ctune__data_find_bad(a, 0, &row, &col, &v), 0);
    ck_assert_int_eq(ctune__data_find_bad(a, 1, &row, &col, &v), 1); /* not float32 */
    ck_assert_uint_eq(row, 2);
    ctune_data_free(a);
    /* 1e39 / 1e-300 overflows: not finite, found by validation */
    ck_assert_ok(ctune__data_affine(&a, d, shift, tiny));
    ck_assert_int_eq(ctune_data_validate(a), CTUNE_EDATA);
    ck_assert_int_eq(ctune__data_validate_x(a), CTUNE_EDATA);
    ck_assert_int_eq(a->x_checked, 0);
    ctune_data_free(a);
    /* rows 1 and 3 only: within the bounds, checked once for all */
    ck_assert_ok(ctune_data_subset(&s, d, rows, 2));
    ck_assert_ok(ctune__data_affine(&a, s, shift, scale));
    ck_assert_ok(ctune__data_validate_x(a));
    ck_assert_int_eq(a->x_checked, 2);
    ck_assert_int_eq(ctune__data_find_bad(a, 1, &row, &col, &v), 0);
    ctune_data *sub;
    ck_assert_ok(ctune_data_subset(&sub, a, rows, 1));
    ck_assert_int_eq(sub->x_checked, 2);
    ctune_data_free(sub);
    ctune_data_free(a);
    /* what a reader of all the rows found: within the bounds marks the view
     * checked; beyond a bound, or a NaN, leaves it to be checked */
    static const double small[1] = {3}, big[1] = {1e39}, nan1[1] = {NAN};
    const double *known[3] = {small, big, nan1};
    for (int k = 0; k < 3; k++) {
        ck_assert_ok(ctune__data_affine(&a, s, shift, scale));
        ctune__data_affine_known(a, known[k]);
        ck_assert_int_eq(a->x_checked, k == 0 ? 2 : 0);
        ctune_data_free(a);
    }
    ctune_data_free(s);
    ctune_data_free(d);
}
END_TEST

/* The class table of a search's data: a view with every class takes its
 * sorted classes and codes from it (the values a fit would find), a view
 * missing a class, relabelled (y_local) or over another storage does not;
 * the coded view carries the codes' own table (classes 0..k-1), which its
 * affine views keep; labels that are not integers give no table. */
START_TEST(test_class_table)
{
    int64_t live = ctune_alloc_live();
    static const double X[8] = {0, 1, 2, 3, 4, 5, 6, 7};
    static const double y[8] = {7, -2, 7, 3, -2, 3, 7, 3};
    static const double frac[3] = {1, 2.5, 1};
    ctune_data *d, *all, *fold, *miss, *coded, *aff;
    ck_assert_ok(ctune_data_new(&d, X, CTUNE_FLOAT64, 8, 1, 0, y, 1));
    size_t rows_all[7] = {0, 1, 2, 3, 4, 5, 6}, rows_fold[4] = {0, 1, 2, 3},
           rows_miss[3] = {0, 2, 3};
    ck_assert_ok(ctune_data_subset(&all, d, rows_all, 7)); /* the search's data: a view itself */
    ctune__class_table *t;
    ck_assert_ok(ctune__class_table_new(&t, all));
    ck_assert_ptr_nonnull(t);
    ck_assert_ok(ctune_data_subset(&fold, all, rows_fold, 4));
    ck_assert_ok(ctune_data_subset(&miss, all, rows_miss, 3)); /* no -2 */
    ctune__data_set_class_table(fold, t);
    ctune__data_set_class_table(miss, t);
    ctune__class_table_release(t); /* the views keep it */
    double *classes = NULL;
    size_t k = 0;
    int used = -1;
    ck_assert_ok(ctune__data_classes_from_table(miss, &classes, &k, &coded, &used));
    ck_assert_int_eq(used, 0);
    ck_assert_ok(ctune__data_classes_from_table(fold, &classes, &k, &coded, &used));
    ck_assert_int_eq(used, 1);
    ck_assert_uint_eq(k, 3);
    ck_assert(classes[0] == -2 && classes[1] == 3 && classes[2] == 7);
    static const double want[4] = {2, 0, 2, 1}; /* 7, -2, 7, 3 */
    for (size_t i = 0; i < 4; i++) {
        ck_assert(ctune_data_y(coded, i, 0) == want[i]);
        ck_assert(ctune_data_x(coded, i, 0) == X[rows_fold[i]]);
    }
    ctune__free(classes);
    /* a nested fit on the codes (through an affine view) finds 0..2 */
    static const double shift[1] = {1}, scale[1] = {2};
    ck_assert_ok(ctune__data_affine(&aff, coded, shift, scale));
    ctune_data *coded2;
    ck_assert_ok(ctune__data_classes_from_table(aff, &classes, &k, &coded2, &used));
    ck_assert_int_eq(used, 1);
    ck_assert(k == 3 && classes[0] == 0 && classes[1] == 1 && classes[2] == 2);
    for (size_t i = 0; i < 4; i++) {
        ck_assert(ctune_data_y(coded2, i, 0) == want[i]);
        ck_assert(ctune_data_x(coded2, i, 0) == (X[rows_fold[i]] - 1) / 2);
    }
    ctune__free(classes);
    ctune_data_free(coded2);
    ctune_data_free(aff);
    /* a relabelled view does not read the table's y */
    double *y2 = ctune__malloc(4 * sizeof *y2);
    memcpy(y2, want, sizeof want);
    ctune_data *relab;
    ck_assert_ok(ctune__data_with_y(&relab, fold, y2, 1, 1));
    ck_assert_ok(ctune__data_classes_from_table(relab, &classes, &k, &coded2, &used));
    ck_assert_int_eq(used, 0);
    ctune_data_free(relab);
    ctune_data_free(coded);
    ctune_data_free(miss);
    ctune_data_free(fold);
    ctune_data_free(all);
    ctune_data_free(d);
    /* labels that are not integers, or no y: no table */
    ck_assert_ok(ctune_data_new(&d, X, CTUNE_FLOAT64, 3, 1, 0, frac, 1));
    ck_assert_ok(ctune__class_table_new(&t, d));
    ck_assert_ptr_null(t);
    ctune_data_free(d);
    ck_assert_ok(ctune_data_new(&d, X, CTUNE_FLOAT64, 3, 1, 0, NULL, 0));
    ck_assert_ok(ctune__class_table_new(&t, d));
    ck_assert_ptr_null(t);
    ctune_data_free(d);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

/* Every allocation of a table and of a coded view can fail cleanly. */
START_TEST(test_class_table_alloc_failures)
{
    static const double X[6] = {0, 1, 2, 3, 4, 5};
    static const double y[6] = {1, 0, 1, 2, 0, 2};
    int64_t live = ctune_alloc_live();
    for (int64_t n = 1; n < 40; n++) {
        ctune_data *d, *coded = NULL;
        ck_assert_ok(ctune_data_new(&d, X, CTUNE_FLOAT64, 6, 1, 0, y, 1));
        ctune__class_table *t = NULL;
        ctune_alloc_fail_at(n, 0);
        ctune_status rc = ctune__class_table_new(&t, d);
        double *classes = NULL;
        size_t k;
        int used = 0;
        if (rc == CTUNE_OK) {
            ck_assert_ptr_nonnull(t);
            ctune__data_set_class_table(d, t);
            ctune__class_table_release(t);
            rc = ctune__data_classes_from_table(d, &classes, &k, &coded, &used);
        }
        ctune_alloc_fail_at(0, 0);
        ck_assert(rc == CTUNE_OK || rc == CTUNE_ENOMEM);
        if (rc == CTUNE_OK && used) {
            ck_assert_uint_eq(k, 3);
            ctune__free(classes);
            ctune_data_free(coded);
        }
        ctune_data_free(d);
        ck_assert_int_eq(ctune_alloc_live(), live);
    }
}
END_TEST

/* One validation pass also finds each column's largest |x| over the view's
 * rows; a bad value is named as ctune_data_validate() names it, and no
 * maxima come back. An affine view of rows that carry the maxima is known
 * checked when they are within its bounds, and only then. */
START_TEST(test_validate_absmax)
{
    int64_t live = ctune_alloc_live();
    static const double X[8] = {1, -2, -3, 0.5, 2.5, 4, -1, 0};
    static const float Xf[4] = {1, -2, -3.5f, 0.5f};
    static const double y[4] = {0, 1, 0, 1}, ybad[4] = {0, NAN, 0, 1};
    ctune_data *d, *s, *a;
    ctune__col_absmax *m;
    ck_assert_ok(ctune_data_new(&d, X, CTUNE_FLOAT64, 4, 2, 0, y, 1));
    ck_assert_ok(ctune__data_validate_absmax(d, &m));
    ck_assert_ptr_nonnull(m);
    ck_assert_uint_eq(m->m, 2);
    ck_assert(m->v[0] == 3 && m->v[1] == 4);
    /* over the rows of a subset only */
    size_t rows[2] = {0, 3};
    ck_assert_ok(ctune_data_subset(&s, d, rows, 2));
    ctune__col_absmax *ms;
    ck_assert_ok(ctune__data_validate_absmax(s, &ms));
    ck_assert(ms->v[0] == 1 && ms->v[1] == 2);
    /* carried by derived views; an affine view within the bounds is checked */
    static const double shift[2] = {0, 0}, scale[2] = {1, 1}, tiny[2] = {1e-300, 1};
    ctune__data_set_absmax(s, ms);
    ctune__col_absmax_release(ms);
    ck_assert_ok(ctune__data_affine(&a, s, shift, scale));
    ck_assert_ptr_eq(a->absmax, s->absmax);
    ck_assert_int_eq(a->x_checked, 2);
    ctune_data_free(a);
    /* a view of the same rows over another stored X drops them, one over
     * the same X keeps them */
    static const double X2[8] = {0};
    ctune_data *d2, *on;
    ck_assert_ok(ctune_data_new(&d2, X2, CTUNE_FLOAT64, 4, 2, 0, y, 1));
    ck_assert_ok(ctune__data_view_on(&on, d2->st, s));
    ck_assert_ptr_null(on->absmax);
    ctune_data_free(on);
    ck_assert_ok(ctune__data_view_on(&on, d->st, s));
    ck_assert_ptr_eq(on->absmax, s->absmax);
    ctune_data_free(on);
    ctune_data_free(d2);
    /* 1 / 1e-300 is beyond float32's range: left to be checked */
    ck_assert_ok(ctune__data_affine(&a, s, shift, tiny));
    ck_assert_int_eq(a->x_checked, 0);
    ck_assert_int_eq(ctune__data_validate_x(a), CTUNE_OK);
    size_t row, col;
    double v;
    ck_assert_int_eq(ctune__data_find_bad(a, 1, &row, &col, &v), 1);
    ctune_data_free(a);
    ctune_data_free(s);
    ctune__col_absmax_release(m);
    ctune_data_free(d);
    /* float32 storage */
    ck_assert_ok(ctune_data_new(&d, Xf, CTUNE_FLOAT32, 2, 2, 0, NULL, 0));
    ck_assert_ok(ctune__data_validate_absmax(d, &m));
    ck_assert(m->v[0] == 3.5 && m->v[1] == 2);
    ctune__col_absmax_release(m);
    ctune_data_free(d);
    /* bad X, bad y: the error of ctune_data_validate(), no maxima */
    double Xn[4] = {1, 2, 3, 4};
    Xn[3] = INFINITY;
    ck_assert_ok(ctune_data_new(&d, Xn, CTUNE_FLOAT64, 2, 2, 0, NULL, 0));
    m = (ctune__col_absmax *)&live; /* overwritten */
    ck_assert_int_eq(ctune__data_validate_absmax(d, &m), CTUNE_EDATA);
    ck_assert_ptr_null(m);
    ck_assert_str_eq(ctune_last_error(), "X row 1, column 1 is +Inf");
    ctune_data_free(d);
    ck_assert_ok(ctune_data_new(&d, X, CTUNE_FLOAT64, 4, 2, 0, ybad, 1));
    ck_assert_int_eq(ctune__data_validate_absmax(d, &m), CTUNE_EDATA);
    ck_assert_ptr_null(m);
    ck_assert_str_eq(ctune_last_error(), "y row 1 is NaN");
    /* a trusted view is not read: no maxima */
    ctune__data_trust(d);
    ck_assert_ok(ctune__data_validate_absmax(d, &m));
    ck_assert_ptr_null(m);
    ctune_data_free(d);
    /* allocation failures: ENOMEM, nothing leaked */
    ck_assert_ok(ctune_data_new(&d, X, CTUNE_FLOAT64, 4, 2, 0, y, 1));
    ctune_alloc_fail_at(1, 0);
    ck_assert_int_eq(ctune__data_validate_absmax(d, &m), CTUNE_ENOMEM);
    ctune_alloc_fail_at(0, 0);
    ck_assert_ptr_null(m);
    ctune_data_free(d);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

/* Welford's moments, as a column-at-a-time reference computes them, bit
 * for bit; views sharing a slot find them once (a later reader gets the
 * stored values, even after the rows' values changed, which a view of a
 * search never sees); a subset or an affine view does not share it. */
static void ref_moments(const double *X, size_t m, const size_t *rows, size_t n, size_t j,
                        double *mean, double *m2, double *am)
{
    *mean = *m2 = *am = 0;
    for (size_t i = 0; i < n; i++) {
        double x = X[rows[i] * m + j], delta = x - *mean, a = fabs(x);
        *mean += delta * (1.0 / (double)(i + 1));
        *m2 += delta * (x - *mean);
        *am = a > *am ? a : *am;
    }
}

START_TEST(test_col_moments)
{
    int64_t live = ctune_alloc_live();
    enum { N = 37, M = 11 };
    static double X[N * M];
    static double y[N];
    for (size_t k = 0; k < N * M; k++)
        X[k] = sin((double)k * 1.7) * (double)(k % 13 + 1) + 1e3 * (double)(k % M);
    for (size_t i = 0; i < N; i++)
        y[i] = (double)(i % 2);
    size_t rows[N - 5];
    for (size_t i = 0; i < N - 5; i++)
        rows[i] = (i * 7) % N; /* distinct: 7 and 37 are coprime */
    ctune_data *d, *s, *w, *a, *sub;
    ck_assert_ok(ctune_data_new(&d, X, CTUNE_FLOAT64, N, M, 0, y, 1));
    ck_assert_ok(ctune_data_subset(&s, d, rows, N - 5));
    ck_assert_ok(ctune__data_share_moments(s));
    double mean[M], m2[M], am[M];
    ck_assert_ok(ctune__data_col_moments(s, mean, m2, am));
    for (size_t j = 0; j < M; j++) {
        double rm, rm2, ram;
        ref_moments(X, M, rows, N - 5, j, &rm, &rm2, &ram);
        ck_assert(memcmp(&rm, &mean[j], sizeof rm) == 0);
        ck_assert(memcmp(&rm2, &m2[j], sizeof rm2) == 0);
        ck_assert(ram == am[j]);
    }
    ck_assert_ptr_nonnull(atomic_load(&s->moments->v));
    /* a view of the same rows shares the slot: the stored values */
    double *yc = ctune__malloc(sizeof(double) * (N - 5));
    for (size_t i = 0; i < N - 5; i++)
        yc[i] = 1;
    ck_assert_ok(ctune__data_with_y(&w, s, yc, 1, 1));
    ck_assert_ptr_eq(w->moments, s->moments);
    double mean2[M], m22[M], am2[M];
    X[rows[0] * M] += 100; /* not seen: the slot's values are returned */
    ck_assert_ok(ctune__data_col_moments(w, mean2, m22, am2));
    ck_assert(memcmp(mean, mean2, sizeof mean) == 0 && memcmp(m2, m22, sizeof m2) == 0);
    X[rows[0] * M] -= 100;
    /* an affine view and a subset have none; an affine view has no moments */
    static double shift[M], scale[M];
    for (size_t j = 0; j < M; j++)
        scale[j] = 2;
    ck_assert_ok(ctune__data_affine(&a, w, shift, scale));
    ck_assert_ptr_null(a->moments);
    ck_assert_int_eq(ctune__data_col_moments(a, mean2, m22, am2), CTUNE_EINTERNAL);
    ck_assert_ok(ctune_data_subset(&sub, w, rows, 3));
    ck_assert_ptr_null(sub->moments);
    ck_assert_ok(ctune__data_col_moments(sub, mean2, m22, am2)); /* found, not stored */
    ctune_data_free(sub);
    ctune_data_free(a);
    ctune_data_free(w);
    ctune_data_free(s);
    /* float32 storage: the same pass on the widened values */
    static float Xf[N * M];
    for (size_t k = 0; k < N * M; k++)
        Xf[k] = (float)X[k];
    ctune_data *f;
    ck_assert_ok(ctune_data_new(&f, Xf, CTUNE_FLOAT32, N, M, 0, NULL, 0));
    ck_assert_ok(ctune__data_col_moments(f, mean2, m22, am2));
    ctune_data_free(f);
    static double Xw[N * M];
    size_t all[N];
    for (size_t i = 0; i < N; i++)
        all[i] = i;
    for (size_t k = 0; k < N * M; k++)
        Xw[k] = (double)Xf[k];
    for (size_t j = 0; j < M; j++) {
        double rm, rm2, ram;
        ref_moments(Xw, M, all, N, j, &rm, &rm2, &ram);
        ck_assert(memcmp(&rm, &mean2[j], sizeof rm) == 0);
        ck_assert(memcmp(&rm2, &m22[j], sizeof rm2) == 0);
        ck_assert(ram == am2[j]);
    }
    /* allocation failures while storing: ENOMEM, nothing leaked */
    for (int64_t k = 1; k < 6; k++) {
        ck_assert_ok(ctune_data_subset(&s, d, rows, N - 5));
        ctune_alloc_fail_at(k, 0);
        ctune_status rc = ctune__data_share_moments(s);
        if (rc == CTUNE_OK)
            rc = ctune__data_col_moments(s, mean2, m22, am2);
        ctune_alloc_fail_at(0, 0);
        ck_assert(rc == CTUNE_OK || rc == CTUNE_ENOMEM);
        ctune_data_free(s);
    }
    ctune_data_free(d);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

/* The gathers of an affine view: the map computed in double, then rounded
 * to float32, bit for bit, for every column count around the vector
 * widths, float32 and float64 storage; a value whose difference overflows
 * takes the fix-up (x / scale - shift / scale). */
START_TEST(test_affine_gather_exact)
{
    enum { N = 5, MMAX = 19 };
    static double X[N * MMAX];
    static float Xf[N * MMAX];
    static double shift[MMAX], scale[MMAX];
    for (size_t k = 0; k < N * MMAX; k++) {
        X[k] = cos((double)k * 0.37) * 1e3 / (double)(k % 7 + 1);
        Xf[k] = (float)X[k];
    }
    for (size_t j = 0; j < MMAX; j++) {
        shift[j] = 0.1 * (double)j - 0.7;
        scale[j] = 0.3 + 0.77 * (double)j;
    }
    for (size_t m = 1; m <= MMAX; m++)
        for (int f32 = 0; f32 < 2; f32++) {
            ctune_data *d, *a;
            ck_assert_ok(ctune_data_new(&d, f32 ? (const void *)Xf : (const void *)X,
                                        f32 ? CTUNE_FLOAT32 : CTUNE_FLOAT64, N, m, MMAX, NULL, 0));
            ck_assert_ok(ctune__data_affine(&a, d, shift, scale));
            float outf[N * MMAX];
            double outd[N * MMAX];
            size_t rows[N] = {4, 0, 3, 1, 2};
            ck_assert_ok(ctune_data_gather_f32(outf, m, a, rows, N));
            ck_assert_ok(ctune_data_gather_f64(outd, m, a, NULL, N));
            for (size_t i = 0; i < N; i++)
                for (size_t j = 0; j < m; j++) {
                    double xr = f32 ? (double)Xf[rows[i] * MMAX + j] : X[rows[i] * MMAX + j];
                    double xi = f32 ? (double)Xf[i * MMAX + j] : X[i * MMAX + j];
                    float ef = (float)((xr - shift[j]) / scale[j]);
                    double ed = (xi - shift[j]) / scale[j];
                    ck_assert(memcmp(&ef, &outf[i * m + j], sizeof ef) == 0);
                    ck_assert(memcmp(&ed, &outd[i * m + j], sizeof ed) == 0);
                }
            ctune_data_free(a);
            ctune_data_free(d);
        }
    /* x - shift overflows, x / scale - shift / scale does not */
    static const double big[3] = {1.5e308, 1, -1.5e308};
    static const double sh[3] = {-1.5e308, 0, 1.5e308}, sc[3] = {1e10, 2, 1e10};
    ctune_data *d, *a;
    ck_assert_ok(ctune_data_new(&d, big, CTUNE_FLOAT64, 1, 3, 0, NULL, 0));
    ck_assert_ok(ctune__data_affine(&a, d, sh, sc));
    double o[3];
    ck_assert_ok(ctune_data_gather_f64(o, 3, a, NULL, 1));
    double want = 1.5e308 / 1e10 - (-1.5e308) / 1e10;
    ck_assert(o[0] == want && o[1] == 0.5 && o[2] == -want);
    ctune_data_free(a);
    ctune_data_free(d);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("data");
    TCase *tc = tcase_create("data");
    tcase_add_test(tc, test_new_and_shape);
    tcase_add_test(tc, test_bad_arguments);
    tcase_add_test(tc, test_stride_and_float32);
    tcase_add_test(tc, test_subset_no_copy_and_nesting);
    tcase_add_test(tc, test_validate_names_first_offender);
    tcase_add_test(tc, test_alloc_failure_sweep);
    tcase_add_test(tc, test_affine_view);
    tcase_add_test(tc, test_trusted_views);
    tcase_add_test(tc, test_class_table);
    tcase_add_test(tc, test_affine_checks_remembered);
    tcase_add_test(tc, test_class_table_alloc_failures);
    tcase_add_test(tc, test_validate_absmax);
    tcase_add_test(tc, test_col_moments);
    tcase_add_test(tc, test_affine_gather_exact);
    suite_add_tcase(s, tc);
    return ctu_run_suite(s);
}
