"""ctune's cross_val_score, RandomizedSearchCV, GridSearchCV and TPESearchCV, run
by the C library, with scikit-learn's vocabulary: splitter objects or (train, test)
pairs as cv, scorer names / lists / dicts, scipy.stats distributions, lists
of parameter dicts, random_state as None / int / RandomState. Any estimator
with get_params / fit / predict can be tuned (scikit-learn's run as custom
estimators)."""

import ctypes
import numbers
import time
import warnings

import numpy as np

from . import _validation as V
from ._base import CLASSIFIER, BaseEstimator
from ._data import Data, x_array, y_array
from ._errors import callback_failed, check
from ._estimators import as_native
from ._native import C, c_void_p, call_cancellable
from ._params import to_dict

_sp = ctypes.POINTER(ctypes.c_size_t)
for _n, _r, _a in [
    ("ctune_cross_validate", ctypes.c_int, [ctypes.POINTER(c_void_p), c_void_p, c_void_p,
                                            c_void_p, ctypes.c_int, ctypes.c_char_p]),
    ("ctune_cv_results_free", None, [c_void_p]),
    ("ctune_cv_results_n_splits", ctypes.c_size_t, [c_void_p]),
    ("ctune_cv_results_column", ctypes.c_int, [ctypes.POINTER(ctypes.c_double), c_void_p,
                                               ctypes.c_char_p]),
    ("ctune_cv_results_n_warnings", ctypes.c_size_t, [c_void_p]),
    ("ctune_cv_results_warning", ctypes.c_char_p, [c_void_p, ctypes.c_size_t]),
    ("ctune_cv_results_error", ctypes.c_char_p, [c_void_p, ctypes.c_size_t]),
    ("ctune_kfold_new", ctypes.c_int, [ctypes.POINTER(c_void_p), ctypes.c_size_t, ctypes.c_int,
                                       ctypes.c_uint64]),
    ("ctune_stratified_kfold_new", ctypes.c_int, [ctypes.POINTER(c_void_p), ctypes.c_size_t,
                                                  ctypes.c_int, ctypes.c_uint64]),
    ("ctune_index_split_new", ctypes.c_int, [ctypes.POINTER(c_void_p), ctypes.c_size_t,
                                             ctypes.c_size_t, ctypes.POINTER(_sp), _sp,
                                             ctypes.POINTER(_sp), _sp]),
    ("ctune_splitter_free", None, [c_void_p]),
    ("ctune_space_new", ctypes.c_int, [ctypes.POINTER(c_void_p)]),
    ("ctune_space_free", None, [c_void_p]),
    ("ctune_space_add_text", ctypes.c_int, [c_void_p, ctypes.c_char_p]),
    ("ctune_space_add_texts", ctypes.c_int, [c_void_p, ctypes.c_char_p,
                                             ctypes.POINTER(ctypes.c_char_p), ctypes.c_size_t]),
    ("ctune_space_add_uniform", ctypes.c_int, [c_void_p, ctypes.c_char_p, ctypes.c_double,
                                               ctypes.c_double]),
    ("ctune_space_add_loguniform", ctypes.c_int, [c_void_p, ctypes.c_char_p, ctypes.c_double,
                                                  ctypes.c_double]),
    ("ctune_space_add_randint", ctypes.c_int, [c_void_p, ctypes.c_char_p, ctypes.c_int64,
                                               ctypes.c_int64]),
    ("ctune_search_new_randomized", ctypes.c_int, [ctypes.POINTER(c_void_p), c_void_p, c_void_p,
                                                   ctypes.c_size_t, ctypes.c_uint64]),
    ("ctune_search_new_grid", ctypes.c_int, [ctypes.POINTER(c_void_p), c_void_p, c_void_p]),
    ("ctune_search_new_halving", ctypes.c_int, [ctypes.POINTER(c_void_p), c_void_p, c_void_p,
                                                ctypes.c_int, ctypes.c_uint64, ctypes.c_char_p]),
    ("ctune_search_new_hyperband", ctypes.c_int, [ctypes.POINTER(c_void_p), c_void_p, c_void_p,
                                                  ctypes.c_uint64, ctypes.c_char_p]),
    ("ctune_search_n_rows", ctypes.c_size_t, [c_void_p]),
    ("ctune_search_row_params", c_void_p, [c_void_p, ctypes.c_size_t]),
    ("ctune_search_n_iterations", ctypes.c_size_t, [c_void_p]),
    ("ctune_search_n_possible_iterations", ctypes.c_size_t, [c_void_p]),
    ("ctune_search_n_required_iterations", ctypes.c_size_t, [c_void_p]),
    ("ctune_search_n_remaining_candidates", ctypes.c_size_t, [c_void_p]),
    ("ctune_search_n_resources", ctypes.c_int64, [c_void_p, ctypes.c_size_t]),
    ("ctune_search_n_candidates_at", ctypes.c_size_t, [c_void_p, ctypes.c_size_t]),
    ("ctune_search_min_resources", ctypes.c_int64, [c_void_p]),
    ("ctune_search_max_resources", ctypes.c_int64, [c_void_p]),
    ("ctune_search_best_index", ctypes.c_int, [ctypes.POINTER(ctypes.c_size_t), c_void_p]),
    ("ctune_search_new_tpe", ctypes.c_int, [ctypes.POINTER(c_void_p), c_void_p, c_void_p,
                                            ctypes.c_size_t, ctypes.c_uint64, ctypes.c_char_p]),
    ("ctune_search_free", None, [c_void_p]),
    ("ctune_search_set_options", ctypes.c_int, [c_void_p, ctypes.c_char_p]),
    ("ctune_search_set_splitter", ctypes.c_int, [c_void_p, c_void_p]),
    ("ctune_search_add_scorer", ctypes.c_int, [c_void_p, ctypes.c_char_p, c_void_p, c_void_p]),
    ("ctune_search_fit", ctypes.c_int, [c_void_p, c_void_p]),
    ("ctune_search_stopped_by", ctypes.c_char_p, [c_void_p]),
    ("ctune_search_has_results", ctypes.c_int, [c_void_p]),
    ("ctune_search_n_candidates", ctypes.c_size_t, [c_void_p]),
    ("ctune_search_n_splits", ctypes.c_size_t, [c_void_p]),
    ("ctune_search_candidate_params", c_void_p, [c_void_p, ctypes.c_size_t]),
    ("ctune_search_candidate_error", ctypes.c_char_p, [c_void_p, ctypes.c_size_t]),
    ("ctune_search_n_columns", ctypes.c_size_t, [c_void_p]),
    ("ctune_search_column_name", ctypes.c_char_p, [c_void_p, ctypes.c_size_t]),
    ("ctune_search_result", ctypes.c_int, [ctypes.POINTER(ctypes.c_double), c_void_p,
                                           ctypes.c_char_p, ctypes.c_size_t]),
    ("ctune_search_n_warnings", ctypes.c_size_t, [c_void_p]),
    ("ctune_search_warning", ctypes.c_char_p, [c_void_p, ctypes.c_size_t]),
    ("ctune_seed_derive", ctypes.c_uint64, [ctypes.c_uint64, ctypes.c_uint64]),
    ("ctune_estimator_predict", ctypes.c_int, [ctypes.POINTER(ctypes.c_double), c_void_p,
                                               c_void_p]),
    ("ctune_estimator_predict_proba", ctypes.c_int, [ctypes.POINTER(ctypes.c_double), c_void_p,
                                                     c_void_p]),
    ("ctune_estimator_n_outputs", ctypes.c_size_t, [c_void_p]),
]:
    C.declare(_n, _r, _a)


