/* The public functions of ctune_mpi.h: set up a private communicator, run
 * a search or cross_validate on the MPI executor, report failures to the
 * other ranks. */
#include <math.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctune_mpi.h"
#include "mpi_exec.h"

static int we_initialized;
static atomic_llong g_session; /* the last session number used by this process */

static ctune_status need_mpi(void)
{
    int init = 0, fin = 0;
    MPI_Initialized(&init);
    MPI_Finalized(&fin);
    if (!init || fin)
        return ctune_set_error(CTUNE_ESTATE,
                               "mpi: MPI is %s: call MPI_Init_thread (or "
                               "ctune_mpi_init) first",
                               fin ? "finalized" : "not initialized");
    return CTUNE_OK;
}

ctune_status ctune_mpi_init(int *argc, char ***argv, int *provided)
{
    int init = 0, fin = 0, prov = MPI_THREAD_SINGLE;
    MPI_Finalized(&fin);
    if (fin)
        return ctune_set_error(CTUNE_ESTATE, "mpi: MPI is finalized and cannot be initialized "
                                             "again");
    MPI_Initialized(&init);
    if (init) {
        MPI_Query_thread(&prov);
    } else {
        int rc = MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &prov);
        if (rc != MPI_SUCCESS)
            return ctune__mpi_error(rc, "MPI_Init_thread");
        we_initialized = 1;
    }
    if (provided)
        *provided = prov;
    if (prov < MPI_THREAD_FUNNELED)
        return ctune_set_error(CTUNE_EUNSUPPORTED,
                               "mpi: MPI provides thread level %d, ctune "
                               "needs at least MPI_THREAD_FUNNELED (%d)",
                               prov, MPI_THREAD_FUNNELED);
    return CTUNE_OK;
}

int ctune_mpi_launched(void)
{
    static const char *const VARS[] = {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE",
                                       "MPI_LOCALNRANKS"};
    for (size_t i = 0; i < sizeof VARS / sizeof VARS[0]; i++)
        if (getenv(VARS[i]))
            return 1;
    return 0;
}

ctune_status ctune_mpi_finalize(void)
{
    int fin = 0;
    MPI_Finalized(&fin);
    if (!we_initialized || fin)
        return CTUNE_OK;
    we_initialized = 0;
    ctune__mpi_graveyard_sweep(1);
    int rc = MPI_Finalize();
    return rc == MPI_SUCCESS ? CTUNE_OK : ctune__mpi_error(rc, "MPI_Finalize");
}

static ctune_status comm_query(int *out, MPI_Comm comm, int size)
{
    if (!out)
        return ctune_set_error(CTUNE_EINVAL, "ctune_mpi_%s: out is NULL", size ? "size" : "rank");
    *out = size ? 0 : -1;
    if (need_mpi() != CTUNE_OK)
        return CTUNE_ESTATE;
    if (comm == MPI_COMM_NULL)
        return ctune_set_error(CTUNE_EINVAL, "mpi: the communicator is MPI_COMM_NULL");
    /* the caller's error handler applies; with MPI_ERRORS_RETURN we report */
    int rc = size ? MPI_Comm_size(comm, out) : MPI_Comm_rank(comm, out);
    return rc == MPI_SUCCESS ? CTUNE_OK
                             : ctune__mpi_error(rc, size ? "MPI_Comm_size" : "MPI_Comm_rank");
}

ctune_status ctune_mpi_rank(int *out, MPI_Comm comm) { return comm_query(out, comm, 0); }
ctune_status ctune_mpi_size(int *out, MPI_Comm comm) { return comm_query(out, comm, 1); }

MPI_Fint ctune_mpi_comm_world_f(void) { return MPI_Comm_c2f(MPI_COMM_WORLD); }

ctune_status ctune_mpi_rank_f(int *out, MPI_Fint comm)
{
    if (need_mpi() != CTUNE_OK)
        return CTUNE_ESTATE;
    return comm_query(out, MPI_Comm_f2c(comm), 0);
}

