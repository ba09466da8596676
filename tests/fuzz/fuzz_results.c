/* Fuzz target: the strict JSON reader (lib/io/json.c) and the results
 * document reader and HTML report on top of it (lib/report). The input is
 * the file's bytes. Checks: the JSON reader gives OK or CTUNE_EFORMAT with
 * a "JSON line L column C" message (never another status, never reading
 * past `size`); a tree that parses has consistent counts and NUL-terminated
 * strings of the recorded length; the results reader gives OK or
 * CTUNE_EFORMAT; a document that reads gives a page that starts and ends
 * like one, holds no script and the same number of <svg> and </svg>, and
 * whose history plot has one mark per candidate; nothing leaks. An input
 * that starts with SQLite's header is also written to a file and given to
 * ctune_report_write() as a study: a known status with a message, or a
 * page as above (seed: corpus/results/study.db, a finished study). */
#include <unistd.h>

#include "fuzz.h"

#include "io/json.h"
#include "model_selection/strbuf.h"
#include "report/report.h"
#include "report/results_read.h"

static size_t walk(const ctune__json *v, unsigned depth)
{
    FUZZ_ASSERT(depth <= 64);
    size_t n = 1;
    switch (v->type) {
    case CTUNE__JSON_STRING: FUZZ_ASSERT(v->str && strlen(v->str) == v->len); break;
    case CTUNE__JSON_OBJECT:
        for (size_t i = 0; i < v->n; i++) {
            FUZZ_ASSERT(v->keys[i] != NULL);
            FUZZ_ASSERT(ctune__json_get(v, v->keys[i]) == &v->items[i]); /* keys unique */
        }
        /* fall through */
    case CTUNE__JSON_ARRAY:
        for (size_t i = 0; i < v->n; i++)
            n += walk(&v->items[i], depth + 1);
        break;
    case CTUNE__JSON_NUMBER: FUZZ_ASSERT(v->num == v->num && v->num - v->num == 0); break;
    default: break;
    }
    return n;
}

static size_t count(const char *s, const char *needle)
{
    size_t n = 0;
    for (const char *p = s; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

static void remove_files(const char *db, const char *html)
{
    char p[320];
    unlink(db);
    unlink(html);
    snprintf(p, sizeof p, "%s-wal", db);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", db);
    unlink(p);
    snprintf(p, sizeof p, "%s-journal", db);
    unlink(p);
}

/* The bytes as a study file: the report of ctune_report_write(). */
static void study_report(const uint8_t *data, size_t size)
{
    char db[256], html[300];
    const char *dir = getenv("TMPDIR");
    snprintf(db, sizeof db, "%s/ctune_fuzz_results_%ld.db", dir && dir[0] ? dir : "/tmp",
             (long)getpid());
    snprintf(html, sizeof html, "%s.html", db);
    remove_files(db, html);
    FILE *f = fopen(db, "wb");
    FUZZ_ASSERT(f != NULL);
    FUZZ_ASSERT(fwrite(data, 1, size, f) == size);
    fclose(f);
    ctune_status rc = ctune_report_write(db, html);
    fuzz_status_ok(rc);
    FUZZ_ASSERT(rc == CTUNE_OK || rc == CTUNE_EFORMAT || rc == CTUNE_EIO || rc == CTUNE_ESTATE ||
                rc == CTUNE_EINVAL || rc == CTUNE_ENOMEM);
    if (rc == CTUNE_OK) {
        f = fopen(html, "rb");
        FUZZ_ASSERT(f != NULL);
        static char page[1 << 22];
        size_t n = fread(page, 1, sizeof page - 1, f);
        fclose(f);
        page[n] = '\0';
        FUZZ_ASSERT(strncmp(page, "<!DOCTYPE html>\n", 16) == 0);
        FUZZ_ASSERT(strstr(page, "<script") == NULL);
        FUZZ_ASSERT(count(page, "<svg ") == count(page, "</svg>"));
    }
    remove_files(db, html);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* the bytes exactly, in a buffer of their own size (ASan sees overreads) */
    char *text = malloc(size ? size : 1);
    FUZZ_ASSERT(text != NULL);
    if (size)
        memcpy(text, data, size);
    int64_t live = ctune_alloc_live();

    ctune__json *root = NULL;
    ctune_status rc = ctune__json_parse(text, size, NULL, &root);
    fuzz_status_ok(rc);
    FUZZ_ASSERT(rc == CTUNE_OK || rc == CTUNE_EFORMAT);
    if (rc == CTUNE_OK) {
        FUZZ_ASSERT(root != NULL);
        FUZZ_ASSERT(walk(root, 0) <= size);
        ctune__json_free(root);
    } else {
        FUZZ_ASSERT(root == NULL);
        FUZZ_ASSERT(strncmp(ctune_last_error(), "JSON line ", 10) == 0);
    }

    ctune__rdoc *d = NULL;
    rc = ctune__rdoc_read(text, size, &d);
    fuzz_status_ok(rc);
    FUZZ_ASSERT(rc == CTUNE_OK || rc == CTUNE_EFORMAT);
    if (rc == CTUNE_OK && d->n_cands <= 2000 && d->n_params <= 64) {
        ctune__sb b;
        ctune__sb_init(&b);
        rc = ctune__report_html(d, "fuzz<&>", &b);
        fuzz_status_ok(rc);
        FUZZ_ASSERT(rc == CTUNE_OK);
        FUZZ_ASSERT(strncmp(b.s, "<!DOCTYPE html>\n", 16) == 0);
        FUZZ_ASSERT(b.len > 16 && strcmp(b.s + b.len - 16, "</body>\n</html>\n") == 0);
        FUZZ_ASSERT(strstr(b.s, "<script") == NULL);
        FUZZ_ASSERT(count(b.s, "<svg ") == count(b.s, "</svg>"));
        const char *h = strstr(b.s, "<figure class=\"plot\" id=\"history\">");
        if (h) {
            const char *e = strstr(h, "</figure>");
            FUZZ_ASSERT(e != NULL);
            size_t marks = 0;
            for (const char *p = h; (p = strstr(p, "class=\"pt")) != NULL && p < e; p++)
                marks++;
            FUZZ_ASSERT(marks == d->n_cands);
        }
        ctune__sb_free(&b);
    }
    ctune__rdoc_free(d);
    if (size >= 16 && memcmp(data, "SQLite format 3", 16) == 0)
        study_report(data, size);
    FUZZ_ASSERT(ctune_alloc_live() == live);
    free(text);
    return 0;
}
