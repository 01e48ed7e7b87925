"""The programme numbers a report cites (``02-CTr/QU``).

Which document codes are programmes is ``analysis/rules/metadata_doc_codes.csv``.
"""
from __future__ import annotations

import re
from functools import lru_cache

from analysis.fastmatch import LeadingPattern
from analysis.rules import read_rules
from analysis.text import normalize_text

__all__ = ["PROGRAMME_RE", "programme_matches", "read_programs", "programs_of"]

PROGRAMME_RE = LeadingPattern(
    r"(\d{1,3})\s*-\s*([^\W\d_]{1,4})\s*/\s*([^\W\d_]{1,4}(?:-[^\W\d_]{1,6})?)(?![\w])", r"[\w/]")

# a hyphen after neither a digit nor a space ends no run of digits
_CODE_HYPHEN_RE = re.compile(r"-(?<=[\d\s]-)")


def programme_matches(text: str):
    """Return the matches of :data:`PROGRAMME_RE`, found from the text's hyphens.

    A match is one to three digits, white space, a hyphen: each hyphen has
    at most one match ending there, starting where the run of digits before
    it starts (inside a run, a digit precedes, which the lookbehind refuses).
    Checking the few hyphens of a report this way gives the regex's matches,
    in order, without trying the pattern at every digit.

    Examples
    --------
    >>> [m.group(0) for m in programme_matches("số 02-CTr/QU, 2020-2025, 1234-KH/QU, 3 - ctr/qu")]
    ['02-CTr/QU', '3 - ctr/qu']
    """
    rest = PROGRAMME_RE.rest
    pos = 0
    for found in _CODE_HYPHEN_RE.finditer(text):       # the hyphens after a digit or a space
        end = found.start()
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


@lru_cache(maxsize=None)
def _programme_codes() -> frozenset:
    return frozenset(r["code"].lower() for r in read_rules("metadata_doc_codes", ["code", "is_programme"])
                     if r["is_programme"].lower() == "true")


@lru_cache(maxsize=None)
def _programme_spelling() -> dict:
    return {r["code"].lower(): r["code"] for r in read_rules("metadata_doc_codes", ["code", "is_programme"])}


def read_programs(text: str) -> list[str]:
    """Programme numbers the report cites (``02-CTr/QU``), sorted and unique.

    Examples
    --------
    >>> read_programs("thực hiện Chương trình số 02-CTr/QU ... Kế hoạch số 12-KH/QU ... chương trình 02-CTr/QU")
    ['02-CTr/QU']
    >>> read_programs("Chương trình 3-ctr/qu, Chương trình số 01 - CTr/QU; Đề án số 02-ĐA/QU")
    ['01-CTr/QU', '03-CTr/QU']
    """
    return programs_of(normalize_text(text))


def programs_of(text: str) -> list[str]:
    """Return what :func:`read_programs` gives, for text already normalised.

    Parameters
    ----------
    text : str
        Report text as :func:`analysis.text.normalize_text` gives it.

    Returns
    -------
    list of str
        Programme numbers, sorted and unique.
    """
    codes = _programme_codes()
    spelled = _programme_spelling()
    found = set()
    for m in programme_matches(text):
        code = m.group(2).lower()
        if code in codes:
            found.add(f"{int(m.group(1)):02d}-{spelled[code]}/{m.group(3).upper()}")
    return sorted(found)
