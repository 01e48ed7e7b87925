"""Analysts' corrections checked before they are written, on a temporary file."""
from __future__ import annotations

import pytest

from analysis.corrections import CorrectionError, append_corrections

DOC = "ngoc-lam-2023-h1"


def test_a_bad_correction_is_refused_before_it_is_written(tmp_path):
    path = tmp_path / "corrections.csv"
    with pytest.raises(CorrectionError, match="unit 'percentage' is not one of"):
        append_corrections([{"doc_id": DOC, "start": 1, "end": 3, "raw": "12", "action": "set",
                             "field": "unit", "value": "percentage"}], path)
    assert not path.exists()
