"""The indicator catalogue, and the assignment of facts to its indicators.

The catalogue (``data/catalog/indicators.csv``) gives each indicator its names,
topic, unit, the fact kinds that can carry it, its direction (``up``: higher is
better, ``down``, ``none``), whether it is a ``stock`` (a rate or level,
comparable across periods of any length) or a ``flow`` (a count or amount that
grows with the period), and the phrases that recognise it:

``cues``
    what names the indicator ("hỏa táng", "thu ngân sách", "kết nạp"); one must
    stand before the number in its sentence, or after it in the same clause.
``context``
    if given, one of these must also be in the sentence (or the heading of its
    section): "đăng ký" makes a registration rate, "ATTP" a food-safety count.
``exclude``
    phrases that veto the indicator when they sit at least as near the number as
    its evidence: "đăng ký" vetoes the achievement rate, "giám sát" a Party
    inspection, "đền ơn đáp nghĩa" the Fund for the Poor.
``counted``
    for counts and fractions, the words right after the number must begin with
    one of these ("07 vụ ...", "11 đảng viên ...").

Cues are folded with :func:`analysis.text.fold`. Among the entries whose kind
fits and whose phrases match, the nearest cue wins: distance is counted in
clause boundaries (``, ; : ( ) –``) between cue and number, then characters;
a cue after the number counts only inside the number's own clause.

Where a sentence gives a total and then its parts after "trong đó" (see
``analysis/rules/indicator_markers.csv``), the parts of the same kind and unit
as an assigned total get no indicator: the total is the statistic, the parts a
breakdown of it.

The assignment abstains rather than guesses: the markers table also says when a
number is a sub-unit's figure ('100% các xã', 'phường B đạt 94%' in a district
report, 'cao nhất', 'riêng'), the value of one item ('mỗi phần trị giá'), the
base of a ratio ('so với số hộ đăng ký'), or another activity than the cue's
('nhắc nhở'); the catalogue's extended entries (``is_core`` false) name what
is counted when it is not a core indicator (party members in total, total
social investment). ``docs/indicators.md`` lists the rules. Each fact records
the cue that gave its id, and where it stands, in ``indicator_cue``.

Unmapped things are reported: :func:`unmatched_cues` lists catalogue entries no
fact matched and facts with indicator-like words that matched nothing.
"""
from __future__ import annotations

import os
import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate, compress, count
from operator import itemgetter
from pathlib import Path
from typing import Iterable, Mapping

import pandas as pd

from analysis.catalog import CATALOG_FILE, CatalogError, core_ids, cue_key, indicator_info, load_catalog
from analysis.rules import read_rules
from analysis.text import TextIndex

__all__ = [
    "CATALOG_FILE", "CatalogError", "load_catalog", "core_ids", "indicator_info",
    "assign_indicators", "unmatched_cues",
]

# a number as the text writes it ('1.553', '97,95', '5209/5318'); years are not counted as one
_NUM_RX = re.compile(r"\d(?<![\w.,/]\d)\d*(?:[.,]\d+)*(?:/\d+(?:[.,]\d+)*)?")  # digit first: fast skip
_YEAR_RX = re.compile(r"(?:19|20)\d\d")


class _Lazy:
    """A value computed on first call, then kept."""

    def __init__(self, make):
        self._make, self._done, self._value = make, False, None

    def __call__(self):
        if not self._done:
            self._value, self._done = self._make(), True
        return self._value


class _found_once:
    """A method read as an attribute, computed on first reading and then kept in the instance."""

    def __init__(self, method):
        self.method, self.name, self.__doc__ = method, method.__name__, method.__doc__

    def __get__(self, obj, cls=None):
        if obj is None:
            return self
        value = obj.__dict__[self.name] = self.method(obj)
        return value


# a fact's evidence is kept per slot, 3 * entry index + the phrase's role
_CUE, _CONTEXT, _EXCLUDE = 0, 1, 2
_NOUN_OF_ANOTHER = 0.25  # extra cost of a cue that is another number's noun; above an after-cue's 0.1
_BEFORE = 400  # characters of the paragraph before a sentence read for its topic
_QUOTES = "\"“”'‘’«»"
_JOIN = r"[\s,\"“”'‘’«»]+"
_RATE_UNITS = ("percent", "per_mille")
# kinds that are statistics of something by their very form: listed for review when unmapped
_SHARE_KINDS = ("rate", "target_achievement", "fraction")
# between the words of a phrase: spaces, quotes, commas, and a dash ('công nghiệp - xây dựng')
_GAP_CHARS = " \t\n\r\f\v,\"“”'‘’«»-–\u00a0"
_WORD_RX = re.compile(r"\w+")
_WORD_SPLIT = re.compile(r"(\w+)")
# a clause boundary: a comma or slash not between digits, ; : ( ) [ ], a dash between spaces;
# written to begin with its character class, so that the engine skips to the next
# candidate at C speed (look-arounds first would be tried at every character)
_BOUND_RX = re.compile(r"[,;:()\[\]\-–—/](?:(?<=[;:()\[\]])|(?<=,)(?:(?<!\d,)|(?!\d))"
                       r"|(?<= [-–—])(?= )|(?<=/)(?:(?<!\d/)|(?!\d)))")


def _mtime(path: Path | str) -> float:
    try:
        return os.stat(path).st_mtime
    except OSError:
        return 0.0


# --------------------------------------------------------------------------- matcher

@dataclass(frozen=True)
class _Entry:
    id: str
    order: int
    unit: str
    kinds: frozenset
    counted: tuple
    has_context: bool


