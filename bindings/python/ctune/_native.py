"""Loading libctune and declaring its C functions (ctypes, standard library only)."""

import ctypes
import ctypes.util
import os
import threading

c_status = ctypes.c_int
c_size = ctypes.c_size_t
c_void_p = ctypes.c_void_p
c_char_p = ctypes.c_char_p
c_double = ctypes.c_double
c_int = ctypes.c_int
c_int64 = ctypes.c_int64
c_uint64 = ctypes.c_uint64
c_long = ctypes.c_long
c_double_p = ctypes.POINTER(ctypes.c_double)
c_size_p = ctypes.POINTER(ctypes.c_size_t)


def _find_library():
    """CTUNE_LIBRARY when set; else the library installed with the package
    (bundled in a wheel next to this file, or the build's install prefix
    recorded in _install.py by `meson install`); else the system's."""
    path = os.environ.get("CTUNE_LIBRARY")
    if path:
        return path
    here = os.path.dirname(os.path.abspath(__file__))
    candidates = [os.path.join(here, "libctune.so"), os.path.join(here, "libctune.so.1")]
    try:
        from . import _install  # written at install time
        candidates.append(os.path.join(_install.LIBDIR, "libctune.so.1"))
    except ImportError:
        pass
    for c in candidates:
        if os.path.exists(c):
            return c
    found = ctypes.util.find_library("ctune")
    return found or "libctune.so.1"


lib = ctypes.CDLL(_find_library())

# ctune_param_spec, mirrored for builder specs made from Python signatures.
class ParamSpec(ctypes.Structure):
    _fields_ = [
        ("name", c_char_p),
        ("types", ctypes.c_uint),
        ("default_value", c_char_p),
        ("range", c_char_p),
        ("choices", c_char_p),
        ("doc", c_char_p),
    ]


BUILD_FN = ctypes.CFUNCTYPE(c_status, c_void_p, c_void_p, c_void_p)
PROGRESS_FN = ctypes.CFUNCTYPE(c_int, c_size, c_size, c_double, c_double, c_size, c_size, c_void_p)

_SIGNATURES = {
    # core
    "ctune_version_string": (c_char_p, []),
    "ctune_status_string": (c_char_p, [c_status]),
    "ctune_last_error": (c_char_p, []),
    "ctune_set_error_str": (c_status, [c_status, c_char_p]),
    "ctune_clear_error": (None, []),
    "ctune_alloc_live": (c_int64, []),
    # data
    "ctune_data_new": (c_status, [ctypes.POINTER(c_void_p), c_void_p, c_int, c_size, c_size, c_size,
                                  c_void_p, c_size]),
    "ctune_data_free": (None, [c_void_p]),
    "ctune_data_n_rows": (c_size, [c_void_p]),
    "ctune_data_n_cols": (c_size, [c_void_p]),
    "ctune_data_subset": (c_status, [ctypes.POINTER(c_void_p), c_void_p, c_size_p, c_size]),
    # params
    "ctune_params_new": (c_status, [ctypes.POINTER(c_void_p)]),
    "ctune_params_free": (None, [c_void_p]),
    "ctune_params_set_int": (c_status, [c_void_p, c_char_p, c_int64]),
    "ctune_params_set_double": (c_status, [c_void_p, c_char_p, c_double]),
    "ctune_params_set_string": (c_status, [c_void_p, c_char_p, c_char_p]),
    "ctune_params_set_bool": (c_status, [c_void_p, c_char_p, c_int]),
    "ctune_params_set_none": (c_status, [c_void_p, c_char_p]),
    "ctune_params_count": (c_size, [c_void_p]),
    "ctune_params_name": (c_char_p, [c_void_p, c_size]),
    "ctune_params_type": (c_int, [c_void_p, c_char_p]),
    "ctune_params_get_int": (c_status, [ctypes.POINTER(c_int64), c_void_p, c_char_p]),
    "ctune_params_get_double": (c_status, [c_double_p, c_void_p, c_char_p]),
    "ctune_params_get_string": (c_status, [ctypes.POINTER(c_char_p), c_void_p, c_char_p]),
    "ctune_params_get_bool": (c_status, [ctypes.POINTER(c_int), c_void_p, c_char_p]),
    # estimators
    "ctune_estimator_free": (None, [c_void_p]),
    "ctune_estimator_name": (c_char_p, [c_void_p]),
    "ctune_estimator_kind": (c_int, [c_void_p]),
    "ctune_estimator_clone": (c_status, [ctypes.POINTER(c_void_p), c_void_p]),
    "ctune_estimator_set_params": (c_status, [c_void_p, c_void_p]),
    "ctune_estimator_get_params": (c_void_p, [c_void_p]),
    "ctune_estimator_fit": (c_status, [c_void_p, c_void_p]),
    "ctune_estimator_cancel": (None, [c_void_p]),
    "ctune_search_cancel": (None, [c_void_p]),
    "ctune_estimator_is_fitted": (c_int, [c_void_p]),
    "ctune_estimator_n_classes": (c_size, [c_void_p]),
    "ctune_estimator_classes": (c_status, [c_double_p, c_void_p]),
    "ctune_estimator_set_class_names": (c_status, [c_void_p, ctypes.POINTER(c_char_p), c_size]),
    "ctune_estimator_class_name": (c_char_p, [c_void_p, c_size]),
    "ctune_estimator_n_features_in": (c_size, [c_void_p]),
    "ctune_estimator_save_buffer": (c_long, [c_void_p, c_size, c_void_p]),
    "ctune_estimator_load_buffer": (c_status, [ctypes.POINTER(c_void_p), c_void_p, c_size,
                                               c_void_p, c_void_p]),
    "ctune_estimator_load_like_buffer": (c_status, [ctypes.POINTER(c_void_p), c_void_p, c_size,
                                                    c_void_p]),
    "ctune_set_log_callback": (None, [c_void_p, c_void_p]),
    "ctune_fit_ctx_seed": (c_uint64, [c_void_p, c_uint64]),
    "ctune_fit_ctx_threads": (c_int, [c_void_p]),
    "ctune_estimator_n_outputs": (c_size, [c_void_p]),
    "ctune_estimator_predict": (c_status, [c_double_p, c_void_p, c_void_p]),
    "ctune_estimator_predict_proba": (c_status, [c_double_p, c_void_p, c_void_p]),
    "ctune_estimator_transform": (c_status, [c_double_p, c_void_p, c_void_p]),
    "ctune_estimator_score": (c_status, [c_double_p, c_void_p, c_void_p]),
    "ctune_score": (c_status, [c_double_p, c_void_p, c_char_p, c_void_p]),
}


