#!/usr/bin/env python3
"""Kill and resume: `ctune search --study` killed with SIGKILL inside and
after every commit, right after every claim (a candidate's three tasks
claimed in one transaction, none of them run), in the middle of the refit
and while writing the results, then resumed; the JSON results equal an
uninterrupted run's except the timing fields, and the saved model predicts
as the uninterrupted run's.

usage: kill_resume.py CTUNE TEST_HOOKS(0|1) IRIS_CSV"""
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

CTUNE = os.path.abspath(sys.argv[1])
HOOKS = sys.argv[2] == "1"
IRIS = os.path.abspath(sys.argv[3])
ARGS = ["search", "--dataset", "iris", "--model", "tree", "--space",
        "max_depth: 1|2|3|4|5|6; min_samples_leaf: 1|2|4", "--n-iter", "5", "--cv", "3",
        "--seed", "3", "--quiet"]
N_TASKS = 15


def run(tmp, extra, env=None):
    e = dict(os.environ)
    e.pop("CTUNE_TEST_STUDY_KILL", None)
    e.pop("CTUNE_TEST_WRITE_PAUSE", None)
    e.update(env or {})
    return subprocess.run([CTUNE] + ARGS + extra, cwd=tmp, env=e, capture_output=True,
                          text=True, timeout=60)


def strip_times(x):
    if isinstance(x, dict):
        return {k: strip_times(v) for k, v in x.items() if "time" not in k}
    if isinstance(x, list):
        return [strip_times(v) for v in x]
    return x


def results(path):
    with open(path) as f:
        return strip_times(json.load(f))


def done_in(tmp, study):
    """Tasks committed to the study (`ctune study show` counts the steps a
    pruner skipped as done too)."""
    con = sqlite3.connect(os.path.join(tmp, study))
    try:
        return con.execute("SELECT count(*) FROM trials").fetchone()[0]
    finally:
        con.close()


def claims_in(tmp, study):
    """The (candidate, rung, split) of the claims in the study, sorted."""
    con = sqlite3.connect(os.path.join(tmp, study))
    try:
        return sorted(con.execute("SELECT candidate, rung, split FROM claims").fetchall())
    finally:
        con.close()


