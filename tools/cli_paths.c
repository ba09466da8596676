/* Output paths checked before any work: never an input, never another
 * output, in a writable directory, not a device. */
#define _XOPEN_SOURCE 700 /* realpath */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

int cli_is_stdout(const char *path)
{
    return !path || strcmp(path, "-") == 0 || strcmp(path, "/dev/stdout") == 0;
}

/* The path with its directory resolved (the file itself may not exist). */
static void resolve(const char *path, char *out, size_t cap)
{
    char dir[PATH_MAX], real[PATH_MAX];
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    if (slash) {
        size_t n = (size_t)(slash - path);
        snprintf(dir, sizeof dir, "%.*s", (int)(n ? n : 1), path);
    } else {
        snprintf(dir, sizeof dir, ".");
    }
    if (realpath(dir, real))
        snprintf(out, cap, "%s/%s", strcmp(real, "/") == 0 ? "" : real, base);
    else
        snprintf(out, cap, "%s", path);
}

/* 1 when a and b name the same file: the same device and inode when both
 * exist, else the same resolved path. */
static int same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    int ea = stat(a, &sa) == 0, eb = stat(b, &sb) == 0;
    if (ea && eb)
        return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
    if (ea != eb)
        return 0;
    char ra[PATH_MAX + 1], rb[PATH_MAX + 1];
    resolve(a, ra, sizeof ra);
    resolve(b, rb, sizeof rb);
    return strcmp(ra, rb) == 0;
}

/* The output's directory exists and is writable; an existing output is a
 * regular file. */
static int check_output(const char *cmd, const cli_path *o)
{
    struct stat st;
    if (stat(o->path, &st) == 0 && !S_ISREG(st.st_mode))
        return cli_usage_error(cmd,
                               "--%s '%s' is not a regular file (a directory, device or "
                               "FIFO): ctune will not replace it",
                               o->opt, o->path);
    char dir[PATH_MAX];
    const char *slash = strrchr(o->path, '/');
    if (slash)
        snprintf(dir, sizeof dir, "%.*s", (int)(slash == o->path ? 1 : slash - o->path), o->path);
    else
        snprintf(dir, sizeof dir, ".");
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return cli_usage_error(cmd, "--%s '%s': the directory '%s' does not exist", o->opt, o->path,
                               dir);
    if (access(dir, W_OK | X_OK) != 0)
        return cli_usage_error(cmd, "--%s '%s': the directory '%s' is not writable (%s)", o->opt,
                               o->path, dir, strerror(errno));
    return CLI_OK;
}

int cli_check_paths(const char *cmd, const cli_path *in, size_t n_in, const cli_path *out,
                    size_t n_out)
{
    for (size_t i = 0; i < n_out; i++) {
        const cli_path *o = &out[i];
        if (!o->path || (o->may_be_stdout && cli_is_stdout(o->path)))
            continue;
        if (!*o->path)
            return cli_usage_error(cmd, "--%s needs a file name", o->opt);
        for (size_t j = 0; j < n_in; j++)
            if (in[j].path && same_file(o->path, in[j].path))
                return cli_usage_error(cmd,
                                       "--%s '%s' is the same file as the input --%s '%s': "
                                       "ctune never overwrites an input",
                                       o->opt, o->path, in[j].opt, in[j].path);
        for (size_t j = 0; j < i; j++)
            if (out[j].path && !(out[j].may_be_stdout && cli_is_stdout(out[j].path)) &&
                same_file(o->path, out[j].path))
                return cli_usage_error(cmd, "--%s and --%s name the same file '%s'", out[j].opt,
                                       o->opt, o->path);
        int rc = check_output(cmd, o);
        if (rc != CLI_OK)
            return rc;
    }
    return CLI_OK;
}
