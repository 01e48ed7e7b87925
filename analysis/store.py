"""Write and read the processed tables: atomic, deterministic, partitioned Parquet.

The tables of a build (``reports``, ``facts``, ``observations``) are Parquet
datasets partitioned by reporting period, in the Hive layout that DuckDB,
Dask, Spark and pyarrow read as they are::

    data/processed/
        observations.parquet/
            _common_metadata                     (the table's columns, no rows)
            period=2018-FY/part-0.parquet
            period=2021-H1/part-0.parquet
            _all_periods.parquet.copy            (read-side copies: Parquet files,
            _latest.parquet.copy                  not part of the dataset; see below)
        facts.parquet/period=.../part-0.parquet  (a fact's period is its report's)
        reports.parquet/period=.../part-0.parquet
        reports.parquet/period=__HIVE_DEFAULT_PARTITION__/part-0.parquet
                                                 (reports whose period is unknown)

The period is in the folder name, not in the files. Other tables (any name a
caller gives) are single files ``<name>.parquet``.

:func:`write_tables` writes every table of a build into a new folder beside the
output folder, flushes it to disk, then swaps it in with one atomic rename
(Linux ``renameat2(RENAME_EXCHANGE)``; elsewhere two renames, recovered on the
next read or write if interrupted between them). A build that fails or is
killed at any point leaves the previous tables intact and readable. With
``periods=[...]`` only those periods' partitions are written: the files of the
other periods are carried into the new folder as hard links, never rewritten.

Queries that need every period (one unit's trend, each unit's latest figure)
would open every period's file; for them :func:`write_tables` also writes,
in the same swap, two read-side copies of the observations, made from the
partition files (and made again from all of them when some periods are
rewritten): ``_all_periods.parquet.copy``, every observation in one Parquet
file with its period as a column, sorted by indicator, unit and period, a row
group holding one indicator only; and ``_latest.parquet.copy``, the rows a
comparison at each unit's latest period uses. They sit inside the dataset's
folder so that anything replacing the dataset (a build of an older version,
another engine) replaces or drops them with it; readers of the dataset do not
see them — pyarrow, Spark and Hive skip names starting with ``_``, Dask and
DuckDB's ``*/*.parquet`` take only ``.parquet`` files. :func:`table_copy`
gives a copy only while it was made from the partition files beside it.

Rows are sorted and the Parquet files carry no timestamps, so identical inputs
give byte-identical files. :func:`read_table` gives back the whole table (or one
period, or some columns) as one frame in the same row order as ever.
"""
from __future__ import annotations

import ctypes
import errno
import json
import os
import shutil
import sys
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote, unquote

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from analysis import paths, schema

__all__ = ["TableMissing", "OutputProblem", "check_output", "write_tables", "TableWriter", "read_table", "table_path", "table_files",
           "partitions", "frame_from_arrow", "table_copy", "table_copies", "copy_summary",
           "SORT_ORDER", "FILE_ORDER", "PARTITIONED", "PARTITION_COLUMN", "NULL_PARTITION",
           "COPIES", "PROPERTIES_ROW"]

#: Row order of each table in its file (ties broken by the table's key).
SORT_ORDER = {
    "reports": ("doc_id",),
    "facts": ("doc_id", "start", "end", "fact_id"),
    "observations": ("unit_name", "period", "indicator_id", "doc_id", "start", "obs_id"),
}
#: Row order inside each period's file, where it differs from :data:`SORT_ORDER`:
#: observations grouped by indicator, so that a query for one indicator (or one
#: indicator of one unit) reads only a few row groups of each file.
FILE_ORDER = {
    "observations": ("indicator_id", "unit_name", "period", "doc_id", "start", "obs_id"),
}
#: Tables written as datasets partitioned by :data:`PARTITION_COLUMN`.
PARTITIONED = ("reports", "facts", "observations")
PARTITION_COLUMN = "period"
#: Folder value of the partition of rows whose period is unknown (Hive's name for null).
NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"
_PART_FILE = "part-0.parquet"
_SCHEMA_FILE = "_common_metadata"
_ROW_GROUP = 1024
_NEW, _OLD = ".{}.new-", ".{}.old-"
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100
#: Read-side copies of a partitioned table: file names inside its folder (see :func:`table_copy`).
COPIES = {"observations": {"all_periods": "_all_periods.parquet.copy",
                          "latest": "_latest.parquet.copy"}}
#: Column of the ``latest`` copy marking the rows that give an indicator's direction,
#: aggregation and unit (the first row stating each, in :data:`SORT_ORDER`).
PROPERTIES_ROW = "properties_row"
_COPY_GROUP = 16384       # rows per row group of a copy, at most (a row group holds one indicator)
_COPY_CHUNK = 1 << 15     # rows read at once while copying (whole indicators; more if one is larger)
_COPY_STATS = ("indicator_id", "unit_name", "unit_level", "period", "period_end", "doc_kind",
               "kind", "doc_id")   # columns with statistics in the copies (what queries filter on)
_META_SOURCE = b"analysis.source"     # the partition files a copy was made from
_META_SUMMARY = b"analysis.summary"   # counts kept with the copy (indicator_reach)
_FOOTERS: dict = {}                   # key-value metadata of copies read, by file identity


class TableMissing(FileNotFoundError):
    """A processed table is not there; ``str()`` says how to build it."""


def table_path(name: str, processed: str | os.PathLike | None = None) -> Path:
    """Where a processed table lives (a folder for the partitioned tables).

    Examples
    --------
    >>> table_path("facts", "data/processed").as_posix()
    'data/processed/facts.parquet'
    """
    return Path(processed if processed is not None else paths.processed_dir()) / f"{name}.parquet"


