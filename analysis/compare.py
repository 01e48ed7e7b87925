"""Comparisons that do not compare apples with oranges.

Every function takes the observations table (``store.read_table("observations")``
or :func:`analysis.observations.read_corpus`) and returns frames whose columns
always include :data:`SOURCE_COLUMNS` (``unit_name``, ``period``,
``indicator_id``, ``value``, ``unit``, ``raw``, ``quote``, ``doc_id``,
``start``, ``end``), so that every number shown can show its source sentence.

The rules (see ``docs/comparisons.md``):

* One indicator at a time. Registration is not achievement
  (``cultural_family_registration_rate`` is not ``cultural_family_rate``);
  comparing two different indicators is refused unless asked for, and then
  carries a caveat.
* Stocks (rates, levels) compare across periods of any length; flows (counts,
  amounts) only between periods of the same length, unless the caller asks to
  annualise (value × 12 / months), and the result says so.
* Plans state targets, not results: their rows are left out unless asked for.
* When a report states an indicator twice, one statement represents it (a
  value two statements agree on, then a percentage, then the first in the
  text); ``n_statements`` and ``is_conflict`` tell the reader, and nothing is
  averaged.
* "Better" and "worse" follow the indicator's direction (``up``, ``down``,
  ``none``): a lower stunting rate is better, and a target for it is met by
  staying at or below it.
"""
from __future__ import annotations

import math
import operator
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis.observations import (LEVEL_KINDS, build_observations, indicator_properties,
                                   stated_decimals, to_records, values_agree)
from analysis.observations import read_corpus  # noqa: F401  (the examples run on it)

__all__ = [
    "SOURCE_COLUMNS", "MIN_PEERS", "REFORM_DATE", "ComparisonRefused", "Trend", "ProportionComparison",
    "compare_units", "trend", "scorecard", "compare_proportions", "audit",
    "period_kind",
]

#: Columns every result frame carries, so that a chart can cite its source.
SOURCE_COLUMNS = ("unit_name", "period", "indicator_id", "value", "unit", "raw",
                  "quote", "doc_id", "start", "end")
_KIND_RANK = {"rate": 0, "fraction": 1, "target_achievement": 2, "count": 3,
              "amount": 3, "measure": 3}
_MESSAGES = {
    "flow_lengths": (
        "{ind} là chỉ tiêu cộng dồn theo kỳ (số lượng, số tiền): không so sánh được giữa các kỳ "
        "dài khác nhau ({lengths}); hãy chọn một kỳ hoặc dùng annualise=True",
        "{ind} is a flow (a count or amount that grows with the period): periods of different "
        "lengths ({lengths}) are not compared; choose one period or pass annualise=True"),
    "annualised": ("quy đổi ra cả năm: giá trị × 12 / {months} tháng",
                   "annualised: value × 12 / {months} months"),
    "periods_differ": ("các kỳ khác nhau ({periods}); {ind} là tỷ lệ/mức nên vẫn so sánh được",
                       "periods differ ({periods}); {ind} is a stock (a rate or level), so they "
                       "still compare"),
    "levels_differ": ("so sánh đơn vị khác cấp ({levels})",
                      "units of different levels compared ({levels})"),
    "conflict": ("báo cáo nêu hai giá trị khác nhau: {others}",
                 "the report states other values: {others}"),
    "several": ("báo cáo nêu {n} giá trị: {values}", "the report states {n} values: {values}"),
    "plan": ("kế hoạch: chỉ tiêu đặt ra, chưa có kết quả", "plan: a target set, no result yet"),
    "reform": ("chuỗi số liệu đi qua ngày 1/7/2025 (sắp xếp đơn vị hành chính): trước và sau "
               "là hai địa bàn khác nhau, không nối liền và không tính xu hướng chung",
               "the series crosses 1 July 2025 (the reform of administrative units): before and "
               "after are different territories, not joined and given no common trend"),
    "flow_total": ("báo cáo nêu {n} giá trị ({best}; {others}); hiển thị giá trị lớn nhất, "
                   "là tổng hoặc phạm vi rộng hơn",
                   "the report states {n} values ({best}; {others}); the largest is shown, "
                   "being the total or the wider scope"),
    "other_lengths": ("chỉ so sánh các kỳ {months} tháng; không hiển thị: {units}",
                      "only {months}-month periods compared; not shown: {units}"),
    "different_indicators": (
        "không cùng chỉ tiêu: {a} và {b}", "not the same indicator: {a} and {b}"),
    "different_periods": (
        "không cùng loại kỳ: {a} và {b}", "not the same kind of period: {a} and {b}"),
    "different_levels": ("đơn vị khác cấp: {a} và {b}", "units of different levels: {a} and {b}"),
    "stated_mismatch": ("báo cáo ghi '{phrase}' nhưng số liệu cho thấy {status}",
                        "the report says '{phrase}' but the figures show {status}"),
}


class ComparisonRefused(ValueError):
    """A comparison that would set unlike things side by side.

    ``caveats`` lists the reasons, in the language asked for.
    """

    def __init__(self, message: str, caveats: list[str] | None = None):
        super().__init__(message)
        self.caveats = caveats or [message]


def _msg(key: str, lang: str, **kw) -> str:
    vi, en = _MESSAGES[key]
    return (en if lang == "en" else vi).format(**kw)


