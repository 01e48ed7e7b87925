"""Numbers as Vietnamese reports write them.

A dot groups thousands and a comma is the decimal mark (``12.877.755.000``,
``97,95``), but reports are not consistent: a dot followed by one, two or more
than three digits is a decimal point (``120.14%``, ``5.6 triệu``), while a dot
followed by groups of exactly three digits groups thousands (``1.553``,
``3.471/6.000``). Leading zeros are counts (``06 buổi`` = 6).

Unit words and multipliers (``triệu``, ``tỷ``, ``đ``, ``VNĐ``, ``%0``, ``‰``,
``ha`` ...) are data: ``analysis/rules/units.csv``, ``multipliers.csv`` and
``count_words.csv``, each row with a note of where the phrasing is seen.
"""
from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import NamedTuple

from analysis.rules import read_rules
from analysis.text import normalize_text

__all__ = [
    "NUMERAL", "Quantity", "UnitWord", "parse_number", "parse_decimal",
    "parse_quantity", "load_units", "load_multipliers",
    "load_count_words", "unit_pattern", "multiplier_pattern", "quantity_suffix_pattern",
    "interpret_unit", "load_number_words", "number_words_pattern", "value_of_number_words",
]

#: A numeral as written: digits with dots and commas between digit groups.
#: Only the digits 0-9 make a Vietnamese number: digits of other scripts
#: (``٥٢٠٩``) are not read (full-width digits are made ASCII by
#: :func:`analysis.text.normalize_text` first).
NUMERAL = r"[0-9]+(?:[.,][0-9]+)*"
_NUMERAL_RE = re.compile(NUMERAL)


class UnitWord(NamedTuple):
    """A unit word of ``units.csv``: surface form, unit and factor."""

    surface: str
    unit: str
    factor: Decimal
    not_before: str


class Quantity(NamedTuple):
    """A parsed quantity: value in the unit, and the parts of a fraction."""

    value: float
    unit: str
    numerator: float | None = None
    denominator: float | None = None


@lru_cache(maxsize=None)
def load_units() -> tuple[UnitWord, ...]:
    """Return the unit words, longest first (so ``%0`` wins over ``%`` and ``km2`` over ``km``).

    Examples
    --------
    >>> [u.surface for u in load_units() if u.unit == "per_mille"][:2]
    ['phần nghìn', 'phần ngàn']
    """
    rows = read_rules("units")
    units = [UnitWord(r["surface"], r["unit"], Decimal(r["factor"]), r.get("not_before", ""))
             for r in rows]
    return tuple(sorted(units, key=lambda u: -len(u.surface)))


@lru_cache(maxsize=None)
def load_multipliers() -> dict[str, tuple[Decimal, str]]:
    """Multiplier words → (factor, unit when no unit word follows).

    Examples
    --------
    >>> load_multipliers()["tỷ"]
    (Decimal('1000000000'), 'vnd')
    """
    return {r["word"]: (Decimal(r["factor"]), r["default_unit"])
            for r in read_rules("multipliers")}


@lru_cache(maxsize=None)
def load_count_words() -> tuple[str, ...]:
    """Nouns that make ``triệu``/``tỷ``/``nghìn`` a count, not money.

    Examples
    --------
    >>> "lượt" in load_count_words()
    True
    """
    return tuple(sorted((r["word"] for r in read_rules("count_words")), key=len, reverse=True))


def _word_end(surface: str) -> str:
    last = surface[-1]
    if last.isalpha():
        return r"(?![^\W\d_])"
    if last.isdigit():
        return r"(?!\d)"
    return ""


@lru_cache(maxsize=None)
def unit_pattern() -> str:
    """Regular expression (no capturing groups) for any unit word.

    Examples
    --------
    >>> bool(re.fullmatch(unit_pattern(), "%0")), bool(re.fullmatch(unit_pattern(), "VNĐ"))
    (True, True)
    """
    alts = []
    for u in load_units():
        alt = re.escape(u.surface).replace(r"\ ", r"[ \t]+") + _word_end(u.surface)
        if u.not_before:
            alt += f"(?!{u.not_before})"
        alts.append(alt)
    return "(?i:" + "|".join(alts) + ")"


