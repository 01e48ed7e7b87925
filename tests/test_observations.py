"""Observations built from the real reports: units, periods, targets, conflicts, provenance."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis.observations import (EXTRA_COLUMNS, build_observations, stated_decimals,
                                   values_agree)
from analysis.schema import OBSERVATIONS, validate

try:
    from _pipeline import pipeline_tables, raw_text
except ImportError:  # tests/ imported as a package
    from tests._pipeline import pipeline_tables, raw_text

# What a researcher reads off the five reports by hand.
UNITS_AND_PERIODS = {
    "thach-ban-2021-h1": ("Thạch Bàn", "ward", "Long Biên", "2021-H1", "2021-01-01", "2021-06-30", 6),
    "phuc-dong-2020-9m": ("Phúc Đồng", "ward", "Long Biên", "2020-9M", "2020-01-01", "2020-09-30", 9),
    "thanh-xuan-2021-q4": ("Thanh Xuân", "district", None, "2021-Q4", "2021-10-01", "2021-12-31", 3),
    "cau-giay-2022-h1": ("Cầu Giấy", "district", None, "2022-H1", "2022-01-01", "2022-06-30", 6),
    "cu-khoi-2018-fy": ("Cự Khối", "ward", "Long Biên", "2018-FY", "2018-01-01", "2018-12-31", 12),
}


def _rows(obs, doc_id, indicator_id):
    return obs[(obs["doc_id"] == doc_id) & (obs["indicator_id"] == indicator_id)]


def _none(v):
    return None if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA else v


def test_the_five_units_and_their_periods():
    reports, _, obs = pipeline_tables()
    got = {r["doc_id"]: (r["unit_name"], r["unit_level"], _none(r["parent"]), r["period"],
                         str(r["period_start"].date()), str(r["period_end"].date()),
                         int(r["period_months"]))
           for r in reports.to_dict("records")}
    assert got == UNITS_AND_PERIODS
    # every observation carries its report's unit and period
    for r in obs.to_dict("records"):
        unit, level, parent, period, start, end, months = UNITS_AND_PERIODS[r["doc_id"]]
        assert (r["unit_name"], r["unit_level"], _none(r["parent"]), r["period"]) == \
            (unit, level, parent, period)
        assert (str(r["period_start"].date()), str(r["period_end"].date()), r["period_months"]) == \
            (start, end, months)
    # every results report yields observations
    results = [d for d, v in UNITS_AND_PERIODS.items() if d != "thanh-xuan-2021-q4"]
    assert set(results) <= set(obs["doc_id"])


def test_observations_keep_the_schema_and_the_provenance_of_every_number():
    _, facts, obs = pipeline_tables()
    validate(obs, OBSERVATIONS)
    assert set(EXTRA_COLUMNS) <= set(obs.columns)
    assert obs["obs_id"].is_unique
    assert obs["indicator_id"].notna().all()
    assert set(obs["fact_id"]) <= set(facts["fact_id"])
    for r in obs.to_dict("records"):
        text = raw_text(r["doc_id"])
        number = text[r["start"]:r["end"]]
        assert number and number[0].isdigit(), (r["doc_id"], r["start"], number)
        assert number in r["quote"] and r["quote"] in text
        assert r["sentence"] in text and number in r["sentence"]


def test_the_cu_khoi_cultural_groups_conflict_is_kept_and_flagged():
    _, _, obs = pipeline_tables()
    rows = _rows(obs, "cu-khoi-2018-fy", "cultural_group_rate")
    values = sorted(round(v, 1) for v in rows["value"])
    assert 84.6 in values and 92.3 in values, values
    assert rows["is_conflict"].all()
    # both statements are rows of their own, never averaged into one
    assert not any(85 < v < 92 for v in rows["value"])
    summary = rows[rows["value"].round(1) == 84.6].iloc[0]
    assert "12/13" in summary["conflict_with"] or "92,3%" in summary["conflict_with"]


def test_the_only_conflict_in_the_corpus_is_the_cu_khoi_cultural_groups():
    _, _, obs = pipeline_tables()
    flagged = obs[obs["is_conflict"]]
    assert set(zip(flagged["doc_id"], flagged["indicator_id"])) == \
        {("cu-khoi-2018-fy", "cultural_group_rate")}
    # a percentage restated with less precision is no conflict: 91% and 1946/2129 = 91,4%
    family = _rows(obs, "cu-khoi-2018-fy", "cultural_family_rate")
    assert len(family) >= 2 and not family["is_conflict"].any()


def test_a_rate_stated_as_a_fraction_becomes_its_percentage_with_counts_kept():
    _, _, obs = pipeline_tables()
    row = obs[obs["raw"] == "5209/5318"].iloc[0]
    assert row["indicator_id"] == "cultural_family_registration_rate"
    assert (row["numerator"], row["denominator"], row["unit"]) == (5209, 5318, "percent")
    assert round(row["value"], 2) == 97.95 and row["value_derived"]


def test_a_fraction_of_a_target_gives_target_and_achievement():
    _, _, obs = pipeline_tables()
    land = obs[obs["raw"] == "28/20"].iloc[0]
    assert land["indicator_id"] == "land_certificates_issued"
    assert (land["value"], land["target"], land["achievement_pct"]) == (28, 20, 140)
    jobs = obs[obs["raw"] == "3.471/6.000"].iloc[0]
    assert (jobs["value"], jobs["target"]) == (3471, 6000)
    # the report states 57,9% beside it: the stated achievement wins over 57,85
    assert jobs["achievement_pct"] == 57.9 and jobs["achievement_source"] == "stated"


def test_a_target_stated_beside_a_value_is_paired_not_a_row_of_its_own():
    _, _, obs = pipeline_tables()
    for ind, value, target in (("child_stunting_rate", 6.1, 6.3), ("child_underweight_rate", 8.4, 8.6)):
        rows = _rows(obs, "cu-khoi-2018-fy", ind)
        assert list(rows["value"]) == [value], (ind, rows[["raw", "value", "kind"]])
        assert list(rows["target"]) == [target]


def test_an_amount_carries_the_achievement_stated_beside_it():
    _, _, obs = pipeline_tables()
    revenue = _rows(obs, "cu-khoi-2018-fy", "budget_revenue_vnd").iloc[0]
    assert revenue["value"] == 12_877_755_000 and revenue["achievement_pct"] == 120
    blood = _rows(obs, "cau-giay-2022-h1", "blood_donation_units").iloc[0]
    assert blood["value"] == 1553 and blood["achievement_pct"] == 60.67


def test_the_report_words_about_targets_are_read():
    _, _, obs = pipeline_tables()
    ck = obs[obs["doc_id"] == "cu-khoi-2018-fy"].set_index("raw")
    assert ck.loc["84,6%", "stated_result"] == "exceeded"        # "06 chỉ tiêu hoàn thành vượt mức"
    assert ck.loc["12/13", "stated_result"] == "exceeded"        # "vượt kế hoạch giao"
    assert ck.loc["2,90%", "stated_result"] == "met"             # "04 chỉ tiêu hoàn thành kế hoạch"
    assert pd.isna(ck.loc["64,9%", "stated_result"])             # no word about a target


# --------------------------------------------------------------------------
# rules on small, hand-made inputs


def _fact(text, raw, value, kind, indicator, *, unit="percent", num=None, den=None, n=0, doc="d"):
    start = text.index(raw)
    return {"fact_id": f"{doc}:{start}:{n}", "doc_id": doc, "value": value, "unit": unit,
            "kind": kind, "numerator": num, "denominator": den, "qualifier": "exact",
            "indicator_id": indicator, "raw": raw, "start": start, "end": start + len(raw),
            "quote": raw, "sentence": text, "sentence_start": 0, "counted": None, "section": None}


def _report(doc="d", kind="results"):
    return pd.DataFrame([{"doc_id": doc, "unit_name": "Cự Khối", "unit_level": "ward",
                          "parent": "Long Biên", "city": "Hà Nội", "period": "2018-FY",
                          "period_start": pd.Timestamp("2018-01-01"),
                          "period_end": pd.Timestamp("2018-12-31"), "period_months": 12,
                          "doc_kind": kind, "programs": ["02-CTr/QU"]}])


def test_an_excess_over_target_is_not_an_achievement():
    text = 'tỷ lệ hộ gia đình văn hóa (91% - vượt 3%)'
    facts = pd.DataFrame([_fact(text, "91%", 91, "rate", "cultural_family_rate"),
                          _fact(text, "3%", 3, "target_achievement", None, n=1)])
    obs = build_observations(facts, _report())
    assert len(obs) == 1
    assert pd.isna(obs["achievement_pct"].iloc[0]) and obs["stated_result"].iloc[0] == "exceeded"


def test_a_plan_states_no_result():
    text = "Phấn đấu tỷ lệ hộ gia đình văn hóa đạt 92%, vượt kế hoạch."
    facts = pd.DataFrame([_fact(text, "92%", 92, "rate", "cultural_family_rate")])
    assert build_observations(facts, _report()).loc[0, "stated_result"] == "exceeded"
    assert pd.isna(build_observations(facts, _report(kind="plan")).loc[0, "stated_result"])


def test_a_negation_wins_over_the_phrase_it_contains():
    text = "Tỷ lệ trẻ suy dinh dưỡng thể thấp còi 6,8%, chưa đạt kế hoạch."
    facts = pd.DataFrame([_fact(text, "6,8%", 6.8, "rate", "child_stunting_rate")])
    assert build_observations(facts, _report()).loc[0, "stated_result"] == "missed"


def test_facts_without_indicator_make_no_observation_and_none_gives_an_empty_table():
    text = "Tổ chức 06 buổi khám chữa bệnh."
    facts = pd.DataFrame([_fact(text, "06", 6, "count", None, unit="count")])
    obs = build_observations(facts, _report())
    assert len(obs) == 0 and list(obs.columns[:len(OBSERVATIONS.names)]) == OBSERVATIONS.names


def test_facts_of_an_unloaded_report_are_refused_with_the_fix():
    text = "Kết nạp 11 đảng viên mới."
    facts = pd.DataFrame([_fact(text, "11", 11, "count", "new_party_members", unit="count", doc="x")])
    with pytest.raises(ValueError, match=r"\['x'\] have no row in the reports table; load"):
        build_observations(facts, _report())


@pytest.mark.parametrize("raw, decimals", [
    ("97,95%", 2), ("91%", 0), ("120.14%", 2), ("12.877.755.000", 0), ("3.471", 0),
    ("5.6 triệu", 1), ("18,93%0", 2), ("06", 0), ("2,90%", 2), ("không có số", None),
])
def test_stated_decimals_reads_vietnamese_numbers(raw, decimals):
    assert stated_decimals(raw) == decimals


@pytest.mark.parametrize("a, b, da, db, agree", [
    (97.95, 5209 / 5318 * 100, 2, None, True),
    (57.9, 3471 / 6000 * 100, 1, None, True),
    (91.4, 1946 / 2129 * 100, 1, None, True),
    (91.0, 91.4, 0, 1, True),
    (84.6, 92.3, 1, 1, False),
    (63.6, 21 / 33 * 100, 1, None, True),
    (63.7, 21 / 33 * 100, 1, None, False),
    (100.0, 99.0, 0, 0, False),
])
def test_values_agree_to_the_precision_written(a, b, da, db, agree):
    assert values_agree(a, b, da, db) is agree


def _observations_of(tmp_path, text: str) -> pd.DataFrame:
    from analysis.build import facts_for_report
    from analysis.load import load_reports
    from analysis.schema import FACTS

    (tmp_path / "bao-cao.txt").write_text(text, encoding="utf-8")
    reports = load_reports(tmp_path, manifest=None).reports
    facts = validate(pd.DataFrame.from_records(facts_for_report(reports["text"][0], reports["doc_id"][0]),
                                               columns=FACTS.names), FACTS)
    return build_observations(facts, reports)


@pytest.mark.parametrize("n", [3, 150])
def test_a_report_repeating_an_indicator_flags_the_one_value_that_disagrees(tmp_path, n):
    # a long report (a pasted table, a report restated many times) repeats one rate;
    # one statement disagrees: every statement of it is flagged, whatever the count
    head = "Báo cáo kết quả 6 tháng đầu năm 2023 của UBND phường Ngọc Lâm, quận Long Biên.\n"
    same = "Tỷ lệ hộ gia đình đạt danh hiệu gia đình văn hóa đạt 93,5%.\n"
    other = "Tỷ lệ hộ gia đình đạt danh hiệu gia đình văn hóa đạt 88,2%.\n"
    agreeing = _rows(_observations_of(tmp_path, head + same * n), "bao-cao", "cultural_family_rate")
    assert len(agreeing) == n and not agreeing["is_conflict"].any()
    (tmp_path / "bao-cao.txt").unlink()
    obs = _rows(_observations_of(tmp_path, head + same * n + other), "bao-cao", "cultural_family_rate")
    assert len(obs) == n + 1 and obs["is_conflict"].all()
    assert all("88,2%" in c for c in obs[obs["value"] == 93.5]["conflict_with"])
