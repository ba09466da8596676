/* Check suite: the worker pool and the built-in executors (white-box). */
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "model_selection/executor.h"
#include "model_selection/pool.h"
#include "testutil.h"

#define N_TASKS 300

static atomic_int runs[N_TASKS];
static atomic_int budget_seen;
static void *local_seen[N_TASKS]; /* each task's worker state (a task runs once) */

static void count_run(void *ctx, size_t i, int threads, void *local)
{
    (void)ctx;
    atomic_fetch_add(&runs[i], 1);
    atomic_store(&budget_seen, threads);
    local_seen[i] = local;
}

START_TEST(test_pool_runs_every_task_once)
{
    memset(runs, 0, sizeof runs);
    ctune__pool p;
    ctune__pool_slot slots[4];
    size_t finished[4];
    int mine[4];
    for (int w = 0; w < 4; w++)
        slots[w].local = &mine[w];
    int n = ctune__pool_start(&p, slots, 4, 3, count_run, NULL);
    ck_assert_int_eq(n, 4);
    size_t next = 0, collected = 0;
    for (;;) {
        int running = 0;
        collected += ctune__pool_collect(&p, finished, 4, &running, NULL);
        while (next < N_TASKS && ctune__pool_submit(&p, next)) {
            next++;
            running++;
        }
        if (running == 0 && next == N_TASKS)
            break;
        ctune__pool_wait(&p, -1);
    }
    ctune__pool_stop(&p);
    ck_assert_uint_eq(collected, N_TASKS);
    for (size_t i = 0; i < N_TASKS; i++) {
        ck_assert_int_eq(atomic_load(&runs[i]), 1);
        /* run gets the state of the slot that ran it */
        ck_assert(local_seen[i] == &mine[0] || local_seen[i] == &mine[1] ||
                  local_seen[i] == &mine[2] || local_seen[i] == &mine[3]);
    }
    ck_assert_int_eq(atomic_load(&budget_seen), 3);
    /* a pool of no workers starts nothing and stops as a no-op */
    ck_assert_int_eq(ctune__pool_start(&p, slots, 0, 1, count_run, NULL), 0);
    ctune__pool_stop(&p);
}
END_TEST

typedef struct {
    pthread_t caller;
    int done_calls, off_thread, stop_after;
} done_ctx;

static void job_task(void *ctx, size_t i, void *record, int threads, ctune__scratch *scratch)
{
    (void)ctx;
    (void)threads;
    atomic_fetch_add(&runs[i], 1);
    *(int *)record = (int)i + 1;
    local_seen[i] = scratch;
    /* the worker's block: given back by the worker's earlier task, and
     * the same block when it need not grow */
    ck_assert_ptr_nonnull(scratch);
    ck_assert_int_eq(scratch->busy, 0);
    void *before = scratch->p, *p;
    ck_assert_ok(ctune__scratch_take(scratch, 64, &p));
    ck_assert_ptr_nonnull(p);
    ck_assert(before == NULL || before == p);
    void *q;
    ck_assert_ok(ctune__scratch_take(scratch, 64, &q)); /* taken: none */
    ck_assert_ptr_null(q);
    ctune__scratch_give(scratch);
}

static int job_done(void *ctx, size_t i, const void *record)
{
    done_ctx *d = ctx;
    ck_assert_int_eq(*(const int *)record, (int)i + 1);
    d->off_thread += !pthread_equal(pthread_self(), d->caller);
    return ++d->done_calls == d->stop_after;
}

static void run_job(const ctune_executor_vtable *vt, long n_jobs, done_ctx *d, int *rec)
{
    memset(runs, 0, sizeof runs);
    atomic_int stop;
    atomic_init(&stop, 0);
    d->caller = pthread_self();
    ctune_job job = {N_TASKS, sizeof(int), rec, job_task, job_done, d, &stop, n_jobs, NULL, NULL};
    ck_assert_ok(vt->run(NULL, &job));
}

START_TEST(test_builtin_executors)
{
    ck_assert_ptr_eq(ctune__executor_for_jobs(1), &ctune__serial_executor);
    ck_assert_ptr_eq(ctune__executor_for_jobs(3), &ctune__thread_executor);
    ck_assert_int_eq(ctune__jobs_workers(-1), ctune__n_cores());
    ck_assert_int_eq(ctune__jobs_workers(-100000), 1);
    ck_assert_int_eq(ctune__jobs_workers(4096), 4096);
    ck_assert_int_eq(ctune__executor_vtable_check(&ctune__thread_executor), CTUNE_OK);

    static int rec[N_TASKS];
    const ctune_executor_vtable *vts[] = {&ctune__serial_executor, &ctune__thread_executor};
    for (int k = 0; k < 2; k++) {
        /* every task once, done on the calling thread */
        done_ctx d = {0};
        run_job(vts[k], 4, &d, rec);
        ck_assert_int_eq(d.done_calls, N_TASKS);
        ck_assert_int_eq(d.off_thread, 0);
        for (size_t i = 0; i < N_TASKS; i++)
            ck_assert_int_eq(atomic_load(&runs[i]), 1);
        /* one block per worker: the serial executor's for every task, at
         * most 4 of the pool's */
        void *seen[4] = {0};
        size_t n_seen = 0;
        for (size_t i = 0; i < N_TASKS; i++) {
            size_t j = 0;
            while (j < n_seen && seen[j] != local_seen[i])
                j++;
            if (j == n_seen) {
                ck_assert_uint_lt(n_seen, k ? 4 : 1);
                seen[n_seen++] = local_seen[i];
            }
        }
        /* a stop asked by done: no task starts after it, beyond those in flight */
        done_ctx s = {0};
        s.stop_after = 10;
        run_job(vts[k], 4, &s, rec);
        int ran = 0;
        for (size_t i = 0; i < N_TASKS; i++)
            ran += atomic_load(&runs[i]);
        ck_assert_int_ge(ran, 10);
        ck_assert_int_le(ran, k ? 10 + 4 : 10);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("executor");
    TCase *tc = tcase_create("executor");
    tcase_add_test(tc, test_pool_runs_every_task_once);
    tcase_add_test(tc, test_builtin_executors);
    suite_add_tcase(s, tc);
    return ctu_run_suite(s);
}
