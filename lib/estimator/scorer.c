/* Scorers: scikit-learn's scoring names over the estimator API. Each entry
 * says what it needs (labels or probabilities), which kinds it applies to and
 * how to compute it from y_true and the predictions. */
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/data.h"
#include "core/error.h"
#include "core/labels.h"
#include "estimator/estimator.h"

typedef enum { NEEDS_PREDICT, NEEDS_PROBA } scorer_input;

typedef struct scorer {
    const char *name;
    int kind; /* CTUNE_CLASSIFIER or CTUNE_REGRESSOR */
    scorer_input input;
    double sign; /* +1 greater is better, -1 for losses ("neg_*") */
    int binary;  /* needs a classifier fitted on exactly 2 classes */
    /* y_true: n (classifiers: labels, or codes when input is NEEDS_PROBA);
     * pred: n × k labels/values (k = n_outputs), or n × k probabilities
     * (k = n_classes; a function may overwrite it). `pos` is the positive
     * class of binary scorers: the larger label (a code, 1, for NEEDS_PROBA). */
    ctune_status (*fn)(const double *y_true, double *pred, size_t n, size_t k, double pos,
                       double *out);
} scorer;

static ctune_status sc_accuracy(const double *t, double *p, size_t n, size_t k, double pos,
                                double *out)
{
    (void)k;
    (void)pos;
    return ctune_metric_accuracy(out, t, p, n);
}

static ctune_status sc_balanced_accuracy(const double *t, double *p, size_t n, size_t k, double pos,
                                         double *out)
{
    (void)k;
    (void)pos;
    return ctune_metric_balanced_accuracy(out, t, p, n);
}

static ctune_status sc_log_loss(const double *t, double *p, size_t n, size_t k, double pos,
                                double *out)
{
    (void)pos;
    return ctune_metric_log_loss(out, t, p, n, k);
}

static ctune_status sc_roc_auc(const double *t, double *p, size_t n, size_t k, double pos,
                               double *out)
{
    /* the score of a row is its probability of the positive class: compact
     * column `pos` of the n × k probabilities in place (row i moves to i) */
    for (size_t i = 0; i < n; i++)
        p[i] = p[i * k + (size_t)pos];
    return ctune_metric_roc_auc(out, t, p, n, pos);
}

#define PRF_SCORER(fname, metric, average)                                                \
    static ctune_status fname(const double *t, double *p, size_t n, size_t k, double pos, \
                              double *out)                                                \
    {                                                                                     \
        (void)k;                                                                          \
        return metric(out, t, p, n, average, pos);                                        \
    }
PRF_SCORER(sc_f1, ctune_metric_f1, CTUNE_AVERAGE_BINARY)
PRF_SCORER(sc_f1_macro, ctune_metric_f1, CTUNE_AVERAGE_MACRO)
PRF_SCORER(sc_precision, ctune_metric_precision, CTUNE_AVERAGE_BINARY)
PRF_SCORER(sc_precision_macro, ctune_metric_precision, CTUNE_AVERAGE_MACRO)
PRF_SCORER(sc_recall, ctune_metric_recall, CTUNE_AVERAGE_BINARY)
PRF_SCORER(sc_recall_macro, ctune_metric_recall, CTUNE_AVERAGE_MACRO)

#define REG_SCORER(fname, metric)                                                         \
    static ctune_status fname(const double *t, double *p, size_t n, size_t k, double pos, \
                              double *out)                                                \
    {                                                                                     \
        (void)pos;                                                                        \
        return metric(out, t, p, n, k);                                                   \
    }
REG_SCORER(sc_mae, ctune_metric_mae)
REG_SCORER(sc_mse, ctune_metric_mse)
REG_SCORER(sc_rmse, ctune_metric_rmse)
REG_SCORER(sc_r2, ctune_metric_r2)

#define CLF CTUNE_CLASSIFIER
#define REG CTUNE_REGRESSOR
static const scorer SCORERS[] = {
    {"accuracy", CLF, NEEDS_PREDICT, 1.0, 0, sc_accuracy},
    {"balanced_accuracy", CLF, NEEDS_PREDICT, 1.0, 0, sc_balanced_accuracy},
    {"f1", CLF, NEEDS_PREDICT, 1.0, 1, sc_f1},
    {"f1_macro", CLF, NEEDS_PREDICT, 1.0, 0, sc_f1_macro},
    {"neg_log_loss", CLF, NEEDS_PROBA, -1.0, 0, sc_log_loss},
    {"neg_mean_absolute_error", REG, NEEDS_PREDICT, -1.0, 0, sc_mae},
    {"neg_mean_squared_error", REG, NEEDS_PREDICT, -1.0, 0, sc_mse},
    {"neg_root_mean_squared_error", REG, NEEDS_PREDICT, -1.0, 0, sc_rmse},
    {"precision", CLF, NEEDS_PREDICT, 1.0, 1, sc_precision},
    {"precision_macro", CLF, NEEDS_PREDICT, 1.0, 0, sc_precision_macro},
    {"r2", REG, NEEDS_PREDICT, 1.0, 0, sc_r2},
    {"recall", CLF, NEEDS_PREDICT, 1.0, 1, sc_recall},
    {"recall_macro", CLF, NEEDS_PREDICT, 1.0, 0, sc_recall_macro},
    {"roc_auc", CLF, NEEDS_PROBA, 1.0, 1, sc_roc_auc},
};
#undef CLF
#undef REG
#define N_SCORERS (sizeof SCORERS / sizeof SCORERS[0])