def _partition_name(value) -> str:
    """``period=2021-H1`` (values escaped as in URLs; null as Hive writes it)."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return f"{PARTITION_COLUMN}={NULL_PARTITION}"
    return f"{PARTITION_COLUMN}={quote(str(value), safe=' -_.')}"


def _partition_value(folder_name: str) -> str | None:
    value = folder_name.split("=", 1)[1]
    return None if value == NULL_PARTITION else unquote(value)


# --------------------------------------------------------------------------
# Deterministic frames and files
# --------------------------------------------------------------------------

def _sort_keys(name: str, columns, order_of: dict | None = None) -> list[str]:
    table = schema.TABLES.get(name)
    order = [c for c in (order_of or SORT_ORDER).get(name, ()) if c in columns]
    if table is not None:
        order += [c for c in table.key if c not in order and c in columns]
    return order


def _sorted(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    order = _sort_keys(name, frame.columns)
    if not order:
        order = [c for c in frame.columns if frame[c].dtype != object]
    if order and len(frame):
        frame = frame.sort_values(order, kind="stable", na_position="last")
    return frame.reset_index(drop=True)


def _arrow_table(frame: pd.DataFrame) -> pa.Table:
    table = pa.Table.from_pandas(frame, preserve_index=False)
    # a column that is all nulls (or all empty lists) gets the type it has elsewhere,
    # so that every partition of a table has the same schema
    fields = []
    for f in table.schema:
        if pa.types.is_null(f.type):
            f = f.with_type(pa.string())
        elif pa.types.is_list(f.type) and pa.types.is_null(f.type.value_type):
            f = f.with_type(pa.list_(pa.string()))
        fields.append(f)
    wanted = pa.schema(fields, metadata=table.schema.metadata)
    return table if wanted.equals(table.schema) else table.cast(wanted)


def _write_parquet(frame: pd.DataFrame | pa.Table, path: Path) -> None:
    table = frame if isinstance(frame, pa.Table) else _arrow_table(frame)
    pq.write_table(table, path, compression="zstd", compression_level=3,
                   use_dictionary=True, write_statistics=True, row_group_size=_ROW_GROUP)
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
# Checking the output folder
# --------------------------------------------------------------------------

class OutputProblem(Exception):
    """The tables cannot be written where asked; ``str()`` is one line: the path,
    the problem, the fix. Raised before anything is replaced."""

    def __init__(self, path, problem: str, fix: str):
        self.path = _shown(path)
        self.problem = problem
        self.fix = fix
        super().__init__(f"{self.path}: {problem}; {fix}")


def _shown(path) -> str:
    p = Path(path)
    try:
        return p.absolute().relative_to(Path.cwd().absolute()).as_posix()
    except ValueError:
        return str(p)


_FS_IOC_GETFLAGS = 0x80086601
_FL_UNREMOVABLE = 0x00000010 | 0x00000020      # immutable, append-only


def _pinned(path: Path) -> bool:
    """Whether the file is immutable or append-only (``chattr +i``/``+a``; Linux)."""
    if not sys.platform.startswith("linux"):
        return False
    import array
    import fcntl
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return False
    try:
        buf = array.array("l", [0])
        fcntl.ioctl(fd, _FS_IOC_GETFLAGS, buf, True)
        return bool(buf[0] & _FL_UNREMOVABLE)
    except OSError:
        return False
    finally:
        os.close(fd)


def check_output(out_dir: str | os.PathLike | None = None) -> Path:
    """Check that the tables can be replaced in ``out_dir``; raise :class:`OutputProblem` if not.

    The folder (if it exists) must be a folder whose files can all be removed,
    and its parent a folder where a new one can be made and renamed: what the
    swap of :func:`write_tables` needs. Read-only mounts and immutable files
    are told apart from permissions, so the check holds for root too.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     _ = (Path(d) / "processed").write_text("not a folder")
    ...     check_output(Path(d) / "processed")
    Traceback (most recent call last):
    ...
    analysis.store.OutputProblem: ...processed: this is a file, not the folder of the tables; move the file away, or give another folder (--out DIR)
    """
    out = Path(out_dir if out_dir is not None else paths.processed_dir()).absolute()
    fix_writable = ("make it writable (a read-only disk, a mount option or `chattr +i` forbid it), "
                    "or give another folder (--out DIR)")
    if out.is_file() or (out.exists() and not out.is_dir()):
        raise OutputProblem(out, "this is a file, not the folder of the tables",
                            "move the file away, or give another folder (--out DIR)")
    parent = out.parent
    for up in [parent, *parent.parents]:
        if up.exists():
            if not up.is_dir():
                raise OutputProblem(up, "this is a file, where the folder of the tables should be",
                                    "move the file away, or give another folder (--out DIR)")
            if not os.access(up, os.W_OK | os.X_OK):
                raise OutputProblem(up, "no new folder can be made here (read-only)", fix_writable)
            break
    if out.exists():
        for folder, dirs, files in os.walk(out):
            f = Path(folder)
            if not os.access(f, os.W_OK | os.X_OK) or _pinned(f):
                raise OutputProblem(f, "the tables here cannot be replaced (read-only)", fix_writable)
            for name in files + dirs:
                if _pinned(f / name):
                    raise OutputProblem(f / name, "this file cannot be removed (immutable)",
                                        "make it removable (`chattr -i`), or give another folder (--out DIR)")
    return out


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


def _link_or_copy(src, dst) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


# --------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------

def _stored_periods(out: Path) -> dict:
    """doc id -> period of the reports already stored (for facts written without reports)."""
    try:
        stored = read_table("reports", out, columns=["doc_id", "period"])
    except TableMissing:
        return {}
    return {d: (None if pd.isna(p) else p) for d, p in zip(stored["doc_id"], stored["period"])}


def _partition_keys(frames: dict[str, pd.DataFrame], out: Path) -> dict[str, pd.Series]:
    """The period of every row of each partitioned table (a fact's is its report's)."""
    keys = {}
    for name, frame in frames.items():
        if name not in PARTITIONED:
            continue
        if PARTITION_COLUMN in frame.columns:
            key = frame[PARTITION_COLUMN]
        elif "doc_id" in frame.columns:
            if "reports" in frames:
                rep = frames["reports"]
                by_doc = pd.Series(rep[PARTITION_COLUMN].to_numpy(object), index=rep["doc_id"].to_numpy(object))
            else:
                by_doc = pd.Series(_stored_periods(out), dtype=object)
            key = pd.Series(frame["doc_id"].to_numpy(object), index=frame.index).map(by_doc)
        else:
            raise ValueError(f"{name}: a partitioned table needs a {PARTITION_COLUMN} or doc_id column")
        key = pd.Series(key.to_numpy(object), index=frame.index, dtype=object)
        keys[name] = key.where(key.notna(), None)
    return keys


def _write_dataset(name: str, frame: pd.DataFrame, key: pd.Series, folder: Path,
                   old: Path | None = None) -> None:
    """One file per period, rows in :data:`FILE_ORDER`; ``_common_metadata`` says the columns.

    The rows are ordered once (by period, then :data:`SORT_ORDER`) and each
    period's rows are taken and written in turn, so that no second copy of the
    whole table is made. With ``old`` (a partial write), the previous schema
    file is kept as it is.
    """
    import pyarrow.compute as pc

    folder.mkdir()
    table = _arrow_table(frame)
    if PARTITION_COLUMN in table.column_names:
        table = table.drop_columns([PARTITION_COLUMN])
    part = pa.array(key.to_numpy(object), pa.large_string())
    if table.num_rows:
        order = [("__partition__", "ascending", "at_end")] + \
            [(k, "ascending", "at_end") for k in _sort_keys(name, table.column_names,
                                                            {**SORT_ORDER, **FILE_ORDER})]
        keyed = table.select([k for k, _, _ in order[1:]]).append_column("__partition__", part)
        indices = pc.sort_indices(keyed, options=pc.SortOptions(sort_keys=order))
        del keyed
        counts = pc.value_counts(part)
        sizes = dict(zip(counts.field("values").to_pylist(), counts.field("counts").to_pylist()))
        start = 0
        for value in sorted(sizes, key=lambda v: (v is None, "" if v is None else v)):
            rows = table.take(indices.slice(start, sizes[value]))
            pdir = folder / _partition_name(value)
            pdir.mkdir()
            _write_parquet(rows, pdir / _PART_FILE)
            start += sizes[value]
    if old is not None and (old / _SCHEMA_FILE).exists():
        _link_or_copy(old / _SCHEMA_FILE, folder / _SCHEMA_FILE)
        return
    pq.write_metadata(table.schema, folder / _SCHEMA_FILE)
    _fsync(folder / _SCHEMA_FILE)


def _source(folder: Path, files: list) -> bytes:
    """The partition files a copy is made from: relative path and size of each."""
    root = len(str(folder)) + 1
    return json.dumps([[str(f)[root:].replace(os.sep, "/"), os.stat(f).st_size] for _, f in files],
                      ensure_ascii=False, separators=(",", ":")).encode()


def _segments(column: pa.ChunkedArray) -> list[tuple[int, int]]:
    """(offset, length) of each run of equal values of a sorted column."""
    values = column.to_numpy(zero_copy_only=False)
    if not len(values):
        return []
    cuts = np.flatnonzero(values[1:] != values[:-1]) + 1
    bounds = [0, *cuts.tolist(), len(values)]
    return [(a, b - a) for a, b in zip(bounds[:-1], bounds[1:])]


def _latest_and_properties(rows: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the rows a comparison at each unit's latest period uses, and of properties rows.

    The first are what :func:`analysis.compare.compare_units` keeps with no
    period (level statements, not from plans, at each unit's latest period
    end, per indicator); the second, for each indicator, its first row (in
    :data:`SORT_ORDER`) stating a direction, an aggregation, a unit: what the
    comparison functions read the indicator's properties from.
    """
    from analysis.observations import LEVEL_KINDS

    level = rows["kind"].isin(LEVEL_KINDS).to_numpy(bool, copy=True)
    if "doc_kind" in rows:
        level &= (rows["doc_kind"].fillna("results") != "plan").to_numpy(bool)
    sub = rows[level]
    keys = ["indicator_id", "unit_name"] + (["unit_level"] if "unit_level" in rows else [])
    latest = sub.groupby(keys, dropna=False)["period_end"].transform("max")
    kept = np.flatnonzero(level)[(sub["period_end"] == latest).to_numpy(bool)]
    firsts = set()
    for col in ("direction", "aggregation", "unit"):
        if col in rows:
            stating = rows[rows[col].notna()]
            firsts.update(stating.groupby("indicator_id", dropna=False).head(1).index.tolist())
    return kept, np.array(sorted(firsts), dtype=np.int64)


