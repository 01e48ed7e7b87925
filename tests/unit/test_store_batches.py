"""Tables written batch by batch (``analysis.store.TableWriter``) are the tables written whole.

Small frames written here, no build: the build hands its batches to the same
writer, so that its memory holds a few batches and a few row groups, never the corpus.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pytest

from analysis import schema
from analysis.store import TableWriter, partitions, read_table, stream, write_tables


def _reports(rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["doc_id", "unit_name", "period", "programs", "text"])
    frame = frame.reindex(columns=schema.REPORTS.names).assign(
        source_file=frame["doc_id"] + ".txt", sha256=frame["doc_id"], n_chars=frame["text"].str.len())
    return schema.validate(frame, schema.REPORTS)


ROWS = [
    ("thach-ban-2021-h1", "Thạch Bàn", "2021-H1", ["02-CTr/QU"], "Thu ngân sách đạt 97,95% dự toán."),
    ("cu-khoi-2018-fy", "Cự Khối", "2018-FY", [], "Có 5.209/5.318 hộ đạt gia đình văn hóa."),
    ("phuc-dong-2020-9m", "Phúc Đồng", "2020-9M", [], "Giải quyết 36 hồ sơ đúng hạn."),
    ("an-duong-2021-h1", "An Dương", "2021-H1", ["01-CTr/QU", "02-CTr/QU"], "Tuyên truyền 12 tin bài."),
    ("khong-ro-ky", None, None, [], "Một văn bản không nói kỳ báo cáo."),
]


def _files(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("part_bytes", [0, 200, 1 << 30])   # a part file per batch, per few, one
@pytest.mark.parametrize("cuts", [[5], [1, 1, 1, 1, 1], [2, 3], [4, 1]])
def test_any_cut_into_batches_writes_the_bytes_of_the_whole_table(tmp_path, monkeypatch, cuts, part_bytes):
    monkeypatch.setattr(stream, "_PART_BYTES", part_bytes)
    reports = _reports(ROWS)
    write_tables({"reports": reports}, tmp_path / "whole")
    with TableWriter(tmp_path / "batches", names=["reports"]) as w:
        start = 0
        for n in cuts:
            w.add({"reports": reports.iloc[start:start + n].reset_index(drop=True)})
            start += n
        w.commit()
    assert _files(tmp_path / "batches") == _files(tmp_path / "whole")


@pytest.mark.parametrize("part_bytes", [0, 1 << 30])
def test_a_batch_with_a_column_all_empty_takes_the_type_the_others_give(tmp_path, monkeypatch, part_bytes):
    # the first batch cites no programme and has no unit: its columns are typed by the later ones
    monkeypatch.setattr(stream, "_PART_BYTES", part_bytes)
    reports = _reports([ROWS[4], ROWS[1], ROWS[0]])
    write_tables({"reports": reports}, tmp_path / "whole")
    with TableWriter(tmp_path / "batches", names=["reports"]) as w:
        for i in range(3):
            w.add({"reports": reports.iloc[i:i + 1].reset_index(drop=True)})
        w.commit()
    assert _files(tmp_path / "batches") == _files(tmp_path / "whole")
    assert read_table("reports", tmp_path / "batches")["programs"].tolist() == [[], [], ["02-CTr/QU"]]


def test_nothing_is_written_before_commit_and_the_parts_go_when_the_writer_closes(tmp_path, monkeypatch):
    monkeypatch.setattr(stream, "_PART_BYTES", 0)     # each batch written at once into a part file
    out = tmp_path / "processed"
    write_tables({"reports": _reports(ROWS[:1])}, out)
    before = _files(out)
    with TableWriter(out, names=["reports"]) as w:
        w.add({"reports": _reports(ROWS[1:])})
        parts = w.folder
        assert parts.parent == out.parent and any(parts.rglob("*.arrow"))
        assert _files(out) == before                  # the previous tables, untouched
    assert not parts.exists()                         # closed without commit: parts removed
    assert _files(out) == before


@pytest.mark.parametrize("part_bytes", [0, 1 << 30])
def test_rows_taken_back_are_replaced_by_what_is_given_again(tmp_path, monkeypatch, part_bytes):
    # what the build does for a correction that moves a report to another period
    monkeypatch.setattr(stream, "_PART_BYTES", part_bytes)
    reports = _reports(ROWS)
    with TableWriter(tmp_path / "out", names=["reports"]) as w:
        w.add({"reports": reports.iloc[:3].reset_index(drop=True)})
        w.add({"reports": reports.iloc[3:].reset_index(drop=True)})
        taken = w.take(["cu-khoi-2018-fy"])["reports"]
        assert taken["doc_id"].tolist() == ["cu-khoi-2018-fy"]
        assert taken["text"].tolist() == ["Có 5.209/5.318 hộ đạt gia đình văn hóa."]
        w.add({"reports": taken.assign(period="2018-H1")})
        w.commit()
    got = read_table("reports", tmp_path / "out")
    assert got.set_index("doc_id").loc["cu-khoi-2018-fy", "period"] == "2018-H1"
    assert len(got) == len(ROWS)
    assert partitions("reports", tmp_path / "out") == ["2018-H1", "2020-9M", "2021-H1", None]


def test_a_period_write_refuses_rows_of_other_periods(tmp_path):
    out = tmp_path / "processed"
    write_tables({"reports": _reports(ROWS)}, out)
    with TableWriter(out, periods=["2021-H1"], names=["reports"]) as w:
        with pytest.raises(ValueError, match="2018-FY"):
            w.add({"reports": _reports(ROWS[:2])})


def test_rows_taken_chunk_by_chunk_are_the_rows_taken_from_the_whole_table():
    import numpy as np
    import pyarrow as pa

    from analysis.store.layout import take_rows

    rng = np.random.default_rng(7)
    columns = pa.schema([("n", pa.int64()), ("word", pa.string())])
    for _ in range(200):
        parts = [pa.table({"n": rng.integers(0, 99, k), "word": [f"w{x}" for x in rng.integers(0, 9, k)]},
                          schema=columns) for k in rng.integers(0, 5, rng.integers(1, 6))]
        table = pa.concat_tables(parts)        # a period put together from batches: one chunk each
        if not table.num_rows:
            continue
        at = rng.integers(0, table.num_rows, rng.integers(0, 10))
        assert take_rows(table, at).equals(table.combine_chunks().take(pa.array(at, pa.int64())))
