"""Numbers as Vietnamese reports write them (analysis.numbers).

One table of messy inputs with the value and unit a reader would take from
them, non-numbers included; then property tests: any number written the
Vietnamese way parses back to itself.
"""
import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.numbers import (
    number_words_pattern,
    parse_decimal,
    parse_number,
    parse_quantity,
    value_of_number_words,
)

# input as written → (value, unit, numerator, denominator); None = not a quantity
TABLE = [
    # the formats the annotation guide names
    ("120.14%", (120.14, "percent", None, None)),          # dot + 2 digits: decimal point
    ("5.6 triệu", (5_600_000, "vnd", None, None)),          # dot + 1 digit: decimal point
    ("18,93%0", (18.93, "per_mille", None, None)),          # per mille typed %0
    ("06", (6, "count", None, None)),                       # leading zero: a count
    ("01/20", (1, "count", 1, 20)),                         # leading zero in a fraction
    ("3.471/6.000", (3471, "count", 3471, 6000)),           # dots group thousands
    ("12.877.755.000 đồng", (12_877_755_000, "vnd", None, None)),
    ("17,8 tỷ đồng", (17_800_000_000, "vnd", None, None)),
    ("8.700.000đ", (8_700_000, "vnd", None, None)),
    ("800 triệu", (800_000_000, "vnd", None, None)),        # triệu alone is money
    ("97,95%", (97.95, "percent", None, None)),
    ("100 %", (100, "percent", None, None)),                # space before the sign
    ("15‰", (15, "per_mille", None, None)),
    ("1.553", (1553, "count", None, None)),
    ("5209/5318", (5209, "count", 5209, 5318)),
    ("28/20", (28, "count", 28, 20)),                       # over-achieved target
    ("96,4ha/120,5 ha", (96.4, "ha", 96.4, 120.5)),  # both sides measured
    ("5,2 ha", (5.2, "ha", None, None)),
    ("0,46km2", (0.46, "km2", None, None)),                 # kept in the unit written
    ("1800kg", (1800, "kg", None, None)),
    ("20 m3", (20, "m3", None, None)),
    ("15 tấn", (15, "ton", None, None)),
    ("2 tạ", (200, "kg", None, None)),
    ("300 m2", (300, "m2", None, None)),
    ("2,5 km", (2.5, "km", None, None)),
    # money the ways reports write it
    ("144,5 triệu đồng", (144_500_000, "vnd", None, None)),
    ("3.200.000 đ", (3_200_000, "vnd", None, None)),
    ("5.000.000 VNĐ", (5_000_000, "vnd", None, None)),
    ("5.6 triêu đồng", (5_600_000, "vnd", None, None)),     # typed without the dot below
    ("3 tỉ", (3_000_000_000, "vnd", None, None)),
    ("50 nghìn đồng", (50_000, "vnd", None, None)),
    ("1,5 nghìn tỷ đồng", (1_500_000_000_000, "vnd", None, None)),
    ("15 trđ", (15_000_000, "vnd", None, None)),
    # multipliers of counts
    ("1,2 nghìn lượt người", (1200, "count", None, None)),
    ("2 triệu lượt khách", (2_000_000, "count", None, None)),
    ("5 ngàn", (5000, "count", None, None)),
    # words after the quantity are allowed
    ("36 tin", (36, "count", None, None)),
    ("03 đồng chí", (3, "count", None, None)),              # đồng chí is not money
    # not quantities
    ("09:14", None),
    ("16/07/2021", None),
    ("02-CTr/QU", None),
    ("111/NĐ-CP", None),
    ("ISO 9001:2015", None),
    ("217,218,219", None),
    ("5G", None),
    ("", None),
    ("9" * 400, None),                                      # too large for any float: no number
    ("٥٢٠٩", None),                                         # another script's digits
    ("5209", (5209, "count", None, None)),
    ("1.250", (1250, "count", None, None)),
]


@pytest.mark.parametrize("written, expected", TABLE, ids=[t[0] or "empty" for t in TABLE])
def test_parse_quantity_table(written, expected):
    if expected is None:
        with pytest.raises(ValueError):
            parse_quantity(written)
        return
    value, unit, num, den = expected
    q = parse_quantity(written)
    assert q.value == pytest.approx(value, rel=1e-12)
    assert q.unit == unit
    assert q.numerator == (None if num is None else pytest.approx(num))
    assert q.denominator == (None if den is None else pytest.approx(den))


