"""The bundled reports through the real pipeline, run once per test process.

``pipeline_tables()`` is :func:`analysis.pipeline.read_corpus` of ``data/raw``
(with its manifest): the same runner as the build, in memory. Tests get
copies, so one test cannot change what another sees.
"""
from __future__ import annotations

import pandas as pd

from analysis.paths import RAW
from analysis.pipeline import read_corpus

__all__ = ["pipeline_tables", "raw_text"]


def pipeline_tables() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Return (reports, facts, observations) of the five bundled reports.

    Returns
    -------
    tuple of DataFrame
        Copies: a test may change them freely.
    """
    return tuple(read_corpus(RAW))


def raw_text(doc_id: str) -> str:
    """Return the stored (normalised) text of a bundled report.

    Parameters
    ----------
    doc_id : str
        One of the bundled reports' doc ids.

    Returns
    -------
    str
        Its text as the reports table holds it.
    """
    reports = read_corpus(RAW).reports
    return reports.loc[reports["doc_id"] == doc_id, "text"].iloc[0]
