"""A real Voilà server and Debian's headless Chromium, for the apps' tests and benchmarks.

:class:`VoilaServer` starts ``voila`` from the repository root (so that
``voila.json`` and ``voila.py`` apply) on a free 127.0.0.1 port, pointed at a
processed dataset through ``ANALYSIS_PROCESSED``, and stops it and its kernels.
:func:`launch_chromium` starts ``/usr/bin/chromium`` through Playwright (never a
downloaded browser). :class:`RequestLog` records every request a page makes and
blocks any that would leave 127.0.0.1.
"""
from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
APP = ROOT / "notebooks" / "apps" / "dashboard.ipynb"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}

# JavaScript: true once the chart in the element with this class has drawn marks.
CHART_DRAWN = """cls => { const s = document.querySelector('.' + cls + ' svg.marks');
  return !!(s && s.querySelector('path, rect, text, line, symbol')); }"""
# JavaScript: true once that chart's marks differ from a previous snapshot.
CHART_CHANGED = """([cls, before]) => { const s = document.querySelector('.' + cls + ' svg.marks');
  return !!(s && s.innerHTML !== before); }"""


def chromium_missing() -> str | None:
    """Why the browser tests cannot run here, or None if they can."""
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} not found: run `make chromium` (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed: run `make venv-test`"
    return None


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class VoilaServer:
    """``voila`` serving one notebook on 127.0.0.1, as ``make dashboard`` does.

    Parameters
    ----------
    processed : folder of the processed tables the app reads
    notebook : the notebook to serve (default the leaders' app)
    preheat : keep a kernel ready with the notebook already run (voila.json's
        setting); False starts a kernel per page (cold).
    log : file for the server's output (default a file beside ``processed``)
    extra_args : more command-line settings, after ``voila.json``'s (e.g. a
        shorter culling timeout for a test)
    """

    def __init__(self, processed: Path, notebook: Path = APP, preheat: bool = True,
                 log: Path | None = None, startup_timeout: float = 60.0,
                 extra_args: tuple[str, ...] = ()):
        self.processed = Path(processed)
        self.notebook = Path(notebook)
        self.preheat = preheat
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log_path = Path(log) if log else self.processed.parent / f"voila-{self.port}.log"
        self.startup_timeout = startup_timeout
        self.extra_args = tuple(extra_args)
        self.proc: subprocess.Popen | None = None

    def start(self) -> "VoilaServer":
        env = dict(os.environ, ANALYSIS_PROCESSED=str(self.processed),
                   PYDEVD_DISABLE_FILE_VALIDATION="1")
        voila = Path(sys.executable).with_name("voila")
        cmd = [str(voila) if voila.exists() else shutil.which("voila") or "voila",
               f"--port={self.port}", "--no-browser", "--Voila.port_retries=0",
               f"--preheat_kernel={self.preheat}", *self.extra_args, str(self.notebook)]
        self._log = open(self.log_path, "w", encoding="utf-8")
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=self._log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"voila exited with {self.proc.returncode}:\n{self.log_text()[-3000:]}")
            if self._listening() and (not self.preheat or "is filled with" in self.log_text()):
                return self
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"voila did not start in {self.startup_timeout:.0f} s:\n{self.log_text()[-3000:]}")

    def _listening(self) -> bool:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.settimeout(0.2)
            return s.connect_ex(("127.0.0.1", self.port)) == 0

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    def wait_for_log(self, pattern: str, count: int = 1, timeout: float = 60.0) -> None:
        """Wait until ``pattern`` (a regular expression) appears ``count`` times."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(re.findall(pattern, self.log_text())) >= count:
                return
            time.sleep(0.1)
        raise TimeoutError(f"{pattern!r} x{count} not in the voila log after {timeout:.0f} s")

    def kernel_pids(self) -> list[int]:
        """Process ids of the kernels the server runs now.

        Kernels forked from the server's kernel template (``analysis.kernels``)
        are the template's children; a kernel started the usual way is the
        server's child running ipykernel.
        """
        children: dict[int, list[tuple[int, bytes]]] = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                cmdline = (entry / "cmdline").read_bytes()
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append((int(entry.name), cmdline))
        pids = []
        for pid, cmdline in children.get(self.proc.pid, []):
            if b"analysis.kernels" in cmdline:
                pids += [kernel for kernel, _ in children.get(pid, [])]
            elif b"ipykernel" in cmdline:
                pids.append(pid)
        return sorted(pids)

    def wait_kernels_idle(self, quiet: float = 1.0, timeout: float = 120.0) -> None:
        """Wait until no kernel of the server uses the CPU for ``quiet`` seconds.

        Voilà logs "is filled with" as soon as a pool kernel has started, before
        it has run the notebook; its CPU time standing still says it has.
        """
        def cpu() -> dict[int, int]:
            out = {}
            for pid in self.kernel_pids():
                try:
                    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                    out[pid] = int(fields[11]) + int(fields[12])
                except (OSError, ValueError, IndexError):
                    continue
            return out

        deadline = time.monotonic() + timeout
        before = cpu()
        while time.monotonic() < deadline:
            time.sleep(quiet)
            now = cpu()
            if now == before:
                return
            before = now
        raise TimeoutError(f"the kernels were still busy after {timeout:.0f} s")

    def stop(self) -> None:
        """Stop the server and its kernels (its own process group only)."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)
        self._log.close()
        self.proc = None

    def __enter__(self) -> "VoilaServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def launch_chromium(playwright):
    """Debian's Chromium, headless, with the flags that work on this machine."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


class RequestLog:
    """Every request and console message of a page; outside requests are blocked.

    ``outside`` lists the URLs that tried to leave 127.0.0.1 (they are aborted,
    so a test also sees the page work without them); ``errors`` the console
    errors and uncaught page errors.
    """

    def __init__(self, page, block: bool = True):
        self.urls: list[str] = []
        self.outside: list[str] = []
        self.errors: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))
        if block:
            page.route("**/*", self._route)
        else:  # only watch: a route sends every request through Python, slowing the page
            page.on("request", lambda request: self._check(request.url))

    def _console(self, msg) -> None:
        if msg.type == "error":
            self.errors.append(msg.text)

    def _check(self, url: str) -> bool:
        """Record a request; whether it stays on this machine."""
        self.urls.append(url)
        parsed = urlparse(url)
        if parsed.scheme in ("data", "blob", "about", "file") or parsed.hostname in LOCAL_HOSTS:
            return True
        self.outside.append(url)
        return False

    def _route(self, route) -> None:
        if self._check(route.request.url):
            route.continue_()
        else:
            route.abort()


#: JavaScript run before the page's own: notes when each kind of chart first has
#: marks, in milliseconds since the page was requested (``performance.now()``).
_WATCH_CHARTS = """
(() => {
  const seen = window.__chartsSeen = {};
  const look = () => {
    const now = performance.now();
    for (const [name, sel] of [["preview", ".ad-preview svg.marks"],
                               ["live", ".ad-chart-scorecard svg.marks"]]) {
      if (!(name in seen) && document.querySelector(sel)) seen[name] = now;
    }
  };
  new MutationObserver(look).observe(document, {childList: true, subtree: true});
})();
"""


def watch_charts(page) -> None:
    """Note, from the start of the page's load, when the first chart of each kind draws.

    ``preview``: the first view drawn from the page's own HTML
    (``DashboardApp.preview``); ``live``: the app's scorecard widget.
    :func:`charts_seen` reads the times.
    """
    page.add_init_script(_WATCH_CHARTS)


def charts_seen(page) -> dict[str, float]:
    """Seconds from the page request to each kind of chart's first marks (see :func:`watch_charts`)."""
    seen = page.evaluate("() => window.__chartsSeen || {}")
    return {name: ms / 1000 for name, ms in seen.items()}


def chart_marks(page, cls: str) -> str:
    """The inner SVG of a chart's marks ('' if not drawn)."""
    loc = page.locator(f".{cls} svg.marks")
    return loc.first.inner_html() if loc.count() else ""


def wait_chart(page, cls: str, timeout_ms: float = 60_000) -> None:
    page.wait_for_function(CHART_DRAWN, arg=cls, timeout=timeout_ms, polling=20)


def wait_chart_change(page, cls: str, before: str, timeout_ms: float = 20_000) -> None:
    page.wait_for_function(CHART_CHANGED, arg=[cls, before], timeout=timeout_ms, polling=10)
