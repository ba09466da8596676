"""scikit-learn's estimator protocol for ctune's estimators: parameters as
attributes, mixins per kind, tags in both of scikit-learn's forms, fitted
state in an owned C handle that pickles through the model format."""

import ctypes
import inspect

from ._errors import check, not_fitted
from ._native import C, c_void_p, call_cancellable

CLASSIFIER, REGRESSOR, TRANSFORMER = 1, 2, 3
KIND_NAMES = {CLASSIFIER: "classifier", REGRESSOR: "regressor", TRANSFORMER: "transformer"}

# scikit-learn 1.2's tag names and defaults (sklearn.utils._tags).
DEFAULT_TAGS = {
    "non_deterministic": False, "requires_positive_X": False, "requires_positive_y": False,
    "X_types": ["2darray"], "poor_score": False, "no_validation": False, "multioutput": False,
    "allow_nan": False, "stateless": False, "multilabel": False, "_skip_test": False,
    "_xfail_checks": False, "multioutput_only": False, "binary_only": False,
    "requires_fit": True, "preserves_dtype": ["float64"], "requires_y": False,
    "pairwise": False,
}

# Checks of scikit-learn's suite that cannot apply to every ctune estimator.
SPARSE_REASON = ("ctune's estimators take dense data only: a sparse matrix is rejected with "
                 "scikit-learn's TypeError")


class Handle:
    """Sole owner of one ctune_estimator pointer: freed when the last Python
    reference goes. Estimators never share a Handle across copies (copy,
    deepcopy and pickle go through the model format), so no two Python
    objects ever free or use one C handle concurrently."""

    __slots__ = ("ptr", "keep", "__weakref__")

    def __init__(self, ptr, keep=()):
        self.ptr = ptr
        self.keep = keep  # callbacks and specs the C code may call

    def __del__(self):
        p, self.ptr = getattr(self, "ptr", None), None
        if p and C is not None:
            C.ctune_estimator_free(p)

    def __reduce__(self):
        raise TypeError("a ctune handle cannot be pickled on its own: pickle the estimator")


def new_handle(ctor_name, *args):
    h = c_void_p()
    check(getattr(C, ctor_name)(ctypes.byref(h), *args))
    return h


def fit_handle(handle, data):
    """The one call that fits a C handle (Ctrl-C cancels it)."""
    check(call_cancellable(C.ctune_estimator_fit, (handle.ptr, data.handle),
                           lambda: C.ctune_estimator_cancel(handle.ptr)))


def save_bytes(ptr):
    size = C.ctune_estimator_save_buffer(None, 0, ptr)
    if size < 0:
        check(size)
    buf = ctypes.create_string_buffer(max(size, 1))
    n = C.ctune_estimator_save_buffer(buf, size, ptr)
    if n < 0:
        check(n)
    return buf.raw[:size]


def load_bytes(raw, like=None):
    h = c_void_p()
    if like is not None:
        check(C.ctune_estimator_load_like_buffer(ctypes.byref(h), raw, len(raw), like))
    else:
        check(C.ctune_estimator_load_buffer(ctypes.byref(h), raw, len(raw), None, None))
    return h


