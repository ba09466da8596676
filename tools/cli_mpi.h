/* The command line under an MPI launcher: libctune_mpi, loaded at run time.
 *
 * Plain runs never load Open MPI: only when the environment shows an MPI
 * launcher (mpirun / mpiexec / srun) does the CLI dlopen() libctune_mpi,
 * which brings MPI with it. */
#ifndef CTUNE_CLI_MPI_H
#define CTUNE_CLI_MPI_H

#include "ctune.h"

/* 1 when an MPI launcher started this process (its environment variables). */
int cli_mpi_launched(void);

/* Loads libctune_mpi and initializes MPI; sets *rank and *ranks. Returns
 * CLI_OK, or CLI_ERROR after printing why (library missing, MPI failed). */
int cli_mpi_start(int *argc, char ***argv, int *rank, int *ranks);

/* Finalizes MPI when cli_mpi_start() started it (no-op otherwise). */
void cli_mpi_stop(void);

/* ctune_mpi_search_fit() / ctune_mpi_cross_validate() on MPI_COMM_WORLD;
 * only after cli_mpi_start() succeeded. */
ctune_status cli_mpi_search_fit(ctune_search *s, const ctune_data *data);
ctune_status cli_mpi_cross_validate(ctune_cv_results **out, const ctune_estimator *est,
                                    const ctune_data *data, const ctune_splitter *splitter, int cv,
                                    const char *options);

/* Ends the whole MPI job with `code` (a rank is gone). */
void cli_mpi_abort(int code);

#endif
