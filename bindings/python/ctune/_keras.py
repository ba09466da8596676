"""Keras-style models from Python: a build_fn written as for Keras, wrapped as
KerasClassifier / KerasRegressor, and the built-in MLP."""

import ctypes
import inspect

from ._base import ClassifierMixin, Handle, RegressorMixin, new_handle
from ._errors import callback_failed, check
from ._estimator import NativeEstimator, _Classifier, _Regressor, native
from ._native import BUILD_FN, C, ParamSpec, c_void_p
from ._params import T_BOOL, T_DOUBLE, T_INT, T_NONE, T_STRING, to_dict

for _n, _r, _a in [
    ("ctune_keras_classifier_new", ctypes.c_int,
     [ctypes.POINTER(c_void_p), BUILD_FN, ctypes.POINTER(ParamSpec), c_void_p]),
    ("ctune_keras_regressor_new", ctypes.c_int,
     [ctypes.POINTER(c_void_p), BUILD_FN, ctypes.POINTER(ParamSpec), c_void_p]),
    ("ctune_model_add_dense", ctypes.c_int, [c_void_p, ctypes.c_int64, ctypes.c_char_p,
                                              ctypes.c_char_p]),
    ("ctune_model_add_dropout", ctypes.c_int, [c_void_p, ctypes.c_double]),
    ("ctune_model_compile", ctypes.c_int, [c_void_p, ctypes.c_char_p, ctypes.c_char_p,
                                            ctypes.c_char_p]),
    ("ctune_keras_model", c_void_p, [c_void_p]),
    ("ctune_model_history_len", ctypes.c_size_t, [c_void_p]),
    ("ctune_model_history_n_keys", ctypes.c_size_t, [c_void_p]),
    ("ctune_model_history_key", ctypes.c_char_p, [c_void_p, ctypes.c_size_t]),
    ("ctune_model_history_value", ctypes.c_int, [ctypes.POINTER(ctypes.c_double), c_void_p,
                                                 ctypes.c_char_p, ctypes.c_size_t]),
]:
    C.declare(_n, _r, _a)

# The wrapper's own parameters (routed to training, never to build_fn).
TRAINING_PARAMS = ("epochs", "batch_size", "shuffle", "validation_split", "verbose", "seed",
                   "early_stopping", "monitor", "patience", "min_delta", "restore_best_weights")


def _text(v):
    if v is None:
        return "none"
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


# ---- a Keras-like model description, replayed onto the C model -------------

class Dense:
    """keras.layers.Dense(units, activation=None, kernel_initializer="glorot_uniform",
    use_bias=True, l1=0, l2=0). input_dim / input_shape are accepted and ignored:
    the input width comes from the data."""

    def __init__(self, units, activation=None, kernel_initializer="glorot_uniform",
                 use_bias=True, l1=0.0, l2=0.0, input_dim=None, input_shape=None):
        self.units = int(units)
        self.activation = activation or "linear"
        self.options = "kernel_initializer=%s, use_bias=%s, l1=%r, l2=%r" % (
            kernel_initializer, "true" if use_bias else "false", float(l1), float(l2))

    def _apply(self, m):
        check(C.ctune_model_add_dense(m, self.units, self.activation.encode(),
                                      self.options.encode()))


class Dropout:
    """keras.layers.Dropout(rate)."""

    def __init__(self, rate):
        self.rate = float(rate)

    def _apply(self, m):
        check(C.ctune_model_add_dropout(m, self.rate))


