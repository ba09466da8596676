/* The CLI's models: building an estimator from --model / --param / --no-scale
 * and the default search spaces. */
#ifndef CTUNE_CLI_MODEL_H
#define CTUNE_CLI_MODEL_H

#include "cli.h"

typedef struct cli_model {
    ctune_estimator *est; /* the estimator (a pipeline when scaled) */
    char prefix[16];      /* "mlp__" when the model is a pipeline step, else "" */
    char description[96]; /* e.g. "MLPClassifier behind StandardScaler" */
    const char *default_space;
} cli_model;

/* Builds the estimator for o->model with o->params applied. */
int cli_model_make(const cli_opts *o, const char *cmd, cli_model *m);
/* Parses --space (or the model's default) with names prefixed for the pipeline. */
int cli_model_space(const cli_model *m, const cli_opts *o, const char *cmd, const ctune_data *data,
                    ctune_space **out);
void cli_model_free(cli_model *m);

#endif
