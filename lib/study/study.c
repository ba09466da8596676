/* Durable studies: a search's finished tasks in a SQLite database, so a
 * killed search resumes where it stopped (docs/studies.md). The search
 * reaches this file only through the hooks of model_selection/study_hook.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/cnum.h"
#include "core/error.h"
#include "estimator/estimator.h"
#include "model_selection/evaluate.h"
#include "model_selection/results.h"
#include "model_selection/space.h"
#include "model_selection/study_hook.h"

#ifndef CTUNE_HAVE_STUDIES

ctune_status ctune_study_open(ctune_study **out, const char *path, const char *options)
{
    if (out)
        *out = NULL;
    return ctune_set_error(CTUNE_EINVAL, "studies: this ctune was built without studies "
                                         "(meson option -Dstudies=disabled)");
}

void ctune_study_close(ctune_study *study) { (void)study; }

int ctune_study_completed_here(const ctune_study *study) { return 0; }

ctune_status ctune_search_set_study(ctune_search *search, ctune_study *study)
{
    CTUNE_CHECK_NULL(search, "search");
    if (!study) {
        ctune__search_set_study_hook(search, NULL);
        return CTUNE_OK;
    }
    return ctune_set_error(CTUNE_EINVAL, "studies: this ctune was built without studies");
}

ctune_status ctune_study_progress(size_t *done, size_t *total, ctune_study *study)
{
    return ctune_set_error(CTUNE_EINVAL, "studies: this ctune was built without studies");
}

ctune_status ctune_tuner_set_study(ctune_tuner *tuner, ctune_study *study)
{
    CTUNE_CHECK_NULL(tuner, "tuner");
    if (!study)
        return ctune__tuner_set_study_hook(tuner, NULL);
    return ctune_set_error(CTUNE_EINVAL, "studies: this ctune was built without studies");
}

ctune_status ctune_study_shape(size_t *n_candidates, size_t *n_splits, ctune_study *study)
{
    return ctune_set_error(CTUNE_EINVAL, "studies: this ctune was built without studies");
}

ctune_status ctune_study_n_trials(size_t *out, ctune_study *study)
{
    return ctune_set_error(CTUNE_EINVAL, "studies: this ctune was built without studies");
}

ctune_status ctune_study_trial(ctune_study_trial_info *out, ctune_study *study, size_t i)
{
    return ctune_set_error(CTUNE_EINVAL, "studies: this ctune was built without studies");
}

long ctune_study_results_json_buf(char *buf, size_t cap, ctune_study *study)
{
    return ctune_set_error(CTUNE_EINVAL, "studies: this ctune was built without studies");
}

#else

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

/* Version 2 keys a task by (candidate, rung, split) and stores its
 * n_resources and bracket: the rungs of successive halving, Hyperband and
 * pruned searches. Version 1 (ctune 0.2: candidate and split only) is
 * upgraded in place when opened (docs/studies.md). */
#define SCHEMA_VERSION 2

#define TRIALS_V2                                                                 \
    "(candidate INTEGER NOT NULL, rung INTEGER NOT NULL, split INTEGER NOT NULL," \
    " params TEXT NOT NULL, state TEXT NOT NULL, status INTEGER NOT NULL,"        \
    " score_failures INTEGER NOT NULL, scores BLOB NOT NULL, fit_time REAL,"      \
    " score_time REAL, error TEXT NOT NULL, history BLOB, n_resources INTEGER,"   \
    " bracket INTEGER, PRIMARY KEY(candidate, rung, split))"
#define CLAIMS_V2                                                                 \
    "(candidate INTEGER NOT NULL, rung INTEGER NOT NULL, split INTEGER NOT NULL," \
    " owner TEXT NOT NULL, heartbeat REAL NOT NULL, PRIMARY KEY(candidate, rung, split))"

static const char *const SCHEMA =
    "CREATE TABLE meta(key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);"
    "CREATE TABLE trials" TRIALS_V2 ";"
    "CREATE TABLE claims" CLAIMS_V2 ";"
    "PRAGMA user_version=2;";

/* Version 1 to 2, in the caller's transaction: every task at rung 0, no
 * claims (a process of an older ctune must not be running on the file). */
static const char *const UPGRADE_1_2 =
    "CREATE TABLE trials_v2" TRIALS_V2 ";"
    "INSERT INTO trials_v2 SELECT candidate, 0, split, params, state, status, score_failures,"
    " scores, fit_time, score_time, error, history, NULL, NULL FROM trials;"
    "DROP TABLE trials;"
    "ALTER TABLE trials_v2 RENAME TO trials;"
    "DROP TABLE claims;"
    "CREATE TABLE claims" CLAIMS_V2 ";"
    "PRAGMA user_version=2;";

/* Version 1 as version 2, for a reader that must not upgrade the file. */
static const char *const V1_VIEWS =
    "CREATE TEMP VIEW trials AS SELECT candidate, 0 AS rung, split, params, state, status,"
    " score_failures, scores, fit_time, score_time, error, history, NULL AS n_resources,"
    " NULL AS bracket FROM main.trials;"
    "CREATE TEMP VIEW claims AS SELECT candidate, 0 AS rung, split, owner, heartbeat"
    " FROM main.claims;";

static const char *const CLAIM_COLS_V1[] = {"candidate", "split", "owner", "heartbeat"};
static const char *const CLAIM_COLS[] = {"candidate", "rung", "split", "owner", "heartbeat"};
static const char *const META_COLS[] = {"key", "value"};
static const char *const TRIAL_COLS_V1[] = {"candidate",  "split",          "params", "state",
                                            "status",     "score_failures", "scores", "fit_time",
                                            "score_time", "error",          "history"};
static const char *const TRIAL_COLS[] = {
    "candidate", "rung",     "split",      "params", "state",   "status",      "score_failures",
    "scores",    "fit_time", "score_time", "error",  "history", "n_resources", "bracket"};

/* The claim that marks a study run by one process (several-run searches). */
#define RUN_LOCK_KEY "-1"

/* The statements of a search's transactions, compiled once per handle
 * (stmt()) and kept until ctune_study_close(). */
enum {
    Q_BEGIN,
    Q_COMMIT,
    Q_ROLLBACK,
    Q_LOOKUP,
    Q_CLAIM_OWNER,
    Q_CLAIM_PUT,
    Q_CLAIM_DEL,
    Q_HEARTBEAT,
    Q_TRIAL_PUT,
    Q_COUNT_TRIALS,
    Q_META_PUT,
    Q_COUNT
};

static const char *const STMT_SQL[Q_COUNT] = {
    [Q_BEGIN] = "BEGIN IMMEDIATE",
    [Q_COMMIT] = "COMMIT",
    [Q_ROLLBACK] = "ROLLBACK",
    [Q_LOOKUP] = "SELECT status, score_failures, scores, fit_time, score_time, error FROM trials "
                 "WHERE candidate=? AND rung=? AND split=?",
    [Q_CLAIM_OWNER] =
        "SELECT owner, heartbeat FROM claims WHERE candidate=? AND rung=? AND split=?",
    [Q_CLAIM_PUT] = "INSERT OR REPLACE INTO claims(candidate, rung, split, owner, heartbeat) "
                    "VALUES(?, ?, ?, ?, ?)",
    [Q_CLAIM_DEL] = "DELETE FROM claims WHERE candidate=? AND rung=? AND split=? AND owner=?",
    [Q_HEARTBEAT] = "UPDATE claims SET heartbeat=? WHERE owner=?",
    [Q_TRIAL_PUT] = "INSERT OR REPLACE INTO trials(candidate, rung, split, params, state, status, "
                    "score_failures, scores, fit_time, score_time, error, history, n_resources, "
                    "bracket) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)",
    [Q_COUNT_TRIALS] = "SELECT count(*) FROM trials",
    [Q_META_PUT] = "INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)",
};

struct ctune_study {
    sqlite3 *db;
    char *path;
    int fresh;     /* option fresh=true: replace a study of another search */
    int no_create; /* option create=false: open an existing study only */
    ctune__study_hook hook;
    ctune__tuner_hook thook;            /* ctune_tuner_set_study() */
    size_t n_cands, n_splits, n_scores; /* of the search that began */
    size_t n_tasks;                     /* its tasks (at most, for a pruned search) */
    unsigned long commits;              /* tasks committed through this handle */
    pthread_mutex_t lock;               /* one transaction at a time (executor threads claim) */
    char owner[160];                    /* "pid/host/nonce": this handle's claims */
    double claim_timeout;               /* seconds without a heartbeat before a claim is retried */
    int last_here;                      /* this handle completed the study (or found it complete) */
    int exclusive;                      /* the search that began runs alone on the study */
    int run_lock;                       /* this handle holds the study's run lock */
    int began;                          /* a search began since the last hook end */
    int v1_reader;    /* create=false on a study of schema version 1: read through views */
    int tuner_claims; /* a tuner asked trials through this handle (claims released on close) */
    /* the heartbeat thread (hook begin to hook end): refreshes this
     * handle's claims every claim_timeout / 4 while tasks run, so a fit
     * longer than claim_timeout keeps its claim */
    pthread_t hb_thread;
    pthread_cond_t hb_cond; /* signalled (under lock) to stop it */
    int hb_running, hb_stop;
    /* the last trial read by ctune_study_trial() */
    char *t_params, *t_error, *t_state;
    double *t_scores;
    sqlite3_stmt *stmts[Q_COUNT]; /* compiled on first use (stmt()) */
    /* tasks this handle claimed and has not committed yet: a claim takes
     * the task's candidate's later splits along (hook_claim) */
    ctune__study_key *held;
    size_t n_held, cap_held;
    /* tasks committed through this handle whose claims are still in the
     * file: the next claim transaction (or hook end) deletes them, so a
     * commit writes the task's row alone */
    ctune__study_key *spent;
    size_t n_spent, cap_spent;
    unsigned long claims; /* claim transactions of this handle (test hooks) */
};

static ctune_status db_error(ctune_study *st, ctune_status code, const char *what)
{
    int e = sqlite3_errcode(st->db);
    if (e == SQLITE_BUSY || e == SQLITE_LOCKED)
        return ctune_set_error(CTUNE_EIO,
                               "study %s: %s: the database stayed locked by another "
                               "process past the timeout",
                               st->path, what);
    if (e == SQLITE_NOTADB || e == SQLITE_CORRUPT)
        return ctune_set_error(CTUNE_EFORMAT,
                               "study %s: %s: not a ctune study, or a corrupted "
                               "one (%s)",
                               st->path, what, sqlite3_errmsg(st->db));
    return ctune_set_error(code, "study %s: %s: %s", st->path, what, sqlite3_errmsg(st->db));
}

static ctune_status exec(ctune_study *st, const char *sql, const char *what)
{
    if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return db_error(st, CTUNE_EIO, what);
    return CTUNE_OK;
}

/* Statement `id`, compiled on first use and reset for a new use, or NULL
 * (with the error set, naming `what`) when it does not compile. The caller
 * holds st->lock (or owns the handle alone, as in ctune_study_open) and
 * resets the statement when done with it, which ends its read. */
static sqlite3_stmt *stmt(ctune_study *st, int id, const char *what)
{
    sqlite3_stmt *q = st->stmts[id];
    if (q) {
        sqlite3_reset(q);
        sqlite3_clear_bindings(q);
        return q;
    }
    if (sqlite3_prepare_v3(st->db, STMT_SQL[id], -1, SQLITE_PREPARE_PERSISTENT, &q, NULL) !=
        SQLITE_OK) {
        sqlite3_finalize(q);
        db_error(st, CTUNE_EIO, what);
        return NULL;
    }
    st->stmts[id] = q;
    return q;
}

/* Runs statement `id` that returns no row (BEGIN IMMEDIATE, COMMIT, ...). */
static ctune_status run_stmt(ctune_study *st, int id, const char *what)
{
    sqlite3_stmt *q = stmt(st, id, what);
    if (!q)
        return ctune_last_error_code();
    int r = sqlite3_step(q);
    ctune_status rc = r == SQLITE_DONE ? CTUNE_OK : db_error(st, CTUNE_EIO, what);
    sqlite3_reset(q);
    return rc;
}

/* Rolls the open transaction back, keeping the error that made it fail. */
static void rollback(ctune_study *st)
{
    char msg[1024];
    ctune_status code = ctune_last_error_code();
    memcpy(msg, ctune_last_error(), sizeof msg);
    msg[sizeof msg - 1] = '\0';
    sqlite3_stmt *q = stmt(st, Q_ROLLBACK, "rolling back");
    if (q) {
        sqlite3_step(q);
        sqlite3_reset(q);
    }
    if (!sqlite3_get_autocommit(st->db)) /* the statement did not end it */
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    ctune_set_error_str(code, msg);
}

static ctune_status count_trials(ctune_study *st, long long *n, const char *what);

/* One integer from a query, e.g. a pragma. */
static ctune_status query_int(ctune_study *st, const char *sql, long long *out, const char *what)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK)
        return db_error(st, CTUNE_EIO, what);
    int r = sqlite3_step(q);
    if (r == SQLITE_ROW)
        *out = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    if (r != SQLITE_ROW)
        return db_error(st, CTUNE_EIO, what);
    return CTUNE_OK;
}

static ctune_status check_columns(ctune_study *st, const char *table, const char *const *cols,
                                  size_t n)
{
    char sql[80];
    snprintf(sql, sizeof sql, "PRAGMA table_info(%s)", table);
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK)
        return db_error(st, CTUNE_EFORMAT, "reading the schema");
    size_t i = 0;
    ctune_status rc = CTUNE_OK;
    int r;
    while (rc == CTUNE_OK && (r = sqlite3_step(q)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(q, 1);
        if (i >= n || !name || strcmp(name, cols[i]) != 0)
            rc = ctune_set_error(CTUNE_EFORMAT,
                                 "study %s: not a ctune study: table %s has an "
                                 "unexpected column '%s'",
                                 st->path, table, name ? name : "?");
        i++;
    }
    sqlite3_finalize(q);
    if (rc == CTUNE_OK && i != n)
        rc = ctune_set_error(CTUNE_EFORMAT,
                             "study %s: not a ctune study: table %s has %zu "
                             "columns, expected %zu",
                             st->path, table, i, n);
    return rc;
}

/* The schema is exactly ours (of `version`, 1 or 2): tables meta and
 * trials with our columns, their primary-key indexes, and nothing else (no
 * triggers, no views). */
static ctune_status check_schema(ctune_study *st, int version)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(st->db, "SELECT type, name FROM sqlite_master ORDER BY name", -1, &q,
                           NULL) != SQLITE_OK)
        return db_error(st, CTUNE_EFORMAT, "reading the schema");
    static const char *const want[][2] = {{"table", "claims"},
                                          {"table", "meta"},
                                          {"index", "sqlite_autoindex_claims_1"},
                                          {"index", "sqlite_autoindex_meta_1"},
                                          {"index", "sqlite_autoindex_trials_1"},
                                          {"table", "trials"}};
    const size_t n_want = sizeof want / sizeof want[0];
    size_t i = 0;
    ctune_status rc = CTUNE_OK;
    int r;
    while (rc == CTUNE_OK && (r = sqlite3_step(q)) == SQLITE_ROW) {
        const char *type = (const char *)sqlite3_column_text(q, 0);
        const char *name = (const char *)sqlite3_column_text(q, 1);
        if (i >= n_want || !type || !name || strcmp(type, want[i][0]) || strcmp(name, want[i][1]))
            rc = ctune_set_error(CTUNE_EFORMAT,
                                 "study %s: not a ctune study: unexpected %s "
                                 "'%s' in the schema",
                                 st->path, type ? type : "?", name ? name : "?");
        i++;
    }
    if (rc == CTUNE_OK && r != SQLITE_DONE)
        rc = db_error(st, CTUNE_EFORMAT, "reading the schema");
    sqlite3_finalize(q);
    if (rc == CTUNE_OK && i != n_want)
        rc = ctune_set_error(CTUNE_EFORMAT,
                             "study %s: not a ctune study: the schema lacks "
                             "its tables",
                             st->path);
    if (rc == CTUNE_OK)
        rc = check_columns(st, "meta", META_COLS, 2);
    if (rc == CTUNE_OK)
        rc = version == 1 ? check_columns(st, "trials", TRIAL_COLS_V1, 11)
                          : check_columns(st, "trials", TRIAL_COLS, 14);
    if (rc == CTUNE_OK)
        rc = version == 1 ? check_columns(st, "claims", CLAIM_COLS_V1, 4)
                          : check_columns(st, "claims", CLAIM_COLS, 5);
    return rc;
}

