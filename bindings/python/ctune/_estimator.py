"""Estimators backed by a C handle: validation of X and y, the fit, and the
fitted attributes scikit-learn users expect."""

import ctypes
import inspect

import numpy as np

from . import _validation as V
from ._base import (CLASSIFIER, REGRESSOR, TRANSFORMER, BaseEstimator, Handle, fit_handle,
                    new_handle)
from ._data import Data
from ._errors import check
from ._native import C
from ._params import Params, to_dict

_dp = ctypes.POINTER(ctypes.c_double)


def _out(shape):
    a = np.empty(shape, dtype=np.float64)
    return a, a.ctypes.data_as(_dp)


class NativeEstimator(BaseEstimator):
    """Base of every estimator whose work runs in libctune.

    Parameters are plain attributes (set by __init__ and set_params, checked
    by the C library at fit); fit creates a new C handle from them, so
    set_params never touches a fitted model."""

    _ctor = None          # C constructor of the handle
    _c_param_names = ()   # parameters handed to the C handle

    # ---- the C handle -------------------------------------------------------
    def _c_params(self):
        return {k: getattr(self, k) for k in self._c_param_names}

    def _new_handle(self):
        h = Handle(new_handle(self._ctor))
        self._apply_params(h)
        return h

    def _apply_params(self, h):
        p = Params(self._c_params())
        check(C.ctune_estimator_set_params(h.ptr, p.handle))

    @property
    def name(self):
        """The C estimator's name (its vtable's)."""
        h = self._new_handle()
        return C.ctune_estimator_name(h.ptr).decode()

    def clone(self):
        """An unfitted copy with the same parameters (sklearn.base.clone)."""
        return type(self)(**self.get_params(deep=False))

    # ---- validation ---------------------------------------------------------
    def _validate_X(self, X, reset):
        Xa = V.check_X(X, self)
        if not reset:
            V.check_n_features(self, Xa, reset=False)
        V.check_feature_names(self, X, reset)
        if reset:
            V.check_n_features(self, Xa, reset=True)
        return Xa

    def _fit_targets(self, y, n):
        """y as the float64 C targets (None for transformers)."""
        return None

    # ---- fit and predict ----------------------------------------------------
    def fit(self, X, y=None):
        self.__dict__.pop("_handle", None)
        Xa = self._validate_X(X, reset=True)
        yc = self._fit_targets(y, Xa.shape[0])
        h = self._new_handle()
        data = Data(Xa, yc)
        fit_handle(h, data)
        self._handle = h
        self._after_fit(h)
        return self

    def _after_fit(self, h):
        """Reads the fitted attributes from the handle."""

    def _run(self, fn, X, cols):
        ptr = self._check_fitted()
        Xa = self._validate_X(X, reset=False)
        data = Data(Xa)
        out, p = _out((Xa.shape[0], cols))
        check(fn(p, ptr, data.handle))
        return out


class _Classifier:
    """predict / predict_proba of a C classifier, with labels of any type:
    integer labels go to C as they are (so a saved model predicts them),
    others as codes, with their text kept in the model as class names."""

    def _fit_targets(self, y, n):
        y = V.check_y(y, self)
        V.check_consistent_length(np.empty((n, 0)), y)
        V.classification_target(y)
        classes, codes = np.unique(y, return_inverse=True)
        self.classes_ = classes
        numeric = classes.dtype.kind in "iub" or (
            classes.dtype.kind == "f" and np.all(classes == np.floor(classes)))
        self._c_classes = (classes.astype(np.float64) if numeric
                           else np.arange(len(classes), dtype=np.float64))
        self._class_names = None if numeric else [str(c) for c in classes]
        return self._c_classes[codes]

    def _after_fit(self, h):
        if self._class_names is not None:
            names = [s.encode("utf-8", "surrogatepass") for s in self._class_names]
            arr = (ctypes.c_char_p * len(names))(*names)
            check(C.ctune_estimator_set_class_names(h.ptr, arr, len(names)))
        del self._class_names

    def predict(self, X):
        self._check_fitted()
        raw = self._run(C.ctune_estimator_predict, X, 1)[:, 0]
        return self.classes_[np.searchsorted(self._c_classes, raw)]

    def predict_proba(self, X):
        self._check_fitted()
        return self._run(C.ctune_estimator_predict_proba, X, len(self.classes_))


class _Regressor:
    def _fit_targets(self, y, n):
        multi = self._get_tags()["multioutput"]
        y = V.check_y(y, self, multi_output=multi)
        V.check_consistent_length(np.empty((n, 0)), y)
        self._y_ndim = y.ndim
        self.n_outputs_ = 1 if y.ndim == 1 else y.shape[1]
        return np.ascontiguousarray(y, dtype=np.float64)

    def predict(self, X):
        self._check_fitted()
        out = self._run(C.ctune_estimator_predict, X, self.n_outputs_)
        return out[:, 0] if self._y_ndim == 1 else out


class _Transformer:
    def _fit_targets(self, y, n):
        if y is not None:  # ignored, as scikit-learn's transformers do
            V.check_consistent_length(np.empty((n, 0)), np.asarray(y))
        return None

    def _after_fit(self, h):
        self.n_features_out_ = C.ctune_estimator_n_outputs(h.ptr)

    def transform(self, X):
        self._check_fitted()
        return self._run(C.ctune_estimator_transform, X, self.n_features_out_)


def native(ctor):
    """Class decorator: gives a NativeEstimator subclass its C constructor
    and an __init__ whose keyword parameters are the C estimator's, with the
    C defaults (so scikit-learn's get_params / clone see them)."""

    def wrap(cls):
        h = Handle(new_handle(ctor))
        defaults = to_dict(C.ctune_estimator_get_params(h.ptr))
        names = tuple(defaults)

        def __init__(self, **params):
            unknown = [k for k in params if k not in defaults]
            if unknown:
                raise TypeError("%s.__init__() got an unexpected keyword argument %r (its "
                                "parameters: %s)" % (cls.__name__, unknown[0], ", ".join(names)))
            for k, d in defaults.items():
                setattr(self, k, params.get(k, d))

        sig = [inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
        sig += [inspect.Parameter(k, inspect.Parameter.KEYWORD_ONLY, default=v)
                for k, v in defaults.items()]
        __init__.__signature__ = inspect.Signature(sig)
        __init__.__qualname__ = cls.__qualname__ + ".__init__"
        __init__.__doc__ = "Parameters (C defaults): %s." % ", ".join(
            "%s=%r" % kv for kv in defaults.items())
        cls.__init__ = __init__
        cls._ctor = ctor
        cls._c_param_names = names
        return cls

    return wrap


KINDS = {CLASSIFIER: _Classifier, REGRESSOR: _Regressor, TRANSFORMER: _Transformer}
