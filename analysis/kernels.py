"""App kernels forked from one process that has already imported the libraries.

Voilà gives every open page a kernel of its own. Started the usual way (a new
Python running ``ipykernel_launcher``), each kernel imports pandas, Arrow,
DuckDB, Altair, ipywidgets and the app itself: about 100 MB of the libraries'
Python objects in every kernel, and two to three seconds before it can run
the notebook. :class:`ForkingProvisioner` starts each kernel instead as a
forked child of one process, the *template* (:func:`serve`), that imported
those modules once: the kernels share the pages that hold
them until they write to them (``benchmarks/dashboard.py`` measures it).

It is a ``jupyter_client`` kernel provisioner, registered as
``analysis-forking`` (``pyproject.toml``) and chosen for the apps by
``voila.py`` (``JUPYTER_DEFAULT_PROVISIONER_NAME``); the modules the template
imports are its ``preload`` setting (:data:`PRELOAD` by default). Only a kernel
command that runs ``ipykernel_launcher`` with the server's own Python is
forked (on Linux); any other kernel, or any kernel when the template cannot
start, is started the usual way.

Lifetimes: the template starts with the first kernel and reads its requests
from a pipe of the server, so it ends when the server does, and each kernel,
which polls its parent, ends within a second of the template. The template
holds the code as it was when it started: restart the server after updating
the package (a rebuild of the tables needs no restart; kernels read them).

Why not :mod:`multiprocessing`'s fork server: its children first re-run the
parent's main module (Voilà's script, which imports the whole Jupyter server
into every kernel).
"""
from __future__ import annotations

import asyncio
import gc
import importlib
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import Any

from jupyter_client.connect import KernelConnectionInfo
from jupyter_client.provisioning import LocalProvisioner
from traitlets import List, Unicode

__all__ = ["ForkingProvisioner", "ForkedKernel", "Template", "split_kernel_command", "run_kernel",
           "serve", "PRELOAD"]

#: What an app kernel imports, imported once by the template.
PRELOAD = ("ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.zmqshell", "ipykernel.debugger",
           "IPython.core.completerlib", "IPython.extensions.storemagic", "sqlite3", "psutil",
           "duckdb", "pyarrow.dataset", "pyarrow.pandas_compat", "analysis.app", "analysis.query",
           "analysis.review", "scipy.stats")

#: Seconds the server waits for the template to import :data:`PRELOAD` (about 4 s here).
START_TIMEOUT = 120.0

_LAUNCHER = "ipykernel_launcher"

# Altair's slow optional import is skipped before anything imports the app's package.
# The folder it was started in is left off the path while it imports (as ipykernel_launcher
# does; a kernel puts it back for the notebook's own imports).
_TEMPLATE = ("import sys; sys.path[:] = [p for p in sys.path if p]; "
             "from analysis import theme; theme.skip_slow_imports(); "
             "from analysis.kernels import serve; sys.exit(serve(sys.argv[1:]))")


def split_kernel_command(cmd: list[str], python: str | None = None) -> tuple[list[str], list[str]] | None:
    """Split a kernel command into ``(interpreter options, ipykernel's arguments)``; None if it cannot be forked.

    A command can be forked when it runs ``python -m ipykernel_launcher`` with
    the same Python as this process. The template runs with the command's
    interpreter options (``-X frozen_modules=off``, which ipykernel's kernel
    spec adds for its debugger).

    Examples
    --------
    >>> split_kernel_command(["/venv/bin/python", "-Xfrozen_modules=off", "-m", "ipykernel_launcher",
    ...                       "-f", "k.json"], python="/venv/bin/python")
    (['-Xfrozen_modules=off'], ['-f', 'k.json'])
    >>> split_kernel_command(["/usr/bin/python3", "-m", "ipykernel_launcher", "-f", "k.json"],
    ...                      python="/venv/bin/python") is None
    True
    >>> split_kernel_command(["R", "--slave", "-e", "IRkernel::main()"], python="/venv/bin/python") is None
    True
    """
    python = python or sys.executable
    if not cmd or cmd[0] != python or "-m" not in cmd:
        return None
    at = cmd.index("-m")
    options, rest = list(cmd[1:at]), cmd[at + 1:]
    if rest[:1] != [_LAUNCHER] or any(not o.startswith("-") for o in options):
        return None
    return options, list(rest[1:])