class _Matcher:
    """All cue phrases of a catalogue compiled into one pass over a sentence.

    Built once per catalogue: the phrase trie, and per phrase the entries it
    is a cue, context or exclusion of, indexed by phrase so that a fact's
    evidence is gathered from the phrases found, never by a loop over the
    entries.
    """

    def __init__(self, catalog: pd.DataFrame):
        self.entries: list[_Entry] = []
        roles: dict[str, list[tuple[int, str]]] = {}
        for i, r in catalog.reset_index(drop=True).iterrows():
            self.entries.append(_Entry(r["indicator_id"], i, r["unit"], frozenset(r["kinds"]),
                                       tuple(cue_key(c) for c in r["counted"]), bool(r["context"])))
            for role in ("cues", "context", "exclude"):
                for p in r[role]:
                    roles.setdefault(cue_key(p), []).append((i, role))
        # each id's entry (a catalogue keeps one row per id)
        self.order_of = {e.id: e.order for e in self.entries}
        self.roles = roles
        self.trie: dict = {}
        for k in roles:
            node = self.trie
            for w in k.split(" "):
                node = node.setdefault(w, {})
            node[""] = k
        self._compat: dict = {}
        self._relevant: dict = {}
        self._sections: dict = {}
        # entries whose cue alone names a topic (no counted noun needed)
        self.blockers = frozenset(e.order for e in self.entries if not e.counted)
        # per phrase, the entries it is a context phrase of
        self.context_of = {k: frozenset(i for i, r in rs if r == "context") for k, rs in roles.items()}
        self.cue_sets = {i: frozenset(k for k, rs in roles.items() if (i, "cues") in rs)
                         for i in range(len(self.entries))}
        self.words = {i: " " + " | ".join(k for k, rs in roles.items()
                                          if (i, "cues") in rs or (i, "context") in rs)
                      + " | " + " | ".join(self.entries[i].counted) + " "
                      for i in range(len(self.entries))}
        # the counted nouns by their first word: a number's next word says which can follow it
        by_first: dict[str, list[tuple[str, re.Pattern]]] = {}
        for c in sorted({c for e in self.entries for c in e.counted}, key=len, reverse=True):
            rx = re.compile(_JOIN.join(re.escape(w) for w in c.split(" ")) + r"(?!\w)")
            by_first.setdefault(c.split(" ")[0], []).append((c, rx))
        self.counted_by_first = {w: tuple(v) for w, v in by_first.items()}

    def compatible(self, kind, unit) -> frozenset:
        """Return the indices of the entries that can carry a fact of this kind and unit."""
        key = (kind, unit)
        got = self._compat.get(key)
        if got is None:
            got = self._compat[key] = frozenset(e.order for e in self.entries
                                            if _compatible(e, kind, unit))
        return got

    def relevant(self, kind, unit) -> dict[str, tuple[tuple, bool, bool]]:
        """Per phrase, the evidence slots it fills for a fact of this kind and unit (cached).

        Returns
        -------
        dict
            Phrase -> (slots, whether it is a cue, whether its first role is a
            cue). A slot is ``3 * entry index + role`` (:data:`_CUE`,
            :data:`_CONTEXT`, :data:`_EXCLUDE`), for the roles of the
            compatible entries and the cues of the entries that name a topic
            by their cue alone; ``slots[2 * reaches + vetoes]`` are those it
            fills as a cue that reaches the number (or not) and as a veto
            that reaches it (or not). Phrases with no such role are left out.
        """
        key = (kind, unit)
        got = self._relevant.get(key)
        if got is None:
            compat, blockers = self.compatible(kind, unit), self.blockers
            got = self._relevant[key] = {}
            place = {"cues": _CUE, "context": _CONTEXT, "exclude": _EXCLUDE}
            for k, roles in self.roles.items():
                rs = [(i, r) for i, r in roles if i in compat or (r == "cues" and i in blockers)]
                if rs:
                    slots = tuple(tuple(3 * i + place[r] for i, r in rs
                                        if r == "context" or (r == "cues" and reaches) or (r == "exclude" and vetoes))
                                  for reaches in (False, True) for vetoes in (False, True))
                    got[k] = (slots, any(r == "cues" for _, r in rs), rs[0][1] == "cues")
        return got

    def counted_nouns(self, kind, unit) -> tuple[bool, frozenset]:
        """Say whether an entry able to carry a fact of this kind and unit needs no counted noun (cached).

        Returns that, and the counted nouns the others need (none are needed
        but for counts and fractions).
        """
        key = ("counted", kind, unit)
        got = self._relevant.get(key)
        if got is None:
            compat = [self.entries[i] for i in self.compatible(kind, unit)]
            if kind in ("count", "fraction"):
                got = (any(not e.counted for e in compat), frozenset(c for e in compat for c in e.counted))
            else:
                got = (bool(compat), frozenset())
            self._relevant[key] = got
        return got

    def compatible_cues(self, kind, unit) -> dict[str, frozenset]:
        """Per phrase, the entries able to carry a fact of this kind and unit that it is a cue of (cached)."""
        key = ("cues", kind, unit)
        got = self._relevant.get(key)
        if got is None:
            compat = self.compatible(kind, unit)
            cues = ((k, frozenset(i for i, r in roles if r == "cues" and i in compat))
                    for k, roles in self.roles.items())
            got = self._relevant[key] = {k: v for k, v in cues if v}
        return got

    def section_context(self, heading: str) -> frozenset:
        """Return the entries that a section heading gives a context phrase of (cached: headings repeat)."""
        got = self._sections.get(heading)
        if got is None:
            if len(self._sections) > 4096:
                self._sections.clear()
            got = self._sections[heading] = self.context_in(_fold_same_length(heading))
        return got

    def context_in(self, folded: str) -> frozenset:
        """Return the entries that a folded text gives a context phrase of."""
        context_of = self.context_of
        return frozenset(i for _, _, k in self.hits(folded) for i in context_of[k])

    def heads(self, folded: str, e: int) -> frozenset:
        """Return the counted nouns that the words right after a number ending at ``e`` begin with.

        Quotes, spaces and an opening parenthesis may stand between the number
        and the noun; the noun is looked for in the 80 characters after the
        number.
        """
        tail = folded[e:e + 80]
        lead = len(tail) - len(tail.lstrip(" \t" + _QUOTES + "("))
        m = _WORD_RX.match(tail, lead)
        if m is None:
            return frozenset()
        return frozenset(c for c, rx in self.counted_by_first.get(m.group(), ()) if rx.match(tail, lead))

    def names_unit(self, idx: int, noun: str) -> bool:
        """Whether an entry's phrases name a kind of unit ('thôn' in 'thôn văn hóa')."""
        return f" {noun} " in self.words[idx]

    def shares_cue(self, a: int, b: int) -> bool:
        """Whether two entries have a cue phrase in common (one topic, two kinds)."""
        return bool(self.cue_sets[a] & self.cue_sets[b])

    def hits(self, folded: str) -> list[tuple[int, int, str]]:
        """(start, end, phrase) of every catalogue phrase in a folded text.

        Phrases are walked word by word through a trie, so every phrase that
        starts at a word is found, the shorter ones inside longer ones too;
        between two words of a phrase stand only spaces, quotes, commas and
        dashes. The text is cut into words and gaps, and their offsets
        summed, by C loops (``re.split``, ``itertools.accumulate``): only the
        words that start a phrase are walked in Python.

        Examples
        --------
        >>> [k for _, _, k in _matcher_for(None).hits("tỷ lệ hộ nghèo còn 1,2%")]
        ['tỷ lệ hộ nghèo', 'hộ nghèo']
        """
        trie = self.trie
        parts = _WORD_SPLIT.split(folded)   # gap, word, gap, word, ..., gap
        words = parts[1::2]
        first = list(compress(count(), map(trie.__contains__, words)))
        if not first:
            return []
        at = list(accumulate(map(len, parts)))  # at[2i]: start of word i, at[2i + 1]: its end
        out, last = [], len(words) - 1
        for i in first:
            node = trie[words[i]]
            j = i
            while True:
                key = node.get("")
                if key is not None:
                    out.append((at[2 * i], at[2 * j + 1], key))
                if j == last:
                    break
                node = node.get(words[j + 1])
                if node is None:
                    break
                gap = parts[2 * j + 2]  # what stands between words j and j + 1
                if gap != " " and gap.strip(_GAP_CHARS):
                    break
                j += 1
        return out


