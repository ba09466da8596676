/* Check suite: the training loop polls its fit context before every
 * minibatch, so a cancel from another thread stops a long fit after at most
 * one more minibatch, returns CTUNE_ECANCELLED and leaks nothing. */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "estimator/estimator.h"
#include "nn/model.h"
#include "testutil.h"

enum { N = 200, D = 8, BATCH = 10, PER_EPOCH = N / BATCH };

static float X[N * D];
static double Y[N];

static void make_data(void)
{
    ctune_rng *r;
    ck_assert_ok(ctune_rng_new(&r, 11, 0));
    for (size_t i = 0; i < (size_t)N * D; i++)
        X[i] = (float)ctune_rng_normal(r);
    for (size_t i = 0; i < N; i++)
        Y[i] = X[i * D] > 0 ? 1.0 : 0.0;
    ctune_rng_free(r);
}

static ctune_model *make_model(void)
{
    ctune_model *m;
    ck_assert_ok(ctune_model_new(&m));
    ck_assert_ok(ctune_model_set_seed(m, 5));
    ck_assert_ok(ctune_model_add_dense(m, 16, "relu", NULL));
    ck_assert_ok(ctune_model_add_dense(m, 2, "softmax", NULL));
    ck_assert_ok(ctune_model_compile(m, "adam", "sparse_categorical_crossentropy", NULL));
    return m;
}

static atomic_int g_cancel;

static void *cancel_now(void *arg)
{
    (void)arg;
    atomic_store(&g_cancel, 1);
    return NULL;
}

/* After the first epoch, another thread cancels (and is joined, so the
 * flag is set before the next minibatch). */
static int cancel_after_first_epoch(const ctune_model *m, int epoch, void *user)
{
    (void)m, (void)user;
    if (epoch == 0) {
        pthread_t t;
        ck_assert_int_eq(pthread_create(&t, NULL, cancel_now, NULL), 0);
        pthread_join(t, NULL);
    }
    return 0;
}

START_TEST(test_cancel_between_minibatches)
{
    make_data();
    int64_t live = ctune_alloc_live();
    ctune_data *d;
    ck_assert_ok(ctune_data_new(&d, X, CTUNE_FLOAT32, N, D, 0, Y, 1));
    ctune_model *m = make_model();
    ctune_fit_ctx ctx;
    ctune__fit_ctx_init(&ctx);
    atomic_init(&g_cancel, 0);
    ctx.interrupt = &g_cancel;
    m->fit_ctx = &ctx;
    ck_assert_status(
        ctune_model_fit_monitored(m, d, NULL, 4000, BATCH, NULL, cancel_after_first_epoch, NULL),
        CTUNE_ECANCELLED);
    ck_assert_str_eq(ctune_last_error(), "fit: cancelled at epoch 1, batch 0");
    /* exactly the first epoch's minibatches ran: none after the cancel */
    ck_assert_int_eq(m->opt.iterations, PER_EPOCH);
    m->fit_ctx = NULL;
    ctune_model_free(m);
    ctune_data_free(d);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

typedef struct fit_job {
    ctune_model *m;
    ctune_data *d;
    ctune_status rc;
} fit_job;

static void *fit_thread(void *arg)
{
    fit_job *j = arg;
    j->rc = ctune_model_fit_monitored(j->m, j->d, NULL, 4000, BATCH, NULL, NULL, NULL);
    return NULL;
}

#ifdef CTUNE_TEST_HOOKS
/* The fit runs in its own thread; this thread cancels once 3 epochs of
 * minibatches ran (counted by the polls), then counts what runs after. */
START_TEST(test_cancel_from_another_thread_mid_fit)
{
    make_data();
    int64_t live = ctune_alloc_live();
    fit_job j = {make_model(), NULL, CTUNE_OK};
    ck_assert_ok(ctune_data_new(&j.d, X, CTUNE_FLOAT32, N, D, 0, Y, 1));
    ctune_fit_ctx ctx;
    ctune__fit_ctx_init(&ctx);
    atomic_init(&g_cancel, 0);
    ctx.interrupt = &g_cancel;
    j.m->fit_ctx = &ctx;
    size_t p0 = atomic_load(&ctune__test_fit_polls);
    pthread_t t;
    ck_assert_int_eq(pthread_create(&t, NULL, fit_thread, &j), 0);
    while (atomic_load(&ctune__test_fit_polls) - p0 < 3 * PER_EPOCH)
        sched_yield();
    atomic_store(&g_cancel, 1);
    size_t at_cancel = atomic_load(&ctune__test_fit_polls);
    pthread_join(t, NULL);
    ck_assert_int_eq(j.rc, CTUNE_ECANCELLED);
    size_t after = atomic_load(&ctune__test_fit_polls) - at_cancel;
    ck_assert_uint_le(after, 2); /* the poll in flight and the one that stops */
    ck_assert_int_le(j.m->opt.iterations, (int64_t)(at_cancel - p0) + 1);
    j.m->fit_ctx = NULL;
    ctune_model_free(j.m);
    ctune_data_free(j.d);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST
#endif

static Suite *suite(void)
{
    Suite *s = suite_create("nn_cancel");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_cancel_between_minibatches);
#ifdef CTUNE_TEST_HOOKS
    tcase_add_test(tc, test_cancel_from_another_thread_mid_fit);
#endif
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return ctu_run_suite(suite()); }
