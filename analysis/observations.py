"""Observations: facts that carry an indicator, set in their unit and period.

One row per (unit, period, indicator) statement: a fact with an
``indicator_id``, joined to its report's unit and period, with the target and
the achievement the report states beside it, the programmes the report cites and
the provenance of the number (``doc_id``, ``fact_id``, ``quote``, ``sentence``,
``start``, ``end``). Columns are :data:`analysis.schema.OBSERVATIONS` plus the
extra columns listed in :data:`EXTRA_COLUMNS`.

How values are set:

* A rate stated as a fraction (``5209/5318 hộ``) becomes a percentage
  (``value`` 97,95…, ``unit`` ``percent``, ``value_derived`` True) with its
  ``numerator`` and ``denominator`` kept, so that it compares with the
  percentages stated elsewhere.
* A fraction of an indicator that counts things (``cấp được 28/20 giấy chứng
  nhận``, ``3.471/6.000 người``) is a result against a target: ``value`` is the
  numerator, ``target`` the denominator, and ``achievement_pct`` the result as a
  percentage of the target, derived (140) unless the report states it beside
  the fraction (``đạt 57,9% kế hoạch``).
* A target stated beside a value (``6,1/chỉ tiêu là 6,3%``) fills ``target`` of
  that value's row and makes no row of its own.
* An achievement stated beside a count or an amount
  (``12.877.755.000 đồng, đạt 120% kế hoạch năm``) fills ``achievement_pct``
  of that row and keeps its own row under its own indicator.
* ``stated_result`` records the report's own words about the target
  (``hoàn thành vượt mức kế hoạch``, ``vượt kế hoạch``, ``chưa đạt``), read
  with the phrase table ``analysis/rules/result_phrases.csv`` (plans state no
  results).
* When a report states a stock indicator (a rate or level) twice with values
  that do not agree to the precision written, every row involved gets
  ``is_conflict`` True and ``conflict_with`` lists the other values; nothing is
  averaged or dropped. Flows (counts, amounts) are not judged: a report gives
  several counts of one indicator for different groups.
"""
from __future__ import annotations

import itertools
import math
import operator
import re
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from analysis.admin import programmes_for
from analysis.catalog import indicator_properties
from analysis.paths import RULES
from analysis.rules import read_rules
from analysis.schema import OBSERVATIONS, pandas_dtype, validate

__all__ = [
    "EXTRA_COLUMNS", "LEVEL_KINDS", "build_observations", "indicator_properties",
    "load_result_phrases", "stated_decimals", "to_records", "values_agree",
]

#: Columns the observations carry beyond :data:`analysis.schema.OBSERVATIONS`.
EXTRA_COLUMNS = (
    "city", "direction", "aggregation", "counted", "section", "value_derived",
    "achievement_source", "target_fact_id", "achievement_fact_id",
    "stated_result", "stated_result_phrase", "conflict_with", "programme_keys", "indicator_cue",
)
#: Fact kinds that state a level of an indicator (not a change, not a target).
LEVEL_KINDS = ("count", "amount", "measure", "fraction", "rate", "target_achievement")
_SHARE_UNITS = ("percent", "per_mille")
#: Largest gap, in characters, between a value and a target or achievement
#: stated "beside" it in the same clause.
_TARGET_GAP = 40
_ACHIEVEMENT_GAP = 60
_RESULT_PHRASES = RULES / "result_phrases.csv"
_RESULTS = ("exceeded", "met", "missed")


# --------------------------------------------------------------------------
# indicator properties


def _props_for(props, indicator_id: str, unit: str | None) -> dict:
    """Properties of one indicator from a ``{id: {...}}`` mapping of the catalogue."""
    if indicator_id in props:
        return props[indicator_id]
    share = unit in _SHARE_UNITS or str(indicator_id).endswith("_rate")
    return {"direction": "none", "aggregation": "stock" if share else "flow",
            "unit": "percent" if share else unit, "kinds": []}


