/* Byte streams of the model format: a growable little-endian writer, a
 * bounds-checked reader over memory, and CRC-32. */
#ifndef CTUNE_IO_STREAM_H
#define CTUNE_IO_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "ctune.h"

struct ctune_writer {
    unsigned char *buf; /* ctune__malloc'd */
    size_t len, cap;
};

struct ctune_reader {
    const unsigned char *p;
    size_t len, pos;
    size_t base; /* offset of p[0] in the whole file, for messages */
    /* The class count of the fitted model whose load hook reads this (0
     * when unknown or not a classifier), so a hook can check that its
     * payload matches the outputs the handle will size. */
    size_t n_classes;
};

void ctune__writer_init(ctune_writer *w);
void ctune__writer_free(ctune_writer *w);
ctune_status ctune__write_u8(ctune_writer *w, unsigned v);
ctune_status ctune__write_u32(ctune_writer *w, uint32_t v);
/* Overwrites 8 bytes at `offset` (< len) with v, little-endian. */
void ctune__writer_patch_u64(ctune_writer *w, size_t offset, uint64_t v);

void ctune__reader_init(ctune_reader *r, const void *p, size_t len, size_t base);
/* The class count of the model being loaded (see struct ctune_reader). */
size_t ctune__read_n_classes(const ctune_reader *r);
ctune_status ctune__read_u8(ctune_reader *r, unsigned *v);
ctune_status ctune__read_u32(ctune_reader *r, uint32_t *v);
/* A length (u64) that must not exceed the bytes left divided by `unit`
 * (so a corrupted count fails as a format error, not as a huge allocation). */
ctune_status ctune__read_count(ctune_reader *r, size_t unit, size_t *n);
/* Reads a string written by ctune_write_string into a new ctune__malloc'd
 * buffer; *out is NULL for an absent string. */
ctune_status ctune__read_string_alloc(ctune_reader *r, char **out);

/* CRC-32 (IEEE 802.3, reflected, as zlib's crc32()) of n bytes, continuing
 * from `crc` (0 to start). */
uint32_t ctune__crc32(uint32_t crc, const void *p, size_t n);

#endif
