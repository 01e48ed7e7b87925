"""Facts from the text of one report: every statistic, with its provenance.

:func:`extract_facts` is a pure function of one report's normalised text
(``analysis.text.normalize_text(raw)``). It scans the text once for numbers
with their unit words, then decides for each number, from the words around
it, whether it is a fact (see ``docs/annotation-guide.md``) and what unit,
kind and qualifier it has. All knowledge of the language is in data tables
under ``analysis/rules/``, each row with a note of where the phrasing is seen:

``units.csv``, ``multipliers.csv``, ``count_words.csv``
    unit words and multipliers (read through :mod:`analysis.numbers`);
``nonfacts.csv``
    contexts that make a number a date, year, duration, identifier, ordinal,
    address, slogan or page furniture, or keep it a count (``tổng số``);
``qualifiers.csv``
    ``gần``, ``khoảng``, ``ước đạt``, ``trên``, ``hơn``, ``dưới`` ... → qualifier;
``kinds.csv``
    cues for ``change``, ``target``, ``target_achievement`` and ``rate``;
``connectors.csv``
    what joins two numbers into a range (``từ 3 – 5%``), a result over its
    target (``6,1/chỉ tiêu là 6,3%``) or one amount (``2 tỷ 500 triệu đồng``);
``transparent.csv``
    words read past between a cue and its number (``tăng từ 3 – 5%``);
``counted_words.csv``
    words that bound the noun phrase measured (``counted``).

Phrases are literal words, matched whole and case-insensitively; regex rows
of ``nonfacts.csv`` are matched at the number: a ``left`` row at its first
character (so it is written as look-behinds, such as the one for a
number glued to letters, ``TW4``), a ``right`` row right after its unit words,
and a ``clause`` row (``keep`` only) at the start of the clause of a number that
closes it (``số doanh nghiệp thành lập mới 46,``).

How a number is read
--------------------
1. The scan consumes full dates, times, ratios with a colon and document codes
   (``02-CTr/QU``, ``111/NĐ-CP``) as non-facts, and reads every other number
   with the unit words after it, and a second number after a slash (fraction).
2. Numbers joined by a connector become a range, a result/target pair or one
   amount; the first number takes the unit of the second (``từ 3 – 5%``), and
   a range's ends share their context (``từ 5 đến 11 tuổi`` is no fact).
3. Phrases right before and after the number, and regular expressions on the
   characters around it, may mark it a non-fact. Each rule applies to some
   *shapes* only: ``bare`` (no unit), ``plain`` (bare, digits only: no date
   is written ``2.468``), ``unit``, ``fraction``, ``datelike`` (``1/6``),
   ``scale`` (``1/500``), ``monthyear`` (``6/2021``), ``year``.
4. For a fact: the nearest qualifier word before it wins (else a qualifier later
   in the clause, else an estimate governing the clause); the kind comes from
   the cue of best priority (``kinds.csv``), else from the unit.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from analysis.numbers import (
    NUMERAL,
    interpret_unit,
    load_count_words,
    load_multipliers,
    load_number_words,
    load_units,
    number_words_pattern,
    parse_decimal,
    quantity_suffix_pattern,
    value_of_number_words,
)
from analysis.rules import read_rules
from analysis.text import TextIndex, normalize_text

__all__ = ["extract_facts", "load_rules", "Rules", "SHAPES"]

#: Shapes a non-fact rule can apply to (column ``shape`` of ``nonfacts.csv``).
SHAPES = ("any", "bare", "unit", "fraction", "datelike", "scale", "monthyear", "year", "plain")
_BIT = {name: 1 << i for i, name in enumerate(SHAPES)}
_ANY, _BARE, _UNIT, _FRACTION, _DATELIKE, _SCALE, _MONTHYEAR, _YEAR, _PLAIN = (
    _BIT[s] for s in SHAPES)

_PERCENT_UNITS = frozenset(("percent", "per_mille"))
_UNIT_KIND = {"count": "count", "percent": "rate", "per_mille": "rate", "vnd": "amount"}
_PHRASE_WINDOW = 48    # characters before a number searched for adjacent phrases
_CLAUSE_WINDOW = 120   # at most this far to the clause's start or end
_QUOTE_SIDE = 70       # at most this many characters of clause on each side in a quote
_NOT_LETTER_AFTER = r"(?![^\W\d_])"
_DIGIT = re.compile(r"\d")
_ONE = Decimal(1)
_INF = float("inf")


# --------------------------------------------------------------------------
# Rules: the data tables compiled into a few regular expressions
# --------------------------------------------------------------------------

def _canon(phrase: str) -> str:
    return " ".join(normalize_text(phrase).lower().split())


def _key(matched: str) -> str:
    """Return a phrase matched on the lower-cased text as the tables write it (single spaces)."""
    if "  " in matched or "\t" in matched:
        return " ".join(matched.split())
    return matched


def _atoms(phrase: str) -> list[str]:
    """Regex atoms of a literal phrase: one per character, spaces flexible."""
    out: list[str] = []
    for i, ch in enumerate(phrase):
        if ch == " ":
            between_words = (i > 0 and phrase[i - 1].isalnum()
                             and i + 1 < len(phrase) and phrase[i + 1].isalnum())
            out.append("[ \\t]+" if between_words else "[ \\t]*")
        else:
            out.append(re.escape(ch))
    return out


def _trie_regex(phrases) -> str:
    r"""Return one regex matching any of the phrases, longest first, factored as a trie.

    A trie keeps matching fast however many phrases the tables hold.

    Examples
    --------
    >>> _trie_regex(["tổ", "tổng số"])
    '(?:tổ(?:ng[ \\t]+số)?)'
    """
    trie: dict = {}
    for p in phrases:
        node = trie
        for a in _atoms(p):
            node = node.setdefault(a, {})
        node[""] = {}

    def build(node: dict) -> str:
        branches = sorted((a + build(child) for a, child in node.items() if a),
                          key=len, reverse=True)
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" in node:  # a phrase may end here: the longer ones are tried first
            return "(?:" + body + ")?"
        return body

    return "(?:" + build(trie) + ")" if trie else "(?!)"


def _mask(value: str, table: str) -> int:
    names = [s.strip() for s in value.split("|") if s.strip()]
    bad = [n for n in names if n not in _BIT]
    if bad or not names:
        raise ValueError(f"analysis/rules/{table}.csv: unknown shape {value!r}; use any of {SHAPES} joined by |")
    m = 0
    for n in names:
        m |= _BIT[n]
    return m


def _or(masks) -> int:
    out = 0
    for m in masks:
        out |= m
    return out


def _applies(value: str, table: str) -> int:
    """0 any unit, 1 percentages only, 2 anything but percentages."""
    value = value or "any"
    try:
        return {"any": 0, "percent": 1, "not_percent": 2}[value]
    except KeyError:
        raise ValueError(f"analysis/rules/{table}.csv: applies_to must be any, percent or "
                         f"not_percent, not {value!r}") from None


def _rows_by_shape(patterns: list[str], masks: list[int]) -> dict[int, re.Pattern | None]:
    """For every combination of shapes, the rows that apply to it as one alternation.

    One match then tells whether any row applying to a number matches at it
    (``None``: no row applies).
    """
    _union(patterns, "nonfacts")  # rows with a capturing group are refused
    compiled: dict[tuple, re.Pattern | None] = {(): None}
    out = {}
    for shape in range(1 << len(SHAPES)):
        rows = tuple(i for i, m in enumerate(masks) if m & shape)
        if rows not in compiled:
            compiled[rows] = re.compile("|".join(f"(?:{patterns[i]})" for i in rows))
        out[shape] = compiled[rows]
    return out


def _union(patterns: list[str], table: str) -> re.Pattern:
    """Rows' regular expressions as one alternation with a named group per row."""
    for p in patterns:
        if re.compile(p).groups:
            raise ValueError(f"analysis/rules/{table}.csv: pattern {p!r} has a capturing "
                             "group; write (?:...) instead")
    return re.compile("|".join(f"(?P<r{i}>{p})" for i, p in enumerate(patterns)) or "(?!)")


