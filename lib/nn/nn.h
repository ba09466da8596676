/* What the layers above the NN engine (the Keras estimator family) may ask
 * of a model beyond the public API; they never read struct ctune_model. */
#ifndef CTUNE_NN_NN_H
#define CTUNE_NN_NN_H

#include <stddef.h>
#include <stdint.h>

#include "ctune.h"

/* Weights the model would have once built for `input_dim` inputs, counted
 * from its layers without allocating; UINT64_MAX when above `limit`. */
uint64_t ctune__model_planned_params(const ctune_model *m, size_t input_dim, uint64_t limit);

/* The fit context the model's next fits poll for cancellation, once per
 * minibatch (NULL: none). Borrowed: the caller clears it before `ctx` ends. */
void ctune__model_set_fit_ctx(ctune_model *m, const ctune_fit_ctx *ctx);

/* The options of a fit, typed. ctune_model_fit_monitored() parses its options
 * text into one (against the fit options spec, by the one options parser);
 * the Keras family fills one and calls ctune__model_fit() directly, never
 * through text. */
#define CTUNE__FIT_MONITOR_CAP 52 /* a history key: CTUNE__NN_NAME_CAP + 4 */
typedef struct ctune__fit_opts {
    int shuffle;             /* shuffle the rows each epoch (default 1) */
    double validation_split; /* [0, 1): last fraction of the rows held out (default 0) */
    int has_seed;            /* 1: seed the model with `seed` first */
    int64_t seed;
    int early_stopping; /* 1: keras.callbacks.EarlyStopping with the fields below */
    int64_t patience;   /* >= 0 */
    char monitor[CTUNE__FIT_MONITOR_CAP]; /* history key; "" = val_loss */
    double min_delta;                     /* finite */
    char mode[8];                         /* auto, min or max */
    int restore_best_weights;
} ctune__fit_opts;

/* The defaults (as an empty options text). */
void ctune__fit_opts_init(ctune__fit_opts *o);
/* Parses ctune_model_fit() options text (NULL or "" = the defaults). */
ctune_status ctune__fit_opts_parse(ctune__fit_opts *o, const char *text);
/* ctune_model_fit_monitored() with typed options. */
ctune_status ctune__model_fit(ctune_model *m, const ctune_data *data, const ctune_data *validation,
                              int64_t epochs, int64_t batch_size, const ctune__fit_opts *opts,
                              ctune_epoch_callback callback, void *user);

#endif
