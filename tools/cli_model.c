#include "cli_model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The lecture's space (DESIGN: RandomizedSearchCV over these). */
static const char *MLP_SPACE = "optimizer: sgd|adam; activation: relu|tanh; batch_size: 5|10|20; "
                               "epochs: 3|5; nl: 1|2|3; nn: 16|64|128";
/* Trees: max_features spans 1..n_features (appended once the data is known). */
static const char *TREE_SPACE = "max_depth: 3|5|10|none; min_samples_leaf: randint(1, 10); "
                                "criterion: gini|entropy";
static const char *TREE_REG_SPACE = "max_depth: 3|5|10|none; min_samples_leaf: randint(1, 10)";
static const char *DUMMY_SPACE = "strategy: most_frequent|prior|stratified|uniform";
static const char *DUMMY_REG_SPACE = "strategy: mean|median";

typedef struct model_kind {
    const char *name;
    ctune_status (*make)(ctune_estimator **out);
    int scaled; /* behind a StandardScaler unless --no-scale */
    const char *step;
    const char *space;
} model_kind;

static const model_kind KINDS[] = {
    {"mlp", ctune_mlp_classifier_new, 1, "mlp", NULL},
    {"mlp_regressor", ctune_mlp_regressor_new, 1, "mlp", NULL},
    {"tree", ctune_decision_tree_classifier_new, 0, "tree", NULL},
    {"tree_regressor", ctune_decision_tree_regressor_new, 0, "tree", NULL},
    {"dummy", ctune_dummy_classifier_new, 0, "dummy", NULL},
    {"dummy_regressor", ctune_dummy_regressor_new, 0, "dummy", NULL},
};

void cli_model_free(cli_model *m)
{
    ctune_estimator_free(m->est);
    m->est = NULL;
}

static int apply_params(cli_model *m, const cli_opts *o)
{
    ctune_params *p;
    if (ctune_params_new(&p) != CTUNE_OK)
        return cli_fail("params");
    for (size_t i = 0; i < o->n_params; i++) {
        const char *kv = o->params[i];
        const char *eq = strchr(kv, '=');
        char name[160];
        int pre = strstr(kv, "__") == NULL || strstr(kv, "__") > eq;
        snprintf(name, sizeof name, "%s%.*s", pre ? m->prefix : "", (int)(eq - kv), kv);
        if (ctune_params_set_text(p, name, eq + 1) != CTUNE_OK) {
            ctune_params_free(p);
            return cli_fail("--param");
        }
    }
    ctune_status st = ctune_estimator_set_params(m->est, p);
    ctune_params_free(p);
    if (st != CTUNE_OK) {
        fprintf(stderr, "ctune: --param: %s\n", ctune_last_error());
        return CLI_USAGE;
    }
    return CLI_OK;
}

int cli_model_make(const cli_opts *o, const char *cmd, cli_model *m)
{
    memset(m, 0, sizeof *m);
    const char *name = o->model ? o->model : "mlp";
    const model_kind *k = NULL;
    for (size_t i = 0; i < sizeof KINDS / sizeof KINDS[0]; i++)
        if (strcmp(KINDS[i].name, name) == 0)
            k = &KINDS[i];
    if (!k)
        return cli_usage_error(cmd,
                               "unknown --model '%s' (known: mlp, mlp_regressor, tree, "
                               "tree_regressor, dummy, dummy_regressor)",
                               name);
    ctune_estimator *final = NULL;
    if (k->make(&final) != CTUNE_OK)
        return cli_fail("creating the model");
    if (o->seed_set && ctune_params_find(ctune_estimator_get_params(final), "seed") >= 0) {
        ctune_params *seed = NULL;
        ctune_status st = ctune_params_new(&seed);
        if (st == CTUNE_OK)
            st = ctune_params_set_int(seed, "seed", (int64_t)o->seed);
        if (st == CTUNE_OK)
            st = ctune_estimator_set_params(final, seed);
        ctune_params_free(seed);
        if (st != CTUNE_OK) {
            ctune_estimator_free(final);
            return cli_fail("--seed");
        }
    }
    if (k->scaled && !o->no_scale) {
        ctune_estimator *scaler = NULL, *pipe = NULL;
        if (ctune_standard_scaler_new(&scaler) != CTUNE_OK ||
            ctune_pipeline_new(&pipe) != CTUNE_OK ||
            ctune_pipeline_add_step(pipe, "scaler", scaler) != CTUNE_OK ||
            ctune_pipeline_add_step(pipe, k->step, final) != CTUNE_OK) {
            ctune_estimator_free(scaler);
            ctune_estimator_free(pipe);
            ctune_estimator_free(final);
            return cli_fail("creating the pipeline");
        }
        ctune_estimator_free(scaler);
        snprintf(m->description, sizeof m->description, "%s behind StandardScaler",
                 ctune_estimator_name(final));
        ctune_estimator_free(final);
        m->est = pipe;
        snprintf(m->prefix, sizeof m->prefix, "%s__", k->step);
    } else {
        snprintf(m->description, sizeof m->description, "%s", ctune_estimator_name(final));
        m->est = final;
    }
    m->default_space = strncmp(name, "mlp", 3) == 0          ? MLP_SPACE
                       : strcmp(name, "tree") == 0           ? TREE_SPACE
                       : strcmp(name, "tree_regressor") == 0 ? TREE_REG_SPACE
                       : strcmp(name, "dummy") == 0          ? DUMMY_SPACE
                                                             : DUMMY_REG_SPACE;
    int rc = apply_params(m, o);
    if (rc != CLI_OK)
        cli_model_free(m);
    return rc;
}