# -- The template's side ---------------------------------------------------------


def run_kernel(args: list[str], env: dict[str, str], cwd: str) -> None:
    """Run an IPython kernel in this freshly forked process.

    ``env`` and ``cwd`` are what the kernel manager would have given a new
    process. The kernel polls its parent, the template, and ends when it does.
    """
    # The template's objects are never traversed by this kernel's collector: a
    # traversal writes to every object, and a page written is a page copied.
    gc.freeze()
    gc.enable()
    os.setsid()   # a process group of its own, as jupyter_client starts kernels
    os.environ.clear()
    os.environ.update(env, JPY_PARENT_PID=str(os.getppid()))
    os.chdir(cwd)
    # ipykernel read JPY_PARENT_PID when the template imported it: say it again
    args = [*args, f"--IPKernelApp.parent_handle={os.getppid()}"]
    sys.argv = [_LAUNCHER, *args]
    from ipykernel.kernelapp import IPKernelApp

    app = IPKernelApp.instance()
    app.initialize(args)
    _register_with_kernel()
    app.start()


def _register_with_kernel() -> None:
    """Do what preloaded modules do when first imported in a kernel.

    The template imported them before any kernel existed. ipywidgets registers
    its comm targets then; without ``jupyter.widget.control`` a page asks for
    each widget's state one message at a time (450 messages and half a second
    more for the app's first view, measured).
    """
    widgets = sys.modules.get("ipywidgets")
    if widgets is not None:
        widgets.register_comm_target()


def _fork(request: dict, set_by_imports: dict[str, str]) -> int:
    """Fork a kernel for ``request``; in the parent, return its process id.

    ``set_by_imports``: what the template's imports put in the environment,
    which a kernel's own imports would have put in its environment.
    """
    pid = os.fork()
    if pid:
        return pid
    code = 1
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGCHLD})
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)   # the template's requests are not the kernel's input
        os.dup2(2, 1)         # nor are its replies the kernel's output: the server's log is
        run_kernel(request["args"], {**request["env"], **set_by_imports}, request["cwd"])
        code = 0
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else int(stop.code is not None)
    except BaseException:
        traceback.print_exc()
    finally:
        os._exit(code)


def _say(message: dict) -> None:
    # one write per line: a pipe takes a write this short whole, so the replies
    # and the exits reported from the signal handler never interleave
    os.write(1, (json.dumps(message) + "\n").encode())


def _reap(signum=None, frame=None) -> None:
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if not pid:
            return
        _say({"exit": pid, "code": os.waitstatus_to_exitcode(status)})


def serve(preload: list[str]) -> int:
    """Run the template: import ``preload``, then fork a kernel for each request read.

    Requests come one JSON object a line on standard input (``args``, ``env``,
    ``cwd``); each is answered ``{"pid": N}`` on standard output, and every
    kernel that ends is reported ``{"exit": N, "code": C}``. Returns when
    standard input closes (the server has gone).
    """
    # No collection before the fork: the blocks it would free are holes in pages
    # every kernel shares, and a kernel's first allocations would fill them
    # (and copy each page). What the imports left as garbage stays, shared.
    gc.disable()
    before = dict(os.environ)
    for name in preload:
        try:
            importlib.import_module(name)
        except ImportError as exc:
            print(f"analysis.kernels: could not preload {name}: {exc}", file=sys.stderr)
    gc.freeze()
    set_by_imports = {k: v for k, v in os.environ.items() if before.get(k) != v}
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # the server decides when kernels stop
    signal.signal(signal.SIGCHLD, _reap)
    _say({"ready": os.getpid()})
    for line in sys.stdin.buffer:
        request = json.loads(line)
        # a kernel that ends at once is reported after its process id, never before
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGCHLD})
        try:
            _say({"pid": _fork(request, set_by_imports)})
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGCHLD})
    return 0


# -- The server's side ------------------------------------------------------------


