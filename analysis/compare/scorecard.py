"""A unit's targets for a period and their results: :func:`scorecard`.

A target's status (``exceeded``, ``met``, ``missed``) is read from the figures
where they allow (:func:`target_status`) and otherwise from the report's own
words; :func:`analysis.compare.compare_units` colours a unit by the same rule.
"""
from __future__ import annotations

import math
import re

import pandas as pd

from analysis.compare.common import SOURCE_COLUMNS, indicator_of, is_plan, is_set, result_frame
from analysis.i18n import t
from analysis.observations import LEVEL_KINDS, stated_decimals, to_records, values_agree
from analysis.text import fold

__all__ = ["scorecard", "target_status", "plan_months", "PLAN_PERIODS"]


def _status_from_achievement(ach: float, decimals: int | None) -> str:
    if values_agree(ach, 100.0, decimals, None):
        return "met"
    return "exceeded" if ach > 100 else "missed"


def _status_from_target(value: float, target: float, direction: str) -> str:
    if direction == "down":
        return "met" if value <= target else "missed"
    if math.isclose(value, target, rel_tol=1e-9, abs_tol=1e-9):
        return "met"
    return "exceeded" if value > target else "missed"


#: A plan's own period, when the words after "kế hoạch" / "KH" / "chỉ tiêu" name
#: one (folded: lower case, one tone placement): months it covers. A plan that names none is the year's:
#: wards and districts are given their targets for the year.
PLAN_PERIODS = {"6 tháng": 6, "sáu tháng": 6, "9 tháng": 9, "chín tháng": 9, "quý": 3,
                "tháng": 1, "năm": 12}
_PLAN_WORD = re.compile(r"\b(?:kế hoạch|kh|chỉ tiêu)\b")
_PLAN_PERIOD = re.compile(r"^\W*(?:\w+\s+){0,3}?(" + "|".join(
    sorted((re.escape(k) for k in PLAN_PERIODS), key=len, reverse=True)) + r")\b")


def plan_months(r: dict) -> int:
    """Return the months the plan behind a statement covers (12 unless its words say otherwise).

    Read from the sentence after the figure: the first "kế hoạch", "KH" or
    "chỉ tiêu" and up to three words after it ("kế hoạch năm", "chỉ tiêu 6
    tháng", "chỉ tiêu quận giao").

    Examples
    --------
    >>> plan_months({"raw": "60,67%", "sentence": "06 đợt hiến máu (đạt 60,67% kế hoạch)."})
    12
    >>> plan_months({"raw": "95%", "sentence": "Thu ngân sách đạt 95% kế hoạch 6 tháng."})
    6
    """
    text = fold(str(r.get("sentence") or r.get("quote") or ""))
    raw = fold(str(r.get("raw") or ""))
    at = text.find(raw) if raw else -1
    found = _PLAN_WORD.search(text, at + len(raw) if at >= 0 else 0) or _PLAN_WORD.search(text)
    if found:
        named = _PLAN_PERIOD.match(text[found.end():])
        if named:
            return PLAN_PERIODS[named.group(1)]
    return 12


def target_status(r: dict) -> tuple[str | None, str | None]:
    """Return the status of a statement against its target, and what it was read from.

    A result short of a plan for a longer period than the statement's (a
    half-year's figure "đạt 60,67% kế hoạch" of the year) is ``progress``
    toward that plan, not ``missed``: colour against a target only where the
    plan covers the same period (:func:`plan_months`).

    Parameters
    ----------
    r : dict
        An observation with ``achievement_pct``, ``target``, ``value``, ``raw``,
        ``kind``, ``direction`` and, to tell progress from a miss,
        ``period_months`` and ``sentence``.

    Returns
    -------
    tuple
        ``(status, basis)``: ``exceeded``/``met``/``missed``/``progress`` and
        ``achievement`` or ``target``; ``(None, None)`` when the figures state
        no target.

    Examples
    --------
    >>> target_status({"achievement_pct": 140.0, "kind": "fraction", "raw": "28/20"})
    ('exceeded', 'achievement')
    >>> target_status({"value": 6.1, "target": 6.3, "direction": "down", "kind": "rate", "raw": "6,1"})
    ('met', 'target')
    >>> target_status({"achievement_pct": 60.67, "kind": "target_achievement", "raw": "60,67%",
    ...                "period_months": 6, "sentence": "1.553 đơn vị máu (đạt 60,67% kế hoạch)."})
    ('progress', 'achievement')
    """
    if pd.notna(r.get("achievement_pct")):
        dec = stated_decimals(r["raw"]) if r["kind"] == "target_achievement" else None
        if r.get("achievement_source") == "derived":
            dec = None
        status, basis = _status_from_achievement(float(r["achievement_pct"]), dec), "achievement"
    elif pd.notna(r.get("target")):
        status, basis = _status_from_target(float(r["value"]), float(r["target"]),
                                            r.get("direction") or "none"), "target"
    else:
        return None, None
    months = pd.to_numeric(r.get("period_months"), errors="coerce")
    if status == "missed" and pd.notna(months) and months < plan_months(r):
        status = "progress"
    return status, basis