@dataclass(frozen=True)
class Rules:
    """The tables of ``analysis/rules/`` compiled for a pass over a report."""

    scan: re.Pattern
    left_phrases: re.Pattern          # matched on the reversed text before a number
    left_roles: dict
    left_regex: dict                  # shapes → the skip rows for them as one regex (or None),
                                      # matched at a number's start (look-behinds)
    left_keep: re.Pattern             # left regex rows that keep a number without a noun after
    left_keep_masks: tuple
    left_keep_shapes: int
    clause_keep: re.Pattern           # clause rows: a clause opening so that its last number is a count
    clause_keep_shapes: int
    right_phrases: re.Pattern         # matched at the end of a number
    right_roles: dict
    right_regex: dict                 # shapes → the skip rows for them, matched at a number's end
    shape_skips: int
    clause_cues: re.Pattern           # searched in the lower-cased clause before a number
    clause_roles: dict
    clause_qual_words: tuple | None   # literals every clause qualifier holds; None: always search
    right_quals: re.Pattern           # searched in the lower-cased clause after a number
    right_qual_roles: dict
    right_qual_words: tuple           # first words of those phrases, to rule them out fast
    connectors: re.Pattern            # what stands between two joined numbers
    connector_roles: tuple
    from_word: re.Pattern
    count_words: re.Pattern
    over_100: tuple | None
    excess_cues: re.Pattern           # after "vượt N ...": the plan N exceeds
    plan_sentence: tuple              # plan_cues.csv: (literal, regex) of a plan statement in the sentence
    plan_section: re.Pattern          # plan_cues.csv: a plan heading over the sentence
    plan_clause: tuple                # plan_cues.csv: (literal, regex) of a planned figure in the clause
    plan_undone: tuple                # plan_cues.csv: (literal, regex) of a result between cue and figure
    lead_quals: re.Pattern            # qualifiers opening a sentence or a heading
    lead_qual_roles: dict
    word_starts: re.Pattern           # a space and a word a numeral in words starts with
    number_words: re.Pattern          # a numeral in words before a counted noun


