/* Metrics on plain arrays (scikit-learn's definitions): classification
 * metrics on label arrays, log loss and ROC AUC on probabilities / scores,
 * regression metrics on n × n_targets arrays. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/labels.h"

/* scikit-learn's historical clipping of probabilities in log_loss. */
#define LOG_LOSS_EPS 1e-15

static ctune_status check_finite(const double *a, size_t n, const char *what)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(a[i]))
            return ctune_set_error(CTUNE_EDATA, "%s row %zu is %s", what, i,
                                   isnan(a[i]) ? "NaN"
                                   : a[i] > 0  ? "+Inf"
                                               : "-Inf");
    return CTUNE_OK;
}

static ctune_status check_finite2(const double *a, size_t n, size_t t, const char *what)
{
    if (t == 1)
        return check_finite(a, n, what);
    for (size_t i = 0; i < n * t; i++)
        if (!isfinite(a[i]))
            return ctune_set_error(CTUNE_EDATA, "%s row %zu, target %zu is %s", what, i / t, i % t,
                                   isnan(a[i]) ? "NaN"
                                   : a[i] > 0  ? "+Inf"
                                               : "-Inf");
    return CTUNE_OK;
}

/* Common checks of a (y_true, y_pred) label pair. */
static ctune_status check_labels(const double *y_true, const double *y_pred, size_t n,
                                 const double *out, const char *metric)
{
    CTUNE_CHECK_NULL(y_true, "y_true");
    CTUNE_CHECK_NULL(y_pred, "y_pred");
    CTUNE_CHECK_NULL(out, "out");
    if (n == 0)
        return ctune_set_error(CTUNE_EINVAL, "%s of 0 samples is undefined", metric);
    CTUNE_TRY(check_finite(y_true, n, "y_true"));
    return check_finite(y_pred, n, "y_pred");
}

/* Sorted distinct values of a[0..na) ∪ b[0..nb) (b may be NULL) into *out
 * (allocated; the caller frees it). */
static ctune_status sorted_labels(const double *a, size_t na, const double *b, size_t nb,
                                  double **out, size_t *k)
{
    size_t n = na + (b ? nb : 0);
    double *buf = CTUNE_NEW_ARRAY(double, n ? n : 1);
    if (!buf)
        return CTUNE_ENOMEM;
    memcpy(buf, a, na * sizeof *buf);
    if (b)
        memcpy(buf + na, b, nb * sizeof *buf);
    *out = buf;
    *k = ctune__sort_unique(buf, n);
    return CTUNE_OK;
}

ctune_status ctune_metric_accuracy(double *out, const double *y_true, const double *y_pred,
                                   size_t n)
{
    CTUNE_TRY(check_labels(y_true, y_pred, n, out, "accuracy"));
    size_t hit = 0;
    for (size_t i = 0; i < n; i++)
        hit += y_true[i] == y_pred[i];
    *out = (double)hit / (double)n;
    return CTUNE_OK;
}

ctune_status ctune_metric_balanced_accuracy(double *out, const double *y_true, const double *y_pred,
                                            size_t n)
{
    CTUNE_TRY(check_labels(y_true, y_pred, n, out, "balanced accuracy"));
    double *labels;
    size_t k;
    CTUNE_TRY(sorted_labels(y_true, n, NULL, 0, &labels, &k));
    size_t *count = ctune__calloc(2 * k, sizeof *count);
    if (!count) {
        ctune__free(labels);
        return CTUNE_ENOMEM;
    }
    size_t *hit = count + k;
    for (size_t i = 0; i < n; i++) {
        size_t c = (size_t)ctune__label_code(labels, k, y_true[i]);
        count[c]++;
        hit[c] += y_pred[i] == y_true[i];
    }
    /* mean recall over the classes present in y_true */
    double sum = 0.0;
    for (size_t c = 0; c < k; c++)
        sum += (double)hit[c] / (double)count[c];
    *out = sum / (double)k;
    ctune__free(count);
    ctune__free(labels);
    return CTUNE_OK;
}

