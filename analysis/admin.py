"""Administrative units across the 2025 reform, and the Party programmes reports cite.

Two reference tables live in ``data/reference/``:

``admin_units.csv``
    One row per unit (ward, district, city) with its level, parent, the dates it
    existed (``valid_from``/``valid_to``, both inclusive, blank when not recorded)
    and its successors as ``unit_id:share`` pairs, where ``share`` is ``whole``
    (all of the unit's area went there) or ``partial`` (only part of it did).
    ``successors_complete`` says whether every successor is listed. The 2025
    reform (Nghị quyết 1656/NQ-UBTVQH15, in force 2025-07-01) is recorded for the
    corpus's units: Thạch Bàn, Cự Khối and Phúc Đồng went in part into the new
    phường Long Biên, and the district tier ended.

``programmes.csv``
    One row per programme of a Party committee, keyed by (``number``,
    ``committee``, ``term``): a number such as ``02-CTr/QU`` means something only
    with the committee that issued it and the term it belongs to.

Roll-ups are ``exact`` when every step from a unit to its successor carries the
whole unit, ``partial`` otherwise: a partial roll-up can relabel a series with
today's unit but cannot attribute the old unit's numbers to it. Nothing here
combines values; see ``docs/admin-units.md``.
"""
from __future__ import annotations

import datetime as _dt
import re
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from analysis.paths import REFERENCE

__all__ = [
    "AdminReferenceError", "Successor", "Programme", "load_admin_units",
    "resolve_unit", "successors", "rollup_kind", "crosswalk",
    "load_programmes", "programme_key", "programmes_for",
]

ADMIN_FILE = "admin_units.csv"
PROGRAMMES_FILE = "programmes.csv"
_ADMIN_COLUMNS = ("unit_id", "unit_name", "unit_level", "parent_id", "valid_from",
                  "valid_to", "successors", "successors_complete", "source", "note")
_PROGRAMME_COLUMNS = ("number", "committee", "term", "term_start", "term_end",
                      "title", "subject", "source_doc", "note")
_LEVELS = ("ward", "district", "commune", "city")
_SHARES = ("whole", "partial")
#: Which committee issues a programme number, by the number's suffix
#: (the Party's document-numbering convention): ``/QU`` the district committee
#: (Quận ủy), ``/TU`` the city committee (Thành ủy), ``/ĐU`` the ward's own.
_ISSUERS = {"QU": ("Quận ủy", "district"), "TU": ("Thành ủy", "city"),
            "ĐU": ("Đảng ủy", "ward"), "DU": ("Đảng ủy", "ward")}


class AdminReferenceError(ValueError):
    """A reference table is malformed, or a unit cannot be resolved."""


class Successor(NamedTuple):
    """A unit that holds (part of) an older unit's area on a given date."""

    unit_id: str
    unit_name: str
    unit_level: str
    rollup: str          # 'exact' or 'partial'


class Programme(NamedTuple):
    """A cited programme resolved to its committee and term."""

    key: str             # '02-CTr/QU · Quận ủy Long Biên · 2020-2025'
    number: str
    committee: str
    term: str | None
    title: str | None
    is_known: bool       # listed in data/reference/programmes.csv


# --------------------------------------------------------------------------
# administrative units


def _reference_path(name: str, folder: Path | None) -> Path:
    return Path(folder) / name if folder is not None else REFERENCE / name


def _problem(path: Path, line: int | None, what: str, fix: str) -> AdminReferenceError:
    where = f"{path}" + (f", line {line}" if line is not None else "")
    return AdminReferenceError(f"{where}: {what}; {fix}")


def _parse_successors(text: str, path: Path, line: int) -> list[tuple[str, str]]:
    out = []
    for part in filter(None, (p.strip() for p in text.split(";"))):
        unit_id, _, share = part.partition(":")
        share = share.strip() or "partial"
        if share not in _SHARES:
            raise _problem(path, line, f"successor share {share!r} is not one of {_SHARES}",
                           "write successors as 'unit_id:whole' or 'unit_id:partial'")
        out.append((unit_id.strip(), share))
    return out


