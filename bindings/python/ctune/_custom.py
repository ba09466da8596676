"""Custom estimators written in Python, behind the same C vtable as the
library's own (the FFI form of docs/custom-estimators.md), and scikit-learn
estimators run through it."""

import ctypes
import inspect
import itertools
import pickle
import threading

import numpy as np

from ._base import (CLASSIFIER, REGRESSOR, TRANSFORMER, ClassifierMixin, Handle, RegressorMixin,
                    TransformerMixin)
from ._data import x_array, y_array
from ._errors import callback_failed, check
from ._estimator import KINDS, NativeEstimator
from ._estimators import DynamicKind
from ._keras import _spec_of
from ._native import C, ParamSpec, c_void_p
from ._params import T_BOOL, T_DOUBLE, T_INT, T_NONE, T_STRING, to_dict

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
    ("ctune_check_estimator", ctypes.c_long, [ctypes.c_char_p, ctypes.c_size_t, _P(ctypes.c_int),
                                             c_void_p, ctypes.c_char_p]),
    ("ctune_write_u64", ctypes.c_int, [c_void_p, ctypes.c_uint64]),
    ("ctune_write_bytes", ctypes.c_int, [c_void_p, ctypes.c_char_p, ctypes.c_size_t]),
    ("ctune_read_u64", ctypes.c_int, [_P(ctypes.c_uint64), c_void_p]),
    ("ctune_read_bytes", ctypes.c_int, [ctypes.c_char_p, ctypes.c_size_t, c_void_p]),
    ("ctune_read_remaining", ctypes.c_size_t, [c_void_p]),
]:
    C.declare(_n, _r, _a)

_instances = {}            # id -> Python model object (fitted state lives there)
_ids = itertools.count(1)
_lock = threading.Lock()
_ANY = T_INT | T_DOUBLE | T_STRING | T_BOOL | T_NONE


def _register(obj):
    with _lock:
        key = next(_ids)
        _instances[key] = obj
    return key


def _write(out, values, n, cols, what):
    a = np.asarray(values, dtype=np.float64)
    if a.size != n * cols or a.ndim > 2 or (a.ndim == 2 and a.shape != (n, cols)):
        raise ValueError("%s returned %d values (shape %s), expected %d rows x %d"
                         % (what, a.size, a.shape, n, cols))
    np.ctypeslib.as_array(out, shape=(n * cols,))[:] = a.reshape(-1)


def _seed_of(obj, params):
    for k in ("seed", "random_state"):
        v = params.get(k)
        if isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v >= 0:
            return int(v)
    return 0


