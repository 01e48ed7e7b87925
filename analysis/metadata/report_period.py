"""The period a report covers, read from its headline and body.

Period phrases are the regular expressions of
``analysis/rules/metadata_periods.csv``, each with the code it gives or
what it masks; what the codes mean is :mod:`analysis.periods`.
"""
from __future__ import annotations

import re
from collections import Counter
from datetime import date
from functools import lru_cache

from analysis.fastmatch import LeadingPattern, PatternGroup
from analysis.metadata.dates import ref_date, split_dateline
from analysis.metadata.spans import Covered, blank, first_match, fold
from analysis.metadata.titles import SENTENCE_STOP_RE, lead_of
from analysis.periods import parse_period
from analysis.rules import read_rules
from analysis.text import normalize_text

__all__ = ["period_rules", "period_groups", "period_hits", "forget_hits", "read_period", "period_of"]

# the year after a period phrase: '6 tháng đầu năm 2021', 'quý I/2022', 'quý I năm 2022'
_YEAR_AFTER = r"(?:\s*(?:/|-|năm)\s*|\s+)((?:19|20)\d{2})(?!\d)"
_SUB_CODES = frozenset({"H1", "H2", "Q1", "Q2", "Q3", "Q4", "9M"})
_FY_STRENGTH = {"FY+": 2, "FY": 1, "FY-": 0}
# a cut-off at a quarter's end is the end of a period, not an odd cut-off
_QUARTER_ENDS = {(31, 3): "Q1", (30, 6): "H1", (30, 9): "9M", (31, 12): "FY"}
_MONTH_ENDS = {3: "Q1", 6: "H1", 9: "9M", 12: "FY"}


@lru_cache(maxsize=None)
def period_rules() -> dict:
    """Return the phrases of ``metadata_periods.csv`` by what they say of the period."""
    rules: dict[str, list] = {k: [] for k in ("-", "sub", "fy", "odd", "cutoff", "cutoff-month", "same", "past")}
    for r in read_rules("metadata_periods", ["pattern", "code"]):
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
                raise r.error(f"unknown code {code!r} for pattern {r['pattern']!r}",
                              "use FY+, FY, FY-, a part of a year (H1, Q1, 9M...), cutoff, "
                              "cutoff-month, odd, same, past or -")
        except re.error as e:
            raise r.error(f"bad pattern {r['pattern']!r} ({e})", "fix the regular expression") from None
    return rules


_ODD_REACH = 1200   # characters: the headline and the opening paragraphs of a report


@lru_cache(maxsize=None)
def period_groups() -> tuple[PatternGroup, PatternGroup, PatternGroup]:
    """Return the phrases of :func:`period_rules` read on the same text, grouped to search their first words once.

    The masks (on the folded text); the cut-offs, cut-offs to a month and
    sub-year phrases (on the masked text); the whole-year phrases, the
    report's year said without its number and 'năm qua' (once the sub-year
    phrases are blanked too).
    """
    rules = period_rules()
    return (PatternGroup(rules["-"]),
            PatternGroup([*rules["cutoff"], *rules["cutoff-month"], *(rx for rx, _ in rules["sub"])]),
            PatternGroup([*(rx for rx, _ in rules["fy"]), *rules["same"], *rules["past"]]))


def period_hits(folded: str) -> dict:
    """Return what a text says of its period.

    ``sub``: sub-year hits ``(start, code, year|None)``; ``fy``: whole-year hits
    ``(start, year, strength)``; ``same``: phrases for the report's year without
    its number; ``past``: 'năm qua'; ``odd``: figures up to an odd cut-off.
    """
    sub_hits, odd, _ = _part_hits(folded)
    return {"sub": sub_hits, **_year_hits(folded), "odd": odd}


def forget_hits() -> None:
    """Forget the hits of the texts read so far (they are kept for the last few texts)."""
    _part_hits.cache_clear()
    _year_hits.cache_clear()


