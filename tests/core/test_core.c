/* Check suite: status/errors, version, allocator, RNG. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/labels.h"
#include "core/rng.h"
#include "testutil.h"

START_TEST(test_version)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%d.%d.%d", CTUNE_VERSION_MAJOR, CTUNE_VERSION_MINOR,
             CTUNE_VERSION_PATCH);
    ck_assert_str_eq(ctune_version_string(), buf);
    ck_assert_int_eq(ctune_version_number(), CTUNE_VERSION_NUMBER);
}
END_TEST

START_TEST(test_status_strings)
{
    for (int c = 0; c >= -11; c--) {
        ck_assert_ptr_nonnull(ctune_status_string(c));
        ck_assert_str_ne(ctune_status_string(c), "unknown status");
    }
    ck_assert_str_eq(ctune_status_string(-999), "unknown status");
    ck_assert_str_eq(ctune_status_string(CTUNE_EUSER), "user callback failed");
}
END_TEST

START_TEST(test_error_message)
{
    ctune_clear_error();
    ck_assert_str_eq(ctune_last_error(), "");
    ck_assert_int_eq(ctune_last_error_code(), CTUNE_OK);
    ck_assert_int_eq(ctune_set_error(CTUNE_EDATA, "row %d is %s", 17, "bad"), CTUNE_EDATA);
    ck_assert_str_eq(ctune_last_error(), "row 17 is bad");
    ck_assert_int_eq(ctune_last_error_code(), CTUNE_EDATA);
    /* a message may be built from the current one */
    ctune_set_error(CTUNE_EDATA, "outer: %s", ctune_last_error());
    ck_assert_str_eq(ctune_last_error(), "outer: row 17 is bad");
    ck_assert_int_eq(ctune_set_error_str(CTUNE_EUSER, NULL), CTUNE_EUSER);
    ck_assert_str_eq(ctune_last_error(), "user callback failed");
    /* truncation, never overflow */
    char big[3000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = 0;
    ctune_set_error_str(CTUNE_EINVAL, big);
    ck_assert_uint_eq(strlen(ctune_last_error()), 1023);
}
END_TEST

static void *thread_err(void *arg)
{
    ctune_set_error(CTUNE_EIO, "thread %d", *(int *)arg);
    return (void *)(strcmp(ctune_last_error(), "thread 2") == 0 ? arg : NULL);
}

START_TEST(test_error_thread_local)
{
    ctune_set_error(CTUNE_EDATA, "main");
    pthread_t t;
    int two = 2;
    void *res;
    pthread_create(&t, NULL, thread_err, &two);
    pthread_join(t, &res);
    ck_assert_ptr_eq(res, &two);
    ck_assert_str_eq(ctune_last_error(), "main");
}
END_TEST

START_TEST(test_alloc_counts_and_failures)
{
    int64_t live0 = ctune_alloc_live();
    void *p = ctune__malloc(16);
    ck_assert_ptr_nonnull(p);
    ck_assert_int_eq(ctune_alloc_live(), live0 + 1);
    ctune__free(p);
    ck_assert_int_eq(ctune_alloc_live(), live0);

    ctune_alloc_fail_at(2, 0);
    void *a = ctune__malloc(8);
    void *b = ctune__malloc(8);
    void *c = ctune__malloc(8);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_null(b);
    ck_assert_int_eq(ctune_last_error_code(), CTUNE_ENOMEM);
    ck_assert_ptr_nonnull(c);
    ctune__free(a);
    ctune__free(c);

    ctune_alloc_fail_at(1, 1);
    ck_assert_ptr_null(ctune__malloc(8));
    ck_assert_ptr_null(ctune__calloc(2, 8));
    ctune_alloc_fail_at(0, 0);
    p = ctune__calloc(4, 4);
    ck_assert_ptr_nonnull(p);
    ctune__free(p);
    ck_assert_int_eq(ctune_alloc_live(), live0);
    /* overflow is detected, not wrapped */
    ck_assert_ptr_null(ctune__malloc_array(SIZE_MAX / 2, 4));
    ck_assert_ptr_null(ctune__calloc(SIZE_MAX / 2, 4));
}
END_TEST

