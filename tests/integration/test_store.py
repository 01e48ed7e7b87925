"""Processed tables: replaced atomically, byte-identical for identical inputs."""
from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from _files import tree_hash
from analysis import schema, store
from analysis.load import load_reports
from analysis.store import TableMissing, read_table, write_tables


def file_hashes(folder: Path) -> dict[str, str]:
    """Each entry of the folder and its checksum (a partitioned table: all its files)."""
    return {p.name: tree_hash(p) for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def reports() -> pd.DataFrame:
    return load_reports().reports


def facts_frame(reports: pd.DataFrame, scale: int = 1) -> pd.DataFrame:
    """Facts as the extractor gives them: the fractions written in the reports' text."""
    import re
    rows = []
    for doc, text in zip(reports["doc_id"], reports["text"]):
        for m in re.finditer(r"(\d+)/(\d+)", text):
            num, den = float(m.group(1)), float(m.group(2))
            if den == 0 or num > den * 2:
                continue
            rows.append({"fact_id": f"{doc}:{m.start()}-{m.end()}:0", "doc_id": doc, "value": num,
                         "unit": "count", "kind": "fraction", "numerator": num, "denominator": den,
                         "qualifier": "exact", "counted": None, "indicator_id": None,
                         "indicator_cue": None, "raw": m.group(0), "start": m.start(), "end": m.end(),
                         "quote": text[max(0, m.start() - 20):m.end() + 20], "sentence": m.group(0),
                         "sentence_start": m.start(), "section": None})
    frame = pd.DataFrame(rows * scale)
    if scale > 1:
        frame["fact_id"] = [f"{f}#{i}" for i, f in enumerate(frame["fact_id"])]
    return frame


def test_round_trip_keeps_schema_dtypes_and_lists(tmp_path, reports):
    facts = facts_frame(reports)
    out = write_tables({"reports": reports, "facts": facts}, tmp_path / "processed")
    back = read_table("reports", out)
    assert list(back.columns) == schema.REPORTS.names
    assert {c.name: str(back[c.name].dtype) for c in schema.REPORTS.columns if c.dtype != "object"} == \
        {c.name: c.dtype for c in schema.REPORTS.columns if c.dtype != "object"}
    pd.testing.assert_frame_equal(back, schema.validate(reports, schema.REPORTS))
    cu_khoi = back.set_index("doc_id").loc["cu-khoi-2018-fy", "programs"]
    assert cu_khoi == ["01-CTr/QU", "02-CTr/QU", "03-CTr/QU"]
    f = read_table("facts", out)
    assert len(f) == len(facts) and (f["start"].diff().dropna()[f["doc_id"].eq(f["doc_id"].shift())] >= 0).all()


def test_identical_inputs_give_byte_identical_files(tmp_path, reports):
    facts = facts_frame(reports)
    a = write_tables({"reports": reports, "facts": facts}, tmp_path / "a")
    # the same rows in another order
    b = write_tables({"reports": reports.iloc[::-1], "facts": facts.sample(frac=1, random_state=1)},
                     tmp_path / "b")
    assert file_hashes(a) == file_hashes(b)
    assert len(file_hashes(a)) == 2


def test_write_replaces_all_tables_and_keeps_other_files(tmp_path, reports):
    out = tmp_path / "processed"
    write_tables({"reports": reports.iloc[:2], "facts": facts_frame(reports.iloc[:2])}, out)
    (out / "README.txt").write_text("bảng đã xử lý", encoding="utf-8")
    write_tables({"reports": reports, "facts": facts_frame(reports)}, out)
    assert len(read_table("reports", out)) == 5
    assert (out / "README.txt").read_text(encoding="utf-8") == "bảng đã xử lý"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["processed"]   # no temporary folder left


def test_failed_write_leaves_previous_tables(tmp_path, reports):
    out = tmp_path / "processed"
    write_tables({"reports": reports, "facts": facts_frame(reports)}, out)
    before = file_hashes(out)
    bad = facts_frame(reports).assign(unit="quả")            # not a unit of the schema
    with pytest.raises(schema.SchemaError, match="facts.unit"):
        write_tables({"reports": reports, "facts": bad}, out)
    unwritable = pd.DataFrame({"x": [object()]})             # Parquet cannot store it
    with pytest.raises((pa.ArrowInvalid, pa.ArrowTypeError)):
        write_tables({"reports": reports.iloc[:1], "zz_bad": unwritable}, out)
    assert file_hashes(out) == before
    assert len(read_table("reports", out)) == 5
    assert sorted(p.name for p in tmp_path.iterdir()) == ["processed"]


def test_without_atomic_exchange_and_recovery_after_a_kill_between_renames(tmp_path, reports, monkeypatch):
    out = tmp_path / "processed"
    write_tables({"reports": reports}, out)
    monkeypatch.setattr(store.write, "exchange_folders", lambda a, b: False)   # a system without renameat2
    write_tables({"reports": reports.iloc[:3]}, out)
    assert len(read_table("reports", out)) == 3
    # a build killed between its two renames: the tables are aside, not lost
    aside = tmp_path / ".processed.old-4242"
    out.rename(aside)
    assert len(read_table("reports", out)) == 3
    write_tables({"reports": reports}, out)
    assert len(read_table("reports", out)) == 5 and not aside.exists()


def test_missing_table_says_how_to_build_it(tmp_path):
    with pytest.raises(TableMissing) as e:
        read_table("observations", tmp_path)
    assert "observations.parquet" in str(e.value) and "python -m analysis build" in str(e.value)


def test_killed_write_leaves_previous_tables_intact_and_readable(tmp_path, reports):
    out = tmp_path / "processed"
    write_tables({"reports": reports, "facts": facts_frame(reports)}, out)
    before = file_hashes(out)
    previous = {name: read_table(name, out) for name in ("reports", "facts")}
    # The child writes new tables, slowed between files so that the kill lands mid-write.
    child = textwrap.dedent(f"""
        import time
        from analysis import store
        from analysis.load import load_reports
        from analysis.store import write
        real = write.write_parquet
        def slow(frame, path):
            real(frame, path)
            time.sleep(30)
        write.write_parquet = slow
        r = load_reports().reports
        store.write_tables({{"reports": r.iloc[:2], "zz_copy": r}}, {str(out)!r})
    """)
    proc = subprocess.Popen([sys.executable, "-c", child], cwd=tmp_path)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            temps = list(tmp_path.glob(".processed.new-*/*.parquet"))
            if temps:
                break
            assert proc.poll() is None, "the child ended before writing"
            time.sleep(0.01)
        else:
            pytest.fail("the child never started writing")
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert file_hashes(out) == before
    for name, frame in previous.items():
        pd.testing.assert_frame_equal(read_table(name, out), frame)
    # the next write clears what the killed one left behind
    assert list(tmp_path.glob(".processed.new-*"))
    write_tables({"reports": reports}, out)
    assert not list(tmp_path.glob(".processed.new-*"))
