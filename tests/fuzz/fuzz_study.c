/* Fuzz target: study files (lib/study). The input is written as a study
 * file, opened, and the search the seed corpus was made with is resumed on
 * it, then every trial is read back. The file is untrusted: any bytes
 * give a known status with a message or a success, never a crash, a hang
 * or a leak; a resumed search that succeeds has a result for every
 * candidate. Then an ask/tell tuner attaches to the same file and asks,
 * reports and tells three trials. Seeds: gen_study_corpus (the search's
 * study and the tuner's, small pages). */
#define CTUNE_EXPERIMENTAL
#include <unistd.h>

#include "fuzz.h"

#ifdef CTUNE_HAVE_STUDIES
/* The search of the seeds: a dummy classifier over iris, 2 candidates x 2
 * folds. */
static ctune_status run_search(const char *path, ctune_study **keep)
{
    ctune_data *d = NULL;
    ctune_estimator *e = NULL;
    ctune_space *sp = NULL;
    ctune_search *s = NULL;
    ctune_study *st = NULL;
    ctune_status rc = ctune_dataset_load(&d, "iris", NULL);
    if (rc == CTUNE_OK)
        rc = ctune_dummy_classifier_new(&e);
    if (rc == CTUNE_OK)
        rc = ctune_space_parse(&sp, "strategy: prior|most_frequent");
    if (rc == CTUNE_OK)
        rc = ctune_search_new_grid(&s, e, sp);
    if (rc == CTUNE_OK)
        rc = ctune_search_set_options(s, "cv=2");
    FUZZ_ASSERT(rc == CTUNE_OK);
    rc = ctune_study_open(&st, path, "timeout=0");
    fuzz_status_ok(rc);
    if (rc == CTUNE_OK) {
        FUZZ_ASSERT(ctune_search_set_study(s, st) == CTUNE_OK);
        rc = ctune_search_fit(s, d);
        fuzz_status_ok(rc);
        if (rc == CTUNE_OK) {
            double v;
            for (size_t i = 0; i < 2; i++)
                FUZZ_ASSERT(ctune_search_result(&v, s, "mean_test_score", i) == CTUNE_OK);
        }
        size_t n = 0, done, total;
        ctune_status r2 = ctune_study_n_trials(&n, st);
        fuzz_status_ok(r2);
        for (size_t i = 0; r2 == CTUNE_OK && i < n && i < 64; i++) {
            ctune_study_trial_info t;
            ctune_status r3 = ctune_study_trial(&t, st, i);
            fuzz_status_ok(r3);
            if (r3 == CTUNE_OK)
                FUZZ_ASSERT(t.params && t.state && t.error && (t.scores || !t.n_scores));
        }
        fuzz_status_ok(ctune_study_progress(&done, &total, st));
        ctune_search_set_study(s, NULL);
        if (keep)
            *keep = st;
        else
            ctune_study_close(st);
    }
    ctune_search_free(s);
    ctune_space_free(sp);
    ctune_estimator_free(e);
    ctune_data_free(d);
    return rc;
}

/* The tuner of the seeds: TPE with the median pruner over two parameters,
 * three trials asked, reported and told (the second pruned). */
static void run_tuner(const char *path)
{
    ctune_space *sp = NULL;
    ctune_tuner *t = NULL;
    ctune_study *st = NULL;
    FUZZ_ASSERT(ctune_space_parse(&sp, "x: uniform(0, 1); n: 1|2") == CTUNE_OK);
    FUZZ_ASSERT(ctune_tuner_new(&t, sp,
                                "sampler=tpe, seed=1, tpe_n_startup_trials=1, pruner=median, "
                                "n_startup_trials=1") == CTUNE_OK);
    ctune_status rc = ctune_study_open(&st, path, "timeout=0");
    fuzz_status_ok(rc);
    if (rc == CTUNE_OK) {
        rc = ctune_tuner_set_study(t, st);
        fuzz_status_ok(rc);
        for (int i = 0; rc == CTUNE_OK && i < 3; i++) {
            size_t k;
            const ctune_params *p;
            rc = ctune_tuner_ask(&k, &p, t);
            fuzz_status_ok(rc);
            if (rc != CTUNE_OK)
                break;
            int prune = 0;
            fuzz_status_ok(ctune_tuner_report(&prune, t, k, 0, 0.25 * i));
            fuzz_status_ok(i == 1 ? ctune_tuner_tell_pruned(t, k)
                                  : ctune_tuner_tell(t, k, 0.5 * i));
        }
        size_t n = 0, done, total;
        fuzz_status_ok(ctune_study_n_trials(&n, st));
        fuzz_status_ok(ctune_study_progress(&done, &total, st));
        ctune_tuner_set_study(t, NULL);
        ctune_study_close(st);
    }
    ctune_tuner_free(t);
    ctune_space_free(sp);
}

static void remove_study(const char *path)
{
    char p[300];
    unlink(path);
    snprintf(p, sizeof p, "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-journal", path);
    unlink(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[256];
    const char *dir = getenv("TMPDIR");
    snprintf(path, sizeof path, "%s/ctune_fuzz_study_%ld.db", dir && dir[0] ? dir : "/tmp",
             (long)getpid());
    remove_study(path);
    FILE *f = fopen(path, "wb");
    FUZZ_ASSERT(f != NULL);
    FUZZ_ASSERT(fwrite(data, 1, size, f) == size);
    fclose(f);
    int64_t live = ctune_alloc_live();
    (void)run_search(path, NULL);
    run_tuner(path);
    FUZZ_ASSERT(ctune_alloc_live() == live);
    remove_study(path);
    return 0;
}

#ifdef FUZZ_STUDY_GEN
#include <sqlite3.h>
/* gen_study_corpus DIR: writes seed studies made by the search above. */
int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    char path[512];
    snprintf(path, sizeof path, "%s/complete.db", argv[1]);
    remove_study(path);
    /* small pages keep the seeds short */
    sqlite3 *db;
    if (sqlite3_open(path, &db) != SQLITE_OK ||
        sqlite3_exec(db, "PRAGMA page_size=512; VACUUM;", NULL, NULL, NULL) != SQLITE_OK)
        return 1;
    sqlite3_close(db);
    ctune_study *st = NULL;
    if (run_search(path, &st) != CTUNE_OK)
        return 1;
    ctune_study_close(st);
    if (sqlite3_open(path, &db) != SQLITE_OK ||
        sqlite3_exec(db, "PRAGMA journal_mode=DELETE; VACUUM;", NULL, NULL, NULL) != SQLITE_OK)
        return 1;
    sqlite3_close(db);
    /* the tuner's study */
    snprintf(path, sizeof path, "%s/tuner.db", argv[1]);
    remove_study(path);
    if (sqlite3_open(path, &db) != SQLITE_OK ||
        sqlite3_exec(db, "PRAGMA page_size=512; VACUUM;", NULL, NULL, NULL) != SQLITE_OK)
        return 1;
    sqlite3_close(db);
    run_tuner(path);
    if (sqlite3_open(path, &db) != SQLITE_OK ||
        sqlite3_exec(db, "PRAGMA journal_mode=DELETE; VACUUM;", NULL, NULL, NULL) != SQLITE_OK)
        return 1;
    sqlite3_close(db);
    return 0;
}
#endif

#else
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    (void)data, (void)size;
    return 0;
}
#endif
