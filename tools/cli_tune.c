/* ctune tune: tunes an external command with the ask/tell tuner.
 *
 * Each trial runs --command with the trial's parameters substituted for
 * {name}; the objective is the last number the command prints on standard
 * output, and lines "step=K value=V" feed the pruner (a pruned command is
 * killed). Without --shell the template is split into arguments (on
 * whitespace, 'single' and "double" quotes grouping) before substitution
 * and run with posix_spawnp, so a value never becomes shell syntax; with
 * --shell the substituted text runs under /bin/sh -c, each value in single
 * quotes. */
#define _GNU_SOURCE /* pipe2 */
#define CTUNE_EXPERIMENTAL
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"

extern char **environ;

static const char *TUNE_OPTS = "space command n-trials timeout shell sampler direction pruner "
                               "seed jobs results quiet study study-options";

static void usage_tune(FILE *f)
{
    fprintf(f,
            "usage: ctune tune --space TEXT --command TEMPLATE [options]\n"
            "\n"
            "Tunes an external command: each trial runs TEMPLATE with {name} replaced by the\n"
            "trial's value of parameter `name`, and reads the objective as the last number the\n"
            "command prints. Lines 'step=K value=V' report intermediate values to the pruner;\n"
            "a pruned command is killed. A command that exits non-zero or prints no number\n"
            "is a failed trial.\n"
            "\n"
            "  --space TEXT         \"lr: loguniform(1e-4, 1); nn: 16|32|64\"\n"
            "  --command TEMPLATE   e.g. 'train.sh --lr {lr} --units {nn}'; split into arguments\n"
            "                       (quotes group) and run without a shell\n"
            "  --shell              run the substituted TEMPLATE with /bin/sh -c instead (values\n"
            "                       are single-quoted; the template itself is shell code: never\n"
            "                       build it from untrusted text)\n"
            "  --n-trials N         trials to run (default 10; a grid: its size)\n"
            "  --timeout S          no trial starts after S wall seconds (S > 0)\n"
            "  --sampler NAME       random (default), grid or tpe\n"
            "  --direction D        maximize (default) or minimize\n"
            "  --pruner NAME        none (default), median or sha\n"
            "  --seed S             seed of the sampler (default 0)\n"
            "  --jobs N             commands run at once (default 1)\n"
            "  --results FILE       write the trials table (.csv or .json)\n"
            "  --study FILE         keep the trials in a durable study (SQLite): created, or\n"
            "                       continued; several processes may tune on one study at once\n"
            "  --study-options TEXT durability=full, fresh=true, timeout=S\n"
            "  --quiet              no line per trial\n");
}

/* ---- the command template ---- */

typedef struct template
{
    char **words; /* argv words with {name} placeholders (no shell), or one word */
    size_t n;
    int shell;
}
template;

static void template_free(template *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->words[i]);
    free(t->words);
}

/* Splits on blanks; 'single' and "double" quotes group (no escapes). */
static int template_split(const char *text, template *t)
{
    size_t cap = strlen(text) + 1;
    t->words = calloc(cap, sizeof *t->words);
    if (!t->words)
        return cli_usage_error("tune", "out of memory");
    const char *p = text;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == '\n')
            p++;
        if (!*p)
            break;
        char *w = malloc(strlen(p) + 1);
        if (!w)
            return cli_usage_error("tune", "out of memory");
        size_t len = 0;
        while (*p && *p != ' ' && *p != '\t' && *p != '\n') {
            if (*p == '\'' || *p == '"') {
                char q = *p++;
                const char *end = strchr(p, q);
                if (!end) {
                    free(w);
                    return cli_usage_error("tune", "--command: unbalanced %c quote", q);
                }
                memcpy(w + len, p, (size_t)(end - p));
                len += (size_t)(end - p);
                p = end + 1;
            } else {
                w[len++] = *p++;
            }
        }
        w[len] = '\0';
        t->words[t->n++] = w;
    }
    if (t->n == 0)
        return cli_usage_error("tune", "--command is empty");
    return CLI_OK;
}

