"""Administrative units and programmes of the bundled reports, read through the pipeline."""
from __future__ import annotations

import pandas as pd

from _pipeline import pipeline_tables
from analysis.admin import crosswalk, load_admin_units, programmes_for, resolve_unit

REFORM = "2025-07-01"
CORPUS_WARDS = ["Thạch Bàn", "Cự Khối", "Phúc Đồng"]


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


def test_each_report_resolves_its_programmes_by_its_district_and_period():
    reports, _, _ = pipeline_tables()
    got = {r["doc_id"]: [(p.number, p.committee, p.term, p.is_known) for p in programmes_for(r)]
           for r in reports.to_dict("records")}
    assert got["thach-ban-2021-h1"] == [("02-CTr/QU", "Quận ủy Long Biên", "2020-2025", True)]
    assert got["cau-giay-2022-h1"] == [("04-CTr/QU", "Quận ủy Cầu Giấy", "2020-2025", True)]
    assert got["cu-khoi-2018-fy"] == [(n, "Quận ủy Long Biên", "2015-2020", True)
                                      for n in ("01-CTr/QU", "02-CTr/QU", "03-CTr/QU")]
    assert got["phuc-dong-2020-9m"] == [] and got["thanh-xuan-2021-q4"] == []


def test_observations_let_a_reader_follow_one_programme():
    _, _, obs = pipeline_tables()
    key = "02-CTr/QU · Quận ủy Long Biên · 2020-2025"
    follows = obs[[key in (keys or []) for keys in obs["programme_keys"]]]
    assert len(follows) and set(follows["unit_name"]) == {"Thạch Bàn"}
    old = "02-CTr/QU · Quận ủy Long Biên · 2015-2020"
    assert set(obs[[old in (k or []) for k in obs["programme_keys"]]]["unit_name"]) == {"Cự Khối"}
