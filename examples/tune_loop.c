/* Tuning a hand-written training loop with the ask/tell tuner.
 *
 * The model is not an estimator: a one-variable linear regression fitted by
 * gradient descent, in a loop this program owns. The tuner proposes the
 * learning rate and the momentum, the loop reports its validation loss each
 * epoch and stops when the median pruner says so, then tells the final loss.
 * The same loop then runs through ctune_tuner_optimize() as an objective.
 *
 * Build: cc tune_loop.c $(pkg-config --cflags --libs ctune) -lm */
#define CTUNE_EXPERIMENTAL
#include <ctune.h>

#include <math.h>
#include <stdio.h>

#define N 64
#define EPOCHS 20

/* y = 3x - 1 with a little deterministic noise, x in [-1, 1]. */
static void make_data(double *x, double *y)
{
    for (int i = 0; i < N; i++) {
        x[i] = -1.0 + 2.0 * i / (N - 1);
        y[i] = 3.0 * x[i] - 1.0 + 0.05 * sin(17.0 * i);
    }
}

static double mse(double w, double b, const double *x, const double *y, int lo, int hi)
{
    double s = 0;
    for (int i = lo; i < hi; i++)
        s += (w * x[i] + b - y[i]) * (w * x[i] + b - y[i]);
    return s / (hi - lo);
}

/* One training run: even rows train, odd rows validate. Calls report(step,
 * loss) after each epoch; stops early when it returns non-zero. */
typedef int (*report_fn)(void *ctx, int epoch, double loss);

static double train(double lr, double momentum, report_fn report, void *ctx)
{
    double x[N], y[N];
    make_data(x, y);
    double w = 0, b = 0, vw = 0, vb = 0, loss = NAN;
    for (int epoch = 0; epoch < EPOCHS; epoch++) {
        double gw = 0, gb = 0;
        for (int i = 0; i < N; i += 2) {
            double e = w * x[i] + b - y[i];
            gw += 2 * e * x[i] / (N / 2);
            gb += 2 * e / (N / 2);
        }
        vw = momentum * vw - lr * gw;
        vb = momentum * vb - lr * gb;
        w += vw;
        b += vb;
        loss = mse(w, b, x, y, 0, N); /* a validation loss */
        if (!isfinite(loss) || report(ctx, epoch, loss))
            break;
    }
    return loss;
}

/* ---- ask / tell ---- */

typedef struct {
    ctune_tuner *t;
    size_t trial;
    int pruned; /* the pruner said stop */
} loop_ctx;

static int report_to_tuner(void *vctx, int epoch, double loss)
{
    loop_ctx *c = vctx;
    int prune = 0;
    if (ctune_tuner_report(&prune, c->t, c->trial, epoch, loss) != CTUNE_OK)
        return 1;
    c->pruned = prune;
    return prune;
}

static int ask_tell(const ctune_space *space)
{
    ctune_tuner *t = NULL;
    if (ctune_tuner_new(&t, space,
                        "seed=42, direction=minimize, pruner=median, "
                        "n_startup_trials=3, n_warmup_steps=5") != CTUNE_OK) {
        fprintf(stderr, "tuner: %s\n", ctune_last_error());
        return 1;
    }
    int pruned = 0;
    for (int i = 0; i < 25; i++) {
        loop_ctx c = {t, 0, 0};
        const ctune_params *p = NULL;
        double lr = 0, momentum = 0;
        if (ctune_tuner_ask(&c.trial, &p, t) != CTUNE_OK ||
            ctune_params_get_double(&lr, p, "lr") != CTUNE_OK ||
            ctune_params_get_double(&momentum, p, "momentum") != CTUNE_OK) {
            fprintf(stderr, "ask: %s\n", ctune_last_error());
            ctune_tuner_free(t);
            return 1;
        }
        double loss = train(lr, momentum, report_to_tuner, &c);
        if (c.pruned)
            pruned += ctune_tuner_tell_pruned(t, c.trial) == CTUNE_OK;
        else if (!isfinite(loss))
            ctune_tuner_tell_failed(t, c.trial, "the loss diverged");
        else
            ctune_tuner_tell(t, c.trial, loss);
    }
    size_t best;
    double loss;
    const ctune_params *p;
    char text[128];
    if (ctune_tuner_best(&best, &loss, t) != CTUNE_OK ||
        ctune_tuner_trial(NULL, NULL, &p, t, best) != CTUNE_OK) {
        fprintf(stderr, "best: %s\n", ctune_last_error());
        ctune_tuner_free(t);
        return 1;
    }
    ctune_params_to_text(text, sizeof text, p);
    printf("ask/tell: best trial %zu (%s), validation loss %.4g, %d pruned\n", best, text, loss,
           pruned);
    ctune_tuner_free(t);
    return loss < 0.01 ? 0 : 1;
}

/* ---- optimize ---- */

static int report_to_ctx(void *vctx, int epoch, double loss)
{
    ctune_trial_ctx *ctx = vctx;
    return ctune_trial_report(ctx, epoch, loss) != CTUNE_OK || ctune_trial_should_prune(ctx);
}

static ctune_status objective(const ctune_params *p, ctune_trial_ctx *ctx, double *value,
                              void *user)
{
    (void)user;
    double lr, momentum;
    ctune_status rc = ctune_params_get_double(&lr, p, "lr");
    if (rc == CTUNE_OK)
        rc = ctune_params_get_double(&momentum, p, "momentum");
    if (rc != CTUNE_OK)
        return rc;
    *value = train(lr, momentum, report_to_ctx, ctx); /* NaN: a failed trial */
    return CTUNE_OK;
}

static int optimize(const ctune_space *space)
{
    ctune_tuner *t = NULL;
    ctune_status rc = ctune_tuner_new(&t, space, "seed=42, direction=minimize, pruner=median");
    if (rc == CTUNE_OK)
        rc = ctune_tuner_optimize(t, objective, NULL, "n_trials=25, timeout=60, n_jobs=2");
    size_t best = 0;
    double loss = NAN;
    if (rc == CTUNE_OK)
        rc = ctune_tuner_best(&best, &loss, t);
    if (rc != CTUNE_OK) {
        fprintf(stderr, "optimize: %s\n", ctune_last_error());
        ctune_tuner_free(t);
        return 1;
    }
    printf("optimize: best trial %zu, validation loss %.4g, stopped by %s\n", best, loss,
           ctune_tuner_stopped_by(t));
    ctune_tuner_free(t);
    return loss < 0.01 ? 0 : 1;
}

int main(void)
{
    ctune_space *space = NULL;
    if (ctune_space_parse(&space, "lr: loguniform(1e-3, 1); momentum: uniform(0, 0.95)") !=
        CTUNE_OK) {
        fprintf(stderr, "space: %s\n", ctune_last_error());
        return 1;
    }
    int bad = ask_tell(space);
    bad |= optimize(space);
    ctune_space_free(space);
    return bad;
}
