"""cross_val_score, RandomizedSearchCV, GridSearchCV and TPESearchCV over any estimator."""

import ctypes


from ._data import _np, out_array
from ._estimator import Estimator, _as_data
from ._errors import check
from ._native import C, c_void_p, call_cancellable
from ._params import to_dict

for _n, _r, _a in [
    ("ctune_cross_val_score", ctypes.c_int, [c_void_p, c_void_p, ctypes.c_int, ctypes.c_char_p,
                                             ctypes.POINTER(ctypes.c_double)]),
    ("ctune_space_new", ctypes.c_int, [ctypes.POINTER(c_void_p)]),
    ("ctune_space_free", None, [c_void_p]),
    ("ctune_space_add_text", ctypes.c_int, [c_void_p, ctypes.c_char_p]),
    ("ctune_space_add_texts", ctypes.c_int, [c_void_p, ctypes.c_char_p,
                                             ctypes.POINTER(ctypes.c_char_p), ctypes.c_size_t]),
    ("ctune_search_new_randomized", ctypes.c_int, [ctypes.POINTER(c_void_p), c_void_p, c_void_p,
                                                   ctypes.c_size_t, ctypes.c_uint64]),
    ("ctune_search_new_grid", ctypes.c_int, [ctypes.POINTER(c_void_p), c_void_p, c_void_p]),
    ("ctune_search_new_tpe", ctypes.c_int, [ctypes.POINTER(c_void_p), c_void_p, c_void_p,
                                            ctypes.c_size_t, ctypes.c_uint64, ctypes.c_char_p]),
    ("ctune_search_free", None, [c_void_p]),
    ("ctune_search_set_options", ctypes.c_int, [c_void_p, ctypes.c_char_p]),
    ("ctune_search_set_cv", ctypes.c_int, [c_void_p, ctypes.c_size_t]),
    ("ctune_search_set_n_jobs", ctypes.c_int, [c_void_p, ctypes.c_long]),
    ("ctune_search_set_scoring", ctypes.c_int, [c_void_p, ctypes.c_char_p]),
    ("ctune_search_set_refit", ctypes.c_int, [c_void_p, ctypes.c_int, ctypes.c_char_p]),
    ("ctune_search_fit", ctypes.c_int, [c_void_p, c_void_p]),
    ("ctune_search_best_score", ctypes.c_int, [c_void_p, ctypes.POINTER(ctypes.c_double)]),
    ("ctune_search_best_index", ctypes.c_int, [c_void_p, ctypes.POINTER(ctypes.c_size_t)]),
    ("ctune_search_best_params", c_void_p, [c_void_p]),
    ("ctune_search_take_best_estimator", ctypes.c_int, [ctypes.POINTER(c_void_p), c_void_p]),
    ("ctune_search_n_candidates", ctypes.c_size_t, [c_void_p]),
    ("ctune_search_candidate_params", c_void_p, [c_void_p, ctypes.c_size_t]),
    ("ctune_search_n_columns", ctypes.c_size_t, [c_void_p]),
    ("ctune_search_column_name", ctypes.c_char_p, [c_void_p, ctypes.c_size_t]),
    ("ctune_search_result_text", ctypes.c_long, [c_void_p, ctypes.c_char_p, ctypes.c_size_t,
                                                 ctypes.c_char_p, ctypes.c_size_t]),
]:
    C.declare(_n, _r, _a)


class _Dist:
    def __init__(self, text):
        self.text = text


def uniform(lo, hi):
    """Uniform on [lo, hi) (note: scipy's uniform takes loc, scale)."""
    return _Dist("uniform(%r, %r)" % (float(lo), float(hi)))


def loguniform(lo, hi):
    """Log-uniform on [lo, hi), as scipy.stats.loguniform(lo, hi)."""
    return _Dist("loguniform(%r, %r)" % (float(lo), float(hi)))


