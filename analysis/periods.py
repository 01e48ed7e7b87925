"""Period codes: what they cover and how reports say them.

A report's period is a code, ``YYYY-FY`` (the year), ``YYYY-H1`` / ``YYYY-H2``
(its halves), ``YYYY-Q1`` .. ``YYYY-Q4`` (its quarters) or ``YYYY-9M`` (its
first nine months). :func:`parse_period` gives the days a code covers and
:func:`period_label` the words reports use for it, from the table
``analysis/rules/metadata_period_labels.csv`` (Vietnamese and English, with
each part's first month and length). Reading the period of a report's text is
:func:`analysis.metadata.read_period`.
"""
from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from analysis.rules import read_rules

__all__ = ["parse_period", "period_label", "PERIOD_PARTS"]

#: The parts of a year a period code may name, after ``YYYY-``.
PERIOD_PARTS = ("FY", "H1", "H2", "Q1", "Q2", "Q3", "Q4", "9M")
_PERIOD_RE = re.compile(r"^(\d{4})-(" + "|".join(PERIOD_PARTS) + r")$")


@lru_cache(maxsize=None)
def _period_labels() -> dict[str, dict]:
    """Return the rows of ``metadata_period_labels.csv`` by part code."""
    return {r["code"]: r for r in read_rules("metadata_period_labels", ["code", "vi", "en", "start_month", "months"])}


def parse_period(code: str) -> tuple[date, date, int]:
    """First day, last day and length in months of a period code.

    Parameters
    ----------
    code : str
        ``YYYY-FY``, ``YYYY-H1``, ``YYYY-H2``, ``YYYY-Q1`` .. ``YYYY-Q4`` or
        ``YYYY-9M`` (the first nine months).

    Returns
    -------
    tuple of (datetime.date, datetime.date, int)
        The period's first day, its last day and its number of months.

    Raises
    ------
    ValueError
        When ``code`` is not a period code.

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
    """Return the period the way reports say it.

    Parameters
    ----------
    code : str
        A period code (see :func:`parse_period`).
    lang : {"vi", "en"}, default "vi"
        The language of the label.

    Returns
    -------
    str
        The label, such as ``6 tháng đầu năm 2021``.

    Raises
    ------
    ValueError
        When ``code`` is not a period code or ``lang`` is not available.

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
