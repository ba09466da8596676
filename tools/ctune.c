/* ctune — the command line: randomized / grid / TPE search, cross-validation,
 * fit / predict with saved models, and the embedded datasets.
 *
 * Exit codes: 0 ok, 1 data / model / library error (with the library's
 * message), 2 usage error (one line), 130 interrupted (results so far are
 * still printed). */
#define CTUNE_EXPERIMENTAL /* ctune_search_new_tpe(), ctune_study_*: --strategy tpe, --study */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CTUNE_EXPERIMENTAL /* successive halving */
#include "cli.h"
#include "cli_model.h"

#ifdef CTUNE_CLI_MPI
#include "cli_mpi.h"
#endif

/* Under mpirun: this rank and the number of ranks (1 rank otherwise). Only
 * rank 0 prints, writes results and saves models. */
static int g_rank = 0, g_ranks = 1;

static const char *SEARCH_OPTS = "data dataset target model space param n-iter cv scoring jobs "
                                 "seed results report save-model no-scale shuffle quiet strategy "
                                 "factor resource min-resources max-resources n-candidates "
                                 "aggressive-elimination max-epochs hyperband-iterations pruner "
                                 "tpe-batch study study-options timeout";
static const char *CV_OPTS =
    "data dataset target model param cv scoring jobs seed no-scale shuffle "
    "quiet";
static const char *FIT_OPTS = "data dataset target model param seed save-model no-scale quiet";
static const char *PREDICT_OPTS = "data target model-file output quiet";

static void usage_main(FILE *f)
{
    fprintf(f,
            "usage: ctune <command> [options]\n"
            "\n"
            "commands:\n"
            "  search     randomized search (default: the lecture's MLP search on breast_cancer)\n"
            "  grid       grid search over every point of --space\n"
            "  cv         cross_val_score of one configuration (mean ± std)\n"
            "  fit        fit one configuration on all the data and save it (--save-model)\n"
            "  predict    predict a CSV file with a saved model\n"
            "  tune       tune an external command (ask/tell tuner; see docs/tuner.md)\n"
            "  datasets   list the embedded datasets\n"
            "  report     HTML report with plots of a results file (--results x.json)\n"
            "  study      show or export a durable study (ctune study --help)\n"
            "\n"
            "  ctune --version | ctune <command> --help\n");
}

static void usage_search(FILE *f, const char *cmd)
{
    int grid = strcmp(cmd, "grid") == 0;
    fprintf(
        f,
        "usage: ctune %s [options]\n"
        "\n"
        "%s\n"
        "\n"
        "  --data FILE.csv      CSV with a header row (target: last column unless --target)\n"
        "  --dataset NAME       embedded dataset (default breast_cancer; see 'ctune datasets')\n"
        "  --target COL         target column of --data, by name or index\n"
        "  --model NAME         mlp (default), mlp_regressor, tree, tree_regressor, dummy,\n"
        "                       dummy_regressor\n"
        "  --no-scale           no StandardScaler in front of the MLP\n"
        "  --space TEXT         \"name: a|b|c; name: loguniform(1e-4, 1e-1); name: randint(1, "
        "9)\"\n"
        "                       (default: the lecture's space for the model)\n"
        "  --param k=v          fixed parameter (repeatable)\n"
        "%s"
        "%s"
        "  --cv K               folds (default 3; stratified for classifiers)\n"
        "  --shuffle            shuffle the rows before splitting into folds (seeded by --seed)\n"
        "  --scoring NAME       scorer, e.g. accuracy, f1, roc_auc, neg_log_loss, r2\n"
        "  --jobs N             parallel tasks (-1: all cores; default 1)\n"
        "  --seed S             seed of sampling, splits and models (default 0)\n"
        "  --results FILE       write the results table (.csv or .json)\n"
        "  --report FILE        write an HTML report with plots (see 'ctune report')\n"
        "  --save-model FILE    save the best estimator refitted on all the data\n"
        "  --study FILE         durable study (SQLite): created, or resumed after a kill;\n"
        "                       see docs/studies.md\n"
        "  --study-options TEXT durability=full, fresh=true, timeout=S, claim_timeout=S\n"
        "  --timeout S          wall seconds after which no new candidate starts; the\n"
        "                       search ends with the candidates that finished (S > 0)\n"
        "  --quiet              no progress and no candidate table\n"
        "  --strategy NAME      %s\n"
        "successive halving (--strategy halving):\n"
        "  --factor F           keep 1/F of the candidates per iteration, F times the\n"
        "                       resource (default 3)\n"
        "  --resource NAME      n_samples (default) or an integer parameter, e.g. epochs\n"
        "  --min-resources N    or smallest | exhaust\n"
        "  --max-resources N    or auto (the rows; n_samples only)\n"
        "%s"
        "  --aggressive-elimination  more iterations when resources are short\n"
        "Hyperband (--strategy hyperband; epochs are the budget):\n"
        "  --max-epochs N       the most epochs a candidate gets (default 100)\n"
        "  --factor F           as above (default 3)\n"
        "  --hyperband-iterations N  times the brackets run (default 1)\n"
        "Pruning (random or grid search; epochs are the steps):\n"
        "  --pruner NAME        median | sha | none: stop hopeless candidates after each\n"
        "                       epoch up to --max-epochs\n",
        cmd,
        grid ? "Grid search: evaluates every combination of the space with K-fold CV."
             : "Randomized search: samples --n-iter candidates from the space (without\n"
               "replacement when every entry is a list) and cross-validates each.",
        grid ? "" : "  --n-iter N           candidates to sample, or TPE trials (default 10)\n",
        grid ? ""
             : "  --tpe-batch K        TPE: trials proposed together from one history\n"
               "                       (default 1; results never depend on --jobs)\n",
        grid ? "grid (default) | halving (HalvingGridSearchCV)"
             : "random (default) | grid | tpe (Optuna's TPESampler) |\n"
               "                       halving (HalvingRandomSearchCV) |\n"
               "                       halving_grid (HalvingGridSearchCV) | hyperband",
        grid ? "" : "  --n-candidates N     or exhaust (default): first-iteration candidates\n");
}

