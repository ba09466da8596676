/* Check suite: the strict JSON reader (lib/io/json.c): values, escapes and
 * UTF-8, every refusal with its line and column, limits, the C locale, and
 * allocation failures. */
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/json.h"
#include "testutil.h"

static ctune__json *parse_ok(const char *text)
{
    ctune__json *v = NULL;
    ctune_status rc = ctune__json_parse(text, strlen(text), NULL, &v);
    ck_assert_msg(rc == CTUNE_OK, "'%s': %s", text, ctune_last_error());
    ck_assert_ptr_nonnull(v);
    return v;
}

static void parse_bad(const char *text, const char *needle)
{
    ctune__json *v = (ctune__json *)1;
    ctune_status rc = ctune__json_parse(text, strlen(text), NULL, &v);
    ck_assert_msg(rc == CTUNE_EFORMAT, "'%s' parsed (status %d)", text, rc);
    ck_assert_ptr_null(v);
    ck_assert_msg(strstr(ctune_last_error(), needle) != NULL, "'%s': message '%s' lacks '%s'", text,
                  ctune_last_error(), needle);
}

START_TEST(test_values)
{
    ctune__json *v = parse_ok(" {\"a\": [1, -0.5, 2e3, 0, -0, 1E-2], \"b\": {\"c\": null},\n"
                              "  \"t\": true, \"f\": false, \"s\": \"x\\\"\\\\\\/\\b\\f\\n\\r\\t\","
                              " \"e\": [], \"o\": {}} ");
    ck_assert_int_eq(v->type, CTUNE__JSON_OBJECT);
    ck_assert_uint_eq(v->n, 7);
    const ctune__json *a = ctune__json_get(v, "a");
    ck_assert_uint_eq(a->n, 6);
    ck_assert(a->items[0].num == 1 && a->items[1].num == -0.5 && a->items[2].num == 2000);
    ck_assert(a->items[5].num == 0.01); /* correctly rounded, like strtod */
    ck_assert(signbit(a->items[4].num));
    ck_assert_int_eq(ctune__json_get(ctune__json_get(v, "b"), "c")->type, CTUNE__JSON_NULL);
    ck_assert(ctune__json_get(v, "t")->b == 1 && ctune__json_get(v, "f")->b == 0);
    const ctune__json *s = ctune__json_get(v, "s");
    ck_assert_str_eq(s->str, "x\"\\/\b\f\n\r\t");
    ck_assert_uint_eq(s->len, 9);
    ck_assert_uint_eq(ctune__json_get(v, "e")->n, 0);
    ck_assert_uint_eq(ctune__json_get(v, "o")->n, 0);
    ck_assert_ptr_null(ctune__json_get(v, "missing"));
    ck_assert_ptr_null(ctune__json_get(a, "a")); /* not an object */
    ck_assert_uint_eq(ctune__json_get(v, "t")->line, 2);
    ck_assert_uint_eq(ctune__json_get(v, "t")->col, 8);
    ctune__json_free(v);
    ctune__json_free(NULL);

    v = parse_ok("\"\\u00e9\\u20ac\\ud83d\\ude00 \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"");
    ck_assert_str_eq(v->str, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80 \xc3\xa9\xe2\x82\xac\xf0\x9f"
                             "\x98\x80");
    ctune__json_free(v);
    v = parse_ok("123456789012345678901234567890");
    ck_assert(v->num == 123456789012345678901234567890.0);
    ctune__json_free(v);
}
END_TEST

START_TEST(test_refusals)
{
    parse_bad("", "line 1 column 1: unexpected end");
    parse_bad("   \n  ", "line 2 column 3: unexpected end");
    parse_bad("[1, 2,]", "line 1 column 7: a trailing comma");
    parse_bad("{\"a\": 1,}", "a trailing comma");
    parse_bad("[01]", "leading zero");
    parse_bad("[1.]", "after the decimal point");
    parse_bad("[1e]", "exponent");
    parse_bad("[-]", "after '-'");
    parse_bad("[+1]", "unexpected character");
    parse_bad("[.5]", "unexpected character");
    parse_bad("[NaN]", "NaN and Infinity are not JSON");
    parse_bad("[-Infinity]", "NaN and Infinity");
    parse_bad("[1e999]", "out of the range");
    parse_bad("{\"a\": 1, \"a\": 2}", "line 1 column 10: a duplicate member name");
    parse_bad("{'a': 1}", "expected a member name");
    parse_bad("{\"a\" 1}", "expected ':'");
    parse_bad("{\"a\": 1 \"b\": 2}", "expected ',' or '}'");
    parse_bad("[1 2]", "expected ',' or ']'");
    parse_bad("[1, 2", "expected ',' or ']'");
    parse_bad("\"abc", "not closed");
    parse_bad("\"a\nb\"", "control character");
    parse_bad("\"\\x\"", "unknown escape");
    parse_bad("\"\\u12\"", "four hex digits");
    parse_bad("\"\\ud800\"", "high surrogate");
    parse_bad("\"\\ud800\\u0041\"", "high surrogate");
    parse_bad("\"\\udc00\"", "lone UTF-16 low surrogate");
    parse_bad("\"\\u0000\"", "NUL");
    parse_bad("\"\xff\"", "invalid UTF-8");
    parse_bad("\"\xc0\xaf\"", "invalid UTF-8");         /* overlong '/' */
    parse_bad("\"\xed\xa0\x80\"", "invalid UTF-8");     /* an encoded surrogate */
    parse_bad("\"\xf4\x90\x80\x80\"", "invalid UTF-8"); /* above U+10FFFF */
    parse_bad("\"\xe2\x82\"", "invalid UTF-8");         /* truncated */
    parse_bad("[1] [2]", "line 1 column 5: text after the end");
    parse_bad("[1] // note", "text after the end");
    parse_bad("/* c */ [1]", "unexpected character");
    parse_bad("tru", "unexpected character");
    parse_bad("nul", "unexpected character");
    parse_bad("\xef\xbb\xbf[1]", "unexpected character"); /* a byte-order mark */
    parse_bad("[1,\n  2,\n  x]", "line 3 column 3");

    /* embedded NUL bytes end nothing: the length is what counts */
    ctune__json *v = (ctune__json *)1;
    ck_assert_status(ctune__json_parse("[1]\0[2]", 7, NULL, &v), CTUNE_EFORMAT);
    ck_assert_ptr_null(v);
    ck_assert_status(ctune__json_parse(NULL, 1, NULL, &v), CTUNE_EINVAL);
    ck_assert_status(ctune__json_parse("1", 1, NULL, NULL), CTUNE_EINVAL);
}
END_TEST

START_TEST(test_limits)
{
    char deep[300];
    memset(deep, '[', 100);
    memset(deep + 100, ']', 100);
    deep[200] = '\0';
    parse_bad(deep, "nested deeper than the limit");
    ctune__json_limits lim = {200, 0};
    ctune__json *v = NULL;
    ck_assert_ok(ctune__json_parse(deep, 200, &lim, &v));
    ctune__json_free(v);
    lim.max_depth = 2;
    ck_assert_status(ctune__json_parse("[[[]]]", 6, &lim, &v), CTUNE_EFORMAT);
    ck_assert_ok(ctune__json_parse("[[]]", 4, &lim, &v));
    ctune__json_free(v);
    lim.max_bytes = 3;
    ck_assert_status(ctune__json_parse("[[]]", 4, &lim, &v), CTUNE_EFORMAT);
    ck_assert_error_has("above the limit of 3");
}
END_TEST

/* Numbers read the same whatever LC_NUMERIC says. */
START_TEST(test_locale)
{
    const char *names[] = {"de_DE.UTF-8", "fr_FR.UTF-8", "de_DE", NULL};
    int set = 0;
    for (int i = 0; names[i] && !set; i++)
        set = setlocale(LC_NUMERIC, names[i]) != NULL;
    ctune__json *v = parse_ok("[0.5, 1234.25, -1e-3]");
    ck_assert(v->items[0].num == 0.5 && v->items[1].num == 1234.25 && v->items[2].num == -1e-3);
    ctune__json_free(v);
    v = parse_ok("[0,5]"); /* two numbers, never a decimal comma */
    ck_assert(v->n == 2 && v->items[0].num == 0 && v->items[1].num == 5);
    ctune__json_free(v);
    setlocale(LC_NUMERIC, "C");
    if (!set)
        fprintf(stderr, "test_locale: no comma-decimal locale installed; ran in C\n");
}
END_TEST

/* Every allocation may fail: the status is CTUNE_ENOMEM and nothing leaks. */
START_TEST(test_alloc_failures)
{
    const char *text = "{\"a\": [1, 2, {\"b\": \"text\", \"c\": [true, null]}], \"d\": \"x\","
                       " \"e\": {\"f\": {\"g\": []}}}";
    int ok = 0;
    for (int k = 1; k < 200 && !ok; k++) {
        int64_t live = ctune_alloc_live();
        ctune__json *v = NULL;
        ctune_alloc_fail_at(k, 0);
        ctune_status rc = ctune__json_parse(text, strlen(text), NULL, &v);
        ctune_alloc_fail_at(0, 0);
        if (rc == CTUNE_OK) {
            ok = 1;
            ctune__json_free(v);
        } else {
            ck_assert_msg(rc == CTUNE_ENOMEM, "step %d: %s", k, ctune_last_error());
            ck_assert_ptr_null(v);
        }
        ck_assert_int_eq(ctune_alloc_live(), live);
    }
    ck_assert(ok);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("io_json");
    TCase *tc = tcase_create("json");
    tcase_add_test(tc, test_values);
    tcase_add_test(tc, test_refusals);
    tcase_add_test(tc, test_limits);
    tcase_add_test(tc, test_locale);
    tcase_add_test(tc, test_alloc_failures);
    suite_add_tcase(s, tc);
    return ctu_run_suite(s);
}
