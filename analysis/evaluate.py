"""Score extracted facts against hand-checked gold facts.

The matching rule is the one the annotation guide and the test suite use:

* same document (gold records carry ``doc``, extracted facts ``doc_id``);
* a fraction matches a gold fraction by numerator and denominator;
* any other fact matches by unit and value, values compared with a small
  relative tolerance;
* each gold fact is matched at most once, and each extracted fact at most once;
* an extracted fact that matches only optional gold (``"optional": true``) is
  neither rewarded nor penalised: it is set aside as *ignored*.

When a value repeats in a report, the occurrence nearest the gold quote wins:
an extracted number that sits inside the gold quote is preferred, then one
whose sentence holds the quote, then the nearest by offset.

Analysts use :func:`match_facts` to pair extracted facts with gold (the pairs
expose ``(extracted, gold)``), and :func:`score` for precision, recall, kind and
qualifier agreement, with the misses and false positives listed for debugging.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterable, Mapping

from analysis.catalog import core_ids
from analysis.text import normalize_text

__all__ = ["MatchResult", "Score", "match_facts", "score", "format_score",
           "IndicatorScore", "score_indicators", "MetadataScore", "score_metadata",
           "FolderEvaluation", "evaluate_folder", "format_evaluation", "METADATA_FIELDS"]

#: Relative tolerance when comparing values (money in đồng runs to 1e12).
REL_TOL = 1e-6


@dataclass
class MatchResult:
    """Extracted facts paired with gold facts.

    Attributes
    ----------
    pairs : list of (extracted, gold)
        Each extracted fact matched to the one gold record it counts for; gold
        records here are non-optional.
    optional_pairs : list of (extracted, gold)
        Extracted facts matched to optional gold records (neither rewarded nor
        penalised).
    false_positives : list of dict
        Extracted facts that match no gold record.
    misses : list of dict
        Non-optional gold records no extracted fact matched.
    """

    pairs: list[tuple[dict, dict]] = field(default_factory=list)
    optional_pairs: list[tuple[dict, dict]] = field(default_factory=list)
    false_positives: list[dict] = field(default_factory=list)
    misses: list[dict] = field(default_factory=list)


@dataclass
class Score:
    """Precision, recall and agreement of an extraction against gold."""

    precision: float
    recall: float
    kind_agreement: float
    qualifier_agreement: float
    n_matched: int
    n_false_positives: int
    n_missed: int
    n_gold: int
    match: MatchResult
    kind_mismatches: list[tuple[dict, dict]] = field(default_factory=list)
    qualifier_mismatches: list[tuple[dict, dict]] = field(default_factory=list)

    @property
    def false_positives(self) -> list[dict]:
        """Extracted facts that match no gold fact."""
        return self.match.false_positives

    @property
    def misses(self) -> list[dict]:
        """Gold facts no extracted fact matches."""
        return self.match.misses


def _records(facts: Any) -> list[dict]:
    """Facts as a list of dicts, from a list or a DataFrame."""
    if hasattr(facts, "to_dict") and hasattr(facts, "columns"):
        return facts.to_dict("records")
    return [dict(f) for f in facts]


def _doc(rec: Mapping) -> str:
    return rec.get("doc_id") or rec.get("doc")


def _num(x) -> float | None:
    if x is None:
        return None
    try:
        x = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(x) else x


def _close(a, b) -> bool:
    a, b = _num(a), _num(b)
    if a is None or b is None:
        return False
    return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=1e-9)


def _same_fact(ext: Mapping, gold: Mapping) -> bool:
    """Apply the matching rule to one extracted fact and one gold record."""
    if gold.get("kind") == "fraction" or _num(gold.get("denominator")) is not None:
        return (_num(ext.get("denominator")) is not None
                and _close(ext.get("numerator"), gold.get("numerator"))
                and _close(ext.get("denominator"), gold.get("denominator")))
    if _num(ext.get("denominator")) is not None:
        return False
    return ext.get("unit") == gold.get("unit") and _close(ext.get("value"), gold.get("value"))


def _gold_spans(gold: list[dict], texts: Mapping[str, str] | None) -> list[tuple[int, int] | None]:
    """Where each gold quote sits in its report's text (None if unknown)."""
    out: list[tuple[int, int] | None] = []
    cursor: dict[str, int] = {}
    for g in gold:
        text = texts.get(_doc(g)) if texts else None
        quote = normalize_text(g.get("quote") or "")
        if not text or not quote:
            out.append(None)
            continue
        # gold files list facts in text order: search from the last position
        # first, then from the start.
        pos = text.find(quote, max(cursor.get(_doc(g), 0) - 200, 0))
        if pos < 0:
            pos = text.find(quote)
        if pos < 0:
            out.append(None)
            continue
        cursor[_doc(g)] = pos
        out.append((pos, pos + len(quote)))
    return out