/* The options text of a halving search from the --factor ... flags. */
/* The options text of a Hyperband search (the resource is the MLP's epochs). */
static int hyperband_options(const cli_opts *o, const char *cmd, const char *prefix, char *buf,
                             size_t cap)
{
    const char *names[] = {"factor", "max_epochs", "hyperband_iterations"};
    const char *vals[] = {o->factor, o->max_epochs, o->hb_iterations};
    int w = snprintf(buf, cap, "resource=%sepochs", prefix);
    for (int i = 0; i < 3 && w >= 0 && (size_t)w < cap; i++) {
        if (!vals[i])
            continue;
        if (strpbrk(vals[i], ",;='\"\n"))
            return cli_usage_error(cmd, "--%s: '%s' is not a value", names[i], vals[i]);
        w += snprintf(buf + w, cap - (size_t)w, ", %s=%s", names[i], vals[i]);
    }
    if (w < 0 || (size_t)w >= cap)
        return cli_usage_error(cmd, "hyperband options too long");
    return CLI_OK;
}

static int halving_options(const cli_opts *o, const char *cmd, const char *prefix, char *buf,
                           size_t cap)
{
    int w = snprintf(buf, cap, "aggressive_elimination=%s", o->aggressive ? "true" : "false");
    const char *names[] = {"factor", "resource", "min_resources", "max_resources", "n_candidates"};
    const char *vals[] = {o->factor, o->resource, o->min_resources, o->max_resources,
                          o->n_candidates};
    for (int i = 0; i < 5 && w >= 0 && (size_t)w < cap; i++) {
        if (!vals[i])
            continue;
        if (strpbrk(vals[i], ",;='\"\n"))
            return cli_usage_error(cmd, "--%s: '%s' is not a value", names[i], vals[i]);
        /* a parameter resource is named as --param names it: "epochs" is the
         * MLP step's in the default pipeline */
        int pre = i == 1 && strcmp(vals[i], "n_samples") != 0 && !strstr(vals[i], "__");
        w += snprintf(buf + w, cap - (size_t)w, ", %s=%s%s", names[i], pre ? prefix : "", vals[i]);
    }
    if (w < 0 || (size_t)w >= cap)
        return cli_usage_error(cmd, "halving options too long");
    return CLI_OK;
}

static void usage_cv(FILE *f)
{
    fprintf(f, "usage: ctune cv [--data FILE | --dataset NAME] [--target COL] [--model NAME]\n"
               "                [--param k=v ...] [--cv K] [--scoring NAME] [--jobs N] [--seed S]\n"
               "                [--shuffle] [--no-scale] [--quiet]\n"
               "\n"
               "cross_val_score of one configuration: prints each fold's score and mean ± std.\n");
}

static void usage_fit(FILE *f)
{
    fprintf(f, "usage: ctune fit [--data FILE | --dataset NAME] [--target COL] [--model NAME]\n"
               "                 [--param k=v ...] [--seed S] [--no-scale] --save-model FILE\n"
               "\n"
               "Fits one configuration on all the data, prints its training score and saves it.\n");
}

static void usage_predict(FILE *f)
{
    fprintf(
        f, "usage: ctune predict --model-file FILE --data FILE.csv [--target COL] [--output FILE]\n"
           "\n"
           "Predicts every row of a CSV file with a saved model and writes a CSV with a\n"
           "'prediction' column (to --output, or standard output). The CSV holds the features\n"
           "only, unless --target names a column to ignore.\n");
}

/* ---- data ---------------------------------------------------------------- */

/* CSV options "target=<col>" with the column typed (an integer is an index,
 * other text a name, none no target), never pasted as text. */
static int csv_target_options(const char *cmd, const char *target, char *opts, size_t cap)
{
    opts[0] = '\0';
    if (!target)
        return CLI_OK;
    ctune_params *p = NULL;
    if (ctune_params_new(&p) != CTUNE_OK ||
        ctune_params_set_text(p, "target", target) != CTUNE_OK) {
        ctune_params_free(p);
        return cli_fail("--target");
    }
    int rc = cli_options_text(cmd, p, opts, cap);
    ctune_params_free(p);
    return rc;
}

static int load_data(const cli_opts *o, ctune_data **out, char *label, size_t cap)
{
    ctune_status rc;
    if (o->data_file) {
        char opts[1024];
        int crc = csv_target_options("search", o->target, opts, sizeof opts);
        if (crc != CLI_OK)
            return crc;
        rc = ctune_csv_load(out, o->data_file, opts);
        snprintf(label, cap, "%s", o->data_file);
    } else {
        if (o->target)
            return cli_usage_error("search", "--target goes with --data, not with --dataset");
        const char *name = o->dataset ? o->dataset : "breast_cancer";
        rc = ctune_dataset_load(out, name, NULL);
        snprintf(label, cap, "%s", name);
    }
    if (rc != CTUNE_OK)
        return cli_fail("loading the data");
    return CLI_OK;
}

/* The scorer's name for output: --scoring, else the estimator's default. */
static const char *scorer_label(const cli_opts *o, const ctune_estimator *est)
{
    if (o->scoring)
        return o->scoring;
    return ctune_estimator_kind(est) == CTUNE_CLASSIFIER ? "accuracy" : "r2";
}

