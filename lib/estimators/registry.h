/* The built-in estimators by vtable name, for loading saved models without
 * passing a vtable. */
#ifndef CTUNE_ESTIMATORS_REGISTRY_H
#define CTUNE_ESTIMATORS_REGISTRY_H

#include "ctune.h"

/* The built-in vtable named `name`, or NULL. */
const ctune_estimator_vtable *ctune__builtin_vtable(const char *name);
/* Number of built-in vtables and the i-th one (NULL out of range). */
size_t ctune__builtin_count(void);
const ctune_estimator_vtable *ctune__builtin_at(size_t i);
/* "A, B, C" (the built-in names, "(none)" when there are none) into buf. */
void ctune__builtin_names(char *buf, size_t cap);

#endif