def _first_stated(rows: pd.DataFrame) -> list[list]:
    """Per indicator, the first direction, aggregation and unit stated (in row order), or None."""
    out = []
    for ind, g in rows.groupby("indicator_id", dropna=False, sort=True):
        values = []
        for col in ("direction", "aggregation", "unit"):
            stated = g[col].dropna() if col in g else ()
            values.append(str(stated.iloc[0]) if len(stated) else None)
        out.append([None if pd.isna(ind) else str(ind), *values])
    return out


def _reach(rows: pd.DataFrame) -> list[list]:
    """Per indicator: units, periods and rows (``[indicator_id, n_units, n_periods, n_rows]``)."""
    if not len(rows):
        return []
    g = rows.groupby("indicator_id", dropna=False, sort=True)
    counts = pd.DataFrame({"u": g["unit_name"].nunique(), "p": g["period"].nunique(), "n": g.size()})
    return [[None if pd.isna(k) else str(k), int(u), int(p), int(n)]
            for k, u, p, n in zip(counts.index, counts["u"], counts["p"], counts["n"])]


def _row_groups_of(pf: pq.ParquetFile, column: str, values: list) -> list[int]:
    """Row groups of a file that may hold rows whose ``column`` is one of ``values`` (statistics)."""
    at = pf.schema_arrow.get_field_index(column)
    known = sorted(v for v in values if v is not None)
    out = []
    for i in range(pf.metadata.num_row_groups):
        st = pf.metadata.row_group(i).column(at).statistics
        if st is None or not st.has_min_max:
            out.append(i)
            continue
        nulls = st.null_count if st.has_null_count else 1
        if (None in values and nulls) or any(st.min <= v <= st.max for v in known):
            out.append(i)
    return out


