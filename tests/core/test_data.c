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
    suite_add_tcase(s, tc);
    return ctu_run_suite(s);
}
