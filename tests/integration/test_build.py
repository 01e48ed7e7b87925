"""The build: what the analyst sees, and nothing lost.

Builds run on copies of the bundled reports in temporary folders; every test
checks that the raw files were left exactly as they were.
"""
from __future__ import annotations

import re
import shutil
import signal
import subprocess
import sys
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from _files import snapshot, tree_hash
from analysis import paths, schema
from analysis.build import BuildFailed, build
from analysis.store import read_table

SEEDS = sorted(paths.RAW.glob("*.txt"))
NO_UNIT = ("Báo cáo kết quả 6 tháng đầu năm 2021\nNgày đăng 16/07/2021\n"
           "Có 5209/5318 hộ đăng ký gia đình văn hóa, đạt 97,95%.")


@pytest.fixture
def raw(tmp_path) -> Path:
    """A copy of data/raw: the five reports and their manifest."""
    folder = tmp_path / "raw"
    shutil.copytree(paths.RAW, folder)
    return folder


def run_build(raw: Path, *args, **kwargs):
    """Build, checking that no raw file was touched (also when the build fails)."""
    before = snapshot(raw)
    try:
        return build(raw, *args, **kwargs)
    finally:
        assert snapshot(raw) == before, "the build modified a raw file"


@pytest.fixture(scope="module")
def clean_build(tmp_path_factory):
    out = tmp_path_factory.mktemp("built") / "processed"
    summary = build(paths.RAW, out, progress=False)
    return summary, out


def hashes(folder: Path) -> dict[str, str]:
    """Each table and its checksum (a partitioned table: all its files)."""
    return {p.name: tree_hash(p) for p in sorted(folder.glob("*.parquet"))}


# ---------------------------------------------------------------- the pipeline

def test_build_writes_three_valid_tables_and_a_summary(clean_build):
    summary, out = clean_build
    assert summary.written and hashes(out).keys() == {"reports.parquet", "facts.parquet",
                                                      "observations.parquet"}
    reports, facts, obs = (read_table(n, out) for n in ("reports", "facts", "observations"))
    schema.validate(reports, schema.REPORTS)
    schema.validate(facts, schema.FACTS)
    schema.validate(obs, schema.OBSERVATIONS)
    assert sorted(reports["doc_id"]) == [p.stem for p in SEEDS]
    # offsets point into the stored text
    texts = dict(zip(reports["doc_id"], reports["text"]))
    assert all(texts[d][s:e] == r for d, s, e, r in zip(facts["doc_id"], facts["start"], facts["end"], facts["raw"]))
    # the summary: each report with unit, period, kind, facts found and warnings
    counts = facts["doc_id"].value_counts()
    table = summary.format_table()
    for line in summary.lines:
        assert line.facts == counts[line.doc] and line.warnings == 0
        row = reports.set_index("doc_id").loc[line.doc]
        assert (line.unit, line.period, line.kind) == (row["unit_name"], row["period"], row["doc_kind"])
        assert any(ln.startswith(line.doc) and line.unit in ln and line.period in ln
                   and f" {line.facts} " in ln for ln in table.splitlines())
    assert table.splitlines()[0].split() == ["doc", "unit", "period", "kind", "facts", "warnings"]
    assert f"5 reports, {len(facts)} facts, {len(obs)} observations" in table


def test_progress_bars_only_on_a_terminal_or_when_asked(raw, tmp_path, capsys):
    # stderr is not a terminal here (as in CI logs): the default shows nothing
    run_build(raw, tmp_path / "out", progress=True)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""
    # asked for: a bar for reading and one for extracting, each over the 5 files
    run_build(raw, tmp_path / "again", progress="always")
    captured = capsys.readouterr()
    assert captured.out == ""
    assert re.search(r"reading: +100%.*5/5", captured.err)
    assert re.search(r"extracting: +100%.*5/5", captured.err)


def test_rebuild_gives_byte_identical_tables_serial_or_parallel(raw, tmp_path, clean_build):
    _, first = clean_build
    again = run_build(raw, tmp_path / "again", progress=False, jobs=1).out
    parallel = run_build(raw, tmp_path / "parallel", progress=False, jobs=2).out
    assert hashes(first) == hashes(again) == hashes(parallel)
    assert len(hashes(first)) == 3


# ---------------------------------------------------------------- what the analyst sees

