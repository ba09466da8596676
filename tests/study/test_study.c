/* Check suite: durable studies (lib/study). A search resumed from a study
 * ends with the results of an uninterrupted run; a study of another search,
 * a corrupted, foreign, trigger-carrying, newer or locked file gives a clear
 * error; every function refuses bad input. */
#define CTUNE_EXPERIMENTAL
#include <math.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fixtures.h"
#include "testutil.h"

static char dir[256];

static const char *tmp(const char *name)
{
    static char path[512];
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "/tmp/ctune_study_XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(dir));
    }
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return path;
}

static void rm_study(const char *path)
{
    char p[600];
    unlink(path);
    snprintf(p, sizeof p, "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    unlink(p);
}

static long file_size(const char *path);

/* The rows of `table` in the study file at `path`, read by another
 * connection. */
static long long count_rows(const char *path, const char *table)
{
    sqlite3 *db;
    sqlite3_stmt *q;
    char sql[64];
    long long n = -1;
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
    ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK);
    if (sqlite3_step(q) == SQLITE_ROW)
        n = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    sqlite3_close(db);
    return n;
}

typedef struct fixture {
    double *X, *y;
    ctune_data *d;
    ctune_estimator *e;
    ctune_space *sp;
} fixture;

static void fx_open(fixture *f)
{
    fx_blobs(60, 1, &f->X, &f->y);
    ck_assert_ok(ctune_data_new(&f->d, f->X, CTUNE_FLOAT64, 60, 2, 0, f->y, 1));
    ck_assert_ok(ctune_estimator_new(&f->e, &fx_seeded_vt, NULL));
    ck_assert_ok(ctune_space_parse(&f->sp, "level: 0|1|2|3|4|5"));
}

static void fx_close(fixture *f)
{
    ctune_space_free(f->sp);
    ctune_estimator_free(f->e);
    ctune_data_free(f->d);
    free(f->X);
    free(f->y);
}

static ctune_search *new_search(const fixture *f, const char *options)
{
    ctune_search *s;
    ck_assert_ok(ctune_search_new_randomized(&s, f->e, f->sp, 5, 11));
    ck_assert_ok(ctune_search_set_options(s, options ? options : "cv=3, seed=4"));
    return s;
}

/* Every column but the timings, the best index and the best's predictions. */
static void assert_same_results(ctune_search *a, ctune_search *b, const ctune_data *d)
{
    ck_assert_uint_eq(ctune_search_n_columns(a), ctune_search_n_columns(b));
    size_t n = ctune_search_n_rows(a);
    ck_assert_uint_eq(n, ctune_search_n_rows(b));
    for (size_t j = 0; j < ctune_search_n_columns(a); j++) {
        const char *col = ctune_search_column_name(a, j);
        ck_assert_str_eq(col, ctune_search_column_name(b, j));
        if (strstr(col, "_time"))
            continue;
        for (size_t i = 0; i < n; i++) {
            char ta[256], tb[256];
            ck_assert_int_ge(ctune_search_result_text(ta, sizeof ta, a, col, i), 0);
            ck_assert_int_ge(ctune_search_result_text(tb, sizeof tb, b, col, i), 0);
            ck_assert_str_eq(ta, tb);
        }
    }
    size_t ba, bb;
    ck_assert_ok(ctune_search_best_index(&ba, a));
    ck_assert_ok(ctune_search_best_index(&bb, b));
    ck_assert_uint_eq(ba, bb);
    double pa[60], pb[60];
    ck_assert_ok(ctune_estimator_predict(pa, ctune_search_best_estimator(a), d));
    ck_assert_ok(ctune_estimator_predict(pb, ctune_search_best_estimator(b), d));
    ck_assert_mem_eq(pa, pb, sizeof pa);
}

static int stop_after(size_t c, size_t f, double score, double t, size_t done, size_t total,
                      void *user)
{
    return done >= *(size_t *)user;
}

START_TEST(test_resume_equals_uninterrupted)
{
    fixture f;
    fx_open(&f);
    ctune_search *ref = new_search(&f, NULL);
    ck_assert_ok(ctune_search_fit(ref, f.d));
    for (size_t k = 0; k <= 15; k += 4) {
        const char *path = tmp("resume.db");
        rm_study(path);
        ctune_study *st;
        ck_assert_ok(ctune_study_open(&st, path, NULL));
        ctune_search *s = new_search(&f, NULL);
        ck_assert_ok(ctune_search_set_study(s, st));
        ck_assert_ok(ctune_search_set_progress(s, stop_after, &k));
        ctune_status rc = ctune_search_fit(s, f.d);
        ck_assert(rc == CTUNE_ECANCELLED || (k >= 15 && rc == CTUNE_OK));
        size_t done, total;
        ck_assert_ok(ctune_study_progress(&done, &total, st));
        ck_assert_uint_eq(total, 15);
        ck_assert_uint_eq(done, k < 15 ? (k ? k : 1) : 15);
        /* the claims of the candidate cut short (taken with its first
         * split) went when the fit returned */
        ck_assert_int_eq(count_rows(path, "claims"), 0);
        ctune_search_free(s);
        ctune_study_close(st);
        /* resumed in a new handle, as after a kill, on two threads that
         * share the claims of a candidate */
        long before = atomic_load(&fx_fits);
        ck_assert_ok(ctune_study_open(&st, path, NULL));
        s = new_search(&f, "cv=3, seed=4, n_jobs=2");
        ck_assert_ok(ctune_search_set_study(s, st));
        ck_assert_ok(ctune_search_fit(s, f.d));
        /* only the missing tasks ran, plus the refit */
        ck_assert_int_eq(atomic_load(&fx_fits) - before, (long)(15 - done) + 1);
        assert_same_results(ref, s, f.d);
        ck_assert_ok(ctune_study_progress(&done, &total, st));
        ck_assert_uint_eq(done, 15);
        ck_assert_int_eq(count_rows(path, "claims"), 0);
        ctune_search_free(s);
        ctune_study_close(st);
    }
    ctune_search_free(ref);
    fx_close(&f);
}
END_TEST

START_TEST(test_trials_read_back)
{
    fixture f;
    fx_open(&f);
    const char *path = tmp("trials.db");
    rm_study(path);
    ctune_study *st;
    ck_assert_ok(ctune_study_open(&st, path, "durability=full, timeout=2"));
    size_t nc, ns, n;
    ck_assert_ok(ctune_study_shape(&nc, &ns, st));
    ck_assert_uint_eq(nc, 0);
    ctune_search *s = new_search(&f, NULL);
    ck_assert_ok(ctune_search_set_study(s, st));
    ck_assert_ok(ctune_search_fit(s, f.d));
    ck_assert_ok(ctune_study_shape(&nc, &ns, st));
    ck_assert_uint_eq(nc, 5);
    ck_assert_uint_eq(ns, 3);
    ck_assert_ok(ctune_study_n_trials(&n, st));
    ck_assert_uint_eq(n, 15);
    for (size_t i = 0; i < n; i++) {
        ctune_study_trial_info t;
        ck_assert_ok(ctune_study_trial(&t, st, i));
        ck_assert_uint_eq(t.candidate, i / 3);
        ck_assert_uint_eq(t.split, i % 3);
        ck_assert_str_eq(t.state, "done");
        ck_assert_str_eq(t.error, "");
        ck_assert_uint_eq(t.n_scores, 2);
        char col[32], want[256];
        snprintf(col, sizeof col, "split%zu_test_score", t.split);
        double v;
        ck_assert_ok(ctune_search_result(&v, s, col, t.candidate));
        ck_assert(v == t.scores[0]);
        ck_assert(isnan(t.scores[1])); /* no train score asked */
        ctune_params_to_text(want, sizeof want, ctune_search_candidate_params(s, t.candidate));
        ck_assert_str_eq(t.params, want);
        ck_assert(t.fit_time >= 0);
    }
    ctune_study_trial_info t;
    ck_assert_status(ctune_study_trial(&t, st, n), CTUNE_EINVAL);
    ck_assert_error_has("out of range");
    ctune_search_free(s);
    ctune_study_close(st);
    fx_close(&f);
}
END_TEST

