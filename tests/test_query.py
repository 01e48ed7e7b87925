"""DuckDB queries over the partitioned tables give what a full load gives, reading less.

Runs on the real build of the bundled reports (``tests/_built_data.py``), read only.
"""
from __future__ import annotations

import shutil

import pandas as pd
import pytest

from _built_data import processed_dir
from analysis import compare, query
from analysis.store import TableMissing, read_table, table_files


@pytest.fixture(scope="module")
def out():
    return processed_dir()


@pytest.fixture(scope="module")
def full(out) -> pd.DataFrame:
    return read_table("observations", out)


def filtered(full: pd.DataFrame, **sel) -> pd.DataFrame:
    rows = full
    for col, v in sel.items():
        rows = rows[rows[col].isin([v] if isinstance(v, str) else v)]
    return rows.reset_index(drop=True)


@pytest.mark.parametrize("sel", [
    {"indicator_id": "food_safety_violations"},
    {"unit_name": "Cự Khối"},
    {"unit_name": "Cự Khối", "period": "2018-FY"},
    {"period": ["2021-H1", "2022-H1"], "indicator_id": ["cultural_family_rate", "jobs_created"]},
    {"unit_name": ["Thạch Bàn", "Cầu Giấy"], "doc_kind": "results"},
    {},
], ids=["indicator", "unit", "unit+period", "periods+indicators", "units+kind", "all"])
def test_selection_equals_the_full_table_filtered(out, full, sel):
    got = query.observations_for(processed=out, **sel)
    expected = filtered(full, **sel)
    assert len(got) > 0
    pd.testing.assert_frame_equal(got, expected)


def test_nothing_selected_gives_an_empty_frame_with_the_columns(out, full):
    for sel in ({"unit_name": "Không Có"}, {"period": "1999-FY"}, {"indicator_id": []}):
        got = query.observations_for(processed=out, **sel)
        assert len(got) == 0 and list(got.columns) == list(full.columns), sel


def test_columns_are_chosen_and_ordered(out, full):
    got = query.observations_for(unit_name="Cự Khối", columns=["raw", "value", "period"], processed=out)
    pd.testing.assert_frame_equal(got, filtered(full, unit_name="Cự Khối")[["raw", "value", "period"]])
    with pytest.raises(KeyError, match="no column"):
        query.observations_for(columns=["no_such_column"], processed=out)


def test_comparisons_fed_by_queries_equal_those_on_the_full_table(out, full):
    pd.testing.assert_frame_equal(query.query_compare_units("food_safety_violations", processed=out),
                                  compare.compare_units(full, "food_safety_violations"))
    pd.testing.assert_frame_equal(
        query.query_compare_units("blood_donation_units", annualise=True, lang="en", processed=out),
        compare.compare_units(full, "blood_donation_units", annualise=True, lang="en"))
    pd.testing.assert_frame_equal(query.query_scorecard("Cự Khối", "2018-FY", processed=out),
                                  compare.scorecard(full, "Cự Khối", "2018-FY"))
    ind = full.loc[full["unit_name"] == "Cự Khối", "indicator_id"].iloc[0]
    got, expected = query.query_trend("Cự Khối", ind, processed=out), compare.trend(full, "Cự Khối", ind)
    pd.testing.assert_frame_equal(got.frame, expected.frame)
    assert got.statement == expected.statement
    # a refused comparison is refused the same way
    with pytest.raises(compare.ComparisonRefused):
        query.query_compare_units("blood_donation_units", processed=out)


def test_a_period_query_opens_only_that_periods_files(out, full, tmp_path):
    copy = tmp_path / "processed"
    shutil.copytree(out, copy)
    [(_, other)] = table_files("observations", copy, period="2022-H1")
    other.write_bytes(b"not parquet")                 # another period's file is damaged
    got = query.observations_for(period="2018-FY", unit_name="Cự Khối", processed=copy)
    pd.testing.assert_frame_equal(got, filtered(full, period="2018-FY", unit_name="Cự Khối"))
    with pytest.raises(Exception):                    # a full load has to read it
        read_table("observations", copy)


def test_a_missing_table_says_how_to_build_it(tmp_path):
    with pytest.raises(TableMissing, match="python -m analysis build"):
        query.observations_for(unit_name="Cự Khối", processed=tmp_path)
