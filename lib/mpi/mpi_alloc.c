/* libctune_mpi's allocator and MPI error messages. */
#include "mpi_exec.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

/* ---- allocation ----------------------------------------------------------------- */

static atomic_long live_blocks;

void *ctune__mpi_alloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        ctune_set_error(CTUNE_ENOMEM, "out of memory (allocating %zu bytes in libctune_mpi)", n);
        return NULL;
    }
    atomic_fetch_add(&live_blocks, 1);
    return p;
}

void *ctune__mpi_calloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) {
        ctune_set_error(CTUNE_ENOMEM,
                        "out of memory (allocating %zu × %zu bytes in "
                        "libctune_mpi)",
                        n, size);
        return NULL;
    }
    atomic_fetch_add(&live_blocks, 1);
    return p;
}

void ctune__mpi_free(void *p)
{
    if (!p)
        return;
    atomic_fetch_sub(&live_blocks, 1);
    free(p);
}

long ctune__mpi_alloc_live(void) { return atomic_load(&live_blocks); }

ctune_status ctune__mpi_error(int mpi_rc, const char *what)
{
    char s[MPI_MAX_ERROR_STRING];
    int len = 0;
    if (MPI_Error_string(mpi_rc, s, &len) != MPI_SUCCESS || len <= 0)
        snprintf(s, sizeof s, "MPI error %d", mpi_rc);
    else
        s[len < MPI_MAX_ERROR_STRING ? len : MPI_MAX_ERROR_STRING - 1] = '\0';
    return ctune_set_error(CTUNE_EIO, "mpi: %s failed: %s", what, s);
}

void ctune__mpi_forget(void) { atomic_fetch_sub(&live_blocks, 1); }