# --------------------------------------------------------------------------
# precision of a number as written


_NUM_IN_RAW = re.compile(r"\d[\d.,]*")


def stated_decimals(raw: str | None) -> int | None:
    """How many decimals a number was written with (Vietnamese conventions).

    A comma is the decimal mark; a dot followed by groups of exactly three
    digits groups thousands, any other dot is a decimal point. Returns None
    when ``raw`` holds no number.

    Examples
    --------
    >>> [stated_decimals(r) for r in ["97,95%", "91%", "120.14%", "12.877.755.000 đồng", "2,90%"]]
    [2, 0, 2, 0, 2]
    """
    if raw is None or (isinstance(raw, float) and math.isnan(raw)):
        return None
    m = _NUM_IN_RAW.search(str(raw))
    if not m:
        return None
    tok = m.group().rstrip(".,")
    if "," in tok:
        return len(tok.rsplit(",", 1)[1])
    if "." in tok:
        if re.fullmatch(r"\d{1,3}(?:\.\d{3})+", tok):
            return 0
        return len(tok.rsplit(".", 1)[1])
    return 0


def values_agree(a: float, b: float, decimals_a: int | None = None,
                 decimals_b: int | None = None) -> bool:
    """Whether two statements of one quantity agree to the precision written.

    A value written with ``d`` decimals stands for anything that rounds to
    it, so the values agree when they differ by at most half a unit of the
    coarser precision. ``None`` means exact (a value computed from a fraction).

    Examples
    --------
    >>> values_agree(91.0, 1946 / 2129 * 100, 0, None)   # '91%' and 1946/2129
    True
    >>> values_agree(84.6, 12 / 13 * 100, 1, None)       # '84,6%' and 12/13
    False
    >>> values_agree(57.9, 3471 / 6000 * 100, 1, None)   # '57,9%' and 3.471/6.000
    True
    """
    decs = [d for d in (decimals_a, decimals_b) if d is not None]
    tol = 0.5 * 10.0 ** (-min(decs)) if decs else 0.0
    return abs(float(a) - float(b)) <= tol + 1e-6 * max(1.0, abs(float(a)), abs(float(b)))


# --------------------------------------------------------------------------
# result phrases


@lru_cache(maxsize=4)
def _read_phrases(path_text: str, mtime: float) -> tuple:
    path = Path(path_text)
    out = []
    for row in read_rules(path.stem, ["pattern", "result"], folder=path.parent):
        if row["result"] not in _RESULTS:
            raise row.error(f"result {row['result']!r} is not one of {_RESULTS}", "fix the result column")
        try:
            out.append((re.compile(row["pattern"]), row["result"]))
        except re.error as e:
            raise row.error(f"pattern {row['pattern']!r} is not a valid regular expression ({e})",
                            "fix the pattern") from None
    return tuple(out)


def load_result_phrases(path: Path | str | None = None) -> list[tuple[re.Pattern, str]]:
    """Return the phrases by which reports say a target was exceeded, met or missed.

    Examples
    --------
    >>> [r for p, r in load_result_phrases() if p.search("hoàn thành vượt mức kế hoạch")][:1]
    ['exceeded']
    """
    p = Path(path) if path is not None else _RESULT_PHRASES
    return list(_read_phrases(str(p), p.stat().st_mtime))


def _clause_bounds(sentence: str, pos: int) -> tuple[int, int]:
    lo = sentence.rfind(";", 0, pos) + 1
    hi = sentence.find(";", pos)
    return lo, (len(sentence) if hi < 0 else hi)


def _paren_bounds(sentence: str, pos: int) -> tuple[int, int] | None:
    lo = sentence.rfind("(", 0, pos)
    if lo < 0 or sentence.rfind(")", lo, pos) >= 0:
        return None
    hi = sentence.find(")", pos)
    return (lo, len(sentence) if hi < 0 else hi)


