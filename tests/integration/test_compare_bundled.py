"""Comparisons on the real reports: units, trends, scorecards, proportions, audit."""
from __future__ import annotations

import math

import pandas as pd
import pytest
from scipy import stats

from analysis.compare import SOURCE_COLUMNS, ComparisonRefused, compare_proportions, compare_units, scorecard, trend
from analysis.reconcile import audit

try:
    from _pipeline import pipeline_tables, raw_text
except ImportError:  # tests/ imported as a package
    from tests._pipeline import pipeline_tables, raw_text


def _obs():
    return pipeline_tables()[2]


def _assert_sources(frame):
    """Every number in a result can show the sentence it came from."""
    assert set(SOURCE_COLUMNS) <= set(frame.columns)
    for r in frame.to_dict("records"):
        text = raw_text(r["doc_id"])
        assert text[int(r["start"]):int(r["end"])] in r["quote"]


# --------------------------------------------------------------------------
# compare units


def test_units_are_ranked_by_the_indicator_direction():
    cmp = compare_units(_obs(), "food_safety_violations")     # lower is better
    _assert_sources(cmp)
    assert list(cmp["unit_name"]) == ["Thạch Bàn", "Cầu Giấy"]
    assert list(cmp["value"]) == [8, 52]
    assert list(cmp["rank"]) == [1, 2]
    assert list(cmp["diff_from_mean"]) == [-44, 44]
    assert list(cmp["assessment"]) == ["none", "none"]       # two units: no mean of one other
    assert any("district" in c and "ward" in c for c in cmp.attrs["caveats"])


def test_an_indicator_with_no_direction_is_ranked_but_not_judged():
    cmp = compare_units(_obs(), "food_safety_inspections")
    assert list(cmp["unit_name"]) == ["Cầu Giấy", "Thạch Bàn"]
    assert set(cmp["assessment"]) == {"none"}


def test_a_period_narrows_the_comparison():
    cmp = compare_units(_obs(), "food_safety_inspections", period="2021-H1")
    assert list(cmp["unit_name"]) == ["Thạch Bàn"] and cmp["diff_from_mean"].isna().all()
    assert len(compare_units(_obs(), "food_safety_inspections", period="2030-FY")) == 0


def test_flows_over_periods_of_different_lengths_are_refused_unless_annualised():
    obs = _obs()
    with pytest.raises(ComparisonRefused, match="annualise=True"):
        compare_units(obs, "blood_donation_units", lang="en")   # 9 months vs 6 months
    cmp = compare_units(obs, "blood_donation_units", annualise=True, lang="en").set_index("unit_name")
    assert cmp.loc["Phúc Đồng", "value_stated"] == 115
    assert cmp.loc["Phúc Đồng", "value"] == pytest.approx(115 * 12 / 9)
    assert cmp.loc["Cầu Giấy", "value"] == pytest.approx(1553 * 2)
    assert cmp["annualised"].all()
    assert "annualised" in cmp.loc["Phúc Đồng", "note"] and "9 months" in cmp.loc["Phúc Đồng", "note"]


def test_a_restated_rate_is_shown_once_with_its_conflict():
    cmp = compare_units(_obs(), "cultural_group_rate")
    row = cmp.set_index("unit_name").loc["Cự Khối"]
    assert row["n_statements"] >= 2 and row["is_conflict"]
    assert round(row["value"], 1) == 92.3                 # the value two statements agree on
    assert "84,6%" in row["note"]


# --------------------------------------------------------------------------
# trend


def test_one_period_gives_a_plain_statement_not_a_slope():
    t = trend(_obs(), "Cự Khối", "cultural_family_rate", lang="en")
    assert t.slope is None and t.n == 1
    assert t.statement.startswith("Only one period so far (Year 2018: 91.4%)")
    assert "at least 3" in t.statement
    _assert_sources(t.frame)


def test_three_or_more_periods_give_the_theil_sen_slope():
    base = _obs()
    row = base[base["raw"] == "1946/2129"].iloc[0]
    years = [2015, 2016, 2017, 2018, 2019]
    values = [88.0, 90.1, 89.0, 91.4, 95.0]
    series = pd.DataFrame([{**row, "period": f"{y}-FY", "value": v,
                            "period_start": pd.Timestamp(f"{y}-01-01"),
                            "period_end": pd.Timestamp(f"{y}-12-31")} for y, v in zip(years, values)])
    t = trend(series, "Cự Khối", "cultural_family_rate")
    expected = stats.theilslopes(values, [y + 0.5 for y in years])
    assert t.slope == pytest.approx(expected.slope, abs=0.01)
    assert t.slope_low <= t.slope <= t.slope_high
    assert "Theil–Sen" in t.statement and "tăng" in t.statement
    short = trend(series.iloc[:2], "Cự Khối", "cultural_family_rate", lang="en")
    assert short.slope is None and "2 periods" in short.statement and "up 2.1" in short.statement


