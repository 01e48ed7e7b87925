"""Dates at the head of a report: the portal's stamp, a stamp line, a dateline.

``Ngày đăng 16/07/2021``, ``Thứ năm, 25/12/2025 08:15``, ``(08:15 03/04/2020)``,
``date 2021-03-05``; month names in words come from
``analysis/rules/metadata_month_words.csv``.
"""
from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from analysis.fastmatch import LeadingPattern
from analysis.metadata.page import furniture, head_lines
from analysis.metadata.spans import blank, fold, phrase_rx
from analysis.rules import read_rules
from analysis.text import normalize_text

__all__ = [
    "DATELINE_RE", "TIME_RE", "PAREN_RE", "stamp_labels", "split_dateline", "dates_in",
    "line_stamp", "ref_date", "read_published", "published_of",
]

_DATE_RES = (
    re.compile(r"(?<!\d)(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})(?!\d)"),
    re.compile(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})"),
)


_WS_RE = re.compile(r"\s+")
DATELINE_RE = re.compile(r"\A\s*date\s+((?:19|20)\d{2})-(\d{1,2})(?:-(\d{1,2}))?(?![\d-])[ \t]*")
TIME_RE = re.compile(r"(?<![\d:])\d{1,2}:\d{2}(?::\d{2})?(?![\d:])")
_WEEKDAY_RE = re.compile(r"(?<!\w)(?:thứ\s+(?:hai|ba|tư|năm|sáu|bảy|[2-7])|chủ\s+nhật|cn)(?!\w)")
_STAMP_NOISE_RE = re.compile(r"\(?gmt\s*[+-]\s*\d{1,2}\)?|(?<!\w)(?:sa|ch|am|pm)(?!\w)|[^\w]+|_")
_ISO_DATE_RE = re.compile(r"(?<![\d-])((?:19|20)\d{2})-(\d{1,2})-(\d{1,2})(?![\d-])")
PAREN_RE = re.compile(r"\(([^()\n]{6,40})\)")


@lru_cache(maxsize=None)
def stamp_labels() -> LeadingPattern:
    """Return the pattern of the labels of a date stamp ('Ngày đăng', 'Cập nhật'), on folded text."""
    _, stamp, _ = furniture()
    return LeadingPattern(r"(?:" + "|".join(phrase_rx(s) for s in stamp) + r")(?!\w)")


@lru_cache(maxsize=None)
def _month_words() -> re.Pattern:
    rows = sorted(read_rules("metadata_month_words", ["word", "month"]), key=lambda r: -len(r["word"]))
    months = {r["word"]: int(r["month"]) for r in rows}
    rx = re.compile(r"(?<!\d)(\d{1,2})\s+tháng\s+(" + "|".join(phrase_rx(w) for w in months)
                    + r")(?!\w)\s*,?\s*(?:năm\s+)?((?:19|20)\d{2})(?!\d)")
    return rx, months


def split_dateline(text: str) -> tuple[int, str | None]:
    """Where the text starts after a 'date 2021-03' dateline, and the dateline as 'YYYY-MM[-DD]'."""
    m = DATELINE_RE.match(text)
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


def dates_in(folded: str) -> list[tuple[int, int, date]]:
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
def line_stamp(line: str) -> date | None:
    """Return the date of a stamp line ('Hoàng Lan 14:20, 18/03/2022'; 'Thứ Sáu, 11/02/2022 07:30 SA')."""
    f = fold(line)
    dates = dates_in(f)
    if not dates:
        return None
    _, stamp, _ = furniture()
    if any(s in f for s in stamp):
        return dates[0][2]
    rest = blank(f, [(s, e) for s, e, _ in dates])
    clock = TIME_RE.search(rest) is not None or _WEEKDAY_RE.search(rest) is not None
    rest = _WEEKDAY_RE.sub(" ", TIME_RE.sub(" ", rest))
    words = [w for w in _STAMP_NOISE_RE.sub(" ", rest).split() if not w.isdigit()]
    if len(words) <= (4 if clock else 2):
        return dates[0][2]
    return None


def _paren_stamp(line: str) -> date | None:
    """Return a stamp in parentheses at the end of a headline: '(08:15 03/04/2020)'."""
    for m in PAREN_RE.finditer(line):
        inner = m.group(1)
        if TIME_RE.search(inner):
            dates = dates_in(fold(inner))
            if dates:
                return dates[0][2]
    return None


def ref_date(published: str | None, dateline: str | None = None) -> date | None:
    """Return the date a report was published, from its stamp or (to the month) its dateline."""
    for s in (published, dateline):
        if s:
            try:
                return date(int(s[:4]), int(s[5:7]), int(s[8:10]) if len(s) >= 10 else 1)
            except ValueError:
                continue
    return None


def read_published(text: str) -> str | None:
    r"""Return the publication date as an ISO string, or None.

    The date is the portal stamp ("Ngày đăng 16/07/2021"), a
    stamp line at the head of a news page ("Thứ năm, 25/12/2025 08:15",
    "(08:15 03/04/2020)", "15/09/2021, 10:30"), or a full dateline
    ("date 2021-03-05"). Of several stamps at the head, the earliest (a page
    shows the day it was saved above the article). A date in running text, or
    a dateline with no day, is not a publication date.

    Examples
    --------
    >>> read_published("Kết quả ...\nNgày đăng 16/07/2021 | 09:14  | Lượt xem: 643")
    '2021-07-16'
    >>> read_published("Đăng ngày: ngày 5 tháng 8 năm 2022")
    '2022-08-05'
    >>> read_published("QUẬN THANH XUÂN QUYẾT TÂM ... 3 THÁNG CUỐI NĂM 2021") is None
    True
    >>> read_published("Sắp xếp các phường (09:56 12/11/2019)\n\nHĐND quận vừa ban hành ...")
    '2019-11-12'
    >>> read_published("date 2021-03 Năm 2020, ...") is None
    True
    """
    return published_of(normalize_text(text))


def published_of(text: str) -> str | None:
    """Return what :func:`read_published` gives, for text already normalised.

    Parameters
    ----------
    text : str
        Report text as :func:`analysis.text.normalize_text` gives it.

    Returns
    -------
    str or None
        The publication date, ISO.
    """
    _, dateline = split_dateline(text)
    found = []
    if dateline and len(dateline) == 10:
        found.append(date.fromisoformat(dateline))
    for line in head_lines(text):
        if line.strip():
            d = line_stamp(line) or _paren_stamp(line)
            if d:
                found.append(d)
    if found:
        return min(found).isoformat()
    folded = fold(text)
    for m in stamp_labels().finditer(folded):  # the first labelled stamp in the text
        window = folded[m.end():m.end() + 60]
        for rx in _DATE_RES:
            d = rx.search(window)
            if d:
                try:
                    return date(int(d.group(3)), int(d.group(2)), int(d.group(1))).isoformat()
                except ValueError:
                    continue
    return None