static ctune_status parse_options(ctune_study *st, const char *options, int *full, int *timeout_ms)
{
    *full = 0;
    *timeout_ms = 5000;
    if (!options || !options[0])
        return CTUNE_OK;
    ctune_params *p;
    CTUNE_TRY(ctune_params_new(&p));
    ctune_status rc = ctune_params_parse(p, options);
    for (size_t i = 0; rc == CTUNE_OK && i < ctune_params_count(p); i++) {
        const char *k = ctune_params_name(p, i);
        if (strcmp(k, "durability") == 0) {
            const char *v = NULL;
            if (ctune_params_type(p, k) == CTUNE_TYPE_STRING)
                ctune_params_get_string(&v, p, k);
            if (v && strcmp(v, "full") == 0)
                *full = 1;
            else if (!v || strcmp(v, "normal") != 0)
                rc = ctune_set_error(CTUNE_EINVAL, "study: option durability must be normal "
                                                   "or full");
        } else if (strcmp(k, "fresh") == 0) {
            if (ctune_params_type(p, k) != CTUNE_TYPE_BOOL)
                rc = ctune_set_error(CTUNE_EINVAL, "study: option fresh must be true or false");
            else
                rc = ctune_params_get_bool(&st->fresh, p, k);
        } else if (strcmp(k, "create") == 0) {
            int create = 1;
            if (ctune_params_type(p, k) != CTUNE_TYPE_BOOL)
                rc = ctune_set_error(CTUNE_EINVAL, "study: option create must be true or false");
            else
                rc = ctune_params_get_bool(&create, p, k);
            st->no_create = !create;
        } else if (strcmp(k, "claim_timeout") == 0) {
            double v = NAN;
            int t = ctune_params_type(p, k);
            if (t == CTUNE_TYPE_INT || t == CTUNE_TYPE_DOUBLE)
                ctune_params_get_double(&v, p, k);
            if (!(v > 0 && v <= 1e7))
                rc = ctune_set_error(CTUNE_EINVAL, "study: option claim_timeout must be seconds "
                                                   "in (0, 1e7]");
            else
                st->claim_timeout = v;
        } else if (strcmp(k, "timeout") == 0) {
            double v = NAN;
            int t = ctune_params_type(p, k);
            if (t == CTUNE_TYPE_INT || t == CTUNE_TYPE_DOUBLE)
                ctune_params_get_double(&v, p, k);
            if (!(v >= 0 && v <= 86400))
                rc = ctune_set_error(CTUNE_EINVAL, "study: option timeout must be seconds "
                                                   "in [0, 86400]");
            else
                *timeout_ms = (int)(v * 1000);
        } else {
            rc = ctune_set_error(CTUNE_EINVAL,
                                 "study: unknown option '%s'; known: durability, "
                                 "fresh, timeout, claim_timeout, create",
                                 k);
        }
    }
    ctune_params_free(p);
    return rc;
}

static void cache_clear(ctune_study *st)
{
    ctune__free(st->t_params);
    ctune__free(st->t_error);
    ctune__free(st->t_state);
    ctune__free(st->t_scores);
    st->t_params = st->t_error = st->t_state = NULL;
    st->t_scores = NULL;
}

static void hook_end(void *self);
static void th_release(ctune_study *st);

void ctune_study_close(ctune_study *st)
{
    if (!st)
        return;
    if (st->hook.self) {
        hook_end(st); /* a search cut short before its end hook */
        pthread_cond_destroy(&st->hb_cond);
    }
    if (st->tuner_claims)
        th_release(st);
    for (int i = 0; i < Q_COUNT; i++)
        sqlite3_finalize(st->stmts[i]);
    ctune__free(st->held);
    ctune__free(st->spent);
    sqlite3_close(st->db);
    if (st->hook.self)
        pthread_mutex_destroy(&st->lock);
    cache_clear(st);
    ctune__free(st->path);
    ctune__free(st);
}

static ctune_status hook_begin(void *self, const ctune__study_begin *b);
static ctune_status hook_lookup(void *self, const ctune__study_key *keys, size_t n, void *recs,
                                size_t rec_size, size_t nk, unsigned char *found);
static ctune_status hook_commit(void *self, const ctune__study_key *key, const char *params,
                                const ctune__task_rec *rec, size_t nk);
static ctune_status hook_claim(void *self, const ctune__study_key *key, ctune__task_rec *rec,
                               size_t nk, int *outcome);
static ctune_status hook_mark_pruned(void *self, size_t cand, size_t rung);
static int hook_refit_here(void *self);
static ctune_status hb_start(ctune_study *st);
static ctune_status th_lock(void *self, const char *fp);
static ctune_status th_unlock(void *self, int commit);
static ctune_status th_read_trials(void *self, size_t from, ctune__tuner_row_fn fn, void *user);
static ctune_status th_read_tells(void *self, size_t from, ctune__tuner_tell_fn fn, void *user);
static ctune_status th_write_trial(void *self, const ctune__tuner_row *row);
static ctune_status th_write_tell(void *self, size_t seq, size_t number, size_t n_asked);

/* PRAGMA journal_mode=WAL needs the exclusive lock.  Two processes
 * switching one new file at once deadlock on it, and SQLite then answers
 * SQLITE_BUSY to one of them at once, without calling the busy handler:
 * retry that one until the timeout. */
static ctune_status set_wal(ctune_study *st, int timeout_ms, const char *what)
{
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        int r = sqlite3_exec(st->db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL);
        if (r == SQLITE_OK)
            return CTUNE_OK;
        clock_gettime(CLOCK_MONOTONIC, &t);
        double ms = (double)(t.tv_sec - t0.tv_sec) * 1e3 + (double)(t.tv_nsec - t0.tv_nsec) / 1e6;
        if ((r & 0xff) != SQLITE_BUSY && (r & 0xff) != SQLITE_LOCKED)
            return db_error(st, CTUNE_EIO, what);
        if (ms >= timeout_ms)
            return db_error(st, CTUNE_EIO, what);
        sqlite3_sleep(5);
    }
}

static ctune_status study_setup(ctune_study *st, int full, int timeout_ms)
{
    sqlite3 *db = st->db;
    /* an untrusted file: no schema-defined code, bounded sizes */
    sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL);
#ifdef SQLITE_DBCONFIG_TRUSTED_SCHEMA
    sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, (int *)NULL);
#endif
    sqlite3_limit(db, SQLITE_LIMIT_LENGTH, 16 << 20);
    sqlite3_limit(db, SQLITE_LIMIT_SQL_LENGTH, 1 << 20);
    sqlite3_limit(db, SQLITE_LIMIT_COLUMN, 64);
    sqlite3_limit(db, SQLITE_LIMIT_EXPR_DEPTH, 100);
    sqlite3_limit(db, SQLITE_LIMIT_COMPOUND_SELECT, 8);
    sqlite3_limit(db, SQLITE_LIMIT_ATTACHED, 0);
    sqlite3_limit(db, SQLITE_LIMIT_TRIGGER_DEPTH, 1);
    sqlite3_busy_timeout(db, timeout_ms);
    CTUNE_TRY(exec(st, "PRAGMA trusted_schema=OFF", "opening"));
    /* version and contents read, and the schema created, in one write
     * transaction: two processes creating one study at once see either
     * nothing or all of it */
    long long version = 0, n_objects = 0;
    CTUNE_TRY(query_int(st, "SELECT count(*) FROM sqlite_master", &n_objects, "opening"));
    if (n_objects == 0 && st->no_create)
        return ctune_set_error(CTUNE_EFORMAT,
                               "study %s: not a ctune study (an empty database), and "
                               "create=false",
                               st->path);
    if (n_objects == 0) {
        /* a new study: WAL before the schema, without syncs (a study that
         * holds no task has nothing to lose; the file is ctune's) */
        CTUNE_TRY(exec(st, "PRAGMA synchronous=OFF", "creating the study"));
        CTUNE_TRY(set_wal(st, timeout_ms, "setting WAL mode"));
    }
    CTUNE_TRY(exec(st, "BEGIN IMMEDIATE", "opening"));
    ctune_status rc = query_int(st, "PRAGMA user_version", &version, "opening");
    if (rc == CTUNE_OK)
        rc = query_int(st, "SELECT count(*) FROM sqlite_master", &n_objects, "opening");
    if (rc == CTUNE_OK && version == 0 && n_objects == 0) {
        rc = exec(st, SCHEMA, "creating the schema");
        version = SCHEMA_VERSION;
    }
    rc = rc == CTUNE_OK ? exec(st, "COMMIT", "opening") : rc;
    if (rc != CTUNE_OK) {
        char msg[1024];
        memcpy(msg, ctune_last_error(), sizeof msg);
        msg[sizeof msg - 1] = '\0';
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        return ctune_set_error_str(rc, msg);
    }
    if (version > SCHEMA_VERSION)
        return ctune_set_error(CTUNE_EFORMAT,
                               "study %s: schema version %lld is newer than this "
                               "ctune reads (%d): upgrade ctune",
                               st->path, version, SCHEMA_VERSION);
    if (version != SCHEMA_VERSION && version != 1)
        return ctune_set_error(CTUNE_EFORMAT,
                               "study %s: not a ctune study (schema version "
                               "%lld, tables of another program)",
                               st->path, version);
    if (version == 1 && st->no_create) {
        /* a reader (create=false) writes nothing: version 1 seen through
         * temporary views of the version 2 layout, which live in this
         * connection only; a search or tuner on it is refused */
        CTUNE_TRY(check_schema(st, 1));
        CTUNE_TRY(exec(st, V1_VIEWS, "reading a study of schema version 1"));
        st->v1_reader = 1;
        return exec(st, full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL",
                    "setting durability");
    }
    if (version == 1) {
        /* a study of ctune 0.2: checked as such, then upgraded in one
         * transaction (unless another process did meanwhile) */
        CTUNE_TRY(check_schema(st, 1));
        CTUNE_TRY(exec(st, "BEGIN IMMEDIATE", "upgrading the schema"));
        rc = query_int(st, "PRAGMA user_version", &version, "upgrading the schema");
        if (rc == CTUNE_OK && version == 1)
            rc = exec(st, UPGRADE_1_2, "upgrading the schema from version 1");
        rc = rc == CTUNE_OK ? exec(st, "COMMIT", "upgrading the schema") : rc;
        if (rc != CTUNE_OK) {
            char msg[1024];
            memcpy(msg, ctune_last_error(), sizeof msg);
            msg[sizeof msg - 1] = '\0';
            sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
            return ctune_set_error_str(rc, msg);
        }
    }
    CTUNE_TRY(check_schema(st, SCHEMA_VERSION));
    /* WAL: a kill -9 loses no committed task; NORMAL may lose the last
     * commits on power loss, FULL does not (create=false, a reader: the
     * journal mode of the file is left as it is) */
    if (!st->no_create)
        CTUNE_TRY(set_wal(st, timeout_ms, "setting WAL mode"));
    CTUNE_TRY(exec(st, full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL",
                   "setting durability"));
    return CTUNE_OK;
}

ctune_status ctune_study_open(ctune_study **out, const char *path, const char *options)
{
    CTUNE_CHECK_NULL(out, "out");
    *out = NULL;
    CTUNE_CHECK_NULL(path, "path");
    if (!path[0])
        return ctune_set_error(CTUNE_EINVAL, "study: path is empty");
    ctune_study *st = ctune__calloc(1, sizeof *st);
    if (!st)
        return CTUNE_ENOMEM;
    st->path = ctune__strdup(path);
    if (!st->path) {
        ctune__free(st);
        return CTUNE_ENOMEM;
    }
    int full, timeout_ms;
    st->claim_timeout = 600;
    ctune_status rc = parse_options(st, options, &full, &timeout_ms);
    if (rc == CTUNE_OK) {
        int r = sqlite3_open_v2(path, &st->db,
                                SQLITE_OPEN_READWRITE | (st->no_create ? 0 : SQLITE_OPEN_CREATE) |
                                    SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_FULLMUTEX,
                                NULL);
        if (r != SQLITE_OK)
            rc = st->db ? db_error(st, CTUNE_EIO, "opening")
                        : ctune_set_error(CTUNE_ENOMEM, "study %s: out of memory", path);
    }
    if (rc == CTUNE_OK)
        rc = study_setup(st, full, timeout_ms);
    if (rc != CTUNE_OK) {
        ctune_study_close(st);
        return rc;
    }
    if (pthread_mutex_init(&st->lock, NULL) != 0) {
        ctune_study_close(st);
        return ctune_set_error(CTUNE_ENOMEM, "study: cannot create a mutex");
    }
    pthread_condattr_t ca;
    int cond_ok = pthread_condattr_init(&ca) == 0;
    if (cond_ok) {
        pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
        cond_ok = pthread_cond_init(&st->hb_cond, &ca) == 0;
        pthread_condattr_destroy(&ca);
    }
    if (!cond_ok) {
        pthread_mutex_destroy(&st->lock);
        ctune_study_close(st);
        return ctune_set_error(CTUNE_ENOMEM, "study: cannot create a condition variable");
    }
    st->hook.self = st;
    st->hook.begin = hook_begin;
    st->hook.lookup = hook_lookup;
    st->hook.commit = hook_commit;
    st->hook.claim = hook_claim;
    st->hook.mark_pruned = hook_mark_pruned;
    st->hook.refit_here = hook_refit_here;
    st->hook.end = hook_end;
    st->thook.self = st;
    st->thook.lock = th_lock;
    st->thook.unlock = th_unlock;
    st->thook.read_trials = th_read_trials;
    st->thook.read_tells = th_read_tells;
    st->thook.write_trial = th_write_trial;
    st->thook.write_tell = th_write_tell;
    char host[64] = "";
    gethostname(host, sizeof host - 1);
    host[strcspn(host, "/")] = '\0';
    unsigned long long nonce = 0;
    sqlite3_randomness(sizeof nonce, &nonce);
    snprintf(st->owner, sizeof st->owner, "%ld/%s/%016llx", (long)getpid(), host, nonce);
    *out = st;
    return CTUNE_OK;
}

ctune_status ctune_search_set_study(ctune_search *search, ctune_study *study)
{
    CTUNE_CHECK_NULL(search, "search");
    ctune__search_set_study_hook(search, study ? &study->hook : NULL);
    return CTUNE_OK;
}

/* A meta value (owned by the caller), or NULL when absent. */
static ctune_status meta_get(ctune_study *st, const char *key, char **out)
{
    *out = NULL;
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(st->db, "SELECT value FROM meta WHERE key=?", -1, &q, NULL) != SQLITE_OK)
        return db_error(st, CTUNE_EIO, "reading meta");
    sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
    int r = sqlite3_step(q);
    ctune_status rc = CTUNE_OK;
    if (r == SQLITE_ROW) {
        const char *v = (const char *)sqlite3_column_text(q, 0);
        if (v && !(*out = ctune__strdup(v)))
            rc = CTUNE_ENOMEM;
    } else if (r != SQLITE_DONE) {
        rc = db_error(st, CTUNE_EIO, "reading meta");
    }
    sqlite3_finalize(q);
    return rc;
}

