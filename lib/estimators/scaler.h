/* StandardScaler's side of a pipeline's views (scaler.c). */
#ifndef CTUNE_ESTIMATORS_SCALER_H
#define CTUNE_ESTIMATORS_SCALER_H

#include "ctune.h"

/* 1 when the fitted transformer `est` maps each column by x' = (x -
 * shift[j]) / scale[j], computed in double exactly as its transform does,
 * and sets the two arrays (owned by `est`, n_features_in entries): a
 * pipeline then hands the next step an affine view of its input instead of
 * a transformed copy (ctune__data_affine()). 0 for every other estimator.
 * With fit_absmax, also the largest |x| of each column among the rows of
 * its last fit (NaN when one was NaN), or NULL when unknown (a loaded
 * model): the view of those very rows is then known to be checked
 * (ctune__data_affine_known()). */
int ctune__affine_of(const ctune_estimator *est, const double **shift, const double **scale,
                     const double **fit_absmax);

#endif