class FitFailedWarning(RuntimeWarning):
    """Some fits of a search failed (scikit-learn's class when installed)."""


def _fit_failed_warning():
    from ._errors import sklearn_class
    return sklearn_class("FitFailedWarning", FitFailedWarning)


# ---- distributions ------------------------------------------------------------

class _Dist:
    """A native distribution: sampled by the C library (so TPE and the CLI
    sample it the same way)."""

    def __init__(self, kind, lo, hi):
        self.kind, self.lo, self.hi = kind, lo, hi

    def __repr__(self):
        return "%s(%r, %r)" % (self.kind, self.lo, self.hi)


def uniform(lo, hi):
    """Uniform on [lo, hi) (scipy.stats.uniform(loc, scale) is mapped too)."""
    return _Dist("uniform", float(lo), float(hi))


def loguniform(lo, hi):
    """Log-uniform on [lo, hi), as scipy.stats.loguniform(lo, hi)."""
    return _Dist("loguniform", float(lo), float(hi))


def randint(lo, hi):
    """Integers in [lo, hi), as scipy.stats.randint(lo, hi)."""
    return _Dist("randint", int(lo), int(hi))


def _native_dist(d):
    """scipy.stats frozen uniform / loguniform / randint as a _Dist, else None."""
    dist = getattr(d, "dist", None)
    name = getattr(dist, "name", None)
    if name is None or not hasattr(d, "rvs"):
        return None
    args, kw = tuple(getattr(d, "args", ())), dict(getattr(d, "kwds", {}))
    try:
        if name == "uniform":
            loc = kw.pop("loc", args[0] if len(args) > 0 else 0.0)
            scale = kw.pop("scale", args[1] if len(args) > 1 else 1.0)
            return uniform(loc, loc + scale) if not kw else None
        if name in ("loguniform", "reciprocal"):
            a, b = args[:2] if len(args) >= 2 else (kw.pop("a"), kw.pop("b"))
            if kw.get("loc", 0) == 0 and kw.get("scale", 1) == 1 and len(args) <= 2:
                return loguniform(a, b)
            return None
        if name == "randint":
            low, high = args[:2] if len(args) >= 2 else (kw.pop("low"), kw.pop("high"))
            loc = kw.get("loc", args[2] if len(args) > 2 else 0)
            return randint(low + loc, high + loc)
    except (KeyError, ValueError, TypeError):
        return None
    return None


def _value_text(v):
    if v is None:
        return "none"
    if isinstance(v, (bool, np.bool_)):
        return "true" if v else "false"
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return "'%s'" % v.replace("'", "\\'")
    raise TypeError("parameter value %r (%s) cannot be searched: use numbers, strings, "
                    "booleans or None" % (v, type(v).__name__))


def _space(params, n_iter, seed):
    """A C space from one param dict. Lists, native distributions and
    scipy's uniform / loguniform / randint map to the C space; any other
    distribution (an object with rvs) is sampled here: n_iter draws from a
    seed derived from the search's, which the C sampler then picks from."""
    if not isinstance(params, dict) or not params:
        raise TypeError("a parameter space must be a non-empty dict of name -> list or "
                        "distribution, got %r" % (params,))
    h = c_void_p()
    check(C.ctune_space_new(ctypes.byref(h)))
    try:
        for i, (name, values) in enumerate(sorted(params.items())):
            key = name.encode()
            d = values if isinstance(values, _Dist) else _native_dist(values)
            if d is not None:
                fn = {"uniform": C.ctune_space_add_uniform,
                      "loguniform": C.ctune_space_add_loguniform,
                      "randint": C.ctune_space_add_randint}[d.kind]
                check(fn(h, key, d.lo, d.hi))
                continue
            if hasattr(values, "rvs"):
                rs = np.random.RandomState(C.ctune_seed_derive(seed, 0x5C1 + i) % (2 ** 32))
                values = list(np.asarray(values.rvs(size=max(n_iter, 1), random_state=rs)))
            elif isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
                raise TypeError("parameter %r: expected a list or a distribution, got %r"
                                % (name, values))
            vals = [_value_text(v).encode() for v in values]
            if not vals:
                raise ValueError("parameter %r: the list of values is empty" % name)
            arr = (ctypes.c_char_p * len(vals))(*vals)
            check(C.ctune_space_add_texts(h, key, arr, len(vals)))
    except BaseException:
        C.ctune_space_free(h)
        raise
    return h


