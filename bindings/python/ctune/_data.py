"""Passing X and y to C: numpy arrays zero-copy, lists of lists by copy."""

import array
import ctypes

from ._errors import check
from ._native import C, c_void_p

C.declare("ctune_data_rows", ctypes.c_int, [ctypes.POINTER(c_void_p),
                                            ctypes.POINTER(ctypes.c_size_t), c_void_p])
C.declare("ctune_data_dtype", ctypes.c_int, [c_void_p])
C.declare("ctune_data_n_targets", ctypes.c_size_t, [c_void_p])
C.declare("ctune_data_gather_f64", ctypes.c_int, [ctypes.POINTER(ctypes.c_double),
                                                  ctypes.c_size_t, c_void_p, c_void_p,
                                                  ctypes.c_size_t])
C.declare("ctune_data_gather_y", ctypes.c_int, [ctypes.POINTER(ctypes.c_double), c_void_p, c_void_p,
                                                ctypes.c_size_t])

FLOAT32, FLOAT64 = 1, 2

try:  # numpy is optional
    import numpy as _np
except ImportError:  # pragma: no cover - depends on the machine
    _np = None


def _is_numpy(a):
    return _np is not None and isinstance(a, _np.ndarray)


def _matrix(X):
    """(pointer, dtype, n_rows, n_cols, row_stride, keepalive) for X."""
    if _is_numpy(X):
        if X.ndim != 2:
            raise ValueError("X must be 2-dimensional, got %d dimensions" % X.ndim)
        if X.dtype == _np.float32:
            dtype, size = FLOAT32, 4
        elif X.dtype == _np.float64:
            dtype, size = FLOAT64, 8
        else:
            X = X.astype(_np.float64)
            dtype, size = FLOAT64, 8
        if X.strides[1] != size or X.strides[0] % size:
            X = _np.ascontiguousarray(X)
        n, d = X.shape
        stride = X.strides[0] // size if n > 0 else d
        return X.ctypes.data, dtype, n, d, stride, X
    rows = [list(r) if isinstance(r, (list, tuple)) else [r] for r in X]
    n = len(rows)
    d = len(rows[0]) if n else 0
    flat = array.array("d")
    for i, r in enumerate(rows):
        if len(r) != d:
            raise ValueError("X row %d has %d columns, expected %d" % (i, len(r), d))
        flat.extend(float(v) for v in r)
    if not flat:
        flat.append(0.0)
    addr, _ = flat.buffer_info()
    return addr, FLOAT64, n, d, d, flat


def _vector(y, n):
    """(pointer, n_targets, keepalive) for y as float64 n × t."""
    if y is None:
        return None, 0, None
    if _is_numpy(y):
        y = _np.ascontiguousarray(y, dtype=_np.float64)
        t = 1 if y.ndim == 1 else y.shape[1]
        if y.shape[0] != n:
            raise ValueError("y has %d rows, X has %d" % (y.shape[0], n))
        return y.ctypes.data, t, y
    vals = list(y)
    if len(vals) != n:
        raise ValueError("y has %d rows, X has %d" % (len(vals), n))
    if vals and isinstance(vals[0], (list, tuple)):
        t = len(vals[0])
        flat = array.array("d", [float(v) for row in vals for v in row])
    else:
        t = 1
        flat = array.array("d", [float(v) for v in vals])
    if not flat:
        flat.append(0.0)
    return flat.buffer_info()[0], t, flat


class Data:
    """A ctune_data view over X (and y); keeps the arrays alive while it lives."""

    def __init__(self, X, y=None):
        px, dtype, n, d, stride, kx = _matrix(X)
        py, t, ky = _vector(y, n)
        self._keep = (kx, ky)
        self.handle = c_void_p()
        check(C.ctune_data_new(ctypes.byref(self.handle), px, dtype, n, d, stride, py, t))
        self.n_rows = n
        self.n_cols = d

    def __del__(self):
        h = getattr(self, "handle", None)
        if h:
            C.ctune_data_free(h)
            self.handle = None


def out_array(n):
    """A float64 output buffer of n values and its pointer."""
    buf = (ctypes.c_double * max(n, 1))()
    return buf, ctypes.cast(buf, ctypes.POINTER(ctypes.c_double))


def result(buf, n_rows, n_cols, like):
    """Converts a C output buffer to numpy (when X was numpy) or lists."""
    vals = list(buf)[: n_rows * n_cols]
    if _np is not None and _is_numpy(like):
        a = _np.array(vals, dtype=_np.float64)
        return a.reshape(n_rows, n_cols) if n_cols > 1 else a
    if n_cols == 1:
        return vals
    return [vals[i * n_cols:(i + 1) * n_cols] for i in range(n_rows)]


def x_array(data):
    """X of a borrowed ctune_data as a read-only 2-D numpy array: a view of
    the caller's memory when the rows are laid out in order, else a copy of
    the gathered rows (a cross-validation subset)."""
    n, d = C.ctune_data_n_rows(data), C.ctune_data_n_cols(data)
    ptr, stride = c_void_p(), ctypes.c_size_t()
    if n and d and C.ctune_data_rows(ctypes.byref(ptr), ctypes.byref(stride), data) == 0:
        dt = _np.float32 if C.ctune_data_dtype(data) == FLOAT32 else _np.float64
        size = _np.dtype(dt).itemsize
        buf = (ctypes.c_char * (((n - 1) * stride.value + d) * size)).from_address(ptr.value)
        a = _np.ndarray((n, d), dtype=dt, buffer=buf, strides=(stride.value * size, size))
        a.flags.writeable = False
        return a
    C.ctune_clear_error()
    a = _np.empty((n, d), dtype=_np.float64)
    if n and d:
        check(C.ctune_data_gather_f64(a.ctypes.data_as(
            ctypes.POINTER(ctypes.c_double)), d, data, None, n))
    return a


def y_array(data):
    """y of a borrowed ctune_data (1-D for one target, else 2-D), a copy."""
    n, t = C.ctune_data_n_rows(data), C.ctune_data_n_targets(data)
    y = _np.empty((n, max(t, 1)), dtype=_np.float64)
    if n and t:
        check(C.ctune_data_gather_y(y.ctypes.data_as(
            ctypes.POINTER(ctypes.c_double)), data, None, n))
    return y[:, 0] if t == 1 else y
