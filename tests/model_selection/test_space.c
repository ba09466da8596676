/* Check suite: parameter spaces, their text form, the grid and the sampler. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static long text_of(const ctune_params *p, char *buf, size_t cap)
{
    return ctune_params_to_text(buf, cap, p);
}

START_TEST(test_parse_typed_values)
{
    int64_t live = ctune_alloc_live();
    ctune_space *sp;
    ck_assert_ok(ctune_space_parse(&sp, "optimizer: sgd|adam; batch_size: 5|10|20; "
                                        "learning_rate: loguniform(1e-4, 1e-1)\n"
                                        "x: 1|2.5|true|none|'3'|relu ; units: randint(8, 64);"
                                        "p: uniform(-1, 1);"));
    ck_assert_uint_eq(ctune_space_count(sp), 6);
    /* kept sorted by name */
    ck_assert_str_eq(ctune_space_name(sp, 0), "batch_size");
    ck_assert_str_eq(ctune_space_name(sp, 1), "learning_rate");
    ck_assert_str_eq(ctune_space_name(sp, 2), "optimizer");
    ck_assert_str_eq(ctune_space_name(sp, 3), "p");
    ck_assert_str_eq(ctune_space_name(sp, 4), "units");
    ck_assert_str_eq(ctune_space_name(sp, 5), "x");
    ck_assert_ptr_null(ctune_space_name(sp, 6));
    uint64_t g;
    ck_assert_status(ctune_space_grid_size(&g, sp), CTUNE_EINVAL);
    ck_assert_error_has("'learning_rate' is a distribution");
    char buf[512];
    long n = ctune_space_to_text(buf, sizeof buf, sp);
    ck_assert_int_gt(n, 0);
    ck_assert_str_eq(buf, "batch_size: 5|10|20; learning_rate: loguniform(0.0001, 0.1); "
                          "optimizer: sgd|adam; p: uniform(-1, 1); units: randint(8, 64); "
                          "x: 1|2.5|true|none|'3'|relu");
    /* the text form parses back to the same text */
    ctune_space *sp2;
    ck_assert_ok(ctune_space_parse(&sp2, buf));
    char buf2[512];
    ck_assert_int_eq(ctune_space_to_text(buf2, sizeof buf2, sp2), n);
    ck_assert_str_eq(buf, buf2);
    /* needed-size convention */
    char small[10];
    ck_assert_int_eq(ctune_space_to_text(small, sizeof small, sp), n);
    ck_assert_str_eq(small, "batch_siz");
    ck_assert_int_eq(ctune_space_to_text(NULL, 0, sp), n);
    ck_assert_int_eq(ctune_space_to_text(NULL, 5, sp), CTUNE_EINVAL);
    ck_assert_int_eq(ctune_space_to_text(buf, sizeof buf, NULL), CTUNE_EINVAL);

    /* value types of the mixed list, through the grid */
    ctune_space *mixed;
    ck_assert_ok(ctune_space_parse(&mixed, "x: 1|2.5|true|none|'3'|relu|\"a b\"|2.0"));
    ctune_candidates *c;
    ck_assert_ok(ctune_space_grid(&c, mixed));
    ck_assert_uint_eq(ctune_candidates_count(c), 8);
    const int types[] = {CTUNE_TYPE_INT,    CTUNE_TYPE_DOUBLE, CTUNE_TYPE_BOOL,
                         CTUNE_TYPE_NONE,   CTUNE_TYPE_STRING, CTUNE_TYPE_STRING,
                         CTUNE_TYPE_STRING, CTUNE_TYPE_DOUBLE};
    for (size_t i = 0; i < 8; i++)
        ck_assert_int_eq(ctune_params_type(ctune_candidates_get(c, i), "x"), types[i]);
    const char *s;
    ck_assert_ok(ctune_params_get_string(&s, ctune_candidates_get(c, 4), "x"));
    ck_assert_str_eq(s, "3");
    ck_assert_ok(ctune_params_get_string(&s, ctune_candidates_get(c, 6), "x"));
    ck_assert_str_eq(s, "a b");
    ck_assert_int_eq(ctune_space_to_text(buf, sizeof buf, mixed) > 0, 1);
    ck_assert_str_eq(buf, "x: 1|2.5|true|none|'3'|relu|'a b'|2.0");
    ctune_candidates_free(c);
    ctune_space_free(mixed);
    ctune_space_free(sp);
    ctune_space_free(sp2);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