@lru_cache(maxsize=8)
def _read_admin(path_text: str, mtime: float) -> pd.DataFrame:
    path = Path(path_text)
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except FileNotFoundError:
        raise AdminReferenceError(f"{path}: file not found; restore it from the repository") from None
    missing = [c for c in _ADMIN_COLUMNS if c not in raw.columns]
    if missing:
        raise _problem(path, None, f"missing columns {missing}", f"give the header {','.join(_ADMIN_COLUMNS)}")
    raw = raw.map(str.strip)
    rows = []
    for i, r in enumerate(raw.to_dict("records")):
        line = i + 2
        if not r["unit_id"]:
            raise _problem(path, line, "empty unit_id", "give every unit an id")
        if r["unit_level"] not in _LEVELS:
            raise _problem(path, line, f"unit_level {r['unit_level']!r} is not one of {_LEVELS}",
                           "fix the unit_level column")
        dates = {}
        for col in ("valid_from", "valid_to"):
            try:
                dates[col] = pd.Timestamp(r[col]) if r[col] else pd.NaT
            except ValueError:
                raise _problem(path, line, f"{col} {r[col]!r} is not a date",
                               "write dates as YYYY-MM-DD or leave them blank") from None
        if pd.notna(dates["valid_from"]) and pd.notna(dates["valid_to"]) \
                and dates["valid_to"] < dates["valid_from"]:
            raise _problem(path, line, "valid_to is before valid_from", "fix the dates")
        complete = {"true": True, "false": False, "": None}.get(r["successors_complete"].lower())
        rows.append({**r, **dates, "successors": _parse_successors(r["successors"], path, line),
                     "successors_complete": complete, "parent_id": r["parent_id"] or None})
    frame = pd.DataFrame(rows, columns=list(_ADMIN_COLUMNS))
    frame["parent_id"] = pd.Series([r["parent_id"] for r in rows], dtype=object, index=frame.index)
    frame["successors"] = pd.Series([r["successors"] for r in rows], dtype=object, index=frame.index)
    frame["successors_complete"] = pd.array([r["successors_complete"] for r in rows], dtype="boolean")
    ids = set(frame["unit_id"])
    dup = frame["unit_id"][frame["unit_id"].duplicated()].tolist()
    if dup:
        raise _problem(path, None, f"duplicate unit_id {dup}", "give each unit one row")
    for i, r in frame.iterrows():
        for ref in [r["parent_id"]] + [s for s, _ in r["successors"]]:
            if ref and ref not in ids:
                raise _problem(path, i + 2, f"unknown unit_id {ref!r}",
                               "add that unit as a row or fix the reference")
    frame["valid_from"] = frame["valid_from"].astype("datetime64[ms]")
    frame["valid_to"] = frame["valid_to"].astype("datetime64[ms]")
    return frame


def load_admin_units(folder: Path | str | None = None) -> pd.DataFrame:
    """Read ``admin_units.csv``: one row per administrative unit.

    Parameters
    ----------
    folder : path, optional
        Folder holding ``admin_units.csv`` (default ``data/reference``).

    Returns
    -------
    DataFrame
        Columns ``unit_id``, ``unit_name``, ``unit_level``, ``parent_id``,
        ``valid_from``, ``valid_to`` (datetimes, NaT when not recorded),
        ``successors`` (list of ``(unit_id, share)``), ``successors_complete``,
        ``source``, ``note``.

    Examples
    --------
    >>> units = load_admin_units().set_index("unit_id")
    >>> units.loc["phuong-thach-ban", ["unit_name", "unit_level", "parent_id"]].tolist()
    ['Thạch Bàn', 'ward', 'quan-long-bien']
    >>> units.loc["phuong-cu-khoi", "successors"]
    [('phuong-long-bien-2025', 'partial')]
    >>> str(units.loc["quan-cau-giay", "valid_to"].date())
    '2025-06-30'
    """
    path = _reference_path(ADMIN_FILE, folder)
    try:
        mtime = path.stat().st_mtime
    except FileNotFoundError:
        raise AdminReferenceError(f"{path}: file not found; restore it from the repository") from None
    return _read_admin(str(path), mtime).copy()


def _as_date(on) -> pd.Timestamp:
    if on is None:
        return pd.Timestamp(_dt.date.today())
    return pd.Timestamp(on)


def _valid_on(row, day: pd.Timestamp) -> bool:
    return (pd.isna(row["valid_from"]) or row["valid_from"] <= day) and \
           (pd.isna(row["valid_to"]) or day <= row["valid_to"])