@lru_cache(maxsize=None)
def load_rules() -> Rules:
    """Compile the tables of ``analysis/rules/`` (once per process).

    A malformed table raises ``ValueError`` naming the file and the fix.

    Examples
    --------
    >>> rules = load_rules()
    >>> rules.left_roles["tổng số"][0][0]
    'keep'
    >>> rules.right_qual_roles["trở lên"]
    'at_least'
    """
    left_roles: dict[str, list[tuple]] = {}
    right_roles: dict[str, list[tuple]] = {}
    clause_roles: dict[str, list[tuple]] = {}
    left_rx, left_masks, right_rx, right_masks = [], [], [], []
    keep_rx, keep_masks = [], []
    clause_keep_rx, clause_keep_mask = [], 0
    shape_skips = 0

    for r in read_rules("nonfacts"):
        mask = _mask(r["shape"], "nonfacts")
        action = r["action"]
        if action not in ("skip", "keep"):
            raise ValueError(f"analysis/rules/nonfacts.csv: action must be skip or keep, not {action!r}")
        case = r.get("case") or "any"
        if case not in ("any", "title"):
            raise ValueError(f"analysis/rules/nonfacts.csv: case must be any or title, not {case!r}")
        side = r["side"]
        if r["match"] == "phrase" and side in ("left", "right"):
            roles = left_roles if side == "left" else right_roles
            # a thing named by a number writes it right after its word (bản 5,
            # thôn 3); after a colon the word is a label whose count follows
            # (Xã: 12, thị trấn: 1), so address rows need the number adjacent
            adjacent = r.get("reason") == "address" and not mask & _ANY
            # a page counter stands alone (Hôm nay: 120, Bình luận (0)); a
            # number with a noun after it counts that noun (hôm nay 15 hộ ...)
            alone = r.get("reason") == "page" and not mask & _ANY
            roles.setdefault(_canon(r["pattern"]), []).append(
                (action, mask, case == "title", adjacent, alone))
        elif r["match"] == "regex" and side == "clause" and action == "keep":
            clause_keep_rx.append(r["pattern"])
            clause_keep_mask |= mask
        elif r["match"] == "regex" and side == "left" and action == "keep":
            keep_rx.append(r["pattern"])
            keep_masks.append(mask)
        elif r["match"] == "regex" and side in ("left", "right") and action == "skip":
            (left_rx if side == "left" else right_rx).append(r["pattern"])
            (left_masks if side == "left" else right_masks).append(mask)
        elif r["match"] == "shape":
            shape_skips |= mask
        else:
            raise ValueError(f"analysis/rules/nonfacts.csv: bad side/match {side!r}/{r['match']!r}; "
                             "use left|right with phrase|regex, clause with regex and keep, "
                             "or any with shape")

    right_qual_roles: dict[str, str] = {}
    lead_qual_roles: dict[str, str] = {}
    for r in read_rules("qualifiers"):
        role = ("qual", r["qualifier"], _applies(r["applies_to"], "qualifiers"))
        key = _canon(r["phrase"])
        scope = r["scope"]
        if scope == "left":
            left_roles.setdefault(key, []).append(role)
        elif scope == "clause":
            clause_roles.setdefault(key, []).append(role)
        elif scope == "right":
            right_qual_roles[key] = r["qualifier"]
        elif scope == "lead":
            lead_qual_roles[key] = r["qualifier"]
        else:
            raise ValueError(f"analysis/rules/qualifiers.csv: scope must be left, clause, right or lead, "
                             f"not {scope!r}")

    plan: dict[str, list] = {"sentence": [], "section": [], "clause": [], "undone": []}
    for r in read_rules("plan_cues"):
        if r["scope"] not in plan:
            raise ValueError(f"analysis/rules/plan_cues.csv: scope must be sentence, section, clause "
                             f"or undone, not {r['scope']!r}")
        if re.compile(r["pattern"]).groups:
            raise ValueError(f"analysis/rules/plan_cues.csv: pattern {r['pattern']!r} has a capturing "
                             "group; write (?:...) instead")
        if r["scope"] == "section":
            plan["section"].append(r["pattern"])
        elif not r["literal"]:
            raise ValueError(f"analysis/rules/plan_cues.csv: pattern {r['pattern']!r} needs a literal "
                             "(a substring of every match, searched first)")
        else:
            plan[r["scope"]].append((r["literal"].lower(), re.compile(r["pattern"])))

    over_100 = None
    excess: list[str] = []
    for r in read_rules("kinds"):
        role = ("kind", r["kind"], _applies(r["applies_to"], "kinds"), int(r["priority"]))
        key = _canon(r["cue"])
        pos = r["position"]
        if pos == "left":
            left_roles.setdefault(key, []).append(role)
        elif pos == "right":
            right_roles.setdefault(key, []).append(role)
        elif pos == "clause":
            clause_roles.setdefault(key, []).append(role)
        elif pos == "over_100":
            over_100 = role
        elif pos == "excess":
            excess.append(key)
        else:
            raise ValueError(f"analysis/rules/kinds.csv: position must be left, right, clause, "
                             f"over_100 or excess, not {pos!r}")

    for r in read_rules("transparent"):
        left_roles.setdefault(_canon(r["word"]), []).append(("pass",))

    connectors = []
    for r in read_rules("connectors"):
        if r["relation"] not in ("range", "target", "sum"):
            raise ValueError(f"analysis/rules/connectors.csv: relation must be range, target "
                             f"or sum, not {r['relation']!r}")
        connectors.append((r["pattern"], r["relation"], r["needs_from"] == "yes"))

    suffix = quantity_suffix_pattern()
    # Most numbers have no unit words: one look at the first letter after them
    # spares the engine trying each multiplier and unit in turn.
    ahead = (r"(?=[ \t]{0,2}(?:[" + "".join(sorted({re.escape(w[0]) for w in load_multipliers()}))
             + "]|(?i:[" + "".join(sorted({re.escape(u.surface[0]) for u in load_units()})) + "])))")
    # Every alternative starts with a digit, written once in front so that the
    # regex engine skips to the next digit at C speed; the scan consumes whole
    # numerals, so no match starts inside one. Only 0-9 are digits: other
    # scripts' digits (٥٢٠٩) are not Vietnamese numbers. First the things that
    # are never facts (full dates, ISO dates and year-months such as
    # 2024-03-15 or 2023-11 in page stamps, colon ratios and times, codes like
    # 02-CTr/QU or 111/NĐ-CP), then a number with its unit words, optionally
    # over another. The digits before a mark are possessive (``*+``): giving
    # one back leaves a digit where the mark should be, so never helps.
    scan = re.compile(
        r"[0-9](?:"
        r"(?P<skip>[0-9]?+(?P<sep>[./-])[0-9]{1,2}(?P=sep)[0-9]{2,4}(?![0-9])"
        r"|(?<=[12])[0-9]{3}-[0-9]{1,2}(?:-[0-9]{1,2})?(?![0-9])"
        r"|[0-9]*+(?::[0-9]+)+"
        r"|[0-9]*+(?:/[0-9]+)*[-/][ \t]?[A-ZĐ])"
        r"|(?P<n1>(?>[0-9]*(?:[.,][0-9]+)*))"
        rf"(?:{ahead}(?P<q1>{suffix}))?"
        rf"(?:[ \t]*/[ \t]*(?P<n2>(?>{NUMERAL}))(?:{ahead}(?P<q2>{suffix}))?)?"
        r")")

    return Rules(
        scan=scan,
        # phrases are matched on the lower-cased text (see _lowered), without
        # flags: literal branches are much cheaper than case-folded ones
        left_phrases=re.compile(r"[ \t:]*(" + _trie_regex(p[::-1] for p in left_roles) + ")"
                                + _NOT_LETTER_AFTER),
        left_roles=left_roles,
        left_regex=_rows_by_shape(left_rx, left_masks),
        right_phrases=re.compile(r"[ \t]*(" + _trie_regex(right_roles) + ")" + _NOT_LETTER_AFTER),
        right_roles=right_roles,
        right_regex=_rows_by_shape(right_rx, right_masks),
        shape_skips=shape_skips,
        # no flags and no look-behind in front: the engine then skips at C
        # speed to the first letter of a cue; word boundaries are checked after
        clause_cues=re.compile(_trie_regex(clause_roles)),
        clause_roles=clause_roles,
        clause_qual_words=_clause_qual_words(clause_roles),
        right_quals=re.compile(_trie_regex(right_qual_roles)),
        right_qual_roles=right_qual_roles,
        right_qual_words=tuple(sorted({k.split()[0] for k in right_qual_roles})),
        connectors=re.compile("|".join(f"(?P<r{i}>{p})" for i, (p, _, _) in enumerate(connectors)),
                              re.IGNORECASE),
        connector_roles=tuple((rel, needs) for _, rel, needs in connectors),
        from_word=re.compile(r"(?<![^\W\d_])từ[ \t]*$", re.IGNORECASE),
        count_words=re.compile(r"[ \t]+(?:" + "|".join(re.escape(w.lower()) for w in load_count_words())
                               + ")" + _NOT_LETTER_AFTER),
        over_100=over_100,
        excess_cues=re.compile(_trie_regex(excess)),
        left_keep=_union(keep_rx, "nonfacts"),
        left_keep_masks=tuple(keep_masks),
        left_keep_shapes=_or(keep_masks),
        clause_keep=_union(clause_keep_rx, "nonfacts"),
        clause_keep_shapes=clause_keep_mask,
        plan_sentence=tuple(plan["sentence"]),
        plan_section=re.compile("|".join(plan["section"]) or "(?!)"),
        plan_clause=tuple(plan["clause"]),
        plan_undone=tuple(plan["undone"]),
        lead_quals=re.compile(r"[\s*+•–-]*(?:\(?[0-9ivx]{1,3}[.)]+[ \t]*)?("
                              + _trie_regex(lead_qual_roles) + ")" + _NOT_LETTER_AFTER),
        lead_qual_roles=lead_qual_roles,
        # a literal space in front: the engine skips from space to space at C speed
        word_starts=re.compile(" " + _trie_regex(w for w, (_, role) in load_number_words().items()
                                                 if role in ("digit", "ten")) + "[ \t]"),
        number_words=re.compile(
            "(" + number_words_pattern() + r")(?=[ \t]+"
            + _trie_regex(_canon(r["word"]) for r in read_rules("number_word_nouns"))
            + _NOT_LETTER_AFTER + ")"),
    )


