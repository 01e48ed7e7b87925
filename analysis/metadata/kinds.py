"""Plan or results: the language of plans weighed against that of results.

The cues and their weights are ``analysis/rules/metadata_kind_cues.csv``.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from datetime import date
from functools import lru_cache

from analysis.fastmatch import LeadingPattern, PatternGroup
from analysis.metadata.report_period import period_hits
from analysis.metadata.spans import Covered, fold
from analysis.periods import parse_period
from analysis.rules import read_rules
from analysis.text import normalize_text

__all__ = ["kind_cues", "cue_groups", "read_doc_kind", "doc_kind_of"]

@lru_cache(maxsize=None)
def kind_cues() -> list[tuple[LeadingPattern, str, float, str]]:
    """Return the cues of plans and results: ``(pattern, kind, weight, scope)``, on folded text."""
    out = []
    for r in read_rules("metadata_kind_cues", ["cue", "kind", "weight", "scope"]):
        pat = LeadingPattern(r["cue"].replace(" ", r"\s+") + r"(?!\w)")
        out.append((pat, r["kind"], float(r["weight"]), r["scope"]))
    return out


@lru_cache(maxsize=None)
def cue_groups() -> tuple[PatternGroup, PatternGroup]:
    """Return the cues of :func:`kind_cues` read on the title, and those read on the body, each searched as a group."""
    cues = kind_cues()
    return (PatternGroup([rx for rx, _, _, scope in cues if scope == "title"]),
            PatternGroup([rx for rx, _, _, scope in cues if scope != "title"]))


def read_doc_kind(text: str, title: str | None = None, period: str | None = None,
                  published: str | None = None) -> str:
    """``plan`` or ``results``: weighs the language of plans against that of results.

    A report published before its period begins is a plan whatever its words,
    and one published after its period ended is results.

    Examples
    --------
    >>> read_doc_kind("Phấn đấu thu ngân sách đạt kế hoạch. Tập trung thực hiện ... Tiếp tục triển khai ...",
    ...               title="QUẬN THANH XUÂN QUYẾT TÂM HOÀN THÀNH NHIỆM VỤ 3 THÁNG CUỐI NĂM 2021")
    'plan'
    >>> read_doc_kind("Kết quả có 193 đảng viên học tập, đạt 93%. Đã kết nạp 11 đảng viên mới.")
    'results'
    >>> read_doc_kind("Thu ngân sách đạt 100%.", period="2022-H2", published="2022-05-10")
    'plan'
    """
    return doc_kind_of(fold(normalize_text(text)), title, period, published)


def doc_kind_of(body: str, title: str | None, period: str | None, published: str | None) -> str:
    """Return what :func:`read_doc_kind` gives, for the folded text of a report.

    Parameters
    ----------
    body : str
        The report's normalised text, folded (:func:`analysis.metadata.spans.fold`).
    title, period, published : str or None
        The report's title, period code and publication date (ISO).

    Returns
    -------
    str
        ``plan`` or ``results``.
    """
    if period and published:
        try:
            first, last, _ = parse_period(period)
            if date.fromisoformat(published) < first:
                return "plan"
            if date.fromisoformat(published) > last:   # what is told after its period ended was done
                return "results"
        except ValueError:
            pass
    head = fold(normalize_text(title)) if title else ""
    outlook = _outlook(body, period) if period else []
    in_outlook = Covered(len(body), outlook)
    score = {"plan": 0.0, "results": 0.0}
    title_cues, body_cues = cue_groups()
    found = {"title": iter(title_cues.scan(head)), "body": iter(body_cues.scan(body))}
    for _, kind, weight, scope in kind_cues():
        matches = next(found["title" if scope == "title" else "body"])
        if not (head if scope == "title" else body):
            continue
        if kind == "plan" and scope != "title" and outlook:
            # the words of what comes after the period ('Năm 2023, huyện phấn đấu ...'
            # closing a report of 2022) do not make the report a plan
            n = sum(1 for m in matches if m.start() not in in_outlook)
        else:
            n = len(matches)
        score[kind] += weight * n
    return "plan" if score["plan"] > score["results"] else "results"


_SENTENCE_END_RE = re.compile(r"[.!?;]\s|\n")


def _outlook(folded: str, period: str) -> list[tuple[int, int]]:
    """Return the sentences that speak of a period after the report's own (its outlook)."""
    try:
        _, last, _ = parse_period(period)
    except ValueError:
        return []
    year = last.year
    hits = period_hits(folded)
    later = [s for s, y, _ in hits["fy"] if y > year]
    for s, code, y in hits["sub"]:
        if parse_period(f"{y or year}-{code}")[0] > last:
            later.append(s)
    if not later:
        return []
    ends = [m.end() for m in _SENTENCE_END_RE.finditer(folded)]
    spans = []
    for s in sorted(later):
        i = bisect_right(ends, s)
        a = ends[i - 1] if i else 0
        b = ends[i] if i < len(ends) else len(folded)
        spans.append((a, b))
    return spans
