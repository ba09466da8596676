/* Fuzz target: the parameter-space text parser (ctune_space_parse) and what
 * is done with a space that parses: its text form, copy, add_text, the grid
 * and sampling. The input is the space text; its length picks n_iter and
 * the seed. Checks: a known status with a message (a parse error names its
 * offset); on success the text form parses back to a space with the same
 * text and names (sorted, unique); the copy prints the same text;
 * add_text of the same text is a "duplicate parameter" error that leaves
 * the space unchanged; grid_size agrees with the grid; sampling gives
 * min(n_iter, grid size) grid points for a list-only space,
 * n_iter points otherwise, each holding every name, doubles finite unless
 * the text spells a non-finite or huge value, and the same points for the
 * same seed; nothing leaks. */
#include <math.h>

#include "fuzz.h"

/* Caps that keep one input fast: a grid is only listed up to this size. */
enum { MAX_GRID = 4096 };

static char *text_of(const ctune_space *sp)
{
    long need = ctune_space_to_text(NULL, 0, sp);
    FUZZ_ASSERT(need >= 0);
    char *buf = malloc((size_t)need + 1);
    FUZZ_ASSERT(buf != NULL);
    FUZZ_ASSERT(ctune_space_to_text(buf, (size_t)need + 1, sp) == need);
    FUZZ_ASSERT(strlen(buf) == (size_t)need);
    return buf;
}

/* Does the text spell a value that may read as a non-finite double? */
static int mentions_nonfinite(const char *s)
{
    for (const char *p = s; *p; p++) {
        char a = (char)(*p | 0x20), b = p[1] ? (char)(p[1] | 0x20) : 0;
        char c = b && p[2] ? (char)(p[2] | 0x20) : 0;
        if ((a == 'n' && b == 'a' && c == 'n') || (a == 'i' && b == 'n' && c == 'f'))
            return 1;
    }
    /* a huge literal (1e999) reads as Inf */
    return strchr(s, 'e') != NULL || strchr(s, 'E') != NULL;
}

static void check_candidates(const ctune_space *sp, const ctune_candidates *c, size_t expect,
                             int finite)
{
    FUZZ_ASSERT(ctune_candidates_count(c) == expect);
    FUZZ_ASSERT(ctune_candidates_get(c, expect) == NULL);
    for (size_t i = 0; i < expect; i++) {
        const ctune_params *p = ctune_candidates_get(c, i);
        FUZZ_ASSERT(p != NULL);
        FUZZ_ASSERT(ctune_params_count(p) == ctune_space_count(sp));
        for (size_t k = 0; k < ctune_space_count(sp); k++) {
            const char *name = ctune_space_name(sp, k);
            FUZZ_ASSERT(ctune_params_find(p, name) >= 0);
            double v;
            if (finite && ctune_params_type(p, name) == CTUNE_TYPE_DOUBLE &&
                ctune_params_get_double(&v, p, name) == CTUNE_OK)
                FUZZ_ASSERT(isfinite(v));
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_strndup(data, size);
    int64_t live = ctune_alloc_live();
    size_t n_iter = 1 + size % 13;
    uint64_t seed = size * 2654435761u;
    ctune_space *sp = NULL;
    ctune_status rc = ctune_space_parse(&sp, text);
    fuzz_status_ok(rc);
    if (rc != CTUNE_OK) {
        FUZZ_ASSERT(sp == NULL);
        FUZZ_ASSERT(rc == CTUNE_EFORMAT || rc == CTUNE_EINVAL);
        if (rc == CTUNE_EFORMAT)
            FUZZ_ASSERT(strstr(ctune_last_error(), "space text") != NULL);
        goto done;
    }
    /* names: sorted, unique, non-empty */
    size_t n = ctune_space_count(sp);
    for (size_t k = 0; k < n; k++) {
        const char *name = ctune_space_name(sp, k);
        FUZZ_ASSERT(name != NULL && name[0] != '\0');
        if (k > 0)
            FUZZ_ASSERT(strcmp(ctune_space_name(sp, k - 1), name) < 0);
    }
    FUZZ_ASSERT(ctune_space_name(sp, n) == NULL);

    /* the text form reads back to the same text and names */
    char *t1 = text_of(sp);
    ctune_space *back = NULL;
    rc = ctune_space_parse(&back, t1);
    if (rc != CTUNE_OK) {
        fprintf(stderr, "round trip failed: input '%s'\ntext '%s'\nerror: %s\n", text, t1,
                ctune_last_error());
        abort();
    }
    char *t2 = text_of(back);
    if (strcmp(t1, t2) != 0) {
        fprintf(stderr, "text changed: input '%s'\nfirst '%s'\nthen '%s'\n", text, t1, t2);
        abort();
    }
    FUZZ_ASSERT(ctune_space_count(back) == n);
    ctune_space_free(back);
    free(t2);

    /* a copy prints the same; adding the same entries again fails and
     * leaves the space unchanged */
    ctune_space *cp = NULL;
    FUZZ_ASSERT(ctune_space_copy(&cp, sp) == CTUNE_OK);
    t2 = text_of(cp);
    FUZZ_ASSERT(strcmp(t1, t2) == 0);
    free(t2);
    rc = ctune_space_add_text(cp, text);
    fuzz_status_ok(rc);
    if (n > 0) {
        FUZZ_ASSERT(rc == CTUNE_EFORMAT && strstr(ctune_last_error(), "duplicate parameter"));
        t2 = text_of(cp);
        FUZZ_ASSERT(strcmp(t1, t2) == 0);
        free(t2);
    }
    ctune_space_free(cp);

    /* the grid and the sampler */
    int finite = !mentions_nonfinite(text);
    uint64_t gsize = 0;
    ctune_candidates *c = NULL, *c2 = NULL;
    rc = ctune_space_grid_size(&gsize, sp);
    fuzz_status_ok(rc);
    int lists = rc == CTUNE_OK;
    if (lists && n > 0 && gsize <= MAX_GRID) {
        FUZZ_ASSERT(gsize >= 1);
        FUZZ_ASSERT(ctune_space_grid(&c, sp) == CTUNE_OK);
        check_candidates(sp, c, (size_t)gsize, finite);
        ctune_candidates_free(c);
        c = NULL;
    }
    rc = ctune_space_sample(&c, sp, n_iter, seed);
    fuzz_status_ok(rc);
    if (n == 0) {
        FUZZ_ASSERT(rc == CTUNE_EINVAL);
    } else if (rc == CTUNE_OK) {
        size_t expect = lists && gsize < n_iter ? (size_t)gsize : n_iter;
        check_candidates(sp, c, expect, finite);
        FUZZ_ASSERT((ctune_candidates_warning(c) != NULL) == (lists && gsize < n_iter));
        /* the same seed gives the same points */
        FUZZ_ASSERT(ctune_space_sample(&c2, sp, n_iter, seed) == CTUNE_OK);
        FUZZ_ASSERT(ctune_candidates_count(c2) == expect);
        for (size_t i = 0; i < expect; i++)
            FUZZ_ASSERT(
                ctune_params_equal(ctune_candidates_get(c, i), ctune_candidates_get(c2, i)));
        ctune_candidates_free(c2);
        ctune_candidates_free(c);
    } else {
        /* a list-only space too large to index is the only refusal */
        FUZZ_ASSERT(rc == CTUNE_EINVAL && lists == 0);
    }
    free(t1);
    ctune_space_free(sp);
done:
    FUZZ_ASSERT(ctune_alloc_live() == live);
    free(text);
    return 0;
}
