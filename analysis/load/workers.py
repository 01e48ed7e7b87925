"""Worker processes that end with the build: an ordered, bounded pool.

:func:`ordered_in_workers` runs a function over items in worker processes and
yields the results in the items' order; :func:`end_with_parent` makes each
worker end when the process that started it ends, however it ends.
"""
from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import threading
import time
from collections import deque

__all__ = ["end_with_parent", "ordered_in_workers", "trim_heap"]

_PR_SET_PDEATHSIG = 1


def end_with_parent(parent: int) -> None:
    """Make this (worker) process end when the process ``parent`` ends.

    On Linux the kernel sends SIGKILL when the parent dies
    (``PR_SET_PDEATHSIG``); everywhere a daemon thread also checks the parent
    every half second. Ctrl-C is left to the parent (which ends its workers),
    and SIGTERM ends the worker at once. Call it first thing in a child process.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if os.name == "posix":
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:          # the parent died before the line above
        os._exit(1)

    def watch():
        while True:
            time.sleep(0.5)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="end-with-parent", daemon=True).start()


def ordered_in_workers(fn, items: list, jobs: int, window: int | None = None):
    """Yield ``fn(item)`` of each item, in order, computed in ``jobs`` worker processes.

    At most ``window`` (default ``2 × jobs``) items are in flight, so that
    memory stays bounded. The workers end with this process (killed or not,
    :func:`end_with_parent`), and when the caller stops early or an exception
    (Ctrl-C, SIGTERM turned into one) reaches here, they are ended at once.
    ``jobs == 1`` runs here, without processes.
    """
    if jobs <= 0:
        jobs = os.cpu_count() or 1
    if jobs == 1 or len(items) < 2:
        for item in items:
            yield fn(item)
        return
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods else None)
    window = window or 2 * jobs
    pool = ctx.Pool(min(jobs, len(items)), initializer=end_with_parent, initargs=(os.getpid(),))
    try:
        pending: deque = deque()
        todo = iter(items)
        for item in todo:
            pending.append(pool.apply_async(fn, (item,)))
            if len(pending) >= window:
                break
        while pending:
            result = pending.popleft().get()
            for item in todo:     # keep the workers fed: one new item per item done
                pending.append(pool.apply_async(fn, (item,)))
                break
            yield result
        pool.close()
        pool.join()
    finally:
        pool.terminate()


def trim_heap() -> bool:
    """Give the C library's free memory back to the system (glibc's ``malloc_trim``; elsewhere nothing).

    What a long-running process frees in many small pieces (the listing of
    a corpus, batches written out, an app's start) stays in its heap, counted
    in its memory, until the pages it sits on are handed back; this hands back
    every free page, not only those at the heap's top. Returns whether the C
    library was asked (False off glibc).
    """
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):
        return False
    return True
