/* Check suite: the CSV loader's number parser equals strtod bit for bit. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/numparse.h"
#include "testutil.h"

static int check_cell_str(const char *s);

/* Parses s with both parsers: same value bits and same end. */
static void check_same(const char *s)
{
    char *end_ref;
    double ref = strtod(s, &end_ref);
    double v = 12345.0;
    const char *end;
    if (strlen(s) > 500) { /* past the bounded copy: the whole-field parser */
        end = ctune__parse_number_full(s, strlen(s), &v) ? s + strlen(s) : NULL;
        if (end_ref != s + strlen(s)) {
            ck_assert_msg(end == NULL, "'%s': a long partial number", s);
            return;
        }
    } else {
        end = ctune__parse_number(s, s + strlen(s), &v);
    }
    if (end_ref == s || s[0] == ' ' || s[0] == '\t') { /* no leading spaces in CSV fields */
        ck_assert_msg(end == NULL, "'%s': rejected by strtod or a leading space, parsed %td chars",
                      s, end ? end - s : 0);
        return;
    }
    ck_assert_msg(end == end_ref, "'%s': end %td, strtod's %td", s, end ? end - s : -1,
                  end_ref - s);
    ck_assert_msg(memcmp(&v, &ref, sizeof v) == 0 || (isnan(v) && isnan(ref)),
                  "'%s': %.17g, strtod %.17g", s, v, ref);
    /* the cell paths, the cell's end known */
    if (strlen(s) < 64)
        check_cell_str(s);
    /* the full parser on the same text in a cell followed by more of the
     * row, bounded by the row's end: same value, same end */
    static const char rest[] = ",0.5,12,-3.25e2,x,999999999999\n";
    char row[640];
    size_t n = strlen(s);
    if (n + sizeof rest < sizeof row) {
        memcpy(row, s, n);
        memcpy(row + n, rest, sizeof rest);
        double w = 12345.0;
        const char *q = ctune__parse_number(row, row + n + sizeof rest - 1, &w);
        ck_assert_msg(q == row + (end - s), "'%s' in a row: end %td, strtod's %td", s,
                      q ? q - row : -1, end - s);
        ck_assert_msg(memcmp(&w, &ref, sizeof w) == 0 || (isnan(w) && isnan(ref)),
                      "'%s' in a row: %.17g, strtod %.17g", s, w, ref);
    }
}

/* The full parser on [buf, buf + len) against strtod on the same
 * NUL-terminated text (the bytes after the number may continue it). */
static void check_bounded(const char *buf, size_t len)
{
    char *end_ref;
    double ref = strtod(buf, &end_ref);
    double v = 12345.0;
    const char *end = ctune__parse_number(buf, buf + len, &v);
    if (end_ref == buf || strchr(" \t\n\v\f\r", buf[0])) { /* strtod skips spaces, CSV not */
        ck_assert_msg(end == NULL, "'%s': not a number, parsed %td chars", buf,
                      end ? end - buf : 0);
        return;
    }
    ck_assert_msg(end == end_ref, "'%s': end %td, strtod's %td", buf, end ? end - buf : -1,
                  end_ref - buf);
    ck_assert_msg(memcmp(&v, &ref, sizeof v) == 0 || (isnan(v) && isnan(ref)),
                  "'%s': %.17g, strtod %.17g", buf, v, ref);
}

/* The cell paths (the CSV loop's, with the cell's end known) on the cell
 * [s, s + n) followed by `pad` (the rest of a row: 17 bytes from the
 * cell's start must be readable), in a block of exactly that size so that
 * a sanitizer sees any read past it. A path either declines (0) or gives
 * strtod's value of the whole cell, which must then be exactly a number.
 * Returns how many of the paths took the cell. */