def _clause_qual_words(clause_roles: dict) -> tuple | None:
    """Return the shortest clause phrases that qualify (``ước``, ``dự kiến``).

    A clause holding none of them needs no search for a qualifier. ``None`` when a clause
    phrase sets the kind of a number that is not a percentage (then every
    clause is searched).
    """
    quals = set()
    for phrase, roles in clause_roles.items():
        for role in roles:
            if role[0] == "kind" and role[2] != 1:
                return None
            if role[0] == "qual":
                quals.add(phrase)
    return tuple(sorted(p for p in quals if not any(q != p and q in p for q in quals)))


# --------------------------------------------------------------------------
# Candidates
# --------------------------------------------------------------------------

class _Cand:
    """A number found by the scan, and what its context says about it."""

    __slots__ = ("start", "end", "n1", "n2", "value", "unit", "factor", "num", "den",
                 "default_unit", "mask", "role", "partner", "lskip", "lkeep", "qual",
                 "lkind", "rskip", "rkind", "count_word", "counted", "qual_word")

    def __init__(self, start, end, n1, n2, tok):
        self.start, self.end, self.n1, self.n2 = start, end, n1, n2
        # the token as read (see _read_token): value, unit, unit factor,
        # whether the unit is only a multiplier, numerator, denominator, shape
        self.value, self.unit, self.factor, self.default_unit, self.num, self.den, self.mask = tok
        self.role = None       # 'low'/'high' of a range, 'result'/'target' of a pair
        self.partner = None
        self.qual = self.lkind = self.rkind = self.counted = self.qual_word = None
        self.lskip = self.lkeep = self.rskip = self.count_word = False


#: Digits beyond which a numeral is no number a report states (a float holds
#: about 308): a pasted digit run, not a figure.
_MAX_DIGITS = 300


def _value(numeral: str, factor: Decimal) -> float:
    """Value of a numeral times a unit factor; plain integers skip Decimal.

    Raises ``ValueError`` for a numeral too long to be a number a report
    states (its value would not be finite).
    """
    if len(numeral) > _MAX_DIGITS:
        raise ValueError(f"a run of {len(numeral)} digits is not a number")
    v = None
    if numeral.isdecimal():
        v = int(numeral)
    elif "," not in numeral and numeral[:2] != "0." and all(
            len(g) == 3 for g in numeral.split(".")[1:]):
        v = int(numeral.replace(".", ""))  # dots grouping thousands
    elif len(numeral) <= 28 and numeral.count(",") + numeral.count(".") == 1 \
            and _power_of_ten(factor) is not None:
        # one decimal mark (97,95; 120.14; 0,5 tỷ): the decimal string is exact,
        # so float() rounds it once, as float(Decimal) does (28 digits: exact)
        out = float(f"{numeral.replace(',', '.')}e{_power_of_ten(factor)}")
    else:
        out = float(parse_decimal(numeral) * factor)
    if v is not None:
        out = float(v) if factor == _ONE else float(v * int(factor))
    if out == _INF:
        raise ValueError(f"{numeral!r} times {factor} is not a finite number")
    return out


@lru_cache(maxsize=None)
def _power_of_ten(factor: Decimal) -> int | None:
    """Return ``k`` when a unit factor is ``10**k`` (every factor of the tables so far), else None."""
    sign, digits, exponent = factor.normalize().as_tuple()
    return exponent if sign == 0 and digits == (1,) and exponent >= 0 else None


@lru_cache(maxsize=1 << 14)
def _read_token(n1: str, q1: str | None, n2: str | None, q2: str | None):
    """Read a scanned number: (value, unit, factor, multiplier-only, numerator, denominator, shape).

    None when the numeral is not one number.
    """
    try:
        unit1, f1, default1 = interpret_unit(q1) if q1 else (None, _ONE, False)
        v1 = _value(n1, f1)
        if n2 is None:
            return v1, unit1, f1, default1, None, None, _shape(n1, None, unit1, None, None)
        unit2, f2, _ = interpret_unit(q2) if q2 else (None, _ONE, False)
        v2 = _value(n2, f2)
    except (ValueError, OverflowError):  # not one numeral (217,218,219), or no finite one
        return None
    if not v2:
        return None
    unit = unit1 if unit1 is not None and unit1 == unit2 and unit1 not in _PERCENT_UNITS else "count"
    return v1, unit, f1, False, v1, v2, _shape(n1, n2, unit, v1, v2)


#: The shapes of a bare number written in digits alone (``36``), and of a year (``2021``).
_PLAIN_SHAPE = _ANY | _BARE | _PLAIN
_YEAR_SHAPE = _PLAIN_SHAPE | _YEAR


def _shape(n1: str, n2: str | None, unit: str | None, num, den) -> int:
    """Return the shapes (bits of :data:`SHAPES`) of a number written in digits."""
    m = _ANY
    if n2 is not None:
        m |= _FRACTION
        if n1.isdigit() and n2.isdigit():
            if unit == "count" and 1 <= num <= 31 and 1 <= den <= 12:
                m |= _DATELIKE
            if num == 1 and den >= 100:
                m |= _SCALE
            if 1 <= num <= 12 and 1900 <= den <= 2100 and len(n2) == 4:
                m |= _MONTHYEAR
    elif unit is None:
        m |= _BARE
        if n1.isdigit():  # no separator: 2021, 6 (not 2.468, which no date is)
            m |= _PLAIN
            if len(n1) == 4 and 1900 <= int(n1) <= 2100:
                m |= _YEAR
    else:
        m |= _UNIT
    return m


def _scan(text: str, rules: Rules) -> list[_Cand]:
    """Numbers written in digits, with their unit words, in text order."""
    out = []
    for m in rules.scan.finditer(text):
        last = m.lastindex  # 1: a date, time or code (skip); 3: a number alone; more: units or a fraction
        if last == 3:
            n1 = m.group()
            n2 = None
            if n1.isdigit() and len(n1) <= _MAX_DIGITS:  # most numbers: digits alone
                v = int(n1)
                tok = (float(v), None, _ONE, False, None, None,
                       _YEAR_SHAPE if 1900 <= v <= 2100 and len(n1) == 4 else _PLAIN_SHAPE)
            else:
                tok = _read_token(n1, None, None, None)
        elif last == 1:
            continue
        else:
            _, _, _, q1, n2, q2 = m.groups()
            n1 = text[m.start():m.end(3)]  # the first digit is outside group 3
            tok = _read_token(n1, q1, n2, q2)
        if tok is not None:
            start, end = m.span()
            out.append(_Cand(start, end, n1, n2, tok))
    return out


