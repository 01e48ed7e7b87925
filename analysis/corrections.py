"""Analysts' corrections, kept as data and applied by every build.

``data/corrections.csv`` (beside ``data/raw/``) holds one row per decision an
analyst took on a figure or a report:

``confirm``
    the figure is right as the suite read it;
``reject``
    the number is not a statistic: the fact and its observation leave the tables;
``set``
    one field is wrong: ``field`` names it and ``value`` gives the right value.
    A figure's fields are ``indicator_id`` (empty: no indicator), ``value``,
    ``unit``, ``kind`` and ``qualifier``; a report's are ``unit_name``,
    ``unit_level``, ``period`` and ``doc_kind`` (``start``, ``end`` and ``raw``
    left empty).

A correction is found again by the report's content, not by the row of a
table: the report by its ``doc_id``, else by the checksum of its file
(``sha256``: a renamed file), else, for a figure, by the only report whose text
holds the number with its context; the figure by the number as the report
wrote it (``raw``) with up to 40 characters of its line before and after
(``context_before``, ``context_after``). So a correction survives edits of
the report elsewhere, above the number included (the offsets are looked up
again); when the number itself changed, or its place cannot be found, the
correction is not applied and the build lists it with its line. The raw
reports are never modified.

Rows are appended, never rewritten, under a lock on the file
(:func:`append_corrections`): two analysts saving at once lose nothing. A
malformed row is one line naming the line of the file and the fix, and the
build goes on without it.

Decisions are replayed in the file's order: a later ``confirm`` or ``set``
undoes an earlier ``reject``; each ``set`` of a field replaces an earlier one.
"""
from __future__ import annotations

import csv
import io
import json
import math
import os
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable, Mapping

import pandas as pd

from analysis import paths, schema
from analysis.catalog import load_catalog
from analysis.evaluate import FolderEvaluation, score, score_indicators
from analysis.load import Message, display_path
from analysis.observations import build_observations
from analysis.periods import parse_period
from analysis.store import read_table

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: appends of one write each, no lock
    fcntl = None

__all__ = [
    "COLUMNS", "ACTIONS", "FACT_FIELDS", "REPORT_FIELDS", "CONTEXT_CHARS", "CorrectionError",
    "Corrections", "Located", "Applied", "corrections_file", "read_corrections",
    "check_correction", "fact_context", "fact_correction", "report_correction",
    "append_corrections", "locate", "apply_corrections", "reviewed_gold", "evaluate_reviewed",
]

#: The columns of the corrections file, in order.
COLUMNS = ("doc_id", "start", "end", "raw", "context_before", "context_after", "sha256",
           "action", "field", "value", "note", "reviewer", "at")
ACTIONS = ("confirm", "reject", "set")
#: Fields a ``set`` may change on a figure, and on a report.
FACT_FIELDS = ("indicator_id", "value", "unit", "kind", "qualifier")
REPORT_FIELDS = ("unit_name", "unit_level", "period", "doc_kind")
#: Characters of the number's line kept on each side to find it again.
CONTEXT_CHARS = 40
#: Shorter contexts tried when the full one is not found (an edit near the number).
_SHORTER = (20, 10)
_NUMBER_GAP = r"[^\n]{1,40}?"


class CorrectionError(ValueError):
    """A correction that cannot be written: the message says what to fix."""


def corrections_file(raw: str | os.PathLike | None = None) -> Path:
    """Name the corrections file a build applies.

    ``ANALYSIS_CORRECTIONS`` if it is set, else ``corrections.csv`` beside the
    folder of raw reports (``data/corrections.csv``).

    Parameters
    ----------
    raw : str or os.PathLike, optional
        The folder of raw reports (default :data:`analysis.paths.RAW`).

    Returns
    -------
    Path
        The file; it may not exist (no corrections yet).

    Examples
    --------
    >>> corrections_file("/srv/reports/raw").as_posix() if "ANALYSIS_CORRECTIONS" not in os.environ else ""
    '/srv/reports/corrections.csv'
    """
    env = os.environ.get("ANALYSIS_CORRECTIONS")
    if env:
        return Path(env)
    return Path(raw if raw is not None else paths.RAW).parent / "corrections.csv"


# --------------------------------------------------------------------------
# Checking a row
# --------------------------------------------------------------------------

