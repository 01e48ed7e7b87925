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
``hanoi_wards.csv``, ``hanoi_districts.csv``
    the wards of Hà Nội (before the 2025 reform) with their districts, and the
    city's district-level units.

Every reader works on :func:`analysis.text.normalize_text` output.
"""
from __future__ import annotations

import csv
import re
from collections import Counter
from datetime import date
from functools import lru_cache
from pathlib import Path

from analysis.paths import RULES
from analysis.text import normalize_text

__all__ = [
    "read_metadata", "parse_period", "period_label", "read_title",
    "read_published", "read_unit", "read_period", "read_doc_kind",
    "read_programs", "RuleTableError", "DEFAULT_CITY",
]

#: The city of the corpus; a report whose unit is in no table gets it.
DEFAULT_CITY = "Hà Nội"

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


# --------------------------------------------------------------------------- fast matching

def _top_level_branch(pattern: str) -> bool:
    """Whether a pattern has a ``|`` outside any group or character class."""
    return any(c == "|" and depth == 0 for _, c, depth in _structure(pattern))


def _required_words(pattern: str) -> tuple[str, ...]:
    r"""Literal runs every match of the pattern contains (its top-level literal text).

    A text without one of them cannot match, which a substring test tells far
    faster than the regular expression. Empty when the pattern has none, or
    when it ignores case.

    Examples
    --------
    >>> _required_words(r"(?:các\s+)?tháng\s+còn\s+lại(?!\w)")
    ('tháng', 'còn', 'lại')
    >>> _required_words(r"quận|phường")
    ()
    """
    try:
        from re import _parser as parser    # Python ≥ 3.11
        parsed = parser.parse(pattern)
        literal = parser.LITERAL
    except Exception:  # noqa: BLE001 - without the parser, no shortcut
        return ()
    if parsed.state.flags & re.IGNORECASE:
        return ()
    runs, run = [], []
    for op, av in parsed:
        if op is literal:
            run.append(chr(av))
            continue
        if len(run) >= 2:
            runs.append("".join(run))
        run = []
    if len(run) >= 2:
        runs.append("".join(run))
    return tuple(runs)


_META = frozenset("\\.^$*+?{}[]|()")
# Beyond a few alternatives, one search for the rest of the pattern is faster
# than one search per alternative.
_MAX_BRANCHES = 4
_QUANTIFIERS = frozenset("?*+{")


def _structure(pattern: str, start: int = 0):
    """``(index, char, depth)`` of each group paren and ``|`` of a pattern, from ``start``.

    Escapes and character classes are skipped; ``depth`` counts the groups
    open around the character (an opening paren counts itself, a closing one
    too).
    """
    depth, i, in_class = 0, start, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
            i += pattern[i + 1:i + 2] == "^"
            if pattern[i + 1:i + 2] == "]":   # a ']' first is literal
                i += 1
        elif c == "(":
            depth += 1
            yield i, c, depth
        elif c == ")":
            yield i, c, depth
            depth -= 1
        elif c == "|":
            yield i, c, depth
        i += 1


def _closing_paren(pattern: str, start: int) -> int | None:
    """Index of the ``)`` that closes the ``(`` at ``start``."""
    return next((i for i, c, depth in _structure(pattern, start) if c == ")" and depth == 1), None)


def _split_branches(pattern: str) -> list[str]:
    """The pattern cut at each ``|`` outside groups and character classes."""
    out, last = [], 0
    for i, c, depth in _structure(pattern):
        if c == "|" and depth == 0:
            out.append(pattern[last:i])
            last = i + 1
    out.append(pattern[last:])
    return out


def _literal_run(pattern: str) -> tuple[str, str]:
    """The literal characters a pattern starts with, and the rest of it."""
    i = 0
    while i < len(pattern) and pattern[i] not in _META:
        i += 1
    if i < len(pattern) and pattern[i] in _QUANTIFIERS:
        i -= 1                      # the last character is repeated: not part of the run
    return pattern[:i], pattern[i:]


def _heads(pattern: str, depth: int = 0) -> list[tuple[str, str, str]] | None:
    """The pattern as branches that each start with literal characters.

    Each branch is ``(opening, literal, remainder)``, the pattern being their
    alternation in the order ``re`` tries them: a leading group of
    alternatives is distributed over what follows it, and an optional leading
    group becomes the branch that takes it, then the branch that does not.
    None when the pattern does not start so.
    """
    if depth > 4:
        return None
    literal, after = _literal_run(pattern)
    if literal:
        return [("", literal, after)]
    capturing = pattern.startswith("(") and not pattern.startswith("(?")
    if not (capturing or pattern.startswith("(?:")):
        return None
    close = _closing_paren(pattern, 0)
    if close is None:
        return None
    inner, tail = pattern[1 if capturing else 3:close], pattern[close + 1:]
    if tail[:1] in _QUANTIFIERS:
        if capturing or tail[:1] != "?" or tail[1:2] in ("?", "+"):
            return None
        taken = _heads("(?:" + inner + ")" + tail[1:], depth + 1)
        skipped = _heads(tail[1:], depth + 1)
        return None if taken is None or skipped is None else taken + skipped
    out = []
    for branch in _split_branches(inner):
        if capturing:
            literal, after = _literal_run(branch)
            if not literal:
                return None
            out.append(("(", literal, after + ")" + tail))
        else:
            got = _heads(branch + tail, depth + 1)
            if got is None:
                return None
            out.extend(got)
    return out


def _literal_first(rest: str, before: str, full: re.Pattern) -> tuple[re.Pattern, ...] | None:
    r"""``(?<!before)rest`` as patterns that each start with literal characters.

    The lookbehind moves behind the literal (``đã(?<!\wđã)`` for
    ``(?<!\w)đã``): the same matches, but ``re`` now finds them by their
    first characters instead of trying the pattern at every position. Each
    branch keeps the groups of the full pattern, in the same numbers; None
    when the pattern cannot be put so.
    """
    if _top_level_branch(rest):
        return None
    heads = _heads(rest)
    if not heads or len(heads) > _MAX_BRANCHES:
        return None
    out = []
    for opening, literal, after in heads:
        try:
            rx = re.compile(f"{opening}{literal}(?<!{before}{re.escape(literal)}){after}")
        except re.error:
            return None
        if rx.groups != full.groups or rx.flags != full.flags or rx.groupindex != full.groupindex:
            return None
        out.append(rx)
    return tuple(out)


def _first_of(branches: tuple[re.Pattern, ...], text: str):
    """The matches of the alternation of ``branches`` (each non-empty), as ``finditer`` gives them."""
    ahead = [rx.search(text) for rx in branches]
    pos = 0
    while True:
        best = None
        for i, m in enumerate(ahead):
            if m is not None and m.start() < pos:
                m = ahead[i] = branches[i].search(text, pos)
            if m is not None and (best is None or m.start() < best.start()):
                best = m
        if best is None:
            return
        yield best
        pos = best.end()


class _Leading:
    r"""A pattern that starts with a one-character negative lookbehind, found fast.

    ``re`` cannot skip ahead to a pattern's first words when the pattern begins
    with a lookbehind (``(?<!\w)phường``): it tries the whole pattern at every
    character of a report. Where the rest of the pattern starts with words,
    or with a group of a few alternative words (``(?:6|06|sáu)\s+tháng``),
    the lookbehind is put behind those words, one pattern per alternative,
    and ``re`` finds each by its words. Otherwise this searches for the rest of
    the pattern and checks the character before each hit. Either way the
    matches are exactly those of the full pattern.

    Examples
    --------
    >>> rx = _Leading(r"phường\s+", r"\w")
    >>> [m.start() for m in rx.finditer("phường Cự Khối, tânphường X; phường Y")]
    [0, 29]
    >>> rx.count("phường Cự Khối, tânphường X; phường Y")
    2
    >>> rx = _Leading(r"(?:6|06|sáu)\s+tháng\s+đầu\s+năm")
    >>> [m.group(0) for m in rx.finditer("sáu tháng đầu năm, 06 tháng đầu năm; 106 tháng đầu năm")]
    ['sáu tháng đầu năm', '06 tháng đầu năm']
    """

    __slots__ = ("full", "rest", "before", "words", "branches")

    def __init__(self, rest: str, before: str = r"\w"):
        self.full = re.compile(f"(?<!{before})" + rest)
        # a top-level '|' would leave the lookbehind on the first branch only
        branching = _top_level_branch(rest)
        self.rest = None if branching else re.compile(rest)
        self.before = re.compile(before)
        self.words = () if branching else _required_words(rest)
        self.branches = _literal_first(rest, before, self.full)

    def finditer(self, text: str):
        for word in self.words:
            if word not in text:
                return
        if self.branches is not None:
            if len(self.branches) == 1:
                yield from self.branches[0].finditer(text)
            else:
                yield from _first_of(self.branches, text)
            return
        rest, before = self.rest, self.before
        if rest is None:
            yield from self.full.finditer(text)
            return
        pos, n = 0, len(text)
        while pos <= n:          # (re clamps a start past the end to the end)
            m = rest.search(text, pos)
            if m is None:
                return
            s = m.start()
            if s and before.match(text, s - 1):
                pos = s + 1
                continue
            if m.end() == s:        # an empty match: the regex engine takes it from here
                yield from self.full.finditer(text, s)
                return
            yield m
            pos = m.end()

    def count(self, text: str) -> int:
        if self.branches is not None and len(self.branches) == 1:
            for word in self.words:
                if word not in text:
                    return 0
            return len(self.branches[0].findall(text))
        return sum(1 for _ in self.finditer(text))


_PROGRAMME_RE = _Leading(
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


@lru_cache(maxsize=None)
def _period_rules():
    masks, subs, years = [], [], []
    for r in _read_table("metadata_periods.csv"):
        pat = r["pattern"].replace(" ", r"\s+")
        code = r["code"]
        try:
            if code == "-":
                masks.append(_Leading(pat + r"(?!\w)"))
            elif code == "FY":
                years.append(_Leading(pat + _YEAR_AFTER))
            else:
                subs.append((_Leading(pat + r"(?!\w)(?:" + _YEAR_AFTER + ")?"), code))
        except re.error as e:
            raise RuleTableError(f"{RULES / 'metadata_periods.csv'}: bad pattern {r['pattern']!r}: {e}") from None
    return masks, subs, years


@lru_cache(maxsize=None)
def _period_labels() -> dict[str, dict]:
    return {r["code"]: r for r in _read_table("metadata_period_labels.csv")}


@lru_cache(maxsize=None)
def _kind_cues():
    out = []
    for r in _read_table("metadata_kind_cues.csv"):
        pat = _Leading(r["cue"].replace(" ", r"\s+") + r"(?!\w)")
        out.append((pat, r["kind"], float(r["weight"]), r["scope"]))
    return out


@lru_cache(maxsize=None)
def _unit_words():
    rows = sorted(_read_table("metadata_unit_words.csv"), key=lambda r: -len(r["word"]))
    alt = "|".join(_phrase_rx(r["word"]) for r in rows)
    by_word = {re.sub(r"\s+", " ", r["word"]): r for r in rows}
    return _Leading(r"(" + alt + r")[ \t]+"), by_word


@lru_cache(maxsize=None)
def _furniture():
    skip, stamp = [], []
    for r in _read_table("metadata_page_furniture.csv"):
        (stamp if r["role"] == "stamp" else skip).append(r["pattern"])
    return tuple(skip), tuple(stamp)


@lru_cache(maxsize=None)
def _stamp_labels() -> _Leading:
    _, stamp = _furniture()
    return _Leading(r"(?:" + "|".join(_phrase_rx(s) for s in stamp) + r")(?!\w)")


@lru_cache(maxsize=None)
def _programme_codes() -> frozenset:
    return frozenset(r["code"].lower() for r in _read_table("metadata_doc_codes.csv")
                     if r["is_programme"].lower() == "true")


@lru_cache(maxsize=None)
def _programme_spelling() -> dict:
    return {r["code"].lower(): r["code"] for r in _read_table("metadata_doc_codes.csv")}


@lru_cache(maxsize=None)
def _places():
    wards: dict[str, list[dict]] = {}
    for r in _read_table("hanoi_wards.csv"):
        wards.setdefault(normalize_text(r["ward"]), []).append(
            {"district": normalize_text(r["district"]), "city": r["city"]})
    districts = {normalize_text(r["district"]): r for r in _read_table("hanoi_districts.csv")}
    return wards, districts


@lru_cache(maxsize=None)
def _known_places() -> frozenset:
    wards, districts = _places()
    return frozenset(wards) | frozenset(districts)


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


def _mask(folded: str) -> str:
    masks, _, _ = _period_rules()
    return _blank(folded, [(m.start(), m.end()) for rx in masks for m in rx.finditer(folded)])


def _period_hits(folded: str):
    """Sub-year hits (start, code, year|None) and whole-year hits (start, year)."""
    _, subs, years = _period_rules()
    masked = _mask(folded)
    sub_hits, spans = [], []
    for rx, code in subs:
        for m in rx.finditer(masked):
            if any(s < m.end() and m.start() < e for s, e in spans):
                continue
            y = m.group(m.lastindex) if m.lastindex else None
            sub_hits.append((m.start(), code, int(y) if y else None))
            spans.append((m.start(), m.end()))
    masked = _blank(masked, spans)
    fy_hits = []
    for rx in years:
        for m in rx.finditer(masked):
            fy_hits.append((m.start(), int(m.group(1))))
    return sorted(sub_hits), sorted(fy_hits)


def _infer_year(fy_hits, published: str | None, code: str) -> int | None:
    if fy_hits:
        counts = Counter(y for _, y in fy_hits)
        first = {}
        for s, y in fy_hits:
            first.setdefault(y, s)
        return max(counts, key=lambda y: (counts[y], -first[y]))
    if published:
        pub = date.fromisoformat(published)
        late = int(_period_labels()[code]["start_month"]) + int(_period_labels()[code]["months"]) - 1 > 6
        return pub.year - 1 if (late and pub.month <= 2) else pub.year
    return None


def read_period(text: str, title: str | None = None, published: str | None = None) -> str | None:
    """The period a report covers, as a code like ``2021-H1``.

    The title speaks first; then the sub-year phrases of the body (the most
    frequent), then the whole year ("năm 2018"). A phrase without a year
    ("9 tháng đầu năm") takes the year the text names most, else the year of
    the publication stamp.

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
    """
    return _period(_fold(normalize_text(text)), title, published)


def _period(folded: str, title: str | None, published: str | None) -> str | None:
    body_hits = _period_hits(folded)
    fy_all = body_hits[1]
    sources = []
    if title:
        sources.append((_fold(normalize_text(title)), False))
    sources.append((folded, True))
    for src, is_body in sources:
        sub, fy = body_hits if is_body else _period_hits(src)
        if sub:
            counts = Counter(code for _, code, _ in sub)
            order = {}
            for s, code, _ in sub:
                order.setdefault(code, s)
            if is_body:
                code = max(counts, key=lambda c: (counts[c], -order[c]))
            else:
                code = sub[0][1]
            years = Counter(y for _, c, y in sub if c == code and y)
            year = years.most_common(1)[0][0] if years else _infer_year(fy_all, published, code)
            return f"{year}-{code}" if year else None
        if fy and not is_body:
            return f"{fy[0][1]}-FY"
    if fy_all:
        return f"{_infer_year(fy_all, None, 'FY')}-FY"
    return None


# --------------------------------------------------------------------------- title, stamp

def _line_is_furniture(line: str) -> bool:
    skip, _ = _furniture()
    core = re.sub(r"[\d\W_]+", " ", _fold(line)).strip()
    return core in skip or any(core.startswith(s) and len(core) <= len(s) + 12 for s in skip
                               if s in ("lượt xem", "view count", "lượt truy cập"))


def _stamp_line(lines: list[str]) -> int | None:
    _, stamp = _furniture()
    for i, line in enumerate(lines):
        f = _fold(line)
        if any(s in f for s in stamp) and any(rx.search(f) for rx in _DATE_RES):
            return i
    return None


def read_title(text: str) -> str | None:
    """The report's title: the heading line above the date stamp, else the first
    substantial line that is not page furniture.

    Examples
    --------
    >>> read_title("các bài viết chuyên sâu\\n\\nKết quả công tác năm 2018 phường Cự Khối\\n"
    ...            "Ngày đăng 09/01/2019 | 09:07  | Lượt xem: 8308\\n\\nNăm 2018, ...")
    'Kết quả công tác năm 2018 phường Cự Khối'
    >>> read_title("Thông kê truy cập\\nTHANH XUÂN XANH SẠCH ĐẸP\\n"
    ...            "QUẬN THANH XUÂN QUYẾT TÂM HOÀN THÀNH NHIỆM VỤ 3 THÁNG CUỐI NĂM 2021\\nTrước tình hình ...")
    'QUẬN THANH XUÂN QUYẾT TÂM HOÀN THÀNH NHIỆM VỤ 3 THÁNG CUỐI NĂM 2021'
    """
    return _title(normalize_text(text))


def _title(text: str) -> str | None:
    lines = text.split("\n")
    stamp = _stamp_line(lines)
    if stamp is not None:
        for line in reversed(lines[:stamp]):
            s = line.strip()
            if not s:
                continue
            if not _line_is_furniture(s) and len(s.split()) >= 3:
                return s.rstrip(".").strip()
            break
    for line in lines[:40]:
        s = line.strip()
        if s and not _line_is_furniture(s) and len(s.split()) >= 6 and len(s) <= 300:
            if stamp is not None and s == lines[stamp].strip():
                continue
            return s.rstrip(".").strip()
    return None


def read_published(text: str) -> str | None:
    """The publication date of the portal stamp ("Ngày đăng 16/07/2021"), ISO.

    Examples
    --------
    >>> read_published("Kết quả ...\\nNgày đăng 16/07/2021 | 09:14  | Lượt xem: 643")
    '2021-07-16'
    >>> read_published("Đăng ngày: ngày 5 tháng 8 năm 2022")
    '2022-08-05'
    >>> read_published("QUẬN THANH XUÂN QUYẾT TÂM ... 3 THÁNG CUỐI NĂM 2021") is None
    True
    """
    return _published(_fold(normalize_text(text)))


def _published(folded: str) -> str | None:
    for m in _stamp_labels().finditer(folded):  # the first stamp in the text
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

def _unit_mentions(text: str, folded: str | None = None) -> list[dict]:
    """Every 'phường X' / 'quận Y' / 'Quận ủy Y' mention with a capitalised name."""
    rx, by_word = _unit_words()
    if folded is None:
        folded = _fold(text)
    known = _known_places()
    out = []
    for m in rx.finditer(folded):
        word = _WS_RE.sub(" ", m.group(1))
        rule = by_word[word]
        prefix = text[m.start(1):m.end(1)]
        # the name: capitalised syllables on the same line, no punctuation between
        pos, toks = m.end(), []
        while len(toks) < 5:
            t = _TOKEN_RE.match(text, pos)
            if not t:
                break
            tok = t.group(0)
            if not (tok[0].isupper() or (tok.isdigit() and len(tok) <= 2)):
                break
            toks.append(tok)
            gap = _GAP_RE.match(text, t.end())
            if not gap:
                break
            pos = gap.end()
        if not toks or toks[0].isdigit() and len(toks) == 1 and not prefix[:1].isupper():
            continue
        caps = prefix.isupper() and all(not t.isalpha() or t.isupper() for t in toks)
        name = _pick_name(toks, known, caps)
        if not name:
            continue
        out.append({"start": m.start(), "name": name, "level": rule["level"],
                    "role": rule["role"], "caps": caps, "run": _fold(" ".join(toks))})
    return out


def _pick_name(toks: list[str], known: set, caps: bool) -> str | None:
    # the longest known name the run starts with, else (mixed case) the run up
    # to 3 syllables, else (all capitals, where the name's end is invisible) 2
    for n in range(min(len(toks), 4), 0, -1):
        cand = _title_case(" ".join(toks[:n]))
        if cand in known:
            return cand
    if all(t.isdigit() for t in toks):  # 'Quận 1', 'Phường 12'
        return toks[0]
    while toks and toks[-1].isdigit():
        toks = toks[:-1]
    return _title_case(" ".join(toks[: (2 if caps else 3)]))


def read_unit(text: str, title: str | None = None) -> dict:
    """The unit a report is about: name, level, parent district and city.

    The title speaks first (a ward it names wins over the district committee it
    also names); otherwise the unit the body names most. A ward's parent is the
    district the text names ("quận Long Biên", "Quận ủy Long Biên"), checked
    against the table of Hà Nội wards.

    Examples
    --------
    >>> read_unit("Kết quả ... của Quận ủy Long Biên 6 tháng đầu năm 2021 trên địa bàn phường Thạch Bàn")
    {'unit_name': 'Thạch Bàn', 'unit_level': 'ward', 'parent': 'Long Biên', 'city': 'Hà Nội'}
    >>> read_unit("QUẬN THANH XUÂN QUYẾT TÂM HOÀN THÀNH NHIỆM VỤ 3 THÁNG CUỐI NĂM 2021")["unit_name"]
    'Thanh Xuân'
    >>> read_unit("Xã Kim Sơn tổ chức hội nghị. UBND huyện Gia Lâm chỉ đạo xã Kim Sơn ...")["parent"]
    'Gia Lâm'
    """
    text = normalize_text(text)
    return _unit(text, title)


def _unit(text: str, title: str | None, folded: str | None = None) -> dict:
    title = normalize_text(title) if title else None
    mentions = _unit_mentions(text, folded)
    # mixed-case spellings seen in the text help to cut all-capital names
    wards, districts = _places()
    units = [m for m in mentions if m["level"] in ("ward", "commune", "district")]
    chosen = None
    if title:
        t_units = [m for m in _unit_mentions(title) if m["level"] in ("ward", "commune", "district")]
        if t_units:
            t_units = _recut_caps(t_units, units)
            chosen = min(t_units, key=lambda m: (_LEVEL_ORDER[m["level"]], m["start"]))
    if chosen is None and units:
        counts = Counter((m["name"], m["level"]) for m in units)
        first = {}
        for m in units:
            first.setdefault((m["name"], m["level"]), m["start"])
        # ties go to the lower level (a ward report names its district too)
        key = max(counts, key=lambda k: (counts[k], -_LEVEL_ORDER[k[1]], -first[k]))
        chosen = {"name": key[0], "level": key[1]}
    if chosen is None:
        return {"unit_name": None, "unit_level": None, "parent": None, "city": DEFAULT_CITY}
    name, level = chosen["name"], chosen["level"]
    parent = None
    if level in ("ward", "commune"):
        said = Counter(m["name"] for m in units if m["level"] == "district")
        table = [r["district"] for r in wards.get(name, [])]
        ok = [d for d in said if d in table]
        if ok:
            parent = max(ok, key=lambda d: said[d])
        elif len(table) == 1:
            parent = table[0]
        elif said:
            parent = said.most_common(1)[0][0]
    city = _read_city(text, name, level, parent, mentions)
    return {"unit_name": name, "unit_level": level, "parent": parent, "city": city}


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


def _read_city(text, name, level, parent, mentions) -> str:
    wards, districts = _places()
    if level in ("ward", "commune") and name in wards:
        rows = [r for r in wards[name] if parent in (None, r["district"])]
        if rows:
            return rows[0]["city"]
    if parent in districts:
        return districts[parent]["city"]
    if level == "district" and name in districts:
        return districts[name]["city"]
    said = Counter(m["name"] for m in mentions if m["level"] in ("city", "province"))
    return said.most_common(1)[0][0] if said else DEFAULT_CITY


# --------------------------------------------------------------------------- kind, programmes

def read_doc_kind(text: str, title: str | None = None, period: str | None = None,
                  published: str | None = None) -> str:
    """``plan`` or ``results``: weighs the language of plans against that of results.

    A report published before its period begins is a plan whatever its words.

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
            if date.fromisoformat(published) < parse_period(period)[0]:
                return "plan"
        except ValueError:
            pass
    head = _fold(normalize_text(title)) if title else ""
    score = {"plan": 0.0, "results": 0.0}
    for rx, kind, weight, scope in _kind_cues():
        src = head if scope == "title" else body
        if src:
            score[kind] += weight * rx.count(src)
    return "plan" if score["plan"] > score["results"] else "results"


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
    published = _published(folded)
    unit = _unit(text, title, folded)
    period = _period(folded, title, published)
    start = end = months = None
    if period:
        s, e, months = parse_period(period)
        start, end = s.isoformat(), e.isoformat()
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