/* Parses `text`, expects CTUNE_EFORMAT, and checks the message's first line. */
static void expect_error(const char *text, const char *first_line)
{
    ctune_space *sp = (ctune_space *)1;
    ck_assert_status(ctune_space_parse(&sp, text), CTUNE_EFORMAT);
    ck_assert_ptr_null(sp);
    const char *msg = ctune_last_error();
    size_t len = strcspn(msg, "\n");
    ck_assert_msg(strlen(first_line) == len && strncmp(msg, first_line, len) == 0,
                  "for '%s': got '%s', want '%s'", text, msg, first_line);
}

START_TEST(test_parse_errors_exact_offsets)
{
    int64_t live = ctune_alloc_live();
    ctune_space *sp;
    ck_assert_status(ctune_space_parse(&sp, "optimizer: sgd|adam; batch_size 5|10"), CTUNE_EFORMAT);
    ck_assert_str_eq(ctune_last_error(),
                     "space text: expected ':' after 'batch_size', found '5' at offset 32\n"
                     "  optimizer: sgd|adam; batch_size 5|10\n"
                     "                                  ^");
    ck_assert_status(ctune_space_parse(&sp, "a: 1|2\nb 3"), CTUNE_EFORMAT);
    ck_assert_str_eq(ctune_last_error(), "space text: expected ':' after 'b', found '3' at "
                                         "offset 9\n  b 3\n    ^");
    /* a long line is cut around the offset */
    ck_assert_status(ctune_space_parse(&sp, "aaaaaaaaaa: 1; bbbbbbbbbb: 2; cccccccccc: 3; "
                                            "dddddddddd: 4; eeeeeeeeee 5; ffffffffff: 6; "
                                            "gggggggggg: 7; hhhhhhhhhh: 8"),
                     CTUNE_EFORMAT);
    ck_assert_str_eq(ctune_last_error(),
                     "space text: expected ':' after 'eeeeeeeeee', found '5' at offset 71\n"
                     "  ...ccccccccc: 3; dddddddddd: 4; eeeeeeeeee 5; ffffffffff: 6; gggggggggg: "
                     "7; hhhhhhh...\n"
                     "                                             ^");
    expect_error("lr: loguniform(0, 1)", "space text: loguniform(lo, hi) needs 0 < lo at offset 4");
    expect_error("lr: loguniform(1e-4 1e-1)",
                 "space text: expected ',' between the bounds, found '1' at offset 20");
    expect_error("a: normal(0, 1)", "space text: unknown distribution 'normal'; known: uniform, "
                                    "loguniform, randint at offset 3");
    expect_error("a: 1,2,3", "space text: unexpected ',' in a value: separate values with '|' "
                             "and quote a value that holds it at offset 4");
    expect_error("a: 1||2", "space text: empty value for 'a' at offset 5");
    expect_error("a: 1|", "space text: empty value for 'a' at offset 5");
    expect_error("a: 'x", "space text: unterminated quote at offset 3");
    expect_error("a: 'x'y", "space text: expected '|' or ';' after a value, found 'y' at offset 6");
    expect_error("a: x; a: y", "space text: duplicate parameter 'a' at offset 6");
    expect_error("a:", "space text: missing values for 'a' at offset 2");
    expect_error("a: ;b: 1", "space text: missing values for 'a' at offset 3");
    expect_error("", "space text: no parameters (expected 'name: value|value; ...') at offset 0");
    expect_error("  ;\n ", "space text: no parameters (expected 'name: value|value; ...') at "
                           "offset 5");
    expect_error("9a: 1", "space text: expected a parameter name, found '9' at offset 0");
    expect_error("a=1", "space text: expected ':' after 'a', found '=' at offset 1");
    expect_error("a", "space text: expected ':' after 'a', found end of text at offset 1");
    expect_error("n: randint(1.5, 3)", "space text: randint(...) bounds must be integers at "
                                       "offset 11");
    expect_error("n: randint(3, 3)", "space text: randint(lo, hi) needs lo < hi at offset 3");
    expect_error("u: uniform(0, 1) x", "space text: unexpected 'x' after uniform(...): entries "
                                       "are separated by ';' at offset 17");
    expect_error("u: uniform(0, inf)", "space text: uniform(...) bounds must be finite numbers "
                                       "at offset 14");
    expect_error("u: uniform(0, )", "space text: expected a number in uniform(...), found ')' at "
                                    "offset 14");
    expect_error("u: uniform(0, 1", "space text: expected ')' after the bounds, found end of text "
                                    "at offset 15");
    expect_error("u: uniform 0, 1", "space text: unexpected ',' in a value: separate values with "
                                    "'|' and quote a value that holds it at offset 12");
    ck_assert_status(ctune_space_parse(NULL, "a: 1"), CTUNE_EINVAL);
    ck_assert_status(ctune_space_parse(&sp, NULL), CTUNE_EINVAL);

    /* add_text leaves the space unchanged on error */
    ck_assert_ok(ctune_space_parse(&sp, "a: 1|2"));
    ck_assert_status(ctune_space_add_text(sp, "b: 1; c 2"), CTUNE_EFORMAT);
    ck_assert_uint_eq(ctune_space_count(sp), 1);
    ck_assert_status(ctune_space_add_text(sp, "a: 3"), CTUNE_EFORMAT);
    ck_assert_error_has("duplicate parameter 'a' at offset 0");
    ck_assert_ok(ctune_space_add_text(sp, "b: 1; c: 2"));
    ck_assert_uint_eq(ctune_space_count(sp), 3);
    ck_assert_status(ctune_space_add_text(NULL, "a: 1"), CTUNE_EINVAL);
    ck_assert_status(ctune_space_add_text(sp, NULL), CTUNE_EINVAL);
    ctune_space_free(sp);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

START_TEST(test_add_api)
{
    int64_t live = ctune_alloc_live();
    ctune_space *sp;
    ck_assert_ok(ctune_space_new(&sp));
    const int64_t ints[] = {1, 2, 3};
    const double dbl[] = {0.5, 1.0};
    const char *strs[] = {"relu", "tanh"};
    const int bools[] = {0, 7};
    const char *texts[] = {"none", "3", "0.5", "sqrt"};
    ck_assert_ok(ctune_space_add_ints(sp, "nl", ints, 3));
    ck_assert_ok(ctune_space_add_doubles(sp, "dropout", dbl, 2));
    ck_assert_ok(ctune_space_add_strings(sp, "activation", strs, 2));
    ck_assert_ok(ctune_space_add_bools(sp, "shuffle", bools, 2));
    ck_assert_ok(ctune_space_add_texts(sp, "max_features", texts, 4));
    uint64_t g = 0;
    ck_assert_ok(ctune_space_grid_size(&g, sp));
    ck_assert_uint_eq(g, 3 * 2 * 2 * 2 * 4);
    char buf[256];
    ck_assert_int_gt(ctune_space_to_text(buf, sizeof buf, sp), 0);
    ck_assert_str_eq(buf, "activation: relu|tanh; dropout: 0.5|1.0; max_features: none|3|0.5|sqrt; "
                          "nl: 1|2|3; shuffle: false|true");
    ck_assert_ok(ctune_space_add_uniform(sp, "u", 0, 1));
    ck_assert_ok(ctune_space_add_loguniform(sp, "lr", 1e-3, 1));
    ck_assert_ok(ctune_space_add_randint(sp, "k", -5, 5));
    ck_assert_status(ctune_space_grid_size(&g, sp), CTUNE_EINVAL);

    /* errors */
    ck_assert_status(ctune_space_add_ints(sp, "nl", ints, 3), CTUNE_EINVAL);
    ck_assert_error_has("duplicate parameter 'nl'");
    ck_assert_status(ctune_space_add_ints(sp, "z", ints, 0), CTUNE_EINVAL);
    ck_assert_error_has("parameter 'z' has an empty list of values");
    ck_assert_status(ctune_space_add_ints(sp, "z", NULL, 2), CTUNE_EINVAL);
    ck_assert_status(ctune_space_add_ints(NULL, "z", ints, 2), CTUNE_EINVAL);
    ck_assert_status(ctune_space_add_ints(sp, NULL, ints, 2), CTUNE_EINVAL);
    ck_assert_status(ctune_space_add_ints(sp, "9z", ints, 2), CTUNE_EINVAL);
    ck_assert_error_has("invalid parameter name '9z'");
    const double bad[] = {1, NAN};
    ck_assert_status(ctune_space_add_doubles(sp, "z", bad, 2), CTUNE_EINVAL);
    ck_assert_error_has("value 1 of 'z' is NaN");
    const char *nulls[] = {"a", NULL};
    ck_assert_status(ctune_space_add_strings(sp, "z", nulls, 2), CTUNE_EINVAL);
    ck_assert_status(ctune_space_add_texts(sp, "z", nulls, 2), CTUNE_EINVAL);
    ck_assert_status(ctune_space_add_uniform(sp, "z", 1, 1), CTUNE_EINVAL);
    ck_assert_error_has("uniform(1, 1) for 'z': needs finite lo < hi");
    ck_assert_status(ctune_space_add_uniform(sp, "z", 0, INFINITY), CTUNE_EINVAL);
    ck_assert_status(ctune_space_add_loguniform(sp, "z", 0, 1), CTUNE_EINVAL);
    ck_assert_error_has("needs finite 0 < lo < hi");
    ck_assert_status(ctune_space_add_randint(sp, "z", 3, 2), CTUNE_EINVAL);
    ck_assert_error_has("hi is excluded");
    ck_assert_status(ctune_space_add_uniform(sp, "u", 0, 2), CTUNE_EINVAL);
    ck_assert_uint_eq(ctune_space_count(sp), 8);
    ck_assert_status(ctune_space_grid_size(&g, NULL), CTUNE_EINVAL);
    ck_assert_status(ctune_space_grid_size(NULL, sp), CTUNE_EINVAL);
    ck_assert_status(ctune_space_new(NULL), CTUNE_EINVAL);

    ctune_space *copy;
    ck_assert_ok(ctune_space_copy(&copy, sp));
    char b1[512], b2[512];
    ctune_space_to_text(b1, sizeof b1, sp);
    ctune_space_to_text(b2, sizeof b2, copy);
    ck_assert_str_eq(b1, b2);
    ctune_space_free(copy);
    ck_assert_status(ctune_space_copy(&copy, NULL), CTUNE_EINVAL);
    ck_assert_ptr_null(copy);
    ctune_space_free(sp);
    ctune_space_free(NULL);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

START_TEST(test_grid_order)
{
    ctune_space *sp;
    ck_assert_ok(ctune_space_parse(&sp, "b: 1|2; a: x|y|z"));
    uint64_t g;
    ck_assert_ok(ctune_space_grid_size(&g, sp));
    ck_assert_uint_eq(g, 6);
    ctune_candidates *c;
    ck_assert_ok(ctune_space_grid(&c, sp));
    ck_assert_uint_eq(ctune_candidates_count(c), 6);
    ck_assert_ptr_null(ctune_candidates_warning(c));
    /* keys sorted (a, b), the last key varying fastest, as ParameterGrid */
    const char *want[] = {"a=x, b=1", "a=x, b=2", "a=y, b=1", "a=y, b=2", "a=z, b=1", "a=z, b=2"};
    for (size_t i = 0; i < 6; i++) {
        char buf[64];
        text_of(ctune_candidates_get(c, i), buf, sizeof buf);
        ck_assert_str_eq(buf, want[i]);
    }
    ck_assert_ptr_null(ctune_candidates_get(c, 6));
    ctune_candidates_free(c);
    ctune_candidates_free(NULL);
    ck_assert_uint_eq(ctune_candidates_count(NULL), 0);
    ck_assert_status(ctune_space_grid(NULL, sp), CTUNE_EINVAL);
    ck_assert_status(ctune_space_grid(&c, NULL), CTUNE_EINVAL);
    ctune_space_free(sp);
    ck_assert_ok(ctune_space_parse(&sp, "a: 1|2; lr: uniform(0, 1)"));
    ck_assert_status(ctune_space_grid(&c, sp), CTUNE_EINVAL);
    ck_assert_ptr_null(c);
    ctune_space_free(sp);
    ck_assert_ok(ctune_space_new(&sp));
    ck_assert_status(ctune_space_grid(&c, sp), CTUNE_EINVAL);
    ck_assert_error_has("space is empty");
    ck_assert_ok(ctune_space_grid_size(&g, sp));
    ck_assert_uint_eq(g, 1);
    ctune_space_free(sp);
}
END_TEST

START_TEST(test_sample_without_replacement)
{
    int64_t live = ctune_alloc_live();
    ctune_space *sp;
    ck_assert_ok(ctune_space_parse(&sp, "c: true|false; a: 1|2|3; b: p|q"));
    ctune_candidates *grid, *c, *c2, *c3;
    ck_assert_ok(ctune_space_grid(&grid, sp));
    for (size_t n_iter = 1; n_iter <= 12; n_iter++) {
        ck_assert_ok(ctune_space_sample(&c, sp, n_iter, 1234 + n_iter));
        ck_assert_uint_eq(ctune_candidates_count(c), n_iter);
        ck_assert_ptr_null(ctune_candidates_warning(c));
        for (size_t i = 0; i < n_iter; i++) {
            int in_grid = 0;
            for (size_t g = 0; g < 12; g++)
                in_grid += ctune_params_equal(ctune_candidates_get(c, i),
                                              ctune_candidates_get(grid, g));
            ck_assert_int_eq(in_grid, 1);
            for (size_t j = 0; j < i; j++) /* never repeats */
                ck_assert_int_eq(
                    ctune_params_equal(ctune_candidates_get(c, i), ctune_candidates_get(c, j)), 0);
        }
        ctune_candidates_free(c);
    }
    /* n_iter above the grid size is capped, with scikit-learn's warning */
    ck_assert_ok(ctune_space_sample(&c, sp, 50, 9));
    ck_assert_uint_eq(ctune_candidates_count(c), 12);
    ck_assert_str_eq(ctune_candidates_warning(c),
                     "the total space of parameters 12 is smaller than n_iter=50: running 12 "
                     "iterations (use a grid search for exhaustive searches)");
    /* deterministic for a seed, different across seeds */
    ck_assert_ok(ctune_space_sample(&c2, sp, 50, 9));
    ck_assert_ok(ctune_space_sample(&c3, sp, 50, 10));
    int same = 1, same3 = 1;
    for (size_t i = 0; i < 12; i++) {
        same &= ctune_params_equal(ctune_candidates_get(c, i), ctune_candidates_get(c2, i));
        same3 &= ctune_params_equal(ctune_candidates_get(c, i), ctune_candidates_get(c3, i));
    }
    ck_assert_int_eq(same, 1);
    ck_assert_int_eq(same3, 0);
    ctune_candidates_free(c);
    ctune_candidates_free(c2);
    ctune_candidates_free(c3);
    ctune_candidates_free(grid);

    ck_assert_status(ctune_space_sample(&c, sp, 0, 1), CTUNE_EINVAL);
    ck_assert_error_has("n_iter must be >= 1, got 0");
    ck_assert_status(ctune_space_sample(NULL, sp, 1, 1), CTUNE_EINVAL);
    ck_assert_status(ctune_space_sample(&c, NULL, 1, 1), CTUNE_EINVAL);
    ctune_space_free(sp);

    /* a large grid: distinct draws without listing the grid */
    ck_assert_ok(ctune_space_parse(&sp, "a: 0|1|2|3|4|5|6|7|8|9; b: 0|1|2|3|4|5|6|7|8|9; "
                                        "c: 0|1|2|3|4|5|6|7|8|9; d: 0|1|2|3|4|5|6|7|8|9; "
                                        "e: 0|1|2|3|4|5|6|7|8|9; f: 0|1|2|3|4|5|6|7|8|9"));
    ck_assert_ok(ctune_space_sample(&c, sp, 300, 3));
    ck_assert_uint_eq(ctune_candidates_count(c), 300);
    for (size_t i = 0; i < 300; i++)
        for (size_t j = 0; j < i; j++)
            ck_assert_int_eq(
                ctune_params_equal(ctune_candidates_get(c, i), ctune_candidates_get(c, j)), 0);
    ctune_candidates_free(c);
    ctune_space_free(sp);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

START_TEST(test_sample_with_replacement_statistics)
{
    enum { N = 3000 };
    ctune_space *sp;
    ck_assert_ok(ctune_space_parse(&sp, "lr: loguniform(1e-4, 1e-1); units: randint(16, 20); "
                                        "act: relu|tanh; drop: uniform(0.1, 0.5)"));
    ctune_candidates *c;
    ck_assert_ok(ctune_space_sample(&c, sp, N, 2024));
    ck_assert_uint_eq(ctune_candidates_count(c), N);
    static double loglr[N];
    int decade[3] = {0}, units[4] = {0}, relu = 0;
    double drop_sum = 0;
    for (size_t i = 0; i < N; i++) {
        const ctune_params *p = ctune_candidates_get(c, i);
        double lr, drop;
        int64_t u;
        const char *act;
        ck_assert_ok(ctune_params_get_double(&lr, p, "lr"));
        ck_assert_ok(ctune_params_get_int(&u, p, "units"));
        ck_assert_ok(ctune_params_get_double(&drop, p, "drop"));
        ck_assert_ok(ctune_params_get_string(&act, p, "act"));
        ck_assert_int_eq(ctune_params_type(p, "units"), CTUNE_TYPE_INT);
        ck_assert(lr >= 1e-4 && lr < 1e-1);
        ck_assert(u >= 16 && u < 20); /* hi excluded, as scipy's randint */
        ck_assert(drop >= 0.1 && drop < 0.5);
        loglr[i] = (log10(lr) + 4) / 3; /* uniform on [0, 1) if log-uniform */
        decade[loglr[i] < 1.0 / 3 ? 0 : loglr[i] < 2.0 / 3 ? 1 : 2]++;
        units[u - 16]++;
        relu += strcmp(act, "relu") == 0;
        drop_sum += drop;
    }
    /* each decade holds a third: 1000 +- 5 sigma (sigma ~ 25.8) */
    for (int k = 0; k < 3; k++)
        ck_assert_msg(abs(decade[k] - N / 3) < 130, "decade %d has %d", k, decade[k]);
    for (int k = 0; k < 4; k++)
        ck_assert_msg(abs(units[k] - N / 4) < 120, "units %d drawn %d times", 16 + k, units[k]);
    ck_assert_msg(abs(relu - N / 2) < 140, "relu drawn %d times", relu);
    ck_assert_double_eq_tol(drop_sum / N, 0.3, 0.01);
    /* Kolmogorov–Smirnov on the log scale: D < 1.63 / sqrt(N) (1% level) */
    qsort(loglr, N, sizeof loglr[0], cmp_double);
    double D = 0;
    for (size_t i = 0; i < N; i++) {
        double lo = loglr[i] - (double)i / N, hi = (double)(i + 1) / N - loglr[i];
        D = fmax(D, fmax(lo, hi));
    }
    ck_assert_msg(D < 1.63 / sqrt((double)N), "KS statistic %g", D);
    /* sampling with replacement does not cap n_iter */
    ck_assert_ptr_null(ctune_candidates_warning(c));
    ctune_candidates_free(c);
    ctune_space_free(sp);
}
END_TEST

START_TEST(test_space_alloc_failure_sweep)
{
    const char *text = "optimizer: sgd|adam|'rms prop'; batch_size: 5|10|20; "
                       "learning_rate: loguniform(1e-4, 1e-1)\nnl: randint(1, 4); x: none|true|2.5";
    int64_t live = ctune_alloc_live();
    int ok = 0;
    for (int k = 1; k < 2000 && !ok; k++) {
        ctune_space *sp = NULL, *copy = NULL;
        ctune_candidates *c = NULL, *g = NULL;
        char buf[256];
        ctune_alloc_fail_at(k, 0);
        ctune_status rc = ctune_space_parse(&sp, text);
        if (rc == CTUNE_OK)
            rc = ctune_space_copy(&copy, sp);
        if (rc == CTUNE_OK)
            rc = ctune_space_sample(&c, sp, 20, 5);
        if (rc == CTUNE_OK) {
            long n = ctune_space_to_text(buf, sizeof buf, sp);
            rc = n < 0 ? (ctune_status)n : CTUNE_OK;
        }
        if (rc == CTUNE_OK)
            rc = ctune_space_add_text(copy, "zz: 1|2");
        ctune_alloc_fail_at(0, 0);
        if (rc != CTUNE_OK)
            ck_assert_msg(rc == CTUNE_ENOMEM, "k=%d: %d %s", k, rc, ctune_last_error());
        ok = rc == CTUNE_OK;
        ctune_candidates_free(c);
        ctune_candidates_free(g);
        ctune_space_free(copy);
        ctune_space_free(sp);
        ck_assert_int_eq(ctune_alloc_live(), live);
    }
    ck_assert(ok);
    ok = 0;
    for (int k = 1; k < 2000 && !ok; k++) {
        ctune_space *sp = NULL;
        ctune_candidates *g = NULL;
        ctune_status rc = ctune_space_parse(&sp, "a: 1|2|3; b: x|y; c: 0.5|true");
        ck_assert_ok(rc);
        ctune_alloc_fail_at(k, 0);
        rc = ctune_space_grid(&g, sp);
        ctune_alloc_fail_at(0, 0);
        if (rc != CTUNE_OK)
            ck_assert_int_eq(rc, CTUNE_ENOMEM);
        ok = rc == CTUNE_OK;
        ctune_candidates_free(g);
        ctune_space_free(sp);
        ck_assert_int_eq(ctune_alloc_live(), live);
    }
    ck_assert(ok);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("space");
    TCase *tc = tcase_create("space");
    tcase_add_test(tc, test_parse_typed_values);
    tcase_add_test(tc, test_parse_errors_exact_offsets);
    tcase_add_test(tc, test_add_api);
    tcase_add_test(tc, test_grid_order);
    tcase_add_test(tc, test_sample_without_replacement);
    tcase_add_test(tc, test_sample_with_replacement_statistics);
    tcase_add_test(tc, test_space_alloc_failure_sweep);
    suite_add_tcase(s, tc);
    return ctu_run_suite(s);
}