ctune_status ctune_metric_log_loss(double *out, const double *y_true, const double *proba, size_t n,
                                   size_t k)
{
    CTUNE_CHECK_NULL(y_true, "y_true");
    CTUNE_CHECK_NULL(proba, "proba");
    CTUNE_CHECK_NULL(out, "out");
    if (n == 0 || k == 0)
        return ctune_set_error(CTUNE_EINVAL, "log loss of %zu samples × %zu classes is undefined",
                               n, k);
    for (size_t i = 0; i < n; i++) {
        double c = y_true[i];
        if (!(c >= 0 && c < (double)k && c == floor(c)))
            return ctune_set_error(CTUNE_EDATA,
                                   "y_true row %zu is %g: log loss needs class codes 0..%zu", i, c,
                                   k - 1);
    }
    CTUNE_TRY(check_finite2(proba, n, k, "proba"));
    double total = 0.0;
    for (size_t i = 0; i < n; i++) {
        const double *p = proba + i * k;
        double s = 0.0, mine = 0.0;
        for (size_t c = 0; c < k; c++) {
            double v = fmin(fmax(p[c], LOG_LOSS_EPS), 1 - LOG_LOSS_EPS);
            s += v;
            if (c == (size_t)y_true[i])
                mine = v;
        }
        total -= log(mine / s);
    }
    *out = total / (double)n;
    return CTUNE_OK;
}

/* tp, fp, fn of `label` (as the positive class). */
static void count_label(const double *y_true, const double *y_pred, size_t n, double label,
                        size_t *tp, size_t *fp, size_t *fn)
{
    *tp = *fp = *fn = 0;
    for (size_t i = 0; i < n; i++) {
        int t = y_true[i] == label, p = y_pred[i] == label;
        *tp += t && p;
        *fp += !t && p;
        *fn += t && !p;
    }
}

typedef enum { M_PRECISION, M_RECALL, M_F1 } prf_kind;

static double prf_value(prf_kind m, size_t tp, size_t fp, size_t fn)
{
    /* scikit-learn's zero_division: an undefined ratio counts as 0 */
    size_t den = m == M_PRECISION ? tp + fp : m == M_RECALL ? tp + fn : 2 * tp + fp + fn;
    size_t num = m == M_F1 ? 2 * tp : tp;
    return den ? (double)num / (double)den : 0.0;
}

static ctune_status prf(const double *y_true, const double *y_pred, size_t n, int average,
                        double pos_label, double *out, prf_kind m)
{
    static const char *const names[] = {"precision", "recall", "F1"};
    CTUNE_TRY(check_labels(y_true, y_pred, n, out, names[m]));
    if (average != CTUNE_AVERAGE_BINARY && average != CTUNE_AVERAGE_MACRO)
        return ctune_set_error(CTUNE_EINVAL,
                               "%s: average %d is neither CTUNE_AVERAGE_BINARY (1) nor "
                               "CTUNE_AVERAGE_MACRO (2)",
                               names[m], average);
    double *labels;
    size_t k;
    CTUNE_TRY(sorted_labels(y_true, n, y_pred, n, &labels, &k));
    ctune_status rc = CTUNE_OK;
    size_t tp, fp, fn;
    if (average == CTUNE_AVERAGE_BINARY) {
        int present = 0;
        for (size_t c = 0; c < k; c++)
            present |= labels[c] == pos_label;
        if (!isfinite(pos_label))
            rc = ctune_set_error(CTUNE_EINVAL, "%s: pos_label is not finite", names[m]);
        else if (k > 2)
            rc = ctune_set_error(CTUNE_EINVAL,
                                 "%s: the labels hold %zu classes, and average binary needs at "
                                 "most 2 (use macro)",
                                 names[m], k);
        else if (!present && k == 2)
            rc = ctune_set_error(CTUNE_EINVAL,
                                 "%s: pos_label=%g is not a valid label; labels: %g, %g", names[m],
                                 pos_label, labels[0], labels[1]);
        else {
            count_label(y_true, y_pred, n, pos_label, &tp, &fp, &fn);
            *out = prf_value(m, tp, fp, fn);
        }
    } else {
        double sum = 0.0;
        for (size_t c = 0; c < k; c++) {
            count_label(y_true, y_pred, n, labels[c], &tp, &fp, &fn);
            sum += prf_value(m, tp, fp, fn);
        }
        *out = sum / (double)k;
    }
    ctune__free(labels);
    return rc;
}

