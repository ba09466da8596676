/* Persistence primitives: little-endian values into a growable buffer, and
 * a reader that checks every read against the end of its bytes. */
#include "io/stream.h"

#include <limits.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"

static int host_is_le(void)
{
    const uint16_t one = 1;
    unsigned char b;
    memcpy(&b, &one, 1);
    return b == 1;
}

/* ---- writer ------------------------------------------------------------ */

void ctune__writer_init(ctune_writer *w)
{
    memset(w, 0, sizeof *w);
    w->version = 1;
}

void ctune__writer_free(ctune_writer *w)
{
    ctune__free(w->buf);
    memset(w, 0, sizeof *w);
}

/* Room for n more bytes. */
static ctune_status reserve(ctune_writer *w, size_t n)
{
    if (n <= w->cap - w->len)
        return CTUNE_OK;
    if (n > SIZE_MAX / 2 - w->len)
        return ctune_set_error(CTUNE_ENOMEM, "model too large (%zu bytes more)", n);
    size_t cap = w->cap ? w->cap : 256;
    while (cap - w->len < n)
        cap *= 2;
    unsigned char *b = ctune__realloc(w->buf, cap);
    if (!b)
        return CTUNE_ENOMEM;
    w->buf = b;
    w->cap = cap;
    return CTUNE_OK;
}

static void put_le(unsigned char *dst, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; i++)
        dst[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get_le(const unsigned char *src, int bytes)
{
    uint64_t v = 0;
    for (int i = 0; i < bytes; i++)
        v |= (uint64_t)src[i] << (8 * i);
    return v;
}

static ctune_status put_uint(ctune_writer *w, uint64_t v, int bytes)
{
    CTUNE_CHECK_NULL(w, "writer");
    CTUNE_TRY(reserve(w, (size_t)bytes));
    put_le(w->buf + w->len, v, bytes);
    w->len += (size_t)bytes;
    return CTUNE_OK;
}

ctune_status ctune__write_u8(ctune_writer *w, unsigned v) { return put_uint(w, v & 0xFFu, 1); }
ctune_status ctune__write_u32(ctune_writer *w, uint32_t v) { return put_uint(w, v, 4); }

void ctune__writer_patch_u64(ctune_writer *w, size_t offset, uint64_t v)
{
    put_le(w->buf + offset, v, 8);
}

ctune_status ctune_write_bytes(ctune_writer *w, const void *p, size_t n)
{
    CTUNE_CHECK_NULL(w, "writer");
    if (n == 0)
        return CTUNE_OK;
    CTUNE_CHECK_NULL(p, "p");
    CTUNE_TRY(reserve(w, n));
    memcpy(w->buf + w->len, p, n);
    w->len += n;
    return CTUNE_OK;
}

ctune_status ctune_write_u64(ctune_writer *w, uint64_t v) { return put_uint(w, v, 8); }
ctune_status ctune_write_i64(ctune_writer *w, int64_t v) { return put_uint(w, (uint64_t)v, 8); }

ctune_status ctune_write_f64(ctune_writer *w, double v)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    return put_uint(w, bits, 8);
}

ctune_status ctune_write_f32_array(ctune_writer *w, const float *p, size_t n)
{
    CTUNE_CHECK_NULL(w, "writer");
    if (n == 0)
        return CTUNE_OK;
    CTUNE_CHECK_NULL(p, "p");
    if (n > SIZE_MAX / 4)
        return ctune_set_error(CTUNE_ENOMEM, "array of %zu floats is too large", n);
    CTUNE_TRY(reserve(w, n * 4));
    if (host_is_le()) {
        memcpy(w->buf + w->len, p, n * 4);
    } else {
        for (size_t i = 0; i < n; i++) {
            uint32_t bits;
            memcpy(&bits, &p[i], 4);
            put_le(w->buf + w->len + 4 * i, bits, 4);
        }
    }
    w->len += n * 4;
    return CTUNE_OK;
}

ctune_status ctune_write_f64_array(ctune_writer *w, const double *p, size_t n)
{
    CTUNE_CHECK_NULL(w, "writer");
    if (n == 0)
        return CTUNE_OK;
    CTUNE_CHECK_NULL(p, "p");
    if (n > SIZE_MAX / 8)
        return ctune_set_error(CTUNE_ENOMEM, "array of %zu doubles is too large", n);
    CTUNE_TRY(reserve(w, n * 8));
    if (host_is_le()) {
        memcpy(w->buf + w->len, p, n * 8);
    } else {
        for (size_t i = 0; i < n; i++) {
            uint64_t bits;
            memcpy(&bits, &p[i], 8);
            put_le(w->buf + w->len + 8 * i, bits, 8);
        }
    }
    w->len += n * 8;
    return CTUNE_OK;
}

#define ABSENT UINT64_MAX