def _blank(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or str(v).strip() == ""


def _int(v) -> int | None:
    try:
        f = float(str(v).strip())
    except ValueError:
        return None
    return int(f) if f.is_integer() else None


def _indicator_ids() -> set[str]:
    return set(load_catalog()["indicator_id"])


def _value_problem(name: str, value: str) -> str | None:
    """Say what is wrong with a value of a field, with the fix; None if it is fine."""
    choices = {"unit": schema.UNITS, "kind": schema.KINDS, "qualifier": schema.QUALIFIERS,
               "unit_level": schema.UNIT_LEVELS, "doc_kind": schema.DOC_KINDS}
    if name in choices:
        if value not in choices[name]:
            return f"{name} {value!r} is not one of {', '.join(choices[name])}; write one of them"
    elif name == "value":
        try:
            ok = math.isfinite(float(value))
        except ValueError:
            ok = False
        if not ok:
            return (f"value {value!r} is not a number; write it with a dot for decimals and no "
                    "thousands separator (97.95, 12877755000)")
    elif name == "indicator_id":
        if value and value not in _indicator_ids():
            return (f"indicator {value!r} is not in data/catalog/indicators.csv; use an id of the "
                    "catalogue, or leave value empty for no indicator")
    elif name == "period":
        try:
            parse_period(value)
        except ValueError:
            return f"period {value!r} is not a period code; write YYYY-FY, YYYY-H1, YYYY-H2, YYYY-Q1…Q4 or YYYY-9M"
    elif name == "unit_name":
        if not value:
            return "unit_name is empty; write the unit's name without 'phường'/'quận' (e.g. Thạch Bàn)"
    return None


def check_correction(row: Mapping) -> str | None:
    """Say what is wrong with a corrections row, with the fix; None if it is fine.

    Examples
    --------
    >>> check_correction({"doc_id": "thach-ban-2021-h1", "start": "10", "end": "16",
    ...                   "raw": "97,95%", "action": "reject"}) is None
    True
    >>> check_correction({"doc_id": "thach-ban-2021-h1", "action": "set", "field": "period",
    ...                   "value": "2021-H3"})
    "period '2021-H3' is not a period code; write YYYY-FY, YYYY-H1, YYYY-H2, YYYY-Q1…Q4 or YYYY-9M"
    >>> check_correction({"doc_id": "x", "start": "5", "end": "3", "raw": "12", "action": "confirm"})
    'start 5 and end 3 are not offsets of a number (whole numbers, start before end); copy them from the facts table'
    """
    get = {k: ("" if _blank(row.get(k)) else str(row.get(k)).strip()) for k in COLUMNS}
    action = get["action"].lower()
    if action not in ACTIONS:
        return f"action {get['action']!r} is not one of {', '.join(ACTIONS)}; write one of them"
    if not get["doc_id"]:
        return "doc_id is empty; write the report's doc id (the doc_id column of the tables)"
    on_report = not (get["start"] or get["end"] or get["raw"])
    if on_report:
        if action != "set":
            return (f"a {action} needs the figure's start, end and raw; a report's fields are "
                    "only set (action set, field one of " + ", ".join(REPORT_FIELDS) + ")")
        if get["field"] not in REPORT_FIELDS:
            return (f"field {get['field']!r} is not a report field; write one of "
                    f"{', '.join(REPORT_FIELDS)} (or give start, end and raw to correct a figure)")
        return _value_problem(get["field"], get["value"].upper() if get["field"] == "period"
                              else get["value"])
    start, end = _int(get["start"]), _int(get["end"])
    if start is None or end is None or not 0 <= start < end:
        return (f"start {get['start'] or '(empty)'} and end {get['end'] or '(empty)'} are not "
                "offsets of a number (whole numbers, start before end); copy them from the facts table")
    if not get["raw"]:
        return "raw is empty; write the number as the report wrote it (the raw column of the facts)"
    if action == "set":
        if get["field"] not in FACT_FIELDS:
            return (f"field {get['field']!r} is not a figure field; write one of "
                    f"{', '.join(FACT_FIELDS)} (or leave start, end and raw empty to set a report field)")
        return _value_problem(get["field"], get["value"])
    return None


# --------------------------------------------------------------------------
# Reading and writing
# --------------------------------------------------------------------------

@dataclass
class Corrections:
    """The valid rows of a corrections file, with their line numbers, and what was wrong with the others."""

    path: Path | None
    rows: list[dict] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)


