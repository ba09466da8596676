/* Links libctune_mpi through CMake's ctune::ctune_mpi target; needs no
 * mpirun to run (it only asks whether it was launched by one). */
#include <stdio.h>

#include <ctune_mpi.h>

int main(void)
{
    printf("ctune %s, launched by MPI: %d\n", ctune_version_string(), ctune_mpi_launched());
    return 0;
}