START_TEST(test_rng_reproducible_and_streams)
{
    ctune_rng *a, *b, *c;
    ck_assert_ok(ctune_rng_new(&a, 42, 0));
    ck_assert_ok(ctune_rng_new(&b, 42, 0));
    ck_assert_ok(ctune_rng_new(&c, 42, 1));
    int same_c = 0;
    for (int i = 0; i < 1000; i++) {
        uint64_t x = ctune_rng_u64(a), y = ctune_rng_u64(b), z = ctune_rng_u64(c);
        ck_assert_uint_eq(x, y);
        same_c += x == z;
    }
    ck_assert_int_eq(same_c, 0);
    ck_assert_uint_ne(ctune_seed_derive(1, 2), ctune_seed_derive(2, 1));
    ck_assert_uint_eq(ctune_seed_derive(7, 9), ctune_seed_derive(7, 9));
    ctune_rng_free(a);
    ctune_rng_free(b);
    ctune_rng_free(c);
    ctune_rng_free(NULL);
    ck_assert_status(ctune_rng_new(NULL, 1, 1), CTUNE_EINVAL);
}
END_TEST

START_TEST(test_rng_distributions)
{
    ctune_rng r;
    ctune__rng_init(&r, ctu_seed(), 3);
    const int n = 200000;
    double s = 0, s2 = 0, ns = 0, ns2 = 0;
    long counts[7] = {0};
    for (int i = 0; i < n; i++) {
        double u = ctune_rng_uniform(&r);
        ck_assert(u >= 0.0 && u < 1.0);
        s += u;
        s2 += u * u;
        double z = ctune_rng_normal(&r);
        ns += z;
        ns2 += z * z;
        uint64_t k = ctune_rng_below(&r, 7);
        ck_assert_uint_lt(k, 7);
        counts[k]++;
    }
    double mean = s / n, var = s2 / n - mean * mean;
    ck_assert_double_eq_tol(mean, 0.5, 0.005);
    ck_assert_double_eq_tol(var, 1.0 / 12, 0.002);
    ck_assert_double_eq_tol(ns / n, 0.0, 0.01);
    ck_assert_double_eq_tol(ns2 / n, 1.0, 0.02);
    /* chi-square with 6 dof: 99.9% quantile is 22.46 */
    double chi = 0, e = n / 7.0;
    for (int k = 0; k < 7; k++)
        chi += (counts[k] - e) * (counts[k] - e) / e;
    ck_assert_double_lt(chi, 22.46);
    ck_assert_uint_eq(ctune_rng_below(&r, 0), 0);
}
END_TEST

START_TEST(test_rng_shuffle_is_permutation)
{
    ctune_rng r;
    ctune__rng_init(&r, 1, 1);
    size_t idx[100], seen[100] = {0};
    for (size_t i = 0; i < 100; i++)
        idx[i] = i;
    ctune__rng_shuffle_size(&r, idx, 100);
    size_t moved = 0;
    for (size_t i = 0; i < 100; i++) {
        seen[idx[i]]++;
        moved += idx[i] != i;
    }
    for (size_t i = 0; i < 100; i++)
        ck_assert_uint_eq(seen[i], 1);
    ck_assert_uint_gt(moved, 50);
}
END_TEST

/* Distinct labels: few classes take the one-pass path, many the sort; both
 * give the sorted distinct values (against a plain qsort + unique). */
START_TEST(test_sort_unique)
{
    ctune_rng *rng;
    ck_assert_ok(ctune_rng_new(&rng, 3, 0));
    static double v[5000], ref[5000];
    size_t kinds[] = {1, 2, 3, 10, 64, 65, 300, 5000};
    for (size_t t = 0; t < sizeof kinds / sizeof kinds[0]; t++) {
        size_t n = 5000;
        for (size_t i = 0; i < n; i++)
            v[i] = ref[i] = (double)ctune_rng_below(rng, kinds[t]) * 3 - 100;
        qsort(ref, n, sizeof *ref, ctune__cmp_double);
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
            if (k == 0 || ref[i] != ref[k - 1])
                ref[k++] = ref[i];
        ck_assert_uint_eq(ctune__sort_unique(v, n), k);
        ck_assert(memcmp(v, ref, k * sizeof *v) == 0);
    }
    ck_assert_uint_eq(ctune__sort_unique(v, 0), 0);
    double one[3] = {7, 7, 7};
    ck_assert_uint_eq(ctune__sort_unique(one, 3), 1);
    ck_assert_double_eq(one[0], 7);
    ctune_rng_free(rng);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("core");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_version);
    tcase_add_test(tc, test_sort_unique);
    tcase_add_test(tc, test_status_strings);
    tcase_add_test(tc, test_error_message);
    tcase_add_test(tc, test_error_thread_local);
    tcase_add_test(tc, test_alloc_counts_and_failures);
    tcase_add_test(tc, test_rng_reproducible_and_streams);
    tcase_add_test(tc, test_rng_distributions);
    tcase_add_test(tc, test_rng_shuffle_is_permutation);
    suite_add_tcase(s, tc);
    return ctu_run_suite(s);
}
