"""What the leaders' app reads: its rows, from the processed tables or from frames.

:class:`QueryRows` answers the app's questions (a unit's report, a comparison,
a trend, the report texts shown) from the processed tables on disk through
:mod:`analysis.query`, reading only the rows asked for and keeping them for the
next time; :class:`FrameRows` answers the same from tables in memory. Units are
identified by level, name and parent (:func:`unit_key`).
"""
from __future__ import annotations

import pandas as pd

from .. import paths, query
from ..compare import compare_units, is_result, trend
from ..store import read_table

__all__ = ["FrameRows", "QueryRows", "read_processed", "load_tables", "unit_key",
           "split_unit_key", "with_unit_key", "duplicate_reports", "states_targets",
           "sorted_reports", "same_unit", "LATEST", "ALL_TOPICS", "COMPARE_BARS",
           "REPORT_COLUMNS", "PROGRAMME_COLUMNS"]

#: Period choice meaning "the unit's latest report".
LATEST = "latest"
#: Topic choice meaning "every topic".
ALL_TOPICS = "all"
#: Most bars in the comparison chart: with more units, the first and last
#: fifteen and the unit chosen (a leader reads 31 bars at a glance, not 600).
COMPARE_BARS = 30

REPORT_COLUMNS = ["doc_id", "title", "unit_name", "unit_level", "parent", "period",
                   "period_start", "period_end", "period_months", "published",
                   "doc_kind"]

def read_processed(name: str, columns: list[str] | None = None, processed=None) -> pd.DataFrame:
    """Read one processed table (``reports``, ``facts``, ``observations``).

    Through :func:`analysis.store.read_table`, from ``processed`` (default
    :func:`analysis.paths.processed_dir`; ``ANALYSIS_PROCESSED`` overrides it).

    Examples
    --------
    >>> read_processed("no_such_table")
    Traceback (most recent call last):
    ...
    analysis.store.layout.TableMissing: ...no_such_table.parquet: the no_such_table table has not been built; ...
    """
    return read_table(name, processed, columns=columns)


def load_tables() -> dict[str, pd.DataFrame]:
    """Return the processed tables whole: report metadata (no text) and observations.

    For a small corpus, or to hand an app tables made in code
    (``DashboardApp(tables=...)``); the app itself reads only what it shows
    (:class:`QueryRows`).
    """
    return {
        "reports": read_processed("reports", columns=REPORT_COLUMNS + ["text"]),
        "observations": read_processed("observations"),
    }


def sorted_reports(reports: pd.DataFrame) -> pd.DataFrame:
    """Return the reports with every column the app reads, latest period first."""
    reports = reports.copy()
    for c in REPORT_COLUMNS:
        if c not in reports.columns:
            reports[c] = None
    reports["period_end"] = pd.to_datetime(reports["period_end"], errors="coerce")
    return reports.sort_values(["period_end", "doc_id"], ascending=[False, True])


def same_unit(frame: pd.DataFrame, level, parent) -> pd.DataFrame:
    """Return the rows of the unit of this level and parent (a name is already chosen)."""
    if level is not None and "unit_level" in frame.columns:
        frame = frame[frame["unit_level"] == level]
    if parent is not None and "parent" in frame.columns:
        frame = frame[frame["parent"] == parent]
    elif "parent" in frame.columns:
        frame = frame[frame["parent"].isna()]
    return frame


PROGRAMME_COLUMNS = ["unit_name", "unit_level", "parent", "period", "period_end", "indicator_id",
                      "value", "unit", "raw", "qualifier", "quote", "sentence", "doc_id", "start",
                      "end", "programme_keys"]


