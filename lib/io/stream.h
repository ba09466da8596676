/* Byte streams of the model format: a growable little-endian writer, a
 * bounds-checked reader over memory, and CRC-32. */
#ifndef CTUNE_IO_STREAM_H
#define CTUNE_IO_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "ctune.h"

/* How a save or load hook writes and reads nested estimators (a pipeline's
 * steps). The persistence layer (lib/persist), which sits above the
 * estimators, sets it on the streams it hands to hooks, so the estimators
 * below it nest estimators without including it. */
typedef struct ctune__nest_ops {
    /* Writes a complete body for `est` (name, params, definition, state). */
    ctune_status (*write)(ctune_writer *w, const ctune_estimator *est);
    /* Reads such a body into a new handle made like `like` (NULL: the
     * built-in named in the body). */
    ctune_status (*read)(ctune_reader *r, ctune_estimator **out, const ctune_estimator *like);
} ctune__nest_ops;

struct ctune_writer {
    unsigned char *buf; /* ctune__malloc'd */
    size_t len, cap;
    unsigned version;            /* lowest format version that reads what was written
                         * (raised by persist.c when a body needs it) */
    const ctune__nest_ops *nest; /* NULL outside a model file */
};

struct ctune_reader {
    const unsigned char *p;
    size_t len, pos;
    size_t base;    /* offset of p[0] in the whole file, for messages */
    unsigned depth; /* nesting of sub-readers (bounds nested estimators) */
    /* Inside a load hook: the fitted state the handle restored before the
     * hook runs, so a built-in hook can check its own state against it (a
     * tree's feature count, a classifier's class count). 0 elsewhere. */
    size_t fit_features, fit_outputs, fit_classes;
    const ctune__nest_ops *nest; /* NULL outside a model file; sub-readers inherit it */
};

void ctune__writer_init(ctune_writer *w);
void ctune__writer_free(ctune_writer *w);
ctune_status ctune__write_u8(ctune_writer *w, unsigned v);
ctune_status ctune__write_u32(ctune_writer *w, uint32_t v);
/* Overwrites 8 bytes at `offset` (< len) with v, little-endian. */
void ctune__writer_patch_u64(ctune_writer *w, size_t offset, uint64_t v);

void ctune__reader_init(ctune_reader *r, const void *p, size_t len, size_t base);
/* A reader over the next `len` bytes of `r` (which must hold them: check with
 * ctune__read_count first), one level deeper; `r` moves past them. */
void ctune__reader_sub(ctune_reader *sub, ctune_reader *r, size_t len);
ctune_status ctune__read_u8(ctune_reader *r, unsigned *v);
ctune_status ctune__read_u32(ctune_reader *r, uint32_t *v);
/* A length (u64) that must not exceed the bytes left divided by `unit`
 * (so a corrupted count fails as a format error, not as a huge allocation). */
ctune_status ctune__read_count(ctune_reader *r, size_t unit, size_t *n);
/* Reads a string written by ctune_write_string into a new ctune__malloc'd
 * buffer; *out is NULL for an absent string. */
/* ctune_read_string() into a fixed buffer: CTUNE_EFORMAT (naming the
 * offset) when the string does not fit. */
ctune_status ctune__read_string_fit(char *buf, size_t cap, ctune_reader *r);
ctune_status ctune__read_string_alloc(ctune_reader *r, char **out);

/* A nested estimator through w->nest / r->nest (CTUNE_EUNSUPPORTED on a
 * stream that is not part of a model file). */
ctune_status ctune__write_estimator(ctune_writer *w, const ctune_estimator *est);
ctune_status ctune__read_estimator(ctune_reader *r, ctune_estimator **out,
                                   const ctune_estimator *like);

/* CRC-32 (IEEE 802.3, reflected, as zlib's crc32()) of n bytes, continuing
 * from `crc` (0 to start). */
uint32_t ctune__crc32(uint32_t crc, const void *p, size_t n);

#endif
