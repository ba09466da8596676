"""Datasets, CSV files and model files."""

import ctypes

from ._data import _np
from ._errors import check
from ._native import C, c_void_p

for _n, _r, _a in [
    ("ctune_csv_load", ctypes.c_int, [ctypes.POINTER(c_void_p), ctypes.c_char_p, ctypes.c_char_p]),
    ("ctune_dataset_load", ctypes.c_int, [ctypes.POINTER(c_void_p), ctypes.c_char_p, ctypes.c_char_p]),
    ("ctune_dataset_count", ctypes.c_size_t, []),
    ("ctune_dataset_name", ctypes.c_char_p, [ctypes.c_size_t]),
    ("ctune_data_feature_name", ctypes.c_char_p, [c_void_p, ctypes.c_size_t]),
    ("ctune_data_n_class_names", ctypes.c_size_t, [c_void_p]),
    ("ctune_data_class_name", ctypes.c_char_p, [c_void_p, ctypes.c_size_t]),
    ("ctune_data_n_targets", ctypes.c_size_t, [c_void_p]),
    ("ctune_data_gather_f64", ctypes.c_int, [c_void_p, c_void_p, ctypes.c_size_t,
                                             ctypes.POINTER(ctypes.c_double), ctypes.c_size_t]),
    ("ctune_data_gather_y", ctypes.c_int, [c_void_p, c_void_p, ctypes.c_size_t,
                                           ctypes.POINTER(ctypes.c_double)]),
    ("ctune_estimator_save", ctypes.c_int, [c_void_p, ctypes.c_char_p]),
    ("ctune_estimator_load", ctypes.c_int, [ctypes.POINTER(c_void_p), ctypes.c_char_p, c_void_p,
                                            c_void_p]),
]:
    C.declare(_n, _r, _a)


class Bunch(dict):
    """scikit-learn's Bunch: a dict whose keys are also attributes."""

    __getattr__ = dict.__getitem__


def _to_python(handle, as_numpy):
    n, d = C.ctune_data_n_rows(handle), C.ctune_data_n_cols(handle)
    t = C.ctune_data_n_targets(handle)
    xb = (ctypes.c_double * max(n * d, 1))()
    check(C.ctune_data_gather_f64(handle, None, n, xb, d))
    y = None
    if t:
        yb = (ctypes.c_double * max(n * t, 1))()
        check(C.ctune_data_gather_y(handle, None, n, yb))
        y = list(yb)[: n * t]
    feats = [(C.ctune_data_feature_name(handle, j) or b"").decode() for j in range(d)]
    classes = [C.ctune_data_class_name(handle, c).decode()
               for c in range(C.ctune_data_n_class_names(handle))]
    if as_numpy and _np is not None:
        X = _np.frombuffer(xb, dtype=_np.float64, count=n * d).reshape(n, d).copy()
        y = None if y is None else _np.array(y)
    else:
        flat = list(xb)
        X = [flat[i * d:(i + 1) * d] for i in range(n)]
    return Bunch(data=X, target=y, feature_names=feats, target_names=classes)


def _load(fn, arg, options, as_numpy):
    h = c_void_p()
    check(fn(ctypes.byref(h), arg.encode() if arg else None, options.encode() if options else None))
    try:
        return _to_python(h, as_numpy)
    finally:
        C.ctune_data_free(h)


def load_dataset(name="breast_cancer", options=None, as_numpy=True, return_X_y=False):
    """An embedded dataset ("breast_cancer", "iris", "digits") as a Bunch with
    data, target, feature_names, target_names (numpy arrays when available)."""
    b = _load(C.ctune_dataset_load, name, options, as_numpy)
    return (b.data, b.target) if return_X_y else b


def dataset_names():
    return [C.ctune_dataset_name(i).decode() for i in range(C.ctune_dataset_count())]


def load_csv(path, options=None, as_numpy=True, return_X_y=False):
    """A CSV file through the C loader (options as its "key=value" text)."""
    b = _load(C.ctune_csv_load, path, options, as_numpy)
    return (b.data, b.target) if return_X_y else b


def save_model(estimator, path):
    check(C.ctune_estimator_save(estimator._h, path.encode()))


def load_model(path):
    """Loads a model of a built-in estimator saved by save_model()."""
    from ._estimator import Estimator
    h = c_void_p()
    check(C.ctune_estimator_load(ctypes.byref(h), path.encode(), None, None))
    return Estimator._adopt(h)
