/* Atomic file replacement: temporary file, fsync, rename, fsync of the
 * directory. See io/atomic.h for the contract. */
#include "io/atomic.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/error.h"

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

static ctune_status sys_error(const char *what, const char *path, int err)
{
    char msg[256];
    if (strerror_r(err, msg, sizeof msg) != 0)
        snprintf(msg, sizeof msg, "error %d", err);
    return ctune_set_error(CTUNE_EIO, "%s '%s': %s", what, path, msg);
}

/* Follows symbolic links from `path` (relative targets are relative to the
 * link's directory) into out[cap]. A dangling link resolves to the path it
 * names. */
static ctune_status resolve_links(const char *path, char *out, size_t cap)
{
    if (strlen(path) >= cap)
        return ctune_set_error(CTUNE_EIO, "cannot write '%s': the path is too long", path);
    strcpy(out, path);
    for (int depth = 0;; depth++) {
        struct stat st;
        if (lstat(out, &st) != 0 || !S_ISLNK(st.st_mode))
            return CTUNE_OK;
        if (depth == 40)
            return sys_error("cannot write", path, ELOOP);
        char link[PATH_MAX];
        ssize_t k = readlink(out, link, sizeof link - 1);
        if (k < 0)
            return sys_error("cannot write", path, errno);
        link[k] = '\0';
        if (link[0] == '/') {
            if ((size_t)k >= cap)
                return sys_error("cannot write", path, ENAMETOOLONG);
            memcpy(out, link, (size_t)k + 1);
        } else {
            char *slash = strrchr(out, '/');
            size_t keep = slash ? (size_t)(slash - out) + 1 : 0;
            if (keep + (size_t)k >= cap)
                return sys_error("cannot write", path, ENAMETOOLONG);
            memcpy(out + keep, link, (size_t)k + 1);
        }
    }
}

#ifdef CTUNE_TEST_HOOKS
/* Test builds only: with CTUNE_TEST_WRITE_PAUSE=<marker path>, a write
 * stops halfway through its temporary file, creates the marker and waits
 * to be killed, so crash tests hit the middle of a write every time. */
static void test_pause_midway(void)
{
    const char *marker = getenv("CTUNE_TEST_WRITE_PAUSE");
    if (!marker || !*marker)
        return;
    int fd = open(marker, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (fd >= 0)
        close(fd);
    for (;;)
        pause();
}
#endif

static int write_span(int fd, const unsigned char *p, size_t len)
{
    size_t done = 0;
    while (done < len) {
        size_t chunk = len - done < ((size_t)1 << 30) ? len - done : (size_t)1 << 30;
        ssize_t w = write(fd, p + done, chunk);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return errno;
        }
        if (w == 0)
            return EIO;
        done += (size_t)w;
    }
    return 0;
}

/* 0 or the errno of the failed write. */
static int write_all(int fd, const unsigned char *p, size_t len)
{
#ifdef CTUNE_TEST_HOOKS
    size_t half = len / 2;
    int e = write_span(fd, p, half);
    if (e)
        return e;
    test_pause_midway();
    return write_span(fd, p + half, len - half);
#else
    return write_span(fd, p, len);
#endif
}

/* A name no one else holds: pid, a per-process counter and the clock. */
static void temp_name(char *out, size_t cap, const char *dir, const char *base, unsigned attempt)
{
    static atomic_uint counter;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t x = ((uint64_t)getpid() << 32) ^ (uint64_t)ts.tv_nsec ^
                 ((uint64_t)atomic_fetch_add(&counter, 1) << 20) ^ ((uint64_t)attempt << 48);
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    snprintf(out, cap, "%s.%s.%012llx.tmp", dir, base, (unsigned long long)(x & 0xffffffffffffULL));
}

ctune_status ctune__atomic_write(const char *path, const void *data, size_t len)
{
    if (!path || !*path)
        return ctune_set_error(CTUNE_EINVAL, "cannot write a file: the path is %s",
                               path ? "empty" : "NULL");
    if (!data && len)
        return ctune_set_error(CTUNE_EINVAL, "cannot write '%s': data is NULL", path);
    char target[PATH_MAX];
    CTUNE_TRY(resolve_links(path, target, sizeof target));

    struct stat st;
    int exists = stat(target, &st) == 0;
    if (!exists && errno != ENOENT)
        return sys_error("cannot write", path, errno);
    if (exists && !S_ISREG(st.st_mode))
        return ctune_set_error(CTUNE_EIO,
                               "refusing to write '%s': it exists and is not a regular "
                               "file (a directory, device, FIFO or socket)",
                               path);

    /* dir ("" or ".../"), base */
    char dir[PATH_MAX];
    const char *slash = strrchr(target, '/');
    size_t dlen = slash ? (size_t)(slash - target) + 1 : 0;
    memcpy(dir, target, dlen);
    dir[dlen] = '\0';
    const char *base = target + dlen;
    if (!*base)
        return ctune_set_error(CTUNE_EIO, "cannot write '%s': the path names a directory", path);

    char tmp[PATH_MAX + 64];
    int fd = -1;
    for (unsigned attempt = 0; attempt < 100 && fd < 0; attempt++) {
        temp_name(tmp, sizeof tmp, dir, base, attempt);
        if (strlen(tmp) >= PATH_MAX)
            return sys_error("cannot write", path, ENAMETOOLONG);
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd < 0 && errno != EEXIST)
            return sys_error("cannot create a temporary file for", path, errno);
    }
    if (fd < 0)
        return sys_error("cannot create a temporary file for", path, EEXIST);

    int err = 0;
    const char *step = "cannot write";
    if (exists && fchmod(fd, st.st_mode & 07777) != 0) {
        err = errno;
        step = "cannot set the permissions of";
    }
    if (!err && (err = write_all(fd, data, len)) != 0)
        step = "cannot write";
    if (!err && fsync(fd) != 0) {
        err = errno;
        step = "cannot flush";
    }
    if (close(fd) != 0 && !err) {
        err = errno;
        step = "cannot write";
    }
    if (!err && rename(tmp, target) != 0) {
        err = errno;
        step = "cannot replace";
    }
    if (err) {
        unlink(tmp); /* ours alone: the destination is untouched */
        return sys_error(step, path, err);
    }
    /* make the rename itself durable (some file systems refuse: harmless) */
    int dfd = open(dlen ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        if (fsync(dfd) != 0 && errno != EINVAL && errno != EROFS && errno != EBADF) {
            err = errno;
            close(dfd);
            return sys_error("wrote but cannot flush the directory of", path, err);
        }
        close(dfd);
    }
    return CTUNE_OK;
}

ctune_status ctune_write_file(const char *path, const void *data, size_t len)
{
    ctune_clear_error();
    return ctune__atomic_write(path, data, len);
}
