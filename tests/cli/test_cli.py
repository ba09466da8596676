"""Tests of the ctune command line: run the built binary as a user would."""

import csv
import hashlib
import io
import json
import os
import re
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest

CTUNE = os.environ.get("CTUNE_CLI", "ctune")
DATA = os.environ.get("CTUNE_TEST_DATA", os.path.join(os.path.dirname(__file__), "..", "data"))


def run(*args, timeout=120, env=None):
    p = subprocess.run([CTUNE, *args], capture_output=True, text=True, timeout=timeout, env=env)
    return p.returncode, p.stdout, p.stderr


def best_of(out):
    score = params = None
    for line in out.splitlines():
        if line.startswith("best score: "):
            score = float(line.split()[2])
        if line.startswith("best params: "):
            params = line[len("best params: "):]
    return score, params


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def wait_for(pred, proc, what, polls=6000):
    """Polls pred() (5 ms apart, at most `polls` times) while proc runs."""
    for _ in range(polls):
        if pred():
            return
        if proc.poll() is not None:
            raise AssertionError("ctune ended (%s) before %s" % (proc.returncode, what))
        time.sleep(0.005)
    raise AssertionError("never saw " + what)


class CliTest(unittest.TestCase):

    def test_halving_on_epochs(self):
        with tempfile.TemporaryDirectory() as tmp:
            res = os.path.join(tmp, "r.csv")
            rc, out, err = run("search", "--dataset", "iris", "--strategy", "halving",
                               "--resource", "epochs", "--max-resources", "9",
                               "--n-candidates", "9", "--space", "learning_rate: 0.01|0.03|0.1; nn: 4|8|16",
                               "--results", res, "--quiet")
            self.assertEqual(rc, 0, err)
            with open(res, newline="") as f:
                rows = list(csv.DictReader(f))
            self.assertEqual(list(rows[0])[:2], ["iter", "n_resources"])
            self.assertEqual(len(rows), 9 + 3 + 1)
            self.assertEqual([r["n_resources"] for r in rows[::4]][:3], ["1", "1", "1"])
            self.assertEqual(rows[-1]["iter"], "2")
            self.assertEqual(rows[-1]["param_mlp__epochs"], "9")
            self.assertIn("mlp__epochs=9", best_of(out)[1])

    def test_halving_on_epochs_with_scaling_equals_full_fits(self):
        # scaler + MLP (the default): promoted candidates continue their fits, and every row
        # scores as a grid search that fits its epochs in one go, split by split
        space = "learning_rate: 0.001|0.002|0.005|0.01|0.02|0.03|0.05|0.07|0.1"
        with tempfile.TemporaryDirectory() as tmp:
            res = os.path.join(tmp, "h.json")
            rc, out, err = run("grid", "--dataset", "iris", "--strategy", "halving",
                               "--resource", "epochs", "--min-resources", "1",
                               "--max-resources", "9", "--space", space, "--jobs", "2",
                               "--results", res, "--quiet")
            self.assertEqual(rc, 0, err)
            with open(res) as f:
                h = json.load(f)["cv_results"]
            self.assertEqual(sorted(set(h["n_resources"])), [1, 3, 9])
            for epochs in (1, 3, 9):
                g_res = os.path.join(tmp, "g%d.json" % epochs)
                rc, out, err = run("grid", "--dataset", "iris", "--param", "epochs=%d" % epochs,
                                   "--space", space, "--results", g_res, "--quiet")
                self.assertEqual(rc, 0, err)
                with open(g_res) as f:
                    g = json.load(f)["cv_results"]
                lr = [p["mlp__learning_rate"] for p in g["params"]]
                rows = [i for i, r in enumerate(h["n_resources"]) if r == epochs]
                self.assertEqual(len(rows), {1: 9, 3: 3, 9: 1}[epochs])
                for i in rows:
                    j = lr.index(h["params"][i]["mlp__learning_rate"])
                    for k in range(3):
                        col = "split%d_test_score" % k
                        self.assertEqual(h[col][i], g[col][j], (epochs, i, col))

    def test_hyperband(self):
        with tempfile.TemporaryDirectory() as tmp:
            res = os.path.join(tmp, "r.json")
            rc, out, err = run("search", "--dataset", "iris", "--strategy", "hyperband",
                               "--max-epochs", "4", "--factor", "2",
                               "--space", "learning_rate: loguniform(0.01, 0.1); nn: 4|8",
                               "--results", res, "--quiet")
            self.assertEqual(rc, 0, err)
            with open(res) as f:
                cv = json.load(f)["cv_results"]
            self.assertEqual(list(cv)[:3], ["bracket", "iter", "n_resources"])
            self.assertEqual(max(cv["n_resources"]), 4)
            self.assertIn("mlp__epochs=4", best_of(out)[1])
        rc, out, err = run("search", "--dataset", "iris", "--strategy", "hyperband",
                           "--factor", "1")
        self.assertEqual(rc, 1)
        self.assertIn("factor", err)
        rc, out, err = run("search", "--dataset", "iris", "--max-epochs", "9")
        self.assertEqual(rc, 2)
        self.assertIn("--strategy hyperband", err)

    def test_pruner(self):
        with tempfile.TemporaryDirectory() as tmp:
            res = os.path.join(tmp, "r.csv")
            rc, out, err = run("search", "--dataset", "iris", "--no-scale", "--pruner", "median",
                               "--max-epochs", "3", "--n-iter", "7",
                               "--space", "learning_rate: loguniform(0.0001, 0.1); nn: 4|8",
                               "--results", res, "--quiet")
            self.assertEqual(rc, 0, err)
            with open(res, newline="") as f:
                rows = list(csv.DictReader(f))
            self.assertEqual(len(rows), 7)
            self.assertEqual(list(rows[0])[:2], ["pruned", "n_resources"])
            self.assertTrue(all(r["pruned"] in ("0", "1") for r in rows))
        # the default MLP sits behind a scaler (a Pipeline), which continues its fits too
        rc, out, err = run("search", "--dataset", "iris", "--pruner", "sha", "--max-epochs", "3",
                           "--space", "nn: 4|8", "--quiet")
        self.assertEqual(rc, 0, err)
        self.assertIn("mlp__epochs=3", best_of(out)[1])
        # a tree has no fit_more: it never reports
        rc, out, err = run("search", "--dataset", "iris", "--model", "tree", "--pruner", "sha",
                           "--max-epochs", "3", "--space", "max_depth: 1|2")
        self.assertEqual(rc, 1)
        self.assertIn("never reports", err)
        rc, out, err = run("search", "--dataset", "iris", "--pruner", "median")
        self.assertEqual(rc, 2)
        self.assertIn("--max-epochs", err)

    def test_search_timeout(self):
        # 400 candidates of about 20 ms each (3 folds of 30 epochs): far more
        # than the 0.5 s budget; only a generous bound on the time is checked
        with tempfile.TemporaryDirectory() as tmp:
            res = os.path.join(tmp, "r.json")
            html = os.path.join(tmp, "r.html")
            t0 = time.monotonic()
            rc, out, err = run("search", "--dataset", "breast_cancer", "--n-iter", "400",
                               "--space", "learning_rate: loguniform(0.001, 0.1); nn: 8|16",
                               "--param", "epochs=30", "--timeout", "0.5", "--jobs", "2",
                               "--results", res, "--quiet")
            took = time.monotonic() - t0
            self.assertEqual(rc, 0, err)
            self.assertLess(took, 0.5 + 4.5)
            self.assertIn("stopped by: timeout", out)
            self.assertIsNotNone(best_of(out)[1])
            with open(res) as f:
                doc = json.load(f)
            self.assertEqual(doc["stopped_by"], "timeout")
            self.assertEqual(doc["status"], "complete")
            self.assertGreaterEqual(doc["n_candidates"], 1)
            self.assertLess(doc["n_candidates"], 400)
            self.assertTrue(all(v is not None for v in doc["cv_results"]["mean_test_score"]))
            rc, out, err = run("report", res, "-o", html)  # the strict reader takes it
            self.assertEqual(rc, 0, err)
            # with a study: the finished tasks are committed, this process refits, and a
            # second run resumes with more candidates
            study = os.path.join(tmp, "s.db")
            model = os.path.join(tmp, "m.ctm")
            rows = []
            for _ in range(2):
                rc, out, err = run("search", "--dataset", "breast_cancer", "--n-iter", "400",
                                   "--space", "learning_rate: loguniform(0.001, 0.1); nn: 8|16",
                                   "--param", "epochs=30", "--timeout", "0.3", "--study", study,
                                   "--results", res, "--save-model", model, "--quiet")
                self.assertEqual(rc, 0, err)
                self.assertIn("stopped by: timeout", out)
                self.assertNotIn("another process", err)
                self.assertTrue(os.path.exists(model))
                with open(res) as f:
                    rows.append(json.load(f)["n_candidates"])
            self.assertGreater(rows[1], rows[0])
        rc, out, err = run("grid", "--dataset", "iris", "--model", "tree",
                           "--space", "max_depth: 1|2|3", "--timeout", "60", "--quiet")
        self.assertEqual(rc, 0, err)
        self.assertIn("stopped by: grid (3 results rows)", out)
        for value, needle in (("0", "got 0"), ("-1", "got -1"), ("nan", "got nan"),
                              ("inf", "got inf"), ("soon", "needs a number of seconds")):
            rc, out, err = run("grid", "--dataset", "iris", "--model", "tree",
                               "--space", "max_depth: 1|2", "--timeout", value)
            self.assertEqual(rc, 2, (value, err))
            self.assertIn("--timeout", err)
            self.assertIn(needle, err)

    def test_halving_grid_and_bad_flags(self):
        rc, out, err = run("grid", "--strategy", "halving", "--model", "tree", "--dataset", "iris",
                           "--space", "max_depth: 1|2|3|4", "--quiet")
        self.assertEqual(rc, 0, err)
        for args, needle in [(["--factor", "1"], "factor"),
                             (["--resource", "nope", "--max-resources", "9"], "resource"),
                             (["--resource", "epochs"], "max_resources"),
                             (["--resource", "epochs", "--min-resources", "10",
                               "--max-resources", "9"], "min_resources"),
                             (["--min-resources", "2"], "min_resources")]:
            rc, out, err = run("search", "--dataset", "iris", "--strategy", "halving",
                               "--space", "learning_rate: 0.01|0.1", *args)
            self.assertEqual(rc, 1, err)
            self.assertIn(needle, err)
        rc, out, err = run("search", "--dataset", "iris", "--factor", "2")
        self.assertEqual(rc, 2)
        self.assertIn("--strategy halving", err)
        rc, out, err = run("search", "--dataset", "iris", "--strategy", "annealing")
        self.assertEqual(rc, 2)
        self.assertIn("--strategy", err)
    def test_version_and_help(self):
        rc, out, _ = run("--version")
        self.assertEqual(rc, 0)
        self.assertRegex(out, r"^ctune \d+\.\d+\.\d+")
        for cmd in ("search", "grid", "cv", "fit", "predict", "datasets", "report"):
            rc, out, _ = run(cmd, "--help")
            self.assertEqual(rc, 0, cmd)
            self.assertIn("usage: ctune " + cmd, out)

    def test_default_search_is_the_lecture(self):
        rc, out, err = run("search", "--quiet")
        self.assertEqual(rc, 0, err)
        score, params = best_of(out)
        self.assertGreaterEqual(score, 0.95)
        for name in ("optimizer", "activation", "batch_size", "epochs", "nl", "nn"):
            self.assertIn("mlp__" + name + "=", params)

    def test_search_results_json_and_csv_match_printed_best(self):
        with tempfile.TemporaryDirectory() as tmp:
            js, cs = os.path.join(tmp, "r.json"), os.path.join(tmp, "r.csv")
            args = ("search", "--dataset", "iris", "--model", "tree", "--n-iter", "8", "--cv", "3",
                    "--seed", "4")
            rc, out, err = run(*args, "--results", js)
            self.assertEqual(rc, 0, err)
            rc2, out2, _ = run(*args, "--results", cs, "--quiet")
            self.assertEqual(rc2, 0)
            score, params = best_of(out)
            self.assertEqual(best_of(out2), (score, params))  # deterministic
            with open(js) as f:
                doc = json.load(f)
            self.assertAlmostEqual(doc["best_score"], score, places=4)
            best = doc["best_params"]
            for kv in params.split(", "):
                k, v = kv.split("=", 1)
                self.assertEqual(str(best[k]).lower(), v.lower().strip("'"))
            with open(cs, newline="") as f:
                rows = list(csv.DictReader(f))
            self.assertEqual(len(rows), 8)
            ranks = [int(r["rank_test_score"]) for r in rows]
            self.assertIn(1, ranks)
            top = [r for r in rows if r["rank_test_score"] == "1"][0]
            self.assertAlmostEqual(float(top["mean_test_score"]), score, places=4)

    def test_search_on_csv_file_with_target(self):
        path = os.path.join(DATA, "iris.csv")
        rc, out, err = run("search", "--data", path, "--target", "target", "--model", "dummy",
                           "--quiet")
        self.assertEqual(rc, 0, err)
        self.assertIsNotNone(best_of(out)[0])

    def test_grid_cv_fit_predict(self):
        rc, out, err = run("grid", "--dataset", "iris", "--model", "tree",
                           "--space", "max_depth: 1|2|3", "--quiet")
        self.assertEqual(rc, 0, err)
        self.assertIn("tree__max_depth" if "tree__" in out else "max_depth=", out)
        rc, out, err = run("cv", "--dataset", "breast_cancer", "--param", "nn=16",
                           "--param", "epochs=10", "--param", "batch_size=16")
        self.assertEqual(rc, 0, err)
        self.assertRegex(out, r"score: 0\.9\d+ ± 0\.0\d+")
        with tempfile.TemporaryDirectory() as tmp:
            model = os.path.join(tmp, "m.ctm")
            rc, out, err = run("fit", "--dataset", "iris", "--model", "tree", "--param",
                               "max_depth=3", "--save-model", model)
            self.assertEqual(rc, 0, err)
            pred = os.path.join(tmp, "pred.csv")
            rc, out, err = run("predict", "--model-file", model, "--data",
                               os.path.join(DATA, "iris.csv"), "--target", "target",
                               "--output", pred)
            self.assertEqual(rc, 0, err)
            with open(pred) as f:
                rows = list(csv.reader(f))
            self.assertEqual(rows[0], ["prediction"])
            self.assertEqual(len(rows), 151)
            # the model keeps the dataset's class names and predicts them
            names = ("setosa", "versicolor", "virginica")
            self.assertTrue(all(r[0] in names for r in rows[1:]))
            hits = sum(r[0] == names[i // 50] for i, r in enumerate(rows[1:]))
            self.assertGreater(hits, 140)  # iris is ordered by class; depth 3 fits it well
        with tempfile.TemporaryDirectory() as tmp:  # the best model of a search, MLP pipeline
            model = os.path.join(tmp, "best.ctm")
            rc, out, err = run("search", "--n-iter", "2", "--quiet", "--save-model", model)
            self.assertEqual(rc, 0, err)
            rc, out, err = run("predict", "--model-file", model, "--data",
                               os.path.join(DATA, "breast_cancer.csv"), "--target", "target")
            self.assertEqual(rc, 0, err)
            self.assertEqual(len(out.splitlines()), 570)

    @unittest.skipUnless(os.environ.get("CTUNE_MPIRUN"), "ctune built without MPI")
    def test_mpirun_search_equals_serial(self):
        args = ("search", "--dataset", "iris", "--model", "tree", "--n-iter", "12", "--cv", "3",
                "--seed", "5", "--quiet")
        rc, serial, err = run(*args)
        self.assertEqual(rc, 0, err)
        env = dict(os.environ, OMPI_MCA_rmaps_base_oversubscribe="1")
        if os.environ.get("CTUNE_MPI_LSAN"):  # Open MPI's leaks are not ours (ASan builds)
            env["LSAN_OPTIONS"] = "suppressions=%s:print_suppressions=0" % os.environ["CTUNE_MPI_LSAN"]
            env["ASAN_OPTIONS"] = "detect_leaks=1:detect_odr_violation=0:fast_unwind_on_malloc=0"
        p = subprocess.run([os.environ["CTUNE_MPIRUN"], "--allow-run-as-root", "--oversubscribe",
                            "-np", "2", CTUNE, *args], capture_output=True, text=True,
                           timeout=120, env=env)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(best_of(p.stdout), best_of(serial))  # rank 0 alone prints
        self.assertEqual(p.stdout.count("best score:"), 1)

    def test_tpe_strategy_same_for_any_jobs(self):
        with tempfile.TemporaryDirectory() as tmp:
            tables = []
            for jobs in ("1", "2"):
                path = os.path.join(tmp, "r%s.csv" % jobs)
                rc, out, err = run("search", "--dataset", "iris", "--model", "tree",
                                   "--space", "max_depth: randint(1, 8); min_samples_leaf: 1|2|4",
                                   "--strategy", "tpe", "--tpe-batch", "2", "--n-iter", "12",
                                   "--jobs", jobs, "--seed", "3", "--quiet", "--results", path)
                self.assertEqual(rc, 0, err)
                with open(path) as f:
                    rows = list(csv.DictReader(f))
                self.assertEqual(len(rows), 12)
                tables.append([{k: v for k, v in r.items() if "_time" not in k} for r in rows])
            self.assertEqual(tables[0], tables[1])
        rc, out, err = run("search", "--dataset", "iris", "--model", "tree", "--tpe-batch", "2")
        self.assertEqual(rc, 2)
        self.assertIn("--tpe-batch needs --strategy tpe", err)
        for bad in (("--strategy", "bayes"), ("--strategy", "tpe", "--tpe-batch", "0")):
            rc, out, err = run("search", "--dataset", "iris", "--model", "tree", *bad)
            self.assertEqual(rc, 2, (bad, err))
            self.assertIn("--" + bad[-2].lstrip("-"), err)

    def test_plain_run_does_not_load_mpi(self):
        # The dynamic loader lists every library it maps (LD_DEBUG=libs):
        # libctune must be there (the listing works), libctune_mpi and
        # libmpi must not, since only an MPI launcher's environment loads them.
        env = {k: v for k, v in os.environ.items()
               if k not in ("OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE",
                            "MPI_LOCALNRANKS")}
        env["LD_DEBUG"] = "libs"
        p = subprocess.run([CTUNE, "--version"], capture_output=True, text=True, timeout=60,
                           env=env)
        self.assertEqual(p.returncode, 0, p.stderr)
        mapped = [line for line in p.stderr.splitlines() if "file=" in line]
        self.assertTrue(any("libctune.so" in line for line in mapped), p.stderr[-2000:])
        self.assertFalse([line for line in mapped if "libmpi" in line or "libctune_mpi" in line])
        self.assertFalse([line for line in mapped if "libopen-" in line or "libpmix" in line])

    def test_datasets(self):
        rc, out, _ = run("datasets")
        self.assertEqual(rc, 0)
        for name in ("breast_cancer", "iris", "digits"):
            self.assertIn(name, out)

    def test_usage_errors_exit_2_with_one_line(self):
        for args in (("search", "--bogus"), ("search", "--n-iter", "0"), ("search", "--cv", "x"),
                     ("frobnicate",), ("fit",), ("search", "--model", "svm"),
                     ("search", "--space", "nn: 16|"), ("search", "--param", "nnn=3")):
            rc, out, err = run(*args)
            self.assertEqual(rc, 2, (args, err))
            self.assertEqual(len(err.strip().splitlines()), 1, (args, err))

    def test_integer_flags_state_their_range(self):
        for args, limit in ((("cv", "--cv", "4294967298"), "2..2147483647"),
                            (("search", "--jobs", "10000"), "-1..4096"),
                            (("search", "--n-iter", "-3"), "1..1000000"),
                            (("search", "--seed", "-1"), "0..9223372036854775807"),
                            (("search", "--seed", "18446744073709551616"), "0..")):
            rc, _, err = run(*args)
            self.assertEqual(rc, 2, (args, err))
            self.assertIn(limit, err, args)

    def test_usage_errors_in_values_exit_2(self):
        for args, text in ((("search", "--space", "nnn: 16|64"), "unknown parameter 'nnn'"),
                           (("search", "--model", "tree", "--space", "mlp__x: 1|2"), "'mlp__x'"),
                           (("search", "--param", "=1"), "key=value"),
                           (("search", "--model", "tree", "--space", "max_depth: 0|2"),
                            "max_depth"),
                           (("search", "--results", "r.txt"), ".csv or .json")):
            rc, _, err = run(*args)
            self.assertEqual(rc, 2, (args, err))
            self.assertIn(text, err, args)
            self.assertEqual(len(err.strip().splitlines()), 1, (args, err))

    def test_values_are_never_option_text(self):
        # --scoring: no ", refit=false" smuggled into the search options
        rc, _, err = run("cv", "--dataset", "iris", "--model", "tree", "--scoring",
                         "accuracy, refit=false")
        self.assertEqual(rc, 2)
        self.assertIn("unknown scorer 'accuracy, refit=false'", err)
        # --target: the whole text is one column name
        rc, _, err = run("search", "--data", os.path.join(DATA, "iris.csv"), "--target",
                         "target, missing=nan", "--model", "dummy", "--quiet")
        self.assertEqual(rc, 1)
        self.assertIn("no target column named 'target, missing=nan'", err)
        # --space: a quoted value keeps its ';' and ':' (no prefix inside it)
        rc, _, err = run("search", "--dataset", "iris", "--n-iter", "1", "--quiet", "--space",
                         "activation: 'relu;x: y'")
        self.assertEqual(rc, 2)
        self.assertIn("'relu;x: y'", err)
        self.assertNotIn("mlp__x", err)
        # --target by index still selects a column
        rc, out, err = run("cv", "--data", os.path.join(DATA, "iris.csv"), "--target", "4",
                           "--model", "dummy")
        self.assertEqual(rc, 0, err)

    def test_results_extension_is_case_insensitive(self):
        with tempfile.TemporaryDirectory() as tmp:
            for name, is_json in (("R.JSON", True), ("r.Csv", False)):
                path = os.path.join(tmp, name)
                rc, _, err = run("search", "--dataset", "iris", "--model", "dummy", "--n-iter",
                                 "2", "--quiet", "--results", path)
                self.assertEqual(rc, 0, err)
                with open(path) as f:
                    text = f.read()
                if is_json:
                    json.loads(text)
                else:
                    self.assertEqual(len(list(csv.DictReader(io.StringIO(text)))), 2)

    def test_decimal_comma_locale(self):
        env = dict(os.environ, LC_ALL="de_DE.UTF-8")
        with tempfile.TemporaryDirectory() as tmp:
            js, cs = os.path.join(tmp, "r.json"), os.path.join(tmp, "r.csv")
            args = ("search", "--dataset", "iris", "--model", "tree", "--n-iter", "4", "--seed",
                    "2", "--quiet", "--space", "max_depth: 1|2|3; min_impurity_decrease: 0.0|0.015625")
            rc, out, err = run(*args, "--results", js, env=env)
            self.assertEqual(rc, 0, err)
            rc2, out2, _ = run(*args, "--results", cs)
            self.assertEqual(best_of(out), best_of(out2))
            with open(js) as f:
                doc = json.load(f)  # valid JSON: numbers with '.'
            self.assertAlmostEqual(doc["best_score"], best_of(out)[0], places=4)
            with open(cs, newline="") as f:
                for row in csv.DictReader(f):
                    float(row["mean_test_score"])
            model = os.path.join(tmp, "m.ctm")
            rc, _, err = run("fit", "--dataset", "iris", "--model", "tree", "--param",
                             "min_impurity_decrease=0.015625", "--save-model", model, env=env)
            self.assertEqual(rc, 0, err)
            rc, out, err = run("predict", "--model-file", model, "--data",
                               os.path.join(DATA, "iris.csv"), "--target", "target", env=env)
            self.assertEqual(rc, 0, err)
            self.assertEqual(len(out.splitlines()), 151)

    def test_model_file_from_an_endless_stream_fails_fast(self):
        rc, _, err = run("predict", "--model-file", "/dev/zero", "--data",
                         os.path.join(DATA, "iris.csv"), timeout=20)
        self.assertEqual(rc, 1)
        self.assertIn("not a ctune model file", err)

    def test_pandas_header_of_unnamed_columns(self):
        with open(os.path.join(DATA, "iris.csv")) as f:
            body = f.read().split("\n", 1)[1]
        with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as f:
            f.write("0,1,2,3,target\n" + body)
        try:
            rc, out, err = run("cv", "--data", f.name, "--model", "dummy")
            self.assertEqual(rc, 0, err)
            self.assertEqual(out.count("  fold "), 3)
            rc, out, err = run("fit", "--data", f.name, "--model", "tree", "--save-model",
                               f.name + ".ctm")
            self.assertEqual(rc, 0, err)
            self.assertIn("training score 1.0000", out)
            rc, out, err = run("predict", "--model-file", f.name + ".ctm", "--data", f.name,
                               "--target", "target")
            self.assertEqual(rc, 0, err)
            self.assertEqual(len(out.splitlines()), 151)  # 150 rows + the header
        finally:
            os.unlink(f.name)
            if os.path.exists(f.name + ".ctm"):
                os.unlink(f.name + ".ctm")

    def test_bad_space_points_at_offset(self):
        rc, _, err = run("search", "--space", "nn: 16|64; lr: loguniform(1e-4,")
        self.assertEqual(rc, 2)
        self.assertIn("offset", err)

    def test_data_errors_exit_1(self):
        rc, _, err = run("search", "--data", "/nonexistent/file.csv")
        self.assertEqual(rc, 1)
        self.assertIn("/nonexistent/file.csv", err)
        with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as f:
            f.write("a,b,target\n1,2,0\n3,oops,1\n")
        try:
            rc, _, err = run("search", "--data", f.name, "--model", "dummy")
            self.assertEqual(rc, 1)
            self.assertIn("line 3, column 2", err)
        finally:
            os.unlink(f.name)
        rc, _, err = run("predict", "--model-file", "/nonexistent.ctm", "--data",
                         os.path.join(DATA, "iris.csv"))
        self.assertEqual(rc, 1)


    # ---- output safety -----------------------------------------------------

    def test_output_same_as_input_is_refused_by_every_command(self):
        with tempfile.TemporaryDirectory() as tmp:
            data = os.path.join(tmp, "in.csv")
            shutil.copy(os.path.join(DATA, "iris.csv"), data)
            model = os.path.join(tmp, "m.ctm")
            rc, _, err = run("fit", "--data", data, "--model", "tree", "--save-model", model,
                             "--quiet")
            self.assertEqual(rc, 0, err)
            link = os.path.join(tmp, "link.csv")
            os.symlink(data, link)
            before = digest(data), digest(model)
            base = ("--data", data, "--model", "tree", "--quiet")
            cases = [
                ("search", *base, "--results", data),
                ("search", *base, "--results", link),              # the same file by a link
                ("search", *base, "--save-model", data),
                ("search", *base, "--results", os.path.join(tmp, "r.csv"),
                 "--save-model", os.path.join(tmp, ".", "r.csv")),  # two outputs, one file
                ("grid", *base, "--space", "max_depth: 1|2", "--results", data),
                ("fit", *base, "--save-model", data),
                ("predict", "--model-file", model, "--data", data, "--target", "target",
                 "--output", data),
                ("predict", "--model-file", model, "--data", data, "--target", "target",
                 "--output", model),
            ]
            for args in cases:
                rc, _, err = run(*args)
                self.assertEqual(rc, 2, (args, err))
                self.assertTrue("same file" in err, (args, err))
                self.assertEqual(len(err.strip().splitlines()), 1, (args, err))
            self.assertEqual((digest(data), digest(model)), before)
            self.assertFalse(os.path.exists(os.path.join(tmp, "r.csv")))
            # devices are refused, not replaced or deleted
            rc, _, err = run("fit", "--dataset", "iris", "--model", "tree", "--save-model",
                             "/dev/null")
            self.assertEqual(rc, 2, err)
            self.assertIn("not a regular file", err)
            self.assertTrue(os.path.exists("/dev/null"))

    def test_output_directory_is_checked_before_the_search(self):
        for opt in ("--results", "--save-model"):
            rc, out, err = run("search", "--dataset", "digits", "--param", "epochs=4000",
                               opt, "/nonexistent-dir/r.csv")
            self.assertEqual(rc, 2, err)
            self.assertIn("does not exist", err)
            self.assertEqual(out, "")  # nothing ran

    def test_all_fits_failed_exits_1_and_saves_no_model(self):
        with tempfile.TemporaryDirectory() as tmp:
            model, res = os.path.join(tmp, "m.ctm"), os.path.join(tmp, "r.csv")
            rc, out, err = run("search", "--dataset", "iris", "--model", "tree", "--scoring",
                               "roc_auc", "--n-iter", "3", "--save-model", model,
                               "--results", res, "--quiet")
            self.assertEqual(rc, 1, err)
            self.assertIn("all 9 fits failed; first error: split 0: scoring test (roc_auc)", err)
            self.assertIn("no model saved", err)
            self.assertNotIn("best score: nan", out)
            self.assertFalse(os.path.exists(model))
            with open(res, newline="") as f:  # the results that exist are written
                self.assertEqual(len(list(csv.DictReader(f))), 3)

    def test_write_errors_on_standard_output_exit_1(self):
        with tempfile.TemporaryDirectory() as tmp:
            model = os.path.join(tmp, "m.ctm")
            rc, _, err = run("fit", "--dataset", "iris", "--model", "tree", "--save-model", model,
                             "--quiet")
            self.assertEqual(rc, 0, err)
            with open("/dev/full", "w") as full:
                for out in ((), ("--output", "-"), ("--output", "/dev/stdout")):
                    p = subprocess.run([CTUNE, "predict", "--model-file", model, "--data",
                                        os.path.join(DATA, "iris.csv"), "--target", "target",
                                        *out], stdout=full, stderr=subprocess.PIPE, text=True,
                                       timeout=60)
                    self.assertEqual(p.returncode, 1, (out, p.stderr))
                    self.assertIn("No space left on device", p.stderr)
                p = subprocess.run([CTUNE, "datasets"], stdout=full, stderr=subprocess.PIPE,
                                   text=True, timeout=60)
                self.assertEqual(p.returncode, 1, p.stderr)

    def test_file_size_limit_keeps_the_old_results(self):
        with tempfile.TemporaryDirectory() as tmp:
            res = os.path.join(tmp, "r.csv")
            with open(res, "w") as f:
                f.write("the old results\n")
            args = [CTUNE, "search", "--dataset", "iris", "--model", "tree", "--n-iter", "8",
                    "--results", res, "--quiet"]
            prlimit = shutil.which("prlimit")
            if prlimit:
                p = subprocess.run([prlimit, "--fsize=200", *args], capture_output=True,
                                   text=True, timeout=120)
            else:
                def limit():
                    resource.setrlimit(resource.RLIMIT_FSIZE, (200, 200))
                p = subprocess.run(args, capture_output=True, text=True, timeout=120,
                                   preexec_fn=limit)
            self.assertEqual(p.returncode, 1, p.stderr)
            self.assertIn("File too large", p.stderr)
            with open(res) as f:
                self.assertEqual(f.read(), "the old results\n")
            self.assertEqual(os.listdir(tmp), ["r.csv"])  # no temporary file left

    @unittest.skipUnless(os.environ.get("CTUNE_TEST_HOOKS") == "1", "built without test hooks")
    def test_sigkill_mid_write_keeps_the_old_files(self):
        with tempfile.TemporaryDirectory() as tmp:
            res, model = os.path.join(tmp, "r.csv"), os.path.join(tmp, "m.ctm")
            rc, _, err = run("fit", "--dataset", "iris", "--model", "tree", "--save-model", model,
                             "--quiet")
            self.assertEqual(rc, 0, err)
            with open(res, "w") as f:
                f.write("the old results\n")
            old_model = digest(model)
            marker = os.path.join(tmp, "paused")
            env = dict(os.environ, CTUNE_TEST_WRITE_PAUSE=marker)
            for args in (("search", "--dataset", "iris", "--model", "tree", "--n-iter", "4",
                          "--results", res, "--quiet"),
                         ("fit", "--dataset", "iris", "--model", "tree", "--param", "max_depth=2",
                          "--save-model", model, "--quiet")):
                p = subprocess.Popen([CTUNE, *args], env=env, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
                try:
                    wait_for(lambda: os.path.exists(marker), p, "the paused write")
                finally:
                    p.kill()
                    p.wait(timeout=60)
                self.assertEqual(p.returncode, -signal.SIGKILL)
                os.unlink(marker)
            with open(res) as f:
                self.assertEqual(f.read(), "the old results\n")
            self.assertEqual(digest(model), old_model)
            rc, _, err = run("predict", "--model-file", model, "--data",
                             os.path.join(DATA, "iris.csv"), "--target", "target")
            self.assertEqual(rc, 0, err)

    @unittest.skipUnless(os.environ.get("CTUNE_TEST_HOOKS") == "1", "built without test hooks")
    def test_second_signal_exits_at_once(self):
        # the first SIGINT is handled while the results are being written (the
        # write waits, paused by the test hook): the second one ends ctune now
        with tempfile.TemporaryDirectory() as tmp:
            res, marker = os.path.join(tmp, "r.csv"), os.path.join(tmp, "paused")
            with open(res, "w") as f:
                f.write("the old results\n")
            p = subprocess.Popen([CTUNE, "search", "--dataset", "iris", "--model", "tree",
                                  "--n-iter", "4", "--results", res, "--quiet"],
                                 env=dict(os.environ, CTUNE_TEST_WRITE_PAUSE=marker),
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                wait_for(lambda: os.path.exists(marker), p, "the paused write")
                p.send_signal(signal.SIGINT)
                time.sleep(0.2)
                self.assertIsNone(p.poll())  # the first signal does not end a write
                p.send_signal(signal.SIGINT)
                self.assertEqual(p.wait(timeout=60), 130)
            finally:
                if p.poll() is None:
                    p.kill()
                    p.wait()
            with open(res) as f:
                self.assertEqual(f.read(), "the old results\n")

    # ---- signals -------------------------------------------------------------

    def interrupted_search(self, sig, tmp):
        """A grid whose first candidate is quick (epochs=1) and whose second
        trains for 4000 epochs; `sig` arrives once the first is done."""
        res = os.path.join(tmp, "r.csv")
        p = subprocess.Popen([CTUNE, "grid", "--dataset", "iris", "--space", "epochs: 1|4000",
                              "--param", "nl=3", "--cv", "2", "--results", res,
                              "--save-model", os.path.join(tmp, "m.ctm")],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            for line in p.stderr:  # progress lines: "grid: 2/4 tasks, ..."
                if line.startswith("grid: 2/4 tasks"):
                    break
            p.send_signal(sig)
            out, err = p.communicate(timeout=120)
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
        return p.returncode, out, err, res

    def test_sigint_and_sigterm_stop_and_write_partial_results(self):
        for sig, code in ((signal.SIGINT, 130), (signal.SIGTERM, 143)):
            with tempfile.TemporaryDirectory() as tmp:
                rc, out, err, res = self.interrupted_search(sig, tmp)
                self.assertEqual(rc, code, err)
                self.assertIn("interrupted after 2 tasks", err)
                with open(res, newline="") as f:
                    rows = list(csv.DictReader(f))
                self.assertEqual(len(rows), 2)
                done = [r for r in rows if r["param_mlp__epochs"] == "1"][0]
                self.assertGreater(float(done["mean_test_score"]), 0)
                self.assertFalse(os.path.exists(os.path.join(tmp, "m.ctm")))  # no refit

STUB = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tune_stub.sh")


class TuneTest(unittest.TestCase):
    """ctune tune against tests/cli/tune_stub.sh."""

    def tune(self, *args):
        return run("tune", *args)

    def rows(self, path):
        with open(path, newline="") as f:
            return list(csv.DictReader(f))

    def test_grid_minimize_and_results(self):
        with tempfile.TemporaryDirectory() as tmp:
            res = os.path.join(tmp, "t.csv")
            rc, out, err = self.tune("--space", "x: 0.5|0.1|0.3", "--command",
                                     STUB + " ok {x}", "--sampler", "grid", "--direction",
                                     "minimize", "--results", res)
            self.assertEqual(rc, 0, err)
            self.assertIn("3 trials: 3 complete, 0 pruned, 0 failed (stopped by n_trials)", out)
            self.assertIn("best trial 1: 0.1 with x=0.1", out)
            rows = self.rows(res)
            self.assertEqual([r["param_x"] for r in rows], ["0.5", "0.1", "0.3"])
            self.assertEqual([r["mean_test_score"] for r in rows], ["0.5", "0.1", "0.3"])
            self.assertEqual([r["rank_test_score"] for r in rows], ["3", "1", "2"])
            js = os.path.join(tmp, "t.json")
            rc, _, err = self.tune("--space", "x: 0.5|0.1", "--command", STUB + " ok {x}",
                                   "--n-trials", "4", "--seed", "3", "--results", js, "--quiet")
            self.assertEqual(rc, 0, err)
            with open(js) as f:
                doc = json.load(f)
            self.assertEqual(doc["stopped_by"], "n_trials")
            self.assertEqual(doc["n_candidates"], 4)
            self.assertEqual(err, "")
            self.assertEqual(doc["schema"], 1)
            # the tuner's table is a results file `ctune report` reads
            page = os.path.join(tmp, "t.html")
            rc, _, err = run("report", js, "-o", page)
            self.assertEqual(rc, 0, err)
            self.assertTrue(os.path.getsize(page) > 0)

    def test_failed_commands(self):
        with tempfile.TemporaryDirectory() as tmp:
            res = os.path.join(tmp, "t.csv")
            rc, out, err = self.tune("--space", "x: 1|2", "--sampler", "grid", "--command",
                                     STUB + " fail {x}", "--results", res)
            self.assertEqual(rc, 1)
            self.assertIn("2 trials: 0 complete, 0 pruned, 2 failed", out)
            self.assertIn("no trial completed", err)
            for r in self.rows(res):
                self.assertIn("exited with status 3", r["error"])
            rc, _, err = self.tune("--space", "x: 1", "--sampler", "grid", "--command",
                                   STUB + " quiet {x}", "--results", res)
            self.assertEqual(rc, 1)
            self.assertIn("printed no number", self.rows(res)[0]["error"])
            rc, _, err = self.tune("--space", "x: 1", "--sampler", "grid", "--command",
                                   os.path.join(tmp, "missing") + " {x}", "--results", res)
            self.assertEqual(rc, 1)
            self.assertIn("cannot run", self.rows(res)[0]["error"])

    def test_pruner_kills(self):
        with tempfile.TemporaryDirectory() as tmp:
            res = os.path.join(tmp, "t.csv")
            rc, out, err = self.tune("--space", "x: 1|2|3|4|5|0.1", "--sampler", "grid",
                                     "--pruner", "sha", "--command", STUB + " ok {x}",
                                     "--results", res)
            self.assertEqual(rc, 0, err)
            self.assertIn("6 trials: 5 complete, 1 pruned", out)
            rows = self.rows(res)
            self.assertEqual(rows[5]["error"], "pruned at step 1")
            self.assertEqual([r["state"] for r in rows], ["done"] * 5 + ["pruned"])
            self.assertEqual(rows[5]["mean_test_score"], "0.2")  # its last step's value

    def test_report_of_pruned_tuner(self):
        # the tuner's JSON marks its pruned trial; the report shows it pruned
        with tempfile.TemporaryDirectory() as tmp:
            js, page = os.path.join(tmp, "t.json"), os.path.join(tmp, "t.html")
            rc, out, err = self.tune("--space", "x: 1|2|3|4|5|0.1", "--sampler", "grid",
                                     "--pruner", "sha", "--command", STUB + " ok {x}",
                                     "--results", js, "--quiet")
            self.assertEqual(rc, 0, err)
            with open(js) as f:
                doc = json.load(f)
            self.assertEqual(doc["cv_results"]["state"], ["done"] * 5 + ["pruned"])
            rc, out, err = run("report", js, "-o", page)
            self.assertEqual(rc, 0, err)
            with open(page, encoding="utf-8") as f:
                html = f.read()
            self.assertEqual(html.count("<td>▽ pruned</td>"), 1)
            history = re.search(r'<figure class="plot" id="history">.*?</figure>', html, re.S)
            self.assertEqual(history.group(0).count('class="pt pruned"'), 1)
            self.assertIn("<dt>pruned</dt><dd>1 of 6 trials", html)
            self.assertIn("1 trials were pruned", html)

    def test_shell_and_quoting(self):
        rc, out, err = self.tune("--space", "x: 7", "--sampler", "grid", "--shell",
                                 "--command", "echo {x} | tr 7 8", "--quiet")
        self.assertEqual(rc, 0, err)
        self.assertIn("best trial 0: 8.0 with x=7", out)
        # without --shell, '|' is an argument of echo, not a pipe
        rc, out, err = self.tune("--space", "x: 7", "--sampler", "grid",
                                 "--command", "echo '{x} |' tr 7 8", "--quiet")
        self.assertEqual(rc, 0, err)
        self.assertIn("best trial 0: 8.0 with x=7", out)  # the last number printed: 8

    def test_timeout(self):
        # each trial takes 0.2 s at least: with --timeout 0.3 no third trial starts
        rc, out, err = self.tune("--space", "x: uniform(0, 1)", "--command", STUB + " slow {x}",
                                 "--n-trials", "100", "--timeout", "0.3", "--quiet")
        self.assertEqual(rc, 0, err)
        self.assertIn("(stopped by timeout)", out)
        n = int(out.split()[0])
        self.assertGreaterEqual(n, 1)
        self.assertLessEqual(n, 2)

    def test_usage_errors(self):
        for args, msg in (
                (("--space", "x: 1"), "--command is required"),
                (("--command", "echo 1"), "--space is required"),
                (("--space", "x: 1", "--command", "echo {y}"), "{y}, which is not in --space"),
                (("--space", "x: 1", "--command", "echo 'x"), "unbalanced"),
                (("--space", "x: 1", "--command", "echo {x}", "--timeout", "0"), "timeout"),
                (("--space", "x: 1", "--command", "echo {x}", "--timeout", "soon"), "timeout"),
                (("--space", "x: 1", "--command", "echo {x}", "--sampler", "tpe?"), "sampler"),
                (("--space", "x: 1", "--command", "echo {x}", "--n-trials", "0"), "n-trials"),
                (("--space", "x 1", "--command", "echo {x}"), "--space")):
            rc, _, err = self.tune(*args)
            self.assertEqual(rc, 2, args)
            self.assertIn(msg, err, args)
        rc, out, _ = self.tune("--help")
        self.assertEqual(rc, 0)
        self.assertIn("usage: ctune tune", out)
class ReportTest(unittest.TestCase):
    """ctune report and --report (the page itself: tests/report, and
    test_report_browser.py in a real browser)."""

    def test_search_report_and_report_command(self):
        with tempfile.TemporaryDirectory() as tmp:
            js, page, page2 = (os.path.join(tmp, n) for n in ("r.json", "r.html", "r2.html"))
            rc, out, err = run("search", "--dataset", "iris", "--model", "tree", "--space",
                               "max_depth: 1|2|3|4; criterion: gini|entropy", "--n-iter", "8",
                               "--cv", "2", "--quiet", "--results", js, "--report", page)
            self.assertEqual(rc, 0, err)
            with open(page, encoding="utf-8") as f:
                html = f.read()
            self.assertTrue(html.startswith("<!DOCTYPE html>"))
            self.assertIn('id="history"', html)
            self.assertEqual(html.count('class="pt'), 8 * 3)  # history and 2 slices
            self.assertNotIn("<script", html)
            with open(js, encoding="utf-8") as f:
                self.assertEqual(json.load(f)["schema"], 1)
            rc, out, err = run("report", js, "-o", page2)
            self.assertEqual(rc, 0, err)
            with open(page2, encoding="utf-8") as f:
                self.assertIn("Results: " + js, f.read())
            rc, out, err = run("report", "--output=" + page2, js)
            self.assertEqual(rc, 0, err)
            # a named scorer: its columns keep sklearn's "score" suffix
            rc, out, err = run("grid", "--dataset", "iris", "--model", "tree", "--space",
                               "max_depth: 1|2", "--cv", "2", "--scoring", "f1_macro",
                               "--quiet", "--report", page)
            self.assertEqual(rc, 0, err)
            with open(page, encoding="utf-8") as f:
                self.assertIn("mean test f1_macro", f.read())

    def test_report_usage_and_bad_input(self):
        rc, out, _ = run("report", "--help")
        self.assertEqual(rc, 0)
        self.assertIn("usage: ctune report", out)
        with tempfile.TemporaryDirectory() as tmp:
            js, page = os.path.join(tmp, "r.json"), os.path.join(tmp, "r.html")
            with open(js, "w") as f:
                f.write('{"hello": "world"}')
            before = digest(js)
            for args, want in ((["report"], "needs a results file"),
                               (["report", js], "needs -o REPORT.html"),
                               (["report", js, "-o"], "-o needs a file name"),
                               (["report", js, "-o", page, "x"], "unexpected argument 'x'"),
                               (["report", js, "--bogus"], "unknown option '--bogus'"),
                               (["report", js, "-o", "-"], "the report is a file"),
                               (["report", js, "-o", js], "same file as the input")):
                rc, _, err = run(*args)
                self.assertEqual(rc, 2, args)
                self.assertIn(want, err)
            self.assertEqual(digest(js), before)
            rc, _, err = run("report", js, "-o", page)
            self.assertEqual(rc, 1)
            self.assertIn("not a ctune results file", err)
            with open(js, "w") as f:
                f.write('{"schema": 1, "cv_results": {}, "n_candidates": 1,\n "n_splits": x}')
            rc, _, err = run("report", js, "-o", page)
            self.assertEqual(rc, 1)
            self.assertIn("JSON line 2 column 14", err)
            rc, _, err = run("report", os.path.join(tmp, "none.json"), "-o", page)
            self.assertEqual(rc, 1)
            self.assertIn("none.json", err)
            self.assertFalse(os.path.exists(page))
            rc, _, err = run("search", "--dataset", "iris", "--results", js, "--report", js)
            self.assertEqual(rc, 2)
            self.assertIn("name the same file", err)

    @staticmethod
    def figure(html, fid):
        m = re.search(r'<figure class="plot" id="%s">.*?</figure>' % fid, html, re.S)
        return m.group(0) if m else ""

    def test_report_of_a_study(self):
        space = "max_depth: 1|2|3|4; criterion: gini|entropy"
        with tempfile.TemporaryDirectory() as tmp:
            db, js, page, page2 = (os.path.join(tmp, n)
                                   for n in ("s.db", "s.json", "s.html", "s2.html"))
            # --report next to --study still works
            rc, out, err = run("search", "--dataset", "iris", "--model", "tree", "--space", space,
                               "--n-iter", "8", "--cv", "2", "--quiet", "--study", db,
                               "--results", js, "--report", page)
            self.assertEqual(rc, 0, err)
            with open(page, encoding="utf-8") as f:
                from_search = f.read()
            self.assertEqual(from_search.count('class="pt'), 8 * 3)
            # the study itself as the input, told by its content, not its name
            named = os.path.join(tmp, "study-without-extension")
            shutil.copy(db, named)
            before = digest(db)
            for src in (db, named):
                rc, out, err = run("report", src, "-o", page2)
                self.assertEqual(rc, 0, err)
                with open(page2, encoding="utf-8") as f:
                    html = f.read()
                self.assertIn("Study: " + src, html)
                self.assertIn("<dt>study</dt><dd>16 of 16 tasks done", html)
                self.assertEqual(self.figure(html, "history").count('class="pt'), 8)
                self.assertEqual(html.count('class="pt'), 8 * 3)
                self.assertNotIn("study in progress", html)
            self.assertEqual(digest(db), before)  # read only: not a byte changed
            self.assertFalse(os.path.exists(db + "-wal"))
            # the same page as from the results file, but for where it came from
            rc, out, err = run("report", js, "-o", page)
            self.assertEqual(rc, 0, err)
            with open(page, encoding="utf-8") as f:
                from_json = f.read()

            def core(h):
                return [l for l in h.splitlines() if "Results: " not in l and "Study: " not in l
                        and "<dt>study</dt>" not in l and not l.startswith("<footer>")]
            self.assertEqual(core(html), core(from_json))
            # a study whose results do not fit the report's first buffer (64 KiB)
            big = os.path.join(tmp, "big.db")
            rc, out, err = run("search", "--dataset", "iris", "--model", "dummy", "--space",
                               "strategy: prior|most_frequent|stratified|uniform; "
                               "seed: randint(0, 1000000)", "--n-iter", "400", "--cv", "2",
                               "--quiet", "--study", big, "--results", js)
            self.assertEqual(rc, 0, err)
            self.assertGreater(os.path.getsize(js), 1 << 16)
            rc, out, err = run("report", big, "-o", page2)
            self.assertEqual(rc, 0, err)
            with open(page2, encoding="utf-8") as f:
                html = f.read()
            self.assertEqual(self.figure(html, "history").count('class="pt'), 400)
            self.assertIn("<dt>study</dt><dd>800 of 800 tasks done", html)
            # a results file named like a database is still read as JSON
            fake = os.path.join(tmp, "results.db")
            shutil.copy(js, fake)
            rc, out, err = run("report", fake, "-o", page2)
            self.assertEqual(rc, 0, err)
            # another program's SQLite file: refused, untouched
            other = os.path.join(tmp, "other.sqlite")
            con = sqlite3.connect(other)
            con.execute("CREATE TABLE notes(x TEXT)")
            con.commit()
            con.close()
            before = digest(other)
            rc, _, err = run("report", other, "-o", page2)
            self.assertEqual(rc, 1)
            self.assertIn("not a ctune study", err)
            self.assertEqual(digest(other), before)
            # a study with no task done yet: a clear error, no page
            empty = os.path.join(tmp, "empty.db")
            shutil.copy(db, empty)
            con = sqlite3.connect(empty)
            con.execute("DELETE FROM trials")
            con.commit()
            con.close()
            rc, _, err = run("report", empty, "-o", os.path.join(tmp, "none.html"))
            self.assertEqual(rc, 1)
            self.assertIn("no task done yet (0 of 16)", err)
            self.assertFalse(os.path.exists(os.path.join(tmp, "none.html")))

    def test_study_show_pruned_search(self):
        # the steps a pruner skipped count as done: a finished pruned search shows T of T
        with tempfile.TemporaryDirectory() as tmp:
            db, js = os.path.join(tmp, "p.db"), os.path.join(tmp, "p.json")
            rc, out, err = run("search", "--dataset", "iris", "--no-scale", "--pruner", "sha",
                               "--max-epochs", "9", "--n-iter", "10", "--cv", "2", "--space",
                               "learning_rate: loguniform(0.0001, 0.1); nn: 4|8",
                               "--study", db, "--quiet")
            self.assertEqual(rc, 0, err)
            rc, out, err = run("study", "export", db, "--results", js)
            self.assertEqual(rc, 0, err)
            with open(js) as f:
                trials = json.load(f)["trials"]
            pruned = {t["candidate"] for t in trials if t["state"] == "pruned"}
            self.assertGreater(len(pruned), 0)
            self.assertLess(len(trials), 10 * 9 * 2)
            rc, shown, err = run("study", "show", db)
            self.assertEqual(rc, 0, err)
            self.assertIn("tasks done: 180 of 180", shown)

    def test_study_show_export_read_only(self):
        # show and export write nothing: a study, a version 1 study, a foreign or empty file
        with tempfile.TemporaryDirectory() as tmp:
            db, js = os.path.join(tmp, "s.db"), os.path.join(tmp, "out.json")
            rc, out, err = run("search", "--dataset", "iris", "--model", "tree", "--space",
                               "max_depth: 1|2|3", "--n-iter", "3", "--cv", "2", "--quiet",
                               "--study", db)
            self.assertEqual(rc, 0, err)
            v1 = os.path.join(tmp, "v1.db")
            con = sqlite3.connect(v1)
            con.executescript(
                "CREATE TABLE meta(key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);"
                "CREATE TABLE trials(candidate INTEGER NOT NULL, split INTEGER NOT NULL,"
                " params TEXT NOT NULL, state TEXT NOT NULL, status INTEGER NOT NULL,"
                " score_failures INTEGER NOT NULL, scores BLOB NOT NULL, fit_time REAL,"
                " score_time REAL, error TEXT NOT NULL, history BLOB,"
                " PRIMARY KEY(candidate, split));"
                "CREATE TABLE claims(candidate INTEGER NOT NULL, split INTEGER NOT NULL,"
                " owner TEXT NOT NULL, heartbeat REAL NOT NULL, PRIMARY KEY(candidate, split));"
                "ATTACH DATABASE '%s' AS v2;"
                "INSERT INTO meta SELECT key, value FROM v2.meta WHERE key != 'n_tasks';"
                "INSERT INTO trials SELECT candidate, split, params, state, status,"
                " score_failures, scores, fit_time, score_time, error, history FROM v2.trials;"
                "PRAGMA user_version=1;" % db.replace("'", "''"))
            con.commit()
            con.close()
            for study in (db, v1):
                before = digest(study)
                rc, shown, err = run("study", "show", study)
                self.assertEqual(rc, 0, err)
                self.assertIn("tasks done: 6 of 6", shown)
                rc, out, err = run("study", "export", study, "--results", js)
                self.assertEqual(rc, 0, err)
                self.assertEqual(digest(study), before, study)
            con = sqlite3.connect(v1)
            self.assertEqual(con.execute("PRAGMA user_version").fetchone()[0], 1)
            con.close()
            other = os.path.join(tmp, "other.sqlite")
            con = sqlite3.connect(other)
            con.execute("CREATE TABLE notes(x TEXT)")
            con.commit()
            con.close()
            empty = os.path.join(tmp, "empty.db")
            open(empty, "wb").close()
            for bad in (other, empty):
                before = digest(bad)
                for args in (("show", bad), ("export", bad, "--results", js)):
                    rc, _, err = run("study", *args)
                    self.assertEqual(rc, 1, err)
                    self.assertIn("not a ctune study", err)
                    self.assertEqual(digest(bad), before, bad)

    @unittest.skipUnless(os.environ.get("CTUNE_TEST_HOOKS") == "1", "built without test hooks")
    def test_report_of_a_study_in_progress(self):
        with tempfile.TemporaryDirectory() as tmp:
            db, page = os.path.join(tmp, "s.db"), os.path.join(tmp, "s.html")
            env = dict(os.environ, CTUNE_TEST_STUDY_KILL="5:after")
            rc, out, err = run("search", "--dataset", "iris", "--model", "tree", "--space",
                               "max_depth: 1|2|3|4; criterion: gini|entropy", "--n-iter", "8",
                               "--cv", "2", "--quiet", "--study", db, env=env)
            self.assertEqual(rc, -signal.SIGKILL, err)
            rc, shown, err = run("study", "show", db)
            self.assertEqual(rc, 0, err)
            self.assertIn("tasks done: 5 of 16", shown)
            rc, out, err = run("report", db, "-o", page)
            self.assertEqual(rc, 0, err)
            with open(page, encoding="utf-8") as f:
                html = f.read()
            self.assertIn("study in progress: 5 of 16 tasks done", html)
            self.assertIn("<dt>status</dt><dd>partial", html)
            history = self.figure(html, "history")
            self.assertEqual(history.count('class="pt'), 8)
            # candidates 0 and 1 are done, 2 has one split of 2, 3..7 none
            self.assertEqual(history.count('class="pt incomplete"'), 6)
            self.assertEqual(html.count("<td>incomplete: splits not run</td>"), 6)
            rc, again, err = run("study", "show", db)
            self.assertEqual((rc, again), (0, shown))  # the report changed nothing

    def test_report_of_pruned_and_halving_searches(self):
        with tempfile.TemporaryDirectory() as tmp:
            js, page = os.path.join(tmp, "p.json"), os.path.join(tmp, "p.html")
            rc, out, err = run("search", "--dataset", "iris", "--no-scale", "--pruner", "sha",
                               "--max-epochs", "9", "--n-iter", "10", "--space",
                               "learning_rate: loguniform(0.0001, 0.1); nn: 4|8",
                               "--results", js, "--quiet")
            self.assertEqual(rc, 0, err)
            with open(js) as f:
                doc = json.load(f)
            pruned = doc["cv_results"]["pruned"]
            n_pruned = sum(pruned)
            self.assertGreater(n_pruned, 0)
            self.assertNotIn("state", doc["cv_results"])
            rc, out, err = run("report", js, "-o", page)
            self.assertEqual(rc, 0, err)
            with open(page, encoding="utf-8") as f:
                html = f.read()
            history = self.figure(html, "history")
            self.assertEqual(history.count('class="pt'), 10)
            not_best = sum(1 for i, p in enumerate(pruned) if p and i != doc["best_index"])
            self.assertEqual(history.count('class="pt pruned"'), not_best)
            self.assertIn("pruned (score at its last step)", history)  # the legend
            self.assertIn("%d trials were pruned" % n_pruned, history)  # the text alternative
            rungs = self.figure(html, "rungs")
            self.assertIn("Pruning: the step each trial reached", rungs)
            self.assertEqual(rungs.count('class="pt'), 10)
            self.assertEqual(html.count("<td>▽ pruned</td>"), n_pruned)
            self.assertIn("<dt>pruned</dt><dd>%d of 10 trials" % n_pruned, html)
            # successive halving on epochs, and Hyperband: the rungs plot
            for extra, cols in ((["--strategy", "halving", "--resource", "epochs",
                                  "--max-resources", "9", "--n-candidates", "9"], 2),
                                (["--strategy", "hyperband", "--max-epochs", "9"], 3)):
                rc, out, err = run("search", "--dataset", "iris", *extra, "--space",
                                   "learning_rate: 0.01|0.03|0.1; nn: 4|8|16",
                                   "--results", js, "--report", page, "--quiet")
                self.assertEqual(rc, 0, err)
                with open(js) as f:
                    n = json.load(f)["n_candidates"]
                with open(page, encoding="utf-8") as f:
                    html = f.read()
                rungs = self.figure(html, "rungs")
                self.assertIn("Successive halving rungs", rungs)
                self.assertEqual(rungs.count('class="pt'), n)
                self.assertEqual(self.figure(html, "history").count('class="pt'), n)
                self.assertIn('<th scope="col">rung</th>', html)
                self.assertEqual('<th scope="col">bracket</th>' in html, cols == 3)


if __name__ == "__main__":
    unittest.main()