class BaseEstimator:
    """get_params / set_params from the __init__ signature, as scikit-learn's
    BaseEstimator; tags; pickling of the fitted C state."""

    _kind = 0

    # ---- parameters ---------------------------------------------------------
    @classmethod
    def _get_param_names(cls):
        sig = inspect.signature(cls.__init__)
        return sorted(p.name for p in sig.parameters.values()
                      if p.name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD))

    def get_params(self, deep=True):
        out = {}
        for name in self._get_param_names():
            value = getattr(self, name)
            if deep and hasattr(value, "get_params") and not isinstance(value, type):
                out.update(("%s__%s" % (name, k), v) for k, v in value.get_params().items())
            out[name] = value
        return out

    def set_params(self, **params):
        if not params:
            return self
        valid = self.get_params(deep=True)
        nested = {}
        for key, value in params.items():
            name, _, sub = key.partition("__")
            if name not in valid:
                raise ValueError("Invalid parameter %r for estimator %s. Valid parameters are: "
                                 "%s." % (name, self, sorted(k for k in valid if "__" not in k)))
            if sub:
                nested.setdefault(name, {})[sub] = value
            else:
                setattr(self, name, value)
                valid[name] = value
        for name, sub in nested.items():
            valid[name].set_params(**sub)
        return self

    def __repr__(self):
        defaults = {}
        try:
            sig = inspect.signature(type(self).__init__)
            defaults = {p.name: p.default for p in sig.parameters.values()}
        except (TypeError, ValueError):  # pragma: no cover
            pass
        shown = []
        for k, v in self.get_params(deep=False).items():
            d = defaults.get(k, inspect.Parameter.empty)
            if d is inspect.Parameter.empty or not _same(v, d):
                shown.append("%s=%s" % (k, getattr(v, "__name__", None) if callable(v) and
                                        not hasattr(v, "get_params") else repr(v)))
        return "%s(%s)" % (type(self).__name__, ", ".join(shown))

    # ---- tags ---------------------------------------------------------------
    def _more_tags(self):
        return {"_xfail_checks": {}}

    def _get_tags(self):
        tags = dict(DEFAULT_TAGS)
        tags["preserves_dtype"] = [_np_float64()]
        for base in reversed(type(self).__mro__):
            more = getattr(base, "_more_tags", None)
            if more is not None and "_more_tags" in vars(base):
                for k, v in more(self).items():
                    if k == "_xfail_checks" and isinstance(v, dict):
                        tags[k] = {**(tags[k] or {}), **v}
                    else:
                        tags[k] = v
        return tags

    def __sklearn_tags__(self):
        """scikit-learn >= 1.6's tags (sklearn.utils.Tags)."""
        from sklearn.utils import (ClassifierTags, InputTags, RegressorTags, Tags, TargetTags,
                                   TransformerTags)
        t = self._get_tags()
        kind = KIND_NAMES.get(self._kind)
        return Tags(
            estimator_type=kind,
            target_tags=TargetTags(required=t["requires_y"], multi_output=t["multioutput"],
                                   single_output=not t["multioutput_only"]),
            transformer_tags=TransformerTags() if kind == "transformer" else None,
            classifier_tags=ClassifierTags(poor_score=t["poor_score"],
                                           multi_class=not t["binary_only"],
                                           multi_label=t["multilabel"])
            if kind == "classifier" else None,
            regressor_tags=RegressorTags(poor_score=t["poor_score"])
            if kind == "regressor" else None,
            input_tags=InputTags(two_d_array=True, sparse=False, allow_nan=t["allow_nan"]),
            non_deterministic=t["non_deterministic"], requires_fit=t["requires_fit"])

    # ---- fitted state -------------------------------------------------------
    def __sklearn_is_fitted__(self):
        return getattr(self, "_handle", None) is not None

    def _check_fitted(self):
        if getattr(self, "_handle", None) is None:
            raise not_fitted(self)
        return self._handle.ptr

    def _like(self):
        """A fresh handle the saved model loads like (None: by name)."""
        return None

    def __getstate__(self):
        state = dict(self.__dict__)
        h = state.pop("_handle", None)
        if h is not None:
            state["_model_bytes"] = save_bytes(h.ptr)
        return state

    def __setstate__(self, state):
        state = dict(state)
        raw = state.pop("_model_bytes", None)
        self.__dict__.update(state)
        if raw is not None:
            like = self._like()
            ptr = load_bytes(raw, like.ptr if like is not None else None)
            self._handle = Handle(ptr, like.keep if like is not None else ())


def expected_failed_checks(estimator):
    """The checks of scikit-learn's suite this estimator is expected to
    fail, each with its reason: pass it to check_estimator /
    parametrize_with_checks as expected_failed_checks= (scikit-learn >= 1.6;
    1.2 reads the same dict from the _xfail_checks tag)."""
    return dict(estimator._get_tags().get("_xfail_checks") or {})


def _np_float64():
    import numpy as np
    return np.float64


def _same(a, b):
    try:
        return bool(a is b or a == b) and type(a) is type(b)
    except Exception:  # noqa: BLE001 - arrays and the like
        return False


class ClassifierMixin:
    """A classifier: predict, predict_proba, score (accuracy)."""

    _estimator_type = "classifier"
    _kind = CLASSIFIER

    def _more_tags(self):
        return {"requires_y": True}

    def score(self, X, y, sample_weight=None):
        import numpy as np
        pred = self.predict(X)
        y = np.asarray(y)
        if sample_weight is None:
            return float(np.mean(pred == y))
        w = np.asarray(sample_weight, dtype=float)
        return float(np.sum(w * (pred == y)) / np.sum(w))


class RegressorMixin:
    """A regressor: predict, score (R²)."""

    _estimator_type = "regressor"
    _kind = REGRESSOR

    def _more_tags(self):
        return {"requires_y": True}

    def score(self, X, y, sample_weight=None):
        import numpy as np
        pred = np.asarray(self.predict(X), dtype=float)
        y = np.asarray(y, dtype=float)
        w = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, float)
        if y.ndim == 2 and pred.ndim == 1:
            pred = pred.reshape(-1, 1)
        if y.ndim == 1:
            y, pred = y.reshape(-1, 1), pred.reshape(-1, 1)
        w = w.reshape(-1, 1)
        num = np.sum(w * (y - pred) ** 2, axis=0)
        den = np.sum(w * (y - np.average(y, axis=0, weights=w[:, 0])) ** 2, axis=0)
        r2 = np.where(den > 0, 1 - num / np.where(den > 0, den, 1), np.where(num > 0, 0.0, 1.0))
        return float(np.mean(r2))


class TransformerMixin:
    """A transformer: transform, fit_transform."""

    _kind = TRANSFORMER

    def fit_transform(self, X, y=None, **fit_params):
        return self.fit(X, y, **fit_params).transform(X)