def _cost(ext: Mapping, gold: Mapping, span: tuple[int, int] | None) -> tuple:
    """How far an extracted fact is from a gold record's quote (lower is nearer)."""
    start = _num(ext.get("start"))
    quote = normalize_text(gold.get("quote") or "")
    if span is not None and start is not None:
        lo, hi = span
        end = _num(ext.get("end")) or start
        if start >= lo and end <= hi:
            return (0, 0.0)
        dist = lo - end if end <= lo else start - hi
        return (2, abs(dist))
    sentence = ext.get("sentence") or ""
    raw = ext.get("raw") or ""
    if quote and quote in sentence and raw and raw.split("/")[0] in quote:
        return (1, 0.0)
    if quote and (quote in sentence or (ext.get("quote") or "") in quote):
        return (1, 1.0)
    return (3, 0.0)


def match_facts(extracted: Iterable[Mapping] | Any, gold: Iterable[Mapping],
                texts: Mapping[str, str] | None = None) -> MatchResult:
    """Pair extracted facts with gold facts by the gold matching rule.

    Parameters
    ----------
    extracted : list of dict or DataFrame
        Facts as returned by :func:`analysis.extract.extract_facts` (``doc_id``,
        ``value``, ``unit``, ``numerator``, ``denominator``, ``start``, ...).
    gold : list of dict
        Gold records (``doc``, ``quote``, ``value``, ``unit``, ``kind``,
        ``numerator``, ``denominator``, ``optional``, ...).
    texts : mapping of doc id to normalised text, optional
        When given, gold quotes are located in the text and the extracted
        occurrence inside (or nearest) the quote wins; otherwise the extracted
        sentence is compared with the quote.

    Returns
    -------
    MatchResult

    Examples
    --------
    >>> ext = [{"doc_id": "d", "value": 5209.0, "unit": "count", "numerator": 5209.0,
    ...         "denominator": 5318.0, "raw": "5209/5318", "sentence": "có 5209/5318 hộ."},
    ...        {"doc_id": "d", "value": 2021.0, "unit": "count", "raw": "2021",
    ...         "sentence": "năm 2021"}]
    >>> gold = [{"doc": "d", "quote": "có 5209/5318 hộ", "value": 5209, "unit": "count",
    ...          "kind": "fraction", "numerator": 5209, "denominator": 5318}]
    >>> m = match_facts(ext, gold)
    >>> [(e["raw"], g["quote"]) for e, g in m.pairs]
    [('5209/5318', 'có 5209/5318 hộ')]
    >>> [e["raw"] for e in m.false_positives], m.misses
    (['2021'], [])
    """
    ext = _records(extracted)
    gold = [dict(g) for g in gold]
    spans = _gold_spans(gold, texts)

    by_doc: dict[str, list[int]] = {}
    for i, e in enumerate(ext):
        by_doc.setdefault(_doc(e), []).append(i)

    candidates = []  # (cost, gold index, extracted index)
    for gi, g in enumerate(gold):
        for ei in by_doc.get(_doc(g), ()):
            if _same_fact(ext[ei], g):
                candidates.append((_cost(ext[ei], g, spans[gi]), gi, ei))
    candidates.sort(key=lambda c: (c[0], c[1], c[2]))

    gold_used: dict[int, int] = {}
    ext_used: dict[int, int] = {}
    for _, gi, ei in candidates:
        if gi in gold_used or ei in ext_used:
            continue
        gold_used[gi] = ei
        ext_used[ei] = gi

    result = MatchResult()
    optional_keys = [gi for gi, g in enumerate(gold) if g.get("optional")]
    for gi, g in enumerate(gold):
        if gi in gold_used:
            pair = (ext[gold_used[gi]], g)
            (result.optional_pairs if g.get("optional") else result.pairs).append(pair)
        elif not g.get("optional"):
            result.misses.append(g)
    for ei, e in enumerate(ext):
        if ei in ext_used:
            continue
        # an extra occurrence of an optional statistic is ignored, not penalised
        opt = next((gold[gi] for gi in optional_keys
                    if _doc(gold[gi]) == _doc(e) and _same_fact(e, gold[gi])), None)
        if opt is not None:
            result.optional_pairs.append((e, opt))
            continue
        result.false_positives.append(e)
    result.pairs.sort(key=lambda p: (_doc(p[1]), _num(p[0].get("start")) or 0))
    return result