ctune_status ctune_mpi_size_f(int *out, MPI_Fint comm)
{
    if (need_mpi() != CTUNE_OK)
        return CTUNE_ESTATE;
    return comm_query(out, MPI_Comm_f2c(comm), 1);
}

ctune_status ctune_mpi_abort(MPI_Comm comm, int errorcode)
{
    if (need_mpi() != CTUNE_OK)
        return CTUNE_ESTATE;
    MPI_Abort(comm, errorcode);
    return ctune_set_error(CTUNE_EIO, "ctune_mpi_abort: MPI_Abort returned");
}

ctune_status ctune_mpi_abort_f(MPI_Fint comm, int errorcode)
{
    if (need_mpi() != CTUNE_OK)
        return CTUNE_ESTATE;
    return ctune_mpi_abort(MPI_Comm_f2c(comm), errorcode);
}

/* ---- options ---------------------------------------------------------------------------- */

typedef struct {
    double timeout;
    double start_timeout;
    int refit_all;
} mpi_opts;

static const ctune_param_spec MPI_OPTIONS[] = {
    {"timeout", CTUNE_TYPE_DOUBLE, "60", "[0, inf)", NULL,
     "seconds without a message from a peer before the call fails (0 = no limit)"},
    {"start_timeout", CTUNE_TYPE_DOUBLE, "0", "[0, inf)", NULL,
     "seconds to wait for every rank to enter the call (0 = no limit)"},
    {"refit", CTUNE_TYPE_STRING, "root", NULL, "root|all", "which ranks refit the best"},
    {NULL, 0, NULL, NULL, NULL, NULL},
};

/* Checked by libctune's options parser against MPI_OPTIONS. */
static ctune_status parse_opts(mpi_opts *o, const char *text, const char *who)
{
    o->timeout = 60;
    o->start_timeout = 0;
    o->refit_all = 0;
    if (!text || !*text)
        return CTUNE_OK;
    char owner[128];
    snprintf(owner, sizeof owner, "%s: mpi_options", who);
    ctune_params *p;
    ctune_status rc = ctune_params_parse_spec(&p, text, MPI_OPTIONS, owner);
    if (rc != CTUNE_OK)
        return rc;
    for (size_t i = 0; i < ctune_params_count(p) && rc == CTUNE_OK; i++) {
        const char *key = ctune_params_name(p, i);
        if (strcmp(key, "timeout") == 0) {
            rc = ctune_params_get_double(&o->timeout, p, key);
        } else if (strcmp(key, "start_timeout") == 0) {
            rc = ctune_params_get_double(&o->start_timeout, p, key);
        } else {
            const char *v = "root";
            rc = ctune_params_get_string(&v, p, key);
            o->refit_all = strcmp(v, "all") == 0;
        }
    }
    ctune_params_free(p);
    return rc;
}

/* ---- the private communicator ----------------------------------------------------------- */

#define WAIT_TIMEOUT (-1)

/* Completes a request of the set-up by polling (it needs MPI progress
 * calls), quickly at first, for at most `seconds` since t0 (0 = no limit).
 * Returns MPI_SUCCESS, an MPI error code or WAIT_TIMEOUT. */
static int wait_start(MPI_Request *req, double t0, double seconds)
{
    for (;;) {
        int flag = 0;
        int rc = MPI_Test(req, &flag, MPI_STATUS_IGNORE);
        if (rc != MPI_SUCCESS || flag)
            return rc;
        double waited = MPI_Wtime() - t0;
        if (seconds > 0 && waited > seconds)
            return WAIT_TIMEOUT;
        struct timespec ts = {0, waited < 0.05 ? 20000L : 1000000L};
        nanosleep(&ts, NULL);
    }
}

/* The private duplicate of a caller's communicator is made once and cached
 * on it as an MPI attribute (freed with it; MPI_COMM_SELF's at
 * MPI_Finalize). A fresh duplicate per call could reuse the context of a
 * freed one while messages of a failed call are still in flight, and Open
 * MPI would then match them on the new communicator. On the cached one they
 * arrive in order and are dropped by their session number. */