/* (under st->lock, in the caller's transaction) */
static ctune_status meta_put(ctune_study *st, const char *key, const char *value)
{
    sqlite3_stmt *q = stmt(st, Q_META_PUT, "writing meta");
    if (!q)
        return ctune_last_error_code();
    sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, value, -1, SQLITE_STATIC);
    int r = sqlite3_step(q);
    ctune_status rc = r == SQLITE_DONE ? CTUNE_OK : db_error(st, CTUNE_EIO, "writing meta");
    sqlite3_reset(q);
    return rc;
}

/* CTUNE_ESTATE naming the first line where the two fingerprints differ. */
static ctune_status fingerprint_differs(ctune_study *st, const char *old, const char *cur)
{
    const char *a = old, *b = cur;
    while (*a || *b) {
        size_t la = strcspn(a, "\n"), lb = strcspn(b, "\n");
        if (la != lb || memcmp(a, b, la) != 0) {
            size_t key = strcspn(b, ":\n");
            return ctune_set_error(CTUNE_ESTATE,
                                   "study %s belongs to another search: '%.*s' "
                                   "differs (study has '%.*s', this search '%.*s'); use a new "
                                   "study file or the option fresh=true",
                                   st->path, (int)key, b, (int)(la > 200 ? 200 : la), a,
                                   (int)(lb > 200 ? 200 : lb), b);
        }
        a += la + (a[la] == '\n');
        b += lb + (b[lb] == '\n');
    }
    return CTUNE_OK;
}

static int claim_alive(const ctune_study *st, const char *owner, double heartbeat);
static double wall_now(void);

/* Takes the study's run lock (inside the caller's transaction): a claim
 * on no task that the heartbeat keeps alive. CTUNE_ESTATE when another
 * live process holds it. */
static ctune_status take_run_lock(ctune_study *st)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT owner, heartbeat FROM claims WHERE candidate=" RUN_LOCK_KEY
                           " AND rung=" RUN_LOCK_KEY " AND split=" RUN_LOCK_KEY,
                           -1, &q, NULL) != SQLITE_OK)
        return db_error(st, CTUNE_EIO, "locking the study");
    ctune_status rc = CTUNE_OK;
    int r = sqlite3_step(q);
    if (r == SQLITE_ROW) {
        const char *owner = (const char *)sqlite3_column_text(q, 0);
        if (owner && claim_alive(st, owner, sqlite3_column_double(q, 1)))
            rc = ctune_set_error(CTUNE_ESTATE,
                                 "study %s is in use by another process (%.100s): a "
                                 "successive-halving, Hyperband, TPE or pruned search runs in "
                                 "one process at a time",
                                 st->path, owner);
    } else if (r != SQLITE_DONE) {
        rc = db_error(st, CTUNE_EIO, "locking the study");
    }
    sqlite3_finalize(q);
    if (rc != CTUNE_OK)
        return rc;
    if (sqlite3_prepare_v2(st->db,
                           "INSERT OR REPLACE INTO claims(candidate, rung, split, owner, "
                           "heartbeat) VALUES(" RUN_LOCK_KEY ", " RUN_LOCK_KEY ", " RUN_LOCK_KEY
                           ", ?, ?)",
                           -1, &q, NULL) != SQLITE_OK)
        return db_error(st, CTUNE_EIO, "locking the study");
    sqlite3_bind_text(q, 1, st->owner, -1, SQLITE_STATIC);
    sqlite3_bind_double(q, 2, wall_now());
    r = sqlite3_step(q);
    sqlite3_finalize(q);
    if (r != SQLITE_DONE)
        return db_error(st, CTUNE_EIO, "locking the study");
    st->run_lock = 1;
    return CTUNE_OK;
}

/* CTUNE_ESTATE for a search or tuner on a study opened to be read only. */
static ctune_status refuse_v1_reader(const ctune_study *st)
{
    return ctune_set_error(CTUNE_ESTATE,
                           "study %s has schema version 1 and was opened with create=false, "
                           "to read it: open it without create=false (which upgrades it to "
                           "version 2) to run a search or a tuner on it",
                           st->path);
}

static ctune_status hook_begin(void *self, const ctune__study_begin *b)
{
    ctune_study *st = self;
    if (st->v1_reader)
        return refuse_v1_reader(st);
    const char *fp = b->fingerprint;
    pthread_mutex_lock(&st->lock); /* the heartbeat of an earlier run may be beating */
    char *old = NULL;
    ctune_status rc = run_stmt(st, Q_BEGIN, "starting the search");
    if (rc != CTUNE_OK) {
        pthread_mutex_unlock(&st->lock);
        return rc;
    }
    rc = meta_get(st, "fingerprint", &old);
    if (rc == CTUNE_OK && old && strcmp(old, fp) != 0) {
        if (st->fresh)
            rc = exec(st, "DELETE FROM trials; DELETE FROM meta;", "starting afresh");
        else
            rc = fingerprint_differs(st, old, fp);
        if (rc == CTUNE_OK) {
            ctune__free(old);
            old = NULL;
        }
    }
    if (rc == CTUNE_OK && !old) {
        char num[64];
        rc = meta_put(st, "fingerprint", fp);
        snprintf(num, sizeof num, "%zu", b->n_cands);
        if (rc == CTUNE_OK)
            rc = meta_put(st, "n_candidates", num);
        snprintf(num, sizeof num, "%zu", b->n_splits);
        if (rc == CTUNE_OK)
            rc = meta_put(st, "n_splits", num);
        snprintf(num, sizeof num, "%zu", b->n_scores);
        if (rc == CTUNE_OK)
            rc = meta_put(st, "n_scores", num);
        snprintf(num, sizeof num, "%zu", b->n_tasks);
        if (rc == CTUNE_OK)
            rc = meta_put(st, "n_tasks", num);
    }
    ctune__free(old);
    /* the claims of committed tasks that a killed process left (a handle
     * deletes those of its commits at its next claim transaction or at
     * hook end): a committed task never runs again, its claim means
     * nothing */
    if (rc == CTUNE_OK)
        rc = exec(st,
                  "DELETE FROM claims WHERE EXISTS (SELECT 1 FROM trials t WHERE "
                  "t.candidate=claims.candidate AND t.rung=claims.rung AND "
                  "t.split=claims.split AND t.state!='running')",
                  "starting the search");
    int locked_now = 0;
    if (rc == CTUNE_OK && b->exclusive && !st->run_lock) {
        rc = take_run_lock(st);
        locked_now = rc == CTUNE_OK;
    }
    long long n = 0;
    if (rc == CTUNE_OK)
        rc = count_trials(st, &n, "starting the search");
    if (rc == CTUNE_OK)
        rc = run_stmt(st, Q_COMMIT, "starting the search");
    if (rc != CTUNE_OK) {
        rollback(st);
        if (locked_now)
            st->run_lock = 0; /* rolled back with the rest */
        pthread_mutex_unlock(&st->lock);
        return rc;
    }
    st->n_cands = b->n_cands;
    st->n_splits = b->n_splits;
    st->n_scores = b->n_scores;
    st->n_tasks = b->n_tasks;
    st->exclusive = b->exclusive;
    /* complete already: the refit is ours; alone on the study: always */
    st->last_here = b->exclusive || (size_t)n >= b->n_tasks;
    st->began = 1;
    pthread_mutex_unlock(&st->lock);
    return hb_start(st);
}

static void le_put(unsigned char *p, double v)
{
    uint64_t u;
    memcpy(&u, &v, 8);
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(u >> (8 * i));
}

static double le_get(const unsigned char *p)
{
    uint64_t u = 0;
    for (int i = 0; i < 8; i++)
        u |= (uint64_t)p[i] << (8 * i);
    double v;
    memcpy(&v, &u, 8);
    return v;
}

static double column_time(sqlite3_stmt *q, int i)
{
    return sqlite3_column_type(q, i) == SQLITE_NULL ? NAN : sqlite3_column_double(q, i);
}

/* Binds the task's (candidate, rung, split) to parameters 1, 2 and 3. */
static void bind_key(sqlite3_stmt *q, const ctune__study_key *key)
{
    sqlite3_bind_int64(q, 1, (sqlite3_int64)key->cand);
    sqlite3_bind_int64(q, 2, (sqlite3_int64)key->rung);
    sqlite3_bind_int64(q, 3, (sqlite3_int64)key->split);
}

/* The committed record of task `key` into rec (when rec is not NULL), and
 * *found (under st->lock). */
static ctune_status lookup_row(ctune_study *st, const ctune__study_key *key, ctune__task_rec *rec,
                               size_t nk, int *found)
{
    size_t c = key->cand, f = key->split;
    *found = 0;
    sqlite3_stmt *q = stmt(st, Q_LOOKUP, "reading trials");
    if (!q)
        return ctune_last_error_code();
    bind_key(q, key);
    int r = sqlite3_step(q);
    ctune_status rc = CTUNE_OK;
    if (r == SQLITE_ROW && !rec) {
        *found = 1;
    } else if (r == SQLITE_ROW) {
        const unsigned char *blob = sqlite3_column_blob(q, 2);
        size_t len = (size_t)sqlite3_column_bytes(q, 2);
        long long status = sqlite3_column_int64(q, 0);
        long long fails = sqlite3_column_int64(q, 1);
        const char *err = (const char *)sqlite3_column_text(q, 5);
        if (len != 2 * nk * 8 || (len && !blob) || status > 0 || status < -1000 || fails < 0 ||
            fails > (long long)(2 * nk))
            rc = ctune_set_error(CTUNE_EFORMAT,
                                 "study %s: the row of candidate %zu, rung %zu, split %zu "
                                 "is malformed",
                                 st->path, c, key->rung, f);
        if (rc == CTUNE_OK) {
            rec->status = (int32_t)status;
            rec->score_failures = (int32_t)fails;
            rec->fit_time = column_time(q, 3);
            rec->score_time = column_time(q, 4);
            snprintf(rec->error, sizeof rec->error, "%s", err ? err : "");
            for (size_t k = 0; k < 2 * nk; k++)
                rec->scores[k] = le_get(blob + 8 * k);
            *found = 1;
        }
    } else if (r != SQLITE_DONE) {
        rc = db_error(st, CTUNE_EIO, "reading trials");
    }
    sqlite3_reset(q);
    return rc;
}

/* Every task of keys[0..n): its committed record into the rec_size-byte
 * record i of recs and found[i] = 1, or found[i] = 0; in one read. */
static ctune_status hook_lookup(void *self, const ctune__study_key *keys, size_t n, void *recs,
                                size_t rec_size, size_t nk, unsigned char *found)
{
    ctune_study *st = self;
    pthread_mutex_lock(&st->lock);
    /* one read transaction for all (else one per row) */
    ctune_status rc = exec(st, "BEGIN", "reading trials");
    for (size_t i = 0; rc == CTUNE_OK && i < n; i++) {
        int f = 0;
        rc = lookup_row(st, &keys[i], (ctune__task_rec *)((char *)recs + i * rec_size), nk, &f);
        found[i] = (unsigned char)f;
    }
    if (rc == CTUNE_OK)
        rc = run_stmt(st, Q_COMMIT, "reading trials");
    else if (!sqlite3_get_autocommit(st->db))
        rollback(st);
    pthread_mutex_unlock(&st->lock);
    return rc;
}

/* The number of tasks committed (under st->lock). */
static ctune_status count_trials(ctune_study *st, long long *n, const char *what)
{
    sqlite3_stmt *q = stmt(st, Q_COUNT_TRIALS, what);
    if (!q)
        return ctune_last_error_code();
    int r = sqlite3_step(q);
    if (r == SQLITE_ROW)
        *n = sqlite3_column_int64(q, 0);
    ctune_status rc = r == SQLITE_ROW ? CTUNE_OK : db_error(st, CTUNE_EIO, what);
    sqlite3_reset(q);
    return rc;
}

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int same_key(const ctune__study_key *a, const ctune__study_key *b)
{
    return a->cand == b->cand && a->rung == b->rung && a->split == b->split;
}

/* The index of `key` in keys[0..n), or -1. */
static long key_find(const ctune__study_key *keys, size_t n, const ctune__study_key *key)
{
    for (size_t i = n; i-- > 0;)
        if (same_key(&keys[i], key))
            return (long)i;
    return -1;
}

static long held_find(const ctune_study *st, const ctune__study_key *key)
{
    return key_find(st->held, st->n_held, key);
}

/* Appends `key` to the array *keys of *n (capacity *cap) unless it is in it. */
static ctune_status key_add(ctune__study_key **keys, size_t *n, size_t *cap,
                            const ctune__study_key *key)
{
    if (key_find(*keys, *n, key) >= 0)
        return CTUNE_OK;
    if (*n == *cap) {
        size_t c = *cap ? 2 * *cap : 16;
        ctune__study_key *h = ctune__realloc(*keys, c * sizeof *h);
        if (!h)
            return CTUNE_ENOMEM;
        *keys = h;
        *cap = c;
    }
    (*keys)[(*n)++] = *key;
    return CTUNE_OK;
}

static ctune_status held_add(ctune_study *st, const ctune__study_key *key)
{
    return key_add(&st->held, &st->n_held, &st->cap_held, key);
}

/* Deletes the claims of the tasks this handle committed since the last
 * claim transaction, and refreshes the heartbeat of its other claims
 * (inside the caller's transaction; st->n_spent is cleared by the caller
 * once the transaction commits). */
static ctune_status release_spent(ctune_study *st)
{
    sqlite3_stmt *q;
    for (size_t i = 0; i < st->n_spent; i++) {
        if (!(q = stmt(st, Q_CLAIM_DEL, "releasing a claim")))
            return ctune_last_error_code();
        bind_key(q, &st->spent[i]);
        sqlite3_bind_text(q, 4, st->owner, -1, SQLITE_STATIC);
        ctune_status rc = sqlite3_step(q) == SQLITE_DONE
                              ? CTUNE_OK
                              : db_error(st, CTUNE_EIO, "releasing a claim");
        sqlite3_reset(q);
        if (rc != CTUNE_OK)
            return rc;
    }
    if (!(q = stmt(st, Q_HEARTBEAT, "heart-beating")))
        return ctune_last_error_code();
    sqlite3_bind_double(q, 1, wall_now());
    sqlite3_bind_text(q, 2, st->owner, -1, SQLITE_STATIC);
    ctune_status rc = sqlite3_step(q) == SQLITE_DONE ? CTUNE_OK
                                                     : db_error(st, CTUNE_EIO, "heart-beating");
    sqlite3_reset(q);
    return rc;
}

/* The pid of a claim's owner ("pid/host/nonce") when it runs on this host,
 * else 0. */
static long owner_pid_here(const ctune_study *st, const char *owner)
{
    char *end;
    long pid = strtol(owner, &end, 10);
    const char *host_end = *end == '/' ? strchr(end + 1, '/') : NULL;
    const char *my_host = strchr(st->owner, '/') + 1;
    size_t my_len = (size_t)(strchr(my_host, '/') - my_host);
    if (pid > 0 && host_end && (size_t)(host_end - end - 1) == my_len &&
        memcmp(end + 1, my_host, my_len) == 0)
        return pid;
    return 0;
}

/* 1 while the owner of a claim may still be working on it: not this
 * handle, no heartbeat older than claim_timeout, and, on this host, its
 * process exists. */
static int claim_alive(const ctune_study *st, const char *owner, double heartbeat)
{
    if (strcmp(owner, st->owner) == 0)
        return 0; /* ours from an earlier fit of this handle */
    if (!(wall_now() - heartbeat < st->claim_timeout))
        return 0;
    long pid = owner_pid_here(st, owner);
    if (pid > 0) {
        if (pid == (long)getpid())
            return 0; /* a dead process whose pid this one reuses */
        if (kill((pid_t)pid, 0) != 0 && errno == ESRCH)
            return 0;
    }
    return 1;
}

#ifdef CTUNE_TEST_HOOKS
/* Test builds only: CTUNE_TEST_STUDY_KILL="<n>:claimed" kills the process
 * with SIGKILL right after its n-th claim transaction (a candidate's tasks
 * claimed, none of them run). */