def _format_number(x, lang: str = "vi", decimals: int = 2) -> str:
    """A number the way readers expect: '97,95', '12.877.755.000' ('en': '97.95')."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    text = f"{float(x):,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if lang == "en":
        return text
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def _format_value(x, unit: str | None, lang: str = "vi") -> str:
    suffix = {"percent": "%", "per_mille": "‰", "vnd": " đ", "ha": " ha", "km2": " km²",
              "m2": " m²", "km": " km", "m": " m", "kg": " kg", "ton": " tấn", "m3": " m³"}
    return _format_number(x, lang) + suffix.get(unit or "", "")


def _points(unit: str | None, lang: str) -> str:
    if unit == "percent":
        return "điểm phần trăm" if lang != "en" else "percentage points"
    if unit == "per_mille":
        return "điểm phần nghìn" if lang != "en" else "per-mille points"
    return ""


def period_kind(period: str | None) -> str | None:
    """The kind of a period code: ``FY``, ``H1``, ``9M``, ``Q4``...

    Examples
    --------
    >>> period_kind("2021-H1"), period_kind("2018-FY")
    ('H1', 'FY')
    """
    if period is None or (isinstance(period, float) and math.isnan(period)):
        return None
    m = re.match(r"^\d{4}-(\w+)$", str(period))
    return m.group(1) if m else None


# --------------------------------------------------------------------------
# shared helpers


def _props(obs: pd.DataFrame, indicator_id: str) -> dict:
    rows = obs[obs["indicator_id"] == indicator_id] if "indicator_id" in obs else obs.iloc[0:0]
    direction = aggregation = None
    if len(rows) and "direction" in rows and rows["direction"].notna().any():
        direction = rows["direction"].dropna().iloc[0]
    if len(rows) and "aggregation" in rows and rows["aggregation"].notna().any():
        aggregation = rows["aggregation"].dropna().iloc[0]
    if direction is None or aggregation is None:
        props = indicator_properties()
        if indicator_id in props.index:
            direction = direction or props.loc[indicator_id, "direction"]
            aggregation = aggregation or props.loc[indicator_id, "aggregation"]
    unit = rows["unit"].dropna().iloc[0] if len(rows) and rows["unit"].notna().any() else None
    if aggregation is None:
        aggregation = "stock" if unit in ("percent", "per_mille") else "flow"
    return {"direction": direction or "none", "aggregation": aggregation}


def _result_frame(rows: list[dict] | pd.DataFrame, extra: tuple) -> pd.DataFrame:
    frame = pd.DataFrame(rows) if not isinstance(rows, pd.DataFrame) else rows
    cols = list(SOURCE_COLUMNS) + [c for c in extra if c not in SOURCE_COLUMNS]
    for c in cols:
        if c not in frame.columns:
            frame[c] = pd.Series([None] * len(frame), index=frame.index, dtype="object")
    return frame[cols + [c for c in frame.columns if c not in cols]].reset_index(drop=True)


def _unit_keys(rows: pd.DataFrame) -> list[str]:
    """Columns that tell units apart: a district and a ward may share a name,
    and two wards of one name lie in different districts."""
    return [c for c in ("unit_name", "unit_level", "parent") if c in rows]


#: Fewest units for a comparison with peers to colour a bar (as a band by
#: rank): with fewer, the mean of the others is one or two units' figures.
MIN_PEERS = 5
_BANDS = ("top", "middle", "bottom")


def _bands(rank: pd.Series, n: int) -> list:
    """Thirds by rank (1 = best): ``top``, ``middle``, ``bottom``; None under :data:`MIN_PEERS`."""
    if n < MIN_PEERS:
        return [None] * len(rank)
    return [None if pd.isna(r) else _BANDS[min(2, int((int(r) - 1) * 3 // n))] for r in rank]


def _chosen_length(rows: pd.DataFrame, period_length, focus_unit=None) -> int:
    """The period length a flow's comparison keeps: given, the focus unit's, or
    the most common (ties: the longer)."""
    if period_length != "auto":
        return int(period_length)
    mine = rows.loc[rows["unit_name"] == focus_unit, "period_months"].dropna()
    if focus_unit is not None and len(mine):
        return int(mine.iloc[0])
    per_unit = rows.drop_duplicates(_unit_keys(rows) + ["period"])["period_months"].dropna().astype(int)
    counts = per_unit.value_counts()
    return int(max(counts.index, key=lambda m: (counts[m], m)))


def _level_rows(obs: pd.DataFrame, indicator_id: str, include_plans: bool) -> pd.DataFrame:
    rows = obs[(obs["indicator_id"] == indicator_id) & obs["kind"].isin(LEVEL_KINDS)]
    if not include_plans and "doc_kind" in rows:
        rows = rows[rows["doc_kind"].fillna("results") != "plan"]
    return rows


def _true(x) -> bool:
    """A flag that may be missing (``pd.NA``) read as a plain bool."""
    return x is not None and x is not pd.NA and not (isinstance(x, float) and math.isnan(x)) \
        and bool(x)


def _groups(rows: pd.DataFrame, keys: list[str]) -> list[list[dict]]:
    """Rows as records, grouped by ``keys`` (in sorted key order), each in text order."""
    out: dict[tuple, list[dict]] = {}
    key_of = operator.itemgetter(*keys)
    one = len(keys) == 1
    for r in to_records(rows):
        k = key_of(r)
        out.setdefault((k,) if one else k, []).append(r)
    order = sorted(out, key=lambda k: tuple("" if v is None else str(v) for v in k))
    return [out[k] if len(out[k]) == 1 else sorted(out[k], key=lambda r: (r["doc_id"], r["start"]))
            for k in order]


def _represent(recs: list[dict], lang: str, aggregation: str = "stock") -> dict:
    """One statement to stand for a unit's indicator in a period.

    For a flow (a count or an amount) stated more than once, the largest
    value: a total is never smaller than its parts, nor a wider scope than a
    narrower one ("587 triệu đồng" over the "2.100.000 đ" of one gift to one
    household). The other statements travel in ``other_values`` and a note.
    """
    if len(recs) == 1:
        best = dict(recs[0])
        best.update(n_statements=1, is_conflict=_true(best.get("is_conflict")), _notes=[],
                    other_values=None)
        return best
    if aggregation == "flow":
        order = sorted(range(len(recs)), key=lambda i: (-float(recs[i]["value"]), recs[i]["start"]))
        best = dict(recs[order[0]])
        others = [recs[i]["raw"] for i in order[1:]]
        best.update(n_statements=len(recs), is_conflict=False, other_values="; ".join(others),
                    _notes=[_msg("flow_total", lang, n=len(recs), best=best["raw"],
                                 others="; ".join(others))])
        return best
    decs = [None if _true(r.get("value_derived")) else stated_decimals(r["raw"]) for r in recs]
    corroborated = [any(j != i and values_agree(r["value"], s["value"], decs[i], decs[j])
                        for j, s in enumerate(recs)) for i, r in enumerate(recs)]
    order = sorted(range(len(recs)), key=lambda i: (not corroborated[i],
                                                    _KIND_RANK.get(recs[i]["kind"], 9),
                                                    -(99 if decs[i] is None else decs[i]),
                                                    recs[i]["start"]))
    best = dict(recs[order[0]])
    best["n_statements"] = len(recs)
    conflict = any(_true(r.get("is_conflict")) for r in recs)
    best["is_conflict"] = conflict
    notes = []
    if conflict:
        others = [r["raw"] for i, r in enumerate(recs)
                  if i != order[0] and not values_agree(r["value"], best["value"], decs[i], decs[order[0]])]
        notes.append(_msg("conflict", lang, others="; ".join(others)))
    elif len(recs) > 1 and not all(corroborated):
        notes.append(_msg("several", lang, n=len(recs), values="; ".join(r["raw"] for r in recs)))
    best["_notes"] = notes
    best["other_values"] = "; ".join(r["raw"] for i, r in enumerate(recs) if i != order[0])
    return best


# --------------------------------------------------------------------------
# compare units


def compare_units(obs: pd.DataFrame, indicator_id: str, period: str | None = None, *,
                  units: list[str] | None = None, annualise: bool | str = False,
                  period_length: int | str | None = None, focus_unit: str | None = None,
                  include_plans: bool = False, lang: str = "vi") -> pd.DataFrame:
    """Set units side by side on one indicator.

    Parameters
    ----------
    obs : DataFrame
        The observations table.
    indicator_id : str
        The indicator to compare.
    period : str, optional
        A period code (``"2021-H1"``); default the latest period of each unit.
    units : list of str, optional
        Unit names to show (default all that state the indicator).
    annualise : bool or ``"auto"``
        Scale flows to a year (value × 12 / months) so that periods of
        different lengths compare. ``"auto"``: only when the periods shown
        differ in length. Annualised values are derived: ``value_stated``
        keeps what the report says.
    period_length : int or ``"auto"``, optional
        For a flow over periods of different lengths (and no
        ``annualise``): compare only the units whose period has this many
        months (``"auto"``: the most common length; a tie goes to the
        longer, and ``focus_unit``'s length wins when it states the
        indicator), and say in a caveat which units were left out. What an
        app wants: only stated numbers, never a refusal.
    focus_unit : str, optional
        The unit the reader is looking at (see ``period_length``).
    include_plans : bool
        Also use figures from plans (targets, not results).
    lang : {'vi', 'en'}
        Language of the notes.

    Returns
    -------
    DataFrame
        One row per unit, best first: :data:`SOURCE_COLUMNS` plus
        ``unit_level``, ``parent``, ``period_months``, ``kind``, ``rank``
        (1 = best, or largest when the indicator has no direction),
        ``peer_mean`` (mean of the other units shown), ``diff_from_mean``
        (value minus ``peer_mean``; percentage points for rates),
        ``assessment`` (``better``/``worse`` against the peers' mean, only
        with at least :data:`MIN_PEERS` units, else ``none``), ``band``
        (``top``/``middle``/``bottom`` third by rank, with at least
        :data:`MIN_PEERS` units and a direction), ``target_status`` (the
        unit's own target: ``exceeded``/``met``/``missed``, as in
        :func:`scorecard`), ``colour`` and ``colour_basis`` (the target
        status where the report states one, else the band, else ``none``),
        ``direction``, ``aggregation``, ``target``, ``achievement_pct``,
        ``value_stated`` (before annualising), ``annualised``,
        ``n_statements``, ``other_values`` (the other statements, as
        written), ``is_conflict`` and ``note``.
        ``frame.attrs["caveats"]`` lists what the reader must know.

    Raises
    ------
    ComparisonRefused
        For a flow over periods of different lengths without ``annualise``.

    Examples
    --------
    Food-safety violations fined (lower is better), two units over six months:

    >>> obs = read_corpus().observations
    >>> cmp = compare_units(obs, "food_safety_violations")
    >>> cmp[["unit_name", "period", "value", "rank", "diff_from_mean", "assessment"]]
       unit_name   period  value  rank  diff_from_mean assessment
    0  Thạch Bàn  2021-H1    8.0     1           -44.0       none
    1   Cầu Giấy  2022-H1   52.0     2            44.0       none

    Two units are too few to call one better than the other's mean: the
    colour comes from each unit's own target where its report states one.

    >>> cmp = compare_units(obs, "budget_revenue_target_achievement")
    >>> cmp[["unit_name", "raw", "target_status", "colour", "colour_basis"]]
       unit_name   raw target_status    colour colour_basis
    0  Phúc Đồng  208%      exceeded  exceeded       target
    1    Cự Khối  120%      exceeded  exceeded       target

    A flow stated twice in one report: the total, not the part, and both said:

    >>> cmp = compare_units(obs, "gifts_value_vnd", period_length="auto", lang="en")
    >>> cmp[["unit_name", "raw", "other_values", "n_statements"]]
      unit_name             raw other_values  n_statements
    0   Cự Khối  587 triệu đồng  2.100.000 đ             2

    Only twelve-month figures sit beside Cự Khối's; for Thạch Bàn's six
    months, its own figure as stated, never doubled:

    >>> cmp = compare_units(obs, "gifts_value_vnd", period_length="auto", focus_unit="Thạch Bàn",
    ...                     lang="en")
    >>> cmp[["unit_name", "raw", "value"]], cmp.attrs["caveats"]
    (   unit_name             raw        value
    0  Thạch Bàn  800 triệu đồng  800000000.0, ['only 6-month periods compared; not shown: Cự Khối (12 months)'])

    Blood donated over nine months and over six months is not compared as is:

    >>> compare_units(obs, "blood_donation_units")
    Traceback (most recent call last):
    ...
    analysis.compare.ComparisonRefused: blood_donation_units là chỉ tiêu cộng dồn theo kỳ ...
    >>> cmp = compare_units(obs, "blood_donation_units", annualise=True, lang="en")
    >>> cmp[["unit_name", "value_stated", "value", "annualised"]].round(1)
       unit_name  value_stated   value  annualised
    0   Cầu Giấy        1553.0  3106.0        True
    1  Phúc Đồng         115.0   153.3        True
    >>> cmp.attrs["caveats"][0]
    'units of different levels compared (district, ward)'

    ``annualise="auto"`` annualises only where the comparison needs it:

    >>> compare_units(obs, "blood_donation_units", annualise="auto", lang="en").equals(cmp)
    True
    >>> bool(compare_units(obs, "food_safety_violations", annualise="auto")["annualised"].any())
    False
    """
    props = _props(obs, indicator_id)
    rows = _level_rows(obs, indicator_id, include_plans)
    if units is not None:
        rows = rows[rows["unit_name"].isin(units)]
    if period is not None:
        rows = rows[rows["period"] == period]
    elif len(rows):
        latest = rows.groupby(_unit_keys(rows), dropna=False)["period_end"].transform("max")
        rows = rows[rows["period_end"] == latest]
    extra = ("unit_level", "parent", "period_months", "kind", "rank", "peer_mean",
             "diff_from_mean", "assessment", "direction", "aggregation", "target",
             "achievement_pct", "value_stated", "annualised", "n_statements", "other_values",
             "band", "target_status", "colour", "colour_basis", "is_conflict", "note")
    if not len(rows):
        out = _result_frame([], extra)
        out.attrs["caveats"] = []
        out.attrs["left_out"] = []
        return out
    # a period's length is the same in all its rows: refuse before any other work
    months = sorted({int(m) for m in rows["period_months"] if pd.notna(m)})
    caveats: list[str] = []
    left_out: list[str] = []
    if props["aggregation"] == "flow" and len(months) > 1 and period_length is not None \
            and not annualise:
        length = _chosen_length(rows, period_length, focus_unit)
        lengths = pd.to_numeric(rows["period_months"], errors="coerce")
        gone = rows[lengths != length]
        left_out = [f"{u} ({int(m)} {'tháng' if lang != 'en' else 'months'})" for u, m in
                    dict.fromkeys(zip(gone["unit_name"], gone["period_months"]))]
        rows = rows[lengths == length]
        months = [length]
        caveats.append(_msg("other_lengths", lang, months=length, units=", ".join(left_out)))
    if annualise == "auto":
        annualise = props["aggregation"] == "flow" and len(months) > 1
    if props["aggregation"] == "flow" and len(months) > 1 and not annualise:
        lengths = ", ".join(f"{m} tháng" if lang != "en" else f"{m} months" for m in months)
        raise ComparisonRefused(_msg("flow_lengths", lang, ind=indicator_id, lengths=lengths))
    picked = [_represent(g, lang, props["aggregation"])
              for g in _groups(rows, _unit_keys(rows) + ["period"])]
    for p in picked:
        p["value_stated"] = p["value"]
        p["annualised"] = False
        p["target_status"] = _computed_status(p)[0] if p.get("doc_kind") != "plan" else None
        if p["target_status"] is None and isinstance(p.get("stated_result"), str):
            p["target_status"] = p["stated_result"]
    if props["aggregation"] == "flow" and annualise:
        for p in picked:
            m = p.get("period_months")
            if pd.notna(m) and int(m) != 12:
                p["value"] = p["value"] * 12.0 / int(m)
                p["_notes"].append(_msg("annualised", lang, months=int(m)))
            p["annualised"] = True
    levels = sorted({p.get("unit_level") for p in picked if p.get("unit_level")})
    if len(levels) > 1:
        caveats.append(_msg("levels_differ", lang, levels=", ".join(levels)))
    periods = sorted({p["period"] for p in picked})
    if len(periods) > 1 and props["aggregation"] == "stock":
        caveats.append(_msg("periods_differ", lang, periods=", ".join(periods), ind=indicator_id))
    frame = pd.DataFrame(picked)
    values = frame["value"].astype(float)
    n = len(frame)
    frame["peer_mean"] = (values.sum() - values) / (n - 1) if n > 1 else np.nan
    frame["diff_from_mean"] = values - frame["peer_mean"]
    ascending = props["direction"] == "down"
    frame["rank"] = values.rank(ascending=ascending, method="min").astype("Int64")
    sign = {"up": 1, "down": -1}.get(props["direction"], 0)
    frame["assessment"] = [
        "none" if sign == 0 or pd.isna(d) or d == 0 or n < MIN_PEERS
        else ("better" if d * sign > 0 else "worse")
        for d in frame["diff_from_mean"]]
    frame["band"] = _bands(frame["rank"], n) if sign != 0 else None
    frame["colour"], frame["colour_basis"] = zip(*[
        (ts, "target") if ts in ("exceeded", "met", "missed") else
        ((b, "peers") if isinstance(b, str) else ("none", "none"))
        for ts, b in zip(frame["target_status"], frame["band"])])
    frame["direction"] = props["direction"]
    frame["aggregation"] = props["aggregation"]
    frame["note"] = ["; ".join(p["_notes"]) or None for p in picked]
    frame = frame.drop(columns=["_notes"]).sort_values(["rank", "unit_name"], kind="stable")
    out = _result_frame(frame, extra)
    out.attrs["caveats"] = caveats
    out.attrs["left_out"] = left_out
    return out


# --------------------------------------------------------------------------
# trend


@dataclass
class Trend:
    """One unit's indicator across periods.

    Attributes
    ----------
    frame : DataFrame
        One row per period (:data:`SOURCE_COLUMNS` plus ``period_start``,
        ``period_end``, ``period_months``, ``year`` — the period's mid-point as
        a decimal year — ``value_stated``, ``n_statements``, ``is_conflict``).
    slope, slope_low, slope_high : float or None
        Theil–Sen slope per year and its 95% interval, with at least
        :attr:`min_points` periods; None otherwise.
    statement : str
        The trend in words, in the language asked for.
    """

    unit_name: str
    indicator_id: str
    frame: pd.DataFrame
    slope: float | None = None
    intercept: float | None = None
    slope_low: float | None = None
    slope_high: float | None = None
    statement: str = ""
    min_points: int = 3
    caveats: list[str] = field(default_factory=list)

    @property
    def n(self) -> int:
        return len(self.frame)


def _decimal_year(start, end) -> float:
    mid = pd.Timestamp(start) + (pd.Timestamp(end) - pd.Timestamp(start)) / 2
    first = pd.Timestamp(year=mid.year, month=1, day=1)
    return mid.year + (mid - first) / (pd.Timestamp(year=mid.year + 1, month=1, day=1) - first)


#: The 2025 reform of Hà Nội's wards and districts took effect on this day: a
#: unit's series before it and after it describe different territories.
REFORM_DATE = pd.Timestamp("2025-07-01")


def trend(obs: pd.DataFrame, unit_name: str, indicator_id: str, *, annualise: bool | str = False,
          include_plans: bool = False, min_points: int = 3, unit_level: str | None = None,
          parent: str | None = None, lang: str = "vi") -> Trend:
    """One unit's indicator across periods, with a robust slope where possible.

    With at least ``min_points`` periods the slope is Theil–Sen
    (:func:`scipy.stats.theilslopes`: the median of pairwise slopes, robust to
    one odd year) per year, with its 95% interval; with fewer, the statement
    says what there is and that no trend is computed.

    Parameters
    ----------
    obs : DataFrame
        The observations table.
    unit_name, indicator_id : str
        The unit (as reports name it) and the indicator.
    annualise : bool or ``"auto"``
        Scale a flow to a year so that periods of different lengths line up;
        ``"auto"``: only when they differ.
    include_plans : bool
        Also use figures from plans.
    min_points : int
        Fewest periods for a slope (default 3).
    unit_level, parent : str, optional
        Tell apart units of one name (a ward and a district; wards of two
        districts).
    lang : {'vi', 'en'}

    Returns
    -------
    Trend
        A series with periods on both sides of :data:`REFORM_DATE` is never
        joined silently: its frame's ``era`` is ``before``/``after``, no
        slope is computed across it, and a caveat says so.

    Raises
    ------
    ComparisonRefused
        For a flow over periods of different lengths without ``annualise``.

    Examples
    --------
    The bundled reports give each unit one period, so there is no trend yet:

    >>> t = trend(read_corpus().observations, "Cự Khối", "cultural_family_rate", lang="en")
    >>> t.slope is None, t.statement
    (True, 'Only one period (2018-FY): 91.4%; at least 3 periods are needed for a trend.')

    With more periods (here a made-up series), the slope is Theil–Sen's:

    >>> rows = pd.DataFrame({"unit_name": "Cự Khối", "indicator_id": "cultural_family_rate",
    ...     "period": ["2016-FY", "2017-FY", "2018-FY", "2019-FY"], "kind": "rate",
    ...     "period_start": pd.to_datetime(["2016-01-01", "2017-01-01", "2018-01-01", "2019-01-01"]),
    ...     "period_end": pd.to_datetime(["2016-12-31", "2017-12-31", "2018-12-31", "2019-12-31"]),
    ...     "period_months": 12, "value": [89.8, 90.5, 91.4, 92.0], "unit": "percent",
    ...     "raw": ["89,8%", "90,5%", "91,4%", "92%"], "quote": "", "doc_id": "x",
    ...     "start": 0, "end": 1, "doc_kind": "results", "direction": "up",
    ...     "aggregation": "stock"})
    >>> t = trend(rows, "Cự Khối", "cultural_family_rate")
    >>> round(t.slope, 2), t.statement
    (0.74, 'Xu hướng tăng 0,74 điểm phần trăm mỗi năm (Theil–Sen, 4 kỳ; khoảng tin cậy 95%: 0,6 đến 0,9).')
    """
    props = _props(obs, indicator_id)
    rows = _level_rows(obs, indicator_id, include_plans)
    rows = rows[rows["unit_name"] == unit_name]
    if unit_level is not None and "unit_level" in rows:
        rows = rows[rows["unit_level"] == unit_level]
    if parent is not None and "parent" in rows:
        rows = rows[rows["parent"] == parent]
    extra = ("period_start", "period_end", "period_months", "year", "kind", "value_stated",
             "n_statements", "other_values", "era", "is_conflict", "note")
    picked = [_represent(g, lang, props["aggregation"]) for g in _groups(rows, ["period"])]
    caveats: list[str] = []
    for p in picked:
        p["value_stated"] = p["value"]
        p["year"] = _decimal_year(p["period_start"], p["period_end"])
        p["era"] = "after" if pd.Timestamp(p["period_start"]) >= REFORM_DATE else "before"
    crosses = len({p["era"] for p in picked}) > 1
    if crosses:
        caveats.append(_msg("reform", lang))
    months = sorted({int(p["period_months"]) for p in picked if pd.notna(p.get("period_months"))})
    if annualise == "auto":
        annualise = props["aggregation"] == "flow" and len(months) > 1
    if props["aggregation"] == "flow" and len(months) > 1 and not annualise:
        lengths = ", ".join(f"{m} tháng" if lang != "en" else f"{m} months" for m in months)
        raise ComparisonRefused(_msg("flow_lengths", lang, ind=indicator_id, lengths=lengths))
    if props["aggregation"] == "flow" and annualise:
        for p in picked:
            m = p.get("period_months")
            if pd.notna(m) and int(m) != 12:
                p["value"] = p["value"] * 12.0 / int(m)
                p["_notes"].append(_msg("annualised", lang, months=int(m)))
        caveats.append(_msg("annualised", lang, months="n"))
    for p in picked:
        p["note"] = "; ".join(p.pop("_notes")) or None
    frame = pd.DataFrame(picked)
    if len(frame):
        frame = frame.sort_values("period_end", kind="stable")
    frame = _result_frame(frame, extra)
    result = Trend(unit_name, indicator_id, frame, min_points=min_points, caveats=caveats)
    unit = frame["unit"].iloc[0] if len(frame) else None
    n = len(frame)
    en = lang == "en"
    if n == 0:
        result.statement = (f"No figures for {indicator_id} in {unit_name}." if en else
                            f"Chưa có số liệu {indicator_id} của {unit_name}.")
    elif n < min_points and not crosses:
        listed = "; ".join(f"{_format_value(v, unit, lang)} ({p})"
                           for p, v in zip(frame["period"], frame["value"]))
        if n == 1:
            listed = f"({frame['period'].iloc[0]}): {_format_value(frame['value'].iloc[0], unit, lang)}"
            result.statement = (f"Only one period {listed}; at least {min_points} periods are needed "
                                "for a trend." if en else
                                f"Chỉ có một kỳ {listed}; cần ít nhất {min_points} kỳ để tính xu hướng.")
        else:
            first, last = frame["value"].iloc[0], frame["value"].iloc[-1]
            change = last - first
            word = ("up" if change > 0 else "down" if change < 0 else "unchanged") if en else \
                ("tăng" if change > 0 else "giảm" if change < 0 else "không đổi")
            amount = _format_number(abs(change), lang) + (" " + _points(unit, lang) if _points(unit, lang)
                                                           else "")
            result.statement = (f"{n} periods: {listed}; {word} {amount}; at least {min_points} periods "
                                "are needed for a trend." if en else
                                f"{n} kỳ: {listed}; {word} {amount}; cần ít nhất {min_points} kỳ để "
                                "tính xu hướng.")
    elif crosses:
        result.statement = caveats[-1][0].upper() + caveats[-1][1:] + "."
    else:
        y = frame["value"].astype(float).to_numpy()
        x = frame["year"].astype(float).to_numpy()
        from scipy import stats  # imported here: it costs seconds on a dashboard's cold start

        res = stats.theilslopes(y, x, alpha=0.95)
        result.slope, result.intercept = float(res.slope), float(res.intercept)
        result.slope_low, result.slope_high = float(res.low_slope), float(res.high_slope)
        pts = _points(unit, lang)
        per = (" " + pts if pts else "")
        word = ("up" if res.slope > 0 else "down" if res.slope < 0 else "flat") if en else \
            ("tăng" if res.slope > 0 else "giảm" if res.slope < 0 else "đi ngang")
        ci = (f"{_format_number(res.low_slope, lang, 1)} {'to' if en else 'đến'} "
              f"{_format_number(res.high_slope, lang, 1)}")
        result.statement = (
            f"Trend {word} {_format_number(abs(res.slope), lang)}{per} a year (Theil–Sen, {n} periods; "
            f"95% interval: {ci})." if en else
            f"Xu hướng {word} {_format_number(abs(res.slope), lang)}{per} mỗi năm (Theil–Sen, {n} kỳ; "
            f"khoảng tin cậy 95%: {ci}).")
    return result


# --------------------------------------------------------------------------
# scorecard


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


def _computed_status(r: dict) -> tuple[str | None, str | None]:
    if pd.notna(r.get("achievement_pct")):
        dec = stated_decimals(r["raw"]) if r["kind"] == "target_achievement" else None
        if r.get("achievement_source") == "derived":
            dec = None
        return _status_from_achievement(float(r["achievement_pct"]), dec), "achievement"
    if pd.notna(r.get("target")):
        return _status_from_target(float(r["value"]), float(r["target"]),
                                   r.get("direction") or "none"), "target"
    return None, None


def scorecard(obs: pd.DataFrame, unit_name: str, period: str, *, lang: str = "vi") -> pd.DataFrame:
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
    >>> card = scorecard(read_corpus().observations, "Cự Khối", "2018-FY")
    >>> card.set_index("target_id").loc[["land_certificates_target_achievement",
    ...     "child_stunting_rate", "cultural_group_rate"], ["raw", "target", "status", "basis"]]
                                            raw  target    status    basis
    target_id
    land_certificates_target_achievement  28/20    20.0  exceeded  achievement
    child_stunting_rate                     6,1     6.3       met       target
    cultural_group_rate                   84,6%     NaN  exceeded       stated
    """
    extra = ("target_id", "kind", "target", "achievement_pct", "status", "basis",
             "stated_result", "direction", "n_statements", "is_conflict", "note")
    rows = obs[(obs["unit_name"] == unit_name) & (obs["period"] == period)
               & obs["kind"].isin(LEVEL_KINDS)]
    if not len(rows):
        return _result_frame([], extra)
    rows = rows.copy()
    if "direction" not in rows or rows["direction"].isna().any():
        props = indicator_properties()
        rows["direction"] = [d if isinstance(d, str) else
                             (props.loc[i, "direction"] if i in props.index else "none")
                             for d, i in zip(rows.get("direction", [None] * len(rows)), rows["indicator_id"])]
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
        if r.get("doc_kind") == "plan":
            r["status"], r["basis"] = None, "plan"
        else:
            r["status"], r["basis"] = _computed_status(r)
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
            notes.append(_msg("plan", lang))
        stated = next((r["stated_result"] for r in items if isinstance(r.get("stated_result"), str)), None)
        phrase = next((r.get("stated_result_phrase") for r in items
                       if isinstance(r.get("stated_result"), str)), None)
        if computed and stated and stated not in computed:
            notes.append(_msg("stated_mismatch", lang, phrase=phrase or stated,
                              status=" / ".join(sorted(computed))))
        value_conflict = any(_true(r.get("is_conflict")) for r in items)
        if value_conflict:
            others = sorted({r["raw"] for r in items if r["raw"] != best["raw"]})
            notes.append(_msg("conflict", lang, others="; ".join(others)))
        best.update(target_id=tid, stated_result=stated, n_statements=len(items),
                    is_conflict=value_conflict or len(computed) > 1 or len(any_status) > 1,
                    note="; ".join(notes) or None)
        lines.append(best)
    if not lines:  # figures but no targets: an empty scorecard, not an error
        return _result_frame(pd.DataFrame(columns=list(SOURCE_COLUMNS)), extra)
    frame = pd.DataFrame(lines).sort_values("start", kind="stable")
    return _result_frame(frame, extra)