static int g_keyval = MPI_KEYVAL_INVALID;

static int inner_delete(MPI_Comm comm, int keyval, void *value, void *extra)
{
    (void)comm, (void)keyval, (void)extra;
    MPI_Comm inner = MPI_Comm_f2c((MPI_Fint)(intptr_t)value);
    if (inner != MPI_COMM_NULL)
        MPI_Comm_free(&inner);
    return MPI_SUCCESS;
}

/* Duplicates `comm` without blocking past `seconds` (0 = no limit): every
 * rank must arrive. */
static ctune_status open_comm(ctune__mpi *m, MPI_Comm comm, const mpi_opts *o, const char *who)
{
    memset(m, 0, sizeof *m);
    m->comm = MPI_COMM_NULL;
    CTUNE_MPI_TRY(need_mpi());
    if (comm == MPI_COMM_NULL)
        return ctune_set_error(CTUNE_EINVAL, "%s: the communicator is MPI_COMM_NULL", who);
    int inter = 0;
    int rc = MPI_Comm_test_inter(comm, &inter);
    if (rc != MPI_SUCCESS)
        return ctune__mpi_error(rc, "MPI_Comm_test_inter");
    if (inter)
        return ctune_set_error(CTUNE_EINVAL, "%s: an intercommunicator is not supported", who);
    ctune__mpi_graveyard_sweep(0);
    if (g_keyval == MPI_KEYVAL_INVALID) {
        rc = MPI_Comm_create_keyval(MPI_COMM_NULL_COPY_FN, inner_delete, &g_keyval, NULL);
        if (rc != MPI_SUCCESS)
            return ctune__mpi_error(rc, "MPI_Comm_create_keyval");
    }
    void *cached = NULL;
    int found = 0;
    rc = MPI_Comm_get_attr(comm, g_keyval, &cached, &found);
    if (rc != MPI_SUCCESS)
        return ctune__mpi_error(rc, "MPI_Comm_get_attr");
    MPI_Request req;
    double t0 = MPI_Wtime();
    if (found) {
        m->comm = MPI_Comm_f2c((MPI_Fint)(intptr_t)cached);
    } else {
        MPI_Comm dup;
        rc = MPI_Comm_idup(comm, &dup, &req);
        if (rc != MPI_SUCCESS)
            return ctune__mpi_error(rc, "MPI_Comm_idup");
        if ((rc = wait_start(&req, t0, o->start_timeout)) != MPI_SUCCESS) {
            if (rc == WAIT_TIMEOUT) /* the pending duplication cannot be cancelled */
                return ctune_set_error(CTUNE_EIO,
                                       "%s: not every rank called it within %g s "
                                       "(start_timeout): a rank died, hangs or runs something "
                                       "else",
                                       who, o->start_timeout);
            return ctune__mpi_error(rc, "MPI_Comm_idup");
        }
        MPI_Comm_set_errhandler(dup, MPI_ERRORS_RETURN);
        rc = MPI_Comm_set_attr(comm, g_keyval, (void *)(intptr_t)MPI_Comm_c2f(dup));
        if (rc != MPI_SUCCESS) {
            MPI_Comm_free(&dup);
            return ctune__mpi_error(rc, "MPI_Comm_set_attr");
        }
        m->comm = dup;
    }
    MPI_Comm_rank(m->comm, &m->rank);
    MPI_Comm_size(m->comm, &m->size);
    /* a session number no rank has used yet on any communicator */
    int64_t mine = atomic_load(&g_session) + 1, agreed = 0;
    rc = MPI_Iallreduce(&mine, &agreed, 1, MPI_INT64_T, MPI_MAX, m->comm, &req);
    if (rc == MPI_SUCCESS)
        rc = wait_start(&req, t0, o->start_timeout);
    if (rc != MPI_SUCCESS) {
        m->comm = MPI_COMM_NULL; /* the cached duplicate stays with `comm` */
        if (rc == WAIT_TIMEOUT)
            return ctune_set_error(CTUNE_EIO,
                                   "%s: not every rank called it within %g s "
                                   "(start_timeout)",
                                   who, o->start_timeout);
        return ctune__mpi_error(rc, "MPI_Iallreduce");
    }
    atomic_store(&g_session, agreed);
    m->session = agreed;
    m->timeout = o->timeout;
    m->refit_all = o->refit_all;
    return CTUNE_OK;
}