def read_corrections(path: str | os.PathLike | None = None) -> Corrections:
    r"""Read and check a corrections file; a missing file has no corrections.

    Each valid row comes back as a dict of :data:`COLUMNS` (strings, empty
    where blank; ``start``/``end`` as int or None) plus ``line``, its line in
    the file. Each malformed row is an ``error`` message naming the line and
    the fix, and is left out.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = Path(d) / "corrections.csv"
    ...     _ = p.write_text(",".join(COLUMNS) + "\n"
    ...         "thach-ban-2021-h1,,,,,,,set,period,2021-H2,,lan,\n"
    ...         "thach-ban-2021-h1,,,,,,,rejct,,,,lan,\n", encoding="utf-8")
    ...     got = read_corrections(p)
    >>> [(r["line"], r["field"], r["value"]) for r in got.rows]
    [(2, 'period', '2021-H2')]
    >>> print(str(got.messages[0]).replace(d, "D"))
    error: D/corrections.csv:3: action 'rejct' is not one of confirm, reject, set;
    write one of them (the row is left out)
    """
    path = Path(path) if path is not None else corrections_file()
    out = Corrections(path)
    if not path.is_file():
        return out
    shown = display_path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        out.messages.append(Message("error", shown, f"cannot be read ({e}); save it as UTF-8 CSV "
                                    "(no correction is applied)", code="corrections_file"))
        return out
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        return out
    except csv.Error as e:
        out.messages.append(Message("error", f"{shown}:1", f"is not a CSV file ({e}); the first line "
                                    f"must be {','.join(COLUMNS)} (no correction is applied)",
                                    code="corrections_file"))
        return out
    header = [h.strip() for h in header]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        out.messages.append(Message(
            "error", f"{shown}:1", f"the header lacks {', '.join(missing)}; the first line must be "
            f"{','.join(COLUMNS)} (no correction is applied)", code="corrections_file"))
        return out
    where = {c: header.index(c) for c in COLUMNS}
    line = reader.line_num
    for cells in _rows_of(reader, out, shown):
        first, line = line + 1, reader.line_num
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            out.messages.append(Message(
                "error", f"{shown}:{first}", f"has {len(cells)} fields where the header has "
                f"{len(header)}; put values holding commas in double quotes (the row is left out)",
                code="bad_correction"))
            continue
        row = {c: cells[i].strip() for c, i in where.items()}
        problem = check_correction(row)
        if problem:
            out.messages.append(Message("error", f"{shown}:{first}", f"{problem} (the row is left out)",
                                        code="bad_correction", doc=row["doc_id"] or None))
            continue
        row["action"] = row["action"].lower()
        if row["field"] == "period":
            row["value"] = row["value"].upper()
        row["start"], row["end"] = _int(row["start"]) if row["start"] else None, \
            _int(row["end"]) if row["end"] else None
        # contexts are kept as written, spaces included
        for c in ("context_before", "context_after"):
            row[c] = cells[where[c]]
        row["line"] = first
        out.rows.append(row)
    return out


def _rows_of(reader, out: Corrections, shown: str):
    """Yield the rows of a CSV reader.

    A row the csv module cannot read ends the file with an error naming its
    line (the rows before it are kept).
    """
    while True:
        try:
            yield next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            out.messages.append(Message(
                "error", f"{shown}:{reader.line_num}", f"cannot be read as CSV ({e}); close the "
                "quotes of that row, or remove it (it and the rows after it are left out)",
                code="bad_correction"))
            return


def _one_line(v) -> str:
    return "" if _blank(v) else re.sub(r"[\r\n]+", " ", str(v))


def _lock(fh) -> None:
    if fcntl is not None:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)


def _unlock(fh) -> None:
    if fcntl is not None:
        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def append_corrections(rows: Iterable[Mapping], path: str | os.PathLike | None = None) -> Path:
    """Append corrections to the file (made with its header if new), under a lock.

    Every row is checked first (:func:`check_correction`); one bad row raises
    :class:`CorrectionError` and nothing is written. The rows are written in
    one write while the file is locked (``flock``), so that two analysts saving
    at once both keep their rows, whole. Nothing already in the file is rewritten.

    Returns the file written.
    """
    path = Path(path) if path is not None else corrections_file()
    rows = [{c: _one_line(r.get(c)) for c in COLUMNS} for r in rows]
    for r in rows:
        problem = check_correction(r)
        if problem:
            raise CorrectionError(problem)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "ab+") as fh:
        _lock(fh)
        try:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            buf = io.StringIO()
            w = csv.writer(buf, lineterminator="\n")
            if size == 0:
                w.writerow(COLUMNS)
            else:
                fh.seek(size - 1)
                if fh.read(1) not in (b"\n", b"\r"):
                    buf.write("\n")          # a hand edit left the last line open
            for r in rows:
                w.writerow([r[c] for c in COLUMNS])
            fh.seek(0, os.SEEK_END)
            fh.write(buf.getvalue().encode("utf-8"))
            fh.flush()
            os.fsync(fh.fileno())
        finally:
            _unlock(fh)
    return path


