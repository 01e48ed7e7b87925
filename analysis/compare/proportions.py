"""Two proportions stated as fractions, and their difference: :func:`compare_proportions`."""
from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from analysis.compare.common import ComparisonRefused, indicator_of, period_kind, result_frame
from analysis.i18n import t
from analysis.theme import format_number

__all__ = ["ProportionComparison", "compare_proportions"]


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
                        lang: str = "vi", catalog=None) -> ProportionComparison:
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
    catalog : DataFrame, str or Path, optional
        The indicator catalogue that gives each indicator's aggregation
        (default the package's).

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
    Households registered for the Cultural Family title in one ward
    (5209 of 5318) against households that earned it in another (1946 of
    2129):

    >>> tb = {"indicator_id": "cultural_family_registration_rate", "period": "2021-H1",
    ...       "unit_name": "Thạch Bàn", "numerator": 5209, "denominator": 5318, "raw": "5209/5318"}
    >>> ck = {"indicator_id": "cultural_family_rate", "period": "2018-FY", "unit_name": "Cự Khối",
    ...       "numerator": 1946, "denominator": 2129, "raw": "1946/2129"}
    >>> compare_proportions(tb, ck, lang="en")
    Traceback (most recent call last):
    ...
    analysis.compare.common.ComparisonRefused: not the same indicator: ...
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
        text = t("compare.different_indicators", lang, a=ia, b=ib)
        caveats.append(text)
        if not allow_different_indicators:
            refusals.append(text + "; " + t("compare.allow", lang, option="allow_different_indicators"))
    ka, kb = period_kind(ra.get("period")), period_kind(rb.get("period"))
    if ka != kb:
        text = t("compare.different_periods", lang, a=f"{ra.get('period')}", b=f"{rb.get('period')}")
        caveats.append(text)
        flows = {indicator_of(ia, pd.DataFrame([ra]), catalog).aggregation,
                 indicator_of(ib, pd.DataFrame([rb]), catalog).aggregation}
        if "flow" in flows and not allow_different_periods:
            refusals.append(text + "; " + t("compare.allow", lang, option="allow_different_periods"))
    la, lb = ra.get("unit_level"), rb.get("unit_level")
    if isinstance(la, str) and isinstance(lb, str) and la != lb:
        caveats.append(t("compare.different_levels", lang, a=la, b=lb))
    if refusals:
        raise ComparisonRefused("; ".join(refusals), caveats)
    from scipy import stats  # lazy: importing scipy costs seconds on a dashboard's cold start

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
    frame = result_frame([{**ra, "share_pct": p1 * 100}, {**rb, "share_pct": p2 * 100}],
                          ("unit_level", "parent", "numerator", "denominator", "share_pct"))
    pct = int(round(confidence * 100))

    def share(x: float) -> str:
        return format_number(x, None, lang, 2)

    fisher = ("< " + format_number(1e-4, None, lang, 4) if fisher_p < 1e-4
              else "= " + format_number(fisher_p, None, lang, 4))
    statement = t("compare.proportions", lang, a=share(p1 * 100), unit_a=ra.get("unit_name"),
                  period_a=ra.get("period"), b=share(p2 * 100), unit_b=rb.get("unit_name"),
                  period_b=rb.get("period"), d=share(d * 100), points=t("compare.points_percent", lang),
                  pct=pct, low=share(low * 100), high=share(high * 100), fisher=fisher)
    statement += (". " + "; ".join(caveats) if caveats else "") + "."
    return ProportionComparison(frame, p1 * 100, p2 * 100, d * 100, low * 100, high * 100,
                                float(z), p_value, float(fisher_p), float(odds_ratio), caveats,
                                statement)