NUMERALS = [
    ("97,95", 97.95), ("12.877.755.000", 12_877_755_000), ("120.14", 120.14),
    ("108.93", 108.93), ("5.6", 5.6), ("1.2345", 1.2345), ("06", 6), ("01", 1),
    ("1.553", 1553), ("6.000", 6000), ("0,04", 0.04), ("0.5", 0.5), ("1.234,5", 1234.5),
    ("0", 0),
]


@pytest.mark.parametrize("written, value", NUMERALS)
def test_parse_number_table(written, value):
    assert parse_number(written) == pytest.approx(value, rel=1e-12)


@pytest.mark.parametrize("written", ["217,218,219", "1.2.3", "1,2.3", "12.34,5", "abc", "", "1 000",
                                     "12,,5", "12..5", "٥٢٠٩", "9" * 310, "1" * 5000])
def test_parse_number_rejects_what_is_not_one_number(written):
    with pytest.raises(ValueError):
        parse_number(written)


# numerals written in words → value (annotation guide: number words are facts when they count)
NUMBER_WORDS = [("bốn", 4), ("sáu", 6), ("bẩy", 7), ("mười", 10), ("mười hai", 12), ("mười lăm", 15),
                ("hai mươi", 20), ("hai mươi mốt", 21), ("ba mươi tư", 34), ("chín mươi chín", 99)]


@pytest.mark.parametrize("written, value", NUMBER_WORDS)
def test_number_words_table(written, value):
    assert re.fullmatch(number_words_pattern(), written)
    assert value_of_number_words(written) == value


@pytest.mark.parametrize("written", ["một", "năm", "mươi", "lăm", "hai mươi mươi", "Bốn"])
def test_words_that_are_no_numeral_alone(written):
    # một alone is the article, năm is also the year, lăm and mươi only follow tens
    assert not re.fullmatch(number_words_pattern(), written)


def write_vietnamese(integer: int, decimals: str = "") -> str:
    """Write a number the Vietnamese way: dot thousands, comma decimals."""
    digits = str(integer)
    groups = []
    while digits:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    out = ".".join(groups)
    return out + ("," + decimals if decimals else "")


integers = st.integers(min_value=0, max_value=10**13)
decimals = st.text(alphabet="0123456789", min_size=0, max_size=4)


@given(integers, decimals)
def test_vietnamese_numbers_parse_back_to_themselves(integer, decimals):
    written = write_vietnamese(integer, decimals)
    expected = Decimal(f"{integer}.{decimals}" if decimals else str(integer))
    assert parse_decimal(written) == expected
    assert parse_number(written) == float(expected)


@given(st.integers(min_value=0, max_value=999), st.integers(min_value=0, max_value=2))
def test_leading_zeros_are_counts(n, zeros):
    written = "0" * zeros + str(n)
    assert parse_quantity(written).value == n
    assert parse_quantity(written).unit == "count"


MULTIPLIERS = {"nghìn đồng": 10**3, "triệu": 10**6, "triệu đồng": 10**6, "tỷ": 10**9, "tỷ đồng": 10**9}


@given(st.integers(min_value=0, max_value=999_999), decimals,
       st.sampled_from(sorted(MULTIPLIERS)), st.sampled_from([" ", ""]))
def test_money_with_multipliers_parses_back(integer, decimals, word, space):
    written = write_vietnamese(integer, decimals) + space + word
    expected = Decimal(f"{integer}.{decimals}" if decimals else str(integer)) * MULTIPLIERS[word]
    q = parse_quantity(written)
    assert q.unit == "vnd"
    assert q.value == float(expected)


@given(st.integers(min_value=1, max_value=99_999), st.integers(min_value=1, max_value=99_999))
def test_fractions_keep_numerator_and_denominator(a, b):
    q = parse_quantity(f"{write_vietnamese(a)}/{write_vietnamese(b)} hộ")
    assert (q.value, q.numerator, q.denominator, q.unit) == (a, a, b, "count")


@given(st.integers(min_value=0, max_value=99_999), st.text(alphabet="0123456789", min_size=1, max_size=2))
def test_a_dot_before_one_or_two_digits_is_a_decimal_point(integer, decimals):
    # reports are not consistent: 120.14% and 5.6 triệu use the dot as decimal point
    assert parse_number(f"{integer}.{decimals}") == float(Decimal(f"{integer}.{decimals}"))
