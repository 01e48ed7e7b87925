"""Reading the processed tables back: whole, by period, by column, or rows another engine fetched."""
from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from analysis import schema
from analysis.store.layout import (
    PARTITION_COLUMN,
    SCHEMA_FILE,
    TableMissing,
    kept_for_file,
    located,
    sort_keys,
    table_files,
    wanted_periods,
    with_partition_column,
)

__all__ = ["read_table", "partitions", "frame_from_arrow", "frame_of_arrow", "stored_schema"]


def _restore(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    table = schema.TABLES.get(name)
    if table is None:
        return frame
    for c in table.columns:
        if c.name not in frame.columns:
            continue
        s = frame[c.name]
        if c.dtype != "object" and str(s.dtype) != c.dtype:   # lists: see frame_of_arrow
            frame[c.name] = s.astype(c.dtype)
    return frame


def _read_files(files: list[Path], columns: list[str], filters) -> list[pa.Table]:
    """Read some columns of each file, in order (a few files at a time: most of the cost is per file)."""
    if filters is not None:
        return [pq.read_table(f, columns=columns, filters=filters) for f in files]

    def read(f):
        return pq.ParquetFile(f).read(columns=columns, use_threads=False)

    if len(files) < 8:
        return [read(f) for f in files]
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        return list(pool.map(read, files))


def _read_dataset(name: str, path: Path, columns, period, filters) -> pa.Table:
    schema_file = path / SCHEMA_FILE
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
    keys = sort_keys(name, names)
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
    >>> from analysis.store import write_tables
    >>> reports = pd.DataFrame({"doc_id": ["cu-khoi-2018-fy"], "programs": [["01-CTr/QU", "02-CTr/QU"]]})
    >>> with tempfile.TemporaryDirectory() as d:
    ...     _ = write_tables({"sample": reports}, d)
    ...     read_table("sample", d)["programs"].tolist()
    [['01-CTr/QU', '02-CTr/QU']]
    """
    for attempt in range(3):
        try:
            path = located(name, processed)
            if path.is_dir():
                table = _read_dataset(name, path, columns, period, filters)
            else:
                table = pq.read_table(path, columns=columns, filters=filters)
            break
        except FileNotFoundError as e:   # a build swapped the folder while we listed it
            if isinstance(e, TableMissing) or attempt == 2:
                raise
    frame = frame_of_arrow(name, table)
    if period is not None and path.is_file() and PARTITION_COLUMN in frame.columns:
        frame = frame[frame[PARTITION_COLUMN].isin(wanted_periods(period))].reset_index(drop=True)
    return frame


def _is_nested(t: pa.DataType) -> bool:
    return (pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t)
            or pa.types.is_list_view(t) or pa.types.is_large_list_view(t))


def frame_of_arrow(name: str, table: pa.Table) -> pd.DataFrame:
    """Return the frame of an Arrow table: list columns as Python lists, dtypes of the schema."""
    nested = [i for i, f in enumerate(table.schema) if _is_nested(f.type)]
    names = table.column_names
    frame = (table.drop_columns([names[i] for i in nested]) if nested else table).to_pandas()
    for i in nested:
        frame.insert(i, names[i], pd.Series(table.column(i).to_pylist(), index=frame.index,
                                            dtype=object))
    return _restore(name, frame)


_SCHEMAS: dict = {}


def stored_schema(name: str, processed=None) -> pa.Schema:
    """Return the stored columns of a table (kept while its schema file is the same)."""
    path = located(name, processed)
    if path.is_dir():
        source = path / SCHEMA_FILE
        if not source.exists():
            files = table_files(name, processed)
            if not files:
                return pa.schema([])
            source = files[0][1]
    else:
        source = path
    return kept_for_file(_SCHEMAS, source, lambda: pq.read_schema(source))


def frame_from_arrow(name: str, table: pa.Table,
                     processed: str | os.PathLike | None = None) -> pd.DataFrame:
    """Rows of a stored table fetched by another engine (DuckDB), as :func:`read_table` gives them.

    The Arrow table may hold any of the stored table's columns, in any order;
    they are cast to the stored types and get the same pandas dtypes.
    """
    base = stored_schema(name, processed)
    fields = []
    for c in table.column_names:
        if c in base.names:
            fields.append(base.field(c))
        elif c == PARTITION_COLUMN:
            fields.append(pa.field(c, pa.large_string()))
        else:
            fields.append(table.schema.field(c))
    return frame_of_arrow(name, table.cast(pa.schema(fields, metadata=base.metadata)))


def partitions(name: str, processed: str | os.PathLike | None = None) -> list[str | None]:
    """Return the periods a partitioned table holds (``None``: reports whose period is unknown)."""
    return sorted({p for p, _ in table_files(name, processed)},
                  key=lambda v: (v is None, "" if v is None else v))
