"""The fast paths of normalising and of the metadata readers give exactly what the plain ones give.

:func:`analysis.text.normalize_text` returns text that is normal already as it
is, and :class:`analysis.fastmatch.LeadingPattern` finds patterns that start
with a lookbehind by their first words; both must be invisible in the results.
"""
from __future__ import annotations

import re
import unicodedata

from hypothesis import example, given, settings
from hypothesis import strategies as st

import analysis.metadata as md
from analysis import text as tx
from analysis.fastmatch import LeadingPattern, PatternGroup
from analysis.metadata import dates, kinds, page, programmes, report_period, spans, units
from analysis.paths import RAW
from analysis.text import normalize_text

_PIECES = st.sampled_from([
    "hoá", "hóa", "thuỷ", "thủy", "khoẻ", "quý", "Quý", "hoàn", "toán", "khuya", "QUÝ", "HOÁ",
    "uỷ", "Uỷ", "oà", "uý", "oé", "phường", "tháng", " ", "\n", "\r\n", "\u00a0", "\ufeff", ".",
    "6 tháng đầu năm 2021", "x", "Q", "q", "a", "o", "u", "\u0301", "\u0323", "ơ", "ư", "_", "1",
    "ậ", "ỵ", "Ỷ", "\u0302", "\u031b", "\u1dc4", "\u202f", "\r", "ǻ", "ß", "Ω",
])
_TEXT = st.lists(_PIECES, max_size=30).map("".join)


@settings(max_examples=400, deadline=None)
@given(_TEXT)
def test_text_normal_already_is_returned_as_the_full_normalisation_gives_it(text):
    for t in (text, unicodedata.normalize("NFD", text), unicodedata.normalize("NFC", text),
              tx._normalize_fully(text)):
        assert normalize_text(t) == tx._normalize_fully(t)


def test_the_tone_rule_read_on_composed_text_agrees_with_the_rule_on_decomposed_text():
    # every letter the rule can move, before every character of the Latin,
    # combining-mark and punctuation blocks
    movable = [unicodedata.normalize("NFC", v + t) for v in "aAeEyY" for t in tx._TONES]
    after = [chr(i) for i in [*range(0x20, 0x250), *range(0x300, 0x370), *range(0x1DC0, 0x1F00),
                              *range(0x2000, 0x2070)]]
    for v in movable:
        for c in after:
            for t in (f"ho{v}{c}", f"qu{v}{c}", f"o{v}{c}x"):
                assert normalize_text(t) == tx._normalize_fully(t), repr(t)


def test_normal_report_text_is_not_normalised_again():
    text = normalize_text((RAW / "cu-khoi-2018-fy.txt").read_text(encoding="utf-8"))
    assert normalize_text(text) is text
    assert normalize_text(text.replace("hóa", "hoá")) != text.replace("hóa", "hoá")


_RESTS = [r"năm\s+(\d{4})?", r"(?:6|06|sáu)\s+tháng", r"q", r"o(?=a)", r"a|b", r"[\w]*",
          r"tháng|(năm)", r"(?:)", r"(?:các\s+)?tháng\s+còn\s+lại(?!\w)",
          r"(?:sơ\s+kết|kết\s+quả)\s+(?:6|06|sáu)\s+tháng(?!\s+cuối)(?:\s+(\d{4}))?",
          r"(phường|quận|xã)[ \t]+", r"(?:a|ab|b)(?:b)?", r"(?:o|oa)?a", r"(?:a(x)|b)(y)?",
          r"(?:\d|x)\s*-", r"hoá(?!\w)", r"(?:á|h)o?(?=\s)", r"(?:y|x[^]|]|a[]|])b?",
          r"\(năm(?!\w)", r"\(?năm", r"a\.b?", r"(?:aa|a)(ab)?", r"(?:ab|a|b|ba|x|y|q|o|oa)\s"]
_LEADING_TEXT = st.lists(st.sampled_from(["a", "b", "ab", "x", "y", "o", "oa", " ", "\t", "\n", "-", "/",
                                          "q", "1", "06", "sáu", "6 tháng", "tháng", "các ", "còn lại",
                                          "sơ kết ", "kết quả ", "cuối", "2021", "năm", "phường ", "|", "]",
                                          "quận\t", "xã", "hoá", "á", "_", "tân", "(", "(năm", ".", "aa"]),
                         max_size=30).map("".join)


@settings(max_examples=400, deadline=None)
@given(_LEADING_TEXT, st.sampled_from(_RESTS), st.sampled_from([r"\w", r"[\w/]"]))
def test_leading_lookbehind_finds_the_same_matches_as_the_regex(text, rest, before):
    fast = LeadingPattern(rest, before)
    full = re.compile(f"(?<!{before})" + rest)
    assert [(m.span(), m.groups(), m.lastindex) for m in fast.finditer(text)] == \
        [(m.span(), m.groups(), m.lastindex) for m in full.finditer(text)]
    assert fast.count(text) == len(full.findall(text))


@settings(max_examples=400, deadline=None)
@given(_LEADING_TEXT, st.lists(st.sampled_from(_RESTS), min_size=1, max_size=6),
       st.sampled_from([r"\w", r"[\w/]"]))
def test_a_group_finds_for_each_pattern_the_matches_the_regex_finds(text, rests, before):
    patterns = [LeadingPattern(rest, before) for rest in rests]
    group = PatternGroup(patterns)
    for rx, found in zip(patterns, group.scan(text)):
        assert [(m.span(), m.groups(), m.lastindex) for m in found] == \
            [(m.span(), m.groups(), m.lastindex) for m in rx.full.finditer(text)], rx.full.pattern


