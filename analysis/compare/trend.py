"""One unit's indicator across periods: :func:`trend`.

With at least :data:`MIN_TREND_POINTS` periods the slope is Theil–Sen's (the
median of pairwise slopes, robust to one odd year) with its 95% interval; with
fewer, one sentence (:func:`trend_sentence`, also the trend chart's subtitle)
says what there is and how many periods a trend needs. A series across
:data:`REFORM_DATE` is never joined.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from statistics import NormalDist

import numpy as np
import pandas as pd

from analysis.compare.common import (
    annualise_records,
    group_records,
    indicator_of,
    level_rows,
    refuse_mixed_lengths,
    represent,
    result_frame,
)
from analysis.i18n import period_name, t
from analysis.metadata import REFORM_DATE as _REFORM_DAY
from analysis.theme import format_number

__all__ = ["MIN_TREND_POINTS", "REFORM_DATE", "TheilSen", "Trend", "theil_sen", "trend", "trend_sentence"]

#: Fewest periods for a trend: Theil–Sen's slope and its interval need three.
MIN_TREND_POINTS = 3

#: The 2025 reform of Hà Nội's wards and districts took effect on this day: a
#: unit's series before it and after it describe different territories.
REFORM_DATE = pd.Timestamp(_REFORM_DAY)


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
    min_points: int = MIN_TREND_POINTS
    caveats: list[str] = field(default_factory=list)

    @property
    def n(self) -> int:
        """Return the number of periods in the series."""
        return len(self.frame)


def _decimal_year(start, end) -> float:
    mid = pd.Timestamp(start) + (pd.Timestamp(end) - pd.Timestamp(start)) / 2
    first = pd.Timestamp(year=mid.year, month=1, day=1)
    return mid.year + (mid - first) / (pd.Timestamp(year=mid.year + 1, month=1, day=1) - first)


def trend(obs: pd.DataFrame, unit_name: str, indicator_id: str, *, annualise: bool | str = False,
          include_plans: bool = False, min_points: int = MIN_TREND_POINTS, unit_level: str | None = None,
          parent: str | None = None, lang: str = "vi", catalog=None) -> Trend:
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
        Fewest periods for a slope (default :data:`MIN_TREND_POINTS`).
    unit_level, parent : str, optional
        Tell apart units of one name (a ward and a district; wards of two
        districts).
    lang : {'vi', 'en'}
    catalog : DataFrame, str or Path, optional
        The indicator catalogue that gives the indicator's aggregation (default
        the package's).

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
    One period is no trend:

    >>> one = pd.DataFrame({"unit_name": "Cự Khối", "indicator_id": "cultural_family_rate",
    ...     "period": ["2018-FY"], "kind": "rate", "period_start": pd.to_datetime(["2018-01-01"]),
    ...     "period_end": pd.to_datetime(["2018-12-31"]), "period_months": 12, "value": [91.4],
    ...     "unit": "percent", "raw": ["91,4%"], "quote": "", "doc_id": "x", "start": 0, "end": 1})
    >>> trend(one, "Cự Khối", "cultural_family_rate", lang="en").statement
    'Only one period so far (Year 2018: 91.4%); at least 3 are needed for a trend.'

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
    rows = level_rows(obs, indicator_id, include_plans)
    rows = rows[rows["unit_name"] == unit_name]
    if unit_level is not None and "unit_level" in rows:
        rows = rows[rows["unit_level"] == unit_level]
    if parent is not None and "parent" in rows:
        rows = rows[rows["parent"] == parent]
    flow = indicator_of(indicator_id, rows, catalog).aggregation == "flow"
    extra = ("period_start", "period_end", "period_months", "year", "kind", "value_stated",
             "n_statements", "other_values", "era", "is_conflict", "note")
    picked = [represent(g, lang, "flow" if flow else "stock") for g in group_records(rows, ["period"])]
    caveats: list[str] = []
    for p in picked:
        p["value_stated"] = p["value"]
        p["year"] = _decimal_year(p["period_start"], p["period_end"])
        p["era"] = "after" if pd.Timestamp(p["period_start"]) >= REFORM_DATE else "before"
    crosses = len({p["era"] for p in picked}) > 1
    if crosses:
        caveats.append(t("compare.reform", lang))
    months = sorted({int(p["period_months"]) for p in picked if pd.notna(p.get("period_months"))})
    if annualise == "auto":
        annualise = flow and len(months) > 1
    if flow and len(months) > 1 and not annualise:
        refuse_mixed_lengths(indicator_id, months, lang)
    if flow and annualise:
        annualise_records(picked, lang)
        caveats.append(t("compare.annualised", lang, months="n"))
    for p in picked:
        p["note"] = "; ".join(p.pop("_notes")) or None
    frame = pd.DataFrame(picked)
    if len(frame):
        frame = frame.sort_values("period_end", kind="stable")
    frame = result_frame(frame, extra)
    result = Trend(unit_name, indicator_id, frame, min_points=min_points, caveats=caveats)
    n = len(frame)
    if n == 0:
        result.statement = t("trend.none", lang, ind=indicator_id, unit=unit_name)
    elif crosses:
        result.statement = caveats[-1][0].upper() + caveats[-1][1:] + "."
    elif n < min_points:
        result.statement = trend_sentence(frame, lang, min_points)
    else:
        unit = frame["unit"].iloc[0]
        y = frame["value"].astype(float).to_numpy()
        x = frame["year"].astype(float).to_numpy()
        res = theil_sen(x, y, confidence=0.95)
        result.slope, result.intercept = res.slope, res.intercept
        result.slope_low, result.slope_high = res.low_slope, res.high_slope
        pts = _points(unit, lang)
        result.statement = t(
            "trend.theil_sen", lang, word=_word(res.slope, lang, flat=True),
            slope=format_number(abs(res.slope), None, lang, 2), per=(" " + pts if pts else ""), n=n,
            low=format_number(res.low_slope, None, lang, 1), high=format_number(res.high_slope, None, lang, 1))
    return result


@dataclass(frozen=True)
class TheilSen:
    """A Theil–Sen line: the median slope, its intercept and the slope's confidence bounds."""

    slope: float
    intercept: float
    low_slope: float
    high_slope: float


