/* The atomic file writer (lib/io/atomic.c): replace whole or not at all,
 * modes, symbolic links, non-regular destinations, failures mid-write. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "io/atomic.h"
#include "testutil.h"

static char g_dir[256];

static void make_dir(void)
{
    snprintf(g_dir, sizeof g_dir, "/tmp/ctune-atomic-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(g_dir));
}

static void remove_dir(void)
{
    DIR *d = opendir(g_dir);
    if (!d)
        return;
    struct dirent *e;
    char p[512];
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            snprintf(p, sizeof p, "%s/%s", g_dir, e->d_name);
            if (unlink(p) != 0)
                rmdir(p);
        }
    closedir(d);
    rmdir(g_dir);
}

static const char *in_dir(const char *name)
{
    static char p[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(p[k], sizeof p[k], "%s/%s", g_dir, name);
    return p[k];
}

static void put(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

/* The file's content (static buffer), "" when absent. */
static const char *get(const char *path)
{
    static char buf[1 << 16];
    buf[0] = '\0';
    FILE *f = fopen(path, "rb");
    if (!f)
        return buf;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* Entries of the directory (files left behind). */
static int n_entries(void)
{
    DIR *d = opendir(g_dir);
    ck_assert_ptr_nonnull(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    closedir(d);
    return n;
}

START_TEST(test_new_and_replace)
{
    make_dir();
    const char *p = in_dir("out.csv");
    ck_assert_ok(ctune_write_file(p, "a,b\n", 4));
    ck_assert_str_eq(get(p), "a,b\n");
    /* replacing keeps the destination's permission bits */
    ck_assert_int_eq(chmod(p, 0640), 0);
    ck_assert_ok(ctune_write_file(p, "new\n", 4));
    ck_assert_str_eq(get(p), "new\n");
    struct stat st;
    ck_assert_int_eq(stat(p, &st), 0);
    ck_assert_int_eq(st.st_mode & 07777, 0640);
    /* an empty write makes an empty file; no temporary file is left */
    ck_assert_ok(ctune__atomic_write(p, NULL, 0));
    ck_assert_str_eq(get(p), "");
    ck_assert_int_eq(n_entries(), 1);
    /* bad arguments */
    ck_assert_status(ctune_write_file(NULL, "x", 1), CTUNE_EINVAL);
    ck_assert_status(ctune_write_file("", "x", 1), CTUNE_EINVAL);
    ck_assert_status(ctune_write_file(p, NULL, 3), CTUNE_EINVAL);
    ck_assert_status(ctune_write_file("/nonexistent-dir/x", "x", 1), CTUNE_EIO);
    ck_assert_error_has("'/nonexistent-dir/x'");
    remove_dir();
}
END_TEST

START_TEST(test_symlink_replaces_target)
{
    make_dir();
    const char *target = in_dir("target.csv"), *link = in_dir("link.csv");
    put(target, "old\n");
    ck_assert_int_eq(symlink("target.csv", link), 0);
    ck_assert_ok(ctune_write_file(link, "new\n", 4));
    struct stat st;
    ck_assert_int_eq(lstat(link, &st), 0);
    ck_assert(S_ISLNK(st.st_mode)); /* the link stays a link */
    ck_assert_str_eq(get(target), "new\n");
    /* a dangling link: its target is created */
    const char *dang = in_dir("dangling");
    ck_assert_int_eq(symlink("made.csv", dang), 0);
    ck_assert_ok(ctune_write_file(dang, "m\n", 2));
    ck_assert_str_eq(get(in_dir("made.csv")), "m\n");
    ck_assert_int_eq(lstat(dang, &st), 0);
    ck_assert(S_ISLNK(st.st_mode));
    ck_assert_int_eq(n_entries(), 4);
    remove_dir();
}
END_TEST

START_TEST(test_non_regular_refused)
{
    make_dir();
    /* a device node is neither written nor removed */
    ck_assert_status(ctune_write_file("/dev/null", "x", 1), CTUNE_EIO);
    ck_assert_error_has("is not a regular file");
    struct stat st;
    ck_assert_int_eq(stat("/dev/null", &st), 0);
    ck_assert(S_ISCHR(st.st_mode));
    /* a FIFO, a directory */
    const char *fifo = in_dir("fifo");
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    ck_assert_status(ctune_write_file(fifo, "x", 1), CTUNE_EIO);
    ck_assert_int_eq(stat(fifo, &st), 0);
    ck_assert(S_ISFIFO(st.st_mode));
    ck_assert_status(ctune_write_file(g_dir, "x", 1), CTUNE_EIO);
    ck_assert_int_eq(n_entries(), 1);
    remove_dir();
}
END_TEST

/* A file-size limit stops the write: the old file stays whole and the
 * temporary file is removed (in a child, which owns the limit). */
START_TEST(test_size_limit_keeps_old_file)
{
    make_dir();
    const char *p = in_dir("results.csv");
    put(p, "the old results\n");
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        signal(SIGXFSZ, SIG_IGN);
        struct rlimit rl = {64, 64};
        setrlimit(RLIMIT_FSIZE, &rl);
        char big[4096];
        memset(big, 'x', sizeof big);
        ctune_status st = ctune_write_file(p, big, sizeof big);
        _exit(st == CTUNE_EIO && strstr(ctune_last_error(), "File too large") ? 0 : 1);
    }
    int ws;
    ck_assert_int_eq(waitpid(pid, &ws, 0), pid);
    ck_assert(WIFEXITED(ws));
    ck_assert_int_eq(WEXITSTATUS(ws), 0);
    ck_assert_str_eq(get(p), "the old results\n");
    ck_assert_int_eq(n_entries(), 1);
    remove_dir();
}
END_TEST

#ifdef CTUNE_TEST_HOOKS
/* Starts a child that writes `path` with the test hook pausing it halfway,
 * waits for the pause, kills it with SIGKILL. kind 0: raw bytes, 1: a
 * model. */
static void kill_mid_write(const char *path, int kind)
{
    const char *marker = in_dir("paused");
    unlink(marker);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        setenv("CTUNE_TEST_WRITE_PAUSE", marker, 1);
        if (kind == 0) {
            char big[8192];
            memset(big, 'y', sizeof big);
            ctune_write_file(path, big, sizeof big);
        } else {
            ctune_estimator *e;
            ctune_data *d;
            if (ctune_dummy_classifier_new(&e) == CTUNE_OK &&
                ctune_dataset_load(&d, "iris", NULL) == CTUNE_OK &&
                ctune_estimator_fit(e, d) == CTUNE_OK)
                ctune_estimator_save(e, path);
        }
        _exit(3); /* not reached: the hook waits to be killed */
    }
    struct timespec nap = {0, 5 * 1000 * 1000};
    int waited = 0;
    while (access(marker, F_OK) != 0 && waited++ < 6000) /* polls, at most ~30 s */
        nanosleep(&nap, NULL);
    ck_assert_int_eq(access(marker, F_OK), 0);
    ck_assert_int_eq(kill(pid, SIGKILL), 0);
    int ws;
    ck_assert_int_eq(waitpid(pid, &ws, 0), pid);
    ck_assert(WIFSIGNALED(ws));
    unlink(marker);
}

