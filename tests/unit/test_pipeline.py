"""The per-file step and the corpus step of the pipeline, on short texts of our own.

No build and no worker process here (``jobs=1`` runs in this process); the
runner over the bundled reports and the build are tested in
``tests/integration/test_pipeline_corpus.py``.
"""
from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from analysis.extract import extract_facts
from analysis.indicators import assign_indicators
from analysis.load import plan_inputs
from analysis.pipeline import (
    FileTask,
    Progress,
    ReportJob,
    bound_for,
    facts_for_report,
    plan_periods,
    plausibility_bounds,
    process_file,
    process_files,
    process_report,
    run_corpus,
)

TODAY = date(2026, 1, 1)
# Three short reports written for these tests: two name their ward and period,
# the third states a period and a figure but names no unit.
TEXTS = {
    "ngoc-lam.txt": ("Báo cáo kết quả 6 tháng đầu năm 2021 của UBND phường Ngọc Lâm, quận Long Biên.\n"
                     "Tỷ lệ hộ gia đình đạt danh hiệu gia đình văn hóa đạt 93,5%.\n"
                     "Phường đã cấp 28 giấy chứng nhận quyền sử dụng đất."),
    "bo-de.txt": ("Báo cáo kết quả 9 tháng đầu năm 2022 của UBND phường Bồ Đề, quận Long Biên.\n"
                  "Tổng thu ngân sách đạt 12.877.755.000 đồng, đạt 120% kế hoạch năm."),
    "khong-ro.txt": ("Báo cáo kết quả công tác 6 tháng đầu năm 2021\n"
                     "Trong kỳ đã cấp 14 giấy chứng nhận quyền sử dụng đất cho các hộ gia đình."),
}


@pytest.fixture
def folder(tmp_path):
    for name, text in TEXTS.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_facts_for_report_is_extract_then_indicators():
    text = TEXTS["ngoc-lam.txt"]
    assert facts_for_report(text, "ngoc-lam") == assign_indicators(extract_facts(text, "ngoc-lam"), text)


def test_process_report_is_pure_and_repeatable():
    job = ReportJob("ngoc-lam", TEXTS["ngoc-lam.txt"], "ngoc-lam.txt", "ward")
    first, second = process_report(job), process_report(job)
    assert first == second and first.messages == []
    assert sorted(f["value"] for f in first.facts) == [28.0, 93.5]
    assert len({f["fact_id"] for f in first.facts}) == len(first.facts)


def test_one_file_is_read_described_extracted_and_observed(folder):
    out = process_file(folder / "ngoc-lam.txt", today=TODAY)
    assert out.reports[["doc_id", "unit_name", "period"]].values.tolist() == [["ngoc-lam", "Ngọc Lâm", "2021-H1"]]
    assert sorted(out.batch.facts["value"]) == [28.0, 93.5]
    obs = out.batch.observations
    assert set(obs["unit_name"]) == {"Ngọc Lâm"} and set(obs["period"]) == {"2021-H1"}
    assert out.said == [[]] and out.batch.messages == []


def test_a_report_without_unit_keeps_its_facts_and_has_no_observations(folder):
    out = process_file(folder / "khong-ro.txt", today=TODAY)
    assert pd.isna(out.reports["unit_name"].iloc[0]) and out.reports["period"].iloc[0] == "2021-H1"
    assert list(out.batch.facts["value"]) == [14.0]
    assert out.batch.observations.empty
    [said] = out.said[0]
    assert said.field == "unit_name" and said.level == "warning"


def test_a_batch_of_files_gives_the_tables_of_each_file_put_together(folder):
    plan = plan_inputs(folder, None)
    whole = process_files(FileTask(tuple(plan.inputs), plan.mshown, TODAY))
    parts = [process_files(FileTask((inp,), plan.mshown, TODAY)) for inp in plan.inputs]
    for name in ("facts", "observations"):
        joined = pd.concat([getattr(p.batch, name) for p in parts], ignore_index=True)
        pd.testing.assert_frame_equal(getattr(whole.batch, name).reset_index(drop=True), joined,
                                      check_dtype=False)
    assert list(whole.reports["doc_id"]) == [d for p in parts for d in p.reports["doc_id"]]


def test_the_corpus_keeps_the_first_of_two_identical_files(folder):
    (folder / "zz-ban-sao.txt").write_text(TEXTS["bo-de.txt"], encoding="utf-8")
    result = run_corpus(folder, None, today=TODAY)
    assert list(result.reports["doc_id"]) == ["bo-de", "khong-ro", "ngoc-lam"]
    [copy] = [r for r in result.inputs if r.status == "duplicate"]
    assert copy.file.endswith("zz-ban-sao.txt") and copy.same_as.endswith("bo-de.txt")
    assert [m.doc for m in result.messages if m.code == "duplicate"] == ["bo-de"]
    # each report's file is named beside it, in the order of the reports table
    assert [f.rsplit("/", 1)[-1] for f in result.files] == ["bo-de.txt", "khong-ro.txt", "ngoc-lam.txt"]
    assert set(result.observations["doc_id"]) == {"bo-de", "ngoc-lam"}


def test_a_period_plan_keeps_new_files_and_those_of_the_period(folder):
    plan = plan_inputs(folder, None)
    before = run_corpus(folder, None, today=TODAY).reports
    stored = before[["doc_id", "period", "sha256"]]
    (folder / "moi.txt").write_text(TEXTS["khong-ro.txt"].replace("14", "15"), encoding="utf-8")
    chosen = plan_periods(plan_inputs(folder, None), ["2021-H1"], stored)
    names = sorted(i.path.name for i in chosen.inputs)
    # the 2022 report stored before is not read again
    assert names == ["khong-ro.txt", "moi.txt", "ngoc-lam.txt"] and len(plan.inputs) == 3


def test_the_bounds_depend_on_the_units_level():
    bounds = plausibility_bounds()
    ward, district = (bound_for(bounds, "vnd", "amount", lv).high for lv in ("ward", "district"))
    assert ward < district
    assert bound_for(bounds, "percent", "rate", "ward").high < 4000
    assert all(b.note for b in bounds)


def test_progress_is_silent_off_a_terminal_and_shows_when_asked(capsys):
    quiet = Progress(True)           # stderr is not a terminal under pytest
    quiet.phase("reading", 2)(2, 2, "a.txt")
    assert capsys.readouterr().err == ""
    loud = Progress("always")
    loud.phase("reading", 2)(2, 2, "a.txt")
    err = capsys.readouterr().err
    assert "reading" in err and "2/2" in err
