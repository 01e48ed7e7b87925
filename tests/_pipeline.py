"""The bundled reports through the real pipeline, built once per test process.

``pipeline_tables()`` loads ``data/raw`` with :func:`analysis.load.load_reports`,
extracts and labels each report's facts with :func:`analysis.build.facts_for_report`
(extract then assign indicators) and builds the observations with
:func:`analysis.observations.build_observations`. Tests get copies, so one test
cannot change what another sees.
"""
from __future__ import annotations

from functools import lru_cache

import pandas as pd

from analysis.build import facts_for_report
from analysis.load import load_reports
from analysis.observations import build_observations
from analysis.paths import MANIFEST, RAW
from analysis.schema import FACTS, empty_frame, validate

__all__ = ["pipeline_tables", "raw_text"]


@lru_cache(maxsize=1)
def _tables() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    reports = load_reports(RAW, manifest=MANIFEST if MANIFEST.is_file() else None).reports
    records = [f for doc_id, text in zip(reports["doc_id"], reports["text"])
               for f in facts_for_report(text, doc_id)]
    facts = (validate(pd.DataFrame.from_records(records, columns=FACTS.names), FACTS)
             if records else empty_frame(FACTS))
    observations = build_observations(facts, reports)
    return reports, facts, observations


def pipeline_tables() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(reports, facts, observations) of the five bundled reports."""
    return tuple(t.copy() for t in _tables())


def raw_text(doc_id: str) -> str:
    """The stored (normalised) text of a bundled report."""
    reports = _tables()[0]
    return reports.loc[reports["doc_id"] == doc_id, "text"].iloc[0]
