#!/usr/bin/python3
"""Side-by-side timing of ctune's searches against scikit-learn's (W1, W4).

ctune is timed as the whole `ctune search ...` process (start-up and data
loading included); scikit-learn as `search.fit(X, y)` alone, in this process,
as the reference scripts do. The two alternate (A B A B ...) so that drift of
this shared machine affects both; ratios are taken pair by pair and their
median is quoted.

    /usr/bin/python3 bench/compare_sklearn.py --ctune build/tools/ctune \
        --baselines ../shared/bench [--reps 5] [--workload w1|w4|all]

Needs Debian's python3-sklearn (not a project dependency). W1's scikit-learn
side uses the reference script's own MLP wrapper (w1_seed_search.py in
--baselines), so both sides run the same space, folds and seeds.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time
import warnings

W1_SPACE = ("optimizer: sgd|adam; activation: relu|tanh; batch_size: 10|32|64; epochs: 5|10|20; "
            "nl: 1|2; nn: 16|64|128; learning_rate: 0.001|0.01")
W4_SPACE = ("max_depth: 3|5|10|none; max_features: randint(1, 65); min_samples_leaf: randint(1, 10); "
            "criterion: gini|entropy")


def ctune_cmd(ctune, workload, jobs):
    if workload == "w1":
        return [ctune, "search", "--dataset", "breast_cancer", "--space", W1_SPACE, "--n-iter", "20",
                "--cv", "3", "--shuffle", "--seed", "42", "--jobs", str(jobs), "--quiet"]
    return [ctune, "search", "--dataset", "digits", "--model", "tree", "--space", W4_SPACE,
            "--n-iter", "50", "--cv", "5", "--seed", "0", "--jobs", str(jobs), "--quiet"]


def run_ctune(cmd):
    t0 = time.perf_counter()
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    wall = time.perf_counter() - t0
    best = [float(line.split()[2]) for line in out.splitlines() if line.startswith("best score:")]
    return wall, best[0]


def sklearn_search(workload, baselines, jobs):
    from sklearn.model_selection import RandomizedSearchCV, StratifiedKFold
    if workload == "w1":
        sys.path.insert(0, baselines)
        import w1_seed_search as w1
        from sklearn.datasets import load_breast_cancer
        from sklearn.pipeline import Pipeline
        from sklearn.preprocessing import StandardScaler
        X, y = load_breast_cancer(return_X_y=True)
        space = {"mlp__" + k: v for k, v in w1.PARAM_SPACE.items()}
        pipe = Pipeline([("scaler", StandardScaler()), ("mlp", w1.BACKENDS["sklearn"]())])
        s = RandomizedSearchCV(pipe, space, n_iter=20,
                               cv=StratifiedKFold(3, shuffle=True, random_state=0),
                               random_state=42, scoring="accuracy", refit=True, n_jobs=jobs)
    else:
        from scipy.stats import randint
        from sklearn.datasets import load_digits
        from sklearn.tree import DecisionTreeClassifier
        X, y = load_digits(return_X_y=True)
        dist = {"max_depth": [3, 5, 10, None], "max_features": randint(1, 65),
                "min_samples_leaf": randint(1, 10), "criterion": ["gini", "entropy"]}
        s = RandomizedSearchCV(DecisionTreeClassifier(random_state=0), dist, n_iter=50, cv=5,
                               random_state=0, n_jobs=jobs)
    return s, X, y


def run_sklearn(workload, baselines, jobs):
    s, X, y = sklearn_search(workload, baselines, jobs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0 = time.perf_counter()
        s.fit(X, y)
        wall = time.perf_counter() - t0
    return wall, float(s.best_score_)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ctune", default="build/tools/ctune")
    ap.add_argument("--baselines", default="../shared/bench")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--workload", choices=("w1", "w4", "all"), default="all")
    a = ap.parse_args()
    for wl in (("w1", "w4") if a.workload == "all" else (a.workload,)):
        for jobs in (1, 2):
            cmd = ctune_cmd(a.ctune, wl, jobs)
            run_ctune(cmd)                       # warm-up (page cache)
            run_sklearn(wl, a.baselines, jobs)   # warm-up (imports, joblib pool)
            ct, sk, ratios = [], [], []
            for _ in range(a.reps):
                c, cbest = run_ctune(cmd)
                s, sbest = run_sklearn(wl, a.baselines, jobs)
                ct.append(c)
                sk.append(s)
                ratios.append(s / c)
            print("%s n_jobs=%d: ctune %.3f s (best %.4f) | scikit-learn %.3f s (best %.4f) | "
                  "ratio median %.1fx [%.1f..%.1f] (n=%d)"
                  % (wl, jobs, statistics.median(ct), cbest, statistics.median(sk), sbest,
                     statistics.median(ratios), min(ratios), max(ratios), a.reps), flush=True)
        print("  ctune command: %s" % " ".join("'%s'" % x if " " in x else x for x in cmd))


if __name__ == "__main__":
    main()