def test_a_group_matches_alone_the_patterns_it_cannot_search_together():
    # the same group name in two patterns that start alike: their guards cannot be one pattern
    patterns = [LeadingPattern(r"a(?P<x>b)"), LeadingPattern(r"a(?P<x>c)"), LeadingPattern(r"\w+b"),
                LeadingPattern(r"d")]
    group = PatternGroup(patterns)
    assert group.alone == {0, 1, 2}
    text = "ab ac xab d ad"
    assert [[m.span() for m in found] for found in group.scan(text)] == \
        [[m.span() for m in rx.full.finditer(text)] for rx in patterns]


def test_many_alternatives_that_start_with_few_words_are_searched_by_those_words():
    rx = units.unit_words()[0]
    assert rx.branches is None and rx.group is not None
    assert len(rx.group.scanners) < len(rx.leads)


def test_alternatives_that_start_together_are_tried_in_the_order_written():
    # 'a' comes before 'ab' in the pattern: at the same start, re takes it
    cases = [(r"(?:a|ab|b)(?:b)?", "abb abb"), (r"(?:ab|a|b)(?:b)?", "abb abb"),
             (r"(?:o|oa)?a", "oaa oa a"), (r"(?:6|06|sáu)\s+tháng(?:\s+(\d{4}))?", "06 tháng 2021, 6 tháng")]
    for rest, text in cases:
        fast = LeadingPattern(rest)
        assert fast.branches is not None
        assert [(m.span(), m.groups()) for m in fast.finditer(text)] == \
            [(m.span(), m.groups()) for m in fast.full.finditer(text)]


_CODES_TEXT = st.lists(st.sampled_from(["02", "3", "1234", "20", "٣", "-", " - ", "\u2003", "/", "CTr", "ctr",
                                         "QU", "KH", "TW", "ĐA", "x", "_", "\n", " ", "số ", "-QU"]),
                       max_size=25).map("".join)


@settings(max_examples=400, deadline=None)
@given(_CODES_TEXT)
@example("số 02-CTr/QU; /02-CTr/QU; x02-CTr/QU; _3-CTr/QU; 1234-KH/QU; 02 -\u2003CTr/QU; ٣-CTr/QU")
@example("02-CTr/QU-TW 3-CTr/QU-02-KH/QU")
def test_programme_codes_found_from_hyphens_are_the_regexs_matches(text):
    assert [(m.span(), m.groups()) for m in programmes.programme_matches(text)] == \
        [(m.span(), m.groups()) for m in programmes.PROGRAMME_RE.full.finditer(text)]


def _rule_patterns() -> list[LeadingPattern]:
    rules = report_period.period_rules()
    plain = [rx for k in ("-", "odd", "cutoff", "cutoff-month", "same", "past") for rx in rules[k]]
    return [*plain, *(rx for rx, _ in rules["sub"]), *(rx for rx, _ in rules["fy"]),
            *(rx for rx, *_ in kinds.kind_cues()), units.unit_words()[0], dates.stamp_labels(),
            units.bare_units(), programmes.PROGRAMME_RE]


def test_the_rule_tables_patterns_are_found_by_their_first_words_with_the_same_matches():
    patterns = _rule_patterns()
    # the period phrases that start with a choice of numbers are searched by their words
    by_words = [rx for rx in patterns if rx.branches is not None]
    assert any(len(rx.branches) == 3 and "tháng" in rx.full.pattern for rx in by_words)
    assert len(by_words) >= len(patterns) - 10
    texts = [normalize_text(p.read_text(encoding="utf-8")) for p in sorted(RAW.glob("*.txt"))]
    texts += [spans.fold(t) for t in texts]
    for rx in patterns:
        for text in texts:
            assert [(m.span(), m.groups()) for m in rx.finditer(text)] == \
                [(m.span(), m.groups()) for m in rx.full.finditer(text)], rx.full.pattern
    # the groups the readers search at once
    groups = [*report_period.period_groups(), *kinds.cue_groups()]
    assert sum(len(g.scanners) for g in groups) < sum(len(rx.leads or ()) for g in groups for rx in g.patterns) / 2
    for group in groups:
        assert all(group.patterns[i].leads is None for i in group.alone)     # '\d+%\s+kế hoạch'
        for text in texts:
            assert [[(m.span(), m.groups()) for m in found] for found in group.scan(text)] == \
                [[(m.span(), m.groups()) for m in rx.full.finditer(text)] for rx in group.patterns]


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


def _aside_spans_one_word_at_a_time(folded: str) -> list[tuple[int, int]]:
    _, _, aside = page.furniture()
    spans = []
    for word in aside:
        pos = folded.find(word)
        while pos != -1:
            start = folded.rfind("\n", 0, pos) + 1
            end = folded.find("\n", pos)
            end = len(folded) if end == -1 else end
            spans.append((start, end))
            pos = folded.find(word, end)
    return spans


_ASIDE_TEXT = st.lists(st.sampled_from(["ảnh:", "ảnh", ":", "nh:", "\n", " ", "địa chỉ:", "bản quyền", "x",
                                        "tòa soạn:", "điện thoại:", "11:34"]), max_size=15).map("".join)


@settings(max_examples=400, deadline=None)
@given(_ASIDE_TEXT)
def test_aside_lines_found_from_the_colons_are_those_each_word_finds(text):
    assert page.aside_spans(text) == _aside_spans_one_word_at_a_time(text)
