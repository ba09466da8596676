/* Check suite: metrics on arrays, each against a value computed by hand
 * (the computation is written next to the assertion). */
#include <math.h>
#include <string.h>

#include "testutil.h"

#define EPS 1e-12
#define ck_near(a, b) ck_assert_double_eq_tol((a), (b), EPS)

START_TEST(test_accuracy)
{
    const double t[5] = {0, 1, 2, 1, 0}, p[5] = {0, 2, 2, 1, 1};
    double v;
    /* hits at rows 0, 2, 3 -> 3/5 */
    ck_assert_ok(ctune_metric_accuracy(&v, t, p, 5));
    ck_near(v, 0.6);
    ck_assert_status(ctune_metric_accuracy(&v, t, p, 0), CTUNE_EINVAL);
    ck_assert_status(ctune_metric_accuracy(&v, NULL, p, 5), CTUNE_EINVAL);
    ck_assert_error_has("y_true is NULL");
    const double bad[5] = {0, 1, NAN, 1, 0};
    ck_assert_status(ctune_metric_accuracy(&v, t, bad, 5), CTUNE_EDATA);
    ck_assert_str_eq(ctune_last_error(), "y_pred row 2 is NaN");
}
END_TEST

START_TEST(test_balanced_accuracy)
{
    double v;
    /* class 0: rows 0-3, 3 of 4 right -> 3/4; class 1: rows 4-5, 1 of 2 -> 1/2;
     * mean = (0.75 + 0.5) / 2 = 0.625 */
    const double t[6] = {0, 0, 0, 0, 1, 1}, p[6] = {0, 0, 0, 1, 1, 0};
    ck_assert_ok(ctune_metric_balanced_accuracy(&v, t, p, 6));
    ck_near(v, 0.625);
    /* predicted class 2 is absent from y_true and ignored: recall(0) = 1/2,
     * recall(1) = 1 -> 0.75 */
    const double t2[3] = {0, 0, 1}, p2[3] = {0, 2, 1};
    ck_assert_ok(ctune_metric_balanced_accuracy(&v, t2, p2, 3));
    ck_near(v, 0.75);
    /* labels {3, 7}: recall(3) = 1/1, recall(7) = 1/3 -> 2/3 */
    const double t3[4] = {3, 7, 7, 7}, p3[4] = {3, 7, 3, 3};
    ck_assert_ok(ctune_metric_balanced_accuracy(&v, t3, p3, 4));
    ck_near(v, 2.0 / 3.0);
    ck_assert_status(ctune_metric_balanced_accuracy(&v, t3, p3, 0), CTUNE_EINVAL);
    const double inf[4] = {3, INFINITY, 7, 7};
    ck_assert_status(ctune_metric_balanced_accuracy(&v, inf, p3, 4), CTUNE_EDATA);
    ck_assert_str_eq(ctune_last_error(), "y_true row 1 is +Inf");
}
END_TEST