START_TEST(test_other_search_refused)
{
    fixture f;
    fx_open(&f);
    const char *path = tmp("other.db");
    rm_study(path);
    ctune_study *st;
    ck_assert_ok(ctune_study_open(&st, path, NULL));
    ctune_search *s = new_search(&f, NULL);
    ck_assert_ok(ctune_search_set_study(s, st));
    ck_assert_ok(ctune_search_fit(s, f.d));
    ctune_search_free(s);
    /* another seed */
    s = new_search(&f, "cv=3, seed=5");
    ck_assert_ok(ctune_search_set_study(s, st));
    ck_assert_status(ctune_search_fit(s, f.d), CTUNE_ESTATE);
    ck_assert_error_has("'seed' differs");
    ctune_search_free(s);
    /* other data: same shape, one value changed */
    f.X[7] += 1e-9;
    s = new_search(&f, NULL);
    ck_assert_ok(ctune_search_set_study(s, st));
    ck_assert_status(ctune_search_fit(s, f.d), CTUNE_ESTATE);
    ck_assert_error_has("'X' differs");
    ctune_search_free(s);
    f.X[7] -= 1e-9;
    /* other cv */
    s = new_search(&f, "cv=4, seed=4");
    ck_assert_ok(ctune_search_set_study(s, st));
    ck_assert_status(ctune_search_fit(s, f.d), CTUNE_ESTATE);
    ck_assert_error_has("'cv' differs");
    ctune_search_free(s);
    ctune_study_close(st);
    /* fresh=true starts over */
    ck_assert_ok(ctune_study_open(&st, path, "fresh=true"));
    s = new_search(&f, "cv=4, seed=4");
    ck_assert_ok(ctune_search_set_study(s, st));
    ck_assert_ok(ctune_search_fit(s, f.d));
    size_t done, total;
    ck_assert_ok(ctune_study_progress(&done, &total, st));
    ck_assert_uint_eq(done, 20);
    ck_assert_uint_eq(total, 20);
    ctune_search_free(s);
    ctune_study_close(st);
    fx_close(&f);
}
END_TEST

/* A halving (two rungs) or TPE search (proposals from earlier results). */
static ctune_search *new_adaptive(const fixture *f, int tpe)
{
    ctune_search *s;
    if (tpe)
        ck_assert_ok(ctune_search_new_tpe(&s, f->e, f->sp, 5, 3, "n_startup_trials=2"));
    else
        ck_assert_ok(ctune_search_new_halving(&s, f->e, f->sp, 0, 3, NULL));
    ck_assert_ok(ctune_search_set_options(s, "cv=3, seed=4"));
    return s;
}

/* Successive halving and TPE run several evaluation runs (rung after rung,
 * batch after batch): stopped after k tasks and resumed in a new handle,
 * they end with the uninterrupted results and run only the missing tasks;
 * a second live handle on the study is refused while one runs. */