class Sequential:
    """keras.Sequential: add layers, then compile(optimizer, loss, metrics, **options)."""

    def __init__(self, layers=None):
        self.layers = list(layers or [])
        self._compile = None

    def add(self, layer):
        self.layers.append(layer)

    def compile(self, optimizer="rmsprop", loss=None, metrics=None, **options):
        if loss is None:
            raise ValueError("compile() needs a loss")
        opts = dict(options)
        if not isinstance(optimizer, str):  # an optimizer object: name + options
            opts.update(optimizer.options)
            optimizer = optimizer.name
        if metrics:
            opts["metrics"] = "|".join(metrics)
        self._compile = (optimizer, loss, ", ".join("%s=%s" % (k, _text(v)) for k, v in opts.items()))

    def _apply(self, m):
        for layer in self.layers:
            layer._apply(m)
        if self._compile is None:
            raise ValueError("the model returned by build_fn was not compiled")
        opt, loss, opts = self._compile
        check(C.ctune_model_compile(m, opt.encode(), loss.encode(), opts.encode() or None))


class Optimizer:
    """An optimizer with options, e.g. Optimizer("sgd", learning_rate=0.1, momentum=0.9)."""

    def __init__(self, name, **options):
        self.name = name
        self.options = options


# ---- the wrappers ----------------------------------------------------------------

def _builder_names(fn):
    """The parameters of a build_fn that are tunable (not meta, *args, **kw)."""
    if fn is None:
        return []
    return [n for n, p in inspect.signature(fn).parameters.items()
            if n not in ("meta", "self") and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]


def _spec_of(fn, check_collisions=True):
    """ParamSpec array (and keep-alive bytes) from a function's signature.
    For Keras-style builders a parameter named as a training parameter is an
    error (it could never reach the builder)."""
    entries, keep = [], []
    for name in _builder_names(fn):
        p = inspect.signature(fn).parameters[name]
        if check_collisions and name in TRAINING_PARAMS:
            raise ValueError("build_fn parameter %r collides with the training parameter of "
                             "the same name" % name)
        d = None if p.default is inspect.Parameter.empty else p.default
        if isinstance(d, bool):
            types = T_BOOL
        elif isinstance(d, int):
            types = T_INT
        elif isinstance(d, float):
            types = T_DOUBLE
        elif isinstance(d, str):
            types = T_STRING
        else:
            types = T_INT | T_DOUBLE | T_STRING | T_BOOL | T_NONE
        nb, db = name.encode(), _text(d).encode()
        keep += [nb, db]
        entries.append(ParamSpec(nb, types, db, None, None, b"build_fn parameter"))
    arr = (ParamSpec * (len(entries) + 1))(*entries)
    return arr, keep


def _history(ptr):
    m = C.ctune_keras_model(ptr)
    if not m:
        return {}
    n, out = C.ctune_model_history_len(m), {}
    v = ctypes.c_double()
    for i in range(C.ctune_model_history_n_keys(m)):
        key = C.ctune_model_history_key(m, i)
        vals = []
        for e in range(n):
            check(C.ctune_model_history_value(ctypes.byref(v), m, key, e))
            vals.append(v.value)
        out[key.decode()] = vals
    return out


class _History:
    @property
    def history_(self):
        """Per-epoch training history (loss, metrics, val_*), as Keras'
        History.history: a dict of lists."""
        return _history(self._check_fitted())


def _training_defaults():
    h = Handle(new_handle("ctune_mlp_classifier_new"))
    params = to_dict(C.ctune_estimator_get_params(h.ptr))
    return {k: params[k] for k in TRAINING_PARAMS}


_TRAINING = _training_defaults()


def _make_builder(fn):
    sig = inspect.signature(fn)
    wants_meta = "meta" in sig.parameters
    takes = set(_builder_names(fn))

    def build(params_h, model_h, user):
        try:
            values = to_dict(params_h)
            meta = {k: values.pop(k) for k in list(values) if k.endswith("_")}
            kwargs = {k: v for k, v in values.items() if k in takes}
            if wants_meta:
                kwargs["meta"] = meta
            seq = fn(**kwargs)
            if not isinstance(seq, Sequential):
                raise TypeError("build_fn must return a ctune.Sequential, got %s"
                                % type(seq).__name__)
            seq._apply(model_h)
            return 0
        except BaseException as exc:  # noqa: BLE001 - reported to C, re-raised by check()
            return callback_failed(exc)

    return BUILD_FN(build)


