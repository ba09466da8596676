/* ctune_mpi.h compiles alone as C99 -pedantic and as C++ (and links). */
#include "ctune_mpi.h"

int main(void)
{
    int rank = 0;
    (void)rank;
    return ctune_mpi_launched() < 0 ? 1 : 0;
}
