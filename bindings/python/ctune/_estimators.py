"""The library's built-in estimators."""

from ._estimator import Estimator, _new


class DummyClassifier(Estimator):
    """scikit-learn's DummyClassifier: strategy most_frequent | prior | stratified | uniform."""

    def __init__(self, **params):
        super().__init__(_new("ctune_dummy_classifier_new"), **params)


class DummyRegressor(Estimator):
    """scikit-learn's DummyRegressor: strategy mean | median | constant."""

    def __init__(self, **params):
        super().__init__(_new("ctune_dummy_regressor_new"), **params)
