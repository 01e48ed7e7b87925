"""Voilà settings that need Python: where the app template lives, and the kernels' memory.

Voilà reads this file and ``voila.json`` from the folder it is started in (the
repository root). The ``offline`` template (``share/jupyter/voila/templates/``)
is Voilà's lab template without its two CDN stylesheet links, so the app makes
no request beyond 127.0.0.1.

Every open page is a kernel of its own. The kernels are forked from one
process that has imported the libraries once (``analysis.kernels``, chosen by
``JUPYTER_DEFAULT_PROVISIONER_NAME``), so they share the pages that hold them:
about 70 MB of a kernel's own memory instead of 140 MB, and a kernel starts
without importing anything. The server's environment passes on three memory
settings to the kernels (each can be overridden by setting it before starting
Voilà):

- ``MALLOC_ARENA_MAX=2``: glibc gives each thread of a kernel (ZeroMQ, the
  heartbeat, DuckDB's workers) its own heap arena otherwise, each holding
  freed memory of its own;
- ``ARROW_DEFAULT_MEMORY_POOL=system``: Arrow's own allocator keeps the memory
  a query's columns used for later; the system allocator gives it back;
- ``ANALYSIS_DUCKDB_THREADS=1`` (read by :mod:`analysis.query`): a kernel
  answers one reader, and each DuckDB worker thread holds memory of its own.

Measured with ``benchmarks/dashboard.py`` (``docs/deploy.md``). Everything else
is in ``voila.json``.
"""
import os
from importlib.metadata import entry_points
from pathlib import Path

_share = str(Path(__file__).resolve().parent / "share" / "jupyter")
if _share not in os.environ.get("JUPYTER_PATH", "").split(os.pathsep):
    os.environ["JUPYTER_PATH"] = os.pathsep.join(
        p for p in (_share, os.environ.get("JUPYTER_PATH", "")) if p)
os.environ.setdefault("MALLOC_ARENA_MAX", "2")
os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
os.environ.setdefault("ANALYSIS_DUCKDB_THREADS", "1")
# "local-provisioner" starts every kernel the usual way; without the package's entry point
# (an install older than the provisioner) that is what happens
if entry_points(group="jupyter_client.kernel_provisioners", name="analysis-forking"):
    os.environ.setdefault("JUPYTER_DEFAULT_PROVISIONER_NAME", "analysis-forking")