@lru_cache(maxsize=4)
def _cached_matcher(path: str, mtime: float) -> _Matcher:
    return _Matcher(load_catalog(path))


@lru_cache(maxsize=1)
def _markers() -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for r in read_rules("indicator_markers", ["marker", "role"]):
        out.setdefault(r["role"], []).append(cue_key(r["marker"]))
    return {k: tuple(v) for k, v in out.items()}


class _Sentence:
    """A sentence prepared for matching: folded text, boundaries and cue hits.

    ``report`` is the text the sentence stands in, at ``start``: the text of
    the same paragraph before the sentence (at most a few hundred characters)
    is read where a sentence does not name its topic ('Kết quả xử lý 204 cơ
    sở vi phạm') and the sentence before it may ('kiểm tra an toàn thực phẩm
    914 cơ sở.').

    Only the folded text is made at once: the numbers of many sentences can
    carry no indicator whatever the sentence says (no counted noun of one
    follows them), and most sentences name no indicator their numbers can
    carry; the cue hits, boundaries, numbers and distances are found on
    first use.
    """

    def __init__(self, text: str, start: int, section: str | None, matcher: _Matcher,
                 report: str = ""):
        self.text = text
        self.start = start
        self.folded = _fold_same_length(text)
        self.matcher = matcher
        self.section = section
        self.report = report
        self.own = None  # callable: ((level, name) of the report's own unit, units per level)
        self._before_context = None
        self._nums = None
        self._num_ends = None
        self._located = None
        self._marks: dict = {}
        self._cued: dict = {}
        self._hits_for: dict = {}
        self._heads: dict = {}

    @_found_once
    def hits(self) -> list[tuple[int, int, str]]:
        """Find the catalogue phrases in the sentence (:meth:`_Matcher.hits`)."""
        return self.matcher.hits(self.folded)

    @_found_once
    def phrases(self) -> frozenset:
        """Find the distinct catalogue phrases in the sentence."""
        return frozenset(map(itemgetter(2), self.hits))

    @_found_once
    def section_context(self) -> frozenset:
        """Find the entries whose context phrase the section heading gives."""
        return self.matcher.section_context(self.section) if self.section else frozenset()

    @_found_once
    def bounds(self) -> list[int]:
        """Find the clause boundaries (:data:`_BOUND_RX`), in order."""
        return [m.start() for m in _BOUND_RX.finditer(self.text)]

    @_found_once
    def closes(self) -> list[int]:
        return [i for i in self.bounds if self.text[i] == ")"] if ")" in self.text else []

    @_found_once
    def commas(self) -> list[int]:
        return [i for i in self.bounds if self.text[i] == ","] if "," in self.text else []

    @_found_once
    def semis(self) -> list[int]:
        return [i for i in self.bounds if self.text[i] == ";"] if ";" in self.text else []

    @_found_once
    def bases(self) -> list[tuple[int, int]]:
        """Find the bases of a ratio ('so với số hộ đã đăng ký'): (start, end of its clause)."""
        bases = _markers().get("base", ())
        return [(m, self.clause(m, m)[1]) for m in _marker_positions(self.folded, bases)] if bases else []

    def cued(self, kind, unit, matcher: _Matcher) -> tuple[bool, frozenset]:
        """Say what the entries that a hit is a cue of need to carry a fact of this kind and unit (cached).

        Among the entries able to carry such a fact that a hit is a cue of:
        whether one needs no counted noun after the number (or the kind is
        not counted), and the counted nouns the others need. A number
        followed by none of these gets no indicator.
        """
        got = self._cued.get((kind, unit))
        if got is None:
            cues, entries = matcher.compatible_cues(kind, unit), matcher.entries
            cued = frozenset().union(*map(cues.__getitem__, self.phrases & cues.keys()))
            if kind in ("count", "fraction"):
                got = (any(not entries[i].counted for i in cued),
                       frozenset(c for i in cued for c in entries[i].counted))
            else:
                got = (bool(cued), frozenset())
            self._cued[(kind, unit)] = got
        return got

    def hits_for(self, kind, unit, matcher: _Matcher) -> list[tuple]:
        """Return the hits whose phrase matters for a fact of this kind and unit (cached).

        Each is (start, end, phrase, its length, its evidence slots, whether
        it is a cue, whether its first role is a cue (see
        :meth:`_Matcher.relevant`), the boundaries before its start and
        before its end, what a number right before it adds to its cost): with
        the boundaries, a distance needs no search.
        """
        got = self._hits_for.get((kind, unit))
        if got is None:
            relevant = matcher.relevant(kind, unit)
            got = self._hits_for[(kind, unit)] = [
                (hs, he, k, klen, *relevant[k], at_hs, at_he, noun)
                for hs, he, k, klen, at_hs, at_he, noun in self.located() if k in relevant]
        return got

    def located(self) -> list[tuple]:
        """Return the hits with their phrase's length, the boundaries before their ends and a number's cost.

        (start, end, phrase, its length, the boundaries before its start and
        before its end, what a number right before it adds to its cost).
        """
        if self._located is None:
            bounds, after = self.bounds, self.after_numbers
            self._located = [(hs, he, k, len(k), bisect_left(bounds, hs), bisect_left(bounds, he),
                              _NOUN_OF_ANOTHER if hs in after else 0.0)
                             for hs, he, k in self.hits]
        return self._located

    def before_context(self, matcher: _Matcher) -> frozenset:
        """Return the entries whose context phrase the paragraph before the sentence gives."""
        if self._before_context is None:
            st, report = self.start, self.report
            para = report.rfind("\n", max(0, st - _BEFORE), st) + 1
            before = report[max(para, st - _BEFORE):st]
            self._before_context = matcher.context_in(_fold_same_length(before)) if before else frozenset()
        return self._before_context

    def heads(self, e: int, matcher: _Matcher) -> frozenset:
        """Return the counted nouns that follow a number ending at ``e`` (cached)."""
        got = self._heads.get(e)
        if got is None:
            got = self._heads[e] = matcher.heads(self.folded, e)
        return got

    def numbers(self) -> list[int]:
        """Return the starts of the numbers (not years) in the sentence."""
        if self._nums is None:
            found = [m for m in _NUM_RX.finditer(self.text) if not _YEAR_RX.fullmatch(m.group())]
            self._nums = [m.start() for m in found]
            self._num_ends = frozenset(m.end() for m in found)
        return self._nums

    def numbers_between(self, a: int, b: int) -> list[int]:
        """Return the starts of the numbers (not years) that begin in [a, b)."""
        nums = self.numbers()
        k = bisect_left(nums, a)
        out = []
        while k < len(nums) and nums[k] < b:
            out.append(nums[k])
            k += 1
        return out

    @_found_once
    def after_numbers(self) -> frozenset:
        """Find where a word right after a number (not a year) begins, spaces between."""
        self.numbers()
        text, n, out = self.text, len(self.text), []
        for i in self._num_ends:
            while i < n and text[i].isspace():
                i += 1
            out.append(i)
        return frozenset(out)

    def marks(self, markers: tuple[str, ...]) -> list[int]:
        got = self._marks.get(markers)
        if got is None:
            got = self._marks[markers] = _marker_positions(self.folded, markers)
        return got

    def clause(self, s: int, e: int) -> tuple[int, int]:
        """(start, end) of the clause around [s, e): between the boundaries nearest it."""
        k = bisect_left(self.bounds, s)
        lo = self.bounds[k - 1] + 1 if k else 0
        k = bisect_left(self.bounds, e)
        hi = self.bounds[k] if k < len(self.bounds) else len(self.text)
        return lo, hi

    def crosses_item(self, a: int, b: int) -> bool:
        """Whether a ';' lies in [a, b) and no ':' before it opens a list there."""
        k = bisect_left(self.semis, a)
        if k >= len(self.semis) or self.semis[k] >= b:
            return False
        return ":" not in self.text[a:self.semis[k]]

    def n_bounds(self, a: int, b: int) -> int:
        return bisect_left(self.bounds, b) - bisect_left(self.bounds, a)

    def n_commas(self, a: int, b: int) -> int:
        return bisect_left(self.commas, b) - bisect_left(self.commas, a)

    def n_closes(self, a: int, b: int) -> int:
        return bisect_left(self.closes, b) - bisect_left(self.closes, a)