# ---- cv, scoring, seeds -------------------------------------------------------

class _Splitter:
    """Owns a C splitter (or none, for an int cv)."""

    def __init__(self, cv, X, y, groups, classifier):
        self.ptr, self.cv = None, 0
        if cv is None:
            cv = 5
        if isinstance(cv, numbers.Integral) and not isinstance(cv, bool):
            self.cv = int(cv)
            return
        if isinstance(cv, (str, bytes)):
            raise ValueError("Expected cv as an integer, cross-validation object (from "
                             "sklearn.model_selection) or an iterable. Got %r." % (cv,))
        if hasattr(cv, "split"):
            pairs = list(cv.split(X, y, groups))
        elif hasattr(cv, "__iter__"):
            pairs = list(cv)
        else:
            raise ValueError("Expected cv as an integer, cross-validation object (from "
                             "sklearn.model_selection) or an iterable. Got %r." % (cv,))
        if not pairs:
            raise ValueError("cv gave no (train, test) pairs")
        n = X.shape[0]
        keep, tr_ptrs, te_ptrs = [], [], []
        n_tr, n_te = [], []
        for k, pair in enumerate(pairs):
            try:
                tr, te = pair
            except (TypeError, ValueError):
                raise ValueError("cv item %d is not a (train, test) pair" % k) from None
            tr, te = (self._indices(a, n, k) for a in (tr, te))
            keep += [tr, te]
            tr_ptrs.append(tr.ctypes.data_as(_sp))
            te_ptrs.append(te.ctypes.data_as(_sp))
            n_tr.append(len(tr))
            n_te.append(len(te))
        m = len(pairs)
        h = c_void_p()
        check(C.ctune_index_split_new(ctypes.byref(h), n, m, (_sp * m)(*tr_ptrs),
                                      (ctypes.c_size_t * m)(*n_tr), (_sp * m)(*te_ptrs),
                                      (ctypes.c_size_t * m)(*n_te)))
        self.ptr = h

    @staticmethod
    def _indices(a, n, k):
        a = np.asarray(a)
        if a.dtype == bool:
            a = np.flatnonzero(a)
        if a.dtype.kind not in "iu":
            raise ValueError("cv split %d: indices must be integers, got %s" % (k, a.dtype))
        if len(a) and (a.min() < 0 or a.max() >= n):
            raise ValueError("cv split %d: index %d is outside the %d rows"
                             % (k, a.min() if a.min() < 0 else a.max(), n))
        return np.ascontiguousarray(a, dtype=np.uintp)

    def __del__(self):
        if getattr(self, "ptr", None):
            C.ctune_splitter_free(self.ptr)
            self.ptr = None


def _scoring(scoring):
    """(C scoring text or None, {display name: C name}, {C name: callable})
    for scikit-learn's scoring forms: None, a name, a list / tuple of names,
    a dict of name -> name or scorer, or a scorer callable
    scorer(estimator, X, y). A scorer object made from a named scorer
    (get_scorer("accuracy")) runs as that C scorer; other callables run in
    Python, called by the C search (ctune_search_add_scorer)."""
    if scoring is None:
        return None, {"score": None}, {}
    if isinstance(scoring, str):
        return scoring, {"score": scoring}, {}
    customs = {}

    def c_name(s, key):
        if isinstance(s, str):
            return s
        name = _scorer_name(s, callable_ok=True)
        if name is not None:
            return name
        if not callable(s):
            raise ValueError("scoring %r is neither a scorer name nor a callable" % (s,))
        name = key if key and all(ch.isalnum() or ch in "_." for ch in key) else \
            "custom_%d" % len(customs)
        name = "py_" + name if name in _known_scorers() else name
        customs[name] = s
        return name

    if isinstance(scoring, (list, tuple, set)):
        names = [c_name(s, None) for s in scoring]
        return "|".join(names), {n: n for n in names}, customs
    if isinstance(scoring, dict):
        mapping = {k: c_name(v, k) for k, v in scoring.items()}
        return "|".join(mapping.values()), mapping, customs
    name = c_name(scoring, "score")
    return name, {"score": name}, customs


class _Fitted:
    """What a scorer callable receives: the fitted C estimator of one
    (candidate, split) task, predicting the original labels."""

    def __init__(self, ptr, kind, classes, c_classes):
        self._ptr, self._kind = ptr, kind
        if classes is not None:
            self.classes_ = classes
            self._c_classes = c_classes
        self._estimator_type = {CLASSIFIER: "classifier", 2: "regressor"}.get(kind)

    def _run(self, fn, X, cols):
        Xa = V.check_X(X, self)
        data = Data(Xa)
        out = np.empty((Xa.shape[0], cols))
        check(fn(out.ctypes.data_as(ctypes.POINTER(ctypes.c_double)), self._ptr, data.handle))
        return out

    def predict(self, X):
        if self._kind == CLASSIFIER:
            raw = self._run(C.ctune_estimator_predict, X, 1)[:, 0]
            return self.classes_[np.searchsorted(self._c_classes, raw)]
        out = self._run(C.ctune_estimator_predict, X, C.ctune_estimator_n_outputs(self._ptr))
        return out[:, 0] if out.shape[1] == 1 else out

    def predict_proba(self, X):
        if self._kind != CLASSIFIER:
            raise AttributeError("a regressor has no predict_proba")
        return self._run(C.ctune_estimator_predict_proba, X, len(self.classes_))


