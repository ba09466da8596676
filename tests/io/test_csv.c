/* Check suite: the CSV loader (options, dialect, errors with line and
 * column, names, labels, streaming across buffer boundaries, leaks). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/csv_index.h"
#include "testutil.h"

static ctune_status load(ctune_data **d, const char *text, const char *opts)
{
    return ctune_csv_load_buffer(d, text, strlen(text), opts);
}

static const char *tmp_file(const char *name, const char *text, size_t len)
{
    static char dir[64];
    static char path[160];
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "/tmp/ctune_csv_XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(dir));
    }
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(text, 1, len, f), len);
    fclose(f);
    return path;
}

/* X and y of two datas are identical (same dtype, shape, bits). */
static void assert_same_data(const ctune_data *a, const ctune_data *b)
{
    size_t n = ctune_data_n_rows(a), m = ctune_data_n_cols(a);
    ck_assert_uint_eq(ctune_data_n_rows(b), n);
    ck_assert_uint_eq(ctune_data_n_cols(b), m);
    ck_assert_uint_eq(ctune_data_n_targets(b), ctune_data_n_targets(a));
    double *xa = malloc(n * m * sizeof *xa), *xb = malloc(n * m * sizeof *xb);
    ck_assert_ok(ctune_data_gather_f64(xa, m, a, NULL, n));
    ck_assert_ok(ctune_data_gather_f64(xb, m, b, NULL, n));
    ck_assert_int_eq(memcmp(xa, xb, n * m * sizeof *xa), 0);
    if (ctune_data_n_targets(a)) {
        ck_assert_ok(ctune_data_gather_y(xa, a, NULL, n));
        ck_assert_ok(ctune_data_gather_y(xb, b, NULL, n));
        ck_assert_int_eq(memcmp(xa, xb, n * sizeof *xa), 0);
    }
    free(xa);
    free(xb);
}

/* ---- basics ------------------------------------------------------------ */

