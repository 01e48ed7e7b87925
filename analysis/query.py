"""Only the rows asked for: DuckDB queries over the processed observations.

A city's decade is about a million observations; a chart shows a few hundred
of them. :func:`observations_for` asks DuckDB (embedded, no server) for the
observations of some indicators, periods or units and returns them exactly as
:func:`analysis.store.read_table` would — same columns, dtypes and row order —
so that the comparison functions of :mod:`analysis.compare` take them
unchanged. :func:`query_compare_units`, :func:`query_trend` and
:func:`query_scorecard` do just that; :func:`indicator_reach` and
:func:`unit_indicators` fill menus without loading rows.

Where the rows come from:

- a period, or a few: that period's folder of
  ``data/processed/observations.parquet/`` (only its files are opened);
- every period (a unit's trend, each unit's latest figure): the read-side
  copies :func:`analysis.store.write_tables` writes beside the partitions
  (:func:`analysis.store.table_copy`), one file sorted by indicator, unit and
  period, whose row groups DuckDB skips by their statistics;
- tables written without those copies (an older version) or changed by another
  writer since: every period's file, as before; slower, same rows.

The examples on a real build are integration tests
(``tests/integration/test_query.py``).
"""
from __future__ import annotations

import os
import threading
from pathlib import Path

import pandas as pd

from analysis import compare, paths, store
from analysis.compare.common import RESULTS_SQL, latest_per_unit_sql
from analysis.observations import LEVEL_KINDS

__all__ = ["observations_for", "indicator_reach", "unit_indicators", "query_compare_units",
           "query_trend", "query_scorecard", "build_stamp", "report_texts"]

_LOCAL = threading.local()
_FILTERS = ("indicator_id", "unit_name", "period", "doc_kind", "unit_level")
#: every period's file (the period from the folder names)
_PARTS = "read_parquet(?, hive_partitioning = true, hive_types = {'period': 'VARCHAR'})"
#: one read-side copy (the period is a column; no folder name is read as a column)
_COPY = "read_parquet(?, hive_partitioning = false)"


def _connection():
    """One DuckDB connection per thread (a connection is not shared between threads)."""
    con = getattr(_LOCAL, "con", None)
    if con is None:
        import duckdb  # lazy: a heavy library, loaded by the first query, not by the app's start

        con = _LOCAL.con = duckdb.connect(":memory:")
        try:   # never draw a progress bar (on stdout, in notebooks and apps)
            con.execute("SET enable_progress_bar = false")
        except duckdb.Error:
            pass
        for setting in ("SET parquet_metadata_cache = true", "SET enable_object_cache = true"):
            try:   # keep the files' footers between queries (the name changed across versions)
                con.execute(setting)
                break
            except duckdb.Error:
                continue
        threads = os.environ.get("ANALYSIS_DUCKDB_THREADS", "")
        if threads.isdigit() and int(threads) > 0:   # the app's kernels: one reader each (voila.py)
            con.execute(f"SET threads = {int(threads)}")
    return con


def _values(v) -> list | None:
    if v is None:
        return None
    if isinstance(v, str):
        return [v]
    return list(v)


def _in(col: str, vals: list) -> tuple[str, list]:
    """``"col" IN (?, ...)`` and its values (an empty list matches nothing)."""
    if not vals:
        return "false", []
    return f'"{col}" IN ({", ".join("?" for _ in vals)})', [str(v) for v in vals]


class _Source:
    """Where DuckDB reads the observations from: a read-side copy, or partition files."""

    def __init__(self, sql: str, param, periods: list | None = None):
        self.sql, self.param, self.periods = sql, param, periods

    @classmethod
    def copy(cls, which: str, copies: dict) -> _Source | None:
        path = copies.get(which)
        return None if path is None else cls(_COPY, str(path))

    @classmethod
    def partitions(cls, processed, period=None) -> _Source | None:
        files = store.table_files("observations", processed, period=period)
        if not files:
            return None
        return cls(_PARTS, [str(f) for _, f in files], [p for p, _ in files])

    @classmethod
    def every_period(cls, processed, copies: dict) -> _Source | None:
        """Return the copy of every period if it can be trusted, else every period's file."""
        return cls.copy("all_periods", copies) or cls.partitions(processed)

    def fetch(self, columns: list[str], keys: list[str], where: str = "", values: list = ()):
        select = ", ".join(f'"{c}"' for c in columns)
        order = ", ".join(f'"{k}" ASC NULLS LAST' for k in keys)
        sql = (f"SELECT {select} FROM {self.sql} {'WHERE ' + where if where else ''} "
               f"ORDER BY {order}")
        return _connection().execute(sql, [self.param, *values]).to_arrow_table()


