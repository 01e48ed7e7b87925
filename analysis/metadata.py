"""Report metadata read from the report text itself.

A ward or district report says what it is in its own words: the portal's
"Ngày đăng dd/mm/yyyy" stamp, "phường X" / "quận Y" in the title and body,
"6 tháng đầu năm 2021", "9 tháng đầu năm", "năm 2018", "3 tháng cuối năm 2021",
and the language of plans ("phấn đấu", "tập trung thực hiện") versus results
("đã", "đạt", "kết quả"). :func:`read_metadata` reads all of it.

The knowledge lives in CSV tables under ``analysis/rules/``:

``metadata_periods.csv``
    period phrases (regular expressions) and their period codes, plus masks
    for phrases that name a year without being the report's period
    ("so với năm 2017", "năm học 2021-2022").
``metadata_period_labels.csv``
    how reports say each period, in Vietnamese and English, with its months.
``metadata_kind_cues.csv``
    plan and results cues with weights, in the title or the body.
``metadata_unit_words.csv``
    words that name an administrative unit ("phường", "quận", "Quận ủy").
``metadata_page_furniture.csv``
    portal lines that are never the title, and the labels of the date stamp.
``metadata_doc_codes.csv``
    document codes; which of them are programmes ("02-CTr/QU").
``provinces.csv``, ``places_districts.csv``, ``places_wards.csv``, ``places_wards_2025.csv``
    the gazetteer: the 63 provinces (and the 34 they became in 2025), their
    district-level units, and the wards and communes before and after the
    reform of 1 July 2025; ``hanoi_wards.csv`` and ``hanoi_districts.csv`` add
    the older wards of Hà Nội.
``metadata_place_aliases.csv``, ``metadata_unit_owners.csv``, ``metadata_month_words.csv``
    'TPHCM' and the other short names of cities; the words before an unnamed
    unit ('UBND phường'); month names in stamps ('Tháng Chín').

Every reader works on :func:`analysis.text.normalize_text` output.
"""
from __future__ import annotations

import csv
import re
from bisect import bisect_right
from collections import Counter
from datetime import date
from functools import lru_cache
from pathlib import Path

from analysis.fastmatch import LeadingPattern
from analysis.paths import RULES
from analysis.text import normalize_text

__all__ = [
    "read_metadata", "parse_period", "period_label", "read_title",
    "read_published", "read_unit", "read_period", "read_doc_kind",
    "read_programs", "RuleTableError", "REFORM_DATE",
]

_PERIOD_RE = re.compile(r"^(\d{4})-(FY|H1|H2|Q1|Q2|Q3|Q4|9M)$")
# the year after a period phrase: '6 tháng đầu năm 2021', 'quý I/2022', 'quý I năm 2022'
_YEAR_AFTER = r"(?:\s*(?:/|-|năm)\s*|\s+)((?:19|20)\d{2})(?!\d)"
_DATE_RES = (
    re.compile(r"(?<!\d)(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})(?!\d)"),
    re.compile(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})"),
)
_TOKEN_RE = re.compile(r"[^\W_]+")
_GAP_RE = re.compile(r"[ \t]+")
_WS_RE = re.compile(r"\s+")
_LEVEL_ORDER = {"ward": 0, "commune": 0, "district": 1, "city": 2, "province": 2}


class RuleTableError(ValueError):
    """A rule table under ``analysis/rules/`` is malformed."""


_PROGRAMME_RE = LeadingPattern(
    r"(\d{1,3})\s*-\s*([^\W\d_]{1,4})\s*/\s*([^\W\d_]{1,4}(?:-[^\W\d_]{1,6})?)(?![\w])", r"[\w/]")


def _programme_matches(text: str):
    """The matches of :data:`_PROGRAMME_RE`, found from the text's hyphens.

    A match is one to three digits, white space, a hyphen: each hyphen has
    at most one match ending there, starting where the run of digits before
    it starts (inside a run, a digit precedes, which the lookbehind refuses).
    Checking the few hyphens of a report this way gives the regex's matches,
    in order, without trying the pattern at every digit.

    Examples
    --------
    >>> [m.group(0) for m in _programme_matches("số 02-CTr/QU, 2020-2025, 1234-KH/QU, 3 - ctr/qu")]
    ['02-CTr/QU', '3 - ctr/qu']
    """
    rest = _PROGRAMME_RE.rest
    pos, hyphen = 0, text.find("-")
    while hyphen != -1:
        end = hyphen
        while end and text[end - 1].isspace():
            end -= 1
        start = end
        while start and end - start <= 3 and text[start - 1].isdecimal():
            start -= 1
        if start >= pos and 0 < end - start <= 3 and not (
                start and (text[start - 1].isalnum() or text[start - 1] in "_/")):
            m = rest.match(text, start)
            if m is not None:
                yield m
                pos = m.end()
        hyphen = text.find("-", hyphen + 1)


# --------------------------------------------------------------------------- tables

def _read_table(name: str) -> list[dict]:
    path = Path(RULES) / name
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            lines = [ln for ln in fh if ln.strip() and not ln.startswith("#")]
    except FileNotFoundError:
        raise RuleTableError(f"{path}: rule table missing; restore it from the repository") from None
    reader = csv.reader(lines)
    header = next(reader)
    rows = []
    for i, row in enumerate(reader, start=2):
        if len(row) != len(header):
            raise RuleTableError(
                f"{path}: row {i} has {len(row)} fields, expected {len(header)} "
                f"({', '.join(header)}); quote fields that contain commas")
        rows.append(dict(zip(header, (c.strip() for c in row))))
    return rows


def _phrase_rx(phrase: str) -> str:
    """A literal phrase as a pattern whose spaces match any run of white space."""
    return r"\s+".join(re.escape(w) for w in phrase.split())


def _fold(s: str) -> str:
    """Lower-case without changing the length (offsets stay valid)."""
    out = s.lower()
    if len(out) != len(s):  # a character whose lower case is longer: keep it
        out = "".join(c.lower() if len(c.lower()) == 1 else c for c in s)
    return out


def _title_case(name: str) -> str:
    return " ".join(t[:1].upper() + t[1:].lower() for t in name.split())



_SUB_CODES = frozenset({"H1", "H2", "Q1", "Q2", "Q3", "Q4", "9M"})
_FY_STRENGTH = {"FY+": 2, "FY": 1, "FY-": 0}
# a cut-off at a quarter's end is the end of a period, not an odd cut-off
_QUARTER_ENDS = {(31, 3): "Q1", (30, 6): "H1", (30, 9): "9M", (31, 12): "FY"}
_MONTH_ENDS = {3: "Q1", 6: "H1", 9: "9M", 12: "FY"}
#: The reform that removed the district level: wards and communes reported after it have no parent district.
REFORM_DATE = date(2025, 7, 1)
# Huế became a centrally run city on 1 January 2025 (before, the province of Thừa Thiên Huế)
_HUE_DATE = date(2025, 1, 1)


@lru_cache(maxsize=None)
def _period_rules() -> dict:
    """The phrases of ``metadata_periods.csv`` by what they say of the period."""
    rules: dict[str, list] = {k: [] for k in ("-", "sub", "fy", "odd", "cutoff", "cutoff-month", "same", "past")}
    for r in _read_table("metadata_periods.csv"):
        pat = r["pattern"].replace(" ", r"\s+")
        code = r["code"]
        try:
            if code in _FY_STRENGTH:
                rules["fy"].append((LeadingPattern(pat + _YEAR_AFTER), _FY_STRENGTH[code]))
            elif code in _SUB_CODES:
                rules["sub"].append((LeadingPattern(pat + r"(?!\w)(?:" + _YEAR_AFTER + ")?"), code))
            elif code == "cutoff-month":
                rules[code].append(LeadingPattern(pat + r"(?!\d)(?:" + _YEAR_AFTER + ")?"))
            elif code == "cutoff":
                rules[code].append(LeadingPattern(pat + r"(?!\d)"))
            elif code in rules:
                rules[code].append(LeadingPattern(pat + r"(?!\w)"))
            else:
                raise RuleTableError(f"{RULES / 'metadata_periods.csv'}: unknown code {code!r} "
                                     f"for pattern {r['pattern']!r}")
        except re.error as e:
            raise RuleTableError(f"{RULES / 'metadata_periods.csv'}: bad pattern {r['pattern']!r}: {e}") from None
    return rules