static void test_kill_claimed(const ctune_study *st)
{
    const char *v = getenv("CTUNE_TEST_STUDY_KILL");
    if (!v || !v[0])
        return;
    char *end;
    unsigned long n = strtoul(v, &end, 10);
    if (n == st->claims && strcmp(end, ":claimed") == 0)
        raise(SIGKILL);
}
#endif

/* Claims task `key` (in the caller's transaction) unless another live
 * process holds it: *claimed 1, or 0 when busy. */
static ctune_status claim_one(ctune_study *st, const ctune__study_key *key, int *claimed)
{
    *claimed = 0;
    sqlite3_stmt *q = stmt(st, Q_CLAIM_OWNER, "claiming a task");
    if (!q)
        return ctune_last_error_code();
    bind_key(q, key);
    int busy = 0, r = sqlite3_step(q);
    ctune_status rc = CTUNE_OK;
    if (r == SQLITE_ROW) {
        const char *owner = (const char *)sqlite3_column_text(q, 0);
        busy = owner && claim_alive(st, owner, sqlite3_column_double(q, 1));
    } else if (r != SQLITE_DONE) {
        rc = db_error(st, CTUNE_EIO, "claiming a task");
    }
    sqlite3_reset(q);
    if (rc != CTUNE_OK || busy)
        return rc;
    if (!(q = stmt(st, Q_CLAIM_PUT, "claiming a task")))
        return ctune_last_error_code();
    bind_key(q, key);
    sqlite3_bind_text(q, 4, st->owner, -1, SQLITE_STATIC);
    sqlite3_bind_double(q, 5, wall_now());
    rc = sqlite3_step(q) == SQLITE_DONE ? CTUNE_OK : db_error(st, CTUNE_EIO, "claiming a task");
    sqlite3_reset(q);
    if (rc != CTUNE_OK)
        return rc;
    *claimed = 1;
    return held_add(st, key);
}

/* A task is claimed together with the later splits of its candidate (at
 * its rung) that no one has committed or holds, in one transaction: the
 * tasks of a candidate run one after the other, so a candidate costs one
 * claim transaction, not one per split. The claims this handle holds are
 * known here (st->held): a task among them runs without a transaction. A
 * claimed task that has not run when the process dies is retried by the
 * next process like any claim of a dead owner. */
static ctune_status hook_claim(void *self, const ctune__study_key *key, ctune__task_rec *rec,
                               size_t nk, int *outcome)
{
    ctune_study *st = self;
    if (st->exclusive) { /* alone on the study (its run lock): no claims */
        *outcome = CTUNE__CLAIMED;
        return CTUNE_OK;
    }
    *outcome = CTUNE__CLAIM_BUSY;
    pthread_mutex_lock(&st->lock);
    if (held_find(st, key) >= 0) { /* claimed along with an earlier split */
        *outcome = CTUNE__CLAIMED;
        pthread_mutex_unlock(&st->lock);
        return CTUNE_OK;
    }
    size_t n_held = st->n_held;
    ctune_status rc = run_stmt(st, Q_BEGIN, "claiming a task");
    int found = 0, claimed = 0;
    if (rc == CTUNE_OK)
        rc = release_spent(st);
    if (rc == CTUNE_OK)
        rc = lookup_row(st, key, rec, nk, &found);
    if (rc == CTUNE_OK && found)
        *outcome = CTUNE__CLAIM_DONE;
    else if (rc == CTUNE_OK)
        rc = claim_one(st, key, &claimed);
    if (rc == CTUNE_OK && claimed)
        *outcome = CTUNE__CLAIMED;
    for (size_t f = key->split + 1; rc == CTUNE_OK && claimed && f < st->n_splits; f++) {
        ctune__study_key k = *key;
        k.split = f;
        int done = 0, got = 0;
        rc = lookup_row(st, &k, NULL, nk, &done);
        if (rc == CTUNE_OK && !done && held_find(st, &k) < 0)
            rc = claim_one(st, &k, &got);
    }
    if (rc == CTUNE_OK)
        rc = run_stmt(st, Q_COMMIT, "claiming a task");
    if (rc != CTUNE_OK) {
        rollback(st);
        st->n_held = n_held; /* none of this transaction's claims stands */
        *outcome = CTUNE__CLAIM_BUSY;
    } else {
        st->n_spent = 0;
    }
    st->claims++;
#ifdef CTUNE_TEST_HOOKS
    if (rc == CTUNE_OK)
        test_kill_claimed(st);
#endif
    pthread_mutex_unlock(&st->lock);
    return rc;
}

/* ---- the heartbeat ------------------------------------------------------------ */

/* Seconds between two heartbeats: a quarter of claim_timeout (so three in a
 * row may be late before a live claim looks stale), at most a minute. */
static double hb_interval(const ctune_study *st)
{
    double v = st->claim_timeout / 4;
    return v > 60 ? 60 : v;
}

/* One heartbeat: this handle's claims get the time now, in a transaction
 * of its own that holds the write lock for one UPDATE. A failure (the
 * database stayed locked) is not the search's: the next beat retries. */
static void heartbeat(ctune_study *st)
{
    if (run_stmt(st, Q_BEGIN, "heart-beating") != CTUNE_OK)
        return;
    sqlite3_stmt *q = stmt(st, Q_HEARTBEAT, "heart-beating");
    int ok = q != NULL;
    if (ok) {
        sqlite3_bind_double(q, 1, wall_now());
        sqlite3_bind_text(q, 2, st->owner, -1, SQLITE_STATIC);
        ok = sqlite3_step(q) == SQLITE_DONE;
        sqlite3_reset(q);
    }
    if (!ok || run_stmt(st, Q_COMMIT, "heart-beating") != CTUNE_OK)
        rollback(st);
}

static void *hb_main(void *arg)
{
    ctune_study *st = arg;
    double every = hb_interval(st);
    pthread_mutex_lock(&st->lock);
    while (!st->hb_stop) {
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        double ns = (double)t.tv_nsec + every * 1e9;
        t.tv_sec += (time_t)(ns / 1e9);
        t.tv_nsec = (long)fmod(ns, 1e9);
        int r = 0;
        while (!st->hb_stop && r != ETIMEDOUT)
            r = pthread_cond_timedwait(&st->hb_cond, &st->lock, &t);
        if (!st->hb_stop)
            heartbeat(st); /* under the lock: one transaction at a time */
    }
    pthread_mutex_unlock(&st->lock);
    return NULL;
}

/* Starts the heartbeat thread unless it runs (hook begin). */
static ctune_status hb_start(ctune_study *st)
{
    if (st->hb_running)
        return CTUNE_OK;
    st->hb_stop = 0;
    if (pthread_create(&st->hb_thread, NULL, hb_main, st) != 0)
        return ctune_set_error(CTUNE_ENOMEM, "study %s: cannot start the heartbeat thread",
                               st->path);
    st->hb_running = 1;
    return CTUNE_OK;
}

static void hook_end(void *self)
{
    ctune_study *st = self;
    if (st->hb_running) {
        pthread_mutex_lock(&st->lock);
        st->hb_stop = 1;
        pthread_cond_signal(&st->hb_cond);
        pthread_mutex_unlock(&st->lock);
        pthread_join(st->hb_thread, NULL);
        st->hb_running = 0;
    }
    st->run_lock = 0;
    st->exclusive = 0;
    st->n_held = st->n_spent = 0; /* their rows go below */
    if (!st->began)
        return; /* no search ran: nothing of this handle to release */
    st->began = 0;
    /* claims of tasks that did not finish here (an error, a cancel), and
     * the run lock: free for other processes at once */
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(st->db, "DELETE FROM claims WHERE owner=?", -1, &q, NULL) == SQLITE_OK) {
        sqlite3_bind_text(q, 1, st->owner, -1, SQLITE_STATIC);
        sqlite3_step(q);
        sqlite3_finalize(q);
    }
}

static int hook_refit_here(void *self)
{
    const ctune_study *st = self;
#ifdef CTUNE_TEST_HOOKS
    /* CTUNE_TEST_STUDY_KILL=refit: die inside the refit's fit */
    const char *v = getenv("CTUNE_TEST_STUDY_KILL");
    if (st->last_here && v && strcmp(v, "refit") == 0)
        atomic_store(&ctune__test_kill_at_poll, 1);
#endif
    return st->last_here;
}

int ctune_study_completed_here(const ctune_study *st) { return st && st->last_here; }

#ifdef CTUNE_TEST_HOOKS
/* Test builds only: CTUNE_TEST_STUDY_KILL="<n>:in" kills the process with
 * SIGKILL inside the n-th commit of this process (the row written, the
 * transaction open), "<n>:after" right after the n-th commit, "refit"
 * inside the refit's fit (hook_refit_here); the
 * kill-and-resume test (tests/study/kill_resume.py) uses it. */
static void test_kill(ctune_study *st, int after)
{
    const char *v = getenv("CTUNE_TEST_STUDY_KILL");
    if (!v || !v[0])
        return;
    char *end;
    unsigned long n = strtoul(v, &end, 10);
    if (n == st->commits && strcmp(end, after ? ":after" : ":in") == 0)
        raise(SIGKILL);
}
#endif

static ctune_status hook_commit(void *self, const ctune__study_key *key, const char *params,
                                const ctune__task_rec *rec, size_t nk)
{
    ctune_study *st = self;
    unsigned char *blob = ctune__malloc(2 * nk * 8 + 1);
    if (!blob)
        return CTUNE_ENOMEM;
    pthread_mutex_lock(&st->lock);
    for (size_t k = 0; k < 2 * nk; k++)
        le_put(blob + 8 * k, rec->scores[k]);
    ctune_status rc = run_stmt(st, Q_BEGIN, "committing a task");
    sqlite3_stmt *q = rc == CTUNE_OK ? stmt(st, Q_TRIAL_PUT, "committing a task") : NULL;
    if (rc == CTUNE_OK && !q)
        rc = ctune_last_error_code();
    if (rc == CTUNE_OK) {
        bind_key(q, key);
        sqlite3_bind_text(q, 4, params, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 5, rec->status == CTUNE_OK ? "done" : "failed", -1, SQLITE_STATIC);
        sqlite3_bind_int64(q, 6, rec->status);
        sqlite3_bind_int64(q, 7, rec->score_failures);
        sqlite3_bind_blob(q, 8, blob, (int)(2 * nk * 8), SQLITE_STATIC);
        if (isfinite(rec->fit_time))
            sqlite3_bind_double(q, 9, rec->fit_time);
        if (isfinite(rec->score_time))
            sqlite3_bind_double(q, 10, rec->score_time);
        sqlite3_bind_text(q, 11, rec->error, -1, SQLITE_STATIC);
        if (key->n_resources > 0)
            sqlite3_bind_int64(q, 12, (sqlite3_int64)key->n_resources);
        if (key->bracket >= 0)
            sqlite3_bind_int64(q, 13, (sqlite3_int64)key->bracket);
        if (sqlite3_step(q) != SQLITE_DONE)
            rc = db_error(st, CTUNE_EIO, "committing a task");
        sqlite3_reset(q);
        sqlite3_clear_bindings(q); /* they point at this call's memory */
    }
    /* the task's claim row stays until this handle's next claim
     * transaction (release_spent) or the end of the search: a committed
     * task is never run again whoever claims it, and the commit writes
     * only the task's row */
    long long n = 0;
    if (rc == CTUNE_OK)
        rc = count_trials(st, &n, "committing a task");
    st->commits++;
#ifdef CTUNE_TEST_HOOKS
    if (rc == CTUNE_OK)
        test_kill(st, 0);
#endif
    if (rc == CTUNE_OK)
        rc = run_stmt(st, Q_COMMIT, "committing a task");
#ifdef CTUNE_TEST_HOOKS
    if (rc == CTUNE_OK)
        test_kill(st, 1);
#endif
    if (rc != CTUNE_OK) {
        rollback(st);
    } else {
        long i = held_find(st, key);
        if (i >= 0) { /* (out of memory for the list: its row goes at hook end) */
            st->held[i] = st->held[--st->n_held];
            key_add(&st->spent, &st->n_spent, &st->cap_spent, key);
        }
        if ((size_t)n >= st->n_tasks)
            st->last_here = 1; /* this commit completed the study */
    }
    pthread_mutex_unlock(&st->lock);
    ctune__free(blob);
    return rc;
}

static ctune_status hook_mark_pruned(void *self, size_t cand, size_t rung)
{
    ctune_study *st = self;
    pthread_mutex_lock(&st->lock);
    ctune_status rc = exec(st, "BEGIN IMMEDIATE", "marking a pruned trial");
    sqlite3_stmt *q = NULL;
    if (rc == CTUNE_OK && sqlite3_prepare_v2(st->db,
                                             "UPDATE trials SET state='pruned' WHERE candidate=? "
                                             "AND rung=? AND state='done'",
                                             -1, &q, NULL) != SQLITE_OK)
        rc = db_error(st, CTUNE_EIO, "marking a pruned trial");
    if (rc == CTUNE_OK) {
        sqlite3_bind_int64(q, 1, (sqlite3_int64)cand);
        sqlite3_bind_int64(q, 2, (sqlite3_int64)rung);
        if (sqlite3_step(q) != SQLITE_DONE)
            rc = db_error(st, CTUNE_EIO, "marking a pruned trial");
    }
    sqlite3_finalize(q);
    if (rc == CTUNE_OK)
        rc = exec(st, "COMMIT", "marking a pruned trial");
    if (rc != CTUNE_OK) {
        char msg[1024];
        memcpy(msg, ctune_last_error(), sizeof msg);
        msg[sizeof msg - 1] = '\0';
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
        ctune_set_error_str(rc, msg);
    }
    pthread_mutex_unlock(&st->lock);
    return rc;
}

static ctune_status meta_size(ctune_study *st, const char *key, size_t *out)
{
    char *v;
    *out = 0;
    CTUNE_TRY(meta_get(st, key, &v));
    if (v) {
        char *end;
        unsigned long long n = strtoull(v, &end, 10);
        if (*end || n > (1ULL << 40)) {
            ctune__free(v);
            return ctune_set_error(CTUNE_EFORMAT, "study %s: meta %s is malformed", st->path, key);
        }
        *out = (size_t)n;
    }
    ctune__free(v);
    return CTUNE_OK;
}

static ctune_status rungs_total(ctune_study *st, size_t nc, size_t ns, size_t *n_tasks);

ctune_status ctune_study_progress(size_t *done, size_t *total, ctune_study *st)
{
    CTUNE_CHECK_NULL(st, "study");
    CTUNE_CHECK_NULL(done, "done");
    CTUNE_CHECK_NULL(total, "total");
    size_t nc, ns;
    long long n;
    size_t nt;
    CTUNE_TRY(meta_size(st, "n_candidates", &nc));
    CTUNE_TRY(meta_size(st, "n_splits", &ns));
    CTUNE_TRY(meta_size(st, "n_tasks", &nt)); /* absent in studies of schema 1 */
    CTUNE_TRY(query_int(st, "SELECT count(*) FROM trials WHERE state != 'running'", &n,
                        "counting trials"));
    *done = (size_t)n;
    *total = nt ? nt : nc * ns;
    /* Hyperband's n_tasks is an upper bound (a small space caps its
     * candidates): the tasks of its schedule, recomputed */
    CTUNE_TRY(rungs_total(st, nc, ns, total));
    /* a pruned search's total counts every step of every trial: the steps
     * a pruner skipped are settled too, so done reaches the total */
    size_t steps = nc && ns && nt % (nc * ns) == 0 ? nt / (nc * ns) : 0;
    if (steps < 2)
        return CTUNE_OK;
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT max(rung) FROM trials WHERE state='pruned' GROUP BY candidate",
                           -1, &q, NULL) != SQLITE_OK)
        return db_error(st, CTUNE_EIO, "counting pruned trials");
    int r;
    while ((r = sqlite3_step(q)) == SQLITE_ROW) {
        long long rung = sqlite3_column_int64(q, 0);
        if (rung >= 0 && (size_t)rung + 1 < steps)
            *done += (steps - 1 - (size_t)rung) * ns;
    }
    sqlite3_finalize(q);
    if (r != SQLITE_DONE)
        return db_error(st, CTUNE_EIO, "counting pruned trials");
    if (*done > *total)
        *done = *total;
    return CTUNE_OK;
}

