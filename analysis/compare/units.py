"""Units side by side on one indicator: :func:`compare_units`.

The rules (``docs/comparisons.md``): one indicator at a time; stocks (rates,
levels) compare across periods of any length, flows (counts, amounts) only
between periods of the same length unless the caller asks to annualise; plans
are left out unless asked for; a unit stating the indicator twice is
represented by one statement (:func:`analysis.compare.common.represent`);
colour comes from the unit's own target where its report states one, else
from its rank band among at least :data:`MIN_PEERS` units.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.compare.common import (
    annualise_records,
    group_records,
    indicator_of,
    is_plan,
    latest_per_unit,
    level_rows,
    refuse_mixed_lengths,
    represent,
    result_frame,
    unit_keys,
)
from analysis.compare.scorecard import target_status
from analysis.i18n import t

__all__ = ["MIN_PEERS", "compare_units"]

#: Fewest units for a comparison with peers to colour a bar (as a band by
#: rank): with fewer, the mean of the others is one or two units' figures.
MIN_PEERS = 5
_BANDS = ("top", "middle", "bottom")
_EXTRA = ("unit_level", "parent", "period_months", "kind", "rank", "peer_mean",
          "diff_from_mean", "assessment", "direction", "aggregation", "target",
          "achievement_pct", "value_stated", "annualised", "n_statements", "other_values",
          "band", "target_status", "colour", "colour_basis", "is_conflict", "note")


def _bands(rank: pd.Series, n: int) -> list:
    """Thirds by rank (1 = best): ``top``, ``middle``, ``bottom``; None under :data:`MIN_PEERS`."""
    if n < MIN_PEERS:
        return [None] * len(rank)
    return [None if pd.isna(r) else _BANDS[min(2, int((int(r) - 1) * 3 // n))] for r in rank]


def _chosen_length(rows: pd.DataFrame, period_length, focus_unit=None) -> int:
    """Return the period length a flow's comparison keeps.

    Given, the focus unit's, or the most common (ties: the longer).
    """
    if period_length != "auto":
        return int(period_length)
    mine = rows.loc[rows["unit_name"] == focus_unit, "period_months"].dropna()
    if focus_unit is not None and len(mine):
        return int(mine.iloc[0])
    per_unit = rows.drop_duplicates(unit_keys(rows) + ["period"])["period_months"].dropna().astype(int)
    counts = per_unit.value_counts()
    return int(max(counts.index, key=lambda m: (counts[m], m)))


def compare_units(obs: pd.DataFrame, indicator_id: str, period: str | None = None, *,
                  units: list[str] | None = None, annualise: bool | str = False,
                  period_length: int | str | None = None, focus_unit: str | None = None,
                  include_plans: bool = False, lang: str = "vi", catalog=None) -> pd.DataFrame:
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
    catalog : DataFrame, str or Path, optional
        The indicator catalogue that gives the indicator's direction and
        aggregation (default the package's, :mod:`analysis.catalog`).

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

    >>> obs = pd.DataFrame({"unit_name": ["Thạch Bàn", "Cầu Giấy"],
    ...     "unit_level": ["ward", "district"], "indicator_id": "food_safety_violations",
    ...     "kind": "count", "unit": "count", "period": ["2021-H1", "2022-H1"], "period_months": 6,
    ...     "period_end": pd.to_datetime(["2021-06-30", "2022-06-30"]), "value": [8.0, 52.0],
    ...     "raw": ["8", "52"], "quote": "", "doc_id": ["tb", "cg"], "start": 0, "end": 1})
    >>> cmp = compare_units(obs, "food_safety_violations")
    >>> cmp[["unit_name", "period", "value", "rank", "diff_from_mean", "assessment"]]
       unit_name   period  value  rank  diff_from_mean assessment
    0  Thạch Bàn  2021-H1    8.0     1           -44.0       none
    1   Cầu Giấy  2022-H1   52.0     2            44.0       none

    Two units are too few to call one better than the other's mean.
    Blood donated over nine months and over six months is not compared as is:

    >>> blood = obs.assign(indicator_id="blood_donation_units", period_months=[9, 6],
    ...                    value=[115.0, 1553.0], raw=["115", "1.553"])
    >>> compare_units(blood, "blood_donation_units", lang="en")
    Traceback (most recent call last):
    ...
    analysis.compare.common.ComparisonRefused: blood_donation_units is a flow ...
    >>> cmp = compare_units(blood, "blood_donation_units", annualise=True, lang="en")
    >>> cmp[["unit_name", "value_stated", "value", "annualised"]].round(1)
       unit_name  value_stated   value  annualised
    0   Cầu Giấy        1553.0  3106.0        True
    1  Thạch Bàn         115.0   153.3        True
    >>> cmp.attrs["caveats"][0]
    'units of different levels compared (district, ward)'
    """
    rows = level_rows(obs, indicator_id, include_plans)
    ind = indicator_of(indicator_id, rows, catalog)
    flow = ind.aggregation == "flow"
    if units is not None:
        rows = rows[rows["unit_name"].isin(units)]
    if period is not None:
        rows = rows[rows["period"] == period]
    else:
        rows = latest_per_unit(rows)
    extra = _EXTRA
    if not len(rows):
        out = result_frame([], extra)
        out.attrs["caveats"] = []
        out.attrs["left_out"] = []
        return out
    # a period's length is the same in all its rows: refuse before any other work
    months = sorted({int(m) for m in rows["period_months"] if pd.notna(m)})
    caveats: list[str] = []
    left_out: list[str] = []
    if flow and len(months) > 1 and period_length is not None and not annualise:
        length = _chosen_length(rows, period_length, focus_unit)
        lengths = pd.to_numeric(rows["period_months"], errors="coerce")
        gone = rows[lengths != length]
        left_out = [f"{u} ({t('compare.months', lang, n=int(m))})" for u, m in
                    dict.fromkeys(zip(gone["unit_name"], gone["period_months"]))]
        rows = rows[lengths == length]
        months = [length]
        caveats.append(t("compare.other_lengths", lang, months=length, units=", ".join(left_out)))
    if annualise == "auto":
        annualise = flow and len(months) > 1
    if flow and len(months) > 1 and not annualise:
        refuse_mixed_lengths(indicator_id, months, lang)
    picked = [represent(g, lang, ind.aggregation)
              for g in group_records(rows, unit_keys(rows) + ["period"])]
    for p in picked:
        p["direction"] = ind.direction
        p["value_stated"] = p["value"]
        p["annualised"] = False
        p["target_status"] = target_status(p)[0] if not is_plan(p.get("doc_kind")) else None
        if p["target_status"] is None and isinstance(p.get("stated_result"), str):
            p["target_status"] = p["stated_result"]
    if flow and annualise:
        annualise_records(picked, lang)
        for p in picked:
            p["annualised"] = True
    levels = sorted({p.get("unit_level") for p in picked if p.get("unit_level")})
    if len(levels) > 1:
        caveats.append(t("compare.levels_differ", lang, levels=", ".join(levels)))
    periods = sorted({p["period"] for p in picked})
    if len(periods) > 1 and not flow:
        caveats.append(t("compare.periods_differ", lang, periods=", ".join(periods), ind=indicator_id))
    frame = pd.DataFrame(picked)
    values = frame["value"].astype(float)
    n = len(frame)
    frame["peer_mean"] = (values.sum() - values) / (n - 1) if n > 1 else np.nan
    frame["diff_from_mean"] = values - frame["peer_mean"]
    ascending = ind.direction == "down"
    frame["rank"] = values.rank(ascending=ascending, method="min").astype("Int64")
    sign = {"up": 1, "down": -1}.get(ind.direction, 0)
    frame["assessment"] = [
        "none" if sign == 0 or pd.isna(d) or d == 0 or n < MIN_PEERS
        else ("better" if d * sign > 0 else "worse")
        for d in frame["diff_from_mean"]]
    frame["band"] = _bands(frame["rank"], n) if sign != 0 else None
    frame["colour"], frame["colour_basis"] = zip(*[
        (ts, "target") if ts in ("exceeded", "met", "missed") else
        ((b, "peers") if isinstance(b, str) else ("none", "none"))
        for ts, b in zip(frame["target_status"], frame["band"])])
    frame["direction"] = ind.direction
    frame["aggregation"] = ind.aggregation
    frame["note"] = ["; ".join(p["_notes"]) or None for p in picked]
    frame = frame.drop(columns=["_notes"]).sort_values(["rank", "unit_name"], kind="stable")
    out = result_frame(frame, extra)
    out.attrs["caveats"] = caveats
    out.attrs["left_out"] = left_out
    return out


