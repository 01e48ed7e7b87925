r"""Patterns that start with a one-character lookbehind, found by their first words.

The metadata readers match dozens of phrase patterns on every report, each
written as ``(?<!\w)phrase``. ``re`` cannot skip ahead to a pattern's first
words when the pattern begins with a lookbehind: it tries the whole pattern at
every character. :class:`LeadingPattern` puts the lookbehind behind the first
words instead, which gives the same matches found the way ``re`` finds a
literal.

It is kept because the build needs it. Measured 3 December 2026 on this
2-core machine, CPU time on one core, best of three passes:
:func:`analysis.metadata.read_metadata` over ``benchmarks/corpus/n600-s2024``
(600 generated reports, 9.9 MB) takes 2.0 s with it and 13.3 s with the plain
patterns (6.6 times slower: 4.9 MB/s against 0.75 MB/s, about 265 s more
CPU for the city's 12,000 reports, where the whole build has 60 s); on one
huge report (``benchmarks/big_reports.py``) both stay linear, 0.12 to 0.17 s
per MB with it, 1.15 to 1.32 s per MB without (``benchmarks/metadata.py``
measures both; section ``metadata`` of ``benchmarks/results.md``). It uses
only the pattern text (no private ``re`` internals).
"""
from __future__ import annotations

import re

__all__ = ["LeadingPattern"]



def _top_level_branch(pattern: str) -> bool:
    """Whether a pattern has a ``|`` outside any group or character class."""
    return any(c == "|" and depth == 0 for _, c, depth in _structure(pattern))


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
    """Return the pattern cut at each ``|`` outside groups and character classes."""
    out, last = [], 0
    for i, c, depth in _structure(pattern):
        if c == "|" and depth == 0:
            out.append(pattern[last:i])
            last = i + 1
    out.append(pattern[last:])
    return out


def _literal_run(pattern: str) -> tuple[str, str]:
    """Return the literal characters a pattern starts with, and the rest of it."""
    i = 0
    while i < len(pattern) and pattern[i] not in _META:
        i += 1
    if i < len(pattern) and pattern[i] in _QUANTIFIERS:
        i -= 1                      # the last character is repeated: not part of the run
    return pattern[:i], pattern[i:]


def _heads(pattern: str, depth: int = 0) -> list[tuple[str, str, str]] | None:
    """Return the pattern as branches that each start with literal characters.

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
    """Return the matches of the alternation of ``branches`` (each non-empty), as ``finditer`` gives them."""
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


class LeadingPattern:
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
    >>> rx = LeadingPattern(r"phường\s+", r"\w")
    >>> [m.start() for m in rx.finditer("phường Cự Khối, tânphường X; phường Y")]
    [0, 29]
    >>> rx.count("phường Cự Khối, tânphường X; phường Y")
    2
    >>> rx = LeadingPattern(r"(?:6|06|sáu)\s+tháng\s+đầu\s+năm")
    >>> [m.group(0) for m in rx.finditer("sáu tháng đầu năm, 06 tháng đầu năm; 106 tháng đầu năm")]
    ['sáu tháng đầu năm', '06 tháng đầu năm']
    """

    __slots__ = ("full", "rest", "before", "branches")

    def __init__(self, rest: str, before: str = r"\w"):
        self.full = re.compile(f"(?<!{before})" + rest)
        # a top-level '|' would leave the lookbehind on the first branch only
        branching = _top_level_branch(rest)
        self.rest = None if branching else re.compile(rest)
        self.before = re.compile(before)
        self.branches = _literal_first(rest, before, self.full)

    def finditer(self, text: str):
        """Return the matches of the full pattern, as ``re.finditer`` gives them."""
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
        """Return the number of matches of the full pattern."""
        if self.branches is not None and len(self.branches) == 1:
            return len(self.branches[0].findall(text))
        return sum(1 for _ in self.finditer(text))