def _phrase_matches(sentence: str, phrases) -> list[tuple[int, int, str, str]]:
    low = sentence.lower()
    found = []
    for pattern, result in phrases:
        for m in pattern.finditer(low):
            found.append((m.start(), m.end(), result, sentence[m.start():m.end()]))
    # keep the longest of overlapping matches (a negation holds what it negates)
    found.sort(key=lambda t: (t[0], -(t[1] - t[0])))
    kept = []
    for f in found:
        if kept and f[0] < kept[-1][1]:
            if f[1] - f[0] > kept[-1][1] - kept[-1][0]:
                kept[-1] = f
            continue
        kept.append(f)
    return kept


def _stated_result(sentence: str, offset: int, matches) -> tuple[str, str] | None:
    """Return the report's verdict on the figure at ``offset`` of ``sentence``."""
    if not matches:
        return None
    paren = _paren_bounds(sentence, offset)
    c_lo, c_hi = _clause_bounds(sentence, offset)
    inner, clause, header = [], [], []
    for start, end, result, text in matches:
        is_header = re.match(r"[^.;:()]{0,30}:", sentence[end:]) is not None
        m_paren = _paren_bounds(sentence, start)
        if m_paren is not None and paren is not None and m_paren == paren:
            inner.append((abs(start - offset), result, text))
        elif is_header and end <= offset:
            header.append((offset - end, result, text))
        elif not is_header and m_paren is None and c_lo <= start < c_hi:
            clause.append((abs(start - offset), result, text))
    for level in (inner, clause, header):
        if level:
            _, result, text = min(level)
            return result, text
    return None


# --------------------------------------------------------------------------
# building the table


_FACT_NEEDS = ("fact_id", "doc_id", "value", "unit", "kind", "numerator", "denominator",
               "qualifier", "indicator_id", "raw", "start", "end", "quote")
_REPORT_NEEDS = ("doc_id", "unit_name", "unit_level", "parent", "period",
                 "period_start", "period_end", "period_months", "doc_kind", "programs")
#: The columns of a report read here and by :func:`analysis.admin.programmes_for`.
_REPORT_READ = ("doc_id", "unit_name", "unit_level", "parent", "city", "period", "period_start",
                "period_end", "doc_kind", "programs")


def _check_columns(frame: pd.DataFrame, needed, table: str) -> None:
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise ValueError(f"build_observations: the {table} frame lacks columns {missing}; "
                         f"pass the {table} table as declared in analysis/schema.py")


def _nan(x) -> bool:
    if x is None:
        return True
    if isinstance(x, str):
        return False
    if isinstance(x, float):
        return x != x
    try:
        return bool(pd.isna(x))
    except (TypeError, ValueError):
        return False


def _gap_text(f_first: dict, f_second: dict) -> str | None:
    if f_first.get("sentence_start") != f_second.get("sentence_start") or _nan(f_first.get("sentence")):
        return None
    base = int(f_first["sentence_start"])
    return f_first["sentence"][int(f_first["end"]) - base:int(f_second["start"]) - base]


#: The columns of a fact the rules read; the others are taken into its
#: observation as they are (:data:`_SOURCES`).
_FACT_READ = ("fact_id", "value", "unit", "kind", "numerator", "denominator", "indicator_id",
              "raw", "start", "end", "sentence", "sentence_start")


def _sorted_positions(frame: pd.DataFrame, by: list[str], rows=None) -> np.ndarray:
    """Return the positions that sort ``frame`` (its ``rows`` only, if given) by the columns ``by``.

    The order of ``frame.sort_values(by, kind="stable")``, missing values
    last, read off each column's codes: a frame's sort builds categoricals of
    its keys, which costs more than the sorting.
    """
    codes = []
    for name in reversed(by):
        column = frame[name] if rows is None else frame[name].iloc[rows]
        k, uniques = pd.factorize(column, sort=True)
        codes.append(np.where(k < 0, len(uniques), k))
    return np.lexsort(codes)


