/* Metrics on plain arrays and the scorers built on them. */
#include <math.h>

#include "core/alloc.h"
#include "core/error.h"

ctune_status ctune_metric_accuracy(const double *y_true, const double *y_pred, size_t n, double *out)
{
    CTUNE_CHECK_NULL(y_true, "y_true");
    CTUNE_CHECK_NULL(y_pred, "y_pred");
    CTUNE_CHECK_NULL(out, "out");
    if (n == 0)
        return ctune_set_error(CTUNE_EINVAL, "accuracy of 0 samples is undefined");
    size_t hit = 0;
    for (size_t i = 0; i < n; i++)
        hit += y_true[i] == y_pred[i];
    *out = (double)hit / (double)n;
    return CTUNE_OK;
}

ctune_status ctune_metric_r2(const double *y_true, const double *y_pred, size_t n, size_t t,
                             double *out)
{
    CTUNE_CHECK_NULL(y_true, "y_true");
    CTUNE_CHECK_NULL(y_pred, "y_pred");
    CTUNE_CHECK_NULL(out, "out");
    if (n == 0 || t == 0)
        return ctune_set_error(CTUNE_EINVAL, "R² of %zu samples × %zu targets is undefined", n, t);
    double total = 0.0;
    for (size_t k = 0; k < t; k++) {
        double mean = 0.0;
        for (size_t i = 0; i < n; i++)
            mean += y_true[i * t + k];
        mean /= (double)n;
        double ss_res = 0.0, ss_tot = 0.0;
        for (size_t i = 0; i < n; i++) {
            double r = y_true[i * t + k] - y_pred[i * t + k];
            double d = y_true[i * t + k] - mean;
            ss_res += r * r;
            ss_tot += d * d;
        }
        if (ss_tot == 0.0)
            total += ss_res == 0.0 ? 1.0 : 0.0;
        else
            total += 1.0 - ss_res / ss_tot;
    }
    *out = total / (double)t;
    return CTUNE_OK;
}
