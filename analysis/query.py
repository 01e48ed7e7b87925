"""Only the rows asked for: DuckDB queries over the partitioned tables.

A city's decade is about a million observations; a chart shows a few hundred
of them. :func:`observations_for` asks DuckDB (embedded, no server) for the
observations of one indicator, period or unit straight from the Parquet files of
``data/processed/observations.parquet/`` (a period is a folder, so only its
files are opened; other filters use the files' statistics), and returns them
exactly as :func:`analysis.store.read_table` would — same columns, dtypes and
row order — so that the comparison functions of :mod:`analysis.compare` take
them unchanged. :func:`query_compare_units`, :func:`query_trend` and
:func:`query_scorecard` do just that.

Examples
--------
>>> from analysis import build
>>> import tempfile
>>> with tempfile.TemporaryDirectory() as d:
...     out = build.build(out=Path(d) / "processed", progress=False).out
...     rows = observations_for(unit_name="Cự Khối", period="2018-FY", processed=out)
...     card = query_scorecard("Cự Khối", "2018-FY", processed=out)
>>> sorted(set(rows["unit_name"])), len(card) > 0
(['Cự Khối'], True)
"""
from __future__ import annotations

import os
import threading
from pathlib import Path  # noqa: F401  (the examples use it)

import pandas as pd

from analysis import compare, schema, store
from analysis.observations import LEVEL_KINDS

__all__ = ["observations_for", "indicator_reach", "query_compare_units", "query_trend",
           "query_scorecard"]

_LOCAL = threading.local()
_FILTERS = ("indicator_id", "unit_name", "period", "doc_kind", "unit_level")


def _connection():
    """One DuckDB connection per thread (a connection is not shared between threads)."""
    con = getattr(_LOCAL, "con", None)
    if con is None:
        import duckdb

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
    return con


def _values(v) -> list | None:
    if v is None:
        return None
    if isinstance(v, str):
        return [v]
    return list(v)


def observations_for(indicator_id: str | list[str] | None = None, period: str | list[str] | None = None,
                     unit_name: str | list[str] | None = None, *, doc_kind: str | list[str] | None = None,
                     unit_level: str | list[str] | None = None, columns: list[str] | None = None,
                     processed: str | os.PathLike | None = None) -> pd.DataFrame:
    """The observations of some indicators, periods or units, filtered inside DuckDB.

    Each filter takes one value or a list; filters left out select everything.
    The result equals ``store.read_table("observations")`` filtered the same
    way (same columns, dtypes and row order), without reading the other rows.

    Parameters
    ----------
    indicator_id, period, unit_name, doc_kind, unit_level : the selection.
    columns : only these columns (default all).
    processed : folder of the tables (default :func:`analysis.paths.processed_dir`).

    Examples
    --------
    >>> import tempfile
    >>> from analysis.build import build
    >>> with tempfile.TemporaryDirectory() as d:
    ...     out = build(out=Path(d) / "processed", progress=False).out
    ...     rows = observations_for("food_safety_violations", processed=out)
    >>> rows[["unit_name", "period", "value"]].values.tolist()
    [['Cầu Giấy', '2022-H1', 52.0], ['Thạch Bàn', '2021-H1', 8.0]]
    """
    sel = {"indicator_id": _values(indicator_id), "period": _values(period),
           "unit_name": _values(unit_name), "doc_kind": _values(doc_kind),
           "unit_level": _values(unit_level)}
    files = store.table_files("observations", processed, period=sel["period"])
    if not files or any(v == [] for v in sel.values()):
        frame = store.read_table("observations", processed, columns=columns, period=[])
        return frame
    names = _stored_columns(processed)
    wanted = list(columns) if columns is not None else names
    unknown = [c for c in wanted if c not in names]
    if unknown:
        raise KeyError(f"observations: no column(s) {', '.join(unknown)}")
    keys = store._sort_keys("observations", names)
    where, values = _where(sel)
    if where and sel["period"] is None and len(files) > 1:
        # first the periods that hold such rows (a scan of the filtered columns
        # only), then every column from those periods' files alone
        found = _periods_where(files, where, values)
        files = [(p, f) for p, f in files if p in found]
        if not files:
            return store.read_table("observations", processed, columns=columns, period=[])
    select = ", ".join(f'"{c}"' for c in wanted)
    order = ", ".join(f'"{k}" ASC NULLS LAST' for k in keys)
    sql = (f"SELECT {select} FROM {_SOURCE} {'WHERE ' + where if where else ''} ORDER BY {order}")
    table = _connection().execute(sql, [[str(f) for _, f in files], *values]).to_arrow_table()
    return store.frame_from_arrow("observations", table, processed)


_SOURCE = "read_parquet(?, hive_partitioning = true, hive_types = {'period': 'VARCHAR'})"


def _where(sel: dict) -> tuple[str, list]:
    """SQL condition and its values for the row filters (the period chose the files)."""
    where, values = [], []
    for col in _FILTERS:
        vals = sel.get(col)
        if vals is None or col == "period":
            continue
        where.append(f'"{col}" IN ({", ".join("?" for _ in vals)})')
        values.extend(str(v) for v in vals)
    return " AND ".join(where), values


def _periods_where(files, where: str, values: list) -> set:
    sql = f"SELECT DISTINCT period FROM {_SOURCE} WHERE {where}"
    rows = _connection().execute(sql, [[str(f) for _, f in files], *values]).fetchall()
    return {r[0] for r in rows}


