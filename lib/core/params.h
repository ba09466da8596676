/* Internal helpers around ctune_params and ctune_param_spec. */
#ifndef CTUNE_CORE_PARAMS_H
#define CTUNE_CORE_PARAMS_H

#include "ctune.h"

/* The spec entry named `name`, or NULL. */
const ctune_param_spec *ctune__spec_find(const ctune_param_spec *spec, const char *name);
/* Writes "a, b, c" (the spec's names) into buf. */
void ctune__spec_names(const ctune_param_spec *spec, char *buf, size_t cap);
/* Validates one value of `p` (by name) against `e`, converting int to
 * double where only double is accepted. `owner` names the estimator in
 * messages ("DummyClassifier"). */
ctune_status ctune__param_check_one(ctune_params *p, const char *name, const ctune_param_spec *e,
                                    const char *owner);
/* Copies the value `name` of src into dst under the name `as`. */
ctune_status ctune__params_copy_value(ctune_params *dst, const char *as, const ctune_params *src,
                                      const char *name);

/* Read marks, for the conformance kit's unused_params check: while a spec
 * is watched on the calling thread, every typed read of a parameter by name
 * (the ctune_params getters, ctune_params_type/is_none/value_text and the
 * *_or helpers below), on any params set, sets marks[i] for the spec entry
 * i of that name, or whose name ends in "__" + that name (a value routed to
 * a pipeline step or a builder under its short name). `spec` NULL stops
 * watching. Costs nothing while nothing is watched. */
void ctune__params_watch(const ctune_param_spec *spec, unsigned char *marks);

/* Getters with a default when the name is absent (still an error when the
 * type is wrong). */
ctune_status ctune__params_int_or(const ctune_params *p, const char *name, int64_t def,
                                  int64_t *out);
ctune_status ctune__params_double_or(const ctune_params *p, const char *name, double def,
                                     double *out);
ctune_status ctune__params_bool_or(const ctune_params *p, const char *name, int def, int *out);
/* Borrowed; `def` when absent. */
ctune_status ctune__params_string_or(const ctune_params *p, const char *name, const char *def,
                                     const char **out);

#endif
