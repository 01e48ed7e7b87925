"""Loading a folder of reports: checksums, duplicates, the manifest, and what the analyst is told.

Each test copies bundled reports into a temporary folder, adds what it needs,
loads the folder (metadata read from each text) and checks the reports table,
the messages, and that the raw files were left exactly as they were.
"""
from __future__ import annotations

import hashlib
import shutil
from datetime import date
from pathlib import Path

import pytest

from _encodings import to_tcvn3
from _files import snapshot
from analysis import paths, schema
from analysis.load import load_reports
from analysis.text import normalize_text

SEED = paths.RAW / "thach-ban-2021-h1.txt"
SEED_TEXT = SEED.read_text(encoding="utf-8")
HEADING_SEED = paths.RAW / "thanh-xuan-2021-q4.txt"


@pytest.fixture
def raw(tmp_path) -> Path:
    """A raw folder holding two real reports."""
    folder = tmp_path / "raw"
    folder.mkdir()
    for name in ("thach-ban-2021-h1.txt", "cu-khoi-2018-fy.txt"):
        shutil.copy(paths.RAW / name, folder / name)
    return folder


def codes(result, level=None):
    return [m.code for m in result.messages if level is None or m.level == level]


def write_manifest(folder: Path, text: str) -> Path:
    p = folder / "reports.csv"
    p.write_text(text, encoding="utf-8")
    return p


# ---------------------------------------------------------------- loading a folder

def test_load_records_checksums_and_reads_metadata(raw):
    before = snapshot(raw)
    result = load_reports(raw, None)
    assert list(result.reports["doc_id"]) == ["cu-khoi-2018-fy", "thach-ban-2021-h1"]
    row = result.reports.set_index("doc_id").loc["thach-ban-2021-h1"]
    assert row["sha256"] == hashlib.sha256((raw / "thach-ban-2021-h1.txt").read_bytes()).hexdigest()
    assert row["source_file"] == "thach-ban-2021-h1.txt"
    assert (row["unit_name"], row["period"], row["doc_kind"]) == ("Thạch Bàn", "2021-H1", "results")
    assert row["text"] == normalize_text(SEED_TEXT) and row["n_chars"] == len(row["text"])
    assert result.messages == []
    schema.validate(result.reports, schema.REPORTS)
    assert snapshot(raw) == before


def test_same_report_under_two_names_is_loaded_once(raw):
    shutil.copy(raw / "thach-ban-2021-h1.txt", raw / "zz-copy-of-thach-ban.txt")
    (raw / "thach-ban-utf16.txt").write_bytes(SEED_TEXT.encode("utf-16"))   # same text, other bytes
    before = snapshot(raw)
    result = load_reports(raw, None)
    assert sorted(result.reports["doc_id"]) == ["cu-khoi-2018-fy", "thach-ban-2021-h1"]
    dups = {r.file.rsplit("/", 1)[-1]: r.same_as.rsplit("/", 1)[-1] for r in result.duplicates}
    assert dups == {"zz-copy-of-thach-ban.txt": "thach-ban-2021-h1.txt",
                    "thach-ban-utf16.txt": "thach-ban-2021-h1.txt"}
    dup_messages = [str(m) for m in result.messages if m.code == "duplicate"]
    assert len(dup_messages) == 2
    assert all("loaded once as thach-ban-2021-h1" in m for m in dup_messages)
    assert any("zz-copy-of-thach-ban.txt" in m and "identical bytes" in m for m in dup_messages)
    assert all(r.sha256 for r in result.inputs)          # every input keeps its checksum
    assert snapshot(raw) == before


def test_duplicate_keeps_the_name_the_manifest_gives(raw):
    shutil.copy(raw / "thach-ban-2021-h1.txt", raw / "a-first-by-name.txt")
    write_manifest(raw, "file,doc\na-first-by-name.txt,thach-ban-official\n")
    result = load_reports(raw, raw / "reports.csv")
    assert "thach-ban-official" in set(result.reports["doc_id"])
    assert "thach-ban-2021-h1" not in set(result.reports["doc_id"])


def test_unit_that_cannot_be_read_names_the_manifest_field_and_the_rest_goes_on(raw):
    (raw / "khong-ro-don-vi.txt").write_text(
        "Báo cáo kết quả 6 tháng đầu năm 2021\nNgày đăng 16/07/2021\n"
        "Có 5209/5318 hộ đăng ký gia đình văn hóa, đạt 97,95%.", encoding="utf-8")
    write_manifest(raw, "file,doc\n")
    before = snapshot(raw)
    result = load_reports(raw, raw / "reports.csv")
    [m] = [m for m in result.messages if m.level != "info"]
    assert (m.code, m.field, m.level) == ("no_unit", "unit_name", "warning")
    assert str(m).startswith("warning: ") and "khong-ro-don-vi.txt" in str(m)
    assert "fill in unit_name and unit_level" in str(m) and "reports.csv" in str(m)
    assert len(result.reports) == 3               # loaded all the same, with the others
    assert result.reports.set_index("doc_id").loc["khong-ro-don-vi", "period"] == "2021-H1"
    assert snapshot(raw) == before


def test_period_that_cannot_be_read_names_the_manifest_field(raw):
    (raw / "khong-ro-ky.txt").write_text(
        "Kết quả công tác của phường Thạch Bàn\nCó 36 tin tuyên truyền trên cổng thông tin.",
        encoding="utf-8")
    result = load_reports(raw, None)
    [m] = [m for m in result.messages if m.level != "info"]
    assert (m.code, m.field, m.doc) == ("no_period", "period", "khong-ro-ky")
    assert "fill in period for this file" in m.text and "e.g. 2021-H1" in m.text
    assert len(result.reports) == 3


