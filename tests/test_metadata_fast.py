"""The metadata readers' fast paths give exactly what the plain ones give.

``analysis.metadata`` skips normalising text that is already normal, and finds
patterns that start with a lookbehind by searching for the rest of the pattern
first; both must be invisible in the results.
"""
from __future__ import annotations

import re
import unicodedata

from hypothesis import given, settings, strategies as st

import analysis.metadata as md
from analysis.paths import RAW
from analysis.text import normalize_text

_PIECES = st.sampled_from([
    "hoá", "hóa", "thuỷ", "thủy", "khoẻ", "quý", "Quý", "hoàn", "toán", "khuya", "QUÝ", "HOÁ",
    "uỷ", "Uỷ", "oà", "uý", "oé", "phường", "tháng", " ", "\n", "\r\n", "\u00a0", "\ufeff", ".",
    "6 tháng đầu năm 2021", "x", "Q", "q", "a", "o", "u", "\u0301", "\u0323", "ơ", "ư", "_", "1",
])
_TEXT = st.lists(_PIECES, max_size=30).map("".join)


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_skipping_normal_text_changes_nothing(text):
    for t in (text, unicodedata.normalize("NFD", text), normalize_text(text)):
        assert md._normalized(t) == normalize_text(t)


def test_normal_report_text_is_not_normalised_again():
    text = normalize_text((RAW / "cu-khoi-2018-fy.txt").read_text(encoding="utf-8"))
    assert md._normalized(text) is text


@settings(max_examples=300, deadline=None)
@given(_TEXT, st.sampled_from([r"năm\s+(\d{4})?", r"(?:6|06|sáu)\s+tháng", r"q", r"o(?=a)",
                               r"a|b", r"[\w]*", r"tháng|(năm)", r"(?:)"]),
       st.sampled_from([r"\w", r"[\w/]"]))
def test_leading_lookbehind_finds_the_same_matches_as_the_regex(text, rest, before):
    fast = md._Leading(rest, before)
    full = re.compile(f"(?<!{before})" + rest)
    assert [(m.span(), m.groups()) for m in fast.finditer(text)] == \
        [(m.span(), m.groups()) for m in full.finditer(text)]
    assert fast.count(text) == len(full.findall(text))


def test_read_metadata_equals_the_readers_one_by_one():
    for path in sorted(RAW.glob("*.txt")):
        raw = path.read_text(encoding="utf-8")
        for text in (raw, unicodedata.normalize("NFD", raw).replace("\n", "\r\n")):
            got = md.read_metadata(text, path.stem)
            title = md.read_title(text)
            published = md.read_published(text)
            period = md.read_period(text, title, published)
            assert got["title"] == title and got["published"] == published
            assert got["period"] == period
            assert {k: got[k] for k in ("unit_name", "unit_level", "parent", "city")} == \
                md.read_unit(text, title)
            assert got["doc_kind"] == md.read_doc_kind(text, title, period, published)
            assert got["programs"] == md.read_programs(text)
