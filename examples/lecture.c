/* The lecture, in C: a Keras model-builder function wrapped as a
 * scikit-learn estimator, cross-validated, then tuned by random search.
 *
 *   def create_model(optimizer="adam", activation="relu", nl=1, nn=16):
 *       model = Sequential()
 *       for i in range(nl):
 *           model.add(Dense(nn, activation=activation))
 *       model.add(Dense(1, activation="sigmoid"))
 *       model.compile(optimizer=optimizer, loss="binary_crossentropy", metrics=["accuracy"])
 *       return model
 *   model = KerasClassifier(build_fn=create_model, epochs=6, batch_size=16)
 *
 * Build: cc lecture.c $(pkg-config --cflags --libs ctune) -o lecture
 * Run:   ./lecture            (breast cancer, embedded in the library) */
#include <math.h>
#include <stdio.h>

#include <ctune.h>

/* create_model's signature: its parameters, types and defaults. */
static const ctune_param_spec CREATE_MODEL[] = {
    {"optimizer", CTUNE_TYPE_STRING, "adam", NULL, NULL, "optimizer name"},
    {"activation", CTUNE_TYPE_STRING, "relu", NULL, NULL, "hidden activation"},
    {"nl", CTUNE_TYPE_INT, "1", "[1, inf)", NULL, "hidden layers"},
    {"nn", CTUNE_TYPE_INT, "16", "[1, inf)", NULL, "neurons per hidden layer"},
    {NULL, 0, NULL, NULL, NULL, NULL},
};

/* create_model's body. */
static ctune_status create_model(const ctune_params *p, ctune_model *model, void *user)
{
    (void)user;
    const char *optimizer, *activation;
    int64_t nl, nn;
    ctune_status rc;
    if ((rc = ctune_params_get_string(&optimizer, p, "optimizer")) != CTUNE_OK ||
        (rc = ctune_params_get_string(&activation, p, "activation")) != CTUNE_OK ||
        (rc = ctune_params_get_int(&nl, p, "nl")) != CTUNE_OK ||
        (rc = ctune_params_get_int(&nn, p, "nn")) != CTUNE_OK)
        return rc;
    for (int64_t i = 0; i < nl; i++)
        if ((rc = ctune_model_add_dense(model, nn, activation, NULL)) != CTUNE_OK)
            return rc;
    if ((rc = ctune_model_add_dense(model, 1, "sigmoid", NULL)) != CTUNE_OK)
        return rc;
    return ctune_model_compile(model, optimizer, "binary_crossentropy", "metrics=accuracy");
}

static int fail(const char *what)
{
    fprintf(stderr, "lecture: %s: %s\n", what, ctune_last_error());
    return 1;
}

/* Runs a random search over `space` and prints the best score and params. */
static int search(const ctune_estimator *model, const char *space_text, const ctune_data *data)
{
    ctune_space *space = NULL;
    ctune_search *s = NULL;
    int rc = 1;
    double best;
    char params[512];
    if (ctune_space_parse(&space, space_text) != CTUNE_OK) {
        fail("space");
        goto out;
    }
    /* RandomizedSearchCV(model, params, cv=3, n_iter=10).fit(X, y) */
    if (ctune_search_new_randomized(&s, model, space, 10, 42) != CTUNE_OK ||
        ctune_search_set_cv(s, 3) != CTUNE_OK || ctune_search_set_n_jobs(s, -1) != CTUNE_OK ||
        ctune_search_fit(s, data) != CTUNE_OK || ctune_search_best_score(&best, s) != CTUNE_OK) {
        fail("search");
        goto out;
    }
    ctune_params_to_text(params, sizeof params, ctune_search_best_params(s));
    printf("  best score %.4f with %s\n", best, params);
    rc = 0;
out:
    ctune_search_free(s);
    ctune_space_free(space);
    return rc;
}

int main(void)
{
    ctune_data *data = NULL;
    ctune_estimator *keras = NULL, *scaler = NULL, *model = NULL;
    int rc = 1;

    /* X, y = load_breast_cancer(return_X_y=True) */
    if (ctune_dataset_load(&data, "breast_cancer", NULL) != CTUNE_OK)
        return fail("dataset");

    /* model = KerasClassifier(build_fn=create_model, epochs=6, batch_size=16),
     * behind a StandardScaler fitted inside each fold. */
    if (ctune_keras_classifier_new(&keras, create_model, CREATE_MODEL, NULL) != CTUNE_OK ||
        ctune_estimator_set_params_text(keras, "epochs=6, batch_size=16") != CTUNE_OK ||
        ctune_standard_scaler_new(&scaler) != CTUNE_OK || ctune_pipeline_new(&model) != CTUNE_OK ||
        ctune_pipeline_add_step(model, "scaler", scaler) != CTUNE_OK ||
        ctune_pipeline_add_step(model, "keras", keras) != CTUNE_OK) {
        fail("model");
        goto out;
    }

    /* scores = cross_val_score(model, X, y, cv=3) */
    double scores[3], mean = 0, var = 0;
    if (ctune_cross_val_score(scores, model, data, 3, "accuracy") != CTUNE_OK) {
        fail("cross_val_score");
        goto out;
    }
    for (int i = 0; i < 3; i++)
        mean += scores[i] / 3;
    for (int i = 0; i < 3; i++)
        var += (scores[i] - mean) * (scores[i] - mean) / 3;
    printf("cross_val_score (cv=3): %.4f +/- %.4f\n", mean, sqrt(var));

    /* params = dict(optimizer=["sgd", "adam"], activation=["relu", "tanh"],
     *               batch_size=[5, 10, 20], epochs=[3, 5]) */
    printf("random search over optimizer, activation, batch_size, epochs:\n");
    if (search(model,
               "keras__optimizer: sgd|adam; keras__activation: relu|tanh; "
               "keras__batch_size: 5|10|20; keras__epochs: 3|5",
               data) != 0)
        goto out;

    /* params = dict(nl=[1, 2, 3], nn=[16, 64, 128]) */
    printf("random search over nl, nn:\n");
    if (search(model, "keras__nl: 1|2|3; keras__nn: 16|64|128", data) != 0)
        goto out;
    rc = 0;
out:
    ctune_estimator_free(model);
    ctune_estimator_free(scaler);
    ctune_estimator_free(keras);
    ctune_data_free(data);
    return rc;
}
