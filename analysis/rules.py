"""The one reader of the rule tables under ``analysis/rules/``.

Every table of messy-text knowledge (unit words, cue phrases, period phrases,
the gazetteer…) is a UTF-8 CSV file read the same way by every stage:

- lines starting with ``#`` are comments, blank lines are skipped;
- every cell is put in the form report text has (:func:`analysis.text.normalize_text`:
  NFC, the traditional tone placement) and stripped of surrounding white space;
- the header must hold the columns the reader asks for, and a ``note``
  column saying where the phrasing was seen, non-empty on every row (the
  gazetteer tables, lists of places, are read with ``notes=False``);
- a malformed table stops the reader with one line,
  ``analysis/rules/x.csv:LINE: what is wrong — how to fix``.

A table is read once per process and read again when its file changes.
"""
from __future__ import annotations

import csv
import io
import os
from functools import lru_cache
from pathlib import Path

from analysis.paths import ROOT, RULES
from analysis.text import normalize_text

__all__ = ["read_rules", "RuleRow", "RuleTableError"]


class RuleTableError(ValueError):
    """A rule table under ``analysis/rules/`` is missing or malformed."""


class RuleRow(dict):
    """One row of a rule table: column → text, knowing where it was written.

    Attributes
    ----------
    where : str
        The table's path as errors name it.
    line : int
        The row's line in the file.
    """

    __slots__ = ("where", "line")

    def __init__(self, cells: dict[str, str], where: str, line: int):
        super().__init__(cells)
        self.where, self.line = where, line

    def error(self, problem: str, fix: str) -> RuleTableError:
        """Return the one-line error for this row, ``file:line: problem — fix``.

        Examples
        --------
        >>> row = RuleRow({"word": "tỷ", "role": "x"}, "analysis/rules/units.csv", 7)
        >>> str(row.error("role 'x' is unknown", "use unit or multiplier"))
        "analysis/rules/units.csv:7: role 'x' is unknown — use unit or multiplier"
        """
        return RuleTableError(f"{self.where}:{self.line}: {problem} — {fix}")


def _shown(path: Path) -> str:
    """Return the path as errors name it: relative to the repository when inside it."""
    try:
        return path.relative_to(ROOT).as_posix()
    except ValueError:
        return str(path)


def read_rules(name: str, columns: tuple[str, ...] | list[str] = (), *, notes: bool = True,
               folder: str | os.PathLike | None = None) -> list[dict[str, str]]:
    """Rows of the rule table ``analysis/rules/<name>.csv``, as dicts of strings.

    Parameters
    ----------
    name : str
        The table's file name, with or without ``.csv``.
    columns : sequence of str, optional
        Columns the header must hold (besides ``note``).
    notes : bool, default True
        Whether every row must have a non-empty ``note``; False only for the
        gazetteer tables (lists of places, with their source in a comment).
    folder : path, optional
        Where the table lives (default ``analysis/rules/``).

    Returns
    -------
    list of RuleRow
        One dict per row, column name → normalised, stripped text, with the
        row's line (for :meth:`RuleRow.error`); a fresh list of fresh dicts on
        every call.

    Raises
    ------
    RuleTableError
        One line, ``file:line: what is wrong — how to fix``.

    Examples
    --------
    >>> rows = read_rules("multipliers", ["word", "factor"])
    >>> [(r["word"], r["factor"]) for r in rows][:3]
    [('nghìn', '1000'), ('ngàn', '1000'), ('triệu', '1000000')]
    """
    stem = name[:-4] if name.endswith(".csv") else name
    path = Path(folder if folder is not None else RULES) / f"{stem}.csv"
    try:
        mtime = path.stat().st_mtime_ns
    except OSError:
        raise RuleTableError(f"{_shown(path)}:0: rule table missing — restore it from the repository") from None
    header, rows, header_line = _read(str(path), mtime)
    where = _shown(path)
    wanted = [*columns, *(["note"] if notes else [])]
    missing = [c for c in wanted if c not in header]
    if missing:
        raise RuleTableError(f"{where}:{header_line}: missing column(s) {', '.join(missing)} — "
                             f"add them to the header (it has {', '.join(header)})")
    if notes:
        for line, row in rows:
            if not row["note"]:
                raise RuleTableError(f"{where}:{line}: rule without a note — say in the note column "
                                     "where the phrasing is seen")
    return [RuleRow(row, where, line) for line, row in rows]


@lru_cache(maxsize=256)
def _read(path_text: str, mtime: int):
    """``(header, [(line, row), ...], header_line)`` of a table (cached by path and mtime)."""
    path = Path(path_text)
    where = _shown(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        line = path.read_bytes()[:e.start].count(b"\n") + 1
        raise RuleTableError(f"{where}:{line}: not UTF-8 — save the file as UTF-8") from None
    # the whole table in the form report text has (commas, quotes and line breaks keep their places);
    # comment lines become empty lines, which the reader skips, so line numbers stay right
    text = normalize_text(text)
    text = "\n".join("" if ln.lstrip().startswith("#") else ln for ln in text.split("\n"))
    reader = csv.reader(io.StringIO(text))
    header, header_line, rows = None, 0, []
    try:
        for record in reader:
            if not any(c.strip() for c in record):
                continue
            cells = [c.strip() for c in record]
            if header is None:
                header, header_line = cells, reader.line_num
                if len(set(header)) != len(header):
                    raise RuleTableError(f"{where}:{header_line}: a column is named twice — "
                                         "give every column its own name")
                continue
            if len(cells) != len(header):
                raise RuleTableError(
                    f"{where}:{reader.line_num}: {len(cells)} field(s) where the header has "
                    f"{len(header)} ({', '.join(header)}) — quote fields that hold commas")
            rows.append((reader.line_num, dict(zip(header, cells))))
    except csv.Error as e:
        raise RuleTableError(f"{where}:{reader.line_num}: {e} — fix the quoting") from None
    if header is None:
        raise RuleTableError(f"{where}:1: no header — the first line names the columns")
    return header, rows, header_line
