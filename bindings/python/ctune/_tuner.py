"""Tuner: ask / tell for training loops written in Python (Optuna's shape).

Experimental in the C library (the ctune_tuner_* functions of the
experimental block of ctune.h); the Python surface follows Optuna's names:
ask() gives a trial with .number and .params, trial.report(value, step) and
trial.should_prune() talk to the pruner, tell(trial, value) closes it, and
optimize(func, n_trials=, timeout=) runs an objective."""

import ctypes
import math

from ._errors import callback_failed, check, OK, EUSER
from ._model_selection import _space
from ._native import C, c_void_p, call_cancellable
from ._params import Params, to_dict

_P = ctypes.POINTER
for _n, _r, _a in [
    ("ctune_tuner_new", ctypes.c_int, [_P(c_void_p), c_void_p, ctypes.c_char_p]),
    ("ctune_tuner_free", None, [c_void_p]),
    ("ctune_tuner_ask", ctypes.c_int, [_P(ctypes.c_size_t), _P(c_void_p), c_void_p]),
    ("ctune_tuner_report", ctypes.c_int, [_P(ctypes.c_int), c_void_p, ctypes.c_size_t,
                                          ctypes.c_int64, ctypes.c_double]),
    ("ctune_tuner_tell", ctypes.c_int, [c_void_p, ctypes.c_size_t, ctypes.c_double]),
    ("ctune_tuner_tell_pruned", ctypes.c_int, [c_void_p, ctypes.c_size_t]),
    ("ctune_tuner_tell_failed", ctypes.c_int, [c_void_p, ctypes.c_size_t, ctypes.c_char_p]),
    ("ctune_tuner_n_trials", ctypes.c_size_t, [c_void_p]),
    ("ctune_tuner_trial", ctypes.c_int, [_P(ctypes.c_int), _P(ctypes.c_double), _P(c_void_p),
                                         c_void_p, ctypes.c_size_t]),
    ("ctune_tuner_best", ctypes.c_int, [_P(ctypes.c_size_t), _P(ctypes.c_double), c_void_p]),
    ("ctune_tuner_results_csv", ctypes.c_int, [c_void_p, ctypes.c_char_p]),
    ("ctune_tuner_results_json", ctypes.c_int, [c_void_p, ctypes.c_char_p]),
    ("ctune_tuner_optimize", ctypes.c_int, [c_void_p, c_void_p, c_void_p, ctypes.c_char_p]),
    ("ctune_tuner_stopped_by", ctypes.c_char_p, [c_void_p]),
    ("ctune_trial_report", ctypes.c_int, [c_void_p, ctypes.c_int64, ctypes.c_double]),
    ("ctune_trial_should_prune", ctypes.c_int, [c_void_p]),
    ("ctune_trial_number", ctypes.c_size_t, [c_void_p]),
    ("ctune_params_to_text", ctypes.c_long, [ctypes.c_char_p, ctypes.c_size_t, c_void_p]),
]:
    C.declare(_n, _r, _a)

_OBJECTIVE = ctypes.CFUNCTYPE(ctypes.c_int, c_void_p, c_void_p, _P(ctypes.c_double), c_void_p)

STATES = ("running", "complete", "pruned", "failed")


class TrialPruned(Exception):
    """Raise it from an objective after should_prune() said so (optuna.TrialPruned)."""


class Trial:
    """One trial: .number, .params (a dict), report(value, step), should_prune()."""

    def __init__(self, tuner, number, params, ctx=None):
        self._tuner = tuner
        self._ctx = ctx
        self.number = number
        self.params = params
        self._prune = False

    def report(self, value, step):
        """Records an intermediate value at `step` (increasing, >= 0) and asks the pruner."""
        if self._ctx is not None:
            check(C.ctune_trial_report(self._ctx, int(step), float(value)))
            self._prune = bool(C.ctune_trial_should_prune(self._ctx))
        else:
            flag = ctypes.c_int(0)
            check(C.ctune_tuner_report(ctypes.byref(flag), self._tuner._h, self.number, int(step),
                                       float(value)))
            self._prune = bool(flag.value)

    def should_prune(self):
        """Whether the pruner said stop at the last report (or an optimize budget ran out)."""
        if self._ctx is not None:
            return bool(C.ctune_trial_should_prune(self._ctx))
        return self._prune

    def __repr__(self):
        return "Trial(number=%d, params=%r)" % (self.number, self.params)


class FrozenTrial:
    """A row of the trials table: number, state, value, params."""

    def __init__(self, number, state, value, params):
        self.number, self.state, self.value, self.params = number, state, value, params

    def __repr__(self):
        return "FrozenTrial(number=%d, state=%r, value=%r, params=%r)" % (
            self.number, self.state, self.value, self.params)


def _options_text(d):
    p = Params({k: v for k, v in d.items() if v is not None})
    n = C.ctune_params_to_text(None, 0, p.handle)
    check(n if n < 0 else OK)
    buf = ctypes.create_string_buffer(n + 1)
    C.ctune_params_to_text(buf, n + 1, p.handle)
    return buf.value