/* The splitter for --cv/--shuffle: NULL (the default cv) unless shuffled. */
static int make_splitter(const cli_opts *o, const ctune_estimator *est, ctune_splitter **out)
{
    *out = NULL;
    if (!o->shuffle)
        return CLI_OK;
    ctune_status st = ctune_cv_splitter_new(out, est, (size_t)o->cv, 1, o->seed);
    return st == CTUNE_OK ? CLI_OK : cli_fail("--cv");
}

/* ---- search / grid ------------------------------------------------------- */

/* The cross-validation options from typed values: --scoring is a string
 * value, never option text. (A search takes its options through the typed
 * setters: configure_search.) */
static int cv_options(const cli_opts *o, const char *cmd, char *buf, size_t cap)
{
    ctune_params *p = NULL;
    int ok = ctune_params_new(&p) == CTUNE_OK &&
             ctune_params_set_int(p, "n_jobs", o->jobs) == CTUNE_OK &&
             (!o->scoring || ctune_params_set_string(p, "scoring", o->scoring) == CTUNE_OK);
    int rc = ok ? cli_options_text(cmd, p, buf, cap) : cli_fail("options");
    ctune_params_free(p);
    return rc;
}

typedef struct progress_ctx {
    cli_progress *bar;
    size_t n_candidates;
    double *sum;   /* per candidate: sum of split scores */
    size_t *count; /* per candidate: splits done */
    double best;   /* best mean of a finished candidate */
} progress_ctx;

static int on_progress(size_t candidate, size_t split, double score, double elapsed, size_t done,
                       size_t total, void *user)
{
    (void)split, (void)elapsed;
    progress_ctx *p = user;
    size_t per = p->n_candidates ? total / p->n_candidates : 0;
    if (p->sum && candidate < p->n_candidates) {
        p->sum[candidate] += score;
        if (++p->count[candidate] == per) {
            double mean = p->sum[candidate] / (double)per;
            if (isfinite(mean) && (isnan(p->best) || mean > p->best))
                p->best = mean;
        }
    }
    cli_progress_update(p->bar, done, total, p->best);
    return 0; /* signals cancel through ctune_search_cancel() */
}

static void print_table(const ctune_search *s, size_t max_rows)
{
    size_t n = ctune_search_n_rows(s);
    size_t *order = malloc((n ? n : 1) * sizeof *order);
    double *rank = malloc((n ? n : 1) * sizeof *rank);
    if (!order || !rank) {
        free(order), free(rank);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        order[i] = i;
        if (ctune_search_result(&rank[i], s, "rank_test_score", i) != CTUNE_OK)
            rank[i] = INFINITY;
    }
    for (size_t i = 1; i < n; i++) { /* insertion sort by rank, stable */
        size_t k = order[i], j = i;
        while (j > 0 && rank[order[j - 1]] > rank[k]) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = k;
    }
    printf("\n%-5s %-8s %-8s %-9s %s\n", "rank", "mean", "std", "fit_s", "params");
    for (size_t r = 0; r < n && r < max_rows; r++) {
        size_t i = order[r];
        double mean = NAN, sd = NAN, fit = NAN;
        ctune_search_result(&mean, s, "mean_test_score", i);
        ctune_search_result(&sd, s, "std_test_score", i);
        ctune_search_result(&fit, s, "mean_fit_time", i);
        char params[512];
        if (ctune_search_result_text(params, sizeof params, s, "params", i) < 0)
            params[0] = '\0';
        if (isfinite(rank[i]))
            printf("%-5.0f %-8.4f %-8.4f %-9.4f %s\n", rank[i], mean, sd, fit, params);
        else
            printf("%-5s %-8s %-8s %-9s %s\n", "-", "-", "-", "-", params);
        const char *err = ctune_search_candidate_error(s, i);
        if (err)
            printf("      error: %s\n", err);
    }
    if (n > max_rows)
        printf("... %zu more (see --results)\n", n - max_rows);
    free(order);
    free(rank);
}

static int write_results(const ctune_search *s, const char *path)
{
    ctune_status rc;
    if (cli_results_is_json(path))
        rc = ctune_search_results_json(s, path);
    else
        rc = ctune_search_results_csv(s, path);
    return rc == CTUNE_OK ? CLI_OK : cli_fail("writing the results");
}

/* The search's options from the flags, through the typed setters (a flag's
 * value is never pasted into options text). *splitter: the --shuffle one,
 * owned by the caller. */
static int configure_search(ctune_search *s, const cli_opts *o, const char *cmd,
                            const ctune_estimator *est, ctune_splitter **splitter)
{
    if (ctune_search_set_cv(s, (size_t)o->cv) != CTUNE_OK)
        return cli_fail("--cv");
    if (ctune_search_set_n_jobs(s, o->jobs) != CTUNE_OK)
        return cli_fail("--jobs");
    if (ctune_search_set_scoring(s, o->scoring) != CTUNE_OK)
        return cli_fail("--scoring");
    if (ctune_search_set_random_state(s, o->seed) != CTUNE_OK ||
        ctune_search_set_refit(s, 1, NULL) != CTUNE_OK)
        return cli_fail("search options");
    if (o->timeout) { /* the number read by the library's parser, whatever the locale */
        ctune_params *p = NULL;
        double t = 0;
        int ok = ctune_params_new(&p) == CTUNE_OK &&
                 ctune_params_set_text(p, "timeout", o->timeout) == CTUNE_OK;
        int type = ok ? ctune_params_type(p, "timeout") : 0;
        int64_t i = 0;
        if (type == CTUNE_TYPE_INT && ctune_params_get_int(&i, p, "timeout") == CTUNE_OK)
            t = (double)i;
        else if (type != CTUNE_TYPE_DOUBLE || ctune_params_get_double(&t, p, "timeout") != CTUNE_OK)
            ok = 0;
        ctune_params_free(p);
        if (!ok)
            return cli_usage_error(cmd, "--timeout needs a number of seconds, got '%s'",
                                   o->timeout);
        if (ctune_search_set_timeout(s, t) != CTUNE_OK)
            return cli_usage_error(cmd, "--timeout: %s", ctune_last_error());
    }
    int rc = make_splitter(o, est, splitter);
    if (rc == CLI_OK && *splitter && ctune_search_set_splitter(s, *splitter) != CTUNE_OK)
        rc = cli_fail("--shuffle");
    return rc;
}

