"""Comparisons on small inline frames: the rules of docs/comparisons.md, no build."""
from __future__ import annotations

import itertools
import math

import duckdb
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.compare import (
    MIN_PEERS,
    MIN_TREND_POINTS,
    SOURCE_COLUMNS,
    ComparisonRefused,
    compare_proportions,
    compare_units,
    is_result,
    latest_per_unit,
    scorecard,
    trend,
)
from analysis.compare.common import RESULTS_SQL, latest_per_unit_sql, represent
from analysis.compare.trend import theil_sen
from analysis.reconcile import beside_percent

_ENDS = {"FY": ("01-01", "12-31", 12), "H1": ("01-01", "06-30", 6), "9M": ("01-01", "09-30", 9),
         "Q1": ("01-01", "03-31", 3)}
_IDS = itertools.count()


def row(unit: str, period: str, indicator: str, value: float, raw: str | None = None, *,
        kind: str = "rate", unit_of: str = "percent", level: str = "ward", parent: str = "Long Biên",
        doc_kind: str = "results", start: int = 0, **more) -> dict:
    """One observation as the store gives it, with the columns the comparisons read."""
    year, part = period.split("-")
    first, last, months = _ENDS[part]
    i = next(_IDS)
    doc = more.pop("doc_id", f"{unit}-{period}-{doc_kind}")
    raw = raw if raw is not None else f"{value:g}".replace(".", ",") + ("%" if unit_of == "percent" else "")
    return {"obs_id": f"o{i}", "fact_id": f"f{i}", "unit_name": unit, "unit_level": level, "parent": parent,
            "period": period, "period_start": pd.Timestamp(f"{year}-{first}"),
            "period_end": pd.Timestamp(f"{year}-{last}"), "period_months": months,
            "indicator_id": indicator, "kind": kind, "unit": unit_of, "value": float(value), "raw": raw,
            "quote": f"… {raw} …", "doc_id": doc, "start": start, "end": start + len(raw),
            "doc_kind": doc_kind, "target": None, "achievement_pct": None, "numerator": None,
            "denominator": None, **more}


def frame(*rows: dict) -> pd.DataFrame:
    return pd.DataFrame(list(rows))


# --------------------------------------------------------------------------
# the rows a comparison uses, defined once


def test_results_not_plans_and_each_units_latest_period_agree_in_pandas_and_sql():
    obs = frame(row("An Phú", "2020-FY", "cultural_family_rate", 90),
                row("An Phú", "2021-FY", "cultural_family_rate", 91),
                row("An Phú", "2022-FY", "cultural_family_rate", 95, doc_kind="plan"),
                row("Bình Minh", "2021-H1", "cultural_family_rate", 80),
                # a ward of the same name in another district: another unit, its own latest period
                row("Bình Minh", "2019-FY", "cultural_family_rate", 70, parent="Gia Lâm"))
    kept = latest_per_unit(obs[is_result(obs)])
    assert sorted(zip(kept["unit_name"], kept["parent"], kept["period"])) == [
        ("An Phú", "Long Biên", "2021-FY"), ("Bình Minh", "Gia Lâm", "2019-FY"),
        ("Bình Minh", "Long Biên", "2021-H1")]
    sql = (f"WITH r AS (SELECT * FROM obs WHERE {RESULTS_SQL}) "
           f"SELECT unit_name, parent, period FROM ({latest_per_unit_sql(obs.columns, 'r')}) ORDER BY ALL")
    assert duckdb.sql(sql).fetchall() == sorted(zip(kept["unit_name"], kept["parent"], kept["period"]))


def test_a_row_without_a_document_kind_is_a_result():
    assert is_result(pd.DataFrame({"doc_kind": [None, "plan", "results"]})).tolist() == [True, False, True]
    assert is_result(pd.DataFrame({"value": [1, 2]})).tolist() == [True, True]


# --------------------------------------------------------------------------
# compare units