ctune_status ctune_study_shape(size_t *n_candidates, size_t *n_splits, ctune_study *st)
{
    CTUNE_CHECK_NULL(st, "study");
    CTUNE_CHECK_NULL(n_candidates, "n_candidates");
    CTUNE_CHECK_NULL(n_splits, "n_splits");
    CTUNE_TRY(meta_size(st, "n_candidates", n_candidates));
    return meta_size(st, "n_splits", n_splits);
}

ctune_status ctune_study_n_trials(size_t *out, ctune_study *st)
{
    CTUNE_CHECK_NULL(st, "study");
    CTUNE_CHECK_NULL(out, "out");
    long long n = 0;
    CTUNE_TRY(query_int(st, "SELECT count(*) FROM trials", &n, "counting trials"));
    *out = (size_t)n;
    return CTUNE_OK;
}

static char *dup_col(sqlite3_stmt *q, int i, int *oom)
{
    const char *t = (const char *)sqlite3_column_text(q, i);
    char *d = ctune__strdup(t ? t : "");
    if (!d)
        *oom = 1;
    return d;
}

ctune_status ctune_study_trial(ctune_study_trial_info *out, ctune_study *st, size_t i)
{
    CTUNE_CHECK_NULL(st, "study");
    CTUNE_CHECK_NULL(out, "out");
    memset(out, 0, sizeof *out);
    cache_clear(st);
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT candidate, split, params, state, error, scores, "
                           "fit_time, score_time, rung, n_resources, bracket FROM trials "
                           "ORDER BY candidate, rung, split LIMIT 1 OFFSET ?",
                           -1, &q, NULL) != SQLITE_OK)
        return db_error(st, CTUNE_EIO, "reading trials");
    sqlite3_bind_int64(q, 1, (sqlite3_int64)(i > (size_t)INT64_MAX ? INT64_MAX : i));
    int r = sqlite3_step(q);
    ctune_status rc = CTUNE_OK;
    if (r == SQLITE_ROW) {
        int oom = 0;
        long long c = sqlite3_column_int64(q, 0), f = sqlite3_column_int64(q, 1);
        long long rung = sqlite3_column_int64(q, 8);
        size_t len = (size_t)sqlite3_column_bytes(q, 5);
        const unsigned char *blob = sqlite3_column_blob(q, 5);
        st->t_params = dup_col(q, 2, &oom);
        st->t_state = dup_col(q, 3, &oom);
        st->t_error = dup_col(q, 4, &oom);
        if (c < 0 || f < 0 || rung < 0 || len % 8 || (len && !blob))
            rc = ctune_set_error(CTUNE_EFORMAT, "study %s: trial %zu is malformed", st->path, i);
        else if (oom || (len && !(st->t_scores = ctune__malloc(len))))
            rc = CTUNE_ENOMEM;
        if (rc == CTUNE_OK) {
            for (size_t k = 0; k < len / 8; k++)
                st->t_scores[k] = le_get(blob + 8 * k);
            out->candidate = (size_t)c;
            out->split = (size_t)f;
            out->params = st->t_params;
            out->state = st->t_state;
            out->error = st->t_error;
            out->n_scores = len / 8;
            out->scores = st->t_scores;
            out->fit_time = column_time(q, 6);
            out->score_time = column_time(q, 7);
            out->rung = (size_t)rung;
            out->n_resources = sqlite3_column_type(q, 9) == SQLITE_NULL
                                   ? 0
                                   : (int64_t)sqlite3_column_int64(q, 9);
            out->bracket = sqlite3_column_type(q, 10) == SQLITE_NULL
                               ? -1
                               : (int64_t)sqlite3_column_int64(q, 10);
        }
    } else if (r == SQLITE_DONE) {
        rc = ctune_set_error(CTUNE_EINVAL, "study %s: trial %zu is out of range", st->path, i);
    } else {
        rc = db_error(st, CTUNE_EIO, "reading trials");
    }
    sqlite3_finalize(q);
    if (rc != CTUNE_OK)
        cache_clear(st);
    return rc;
}

/* ---- a tuner's trials (ctune_tuner_set_study) --------------------------------- */

ctune_status ctune_tuner_set_study(ctune_tuner *tuner, ctune_study *study)
{
    CTUNE_CHECK_NULL(tuner, "tuner");
    return ctune__tuner_set_study_hook(tuner, study ? &study->thook : NULL);
}

static const char *const TRIAL_STATES[] = {"running", "done", "pruned", "failed"};

/* The tell rows live in meta as "tell <seq, 20 digits>" = "<trial> <asked>". */
#define TELL_KEY "tell %020zu"

/* The error of a running trial whose owner died (th_reap). */
#define TUNER_DEAD "owner process died"

/* 1 while the owner of a tuner's running trial may still tell it: this
 * handle (open, so alive); another handle of this process while its
 * heartbeat is fresh; another process as claim_alive() says. */
static int tuner_owner_alive(const ctune_study *st, const char *owner, double heartbeat)
{
    if (!owner)
        return 0; /* no claim: a handle closed without telling it, or an older ctune */
    if (strcmp(owner, st->owner) == 0)
        return 1;
    if (owner_pid_here(st, owner) == (long)getpid())
        return wall_now() - heartbeat < st->claim_timeout;
    return claim_alive(st, owner, heartbeat);
}

/* Tells "failed" every running trial of a tuner whose owner is dead (inside
 * the caller's transaction, before the tuner reads): in trial order, each
 * taking the next tell, as if the tuner now on the study told it. */
static ctune_status th_reap(ctune_study *st)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT t.candidate, c.owner, c.heartbeat FROM trials t LEFT JOIN "
                           "claims c ON c.candidate=t.candidate AND c.rung=0 AND c.split=0 "
                           "WHERE t.state='running' AND t.rung=0 AND t.split=0 "
                           "ORDER BY t.candidate",
                           -1, &q, NULL) != SQLITE_OK)
        return db_error(st, CTUNE_EIO, "reading the tuner's running trials");
    long long *dead = NULL;
    size_t n = 0, cap = 0;
    ctune_status rc = CTUNE_OK;
    int r;
    while (rc == CTUNE_OK && (r = sqlite3_step(q)) == SQLITE_ROW) {
        const char *owner = (const char *)sqlite3_column_text(q, 1);
        if (tuner_owner_alive(st, owner, sqlite3_column_double(q, 2)))
            continue;
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 8;
            long long *d = ctune__realloc(dead, nc * sizeof *d);
            if (!d) {
                rc = CTUNE_ENOMEM;
                break;
            }
            dead = d;
            cap = nc;
        }
        dead[n++] = sqlite3_column_int64(q, 0);
    }
    if (rc == CTUNE_OK && r != SQLITE_DONE)
        rc = db_error(st, CTUNE_EIO, "reading the tuner's running trials");
    sqlite3_finalize(q);
    for (size_t i = 0; i < n && rc == CTUNE_OK; i++) {
        long long n_tells = 0, n_asked = 0;
        if (sqlite3_prepare_v2(st->db,
                               "UPDATE trials SET state='failed', error='" TUNER_DEAD "' WHERE "
                               "candidate=? AND rung=0 AND split=0;",
                               -1, &q, NULL) != SQLITE_OK)
            return db_error(st, CTUNE_EIO, "failing a dead process's trial");
        sqlite3_bind_int64(q, 1, dead[i]);
        r = sqlite3_step(q);
        sqlite3_finalize(q);
        if (r != SQLITE_DONE)
            rc = db_error(st, CTUNE_EIO, "failing a dead process's trial");
        if (rc == CTUNE_OK &&
            sqlite3_prepare_v2(st->db,
                               "DELETE FROM claims WHERE candidate=? AND rung=0 AND split=0", -1,
                               &q, NULL) == SQLITE_OK) {
            sqlite3_bind_int64(q, 1, dead[i]);
            r = sqlite3_step(q);
            sqlite3_finalize(q);
            if (r != SQLITE_DONE)
                rc = db_error(st, CTUNE_EIO, "failing a dead process's trial");
        }
        if (rc == CTUNE_OK)
            rc = query_int(st, "SELECT count(*) FROM meta WHERE key >= 'tell ' AND key < 'tell :'",
                           &n_tells, "counting the tuner's tells");
        if (rc == CTUNE_OK)
            rc = query_int(st, "SELECT count(*) FROM trials", &n_asked,
                           "counting the tuner's trials");
        if (rc == CTUNE_OK)
            rc = th_write_tell(st, (size_t)n_tells, (size_t)dead[i], (size_t)n_asked);
    }
    ctune__free(dead);
    return rc;
}

/* Drops this handle's claims on a tuner's running trials (ctune_study_close):
 * no one tells them any more, so the next tuner on the study fails them. */
static void th_release(ctune_study *st)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(st->db, "DELETE FROM claims WHERE owner=?", -1, &q, NULL) == SQLITE_OK) {
        sqlite3_bind_text(q, 1, st->owner, -1, SQLITE_STATIC);
        sqlite3_step(q);
        sqlite3_finalize(q);
    }
}

static ctune_status th_lock(void *self, const char *fp)
{
    ctune_study *st = self;
    if (st->v1_reader)
        return refuse_v1_reader(st);
    pthread_mutex_lock(&st->lock);
    ctune_status rc = exec(st, "BEGIN IMMEDIATE", "locking the study for the tuner");
    char *old = NULL;
    if (rc == CTUNE_OK)
        rc = meta_get(st, "fingerprint", &old);
    if (rc == CTUNE_OK && old && strcmp(old, fp) != 0) {
        if (st->fresh)
            rc = exec(st, "DELETE FROM trials; DELETE FROM meta; DELETE FROM claims;",
                      "starting afresh");
        else
            rc = fingerprint_differs(st, old, fp);
        if (rc == CTUNE_OK) {
            ctune__free(old);
            old = NULL;
        }
    }
    if (rc == CTUNE_OK && !old) {
        rc = meta_put(st, "fingerprint", fp);
        if (rc == CTUNE_OK)
            rc = meta_put(st, "n_splits", "1");
        if (rc == CTUNE_OK)
            rc = meta_put(st, "n_scores", "1");
    }
    ctune__free(old);
    if (rc == CTUNE_OK)
        rc = th_reap(st);
    if (rc == CTUNE_OK)
        rc = hb_start(st); /* keeps this handle's running trials alive */
    if (rc != CTUNE_OK) {
        char msg[1024];
        memcpy(msg, ctune_last_error(), sizeof msg);
        msg[sizeof msg - 1] = '\0';
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
        pthread_mutex_unlock(&st->lock);
        return ctune_set_error_str(rc, msg);
    }
    return CTUNE_OK;
}

static ctune_status th_unlock(void *self, int commit)
{
    ctune_study *st = self;
    ctune_status rc = CTUNE_OK;
    if (commit) {
        /* the trials asked so far stand for the candidates and tasks */
        rc = exec(st,
                  "INSERT OR REPLACE INTO meta(key, value) SELECT 'n_candidates', "
                  "CAST(count(*) AS TEXT) FROM trials;"
                  "INSERT OR REPLACE INTO meta(key, value) SELECT 'n_tasks', "
                  "CAST(count(*) AS TEXT) FROM trials;",
                  "counting the tuner's trials");
        if (rc == CTUNE_OK)
            rc = exec(st, "COMMIT", "committing the tuner's trial");
    }
    if (!commit || rc != CTUNE_OK)
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    pthread_mutex_unlock(&st->lock);
    return rc;
}

static ctune_status th_read_trials(void *self, size_t from, ctune__tuner_row_fn fn, void *user)
{
    ctune_study *st = self;
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT candidate, params, state, scores, error, history FROM trials "
                           "WHERE rung=0 AND split=0 AND candidate>=? ORDER BY candidate",
                           -1, &q, NULL) != SQLITE_OK)
        return db_error(st, CTUNE_EIO, "reading the tuner's trials");
    sqlite3_bind_int64(q, 1, (sqlite3_int64)from);
    ctune_status rc = CTUNE_OK;
    int r;
    while (rc == CTUNE_OK && (r = sqlite3_step(q)) == SQLITE_ROW) {
        long long k = sqlite3_column_int64(q, 0);
        const char *params = (const char *)sqlite3_column_text(q, 1);
        const char *state = (const char *)sqlite3_column_text(q, 2);
        const unsigned char *sc = sqlite3_column_blob(q, 3);
        size_t n_sc = (size_t)sqlite3_column_bytes(q, 3);
        const char *err = (const char *)sqlite3_column_text(q, 4);
        const unsigned char *h = sqlite3_column_blob(q, 5);
        size_t n_h = (size_t)sqlite3_column_bytes(q, 5);
        int si = -1;
        for (int i = 0; state && i < 4; i++)
            if (strcmp(state, TRIAL_STATES[i]) == 0)
                si = i;
        if (k < 0 || !params || si < 0 || n_sc != 8 || !sc || n_h % 16 || (n_h && !h)) {
            rc = ctune_set_error(CTUNE_EFORMAT, "study %s: tuner trial %lld is malformed", st->path,
                                 k);
            break;
        }
        size_t n = n_h / 16;
        int64_t *steps = ctune__malloc_array(n ? n : 1, sizeof *steps);
        double *values = ctune__malloc_array(n ? n : 1, sizeof *values);
        if (!steps || !values) {
            rc = CTUNE_ENOMEM;
        } else {
            for (size_t i = 0; i < n; i++) {
                uint64_t u = 0;
                for (int b = 0; b < 8; b++)
                    u |= (uint64_t)h[16 * i + b] << (8 * b);
                steps[i] = (int64_t)u;
                values[i] = le_get(h + 16 * i + 8);
            }
            ctune__tuner_row row = {(size_t)k,      params, si,     le_get(sc),
                                    err ? err : "", steps,  values, n};
            rc = fn(user, &row);
        }
        ctune__free(steps);
        ctune__free(values);
    }
    if (rc == CTUNE_OK && r != SQLITE_DONE)
        rc = db_error(st, CTUNE_EIO, "reading the tuner's trials");
    sqlite3_finalize(q);
    return rc;
}

static ctune_status th_read_tells(void *self, size_t from, ctune__tuner_tell_fn fn, void *user)
{
    ctune_study *st = self;
    char key[64];
    snprintf(key, sizeof key, TELL_KEY, from);
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT key, value FROM meta WHERE key >= ? AND key < 'tell :' "
                           "ORDER BY key",
                           -1, &q, NULL) != SQLITE_OK)
        return db_error(st, CTUNE_EIO, "reading the tuner's tells");
    sqlite3_bind_text(q, 1, key, -1, SQLITE_TRANSIENT);
    ctune_status rc = CTUNE_OK;
    int r;
    while (rc == CTUNE_OK && (r = sqlite3_step(q)) == SQLITE_ROW) {
        const char *k = (const char *)sqlite3_column_text(q, 0);
        const char *v = (const char *)sqlite3_column_text(q, 1);
        char *end = NULL, *end2 = NULL;
        unsigned long long seq = k ? strtoull(k + 5, &end, 10) : 0;
        unsigned long long num = v ? strtoull(v, &end2, 10) : 0;
        unsigned long long asked = end2 && *end2 == ' ' ? strtoull(end2 + 1, &end2, 10) : 0;
        if (!k || !v || !end || *end || !end2 || *end2 || strlen(k) != 25)
            rc = ctune_set_error(CTUNE_EFORMAT, "study %s: a tell of the tuner is malformed",
                                 st->path);
        else
            rc = fn(user, (size_t)seq, (size_t)num, (size_t)asked);
    }
    if (rc == CTUNE_OK && r != SQLITE_DONE)
        rc = db_error(st, CTUNE_EIO, "reading the tuner's tells");
    sqlite3_finalize(q);
    return rc;
}

