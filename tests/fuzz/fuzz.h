/* Shared helpers of the fuzz targets (tests/fuzz/fuzz_*.c). Each target
 * defines LLVMFuzzerTestOneInput(); it is linked either with libFuzzer
 * (scripts/ci-extra.sh, clang -fsanitize=fuzzer,address,undefined) or with
 * replay.c, a plain main() that runs it over every file of a corpus
 * directory (the 'fuzz' suite of meson test). A target checks invariants
 * and calls abort() when one breaks: that is a finding. */
#ifndef CTUNE_FUZZ_H
#define CTUNE_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctune.h"
#include "ctune_testing.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_ASSERT(cond)                                                                    \
    do {                                                                                     \
        if (!(cond)) {                                                                       \
            fprintf(stderr, "%s:%d: fuzz invariant failed: %s (last error: %s)\n", __FILE__, \
                    __LINE__, #cond, ctune_last_error());                                    \
            abort();                                                                         \
        }                                                                                    \
    } while (0)

/* A status is a known code, and a failure comes with a message. */
static inline void fuzz_status_ok(ctune_status rc)
{
    FUZZ_ASSERT(rc <= 0 && rc >= CTUNE_EINTERNAL);
    FUZZ_ASSERT(rc != CTUNE_EINTERNAL); /* a bug by definition */
    if (rc != CTUNE_OK)
        FUZZ_ASSERT(ctune_last_error()[0] != '\0');
}

/* A NUL-terminated copy of the input (malloc'd; the library never sees
 * the bytes past `size`). */
static inline char *fuzz_strndup(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        abort();
    memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

/* Sequential reader of the input bytes (0 past the end). */
typedef struct fuzz_in {
    const uint8_t *p;
    size_t n, pos;
} fuzz_in;

static inline unsigned fuzz_byte(fuzz_in *in) { return in->pos < in->n ? in->p[in->pos++] : 0u; }

#endif
