"""Helpers on report text that keep offsets: folding, blanking, covered positions.

The metadata readers work on the folded text (lower case of the same length),
blank the spans they have read, and mark the positions already taken in a
byte mask, so that every offset stays valid in the report text.
"""
from __future__ import annotations

import re

from analysis.fastmatch import LeadingPattern

__all__ = ["phrase_rx", "fold", "blank", "first_match", "Covered"]

def phrase_rx(phrase: str) -> str:
    """Return a literal phrase as a pattern whose spaces match any run of white space."""
    return r"\s+".join(re.escape(w) for w in phrase.split())


def fold(s: str) -> str:
    """Lower-case without changing the length (offsets stay valid)."""
    out = s.lower()
    if len(out) != len(s):  # a character whose lower case is longer: keep it
        out = "".join(c.lower() if len(c.lower()) == 1 else c for c in s)
    return out


def blank(text: str, spans) -> str:
    """Return the text with every span replaced by as many spaces."""
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


def first_match(rx: LeadingPattern, text: str) -> re.Match | None:
    """Return the first match of a pattern in a text, or None."""
    return next(iter(rx.finditer(text)), None)


class Covered:
    """Positions of a text already taken by some span.

    Marking and asking are linear in the span's length, so a report with
    thousands of mentions costs no more than its length (a list of spans asked
    with ``any`` is quadratic).

    Examples
    --------
    >>> taken = Covered(20, [(3, 6)])
    >>> 4 in taken, 6 in taken, taken.overlaps(5, 9), taken.overlaps(6, 9)
    (True, False, True, False)
    """

    __slots__ = ("_mask",)

    def __init__(self, n: int, spans=()):
        self._mask = bytearray(n + 1)
        for s, e in spans:
            self.add(s, e)

    def add(self, s: int, e: int) -> None:
        """Mark the positions ``s`` to ``e`` (excluded) as taken."""
        s, e = max(s, 0), min(e, len(self._mask))
        if e > s:
            self._mask[s:e] = b"\x01" * (e - s)

    def __contains__(self, pos: int) -> bool:
        """Tell whether a position is taken."""
        return 0 <= pos < len(self._mask) and self._mask[pos] == 1

    def overlaps(self, s: int, e: int) -> bool:
        """Tell whether any position from ``s`` to ``e`` (excluded) is taken."""
        return self._mask.find(1, max(s, 0), max(e, 0)) >= 0