static ctune_status th_write_trial(void *self, const ctune__tuner_row *row)
{
    ctune_study *st = self;
    if (row->n_steps > ((size_t)8 << 20) / 16)
        return ctune_set_error(CTUNE_EINVAL, "study %s: trial %zu reported too many steps",
                               st->path, row->number);
    unsigned char sc[8];
    le_put(sc, row->value);
    unsigned char *h = ctune__malloc(row->n_steps * 16 + 1);
    if (!h)
        return CTUNE_ENOMEM;
    for (size_t i = 0; i < row->n_steps; i++) {
        uint64_t u = (uint64_t)row->steps[i]; /* int64 then float64, little-endian */
        for (int b = 0; b < 8; b++)
            h[16 * i + b] = (unsigned char)(u >> (8 * b));
        le_put(h + 16 * i + 8, row->values[i]);
    }
    sqlite3_stmt *q;
    ctune_status rc = CTUNE_OK;
    if (sqlite3_prepare_v2(st->db,
                           "INSERT OR REPLACE INTO trials(candidate, rung, split, params, state, "
                           "status, score_failures, scores, fit_time, score_time, error, "
                           "history, n_resources, bracket) VALUES(?, 0, 0, ?, ?, 0, 0, ?, NULL, "
                           "NULL, ?, ?, NULL, NULL)",
                           -1, &q, NULL) != SQLITE_OK) {
        rc = db_error(st, CTUNE_EIO, "writing a tuner trial");
    } else {
        sqlite3_bind_int64(q, 1, (sqlite3_int64)row->number);
        sqlite3_bind_text(q, 2, row->params, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 3, TRIAL_STATES[row->state & 3], -1, SQLITE_STATIC);
        sqlite3_bind_blob(q, 4, sc, 8, SQLITE_STATIC);
        sqlite3_bind_text(q, 5, row->error, -1, SQLITE_STATIC);
        if (row->n_steps)
            sqlite3_bind_blob(q, 6, h, (int)(row->n_steps * 16), SQLITE_STATIC);
        if (sqlite3_step(q) != SQLITE_DONE)
            rc = db_error(st, CTUNE_EIO, "writing a tuner trial");
        sqlite3_finalize(q);
    }
    ctune__free(h);
    /* a running trial is claimed by the handle that last wrote it (the
     * heartbeat keeps the claim fresh); a told one by no one */
    int running = row->state == CTUNE_TRIAL_RUNNING;
    if (rc == CTUNE_OK &&
        sqlite3_prepare_v2(st->db,
                           running ? "INSERT OR REPLACE INTO claims(candidate, rung, split, owner, "
                                     "heartbeat) VALUES(?, 0, 0, ?, ?)"
                                   : "DELETE FROM claims WHERE candidate=? AND rung=0 AND split=0",
                           -1, &q, NULL) != SQLITE_OK)
        rc = db_error(st, CTUNE_EIO, "claiming a tuner trial");
    else if (rc == CTUNE_OK) {
        sqlite3_bind_int64(q, 1, (sqlite3_int64)row->number);
        if (running) {
            sqlite3_bind_text(q, 2, st->owner, -1, SQLITE_STATIC);
            sqlite3_bind_double(q, 3, wall_now());
        }
        if (sqlite3_step(q) != SQLITE_DONE)
            rc = db_error(st, CTUNE_EIO, "claiming a tuner trial");
        sqlite3_finalize(q);
        st->tuner_claims |= running;
    }
    return rc;
}

static ctune_status th_write_tell(void *self, size_t seq, size_t number, size_t n_asked)
{
    ctune_study *st = self;
    char key[64], value[64];
    snprintf(key, sizeof key, TELL_KEY, seq);
    snprintf(value, sizeof value, "%zu %zu", number, n_asked);
    return meta_put(st, key, value);
}

/* ---- the results document of a study -------------------------------------- */

/* The value of line "key: value" of a fingerprint, as a new string. */
static ctune_status fp_value(ctune_study *st, const char *fp, const char *key, char **out)
{
    *out = NULL;
    size_t kl = strlen(key);
    for (const char *l = fp; *l;) {
        size_t n = strcspn(l, "\n");
        if (n >= kl + 2 && memcmp(l, key, kl) == 0 && l[kl] == ':' && l[kl + 1] == ' ') {
            char *v = ctune__malloc(n - kl - 1);
            if (!v)
                return ctune_set_error(CTUNE_ENOMEM, "study %s: out of memory", st->path);
            memcpy(v, l + kl + 2, n - kl - 2);
            v[n - kl - 2] = '\0';
            *out = v;
            return CTUNE_OK;
        }
        l += n + (l[n] == '\n');
    }
    return ctune_set_error(CTUNE_EFORMAT, "study %s: the search's fingerprint has no '%s' line",
                           st->path, key);
}

/* What shapes the results table, read back from the fingerprint that
 * ctune__search_fingerprint() wrote: the space (the param_ columns), the
 * scorers (the column suffixes), refit, return_train_score, error_score. */
static ctune_status fp_settings(ctune_study *st, const char *fp, ctune__eval_opts *o,
                                ctune_space **space)
{
    char *v = NULL;
    /* one row per candidate: the randomized, grid and TPE searches (a TPE
     * trial's record is keyed by its proposal number, its params stored
     * with it); one row per (candidate, rung): successive halving and
     * Hyperband, their rows replayed from the schedule (rebuild_rungs) */
    ctune_status rc = fp_value(st, fp, "strategy", &v);
    if (rc == CTUNE_OK && strcmp(v, "grid") != 0 && strncmp(v, "randomized ", 11) != 0 &&
        strncmp(v, "tpe ", 4) != 0 && strncmp(v, "halving random ", 15) != 0 &&
        strncmp(v, "halving grid ", 13) != 0 && strncmp(v, "hyperband ", 10) != 0)
        rc = ctune_set_error(CTUNE_EFORMAT,
                             "study %s: the results of its search (strategy %.80s) cannot be "
                             "rebuilt from the study",
                             st->path, v);
    ctune__free(v);
    v = NULL;
    if (rc == CTUNE_OK)
        rc = fp_value(st, fp, "scoring", &v);
    if (rc == CTUNE_OK && strcmp(v, "(estimator's score)") != 0)
        for (char *t = v; rc == CTUNE_OK && *t;) {
            size_t n = strcspn(t, " ");
            char end = t[n];
            t[n] = '\0';
            if (n)
                rc = ctune__strlist_push(&o->scoring, t);
            t += n + (end != '\0');
        }
    ctune__free(v);
    v = NULL;
    if (rc == CTUNE_OK)
        rc = fp_value(st, fp, "refit", &v);
    if (rc == CTUNE_OK) { /* "1 -" or "1 <scorer>" */
        if ((v[0] != '0' && v[0] != '1') || v[1] != ' ' || !v[2])
            rc = ctune_set_error(CTUNE_EFORMAT, "study %s: refit line '%.80s' is malformed",
                                 st->path, v);
        o->refit = v[0] == '1';
        if (rc == CTUNE_OK && strcmp(v + 2, "-") != 0 && !(o->refit_metric = ctune__strdup(v + 2)))
            rc = ctune_set_error(CTUNE_ENOMEM, "study %s: out of memory", st->path);
    }
    ctune__free(v);
    v = NULL;
    if (rc == CTUNE_OK)
        rc = fp_value(st, fp, "return_train_score", &v);
    if (rc == CTUNE_OK)
        o->return_train = strcmp(v, "1") == 0;
    ctune__free(v);
    v = NULL;
    if (rc == CTUNE_OK)
        rc = fp_value(st, fp, "error_score", &v);
    if (rc == CTUNE_OK) {
        char *end = NULL;
        o->error_raise = strcmp(v, "raise") == 0;
        if (!o->error_raise) {
            o->error_value = ctune__strtod_c(v, &end);
            if (end == v || *end)
                rc = ctune_set_error(
                    CTUNE_EFORMAT, "study %s: error_score line '%.80s' is malformed", st->path, v);
        }
    }
    ctune__free(v);
    v = NULL;
    if (rc == CTUNE_OK)
        rc = fp_value(st, fp, "space", &v);
    ctune_status prc = rc == CTUNE_OK ? ctune_space_parse(space, v) : CTUNE_OK;
    if (prc == CTUNE_ENOMEM) {
        rc = prc;
    } else if (prc != CTUNE_OK) {
        char msg[512];
        snprintf(msg, sizeof msg, "%s", ctune_last_error());
        rc = ctune_set_error(CTUNE_EFORMAT,
                             "study %s: the space of its search does not read back: %s", st->path,
                             msg);
    }
    ctune__free(v);
    return rc;
}

/* The best row of a pruned search as ctune_search_fit() picks it: among
 * the complete trials (all of them when every trial was pruned), those of
 * the largest resource, the greatest mean, first on ties. */
static size_t pruned_best(const double *mean, const double *pruned, const double *res, size_t n)
{
    double top = -1;
    for (size_t i = 0; i < n; i++)
        if (!pruned[i] && res[i] > top)
            top = res[i];
    size_t b = 0;
    int found = 0;
    for (size_t i = 0; i < n; i++) {
        if ((pruned[i] ? -1 : res[i]) != top)
            continue;
        if (!found || (!isnan(mean[i]) && (isnan(mean[b]) || mean[i] > mean[b])))
            b = i;
        found = 1;
    }
    return b;
}

/* What study_results() rebuilds the results document from. */
typedef struct {
    ctune_study *st;
    char *fp;
    size_t nc, ns, nk, rs, n_tasks;
    ctune__eval_opts o;
    ctune_space *space;
    ctune_params **params;
    ctune__eval ev;
    /* a pruned search only: its pruner line, resource, and per trial the
     * rung of its last committed step, whether it was pruned, its resource */
    char *pruner, *resource;
    size_t *rung;
    double *pruned, *res;
    /* successive halving (hv 1) or Hyperband (hv 2): the schedule of its
     * fingerprint, the committed (candidate, rung) rows loaded (sorted, as
     * read), and per results row its iter and bracket (res: n_resources) */
    int hv;
    double factor;
    long long max_res, iterations;
    size_t n_load, n_rows, plan_rows, hv_rounds;
    size_t *lc, *lr;
    unsigned char *lrec, *lused;
    char **lpar;
    double *lres, *lbr, *iters, *brackets;
} results_rebuild;

/* Reads the study's meta data and search settings, checked and bounded. */
static ctune_status rebuild_settings(results_rebuild *x)
{
    ctune_study *st = x->st;
    ctune_status rc = meta_get(st, "fingerprint", &x->fp);
    if (rc == CTUNE_OK && !x->fp)
        rc = ctune_set_error(CTUNE_ESTATE, "study %s: no search has begun on it yet", st->path);
    if (rc == CTUNE_OK)
        rc = meta_size(st, "n_candidates", &x->nc);
    if (rc == CTUNE_OK)
        rc = meta_size(st, "n_splits", &x->ns);
    if (rc == CTUNE_OK)
        rc = meta_size(st, "n_scores", &x->nk);
    if (rc == CTUNE_OK)
        rc = fp_settings(st, x->fp, &x->o, &x->space);
    size_t nc = x->nc, ns = x->ns, nk = x->nk;
    size_t rs = (sizeof(ctune__task_rec) + 2 * (nk < 4096 ? nk : 0) * sizeof(double) + 7) / 8 * 8;
    x->rs = rs;
    if (rc == CTUNE_OK && (!ns || nk != (x->o.scoring.n ? x->o.scoring.n : 1)))
        rc = ctune_set_error(CTUNE_EFORMAT,
                             "study %s: its meta data (%zu splits, %zu scores) does not fit "
                             "its search",
                             st->path, ns, nk);
    /* an untrusted file: bounded before anything is allocated (2^24 tasks
     * give a results document far past what a report reads) */
    if (rc == CTUNE_OK &&
        (nc > SIZE_MAX / ns || nc * ns > ((size_t)1 << 24) || nc * ns * rs > ((size_t)1 << 30)))
        rc = ctune_set_error(CTUNE_EFORMAT,
                             "study %s: %zu candidates of %zu splits and %zu scores: too "
                             "large to rebuild its results (at most 16777216 tasks and 1 GiB "
                             "of records)",
                             st->path, nc, ns, nk);
    return rc;
}

/* Reads a pruned search's resource and allocates its per-trial columns. */
static ctune_status rebuild_pruner(results_rebuild *x)
{
    ctune_study *st = x->st;
    size_t nc = x->nc;
    ctune_status rc = CTUNE_OK;
    /* a pruned search (a "pruner" line): one row per trial, its last
     * committed step; the pruner line names the resource and max_steps */
    if (strncmp(x->fp, "pruner: ", 8) == 0 || strstr(x->fp, "\npruner: ")) {
        rc = fp_value(st, x->fp, "pruner", &x->pruner);
        const char *rn = rc == CTUNE_OK ? strstr(x->pruner, " resource=") : NULL;
        if (rc == CTUNE_OK && !rn)
            rc = ctune_set_error(CTUNE_EFORMAT, "study %s: its pruner line is malformed", st->path);
        if (rc == CTUNE_OK && strcmp(rn + 10, "-") != 0 && !(x->resource = ctune__strdup(rn + 10)))
            rc = CTUNE_ENOMEM;
        if (rc == CTUNE_OK) {
            x->rung = ctune__calloc(nc ? nc : 1, sizeof *x->rung);
            x->pruned = ctune__calloc(nc ? nc : 1, sizeof *x->pruned);
            x->res = ctune__calloc(nc ? nc : 1, sizeof *x->res);
            if (!x->rung || !x->pruned || !x->res)
                rc = CTUNE_ENOMEM;
        }
    }
    return rc;
}

/* Allocates the task records, all not run, and the candidates' params. */
static ctune_status rebuild_alloc(results_rebuild *x)
{
    size_t nc = x->nc, nk = x->nk, rs = x->rs;
    ctune_status rc = CTUNE_OK;
    x->n_tasks = nc * x->ns;
    size_t n_tasks = x->n_tasks;
    x->ev.records = ctune__calloc(n_tasks ? n_tasks : 1, rs);
    x->params = ctune__calloc(nc ? nc : 1, sizeof *x->params);
    if (!x->ev.records || !x->params)
        rc = ctune_set_error(CTUNE_ENOMEM, "study %s: out of memory", x->st->path);
    for (size_t c = 0; rc == CTUNE_OK && c < nc; c++)
        rc = ctune_params_new(&x->params[c]);
    x->ev.n_cands = nc;
    x->ev.n_splits = x->ns;
    x->ev.n_scorers = nk;
    x->ev.rec_size = rs;
    x->ev.opts = &x->o;
    for (size_t t = 0; rc == CTUNE_OK && t < n_tasks; t++) { /* as a run starts them */
        ctune__task_rec *rec = (ctune__task_rec *)(x->ev.records + t * rs);
        rec->status = CTUNE__NOT_RUN;
        rec->fit_time = rec->score_time = NAN;
        for (size_t k = 0; k < 2 * nk; k++)
            rec->scores[k] = NAN;
    }
    return rc;
}

