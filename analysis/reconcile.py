"""Reported figures reconciled, not trusted: :func:`audit`.

A report's figures are checked against each other: a fraction against the
percentage stated beside it, a result against its target and the achievement
stated beside it, a stock stated twice, and the report's own words about a
target against its figures. Mismatches come out as a table, each row with the
sentences it compares.
"""
from __future__ import annotations

import re

import pandas as pd

from analysis.compare.common import result_frame
from analysis.compare.scorecard import target_status
from analysis.i18n import t
from analysis.observations import LEVEL_KINDS, build_observations, stated_decimals, to_records, values_agree
from analysis.theme import format_number

__all__ = ["audit", "beside_percent"]


_AUDIT_EXTRA = ("unit_level", "check", "status", "expected", "stated", "other_raw",
                "other_quote", "other_start", "other_end", "detail")
_PCT_KINDS = ("rate", "target_achievement")
_BESIDE = 60


def beside_percent(fr: dict, facts: list[dict]) -> dict | None:
    """Return the percentage stated beside a fraction, in the same clause (None if none is).

    Parameters
    ----------
    fr : dict
        A fact of kind ``fraction``, with its ``sentence`` and ``sentence_start``.
    facts : list of dict
        The facts of the same report.

    Examples
    --------
    >>> s = "Có 5209/5318 hộ đăng ký, đạt tỷ lệ 97,95%."
    >>> fr = {"kind": "fraction", "unit": "count", "start": 3, "end": 12, "sentence": s,
    ...       "sentence_start": 0}
    >>> pct = {"kind": "rate", "unit": "percent", "start": 35, "end": 41, "raw": "97,95%",
    ...        "sentence_start": 0}
    >>> beside_percent(fr, [fr, pct])["raw"]
    '97,95%'
    """
    best, best_gap = None, None
    for g in facts:
        if g is fr or g["kind"] not in _PCT_KINDS or g["unit"] != "percent":
            continue
        if g.get("sentence_start") != fr.get("sentence_start") or not isinstance(fr.get("sentence"), str):
            continue
        base = int(fr["sentence_start"])
        s = fr["sentence"]
        if int(g["start"]) >= int(fr["end"]):
            gap = s[int(fr["end"]) - base:int(g["start"]) - base]
            if re.search(r"vượt\s*$", gap.lower()):
                continue
        elif int(g["end"]) <= int(fr["start"]):
            gap = s[int(g["end"]) - base:int(fr["start"]) - base]
        else:
            continue
        if len(gap) > _BESIDE or ";" in gap:
            continue
        between = [h for h in facts if h is not fr and h is not g
                   and min(fr["start"], g["start"]) < h["start"] < max(fr["start"], g["start"])]
        if between:
            continue
        if best_gap is None or len(gap) < best_gap:
            best, best_gap = g, len(gap)
    return best


