/* Durable studies: a search's finished tasks in a SQLite database, so a
 * killed search resumes where it stopped (docs/studies.md). The search
 * reaches this file only through the hooks of model_selection/study_hook.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "model_selection/evaluate.h"
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

#else

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#define SCHEMA_VERSION 1

static const char *const SCHEMA =
    "CREATE TABLE meta(key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);"
    "CREATE TABLE trials(candidate INTEGER NOT NULL, split INTEGER NOT NULL,"
    " params TEXT NOT NULL, state TEXT NOT NULL, status INTEGER NOT NULL,"
    " score_failures INTEGER NOT NULL, scores BLOB NOT NULL, fit_time REAL,"
    " score_time REAL, error TEXT NOT NULL, history BLOB,"
    " PRIMARY KEY(candidate, split));"
    "CREATE TABLE claims(candidate INTEGER NOT NULL, split INTEGER NOT NULL,"
    " owner TEXT NOT NULL, heartbeat REAL NOT NULL, PRIMARY KEY(candidate, split));"
    "PRAGMA user_version=1;";

static const char *const CLAIM_COLS[] = {"candidate", "split", "owner", "heartbeat"};
static const char *const META_COLS[] = {"key", "value"};
static const char *const TRIAL_COLS[] = {"candidate",  "split",          "params", "state",
                                         "status",     "score_failures", "scores", "fit_time",
                                         "score_time", "error",          "history"};

struct ctune_study {
    sqlite3 *db;
    char *path;
    int fresh; /* option fresh=true: replace a study of another search */
    ctune__study_hook hook;
    size_t n_cands, n_splits, n_scores; /* of the search that began */
    unsigned long commits;              /* tasks committed through this handle */
    pthread_mutex_t lock;               /* one transaction at a time (executor threads claim) */
    char owner[160];                    /* "pid/host/nonce": this handle's claims */
    double claim_timeout;               /* seconds without a heartbeat before a claim is retried */
    int last_here;                      /* this handle completed the study (or found it complete) */
    /* the last trial read by ctune_study_trial() */
    char *t_params, *t_error, *t_state;
    double *t_scores;
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

/* The schema is exactly ours: tables meta and trials with our columns,
 * their primary-key indexes, and nothing else (no triggers, no views). */
static ctune_status check_schema(ctune_study *st)
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
        rc = check_columns(st, "trials", TRIAL_COLS, 11);
    if (rc == CTUNE_OK)
        rc = check_columns(st, "claims", CLAIM_COLS, 4);
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
                                 "fresh, timeout, claim_timeout",
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

void ctune_study_close(ctune_study *st)
{
    if (!st)
        return;
    sqlite3_close(st->db);
    if (st->hook.self)
        pthread_mutex_destroy(&st->lock);
    cache_clear(st);
    ctune__free(st->path);
    ctune__free(st);
}

static ctune_status hook_begin(void *self, const char *fp, size_t nc, size_t ns, size_t nk);
static ctune_status hook_lookup(void *self, size_t c, size_t f, ctune__task_rec *rec, size_t nk,
                                int *found);
static ctune_status hook_commit(void *self, size_t c, size_t f, const char *params,
                                const ctune__task_rec *rec, size_t nk);
static ctune_status hook_claim(void *self, size_t c, size_t f, ctune__task_rec *rec, size_t nk,
                               int *outcome);
static int hook_refit_here(void *self);

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
    if (version != SCHEMA_VERSION)
        return ctune_set_error(CTUNE_EFORMAT,
                               "study %s: not a ctune study (schema version "
                               "%lld, tables of another program)",
                               st->path, version);
    CTUNE_TRY(check_schema(st));
    /* WAL: a kill -9 loses no committed task; NORMAL may lose the last
     * commits on power loss, FULL does not */
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
                                SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOFOLLOW |
                                    SQLITE_OPEN_FULLMUTEX,
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
    st->hook.self = st;
    st->hook.begin = hook_begin;
    st->hook.lookup = hook_lookup;
    st->hook.commit = hook_commit;
    st->hook.claim = hook_claim;
    st->hook.refit_here = hook_refit_here;
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