_SCORER_FN = ctypes.CFUNCTYPE(ctypes.c_int, c_void_p, c_void_p, ctypes.POINTER(ctypes.c_double),
                              c_void_p)


def _c_scorer(fn, kind, classes, c_classes):
    def score(est, data, out, user):
        try:
            X, y = x_array(data), y_array(data)
            if classes is not None:
                y = classes[np.searchsorted(c_classes, y)]
            out[0] = float(fn(_Fitted(est, kind, classes, c_classes), X, y))
            return 0
        except BaseException as exc:  # noqa: BLE001 - reported to C, re-raised by check()
            return callback_failed(exc)

    return _SCORER_FN(score)


def _scorer_name(s, callable_ok=False):
    if isinstance(s, str):
        return s
    # scikit-learn's get_scorer(name) objects: recognised by their metric
    fn = getattr(getattr(s, "_score_func", None), "__name__", None)
    sign = getattr(s, "_sign", 1)
    kw = getattr(s, "_kwargs", {}) or {}
    known = {("accuracy_score", 1): "accuracy", ("balanced_accuracy_score", 1): "balanced_accuracy",
             ("r2_score", 1): "r2", ("mean_squared_error", -1): "neg_mean_squared_error",
             ("mean_absolute_error", -1): "neg_mean_absolute_error",
             ("log_loss", -1): "neg_log_loss", ("roc_auc_score", 1): "roc_auc",
             ("f1_score", 1): "f1", ("precision_score", 1): "precision",
             ("recall_score", 1): "recall"}
    avg = kw.get("average")
    if fn in ("f1_score", "precision_score", "recall_score") and avg == "macro":
        return "%s_macro" % fn[:-6]
    if (fn, sign) in known and not (set(kw) - {"average"} if avg in (None, "binary") else kw):
        return known[(fn, sign)]
    if fn == "mean_squared_error" and sign == -1 and kw == {"squared": False}:
        return "neg_root_mean_squared_error"
    if callable_ok:
        return None
    raise ValueError("scoring %r: ctune's searches score in C with its named scorers (%s); "
                     "give one of those names, a list or a dict of them, or the scorer "
                     "scikit-learn's get_scorer() returns for one"
                     % (s, ", ".join(_known_scorers())))


def _known_scorers():
    C.declare("ctune_scorer_count", ctypes.c_size_t, [])
    C.declare("ctune_scorer_name", ctypes.c_char_p, [ctypes.c_size_t])
    return [C.ctune_scorer_name(i).decode() for i in range(C.ctune_scorer_count())]


def _seed(random_state):
    """random_state None (numpy's global RNG), int, or RandomState -> a seed."""
    if random_state is None:
        return int(np.random.randint(0, 2 ** 31 - 1))
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        if random_state < 0:
            raise ValueError("random_state must be >= 0, got %d" % random_state)
        return int(random_state)
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(0, 2 ** 31 - 1))
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(0, 2 ** 31 - 1))
    raise ValueError("random_state must be None, an int or a numpy RandomState, got %r"
                     % (random_state,))


def _error_score(v):
    if isinstance(v, str):
        if v != "raise":
            raise ValueError("error_score must be 'raise' or a number, got %r" % v)
        return "raise"
    v = float(v)
    return "nan" if v != v else repr(v)


def _prepare(estimator, X, y):
    """(native estimator, validated X, C targets, classes or None, their C
    labels)."""
    est = as_native(estimator)
    Xa = V.check_X(X, est)
    classes = c_classes = None
    if y is None:
        yc = None
    elif est._kind == CLASSIFIER:
        yv = V.check_y(y, est)
        V.check_consistent_length(Xa, yv)
        V.classification_target(yv)
        classes, codes = np.unique(yv, return_inverse=True)
        numeric = classes.dtype.kind in "iub" or (
            classes.dtype.kind == "f" and np.all(classes == np.floor(classes)))
        c_classes = (classes.astype(np.float64) if numeric
                     else np.arange(len(classes), dtype=np.float64))
        yc = c_classes[codes]
    else:
        yv = V.check_y(y, est, multi_output=True)
        V.check_consistent_length(Xa, yv)
        yc = np.ascontiguousarray(yv, dtype=np.float64)
    return est, Xa, yc, classes, c_classes


def cross_val_score(estimator, X, y=None, groups=None, scoring=None, cv=None, n_jobs=None,
                    error_score=np.nan):
    """One score per split, computed by the C library: cv an int (folds:
    StratifiedKFold for classifiers, KFold otherwise), a scikit-learn
    splitter or an iterable of (train, test) index pairs."""
    est, Xa, yc, _, _ = _prepare(estimator, X, y)
    text, names, customs = _scoring(scoring)
    if len(names) != 1:
        raise ValueError("cross_val_score takes a single scorer, got %d" % len(names))
    if customs:
        raise ValueError("ctune.cross_val_score scores with ctune's named scorers; for a scorer "
                         "callable use ctune.GridSearchCV (which calls it) or scikit-learn's "
                         "cross_val_score")
    sp = _Splitter(cv, Xa, y, groups, est._kind == CLASSIFIER)
    opts = "error_score=%s, n_jobs=%d" % (_error_score(error_score), n_jobs or 1)
    if text:
        opts += ", scoring=%s" % text
    h = est._new_handle()
    data = Data(Xa, yc)
    res = c_void_p()
    check(call_cancellable(C.ctune_cross_validate,
                           (ctypes.byref(res), h.ptr, data.handle, sp.ptr, sp.cv, opts.encode()),
                           lambda: C.ctune_estimator_cancel(h.ptr)))
    try:
        n = C.ctune_cv_results_n_splits(res)
        out = np.empty(n)
        check(C.ctune_cv_results_column(out.ctypes.data_as(ctypes.POINTER(ctypes.c_double)), res,
                                        b"test_score"))
        for i in range(C.ctune_cv_results_n_warnings(res)):
            warnings.warn(C.ctune_cv_results_warning(res, i).decode(), _fit_failed_warning())
        errors = [C.ctune_cv_results_error(res, i) for i in range(n)]
    finally:
        C.ctune_cv_results_free(res)
    failed = [e.decode() for e in errors if e]
    if failed and len(failed) == n:
        raise ValueError("All the %d fits failed.\nIt is very likely that your model is "
                         "misconfigured.\nBelow are more details about the failures:\n%s"
                         % (n, "\n".join(failed)))
    return out


