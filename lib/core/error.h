/* Internal error helpers on top of the public ctune_set_error(). */
#ifndef CTUNE_CORE_ERROR_H
#define CTUNE_CORE_ERROR_H

#include "ctune.h"

/* Returns CTUNE_EINVAL with "<func>: <what> is NULL" when ptr is NULL. */
#define CTUNE_CHECK_NULL(ptr, what)                                                 \
    do {                                                                            \
        if ((ptr) == NULL)                                                          \
            return ctune_set_error(CTUNE_EINVAL, "%s: %s is NULL", __func__, what); \
    } while (0)

/* Propagates a non-OK status. */
#define CTUNE_TRY(expr)                  \
    do {                                 \
        ctune_status ctune__st = (expr); \
        if (ctune__st != CTUNE_OK)       \
            return ctune__st;            \
    } while (0)

/* Prefixes the thread's current message with "prefix: " (keeps the code). */
void ctune__error_prefix(const char *fmt, ...) CTUNE_PRINTF(1, 2);

#endif