@lru_cache(maxsize=None)
def multiplier_pattern() -> str:
    """Regular expression (no capturing groups) for a multiplier word.

    Examples
    --------
    >>> bool(re.fullmatch(multiplier_pattern(), "triệu"))
    True
    """
    words = sorted(load_multipliers(), key=len, reverse=True)
    alts = []
    for w in words:
        alt = re.escape(w) + r"(?![^\W\d_])"
        not_before = _multiplier_not_before().get(w)
        if not_before:
            alt += f"(?!{not_before})"
        alts.append(alt)
    return "(?:" + "|".join(alts) + ")"


@lru_cache(maxsize=None)
def _multiplier_not_before() -> dict[str, str]:
    return {r["word"]: r.get("not_before", "") for r in read_rules("multipliers")}


@lru_cache(maxsize=None)
def _suffix_re() -> re.Pattern:
    mult = multiplier_pattern()
    return re.compile(
        rf"[ \t]*(?P<m1>{mult})?[ \t]*(?P<m2>{mult})?[ \t]*(?P<u>{unit_pattern()})?[ \t]*",
        re.IGNORECASE)


@lru_cache(maxsize=None)
def _unit_lookup() -> dict[str, UnitWord]:
    return {re.sub(r"\s+", " ", u.surface.lower()): u for u in load_units()}


@lru_cache(maxsize=4096)
def interpret_unit(suffix: str) -> tuple[str | None, Decimal, bool]:
    """Return the unit and factor of the words written after a number.

    Returns ``(unit, factor, from_multiplier_only)``: the unit is ``None`` for
    a bare number; ``from_multiplier_only`` is true when a multiplier stands
    without a unit word (``800 triệu``), in which case the unit is the
    multiplier's default and a following count noun may override it.

    Examples
    --------
    >>> interpret_unit(" tỷ đồng")
    ('vnd', Decimal('1000000000'), False)
    >>> interpret_unit(" triệu")
    ('vnd', Decimal('1000000'), True)
    >>> interpret_unit("%0")
    ('per_mille', Decimal('1'), False)
    >>> interpret_unit("")
    (None, Decimal('1'), False)
    """
    m = _suffix_re().fullmatch(suffix)
    if m is None:
        raise ValueError(f"not a unit: {suffix!r}")
    mults = load_multipliers()
    factor = Decimal(1)
    default_unit = None
    for g in ("m1", "m2"):
        if m.group(g):
            f, default_unit = mults[m.group(g).lower()]
            factor *= f
    if m.group("u"):
        u = _unit_lookup()[re.sub(r"\s+", " ", m.group("u").lower())]
        return u.unit, factor * u.factor, False
    if default_unit is not None:
        return default_unit, factor, True
    return None, factor, False


@lru_cache(maxsize=8192)
def parse_decimal(s: str) -> Decimal:
    """Exact value of a numeral as written in a Vietnamese report.

    Raises ``ValueError`` when the string is not one numeral (``217,218,219``).

    Examples
    --------
    >>> parse_decimal("12.877.755.000"), parse_decimal("120.14"), parse_decimal("06")
    (Decimal('12877755000'), Decimal('120.14'), Decimal('6'))
    """
    s = s.strip()
    if not _NUMERAL_RE.fullmatch(s):
        raise ValueError(f"not a number as Vietnamese reports write it: {s!r}")
    if "," in s:
        if s.count(",") > 1:
            raise ValueError(f"more than one decimal comma: {s!r}")
        whole, frac = s.split(",")
        if not frac.isdigit():
            raise ValueError(f"a dot after the decimal comma: {s!r}")
        groups = whole.split(".")
        if any(len(g) != 3 for g in groups[1:]):
            raise ValueError(f"dots before a decimal comma must group thousands: {s!r}")
        return Decimal("".join(groups) + "." + frac)
    if "." in s:
        groups = s.split(".")
        if groups[0] != "0" and all(len(g) == 3 for g in groups[1:]):
            return Decimal("".join(groups))
        if len(groups) == 2:
            return Decimal(s)  # dot as decimal point: 120.14, 5.6
        raise ValueError(f"dots neither group thousands nor mark decimals: {s!r}")
    try:
        return Decimal(s)
    except InvalidOperation:  # pragma: no cover - the pattern already checked
        raise ValueError(f"not a number: {s!r}") from None