START_TEST(test_log_loss)
{
    double v;
    /* -(ln 0.7 + ln 0.8 + ln 0.4) / 3
     *  = (0.35667494393873245 + 0.2231435513142097 + 0.916290731874155) / 3
     *  = 0.49870307570903237 */
    const double y[3] = {0, 1, 2};
    const double p[9] = {0.7, 0.2, 0.1, 0.1, 0.8, 0.1, 0.3, 0.3, 0.4};
    ck_assert_ok(ctune_metric_log_loss(&v, y, p, 3, 3));
    ck_near(v, 0.49870307570903237);
    /* scikit-learn's doc example (ham = 0, spam = 1):
     * -(ln .9 + ln .9 + ln .8 + ln .65) / 4 = 0.21616187468057912 */
    const double y2[4] = {1, 0, 0, 1};
    const double p2[8] = {.1, .9, .9, .1, .8, .2, .35, .65};
    ck_assert_ok(ctune_metric_log_loss(&v, y2, p2, 4, 2));
    ck_near(v, 0.21616187468057912);
    /* p = 0 for the true class is clipped to 1e-15: [1 - 1e-15, 1e-15] sums
     * to 1, loss = -ln(1e-15) = 34.538776394910684 */
    const double y3[1] = {1}, p3[2] = {1.0, 0.0};
    ck_assert_ok(ctune_metric_log_loss(&v, y3, p3, 1, 2));
    ck_assert_double_eq_tol(v, 34.538776394910684, 1e-9);
    /* rows are renormalized: [0.2, 0.2] -> [0.5, 0.5], loss ln 2 */
    const double y4[1] = {0}, p4[2] = {0.2, 0.2};
    ck_assert_ok(ctune_metric_log_loss(&v, y4, p4, 1, 2));
    ck_near(v, log(2.0));
    /* codes, not labels */
    const double bad[3] = {0, 3, 1};
    ck_assert_status(ctune_metric_log_loss(&v, bad, p, 3, 3), CTUNE_EDATA);
    ck_assert_error_has("y_true row 1 is 3");
    const double half[3] = {0, 0.5, 1};
    ck_assert_status(ctune_metric_log_loss(&v, half, p, 3, 3), CTUNE_EDATA);
    const double pn[9] = {0.7, 0.2, 0.1, 0.1, 0.8, 0.1, 0.3, NAN, 0.4};
    ck_assert_status(ctune_metric_log_loss(&v, y, pn, 3, 3), CTUNE_EDATA);
    ck_assert_str_eq(ctune_last_error(), "proba row 2, target 1 is NaN");
    ck_assert_status(ctune_metric_log_loss(&v, y, p, 3, 0), CTUNE_EINVAL);
    ck_assert_status(ctune_metric_log_loss(&v, y, NULL, 3, 3), CTUNE_EINVAL);
}
END_TEST

START_TEST(test_precision_recall_f1_binary)
{
    double v;
    const double t[6] = {1, 1, 1, 0, 0, 0}, p[6] = {1, 0, 0, 1, 0, 0};
    /* pos 1: tp = 1 (row 0), fn = 2 (rows 1, 2), fp = 1 (row 3)
     * precision 1/2, recall 1/3, F1 = 2/(2 + 1 + 2) = 0.4 */
    ck_assert_ok(ctune_metric_precision(&v, t, p, 6, CTUNE_AVERAGE_BINARY, 1));
    ck_near(v, 0.5);
    ck_assert_ok(ctune_metric_recall(&v, t, p, 6, CTUNE_AVERAGE_BINARY, 1));
    ck_near(v, 1.0 / 3.0);
    ck_assert_ok(ctune_metric_f1(&v, t, p, 6, CTUNE_AVERAGE_BINARY, 1));
    ck_near(v, 0.4);
    /* pos 0: tp = 2 (rows 4, 5), fp = 2 (rows 1, 2), fn = 1 (row 3)
     * precision 1/2, recall 2/3, F1 = 4/(4 + 2 + 1) = 4/7 */
    ck_assert_ok(ctune_metric_precision(&v, t, p, 6, CTUNE_AVERAGE_BINARY, 0));
    ck_near(v, 0.5);
    ck_assert_ok(ctune_metric_recall(&v, t, p, 6, CTUNE_AVERAGE_BINARY, 0));
    ck_near(v, 2.0 / 3.0);
    ck_assert_ok(ctune_metric_f1(&v, t, p, 6, CTUNE_AVERAGE_BINARY, 0));
    ck_near(v, 4.0 / 7.0);
    /* macro = mean of both: P (1/2 + 1/2)/2, R (1/3 + 2/3)/2, F1 (0.4 + 4/7)/2 */
    ck_assert_ok(ctune_metric_precision(&v, t, p, 6, CTUNE_AVERAGE_MACRO, 99));
    ck_near(v, 0.5);
    ck_assert_ok(ctune_metric_recall(&v, t, p, 6, CTUNE_AVERAGE_MACRO, 99));
    ck_near(v, 0.5);
    ck_assert_ok(ctune_metric_f1(&v, t, p, 6, CTUNE_AVERAGE_MACRO, 99));
    ck_near(v, (0.4 + 4.0 / 7.0) / 2.0);
    /* zero division: nothing predicted positive -> precision 0, F1 0 */
    const double none[6] = {0, 0, 0, 0, 0, 0};
    ck_assert_ok(ctune_metric_precision(&v, t, none, 6, CTUNE_AVERAGE_BINARY, 1));
    ck_near(v, 0.0);
    ck_assert_ok(ctune_metric_f1(&v, t, none, 6, CTUNE_AVERAGE_BINARY, 1));
    ck_near(v, 0.0);
    /* labels {3, 7}, pos 7: tp = 1 (row 1), fp = 1 (row 2), fn = 1 (row 3):
     * P = R = F1 = 1/2 */
    const double t7[4] = {3, 7, 3, 7}, p7[4] = {3, 7, 7, 3};
    ck_assert_ok(ctune_metric_f1(&v, t7, p7, 4, CTUNE_AVERAGE_BINARY, 7));
    ck_near(v, 0.5);
    ck_assert_status(ctune_metric_f1(&v, t7, p7, 4, CTUNE_AVERAGE_BINARY, 1), CTUNE_EINVAL);
    ck_assert_error_has("pos_label=1 is not a valid label; labels: 3, 7");
    const double t3[3] = {0, 1, 2}, p3[3] = {0, 1, 1};
    ck_assert_status(ctune_metric_recall(&v, t3, p3, 3, CTUNE_AVERAGE_BINARY, 1), CTUNE_EINVAL);
    ck_assert_error_has("3 classes");
    ck_assert_error_has("use macro");
    ck_assert_status(ctune_metric_recall(&v, t3, p3, 3, 0, 1), CTUNE_EINVAL);
    ck_assert_error_has("average 0");
    ck_assert_status(ctune_metric_recall(&v, t3, p3, 0, CTUNE_AVERAGE_MACRO, 1), CTUNE_EINVAL);
    ck_assert_status(ctune_metric_recall(&v, t3, p3, 3, CTUNE_AVERAGE_BINARY, NAN), CTUNE_EINVAL);
}
END_TEST