def _scan_words(text: str, low: str, rules: Rules) -> list[_Cand]:
    """Numerals written in words before a counted noun: ``bốn phường``, ``mười hai hộ``.

    A numeral in words is looked for after a space only (a line never opens
    with a lower-case one); only lower-case words count (``xã Ba`` is a name).
    """
    out: list[_Cand] = []
    for w in rules.word_starts.finditer(low):
        i = w.start() + 1
        if not text[i].islower():
            continue
        m = rules.number_words.match(low, i)
        if m is None:
            continue
        end = m.end(1)
        # a numeral in words is read like a bare number: thứ hai is an ordinal
        tok = (float(value_of_number_words(m.group(1))), "count", _ONE, False, None, None, _PLAIN_SHAPE)
        out.append(_Cand(i, end, text[i:end], None, tok))
    return out


def _link(text: str, cands: list[_Cand], rules: Rules) -> list[_Cand]:
    """Join consecutive numbers into ranges, result/target pairs and sums."""
    out: list[_Cand] = []
    prev = None
    for b in cands:
        a = prev
        prev = b
        out.append(b)
        if a is None or a.role is not None or b.start - a.end > 40 \
                or a.n2 is not None or b.n2 is not None:
            continue
        m = rules.connectors.fullmatch(text, a.end, b.start)
        if m is None:
            continue
        relation, needs_from = rules.connector_roles[int(m.lastgroup[1:])]
        if relation == "sum":
            # 2 tỷ 500 triệu đồng: one amount
            if a.unit == "vnd" and a.default_unit and b.factor < a.factor \
                    and (b.unit == "vnd" or b.default_unit) and b.value < float(a.factor):
                a.end, a.value = b.end, a.value + float(parse_decimal(b.n1) * b.factor)
                a.default_unit = a.default_unit and b.default_unit
                out.pop()
                prev = a
            continue
        if a.unit is not None and a.unit != b.unit:
            continue
        if relation == "range":
            low = float(parse_decimal(a.n1) * b.factor) if a.unit is None else a.value
            if not low < b.value:
                continue
            if needs_from and not rules.from_word.search(text, max(0, a.start - 10), a.start):
                continue
            a.role, b.role = "low", "high"
        else:
            a.role, b.role = "result", "target"
        if a.unit is None and b.unit is not None:
            a.unit, a.value, a.factor = b.unit, float(parse_decimal(a.n1) * b.factor), b.factor
            a.mask = _shape(a.n1, None, a.unit, None, None)
        a.partner, b.partner = b, a
    return out


def _lowered(text: str) -> str:
    """Return the text in lower case, offset for offset (phrases are matched on it)."""
    low = text.lower()
    if len(low) != len(text):  # a letter whose lower case is longer: keep it
        low = "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)
    return low


def _role_applies(applies: int, unit) -> bool:
    if applies == 0:
        return True
    return (unit in _PERCENT_UNITS) == (applies == 1)


def _names_document(text: str, start: int, phrase: str) -> bool:
    """Tell whether a capitalised word names a document.

    Inside a sentence it does ("theo Quyết định 217"); at the start of a
    sentence it may be a verb ("Hướng dẫn 06 cơ quan").
    """
    if not phrase[:1].isupper():
        return False
    i = start - 1
    while i >= 0 and text[i] in " \t":
        i -= 1
    return i >= 0 and text[i] not in ".!?\n:;(-–•*+"


def _read_left(text: str, rlow: str, c: _Cand, rules: Rules) -> None:
    """Phrases and characters right before a number: skip, qualifier, kind cue.

    Phrases are matched on the reversed lower-cased text (``rlow``), from the
    number backwards, so that the nearest phrase wins and no slice is copied.
    """
    r0 = len(text) - c.start
    m = rules.left_phrases.match(rlow, r0, r0 + _PHRASE_WINDOW)
    if m is not None:  # most numbers have no phrase right before them
        _read_left_phrases(text, rlow, c, m, rules)
        if c.lkeep:
            c.lskip = False
            return
        if c.lskip:
            return
    rx = rules.left_regex[c.mask]
    if rx is not None and rx.match(text, c.start) is not None and not _kept(text, rlow, c, rules):
        c.lskip = True


def _read_left_phrases(text: str, rlow: str, c: _Cand, m: re.Match, rules: Rules) -> None:
    """Read the phrases before a number, nearest first; ``m`` is the nearest one's match."""
    n = len(text)
    pos = r0 = n - c.start
    mask = c.mask
    # a qualifier may stand between a cue and the number ("tăng hơn 5%"): look
    # once more past it
    for _ in range(3):
        go_on = False
        key = _key(m.group(1)[::-1])
        for role in rules.left_roles.get(key, ()):
            tag = role[0]
            if tag == "pass":
                go_on = True
            elif tag == "qual":
                if _role_applies(role[2], c.unit):
                    if c.qual is None:
                        c.qual, c.qual_word = role[1], key
                    go_on = True
            elif tag == "kind":
                if _role_applies(role[2], c.unit) and (c.lkind is None or role[3] < c.lkind[1]):
                    c.lkind = (role[1], role[3])
            elif pos == r0 and mask & role[1]:
                if role[3] and ":" in rlow[m.start():m.start(1)]:
                    continue
                if role[4] and _NOUN_AFTER.match(text, c.end):
                    continue
                if role[2] and not _names_document(text, n - m.end(1), text[n - m.end(1):n - m.start(1)]):
                    continue
                if tag == "skip":
                    c.lskip = True
                else:
                    c.lkeep = True
        if not go_on:
            return
        pos = m.end()
        m = rules.left_phrases.match(rlow, pos, r0 + _PHRASE_WINDOW)
        if m is None:
            return


def _kept(text: str, rlow: str, c: _Cand, rules: Rules) -> bool:
    """Tell whether a keep row of ``nonfacts.csv`` holds a number a regex row would skip.

    ("nữ: 11," has no noun after it and is a count; so is the number closing
    "số doanh nghiệp thành lập mới 46,"). Asked only then, so that most
    numbers never pay for it.
    """
    if c.lkeep == 2:
        return True
    if c.mask & rules.left_keep_shapes:
        m = rules.left_keep.match(text, c.start)
        if m is not None and c.mask & rules.left_keep_masks[int(m.lastgroup[1:])]:
            c.lkeep = 2
            return True
    # a year closing the clause is no count (số liệu 2023,)
    if c.mask & rules.clause_keep_shapes and not c.mask & _YEAR and _CLAUSE_CLOSED.match(text, c.end):
        qs = _clause_start(rlow, c.start)
        if rules.clause_keep.match(rlow[len(text) - c.start:len(text) - qs][::-1]):
            c.lkeep = 2
            return True
    return False


