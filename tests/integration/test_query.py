"""DuckDB queries over the processed observations give what a full load gives, reading less.

The tables are the real build of the bundled reports (``tests/_built_data.py``,
read only) and, for queries across periods, the same statements stated again in
three later years (other ids, other values; a unit stops a year earlier,
another's last report is a plan), written by :func:`analysis.store.write_tables`
twice: as a build writes them (with the read-side copies) and as an older
version wrote them (partitions only). Every query must give the same on both.
"""
from __future__ import annotations

import shutil

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from _built_data import processed_dir
from analysis import compare, query, store
from analysis.observations import LEVEL_KINDS
from analysis.store import COPIES, TableMissing, read_table, table_copy, table_files, write_tables

YEARS = (0, 1, 2, 3)


def later(obs: pd.DataFrame, years: int) -> pd.DataFrame:
    """The same statements ``years`` later, under other ids and with other values."""
    if not years:
        return obs.copy()
    o = obs.copy()
    o["period"] = [f"{int(p[:4]) + years}{p[4:]}" for p in o["period"]]
    for c in ("period_start", "period_end"):
        o[c] = o[c] + pd.DateOffset(years=years)
    o["value"] = o["value"] * (1 + 0.05 * years)
    for c in ("doc_id", "obs_id", "fact_id"):
        o[c] = o[c] + f"~{years}"
    return o


@pytest.fixture(scope="module")
def series() -> pd.DataFrame:
    """Four years of each unit's statements; Cự Khối stops early, Phúc Đồng's last is a plan."""
    obs = read_table("observations", processed_dir())
    frame = pd.concat([later(obs, y) for y in YEARS], ignore_index=True)
    last = frame["doc_id"].str.endswith("~3").to_numpy(bool)
    frame = frame[~(last & (frame["unit_name"] == "Cự Khối").to_numpy(bool))].reset_index(drop=True)
    last = frame["doc_id"].str.endswith("~3").to_numpy(bool)
    frame.loc[last & (frame["unit_name"] == "Phúc Đồng").to_numpy(bool), "doc_kind"] = "plan"
    return frame


@pytest.fixture(scope="module", params=["with copies", "partitions only"])
def out(request, series, tmp_path_factory):
    folder = write_tables({"observations": series}, tmp_path_factory.mktemp("q") / "processed")
    if request.param == "partitions only":        # as a version without the copies wrote them
        for name in COPIES["observations"].values():
            (store.table_path("observations", folder) / name).unlink()
        assert table_copy("observations", "all_periods", folder) is None
    else:
        assert table_copy("observations", "all_periods", folder) is not None
    return folder


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
    {"indicator_id": "gifts_given", "unit_name": "Thạch Bàn"},
    {"period": ["2021-H1", "2022-H1"], "indicator_id": ["cultural_family_rate", "jobs_created"]},
    {"unit_name": ["Thạch Bàn", "Cầu Giấy"], "doc_kind": "results"},
    {"indicator_id": "blood_donation_target_achievement", "unit_level": "ward", "doc_kind": "plan"},
    {},
], ids=["indicator", "unit", "unit+period", "indicator+unit", "periods+indicators", "units+kind",
        "indicator+level+plan", "all"])
def test_selection_equals_the_full_table_filtered(out, full, sel):
    got = query.observations_for(processed=out, **sel)
    expected = filtered(full, **sel)
    assert len(got) > 0
    pd.testing.assert_frame_equal(got, expected)


def test_nothing_selected_gives_an_empty_frame_with_the_columns(out, full):
    for sel in ({"unit_name": "Không Có"}, {"period": "1999-FY"}, {"indicator_id": []},
                {"indicator_id": "gifts_given", "unit_name": "Không Có"}):
        got = query.observations_for(processed=out, **sel)
        assert len(got) == 0 and list(got.columns) == list(full.columns), sel


def test_columns_are_chosen_and_ordered(out, full):
    got = query.observations_for(unit_name="Cự Khối", columns=["raw", "value", "period"], processed=out)
    pd.testing.assert_frame_equal(got, filtered(full, unit_name="Cự Khối")[["raw", "value", "period"]])
    with pytest.raises(KeyError, match="no column"):
        query.observations_for(columns=["no_such_column"], processed=out)