def _fold_same_length(s: str) -> str:
    out = s.lower()  # text is normalised (normalize_text) by contract: lower case is its fold
    if len(out) != len(s):
        out = "".join(c.lower() if len(c.lower()) == 1 else c for c in s)
    return out


# --------------------------------------------------------------------------- assignment

def _compatible(entry: _Entry, kind: str, unit: str) -> bool:
    if kind not in entry.kinds:
        return False
    if kind == "fraction":
        return True
    if entry.unit in _RATE_UNITS:
        return unit in _RATE_UNITS
    return unit == entry.unit


def _evidence(sent: _Sentence, hits: list[tuple], s: int, e: int, kind) -> dict:
    """Return the best evidence of each entry and role for a number at [s, e) of the sentence.

    Slot (``3 * entry index + role``) -> (cost, boundary count, phrase
    length, start, end, phrase) of the nearest phrase of that role (the
    longer on a tie of cost), among the sentence's hits for the number's kind
    and unit (:meth:`_Sentence.hits_for`). The cost of a phrase before the
    number is the clause boundaries between them plus their distance / 400;
    after the number, a phrase in the number's clause costs 0.1 plus the
    distance / 400, one beyond 2 + 1.5 per boundary (two per closing
    parenthesis).
    """
    best: dict = {}
    bases = [(a, b) for a, b in sent.bases if not a <= s < b]
    # boundaries before the number's ends: with a hit's, they count the boundaries between
    bounds, semis = sent.bounds, sent.semis
    at_s, at_e = bisect_left(bounds, s), bisect_left(bounds, e)
    for hs, he, key, klen, slots, is_cue, cue_first, at_hs, at_he, noun in hits:
        if hs < e and he > s:  # a phrase never overlaps its own number
            continue
        # what the base of a ratio names ('đạt 96% so với số hộ đã đăng ký') is
        # the denominator, not what the number counts
        if bases and any(a <= hs < b for a, b in bases):
            continue
        if he <= s:
            b = at_s - at_he
            # (a phrase right after another number is that number's noun,
            # '8 hộ nghèo và 21 hộ cận nghèo': weaker for the next one)
            cost = b + (s - he) / 400.0 + noun
            # neither a cue nor a veto reaches into another item of a list
            # ('tai nạn giao thông ...; ... ma túy')
            reaches = vetoes = not (semis and sent.crosses_item(he, s))
        else:
            b = at_hs - at_e
            vetoes = True
            if b == 0:
                cost = 0.1 + (hs - e) / 400.0
                reaches = is_cue and _cue_reaches(sent, hs, he, s, e, "after", 0, kind)
            else:
                listed = b == sent.n_commas(e, hs)
                b = b + 2 * sent.n_closes(e, hs)
                cost = 2 + 1.5 * b + (hs - e) / 400.0
                b = 2 + b
                # (a cue beyond the clause reaches across a list's commas only
                # when the phrase is first of all the cue of an entry)
                reaches = listed and cue_first and _cue_reaches(sent, hs, he, s, e, "after-list", b, kind)
        cand = (cost, b, klen, hs, he, key)
        for slot in slots[2 * reaches + vetoes]:
            cur = best.get(slot)
            if cur is None or cost < cur[0] or (cost == cur[0] and klen > cur[2]):
                best[slot] = cand
    return best


def _head_ok(entry: _Entry, sent: _Sentence, e: int, matcher: _Matcher) -> bool:
    """Whether the words after a number ending at ``e`` begin with one of the entry's counted nouns."""
    return not sent.heads(e, matcher).isdisjoint(entry.counted)