def test_manifest_fills_what_the_text_does_not_give(raw):
    (raw / "khong-ro-ky.txt").write_text(
        "Kết quả công tác của phường Thạch Bàn\nCó 36 tin tuyên truyền trên cổng thông tin.",
        encoding="utf-8")
    write_manifest(raw, "file,doc,period\nkhong-ro-ky.txt,thach-ban-2022-h2,2022-H2\n")
    result = load_reports(raw, raw / "reports.csv")
    assert [m for m in result.messages if m.level != "info"] == []
    row = result.reports.set_index("doc_id").loc["thach-ban-2022-h2"]
    assert row["period"] == "2022-H2"
    assert (str(row["period_start"].date()), str(row["period_end"].date()), row["period_months"]) == \
        ("2022-07-01", "2022-12-31", 6)


def test_manifest_contradicting_the_text_is_named_and_the_manifest_wins(raw):
    write_manifest(raw, "file,doc,period,unit_name\nthach-ban-2021-h1.txt,thach-ban-2021-h1,2021-H2,Thạch Bàn\n")
    result = load_reports(raw, raw / "reports.csv")
    [m] = result.messages
    assert (m.code, m.field, m.doc) == ("manifest_contradicts", "period", "thach-ban-2021-h1")
    assert "gives period '2021-H2' but the text reads '2021-H1'" in m.text
    row = result.reports.set_index("doc_id").loc["thach-ban-2021-h1"]
    assert row["period"] == "2021-H2" and str(row["period_start"].date()) == "2021-07-01"
    # the other report is untouched by the manifest
    assert result.reports.set_index("doc_id").loc["cu-khoi-2018-fy", "period"] == "2018-FY"


def test_manifest_row_for_a_missing_file(raw):
    write_manifest(raw, "file,doc\nthach-ban-2021-h1.txt,thach-ban-2021-h1\nda-xoa.txt,da-xoa\n")
    result = load_reports(raw, raw / "reports.csv")
    [m] = result.messages
    assert (m.code, m.level) == ("manifest_missing_file", "warning")
    assert "line 3 names 'da-xoa.txt'" in m.text and "add the file or remove the row" in m.text
    assert len(result.reports) == 2


def test_period_in_the_future(raw):
    (raw / "tuong-lai.txt").write_text(
        "Kết quả 6 tháng đầu năm 2099 trên địa bàn phường Thạch Bàn\nCó 36 tin tuyên truyền.",
        encoding="utf-8")
    result = load_reports(raw, None, today=date(2025, 1, 1))
    [m] = result.messages
    assert (m.code, m.field, m.doc) == ("future_period", "period", "tuong-lai")
    assert "2099-H1 has not begun yet (today is 2025-01-01)" in m.text
    # the same reports read in 2100 are fine: today is read when called, not at import
    assert load_reports(raw, None, today=date(2100, 1, 1)).messages == []


def test_unreadable_files_in_a_folder_are_errors_and_the_rest_goes_on(raw):
    (raw / "rong.txt").write_bytes(b"")
    (raw / "anh.txt").write_bytes(bytes(range(256)) * 8)
    (raw / "la.txt").write_bytes("Отчёт о работе района".encode("koi8-r"))
    (raw / "ban-scan.pdf").write_bytes(b"%PDF-1.4\n")
    (raw / ".hidden.txt").write_text("Có 36 tin", encoding="utf-8")
    before = snapshot(raw)
    result = load_reports(raw, None)
    by_file = {m.file.rsplit("/", 1)[-1]: m for m in result.messages}
    assert set(by_file) == {"rong.txt", "anh.txt", "la.txt", "ban-scan.pdf"}
    assert by_file["rong.txt"].code == "empty" and by_file["rong.txt"].level == "error"
    assert by_file["anh.txt"].code == "binary"
    assert by_file["la.txt"].code == "encoding" and "save it as UTF-8" in by_file["la.txt"].text
    assert by_file["ban-scan.pdf"].code == "skipped" and "PDF" in by_file["ban-scan.pdf"].text
    assert sorted(result.reports["doc_id"]) == ["cu-khoi-2018-fy", "thach-ban-2021-h1"]
    assert {r.status for r in result.inputs} == {"loaded", "failed", "skipped"}
    assert snapshot(raw) == before


def test_two_files_claiming_one_doc_id(raw):
    (raw / "sub").mkdir()
    (raw / "sub" / "thach-ban-2021-h1.txt").write_text(
        "Kết quả 9 tháng đầu năm 2021 phường Thạch Bàn: có 40 tin.", encoding="utf-8")
    result = load_reports(raw, None)
    [m] = [m for m in result.messages if m.code == "doc_id_taken"]
    assert "already taken by" in m.text and "(column doc)" in m.text
    assert list(result.reports["doc_id"]).count("thach-ban-2021-h1") == 1


def test_legacy_inputs_are_said_how_they_were_read(raw):
    (raw / "cu.txt").write_bytes(to_tcvn3(HEADING_SEED.read_text(encoding="utf-8")))
    result = load_reports(raw, None)
    [m] = result.messages
    assert (m.level, m.code, m.text) == ("info", "decoded", "read as plain text, TCVN3 (ABC)")
    assert result.reports.set_index("doc_id").loc["cu", "unit_name"] == "Thanh Xuân"


def test_the_bundled_raw_folder_loads_cleanly():
    before = snapshot(paths.RAW)
    result = load_reports()
    assert list(result.reports["doc_id"]) == sorted(p.stem for p in paths.RAW.glob("*.txt"))
    assert result.messages == []
    assert snapshot(paths.RAW) == before