@lru_cache(maxsize=8)      # the period and the kind readers look at the same text
def _part_hits(folded: str) -> tuple[list, bool, str]:
    """Return the sub-year hits of a text, whether it gives figures to an odd cut-off, and the text left.

    The text left, read for years, has the masks and the sub-year phrases blanked.
    """
    rules = period_rules()
    masks, parts, _ = period_groups()
    masked = blank(folded, [(m.start(), m.end()) for found in masks.scan(folded) for m in found])
    # a cut-off stated in the headline or the opening paragraphs governs the report's
    # figures; one further down qualifies a single figure of a report of its own period
    opening = masked[:_ODD_REACH]
    odd = any(first_match(rx, opening) is not None for rx in rules["odd"])
    found = parts.scan(masked)      # in the order of the group: cut-offs, to a month, sub-year
    n, k = len(rules["cutoff"]), len(rules["cutoff"]) + len(rules["cutoff-month"])
    cutoffs, to_month, parts_found = found[:n], found[n:k], found[k:]
    sub_hits, spans = [], []
    for matches in cutoffs:
        for m in matches:
            day, month = int(m.group(1)), int(m.group(2))
            if (1 <= day <= 31 and 1 <= month <= 12 and (day, month) not in _QUARTER_ENDS
                    and m.start() < _ODD_REACH):
                odd = True
    for matches in to_month:
        for m in matches:
            month = int(m.group(1))
            code = _MONTH_ENDS.get(month)
            if code is None:
                odd = odd or (1 <= month <= 12 and m.start() < _ODD_REACH)
            elif code != "FY":
                y = m.group(m.lastindex) if m.lastindex and m.lastindex > 1 else None
                sub_hits.append((m.start(), code, int(y) if y else None))
                spans.append((m.start(), m.end()))
    covered = Covered(len(masked), spans)
    for (_, code), matches in zip(rules["sub"], parts_found):
        for m in matches:
            if covered.overlaps(m.start(), m.end()):
                continue
            y = m.group(m.lastindex) if m.lastindex else None
            sub_hits.append((m.start(), code, int(y) if y else None))
            spans.append((m.start(), m.end()))
            covered.add(m.start(), m.end())
    return sorted(sub_hits), odd, blank(masked, spans)


@lru_cache(maxsize=8)
def _year_hits(folded: str) -> dict:
    """Return the whole-year hits of a text (``fy``), and its counts of ``same`` and ``past`` (see :func:`period_hits`).

    Read apart from the sub-year hits: a report whose headline gives its
    period with a year needs none of them.
    """
    rules = period_rules()
    found = period_groups()[2].scan(_part_hits(folded)[2])      # whole years, the year unnamed, 'năm qua'
    n, k = len(rules["fy"]), len(rules["fy"]) + len(rules["same"])
    fy_hits, seen = [], set()
    for (_, strength), matches in zip(rules["fy"], found[:n]):     # strongest phrases first: a year is counted once
        for m in matches:
            at = m.start(m.lastindex)
            if at not in seen:
                seen.add(at)
                fy_hits.append((m.start(), int(m.group(m.lastindex)), strength))
    same = sum(len(matches) for matches in found[n:k])
    past = sum(len(matches) for matches in found[k:])
    return {"fy": sorted(fy_hits), "same": same, "past": past}


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
        late = parse_period(f"2000-{code}")[1].month > 6    # the period ends in the second half
        return ref.year - 1 if (late and ref.month <= 2) else ref.year
    return None


def _top(counts: Counter, first: dict):
    """Return the most frequent key (the earliest among equals), or None when two lead together."""
    ranked = sorted(counts, key=lambda k: (-counts[k], first[k]))
    if len(ranked) > 1 and counts[ranked[0]] == counts[ranked[1]]:
        return None
    return ranked[0] if ranked else None