/* After ctune_search_fit() returned `st`: prints the best candidate and
 * the table, writes whatever results exist (also after a cancellation, a
 * failed refit or a lost MPI rank), then saves the model when the search
 * succeeded. Returns the exit code. */
static int report_search(ctune_search *s, ctune_status st, const cli_opts *o, const cli_model *m)
{
    char why[1024];
    snprintf(why, sizeof why, "%s", ctune_last_error());
    if (!ctune_search_has_results(s))
        return st == CTUNE_ECANCELLED && cli_interrupted() ? cli_signal_exit()
               : g_rank == 0                               ? cli_fail("search")
                                                           : CLI_ERROR;
    if (g_rank != 0) /* every rank holds the results; rank 0 reports them */
        return st == CTUNE_OK ? CLI_OK : st == CTUNE_ECANCELLED ? cli_signal_exit() : CLI_ERROR;
    if (st == CTUNE_ECANCELLED)
        fprintf(stderr, "ctune: interrupted after %zu tasks; results so far:\n",
                ctune_search_n_tasks_done(s));
    double best;
    if (ctune_search_best_score(&best, s) == CTUNE_OK) {
        char params[1024];
        ctune_params_to_text(params, sizeof params, ctune_search_best_params(s));
        printf("best score: %.4f (%s, mean of %zu folds)\n", best, scorer_label(o, m->est),
               ctune_search_n_splits(s));
        printf("best params: %s\n", params);
    } else {
        printf("best score: none (%s)\n",
               st == CTUNE_EALLFAILED ? "all fits failed" : ctune_last_error());
    }
    const char *by = ctune_search_stopped_by(s); /* the budget that ended it */
    if (by)
        printf("stopped by: %s (%zu results rows)\n", by, ctune_search_n_rows(s));
    for (size_t i = 0; i < ctune_search_n_warnings(s); i++)
        fprintf(stderr, "warning: %s\n", ctune_search_warning(s, i));
    if (!o->quiet)
        print_table(s, 20);
    int rc = CLI_OK;
    if (o->results)
        rc = write_results(s, o->results);
    if (o->report && ctune_search_report(s, o->report) != CTUNE_OK)
        rc = cli_fail("writing the report");
    if (st != CTUNE_OK && st != CTUNE_ECANCELLED) {
        /* the refit failed, every fit failed, or an MPI rank is gone */
        fprintf(stderr, "ctune: search: %s%s\n", why, o->save_model ? " (no model saved)" : "");
        return CLI_ERROR;
    }
    if (st == CTUNE_ECANCELLED)
        return cli_signal_exit(); /* no refit, no model */
    if (o->save_model) {          /* even when --results failed: one loss is enough */
        const ctune_estimator *bestm = ctune_search_best_estimator(s);
        if (!bestm) {
            fprintf(stderr, "ctune: no refitted best estimator to save\n");
            return CLI_ERROR;
        }
        if (ctune_estimator_save(bestm, o->save_model) != CTUNE_OK)
            return cli_fail("saving the model");
    }
    return rc;
}

/* Reads --strategy (and the command, 'grid' or 'search') into grid, halving (1 successive
 * halving, 2 Hyperband) and tpe; returns the exit code. */
static int search_strategy(const cli_opts *o, const char *cmd, int *grid_out, int *halving_out,
                           int *tpe_out)
{
    int grid = strcmp(cmd, "grid") == 0, halving = 0, tpe = 0;
    if (o->strategy) {
        if (strcmp(o->strategy, "grid") == 0)
            grid = 1;
        else if (strcmp(o->strategy, "halving") == 0)
            halving = 1;
        else if (strcmp(o->strategy, "halving_grid") == 0 && !grid)
            grid = halving = 1;
        else if (strcmp(o->strategy, "hyperband") == 0 && !grid)
            halving = 2;
        else if (strcmp(o->strategy, "tpe") == 0 && !grid)
            tpe = 1;
        else if (strcmp(o->strategy, "random") != 0 || grid)
            return cli_usage_error(cmd, "--strategy must be %s, got '%s'",
                                   grid ? "grid or halving"
                                        : "random, grid, tpe, halving, halving_grid or hyperband",
                                   o->strategy);
    }
    *grid_out = grid;
    *halving_out = halving;
    *tpe_out = tpe;
    return CLI_OK;
}