# --------------------------------------------------------------------------
# two proportions


@dataclass
class ProportionComparison:
    """The difference of two proportions stated as fractions.

    Shares and the difference are in percent (points for the difference).
    ``z`` and ``p_value`` are the two-proportion z test (pooled), ``fisher_p``
    and ``odds_ratio`` Fisher's exact test, ``ci_low``/``ci_high`` the 95%
    interval of the difference (Newcombe's hybrid score interval, from the
    Wilson intervals of each share). ``caveats`` say what differs between the
    two; ``frame`` holds the two statements with their sources.
    """

    frame: pd.DataFrame
    share_a: float
    share_b: float
    difference: float
    ci_low: float
    ci_high: float
    z: float
    p_value: float
    fisher_p: float
    odds_ratio: float
    caveats: list[str]
    statement: str


def _as_record(x) -> dict:
    if isinstance(x, pd.DataFrame):
        if len(x) != 1:
            raise ValueError(f"compare_proportions: expected one observation, got {len(x)} rows; "
                             "select a single row (e.g. obs[obs.raw == '5209/5318'])")
        return x.iloc[0].to_dict()
    if isinstance(x, pd.Series):
        return x.to_dict()
    return dict(x)


def compare_proportions(a, b, *, allow_different_indicators: bool = False,
                        allow_different_periods: bool = False, confidence: float = 0.95,
                        lang: str = "vi") -> ProportionComparison:
    """Difference of two proportions whose numerators and denominators are known.

    Parameters
    ----------
    a, b : Series, one-row DataFrame or mapping
        Observations with ``numerator`` and ``denominator`` (a fraction such
        as ``5209/5318``), plus ``indicator_id``, ``period`` and the source
        columns.
    allow_different_indicators : bool
        Compare two different indicators all the same (a caveat says so).
        Without it, different indicators are refused.
    allow_different_periods : bool
        Compare a flow's shares over different kinds of period. Shares of a
        stock indicator compare across periods with a caveat.
    confidence : float
        Level of the interval (default 0.95).
    lang : {'vi', 'en'}

    Returns
    -------
    ProportionComparison

    Raises
    ------
    ComparisonRefused
        When the two are not the same indicator (or, for flows, not the same
        kind of period) and the caller did not allow it.
    ValueError
        When a numerator or denominator is missing.

    Examples
    --------
    Thạch Bàn's households registered for the Cultural Family title in 2021
    against Cự Khối's households that earned it in 2018:

    >>> obs = read_corpus().observations
    >>> tb, ck = obs[obs["raw"] == "5209/5318"], obs[obs["raw"] == "1946/2129"]
    >>> compare_proportions(tb, ck, lang="en")
    Traceback (most recent call last):
    ...
    analysis.compare.ComparisonRefused: not the same indicator: cultural_family_registration_rate and cultural_family_rate; ...
    >>> r = compare_proportions(tb, ck, allow_different_indicators=True, lang="en")
    >>> round(r.share_a, 2), round(r.share_b, 2), round(r.difference, 2)
    (97.95, 91.4, 6.55)
    >>> round(r.ci_low, 2), round(r.ci_high, 2), r.fisher_p < 0.001
    (5.35, 7.86, True)
    """
    ra, rb = _as_record(a), _as_record(b)
    for name, r in (("a", ra), ("b", rb)):
        if pd.isna(r.get("numerator")) or pd.isna(r.get("denominator")) or not r.get("denominator"):
            raise ValueError(f"compare_proportions: {name} ({r.get('raw')!r} in {r.get('doc_id')}) "
                             "states no numerator and denominator; pass an observation stated as a "
                             "fraction such as 5209/5318")
    x1, n1 = int(round(float(ra["numerator"]))), int(round(float(ra["denominator"])))
    x2, n2 = int(round(float(rb["numerator"]))), int(round(float(rb["denominator"])))
    if not (0 <= x1 <= n1 and 0 <= x2 <= n2):
        raise ValueError("compare_proportions: a numerator exceeds its denominator "
                         f"({x1}/{n1}, {x2}/{n2}); that is a result against a target, not a "
                         "proportion")
    refusals, caveats = [], []
    ia, ib = ra.get("indicator_id"), rb.get("indicator_id")
    if ia != ib:
        text = _msg("different_indicators", lang, a=ia, b=ib)
        caveats.append(text)
        if not allow_different_indicators:
            refusals.append(text + ("; pass allow_different_indicators=True to compare them anyway"
                                    if lang == "en" else
                                    "; dùng allow_different_indicators=True nếu vẫn muốn so sánh"))
    ka, kb = period_kind(ra.get("period")), period_kind(rb.get("period"))
    if ka != kb:
        text = _msg("different_periods", lang, a=f"{ra.get('period')}", b=f"{rb.get('period')}")
        caveats.append(text)
        flows = {_props(pd.DataFrame([ra]), ia)["aggregation"], _props(pd.DataFrame([rb]), ib)["aggregation"]}
        if "flow" in flows and not allow_different_periods:
            refusals.append(text + ("; pass allow_different_periods=True to compare them anyway"
                                    if lang == "en" else
                                    "; dùng allow_different_periods=True nếu vẫn muốn so sánh"))
    la, lb = ra.get("unit_level"), rb.get("unit_level")
    if isinstance(la, str) and isinstance(lb, str) and la != lb:
        caveats.append(_msg("different_levels", lang, a=la, b=lb))
    if refusals:
        raise ComparisonRefused("; ".join(refusals), caveats)
    from scipy import stats  # imported here: it costs seconds on a dashboard's cold start

    p1, p2 = x1 / n1, x2 / n2
    pooled = (x1 + x2) / (n1 + n2)
    se0 = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    z = (p1 - p2) / se0 if se0 > 0 else 0.0
    p_value = float(2 * stats.norm.sf(abs(z)))
    odds_ratio, fisher_p = stats.fisher_exact([[x1, n1 - x1], [x2, n2 - x2]])
    l1, u1 = stats.binomtest(x1, n1).proportion_ci(confidence, method="wilson")
    l2, u2 = stats.binomtest(x2, n2).proportion_ci(confidence, method="wilson")
    d = p1 - p2
    low = d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    frame = _result_frame([{**ra, "share_pct": p1 * 100}, {**rb, "share_pct": p2 * 100}],
                          ("unit_level", "parent", "numerator", "denominator", "share_pct"))
    en = lang == "en"
    pct = int(round(confidence * 100))
    statement = (
        f"{_format_number(p1 * 100, lang)}% ({ra.get('unit_name')}, {ra.get('period')}) − "
        f"{_format_number(p2 * 100, lang)}% ({rb.get('unit_name')}, {rb.get('period')}) = "
        f"{_format_number(d * 100, lang)} {_points('percent', lang)}; "
        + (f"{pct}% interval {_format_number(low * 100, lang)} to {_format_number(high * 100, lang)}; "
           f"Fisher p = {fisher_p:.2g}" if en else
           f"khoảng tin cậy {pct}%: {_format_number(low * 100, lang)} đến "
           f"{_format_number(high * 100, lang)}; Fisher p = {_format_number(fisher_p, lang, 4) if fisher_p >= 1e-4 else '< 0,0001'}")
        + (". " + "; ".join(caveats) if caveats else "") + ".")
    return ProportionComparison(frame, p1 * 100, p2 * 100, d * 100, low * 100, high * 100,
                                float(z), p_value, float(fisher_p), float(odds_ratio), caveats,
                                statement)