# --------------------------------------------------------------------------
# Making rows
# --------------------------------------------------------------------------

def fact_context(text: str, start: int, end: int, chars: int = CONTEXT_CHARS) -> tuple[str, str]:
    r"""Take up to ``chars`` characters of the number's line before and after it.

    Examples
    --------
    >>> text = "I. KẾT QUẢ\nCó 5209/5318 hộ đăng ký gia đình văn hóa, đạt tỷ lệ 97,95%.\nII."
    >>> s = text.index("97,95%")
    >>> fact_context(text, s, s + 6, chars=20)
    (' văn hóa, đạt tỷ lệ ', '.')
    """
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    return text[max(line_start, start - chars):start], text[end:min(line_end, end + chars)]


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def fact_correction(fact: Mapping, text: str, action: str, field: str | None = None,
                    value=None, *, sha256: str | None = None, note: str = "",
                    reviewer: str = "", at: str | None = None) -> dict:
    r"""Write the corrections row of a decision on a figure (a row of the facts table) of a report's text.

    Examples
    --------
    >>> text = "Tỷ lệ hỏa táng đạt 63,6%.\nCó 12 tổ dân phố."
    >>> fact = {"doc_id": "cu-khoi-2018-fy", "start": 19, "end": 24, "raw": "63,6%"}
    >>> row = fact_correction(fact, text, "set", "indicator_id", "cremation_rate", at="2026-01-05")
    >>> row["context_before"], row["context_after"], row["field"], row["value"]
    ('Tỷ lệ hỏa táng đạt ', '.', 'indicator_id', 'cremation_rate')
    """
    start, end = int(fact["start"]), int(fact["end"])
    before, after = fact_context(text, start, end)
    return {"doc_id": fact["doc_id"], "start": start, "end": end, "raw": fact["raw"],
            "context_before": before, "context_after": after, "sha256": sha256 or "",
            "action": action, "field": field or "", "value": "" if value is None else value,
            "note": note, "reviewer": reviewer, "at": at or _now()}


def report_correction(doc_id: str, field: str, value, *, sha256: str | None = None,
                      note: str = "", reviewer: str = "", at: str | None = None) -> dict:
    """Write the corrections row that sets a field of a report.

    The field is one of ``unit_name``, ``unit_level``, ``period`` and ``doc_kind``.
    """
    return {"doc_id": doc_id, "start": "", "end": "", "raw": "", "context_before": "",
            "context_after": "", "sha256": sha256 or "", "action": "set", "field": field,
            "value": value, "note": note, "reviewer": reviewer, "at": at or _now()}


# --------------------------------------------------------------------------
# Finding a figure again
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class Located:
    """Where a correction's figure is in a report's text now.

    ``status`` is ``found`` (``start``/``end`` are the offsets now), ``changed`` (the place is there but the
    number reads ``now``) or ``missing``.
    """

    status: str
    start: int | None = None
    end: int | None = None
    now: str | None = None


def _hits(text: str, needle: str) -> list[int]:
    out, i = [], text.find(needle)
    while i >= 0:
        out.append(i)
        i = text.find(needle, i + 1)
    return out


