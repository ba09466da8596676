/* Registry of the built-in estimators: ctune_estimator_load() looks a saved
 * model's estimator name up here when the caller passes no vtable, and makes
 * the estimator with its public constructor before loading into it.
 *
 * To register an estimator, add one line to BUILTINS: its vtable name and
 * its constructor (a function `ctune_status f(ctune_estimator **out)` that
 * makes it with default params). */
#include "persist/registry.h"

#include <stdio.h>
#include <string.h>

#include "core/error.h"

typedef struct builtin {
    const char *name;
    ctune_status (*make)(ctune_estimator **out);
} builtin;

static const builtin BUILTINS[] = {
    {"DummyClassifier", ctune_dummy_classifier_new},
    {"DummyRegressor", ctune_dummy_regressor_new},
    {"DecisionTreeClassifier", ctune_decision_tree_classifier_new},
    {"DecisionTreeRegressor", ctune_decision_tree_regressor_new},
    {"StandardScaler", ctune_standard_scaler_new},
    {"Pipeline", ctune_pipeline_new},
    {"MLPClassifier", ctune_mlp_classifier_new},
    {"MLPRegressor", ctune_mlp_regressor_new},
};
#define N_BUILTINS (sizeof BUILTINS / sizeof BUILTINS[0])

static const builtin *find(const char *name)
{
    for (size_t i = 0; name && i < N_BUILTINS; i++)
        if (strcmp(BUILTINS[i].name, name) == 0)
            return &BUILTINS[i];
    return NULL;
}

size_t ctune__builtin_count(void) { return N_BUILTINS; }

const char *ctune__builtin_name(size_t i) { return i < N_BUILTINS ? BUILTINS[i].name : NULL; }

int ctune__builtin_known(const char *name) { return find(name) != NULL; }

ctune_status ctune__builtin_new(ctune_estimator **out, const char *name)
{
    CTUNE_CHECK_NULL(out, "out");
    *out = NULL;
    const builtin *b = find(name);
    if (!b) {
        char names[512];
        ctune__builtin_names(names, sizeof names);
        return ctune_set_error(CTUNE_EINVAL, "'%s' is not a built-in estimator (built-in: %s)",
                               name ? name : "(null)", names);
    }
    ctune_status rc = b->make(out);
    if (rc == CTUNE_OK && strcmp(ctune_estimator_name(*out), b->name) != 0) {
        /* a registry line naming the wrong constructor */
        rc = ctune_set_error(CTUNE_EINTERNAL, "the constructor registered for %s makes a %s",
                             b->name, ctune_estimator_name(*out));
        ctune_estimator_free(*out);
        *out = NULL;
    }
    return rc;
}

void ctune__builtin_names(char *buf, size_t cap)
{
    size_t len = 0;
    if (cap == 0)
        return;
    buf[0] = '\0';
    for (size_t i = 0; i < N_BUILTINS; i++) {
        int n = snprintf(buf + len, cap - len, "%s%s", len ? ", " : "", BUILTINS[i].name);
        if (n < 0 || (size_t)n >= cap - len)
            break;
        len += (size_t)n;
    }
    if (!buf[0])
        snprintf(buf, cap, "(none)");
}
