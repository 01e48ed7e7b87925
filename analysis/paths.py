"""Where things live. Every path the package uses is defined here, and only here."""
from __future__ import annotations

import os
from pathlib import Path

__all__ = [
    "ROOT", "DATA", "RAW", "PROCESSED", "REFERENCE", "CATALOG", "RULES",
    "MANIFEST", "NOTEBOOKS", "REPORTS_OUT", "processed_dir",
]

#: The repository root (the folder that holds ``analysis/`` and ``data/``).
ROOT = Path(__file__).resolve().parent.parent
#: Package-internal data tables of text rules (units, qualifiers, cues).
RULES = Path(__file__).resolve().parent / "rules"
DATA = ROOT / "data"
RAW = DATA / "raw"
MANIFEST = RAW / "reports.csv"
REFERENCE = DATA / "reference"
CATALOG = DATA / "catalog"
NOTEBOOKS = ROOT / "notebooks"
REPORTS_OUT = ROOT / "reports"


def processed_dir() -> Path:
    """Folder of the processed tables; ``ANALYSIS_PROCESSED`` overrides it.

    Read at call time (not import time) so tests and benchmarks can point the
    build and the dashboards at another dataset.
    """
    env = os.environ.get("ANALYSIS_PROCESSED")
    return Path(env) if env else DATA / "processed"


# Kept for readers who want the default location as a constant.
PROCESSED = DATA / "processed"
