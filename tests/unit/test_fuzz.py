"""Fuzz: random Vietnamese-looking text with numbers never breaks the extractor or the parser.

Whatever a portal throws at them, :func:`analysis.extract.extract_facts`,
:func:`analysis.metadata.read_metadata` and :func:`analysis.numbers.parse_number`
must not raise (the parser may refuse a malformed numeral with ``ValueError``,
its documented answer), every offset must point inside the text at the number
as written, and every value must be finite.

The hostile texts (digit runs of any length, separators, unit words, white
space, control characters, digits of other scripts) run under a hypothesis
profile chosen by the environment variable ``ANALYSIS_FUZZ``: ``quick`` (200
examples: ``make test-fast``, a check while working), ``fast`` (the default:
a few thousand examples from a fixed seed, a few seconds in the normal suite)
or ``release`` (100,000 examples: ``make fuzz``). The extract
command on a hostile report: ``tests/integration/test_fuzz_command.py``.
"""
from __future__ import annotations

import math
import os
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis import schema
from analysis.extract import extract_facts
from analysis.metadata import read_metadata
from analysis.numbers import parse_number
from analysis.text import normalize_text

# Profiles of the hostile-text properties. All are derandomised (a fixed seed)
# and keep no example database, so a run is the same on every machine.
settings.register_profile("fuzz-quick", max_examples=200, derandomize=True, database=None,
                          deadline=None, suppress_health_check=list(HealthCheck))
settings.register_profile("fuzz-fast", max_examples=2_000, derandomize=True, database=None,
                          deadline=None, suppress_health_check=list(HealthCheck))
settings.register_profile("fuzz-release", max_examples=100_000, derandomize=True, database=None,
                          deadline=None, suppress_health_check=list(HealthCheck))
FUZZ_PROFILE = "fuzz-" + os.environ.get("ANALYSIS_FUZZ", "fast")
if FUZZ_PROFILE not in ("fuzz-quick", "fuzz-fast", "fuzz-release"):  # pragma: no cover - a typo
    raise ValueError(f"ANALYSIS_FUZZ must be quick, fast or release, not {os.environ['ANALYSIS_FUZZ']!r}")
FUZZ = settings.get_profile(FUZZ_PROFILE)

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


# --------------------------------------------------------------------------
# Hostile texts (issue 15): digit runs of any length, broken separators,
# control characters and other scripts' digits
# --------------------------------------------------------------------------

OTHER_DIGITS = "٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹०१२३४५६७८९๐๑๒๓๔๕๖๗๘๙０１２３４５６７８９²³¹½"
CONTROL = "\x00\x01\x07\x08\x0b\x0c\x1b\x7f\x85\u200b\u200e\u2028\u2029\ufeff\r\t\n\u00a0\u202f"
SEPARATORS = [".", ",", ",,", "..", ".,", "/", "-", "–", ":", "%", " ", "", "'", "·"]


def _digit_run(rng: random.Random) -> str:
    """A run of digits, short or absurdly long (a pasted table column, a key held down)."""
    roll = rng.random()
    size = rng.randint(1, 20) if roll < 0.7 else rng.randint(290, 330) if roll < 0.9 else rng.randint(300, 5_000)
    pattern = "".join(rng.choices("0123456789", k=rng.randint(1, 7)))
    return (pattern * (size // len(pattern) + 1))[:size]


def _numeral(rng: random.Random) -> str:
    n = rng.randint(0, 10 ** rng.randint(1, 13))
    shape = rng.randrange(4)
    if shape == 0:
        return str(n)
    if shape == 1:
        return f"{n:,}".replace(",", ".")
    if shape == 2:
        return f"{n:,}".replace(",", ".") + "," + str(rng.randint(0, 999))
    return "".join(rng.choices("0123456789.,/-", k=rng.randint(1, 14)))


def _hostile_number(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.randint(1, 6)):
        pick = rng.randrange(4)
        if pick == 0:
            parts.append(_digit_run(rng))
        elif pick == 1:
            parts.append(_numeral(rng))
        elif pick == 2:
            parts.append(rng.choice(SEPARATORS))
        else:
            parts.append("".join(rng.choices(OTHER_DIGITS, k=rng.randint(1, 6))))
    return "".join(parts) + rng.choice(UNITS)


def hostile_text_from(seed: int) -> str:
    """A report-like text full of hostile numbers, the same for the same seed.

    Building the text from one drawn seed keeps each example cheap (thousands
    run in seconds); a failure prints the text it failed on.
    """
    rng = random.Random(seed)
    out = []
    for _ in range(rng.randint(1, 25)):
        pick = rng.randrange(7)
        if pick in (0, 1):
            tok = _hostile_number(rng)
        elif pick == 2:
            tok = rng.choice(WORDS)
        elif pick == 3:
            tok = rng.choice(PUNCT)
        elif pick == 4:
            tok = "".join(rng.choices(CONTROL, k=rng.randint(1, 3)))
        elif pick == 5:
            tok = "".join(rng.choices(OTHER_DIGITS + "0123456789.,/ %", k=rng.randint(1, 12)))
        else:
            tok = rng.choice(WORDS) + " " + _numeral(rng) + rng.choice(UNITS)
        out.append(tok + rng.choice((" ", " ", "\n", "\t", "", "  ")))
    return "".join(out)


def hostile_text():
    return st.integers(0, 2 ** 64).map(hostile_text_from)


@FUZZ
@given(hostile_text())
def test_extractor_never_fails_on_hostile_text(text):
    check_facts(text)


# the metadata reader costs more per text: half the examples, but in the release profile
@settings(FUZZ, max_examples=FUZZ.max_examples if FUZZ_PROFILE == "fuzz-release" else FUZZ.max_examples // 2)
@given(hostile_text())
def test_metadata_reader_never_fails_on_hostile_text(text):
    meta = read_metadata(normalize_text(text), "fuzz")
    assert isinstance(meta, dict) and meta["doc"] == "fuzz"


def test_a_digit_run_too_long_for_a_float_is_no_fact_and_the_others_stay():
    text = normalize_text("Kết nạp 15 đảng viên mới. Mã bảng: " + "9" * 400
                          + " hộ. Thu ngân sách 2,5 tỷ đồng, đạt 120% dự toán.")
    facts = extract_facts(text, "d")
    assert [(f["raw"], f["value"]) for f in facts] == [
        ("15", 15), ("2,5 tỷ đồng", 2.5e9), ("120%", 120)]
    with pytest.raises(ValueError, match="too large"):
        parse_number("9" * 400)


def test_a_malformed_number_is_not_read_in_part():
    # "12,,5%" is neither 12 nor 5%: a figure nobody wrote is worse than none
    assert extract_facts(normalize_text("Tỷ lệ hộ nghèo 12,,5%, có 40 hộ thoát nghèo."), "d")[0]["raw"] == "40"