@lru_cache(maxsize=None)
def _period_labels() -> dict[str, dict]:
    return {r["code"]: r for r in _read_table("metadata_period_labels.csv")}


@lru_cache(maxsize=None)
def _kind_cues():
    out = []
    for r in _read_table("metadata_kind_cues.csv"):
        pat = LeadingPattern(r["cue"].replace(" ", r"\s+") + r"(?!\w)")
        out.append((pat, r["kind"], float(r["weight"]), r["scope"]))
    return out


@lru_cache(maxsize=None)
def _unit_words():
    """The unit words read on folded text, and the abbreviations read as written."""
    rows = sorted(_read_table("metadata_unit_words.csv"), key=lambda r: -len(r["word"]))
    words = [r for r in rows if r["role"] != "abbrev"]
    alt = "|".join(_phrase_rx(r["word"]) for r in words)
    by_word = {re.sub(r"\s+", " ", r["word"]): r for r in rows}
    abbrevs = [r for r in rows if r["role"] == "abbrev"]
    abbrevs = tuple(r["word"] for r in rows if r["role"] == "abbrev")   # longest first
    return LeadingPattern(r"(" + alt + r")[ \t]+"), by_word, abbrevs


@lru_cache(maxsize=None)
def _place_aliases():
    rows = sorted(_read_table("metadata_place_aliases.csv"), key=lambda r: -len(r["alias"]))
    rx = re.compile(r"(" + "|".join(re.escape(r["alias"]) for r in rows) + r")(?!\w)")
    return rx, {r["alias"]: normalize_text(r["province"]) for r in rows}


@lru_cache(maxsize=None)
def _bare_units():
    """'UBND phường', 'toàn huyện': a unit word after an owner word, the unit itself unnamed."""
    owners = sorted((r["word"] for r in _read_table("metadata_unit_owners.csv")), key=len, reverse=True)
    words = sorted((r["word"] for r in _read_table("metadata_unit_words.csv") if r["role"] == "unit"),
                   key=len, reverse=True)
    rx = LeadingPattern(r"(?:" + "|".join(_phrase_rx(o) for o in owners) + r")\s+("
                  + "|".join(_phrase_rx(w) for w in words) + r")(?!\w)(?!\s+hội(?!\w))")
    return rx


@lru_cache(maxsize=None)
def _owners_before() -> re.Pattern:
    owners = sorted((r["word"] for r in _read_table("metadata_unit_owners.csv")), key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(_phrase_rx(o) for o in owners) + r")\s+\Z")


# a district written right after a ward: 'phường 5, quận 3'
_BESIDE_WARD_RE = re.compile(r"(?<!\w)(?:phường|xã|thị\s+trấn)\s+[^\n,.;()]{1,30}\s*[,(]\s*\Z")


def _owned(folded: str, start: int) -> bool:
    """Whether an owner word ('UBND', 'Công an') comes right before ``start``."""
    return _owners_before().search(folded, max(0, start - 30), start) is not None


@lru_cache(maxsize=None)
def _furniture():
    rows = _read_table("metadata_page_furniture.csv")
    skip = tuple(r["pattern"] for r in rows if r["role"] == "skip")
    stamp = tuple(r["pattern"] for r in rows if r["role"] == "stamp")
    aside = tuple(r["pattern"] for r in rows if r["role"] == "aside")
    return skip, stamp, aside


@lru_cache(maxsize=None)
def _stamp_labels() -> LeadingPattern:
    _, stamp, _ = _furniture()
    return LeadingPattern(r"(?:" + "|".join(_phrase_rx(s) for s in stamp) + r")(?!\w)")


@lru_cache(maxsize=None)
def _month_words() -> re.Pattern:
    rows = sorted(_read_table("metadata_month_words.csv"), key=lambda r: -len(r["word"]))
    months = {r["word"]: int(r["month"]) for r in rows}
    rx = re.compile(r"(?<!\d)(\d{1,2})\s+tháng\s+(" + "|".join(_phrase_rx(w) for w in months)
                    + r")(?!\w)\s*,?\s*(?:năm\s+)?((?:19|20)\d{2})(?!\d)")
    return rx, months


@lru_cache(maxsize=None)
def _programme_codes() -> frozenset:
    return frozenset(r["code"].lower() for r in _read_table("metadata_doc_codes.csv")
                     if r["is_programme"].lower() == "true")


@lru_cache(maxsize=None)
def _programme_spelling() -> dict:
    return {r["code"].lower(): r["code"] for r in _read_table("metadata_doc_codes.csv")}


def _key(name: str) -> str:
    """A place name as the tables are looked up: folded, hyphens and spaces as one space."""
    key = name.lower()
    if "-" in key or "–" in key or "  " in key:
        key = _WS_RE.sub(" ", _HYPHEN_RE.sub(" ", key))
    return key.strip()


_HYPHEN_RE = re.compile(r"\s*[-–]\s*")


class _Places:
    """The gazetteer: provinces, district-level units and wards, before and after the 2025 reform."""

    __slots__ = ("provinces", "districts", "wards", "wards_2025", "names")

    def __init__(self):
        self.provinces: dict[str, dict] = {}
        self.districts: dict[str, list[tuple[str, str, str]]] = {}
        self.wards: dict[str, list[tuple[str, str, str, str]]] = {}
        self.wards_2025: dict[str, list[tuple[str, str, str]]] = {}
        self.names: dict[str, str] = {}       # key -> the name as the tables write it
        for r in _read_table("provinces.csv"):
            name = normalize_text(r["province"])
            row = {"name": name, "kind": r["kind"], "label": normalize_text(r["label"]),
                   "before": normalize_text(r["label_before_2025"]) or None,
                   "after_2025": normalize_text(r["after_2025"])}
            self.provinces[_key(name)] = row
            self.names.setdefault(_key(name), name)
            if row["before"]:                   # 'tỉnh Thừa Thiên Huế' is the province of Huế
                self.provinces.setdefault(_key(row["before"]), row)
                self.names.setdefault(_key(row["before"]), name)
        for r in [*_read_table("places_districts.csv"), *_read_table("hanoi_districts.csv")]:
            name = normalize_text(r["district"])
            prov = normalize_text(r.get("province") or r.get("city"))
            row = (name, r["district_type"], prov)
            got = self.districts.setdefault(_key(name), [])
            if all(g[0] != name or g[2] != prov for g in got):
                got.append(row)
            self.names.setdefault(_key(name), name)
        for r in _read_table("places_wards.csv"):
            self._add_ward(r["ward"], r["ward_type"], r["district"], r["province"])
        for r in _read_table("hanoi_wards.csv"):
            self._add_ward(normalize_text(r["ward"]), "phường", normalize_text(r["district"]),
                           normalize_text(r["city"]))
        for r in _read_table("places_wards_2025.csv"):
            name, key = r["ward"], _key(r["ward"])
            self.wards_2025.setdefault(key, []).append((name, r["ward_type"], r["province"]))
            self.names.setdefault(key, name)

    def _add_ward(self, name, kind, district, province):
        key = _key(name)
        got = self.wards.setdefault(key, [])
        if all(g[2] != district or g[3] != province for g in got):
            got.append((name, kind, district, province))
        self.names.setdefault(key, name)

    def label(self, province: str | None, early: bool = False) -> str | None:
        """How the city field writes a province ('Thành phố Hồ Chí Minh'); ``early``:
        before 2025, when Huế was the province of Thừa Thiên Huế."""
        if province is None:
            return None
        row = self.provinces.get(_key(province))
        if not row:
            return province
        return row["before"] if early and row["before"] else row["label"]

    def after_reform(self, province: str | None) -> str | None:
        """The province of 1 July 2025 on that a province became part of."""
        row = self.provinces.get(_key(province)) if province else None
        return row["after_2025"] if row else province

    def is_city(self, name: str) -> bool:
        """Whether a name is a centrally run city (level 'city')."""
        row = self.provinces.get(_key(name))
        return bool(row) and row["kind"] == "thành phố"


