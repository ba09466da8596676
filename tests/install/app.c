/* A program outside the tree that uses the installed ctune: built by
 * scripts/install-test.sh with pkg-config (shared and fully static) and with
 * CMake (ctune::ctune, ctune::ctune_static). It trains a small MLP so that
 * BLIS is linked and called, not only referenced. */
#include <stdio.h>
#include <string.h>

#include <ctune.h>

int main(void)
{
    double X[16] = {0, 0, 0, 1, 1, 0, 1, 1, 0, 0, 0, 1, 1, 0, 1, 1};
    double y[8] = {0, 1, 1, 1, 0, 1, 1, 1};
    ctune_data *d = NULL;
    ctune_estimator *mlp = NULL;
    double acc = 0;
    int rc = 1;
    if (ctune_data_new(&d, X, CTUNE_FLOAT64, 8, 2, 0, y, 1) != CTUNE_OK ||
        ctune_mlp_classifier_new(&mlp) != CTUNE_OK ||
        ctune_estimator_set_params_text(mlp, "epochs=3, batch_size=4, nn=8") != CTUNE_OK ||
        ctune_estimator_fit(mlp, d) != CTUNE_OK ||
        ctune_estimator_score(&acc, mlp, d) != CTUNE_OK) {
        fprintf(stderr, "app: %s\n", ctune_last_error());
        goto out;
    }
    printf("ctune %s: %zu rows, training accuracy %.2f\n", ctune_version_string(),
           ctune_data_n_rows(d), acc);
    rc = strcmp(ctune_version_string(), "") == 0;
out:
    ctune_estimator_free(mlp);
    ctune_data_free(d);
    return rc;
}
