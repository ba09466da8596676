#include "core/error.h"

#include "core/cnum.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define MSG_CAP 1024

static _Thread_local char t_msg[MSG_CAP];
static _Thread_local ctune_status t_code;

const char *ctune_status_string(ctune_status code)
{
    switch (code) {
    case CTUNE_OK: return "ok";
    case CTUNE_EINVAL: return "invalid argument";
    case CTUNE_EDATA: return "invalid data";
    case CTUNE_ESTATE: return "wrong state";
    case CTUNE_ENOMEM: return "out of memory";
    case CTUNE_EIO: return "I/O error";
    case CTUNE_EFORMAT: return "format error";
    case CTUNE_ENUMERIC: return "numeric failure";
    case CTUNE_EUSER: return "user callback failed";
    case CTUNE_ECANCELLED: return "cancelled";
    case CTUNE_EUNSUPPORTED: return "not supported";
    case CTUNE_EINTERNAL: return "internal error";
    case CTUNE_EALLFAILED: return "all fits failed";
    default: return "unknown status";
    }
}

const char *ctune_last_error(void) { return t_msg; }
ctune_status ctune_last_error_code(void) { return t_code; }

void ctune_clear_error(void)
{
    t_msg[0] = '\0';
    t_code = CTUNE_OK;
}

ctune_status ctune_set_error(ctune_status code, const char *fmt, ...)
{
    char tmp[MSG_CAP];
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        ctune__vsnprintf_c(tmp, sizeof tmp, fmt, ap);
        va_end(ap);
    } else {
        snprintf(tmp, sizeof tmp, "%s", ctune_status_string(code));
    }
    /* tmp first: the arguments may point into t_msg itself. */
    memcpy(t_msg, tmp, sizeof tmp);
    t_code = code;
    return code;
}

ctune_status ctune_set_error_str(ctune_status code, const char *message)
{
    return ctune_set_error(code, "%s", message ? message : ctune_status_string(code));
}

void ctune__error_prefix(const char *fmt, ...)
{
    char prefix[MSG_CAP], tmp[MSG_CAP];
    va_list ap;
    va_start(ap, fmt);
    ctune__vsnprintf_c(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    /* Build "prefix: message" by hand: truncation is intended. */
    size_t a = strlen(prefix);
    size_t b = strlen(t_msg);
    if (a > MSG_CAP - 3)
        a = MSG_CAP - 3;
    memcpy(tmp, prefix, a);
    tmp[a] = ':';
    tmp[a + 1] = ' ';
    if (b > MSG_CAP - 3 - a)
        b = MSG_CAP - 3 - a;
    memcpy(tmp + a + 2, t_msg, b);
    tmp[a + 2 + b] = '\0';
    memcpy(t_msg, tmp, sizeof tmp);
}
