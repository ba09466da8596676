/* The header every benchmark prints first, so that a figure always comes
 * with what produced it: ctune's version, the CPU model, the GEMM back-end
 * (BLIS version and the kernel set it runs, asked of the NN engine's GEMM
 * module, the one file that sees BLIS), the thread count the program uses
 * and the date (UTC). Benchmarks only: static functions in a header.
 *
 * A program that links the internal library (ctune_internal_dep) defines
 * BENCH_GEMM_INFO before including this file; one that links only public
 * libraries (mpi_search, through libctune_mpi) prints where the GEMM line
 * can be had instead. */
#ifndef CTUNE_BENCH_INFO_H
#define CTUNE_BENCH_INFO_H

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ctune.h"

#ifdef BENCH_GEMM_INFO
#include "nn/gemm.h"
#endif

/* "model name" of the first processor in /proc/cpuinfo, or "unknown". */
static void bench_cpu_model(char *buf, size_t cap)
{
    snprintf(buf, cap, "unknown");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f)
        return;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "model name", 10) == 0) {
            const char *v = strchr(line, ':');
            if (v) {
                v++;
                while (*v == ' ' || *v == '\t')
                    v++;
                snprintf(buf, cap, "%s", v);
                buf[strcspn(buf, "\n")] = '\0';
            }
            break;
        }
    }
    fclose(f);
}

/* Prints the header lines ("# ..."); `threads` is what the program uses
 * ("1", "1 and 2", ...). */
static void bench_print_info(const char *program, const char *threads)
{
    char cpu[256], date[64];
    bench_cpu_model(cpu, sizeof cpu);
    time_t now = time(NULL);
    struct tm tm;
    if (gmtime_r(&now, &tm))
        strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S UTC", &tm);
    else
        snprintf(date, sizeof date, "unknown");
    printf("# %s — ctune %s, %s\n", program, ctune_version_string(), date);
    printf("# CPU: %s\n", cpu);
#ifdef BENCH_GEMM_INFO
    printf("# GEMM: %s\n", ctune__sgemm_info());
#else
    printf("# GEMM: inside libctune (build/bench/nn_throughput prints its BLIS kernel set)\n");
#endif
    printf("# threads: %s\n", threads);
    fflush(stdout);
}

#endif