def test_a_flow_trend_over_mixed_period_lengths_is_refused():
    base = _obs()
    row = base[(base["doc_id"] == "phuc-dong-2020-9m") & (base["indicator_id"] == "blood_donation_units")].iloc[0]
    other = {**row, "period": "2021-FY", "period_start": pd.Timestamp("2021-01-01"),
             "period_end": pd.Timestamp("2021-12-31"), "period_months": 12, "value": 160.0}
    series = pd.DataFrame([row.to_dict(), other])
    with pytest.raises(ComparisonRefused):
        trend(series, "Phúc Đồng", "blood_donation_units")
    t = trend(series, "Phúc Đồng", "blood_donation_units", annualise=True)
    assert list(t.frame["value"].round(2)) == [153.33, 160.0]


# --------------------------------------------------------------------------
# scorecard

CU_KHOI_2018 = {
    # target (indicator of the target) -> class, as a researcher reads the report
    "crude_birth_rate": "exceeded",                       # listed under "hoàn thành vượt mức"
    "poverty_reduction_target_achievement": "exceeded",   # giảm hộ nghèo (300%)
    "health_insurance_target_achievement": "exceeded",    # BHYT (117%)
    "land_certificates_target_achievement": "exceeded",   # 28/20 ... đạt 140% kế hoạch
    "cultural_family_rate": "exceeded",                   # 91% - vượt 3%
    "cultural_group_rate": "exceeded",                    # 84,6% - vượt 23%
    "budget_revenue_target_achievement": "exceeded",      # thu ngân sách đạt 120%
    "budget_spending_target_achievement": "met",          # chi ngân sách (100%)
    "third_child_rate": "met",                            # listed under "hoàn thành kế hoạch"
    "national_standard_school_rate": "met",               # (100%), same list
    "child_stunting_rate": "met",                         # 6,1 / chỉ tiêu 6,3 (lower is better)
    "child_underweight_rate": "met",                      # 8,4 / chỉ tiêu 8,6
    "blood_donation_target_achievement": "exceeded",      # hiến máu đạt 171%
}


def test_the_cu_khoi_2018_scorecard_lists_its_targets_with_the_right_classes():
    card = scorecard(_obs(), "Cự Khối", "2018-FY")
    _assert_sources(card)
    got = dict(zip(card["target_id"], card["status"]))
    for target, status in CU_KHOI_2018.items():
        assert got.get(target) == status, (target, got.get(target))
    assert "missed" not in set(card["status"])
    assert card["target_id"].is_unique, "a target stated twice is one line"
    land = card.set_index("target_id").loc["land_certificates_target_achievement"]
    assert (land["raw"], land["target"], land["achievement_pct"]) == ("28/20", 20, 140)
    stunting = card.set_index("target_id").loc["child_stunting_rate"]
    assert (stunting["value"], stunting["target"], stunting["basis"]) == (6.1, 6.3, "target")
    assert card.set_index("target_id").loc["cultural_group_rate", "is_conflict"]


def test_a_half_years_result_toward_the_years_plan_is_progress_not_missed():
    card = scorecard(_obs(), "Cầu Giấy", "2022-H1").set_index("target_id")
    assert card.loc["jobs_target_achievement", "status"] == "progress"          # 57,9% kế hoạch
    assert card.loc["jobs_target_achievement", "raw"] == "3.471/6.000"
    assert card.loc["blood_donation_target_achievement", "status"] == "progress"  # 60,67%


def test_a_unit_without_a_report_for_the_period_gives_an_empty_card():
    card = scorecard(_obs(), "Thạch Bàn", "2019-FY")
    assert len(card) == 0 and {"status", "target", *SOURCE_COLUMNS} <= set(card.columns)


# --------------------------------------------------------------------------
# two proportions


def _fractions():
    obs = _obs()
    return obs[obs["raw"] == "5209/5318"], obs[obs["raw"] == "1946/2129"]


def test_registration_and_achievement_are_not_compared_unless_asked():
    tb, ck = _fractions()
    assert tb["indicator_id"].iloc[0] == "cultural_family_registration_rate"
    assert ck["indicator_id"].iloc[0] == "cultural_family_rate"
    with pytest.raises(ComparisonRefused) as refused:
        compare_proportions(tb, ck, lang="en")
    assert "not the same indicator" in str(refused.value)
    assert "allow_different_indicators=True" in str(refused.value)


