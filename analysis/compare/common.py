"""What every comparison shares: the rows it may use and one statement per unit and period.

Defined here once, and used by :mod:`analysis.compare`, :mod:`analysis.query`
(as SQL) and the app:

* "Results, not plans": :func:`is_result` (pandas) and :data:`RESULTS_SQL`
  (DuckDB). A plan states targets, not results; a row without a document kind
  counts as a result.
* "Each unit's latest period": :func:`latest_per_unit` (pandas) and
  :func:`latest_per_unit_sql` (DuckDB), a unit being told apart by
  :data:`UNIT_KEYS` (a district and a ward may share a name; two wards of one
  name lie in different districts).
* One statement for a unit's indicator in a period: :func:`represent`.

Examples
--------
>>> rows = pd.DataFrame({"unit_name": ["A", "A", "B"], "unit_level": "ward", "parent": None,
...                      "period": ["2020-FY", "2021-FY", "2020-FY"],
...                      "period_end": pd.to_datetime(["2020-12-31", "2021-12-31", "2020-12-31"]),
...                      "doc_kind": ["results", "plan", None]})
>>> is_result(rows).tolist()
[True, False, True]
>>> latest_per_unit(rows[is_result(rows)])["period"].tolist()
['2020-FY', '2020-FY']
"""
from __future__ import annotations

import math
import operator
import re

import pandas as pd

from analysis.catalog import Indicator, properties
from analysis.i18n import t
from analysis.observations import LEVEL_KINDS, stated_decimals, to_records, values_agree

__all__ = [
    "SOURCE_COLUMNS", "UNIT_KEYS", "RESULTS_SQL", "ComparisonRefused", "period_kind", "indicator_of",
    "is_plan", "is_result", "latest_per_unit", "latest_per_unit_sql", "level_rows", "unit_keys", "is_set",
    "result_frame", "group_records", "represent", "refuse_mixed_lengths", "annualise_records",
]

#: Columns every result frame carries, so that a chart can cite its source.
SOURCE_COLUMNS = ("unit_name", "period", "indicator_id", "value", "unit", "raw",
                  "quote", "doc_id", "start", "end")
#: Columns that tell units apart (where a frame has them).
UNIT_KEYS = ("unit_name", "unit_level", "parent")
#: DuckDB condition keeping results, not plans (a row with no document kind is a result).
RESULTS_SQL = "coalesce(doc_kind, 'results') <> 'plan'"

_KIND_RANK = {"rate": 0, "fraction": 1, "target_achievement": 2, "count": 3,
              "amount": 3, "measure": 3}


class ComparisonRefused(ValueError):
    """A comparison that would set unlike things side by side.

    ``caveats`` lists the reasons, in the language asked for.
    """

    def __init__(self, message: str, caveats: list[str] | None = None):
        super().__init__(message)
        self.caveats = caveats or [message]


def period_kind(period: str | None) -> str | None:
    """Return the kind of a period code: ``FY``, ``H1``, ``9M``, ``Q4``...

    Examples
    --------
    >>> period_kind("2021-H1"), period_kind("2018-FY")
    ('H1', 'FY')
    """
    if period is None or (isinstance(period, float) and math.isnan(period)):
        return None
    m = re.match(r"^\d{4}-(\w+)$", str(period))
    return m.group(1) if m else None


def indicator_of(indicator_id: str, rows: pd.DataFrame | None = None, catalog=None) -> Indicator:
    """Return an indicator's properties from the catalogue, never from the rows.

    ``rows`` only lend their unit to an id the catalogue does not know (see
    :func:`analysis.catalog.properties`).

    Examples
    --------
    >>> indicator_of("food_safety_violations").direction
    'down'
    """
    unit = None
    if rows is not None and len(rows) and "unit" in rows:
        stated = rows["unit"].dropna()
        unit = stated.iloc[0] if len(stated) else None
    return properties(indicator_id, unit, catalog)


def is_plan(doc_kind) -> bool:
    """Return whether a document kind is a plan (targets, not results).

    Examples
    --------
    >>> is_plan("plan"), is_plan("results"), is_plan(None)
    (True, False, False)
    """
    return doc_kind == "plan"