def _facts_by_doc(facts: pd.DataFrame):
    """Each report's facts in text order, as ``(doc_id, list)``.

    Only the facts an observation can come from are read into dicts: those
    with an indicator, and targets and achievements, which fill the row of the
    value beside them. Any other fact stands as ``None`` in its place, so that
    "beside" keeps its meaning (:func:`_pair` looks at the next fact in the
    text, whatever it is). A dict holds the columns of :data:`_FACT_READ` the
    frame has, and ``at``, the fact's position in ``facts``.
    """
    if not len(facts):
        return
    order = _sorted_positions(facts, ["doc_id", "start", "end"])
    kind = facts["kind"].to_numpy(dtype=object, na_value=None)[order]
    unit = facts["unit"].to_numpy(dtype=object, na_value=None)[order]
    has_id = facts["indicator_id"].notna().to_numpy()[order]
    wanted = [h or k == "target" or (k == "target_achievement" and u == "percent")
              for h, k, u in zip(has_id.tolist(), kind.tolist(), unit.tolist())]
    chosen = order[[i for i, w in enumerate(wanted) if w]]
    read = [c for c in _FACT_READ if c in facts.columns]
    records = to_records(facts[read].iloc[chosen])
    for f, at in zip(records, chosen.tolist()):
        f["at"] = at
    records = iter(records)
    docs = facts["doc_id"].to_numpy(dtype=object)[order].tolist()
    for doc_id, group in itertools.groupby(zip(docs, wanted), key=operator.itemgetter(0)):
        yield doc_id, [next(records) if w else None for _, w in group]


def _pair(facts: list[dict | None], props: dict) -> tuple[dict, dict, set]:
    """Targets and achievements stated beside a value, per fact id (None: a fact that is neither)."""
    targets, achievements, consumed = {}, {}, set()
    for i, f in enumerate(facts):
        if f is None:
            continue
        if f["kind"] == "target":
            best = None
            for j in (i - 1, i + 1):          # the value before the target first
                if not 0 <= j < len(facts):
                    continue
                g = facts[j]
                if g is None or _nan(g["indicator_id"]) or g["kind"] in ("target", "change") \
                        or g["unit"] != f["unit"]:
                    continue
                first, second = (g, f) if j < i else (f, g)
                gap = _gap_text(first, second)
                if gap is None or len(gap) > _TARGET_GAP or ";" in gap:
                    continue
                best = g
                break
            if best is not None and best["fact_id"] not in targets:
                targets[best["fact_id"]] = f
                consumed.add(f["fact_id"])
        elif f["kind"] == "target_achievement" and f["unit"] == "percent":
            for j in (i - 1, i + 1):
                if not 0 <= j < len(facts):
                    continue
                g = facts[j]
                if g is None or _nan(g["indicator_id"]) or g["fact_id"] in achievements:
                    continue
                g_share = _props_for(props, g["indicator_id"], g["unit"])["unit"] in _SHARE_UNITS
                if g["kind"] not in ("count", "amount", "measure", "fraction") or \
                        (g["kind"] == "fraction" and g_share):
                    continue
                first, second = (g, f) if j < i else (f, g)
                gap = _gap_text(first, second)
                limit = _ACHIEVEMENT_GAP if j < i else _TARGET_GAP
                if gap is None or len(gap) > limit or ";" in gap:
                    continue
                if j < i and re.search(r"vượt\s*$", gap.lower()):
                    continue          # 'vượt 3%' is an excess, not a level of achievement
                achievements[g["fact_id"]] = f
                break
    return targets, achievements, consumed