def randint(lo, hi):
    """Integers in [lo, hi), as scipy.stats.randint(lo, hi)."""
    return _Dist("randint(%d, %d)" % (int(lo), int(hi)))


def _value_text(v):
    if v is None:
        return "none"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, int):
        return str(v)
    if _np is not None and isinstance(v, _np.generic):
        return _value_text(v.item())
    s = str(v)
    return "'%s'" % s  # quoted: always a string


def _space(params):
    h = c_void_p()
    check(C.ctune_space_new(ctypes.byref(h)))
    try:
        for name, values in params.items():
            if isinstance(values, _Dist):
                check(C.ctune_space_add_text(h, ("%s: %s" % (name, values.text)).encode()))
                continue
            vals = [_value_text(v).encode() for v in values]
            arr = (ctypes.c_char_p * max(len(vals), 1))(*vals)
            check(C.ctune_space_add_texts(h, name.encode(), arr, len(vals)))
    except Exception:
        C.ctune_space_free(h)
        raise
    return h


def cross_val_score(estimator, X, y, cv=3, scoring=None):
    """One score per fold (StratifiedKFold for classifiers, KFold otherwise)."""
    data = _as_data(X, y)
    buf, ptr = out_array(cv)
    check(call_cancellable(C.ctune_cross_val_score,
                           (estimator._h, data.handle, int(cv),
                            scoring.encode() if scoring else None, ptr),
                           lambda: C.ctune_estimator_cancel(estimator._h)))
    scores = list(buf)[:cv]
    return _np.array(scores) if _np is not None else scores


def _number(text):
    if text in ("nan", "NaN"):
        return float("nan")
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return text


class _SearchBase:
    def __init__(self, estimator, cv=3, scoring=None, refit=True, n_jobs=1, error_score="nan",
                 return_train_score=False):
        self.estimator = estimator
        self.cv, self.scoring, self.refit, self.n_jobs = cv, scoring, refit, n_jobs
        # fixed words only: user values go through the typed setters
        self.options = "error_score=%s, return_train_score=%s" % (
            "raise" if error_score == "raise" else "nan",
            "true" if return_train_score else "false")
        self._h = None

    def _new(self, space):  # pragma: no cover - overridden
        raise NotImplementedError

    def fit(self, X, y):
        data = _as_data(X, y)
        space = _space(self.params)
        try:
            h = c_void_p()
            self._new(h, space)
        finally:
            C.ctune_space_free(space)
        if self._h:
            C.ctune_search_free(self._h)
        self._h = h
        if self.cv < 0:
            raise ValueError("cv must be >= 2 folds, got %d" % self.cv)
        check(C.ctune_search_set_cv(h, self.cv))
        check(C.ctune_search_set_n_jobs(h, self.n_jobs))
        check(C.ctune_search_set_scoring(h, self.scoring.encode() if self.scoring else None))
        metric = self.refit if isinstance(self.refit, str) else None
        check(C.ctune_search_set_refit(h, 1 if self.refit else 0,
                                       metric.encode() if metric else None))
        check(C.ctune_search_set_options(h, self.options.encode()))
        check(call_cancellable(C.ctune_search_fit, (h, data.handle),
                               lambda: C.ctune_search_cancel(h)))
        self._collect()
        return self

    def _collect(self):
        h = self._h
        v = ctypes.c_double()
        check(C.ctune_search_best_score(h, ctypes.byref(v)))
        self.best_score_ = v.value
        i = ctypes.c_size_t()
        check(C.ctune_search_best_index(h, ctypes.byref(i)))
        self.best_index_ = i.value
        self.best_params_ = to_dict(C.ctune_search_best_params(h))
        est = c_void_p()
        self.best_estimator_ = None
        if C.ctune_search_take_best_estimator(ctypes.byref(est), h) == 0:
            self.best_estimator_ = Estimator._adopt(est)
            self.best_estimator_._keep = getattr(self.estimator, "_keep", ())
        n = C.ctune_search_n_candidates(h)
        res = {}
        buf = ctypes.create_string_buffer(4096)
        for j in range(C.ctune_search_n_columns(h)):
            col = C.ctune_search_column_name(h, j)
            vals = []
            for k in range(n):
                C.ctune_search_result_text(h, col, k, buf, len(buf))
                vals.append(_number(buf.value.decode()))
            res[col.decode()] = vals
        res["params"] = [to_dict(C.ctune_search_candidate_params(h, k)) for k in range(n)]
        self.cv_results_ = res

    def predict(self, X):
        return self.best_estimator_.predict(X)

    def predict_proba(self, X):
        return self.best_estimator_.predict_proba(X)

    def score(self, X, y):
        return self.best_estimator_.score(X, y)

    def __del__(self):
        if getattr(self, "_h", None):
            C.ctune_search_free(self._h)
            self._h = None