static ctune_status meta_put(ctune_study *st, const char *key, const char *value)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(st->db, "INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)", -1, &q,
                           NULL) != SQLITE_OK)
        return db_error(st, CTUNE_EIO, "writing meta");
    sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, value, -1, SQLITE_STATIC);
    int r = sqlite3_step(q);
    sqlite3_finalize(q);
    return r == SQLITE_DONE ? CTUNE_OK : db_error(st, CTUNE_EIO, "writing meta");
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

static ctune_status hook_begin(void *self, const char *fp, size_t nc, size_t ns, size_t nk)
{
    ctune_study *st = self;
    CTUNE_TRY(exec(st, "BEGIN IMMEDIATE", "starting the search"));
    char *old = NULL;
    ctune_status rc = meta_get(st, "fingerprint", &old);
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
        snprintf(num, sizeof num, "%zu", nc);
        if (rc == CTUNE_OK)
            rc = meta_put(st, "n_candidates", num);
        snprintf(num, sizeof num, "%zu", ns);
        if (rc == CTUNE_OK)
            rc = meta_put(st, "n_splits", num);
        snprintf(num, sizeof num, "%zu", nk);
        if (rc == CTUNE_OK)
            rc = meta_put(st, "n_scores", num);
    }
    ctune__free(old);
    if (rc == CTUNE_OK)
        rc = exec(st, "COMMIT", "starting the search");
    if (rc != CTUNE_OK) {
        char msg[1024];
        memcpy(msg, ctune_last_error(), sizeof msg);
        msg[sizeof msg - 1] = '\0';
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
        return ctune_set_error_str(rc, msg);
    }
    st->n_cands = nc;
    st->n_splits = ns;
    st->n_scores = nk;
    long long n = 0;
    CTUNE_TRY(query_int(st, "SELECT count(*) FROM trials", &n, "starting the search"));
    st->last_here = (size_t)n >= nc * ns; /* complete already: the refit is ours */
    return CTUNE_OK;
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

static ctune_status hook_lookup(void *self, size_t c, size_t f, ctune__task_rec *rec, size_t nk,
                                int *found)
{
    ctune_study *st = self;
    *found = 0;
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT status, score_failures, scores, fit_time, "
                           "score_time, error FROM trials WHERE candidate=? AND split=?",
                           -1, &q, NULL) != SQLITE_OK)
        return db_error(st, CTUNE_EIO, "reading trials");
    sqlite3_bind_int64(q, 1, (sqlite3_int64)c);
    sqlite3_bind_int64(q, 2, (sqlite3_int64)f);
    int r = sqlite3_step(q);
    ctune_status rc = CTUNE_OK;
    if (r == SQLITE_ROW) {
        const unsigned char *blob = sqlite3_column_blob(q, 2);
        size_t len = (size_t)sqlite3_column_bytes(q, 2);
        long long status = sqlite3_column_int64(q, 0);
        long long fails = sqlite3_column_int64(q, 1);
        const char *err = (const char *)sqlite3_column_text(q, 5);
        if (len != 2 * nk * 8 || (len && !blob) || status > 0 || status < -1000 || fails < 0 ||
            fails > (long long)(2 * nk))
            rc = ctune_set_error(CTUNE_EFORMAT,
                                 "study %s: the row of candidate %zu, split %zu "
                                 "is malformed",
                                 st->path, c, f);
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
    sqlite3_finalize(q);
    return rc;
}

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Drops this task's claim and refreshes the heartbeat of this handle's
 * other claims (inside the caller's transaction). */
static ctune_status claim_release(ctune_study *st, size_t c, size_t f)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(st->db, "DELETE FROM claims WHERE candidate=? AND split=?", -1, &q,
                           NULL) != SQLITE_OK)
        return db_error(st, CTUNE_EIO, "releasing a claim");
    sqlite3_bind_int64(q, 1, (sqlite3_int64)c);
    sqlite3_bind_int64(q, 2, (sqlite3_int64)f);
    int r = sqlite3_step(q);
    sqlite3_finalize(q);
    if (r != SQLITE_DONE)
        return db_error(st, CTUNE_EIO, "releasing a claim");
    if (sqlite3_prepare_v2(st->db, "UPDATE claims SET heartbeat=? WHERE owner=?", -1, &q, NULL) !=
        SQLITE_OK)
        return db_error(st, CTUNE_EIO, "heart-beating");
    sqlite3_bind_double(q, 1, wall_now());
    sqlite3_bind_text(q, 2, st->owner, -1, SQLITE_STATIC);
    r = sqlite3_step(q);
    sqlite3_finalize(q);
    return r == SQLITE_DONE ? CTUNE_OK : db_error(st, CTUNE_EIO, "heart-beating");
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
    char *end;
    long pid = strtol(owner, &end, 10);
    const char *host_end = *end == '/' ? strchr(end + 1, '/') : NULL;
    const char *my_host = strchr(st->owner, '/') + 1;
    size_t my_len = (size_t)(strchr(my_host, '/') - my_host);
    if (pid > 0 && host_end && (size_t)(host_end - end - 1) == my_len &&
        memcmp(end + 1, my_host, my_len) == 0) {
        if (pid == (long)getpid())
            return 0; /* a dead process whose pid this one reuses */
        if (kill((pid_t)pid, 0) != 0 && errno == ESRCH)
            return 0;
    }
    return 1;
}