class _Model:
    """The vtable of one Python estimator family. `factory(params)` makes an
    unfitted Python model from the C params (a dict)."""

    def __init__(self, name, kind, spec, factory, has_proba):
        self.factory = factory
        self.kind = kind
        cbs = dict(create=CREATE(self._create), fit=FIT(self._fit), predict=PREDICT(self._predict),
                   destroy=DESTROY(self._destroy), save=SAVE(self._save), load=LOAD(self._load))
        if kind == CLASSIFIER and has_proba:
            cbs["predict_proba"] = PREDICT(self._predict_proba)
        if kind == TRANSFORMER:
            cbs["transform"] = PREDICT(self._transform)
            cbs["n_features_out"] = SIZE(self._n_out)
        self.cbs = cbs
        self.spec = spec
        self.label = name.encode()
        self.vt = Vtable(version=1, name=self.label, kind=kind, params=spec[0], **cbs)

    def _create(self, out, params, user):
        try:
            values = to_dict(params)
            obj = self.factory(values)
            out[0] = _register([obj, _seed_of(obj, values)])
            return 0
        except BaseException as exc:  # noqa: BLE001 - reported to C
            return callback_failed(exc)

    def _fit(self, key, data, n_classes, ctx):
        try:
            entry = _instances[key]
            obj = entry[0]
            if n_classes:
                obj.n_classes_ = n_classes
            obj.fit_seed_ = C.ctune_fit_ctx_seed(ctx, entry[1])
            X, y = x_array(data), y_array(data)
            if self.kind == TRANSFORMER:
                obj.fit(np.array(X), None)
                # the output width, whatever attribute the model keeps it in
                del entry[2:]
                entry.append(np.asarray(obj.transform(np.array(X[:1]))).reshape(1, -1).shape[1])
            else:
                # scikit-learn estimators may keep X (nearest neighbours): a copy
                obj.fit(np.array(X) if hasattr(obj, "get_params") else X, y)
            return 0
        except BaseException as exc:  # noqa: BLE001
            return callback_failed(exc)

    def _call(self, key, data, out, method, cols):
        try:
            obj = _instances[key][0]
            n = C.ctune_data_n_rows(data)
            _write(out, getattr(obj, method)(x_array(data)), n, cols(obj), method)
            return 0
        except BaseException as exc:  # noqa: BLE001
            return callback_failed(exc)

    def _predict(self, key, data, out):
        return self._call(key, data, out, "predict", lambda o: getattr(o, "n_outputs_", 1)
                          if self.kind == REGRESSOR else 1)

    def _predict_proba(self, key, data, out):
        return self._call(key, data, out, "predict_proba", lambda o: o.n_classes_)

    def _transform(self, key, data, out):
        return self._call(key, data, out, "transform", lambda o: self._n_out(key))

    def _n_out(self, key):
        entry = _instances[key]
        return int(entry[2]) if len(entry) > 2 else 0

    def _save(self, key, w):
        try:
            raw = pickle.dumps(_instances[key], protocol=pickle.HIGHEST_PROTOCOL)
            check(C.ctune_write_u64(w, len(raw)))
            check(C.ctune_write_bytes(w, raw, len(raw)))
            return 0
        except BaseException as exc:  # noqa: BLE001
            return callback_failed(exc)

    def _load(self, out, params, r, user):
        try:
            n = ctypes.c_uint64()
            check(C.ctune_read_u64(ctypes.byref(n), r))
            if n.value > C.ctune_read_remaining(r):
                raise ValueError("model payload announces %d bytes, %d remain"
                                 % (n.value, C.ctune_read_remaining(r)))
            buf = ctypes.create_string_buffer(max(n.value, 1))
            check(C.ctune_read_bytes(buf, n.value, r))
            out[0] = _register(pickle.loads(buf.raw[: n.value]))  # trusted data only
            return 0
        except BaseException as exc:  # noqa: BLE001
            return callback_failed(exc)

    def _destroy(self, key):
        with _lock:
            _instances.pop(key, None)

    def new_handle(self):
        h = c_void_p()
        check(C.ctune_estimator_new(ctypes.byref(h), ctypes.byref(self.vt), None))
        return Handle(h, keep=(self,))


def _representable(v):
    return v is None or isinstance(v, (bool, int, float, str, np.integer, np.floating))


def _any_spec(params):
    """A permissive spec (every type) for params whose current values C can
    hold; Python validates them."""
    entries, keep = [], []
    for name, v in params.items():
        if not _representable(v):
            continue
        nb = name.encode()
        db = ("none" if v is None else ("true" if v else "false") if isinstance(v, bool)
              else repr(v.item() if isinstance(v, np.generic) else v)
              if not isinstance(v, str) else v).encode()
        keep += [nb, db]
        entries.append(ParamSpec(nb, _ANY, db, None, None, b"Python parameter"))
    return (ParamSpec * (len(entries) + 1))(*entries), keep