def audit(facts: pd.DataFrame, reports: pd.DataFrame, *, catalog: pd.DataFrame | None = None,
          lang: str = "vi") -> pd.DataFrame:
    """Check that the reports' figures add up, and list what does not.

    Checks, each a row:

    ``fraction_percent``
        a fraction against the percentage stated beside it
        (``5209/5318 ... đạt tỷ lệ 97,95%``): the share must round to it.
    ``fraction_target``
        a result against its target and the achievement stated beside it
        (``28/20 ... đạt 140% kế hoạch``; ``3.471/6.000 người (đạt 57,9% kế
        hoạch)``).
    ``restatement``
        a stock indicator stated more than once in a report: the values must
        agree to the precision written (Cự Khối 2018: 84,6% vs 12/13 = 92,3%
        does not).
    ``stated_result``
        the report's words about a target (``vượt kế hoạch``) against its
        figures.

    A percentage agrees when the computed value rounds to it at the number
    of decimals written (57,85 is written 57,9).

    Parameters
    ----------
    facts, reports : DataFrame
        The facts and reports tables.
    catalog : DataFrame, optional
        The indicator catalogue.
    lang : {'vi', 'en'}

    Returns
    -------
    DataFrame
        :data:`SOURCE_COLUMNS` plus ``unit_level``, ``check``, ``status``
        (``ok``, ``mismatch`` or ``conflict``), ``expected``, ``stated``,
        ``other_raw``, ``other_quote``, ``other_start``, ``other_end`` and
        ``detail``; failures first, then in the reports' order.

    Notes
    -----
    On the bundled reports (``tests/integration/test_compare_bundled.py``):
    ``3.471/6.000 = 57.85% → stated 57.9% ✓`` and Cự Khối 2018's
    restatement ``84,6%`` against ``12/13; 92,3%``, the one failure.
    """
    obs = build_observations(facts, reports, catalog=catalog)
    rep = {r["doc_id"]: r for r in to_records(reports[["doc_id", "unit_name", "unit_level", "period"]])}
    rows = []

    def base(f: dict) -> dict:
        r = rep.get(f["doc_id"], {})
        return {"unit_name": r.get("unit_name"), "unit_level": r.get("unit_level"),
                "period": r.get("period"), "indicator_id": f.get("indicator_id"),
                "value": f["value"], "unit": f["unit"], "raw": f["raw"], "quote": f["quote"],
                "doc_id": f["doc_id"], "start": int(f["start"]), "end": int(f["end"])}

    by_doc: dict[str, list[dict]] = {}
    for f in to_records(facts.sort_values(["doc_id", "start"], kind="stable")):
        by_doc.setdefault(f["doc_id"], []).append(f)
    for doc in by_doc.values():
        for f in doc:
            if f["kind"] != "fraction" or pd.isna(f.get("numerator")) or pd.isna(f.get("denominator")) \
                    or not f["denominator"]:
                continue
            g = beside_percent(f, doc)
            if g is None:
                continue
            expected = float(f["numerator"]) / float(f["denominator"]) * 100
            ok = values_agree(expected, float(g["value"]), None, stated_decimals(g["raw"]))
            check = "fraction_target" if g["kind"] == "target_achievement" \
                or float(f["numerator"]) > float(f["denominator"]) else "fraction_percent"
            mark = "✓" if ok else "✗"
            rows.append({**base(f), "check": check, "status": "ok" if ok else "mismatch",
                         "expected": expected, "stated": float(g["value"]), "other_raw": g["raw"],
                         "other_quote": g["quote"], "other_start": int(g["start"]),
                         "other_end": int(g["end"]),
                         "detail": t("audit.fraction_detail", lang, raw=f["raw"],
                                     expected=format_number(expected, "percent", lang),
                                     stated=format_number(float(g["value"]), "percent", lang),
                                     mark=mark)})
    if len(obs):
        level = obs[obs["kind"].isin(LEVEL_KINDS) & (obs["aggregation"] == "stock")]
        for (doc_id, ind), grp in level.groupby(["doc_id", "indicator_id"], sort=True):
            if len(grp) < 2 or grp["sentence"].nunique(dropna=False) < 2:
                continue          # a fraction and its percentage: the fraction check's job
            grp = grp.sort_values("start")
            conflict = bool(grp["is_conflict"].any())
            first = grp[grp["is_conflict"]].iloc[0] if conflict else grp.iloc[0]
            others = grp[grp["fact_id"] != first["fact_id"]]
            other_raw = first["conflict_with"] if conflict else "; ".join(others["raw"])
            shown = "; ".join(f"{r} ({format_number(v, None, lang, 2)})" if d else r
                              for r, v, d in zip(grp["raw"], grp["value"], grp["value_derived"]))
            rows.append({"unit_name": first["unit_name"], "unit_level": first["unit_level"],
                         "period": first["period"], "indicator_id": ind, "value": first["value"],
                         "unit": first["unit"], "raw": first["raw"], "quote": first["quote"],
                         "doc_id": doc_id, "start": int(first["start"]), "end": int(first["end"]),
                         "check": "restatement", "status": "conflict" if conflict else "ok",
                         "expected": None, "stated": None, "other_raw": other_raw,
                         "other_quote": others["quote"].iloc[0], "other_start": int(others["start"].iloc[0]),
                         "other_end": int(others["end"].iloc[0]),
                         "detail": f"{ind}: {shown} {'✗' if conflict else '✓'}"})
        for r in to_records(obs[obs["stated_result"].notna()]):
            status, basis = target_status(r)
            if status is None:
                continue
            ok = status == r["stated_result"]
            rows.append({"unit_name": r["unit_name"], "unit_level": r["unit_level"],
                         "period": r["period"], "indicator_id": r["indicator_id"],
                         "value": r["value"], "unit": r["unit"], "raw": r["raw"], "quote": r["quote"],
                         "doc_id": r["doc_id"], "start": int(r["start"]), "end": int(r["end"]),
                         "check": "stated_result", "status": "ok" if ok else "mismatch",
                         "expected": None, "stated": None, "other_raw": r["stated_result_phrase"],
                         "other_quote": r["sentence"], "other_start": None, "other_end": None,
                         "detail": f"'{r['stated_result_phrase']}' ~ {r['raw']} → {status} "
                                   f"{'✓' if ok else '✗'}"})
    frame = pd.DataFrame(rows)
    if len(frame):
        frame["_bad"] = frame["status"] == "ok"
        frame = frame.sort_values(["_bad", "doc_id", "start", "check"], kind="stable").drop(columns="_bad")
    return result_frame(frame, _AUDIT_EXTRA)