def _choose(fact: Mapping, sent: _Sentence, matcher: _Matcher) -> tuple[str, int, int] | None:
    """Choose one fact's indicator: (id, cue start, cue end), offsets in the sentence; or None."""
    kind, unit = fact.get("kind"), fact.get("unit")
    s = int(fact["start"]) - sent.start
    e = int(fact["end"]) - sent.start
    if not (0 <= s <= e <= len(sent.text)):
        return None
    compat = matcher.compatible(kind, unit)
    if not compat:
        return None
    # only an entry with a cue in the sentence, and the counted noun it needs after the number, can win
    free, nouns = matcher.counted_nouns(kind, unit)
    if not free and (not nouns or sent.heads(e, matcher).isdisjoint(nouns)):
        return None  # (whatever the sentence says)
    free, nouns = sent.cued(kind, unit, matcher)
    if not free and (not nouns or sent.heads(e, matcher).isdisjoint(nouns)):
        return None
    entries = matcher.entries
    counts = kind in ("count", "fraction")
    best = _evidence(sent, sent.hits_for(kind, unit, matcher), s, e, kind)
    choices = []
    for slot, cue in best.items():   # the entries a cue was found for
        idx, role = divmod(slot, 3)
        if role != _CUE or idx not in compat:
            continue
        entry = entries[idx]
        if counts and entry.counted and not _head_ok(entry, sent, e, matcher):
            continue
        ctx_cost, ctx_b = 0.0, 0
        if entry.has_context:
            ctx = best.get(slot + _CONTEXT)
            if ctx is None:
                if not (idx in sent.section_context or idx in sent.before_context(matcher)):
                    continue
                ctx = (6.0, 6, 0)
            ctx_cost, ctx_b = ctx[0], ctx[1]
        exc = best.get(slot + _EXCLUDE)
        if exc is not None and exc[1] <= max(cue[1], ctx_b):
            continue
        choices.append((cue[0] + 0.3 * ctx_cost, -cue[2], idx, entry.id))
    if not choices:
        return None
    best_choice = min(choices)
    # the number's topic is the nearest cue of any entry: when an entry that
    # cannot carry this fact (another kind) names a topic nearer than the
    # winner's cue, the number is about that topic ("tỷ lệ Gia đình văn hóa
    # (91% - vượt 3%)": the 3% is not the land certificates' achievement)
    # (entries that name their topic by the counted noun, like 'targets_met'
    # with its 'đạt'/'hoàn thành', do not block)
    # (a topic named after the number is what it is given to, '80 suất cho hộ
    # nghèo', and so is one the winner expects beside it, gifts 'cho ... hộ
    # nghèo với tổng trị giá'; a topic named three clauses or more before is an
    # item of a list, not the number's topic: 'quà ... đến người có công, hộ
    # nghèo, hộ cận nghèo, ... với tổng trị giá 800 triệu đồng')
    won_idx = best_choice[2]
    won = best[3 * won_idx + _CUE]
    blockers, context_of = matcher.blockers, matcher.context_of
    chosen = None
    for slot, ev in best.items():
        idx, role = divmod(slot, 3)
        if (role == _CUE and ev[1] < won[1] and ev[1] <= 2 and ev[3] < s and idx in blockers
                and won_idx not in context_of[ev[5]]):
            if chosen is None:
                chosen = {c[2] for c in choices}
            if idx not in chosen and not matcher.shares_cue(idx, won_idx):
                return None
    if _out_of_scope(kind, sent, s, e, won_idx, matcher, won[5]):
        return None
    # the number's own clause names another activity than the cue's, which lies in an
    # earlier clause ('Kiểm tra ... 65 cơ sở, nhắc nhở 12 cơ sở')
    lo = sent.clause(s, e)[0]
    if won[4] <= lo and _scope_rx()["activity"].search(sent.folded, lo, s):
        return None
    return best_choice[3], won[3], won[4]


def _cue_reaches(sent: _Sentence, hs: int, he: int, s: int, e: int, side: str, b: int,
                 kind: str) -> bool:
    """Whether a cue at [hs, he) can name what the number at [s, e) counts.

    * Before the number, a cue does not reach across a ';' into the next item
      of a list, unless it heads that list ('Tặng quà: ...; ...').
    * After the number, a cue counts in the number's own clause, or across
      the commas of a list of what one verb counted ('bắt 3 vụ, 5 đối tượng
      ... cờ bạc'); never past a breakdown ('4.120 hộ, trong đó ... hộ cận
      nghèo'), past another number in the clause ('2,4% và 310 hộ cận
      nghèo'), nor when a number of its own follows it ('420 người, ...,
      đi làm việc ở nước ngoài 9 người').
    """
    if side == "before":
        return not sent.crosses_item(he, s)
    if side == "over":
        return True
    if side == "after":
        if b > 0 or sent.numbers_between(e, hs):
            return False
    else:  # after-list
        if kind not in ("count", "fraction") or sent.numbers_between(he, sent.clause(hs, he)[1]):
            return False
    marks = _markers().get("breakdown", ())
    if marks and any(e <= m < hs for m in sent.marks(marks)):
        return False
    return True


def _out_of_scope(kind: str, sent: _Sentence, s: int, e: int, idx: int, matcher: _Matcher,
                  cue: str = "") -> bool:
    """Whether the number is not the reporting unit's own figure of the indicator.

    The rules of ``analysis/rules/indicator_markers.csv``: a share or count of
    sub-units ('100% các xã', '5/8 xã') where the indicator does not count such
    units; a best or worst sub-unit ('cao nhất', 'thấp nhất'); a value per item
    ('mỗi suất trị giá 800 nghìn đồng', '300.000 đồng/suất').
    """
    rx = _scope_rx()
    folded = sent.folded
    lo, hi = sent.clause(s, e)
    # the clause speaks of a named sub-unit: 'phường Bình Hiên đạt 92%' in a
    # district report, 'tổ dân phố số 3 ...'
    if _names_other_unit(sent, lo, s):
        return True
    # what is counted right after the number: an administrative sub-unit
    m = rx["subunit"].match(folded, e)
    if m and not matcher.names_unit(idx, m.group(1)):
        return True
    for m in rx["superlative"].finditer(folded, lo, hi):
        if not rx["peers"].match(folded, m.end()):
            return True
    # 'Riêng quý IV, thu ngân sách đạt 3 tỷ đồng': a part set apart, up to the next ';'
    k = bisect_left(sent.semis, s)
    item = sent.semis[k - 1] + 1 if k else 0
    if rx["apart"].search(folded, item, s):
        return True
    # (an indicator that is an average itself, 'thu nhập bình quân đầu người', is per head)
    if kind in ("amount", "count") and not rx["average"].search(cue):
        m = rx["per_unit"].search(folded, lo, s)
        if m and not rx["per_time"].match(folded, m.end()):
            return True
        m = rx["after_per"].match(folded, e)
        if m and not rx["per_time"].match(folded, m.end()):
            return True
    return False


def _unit_name_at(text: str, m: re.Match) -> tuple[str, str] | None:
    """(level word, name) of a unit named at a match of the level pattern, or None."""
    start = m.end()
    nxt = text[start:start + 1]
    if not (nxt.isupper() or nxt.isdigit() or text[start:start + 3].lower() == "số "):
        return None  # most level words are followed by common words: 'trên địa bàn phường đạt'
    level = m.group(1).lower()
    words = []
    lead = re.match(r"(?i)số\s+(?=\d)", text[start:start + 8])  # 'tổ dân phố số 5'
    if lead:
        start += lead.end()
    for w in _WORD_RX.finditer(text, start, min(len(text), start + 60)):
        gap = text[(words[-1].end() if words else start):w.start()]
        if gap.strip() or len(words) == 4:
            break
        if w.group().isdigit():
            # 'Quận 4', 'Phường 5', 'tổ dân phố số 3' are names; 'thành phố 412,5 ha' is not
            if words or level not in _unit_rx()[3] or re.match(r"[.,/]\d", text[w.end():w.end() + 2]):
                break
            words.append(w)
            break
        if not w.group()[0].isupper():
            break
        words.append(w)
    if not words:
        return None
    return level, " ".join(w.group() for w in words).lower()


