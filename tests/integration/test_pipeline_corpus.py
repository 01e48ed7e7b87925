"""One pipeline runner: the build, a period rebuild and read_corpus give the same tables.

These run the pipeline over folders holding bundled reports (and the build
itself), so they are integration tests; the per-file step on small inline
texts is tested in ``tests/unit/test_pipeline.py``.
"""
from __future__ import annotations

import shutil

import pandas as pd
import pytest

from _files import write_empty_corrections
from analysis import paths
from analysis.build import build
from analysis.pipeline import read_corpus, run_corpus
from analysis.store import read_table

# A short report written for this test: it states a period and a figure, and names no ward or district.
NO_UNIT = ("Báo cáo kết quả công tác 6 tháng đầu năm 2021\n"
           "Trong kỳ đã cấp 14 giấy chứng nhận quyền sử dụng đất cho các hộ gia đình.")
BUNDLED = "thach-ban-2021-h1.txt"


@pytest.fixture
def mixed(tmp_path):
    """One bundled report and a short text with a period and a figure but no unit."""
    folder = tmp_path / "raw"
    folder.mkdir()
    shutil.copy(paths.RAW / BUNDLED, folder / BUNDLED)
    (folder / "khong-ro-don-vi.txt").write_text(NO_UNIT, encoding="utf-8")
    return folder


def test_read_corpus_takes_a_report_without_unit_as_the_build_does(mixed):
    # read_corpus used to raise "SchemaError: observations.unit_name: 2 null value(s)" here
    corpus = read_corpus(mixed)
    reports = corpus.reports.set_index("doc_id")
    assert list(reports.index) == ["khong-ro-don-vi", "thach-ban-2021-h1"]
    assert pd.isna(reports.loc["khong-ro-don-vi", "unit_name"])
    assert reports.loc["khong-ro-don-vi", "period"] == "2021-H1"
    # its figure is a fact, but with no unit it is nobody's observation
    assert 14.0 in set(corpus.facts.loc[corpus.facts["doc_id"] == "khong-ro-don-vi", "value"])
    assert set(corpus.observations["doc_id"]) == {"thach-ban-2021-h1"}
    assert set(corpus.observations["unit_name"]) == {"Thạch Bàn"}


def test_the_runner_names_the_field_to_fill_in(mixed):
    result = run_corpus(mixed)
    [said] = [m for m in result.messages if m.doc == "khong-ro-don-vi" and m.level == "warning"]
    assert said.field == "unit_name" and "khong-ro-don-vi.txt" in said.file


def test_read_corpus_gives_the_tables_the_build_writes(mixed, tmp_path):
    summary = build(mixed, tmp_path / "out", progress=False,
                    corrections=write_empty_corrections(tmp_path / "corrections.csv"))
    corpus = read_corpus(mixed)
    stored = {name: read_table(name, summary.out) for name in ("reports", "facts", "observations")}
    assert sorted(stored["reports"]["doc_id"]) == sorted(corpus.reports["doc_id"])
    for name, key in (("facts", ["fact_id", "value", "unit", "kind", "indicator_id", "is_implausible"]),
                      ("observations", ["fact_id", "unit_name", "period", "indicator_id", "value"])):
        built = stored[name][key].astype(object).sort_values("fact_id").reset_index(drop=True)
        memory = getattr(corpus, name)[key].astype(object).sort_values("fact_id").reset_index(drop=True)
        pd.testing.assert_frame_equal(built, memory, check_dtype=False)


def test_the_tables_do_not_depend_on_the_number_of_workers(tmp_path):
    folder = tmp_path / "raw"
    shutil.copytree(paths.RAW, folder)
    shutil.copy(folder / BUNDLED, folder / "ban-sao.txt")          # a copy: a duplicate, said once
    manifest = folder / "reports.csv"
    one = run_corpus(folder, manifest, jobs=1)
    two = run_corpus(folder, manifest, jobs=2)
    for name in ("reports", "facts", "observations"):
        pd.testing.assert_frame_equal(getattr(one, name).reset_index(drop=True),
                                      getattr(two, name).reset_index(drop=True))
    assert [str(m) for m in one.messages] == [str(m) for m in two.messages]
    assert [r.status for r in one.inputs].count("duplicate") == 1


def test_a_period_rebuild_reads_only_what_may_be_of_that_period(tmp_path):
    folder = tmp_path / "raw"
    shutil.copytree(paths.RAW, folder)
    stored = run_corpus(folder, folder / "reports.csv").reports[["doc_id", "period", "sha256"]]
    (folder / "moi.txt").write_text(NO_UNIT.replace("2021", "2019"), encoding="utf-8")
    result = run_corpus(folder, folder / "reports.csv", periods=["2021-H1"], stored=stored)
    # the stored reports of other periods are not read again; the new file is, and is named
    assert sorted(r.file.rsplit("/", 1)[-1] for r in result.inputs) == ["moi.txt", BUNDLED]
    assert list(result.reports["doc_id"]) == ["thach-ban-2021-h1"]
    assert set(result.observations["period"]) == {"2021-H1"}
    [other] = [m for m in result.messages if m.code == "other_period"]
    assert other.doc == "moi" and "2019-H1" in other.text
