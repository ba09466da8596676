/* Internal log lines, delivered to the user's callback (if any). */
#ifndef CTUNE_CORE_LOG_H
#define CTUNE_CORE_LOG_H

#include "ctune.h"

/* 1 when a callback is set (lets callers skip formatting). */
int ctune__log_enabled(void);
void ctune__log(int level, const char *fmt, ...) CTUNE_PRINTF(2, 3);

#endif