# --------------------------------------------------------------------------
# audit


_AUDIT_EXTRA = ("unit_level", "check", "status", "expected", "stated", "other_raw",
                "other_quote", "other_start", "other_end", "detail")
_PCT_KINDS = ("rate", "target_achievement")
_BESIDE = 60


def _beside_percent(fr: dict, facts: list[dict]) -> dict | None:
    """The percentage stated beside a fraction, in the same clause."""
    best, best_gap = None, None
    for g in facts:
        if g is fr or g["kind"] not in _PCT_KINDS or g["unit"] != "percent":
            continue
        if g.get("sentence_start") != fr.get("sentence_start") or not isinstance(fr.get("sentence"), str):
            continue
        base = int(fr["sentence_start"])
        s = fr["sentence"]
        if int(g["start"]) >= int(fr["end"]):
            gap = s[int(fr["end"]) - base:int(g["start"]) - base]
            if re.search(r"vượt\s*$", gap.lower()):
                continue
        elif int(g["end"]) <= int(fr["start"]):
            gap = s[int(g["end"]) - base:int(fr["start"]) - base]
        else:
            continue
        if len(gap) > _BESIDE or ";" in gap:
            continue
        between = [h for h in facts if h is not fr and h is not g
                   and min(fr["start"], g["start"]) < h["start"] < max(fr["start"], g["start"])]
        if between:
            continue
        if best_gap is None or len(gap) < best_gap:
            best, best_gap = g, len(gap)
    return best