ctune_status ctune_metric_precision(double *out, const double *y_true, const double *y_pred,
                                    size_t n, int average, double pos_label)
{
    return prf(y_true, y_pred, n, average, pos_label, out, M_PRECISION);
}

ctune_status ctune_metric_recall(double *out, const double *y_true, const double *y_pred, size_t n,
                                 int average, double pos_label)
{
    return prf(y_true, y_pred, n, average, pos_label, out, M_RECALL);
}

ctune_status ctune_metric_f1(double *out, const double *y_true, const double *y_pred, size_t n,
                             int average, double pos_label)
{
    return prf(y_true, y_pred, n, average, pos_label, out, M_F1);
}

typedef struct scored {
    double score;
    int pos;
} scored;

static int cmp_scored_desc(const void *a, const void *b)
{
    double x = ((const scored *)a)->score, y = ((const scored *)b)->score;
    return (x < y) - (x > y);
}

ctune_status ctune_metric_roc_auc(double *out, const double *y_true, const double *y_score,
                                  size_t n, double pos_label)
{
    CTUNE_CHECK_NULL(y_true, "y_true");
    CTUNE_CHECK_NULL(y_score, "y_score");
    CTUNE_CHECK_NULL(out, "out");
    if (n == 0)
        return ctune_set_error(CTUNE_EINVAL, "ROC AUC of 0 samples is undefined");
    CTUNE_TRY(check_finite(y_true, n, "y_true"));
    CTUNE_TRY(check_finite(y_score, n, "y_score"));
    if (!isfinite(pos_label))
        return ctune_set_error(CTUNE_EINVAL, "ROC AUC: pos_label is not finite");
    /* y_true must be binary: at most two distinct labels, one of them pos_label */
    double other = NAN;
    size_t n_pos = 0;
    for (size_t i = 0; i < n; i++) {
        if (y_true[i] == pos_label) {
            n_pos++;
        } else if (isnan(other)) {
            other = y_true[i];
        } else if (y_true[i] != other) {
            return ctune_set_error(CTUNE_EINVAL,
                                   "ROC AUC: y_true row %zu is %g, a third label besides "
                                   "pos_label=%g and %g; only binary ROC AUC is supported",
                                   i, y_true[i], pos_label, other);
        }
    }
    if (n_pos == 0 || n_pos == n)
        return ctune_set_error(CTUNE_EINVAL,
                               "ROC AUC: only one class present in y_true (%s pos_label=%g); "
                               "it is undefined then",
                               n_pos ? "all samples are" : "no sample is", pos_label);
    scored *s = CTUNE_NEW_ARRAY(scored, n);
    if (!s)
        return CTUNE_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        s[i].score = y_score[i];
        s[i].pos = y_true[i] == pos_label;
    }
    qsort(s, n, sizeof *s, cmp_scored_desc);
    /* Walk the distinct thresholds from high to low; each step of the ROC
     * curve goes from (fp0, tp0) to (fp, tp) and adds a trapezoid, so tied
     * scores count half (scikit-learn's roc_curve + auc). */
    double tp = 0, fp = 0, area = 0;
    for (size_t i = 0; i < n;) {
        double tp0 = tp, fp0 = fp;
        size_t j = i;
        for (; j < n && s[j].score == s[i].score; j++) {
            tp += s[j].pos;
            fp += !s[j].pos;
        }
        area += (fp - fp0) * (tp + tp0) / 2.0;
        i = j;
    }
    ctune__free(s);
    *out = area / (tp * fp);
    return CTUNE_OK;
}

typedef enum { R_MSE, R_MAE, R_RMSE } reg_kind;