START_TEST(test_precision_recall_f1_macro)
{
    double v;
    /* scikit-learn's doc example: y_true 0 1 2 0 1 2, y_pred 0 2 1 0 0 1
     * class 0: tp 2, fp 1, fn 0 -> P 2/3, R 1, F1 4/5
     * class 1: tp 0, fp 2, fn 2 -> 0, 0, 0;  class 2: tp 0, fp 1, fn 2 -> 0
     * macro P = 2/9, R = 1/3, F1 = 0.8/3 = 4/15 */
    const double t[6] = {0, 1, 2, 0, 1, 2}, p[6] = {0, 2, 1, 0, 0, 1};
    ck_assert_ok(ctune_metric_precision(&v, t, p, 6, CTUNE_AVERAGE_MACRO, 0));
    ck_near(v, 2.0 / 9.0);
    ck_assert_ok(ctune_metric_recall(&v, t, p, 6, CTUNE_AVERAGE_MACRO, 0));
    ck_near(v, 1.0 / 3.0);
    ck_assert_ok(ctune_metric_f1(&v, t, p, 6, CTUNE_AVERAGE_MACRO, 0));
    ck_near(v, 4.0 / 15.0);
    /* a label only in y_pred counts in the macro mean: labels {0, 1, 5};
     * recall: class 0 1/2, class 1 1, class 5 0/0 -> 0; mean 1/2 */
    const double t2[3] = {0, 0, 1}, p2[3] = {0, 5, 1};
    ck_assert_ok(ctune_metric_recall(&v, t2, p2, 3, CTUNE_AVERAGE_MACRO, 0));
    ck_near(v, 0.5);
}
END_TEST

