"""Tests of ctune.Tuner: ask / tell, report and the pruner, optimize and budgets."""

import csv
import math
import os
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import ctune  # noqa: E402

SPACE = {"lr": ctune.loguniform(1e-4, 1.0), "nn": [16, 32, 64], "act": ["relu", "tanh"]}


class TunerTest(unittest.TestCase):
    def proposals(self, seed, order):
        t = ctune.Tuner(SPACE, seed=seed)
        trials = [t.ask() for _ in order]
        for i in order:
            t.tell(trials[i], float(i))
        return [tr.params for tr in trials]

    def test_ask_tell_deterministic(self):
        a = self.proposals(4, [0, 1, 2, 3, 4])
        b = self.proposals(4, [4, 3, 2, 1, 0])
        self.assertEqual(a, b)
        self.assertNotEqual(a, self.proposals(5, [0, 1, 2, 3, 4]))
        self.assertEqual(set(a[0]), {"lr", "nn", "act"})
        self.assertIn(a[0]["nn"], (16, 32, 64))

    def test_tpe_deterministic(self):
        def run():
            t = ctune.Tuner({"x": ctune.uniform(-2, 2)}, sampler="tpe", seed=1,
                            direction="minimize", tpe_n_startup_trials=3)
            for _ in range(8):
                tr = t.ask()
                t.tell(tr, (tr.params["x"] - 1) ** 2)
            return [r.params["x"] for r in t.trials]
        self.assertEqual(run(), run())

    def test_trials_best_and_export(self):
        t = ctune.Tuner({"x": [1, 2, 3]}, sampler="grid", direction="minimize")
        trials = [t.ask() for _ in range(3)]
        self.assertEqual([tr.params["x"] for tr in trials], [1, 2, 3])
        t.tell(trials[1], 0.5)
        t.tell(trials[0], 0.25)
        t.tell(trials[2], state="fail")
        self.assertEqual(t.best_trial.number, 0)
        self.assertEqual(t.best_value, 0.25)
        self.assertEqual(t.best_params, {"x": 1})
        self.assertEqual([r.state for r in t.trials], ["complete", "complete", "failed"])
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "t.csv")
            t.results_csv(path)
            with open(path, newline="") as f:
                rows = list(csv.DictReader(f))
            self.assertEqual([r["rank_test_score"] for r in rows], ["1", "2", "3"])

    def test_bad_tell(self):
        t = ctune.Tuner({"x": ctune.uniform(0, 1)})
        tr = t.ask()
        with self.assertRaises(ctune.CtuneValueError):
            t.tell(7, 1.0)
        with self.assertRaises(ctune.CtuneValueError) as cm:
            t.tell(tr, float("nan"))
        self.assertIn("NaN", str(cm.exception))
        self.assertEqual(t.trials[0].state, "failed")
        with self.assertRaises(ctune.CtuneError) as cm:
            t.tell(tr, 1.0)
        self.assertIn("already told", str(cm.exception))
        with self.assertRaises(ValueError):
            t.tell(tr, state="paused")
        with self.assertRaises(ctune.CtuneValueError):
            ctune.Tuner({"x": [1]}, sampler="annealing")
        with self.assertRaises(ctune.CtuneValueError):
            ctune.Tuner({"x": [1]}, pruner="sha", n_startup_trials=3)

    def test_report_should_prune(self):
        t = ctune.Tuner({"x": ctune.uniform(0, 1)}, pruner="median", n_startup_trials=1)
        a, b = t.ask(), t.ask()
        a.report(0.9, 0)
        self.assertFalse(a.should_prune())
        t.tell(a, 0.9)
        b.report(0.1, 0)
        self.assertTrue(b.should_prune())
        t.tell(b, state="pruned")
        self.assertEqual(t.trials[1].state, "pruned")

    def test_optimize(self):
        calls = []

        def objective(trial):
            calls.append(trial.number)
            x = trial.params["x"]
            for step in range(3):
                trial.report(x * (step + 1), step)
                if trial.should_prune():
                    raise ctune.TrialPruned()
            if trial.number == 2:
                raise RuntimeError("diverged")
            return x

        t = ctune.Tuner({"x": ctune.uniform(0, 1)}, seed=3, pruner="median", n_startup_trials=2)
        t.optimize(objective, n_trials=12)
        self.assertEqual(len(calls), 12)
        self.assertEqual(t.stopped_by, "n_trials")
        states = [r.state for r in t.trials]
        self.assertEqual(states[2], "failed")
        self.assertIn("pruned", states)
        self.assertNotIn("running", states)
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "t.csv")
            t.results_csv(path)
            with open(path, newline="") as f:
                rows = list(csv.DictReader(f))
            self.assertIn("diverged", rows[2]["error"])

    def test_optimize_timeout(self):
        def slow(trial):
            time.sleep(0.05)
            return trial.params["x"]

        t = ctune.Tuner({"x": ctune.uniform(0, 1)})
        t.optimize(slow, n_trials=1000, timeout=0.12)
        # each trial takes 0.05 s at least: the timeout stops the run by the 3rd
        self.assertGreaterEqual(len(t.trials), 1)
        self.assertLessEqual(len(t.trials), 3)
        self.assertEqual(t.stopped_by, "timeout")
        with self.assertRaises(ctune.CtuneValueError):
            t.optimize(slow, n_trials=1, timeout=0)
        with self.assertRaises(ctune.CtuneValueError):
            t.optimize(slow)  # no n_trials

    def test_none_value_fails(self):
        t = ctune.Tuner({"x": [1, 2]}, sampler="grid")
        t.optimize(lambda trial: None if trial.params["x"] == 1 else math.pi)
        self.assertEqual([r.state for r in t.trials], ["failed", "complete"])
        self.assertEqual(t.stopped_by, "n_trials")


if __name__ == "__main__":
    unittest.main()