static ctune_status regression_metric(const double *y_true, const double *y_pred, size_t n,
                                      size_t t, double *out, reg_kind m)
{
    static const char *const names[] = {"mean squared error", "mean absolute error",
                                        "root mean squared error"};
    CTUNE_CHECK_NULL(y_true, "y_true");
    CTUNE_CHECK_NULL(y_pred, "y_pred");
    CTUNE_CHECK_NULL(out, "out");
    if (n == 0 || t == 0)
        return ctune_set_error(CTUNE_EINVAL, "%s of %zu samples × %zu targets is undefined",
                               names[m], n, t);
    CTUNE_TRY(check_finite2(y_true, n, t, "y_true"));
    CTUNE_TRY(check_finite2(y_pred, n, t, "y_pred"));
    double total = 0.0;
    for (size_t k = 0; k < t; k++) {
        double acc = 0.0;
        for (size_t i = 0; i < n; i++) {
            double r = y_true[i * t + k] - y_pred[i * t + k];
            acc += m == R_MAE ? fabs(r) : r * r;
        }
        acc /= (double)n;
        total += m == R_RMSE ? sqrt(acc) : acc;
    }
    *out = total / (double)t;
    return CTUNE_OK;
}

ctune_status ctune_metric_mse(double *out, const double *y_true, const double *y_pred, size_t n,
                              size_t t)
{
    return regression_metric(y_true, y_pred, n, t, out, R_MSE);
}

ctune_status ctune_metric_mae(double *out, const double *y_true, const double *y_pred, size_t n,
                              size_t t)
{
    return regression_metric(y_true, y_pred, n, t, out, R_MAE);
}

ctune_status ctune_metric_rmse(double *out, const double *y_true, const double *y_pred, size_t n,
                               size_t t)
{
    return regression_metric(y_true, y_pred, n, t, out, R_RMSE);
}

/* Residual and total sums of squares of one column (stride t) of values
 * multiplied by `scale`. */
static void r2_sums(const double *yt, const double *yp, size_t n, size_t t, double scale,
                    double *ss_res, double *ss_tot)
{
    double mean = 0.0;
    for (size_t i = 0; i < n; i++)
        mean += yt[i * t] * scale;
    mean /= (double)n;
    double res = 0.0, tot = 0.0;
    for (size_t i = 0; i < n; i++) {
        double r = yt[i * t] * scale - yp[i * t] * scale;
        double d = yt[i * t] * scale - mean;
        res += r * r;
        tot += d * d;
    }
    *ss_res = res;
    *ss_tot = tot;
}

ctune_status ctune_metric_r2(double *out, const double *y_true, const double *y_pred, size_t n,
                             size_t t)
{
    CTUNE_CHECK_NULL(y_true, "y_true");
    CTUNE_CHECK_NULL(y_pred, "y_pred");
    CTUNE_CHECK_NULL(out, "out");
    if (n == 0 || t == 0)
        return ctune_set_error(CTUNE_EINVAL, "R² of %zu samples × %zu targets is undefined", n, t);
    CTUNE_TRY(check_finite2(y_true, n, t, "y_true"));
    CTUNE_TRY(check_finite2(y_pred, n, t, "y_pred"));
    double total = 0.0;
    for (size_t k = 0; k < t; k++) {
        double ss_res, ss_tot;
        r2_sums(y_true + k, y_pred + k, n, t, 1.0, &ss_res, &ss_tot);
        if (!isfinite(ss_res) || !isfinite(ss_tot)) {
            /* huge values overflow the sums of squares: redo them on the
             * values divided by the column's largest magnitude (the ratio
             * is the same) */
            double s = 0.0;
            for (size_t i = 0; i < n; i++) {
                s = fmax(s, fabs(y_true[i * t + k]));
                s = fmax(s, fabs(y_pred[i * t + k]));
            }
            r2_sums(y_true + k, y_pred + k, n, t, 1.0 / s, &ss_res, &ss_tot);
        }
        if (ss_tot == 0.0)
            total += ss_res == 0.0 ? 1.0 : 0.0;
        else
            total += 1.0 - ss_res / ss_tot;
    }
    *out = total / (double)t;
    return CTUNE_OK;
}
