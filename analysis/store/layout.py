"""Where each table lives and in which order its rows are kept.

The folder layout (``<name>.parquet/period=<code>/part-0.parquet``), the row
orders, the Arrow form of a frame and the deterministic Parquet writer that
every file of the tables goes through.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path
from urllib.parse import quote, unquote

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from analysis import paths, schema

__all__ = ["SORT_ORDER", "FILE_ORDER", "PARTITIONED", "PARTITION_COLUMN", "NULL_PARTITION", "PART_FILE",
           "SCHEMA_FILE", "NEW_FOLDER", "OLD_FOLDER", "TableMissing", "table_path", "partition_name",
           "partition_value", "sort_keys", "sorted_frame", "arrow_table", "write_parquet", "write_sorted_parquet",
           "take_rows", "open_output", "fsync_file", "fsync_dir", "link_or_copy", "located", "wanted_periods",
           "table_files", "listing", "kept_for_file", "with_partition_column"]


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


PART_FILE = "part-0.parquet"


SCHEMA_FILE = "_common_metadata"


_ROW_GROUP = 1024


_GROUPS_TAKEN = 16   # row groups put in order at once by write_sorted_parquet, at most


#: bytes of rows put in order at once by write_sorted_parquet, about: a merging thread holds
#: two copies of them (the rows taken from the parts, and in order). Measured on the 48,000-report
#: corpus, 16 row groups at once (16 MB of facts, 280 MB of reports' texts) made each merging
#: thread hold 50-120 MB more than one row group at a time does, at the same speed.
_BYTES_TAKEN = 4 << 20


_WRITE_BUFFER = 1 << 20   # bytes: a system call per megabyte, not per page (88,000 calls for 600 reports)


NEW_FOLDER, OLD_FOLDER = ".{}.new-", ".{}.old-"


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


def partition_name(value) -> str:
    """``period=2021-H1`` (values escaped as in URLs; null as Hive writes it)."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return f"{PARTITION_COLUMN}={NULL_PARTITION}"
    return f"{PARTITION_COLUMN}={quote(str(value), safe=' -_.')}"


def partition_value(folder_name: str) -> str | None:
    """Return the period of a ``period=...`` folder name (None for the unknown period)."""
    value = folder_name.split("=", 1)[1]
    return None if value == NULL_PARTITION else unquote(value)


def sort_keys(name: str, columns, order_of: dict | None = None) -> list[str]:
    """Return the columns a table is sorted by (:data:`SORT_ORDER`, then its key), among ``columns``."""
    table = schema.TABLES.get(name)
    order = [c for c in (order_of or SORT_ORDER).get(name, ()) if c in columns]
    if table is not None:
        order += [c for c in table.key if c not in order and c in columns]
    return order


