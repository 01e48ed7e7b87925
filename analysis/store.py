"""Write and read the processed tables: atomic, deterministic Parquet.

:func:`write_tables` writes every table of a build into a new folder beside the
output folder, flushes it to disk, then swaps it in with one atomic rename
(Linux ``renameat2(RENAME_EXCHANGE)``; elsewhere two renames, recovered on the
next read or write if interrupted between them). A build that fails or is
killed at any point leaves the previous tables intact and readable.

Rows are sorted and the Parquet files carry no timestamps, so identical inputs
give byte-identical files.
"""
from __future__ import annotations

import ctypes
import errno
import os
import shutil
import sys
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from analysis import paths, schema

__all__ = ["TableMissing", "write_tables", "read_table", "table_path", "SORT_ORDER"]

#: Row order of each table in its file (ties broken by the table's key).
SORT_ORDER = {
    "reports": ("doc_id",),
    "facts": ("doc_id", "start", "end", "fact_id"),
    "observations": ("unit_name", "period", "indicator_id", "doc_id", "start", "obs_id"),
}
_NEW, _OLD = ".{}.new-", ".{}.old-"
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


class TableMissing(FileNotFoundError):
    """A processed table is not there; ``str()`` says how to build it."""


def table_path(name: str, processed: str | os.PathLike | None = None) -> Path:
    """Where a processed table lives.

    Examples
    --------
    >>> table_path("facts", "data/processed").as_posix()
    'data/processed/facts.parquet'
    """
    return Path(processed if processed is not None else paths.processed_dir()) / f"{name}.parquet"


# --------------------------------------------------------------------------
# Deterministic frames and files
# --------------------------------------------------------------------------