def parse_number(s: str) -> float:
    """Value of a number written the Vietnamese way.

    Parameters
    ----------
    s : str
        The numeral only (no unit): ``"97,95"``, ``"12.877.755.000"``.

    Returns
    -------
    float

    Examples
    --------
    >>> parse_number("97,95")
    97.95
    >>> parse_number("12.877.755.000")
    12877755000.0
    >>> parse_number("1.553"), parse_number("120.14"), parse_number("5.6")
    (1553.0, 120.14, 5.6)
    >>> parse_number("06")
    6.0
    >>> parse_number("1.234,5")
    1234.5
    >>> parse_number("217,218,219")
    Traceback (most recent call last):
    ...
    ValueError: more than one decimal comma: '217,218,219'
    >>> parse_number("9" * 400)
    Traceback (most recent call last):
    ...
    ValueError: too large for a number a report can state: '99999999999999999999'... (400 digits)
    """
    value = float(parse_decimal(s))
    if not math.isfinite(value):
        raise ValueError(f"too large for a number a report can state: {s.strip()[:20]!r}... "
                         f"({sum(c.isdigit() for c in s)} digits)")
    return value


@lru_cache(maxsize=None)
def quantity_suffix_pattern() -> str:
    """Regular expression (no capturing groups) for the unit words after a number.

    Examples
    --------
    >>> bool(re.fullmatch(quantity_suffix_pattern(), " tỷ đồng"))
    True
    """
    mult = multiplier_pattern()
    return (rf"(?:[ \t]{{0,2}}{mult}(?:[ \t]+{mult})?(?:[ \t]{{0,2}}{unit_pattern()})?"
            rf"|[ \t]{{0,2}}{unit_pattern()})")


@lru_cache(maxsize=None)
def _quantity_re() -> re.Pattern:
    suffix = quantity_suffix_pattern()
    return re.compile(
        rf"\s*(?P<n1>{NUMERAL})(?P<q1>{suffix})?"
        rf"(?:[ \t]*/[ \t]*(?P<n2>{NUMERAL})(?P<q2>{suffix})?)?(?P<rest>.*)",
        re.IGNORECASE | re.DOTALL)


