/* Check suite: the embedded datasets. */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static void assert_same_as_file(const ctune_data *d, const char *file)
{
    double *X, *y;
    size_t n, m;
    ck_assert_int_eq(ctu_load_csv(ctu_data_path(file), &X, &y, &n, &m), 0);
    ck_assert_uint_eq(ctune_data_n_rows(d), n);
    ck_assert_uint_eq(ctune_data_n_cols(d), m);
    double *x = malloc(n * m * sizeof *x), *yy = malloc(n * sizeof *yy);
    ck_assert_ok(ctune_data_gather_f64(x, m, d, NULL, n));
    ck_assert_ok(ctune_data_gather_y(yy, d, NULL, n));
    ck_assert_int_eq(memcmp(x, X, n * m * sizeof *x), 0);
    ck_assert_int_eq(memcmp(yy, y, n * sizeof *yy), 0);
    free(x);
    free(yy);
    free(X);
    free(y);
}

START_TEST(test_list_and_describe)
{
    ck_assert_uint_eq(ctune_dataset_count(), 3);
    ck_assert_str_eq(ctune_dataset_name(0), "breast_cancer");
    ck_assert_str_eq(ctune_dataset_name(1), "iris");
    ck_assert_str_eq(ctune_dataset_name(2), "digits");
    ck_assert_ptr_null(ctune_dataset_name(3));
    for (size_t i = 0; i < ctune_dataset_count(); i++) {
        const char *desc = ctune_dataset_description(ctune_dataset_name(i));
        ck_assert_ptr_nonnull(desc);
        ck_assert_ptr_nonnull(strstr(desc, "CC BY 4.0"));
        ck_assert_ptr_nonnull(strstr(desc, "UCI"));
    }
    ck_assert_ptr_null(ctune_dataset_description("mnist"));
    ck_assert_ptr_eq(ctune_dataset_description(NULL), ctune_dataset_description("breast_cancer"));
}
END_TEST