/* After the call: tells the others when this rank failed before its tasks,
 * keeps the call's status and message. */
static ctune_status close_comm(ctune__mpi *m, ctune_status rc)
{
    char msg[1024];
    snprintf(msg, sizeof msg, "%s", ctune_last_error());
    if (rc != CTUNE_OK && !m->entered && m->size > 1)
        ctune__mpi_notify_early_failure(m, rc, msg);
    if (rc != CTUNE_OK)
        ctune_set_error_str(rc, msg);
    return rc;
}

/* ---- search and cross_validate ---------------------------------------------------------- */

ctune_status ctune_mpi_search_fit(ctune_search *search, const ctune_data *data, MPI_Comm comm,
                                  const char *mpi_options)
{
    static const char who[] = "ctune_mpi_search_fit";
    if (!search)
        return ctune_set_error(CTUNE_EINVAL, "%s: search is NULL", who);
    if (!data)
        return ctune_set_error(CTUNE_EINVAL, "%s: data is NULL", who);
    mpi_opts o;
    CTUNE_MPI_TRY(parse_opts(&o, mpi_options, who));
    ctune__mpi m;
    CTUNE_MPI_TRY(open_comm(&m, comm, &o, who));
    ctune_status rc = ctune_search_set_executor(search, &ctune__mpi_vtable, &m);
    if (rc == CTUNE_OK)
        rc = ctune_search_fit(search, data);
    char msg[1024];
    snprintf(msg, sizeof msg, "%s", ctune_last_error());
    ctune_search_set_executor(search, NULL, NULL);
    if (rc != CTUNE_OK)
        ctune_set_error_str(rc, msg);
    return close_comm(&m, rc);
}

ctune_status ctune_mpi_search_fit_f(ctune_search *search, const ctune_data *data, MPI_Fint comm,
                                    const char *mpi_options)
{
    CTUNE_MPI_TRY(need_mpi());
    return ctune_mpi_search_fit(search, data, MPI_Comm_f2c(comm), mpi_options);
}

ctune_status ctune_mpi_cross_validate(ctune_cv_results **out, const ctune_estimator *est,
                                      const ctune_data *data, const ctune_splitter *splitter,
                                      int cv, const char *options, MPI_Comm comm,
                                      const char *mpi_options)
{
    static const char who[] = "ctune_mpi_cross_validate";
    if (!out)
        return ctune_set_error(CTUNE_EINVAL, "%s: out is NULL", who);
    *out = NULL;
    if (!est)
        return ctune_set_error(CTUNE_EINVAL, "%s: estimator is NULL", who);
    if (!data)
        return ctune_set_error(CTUNE_EINVAL, "%s: data is NULL", who);
    mpi_opts o;
    CTUNE_MPI_TRY(parse_opts(&o, mpi_options, who));
    ctune__mpi m;
    CTUNE_MPI_TRY(open_comm(&m, comm, &o, who));
    ctune_status rc = ctune_cross_validate_executor(out, est, data, splitter, cv, options,
                                                    &ctune__mpi_vtable, &m);
    return close_comm(&m, rc);
}

ctune_status ctune_mpi_cross_validate_f(ctune_cv_results **out, const ctune_estimator *est,
                                        const ctune_data *data, const ctune_splitter *splitter,
                                        int cv, const char *options, MPI_Fint comm,
                                        const char *mpi_options)
{
    CTUNE_MPI_TRY(need_mpi());
    return ctune_mpi_cross_validate(out, est, data, splitter, cv, options, MPI_Comm_f2c(comm),
                                    mpi_options);
}
