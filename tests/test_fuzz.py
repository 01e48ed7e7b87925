"""Fuzz: random Vietnamese-looking text with numbers never breaks the extractor or the parser.

Whatever a portal throws at them, :func:`analysis.extract.extract_facts` and
:func:`analysis.numbers.parse_number` must not raise (the parser may refuse a
malformed numeral with ``ValueError``, its documented answer), every offset
must point inside the text at the number as written, and every value must be
finite.
"""
from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis import schema
from analysis.extract import extract_facts
from analysis.numbers import parse_number
from analysis.text import normalize_text

WORDS = (
    "phường quận xã huyện Thạch Bàn Cự Khối Long Biên Cầu Giấy Thanh Xuân năm tháng quý "
    "đầu cuối đạt vượt gần khoảng trên hơn dưới ước chưa đến từ đến tăng giảm so với cùng kỳ "
    "tỷ lệ hộ gia đình văn hóa văn hoá tổ dân phố đảng viên người lượt buổi tin bài kế hoạch "
    "chỉ tiêu thu ngân sách bảo hiểm y tế trẻ em suy dinh dưỡng hộ nghèo diện tích đất "
    "kết nạp mới trong đó chiếm bằng là có với của và các được đã Ngày đăng Lượt xem "
    "chương trình số Kế hoạch Nghị quyết Quyết định điểm trường lớp học sinh thuỷ lợi khoẻ"
).split()
UNITS = ["", "", "", "%", "%0", "‰", " %", " triệu", " tỷ", " đồng", " triệu đồng", " tỷ đồng",
         "đ", " VNĐ", " nghìn đồng", " ha", "ha", " km2", " m2", " m", " km", " kg", "kg", " tấn",
         " m3", " người", " hộ", " lượt"]
PUNCT = [",", ".", ";", ":", " -", " –", "(", ")", "/", "\n", "\n\n", "“", "”", "!", "?", "...", "+", "*"]


@st.composite
def numerals(draw) -> str:
    """Numbers the ways reports write them, well-formed or not."""
    shape = draw(st.sampled_from(["int", "lead0", "dots", "decimal", "mixed", "wild"]))
    if shape == "int":
        return str(draw(st.integers(0, 10**7)))
    if shape == "lead0":
        return "0" + str(draw(st.integers(0, 99)))
    if shape == "dots":
        n = draw(st.integers(1000, 10**13))
        return f"{n:,}".replace(",", ".")
    if shape == "decimal":
        whole = draw(st.integers(0, 10**4))
        frac = draw(st.integers(0, 999))
        return f"{whole}{draw(st.sampled_from([',', '.']))}{frac}"
    if shape == "mixed":
        n = draw(st.integers(1000, 10**9))
        return f"{n:,}".replace(",", ".") + "," + str(draw(st.integers(0, 99)))
    return draw(st.text(alphabet="0123456789.,/-", min_size=1, max_size=14))


@st.composite
def quantities(draw) -> str:
    form = draw(st.sampled_from(["plain", "fraction", "range", "paren", "date", "code"]))
    a, b = draw(numerals()), draw(numerals())
    unit = draw(st.sampled_from(UNITS))
    if form == "fraction":
        return f"{a}/{b}{unit}"
    if form == "range":
        return f"từ {a}{draw(st.sampled_from(['-', ' – ', ' đến ']))}{b}{unit}"
    if form == "paren":
        return f"({a}{unit})"
    if form == "date":
        return f"{draw(st.integers(0, 40)):02d}/{draw(st.integers(0, 13)):02d}/{draw(st.integers(1900, 2100))}"
    if form == "code":
        return f"{a}-{draw(st.sampled_from(['CTr/QU', 'KH/UBND', 'NQ/TW', 'QĐ']))}"
    return f"{a}{unit}"


@st.composite
def report_text(draw) -> str:
    tokens = draw(st.lists(st.one_of(
        st.sampled_from(WORDS), st.sampled_from(WORDS), st.sampled_from(WORDS),
        quantities(), st.sampled_from(PUNCT),
        st.text(min_size=1, max_size=4),                       # anything at all, now and then
    ), min_size=1, max_size=60))
    return " ".join(tokens)


def check_facts(text: str) -> None:
    text = normalize_text(text)
    facts = extract_facts(text, "fuzz")
    assert isinstance(facts, list)
    for f in facts:
        assert 0 <= f["start"] < f["end"] <= len(text), f
        assert text[f["start"]:f["end"]] == f["raw"], f
        assert math.isfinite(f["value"]), f
        for k in ("numerator", "denominator"):
            assert f[k] is None or math.isfinite(f[k]), f
        assert f["unit"] in schema.UNITS and f["kind"] in schema.KINDS
        assert f["qualifier"] in schema.QUALIFIERS
        assert f["quote"] in text
        s0 = f["sentence_start"]
        assert text[s0:s0 + len(f["sentence"])] == f["sentence"]
        assert s0 <= f["start"] and f["end"] <= s0 + len(f["sentence"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(report_text())
def test_extractor_never_fails_on_vietnamese_looking_text(text):
    check_facts(text)


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
def test_extractor_never_fails_on_arbitrary_text(text):
    check_facts(text)


@settings(max_examples=500, deadline=None)
@given(numerals())
def test_number_parser_gives_a_finite_value_or_a_clear_refusal(numeral):
    try:
        value = parse_number(numeral)
    except ValueError as e:
        assert str(e)                      # a refusal says what is wrong
        return
    assert isinstance(value, float) and math.isfinite(value) and value >= 0


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30))
def test_number_parser_on_any_string(s):
    try:
        value = parse_number(s)
    except ValueError:
        return
    assert math.isfinite(value)
