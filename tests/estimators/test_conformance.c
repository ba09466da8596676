/* Check suite: every built-in estimator passes the conformance kit. */
#include <string.h>

#include "testutil.h"

typedef ctune_status (*maker)(ctune_estimator **out);

static void run_kit(ctune_estimator *e, const char *options)
{
    char report[8192];
    int failed = -1;
    ck_assert_len(ctune_check_estimator(report, sizeof report, &failed, e, options));
    ck_assert_msg(failed == 0, "%s (%s): %d check(s) failed:\n%s", ctune_estimator_name(e),
                  options ? options : "defaults", failed, report);
}

static void check_made(maker make, const char *params, const char *options)
{
    ctune_estimator *e;
    ck_assert_ok(make(&e));
    if (params)
        ck_assert_ok(ctune_estimator_set_params_text(e, params));
    run_kit(e, options);
    ctune_estimator_free(e);
}

START_TEST(test_dummies)
{
    check_made(ctune_dummy_classifier_new, "strategy=stratified, seed=4", NULL);
    check_made(ctune_dummy_regressor_new, "strategy=median", NULL);
}
END_TEST

START_TEST(test_trees)
{
    check_made(ctune_decision_tree_classifier_new, NULL, NULL);
    check_made(ctune_decision_tree_classifier_new,
               "criterion=entropy, splitter=random, max_features=sqrt, max_depth=4, seed=9", NULL);
    check_made(ctune_decision_tree_classifier_new, "max_leaf_nodes=5, class_weight=balanced",
               "n_classes=3");
    check_made(ctune_decision_tree_regressor_new, NULL, NULL);
    check_made(ctune_decision_tree_regressor_new, "criterion=absolute_error, min_samples_leaf=3",
               NULL);
}
END_TEST

START_TEST(test_scaler)
{
    check_made(ctune_standard_scaler_new, NULL, NULL);
    check_made(ctune_standard_scaler_new, "with_mean=false", NULL);
}
END_TEST

START_TEST(test_pipelines)
{
    ctune_estimator *scaler, *tree, *mlp, *pipe;
    ck_assert_ok(ctune_standard_scaler_new(&scaler));
    ck_assert_ok(ctune_decision_tree_classifier_new(&tree));
    ck_assert_ok(ctune_pipeline_new(&pipe));
    ck_assert_ok(ctune_pipeline_add_step(pipe, "scaler", scaler));
    ck_assert_ok(ctune_pipeline_add_step(pipe, "tree", tree));
    run_kit(pipe, NULL);
    ctune_estimator_free(pipe);

    ck_assert_ok(ctune_mlp_classifier_new(&mlp));
    ck_assert_ok(ctune_estimator_set_params_text(mlp, "epochs=3, batch_size=8"));
    ck_assert_ok(ctune_pipeline_new(&pipe));
    ck_assert_ok(ctune_pipeline_add_step(pipe, "scaler", scaler));
    ck_assert_ok(ctune_pipeline_add_step(pipe, "mlp", mlp));
    run_kit(pipe, NULL);
    ctune_estimator_free(pipe);
    ctune_estimator_free(mlp);
    ctune_estimator_free(tree);
    ctune_estimator_free(scaler);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("conformance");
    TCase *tc = tcase_create("builtins");
    tcase_set_timeout(tc, 240);
    tcase_add_test(tc, test_dummies);
    tcase_add_test(tc, test_trees);
    tcase_add_test(tc, test_scaler);
    tcase_add_test(tc, test_pipelines);
    suite_add_tcase(s, tc);
    return ctu_run_suite(s);
}