def read_period(text: str, title: str | None = None, published: str | None = None) -> str | None:
    r"""Return the period a report covers, as a code like ``2021-H1``.

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
    >>> read_period("Cẩm Xuyên phát triển đảng viên\nNăm qua, Huyện ủy đã lãnh đạo ...", published="2022-01-08")
    '2021-FY'
    >>> read_period("Sơ kết 6 tháng đầu năm 2022\nTrong 4 tháng đầu năm 2022, phường đã kiểm tra 120 cơ sở.") is None
    True
    """
    text = normalize_text(text)
    return period_of(fold(text), title if title else lead_of(text), published, split_dateline(text)[1])


def period_of(folded: str, head: str | None, published: str | None, dateline: str | None = None) -> str | None:
    """Return what :func:`read_period` gives, for the folded text of a report.

    Parameters
    ----------
    folded : str
        The report's normalised text, folded (:func:`analysis.metadata.spans.fold`).
    head : str or None
        Its headline: the title, else the article's first sentence.
    published : str or None
        Its publication date (ISO).
    dateline : str or None
        Its dateline (``YYYY-MM`` or ``YYYY-MM-DD``).

    Returns
    -------
    str or None
        A period code such as ``2021-H1``.
    """
    sub_all, odd, _ = _part_hits(folded)
    if odd:
        return None
    ref = ref_date(published, dateline)
    lead_from = None    # where the article's first sentence is looked for, below a headline
    if head:
        hf = fold(normalize_text(head))
        at = folded.find(hf)
        if at >= 0:         # the headline is a line of the text: its hits are those of the text there
            end = lead_from = at + len(hf)
            h_sub, h_fy = [x for x in sub_all if at <= x[0] < end], None    # its years read when needed
        else:
            h = period_hits(hf)
            if h["odd"]:
                return None
            h_sub, h_fy = h["sub"], h["fy"]
        if h_sub:
            _, code, year = h_sub[0]
            year = year or _infer_year(_year_hits(folded)["fy"], ref, code, h_sub + sub_all)
            return f"{year}-{code}" if year else None
        fy_all = _year_hits(folded)["fy"]
        if h_fy is None:
            h_fy = [x for x in fy_all if at <= x[0] < end]
        named = [y for _, y, s in h_fy if s >= 1]
        if named:
            return f"{named[0]}-FY"
        weak = [y for _, y, s in h_fy if s == 0]
        if weak:
            # a headline of next year's tasks gives the period, unless the body sums up a year
            # ('Xã X triển khai nhiệm vụ năm 2023' over 'hội nghị tổng kết ... năm 2022')
            first = {}
            for s, y, _ in fy_all:
                first.setdefault(y, s)
            results = Counter(y for _, y, s in fy_all if s == 2)
            year = _top(results, first) if results else None
            return f"{year or weak[0]}-FY"
    if sub_all:
        counts = Counter(code for _, code, _ in sub_all)
        order = {}
        for s, code, _ in sub_all:
            order.setdefault(code, s)
        code = max(counts, key=lambda c: (counts[c], -order[c]))
        years = Counter(y for _, c, y in sub_all if c == code and y)
        year = years.most_common(1)[0][0] if years else _infer_year(_year_hits(folded)["fy"], ref, code, sub_all)
        return f"{year}-{code}" if year else None
    body = _year_hits(folded)
    fy_all = body["fy"]
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
    """Return the year a news lead opens with when that sentence states a figure.

    'Năm 2023, tỷ lệ ... đạt 93%' under a headline with no period gives the year's results;
    'Năm 2021, dịch bệnh ảnh hưởng ...' (no figure) is context, not the period.
    """
    lead = lead_of(folded[start:])
    stop = SENTENCE_STOP_RE.search(lead) if lead else None
    lead = lead[:stop.start()] if stop else lead          # its first sentence only
    m = _LEAD_YEAR_RE.match(lead.strip()) if lead else None
    if m and any(c.isdigit() for c in _YEAR_TOKEN_RE.sub(" ", m.group(2))):
        return int(m.group(1))
    return None
