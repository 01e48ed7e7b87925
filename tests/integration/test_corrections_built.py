"""Analysts' corrections: kept as data, found again by content, applied by every build.

Each test builds a small report written for the test into a temporary folder
(never data/processed) with a corrections file beside it. Checking a correction
before it is written needs no build: ``tests/unit/test_corrections.py``.
"""
from __future__ import annotations

import csv
import json
import multiprocessing
import shutil

import pandas as pd
import pytest

from analysis.build import BuildFailed, build
from analysis.cli import main
from analysis.corrections import (
    COLUMNS,
    append_corrections,
    fact_correction,
    read_corrections,
    report_correction,
)
from analysis.review import review_tally
from analysis.store import read_table

DOC = "ngoc-lam-2023-h1"
TEXT = """UỶ BAN NHÂN DÂN PHƯỜNG NGỌC LÂM
BÁO CÁO
Kết quả công tác 6 tháng đầu năm 2023
1. Văn hóa
Toàn phường có 1.204/1.250 hộ đạt danh hiệu gia đình văn hóa, đạt tỷ lệ 96,3%.
Tổ chức 12 buổi tập huấn cho cán bộ tổ dân phố.
2. Y tế
Khám sức khỏe định kỳ cho 340 người cao tuổi trên địa bàn.
"""


@pytest.fixture
def folder(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / f"{DOC}.txt").write_text(TEXT, encoding="utf-8")
    return tmp_path


def _build(folder, **kw):
    """Build the folder's report with the folder's own corrections file (named: not the default)."""
    kw.setdefault("corrections", folder / "corrections.csv")
    return build(raw=folder / "raw", out=folder / "processed", progress=False, **kw)


def _tables(folder):
    return [read_table(n, folder / "processed") for n in ("reports", "facts", "observations")]


def _fact(facts, raw):
    rows = facts[facts["raw"] == raw]
    assert len(rows) == 1, (raw, facts["raw"].tolist())
    return rows.iloc[0].to_dict()


def _decide(folder, raw, action, field=None, value=None, text=TEXT):
    """What the review app does on a click: a row for the figure as the build read it."""
    facts = _tables(folder)[1]
    append_corrections([fact_correction(_fact(facts, raw), text, action, field, value,
                                        reviewer="test")], folder / "corrections.csv")


def test_corrections_are_applied_and_facts_say_they_were_reviewed(folder):
    _build(folder)
    _decide(folder, "12", "reject")
    _decide(folder, "340", "set", "indicator_id", "")            # not the visits indicator
    _decide(folder, "96,3%", "confirm")
    _decide(folder, "1.204/1.250", "set", "qualifier", "approx")
    append_corrections([report_correction(DOC, "period", "2023-9M", reviewer="test")],
                       folder / "corrections.csv")

    summary = _build(folder)
    reports, facts, obs = _tables(folder)
    assert "corrections: 5 applied" in summary.format_table()
    assert not summary.problems
    assert "12" not in set(facts["raw"])                          # rejected: not a fact any more
    assert pd.isna(_fact(facts, "340")["indicator_id"])
    assert json.loads(_fact(facts, "340")["corrected_from"]) == {"indicator_id": "medical_visits"}
    assert _fact(facts, "96,3%")["review_status"] == "confirmed"
    assert _fact(facts, "1.204/1.250")["qualifier"] == "approx"
    assert _fact(facts, "1.204/1.250")["review_status"] == "corrected"
    rep = reports.iloc[0]
    assert rep["period"] == "2023-9M" and rep["period_end"].month == 9 and rep["period_months"] == 9
    # observations follow: the new period, no row for the figure without indicator
    assert set(obs["period"]) == {"2023-9M"}
    assert "340" not in set(obs["raw"])
    assert set(obs["review_status"]) == {"corrected"}            # its report was corrected
    assert json.loads(obs.loc[obs["raw"] == "96,3%", "corrected_from"].iloc[0]) == \
        {"period": "2023-H1"}
    # the raw report is never modified
    assert (folder / "raw" / f"{DOC}.txt").read_text(encoding="utf-8") == TEXT


def test_a_correction_is_found_again_after_the_text_above_is_edited(folder):
    _build(folder)
    _decide(folder, "96,3%", "set", "value", "96.5")
    edited = TEXT.replace("BÁO CÁO\n", "BÁO CÁO\n(Bản sửa đổi, bổ sung số liệu quý II)\n")
    (folder / "raw" / f"{DOC}.txt").write_text(edited, encoding="utf-8")
    summary = _build(folder)
    facts = _tables(folder)[1]
    fact = _fact(facts, "96,3%")
    assert fact["start"] == edited.index("96,3%")                 # its new place
    assert fact["value"] == 96.5 and fact["review_status"] == "corrected"
    assert "corrections: 1 applied (1 found at new offsets), 0 no longer match" in str(summary)