def _stored_columns(processed) -> list[str]:
    """Return the observations' columns in the order :func:`analysis.store.read_table` gives them."""
    return store.with_partition_column("observations",
                                        store.stored_schema("observations", processed).names)


def _empty(columns, processed) -> pd.DataFrame:
    return store.read_table("observations", processed, columns=columns, period=[])


def _where(sel: dict) -> tuple[str, list]:
    """Return the SQL condition and its values for the row filters other than the period."""
    where, values = [], []
    for col in _FILTERS:
        vals = sel.get(col)
        if vals is None or col == "period":
            continue
        w, v = _in(col, vals)
        where.append(w)
        values.extend(v)
    return " AND ".join(where), values


def _copies(processed) -> dict:
    """Return the read-side copies that can be trusted (:func:`analysis.store.table_copies`)."""
    return store.table_copies("observations", processed)


def _select(sel: dict, columns: list[str], keys: list[str], processed, copies: dict | None = None):
    """Return the rows of a selection as an Arrow table (None: no file holds any)."""
    where, values = _where(sel)
    if sel["period"] is None:
        copy = _Source.copy("all_periods", _copies(processed) if copies is None else copies)
        if copy is not None:
            return copy.fetch(columns, keys, where, values)
    source = _Source.partitions(processed, sel["period"])
    if source is None:
        return None
    if where and sel["period"] is None and len(source.param) > 1:
        # without the copy: first the periods that hold such rows (a scan of the
        # filtered columns only), then every column from those periods' files alone
        sql = f"SELECT DISTINCT period FROM {_PARTS} WHERE {where}"
        found = {r[0] for r in _connection().execute(sql, [source.param, *values]).fetchall()}
        files = [f for p, f in zip(source.periods, source.param) if p in found]
        if not files:
            return None
        source = _Source(_PARTS, files)
    return source.fetch(columns, keys, where, values)


def observations_for(indicator_id: str | list[str] | None = None, period: str | list[str] | None = None,
                     unit_name: str | list[str] | None = None, *, doc_kind: str | list[str] | None = None,
                     unit_level: str | list[str] | None = None, columns: list[str] | None = None,
                     processed: str | os.PathLike | None = None) -> pd.DataFrame:
    """Return the observations of some indicators, periods or units, filtered inside DuckDB.

    Each filter takes one value or a list; filters left out select everything.
    The result equals ``store.read_table("observations")`` filtered the same
    way (same columns, dtypes and row order), without reading the other rows:
    with periods, from those periods' files; without, from the copy of every
    period (:func:`analysis.store.table_copy`), where the indicator and the
    unit pick a few row groups.

    Parameters
    ----------
    indicator_id, period, unit_name, doc_kind, unit_level : the selection.
    columns : only these columns (default all).
    processed : folder of the tables (default :func:`analysis.paths.processed_dir`).
    """
    sel = {"indicator_id": _values(indicator_id), "period": _values(period),
           "unit_name": _values(unit_name), "doc_kind": _values(doc_kind),
           "unit_level": _values(unit_level)}
    names = _stored_columns(processed)
    if any(v == [] for v in sel.values()):
        return _empty(columns, processed)
    wanted = list(columns) if columns is not None else names
    unknown = [c for c in wanted if c not in names]
    if unknown:
        raise KeyError(f"observations: no column(s) {', '.join(unknown)}")
    table = _select(sel, wanted, store.sort_keys("observations", names), processed)
    if table is None:
        return _empty(columns, processed)
    return store.frame_from_arrow("observations", table, processed)


# --------------------------------------------------------------------------
# Rows for the comparison functions
# --------------------------------------------------------------------------

def _frame(rows, processed) -> pd.DataFrame:
    if rows is None:
        return _empty(None, processed)
    return store.frame_from_arrow("observations", rows, processed)