def test_comparisons_fed_by_queries_equal_those_on_the_full_table(out, full):
    # each unit's latest period: Cự Khối's is a year before the others', Phúc Đồng's
    # last report is a plan (left out, unless plans are asked for)
    ind = "blood_donation_target_achievement"
    latest = query.query_compare_units(ind, processed=out)
    pd.testing.assert_frame_equal(latest, compare.compare_units(full, ind))
    assert dict(zip(latest["unit_name"], latest["period"])) == \
        {"Cầu Giấy": "2025-H1", "Cự Khối": "2020-FY", "Phúc Đồng": "2022-9M"}
    with_plans = query.query_compare_units(ind, include_plans=True, processed=out)
    assert dict(zip(with_plans["unit_name"], with_plans["period"]))["Phúc Đồng"] == "2023-9M"
    for kwargs in ({"units": ["Phúc Đồng", "Cự Khối"]}, {"include_plans": True}, {"units": []},
                   {"units": ["Cự Khối"], "include_plans": True}, {"lang": "en"}):
        pd.testing.assert_frame_equal(query.query_compare_units(ind, processed=out, **kwargs),
                                      compare.compare_units(full, ind, **kwargs))
    pd.testing.assert_frame_equal(query.query_compare_units("gifts_given", annualise=True, processed=out),
                                  compare.compare_units(full, "gifts_given", annualise=True))
    pd.testing.assert_frame_equal(query.query_compare_units("food_safety_violations", processed=out),
                                  compare.compare_units(full, "food_safety_violations"))
    pd.testing.assert_frame_equal(
        query.query_compare_units("blood_donation_units", annualise=True, lang="en", processed=out),
        compare.compare_units(full, "blood_donation_units", annualise=True, lang="en"))
    pd.testing.assert_frame_equal(query.query_compare_units(ind, "2019-FY", processed=out),
                                  compare.compare_units(full, ind, "2019-FY"))
    pd.testing.assert_frame_equal(query.query_scorecard("Cự Khối", "2018-FY", processed=out),
                                  compare.scorecard(full, "Cự Khối", "2018-FY"))
    # a refused comparison is refused the same way
    for ind in ("blood_donation_units", "gifts_given"):
        with pytest.raises(compare.ComparisonRefused):
            compare.compare_units(full, ind)
        with pytest.raises(compare.ComparisonRefused):
            query.query_compare_units(ind, processed=out)