/* A growing string; on out of memory it stays failed. */
typedef struct str {
    char *s;
    size_t len, cap;
    int failed;
} str;

static void str_add(str *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t nc = (b->len + n + 1) * 2;
        char *ns = realloc(b->s, nc);
        if (!ns) {
            b->failed = 1;
            return;
        }
        b->s = ns;
        b->cap = nc;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

/* `word` with each {name} replaced by the value text of `name` in p
 * (single-quoted when `quote`). NULL with *err set on an unknown name. */
static char *substitute(const char *word, const ctune_params *p, int quote, char *err,
                        size_t errcap)
{
    str b = {0};
    str_add(&b, "", 0);
    const char *s = word;
    while (*s) {
        const char *open = strchr(s, '{'), *close = open ? strchr(open, '}') : NULL;
        if (!open || !close) {
            str_add(&b, s, strlen(s));
            break;
        }
        str_add(&b, s, (size_t)(open - s));
        char name[128];
        size_t n = (size_t)(close - open - 1);
        if (n == 0 || n >= sizeof name) {
            str_add(&b, open, (size_t)(close - open + 1));
            s = close + 1;
            continue;
        }
        memcpy(name, open + 1, n);
        name[n] = '\0';
        if (ctune_params_find(p, name) < 0) {
            snprintf(err, errcap, "--command names {%s}, which is not in --space", name);
            free(b.s);
            return NULL;
        }
        char val[512];
        long vn = ctune_params_value_text(val, sizeof val, p, name);
        if (vn < 0 || (size_t)vn >= sizeof val) {
            snprintf(err, errcap, "the value of %s is too long for --command", name);
            free(b.s);
            return NULL;
        }
        if (quote) {
            str_add(&b, "'", 1);
            for (const char *v = val; *v; v++)
                if (*v == '\'')
                    str_add(&b, "'\\''", 4);
                else
                    str_add(&b, v, 1);
            str_add(&b, "'", 1);
        } else {
            str_add(&b, val, (size_t)vn);
        }
        s = close + 1;
    }
    if (b.failed) {
        snprintf(err, errcap, "out of memory");
        free(b.s);
        return NULL;
    }
    return b.s;
}

/* ---- one trial ---- */

typedef struct tune_run {
    template tpl;
    int quiet;
} tune_run;

/* The whole token as a number (the library's locale-free parser). */
static int parse_number(const char *tok, double *out)
{
    ctune_params *p = NULL;
    int ok = 0;
    if (ctune_params_new(&p) == CTUNE_OK && ctune_params_set_text(p, "v", tok) == CTUNE_OK) {
        int t = ctune_params_type(p, "v");
        ok = (t == CTUNE_TYPE_INT || t == CTUNE_TYPE_DOUBLE) &&
             ctune_params_get_double(out, p, "v") == CTUNE_OK;
    }
    ctune_params_free(p);
    return ok;
}

/* "step=K value=V": 1 with *step and *value set. */
static int parse_step_line(char *line, int64_t *step, double *value)
{
    char *s = strstr(line, "step="), *v = strstr(line, "value=");
    if (s != line || !v)
        return 0;
    char sbuf[32], vbuf[64];
    size_t sn = strcspn(s + 5, " \t"), vn = strcspn(v + 6, " \t\r\n");
    if (sn == 0 || sn >= sizeof sbuf || vn == 0 || vn >= sizeof vbuf)
        return 0;
    memcpy(sbuf, s + 5, sn);
    sbuf[sn] = '\0';
    memcpy(vbuf, v + 6, vn);
    vbuf[vn] = '\0';
    double d;
    if (!parse_number(sbuf, &d) || d < 0 || d != (double)(int64_t)d || !parse_number(vbuf, value))
        return 0;
    *step = (int64_t)d;
    return 1;
}

/* The last whitespace-separated token of `line` that is a number. */
static void last_number(char *line, int *have, double *value)
{
    char *save = NULL;
    for (char *tok = strtok_r(line, " \t\r\n", &save); tok;
         tok = strtok_r(NULL, " \t\r\n", &save)) {
        double d;
        if (parse_number(tok, &d)) {
            *value = d;
            *have = 1;
        }
    }
}

static ctune_status spawn(const tune_run *ru, const ctune_params *params, pid_t *pid, int *rfd)
{
    char err[256] = "";
    char **argv = calloc(ru->tpl.n + 4, sizeof *argv);
    if (!argv)
        return ctune_set_error(CTUNE_ENOMEM, "out of memory");
    size_t n = 0;
    ctune_status rc = CTUNE_OK;
    if (ru->tpl.shell) {
        argv[n++] = strdup("/bin/sh");
        argv[n++] = strdup("-c");
    }
    for (size_t i = 0; i < ru->tpl.n && rc == CTUNE_OK; i++) {
        argv[n] = substitute(ru->tpl.words[i], params, ru->tpl.shell, err, sizeof err);
        if (!argv[n++])
            rc = ctune_set_error(CTUNE_EINVAL, "%s", err);
    }
    for (size_t i = 0; i < n && rc == CTUNE_OK; i++)
        if (!argv[i])
            rc = ctune_set_error(CTUNE_ENOMEM, "out of memory");
    int fds[2] = {-1, -1};
    if (rc == CTUNE_OK && pipe2(fds, O_CLOEXEC) != 0)
        rc = ctune_set_error(CTUNE_EIO, "cannot create a pipe: %s", strerror(errno));
    if (rc == CTUNE_OK) {
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
        int e = posix_spawnp(pid, argv[0], &fa, NULL, argv, environ);
        posix_spawn_file_actions_destroy(&fa);
        close(fds[1]);
        if (e != 0) {
            close(fds[0]);
            rc = ctune_set_error(CTUNE_EUSER, "cannot run '%s': %s", argv[0], strerror(e));
        } else {
            *rfd = fds[0];
        }
    }
    for (size_t i = 0; i < n; i++)
        free(argv[i]);
    free(argv);
    return rc;
}

static ctune_status run_command(const ctune_params *params, ctune_trial_ctx *ctx, double *value,
                                void *user)
{
    const tune_run *ru = user;
    pid_t pid;
    int rfd = -1;
    ctune_status rc = spawn(ru, params, &pid, &rfd);
    if (rc != CTUNE_OK)
        return rc;
    FILE *in = fdopen(rfd, "r");
    if (!in) {
        close(rfd);
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        return ctune_set_error(CTUNE_ENOMEM, "out of memory");
    }
    char *line = NULL;
    size_t cap = 0;
    int have = 0, pruned = 0;
    double v = 0;
    while (!pruned && getline(&line, &cap, in) > 0) {
        int64_t step;
        double sv;
        if (parse_step_line(line, &step, &sv)) {
            if (ctune_trial_report(ctx, step, sv) == CTUNE_OK && ctune_trial_should_prune(ctx))
                pruned = 1;
            continue;
        }
        last_number(line, &have, &v);
    }
    free(line);
    if (pruned)
        kill(pid, SIGKILL);
    fclose(in);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (!ru->quiet) {
        char text[256];
        if (ctune_params_to_text(text, sizeof text, params) < 0)
            text[0] = '\0';
        fprintf(stderr, "trial %zu (%s): %s\n", ctune_trial_number(ctx), text,
                pruned ? "pruned"
                : have ? "done"
                       : "no value");
    }
    if (pruned)
        return CTUNE_OK;
    if (WIFSIGNALED(status))
        return ctune_set_error(CTUNE_EUSER, "the command was killed by signal %d",
                               WTERMSIG(status));
    if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
        return ctune_set_error(CTUNE_EUSER, "the command exited with status %d",
                               WEXITSTATUS(status));
    if (!have)
        return ctune_set_error(CTUNE_EUSER, "the command printed no number");
    *value = v;
    return CTUNE_OK;
}

/* ---- the command ---- */

static int tuner_options(const cli_opts *o, char *buf, size_t cap)
{
    ctune_params *p = NULL;
    int rc = ctune_params_new(&p) == CTUNE_OK ? CLI_OK : cli_fail("tune");
    if (rc == CLI_OK && o->sampler && ctune_params_set_string(p, "sampler", o->sampler))
        rc = cli_fail("--sampler");
    if (rc == CLI_OK && o->direction && ctune_params_set_string(p, "direction", o->direction))
        rc = cli_fail("--direction");
    if (rc == CLI_OK && o->pruner && ctune_params_set_string(p, "pruner", o->pruner))
        rc = cli_fail("--pruner");
    if (rc == CLI_OK && ctune_params_set_int(p, "seed", (int64_t)o->seed))
        rc = cli_fail("--seed");
    if (rc == CLI_OK)
        rc = cli_options_text("tune", p, buf, cap);
    ctune_params_free(p);
    return rc;
}

static int optimize_options(const cli_opts *o, char *buf, size_t cap)
{
    ctune_params *p = NULL;
    int rc = ctune_params_new(&p) == CTUNE_OK ? CLI_OK : cli_fail("tune");
    if (rc == CLI_OK && (o->n_trials_set || !o->sampler || strcmp(o->sampler, "grid") != 0) &&
        ctune_params_set_int(p, "n_trials", o->n_trials_set ? o->n_trials : 10))
        rc = cli_fail("--n-trials");
    if (rc == CLI_OK && o->timeout && ctune_params_set_text(p, "timeout", o->timeout))
        rc = cli_usage_error("tune", "--timeout: %s", ctune_last_error());
    if (rc == CLI_OK && o->timeout) {
        int t = ctune_params_type(p, "timeout");
        if (t != CTUNE_TYPE_INT && t != CTUNE_TYPE_DOUBLE)
            rc = cli_usage_error("tune", "--timeout needs a number of seconds, got '%s'",
                                 o->timeout);
    }
    if (rc == CLI_OK && ctune_params_set_int(p, "n_jobs", o->jobs ? o->jobs : 1))
        rc = cli_fail("--jobs");
    if (rc == CLI_OK)
        rc = cli_options_text("tune", p, buf, cap);
    ctune_params_free(p);
    return rc;
}

static int report(const ctune_tuner *t, const cli_opts *o)
{
    size_t n = ctune_tuner_n_trials(t), count[4] = {0};
    for (size_t i = 0; i < n; i++) {
        int state = 0;
        if (ctune_tuner_trial(&state, NULL, NULL, t, i) == CTUNE_OK && state >= 0 && state < 4)
            count[state]++;
    }
    const char *by = ctune_tuner_stopped_by(t);
    printf("%zu trials: %zu complete, %zu pruned, %zu failed (stopped by %s)\n", n,
           count[CTUNE_TRIAL_COMPLETE], count[CTUNE_TRIAL_PRUNED], count[CTUNE_TRIAL_FAILED],
           by ? by : "an error");
    int rc = CLI_OK;
    if (o->results) {
        ctune_status st = cli_results_is_json(o->results) ? ctune_tuner_results_json(t, o->results)
                                                          : ctune_tuner_results_csv(t, o->results);
        if (st != CTUNE_OK)
            rc = cli_fail("writing the results");
    }
    size_t best;
    double value;
    const ctune_params *p;
    char text[1024];
    if (ctune_tuner_best(&best, &value, t) != CTUNE_OK ||
        ctune_tuner_trial(NULL, NULL, &p, t, best) != CTUNE_OK) {
        fprintf(stderr, "ctune: tune: no trial completed\n");
        return CLI_ERROR;
    }
    if (ctune_params_to_text(text, sizeof text, p) < 0)
        text[0] = '\0';
    /* the value in the library's shortest round-trip form */
    char vtext[64] = "";
    ctune_params *vp = NULL;
    if (ctune_params_new(&vp) == CTUNE_OK && ctune_params_set_double(vp, "v", value) == CTUNE_OK)
        ctune_params_value_text(vtext, sizeof vtext, vp, "v");
    ctune_params_free(vp);
    printf("best trial %zu: %s with %s\n", best, vtext, text);
    return rc;
}

int cli_cmd_tune(int argc, char **argv)
{
    cli_opts o;
    memset(&o, 0, sizeof o);
    int rc = cli_parse(argc, argv, 2, "tune", TUNE_OPTS, &o);
    if (rc != CLI_OK)
        return rc;
    if (o.help) {
        usage_tune(stdout);
        return CLI_OK;
    }
    if (!o.space)
        return cli_usage_error("tune", "--space is required");
    if (!o.command)
        return cli_usage_error("tune", "--command is required");
    const cli_path out[] = {{"results", o.results, 0}, {"study", o.study, 0}};
    if ((rc = cli_check_paths("tune", NULL, 0, out, 2)) != CLI_OK)
        return rc;
    if (o.study_options && !o.study)
        return cli_usage_error("tune", "--study-options goes with --study");
    char topts[512], oopts[256];
    if ((rc = tuner_options(&o, topts, sizeof topts)) != CLI_OK ||
        (rc = optimize_options(&o, oopts, sizeof oopts)) != CLI_OK)
        return rc;
    tune_run ru;
    memset(&ru, 0, sizeof ru);
    ru.quiet = o.quiet;
    ru.tpl.shell = o.shell;
    if (o.shell) {
        ru.tpl.words = calloc(1, sizeof *ru.tpl.words);
        if (!ru.tpl.words || !(ru.tpl.words[0] = strdup(o.command)))
            rc = cli_usage_error("tune", "out of memory");
        else
            ru.tpl.n = 1;
    } else {
        rc = template_split(o.command, &ru.tpl);
    }
    ctune_space *space = NULL;
    ctune_tuner *t = NULL;
    ctune_study *study = NULL;
    if (rc == CLI_OK && ctune_space_parse(&space, o.space) != CTUNE_OK)
        rc = cli_usage_error("tune", "--space: %s", ctune_last_error());
    if (rc == CLI_OK && ctune_tuner_new(&t, space, topts) != CTUNE_OK)
        rc = cli_usage_error("tune", "%s", ctune_last_error());
    if (rc == CLI_OK && o.study &&
        (ctune_study_open(&study, o.study, o.study_options) != CTUNE_OK ||
         ctune_tuner_set_study(t, study) != CTUNE_OK))
        rc = cli_fail("--study");
    if (rc == CLI_OK) {
        /* a placeholder naming no parameter is a usage error before any run */
        char err[256] = "";
        for (size_t i = 0; i < ru.tpl.n && rc == CLI_OK; i++) {
            const char *w = ru.tpl.words[i];
            for (const char *q = strchr(w, '{'); q && rc == CLI_OK; q = strchr(q + 1, '{')) {
                const char *end = strchr(q, '}');
                char name[128];
                size_t k = end ? (size_t)(end - q - 1) : 0;
                if (!end || k == 0 || k >= sizeof name)
                    continue;
                memcpy(name, q + 1, k);
                name[k] = '\0';
                size_t j = 0;
                while (j < ctune_space_count(space) && strcmp(ctune_space_name(space, j), name))
                    j++;
                if (j == ctune_space_count(space)) {
                    snprintf(err, sizeof err, "--command names {%s}, which is not in --space",
                             name);
                    rc = cli_usage_error("tune", "%s", err);
                }
            }
        }
    }
    if (rc == CLI_OK) {
        if (ctune_tuner_optimize(t, run_command, &ru, oopts) != CTUNE_OK)
            rc = cli_usage_error("tune", "%s", ctune_last_error());
        else
            rc = report(t, &o);
    }
    ctune_tuner_free(t);
    ctune_study_close(study);
    ctune_space_free(space);
    template_free(&ru.tpl);
    return rc;
}
