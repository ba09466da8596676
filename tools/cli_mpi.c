/* libctune_mpi loaded at run time (see cli_mpi.h).
 *
 * The CLI calls the `_f` (Fortran-handle) entry points, so it needs neither
 * MPI's headers nor its libraries at build or link time: only the soname of
 * libctune_mpi, found through the executable's run path (the build tree's
 * library directory, or the installed libdir) or the loader's usual search. */
#include "cli_mpi.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#ifndef CTUNE_MPI_SONAME
#error "CTUNE_MPI_SONAME (e.g. libctune_mpi.so.0) must be defined by the build"
#endif

/* MPI_Fint is a C int in Open MPI and MPICH (the ABI ctune_mpi.h exports). */
typedef int cli_fint;

static struct {
    void *lib;
    int started;
    cli_fint world;
    ctune_status (*init)(int *, char ***, int *);
    ctune_status (*finalize)(void);
    cli_fint (*comm_world_f)(void);
    ctune_status (*rank_f)(int *, cli_fint);
    ctune_status (*size_f)(int *, cli_fint);
    ctune_status (*search_fit_f)(ctune_search *, const ctune_data *, cli_fint, const char *);
    ctune_status (*cross_validate_f)(ctune_cv_results **, const ctune_estimator *,
                                     const ctune_data *, const ctune_splitter *, int, const char *,
                                     cli_fint, const char *);
    ctune_status (*abort_f)(cli_fint, int);
} g_mpi;

int cli_mpi_launched(void)
{
    /* The variables ctune_mpi_launched() checks: Open MPI, PMIx, PMI-1/2
     * (MPICH's Hydra, Slurm's srun) and Intel MPI. */
    static const char *const VARS[] = {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE",
                                       "MPI_LOCALNRANKS"};
    for (size_t i = 0; i < sizeof VARS / sizeof VARS[0]; i++)
        if (getenv(VARS[i]))
            return 1;
    return 0;
}

/* dlsym into a function pointer without the object/function pointer cast
 * that ISO C leaves undefined (POSIX guarantees the representation). */
static int sym(void *dst, size_t size, const char *name)
{
    void *p = dlsym(g_mpi.lib, name);
    if (!p) {
        fprintf(stderr, "ctune: %s: %s\n", CTUNE_MPI_SONAME, dlerror());
        return 0;
    }
    memcpy(dst, &p, size);
    return 1;
}

#define SYM(field, name) sym(&g_mpi.field, sizeof g_mpi.field, name)

int cli_mpi_start(int *argc, char ***argv, int *rank, int *ranks)
{
    /* RTLD_GLOBAL: Open MPI loads its own plug-ins, which expect libmpi's
     * symbols in the global scope. */
    g_mpi.lib = dlopen(CTUNE_MPI_SONAME, RTLD_NOW | RTLD_GLOBAL);
    if (!g_mpi.lib) {
        fprintf(stderr, "ctune: started by an MPI launcher, but %s cannot be loaded: %s\n",
                CTUNE_MPI_SONAME, dlerror());
        return CLI_ERROR;
    }
    if (!SYM(init, "ctune_mpi_init") || !SYM(finalize, "ctune_mpi_finalize") ||
        !SYM(comm_world_f, "ctune_mpi_comm_world_f") || !SYM(rank_f, "ctune_mpi_rank_f") ||
        !SYM(size_f, "ctune_mpi_size_f") || !SYM(search_fit_f, "ctune_mpi_search_fit_f") ||
        !SYM(cross_validate_f, "ctune_mpi_cross_validate_f") || !SYM(abort_f, "ctune_mpi_abort_f"))
        return CLI_ERROR;
    if (g_mpi.init(argc, argv, NULL) != CTUNE_OK)
        return cli_fail("MPI");
    g_mpi.started = 1;
    g_mpi.world = g_mpi.comm_world_f();
    if (g_mpi.rank_f(rank, g_mpi.world) != CTUNE_OK || g_mpi.size_f(ranks, g_mpi.world) != CTUNE_OK)
        return cli_fail("MPI");
    return CLI_OK;
}

void cli_mpi_stop(void)
{
    if (g_mpi.started)
        g_mpi.finalize();
    g_mpi.started = 0;
    /* the library stays loaded: Open MPI does not support being unloaded */
}

ctune_status cli_mpi_search_fit(ctune_search *s, const ctune_data *data)
{
    return g_mpi.search_fit_f(s, data, g_mpi.world, NULL);
}

ctune_status cli_mpi_cross_validate(ctune_cv_results **out, const ctune_estimator *est,
                                    const ctune_data *data, const ctune_splitter *splitter, int cv,
                                    const char *options)
{
    return g_mpi.cross_validate_f(out, est, data, splitter, cv, options, g_mpi.world, NULL);
}

void cli_mpi_abort(int code)
{
    if (g_mpi.started)
        g_mpi.abort_f(g_mpi.world, code);
}
