#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ctu_run_suite(Suite *s)
{
    SRunner *sr = srunner_create(s);
    fprintf(stderr, "test seed: %lu (set CTUNE_TEST_SEED to replay)\n", ctu_seed());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}

const char *ctu_data_path(const char *name)
{
    static char buf[4096];
    const char *dir = getenv("CTUNE_TEST_DATA");
    snprintf(buf, sizeof buf, "%s/%s", dir ? dir : "tests/data", name);
    return buf;
}

unsigned long ctu_seed(void)
{
    const char *s = getenv("CTUNE_TEST_SEED");
    return s ? strtoul(s, NULL, 10) : 20261126UL;
}

int ctu_load_csv(const char *path, double **Xo, double **yo, size_t *no, size_t *do_)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    size_t d = 0, n = 0, rows_cap = 0;
    double *X = NULL, *y = NULL;
    int header = 1;
    while ((len = getline(&line, &cap, f)) > 0) {
        if (header) {
            for (char *c = line; *c; c++)
                d += *c == ',';
            header = 0;
            continue;
        }
        if (n == rows_cap) {
            rows_cap = rows_cap ? rows_cap * 2 : 256;
            X = realloc(X, rows_cap * d * sizeof *X);
            y = realloc(y, rows_cap * sizeof *y);
        }
        char *p = line;
        for (size_t j = 0; j <= d; j++) {
            double v = strtod(p, &p);
            if (j < d)
                X[n * d + j] = v;
            else
                y[n] = v;
            if (*p == ',')
                p++;
        }
        n++;
    }
    free(line);
    fclose(f);
    *Xo = X;
    *yo = y;
    *no = n;
    *do_ = d;
    return 0;
}

void ctu_standardize(double *X, size_t n, size_t d)
{
    for (size_t j = 0; j < d; j++) {
        double m = 0, s = 0;
        for (size_t i = 0; i < n; i++)
            m += X[i * d + j];
        m /= (double)n;
        for (size_t i = 0; i < n; i++)
            s += (X[i * d + j] - m) * (X[i * d + j] - m);
        s = sqrt(s / (double)n);
        if (s == 0)
            s = 1;
        for (size_t i = 0; i < n; i++)
            X[i * d + j] = (X[i * d + j] - m) / s;
    }
}

size_t ctu_len_ok(long n, const char *what)
{
    ck_assert_msg(n >= 0, "%s returned %ld (%s); error: %s", what, n,
                  ctune_status_string((ctune_status)n), ctune_last_error());
    return (size_t)n;
}
