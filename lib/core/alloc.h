/* Internal allocator: every allocation of the library goes through here so
 * that live blocks are counted and tests can make the N-th allocation fail. */
#ifndef CTUNE_CORE_ALLOC_H
#define CTUNE_CORE_ALLOC_H

#include <stddef.h>

/* All return NULL on failure *and* set the thread's error to CTUNE_ENOMEM
 * ("out of memory allocating N bytes"), so callers can just
 * `if (!p) return CTUNE_ENOMEM;`. Sizes of 0 allocate 1 byte. */
void *ctune__malloc(size_t size);
void *ctune__calloc(size_t count, size_t size);
/* Overflow-checked count * size. */
void *ctune__malloc_array(size_t count, size_t size);
/* Overflow-checked rows * cols * size (e.g. n rows × k classes); an
 * overflow is CTUNE_ENOMEM "... rows × ... columns ... cannot be addressed". */
void *ctune__malloc_matrix(size_t rows, size_t cols, size_t size);
/* On failure the old block is kept (and still owned by the caller). */
void *ctune__realloc(void *ptr, size_t size);
void ctune__free(void *ptr);
char *ctune__strdup(const char *s);
char *ctune__strndup(const char *s, size_t n);

#define CTUNE_NEW_ARRAY(type, count) ((type *)ctune__malloc_array((count), sizeof(type)))
#define CTUNE_NEW_MATRIX(type, rows, cols) \
    ((type *)ctune__malloc_matrix((rows), (cols), sizeof(type)))

#endif
