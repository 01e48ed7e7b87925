"""The one reader of the rule tables: notes required, comments allowed, file:line errors."""
from __future__ import annotations

import os
import unicodedata

import pytest

from analysis.paths import RULES
from analysis.rules import RuleTableError, read_rules

# The gazetteer: lists of places, whose rows carry no note of their own.
GAZETTEER = {"places_districts", "places_wards", "places_wards_2025", "hanoi_districts", "hanoi_wards"}


def _table(tmp_path, text, name="sample"):
    (tmp_path / f"{name}.csv").write_text(text, encoding="utf-8")
    return name


def test_a_good_table_gives_its_rows_stripped_and_in_the_form_of_report_text(tmp_path):
    decomposed = unicodedata.normalize("NFD", "thuỷ lợi")
    name = _table(tmp_path, f"word,unit,note\n tỷ ,vnd, seen in budget lines \n{decomposed},x,a ditch\n")
    rows = read_rules(name, ["word", "unit"], folder=tmp_path)
    assert rows == [{"word": "tỷ", "unit": "vnd", "note": "seen in budget lines"},
                    {"word": "thủy lợi", "unit": "x", "note": "a ditch"}]


def test_comment_and_blank_lines_are_skipped_and_lines_still_counted(tmp_path):
    name = _table(tmp_path, "# units of money\nword,note\n\n# the big one\ntỷ,budget lines\n,\n")
    assert read_rules(name, ["word"], folder=tmp_path) == [{"word": "tỷ", "note": "budget lines"}]
    (tmp_path / "sample.csv").write_text("# units\nword,note\n# the big one\ntỷ,\n", encoding="utf-8")
    with pytest.raises(RuleTableError, match=r"sample\.csv:4: rule without a note — "):
        read_rules(name, ["word"], folder=tmp_path)


def test_a_row_without_a_note_is_named_by_file_and_line(tmp_path):
    name = _table(tmp_path, "word,note\ntriệu,budget lines\nnghìn,  \n")
    with pytest.raises(RuleTableError) as e:
        read_rules(name, folder=tmp_path)
    message = str(e.value)
    assert message.startswith(f"{tmp_path / 'sample.csv'}:3: rule without a note — ")
    assert "\n" not in message


def test_a_table_without_a_note_column_is_refused_unless_notes_are_not_required(tmp_path):
    name = _table(tmp_path, "ward,province\nCự Khối,Hà Nội\n")
    with pytest.raises(RuleTableError, match=r"sample\.csv:1: missing column\(s\) note — "):
        read_rules(name, ["ward"], folder=tmp_path)
    assert read_rules(name, ["ward"], notes=False, folder=tmp_path) == [{"ward": "Cự Khối", "province": "Hà Nội"}]


def test_a_missing_column_is_named_with_the_header_line(tmp_path):
    name = _table(tmp_path, "# the words of money\nword,note\ntỷ,budget lines\n")
    with pytest.raises(RuleTableError, match=r"sample\.csv:2: missing column\(s\) factor — .*it has word, note"):
        read_rules(name, ["word", "factor"], folder=tmp_path)


def test_a_row_with_too_many_fields_says_to_quote_commas(tmp_path):
    name = _table(tmp_path, "word,note\ntỷ,seen in budget lines, and in plans\n")
    with pytest.raises(RuleTableError, match=r"sample\.csv:2: 3 field\(s\) where the header has 2 .* quote fields"):
        read_rules(name, folder=tmp_path)


def test_a_missing_table_is_one_line_naming_it(tmp_path):
    with pytest.raises(RuleTableError, match=r"absent\.csv:0: rule table missing — restore it"):
        read_rules("absent", folder=tmp_path)


def test_a_table_is_read_again_when_its_file_changes(tmp_path):
    name = _table(tmp_path, "word,note\ntỷ,budget lines\n")
    first = read_rules(name, folder=tmp_path)
    first[0]["word"] = "changed by a caller"
    assert read_rules(name, folder=tmp_path)[0]["word"] == "tỷ"
    path = tmp_path / "sample.csv"
    path.write_text("word,note\ntriệu,budget lines\n", encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert read_rules(name, folder=tmp_path)[0]["word"] == "triệu"


def test_errors_inside_the_package_name_the_table_from_the_repository_root():
    with pytest.raises(RuleTableError, match=r"^analysis/rules/multipliers\.csv:1: missing column\(s\) nope"):
        read_rules("multipliers", ["nope"])


@pytest.mark.parametrize("path", sorted(RULES.glob("*.csv")), ids=lambda p: p.stem)
def test_every_rule_table_of_the_package_loads_through_the_reader(path):
    rows = read_rules(path.stem, notes=path.stem not in GAZETTEER)
    assert rows
    assert all(isinstance(v, str) for row in rows for v in row.values())


def test_a_table_saved_with_a_byte_order_mark_and_windows_line_ends_reads_the_same(tmp_path):
    (tmp_path / "sample.csv").write_bytes("\ufeffword,note\r\n# money\r\ntỷ,budget lines\r\n".encode("utf-8"))
    rows = read_rules("sample", ["word"], folder=tmp_path)
    assert rows == [{"word": "tỷ", "note": "budget lines"}]
    assert rows[0].line == 3


def test_a_row_names_its_own_line_when_its_content_is_refused(tmp_path):
    name = _table(tmp_path, "word,role,note\n# roles: unit or multiplier\n"
                            "tỷ,multiplier,budget lines\nđồng,money,prices\n")
    bad = [r for r in read_rules(name, ["word", "role"], folder=tmp_path) if r["role"] not in ("unit", "multiplier")]
    assert str(bad[0].error("role 'money' is unknown", "use unit or multiplier")) == \
        f"{tmp_path / 'sample.csv'}:4: role 'money' is unknown — use unit or multiplier"
