#!/usr/bin/env python3
"""Search efficiency, TPE part, through the Python binding: ctune's TPE
search, ctune's randomized search and Optuna's own TPESampler driving the
same ctune objective.

Workload (as bench/search_efficiency_tpe.c): digits (embedded), one stratified
75/25 train/test split (scikit-learn's, random_state=0); 3-fold CV accuracy on
the train part is the objective; the best candidate is refitted on the train
part and scored on the test part. Model: StandardScaler + MLPClassifier with
fixed epochs. Space: learning_rate loguniform(1e-4, 1e-1), nn 16|64|256,
nl 1|2|3, activation relu|tanh. The same seeds for every method (paired).

Optuna is a benchmark reference only (Debian's python3-optuna); the build and
the tests never need it. Its objective is one ctune GridSearchCV with a single
candidate, i.e. the same ctune cross-validation a search runs.

usage: CTUNE_LIBRARY=build/lib/libctune.so.1 PYTHONPATH=bindings/python \\
       python3 bench/search_efficiency_tpe.py [--trials 30] [--seeds 5] [--epochs 27]
       [--jobs 2] [--methods random,tpe,optuna]
"""
import argparse
import statistics
import sys
import time

import ctune
from sklearn.model_selection import train_test_split

SPACE = {
    "mlp__learning_rate": ctune.loguniform(1e-4, 1e-1),
    "mlp__nn": [16, 64, 256],
    "mlp__nl": [1, 2, 3],
    "mlp__activation": ["relu", "tanh"],
}


def model(epochs):
    return ctune.Pipeline([("scaler", ctune.StandardScaler()),
                           ("mlp", ctune.MLPClassifier(epochs=epochs))])


def run_ctune(kind, est, Xtr, ytr, Xte, yte, trials, seed, jobs):
    common = dict(cv=3, scoring="accuracy", n_jobs=jobs)
    if kind == "tpe":
        s = ctune.TPESearchCV(est, SPACE, n_trials=trials, random_state=seed, **common)
    else:
        s = ctune.RandomizedSearchCV(est, SPACE, n_iter=trials, random_state=seed, **common)
    s.fit(Xtr, ytr)
    return s.score(Xte, yte), s.best_score_, s.best_params_


def run_optuna(est, Xtr, ytr, Xte, yte, trials, seed, jobs):
    import optuna
    optuna.logging.set_verbosity(optuna.logging.WARNING)

    def objective(trial):
        p = {"mlp__learning_rate": trial.suggest_float("mlp__learning_rate", 1e-4, 1e-1, log=True),
             "mlp__nn": trial.suggest_categorical("mlp__nn", [16, 64, 256]),
             "mlp__nl": trial.suggest_categorical("mlp__nl", [1, 2, 3]),
             "mlp__activation": trial.suggest_categorical("mlp__activation", ["relu", "tanh"])}
        g = ctune.GridSearchCV(est, {k: [v] for k, v in p.items()}, cv=3, scoring="accuracy",
                               refit=False, n_jobs=jobs)
        g.fit(Xtr, ytr)
        return g.best_score_

    study = optuna.create_study(direction="maximize",
                                sampler=optuna.samplers.TPESampler(seed=seed))
    study.optimize(objective, n_trials=trials)
    best = study.best_params
    g = ctune.GridSearchCV(est, {k: [v] for k, v in best.items()}, cv=3, scoring="accuracy",
                           n_jobs=jobs)
    g.fit(Xtr, ytr)
    return g.score(Xte, yte), study.best_value, best


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--trials", type=int, default=30)
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--epochs", type=int, default=27)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--methods", default="random,tpe,optuna")
    a = ap.parse_args()
    X, y = ctune.load_dataset("digits", return_X_y=True)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)
    est = model(a.epochs)
    print("digits: %d train, %d test rows; %d trials, %d epochs, 3-fold CV, n_jobs %d"
          % (len(ytr), len(yte), a.trials, a.epochs, a.jobs))
    for kind in a.methods.split(","):
        accs, t0 = [], time.time()
        for seed in range(a.seeds):
            t = time.time()
            if kind == "optuna":
                acc, cv, best = run_optuna(est, Xtr, ytr, Xte, yte, a.trials, seed, a.jobs)
            else:
                acc, cv, best = run_ctune(kind, est, Xtr, ytr, Xte, yte, a.trials, seed, a.jobs)
            accs.append(acc)
            print("%-6s seed %d: test %.4f  cv %.4f  %6.1f s  %s"
                  % (kind, seed, acc, cv, time.time() - t, best), flush=True)
        sd = statistics.stdev(accs) if len(accs) > 1 else 0.0
        print("%-6s mean test accuracy %.4f (sd %.4f) over %d seeds, %.0f s"
              % (kind, statistics.mean(accs), sd, a.seeds, time.time() - t0), flush=True)


if __name__ == "__main__":
    sys.exit(main())