def locate(correction: Mapping, text: str) -> Located:
    r"""Find a correction's figure in a report's text, by the number and its context.

    Examples
    --------
    >>> text = "Có 5209/5318 hộ đăng ký gia đình văn hóa, đạt tỷ lệ 97,95%."
    >>> s = text.index("97,95%")
    >>> before, after = fact_context(text, s, s + 6)
    >>> c = {"start": s, "end": s + 6, "raw": "97,95%", "context_before": before,
    ...      "context_after": after}
    >>> added = "Báo cáo sửa lại.\n"
    >>> where = locate(c, added + text)               # a line added above: found again
    >>> where.status, where.start == len(added) + s, (added + text)[where.start:where.end]
    ('found', True, '97,95%')
    >>> where = locate(c, text.replace("97,95%", "97,96%"))   # the number changed: not applied
    >>> where.status, where.now
    ('changed', '97,96%')
    """
    raw = str(correction["raw"])
    before = correction.get("context_before") or ""
    after = correction.get("context_after") or ""
    old = correction.get("start")
    old = int(old) if old is not None and not _blank(old) else 0

    def nearest(starts: list[int]) -> int:
        return min(starts, key=lambda s: (abs(s - old), s))

    if text[old:old + len(raw)] == raw and text[max(0, old - len(before)):old] == before \
            and text[old + len(raw):old + len(raw) + len(after)] == after:
        return Located("found", old, old + len(raw))
    hits = _hits(text, before + raw + after)
    if hits:
        s = nearest(hits) + len(before)
        return Located("found", s, s + len(raw))
    for k in _SHORTER:
        b, a = before[-k:], after[:k]
        if len(b) + len(a) < min(k, len(before) + len(after)):
            continue
        hits = _hits(text, b + raw + a)
        if len(hits) == 1:
            s = hits[0] + len(b)
            return Located("found", s, s + len(raw))
    # The place is there, with another number in it?
    for k in (CONTEXT_CHARS, *_SHORTER):
        b, a = before[-k:], after[:k]
        if len(b.strip()) + len(a.strip()) < 8:
            continue
        found = list(re.finditer(re.escape(b) + f"({_NUMBER_GAP})" + re.escape(a), text))
        if found:
            m = min(found, key=lambda m: (abs(m.start(1) - old), m.start(1)))
            if m.group(1) != raw and re.search(r"\d", m.group(1)):
                return Located("changed", m.start(1), m.end(1), m.group(1))
    return Located("missing")


# --------------------------------------------------------------------------
# Applying corrections to the tables
# --------------------------------------------------------------------------

@dataclass
class Applied:
    """The tables with the corrections applied, and what became of each row.

    ``outcomes`` has a line per valid correction: its ``line``, ``doc_id``,
    ``raw``, ``action``, ``field``, ``status`` (``applied``, ``moved`` —
    applied, the figure found at new offsets —, ``unmatched``, ``elsewhere``:
    its report is not part of this build, or ``deferred``: it needs a full
    build) and ``detail``.
    """

    reports: pd.DataFrame
    facts: pd.DataFrame
    observations: pd.DataFrame
    messages: list[Message]
    outcomes: pd.DataFrame

    @property
    def counts(self) -> dict[str, int]:
        """How many corrections were applied, found elsewhere, unmatched or malformed."""
        s = self.outcomes["status"] if len(self.outcomes) else pd.Series([], dtype=str)
        return {"applied": int(s.isin(["applied", "moved"]).sum()), "moved": int((s == "moved").sum()),
                "unmatched": int((s == "unmatched").sum()),
                "malformed": sum(m.code in ("bad_correction", "corrections_file") for m in self.messages)}

    def summary_line(self) -> str:
        """One line for the build summary (empty when there were no corrections)."""
        c = self.counts
        if not len(self.outcomes) and not c["malformed"]:
            return ""
        return (f"corrections: {c['applied']} applied ({c['moved']} found at new offsets), "
                f"{c['unmatched']} no longer match, {c['malformed']} malformed")


def _period_fields(code: str) -> dict:
    start, end, months = parse_period(code)
    return {"period": code, "period_start": pd.Timestamp(start), "period_end": pd.Timestamp(end),
            "period_months": months}


def _field_value(name: str, value: str):
    if name == "value":
        return float(value)
    if name == "indicator_id" and value == "":
        return None
    return value


def _plain(v):
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, pd.Timestamp):
        return v.date().isoformat()
    if hasattr(v, "item"):
        return v.item()
    return v


def _default_observe(facts: pd.DataFrame, reports: pd.DataFrame) -> pd.DataFrame:
    placed = reports[reports["unit_name"].notna() & reports["period"].notna()]
    facts = facts[facts["doc_id"].isin(set(placed["doc_id"]))].reset_index(drop=True)
    return build_observations(facts, placed.reset_index(drop=True))