def _write_copies(name: str, folder: Path) -> None:
    """Write the read-side copies of a partitioned table (:data:`COPIES`) from its partitions.

    Made from the files of ``folder`` alone, so that a full build and a rebuild
    of some periods give the same bytes. Whole indicators are read at a time
    (about 33,000 rows, more if one indicator has more), so memory stays
    bounded however many periods there are.
    """
    import pyarrow.compute as pc

    names = COPIES.get(name)
    if not names:
        return
    files = _listing(folder)
    if (folder / _SCHEMA_FILE).exists():
        base = pq.read_schema(folder / _SCHEMA_FILE)
    elif files:
        base = pq.read_schema(files[0][1])
    else:
        return
    columns = [f.name for f in base if f.name != PARTITION_COLUMN]
    target = pa.schema([base.field(c) for c in columns] + [pa.field(PARTITION_COLUMN, pa.large_string())])
    marked = target.append(pa.field(PROPERTIES_ROW, pa.bool_()))
    order = [(k, "ascending", "at_end")
             for k in _sort_keys(name, target.names, {**SORT_ORDER, **FILE_ORDER})]
    group = order[0][0]
    readers = [(value, pq.ParquetFile(f)) for value, f in files]
    counts: dict = {}
    for _, pf in readers:
        vc = pf.read(columns=[group])[group].value_counts()
        for v, n in zip(vc.field("values").to_pylist(), vc.field("counts").to_pylist()):
            counts[v] = counts.get(v, 0) + n
    chunks, current, size = [], [], 0
    for v in sorted((v for v in counts if v is not None)) + ([None] if None in counts else []):
        if current and size + counts[v] > _COPY_CHUNK:
            chunks.append(current)
            current, size = [], 0
        current.append(v)
        size += counts[v]
    chunks.append(current)
    stats = [c for c in _COPY_STATS if c in target.names]
    options = dict(compression="zstd", compression_level=3, use_dictionary=True)
    paths = {which: folder / file for which, file in names.items()}
    writers = {"all_periods": pq.ParquetWriter(paths["all_periods"], target, write_statistics=stats,
                                               **options),
               "latest": pq.ParquetWriter(paths["latest"], marked,
                                          write_statistics=stats + [PROPERTIES_ROW], **options)}
    reach, stated = {"results": [], "all": []}, []
    try:
        for chunk in chunks:
            parts = [target.empty_table()]
            for value, pf in readers:
                if len(chunks) == 1:
                    t = pf.read(columns=columns)
                else:
                    groups = _row_groups_of(pf, group, chunk)
                    if not groups:
                        continue
                    t = pf.read_row_groups(groups, columns=columns)
                    t = t.filter(pc.is_in(t[group], value_set=pa.array(chunk, t.schema.field(group).type),
                                          skip_nulls=False))   # a null matches a null of the chunk
                parts.append(t.append_column(PARTITION_COLUMN,
                                             pa.array([value] * t.num_rows, pa.large_string())))
            table = pa.concat_tables([p.cast(target) for p in parts])
            del parts
            # the rows in order, taken an indicator at a time (no second copy of the chunk)
            ranked = pc.sort_indices(table, sort_keys=order)
            rows = table.select([c for c in ("indicator_id", "unit_name", "unit_level", "period",
                                             "period_end", "kind", "doc_kind", "direction",
                                             "aggregation", "unit") if c in target.names]).take(ranked)
            for start, n in _segments(rows[group]):
                writers["all_periods"].write_table(table.take(ranked.slice(start, n)),
                                                   row_group_size=_COPY_GROUP)
            rows = rows.to_pandas()
            kept, firsts = _latest_and_properties(rows)
            chosen = np.union1d(kept, firsts).astype(np.int64)
            marks = np.isin(chosen, firsts)
            latest = table.take(ranked.take(pa.array(chosen, pa.int64())))
            latest = latest.append_column(PROPERTIES_ROW, pa.array(marks, pa.bool_()))
            for start, n in _segments(latest[group]):
                # an indicator's properties rows first, in a row group of their own
                block = marks[start:start + n]
                head = np.flatnonzero(block)
                if len(head):
                    writers["latest"].write_table(latest.take(pa.array(start + head, pa.int64())),
                                                  row_group_size=_COPY_GROUP)
                rest = np.flatnonzero(~block)
                if len(rest):
                    writers["latest"].write_table(latest.take(pa.array(start + rest, pa.int64())),
                                                  row_group_size=_COPY_GROUP)
            reach["all"] += _reach(rows)
            stated += _first_stated(rows)
            if "doc_kind" in rows:
                rows = rows[(rows["doc_kind"].fillna("results") != "plan").to_numpy(bool)]
            reach["results"] += _reach(rows)
            del table, rows, latest
        source = _source(folder, files)
        summary = json.dumps({"indicator_reach": reach, "properties": stated}, ensure_ascii=False,
                             sort_keys=True,
                             separators=(",", ":")).encode()
        writers["all_periods"].add_key_value_metadata({_META_SOURCE: source, _META_SUMMARY: summary})
        writers["latest"].add_key_value_metadata({_META_SOURCE: source})
    finally:
        for w in writers.values():
            w.close()
        for _, pf in readers:
            pf.close()
    for p in paths.values():
        _fsync(p)


def write_tables(tables: dict[str, pd.DataFrame], out_dir: str | os.PathLike | None = None,
                 periods: list[str] | None = None, check: bool = True) -> Path:
    """Replace the processed tables with these, all at once.

    Each frame is validated against its schema (when it has one), sorted
    (:data:`SORT_ORDER`, then its key) and written into a new folder beside
    ``out_dir``: the tables of :data:`PARTITIONED` as one file per period (the
    observations also as the read-side copies of :data:`COPIES`, made from all
    their period files, new and kept), any other as ``<name>.parquet``. The
    files are flushed to disk and the new folder is swapped in for the old in
    one atomic rename. Other files already in ``out_dir`` are carried over.
    Until the swap, readers see the previous tables; after it, the new ones;
    never a mix. :class:`TableWriter` writes the same files from batches.

    Parameters
    ----------
    tables : ``{name: frame}``. A fact's period is its report's, taken from the
        ``reports`` frame given beside it (else from the stored reports).
    out_dir : the folder of the tables (default :func:`analysis.paths.processed_dir`).
    periods : replace only these periods' partitions of the partitioned tables
        given (every row must be of one of them; a period with no rows left is
        removed); the other periods' files are kept as they are, unrewritten.
    check : validate each frame against its schema (``False`` only for frames
        that were validated already, as the build's are).

    Returns
    -------
    Path
        The output folder.

    Examples
    --------
    >>> import tempfile
    >>> facts = pd.DataFrame({"doc_id": ["thach-ban-2021-h1"], "raw": ["97,95%"], "value": [97.95]})
    >>> with tempfile.TemporaryDirectory() as d:
    ...     out = write_tables({"sample": facts}, Path(d) / "processed")
    ...     sorted(p.name for p in out.iterdir()), read_table("sample", out)["raw"].tolist()
    (['sample.parquet'], ['97,95%'])
    """
    out = check_output(out_dir)
    _make_parent(out)
    frames = {}
    for name, frame in tables.items():
        if name in schema.TABLES and check:
            frame = schema.validate(frame, schema.TABLES[name])
        frames[name] = frame
    wanted = None if periods is None else {str(p) for p in periods}

    def write(name: str, folder: Path, old: Path | None) -> None:
        _write_dataset(name, frames[name], keys[name], folder, old)

    with _locked(out):
        _recover(out)
        keys = _partition_keys(frames, out)
        if wanted is not None:
            for name, key in keys.items():
                _refuse_strays(name, key, wanted)
                _refuse_single_file(name, out)
        _swap_in(out, sorted(frames), set(keys), wanted, write,
                 lambda name, new: _write_parquet(_sorted(name, frames[name]), new / f"{name}.parquet"))
    return out


def _make_parent(out: Path) -> None:
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OutputProblem(out.parent, f"the folder cannot be made ({e.strerror})",
                            "give another folder (--out DIR)") from None


def _refuse_strays(name: str, key, wanted: set) -> None:
    stray = sorted({str(v) for v in key if v not in wanted})
    if stray:
        raise ValueError(f"{name}: rows of period(s) {', '.join(stray)} given to a write "
                         f"of period(s) {', '.join(sorted(wanted))} only")


def _refuse_single_file(name: str, out: Path) -> None:
    old = table_path(name, out)
    if old.is_file():
        raise ValueError(f"{old}: the {name} table is a single file (an older layout); "
                         "run a full build (without --period) first")


