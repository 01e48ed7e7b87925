"""The extract command writes strict JSON for a report whose numbers no float can hold."""
from __future__ import annotations

import contextlib
import io
import json

from analysis.cli import main as cli_main


def test_extract_command_writes_strict_json_for_a_hostile_report(tmp_path):
    report = tmp_path / "r.txt"
    report.write_text("Có 36 tin bài. Bảng dán: " + "1" * 400 + " đồng và " + "9" * 5000
                      + "%. Đạt 97,95%.\n5209 hộ được công nhận gia đình văn hóa.\n", encoding="utf-8")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli_main(["extract", str(report), "--format", "jsonl"]) == 0

    def no_constant(name):
        raise ValueError(f"not strict JSON: {name}")
    rows = [json.loads(line, parse_constant=no_constant) for line in out.getvalue().splitlines()]
    assert [r["value"] for r in rows] == [36, 97.95, 5209]
