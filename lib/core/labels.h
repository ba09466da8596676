/* Class labels: sorting doubles, distinct sorted values, a label's code. */
#ifndef CTUNE_CORE_LABELS_H
#define CTUNE_CORE_LABELS_H

#include <stddef.h>

/* qsort comparator for doubles (ascending; no NaN expected). */
int ctune__cmp_double(const void *a, const void *b);
/* Sorts v[0..n) and keeps its distinct values in front; returns their count. */
size_t ctune__sort_unique(double *v, size_t n);
/* Index of `label` in sorted, distinct labels[0..k), or -1 when absent. */
long ctune__label_code(const double *labels, size_t k, double label);

#endif