class FrameRows:
    """The app's rows from tables in memory (``DashboardApp(tables=...)``).

    :class:`QueryRows` answers the same questions from the processed tables
    on disk, reading only the rows asked for.
    """

    def __init__(self, reports: pd.DataFrame, obs: pd.DataFrame):
        self._texts = (dict(zip(reports["doc_id"], reports["text"]))
                       if "text" in reports.columns else {})
        self.reports = sorted_reports(reports.drop(columns=["text"], errors="ignore"))
        if len(obs) == 0 or "indicator_id" not in obs.columns:
            obs = pd.DataFrame(columns=["unit_name", "period", "indicator_id", "value", "unit",
                                        "raw", "quote", "doc_id", "start", "end"])
        self.obs = obs.reset_index(drop=True)
        results = self.obs[is_result(self.obs)]  # plans state targets, not results
        self._by_indicator = {i: g for i, g in results.groupby("indicator_id", sort=False)}
        self._by_unit_period = {k: g for k, g in self.obs.groupby(["unit_name", "period"], sort=False)}

    def indicator_units(self) -> dict[str, int]:
        """Return indicator → number of units whose results state it (plans left out)."""
        return {i: int(g["unit_name"].nunique()) for i, g in self._by_indicator.items()}

    def indicators(self) -> list[str]:
        """Return every indicator with a figure, plans included."""
        return list(self.obs["indicator_id"].dropna().unique())

    def unit_period(self, unit: str, period: str, level: str | None = None,
                    parent: str | None = None) -> pd.DataFrame:
        """Return the unit's observations for one period (of this level and parent)."""
        frame = self._by_unit_period.get((unit, period))
        return self.obs.iloc[0:0] if frame is None else same_unit(frame, level, parent)

    def compare(self, indicator: str, lang: str, focus: str | None = None) -> pd.DataFrame:
        """Return the units compared on an indicator (``analysis.compare.compare_units``)."""
        return compare_units(self._by_indicator[indicator], indicator, period_length="auto",
                             focus_unit=focus, lang=lang)

    def trend(self, unit: str, indicator: str, lang: str, level: str | None = None,
              parent: str | None = None):
        """Return one unit's value of an indicator across periods (``analysis.compare.trend``)."""
        return trend(self._by_indicator[indicator], unit, indicator, unit_level=level,
                     parent=parent, lang=lang)

    def texts(self, doc_ids) -> dict[str, str]:
        """Return the texts of these reports, by report id."""
        return {d: str(self._texts[d]) for d in doc_ids if isinstance(self._texts.get(d), str)}

    def programme_rows(self) -> pd.DataFrame:
        """Return the observations of reports that name a programme, with their programme keys."""
        if "programme_keys" not in self.obs.columns:
            return self.obs.iloc[0:0]
        has = [isinstance(k, (list, tuple)) and len(k) > 0 or (hasattr(k, "__len__") and not
               isinstance(k, str) and len(k) > 0) for k in self.obs["programme_keys"]]
        rows = self.obs[has]
        return rows.assign(programme_keys=[list(k) for k in rows["programme_keys"]])


class QueryRows:
    """The app's rows from the processed tables, each question one DuckDB query.

    At page open only the reports table (without text) and each indicator's
    reach are read; a unit's report, a comparison or a trend is read when the
    reader asks for it (:mod:`analysis.query`) and kept for the next time.
    A city's decade (a million observations) opens as fast as five reports.
    """

    _KEEP = 256   # answers kept (the oldest goes first)

    def __init__(self, processed=None):
        self._q = query
        # the folder is fixed when the app opens: every later answer comes from it
        self._processed = paths.processed_dir() if processed is None else processed
        self.reports = sorted_reports(
            read_processed("reports", REPORT_COLUMNS, self._processed))
        results = query.indicator_reach(self._processed)
        self._reach = dict(zip(results["indicator_id"], results["n_units"].astype(int)))
        everything = query.indicator_reach(self._processed, include_plans=True)
        self._indicators = list(everything["indicator_id"])
        self._cache: dict[tuple, object] = {}

    def _kept(self, key: tuple, make):
        if key not in self._cache:
            if len(self._cache) >= self._KEEP:
                self._cache.pop(next(iter(self._cache)))
            self._cache[key] = make()
        return self._cache[key]

    def indicator_units(self) -> dict[str, int]:
        """Return indicator → number of units whose results state it (plans left out)."""
        return dict(self._reach)

    def indicators(self) -> list[str]:
        """Return every indicator with a figure, plans included."""
        return list(self._indicators)

    def unit_period(self, unit: str, period: str, level: str | None = None,
                    parent: str | None = None) -> pd.DataFrame:
        """Return the unit's observations for one period (of this level and parent)."""
        return self._kept(("unit_period", unit, period, level, parent), lambda: same_unit(
            self._q.observations_for(unit_name=unit, period=period, processed=self._processed),
            level, parent))

    def compare(self, indicator: str, lang: str, focus: str | None = None) -> pd.DataFrame:
        """Return the units compared on an indicator (``analysis.compare.compare_units``)."""
        return self._kept(("compare", indicator, lang, focus), lambda: self._q.query_compare_units(
            indicator, processed=self._processed, period_length="auto", focus_unit=focus,
            lang=lang))

    def trend(self, unit: str, indicator: str, lang: str, level: str | None = None,
              parent: str | None = None):
        """Return one unit's value of an indicator across periods (``analysis.compare.trend``)."""
        return self._kept(("trend", unit, indicator, lang, level, parent),
                          lambda: self._q.query_trend(unit, indicator, processed=self._processed,
                                                      unit_level=level, parent=parent, lang=lang))

    def texts(self, doc_ids) -> dict[str, str]:
        """Return the texts of these reports, by report id."""
        want = [d for d in doc_ids if ("text", d) not in self._cache]
        if want:
            periods = self.reports.loc[self.reports["doc_id"].isin(want), "period"]
            for d, text in self._q.report_texts(want, self._processed, periods=periods.tolist()).items():
                self._kept(("text", d), lambda text=text: text)
        return {d: self._cache[("text", d)] for d in doc_ids if ("text", d) in self._cache}

    def programme_rows(self) -> pd.DataFrame:
        """Return the observations of reports that name a programme, with their programme keys."""
        def read():
            rows = self._q.observations_for(columns=PROGRAMME_COLUMNS, processed=self._processed)
            has = [k is not None and not isinstance(k, float) and len(k) > 0
                   for k in rows["programme_keys"]]
            rows = rows[has]
            return rows.assign(programme_keys=[list(k) for k in rows["programme_keys"]])
        return self._kept(("programmes",), read)


