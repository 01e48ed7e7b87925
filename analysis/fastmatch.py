r"""Patterns that start with a one-character lookbehind, found by their first words.

The metadata readers match dozens of phrase patterns on every report, each
written as ``(?<!\w)phrase``. ``re`` cannot skip ahead to a pattern's first
words when the pattern begins with a lookbehind: it tries the whole pattern at
every character. :class:`LeadingPattern` puts the lookbehind behind the first
words instead, which gives the same matches found the way ``re`` finds a
literal. Each such search still reads the whole report, and a report is read
for some fifty phrases: :class:`PatternGroup` reads the phrases of one text
together, one search for all the first words that start with the same
character, then tells each phrase its own matches, as ``re`` would give them.

It is kept because the build needs it. Measured 3 December 2026 on this
2-core machine (load average 3), CPU time on one core, best of three passes:
:func:`analysis.metadata.read_metadata` over ``benchmarks/corpus/n600-s2024``
(600 generated reports, 9.9 MB) takes 0.90 s with it and 10.2 s with the plain
patterns (11.3 times slower: 11.0 MB/s against 0.97 MB/s, about 185 s more
CPU for the city's 12,000 reports, where the whole build has 60 s); on one
huge report (``benchmarks/big_reports.py``) both stay linear, 0.06 s per MB
with it, 0.79 to 0.83 s per MB without (``benchmarks/metadata.py`` measures
both; section ``metadata`` of ``benchmarks/results.md``). It uses
only the pattern text (no private ``re`` internals).
"""
from __future__ import annotations

import re
from typing import NamedTuple

__all__ = ["LeadingPattern", "PatternGroup", "Lead"]


def _top_level_branch(pattern: str) -> bool:
    """Whether a pattern has a ``|`` outside any group or character class."""
    return any(c == "|" and depth == 0 for _, c, depth in _structure(pattern))


_META = frozenset("\\.^$*+?{}[]|()")
# Beyond a few alternatives, one search for the rest of the pattern is faster
# than one search per alternative.
_MAX_BRANCHES = 4
# ... unless they start with few distinct characters, each searched for once (:class:`PatternGroup`)
_MAX_HEADS = 10
_QUANTIFIERS = frozenset("?*+{")
_ESCAPE_RE = re.compile(r"\\(.)", re.S)


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
    r"""Return the literal characters a pattern starts with (as written: ``\(năm``), and the rest of it."""
    i = last = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and _escaped_literal(pattern[i + 1:i + 2]):
            step = 2
        elif c in _META:
            break
        else:
            step = 1
        last, i = i, i + step
    if i < len(pattern) and pattern[i] in _QUANTIFIERS:
        i = last                    # the last character is repeated: not part of the run
    return pattern[:i], pattern[i:]


def _escaped_literal(c: str) -> bool:
    r"""Whether ``\c`` stands for the character itself (``\(``, ``\.``), not a class or a reference."""
    return bool(c) and c.isascii() and not c.isalnum()


def _unescape(literal: str) -> str:
    """Return the characters a literal run written with escapes matches."""
    return _ESCAPE_RE.sub(r"\1", literal)


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


class Lead(NamedTuple):
    """One branch of a pattern that starts with literal characters.

    ``rx`` is the branch, the lookbehind put behind its first characters;
    ``literal`` those characters as written and ``value`` as they read;
    ``guard`` what must follow them for the branch to match (a pattern of its
    own, groups aside).
    """

    rx: re.Pattern
    literal: str
    value: str
    guard: str


# a back-reference or a condition on a group: a branch's guard would lose its group
_REFERENCE_RE = re.compile(r"\\[1-9]|\(\?P=|\(\?\(")


def _leads(rest: str, before: str, full: re.Pattern) -> tuple[Lead, ...] | None:
    r"""``(?<!before)rest`` as branches that each start with literal characters.

    The lookbehind moves behind the literal (``đã(?<!\wđã)`` for
    ``(?<!\w)đã``): the same matches, but ``re`` now finds them by their
    first characters instead of trying the pattern at every position. Each
    branch keeps the groups of the full pattern, in the same numbers; None
    when the pattern cannot be put so.
    """
    if _top_level_branch(rest) or _REFERENCE_RE.search(rest):
        return None
    heads = _heads(rest)
    if not heads:
        return None
    out = []
    for opening, literal, after in heads:
        value = _unescape(literal)
        try:
            rx = re.compile(f"{opening}{literal}(?<!{before}{re.escape(value)}){after}")
        except re.error:
            return None
        if rx.groups != full.groups or rx.flags != full.flags or rx.groupindex != full.groupindex:
            return None
        # a capturing opening is closed inside ``after``: '(?:' takes its place
        out.append(Lead(rx, literal, value, "(?:" + after + ("" if opening else ")")))
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
    and ``re`` finds each by its words (many alternatives that start with few
    characters are searched as a :class:`PatternGroup`, one search per
    character). Otherwise this searches for the rest of
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

    __slots__ = ("full", "rest", "before", "leads", "branches", "group")

    def __init__(self, rest: str, before: str = r"\w"):
        self.full = re.compile(f"(?<!{before})" + rest)
        # a top-level '|' would leave the lookbehind on the first branch only
        branching = _top_level_branch(rest)
        self.rest = None if branching else re.compile(rest)
        self.before = re.compile(before)
        self.leads = _leads(rest, before, self.full)
        self.branches = self.group = None
        if self.leads and len(self.leads) <= _MAX_BRANCHES:
            self.branches = tuple(lead.rx for lead in self.leads)
        elif self.leads and len({lead.value[0] for lead in self.leads}) <= _MAX_HEADS:
            # many alternatives that start with a few words ('quận ủy', 'quận', 'phường'...)
            self.group = PatternGroup((self,))

    def finditer(self, text: str):
        """Return the matches of the full pattern, as ``re.finditer`` gives them."""
        if self.branches is not None:
            if len(self.branches) == 1:
                yield from self.branches[0].finditer(text)
            else:
                yield from _first_of(self.branches, text)
            return
        if self.group is not None:
            yield from self.group.scan(text)[0]
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