def _row(f: dict, doc_id: str, rep: dict, props: dict, target_f, ach_f, stated, keys) -> dict:
    """Return the columns of an observation the rules make, and those :func:`_mark_conflicts` reads.

    The other columns come from the fact and the report as they are (:data:`_SOURCES`).
    """
    p = _props_for(props, f["indicator_id"], f["unit"])
    value, unit, derived = float(f["value"]), f["unit"], False
    target = achievement = None
    ach_source = None
    num, den = f.get("numerator"), f.get("denominator")
    if f["kind"] == "fraction" and not _nan(num) and not _nan(den) and float(den) != 0:
        ratio = float(num) / float(den)
        if p["unit"] in _SHARE_UNITS:
            factor = 1000.0 if p["unit"] == "per_mille" else 100.0
            value, unit, derived = ratio * factor, p["unit"], True
        else:
            target = float(den)
            achievement, ach_source = ratio * 100.0, "derived"
    if f["kind"] == "target_achievement":
        achievement, ach_source = value, "stated"
    if target_f is not None:
        target = float(target_f["value"])
    if ach_f is not None:
        achievement, ach_source = float(ach_f["value"]), "stated"
    return {
        "obs_id": f"{f['fact_id']}|{f['indicator_id']}", "doc_id": doc_id,
        "indicator_id": f["indicator_id"], "kind": f["kind"], "raw": f["raw"],
        "value": value, "unit": unit, "target": target, "achievement_pct": achievement,
        "programs": list(rep["programs"]) if rep["programs"] is not None else [],
        "is_conflict": False, "direction": p["direction"], "aggregation": p["aggregation"],
        "value_derived": derived, "achievement_source": ach_source,
        "target_fact_id": None if target_f is None else target_f["fact_id"],
        "achievement_fact_id": None if ach_f is None else ach_f["fact_id"],
        "stated_result": None if stated is None else stated[0],
        "stated_result_phrase": None if stated is None else stated[1],
        "conflict_with": None, "programme_keys": keys,
    }


def _mark_conflicts(rows: list[dict]) -> None:
    """Flag the rows of a stock indicator whose values disagree within a report."""
    groups: dict[tuple, list[dict]] = {}
    for r in rows:
        if r["kind"] in LEVEL_KINDS and r["aggregation"] == "stock":
            groups.setdefault((r["doc_id"], r["indicator_id"]), []).append(r)
    for grp in groups.values():
        if len(grp) < 2:
            continue
        items = []
        for r in grp:
            # a count against its target (8/8 chỉ tiêu) is compared by its achievement
            by_target = r["kind"] == "fraction" and r["target"] is not None \
                and r["achievement_pct"] is not None
            level = r["achievement_pct"] if by_target else r["value"]
            exact = r["value_derived"] or r["kind"] == "fraction"
            items.append((r, level, None if exact else stated_decimals(r["raw"])))
        candidates = _disagreeing_candidates(items)
        for r, v, dec in items:
            others = [o["raw"] for o, w, dec_o in candidates
                      if o is not r and not values_agree(v, w, dec, dec_o)]
            if others:
                r["is_conflict"] = True
                r["conflict_with"] = "; ".join(others)


#: Above this many statements of one indicator in one report, each is compared
#: with the extremes of every precision class only (linear, not quadratic).
_ALL_PAIRS_UP_TO = 64


def _disagreeing_candidates(items: list[tuple]) -> list[tuple]:
    """Return the statements a statement must be compared with to find a disagreement.

    Within one precision class the tolerance is fixed, so a value disagrees with
    some member of the class exactly when it disagrees with the class's smallest
    or largest value. Small groups are compared pair by pair, as written; a huge
    report that repeats an indicator thousands of times is compared with the
    extremes only, and names those in ``conflict_with``.
    """
    if len(items) <= _ALL_PAIRS_UP_TO:
        return items
    extremes: dict = {}
    for it in items:
        lo, hi = extremes.get(it[2], (it, it))
        extremes[it[2]] = (it if it[1] < lo[1] else lo, it if it[1] > hi[1] else hi)
    out = []
    for lo, hi in extremes.values():
        out.append(lo)
        if hi is not lo:
            out.append(hi)
    return out