def unit_key(name, level=None, parent=None) -> str:
    """Return the key that identifies a unit: its level, name and parent.

    A ward and a district may share a name (phường Long Biên, quận Long
    Biên), and two wards of one name lie in different districts; the app's
    selectors, comparisons and period pages tell them apart by this key.

    Examples
    --------
    >>> unit_key("Long Biên", "ward", "Long Biên"), unit_key("Cầu Giấy", "district")
    ('ward|Long Biên|Long Biên', 'district|Cầu Giấy|')
    >>> split_unit_key("ward|Long Biên|Long Biên")
    ('Long Biên', 'ward', 'Long Biên')
    """
    def part(x):
        return "" if x is None or (isinstance(x, float) and x != x) or x is pd.NA else str(x)

    return f"{part(level)}|{part(name)}|{part(parent)}"


def split_unit_key(key: str) -> tuple[str, str | None, str | None]:
    """``(name, level, parent)`` of a :func:`unit_key` (None for a part not known)."""
    level, name, parent = (str(key).split("|", 2) + ["", ""])[:3]
    return name, level or None, parent or None


def with_unit_key(frame: pd.DataFrame) -> pd.DataFrame:
    """Return the frame with a ``unit_key`` column (see :func:`unit_key`)."""
    frame = frame.copy()
    cols = [frame[c] if c in frame.columns else pd.Series([None] * len(frame), index=frame.index)
            for c in ("unit_name", "unit_level", "parent")]
    frame["unit_key"] = [unit_key(n, lv, pa) for n, lv, pa in zip(*cols)]
    return frame

def duplicate_reports(reports: pd.DataFrame) -> pd.DataFrame:
    """Return reports that share a unit (level, name, parent) and a period: one row per report.

    Examples
    --------
    >>> reports = pd.DataFrame({"doc_id": ["a", "b", "c"], "unit_name": ["Cự Khối"] * 3,
    ...     "unit_level": ["ward"] * 3, "parent": ["Long Biên"] * 3,
    ...     "period": ["2018-FY", "2018-FY", "2019-FY"], "title": ["A", "B", "C"]})
    >>> duplicate_reports(reports)["doc_id"].tolist()
    ['a', 'b']
    """
    if reports.empty:
        return reports.iloc[0:0]
    keyed = with_unit_key(reports)
    dup = keyed.duplicated(["unit_key", "period"], keep=False) & keyed["period"].notna()
    return keyed[dup].sort_values(["unit_key", "period", "doc_id"]).drop(columns="unit_key")

def states_targets(frame: pd.DataFrame) -> bool:
    """Whether any figure of a report has a target to be checked against."""
    checks = []
    if "kind" in frame.columns:
        checks.append(frame["kind"] == "target_achievement")
    for col in ("target", "achievement_pct", "stated_result"):
        if col in frame.columns:
            checks.append(frame[col].notna())
    return bool(len(frame) and any(c.any() for c in checks))