def indicator_reach(processed: str | os.PathLike | None = None,
                    include_plans: bool = False) -> pd.DataFrame:
    """Each indicator with the units and periods that state it: what a menu of indicators needs.

    Counted inside DuckDB, so that an app can offer its choices without
    loading the observations.

    Examples
    --------
    >>> import tempfile
    >>> from analysis.build import build
    >>> with tempfile.TemporaryDirectory() as d:
    ...     out = build(out=Path(d) / "processed", progress=False).out
    ...     reach = indicator_reach(out).set_index("indicator_id")
    >>> reach.loc["food_safety_violations", ["n_units", "n_periods", "n_rows"]].tolist()
    [2, 2, 2]
    """
    files = store.table_files("observations", processed)
    columns = ["indicator_id", "n_units", "n_periods", "n_rows"]
    if not files:
        return pd.DataFrame({c: pd.Series([], dtype="string" if c == "indicator_id" else "int64")
                             for c in columns})
    where = "" if include_plans else "WHERE coalesce(doc_kind, 'results') <> 'plan'"
    sql = ("SELECT indicator_id, count(DISTINCT unit_name) AS n_units, "
           "count(DISTINCT period) AS n_periods, count(*) AS n_rows "
           "FROM read_parquet(?, hive_partitioning = true, hive_types = {'period': 'VARCHAR'}) "
           f"{where} GROUP BY indicator_id ORDER BY indicator_id")
    frame = _connection().execute(sql, [[str(f) for _, f in files]]).df()
    frame["indicator_id"] = frame["indicator_id"].astype("string")
    for c in columns[1:]:
        frame[c] = frame[c].astype("int64")
    return frame[columns]


def _stored_columns(processed) -> list[str]:
    """The observations' columns in the order :func:`analysis.store.read_table` gives them."""
    import pyarrow.parquet as pq

    path = store.table_path("observations", processed)
    first = path / "_common_metadata"
    if not first.exists():
        first = store.table_files("observations", processed)[0][1]
    names = list(pq.read_schema(first).names)
    if "period" not in names:
        at = schema.OBSERVATIONS.names.index("period")
        before = [c for c in schema.OBSERVATIONS.names[:at] if c in names]
        names.insert(names.index(before[-1]) + 1 if before else 0, "period")
    return names


def query_compare_units(indicator_id: str, period: str | None = None, *,
                        units: list[str] | None = None, processed: str | os.PathLike | None = None,
                        **kwargs) -> pd.DataFrame:
    """:func:`analysis.compare.compare_units` on just the rows it needs.

    With a period, that period's rows of the indicator; without one (the
    latest period of each unit), all the indicator's rows. ``kwargs`` go to
    :func:`~analysis.compare.compare_units` (``annualise``, ``include_plans``,
    ``lang``).
    """
    if period is None:
        periods = _latest_periods(indicator_id, units, kwargs.get("include_plans", False), processed)
        rows = observations_for(indicator_id=indicator_id, period=periods, unit_name=units,
                                processed=processed)
    else:
        rows = observations_for(indicator_id=indicator_id, period=period, unit_name=units,
                                processed=processed)
    return compare.compare_units(rows, indicator_id, period, units=units, **kwargs)


def _latest_periods(indicator_id: str, units, include_plans: bool, processed) -> list[str]:
    """The periods that end on some unit's latest statement of the indicator.

    The rows :func:`~analysis.compare.compare_units` keeps when no period is
    given all lie in these periods, so only their files need reading.
    """
    from analysis.metadata import parse_period

    files = store.table_files("observations", processed)
    if not files:
        return []
    where, values = _where({"indicator_id": [indicator_id], "unit_name": _values(units)})
    where += f" AND kind IN ({', '.join(repr(k) for k in LEVEL_KINDS)})"
    if not include_plans:
        where += " AND coalesce(doc_kind, 'results') <> 'plan'"
    sql = (f"SELECT DISTINCT max(period_end) FROM {_SOURCE} WHERE {where} "
           "GROUP BY unit_name, unit_level")
    ends = {r[0] for r in _connection().execute(sql, [[str(f) for _, f in files], *values]).fetchall()}
    if None in ends:
        return sorted({p for p, _ in files if p is not None})
    ends = {e.date() if hasattr(e, "date") else e for e in ends}
    out = []
    for p in sorted({p for p, _ in files if p is not None}):
        try:
            if parse_period(p)[1] in ends:
                out.append(p)
        except ValueError:
            out.append(p)
    return out


def query_trend(unit_name: str, indicator_id: str, *, processed: str | os.PathLike | None = None,
                **kwargs) -> compare.Trend:
    """:func:`analysis.compare.trend` on one unit's rows of one indicator."""
    rows = observations_for(indicator_id=indicator_id, unit_name=unit_name, processed=processed)
    return compare.trend(rows, unit_name, indicator_id, **kwargs)


def query_scorecard(unit_name: str, period: str, *, processed: str | os.PathLike | None = None,
                    **kwargs) -> pd.DataFrame:
    """:func:`analysis.compare.scorecard` on one unit's rows of one period."""
    rows = observations_for(unit_name=unit_name, period=period, processed=processed)
    return compare.scorecard(rows, unit_name, period, **kwargs)
