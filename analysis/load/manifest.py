"""The manifest ``data/raw/reports.csv``: metadata the analyst gives for a report file.

:func:`read_manifest` reads it (UTF-8 or any encoding :func:`decode_bytes`
knows, comma or semicolon separated, as Excel saves it) and checks every
value; what it gives overrides what is read from the text.
"""
from __future__ import annotations

import csv
import io
import os
import re
from datetime import date
from pathlib import Path

import pandas as pd

from analysis import paths, schema
from analysis.load.decode import decode_bytes
from analysis.load.problems import InputProblem, display_path
from analysis.periods import parse_period
from analysis.text import normalize_text

__all__ = ["read_manifest", "MANIFEST_FIELDS", "MANIFEST_NAME"]

#: Metadata fields a manifest row may give (besides ``file`` and ``doc``).
MANIFEST_FIELDS = ("unit_name", "unit_level", "parent", "city", "period",
                   "published", "doc_kind", "programs")
#: The manifest's file name in the raw folder (never read as a report).
MANIFEST_NAME = "reports.csv"



def _parse_published(value: str) -> str:
    for pattern, order in ((r"(\d{4})-(\d{1,2})-(\d{1,2})", "ymd"), (r"(\d{1,2})/(\d{1,2})/(\d{4})", "dmy")):
        m = re.fullmatch(pattern, value)
        if m:
            parts = dict(zip(order, map(int, m.groups())))
            return date(parts["y"], parts["m"], parts["d"]).isoformat()
    raise ValueError(value)


def _is_period_code(code: str) -> bool:
    try:
        parse_period(code)
    except ValueError:
        return False
    return True


def _split_programs(value: str) -> list[str]:
    return [p for p in re.split(r"[;,\s]+", value) if p]


def _check_manifest_path(path: Path) -> None:
    """Refuse a manifest path that exists but is not a readable file (a missing one is an empty manifest)."""
    if path.is_symlink() and not path.exists():
        raise InputProblem(path, "the manifest is a link that leads nowhere",
                           "replace the link by the manifest itself, or remove it", code="manifest")
    if path.is_dir():
        raise InputProblem(path, "the manifest is a folder, not a CSV file",
                           "move the folder elsewhere (the manifest must be a CSV file of this name)",
                           code="manifest")
    if path.exists() and not path.is_file():
        raise InputProblem(path, "the manifest is not a regular file (a named pipe or device)",
                           "replace it by a CSV file, or remove it", code="manifest")


