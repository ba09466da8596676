"""ctune: embeddable hyperparameter tuning, from Python through ctypes.

The scikit-learn surface over the C library libctune.so.1: estimators that
scikit-learn's own tools accept (clone, pipelines, GridSearchCV,
cross_val_score, check_estimator), ctune's fast searches, which accept
scikit-learn's vocabulary, and Keras-style models. numpy is required;
scikit-learn, scipy and pandas are optional. The library is the one
installed with the package (a wheel bundles it; `meson install` records
where it went), or the one CTUNE_LIBRARY names."""

from ._errors import CtuneError, CtuneMemoryError, CtuneValueError, NotFittedError
from ._base import BaseEstimator, expected_failed_checks
from ._custom import SklearnEstimator, check_estimator, custom_class, custom_estimator
from ._data import Data
from ._estimator import NativeEstimator
from ._estimators import (DecisionTreeClassifier, DecisionTreeRegressor, DummyClassifier,
                          DummyRegressor, Pipeline, StandardScaler)
from ._keras import (Dense, Dropout, KerasClassifier, KerasRegressor, MLPClassifier, MLPRegressor,
                     Optimizer, Sequential)
from ._model_selection import (GridSearchCV, HalvingGridSearchCV, HalvingRandomSearchCV,
                               HyperbandSearchCV, RandomizedSearchCV, TPESearchCV,
                               cross_val_score,
                               loguniform, randint, uniform)
from ._io import dataset_names, load_csv, load_dataset, load_model, save_model
from ._native import C as _C
from . import _log  # noqa: F401  (routes the C library's log lines to Python)

Estimator = NativeEstimator

__all__ = [
    "CtuneError", "CtuneValueError", "CtuneMemoryError", "NotFittedError", "Data", "Estimator",
    "BaseEstimator", "NativeEstimator", "expected_failed_checks",
    "DummyClassifier", "DummyRegressor", "version", "load_dataset", "dataset_names",
    "load_csv", "save_model", "load_model", "DecisionTreeClassifier", "DecisionTreeRegressor",
    "StandardScaler", "Pipeline", "Dense", "Dropout", "Sequential", "Optimizer", "KerasClassifier",
    "KerasRegressor", "MLPClassifier", "MLPRegressor", "cross_val_score", "RandomizedSearchCV",
    "GridSearchCV", "HalvingRandomSearchCV", "HalvingGridSearchCV", "HyperbandSearchCV",
    "TPESearchCV", "uniform", "loguniform", "randint", "custom_estimator", "custom_class",
    "SklearnEstimator", "check_estimator",
]


def version():
    """The C library's version string."""
    return _C.ctune_version_string().decode()