def test_units_are_ranked_by_the_catalogues_direction_not_the_rows():
    # lower is better for food-safety violations (catalogue), whatever a row says
    obs = frame(row("An Phú", "2021-H1", "food_safety_violations", 8, "8", kind="count", unit_of="count",
                    direction="up"),
                row("Cầu Giấy", "2021-H1", "food_safety_violations", 52, "52", kind="count",
                    unit_of="count", level="district", parent=None, direction="up"))
    cmp = compare_units(obs, "food_safety_violations", lang="en")
    assert set(SOURCE_COLUMNS) <= set(cmp.columns)
    assert list(cmp["unit_name"]) == ["An Phú", "Cầu Giấy"] and list(cmp["rank"]) == [1, 2]
    assert list(cmp["diff_from_mean"]) == [-44, 44]
    assert set(cmp["direction"]) == {"down"}
    assert set(cmp["assessment"]) == {"none"}                 # two units: too few to judge
    assert cmp.attrs["caveats"] == ["units of different levels compared (district, ward)"]


def test_a_catalogue_given_as_input_decides_the_direction():
    from analysis.catalog import load_catalog

    cat = load_catalog()
    cat.loc[cat["indicator_id"] == "food_safety_violations", "direction"] = "up"
    obs = frame(row("An Phú", "2021-H1", "food_safety_violations", 8, "8", kind="count", unit_of="count"),
                row("Bình Minh", "2021-H1", "food_safety_violations", 52, "52", kind="count",
                    unit_of="count"))
    assert list(compare_units(obs, "food_safety_violations")["unit_name"]) == ["An Phú", "Bình Minh"]
    assert list(compare_units(obs, "food_safety_violations", catalog=cat)["unit_name"]) == \
        ["Bình Minh", "An Phú"]


def test_peers_colour_a_bar_only_with_enough_units():
    names = ["An Phú", "Bình Minh", "Cổ Loa", "Dương Xá", "Đông Dư", "Gia Thụy"][:MIN_PEERS]
    obs = frame(*[row(u, "2021-FY", "cultural_family_rate", 80 + i) for i, u in enumerate(names)])
    cmp = compare_units(obs, "cultural_family_rate")
    assert list(cmp["band"]) == ["top", "top", "middle", "middle", "bottom"][:MIN_PEERS]
    assert set(cmp["colour_basis"]) == {"peers"}
    few = compare_units(obs[obs["unit_name"].isin(names[:2])], "cultural_family_rate")
    assert set(few["colour"]) == {"none"} and few["band"].isna().all()


def test_colour_is_the_units_own_target_where_it_states_one():
    obs = frame(row("An Phú", "2018-FY", "budget_revenue_target_achievement", 120, "120%",
                    kind="target_achievement", achievement_pct=120.0),
                row("Bình Minh", "2018-FY", "budget_revenue_target_achievement", 90, "90%",
                    kind="target_achievement", achievement_pct=90.0))
    cmp = compare_units(obs, "budget_revenue_target_achievement").set_index("unit_name")
    assert cmp.loc["An Phú", "colour"] == "exceeded" and cmp.loc["Bình Minh", "colour"] == "missed"
    assert set(cmp["colour_basis"]) == {"target"}
    card = scorecard(obs, "An Phú", "2018-FY")
    assert card["status"].tolist() == [cmp.loc["An Phú", "colour"]]


def test_plans_are_left_out_unless_asked_for():
    obs = frame(row("An Phú", "2021-FY", "cultural_family_rate", 91),
                row("An Phú", "2022-FY", "cultural_family_rate", 95, doc_kind="plan"))
    assert compare_units(obs, "cultural_family_rate")["period"].tolist() == ["2021-FY"]
    assert compare_units(obs, "cultural_family_rate", include_plans=True)["period"].tolist() == ["2022-FY"]


