/* Check suite: a fit whose products and elementwise work are split among
 * threads gives bit-identical weights for 1, 2 and 3 threads, whether the
 * pool splits every step, none, or switches step by step (its fallback to
 * one thread when the second core is busy), also when several models train
 * concurrently; no thread outlives a fit; a child forked after a 2-thread
 * fit trains with 2 threads to the parent's weights; the pool's timing
 * choice falls back to one thread when splitting is slower; the pool hands
 * every piece of work over exactly once, whether its workers spin (inside
 * a split step) or sleep (between steps). */
#include <dirent.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "nn/gemm.h"
#include "testutil.h"

enum { N = 256, D = 256, H = 256, K = 10 };

static float *X;
static double *Y;

static void free_data(void)
{
    free(X);
    free(Y);
    X = NULL;
    Y = NULL;
}

static void make_data(void)
{
    X = malloc(sizeof(float) * N * D);
    Y = malloc(sizeof(double) * N);
    ctune_rng *r;
    ck_assert_ok(ctune_rng_new(&r, 7, 0));
    for (size_t i = 0; i < (size_t)N * D; i++)
        X[i] = (float)ctune_rng_normal(r);
    for (size_t i = 0; i < N; i++)
        Y[i] = (double)(ctune_rng_below(r, K));
    ctune_rng_free(r);
}