static int check_cell(const char *s, size_t n, const char *pad)
{
    size_t np = strlen(pad), total = n + np;
    ck_assert(total >= 17);
    char *buf = malloc(total);
    memcpy(buf, s, n);
    memcpy(buf + n, pad, np);
    char *z = malloc(n + 1);
    memcpy(z, s, n);
    z[n] = '\0';
    char *end_ref;
    double ref = strtod(z, &end_ref);
    int whole = n > 0 && end_ref == z + n && !strchr(" \t\n\v\f\r", z[0]);
    int taken = 0;
    double v = 12345.0;
    if (ctune__parse_short_cell(buf, buf + n, &v)) {
        ck_assert_msg(whole, "'%s': taken by the cell path, not a whole number", z);
        ck_assert_msg(memcmp(&v, &ref, sizeof v) == 0, "'%s': cell path %.17g, strtod %.17g", z, v,
                      ref);
        taken++;
    }
#ifdef CTUNE__SHORT_CELL_SSSE3
    if (__builtin_cpu_supports("ssse3")) {
        v = 12345.0;
        if (ctune__parse_short_cell_ssse3(buf, buf + n, &v)) {
            ck_assert_msg(whole, "'%s': taken by the SSSE3 cell path, not a whole number", z);
            ck_assert_msg(memcmp(&v, &ref, sizeof v) == 0,
                          "'%s': SSSE3 cell path %.17g, strtod %.17g", z, v, ref);
            taken++;
        }
    }
#endif
    /* what the paths decline: the full parser bounded by the cell's end
     * takes exactly the whole numbers, with strtod's value */
    v = 12345.0;
    const char *end = ctune__parse_number(buf, buf + n, &v);
    ck_assert_msg((end == buf + n) == whole, "'%s': full parser end %td of %zu", z,
                  end ? end - buf : -1, n);
    if (whole)
        ck_assert_msg(memcmp(&v, &ref, sizeof v) == 0 || (isnan(v) && isnan(ref)),
                      "'%s': full parser %.17g, strtod %.17g", z, v, ref);
    free(z);
    free(buf);
    return taken;
}

static int check_cell_str(const char *s) { return check_cell(s, strlen(s), ",0123456789abcdef"); }

