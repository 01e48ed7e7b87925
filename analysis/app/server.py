"""What a kernel serving an app needs: its log in the server's log, its freed memory given back.

And, in a kernel Voilà preheated, the wait for the reader's request. Used by the
leaders' app and the analysts' review app.
"""
from __future__ import annotations

import asyncio
import gc
import json
import logging
import os
import sys
import threading

import websockets

from analysis.load import trim_heap

__all__ = ["log_to_server", "release_memory", "release_memory_later", "wait_for_request"]

log = logging.getLogger("analysis.app")


def release_memory() -> bool:
    """Give the heap pages that Python and the libraries freed back to the system.

    Importing the libraries and drawing the first view leave freed blocks in
    the C heap; glibc keeps them unless asked (``malloc_trim``). In a kernel of
    the app this returns about 5 MB; every open page is a kernel of its own.
    Returns whether anything was asked of the C library (False off glibc).
    """
    gc.collect()   # frames and widgets held only in reference cycles go first
    return trim_heap()


def release_memory_later(seconds: float = 5.0) -> threading.Timer:
    """Call :func:`release_memory` once, ``seconds`` from now, in a thread of its own.

    A page's first widgets are serialised and sent after the notebook's last
    cell has run; what that freed is given back once they have gone.
    """
    timer = threading.Timer(seconds, release_memory)
    timer.daemon = True
    timer.start()
    return timer


def _request_url() -> str:
    protocol = os.environ.get("VOILA_WS_PROTOCOL", "ws")
    ip = os.environ.get("VOILA_APP_IP", "127.0.0.1")
    port = os.environ.get("VOILA_APP_PORT", "8866")
    base = os.environ.get("VOILA_WS_BASE_URL", os.environ.get("VOILA_SERVER_URL", "/"))
    return f"{protocol}://{ip}:{port}{base}voila/query/{os.environ.get('VOILA_KERNEL_ID', '')}"


def wait_for_request() -> bool:
    """In a kernel Voilà preheated, wait until a reader asks for the page.

    What ``voila.utils.wait_for_request`` does (Voilà 0.5: the kernel opens the
    websocket ``<base>voila/query/<kernel id>`` that the variables ``VOILA_*``
    of its environment name, and the server sends, when a reader takes the
    kernel, the request's details, which go into ``os.environ``), without
    importing ``voila.utils``: that module loads Jupyter's server and costs
    every kernel about 21 MB. Outside a preheated kernel, returns at once.

    Returns
    -------
    bool
        Whether a request was waited for and received.
    """
    if os.environ.get("VOILA_PREHEAT", "False") == "False":
        return False
    url = _request_url()
    received: list[str] = []

    async def receive() -> None:
        try:
            async with websockets.connect(url, open_timeout=5) as ws:
                received.append(await ws.recv())
        except (TimeoutError, OSError, websockets.WebSocketException) as exc:
            log.warning("waiting for the page's request at %s failed: %s", url, exc)

    def run() -> None:   # the kernel's own event loop is busy running this cell
        asyncio.run(receive())

    thread = threading.Thread(target=run, name="voila-request")
    thread.start()
    thread.join()
    if not received:
        return False
    for key, value in json.loads(received[0]).items():
        os.environ[key] = value
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