@lru_cache(maxsize=None)
def _places() -> _Places:
    return _Places()


# --------------------------------------------------------------------------- periods

def parse_period(code: str) -> tuple[date, date, int]:
    """First day, last day and length in months of a period code.

    Parameters
    ----------
    code : str
        ``YYYY-FY``, ``YYYY-H1``, ``YYYY-H2``, ``YYYY-Q1`` .. ``YYYY-Q4`` or
        ``YYYY-9M`` (the first nine months).

    Examples
    --------
    >>> parse_period("2021-H1")
    (datetime.date(2021, 1, 1), datetime.date(2021, 6, 30), 6)
    >>> parse_period("2020-9M")
    (datetime.date(2020, 1, 1), datetime.date(2020, 9, 30), 9)
    >>> parse_period("2021-Q4")[0].isoformat(), parse_period("2018-FY")[2]
    ('2021-10-01', 12)
    >>> parse_period("2021-H3")
    Traceback (most recent call last):
    ...
    ValueError: period '2021-H3' is not a period code: use YYYY-FY, YYYY-H1, YYYY-H2, YYYY-Q1..Q4 or YYYY-9M
    """
    m = _PERIOD_RE.match(str(code).strip())
    if not m:
        raise ValueError(f"period {code!r} is not a period code: use YYYY-FY, YYYY-H1, "
                         "YYYY-H2, YYYY-Q1..Q4 or YYYY-9M")
    year, part = int(m.group(1)), m.group(2)
    row = _period_labels()[part]
    first, months = int(row["start_month"]), int(row["months"])
    last_month = first + months - 1
    next_first = date(year + 1, 1, 1) if last_month == 12 else date(year, last_month + 1, 1)
    end = date.fromordinal(next_first.toordinal() - 1)
    return date(year, first, 1), end, months


def period_label(code: str, lang: str = "vi") -> str:
    """The period the way reports say it.

    Examples
    --------
    >>> period_label("2021-H1")
    '6 tháng đầu năm 2021'
    >>> period_label("2018-FY"), period_label("2022-Q1"), period_label("2021-Q4")
    ('Năm 2018', 'Quý I năm 2022', '3 tháng cuối năm 2021')
    >>> period_label("2021-H1", lang="en")
    'First half of 2021'
    """
    parse_period(code)
    if lang not in ("vi", "en"):
        raise ValueError(f"language {lang!r} is not available: use 'vi' or 'en'")
    year, part = code.strip().split("-")
    return _period_labels()[part][lang].format(year=year)


def _blank(text: str, spans) -> str:
    """The text with every span replaced by as many spaces."""
    spans = sorted(spans)
    if not spans:
        return text
    out, pos = [], 0
    for s, e in spans:
        if e <= pos:
            continue
        s = max(s, pos)
        out.append(text[pos:s])
        out.append(" " * (e - s))
        pos = e
    out.append(text[pos:])
    return "".join(out)


def _first(rx: LeadingPattern, text: str):
    return next(iter(rx.finditer(text)), None)


class _Covered:
    """Positions of a text already taken by some span: marking and asking are
    linear in the span's length, so a report with thousands of mentions costs
    no more than its length (a list of spans asked with ``any`` is quadratic)."""

    __slots__ = ("_mask",)

    def __init__(self, n: int, spans=()):
        self._mask = bytearray(n + 1)
        for s, e in spans:
            self.add(s, e)

    def add(self, s: int, e: int) -> None:
        s, e = max(s, 0), min(e, len(self._mask))
        if e > s:
            self._mask[s:e] = b"\x01" * (e - s)

    def __contains__(self, pos: int) -> bool:
        return 0 <= pos < len(self._mask) and self._mask[pos] == 1

    def overlaps(self, s: int, e: int) -> bool:
        return self._mask.find(1, max(s, 0), max(e, 0)) >= 0


_ODD_REACH = 1200   # characters: the headline and the opening paragraphs of a report


@lru_cache(maxsize=8)      # the period and the kind readers look at the same text
def _period_hits(folded: str) -> dict:
    """What a text says of its period.

    ``sub``: sub-year hits ``(start, code, year|None)``; ``fy``: whole-year hits
    ``(start, year, strength)``; ``same``: phrases for the report's year without
    its number; ``past``: 'năm qua'; ``odd``: figures up to an odd cut-off.
    """
    rules = _period_rules()
    masked = _blank(folded, [(m.start(), m.end()) for rx in rules["-"] for m in rx.finditer(folded)])
    # a cut-off stated in the headline or the opening paragraphs governs the report's
    # figures; one further down qualifies a single figure of a report of its own period
    opening = masked[:_ODD_REACH]
    odd = any(_first(rx, opening) is not None for rx in rules["odd"])
    sub_hits, spans = [], []
    for rx in rules["cutoff"]:
        for m in rx.finditer(masked):
            day, month = int(m.group(1)), int(m.group(2))
            if (1 <= day <= 31 and 1 <= month <= 12 and (day, month) not in _QUARTER_ENDS
                    and m.start() < _ODD_REACH):
                odd = True
    for rx in rules["cutoff-month"]:
        for m in rx.finditer(masked):
            month = int(m.group(1))
            code = _MONTH_ENDS.get(month)
            if code is None:
                odd = odd or (1 <= month <= 12 and m.start() < _ODD_REACH)
            elif code != "FY":
                y = m.group(m.lastindex) if m.lastindex and m.lastindex > 1 else None
                sub_hits.append((m.start(), code, int(y) if y else None))
                spans.append((m.start(), m.end()))
    covered = _Covered(len(masked), spans)
    for rx, code in rules["sub"]:
        for m in rx.finditer(masked):
            if covered.overlaps(m.start(), m.end()):
                continue
            y = m.group(m.lastindex) if m.lastindex else None
            sub_hits.append((m.start(), code, int(y) if y else None))
            spans.append((m.start(), m.end()))
            covered.add(m.start(), m.end())
    masked = _blank(masked, spans)
    fy_hits, seen = [], set()
    for rx, strength in rules["fy"]:     # strongest phrases first: a year is counted once
        for m in rx.finditer(masked):
            at = m.start(m.lastindex)
            if at not in seen:
                seen.add(at)
                fy_hits.append((m.start(), int(m.group(m.lastindex)), strength))
    same = sum(rx.count(masked) for rx in rules["same"])
    past = sum(rx.count(masked) for rx in rules["past"])
    return {"sub": sorted(sub_hits), "fy": sorted(fy_hits), "same": same, "past": past, "odd": odd}


def _ref_date(published: str | None, dateline: str | None = None) -> date | None:
    """The date a report was published, from its stamp or (to the month) its dateline."""
    for s in (published, dateline):
        if s:
            try:
                return date(int(s[:4]), int(s[5:7]), int(s[8:10]) if len(s) >= 10 else 1)
            except ValueError:
                continue
    return None


def _infer_year(fy_hits, ref: date | None, code: str, sub_hits=()) -> int | None:
    if not fy_hits:     # '6 tháng đầu năm ... 6 tháng cuối năm 2023': the year another phrase gives
        fy_hits = [(s, y, 1) for s, _, y in sub_hits if y]
    if fy_hits:
        counts = Counter(y for _, y, _ in fy_hits)
        first = {}
        for s, y, _ in fy_hits:
            first.setdefault(y, s)
        return max(counts, key=lambda y: (counts[y], -first[y]))
    if ref:
        row = _period_labels()[code]
        late = int(row["start_month"]) + int(row["months"]) - 1 > 6
        return ref.year - 1 if (late and ref.month <= 2) else ref.year
    return None


def _top(counts: Counter, first: dict):
    """The most frequent key (the earliest among equals), or None when two lead together."""
    ranked = sorted(counts, key=lambda k: (-counts[k], first[k]))
    if len(ranked) > 1 and counts[ranked[0]] == counts[ranked[1]]:
        return None
    return ranked[0] if ranked else None