def to_records(frame: pd.DataFrame, columns: list[str] | None = None) -> list[dict]:
    """Rows of a frame as dicts, missing values as None.

    Much faster than ``DataFrame.to_dict("records")`` on Arrow-backed string
    columns, which the tables use. ``columns``: the columns to read (default all).

    Examples
    --------
    >>> to_records(pd.DataFrame({"raw": pd.array(["97,95%", None], dtype="string")}))
    [{'raw': '97,95%'}, {'raw': None}]
    """
    cols = {c: _column_values(frame[c]) for c in (frame.columns if columns is None else columns)}
    names = list(cols)
    return [dict(zip(names, row)) for row in zip(*cols.values())]


def _column_values(col: pd.Series) -> list:
    """Return a column's values as a list, missing values as None."""
    if isinstance(col.dtype, pd.StringDtype):
        # long strings repeat (a sentence holds several facts): build each once
        codes, uniques = pd.factorize(col, use_na_sentinel=True)
        table = uniques.tolist() + [None]
        return [table[k] for k in codes.tolist()]
    values = col.to_numpy(dtype=object, na_value=None) if col.dtype != object \
        else col.to_numpy(dtype=object, copy=True)
    if col.dtype == object or str(col.dtype).startswith("datetime"):
        missing = pd.isna(col).to_numpy()
        if missing.any():
            values[missing] = None
    return values.tolist()


def _empty() -> pd.DataFrame:
    frame = pd.DataFrame({c.name: pd.Series([], dtype=c.dtype) for c in OBSERVATIONS.columns})
    for c in EXTRA_COLUMNS:
        frame[c] = pd.Series([], dtype="object")
    return frame


