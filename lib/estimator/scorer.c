/* Scorers: scikit-learn's scoring names over the estimator API. Each entry
 * says what it needs (labels or probabilities), which kinds it applies to and
 * how to compute it from y_true and the predictions. */
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/data.h"
#include "core/error.h"
#include "estimator/estimator.h"

typedef enum { NEEDS_PREDICT, NEEDS_PROBA } scorer_input;

typedef struct scorer {
    const char *name;
    int kind;            /* CTUNE_CLASSIFIER or CTUNE_REGRESSOR */
    scorer_input input;
    double sign;         /* +1 greater is better, -1 for losses ("neg_*") */
    /* y_true: n (classifiers: labels, or codes when input is NEEDS_PROBA);
     * pred: n × n_outputs labels/values, or n × k probabilities. */
    ctune_status (*fn)(const double *y_true, const double *pred, size_t n, size_t k, double *out);
} scorer;

static ctune_status sc_accuracy(const double *t, const double *p, size_t n, size_t k, double *out)
{
    (void)k;
    return ctune_metric_accuracy(t, p, n, out);
}

static ctune_status sc_r2(const double *t, const double *p, size_t n, size_t k, double *out)
{
    return ctune_metric_r2(t, p, n, k, out);
}

static const scorer SCORERS[] = {
    {"accuracy", CTUNE_CLASSIFIER, NEEDS_PREDICT, 1.0, sc_accuracy},
    {"r2", CTUNE_REGRESSOR, NEEDS_PREDICT, 1.0, sc_r2},
};
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

ctune_status ctune_score(ctune_estimator *est, const char *name, const ctune_data *data, double *out)
{
    if (!name || !*name)
        return ctune_estimator_score(est, data, out);
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
    size_t k = s->input == NEEDS_PROBA ? ctune_estimator_n_classes(est) : ctune_estimator_n_outputs(est);
    if (kind == CTUNE_REGRESSOR && t != k)
        return ctune_set_error(CTUNE_EDATA, "scorer '%s': y has %zu targets, the model predicts %zu",
                               name, t, k);
    if (kind == CTUNE_CLASSIFIER && t != 1)
        return ctune_set_error(CTUNE_EDATA, "scorer '%s': a classifier scores 1 target column, got %zu",
                               name, t);
    double *ytrue = CTUNE_NEW_ARRAY(double, n * t);
    double *pred = CTUNE_NEW_ARRAY(double, n * (k ? k : 1));
    ctune_status rc = ytrue && pred ? CTUNE_OK : CTUNE_ENOMEM;
    if (rc == CTUNE_OK)
        rc = ctune_data_gather_y(data, NULL, n, ytrue);
    if (rc == CTUNE_OK)
        rc = s->input == NEEDS_PROBA ? ctune_estimator_predict_proba(est, data, pred)
                                     : ctune_estimator_predict(est, data, pred);
    if (rc == CTUNE_OK && s->input == NEEDS_PROBA) {
        /* probabilities are per class code: turn labels into codes (-1 unseen) */
        double *classes = CTUNE_NEW_ARRAY(double, k ? k : 1);
        if (!classes)
            rc = CTUNE_ENOMEM;
        else if ((rc = ctune_estimator_classes(est, classes)) == CTUNE_OK)
            for (size_t i = 0; i < n; i++) {
                double code = -1;
                for (size_t c = 0; c < k; c++)
                    if (classes[c] == ytrue[i])
                        code = (double)c;
                ytrue[i] = code;
            }
        ctune__free(classes);
    }
    if (rc == CTUNE_OK) {
        rc = s->fn(ytrue, pred, n, k, out);
        if (rc == CTUNE_OK)
            *out *= s->sign;
        else
            ctune__error_prefix("scorer '%s'", name);
    }
    ctune__free(ytrue);
    ctune__free(pred);
    return rc;
}