def test_unreadable_unit_is_named_with_the_manifest_field_and_the_rest_goes_on(raw, tmp_path):
    (raw / "khong-ro-don-vi.txt").write_text(NO_UNIT, encoding="utf-8")
    summary = run_build(raw, tmp_path / "out", progress=False)
    line = next(ln for ln in summary.lines if ln.doc == "khong-ro-don-vi")
    assert (line.unit, line.period, line.warnings) == (None, "2021-H1", 1) and line.facts >= 1
    [m] = summary.problems
    assert m.field == "unit_name" and "khong-ro-don-vi.txt" in str(m) and "reports.csv" in str(m)
    assert str(m) in summary.format_table()
    assert summary.written and len(read_table("reports", summary.out)) == 6
    # its facts are kept; with no unit it cannot be an observation of one
    facts, obs = read_table("facts", summary.out), read_table("observations", summary.out)
    assert (facts["doc_id"] == "khong-ro-don-vi").any()
    assert not (obs["doc_id"] == "khong-ro-don-vi").any()
    assert set(obs["doc_id"]) == {p.stem for p in SEEDS} & set(obs["doc_id"])


def test_text_with_no_statistics_is_named(raw, tmp_path):
    (raw / "khong-so-lieu.txt").write_text(
        "Kết quả 6 tháng đầu năm 2021 của phường Phúc Lợi\n"
        "Đảng ủy phường đã lãnh đạo thực hiện tốt các nhiệm vụ chính trị của địa phương.",
        encoding="utf-8")
    summary = run_build(raw, tmp_path / "out", progress=False)
    [m] = summary.problems
    assert (m.code, m.doc, m.level) == ("no_statistics", "khong-so-lieu", "warning")
    assert "no statistics were found" in str(m) and "khong-so-lieu.txt" in str(m)
    assert next(ln for ln in summary.lines if ln.doc == "khong-so-lieu").facts == 0


def test_bad_files_are_named_and_the_build_goes_on(raw, tmp_path):
    (raw / "rong.txt").write_bytes(b"")
    (raw / "anh.txt").write_bytes(bytes(range(256)) * 8)
    (raw / "ma-la.txt").write_bytes("Отчёт о работе района".encode("koi8-r"))
    shutil.copy(raw / "cu-khoi-2018-fy.txt", raw / "cu-khoi-ban-sao.txt")
    (raw / "reports.csv").write_text(
        (raw / "reports.csv").read_text(encoding="utf-8") + "da-xoa.txt,da-xoa\n", encoding="utf-8")
    summary = run_build(raw, tmp_path / "out", progress=False)
    by_code = {m.code: str(m) for m in summary.problems}
    assert set(by_code) == {"empty", "binary", "encoding", "duplicate", "manifest_missing_file"}
    assert "rong.txt" in by_code["empty"] and "anh.txt" in by_code["binary"]
    assert "ma-la.txt" in by_code["encoding"] and "cu-khoi-ban-sao.txt" in by_code["duplicate"]
    assert "da-xoa.txt" in by_code["manifest_missing_file"]
    table = summary.format_table()
    assert "1 duplicate(s), 3 file(s) not loaded" in table
    assert all(s in table for s in by_code.values())
    assert sorted(ln.doc for ln in summary.lines) == [p.stem for p in SEEDS]
    assert summary.written


def test_period_in_the_future_is_named(raw, tmp_path):
    (raw / "tuong-lai.txt").write_text(
        "Kết quả 6 tháng đầu năm 2099 trên địa bàn phường Thạch Bàn\nCó 36 tin tuyên truyền.",
        encoding="utf-8")
    summary = run_build(raw, tmp_path / "out", progress=False, today=date(2030, 1, 1))
    [m] = summary.problems
    assert m.code == "future_period" and "2099-H1 has not begun yet" in str(m)


def test_manifest_contradicting_the_text_is_named(raw, tmp_path):
    (raw / "reports.csv").write_text("file,doc,unit_level\nthach-ban-2021-h1.txt,thach-ban-2021-h1,district\n",
                                     encoding="utf-8")
    summary = run_build(raw, tmp_path / "out", progress=False)
    [m] = summary.problems
    assert m.code == "manifest_contradicts" and "unit_level 'district' but the text reads 'ward'" in str(m)
    reports = read_table("reports", summary.out).set_index("doc_id")
    assert reports.loc["thach-ban-2021-h1", "unit_level"] == "district"