def build_observations(facts: pd.DataFrame, reports: pd.DataFrame, *,
                       catalog: pd.DataFrame | None = None) -> pd.DataFrame:
    """Turn facts with an indicator into observations of a unit in a period.

    Parameters
    ----------
    facts : DataFrame
        The facts table (:data:`analysis.schema.FACTS`).
    reports : DataFrame
        The reports table (:data:`analysis.schema.REPORTS`); every ``doc_id``
        of ``facts`` must have a row.
    catalog : DataFrame, optional
        The indicator catalogue (default :func:`analysis.catalog.load_catalog`).

    Returns
    -------
    DataFrame
        Validated against :data:`analysis.schema.OBSERVATIONS`, with the
        extra columns of :data:`EXTRA_COLUMNS`, sorted by ``doc_id`` then
        ``start``.

    Raises
    ------
    ValueError
        When a frame lacks columns, or facts refer to a report not loaded.

    Examples
    --------
    The Cự Khối 2018 report gives cultural residential groups twice, as 84,6%
    in its list of targets and as 12/13 = 92,3% further on: all three rows are
    kept and flagged.

    >>> text = ('tỷ lệ "tổ dân phố văn hóa"(84,6% - vượt 23%). '
    ...         'Có 12/13 tổ dân phố đạt tổ dân phố văn hoá, đạt tỷ lệ 92,3%.')
    >>> def fact(i, raw, value, kind, unit="percent", num=None, den=None):
    ...     start = text.index(raw)
    ...     return {"fact_id": f"ck:{start}", "doc_id": "ck", "value": value, "unit": unit,
    ...             "kind": kind, "numerator": num, "denominator": den, "qualifier": "exact",
    ...             "indicator_id": "cultural_group_rate", "raw": raw, "start": start,
    ...             "end": start + len(raw), "quote": raw, "sentence": text,
    ...             "sentence_start": 0}
    >>> facts = pd.DataFrame([fact(0, "84,6%", 84.6, "rate"),
    ...                       fact(1, "12/13", 12, "fraction", "count", 12, 13),
    ...                       fact(2, "92,3%", 92.3, "rate")])
    >>> reports = pd.DataFrame([{"doc_id": "ck", "unit_name": "Cự Khối", "unit_level": "ward",
    ...     "parent": "Long Biên", "period": "2018-FY", "period_start": pd.Timestamp("2018-01-01"),
    ...     "period_end": pd.Timestamp("2018-12-31"), "period_months": 12,
    ...     "doc_kind": "results", "programs": []}])
    >>> obs = build_observations(facts, reports)
    >>> obs[["raw", "value", "is_conflict", "conflict_with"]].round(2)
         raw  value  is_conflict conflict_with
    0  84,6%  84.60         True  12/13; 92,3%
    1  12/13  92.31         True         84,6%
    2  92,3%  92.30         True         84,6%
    """
    _check_columns(facts, _FACT_NEEDS, "facts")
    _check_columns(reports, _REPORT_NEEDS, "reports")
    props = _props_by_id(indicator_properties(catalog))
    phrases = load_result_phrases()
    read = [c for c in _REPORT_READ if c in reports.columns]
    rep_by_doc = {r["doc_id"]: (at, r) for at, r in enumerate(to_records(reports, read))}
    unknown = sorted(set(facts["doc_id"].unique()) - set(rep_by_doc))
    if unknown:
        raise ValueError(f"build_observations: facts of {unknown} have no row in the reports "
                         "table; load those reports (analysis.load.load_reports) first")
    rows, fact_at, report_at = [], [], []
    keys_cache: dict[tuple, list[str]] = {}
    for doc_id, doc_facts in _facts_by_doc(facts):
        at, rep = rep_by_doc[doc_id]
        rep["programs"] = _programs_list(rep.get("programs"))
        cache_key = (tuple(rep["programs"]), rep.get("unit_level"), rep.get("unit_name"),
                     rep.get("parent"), rep.get("city"), rep.get("period"), rep.get("period_end"))
        if cache_key not in keys_cache:
            keys_cache[cache_key] = [p.key for p in programmes_for(rep)]
        keys = list(keys_cache[cache_key])
        targets, achievements, consumed = _pair(doc_facts, props)
        matches_by_sentence: dict = {}
        for f in doc_facts:
            if f is None or _nan(f["indicator_id"]) or f["fact_id"] in consumed:
                continue
            stated = None
            if rep.get("doc_kind") != "plan" and not _nan(f.get("sentence")):
                key = f.get("sentence_start")
                if key not in matches_by_sentence:
                    matches_by_sentence[key] = _phrase_matches(f["sentence"], phrases)
                stated = _stated_result(f["sentence"], int(f["start"]) - int(f["sentence_start"]),
                                        matches_by_sentence[key])
            rows.append(_row(f, doc_id, rep, props, targets.get(f["fact_id"]),
                             achievements.get(f["fact_id"]), stated, keys))
            fact_at.append(f["at"])
            report_at.append(at)
    if not rows:
        return validate(_empty(), OBSERVATIONS)
    _mark_conflicts(rows)
    # the table's order: by report, offset, then fact id
    order = _sorted_positions(facts, ["doc_id", "start", "fact_id"], fact_at).tolist()
    taken = {source: [name for name, s, _ in _SOURCES if s == source and name in frame.columns]
             for source, frame in (("fact", facts), ("report", reports))}
    obs = _frame([rows[i] for i in order], facts[taken["fact"]].iloc[[fact_at[i] for i in order]],
                 reports[taken["report"]].iloc[[report_at[i] for i in order]])
    return validate(obs, OBSERVATIONS)


def _props_by_id(props: pd.DataFrame) -> dict:
    """Return ``{indicator_id: {column: value}}`` of :func:`analysis.catalog.indicator_properties`."""
    names = list(props.columns)
    columns = [props[c].tolist() for c in names]
    return {i: dict(zip(names, values)) for i, *values in zip(props.index.tolist(), *columns)}


