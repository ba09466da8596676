#include "core/labels.h"

#include <stdlib.h>

int ctune__cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Few distinct values (class labels): one pass inserting into a small
 * sorted set instead of sorting all n. Returns 0 when there are more than
 * `cap` distinct values (nothing of v changed). */
static size_t few_unique(double *v, size_t n, double *set, size_t cap)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        double x = v[i];
        size_t lo = 0, hi = k;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (set[mid] < x)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < k && set[lo] == x)
            continue;
        if (k == cap)
            return 0;
        for (size_t j = k; j > lo; j--)
            set[j] = set[j - 1];
        set[lo] = x;
        k++;
    }
    for (size_t j = 0; j < k; j++)
        v[j] = set[j];
    return k;
}

size_t ctune__sort_unique(double *v, size_t n)
{
    double set[64];
    /* NaN never compares equal: leave such input to qsort's order */
    int has_nan = 0;
    for (size_t i = 0; i < n && !has_nan; i++)
        has_nan = v[i] != v[i];
    size_t k0 = has_nan || n == 0 ? 0 : few_unique(v, n, set, sizeof set / sizeof set[0]);
    if (k0)
        return k0;
    qsort(v, n, sizeof *v, ctune__cmp_double);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (k == 0 || v[i] != v[k - 1])
            v[k++] = v[i];
    return k;
}

long ctune__label_code(const double *labels, size_t k, double label)
{
    size_t lo = 0, hi = k;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (labels[mid] < label)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < k && labels[lo] == label ? (long)lo : -1;
}