def test_reading_and_extracting_together_decide_as_the_loader_does(tmp_path):
    """Decide which files are loaded in file order, across batches, exactly as the loader does.

    Workers read and extract files in batches.
    """
    from analysis.build import process_batch
    from analysis.load import load_reports

    seeds = [p.read_bytes() for p in SEEDS]
    raw = tmp_path / "raw"
    files = {
        "a0.txt": seeds[0],
        "a1.txt": seeds[1],
        "b/x.txt": seeds[0],                                   # the same bytes as a0
        "c/x.txt": seeds[2],                                   # doc id x: free, b/x was not loaded
        "d.txt": seeds[1].replace(b"\n", b"\r\n"),             # the text of a1 again
        "e.txt": seeds[3],
        "f/a0.txt": seeds[4],                                  # doc id a0 is taken
        "g.txt": b"",
        "h.txt": seeds[4] + "\nGhi chú cuối trang.".encode(),
        "i.txt": NO_UNIT.encode(),
    }
    for name, data in files.items():
        (raw / name).parent.mkdir(parents=True, exist_ok=True)
        (raw / name).write_bytes(data)
    loaded = load_reports(raw, None)
    assert [r.status for r in loaded.inputs] == ["loaded", "loaded", "duplicate", "loaded", "duplicate",
                                                 "loaded", "failed", "failed", "loaded", "loaded"]
    whole = process_batch(loaded.reports)
    outs = []
    for jobs in (1, 2):           # batches of 3 files, and of 2 (b/x and c/x together)
        summary = run_build(raw, tmp_path / f"out{jobs}", progress=False, jobs=jobs)
        assert summary.inputs == loaded.inputs
        assert summary.messages[:len(loaded.messages)] == loaded.messages
        extracted = summary.messages[len(loaded.messages):]
        assert [(m.doc, m.code) for m in extracted] == [(m.doc, m.code) for m in whole.messages]
        reports = read_table("reports", summary.out)
        assert reports["doc_id"].tolist() == loaded.reports["doc_id"].tolist()
        assert reports["text"].tolist() == loaded.reports["text"].tolist()
        facts = read_table("facts", summary.out).sort_values("fact_id")
        assert facts["fact_id"].tolist() == sorted(whole.facts["fact_id"])
        assert sorted(read_table("observations", summary.out)["obs_id"]) == \
            sorted(whole.observations["obs_id"])
        outs.append(hashes(summary.out))
    assert outs[0] == outs[1]


# ---------------------------------------------------------------- strict, failures, nothing lost

def test_strict_fails_on_any_warning_and_writes_nothing(raw, tmp_path, clean_build):
    out = tmp_path / "processed"
    shutil.copytree(clean_build[1], out)
    before = hashes(out)
    (raw / "khong-ro-don-vi.txt").write_text(NO_UNIT, encoding="utf-8")
    with pytest.raises(BuildFailed) as e:
        run_build(raw, out, strict=True, progress=False)
    assert "--strict: 1 warning(s) or error(s); nothing written" == str(e.value)
    assert "nothing written; the tables in" in e.value.summary.format_table()
    assert hashes(out) == before
    # without --strict the same inputs build, and say what to fix
    assert run_build(raw, out, progress=False).written and hashes(out) != before


def test_strict_passes_on_clean_inputs(raw, tmp_path):
    assert run_build(raw, tmp_path / "out", strict=True, progress=False).written


def test_no_loadable_report_writes_nothing(tmp_path, clean_build):
    out = tmp_path / "processed"
    shutil.copytree(clean_build[1], out)
    before = hashes(out)
    empty_raw = tmp_path / "raw"
    empty_raw.mkdir()
    (empty_raw / "rong.txt").write_bytes(b"")
    with pytest.raises(BuildFailed, match="no report could be loaded"):
        run_build(empty_raw, out, progress=False)
    assert hashes(out) == before


def make_many(folder: Path, n: int) -> None:
    """N distinct reports: the seeds again and again, each with a line of its own."""
    folder.mkdir()
    texts = [p.read_text(encoding="utf-8") for p in SEEDS]
    for i in range(n):
        (folder / f"r{i:04d}.txt").write_text(f"{texts[i % len(texts)]}\nGhi chú bản số {i}.",
                                              encoding="utf-8")


def test_killed_build_leaves_previous_tables_intact_and_readable(tmp_path, clean_build):
    out = tmp_path / "processed"
    shutil.copytree(clean_build[1], out)
    before = hashes(out)
    previous = {n: read_table(n, out) for n in ("reports", "facts", "observations")}
    many = tmp_path / "many"
    make_many(many, 60)
    raw_before = snapshot(many)
    proc = subprocess.Popen([sys.executable, "-m", "analysis", "build", "--raw", str(many),
                             "--out", str(out), "--progress"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True)
    try:
        seen = ""
        while "extracting: " not in seen:    # kill it as soon as its extracting bar shows
            got = proc.stderr.read(1)
            if not got:
                break
            seen += got
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL, "".join(seen)
    assert hashes(out) == before
    for name, frame in previous.items():
        pd.testing.assert_frame_equal(read_table(name, out), frame)
    assert snapshot(many) == raw_before
