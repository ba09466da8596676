"""Keras-style models from Python: a build_fn written as for Keras, wrapped as
KerasClassifier / KerasRegressor, and the built-in MLP."""

import ctypes
import inspect

from ._errors import callback_failed, check
from ._estimator import Estimator, _new
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

def _spec_of(fn):
    """ParamSpec array (and keep-alive bytes) from build_fn's signature."""
    entries, keep = [], []
    for name, p in inspect.signature(fn).parameters.items():
        if name in ("meta", "self") or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        if name in TRAINING_PARAMS:
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


class _KerasBase(Estimator):
    _ctor = None

    def __init__(self, build_fn=None, model=None, **params):
        fn = build_fn or model
        if fn is None or not callable(fn):
            raise ValueError("KerasClassifier needs build_fn=<function returning a compiled Sequential>")
        sig = inspect.signature(fn)
        wants_meta = "meta" in sig.parameters
        takes = {n for n, p in sig.parameters.items() if p.kind not in
                 (p.VAR_POSITIONAL, p.VAR_KEYWORD)}
        spec, keep = _spec_of(fn)

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

        cb = BUILD_FN(build)
        h = c_void_p()
        check(getattr(C, self._ctor)(ctypes.byref(h), cb, spec, None))
        self._keep = (cb, spec, keep, fn)
        super().__init__(h, **params)


class KerasClassifier(_KerasBase):
    """scikeras' KerasClassifier(build_fn=create_model, epochs=..., batch_size=..., **builder_params)."""

    _ctor = "ctune_keras_classifier_new"


class KerasRegressor(_KerasBase):
    """scikeras' KerasRegressor."""

    _ctor = "ctune_keras_regressor_new"


class MLPClassifier(Estimator):
    """The built-in MLP (nl, nn, activation, optimizer, learning_rate, momentum, dropout, l2,
    kernel_initializer) as a KerasClassifier, with the training params (epochs, batch_size, ...)."""

    def __init__(self, **params):
        super().__init__(_new("ctune_mlp_classifier_new"), **params)


class MLPRegressor(Estimator):
    """The built-in MLP as a KerasRegressor."""

    def __init__(self, **params):
        super().__init__(_new("ctune_mlp_regressor_new"), **params)
