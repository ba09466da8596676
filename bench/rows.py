#!/usr/bin/python3
"""Scaling with the data: the same search at 10k, 100k and 1M rows, ctune
against scikit-learn, whole processes timed side by side.

The run: a synthetic 30-feature binary CSV (standard normal X, labels from a
fixed linear teacher plus noise, "%.6f"), StandardScaler + MLP with
nn: 16|32 and learning_rate: 0.001|0.01 (4 candidates) x 3 shuffled
stratified folds, adam, relu, 2 epochs, batch 64, one hidden layer.

Every run is a whole process under /usr/bin/time -v (wall, user + sys, peak
RSS; on a busy machine the CPU time is the steadier figure, both are
printed). The three programs alternate (ctune, scikit-learn as shipped,
scikit-learn with BLIS_ARCH_TYPE=0, then again) so that the drift of a
shared machine hits all three; medians are quoted, and the ratio against
scikit-learn is taken against the faster of its two BLIS kernel sets.

    /usr/bin/python3 bench/rows.py --ctune build/tools/ctune \
        --baselines ../shared/bench [--sizes 10000,100000,1000000] [--reps 3]

Without --baselines only ctune runs. Needs numpy to write the CSVs (once, in
--dir); scikit-learn and pandas for the reference (rows_sklearn.py in
--baselines). The files for 100k and 1M rows are those the reference's
mk_rows.py writes (same generator and seeds).
"""
import argparse
import os
import platform
import re
import statistics
import subprocess
import sys
import time

SPACE = "nn: 16|32; learning_rate: 0.001|0.01"
FIXED = ["epochs=2", "batch_size=64", "optimizer=adam", "nl=1", "activation=relu"]


def write_csv(path, n):
    import numpy as np
    rng = np.random.default_rng(n)
    X = rng.standard_normal((n, 30)).astype(np.float64)
    w = np.random.default_rng(1).standard_normal(30)
    y = ((X @ w + 0.5 * rng.standard_normal(n)) > 0).astype(int)
    with open(path + ".tmp", "w") as f:
        f.write(",".join(f"f{j}" for j in range(30)) + ",label\n")
        np.savetxt(f, np.column_stack([X, y]), fmt=["%.6f"] * 30 + ["%d"], delimiter=",")
    os.rename(path + ".tmp", path)


def timed(cmd, env=None):
    """Runs cmd under /usr/bin/time -v: (wall s, cpu s, peak RSS MiB, stdout)."""
    p = subprocess.run(["/usr/bin/time", "-v", *cmd], capture_output=True, text=True, env=env)
    if p.returncode != 0:
        sys.exit("failed: %s\n%s" % (" ".join(cmd), p.stderr[-2000:]))
    field = {}
    for line in p.stderr.splitlines():
        k, _, v = line.strip().rpartition(": ")
        field[k] = v
    wall_txt = field["Elapsed (wall clock) time (h:mm:ss or m:ss)"]
    wall = 0.0
    for part in wall_txt.split(":"):
        wall = wall * 60 + float(part)
    cpu = float(field["User time (seconds)"]) + float(field["System time (seconds)"])
    rss = float(field["Maximum resident set size (kbytes)"]) / 1024.0
    return wall, cpu, rss, p.stdout


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def reference_blis(env):
    """The BLIS sub-configuration numpy's BLAS picks (BLIS_ARCH_DEBUG=1)."""
    code = "import numpy as np; a = np.ones((64, 64), np.float32); a @ a"
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       env=dict(env, BLIS_ARCH_DEBUG="1"))
    lines = [l.strip() for l in (p.stderr + p.stdout).splitlines() if "libblis" in l]
    return lines[-1] if lines else "(numpy's BLAS printed no BLIS line)"


