/* Writes the seed corpus of fuzz_model: real saved models of the Dummy
 * estimators (fitted and unfitted, each strategy). Usage:
 *   gen_model_corpus DIR      (the checked-in files are tests/fuzz/corpus/model/) */
#include <stdio.h>

#include "ctune.h"

static int save(const char *dir, const char *name, ctune_estimator *e)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (ctune_estimator_save(e, path) != CTUNE_OK) {
        fprintf(stderr, "%s: %s\n", path, ctune_last_error());
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s DIR\n", argv[0]);
        return 2;
    }
    const char *dir = argv[1];
    double X[12] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
    double yc[6] = {3, 7, 7, -1, 7, 3}, yr[12] = {1.5, 2, 0, -4, 8, 1, 2, 2, 9, 0, 3, 3};
    ctune_data *dc, *dr;
    int bad = 0;
    if (ctune_data_new(&dc, X, CTUNE_FLOAT64, 6, 2, 0, yc, 1) != CTUNE_OK ||
        ctune_data_new(&dr, X, CTUNE_FLOAT64, 6, 2, 0, yr, 2) != CTUNE_OK)
        return 1;
    const char *clf[] = {"strategy=prior", "strategy=most_frequent", "strategy=stratified, seed=9",
                         "strategy=uniform, seed=1"};
    for (int i = 0; i < 4; i++) {
        ctune_estimator *e;
        char name[64];
        ctune_dummy_classifier_new(&e);
        bad |= ctune_estimator_set_params_text(e, clf[i]) != CTUNE_OK;
        if (i == 0)
            bad |= save(dir, "clf_unfitted.model", e);
        bad |= ctune_estimator_fit(e, dc) != CTUNE_OK;
        snprintf(name, sizeof name, "clf_%d.model", i);
        bad |= save(dir, name, e);
        ctune_estimator_free(e);
    }
    const char *reg[] = {"strategy=mean", "strategy=median", "strategy=constant, constant=2.5"};
    for (int i = 0; i < 3; i++) {
        ctune_estimator *e;
        char name[64];
        ctune_dummy_regressor_new(&e);
        bad |= ctune_estimator_set_params_text(e, reg[i]) != CTUNE_OK;
        if (i == 0)
            bad |= save(dir, "reg_unfitted.model", e);
        bad |= ctune_estimator_fit(e, dr) != CTUNE_OK;
        snprintf(name, sizeof name, "reg_%d.model", i);
        bad |= save(dir, name, e);
        ctune_estimator_free(e);
    }
    ctune_data_free(dc);
    ctune_data_free(dr);
    return bad;
}