ctune_status ctune_write_string(ctune_writer *w, const char *s)
{
    CTUNE_CHECK_NULL(w, "writer");
    if (!s)
        return ctune_write_u64(w, ABSENT);
    size_t n = strlen(s);
    CTUNE_TRY(ctune_write_u64(w, n));
    return ctune_write_bytes(w, s, n);
}

/* ---- reader ------------------------------------------------------------ */

void ctune__reader_init(ctune_reader *r, const void *p, size_t len, size_t base)
{
    memset(r, 0, sizeof *r);
    r->p = p;
    r->len = len;
    r->base = base;
}

void ctune__reader_sub(ctune_reader *sub, ctune_reader *r, size_t len)
{
    ctune__reader_init(sub, r->p + r->pos, len, r->base + r->pos);
    sub->depth = r->depth + 1;
    sub->nest = r->nest;
    r->pos += len;
}

ctune_status ctune__write_estimator(ctune_writer *w, const ctune_estimator *est)
{
    if (!w->nest)
        return ctune_set_error(CTUNE_EUNSUPPORTED,
                               "a nested estimator can only be written into a model file");
    return w->nest->write(w, est);
}

ctune_status ctune__read_estimator(ctune_reader *r, ctune_estimator **out,
                                   const ctune_estimator *like)
{
    *out = NULL;
    if (!r->nest)
        return ctune_set_error(CTUNE_EUNSUPPORTED,
                               "a nested estimator can only be read from a model file");
    return r->nest->read(r, out, like);
}

size_t ctune_read_remaining(const ctune_reader *r) { return r ? r->len - r->pos : 0; }

size_t ctune_read_n_features(const ctune_reader *r) { return r ? r->fit_features : 0; }
size_t ctune_read_n_outputs(const ctune_reader *r) { return r ? r->fit_outputs : 0; }
size_t ctune_read_n_classes(const ctune_reader *r) { return r ? r->fit_classes : 0; }

static ctune_status need(ctune_reader *r, size_t n)
{
    if (n <= r->len - r->pos)
        return CTUNE_OK;
    return ctune_set_error(CTUNE_EFORMAT,
                           "model file truncated at byte %zu (%zu bytes needed at byte %zu)",
                           r->base + r->len, n, r->base + r->pos);
}

static ctune_status get_uint(ctune_reader *r, uint64_t *v, int bytes)
{
    CTUNE_CHECK_NULL(r, "reader");
    CTUNE_CHECK_NULL(v, "v");
    CTUNE_TRY(need(r, (size_t)bytes));
    *v = get_le(r->p + r->pos, bytes);
    r->pos += (size_t)bytes;
    return CTUNE_OK;
}

ctune_status ctune__read_u8(ctune_reader *r, unsigned *v)
{
    uint64_t x = 0;
    CTUNE_TRY(get_uint(r, &x, 1));
    *v = (unsigned)x;
    return CTUNE_OK;
}

ctune_status ctune__read_u32(ctune_reader *r, uint32_t *v)
{
    uint64_t x = 0;
    CTUNE_TRY(get_uint(r, &x, 4));
    *v = (uint32_t)x;
    return CTUNE_OK;
}

ctune_status ctune__read_count(ctune_reader *r, size_t unit, size_t *n)
{
    uint64_t v;
    size_t at = r->base + r->pos;
    CTUNE_TRY(get_uint(r, &v, 8));
    size_t left = r->len - r->pos;
    if (unit == 0)
        unit = 1;
    if (v > left / unit)
        return ctune_set_error(CTUNE_EFORMAT,
                               "model file corrupted: count %llu at byte %zu exceeds the %zu bytes "
                               "left",
                               (unsigned long long)v, at, left);
    *n = (size_t)v;
    return CTUNE_OK;
}

ctune_status ctune_read_bytes(void *p, size_t n, ctune_reader *r)
{
    CTUNE_CHECK_NULL(r, "reader");
    if (n == 0)
        return CTUNE_OK;
    CTUNE_CHECK_NULL(p, "p");
    CTUNE_TRY(need(r, n));
    memcpy(p, r->p + r->pos, n);
    r->pos += n;
    return CTUNE_OK;
}

ctune_status ctune_read_u64(uint64_t *v, ctune_reader *r) { return get_uint(r, v, 8); }

ctune_status ctune_read_i64(int64_t *v, ctune_reader *r)
{
    CTUNE_CHECK_NULL(v, "v");
    uint64_t x = 0;
    CTUNE_TRY(get_uint(r, &x, 8));
    *v = (int64_t)x;
    return CTUNE_OK;
}

ctune_status ctune_read_f64(double *v, ctune_reader *r)
{
    CTUNE_CHECK_NULL(v, "v");
    uint64_t x = 0;
    CTUNE_TRY(get_uint(r, &x, 8));
    memcpy(v, &x, sizeof *v);
    return CTUNE_OK;
}