/* Checks that the search flags go with the strategy; returns the exit code. */
static int check_strategy_flags(const cli_opts *o, const char *cmd, int grid, int halving, int tpe,
                                int pruning)
{
    if (grid && o->n_iter_set)
        return cli_usage_error(cmd, "--n-iter is for 'ctune search', not for a grid search");
    if (halving && o->n_iter_set)
        return cli_usage_error(cmd, "--n-iter is not for halving: use --n-candidates");
    if (halving != 1 && (o->resource || o->min_resources || o->max_resources || o->n_candidates ||
                         o->aggressive || (o->factor && !halving)))
        return cli_usage_error(cmd, "--factor, --resource, --min-resources, --max-resources, "
                                    "--n-candidates and --aggressive-elimination go with "
                                    "--strategy halving");
    if (o->pruner && halving)
        return cli_usage_error(cmd,
                               "--pruner goes with a random or grid search, not with "
                               "--strategy %s",
                               o->strategy);
    if (halving != 2 && o->hb_iterations)
        return cli_usage_error(cmd, "--hyperband-iterations goes with --strategy hyperband");
    if (halving != 2 && !pruning && o->max_epochs)
        return cli_usage_error(cmd, "--max-epochs goes with --strategy hyperband or --pruner");
    if (pruning && !o->max_epochs)
        return cli_usage_error(cmd, "--pruner needs --max-epochs N (the epochs to train)");
    if (o->tpe_batch && !tpe)
        return cli_usage_error(cmd, "--tpe-batch needs --strategy tpe");
    return CLI_OK;
}

/* Sets the --pruner of the search on the model's epochs (--max-epochs of them). */
static int search_pruner(ctune_search *s, const cli_opts *o, const char *cmd, const char *prefix)
{
    char *end = NULL, resource[64];
    long steps = strtol(o->max_epochs, &end, 10);
    if (end == o->max_epochs || *end)
        return cli_usage_error(cmd, "--max-epochs needs an integer, got '%s'", o->max_epochs);
    snprintf(resource, sizeof resource, "%sepochs", prefix);
    if (ctune_search_set_pruner(s, o->pruner, resource, steps) != CTUNE_OK)
        return cli_fail("--pruner");
    return CLI_OK;
}

/* Fits the search on data with its progress bar, a signal cancelling it; returns the
 * status of the fit. */
static ctune_status run_search(ctune_search *s, ctune_data *data, const cli_opts *o,
                               const cli_model *m, const char *label, const ctune_space *space,
                               int grid, int halving, int tpe)
{
    /* TPE proposes its candidates as it goes: --n-iter of them, at most the
     * grid of a space of lists */
    size_t nc = ctune_search_n_candidates(s);
    uint64_t grid_points;
    if (tpe) {
        nc = (size_t)o->n_iter;
        if (ctune_space_grid_size(&grid_points, space) == CTUNE_OK && grid_points < nc)
            nc = (size_t)grid_points;
    }
    progress_ctx pc = {cli_progress_new(o->quiet || g_rank != 0, grid ? "grid" : "search"), nc,
                       halving ? NULL : calloc(nc ? nc : 1, sizeof(double)),
                       calloc(nc ? nc : 1, sizeof(size_t)), NAN};
    ctune_search_set_progress(s, on_progress, &pc);
    cli_signals(); /* a signal from here on cancels the search (see cli_cancel_target) */
    if (!o->quiet && g_rank == 0)
        fprintf(stderr, "%s on %s (%zu rows, %zu features): %zu candidates x %ld folds%s\n",
                m->description, label, ctune_data_n_rows(data), ctune_data_n_cols(data), nc, o->cv,
                g_ranks > 1 ? " (MPI)" : "");
    cli_cancel_target(s, NULL);
    ctune_status st;
#ifdef CTUNE_CLI_MPI
    if (g_ranks > 1)
        st = cli_mpi_search_fit(s, data);
    else
#endif
        st = ctune_search_fit(s, data);
    cli_cancel_target(NULL, NULL);
    cli_progress_end(pc.bar);
    free(pc.sum);
    free(pc.count);
    return st;
}

/* Says whether another process on the study committed its last task (that one refits
 * and writes the outputs), and tells so unless --quiet. */
static int finished_elsewhere(const ctune_search *s, const ctune_study *study, ctune_status st,
                              const cli_opts *o)
{
    const char *by = ctune_search_stopped_by(s);
    if (study && st == CTUNE_OK && !ctune_study_completed_here(study) &&
        !(by && strcmp(by, "timeout") == 0)) {
        /* another process on the study committed its last task: that one
         * refits and writes the outputs */
        if (!o->quiet)
            fprintf(stderr,
                    "ctune: study complete: %s finished in another process, which "
                    "refits and writes the outputs\n",
                    o->study);
        return 1;
    }
    return 0;
}