def score(extracted: Iterable[Mapping] | Any, gold: Iterable[Mapping],
          texts: Mapping[str, str] | None = None) -> Score:
    """Precision, recall, kind and qualifier agreement of extracted facts.

    Precision is matched / (matched + false positives); recall is matched over
    the non-optional gold records; kind and qualifier agreement are shares of
    the matched pairs.

    Examples
    --------
    >>> ext = [{"doc_id": "d", "value": 97.95, "unit": "percent", "kind": "rate",
    ...         "qualifier": "exact", "raw": "97,95%", "sentence": "đạt tỷ lệ 97,95%."}]
    >>> gold = [{"doc": "d", "quote": "đạt tỷ lệ 97,95%", "value": 97.95, "unit": "percent",
    ...          "kind": "rate", "qualifier": "exact"},
    ...         {"doc": "d", "quote": "36 tin", "value": 36, "unit": "count",
    ...          "kind": "count", "qualifier": "exact"}]
    >>> s = score(ext, gold)
    >>> s.precision, s.recall, s.kind_agreement
    (1.0, 0.5, 1.0)
    >>> [g["quote"] for g in s.misses]
    ['36 tin']
    """
    gold = list(gold)
    m = match_facts(extracted, gold, texts)
    n_gold = sum(1 for g in gold if not g.get("optional"))
    tp, fp = len(m.pairs), len(m.false_positives)
    kind_bad = [(e, g) for e, g in m.pairs if e.get("kind") != g.get("kind")]
    qual_bad = [(e, g) for e, g in m.pairs if e.get("qualifier") != g.get("qualifier")]
    return Score(
        precision=tp / (tp + fp) if tp + fp else 1.0,
        recall=tp / n_gold if n_gold else 1.0,
        kind_agreement=1 - len(kind_bad) / tp if tp else 1.0,
        qualifier_agreement=1 - len(qual_bad) / tp if tp else 1.0,
        n_matched=tp, n_false_positives=fp, n_missed=len(m.misses), n_gold=n_gold,
        match=m, kind_mismatches=kind_bad, qualifier_mismatches=qual_bad,
    )


def format_score(s: Score, limit: int = 40) -> str:
    """Summarise a score for a reader, with its misses and false positives.

    Examples
    --------
    >>> s = score([], [{"doc": "d", "quote": "36 tin", "value": 36, "unit": "count"}])
    >>> print(format_score(s))
    precision 1.000  recall 0.000  kind 1.000  qualifier 1.000  (matched 0, false positives 0, missed 1 of 1)
    missed:
      d: 36 count — «36 tin»
    """
    lines = [
        f"precision {s.precision:.3f}  recall {s.recall:.3f}  kind {s.kind_agreement:.3f}"
        f"  qualifier {s.qualifier_agreement:.3f}  (matched {s.n_matched}, false positives"
        f" {s.n_false_positives}, missed {s.n_missed} of {s.n_gold})"
    ]

    def show(title, rows, fmt):
        if rows:
            lines.append(f"{title}:")
            lines.extend("  " + fmt(r) for r in rows[:limit])
            if len(rows) > limit:
                lines.append(f"  … and {len(rows) - limit} more")

    show("missed", s.misses,
         lambda g: f"{_doc(g)}: {g.get('value')} {g.get('unit')} — «{g.get('quote')}»")
    show("false positives", s.false_positives,
         lambda e: f"{_doc(e)}: {e.get('raw')} = {e.get('value')} {e.get('unit')} — «{e.get('quote')}»")
    def differs(name: str):
        return lambda p: (f"{_doc(p[1])}: {p[0].get('raw')} {p[0].get(name)} ≠ gold {p[1].get(name)}"
                          f" — «{p[1].get('quote')}»")

    show("kind differs", s.kind_mismatches, differs("kind"))
    show("qualifier differs", s.qualifier_mismatches, differs("qualifier"))
    return "\n".join(lines)


# --------------------------------------------------------------------------- indicators

