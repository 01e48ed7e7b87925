"""What every test relies on: no analyst's correction reaches a test, and the shared helpers."""
from __future__ import annotations

import os

from _files import TESTS, copy_raw, gold_facts, gold_reports, snapshot, tree_hash, write_empty_corrections
from analysis import paths
from analysis.corrections import COLUMNS, corrections_file, read_corrections


def test_a_build_with_the_default_corrections_applies_none(no_local_corrections):
    # what a build of data/raw applies when the test names no corrections file
    used = corrections_file(paths.RAW)
    assert used != paths.DATA / "corrections.csv"
    assert str(used) == os.environ["ANALYSIS_CORRECTIONS"] == no_local_corrections
    assert not used.exists()                                   # the test's own, empty until it writes one
    got = read_corrections(used)
    assert got.rows == [] and got.messages == []


def test_the_empty_corrections_file_is_a_header_and_nothing_else(tmp_path):
    path = write_empty_corrections(tmp_path / "corrections.csv")
    assert path.read_text(encoding="utf-8").splitlines() == [",".join(COLUMNS)]
    assert read_corrections(path).rows == []


def test_the_gold_fixtures_cover_the_five_bundled_reports():
    bundled = {p.stem for p in paths.RAW.glob("*.txt")}
    assert {g["doc"] for g in gold_facts()} == bundled
    assert {r["doc"] for r in gold_reports()} == bundled
    first = gold_facts()
    first[0]["value"] = None                                   # a test may change its copy
    assert gold_facts()[0]["value"] is not None


def test_a_copy_of_the_raw_folder_is_writable_and_hashes_like_the_original(tmp_path):
    copy = copy_raw(tmp_path / "raw")
    assert snapshot(copy) == snapshot(paths.RAW)
    assert tree_hash(copy) == tree_hash(paths.RAW)
    report = next(copy.glob("*.txt"))
    report.write_text("sửa", encoding="utf-8")                 # the copy, never data/raw
    assert tree_hash(copy) != tree_hash(paths.RAW)
    assert snapshot(copy)[report.name] != snapshot(paths.RAW)[report.name]


def test_test_file_names_are_unique_across_the_folders():
    # pytest imports each test file by its bare name (tests/ has no __init__.py)
    names = [p.name for p in TESTS.rglob("test_*.py")]
    assert sorted(n for n in set(names) if names.count(n) > 1) == []


def test_every_test_file_lives_in_the_folder_of_its_speed():
    folders = {"unit", "gold", "integration", "browser", "notebooks"}
    misplaced = [p.relative_to(TESTS).as_posix() for p in TESTS.rglob("test_*.py")
                 if p.relative_to(TESTS).parts[0] not in folders]
    assert misplaced == []
