"""Files and commands the tests share: gold fixtures, checksums, raw copies, the command line.

Paths are built from this module's place (``tests/``), so a test file in any
subfolder of ``tests/`` imports them by bare name (``from _files import
gold_facts``) and never builds its own path from ``__file__``.
"""
from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

from analysis import paths

__all__ = [
    "TESTS", "FIXTURES", "read_jsonl", "gold_facts", "gold_reports", "tree_hash", "snapshot",
    "copy_raw", "write_empty_corrections", "run_analysis",
]

#: The ``tests/`` folder.
TESTS = Path(__file__).resolve().parent
#: The hand-checked gold: ``facts.jsonl`` (facts of the bundled reports) and
#: ``reports.jsonl`` (their metadata).
FIXTURES = TESTS / "fixtures"


def read_jsonl(path: Path) -> list[dict]:
    """Read the records of a JSON-lines file, skipping blank lines.

    Parameters
    ----------
    path : Path
        A UTF-8 file with one JSON object a line.

    Returns
    -------
    list of dict
        One record per non-blank line, in the file's order.
    """
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def gold_facts() -> list[dict]:
    """Return the hand-checked facts of the bundled reports (``fixtures/facts.jsonl``).

    Returns
    -------
    list of dict
        A fresh list on every call: a test may change it freely.
    """
    return read_jsonl(FIXTURES / "facts.jsonl")


def gold_reports() -> list[dict]:
    """Return the hand-checked metadata of the bundled reports (``fixtures/reports.jsonl``).

    Returns
    -------
    list of dict
        A fresh list on every call: a test may change it freely.
    """
    return read_jsonl(FIXTURES / "reports.jsonl")


def tree_hash(path: Path) -> str:
    """Hash a file, or a folder's files with their relative names, with SHA-256.

    Parameters
    ----------
    path : Path
        A file or a folder.

    Returns
    -------
    str
        The hex digest; it changes when any file's name or bytes change.
    """
    if path.is_file():
        return hashlib.sha256(path.read_bytes()).hexdigest()
    h = hashlib.sha256()
    for f in sorted(q for q in path.rglob("*") if q.is_file()):
        h.update(f.relative_to(path).as_posix().encode() + b"\0" + f.read_bytes())
    return h.hexdigest()


def snapshot(folder: Path) -> dict[str, str]:
    """Hash every file under a folder, to show what changed or that nothing did.

    Parameters
    ----------
    folder : Path
        The folder to look into, recursively.

    Returns
    -------
    dict of str to str
        Each file's path relative to ``folder`` (POSIX form) to its SHA-256.
    """
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def copy_raw(folder: Path) -> Path:
    """Copy ``data/raw`` (the five bundled reports and their manifest) to a new folder.

    Parameters
    ----------
    folder : Path
        Where the copy goes; it must not exist yet.

    Returns
    -------
    Path
        ``folder``, its files writable by the owner whatever their mode in the repository.
    """
    shutil.copytree(paths.RAW, folder)
    for p in folder.iterdir():
        p.chmod(0o644)
    return folder


def write_empty_corrections(path: Path) -> Path:
    """Write a corrections file that holds its header and no decision.

    A build given this file applies no correction, whatever ``data/corrections.csv``
    holds on the machine running the tests.

    Parameters
    ----------
    path : Path
        The file to write (its folder must exist).

    Returns
    -------
    Path
        ``path``.
    """
    # imported here, not at the top: tests/conftest.py imports this module, and a change
    # in progress elsewhere in the package must not stop pytest from collecting any test
    from analysis.corrections import COLUMNS

    path.write_text(",".join(COLUMNS) + "\n", encoding="utf-8")
    return path


def run_analysis(*args, cwd: Path = paths.ROOT, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run ``python -m analysis ARGS`` in a new process, as a user types it.

    Parameters
    ----------
    *args
        The command and its options; paths may be :class:`~pathlib.Path`.
    cwd : Path
        The folder the command runs in (default: the repository's root).
    timeout : float
        Seconds before the command is killed and the test fails.

    Returns
    -------
    subprocess.CompletedProcess
        With ``returncode``, ``stdout`` and ``stderr`` as text.
    """
    return subprocess.run([sys.executable, "-m", "analysis", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=timeout)
