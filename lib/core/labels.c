#include "core/labels.h"

#include <stdlib.h>

int ctune__cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

size_t ctune__sort_unique(double *v, size_t n)
{
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