/* Starts trial `c` again at rung `rg`, the records and params of its step. */
static ctune_status rebuild_later_step(results_rebuild *x, long long c, long long rg)
{
    /* a later step of the trial: its row replaces the earlier one */
    size_t ns = x->ns, nk = x->nk, rs = x->rs;
    x->rung[c] = (size_t)rg;
    x->res[c] = (double)rg + 1;
    for (size_t t = (size_t)c * ns; t < ((size_t)c + 1) * ns; t++) {
        ctune__task_rec *old = (ctune__task_rec *)(x->ev.records + t * rs);
        old->status = CTUNE__NOT_RUN;
        old->fit_time = old->score_time = NAN;
        for (size_t k = 0; k < 2 * nk; k++)
            old->scores[k] = NAN;
    }
    ctune_params_free(x->params[c]);
    x->params[c] = NULL;
    if (ctune_params_new(&x->params[c]) != CTUNE_OK)
        return CTUNE_ENOMEM;
    return CTUNE_OK;
}

/* Fills `rec` (not run so far) from the task row of `q`, checked as a
 * resumed search checks it. */
static ctune_status read_rec(results_rebuild *x, sqlite3_stmt *q, ctune__task_rec *rec, long long c,
                             long long f)
{
    size_t nk = x->nk;
    const unsigned char *blob = sqlite3_column_blob(q, 5);
    size_t len = (size_t)sqlite3_column_bytes(q, 5);
    long long status = sqlite3_column_int64(q, 3), fails = sqlite3_column_int64(q, 4);
    const char *err = (const char *)sqlite3_column_text(q, 8);
    if (rec->status != CTUNE__NOT_RUN || len != 2 * nk * 8 || (len && !blob) || status > 0 ||
        status < -1000 || fails < 0 || fails > (long long)(2 * nk))
        return ctune_set_error(CTUNE_EFORMAT,
                               "study %s: the row of candidate %lld, split %lld is malformed",
                               x->st->path, c, f);
    rec->status = (int32_t)status;
    rec->score_failures = (int32_t)fails;
    rec->fit_time = column_time(q, 6);
    rec->score_time = column_time(q, 7);
    snprintf(rec->error, sizeof rec->error, "%s", err ? err : "");
    for (size_t k = 0; k < 2 * nk; k++)
        rec->scores[k] = le_get(blob + 8 * k);
    return CTUNE_OK;
}

/* Parses the params text of a row of candidate c into p. */
static ctune_status parse_row_params(results_rebuild *x, ctune_params *p, const char *text,
                                     long long c)
{
    ctune_status prc = ctune_params_parse(p, text ? text : "");
    if (prc == CTUNE_OK || prc == CTUNE_ENOMEM)
        return prc;
    char msg[512];
    snprintf(msg, sizeof msg, "%s", ctune_last_error());
    return ctune_set_error(CTUNE_EFORMAT,
                           "study %s: the params of candidate %lld do not read back: %s",
                           x->st->path, c, msg);
}

/* Reads one committed task's row of `q` (`*last`: the previous candidate). */
static ctune_status rebuild_row(results_rebuild *x, sqlite3_stmt *q, long long *last)
{
    ctune_study *st = x->st;
    size_t nc = x->nc, ns = x->ns;
    ctune_status rc = CTUNE_OK;
    long long c = sqlite3_column_int64(q, 0), f = sqlite3_column_int64(q, 1);
    if (c < 0 || f < 0 || (unsigned long long)c >= nc || (unsigned long long)f >= ns)
        return ctune_set_error(CTUNE_EFORMAT,
                               "study %s: a trial of candidate %lld, split %lld is outside "
                               "its search (%zu candidates, %zu splits)",
                               st->path, c, f, nc, ns);
    long long rg = sqlite3_column_int64(q, 9);
    if (rg != 0 && !x->rung)
        return ctune_set_error(CTUNE_EFORMAT, "study %s: candidate %lld has a row at rung %lld",
                               st->path, c, rg);
    if (x->rung && (rg < 0 || rg >= (1LL << 20)))
        return ctune_set_error(CTUNE_EFORMAT, "study %s: the rung of candidate %lld is malformed",
                               st->path, c);
    if (x->rung && (c != *last || (size_t)rg > x->rung[c])) {
        if (rebuild_later_step(x, c, rg) != CTUNE_OK)
            return CTUNE_ENOMEM;
        *last = -1;
    }
    if (x->rung) {
        const char *state = (const char *)sqlite3_column_text(q, 10);
        x->pruned[c] = state && strcmp(state, "pruned") == 0 ? 1 : x->pruned[c];
    }
    ctune__task_rec *rec = (ctune__task_rec *)(x->ev.records +
                                               ((size_t)c * ns + (size_t)f) * x->rs);
    rc = read_rec(x, q, rec, c, f);
    if (rc == CTUNE_OK && c != *last) {
        const char *text = (const char *)sqlite3_column_text(q, 2);
        rc = parse_row_params(x, x->params[c], text, c);
        *last = c;
    }
    return rc;
}

/* Reads the records and params of every committed task of the study. */
static ctune_status rebuild_rows(results_rebuild *x)
{
    /* every committed task: its record, checked as a resumed search checks
     * it, and its candidate's params (from its first committed split); one
     * query, on the columns only (the row layout of the hooks may grow) */
    sqlite3_stmt *q = NULL;
    ctune_status rc = CTUNE_OK;
    if (sqlite3_prepare_v2(x->st->db,
                           "SELECT candidate, split, params, status, score_failures, scores, "
                           "fit_time, score_time, error, rung, state FROM trials "
                           "ORDER BY candidate, rung, split",
                           -1, &q, NULL) != SQLITE_OK)
        rc = db_error(x->st, CTUNE_EIO, "reading trials");
    long long last = -1;
    while (rc == CTUNE_OK) {
        int s = sqlite3_step(q);
        if (s == SQLITE_DONE)
            break;
        if (s != SQLITE_ROW) {
            rc = db_error(x->st, CTUNE_EIO, "reading trials");
            break;
        }
        rc = rebuild_row(x, q, &last);
    }
    sqlite3_finalize(q);
    return rc;
}

/* ---- the rows of successive halving and Hyperband ----------------------- */

/* Hyperband's bracket count and sizes, as the search computes them
 * (KerasTuner's); at most 4096 brackets (0: more). */
static size_t hb_brackets(long long max_epochs, double factor)
{
    size_t b = 0;
    for (double e = (double)max_epochs; e >= 1 && b <= 4096; e /= factor)
        b++;
    return b <= 4096 ? b : 0;
}

static size_t hb_bracket_size(size_t n_brackets, size_t b, double factor)
{
    return (size_t)ceil((double)n_brackets / (double)(b + 1) * pow(factor, (double)b) - 1e-9);
}

/* Reads the schedule of a halving or Hyperband search from its
 * fingerprint's "halving:" or "hyperband:" line. */
static ctune_status rungs_settings(results_rebuild *x)
{
    ctune_study *st = x->st;
    char *v = NULL;
    ctune_status rc = fp_value(st, x->fp, "strategy", &v);
    if (rc == CTUNE_OK)
        x->hv = strncmp(v, "hyperband ", 10) == 0 ? 2 : strncmp(v, "halving ", 8) == 0 ? 1 : 0;
    ctune__free(v);
    v = NULL;
    if (rc != CTUNE_OK || !x->hv)
        return rc;
    const char *key = x->hv == 2 ? "hyperband" : "halving";
    rc = fp_value(st, x->fp, key, &v);
    int seen = 0;
    for (char *t = v; rc == CTUNE_OK && *t;) {
        size_t n = strcspn(t, " ");
        char end = t[n];
        t[n] = '\0';
        char *eq = strchr(t, '='), *e = NULL;
        if (eq && strncmp(t, "factor=", 7) == 0) {
            x->factor = ctune__strtod_c(eq + 1, &e);
            seen |= (e != eq + 1 && !*e && isfinite(x->factor) && x->factor > 1) ? 1 : 0;
        } else if (eq && strncmp(t, "resource=", 9) == 0) {
            seen |= 2;
            if (strcmp(eq + 1, "n_samples") != 0 && !(x->resource = ctune__strdup(eq + 1)))
                rc = ctune_set_error(CTUNE_ENOMEM, "study %s: out of memory", st->path);
        } else if (eq && strncmp(t, "max_resources=", 14) == 0) {
            x->max_res = strtoll(eq + 1, &e, 10);
            seen |= e != eq + 1 && !*e ? 4 : 0;
        } else if (eq && strncmp(t, "iterations=", 11) == 0) {
            x->iterations = strtoll(eq + 1, &e, 10);
            seen |= e != eq + 1 && !*e ? 8 : 0;
        }
        t += n + (end != '\0');
    }
    if (rc == CTUNE_OK &&
        (seen != 15 || (x->hv == 2 && (x->max_res < 1 || x->max_res > 1000000 ||
                                       x->iterations < 1 || x->iterations > 1000))))
        rc = ctune_set_error(CTUNE_EFORMAT, "study %s: its %s line '%.80s' is malformed", st->path,
                             key, v);
    ctune__free(v);
    return rc;
}

/* The rows a run of the whole schedule gives (the study's n_tasks is an
 * upper bound for Hyperband: a small space caps its candidates). */
static ctune_status rungs_plan(results_rebuild *x)
{
    ctune_study *st = x->st;
    size_t nc = x->nc, rows = 0, limit = ((size_t)1 << 24) / x->ns;
    if (x->hv == 1) { /* the rounds that add up to the study's rows */
        size_t nt = 0, n = nc;
        CTUNE_TRY(meta_size(st, "n_tasks", &nt));
        if (nt % x->ns == 0)
            for (size_t it = 0; rows < nt / x->ns && it < 4096 && n; it++) {
                x->hv_rounds = it + 1;
                rows += n;
                n = (size_t)ceil((double)n / x->factor);
            }
        if (!nt || nt % x->ns || rows != nt / x->ns)
            return ctune_set_error(CTUNE_EFORMAT,
                                   "study %s: its %zu tasks are no schedule of successive "
                                   "halving over %zu candidates",
                                   st->path, nt, nc);
    } else {
        size_t nb = hb_brackets(x->max_res, x->factor), first = 0;
        if (!nb)
            return ctune_set_error(CTUNE_EFORMAT, "study %s: its Hyperband has too many brackets",
                                   st->path);
        for (long long hi = 0; hi < x->iterations; hi++)
            for (size_t bb = nb; bb-- > 0 && first < nc && rows <= limit;) {
                size_t full = hb_bracket_size(nb, bb, x->factor), size = full;
                if (size > nc - first)
                    size = nc - first;
                size_t rounds = bb + 1 < 64 ? bb + 1 : 64, n = size;
                for (size_t r = 0; r < rounds && n; r++) {
                    rows += n;
                    size_t keep = r + 1 < rounds
                                      ? (size_t)floor((double)full / pow(x->factor, (double)r + 1))
                                      : (size_t)ceil((double)size / pow(x->factor, (double)r + 1));
                    n = keep < n ? keep : n;
                }
                first += size;
            }
    }
    if (rows > limit || rows * x->ns * x->rs > ((size_t)1 << 30))
        return ctune_set_error(CTUNE_EFORMAT,
                               "study %s: %zu rows of %zu splits: too large to rebuild its "
                               "results (at most 16777216 tasks and 1 GiB of records)",
                               st->path, rows, x->ns);
    x->plan_rows = rows;
    return CTUNE_OK;
}

/* The tasks of a Hyperband study's schedule into *n_tasks (left as it is
 * for another search, or a fingerprint that does not read back). */
static ctune_status rungs_total(ctune_study *st, size_t nc, size_t ns, size_t *n_tasks)
{
    results_rebuild x;
    memset(&x, 0, sizeof x);
    x.st = st;
    x.nc = nc;
    x.ns = ns;
    x.rs = sizeof(ctune__task_rec);
    ctune_status rc = meta_get(st, "fingerprint", &x.fp), prc = CTUNE_OK;
    if (rc == CTUNE_OK && x.fp && ns)
        prc = rungs_settings(&x);
    if (prc == CTUNE_OK && x.hv == 2) {
        prc = rungs_plan(&x);
        if (prc == CTUNE_OK)
            *n_tasks = x.plan_rows * ns;
    }
    if (prc == CTUNE_ENOMEM)
        rc = prc;
    else if (prc != CTUNE_OK)
        ctune_clear_error(); /* the results export says what is wrong with it */
    ctune__free(x.resource);
    ctune__free(x.fp);
    return rc;
}

/* Reads the committed (candidate, rung) rows, their tasks' records. */
static ctune_status rungs_load(results_rebuild *x)
{
    ctune_study *st = x->st;
    size_t ns = x->ns, rs = x->rs;
    long long groups = 0;
    CTUNE_TRY(query_int(st, "SELECT count(*) FROM (SELECT 1 FROM trials GROUP BY candidate, rung)",
                        &groups, "reading trials"));
    if (groups < 0 || (size_t)groups > x->plan_rows)
        return ctune_set_error(CTUNE_EFORMAT,
                               "study %s: %lld rows, more than the %zu of its schedule", st->path,
                               groups, x->plan_rows);
    size_t nl = (size_t)groups, cap = nl ? nl : 1;
    x->lc = ctune__calloc(cap, sizeof *x->lc);
    x->lr = ctune__calloc(cap, sizeof *x->lr);
    x->lpar = ctune__calloc(cap, sizeof *x->lpar);
    x->lres = ctune__calloc(cap, sizeof *x->lres);
    x->lbr = ctune__calloc(cap, sizeof *x->lbr);
    x->lused = ctune__calloc(cap, 1);
    x->lrec = ctune__calloc(cap * ns, rs);
    if (!x->lc || !x->lr || !x->lpar || !x->lres || !x->lbr || !x->lused || !x->lrec)
        return ctune_set_error(CTUNE_ENOMEM, "study %s: out of memory", st->path);
    for (size_t t = 0; t < cap * ns; t++) {
        ctune__task_rec *rec = (ctune__task_rec *)(x->lrec + t * rs);
        rec->status = CTUNE__NOT_RUN;
        rec->fit_time = rec->score_time = NAN;
        for (size_t k = 0; k < 2 * x->nk; k++)
            rec->scores[k] = NAN;
    }
    sqlite3_stmt *q = NULL;
    ctune_status rc = CTUNE_OK;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT candidate, split, params, status, score_failures, scores, "
                           "fit_time, score_time, error, rung, n_resources, bracket FROM trials "
                           "ORDER BY candidate, rung, split",
                           -1, &q, NULL) != SQLITE_OK)
        rc = db_error(st, CTUNE_EIO, "reading trials");
    size_t n = 0;
    while (rc == CTUNE_OK) {
        int s = sqlite3_step(q);
        if (s == SQLITE_DONE)
            break;
        if (s != SQLITE_ROW) {
            rc = db_error(st, CTUNE_EIO, "reading trials");
            break;
        }
        long long c = sqlite3_column_int64(q, 0), f = sqlite3_column_int64(q, 1);
        long long rg = sqlite3_column_int64(q, 9), res = sqlite3_column_int64(q, 10);
        double br = sqlite3_column_type(q, 11) == SQLITE_NULL ? -1
                                                              : (double)sqlite3_column_int64(q, 11);
        if (c < 0 || f < 0 || (unsigned long long)c >= x->nc || (unsigned long long)f >= ns) {
            rc = ctune_set_error(CTUNE_EFORMAT,
                                 "study %s: a trial of candidate %lld, split %lld is outside "
                                 "its search (%zu candidates, %zu splits)",
                                 st->path, c, f, x->nc, ns);
            break;
        }
        if (rg < 0 || rg >= 4096 || res < 1 || sqlite3_column_type(q, 10) == SQLITE_NULL) {
            rc = ctune_set_error(CTUNE_EFORMAT,
                                 "study %s: the rung or n_resources of candidate %lld is "
                                 "malformed",
                                 st->path, c);
            break;
        }
        if (!n || x->lc[n - 1] != (size_t)c || x->lr[n - 1] != (size_t)rg) {
            if (n == nl) { /* the count above is of the same snapshot */
                rc = ctune_set_error(CTUNE_EFORMAT, "study %s: its rows changed while read",
                                     st->path);
                break;
            }
            const char *text = (const char *)sqlite3_column_text(q, 2);
            x->lc[n] = (size_t)c;
            x->lr[n] = (size_t)rg;
            x->lres[n] = (double)res;
            x->lbr[n] = br;
            if (!(x->lpar[n] = ctune__strdup(text ? text : ""))) {
                rc = ctune_set_error(CTUNE_ENOMEM, "study %s: out of memory", st->path);
                break;
            }
            n++;
        } else if (x->lres[n - 1] != (double)res || x->lbr[n - 1] != br) {
            rc = ctune_set_error(CTUNE_EFORMAT,
                                 "study %s: the splits of candidate %lld at rung %lld differ in "
                                 "n_resources or bracket",
                                 st->path, c, rg);
            break;
        }
        rc = read_rec(x, q, (ctune__task_rec *)(x->lrec + ((n - 1) * ns + (size_t)f) * rs), c, f);
    }
    sqlite3_finalize(q);
    x->n_load = n;
    return rc;
}