/* End of the entry name or value piece starting at s: the first of `stops`
 * outside quotes ('...' or "...") and parentheses, or the end of the text. */
static const char *scan_to(const char *s, const char *stops)
{
    char quote = 0;
    int depth = 0;
    for (; *s; s++) {
        if (quote) {
            if (*s == quote)
                quote = 0;
        } else if (*s == '\'' || *s == '"') {
            quote = *s;
        } else if (*s == '(') {
            depth++;
        } else if (*s == ')' && depth > 0) {
            depth--;
        } else if (depth == 0 && strchr(stops, *s)) {
            break;
        }
    }
    return s;
}

/* Copies `text` into a new string with `prefix` before every entry name that
 * has no "__" of its own. Entries are separated by ';', names end at ':';
 * both only outside quotes and parentheses, so a quoted value such as
 * 'relu;x: y' stays intact. */
static char *prefix_names(const char *text, const char *prefix)
{
    size_t n_entries = 1;
    for (const char *s = text; *(s = scan_to(s, ";")); s++)
        n_entries++;
    size_t cap = strlen(text) + 1 + strlen(prefix) * n_entries;
    char *out = malloc(cap), *w = out;
    if (!out)
        return NULL;
    const char *s = text;
    for (;;) {
        const char *end = scan_to(s, ";");
        const char *colon = scan_to(s, ";:");
        if (*colon != ':')
            colon = NULL;
        const char *name = s;
        while (name < end && (*name == ' ' || *name == '\t' || *name == '\n' || *name == '\r'))
            name++;
        int has = 0;
        for (const char *c = name; colon && c + 1 < colon; c++)
            has |= c[0] == '_' && c[1] == '_';
        memcpy(w, s, (size_t)(name - s));
        w += name - s;
        if (colon && !has) {
            memcpy(w, prefix, strlen(prefix));
            w += strlen(prefix);
        }
        memcpy(w, name, (size_t)(end - name));
        w += end - name;
        if (!*end)
            break;
        *w++ = ';';
        s = end + 1;
    }
    *w = '\0';
    return out;
}

/* Largest grid whose every point is checked against the model's spec. */
#define CLI_CHECK_GRID_MAX 100000u

/* Every entry of the space names a parameter of the estimator and, when
 * the space is a (not too large) grid, every value is one it accepts. */
static int check_space_names(const cli_model *m, const char *cmd, const ctune_space *space)
{
    const ctune_params *known = ctune_estimator_get_params(m->est);
    for (size_t i = 0; i < ctune_space_count(space); i++) {
        const char *name = ctune_space_name(space, i);
        if (ctune_params_find(known, name) < 0) {
            size_t pre = strlen(m->prefix);
            return cli_usage_error(cmd, "--space: unknown parameter '%s' for %s",
                                   pre && !strncmp(name, m->prefix, pre) ? name + pre : name,
                                   m->description);
        }
    }
    uint64_t g = 0;
    ctune_candidates *grid = NULL;
    if (ctune_space_grid_size(&g, space) != CTUNE_OK || g > CLI_CHECK_GRID_MAX ||
        ctune_space_grid(&grid, space) != CTUNE_OK) {
        ctune_clear_error();
        return CLI_OK; /* distributions: checked when sampled */
    }
    int rc = CLI_OK;
    for (size_t i = 0; i < ctune_candidates_count(grid) && rc == CLI_OK; i++)
        if (ctune_estimator_check_params(m->est, ctune_candidates_get(grid, i)) != CTUNE_OK)
            rc = cli_usage_error(cmd, "--space: %s", ctune_last_error());
    ctune_candidates_free(grid);
    return rc;
}

int cli_model_space(const cli_model *m, const cli_opts *o, const char *cmd, const ctune_data *data,
                    ctune_space **out)
{
    char defbuf[512];
    const char *text = o->space;
    if (!text) {
        if (m->default_space == TREE_SPACE || m->default_space == TREE_REG_SPACE)
            snprintf(defbuf, sizeof defbuf, "%s; max_features: randint(1, %zu)", m->default_space,
                     ctune_data_n_cols(data) + 1);
        else
            snprintf(defbuf, sizeof defbuf, "%s", m->default_space);
        text = defbuf;
    }
    /* Parse the user's text first so errors point into what they wrote. */
    ctune_space *check;
    if (ctune_space_parse(&check, text) != CTUNE_OK) {
        /* one line: the message's first (the caret excerpt follows it) */
        const char *msg = ctune_last_error();
        fprintf(stderr, "ctune %s: --space: %.*s\n", cmd, (int)strcspn(msg, "\n"), msg);
        return CLI_USAGE;
    }
    ctune_space_free(check);
    char *full = prefix_names(text, m->prefix);
    if (!full) {
        fprintf(stderr, "ctune: out of memory\n");
        return CLI_ERROR;
    }
    ctune_status st = ctune_space_parse(out, full);
    free(full);
    if (st != CTUNE_OK)
        return cli_fail("--space");
    int rc = check_space_names(m, cmd, *out);
    if (rc != CLI_OK) {
        ctune_space_free(*out);
        *out = NULL;
    }
    return rc;
}