class Template:
    """The template process, as the server sees it: forks kernels, reports their exits."""

    _running: dict[tuple[tuple[str, ...], tuple[str, ...]], Template] = {}
    _lock = threading.Lock()

    def __init__(self, options: tuple[str, ...], preload: tuple[str, ...]):
        self.exits: dict[int, int] = {}
        self._replies: queue.Queue = queue.Queue()
        self._ask = threading.Lock()
        self.proc = subprocess.Popen([sys.executable, *options, "-c", _TEMPLATE, *preload],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        threading.Thread(target=self._read, name="kernel-template", daemon=True).start()
        reply = self._reply(START_TIMEOUT)
        if "ready" not in reply:
            self.proc.kill()
            raise RuntimeError(f"the kernel template did not start: {reply}")

    @classmethod
    def running(cls, options: tuple[str, ...], preload: tuple[str, ...]) -> Template:
        """Return the template with these interpreter options and modules, started when none runs."""
        with cls._lock:
            template = cls._running.get((options, preload))
            if template is None or template.proc.poll() is not None:
                template = cls._running[(options, preload)] = cls(options, preload)
            return template

    def _read(self) -> None:
        for line in self.proc.stdout:
            message = json.loads(line)
            if "exit" in message:
                self.exits[message["exit"]] = message["code"]
            else:
                self._replies.put(message)
        self._replies.put({"error": f"the template exited ({self.proc.wait()})"})

    def _reply(self, timeout: float) -> dict:
        try:
            return self._replies.get(timeout=timeout)
        except queue.Empty:
            return {"error": f"no answer from the template in {timeout:.0f} s"}

    def fork(self, args: list[str], env: dict[str, str], cwd: str) -> int:
        """Start a kernel; return its process id."""
        with self._ask:
            self.proc.stdin.write((json.dumps({"args": args, "env": env, "cwd": cwd}) + "\n").encode())
            self.proc.stdin.flush()
            reply = self._reply(30.0)
        if "pid" not in reply:
            self.proc.kill()   # a late answer would be taken for the next kernel's: start afresh
            raise RuntimeError(f"the kernel template could not fork: {reply}")
        # an earlier kernel may have had this process id: its exit, read before
        # this reply (the template says things in order), is not this kernel's
        self.exits.pop(reply["pid"], None)
        return reply["pid"]


def _runs(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie no longer does)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


class ForkedKernel:
    """A forked kernel seen as the :class:`subprocess.Popen` that :class:`LocalProvisioner` expects."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int, template: Template):
        self.pid = pid
        self._template = template

    def poll(self) -> int | None:
        """Its exit code, or None while it runs (negative: ended by that signal)."""
        code = self._template.exits.get(self.pid)
        if code is None and self._template.proc.poll() is not None and not _runs(self.pid):
            code = 1   # the template is gone, and nobody is left to say how the kernel ended
        return code

    def wait(self, timeout: float | None = None) -> int | None:
        """Wait until it has ended (or ``timeout`` seconds); return :meth:`poll`."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None and (deadline is None or time.monotonic() < deadline):
            time.sleep(0.05)
        return self.poll()

    def send_signal(self, signum: int) -> None:
        """Send it ``signum`` unless it has ended."""
        if self.poll() is None:   # never signal a process id the system may have given another
            os.kill(self.pid, signum)

    def kill(self) -> None:
        """End it at once (SIGKILL)."""
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        """Ask it to end (SIGTERM)."""
        self.send_signal(signal.SIGTERM)


class ForkingProvisioner(LocalProvisioner):
    """:class:`LocalProvisioner` whose kernels are forked from a preloaded template."""

    preload = List(Unicode(), default_value=list(PRELOAD), config=True,
                   help="Modules the template imports before it forks the first kernel.")

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> KernelConnectionInfo:
        """Fork the kernel from the template; start it the usual way when it cannot be."""
        split = split_kernel_command(cmd) if sys.platform == "linux" else None
        if split is None:
            self.log.info("kernel command %s is not forked; started the usual way", cmd[:3])
            return await super().launch_kernel(cmd, **kwargs)
        options, args = split
        env = dict(kwargs.get("env") or os.environ)
        cwd = str(kwargs.get("cwd") or os.getcwd())

        def fork() -> ForkedKernel:   # the template's first start takes seconds: not on the loop
            template = Template.running(tuple(options), tuple(self.preload))
            return ForkedKernel(template.fork(args, env, cwd), template)

        try:
            self.process = await asyncio.get_running_loop().run_in_executor(None, fork)
        except (OSError, RuntimeError) as exc:
            self.log.warning("kernel not forked (%s); started the usual way", exc)
            return await super().launch_kernel(cmd, **kwargs)
        self.pid = self.process.pid
        self.pgid = None   # signals go to the kernel alone, never to the server's own group
        self.cwd = cwd
        return self.connection_info