# ---- searches -----------------------------------------------------------------------

class _SearchBase(BaseEstimator):
    """Shared by GridSearchCV and RandomizedSearchCV: parameters as
    scikit-learn's; results as its cv_results_ (numpy and masked arrays).
    timeout=None (ctune's addition): wall seconds after which no new
    candidate starts (the C search's timeout option, shared by the dicts of
    a list); the results keep the candidates that finished. stopped_by_ names the budget
    that ended the fit ("n_iter", "grid", "n_trials", "schedule", "timeout")."""

    def _spaces(self):  # pragma: no cover - overridden
        raise NotImplementedError

    @property
    def _estimator_type(self):
        return getattr(as_native(self.estimator), "_estimator_type", None)

    def _options(self, scoring_text, refit_name):
        opts = ["refit=false", "n_jobs=%d" % (self.n_jobs or 1),
                "error_score=%s" % _error_score(self.error_score),
                "return_train_score=%s" % ("true" if self.return_train_score else "false")]
        if scoring_text:
            opts.append("scoring=%s" % scoring_text)
        return ", ".join(opts)

    def _refit_name(self, names):
        refit = self.refit
        if len(names) > 1:
            if refit is True or (refit and refit not in names):
                raise ValueError("For multi-metric scoring, the parameter refit must be set to a "
                                 "scorer key or a callable to refit an estimator with the best "
                                 "parameter setting on the whole data and make the "
                                 "best_* attributes available for that metric. If this is not "
                                 "needed, refit should be set to False explicitly. %r was "
                                 "passed." % (refit,))
            return refit if refit else None
        if callable(refit):
            raise ValueError("refit as a callable is not supported by ctune's searches: give "
                             "True, False or a scorer name")
        return next(iter(names)) if refit is not False else None

    def fit(self, X, y=None, groups=None):
        est, Xa, yc, classes, c_classes = _prepare(self.estimator, X, y)
        text, names, customs = _scoring(self.scoring)
        scorers = {k: _c_scorer(fn, est._kind, classes, c_classes) for k, fn in customs.items()}
        refit_name = self._refit_name(names)
        rank_key = refit_name or next(iter(names))
        sp = _Splitter(self.cv, Xa, y, groups, est._kind == CLASSIFIER)
        data = Data(Xa, yc)
        template = est._new_handle()
        seed = self._search_seed()
        parts, words = [], []
        timeout = getattr(self, "timeout", None)
        t0 = time.perf_counter()
        for k, (space_params, n_iter) in enumerate(self._spaces(seed)):
            left = timeout
            if timeout is not None and k:  # the budget is shared by the dicts of a list
                left = timeout - (time.perf_counter() - t0)
                if left <= 0:
                    words.append("timeout")
                    break
            space = _space(space_params, n_iter, C.ctune_seed_derive(seed, k))
            h = c_void_p()
            try:
                self._new_search(h, template.ptr, space, n_iter, C.ctune_seed_derive(seed, k)
                                 if k else seed)
            finally:
                C.ctune_space_free(space)
            parts.append(_Search(h))
            for k, cb in scorers.items():
                check(C.ctune_search_add_scorer(h, k.encode(), ctypes.cast(cb, c_void_p), None))
            opts = self._options(text, refit_name)
            if not sp.ptr:
                opts += ", cv=%d" % sp.cv
            if left is not None:
                opts += ", " + _option("timeout", left)
            check(C.ctune_search_set_options(h, opts.encode()))
            if sp.ptr:
                check(C.ctune_search_set_splitter(h, sp.ptr))
            rc = call_cancellable(C.ctune_search_fit, (h, data.handle),
                                  lambda: C.ctune_search_cancel(h))
            word = C.ctune_search_stopped_by(h)
            word = word.decode() if word else None
            if rc != 0 and k and word == "timeout" and not C.ctune_search_has_results(h):
                C.ctune_clear_error()  # a later dict got no time: the earlier ones stand
                parts.pop()
                words.append(word)
                break
            check(rc)
            words.append(word)
            if word == "timeout":
                break
        self.stopped_by_ = "timeout" if "timeout" in words else (words[-1] if words else None)
        self._collect(parts, names, rank_key)
        self.multimetric_ = len(names) > 1
        self.scorer_ = self.scoring
        self.n_splits_ = C.ctune_search_n_splits(parts[0].ptr)
        if refit_name is not None or (len(names) == 1 and self.refit):
            t = time.perf_counter()
            best = _clone_with(self.estimator, self.best_params_)
            self.best_estimator_ = best.fit(X, y)
            self.refit_time_ = time.perf_counter() - t
        n_features = getattr(self.best_estimator_, "n_features_in_", None) \
            if hasattr(self, "best_estimator_") else None
        self.n_features_in_ = n_features if n_features is not None else Xa.shape[1]
        if hasattr(self, "best_estimator_") and hasattr(self.best_estimator_, "classes_"):
            self.classes_ = self.best_estimator_.classes_
        return self

    def _collect(self, parts, names, rank_key):
        cols, params, errors = {}, [], []
        total = 0
        for s in parts:
            h = s.ptr
            n = C.ctune_search_n_rows(h)  # halving: one row per candidate per iteration
            for i in range(C.ctune_search_n_warnings(h)):
                warnings.warn(C.ctune_search_warning(h, i).decode(), _warning_class())
            for j in range(C.ctune_search_n_columns(h)):
                col = C.ctune_search_column_name(h, j).decode()
                if col.startswith("param_") or col == "params" or col.startswith("rank_"):
                    continue
                vals = cols.setdefault(col, [np.nan] * total)
                v = ctypes.c_double()
                for i in range(n):
                    if C.ctune_search_result(ctypes.byref(v), h, col.encode(), i) == 0:
                        vals.append(v.value)
                    else:
                        C.ctune_clear_error()
                        vals.append(np.nan)
            for i in range(n):
                params.append(to_dict(C.ctune_search_row_params(h, i)))
                e = C.ctune_search_candidate_error(h, i)
                errors.append(e.decode() if e else None)
            total += n
            for vals in cols.values():
                vals.extend([np.nan] * (total - len(vals)))
        res = {}
        rename = {v: k for k, v in names.items() if v is not None and k != v}
        for col, vals in cols.items():
            name = col
            for c_name, key in rename.items():
                if col.endswith("_" + c_name):
                    name = col[: -len(c_name)] + key
            res[name] = np.asarray(vals, dtype=np.float64)
        keys = sorted({k for p in params for k in p})
        for k in keys:
            data = np.empty(len(params), dtype=object)
            data[:] = [p.get(k) for p in params]
            res["param_" + k] = np.ma.MaskedArray(data, mask=[k not in p for p in params])
        res["params"] = params
        metric_suffix = "score" if len(names) == 1 else rank_key
        for key in (names if len(names) > 1 else ["score"]):
            mean = res.get("mean_test_%s" % key)
            if mean is None:
                continue
            res["rank_test_%s" % key] = _rank(mean)
        self.cv_results_ = res
        failed = [e for e in errors if e]
        n_fits = total * max(C.ctune_search_n_splits(parts[0].ptr), 1)
        if failed and len(failed) == total:
            raise ValueError("All the %d fits failed.\nIt is very likely that your model is "
                             "misconfigured.\nYou can try to debug the error by setting "
                             "error_score='raise'.\n\nBelow are more details about the "
                             "failures:\n%s" % (n_fits, "\n".join(sorted(set(failed)))))
        if failed:
            warnings.warn("%d candidates out of %d had failed fits: %s"
                          % (len(failed), total, "; ".join(sorted(set(failed))[:3])),
                          _fit_failed_warning())
        mean = res.get("mean_test_%s" % metric_suffix)
        if mean is not None and np.any(np.isfinite(mean)):
            best = int(np.nanargmax(np.where(np.isfinite(mean), mean, -np.inf)))
            self.best_index_ = best
            self.best_score_ = float(mean[best])
            self.best_params_ = params[best]

    def _search_seed(self):
        return 0

    # ---- the fitted best estimator's methods --------------------------------
    def _best(self):
        if not hasattr(self, "best_estimator_"):
            from ._errors import not_fitted
            raise not_fitted(self)
        return self.best_estimator_

    def predict(self, X):
        return self._best().predict(X)

    def predict_proba(self, X):
        return self._best().predict_proba(X)

    def transform(self, X):
        return self._best().transform(X)

    def score(self, X, y=None):
        return self._best().score(X, y)

    def __sklearn_is_fitted__(self):
        return hasattr(self, "cv_results_")