@lru_cache(maxsize=1)
def _unit_rx() -> tuple[re.Pattern, re.Pattern, frozenset, frozenset]:
    marks = _markers()
    own, parts = marks.get("named_unit", ()), marks.get("named_part", ())
    numbered = frozenset(parts) | frozenset(marks.get("numbered_unit", ()))
    levels = "|".join(re.escape(w) for w in sorted(own + parts, key=len, reverse=True)) or "(?!)"
    anywhere = re.compile(r"(?<!\w)(" + levels + r")\s+(?=\w)", re.I)
    lead = "|".join(re.escape(w) for w in sorted(marks.get("unit_lead", ()), key=len, reverse=True)) or "(?!)"
    at_start = re.compile(r"[\s\-–+*•]*(?:(?:" + lead + r")\s+)*(" + levels + r")\s+(?=\w)", re.I)
    return anywhere, at_start, frozenset(parts), numbered


def _own_unit(text: str) -> tuple[tuple[str, str] | None, dict[str, int], dict]:
    """Return the unit the text names most often (the report's own), with counts.

    Also how many different units of each level it names, and how often it
    names each.
    """
    anywhere = _unit_rx()[0]
    counts: dict[tuple[str, str], int] = {}
    for m in anywhere.finditer(text):
        got = _unit_name_at(text, m)
        if got is not None:
            counts[got] = counts.get(got, 0) + 1
    per_level: dict[str, int] = {}
    for level, _ in counts:
        per_level[level] = per_level.get(level, 0) + 1
    return (max(counts, key=counts.get) if counts else None), per_level, counts


def _names_other_unit(sent: _Sentence, lo: int, s: int) -> bool:
    """Tell whether the clause opens on another unit than the report's own.

    That is a sub-unit, or one of several units of a level, named at most
    half as often as the report's own unit ('phường Bình Hiên đạt 94,3%' in a
    district report that names its wards).
    """
    _, at_start, parts, _ = _unit_rx()
    m = at_start.match(sent.text, lo, s)
    if m is None:
        return False
    got = _unit_name_at(sent.text, m)
    if got is None:
        return False
    if got[0] in parts:
        return True
    own, per_level, counts = sent.own() if sent.own is not None else (None, {}, {})
    # (a ward named nearly as often as its district is the report's own: a ward
    # report that names its parent at every turn)
    return (own is not None and got != own and per_level.get(got[0], 0) >= 2
            and 2 * counts.get(got, 0) <= counts[own])


@lru_cache(maxsize=1)
def _scope_rx() -> dict:
    marks = _markers()

    def alt(role):
        words = marks.get(role, ())
        if not words:
            return None
        return "|".join(_JOIN.join(re.escape(w) for w in m.split(" "))
                        for m in sorted(words, key=len, reverse=True))

    def whole(role):
        return _whole_words(tuple(sorted(marks.get(role, ()), key=len, reverse=True)))

    sub, per, tim, peers = alt("subunit"), alt("per_item"), alt("per_time"), alt("peers")
    never = "(?!)"
    return {
        # 'cao nhất quận', 'cao nhất trong toàn huyện': the subject ranked among its peers
        "peers": re.compile(r"\s+(?:(?:trong|toàn|của|so với)\s+)*(?:" + (peers or never) + r")(?!\w)"),
        # '100% các xã', '5/8 xã', '(100%) số phường': the number counts sub-units
        "subunit": re.compile(r"[\s(\"“”]*(?:%|‰)?[\s)]*(?:(?:các|số|tổng số|toàn bộ)\s+)?("
                              + (sub or never) + r")(?!\w)"),
        "superlative": whole("superlative"),
        "apart": whole("apart"),
        "average": whole("average"),
        "activity": whole("activity"),
        # 'mỗi suất trị giá 800 nghìn đồng' (not 'mỗi năm')
        "per_unit": whole("per_item"),
        "per_time": re.compile(r"\s*(?:" + (tim or never) + r")(?!\w)"),
        # '500.000 đồng/suất', '2 triệu đồng mỗi phần'
        "after_per": re.compile(r"\s*(?:/\s*|(?:" + (per or never) + r")\s+)(?=\w)"),
    }


def assign_indicators(facts: Iterable[Mapping], text: str,
                      catalog: pd.DataFrame | str | Path | None = None) -> list[dict]:
    """Give each fact the catalogue indicator it states, or None.

    Parameters
    ----------
    facts : list of dict
        Facts of one report (``start``, ``end``, ``kind``, ``unit``; ``sentence``,
        ``sentence_start`` and ``section`` are used when present).
    text : str
        The report's text as :func:`analysis.text.normalize_text` returns it
        (what ``reports.text`` stores), into which the offsets point.
    catalog : DataFrame or path, optional
        Another catalogue (as returned by :func:`load_catalog`, or its path).

    Returns
    -------
    list of dict
        Copies of the facts, in the same order, with ``indicator_id`` set, and
        ``indicator_cue`` saying why: the cue phrase as the text writes it and
        where it stands in the text (``'"thu ngân sách" @ 120-134'``); both None
        where no indicator is given.

    Examples
    --------
    >>> text = "Có 16/16 tổ dân phố đăng ký xây dựng tổ dân phố văn hóa, đạt tỷ lệ 100%."
    >>> facts = [{"start": 3, "end": 8, "kind": "fraction", "unit": "count"},
    ...          {"start": 68, "end": 72, "kind": "rate", "unit": "percent"}]
    >>> [f["indicator_id"] for f in assign_indicators(facts, text)]
    ['cultural_group_registration_rate', 'cultural_group_registration_rate']
    >>> from analysis.text import normalize_text
    >>> text = normalize_text("Kết quả có 1946/2129 hộ gia đình đạt gia đình văn hoá, đạt tỷ lệ 91,4%.")
    >>> [f["indicator_id"] for f in assign_indicators([{"start": 11, "end": 20, "kind": "fraction",
    ...     "unit": "count"}, {"start": 65, "end": 70, "kind": "rate", "unit": "percent"}], text)]
    ['cultural_family_rate', 'cultural_family_rate']
    """
    matcher = _matcher_for(catalog)
    if isinstance(facts, pd.DataFrame):
        facts = facts.to_dict("records")
    facts = [dict(f) for f in facts]
    index = None
    sentences: dict[tuple[int, int], _Sentence] = {}
    placed = []  # (sentence key, fact index)
    cues: dict[int, tuple[int, int]] = {}  # fact index -> its cue's span in its sentence
    own_unit = _Lazy(lambda: _own_unit(text))  # the report's own unit, read once if needed
    for i, f in enumerate(facts):
        f["indicator_id"] = None
        f["indicator_cue"] = None
        try:
            start = int(f["start"])
            int(f["end"])
        except (KeyError, TypeError, ValueError):
            continue
        st, sent_text, section = f.get("sentence_start"), f.get("sentence"), f.get("section")
        ok = (st is not None and isinstance(sent_text, str) and not _isna(st)
              and text[int(st):int(st) + len(sent_text)] == sent_text)
        if not ok:
            if index is None:
                index = TextIndex(text)
            snt = index.sentence_at(start)
            st, sent_text, section = snt.start, snt.text, snt.section
        key = (int(st), len(sent_text))
        sent = sentences.get(key)
        if sent is None:
            sent = sentences[key] = _Sentence(sent_text, int(st), section if isinstance(section, str) else None,
                                              matcher, text)
            sent.own = own_unit
        got = _choose(f, sent, matcher)
        if got is not None:
            f["indicator_id"] = got[0]
            cues[i] = (got[1], got[2])
        placed.append((key, i))
    _drop_breakdowns(facts, placed, sentences, text)
    _drop_restatements(facts, placed, sentences)
    _rates_follow_fractions(facts, placed, sentences, cues, matcher)
    for key, i in placed:
        f = facts[i]
        if f["indicator_id"] is not None and i in cues:
            a, b = cues[i]
            sent = sentences[key]
            f["indicator_cue"] = f'"{sent.text[a:b]}" @ {sent.start + a}-{sent.start + b}'
    return facts