def test_when_told_the_difference_is_6_55_points_with_its_interval():
    tb, ck = _fractions()
    r = compare_proportions(tb, ck, allow_different_indicators=True)
    assert round(r.share_a, 2) == 97.95 and round(r.share_b, 2) == 91.40
    assert round(r.difference, 2) == 6.55
    assert 5.0 < r.ci_low < r.difference < r.ci_high < 8.5
    # the interval is about as wide as the normal approximation says
    p1, p2 = 5209 / 5318, 1946 / 2129
    wald = 1.96 * math.sqrt(p1 * (1 - p1) / 5318 + p2 * (1 - p2) / 2129) * 100
    assert (r.ci_high - r.ci_low) == pytest.approx(2 * wald, rel=0.1)
    assert r.p_value < 1e-10 and r.fisher_p < 1e-10
    assert r.fisher_p == pytest.approx(stats.fisher_exact([[5209, 109], [1946, 183]])[1])
    # the caveats travel with the result
    assert any("cultural_family_registration_rate" in c for c in r.caveats)
    assert any("2021-H1" in c and "2018-FY" in c for c in r.caveats)
    assert "6,55" in r.statement
    _assert_sources(r.frame)


def test_the_same_indicator_compares_without_refusal():
    tb, _ = _fractions()
    other = tb.iloc[0].to_dict() | {"numerator": 4800.0, "denominator": 5200.0, "unit_name": "X"}
    r = compare_proportions(tb, other)
    assert r.caveats == [] and r.difference == pytest.approx((5209 / 5318 - 4800 / 5200) * 100)


def test_a_flow_share_over_another_kind_of_period_is_refused_unless_allowed():
    obs = _obs()
    jobs = obs[obs["raw"] == "3.471/6.000"].iloc[0].to_dict()
    earlier = jobs | {"period": "2021-FY", "numerator": 5000.0, "denominator": 6000.0}
    with pytest.raises(ComparisonRefused, match="allow_different_periods"):
        compare_proportions(jobs, earlier, lang="en")
    assert compare_proportions(jobs, earlier, allow_different_periods=True).difference < 0


def test_a_percentage_without_counts_cannot_be_tested():
    obs = _obs()
    with pytest.raises(ValueError, match="no numerator and denominator"):
        compare_proportions(obs[obs["raw"] == "97,95%"], obs[obs["raw"] == "91,4%"])


# --------------------------------------------------------------------------
# audit


def test_the_audit_finds_no_false_alarm_on_the_consistent_pairs():
    reports, facts, _ = pipeline_tables()
    checks = audit(facts, reports, lang="en")
    _assert_sources(checks)
    by_raw = checks[checks["check"].str.startswith("fraction")].set_index("raw")
    assert by_raw.loc["5209/5318", "status"] == "ok" and by_raw.loc["5209/5318", "other_raw"] == "97,95%"
    assert by_raw.loc["3.471/6.000", "status"] == "ok"
    assert by_raw.loc["3.471/6.000", "other_raw"].startswith("57,9")
    assert by_raw.loc["28/20", "status"] == "ok" and by_raw.loc["28/20", "check"] == "fraction_target"
    assert by_raw.loc["28/20", "other_raw"].startswith("140")
    # nothing else fails: the only failure is the Cự Khối restatement
    failed = checks[checks["status"] != "ok"]
    assert list(zip(failed["doc_id"], failed["check"], failed["indicator_id"])) == \
        [("cu-khoi-2018-fy", "restatement", "cultural_group_rate")]
    assert failed["status"].iloc[0] == "conflict"
    assert "84,6" in failed["raw"].iloc[0] and "12/13" in failed["other_raw"].iloc[0]


def test_the_audit_reports_a_fraction_that_does_not_add_up():
    reports, facts, _ = pipeline_tables()
    row = facts[facts["raw"] == "5209/5318"].copy()
    row["numerator"] = 5000.0        # 5000/5318 = 94,02%, not the 97,95% written beside it
    facts = pd.concat([facts[facts["raw"] != "5209/5318"], row], ignore_index=True)
    checks = audit(facts, reports, lang="en")
    bad = checks[checks["status"] == "mismatch"]
    assert list(bad["other_raw"]) == ["97,95%"]
    assert "94.02% → stated 97.95% ✗" in bad["detail"].iloc[0]


# --------------------------------------------------------------------------
# only stated numbers; colour from the unit's own target; the 2025 reform


def _stated_amount(doc_id: str, pattern: str) -> float:
    """An amount as the report states it: '<n> triệu đồng' after ``pattern``."""
    import re

    m = re.search(pattern + r"\s+(\d+(?:[.,]\d+)?)\s+triệu đồng", raw_text(doc_id))
    assert m, f"{pattern!r} not in {doc_id}"
    return float(m.group(1).replace(",", ".")) * 1e6