class Tuner:
    """Ask / tell tuner over a space (a dict as the searches take: lists, or
    ctune.uniform / loguniform / randint and scipy's).

    Tuner(space, sampler="random"|"grid"|"tpe", seed=0, direction="maximize"|"minimize",
    pruner="none"|"median"|"sha", **pruner_options). Proposals depend only on
    the seed and the order of tell calls."""

    def __init__(self, space, sampler="random", seed=0, direction="maximize", pruner="none",
                 **pruner_options):
        self._h = None
        text = _options_text(dict(sampler=sampler, seed=int(seed), direction=direction,
                                  pruner=pruner, **pruner_options))
        # a scipy distribution other than uniform / loguniform / randint is
        # drawn 256 times here (seeded), and the tuner samples those points
        sp = _space(space, 256, int(seed))
        h = c_void_p()
        try:
            check(C.ctune_tuner_new(ctypes.byref(h), sp, text))
        finally:
            C.ctune_space_free(sp)
        self._h = h
        self.direction = direction

    def __del__(self):
        h = getattr(self, "_h", None)
        if h:
            C.ctune_tuner_free(h)
            self._h = None

    def ask(self):
        """Opens a trial and returns it (its params proposed by the sampler)."""
        n = ctypes.c_size_t()
        p = c_void_p()
        check(C.ctune_tuner_ask(ctypes.byref(n), ctypes.byref(p), self._h))
        return Trial(self, n.value, to_dict(p))

    def report(self, trial, value, step):
        """Same as trial.report(value, step); returns should_prune."""
        t = trial if isinstance(trial, Trial) else Trial(self, int(trial), None)
        t.report(value, step)
        return t.should_prune()

    @staticmethod
    def _number(trial):
        return trial.number if isinstance(trial, (Trial, FrozenTrial)) else int(trial)

    def tell(self, trial, value=None, state=None):
        """Closes a trial (a Trial or its number) with its value; state="pruned" or
        "fail" (value ignored) as Optuna's TrialState. A NaN or missing value fails the
        trial and raises ValueError; telling a trial twice raises CtuneError."""
        n = self._number(trial)
        if state == "pruned":
            check(C.ctune_tuner_tell_pruned(self._h, n))
        elif state in ("fail", "failed"):
            check(C.ctune_tuner_tell_failed(self._h, n, b"failed"))
        elif state not in (None, "complete"):
            raise ValueError("state must be 'complete', 'pruned' or 'fail', got %r" % (state,))
        else:
            check(C.ctune_tuner_tell(self._h, n, float("nan") if value is None else float(value)))

    def optimize(self, func, n_trials=None, timeout=None, n_jobs=1):
        """Runs func(trial) -> value on new trials until n_trials ran or timeout
        seconds passed (no trial starts after). An objective that raises TrialPruned
        after should_prune() is a pruned trial; any other exception, or a NaN or None
        value, is a failed trial with the reason in the table, and the run goes on."""
        opts = {"n_trials": None if n_trials is None else int(n_trials),
                "timeout": None if timeout is None else float(timeout),
                "n_jobs": int(n_jobs)}
        text = _options_text(opts)

        def objective(params, ctx, value, user):
            try:
                t = Trial(self, C.ctune_trial_number(ctx), to_dict(params), ctx)
                v = func(t)
                value[0] = float("nan") if v is None else float(v)
                return OK
            except TrialPruned:
                if C.ctune_trial_should_prune(ctx):
                    return OK
                return callback_failed(RuntimeError("TrialPruned raised but the pruner "
                                                    "did not ask to prune"))
            except Exception as exc:  # noqa: BLE001 - a failed trial, as documented
                return callback_failed(exc)

        cb = _OBJECTIVE(objective)
        st = call_cancellable(C.ctune_tuner_optimize,
                              (self._h, ctypes.cast(cb, c_void_p), None, text), lambda: None)
        check(st)

    @property
    def stopped_by(self):
        """Which budget ended the last optimize: "n_trials", "timeout", "grid" or None."""
        s = C.ctune_tuner_stopped_by(self._h)
        return s.decode() if s else None

    @property
    def trials(self):
        """Every trial so far, in ask order, as FrozenTrial rows."""
        out = []
        for i in range(C.ctune_tuner_n_trials(self._h)):
            state, value, p = ctypes.c_int(), ctypes.c_double(), c_void_p()
            check(C.ctune_tuner_trial(ctypes.byref(state), ctypes.byref(value), ctypes.byref(p),
                                      self._h, i))
            v = None if math.isnan(value.value) else value.value
            out.append(FrozenTrial(i, STATES[state.value], v, to_dict(p)))
        return out

    @property
    def best_trial(self):
        """The best complete trial (CtuneError when none is complete)."""
        n, v = ctypes.c_size_t(), ctypes.c_double()
        check(C.ctune_tuner_best(ctypes.byref(n), ctypes.byref(v), self._h))
        return self.trials[n.value]

    @property
    def best_value(self):
        return self.best_trial.value

    @property
    def best_params(self):
        return self.best_trial.params

    def results_csv(self, path):
        """Writes the trials table as CSV (the search results schema)."""
        check(C.ctune_tuner_results_csv(self._h, str(path).encode()))

    def results_json(self, path):
        """Writes the trials table as JSON (the search results schema)."""
        check(C.ctune_tuner_results_json(self._h, str(path).encode()))