def _isna(x) -> bool:
    if isinstance(x, int):  # an offset as the extractor gives it
        return False
    try:
        return bool(pd.isna(x))
    except (TypeError, ValueError):
        return False


def _matcher_for(catalog) -> _Matcher:
    if catalog is None:
        return _cached_matcher(str(CATALOG_FILE), _mtime(CATALOG_FILE))
    if isinstance(catalog, (str, Path)):
        return _cached_matcher(str(catalog), _mtime(Path(catalog)))
    return _Matcher(catalog)


def _drop_breakdowns(facts: list[dict], placed, sentences, text: str) -> None:
    """Parts listed after 'trong đó' of a total that carries an indicator get none.

    Within a sentence, a part is any later fact of the kind and unit of a total
    with an indicator, whatever indicator its own words name ('8.700.000đ
    (trong đó nguồn quận 6.000.000đ, nguồn quỹ VNN phường 2.700.000đ)').
    A sentence that opens with the marker ('Trong đó, có 12 đảng viên là
    nữ ...') lists the parts of the sentence before it: there a part loses the
    indicator when that sentence states the same indicator, kind and unit.
    """
    markers = _markers().get("breakdown", ())
    if not markers:
        return
    by_sent: dict[tuple[int, int], list[int]] = {}
    for key, i in placed:
        by_sent.setdefault(key, []).append(i)
    keys = sorted(by_sent)
    rx = _marker_rx(markers)
    for n, key in enumerate(keys):
        idxs = by_sent[key]
        if all(facts[i]["indicator_id"] is None for i in idxs):
            continue  # nothing to drop
        sent = sentences[key]
        marks = sent.marks(markers)
        if not marks:
            continue
        opening = rx.match(sent.folded, len(sent.folded) - len(sent.folded.lstrip(" *-+•")))
        if opening and n:
            prev_key = keys[n - 1]
            prev = sentences[prev_key]
            gap = text[prev.start + len(prev.text):sent.start]
            if prev.start + len(prev.text) <= sent.start and gap.count("\n") <= 1 and len(gap) < 8:
                totals = {(facts[j]["indicator_id"], facts[j].get("kind"), facts[j].get("unit"))
                          for j in by_sent[prev_key] if facts[j]["indicator_id"]}
                for i in idxs:
                    f = facts[i]
                    if (f["indicator_id"], f.get("kind"), f.get("unit")) in totals:
                        f["indicator_id"] = None
        if len(idxs) < 2:
            continue
        for i in idxs:
            f = facts[i]
            if f["indicator_id"] is None:
                continue
            fs = int(f["start"]) - sent.start
            for j in idxs:
                g = facts[j]
                gs = int(g["start"]) - sent.start
                if (gs < fs and g.get("indicator_id") and g.get("kind") == f.get("kind")
                        and g.get("unit") == f.get("unit")
                        and any(gs < m < fs for m in marks)):
                    f["indicator_id"] = None
                    break


def _ratio(f: Mapping) -> float | None:
    try:
        num, den = float(f["numerator"]), float(f["denominator"])
    except (KeyError, TypeError, ValueError):
        return None
    return num / den * 100.0 if den and num == num and den == den else None


def _rates_follow_fractions(facts: list[dict], placed, sentences, cues: dict, matcher: _Matcher) -> None:
    """Give a percentage right after a fraction that it equals the fraction's indicator.

    '40/43 khu dân cư, chiếm 93%', '9/9 xã ..., đạt tỉ lệ 100%': the
    rate takes the fraction's indicator (and cue), or none when the fraction
    has none — what is counted was said with the fraction.
    """
    by_sent: dict[tuple[int, int], list[int]] = {}
    for key, i in placed:
        by_sent.setdefault(key, []).append(i)
    rate_ok = matcher.compatible("rate", "percent")
    ids = matcher.order_of
    for key, idxs in by_sent.items():
        if len(idxs) < 2:
            continue
        sent = sentences[key]
        if not any(facts[i].get("kind") == "fraction" for i in idxs):
            continue
        a = None  # the last fraction before the fact
        for b in sorted(idxs, key=lambda i: int(facts[i]["start"])):
            r = facts[b]
            if r.get("kind") == "fraction":
                a = b
                continue
            if a is None or r.get("kind") != "rate" or r.get("unit") != "percent":
                continue
            try:
                value = float(r["value"])
            except (KeyError, TypeError, ValueError):
                continue
            f = facts[a]
            ratio = _ratio(f)
            if ratio is None or abs(ratio - value) > 0.6:
                continue
            e, s = int(f["end"]) - sent.start, int(r["start"]) - sent.start
            if not 0 <= e <= s or sent.crosses_item(e, s) or sent.n_bounds(e, s) > 4:
                continue
            fid = f["indicator_id"]
            if fid is not None and ids.get(fid) in rate_ok:
                r["indicator_id"] = fid
                if a in cues:
                    cues[b] = cues[a]
            else:
                r["indicator_id"] = None
                cues.pop(b, None)