def read_period(text: str, title: str | None = None, published: str | None = None) -> str | None:
    """The period a report covers, as a code like ``2021-H1``.

    The headline speaks first (the title, or the first sentence of a page with
    none); then the sub-year phrases of the body (the most frequent); then the
    whole year, where the body gives the results of a year ("kết quả ... năm
    2017") or names one year more than once; then "năm qua" with the
    publication date. A phrase without a year ("9 tháng đầu năm") takes the
    year the text names most, else the year of the publication stamp. Figures
    up to an odd cut-off ("tính đến ngày 20-11", "4 tháng đầu năm"), spans
    of several years and plans to a horizon ("đến năm 2025") give no period.

    Examples
    --------
    >>> read_period("Kết quả 6 tháng đầu năm 2021 trên địa bàn phường Thạch Bàn")
    '2021-H1'
    >>> read_period("Năm 2020 là năm quan trọng. Thu ngân sách 9 tháng đầu năm đạt 208%.")
    '2020-9M'
    >>> read_period("QUẬN THANH XUÂN QUYẾT TÂM HOÀN THÀNH NHIỆM VỤ 3 THÁNG CUỐI NĂM 2021")
    '2021-Q4'
    >>> read_period("Kết quả quý I/2022"), read_period("Báo cáo 6 tháng cuối năm 2019")
    ('2022-Q1', '2019-H2')
    >>> read_period("Kết quả công tác xây dựng Đảng phường Cự Khối năm 2018")
    '2018-FY'
    >>> read_period("Cẩm Xuyên phát triển đảng viên\\nNăm qua, Huyện ủy đã lãnh đạo ...", published="2022-01-08")
    '2021-FY'
    >>> read_period("Sơ kết 6 tháng đầu năm 2022\\nTrong 4 tháng đầu năm 2022, phường đã kiểm tra 120 cơ sở.") is None
    True
    """
    text = normalize_text(text)
    return _period(_fold(text), title if title else _lead(text), published, _dateline(text)[1])


def _period(folded: str, head: str | None, published: str | None, dateline: str | None = None) -> str | None:
    body = _period_hits(folded)
    if body["odd"]:
        return None
    ref = _ref_date(published, dateline)
    fy_all = body["fy"]
    h = None
    lead_from = None    # where the article's first sentence is looked for, below a headline
    if head:
        hf = _fold(normalize_text(head))
        at = folded.find(hf)
        if at >= 0:         # the headline is a line of the text: its hits are those of the text there
            end = lead_from = at + len(hf)
            h = {"sub": [x for x in body["sub"] if at <= x[0] < end],
                 "fy": [x for x in body["fy"] if at <= x[0] < end], "odd": False}
        else:
            h = _period_hits(hf)
        if h["odd"]:
            return None
        if h["sub"]:
            _, code, year = h["sub"][0]
            year = year or _infer_year(fy_all, ref, code, h["sub"] + body["sub"])
            return f"{year}-{code}" if year else None
        named = [y for _, y, s in h["fy"] if s >= 1]
        if named:
            return f"{named[0]}-FY"
        weak = [y for _, y, s in h["fy"] if s == 0]
        if weak:
            # a headline of next year's tasks gives the period, unless the body sums up a year
            # ('Xã X triển khai nhiệm vụ năm 2023' over 'hội nghị tổng kết ... năm 2022')
            first = {}
            for s, y, _ in fy_all:
                first.setdefault(y, s)
            results = Counter(y for _, y, s in fy_all if s == 2)
            year = _top(results, first) if results else None
            return f"{year or weak[0]}-FY"
    if body["sub"]:
        counts = Counter(code for _, code, _ in body["sub"])
        order = {}
        for s, code, _ in body["sub"]:
            order.setdefault(code, s)
        code = max(counts, key=lambda c: (counts[c], -order[c]))
        years = Counter(y for _, c, y in body["sub"] if c == code and y)
        year = years.most_common(1)[0][0] if years else _infer_year(fy_all, ref, code, body["sub"])
        return f"{year}-{code}" if year else None
    first = {}
    for s, y, _ in fy_all:
        first.setdefault(y, s)
    results = Counter(y for _, y, s in fy_all if s == 2)
    if results:
        year = _top(results, first)
        return f"{year}-FY" if year else None
    lead = _lead_year(folded, lead_from) if lead_from is not None else None
    # a year's results are told from its last quarter on ('Năm 2019, xã đã trao quà Tết'
    # published in January 2019 is news of the month, not of the year)
    if lead and (ref is None or ref.year > lead or (ref.year == lead and ref.month >= 10)):
        return f"{lead}-FY"
    named = Counter(y for _, y, s in fy_all if s == 1)
    if named:
        # one year named once in passing is not the period; the same year said
        # again, or the report's year said without its number, makes it so
        year = _top(named, first)
        if year and named[year] + body["same"] >= 2:
            return f"{year}-FY"
        return None
    weak = [y for _, y, s in fy_all if s == 0]
    if weak:
        return f"{weak[0]}-FY"
    if body["past"] and ref:
        if ref.month <= 3:
            return f"{ref.year - 1}-FY"
        if ref.month >= 10:
            return f"{ref.year}-FY"
    return None


_LEAD_YEAR_RE = re.compile(r"(?:trong\s+)?năm\s+((?:19|20)\d\d)\s*,(.*)", re.S)
_YEAR_TOKEN_RE = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")


def _lead_year(folded: str, start: int) -> int | None:
    """The year a news lead opens with when that sentence states a figure: 'Năm 2023,
    tỷ lệ ... đạt 93%' under a headline with no period gives the year's results;
    'Năm 2021, dịch bệnh ảnh hưởng ...' (no figure) is context, not the period."""
    lead = _lead(folded[start:])
    stop = _SENTENCE_STOP_RE.search(lead) if lead else None
    lead = lead[:stop.start()] if stop else lead          # its first sentence only
    m = _LEAD_YEAR_RE.match(lead.strip()) if lead else None
    if m and any(c.isdigit() for c in _YEAR_TOKEN_RE.sub(" ", m.group(2))):
        return int(m.group(1))
    return None


# --------------------------------------------------------------------------- title, stamp, dateline

_DATELINE_RE = re.compile(r"\A\s*date\s+((?:19|20)\d{2})-(\d{1,2})(?:-(\d{1,2}))?(?![\d-])[ \t]*")
_TIME_RE = re.compile(r"(?<![\d:])\d{1,2}:\d{2}(?::\d{2})?(?![\d:])")
_WEEKDAY_RE = re.compile(r"(?<!\w)(?:thứ\s+(?:hai|ba|tư|năm|sáu|bảy|[2-7])|chủ\s+nhật|cn)(?!\w)")
_STAMP_NOISE_RE = re.compile(r"\(?gmt\s*[+-]\s*\d{1,2}\)?|(?<!\w)(?:sa|ch|am|pm)(?!\w)|[^\w]+|_")
_NOT_LETTERS_RE = re.compile(r"[\d\W_]+")
_SENTENCE_STOP_RE = re.compile(r"[.!?;](?=\s+[^\W\d_])")
_ISO_DATE_RE = re.compile(r"(?<![\d-])((?:19|20)\d{2})-(\d{1,2})-(\d{1,2})(?![\d-])")
_PAREN_RE = re.compile(r"\(([^()\n]{6,40})\)")
_BODY_LINE = 300


def _dateline(text: str) -> tuple[int, str | None]:
    """Where the text starts after a 'date 2021-03' dateline, and the dateline as 'YYYY-MM[-DD]'."""
    m = _DATELINE_RE.match(text)
    if not m:
        return 0, None
    year, month, day = m.group(1), int(m.group(2)), m.group(3)
    if not 1 <= month <= 12:
        return m.end(), None
    if day:
        try:
            return m.end(), date(int(year), month, int(day)).isoformat()
        except ValueError:
            return m.end(), f"{year}-{month:02d}"
    return m.end(), f"{year}-{month:02d}"


