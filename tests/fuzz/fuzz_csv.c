/* Fuzz target: the CSV loader (ctune_csv_load_buffer). The first byte picks
 * the options, the rest is the CSV text. Checks: a known status with a
 * message; on success a consistent view (rows, columns, names, gathers
 * within bounds); nothing leaks. */
#include <math.h>

#include "fuzz.h"

static const char *const OPTIONS[] = {
    NULL,
    "header=true",
    "header=false, target=none",
    "labels=string",
    "missing=nan, dtype=float32",
    "delimiter=semicolon, comment=none",
    "target=0, features=1|2",
    "header=true, target=label, labels=string, missing=nan",
    "delimiter=tab, header=auto, labels=numeric",
    "target=-2, dtype=float32, comment=%",
    "features=b|a, target=c",
    "header=false, target=1, features=0",
};
#define N_OPTIONS (sizeof OPTIONS / sizeof OPTIONS[0])

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const char *opts = OPTIONS[data[0] % N_OPTIONS];
    int64_t live = ctune_alloc_live();
    ctune_data *d = (ctune_data *)1;
    ctune_status rc = ctune_csv_load_buffer(&d, (const char *)data + 1, size - 1, opts);
    fuzz_status_ok(rc);
    if (rc != CTUNE_OK) {
        FUZZ_ASSERT(d == NULL);
        FUZZ_ASSERT(rc == CTUNE_EFORMAT || rc == CTUNE_EINVAL || rc == CTUNE_ENOMEM);
    } else {
        size_t n = ctune_data_n_rows(d), m = ctune_data_n_cols(d), t = ctune_data_n_targets(d);
        FUZZ_ASSERT(n > 0 && m > 0 && t <= 1);
        FUZZ_ASSERT(n <= size); /* at least one byte per row */
        /* NaN comes from missing=nan or from "nan" text (strtod's syntax) */
        int may_nan = (opts && strstr(opts, "missing=nan")) || memchr(data, 'n', size) ||
                      memchr(data, 'N', size);
        double x = 0;
        for (size_t i = 0; i < n; i++) {
            for (size_t j = 0; j < m; j++) {
                x = ctune_data_x(d, i, j);
                FUZZ_ASSERT(may_nan || !isnan(x));
            }
            if (t)
                FUZZ_ASSERT(may_nan || !isnan(ctune_data_y(d, i, 0)));
        }
        for (size_t j = 0; j < m; j++) {
            const char *name = ctune_data_feature_name(d, j);
            if (name)
                FUZZ_ASSERT(strlen(name) <= size);
        }
        size_t k = ctune_data_n_class_names(d);
        for (size_t c = 0; c < k; c++) {
            const char *name = ctune_data_class_name(d, c);
            FUZZ_ASSERT(name != NULL);
        }
        FUZZ_ASSERT(ctune_data_class_name(d, k) == NULL);
        /* the last row through a gather and a subset view */
        double *row = malloc(m * sizeof *row);
        FUZZ_ASSERT(row != NULL);
        size_t last = n - 1;
        FUZZ_ASSERT(ctune_data_gather_f64(row, m, d, &last, 1) == CTUNE_OK);
        ctune_data *s;
        FUZZ_ASSERT(ctune_data_subset(&s, d, &last, 1) == CTUNE_OK);
        ctune_data_free(d);
        FUZZ_ASSERT(ctune_data_x(s, 0, m - 1) == row[m - 1] || isnan(row[m - 1]));
        ctune_data_free(s);
        free(row);
        (void)x;
    }
    FUZZ_ASSERT(ctune_alloc_live() == live);
    return 0;
}
