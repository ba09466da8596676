"""Status codes as Python exceptions carrying ctune_last_error()."""

from ._native import C

OK, EINVAL, EDATA, ESTATE, ENOMEM, EIO, EFORMAT, ENUMERIC, EUSER, ECANCELLED, EUNSUPPORTED, EINTERNAL = (
    0, -1, -2, -3, -4, -5, -6, -7, -8, -9, -10, -11)
EALLFAILED = -12  # every fit of a search failed: raised as a ValueError, as scikit-learn does


class CtuneError(Exception):
    """Base of every error raised by the binding; `status` is the C status code."""

    def __init__(self, message, status):
        super().__init__(message)
        self.status = status


class CtuneValueError(CtuneError, ValueError):
    """Invalid argument, invalid data or malformed text (CTUNE_EINVAL/EDATA/EFORMAT)."""


class CtuneMemoryError(CtuneError, MemoryError):
    """The library ran out of memory."""


class NotFittedError(CtuneError, ValueError, AttributeError):
    """An estimator was used before fit (scikit-learn's NotFittedError
    contract: both a ValueError and an AttributeError)."""

    def __init__(self, message, status=-3):
        super().__init__(message, status)


_sk_not_fitted = []


def _not_fitted_class():
    """NotFittedError, or once scikit-learn is imported a subclass of both it
    and scikit-learn's NotFittedError (so `except` clauses and checks written
    for either catch it) without importing scikit-learn here."""
    import sys
    sk = sys.modules.get("sklearn.exceptions")
    if sk is None:
        return NotFittedError
    if not _sk_not_fitted:
        _sk_not_fitted.append(type("NotFittedError", (NotFittedError, sk.NotFittedError),
                                   {"__module__": __name__}))
    return _sk_not_fitted[0]


def sklearn_class(name, default):
    """scikit-learn's exception or warning class `name` when scikit-learn is
    already imported, else `default`."""
    import sys
    sk = sys.modules.get("sklearn.exceptions")
    return getattr(sk, name, default) if sk is not None else default


def not_fitted(estimator):
    return _not_fitted_class()(
        "This %s instance is not fitted yet. Call 'fit' with appropriate arguments before using "
        "this estimator." % type(estimator).__name__)


# A Python exception raised inside a callback, kept until the C call returns.
_pending = []


def check(status):
    """Raises the exception matching a non-zero status; re-raises a pending
    callback exception first (with its traceback). Exceptions of callbacks
    whose failure the C call absorbed (a search scoring a failed fit as NaN)
    are dropped when the call succeeds."""
    pending = _pending[:] if _pending else None
    _pending.clear()
    if status == OK:
        return
    if pending and status != EALLFAILED:  # all failed: one error naming the first cause
        raise pending[-1]
    msg = (C.ctune_last_error() or b"").decode("utf-8", "replace")
    name = C.ctune_status_string(status).decode()
    text = msg or name
    if status in (EINVAL, EDATA, EFORMAT, EALLFAILED):
        raise CtuneValueError(text, status)
    if status == ENOMEM:
        raise CtuneMemoryError(text, status)
    raise CtuneError(text, status)


def callback_failed(exc):
    """Records an exception raised in a callback and reports it to C."""
    _pending.append(exc)
    C.ctune_set_error_str(EUSER, ("Python callback raised %s: %s" % (type(exc).__name__, exc)).encode())
    return EUSER