def _sorted(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    table = schema.TABLES.get(name)
    order = [c for c in SORT_ORDER.get(name, ()) if c in frame.columns]
    if table is not None:
        order += [c for c in table.key if c not in order and c in frame.columns]
    if not order:
        order = [c for c in frame.columns if frame[c].dtype != object]
    if order and len(frame):
        frame = frame.sort_values(order, kind="stable", na_position="last")
    return frame.reset_index(drop=True)


def _arrow_table(frame: pd.DataFrame) -> pa.Table:
    table = pa.Table.from_pandas(frame, preserve_index=False)
    return table


def _write_parquet(frame: pd.DataFrame, path: Path) -> None:
    pq.write_table(_arrow_table(frame), path, compression="zstd", compression_level=3,
                   use_dictionary=True, write_statistics=True)
    _fsync(path)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    if os.name != "posix":
        return
    _fsync(path)


# --------------------------------------------------------------------------
# Swapping folders
# --------------------------------------------------------------------------

def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two folders (Linux); False where the system cannot."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.EXDEV):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _recover(out: Path) -> None:
    """Put back tables left aside by an interrupted two-rename swap."""
    if out.exists():
        return
    olds = sorted(out.parent.glob(_OLD.format(out.name) + "*"))
    if olds:
        os.rename(olds[-1], out)


@contextmanager
def _locked(out: Path):
    """Hold an exclusive lock on the output's parent folder (no lock file left behind)."""
    if os.name != "posix":
        yield
        return
    import fcntl
    fd = os.open(out.parent, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)   # a second build waits for the first
        yield
    finally:
        os.close(fd)


def _clean_leftovers(out: Path) -> None:
    """Remove folders of builds killed before their swap (only while holding the lock)."""
    for pattern in (_NEW, _OLD):
        for p in out.parent.glob(pattern.format(out.name) + "*"):
            shutil.rmtree(p, ignore_errors=True)


def write_tables(tables: dict[str, pd.DataFrame], out_dir: str | os.PathLike | None = None) -> Path:
    """Replace the processed tables with these, all at once.

    Each frame is validated against its schema (when it has one), sorted
    (:data:`SORT_ORDER`, then its key) and written as ``<name>.parquet`` into a
    new folder beside ``out_dir``; the files are flushed to disk and the new
    folder is swapped in for the old in one atomic rename. Other files already
    in ``out_dir`` are carried over. Until the swap, readers see the previous
    tables; after it, the new ones; never a mix.

    Returns the output folder.

    Examples
    --------
    >>> import tempfile
    >>> facts = pd.DataFrame({"doc_id": ["thach-ban-2021-h1"], "raw": ["97,95%"], "value": [97.95]})
    >>> with tempfile.TemporaryDirectory() as d:
    ...     out = write_tables({"sample": facts}, Path(d) / "processed")
    ...     sorted(p.name for p in out.iterdir()), read_table("sample", out)["raw"].tolist()
    (['sample.parquet'], ['97,95%'])
    """
    out = Path(out_dir if out_dir is not None else paths.processed_dir()).absolute()
    out.parent.mkdir(parents=True, exist_ok=True)
    frames = {}
    for name, frame in tables.items():
        if name in schema.TABLES:
            frame = schema.validate(frame, schema.TABLES[name])
        frames[name] = _sorted(name, frame)
    with _locked(out):
        _recover(out)
        _clean_leftovers(out)
        new = out.parent / f"{_NEW.format(out.name)}{os.getpid()}"
        new.mkdir()
        try:
            for name in sorted(frames):
                _write_parquet(frames[name], new / f"{name}.parquet")
            if out.exists():  # carry over what this build does not write
                for p in sorted(out.iterdir()):
                    target = new / p.name
                    if target.exists():
                        continue
                    if p.is_dir():
                        shutil.copytree(p, target, copy_function=_link_or_copy)
                    else:
                        _link_or_copy(p, target)
            _fsync_dir(new)
            if not out.exists():
                os.rename(new, out)
            elif _exchange(new, out):
                shutil.rmtree(new)          # `new` now holds the previous tables
            else:
                old = out.parent / f"{_OLD.format(out.name)}{os.getpid()}"
                os.rename(out, old)
                os.rename(new, out)
                shutil.rmtree(old)
            _fsync_dir(out.parent)
        except BaseException:
            shutil.rmtree(new, ignore_errors=True)
            raise
    return out


def _link_or_copy(src, dst) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


# --------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------

def _restore(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    table = schema.TABLES.get(name)
    if table is None:
        return frame
    for c in table.columns:
        if c.name not in frame.columns:
            continue
        s = frame[c.name]
        if c.dtype == "object":
            frame[c.name] = [list(v) if isinstance(v, np.ndarray) else v for v in s]
        elif str(s.dtype) != c.dtype:
            frame[c.name] = s.astype(c.dtype)
    return frame


def read_table(name: str, processed: str | os.PathLike | None = None,
               columns: list[str] | None = None) -> pd.DataFrame:
    """Read one processed table (``reports``, ``facts``, ``observations``) as a frame.

    Columns get the dtypes of :mod:`analysis.schema`; list columns
    (``programs``) come back as Python lists.

    Raises
    ------
    TableMissing
        The table has not been built; the message says how to build it.

    Examples
    --------
    >>> import tempfile
    >>> reports = pd.DataFrame({"doc_id": ["cu-khoi-2018-fy"], "programs": [["01-CTr/QU", "02-CTr/QU"]]})
    >>> with tempfile.TemporaryDirectory() as d:
    ...     _ = write_tables({"sample": reports}, d)
    ...     read_table("sample", d)["programs"].tolist()
    [['01-CTr/QU', '02-CTr/QU']]
    """
    out = Path(processed if processed is not None else paths.processed_dir())
    path = out / f"{name}.parquet"
    if not path.exists() and not out.exists():
        olds = sorted(out.absolute().parent.glob(_OLD.format(out.name) + "*"))
        if olds:  # a swap was interrupted between its two renames
            path = olds[-1] / f"{name}.parquet"
    if not path.exists():
        raise TableMissing(f"{path}: the {name} table has not been built; "
                           "run `python -m analysis build` (or `make build`)")
    frame = pq.read_table(path, columns=columns).to_pandas()
    for c in frame.columns:
        if frame[c].dtype == object:
            frame[c] = [list(v) if isinstance(v, np.ndarray) else v for v in frame[c]]
    return _restore(name, frame)
