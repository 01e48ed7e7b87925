"""Chart functions on the real build of the bundled reports, checked through ``to_dict()``.

``to_dict()`` validates each spec against the Vega-Lite schema; the tests then
check what the charts encode: order, colours, rules, labels and sources.
"""
from __future__ import annotations

import pytest

from _built_data import table
from _chart_spec import color_of, data_layers, encoding, layers, rules, tooltip_fields
from analysis.charts import chart_audit, chart_compare, chart_coverage, chart_records, chart_scorecard, chart_trend
from analysis.compare import MIN_TREND_POINTS, compare_units, scorecard, trend
from analysis.reconcile import audit
from analysis.theme import STATUS_COLORS


@pytest.fixture(scope="module")
def obs():
    return table("observations")


def test_compare_sorts_best_first_colours_by_direction_and_shows_the_target(obs):
    cmp = compare_units(obs, "blood_donation_target_achievement")
    spec = chart_compare(cmp, "vi", highlight="Phúc Đồng").to_dict()
    rows = chart_records(chart_compare(cmp, "vi", highlight="Phúc Đồng"))
    bars = data_layers(spec)[0]
    order = encoding(bars, "y")["sort"]
    assert [o.split(" · ")[0] for o in order] == ["Cự Khối", "Phúc Đồng", "Cầu Giấy"]   # 171%, 115%, 60,67%
    by_unit = {r["unit_name"]: r for r in rows}
    # Colour is each unit's result against its own plan, the scorecard's colours: Phúc Đồng's
    # 115% of its plan exceeded it, though it is below the mean of the three.
    assert by_unit["Cự Khối"]["colour"] == "exceeded" and by_unit["Phúc Đồng"]["colour"] == "exceeded"
    # Cầu Giấy's six months toward the year's plan are progress, never coloured missed
    assert by_unit["Cầu Giấy"]["colour"] not in ("missed", "exceeded", "met")
    assert color_of(spec, "Vượt chỉ tiêu") == STATUS_COLORS["exceeded"]
    assert by_unit["Phúc Đồng"]["is_selected"] and not by_unit["Cự Khối"]["is_selected"]
    # A result as a share of its plan: the plan (100%) is drawn; no mean of three units.
    assert rules(spec) == [100.0]
    # Numbers as the report wrote them, and the Vietnamese way.
    assert by_unit["Cầu Giấy"]["raw"] == "60,67%" and by_unit["Cầu Giấy"]["value_label"] == "60,67%"
    assert spec["config"]["locale"]["number"]["decimal"] == ","


def test_compare_follows_a_lower_is_better_indicator(obs):
    cmp = compare_units(obs, "food_safety_violations")       # fined establishments: fewer is better
    rows = {r["unit_name"]: r for r in chart_records(chart_compare(cmp))}
    assert rows["Thạch Bàn"]["value"] < rows["Cầu Giấy"]["value"]
    # two units and no target of their own: ranked, but not coloured better or worse
    assert rows["Thạch Bàn"]["colour"] == rows["Cầu Giấy"]["colour"] == "none"
    order = encoding(data_layers(chart_compare(cmp).to_dict())[0], "y")["sort"]
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
        layers = data_layers(spec)
        assert layers, name
        for layer in layers:
            fields = tooltip_fields(layer)
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
    assert tooltip_fields(data_layers(spec)[0])["raw"] == "As the report wrote it"
    assert spec["config"]["locale"]["number"]["decimal"] == "."
    assert "Exceeded" in encoding(data_layers(spec)[0], "color")["scale"]["domain"]




def test_trend_of_one_period_says_there_is_no_trend_yet(obs):
    result = trend(obs, "Cự Khối", "cultural_family_rate")
    spec = chart_trend(result).to_dict()
    # the chart and the trend say the same, with the same number of periods a trend needs
    assert spec["title"]["subtitle"] == result.statement
    assert "một kỳ (Năm 2018: 91,4%)" in result.statement
    assert f"cần ít nhất {MIN_TREND_POINTS} kỳ" in result.statement
    assert not any((layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"]) == "line"
                   for layer in layers(spec))


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
    assert color_of(spec, "Vượt chỉ tiêu") == STATUS_COLORS["exceeded"]
    assert color_of(spec, "Đạt chỉ tiêu") == STATUS_COLORS["met"]
    assert 100.0 in rules(spec)
    # Results the report gives only in words are marked, not given a made-up bar.
    worded = [r for r in rows if r["progress"] is None]
    assert worded and all(not r["has_bar"] for r in worded)
    order = encoding(data_layers(spec)[0], "y")["sort"]
    statuses = [next(r["status"] for r in rows if r["row_label"] == lab) for lab in order]
    assert statuses == sorted(statuses, key=["exceeded", "met", "missed"].index)


def test_coverage_has_a_cell_per_report_with_its_number_of_facts():
    reports, facts = table("reports"), table("facts")
    chart = chart_coverage(reports, facts)
    rows = chart_records(chart)
    assert len(rows) == len(reports)
    counts = facts.groupby("doc_id").size()
    assert {r["doc_id"]: r["n_facts"] for r in rows} == counts.to_dict()
    x = encoding(data_layers(chart.to_dict())[0], "x")
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
