/* Check suite: the locale-free number helpers (core/cnum.h) read and
 * print numbers as strtod and printf do in "C", under "C" and under a
 * decimal-comma locale (the thread's). In test builds the library's own
 * "C" locale object is missing (CTUNE_TEST_NEWLOCALE_FAIL, set by main):
 * these are then the checks of its fallbacks. */
#define _DEFAULT_SOURCE /* newlocale, uselocale */
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cnum.h"
#include "testutil.h"

static locale_t c_loc; /* the test's own "C" locale object */

/* ctune__strtod_c on s: the value bits, end and ERANGE of strtod in "C". */
static void check_text(const char *s)
{
    char *e1, *e2;
    locale_t host = uselocale(c_loc);
    errno = 0;
    double want = strtod(s, &e1);
    int r1 = errno == ERANGE;
    uselocale(host);
    errno = 0;
    double got = ctune__strtod_c(s, &e2);
    int r2 = errno == ERANGE;
    ck_assert_msg(e1 == e2, "'%s': end %td, strtod's in \"C\" %td", s, e2 - s, e1 - s);
    ck_assert_msg(memcmp(&want, &got, sizeof got) == 0 || (isnan(want) && isnan(got)),
                  "'%s': %a, strtod in \"C\" %a", s, got, want);
    ck_assert_msg(r1 == r2, "'%s': ERANGE %d, strtod's in \"C\" %d", s, r2, r1);
}

/* ctune__fmt_double's text of v: the shortest %.*g text (6 to 17 digits)
 * that reads back as v, as printed in "C". */
static void check_fmt(double v)
{
    char want[40], got[40];
    locale_t host = uselocale(c_loc);
    if (isnan(v) || isinf(v)) {
        snprintf(want, sizeof want, "%s", isnan(v) ? "nan" : v > 0 ? "inf" : "-inf");
    } else {
        for (int prec = 6; prec <= 17; prec++) {
            snprintf(want, sizeof want, "%.*g", prec, v);
            if (strtod(want, NULL) == v)
                break;
        }
    }
    uselocale(host);
    ctune__fmt_double(got, sizeof got, v);
    ck_assert_msg(!strcmp(want, got), "%a: '%s', in \"C\" '%s'", v, got, want);
}

static const char *const fixed[] = {
    "0.5",
    "-2.25",
    "1e-3",
    ".5",
    "5.",
    "-.5",
    "1.e3",
    ".e3",
    ".",
    "-",
    "+",
    "",
    " ",
    "e5",
    "1e",
    "1e+",
    "1e-x",
    "0x",
    "0x.",
    "0x.p1",
    "0x1p",
    "0x1.8p1",
    "-0X.4P-2",
    "0x1g",
    "0xp3",
    "0x1.fffffffffffff8p1023",
    "0x1p-1075",
    "inf",
    "-INF",
    "infinit",
    "Infinity",
    "infinityx",
    "nan",
    "-NaN",
    "nan(",
    "nan()",
    "nan(123)",
    "nan(0x7_a)",
    "nan(1 2)",
    "NAN(abc",
    " \t\n1.5",
    "\v\f\r-2",
    "1,5",
    "0,5",
    "1.5,2",
    "1.5.2",
    "1..5",
    "--1",
    "+-1",
    "1e400",
    "-1e400",
    "1e-400",
    "4.9e-324",
    "2.4703282292062327e-324",
    "2.4703282292062328e-324",
    "2.2250738585072011e-308",
    "2.2250738585072014e-308",
    "1.7976931348623157e308",
    "1.7976931348623159e308",
    "0",
    "-0",
    "0.0e999999",
    "0e-99999999999999999999",
    "1.00000000000000011102230246251565404236316680908203125",
    "1.00000000000000011102230246251565404236316680908203126",
    "9007199254740993",
    "\xc2\xa0"
    "1",
    "1\xd9\xab"
    "5",
    "12abc",
};

static void check_all(ctune_rng *rng)
{
    for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++)
        check_text(fixed[i]);
    static const char pool[] =
        "0123456789012345678901234567890123456789..--++eEeExXpP, \tiInNfFaA()_";
    char s[64];
    for (int it = 0; it < 60000; it++) {
        size_t n;
        if (it % 3 == 0) { /* a random double printed several ways */
            uint64_t bits = ctune_rng_u64(rng);
            double d;
            memcpy(&d, &bits, sizeof d);
            int k = (int)ctune_rng_below(rng, 4), prec = (int)ctune_rng_below(rng, 20);
            if (k == 0)
                snprintf(s, sizeof s, "%.17g", d);
            else if (k == 1)
                snprintf(s, sizeof s, "%.*e", prec, d);
            else if (k == 2)
                snprintf(s, sizeof s, "%a", d);
            else
                snprintf(s, sizeof s, "%.*f", prec, fmod(d, 1e6));
            /* the host's own printing may use its radix: make it '.' */
            for (char *c = s; *c; c++)
                if (*c == ',')
                    *c = '.';
            n = strlen(s);
        } else { /* random bytes from number characters */
            n = ctune_rng_below(rng, 40);
            for (size_t j = 0; j < n; j++)
                s[j] = pool[ctune_rng_below(rng, sizeof pool - 1)];
            s[n] = '\0';
        }
        check_text(s);
    }
    /* printing */
    for (int it = 0; it < 20000; it++) {
        uint64_t bits = ctune_rng_u64(rng);
        double d;
        memcpy(&d, &bits, sizeof d);
        if (it % 2)
            d = (double)(int64_t)(bits % 2000000) / 1000.0 - 1000.0;
        check_fmt(d);
    }
}

