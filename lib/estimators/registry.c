/* Registry of the built-in estimator vtables: ctune_estimator_load() looks a
 * saved model's estimator name up here when the caller passes no vtable.
 *
 * To register an estimator, declare its vtable below and add one line to
 * BUILTINS, e.g.
 *     extern const ctune_estimator_vtable ctune__dummy_classifier_vtable;
 *     ...
 *     &ctune__dummy_classifier_vtable,
 */
#include "estimators/registry.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* ---- declarations of the built-in vtables ---- */

/* One line per built-in vtable; the NULL ends the table. */
static const ctune_estimator_vtable *BUILTINS[16];
static pthread_once_t g_once = PTHREAD_ONCE_INIT;

static void init_builtins(void)
{
    size_t n = 0;
    BUILTINS[n++] = ctune_dummy_classifier_vtable();
    BUILTINS[n++] = ctune_dummy_regressor_vtable();
    BUILTINS[n] = NULL;
}

size_t ctune__builtin_count(void)
{
    pthread_once(&g_once, init_builtins);
    size_t n = 0;
    while (BUILTINS[n])
        n++;
    return n;
}

const ctune_estimator_vtable *ctune__builtin_at(size_t i)
{
    return i < ctune__builtin_count() ? BUILTINS[i] : NULL;
}

const ctune_estimator_vtable *ctune__builtin_vtable(const char *name)
{
    pthread_once(&g_once, init_builtins);
    if (!name)
        return NULL;
    for (size_t i = 0; BUILTINS[i]; i++)
        if (!strcmp(BUILTINS[i]->name, name))
            return BUILTINS[i];
    return NULL;
}

void ctune__builtin_names(char *buf, size_t cap)
{
    pthread_once(&g_once, init_builtins);
    size_t len = 0;
    if (cap == 0)
        return;
    buf[0] = '\0';
    for (size_t i = 0; BUILTINS[i]; i++) {
        int n = snprintf(buf + len, cap - len, "%s%s", len ? ", " : "", BUILTINS[i]->name);
        if (n < 0 || (size_t)n >= cap - len)
            break;
        len += (size_t)n;
    }
    if (!buf[0])
        snprintf(buf, cap, "(none)");
}