class _Search:
    def __init__(self, ptr):
        self.ptr = ptr

    def __del__(self):
        if getattr(self, "ptr", None):
            C.ctune_search_free(self.ptr)
            self.ptr = None


def _warning_class():
    from ._log import CtuneWarning
    return CtuneWarning


def _rank(mean):
    """scikit-learn's rank_test_*: 1 for the best, ties share the lowest
    rank ('min'), NaN scores ranked last."""
    m = np.where(np.isnan(mean), -np.inf, mean)
    order = np.sort(np.unique(m))[::-1]
    pos = {v: 1 + int(np.sum(m > v)) for v in order}
    return np.asarray([pos[v] for v in m], dtype=np.int32)


def _clone_with(estimator, params):
    try:
        from sklearn.base import clone
        est = clone(estimator)
    except ImportError:  # pragma: no cover
        est = type(estimator)(**estimator.get_params(deep=False))
    return est.set_params(**params)


def _param_list(p, what):
    if isinstance(p, dict):
        return [p]
    if isinstance(p, (list, tuple)) and p and all(isinstance(d, dict) for d in p):
        return list(p)
    raise TypeError("%s must be a dict or a list of dicts, got %r" % (what, p))


class RandomizedSearchCV(_SearchBase):
    """scikit-learn's RandomizedSearchCV run by the C library. Lists are
    sampled without replacement when every entry is a list; distributions:
    ctune.uniform / loguniform / randint or scipy.stats' (uniform,
    loguniform and randint map to the native ones; others are sampled in
    Python from a seed derived from the search's). A list of dicts splits
    n_iter among them as scikit-learn's choice of a dict per candidate."""

    def __init__(self, estimator, param_distributions, *, n_iter=10, scoring=None, n_jobs=None,
                 refit=True, cv=None, verbose=0, random_state=None, error_score=np.nan,
                 return_train_score=False, timeout=None):
        self.timeout = timeout
        self.estimator = estimator
        self.param_distributions = param_distributions
        self.n_iter = n_iter
        self.scoring = scoring
        self.n_jobs = n_jobs
        self.refit = refit
        self.cv = cv
        self.verbose = verbose
        self.random_state = random_state
        self.error_score = error_score
        self.return_train_score = return_train_score

    def _search_seed(self):
        self._seed = _seed(self.random_state)
        return self._seed

    def _spaces(self, seed):
        dicts = _param_list(self.param_distributions, "param_distributions")
        if len(dicts) == 1:
            return [(dicts[0], self.n_iter)]
        rs = np.random.RandomState(seed % (2 ** 32))
        counts = np.bincount(rs.randint(len(dicts), size=self.n_iter), minlength=len(dicts))
        return [(d, int(c)) for d, c in zip(dicts, counts) if c > 0]

    def _new_search(self, h, est, space, n_iter, seed):
        check(C.ctune_search_new_randomized(ctypes.byref(h), est, space, n_iter, seed))


