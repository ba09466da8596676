/* The machine's core count, which sizes thread budgets ("all cores"). */
#ifndef CTUNE_CORE_NCORES_H
#define CTUNE_CORE_NCORES_H

/* Number of online cores (>= 1). */
int ctune__n_cores(void);

#endif
