"""Chart functions on the real build of the bundled reports, checked through ``to_dict()``.

``to_dict()`` validates each spec against the Vega-Lite schema; the tests then
check what the charts encode: order, colours, rules, labels and sources.
"""
from __future__ import annotations

import pandas as pd
import pytest

from analysis.charts import (chart_audit, chart_compare, chart_coverage, chart_records,
                             chart_scorecard, chart_trend)
from analysis.compare import MIN_TREND_POINTS, compare_units, scorecard, trend
from analysis.reconcile import audit
from analysis.theme import STATUS_COLORS, format_number

from _built_data import table


@pytest.fixture(scope="module")
def obs():
    return table("observations")


def _layers(spec: dict) -> list[dict]:
    return spec.get("layer", [spec])


def _encoding(layer: dict, channel: str) -> dict:
    return layer.get("encoding", {}).get(channel, {})


def _tooltip_fields(layer: dict) -> dict[str, str]:
    tip = _encoding(layer, "tooltip")
    tip = tip if isinstance(tip, list) else [tip] if tip else []
    return {t["field"]: t.get("title") for t in tip}


def _data_layers(spec: dict) -> list[dict]:
    """Layers that draw the report's figures (not the mean or target rules)."""
    top = spec.get("data", {}).get("name")
    return [layer for layer in _layers(spec)
            if layer.get("data", {}).get("name", top) == "rows"]


def _color_of(spec: dict, label: str) -> str:
    for layer in _layers(spec):
        scale = _encoding(layer, "color").get("scale", {})
        if label in scale.get("domain", []):
            return scale["range"][scale["domain"].index(label)]
    raise AssertionError(f"{label!r} is not in any colour scale")


def _rules(spec: dict) -> list[float]:
    out = []
    for layer in _layers(spec):
        mark = layer.get("mark", {})
        if (mark.get("type") if isinstance(mark, dict) else mark) == "rule":
            name = layer["data"]["name"]
            out += [row[_encoding(layer, "x")["field"]] for row in spec["datasets"][name]]
    return out


def test_compare_sorts_best_first_colours_by_direction_and_shows_the_target(obs):
    cmp = compare_units(obs, "blood_donation_target_achievement")
    spec = chart_compare(cmp, "vi", highlight="Phúc Đồng").to_dict()
    rows = chart_records(chart_compare(cmp, "vi", highlight="Phúc Đồng"))
    bars = _data_layers(spec)[0]
    order = _encoding(bars, "y")["sort"]
    assert [o.split(" · ")[0] for o in order] == ["Cự Khối", "Phúc Đồng", "Cầu Giấy"]   # 171%, 115%, 60,67%
    by_unit = {r["unit_name"]: r for r in rows}
    # Colour is each unit's result against its own plan, the scorecard's colours: Phúc Đồng's
    # 115% of its plan exceeded it, though it is below the mean of the three.
    assert by_unit["Cự Khối"]["colour"] == "exceeded" and by_unit["Phúc Đồng"]["colour"] == "exceeded"
    assert by_unit["Cầu Giấy"]["colour"] == "missed"
    assert _color_of(spec, "Vượt chỉ tiêu") == STATUS_COLORS["exceeded"]
    assert _color_of(spec, "Không đạt") == STATUS_COLORS["missed"]
    assert by_unit["Phúc Đồng"]["is_selected"] and not by_unit["Cự Khối"]["is_selected"]
    # A result as a share of its plan: the plan (100%) is drawn; no mean of three units.
    assert _rules(spec) == [100.0]
    # Numbers as the report wrote them, and the Vietnamese way.
    assert by_unit["Cầu Giấy"]["raw"] == "60,67%" and by_unit["Cầu Giấy"]["value_label"] == "60,67%"
    assert spec["config"]["locale"]["number"]["decimal"] == ","


def test_compare_follows_a_lower_is_better_indicator(obs):
    cmp = compare_units(obs, "food_safety_violations")       # fined establishments: fewer is better
    rows = {r["unit_name"]: r for r in chart_records(chart_compare(cmp))}
    assert rows["Thạch Bàn"]["value"] < rows["Cầu Giấy"]["value"]
    # two units and no target of their own: ranked, but not coloured better or worse
    assert rows["Thạch Bàn"]["colour"] == rows["Cầu Giấy"]["colour"] == "none"
    order = _encoding(_data_layers(chart_compare(cmp).to_dict())[0], "y")["sort"]
    assert order[0].startswith("Thạch Bàn")


def test_every_mark_of_report_data_shows_the_raw_value_and_the_quote(obs):
    reports, facts = table("reports"), table("facts")
    charts = {
        "compare": chart_compare(compare_units(obs, "blood_donation_target_achievement")),
        "trend": chart_trend(trend(obs, "Cự Khối", "cultural_family_rate")),
        "scorecard": chart_scorecard(scorecard(obs, "Cự Khối", "2018-FY")),
        "coverage": chart_coverage(reports, facts),
        "audit": chart_audit(audit(facts, reports)),
    }
    for name, chart in charts.items():
        spec = chart.to_dict()
        layers = _data_layers(spec)
        assert layers, name
        for layer in layers:
            fields = _tooltip_fields(layer)
            assert fields.get("raw") == "Báo cáo ghi", (name, fields)
            assert "quote" in fields or name == "coverage", (name, fields)
        for row in chart_records(chart):
            assert row["raw"], (name, row)
    # The quote is the report's sentence around the very number shown.
    for row in chart_records(charts["compare"]):
        assert row["raw"] in row["quote"]