def apply_corrections(reports: pd.DataFrame, facts: pd.DataFrame, observations: pd.DataFrame,
                      corrections: "Corrections | str | os.PathLike | None" = None, *,
                      observe: Callable[[pd.DataFrame, pd.DataFrame], pd.DataFrame] | None = None,
                      partial: bool | list[str] = False) -> Applied:
    """Apply corrections to the reports, facts and observations of a build.

    Parameters
    ----------
    reports, facts, observations : the build's tables (``reports`` with ``text``).
    corrections : a :class:`Corrections` or the file to read (default
        :func:`corrections_file`).
    observe : makes the observations of some reports from their facts (the
        build passes its own; default :func:`analysis.observations.build_observations`
        on the reports that have a unit and a period). The observations of the
        reports a correction touches are made again with it.
    partial : the tables hold only part of the corpus (a build of some
        periods; give the periods): a correction whose report is not among
        them is left for the build that has it, not reported; one that would
        move a report to a period not being rebuilt is not applied, with a
        warning to run a full build.

    Returns
    -------
    Applied
        Facts and observations carry ``review_status`` (``confirmed``,
        ``corrected``, ``unreviewed``) and ``corrected_from`` (JSON of the
        fields changed, with the values read before); rejected facts are gone.
        ``messages`` hold a warning per correction that no longer matches,
        naming its line, and the errors of malformed rows.
    """
    if corrections is None or not isinstance(corrections, Corrections):
        corrections = read_corrections(corrections)
    observe = observe or _default_observe
    messages = list(corrections.messages)
    shown = display_path(corrections.path) if corrections.path is not None else "corrections"
    facts = facts.reset_index(drop=True)      # rows are found by position below
    facts["review_status"] = facts["review_status"].fillna("unreviewed") \
        if "review_status" in facts.columns else "unreviewed"
    if "corrected_from" not in facts.columns:
        facts["corrected_from"] = None
    outcomes: list[dict] = []
    if not corrections.rows:
        return Applied(reports, facts, _review_observations(observations, facts, {}), messages,
                       pd.DataFrame(outcomes, columns=_OUTCOME_COLUMNS))

    docs = list(reports["doc_id"])
    row_of = {d: i for i, d in enumerate(docs)}
    doc_of_sha = {}
    for d, sha in zip(docs, reports["sha256"] if "sha256" in reports.columns else [None] * len(docs)):
        if isinstance(sha, str) and sha:
            doc_of_sha.setdefault(sha, d)
    texts = reports["text"] if "text" in reports.columns else None
    spans: dict[str, dict[tuple[int, int], list[int]]] = {}
    for i, (d, s, e) in enumerate(zip(facts["doc_id"], facts["start"], facts["end"])):
        spans.setdefault(d, {}).setdefault((int(s), int(e)), []).append(i)

    fact_state: dict[int, dict] = {}      # fact row -> {"rejected", "confirmed", "set": {field: value}}
    report_set: dict[str, dict] = {}      # doc -> {field: value}

    def text_of(doc: str) -> str:
        return "" if texts is None else str(texts.iloc[row_of[doc]])

    def find_doc(c: dict) -> str | None:
        if c["doc_id"] in row_of:
            return c["doc_id"]
        if c["sha256"] and c["sha256"] in doc_of_sha:
            return doc_of_sha[c["sha256"]]
        if c["raw"] and texts is not None and partial is False:   # a renamed, edited report
            needle = c["context_before"] + c["raw"] + c["context_after"]
            if len(needle) >= 12:
                found = [d for d, tx in zip(docs, texts) if needle in str(tx)]
                if len(found) == 1:
                    return found[0]
        return None

    def unmatched(c: dict, why: str) -> None:
        what = (f"{c['action']} of {c['raw']!r}" if c["raw"]
                else f"{c['field']} = {c['value']!r}")
        messages.append(Message(
            "warning", f"{shown}:{c['line']}",
            f"the correction ({what} in {c['doc_id']}) no longer matches: {why}; check the "
            f"report, then correct the figure again or remove line {c['line']}",
            code="correction_unmatched", doc=c["doc_id"]))
        outcomes.append(_outcome(c, "unmatched", why))

    for c in corrections.rows:
        doc = find_doc(c)
        if doc is None:
            if partial:
                outcomes.append(_outcome(c, "elsewhere", "its report is not in this build"))
            else:
                unmatched(c, f"no report has the doc id {c['doc_id']!r}, the same file or that "
                             "number in the same words")
            continue
        if not c["raw"]:
            if c["field"] == "period" and not isinstance(partial, bool) and c["value"] not in partial:
                messages.append(Message(
                    "warning", f"{shown}:{c['line']}", f"the correction sets the period of {doc} to "
                    f"{c['value']}, not one of the periods rebuilt ({', '.join(partial)}); run a full "
                    "build (without --period) to apply it", code="correction_needs_full_build", doc=doc))
                outcomes.append(_outcome(c, "deferred", "needs a full build"))
                continue
            report_set.setdefault(doc, {})[c["field"]] = c["value"]
            outcomes.append(_outcome(c, "applied", f"{doc}: {c['field']} = {c['value']}"))
            continue
        where = locate(c, text_of(doc))
        if where.status == "changed":
            unmatched(c, f"the number there now reads {where.now!r}, not {c['raw']!r}")
            continue
        if where.status != "found":
            unmatched(c, f"{c['raw']!r} with its words around it is no longer in the report")
            continue
        rows = spans.get(doc, {}).get((where.start, where.end))
        if not rows:
            unmatched(c, f"the suite reads no figure at {c['raw']!r} any more "
                         f"(offsets {where.start}–{where.end})")
            continue
        for i in rows:
            st = fact_state.setdefault(i, {"rejected": False, "confirmed": False, "set": {}})
            if c["action"] == "reject":
                st["rejected"] = True
            elif c["action"] == "confirm":
                st["rejected"], st["confirmed"] = False, True
            else:
                st["rejected"] = False
                st["set"][c["field"]] = c["value"]
        moved = (where.start, where.end) != (c["start"], c["end"])
        outcomes.append(_outcome(c, "moved" if moved else "applied",
                                 f"{doc} [{where.start}–{where.end}]"))

    # facts
    drop, touched = [], set()
    for i, st in fact_state.items():
        doc = facts.at[i, "doc_id"]
        if st["rejected"]:
            drop.append(i)
            touched.add(doc)
            continue
        if st["set"]:
            before = {}
            for name, value in st["set"].items():
                before[name] = _plain(facts.at[i, name])
                facts.at[i, name] = _field_value(name, value)
            facts.at[i, "review_status"] = "corrected"
            facts.at[i, "corrected_from"] = json.dumps(before, ensure_ascii=False)
            touched.add(doc)
        else:
            facts.at[i, "review_status"] = "confirmed"
    facts = facts.drop(index=drop).reset_index(drop=True)

    # reports
    report_from: dict[str, dict] = {}
    if report_set:
        reports = reports.copy()
        for doc, fields in report_set.items():
            i = reports.index[row_of[doc]]
            before = {}
            for name, value in fields.items():
                before[name] = _plain(reports.at[i, name])
                new = _period_fields(value) if name == "period" else {name: value}
                for k, v in new.items():
                    reports.at[i, k] = v
            report_from[doc] = before
            touched.add(doc)
        reports = schema.validate(reports, schema.REPORTS)

    facts = schema.validate(facts, schema.FACTS)
    if touched:
        mine = facts["doc_id"].isin(touched)
        again = observe(facts[mine].reset_index(drop=True),
                        reports[reports["doc_id"].isin(touched)].reset_index(drop=True))
        kept = observations[~observations["doc_id"].isin(touched)]
        parts = [p for p in (kept, again) if len(p)]
        observations = (pd.concat(parts, ignore_index=True) if len(parts) > 1
                        else (parts[0] if parts else again)).reset_index(drop=True)
    return Applied(reports, facts, _review_observations(observations, facts, report_from),
                   messages, pd.DataFrame(outcomes, columns=_OUTCOME_COLUMNS))


