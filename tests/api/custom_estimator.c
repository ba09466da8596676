/* A custom estimator written against the public header alone (the example of
 * docs/custom-estimators.md, extracted verbatim), linked with the shared
 * library only, passes the conformance kit. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <ctune.h>

static const ctune_param_spec NC_PARAMS[] = {
    /* name      types               default  range     choices  doc */
    {"shrink", CTUNE_TYPE_DOUBLE, "0", "[0, 1]", NULL, "pull the centroids toward the mean"},
    {NULL, 0, NULL, NULL, NULL, NULL},
};

typedef struct nc {
    double shrink;
    size_t k, d;
    double *mu; /* k × d centroids */
} nc;

static ctune_status nc_create(void **self, const ctune_params *params, void *user)
{
    (void)user;
    nc *m = calloc(1, sizeof *m);
    if (!m)
        return ctune_set_error(CTUNE_ENOMEM, "NearestCentroid: out of memory");
    ctune_params_get_double(&m->shrink, params, "shrink"); /* validated by the handle */
    *self = m;
    return CTUNE_OK;
}

static void nc_destroy(void *self)
{
    nc *m = self;
    if (m)
        free(m->mu);
    free(m);
}

static ctune_status nc_fit(void *self, const ctune_data *train, size_t k, const ctune_fit_ctx *ctx)
{
    (void)ctx; /* deterministic: no seed needed */
    nc *m = self;
    size_t n = ctune_data_n_rows(train), d = ctune_data_n_cols(train);
    double *mu = calloc(k * d, sizeof *mu), *mean = calloc(d, sizeof *mean);
    double *row = malloc(d * sizeof *row);
    size_t *count = calloc(k, sizeof *count);
    if (!mu || !mean || !row || !count) {
        free(mu), free(mean), free(row), free(count);
        return ctune_set_error(CTUNE_ENOMEM, "NearestCentroid: out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        size_t c = (size_t)ctune_data_y(train, i, 0); /* a class code */
        ctune_data_gather_f64(row, d, train, &i, 1);
        for (size_t j = 0; j < d; j++) {
            mu[c * d + j] += row[j];
            mean[j] += row[j] / (double)n;
        }
        count[c]++;
    }
    for (size_t c = 0; c < k; c++)
        for (size_t j = 0; j < d; j++)
            mu[c * d + j] = (1 - m->shrink) * mu[c * d + j] / (double)count[c] +
                            m->shrink * mean[j];
    free(m->mu);
    m->mu = mu;
    m->k = k;
    m->d = d;
    free(mean), free(row), free(count);
    return CTUNE_OK;
}

/* squared distances of row i to every centroid into dist[0..k) */
static void nc_dist(const nc *m, const ctune_data *X, size_t i, double *row, double *dist)
{
    ctune_data_gather_f64(row, m->d, X, &i, 1);
    for (size_t c = 0; c < m->k; c++) {
        dist[c] = 0;
        for (size_t j = 0; j < m->d; j++)
            dist[c] += (row[j] - m->mu[c * m->d + j]) * (row[j] - m->mu[c * m->d + j]);
    }
}

static ctune_status nc_predict(void *self, const ctune_data *X, double *out)
{
    const nc *m = self;
    double *row = malloc(m->d * sizeof *row), *dist = malloc(m->k * sizeof *dist);
    if (!row || !dist) {
        free(row), free(dist);
        return ctune_set_error(CTUNE_ENOMEM, "NearestCentroid: out of memory");
    }
    for (size_t i = 0; i < ctune_data_n_rows(X); i++) {
        nc_dist(m, X, i, row, dist);
        size_t best = 0;
        for (size_t c = 1; c < m->k; c++)
            if (dist[c] < dist[best])
                best = c;
        out[i] = (double)best; /* a code; the handle maps it to the label */
    }
    free(row), free(dist);
    return CTUNE_OK;
}

static ctune_status nc_predict_proba(void *self, const ctune_data *X, double *out)
{
    const nc *m = self;
    double *row = malloc(m->d * sizeof *row), *dist = malloc(m->k * sizeof *dist);
    if (!row || !dist) {
        free(row), free(dist);
        return ctune_set_error(CTUNE_ENOMEM, "NearestCentroid: out of memory");
    }
    for (size_t i = 0; i < ctune_data_n_rows(X); i++) {
        nc_dist(m, X, i, row, dist);
        double lo = INFINITY, sum = 0;
        for (size_t c = 0; c < m->k; c++)
            lo = fmin(lo, dist[c]);
        for (size_t c = 0; c < m->k; c++)
            sum += out[i * m->k + c] = exp(lo - dist[c]); /* softmax of -distance */
        for (size_t c = 0; c < m->k; c++)
            out[i * m->k + c] /= sum;
    }
    free(row), free(dist);
    return CTUNE_OK;
}

static const ctune_estimator_vtable NEAREST_CENTROID = {
    .version = CTUNE_ESTIMATOR_VTABLE_VERSION,
    .name = "NearestCentroid",
    .kind = CTUNE_CLASSIFIER,
    .params = NC_PARAMS,
    .create = nc_create,
    .fit = nc_fit,
    .predict = nc_predict,
    .predict_proba = nc_predict_proba,
    .destroy = nc_destroy,
};

#include <check.h>

START_TEST(test_nearest_centroid_conforms)
{
    ctune_estimator *est;
    char report[4096];
    int failed = -1;
    ck_assert_int_eq(ctune_estimator_new(&est, &NEAREST_CENTROID, NULL), CTUNE_OK);
    ck_assert_int_ge(ctune_check_estimator(report, sizeof report, &failed, est, NULL), 0);
    ck_assert_msg(failed == 0, "%d check(s) failed:\n%s", failed, report);
    /* the same with other params and another data shape */
    ck_assert_int_eq(ctune_estimator_set_params_text(est, "shrink=0.5"), CTUNE_OK);
    ck_assert_int_ge(
        ctune_check_estimator(report, sizeof report, &failed, est, "n_classes=2, n_features=1"), 0);
    ck_assert_msg(failed == 0, "%d check(s) failed:\n%s", failed, report);
    ctune_estimator_free(est);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("nearest_centroid");
    TCase *tc = tcase_create("conformance");
    tcase_add_test(tc, test_nearest_centroid_conforms);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int nf = srunner_ntests_failed(sr);
    srunner_free(sr);
    return nf == 0 ? 0 : 1;
}
