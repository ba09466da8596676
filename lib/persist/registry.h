/* The built-in estimators by name, for loading saved models without passing a
 * vtable. */
#ifndef CTUNE_PERSIST_REGISTRY_H
#define CTUNE_PERSIST_REGISTRY_H

#include "ctune.h"

/* A new built-in estimator named `name` with default params, made by its
 * public constructor (so estimators whose vtable belongs to the handle or to
 * a family, a Pipeline or an MLPClassifier, are made as users make them).
 * Errors: CTUNE_EINVAL for an unknown name (listing the known ones),
 * CTUNE_ENOMEM. */
ctune_status ctune__builtin_new(ctune_estimator **out, const char *name);
/* 1 when `name` is a built-in estimator. */
int ctune__builtin_known(const char *name);
/* Number of built-in estimators and the i-th name (NULL out of range). */
size_t ctune__builtin_count(void);
const char *ctune__builtin_name(size_t i);
/* "A, B, C" (the built-in names, "(none)" when there are none) into buf. */
void ctune__builtin_names(char *buf, size_t cap);

#endif
