"""What the loader tells the analyst: one-line input problems, messages, paths as typed.

Every stage that speaks about an input file uses these: :class:`InputProblem`
(an input the build cannot use; its message is one line naming the file, the
problem and the fix), :class:`Message` (one thing to know about an input, at
level ``error``, ``warning`` or ``info``) and :func:`display_path`.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["display_path", "InputProblem", "Message"]


def display_path(path: str | os.PathLike, cwd: Path | None = None, resolved: Path | None = None) -> str:
    """Return the path as the analyst typed it: relative to the working folder when inside it.

    Parameters
    ----------
    path : the path to show.
    cwd : the working folder, resolved (default: read now); given by a caller
        that shows many paths.
    resolved : ``path`` resolved, if the caller has it.

    Examples
    --------
    >>> display_path(Path.cwd() / "data" / "raw" / "x.txt")
    'data/raw/x.txt'
    """
    p = Path(path)
    try:
        return (resolved if resolved is not None else p.resolve()).relative_to(
            cwd if cwd is not None else Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(p)


class InputProblem(Exception):
    """An input the build cannot use; ``str()`` is one line: the file, the problem, the fix.

    Examples
    --------
    >>> str(InputProblem("data/raw/x.txt", "the file is empty",
    ...                  "put the report's text in it or remove the file", code="empty"))
    "data/raw/x.txt: the file is empty; put the report's text in it or remove the file"
    """

    def __init__(self, path, problem: str, fix: str, code: str = "input"):
        self.path = display_path(path) if path is not None else None
        self.problem = problem
        self.fix = fix
        self.code = code
        where = f"{self.path}: " if self.path else ""
        super().__init__(f"{where}{problem}; {fix}")


@dataclass(frozen=True)
class Message:
    """One thing the analyst should know about an input.

    ``level`` is ``error`` (the file was not loaded), ``warning`` (loaded, but
    check it; ``--strict`` fails on these) or ``info`` (what was done, e.g. the
    encoding a file was read in). ``code`` names the case for programs;
    ``field`` is the manifest column that would settle it, if any.

    Examples
    --------
    >>> str(Message("warning", "data/raw/x.txt", "the period could not be read",
    ...             code="no_period", field="period"))
    'warning: data/raw/x.txt: the period could not be read'
    """

    level: str
    file: str
    text: str
    code: str = ""
    doc: str | None = None
    field: str | None = None

    def __str__(self) -> str:
        """Return the message as one line: level, file, text."""
        return f"{self.level}: {self.file}: {self.text}"