_OUTCOME_COLUMNS = ["line", "doc_id", "raw", "action", "field", "value", "status", "detail"]


def _outcome(c: dict, status: str, detail: str) -> dict:
    return {"line": c["line"], "doc_id": c["doc_id"], "raw": c["raw"], "action": c["action"],
            "field": c["field"], "value": c["value"], "status": status, "detail": detail}


def _review_observations(obs: pd.DataFrame, facts: pd.DataFrame, report_from: dict) -> pd.DataFrame:
    """Give the observations their facts' review columns; a corrected report's rows are corrected."""
    obs = obs.copy()
    reviewed = facts[facts["review_status"] != "unreviewed"]
    status = dict(zip(reviewed["fact_id"], reviewed["review_status"]))
    source = dict(zip(reviewed["fact_id"], reviewed["corrected_from"]))
    ids = obs["fact_id"].tolist()
    obs["review_status"] = pd.Series([status.get(f, "unreviewed") for f in ids], index=obs.index,
                                     dtype="string")
    obs["corrected_from"] = pd.Series([source.get(f) for f in ids], index=obs.index, dtype="string")
    if report_from:
        for i in obs.index[obs["doc_id"].isin(list(report_from))]:
            fr = obs.at[i, "corrected_from"]
            merged = {**report_from[obs.at[i, "doc_id"]], **(json.loads(fr) if isinstance(fr, str) else {})}
            obs.at[i, "review_status"] = "corrected"
            obs.at[i, "corrected_from"] = json.dumps(merged, ensure_ascii=False)
    return obs