def test_a_correction_whose_number_changed_is_reported_not_applied(folder):
    _build(folder)
    _decide(folder, "96,3%", "reject")
    (folder / "raw" / f"{DOC}.txt").write_text(TEXT.replace("96,3%", "96,8%"), encoding="utf-8")
    summary = _build(folder)
    facts = _tables(folder)[1]
    assert _fact(facts, "96,8%")["review_status"] == "unreviewed"  # not rejected
    [warning] = [m for m in summary.problems if m.code == "correction_unmatched"]
    assert warning.file.endswith("corrections.csv:2")              # the row, by its line
    assert "now reads '96,8%', not '96,3%'" in warning.text
    assert "corrections: 0 applied (0 found at new offsets), 1 no longer match" in str(summary)
    assert str(warning) in summary.format_table()
    with pytest.raises(BuildFailed, match="--strict"):
        _build(folder, strict=True)
    out = folder / "processed"
    assert main(["build", "--raw", str(folder / "raw"), "--out", str(out), "--quiet", "--strict",
                 "--corrections", str(folder / "corrections.csv")]) == 1


def test_a_build_of_some_periods_applies_what_it_can_and_says_what_needs_a_full_build(folder):
    _build(folder)
    _decide(folder, "12", "reject")
    append_corrections([report_correction(DOC, "period", "2023-9M"),
                        report_correction("other-report-2019-fy", "doc_kind", "plan")],
                       folder / "corrections.csv")
    summary = _build(folder, periods=["2023-H1"])
    assert summary.written and "12" not in set(_tables(folder)[1]["raw"])
    [warning] = summary.problems                                   # the other report: not reported
    assert warning.code == "correction_needs_full_build" and "without --period" in warning.text
    summary = _build(folder)
    assert _tables(folder)[0]["period"].tolist() == ["2023-9M"]
    assert [m.code for m in summary.problems] == ["correction_unmatched"]   # the other report


def test_a_renamed_report_keeps_its_corrections(folder):
    _build(folder)
    _decide(folder, "12", "reject")
    append_corrections([report_correction(DOC, "doc_kind", "plan",
                                          sha256=_tables(folder)[0]["sha256"].iloc[0])],
                       folder / "corrections.csv")
    shutil.move(folder / "raw" / f"{DOC}.txt", folder / "raw" / "bao-cao-ngoc-lam.txt")
    summary = _build(folder)
    reports, facts, _ = _tables(folder)
    assert list(reports["doc_id"]) == ["bao-cao-ngoc-lam"]
    assert reports["doc_kind"].iloc[0] == "plan"
    assert "12" not in set(facts["raw"]) and not summary.problems


def test_a_malformed_row_is_one_line_and_the_build_goes_on(folder):
    _build(folder)
    _decide(folder, "12", "reject")
    with open(folder / "corrections.csv", "a", encoding="utf-8") as fh:
        fh.write(f"{DOC},191,193,12,,,,rejct,,,,lan,\n")
        fh.write(f"{DOC},,,,,,,set,period,2023-H3,,lan,\n")
        fh.write(f"{DOC},265,268,340,,,,set,indicator_id,no_such_indicator,,lan,\n")
        fh.write(f"{DOC},265,268,340,,,,set,value,1.204,5,,lan,\n")
    summary = _build(folder)
    errors = [str(m) for m in summary.problems if m.code == "bad_correction"]
    assert len(errors) == 4 and all("\n" not in e for e in errors)
    assert "corrections.csv:3: action 'rejct' is not one of confirm, reject, set" in errors[0]
    assert "corrections.csv:4: period '2023-H3' is not a period code" in errors[1]
    assert "corrections.csv:5: indicator 'no_such_indicator' is not in" in errors[2]
    assert "corrections.csv:6: has 14 fields where the header has 13; put values holding " \
           "commas in double quotes" in errors[3]
    assert summary.written
    assert "12" not in set(_tables(folder)[1]["raw"])               # the good row still applied


def _writer(path, who, n):
    for i in range(n):
        append_corrections([report_correction(DOC, "unit_name", f"{who} {i}", reviewer=who,
                                              note="ghi chú, có dấu phẩy")], path)


def test_two_analysts_saving_at_once_lose_nothing(tmp_path):
    path = tmp_path / "corrections.csv"
    n = 150
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(path, who, n)) for who in ("lan", "minh")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
        assert p.exitcode == 0
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == list(COLUMNS) and rows.count(list(COLUMNS)) == 1
    assert len(rows) == 1 + 2 * n and all(len(r) == len(COLUMNS) for r in rows)
    got = read_corrections(path)
    assert not got.messages
    for who in ("lan", "minh"):
        mine = [r["value"] for r in got.rows if r["reviewer"] == who]
        assert mine == [f"{who} {i}" for i in range(n)]            # all there, in order


def test_evaluate_scores_the_extractor_against_the_reviewed_figures(folder, capsys):
    _build(folder)
    _decide(folder, "96,3%", "confirm")                            # right as read
    _decide(folder, "1.204/1.250", "set", "qualifier", "approx")   # right number, wrong qualifier
    _decide(folder, "12", "reject")                                # not a figure
    _build(folder)
    assert main(["evaluate", "--reviewed", str(folder / "processed"),
                 "--corrections", str(folder / "corrections.csv")]) == 0
    out = capsys.readouterr().out
    assert "2 gold fact(s)" in out
    assert "| facts precision | 0.667 |" in out                    # the rejected one is found again
    assert "| facts recall | 1.000 |" in out
    assert "| qualifier agreement | 0.500 |" in out
    # trust you can count: the data-quality notebook's table per report
    facts = _tables(folder)[1]
    [row] = review_tally(facts, "doc_id", folder / "corrections.csv").to_dict("records")
    assert (row["figures"], row["reviewed"], row["right"], row["corrected"], row["rejected"]) == \
        (4, 3, 1, 1, 1)
