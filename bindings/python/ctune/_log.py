"""The C library's log lines in Python: warnings (level 1) through
warnings.warn (category CtuneWarning), information (level 0) through the
logging module's "ctune" logger."""

import ctypes
import logging
import warnings

from ._native import C

LOG_FN = ctypes.CFUNCTYPE(None, ctypes.c_int, ctypes.c_char_p, ctypes.c_void_p)
logger = logging.getLogger("ctune")


class CtuneWarning(UserWarning):
    """A warning of the C library (e.g. n_iter capped at the grid size)."""


def _receive(level, message, user):
    try:
        text = message.decode("utf-8", "replace") if message else ""
        if level >= 1:
            warnings.warn(text, CtuneWarning, stacklevel=2)
        else:
            logger.info(text)
    except BaseException:  # noqa: BLE001 - never propagate into C
        pass


_callback = LOG_FN(_receive)
C.ctune_set_log_callback(ctypes.cast(_callback, ctypes.c_void_p), None)