# --------------------------------------------------------------------------
# Reviewed figures as gold
# --------------------------------------------------------------------------

def _in_force(rows: list[dict]) -> dict[tuple, str]:
    """Keep the last confirm/reject/set of each figure (by report and place), in file order."""
    last = {}
    for c in rows:
        if c["raw"]:
            last[(c["doc_id"], c["raw"], c["context_before"], c["context_after"])] = c
    return last


def reviewed_gold(reports: pd.DataFrame, facts: pd.DataFrame,
                  corrections: "Corrections | str | os.PathLike | None" = None):
    """Gold facts made of what analysts reviewed, and where they looked.

    The figures of ``facts`` (a build's table, corrections applied) an analyst
    confirmed or corrected are gold, with the values they now have; a figure
    rejected is a place where the extractor should find nothing.

    Returns ``(gold, places)``: gold records in the form of
    ``tests/fixtures/facts.jsonl`` (``doc``, ``quote``, ``value``, ``unit``,
    ``kind``, ``numerator``, ``denominator``, ``qualifier``, ``counted``,
    ``indicator_id``), and each report's reviewed places ``{doc: {(start, end)}}``.
    """
    if corrections is None or not isinstance(corrections, Corrections):
        corrections = read_corrections(corrections)
    status = facts["review_status"] if "review_status" in facts.columns else pd.Series(
        [None] * len(facts), index=facts.index)
    done = facts[status.isin(["confirmed", "corrected"])]
    gold, places = [], {}
    for f in done.to_dict("records"):
        gold.append({"doc": f["doc_id"], "quote": f["quote"], "value": _plain(f["value"]),
                     "unit": f["unit"], "kind": f["kind"], "numerator": _plain(f["numerator"]),
                     "denominator": _plain(f["denominator"]), "qualifier": f["qualifier"],
                     "counted": _plain(f.get("counted")), "indicator_id": _plain(f["indicator_id"]),
                     "optional": False})
        places.setdefault(f["doc_id"], set()).add((int(f["start"]), int(f["end"])))
    texts = dict(zip(reports["doc_id"], reports["text"])) if "text" in reports.columns else {}
    for c in _in_force(corrections.rows).values():
        if c["action"] != "reject" or c["doc_id"] not in texts:
            continue
        where = locate(c, str(texts[c["doc_id"]]))
        if where.status == "found":
            places.setdefault(c["doc_id"], set()).add((where.start, where.end))
    return gold, places


def evaluate_reviewed(processed: str | Path | None, corrections,
                      facts_for_report: Callable[[str, str], list[dict]]) -> FolderEvaluation:
    """Score the extractor as it is now against the figures analysts reviewed.

    The reports of ``processed`` with a reviewed figure are extracted again;
    the extracted facts at the reviewed places are scored against
    :func:`reviewed_gold` with the gold rule of :mod:`analysis.evaluate`: a
    rejected figure found again is a false hit, a corrected value, kind,
    qualifier or indicator a disagreement.

    Parameters
    ----------
    processed : str or Path or None
        The folder of a build's tables (None: :func:`analysis.paths.processed_dir`).
    corrections : Corrections or str or Path or None
        The analysts' corrections (None: :func:`analysis.corrections.corrections_file`).
    facts_for_report : callable
        The pipeline's per-report fact step, ``(text, doc_id) -> facts`` (the
        CLI passes :func:`analysis.pipeline.facts_for_report`).

    Returns
    -------
    FolderEvaluation
        The scores of the reviewed figures (no metadata).
    """
    processed = Path(processed) if processed is not None else paths.processed_dir()
    reports = read_table("reports", processed, columns=["doc_id", "text"])
    facts = read_table("facts", processed)
    gold, places = reviewed_gold(reports, facts, corrections)
    texts = {d: str(x) for d, x in zip(reports["doc_id"], reports["text"]) if d in places}
    extracted = [f for d, text in texts.items() for f in facts_for_report(text, d)
                 if (int(f["start"]), int(f["end"])) in places[d]]
    s = score(extracted, gold, texts)
    return FolderEvaluation(f"{display_path(processed)} (reviewed figures)", s,
                            score_indicators(s.match, gold), None, len(texts))