def resolve_unit(name: str, level: str | None = None, parent: str | None = None,
                 on=None, units: pd.DataFrame | None = None) -> str:
    """Find the ``unit_id`` of a unit named as the reports name it.

    Names repeat across levels and across the reform ("Cầu Giấy" is a district
    until 2025-06-30 and a ward from 2025-07-01), so the level, the parent's name
    and the date narrow the choice. A unit id is returned unchanged.

    Parameters
    ----------
    name : str
        Unit name without prefix (``"Thạch Bàn"``) or a ``unit_id``.
    level : str, optional
        ``ward``, ``district``, ``commune`` or ``city``.
    parent : str, optional
        Name of the parent unit (``"Long Biên"``).
    on : date-like, optional
        Date the unit must exist on (default: any date; most recent wins).

    Raises
    ------
    AdminReferenceError
        When no unit or more than one matches.

    Examples
    --------
    >>> resolve_unit("Cầu Giấy", "district")
    'quan-cau-giay'
    >>> resolve_unit("Cầu Giấy", on="2026-01-01")
    'phuong-cau-giay-2025'
    >>> resolve_unit("Thạch Bàn", "ward", parent="Long Biên", on="2021-06-30")
    'phuong-thach-ban'
    """
    units = load_admin_units() if units is None else units
    if name in set(units["unit_id"]):
        return name
    names = units.set_index("unit_id")["unit_name"]
    cand = units[units["unit_name"] == name]
    if level is not None:
        cand = cand[cand["unit_level"] == level]
    if parent is not None and len(cand) > 1:
        by_parent = cand[cand["parent_id"].map(lambda p: names.get(p) if p else None) == parent]
        cand = by_parent if len(by_parent) else cand
    if on is not None and len(cand) > 1:
        day = _as_date(on)
        cand = cand[[_valid_on(r, day) for _, r in cand.iterrows()]]
    if len(cand) > 1 and on is None:
        # the unit in force most recently
        cand = cand.sort_values("valid_to", na_position="last").tail(1)
    if len(cand) == 1:
        return cand["unit_id"].iloc[0]
    what = f"unit {name!r}" + (f" ({level})" if level else "") + (f" in {parent}" if parent else "")
    if not len(cand):
        raise AdminReferenceError(
            f"{REFERENCE / ADMIN_FILE}: no {what}; add it as a row of admin_units.csv")
    raise AdminReferenceError(
        f"{REFERENCE / ADMIN_FILE}: {what} is ambiguous ({', '.join(cand['unit_id'])}); "
        "give the level, the parent or a date")


def successors(unit: str, on=None, *, level: str | None = None,
               parent: str | None = None) -> list[Successor]:
    """Find the units that hold an older unit's area on a date.

    A unit still in force on ``on`` is its own successor (``exact``). Otherwise
    the successor chain is followed until units in force on that date; the
    roll-up is ``partial`` as soon as one step carries only part of a unit.

    Parameters
    ----------
    unit : str
        A ``unit_id`` or a unit name (see :func:`resolve_unit`).
    on : date-like, optional
        The date of interest; default today (read when called).
    level, parent : str, optional
        Narrow a unit name, as in :func:`resolve_unit`.

    Returns
    -------
    list of Successor
        ``(unit_id, unit_name, unit_level, rollup)``; empty when the unit
        ended with no recorded successor.

    Examples
    --------
    >>> successors("Thạch Bàn", on="2025-07-01")
    [Successor(unit_id='phuong-long-bien-2025', unit_name='Long Biên', unit_level='ward', rollup='partial')]
    >>> successors("Thạch Bàn", on="2021-06-30")
    [Successor(unit_id='phuong-thach-ban', unit_name='Thạch Bàn', unit_level='ward', rollup='exact')]
    """
    units = load_admin_units()
    day = _as_date(on)
    start_id = resolve_unit(unit, level, parent, units=units)
    table = units.set_index("unit_id")
    first = table.loc[start_id]
    if pd.notna(first["valid_from"]) and day < first["valid_from"]:
        raise AdminReferenceError(
            f"unit {first['unit_name']!r} ({start_id}) did not exist yet on {day.date()}; "
            "ask for a date on or after its valid_from")
    found: dict[str, str] = {}
    stack = [(start_id, "whole")]
    seen = set()
    while stack:
        uid, share = stack.pop()
        if (uid, share) in seen:
            continue
        seen.add((uid, share))
        row = table.loc[uid]
        if _valid_on(row, day):
            kind = "exact" if share == "whole" else "partial"
            found[uid] = "exact" if "exact" in (kind, found.get(uid)) else "partial"
            continue
        for nxt, nxt_share in row["successors"]:
            stack.append((nxt, "whole" if share == nxt_share == "whole" else "partial"))
    return [Successor(uid, table.loc[uid, "unit_name"], table.loc[uid, "unit_level"], kind)
            for uid, kind in sorted(found.items())]


