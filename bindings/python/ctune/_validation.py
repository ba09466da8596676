"""Input checks of scikit-learn's check_array / check_X_y, for dense data,
with scikit-learn's messages. numpy is required here."""

import numbers
import warnings

import numpy as np


class DataConversionWarning(UserWarning):
    """y was converted (a column vector to 1-D); scikit-learn's class when it
    is installed, so its filters and checks see it."""


def _conversion_warning():
    from ._errors import sklearn_class
    return sklearn_class("DataConversionWarning", DataConversionWarning)


def _is_sparse(X):
    mod = type(X).__module__ or ""
    return mod.startswith("scipy.sparse") and hasattr(X, "toarray")


def _is_pandas(X):
    return (type(X).__module__ or "").startswith("pandas.")


def feature_names(X):
    """The column names of a DataFrame when they are all strings, else None
    (mixed names raise TypeError as scikit-learn does)."""
    cols = getattr(X, "columns", None)
    if cols is None or not _is_pandas(X):
        return None
    names = np.asarray(cols, dtype=object)
    types = sorted({type(c).__name__ for c in names})
    if len(types) > 1 and "str" in types:
        raise TypeError("Feature names are only supported if all input features have string "
                        "names, but your input has %s as feature name / column name types. If "
                        "you want feature names to be stored and validated, you must convert "
                        "them all to strings, by using X.columns = X.columns.astype(str) for "
                        "example. Otherwise you can remove feature / column names from your "
                        "input data, or convert them all to a non-string data type." % types)
    if types == ["str"]:
        return names
    return None


def _to_array(X, what):
    if _is_sparse(X):
        raise TypeError("A sparse matrix was passed, but dense data is required. Use X.toarray() "
                        "to convert to a dense numpy array.")
    if isinstance(X, np.ndarray):
        return X
    if _is_pandas(X) and hasattr(X, "dtypes") and hasattr(X, "to_numpy"):
        dtypes = getattr(X, "dtypes")
        kinds = {np.dtype(d).kind if isinstance(d, np.dtype) else "O" for d in
                 (dtypes if hasattr(dtypes, "__iter__") else [dtypes])}
        if kinds <= {"f", "i", "u", "b"}:
            return X.to_numpy(dtype=np.float64 if kinds != {"f"} else None)
        return X.to_numpy()
    try:
        return np.asarray(X)
    except (ValueError, TypeError) as exc:
        raise ValueError("%s could not be converted to an array: %s" % (what, exc)) from None


def _float_dtype(a):
    """float32 / float64 arrays pass as they are; others become float64."""
    if a.dtype in (np.float32, np.float64):
        return a
    if np.iscomplexobj(a):
        raise ValueError("Complex data not supported\n%s\n" % a)
    if a.dtype.kind == "O":
        if any(isinstance(v, complex) for v in a.flat):
            raise ValueError("Complex data not supported\n%s\n" % a)
        return a.astype(np.float64)  # a TypeError/ValueError names the value
    if a.dtype.kind in "US":
        try:
            return a.astype(np.float64)
        except ValueError as exc:
            raise ValueError("could not convert string to float: %s" % exc) from None
    return a.astype(np.float64)


def check_X(X, estimator=None, what="X"):
    """X as a 2-D float32/float64 numpy array (no copy for float arrays whose
    rows are evenly spaced and whose columns are contiguous: the C side takes
    a row stride)."""
    a = _to_array(X, what)
    if np.iscomplexobj(a):
        raise ValueError("Complex data not supported\n%s\n" % a)
    if a.ndim == 0:
        raise ValueError("Expected 2D array, got scalar array instead:\narray=%s.\nReshape your "
                         "data either using array.reshape(-1, 1) if your data has a single "
                         "feature or array.reshape(1, -1) if it contains a single sample." % a)
    if a.ndim == 1:
        raise ValueError("Expected 2D array, got 1D array instead:\narray=%s.\nReshape your "
                         "data either using array.reshape(-1, 1) if your data has a single "
                         "feature or array.reshape(1, -1) if it contains a single sample." % a)
    if a.ndim > 2:
        raise ValueError("Found array with dim %d. %s expected <= 2."
                         % (a.ndim, type(estimator).__name__ if estimator is not None
                            else "Estimator"))
    a = _float_dtype(a)
    n, d = a.shape
    who = type(estimator).__name__ if estimator is not None else "Estimator"
    if n == 0:
        raise ValueError("Found array with 0 sample(s) (shape=%s) while a minimum of 1 is "
                         "required by %s." % (a.shape, who))
    if d == 0:
        raise ValueError("Found array with 0 feature(s) (shape=%s) while a minimum of 1 is "
                         "required by %s." % (a.shape, who))
    if not np.isfinite(a).all():
        bad = np.argwhere(~np.isfinite(a))[0]
        v = a[bad[0], bad[1]]
        if np.isnan(v):
            raise ValueError("Input %s contains NaN: row %d, column %d is NaN."
                             % (what, bad[0], bad[1]))
        raise ValueError("Input %s contains infinity or a value too large for dtype('float64'): "
                         "row %d, column %d is %s." % (what, bad[0], bad[1],
                                                       "+Inf" if v > 0 else "-Inf"))
    size = a.itemsize
    if a.strides[1] != size or a.strides[0] < 0 or a.strides[0] % size:
        a = np.ascontiguousarray(a)
    return a


