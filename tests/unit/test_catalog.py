"""The indicator catalogue: one loader, one cache, each indicator's properties."""
from __future__ import annotations

import os
import shutil

import pytest

from analysis import catalog
from analysis.catalog import (
    CATALOG_FILE,
    CatalogError,
    Indicator,
    indicator,
    indicator_info,
    indicator_properties,
    load_catalog,
    properties,
)


def test_an_indicator_has_its_catalogue_properties():
    stunting = indicator("child_stunting_rate")
    assert isinstance(stunting, Indicator)
    assert (stunting.direction, stunting.aggregation, stunting.unit, stunting.is_core) == \
        ("down", "stock", "percent", True)
    assert indicator("jobs_created").is_flow
    with pytest.raises(KeyError, match="not in the catalogue"):
        indicator("no_such_indicator")


def test_every_catalogue_row_is_an_indicator_with_the_same_properties_as_the_table():
    table = indicator_properties()
    cat = load_catalog()
    for r in cat.to_dict("records"):
        ind = indicator(r["indicator_id"])
        assert (ind.direction, ind.aggregation, ind.unit) == (r["direction"], r["aggregation"], r["unit"])
        assert table.loc[r["indicator_id"], "direction"] == r["direction"]
        assert ind.name_vi == r["name_vi"] and indicator_info(r["indicator_id"])["name_en"] == r["name_en"]


def test_an_unknown_id_gets_the_documented_default():
    share = properties("made_up_share", "percent")
    assert (share.direction, share.aggregation) == ("none", "stock")
    assert properties("made_up_rate").aggregation == "stock"       # an id ending in _rate is a share
    assert properties("made_up_total", "vnd").aggregation == "flow"
    assert properties("child_stunting_rate", "vnd") == indicator("child_stunting_rate")


def test_the_file_is_read_once_and_again_when_it_changes(tmp_path, monkeypatch):
    path = tmp_path / "indicators.csv"
    shutil.copy(CATALOG_FILE, path)
    reads = []
    real = catalog._read_catalog
    monkeypatch.setattr(catalog, "_read_catalog", lambda p: reads.append(p) or real(p))
    first = load_catalog(path)
    load_catalog(path), indicator("jobs_created", path), indicator_properties(path)
    assert len(reads) == 1
    first.loc[0, "name_vi"] = "changed by a caller"               # a copy: the cache is not touched
    assert load_catalog(path).loc[0, "name_vi"] != "changed by a caller"
    text = path.read_text(encoding="utf-8")
    name = indicator("jobs_created", path).name_vi
    path.write_text(text.replace(name, "Số người có việc làm mới"), encoding="utf-8")
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    assert indicator("jobs_created", path).name_vi == "Số người có việc làm mới"
    assert len(reads) == 2


def test_a_broken_catalogue_says_which_file_and_what_to_fix(tmp_path):
    path = tmp_path / "indicators.csv"
    path.write_text("indicator_id,is_core\nx,maybe\n", encoding="utf-8")
    with pytest.raises(CatalogError, match=r"indicators.csv: missing column\(s\)"):
        load_catalog(path)
    with pytest.raises(CatalogError, match="indicator catalogue missing"):
        load_catalog(tmp_path / "nothing.csv")