START_TEST(test_fixed_cases)
{
    static const char *cases[] = {
        "0",
        "-0",
        "+0",
        "0.0",
        "-0.0",
        "00012",
        "1",
        "-1",
        "12345",
        "0.1",
        "0.2",
        "0.3",
        ".5",
        "5.",
        "-.5",
        "1e5",
        "1E5",
        "1e+5",
        "1e-5",
        "1.5e300",
        "1e308",
        "1.7976931348623157e308",
        "1.8e308",
        "2.2250738585072014e-308",
        "2.2250738585072011e-308",
        "4.9e-324",
        "5e-324",
        "2e-324",
        "1e-400",
        "1e400",
        "9007199254740992",
        "9007199254740993",
        "9007199254740994",
        "9007199254740995",
        "18446744073709551615",
        "18446744073709551616",
        "1234567890123456789",
        "12345678901234567890",
        "123456789012345678901234567890",
        "0.000000000000000000000000000001",
        "0.1234567890123456789",
        "3.14159265358979323846",
        "1e22",
        "1e23",
        "8.5e22",
        "9.007199254740992e22",
        "123456e20",
        "1e37",
        "1e38",
        "4.35679e-1",
        "1.00000000000000011102230246251565404236316680908203125",
        "1.00000000000000011102230246251565404236316680908203124",
        "7e-10",
        "1.5E-07",
        "nan",
        "NaN",
        "inf",
        "-inf",
        "Infinity",
        "-INFINITY",
        "0x1p-2",
        "0x1A",
        "1e",
        "1e+",
        "1e-",
        "1.e3",
        "-",
        "+",
        ".",
        "",
        "e5",
        ".e5",
        "1..2",
        "1.2.3",
        "--1",
        "1,5",
        "12abc",
        " 1",
        "\t1",
        "1 ",
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_same(cases[i]);
    /* bounded by e: never reads past it */
    double v;
    const char *s = "123456";
    ck_assert_ptr_eq(ctune__parse_number(s, s + 3, &v), s + 3);
    ck_assert_double_eq(v, 123);
    ck_assert_ptr_null(ctune__parse_number(s, s, &v));
    /* the whole-field parser */
    ck_assert_int_eq(ctune__parse_number_full("2.5", 3, &v), 1);
    ck_assert_double_eq(v, 2.5);
    ck_assert_int_eq(ctune__parse_number_full("2.5x", 4, &v), 0);
    ck_assert_int_eq(ctune__parse_number_full("", 0, &v), 0);
    ck_assert_int_eq(ctune__parse_number_full(" 2", 2, &v), 0);
}
END_TEST

/* A long number (beyond the parser's 511-byte copy) still equals strtod. */
START_TEST(test_long_numbers)
{
    char buf[1200];
    memset(buf, '0', sizeof buf);
    buf[0] = '0';
    buf[1] = '.';
    buf[900] = '7';
    buf[901] = '\0';
    double v;
    ck_assert_int_eq(ctune__parse_number_full(buf, strlen(buf), &v), 1);
    double ref = strtod(buf, NULL);
    ck_assert(memcmp(&v, &ref, sizeof v) == 0);
    memset(buf, '9', 700);
    buf[700] = '\0';
    ck_assert_int_eq(ctune__parse_number_full(buf, 700, &v), 1);
    ref = strtod(buf, NULL);
    ck_assert(memcmp(&v, &ref, sizeof v) == 0);
}
END_TEST

/* Random decimals of every shape: digits before and after the point,
 * exponents, signs; also %.17g round-trip strings of random doubles. */
START_TEST(test_random_against_strtod)
{
    ctune_rng *rng;
    ck_assert_ok(ctune_rng_new(&rng, ctu_seed(), 11));
    char s[128];
    for (int it = 0; it < 300000; it++) {
        int kind = (int)ctune_rng_below(rng, 4);
        if (kind == 0) {
            /* random double printed with 17 significant digits */
            uint64_t bits = ctune_rng_u64(rng);
            double d;
            memcpy(&d, &bits, sizeof d);
            if (!isfinite(d))
                continue;
            snprintf(s, sizeof s, "%.17g", d);
        } else if (kind == 1) {
            /* ordinary CSV-looking decimals: 1..15 significant digits */
            double scale = pow(10, (double)ctune_rng_below(rng, 12) - 4);
            double d = (ctune_rng_uniform(rng) - 0.5) * scale;
            snprintf(s, sizeof s, "%.*g", 1 + (int)ctune_rng_below(rng, 15), d);
        } else {
            /* synthetic: [sign] int digits [. frac digits] [e exp] */
            size_t n = 0;
            if (ctune_rng_below(rng, 3) == 0)
                s[n++] = ctune_rng_below(rng, 2) ? '-' : '+';
            int a = (int)ctune_rng_below(rng, kind == 2 ? 10 : 25);
            int b = (int)ctune_rng_below(rng, kind == 2 ? 10 : 25);
            for (int i = 0; i < a; i++)
                s[n++] = (char)('0' + ctune_rng_below(rng, 10));
            if (b || ctune_rng_below(rng, 2)) {
                s[n++] = '.';
                for (int i = 0; i < b; i++)
                    s[n++] = (char)('0' + ctune_rng_below(rng, 10));
            }
            if (ctune_rng_below(rng, 2)) {
                int range = kind == 2 ? 30 : 700;
                n += (size_t)snprintf(s + n, sizeof s - n, "e%d",
                                      (int)ctune_rng_below(rng, (uint64_t)(2 * range)) - range);
            }
            s[n] = '\0';
        }
        check_same(s);
    }
    ctune_rng_free(rng);
}
END_TEST

/* Where a fast parser goes wrong: halfway and nearly halfway points between
 * neighbouring doubles (exact, and cut to 17..40 digits), subnormals and the
 * normal/subnormal boundary, mantissas of 19 and more digits, exponents near
 * ±308 and -324, and powers of ten at every exponent. */
START_TEST(test_hard_cases)
{
    ctune_rng *rng;
    ck_assert_ok(ctune_rng_new(&rng, ctu_seed(), 12));
    char s[1100];
    for (int it = 0; it < 40000; it++) {
        int kind = (int)ctune_rng_below(rng, 4);
        uint64_t bits = ctune_rng_u64(rng) & ~(UINT64_C(1) << 63);
        if (kind == 1) /* subnormal or near the smallest normals */
            bits &= (UINT64_C(1) << 54) - 1;
        double d;
        memcpy(&d, &bits, sizeof d);
        if (!isfinite(d) || d == DBL_MAX)
            continue;
        /* the midpoint of d and the next double is exact in long double
         * (64-bit mantissa) and printed exactly by %Le with enough digits */
        long double mid = ((long double)d + (long double)nextafter(d, INFINITY)) / 2;
        int digits = kind == 0   ? 767
                     : kind == 3 ? 17 + (int)ctune_rng_below(rng, 24)
                                 : 19 + (int)ctune_rng_below(rng, 4);
        snprintf(s, sizeof s, "%.*Le", digits, mid);
        check_same(s);
        snprintf(s, sizeof s, "%.*Le", digits, -mid);
        check_same(s);
    }
    for (int q = -345; q <= 310; q++) {
        snprintf(s, sizeof s, "1e%d", q);
        check_same(s);
        snprintf(s, sizeof s, "9.999999999999999999e%d", q);
        check_same(s);
        snprintf(s, sizeof s, "4.9406564584124654e%d", q); /* the smallest subnormal's digits */
        check_same(s);
    }
    for (int it = 0; it < 20000; it++) { /* 19..25 digit mantissas, exponents near the ends */
        size_t n = 0;
        int nd = 19 + (int)ctune_rng_below(rng, 7);
        for (int i = 0; i < nd; i++)
            s[n++] = (char)('0' +
                            (i == 0 ? 1 + ctune_rng_below(rng, 9) : ctune_rng_below(rng, 10)));
        int e = (int)ctune_rng_below(rng, 2) ? 290 + (int)ctune_rng_below(rng, 30) - nd
                                             : -345 + (int)ctune_rng_below(rng, 50) - nd + 19;
        snprintf(s + n, sizeof s - n, "e%d", e);
        check_same(s);
    }
    static const char *cases[] = {
        "2.4703282292062327e-324",
        "2.4703282292062328e-324",
        "2.470328229206232720e-324",
        "4.9406564584124654e-324",
        "2.2250738585072009e-308",
        "2.2250738585072013e-308",
        "1.7976931348623158e308",
        "1.7976931348623159e308",
        "179769313486231580793728971405303415079934132710037826936173778980444968292764750946649017"
        "977587207096330286416692887910946555547851940402630657488671505820681908902000708383676273"
        "854845817711531764475730270069855571366959622842914819860834936475292719074168444365510704"
        "342711559699508093042880177904174",
        "9007199254740993.0000000000000000001",
        "1234567890123456.5", /* the point just past the 16 bytes the fast path reads */
        "-1234567890123456.5",
        "9007199254740992.9999999999999999999",
        "0.30000000000000004441",
        "0.3000000000000000444089209850062616169452667236328125",
        "7.3177701707893310e+15",
        "1.0000000000000002220446049250313080847263336181640625",
        "-1e-325",
        "1e310",
        "-1e310",
        "inf",
        "INF",
        "-Inf",
        "infinity",
        "nan",
        "-nan",
        "NAN",
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_same(cases[i]);
    ctune_rng_free(rng);
}
END_TEST

/* The loader's cells, short decimals of every shape (signs, leading
 * zeros, 0..9 digits before and after the point, 15 and 16 digits in all)
 * followed by every kind of byte that can end or extend a number (a
 * delimiter, a newline, an exponent, a second point, hex, more digits):
 * the cell ends where the number does, at the next delimiter or anywhere
 * (with the text cut there), so that the short-cell paths and the full
 * parser bounded by the cell's end all see it; each equals strtod's value
 * of the whole cell or declines it. The full parser is also run on the
 * rest of the row, as it would scan it. */
START_TEST(test_short_decimals)
{
    static const char *tails[] = {",", "\n", "\r\n", ";", " ",          "\t", "e5", "E-3", "e",
                                  "x", "X1", ".5",   "5", "0123456789", "a",  "\"", "-",   "+",
                                  "",  ".",  "e+",   "i", "n",          "_",  "/",  ":",   "\x80"};
    ctune_rng *rng;
    ck_assert_ok(ctune_rng_new(&rng, ctu_seed(), 13));
    char buf[96];
    size_t taken = 0, tried = 0;
    for (int it = 0; it < 400000; it++) {
        size_t n = 0;
        int sign = (int)ctune_rng_below(rng, 4);
        if (sign)
            buf[n++] = sign == 1 ? '-' : sign == 2 ? '+' : '-';
        int a = (int)ctune_rng_below(rng, 10), b = (int)ctune_rng_below(rng, 11);
        int zeros = ctune_rng_below(rng, 8) == 0 ? (int)ctune_rng_below(rng, 4) : 0;
        for (int i = 0; i < a; i++)
            buf[n++] = i < zeros ? '0' : (char)('0' + ctune_rng_below(rng, 10));
        if (b < 10) { /* b == 10: no point */
            buf[n++] = '.';
            for (int i = 0; i < b; i++)
                buf[n++] = (char)('0' + ctune_rng_below(rng, 10));
        }
        size_t number_end = n;
        const char *tail = tails[ctune_rng_below(rng, sizeof tails / sizeof tails[0])];
        memcpy(buf + n, tail, strlen(tail));
        n += strlen(tail);
        while (n < 40) /* the rest of a row */
            buf[n++] = (char)(ctune_rng_below(rng, 3) ? '0' + ctune_rng_below(rng, 10) : ',');
        buf[n] = '\0';
        /* the text ends anywhere from its first byte to the row's end */
        size_t len = ctune_rng_below(rng, 3) ? n : 1 + ctune_rng_below(rng, n);
        /* the cell: the number alone, or up to the next delimiter */
        size_t cell = 0;
        if (ctune_rng_below(rng, 2) && number_end <= len)
            cell = number_end;
        else
            while (cell < len && buf[cell] != ',')
                cell++;
        tried++;
        taken += check_cell(buf, cell, buf + cell) > 0;
        char save = buf[len];
        buf[len] = '\0';
        check_bounded(buf, len);
        buf[len] = save;
    }
    ck_assert_msg(taken > tried / 4, "%zu taken of %zu", taken, tried);
    /* at the edges of the paths: 7 and 8 digits before the point, 8 and 9
     * after it, 15 and 16 digits, -0, +0, "5.", the point at the end of
     * the 16 bytes */
    static const char *edge[] = {
        "1234567.12345678,0000000000",    "12345678.1234567,0000000000",
        "1234567.123456789,00000000",     "123456789012345,000000000000",
        "1234567890123456,00000000000",   "-0.00000000,0000000000000",
        "+0,00000000000000000000000000",  "-0,00000000000000000000000000",
        "5.,000000000000000000000",       "0000000.00000001,000000000000",
        "9999999.99999999,000000000000",  "-9999999.99999999,0000000000",
        "1.5e,0000000000000000000000000", "7.25E+2,00000000000000000000",
        "00000001.5,0000000000000000",    "1234567.1234567.1,000000000000",
        "0x10,0000000000000000000000000", "1.,2,000000000000000000000",
    };
    for (size_t i = 0; i < sizeof edge / sizeof edge[0]; i++) {
        check_bounded(edge[i], strlen(edge[i]));
        size_t cell = (size_t)(strchr(edge[i], ',') - edge[i]);
        check_cell(edge[i], cell, edge[i] + cell);
    }
    /* the path itself parses the common cell (not only the fallback) */
    double v = 0;
    const char *row = "-12.345678,1.5,2.5,3.5,4.5,5.5";
#ifdef CTUNE__SHORT_CELL
    ck_assert_int_eq(ctune__parse_short_cell(row, row + 10, &v), 1);
    ck_assert(v == -12.345678);
    const char *expo = "1e5,00000000000000000000";
    ck_assert_int_eq(ctune__parse_short_cell(expo, expo + 3, &v), 0);
#endif
    ck_assert_ptr_eq(ctune__parse_number(row, row + strlen(row), &v), row + 10);
    ck_assert(v == -12.345678);
    ctune_rng_free(rng);
}
END_TEST

/* The cell paths of the CSV loop (the cell's end known, see
 * ctune__parse_short_cell): cells of every shape near the paths' limits
 * (0..17 digits, the point anywhere or twice, signs, exponents, hex,
 * spaces and other bytes inside), followed by a delimiter and the rest of
 * a row, or by exactly the 17 bytes the paths may read. What they take
 * equals strtod bit for bit; what they decline the loader gives to the
 * full parser. */
START_TEST(test_short_cells)
{
    static const char junk[] = {'e', 'E', 'x', '.',  ' ',    '-', '+',
                                '/', ':', 'a', '\0', '\x80', ','};
    ctune_rng *rng;
    ck_assert_ok(ctune_rng_new(&rng, ctu_seed(), 17));
    char cell[40];
    size_t tried = 0, taken = 0;
    for (int it = 0; it < 300000; it++) {
        size_t n = 0;
        int sign = (int)ctune_rng_below(rng, 4);
        if (sign)
            cell[n++] = sign == 2 ? '+' : '-';
        size_t nd = ctune_rng_below(rng, 18), point = ctune_rng_below(rng, nd + 2);
        for (size_t i = 0; i < nd; i++) {
            if (i == point)
                cell[n++] = '.';
            /* runs of zeros and nines (carries, exact powers) */
            int kind = (int)ctune_rng_below(rng, 8);
            cell[n++] = kind == 0 ? '0' : kind == 1 ? '9' : (char)('0' + ctune_rng_below(rng, 10));
        }
        if (point == nd && ctune_rng_below(rng, 2))
            cell[n++] = '.';
        if (ctune_rng_below(rng, 6) == 0 && n > 0) /* a foreign byte somewhere */
            cell[ctune_rng_below(rng, n)] = junk[ctune_rng_below(rng, sizeof junk)];
        tried++;
        taken += check_cell(cell, n,
                            ctune_rng_below(rng, 2) ? ",1.25,-3,4.5e6,7\n"
                                                    : ","
                                                      "0000000000000000" +
                                                          (n >= 16 ? 16 : n));
    }
    /* both paths take most of the common shapes */
    ck_assert_msg(taken > tried / 4, "%zu taken of %zu", taken, tried);
    /* shapes both paths take: 1..7 digits before the point, 0..8 after */
    static const char *take[] = {"0",
                                 "-0",
                                 "+0",
                                 "7",
                                 "-12.5",
                                 "0.000001",
                                 "1234567.12345678",
                                 "-9999999.99999999",
                                 "0000001.00000001",
                                 "1.",
                                 "0.1",
                                 "+3.25"};
    for (size_t i = 0; i < sizeof take / sizeof take[0]; i++)
        ck_assert_msg(check_cell_str(take[i]) >= 1, "'%s' not taken", take[i]);
    static const char *decline[] = {"",
                                    "-",
                                    "+",
                                    ".",
                                    "-.",
                                    "1.2.3",
                                    "1e5",
                                    "1E5",
                                    "0x10",
                                    " 1",
                                    "1 ",
                                    "--1",
                                    "+-1",
                                    "1-",
                                    "inf",
                                    "nan",
                                    "1,5",
                                    "1234567890123456",
                                    "12345678901234567.5",
                                    "9007199254740993"};
    for (size_t i = 0; i < sizeof decline / sizeof decline[0]; i++)
        ck_assert_msg(check_cell_str(decline[i]) == 0, "'%s' taken", decline[i]);
#ifdef CTUNE__SHORT_CELL_SSSE3
    /* the SSSE3 path: 15 digits with the point anywhere, '.5' and '5.' */
    if (__builtin_cpu_supports("ssse3")) {
        static const char *wide[] = {".5",
                                     "-.5",
                                     "5.",
                                     "12345678901234.5",
                                     ".123456789012345",
                                     "123456789012345.",
                                     "0.00000000000001",
                                     "99999999999999.9",
                                     "123456789012345"};
        for (size_t i = 0; i < sizeof wide / sizeof wide[0]; i++) {
            double v;
            char buf[40];
            snprintf(buf, sizeof buf, "%s,0000000000000000", wide[i]);
            ck_assert_msg(ctune__parse_short_cell_ssse3(buf, buf + strlen(wide[i]), &v),
                          "'%s' not taken", wide[i]);
            check_cell_str(wide[i]);
        }
    }
#endif
    ctune_rng_free(rng);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("io_numparse");
    TCase *tc = tcase_create("numparse");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_fixed_cases);
    tcase_add_test(tc, test_long_numbers);
    tcase_add_test(tc, test_random_against_strtod);
    tcase_add_test(tc, test_hard_cases);
    tcase_add_test(tc, test_short_decimals);
    tcase_add_test(tc, test_short_cells);
    suite_add_tcase(s, tc);
    return ctu_run_suite(s);
}