def test_a_flow_over_periods_of_different_lengths_is_refused_or_annualised_and_said_so():
    obs = frame(row("An Phú", "2020-9M", "blood_donation_units", 115, "115", kind="count", unit_of="count"),
                row("Cầu Giấy", "2022-H1", "blood_donation_units", 1553, "1.553", kind="count",
                    unit_of="count", level="district", parent=None))
    with pytest.raises(ComparisonRefused, match="annualise=True"):
        compare_units(obs, "blood_donation_units", lang="en")
    cmp = compare_units(obs, "blood_donation_units", annualise=True, lang="en").set_index("unit_name")
    assert cmp.loc["An Phú", "value_stated"] == 115 and cmp.loc["An Phú", "value"] == pytest.approx(115 * 12 / 9)
    assert cmp.loc["Cầu Giấy", "value"] == pytest.approx(1553 * 2) and cmp["annualised"].all()
    assert "9 months" in cmp.loc["An Phú", "note"]
    auto = compare_units(obs, "blood_donation_units", annualise="auto", lang="en").set_index("unit_name")
    pd.testing.assert_frame_equal(auto, cmp)


def test_a_flow_keeps_its_stated_value_over_periods_of_the_same_length():
    obs = frame(row("An Phú", "2021-H1", "gifts_value_vnd", 8e8, "trên 800 triệu đồng", kind="amount",
                    unit_of="vnd"),
                row("Bình Minh", "2018-FY", "gifts_value_vnd", 5.87e8, "587 triệu đồng", kind="amount",
                    unit_of="vnd"))
    cmp = compare_units(obs, "gifts_value_vnd", period_length="auto", focus_unit="An Phú", lang="en")
    assert cmp["value"].tolist() == [8e8] and not cmp["annualised"].any()
    assert cmp.attrs["caveats"] == ["only 6-month periods compared; not shown: Bình Minh (12 months)"]


def test_a_flow_stated_twice_is_represented_by_the_total():
    obs = frame(row("An Phú", "2018-FY", "gifts_value_vnd", 2.1e6, "2.100.000 đ", kind="amount",
                    unit_of="vnd", start=10),
                row("An Phú", "2018-FY", "gifts_value_vnd", 5.87e8, "587 triệu đồng", kind="amount",
                    unit_of="vnd", start=400))
    line = compare_units(obs, "gifts_value_vnd").iloc[0]
    assert (line["raw"], line["other_values"], line["n_statements"]) == ("587 triệu đồng", "2.100.000 đ", 2)
    assert "tổng" in line["note"]


def test_a_stock_stated_twice_shows_the_value_two_statements_agree_on():
    recs = [row("An Phú", "2018-FY", "cultural_group_rate", 84.6, "84,6%", start=10, is_conflict=True),
            row("An Phú", "2018-FY", "cultural_group_rate", 92.31, "12/13", kind="fraction", start=50,
                value_derived=True, is_conflict=True),
            row("An Phú", "2018-FY", "cultural_group_rate", 92.3, "92,3%", start=60, is_conflict=True)]
    best = represent(recs, "vi", "stock")
    assert best["raw"] == "92,3%" and best["is_conflict"] and "84,6%" in best["_notes"][0]


# --------------------------------------------------------------------------
# trend


def _series(values, years=(2015, 2016, 2017, 2018, 2019), **more):
    return frame(*[row("An Phú", f"{y}-FY", "cultural_family_rate", v, doc_id=f"d{y}", **more)
                   for y, v in zip(years, values)])


def test_fewer_periods_than_a_trend_needs_are_listed_not_sloped():
    one = trend(_series([91.4], years=(2018,)), "An Phú", "cultural_family_rate", lang="en")
    assert one.slope is None and one.n == 1
    assert one.statement == (f"Only one period so far (Year 2018: 91.4%); at least {MIN_TREND_POINTS} "
                             "are needed for a trend.")
    two = trend(_series([90.0, 92.1], years=(2020, 2021)), "An Phú", "cultural_family_rate", lang="en")
    assert two.slope is None and "2 periods" in two.statement and "up 2.1 percentage points" in two.statement


