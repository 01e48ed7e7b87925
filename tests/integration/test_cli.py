"""The command line, run as analysts run it: ``python -m analysis ...`` in a subprocess."""
from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import shutil
import subprocess

import pytest

from _files import FIXTURES, run_analysis
from analysis import paths
from analysis.text import normalize_text

SEED = paths.RAW / "thach-ban-2021-h1.txt"
FACT_FIELDS = ["doc", "value", "unit", "kind", "numerator", "denominator", "qualifier", "counted",
               "indicator_id", "start", "end", "quote"]


run = run_analysis   # python -m analysis ARGS in a new process (tests/_files.py)


def one_line_error(proc: subprocess.CompletedProcess) -> str:
    """The error a user sees: exactly one line, no traceback."""
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.startswith("error: ")]
    assert len(lines) == 1, proc.stderr
    return lines[0]


def raw_hashes() -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(paths.RAW.iterdir())}


@pytest.fixture(scope="module")
def raw_before():
    before = raw_hashes()
    yield before
    assert raw_hashes() == before, "a command modified data/raw"


@pytest.fixture(scope="module")
def seed_jsonl(raw_before) -> subprocess.CompletedProcess:
    return run("extract", SEED)


def test_extract_jsonl_gives_facts_with_provenance(seed_jsonl):
    proc = seed_jsonl
    assert proc.returncode == 0, proc.stderr
    facts = [json.loads(ln) for ln in proc.stdout.splitlines()]
    assert facts and all(list(f)[:len(FACT_FIELDS)] == FACT_FIELDS for f in facts)
    text = normalize_text(SEED.read_text(encoding="utf-8"))
    assert {f["doc"] for f in facts} == {"thach-ban-2021-h1"}
    assert all(text[f["start"]:f["end"]] == f["raw"] and f["quote"] in text for f in facts)
    fraction = next(f for f in facts if f["raw"] == "5209/5318")
    assert (fraction["kind"], fraction["numerator"], fraction["denominator"]) == ("fraction", 5209, 5318)
    assert any(f["indicator_id"] for f in facts)
    assert "\\u" not in proc.stdout                      # Vietnamese as UTF-8, not escapes


def test_extract_csv_has_the_same_facts(seed_jsonl):
    as_jsonl = [json.loads(ln) for ln in seed_jsonl.stdout.splitlines()]
    proc = run("extract", SEED, "--format", "csv")
    assert proc.returncode == 0
    rows = list(csv.DictReader(io.StringIO(proc.stdout)))
    assert list(rows[0])[:len(FACT_FIELDS)] == FACT_FIELDS
    assert [(r["raw"], int(r["start"])) for r in rows] == [(f["raw"], f["start"]) for f in as_jsonl]


def test_extract_takes_the_doc_id_from_the_manifest_else_the_file_name(tmp_path):
    shutil.copy(SEED, tmp_path / "bao-cao-thang-7.txt")
    shutil.copy(paths.RAW / "cu-khoi-2018-fy.txt", tmp_path / "cu-khoi.txt")
    (tmp_path / "reports.csv").write_text("file,doc\nbao-cao-thang-7.txt,thach-ban-2021-h1\n", encoding="utf-8")
    proc = run("extract", tmp_path / "bao-cao-thang-7.txt", tmp_path / "cu-khoi.txt")
    assert proc.returncode == 0, proc.stderr
    docs = [json.loads(ln)["doc"] for ln in proc.stdout.splitlines()]
    assert set(docs) == {"thach-ban-2021-h1", "cu-khoi"}


def test_reports_prints_the_metadata_as_read(raw_before):
    proc = run("reports", *sorted(paths.RAW.glob("*.txt")))
    assert proc.returncode == 0 and proc.stderr == ""
    got = [json.loads(ln) for ln in proc.stdout.splitlines()]
    gold = {r["doc"]: r for r in map(json.loads, (FIXTURES / "reports.jsonl").read_text(encoding="utf-8").splitlines())}
    assert {r["doc"]: r for r in got} == gold
    proc = run("reports", SEED, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(proc.stdout)))
    assert rows == [{"doc": "thach-ban-2021-h1", "unit_name": "Thạch Bàn", "unit_level": "ward",
                     "parent": "Long Biên", "city": "Hà Nội", "period": "2021-H1",
                     "published": "2021-07-16", "doc_kind": "results", "programs": "02-CTr/QU"}]


def test_bad_inputs_are_one_line_each_and_exit_2(tmp_path):
    (tmp_path / "rong.txt").write_bytes(b"")
    proc = run("extract", tmp_path / "rong.txt", tmp_path / "khong-co.txt", SEED)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.splitlines() == [
        f"error: {tmp_path / 'rong.txt'}: the file is empty; put the report's text in it or remove the file",
        f"error: {tmp_path / 'khong-co.txt'}: no such file; check the name and the folder"]
    assert proc.stdout.count("\n") > 10          # the good file's facts all the same
    (tmp_path / "reports.csv").write_text("file,doc,perod\nrong.txt,a,2021-H1\n", encoding="utf-8")
    proc = run("reports", tmp_path / "rong.txt")
    assert proc.returncode == 2 and "unknown column 'perod'" in one_line_error(proc)


def test_build_shows_progress_and_a_summary(tmp_path, raw_before):
    out = tmp_path / "processed"
    proc = run("build", "--out", out, "--progress")
    assert proc.returncode == 0, proc.stderr
    assert re.search(r"reading: +100%.*5/5", proc.stderr) and re.search(r"extracting: +100%.*5/5", proc.stderr)
    lines = proc.stdout.splitlines()
    assert lines[0].split() == ["doc", "unit", "period", "kind", "facts", "warnings"]
    for doc, unit, period in [("thach-ban-2021-h1", "Thạch Bàn", "2021-H1"),
                              ("thanh-xuan-2021-q4", "Thanh Xuân", "2021-Q4")]:
        assert any(ln.startswith(doc) and unit in ln and period in ln for ln in lines)
    assert sorted(p.name for p in out.iterdir()) == ["facts.parquet", "observations.parquet", "reports.parquet"]


def test_build_strict_fails_and_writes_nothing(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(paths.RAW, raw)
    (raw / "rong.txt").write_bytes(b"")
    out = tmp_path / "processed"
    proc = run("build", "--strict", "--quiet", "--raw", raw, "--out", out)
    assert proc.returncode == 1
    assert one_line_error(proc) == "error: --strict: 1 warning(s) or error(s); nothing written"
    assert "rong.txt: the file is empty" in proc.stdout
    assert not out.exists()
    proc = run("build", "--quiet", "--raw", raw, "--out", out)
    assert proc.returncode == 0 and out.exists() and proc.stderr == ""


def test_build_with_a_missing_raw_folder_or_bad_period(tmp_path):
    proc = run("build", "--raw", tmp_path / "khong-co", "--out", tmp_path / "out")
    assert proc.returncode == 2
    assert "khong-co: no such folder of reports" in one_line_error(proc)
    proc = run("period-reports", "--period", "2021-H3")
    assert proc.returncode == 2 and "not a period code" in one_line_error(proc)
