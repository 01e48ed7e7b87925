"""Administrative units across the 2025 reform, and the programmes reports cite."""
from __future__ import annotations

import pandas as pd
import pytest

from analysis.admin import (AdminReferenceError, crosswalk, load_admin_units, load_programmes,
                            programmes_for, resolve_unit, rollup_kind, successors)

try:
    from _pipeline import pipeline_tables
except ImportError:  # tests/ imported as a package
    from tests._pipeline import pipeline_tables

REFORM = "2025-07-01"
CORPUS_WARDS = ["Thạch Bàn", "Cự Khối", "Phúc Đồng"]
CORPUS_DISTRICTS = ["Long Biên", "Cầu Giấy", "Thanh Xuân"]


def test_every_unit_of_the_corpus_is_in_the_table_with_its_level_and_parent():
    reports, _, _ = pipeline_tables()
    for r in reports.to_dict("records"):
        uid = resolve_unit(r["unit_name"], r["unit_level"], r["parent"], on=r["period_end"])
        units = load_admin_units().set_index("unit_id")
        assert units.loc[uid, "unit_level"] == r["unit_level"]
        parent = units.loc[uid, "parent_id"]
        if r["parent"]:
            assert units.loc[parent, "unit_name"] == r["parent"]
            assert units.loc[parent, "unit_level"] == "district"
        # the report's period lies inside the unit's lifetime
        assert pd.isna(units.loc[uid, "valid_to"]) or r["period_end"] <= units.loc[uid, "valid_to"]


@pytest.mark.parametrize("ward", CORPUS_WARDS)
def test_the_three_wards_went_in_part_into_the_new_phuong_long_bien(ward):
    after = successors(ward, on=REFORM, level="ward")
    assert [(s.unit_name, s.unit_level, s.rollup) for s in after] == [("Long Biên", "ward", "partial")]
    assert rollup_kind(resolve_unit(ward, "ward"), after[0].unit_id) == "partial"
    # the day before, the ward was itself
    before = successors(ward, on="2025-06-30", level="ward")
    assert [(s.unit_name, s.rollup) for s in before] == [(ward, "exact")]


@pytest.mark.parametrize("district", CORPUS_DISTRICTS)
def test_the_district_tier_ended_on_the_reform_day(district):
    uid = resolve_unit(district, "district")
    units = load_admin_units().set_index("unit_id")
    assert str(units.loc[uid, "valid_to"].date()) == "2025-06-30"
    assert [s.unit_id for s in successors(uid, on="2025-06-30")] == [uid]
    after = successors(uid, on=REFORM)
    assert after, "a district's area went to new wards"
    assert all(s.unit_level == "ward" and s.rollup == "partial" for s in after)
    # the table says the list of a district's successors is incomplete
    assert bool(units.loc[uid, "successors_complete"]) is False


def test_the_new_ward_long_bien_is_not_the_district_nor_its_old_ward():
    assert resolve_unit("Long Biên", "district") == "quan-long-bien"
    new = resolve_unit("Long Biên", "ward", on=REFORM)
    assert new != "quan-long-bien"
    units = load_admin_units().set_index("unit_id")
    assert str(units.loc[new, "valid_from"].date()) == REFORM
    assert rollup_kind(new, new) == "exact"
    with pytest.raises(AdminReferenceError, match="did not exist yet"):
        successors(new, on="2021-01-01")


def test_a_unit_that_is_not_a_successor_is_refused_by_name():
    with pytest.raises(AdminReferenceError, match="not a recorded successor"):
        rollup_kind("phuong-thach-ban", resolve_unit("Cầu Giấy", "ward", on=REFORM))


def test_an_unknown_unit_names_the_table_and_the_fix():
    with pytest.raises(AdminReferenceError, match=r"admin_units\.csv.*add it"):
        resolve_unit("Hoàn Kiếm", "district")


def test_crosswalk_labels_each_observation_with_todays_unit():
    _, _, obs = pipeline_tables()
    after = crosswalk(obs, on=REFORM)
    assert after["unit_id"].notna().all()
    wards = after[after["unit_name"].isin(CORPUS_WARDS)]
    assert set(wards["successor_name"]) == {"Long Biên"}
    assert wards["is_partial"].all()
    assert after["is_partial"].all(), "every unit of the corpus was split or merged in part"
    before = crosswalk(obs, on="2024-01-01")
    assert (before["successor_name"] == before["unit_name"]).all()
    assert not before["is_partial"].any()
    assert len(after) == len(obs) and after["value"].equals(obs["value"])


