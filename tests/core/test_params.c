/* Check suite: params, text forms, specs. */
#include <math.h>
#include <string.h>

#include "testutil.h"

static const ctune_param_spec SPEC[] = {
    {"nn", CTUNE_TYPE_INT, "16", "[1, inf)", NULL, "neurons per layer"},
    {"learning_rate", CTUNE_TYPE_DOUBLE, "0.001", "(0, inf)", NULL, "step size"},
    {"optimizer", CTUNE_TYPE_STRING, "adam", NULL, "sgd|adam|rmsprop", "optimizer name"},
    {"shuffle", CTUNE_TYPE_BOOL, "true", NULL, NULL, "shuffle each epoch"},
    {"max_depth", CTUNE_TYPE_INT | CTUNE_TYPE_NONE, "none", "[1, inf)", NULL, "depth limit"},
    {"max_features", CTUNE_TYPE_INT | CTUNE_TYPE_DOUBLE | CTUNE_TYPE_STRING | CTUNE_TYPE_NONE,
     "none", NULL, "sqrt|log2", "features per split"},
    {NULL, 0, NULL, NULL, NULL, NULL},
};

START_TEST(test_typed_set_get)
{
    ctune_params *p;
    ck_assert_ok(ctune_params_new(&p));
    ck_assert_ok(ctune_params_set_int(p, "nl", 3));
    ck_assert_ok(ctune_params_set_double(p, "lr", 0.5));
    ck_assert_ok(ctune_params_set_string(p, "act", "relu"));
    ck_assert_ok(ctune_params_set_bool(p, "shuffle", 1));
    ck_assert_ok(ctune_params_set_none(p, "max_depth"));
    ck_assert_ok(ctune_params_set_int(p, "nl", 4)); /* replace keeps order */
    ck_assert_uint_eq(ctune_params_count(p), 5);
    ck_assert_str_eq(ctune_params_name(p, 0), "nl");
    int64_t i;
    double d;
    const char *s;
    int b;
    ck_assert_ok(ctune_params_get_int(&i, p, "nl"));
    ck_assert_int_eq(i, 4);
    ck_assert_ok(ctune_params_get_double(&d, p, "nl")); /* int reads as double */
    ck_assert_double_eq(d, 4);
    ck_assert_ok(ctune_params_get_string(&s, p, "act"));
    ck_assert_str_eq(s, "relu");
    ck_assert_ok(ctune_params_get_bool(&b, p, "shuffle"));
    ck_assert_int_eq(b, 1);
    ck_assert_int_eq(ctune_params_is_none(p, "max_depth"), 1);
    ck_assert_status(ctune_params_get_int(&i, p, "act"), CTUNE_EINVAL);
    ck_assert_str_eq(ctune_last_error(), "parameter 'act' is a string, not a int");
    ck_assert_status(ctune_params_get_int(&i, p, "missing"), CTUNE_EINVAL);
    ck_assert_error_has("'missing'");
    ck_assert_status(ctune_params_set_int(p, "9bad", 1), CTUNE_EINVAL);
    ck_assert_status(ctune_params_set_int(p, "", 1), CTUNE_EINVAL);
    ck_assert_status(ctune_params_set_string(p, "x", NULL), CTUNE_EINVAL);
    ck_assert_ok(ctune_params_remove(p, "lr"));
    ck_assert_int_eq(ctune_params_find(p, "lr"), -1);
    ck_assert_status(ctune_params_remove(p, "lr"), CTUNE_EINVAL);
    ctune_params_free(p);
}
END_TEST

START_TEST(test_parse_and_round_trip)
{
    ctune_params *p, *q;
    ck_assert_ok(ctune_params_new(&p));
    ck_assert_ok(ctune_params_parse(p, " nl=2, nn = 64; lr=1e-3\noptimizer=adam, flag=false, "
                                       "depth=None, s='12', name=\"a b\""));
    ck_assert_int_eq(ctune_params_type(p, "nl"), CTUNE_TYPE_INT);
    ck_assert_int_eq(ctune_params_type(p, "lr"), CTUNE_TYPE_DOUBLE);
    ck_assert_int_eq(ctune_params_type(p, "optimizer"), CTUNE_TYPE_STRING);
    ck_assert_int_eq(ctune_params_type(p, "flag"), CTUNE_TYPE_BOOL);
    ck_assert_int_eq(ctune_params_type(p, "depth"), CTUNE_TYPE_NONE);
    ck_assert_int_eq(ctune_params_type(p, "s"), CTUNE_TYPE_STRING);
    const char *s;
    ck_assert_ok(ctune_params_get_string(&s, p, "name"));
    ck_assert_str_eq(s, "a b");
    char buf[512];
    long n = ctune_params_to_text(buf, sizeof buf, p);
    ck_assert_int_gt(n, 0);
    ck_assert_str_eq(
        buf, "nl=2, nn=64, lr=0.001, optimizer=adam, flag=false, depth=none, s='12', name=a b");
    ck_assert_ok(ctune_params_new(&q));
    ck_assert_ok(ctune_params_parse(q, buf));
    ck_assert_int_eq(ctune_params_equal(p, q), 1);
    /* a short buffer is truncated but the full length is returned */
    char small[8];
    ck_assert_int_eq(ctune_params_to_text(small, sizeof small, p), n);
    ck_assert_uint_eq(strlen(small), 7);
    ck_assert_int_eq(ctune_params_value_text(buf, sizeof buf, p, "lr"), 5);
    ck_assert_str_eq(buf, "0.001");
    ctune_params_free(p);
    ctune_params_free(q);
}
END_TEST

