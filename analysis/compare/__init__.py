"""Comparisons that do not compare apples with oranges.

Every function takes the observations table (``store.read_table("observations")``)
and returns frames whose columns always include :data:`SOURCE_COLUMNS`
(``unit_name``, ``period``, ``indicator_id``, ``value``, ``unit``, ``raw``,
``quote``, ``doc_id``, ``start``, ``end``), so that every number shown can show
its source sentence. An indicator's direction and aggregation come from the
catalogue (:mod:`analysis.catalog`), never from the rows given.

- :mod:`analysis.compare.common`: the rows a comparison uses (results, not
  plans; each unit's latest period) and one statement per unit and period;
- :mod:`analysis.compare.units`: units side by side (:func:`compare_units`);
- :mod:`analysis.compare.trend`: one unit across periods (:func:`trend`);
- :mod:`analysis.compare.scorecard`: a unit's targets (:func:`scorecard`);
- :mod:`analysis.compare.proportions`: two fractions (:func:`compare_proportions`).

The rules are in ``docs/comparisons.md``; the audit of the reports' own
figures is :func:`analysis.reconcile.audit`.
"""
from __future__ import annotations

from analysis.compare.common import SOURCE_COLUMNS, ComparisonRefused, is_result, latest_per_unit, period_kind
from analysis.compare.proportions import ProportionComparison, compare_proportions
from analysis.compare.scorecard import scorecard, target_status
from analysis.compare.trend import MIN_TREND_POINTS, REFORM_DATE, Trend, trend, trend_sentence
from analysis.compare.units import MIN_PEERS, compare_units

__all__ = [
    "SOURCE_COLUMNS", "MIN_PEERS", "MIN_TREND_POINTS", "REFORM_DATE", "ComparisonRefused", "Trend",
    "ProportionComparison", "compare_units", "trend", "trend_sentence", "scorecard", "target_status",
    "compare_proportions", "period_kind", "is_result", "latest_per_unit",
]
