"""The library's built-in estimators and its Pipeline."""

import ctypes

import numpy as np

from ._base import (CLASSIFIER, REGRESSOR, TRANSFORMER, ClassifierMixin, Handle, RegressorMixin,
                    TransformerMixin, new_handle)
from ._errors import check
from ._estimator import NativeEstimator, _Classifier, _Regressor, _Transformer, native
from ._native import C

for _n, _r, _a in [
    ("ctune_tree_depth", ctypes.c_int, [ctypes.POINTER(ctypes.c_size_t), ctypes.c_void_p]),
    ("ctune_tree_n_leaves", ctypes.c_int, [ctypes.POINTER(ctypes.c_size_t), ctypes.c_void_p]),
    ("ctune_tree_n_nodes", ctypes.c_int, [ctypes.POINTER(ctypes.c_size_t), ctypes.c_void_p]),
    ("ctune_tree_feature_importances", ctypes.c_int,
     [ctypes.POINTER(ctypes.c_double), ctypes.c_void_p]),
    ("ctune_tree_node", ctypes.c_int,
     [ctypes.POINTER(ctypes.c_int64), ctypes.POINTER(ctypes.c_double),
      ctypes.POINTER(ctypes.c_int64), ctypes.POINTER(ctypes.c_int64), ctypes.c_void_p,
      ctypes.c_size_t]),
    ("ctune_tree_node_stats", ctypes.c_int,
     [ctypes.POINTER(ctypes.c_double), ctypes.POINTER(ctypes.c_double),
      ctypes.POINTER(ctypes.c_size_t), ctypes.c_void_p, ctypes.c_size_t]),
    ("ctune_tree_node_value", ctypes.c_int,
     [ctypes.POINTER(ctypes.c_double), ctypes.c_void_p, ctypes.c_size_t]),
    ("ctune_scaler_mean", ctypes.c_int, [ctypes.POINTER(ctypes.c_double), ctypes.c_void_p]),
    ("ctune_scaler_var", ctypes.c_int, [ctypes.POINTER(ctypes.c_double), ctypes.c_void_p]),
    ("ctune_scaler_scale", ctypes.c_int, [ctypes.POINTER(ctypes.c_double), ctypes.c_void_p]),
    ("ctune_pipeline_new", ctypes.c_int, [ctypes.POINTER(ctypes.c_void_p)]),
    ("ctune_pipeline_add_step", ctypes.c_int, [ctypes.c_void_p, ctypes.c_char_p,
                                               ctypes.c_void_p]),
]:
    C.declare(_n, _r, _a)

_dp = ctypes.POINTER(ctypes.c_double)


def _vector(fn, ptr, n):
    out = np.empty(n, dtype=np.float64)
    check(fn(out.ctypes.data_as(_dp), ptr))
    return out


def _count(fn, ptr):
    v = ctypes.c_size_t()
    check(fn(ctypes.byref(v), ptr))
    return v.value


@native("ctune_dummy_classifier_new")
class DummyClassifier(_Classifier, ClassifierMixin, NativeEstimator):
    """scikit-learn's DummyClassifier: strategy most_frequent | prior |
    stratified | uniform; a baseline that ignores X."""

    def _more_tags(self):
        random = "the stratified and uniform strategies draw each prediction at random"
        return {"poor_score": True, "_xfail_checks": {
            "check_methods_subset_invariance": random,
            "check_methods_sample_order_invariance": random}}


@native("ctune_dummy_regressor_new")
class DummyRegressor(_Regressor, RegressorMixin, NativeEstimator):
    """scikit-learn's DummyRegressor: strategy mean | median | constant."""

    def _more_tags(self):
        return {"poor_score": True, "multioutput": True}


