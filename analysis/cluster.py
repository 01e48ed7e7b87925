"""Run the build's per-report work on a ``dask.distributed`` cluster.

``python -m analysis build --cluster ADDRESS`` hands the batches of files the
local build gives its worker processes to a Dask scheduler instead:
``tcp://host:8786`` is a running scheduler (``dask scheduler`` on one machine,
``dask worker tcp://host:8786`` on each node); ``local:N`` starts a
``LocalCluster`` of N worker processes on this machine for the length of the
build. Everything else (which files are loaded, the summary, the write) stays
in the build: this module only connects, checks that the workers run this
version of the package, and maps a function over items in order with a bounded
number in flight.

Before any work :func:`connect` checks the scheduler can be reached within
``ANALYSIS_CLUSTER_TIMEOUT`` seconds (default 10), has workers, and that every
worker imports this package with the same version and the same code and rule
files (:func:`package_fingerprint`); otherwise it raises :class:`ClusterProblem`
(one line naming the address and the fix; the CLI exits 2). Tasks are pure
functions of their item (the files they read), submitted with retries: a batch
whose worker dies is run again on another by the scheduler.
"""
from __future__ import annotations

import hashlib
import logging
import os
import uuid
from collections import deque
from contextlib import contextmanager
from pathlib import Path

import analysis
from analysis.load import InputProblem

__all__ = ["ClusterProblem", "ClusterRunner", "parse_address", "package_fingerprint", "connect",
           "connect_timeout"]


class ClusterProblem(InputProblem):
    """The cluster cannot be used for this build.

    It is unreachable, has no workers, or its workers run another version of the package.

    Examples
    --------
    >>> str(ClusterProblem("tcp://10.0.0.5:8786", "cannot reach the Dask scheduler",
    ...                    "start it (dask scheduler) or check the address"))
    'tcp://10.0.0.5:8786: cannot reach the Dask scheduler; start it (dask scheduler) or check the address'
    """

    def __init__(self, address: str, problem: str, fix: str, code: str = "cluster"):
        super().__init__(None, f"{address}: {problem}", fix, code=code)
        self.address = address


def parse_address(address: str) -> tuple[str, int | str]:
    """``("local", N)`` for ``local:N``, else ``("remote", "tcp://host:port")``.

    Examples
    --------
    >>> parse_address("local:2"), parse_address("10.0.0.5:8786"), parse_address("tcp://h:8786")
    (('local', 2), ('remote', 'tcp://10.0.0.5:8786'), ('remote', 'tcp://h:8786'))
    """
    text = str(address).strip()
    if text.lower().startswith("local"):
        n = text[len("local"):].lstrip(":")
        if n.isdigit() and int(n) > 0:
            return "local", int(n)
        if n == "":
            return "local", os.cpu_count() or 1
        raise ClusterProblem(text, "not a cluster address", "write local:N (N worker processes on this "
                             "machine) or tcp://host:8786 (a running Dask scheduler)")
    if "://" not in text:
        text = f"tcp://{text}"
    scheme, _, rest = text.partition("://")
    host, _, port = rest.rpartition(":")
    if scheme not in ("tcp", "tls", "ucx", "inproc") or not host or not port.isdigit():
        raise ClusterProblem(str(address), "not a cluster address", "write tcp://host:8786 (a running "
                             "Dask scheduler) or local:N (N worker processes on this machine)")
    return "remote", text


def connect_timeout() -> float:
    """Seconds to wait for the scheduler and its first worker (``ANALYSIS_CLUSTER_TIMEOUT``, default 10)."""
    value = os.environ.get("ANALYSIS_CLUSTER_TIMEOUT", "").strip()
    try:
        return max(0.5, float(value)) if value else 10.0
    except ValueError:
        raise InputProblem(None, f"ANALYSIS_CLUSTER_TIMEOUT={value!r} is not a number of seconds",
                           "set it to e.g. 10, or unset it", code="limit") from None


def package_fingerprint() -> tuple[str, str]:
    """Return this process's ``analysis`` version and a digest of its code and rule files.

    What the build compares between the driver and every worker: two
    installations that read reports differently give different digests.

    Examples
    --------
    >>> version, digest = package_fingerprint()
    >>> version == __import__("analysis").__version__, len(digest)
    (True, 12)
    """
    root = Path(analysis.__file__).resolve().parent
    h = hashlib.sha256()
    # every module, those of the subpackages (load/, metadata/, store/…) included
    for p in sorted([*root.rglob("*.py"), *(root / "rules").glob("*.csv")]):
        h.update(p.relative_to(root).as_posix().encode("utf-8") + b"\0")
        h.update(p.read_bytes())
    return analysis.__version__, h.hexdigest()[:12]


