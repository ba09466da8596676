"""The library's built-in estimators."""

from ._errors import check
from ._estimator import Estimator, _new
from ._native import C


class DummyClassifier(Estimator):
    """scikit-learn's DummyClassifier: strategy most_frequent | prior | stratified | uniform."""

    def __init__(self, **params):
        super().__init__(_new("ctune_dummy_classifier_new"), **params)


class DummyRegressor(Estimator):
    """scikit-learn's DummyRegressor: strategy mean | median | constant."""

    def __init__(self, **params):
        super().__init__(_new("ctune_dummy_regressor_new"), **params)


class DecisionTreeClassifier(Estimator):
    """scikit-learn's DecisionTreeClassifier (criterion, splitter, max_depth, ...)."""

    def __init__(self, **params):
        super().__init__(_new("ctune_decision_tree_classifier_new"), **params)


class DecisionTreeRegressor(Estimator):
    """scikit-learn's DecisionTreeRegressor."""

    def __init__(self, **params):
        super().__init__(_new("ctune_decision_tree_regressor_new"), **params)


class StandardScaler(Estimator):
    """scikit-learn's StandardScaler (with_mean, with_std)."""

    def __init__(self, **params):
        super().__init__(_new("ctune_standard_scaler_new"), **params)


class Pipeline(Estimator):
    """scikit-learn's Pipeline: Pipeline([("scaler", StandardScaler()), ("mlp", MLPClassifier())]).

    The steps are copied (their params, not their fit); the pipeline's params
    are the steps' params as step__param."""

    def __init__(self, steps, **params):
        h = _new("ctune_pipeline_new")
        keep = []
        try:
            for name, est in steps:
                check(C.ctune_pipeline_add_step(h, name.encode(), est._h))
                keep.extend(getattr(est, "_keep", ()))
        except Exception:
            C.ctune_estimator_free(h)
            raise
        super().__init__(h, **params)
        self._keep = tuple(keep)  # callbacks the steps' C code may call
        self.steps = [name for name, _ in steps]