def _read_right(text: str, low: str, rlow: str, c: _Cand, rules: Rules) -> None:
    """Phrases and characters right after a number: skip, kind cue, count noun."""
    e = c.end
    m = rules.right_phrases.match(low, e)
    if m is not None:
        for role in rules.right_roles.get(_key(m.group(1)), ()):
            tag = role[0]
            if tag == "kind":
                if _role_applies(role[2], c.unit) and (c.rkind is None or role[3] < c.rkind[1]):
                    c.rkind = (role[1], role[3])
            elif tag == "skip" and c.mask & role[1]:
                c.rskip = True
    if not c.rskip and c.rkind is None and c.lkeep != 2:
        rx = rules.right_regex[c.mask]
        if rx is not None and rx.match(text, e) is not None and not _kept(text, rlow, c, rules):
            c.rskip = True
    if c.default_unit and rules.count_words.match(low, e):
        c.count_word = True


# --------------------------------------------------------------------------
# Sentences and clauses
# --------------------------------------------------------------------------

# A clause ends at , ; : ( ) a line break or a sentence mark, but not at the
# dots, commas and colons inside numbers (12.877.755.000, 97,95). Going back
# from a number, a closing bracket does not end it, and a number opening a
# bracket belongs to the words before it ("Chi ngân sách (100%)"); the regex
# runs on the reversed text, where that bracket comes first.
_CLAUSE_BACK = re.compile(r"(?:[ \t]*\()?[^,;:(\n.!?]*")
_CLAUSE_FORWARD = re.compile(r"[^,;:()\n.!?]*")
_INNER = ".,:"
# a number that closes its clause: a comma, semicolon, bracket, line break, a
# full stop (not a decimal point) or the end of the text follows it
_CLOSED = r"[ \t]*(?:[,;)\n]|\.(?![0-9])|\Z)"
_CLAUSE_CLOSED = re.compile(_CLOSED)
# a lower-case word right after a number: the noun it counts
_NOUN_AFTER = re.compile(r"[ \t]+[a-zàáảãạăắằẳẵặâấầẩẫậđèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵ]")


def _clause_start(rtext: str, s: int) -> int:
    """Start of the clause that ends at offset ``s`` (a number's start)."""
    n = len(rtext)
    r = n - s
    hi = min(n, r + _CLAUSE_WINDOW)
    k = r
    while True:
        k = _CLAUSE_BACK.match(rtext, k, hi).end()
        # in the reversed text, k - 1 is the character after the mark
        if k + 1 < hi and rtext[k] in _INNER and k > r and rtext[k - 1].isdigit() \
                and rtext[k + 1].isdigit():
            k += 1
            continue
        return n - k


def _clause_end(text: str, e: int) -> int:
    """End of the clause that starts at offset ``e`` (a number's end)."""
    hi = min(len(text), e + _CLAUSE_WINDOW)
    k = e
    while True:
        k = _CLAUSE_FORWARD.match(text, k, hi).end()
        if k + 1 < hi and text[k] in _INNER and k > e and text[k - 1].isdigit() \
                and text[k + 1].isdigit():
            k += 1
            continue
        return k


# --------------------------------------------------------------------------
# Facts
# --------------------------------------------------------------------------

def _find_phrases(rx: re.Pattern, low: str, lo: int, hi: int) -> list[str]:
    """Whole-word matches of a phrase regex in the lower-cased text, lo..hi."""
    out = []
    for m in rx.finditer(low, lo, hi):
        i, j = m.span()
        if (i and low[i - 1].isalpha()) or (j < len(low) and low[j].isalpha()):
            continue
        out.append(m.group())
    return out


def _clause_hits(low: str, lo: int, hi: int) -> tuple:
    """Roles of the cue phrases in the clause before a number (lo..hi), nearest last."""
    if hi <= lo:
        return ()
    return _cue_roles(low[lo:hi], lo > 0 and low[lo - 1].isalpha(), hi < len(low) and low[hi].isalpha())


@lru_cache(maxsize=1 << 14)
def _cue_roles(span: str, letter_before: bool, letter_after: bool) -> tuple:
    """Roles of the whole-word cue phrases in ``span``, nearest last.

    ``letter_before`` and ``letter_after`` tell whether a letter touches the span
    in the text. Clauses repeat their wording across reports, so the answer
    is cached by the span.
    """
    rules = load_rules()
    hits = []
    n = len(span)
    for m in rules.clause_cues.finditer(span):
        i, j = m.span()
        if (span[i - 1].isalpha() if i else letter_before) or (span[j].isalpha() if j < n else letter_after):
            continue
        hits.extend(rules.clause_roles.get(_key(m.group()), ()))
    return tuple(hits)


def _first_cue(cues: tuple, low: str, lo: int, hi: int) -> int:
    """Offset of the first cue of ``cues`` ((literal, regex) pairs) in lo..hi, else ``hi``.

    The literal is looked for first, at the speed of ``str.find`` and only in
    lo..hi; the regex runs only where it is there.
    """
    first = hi
    for literal, rx in cues:
        if low.find(literal, lo, hi) != -1:
            m = rx.search(low, lo, hi)
            if m is not None and m.start() < first:
                first = m.start()
    return first


def _cue_starts(cues: tuple, low: str, lo: int, hi: int) -> tuple:
    """Offsets of every cue of ``cues`` ((literal, regex) pairs) in lo..hi (mostly none)."""
    out = []
    for literal, rx in cues:
        if low.find(literal, lo, hi) != -1:
            out.extend(m.start() for m in rx.finditer(low, lo, hi))
    return tuple(out)


def _decide_kind(c: _Cand, unit: str, clause_hits: list, rules: Rules) -> str:
    if c.n2 is not None:
        return "fraction"
    best = None
    for k in (c.rkind, c.lkind):
        if k is not None and (best is None or k[1] < best[1]):
            best = k
    percent = unit in _PERCENT_UNITS
    if rules.over_100 is not None and percent and c.value > 100:
        if best is None or rules.over_100[3] < best[1]:
            best = (rules.over_100[1], rules.over_100[3])
    for role in reversed(clause_hits):  # nearest first; ties go to the nearest
        if role[0] == "kind" and _role_applies(role[2], unit):
            if best is None or role[3] < best[1]:
                best = (role[1], role[3])
    if best is not None and best[0] != "level":
        return best[0]
    if best is not None and c.role in ("low", "high"):
        return "change"  # a range after the cue: tăng từ 3 – 5%
    # no cue, or a level the number starts from: giảm từ 4,5% xuống còn 3,2%
    return _UNIT_KIND.get(unit, "measure")


