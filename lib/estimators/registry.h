/* The built-in estimators by name, for loading saved models without passing a
 * vtable. */
#ifndef CTUNE_ESTIMATORS_REGISTRY_H
#define CTUNE_ESTIMATORS_REGISTRY_H

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

/* 1 when `vt` is a vtable that belongs to one handle or one estimator family
 * (a Pipeline's, a Keras-style estimator's) rather than a static one: such
 * estimators load by name or with ctune_estimator_load_like(), never by
 * passing their vtable to ctune_estimator_load(). Defined in pipeline.c and
 * keras.c. */
int ctune__pipeline_vtable(const ctune_estimator_vtable *vt);
int ctune__keras_vtable(const ctune_estimator_vtable *vt);

/* 1 when the fitted transformer `est` maps each column by x' = (x -
 * shift[j]) / scale[j], computed in double exactly as its transform does,
 * and sets the two arrays (owned by `est`, n_features_in entries): a
 * pipeline then hands the next step an affine view of its input instead of
 * a transformed copy (ctune__data_affine()). 0 for every other estimator.
 * Defined in scaler.c. */
int ctune__affine_of(const ctune_estimator *est, const double **shift, const double **scale);

#endif