def med(xs):
    return statistics.median(xs)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ctune", default="build/tools/ctune")
    ap.add_argument("--baselines", help="directory of rows_sklearn.py (the reference)")
    ap.add_argument("--dir", default="/tmp/ctune-rows", help="where the CSVs are kept")
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--reps", type=int, default=3)
    a = ap.parse_args()
    sizes = [int(s) for s in a.sizes.split(",")]
    os.makedirs(a.dir, exist_ok=True)
    for n in sizes:
        path = os.path.join(a.dir, f"syn_{n}.csv")
        if not os.path.exists(path):
            print(f"writing {path} ...", flush=True)
            write_csv(path, n)

    ver = subprocess.run([a.ctune, "--version"], capture_output=True, text=True).stdout.strip()
    print(f"# rows.py — {ver}, {time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}")
    print(f"# CPU: {cpu_model()}, {os.cpu_count()} logical CPUs; threads: 1 (n_jobs=1 both sides)")
    print("# ctune GEMM: see build/bench/nn_throughput (this run's products are small: ctune's "
          "own kernels)")
    base_env = dict(os.environ)
    base_env.pop("BLIS_ARCH_TYPE", None)
    fast_env = dict(base_env, BLIS_ARCH_TYPE="0")
    if a.baselines:
        print(f"# reference BLIS as shipped: {reference_blis(base_env)}")
        print(f"# reference BLIS with BLIS_ARCH_TYPE=0: {reference_blis(fast_env)}")
    print(f"# {a.reps} alternating rounds per size; medians [min..max]", flush=True)

    results = {}
    for n in sizes:
        path = os.path.join(a.dir, f"syn_{n}.csv")
        cmd = [a.ctune, "search", "--data", path, "--space", SPACE, "--n-iter", "4", "--cv", "3",
               "--shuffle", "--seed", "0", "--quiet"]
        for p in FIXED:
            cmd += ["--param", p]
        runs = {"ctune": [], "sklearn": [], "sklearn_arch0": []}
        for _ in range(a.reps):
            runs["ctune"].append(timed(cmd))
            if a.baselines:
                ref = ["/usr/bin/python3", os.path.join(a.baselines, "rows_sklearn.py"), path]
                runs["sklearn"].append(timed(ref, base_env))
                runs["sklearn_arch0"].append(timed(ref, fast_env))
        results[n] = runs
        x_mib = n * 30 * 8 / 2**20
        for name, rs in runs.items():
            if not rs:
                continue
            walls, cpus, rsss = [r[0] for r in rs], [r[1] for r in rs], [r[2] for r in rs]
            extra = ""
            if name == "ctune":
                best = [l for l in rs[0][3].splitlines() if l.startswith("best score")]
                extra = "  " + (best[0] if best else "")
            print(f"{n:>8} rows  {name:<14} wall {med(walls):7.2f} s [{min(walls):.2f}..{max(walls):.2f}]"
                  f"  cpu {med(cpus):7.2f} s  peak RSS {med(rsss):7.1f} MiB{extra}", flush=True)
        rss = med([r[2] for r in runs["ctune"]])
        print(f"{n:>8} rows  ctune peak RSS {rss:.1f} MiB against the target 1.5 x X "
              f"({x_mib:.1f} MiB float64) + 64 MiB = {1.5 * x_mib + 64:.1f} MiB")
        if a.baselines:
            c = med([r[0] for r in runs["ctune"]])
            s0 = med([r[0] for r in runs["sklearn"]])
            s1 = med([r[0] for r in runs["sklearn_arch0"]])
            print(f"{n:>8} rows  scikit-learn / ctune (wall): {s0 / c:.1f}x as shipped, "
                  f"{s1 / c:.1f}x with BLIS_ARCH_TYPE=0; against the faster: "
                  f"{min(s0, s1) / c:.1f}x", flush=True)
            c = med([r[1] for r in runs["ctune"]])
            s0 = med([r[1] for r in runs["sklearn"]])
            s1 = med([r[1] for r in runs["sklearn_arch0"]])
            print(f"{n:>8} rows  scikit-learn / ctune (cpu): {s0 / c:.1f}x as shipped, "
                  f"{s1 / c:.1f}x with BLIS_ARCH_TYPE=0; against the faster: "
                  f"{min(s0, s1) / c:.1f}x", flush=True)
    for small, big in zip(sizes, sizes[1:]):
        for i, what in ((0, "wall"), (1, "cpu")):
            r = med([x[i] for x in results[big]["ctune"]]) / med([x[i] for x in results[small]["ctune"]])
            print(f"ctune {big} rows / {small} rows ({what}): {r:.1f}x for {big / small:.0f}x the rows")


if __name__ == "__main__":
    main()