def test_a_units_trend_across_periods_equals_the_one_on_the_full_table(out, full):
    trends = 0
    pairs = sorted(set(zip(full["unit_name"], full["indicator_id"])))
    for unit, ind in pairs[::len(pairs) // 8]:          # eight series, of every unit
        try:
            expected = compare.trend(full, unit, ind, lang="en")
        except compare.ComparisonRefused:
            with pytest.raises(compare.ComparisonRefused):
                query.query_trend(unit, ind, processed=out, lang="en")
            continue
        got = query.query_trend(unit, ind, processed=out, lang="en")
        pd.testing.assert_frame_equal(got.frame, expected.frame)
        assert (got.slope, got.statement) == (expected.slope, expected.statement)
        trends += expected.slope is not None
    assert trends >= 4                          # most series have a slope (three or four years)


def test_properties_come_from_the_catalogue_whatever_rows_are_read(series, tmp_path):
    """An indicator's direction is the catalogue's: rows stating another do not change it."""
    ind = "blood_donation_target_achievement"          # "up" in the catalogue
    rows = series.copy()
    of_ind = rows["indicator_id"] == ind
    first = rows[of_ind].sort_values(["unit_name", "period", "doc_id", "start"]).iloc[0]
    rows.loc[of_ind, "direction"] = pd.NA                # stated once only, the other way round
    rows.loc[rows["obs_id"] == first["obs_id"], "direction"] = "down"
    others = sorted(set(rows.loc[of_ind, "unit_name"]) - {first["unit_name"]})
    period = rows.loc[of_ind & (rows["unit_name"] == others[0]), "period"].iloc[0]
    for layout in ("copies", "partitions"):
        out = write_tables({"observations": rows}, tmp_path / layout)
        if layout == "partitions":
            for name in COPIES["observations"].values():
                (store.table_path("observations", out) / name).unlink()
        full = read_table("observations", out)
        for p in (None, period):
            expected = compare.compare_units(full, ind, p, units=others)
            assert set(expected["direction"]) == {"up"} and len(expected) > 0
            pd.testing.assert_frame_equal(query.query_compare_units(ind, p, units=others, processed=out),
                                          expected)
        for unit in others:
            got, expected = query.query_trend(unit, ind, processed=out), compare.trend(full, unit, ind)
            pd.testing.assert_frame_equal(got.frame, expected.frame)
            assert got.statement == expected.statement


def test_a_period_query_opens_only_that_periods_files(out, full, tmp_path):
    copy = tmp_path / "processed"
    shutil.copytree(out, copy)
    [(_, other)] = table_files("observations", copy, period="2022-H1")
    other.write_bytes(b"not parquet")                 # another period's file is damaged
    got = query.observations_for(period="2018-FY", unit_name="Cự Khối", processed=copy)
    pd.testing.assert_frame_equal(got, filtered(full, period="2018-FY", unit_name="Cự Khối"))
    with pytest.raises((pa.ArrowInvalid, OSError)):   # a full load has to read it
        read_table("observations", copy)


def test_copies_that_no_longer_match_the_partitions_are_not_read(out, tmp_path):
    copy = tmp_path / "processed"
    shutil.copytree(out, copy)
    # another writer adds a period's file beside the build's
    [(_, src)] = table_files("observations", copy, period="2018-FY")
    extra = store.table_path("observations", copy) / "period=2030-FY" / "part-0.parquet"
    extra.parent.mkdir()
    table = pq.read_table(src)
    ids = [f"{v}#2030" for v in table["obs_id"].to_pylist()]
    pq.write_table(table.set_column(table.schema.get_field_index("obs_id"), "obs_id",
                                    pa.array(ids, table.schema.field("obs_id").type)), extra)
    assert table_copy("observations", "all_periods", copy) is None
    full = read_table("observations", copy)
    assert "2030-FY" in set(full["period"])
    for sel in ({"unit_name": "Cự Khối"}, {"indicator_id": "cultural_family_rate"}):
        pd.testing.assert_frame_equal(query.observations_for(processed=copy, **sel), filtered(full, **sel))
    ind = "blood_donation_target_achievement"
    pd.testing.assert_frame_equal(query.query_compare_units(ind, processed=copy),
                                  compare.compare_units(full, ind))
    pd.testing.assert_frame_equal(query.indicator_reach(copy), reach_of(full))


def reach_of(full: pd.DataFrame, include_plans: bool = False) -> pd.DataFrame:
    rows = full if include_plans else full[full["doc_kind"].fillna("results") != "plan"]
    g = rows.groupby("indicator_id")
    return pd.DataFrame({"indicator_id": pd.array(g.size().index, dtype="string"),
                         "n_units": g["unit_name"].nunique().to_numpy("int64"),
                         "n_periods": g["period"].nunique().to_numpy("int64"),
                         "n_rows": g.size().to_numpy("int64")})


def test_menus_count_what_the_table_holds(out, full):
    for plans in (False, True):
        pd.testing.assert_frame_equal(query.indicator_reach(out, include_plans=plans),
                                      reach_of(full, plans))
    got = query.unit_indicators("Phúc Đồng", processed=out)
    rows = full[(full["unit_name"] == "Phúc Đồng") & (full["doc_kind"] != "plan")]
    assert got["indicator_id"].tolist() == sorted(set(rows["indicator_id"]))
    assert set(got["n_periods"]) == {3} and got["n_rows"].sum() == len(rows)
    assert set(got["first_period"]) == {"2020-9M"} and set(got["last_period"]) == {"2022-9M"}
    with_plans = query.unit_indicators("Phúc Đồng", include_plans=True, processed=out)
    assert set(with_plans["last_period"]) == {"2023-9M"} and set(with_plans["n_periods"]) == {4}
    assert len(query.unit_indicators("Không Có", processed=out)) == 0
    assert list(query.unit_indicators("Không Có", processed=out).columns) == list(got.columns)


def test_the_copy_of_every_period_serves_the_default_comparison_alone(series, tmp_path):
    """With the copies, each unit's latest period is found in the copy of every period alone."""
    copy = write_tables({"observations": series}, tmp_path / "processed")
    full = read_table("observations", copy)
    folder = store.table_path("observations", copy)
    for f in folder.glob("period=*/*.parquet"):      # the partitions' contents are gone,
        size = f.stat().st_size                      # their sizes kept (what the copies check)
        f.write_bytes(b"\0" * size)
    assert table_copy("observations", "all_periods", copy) is not None
    ind = "blood_donation_target_achievement"
    pd.testing.assert_frame_equal(query.query_compare_units(ind, processed=copy),
                                  compare.compare_units(full, ind))
    level = full[(full["indicator_id"] == ind) & full["kind"].isin(LEVEL_KINDS)]
    assert len(level) > len(query.query_compare_units(ind, processed=copy)) == 3


def test_a_missing_table_says_how_to_build_it(tmp_path):
    with pytest.raises(TableMissing, match="python -m analysis build"):
        query.observations_for(unit_name="Cự Khối", processed=tmp_path)
    with pytest.raises(TableMissing, match="python -m analysis build"):
        query.indicator_reach(tmp_path)


def test_on_the_bundled_build_a_query_reads_the_reports_figures():
    """What a reader of the bundled reports finds, through queries on their build.

    Fines for food-safety violations (Cầu Giấy 52, Thạch Bàn 8, six months each)
    and Cự Khối's 2018 targets.
    """
    out = processed_dir()
    rows = query.observations_for("food_safety_violations", processed=out)
    assert rows[["unit_name", "period", "value"]].values.tolist() == \
        [["Cầu Giấy", "2022-H1", 52.0], ["Thạch Bàn", "2021-H1", 8.0]]
    card = query.query_scorecard("Cự Khối", "2018-FY", processed=out)
    assert set(card["unit_name"]) == {"Cự Khối"} and len(card) > 0
    reach = query.indicator_reach(out).set_index("indicator_id")
    assert reach.loc["food_safety_violations", ["n_units", "n_periods", "n_rows"]].tolist() == [2, 2, 2]
    menu = query.unit_indicators("Thạch Bàn", processed=out).set_index("indicator_id")
    assert menu.loc["food_safety_violations", ["first_period", "last_period"]].tolist() == \
        ["2021-H1", "2021-H1"]
    assert int(menu.loc["food_safety_violations", "n_periods"]) == 1


def test_a_reports_text_is_read_from_its_periods_file_alone(tmp_path):
    """A reader's click on a decade of reports opens one period's file, not every period's.

    Given the reports' periods, every other period's file may even be damaged;
    without them, the texts are the same, found across every file.
    """
    copy = tmp_path / "processed"
    shutil.copytree(processed_dir(), copy)
    reports = read_table("reports", copy, columns=["doc_id", "period", "text"])
    mine = reports[reports["doc_id"] == "cu-khoi-2018-fy"].iloc[0]
    everywhere = query.report_texts([mine["doc_id"]], copy)
    assert everywhere == {mine["doc_id"]: mine["text"]} and len(mine["text"]) > 1000
    for period, f in table_files("reports", copy):
        if period != mine["period"]:
            f.write_bytes(b"not parquet")
    assert query.report_texts([mine["doc_id"]], copy, periods=[mine["period"]]) == everywhere
    assert query.report_texts(["no-such-report"], copy, periods=[mine["period"]]) == {}
    with pytest.raises((pa.ArrowInvalid, OSError)):   # without the periods, every file is read
        query.report_texts([mine["doc_id"]], copy)