def query_compare_units(indicator_id: str, period: str | None = None, *,
                        units: list[str] | None = None, processed: str | os.PathLike | None = None,
                        **kwargs) -> pd.DataFrame:
    """:func:`analysis.compare.compare_units` on just the rows it needs.

    With a period, that period's rows of the indicator; without one (the
    latest period of each unit), each unit's results at its latest period,
    picked inside DuckDB (:func:`analysis.compare.common.latest_per_unit_sql`)
    from the copy of every period. ``kwargs`` go to
    :func:`~analysis.compare.compare_units` (``annualise``, ``include_plans``,
    ``lang``); the indicator's properties come from the catalogue. The result
    equals ``compare_units`` on the whole table.
    """
    names = _stored_columns(processed)
    keys = store.sort_keys("observations", names)
    copies = _copies(processed)
    unit_list = _values(units)
    if period is not None:
        rows = _select({"indicator_id": [indicator_id], "period": [period], "unit_name": unit_list},
                       names, keys, processed, copies)
    else:
        rows = _latest_rows(indicator_id, unit_list, kwargs.get("include_plans", False), names,
                            keys, processed, copies)
    return compare.compare_units(_frame(rows, processed), indicator_id, period, units=units, **kwargs)


def _latest_rows(indicator_id: str, units, include_plans: bool, names, keys, processed, copies):
    """Each unit's level statements at its latest period end, found by DuckDB over every period."""
    source = _Source.every_period(processed, copies)
    if source is None or units == []:
        return None
    where, values = _in("indicator_id", [indicator_id])
    where += " AND " + _in("kind", list(LEVEL_KINDS))[0]
    values += list(LEVEL_KINDS)
    if not include_plans:
        where += f" AND {RESULTS_SQL}"
    if units is not None:
        w, v = _in("unit_name", units)
        where += " AND " + w
        values += v
    cols = ", ".join(f'"{c}"' for c in names)
    order = ", ".join(f'"{k}" ASC NULLS LAST' for k in keys)
    sql = (f"WITH r AS (SELECT {cols} FROM {source.sql} WHERE {where}) "
           f"SELECT {cols} FROM ({latest_per_unit_sql(names, 'r')}) ORDER BY {order}")
    return _connection().execute(sql, [source.param, *values]).to_arrow_table()


def query_trend(unit_name: str, indicator_id: str, *, processed: str | os.PathLike | None = None,
                **kwargs) -> compare.Trend:
    """:func:`analysis.compare.trend` on one unit's rows of one indicator, across every period.

    The rows come from the copy of every period (a row group or two); the
    indicator's properties from the catalogue. The result equals ``trend`` on
    the whole table.
    """
    names = _stored_columns(processed)
    keys = store.sort_keys("observations", names)
    rows = _select({"indicator_id": [indicator_id], "unit_name": [unit_name], "period": None},
                   names, keys, processed, _copies(processed))
    return compare.trend(_frame(rows, processed), unit_name, indicator_id, **kwargs)


def query_scorecard(unit_name: str, period: str, *, processed: str | os.PathLike | None = None,
                    **kwargs) -> pd.DataFrame:
    """:func:`analysis.compare.scorecard` on one unit's rows of one period."""
    rows = observations_for(unit_name=unit_name, period=period, processed=processed)
    return compare.scorecard(rows, unit_name, period, **kwargs)


# --------------------------------------------------------------------------
# Menus
# --------------------------------------------------------------------------

_REACH = ["indicator_id", "n_units", "n_periods", "n_rows"]


def _typed(frame: pd.DataFrame, strings: tuple, ints: tuple) -> pd.DataFrame:
    for c in strings:
        frame[c] = frame[c].astype("string")
    for c in ints:
        frame[c] = frame[c].astype("int64")
    return frame


def indicator_reach(processed: str | os.PathLike | None = None,
                    include_plans: bool = False) -> pd.DataFrame:
    """Each indicator with the units and periods that state it: what a menu of indicators needs.

    Counted by the build when it writes the tables (kept with the copy of
    every period), so that an app offers its choices without reading any
    observation; for tables without that copy, counted inside DuckDB. Plans
    are left out unless ``include_plans``.
    """
    summary = store.copy_summary("observations", processed)
    if summary is not None:
        rows = summary["indicator_reach"]["all" if include_plans else "results"]
        frame = pd.DataFrame(rows, columns=_REACH)
        return _typed(frame, ("indicator_id",), tuple(_REACH[1:]))
    source = _Source.partitions(processed)
    if source is None:
        return _typed(pd.DataFrame({c: [] for c in _REACH}), ("indicator_id",), tuple(_REACH[1:]))
    where = "" if include_plans else f"WHERE {RESULTS_SQL}"
    sql = ("SELECT indicator_id, count(DISTINCT unit_name) AS n_units, "
           "count(DISTINCT period) AS n_periods, count(*) AS n_rows "
           f"FROM {source.sql} {where} GROUP BY indicator_id ORDER BY indicator_id")
    frame = _connection().execute(sql, [source.param]).df()
    return _typed(frame, ("indicator_id",), tuple(_REACH[1:]))[_REACH]