def is_result(frame: pd.DataFrame) -> pd.Series:
    """Return which rows are results, not plans (a row with no document kind is a result).

    Examples
    --------
    >>> is_result(pd.DataFrame({"doc_kind": ["plan", "results", None]})).tolist()
    [False, True, True]
    """
    if "doc_kind" not in frame:
        return pd.Series(True, index=frame.index)
    return (frame["doc_kind"].fillna("results") != "plan").astype(bool)


def unit_keys(rows: pd.DataFrame) -> list[str]:
    """Return the columns of :data:`UNIT_KEYS` a frame has."""
    return [c for c in UNIT_KEYS if c in rows]


def latest_per_unit(rows: pd.DataFrame) -> pd.DataFrame:
    """Keep each unit's rows at its latest period end (see :data:`UNIT_KEYS`)."""
    if not len(rows):
        return rows
    latest = rows.groupby(unit_keys(rows), dropna=False)["period_end"].transform("max")
    return rows[rows["period_end"] == latest]


def latest_per_unit_sql(columns, rows: str) -> str:
    """Return a DuckDB query keeping each unit's rows of ``rows`` at its latest period end.

    Parameters
    ----------
    columns : iterable of str
        The columns of ``rows`` (the unit keys among them are used).
    rows : str
        The name of a relation (a table or a ``WITH`` clause) holding the
        candidate rows.

    Returns
    -------
    str
        A ``SELECT`` of every column of ``rows``, in no particular order. A
        semi-join on each unit's latest end (read on the unit keys alone)
        measured about 40% less CPU than a ``QUALIFY`` window over whole rows.

    Examples
    --------
    >>> import duckdb
    >>> r = pd.DataFrame({"unit_name": ["A", "A", "B"], "period": ["2020-FY", "2021-FY", "2020-FY"],
    ...                   "period_end": pd.to_datetime(["2020-12-31", "2021-12-31", "2020-12-31"])})
    >>> duckdb.sql(f"SELECT unit_name, period FROM ({latest_per_unit_sql(r.columns, 'r')}) "
    ...            "ORDER BY ALL").fetchall()
    [('A', '2021-FY'), ('B', '2020-FY')]
    """
    by = [c for c in UNIT_KEYS if c in set(columns)]
    keys = ", ".join(f'"{c}"' for c in by)
    on = " AND ".join([f'{rows}."{c}" IS NOT DISTINCT FROM latest."{c}"' for c in by]
                      + [f'{rows}."period_end" = latest."period_end"'])
    return (f"SELECT {rows}.* FROM {rows} SEMI JOIN (SELECT {keys}, max(\"period_end\") AS \"period_end\" "
            f"FROM {rows} GROUP BY ALL) AS latest ON {on}")


def level_rows(obs: pd.DataFrame, indicator_id: str, include_plans: bool) -> pd.DataFrame:
    """Return the level statements of one indicator (results only unless ``include_plans``)."""
    rows = obs[(obs["indicator_id"] == indicator_id) & obs["kind"].isin(LEVEL_KINDS)]
    if not include_plans:
        rows = rows[is_result(rows)]
    return rows


def is_set(x) -> bool:
    """Read a flag that may be missing (``pd.NA``) as a plain bool."""
    return x is not None and x is not pd.NA and not (isinstance(x, float) and math.isnan(x)) \
        and bool(x)


def result_frame(rows: list[dict] | pd.DataFrame, extra: tuple) -> pd.DataFrame:
    """Return a result frame: :data:`SOURCE_COLUMNS`, then ``extra``, then any other column."""
    frame = pd.DataFrame(rows) if not isinstance(rows, pd.DataFrame) else rows
    cols = list(SOURCE_COLUMNS) + [c for c in extra if c not in SOURCE_COLUMNS]
    for c in cols:
        if c not in frame.columns:
            frame[c] = pd.Series([None] * len(frame), index=frame.index, dtype="object")
    return frame[cols + [c for c in frame.columns if c not in cols]].reset_index(drop=True)