def parse_quantity(s: str) -> Quantity:
    """Value and unit of a number with its unit words, or of a fraction.

    Money is in đồng (``triệu`` ×10^6, ``tỷ`` ×10^9, ``nghìn``/``ngàn`` ×10^3);
    ``%0`` and ``‰`` are per mille; a fraction ``a/b`` has value ``a``, and its
    unit is ``count`` unless both sides carry a measure unit.

    Examples
    --------
    >>> parse_quantity("17,8 tỷ đồng")
    Quantity(value=17800000000.0, unit='vnd', numerator=None, denominator=None)
    >>> parse_quantity("5.6 triệu").value, parse_quantity("800 triệu").unit
    (5600000.0, 'vnd')
    >>> parse_quantity("18,93%0")
    Quantity(value=18.93, unit='per_mille', numerator=None, denominator=None)
    >>> parse_quantity("3.471/6.000")
    Quantity(value=3471.0, unit='count', numerator=3471.0, denominator=6000.0)
    >>> parse_quantity("96,4ha/120,5 ha").unit
    'ha'
    >>> parse_quantity("1,2 nghìn lượt người")
    Quantity(value=1200.0, unit='count', numerator=None, denominator=None)
    >>> parse_quantity("09:14")
    Traceback (most recent call last):
    ...
    ValueError: not a quantity as Vietnamese reports write it: '09:14'
    """
    m = _quantity_re().fullmatch(normalize_text(s))
    if m is None or (m.group("rest") and not m.group("rest")[0].isspace()):
        raise ValueError(f"not a quantity as Vietnamese reports write it: {s!r}")
    unit1, f1, default1 = interpret_unit(m.group("q1") or "")
    rest = m.group("rest").strip()
    if default1 and rest and any(re.match(re.escape(w) + r"(?![^\W\d_])", rest, re.I)
                                 for w in load_count_words()):
        unit1 = "count"
    v1 = _finite(parse_decimal(m.group("n1")) * f1, s)
    if m.group("n2"):
        unit2, f2, _ = interpret_unit(m.group("q2") or "")
        v2 = _finite(parse_decimal(m.group("n2")) * f2, s)
        unit = unit1 if unit1 and unit1 == unit2 and unit1 not in ("percent", "per_mille") else "count"
        return Quantity(v1, unit, v1, v2)
    return Quantity(v1, unit1 or "count")


def _finite(value: Decimal, written: str) -> float:
    out = float(value)
    if not math.isfinite(out):
        raise ValueError(f"too large for a number a report can state: {written.strip()[:20]!r}...")
    return out


_NUMBER_WORD_ROLES = ("digit", "ten", "tens", "after_tens")


@lru_cache(maxsize=None)
def load_number_words() -> dict[str, tuple[int, str]]:
    """Return the number words (``number_words.csv``) → (value, role in a numeral).

    Examples
    --------
    >>> load_number_words()["bốn"], load_number_words()["mươi"]
    ((4, 'digit'), (10, 'tens'))
    """
    out = {}
    for r in read_rules("number_words"):
        if r["role"] not in _NUMBER_WORD_ROLES:
            raise ValueError(f"analysis/rules/number_words.csv: role must be one of "
                             f"{', '.join(_NUMBER_WORD_ROLES)}, not {r['role']!r}")
        out[r["word"].lower()] = (int(r["value"]), r["role"])
    return out


@lru_cache(maxsize=None)
def number_words_pattern() -> str:
    """Regular expression (no capturing groups) for a numeral written in words.

    A digit word alone (``bốn``), ``mười`` or a digit word with ``mươi``, then
    optionally a unit (``mười hai``, ``hai mươi mốt``). ``một`` alone is the
    article, and ``năm`` is not listed at all (it is also the year).

    Examples
    --------
    >>> bool(re.fullmatch(number_words_pattern(), "hai mươi mốt"))
    True
    >>> bool(re.fullmatch(number_words_pattern(), "một"))
    False
    """
    words = load_number_words()

    def alt(*roles):
        return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)
                        if words[w][1] in roles)
    tens = "|".join(re.escape(w) for w, (_, r) in words.items() if r == "tens")
    ten = "|".join(re.escape(w) for w, (_, r) in words.items() if r == "ten")
    return (rf"(?:(?:(?:{alt('digit')})[ \t]+(?:{tens})|{ten})"
            rf"(?:[ \t]+(?:{alt('digit', 'after_tens')})(?![^\W\d_]))?|(?:{alt('digit')}))"
            r"(?![^\W\d_])")


def value_of_number_words(s: str) -> int:
    """Value of a numeral written in words.

    Examples
    --------
    >>> value_of_number_words("sáu"), value_of_number_words("mười lăm"), value_of_number_words("hai mươi tư")
    (6, 15, 24)
    """
    words = load_number_words()
    total = 0
    for w in s.lower().split():
        value, role = words[w]
        total = total * value if role == "tens" else total + value
    return total
