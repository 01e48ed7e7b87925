"""Evaluation as a feature: ``python -m analysis evaluate DIR`` on an analyst's own folder.

An analyst annotates a few of their own reports (``gold.jsonl``, optionally
``reports.jsonl``) and asks how far to trust the suite. These tests build such a
folder from two bundled reports and their hand-checked gold, and check that the
command scores it with the same rule as the gold tests, names what it missed,
and says in one line what to do when the gold is absent.
"""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from _files import gold_facts, gold_reports, read_jsonl, run_analysis
from analysis import paths

DOCS = ("thach-ban-2021-h1", "phuc-dong-2020-9m")


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """Two bundled reports in docs/, their gold facts and metadata beside them."""
    root = tmp_path_factory.mktemp("annotated")
    (root / "docs").mkdir()
    for d in DOCS:
        shutil.copy(paths.RAW / f"{d}.txt", root / "docs" / f"{d}.txt")
    facts = [g for g in gold_facts() if g["doc"] in DOCS]
    reports = [r for r in gold_reports() if r["doc"] in DOCS]
    (root / "gold.jsonl").write_text("".join(json.dumps(g, ensure_ascii=False) + "\n" for g in facts),
                                     encoding="utf-8")
    (root / "reports.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in reports),
                                        encoding="utf-8")
    return root


def _measure(out: str, name: str) -> float:
    m = re.search(rf"^\| {re.escape(name)} \| ([0-9.]+)", out, re.M)
    assert m, f"{name!r} not in the output:\n{out}"
    return float(m.group(1))


def test_evaluate_prints_every_measure_and_meets_the_bar_on_bundled_reports(folder):
    proc = run_analysis("evaluate", folder)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    n_gold = sum(1 for g in read_jsonl(folder / "gold.jsonl") if not g["optional"])
    assert f"2 report(s), {n_gold} gold fact(s)" in out
    # the bars of the gold tests (tests/test_extract.py, tests/test_indicators.py, test_metadata.py)
    assert _measure(out, "facts precision") >= 0.98
    assert _measure(out, "facts recall") >= 0.97
    assert _measure(out, "kind agreement") >= 0.95
    assert _measure(out, "indicator precision") >= 0.95
    assert _measure(out, "indicator recall") >= 0.90
    for field in ("unit_name", "unit_level", "period", "city", "doc_kind"):
        assert _measure(out, f"metadata {field}") == 1.0


def test_a_wrong_gold_value_is_listed_as_missed_and_lowers_recall(folder, tmp_path):
    gold = read_jsonl(folder / "gold.jsonl")
    # change one number the report states into one it does not: the extractor cannot find it
    target = next(g for g in gold if g["kind"] == "count" and not g["optional"])
    target = dict(target, value=target["value"] + 7919)
    wrong = [target if g["quote"] == target["quote"] and g["doc"] == target["doc"] else g for g in gold]
    (tmp_path / "gold.jsonl").write_text("".join(json.dumps(g, ensure_ascii=False) + "\n" for g in wrong),
                                         encoding="utf-8")
    proc = run_analysis("evaluate", folder, "--gold", tmp_path / "gold.jsonl", "--metadata", folder / "reports.jsonl")
    assert proc.returncode == 0, proc.stderr
    assert _measure(proc.stdout, "facts recall") < 1.0
    missed = proc.stdout.split("missed (", 1)[1]
    assert target["quote"] in missed


def test_missing_gold_is_one_line_naming_the_file(tmp_path):
    proc = run_analysis("evaluate", tmp_path)
    assert proc.returncode == 2
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "Traceback" not in proc.stderr
    assert str(tmp_path / "gold.jsonl") in lines[0] and "--gold" in lines[0]
