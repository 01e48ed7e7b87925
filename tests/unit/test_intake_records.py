"""What the loader keeps of each file: the plan's files, their records and the checks for copies, held compactly.

A build of hundreds of thousands of files decides on each in order; what it
keeps per file (the plan, what became of each file, the checksums and doc
ids seen) is held as Arrow strings and arrays, and must give the same
decisions and messages as before, beyond the few thousand files held in
plain dicts.
"""
from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

from analysis.load import FileRead, InputFile, InputFiles, InputPlan, InputRecord, InputRecords, Intake

N = 9000     # more files than the checks hold in plain dicts before packing them


def _file(k: int, doc: str | None = None) -> InputFile:
    name = f"r{k:05d}.txt"
    return InputFile(Path("raw") / name, Path("raw"), doc or f"r{k:05d}", f"raw/{name}", None, name)


def _read(content: str, text: str | None = None) -> FileRead:
    return FileRead(sha256=hashlib.sha256(content.encode()).hexdigest(),
                    text_sha256=hashlib.sha256((text or content).encode()).hexdigest(), how="UTF-8")


def test_input_files_read_like_the_list_they_hold():
    files = [_file(k) for k in range(10)] + [InputFile(Path("/m/a.txt"), Path("/m"), "given", "m/a.txt",
                                                         {"doc": "given", "period": "2021-H1"}, "a.txt"),
                                               InputFile(Path("raw/sub/b.txt"), Path("raw"), "b", "raw/sub/b.txt",
                                                         None, "sub/b.txt")]
    held = InputFiles(files)
    assert len(held) == 12
    assert list(held) == files and held[3] == files[3] and held[-1] == files[-1]
    assert held[2:5] == files[2:5] and held[::4] == files[::4]


def test_input_records_read_like_the_list_they_hold():
    def sha(k):           # the first few thousand with one that is not a checksum
        return None if k % 7 == 0 else "not a checksum" if k == 5 else f"{k:064x}"
    records = [InputRecord(f"raw/r{k}.txt", sha(k), f"r{k}" if k % 3 else None,
                           ("loaded", "duplicate", "failed")[k % 3], "raw/r0.txt" if k % 3 == 1 else None)
               for k in range(N)]
    held = InputRecords()
    for r in records:
        held.append(r)
    assert len(held) == N
    assert list(held) == records
    assert held[0] == records[0] and held[N - 1] == records[N - 1] and held[5000] == records[5000]


def test_copies_and_doc_ids_taken_far_back_are_found_and_named():
    files = [_file(k) for k in range(N)]
    files += [_file(N, doc="r00003"), _file(N + 1), _file(N + 2)]
    plan = InputPlan(InputFiles(files), [], "the manifest (reports.csv)")
    intake = Intake(plan, date(2026, 1, 1))
    for k in range(N):
        assert intake.add(plan.inputs[k], _read(f"report {k}"), (None, []))
    assert not intake.add(plan.inputs[N], _read("another report"), (None, []))           # doc id taken
    assert not intake.add(plan.inputs[N + 1], _read("report 5"), (None, []))             # same bytes
    assert not intake.add(plan.inputs[N + 2], _read("other bytes", "report 8100"), (None, []))  # same text
    said = [(m.code, m.file, m.doc) for m in intake.messages]
    assert said == [("doc_id_taken", f"raw/r{N:05d}.txt", "r00003"),
                    ("duplicate", f"raw/r{N + 1:05d}.txt", "r00005"),
                    ("duplicate", f"raw/r{N + 2:05d}.txt", "r08100")]
    assert "already taken by raw/r00003.txt" in intake.messages[0].text
    assert "the same file as raw/r00005.txt" in intake.messages[1].text
    assert "the same report as raw/r08100.txt" in intake.messages[2].text
    assert [r.status for r in intake.inputs[-3:]] == ["failed", "duplicate", "duplicate"]
    assert intake.inputs[-1].same_as == "raw/r08100.txt"


def test_files_given_out_of_the_plans_order_are_named_as_well():
    plan = InputPlan(InputFiles([]), [], "the manifest (reports.csv)")
    intake = Intake(plan, date(2026, 1, 1))
    assert intake.add(_file(1), _read("a report"), (None, []))
    assert not intake.add(_file(2), _read("a report"), (None, []))
    assert "the same file as raw/r00001.txt (identical bytes), loaded once as r00001" in intake.messages[0].text
