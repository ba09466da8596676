/* Name tables shared by the NN engine's modules. */
#ifndef CTUNE_NN_NAMES_H
#define CTUNE_NN_NAMES_H

#include <stddef.h>

/* Canonical name and alias (may be NULL) of an id in a table. */
typedef struct ctune__name {
    const char *name;
    const char *alias;
    int id;
} ctune__name;

/* id of `name` in the table (n entries), case-insensitive, or -1. */
int ctune__name_find(const ctune__name *t, size_t n, const char *name);
/* "a, b, c" of the canonical names into buf (truncated to cap). */
void ctune__name_list(const ctune__name *t, size_t n, char *buf, size_t cap);

#endif
