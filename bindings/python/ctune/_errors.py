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