START_TEST(test_roc_auc)
{
    double v;
    /* scikit-learn's doc example: pairs (pos, neg) won: 0.35 > 0.1, 0.35 < 0.4,
     * 0.8 > both -> 3/4 */
    const double t[4] = {0, 0, 1, 1}, s[4] = {0.1, 0.4, 0.35, 0.8};
    ck_assert_ok(ctune_metric_roc_auc(&v, t, s, 4, 1));
    ck_near(v, 0.75);
    /* pos_label 0 swaps the roles: AUC = 1 - 0.75 */
    ck_assert_ok(ctune_metric_roc_auc(&v, t, s, 4, 0));
    ck_near(v, 0.25);
    /* ties count half: pos 0.5 vs neg 0.5 -> 0.5, vs neg 0.2 -> 1; pos 0.9 -> 1, 1
     * (0.5 + 1 + 1 + 1) / 4 = 0.875. Trapezoids over thresholds 0.9, 0.5, 0.2:
     * (0,1) -> (1,2): 1 * 3/2; (1,2) -> (2,2): 1 * 4/2; 3.5 / (2 * 2) = 0.875 */
    const double t2[4] = {0, 1, 0, 1}, s2[4] = {0.5, 0.5, 0.2, 0.9};
    ck_assert_ok(ctune_metric_roc_auc(&v, t2, s2, 4, 1));
    ck_near(v, 0.875);
    /* all scores equal: one threshold, one diagonal trapezoid -> 0.5 */
    const double s3[4] = {1, 1, 1, 1};
    ck_assert_ok(ctune_metric_roc_auc(&v, t2, s3, 4, 1));
    ck_near(v, 0.5);
    /* labels {3, 7}, positive 7: pos scores 0.6, 0.9, neg 0.1, 0.6, 0.7:
     * 0.6: win, tie, lose = 1.5; 0.9: 3 wins -> 4.5 / 6 = 0.75 */
    const double t4[5] = {3, 7, 3, 7, 3}, s4[5] = {0.1, 0.6, 0.6, 0.9, 0.7};
    ck_assert_ok(ctune_metric_roc_auc(&v, t4, s4, 5, 7));
    ck_near(v, 0.75);
    const double t5[3] = {0, 1, 2}, s5[3] = {0.1, 0.2, 0.3};
    ck_assert_status(ctune_metric_roc_auc(&v, t5, s5, 3, 1), CTUNE_EINVAL);
    ck_assert_error_has("y_true row 2 is 2, a third label");
    ck_assert_error_has("only binary ROC AUC");
    const double t6[3] = {1, 1, 1};
    ck_assert_status(ctune_metric_roc_auc(&v, t6, s5, 3, 1), CTUNE_EINVAL);
    ck_assert_error_has("only one class present");
    const double sn[3] = {0.1, NAN, 0.3};
    ck_assert_status(ctune_metric_roc_auc(&v, t5, sn, 3, 1), CTUNE_EDATA);
    ck_assert_str_eq(ctune_last_error(), "y_score row 1 is NaN");
    ck_assert_status(ctune_metric_roc_auc(&v, t5, s5, 0, 1), CTUNE_EINVAL);
    ck_assert_status(ctune_metric_roc_auc(NULL, t5, s5, 3, 1), CTUNE_EINVAL);
}
END_TEST

