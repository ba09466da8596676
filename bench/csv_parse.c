/* Benchmark: CSV loading speed and memory.
 *
 *   csv_parse [ROWS [COLS [DTYPE [FORMAT [PATH]]]]]
 *             (defaults: 200000 50 float64 short /tmp/ctune_bench.csv)
 *
 * FORMAT "short" writes decimals of 4..7 places ("-12.34567"), which the
 * loader's short-cell path parses; "e18" writes numpy savetxt's default
 * %.18e (19 significant digits), which takes the full parser's
 * Eisel-Lemire step (strtod only for the cases it cannot decide).
 * Writes a numeric CSV (header + ROWS × COLS random decimals + an integer
 * label column), loads it with ctune_csv_load() three times and prints the
 * best throughput in MB/s (input bytes per second of wall time, file in the
 * page cache), plus the growth of the peak resident set during loading next
 * to the size of the arrays the load produced. Single-threaded; one dtype
 * per run so that the peak RSS is that dtype's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "ctune.h"
#define BENCH_GEMM_INFO
#include "bench_info.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* CPU time of this process: on a shared machine the wall time also counts
 * the time other processes held the core. */
static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static long peak_rss_kib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static size_t write_csv(const char *path, size_t rows, size_t cols, int e18, unsigned seed)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        exit(1);
    }
    static char buf[1 << 16];
    setvbuf(f, buf, _IOFBF, sizeof buf);
    ctune_rng *rng;
    if (ctune_rng_new(&rng, seed, 0) != CTUNE_OK)
        exit(1);
    for (size_t j = 0; j < cols; j++)
        fprintf(f, "feature_%zu,", j);
    fprintf(f, "label\n");
    for (size_t i = 0; i < rows; i++) {
        for (size_t j = 0; j < cols; j++) {
            double v = (ctune_rng_uniform(rng) - 0.3) * 200.0;
            if (e18)
                fprintf(f, "%.18e,", v);
            else
                fprintf(f, "%.*f,", 4 + (int)((i + j) % 4), v);
        }
        fprintf(f, "%d\n", (int)ctune_rng_below(rng, 3));
    }
    long size = ftell(f);
    if (fclose(f) != 0 || size < 0) {
        perror(path);
        exit(1);
    }
    ctune_rng_free(rng);
    return (size_t)size;
}

int main(int argc, char **argv)
{
    size_t rows = argc > 1 ? strtoul(argv[1], NULL, 10) : 200000;
    size_t cols = argc > 2 ? strtoul(argv[2], NULL, 10) : 50;
    const char *dtype = argc > 3 ? argv[3] : "float64";
    const char *format = argc > 4 ? argv[4] : "short";
    const char *path = argc > 5 ? argv[5] : "/tmp/ctune_bench.csv";
    int e18 = !strcmp(format, "e18");
    if (rows == 0 || cols == 0 || (!e18 && strcmp(format, "short"))) {
        fprintf(stderr, "usage: csv_parse [ROWS [COLS [float64|float32 [short|e18 [PATH]]]]]\n");
        return 2;
    }
    bench_print_info("csv_parse", "1");
    char options[64];
    snprintf(options, sizeof options, "dtype=%s", dtype);
    printf("writing %s: %zu rows x %zu features + label, %s numbers ...\n", path, rows, cols,
           format);
    size_t bytes = write_csv(path, rows, cols, e18, 42);
    printf("file size: %.1f MB\n", (double)bytes / 1e6);

    /* The peak RSS of one process: only this dtype's loads after this. */
    long rss0 = peak_rss_kib();
    double best = 1e30, best_cpu = 1e30;
    size_t array_bytes = 0;
    for (int rep = 0; rep < 3; rep++) {
        ctune_data *d;
        double t0 = now(), c0 = cpu_now();
        ctune_status rc = ctune_csv_load(&d, path, options);
        double dt = now() - t0, dc = cpu_now() - c0;
        if (dc < best_cpu)
            best_cpu = dc;
        if (rc != CTUNE_OK) {
            fprintf(stderr, "load failed: %s\n", ctune_last_error());
            return 1;
        }
        if (dt < best)
            best = dt;
        size_t es = ctune_data_dtype(d) == CTUNE_FLOAT32 ? 4 : 8;
        array_bytes = ctune_data_n_rows(d) * ctune_data_n_cols(d) * es +
                      ctune_data_n_rows(d) * ctune_data_n_targets(d) * 8;
        if (ctune_data_n_rows(d) != rows || ctune_data_n_cols(d) != cols) {
            fprintf(stderr, "wrong shape %zu x %zu\n", ctune_data_n_rows(d), ctune_data_n_cols(d));
            return 1;
        }
        ctune_data_free(d);
    }
    long rss1 = peak_rss_kib();
    printf("%s: best of 3 %.3f s, %.0f MB/s (CPU time %.3f s, %.0f MB/s); peak RSS grew by "
           "%.1f MiB during the loads for %.1f MiB of output arrays\n",
           options, best, (double)bytes / 1e6 / best, best_cpu, (double)bytes / 1e6 / best_cpu,
           (double)(rss1 - rss0) / 1024.0, (double)array_bytes / (1024.0 * 1024.0));
    remove(path);
    return 0;
}
