/* Internal allocator: every allocation of the library goes through here so
 * that live blocks are counted and tests can make the N-th allocation fail. */
#ifndef CTUNE_CORE_ALLOC_H
#define CTUNE_CORE_ALLOC_H

#include <stddef.h>

#include "ctune.h"

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

/* A block that one worker of an executor keeps from one of its tasks to
 * the next (the NN's float32 copy of a fold's training rows): a fit takes
 * it, uses it as fresh memory and gives it back, so the tasks of a worker
 * reuse the same pages instead of mapping new ones per fit. The executor
 * that owns the worker starts it zeroed ({0}) and frees it with
 * ctune__scratch_free() when the worker ends. One fit at a time holds it
 * (`busy`): a nested fit that finds it taken allocates its own. */
typedef struct ctune__scratch {
    void *p;
    size_t cap;
    int busy;
} ctune__scratch;

/* Takes `bytes` of the scratch `s` (its old contents are not kept): *out
 * is the block, or NULL when `s` is NULL or already taken (the caller then
 * allocates its own). CTUNE_ENOMEM when the block cannot grow (the old one
 * is freed). */
ctune_status ctune__scratch_take(ctune__scratch *s, size_t bytes, void **out);
/* Gives back the block taken from `s` (NULL: nothing). */
void ctune__scratch_give(ctune__scratch *s);
/* Frees the block; `s` is zeroed and may be used again. */
void ctune__scratch_free(ctune__scratch *s);

#define CTUNE_NEW_ARRAY(type, count) ((type *)ctune__malloc_array((count), sizeof(type)))
#define CTUNE_NEW_MATRIX(type, rows, cols) \
    ((type *)ctune__malloc_matrix((rows), (cols), sizeof(type)))

#endif