START_TEST(test_parse_errors_point_at_offset)
{
    ctune_params *p;
    ck_assert_ok(ctune_params_new(&p));
    ck_assert_ok(ctune_params_set_int(p, "keep", 1));
    ck_assert_status(ctune_params_parse(p, "a=1, b 2"), CTUNE_EFORMAT);
    ck_assert_str_eq(ctune_last_error(), "params text: expected '=' at offset 7");
    ck_assert_status(ctune_params_parse(p, "a=1, =2"), CTUNE_EFORMAT);
    ck_assert_error_has("offset 5");
    ck_assert_status(ctune_params_parse(p, "a="), CTUNE_EFORMAT);
    ck_assert_error_has("missing value");
    ck_assert_status(ctune_params_parse(p, "a='x"), CTUNE_EFORMAT);
    ck_assert_error_has("unterminated quote");
    /* on error nothing was applied */
    ck_assert_uint_eq(ctune_params_count(p), 1);
    ctune_params_free(p);
}
END_TEST

START_TEST(test_spec_defaults_and_checks)
{
    ctune_params *p;
    ck_assert_uint_eq(ctune_spec_count(SPEC), 6);
    ck_assert_ok(ctune_params_from_spec(&p, SPEC));
    ck_assert_uint_eq(ctune_params_count(p), 6);
    ck_assert_int_eq(ctune_params_type(p, "optimizer"), CTUNE_TYPE_STRING);
    ck_assert_int_eq(ctune_params_type(p, "max_depth"), CTUNE_TYPE_NONE);
    ck_assert_ok(ctune_params_check(p, SPEC));

    ck_assert_ok(ctune_params_set_int(p, "nn", 0));
    ck_assert_status(ctune_params_check(p, SPEC), CTUNE_EINVAL);
    ck_assert_str_eq(ctune_last_error(), "params: parameter 'nn' = 0 is out of range [1, inf)");
    ck_assert_ok(ctune_params_set_int(p, "nn", 8));

    ck_assert_ok(ctune_params_set_string(p, "optimizer", "adagradx"));
    ck_assert_status(ctune_params_check(p, SPEC), CTUNE_EINVAL);
    ck_assert_error_has("'adagradx' is not one of sgd|adam|rmsprop");
    ck_assert_ok(ctune_params_set_string(p, "optimizer", "sgd"));

    ck_assert_ok(ctune_params_set_int(p, "learning_rate", 1)); /* int -> double */
    ck_assert_ok(ctune_params_check(p, SPEC));
    ck_assert_int_eq(ctune_params_type(p, "learning_rate"), CTUNE_TYPE_DOUBLE);
    ck_assert_ok(ctune_params_set_double(p, "learning_rate", 0.0));
    ck_assert_status(ctune_params_check(p, SPEC), CTUNE_EINVAL);
    ck_assert_error_has("out of range (0, inf)");
    ck_assert_ok(ctune_params_set_double(p, "learning_rate", NAN));
    ck_assert_status(ctune_params_check(p, SPEC), CTUNE_EINVAL);
    ck_assert_ok(ctune_params_set_double(p, "learning_rate", 0.1));

    ck_assert_ok(ctune_params_set_string(p, "nn", "many"));
    ck_assert_status(ctune_params_check(p, SPEC), CTUNE_EINVAL);
    ck_assert_str_eq(ctune_last_error(), "params: parameter 'nn' must be int, got string 'many'");
    ck_assert_ok(ctune_params_set_int(p, "nn", 8));

    ck_assert_ok(ctune_params_set_double(p, "max_features", 0.5));
    ck_assert_ok(ctune_params_check(p, SPEC));
    ck_assert_ok(ctune_params_set_string(p, "max_features", "sqrt"));
    ck_assert_ok(ctune_params_check(p, SPEC));

    ck_assert_ok(ctune_params_set_int(p, "nnn", 1));
    ck_assert_status(ctune_params_check(p, SPEC), CTUNE_EINVAL);
    ck_assert_str_eq(ctune_last_error(),
                     "unknown parameter 'nnn'; known: nn, learning_rate, optimizer, shuffle, "
                     "max_depth, max_features");
    ctune_params_free(p);
}
END_TEST