static int cmd_search(int argc, char **argv, const char *cmd)
{
    cli_opts o = {0};
    o.n_iter = 10;
    o.cv = 3;
    o.jobs = 1;
    int rc = cli_parse(argc, argv, 2, cmd, SEARCH_OPTS, &o);
    if (rc != CLI_OK)
        return rc;
    if (o.help) {
        usage_search(stdout, cmd);
        return CLI_OK;
    }
    int grid = 0, halving = 0, tpe = 0;
    if ((rc = search_strategy(&o, cmd, &grid, &halving, &tpe)) != CLI_OK)
        return rc;
    int pruning = o.pruner && strcmp(o.pruner, "none") != 0;
    if ((rc = check_strategy_flags(&o, cmd, grid, halving, tpe, pruning)) != CLI_OK)
        return rc;
    char hv_opts[512];

    const cli_path in[] = {{"data", o.data_file, 0}};
    const cli_path out[] = {{"results", o.results, 0},
                            {"save-model", o.save_model, 0},
                            {"report", o.report, 0},
                            {"study", o.study, 0}};
    if ((rc = cli_check_paths(cmd, in, 1, out, 4)) != CLI_OK) /* every rank: none may start alone */
        return rc;
    if (o.study_options && !o.study)
        return cli_usage_error(cmd, "--study-options goes with --study");
    if (o.study && g_ranks > 1)
        return cli_usage_error(cmd, "--study is for one process (not under mpirun)");
    cli_model m;
    if ((rc = cli_model_make(&o, cmd, &m)) != CLI_OK)
        return rc;
    if (halving && (rc = (halving == 2 ? hyperband_options : halving_options)(
                        &o, cmd, m.prefix, hv_opts, sizeof hv_opts)) != CLI_OK) {
        cli_model_free(&m);
        return rc;
    }
    char label[512];
    ctune_data *data = NULL;
    ctune_space *space = NULL;
    ctune_search *s = NULL;
    ctune_splitter *splitter = NULL;
    ctune_study *study = NULL;
    if ((rc = load_data(&o, &data, label, sizeof label)) != CLI_OK)
        goto done;
    if ((rc = cli_model_space(&m, &o, cmd, data, &space)) != CLI_OK)
        goto done;
    if (tpe && ctune_space_count(space) == 0) {
        rc = cli_usage_error(cmd, "--strategy tpe needs a non-empty --space");
        goto done;
    }
    char tpe_opts[64];
    snprintf(tpe_opts, sizeof tpe_opts, "batch=%ld", o.tpe_batch ? o.tpe_batch : 1);
    ctune_status st = halving == 2 ? ctune_search_new_hyperband(&s, m.est, space, o.seed, hv_opts)
                      : halving ? ctune_search_new_halving(&s, m.est, space, !grid, o.seed, hv_opts)
                      : grid    ? ctune_search_new_grid(&s, m.est, space)
                      : tpe
                          ? ctune_search_new_tpe(&s, m.est, space, (size_t)o.n_iter, o.seed,
                                                 tpe_opts)
                          : ctune_search_new_randomized(&s, m.est, space, (size_t)o.n_iter, o.seed);
    if (st != CTUNE_OK) {
        rc = cli_fail("creating the search");
        goto done;
    }
    if ((rc = configure_search(s, &o, cmd, m.est, &splitter)) != CLI_OK)
        goto done;
    if (pruning && (rc = search_pruner(s, &o, cmd, m.prefix)) != CLI_OK)
        goto done;
    if (o.study) {
        if (ctune_study_open(&study, o.study, o.study_options) != CTUNE_OK) {
            rc = cli_fail("--study");
            goto done;
        }
        ctune_search_set_study(s, study);
    }
    st = run_search(s, data, &o, &m, label, space, grid, halving, tpe);
    if (finished_elsewhere(s, study, st, &o)) {
        rc = CLI_OK;
        goto done;
    }
    rc = report_search(s, st, &o, &m);
#ifdef CTUNE_CLI_MPI
    if (g_ranks > 1 && st == CTUNE_EIO) /* a rank is gone: the results are written, end the job */
        cli_mpi_abort(1);
#endif
done:
    ctune_splitter_free(splitter);
    ctune_search_free(s);
    ctune_study_close(study);
    ctune_space_free(space);
    ctune_data_free(data);
    cli_model_free(&m);
    return rc;
}

/* ---- cv ------------------------------------------------------------------ */

static int cmd_cv(int argc, char **argv)
{
    cli_opts o = {0};
    o.cv = 3;
    o.jobs = 1;
    int rc = cli_parse(argc, argv, 2, "cv", CV_OPTS, &o);
    if (rc != CLI_OK)
        return rc;
    if (o.help) {
        usage_cv(stdout);
        return CLI_OK;
    }
    cli_model m;
    if ((rc = cli_model_make(&o, "cv", &m)) != CLI_OK)
        return rc;
    char label[512];
    ctune_data *data = NULL;
    ctune_cv_results *res = NULL;
    ctune_splitter *splitter = NULL;
    if ((rc = load_data(&o, &data, label, sizeof label)) != CLI_OK)
        goto done;
    if ((rc = make_splitter(&o, m.est, &splitter)) != CLI_OK)
        goto done;
    char options[1024];
    if ((rc = cv_options(&o, "cv", options, sizeof options)) != CLI_OK)
        goto done;
    ctune_status cst;
#ifdef CTUNE_CLI_MPI
    if (g_ranks > 1)
        cst = cli_mpi_cross_validate(&res, m.est, data, splitter, (int)o.cv, options);
    else
#endif
    {
        cli_signals();
        cli_cancel_target(NULL, m.est); /* ctune_estimator_cancel() stops cross_validate */
        cst = ctune_cross_validate(&res, m.est, data, splitter, (int)o.cv, options);
        cli_cancel_target(NULL, NULL);
    }
    if (cst == CTUNE_ECANCELLED && cli_interrupted()) {
        fprintf(stderr, "ctune: cross-validation interrupted\n");
        rc = cli_signal_exit();
        goto done;
    }
    if (cst != CTUNE_OK) {
        rc = g_rank == 0 ? cli_fail("cross-validation") : CLI_ERROR;
        goto done;
    }
    if (g_rank != 0)
        goto done;
    size_t k = ctune_cv_results_n_splits(res);
    double *scores = malloc(k * sizeof *scores);
    if (!scores || ctune_cv_results_column(scores, res, "test_score") != CTUNE_OK) {
        free(scores);
        rc = cli_fail("cross-validation results");
        goto done;
    }
    double mean = 0, var = 0;
    printf("%s on %s, %zu folds (%s):\n", m.description, label, k, scorer_label(&o, m.est));
    for (size_t i = 0; i < k; i++) {
        printf("  fold %zu: %.4f\n", i, scores[i]);
        mean += scores[i] / (double)k;
        const char *err = ctune_cv_results_error(res, i);
        if (err)
            printf("    error: %s\n", err);
    }
    for (size_t i = 0; i < k; i++)
        var += (scores[i] - mean) * (scores[i] - mean) / (double)k;
    printf("score: %.4f ± %.4f\n", mean, sqrt(var));
    free(scores);
done:
    ctune_splitter_free(splitter);
    ctune_cv_results_free(res);
    ctune_data_free(data);
    cli_model_free(&m);
    return rc;
}