def rollup_kind(unit: str, successor: str) -> str:
    """Whether an old unit's figures roll up into a successor exactly or in part.

    Parameters
    ----------
    unit, successor : str
        Unit ids (or unambiguous names; see :func:`resolve_unit`).

    Returns
    -------
    str
        ``'exact'`` when the whole unit went into the successor at every step,
        ``'partial'`` otherwise.

    Raises
    ------
    AdminReferenceError
        When ``successor`` is not a successor of ``unit``.

    Examples
    --------
    >>> rollup_kind("phuong-phuc-dong", "phuong-long-bien-2025")
    'partial'
    >>> rollup_kind("phuong-phuc-dong", "phuong-phuc-dong")
    'exact'
    """
    units = load_admin_units()
    uid = resolve_unit(unit, units=units)
    sid = resolve_unit(successor, units=units)
    if uid == sid:
        return "exact"
    table = units.set_index("unit_id")
    kinds = set()
    stack = [(uid, "whole")]
    seen = set()
    while stack:
        cur, share = stack.pop()
        if (cur, share) in seen:
            continue
        seen.add((cur, share))
        for nxt, nxt_share in table.loc[cur, "successors"]:
            step = "whole" if share == nxt_share == "whole" else "partial"
            if nxt == sid:
                kinds.add(step)
            stack.append((nxt, step))
    if not kinds:
        raise AdminReferenceError(
            f"{sid!r} is not a recorded successor of {uid!r}; see {REFERENCE / ADMIN_FILE}")
    return "exact" if "whole" in kinds else "partial"


def crosswalk(obs: pd.DataFrame, on=None) -> pd.DataFrame:
    """Add today's unit to each observation, with a flag for partial roll-ups.

    Each row's unit is resolved from ``unit_name``, ``unit_level``, ``parent``
    and its ``period_end``, then followed to the units in force on ``on``.

    Parameters
    ----------
    obs : DataFrame
        Observations (or any frame with ``unit_name``, ``unit_level``,
        ``parent`` and ``period_end``).
    on : date-like, optional
        The date whose units to map to; default today (read when called).

    Returns
    -------
    DataFrame
        A copy of ``obs`` with ``unit_id`` (the unit as reported),
        ``successor_id``, ``successor_name``, ``successor_level`` (several
        successors joined with ``"; "``), ``is_partial`` (nullable boolean:
        the report's figures cannot be attributed whole to today's unit) and
        ``crosswalk_note``. Units missing from the table get nulls and a note.

    Examples
    --------
    >>> obs = pd.DataFrame({"unit_name": ["Cự Khối", "Cầu Giấy"],
    ...     "unit_level": ["ward", "district"], "parent": ["Long Biên", None],
    ...     "period_end": pd.to_datetime(["2018-12-31", "2022-06-30"])})
    >>> crosswalk(obs, on="2025-07-01")[["unit_name", "successor_name", "successor_level", "is_partial"]]
      unit_name successor_name successor_level  is_partial
    0   Cự Khối       Long Biên            ward        True
    1  Cầu Giấy       Cầu Giấy            ward        True
    """
    out = obs.copy()
    units = load_admin_units()
    day = _as_date(on)
    table = units.set_index("unit_id")
    cache: dict[tuple, tuple] = {}
    cols = {k: [] for k in ("unit_id", "successor_id", "successor_name",
                            "successor_level", "is_partial", "crosswalk_note")}
    parents = out["parent"] if "parent" in out else pd.Series([None] * len(out), index=out.index)
    levels = out["unit_level"] if "unit_level" in out else pd.Series([None] * len(out), index=out.index)
    ends = out["period_end"] if "period_end" in out else pd.Series([pd.NaT] * len(out), index=out.index)
    for name, level, parent, end in zip(out["unit_name"], levels, parents, ends):
        key = (name, level if pd.notna(level) else None, parent if pd.notna(parent) else None,
               None if pd.isna(end) else pd.Timestamp(end))
        if key not in cache:
            cache[key] = _crosswalk_one(key, day, units, table)
        for k, v in zip(cols, cache[key]):
            cols[k].append(v)
    for k, v in cols.items():
        out[k] = pd.array(v, dtype="boolean") if k == "is_partial" else pd.array(v, dtype="string")
    return out