ctune_status ctune_read_f32_array(float *p, size_t n, ctune_reader *r)
{
    CTUNE_CHECK_NULL(r, "reader");
    if (n == 0)
        return CTUNE_OK;
    CTUNE_CHECK_NULL(p, "p");
    if (n > SIZE_MAX / 4)
        return need(r, SIZE_MAX);
    CTUNE_TRY(need(r, n * 4));
    const unsigned char *src = r->p + r->pos;
    if (host_is_le()) {
        memcpy(p, src, n * 4);
    } else {
        for (size_t i = 0; i < n; i++) {
            uint32_t bits = (uint32_t)get_le(src + 4 * i, 4);
            memcpy(&p[i], &bits, 4);
        }
    }
    r->pos += n * 4;
    return CTUNE_OK;
}

ctune_status ctune_read_f64_array(double *p, size_t n, ctune_reader *r)
{
    CTUNE_CHECK_NULL(r, "reader");
    if (n == 0)
        return CTUNE_OK;
    CTUNE_CHECK_NULL(p, "p");
    if (n > SIZE_MAX / 8)
        return need(r, SIZE_MAX);
    CTUNE_TRY(need(r, n * 8));
    const unsigned char *src = r->p + r->pos;
    if (host_is_le()) {
        memcpy(p, src, n * 8);
    } else {
        for (size_t i = 0; i < n; i++) {
            uint64_t bits = get_le(src + 8 * i, 8);
            memcpy(&p[i], &bits, 8);
        }
    }
    r->pos += n * 8;
    return CTUNE_OK;
}

/* Length of the next string (ABSENT for none), checked against the bytes
 * left and for NUL bytes; the reader is left after the length. */
static ctune_status string_len(ctune_reader *r, uint64_t *len)
{
    CTUNE_TRY(get_uint(r, len, 8));
    if (*len == ABSENT)
        return CTUNE_OK;
    if (*len > r->len - r->pos) {
        size_t at = r->pos - 8;
        ctune_status rc = need(r, *len > SIZE_MAX ? SIZE_MAX : (size_t)*len);
        r->pos = at;
        return rc;
    }
    if (memchr(r->p + r->pos, '\0', (size_t)*len)) {
        size_t at = r->base + r->pos - 8;
        r->pos -= 8;
        return ctune_set_error(CTUNE_EFORMAT,
                               "model file corrupted: string at byte %zu holds a "
                               "NUL byte",
                               at);
    }
    return CTUNE_OK;
}

long ctune_read_string(char *buf, size_t cap, ctune_reader *r)
{
    CTUNE_CHECK_NULL(r, "reader");
    if (!buf && cap)
        return ctune_set_error(CTUNE_EINVAL, "ctune_read_string: buf is NULL but cap is %zu", cap);
    uint64_t len = 0;
    CTUNE_TRY(string_len(r, &len));
    if (len == ABSENT) {
        if (cap)
            buf[0] = '\0';
        return 0;
    }
    if (len > (uint64_t)LONG_MAX) {
        r->pos -= 8;
        return ctune_set_error(CTUNE_EFORMAT, "model file: string of %llu bytes is too long",
                               (unsigned long long)len);
    }
    if (len >= cap) {
        /* snprintf-like: the prefix that fits, and nothing consumed, so a
         * second call with a buffer of len + 1 bytes reads it */
        if (cap) {
            memcpy(buf, r->p + r->pos, cap - 1);
            buf[cap - 1] = '\0';
        }
        r->pos -= 8;
        return (long)len;
    }
    memcpy(buf, r->p + r->pos, (size_t)len);
    buf[len] = '\0';
    r->pos += (size_t)len;
    return (long)len;
}

ctune_status ctune__read_string_fit(char *buf, size_t cap, ctune_reader *r)
{
    size_t at = r ? r->base + r->pos : 0;
    long n = ctune_read_string(buf, cap, r);
    if (n < 0)
        return (ctune_status)n;
    if ((size_t)n >= cap)
        return ctune_set_error(CTUNE_EFORMAT,
                               "model file: string of %ld bytes at byte %zu does not fit in a "
                               "buffer of %zu",
                               n, at, cap);
    return CTUNE_OK;
}

ctune_status ctune__read_string_alloc(ctune_reader *r, char **out)
{
    *out = NULL;
    uint64_t len = 0;
    CTUNE_TRY(string_len(r, &len));
    if (len == ABSENT)
        return CTUNE_OK;
    char *s = ctune__strndup((const char *)r->p + r->pos, (size_t)len);
    if (!s) {
        r->pos -= 8;
        return CTUNE_ENOMEM;
    }
    r->pos += (size_t)len;
    *out = s;
    return CTUNE_OK;
}

/* ---- checksum ---------------------------------------------------------- */

uint32_t ctune__crc32(uint32_t crc, const void *p, size_t n)
{
    /* The table costs 2 K operations to build: cheap next to any model, and
     * no shared state. */
    uint32_t table[256];
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        table[i] = c;
    }
    const unsigned char *b = p;
    crc = ~crc;
    for (size_t i = 0; i < n; i++)
        crc = table[(crc ^ b[i]) & 0xFFu] ^ (crc >> 8);
    return ~crc;
}