def _swap_in(out: Path, names: list[str], partitioned: set, wanted: set | None, write_dataset,
             write_single) -> None:
    """Write the tables into a new folder beside ``out`` and swap it in (holding the lock).

    ``write_dataset(name, folder, old)`` writes a partitioned table's period
    files and schema into ``folder`` (``old``: the previous folder of a partial
    write); ``write_single(name, new)`` writes any other table.
    """
    _clean_leftovers(out)
    check_output(out)               # again, under the lock: nothing is swapped unless it can be
    new = out.parent / f"{_NEW.format(out.name)}{os.getpid()}"
    try:
        new.mkdir()
    except OSError as e:
        raise OutputProblem(new, f"the new tables cannot be written ({e.strerror})",
                            "make the folder writable, or give another folder (--out DIR)") from None
    try:
        for name in names:
            if name in partitioned:
                folder = new / f"{name}.parquet"
                old = table_path(name, out)
                write_dataset(name, folder, old if wanted is not None and old.is_dir() else None)
                if wanted is not None and old.is_dir():   # keep the other periods as they are
                    for p in sorted(old.iterdir()):
                        if p.is_dir() and p.name.startswith(PARTITION_COLUMN + "=") \
                                and _partition_value(p.name) not in wanted \
                                and not (folder / p.name).exists():
                            shutil.copytree(p, folder / p.name, copy_function=_link_or_copy)
                _write_copies(name, folder)   # from every period's file, old and new
            else:
                write_single(name, new)
        if out.exists():  # carry over what this build does not write
            for p in sorted(out.iterdir()):
                target = new / p.name
                if target.exists():
                    continue
                if p.is_dir():
                    shutil.copytree(p, target, copy_function=_link_or_copy)
                else:
                    _link_or_copy(p, target)
        for d in sorted(new.rglob("*")):
            if d.is_dir():
                _fsync_dir(d)
        _fsync_dir(new)
        if not out.exists():
            os.rename(new, out)
        elif _exchange(new, out):
            # `new` now holds the previous tables (what cannot be removed, the next build does)
            shutil.rmtree(new, ignore_errors=True)
        else:
            old = out.parent / f"{_OLD.format(out.name)}{os.getpid()}"
            os.rename(out, old)
            os.rename(new, out)
            shutil.rmtree(old, ignore_errors=True)
        _fsync_dir(out.parent)
    except OSError as e:
        shutil.rmtree(new, ignore_errors=True)
        where = e.filename or new
        raise OutputProblem(where, f"the tables could not be written ({e.strerror}); the previous "
                            "tables are unchanged", "free some space or make the folder writable, "
                            "then build again") from None
    except BaseException:
        shutil.rmtree(new, ignore_errors=True)
        raise


# --------------------------------------------------------------------------
# Writing batch by batch
# --------------------------------------------------------------------------

_SPILL = ".{}.parts-"
_PANDAS = b"pandas"
_EMPTY_TYPES = ("empty", "list[empty]")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _clean_parts(out: Path) -> None:
    """Remove the part folders of builds that ended without removing theirs."""
    for p in out.parent.glob(_SPILL.format(out.name) + "*"):
        pid = p.name.rsplit("-", 2)[-2]
        if not pid.isdigit() or not _alive(int(pid)):
            shutil.rmtree(p, ignore_errors=True)


def _untyped(t: pa.DataType) -> bool:
    return pa.types.is_null(t) or (pa.types.is_list(t) and pa.types.is_null(t.value_type))


def _pandas_columns(schema_: pa.Schema) -> dict | None:
    meta = (schema_.metadata or {}).get(_PANDAS)
    return json.loads(meta) if meta else None


def _merged_pandas(first: dict | None, other: dict | None) -> dict | None:
    """The pandas metadata of two batches put together: a column typed in either is typed.

    ``pa.Table.from_pandas`` names an object column holding only nulls (or only
    empty lists) ``empty``; in the whole table it has the type its values give.
    """
    if first is None or other is None:
        return first or other
    cols = []
    for a, b in zip(first["columns"], other["columns"]):
        cols.append(b if a.get("pandas_type") in _EMPTY_TYPES and b.get("pandas_type") not in _EMPTY_TYPES
                    else a)
    return {**first, "columns": cols}