def _dates_in(folded: str) -> list[tuple[int, int, date]]:
    """Every full date of a line (numbers, 'ngày 5 tháng 8 năm 2022', '14 tháng ba 2021')."""
    out = []
    rx_words, months = _month_words()
    for rx in _DATE_RES:
        for d in rx.finditer(folded):
            try:
                out.append((d.start(), d.end(), date(int(d.group(3)), int(d.group(2)), int(d.group(1)))))
            except ValueError:
                continue
    for d in _ISO_DATE_RE.finditer(folded):
        try:
            out.append((d.start(), d.end(), date(int(d.group(1)), int(d.group(2)), int(d.group(3)))))
        except ValueError:
            continue
    for d in rx_words.finditer(folded):
        try:
            month = months[_WS_RE.sub(" ", d.group(2))]
            out.append((d.start(), d.end(), date(int(d.group(3)), month, int(d.group(1)))))
        except (ValueError, KeyError):
            continue
    return sorted(out)


@lru_cache(maxsize=512)
def _line_stamp(line: str) -> date | None:
    """The date of a stamp line ('Hoàng Lan 14:20, 18/03/2022'; 'Thứ Sáu, 11/02/2022 07:30 SA')."""
    f = _fold(line)
    dates = _dates_in(f)
    if not dates:
        return None
    _, stamp, _ = _furniture()
    if any(s in f for s in stamp):
        return dates[0][2]
    rest = _blank(f, [(s, e) for s, e, _ in dates])
    clock = _TIME_RE.search(rest) is not None or _WEEKDAY_RE.search(rest) is not None
    rest = _WEEKDAY_RE.sub(" ", _TIME_RE.sub(" ", rest))
    words = [w for w in _STAMP_NOISE_RE.sub(" ", rest).split() if not w.isdigit()]
    if len(words) <= (4 if clock else 2):
        return dates[0][2]
    return None


def _paren_stamp(line: str) -> date | None:
    """A stamp in parentheses at the end of a headline: '(08:15 03/04/2020)'."""
    for m in _PAREN_RE.finditer(line):
        inner = m.group(1)
        if _TIME_RE.search(inner):
            dates = _dates_in(_fold(inner))
            if dates:
                return dates[0][2]
    return None


def _head_lines(text: str) -> list[str]:
    """The lines above the article's first paragraph (at most 40)."""
    lines = text.split("\n")[:40]
    for i, line in enumerate(lines):
        if len(line.strip()) > _BODY_LINE:
            return lines[:i]
    return lines


@lru_cache(maxsize=None)
def _banners() -> tuple[str, ...]:
    return tuple(r["pattern"] for r in _read_table("metadata_page_furniture.csv") if r["role"] == "banner")


def _line_is_furniture(line: str) -> bool:
    skip, _, _ = _furniture()
    core = _NOT_LETTERS_RE.sub(" ", _fold(line)).strip()
    return core in skip or core.startswith(_banners()) or any(
        core.startswith(s) and len(core) <= len(s) + 12 for s in skip
        if s in ("lượt xem", "view count", "lượt truy cập"))


def _clean_title(line: str) -> str:
    s = _DATELINE_RE.sub("", line).strip()
    s = _PAREN_RE.sub(lambda m: "" if _TIME_RE.search(m.group(1)) and _dates_in(_fold(m.group(1))) else m.group(0), s)
    return s.strip().rstrip(".").strip()


def read_title(text: str) -> str | None:
    """The report's title: the heading line above the date stamp, else the first
    substantial line above the article's first paragraph that is not page furniture.

    Examples
    --------
    >>> read_title("các bài viết chuyên sâu\\n\\nKết quả công tác năm 2018 phường Cự Khối\\n"
    ...            "Ngày đăng 09/01/2019 | 09:07  | Lượt xem: 8308\\n\\nNăm 2018, ...")
    'Kết quả công tác năm 2018 phường Cự Khối'
    >>> read_title("Thông kê truy cập\\nTHANH XUÂN XANH SẠCH ĐẸP\\n"
    ...            "QUẬN THANH XUÂN QUYẾT TÂM HOÀN THÀNH NHIỆM VỤ 3 THÁNG CUỐI NĂM 2021\\nTrước tình hình ...")
    'QUẬN THANH XUÂN QUYẾT TÂM HOÀN THÀNH NHIỆM VỤ 3 THÁNG CUỐI NĂM 2021'
    >>> read_title("Thứ Hai, 12/08/2024 10:05 SA\\nCẩm Xuyên: 9 xã hoàn thành chỉ tiêu giảm nghèo\\n"
    ...            "Thứ Sáu, 11/02/2022 07:30 SA\\n\\nTheo Phòng Lao động huyện Cẩm Xuyên, năm qua ...")
    'Cẩm Xuyên: 9 xã hoàn thành chỉ tiêu giảm nghèo'
    """
    return _title(normalize_text(text))


def _title(text: str) -> str | None:
    lines = _head_lines(text)
    stamps = [i for i, line in enumerate(lines) if line.strip() and _line_stamp(line)]
    if stamps:
        for line in reversed(lines[:stamps[-1]]):
            s = _clean_title(line)
            if not s or _line_is_furniture(s) or _line_stamp(s):
                continue
            if len(s.split()) >= 3:
                return s
            break
    for i, line in enumerate(lines):
        s = _clean_title(line)
        if s and not _line_is_furniture(s) and len(s.split()) >= 6 and i not in stamps:
            return s
    return None


def _lead(text: str) -> str | None:
    """The first sentence of the article (what a news page opens with when it has no title)."""
    start, _ = _dateline(text)
    for line in text[start:].split("\n")[:40]:
        s = line.strip()
        if len(s.split()) < 6 or _line_is_furniture(s):
            continue
        for m in _SENTENCE_STOP_RE.finditer(s):
            if m.start() >= 60:
                return s[:m.end()]
        return s[:_BODY_LINE]
    return None


def read_published(text: str) -> str | None:
    """The publication date, ISO: the portal stamp ("Ngày đăng 16/07/2021"), a
    stamp line at the head of a news page ("Thứ năm, 25/12/2025 08:15",
    "(08:15 03/04/2020)", "15/09/2021, 10:30"), or a full dateline
    ("date 2021-03-05"). Of several stamps at the head, the earliest (a page
    shows the day it was saved above the article). A date in running text, or
    a dateline with no day, is not a publication date.

    Examples
    --------
    >>> read_published("Kết quả ...\\nNgày đăng 16/07/2021 | 09:14  | Lượt xem: 643")
    '2021-07-16'
    >>> read_published("Đăng ngày: ngày 5 tháng 8 năm 2022")
    '2022-08-05'
    >>> read_published("QUẬN THANH XUÂN QUYẾT TÂM ... 3 THÁNG CUỐI NĂM 2021") is None
    True
    >>> read_published("Sắp xếp các phường (09:56 12/11/2019)\\n\\nHĐND quận vừa ban hành ...")
    '2019-11-12'
    >>> read_published("date 2021-03 Năm 2020, ...") is None
    True
    """
    return _published(normalize_text(text))


def _published(text: str) -> str | None:
    _, dateline = _dateline(text)
    found = []
    if dateline and len(dateline) == 10:
        found.append(date.fromisoformat(dateline))
    for line in _head_lines(text):
        if line.strip():
            d = _line_stamp(line) or _paren_stamp(line)
            if d:
                found.append(d)
    if found:
        return min(found).isoformat()
    folded = _fold(text)
    for m in _stamp_labels().finditer(folded):  # the first labelled stamp in the text
        window = folded[m.end():m.end() + 60]
        for rx in _DATE_RES:
            d = rx.search(window)
            if d:
                try:
                    return date(int(d.group(3)), int(d.group(2)), int(d.group(1))).isoformat()
                except ValueError:
                    continue
    return None


# --------------------------------------------------------------------------- units

_UNIT_LEVELS = ("ward", "commune", "district", "city")
_NUMBERED = {"district": "Quận", "ward": "Phường"}
_NAME_GAP_RE = re.compile(r"[ \t]*[-–][ \t]*(?=[^\W\d_])|[ \t]+")


