"""Custom estimators written in Python, behind the same C vtable as the
library's own (the FFI form of docs/custom-estimators.md)."""

import ctypes
import inspect
import itertools
import threading

from ._errors import callback_failed, check
from ._estimator import Estimator
from ._keras import _spec_of
from ._native import C, ParamSpec, c_void_p
from ._params import to_dict

_P = ctypes.POINTER
_d = ctypes.c_double
CREATE = ctypes.CFUNCTYPE(ctypes.c_int, _P(c_void_p), c_void_p, c_void_p)
FIT = ctypes.CFUNCTYPE(ctypes.c_int, c_void_p, c_void_p, ctypes.c_size_t, c_void_p)
PREDICT = ctypes.CFUNCTYPE(ctypes.c_int, c_void_p, c_void_p, _P(_d))
SIZE = ctypes.CFUNCTYPE(ctypes.c_size_t, c_void_p)
SAVE = ctypes.CFUNCTYPE(ctypes.c_int, c_void_p, c_void_p)
LOAD = ctypes.CFUNCTYPE(ctypes.c_int, _P(c_void_p), c_void_p, c_void_p, c_void_p)
DESTROY = ctypes.CFUNCTYPE(None, c_void_p)


class Vtable(ctypes.Structure):
    """ctune_estimator_vtable, field for field (version 1)."""
    _fields_ = [("version", ctypes.c_uint), ("name", ctypes.c_char_p), ("kind", ctypes.c_int),
                ("params", _P(ParamSpec)), ("create", CREATE), ("fit", FIT),
                ("predict", PREDICT), ("predict_proba", PREDICT), ("score", PREDICT),
                ("n_features_out", SIZE), ("transform", PREDICT), ("inverse_transform", PREDICT),
                ("save", SAVE), ("load", LOAD), ("destroy", DESTROY), ("n_outputs", SIZE),
                ("user_retain", DESTROY), ("user_release", DESTROY)]


for _n, _r, _a in [
    ("ctune_estimator_new", ctypes.c_int, [_P(c_void_p), _P(Vtable), c_void_p]),
    ("ctune_data_gather_f64", ctypes.c_int, [c_void_p, c_void_p, ctypes.c_size_t, _P(_d),
                                             ctypes.c_size_t]),
    ("ctune_data_gather_y", ctypes.c_int, [c_void_p, c_void_p, ctypes.c_size_t, _P(_d)]),
    ("ctune_data_n_targets", ctypes.c_size_t, [c_void_p]),
    ("ctune_check_estimator", ctypes.c_int, [c_void_p, ctypes.c_char_p, ctypes.c_char_p,
                                             ctypes.c_size_t, _P(ctypes.c_int)]),
]:
    C.declare(_n, _r, _a)

_instances = {}            # id -> Python model object (fitted state lives there)
_ids = itertools.count(1)
_lock = threading.Lock()


def _rows(data):
    n, d = C.ctune_data_n_rows(data), C.ctune_data_n_cols(data)
    buf = (_d * max(n * d, 1))()
    check(C.ctune_data_gather_f64(data, None, n, buf, d))
    flat = list(buf)
    return [flat[i * d:(i + 1) * d] for i in range(n)]


def _targets(data):
    n, t = C.ctune_data_n_rows(data), C.ctune_data_n_targets(data)
    buf = (_d * max(n * t, 1))()
    check(C.ctune_data_gather_y(data, None, n, buf))
    vals = list(buf)[: n * t]
    return vals if t == 1 else [vals[i * t:(i + 1) * t] for i in range(n)]


def _write(out, values, n, cols, what):
    flat = []
    for v in values:
        flat.extend(v if isinstance(v, (list, tuple)) else [v])
    if len(flat) != n * cols:
        raise ValueError("%s returned %d values, expected %d rows x %d" % (what, len(flat), n, cols))
    for i, v in enumerate(flat):
        out[i] = float(v)


def custom_estimator(cls, kind="classifier", name=None):
    """Wraps a Python class as a ctune estimator usable everywhere a built-in
    one is (cross_val_score, searches, pipelines, the conformance kit).

    `cls(**params)` is called at each fit with the current params (the
    arguments of cls.__init__ with defaults form the param spec); the object
    then gets `fit(X, y)` (for classifiers y holds class codes 0..k-1 and
    `n_classes_` is set on it first), `predict(X)` (codes for classifiers)
    and optionally `predict_proba(X)` (k columns). X is a list of rows.
    An exception raised in these methods fails the C call with
    CTUNE_EUSER and is re-raised in Python when it returns."""
    kinds = {"classifier": 1, "regressor": 2}
    if kind not in kinds:
        raise ValueError("kind must be 'classifier' or 'regressor', got %r" % kind)
    spec, keep = _spec_of(cls.__init__ if "__init__" in cls.__dict__ else (lambda self: None))
    names = [p for p in inspect.signature(cls.__init__).parameters if p != "self"] \
        if "__init__" in cls.__dict__ else []

    def create(out, params, user):
        try:
            values = to_dict(params)
            obj = cls(**{k: v for k, v in values.items() if k in names})
            with _lock:
                key = next(_ids)
                _instances[key] = obj
            out[0] = key
            return 0
        except BaseException as exc:  # noqa: BLE001 - reported to C
            return callback_failed(exc)

    def fit(self, data, n_classes, ctx):
        try:
            obj = _instances[self]
            if n_classes:
                obj.n_classes_ = n_classes
            obj.fit(_rows(data), _targets(data))
            return 0
        except BaseException as exc:  # noqa: BLE001
            return callback_failed(exc)

    def predict(self, data, out):
        try:
            obj = _instances[self]
            n = C.ctune_data_n_rows(data)
            _write(out, obj.predict(_rows(data)), n, getattr(obj, "n_outputs_", 1), "predict")
            return 0
        except BaseException as exc:  # noqa: BLE001
            return callback_failed(exc)

    def predict_proba(self, data, out):
        try:
            obj = _instances[self]
            n = C.ctune_data_n_rows(data)
            _write(out, obj.predict_proba(_rows(data)), n, obj.n_classes_, "predict_proba")
            return 0
        except BaseException as exc:  # noqa: BLE001
            return callback_failed(exc)

    def destroy(self):
        with _lock:
            _instances.pop(self, None)

    cbs = dict(create=CREATE(create), fit=FIT(fit), predict=PREDICT(predict),
               destroy=DESTROY(destroy))
    if hasattr(cls, "predict_proba") and kind == "classifier":
        cbs["predict_proba"] = PREDICT(predict_proba)
    label = (name or cls.__name__).encode()
    vt = Vtable(version=1, name=label, kind=kinds[kind], params=spec, **cbs)
    h = c_void_p()
    check(C.ctune_estimator_new(ctypes.byref(h), ctypes.byref(vt), None))
    est = Estimator._adopt(h)
    est._keep = (vt, cbs, spec, keep, label, cls)
    return est


def check_estimator(estimator, options=None):
    """Runs ctune's conformance battery on an estimator; returns the list of
    failures ("check: reason"), empty when it conforms."""
    report = ctypes.create_string_buffer(16384)
    failed = ctypes.c_int()
    check(C.ctune_check_estimator(estimator._h, options.encode() if options else None, report,
                                  len(report), ctypes.byref(failed)))
    return [line for line in report.value.decode().splitlines() if line][: failed.value or None] \
        if failed.value else []