class _Lib:
    """Attribute access to declared C functions; undeclared ones are looked up raw."""

    def __init__(self, handle):
        self._h = handle

    def declare(self, name, restype, argtypes):
        fn = getattr(self._h, name)
        fn.restype = restype
        fn.argtypes = argtypes
        setattr(self, name, fn)
        return fn

    def __getattr__(self, name):
        if name.startswith("ctune_"):
            fn = getattr(self._h, name)
            setattr(self, name, fn)
            return fn
        raise AttributeError(name)


C = _Lib(lib)
for _name, (_res, _args) in _SIGNATURES.items():
    try:
        C.declare(_name, _res, _args)
    except AttributeError:  # a build without that feature
        pass


def call_cancellable(fn, args, cancel):
    """Runs the long C call fn(*args) so that Ctrl-C stops it.

    Python runs signal handlers on the main thread only, between bytecodes:
    a signal arriving during a C call would wait for its end. On the main
    thread the call therefore runs in a worker thread (ctypes releases the
    GIL) while this thread waits in short intervals; on KeyboardInterrupt
    (or any other exception raised by a signal handler) it calls `cancel`
    (ctune_search_cancel / ctune_estimator_cancel: the fits stop at their
    next minibatch or feature), waits for the C call to return and
    re-raises. Returns the call's status, with its message moved to this
    thread's ctune_last_error()."""
    if threading.current_thread() is not threading.main_thread():
        return fn(*args)
    box = {}
    done = threading.Event()

    def work():
        try:
            box["status"] = st = fn(*args)
            box["message"] = C.ctune_last_error() if st else None
        finally:
            done.set()

    # An Event, not Thread.join(): a KeyboardInterrupt inside join() can mark
    # a running thread as stopped (CPython's bpo-45274 handling).
    worker = threading.Thread(target=work, name="ctune-call", daemon=True)
    worker.start()
    try:
        while not done.wait(0.05):
            pass
    except BaseException:
        cancel()
        while not done.is_set():  # the handles must outlive the C call
            try:
                done.wait(0.05)
            except KeyboardInterrupt:
                pass
        _move_error(box)
        raise
    return _move_error(box)


def _move_error(box):
    status = box.get("status", 0)
    if status:
        C.ctune_set_error_str(status, box["message"] or b"")
    return status