static ctune_status hook_claim(void *self, size_t c, size_t f, ctune__task_rec *rec, size_t nk,
                               int *outcome)
{
    ctune_study *st = self;
    *outcome = CTUNE__CLAIM_BUSY;
    pthread_mutex_lock(&st->lock);
    ctune_status rc = exec(st, "BEGIN IMMEDIATE", "claiming a task");
    int found = 0;
    if (rc == CTUNE_OK)
        rc = hook_lookup(st, c, f, rec, nk, &found);
    if (rc == CTUNE_OK && found) {
        *outcome = CTUNE__CLAIM_DONE;
    } else if (rc == CTUNE_OK) {
        sqlite3_stmt *q;
        int busy = 0;
        if (sqlite3_prepare_v2(st->db,
                               "SELECT owner, heartbeat FROM claims WHERE candidate=? "
                               "AND split=?",
                               -1, &q, NULL) != SQLITE_OK) {
            rc = db_error(st, CTUNE_EIO, "claiming a task");
        } else {
            sqlite3_bind_int64(q, 1, (sqlite3_int64)c);
            sqlite3_bind_int64(q, 2, (sqlite3_int64)f);
            if (sqlite3_step(q) == SQLITE_ROW) {
                const char *owner = (const char *)sqlite3_column_text(q, 0);
                busy = owner && claim_alive(st, owner, sqlite3_column_double(q, 1));
            }
            sqlite3_finalize(q);
        }
        if (rc == CTUNE_OK && !busy) {
            if (sqlite3_prepare_v2(st->db,
                                   "INSERT OR REPLACE INTO claims(candidate, split, "
                                   "owner, heartbeat) VALUES(?, ?, ?, ?)",
                                   -1, &q, NULL) != SQLITE_OK) {
                rc = db_error(st, CTUNE_EIO, "claiming a task");
            } else {
                sqlite3_bind_int64(q, 1, (sqlite3_int64)c);
                sqlite3_bind_int64(q, 2, (sqlite3_int64)f);
                sqlite3_bind_text(q, 3, st->owner, -1, SQLITE_STATIC);
                sqlite3_bind_double(q, 4, wall_now());
                if (sqlite3_step(q) != SQLITE_DONE)
                    rc = db_error(st, CTUNE_EIO, "claiming a task");
                sqlite3_finalize(q);
            }
            if (rc == CTUNE_OK)
                *outcome = CTUNE__CLAIMED;
        }
    }
    if (rc == CTUNE_OK)
        rc = exec(st, "COMMIT", "claiming a task");
    if (rc != CTUNE_OK)
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    pthread_mutex_unlock(&st->lock);
    return rc;
}

static int hook_refit_here(void *self)
{
    const ctune_study *st = self;
    return st->last_here;
}

int ctune_study_completed_here(const ctune_study *st) { return st && st->last_here; }