START_TEST(test_adaptive_searches_resume)
{
    fixture f;
    fx_open(&f);
    const char *path = tmp("adaptive.db");
    for (int tpe = 0; tpe <= 1; tpe++) {
        ctune_search *ref = new_adaptive(&f, tpe);
        ck_assert_ok(ctune_search_fit(ref, f.d));
        for (size_t k = 1; k <= 13; k += 4) {
            rm_study(path);
            ctune_study *st;
            ck_assert_ok(ctune_study_open(&st, path, NULL));
            ctune_search *s = new_adaptive(&f, tpe);
            ck_assert_ok(ctune_search_set_study(s, st));
            ck_assert_ok(ctune_search_set_progress(s, stop_after, &k));
            ck_assert_status(ctune_search_fit(s, f.d), CTUNE_ECANCELLED);
            size_t done, total;
            ck_assert_ok(ctune_study_progress(&done, &total, st));
            ck_assert_uint_eq(total, tpe ? 15 : 24);
            ck_assert_uint_ge(done, 1);
            ck_assert_uint_lt(done, total);
            ctune_search_free(s);
            ctune_study_close(st);
            long before = atomic_load(&fx_fits);
            ck_assert_ok(ctune_study_open(&st, path, NULL));
            s = new_adaptive(&f, tpe);
            ck_assert_ok(ctune_search_set_study(s, st));
            ck_assert_ok(ctune_search_fit(s, f.d));
            ck_assert_int_eq(atomic_load(&fx_fits) - before, (long)(total - done) + 1);
            assert_same_results(ref, s, f.d);
            ck_assert_int_eq(ctune_study_completed_here(st), 1);
            ctune_search_free(s);
            ctune_study_close(st);
        }
        ctune_search_free(ref);
    }
    /* halving rows: candidate, rung and n_resources read back */
    ctune_study *st;
    ck_assert_ok(ctune_study_open(&st, path, NULL));
    size_t n;
    ck_assert_ok(ctune_study_n_trials(&n, st));
    ck_assert_uint_eq(n, 15); /* the TPE search's */
    ctune_search *s = new_adaptive(&f, 0);
    ck_assert_ok(ctune_search_set_study(s, st));
    ck_assert_status(ctune_search_fit(s, f.d), CTUNE_ESTATE); /* another search */
    ctune_study_close(st);
    rm_study(path);
    ck_assert_ok(ctune_study_open(&st, path, NULL));
    ck_assert_ok(ctune_search_set_study(s, st));
    ck_assert_ok(ctune_search_fit(s, f.d));
    ck_assert_ok(ctune_study_n_trials(&n, st));
    ck_assert_uint_eq(n, 24);
    size_t at_rung1 = 0;
    for (size_t i = 0; i < n; i++) {
        ctune_study_trial_info t;
        ck_assert_ok(ctune_study_trial(&t, st, i));
        ck_assert_uint_le(t.rung, 1);
        ck_assert_int_eq(t.n_resources, ctune_search_n_resources(s, t.rung));
        ck_assert_int_eq(t.bracket, -1);
        at_rung1 += t.rung == 1;
    }
    ck_assert_uint_eq(at_rung1, 6); /* 2 candidates x 3 splits */
    /* one live process at a time: a second handle is refused while the
     * first holds the run lock (taken at begin, released at the end) */
    ctune_study *other;
    ck_assert_ok(ctune_study_open(&other, path, NULL));
    sqlite3 *db;
    ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
    char q[256];
    snprintf(q, sizeof q, "INSERT INTO claims VALUES(-1, -1, -1, '1/%s/live', %f)", "otherhost",
             (double)time(NULL) + 1e6);
    ck_assert_int_eq(sqlite3_exec(db, q, NULL, NULL, NULL), SQLITE_OK);
    ck_assert_ok(ctune_search_set_study(s, other));
    ck_assert_status(ctune_search_fit(s, f.d), CTUNE_ESTATE);
    ck_assert_error_has("in use by another process");
    ck_assert_int_eq(sqlite3_exec(db, "DELETE FROM claims", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    ck_assert_ok(ctune_search_fit(s, f.d));
    ctune_search_free(s);
    ctune_study_close(other);
    ctune_study_close(st);
    rm_study(path);
    fx_close(&f);
}
END_TEST

/* A study of schema version 1 (candidate and split keys) is upgraded when
 * opened: its tasks at rung 0, and a search resumes from them. */
START_TEST(test_schema_1_upgraded)
{
    fixture f;
    fx_open(&f);
    char path[512], v2[512];
    snprintf(path, sizeof path, "%s", tmp("v1.db"));
    snprintf(v2, sizeof v2, "%s", tmp("v2.db")); /* tmp() reuses its buffer */
    ctune_search *ref = new_search(&f, NULL);
    ck_assert_ok(ctune_search_fit(ref, f.d));
    /* a study written the way schema 1 stored it: its tasks copied from
     * a version 2 study of the same search */
    rm_study(v2);
    size_t k = 7;
    ctune_study *st;
    ck_assert_ok(ctune_study_open(&st, v2, NULL));
    ctune_search *s = new_search(&f, NULL);
    ck_assert_ok(ctune_search_set_study(s, st));
    ck_assert_ok(ctune_search_set_progress(s, stop_after, &k));
    ck_assert_status(ctune_search_fit(s, f.d), CTUNE_ECANCELLED);
    ctune_search_free(s);
    ctune_study_close(st);
    rm_study(path);
    sqlite3 *db;
    ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
    char q[2048];
    snprintf(q, sizeof q,
             "CREATE TABLE meta(key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);"
             "CREATE TABLE trials(candidate INTEGER NOT NULL, split INTEGER NOT NULL,"
             " params TEXT NOT NULL, state TEXT NOT NULL, status INTEGER NOT NULL,"
             " score_failures INTEGER NOT NULL, scores BLOB NOT NULL, fit_time REAL,"
             " score_time REAL, error TEXT NOT NULL, history BLOB,"
             " PRIMARY KEY(candidate, split));"
             "CREATE TABLE claims(candidate INTEGER NOT NULL, split INTEGER NOT NULL,"
             " owner TEXT NOT NULL, heartbeat REAL NOT NULL, PRIMARY KEY(candidate, split));"
             "ATTACH '%s' AS v2;"
             "INSERT INTO meta SELECT * FROM v2.meta WHERE key != 'n_tasks';"
             "INSERT INTO trials SELECT candidate, split, params, state, status,"
             " score_failures, scores, fit_time, score_time, error, history FROM v2.trials;"
             "PRAGMA main.user_version=1;",
             v2);
    int r = sqlite3_exec(db, q, NULL, NULL, NULL);
    ck_assert_msg(r == SQLITE_OK, "%s", sqlite3_errmsg(db));
    sqlite3_close(db);
    rm_study(v2);
    /* a reader (create=false) sees it as version 2 and writes nothing */
    long size0 = file_size(path);
    FILE *fp = fopen(path, "rb");
    unsigned char *bytes0 = malloc((size_t)size0);
    ck_assert_int_eq(fread(bytes0, 1, (size_t)size0, fp), size0);
    fclose(fp);
    ck_assert_ok(ctune_study_open(&st, path, "create=false"));
    size_t done, total;
    ck_assert_ok(ctune_study_progress(&done, &total, st));
    ck_assert_uint_eq(done, 7);
    ctune_study_trial_info t0;
    ck_assert_ok(ctune_study_trial(&t0, st, 6));
    ck_assert_uint_eq(t0.rung, 0);
    ck_assert_int_eq(t0.bracket, -1);
    ck_assert_int_gt(ctune_study_results_json_buf(NULL, 0, st), 0);
    s = new_search(&f, NULL);
    ck_assert_ok(ctune_search_set_study(s, st));
    ck_assert_status(ctune_search_fit(s, f.d), CTUNE_ESTATE);
    ck_assert_error_has("schema version 1 and was opened with create=false");
    ctune_search_free(s);
    ctune_study_close(st);
    ck_assert_int_eq(file_size(path), size0);
    fp = fopen(path, "rb");
    unsigned char *bytes1 = malloc((size_t)size0);
    ck_assert_int_eq(fread(bytes1, 1, (size_t)size0, fp), size0);
    fclose(fp);
    ck_assert_mem_eq(bytes0, bytes1, (size_t)size0);
    free(bytes0);
    free(bytes1);
    ck_assert_ok(ctune_study_open(&st, path, NULL));
    ck_assert_ok(ctune_study_progress(&done, &total, st));
    ck_assert_uint_eq(done, 7);
    ck_assert_uint_eq(total, 15);
    ctune_study_trial_info t;
    ck_assert_ok(ctune_study_trial(&t, st, 0));
    ck_assert_uint_eq(t.rung, 0);
    ck_assert_int_eq(t.n_resources, 0);
    ck_assert_int_eq(t.bracket, -1);
    long before = atomic_load(&fx_fits);
    s = new_search(&f, NULL);
    ck_assert_ok(ctune_search_set_study(s, st));
    ck_assert_ok(ctune_search_fit(s, f.d));
    ck_assert_int_eq(atomic_load(&fx_fits) - before, 15 - 7 + 1);
    assert_same_results(ref, s, f.d);
    ctune_search_free(s);
    ctune_study_close(st);
    ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_stmt *qs;
    ck_assert_int_eq(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &qs, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(qs), SQLITE_ROW);
    ck_assert_int_eq(sqlite3_column_int(qs, 0), 2);
    sqlite3_finalize(qs);
    /* a version 1 file with a column of another program stays refused */
    ck_assert_int_eq(sqlite3_exec(db,
                                  "DROP TABLE trials; CREATE TABLE trials(candidate, split, x);"
                                  "PRAGMA user_version=1;",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    ck_assert_status(ctune_study_open(&st, path, NULL), CTUNE_EFORMAT);
    ck_assert_error_has("not a ctune study");
    rm_study(path);
    ctune_search_free(ref);
    fx_close(&f);
}
END_TEST

static ctune_status ex_run(void *self, ctune_job *job)
{
    (void)self, (void)job;
    return CTUNE_OK;
}

static int ex_refit_here(void *self)
{
    (void)self;
    return 1;
}

/* An executor that spreads a search over processes (MPI's has refit_here)
 * is refused with a study, before any task. */
START_TEST(test_multiprocess_executor_refused)
{
    static const ctune_executor_vtable vt = {CTUNE_EXECUTOR_VTABLE_VERSION, "ranks", ex_run,
                                             ex_refit_here};
    fixture f;
    fx_open(&f);
    const char *path = tmp("ranks.db");
    rm_study(path);
    ctune_study *st;
    ck_assert_ok(ctune_study_open(&st, path, NULL));
    ctune_search *s = new_search(&f, NULL);
    ck_assert_ok(ctune_search_set_executor(s, &vt, NULL));
    ck_assert_ok(ctune_search_set_study(s, st));
    ck_assert_status(ctune_search_fit(s, f.d), CTUNE_EINVAL);
    ck_assert_error_has("executor 'ranks'");
    size_t done, total;
    ck_assert_ok(ctune_study_progress(&done, &total, st));
    ck_assert_uint_eq(total, 0);
    ctune_search_free(s);
    ctune_study_close(st);
    rm_study(path);
    fx_close(&f);
}
END_TEST

START_TEST(test_bad_input)
{
    int64_t live = ctune_alloc_live();
    ctune_study *st = (ctune_study *)1;
    ck_assert_status(ctune_study_open(NULL, "x.db", NULL), CTUNE_EINVAL);
    ck_assert_status(ctune_study_open(&st, NULL, NULL), CTUNE_EINVAL);
    ck_assert_ptr_null(st);
    ck_assert_status(ctune_study_open(&st, "", NULL), CTUNE_EINVAL);
    char path[512];
    snprintf(path, sizeof path, "%s", tmp("bad.db"));
    const char *bad[] = {"durability=fast", "durability=1", "fresh=3",   "timeout=-1",
                         "timeout=abc",     "timeout=1e9",  "color=red", "durability"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_int_lt(ctune_study_open(&st, path, bad[i]), 0);
        ck_assert_ptr_null(st);
        ck_assert(strlen(ctune_last_error()) > 0);
    }
    ck_assert_int_ne(access(path, F_OK), 0); /* bad options create nothing */
    ck_assert_status(ctune_study_open(&st, tmp("no/such/dir.db"), NULL), CTUNE_EIO);
    ck_assert_status(ctune_study_open(&st, dir, NULL), CTUNE_EIO); /* a directory */
    ck_assert_status(ctune_search_set_study(NULL, NULL), CTUNE_EINVAL);
    ctune_study_close(NULL);
    ck_assert_ok(ctune_study_open(&st, path, NULL));
    size_t a, b;
    ctune_study_trial_info t;
    ck_assert_status(ctune_study_progress(&a, &b, NULL), CTUNE_EINVAL);
    ck_assert_status(ctune_study_progress(NULL, &b, st), CTUNE_EINVAL);
    ck_assert_status(ctune_study_progress(&a, NULL, st), CTUNE_EINVAL);
    ck_assert_status(ctune_study_shape(&a, &b, NULL), CTUNE_EINVAL);
    ck_assert_status(ctune_study_shape(NULL, &b, st), CTUNE_EINVAL);
    ck_assert_status(ctune_study_shape(&a, NULL, st), CTUNE_EINVAL);
    ck_assert_status(ctune_study_n_trials(&a, NULL), CTUNE_EINVAL);
    ck_assert_status(ctune_study_n_trials(NULL, st), CTUNE_EINVAL);
    ck_assert_status(ctune_study_trial(&t, NULL, 0), CTUNE_EINVAL);
    ck_assert_status(ctune_study_trial(NULL, st, 0), CTUNE_EINVAL);
    ck_assert_status(ctune_study_trial(&t, st, 0), CTUNE_EINVAL);
    ck_assert_status(ctune_study_trial(&t, st, (size_t)-1), CTUNE_EINVAL);
    ck_assert_ok(ctune_study_progress(&a, &b, st));
    ck_assert_uint_eq(a + b, 0);
    ctune_study_close(st);
    rm_study(path);
    ck_assert_int_eq(ctune_alloc_live(), live);
}
END_TEST

/* A valid study with 15 trials, for the corruption tests. */
static void make_study(const char *path)
{
    fixture f;
    fx_open(&f);
    rm_study(path);
    ctune_study *st;
    ck_assert_ok(ctune_study_open(&st, path, NULL));
    ctune_search *s = new_search(&f, NULL);
    ck_assert_ok(ctune_search_set_study(s, st));
    ck_assert_ok(ctune_search_fit(s, f.d));
    ctune_search_free(s);
    ctune_study_close(st); /* the last close checkpoints the WAL into the file */
    fx_close(&f);
}

static void sql(const char *path, const char *text)
{
    sqlite3 *db;
    ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(db, text, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

/* Opening, then resuming the search: an error with a message, or a
 * success; never a crash (the sanitizer builds check the rest). */
static ctune_status open_and_fit(const char *path)
{
    fixture f;
    fx_open(&f);
    ctune_study *st;
    ctune_status rc = ctune_study_open(&st, path, "timeout=0.2");
    if (rc == CTUNE_OK) {
        ctune_search *s = new_search(&f, NULL);
        ck_assert_ok(ctune_search_set_study(s, st));
        rc = ctune_search_fit(s, f.d);
        if (rc == CTUNE_OK) {
            size_t n;
            ctune_study_trial_info t;
            ck_assert_ok(ctune_study_n_trials(&n, st));
            for (size_t i = 0; i < n; i++)
                ctune_study_trial(&t, st, i);
        }
        ctune_search_free(s);
        ctune_study_close(st);
    }
    if (rc != CTUNE_OK)
        ck_assert(strlen(ctune_last_error()) > 0);
    fx_close(&f);
    return rc;
}

START_TEST(test_untrusted_files)
{
    const char *path = tmp("u.db");
    /* a trigger */
    make_study(path);
    sql(path, "CREATE TRIGGER t AFTER INSERT ON trials BEGIN DELETE FROM meta; END;");
    ck_assert_status(open_and_fit(path), CTUNE_EFORMAT);
    ck_assert_error_has("trigger");
    /* a view */
    make_study(path);
    sql(path, "CREATE VIEW v AS SELECT * FROM trials;");
    ck_assert_status(open_and_fit(path), CTUNE_EFORMAT);
    ck_assert_error_has("view");
    /* a column more */
    make_study(path);
    sql(path, "ALTER TABLE trials ADD COLUMN extra TEXT;");
    ck_assert_status(open_and_fit(path), CTUNE_EFORMAT);
    /* a newer schema */
    make_study(path);
    sql(path, "PRAGMA user_version=3;");
    ck_assert_status(open_and_fit(path), CTUNE_EFORMAT);
    ck_assert_error_has("newer");
    /* a foreign SQLite database */
    rm_study(path);
    sql(path, "CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT); "
              "INSERT INTO notes(body) VALUES('keep me');");
    ck_assert_status(open_and_fit(path), CTUNE_EFORMAT);
    ck_assert_error_has("not a ctune study");
    /* a text file */
    rm_study(path);
    FILE *fp = fopen(path, "w");
    fputs("candidate,split\n0,0\n", fp);
    fclose(fp);
    ck_assert_status(open_and_fit(path), CTUNE_EFORMAT);
    fp = fopen(path, "r"); /* left as it was */
    char line[64];
    ck_assert_ptr_nonnull(fgets(line, sizeof line, fp));
    ck_assert_str_eq(line, "candidate,split\n");
    fclose(fp);
    /* a row whose scores do not fit the search */
    make_study(path);
    sql(path, "UPDATE trials SET scores=x'0102' WHERE candidate=1 AND split=2;");
    ck_assert_status(open_and_fit(path), CTUNE_EFORMAT);
    ck_assert_error_has("malformed");
    rm_study(path);
}
END_TEST

static long file_size(const char *path)
{
    FILE *fp = fopen(path, "rb");
    ck_assert_ptr_nonnull(fp);
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fclose(fp);
    return n;
}

START_TEST(test_truncated_and_flipped)
{
    const char *path = tmp("t.db");
    make_study(path);
    long n = file_size(path);
    unsigned char *orig = malloc((size_t)n);
    FILE *fp = fopen(path, "rb");
    ck_assert_int_eq(fread(orig, 1, (size_t)n, fp), n);
    fclose(fp);
    /* truncated at several lengths */
    long cuts[] = {1, 50, 100, 512, 4096, n / 2, n - 1};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        if (cuts[i] <= 0 || cuts[i] >= n)
            continue;
        rm_study(path);
        fp = fopen(path, "wb");
        fwrite(orig, 1, (size_t)cuts[i], fp);
        fclose(fp);
        (void)open_and_fit(path);
    }
    /* a flipped bit at positions spread over the file */
    for (long pos = 0; pos < n; pos += n / 97 + 1) {
        rm_study(path);
        fp = fopen(path, "wb");
        fwrite(orig, 1, (size_t)n, fp);
        fclose(fp);
        fp = fopen(path, "r+b");
        fseek(fp, pos, SEEK_SET);
        fputc(orig[pos] ^ (1 << (pos % 8)), fp);
        fclose(fp);
        (void)open_and_fit(path);
    }
    /* the header's magic: not a database */
    rm_study(path);
    fp = fopen(path, "wb");
    fwrite(orig, 1, (size_t)n, fp);
    fclose(fp);
    fp = fopen(path, "r+b");
    fputc('X', fp);
    fclose(fp);
    ck_assert_status(open_and_fit(path), CTUNE_EFORMAT);
    free(orig);
    rm_study(path);
}
END_TEST

START_TEST(test_locked)
{
    const char *path = tmp("locked.db");
    make_study(path);
    sqlite3 *db;
    ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(db, "BEGIN EXCLUSIVE", NULL, NULL, NULL), SQLITE_OK);
    ctune_status rc = open_and_fit(path);
    ck_assert_int_ne(rc, CTUNE_OK);
    ck_assert_error_has("locked");
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(db);
    ck_assert_ok(open_and_fit(path));
    rm_study(path);
}
END_TEST

/* ---- the heartbeat during long fits ------------------------------------------ */

/* Two slow candidates (each fit sleeps 1.5 s), two splits, no refit. */
static ctune_status slow_fit(const fixture *f, const char *path)
{
    ctune_estimator *e;
    ctune_space *sp;
    ctune_search *s;
    ctune_study *st;
    ck_assert_ok(ctune_estimator_new(&e, &fx_slow_vt, NULL));
    ck_assert_ok(ctune_space_parse(&sp, "delay_ms: 1500|1501"));
    ck_assert_ok(ctune_search_new_randomized(&s, e, sp, 2, 5));
    ck_assert_ok(ctune_search_set_options(s, "cv=2, refit=false, n_jobs=1"));
    ctune_status rc = ctune_study_open(&st, path, "claim_timeout=1");
    if (rc == CTUNE_OK) {
        ctune_search_set_study(s, st);
        rc = ctune_search_fit(s, f->d);
        ctune_search_set_study(s, NULL);
        ctune_study_close(st);
    }
    ctune_search_free(s);
    ctune_space_free(sp);
    ctune_estimator_free(e);
    return rc;
}

/* Forks a process that runs slow_fit() and exits with its fit count (99 on
 * an error); returns once that process holds a claim. */
static pid_t fork_slow_fit(const fixture *f, const char *path)
{
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        long before = atomic_load(&fx_fits);
        ctune_status rc = slow_fit(f, path);
        _exit(rc == CTUNE_OK ? (int)(atomic_load(&fx_fits) - before) : 99);
    }
    for (int i = 0; i < 2000; i++) { /* up to 20 s */
        sqlite3 *db;
        long long n = 0;
        if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
            sqlite3_stmt *q;
            sqlite3_busy_timeout(db, 1000);
            if (sqlite3_prepare_v2(db, "SELECT count(*) FROM claims", -1, &q, NULL) == SQLITE_OK) {
                if (sqlite3_step(q) == SQLITE_ROW)
                    n = sqlite3_column_int64(q, 0);
                sqlite3_finalize(q);
            }
        }
        sqlite3_close(db);
        if (n > 0)
            return pid;
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    ck_abort_msg("the forked search never claimed a task");
    return pid;
}

/* claim_timeout=1 and fits of 1.5 s: the heartbeat keeps each process's
 * claims alive, so each of two processes fits one candidate (a claim takes
 * the candidate's two splits: the second waits 1.5 s, claimed, while the
 * first fits) and neither takes the other's; a killed owner's claims are
 * still taken over at once. */
START_TEST(test_heartbeat_keeps_long_claims)
{
    fixture f;
    fx_open(&f);
    const char *path = tmp("heartbeat.db");
    rm_study(path);
    pid_t pid = fork_slow_fit(&f, path);
    long before = atomic_load(&fx_fits);
    ck_assert_ok(slow_fit(&f, path));
    ck_assert_int_eq(atomic_load(&fx_fits) - before, 2);
    int ws;
    ck_assert_int_eq(waitpid(pid, &ws, 0), pid);
    ck_assert(WIFEXITED(ws));
    ck_assert_int_eq(WEXITSTATUS(ws), 2);
    /* a dead owner: its claims go at once, this process fits all four tasks */
    rm_study(path);
    pid = fork_slow_fit(&f, path);
    kill(pid, SIGKILL);
    ck_assert_int_eq(waitpid(pid, &ws, 0), pid);
    before = atomic_load(&fx_fits);
    ck_assert_ok(slow_fit(&f, path));
    ck_assert_int_eq(atomic_load(&fx_fits) - before, 4);
    rm_study(path);
    fx_close(&f);
}
END_TEST

/* ---- a tuner attached to a study ------------------------------------------------ */

static double objective_of(const ctune_params *p, int64_t step)
{
    double x = 0;
    int64_t n = 0;
    ck_assert_ok(ctune_params_get_double(&x, p, "x"));
    ck_assert_ok(ctune_params_get_int(&n, p, "n"));
    return x * (double)n + 0.01 * (double)step;
}

static void params_text(const ctune_params *p, char *buf, size_t cap)
{
    long n = ctune_params_to_text(buf, cap, p);
    ck_assert(n >= 0 && (size_t)n < cap);
}

/* One step of the script both runs follow: ask (op 0), report two steps
 * (op 1) or tell (op 2) of trial `k`. */
typedef struct tuner_log {
    char params[32][256];
    int prune[32][2];
} tuner_log;

/* Two rounds of: two trials asked, reported, then told in reverse order,
 * through tuners[i % n_tuners] for the i-th call: the calls of several
 * tuners on one study interleave. */
static void run_script(ctune_tuner **tuners, size_t n_tuners, tuner_log *log, size_t n_rounds)
{
    size_t call = 0, base = 0;
    for (size_t round = 0; round < n_rounds; round++) {
        size_t k[2];
        for (int j = 0; j < 2; j++) {
            const ctune_params *p;
            ctune_tuner *t = tuners[call++ % n_tuners];
            ck_assert_ok(ctune_tuner_ask(&k[j], &p, t));
            ck_assert_uint_eq(k[j], base + (size_t)j);
            params_text(p, log->params[k[j]], sizeof log->params[k[j]]);
        }
        for (int j = 0; j < 2; j++)
            for (int64_t step = 0; step < 2; step++) {
                ctune_tuner *t = tuners[call++ % n_tuners];
                ctune_params *p;
                ck_assert_ok(ctune_params_new(&p));
                ck_assert_ok(ctune_params_parse(p, log->params[k[j]]));
                int prune = 0;
                ck_assert_ok(ctune_tuner_report(&prune, t, k[j], step, objective_of(p, step)));
                log->prune[k[j]][step] = prune;
                ctune_params_free(p);
            }
        for (int j = 1; j >= 0; j--) {
            ctune_tuner *t = tuners[call++ % n_tuners];
            ctune_params *p;
            ck_assert_ok(ctune_params_new(&p));
            ck_assert_ok(ctune_params_parse(p, log->params[k[j]]));
            if (k[j] % 5 == 4)
                ck_assert_ok(ctune_tuner_tell_pruned(t, k[j]));
            else
                ck_assert_ok(ctune_tuner_tell(t, k[j], objective_of(p, 9)));
            ctune_params_free(p);
        }
        base += 2;
    }
}

#define TUNER_SPACE "x: uniform(0, 1); n: 1|2|3"
#define TUNER_OPTS "sampler=tpe, seed=5, tpe_n_startup_trials=3, pruner=median, n_startup_trials=2"

/* Two tuners, each through its own handle on one study, calling in turn
 * propose and decide exactly as one tuner given the same calls (TPE's
 * proposals from the told trials in tell order, the median pruner from
 * every told trial); a third tuner attached later continues after them. */
START_TEST(test_tuner_shared_study)
{
    const char *path = tmp("tuner.db");
    rm_study(path);
    ctune_space *sp;
    ck_assert_ok(ctune_space_parse(&sp, TUNER_SPACE));
    ctune_tuner *ref;
    ck_assert_ok(ctune_tuner_new(&ref, sp, TUNER_OPTS));
    static tuner_log want, got;
    memset(&want, 0, sizeof want);
    memset(&got, 0, sizeof got);
    run_script(&ref, 1, &want, 5);
    ctune_study *st[3];
    ctune_tuner *t[3];
    for (int i = 0; i < 3; i++) {
        ck_assert_ok(ctune_study_open(&st[i], path, NULL));
        ck_assert_ok(ctune_tuner_new(&t[i], sp, TUNER_OPTS));
    }
    ck_assert_ok(ctune_tuner_set_study(t[0], st[0]));
    ck_assert_ok(ctune_tuner_set_study(t[1], st[1]));
    run_script(t, 2, &got, 5);
    for (size_t k = 0; k < 10; k++) {
        ck_assert_str_eq(got.params[k], want.params[k]);
        ck_assert_int_eq(got.prune[k][0], want.prune[k][0]);
        ck_assert_int_eq(got.prune[k][1], want.prune[k][1]);
    }
    /* a third tuner continues: its first ask is the reference's 11th */
    ck_assert_ok(ctune_tuner_set_study(t[2], st[2]));
    ck_assert_uint_eq(ctune_tuner_n_trials(t[2]), 10);
    size_t k0, k1;
    const ctune_params *p0, *p1;
    ck_assert_ok(ctune_tuner_ask(&k0, &p0, ref));
    ck_assert_ok(ctune_tuner_ask(&k1, &p1, t[2]));
    ck_assert_uint_eq(k0, 10);
    ck_assert_uint_eq(k1, 10);
    char a[256], b[256];
    params_text(p0, a, sizeof a);
    params_text(p1, b, sizeof b);
    ck_assert_str_eq(a, b);
    size_t kb0, kb1;
    double v0, v1;
    ck_assert_ok(ctune_tuner_best(&kb0, &v0, ref));
    ck_assert_ok(ctune_tuner_best(&kb1, &v1, t[2]));
    ck_assert_uint_eq(kb0, kb1);
    ck_assert(v0 == v1);
    int state;
    ck_assert_ok(ctune_tuner_trial(&state, NULL, NULL, t[2], 4));
    ck_assert_int_eq(state, CTUNE_TRIAL_PRUNED);
    /* the study reads back: 10 told, 1 running */
    size_t done, total;
    ck_assert_ok(ctune_study_progress(&done, &total, st[2]));
    ck_assert_uint_eq(done, 10);
    ck_assert_uint_eq(total, 11);
    ctune_study_trial_info ti;
    ck_assert_ok(ctune_study_trial(&ti, st[2], 4));
    ck_assert_str_eq(ti.state, "pruned");
    ck_assert_ok(ctune_study_trial(&ti, st[2], 10));
    ck_assert_str_eq(ti.state, "running");
    /* bad input */
    ck_assert_status(ctune_tuner_set_study(NULL, st[0]), CTUNE_EINVAL);
    ck_assert_status(ctune_tuner_set_study(ref, st[0]), CTUNE_ESTATE); /* asked already */
    ck_assert_error_has("before the first ask");
    ck_assert_status(ctune_tuner_set_study(t[0], st[2]), CTUNE_ESTATE); /* has one */
    ctune_tuner *other;
    ck_assert_ok(ctune_tuner_new(&other, sp, "sampler=tpe, seed=6"));
    ck_assert_status(ctune_tuner_set_study(other, st[2]), CTUNE_ESTATE);
    ck_assert_error_has("belongs to another search");
    ck_assert_uint_eq(ctune_tuner_n_trials(other), 0);
    ck_assert_ok(ctune_tuner_set_study(other, NULL));
    ctune_tuner_free(other);
    /* a search on a tuner's study is refused, and the other way round */
    fixture f;
    fx_open(&f);
    ctune_search *s = new_search(&f, NULL);
    ck_assert_ok(ctune_search_set_study(s, st[2]));
    ck_assert_status(ctune_search_fit(s, f.d), CTUNE_ESTATE);
    ctune_search_free(s);
    fx_close(&f);
    for (int i = 0; i < 3; i++) {
        ck_assert_ok(ctune_tuner_set_study(t[i], NULL));
        ctune_tuner_free(t[i]);
        ctune_study_close(st[i]);
    }
    ctune_tuner_free(ref);
    ctune_space_free(sp);
    rm_study(path);
}
END_TEST

static ctune_status tuner_objective(const ctune_params *p, ctune_trial_ctx *ctx, double *value,
                                    void *user)
{
    (void)ctx, (void)user;
    *value = objective_of(p, 0);
    struct timespec ts = {0, 2 * 1000 * 1000}; /* let the processes interleave */
    nanosleep(&ts, NULL);
    return CTUNE_OK;
}

/* Three processes optimize on one study at once (two threads each). The
 * trials the study ends with are those one tuner proposes when given the
 * same asks and tells in the study's order: replayed here from the tell
 * log (each tell records how many trials were asked by then). */
START_TEST(test_tuner_processes)
{
    const char *path = tmp("tuners.db");
    rm_study(path);
    ctune_space *sp;
    ck_assert_ok(ctune_space_parse(&sp, TUNER_SPACE));
    pid_t pids[3];
    for (int i = 0; i < 3; i++) {
        pids[i] = fork();
        ck_assert_int_ge(pids[i], 0);
        if (pids[i] == 0) {
            ctune_study *st;
            ctune_tuner *t;
            ctune_status rc = ctune_study_open(&st, path, "timeout=30");
            if (rc == CTUNE_OK) {
                rc = ctune_tuner_new(&t, sp, "sampler=tpe, seed=5, tpe_n_startup_trials=3");
                if (rc == CTUNE_OK)
                    rc = ctune_tuner_set_study(t, st);
                if (rc == CTUNE_OK)
                    rc = ctune_tuner_optimize(t, tuner_objective, NULL, "n_trials=6, n_jobs=2");
                ctune_tuner_free(t);
                ctune_study_close(st);
            }
            _exit(rc == CTUNE_OK ? 0 : 1);
        }
    }
    for (int i = 0; i < 3; i++) {
        int ws;
        ck_assert_int_eq(waitpid(pids[i], &ws, 0), pids[i]);
        ck_assert(WIFEXITED(ws) && WEXITSTATUS(ws) == 0);
    }
    /* the study's trials, through a tuner attached afterwards */
    ctune_study *st;
    ctune_tuner *all, *ref;
    ck_assert_ok(ctune_study_open(&st, path, NULL));
    ck_assert_ok(ctune_tuner_new(&all, sp, "sampler=tpe, seed=5, tpe_n_startup_trials=3"));
    ck_assert_ok(ctune_tuner_set_study(all, st));
    ck_assert_uint_eq(ctune_tuner_n_trials(all), 18);
    /* the replay */
    ck_assert_ok(ctune_tuner_new(&ref, sp, "sampler=tpe, seed=5, tpe_n_startup_trials=3"));
    sqlite3 *db;
    ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_stmt *q;
    ck_assert_int_eq(sqlite3_prepare_v2(db,
                                        "SELECT value FROM meta WHERE key LIKE 'tell %' ORDER "
                                        "BY key",
                                        -1, &q, NULL),
                     SQLITE_OK);
    size_t n_tells = 0;
    while (sqlite3_step(q) == SQLITE_ROW) {
        unsigned long number, asked;
        ck_assert_int_eq(
            sscanf((const char *)sqlite3_column_text(q, 0), "%lu %lu", &number, &asked), 2);
        while (ctune_tuner_n_trials(ref) < asked) {
            size_t k;
            const ctune_params *p;
            ck_assert_ok(ctune_tuner_ask(&k, &p, ref));
        }
        const ctune_params *p;
        ck_assert_ok(ctune_tuner_trial(NULL, NULL, &p, ref, number));
        ck_assert_ok(ctune_tuner_tell(ref, number, objective_of(p, 0)));
        n_tells++;
    }
    sqlite3_finalize(q);
    sqlite3_close(db);
    ck_assert_uint_eq(n_tells, 18);
    for (size_t k = 0; k < 18; k++) {
        const ctune_params *a, *b;
        int sa, sb;
        double va, vb;
        ck_assert_ok(ctune_tuner_trial(&sa, &va, &a, all, k));
        ck_assert_ok(ctune_tuner_trial(&sb, &vb, &b, ref, k));
        char ta[256], tb[256];
        params_text(a, ta, sizeof ta);
        params_text(b, tb, sizeof tb);
        ck_assert_str_eq(ta, tb);
        ck_assert_int_eq(sa, CTUNE_TRIAL_COMPLETE);
        ck_assert_int_eq(sb, CTUNE_TRIAL_COMPLETE);
        ck_assert(va == vb);
    }
    ctune_tuner_free(ref);
    ctune_tuner_free(all);
    ctune_study_close(st);
    ctune_space_free(sp);
    rm_study(path);
}
END_TEST

#define DEAD_OPTS "sampler=tpe, seed=5, tpe_n_startup_trials=1"

/* In a child: attaches a tuner to the study, asks a trial (reporting one
 * step), then dies (how = 0: SIGKILL) or closes the study without telling
 * it (how = 1). */
static void child_asks_and_leaves(const char *path, const ctune_space *sp, int how)
{
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        ctune_study *st;
        ctune_tuner *t;
        size_t k;
        const ctune_params *p;
        if (ctune_study_open(&st, path, "timeout=30") != CTUNE_OK ||
            ctune_tuner_new(&t, sp, DEAD_OPTS) != CTUNE_OK ||
            ctune_tuner_set_study(t, st) != CTUNE_OK || ctune_tuner_ask(&k, &p, t) != CTUNE_OK ||
            ctune_tuner_report(NULL, t, k, 0, 0.5) != CTUNE_OK)
            _exit(1);
        if (how == 0)
            kill(getpid(), SIGKILL);
        ctune_tuner_free(t);
        ctune_study_close(st);
        _exit(0);
    }
    int ws;
    ck_assert_int_eq(waitpid(pid, &ws, 0), pid);
    if (how == 0)
        ck_assert(WIFSIGNALED(ws) && WTERMSIG(ws) == SIGKILL);
    else
        ck_assert(WIFEXITED(ws) && WEXITSTATUS(ws) == 0);
}

/* A trial asked by a process that died (or closed the study without
 * telling it) is told failed by the next tuner on the study, as one tuner
 * telling it failed at that point would: the proposals after it, the best
 * trial and the tables agree with that replay, in every tuner. */
START_TEST(test_tuner_dead_owner)
{
    const char *path = tmp("tuner_dead.db");
    rm_study(path);
    ctune_space *sp;
    ck_assert_ok(ctune_space_parse(&sp, TUNER_SPACE));
    ctune_study *st;
    ctune_tuner *t, *ref;
    ck_assert_ok(ctune_study_open(&st, path, NULL));
    ck_assert_ok(ctune_tuner_new(&t, sp, DEAD_OPTS));
    ck_assert_ok(ctune_tuner_new(&ref, sp, DEAD_OPTS));
    ck_assert_ok(ctune_tuner_set_study(t, st));
    size_t k;
    const ctune_params *p, *q;
    ck_assert_ok(ctune_tuner_ask(&k, &p, t));
    ck_assert_ok(ctune_tuner_tell(t, k, objective_of(p, 0)));
    child_asks_and_leaves(path, sp, 0); /* trial 1, killed */
    ck_assert_ok(ctune_tuner_ask(&k, &p, t));
    ck_assert_uint_eq(k, 2);
    ck_assert_ok(ctune_tuner_tell(t, k, objective_of(p, 0)));
    child_asks_and_leaves(path, sp, 1); /* trial 3, its study closed */
    ck_assert_ok(ctune_tuner_ask(&k, &p, t));
    ck_assert_uint_eq(k, 4);
    /* the replay: ask, tell, ask, (ask, tell) failed, ... */
    for (size_t i = 0; i < 5; i++) {
        size_t kr;
        ck_assert_ok(ctune_tuner_ask(&kr, &q, ref));
        if (i == 1 || i == 3) {
            ck_assert_ok(ctune_tuner_report(NULL, ref, kr, 0, 0.5));
            ck_assert_ok(ctune_tuner_tell_failed(ref, kr, "owner process died"));
        } else if (i < 4) {
            ck_assert_ok(ctune_tuner_tell(ref, kr, objective_of(q, 0)));
        }
    }
    char a[256], b[256];
    for (size_t i = 0; i < 5; i++) {
        int sa, sb;
        ck_assert_ok(ctune_tuner_trial(&sa, NULL, &p, t, i));
        ck_assert_ok(ctune_tuner_trial(&sb, NULL, &q, ref, i));
        params_text(p, a, sizeof a);
        params_text(q, b, sizeof b);
        ck_assert_str_eq(a, b);
        ck_assert_int_eq(sa, sb);
    }
    char json[8192], json_ref[8192];
    ck_assert_int_gt(ctune_tuner_results_json_buf(json, sizeof json, t), 0);
    ck_assert_int_gt(ctune_tuner_results_json_buf(json_ref, sizeof json_ref, ref), 0);
    ck_assert_str_eq(json, json_ref);
    ck_assert_ptr_nonnull(
        strstr(json, "\"state\": [\"done\", \"failed\", \"done\", \"failed\", null]"));
    ck_assert_ptr_nonnull(strstr(json, "\"owner process died\""));
    ctune_study_trial_info ti;
    ck_assert_ok(ctune_study_trial(&ti, st, 1));
    ck_assert_str_eq(ti.state, "failed");
    ck_assert_str_eq(ti.error, "owner process died");
    /* another tuner attached now sees the same trials, and its own trial
     * 4 stays running: its owner (t's handle) is alive */
    ctune_study *st2;
    ctune_tuner *t2;
    ck_assert_ok(ctune_study_open(&st2, path, NULL));
    ck_assert_ok(ctune_tuner_new(&t2, sp, DEAD_OPTS));
    ck_assert_ok(ctune_tuner_set_study(t2, st2));
    ck_assert_int_gt(ctune_tuner_results_json_buf(json, sizeof json, t2), 0);
    ck_assert_str_eq(json, json_ref);
    size_t b0, b1;
    ck_assert_ok(ctune_tuner_best(&b0, NULL, t2));
    ck_assert_ok(ctune_tuner_best(&b1, NULL, ref));
    ck_assert_uint_eq(b0, b1);
    ck_assert_ok(ctune_tuner_tell(t, 4, 1.0)); /* the owner tells it */
    ck_assert_ok(ctune_tuner_tell(ref, 4, 1.0));
    ck_assert_ok(ctune_tuner_ask(&k, &p, t2));
    ck_assert_ok(ctune_tuner_ask(&k, &q, ref));
    params_text(p, a, sizeof a);
    params_text(q, b, sizeof b);
    ck_assert_str_eq(a, b);
    ctune_tuner_free(t2);
    ctune_study_close(st2);
    ctune_tuner_free(ref);
    ctune_tuner_free(t);
    ctune_study_close(st);
    ctune_space_free(sp);
    rm_study(path);
}
END_TEST

/* In a child: asks trial `want` with claim_timeout=1, writes a byte to
 * `ready`, waits for a byte on `go`, then tells it (exit status 0 when the
 * tell was taken). */
static pid_t child_holds_trial(const char *path, const ctune_space *sp, int ready, int go)
{
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        ctune_study *st;
        ctune_tuner *t;
        size_t k;
        const ctune_params *p;
        char c = 1;
        if (ctune_study_open(&st, path, "timeout=30, claim_timeout=1") != CTUNE_OK ||
            ctune_tuner_new(&t, sp, DEAD_OPTS) != CTUNE_OK ||
            ctune_tuner_set_study(t, st) != CTUNE_OK || ctune_tuner_ask(&k, &p, t) != CTUNE_OK ||
            write(ready, &c, 1) != 1 || read(go, &c, 1) != 1)
            _exit(2);
        ctune_status rc = ctune_tuner_tell(t, k, 2.0);
        ctune_tuner_free(t);
        ctune_study_close(st);
        _exit(rc == CTUNE_OK ? 0 : 1);
    }
    return pid;
}

/* The heartbeat keeps a live tuner's running trial claimed past
 * claim_timeout; a process that stops beating (stopped by SIGSTOP) loses
 * it although its pid exists. */
START_TEST(test_tuner_heartbeat)
{
    const char *path = tmp("tuner_hb.db");
    rm_study(path);
    ctune_space *sp;
    ck_assert_ok(ctune_space_parse(&sp, TUNER_SPACE));
    int ready[2], go[2];
    ck_assert_int_eq(pipe(ready), 0);
    ck_assert_int_eq(pipe(go), 0);
    pid_t pid = child_holds_trial(path, sp, ready[1], go[0]);
    char c;
    ck_assert_int_eq(read(ready[0], &c, 1), 1);
    struct timespec ts = {2, 500 * 1000 * 1000}; /* 2.5 claim_timeouts */
    nanosleep(&ts, NULL);
    ctune_study *st;
    ctune_tuner *t;
    ck_assert_ok(ctune_study_open(&st, path, "claim_timeout=1"));
    ck_assert_ok(ctune_tuner_new(&t, sp, DEAD_OPTS));
    ck_assert_ok(ctune_tuner_set_study(t, st));
    int state;
    ck_assert_ok(ctune_tuner_trial(&state, NULL, NULL, t, 0));
    ck_assert_int_eq(state, CTUNE_TRIAL_RUNNING);
    ck_assert_int_eq(write(go[1], &c, 1), 1);
    int ws;
    ck_assert_int_eq(waitpid(pid, &ws, 0), pid);
    ck_assert(WIFEXITED(ws) && WEXITSTATUS(ws) == 0);
    size_t k;
    const ctune_params *p;
    ck_assert_ok(ctune_tuner_ask(&k, &p, t));
    ck_assert_uint_eq(k, 1);
    ck_assert_ok(ctune_tuner_trial(&state, NULL, NULL, t, 0));
    ck_assert_int_eq(state, CTUNE_TRIAL_COMPLETE);
    ck_assert_ok(ctune_tuner_tell(t, k, 1.0));
    /* a stopped process: no heartbeat, its trial fails */
    pid = child_holds_trial(path, sp, ready[1], go[0]);
    ck_assert_int_eq(read(ready[0], &c, 1), 1);
    kill(pid, SIGSTOP);
    ts.tv_sec = 1; /* 1.5 claim_timeouts */
    nanosleep(&ts, NULL);
    ck_assert_ok(ctune_tuner_ask(&k, &p, t));
    ck_assert_uint_eq(k, 3);
    ck_assert_ok(ctune_tuner_trial(&state, NULL, NULL, t, 2));
    ck_assert_int_eq(state, CTUNE_TRIAL_FAILED);
    kill(pid, SIGKILL);
    ck_assert_int_eq(waitpid(pid, &ws, 0), pid);
    for (int i = 0; i < 2; i++) {
        close(ready[i]);
        close(go[i]);
    }
    ctune_tuner_free(t);
    ctune_study_close(st);
    ctune_space_free(sp);
    rm_study(path);
}
END_TEST

/* A tuner's study whose rows were tampered with: CTUNE_EFORMAT naming
 * them when a tuner attaches, never a wrong trial. */
START_TEST(test_tuner_bad_rows)
{
    const char *path = tmp("tuner_bad.db");
    static const char *const damage[] = {
        "UPDATE trials SET state='weird' WHERE candidate=1",
        "UPDATE trials SET history=x'0102' WHERE candidate=0",
        "UPDATE trials SET scores=x'01' WHERE candidate=2",
        "UPDATE trials SET params='x=' WHERE candidate=1",
        "UPDATE trials SET candidate=7 WHERE candidate=2",
        "UPDATE meta SET value='9 1' WHERE key='tell 00000000000000000000'",
        "UPDATE meta SET value='0' WHERE key='tell 00000000000000000001'",
        "INSERT INTO meta VALUES('tell 5', '0 1')",
    };
    ctune_space *sp;
    ck_assert_ok(ctune_space_parse(&sp, TUNER_SPACE));
    for (size_t i = 0; i < sizeof damage / sizeof damage[0]; i++) {
        rm_study(path);
        ctune_study *st;
        ctune_tuner *t;
        ck_assert_ok(ctune_study_open(&st, path, NULL));
        ck_assert_ok(ctune_tuner_new(&t, sp, TUNER_OPTS));
        ck_assert_ok(ctune_tuner_set_study(t, st));
        tuner_log log;
        run_script(&t, 1, &log, 2);
        ctune_tuner_free(t);
        ctune_study_close(st);
        sql(path, damage[i]);
        ck_assert_ok(ctune_study_open(&st, path, NULL));
        ck_assert_ok(ctune_tuner_new(&t, sp, TUNER_OPTS));
        ctune_status rc = ctune_tuner_set_study(t, st);
        ck_assert_msg(rc == CTUNE_EFORMAT || rc == CTUNE_EINVAL, "%s: %d %s", damage[i], rc,
                      ctune_last_error());
        ck_assert_uint_eq(ctune_tuner_n_trials(t), 0);
        ctune_tuner_free(t);
        ctune_study_close(st);
    }
    ctune_space_free(sp);
    rm_study(path);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("study");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_resume_equals_uninterrupted);
    tcase_add_test(tc, test_trials_read_back);
    tcase_add_test(tc, test_other_search_refused);
    tcase_add_test(tc, test_adaptive_searches_resume);
    tcase_add_test(tc, test_schema_1_upgraded);
    tcase_add_test(tc, test_bad_input);
    tcase_add_test(tc, test_untrusted_files);
    tcase_add_test(tc, test_truncated_and_flipped);
    tcase_add_test(tc, test_locked);
    tcase_add_test(tc, test_heartbeat_keeps_long_claims);
    tcase_add_test(tc, test_multiprocess_executor_refused);
    tcase_add_test(tc, test_tuner_shared_study);
    tcase_add_test(tc, test_tuner_processes);
    tcase_add_test(tc, test_tuner_bad_rows);
    tcase_add_test(tc, test_tuner_dead_owner);
    tcase_add_test(tc, test_tuner_heartbeat);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    int rc = ctu_run_suite(suite());
    if (dir[0])
        rmdir(dir);
    return rc;
}