@dataclass
class IndicatorScore:
    """Indicator ids of the facts matched with gold.

    Precision is over the matched facts that were given an id (how many of the
    ids given are the gold id); recall is over the non-optional gold records
    that carry an id (how many got that id). ``ids_on_false_hits`` counts ids
    given to extracted facts that match no gold record: they are not in the
    precision (the fact itself is already a false positive) but an analyst
    should see them.
    """

    precision: float
    recall: float
    n_assigned: int
    n_right: int
    n_gold_with_id: int
    n_found: int
    wrong: list[tuple[dict, dict]] = field(default_factory=list)
    ids_on_false_hits: list[dict] = field(default_factory=list)
    extended: list[dict] = field(default_factory=list)


def score_indicators(match: MatchResult, gold: Iterable[Mapping],
                     core: Iterable[str] | None = None) -> IndicatorScore:
    """Score the indicators of the facts a :class:`MatchResult` paired: precision and recall.

    Gold names core indicators only (``docs/indicators.md``): an id of the
    extended catalogue counts as no id here, and the facts that carry one are
    listed in ``extended`` for reading. ``core`` is the set of core ids
    (default: :func:`analysis.catalog.core_ids`).

    Examples
    --------
    >>> gold = [{"doc": "d", "quote": "đạt 97,95%", "value": 97.95, "unit": "percent",
    ...          "indicator_id": "cultural_family_rate"}]
    >>> ext = [{"doc_id": "d", "value": 97.95, "unit": "percent",
    ...         "indicator_id": "cultural_family_rate"}]
    >>> s = score_indicators(match_facts(ext, gold), gold)
    >>> s.precision, s.recall
    (1.0, 1.0)
    """
    if core is None:
        core = core_ids()
    core = frozenset(core)
    extended = [e for e, _ in match.pairs if e.get("indicator_id") and e["indicator_id"] not in core]
    match = replace(match, pairs=[
        (dict(e, indicator_id=None) if e.get("indicator_id") and e["indicator_id"] not in core else e, g)
        for e, g in match.pairs])
    gold_with_id = [g for g in gold if g.get("indicator_id") and not g.get("optional")]
    assigned = [(e, g) for e, g in match.pairs if e.get("indicator_id")]
    right = [(e, g) for e, g in assigned if e.get("indicator_id") == g.get("indicator_id")]
    found = [(e, g) for e, g in match.pairs
             if g.get("indicator_id") and e.get("indicator_id") == g.get("indicator_id")]
    wrong = [(e, g) for e, g in match.pairs if (e.get("indicator_id") or None) != (g.get("indicator_id") or None)]
    return IndicatorScore(
        precision=len(right) / len(assigned) if assigned else 1.0,
        recall=len(found) / len(gold_with_id) if gold_with_id else 1.0,
        n_assigned=len(assigned), n_right=len(right),
        n_gold_with_id=len(gold_with_id), n_found=len(found), wrong=wrong,
        ids_on_false_hits=[e for e in match.false_positives if e.get("indicator_id") in core],
        extended=extended,
    )


# --------------------------------------------------------------------------- report metadata

#: Report fields compared with ``reports.jsonl``.
METADATA_FIELDS = ("unit_name", "unit_level", "parent", "city", "period", "published", "doc_kind")


@dataclass
class MetadataScore:
    """Agreement of the metadata read with gold, field by field."""

    agreement: dict[str, float]
    n_reports: int
    differences: list[tuple[str, str, object, object]] = field(default_factory=list)

    @property
    def unit_agreement(self) -> float:
        """Share of reports whose unit name and level are both right."""
        return self._both("unit_name", "unit_level")

    def _both(self, *names) -> float:
        if not self.n_reports:
            return 1.0
        bad = {d for d, f, _, _ in self.differences if f in names}
        return 1 - len(bad) / self.n_reports


def _missing(v) -> bool:
    if v is None or (isinstance(v, str) and not v.strip()):
        return True
    if isinstance(v, (list, tuple)):
        return False
    try:
        return bool(v != v) or str(v) in ("NaT", "<NA>")   # NaN, NaT, pd.NA
    except (TypeError, ValueError):
        return False


def _same_value(name: str, got, want) -> bool:
    if _missing(got):
        got = None
    if want in ("", None):
        want = None
    if got is None or want is None:
        return got is None and want is None
    if name == "published":
        return str(got)[:10] == str(want)[:10]
    if name in ("unit_name", "parent", "city"):
        return normalize_text(str(got)).casefold() == normalize_text(str(want)).casefold()
    return str(got) == str(want)


