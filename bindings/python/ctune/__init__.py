"""ctune: embeddable hyperparameter tuning, from Python through ctypes.

The scikit-learn surface over the C library libctune.so.1 (found through the
CTUNE_LIBRARY environment variable naming the file, else the system's library
search path). numpy is optional: numpy arrays (float32 or float64) pass
zero-copy, lists of lists work without it."""

from ._errors import CtuneError, CtuneMemoryError, CtuneValueError
from ._custom import check_estimator, custom_estimator
from ._data import Data
from ._estimator import Estimator
from ._estimators import (DecisionTreeClassifier, DecisionTreeRegressor, DummyClassifier,
                          DummyRegressor, Pipeline, StandardScaler)
from ._keras import (Dense, Dropout, KerasClassifier, KerasRegressor, MLPClassifier, MLPRegressor,
                     Optimizer, Sequential)
from ._model_selection import (GridSearchCV, RandomizedSearchCV, cross_val_score, loguniform,
                               randint, uniform)
from ._tuner import FrozenTrial, Trial, TrialPruned, Tuner
from ._io import dataset_names, load_csv, load_dataset, load_model, save_model
from ._native import C as _C

__all__ = [
    "CtuneError", "CtuneValueError", "CtuneMemoryError", "Data", "Estimator",
    "DummyClassifier", "DummyRegressor", "version", "load_dataset", "dataset_names",
    "load_csv", "save_model", "load_model", "DecisionTreeClassifier", "DecisionTreeRegressor",
    "StandardScaler", "Pipeline", "Dense", "Dropout", "Sequential", "Optimizer", "KerasClassifier",
    "KerasRegressor", "MLPClassifier", "MLPRegressor", "cross_val_score", "RandomizedSearchCV",
    "GridSearchCV", "uniform", "loguniform", "randint", "custom_estimator", "check_estimator",
    "Tuner", "Trial", "FrozenTrial", "TrialPruned",
]


def version():
    """The C library's version string."""
    return _C.ctune_version_string().decode()
