/* Option parsing for the ctune command line (long options only). */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"

int cli_fail(const char *what)
{
    const char *msg = ctune_last_error();
    if (what && *msg)
        fprintf(stderr, "ctune: %s: %s\n", what, msg);
    else
        fprintf(stderr, "ctune: %s\n", *msg ? msg : (what ? what : "failed"));
    return CLI_ERROR;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "ctune %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (see 'ctune %s --help')\n", cmd);
    return CLI_USAGE;
}

static int allowed_opt(const char *allowed, const char *name)
{
    size_t n = strlen(name);
    const char *p = allowed;
    while ((p = strstr(p, name)) != NULL) {
        if ((p == allowed || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
            return 1;
        p += n;
    }
    return 0;
}

int cli_options_text(const char *cmd, const ctune_params *p, char *buf, size_t cap)
{
    long n = ctune_params_to_text(buf, cap, p);
    ctune_params *back = NULL;
    int same = n >= 0 && (size_t)n < cap && ctune_params_new(&back) == CTUNE_OK &&
               ctune_params_parse(back, buf) == CTUNE_OK && ctune_params_equal(back, p);
    ctune_params_free(back);
    if (!same)
        return cli_usage_error(cmd, "a value holds both quote characters or is too long");
    return CLI_OK;
}

/* An integer in [lo, hi], else a usage error stating the range. */
static int parse_range(const char *cmd, const char *opt, const char *v, long long lo, long long hi,
                       long long *out)
{
    char *end;
    errno = 0;
    long long x = strtoll(v, &end, 10);
    if (errno || *end || end == v || x < lo || x > hi)
        return cli_usage_error(cmd, "--%s needs an integer in %lld..%lld, got '%s'", opt, lo, hi,
                               v);
    *out = x;
    return CLI_OK;
}

static int parse_long(const char *cmd, const char *opt, const char *v, long long lo, long long hi,
                      long *out)
{
    long long x = 0;
    int rc = parse_range(cmd, opt, v, lo, hi, &x);
    *out = (long)x;
    return rc;
}

/* Does `path` end with `ext` (".csv"), in any case? */
static int has_ext(const char *path, const char *ext)
{
    size_t n = strlen(path), k = strlen(ext);
    return n > k && strcasecmp(path + n - k, ext) == 0;
}

int cli_results_is_json(const char *path) { return has_ext(path, ".json"); }

int cli_results_is_csv(const char *path) { return has_ext(path, ".csv"); }

/* Options that are plain text, kept as given (the command or the library
 * checks them and names the option). */
static const struct {
    const char *name;
    size_t offset;
} TEXT_OPTS[] = {
    {"data", offsetof(cli_opts, data_file)},
    {"dataset", offsetof(cli_opts, dataset)},
    {"target", offsetof(cli_opts, target)},
    {"model", offsetof(cli_opts, model)},
    {"space", offsetof(cli_opts, space)},
    {"strategy", offsetof(cli_opts, strategy)}, /* checked by ctune.c: cmd_search */
    {"command", offsetof(cli_opts, command)},
    {"timeout", offsetof(cli_opts, timeout)},
    {"sampler", offsetof(cli_opts, sampler)},
    {"direction", offsetof(cli_opts, direction)},
    {"pruner", offsetof(cli_opts, pruner)},
    {"report", offsetof(cli_opts, report)},
    {"save-model", offsetof(cli_opts, save_model)},
    {"study-options", offsetof(cli_opts, study_options)},
    {"model-file", offsetof(cli_opts, model_file)},
    {"output", offsetof(cli_opts, output)},
    {"factor", offsetof(cli_opts, factor)},
    {"resource", offsetof(cli_opts, resource)},
    {"min-resources", offsetof(cli_opts, min_resources)},
    {"max-resources", offsetof(cli_opts, max_resources)},
    {"n-candidates", offsetof(cli_opts, n_candidates)},
    {"max-epochs", offsetof(cli_opts, max_epochs)},
    {"hyperband-iterations", offsetof(cli_opts, hb_iterations)},
};

/* The option without a value named `name`, or NULL when it takes one. */
static int *flag_field(const char *name, cli_opts *o)
{
    if (strcmp(name, "quiet") == 0)
        return &o->quiet;
    if (strcmp(name, "no-scale") == 0)
        return &o->no_scale;
    if (strcmp(name, "shuffle") == 0)
        return &o->shuffle;
    if (strcmp(name, "aggressive-elimination") == 0)
        return &o->aggressive;
    if (strcmp(name, "shell") == 0)
        return &o->shell;
    return NULL;
}

/* Sets a text option; 0 when `name` is none. */
static int set_text_opt(const char *name, const char *val, cli_opts *o)
{
    for (size_t k = 0; k < sizeof TEXT_OPTS / sizeof TEXT_OPTS[0]; k++)
        if (strcmp(name, TEXT_OPTS[k].name) == 0) {
            *(const char **)((char *)o + TEXT_OPTS[k].offset) = val;
            return 1;
        }
    return 0;
}

/* Sets an option whose value is checked here; a usage error names it. */
static int set_checked_opt(const char *cmd, const char *name, const char *val, cli_opts *o)
{
    int rc = CLI_OK;
    if (strcmp(name, "param") == 0) {
        if (o->n_params == CLI_MAX_PARAMS)
            return cli_usage_error(cmd, "too many --param options (at most %d)", CLI_MAX_PARAMS);
        if (!strchr(val, '=') || val[0] == '=')
            return cli_usage_error(cmd, "--param needs key=value, got '%s'", val);
        o->params[o->n_params++] = val;
    } else if (strcmp(name, "n-iter") == 0) {
        rc = parse_long(cmd, name, val, 1, CLI_MAX_N_ITER, &o->n_iter);
        o->n_iter_set = 1;
    } else if (strcmp(name, "tpe-batch") == 0) {
        rc = parse_long(cmd, name, val, 1, 100000, &o->tpe_batch);
    } else if (strcmp(name, "cv") == 0) {
        rc = parse_long(cmd, name, val, 2, CLI_MAX_CV, &o->cv);
        o->cv_set = 1;
    } else if (strcmp(name, "jobs") == 0) {
        rc = parse_long(cmd, name, val, -1, CLI_MAX_JOBS, &o->jobs);
        if (rc == CLI_OK && o->jobs == 0)
            rc = cli_usage_error(cmd, "--jobs must be -1 (all cores) or 1..%lld, got 0",
                                 CLI_MAX_JOBS);
    } else if (strcmp(name, "seed") == 0) {
        long long s = 0;
        rc = parse_range(cmd, name, val, 0, CLI_MAX_SEED, &s);
        o->seed = (unsigned long long)s;
        o->seed_set = 1;
    } else if (strcmp(name, "scoring") == 0) {
        o->scoring = val;
        if (ctune_scorer_check(val) != CTUNE_OK)
            rc = cli_usage_error(cmd, "--scoring: %s", ctune_last_error());
    } else if (strcmp(name, "results") == 0) {
        o->results = val;
        if (!has_ext(val, ".csv") && !has_ext(val, ".json"))
            rc = cli_usage_error(
                cmd, "--results needs a file name ending in .csv or .json, got '%s'", val);
    } else if (strcmp(name, "n-trials") == 0) {
        rc = parse_long(cmd, name, val, 1, CLI_MAX_N_TRIALS, &o->n_trials);
        o->n_trials_set = 1;
    } else if (strcmp(name, "study") == 0) {
        o->study = val;
        if (!val[0])
            rc = cli_usage_error(cmd, "--study needs a file name");
    } else if (!set_text_opt(name, val, o)) {
        return cli_usage_error(cmd, "unknown option '--%s'", name);
    }
    return rc;
}

/* Splits "--name" or "--name=value" into name (of `cap` bytes) and the
 * value after '=' (*eq NULL without one). */
static int option_name(const char *cmd, const char *a, char *name, size_t cap, const char **eq)
{
    *eq = strchr(a + 2, '=');
    size_t len = *eq ? (size_t)(*eq - a - 2) : strlen(a + 2);
    if (len >= cap)
        return cli_usage_error(cmd, "unknown option '%s'", a);
    memcpy(name, a + 2, len);
    name[len] = '\0';
    return CLI_OK;
}

int cli_parse(int argc, char **argv, int first, const char *cmd, const char *allowed, cli_opts *o)
{
    for (int i = first; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            o->help = 1;
            continue;
        }
        if (strncmp(a, "--", 2) != 0)
            return cli_usage_error(cmd, "unexpected argument '%s'", a);
        char name[64];
        const char *eq;
        int rc = option_name(cmd, a, name, sizeof name, &eq);
        if (rc != CLI_OK)
            return rc;
        if (!allowed_opt(allowed, name))
            return cli_usage_error(cmd, "unknown option '--%s'", name);
        int *flag = flag_field(name, o);
        if (flag) {
            if (eq)
                return cli_usage_error(cmd, "--%s takes no value", name);
            *flag = 1;
            continue;
        }
        const char *val;
        if (eq)
            val = eq + 1;
        else if (i + 1 < argc)
            val = argv[++i];
        else
            return cli_usage_error(cmd, "--%s needs a value", name);
        rc = set_checked_opt(cmd, name, val, o);
        if (rc != CLI_OK)
            return rc;
    }
    if (o->data_file && o->dataset)
        return cli_usage_error(cmd, "--data and --dataset exclude each other");
    return CLI_OK;
}