/* ---- fit / predict ------------------------------------------------------- */

static int cmd_fit(int argc, char **argv)
{
    cli_opts o = {0};
    int rc = cli_parse(argc, argv, 2, "fit", FIT_OPTS, &o);
    if (rc != CLI_OK)
        return rc;
    if (o.help) {
        usage_fit(stdout);
        return CLI_OK;
    }
    if (!o.save_model)
        return cli_usage_error("fit", "--save-model FILE is required");
    const cli_path in[] = {{"data", o.data_file, 0}};
    const cli_path out[] = {{"save-model", o.save_model, 0}};
    if ((rc = cli_check_paths("fit", in, 1, out, 1)) != CLI_OK)
        return rc;
    cli_model m;
    if ((rc = cli_model_make(&o, "fit", &m)) != CLI_OK)
        return rc;
    char label[512];
    ctune_data *data = NULL;
    double score;
    if ((rc = load_data(&o, &data, label, sizeof label)) != CLI_OK)
        goto done;
    cli_signals();
    cli_cancel_target(NULL, m.est);
    ctune_status st = ctune_estimator_fit(m.est, data);
    cli_cancel_target(NULL, NULL);
    if (st == CTUNE_ECANCELLED && cli_interrupted()) {
        fprintf(stderr, "ctune: fit interrupted; no model saved\n");
        rc = cli_signal_exit();
        goto done;
    }
    if (st != CTUNE_OK) {
        rc = cli_fail("fit");
        goto done;
    }
    if (ctune_estimator_score(&score, m.est, data) == CTUNE_OK && !o.quiet)
        printf("%s fitted on %s: training score %.4f\n", m.description, label, score);
    if (ctune_estimator_save(m.est, o.save_model) != CTUNE_OK) {
        rc = cli_fail("saving the model");
        goto done;
    }
    if (!o.quiet)
        printf("saved to %s\n", o.save_model);
done:
    ctune_data_free(data);
    cli_model_free(&m);
    return rc;
}

/* Writes a CSV field to dst (NULL: only measures), quoted when it holds a
 * separator, a quote or a line break (quotes doubled); returns its length. */
static size_t csv_field(char *dst, const char *s)
{
    size_t n = 0;
    int quote = strpbrk(s, ",\"\r\n") != NULL;
    if (quote && dst)
        dst[n] = '"';
    n += (size_t)quote;
    for (; *s; s++) {
        if (*s == '"') {
            if (dst)
                dst[n] = '"';
            n++;
        }
        if (dst)
            dst[n] = *s;
        n++;
    }
    if (quote && dst)
        dst[n] = '"';
    return n + (size_t)quote;
}

/* The saved name of a predicted class label, or NULL when the model keeps
 * no class names (a regressor, a classifier fitted on numeric labels).
 * `classes` holds the model's k sorted labels. */
static const char *class_name_of(const ctune_estimator *est, const double *classes, size_t k,
                                 double label)
{
    size_t lo = 0, hi = k;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (classes[mid] < label)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < k && classes[lo] == label ? ctune_estimator_class_name(est, lo) : NULL;
}

/* Writes the predictions' CSV (a header, then a line per row, class names when the
 * model keeps them) into text of cap bytes from text[len]; returns the new length. */
static size_t predictions_csv(char *text, size_t cap, size_t len, const ctune_estimator *est,
                              const double *pred, size_t n, size_t k, const double *classes,
                              size_t n_classes)
{
    for (size_t j = 0; j < k; j++)
        len += (size_t)snprintf(text + len, cap - len,
                                j ? ",prediction_%zu" : (k > 1 ? "prediction_%zu" : "prediction"),
                                j);
    text[len++] = '\n';
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < k; j++) {
            const char *name = classes ? class_name_of(est, classes, n_classes, pred[i * k + j])
                                       : NULL;
            if (j)
                text[len++] = ',';
            if (name)
                len += csv_field(text + len, name);
            else
                len += (size_t)snprintf(text + len, cap - len, "%.17g", pred[i * k + j]);
        }
        text[len++] = '\n';
    }
    return len;
}