def predictions(tmp, model):
    p = subprocess.run([CTUNE, "predict", "--model-file", model, "--data", IRIS, "--target",
                        "target"], cwd=tmp, capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert len(p.stdout.splitlines()) == 151, p.stdout[:200]
    return p.stdout


def clean(tmp):
    for f in os.listdir(tmp):
        if f.startswith("s.db") or f.startswith("out") or f.startswith("."):
            os.unlink(os.path.join(tmp, f))


def two_processes(tmp, ref):
    """Two processes on one study: one writes results equal to the serial
    run's, the other exits 0 (study complete)."""
    for _ in range(3):
        clean(tmp)
        e = dict(os.environ)
        e.pop("CTUNE_TEST_STUDY_KILL", None)
        procs = [subprocess.Popen([CTUNE] + ARGS[:-1] + ["--study", "s.db", "--results",
                                                         "out%d.json" % i], cwd=tmp, env=e,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for i in range(2)]
        outs = [p.communicate(timeout=60) for p in procs]
        for p, (_, err) in zip(procs, outs):
            assert p.returncode == 0, err
        written = [f for f in ("out0.json", "out1.json") if os.path.exists(os.path.join(tmp, f))]
        assert len(written) >= 1, outs
        for f in written:
            assert results(os.path.join(tmp, f)) == ref, "two processes: %s differs" % f
        if len(written) == 1:
            other = 1 - int(written[0][3])
            assert "study complete" in outs[other][1], outs[other][1]
    print("two processes on one study: the serial results")


def concurrent_create(tmp):
    """Four processes creating one new study at once all open it: switching
    a new file to WAL deadlocks two of them on the exclusive lock, and
    SQLite answers the loser at once without its busy handler."""
    e = dict(os.environ)
    e.pop("CTUNE_TEST_STUDY_KILL", None)
    for _ in range(10):
        clean(tmp)
        procs = [subprocess.Popen([CTUNE] + ARGS[:-1] + ["--study", "s.db"], cwd=tmp, env=e,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
                 for _ in range(4)]
        for p in procs:
            _, err = p.communicate(timeout=60)
            assert p.returncode == 0, err
    print("four processes created one study at once")


def stale_claims(tmp, ref):
    """A claim of a dead process is retried at once; a live owner's claim
    without heartbeat after claim_timeout."""
    import socket
    import sqlite3
    host = socket.gethostname().split("/")[0]
    for owner, opts in (("999999999/%s/dead" % host, None),
                        ("1/%s/alive" % host, "claim_timeout=0.5")):
        clean(tmp)
        p = run(tmp, ["--study", "s.db", "--results", "out.json"],
                {"CTUNE_TEST_STUDY_KILL": "4:after"})
        assert p.returncode == -signal.SIGKILL
        db = sqlite3.connect(os.path.join(tmp, "s.db"))
        db.execute("INSERT INTO claims VALUES(3, 0, 0, ?, julianday('now'))", (owner,))
        db.execute("UPDATE claims SET heartbeat=? WHERE owner=?", (time.time(), owner))
        db.commit()
        db.close()
        extra = ["--study-options", opts] if opts else []
        p = run(tmp, ["--study", "s.db", "--results", "out.json"] + extra)
        assert p.returncode == 0, p.stderr
        assert results(os.path.join(tmp, "out.json")) == ref, owner
    print("stale claims retried")


def cli(tmp, *args):
    return subprocess.run([CTUNE] + list(args), cwd=tmp, capture_output=True, text=True,
                          timeout=60)


def cli_study(tmp, ref):
    """ctune study show|export, and their bad input."""
    clean(tmp)
    p = run(tmp, ["--study", "s.db"])
    assert p.returncode == 0, p.stderr
    p = cli(tmp, "study", "show", "s.db")
    assert p.returncode == 0 and "tasks done: 15 of 15" in p.stdout, p.stdout + p.stderr
    best = [l for l in p.stdout.splitlines() if l.startswith("1 ")]
    assert best and "%.4f" % ref["best_score"] in best[0], p.stdout
    p = cli(tmp, "study", "export", "s.db", "--results", "out.json")
    assert p.returncode == 0, p.stderr
    with open(os.path.join(tmp, "out.json")) as f:
        j = json.load(f)
    assert j["tasks_done"] == 15 and len(j["trials"]) == 15
    for t in j["trials"]:
        col = "split%d_test_score" % t["split"]
        assert t["state"] == "done" and t["scores"][0] == ref["cv_results"][col][t["candidate"]]
    p = cli(tmp, "study", "export", "s.db", "--results=out.csv")
    assert p.returncode == 0, p.stderr
    with open(os.path.join(tmp, "out.csv")) as f:
        rows = f.read().splitlines()
    assert rows[0].startswith("candidate,split,state,params") and len(rows) == 16
    size = os.path.getsize(os.path.join(tmp, "s.db"))
    p = cli(tmp, "study")
    assert p.returncode == 2 and p.stderr.startswith("usage: ctune study"), p.stderr
    bad = [("study", "list", "s.db"), ("study", "show"),
           ("study", "show", "missing.db"), ("study", "show", "s.db", "--results", "x.csv"),
           ("study", "export", "s.db"), ("study", "export", "s.db", "--results", "x.txt"),
           ("study", "export", "s.db", "--results", "s.db"),
           ("study", "export", "s.db", "--results", "nodir/x.csv"),
           ("search", "--study-options", "fresh=true"), ("search", "--study", ""),
           ("search", "--study", "s.db", "--results", "s.db")]
    for args in bad:
        p = cli(tmp, *args)
        assert p.returncode == 2 and p.stderr.count("\n") == 1, (args, p.returncode, p.stderr)
    assert os.path.getsize(os.path.join(tmp, "s.db")) == size
    assert not os.path.exists(os.path.join(tmp, "missing.db"))
    # library errors: exit 1 with the message
    p = cli(tmp, *ARGS, "--study", "s.db", "--study-options", "durability=fast")
    assert p.returncode == 1 and "durability must be normal or full" in p.stderr, p.stderr
    p = cli(tmp, *(ARGS[:-3] + ["--seed", "4", "--quiet", "--study", "s.db"]))
    assert p.returncode == 1 and "belongs to another search" in p.stderr, p.stderr
    with open(os.path.join(tmp, "foreign.csv"), "w") as f:
        f.write("a,b\n1,2\n")
    p = cli(tmp, "study", "show", "foreign.csv")
    assert p.returncode == 1 and "not a ctune study" in p.stderr, p.stderr
    print("ctune study show|export and their bad input")


# Searches of several runs: successive halving (rungs), TPE (proposals from
# the results before them), a pruner (steps of a warm-started MLP) and
# Hyperband (brackets), each on one study in one process at a time.
ADAPTIVE = {
    "halving": ["--model", "tree", "--space",
                "max_depth: 1|2|3|4|5|6; min_samples_leaf: 1|2|4", "--strategy", "halving"],
    "tpe": ["--model", "tree", "--space", "max_depth: 1|2|3|4|5|6; min_samples_leaf: 1|2|4",
            "--strategy", "tpe", "--n-iter", "8", "--tpe-batch", "2"],
    "pruner": ["--no-scale", "--pruner", "median", "--max-epochs", "4", "--n-iter", "8",
               "--space", "learning_rate: loguniform(0.0001, 0.1); nn: 4|8"],
    "hyperband": ["--strategy", "hyperband", "--max-epochs", "4", "--factor", "2",
                  "--space", "learning_rate: loguniform(0.01, 0.1); nn: 4|8"],
}


def adaptive(tmp):
    """Each strategy killed inside and after commits spread over its run and
    in the refit, then resumed: the results and the saved model's
    predictions equal the uninterrupted run's."""
    base = ["search", "--dataset", "iris", "--cv", "3", "--seed", "3", "--quiet"]

    def go(extra, env=None):
        e = dict(os.environ)
        e.pop("CTUNE_TEST_STUDY_KILL", None)
        e.update(env or {})
        return subprocess.run([CTUNE] + base + extra, cwd=tmp, env=e, capture_output=True,
                              text=True, timeout=120)

    n_points = 0
    for name, args in ADAPTIVE.items():
        clean(tmp)
        p = go(args + ["--results", "ref.json", "--save-model", "ref.ctm"])
        assert p.returncode == 0, (name, p.stderr)
        ref = results(os.path.join(tmp, "ref.json"))
        ref_pred = predictions(tmp, "ref.ctm")
        p = go(args + ["--study", "s.db"])
        assert p.returncode == 0, (name, p.stderr)
        total = done_in(tmp, "s.db")
        ks = sorted({1, 2, total // 3, total // 2, total - 1, total})
        points = [("%d:in" % k, k - 1) for k in ks if k >= 1]
        points += [("%d:after" % k, k) for k in ks if k >= 1] + [("refit", total)]
        for point, committed in points:
            clean(tmp)
            p = go(args + ["--study", "s.db", "--results", "out.json"],
                   {"CTUNE_TEST_STUDY_KILL": point})
            assert p.returncode == -signal.SIGKILL, "%s %s: exit %s, not killed: %s" % (
                name, point, p.returncode, p.stderr)
            assert not os.path.exists(os.path.join(tmp, "out.json")), (name, point)
            got = done_in(tmp, "s.db")
            assert got == committed, "%s %s: %d tasks committed, expected %d" % (
                name, point, got, committed)
            p = go(args + ["--study", "s.db", "--results", "out.json", "--save-model", "out.ctm"])
            assert p.returncode == 0, "%s %s: resume failed: %s" % (name, point, p.stderr)
            assert results(os.path.join(tmp, "out.json")) == ref, \
                "%s %s: resumed results differ from the uninterrupted run" % (name, point)
            assert predictions(tmp, "out.ctm") == ref_pred, \
                "%s %s: the resumed model predicts otherwise" % (name, point)
            assert done_in(tmp, "s.db") == total, (name, point)
            n_points += 1
        # a pruned search marks its stopped trials
        if name == "pruner":
            p = cli(tmp, "study", "export", "s.db", "--results", "trials.json")
            assert p.returncode == 0, p.stderr
            with open(os.path.join(tmp, "trials.json")) as f:
                trials = json.load(f)["trials"]
            pruned = {t["candidate"] for t in trials if t["state"] == "pruned"}
            flags = ref["cv_results"]["pruned"]
            assert pruned == {c for c, v in enumerate(flags) if v}, (pruned, flags)
            assert pruned, "the test's pruner pruned nothing"
    print("%d kill points of halving, TPE, pruned and Hyperband searches resumed" % n_points)


STUB = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cli", "tune_stub.sh")


def tune_shared(tmp):
    """Two `ctune tune --study` processes at once, then a third that
    continues after their trials; another tuner's settings are refused."""
    clean(tmp)
    args = [CTUNE, "tune", "--space", "x: uniform(0, 1)", "--sampler", "tpe", "--seed", "3",
            "--command", STUB + " slow {x}", "--study", "s.db", "--quiet"]
    procs = [subprocess.Popen(args + ["--n-trials", "4"], cwd=tmp, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    p = subprocess.run(args + ["--n-trials", "2"], cwd=tmp, capture_output=True, text=True,
                       timeout=120)
    assert p.returncode == 0, p.stderr
    assert "10 trials: 10 complete, 0 pruned, 0 failed" in p.stdout, p.stdout
    assert done_in(tmp, "s.db") == 10
    p = subprocess.run(args[:6] + ["--seed", "4"] + args[8:], cwd=tmp, capture_output=True,
                       text=True, timeout=120)
    assert p.returncode == 1 and "belongs to another search" in p.stderr, p.stderr
    p = cli(tmp, "tune", "--space", "x: 1", "--command", "true", "--study-options", "fresh=true")
    assert p.returncode == 2 and "--study-options goes with --study" in p.stderr, p.stderr
    print("ctune tune: two processes and a third on one study")


def main():
    if not HOOKS:
        print("built without test_hooks: the kill points need CTUNE_TEST_STUDY_KILL")
        return 77
    tmp = tempfile.mkdtemp(prefix="ctune_kill_")
    try:
        p = run(tmp, ["--results", "ref.json", "--save-model", "ref.ctm"])
        assert p.returncode == 0, p.stderr
        ref = results(os.path.join(tmp, "ref.json"))
        ref_pred = predictions(tmp, "ref.ctm")
        points = [("%d:in" % k, k - 1) for k in range(1, N_TASKS + 1)]
        points += [("%d:after" % k, k) for k in range(1, N_TASKS + 1)]
        # the n-th claim takes candidate n - 1's three splits at once
        points += [("%d:claimed" % n, 3 * (n - 1)) for n in range(1, N_TASKS // 3 + 1)]
        points.append(("refit", N_TASKS))  # every task committed, in the refit's fit
        points.append(("write", N_TASKS))  # the refit is done, the results half written
        for point, committed in points:
            for f in os.listdir(tmp):
                if f.startswith("s.db") or f.startswith("out") or f.startswith("."):
                    os.unlink(os.path.join(tmp, f))
            if point == "write":
                marker = os.path.join(tmp, "paused")
                proc = subprocess.Popen(
                    [CTUNE] + ARGS + ["--study", "s.db", "--results", "out.json"], cwd=tmp,
                    env=dict(os.environ, CTUNE_TEST_WRITE_PAUSE=marker),
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                for _ in range(3000):
                    if os.path.exists(marker) or proc.poll() is not None:
                        break
                    time.sleep(0.01)
                assert os.path.exists(marker), "the write pause was not reached"
                proc.send_signal(signal.SIGKILL)
                rc = proc.wait()
                os.unlink(marker)
            else:
                p = run(tmp, ["--study", "s.db", "--results", "out.json"],
                        {"CTUNE_TEST_STUDY_KILL": point})
                rc = p.returncode
            assert rc == -signal.SIGKILL, "%s: exit %s, not killed" % (point, rc)
            assert not os.path.exists(os.path.join(tmp, "out.json")), point
            got = done_in(tmp, "s.db")
            assert got == committed, "%s: %d tasks committed, expected %d" % (
                point, got, committed)
            if point.endswith(":claimed"):
                # the dead process holds the candidate's three tasks, none run
                c = committed // 3
                assert claims_in(tmp, "s.db") == [(c, 0, 0), (c, 0, 1), (c, 0, 2)], (
                    point, claims_in(tmp, "s.db"))
            p = run(tmp, ["--study", "s.db", "--results", "out.json", "--save-model",
                          "out.ctm"])
            assert p.returncode == 0, "%s: resume failed: %s" % (point, p.stderr)
            assert results(os.path.join(tmp, "out.json")) == ref, \
                "%s: resumed results differ from the uninterrupted run" % point
            assert done_in(tmp, "s.db") == N_TASKS
            assert claims_in(tmp, "s.db") == [], (point, claims_in(tmp, "s.db"))
            if point in ("refit", "write", "1:in", "%d:after" % N_TASKS):
                assert predictions(tmp, "out.ctm") == ref_pred, \
                    "%s: the resumed model predicts otherwise" % point
        print("%d kill points resumed to the uninterrupted results" % len(points))
        concurrent_create(tmp)
        two_processes(tmp, ref)
        stale_claims(tmp, ref)
        cli_study(tmp, ref)
        adaptive(tmp)
        tune_shared(tmp)
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