/* The one options parser: known keys, typed values, "<who>: option ..." */
START_TEST(test_parse_spec_options)
{
    int64_t live = ctune_alloc_live();
    ctune_params *p = (ctune_params *)1;
    ck_assert_ok(ctune_params_parse_spec(&p, "nn=4, optimizer=sgd, learning_rate=1", SPEC, "fit"));
    ck_assert_uint_eq(ctune_params_count(p), 3); /* no defaults added */
    ck_assert_int_eq(ctune_params_type(p, "learning_rate"), CTUNE_TYPE_DOUBLE);
    ctune_params_free(p);
    ck_assert_ok(ctune_params_parse_spec(&p, "", SPEC, "fit"));
    ck_assert_uint_eq(ctune_params_count(p), 0);
    ctune_params_free(p);

    p = (ctune_params *)1;
    ck_assert_status(ctune_params_parse_spec(&p, "nnn=4", SPEC, "fit"), CTUNE_EINVAL);
    ck_assert_ptr_null(p);
    ck_assert_str_eq(ctune_last_error(), "fit: unknown option 'nnn'; known: nn, learning_rate, "
                                         "optimizer, shuffle, max_depth, max_features");
    ck_assert_status(ctune_params_parse_spec(&p, "nn=many", SPEC, "fit"), CTUNE_EINVAL);
    ck_assert_str_eq(ctune_last_error(), "fit: option 'nn' must be int, got string 'many'");
    ck_assert_status(ctune_params_parse_spec(&p, "nn=0", SPEC, "fit"), CTUNE_EINVAL);
    ck_assert_str_eq(ctune_last_error(), "fit: option 'nn' = 0 is out of range [1, inf)");
    ck_assert_status(ctune_params_parse_spec(&p, "optimizer=adagrad", SPEC, NULL), CTUNE_EINVAL);
    ck_assert_str_eq(ctune_last_error(),
                     "options: option 'optimizer' = 'adagrad' is not one of sgd|adam|rmsprop");
    ck_assert_status(ctune_params_parse_spec(&p, "nn 4", SPEC, "fit"), CTUNE_EFORMAT);
    ck_assert_str_eq(ctune_last_error(), "fit: params text: expected '=' at offset 3");
    ck_assert_status(ctune_params_parse_spec(NULL, "nn=4", SPEC, "fit"), CTUNE_EINVAL);
    ck_assert_status(ctune_params_parse_spec(&p, NULL, SPEC, "fit"), CTUNE_EINVAL);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

START_TEST(test_copy_equal_update)
{
    ctune_params *a, *b;
    ck_assert_ok(ctune_params_from_spec(&a, SPEC));
    ck_assert_ok(ctune_params_copy(&b, a));
    ck_assert_int_eq(ctune_params_equal(a, b), 1);
    ck_assert_ok(ctune_params_set_int(b, "nn", 3));
    ck_assert_int_eq(ctune_params_equal(a, b), 0);
    ck_assert_ok(ctune_params_update(a, b));
    ck_assert_int_eq(ctune_params_equal(a, b), 1);
    ctune_params_free(a);
    ctune_params_free(b);
}
END_TEST

START_TEST(test_alloc_failure_sweep)
{
    int64_t live = ctune_alloc_live();
    for (int k = 1; k < 200; k++) {
        ctune_params *p = NULL;
        ctune_alloc_fail_at(k, 0);
        ctune_status rc = ctune_params_from_spec(&p, SPEC);
        if (rc == CTUNE_OK)
            rc = ctune_params_parse(p, "a=1, b=two, c=3.5");
        ctune_alloc_fail_at(0, 0);
        if (rc != CTUNE_OK)
            ck_assert_int_eq(rc, CTUNE_ENOMEM);
        ctune_params_free(p);
        ck_assert_int_eq(ctune_alloc_live(), live);
        if (rc == CTUNE_OK)
            return;
    }
    ck_abort_msg("never succeeded");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("params");
    TCase *tc = tcase_create("params");
    tcase_add_test(tc, test_typed_set_get);
    tcase_add_test(tc, test_parse_and_round_trip);
    tcase_add_test(tc, test_parse_errors_point_at_offset);
    tcase_add_test(tc, test_spec_defaults_and_checks);
    tcase_add_test(tc, test_parse_spec_options);
    tcase_add_test(tc, test_copy_equal_update);
    tcase_add_test(tc, test_alloc_failure_sweep);
    suite_add_tcase(s, tc);
    return ctu_run_suite(s);
}