/* ctune__snprintf_c: the text of snprintf in "C" for conversions of
 * every kind, flags, widths and precisions (from the arguments too), and
 * what fits in a short buffer. */
#define CHECK_PRINTF(...)                                                                         \
    do {                                                                                          \
        char want_[1024], got_[1024], cut_[8];                                                    \
        locale_t host_ = uselocale(c_loc);                                                        \
        int nw_ = snprintf(want_, sizeof want_, __VA_ARGS__);                                     \
        uselocale(host_);                                                                         \
        int ng_ = ctune__snprintf_c(got_, sizeof got_, __VA_ARGS__);                              \
        ck_assert_msg(nw_ == ng_ && !memcmp(want_, got_, (size_t)nw_ + 1), "'%s', in \"C\" '%s'", \
                      got_, want_);                                                               \
        size_t k_ = (size_t)nw_ < sizeof cut_ ? (size_t)nw_ : sizeof cut_ - 1;                    \
        ck_assert_int_eq(ctune__snprintf_c(cut_, sizeof cut_, __VA_ARGS__), nw_);                 \
        ck_assert(!memcmp(cut_, want_, k_) && cut_[k_] == '\0');                                  \
        ck_assert_int_eq(ctune__snprintf_c(NULL, 0, __VA_ARGS__), nw_);                           \
    } while (0)

static void check_printf(void)
{
    CHECK_PRINTF("plain text");
    CHECK_PRINTF("%s", "");
    CHECK_PRINTF("x=%.17g, y=%g, z=%f", 0.1, 1.5e-7, -2.25);
    CHECK_PRINTF("%+08.3f|%-10.2e|% g|%#g|%#.0f", 3.14159, -1234.5, 0.5, 1.0, 2.0);
    CHECK_PRINTF("%*.*f|%-*d|%.*s|%*g", 10, 3, 2.5, 6, -42, 3, "abcdef", -9, 0.25);
    CHECK_PRINTF("%.*f", -1, 0.125);
    CHECK_PRINTF("%a %A %E %G %F", 1.0, -0.1, 1e300, 1e-5, 7.5);
    CHECK_PRINTF("%Lg %Lf", (long double)0.1, (long double)-3.5);
    CHECK_PRINTF("%d %i %u %o %x %X %c%c", -7, 12, 4000000000u, 8u, 255u, 0xABCu, 'q', 'z');
    CHECK_PRINTF("%hhd %hd %ld %lld %lu %llx", 300, 70000, -5L, -(1LL << 40), 7UL, 1ULL << 63);
    CHECK_PRINTF("%zu %zx %td %jd %ju", (size_t)123, (size_t)255, (ptrdiff_t)-9, (intmax_t)-1,
                 (uintmax_t)5);
    CHECK_PRINTF("100%% of %s: %5.1f%%", "the rows", 99.25);
    CHECK_PRINTF("%s: line %zu, column %zu: '%s' is not a number (%.4f)", "CSV buffer", (size_t)214,
                 (size_t)7, "abc", 0.5);
    CHECK_PRINTF("%c", 0);         /* a NUL character counts */
    CHECK_PRINTF("%.300f", 1e300); /* longer than the piece buffer */
}

START_TEST(test_numbers_in_c)
{
    ctune_rng *rng;
    ck_assert_ok(ctune_rng_new(&rng, ctu_seed(), 31));
    check_all(rng);
    check_printf();
    ctune_rng_free(rng);
}
END_TEST

/* The same under a decimal-comma locale (the thread's, by uselocale):
 * the fallback must neither read ',' as the point nor miss '.'. */
START_TEST(test_numbers_in_decimal_comma_locale)
{
    locale_t de = newlocale(LC_ALL_MASK, "de_DE.UTF-8", (locale_t)0);
    if (de == (locale_t)0) {
        fprintf(stderr, "de_DE.UTF-8 is not installed: decimal-comma case skipped\n");
        return;
    }
    locale_t old = uselocale(de);
    ck_assert_str_eq(localeconv()->decimal_point, ",");
    ctune_rng *rng;
    ck_assert_ok(ctune_rng_new(&rng, ctu_seed(), 32));
    check_all(rng);
    check_printf();
    /* exact values */
    char *end;
    ck_assert(ctune__strtod_c("0.5", &end) == 0.5 && *end == '\0');
    ck_assert(ctune__strtod_c("1,5", &end) == 1.0 && *end == ',');
    ck_assert(ctune__strtod_c("0x1.8p1", &end) == 3.0 && *end == '\0');
    ck_assert(ctune__strtod_c("1.00000000000000011102230246251565404236316680908203126", &end) ==
              nextafter(1.0, 2.0));
    ck_assert(ctune__strtod_c("1.00000000000000011102230246251565404236316680908203125", &end) ==
              1.0);
    char buf[40];
    ctune__fmt_double(buf, sizeof buf, 0.1);
    ck_assert_str_eq(buf, "0.1");
    ctune__fmt_double(buf, sizeof buf, -1.5e-300);
    ck_assert_str_eq(buf, "-1.5e-300");
    ctune_rng_free(rng);
    uselocale(old);
    freelocale(de);
}
END_TEST

int main(void)
{
#ifdef CTUNE_TEST_HOOKS
    setenv("CTUNE_TEST_NEWLOCALE_FAIL", "1", 1); /* before the library's first number */
#endif
    c_loc = newlocale(LC_ALL_MASK, "C", (locale_t)0);
    if (c_loc == (locale_t)0)
        return 1;
    Suite *s = suite_create("core_cnum");
    TCase *tc = tcase_create("cnum");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_numbers_in_c);
    tcase_add_test(tc, test_numbers_in_decimal_comma_locale);
    suite_add_tcase(s, tc);
    return ctu_run_suite(s);
}