_UNIT = ["indicator_id", "n_periods", "n_rows", "first_period", "last_period"]


def unit_indicators(unit_name: str, *, unit_level: str | None = None, include_plans: bool = False,
                    processed: str | os.PathLike | None = None) -> pd.DataFrame:
    """Return the indicators a unit states, across every period: what a unit's menu of trends needs.

    One row per indicator, sorted by ``indicator_id``: ``n_periods`` (a trend
    needs three), ``n_rows``, ``first_period`` and ``last_period`` (by the
    periods' end; ties by code). Plans are left out unless ``include_plans``;
    ``unit_level`` tells apart a ward and a district of the same name.
    """
    where, values = _in("unit_name", [unit_name])
    if unit_level is not None:
        w, v = _in("unit_level", [unit_level])
        where += " AND " + w
        values += v
    if not include_plans:
        where += f" AND {RESULTS_SQL}"
    source = _Source.every_period(processed, _copies(processed))
    if source is None:
        return _typed(pd.DataFrame({c: [] for c in _UNIT}), ("indicator_id", "first_period",
                                                            "last_period"), ("n_periods", "n_rows"))
    sql = ("SELECT indicator_id, count(DISTINCT period) AS n_periods, count(*) AS n_rows, "
           "first(period ORDER BY period_end ASC NULLS LAST, period ASC) AS first_period, "
           "first(period ORDER BY period_end DESC NULLS LAST, period DESC) AS last_period "
           f"FROM {source.sql} WHERE {where} GROUP BY indicator_id ORDER BY indicator_id")
    frame = _connection().execute(sql, [source.param, *values]).df()
    return _typed(frame, ("indicator_id", "first_period", "last_period"),
                  ("n_periods", "n_rows"))[_UNIT]


# --------------------------------------------------------------------------
# Freshness and texts
# --------------------------------------------------------------------------

def build_stamp(processed: str | os.PathLike | None = None) -> tuple:
    """Return what identifies the tables of one finished build: a change means a new build.

    The folder and each table's file or folder (inode, modification time,
    size): a build replaces them as a whole, so an app that keeps the stamp of
    the tables it read knows, with a few ``stat`` calls, whether to read again.
    A folder that does not exist has the stamp ``()``.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     before = build_stamp(d)
    ...     _ = store.write_tables({"sample": pd.DataFrame({"doc_id": ["a"]})}, d)
    ...     before != build_stamp(d), build_stamp(Path(d) / "nothing")
    (True, ())
    """
    folder = Path(processed if processed is not None else paths.processed_dir())
    stamp = []
    for path in (folder, *(folder / f"{n}.parquet" for n in ("reports", "facts", "observations"))):
        try:
            st = path.stat()
        except OSError:
            if path == folder:
                return ()
            stamp.append(None)
            continue
        stamp.append((st.st_ino, st.st_mtime_ns, st.st_size))
    return tuple(stamp)


def report_texts(doc_ids, processed: str | os.PathLike | None = None,
                 periods=None) -> dict[str, str]:
    """Return the full texts of some reports, by ``doc_id`` (only those rows are read).

    ``periods`` (the periods of these reports, when the caller knows them, as
    an app does from the reports table it holds) keeps the read to those
    periods' files: one file instead of every period's, which is what a
    reader's click costs on a decade of reports (the texts of one report read
    in 6 ms, not 360 ms, on 60 periods). A report not of those periods is not
    returned.
    """
    ids = [d for d in dict.fromkeys(doc_ids) if isinstance(d, str)]
    if not ids:
        return {}
    period = None if periods is None else [p if isinstance(p, str) else None for p in periods]
    frame = store.read_table("reports", processed, columns=["doc_id", "text"],
                             filters=[("doc_id", "in", ids)], period=period)
    return {d: ("" if t is None or t is pd.NA else str(t))
            for d, t in zip(frame["doc_id"], frame["text"])}