class GridSearchCV(_SearchBase):
    """scikit-learn's GridSearchCV run by the C library; param_grid a dict
    of lists or a list of such dicts (their grids are concatenated)."""

    def __init__(self, estimator, param_grid, *, scoring=None, n_jobs=None, refit=True, cv=None,
                 verbose=0, error_score=np.nan, return_train_score=False, timeout=None):
        self.timeout = timeout
        self.estimator = estimator
        self.param_grid = param_grid
        self.scoring = scoring
        self.n_jobs = n_jobs
        self.refit = refit
        self.cv = cv
        self.verbose = verbose
        self.error_score = error_score
        self.return_train_score = return_train_score

    def _spaces(self, seed):
        return [(d, 0) for d in _param_list(self.param_grid, "param_grid")]

    def _new_search(self, h, est, space, n_iter, seed):
        check(C.ctune_search_new_grid(ctypes.byref(h), est, space))


class TPESearchCV(_SearchBase):
    """Optuna's TPESampler (univariate, its defaults) as a search run by the C
    library: n_trials candidates, each proposed from the cross-validated
    scores of those before it, in synchronous batches of `batch` (results
    depend on it, never on n_jobs). param_distributions is one dict: lists
    are categorical; ctune.uniform / loguniform / randint and scipy's
    uniform / loguniform / randint are numerical. With several scorers TPE
    follows the first. Experimental in the C library (ctune_search_new_tpe);
    docs/model-selection.md explains the estimator and Optuna's names."""

    def __init__(self, estimator, param_distributions, *, n_trials=10, batch=1,
                 n_startup_trials=10, n_ei_candidates=24, scoring=None, n_jobs=None, refit=True,
                 cv=None, verbose=0, random_state=None, error_score=np.nan,
                 return_train_score=False, timeout=None):
        self.timeout = timeout
        self.estimator = estimator
        self.param_distributions = param_distributions
        self.n_trials = n_trials
        self.batch = batch
        self.n_startup_trials = n_startup_trials
        self.n_ei_candidates = n_ei_candidates
        self.scoring = scoring
        self.n_jobs = n_jobs
        self.refit = refit
        self.cv = cv
        self.verbose = verbose
        self.random_state = random_state
        self.error_score = error_score
        self.return_train_score = return_train_score

    def _search_seed(self):
        self._seed = _seed(self.random_state)
        return self._seed

    def _spaces(self, seed):
        d = self.param_distributions
        if not isinstance(d, dict):
            raise TypeError("TPESearchCV: param_distributions must be one dict of name -> list "
                            "or distribution, got %r" % (d,))
        for name, v in d.items():
            if hasattr(v, "rvs") and not isinstance(v, _Dist) and _native_dist(v) is None:
                raise TypeError("TPESearchCV: parameter %r: TPE models lists and uniform, "
                                "loguniform and randint only, got %r" % (name, v))
        for key in ("n_trials", "batch", "n_startup_trials", "n_ei_candidates"):
            v = getattr(self, key)
            if isinstance(v, bool) or not isinstance(v, numbers.Integral):
                raise TypeError("TPESearchCV: %s must be an int, got %r" % (key, v))
        return [(d, int(self.n_trials))]

    def _new_search(self, h, est, space, n_iter, seed):
        opts = "batch=%d, n_startup_trials=%d, n_ei_candidates=%d" % (
            self.batch, self.n_startup_trials, self.n_ei_candidates)
        check(C.ctune_search_new_tpe(ctypes.byref(h), est, space, n_iter, seed, opts.encode()))


# ---- successive halving and Hyperband -------------------------------------------

def _option(name, value):
    """One "name=value" option of a search; values are numbers or words."""
    if isinstance(value, bool):
        return "%s=%s" % (name, "true" if value else "false")
    if isinstance(value, (int, float)):
        return "%s=%r" % (name, value)
    text = str(value)
    if not text.replace("_", "").isalnum():
        raise ValueError("%s: %r is not a number or a name" % (name, value))
    return "%s=%s" % (name, text)


