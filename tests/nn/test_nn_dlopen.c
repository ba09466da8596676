/* Loads libctune.so with dlopen, trains a model with 2 threads (products
 * large enough to be split), unloads it with dlclose, three times in one
 * process. Every thread a fit starts must be joined by the time it
 * returns: a thread left behind would run unloaded code (a crash or, as
 * once, a hang in the next cycle's fit) and shows in /proc/self/task.
 * CI runs the nn suite under valgrind (scripts/ci-extra.sh), this test too.
 *
 *   test_nn_dlopen PATH/TO/libctune.so */
#define _GNU_SOURCE /* dl_iterate_phdr */
#include <dirent.h>
#include <dlfcn.h>
#include <link.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctune.h" /* types and constants only: nothing is linked */

static int fail(const char *what)
{
    fprintf(stderr, "test_nn_dlopen: %s\n", what);
    return 1;
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

#define SYM(lib, name)                            \
    __typeof__(&name) f_##name = NULL;            \
    do {                                          \
        void *p__ = dlsym(lib, #name);            \
        if (!p__)                                 \
            return fail("missing symbol " #name); \
        memcpy(&f_##name, &p__, sizeof f_##name); \
    } while (0)

enum { N = 256, D = 256, H = 256, K = 10 };

static int cycle(const char *path, float *X, double *y, float *w_out, size_t *n_out)
{
    void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!lib)
        return fail(dlerror());
    SYM(lib, ctune_data_new);
    SYM(lib, ctune_data_free);
    SYM(lib, ctune_model_new);
    SYM(lib, ctune_model_free);
    SYM(lib, ctune_model_set_seed);
    SYM(lib, ctune_model_set_threads);
    SYM(lib, ctune_model_add_dense);
    SYM(lib, ctune_model_compile);
    SYM(lib, ctune_model_fit);
    SYM(lib, ctune_model_n_params);
    SYM(lib, ctune_model_get_weights);
    ctune_data *d;
    ctune_model *m;
    int rc = f_ctune_data_new(&d, X, CTUNE_FLOAT32, N, D, 0, y, 1);
    if (rc == 0 && (rc = f_ctune_model_new(&m)) == 0) {
        rc = f_ctune_model_set_seed(m, 3);
        rc = rc ? rc : f_ctune_model_set_threads(m, 2);
        rc = rc ? rc : f_ctune_model_add_dense(m, H, "relu", NULL);
        rc = rc ? rc : f_ctune_model_add_dense(m, H, "relu", NULL);
        rc = rc ? rc : f_ctune_model_add_dense(m, K, "softmax", NULL);
        rc = rc ? rc : f_ctune_model_compile(m, "adam", "sparse_categorical_crossentropy", NULL);
        /* 2 steps: the first runs on the caller alone, the second is split */
        rc = rc ? rc : f_ctune_model_fit(m, d, 1, 128, NULL);
        if (rc == 0) {
            *n_out = f_ctune_model_n_params(m);
            rc = f_ctune_model_get_weights(w_out, m);
        }
        f_ctune_model_free(m);
    }
    if (rc == 0)
        f_ctune_data_free(d);
    if (dlclose(lib) != 0)
        return fail(dlerror());
    return rc != 0 ? fail("a call failed") : 0;
}

#ifdef __SANITIZE_ADDRESS__
/* BLIS and libgomp do not free their process-wide state when unloaded;
 * once unloaded, LeakSanitizer cannot name them to suppress it (valgrind
 * can: tests/reliability/valgrind.supp). Under ASan they are loaded once
 * and kept (RTLD_NODELETE); libctune itself still unloads every cycle. */
static int pin_one(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size, (void)data;
    const char *n = info->dlpi_name;
    if (n && (strstr(n, "libblis") || strstr(n, "libgomp")))
        dlopen(n, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE);
    return 0;
}
#endif

int main(int argc, char **argv)
{
    if (argc != 2)
        return fail("usage: test_nn_dlopen PATH/TO/libctune.so");
    float *X = malloc(sizeof(float) * N * D);
    double *y = malloc(sizeof(double) * N);
    size_t np = (size_t)D * H + H + (size_t)H * H + H + (size_t)H * K + K;
    float *w[3] = {malloc(np * sizeof(float)), malloc(np * sizeof(float)),
                   malloc(np * sizeof(float))};
    if (!X || !y || !w[0] || !w[1] || !w[2])
        return fail("out of memory");
    uint64_t s = 88172645463325252ull;
    for (size_t i = 0; i < (size_t)N * D; i++) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        X[i] = (float)((double)(s >> 11) / 9007199254740992.0 - 0.5);
    }
    for (size_t i = 0; i < N; i++)
        y[i] = (double)(i % K);
#ifdef __SANITIZE_ADDRESS__
    void *pin = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL); /* loads the dependencies */
    dl_iterate_phdr(pin_one, NULL);
    if (pin)
        dlclose(pin);
#endif
    int before = count_threads();
    for (int c = 0; c < 3; c++) {
        size_t n = 0;
        if (cycle(argv[1], X, y, w[c], &n) != 0)
            return 1;

        if (n != np)
            return fail("unexpected weight count");
        int now = count_threads();
        if (before >= 0 && now != before) {
            fprintf(stderr, "test_nn_dlopen: cycle %d: %d threads after dlclose, %d before\n", c,
                    now, before);
            return 1;
        }
        if (c > 0 && memcmp(w[c], w[0], np * sizeof(float)) != 0)
            return fail("a reloaded library trained to other weights");
    }
    printf("3 dlopen / 2-thread fit / dlclose cycles, %d thread(s) before and after\n", before);
    free(X);
    free(y);
    for (int c = 0; c < 3; c++)
        free(w[c]);
    return 0;
}