class _KerasBase(_History, NativeEstimator):
    """KerasClassifier(build_fn=create_model, epochs=..., batch_size=...,
    **builder_params): the builder's parameters (from its signature) and the
    training parameters are all estimator parameters."""

    _ctor = None

    def __init__(self, build_fn=None, **params):
        self.build_fn = build_fn
        names = _builder_names(build_fn) if callable(build_fn) else None
        for k, v in params.items():
            if k not in _TRAINING and names is not None and k not in names:
                raise ValueError("unknown parameter %r: %s's build_fn takes %s; the training "
                                 "parameters are %s" % (k, type(self).__name__,
                                                        ", ".join(names) or "none",
                                                        ", ".join(_TRAINING)))
        for k, d in _TRAINING.items():
            setattr(self, k, params.pop(k, d))
        for k, v in params.items():
            setattr(self, k, v)

    def _builder_params(self):
        return {k: getattr(self, k) for k in _builder_names(self.build_fn) if k in vars(self)}

    def get_params(self, deep=True):
        out = {"build_fn": self.build_fn}
        out.update((k, getattr(self, k)) for k in _TRAINING)
        out.update(self._builder_params())
        return out

    def set_params(self, **params):
        names = set(_builder_names(params.get("build_fn", self.build_fn)))
        for k in params:
            if k != "build_fn" and k not in _TRAINING and k not in names:
                raise ValueError("Invalid parameter %r for estimator %s. Valid parameters are: "
                                 "%s." % (k, type(self).__name__,
                                          sorted(["build_fn", *_TRAINING, *names])))
        for k, v in params.items():
            setattr(self, k, v)
        return self

    def _c_params(self):
        out = {k: getattr(self, k) for k in _TRAINING}
        out.update(self._builder_params())
        return out

    def _new_handle(self):
        fn = self.build_fn
        if fn is None or not callable(fn):
            raise ValueError("%s needs build_fn=<function returning a compiled Sequential>, "
                             "got %r" % (type(self).__name__, fn))
        spec, keep = _spec_of(fn)
        cb = _make_builder(fn)
        h = Handle(new_handle(self._ctor, cb, spec, None), keep=(cb, spec, keep, fn))
        self._apply_params(h)
        return h

    def _like(self):
        return self._new_handle()


_KerasBase.__init__.__signature__ = inspect.Signature(
    [inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD),
     inspect.Parameter("build_fn", inspect.Parameter.POSITIONAL_OR_KEYWORD, default=None)] +
    [inspect.Parameter(k, inspect.Parameter.KEYWORD_ONLY, default=v)
     for k, v in _TRAINING.items()] +
    [inspect.Parameter("builder_params", inspect.Parameter.VAR_KEYWORD)])


class KerasClassifier(_Classifier, ClassifierMixin, _KerasBase):
    """scikeras' KerasClassifier(build_fn=create_model, epochs=..., batch_size=...,
    **builder_params)."""

    _ctor = "ctune_keras_classifier_new"


class KerasRegressor(_Regressor, RegressorMixin, _KerasBase):
    """scikeras' KerasRegressor."""

    _ctor = "ctune_keras_regressor_new"


@native("ctune_mlp_classifier_new")
class MLPClassifier(_History, _Classifier, ClassifierMixin, NativeEstimator):
    """The built-in MLP (nl, nn, activation, optimizer, learning_rate,
    momentum, dropout, l2, kernel_initializer) as a KerasClassifier, with the
    training parameters (epochs, batch_size, ...)."""


@native("ctune_mlp_regressor_new")
class MLPRegressor(_History, _Regressor, RegressorMixin, NativeEstimator):
    """The built-in MLP as a KerasRegressor."""

    def _more_tags(self):
        return {"multioutput": True}
