/* Black-box: a host program that switches the whole process to a
 * decimal-comma locale (as every Qt program does) sees the same numbers in
 * and out of the library as under "C": constructors, params text, spaces,
 * results CSV/JSON, model files. Skipped (exit 77) when de_DE.UTF-8 is not
 * installed (Debian: locales-all). */
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ctune.h>

static int failures;

#define CHECK(cond)                                                                           \
    do {                                                                                      \
        if (!(cond)) {                                                                        \
            fprintf(stderr, "%s:%d: check failed: %s (last error: %s)\n", __FILE__, __LINE__, \
                    #cond, ctune_last_error());                                               \
            failures++;                                                                       \
        }                                                                                     \
    } while (0)
#define OK(call) CHECK((call) == CTUNE_OK)

/* ---- a strict JSON validator (RFC 8259 grammar, no extensions) ---------- */

static const char *json_value(const char *p);

static const char *ws(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        p++;
    return p;
}

static const char *json_string(const char *p)
{
    if (*p++ != '"')
        return NULL;
    while (*p && *p != '"') {
        if ((unsigned char)*p < 0x20)
            return NULL;
        if (*p == '\\') {
            p++;
            if (*p == 'u') {
                for (int i = 1; i <= 4; i++)
                    if (!strchr("0123456789abcdefABCDEF", p[i]) || !p[i])
                        return NULL;
                p += 4;
            } else if (!*p || !strchr("\"\\/bfnrt", *p)) {
                return NULL;
            }
        }
        p++;
    }
    return *p == '"' ? p + 1 : NULL;
}

static const char *json_number(const char *p)
{
    const char *s = p;
    if (*p == '-')
        p++;
    if (*p == '0')
        p++;
    else if (*p >= '1' && *p <= '9')
        while (*p >= '0' && *p <= '9')
            p++;
    else
        return NULL;
    if (*p == '.') {
        p++;
        if (!(*p >= '0' && *p <= '9'))
            return NULL;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (!(*p >= '0' && *p <= '9'))
            return NULL;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    return p > s ? p : NULL;
}

static const char *json_value(const char *p)
{
    p = ws(p);
    if (*p == '{' || *p == '[') {
        char close = *p == '{' ? '}' : ']';
        int obj = *p == '{';
        p = ws(p + 1);
        if (*p == close)
            return p + 1;
        for (;;) {
            if (obj) {
                p = json_string(ws(p));
                if (!p || *(p = ws(p)) != ':')
                    return NULL;
                p++;
            }
            p = json_value(p);
            if (!p)
                return NULL;
            p = ws(p);
            if (*p == close)
                return p + 1;
            if (*p++ != ',')
                return NULL;
        }
    }
    if (*p == '"')
        return json_string(p);
    if (!strncmp(p, "true", 4))
        return p + 4;
    if (!strncmp(p, "false", 5))
        return p + 5;
    if (!strncmp(p, "null", 4))
        return p + 4;
    return json_number(p);
}

static int json_valid(const char *text)
{
    const char *end = json_value(text);
    return end && *ws(end) == '\0';
}

/* ---- round trips ------------------------------------------------------- */

static void constructors(void)
{
    ctune_status (*ctor[])(ctune_estimator **) = {
        ctune_decision_tree_classifier_new, ctune_decision_tree_regressor_new,
        ctune_dummy_classifier_new,         ctune_dummy_regressor_new,
        ctune_mlp_classifier_new,           ctune_mlp_regressor_new,
        ctune_standard_scaler_new,          ctune_pipeline_new,
    };
    for (size_t i = 0; i < sizeof ctor / sizeof *ctor; i++) {
        ctune_estimator *e = NULL;
        OK(ctor[i](&e));
        ctune_estimator_free(e);
    }
    ctune_estimator *t = NULL;
    OK(ctune_decision_tree_classifier_new(&t));
    OK(ctune_estimator_set_params_text(t, "min_impurity_decrease=0.25, max_features=0.5"));
    double v = 0;
    OK(ctune_params_get_double(&v, ctune_estimator_get_params(t), "min_impurity_decrease"));
    CHECK(v == 0.25);
    ctune_estimator_free(t);
}

static void params_text(void)
{
    ctune_params *p = NULL;
    OK(ctune_params_new(&p));
    OK(ctune_params_set_text(p, "x", "0.5"));
    CHECK(ctune_params_type(p, "x") == CTUNE_TYPE_DOUBLE);
    double v = 0;
    OK(ctune_params_get_double(&v, p, "x"));
    CHECK(v == 0.5);
    OK(ctune_params_set_text(p, "y", "1e-3"));
    OK(ctune_params_set_double(p, "z", 0.1));
    char buf[256];
    CHECK(ctune_params_to_text(buf, sizeof buf, p) > 0);
    CHECK(strstr(buf, "x=0.5") != NULL);
    CHECK(strstr(buf, "y=0.001") != NULL);
    CHECK(strstr(buf, "z=0.1") != NULL);
    CHECK(strchr(buf, ',') == NULL || strstr(buf, ", ") != NULL);
    ctune_params_free(p);
}

static void space_text(void)
{
    ctune_space *s = NULL;
    OK(ctune_space_parse(&s, "a: 0.5|0.25; b: uniform(0.1, 0.9); c: loguniform(1e-4, 0.5)"));
    char t1[512], t2[512];
    CHECK(ctune_space_to_text(t1, sizeof t1, s) > 0);
    CHECK(strstr(t1, "0.5|0.25") != NULL);
    CHECK(strstr(t1, "uniform(0.1, 0.9)") != NULL);
    ctune_space *s2 = NULL;
    OK(ctune_space_parse(&s2, t1));
    CHECK(ctune_space_to_text(t2, sizeof t2, s2) > 0);
    CHECK(!strcmp(t1, t2));
    ctune_space_free(s);
    ctune_space_free(s2);
}

static void search_results_and_models(void)
{
    ctune_data *d = NULL;
    OK(ctune_dataset_load(&d, "iris", NULL));
    ctune_estimator *tree = NULL;
    OK(ctune_decision_tree_classifier_new(&tree));
    ctune_space *s = NULL;
    OK(ctune_space_parse(&s, "max_depth: 1|2|3; min_impurity_decrease: 0.0|0.015625"));
    ctune_search *se = NULL;
    OK(ctune_search_new_grid(&se, tree, s));
    OK(ctune_search_set_options(se, "cv=3"));
    OK(ctune_search_fit(se, d));
    long n = ctune_search_results_json_buf(NULL, 0, se);
    CHECK(n > 0);
    char *json = malloc((size_t)n + 1);
    CHECK(ctune_search_results_json_buf(json, (size_t)n + 1, se) == n);
    CHECK(json_valid(json));
    CHECK(strstr(json, "0.015625") != NULL);
    free(json);
    n = ctune_search_results_csv_buf(NULL, 0, se);
    CHECK(n > 0);
    char *csv = malloc((size_t)n + 1);
    CHECK(ctune_search_results_csv_buf(csv, (size_t)n + 1, se) == n);
    CHECK(strstr(csv, "0.015625") != NULL);
    CHECK(strstr(csv, "\"0,") == NULL); /* a number written with a comma gets quoted */
    free(csv);
    double best = 0;
    OK(ctune_search_best_score(&best, se));
    CHECK(best > 0.9 && best <= 1.0);

    /* model files: a tree and an MLP (its options pass through text) */
    ctune_estimator *models[2] = {ctune_search_best_estimator(se), NULL};
    OK(ctune_mlp_classifier_new(&models[1]));
    OK(ctune_estimator_set_params_text(models[1], "epochs=2, learning_rate=0.01, "
                                                  "validation_split=0.25, dropout=0.125"));
    OK(ctune_estimator_fit(models[1], d));
    size_t rows = ctune_data_n_rows(d);
    double *p1 = malloc(rows * 3 * sizeof *p1), *p2 = malloc(rows * 3 * sizeof *p2);
    for (int k = 0; k < 2; k++) {
        long n_saved = ctune_estimator_save_buffer(NULL, 0, models[k]);
        CHECK(n_saved > 0);
        size_t size = n_saved > 0 ? (size_t)n_saved : 0;
        void *buf = malloc(size);
        CHECK(ctune_estimator_save_buffer(buf, size, models[k]) == n_saved);
        ctune_estimator *back = NULL;
        OK(ctune_estimator_load_buffer(&back, buf, size, NULL, NULL));
        CHECK(back != NULL);
        if (back) {
            OK(ctune_estimator_predict_proba(p1, models[k], d));
            OK(ctune_estimator_predict_proba(p2, back, d));
            CHECK(!memcmp(p1, p2, rows * 3 * sizeof *p1));
            char a[1024], b[1024];
            ctune_params_to_text(a, sizeof a, ctune_estimator_get_params(models[k]));
            ctune_params_to_text(b, sizeof b, ctune_estimator_get_params(back));
            CHECK(!strcmp(a, b));
        }
        ctune_estimator_free(back);
        free(buf);
    }
    free(p1);
    free(p2);
    ctune_estimator_free(models[1]);
    ctune_search_free(se);
    ctune_space_free(s);
    ctune_estimator_free(tree);
    ctune_data_free(d);
}

static void csv_numbers(void)
{
    const char text[] = "a,b,y\n0.5,1e-3,0\n-2.25,3,1\n";
    ctune_data *d = NULL;
    OK(ctune_csv_load_buffer(&d, text, sizeof text - 1, NULL));
    double x[4];
    if (d) {
        OK(ctune_data_gather_f64(x, 2, d, NULL, 2));
        CHECK(x[0] == 0.5 && x[1] == 1e-3 && x[2] == -2.25 && x[3] == 3);
    }
    ctune_data_free(d);
}

/* ---- exact values ------------------------------------------------------ */

/* Texts read as numbers (or not) by ctune_params_set_text: short and
 * long decimals, exponents, hex, inf and nan, zeros, subnormals, values
 * past double's range, halfway cases only strtod decides, and texts a
 * decimal-comma locale would read differently. */
static const char *const number_texts[] = {
    "0.5",
    "-2.25",
    "1e-3",
    "0.1",
    "3.14159265358979323846",
    "123456789.123456789",
    "1.5e300",
    "2.2250738585072014e-308",
    "2.2250738585072011e-308",
    "4.9e-324",
    "1e-400",
    "1e400",
    "-0.0",
    "0e5",
    "0x1.8p1",
    "-0x.4p-2",
    "inf",
    "-Infinity",
    "nan",
    "1.00000000000000011102230246251565404236316680908203125",
    "1.00000000000000011102230246251565404236316680908203126",
    "9007199254740993.0",
    "9007199254740993.000000000000000000000000001",
    "2.4703282292062327e-324",
    "2.4703282292062328e-324",
    "1,5",
    "0,5",
    "1.5,",
    " 2.5",
    "2.5 ",
    "1.",
    ".5",
    ".",
    "1e",
    "1.5x",
};

/* ctune_params_set_text reads each text as strtod does in "C" (by the
 * test's own "C" locale object): a double with its value bits when strtod
 * reads it whole without ERANGE, else a string. Run once as it is and
 * once with the library's "C" locale object missing (test builds:
 * CTUNE_TEST_NEWLOCALE_FAIL=1, see tests/api/meson.build), when its
 * fallbacks parse under this decimal-comma locale. */
static void exact_values(void)
{
    locale_t c = newlocale(LC_ALL_MASK, "C", (locale_t)0);
    CHECK(c != (locale_t)0);
    if (c == (locale_t)0)
        return;
    for (size_t i = 0; i < sizeof number_texts / sizeof *number_texts; i++) {
        const char *t = number_texts[i];
        char *end;
        locale_t host = uselocale(c);
        errno = 0;
        double want = strtod(t, &end);
        int range = errno == ERANGE;
        uselocale(host);
        int is_double = *t && !*end && !range;
        ctune_params *p = NULL;
        OK(ctune_params_new(&p));
        if (!p)
            break;
        OK(ctune_params_set_text(p, "x", t));
        int type = (int)ctune_params_type(p, "x");
        double got = 0;
        if (type == CTUNE_TYPE_DOUBLE)
            OK(ctune_params_get_double(&got, p, "x"));
        if (type != (int)(is_double ? CTUNE_TYPE_DOUBLE : CTUNE_TYPE_STRING) ||
            (is_double && memcmp(&got, &want, sizeof got) != 0 && !(isnan(got) && isnan(want)))) {
            fprintf(stderr, "'%s': type %d, %a; strtod in \"C\": %s, %a\n", t, type, got,
                    is_double ? "a double" : "not a double", want);
            failures++;
        }
        ctune_params_free(p);
    }
    freelocale(c);
    /* a few by their literal value */
    ctune_params *p = NULL;
    OK(ctune_params_new(&p));
    OK(ctune_params_set_text(p, "a", "0.5"));
    OK(ctune_params_set_text(p, "b", "0x1.8p1"));
    OK(ctune_params_set_text(p, "c", "1.00000000000000011102230246251565404236316680908203126"));
    double a = 0, b = 0, cc = 0;
    OK(ctune_params_get_double(&a, p, "a"));
    OK(ctune_params_get_double(&b, p, "b"));
    OK(ctune_params_get_double(&cc, p, "c"));
    CHECK(a == 0.5 && b == 3.0 && cc == nextafter(1.0, 2.0));
    /* printing: '.', the shortest text that reads back */
    OK(ctune_params_set_double(p, "z", 0.1 + 0.2));
    char buf[256];
    CHECK(ctune_params_to_text(buf, sizeof buf, p) > 0);
    CHECK(strstr(buf, "z=0.30000000000000004") != NULL);
    CHECK(strstr(buf, "a=0.5") != NULL);
    ctune_params_free(p);
    /* the CSV cells that reach strtod: hex, inf, nan, a halfway case */
    const char text[] =
        "a,b,c\n0x1.8p1,inf,1.00000000000000011102230246251565404236316680908203125\n"
        "nan,-0x.4p-2,2.5\n";
    ctune_data *d = NULL;
    OK(ctune_csv_load_buffer(&d, text, sizeof text - 1, "target=none"));
    if (d) {
        double x[6];
        OK(ctune_data_gather_f64(x, 3, d, NULL, 2));
        CHECK(x[0] == 3.0 && isinf(x[1]) && x[1] > 0 && x[2] == 1.0);
        CHECK(isnan(x[3]) && x[4] == -0.0625 && x[5] == 2.5);
    }
    ctune_data_free(d);
}

int main(void)
{
    const char *want = "de_DE.UTF-8";
    if (!setlocale(LC_ALL, want)) {
        printf("SKIP: locale %s is not installed (Debian: apt-get install locales-all)\n", want);
        return 77;
    }
    /* the host's locale is really a decimal-comma one */
    if (strcmp(localeconv()->decimal_point, ",") != 0) {
        printf("SKIP: locale %s has decimal point '%s'\n", want, localeconv()->decimal_point);
        return 77;
    }
    char probe[16];
    snprintf(probe, sizeof probe, "%.1f", 0.5);
    CHECK(!strcmp(probe, "0,5"));
    constructors();
    params_text();
    space_text();
    csv_numbers();
    search_results_and_models();
    exact_values();
    if (failures) {
        fprintf(stderr, "%d check(s) failed under %s\n", failures, want);
        return 1;
    }
    printf("all round trips hold under %s\n", want);
    return 0;
}