def test_english_mode_changes_labels_and_number_format(obs):
    cmp = compare_units(obs, "blood_donation_target_achievement", lang="en")
    spec = chart_compare(cmp, "en").to_dict()
    rows = {r["unit_name"]: r for r in chart_records(chart_compare(cmp, "en"))}
    assert rows["Cầu Giấy"]["value_label"] == "60.67%"
    assert rows["Cầu Giấy"]["period_label"] == "First half of 2022"
    assert _tooltip_fields(_data_layers(spec)[0])["raw"] == "As the report wrote it"
    assert spec["config"]["locale"]["number"]["decimal"] == "."
    assert "Exceeded" in _encoding(_data_layers(spec)[0], "color")["scale"]["domain"]


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
    points = [layer for layer in _data_layers(spec)
              if (layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"]) == "point"][0]
    assert _encoding(points, "x")["sort"] == ["Năm 2017", "Năm 2018", "Năm 2019",
                                              "6 tháng đầu năm 2021"]
    assert any((layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"]) == "line"
               for layer in _layers(spec))
    assert spec["title"]["subtitle"] == result.statement and "Theil–Sen" in result.statement
    assert {r["raw"] for r in chart_records(chart_trend(result))} == {"92%", "90,5%", "93,1%", "91,4%"}


def test_trend_of_one_period_says_there_is_no_trend_yet(obs):
    result = trend(obs, "Cự Khối", "cultural_family_rate")
    spec = chart_trend(result).to_dict()
    # the chart and the trend say the same, with the same number of periods a trend needs
    assert spec["title"]["subtitle"] == result.statement
    assert "một kỳ (Năm 2018: 91,4%)" in result.statement
    assert f"cần ít nhất {MIN_TREND_POINTS} kỳ" in result.statement
    assert not any((layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"]) == "line"
                   for layer in _layers(spec))


def test_scorecard_classes_each_target_and_draws_the_line_to_reach(obs):
    card = scorecard(obs, "Cự Khối", "2018-FY")
    chart = chart_scorecard(card)
    spec, rows = chart.to_dict(), chart_records(chart)
    assert len(rows) == len(card)
    by_raw = {r["raw"]: r for r in rows}
    assert by_raw["28/20"]["progress"] == pytest.approx(140.0)     # 28 certificates of 20 planned
    assert by_raw["28/20"]["status_label"] == "Vượt chỉ tiêu"
    assert by_raw["6,1"]["status_label"] == "Đạt chỉ tiêu"          # stunting 6,1% under its 6,3% target
    assert by_raw["6,1"]["progress"] > 100                          # lower is better: past the line is good
    assert _color_of(spec, "Vượt chỉ tiêu") == STATUS_COLORS["exceeded"]
    assert _color_of(spec, "Đạt chỉ tiêu") == STATUS_COLORS["met"]
    assert 100.0 in _rules(spec)
    # Results the report gives only in words are marked, not given a made-up bar.
    worded = [r for r in rows if r["progress"] is None]
    assert worded and all(not r["has_bar"] for r in worded)
    order = _encoding(_data_layers(spec)[0], "y")["sort"]
    statuses = [next(r["status"] for r in rows if r["row_label"] == lab) for lab in order]
    assert statuses == sorted(statuses, key=["exceeded", "met", "missed"].index)


def test_coverage_has_a_cell_per_report_with_its_number_of_facts():
    reports, facts = table("reports"), table("facts")
    chart = chart_coverage(reports, facts)
    rows = chart_records(chart)
    assert len(rows) == len(reports)
    counts = facts.groupby("doc_id").size()
    assert {r["doc_id"]: r["n_facts"] for r in rows} == counts.to_dict()
    x = _encoding(_data_layers(chart.to_dict())[0], "x")
    assert x["sort"] == ["Năm 2018", "9 tháng đầu năm 2020", "6 tháng đầu năm 2021",
                         "3 tháng cuối năm 2021", "6 tháng đầu năm 2022"]


def test_audit_lists_what_does_not_add_up_first_with_its_quote():
    checks = audit(table("facts"), table("reports"))
    rows = chart_records(chart_audit(checks))
    assert len(rows) == len(checks)
    assert rows[0]["unit_name"] == "Cự Khối" and not rows[0]["is_ok"]       # 84,6% vs 12/13
    assert rows[0]["raw"] == "84,6%" and "84,6%" in rows[0]["quote"]
    assert all(r["is_ok"] for r in rows[1:])
    only = chart_records(chart_audit(checks, only_failures=True))
    assert [r["raw"] for r in only] == ["84,6%"]


@pytest.mark.parametrize("func", [chart_compare, chart_trend, chart_scorecard, chart_coverage,
                                  chart_audit])
def test_an_empty_frame_gives_a_chart_that_says_what_is_missing(func):
    rows = chart_records(func(pd.DataFrame()))
    assert len(rows) == 1 and rows[0]["message"]


def test_compare_colours_by_rank_band_only_with_enough_units():
    """With five units or more and no target of their own, a bar's colour is its third by
    rank; a rate difference is given in percentage points."""
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