def test_crosswalk_leaves_unknown_units_unmapped_with_a_note():
    frame = pd.DataFrame({"unit_name": ["Hoàn Kiếm"], "unit_level": ["district"], "parent": [None],
                          "period_end": pd.to_datetime(["2020-12-31"])})
    out = crosswalk(frame, on=REFORM)
    assert out["successor_id"].isna().all() and out["is_partial"].isna().all()
    assert "admin_units.csv" in out["crosswalk_note"].iloc[0]


def test_a_malformed_table_is_reported_with_file_line_and_fix(tmp_path):
    good = load_admin_units()
    text = (tmp_path / "admin_units.csv")
    rows = ["unit_id,unit_name,unit_level,parent_id,valid_from,valid_to,successors,"
            "successors_complete,source,note",
            "a,A,ward,,2020-01-01,,b:partial,,,",
            "b,B,ward,,,,,,,",
            "c,C,ward,,,,x:partial,,,"]
    text.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(AdminReferenceError, match=r"admin_units\.csv, line 4: unknown unit_id 'x'"):
        load_admin_units(tmp_path)
    rows[3] = "c,C,ward,,,,b:half,,,"
    text.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(AdminReferenceError, match="line 4: successor share 'half'"):
        load_admin_units(tmp_path)
    rows[3] = "c,C,quarter,,,,,,,"
    text.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(AdminReferenceError, match="line 4: unit_level 'quarter'"):
        load_admin_units(tmp_path)
    assert len(load_admin_units()) == len(good)   # the real table is untouched


# --------------------------------------------------------------------------
# programmes


def test_programmes_are_keyed_by_number_committee_and_term():
    p = load_programmes()
    assert not p.duplicated(["number", "committee", "term"]).any()
    same_number = p[p["number"] == "02-CTr/QU"]
    assert len(same_number) == 2 and same_number["term"].nunique() == 2
    title = p.set_index("key").loc["02-CTr/QU · Quận ủy Long Biên · 2020-2025", "title"]
    assert title == ("Nâng cao chất lượng cuộc sống người dân trên địa bàn quận Long Biên, "
                     "nhiệm vụ và giải pháp chủ yếu giai đoạn 2020 - 2025")


def test_each_report_resolves_its_programmes_by_its_district_and_period():
    reports, _, _ = pipeline_tables()
    got = {r["doc_id"]: [(p.number, p.committee, p.term, p.is_known) for p in programmes_for(r)]
           for r in reports.to_dict("records")}
    assert got["thach-ban-2021-h1"] == [("02-CTr/QU", "Quận ủy Long Biên", "2020-2025", True)]
    assert got["cau-giay-2022-h1"] == [("04-CTr/QU", "Quận ủy Cầu Giấy", "2020-2025", True)]
    assert got["cu-khoi-2018-fy"] == [(n, "Quận ủy Long Biên", "2015-2020", True)
                                      for n in ("01-CTr/QU", "02-CTr/QU", "03-CTr/QU")]
    assert got["phuc-dong-2020-9m"] == [] and got["thanh-xuan-2021-q4"] == []


def test_the_same_number_in_two_terms_is_two_programmes():
    ck = {"programs": ["02-CTr/QU"], "unit_name": "Cự Khối", "unit_level": "ward",
          "parent": "Long Biên", "period": "2018-FY"}
    tb = {**ck, "unit_name": "Thạch Bàn", "period": "2021-H1"}
    assert programmes_for(ck)[0].key != programmes_for(tb)[0].key


def test_an_unlisted_programme_is_kept_and_flagged_unknown():
    row = {"programs": ["07-CTr/QU"], "unit_name": "Thanh Xuân", "unit_level": "district",
           "parent": None, "period": "2021-Q4"}
    (p,) = programmes_for(row)
    assert (p.number, p.committee, p.term, p.is_known) == ("07-CTr/QU", "Quận ủy Thanh Xuân", None, False)


def test_observations_let_a_reader_follow_one_programme():
    _, _, obs = pipeline_tables()
    key = "02-CTr/QU · Quận ủy Long Biên · 2020-2025"
    follows = obs[[key in (keys or []) for keys in obs["programme_keys"]]]
    assert len(follows) and set(follows["unit_name"]) == {"Thạch Bàn"}
    old = "02-CTr/QU · Quận ủy Long Biên · 2015-2020"
    assert set(obs[[old in (k or []) for k in obs["programme_keys"]]]["unit_name"]) == {"Cự Khối"}
