/* Check suite: durable studies (lib/study). A search resumed from a study
 * ends with the results of an uninterrupted run; a study of another search,
 * a corrupted, foreign, trigger-carrying, newer or locked file gives a clear
 * error; every function refuses bad input. */
#define CTUNE_EXPERIMENTAL
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
    size_t n = ctune_search_n_candidates(a);
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
        ctune_search_free(s);
        ctune_study_close(st);
        /* resumed in a new handle, as after a kill */
        long before = atomic_load(&fx_fits);
        ck_assert_ok(ctune_study_open(&st, path, NULL));
        s = new_search(&f, NULL);
        ck_assert_ok(ctune_search_set_study(s, st));
        ck_assert_ok(ctune_search_fit(s, f.d));
        /* only the missing tasks ran, plus the refit */
        ck_assert_int_eq(atomic_load(&fx_fits) - before, (long)(15 - done) + 1);
        assert_same_results(ref, s, f.d);
        ck_assert_ok(ctune_study_progress(&done, &total, st));
        ck_assert_uint_eq(done, 15);
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

/* Searches whose candidates run more than once per split (a rung each) or
 * are proposed as results come are refused, before any fit. */
START_TEST(test_adaptive_searches_refused)
{
    fixture f;
    fx_open(&f);
    const char *path = tmp("adaptive.db");
    rm_study(path);
    ctune_study *st;
    ck_assert_ok(ctune_study_open(&st, path, NULL));
    ctune_search *s;
    ck_assert_ok(ctune_search_new_halving(&s, f.e, f.sp, 0, 3, NULL));
    ck_assert_ok(ctune_search_set_study(s, st));
    ck_assert_status(ctune_search_fit(s, f.d), CTUNE_EINVAL);
    ck_assert_error_has("successive-halving");
    ctune_search_free(s);
    ck_assert_ok(ctune_search_new_tpe(&s, f.e, f.sp, 4, 3, NULL));
    ck_assert_ok(ctune_search_set_study(s, st));
    ck_assert_status(ctune_search_fit(s, f.d), CTUNE_EINVAL);
    ck_assert_error_has("TPE");
    ctune_search_free(s);
    size_t done, total;
    ck_assert_ok(ctune_study_progress(&done, &total, st));
    ck_assert_uint_eq(done, 0);
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
    sql(path, "PRAGMA user_version=2;");
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

static Suite *suite(void)
{
    Suite *s = suite_create("study");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_resume_equals_uninterrupted);
    tcase_add_test(tc, test_trials_read_back);
    tcase_add_test(tc, test_other_search_refused);
    tcase_add_test(tc, test_adaptive_searches_refused);
    tcase_add_test(tc, test_bad_input);
    tcase_add_test(tc, test_untrusted_files);
    tcase_add_test(tc, test_truncated_and_flipped);
    tcase_add_test(tc, test_locked);
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