START_TEST(test_sigkill_mid_write_keeps_old_file)
{
    make_dir();
    const char *p = in_dir("results.csv");
    put(p, "the old results\n");
    kill_mid_write(p, 0);
    ck_assert_str_eq(get(p), "the old results\n");
    /* the model file: the old model still loads */
    ctune_estimator *e, *back;
    ctune_data *d;
    ck_assert_ok(ctune_decision_tree_classifier_new(&e));
    ck_assert_ok(ctune_dataset_load(&d, "iris", NULL));
    ck_assert_ok(ctune_estimator_fit(e, d));
    const char *m = in_dir("model.ctm");
    ck_assert_ok(ctune_estimator_save(e, m));
    kill_mid_write(m, 1);
    ck_assert_ok(ctune_estimator_load(&back, m, NULL, NULL));
    ck_assert_str_eq(ctune_estimator_name(back), "DecisionTreeClassifier");
    ctune_estimator_free(back);
    ctune_estimator_free(e);
    ctune_data_free(d);
    remove_dir();
}
END_TEST
#endif

static Suite *suite(void)
{
    Suite *s = suite_create("atomic");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_new_and_replace);
    tcase_add_test(tc, test_symlink_replaces_target);
    tcase_add_test(tc, test_non_regular_refused);
    tcase_add_test(tc, test_size_limit_keeps_old_file);
#ifdef CTUNE_TEST_HOOKS
    tcase_add_test(tc, test_sigkill_mid_write_keeps_old_file);
#endif
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return ctu_run_suite(suite()); }