START_TEST(test_breast_cancer_default)
{
    int64_t live = ctune_alloc_live();
    ctune_data *d, *e;
    ck_assert_ok(ctune_dataset_load(&d, NULL, NULL));
    ck_assert_ok(ctune_dataset_load(&e, "", NULL));
    ck_assert_uint_eq(ctune_data_n_rows(d), 569);
    ck_assert_uint_eq(ctune_data_n_cols(d), 30);
    ck_assert_int_eq(ctune_data_dtype(d), CTUNE_FLOAT64);
    ck_assert_str_eq(ctune_data_feature_name(d, 0), "mean radius");
    ck_assert_str_eq(ctune_data_feature_name(d, 29), "worst fractal dimension");
    ck_assert_uint_eq(ctune_data_n_class_names(d), 2);
    ck_assert_str_eq(ctune_data_class_name(d, 0), "malignant");
    ck_assert_str_eq(ctune_data_class_name(d, 1), "benign");
    ck_assert_ptr_null(ctune_data_class_name(d, 2));
    size_t benign = 0;
    for (size_t i = 0; i < 569; i++)
        benign += ctune_data_y(d, i, 0) == 1;
    ck_assert_uint_eq(benign, 357);
    ck_assert_ok(ctune_data_validate(d));
    assert_same_as_file(d, "breast_cancer.csv");
    assert_same_as_file(e, "breast_cancer.csv");
    ctune_data_free(d);
    ctune_data_free(e);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

START_TEST(test_iris_and_digits)
{
    int64_t live = ctune_alloc_live();
    ctune_data *d;
    ck_assert_ok(ctune_dataset_load(&d, "iris", NULL));
    ck_assert_uint_eq(ctune_data_n_rows(d), 150);
    ck_assert_uint_eq(ctune_data_n_cols(d), 4);
    ck_assert_str_eq(ctune_data_feature_name(d, 3), "petal width (cm)");
    ck_assert_uint_eq(ctune_data_n_class_names(d), 3);
    ck_assert_str_eq(ctune_data_class_name(d, 0), "setosa");
    ck_assert_str_eq(ctune_data_class_name(d, 1), "versicolor");
    ck_assert_str_eq(ctune_data_class_name(d, 2), "virginica");
    assert_same_as_file(d, "iris.csv");
    ctune_data_free(d);
    ck_assert_ok(ctune_dataset_load(&d, "digits", NULL));
    ck_assert_uint_eq(ctune_data_n_rows(d), 1797);
    ck_assert_uint_eq(ctune_data_n_cols(d), 64);
    ck_assert_uint_eq(ctune_data_n_class_names(d), 10);
    ck_assert_str_eq(ctune_data_class_name(d, 0), "0");
    ck_assert_str_eq(ctune_data_class_name(d, 9), "9");
    ck_assert_str_eq(ctune_data_feature_name(d, 63), "pixel_7_7");
    assert_same_as_file(d, "digits.csv");
    ctune_data_free(d);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

START_TEST(test_options_and_errors)
{
    int64_t live = ctune_alloc_live();
    ctune_data *d = (ctune_data *)1, *ref;
    ck_assert_ok(ctune_dataset_load(&ref, "iris", NULL));
    ck_assert_ok(ctune_dataset_load(&d, "iris", "dtype=float32"));
    ck_assert_int_eq(ctune_data_dtype(d), CTUNE_FLOAT32);
    for (size_t i = 0; i < 150; i++)
        for (size_t j = 0; j < 4; j++)
            ck_assert(ctune_data_x(d, i, j) == (double)(float)ctune_data_x(ref, i, j));
    ck_assert_str_eq(ctune_data_class_name(d, 2), "virginica");
    ctune_data_free(d);
    ck_assert_ok(ctune_dataset_load(&d, "iris", "features=petal length (cm)|sepal width (cm)"));
    ck_assert_uint_eq(ctune_data_n_cols(d), 2);
    ck_assert_str_eq(ctune_data_feature_name(d, 0), "petal length (cm)");
    ck_assert(ctune_data_x(d, 7, 1) == ctune_data_x(ref, 7, 1));
    ck_assert(ctune_data_x(d, 7, 0) == ctune_data_x(ref, 7, 2));
    ctune_data_free(d);
    ctune_data_free(ref);

    ck_assert_status(ctune_dataset_load(&d, "mnist", NULL), CTUNE_EINVAL);
    ck_assert_ptr_null(d);
    ck_assert_str_eq(ctune_last_error(),
                     "unknown dataset 'mnist'; known: breast_cancer, iris, digits");
    ck_assert_status(ctune_dataset_load(&d, "iris", "header=false"), CTUNE_EINVAL);
    ck_assert_str_eq(ctune_last_error(),
                     "dataset options: unknown option 'header'; known: features, dtype");
    ck_assert_status(ctune_dataset_load(&d, "iris", "dtype=int8"), CTUNE_EINVAL);
    ck_assert_status(ctune_dataset_load(&d, "iris", "features=petal"), CTUNE_EINVAL);
    ck_assert_error_has(
        "dataset iris: line 1: unknown feature column 'petal'; columns: sepal length");
    ck_assert_status(ctune_dataset_load(NULL, "iris", NULL), CTUNE_EINVAL);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

START_TEST(test_alloc_failure_sweep)
{
    int64_t live = ctune_alloc_live();
    int done = 0;
    for (int k = 1; k < 300 && !done; k++) {
        ctune_data *d = NULL;
        ctune_alloc_fail_at(k, 0);
        ctune_status rc = ctune_dataset_load(&d, "iris", "dtype=float32");
        ctune_alloc_fail_at(0, 0);
        if (rc != CTUNE_OK) {
            ck_assert_int_eq(rc, CTUNE_ENOMEM);
            ck_assert_ptr_null(d);
        } else {
            ck_assert_uint_eq(ctune_data_n_rows(d), 150);
            done = 1;
        }
        ctune_data_free(d);
        ck_assert_int_eq(ctune_alloc_live(), live);
    }
    ck_assert(done);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("io_datasets");
    TCase *tc = tcase_create("datasets");
    tcase_add_test(tc, test_list_and_describe);
    tcase_add_test(tc, test_breast_cancer_default);
    tcase_add_test(tc, test_iris_and_digits);
    tcase_add_test(tc, test_options_and_errors);
    tcase_add_test(tc, test_alloc_failure_sweep);
    suite_add_tcase(s, tc);
    return ctu_run_suite(s);
}