static int cmd_predict(int argc, char **argv)
{
    cli_opts o = {0};
    int rc = cli_parse(argc, argv, 2, "predict", PREDICT_OPTS, &o);
    if (rc != CLI_OK)
        return rc;
    if (o.help) {
        usage_predict(stdout);
        return CLI_OK;
    }
    if (!o.model_file)
        return cli_usage_error("predict", "--model-file FILE is required");
    if (!o.data_file)
        return cli_usage_error("predict", "--data FILE.csv is required");
    const cli_path in[] = {{"data", o.data_file, 0}, {"model-file", o.model_file, 0}};
    const cli_path out[] = {{"output", o.output, 1}};
    if ((rc = cli_check_paths("predict", in, 2, out, 1)) != CLI_OK)
        return rc;
    ctune_estimator *est = NULL;
    ctune_data *data = NULL;
    double *pred = NULL, *classes = NULL;
    char *text = NULL;
    if (ctune_estimator_load(&est, o.model_file, NULL, NULL) != CTUNE_OK)
        return cli_fail("loading the model");
    char opts[1024];
    if ((rc = csv_target_options("predict", o.target ? o.target : "none", opts, sizeof opts)) !=
        CLI_OK)
        goto done;
    if (ctune_csv_load(&data, o.data_file, opts) != CTUNE_OK) {
        rc = cli_fail("loading the data");
        goto done;
    }
    size_t n = ctune_data_n_rows(data);
    size_t k = ctune_estimator_n_outputs(est);
    size_t cells = n * k;
    pred = malloc((cells ? cells : 1) * sizeof *pred);
    if (!pred) {
        fprintf(stderr, "ctune: out of memory\n");
        rc = CLI_ERROR;
        goto done;
    }
    if (ctune_estimator_predict(pred, est, data) != CTUNE_OK) {
        rc = cli_fail("predict");
        goto done;
    }
    /* a classifier fitted on named classes prints their names */
    size_t n_classes = ctune_estimator_n_classes(est), name_len = 0;
    if (n_classes && ctune_estimator_class_name(est, 0)) {
        classes = malloc(n_classes * sizeof *classes);
        if (!classes || ctune_estimator_classes(classes, est) != CTUNE_OK) {
            fprintf(stderr, "ctune: out of memory\n");
            rc = CLI_ERROR;
            goto done;
        }
        for (size_t c = 0; c < n_classes; c++) {
            size_t m = csv_field(NULL, ctune_estimator_class_name(est, c));
            name_len = m > name_len ? m : name_len;
        }
    }
    /* the whole CSV in memory, then one atomic write (or standard output) */
    size_t cap = 64 + k * 32 + cells * 26 + n, len = 0; /* %.17g: at most 24 chars */
    if (cells / (k ? k : 1) != n || (name_len && cells > (SIZE_MAX - cap) / name_len) ||
        !(text = malloc(cap += cells * name_len))) {
        fprintf(stderr, "ctune: out of memory\n");
        rc = CLI_ERROR;
        goto done;
    }
    len = predictions_csv(text, cap, len, est, pred, n, k, classes, n_classes);
    if (cli_is_stdout(o.output)) {
        if (fwrite(text, 1, len, stdout) != len || fflush(stdout) != 0) {
            fprintf(stderr, "ctune: cannot write the predictions to standard output: %s\n",
                    strerror(errno));
            rc = CLI_ERROR;
        }
    } else if (ctune_write_file(o.output, text, len) != CTUNE_OK) {
        rc = cli_fail("writing the predictions");
    }
done:
    free(classes);
    free(text);
    free(pred);
    ctune_data_free(data);
    ctune_estimator_free(est);
    return rc;
}

/* ---- datasets -------------------------------------------------------------- */

static int cmd_datasets(int argc, char **argv)
{
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            printf("usage: ctune datasets\n\nLists the datasets embedded in the library.\n");
            return CLI_OK;
        }
        return cli_usage_error("datasets", "unexpected argument '%s'", argv[i]);
    }
    for (size_t i = 0; i < ctune_dataset_count(); i++) {
        const char *name = ctune_dataset_name(i);
        ctune_data *d;
        if (ctune_dataset_load(&d, name, NULL) != CTUNE_OK)
            return cli_fail(name);
        printf("%-14s %5zu rows %3zu features %3zu classes  %s\n", name, ctune_data_n_rows(d),
               ctune_data_n_cols(d), ctune_data_n_class_names(d), ctune_dataset_description(name));
        ctune_data_free(d);
    }
    return CLI_OK;
}

static int dispatch(int argc, char **argv);

/* Standard output is flushed and checked: a failed write (a full disk,
 * /dev/full) is an error, not a silent loss. */
static int finish_stdout(int rc)
{
    if ((fflush(stdout) != 0 || ferror(stdout)) && rc == CLI_OK) {
        fprintf(stderr, "ctune: cannot write to standard output: %s\n", strerror(errno));
        return CLI_ERROR;
    }
    return rc;
}

int main(int argc, char **argv)
{
    /* a file-size limit makes writes fail with EFBIG (the atomic writer then
     * removes its temporary file) instead of killing the process */
    signal(SIGXFSZ, SIG_IGN);
#ifdef CTUNE_CLI_MPI
    /* libctune_mpi (and with it MPI) is loaded only under a launcher */
    if (cli_mpi_launched()) {
        int st = cli_mpi_start(&argc, &argv, &g_rank, &g_ranks);
        if (st != CLI_OK) {
            cli_mpi_stop();
            return st;
        }
    }
    int rc = finish_stdout(dispatch(argc, argv));
    cli_mpi_stop();
    return rc;
#else
    return finish_stdout(dispatch(argc, argv));
#endif
}

static int dispatch(int argc, char **argv)
{
    if (argc < 2) {
        usage_main(stderr);
        return CLI_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        printf("ctune %s\n", ctune_version_string());
        return CLI_OK;
    }
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        usage_main(stdout);
        return CLI_OK;
    }
    if (strcmp(cmd, "search") == 0 || strcmp(cmd, "grid") == 0)
        return cmd_search(argc, argv, cmd);
    if (strcmp(cmd, "cv") == 0)
        return cmd_cv(argc, argv);
    if (strcmp(cmd, "fit") == 0)
        return cmd_fit(argc, argv);
    if (strcmp(cmd, "predict") == 0)
        return cmd_predict(argc, argv);
    if (strcmp(cmd, "datasets") == 0)
        return cmd_datasets(argc, argv);
    if (strcmp(cmd, "tune") == 0)
        return cli_cmd_tune(argc, argv);
    if (strcmp(cmd, "report") == 0)
        return cli_cmd_report(argc, argv);
    if (strcmp(cmd, "study") == 0)
        return cli_study(argc, argv);
    fprintf(stderr, "ctune: unknown command '%s' (see 'ctune --help')\n", cmd);
    return CLI_USAGE;
}