def group_records(rows: pd.DataFrame, keys: list[str]) -> list[list[dict]]:
    """Return rows as records, grouped by ``keys`` (in sorted key order), each in text order."""
    out: dict[tuple, list[dict]] = {}
    key_of = operator.itemgetter(*keys)
    one = len(keys) == 1
    for r in to_records(rows):
        k = key_of(r)
        out.setdefault((k,) if one else k, []).append(r)
    order = sorted(out, key=lambda k: tuple("" if v is None else str(v) for v in k))
    return [out[k] if len(out[k]) == 1 else sorted(out[k], key=lambda r: (r["doc_id"], r["start"]))
            for k in order]


def represent(recs: list[dict], lang: str, aggregation: str = "stock") -> dict:
    """Pick one statement to stand for a unit's indicator in a period.

    For a flow (a count or an amount) stated more than once, the largest
    value: a total is never smaller than its parts, nor a wider scope than a
    narrower one ("587 triệu đồng" over the "2.100.000 đ" of one gift to one
    household). For a stock, a value two statements agree on, then a
    percentage, then the most precise, then the first in the text. The other
    statements travel in ``other_values`` and a note; nothing is averaged.

    Examples
    --------
    >>> recs = [{"raw": "2.100.000 đ", "value": 2.1e6, "start": 10, "kind": "amount"},
    ...         {"raw": "587 triệu đồng", "value": 5.87e8, "start": 90, "kind": "amount"}]
    >>> best = represent(recs, "en", "flow")
    >>> best["raw"], best["other_values"], best["n_statements"]
    ('587 triệu đồng', '2.100.000 đ', 2)
    """
    if len(recs) == 1:
        best = dict(recs[0])
        best.update(n_statements=1, is_conflict=is_set(best.get("is_conflict")), _notes=[],
                    other_values=None)
        return best
    if aggregation == "flow":
        order = sorted(range(len(recs)), key=lambda i: (-float(recs[i]["value"]), recs[i]["start"]))
        best = dict(recs[order[0]])
        others = [recs[i]["raw"] for i in order[1:]]
        best.update(n_statements=len(recs), is_conflict=False, other_values="; ".join(others),
                    _notes=[t("compare.flow_total", lang, n=len(recs), best=best["raw"],
                              others="; ".join(others))])
        return best
    decs = [None if is_set(r.get("value_derived")) else stated_decimals(r["raw"]) for r in recs]
    corroborated = [any(j != i and values_agree(r["value"], s["value"], decs[i], decs[j])
                        for j, s in enumerate(recs)) for i, r in enumerate(recs)]
    order = sorted(range(len(recs)), key=lambda i: (not corroborated[i],
                                                    _KIND_RANK.get(recs[i]["kind"], 9),
                                                    -(99 if decs[i] is None else decs[i]),
                                                    recs[i]["start"]))
    best = dict(recs[order[0]])
    best["n_statements"] = len(recs)
    conflict = any(is_set(r.get("is_conflict")) for r in recs)
    best["is_conflict"] = conflict
    notes = []
    if conflict:
        others = [r["raw"] for i, r in enumerate(recs)
                  if i != order[0] and not values_agree(r["value"], best["value"], decs[i], decs[order[0]])]
        notes.append(t("compare.conflict", lang, others="; ".join(others)))
    elif len(recs) > 1 and not all(corroborated):
        notes.append(t("compare.several", lang, n=len(recs), values="; ".join(r["raw"] for r in recs)))
    best["_notes"] = notes
    best["other_values"] = "; ".join(r["raw"] for i, r in enumerate(recs) if i != order[0])
    return best


def refuse_mixed_lengths(indicator_id: str, months: list[int], lang: str) -> None:
    """Refuse a flow over periods of different lengths (the caller did not annualise).

    Raises
    ------
    ComparisonRefused
        Always, naming the lengths and the way out.
    """
    lengths = ", ".join(t("compare.months", lang, n=m) for m in months)
    raise ComparisonRefused(t("compare.flow_lengths", lang, ind=indicator_id, lengths=lengths))


def annualise_records(picked: list[dict], lang: str) -> None:
    """Scale flows to a year in place (value × 12 / months), each with a note saying so."""
    for p in picked:
        m = p.get("period_months")
        if pd.notna(m) and int(m) != 12:
            p["value"] = p["value"] * 12.0 / int(m)
            p["_notes"].append(t("compare.annualised", lang, months=int(m)))