def theil_sen(x, y, confidence: float = 0.95) -> TheilSen:
    """Fit a Theil–Sen line, with Sen's (1968) confidence interval of the slope.

    The same estimate as :func:`scipy.stats.theilslopes` (``method='separate'``,
    a unit test compares the two), in NumPy: a leader's kernel that draws a
    trend does not load SciPy (about 38 MB a kernel).

    Parameters
    ----------
    x, y : array-like of float
        The points, at least two with different ``x``.
    confidence : float
        Coverage of the slope's interval (default 0.95).

    Returns
    -------
    TheilSen
        The median of the pairwise slopes; the intercept ``median(y) - slope ×
        median(x)``; the interval's bounds (NaN where the series is too short).

    Examples
    --------
    >>> fit = theil_sen([2019, 2020, 2021, 2022], [90.0, 92.0, 93.0, 96.0])
    >>> fit.slope, fit.intercept
    (2.0, -3948.5)
    """
    x = np.asarray(x, dtype=float).ravel()
    y = np.asarray(y, dtype=float).ravel()
    dx = x[:, None] - x
    dy = y[:, None] - y
    slopes = np.sort(dy[dx > 0] / dx[dx > 0])
    slope = float(np.median(slopes))
    intercept = float(np.median(y) - slope * np.median(x))
    alpha = 1.0 - confidence if confidence > 0.5 else confidence
    z = NormalDist().inv_cdf(alpha / 2.0)

    def ties(v):
        return sum(k * (k - 1) * (2 * k + 5) for k in Counter(v.tolist()).values() if k > 1)

    n, nt = len(y), len(slopes)
    sigma = np.sqrt((n * (n - 1) * (2 * n + 5) - ties(x) - ties(y)) / 18.0)
    try:
        upper = min(int(np.round((nt - z * sigma) / 2.0)), nt - 1)
        lower = max(int(np.round((nt + z * sigma) / 2.0)) - 1, 0)
        low, high = float(slopes[lower]), float(slopes[upper])
    except (ValueError, IndexError):
        low = high = float("nan")
    return TheilSen(slope, intercept, low, high)


def _points(unit: str | None, lang: str) -> str:
    """Points of a rate's difference: percentage points, per-mille points, or nothing."""
    if unit == "percent":
        return t("compare.points_percent", lang)
    if unit == "per_mille":
        return t("compare.points_mille", lang)
    return ""


def _word(change: float, lang: str, flat: bool = False) -> str:
    if change > 0:
        return t("trend.word_up", lang)
    if change < 0:
        return t("trend.word_down", lang)
    return t("trend.word_flat" if flat else "trend.word_unchanged", lang)


def trend_sentence(frame: pd.DataFrame, lang: str = "vi", min_points: int = MIN_TREND_POINTS) -> str:
    """Say in one sentence what a series too short for a trend holds.

    Parameters
    ----------
    frame : DataFrame
        One row per period, in time order, with ``period``, ``value`` and ``unit``.
    lang : {'vi', 'en'}
    min_points : int
        Fewest periods for a trend (default :data:`MIN_TREND_POINTS`).

    Returns
    -------
    str
        Empty for an empty frame.

    Examples
    --------
    >>> frame = pd.DataFrame({"period": ["2021-H1"], "value": [97.95], "unit": ["percent"]})
    >>> trend_sentence(frame)
    'Mới có số liệu của một kỳ (6 tháng đầu năm 2021: 97,95%); cần ít nhất 3 kỳ để tính xu hướng.'
    >>> two = pd.DataFrame({"period": ["2020-FY", "2021-FY"], "value": [90.0, 92.1], "unit": "percent"})
    >>> trend_sentence(two)
    '2 kỳ: 90% (Năm 2020); 92,1% (Năm 2021); tăng 2,1 điểm phần trăm; cần ít nhất 3 kỳ để tính xu hướng.'
    """
    if not len(frame):
        return ""
    unit = frame["unit"].iloc[0] if "unit" in frame else None
    values, periods = frame["value"].tolist(), frame["period"].tolist()
    if len(frame) == 1:
        return t("trend.one_point", lang, period=f"{period_name(periods[0], lang)}: "
                 f"{format_number(values[0], unit, lang)}", min=min_points)
    listed = "; ".join(f"{format_number(v, unit, lang)} ({period_name(p, lang)})"
                       for p, v in zip(periods, values))
    change = values[-1] - values[0]
    pts = _points(unit, lang)
    amount = format_number(abs(change), None, lang, 2) + (" " + pts if pts else "")
    return t("trend.few_points", lang, n=len(frame), listed=listed, word=_word(change, lang),
             amount=amount, min=min_points)