def _crosswalk_one(key, day, units, table):
    name, level, parent, end = key
    try:
        uid = resolve_unit(name, level, parent, on=end, units=units)
        succ = successors(uid, on=day)
    except AdminReferenceError as e:
        return (None, None, None, None, None, f"not crosswalked: {e}")
    if not succ:
        return (uid, None, None, None, None,
                f"{name} ended with no recorded successor")
    partial = any(s.rollup == "partial" for s in succ)
    notes = []
    if succ != [Successor(uid, table.loc[uid, "unit_name"], table.loc[uid, "unit_level"], "exact")]:
        complete = table.loc[uid, "successors_complete"]
        notes.append("partial: only part of the unit's area went to "
                     + ", ".join(s.unit_name for s in succ) if partial
                     else "exact: the whole unit went to " + ", ".join(s.unit_name for s in succ))
        if pd.notna(complete) and not complete:
            notes.append("other successors not recorded")
    return (uid, "; ".join(s.unit_id for s in succ), "; ".join(s.unit_name for s in succ),
            "; ".join(sorted({s.unit_level for s in succ})), partial, "; ".join(notes) or None)


# --------------------------------------------------------------------------
# programmes


def programme_key(number: str, committee: str, term: str | None) -> str:
    """Make the key a programme is known by: number, committee and term.

    Examples
    --------
    >>> programme_key("02-CTr/QU", "Quận ủy Long Biên", "2020-2025")
    '02-CTr/QU · Quận ủy Long Biên · 2020-2025'
    """
    return f"{number} · {committee} · {term or '?'}"


@lru_cache(maxsize=8)
def _read_programmes(path_text: str, mtime: float) -> pd.DataFrame:
    path = Path(path_text)
    raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    missing = [c for c in _PROGRAMME_COLUMNS if c not in raw.columns]
    if missing:
        raise _problem(path, None, f"missing columns {missing}",
                       f"give the header {','.join(_PROGRAMME_COLUMNS)}")
    raw = raw.map(str.strip)
    for i, r in raw.iterrows():
        if not (r["number"] and r["committee"] and r["term"]):
            raise _problem(path, i + 2, "number, committee and term are required",
                           "fill in all three: a programme is keyed by them")
        if not re.fullmatch(r"\d{4}", r["term_start"]) or not re.fullmatch(r"\d{4}", r["term_end"]):
            raise _problem(path, i + 2, "term_start and term_end must be years",
                           "write them as YYYY")
    raw["term_start"] = raw["term_start"].astype(int)
    raw["term_end"] = raw["term_end"].astype(int)
    for col in ("title", "subject", "source_doc", "note"):
        raw[col] = raw[col].replace("", None)
    raw["key"] = [programme_key(n, c, t) for n, c, t in zip(raw["number"], raw["committee"], raw["term"])]
    dup = raw["key"][raw["key"].duplicated()].tolist()
    if dup:
        raise _problem(path, None, f"duplicate programmes {dup}", "keep one row per (number, committee, term)")
    return raw


def load_programmes(folder: Path | str | None = None) -> pd.DataFrame:
    """Read ``programmes.csv``: Party programmes keyed by number, committee and term.

    Returns
    -------
    DataFrame
        Columns ``number``, ``committee``, ``term``, ``term_start``,
        ``term_end`` (years), ``title`` (null where no report states it),
        ``subject``, ``source_doc``, ``note`` and ``key``.

    Examples
    --------
    >>> p = load_programmes()
    >>> p[p["number"] == "02-CTr/QU"][["committee", "term"]].values.tolist()
    [['Quận ủy Long Biên', '2015-2020'], ['Quận ủy Long Biên', '2020-2025']]
    """
    return _read_programmes(*_programmes_file(folder)).copy()


def _programmes_file(folder) -> tuple[str, float]:
    """Path and modification time of ``programmes.csv`` (the key of the caches)."""
    path = _reference_path(PROGRAMMES_FILE, folder)
    try:
        return str(path), path.stat().st_mtime
    except FileNotFoundError:
        raise AdminReferenceError(f"{path}: file not found; restore it from the repository") from None


