/* The machine's core count. */
#include "core/ncores.h"

#include <unistd.h>

int ctune__n_cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n >= 1 && n < 65536 ? (int)n : 1;
}