class RandomizedSearchCV(_SearchBase):
    """RandomizedSearchCV(estimator, param_distributions, n_iter=10, cv=3, scoring=None,
    refit=True, n_jobs=1, random_state=0, error_score="nan", return_train_score=False).
    Lists are sampled without replacement when every entry is a list; use
    uniform/loguniform/randint for distributions."""

    def __init__(self, estimator, param_distributions, n_iter=10, random_state=0, **kw):
        super().__init__(estimator, **kw)
        self.params = dict(param_distributions)
        self.n_iter = n_iter
        self.random_state = random_state

    def _new(self, h, space):
        check(C.ctune_search_new_randomized(ctypes.byref(h), self.estimator._h, space,
                                            self.n_iter, self.random_state or 0))


class GridSearchCV(_SearchBase):
    """GridSearchCV(estimator, param_grid, cv=3, scoring=None, refit=True, n_jobs=1, ...)."""

    def __init__(self, estimator, param_grid, **kw):
        super().__init__(estimator, **kw)
        self.params = dict(param_grid)

    def _new(self, h, space):
        check(C.ctune_search_new_grid(ctypes.byref(h), self.estimator._h, space))


class TPESearchCV(_SearchBase):
    """TPESearchCV(estimator, param_distributions, n_trials=10, batch=1, n_startup_trials=10,
    n_ei_candidates=24, cv=3, scoring=None, refit=True, n_jobs=1, random_state=0, ...).

    Optuna's TPESampler (univariate, its defaults) as a search: n_trials candidates,
    each proposed from the cross-validated scores of those before it, in synchronous
    batches of `batch` (results depend on it, never on n_jobs). Lists are categorical;
    uniform/loguniform/randint are numerical. Experimental in the C library
    (ctune_search_new_tpe); docs/model-selection.md explains the estimator."""

    def __init__(self, estimator, param_distributions, n_trials=10, random_state=0, batch=1,
                 n_startup_trials=10, n_ei_candidates=24, **kw):
        super().__init__(estimator, **kw)
        self.params = dict(param_distributions)
        self.n_trials = n_trials
        self.random_state = random_state
        self.batch = batch
        self.n_startup_trials = n_startup_trials
        self.n_ei_candidates = n_ei_candidates

    def _new(self, h, space):
        opts = []
        for key in ("batch", "n_startup_trials", "n_ei_candidates"):
            v = getattr(self, key)
            if isinstance(v, bool) or not isinstance(v, int):
                raise ValueError("TPESearchCV: %s must be an int, got %r" % (key, v))
            opts.append("%s=%d" % (key, v))
        if isinstance(self.n_trials, bool) or not isinstance(self.n_trials, int) \
                or self.n_trials < 1:
            raise ValueError("TPESearchCV: n_trials must be an int >= 1, got %r" % (self.n_trials,))
        check(C.ctune_search_new_tpe(ctypes.byref(h), self.estimator._h, space, self.n_trials,
                                     self.random_state or 0, ", ".join(opts).encode()))