def read_manifest(path: str | os.PathLike = paths.MANIFEST) -> pd.DataFrame:
    r"""Read the manifest: one row per report file, any metadata field optional.

    Columns: ``file`` (path relative to the manifest's folder), ``doc`` (the
    doc id; blank means the file name without extension), any of
    :data:`MANIFEST_FIELDS`, and ``line`` (the row's line in the file, for
    messages). Blank cells mean "read it from the text". ``programs`` may list
    several numbers separated by ``;``. A missing manifest is an empty one.

    Raises
    ------
    InputProblem
        Unknown columns, repeated files or doc ids, values not allowed.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = Path(d) / "reports.csv"
    ...     _ = p.write_text("file,doc,period,programs\n"
    ...                      "thach-ban.txt,thach-ban-2021-h1,2021-H1,02-CTr/QU\n"
    ...                      "cu-khoi.txt,,,\n", encoding="utf-8")
    ...     m = read_manifest(p)
    >>> m[["file", "doc", "period", "programs"]].values.tolist()
    [['thach-ban.txt', 'thach-ban-2021-h1', '2021-H1', ['02-CTr/QU']], ['cu-khoi.txt', 'cu-khoi', None, None]]
    """
    path = Path(path)
    _check_manifest_path(path)
    if not path.exists():
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in ("file", "doc", "line")})
    shown = display_path(path)
    try:
        raw = path.read_bytes()
        text, _, _ = decode_bytes(raw, path) if raw.strip() else ("", "", [])
    except OSError as e:
        raise InputProblem(path, f"the manifest cannot be read ({e.strerror})",
                           "check its permissions (the build only reads it)", code="manifest") from None
    except InputProblem as e:
        raise InputProblem(path, f"the manifest cannot be read ({e.problem})",
                           "save reports.csv as UTF-8 CSV with a header row 'file,doc,…'",
                           code="manifest") from None
    text = normalize_text(text)
    if not text.strip():
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in ("file", "doc", "line")})
    header = text.split("\n", 1)[0]
    delimiter = ";" if header.count(";") > header.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        rows = list(reader)
    except csv.Error as e:
        raise InputProblem(path, f"the manifest is not a CSV file the build can read (line "
                           f"{reader.line_num}: {e})", "save reports.csv as UTF-8 CSV with a header "
                           "row 'file,doc,…'", code="manifest") from None
    columns = [c.strip().lower() for c in rows[0]]
    allowed = ("file", "doc", *MANIFEST_FIELDS)
    unknown = [c for c in columns if c not in allowed]
    if unknown:
        raise InputProblem(path, f"unknown column {unknown[0]!r} in the manifest",
                           f"name the columns from: {', '.join(allowed)}", code="manifest")
    if "file" not in columns:
        raise InputProblem(path, "the manifest has no 'file' column",
                           "start it with the header row 'file,doc' (then any metadata columns)",
                           code="manifest")
    if len(set(columns)) != len(columns):
        raise InputProblem(path, "a column appears twice in the manifest's header",
                           "keep one of each", code="manifest")
    records = []
    for line_no, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(columns):
            raise InputProblem(path, f"line {line_no} has more cells than the header",
                               "quote values that contain the separator, or remove the extra cells",
                               code="manifest")
        rec = {c: (row[i].strip() if i < len(row) else "") or None for i, c in enumerate(columns)}
        rec = {c: rec.get(c) for c in ("file", "doc", *MANIFEST_FIELDS) if c in columns or c == "doc"}
        where = f"line {line_no}"
        if not rec["file"]:
            raise InputProblem(path, f"{where} has no file name", "fill in the 'file' column", code="manifest")
        rec["file"] = Path(rec["file"].replace("\\", "/")).as_posix()
        if not rec.get("doc"):
            rec["doc"] = Path(rec["file"]).stem
        if rec.get("period"):
            rec["period"] = rec["period"].upper()
            if not _is_period_code(rec["period"]):
                raise InputProblem(path, f"{where}: period {rec['period']!r} is not a period code",
                                   "write it as YYYY-FY, YYYY-H1, YYYY-H2, YYYY-Q1…Q4 or YYYY-9M "
                                   "(e.g. 2021-H1)", code="manifest")
        for name, values in (("unit_level", schema.UNIT_LEVELS), ("doc_kind", schema.DOC_KINDS)):
            if rec.get(name):
                rec[name] = rec[name].lower()
                if rec[name] not in values:
                    raise InputProblem(path, f"{where}: {name} {rec[name]!r} is not allowed",
                                       f"use one of: {', '.join(values)}", code="manifest")
        if rec.get("published"):
            try:
                rec["published"] = _parse_published(rec["published"])
            except ValueError:
                raise InputProblem(path, f"{where}: published {rec['published']!r} is not a date",
                                   "write it as YYYY-MM-DD (e.g. 2021-07-16)", code="manifest") from None
        if rec.get("programs"):
            rec["programs"] = _split_programs(rec["programs"])
        rec["line"] = line_no
        records.append(rec)
    frame = pd.DataFrame.from_records(records, columns=[c for c in ("file", "doc", *MANIFEST_FIELDS)
                                                        if c in columns or c == "doc"] + ["line"])
    frame = frame.astype(object).where(frame.notna(), None)
    for col, what in (("file", "file"), ("doc", "doc id")):
        dup = frame[frame[col].duplicated(keep=False)]
        if len(dup):
            lines = ", ".join(str(x) for x in dup["line"])
            raise InputProblem(shown, f"the {what} {dup[col].iloc[0]!r} appears on more than one line ({lines})",
                               "keep one row per report", code="manifest")
    return frame
