#include "nn/names.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

int ctune__name_find(const ctune__name *t, size_t n, const char *name)
{
    if (!name)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(name, t[i].name) == 0 || (t[i].alias && strcasecmp(name, t[i].alias) == 0))
            return t[i].id;
    return -1;
}

void ctune__name_list(const ctune__name *t, size_t n, char *buf, size_t cap)
{
    size_t len = 0;
    if (cap == 0)
        return;
    buf[0] = '\0';
    for (size_t i = 0; i < n && len < cap; i++) {
        int w = snprintf(buf + len, cap - len, "%s%s", i ? ", " : "", t[i].name);
        if (w < 0)
            break;
        len += (size_t)w;
    }
}