def score_metadata(read: Mapping[str, Mapping], gold: Iterable[Mapping],
                   fields: tuple[str, ...] = METADATA_FIELDS) -> MetadataScore:
    """Share of reports whose metadata read equals gold, per field.

    ``read`` maps a doc id to what was read (a report row); a gold report that
    was not read at all counts as wrong on every field.

    Examples
    --------
    >>> gold = [{"doc": "a", "unit_name": "Thạch Bàn", "period": "2021-H1"},
    ...         {"doc": "b", "unit_name": None, "period": "2020-FY"}]
    >>> read = {"a": {"unit_name": "Thạch Bàn", "period": "2021-H1"},
    ...         "b": {"unit_name": "Cự Khối", "period": "2020-FY"}}
    >>> s = score_metadata(read, gold, fields=("unit_name", "period"))
    >>> s.agreement
    {'unit_name': 0.5, 'period': 1.0}
    >>> s.differences
    [('b', 'unit_name', 'Cự Khối', None)]
    """
    gold = list(gold)
    diffs = []
    right = dict.fromkeys(fields, 0)
    for g in gold:
        got = read.get(g["doc"]) or {}
        for name in fields:
            if name not in g:
                right[name] += 1
                continue
            if _same_value(name, got.get(name), g.get(name)):
                right[name] += 1
            else:
                value = got.get(name)
                if _missing(value):
                    value = None
                elif hasattr(value, "isoformat"):
                    value = value.isoformat()[:10]
                diffs.append((g["doc"], name, value, g.get(name)))
    n = len(gold)
    return MetadataScore({k: (v / n if n else 1.0) for k, v in right.items()}, n, diffs)


# --------------------------------------------------------------------------- a folder