def _trim_quote(text: str, qs: int, s: int, e: int, qe: int) -> tuple[int, int]:
    if s - qs > _QUOTE_SIDE:
        qs = s - _QUOTE_SIDE
        sp = text.find(" ", qs, s)
        if sp != -1:
            qs = sp + 1
    if qe - e > _QUOTE_SIDE:
        qe = e + _QUOTE_SIDE
        sp = text.rfind(" ", e, qe)
        if sp != -1:
            qe = sp
    while qs < s and text[qs] in " \t\n":
        qs += 1
    while qe > e and text[qe - 1] in " \t\n":
        qe -= 1
    return qs, qe


_STRIP = "()“”\"'‘’,;:.…"


@lru_cache(maxsize=None)
def _counted_words() -> dict[str, frozenset]:
    """Words of ``counted_words.csv`` by role (how the noun phrase measured is cut)."""
    roles: dict[str, set] = {r: set() for r in
                             ("end_after", "not_before", "not_first", "link_before", "cue_after_percent")}
    for r in read_rules("counted_words"):
        if r["role"] not in roles:
            raise ValueError(f"analysis/rules/counted_words.csv: role must be one of {sorted(roles)}, "
                             f"not {r['role']!r}")
        roles[r["role"]].add(r["word"].lower())
    # neither units nor multipliers start the name of what is measured
    for u in load_units():
        roles["not_first"].update(u.surface.lower().split())
    roles["not_first"].update(load_multipliers())
    roles["not_first"] |= roles["not_before"]
    return {k: frozenset(v) for k, v in roles.items()}


_PHRASE_AFTER = re.compile(
    r"[ \t]*[“\"(‘]?[ \t]*([^\W\d_][^\s,;:()“”\"/]*(?:[ \t]+[^\W\d_][^\s,;:()“”\"/]*){0,7})")


@lru_cache(maxsize=1 << 14)
def _counted_after(after: str, percent: bool) -> str | None:
    """Return the noun phrase measured in the words right after a number, if they name it.

    ``after`` is the rest of the number's clause; the same few thousand
    recur across reports (``hộ gia đình``, ``so với cùng kỳ``), so the answer
    is cached by it (and whether the number is a percentage).
    """
    m = _PHRASE_AFTER.match(after)
    if m is None:
        return None
    words = m.group(1).split()
    cw = _counted_words()
    end_after = cw["end_after"]
    for i in range(1, len(words)):
        if words[i].lower() in end_after:
            words = words[:i]
            break
    if percent:
        first = words[0].lower()
        if first in cw["cue_after_percent"] or first in end_after:
            return None
    return " ".join(words)


@lru_cache(maxsize=1 << 14)
def _measured_before(span: str) -> tuple[str, ...]:
    """Return the thing measured in the words of ``span`` (the clause before a number, at most 90 characters).

    Cached by the span: reports repeat their phrasings, and most spans recur.
    """
    cw = _counted_words()
    not_before, link, skip = cw["not_before"], cw["link_before"], cw["not_first"]
    words = span.split()
    low = [w.strip(_STRIP).lower() for w in words]
    n = len(words)
    while n and (low[n - 1] in not_before or not low[n - 1]):
        n -= 1
    cut = 0
    for i in range(n - 1, -1, -1):  # after the last number or link word
        w = low[i]
        if (w and w[0].isdigit()) or w in link:
            cut = i + 1
            break
    while cut < n and (low[cut] in skip or not low[cut]):
        cut += 1
    if cut < n:
        return tuple(w.strip(_STRIP) for w in words[max(cut, n - 8):n])
    # "thu ngân sách 6 tháng đầu năm 2023 đạt": the words before the period
    for i, w in enumerate(low):
        if w and w[0].isdigit():
            return tuple(x.strip(_STRIP) for x in words[max(0, i - 8):i] if x.strip(_STRIP))
    return ()


def _counted(text: str, rtext: str, c: _Cand, unit: str, qs: int, qe: int,
             clause_start: int) -> str | None:
    """Return the noun phrase measured, in the report's words (best effort)."""
    if unit != "vnd":
        after = _counted_after(text[c.end:qe], unit in _PERCENT_UNITS)
        if after is not None:
            return after
    s = c.start
    before = _measured_before(text[max(qs, s - 90):s])
    if not before and clause_start > 0:
        # "5209/5318 hộ đăng ký gia đình văn hóa, đạt tỷ lệ 97,95%": the thing
        # measured is in the clause before
        s = clause_start - 1
        before = _measured_before(text[max(_clause_start(rtext, s), s - 90):s])
    return " ".join(before) or None


def _candidates(text: str, low: str, rlow: str, rules: Rules) -> list[_Cand]:
    """Every number of the text, joined into ranges and pairs, with what its two sides say."""
    cands = _scan(text, rules)
    words = _scan_words(text, low, rules)
    if words:
        cands = sorted(cands + words, key=lambda c: c.start)
    cands = _link(text, cands, rules)
    for c in cands:
        _read_left(text, rlow, c, rules)
        role = c.role
        # a number its left side already rules out needs no reading on its right
        # (a range's low end reads its high end's, and is skipped with it)
        if role != "low" and not c.lskip:
            _read_right(text, low, rlow, c, rules)
        if role == "high":  # both ends read: they share their context
            p = c.partner
            p.rskip, p.rkind, p.count_word = c.rskip, c.rkind, c.count_word
            c.lskip = c.lskip or p.lskip
            c.lkind = c.lkind or p.lkind
    return cands


def _sentence_cues(low: str, start: int, end: int, rules: Rules) -> tuple:
    """Return what a sentence says of every number in it.

    Returns the qualifier opening it (``Dự kiến cuối năm, ...``) or ``None``,
    the offset of its first plan cue (``end`` if none) and the offsets of its
    planned-figure cues.
    """
    m = rules.lead_quals.match(low, start)
    return (rules.lead_qual_roles.get(_key(m.group(1))) if m else None,
            _first_cue(rules.plan_sentence, low, start, end),
            _cue_starts(rules.plan_clause, low, start, end))


def _heading_cues(section: str, rules: Rules) -> tuple[bool, str | None]:
    """Whether a section heading opens a plan, and the qualifier opening it (``* Ước cả năm:``)."""
    lsec = section.lower()
    m = rules.lead_quals.match(lsec)
    return (rules.plan_section.search(lsec) is not None,
            rules.lead_qual_roles.get(_key(m.group(1))) if m else None)


