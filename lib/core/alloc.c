#define _DEFAULT_SOURCE /* madvise (huge pages for scratch blocks) */
#include "core/alloc.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "ctune.h"
#include "ctune_testing.h"

static atomic_llong g_live;
static atomic_llong g_total;
static atomic_llong g_fail_countdown; /* 0 = off; n = fail the n-th from now */
static atomic_int g_fail_sticky;
static atomic_int g_fail_tripped;
static atomic_llong g_failures;

static int should_fail(void)
{
    long long c = atomic_load_explicit(&g_fail_countdown, memory_order_relaxed);
    if (c == 0)
        return 0;
    if (atomic_load(&g_fail_tripped))
        return 1; /* sticky and already tripped */
    c = atomic_fetch_sub(&g_fail_countdown, 1);
    if (c == 1) {
        if (atomic_load(&g_fail_sticky)) {
            atomic_store(&g_fail_tripped, 1);
            atomic_store(&g_fail_countdown, -1); /* keeps should_fail() active */
        }
        return 1;
    }
    if (c <= 0) { /* raced past; disable */
        atomic_store(&g_fail_countdown, 0);
    }
    return 0;
}

static void *oom(size_t size)
{
    atomic_fetch_add(&g_failures, 1);
    ctune_set_error(CTUNE_ENOMEM, "out of memory allocating %zu bytes", size);
    return NULL;
}

void *ctune__malloc(size_t size)
{
    if (size == 0)
        size = 1;
    if (should_fail())
        return oom(size);
    void *p = malloc(size);
    if (!p)
        return oom(size);
    atomic_fetch_add_explicit(&g_live, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&g_total, 1, memory_order_relaxed);
    return p;
}

void *ctune__calloc(size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        return oom(SIZE_MAX);
    size_t bytes = count * size;
    void *p = ctune__malloc(bytes);
    if (p)
        memset(p, 0, bytes ? bytes : 1);
    return p;
}

void *ctune__malloc_array(size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        return oom(SIZE_MAX);
    return ctune__malloc(count * size);
}

void *ctune__malloc_matrix(size_t rows, size_t cols, size_t size)
{
    if (size && cols && rows > SIZE_MAX / size / cols) {
        atomic_fetch_add(&g_failures, 1);
        ctune_set_error(CTUNE_ENOMEM,
                        "out of memory: %zu rows × %zu columns of %zu bytes cannot be addressed",
                        rows, cols, size);
        return NULL;
    }
    return ctune__malloc(rows * cols * size);
}

void *ctune__realloc(void *ptr, size_t size)
{
    if (!ptr)
        return ctune__malloc(size);
    if (size == 0)
        size = 1;
    if (should_fail())
        return oom(size);
    void *p = realloc(ptr, size);
    if (!p)
        return oom(size);
    return p;
}

void ctune__free(void *ptr)
{
    if (!ptr)
        return;
    atomic_fetch_sub_explicit(&g_live, 1, memory_order_relaxed);
    free(ptr);
}

char *ctune__strndup(const char *s, size_t n)
{
    char *d = ctune__malloc(n + 1);
    if (!d)
        return NULL;
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *ctune__strdup(const char *s) { return ctune__strndup(s, strlen(s)); }

int64_t ctune_alloc_live(void) { return (int64_t)atomic_load(&g_live); }
int64_t ctune_alloc_total(void) { return (int64_t)atomic_load(&g_total); }
int64_t ctune_alloc_failures(void) { return (int64_t)atomic_load(&g_failures); }

void ctune_alloc_fail_at(int64_t n, int sticky)
{
    atomic_store(&g_fail_tripped, 0);
    atomic_store(&g_fail_sticky, sticky ? 1 : 0);
    atomic_store(&g_fail_countdown, n > 0 ? (long long)n : 0);
}

/* The rows of a scratch block are read in a shuffled order: with 4 KiB
 * pages nearly every row is a TLB miss. Asks the kernel for huge pages over
 * the whole 2 MiB pages inside the block (a hint: ignored where
 * unsupported or disabled). */
static void hint_huge_pages(void *p, size_t bytes)
{
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    const uintptr_t huge = (uintptr_t)2 << 20;
    uintptr_t a = ((uintptr_t)p + huge - 1) & ~(huge - 1), e = ((uintptr_t)p + bytes) & ~(huge - 1);
    if (e > a)
        (void)madvise((void *)a, e - a, MADV_HUGEPAGE);
#else
    (void)p;
    (void)bytes;
#endif
}

ctune_status ctune__scratch_take(ctune__scratch *s, size_t bytes, void **out)
{
    *out = NULL;
    if (!s || s->busy)
        return CTUNE_OK;
    if (bytes > s->cap) {
        /* grown by a new block: nothing is copied. Rounded up to whole
         * 2 MiB pages, so that the next task's request a few rows larger
         * (folds differ by a row) fits without new pages to fault in. */
        size_t huge = (size_t)2 << 20, want = bytes;
        if (want <= SIZE_MAX - huge)
            want = (want + huge - 1) / huge * huge;
        ctune__free(s->p);
        s->p = NULL;
        s->cap = 0;
        s->p = ctune__malloc(want);
        if (!s->p)
            return CTUNE_ENOMEM;
        s->cap = want;
        hint_huge_pages(s->p, want);
    }
    s->busy = 1;
    *out = s->p;
    return CTUNE_OK;
}

void ctune__scratch_give(ctune__scratch *s)
{
    if (s)
        s->busy = 0;
}

void ctune__scratch_free(ctune__scratch *s)
{
    ctune__free(s->p);
    s->p = NULL;
    s->cap = 0;
    s->busy = 0;
}