def test_enough_periods_give_the_theil_sen_slope_with_its_interval():
    values = [88.0, 90.1, 89.0, 91.4, 95.0]
    t = trend(_series(values), "An Phú", "cultural_family_rate")
    expected = stats.theilslopes(values, [y + 0.5 for y in (2015, 2016, 2017, 2018, 2019)])
    assert t.slope == pytest.approx(expected.slope, abs=0.01)
    assert t.slope_low <= t.slope <= t.slope_high
    assert t.statement.startswith("Xu hướng tăng") and "Theil–Sen, 5 kỳ" in t.statement


def test_a_series_across_the_2025_reform_is_not_joined():
    obs = _series([90, 91, 85, 86], years=(2023, 2024, 2026, 2027))
    t = trend(obs, "An Phú", "cultural_family_rate", lang="en")
    assert list(t.frame["era"]) == ["before", "before", "after", "after"]
    assert t.slope is None and "1 July 2025" in t.statement


def test_a_flow_trend_over_mixed_period_lengths_is_refused_unless_annualised():
    obs = frame(row("An Phú", "2020-9M", "blood_donation_units", 115, "115", kind="count", unit_of="count"),
                row("An Phú", "2021-FY", "blood_donation_units", 160, "160", kind="count", unit_of="count"))
    with pytest.raises(ComparisonRefused):
        trend(obs, "An Phú", "blood_donation_units")
    t = trend(obs, "An Phú", "blood_donation_units", annualise=True)
    assert list(t.frame["value"].round(2)) == [153.33, 160.0]


def test_units_of_one_name_are_told_apart_by_parent():
    obs = frame(row("Bình Minh", "2021-FY", "cultural_family_rate", 80),
                row("Bình Minh", "2021-FY", "cultural_family_rate", 60, parent="Gia Lâm"))
    assert sorted(compare_units(obs, "cultural_family_rate")["parent"]) == ["Gia Lâm", "Long Biên"]
    t = trend(obs, "Bình Minh", "cultural_family_rate", parent="Gia Lâm")
    assert t.frame["value"].tolist() == [60]


# --------------------------------------------------------------------------
# scorecard


def test_a_scorecard_reads_status_from_figures_then_from_words():
    obs = frame(
        row("An Phú", "2018-FY", "land_certificates_target_achievement", 28, "28/20", kind="fraction",
            unit_of="count", numerator=28.0, target=20.0, achievement_pct=140.0, start=10),
        # lower is better: a stunting rate at or under its ceiling has met it
        row("An Phú", "2018-FY", "child_stunting_rate", 6.1, "6,1", target=6.3, start=50),
        row("An Phú", "2018-FY", "jobs_target_achievement", 57.9, "57,9%", kind="target_achievement",
            achievement_pct=57.9, start=90),
        row("An Phú", "2018-FY", "cultural_group_rate", 84.6, "84,6%", stated_result="exceeded",
            stated_result_phrase="vượt", start=130))
    card = scorecard(obs, "An Phú", "2018-FY").set_index("target_id")
    assert card["status"].to_dict() == {"land_certificates_target_achievement": "exceeded",
                                        "child_stunting_rate": "met", "jobs_target_achievement": "missed",
                                        "cultural_group_rate": "exceeded"}
    assert card["basis"].tolist() == ["achievement", "target", "achievement", "stated"]
    assert len(scorecard(obs, "An Phú", "2019-FY")) == 0


def test_a_plans_targets_have_no_status():
    obs = frame(row("An Phú", "2022-FY", "jobs_target_achievement", 100, "100%", kind="target_achievement",
                    achievement_pct=100.0, doc_kind="plan"))
    card = scorecard(obs, "An Phú", "2022-FY", lang="en")
    assert card["status"].isna().all() and card["basis"].tolist() == ["plan"]
    assert card["note"].iloc[0] == "plan: a target set, no result yet"