START_TEST(test_regression)
{
    double v;
    /* residuals 0.5, -0.5, 0, -1:
     * MSE (0.25 + 0.25 + 0 + 1)/4 = 0.375, MAE (0.5 + 0.5 + 0 + 1)/4 = 0.5,
     * RMSE sqrt(0.375); R²: mean 2.875, SS_tot = 29.1875, SS_res = 1.5 ->
     * 1 - 1.5/29.1875 */
    const double t[4] = {3, -0.5, 2, 7}, p[4] = {2.5, 0, 2, 8};
    ck_assert_ok(ctune_metric_mse(&v, t, p, 4, 1));
    ck_near(v, 0.375);
    ck_assert_ok(ctune_metric_mae(&v, t, p, 4, 1));
    ck_near(v, 0.5);
    ck_assert_ok(ctune_metric_rmse(&v, t, p, 4, 1));
    ck_near(v, sqrt(0.375));
    ck_assert_ok(ctune_metric_r2(&v, t, p, 4, 1));
    ck_near(v, 1.0 - 1.5 / 29.1875);
    /* two targets (scikit-learn's doc example), averaged uniformly:
     * column 0 residuals 0.5, 0, -1: MSE 1.25/3, MAE 1.5/3; column 1: 1, 1, 1
     * MSE = (1.25/3 + 1)/2, MAE = (0.5 + 1)/2, RMSE = (sqrt(1.25/3) + 1)/2 */
    const double t2[6] = {0.5, 1, -1, 1, 7, -6}, p2[6] = {0, 2, -1, 2, 8, -5};
    ck_assert_ok(ctune_metric_mse(&v, t2, p2, 3, 2));
    ck_near(v, (1.25 / 3.0 + 1.0) / 2.0);
    ck_assert_ok(ctune_metric_mae(&v, t2, p2, 3, 2));
    ck_near(v, 0.75);
    ck_assert_ok(ctune_metric_rmse(&v, t2, p2, 3, 2));
    ck_near(v, (sqrt(1.25 / 3.0) + 1.0) / 2.0);
    /* R² of a constant column: 1 when exact, else 0 */
    const double c[3] = {2, 2, 2}, c2[3] = {2, 2, 3};
    ck_assert_ok(ctune_metric_r2(&v, c, c, 3, 1));
    ck_near(v, 1.0);
    ck_assert_ok(ctune_metric_r2(&v, c, c2, 3, 1));
    ck_near(v, 0.0);
    ck_assert_status(ctune_metric_mse(&v, t, p, 0, 1), CTUNE_EINVAL);
    ck_assert_status(ctune_metric_mae(&v, t, p, 4, 0), CTUNE_EINVAL);
    ck_assert_status(ctune_metric_rmse(&v, NULL, p, 4, 1), CTUNE_EINVAL);
    const double pn[6] = {0, 2, -1, INFINITY, 8, -5};
    ck_assert_status(ctune_metric_mse(&v, t2, pn, 3, 2), CTUNE_EDATA);
    ck_assert_str_eq(ctune_last_error(), "y_pred row 1, target 1 is +Inf");
    ck_assert_status(ctune_metric_r2(&v, t2, pn, 3, 2), CTUNE_EDATA);
}
END_TEST

START_TEST(test_alloc_failure_sweep)
{
    const double t[6] = {0, 1, 2, 0, 1, 2}, p[6] = {0, 2, 1, 0, 0, 1};
    const double tb[4] = {0, 0, 1, 1}, s[4] = {0.1, 0.4, 0.35, 0.8};
    int64_t live = ctune_alloc_live();
    for (int which = 0; which < 3; which++) {
        int ok = 0;
        for (int k = 1; k < 20 && !ok; k++) {
            double v;
            ctune_alloc_fail_at(k, 0);
            ctune_status rc = which == 0   ? ctune_metric_balanced_accuracy(&v, t, p, 6)
                              : which == 1 ? ctune_metric_f1(&v, t, p, 6, CTUNE_AVERAGE_MACRO, 0)
                                           : ctune_metric_roc_auc(&v, tb, s, 4, 1);
            ctune_alloc_fail_at(0, 0);
            if (rc != CTUNE_OK)
                ck_assert_int_eq(rc, CTUNE_ENOMEM);
            ck_assert_int_eq(ctune_alloc_live(), live);
            ok = rc == CTUNE_OK;
        }
        ck_assert_msg(ok, "metric %d never succeeded", which);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("metrics");
    TCase *tc = tcase_create("metrics");
    tcase_add_test(tc, test_accuracy);
    tcase_add_test(tc, test_balanced_accuracy);
    tcase_add_test(tc, test_log_loss);
    tcase_add_test(tc, test_precision_recall_f1_binary);
    tcase_add_test(tc, test_precision_recall_f1_macro);
    tcase_add_test(tc, test_roc_auc);
    tcase_add_test(tc, test_regression);
    tcase_add_test(tc, test_alloc_failure_sweep);
    suite_add_tcase(s, tc);
    return ctu_run_suite(s);
}
