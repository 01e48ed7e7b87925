"""Observations of the five bundled reports through the real pipeline: units, periods, targets, conflicts.

What a researcher reads off the reports by hand; the rules themselves are
tested on small frames in tests/unit/test_observations.py.
"""
from __future__ import annotations

import math

import pandas as pd

from _pipeline import pipeline_tables, raw_text
from analysis.observations import EXTRA_COLUMNS
from analysis.schema import OBSERVATIONS, validate

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