def _aside_spans(folded: str) -> list[tuple[int, int]]:
    """The lines that are not the report's own text: photo captions, the site's address."""
    _, _, aside = _furniture()
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


def _name_tokens(text: str, pos: int) -> list[tuple[str, bool]]:
    """The capitalised syllables (or a short number) from ``pos`` on the same line,
    each with whether a hyphen comes before it ('Bà Rịa- Vũng Tàu')."""
    toks, hyphen = [], False
    while len(toks) < 5:
        t = _TOKEN_RE.match(text, pos)
        if not t:
            break
        tok = t.group(0)
        if not (tok[0].isupper() or (tok.isdigit() and len(tok) <= 2)):
            break
        toks.append((tok, hyphen))
        gap = _NAME_GAP_RE.match(text, t.end())
        if not gap:
            break
        hyphen = "-" in gap.group(0) or "–" in gap.group(0)
        pos = gap.end()
    return toks


def _pick_name(toks: list[tuple[str, bool]], level: str, caps: bool) -> str | None:
    """The longest name the tables know the run starts with, else (mixed case) the run
    up to 3 syllables, else (all capitals, where the name's end is invisible) 2."""
    words = [t for t, _ in toks]
    if words and words[0].isdigit():        # 'Quận 4', 'P.12'
        prefix = _NUMBERED.get(level)
        return f"{prefix} {int(words[0])}" if prefix else None
    got = _known_name(tuple(words[:5]))
    if got:
        return got
    cut = []
    for tok, hyphen in toks:            # an unknown name stops at a hyphen and at a number
        if (hyphen and cut) or tok.isdigit():
            break
        cut.append(tok)
    return _title_case(" ".join(cut[: (2 if caps else 3)])) or None


@lru_cache(maxsize=4096)
def _known_name(words: tuple[str, ...]) -> str | None:
    """The longest place name the tables know that the words start with."""
    names = _places().names
    for n in range(len(words), 0, -1):
        got = names.get(_key(" ".join(words[:n])))
        if got:
            return got
    return None


def _resolve_level(name: str, level: str) -> tuple[str, str]:
    """'thành phố Hồ Chí Minh' is a city, 'thành phố Vĩnh Yên' a district-level unit."""
    if level == "city":
        places = _places()
        if places.is_city(name):
            return places.provinces[_key(name)]["name"], "city"
        return name, "district"
    return name, level


def _abbreviations(text: str, abbrevs: tuple[str, ...]):
    """``(start, end, name start, word)`` of each abbreviation as written: 'Q.3', 'TX.Thuận An', 'TP Quy Nhơn'.

    Found from the text's dots (and, for the undotted ones, their own letters), which
    is far faster than a pattern tried at every capital letter.
    """
    n = len(text)
    dotted = [w for w in abbrevs if w.endswith(".")]
    lasts = {w[-2] for w in dotted}
    i = text.find(".")
    while i != -1:
        if i == 0 or text[i - 1] not in lasts:     # most dots follow a digit or a lower-case word
            i = text.find(".", i + 1)
            continue
        for w in dotted:
            s = i + 1 - len(w)
            if s >= 0 and text.startswith(w, s) and not _glued(text, s):
                after = i + 1 + (i + 1 < n and text[i + 1] in " \t")
                yield s, i + 1, after, w
                break
        i = text.find(".", i + 1)
    for w in abbrevs:
        if w.endswith("."):
            continue
        i = text.find(w + " ")
        while i != -1:
            if not _glued(text, i):
                after = i + len(w)
                while after < n and text[after] in " \t":
                    after += 1
                yield i, i + len(w), after, w
            i = text.find(w + " ", i + 1)


def _glued(text: str, i: int) -> bool:
    """Whether the character before ``i`` joins a word or an abbreviation to what starts there."""
    return i > 0 and (text[i - 1].isalnum() or text[i - 1] in "._")


def _unit_mentions(text: str, folded: str | None = None, skip=()) -> list[dict]:
    """Every 'phường X' / 'quận Y' / 'Quận ủy Y' / 'Q.1' / 'TPHCM' mention with a name."""
    rx, by_word, abbrevs = _unit_words()
    if folded is None:
        folded = _fold(text)
    found = []
    for m in rx.finditer(folded):
        found.append((m.start(), m.start(1), m.end(1), m.end(), by_word[_WS_RE.sub(" ", m.group(1))]))
    found.extend((s, s, e, after, by_word[w]) for s, e, after, w in _abbreviations(text, abbrevs))
    aliases, alias_names = _place_aliases()
    skip = _Covered(len(text), skip)
    taken = _Covered(len(text))
    out = []
    for m in aliases.finditer(text):
        if _glued(text, m.start()) or m.start() in skip:
            continue
        taken.add(m.start(), m.end())
        out.append({"start": m.start(), "end": m.end(), "name": alias_names[m.group(1)], "level": "city",
                    "role": "unit", "caps": False, "run": _fold(m.group(1))})
    for start, w0, w1, end, rule in found:
        if start in skip or start in taken:
            continue
        prefix = text[w0:w1]
        toks = _name_tokens(text, end)
        if not toks or (toks[0][0].isdigit() and len(toks) == 1 and not prefix[:1].isupper()
                        and not _owned(folded, start)
                        and not _BESIDE_WARD_RE.search(folded, max(0, start - 45), start)):
            continue    # 'nhập phường 3 và 11': a number in a list, unless 'UBND phường 5'
        if (rule["role"] == "abbrev" and not toks[0][0].isdigit()
                and _known_name(tuple(t for t, _ in toks[:5])) is None):
            continue    # 'Q. Chủ tịch' (acting), 'P.Giám đốc' (deputy), 'TP. Tổ chức' (head of office)
        caps = prefix.isupper() and all(not t.isalpha() or t.isupper() for t, _ in toks)
        level = rule["level"]
        name = _pick_name(toks, level, caps)
        if not name:
            continue
        name, level = _resolve_level(name, level)
        out.append({"start": start, "end": end + len(name), "name": name, "level": level,
                    "role": rule["role"], "caps": caps, "run": _fold(" ".join(t for t, _ in toks)),
                    "type": rule.get("means") or _WS_RE.sub(" ", rule["word"])})
    return sorted(out, key=lambda m: m["start"])


def _bare_names(title: str) -> list[dict]:
    """District-level units and cities a mixed-case headline names without a unit word
    ('Cẩm Xuyên phát triển đảng viên ...', 'Hương Thủy: 80% số trường ...')."""
    if title.isupper():
        return []
    places = _places()
    toks = [t for t in _TOKEN_RE.finditer(title)]
    out = []
    i = 0
    while i < len(toks):
        if not toks[i].group(0)[0].isupper():
            i += 1
            continue
        hit = None
        for n in range(4, 1, -1):
            run = toks[i:i + n]
            if len(run) < n or not all(t.group(0)[0].isupper() for t in run):
                continue
            if any(not _NAME_GAP_RE.fullmatch(title[a.end():b.start()]) for a, b in zip(run, run[1:])):
                continue
            k = _key(" ".join(t.group(0) for t in run))
            if k in places.districts or places.is_city(k):
                hit = (n, k)
                break
        if hit:
            n, k = hit
            level = "city" if places.is_city(k) and k not in places.districts else "district"
            out.append({"start": toks[i].start(), "name": places.names[k], "level": level,
                        "role": "unit", "caps": False, "run": k})
            i += n
        else:
            i += 1
    return out


def _bare_level(text: str, folded: str) -> str | None:
    """The level of a unit the text speaks of without naming it ('UBND phường đã hoàn thành ...')."""
    _, by_word, _ = _unit_words()
    counts: Counter = Counter()
    for m in _bare_units().finditer(folded):
        nxt = _TOKEN_RE.match(text, _GAP_RE.match(text, m.end()).end() if _GAP_RE.match(text, m.end()) else m.end())
        if nxt and (nxt.group(0)[0].isupper() or nxt.group(0).isdigit()):
            continue
        level = by_word[_WS_RE.sub(" ", m.group(1))]["level"]
        # a city that is not named is a provincial one: the centrally run cities are named
        counts["district" if level == "city" else level] += 1
    counts = Counter({k: v for k, v in counts.items() if k in _UNIT_LEVELS})
    if not counts:
        return None
    return max(counts, key=lambda lv: (counts[lv], -_LEVEL_ORDER[lv]))


