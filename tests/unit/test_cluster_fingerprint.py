"""The package digest a cluster's workers must share with the driver covers every module."""
from __future__ import annotations

import analysis
from analysis.cluster import package_fingerprint


def _package(root):
    (root / "rules").mkdir(parents=True)
    (root / "store").mkdir()
    (root / "__init__.py").write_text("__version__ = '0.1.0'\n", encoding="utf-8")
    (root / "store" / "write.py").write_text("ROW_GROUP = 1024\n", encoding="utf-8")
    (root / "rules" / "units.csv").write_text("word,unit,note\ntriệu,vnd,seen in reports\n", encoding="utf-8")
    return root


def test_a_change_in_a_subpackage_or_a_rule_file_changes_the_digest(tmp_path, monkeypatch):
    root = _package(tmp_path / "analysis")
    monkeypatch.setattr(analysis, "__file__", str(root / "__init__.py"))
    first = package_fingerprint()
    assert package_fingerprint() == first                      # the same files, the same digest
    (root / "store" / "write.py").write_text("ROW_GROUP = 2048\n", encoding="utf-8")
    second = package_fingerprint()
    assert second[1] != first[1]
    (root / "rules" / "units.csv").write_text("word,unit,note\ntỷ,vnd,seen in reports\n", encoding="utf-8")
    assert package_fingerprint()[1] != second[1]
