"""Python dicts <-> ctune_params."""

import ctypes

from ._errors import check
from ._native import C, c_void_p

T_INT, T_DOUBLE, T_STRING, T_BOOL, T_NONE = 1, 2, 4, 8, 16


class Params:
    """An owned ctune_params built from a dict."""

    def __init__(self, d=None):
        self.handle = c_void_p()
        check(C.ctune_params_new(ctypes.byref(self.handle)))
        for k, v in (d or {}).items():
            self.set(k, v)

    def set(self, name, v):
        key = name.encode()
        if v is None:
            check(C.ctune_params_set_none(self.handle, key))
        elif isinstance(v, bool):
            check(C.ctune_params_set_bool(self.handle, key, int(v)))
        elif isinstance(v, int):
            check(C.ctune_params_set_int(self.handle, key, v))
        elif isinstance(v, float):
            check(C.ctune_params_set_double(self.handle, key, v))
        elif isinstance(v, str):
            check(C.ctune_params_set_string(self.handle, key, v.encode()))
        else:
            try:  # numpy scalars and the like
                if float(v) == int(v):
                    check(C.ctune_params_set_int(self.handle, key, int(v)))
                else:
                    check(C.ctune_params_set_double(self.handle, key, float(v)))
            except (TypeError, ValueError):
                raise TypeError("parameter %r: unsupported value %r" % (name, v)) from None

    def __del__(self):
        h = getattr(self, "handle", None)
        if h:
            C.ctune_params_free(h)
            self.handle = None


def to_dict(handle):
    """Reads a borrowed ctune_params into a dict (insertion order kept)."""
    out = {}
    for i in range(C.ctune_params_count(handle)):
        name = C.ctune_params_name(handle, i)
        t = C.ctune_params_type(handle, name)
        key = name.decode()
        if t == T_INT:
            v = ctypes.c_int64()
            check(C.ctune_params_get_int(ctypes.byref(v), handle, name))
            out[key] = v.value
        elif t == T_DOUBLE:
            v = ctypes.c_double()
            check(C.ctune_params_get_double(ctypes.byref(v), handle, name))
            out[key] = v.value
        elif t == T_STRING:
            v = ctypes.c_char_p()
            check(C.ctune_params_get_string(ctypes.byref(v), handle, name))
            out[key] = v.value.decode()
        elif t == T_BOOL:
            v = ctypes.c_int()
            check(C.ctune_params_get_bool(ctypes.byref(v), handle, name))
            out[key] = bool(v.value)
        else:
            out[key] = None
    return out