def audit(facts: pd.DataFrame, reports: pd.DataFrame, *, catalog: pd.DataFrame | None = None,
          lang: str = "vi") -> pd.DataFrame:
    """Check that the reports' figures add up, and list what does not.

    Checks, each a row:

    ``fraction_percent``
        a fraction against the percentage stated beside it
        (``5209/5318 ... đạt tỷ lệ 97,95%``): the share must round to it.
    ``fraction_target``
        a result against its target and the achievement stated beside it
        (``28/20 ... đạt 140% kế hoạch``; ``3.471/6.000 người (đạt 57,9% kế
        hoạch)``).
    ``restatement``
        a stock indicator stated more than once in a report: the values must
        agree to the precision written (Cự Khối 2018: 84,6% vs 12/13 = 92,3%
        does not).
    ``stated_result``
        the report's words about a target (``vượt kế hoạch``) against its
        figures.

    A percentage agrees when the computed value rounds to it at the number
    of decimals written (57,85 is written 57,9).

    Parameters
    ----------
    facts, reports : DataFrame
        The facts and reports tables.
    catalog : DataFrame, optional
        The indicator catalogue.
    lang : {'vi', 'en'}

    Returns
    -------
    DataFrame
        :data:`SOURCE_COLUMNS` plus ``unit_level``, ``check``, ``status``
        (``ok``, ``mismatch`` or ``conflict``), ``expected``, ``stated``,
        ``other_raw``, ``other_quote``, ``other_start``, ``other_end`` and
        ``detail``; failures first, then in the reports' order.

    Examples
    --------
    >>> corpus = read_corpus()
    >>> checks = audit(corpus.facts, corpus.reports, lang="en")
    >>> for detail in checks[checks["raw"].isin(["5209/5318", "3.471/6.000", "28/20"])]["detail"]:
    ...     print(detail)
    3.471/6.000 = 57.85% → stated 57.9% ✓
    28/20 = 140% → stated 140% ✓
    5209/5318 = 97.95% → stated 97.95% ✓
    >>> checks[checks["status"] != "ok"][["unit_name", "check", "raw", "other_raw"]]
      unit_name        check    raw     other_raw
    0   Cự Khối  restatement  84,6%  12/13; 92,3%
    """
    obs = build_observations(facts, reports, catalog=catalog)
    rep = {r["doc_id"]: r for r in to_records(reports[["doc_id", "unit_name", "unit_level", "period"]])}
    rows = []

    def base(f: dict) -> dict:
        r = rep.get(f["doc_id"], {})
        return {"unit_name": r.get("unit_name"), "unit_level": r.get("unit_level"),
                "period": r.get("period"), "indicator_id": f.get("indicator_id"),
                "value": f["value"], "unit": f["unit"], "raw": f["raw"], "quote": f["quote"],
                "doc_id": f["doc_id"], "start": int(f["start"]), "end": int(f["end"])}

    by_doc: dict[str, list[dict]] = {}
    for f in to_records(facts.sort_values(["doc_id", "start"], kind="stable")):
        by_doc.setdefault(f["doc_id"], []).append(f)
    for doc_id, doc in by_doc.items():
        for f in doc:
            if f["kind"] != "fraction" or pd.isna(f.get("numerator")) or pd.isna(f.get("denominator")) \
                    or not f["denominator"]:
                continue
            g = _beside_percent(f, doc)
            if g is None:
                continue
            expected = float(f["numerator"]) / float(f["denominator"]) * 100
            ok = values_agree(expected, float(g["value"]), None, stated_decimals(g["raw"]))
            check = "fraction_target" if g["kind"] == "target_achievement" \
                or float(f["numerator"]) > float(f["denominator"]) else "fraction_percent"
            mark = "✓" if ok else "✗"
            rows.append({**base(f), "check": check, "status": "ok" if ok else "mismatch",
                         "expected": expected, "stated": float(g["value"]), "other_raw": g["raw"],
                         "other_quote": g["quote"], "other_start": int(g["start"]),
                         "other_end": int(g["end"]),
                         "detail": f"{f['raw']} = {_format_number(expected, lang)}% → "
                                   f"{'stated' if lang == 'en' else 'báo cáo ghi'} "
                                   f"{_format_number(float(g['value']), lang)}% {mark}"})
    if len(obs):
        level = obs[obs["kind"].isin(LEVEL_KINDS) & (obs["aggregation"] == "stock")]
        for (doc_id, ind), grp in level.groupby(["doc_id", "indicator_id"], sort=True):
            if len(grp) < 2 or grp["sentence"].nunique(dropna=False) < 2:
                continue          # a fraction and its percentage: the fraction check's job
            grp = grp.sort_values("start")
            conflict = bool(grp["is_conflict"].any())
            first = grp[grp["is_conflict"]].iloc[0] if conflict else grp.iloc[0]
            others = grp[grp["fact_id"] != first["fact_id"]]
            other_raw = first["conflict_with"] if conflict else "; ".join(others["raw"])
            shown = "; ".join(f"{r} ({_format_number(v, lang)})" if d else r
                              for r, v, d in zip(grp["raw"], grp["value"], grp["value_derived"]))
            rows.append({"unit_name": first["unit_name"], "unit_level": first["unit_level"],
                         "period": first["period"], "indicator_id": ind, "value": first["value"],
                         "unit": first["unit"], "raw": first["raw"], "quote": first["quote"],
                         "doc_id": doc_id, "start": int(first["start"]), "end": int(first["end"]),
                         "check": "restatement", "status": "conflict" if conflict else "ok",
                         "expected": None, "stated": None, "other_raw": other_raw,
                         "other_quote": others["quote"].iloc[0], "other_start": int(others["start"].iloc[0]),
                         "other_end": int(others["end"].iloc[0]),
                         "detail": f"{ind}: {shown} {'✗' if conflict else '✓'}"})
        for r in to_records(obs[obs["stated_result"].notna()]):
            status, basis = _computed_status(r)
            if status is None:
                continue
            ok = status == r["stated_result"]
            rows.append({"unit_name": r["unit_name"], "unit_level": r["unit_level"],
                         "period": r["period"], "indicator_id": r["indicator_id"],
                         "value": r["value"], "unit": r["unit"], "raw": r["raw"], "quote": r["quote"],
                         "doc_id": r["doc_id"], "start": int(r["start"]), "end": int(r["end"]),
                         "check": "stated_result", "status": "ok" if ok else "mismatch",
                         "expected": None, "stated": None, "other_raw": r["stated_result_phrase"],
                         "other_quote": r["sentence"], "other_start": None, "other_end": None,
                         "detail": f"'{r['stated_result_phrase']}' ~ {r['raw']} → {status} "
                                   f"{'✓' if ok else '✗'}"})
    frame = pd.DataFrame(rows)
    if len(frame):
        frame["_bad"] = frame["status"] == "ok"
        frame = frame.sort_values(["_bad", "doc_id", "start", "check"], kind="stable").drop(columns="_bad")
    return _result_frame(frame, _AUDIT_EXTRA)

