/* The one way ctune writes a file: to a temporary file next to the
 * destination, then renamed over it (results tables, model files, the
 * CLI's predictions). */
#ifndef CTUNE_IO_ATOMIC_H
#define CTUNE_IO_ATOMIC_H

#include <stddef.h>

#include "ctune.h"

/* Replaces `path` with `len` bytes of `data`, atomically: a reader (or a
 * crash, a kill, a full disk, a file-size limit) sees either the old file
 * whole or the new one whole, never a truncated mix.
 *
 *  1. The destination is resolved: a symbolic link is followed (every
 *     level, dangling or not) and its final target is what gets replaced;
 *     the link itself stays. An existing destination that is not a regular
 *     file (device, FIFO, directory, socket) is refused with CTUNE_EIO and
 *     left alone.
 *  2. A temporary file ".<name>.<random>.tmp" is created with O_EXCL in the
 *     target's directory, with the target's permission bits when it exists
 *     (else 0666 less the umask), written whole and fsync'ed.
 *  3. It is renamed over the target and the directory is fsync'ed.
 *
 * On any failure only the temporary file is removed; the destination is
 * never truncated or deleted. Errors: CTUNE_EINVAL (NULL/empty path),
 * CTUNE_EIO with the path and the system's reason. */
ctune_status ctune__atomic_write(const char *path, const void *data, size_t len);

#endif