class _CustomBase(NativeEstimator):
    """A Python estimator class run behind the C vtable."""

    _wrapped = None
    _model = None

    def _params_for_c(self):
        return {k: v for k, v in self.get_params(deep=False).items() if _representable(v)}

    def _vtable(self):
        cls = type(self)
        if cls.__dict__.get("_model") is None:
            wrapped = cls._wrapped
            spec = _spec_of(wrapped.__init__, check_collisions=False) \
                if "__init__" in wrapped.__dict__ else _spec_of(None)
            names = set(self._get_param_names())
            cls._model = _Model(cls.__name__, self._kind, spec,
                                lambda values: wrapped(**{k: v for k, v in values.items()
                                                          if k in names}),
                                hasattr(wrapped, "predict_proba"))
        return cls._model

    def _new_handle(self):
        h = self._vtable().new_handle()
        self._apply_params(h)
        return h

    def _c_params(self):
        return self._params_for_c()

    def _like(self):
        return self._new_handle()

    def _more_tags(self):
        return {"_xfail_checks": {}}

    def __reduce__(self):
        state = self.__getstate__()
        return (_rebuild_custom, (type(self)._wrapped, _kind_name(self._kind), type(self).__name__,
                                  type(self)._has_proba, state))


def _kind_name(kind):
    return {CLASSIFIER: "classifier", REGRESSOR: "regressor", TRANSFORMER: "transformer"}[kind]


_MIXINS = {"classifier": (CLASSIFIER, ClassifierMixin), "regressor": (REGRESSOR, RegressorMixin),
           "transformer": (TRANSFORMER, TransformerMixin)}
_classes = {}


def custom_class(cls, kind="classifier", name=None):
    """The estimator class running Python class `cls` behind the C vtable:
    its parameters are those of cls.__init__."""
    if kind not in _MIXINS:
        raise ValueError("kind must be 'classifier', 'regressor' or 'transformer', got %r"
                         % (kind,))
    key = (cls, kind, name)
    if key in _classes:
        return _classes[key]
    code, mixin = _MIXINS[kind]
    init = cls.__dict__.get("__init__")
    sig = inspect.signature(init) if init is not None else inspect.Signature(
        [inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)])
    defaults = {n: (None if p.default is inspect.Parameter.empty else p.default)
                for n, p in sig.parameters.items()
                if n != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)}

    def __init__(self, **params):
        for k in params:
            if k not in defaults:
                raise TypeError("%s.__init__() got an unexpected keyword argument %r"
                                % (cls.__name__, k))
        for k, d in defaults.items():
            setattr(self, k, params.get(k, d))

    __init__.__signature__ = inspect.Signature(
        [inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)] +
        [inspect.Parameter(k, inspect.Parameter.KEYWORD_ONLY, default=v)
         for k, v in defaults.items()])
    has_proba = hasattr(cls, "predict_proba")
    ns = {"__init__": __init__, "_wrapped": cls, "_has_proba": has_proba, "_model": None,
          "__doc__": cls.__doc__, "__module__": __name__}
    bases = (KINDS[code], mixin, _CustomBase)
    if kind == "classifier" and not has_proba:
        ns["predict_proba"] = property(lambda self: _no_attr(self, "predict_proba"))
    new = type(name or cls.__name__, bases, ns)
    _classes[key] = new
    return new


def _no_attr(self, name):
    raise AttributeError("%s has no %s" % (type(self).__name__, name))


def _rebuild_custom(wrapped, kind, name, has_proba, state):
    cls = custom_class(wrapped, kind, name if name != wrapped.__name__ else None)
    obj = cls.__new__(cls)
    obj.__setstate__(state)
    return obj


def custom_estimator(cls, kind=None, name=None, **params):
    """Wraps a Python class as a ctune estimator usable everywhere a built-in
    one is (cross_val_score, searches, pipelines, the conformance kit, and
    scikit-learn's own tools).

    `cls(**params)` is called at each fit with the current params (the
    arguments of cls.__init__ with defaults form the param spec); the object
    then gets `fit(X, y)`, `predict(X)` and optionally `predict_proba(X)`
    (classifiers) or `transform(X)` (transformers, with `n_features_out_`).
    X is a read-only numpy array, a view of the caller's memory when the
    rows are in order (valid during the call only: keep np.array(X) if the
    model needs X later); for classifiers y holds class codes 0..k-1 and
    `n_classes_` is set first. `fit_seed_` is set before fit: the seed this
    fit should draw from (the estimator's `seed` or `random_state`, or the
    one a search derives for the task). Results may be lists or numpy arrays
    (1-D, or 2-D n x k for predict_proba). An exception raised in these
    methods fails the C call with CTUNE_EUSER and is re-raised in Python
    when it returns. Returns an instance; its class is custom_class(cls).

    An estimator instance (e.g. scikit-learn's LogisticRegression(C=2)) is
    wrapped as it is, with its parameters (see SklearnEstimator). `kind`
    defaults to the class's _estimator_type, else "classifier"."""
    if not isinstance(cls, type):
        if params or not hasattr(cls, "get_params"):
            raise TypeError("custom_estimator takes a class (with params as keywords) or an "
                            "estimator instance, got %r" % (cls,))
        return wrap_estimator(cls)
    if kind is None:
        kind = getattr(cls, "_estimator_type", None) or "classifier"
        if kind not in _MIXINS:
            kind = "transformer" if hasattr(cls, "transform") else "classifier"
    return custom_class(cls, kind, name)(**params)


