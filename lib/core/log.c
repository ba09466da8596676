#include "core/log.h"

#include "core/cnum.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static ctune_log_fn g_fn;
static void *g_user;

void ctune_set_log_callback(ctune_log_fn fn, void *user)
{
    pthread_mutex_lock(&g_lock);
    g_fn = fn;
    g_user = user;
    pthread_mutex_unlock(&g_lock);
}

int ctune__log_enabled(void)
{
    pthread_mutex_lock(&g_lock);
    int on = g_fn != NULL;
    pthread_mutex_unlock(&g_lock);
    return on;
}

void ctune__log(int level, const char *fmt, ...)
{
    pthread_mutex_lock(&g_lock);
    ctune_log_fn fn = g_fn;
    void *user = g_user;
    pthread_mutex_unlock(&g_lock);
    if (!fn)
        return;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    ctune__vsnprintf_c(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fn(level, msg, user);
}
