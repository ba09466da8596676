/* Check suite: data views, subsets, gathers, validation. */
#include <math.h>
#include <string.h>

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
    suite_add_tcase(s, tc);
    return ctu_run_suite(s);
}
