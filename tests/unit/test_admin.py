"""Administrative units across the 2025 reform, and the programmes reports cite."""
from __future__ import annotations

import pandas as pd
import pytest

from analysis.admin import (
    AdminReferenceError,
    crosswalk,
    load_admin_units,
    load_programmes,
    programmes_for,
    resolve_unit,
    rollup_kind,
    successors,
)

REFORM = "2025-07-01"
CORPUS_WARDS = ["Thạch Bàn", "Cự Khối", "Phúc Đồng"]
CORPUS_DISTRICTS = ["Long Biên", "Cầu Giấy", "Thanh Xuân"]


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