def _drop_restatements(facts: list[dict], placed, sentences) -> None:
    """Drop the indicator of a second number of one indicator in the same clause: it restates the first.

    'cấp 260 giấy chứng nhận cho 260 thửa đất': the certificates are
    counted once; the parcels they cover are another thing. Numbers joined by
    a conjunction of the ``list`` role ('và') are items of one list and keep it.
    """
    joins = _markers().get("list", ())
    join_rx = _marker_rx(joins) if joins else None
    by_sent: dict[tuple[int, int], list[int]] = {}
    for key, i in placed:
        if facts[i]["indicator_id"] is not None:
            by_sent.setdefault(key, []).append(i)
    for key, idxs in by_sent.items():
        if len(idxs) < 2:
            continue
        sent = sentences[key]
        idxs = sorted(idxs, key=lambda i: int(facts[i]["start"]))
        for a, b in zip(idxs, idxs[1:]):
            f, g = facts[a], facts[b]
            if (f["indicator_id"] != g["indicator_id"] or f.get("kind") != g.get("kind")
                    or g.get("kind") not in ("count", "amount")):
                continue
            e, s = int(f["end"]) - sent.start, int(g["start"]) - sent.start
            if e >= s or sent.n_bounds(e, s):
                continue
            if join_rx is not None and join_rx.search(sent.folded, e, s):
                continue
            g["indicator_id"] = None


@lru_cache(maxsize=8)
def _marker_rx(markers: tuple[str, ...]):
    return _whole_words(markers)


def _whole_words(phrases: tuple[str, ...]) -> re.Pattern:
    r"""Compile a pattern of any of these folded phrases as whole words, in this order of preference.

    Between their words stand spaces, quotes or commas. Each alternative
    begins with its first character and only then looks behind it
    (``(?<!\w.)``: no letter or digit stands before the phrase), so that the
    engine skips to the next candidate at C speed: a look-behind first would
    be tried at every character.
    """
    if not phrases:
        return re.compile("(?!)")
    alts = []
    for phrase in phrases:
        first, *rest = phrase.split(" ")
        alts.append(re.escape(first[0]) + r"(?<!\w.)" + re.escape(first[1:])
                    + "".join(_JOIN + re.escape(w) for w in rest))
    return re.compile("(?:" + "|".join(alts) + r")(?!\w)")


@lru_cache(maxsize=8)
def _first_words(markers: tuple[str, ...]) -> tuple[str, ...]:
    return tuple({m.split(" ")[0] for m in markers})


def _marker_positions(folded: str, markers: tuple[str, ...]) -> list[int]:
    # most sentences hold none of the markers: a substring test is cheaper than the pattern
    if not any(w in folded for w in _first_words(markers)):
        return []
    return [m.start() for m in _marker_rx(markers).finditer(folded)]


# --------------------------------------------------------------------------- review

def unmatched_cues(facts: Iterable[Mapping], texts: Mapping[str, str] | str | None = None,
                   catalog: pd.DataFrame | str | Path | None = None) -> pd.DataFrame:
    """List what the catalogue did not cover: the analyst's review list.

    Parameters
    ----------
    facts : list of dict or DataFrame
        Facts after :func:`assign_indicators` (with ``indicator_id``), of one or
        more reports.
    texts : mapping of doc id to text, or one text, optional
        Used to find a fact's sentence when the fact does not carry it.
    catalog : DataFrame or path, optional

    Returns
    -------
    DataFrame
        Columns ``problem``, ``indicator_id``, ``doc_id``, ``raw``, ``start``,
        ``end``, ``quote``, ``words``. ``problem`` is ``entry_never_matched``
        (a catalogue entry no fact got) or ``fact_unmapped`` (a rate, achievement
        or fraction with no indicator, or any fact whose clause holds catalogue
        cues or indicator-like words such as "tỷ lệ", "chỉ tiêu", yet got no
        indicator); ``words`` lists what was seen.

    Examples
    --------
    >>> text = "Tỷ lệ hộ dân sử dụng nước sạch đạt 98%."
    >>> facts = assign_indicators([{"doc_id": "d", "start": 35, "end": 38, "kind": "rate",
    ...                             "unit": "percent", "raw": "98%"}], text)
    >>> review = unmatched_cues(facts, text)
    >>> review[review.problem == "fact_unmapped"][["raw", "words"]].values.tolist()
    [['98%', 'tỷ lệ; (rate with no indicator)']]
    >>> int((review.problem == "entry_never_matched").sum()) == len(load_catalog())
    True
    """
    if isinstance(facts, pd.DataFrame):
        facts = facts.to_dict("records")
    facts = [dict(f) for f in facts]
    cat = (load_catalog(catalog) if isinstance(catalog, (str, Path))
           else catalog if catalog is not None
           else load_catalog())
    matcher = _matcher_for(catalog)
    hints = _markers().get("hint", ())
    hint_rx = _marker_rx(hints) if hints else None
    rows = []
    used = {f.get("indicator_id") for f in facts if f.get("indicator_id")}
    for iid, cues in zip(cat["indicator_id"].tolist(), cat["cues"].tolist()):
        if iid not in used:
            rows.append({"problem": "entry_never_matched", "indicator_id": iid, "doc_id": None,
                         "raw": None, "start": None, "end": None, "quote": None,
                         "words": "; ".join(cues[:4])})
    indexes: dict[str, TextIndex] = {}
    for f in facts:
        if f.get("indicator_id"):
            continue
        doc = f.get("doc_id") or f.get("doc")
        text = texts if isinstance(texts, str) else (texts or {}).get(doc)
        sent_text, st = f.get("sentence"), f.get("sentence_start")
        if (not isinstance(sent_text, str) or st is None or _isna(st)) and text is not None:
            idx = indexes.setdefault(doc, TextIndex(text))
            snt = idx.sentence_at(int(f["start"]))
            sent_text, st = snt.text, snt.start
        if not isinstance(sent_text, str):
            continue
        sent = _Sentence(sent_text, int(st), None, matcher)
        s, e = int(f["start"]) - sent.start, int(f["end"]) - sent.start
        lo = sent.bounds[bisect_left(sent.bounds, s) - 1] + 1 if bisect_left(sent.bounds, s) else 0
        k = bisect_left(sent.bounds, e)
        hi = sent.bounds[k] if k < len(sent.bounds) else len(sent.text)
        words = []
        for hs, he, key in sent.hits:
            if lo <= hs and he <= hi and not (hs < e and he > s) and any(
                    role == "cues" and idx in matcher.blockers for idx, role in matcher.roles[key]):
                words.append(key)
        if hint_rx is not None:
            words += [m.group(0) for m in hint_rx.finditer(sent.folded, lo, hi)]
        if f.get("kind") in _SHARE_KINDS:
            words.append(f"({f.get('kind')} with no indicator)")
        if words:
            rows.append({"problem": "fact_unmapped", "indicator_id": None, "doc_id": doc,
                         "raw": f.get("raw"), "start": f.get("start"), "end": f.get("end"),
                         "quote": f.get("quote") or sent.text[lo:hi].strip(),
                         "words": "; ".join(dict.fromkeys(words))})
    return pd.DataFrame(rows, columns=["problem", "indicator_id", "doc_id", "raw", "start",
                                       "end", "quote", "words"])
