/* The ctune command line: shared declarations. */
#ifndef CTUNE_CLI_H
#define CTUNE_CLI_H

#include <stddef.h>

#include "ctune.h"

/* Exit codes: 0 ok, 1 data/model/library error (results that exist are
 * still written), 2 usage error, 128 + N stopped by signal N (130 SIGINT,
 * 143 SIGTERM; partial results written). */
enum { CLI_OK = 0, CLI_ERROR = 1, CLI_USAGE = 2, CLI_INTERRUPTED = 130 };

#define CLI_MAX_PARAMS 64
/* Limits of the integer flags (the library's own where it has one). */
#define CLI_MAX_N_ITER 1000000LL           /* --n-iter: candidates held in memory */
#define CLI_MAX_N_TRIALS 1000000LL         /* --n-trials: trials held in memory */
#define CLI_MAX_CV 2147483647LL            /* --cv: folds are an int */
#define CLI_MAX_JOBS 4096LL                /* --jobs: the library's n_jobs limit */
#define CLI_MAX_SEED 9223372036854775807LL /* --seed: an int64 option */

/* Options shared by the commands (unset strings are NULL). */
typedef struct cli_opts {
    const char *data_file;              /* --data FILE.csv */
    const char *dataset;                /* --dataset NAME (default breast_cancer) */
    const char *target;                 /* --target COL */
    const char *model;                  /* --model mlp|tree|dummy|... */
    const char *space;                  /* --space TEXT */
    const char *params[CLI_MAX_PARAMS]; /* --param k=v (repeatable) */
    size_t n_params;
    long n_iter;               /* --n-iter */
    long cv;                   /* --cv */
    const char *scoring;       /* --scoring */
    long jobs;                 /* --jobs */
    unsigned long long seed;   /* --seed */
    const char *results;       /* --results FILE.csv|.json */
    const char *report;        /* --report FILE.html (search, grid) */
    const char *save_model;    /* --save-model FILE */
    const char *study;         /* --study FILE (durable study, created or resumed) */
    const char *study_options; /* --study-options TEXT (ctune_study_open options) */
    const char *model_file;    /* --model-file FILE (predict) */
    const char *output;        /* --output FILE (predict) */
    const char *command;       /* --command TEMPLATE (tune) */
    long n_trials;             /* --n-trials (tune) */
    const char *timeout;       /* --timeout SECONDS (tune), checked by the library */
    const char *sampler;       /* --sampler random|grid (tune) */
    const char *direction;     /* --direction maximize|minimize (tune) */
    int shell;                 /* --shell: run --command with /bin/sh -c (tune) */
    int n_trials_set;
    int no_scale;         /* --no-scale */
    int shuffle;          /* --shuffle: shuffled (stratified) K-fold, seeded by --seed */
    int quiet;            /* --quiet */
    int help;             /* --help */
    const char *strategy; /* --strategy random|grid|tpe|halving|halving_grid|hyperband */
    const char *factor;   /* successive halving: --factor, --resource, ... (text, */
    const char *resource; /* checked by the library, which names the option) */
    const char *min_resources;
    const char *max_resources;
    const char *n_candidates;
    int aggressive;         /* --aggressive-elimination */
    const char *max_epochs; /* Hyperband: --max-epochs, --hyperband-iterations */
    const char *hb_iterations;
    const char *pruner; /* --pruner median|sha|none (search, grid: per epoch up to
                              * --max-epochs; tune: on the step=K lines) */
    int n_iter_set, cv_set, seed_set;
    long tpe_batch; /* --tpe-batch K (0 = unset) */
} cli_opts;

/* Parses argv[first..argc) into opts; on a usage error prints one line to
 * stderr and returns CLI_USAGE. `allowed` is a string of the long option
 * names the command accepts, separated by spaces. */
int cli_parse(int argc, char **argv, int first, const char *cmd, const char *allowed, cli_opts *o);

/* Writes the typed values of `p` as option text into buf ("key=value, ...",
 * quoted by the library so that no value can add or change an option).
 * A value that cannot be written back exactly (both quote characters, or
 * too long) is a usage error of `cmd`. */
int cli_options_text(const char *cmd, const ctune_params *p, char *buf, size_t cap);

/* 1 when --results names a JSON file (".json" in any case), 0 for CSV. */
int cli_results_is_json(const char *path);
/* 1 when the path ends in ".csv" (any case). */
int cli_results_is_csv(const char *path);

/* Prints "ctune: <message>" with the library's last error. Returns CLI_ERROR. */
int cli_fail(const char *what);
/* Prints "ctune <cmd>: <message>" for usage errors. Returns CLI_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) CTUNE_PRINTF(2, 3);

/* Progress display on stderr: a bar on a terminal, plain lines otherwise. */
typedef struct cli_progress cli_progress;
cli_progress *cli_progress_new(int quiet, const char *label);
void cli_progress_update(cli_progress *p, size_t done, size_t total, double best);
void cli_progress_end(cli_progress *p);

/* Signals: cli_signals() installs handlers for SIGINT and SIGTERM. The
 * first signal cancels the work named by cli_cancel_target() (through
 * ctune_search_cancel() / ctune_estimator_cancel(), async-signal-safe) so
 * the command can write what it has; a second one exits at once (_exit).
 * cli_interrupted() is 1 after a signal, cli_signal_exit() the exit code
 * for it (128 + the signal number). */
void cli_signals(void);
void cli_cancel_target(ctune_search *search, ctune_estimator *est);
int cli_interrupted(void);
int cli_signal_exit(void);

/* ctune report RESULTS.json -o REPORT.html (tools/cli_report.c). */
int cli_cmd_report(int argc, char **argv);

/* A path given on the command line, with the option that named it. */
typedef struct cli_path {
    const char *opt;   /* "data", "results", ... */
    const char *path;  /* NULL when not given */
    int may_be_stdout; /* '-' and /dev/stdout mean standard output */
} cli_path;

/* 1 for NULL, "-" and "/dev/stdout". */
int cli_is_stdout(const char *path);
/* Checks the outputs before any work: none is the same file as an input
 * or as another output (device and inode when both exist, else the
 * resolved path), each directory exists and is writable, and an existing
 * output is a regular file. Prints one line and returns CLI_USAGE. */
int cli_check_paths(const char *cmd, const cli_path *in, size_t n_in, const cli_path *out,
                    size_t n_out);

/* `ctune study show|export FILE ...` (tools/cli_study.c). */
int cli_study(int argc, char **argv);

/* ctune tune (cli_tune.c). */
int cli_cmd_tune(int argc, char **argv);

#endif