def extract_facts(text: str, doc_id: str) -> list[dict]:
    """Every statistic stated in one report, in text order.

    Parameters
    ----------
    text : str
        The report's text as normalised by :func:`analysis.text.normalize_text`;
        offsets in the result point into it.
    doc_id : str
        The report's id, written into each fact.

    Returns
    -------
    list of dict
        One dict per fact with the columns of ``schema.FACTS``. ``raw`` is the
        number as written with its unit words, ``text[start:end] == raw``;
        ``quote`` is the clause around it, a substring of ``text``.

    Examples
    --------
    >>> text = "Kết quả có 5209/5318 hộ đăng ký gia đình văn hóa, đạt tỷ lệ 97,95%."
    >>> [(f["raw"], f["value"], f["unit"], f["kind"]) for f in extract_facts(text, "d")]
    [('5209/5318', 5209.0, 'count', 'fraction'), ('97,95%', 97.95, 'percent', 'rate')]
    >>> f = extract_facts("Tổng thu ngân sách ước đạt: 12.877.755.000 đồng, đạt 120% kế hoạch năm", "d")
    >>> [(x["value"], x["unit"], x["kind"], x["qualifier"]) for x in f]
    [(12877755000.0, 'vnd', 'amount', 'approx'), (120.0, 'percent', 'target_achievement', 'exact')]
    >>> [x["raw"] for x in extract_facts("Ngày đăng 16/07/2021 | 09:14 | Lượt xem: 643", "d")]
    []
    >>> [(x["value"], x["qualifier"]) for x in extract_facts("tỷ lệ giảm từ 3 – 5%", "d")]
    [(3.0, 'at_least'), (5.0, 'at_most')]
    """
    rules = load_rules()
    low = _lowered(text)
    rlow = low[::-1]  # punctuation and digits as in the text: clause starts are read on it too
    facts: list[dict] = []
    lows = []                         # facts of a range's low end, and the high end they read
    index = None                      # the sentences, built at the first fact
    sent_start = sent_end = 0         # the sentence of the last fact ...
    sentence = section = None
    lead = plan_from = plan_clauses = None  # ... and what it says (see _sentence_cues)
    head = (False, None)
    headings: dict[str | None, tuple] = {None: head}  # heading → (plan, qualifier)
    prev_end = 0                      # end of the previous fact's number
    shape_skips, clause_qual_words = rules.shape_skips, rules.clause_qual_words
    right_qual_words = rules.right_qual_words
    for c in _candidates(text, low, rlow, rules):
        if c.lskip or c.rskip or (c.mask & shape_skips and not c.lkeep):
            continue
        role = c.role
        if role == "low" and c.partner.lskip:
            continue
        s, e = c.start, c.end
        unit = c.unit or "count"
        if c.default_unit and c.count_word:
            unit = "count"
        percent = unit in _PERCENT_UNITS

        # the clause: a number opening a parenthesis belongs to the words
        # before it ("Chi ngân sách (100%)")
        qs = _clause_start(rlow, s)
        if role == "high" and c.partner.start < qs:
            qs = c.partner.start
        qe = _clause_end(text, e)

        if not sent_start <= s < sent_end:  # facts come in runs in one sentence
            if index is None:
                index = TextIndex(text)
            sent = index.sentence_at(s)
            sent_start, sent_end, sentence, section = sent.start, sent.end, sent.text, sent.section
            lead, plan_from, plan_clauses = _sentence_cues(low, sent_start, sent_end, rules)
            head = headings.get(section)
            if head is None:
                head = headings[section] = _heading_cues(section, rules)

        if role is None or role == "result" or role == "target":
            qual = c.qual
        else:
            qual = "at_least" if role == "low" else "at_most"
        clause_hits = None
        if qual is None:
            # a qualifier later in the clause, before any other number ("5 người trở lên")
            for word in right_qual_words:
                if low.find(word, e, qe) != -1:
                    m = _DIGIT.search(text, e, qe)
                    found = _find_phrases(rules.right_quals, low, e, m.start() if m else qe)
                    if found:
                        qual = rules.right_qual_roles.get(_key(found[0]))
                    break
        if qual is None:
            # an estimate governs the clause up to the first number it qualifies:
            # in "ước đạt 9,1 tỷ đồng đạt 117%" the 117% is no estimate
            lo = qs if qs > prev_end else prev_end
            if percent or clause_qual_words is None:
                clause_hits = _clause_hits(low, qs, s)
                hits = clause_hits if lo == qs else _clause_hits(low, lo, s)
            else:
                hits = ()
                for w in clause_qual_words:
                    if low.find(w, lo, s) != -1:
                        hits = _clause_hits(low, lo, s)
                        break
            for hit in reversed(hits):
                if hit[0] == "qual" and _role_applies(hit[2], unit):
                    qual = hit[1]
                    break
            if qual is None:
                # an estimate opening the sentence or its heading ("Dự kiến cuối năm, ...",
                # "* Ước cả năm:") governs every number under it
                qual = lead or head[1] or "exact"

        if clause_hits is None:
            clause_hits = _clause_hits(low, qs, s) if percent or clause_qual_words is None else ()
        if c.n2 is None and c.rkind is None and c.lkind is None and not clause_hits \
                and not (percent and c.value > 100):
            kind = _UNIT_KIND.get(unit, "measure")  # no cue: the unit tells
        else:
            kind = _decide_kind(c, unit, clause_hits, rules)
            if kind == "measure" and unit in _UNIT_KIND:
                kind = _UNIT_KIND[unit]
        if c.qual_word == "vượt" and qual == c.qual and (
                kind == "target_achievement" or _find_phrases(rules.excess_cues, low, e, qe)):
            # the excess over a plan, in any unit: vượt 15 hộ so với chỉ tiêu
            kind, qual = "target_achievement", "exact"
        if kind != "fraction" and (
                head[0] or (plan_from < s and _first_cue(rules.plan_undone, low, plan_from, s) == s)
                or (plan_clauses and any(qs <= at < s for at in plan_clauses))):
            # a plan's figures are targets whatever their unit: "phấn đấu giảm
            # 25 hộ nghèo", a list under "Các chỉ tiêu chủ yếu đến năm 2030"
            kind = "target"
        prev_end = e

        qstart, qend = _trim_quote(text, qs, s, e, qe)
        fact = {
            "fact_id": f"{doc_id}:{s}-{e}:0",
            "doc_id": doc_id,
            "value": c.value,
            "unit": unit,
            "kind": kind,
            "numerator": c.num,
            "denominator": c.den,
            "qualifier": qual,
            "counted": None,
            "indicator_id": None,
            "indicator_cue": None,
            "raw": text[s:e],
            "start": s,
            "end": e,
            "quote": text[qstart:qend],
            "sentence": sentence,
            "sentence_start": sent_start,
            "section": section,
        }
        if role == "low":
            lows.append((fact, c.partner))  # the high end's noun, filled in below
        else:
            fact["counted"] = c.counted = _counted(text, rlow, c, unit, qstart, qend, qs)
        facts.append(fact)
    for fact, high in lows:
        fact["counted"] = high.counted
    return facts