class _HalvingBase(_SearchBase):
    """The rounds run in C; the best is the C search's (the best of the last
    iteration, or Hyperband's best at the largest resource), refitted here
    with its resource."""

    def _collect(self, parts, names, rank_key):
        super()._collect(parts, names, rank_key)
        h = parts[0].ptr
        i = ctypes.c_size_t()
        if C.ctune_search_best_index(ctypes.byref(i), h) == 0:
            mean = self.cv_results_.get("mean_test_%s" % ("score" if len(names) == 1
                                                          else rank_key))
            self.best_index_ = int(i.value)
            self.best_params_ = self.cv_results_["params"][self.best_index_]
            if mean is not None:
                self.best_score_ = float(mean[self.best_index_])
        else:
            C.ctune_clear_error()
        n = C.ctune_search_n_iterations(h)
        self.n_iterations_ = n
        self.n_possible_iterations_ = C.ctune_search_n_possible_iterations(h)
        self.n_required_iterations_ = C.ctune_search_n_required_iterations(h)
        self.n_remaining_candidates_ = C.ctune_search_n_remaining_candidates(h)
        self.n_resources_ = [C.ctune_search_n_resources(h, k) for k in range(n)]
        self.n_candidates_ = [C.ctune_search_n_candidates_at(h, k) for k in range(n)]
        self.min_resources_ = C.ctune_search_min_resources(h)
        self.max_resources_ = C.ctune_search_max_resources(h)
        for col in ("iter", "n_resources", "bracket"):
            if col in self.cv_results_:
                self.cv_results_[col] = self.cv_results_[col].astype(np.int64)

    def _search_seed(self):
        self._seed = _seed(self.random_state)
        return self._seed

    def _spaces(self, seed):
        return [(dict(self._space_params()), 0)]


class _Halving(_HalvingBase):
    def _halving_options(self):
        opts = [_option("factor", self.factor), _option("resource", self.resource),
                _option("max_resources", self.max_resources),
                _option("min_resources", self.min_resources),
                _option("aggressive_elimination", self.aggressive_elimination)]
        if getattr(self, "n_candidates", None) is not None:
            opts.append(_option("n_candidates", self.n_candidates))
        return ", ".join(opts)

    def _new_search(self, h, est, space, n_iter, seed):
        check(C.ctune_search_new_halving(ctypes.byref(h), est, space, self._randomized, seed,
                                         self._halving_options().encode()))


class HalvingRandomSearchCV(_Halving):
    """scikit-learn's HalvingRandomSearchCV run by the C library: successive
    halving over n_candidates sampled candidates; resource "n_samples" or an
    integer parameter (e.g. "epochs", whose promoted fits continue).
    cv_results_ has one row per candidate per iteration with "iter" and
    "n_resources"; fitted attributes n_iterations_, n_resources_,
    n_candidates_, n_remaining_candidates_, n_possible_iterations_,
    n_required_iterations_, min_resources_, max_resources_."""
    _randomized = 1

    def __init__(self, estimator, param_distributions, *, n_candidates="exhaust", factor=3,
                 resource="n_samples", max_resources="auto", min_resources="smallest",
                 aggressive_elimination=False, cv=5, scoring=None, refit=True,
                 error_score=np.nan, return_train_score=True, random_state=None, n_jobs=None,
                 verbose=0, timeout=None):
        self.timeout = timeout
        self.estimator = estimator
        self.param_distributions = param_distributions
        self.n_candidates = n_candidates
        self.factor = factor
        self.resource = resource
        self.max_resources = max_resources
        self.min_resources = min_resources
        self.aggressive_elimination = aggressive_elimination
        self.cv = cv
        self.scoring = scoring
        self.refit = refit
        self.error_score = error_score
        self.return_train_score = return_train_score
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.verbose = verbose

    def _space_params(self):
        return self.param_distributions


class HalvingGridSearchCV(_Halving):
    """scikit-learn's HalvingGridSearchCV run by the C library (see
    HalvingRandomSearchCV); min_resources defaults to "exhaust"."""
    _randomized = 0

    def __init__(self, estimator, param_grid, *, factor=3, resource="n_samples",
                 max_resources="auto", min_resources="exhaust", aggressive_elimination=False,
                 cv=5, scoring=None, refit=True, error_score=np.nan, return_train_score=True,
                 n_jobs=None, verbose=0, timeout=None):
        self.timeout = timeout
        self.estimator = estimator
        self.param_grid = param_grid
        self.factor = factor
        self.resource = resource
        self.max_resources = max_resources
        self.min_resources = min_resources
        self.aggressive_elimination = aggressive_elimination
        self.cv = cv
        self.scoring = scoring
        self.refit = refit
        self.error_score = error_score
        self.return_train_score = return_train_score
        self.n_jobs = n_jobs
        self.verbose = verbose
        self.random_state = 0

    def _space_params(self):
        return self.param_grid


class HyperbandSearchCV(_HalvingBase):
    """KerasTuner's Hyperband with epochs as the budget, run by the C library
    with cross-validation: max_epochs, factor, hyperband_iterations; the
    resource is an integer parameter of the estimator ("epochs"). Promoted
    candidates continue their fits. cv_results_ gains "bracket", "iter" and
    "n_resources"; n_iterations_ counts the brackets run."""

    def __init__(self, estimator, param_distributions, *, max_epochs=100, factor=3,
                 hyperband_iterations=1, resource="epochs", cv=3, scoring=None, refit=True,
                 error_score=np.nan, return_train_score=False, random_state=None, n_jobs=None,
                 verbose=0, timeout=None):
        self.timeout = timeout
        self.estimator = estimator
        self.param_distributions = param_distributions
        self.max_epochs = max_epochs
        self.factor = factor
        self.hyperband_iterations = hyperband_iterations
        self.resource = resource
        self.cv = cv
        self.scoring = scoring
        self.refit = refit
        self.error_score = error_score
        self.return_train_score = return_train_score
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.verbose = verbose

    def _space_params(self):
        return self.param_distributions

    def _new_search(self, h, est, space, n_iter, seed):
        opts = ", ".join([_option("max_epochs", self.max_epochs), _option("factor", self.factor),
                          _option("hyperband_iterations", self.hyperband_iterations),
                          _option("resource", self.resource)])
        check(C.ctune_search_new_hyperband(ctypes.byref(h), est, space, seed, opts.encode()))
