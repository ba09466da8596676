/* Estimators written the way a user writes one (public vtable only), and
 * small data sets, for the model-selection suites. */
#ifndef CTUNE_TEST_MS_FIXTURES_H
#define CTUNE_TEST_MS_FIXTURES_H

#include <stdatomic.h>
#include <stdint.h>

#include "ctune.h"

/* Number of fit calls into any fixture estimator (all threads). */
extern atomic_long fx_fits;

/* NearestCentroid (classifier). Params: shrink double [0, 1] (pull each
 * centroid toward the overall mean), fail_above double|none (fit fails
 * with CTUNE_ENUMERIC when shrink > fail_above). */
extern const ctune_estimator_vtable fx_centroid_vt;
/* Ridge (regressor, closed form, up to 8 features). Params: alpha >= 0. */
extern const ctune_estimator_vtable fx_ridge_vt;
/* Seeded (classifier): predicts the majority class; its score is a function
 * of the seed it fitted with, fx_seed_score(ctune_fit_ctx_seed(ctx, seed)),
 * so tests can check each task's stream. Params: seed int, level int
 * (unused by fit, gives a space to search). */
extern const ctune_estimator_vtable fx_seeded_vt;
double fx_seed_score(uint64_t seed);
/* The seed the fitted instance used (0 when unfitted). */
uint64_t fx_seeded_fit_seed(const ctune_estimator *est);
/* SlowSeeded: Seeded whose fit first sleeps delay_ms (int, default 0) in
 * 1 ms steps, polling ctune_fit_ctx_cancelled(). */
extern const ctune_estimator_vtable fx_slow_seeded_vt;
/* Slow (classifier): a nearest centroid whose fit sleeps delay_ms in 1 ms
 * steps, polling ctune_fit_ctx_cancelled(). Params: delay_ms int >= 0. */
extern const ctune_estimator_vtable fx_slow_vt;

/* Two Gaussian blobs in 2-D: n rows (classes alternate 0/1 in blocks of
 * 5), labels {3, 7}; caller frees X and y with free(). */
void fx_blobs(size_t n, uint64_t seed, double **X, double **y);
/* y = 2 x0 - x1 + 0.5 + noise (regression), n × 2. */
void fx_linear(size_t n, uint64_t seed, double **X, double **y);

#endif
