"""Chart functions on small inline frames, checked through ``to_dict()`` (no build).

``to_dict()`` validates each spec against the Vega-Lite schema; the tests then
check what the charts encode: order, colours, labels and sentences.
"""
from __future__ import annotations

import pandas as pd
import pytest

from _chart_spec import data_layers, encoding, layers
from analysis.charts import chart_audit, chart_compare, chart_coverage, chart_records, chart_scorecard, chart_trend
from analysis.compare import MIN_TREND_POINTS, compare_units, trend
from analysis.theme import format_number


def test_trend_labels_periods_as_reports_say_them_in_time_order():
    rows = pd.DataFrame({
        "unit_name": "Cự Khối", "indicator_id": "cultural_family_rate", "kind": "rate",
        "period": ["2019-FY", "2017-FY", "2021-H1", "2018-FY"],
        "period_start": pd.to_datetime(["2019-01-01", "2017-01-01", "2021-01-01", "2018-01-01"]),
        "period_end": pd.to_datetime(["2019-12-31", "2017-12-31", "2021-06-30", "2018-12-31"]),
        "period_months": [12, 12, 6, 12], "value": [92.0, 90.5, 93.1, 91.4], "unit": "percent",
        "raw": ["92%", "90,5%", "93,1%", "91,4%"], "quote": ["đạt 92%", "đạt 90,5%", "đạt 93,1%",
                                                             "đạt tỷ lệ 91,4%"],
        "doc_id": ["d19", "d17", "d21", "d18"], "start": 0, "end": 3, "doc_kind": "results",
        "direction": "up", "aggregation": "stock"})
    result = trend(rows, "Cự Khối", "cultural_family_rate")
    spec = chart_trend(result).to_dict()
    points = [layer for layer in data_layers(spec)
              if (layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"]) == "point"][0]
    assert encoding(points, "x")["sort"] == ["Năm 2017", "Năm 2018", "Năm 2019",
                                              "6 tháng đầu năm 2021"]
    assert any((layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"]) == "line"
               for layer in layers(spec))
    assert spec["title"]["subtitle"] == result.statement and "Theil–Sen" in result.statement
    assert {r["raw"] for r in chart_records(chart_trend(result))} == {"92%", "90,5%", "93,1%", "91,4%"}


def test_a_single_period_is_said_with_the_periods_a_trend_needs():
    rows = pd.DataFrame({"unit_name": "Cự Khối", "indicator_id": "cultural_family_rate", "kind": "rate",
                         "period": ["2018-FY"], "period_start": pd.to_datetime(["2018-01-01"]),
                         "period_end": pd.to_datetime(["2018-12-31"]), "period_months": 12,
                         "value": [91.4], "unit": "percent", "raw": ["91,4%"], "quote": ["đạt 91,4%"],
                         "doc_id": "d18", "start": 0, "end": 5})
    result = trend(rows, "Cự Khối", "cultural_family_rate")
    spec = chart_trend(result).to_dict()
    assert spec["title"]["subtitle"] == result.statement
    assert f"cần ít nhất {MIN_TREND_POINTS} kỳ" in result.statement
    assert not any((layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"]) == "line"
                   for layer in layers(spec))


@pytest.mark.parametrize("func", [chart_compare, chart_trend, chart_scorecard, chart_coverage,
                                  chart_audit])
def test_an_empty_frame_gives_a_chart_that_says_what_is_missing(func):
    rows = chart_records(func(pd.DataFrame()))
    assert len(rows) == 1 and rows[0]["message"]


def test_compare_colours_by_rank_band_only_with_enough_units():
    """With five units or more and no target of their own, a bar's colour is its third by rank.

    A rate difference is given in percentage points.
    """
    frame = pd.DataFrame({"unit_name": [f"Phường {c}" for c in "ABCDEF"], "unit_level": "ward",
                          "period": "2021-H1", "period_end": pd.Timestamp("2021-06-30"),
                          "period_months": 6, "indicator_id": "cultural_family_rate",
                          "kind": "rate", "value": [97.5, 96.0, 94.0, 93.0, 90.0, 85.5],
                          "unit": "percent", "raw": ["97,5%", "96%", "94%", "93%", "90%", "85,5%"],
                          "quote": "", "doc_id": list("abcdef"), "start": 0, "end": 3,
                          "doc_kind": "results", "direction": "up", "aggregation": "stock"})
    cmp = compare_units(frame, "cultural_family_rate")
    rows = {r["unit_name"]: r for r in chart_records(chart_compare(cmp))}
    assert [rows[f"Phường {c}"]["colour"] for c in "ABCDEF"] == [
        "top", "top", "middle", "middle", "bottom", "bottom"]
    mean_of_others = (96.0 + 94.0 + 93.0 + 90.0 + 85.5) / 5
    assert rows["Phường A"]["diff_label"] == (
        "+" + format_number(97.5 - mean_of_others, None) + " điểm %")
    assert compare_units(frame.head(4), "cultural_family_rate")["colour"].eq("none").all()