def test_a_flow_is_compared_as_stated_over_periods_of_the_same_length():
    """Thạch Bàn states its gifts for six months; nothing shows them doubled to a year."""
    stated = _stated_amount("thach-ban-2021-h1", r"tổng trị giá trên")
    cmp = compare_units(_obs(), "gifts_value_vnd", period_length="auto", focus_unit="Thạch Bàn")
    assert list(cmp["unit_name"]) == ["Thạch Bàn"] and list(cmp["value"]) == [stated]
    assert not cmp["annualised"].any()
    assert any("Cự Khối (12" in c for c in cmp.attrs["caveats"])      # left out, and said so
    derived = compare_units(_obs(), "gifts_value_vnd", annualise=True)
    tb = derived[derived["unit_name"] == "Thạch Bàn"].iloc[0]
    assert tb["value_stated"] == stated and tb["value"] == stated * 2 and tb["annualised"]


def test_a_flow_stated_twice_is_represented_by_its_total_and_both_are_kept():
    """Cự Khối gives one gift to one household and the total of the drive: the total wins."""
    total = _stated_amount("cu-khoi-2018-fy", r"với số tiền")
    cmp = compare_units(_obs(), "gifts_value_vnd", period_length="auto", focus_unit="Cự Khối")
    ck = cmp[cmp["unit_name"] == "Cự Khối"].iloc[0]
    assert ck["value"] == total and ck["n_statements"] == 2
    assert ck["other_values"] and ck["raw"] not in ck["other_values"]
    assert "tổng" in ck["note"]


def test_colour_is_the_units_own_target_like_the_scorecard():
    cmp = compare_units(_obs(), "budget_revenue_target_achievement").set_index("unit_name")
    card = scorecard(_obs(), "Cự Khối", "2018-FY")
    line = card["target_id"].eq("budget_revenue_target_achievement") | card["indicator_id"].isin(
        ["budget_revenue_target_achievement", "budget_revenue_vnd"])
    revenue = card[line]["status"].iloc[0]        # the scorecard's line for the revenue plan
    assert cmp.loc["Cự Khối", "colour"] == revenue == "exceeded"
    assert cmp.loc["Cự Khối", "colour_basis"] == "target"


def test_a_series_across_the_2025_reform_is_not_joined():
    rows = pd.DataFrame({"unit_name": "Long Biên", "unit_level": "ward", "parent": None,
                         "indicator_id": "cultural_family_rate", "kind": "rate",
                         "period": ["2024-FY", "2025-H1", "2026-H1", "2026-FY"],
                         "period_start": pd.to_datetime(["2024-01-01", "2025-01-01", "2026-01-01",
                                                         "2026-01-01"]),
                         "period_end": pd.to_datetime(["2024-12-31", "2025-06-30", "2026-06-30",
                                                       "2026-12-31"]),
                         "period_months": [12, 6, 6, 12], "value": [90.0, 91.0, 85.0, 86.0],
                         "unit": "percent", "raw": ["90%", "91%", "85%", "86%"], "quote": "",
                         "doc_id": list("abcd"), "start": 0, "end": 3, "doc_kind": "results",
                         "direction": "up", "aggregation": "stock"})
    result = trend(rows, "Long Biên", "cultural_family_rate", lang="en")
    assert list(result.frame["era"]) == ["before", "before", "after", "after"]
    assert result.slope is None and "1 July 2025" in result.statement


def test_units_of_one_name_are_told_apart_by_level_and_parent():
    obs = _obs()
    ward = obs[obs["unit_name"] == "Cự Khối"].copy()
    other = ward.assign(parent="Gia Lâm", doc_id="other", value=ward["value"] * 0 + 1)
    both = pd.concat([ward, other])
    cmp = compare_units(both, "cultural_family_rate")
    assert sorted(cmp["parent"]) == ["Gia Lâm", "Long Biên"]          # two units, not one
    mine = trend(both, "Cự Khối", "cultural_family_rate", unit_level="ward", parent="Long Biên")
    assert set(mine.frame["doc_id"]) == {"cu-khoi-2018-fy"}


def test_the_audit_says_each_check_in_words():
    reports, facts, _ = pipeline_tables()
    checks = audit(facts, reports, lang="en")
    shown = checks[checks["raw"].isin(["5209/5318", "3.471/6.000", "28/20"])]["detail"].tolist()
    assert shown == ["3.471/6.000 = 57.85% → stated 57.9% ✓", "28/20 = 140% → stated 140% ✓",
                     "5209/5318 = 97.95% → stated 97.95% ✓"]
    vi = audit(facts, reports)
    assert "5209/5318 = 97,95% → báo cáo ghi 97,95% ✓" in vi["detail"].tolist()


def test_two_units_revenue_plans_colour_by_their_own_targets():
    cmp = compare_units(_obs(), "budget_revenue_target_achievement")
    assert dict(zip(cmp["unit_name"], cmp["raw"])) == {"Phúc Đồng": "208%", "Cự Khối": "120%"}
    assert set(cmp["colour"]) == {"exceeded"} and set(cmp["colour_basis"]) == {"target"}