#ifdef CTUNE_TEST_HOOKS
/* Test builds only: CTUNE_TEST_STUDY_KILL="<n>:in" kills the process with
 * SIGKILL inside the n-th commit of this process (the row written, the
 * transaction open), "<n>:after" right after the n-th commit; the
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

static ctune_status hook_commit(void *self, size_t c, size_t f, const char *params,
                                const ctune__task_rec *rec, size_t nk)
{
    ctune_study *st = self;
    unsigned char *blob = ctune__malloc(2 * nk * 8 + 1);
    if (!blob)
        return CTUNE_ENOMEM;
    pthread_mutex_lock(&st->lock);
    for (size_t k = 0; k < 2 * nk; k++)
        le_put(blob + 8 * k, rec->scores[k]);
    ctune_status rc = exec(st, "BEGIN IMMEDIATE", "committing a task");
    sqlite3_stmt *q = NULL;
    if (rc == CTUNE_OK &&
        sqlite3_prepare_v2(st->db,
                           "INSERT OR REPLACE INTO trials(candidate, split, params, "
                           "state, status, score_failures, scores, fit_time, score_time, error, "
                           "history) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)",
                           -1, &q, NULL) != SQLITE_OK)
        rc = db_error(st, CTUNE_EIO, "committing a task");
    if (rc == CTUNE_OK) {
        sqlite3_bind_int64(q, 1, (sqlite3_int64)c);
        sqlite3_bind_int64(q, 2, (sqlite3_int64)f);
        sqlite3_bind_text(q, 3, params, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 4, rec->status == CTUNE_OK ? "done" : "failed", -1, SQLITE_STATIC);
        sqlite3_bind_int64(q, 5, rec->status);
        sqlite3_bind_int64(q, 6, rec->score_failures);
        sqlite3_bind_blob(q, 7, blob, (int)(2 * nk * 8), SQLITE_STATIC);
        if (isfinite(rec->fit_time))
            sqlite3_bind_double(q, 8, rec->fit_time);
        if (isfinite(rec->score_time))
            sqlite3_bind_double(q, 9, rec->score_time);
        sqlite3_bind_text(q, 10, rec->error, -1, SQLITE_STATIC);
        if (sqlite3_step(q) != SQLITE_DONE)
            rc = db_error(st, CTUNE_EIO, "committing a task");
    }
    sqlite3_finalize(q);
    if (rc == CTUNE_OK)
        rc = claim_release(st, c, f);
    long long n = 0;
    if (rc == CTUNE_OK)
        rc = query_int(st, "SELECT count(*) FROM trials", &n, "committing a task");
    st->commits++;
#ifdef CTUNE_TEST_HOOKS
    if (rc == CTUNE_OK)
        test_kill(st, 0);
#endif
    if (rc == CTUNE_OK)
        rc = exec(st, "COMMIT", "committing a task");
#ifdef CTUNE_TEST_HOOKS
    if (rc == CTUNE_OK)
        test_kill(st, 1);
#endif
    if (rc != CTUNE_OK)
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    else if ((size_t)n >= st->n_cands * st->n_splits)
        st->last_here = 1; /* this commit completed the study */
    pthread_mutex_unlock(&st->lock);
    ctune__free(blob);
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

ctune_status ctune_study_progress(size_t *done, size_t *total, ctune_study *st)
{
    CTUNE_CHECK_NULL(st, "study");
    CTUNE_CHECK_NULL(done, "done");
    CTUNE_CHECK_NULL(total, "total");
    size_t nc, ns;
    long long n;
    CTUNE_TRY(meta_size(st, "n_candidates", &nc));
    CTUNE_TRY(meta_size(st, "n_splits", &ns));
    CTUNE_TRY(query_int(st, "SELECT count(*) FROM trials", &n, "counting trials"));
    *done = (size_t)n;
    *total = nc * ns;
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
    long long n;
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
                           "fit_time, score_time FROM trials ORDER BY candidate, split "
                           "LIMIT 1 OFFSET ?",
                           -1, &q, NULL) != SQLITE_OK)
        return db_error(st, CTUNE_EIO, "reading trials");
    sqlite3_bind_int64(q, 1, (sqlite3_int64)(i > (size_t)INT64_MAX ? INT64_MAX : i));
    int r = sqlite3_step(q);
    ctune_status rc = CTUNE_OK;
    if (r == SQLITE_ROW) {
        int oom = 0;
        long long c = sqlite3_column_int64(q, 0), f = sqlite3_column_int64(q, 1);
        size_t len = (size_t)sqlite3_column_bytes(q, 5);
        const unsigned char *blob = sqlite3_column_blob(q, 5);
        st->t_params = dup_col(q, 2, &oom);
        st->t_state = dup_col(q, 3, &oom);
        st->t_error = dup_col(q, 4, &oom);
        if (c < 0 || f < 0 || len % 8 || (len && !blob))
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

#endif /* CTUNE_HAVE_STUDIES */