def sorted_frame(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Return the frame in its table's row order (any table: its columns that are not objects)."""
    order = sort_keys(name, frame.columns)
    if not order:
        order = [c for c in frame.columns if frame[c].dtype != object]
    if order and len(frame):
        frame = frame.sort_values(order, kind="stable", na_position="last")
    return frame.reset_index(drop=True)


def arrow_table(frame: pd.DataFrame) -> pa.Table:
    """Return a frame as Arrow, a column of nulls typed as elsewhere (strings, lists of strings)."""
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


def write_parquet(frame: pd.DataFrame | pa.Table, path: Path) -> None:
    """Write one Parquet file as every file of the tables is written (zstd, statistics), and flush it."""
    table = frame if isinstance(frame, pa.Table) else arrow_table(frame)
    write_sorted_parquet(table, None, path)


def write_sorted_parquet(table: pa.Table, order: pa.Array | None, path: Path) -> None:
    """Write the rows of ``table`` in the order ``order`` (indices; None: as they are), as :func:`write_parquet`.

    The rows are taken a few row groups at a time (about :data:`_BYTES_TAKEN`,
    at least one row group), so that memory holds those, not a sorted copy
    of the table; the file is byte for byte the one :func:`write_parquet`
    writes from the sorted table (the same row groups, each one chunk).
    """
    n = table.num_rows if order is None else len(order)
    step = _ROW_GROUP * _GROUPS_TAKEN
    if order is not None and n:
        per_group = table.nbytes / max(table.num_rows, 1) * _ROW_GROUP
        step = _ROW_GROUP * max(1, min(_GROUPS_TAKEN, int(_BYTES_TAKEN // max(per_group, 1))))
    with open_output(path) as sink, \
            pq.ParquetWriter(sink, table.schema, compression="zstd", compression_level=3,
                             use_dictionary=True, write_statistics=True) as w:
        for start in range(0, max(n, 1), step):
            rows = table.slice(start, step) if order is None else take_rows(table, order.slice(start, step))
            w.write_table(rows, row_group_size=_ROW_GROUP)
    fsync_file(path)


def take_rows(table: pa.Table, indices) -> pa.Table:
    """Return ``table.take(indices)``, taking from each chunk of the table alone, a column at a time.

    Arrow's ``take`` on a table of many chunks (a period put together from
    many batches) first joins the chunks into one copy of the whole table, for
    every call; here only the rows asked for are copied, and each column is
    put in order on its own, so that memory holds the rows taken and two
    copies of one column, not two of every column (the copy of every period
    took 71 MB of Arrow buffers at its peak on the 24,000-report corpus, and
    this took that to 51 MB).

    Examples
    --------
    >>> t = pa.concat_tables([pa.table({"a": [0, 1, 2]}), pa.table({"a": [3, 4]})])
    >>> take_rows(t, [4, 0, 3, 1])["a"].to_pylist()
    [4, 0, 3, 1]
    """
    at = np.asarray(indices.to_numpy(zero_copy_only=False) if isinstance(indices, (pa.Array, pa.ChunkedArray))
                    else indices, dtype=np.int64)
    batches = table.to_batches()
    if len(batches) <= 1 or not len(at):
        return table.take(pa.array(at, pa.int64()))
    starts = np.cumsum([0] + [b.num_rows for b in batches])
    chunk = np.searchsorted(starts, at, side="right") - 1
    gather = np.argsort(chunk, kind="stable")         # the rows grouped by chunk, each group in order
    groups = []
    for rows in np.split(gather, np.flatnonzero(np.diff(chunk[gather])) + 1):
        c = chunk[rows[0]]
        groups.append((batches[c], pa.array(at[rows] - starts[c], pa.int64())))
    back = np.empty(len(at), np.int64)
    back[gather] = np.arange(len(at))                  # row i of the answer is row back[i] of the rows taken
    back = pa.array(back)
    columns = []
    for j in range(table.num_columns):
        pieces = [b.column(j).take(idx) for b, idx in groups]
        joined = pieces[0] if len(pieces) == 1 else pa.concat_arrays(pieces)
        del pieces
        columns.append(joined.take(back))
        del joined
    return pa.Table.from_arrays(columns, schema=table.schema)


def open_output(path: Path) -> pa.NativeFile:
    """Open a file for writing through a buffer: Arrow's writers write each page and buffer on its own."""
    return pa.BufferedOutputStream(pa.OSFile(str(path), "wb"), buffer_size=_WRITE_BUFFER)


def fsync_file(path: Path) -> None:
    """Flush a file (or a folder) to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(path: Path) -> None:
    """Flush a folder's entries to disk (where the system can)."""
    if os.name != "posix":
        return
    fsync_file(path)


def link_or_copy(src, dst) -> None:
    """Hard-link ``src`` at ``dst``, or copy it where links cannot be made."""
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def located(name: str, processed) -> Path:
    """Return the table's path, looking beside the folder when a swap was interrupted."""
    out = Path(processed if processed is not None else paths.processed_dir())
    path = out / f"{name}.parquet"
    if not path.exists() and not out.exists():
        olds = sorted(out.absolute().parent.glob(OLD_FOLDER.format(out.name) + "*"))
        if olds:  # a swap was interrupted between its two renames
            path = olds[-1] / f"{name}.parquet"
    if not path.exists():
        raise TableMissing(f"{path}: the {name} table has not been built; "
                           "run `python -m analysis build` (or `make build`)")
    return path


def wanted_periods(period) -> set | None:
    """Return the periods asked for as a set (None: every period)."""
    if period is None:
        return None
    if isinstance(period, str):
        return {period}
    return {None if p is None or (isinstance(p, float) and np.isnan(p)) else str(p) for p in period}


def table_files(name: str, processed: str | os.PathLike | None = None,
                period: str | list | None = None) -> list[tuple[str | None, Path]]:
    """Return the files of a partitioned table as ``(period, path)``, sorted by period.

    ``period`` (one code or a list; ``None`` in a list stands for the unknown
    period) keeps only those partitions. For a table stored as one file the
    list is ``[(None, path)]``.

    Examples
    --------
    >>> import tempfile
    >>> from analysis.store import write_tables
    >>> reports = pd.DataFrame({"doc_id": ["a", "b"], "period": ["2021-H1", "2018-FY"]})
    >>> with tempfile.TemporaryDirectory() as d:
    ...     _ = write_tables({"reports": schema.validate(reports.reindex(
    ...         columns=schema.REPORTS.names).assign(source_file="x", sha256="0", n_chars=1, text="t"),
    ...         schema.REPORTS)}, d)
    ...     for p, f in table_files("reports", d):
    ...         print(p, f.relative_to(d).as_posix())
    2018-FY reports.parquet/period=2018-FY/part-0.parquet
    2021-H1 reports.parquet/period=2021-H1/part-0.parquet
    """
    path = located(name, processed)
    if path.is_file():
        return [(None, path)]
    return listing(path, wanted_periods(period))


def listing(path: Path, wanted: set | None = None) -> list[tuple[str | None, Path]]:
    """``(period, file)`` of a partitioned table's folder, sorted (the read-side copies left out)."""
    with os.scandir(path) as entries:
        folders = sorted(e.name for e in entries
                         if e.name.startswith(PARTITION_COLUMN + "=") and e.is_dir())
    out = []
    for folder in folders:
        value = partition_value(folder)
        if wanted is not None and value not in wanted:
            continue
        with os.scandir(path / folder) as entries:
            files = sorted(e.name for e in entries if e.name.endswith(".parquet")
                           and not e.name.startswith("."))
        out.extend((value, path / folder / f) for f in files)
    return out


def kept_for_file(cache: dict, path: Path, read):
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


def with_partition_column(name: str, names) -> list[str]:
    """Return a partitioned table's stored columns with the period put back where its schema has it."""
    names = list(names)
    table_def = schema.TABLES.get(name)
    if table_def is None or PARTITION_COLUMN not in table_def.names or PARTITION_COLUMN in names:
        return names
    at = table_def.names.index(PARTITION_COLUMN)
    before = [c for c in table_def.names[:at] if c in names]
    names.insert(names.index(before[-1]) + 1 if before else 0, PARTITION_COLUMN)
    return names
