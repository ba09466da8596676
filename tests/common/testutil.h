/* Helpers shared by the Check suites. */
#ifndef CTUNE_TESTUTIL_H
#define CTUNE_TESTUTIL_H

#include <check.h>
#include <stddef.h>

#include "ctune.h"
#include "ctune_testing.h"

/* Asserts a status, printing ctune_last_error() on mismatch. */
#define ck_assert_status(expr, expected)                                                        \
    do {                                                                                        \
        ctune_status st__ = (expr);                                                             \
        ck_assert_msg(st__ == (expected), "%s returned %d (%s), expected %d; error: %s", #expr, \
                      st__, ctune_status_string(st__), (int)(expected), ctune_last_error());    \
    } while (0)
#define ck_assert_ok(expr) ck_assert_status(expr, CTUNE_OK)
/* Asserts that a call following the buffer rule (a length, or a negative
 * status) succeeded; gives the length as a size_t. */
#define ck_assert_len(expr) ctu_len_ok((expr), #expr)
size_t ctu_len_ok(long n, const char *what);

/* Asserts that ctune_last_error() contains `needle`. */
#define ck_assert_error_has(needle)                             \
    ck_assert_msg(strstr(ctune_last_error(), (needle)) != NULL, \
                  "error message '%s' does not contain '%s'", ctune_last_error(), (needle))

/* Runs a suite in fork mode and returns the process exit status. */
int ctu_run_suite(Suite *s);

/* Path of a file in tests/data (CTUNE_TEST_DATA), in a static buffer. */
const char *ctu_data_path(const char *name);

/* Seed for randomized tests: CTUNE_TEST_SEED or a fixed default; printed
 * by the runner so a failure can be replayed. */
unsigned long ctu_seed(void);

/* Loads a numeric CSV with a header and the label in the last column into
 * malloc'd arrays (test-only loader, independent of the library's). Returns
 * 0 on success. */
int ctu_load_csv(const char *path, double **X, double **y, size_t *n, size_t *d);

/* Standardizes the columns of X (n × d) in place. */
void ctu_standardize(double *X, size_t n, size_t d);

#endif