def read_unit(text: str, title: str | None = None) -> dict:
    """The unit a report is about: name, level, parent district and city.

    The title speaks first (a ward it names wins over the district committee it
    also names; a district or city it names without a unit word counts too);
    otherwise the unit the body names most (two named as often: no name). A
    report that never names its unit still gives its level ("UBND phường").
    A ward's parent is the district the text names, checked against the
    gazetteer, else the one district of the only ward of that name in the
    country; after the reform of 1 July 2025 wards have no parent. The city is
    the province the text names for the unit, else the one province a unit of
    that name belongs to, else null: never a default.

    Examples
    --------
    >>> read_unit("Kết quả ... của Quận ủy Long Biên 6 tháng đầu năm 2021 trên địa bàn phường Thạch Bàn")
    {'unit_name': 'Thạch Bàn', 'unit_level': 'ward', 'parent': 'Long Biên', 'city': 'Hà Nội'}
    >>> read_unit("QUẬN THANH XUÂN QUYẾT TÂM HOÀN THÀNH NHIỆM VỤ 3 THÁNG CUỐI NĂM 2021")["unit_name"]
    'Thanh Xuân'
    >>> read_unit("Xã Kim Sơn tổ chức hội nghị. UBND huyện Gia Lâm chỉ đạo xã Kim Sơn ...")["parent"]
    'Gia Lâm'
    >>> read_unit("Năm 2022, UBND Q.3 tiếp nhận 41.200 hồ sơ")
    {'unit_name': 'Quận 3', 'unit_level': 'district', 'parent': None, 'city': 'Thành phố Hồ Chí Minh'}
    >>> read_unit("Kết quả thu ngân sách của phường Quang Trung")["city"] is None
    True
    """
    text = normalize_text(text)
    folded = _fold(text)
    published = _published(text)
    dateline = _dateline(text)[1]
    period = _period(folded, title if title else _lead(text), published, dateline)
    return _unit(text, title, folded, _unit_date(period, published, dateline))


def _unit_date(period: str | None, published: str | None, dateline: str | None) -> date | None:
    """The day whose units the report speaks of: the end of its period, else its publication."""
    return parse_period(period)[1] if period else _ref_date(published, dateline)


def _unit(text: str, title: str | None, folded: str, when: date | None) -> dict:
    title = normalize_text(title) if title else None
    aside = _aside_spans(folded)
    mentions = _unit_mentions(text, folded, aside)
    units = [m for m in mentions if m["level"] in _UNIT_LEVELS]
    chosen = None
    if title:
        t_all = _unit_mentions(title)
        t_units = [m for m in t_all if m["level"] in _UNIT_LEVELS]
        if not t_units:
            t_units = []
            for m in _bare_names(title):
                said = Counter(u["level"] for u in units if _key(u["name"]) == m["run"])
                t_units.append(dict(m, level=said.most_common(1)[0][0]) if said else m)
        if t_units:
            t_units = _recut_caps(t_units, units)
            chosen = min(t_units, key=lambda m: (_LEVEL_ORDER[m["level"]], m["start"]))
    if chosen is None and units:
        counts = Counter((m["name"], m["level"]) for m in units)
        first = {}
        for m in units:
            first.setdefault((m["name"], m["level"]), m["start"])
        # ties go to the lower level (a ward report names its district too)
        ranked = sorted(counts, key=lambda k: (-counts[k], _LEVEL_ORDER[k[1]], first[k]))
        top = [k for k in ranked if counts[k] == counts[ranked[0]]]
        # among units named as often: one ward beside its district is the ward; several
        # wards beside one district are the district's; several of the same level, neither
        by_level: dict[int, list] = {}
        for k in top:
            by_level.setdefault(_LEVEL_ORDER[k[1]], []).append(k)
        key = None
        for order in sorted(by_level):
            if len(by_level[order]) == 1:
                key = by_level[order][0]
                break
        if key is None:
            key = top[0]
            chosen = {"name": None, "level": key[1]}
        else:
            types = Counter(m.get("type") for m in units if (m["name"], m["level"]) == key)
            chosen = {"name": key[0], "level": key[1], "type": types.most_common(1)[0][0]}
    if chosen is None:
        level = _bare_level(text, folded)
        chosen = {"name": None, "level": level}
    name, level = chosen["name"], chosen["level"]
    places = _places()
    reformed = when is not None and when >= REFORM_DATE
    said = Counter(m["name"] for m in units if m["level"] == "district")
    district = None     # the ward's district; after the reform it places the ward, but is no parent
    if name and level in ("ward", "commune"):
        table = {r[2] for r in places.wards.get(_key(name), [])}
        ok = [d for d in said if d in table]
        beside = _district_beside(text, name, units)
        if beside:
            district = beside
        elif ok:
            district = max(ok, key=lambda d: said[d])
        elif len(table) == 1 and not reformed:
            district = next(iter(table))
        elif said:
            district = said.most_common(1)[0][0]
    # a province named only in a caption or the site's address is not one the report writes
    city = _read_city(_blank(text, aside), name, level, district, mentions, reformed, chosen.get("type"))
    if reformed and city:
        city = places.after_reform(city)
    city = places.label(city, early=when is None or when < _HUE_DATE)
    parent = None if reformed else district
    return {"unit_name": name, "unit_level": level, "parent": parent, "city": city}


_BESIDE_RE = re.compile(r"[ \t]*(?:,|\(|[-–]|thuộc|của)?[ \t]*(?:thuộc[ \t]+)?$")


def _district_beside(text: str, name: str, units: list[dict]) -> str | None:
    """The district written right after the ward: 'phường Bình An, Quận 2';
    'phường Trần Hưng Đạo (thành phố Thái Bình)'; 'xã Đông Dư thuộc huyện Gia Lâm'."""
    wards = [m for m in units if m["name"] == name and m["level"] in ("ward", "commune")]
    said = Counter()
    for d in units:
        if d["level"] != "district":
            continue
        for w in wards:
            if 0 < d["start"] - w.get("end", w["start"]) <= 12 and _BESIDE_RE.match(
                    _fold(text[w["end"]:d["start"]])):
                said[d["name"]] += 1
    return said.most_common(1)[0][0] if said else None


def _recut_caps(t_units: list[dict], body_units: list[dict]) -> list[dict]:
    """Cut an all-capital title name to a mixed-case name the body uses."""
    seen = {(m["name"], m["level"]) for m in body_units if not m["caps"]}
    out = []
    for m in t_units:
        if m["caps"] and (m["name"], m["level"]) not in seen:
            # the longest mixed-case name of the body the capital run begins with
            longer = [n for n, lv in seen if lv == m["level"]
                      and (m["run"] + " ").startswith(_fold(n) + " ")]
            if longer:
                m = dict(m, name=max(longer, key=len))
        out.append(m)
    return out


def _provinces_of(name: str, level: str, parent: str | None, reformed: bool,
                  kind: str | None = None) -> set[str]:
    places = _places()
    if level == "district":
        rows = places.districts.get(_key(name), [])
        typed = [r for r in rows if r[1] == kind]     # 'thị xã Sơn Tây' is not 'huyện Sơn Tây'
        return {r[2] for r in (typed or rows)}
    if parent:
        inside = {r[3] for r in places.wards.get(_key(name), []) if r[2] == parent}
        got = inside or {r[2] for r in places.districts.get(_key(parent), [])}
        if got and not (reformed and not inside):
            return got
    old = {r[3] for r in places.wards.get(_key(name), [])}
    new = {r[2] for r in places.wards_2025.get(_key(name), [])}
    return (new or old) if reformed else (old or new)