class PatternGroup:
    r"""Leading patterns matched over one text together, each of their first words searched for once.

    Phrase patterns that start with the same words (``năm``, ``6``, ``quý``...)
    each search the whole text for them. A group searches for each distinct
    first word once, with a lookahead that lets through only the places
    where some pattern's branch goes on to match, then gives each pattern
    the matches ``re.finditer`` would: at each such place, the first of its
    branches that matches there, places inside a match skipped. Patterns that
    cannot be put so are matched on their own.

    Examples
    --------
    >>> group = PatternGroup([LeadingPattern(r"6\s+tháng\s+đầu\s+năm"), LeadingPattern(r"(?:6|sáu)\s+tháng")])
    >>> [[m.group(0) for m in found] for found in group.scan("6 tháng đầu năm, sáu tháng, 16 tháng")]
    [['6 tháng đầu năm'], ['6 tháng', 'sáu tháng']]
    """

    __slots__ = ("patterns", "scanners", "alone")

    def __init__(self, patterns):
        self.patterns = tuple(patterns)
        # the branches by their first character: one search finds where any of them starts
        firsts: dict[tuple[str, str], dict[str, list[str]]] = {}
        alone = set()
        for i, p in enumerate(self.patterns):
            if not getattr(p, "leads", None):
                alone.add(i)
                continue
            for lead in p.leads:
                words = firsts.setdefault((p.before.pattern, lead.value[0]), {})
                words.setdefault(lead.literal, []).append(lead.guard)
        scanners = []
        for (before, first), words in firsts.items():
            alternatives = [f"{literal}(?<!{before}{re.escape(_unescape(literal))})(?="
                            + "|".join(dict.fromkeys(guards)) + ")" for literal, guards in words.items()]
            # the branches of each pattern that start with this character, in the pattern's order
            tried = {i: leads for i, p in enumerate(self.patterns) if i not in alone
                     for leads in [tuple((lead.value, lead.rx) for lead in p.leads if lead.value[0] == first)]
                     if leads}
            try:
                rx = re.compile("(?:" + "|".join(alternatives) + ")")
            except re.error:        # the guards do not compile together: their patterns go alone
                alone.update(tried)
                continue
            scanners.append((rx, _overlapping([_unescape(w) for w in words]), tried))
        self.alone = frozenset(alone)
        self.scanners = tuple((rx, overlapping, {i: leads for i, leads in tried.items() if i not in self.alone})
                              for rx, overlapping, tried in scanners)

    def scan(self, text: str) -> list[list[re.Match]]:
        """Return, for each pattern of the group in order, its matches in the text, as ``re.finditer`` gives them."""
        starts: list[dict[int, tuple[tuple[str, re.Pattern], ...]]] = [{} for _ in self.patterns]
        for rx, overlapping, tried in self.scanners:
            for s in _starts(rx, text, overlapping):
                for i, leads in tried.items():
                    starts[i][s] = leads
        out = []
        for i, p in enumerate(self.patterns):
            if i in self.alone:
                out.append(list(p.finditer(text)))
            else:
                out.append(_matches_at(text, starts[i]) if starts[i] else [])
        return out


def _overlapping(words: list[str]) -> bool:
    """Whether one of the words can start before another (or itself) ends ('aa' in 'aaa')."""
    return any(b.startswith(a[k:]) or a[k:].startswith(b) for a in words for b in words for k in range(1, len(a)))


def _starts(rx: re.Pattern, text: str, overlapping: bool):
    """Return where ``rx`` matches, every place tried (not only after the last match)."""
    if not overlapping:
        return [m.start() for m in rx.finditer(text)]
    out = []
    m = rx.search(text)
    while m is not None:
        out.append(m.start())
        m = rx.search(text, m.start() + 1)
    return out


def _matches_at(text: str, starts: dict[int, tuple[tuple[str, re.Pattern], ...]]) -> list[re.Match]:
    """Return the matches that start at the given places, left to right, none inside another.

    At each place, the first of the branches tried there (their first
    characters, their pattern) that matches; the branches are in the order
    ``re`` tries them.
    """
    out, pos = [], 0
    for s in sorted(starts):
        if s < pos:
            continue
        for value, rx in starts[s]:
            if text.startswith(value, s):
                m = rx.match(text, s)
                if m is not None:
                    out.append(m)
                    pos = m.end()
                    break
    return out