@lru_cache(maxsize=4)
def _programmes_by_number(path_text: str, mtime: float) -> dict[str, list[dict]]:
    """Index the rows of ``programmes.csv`` by programme number, read once per file version."""
    index: dict[str, list[dict]] = {}
    for r in _read_programmes(path_text, mtime).to_dict("records"):
        index.setdefault(r["number"], []).append(r)
    return index


def _get(row, name):
    try:
        value = row[name]
    except (KeyError, IndexError):
        return None
    if isinstance(value, (list, tuple)):
        return value
    try:
        return None if pd.isna(value) else value
    except (TypeError, ValueError):
        return value


def _report_year(row) -> int | None:
    for col in ("period_end", "period_start"):
        value = _get(row, col)
        if value is not None:
            return pd.Timestamp(value).year
    period = _get(row, "period")
    if period and re.match(r"\d{4}", str(period)):
        return int(str(period)[:4])
    return None


def programmes_for(report_row, programmes: pd.DataFrame | None = None) -> list[Programme]:
    """Resolve the programme numbers a report cites to (number, committee, term).

    The committee follows from the number's suffix and the report's unit
    (``/QU`` of a ward is its parent district's Quận ủy; of a district, its
    own); the term is the one of that committee's programmes whose years hold
    the report's period. A term's first and last years are shared with the
    terms before and after; a year strictly inside a term wins, and a shared
    year with two candidates stays unresolved (``term=None``).

    Parameters
    ----------
    report_row : mapping
        A row of the reports table (``programs``, ``unit_name``, ``unit_level``,
        ``parent``, ``period``/``period_end``).
    programmes : DataFrame, optional
        As returned by :func:`load_programmes`.

    Returns
    -------
    list of Programme
        One per cited number, in the report's order; ``is_known`` is False for
        a programme missing from ``programmes.csv``.

    Examples
    --------
    >>> row = {"programs": ["02-CTr/QU"], "unit_name": "Thạch Bàn",
    ...        "unit_level": "ward", "parent": "Long Biên", "period": "2021-H1"}
    >>> [p.key for p in programmes_for(row)]
    ['02-CTr/QU · Quận ủy Long Biên · 2020-2025']
    >>> row = {"programs": ["02-CTr/QU"], "unit_name": "Cự Khối",
    ...        "unit_level": "ward", "parent": "Long Biên", "period": "2018-FY"}
    >>> programmes_for(row)[0].term
    '2015-2020'
    """
    cited = _get(report_row, "programs")
    if cited is None:
        return []
    cited = list(cited)
    if not cited:
        return []
    level = _get(report_row, "unit_level")
    unit = _get(report_row, "unit_name")
    parent = _get(report_row, "parent")
    year = _report_year(report_row)
    # only the rows of the numbers cited: this runs once per report of a build
    if programmes is None:
        index = _programmes_by_number(*_programmes_file(None))
        records = [r for n in dict.fromkeys(cited) for r in index.get(n, ())]
    else:
        records = programmes[programmes["number"].isin(cited)].to_dict("records")
    out = []
    for number in cited:
        suffix = str(number).rsplit("/", 1)[-1].upper() if "/" in str(number) else ""
        prefix, issuer_level = _ISSUERS.get(suffix, (None, None))
        if issuer_level == "district":
            owner = unit if level == "district" else parent
        elif issuer_level == "ward":
            owner = unit
        elif issuer_level == "city":
            owner = _get(report_row, "city") or "Hà Nội"
        else:
            owner = None
        committee = f"{prefix} {owner}" if prefix and owner else None
        cand = [r for r in records if r["number"] == number
                and (committee is None or r["committee"] == committee)]
        chosen = None
        if year is not None and cand:
            inside = [r for r in cand if r["term_start"] < year < r["term_end"]]
            edge = [r for r in cand if r["term_start"] <= year <= r["term_end"]]
            if len(inside) == 1:
                chosen = inside[0]
            elif len(edge) == 1:
                chosen = edge[0]
        if chosen is not None:
            out.append(Programme(chosen["key"], number, chosen["committee"], chosen["term"],
                                 chosen["title"], True))
        else:
            committee = committee or "?"
            out.append(Programme(programme_key(number, committee, None), number, committee,
                                 None, None, False))
    return out