class ClusterRunner:
    """Maps a function over items on a connected ``distributed.Client``, in order."""

    def __init__(self, client, address: str, n_workers: int):
        self.client = client
        self.address = address
        self.n_workers = n_workers

    def map_in_order(self, fn, items: list, window: int | None = None):
        """Yield ``fn(item)`` of each item, in order, on the cluster.

        At most ``window`` tasks are in flight (default ``2 × workers + 2``). Each task is pure: if its worker dies the
        scheduler runs it again elsewhere; a result is dropped from the cluster
        as soon as it is here.
        """
        # dask.distributed is heavy and optional: imported by the builds that use a cluster only
        from distributed import CancelledError, KilledWorker

        window = window or max(4, 2 * self.n_workers + 2)
        run = uuid.uuid4().hex[:8]
        name = getattr(fn, "__name__", "task").strip("_")
        pending: deque = deque()
        todo = iter(enumerate(items))

        def submit(i, item):
            pending.append(self.client.submit(fn, item, key=f"analysis-{name}-{run}-{i}",
                                              pure=True, retries=2))
        try:
            for i, item in todo:
                submit(i, item)
                if len(pending) >= window:
                    break
            while pending:
                future = pending.popleft()
                try:
                    result = future.result()
                except KilledWorker as e:
                    raise ClusterProblem(self.address, f"a batch of reports killed the workers it ran on "
                                         f"({e}); nothing was written",
                                         "check the workers' memory and logs, then build again") from None
                except (CancelledError, OSError) as e:
                    raise ClusterProblem(self.address, f"the cluster was lost mid-build "
                                         f"({type(e).__name__}: {e}); nothing was written",
                                         "check the scheduler and build again") from None
                future.release()
                for i, item in todo:         # one new task per task done
                    submit(i, item)
                    break
                yield result
        finally:
            for future in pending:
                future.cancel()


def _check_workers(client, address: str, timeout: float) -> int:
    try:
        client.wait_for_workers(1, timeout=timeout)
    except (TimeoutError, OSError):
        raise ClusterProblem(address, f"the Dask scheduler has no workers after {timeout:g} s",
                             f"start workers on the nodes (dask worker {address})",
                             code="cluster_no_workers") from None
    here = package_fingerprint()
    try:
        there = client.run(package_fingerprint)
    except Exception as e:  # noqa: BLE001 - the workers cannot import this package
        raise ClusterProblem(address, f"the workers cannot run the analysis package ({type(e).__name__}: "
                             f"{str(e).splitlines()[0] if str(e) else ''})",
                             f"install analysis {here[0]} on every worker (pip install -e . in the "
                             "same checkout) and restart them", code="cluster_version") from None
    other = {w: v for w, v in there.items() if tuple(v) != here}
    if other:
        worker, (version, digest) = sorted(other.items())[0]
        raise ClusterProblem(address, f"{len(other)} of {len(there)} worker(s) run another version of "
                             f"the analysis package (e.g. {worker}: {version}, code {digest}; here "
                             f"{here[0]}, code {here[1]})",
                             "install this version on every worker (same checkout, pip install -e .) "
                             "and restart them", code="cluster_version")
    return len(there)


#: How many log records and events the build's own scheduler (``local:N``), its
#: workers and the client keep in memory: 100, not Dask's 10,000 and 1,000.
#: Nobody reads them (the scheduler's logs are silenced below ERROR and it has
#: no dashboard), and with Dask's lengths the driver held 17 MB more at 48,000
#: reports (237 MB against 220 MB with --cluster local:2; 7 MB at 12,000).
LOG_LENGTHS = {"distributed.admin.log-length": 100, "distributed.admin.low-level-log-length": 100}


@contextmanager
def connect(address: str, progress=None):
    """Open a :class:`ClusterRunner` on the cluster at ``address``, closed on exit.

    ``local:N`` starts N worker processes here (one thread each, TCP on
    127.0.0.1) and stops them on exit. Raises :class:`ClusterProblem` if dask's
    distributed scheduler is not installed, cannot be reached, has no worker, or
    a worker runs another version of the package.
    """
    kind, where = parse_address(address)
    try:   # dask.distributed is heavy and optional: imported by the builds that use a cluster only
        from distributed import Client, LocalCluster
    except ModuleNotFoundError:
        raise ClusterProblem(str(address), "dask's distributed scheduler is not installed",
                             "pip install 'dask[distributed]' (see requirements.lock)",
                             code="cluster_missing") from None
    import dask

    timeout = connect_timeout()
    with dask.config.set(LOG_LENGTHS):
        cluster = None
        if kind == "local":
            cluster = LocalCluster(n_workers=where, threads_per_worker=1, processes=True,
                                   protocol="tcp://", host="127.0.0.1", dashboard_address=None,
                                   silence_logs=logging.ERROR, memory_limit=0)
            shown = f"local:{where}"
            target = cluster
        else:
            shown = target = where
        try:
            try:
                client = Client(target, timeout=f"{timeout}s", set_as_default=False)
            except (OSError, TimeoutError) as e:
                reason = str(e).splitlines()[0] if str(e) else type(e).__name__
                raise ClusterProblem(shown, f"cannot reach the Dask scheduler ({reason})",
                                     f"start one there (dask scheduler --port {where.rsplit(':', 1)[-1]}) "
                                     "and its workers, or check the address; nothing was written"
                                     if kind == "remote" else "check that this machine can open local "
                                     "TCP ports", code="cluster_unreachable") from None
            try:
                n = _check_workers(client, shown, timeout)
                if progress is not None:
                    progress(f"cluster {shown}: {n} worker(s)")
                yield ClusterRunner(client, shown, n)
            finally:
                client.close()
        finally:
            if cluster is not None:
                cluster.close()
