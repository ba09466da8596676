/* Writes the seed corpus of fuzz_model: real saved models of the built-in
 * estimators: Dummy (fitted and unfitted, each strategy), decision trees,
 * the scaler, pipelines and small MLPs. Usage:
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
    /* trees, scaler, pipelines, MLPs: on 3 features, 3 classes / 2 targets */
    double X3[24 * 3], y3[24], y2[24 * 2];
    for (int i = 0; i < 24; i++) {
        for (int j = 0; j < 3; j++)
            X3[i * 3 + j] = (double)((i * 5 + j * 7) % 13) - 6.0 + 0.5 * j;
        y3[i] = (double)(i % 3 == 0 ? 2 : i % 3 == 1 ? 5 : 8);
        y2[2 * i] = X3[i * 3] - 2 * X3[i * 3 + 1];
        y2[2 * i + 1] = 0.25 * i;
    }
    ctune_data *d3, *d2;
    if (ctune_data_new(&d3, X3, CTUNE_FLOAT64, 24, 3, 0, y3, 1) != CTUNE_OK ||
        ctune_data_new(&d2, X3, CTUNE_FLOAT64, 24, 3, 0, y2, 2) != CTUNE_OK)
        return 1;
    static const struct {
        const char *file;
        int kind; /* 0 classifier, 1 regressor */
        ctune_status (*make)(ctune_estimator **);
        const char *params;
    } MODELS[] = {
        {"tree_clf.model", 0, ctune_decision_tree_classifier_new, "max_depth=3"},
        {"tree_clf_leaves.model", 0, ctune_decision_tree_classifier_new,
         "max_leaf_nodes=4, criterion=entropy, class_weight=balanced"},
        {"tree_reg_2t.model", 1, ctune_decision_tree_regressor_new, "max_depth=2"},
        {"tree_reg_mae.model", 1, ctune_decision_tree_regressor_new,
         "criterion=absolute_error, splitter=random, seed=3"},
        {"scaler.model", 0, ctune_standard_scaler_new, NULL},
        {"scaler_no_mean.model", 0, ctune_standard_scaler_new, "with_mean=false"},
        {"mlp_clf.model", 0, ctune_mlp_classifier_new, "nn=3, epochs=1, batch_size=8"},
        {"mlp_clf_nl0.model", 0, ctune_mlp_classifier_new, "nl=0, epochs=1"},
        {"mlp_reg_2t.model", 1, ctune_mlp_regressor_new, "nn=2, nl=2, epochs=1, dropout=0.1"},
    };
    for (size_t i = 0; i < sizeof MODELS / sizeof MODELS[0]; i++) {
        ctune_estimator *e;
        bad |= MODELS[i].make(&e) != CTUNE_OK;
        if (MODELS[i].params)
            bad |= ctune_estimator_set_params_text(e, MODELS[i].params) != CTUNE_OK;
        bad |= ctune_estimator_fit(e, MODELS[i].kind ? d2 : d3) != CTUNE_OK;
        bad |= save(dir, MODELS[i].file, e);
        ctune_estimator_free(e);
    }
    /* pipelines: scaler + tree (fitted and unfitted), scaler + MLP */
    for (int k = 0; k < 3; k++) {
        ctune_estimator *p, *s, *t;
        bad |= ctune_pipeline_new(&p) != CTUNE_OK;
        bad |= ctune_standard_scaler_new(&s) != CTUNE_OK;
        bad |= (k == 2 ? ctune_mlp_classifier_new(&t) : ctune_decision_tree_classifier_new(&t)) !=
               CTUNE_OK;
        bad |= ctune_pipeline_add_step(p, "scaler", s) != CTUNE_OK;
        bad |= ctune_pipeline_add_step(p, "model", t) != CTUNE_OK;
        bad |= ctune_estimator_set_params_text(p, k == 2 ? "model__nn=2, model__epochs=1"
                                                         : "model__max_depth=2") != CTUNE_OK;
        if (k != 1)
            bad |= ctune_estimator_fit(p, d3) != CTUNE_OK;
        bad |= save(dir,
                    k == 0   ? "pipe_tree.model"
                    : k == 1 ? "pipe_unfitted.model"
                             : "pipe_mlp.model",
                    p);
        ctune_estimator_free(s);
        ctune_estimator_free(t);
        ctune_estimator_free(p);
    }
    ctune_data_free(d3);
    ctune_data_free(d2);
    ctune_data_free(dc);
    ctune_data_free(dr);
    return bad;
}