@dataclass
class FolderEvaluation:
    """The extractor and the metadata reader scored on one annotated folder."""

    folder: str
    facts: Score
    indicators: IndicatorScore
    metadata: MetadataScore | None
    n_reports: int

    @property
    def f1(self) -> float:
        """Harmonic mean of the facts' precision and recall (0 when both are 0)."""
        p, r = self.facts.precision, self.facts.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def _jsonl(path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def evaluate_folder(folder, facts_for_report, load_reports, gold=None,
                    metadata=None) -> FolderEvaluation:
    """Score the suite on a folder of reports against hand-checked gold.

    Parameters
    ----------
    folder : path
        The reports (``.txt``, ``.html``, ``.docx``), in the folder itself or in
        its ``docs/`` sub-folder; a report's doc id is its file name without the
        extension (the folder's ``reports.csv`` manifest is not applied: what is
        scored is what the suite reads from the text).
    facts_for_report, load_reports : callables
        The pipeline's per-report fact step and its loader (the CLI passes
        :func:`analysis.build.facts_for_report` and
        :func:`analysis.load.load_reports`).
    gold : path, optional
        Gold facts, one JSON object per line (default ``folder/gold.jsonl``).
    metadata : path, optional
        Gold report metadata (default ``folder/reports.jsonl`` where it exists).

    Only reports named in the gold are scored.
    """
    folder = Path(folder)
    gold_facts = _jsonl(Path(gold) if gold else folder / "gold.jsonl")
    if metadata is None and (folder / "reports.jsonl").is_file():
        metadata = folder / "reports.jsonl"
    gold_reports = _jsonl(metadata) if metadata else None
    source = folder / "docs" if (folder / "docs").is_dir() else folder
    loaded = load_reports(source, manifest=None)
    docs = {g["doc"] for g in gold_facts} | {g["doc"] for g in gold_reports or ()}
    rows = {r["doc_id"]: r for r in loaded.reports.to_dict("records") if r["doc_id"] in docs}
    extracted = [f for d, r in rows.items() for f in facts_for_report(r["text"], d)]
    texts = {d: r["text"] for d, r in rows.items()}
    facts = score(extracted, gold_facts, texts)
    meta = score_metadata(rows, gold_reports) if gold_reports is not None else None
    return FolderEvaluation(str(folder), facts, score_indicators(facts.match, gold_facts), meta,
                            len(rows))


def _cause_of_miss(g: Mapping, ext_in_doc: list[dict]) -> str:
    """Why a gold fact was missed, as far as the extracted facts tell."""
    quote = normalize_text(g.get("quote") or "")
    near = [e for e in ext_in_doc if quote and (e.get("quote") or "") and
            (normalize_text(e["quote"]) in quote or quote in (e.get("sentence") or ""))]
    if not near:
        return "nothing extracted there"
    if any(_close(e.get("value"), g.get("value")) for e in near):
        return "found with another unit or as another shape"
    return "another value read there"


def _cause_of_false_hit(e: Mapping) -> str:
    return f"kind {e.get('kind')}"


def format_evaluation(ev: FolderEvaluation, limit: int = 30) -> str:
    """Format the evaluation as the ``evaluate`` command prints it."""
    s, ind = ev.facts, ev.indicators
    lines = [f"{ev.folder}: {ev.n_reports} report(s), {s.n_gold} gold fact(s)", "",
             "| measure | value |", "|---|---|",
             f"| facts precision | {s.precision:.3f} |",
             f"| facts recall | {s.recall:.3f} |",
             f"| facts F1 | {ev.f1:.3f} |",
             f"| kind agreement | {s.kind_agreement:.3f} |",
             f"| qualifier agreement | {s.qualifier_agreement:.3f} |",
             f"| indicator precision | {ind.precision:.3f} ({ind.n_right}/{ind.n_assigned}) |",
             f"| indicator recall | {ind.recall:.3f} ({ind.n_found}/{ind.n_gold_with_id}) |"]
    if ev.metadata is not None:
        for name, v in ev.metadata.agreement.items():
            lines.append(f"| metadata {name} | {v:.3f} |")
        lines.append(f"| metadata unit and level | {ev.metadata.unit_agreement:.3f} |")
    lines.append("")

    def group(title, rows, cause, fmt):
        if not rows:
            return
        by: dict[str, list] = {}
        for r in rows:
            by.setdefault(cause(r), []).append(r)
        lines.append(f"{title} ({len(rows)}):")
        for c, items in sorted(by.items(), key=lambda kv: -len(kv[1])):
            lines.append(f"  {c} ({len(items)}):")
            lines.extend("    " + fmt(r) for r in items[:limit])
            if len(items) > limit:
                lines.append(f"    … and {len(items) - limit} more")

    by_doc: dict[str, list] = {}
    for e, _ in s.match.pairs + s.match.optional_pairs:
        by_doc.setdefault(_doc(e), []).append(e)
    for e in s.match.false_positives:
        by_doc.setdefault(_doc(e), []).append(e)
    group("missed", s.misses, lambda g: _cause_of_miss(g, by_doc.get(_doc(g), [])),
          lambda g: f"{_doc(g)}: {g.get('value')} {g.get('unit')} {g.get('kind')} — «{g.get('quote')}»")
    group("false hits", s.false_positives, _cause_of_false_hit,
          lambda e: f"{_doc(e)}: {e.get('raw')} = {e.get('value')} {e.get('unit')} — «{e.get('quote')}»")
    group("kind differs", s.kind_mismatches, lambda p: f"{p[0].get('kind')} for gold {p[1].get('kind')}",
          lambda p: f"{_doc(p[1])}: {p[0].get('raw')} — «{p[1].get('quote')}»")
    group("qualifier differs", s.qualifier_mismatches,
          lambda p: f"{p[0].get('qualifier')} for gold {p[1].get('qualifier')}",
          lambda p: f"{_doc(p[1])}: {p[0].get('raw')} — «{p[1].get('quote')}»")
    group("indicator differs", ind.wrong,
          lambda p: ("no id given" if not p[0].get("indicator_id") else
                     "id where gold has none" if not p[1].get("indicator_id") else "another id"),
          lambda p: f"{_doc(p[1])}: {p[0].get('raw')} {p[0].get('indicator_id')} ≠ gold "
                    f"{p[1].get('indicator_id')} — «{p[1].get('quote')}»")
    group("ids on false hits", ind.ids_on_false_hits, lambda e: "id on a fact gold does not have",
          lambda e: f"{_doc(e)}: {e.get('raw')} {e.get('indicator_id')} — «{e.get('quote')}»")
    group("extended ids (not scored: gold names core ids only)", ind.extended,
          lambda e: e.get("indicator_id"),
          lambda e: f"{_doc(e)}: {e.get('raw')} — {e.get('indicator_cue') or ''} «{e.get('quote')}»")
    if ev.metadata is not None:
        group("metadata differs", ev.metadata.differences, lambda d: d[1],
              lambda d: f"{d[0]}: read {d[2]!r}, gold {d[3]!r}")
    return "\n".join(lines)