#: The columns of an observation in the order of the table (those of
#: :data:`analysis.schema.OBSERVATIONS`, then the extra ones), and where each
#: comes from: its fact (taken as the facts frame holds it), its report
#: (likewise), the rules of this module (:func:`_row`, :func:`_mark_conflicts`),
#: or a later stage (nulls here); with the dtype it is made in.
_SOURCES = (
    ("obs_id", "rule", "string"), ("unit_name", "report", None), ("unit_level", "report", None),
    ("parent", "report", None), ("period", "report", None), ("period_start", "report", None),
    ("period_end", "report", None), ("period_months", "report", None), ("doc_kind", "report", None),
    ("indicator_id", "fact", None), ("value", "rule", "float64"), ("unit", "rule", "string"),
    ("kind", "fact", None), ("numerator", "fact", None), ("denominator", "fact", None),
    ("target", "rule", "float64"), ("achievement_pct", "rule", "float64"), ("qualifier", "fact", None),
    ("raw", "fact", None), ("programs", "rule", "object"), ("is_conflict", "rule", "boolean"),
    ("doc_id", "fact", None), ("fact_id", "fact", None), ("quote", "fact", None),
    ("sentence", "fact", None), ("start", "fact", None), ("end", "fact", None),
    ("is_implausible", "later", "boolean"), ("review_status", "later", "string"),
    ("corrected_from", "later", "string"),
    ("city", "report", "string"), ("direction", "rule", "string"), ("aggregation", "rule", "string"),
    ("counted", "fact", "string"), ("section", "fact", "string"), ("value_derived", "rule", "boolean"),
    # the cue keeps the dtype its values give (str, or object when there is none)
    ("indicator_cue", "fact", "values"),
    ("achievement_source", "rule", "string"), ("target_fact_id", "rule", "string"),
    ("achievement_fact_id", "rule", "string"), ("stated_result", "rule", "string"),
    ("stated_result_phrase", "rule", "string"), ("conflict_with", "rule", "string"),
    ("programme_keys", "rule", "object"),
)


def _frame(rows: list[dict], facts: pd.DataFrame, reports: pd.DataFrame) -> pd.DataFrame:
    """Return the observations as a frame, column by column (:data:`_SOURCES`).

    Row ``i`` is made of ``rows[i]``, of its fact ``facts.iloc[i]`` and of its
    report ``reports.iloc[i]``.
    """
    n = len(rows)
    dtypes = {d: pandas_dtype(d) for d in ("string", "float64", "boolean")}
    columns = {}
    for name, source, dtype in _SOURCES:
        if source == "rule":
            values = [r[name] for r in rows]
            columns[name] = values if dtype == "object" else _array(values, dtypes[dtype])
            continue
        frame = {"fact": facts, "report": reports}.get(source)
        if frame is None or name not in frame.columns:
            values = [None] * n
            columns[name] = values if dtype in (None, "values") else _array(values, dtypes[dtype])
        elif dtype == "values":
            columns[name] = _column_values(frame[name])
        elif dtype is None:
            columns[name] = frame[name].array
        else:
            columns[name] = frame[name].astype(dtypes[dtype]).array
    return pd.DataFrame(columns)


def _array(values: list, dtype):
    """Return a list of values as an array of ``dtype``.

    Arrow makes a string array of a list of str (or None) at once, several
    times faster than pandas checking each value.
    """
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow" and dtype.na_value is pd.NA:
        try:
            return pd.arrays.ArrowStringArray(pa.array(values, type=pa.large_string()))
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            pass                # not all str: pandas turns them into strings
    return pd.array(values, dtype=dtype)


def _programs_list(value) -> list:
    if value is None:
        return []
    if isinstance(value, str):
        return [p for p in re.split(r"[;,]\s*", value) if p]
    try:
        if pd.isna(value):
            return []
    except (TypeError, ValueError):
        pass
    return list(value)