def _writes(text: str, name: str) -> bool:
    """Whether the text writes a place name as a word of its own ('Sở Y tế Hà Nội')."""
    i = text.find(name)
    while i != -1:
        j = i + len(name)
        if not _glued(text, i) and (j >= len(text) or not text[j].isalnum()):
            return True
        i = text.find(name, i + 1)
    return False


def _read_city(text, name, level, parent, mentions, reformed, kind=None) -> str | None:
    """The province of the unit (as the gazetteer names it), or None."""
    places = _places()
    if level == "city":
        return places.provinces[_key(name)]["name"] if _key(name) in places.provinces else name
    named = Counter(places.provinces[_key(m["name"])]["name"] if _key(m["name"]) in places.provinces
                    else m["name"] for m in mentions if m["level"] in ("city", "province"))
    cands = _provinces_of(name, level, parent, reformed, kind) if name else set()
    inter = [p for p in named if p in cands]
    if inter:
        return max(inter, key=lambda p: named[p])
    if len(cands) == 1:
        return next(iter(cands))
    if cands:
        # a name in several provinces: the one whose name the text writes, if only one is
        written = [p for p in cands if _writes(text, p)]
        return written[0] if len(written) == 1 else None
    if named:
        top = named.most_common(2)
        return top[0][0] if len(top) == 1 or top[0][1] > top[1][1] else None
    # the districts the text names all lie in one province
    provinces = set()
    for m in mentions:
        if m["level"] == "district":
            got = {r[2] for r in places.districts.get(_key(m["name"]), [])}
            if len(got) == 1:
                provinces |= got
    return next(iter(provinces)) if len(provinces) == 1 else None


# --------------------------------------------------------------------------- kind, programmes

def read_doc_kind(text: str, title: str | None = None, period: str | None = None,
                  published: str | None = None) -> str:
    """``plan`` or ``results``: weighs the language of plans against that of results.

    A report published before its period begins is a plan whatever its words,
    and one published after its period ended is results.

    Examples
    --------
    >>> read_doc_kind("Phấn đấu thu ngân sách đạt kế hoạch. Tập trung thực hiện ... Tiếp tục triển khai ...",
    ...               title="QUẬN THANH XUÂN QUYẾT TÂM HOÀN THÀNH NHIỆM VỤ 3 THÁNG CUỐI NĂM 2021")
    'plan'
    >>> read_doc_kind("Kết quả có 193 đảng viên học tập, đạt 93%. Đã kết nạp 11 đảng viên mới.")
    'results'
    >>> read_doc_kind("Thu ngân sách đạt 100%.", period="2022-H2", published="2022-05-10")
    'plan'
    """
    return _doc_kind(_fold(normalize_text(text)), title, period, published)


def _doc_kind(body: str, title: str | None, period: str | None, published: str | None) -> str:
    if period and published:
        try:
            first, last, _ = parse_period(period)
            if date.fromisoformat(published) < first:
                return "plan"
            if date.fromisoformat(published) > last:   # what is told after its period ended was done
                return "results"
        except ValueError:
            pass
    head = _fold(normalize_text(title)) if title else ""
    outlook = _outlook(body, period) if period else []
    in_outlook = _Covered(len(body), outlook)
    score = {"plan": 0.0, "results": 0.0}
    for rx, kind, weight, scope in _kind_cues():
        src = head if scope == "title" else body
        if not src:
            continue
        if kind == "plan" and scope != "title" and outlook:
            # the words of what comes after the period ('Năm 2023, huyện phấn đấu ...'
            # closing a report of 2022) do not make the report a plan
            n = sum(1 for m in rx.finditer(src) if m.start() not in in_outlook)
        else:
            n = rx.count(src)
        score[kind] += weight * n
    return "plan" if score["plan"] > score["results"] else "results"


_SENTENCE_END_RE = re.compile(r"[.!?;]\s|\n")


def _outlook(folded: str, period: str) -> list[tuple[int, int]]:
    """The sentences that speak of a period after the report's own (its outlook)."""
    try:
        _, last, _ = parse_period(period)
    except ValueError:
        return []
    year = last.year
    hits = _period_hits(folded)
    later = [s for s, y, _ in hits["fy"] if y > year]
    for s, code, y in hits["sub"]:
        if parse_period(f"{y or year}-{code}")[0] > last:
            later.append(s)
    if not later:
        return []
    ends = [m.end() for m in _SENTENCE_END_RE.finditer(folded)]
    spans = []
    for s in sorted(later):
        i = bisect_right(ends, s)
        a = ends[i - 1] if i else 0
        b = ends[i] if i < len(ends) else len(folded)
        spans.append((a, b))
    return spans


def read_programs(text: str) -> list[str]:
    """Programme numbers the report cites (``02-CTr/QU``), sorted and unique.

    Examples
    --------
    >>> read_programs("thực hiện Chương trình số 02-CTr/QU ... Kế hoạch số 12-KH/QU ... chương trình 02-CTr/QU")
    ['02-CTr/QU']
    >>> read_programs("Chương trình 3-ctr/qu, Chương trình số 01 - CTr/QU; Đề án số 02-ĐA/QU")
    ['01-CTr/QU', '03-CTr/QU']
    """
    return _programs(normalize_text(text))


def _programs(text: str) -> list[str]:
    codes = _programme_codes()
    spelled = _programme_spelling()
    found = set()
    for m in _programme_matches(text):
        code = m.group(2).lower()
        if code in codes:
            found.add(f"{int(m.group(1)):02d}-{spelled[code]}/{m.group(3).upper()}")
    return sorted(found)


# --------------------------------------------------------------------------- all of it

def read_metadata(text: str, doc_id: str | None = None) -> dict:
    """Every metadata field of one report, read from its text.

    Parameters
    ----------
    text : str
        The report text (normalised here with :func:`analysis.text.normalize_text`).
    doc_id : str, optional
        The report's id, returned as ``doc``.

    Returns
    -------
    dict
        ``doc``, ``unit_name``, ``unit_level``, ``parent``, ``city``, ``period``,
        ``published`` (ISO date or None), ``doc_kind``, ``programs``, ``title``,
        ``period_start``, ``period_end`` (ISO dates) and ``period_months``.
        A field the text does not give is None.

    Examples
    --------
    >>> md = read_metadata(
    ...     "các bài viết chuyên sâu\\n\\nKết quả triển khai thực hiện Chương trình số 02-CTr/QU "
    ...     "của Quận ủy Long Biên 6 tháng đầu năm 2021 trên địa bàn phường Thạch Bàn\\n"
    ...     "Ngày đăng 16/07/2021 | 09:14  | Lượt xem: 643\\n\\n"
    ...     "Trong 6 tháng đầu năm 2021, Đảng ủy – UBND phường Thạch Bàn đã lựa chọn ...", "thach-ban-2021-h1")
    >>> {k: md[k] for k in ("unit_name", "parent", "period", "published", "doc_kind", "programs")}
    {'unit_name': 'Thạch Bàn', 'parent': 'Long Biên', 'period': '2021-H1', 'published': '2021-07-16', 'doc_kind': 'results', 'programs': ['02-CTr/QU']}
    >>> md["period_start"], md["period_end"], md["period_months"]
    ('2021-01-01', '2021-06-30', 6)
    """
    text = normalize_text(text)
    folded = _fold(text)
    title = _title(text)
    published = _published(text)
    dateline = _dateline(text)[1]
    period = _period(folded, title if title else _lead(text), published, dateline)
    start = end = months = None
    if period:
        s, e, months = parse_period(period)
        start, end = s.isoformat(), e.isoformat()
    unit = _unit(text, title, folded, _unit_date(period, published, dateline))
    return {
        "doc": doc_id,
        "unit_name": unit["unit_name"],
        "unit_level": unit["unit_level"],
        "parent": unit["parent"],
        "city": unit["city"],
        "period": period,
        "published": published,
        "doc_kind": _doc_kind(folded, title, period, published),
        "programs": _programs(text),
        "title": title,
        "period_start": start,
        "period_end": end,
        "period_months": months,
    }
