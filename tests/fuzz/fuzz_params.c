/* Fuzz target: the "key=value" parameter parser (ctune_params_parse) and
 * the estimators' set_params_text. Checks: a known status with a message;
 * on error the set is unchanged; on success the text of the set
 * (ctune_params_to_text) parses back to an equal set (unless a string
 * holds both quote characters); nothing leaks. */
#include "fuzz.h"

static int has_both_quotes(const ctune_params *p)
{
    for (size_t i = 0; i < ctune_params_count(p); i++) {
        const char *s, *name = ctune_params_name(p, i);
        if (ctune_params_type(p, name) == CTUNE_TYPE_STRING &&
            ctune_params_get_string(&s, p, name) == CTUNE_OK && strchr(s, '\'') && strchr(s, '"'))
            return 1;
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_strndup(data, size);
    int64_t live = ctune_alloc_live();
    ctune_params *p, *before;
    FUZZ_ASSERT(ctune_params_new(&p) == CTUNE_OK);
    FUZZ_ASSERT(ctune_params_parse(p, "keep=1, name='x'") == CTUNE_OK);
    FUZZ_ASSERT(ctune_params_copy(&before, p) == CTUNE_OK);
    ctune_status rc = ctune_params_parse(p, text);
    fuzz_status_ok(rc);
    if (rc != CTUNE_OK) {
        FUZZ_ASSERT(rc == CTUNE_EFORMAT || rc == CTUNE_EINVAL);
        FUZZ_ASSERT(ctune_params_equal(p, before));
    } else if (!has_both_quotes(p)) {
        /* the text form reads back as the same set (the syntax has no
         * escapes: a string holding both quote characters may not) */
        long need = ctune_params_to_text(NULL, 0, p);
        FUZZ_ASSERT(need >= 0);
        char *buf = malloc((size_t)need + 1);
        FUZZ_ASSERT(buf != NULL);
        FUZZ_ASSERT(ctune_params_to_text(buf, (size_t)need + 1, p) == need);
        FUZZ_ASSERT(strlen(buf) == (size_t)need);
        ctune_params *q;
        FUZZ_ASSERT(ctune_params_new(&q) == CTUNE_OK);
        rc = ctune_params_parse(q, buf);
        if (rc != CTUNE_OK || !ctune_params_equal(p, q)) {
            fprintf(stderr, "round trip failed: input '%s'\ntext '%s'\nerror: %s\n", text, buf,
                    rc != CTUNE_OK ? ctune_last_error() : "(sets differ)");
            abort();
        }
        ctune_params_free(q);
        free(buf);
        /* each value's text fits what to_text printed */
        for (size_t i = 0; i < ctune_params_count(p); i++) {
            const char *name = ctune_params_name(p, i);
            FUZZ_ASSERT(name != NULL && ctune_params_find(p, name) == (long)i);
            FUZZ_ASSERT(ctune_params_value_text(NULL, 0, p, name) <= need);
        }
    }
    /* the same text through both estimators: validated against their specs */
    ctune_estimator *e;
    for (int k = 0; k < 2; k++) {
        FUZZ_ASSERT((k ? ctune_dummy_regressor_new(&e) : ctune_dummy_classifier_new(&e)) ==
                    CTUNE_OK);
        ctune_params *old;
        FUZZ_ASSERT(ctune_params_copy(&old, ctune_estimator_get_params(e)) == CTUNE_OK);
        rc = ctune_estimator_set_params_text(e, text);
        fuzz_status_ok(rc);
        if (rc != CTUNE_OK)
            FUZZ_ASSERT(ctune_params_equal(ctune_estimator_get_params(e), old));
        ctune_params_free(old);
        ctune_estimator_free(e);
    }
    ctune_params_free(before);
    ctune_params_free(p);
    FUZZ_ASSERT(ctune_alloc_live() == live);
    free(text);
    return 0;
}