size_t ctune_scorer_count(void) { return N_SCORERS; }

const char *ctune_scorer_name(size_t i) { return i < N_SCORERS ? SCORERS[i].name : NULL; }

static const scorer *find(const char *name)
{
    for (size_t i = 0; i < N_SCORERS; i++)
        if (strcmp(SCORERS[i].name, name) == 0)
            return &SCORERS[i];
    return NULL;
}

static ctune_status unknown(const char *name)
{
    char list[512];
    size_t len = 0;
    list[0] = '\0';
    for (size_t i = 0; i < N_SCORERS && len < sizeof list; i++) {
        int w = snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "", SCORERS[i].name);
        if (w < 0)
            break;
        len += (size_t)w;
    }
    return ctune_set_error(CTUNE_EINVAL, "unknown scorer '%s'; known: %s", name, list);
}

ctune_status ctune_scorer_check(const char *name)
{
    CTUNE_CHECK_NULL(name, "scorer");
    return find(name) ? CTUNE_OK : unknown(name);
}

ctune_status ctune_score(double *out, ctune_estimator *est, const char *name,
                         const ctune_data *data)
{
    if (!name || !*name)
        return ctune_estimator_score(out, est, data);
    const scorer *s = find(name);
    if (!s)
        return unknown(name);
    CTUNE_CHECK_NULL(est, "estimator");
    CTUNE_CHECK_NULL(out, "out");
    CTUNE_TRY(ctune__estimator_check_X(est, data));
    int kind = ctune_estimator_kind(est);
    if (kind != s->kind)
        return ctune_set_error(CTUNE_EINVAL, "scorer '%s' is for %s, and %s is a %s", name,
                               s->kind == CTUNE_CLASSIFIER ? "classifiers" : "regressors",
                               ctune_estimator_name(est),
                               kind == CTUNE_CLASSIFIER  ? "classifier"
                               : kind == CTUNE_REGRESSOR ? "regressor"
                                                         : "transformer");
    size_t n = ctune_data_n_rows(data), t = ctune_data_n_targets(data);
    if (n == 0)
        return ctune_set_error(CTUNE_EDATA, "scorer '%s': no rows to score", name);
    if (t == 0)
        return ctune_set_error(CTUNE_EDATA, "scorer '%s' needs y, and the data has none", name);
    size_t k = s->input == NEEDS_PROBA ? ctune_estimator_n_classes(est)
                                       : ctune_estimator_n_outputs(est);
    if (kind == CTUNE_REGRESSOR && t != k)
        return ctune_set_error(
            CTUNE_EDATA, "scorer '%s': y has %zu targets, the model predicts %zu", name, t, k);
    if (kind == CTUNE_CLASSIFIER && t != 1)
        return ctune_set_error(
            CTUNE_EDATA, "scorer '%s': a classifier scores 1 target column, got %zu", name, t);
    size_t n_classes = ctune_estimator_n_classes(est);
    if (s->binary && n_classes != 2)
        return ctune_set_error(CTUNE_EINVAL,
                               "scorer '%s' needs a binary classifier, and %s was fitted on %zu "
                               "classes%s",
                               name, ctune_estimator_name(est), n_classes,
                               strcmp(name, "roc_auc") == 0
                                   ? " (multiclass ROC AUC is not supported)"
                                   : "; use the '_macro' variant");
    double *ytrue = CTUNE_NEW_MATRIX(double, n, t);
    double *pred = CTUNE_NEW_MATRIX(double, n, k ? k : 1);
    double *classes = CTUNE_NEW_ARRAY(double, n_classes ? n_classes : 1);
    ctune_status rc = ytrue && pred && classes ? CTUNE_OK : CTUNE_ENOMEM;
    if (rc == CTUNE_OK && kind == CTUNE_CLASSIFIER)
        rc = ctune_estimator_classes(classes, est);
    if (rc == CTUNE_OK)
        rc = ctune_data_gather_y(ytrue, data, NULL, n);
    if (rc == CTUNE_OK)
        rc = s->input == NEEDS_PROBA ? ctune_estimator_predict_proba(pred, est, data)
                                     : ctune_estimator_predict(pred, est, data);
    if (rc == CTUNE_OK && s->input == NEEDS_PROBA) {
        /* probabilities are per class code: turn labels into codes */
        for (size_t i = 0; i < n && rc == CTUNE_OK; i++) {
            double code = (double)ctune__label_code(classes, n_classes, ytrue[i]);
            if (code < 0)
                rc = ctune_set_error(CTUNE_EDATA,
                                     "scorer '%s': y row %zu has label %g, which %s did not see at "
                                     "fit",
                                     name, i, ytrue[i], ctune_estimator_name(est));
            ytrue[i] = code;
        }
    }
    if (rc == CTUNE_OK) {
        /* binary scorers: the larger label is positive (scikit-learn's
         * pos_label=1 for {0, 1}); code 1 for probabilities */
        double pos = !s->binary ? 0.0 : s->input == NEEDS_PROBA ? 1.0 : classes[1];
        rc = s->fn(ytrue, pred, n, k, pos, out);
        if (rc == CTUNE_OK)
            *out *= s->sign;
        else
            ctune__error_prefix("scorer '%s'", name);
    }
    ctune__free(ytrue);
    ctune__free(pred);
    ctune__free(classes);
    return rc;
}
