"""Limits on one input file: size, characters, a .docx's unpacked size and ratio, a page's depth.

Defaults are far above real reports; each limit is changed by its environment
variable or ``build --limit NAME=VALUE`` and read when used, so that worker
processes see the same values (``docs/robustness.md``).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from analysis.load.problems import InputProblem

__all__ = ["Limit", "LIMITS", "limit", "limit_fix", "check_file_size"]


@dataclass(frozen=True)
class Limit:
    """One limit on an input: its name, default, environment variable and unit."""

    name: str
    default: int
    env: str
    unit: str
    what: str


#: The limits on one input file, with defaults far above real reports (a
#: ward's report is 5–60 thousand characters; a .docx with photos 1–20 MB,
#: its XML compressing 5–20 times). Each can be changed with its environment
#: variable or ``build --limit NAME=VALUE`` (docs/robustness.md).
LIMITS = {lim.name: lim for lim in (
    Limit("max_file_mb", 200, "ANALYSIS_MAX_FILE_MB", "MB",
          "size of a file in the raw folder (larger files are not read)"),
    Limit("max_report_chars", 5_000_000, "ANALYSIS_MAX_REPORT_CHARS", "characters",
          "characters of one report's text (the rest is not read)"),
    Limit("max_docx_mb", 200, "ANALYSIS_MAX_DOCX_MB", "MB",
          "uncompressed size of a .docx (larger files are not read)"),
    Limit("max_docx_ratio", 100, "ANALYSIS_MAX_DOCX_RATIO", "times",
          "compression ratio of a .docx holding more than 10 MB uncompressed"),
    Limit("max_html_depth", 256, "ANALYSIS_MAX_HTML_DEPTH", "levels",
          "nesting of a saved web page (deeper pages are read as plain text)"),
)}


def limit(name: str) -> int:
    """Return the value of one limit: its environment variable if set, else its default.

    Read when called, so that worker processes and ``build --limit`` see the
    same values.

    Examples
    --------
    >>> limit("max_html_depth")
    256
    """
    lim = LIMITS[name]
    value = os.environ.get(lim.env, "").strip()
    if not value:
        return lim.default
    try:
        number = int(value.replace("_", ""))
    except ValueError:
        raise InputProblem(None, f"{lim.env}={value!r} is not a whole number",
                           f"set it to a number of {lim.unit} (default {lim.default})",
                           code="limit") from None
    if number <= 0:
        raise InputProblem(None, f"{lim.env}={value!r} must be above 0",
                           f"set it to a number of {lim.unit} (default {lim.default})", code="limit")
    return number


def limit_fix(name: str) -> str:
    """Return the fix a message gives for a file beyond the limit ``name``.

    Examples
    --------
    >>> limit_fix("max_file_mb")
    'raise it with --limit max_file_mb=N or ANALYSIS_MAX_FILE_MB=N if the file is a real report'
    """
    lim = LIMITS[name]
    return f"raise it with --limit {name}=N or {lim.env}=N if the file is a real report"



def check_file_size(path: Path, size: int) -> None:
    """Refuse a file of ``size`` bytes beyond the limit ``max_file_mb``.

    Raises
    ------
    InputProblem
        With code ``limit``, naming the size, the limit and how to raise it.
    """
    most = limit("max_file_mb")
    if size > most << 20:
        raise InputProblem(path, f"the file is {size / (1 << 20):,.0f} MB, beyond the limit of {most} MB; "
                           "not read", limit_fix("max_file_mb"), code="limit")