# --------------------------------------------------------------------------
# two proportions


def _share(indicator, period, num, den, unit="An Phú"):
    return {"indicator_id": indicator, "period": period, "unit_name": unit, "numerator": num,
            "denominator": den, "raw": f"{num}/{den}", "doc_id": "d", "start": 0, "end": 5}


def test_two_indicators_are_not_compared_unless_asked():
    a = _share("cultural_family_registration_rate", "2021-H1", 5209, 5318)
    b = _share("cultural_family_rate", "2018-FY", 1946, 2129, "Bình Minh")
    with pytest.raises(ComparisonRefused, match="allow_different_indicators=True"):
        compare_proportions(a, b, lang="en")
    r = compare_proportions(a, b, allow_different_indicators=True)
    assert round(r.difference, 2) == 6.55 and "6,55 điểm phần trăm" in r.statement
    assert r.fisher_p == pytest.approx(stats.fisher_exact([[5209, 109], [1946, 183]])[1])
    p1, p2 = 5209 / 5318, 1946 / 2129
    wald = 1.96 * math.sqrt(p1 * (1 - p1) / 5318 + p2 * (1 - p2) / 2129) * 100
    assert (r.ci_high - r.ci_low) == pytest.approx(2 * wald, rel=0.1)


def test_a_flow_share_over_another_kind_of_period_is_refused_unless_allowed():
    jobs = _share("jobs_created", "2022-H1", 3471, 6000)
    earlier = _share("jobs_created", "2021-FY", 5000, 6000)
    with pytest.raises(ComparisonRefused, match="allow_different_periods"):
        compare_proportions(jobs, earlier, lang="en")
    assert compare_proportions(jobs, earlier, allow_different_periods=True).difference < 0


def test_a_share_without_counts_cannot_be_tested():
    with pytest.raises(ValueError, match="no numerator and denominator"):
        compare_proportions(_share("x_rate", "2021-FY", None, None), _share("x_rate", "2021-FY", 1, 2))


# --------------------------------------------------------------------------
# reconcile


def test_the_percentage_beside_a_fraction_is_found_in_its_clause_only():
    s = "Có 5209/5318 hộ đăng ký, đạt tỷ lệ 97,95%; năm trước 96%."
    fr = {"kind": "fraction", "unit": "count", "start": 3, "end": 12, "sentence": s, "sentence_start": 0}
    pct = {"kind": "rate", "unit": "percent", "start": s.index("97,95%"), "end": s.index("97,95%") + 6,
           "raw": "97,95%", "sentence_start": 0}
    other = {"kind": "rate", "unit": "percent", "start": s.index("96%"), "end": s.index("96%") + 3,
             "raw": "96%", "sentence_start": 0}
    assert beside_percent(fr, [fr, pct, other])["raw"] == "97,95%"
    assert beside_percent(fr, [fr, other]) is None           # past a semicolon: another clause


@pytest.mark.parametrize("seed", range(12))
def test_theil_sen_gives_scipys_line_and_interval(seed):
    """The trend's own Theil–Sen fit equals SciPy's, ties and short series included."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(3, 12))
    x = np.sort(rng.integers(2015, 2026, size=n)).astype(float)   # repeated years: ties in x
    y = np.round(rng.normal(80, 10, size=n), 0)                    # rounded values: ties in y
    if len(set(x)) < 2:
        x[-1] += 1
    ours, theirs = theil_sen(x, y, confidence=0.95), stats.theilslopes(y, x, alpha=0.95)
    assert ours.slope == pytest.approx(theirs.slope)
    assert ours.intercept == pytest.approx(theirs.intercept)
    assert ours.low_slope == pytest.approx(theirs.low_slope, nan_ok=True)
    assert ours.high_slope == pytest.approx(theirs.high_slope, nan_ok=True)
