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
    ("ctune_data_gather_f64", ctypes.c_int, [ctypes.POINTER(ctypes.c_double), ctypes.c_size_t,
                                             c_void_p, c_void_p, ctypes.c_size_t]),
    ("ctune_data_gather_y", ctypes.c_int, [ctypes.POINTER(ctypes.c_double), c_void_p, c_void_p,
                                           ctypes.c_size_t]),
    ("ctune_estimator_save", ctypes.c_int, [c_void_p, ctypes.c_char_p]),
    ("ctune_pipeline_n_steps", ctypes.c_size_t, [c_void_p]),
    ("ctune_pipeline_step_name", ctypes.c_char_p, [c_void_p, ctypes.c_size_t]),
    ("ctune_pipeline_step", ctypes.c_int, [ctypes.POINTER(c_void_p), c_void_p, ctypes.c_char_p]),
    ("ctune_estimator_load_like", ctypes.c_int, [ctypes.POINTER(c_void_p), ctypes.c_char_p,
                                                 c_void_p]),
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
    check(C.ctune_data_gather_f64(xb, d, handle, None, n))
    y = None
    if t:
        yb = (ctypes.c_double * max(n * t, 1))()
        check(C.ctune_data_gather_y(yb, handle, None, n))
        y = list(yb)[: n * t]
    feats = [(C.ctune_data_feature_name(handle, j) or b"").decode() for j in range(d)]
    classes = [C.ctune_data_class_name(handle, c).decode()
               for c in range(C.ctune_data_n_class_names(handle))]
    if as_numpy and _np is not None:
        X = _np.frombuffer(xb, dtype=_np.float64, count=n * d).reshape(n, d).copy()
        y = None if y is None else _np.array(y)
        if y is not None and classes and _np.all(y == _np.floor(y)):
            y = y.astype(_np.int64)  # class codes, as scikit-learn's loaders
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
    """Saves a fitted (or unfitted) ctune estimator in ctune's model format,
    readable by load_model() and by `ctune predict`."""
    h = estimator._handle if getattr(estimator, "_handle", None) is not None \
        else estimator._new_handle()
    check(C.ctune_estimator_save(h.ptr, path.encode()))


def _python_estimator(ptr, like=None):
    """A Python estimator over a loaded C handle (owned from here)."""
    import numpy as np

    from . import _estimators
    from ._base import Handle
    from ._params import to_dict
    name = C.ctune_estimator_name(ptr).decode()
    params = to_dict(C.ctune_estimator_get_params(ptr))
    if like is not None:
        est = like.clone()
    elif name == "Pipeline":
        steps = []
        for i in range(C.ctune_pipeline_n_steps(ptr)):
            sname = C.ctune_pipeline_step_name(ptr, i)
            sub = c_void_p()
            check(C.ctune_pipeline_step(ctypes.byref(sub), ptr, sname))
            cls = _class_of(C.ctune_estimator_name(sub).decode())
            prefix = sname.decode() + "__"
            steps.append((sname.decode(), cls(**{k[len(prefix):]: v for k, v in params.items()
                                                 if k.startswith(prefix)})))
        est = _estimators.Pipeline(steps)
    else:
        est = _class_of(name)(**params)
    h = Handle(ptr, keep=like._new_handle().keep if like is not None else ())
    if C.ctune_estimator_is_fitted(ptr):
        est._handle = h
        est.n_features_in_ = C.ctune_estimator_n_features_in(ptr)
        k = C.ctune_estimator_n_classes(ptr)
        if k:
            labels = np.empty(k)
            check(C.ctune_estimator_classes(labels.ctypes.data_as(
                ctypes.POINTER(ctypes.c_double)), ptr))
            est._c_classes = labels
            names = [C.ctune_estimator_class_name(ptr, i) for i in range(k)]
            est.classes_ = (np.array([n.decode() for n in names]) if names[0] is not None
                            else labels.astype(np.int64))
        elif est._kind == 3:
            est.n_features_out_ = C.ctune_estimator_n_outputs(ptr)
        else:
            est.n_outputs_ = C.ctune_estimator_n_outputs(ptr)
            est._y_ndim = 1 if est.n_outputs_ == 1 else 2
    return est


def _class_of(name):
    from . import _estimators, _keras
    for mod in (_estimators, _keras):
        cls = getattr(mod, name, None)
        if isinstance(cls, type):
            return cls
    raise ValueError("model holds a %r: load it with load_model(path, like=<an estimator made "
                     "like it>)" % name)


def load_model(path, like=None):
    """Loads a model saved by save_model() or the CLI's --save-model.

    Built-in estimators load by the name stored in the file; an estimator
    made with your own callbacks (a KerasClassifier with your build_fn, a
    custom estimator) loads with like=<an estimator made the same way>.
    Class names saved with the model come back as classes_."""
    h = c_void_p()
    if like is not None:
        tmpl = like._new_handle()
        check(C.ctune_estimator_load_like(ctypes.byref(h), path.encode(), tmpl.ptr))
    else:
        check(C.ctune_estimator_load(ctypes.byref(h), path.encode(), None, None))
    return _python_estimator(h, like)