def _num_samples(v):
    return v.shape[0] if hasattr(v, "shape") and len(v.shape) else len(v)


def check_y(y, estimator, multi_output=False):
    """y as a 1-D array (2-D when multi_output), with scikit-learn's messages
    for None, NaN/inf and a column vector."""
    if y is None:
        raise ValueError("%s requires y to be passed, but the target y is None"
                         % type(estimator).__name__)
    if _is_sparse(y):
        raise TypeError("A sparse matrix was passed, but dense data is required.")
    y = y.to_numpy() if _is_pandas(y) and hasattr(y, "to_numpy") else np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1 and not multi_output:
        warnings.warn("A column-vector y was passed when a 1d array was expected. Please change "
                      "the shape of y to (n_samples, ), for example using ravel().",
                      _conversion_warning(), stacklevel=3)
        y = y.ravel()
    if y.ndim == 0 or y.ndim > 2 or (y.ndim == 2 and not multi_output):
        raise ValueError("y should be a 1d array, got an array of shape %s instead." % (y.shape,))
    if y.dtype.kind in "fc":
        if np.iscomplexobj(y):
            raise ValueError("Complex data not supported\n%s\n" % y)
        if np.isnan(y).any():
            raise ValueError("Input y contains NaN.")
        if not np.isfinite(y).all():
            raise ValueError("Input y contains infinity or a value too large for "
                             "dtype('float64').")
    return y


def check_consistent_length(X, y):
    n, m = _num_samples(X), _num_samples(y)
    if n != m:
        raise ValueError("Found input variables with inconsistent numbers of samples: [%d, %d]"
                         % (n, m))


def classification_target(y):
    """Raises scikit-learn's 'Unknown label type' for continuous targets."""
    if y.ndim != 1:
        raise ValueError("Unknown label type: 'multiclass-multioutput'; %s supports one target"
                         % "this classifier")
    if y.dtype.kind == "f" and not np.all(y == np.floor(y)):
        raise ValueError("Unknown label type: 'continuous'")
    if y.dtype.kind == "O":
        for v in y:
            if isinstance(v, numbers.Real) and not isinstance(v, bool) and v != int(v):
                raise ValueError("Unknown label type: 'continuous'")


def check_n_features(estimator, X, reset):
    n = X.shape[1]
    if reset:
        estimator.n_features_in_ = n
        return
    expected = getattr(estimator, "n_features_in_", None)
    if expected is not None and n != expected:
        raise ValueError("X has %d features, but %s is expecting %d features as input."
                         % (n, type(estimator).__name__, expected))


def check_feature_names(estimator, X, reset):
    """feature_names_in_ set at fit from a DataFrame; at predict, scikit-learn's
    warnings and errors when the names differ."""
    names = feature_names(X)
    if reset:
        if names is not None:
            estimator.feature_names_in_ = names
        elif hasattr(estimator, "feature_names_in_"):
            del estimator.feature_names_in_
        return
    fitted = getattr(estimator, "feature_names_in_", None)
    cls = type(estimator).__name__
    if fitted is None and names is None:
        return
    if names is not None and fitted is None:
        warnings.warn("X has feature names, but %s was fitted without feature names" % cls,
                      UserWarning)
        return
    if names is None and fitted is not None:
        warnings.warn("X does not have valid feature names, but %s was fitted with feature "
                      "names" % cls, UserWarning)
        return
    if len(fitted) != len(names) or np.any(fitted != names):
        msg = "The feature names should match those that were passed during fit.\n"
        seen, now = set(fitted), set(names)
        unexpected = sorted(now - seen)
        missing = sorted(seen - now)

        def listing(header, items):
            text = header + "".join("- %s\n" % i for i in items[:5])
            if len(items) > 5:
                text += "- ...\n"
            return text

        if unexpected:
            msg += listing("Feature names unseen at fit time:\n", unexpected)
        if missing:
            msg += listing("Feature names seen at fit time, yet now missing:\n", missing)
        if not unexpected and not missing:
            msg += "Feature names must be in the same order as they were in fit.\n"
        raise ValueError(msg)
