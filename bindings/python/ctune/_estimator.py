"""The scikit-learn estimator surface over a ctune_estimator handle."""

import ctypes

from ._data import Data, out_array, result
from ._errors import check
from ._native import C, c_void_p, call_cancellable
from ._params import Params, to_dict

CLASSIFIER, REGRESSOR, TRANSFORMER = 1, 2, 3


def _as_data(X, y=None):
    return X if isinstance(X, Data) else Data(X, y)


class Estimator:
    """Base of every estimator: wraps an owned ctune_estimator handle.

    Subclasses create the handle in __init__ and pass their keyword
    parameters to set_params(), as scikit-learn estimators store theirs."""

    def __init__(self, handle, **params):
        self._h = handle
        if params:
            self.set_params(**params)

    @classmethod
    def _adopt(cls, handle):
        obj = cls.__new__(cls)
        Estimator.__init__(obj, handle)
        return obj

    def __del__(self):
        h = getattr(self, "_h", None)
        if h:
            C.ctune_estimator_free(h)
            self._h = None

    # -- parameters -------------------------------------------------------
    def get_params(self, deep=True):
        return to_dict(C.ctune_estimator_get_params(self._h))

    def set_params(self, **params):
        p = Params(params)
        check(C.ctune_estimator_set_params(self._h, p.handle))
        return self

    def clone(self):
        h = c_void_p()
        check(C.ctune_estimator_clone(ctypes.byref(h), self._h))
        obj = type(self)._adopt(h)
        obj._keep = getattr(self, "_keep", ())
        return obj

    @property
    def name(self):
        return C.ctune_estimator_name(self._h).decode()

    @property
    def kind(self):
        return C.ctune_estimator_kind(self._h)

    # -- fitting and predicting --------------------------------------------
    def fit(self, X, y=None):
        data = _as_data(X, y)
        check(call_cancellable(C.ctune_estimator_fit, (self._h, data.handle),
                               lambda: C.ctune_estimator_cancel(self._h)))
        return self

    @property
    def classes_(self):
        k = C.ctune_estimator_n_classes(self._h)
        buf, ptr = out_array(k)
        check(C.ctune_estimator_classes(self._h, ptr))
        return [int(v) if float(v).is_integer() else v for v in list(buf)[:k]]

    def predict(self, X):
        data = _as_data(X)
        cols = C.ctune_estimator_n_outputs(self._h) or 1
        buf, ptr = out_array(data.n_rows * cols)
        check(C.ctune_estimator_predict(self._h, data.handle, ptr))
        return result(buf, data.n_rows, cols, X)

    def predict_proba(self, X):
        data = _as_data(X)
        k = C.ctune_estimator_n_classes(self._h) or 1
        buf, ptr = out_array(data.n_rows * k)
        check(C.ctune_estimator_predict_proba(self._h, data.handle, ptr))
        return result(buf, data.n_rows, max(k, 2) if k == 1 else k, X)

    def transform(self, X):
        data = _as_data(X)
        cols = C.ctune_estimator_n_outputs(self._h) or 1
        buf, ptr = out_array(data.n_rows * cols)
        check(C.ctune_estimator_transform(self._h, data.handle, ptr))
        return result(buf, data.n_rows, cols, X)

    def fit_transform(self, X, y=None):
        return self.fit(X, y).transform(X)

    def score(self, X, y, scoring=None):
        data = _as_data(X, y)
        out = ctypes.c_double()
        check(C.ctune_score(self._h, scoring.encode() if scoring else None, data.handle,
                            ctypes.byref(out)))
        return out.value

    def __repr__(self):
        args = ", ".join("%s=%r" % kv for kv in self.get_params().items())
        return "%s(%s)" % (type(self).__name__, args)


def _new(fn_name, *args):
    h = c_void_p()
    check(getattr(C, fn_name)(ctypes.byref(h), *args))
    return h