START_TEST(test_basic_header_and_values)
{
    int64_t live = ctune_alloc_live();
    ctune_data *d;
    ck_assert_ok(load(&d, "a,b,c\n1,2.5,0\n-3,4e2,1\n", NULL));
    ck_assert_uint_eq(ctune_data_n_rows(d), 2);
    ck_assert_uint_eq(ctune_data_n_cols(d), 2);
    ck_assert_uint_eq(ctune_data_n_targets(d), 1);
    ck_assert_int_eq(ctune_data_dtype(d), CTUNE_FLOAT64);
    ck_assert_double_eq(ctune_data_x(d, 0, 1), 2.5);
    ck_assert_double_eq(ctune_data_x(d, 1, 0), -3);
    ck_assert_double_eq(ctune_data_x(d, 1, 1), 400);
    ck_assert_double_eq(ctune_data_y(d, 1, 0), 1);
    ck_assert_str_eq(ctune_data_feature_name(d, 0), "a");
    ck_assert_str_eq(ctune_data_feature_name(d, 1), "b");
    ck_assert_ptr_null(ctune_data_feature_name(d, 2));
    ck_assert_uint_eq(ctune_data_n_class_names(d), 0);
    ck_assert_ptr_null(ctune_data_class_name(d, 0));
    /* names survive in subsets, and after the parent is freed */
    ctune_data *s;
    size_t rows[1] = {1};
    ck_assert_ok(ctune_data_subset(&s, d, rows, 1));
    ctune_data_free(d);
    ck_assert_str_eq(ctune_data_feature_name(s, 1), "b");
    ck_assert_double_eq(ctune_data_x(s, 0, 0), -3);
    ctune_data_free(s);
    /* no header: detected, no names */
    ck_assert_ok(load(&d, "1,2,3\n4,5,6", NULL));
    ck_assert_uint_eq(ctune_data_n_rows(d), 2);
    ck_assert_ptr_null(ctune_data_feature_name(d, 0));
    ck_assert_double_eq(ctune_data_y(d, 1, 0), 6);
    ctune_data_free(d);
    /* header=true takes a numeric first row as names */
    ck_assert_ok(load(&d, "1,2,3\n4,5,6\n", "header=true"));
    ck_assert_uint_eq(ctune_data_n_rows(d), 1);
    ck_assert_str_eq(ctune_data_feature_name(d, 1), "2");
    ctune_data_free(d);
    /* header=false on a real header: the header is data and fails */
    ck_assert_status(load(&d, "a,b\n1,2\n", "header=false"), CTUNE_EFORMAT);
    ck_assert_str_eq(ctune_last_error(), "CSV buffer: line 1, column 1: 'a' is not a number");
    /* accessors on NULL and on a caller's view */
    ck_assert_ptr_null(ctune_data_feature_name(NULL, 0));
    ck_assert_uint_eq(ctune_data_n_class_names(NULL), 0);
    ck_assert_ptr_null(ctune_data_class_name(NULL, 0));
    double X[2] = {1, 2};
    ck_assert_ok(ctune_data_new(&d, X, CTUNE_FLOAT64, 1, 2, 0, NULL, 0));
    ck_assert_ptr_null(ctune_data_feature_name(d, 0));
    ctune_data_free(d);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

START_TEST(test_delimiters_and_spaces)
{
    int64_t live = ctune_alloc_live();
    ctune_data *d;
    ck_assert_ok(load(&d, "a;b;y\n1.5;2;0\n", "delimiter=';'"));
    ck_assert_uint_eq(ctune_data_n_cols(d), 2);
    ck_assert_status(ctune_data_validate(d), CTUNE_OK);
    ctune_data_free(d);
    /* "1,5" is not a number with ';' */
    ck_assert_status(load(&d, "a;b;y\n1;2;0\n1,5;2;0\n", "delimiter=semicolon"), CTUNE_EFORMAT);
    ck_assert_str_eq(ctune_last_error(), "CSV buffer: line 3, column 1: '1,5' is not a number");
    ck_assert_ok(load(&d, "a\tb\ty\n1\t2\t3\n", "delimiter=\\t"));
    ck_assert_double_eq(ctune_data_x(d, 0, 1), 2);
    ctune_data_free(d);
    ck_assert_ok(load(&d, "a\tb\ty\n1\t2\t3\n", "delimiter=tab"));
    ck_assert_str_eq(ctune_data_feature_name(d, 1), "b");
    ctune_data_free(d);
    ck_assert_ok(load(&d, "a|b|y\n1|2|3\n", "delimiter=|"));
    ctune_data_free(d);
    /* spaces around fields and names are trimmed */
    ck_assert_ok(load(&d, " a , b ,y\n 1 ,  2.5 , 7 \n", NULL));
    ck_assert_str_eq(ctune_data_feature_name(d, 1), "b");
    ck_assert_double_eq(ctune_data_x(d, 0, 1), 2.5);
    ck_assert_double_eq(ctune_data_y(d, 0, 0), 7);
    ctune_data_free(d);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

START_TEST(test_quotes)
{
    int64_t live = ctune_alloc_live();
    ctune_data *d;
    const char *text = "\"a,b\",\"say \"\"hi\"\"\",target\n"
                       "\"1.5\",2,\"cat, black\"\n"
                       "3, \"4\" ,\"dog \"\"rex\"\"\"\n"
                       "5,6,\"line\nbreak\"\n"
                       "7,8,\"cat, black\"\n";
    ck_assert_ok(load(&d, text, NULL));
    ck_assert_uint_eq(ctune_data_n_rows(d), 4);
    ck_assert_str_eq(ctune_data_feature_name(d, 0), "a,b");
    ck_assert_str_eq(ctune_data_feature_name(d, 1), "say \"hi\"");
    ck_assert_double_eq(ctune_data_x(d, 0, 0), 1.5);
    ck_assert_double_eq(ctune_data_x(d, 1, 1), 4);
    ck_assert_uint_eq(ctune_data_n_class_names(d), 3);
    ck_assert_str_eq(ctune_data_class_name(d, 0), "cat, black");
    ck_assert_str_eq(ctune_data_class_name(d, 1), "dog \"rex\"");
    ck_assert_str_eq(ctune_data_class_name(d, 2), "line\nbreak");
    ck_assert_double_eq(ctune_data_y(d, 0, 0), 0);
    ck_assert_double_eq(ctune_data_y(d, 1, 0), 1);
    ck_assert_double_eq(ctune_data_y(d, 2, 0), 2);
    ck_assert_double_eq(ctune_data_y(d, 3, 0), 0);
    ctune_data_free(d);
    /* a newline inside quotes counts for the line numbers after it */
    ck_assert_status(load(&d, "a,b\n\"x\ny\",1\n2,z\n", "header=true, labels=string"),
                     CTUNE_EFORMAT);
    ck_assert_str_eq(ctune_last_error(), "CSV buffer: line 2, column 1: 'x\ny' is not a number");
    ck_assert_status(load(&d, "a,b\n1,\"x\ny\"\nz,2\n", "header=true, labels=string"),
                     CTUNE_EFORMAT);
    ck_assert_str_eq(ctune_last_error(), "CSV buffer: line 4, column 1: 'z' is not a number");
    /* malformed quoting */
    ck_assert_status(load(&d, "a,b\n1,\"2\n3,4\n", NULL), CTUNE_EFORMAT);
    ck_assert_str_eq(ctune_last_error(),
                     "CSV buffer: line 2: unterminated quoted field (the quote runs to the end "
                     "of the input)");
    ck_assert_status(load(&d, "a,b\n\"1\"x,2\n", NULL), CTUNE_EFORMAT);
    ck_assert_str_eq(
        ctune_last_error(),
        "CSV buffer: line 2, column 1: unexpected character 'x' after a closing quote");
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

START_TEST(test_crlf_comments_blank_bom)
{
    int64_t live = ctune_alloc_live();
    ctune_data *d, *ref;
    ck_assert_ok(load(&ref, "a,b,y\n1,2,0\n3,4,1\n", NULL));
    ck_assert_ok(load(&d, "a,b,y\r\n1,2,0\r\n3,4,1\r\n", NULL));
    assert_same_data(ref, d);
    ck_assert_str_eq(ctune_data_feature_name(d, 1), "b");
    ctune_data_free(d);
    ck_assert_ok(load(&d,
                      "# a comment\n\n   \n# another, with, commas\na,b,y\n\n1,2,0\n"
                      "  # indented comment\n3,4,1",
                      "comment=#"));
    assert_same_data(ref, d);
    ctune_data_free(d);
    ck_assert_ok(load(&d,
                      "\xEF\xBB\xBF"
                      "a,b,y\r\n1,2,0\r\n\r\n3,4,1\r\n",
                      NULL));
    assert_same_data(ref, d);
    ck_assert_str_eq(ctune_data_feature_name(d, 0), "a");
    ctune_data_free(d);
    ck_assert_ok(load(&d, "% note\na,b,y\n1,2,0\n3,4,1\n", "comment='%'"));
    assert_same_data(ref, d);
    ctune_data_free(d);
    /* comment=none, the default: a '#' line is data */
    ck_assert_status(load(&d, "a,b,y\r\n#1,2,0\r\n", "comment=none"), CTUNE_EFORMAT);
    ck_assert_str_eq(ctune_last_error(), "CSV buffer: line 2, column 1: '#1' is not a number");
    ck_assert_status(load(&d, "a,b,y\r\n#1,2,0\r\n", NULL), CTUNE_EFORMAT);
    ck_assert_str_eq(ctune_last_error(), "CSV buffer: line 2, column 1: '#1' is not a number");
    ck_assert_status(load(&d, "a,b,y\n1,2,0\n# 3,4,1\n", NULL), CTUNE_EFORMAT);
    ck_assert_str_eq(ctune_last_error(), "CSV buffer: line 3, column 1: '# 3' is not a number");
    /* line numbers count comments, blank lines and CRLF */
    ck_assert_status(load(&d, "#c\r\na,b,y\r\n\r\n1,2,0\r\n1,x,0\r\n", "comment=#"), CTUNE_EFORMAT);
    ck_assert_str_eq(ctune_last_error(), "CSV buffer: line 5, column 2: 'x' is not a number");
    ctune_data_free(ref);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

/* header=auto: a row of column indices (pandas' header for unnamed
 * columns) and a text target cell over a numeric target column are headers;
 * a text target over text labels is data; duplicate names are ambiguous. */
START_TEST(test_header_rules_and_duplicates)
{
    int64_t live = ctune_alloc_live();
    ctune_data *d;
    /* iris as pandas writes it from a numpy array: 0,1,2,3,target */
    const char *dir = getenv("CTUNE_TEST_DATA");
    ck_assert_ptr_nonnull(dir);
    char src[512];
    snprintf(src, sizeof src, "%s/iris.csv", dir);
    FILE *f = fopen(src, "rb");
    ck_assert_ptr_nonnull(f);
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *body = strchr(buf, '\n') + 1;
    size_t cap = strlen(body) + 64;
    char *text = malloc(cap);
    snprintf(text, cap, "0,1,2,3,target\n%s", body);
    ck_assert_ok(load(&d, text, NULL));
    ck_assert_uint_eq(ctune_data_n_rows(d), 150);
    ck_assert_uint_eq(ctune_data_n_cols(d), 4);
    ck_assert_str_eq(ctune_data_feature_name(d, 3), "3");
    ck_assert(ctune_data_y(d, 0, 0) == 0.0);
    ctune_data_free(d);
    /* all indices, the target's too */
    snprintf(text, cap, "0,1,2,3,4\n%s", body);
    ck_assert_ok(load(&d, text, NULL));
    ck_assert_uint_eq(ctune_data_n_rows(d), 150);
    ctune_data_free(d);
    free(text);

    /* numeric names, text target name, numeric target data: a header */
    ck_assert_ok(load(&d, "10,20,label\n1,2,0\n3,4,1\n", NULL));
    ck_assert_uint_eq(ctune_data_n_rows(d), 2);
    ck_assert_str_eq(ctune_data_feature_name(d, 0), "10");
    ck_assert_uint_eq(ctune_data_n_class_names(d), 0);
    ctune_data_free(d);
    /* ... with the target elsewhere */
    ck_assert_ok(load(&d, "label,10,20\n0,1,2\n1,3,4\n", "target=0"));
    ck_assert_uint_eq(ctune_data_n_rows(d), 2);
    ctune_data_free(d);
    /* text target over text labels: data */
    ck_assert_ok(load(&d, "1,2,setosa\n3,4,virginica\n", NULL));
    ck_assert_uint_eq(ctune_data_n_rows(d), 2);
    ck_assert_uint_eq(ctune_data_n_class_names(d), 2);
    ctune_data_free(d);
    /* a single such row is data */
    ck_assert_ok(load(&d, "1,2,setosa\n", NULL));
    ck_assert_uint_eq(ctune_data_n_rows(d), 1);
    ctune_data_free(d);
    /* errors on the second row keep their line numbers */
    ck_assert_status(load(&d, "1,2,setosa\n3,x,virginica\n", NULL), CTUNE_EFORMAT);
    ck_assert_str_eq(ctune_last_error(), "CSV buffer: line 2, column 2: 'x' is not a number");
    ck_assert_status(load(&d, "1,2,label\n3,4,0\n5,6\n", NULL), CTUNE_EFORMAT);
    ck_assert_error_has("line 3");
    /* data rows that are not indices stay data */
    ck_assert_ok(load(&d, "0,1,1\n0,1,0\n", NULL));
    ck_assert_uint_eq(ctune_data_n_rows(d), 2);
    ctune_data_free(d);

    /* duplicate names: an error only when one of them is chosen */
    ck_assert_ok(load(&d, "a,a,y\n1,2,0\n", NULL));
    ctune_data_free(d);
    ck_assert_status(load(&d, "y,a,y\n1,2,0\n", "target=y"), CTUNE_EFORMAT);
    ck_assert_str_eq(ctune_last_error(), "CSV buffer: line 1: target 'y' is ambiguous: columns 1 "
                                         "and 3 both have that name");
    ck_assert_status(load(&d, "a,a,y\n1,2,0\n", "features=a"), CTUNE_EFORMAT);
    ck_assert_error_has("feature 'a' is ambiguous: columns 1 and 2");
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

START_TEST(test_labels)
{
    int64_t live = ctune_alloc_live();
    ctune_data *d;
    const char *text = "x,species\n1,virginica\n2,setosa\n3,versicolor\n4,setosa\n";
    ck_assert_ok(load(&d, text, NULL));
    ck_assert_uint_eq(ctune_data_n_class_names(d), 3);
    ck_assert_str_eq(ctune_data_class_name(d, 0), "setosa");
    ck_assert_str_eq(ctune_data_class_name(d, 1), "versicolor");
    ck_assert_str_eq(ctune_data_class_name(d, 2), "virginica");
    ck_assert_ptr_null(ctune_data_class_name(d, 3));
    const double want[4] = {2, 0, 1, 0};
    for (size_t i = 0; i < 4; i++)
        ck_assert_double_eq(ctune_data_y(d, i, 0), want[i]);
    ctune_data_free(d);
    /* without a header the text label alone does not make row 1 a header */
    ck_assert_ok(load(&d, "1,b\n2,a\n", NULL));
    ck_assert_uint_eq(ctune_data_n_rows(d), 2);
    ck_assert_str_eq(ctune_data_class_name(d, 0), "a");
    ck_assert_double_eq(ctune_data_y(d, 0, 0), 1);
    ctune_data_free(d);
    /* labels=string on numbers: names in byte order */
    ck_assert_ok(load(&d, "x,y\n1,10\n2,9\n3,10\n", "labels=string"));
    ck_assert_uint_eq(ctune_data_n_class_names(d), 2);
    ck_assert_str_eq(ctune_data_class_name(d, 0), "10");
    ck_assert_str_eq(ctune_data_class_name(d, 1), "9");
    ck_assert_double_eq(ctune_data_y(d, 1, 0), 1);
    ctune_data_free(d);
    /* numeric from the first value, then text: an error with a hint */
    ck_assert_status(load(&d, "x,y\n1,0\n2,cat\n", NULL), CTUNE_EFORMAT);
    ck_assert_error_has("CSV buffer: line 3, column 2: 'cat' is not a number (the target column "
                        "was read as numeric");
    ck_assert_error_has("labels=string");
    ck_assert_status(load(&d, "x,y\n1,dog\n", "labels=numeric"), CTUNE_EFORMAT);
    ck_assert_error_has("line 2, column 2: 'dog' is not a number");
    ck_assert_status(load(&d, "x,y\n1,\n", NULL), CTUNE_EFORMAT);
    ck_assert_str_eq(ctune_last_error(), "CSV buffer: line 2, column 2: empty target field");
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

START_TEST(test_target_and_features)
{
    int64_t live = ctune_alloc_live();
    ctune_data *d;
    const char *text = "id,a,b,label,c\n1,10,20,0,30\n2,11,21,1,31\n";
    ck_assert_ok(load(&d, text, "target=label"));
    ck_assert_uint_eq(ctune_data_n_cols(d), 4);
    ck_assert_str_eq(ctune_data_feature_name(d, 3), "c");
    ck_assert_double_eq(ctune_data_y(d, 1, 0), 1);
    ck_assert_double_eq(ctune_data_x(d, 1, 3), 31);
    ctune_data_free(d);
    ck_assert_ok(load(&d, text, "target=label, features=c|a"));
    ck_assert_uint_eq(ctune_data_n_cols(d), 2);
    ck_assert_str_eq(ctune_data_feature_name(d, 0), "c");
    ck_assert_str_eq(ctune_data_feature_name(d, 1), "a");
    ck_assert_double_eq(ctune_data_x(d, 0, 0), 30);
    ck_assert_double_eq(ctune_data_x(d, 0, 1), 10);
    ctune_data_free(d);
    ck_assert_ok(load(&d, text, "target=3, features=1|2"));
    ck_assert_str_eq(ctune_data_feature_name(d, 1), "b");
    ck_assert_double_eq(ctune_data_y(d, 0, 0), 0);
    ctune_data_free(d);
    ck_assert_ok(load(&d, text, "target=-2, features=a"));
    ck_assert_double_eq(ctune_data_y(d, 1, 0), 1);
    ck_assert_uint_eq(ctune_data_n_cols(d), 1);
    ctune_data_free(d);
    ck_assert_ok(load(&d, text, "target=0"));
    ck_assert_uint_eq(ctune_data_n_cols(d), 4);
    ck_assert_double_eq(ctune_data_y(d, 1, 0), 2);
    ctune_data_free(d);
    ck_assert_ok(load(&d, text, "target=none"));
    ck_assert_uint_eq(ctune_data_n_cols(d), 5);
    ck_assert_uint_eq(ctune_data_n_targets(d), 0);
    ctune_data_free(d);
    /* a skipped column may hold text */
    ck_assert_ok(load(&d, "name,a,y\n\"Smith, J\",1,0\nDoe,2,1\n", "features=a"));
    ck_assert_double_eq(ctune_data_x(d, 1, 0), 2);
    ctune_data_free(d);
    /* errors */
    ck_assert_status(load(&d, text, "target=lable"), CTUNE_EINVAL);
    ck_assert_str_eq(
        ctune_last_error(),
        "CSV buffer: line 1: no target column named 'lable'; columns: id, a, b, label, c");
    ck_assert_status(load(&d, text, "features=a|zz"), CTUNE_EINVAL);
    ck_assert_str_eq(
        ctune_last_error(),
        "CSV buffer: line 1: unknown feature column 'zz'; columns: id, a, b, label, c");
    ck_assert_status(load(&d, text, "features=a|a"), CTUNE_EINVAL);
    ck_assert_error_has("feature 'a' is selected twice");
    ck_assert_status(load(&d, text, "target=c, features=c"), CTUNE_EINVAL);
    ck_assert_error_has("feature 'c' is the target column");
    ck_assert_status(load(&d, text, "target=5"), CTUNE_EINVAL);
    ck_assert_str_eq(ctune_last_error(), "CSV buffer: line 1: target index 5 is out of range for "
                                         "5 columns (0..4, or -5..-1 from the end)");
    ck_assert_status(load(&d, "1,2\n3,4\n", "target=y"), CTUNE_EINVAL); /* names: header */
    ck_assert_str_eq(ctune_last_error(),
                     "CSV buffer: line 1: no target column named 'y'; columns: 1, 2");
    ck_assert_status(load(&d, "1,2\n3,4\n", "header=false, target=y"), CTUNE_EINVAL);
    ck_assert_error_has("target 'y' is a column name, but the file has no header row");
    ck_assert_status(load(&d, "1,2\n3,4\n", "header=false, features=b"), CTUNE_EINVAL);
    ck_assert_error_has("feature 'b' is a column name, but the file has no header row");
    ck_assert_status(load(&d, "1,2\n3,4\n", "features=7"), CTUNE_EINVAL);
    ck_assert_error_has("unknown feature column '7' (index out of range)");
    ck_assert_status(load(&d, "y\n1\n", NULL), CTUNE_EFORMAT);
    ck_assert_str_eq(ctune_last_error(),
                     "CSV buffer: line 1: no feature columns (the row has 1 field)");
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

START_TEST(test_dtype_float32)
{
    int64_t live = ctune_alloc_live();
    ctune_data *d64, *d32;
    const char *path = ctu_data_path("breast_cancer.csv");
    ck_assert_ok(ctune_csv_load(&d64, path, NULL));
    ck_assert_ok(ctune_csv_load(&d32, path, "dtype=float32"));
    ck_assert_int_eq(ctune_data_dtype(d32), CTUNE_FLOAT32);
    size_t n = ctune_data_n_rows(d64), m = ctune_data_n_cols(d64);
    ck_assert_uint_eq(n, 569);
    ck_assert_uint_eq(m, 30);
    double *x = malloc(n * m * sizeof *x);
    float *f = malloc(n * m * sizeof *f);
    ck_assert_ok(ctune_data_gather_f64(x, m, d64, NULL, n));
    ck_assert_ok(ctune_data_gather_f32(f, m, d32, NULL, n));
    for (size_t i = 0; i < n * m; i++) {
        float want = (float)x[i];
        ck_assert(memcmp(&want, &f[i], sizeof want) == 0);
    }
    for (size_t i = 0; i < n; i++)
        ck_assert(ctune_data_y(d64, i, 0) == ctune_data_y(d32, i, 0));
    /* the values equal strtod's (the test suite's own loader) */
    double *X, *y;
    size_t rn, rd;
    ck_assert_int_eq(ctu_load_csv(path, &X, &y, &rn, &rd), 0);
    ck_assert_uint_eq(rn, n);
    ck_assert_uint_eq(rd, m);
    ck_assert_int_eq(memcmp(X, x, n * m * sizeof *x), 0);
    for (size_t i = 0; i < n; i++)
        ck_assert(y[i] == ctune_data_y(d64, i, 0));
    free(X);
    free(y);
    free(x);
    free(f);
    ctune_data_free(d64);
    ctune_data_free(d32);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

/* ---- errors ------------------------------------------------------------ */

START_TEST(test_error_messages)
{
    int64_t live = ctune_alloc_live();
    ctune_data *d = (ctune_data *)1;
    /* "line 214, column 7" as in the documentation */
    size_t cap = 220 * 32;
    char *text = malloc(cap);
    size_t len = (size_t)snprintf(text, cap, "c1,c2,c3,c4,c5,c6,c7,y\n");
    for (int i = 2; i < 214; i++)
        len += (size_t)snprintf(text + len, cap - len, "%d,1,2,3,4,5,6,0\n", i);
    len += (size_t)snprintf(text + len, cap - len, "1,2,3,4,5,6,abc,1\n");
    ck_assert_status(ctune_csv_load_buffer(&d, text, len, NULL), CTUNE_EFORMAT);
    ck_assert_ptr_null(d);
    ck_assert_str_eq(ctune_last_error(), "CSV buffer: line 214, column 7: 'abc' is not a number");
    const char *path = tmp_file("bad.csv", text, len);
    ck_assert_status(ctune_csv_load(&d, path, NULL), CTUNE_EFORMAT);
    char want[256];
    snprintf(want, sizeof want, "%s: line 214, column 7: 'abc' is not a number", path);
    ck_assert_str_eq(ctune_last_error(), want);
    free(text);

    ck_assert_status(load(&d, "a,b,c\n1,2,3\n4,5\n", NULL), CTUNE_EFORMAT);
    ck_assert_str_eq(ctune_last_error(),
                     "CSV buffer: line 3, column 3: row has 2 fields, expected 3 (as on line 1)");
    ck_assert_status(load(&d, "a,b,c\n1,2,3\n4,5,6,7,8\n", NULL), CTUNE_EFORMAT);
    ck_assert_str_eq(ctune_last_error(),
                     "CSV buffer: line 3, column 4: row has 5 fields, expected 3 (as on line 1)");
    ck_assert_status(load(&d, "1,2,3\n4\n", NULL), CTUNE_EFORMAT);
    ck_assert_str_eq(ctune_last_error(),
                     "CSV buffer: line 2, column 2: row has 1 field, expected 3 (as on line 1)");
    ck_assert_status(load(&d, "a,b,c\n1,2,\n", NULL), CTUNE_EFORMAT);
    ck_assert_str_eq(ctune_last_error(), "CSV buffer: line 2, column 3: empty target field");
    ck_assert_status(load(&d, "a,b,c\n1,,3\n", NULL), CTUNE_EFORMAT);
    ck_assert_str_eq(ctune_last_error(),
                     "CSV buffer: line 2, column 2: empty field is not a number");
    ck_assert_ok(load(&d, "a,b,c\n1,,3\n", "missing=nan"));
    ck_assert(isnan(ctune_data_x(d, 0, 1)));
    ck_assert_status(ctune_data_validate(d), CTUNE_EDATA);
    ctune_data_free(d);
    ck_assert_status(
        load(&d, "a,b\n0.12345678901234567890123456789012345678901234567890x,1\n", NULL),
        CTUNE_EFORMAT);
    ck_assert_str_eq(ctune_last_error(),
                     "CSV buffer: line 2, column 1: '0.12345678901234567890123456789012345...' is "
                     "not a number");

    ck_assert_status(load(&d, "", NULL), CTUNE_EFORMAT);
    ck_assert_str_eq(ctune_last_error(), "CSV buffer: empty input (no header and no data; blank "
                                         "and comment lines only)");
    ck_assert_status(load(&d, "\n# only a comment\n\r\n", "comment=#"), CTUNE_EFORMAT);
    ck_assert_error_has("empty input");
    ck_assert_status(ctune_csv_load_buffer(&d, NULL, 0, NULL), CTUNE_EFORMAT);
    path = tmp_file("empty.csv", "", 0);
    ck_assert_status(ctune_csv_load(&d, path, NULL), CTUNE_EFORMAT);
    ck_assert_error_has(": empty input");
    ck_assert_status(load(&d, "a,b,c\n", NULL), CTUNE_EFORMAT);
    ck_assert_str_eq(ctune_last_error(), "CSV buffer: no data rows after the header on line 1");
    ck_assert_status(load(&d, "\n\na,b,c\n\n", NULL), CTUNE_EFORMAT);
    ck_assert_str_eq(ctune_last_error(), "CSV buffer: no data rows after the header on line 3");

    ck_assert_status(ctune_csv_load(&d, "/nonexistent/x.csv", NULL), CTUNE_EIO);
    ck_assert_error_has("cannot open CSV file '/nonexistent/x.csv'");
    ck_assert_status(ctune_csv_load(&d, "/tmp", NULL), CTUNE_EIO); /* a directory */
    ck_assert_error_has("cannot read '/tmp'");
    ck_assert_status(ctune_csv_load(NULL, "x", NULL), CTUNE_EINVAL);
    ck_assert_status(ctune_csv_load(&d, NULL, NULL), CTUNE_EINVAL);
    ck_assert_status(ctune_csv_load_buffer(&d, NULL, 3, NULL), CTUNE_EINVAL);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

START_TEST(test_bad_options)
{
    int64_t live = ctune_alloc_live();
    ctune_data *d;
    const char *t = "a,b\n1,2\n";
    ck_assert_status(load(&d, t, "sep=;"), CTUNE_EINVAL);
    ck_assert_error_has("CSV options:");
    ck_assert_status(load(&d, t, "separator=x"), CTUNE_EINVAL);
    ck_assert_str_eq(ctune_last_error(),
                     "CSV options: unknown option 'separator'; known: header, delimiter, target, "
                     "features, dtype, comment, labels, missing");
    ck_assert_status(load(&d, t, "header=maybe"), CTUNE_EINVAL);
    ck_assert_str_eq(ctune_last_error(),
                     "CSV options: header must be auto, true or false, got 'maybe'");
    ck_assert_status(load(&d, t, "dtype=float16"), CTUNE_EINVAL);
    ck_assert_str_eq(ctune_last_error(),
                     "CSV options: option 'dtype' = 'float16' is not one of float32|float64");
    ck_assert_status(load(&d, t, "delimiter=ab"), CTUNE_EINVAL);
    ck_assert_error_has("delimiter must be one character");
    ck_assert_status(load(&d, t, "delimiter='\"'"), CTUNE_EINVAL);
    ck_assert_status(load(&d, t, "comment=ab"), CTUNE_EINVAL);
    ck_assert_status(load(&d, t, "labels=words"), CTUNE_EINVAL);
    ck_assert_status(load(&d, t, "missing=zero"), CTUNE_EINVAL);
    ck_assert_status(load(&d, t, "features=a||b"), CTUNE_EINVAL);
    ck_assert_error_has("features has an empty name");
    ck_assert_status(load(&d, t, "delimiter=#, comment=#"), CTUNE_EINVAL);
    ck_assert_error_has("comment and delimiter are both '#'");
    ck_assert_status(load(&d, t, "dtype='float32"), CTUNE_EINVAL);
    ck_assert_error_has("unterminated quote");
    ck_assert_status(load(&d, t, "= 3"), CTUNE_EINVAL);
    ck_assert_ok(load(&d, "a#b\n1#2\n", "delimiter=#, comment=none"));
    ctune_data_free(d);
    ck_assert_ok(load(&d, t, ""));
    ctune_data_free(d);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

/* ---- streaming --------------------------------------------------------- */

/* A file of a few MiB: records straddle the 1 MiB buffer boundaries, with
 * CRLF, quotes and string labels. File and buffer loads must agree, and
 * agree with the values printed. */
START_TEST(test_large_file_across_buffers)
{
    int64_t live = ctune_alloc_live();
    ctune_rng *rng;
    ck_assert_ok(ctune_rng_new(&rng, ctu_seed(), 3));
    size_t rows = 40000, m = 8, cap = rows * 200 + 256;
    char *text = malloc(cap);
    double *vals = malloc(rows * m * sizeof *vals);
    size_t len = (size_t)snprintf(text, cap, "f0,f1,f2,f3,f4,f5,f6,f7,label\r\n");
    static const char *names[] = {"alpha", "\"beta, b\"", "gamma"};
    for (size_t i = 0; i < rows; i++) {
        for (size_t j = 0; j < m; j++) {
            double v = (ctune_rng_uniform(rng) - 0.5) * 1000;
            char num[40];
            snprintf(num, sizeof num, "%.*g", 1 + (int)(i % 15), v);
            vals[i * m + j] = strtod(num, NULL);
            len += (size_t)snprintf(text + len, cap - len, j % 3 == 1 ? "\"%s\"," : "%s,", num);
        }
        len += (size_t)snprintf(text + len, cap - len, "%s\r\n", names[i % 3]);
        if (i % 1000 == 7)
            len += (size_t)snprintf(text + len, cap - len, "# comment\r\n\r\n");
    }
    ck_assert_uint_gt(len, (size_t)3 << 20);
    const char *path = tmp_file("large.csv", text, len);
    ctune_data *a, *b;
    ck_assert_ok(ctune_csv_load(&a, path, "comment=#"));
    ck_assert_ok(ctune_csv_load_buffer(&b, text, len, "comment=#"));
    assert_same_data(a, b);
    ck_assert_uint_eq(ctune_data_n_rows(a), rows);
    double *x = malloc(rows * m * sizeof *x);
    ck_assert_ok(ctune_data_gather_f64(x, m, a, NULL, rows));
    ck_assert_int_eq(memcmp(x, vals, rows * m * sizeof *x), 0);
    ck_assert_uint_eq(ctune_data_n_class_names(a), 3);
    ck_assert_str_eq(ctune_data_class_name(a, 0), "alpha");
    ck_assert_str_eq(ctune_data_class_name(a, 1), "beta, b");
    for (size_t i = 0; i < rows; i++)
        ck_assert(ctune_data_y(a, i, 0) == (double)(i % 3));
    ctune_data_free(a);
    ctune_data_free(b);
    free(x);
    free(vals);
    free(text);
    ctune_rng_free(rng);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

/* Every cell equals strtod's value of its text, bit for bit, whichever
 * way the loader parsed it: short decimals (the short-decimal path), long
 * ones, exponents, integers, quoted and padded cells, and columns that
 * change format part-way (the loader stops trying the short path on a
 * column whose cells are not short decimals, and tries again later). */
START_TEST(test_numbers_equal_strtod)
{
    int64_t live = ctune_alloc_live();
    ctune_rng *rng;
    ck_assert_ok(ctune_rng_new(&rng, ctu_seed(), 4));
    size_t rows = 6000, m = 6, cap = rows * m * 40 + 64;
    char *text = malloc(cap);
    double *vals = malloc(rows * m * sizeof *vals);
    size_t len = (size_t)snprintf(text, cap, "a,b,c,d,e,f\n");
    for (size_t i = 0; i < rows; i++)
        for (size_t j = 0; j < m; j++) {
            double v = (ctune_rng_uniform(rng) - 0.3) *
                       pow(10, (double)ctune_rng_below(rng, 9) - 3);
            char num[48];
            int kind = (int)ctune_rng_below(rng, 5);
            if (j == 0)
                kind = 0;
            else if (j == 1)
                kind = i < rows / 2 ? 0 : 1;
            else if (j == 2)
                kind = (int)((i / 700) % 2);
            if (kind == 0)
                snprintf(num, sizeof num, "%.*f", (int)ctune_rng_below(rng, 10), v);
            else if (kind == 1)
                snprintf(num, sizeof num, "%.18e", v);
            else if (kind == 2)
                snprintf(num, sizeof num, "%.*g", 1 + (int)ctune_rng_below(rng, 17), v);
            else if (kind == 3)
                snprintf(num, sizeof num, "%+lld", (long long)(v * 1000));
            else
                snprintf(num, sizeof num, "%.3fe%d", v, (int)ctune_rng_below(rng, 40) - 20);
            vals[i * m + j] = strtod(num, NULL);
            const char *l = j == 5 && i % 5 == 0 ? "\"" : j == 4 && i % 7 == 0 ? " " : "";
            const char *r = j == 5 && i % 5 == 0 ? "\"" : j == 4 && i % 7 == 0 ? " " : "";
            len += (size_t)snprintf(text + len, cap - len, "%s%s%s", l, num, r);
            len += (size_t)snprintf(text + len, cap - len, j + 1 < m ? "," : "\n");
        }
    ctune_data *a, *b;
    const char *path = tmp_file("numbers.csv", text, len);
    ck_assert_ok(ctune_csv_load(&a, path, "target=none"));
    ck_assert_ok(ctune_csv_load_buffer(&b, text, len, "target=none"));
    assert_same_data(a, b);
    double *x = malloc(rows * m * sizeof *x);
    ck_assert_ok(ctune_data_gather_f64(x, m, a, NULL, rows));
    for (size_t k = 0; k < rows * m; k++)
        ck_assert_msg(memcmp(&x[k], &vals[k], sizeof *x) == 0,
                      "row %zu, column %zu: %.17g, strtod %.17g", k / m + 1, k % m, x[k], vals[k]);
    ctune_data_free(a);
    ctune_data_free(b);
    /* float32: strtod's double rounded to float */
    ck_assert_ok(ctune_csv_load_buffer(&a, text, len, "target=none,dtype=float32"));
    const void *X32;
    size_t stride;
    ck_assert_ok(ctune_data_rows(&X32, &stride, a));
    for (size_t k = 0; k < rows * m; k++)
        ck_assert(((const float *)X32)[k / m * stride + k % m] == (float)vals[k]);
    ctune_data_free(a);
    free(x);
    free(vals);
    free(text);
    ctune_rng_free(rng);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

/* The delimiter index of a row (ctune__csv_index) and the next
 * delimiter (ctune__csv_next_delim) against a byte-by-byte scan: rows of
 * every length around the 32-byte steps, delimiters in runs, at the ends
 * and nowhere, the readable bytes ending at the row's end or a little
 * after it (in a block of exactly that size, so that a sanitizer sees
 * any read past it), and the limit on the count. */
START_TEST(test_delimiter_index)
{
    ctune_rng *rng;
    ck_assert_ok(ctune_rng_new(&rng, ctu_seed(), 21));
    uint32_t pos[240], ref[240]; /* 199 + the 32 of scratch */
    for (int it = 0; it < 20000; it++) {
        size_t len = ctune_rng_below(rng, 4) ? ctune_rng_below(rng, 140) : ctune_rng_below(rng, 4);
        size_t extra = ctune_rng_below(rng, 3) ? 0 : ctune_rng_below(rng, 40);
        char *buf = malloc(len + extra + 1);
        const char delim = ctune_rng_below(rng, 2) ? ',' : '\t';
        unsigned density = 1 + (unsigned)ctune_rng_below(rng, 12);
        for (size_t i = 0; i < len + extra; i++)
            buf[i] = ctune_rng_below(rng, density) == 0 ? delim
                     : ctune_rng_below(rng, 5) == 0     ? (char)(ctune_rng_below(rng, 256))
                                                        : (char)('0' + ctune_rng_below(rng, 10));
        size_t n_ref = 0;
        for (size_t i = 0; i < len; i++)
            if (buf[i] == delim)
                ref[n_ref++] = (uint32_t)i;
        size_t max = ctune_rng_below(rng, 3) ? 199 : ctune_rng_below(rng, n_ref + 2);
        size_t n = ctune__csv_index(buf, buf + len, buf + len + extra, delim, pos, max);
#ifdef CTUNE__CSV_INDEX_POPCNT
        if (__builtin_cpu_supports("popcnt")) { /* the same with the instruction */
            uint32_t pos2[240];
            size_t n2 = ctune__csv_index_popcnt(buf, buf + len, buf + len + extra, delim, pos2,
                                                max);
            ck_assert_uint_eq(n2, n);
            ck_assert_int_eq(memcmp(pos2, pos, (n < max ? n : max) * sizeof *pos), 0);
        }
#endif
        /* the next delimiter from any start (the general loop's cell
         * ends): memchr's answer, or the end */
        for (size_t from = 0; from <= len; from += 1 + ctune_rng_below(rng, 8)) {
            const char *want = memchr(buf + from, delim, len - from);
            const char *got = ctune__csv_next_delim(buf + from, buf + len, buf + len + extra,
                                                    delim);
            ck_assert_ptr_eq(got, want ? want : buf + len);
        }
        if (n_ref > max) {
            ck_assert_uint_eq(n, max + 1);
            ck_assert_int_eq(memcmp(pos, ref, max * sizeof *pos), 0);
        } else {
            ck_assert_uint_eq(n, n_ref);
            ck_assert_int_eq(memcmp(pos, ref, n * sizeof *pos), 0);
        }
        free(buf);
    }
    ctune_rng_free(rng);
}
END_TEST

/* The rows the loader parses from their delimiter index: every cell
 * equals strtod's value of its text, in a buffer of exactly the input's
 * size (a sanitizer sees any read past it) and in a file, for features in
 * the columns' order or another, a target first, in the middle or last,
 * and both dtypes; rows that leave the indexed path part-way (an empty
 * cell with missing=nan, a padded or quoted cell, a text label) end in
 * the general loop, and rows with too few or too many cells are errors
 * that name their line. */
START_TEST(test_indexed_rows)
{
    int64_t live = ctune_alloc_live();
    ctune_rng *rng;
    ck_assert_ok(ctune_rng_new(&rng, ctu_seed(), 22));
    size_t rows = 3000, m = 7, cap = rows * m * 48 + 64;
    char *text = malloc(cap);
    double *vals = malloc(rows * m * sizeof *vals);
    static const char *fixed[] = {".5",
                                  "5.",
                                  "-.25",
                                  "+7",
                                  "-0",
                                  "0.000000000000001",
                                  "123456789012345",
                                  "1234567.12345678",
                                  "99999999.99999999",
                                  "1234567890123456",
                                  "1e5",
                                  "-2.5E-3",
                                  "0x1p3",
                                  "9007199254740993"};
    for (int pass = 0; pass < 2; pass++) { /* pass 1: empty, padded and quoted cells */
        size_t len = (size_t)snprintf(text, cap, "a,b,c,d,e,f,g\n");
        for (size_t i = 0; i < rows; i++)
            for (size_t j = 0; j < m; j++) {
                char num[48];
                int kind = (int)ctune_rng_below(rng, 4);
                double v = (ctune_rng_uniform(rng) - 0.4) *
                           pow(10, (double)ctune_rng_below(rng, 12) - 4);
                if (kind == 0)
                    snprintf(num, sizeof num, "%.*f", (int)ctune_rng_below(rng, 12), v);
                else if (kind == 1)
                    snprintf(num, sizeof num, "%.*g", 1 + (int)ctune_rng_below(rng, 17), v);
                else if (kind == 2)
                    snprintf(num, sizeof num, "%.18e", v);
                else
                    snprintf(num, sizeof num, "%s",
                             fixed[ctune_rng_below(rng, sizeof fixed / sizeof fixed[0])]);
                const char *l = "", *r = "";
                if (pass == 1 && ctune_rng_below(rng, 40) == 0 && strchr("bcef", 'a' + (int)j)) {
                    num[0] = '\0'; /* missing (not in a target column) */
                } else if (pass == 1 && ctune_rng_below(rng, 40) == 0) {
                    l = ctune_rng_below(rng, 2) ? "\"" : " ";
                    r = l;
                }
                vals[i * m + j] = num[0] ? strtod(num, NULL) : NAN;
                len += (size_t)snprintf(text + len, cap - len, "%s%s%s%s", l, num, r,
                                        j + 1 < m      ? ","
                                        : i + 1 < rows ? "\n"
                                                       : "");
            }
        /* exactly the input's size: the last cell ends at the block's end */
        char *exact = malloc(len);
        memcpy(exact, text, len);
        static const char *opts[] = {"target=none, missing=nan",
                                     "target=none, missing=nan, dtype=float32",
                                     "target=g, missing=nan",
                                     "target=a, missing=nan",
                                     "target=d, features=g|b|c|a, missing=nan",
                                     "target=none, features=a|b|c|f|e, missing=nan, dtype=float32"};
        for (size_t o = 0; o < sizeof opts / sizeof opts[0]; o++) {
            ctune_data *d;
            ck_assert_msg(ctune_csv_load_buffer(&d, exact, len, opts[o]) == CTUNE_OK, "%s: %s",
                          opts[o], ctune_last_error());
            ck_assert_uint_eq(ctune_data_n_rows(d), rows);
            size_t nf = ctune_data_n_cols(d);
            int f32 = ctune_data_dtype(d) == CTUNE_FLOAT32;
            for (size_t i = 0; i < rows; i++)
                for (size_t k = 0; k < nf; k++) {
                    const char *name = ctune_data_feature_name(d, k);
                    size_t j = (size_t)(name[0] - 'a');
                    double want = f32 ? (double)(float)vals[i * m + j] : vals[i * m + j];
                    double got = ctune_data_x(d, i, k);
                    ck_assert_msg(memcmp(&got, &want, sizeof got) == 0 ||
                                      (isnan(got) && isnan(want)),
                                  "%s: row %zu, column %c: %.17g, strtod %.17g", opts[o], i,
                                  name[0], got, want);
                }
            if (ctune_data_n_targets(d)) {
                const char *t = strstr(opts[o], "target=") + 7;
                size_t j = (size_t)(t[0] - 'a');
                for (size_t i = 0; i < rows; i++) {
                    double got = ctune_data_y(d, i, 0);
                    ck_assert(memcmp(&got, &vals[i * m + j], sizeof got) == 0 ||
                              (isnan(got) && isnan(vals[i * m + j])));
                }
            }
            ctune_data_free(d);
        }
        /* the same from a file (read through the loader's buffer) */
        ctune_data *a, *b;
        ck_assert_ok(ctune_csv_load(&a, tmp_file("indexed.csv", text, len), opts[4]));
        ck_assert_ok(ctune_csv_load_buffer(&b, exact, len, opts[4]));
        assert_same_data(a, b);
        ctune_data_free(a);
        ctune_data_free(b);
        free(exact);
    }
    /* a text label in the middle, a row with a cell too few or too many */
    ctune_data *d;
    ck_assert_ok(load(&d, "a,y,b\n1.5,cat,2.25\n-3.125,dog,4\n.5,cat,5.\n", "target=y"));
    ck_assert_double_eq(ctune_data_x(d, 2, 0), 0.5);
    ck_assert_double_eq(ctune_data_x(d, 2, 1), 5.0);
    ck_assert_double_eq(ctune_data_y(d, 1, 0), 1);
    ctune_data_free(d);
    ck_assert_int_eq(load(&d, "a,b,c\n1.5,2.5,3.5\n1.5,2.5\n", "target=none"), CTUNE_EFORMAT);
    ck_assert_ptr_nonnull(strstr(ctune_last_error(), "line 3"));
    ck_assert_int_eq(load(&d, "a,b,c\n1.5,2.5,3.5\n1.5,2.5,3.5,4.5\n", "target=none"),
                     CTUNE_EFORMAT);
    ck_assert_ptr_nonnull(strstr(ctune_last_error(), "line 3"));
    ck_assert_int_eq(load(&d, "a,b,c\n1.5,2.5,3.5\n1.5,2.5x,3.5\n", "target=none"), CTUNE_EFORMAT);
    ck_assert_ptr_nonnull(strstr(ctune_last_error(), "2.5x"));
    free(vals);
    free(text);
    ctune_rng_free(rng);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

/* The text of a number cell near the limits of the short-cell paths
 * (1 to 17 digits, the point anywhere, signs, an exponent), of another
 * form (%.17g, %.18e, hex, nan and inf spellings), or empty. */
static void number_text(ctune_rng *rng, char *out, size_t cap)
{
    static const char *spelled[] = {"nan",
                                    "NaN",
                                    "-nan",
                                    "NAN",
                                    "inf",
                                    "-inf",
                                    "+Inf",
                                    "INF",
                                    "Infinity",
                                    "-infinity",
                                    "0x1p3",
                                    "-0x1.8p-2",
                                    ".5",
                                    "5.",
                                    "-.25",
                                    "+7",
                                    "-0",
                                    "0",
                                    "1e5",
                                    "1E-5",
                                    "9007199254740993",
                                    "1234567.12345678",
                                    "12345678.1234567",
                                    "123456789012345",
                                    "1234567890123456"};
    int kind = (int)ctune_rng_below(rng, 12);
    double v = (ctune_rng_uniform(rng) - 0.4) * pow(10, (double)ctune_rng_below(rng, 14) - 6);
    if (kind < 6) {
        size_t n = 0, nd = 1 + ctune_rng_below(rng, 17), point = ctune_rng_below(rng, nd + 2);
        int sign = (int)ctune_rng_below(rng, 4);
        if (sign)
            out[n++] = sign == 2 ? '+' : '-';
        for (size_t i = 0; i < nd; i++) {
            if (i == point)
                out[n++] = '.';
            int k = (int)ctune_rng_below(rng, 6);
            out[n++] = k == 0 ? '0' : k == 1 ? '9' : (char)('0' + ctune_rng_below(rng, 10));
        }
        if (point == nd)
            out[n++] = '.';
        if (ctune_rng_below(rng, 8) == 0)
            n += (size_t)snprintf(out + n, cap - n, "e%d", (int)ctune_rng_below(rng, 60) - 30);
        out[n] = '\0';
    } else if (kind == 6) {
        snprintf(out, cap, "%s", spelled[ctune_rng_below(rng, sizeof spelled / sizeof *spelled)]);
    } else if (kind == 7) {
        snprintf(out, cap, "%.17g", v);
    } else if (kind == 8) {
        snprintf(out, cap, "%.18e", v);
    } else if (kind == 9) {
        out[0] = '\0';
    } else {
        snprintf(out, cap, "%.*f", (int)ctune_rng_below(rng, 9), v);
    }
}

/* Rows the general loop parses (a quoted cell anywhere in the row puts it
 * there) convert their number cells exactly as the rows parsed from their
 * delimiter index: the same rows, once plain and once with a quoted text
 * cell, CRLF endings, quoted and padded numbers, blank cells and trailing
 * delimiters (an empty last cell), give the same values, each strtod's
 * value of its text bit for bit (NaN: a NaN), in a buffer of exactly the
 * input's size (the last cells have fewer than the 17 bytes the short
 * paths read), in a file, and as float32. */
START_TEST(test_general_loop_numbers)
{
    int64_t live = ctune_alloc_live();
    ctune_rng *rng;
    ck_assert_ok(ctune_rng_new(&rng, ctu_seed(), 23));
    enum { ROWS = 4000, M = 7, T = 3 }; /* column T (named 't') holds text */
    size_t cap = (size_t)ROWS * M * 40 + 64;
    char *plain = malloc(cap), *mixed = malloc(cap);
    double *vals = malloc((size_t)ROWS * M * sizeof *vals);
    size_t lp = (size_t)snprintf(plain, cap, "a,b,c,t,e,f,g\n");
    size_t lm = (size_t)snprintf(mixed, cap, "a,b,c,t,e,f,g\r\n");
    for (size_t i = 0; i < ROWS; i++) {
        const char *eol = ctune_rng_below(rng, 2) ? "\r\n" : "\n";
        for (size_t j = 0; j < M; j++) {
            const char *sep = j + 1 < M ? "," : i + 1 < ROWS ? eol : "";
            const char *psep = j + 1 < M ? "," : i + 1 < ROWS ? "\n" : "";
            if (j == T) {
                lp += (size_t)snprintf(plain + lp, cap - lp, "xy%s", psep);
                lm += (size_t)snprintf(mixed + lm, cap - lm, "\"x,\"\"y\"\"\"%s", sep);
                continue;
            }
            char num[64];
            do /* column c is a target in one of the loads */
                number_text(rng, num, sizeof num);
            while (j == 2 && !num[0]);
            vals[i * M + j] = num[0] ? strtod(num, NULL) : NAN;
            const char *l = "", *r = "";
            int dress = (int)ctune_rng_below(rng, 12);
            if (dress == 0 && num[0]) {
                l = r = "\"";
            } else if (dress == 1) {
                l = " ";
                r = ctune_rng_below(rng, 2) ? " " : "";
            }
            lp += (size_t)snprintf(plain + lp, cap - lp, "%s%s", num, psep);
            lm += (size_t)snprintf(mixed + lm, cap - lm, "%s%s%s%s", l, num, r, sep);
        }
    }
    static const char *opts[] = {"target=none, features=a|b|c|e|f|g, missing=nan",
                                 "target=none, features=g|e|a|c|b|f, missing=nan, dtype=float32",
                                 "target=c, features=a|b|e|f|g, missing=nan, labels=numeric"};
    for (int which = 0; which < 2; which++) {
        const char *text = which ? mixed : plain;
        size_t len = which ? lm : lp;
        char *exact = malloc(len); /* exactly the input's size */
        memcpy(exact, text, len);
        for (size_t o = 0; o < sizeof opts / sizeof *opts; o++) {
            ctune_data *d;
            ck_assert_msg(ctune_csv_load_buffer(&d, exact, len, opts[o]) == CTUNE_OK, "%s: %s",
                          opts[o], ctune_last_error());
            ck_assert_uint_eq(ctune_data_n_rows(d), ROWS);
            int f32 = ctune_data_dtype(d) == CTUNE_FLOAT32;
            for (size_t i = 0; i < ROWS; i++)
                for (size_t k = 0; k < ctune_data_n_cols(d); k++) {
                    const char *name = ctune_data_feature_name(d, k);
                    size_t j = (size_t)(name[0] - 'a');
                    double want = f32 ? (double)(float)vals[i * M + j] : vals[i * M + j];
                    double got = ctune_data_x(d, i, k);
                    ck_assert_msg(memcmp(&got, &want, sizeof got) == 0 ||
                                      (isnan(got) && isnan(want)),
                                  "%s, %s rows: row %zu, column %c: %.17g, strtod %.17g", opts[o],
                                  which ? "quoted" : "plain", i, name[0], got, want);
                }
            for (size_t i = 0; ctune_data_n_targets(d) && i < ROWS; i++) {
                double got = ctune_data_y(d, i, 0), want = vals[i * M + 2];
                ck_assert_msg(memcmp(&got, &want, sizeof got) == 0 || (isnan(got) && isnan(want)),
                              "target, row %zu: %.17g, strtod %.17g", i, got, want);
            }
            ctune_data_free(d);
        }
        free(exact);
    }
    /* the same through a file, both ways */
    ctune_data *a, *b;
    ck_assert_ok(ctune_csv_load(&a, tmp_file("general.csv", mixed, lm), opts[0]));
    ck_assert_ok(ctune_csv_load_buffer(&b, plain, lp, opts[0]));
    assert_same_data(a, b);
    ctune_data_free(a);
    ctune_data_free(b);
    free(plain);
    free(mixed);
    free(vals);
    ctune_rng_free(rng);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

/* Quoted and irregular rows: their errors name the row and the column as
 * the plain rows' do, and their special spellings load as strtod's. */
START_TEST(test_general_loop_errors)
{
    int64_t live = ctune_alloc_live();
    static const struct {
        const char *text, *opts, *error;
    } bad[] = {
        {"a,b,c\n\"1\",2\n", NULL,
         "CSV buffer: line 2, column 3: row has 2 fields, expected 3 (as on line 1)"},
        {"a,b,c\r\n1,2,3\r\n\"1\",2,3,4\r\n", NULL,
         "CSV buffer: line 3, column 4: row has 4 fields, expected 3 (as on line 1)"},
        {"a,b,c\n1,\"2\",3,\n", NULL,
         "CSV buffer: line 2, column 4: row has 4 fields, expected 3 (as on line 1)"},
        {"a,b,c\n1,2,3,\n", NULL,
         "CSV buffer: line 2, column 4: row has 4 fields, expected 3 (as on line 1)"},
        {"a,b,c\n1.5,2.5\n", "target=none",
         "CSV buffer: line 2, column 3: row has 2 fields, expected 3 (as on line 1)"},
        {"a,b,c\n\"1\",2,x\n", "labels=numeric",
         "CSV buffer: line 2, column 3: 'x' is not a number (the target column was read as "
         "numeric from its first value; labels=string reads class names)"},
        {"a,b,c\r\n\"1\",2.5x,3\r\n", NULL, "CSV buffer: line 2, column 2: '2.5x' is not a number"},
        {"a,b,c\n\"1\",,3\n", NULL, "CSV buffer: line 2, column 2: empty field is not a number"},
        {"a,b,c\n\"1\", ,3\n", NULL, "CSV buffer: line 2, column 2: empty field is not a number"},
        {"a,b,c\n1,\"2\",\n", NULL, "CSV buffer: line 2, column 3: empty target field"},
        {"a,b,c\n\"1\",1234567.123456789x,3\n", NULL,
         "CSV buffer: line 2, column 2: '1234567.123456789x' is not a number"},
        {"a,b,c\n\"1\",1.5 2,3\n", NULL, "CSV buffer: line 2, column 2: '1.5 2' is not a number"},
        {"a,b,c\n\"1\",\"2\"5,3\n", NULL,
         "CSV buffer: line 2, column 2: unexpected character '5' after a closing quote"},
        {"a,b,c\n\"1\",-,3\n", NULL, "CSV buffer: line 2, column 2: '-' is not a number"},
        {"a,b,c\n\"1\",1e,3\n", NULL, "CSV buffer: line 2, column 2: '1e' is not a number"},
        {"a,b,c\n\"1\",nanx,3\n", NULL, "CSV buffer: line 2, column 2: 'nanx' is not a number"},
        {"a,b,c\n\"1\",2,3\n\"4\",5,1,2\n", "target=none",
         "CSV buffer: line 3, column 4: row has 4 fields, expected 3 (as on line 1)"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        ctune_data *d = (ctune_data *)1;
        size_t len = strlen(bad[i].text);
        char *exact = malloc(len);
        memcpy(exact, bad[i].text, len);
        ck_assert_int_eq(ctune_csv_load_buffer(&d, exact, len, bad[i].opts), CTUNE_EFORMAT);
        ck_assert_ptr_null(d);
        ck_assert_str_eq(ctune_last_error(), bad[i].error);
        free(exact);
    }
    /* blank cells and trailing delimiters with missing=nan; special
     * spellings; the last cell at the end of the input */
    static const char text[] = "a,b,c,d\r\n"
                               "\"1\",,nan,-Infinity\r\n"
                               " \"2\", , -inf ,\r\n"
                               "\"3\",NaN,+INF,1234567.12345678";
    ctune_data *d;
    ck_assert_ok(ctune_csv_load_buffer(&d, text, sizeof text - 1, "target=none, missing=nan"));
    ck_assert_uint_eq(ctune_data_n_rows(d), 3);
    ck_assert(ctune_data_x(d, 0, 0) == 1 && isnan(ctune_data_x(d, 0, 1)));
    ck_assert(isnan(ctune_data_x(d, 0, 2)) && ctune_data_x(d, 0, 3) == -INFINITY);
    ck_assert(ctune_data_x(d, 1, 0) == 2 && isnan(ctune_data_x(d, 1, 1)));
    ck_assert(ctune_data_x(d, 1, 2) == -INFINITY && isnan(ctune_data_x(d, 1, 3)));
    ck_assert(isnan(ctune_data_x(d, 2, 1)) && ctune_data_x(d, 2, 2) == INFINITY);
    double got = ctune_data_x(d, 2, 3), want = strtod("1234567.12345678", NULL);
    ck_assert(memcmp(&got, &want, sizeof got) == 0);
    ctune_data_free(d);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

/* A value beyond double's range loads as strtod gives it (+-inf, or 0
 * below the smallest subnormal); the data then fails validation, which
 * names the cell, so a fit or search on it stops with that error. */
START_TEST(test_number_overflow)
{
    int64_t live = ctune_alloc_live();
    const char *text = "a,b,y\n1.5,2,0\n-1e400,1e-400,1\n1e400,3,0\n";
    ctune_data *d;
    ck_assert_ok(load(&d, text, ""));
    ck_assert(ctune_data_x(d, 1, 0) == -INFINITY);
    ck_assert(ctune_data_x(d, 1, 1) == 0.0);
    ck_assert(ctune_data_x(d, 2, 0) == INFINITY);
    ck_assert_int_eq(ctune_data_validate(d), CTUNE_EDATA);
    ck_assert_ptr_nonnull(strstr(ctune_last_error(), "row 1"));
    ctune_data_free(d);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

/* A record longer than the 1 MiB read buffer (a long quoted label). */
START_TEST(test_record_longer_than_buffer)
{
    int64_t live = ctune_alloc_live();
    size_t big = (size_t)3 << 19; /* 1.5 MiB */
    size_t cap = big + 100;
    char *text = malloc(cap);
    size_t len = (size_t)snprintf(text, cap, "x,label\n1,\"");
    memset(text + len, 'q', big);
    len += big;
    len += (size_t)snprintf(text + len, cap - len, "\"\n2,short\n");
    const char *path = tmp_file("longrecord.csv", text, len);
    ctune_data *d;
    ck_assert_ok(ctune_csv_load(&d, path, NULL));
    ck_assert_uint_eq(ctune_data_n_rows(d), 2);
    ck_assert_uint_eq(strlen(ctune_data_class_name(d, 0)), big);
    ck_assert_str_eq(ctune_data_class_name(d, 1), "short");
    ck_assert_double_eq(ctune_data_x(d, 1, 0), 2);
    ctune_data_free(d);
    free(text);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

START_TEST(test_alloc_failure_sweeps)
{
    int64_t live = ctune_alloc_live();
    const char *text = "\"a\",b,c,label\n1,2,3,cat\n4,5,6,dog\n7,8,9,cat\n10,11,12,emu\n";
    const char *path = tmp_file("sweep.csv", text, strlen(text));
    for (int which = 0; which < 2; which++) {
        int done = 0;
        for (int k = 1; k < 400 && !done; k++) {
            ctune_data *d = NULL;
            ctune_alloc_fail_at(k, 0);
            ctune_status rc = which == 0 ? load(&d, text, "features=c|a, dtype=float32")
                                         : ctune_csv_load(&d, path, "features=c|a, dtype=float32");
            ctune_alloc_fail_at(0, 0);
            if (rc != CTUNE_OK) {
                ck_assert_int_eq(rc, CTUNE_ENOMEM);
                ck_assert_ptr_null(d);
            } else {
                ck_assert_uint_eq(ctune_data_n_rows(d), 4);
                ck_assert_str_eq(ctune_data_class_name(d, 1), "dog");
                ck_assert_str_eq(ctune_data_feature_name(d, 1), "a");
                ck_assert_double_eq(ctune_data_x(d, 3, 0), 12);
                done = 1;
            }
            ctune_data_free(d);
            ck_assert_int_eq(ctune_alloc_live(), live);
        }
        ck_assert_msg(done, "load never succeeded");
    }
}
END_TEST

/* Random damage to a CSV text: any status, never a crash or a leak. */
START_TEST(test_mutated_inputs)
{
    const char *base = "# c\n\"a,1\",b,\"c\"\"\",label\r\n1,2.5,-3e2,cat\r\n\"4\",5,6,\"dog\ny\"\n"
                       "7,8,9,cat\n\n10,11,12,emu\n";
    size_t n = strlen(base);
    char *t = malloc(n + 1);
    ctune_rng *rng;
    ck_assert_ok(ctune_rng_new(&rng, ctu_seed(), 5));
    int64_t live = ctune_alloc_live();
    static const char pool[] = ",\"\n\r#.-e0123456789 \tx";
    const char *opts[3] = {NULL, "labels=numeric, missing=nan", "header=false, target=0"};
    for (int it = 0; it < 20000; it++) {
        memcpy(t, base, n + 1);
        size_t len = n;
        int edits = 1 + (int)ctune_rng_below(rng, 4);
        for (int k = 0; k < edits; k++) {
            size_t at = (size_t)ctune_rng_below(rng, len);
            if (ctune_rng_below(rng, 4) == 0)
                len = at; /* cut */
            else
                t[at] = pool[ctune_rng_below(rng, sizeof pool - 1)];
        }
        char *exact = malloc(len ? len : 1); /* exact size: ASan sees an over-read */
        memcpy(exact, t, len);
        ctune_data *d = NULL;
        ctune_status rc = ctune_csv_load_buffer(&d, exact, len, opts[it % 3]);
        ck_assert_msg(rc == CTUNE_OK || rc == CTUNE_EFORMAT || rc == CTUNE_EINVAL, "status %d: %s",
                      rc, ctune_last_error());
        if (rc == CTUNE_OK)
            ck_assert_uint_gt(ctune_data_n_rows(d), 0);
        else
            ck_assert_ptr_null(d);
        ctune_data_free(d);
        free(exact);
        ck_assert_int_eq(ctune_alloc_live(), live);
    }
    ctune_rng_free(rng);
    free(t);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("io_csv");
    TCase *tc = tcase_create("csv");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_basic_header_and_values);
    tcase_add_test(tc, test_delimiters_and_spaces);
    tcase_add_test(tc, test_quotes);
    tcase_add_test(tc, test_crlf_comments_blank_bom);
    tcase_add_test(tc, test_header_rules_and_duplicates);
    tcase_add_test(tc, test_labels);
    tcase_add_test(tc, test_target_and_features);
    tcase_add_test(tc, test_dtype_float32);
    tcase_add_test(tc, test_error_messages);
    tcase_add_test(tc, test_bad_options);
    tcase_add_test(tc, test_large_file_across_buffers);
    tcase_add_test(tc, test_record_longer_than_buffer);
    tcase_add_test(tc, test_numbers_equal_strtod);
    tcase_add_test(tc, test_delimiter_index);
    tcase_add_test(tc, test_indexed_rows);
    tcase_add_test(tc, test_general_loop_numbers);
    tcase_add_test(tc, test_general_loop_errors);
    tcase_add_test(tc, test_number_overflow);
    tcase_add_test(tc, test_alloc_failure_sweeps);
    tcase_add_test(tc, test_mutated_inputs);
    suite_add_tcase(s, tc);
    return ctu_run_suite(s);
}