/* The loaded row of candidate c at rung r, or SIZE_MAX. */
static size_t rungs_find(const results_rebuild *x, size_t c, size_t r)
{
    size_t lo = 0, hi = x->n_load;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (x->lc[mid] < c || (x->lc[mid] == c && x->lr[mid] < r))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < x->n_load && x->lc[lo] == c && x->lr[lo] == r ? lo : SIZE_MAX;
}

/* The search's order of the next round (its top_k): a stable ascending sort
 * of the round's mean test scores, NaN first, of which the last k stay. */
static void rungs_top_k(const double *score, size_t n, size_t k, size_t *order)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (isnan(score[i]))
            order[m++] = i;
    size_t first = m;
    for (size_t i = 0; i < n; i++) {
        if (isnan(score[i]))
            continue;
        size_t j = m++;
        while (j > first && score[order[j - 1]] > score[i]) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = i;
    }
    memmove(order, order + (n - k), k * sizeof *order);
}

/* Adds the row of candidate c in round `it` (loaded row j, or SIZE_MAX: no
 * split committed yet, its params those of its previous round's row). */
static ctune_status rungs_row(results_rebuild *x, size_t c, size_t it, size_t j, double res,
                              double bracket)
{
    size_t i = x->n_rows, per = x->ns * x->rs;
    if (i >= x->plan_rows)
        return ctune_set_error(CTUNE_EFORMAT, "study %s: more rows than its schedule has",
                               x->st->path);
    CTUNE_TRY(ctune_params_new(&x->params[i]));
    x->n_rows++;
    x->iters[i] = (double)it;
    x->res[i] = res;
    x->brackets[i] = bracket;
    if (j != SIZE_MAX) {
        memcpy(x->ev.records + i * per, x->lrec + j * per, per);
        x->lused[j] = 1;
        return parse_row_params(x, x->params[i], x->lpar[j], (long long)c);
    }
    for (size_t f = 0; f < x->ns; f++) { /* not run */
        ctune__task_rec *rec = (ctune__task_rec *)(x->ev.records + i * per + f * x->rs);
        rec->status = CTUNE__NOT_RUN;
        rec->fit_time = rec->score_time = NAN;
        for (size_t k = 0; k < 2 * x->nk; k++)
            rec->scores[k] = NAN;
    }
    size_t prev = it ? rungs_find(x, c, it - 1) : SIZE_MAX;
    if (prev == SIZE_MAX)
        return CTUNE_OK; /* round 0: its params are in no row yet */
    CTUNE_TRY(parse_row_params(x, x->params[i], x->lpar[prev], (long long)c));
    return x->resource ? ctune_params_set_int(x->params[i], x->resource, (int64_t)res) : CTUNE_OK;
}

/* Replays one bracket of rounds over candidates [first, first + n0), as
 * the search's rounds_run: round `it` holds its candidates in cur[], the
 * next keeps the best keep_at[it] (NULL: ceil(n / factor)) ordered from the
 * worst to the best mean test score of `metric`. A round no split of which
 * is committed, and the rounds after one not complete, are not there yet. */
static ctune_status rungs_bracket(results_rebuild *x, size_t metric, size_t first, size_t n0,
                                  size_t rounds, const size_t *keep_at, double bracket, size_t *cur,
                                  size_t *order, double *means)
{
    size_t n = n0, ns = x->ns, per = ns * x->rs;
    for (size_t i = 0; i < n0; i++)
        cur[i] = first + i;
    for (size_t it = 0; it < rounds && n > 0; it++) {
        double res = -1;
        for (size_t i = 0; i < n; i++) {
            size_t j = rungs_find(x, cur[i], it);
            if (j == SIZE_MAX)
                continue;
            if ((res >= 0 && x->lres[j] != res) || x->lbr[j] != bracket)
                return ctune_set_error(CTUNE_EFORMAT,
                                       "study %s: the row of candidate %zu at rung %zu does not "
                                       "fit its round (n_resources or bracket)",
                                       x->st->path, cur[i], it);
            res = x->lres[j];
        }
        if (res < 0)
            return CTUNE_OK; /* this round has not begun */
        size_t row0 = x->n_rows;
        int complete = 1;
        for (size_t i = 0; i < n; i++) {
            size_t j = rungs_find(x, cur[i], it);
            CTUNE_TRY(rungs_row(x, cur[i], it, j, res, bracket));
            double sum = 0;
            for (size_t f = 0; f < ns; f++) { /* the search's row_means */
                const ctune__task_rec *rec = (const ctune__task_rec *)(x->ev.records +
                                                                       (row0 + i) * per +
                                                                       f * x->rs);
                double v = rec->scores[metric];
                if (rec->status != CTUNE_OK)
                    v = rec->status == CTUNE__NOT_RUN || rec->status == CTUNE_ECANCELLED
                            ? NAN
                            : x->o.error_value;
                complete &= rec->status != CTUNE__NOT_RUN && rec->status != CTUNE_ECANCELLED;
                sum += v;
            }
            means[i] = sum / (double)ns;
        }
        if (!complete)
            return CTUNE_OK; /* in progress: the next round is not known yet */
        size_t keep = keep_at ? keep_at[it] : (size_t)ceil((double)n / x->factor);
        if (keep > n)
            keep = n;
        rungs_top_k(means, n, keep, order);
        for (size_t i = 0; i < keep; i++)
            order[i] = cur[order[i]];
        memcpy(cur, order, keep * sizeof *cur);
        n = keep;
    }
    return CTUNE_OK;
}

/* The rows of a halving or Hyperband search, in the search's order: its
 * brackets (Hyperband's from the most exploratory, each iteration of them)
 * and in each its rounds. */
static ctune_status rungs_replay(results_rebuild *x)
{
    ctune_study *st = x->st;
    size_t nc = x->nc, cap = x->plan_rows ? x->plan_rows : 1, metric = 0;
    if (ctune__eval_opts_metric(&x->o, 0, &metric) != CTUNE_OK || metric == (size_t)-1)
        metric = 0; /* the search orders by its first scorer then */
    x->ev.records = ctune__calloc(cap * x->ns, x->rs);
    x->params = ctune__calloc(cap, sizeof *x->params);
    x->res = ctune__calloc(cap, sizeof *x->res);
    x->iters = ctune__calloc(cap, sizeof *x->iters);
    x->brackets = ctune__calloc(cap, sizeof *x->brackets);
    size_t *cur = ctune__calloc(nc ? nc : 1, sizeof *cur);
    size_t *order = ctune__calloc(nc ? nc : 1, sizeof *order);
    double *means = ctune__calloc(nc ? nc : 1, sizeof *means);
    ctune_status rc = CTUNE_OK;
    if (!x->ev.records || !x->params || !x->res || !x->iters || !x->brackets || !cur || !order ||
        !means)
        rc = ctune_set_error(CTUNE_ENOMEM, "study %s: out of memory", st->path);
    if (rc == CTUNE_OK && x->hv == 1) {
        rc = rungs_bracket(x, metric, 0, nc, x->hv_rounds, NULL, -1, cur, order, means);
    } else if (rc == CTUNE_OK) {
        size_t nb = hb_brackets(x->max_res, x->factor), first = 0, keep[64];
        for (long long hi = 0; hi < x->iterations && rc == CTUNE_OK; hi++)
            for (size_t bb = nb; bb-- > 0 && rc == CTUNE_OK && first < nc;) {
                size_t full = hb_bracket_size(nb, bb, x->factor), size = full;
                if (size > nc - first)
                    size = nc - first;
                size_t rounds = bb + 1 < 64 ? bb + 1 : 64;
                for (size_t r = 0; r < rounds; r++)
                    keep[r] = r + 1 < rounds
                                  ? (size_t)floor((double)full / pow(x->factor, (double)r + 1))
                                  : (size_t)ceil((double)size / pow(x->factor, (double)r + 1));
                rc = rungs_bracket(x, metric, first, size, rounds, keep, (double)bb, cur, order,
                                   means);
                first += size;
            }
    }
    /* every committed row is one of the schedule's */
    for (size_t j = 0; rc == CTUNE_OK && j < x->n_load; j++)
        if (!x->lused[j])
            rc = ctune_set_error(CTUNE_EFORMAT,
                                 "study %s: the row of candidate %zu at rung %zu is not one its "
                                 "schedule reaches",
                                 st->path, x->lc[j], x->lr[j]);
    ctune__free(cur);
    ctune__free(order);
    ctune__free(means);
    x->ev.n_cands = x->n_rows;
    x->ev.n_splits = x->ns;
    x->ev.n_scorers = x->nk;
    x->ev.rec_size = x->rs;
    x->ev.opts = &x->o;
    x->n_tasks = x->plan_rows * x->ns;
    return rc;
}

/* The best row as the search picks it: among the rows of the last round
 * (Hyperband: all rows), those of the largest resource, the greatest mean,
 * first on ties. */
static size_t rungs_best(const results_rebuild *x, const double *mean)
{
    size_t end = x->n_rows, beg = end, b = 0;
    if (x->hv == 2)
        beg = 0;
    else
        while (beg > 0 && x->iters[beg - 1] == x->iters[end - 1])
            beg--;
    double top = x->res[beg];
    for (size_t i = beg; i < end; i++)
        if (x->res[i] > top)
            top = x->res[i];
    int found = 0;
    for (size_t i = beg; i < end; i++) {
        if (x->res[i] != top)
            continue;
        if (!found || (!isnan(mean[i]) && (isnan(mean[b]) || mean[i] > mean[b])))
            b = i;
        found = 1;
    }
    return b;
}

/* Whether a mean is finite (a finished search with none failed outright). */
static int rungs_any_finite(const double *mean, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (isfinite(mean[i]))
            return 1;
    return 0;
}

/* Builds the results from the records and writes their document into `b`. */
static ctune_status rebuild_write(results_rebuild *x, ctune__sb *b)
{
    ctune__results *r = NULL;
    ctune_status rc = ctune__results_build(&r, &x->ev, x->params, x->space);
    if (rc == CTUNE_OK && (x->rung || x->hv)) { /* the columns of a search with rungs */
        if (x->resource)
            rc = ctune__results_add_param(r, x->resource);
        if (rc == CTUNE_OK)
            rc = ctune__results_prepend(r, "n_resources", x->res);
        if (rc == CTUNE_OK)
            rc = ctune__results_prepend(r, x->hv ? "iter" : "pruned", x->hv ? x->iters : x->pruned);
        if (rc == CTUNE_OK && x->hv == 2)
            rc = ctune__results_prepend(r, "bracket", x->brackets);
    }
    size_t metric = 0;
    if (rc == CTUNE_OK && ctune__eval_opts_metric(&x->o, 0, &metric) != CTUNE_OK)
        rc = ctune_set_error(CTUNE_EFORMAT, "study %s: refit=%s is not one of its scorers",
                             x->st->path, x->o.refit_metric ? x->o.refit_metric : "-");
    if (rc == CTUNE_OK) {
        /* the best as ctune_search_fit() picks it: the refit metric's lowest
         * rank, when its score is finite */
        ctune__results_meta m = {-1, NAN, NULL, r->n_run == x->n_tasks ? "complete" : "partial",
                                 NULL};
        if (x->hv && x->n_rows && metric != (size_t)-1) {
            size_t best = rungs_best(x, r->mean_test[metric]);
            if (isfinite(r->mean_test[metric][best]) ||
                (r->n_run == x->n_tasks && rungs_any_finite(r->mean_test[metric], x->n_rows))) {
                m.best_index = (long)best;
                m.best_score = r->mean_test[metric][best];
                m.refit_metric = x->o.scoring.n ? x->o.scoring.items[metric] : "score";
            }
        } else if (x->nc && !x->hv && metric != (size_t)-1) {
            size_t best = x->rung ? pruned_best(r->mean_test[metric], x->pruned, x->res, x->nc)
                                  : ctune__results_best(r, metric);
            if (isfinite(r->mean_test[metric][best])) {
                m.best_index = (long)best;
                m.best_score = r->mean_test[metric][best];
                m.refit_metric = x->o.scoring.n ? x->o.scoring.items[metric] : "score";
            }
        }
        ctune__results_json(r, &m, b);
        rc = ctune__sb_status(b);
    }
    ctune__results_free(r);
    return rc;
}

/* The results document of the study into `b`, inside one read transaction
 * (a snapshot, while other processes may commit). */
static ctune_status study_results(ctune_study *st, ctune__sb *b)
{
    results_rebuild x;
    memset(&x, 0, sizeof x);
    x.st = st;
    ctune__eval_opts_init(&x.o);
    ctune_status rc = rebuild_settings(&x);
    if (rc == CTUNE_OK)
        rc = rungs_settings(&x);
    if (rc == CTUNE_OK && x.hv) { /* rows of (candidate, rung), replayed */
        rc = rungs_plan(&x);
        if (rc == CTUNE_OK)
            rc = rungs_load(&x);
        if (rc == CTUNE_OK)
            rc = rungs_replay(&x);
    } else if (rc == CTUNE_OK) {
        rc = rebuild_pruner(&x);
        if (rc == CTUNE_OK)
            rc = rebuild_alloc(&x);
        if (rc == CTUNE_OK)
            rc = rebuild_rows(&x);
    }
    if (rc == CTUNE_OK)
        rc = rebuild_write(&x, b);
    ctune__free(x.pruner);
    ctune__free(x.resource);
    ctune__free(x.rung);
    ctune__free(x.pruned);
    ctune__free(x.res);
    size_t n_params = x.hv ? x.n_rows : x.nc;
    for (size_t c = 0; x.params && c < n_params; c++)
        ctune_params_free(x.params[c]);
    for (size_t j = 0; x.lpar && j < x.n_load; j++)
        ctune__free(x.lpar[j]);
    ctune__free(x.lpar);
    ctune__free(x.lc);
    ctune__free(x.lr);
    ctune__free(x.lres);
    ctune__free(x.lbr);
    ctune__free(x.lused);
    ctune__free(x.lrec);
    ctune__free(x.iters);
    ctune__free(x.brackets);
    ctune__free(x.params);
    ctune__free(x.ev.records);
    ctune_space_free(x.space);
    ctune__eval_opts_clear(&x.o);
    ctune__free(x.fp);
    return rc;
}

long ctune_study_results_json_buf(char *buf, size_t cap, ctune_study *st)
{
    CTUNE_CHECK_NULL(st, "study");
    if (cap && !buf)
        return ctune_set_error(CTUNE_EINVAL, "study results export: buf is NULL");
    ctune__sb b;
    ctune__sb_init(&b);
    pthread_mutex_lock(&st->lock);
    ctune_status rc = exec(st, "BEGIN", "reading the study");
    if (rc == CTUNE_OK) {
        rc = study_results(st, &b);
        sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL); /* a read: nothing to keep */
    }
    pthread_mutex_unlock(&st->lock);
    long n = rc == CTUNE_OK ? ctune__copy_out(b.s, b.len, buf, cap) : (long)rc;
    ctune__sb_free(&b);
    return n;
}

#endif /* CTUNE_HAVE_STUDIES */