# ---- scikit-learn estimators -------------------------------------------------

def _sklearn_kind(est):
    t = getattr(est, "_estimator_type", None)
    if t in ("classifier", "regressor"):
        return t
    if hasattr(est, "transform"):
        return "transformer"
    return "regressor" if hasattr(est, "predict") else None


def wrap_estimator(est):
    """A ctune estimator running scikit-learn estimator `est` (any object
    with get_params / set_params / fit and predict or transform)."""
    kind = _sklearn_kind(est)
    if kind is None or not hasattr(est, "get_params"):
        raise TypeError("%r is not an estimator: it needs get_params, fit and predict or "
                        "transform" % (est,))
    return SklearnEstimator(est)


class SklearnEstimator(DynamicKind, NativeEstimator):
    """A scikit-learn estimator run as a ctune custom estimator, so that
    ctune's searches, cross-validation and pipelines can use it. Its C
    parameters are the wrapped estimator's (those C can hold: numbers,
    strings, booleans, None); the others keep the template's values."""

    def __init__(self, estimator):
        self.estimator = estimator

    @property
    def _kind(self):
        return _MIXINS[_sklearn_kind(self.estimator)][0]

    @property
    def _final(self):
        return self.estimator

    def _model(self):
        est = self.estimator
        template = _clone(est)
        params = template.get_params(deep=False)
        spec = _any_spec(params)
        kind = self._kind

        def factory(values):
            obj = _clone(template)
            obj.set_params(**{k: v for k, v in values.items() if k in params})
            return obj

        return _Model(type(est).__name__, kind, spec, factory,
                      hasattr(est, "predict_proba"))

    def _new_handle(self):
        h = self._model().new_handle()
        p = {k: v for k, v in self.estimator.get_params(deep=False).items() if _representable(v)}
        from ._params import Params
        params = Params(p)
        check(C.ctune_estimator_set_params(h.ptr, params.handle))
        return h

    def _like(self):
        return self._new_handle()


def _clone(est):
    try:
        from sklearn.base import clone
        return clone(est)
    except ImportError:  # pragma: no cover - scikit-learn is optional
        return type(est)(**est.get_params(deep=False))


def check_estimator(estimator, options=None):
    """Runs ctune's own conformance battery (the C library's) on an
    estimator; returns the list of failures ("check: reason"), empty when it
    conforms. For scikit-learn's suite use
    sklearn.utils.estimator_checks.check_estimator."""
    h = estimator._new_handle() if hasattr(estimator, "_new_handle") else estimator
    opts = options.encode() if options else None
    report = ctypes.create_string_buffer(16384)
    failed = ctypes.c_int()
    n = C.ctune_check_estimator(report, len(report), ctypes.byref(failed), h.ptr, opts)
    if n >= len(report):  # the report was cut: run again with room for all of it
        report = ctypes.create_string_buffer(n + 1)
        n = C.ctune_check_estimator(report, len(report), ctypes.byref(failed), h.ptr, opts)
    if n < 0:
        check(n)
    return [line for line in report.value.decode().splitlines() if line][: failed.value or None] \
        if failed.value else []
