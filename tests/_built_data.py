"""The real build of the bundled reports, written once per test process.

``processed_dir()`` runs :func:`analysis.build.build` on ``data/raw`` into a
temporary folder (removed when the process ends) and returns it; the chart,
notebook and dashboard tests read the processed tables from there, exactly as
the apps read ``data/processed``.
"""
from __future__ import annotations

import atexit
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path

import pandas as pd

from _files import write_empty_corrections
from analysis.build import build
from analysis.store import read_table

__all__ = ["processed_dir", "table"]


@lru_cache(maxsize=1)
def processed_dir() -> Path:
    """Build the bundled reports once per process and return the folder of their tables.

    Returns
    -------
    Path
        A temporary ``processed`` folder, removed when the process ends.
    """
    root = Path(tempfile.mkdtemp(prefix="analysis-built-"))
    atexit.register(shutil.rmtree, root, True)
    out = root / "processed"
    # its own empty corrections file: a local data/corrections.csv never changes a test
    build(out=out, progress=False, corrections=write_empty_corrections(root / "corrections.csv"))
    return out


@lru_cache(maxsize=None)
def _table(name: str) -> pd.DataFrame:
    return read_table(name, processed=processed_dir())


def table(name: str) -> pd.DataFrame:
    """Return a copy of one processed table of the real build.

    Parameters
    ----------
    name : str
        ``reports``, ``facts`` or ``observations``.

    Returns
    -------
    DataFrame
        A copy: a test may change it freely.
    """
    return _table(name).copy()