class TableWriter:
    """Write the partitioned tables batch by batch, then swap them in at once.

    Each batch (:meth:`add`) is cut by period and written as it comes into
    part files of a folder beside the output (``.<out>.parts-<pid>-<n>``), so
    that memory holds one batch, never the whole corpus. :meth:`commit` puts
    each period's parts together in the order of :func:`write_tables` (one
    period in memory at a time), writes the same files :func:`write_tables`
    would have written from the whole tables (byte for byte), and swaps them
    in atomically; :meth:`close` (or leaving the ``with`` block) removes the
    parts. Nothing in the output folder changes before :meth:`commit`.

    Parameters
    ----------
    out_dir : the folder of the tables (default :func:`analysis.paths.processed_dir`).
    periods : as for :func:`write_tables`: replace only these periods.
    names : the tables written (default :data:`PARTITIONED`).

    Examples
    --------
    >>> import tempfile
    >>> reports = pd.DataFrame({"doc_id": ["b", "a"], "period": ["2021-H1", "2020-FY"]})
    >>> with tempfile.TemporaryDirectory() as d, TableWriter(Path(d) / "out", names=["reports"]) as w:
    ...     w.add({"reports": reports.iloc[:1]})
    ...     w.add({"reports": reports.iloc[1:]})
    ...     out = w.commit()
    ...     partitions("reports", out), read_table("reports", out)["doc_id"].tolist()
    (['2020-FY', '2021-H1'], ['a', 'b'])
    """

    _count = 0

    def __init__(self, out_dir: str | os.PathLike | None = None, periods: list[str] | None = None,
                 names=PARTITIONED):
        self.out = check_output(out_dir)
        _make_parent(self.out)
        self.wanted = None if periods is None else {str(p) for p in periods}
        self.names = tuple(names)
        if self.wanted is not None:
            for name in self.names:
                _refuse_single_file(name, self.out)
        TableWriter._count += 1
        folder = self.out.parent / f"{_SPILL.format(self.out.name)}{os.getpid()}-{TableWriter._count}"
        try:
            _clean_parts(self.out)
            folder.mkdir()
        except OSError as e:
            raise OutputProblem(folder, f"the tables' parts cannot be written ({e.strerror})",
                                "make the folder writable, or give another folder (--out DIR)") from None
        self.folder = folder
        self._seq = 0
        self._parts: dict[str, dict] = {n: {} for n in self.names}   # name -> period -> [(seq, path)]
        self._schema: dict[str, pa.Schema] = {}
        self._pandas: dict[str, dict | None] = {}
        self._columns: dict[str, list] = {}
        self._left_out: dict = {}             # doc id -> rows of batches before this one are left out
        self._where: dict[str, set] = {}      # doc id -> sequence numbers of the batches holding it

    def __enter__(self) -> "TableWriter":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Remove the part files (the committed tables stay)."""
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None

    def add(self, tables: dict[str, pd.DataFrame]) -> None:
        """Write one batch of rows (``{name: frame}``, frames validated already).

        A fact's or an observation's period is its report's, taken from the
        ``reports`` frame of the same batch.
        """
        import pyarrow.compute as pc

        keys = _partition_keys(tables, self.out)
        seq = self._seq
        self._seq += 1
        for name in self.names:
            if name not in tables:
                continue
            frame, key = tables[name], keys[name]
            if self.wanted is not None:
                _refuse_strays(name, key, self.wanted)
            # the columns in the order of the first batch with rows, as ``pd.concat`` puts them
            if len(frame) and name not in self._columns:
                self._columns[name] = list(frame.columns)
                self._schema.pop(name, None)        # what batches without rows said is replaced
            if name in self._columns and list(frame.columns) != self._columns[name]:
                frame = frame[self._columns[name]]
            table = pa.Table.from_pandas(frame, preserve_index=False)
            if PARTITION_COLUMN in table.column_names:
                table = table.drop_columns([PARTITION_COLUMN])
            self._remember(name, table.schema)
            if not self._schema[name].equals(table.schema.remove_metadata()):
                table = table.cast(self._schema[name].with_metadata(table.schema.metadata))
            if not table.num_rows:
                continue
            if "doc_id" in table.column_names:
                for d in set(frame["doc_id"]):
                    self._where.setdefault(d, set()).add(seq)
            values = pa.array(key.to_numpy(object), pa.string())
            for value in sorted(set(values.to_pylist()), key=lambda v: (v is None, "" if v is None else v)):
                rows = table.filter(pc.is_null(values) if value is None
                                    else pc.fill_null(pc.equal(values, value), False))
                folder = self.folder / name / _partition_name(value)
                folder.mkdir(parents=True, exist_ok=True)
                path = folder / f"part-{seq:06d}.arrow"
                with pa.OSFile(str(path), "wb") as sink, \
                        pa.ipc.new_file(sink, rows.schema,
                                        options=pa.ipc.IpcWriteOptions(compression="lz4")) as w:
                    w.write_table(rows)
                self._parts[name].setdefault(value, []).append((seq, path))

    def _remember(self, name: str, got: pa.Schema) -> None:
        """Put a batch's columns with those of the batches before: a column all null in
        one batch (Arrow's null type) takes the type the others give it."""
        pandas_meta = _pandas_columns(got)
        if name not in self._schema:
            self._schema[name] = got.remove_metadata()
            self._pandas[name] = pandas_meta
            return
        fields = []
        for before, now in zip(self._schema[name], got):
            fields.append(now.with_name(before.name) if _untyped(before.type) and not _untyped(now.type)
                          else before)
        self._schema[name] = pa.schema(fields)
        self._pandas[name] = _merged_pandas(self._pandas[name], pandas_meta)

    def take(self, docs) -> dict[str, pd.DataFrame]:
        """Take back the rows of some reports (as frames): they are left out of the tables.

        For what can only be done once every batch is in (corrections found
        by a report's words): the rows come back, are changed and are given
        again with :meth:`add`. Reads only the parts of the batches that hold them.
        """
        import pyarrow.compute as pc

        docs = set(docs) - set(self._left_out)
        seqs = set().union(*(self._where.get(d, set()) for d in docs)) if docs else set()
        out = {}
        for name in self.names:
            if name not in self._schema:
                continue
            base = self._canonical(name)
            table_def = schema.TABLES.get(name)
            has_period = table_def is not None and PARTITION_COLUMN in table_def.names

            def with_period(t: pa.Table, value) -> pa.Table:
                return (t.append_column(PARTITION_COLUMN, pa.array([value] * t.num_rows, pa.large_string()))
                        if has_period else t)

            got = [with_period(base.empty_table(), None)]
            for value, parts in self._parts[name].items():
                for seq, path in parts:
                    if seq in seqs:
                        t = self._read(name, path)
                        t = t.filter(pc.is_in(t["doc_id"], value_set=pa.array(sorted(docs), t["doc_id"].type)))
                        got.append(with_period(t, value))
            table = pa.concat_tables(got)
            out[name] = _frame(name, table.select(with_partition_column(name, base.names)))
        for d in docs:              # rows given before now are left out; rows given again are kept
            self._left_out[d] = self._seq
        return out

    def _canonical(self, name: str) -> pa.Schema:
        """The table's columns as :func:`_arrow_table` gives them for the whole table."""
        meta = self._pandas.get(name)
        fields = []
        for f in self._schema[name]:
            if pa.types.is_null(f.type):
                f = f.with_type(pa.string())
            elif pa.types.is_list(f.type) and pa.types.is_null(f.type.value_type):
                f = f.with_type(pa.list_(pa.string()))
            fields.append(f)
        return pa.schema(fields, metadata={_PANDAS: json.dumps(meta).encode()} if meta is not None else None)

    def _read(self, name: str, path: Path) -> pa.Table:
        target = self._canonical(name)
        with pa.OSFile(str(path), "rb") as f:
            table = pa.ipc.open_file(f).read_all()
        return table.cast(target) if not table.schema.remove_metadata().equals(target.remove_metadata()) \
            else table.replace_schema_metadata(target.metadata)

    def _write(self, name: str, folder: Path, old: Path | None) -> None:
        """One table's period files from its parts, as :func:`_write_dataset` writes them."""
        import pyarrow.compute as pc

        folder.mkdir()
        target = self._canonical(name)
        order = [(k, "ascending", "at_end")
                 for k in _sort_keys(name, target.names, {**SORT_ORDER, **FILE_ORDER})]
        for value in sorted(self._parts[name], key=lambda v: (v is None, "" if v is None else v)):
            parts = []
            for seq, path in self._parts[name][value]:
                t = self._read(name, path)
                out = sorted(d for d, before in self._left_out.items() if seq < before)
                if out:
                    t = t.filter(pc.invert(pc.is_in(t["doc_id"], value_set=pa.array(out, t["doc_id"].type))))
                parts.append(t)
            table = pa.concat_tables(parts) if len(parts) > 1 else parts[0]
            del parts
            if not table.num_rows:
                continue
            rows = table.take(pc.sort_indices(table.select([k for k, _, _ in order]),
                                              options=pc.SortOptions(sort_keys=order)))
            del table
            pdir = folder / _partition_name(value)
            pdir.mkdir()
            _write_parquet(rows, pdir / _PART_FILE)
            del rows
        if old is not None and (old / _SCHEMA_FILE).exists():
            _link_or_copy(old / _SCHEMA_FILE, folder / _SCHEMA_FILE)
            return
        pq.write_metadata(target, folder / _SCHEMA_FILE)
        _fsync(folder / _SCHEMA_FILE)

    def commit(self) -> Path:
        """Write the tables from their parts and swap them in; the output folder.

        A table no batch was given for is left as it is.
        """
        names = sorted(n for n in self.names if n in self._schema)
        with _locked(self.out):
            _recover(self.out)
            if self.wanted is not None:
                for name in names:
                    _refuse_single_file(name, self.out)
            _swap_in(self.out, names, set(names), self.wanted, self._write, None)
        return self.out


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
        if c.dtype != "object" and str(s.dtype) != c.dtype:   # lists: see _frame
            frame[c.name] = s.astype(c.dtype)
    return frame


def _located(name: str, processed) -> Path:
    """The table's path, looking beside the folder when a swap was interrupted."""
    out = Path(processed if processed is not None else paths.processed_dir())
    path = out / f"{name}.parquet"
    if not path.exists() and not out.exists():
        olds = sorted(out.absolute().parent.glob(_OLD.format(out.name) + "*"))
        if olds:  # a swap was interrupted between its two renames
            path = olds[-1] / f"{name}.parquet"
    if not path.exists():
        raise TableMissing(f"{path}: the {name} table has not been built; "
                           "run `python -m analysis build` (or `make build`)")
    return path


def _wanted_periods(period) -> set | None:
    if period is None:
        return None
    if isinstance(period, str):
        return {period}
    return {None if p is None or (isinstance(p, float) and np.isnan(p)) else str(p) for p in period}


def table_files(name: str, processed: str | os.PathLike | None = None,
                period: str | list | None = None) -> list[tuple[str | None, Path]]:
    """The files of a partitioned table as ``(period, path)``, sorted by period.

    ``period`` (one code or a list; ``None`` in a list stands for the unknown
    period) keeps only those partitions. For a table stored as one file the
    list is ``[(None, path)]``.

    Examples
    --------
    >>> import tempfile
    >>> reports = pd.DataFrame({"doc_id": ["a", "b"], "period": ["2021-H1", "2018-FY"]})
    >>> with tempfile.TemporaryDirectory() as d:
    ...     _ = write_tables({"reports": schema.validate(reports.reindex(
    ...         columns=schema.REPORTS.names).assign(source_file="x", sha256="0", n_chars=1, text="t"),
    ...         schema.REPORTS)}, d)
    ...     [(p, f.relative_to(d).as_posix()) for p, f in table_files("reports", d)]
    [('2018-FY', 'reports.parquet/period=2018-FY/part-0.parquet'), ('2021-H1', 'reports.parquet/period=2021-H1/part-0.parquet')]
    """
    path = _located(name, processed)
    if path.is_file():
        return [(None, path)]
    return _listing(path, _wanted_periods(period))


def _listing(path: Path, wanted: set | None = None) -> list[tuple[str | None, Path]]:
    """``(period, file)`` of a partitioned table's folder, sorted (the read-side copies left out)."""
    with os.scandir(path) as entries:
        folders = sorted(e.name for e in entries
                         if e.name.startswith(PARTITION_COLUMN + "=") and e.is_dir())
    out = []
    for folder in folders:
        value = _partition_value(folder)
        if wanted is not None and value not in wanted:
            continue
        with os.scandir(path / folder) as entries:
            files = sorted(e.name for e in entries if e.name.endswith(".parquet")
                           and not e.name.startswith("."))
        out.extend((value, path / folder / f) for f in files)
    return out


def _copy_metadata(path: Path) -> dict | None:
    """Key-value metadata of a copy's footer (kept while the file is the same), or None."""
    try:
        return _kept_for_file(_FOOTERS, path, lambda: dict(pq.read_metadata(path).metadata or {}))
    except FileNotFoundError:
        return None


def _kept_for_file(cache: dict, path: Path, read):
    """``read()``, kept in ``cache`` while the file at ``path`` stays the same file, unchanged."""
    st = path.stat()
    key = (str(path), st.st_ino, st.st_size, st.st_mtime_ns)
    value = cache.get(key)
    if value is None:
        value = read()
        if len(cache) >= 32:
            cache.clear()
        cache[key] = value
    return value


def table_copy(name: str, which: str = "all_periods",
               processed: str | os.PathLike | None = None) -> Path | None:
    """A read-side copy of a partitioned table, or None where there is none to trust.

    ``which`` is ``"all_periods"`` (every row in one file, the period as a
    column, sorted by indicator, unit, period) or ``"latest"`` (the rows a
    comparison at each unit's latest period uses, and the rows giving each
    indicator's properties, marked in :data:`PROPERTIES_ROW`); see
    :data:`COPIES`. None when the copy is missing (tables written by an older
    version) or was not made from the partition files now beside it (files
    added or replaced by another writer): readers then use the partitions.

    Examples
    --------
    >>> import tempfile
    >>> from analysis.build import build
    >>> with tempfile.TemporaryDirectory() as d:
    ...     out = build(out=Path(d) / "processed", progress=False).out
    ...     table_copy("observations", "all_periods", out).relative_to(out).as_posix()
    'observations.parquet/_all_periods.parquet.copy'
    """
    names = COPIES.get(name, {})
    if which not in names:
        raise ValueError(f"{name}: no copy {which!r} (copies: {', '.join(names) or 'none'})")
    return table_copies(name, processed).get(which)


def table_copies(name: str, processed: str | os.PathLike | None = None) -> dict[str, Path]:
    """Every read-side copy of a table that :func:`table_copy` would give, by kind (one listing)."""
    path = _located(name, processed)
    names = COPIES.get(name, {})
    if not names or not path.is_dir():
        return {}
    out, source = {}, None
    try:
        for which, file in names.items():
            meta = _copy_metadata(path / file)
            if meta is None:
                continue
            if source is None:
                source = _source(path, _listing(path))
            if meta.get(_META_SOURCE) == source:
                out[which] = path / file
    except FileNotFoundError:   # a build swapped the folder meanwhile: read the partitions
        return {}
    return out


def copy_summary(name: str, processed: str | os.PathLike | None = None) -> dict | None:
    """Counts written with a table's copies (``{"indicator_reach": ...}``), or None without copies.

    ``indicator_reach`` maps ``"results"`` (plans left out) and ``"all"`` to
    ``[indicator_id, n_units, n_periods, n_rows]`` per indicator, sorted;
    ``properties`` lists ``[indicator_id, direction, aggregation, unit]``, the
    first of each stated in the table's row order (what
    :mod:`analysis.compare` reads an indicator's properties from).
    """
    copy = table_copies(name, processed).get("all_periods")
    return None if copy is None else _summary(copy)


def _summary(copy: Path) -> dict | None:
    meta = _copy_metadata(copy)
    if not meta or _META_SUMMARY not in meta:
        return None
    if "summary" not in meta:   # parsed once per file
        meta["summary"] = json.loads(meta[_META_SUMMARY])
    return meta["summary"]


def partitions(name: str, processed: str | os.PathLike | None = None) -> list[str | None]:
    """The periods a partitioned table holds (``None``: reports whose period is unknown)."""
    return sorted({p for p, _ in table_files(name, processed)},
                  key=lambda v: (v is None, "" if v is None else v))


def _read_files(files: list[Path], columns: list[str], filters) -> list[pa.Table]:
    """Some columns of each file, in order (a few files at a time: most of the cost is per file)."""
    if filters is not None:
        return [pq.read_table(f, columns=columns, filters=filters) for f in files]

    def read(f):
        return pq.ParquetFile(f).read(columns=columns, use_threads=False)

    if len(files) < 8:
        return [read(f) for f in files]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        return list(pool.map(read, files))


def with_partition_column(name: str, names) -> list[str]:
    """A partitioned table's stored columns with the period put back where its schema has it."""
    names = list(names)
    table_def = schema.TABLES.get(name)
    if table_def is None or PARTITION_COLUMN not in table_def.names or PARTITION_COLUMN in names:
        return names
    at = table_def.names.index(PARTITION_COLUMN)
    before = [c for c in table_def.names[:at] if c in names]
    names.insert(names.index(before[-1]) + 1 if before else 0, PARTITION_COLUMN)
    return names


def _read_dataset(name: str, path: Path, columns, period, filters) -> pa.Table:
    schema_file = path / _SCHEMA_FILE
    base = pq.read_schema(schema_file) if schema_file.exists() else None
    files = table_files(name, path.parent, period)
    if base is None:
        if not files:
            raise TableMissing(f"{path}: the {name} table has no files; "
                               "run `python -m analysis build` (or `make build`)")
        base = pq.read_schema(files[0][1])
    table_def = schema.TABLES.get(name)
    has_period = table_def is not None and PARTITION_COLUMN in table_def.names
    names = with_partition_column(name, base.names)
    wanted = list(columns) if columns is not None else names
    missing = [c for c in wanted if c not in names]
    if missing:
        raise KeyError(f"{name}: no column(s) {', '.join(missing)}")
    keys = _sort_keys(name, names)
    read = [c for c in dict.fromkeys(wanted + keys) if c != PARTITION_COLUMN]
    parts = []
    for (value, _), t in zip(files, _read_files([f for _, f in files], read, filters)):
        if has_period:
            t = t.append_column(PARTITION_COLUMN, pa.array([value] * t.num_rows, pa.large_string()))
        parts.append(t)
    if not parts:
        t = base.empty_table().select(read)
        if has_period:
            t = t.append_column(PARTITION_COLUMN, pa.array([], pa.large_string()))
        parts = [t]
    table = pa.concat_tables(parts, promote_options="default")
    if table.num_rows > 1 and keys:
        table = table.sort_by([(k, "ascending", "at_end") for k in keys])
    return table.select([c for c in wanted if c in table.column_names])


def read_table(name: str, processed: str | os.PathLike | None = None,
               columns: list[str] | None = None, period: str | list | None = None,
               filters=None) -> pd.DataFrame:
    """Read one processed table (``reports``, ``facts``, ``observations``) as a frame.

    Columns get the dtypes of :mod:`analysis.schema`; list columns
    (``programs``) come back as Python lists. Rows come in :data:`SORT_ORDER`.

    Parameters
    ----------
    name : the table.
    processed : its folder (default :func:`analysis.paths.processed_dir`).
    columns : only these columns, in this order.
    period : only these periods' rows (a code or a list of codes), read from
        their own files.
    filters : further row filters on the files, in pyarrow's form
        (``[("unit_name", "==", "Cự Khối")]``).

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
    for attempt in range(3):
        try:
            path = _located(name, processed)
            if path.is_dir():
                table = _read_dataset(name, path, columns, period, filters)
            else:
                table = pq.read_table(path, columns=columns, filters=filters)
            break
        except FileNotFoundError as e:   # a build swapped the folder while we listed it
            if isinstance(e, TableMissing) or attempt == 2:
                raise
    frame = _frame(name, table)
    if period is not None and path.is_file() and PARTITION_COLUMN in frame.columns:
        frame = frame[frame[PARTITION_COLUMN].isin(_wanted_periods(period))].reset_index(drop=True)
    return frame


def _is_nested(t: pa.DataType) -> bool:
    return (pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t)
            or pa.types.is_list_view(t) or pa.types.is_large_list_view(t))


def _frame(name: str, table: pa.Table) -> pd.DataFrame:
    """The frame of an Arrow table: list columns as Python lists, dtypes of the schema."""
    nested = [i for i, f in enumerate(table.schema) if _is_nested(f.type)]
    names = table.column_names
    frame = (table.drop_columns([names[i] for i in nested]) if nested else table).to_pandas()
    for i in nested:
        frame.insert(i, names[i], pd.Series(table.column(i).to_pylist(), index=frame.index,
                                            dtype=object))
    return _restore(name, frame)


_SCHEMAS: dict = {}


def _stored_schema(name: str, processed=None) -> pa.Schema:
    """The stored columns of a table (kept while its schema file is the same)."""
    path = _located(name, processed)
    if path.is_dir():
        source = path / _SCHEMA_FILE
        if not source.exists():
            files = table_files(name, processed)
            if not files:
                return pa.schema([])
            source = files[0][1]
    else:
        source = path
    return _kept_for_file(_SCHEMAS, source, lambda: pq.read_schema(source))


def frame_from_arrow(name: str, table: pa.Table,
                     processed: str | os.PathLike | None = None) -> pd.DataFrame:
    """Rows of a stored table fetched by another engine (DuckDB), as :func:`read_table` gives them.

    The Arrow table may hold any of the stored table's columns, in any order;
    they are cast to the stored types and get the same pandas dtypes.
    """
    base = _stored_schema(name, processed)
    fields = []
    for c in table.column_names:
        if c in base.names:
            fields.append(base.field(c))
        elif c == PARTITION_COLUMN:
            fields.append(pa.field(c, pa.large_string()))
        else:
            fields.append(table.schema.field(c))
    return _frame(name, table.cast(pa.schema(fields, metadata=base.metadata)))