class TreeStats:
    """The fitted tree's structure, named as scikit-learn's tree_ attributes:
    node_count, max_depth, n_leaves, children_left / children_right (-1 at a
    leaf), feature (-2 at a leaf, as scikit-learn), threshold (-2 at a leaf),
    impurity, n_node_samples, weighted_n_node_samples, value
    (node_count x n_outputs x width)."""

    def __init__(self, ptr, width, n_outputs=1):
        n = _count(C.ctune_tree_n_nodes, ptr)
        self.node_count = n
        self.max_depth = _count(C.ctune_tree_depth, ptr)
        self.n_leaves = _count(C.ctune_tree_n_leaves, ptr)
        self.children_left = np.empty(n, dtype=np.int64)
        self.children_right = np.empty(n, dtype=np.int64)
        self.feature = np.empty(n, dtype=np.int64)
        self.threshold = np.empty(n)
        self.impurity = np.empty(n)
        self.n_node_samples = np.empty(n, dtype=np.int64)
        self.weighted_n_node_samples = np.empty(n)
        self.value = np.empty((n, n_outputs, width // n_outputs))
        f, t, left, right = (ctypes.c_int64(), ctypes.c_double(), ctypes.c_int64(),
                             ctypes.c_int64())
        imp, w, cnt = ctypes.c_double(), ctypes.c_double(), ctypes.c_size_t()
        val = np.empty(width)
        for i in range(n):
            check(C.ctune_tree_node(ctypes.byref(f), ctypes.byref(t), ctypes.byref(left),
                                    ctypes.byref(right), ptr, i))
            check(C.ctune_tree_node_stats(ctypes.byref(imp), ctypes.byref(w), ctypes.byref(cnt),
                                          ptr, i))
            check(C.ctune_tree_node_value(val.ctypes.data_as(_dp), ptr, i))
            leaf = left.value < 0
            self.children_left[i], self.children_right[i] = left.value, right.value
            self.feature[i] = -2 if leaf else f.value
            self.threshold[i] = -2.0 if leaf else t.value
            self.impurity[i], self.weighted_n_node_samples[i] = imp.value, w.value
            self.n_node_samples[i] = cnt.value
            self.value[i] = val.reshape(n_outputs, -1)


class _Tree:
    @property
    def feature_importances_(self):
        """Impurity-based feature importances, summing to 1."""
        return _vector(C.ctune_tree_feature_importances, self._check_fitted(),
                       self.n_features_in_)

    @property
    def tree_(self):
        """The fitted structure (a TreeStats)."""
        ptr = self._check_fitted()
        if self._kind == CLASSIFIER:
            return TreeStats(ptr, len(self.classes_))
        return TreeStats(ptr, self.n_outputs_, self.n_outputs_)

    def get_depth(self):
        return _count(C.ctune_tree_depth, self._check_fitted())

    def get_n_leaves(self):
        return _count(C.ctune_tree_n_leaves, self._check_fitted())


@native("ctune_decision_tree_classifier_new")
class DecisionTreeClassifier(_Tree, _Classifier, ClassifierMixin, NativeEstimator):
    """scikit-learn's DecisionTreeClassifier (criterion, splitter, max_depth, ...)."""

    def _more_tags(self):
        return {"_xfail_checks": {
            "check_class_weight_classifiers": "class_weight takes None or 'balanced'; a dict of "
                                              "per-class weights is not supported"}}


@native("ctune_decision_tree_regressor_new")
class DecisionTreeRegressor(_Tree, _Regressor, RegressorMixin, NativeEstimator):
    """scikit-learn's DecisionTreeRegressor."""

    def _more_tags(self):
        return {"multioutput": True}


@native("ctune_standard_scaler_new")
class StandardScaler(_Transformer, TransformerMixin, NativeEstimator):
    """scikit-learn's StandardScaler (with_mean, with_std)."""

    def _more_tags(self):
        return {"preserves_dtype": [np.float64]}

    @property
    def mean_(self):
        """Per-feature means (None when neither centering nor scaling)."""
        ptr = self._check_fitted()
        if not self.with_mean and not self.with_std:
            return None
        return _vector(C.ctune_scaler_mean, ptr, self.n_features_in_)

    @property
    def var_(self):
        """Per-feature variances (None without with_std)."""
        ptr = self._check_fitted()
        return _vector(C.ctune_scaler_var, ptr, self.n_features_in_) if self.with_std else None

    @property
    def scale_(self):
        """Per-feature scales (None without with_std)."""
        ptr = self._check_fitted()
        return _vector(C.ctune_scaler_scale, ptr, self.n_features_in_) if self.with_std else None


def as_native(est):
    """A ctune estimator for `est`: itself, or a scikit-learn (or any
    fit/predict) estimator wrapped as a custom estimator."""
    if isinstance(est, NativeEstimator):
        return est
    from ._custom import wrap_estimator
    return wrap_estimator(est)


class DynamicKind:
    """The methods of an estimator whose kind is known only from what it
    holds (a Pipeline's last step, a wrapped scikit-learn estimator): each
    method exists only when the kind has it."""

    @property
    def _estimator_type(self):
        return {CLASSIFIER: "classifier", REGRESSOR: "regressor"}.get(self._kind)

    def _fit_targets(self, y, n):
        return self._mix()._fit_targets(self, y, n)

    def _after_fit(self, h):
        if self._kind == CLASSIFIER:
            _Classifier._after_fit(self, h)
        elif self._kind == TRANSFORMER:
            self.n_features_out_ = C.ctune_estimator_n_outputs(h.ptr)

    def _mix(self):
        return {CLASSIFIER: _Classifier, REGRESSOR: _Regressor,
                TRANSFORMER: _Transformer}[self._kind]

    def _method(self, kinds, name):
        if self._kind not in kinds:
            raise AttributeError("This %s has no attribute %r: it holds a %s"
                                 % (type(self).__name__, name, type(self._final).__name__))
        mix = self._mix()
        return getattr(mix, name).__get__(self)

    @property
    def predict(self):
        return self._method((CLASSIFIER, REGRESSOR), "predict")

    @property
    def predict_proba(self):
        if self._kind == CLASSIFIER and not hasattr(self._final, "predict_proba"):
            raise AttributeError("%s has no predict_proba" % type(self._final).__name__)
        return self._method((CLASSIFIER,), "predict_proba")

    @property
    def transform(self):
        return self._method((TRANSFORMER,), "transform")

    @property
    def score(self):
        mix = {CLASSIFIER: ClassifierMixin, REGRESSOR: RegressorMixin}.get(self._kind)
        if mix is None:
            raise AttributeError("a %s holding a transformer has no score" % type(self).__name__)
        return mix.score.__get__(self)

    @property
    def fit_transform(self):
        if self._kind != TRANSFORMER:
            raise AttributeError("a %s holding a predictor has no fit_transform"
                                 % type(self).__name__)
        return TransformerMixin.fit_transform.__get__(self)

    @property
    def classes_(self):
        if self._kind != CLASSIFIER or "classes_" not in self.__dict__:
            self._check_fitted()
            raise AttributeError("classes_")
        return self.__dict__["classes_"]

    @classes_.setter
    def classes_(self, value):
        self.__dict__["classes_"] = value


class Pipeline(DynamicKind, NativeEstimator):
    """scikit-learn's Pipeline: Pipeline([("scaler", StandardScaler()),
    ("mlp", MLPClassifier())]), run as one C pipeline. Its kind is its last
    step's; its parameters are `steps`, each step by name, and the steps'
    parameters as step__param. Steps that are not ctune estimators (e.g.
    scikit-learn's) run as custom estimators."""

    _required_parameters = ["steps"]

    def __init__(self, steps):
        self.steps = steps

    # ---- parameters ---------------------------------------------------------
    @property
    def named_steps(self):
        return dict(self.steps)

    def get_params(self, deep=True):
        out = {"steps": self.steps}
        if deep:
            for name, est in self.steps:
                out[name] = est
                if hasattr(est, "get_params"):
                    out.update(("%s__%s" % (name, k), v)
                               for k, v in est.get_params(deep=True).items())
        return out

    def set_params(self, **params):
        if "steps" in params:
            self.steps = params.pop("steps")
        names = [n for n, _ in self.steps]
        for key in [k for k in params if k in names]:
            i = names.index(key)
            self.steps = list(self.steps)
            self.steps[i] = (key, params.pop(key))
        nested = {}
        for key, value in params.items():
            name, sep, sub = key.partition("__")
            if not sep or name not in names:
                raise ValueError("Invalid parameter %r for estimator %s. Valid parameters are: "
                                 "['steps'] and the step names %s with step__param."
                                 % (key, type(self).__name__, names))
            nested.setdefault(name, {})[sub] = value
        for name, sub in nested.items():
            self.named_steps[name].set_params(**sub)
        return self

    # ---- kind ---------------------------------------------------------------
    @property
    def _final(self):
        return as_native(self.steps[-1][1])

    @property
    def _kind(self):
        return self._final._kind

    def _more_tags(self):
        return {"requires_y": self._kind in (CLASSIFIER, REGRESSOR),
                "_xfail_checks": self._final._get_tags()["_xfail_checks"]}

    # ---- the C pipeline -----------------------------------------------------
    def _new_handle(self):
        if not self.steps:
            raise ValueError("Pipeline needs at least one step")
        h = Handle(new_handle("ctune_pipeline_new"))
        keep = []
        for name, est in self.steps:
            step = as_native(est)._new_handle()
            check(C.ctune_pipeline_add_step(h.ptr, name.encode(), step.ptr))
            keep.append(step.keep)
        h.keep = tuple(keep)
        return h

    def _like(self):
        return self._new_handle()

    def _apply_params(self, h):
        pass
