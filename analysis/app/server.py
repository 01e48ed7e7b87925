"""What a kernel serving an app needs: its log in the server's log, its freed memory given back.

Used by the leaders' app and the analysts' review app.
"""
from __future__ import annotations

import ctypes
import logging
import sys

__all__ = ["log_to_server", "release_memory"]

log = logging.getLogger("analysis.app")


def release_memory() -> bool:
    """Give the heap pages that Python and the libraries freed back to the system.

    Importing the libraries and drawing the first view leave freed blocks in
    the C heap; glibc keeps them unless asked (``malloc_trim``). In a kernel of
    the app this returns about 5 MB; every open page is a kernel of its own.
    Returns whether anything was asked of the C library (False off glibc).
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return False
    libc.malloc_trim(0)
    return True


def log_to_server(logger: logging.Logger = log) -> None:
    """Send an app's log to the kernel process's own stderr (the server's log).

    In a kernel, ``sys.stderr`` goes to the page; a traceback logged there
    would reach the reader's browser. Calling it again adds no second handler.
    """
    if not any(getattr(h, "_analysis_server", False) for h in logger.handlers):
        handler = logging.StreamHandler(sys.__stderr__)
        handler._analysis_server = True
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
        logger.addHandler(handler)
        logger.propagate = False