def scorecard(obs: pd.DataFrame, unit_name: str, period: str, *, lang: str = "vi",
              catalog=None) -> pd.DataFrame:
    """Every target a unit's report states for a period, with its result.

    A line per target: ``status`` is ``exceeded``, ``met`` or ``missed``,
    read from the figures where they allow (achievement above, at or below
    100% of the target; a value against a target stated beside it, with the
    indicator's direction: a stunting rate at or below its target has met it)
    and otherwise from the report's own words (``hoàn thành vượt mức kế
    hoạch``, ``vượt kế hoạch``, ``hoàn thành kế hoạch``). A target stated
    several times (in a summary list and again in detail) is one line; a
    count and the achievement stated beside it (``28/20 ... đạt 140% kế
    hoạch``) are one line.

    Parameters
    ----------
    obs : DataFrame
        The observations table.
    unit_name, period : str
        As in the reports table (``"Cự Khối"``, ``"2018-FY"``).
    lang : {'vi', 'en'}
    catalog : DataFrame, str or Path, optional
        The indicator catalogue that gives each indicator's direction (default
        the package's).

    Returns
    -------
    DataFrame
        :data:`SOURCE_COLUMNS` plus ``target_id`` (the target's indicator),
        ``kind``, ``target``, ``achievement_pct``, ``status``, ``basis``
        (``achievement``, ``target`` or ``stated``), ``stated_result``,
        ``direction``, ``n_statements``, ``is_conflict`` and ``note``, in the
        report's order. Empty (same columns) when the unit has no report for
        the period. A plan's targets have no status (``basis`` ``plan``).

    Examples
    --------
    Land certificates, 28 of a plan of 20, and a stunting rate of 6,1% under
    its ceiling of 6,3% (lower is better):

    >>> obs = pd.DataFrame({"unit_name": "Cự Khối", "period": "2018-FY", "doc_id": "d",
    ...     "indicator_id": ["land_certificates_target_achievement", "child_stunting_rate"],
    ...     "fact_id": ["f1", "f2"], "kind": ["fraction", "rate"], "value": [28.0, 6.1],
    ...     "unit": ["count", "percent"], "raw": ["28/20", "6,1"], "quote": "", "start": [10, 50],
    ...     "end": [15, 53], "numerator": [28.0, None], "target": [20.0, 6.3],
    ...     "achievement_pct": [140.0, None], "doc_kind": "results"})
    >>> scorecard(obs, "Cự Khối", "2018-FY")[["target_id", "raw", "target", "status", "basis"]]
                                  target_id    raw  target    status        basis
    0  land_certificates_target_achievement  28/20    20.0  exceeded  achievement
    1                   child_stunting_rate    6,1     6.3       met       target
    """
    extra = ("target_id", "kind", "target", "achievement_pct", "status", "basis",
             "stated_result", "direction", "n_statements", "is_conflict", "note")
    rows = obs[(obs["unit_name"] == unit_name) & (obs["period"] == period)
               & obs["kind"].isin(LEVEL_KINDS)]
    if not len(rows):
        return result_frame([], extra)
    rows = rows.copy()
    directions = {i: indicator_of(i, rows[rows["indicator_id"] == i], catalog).direction
                  for i in set(rows["indicator_id"])}
    rows["direction"] = rows["indicator_id"].map(directions)
    for col in ("stated_result", "achievement_fact_id", "achievement_source", "is_conflict"):
        if col not in rows:
            rows[col] = None
    by_fact = dict(zip(rows["fact_id"], rows["indicator_id"]))
    has_target = (rows["kind"] == "target_achievement") | rows["target"].notna() \
        | rows["achievement_pct"].notna() | rows["stated_result"].notna()
    recs = to_records(rows[has_target].sort_values("start"))
    groups: dict[str, list[dict]] = {}
    for r in recs:
        ach_fact = r.get("achievement_fact_id")
        tid = by_fact.get(ach_fact, r["indicator_id"]) if isinstance(ach_fact, str) else r["indicator_id"]
        r["target_id"] = tid
        if is_plan(r.get("doc_kind")):
            r["status"], r["basis"] = None, "plan"
        else:
            r["status"], r["basis"] = target_status(r)
            if r["status"] is None and isinstance(r.get("stated_result"), str):
                r["status"], r["basis"] = r["stated_result"], "stated"
        groups.setdefault(tid, []).append(r)
    lines = []
    for tid, items in groups.items():
        def informative(r):
            return (0 if pd.notna(r.get("numerator")) and pd.notna(r.get("target")) else
                    1 if pd.notna(r.get("target")) else
                    2 if r["kind"] != "target_achievement" and pd.notna(r.get("achievement_pct")) else
                    3 if r["basis"] in ("achievement", "target") else 4, r["start"])
        best = dict(min(items, key=informative))
        computed = {r["status"] for r in items if r["basis"] in ("achievement", "target")}
        any_status = {r["status"] for r in items if r["status"] is not None}
        notes = []
        if best["basis"] == "plan":
            notes.append(t("compare.plan", lang))
        stated = next((r["stated_result"] for r in items if isinstance(r.get("stated_result"), str)), None)
        phrase = next((r.get("stated_result_phrase") for r in items
                       if isinstance(r.get("stated_result"), str)), None)
        if computed and stated and stated not in computed:
            notes.append(t("compare.stated_mismatch", lang, phrase=phrase or stated,
                              status=" / ".join(sorted(computed))))
        value_conflict = any(is_set(r.get("is_conflict")) for r in items)
        if value_conflict:
            others = sorted({r["raw"] for r in items if r["raw"] != best["raw"]})
            notes.append(t("compare.conflict", lang, others="; ".join(others)))
        best.update(target_id=tid, stated_result=stated, n_statements=len(items),
                    is_conflict=value_conflict or len(computed) > 1 or len(any_status) > 1,
                    note="; ".join(notes) or None)
        lines.append(best)
    if not lines:  # figures but no targets: an empty scorecard, not an error
        return result_frame(pd.DataFrame(columns=list(SOURCE_COLUMNS)), extra)
    frame = pd.DataFrame(lines).sort_values("start", kind="stable")
    return result_frame(frame, extra)