/* Threads of this process (Linux), or -1. */
static int count_threads(void)
{
    DIR *d = opendir("/proc/self/task");
    if (!d)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

static int g_count;        /* set by the one test that counts, before any thread */
static int g_peak_threads; /* most threads seen by the epoch callback */

static int on_epoch(const ctune_model *m, int epoch, void *user)
{
    (void)m, (void)epoch, (void)user;
    if (!g_count)
        return 0;
    int n = count_threads();
    g_peak_threads = n > g_peak_threads ? n : g_peak_threads;
    return 0;
}

/* Trains 256-256-256-10 (`act` hidden layers, optimizer `opt`) for one
 * epoch of 192 rows at batch 128 (2 steps; products of 8.4M multiply-adds:
 * split among
 * threads; elementwise passes of 32k floats, optimizer steps of 134k
 * weights: split too) with `threads`; returns the weights (malloc'd) and
 * their count. */
static float *train_with(int threads, const char *act, const char *opt, size_t *n_params)
{
    ctune_data *d;
    ctune_model *m;
    ck_assert_ok(ctune_data_new(&d, X, CTUNE_FLOAT32, N, D, 0, Y, 1));
    ck_assert_ok(ctune_model_new(&m));
    ck_assert_ok(ctune_model_set_seed(m, 3));
    ck_assert_ok(ctune_model_set_threads(m, threads));
    ck_assert_ok(ctune_model_add_dense(m, H, act, NULL));
    ck_assert_ok(ctune_model_add_dense(m, H, act, NULL));
    ck_assert_ok(ctune_model_add_dense(m, K, "softmax", NULL));
    ck_assert_ok(ctune_model_compile(m, opt, "sparse_categorical_crossentropy", NULL));
    ck_assert_ok(ctune_model_fit_monitored(m, d, NULL, 1, 128,
                                           "shuffle=true, validation_split=0.25", on_epoch, NULL));
    *n_params = ctune_model_n_params(m);
    float *w = malloc(*n_params * sizeof *w);
    ck_assert_ok(ctune_model_get_weights(w, m));
    ctune_model_free(m);
    ctune_data_free(d);
    return w;
}

static float *train(int threads, size_t *n_params)
{
    return train_with(threads, "relu", "adam", n_params);
}

/* Runs against 1 thread: {threads, mode}, mode -1 measures, 0 never splits,
 * 1 always splits, 2 switches every step. Every run for the first net, the
 * last two for the others (few fits: CI runs this under valgrind). */
static const int RUNS[][2] = {{2, -1}, {2, 0}, {2, 1}, {2, 2}, {3, 1}};
#define N_RUNS (sizeof RUNS / sizeof RUNS[0])

START_TEST(test_thread_count_does_not_change_results)
{
    static const struct {
        const char *act, *opt;
    } nets[] = {{"relu", "adam"}, {"tanh", "nadam"}, {"sigmoid", "rmsprop"}};
    make_data();
    for (size_t k = 0; k < 3; k++) {
        size_t n1, n;
        ctune__nn_pool_force_mode(-1);
        float *w1 = train_with(1, nets[k].act, nets[k].opt, &n1);
        for (size_t r = k ? N_RUNS - 2 : 0; r < N_RUNS; r++) {
            ctune__nn_pool_force_mode(RUNS[r][1]);
            float *w = train_with(RUNS[r][0], nets[k].act, nets[k].opt, &n);
            ck_assert_uint_eq(n, n1);
            int same = memcmp(w1, w, n1 * sizeof *w1) == 0;
            free(w);
            ck_assert_msg(same, "%s/%s: 1 thread and %d threads (mode %d) differ", nets[k].act,
                          nets[k].opt, RUNS[r][0], RUNS[r][1]);
        }
        free(w1);
    }
    ctune__nn_pool_force_mode(-1);
    free_data();
}
END_TEST

/* The fit's threads are started on its first split and joined when it
 * returns: more threads during the fit, as many as before after it. */
START_TEST(test_no_thread_outlives_a_fit)
{
    make_data();
    int before = count_threads();
    if (before < 0)
        return; /* no /proc: nothing to count */
    ctune__nn_pool_force_mode(1);
    g_count = 1;
    g_peak_threads = 0;
    size_t n;
    free(train(3, &n));
    ck_assert_int_eq(g_peak_threads, before + 2);
    ck_assert_int_eq(count_threads(), before);
    g_peak_threads = 0;
    free(train(1, &n));
    ck_assert_int_eq(g_peak_threads, before);
    g_count = 0;
    ctune__nn_pool_force_mode(-1);
    free_data();
}
END_TEST

/* A child forked after a 2-thread fit trains with 2 threads (no pool or
 * lock is left from the parent's fit) to the parent's weights. */
START_TEST(test_fork_after_fit)
{
#ifdef __SANITIZE_THREAD__
    return; /* TSan's own thread makes every fork multi-threaded; it forbids threads after */
#endif
    make_data();
    ctune__nn_pool_force_mode(1);
    size_t n;
    float *parent = train(2, &n);
    int fd[2];
    ck_assert_int_eq(pipe(fd), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        close(fd[0]);
        size_t nc;
        float *w = train(2, &nc);
        size_t bytes = nc * sizeof *w;
        ssize_t put = write(fd[1], w, bytes);
        free(w);
        free(parent); /* the child's copy: valgrind checks the child's leaks too */
        free_data();
        _exit(put == (ssize_t)bytes ? 0 : 3);
    }
    close(fd[1]);
    float *child = malloc(n * sizeof *child);
    size_t got = 0;
    while (got < n * sizeof *child) {
        ssize_t r = read(fd[0], (char *)child + got, n * sizeof *child - got);
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd[0]);
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the child failed");
    ck_assert_uint_eq(got, n * sizeof *child);
    ck_assert_msg(memcmp(parent, child, n * sizeof *child) == 0, "the child's weights differ");
    free(parent);
    free(child);
    ctune__nn_pool_force_mode(-1);
    free_data();
}
END_TEST

/* A clock the test advances by hand: step times are exact, whatever the
 * load of the machine running the test. */
static double fake_now;

static double fake_clock(void) { return fake_now; }

/* The pool's choice, with steps whose time depends on the mode: when a
 * split step is slower (a busy second core), nearly every step runs alone;
 * when it is faster, nearly every step is split. */
START_TEST(test_fallback_follows_step_times)
{
    ctune__nn_pool_force_mode(-1);
    ctune__nn_pool_set_clock(fake_clock);
    for (int split_faster = 0; split_faster < 2; split_faster++) {
        ctune__nn_pool *p;
        ck_assert_int_eq(ctune__nn_pool_new(&p, 2), CTUNE_OK);
        ck_assert_ptr_nonnull(p);
        for (int s = 0; s < 160; s++) {
            ctune__nn_pool_step_begin(p);
            int fast = ctune__nn_pool_splits(p) == split_faster;
            fake_now += fast ? 1e-3 : 4e-3;
            ctune__nn_pool_step_end(p, 1);
        }
        int64_t split, alone;
        ctune__nn_pool_counts(p, &split, &alone);
        ck_assert_int_eq(split + alone, 160);
        /* 3 first probes, then 2 steps after 48, 96, ... in the chosen mode */
        int64_t other = split_faster ? alone : split;
        ck_assert_msg(other <= 20, "split faster %d: %lld split, %lld alone", split_faster,
                      (long long)split, (long long)alone);
        ck_assert_int_eq(ctune__nn_pool_workers(p), 0); /* nothing was split: none started */
        ctune__nn_pool_free(p);
    }
    ctune__nn_pool_set_clock(NULL);
}
END_TEST

/* The pool's hand-over of pieces: many small pieces back to back, inside
 * split steps (workers spin) and outside them with pauses long enough for
 * the workers to fall asleep; each element of each piece is done exactly
 * once, whichever thread takes it. */
enum { PIECE = 96 };
static int g_hits[PIECE];

static void hit_range(void *ctx, size_t lo, size_t hi)
{
    (void)ctx;
    for (size_t i = lo; i < hi; i++)
        __atomic_add_fetch(&g_hits[i], 1, __ATOMIC_RELAXED);
}

START_TEST(test_pool_hands_over_every_piece_once)
{
    ctune__nn_pool_force_mode(1);
    for (int threads = 2; threads <= 3; threads++) {
        ctune__nn_pool *p;
        ck_assert_int_eq(ctune__nn_pool_new(&p, threads), CTUNE_OK);
        memset(g_hits, 0, sizeof g_hits);
        int pieces = 0;
        for (int round = 0; round < 40; round++) {
            int in_step = round % 2 == 0;
            if (in_step)
                ctune__nn_pool_step_begin(p);
            for (int i = 0; i < 50; i++, pieces++)
                ctune__nn_pool_for(p, PIECE, 1 + (size_t)(i % 5), 0, hit_range, NULL);
            if (in_step) {
                ctune__nn_pool_step_end(p, 1);
            } else {
                struct timespec ts = {0, 2000000}; /* 2 ms: workers go to sleep */
                nanosleep(&ts, NULL);
            }
        }
        for (int i = 0; i < PIECE; i++)
            ck_assert_int_eq(g_hits[i], pieces);
        ck_assert_int_eq(ctune__nn_pool_workers(p), threads - 1);
        ctune__nn_pool_free(p);
    }
    ctune__nn_pool_force_mode(-1);
}
END_TEST

static void *train_thread(void *arg)
{
    size_t n;
    return train(*(int *)arg, &n);
}

START_TEST(test_concurrent_multithreaded_models)
{
    make_data();
    size_t n;
    float *ref = train(1, &n);
    pthread_t t[3];
    int threads[3] = {2, 2, 3};
    for (int i = 0; i < 3; i++)
        pthread_create(&t[i], NULL, train_thread, &threads[i]);
    for (int i = 0; i < 3; i++) {
        void *w;
        pthread_join(t[i], &w);
        int same = memcmp(ref, w, n * sizeof *ref) == 0;
        free(w);
        ck_assert_msg(same, "concurrent model %d differs", i);
    }
    free(ref);
    free_data();
}
END_TEST

int main(void)
{
    Suite *s = suite_create("nn_threads");
    TCase *tc = tcase_create("threads");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_thread_count_does_not_change_results);
    tcase_add_test(tc, test_concurrent_multithreaded_models);
    tcase_add_test(tc, test_no_thread_outlives_a_fit);
    tcase_add_test(tc, test_fork_after_fit);
    tcase_add_test(tc, test_fallback_follows_step_times);
    tcase_add_test(tc, test_pool_hands_over_every_piece_once);
    suite_add_tcase(s, tc);
    return ctu_run_suite(s);
}
