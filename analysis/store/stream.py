"""Writing the tables batch by batch: part files of a few batches each, merged period by period into the same bytes.

What a build on many reports uses (:class:`TableWriter`): memory holds
about 32 MB of batches while the reports are read and extracted and, while
the parts are merged, the sort keys and about 4 MB of rows of two periods
(one for the reports' texts; their rows are mapped from the part files),
never the whole corpus.
"""
from __future__ import annotations

import ctypes
import json
import os
import shutil
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from analysis import schema
from analysis.load import trim_heap
from analysis.store.layout import (
    FILE_ORDER,
    PART_FILE,
    PARTITION_COLUMN,
    PARTITIONED,
    SCHEMA_FILE,
    SORT_ORDER,
    fsync_file,
    link_or_copy,
    open_output,
    partition_name,
    sort_keys,
    with_partition_column,
    write_sorted_parquet,
)
from analysis.store.output import OutputProblem, check_output, locked, make_parent, recover
from analysis.store.read import frame_of_arrow
from analysis.store.write import partition_keys, refuse_single_file, refuse_strays, swap_in

__all__ = ["TableWriter"]


_SPILL = ".{}.parts-"


_PANDAS = b"pandas"


_EMPTY_TYPES = ("empty", "list[empty]")


#: Part files are not compressed: a batch holds a few reports of each period, and
#: compressing their many small buffers one by one (LZ4) cost 6× the write itself;
#: the parts take about 3.7 times the raw text's size on disk while the build runs
#: (3.3 GB for the 894 MB of the 48,000-report corpus).
_IPC = pa.ipc.IpcWriteOptions(compression=None)


_MERGE_THREADS = 2   # periods merged at once: each holds its sort keys and a few row groups


#: Bytes a row above which a table's periods are merged one at a time: a row group of the
#: reports (1,024 texts, 17 MB on the 48,000-report corpus) makes the Parquet writer hold
#: 60-80 MB while it encodes it, so two at once took 140 MB; facts and observations
#: (0.7 and 1.1 KB a row) are merged two periods at a time.
_WIDE_ROW = 4096


#: Bytes of batches held before they are written as one part file (a record batch per period).
#: With a part file per batch (96 reports), the 48,000-report build's periods were merged
#: from 477 record batches each: their metadata took 11-23 MB per period merged, and taking
#: rows in order cost a call per record batch and column.
_PART_BYTES = 32 << 20


#: Buffers of at least this many bytes are mapped on their own while the tables are merged,
#: and given back to the system when freed (glibc's default moves the limit up to 32 MB as
#: large buffers are freed, and keeps them in its heap after). Measured on the 48,000-report
#: corpus's merge: the driver's own memory peaked at 164-176 MB with it, 189-241 MB without,
#: 10-15% slower.
_MAPPED_BUFFER = 128 << 10


def _map_large_buffers() -> None:
    """Have the C library map each buffer of :data:`_MAPPED_BUFFER` bytes or more on its own (glibc; else nothing).

    For the rest of the process: called when the tables are merged, once
    the workers that read the reports are gone.
    """
    try:
        ctypes.CDLL(None).mallopt(-3, _MAPPED_BUFFER)     # M_MMAP_THRESHOLD (the process's own C library)
    except (OSError, AttributeError):
        pass


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
    """Merge the pandas metadata of two batches: a column typed in either is typed.

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


def _by_period(table: pa.Table, key: pd.Series) -> tuple[pa.Table, list]:
    """Put a batch's rows in the order of their periods (stable); the runs ``(period, start, length)``.

    A batch is written as one file holding a record batch per period, in
    this order; the rows of each period keep their order in the batch.
    """
    values = key.to_numpy(object)
    periods = sorted(set(values.tolist()), key=lambda v: (v is None, "" if v is None else v))
    if len(periods) > 1:
        rank = {v: i for i, v in enumerate(periods)}
        codes = np.fromiter((rank[v] for v in values), np.int64, len(values))
        table = table.take(np.argsort(codes, kind="stable"))
        counts = np.bincount(codes, minlength=len(periods)).tolist()
    else:
        counts = [table.num_rows]
    table = table.combine_chunks()
    starts = np.cumsum([0, *counts[:-1]]).tolist()
    return table, list(zip(periods, starts, counts))


def _with_period(t: pa.Table, value, has_period: bool) -> pa.Table:
    return t.append_column(PARTITION_COLUMN, pa.array([value] * t.num_rows, pa.large_string())) if has_period else t


class TableWriter:
    """Write the partitioned tables batch by batch, then swap them in at once.

    The batches (:meth:`add`) are held until about :data:`_PART_BYTES` of
    them are in, then written into a part file per table in a folder beside
    the output (``.<out>.parts-<pid>-<n>``), their rows ordered by period (a
    record batch each), so that memory holds a few batches, never the whole
    corpus. :meth:`commit` puts each period's parts together in the order
    of :func:`write_tables` (two periods at a time, on threads, one for a
    table of wide rows; their rows mapped from the parts, taken about 4 MB
    at a time), writes the same files :func:`write_tables` would have written from
    the whole tables (byte for byte), and swaps them in atomically; each
    table's parts are removed once its files are written, and :meth:`close`
    (or leaving the ``with`` block) removes the rest. Nothing in the output
    folder changes before :meth:`commit`.

    Parameters
    ----------
    out_dir : the folder of the tables (default :func:`analysis.paths.processed_dir`).
    periods : as for :func:`write_tables`: replace only these periods.
    names : the tables written (default :data:`PARTITIONED`).

    Examples
    --------
    >>> import tempfile
    >>> from analysis.store import partitions, read_table
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
        make_parent(self.out)
        self.wanted = None if periods is None else {str(p) for p in periods}
        self.names = tuple(names)
        if self.wanted is not None:
            for name in self.names:
                refuse_single_file(name, self.out)
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
        self._parts: dict[str, dict] = {n: {} for n in self.names}   # name -> period -> [(seq, path, i)]
        self._schema: dict[str, pa.Schema] = {}
        self._pandas: dict[str, dict | None] = {}
        self._columns: dict[str, list] = {}
        self._left_out: dict = {}             # doc id -> rows of batches before this one are left out
        self._removing: list[threading.Thread] = []   # parts of tables written, being removed
        self._held: dict[str, list] = {}      # name -> [(table, runs)] of the batches not written yet
        self._held_bytes = 0
        self._held_seq = 0
        self._size: dict[str, list] = {}      # name -> [bytes, rows] given

    def __enter__(self) -> "TableWriter":
        """Return the writer; leaving the block removes the parts."""
        return self

    def __exit__(self, *exc) -> None:
        """Remove the parts (:meth:`close`)."""
        self.close()

    def close(self) -> None:
        """Remove the part files (the committed tables stay)."""
        for t in self._removing:
            t.join()
        self._removing = []
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None

    def add(self, tables: dict[str, pd.DataFrame]) -> None:
        """Write one batch of rows (``{name: frame}``, frames validated already).

        A fact's or an observation's period is its report's, taken from the
        ``reports`` frame of the same batch.
        """
        keys = partition_keys(tables, self.out)
        seq = self._seq
        self._seq += 1
        for name in self.names:
            if name not in tables:
                continue
            frame, key = tables[name], keys[name]
            if self.wanted is not None:
                refuse_strays(name, key, self.wanted)
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
            table, runs = _by_period(table.replace_schema_metadata(None), key)   # columns in _pandas
            self._held.setdefault(name, []).append((table, runs))
            self._held_bytes += table.nbytes
            size = self._size.setdefault(name, [0, 0])
            size[0] += table.nbytes
            size[1] += table.num_rows
        self._held_seq = seq
        if self._held_bytes >= _PART_BYTES:
            self._flush()

    def _flush(self) -> None:
        """Write the batches held into one part file per table: a record batch per period, rows in batch order.

        A period's rows of every batch held are put together (one period at
        a time), so that a period is merged from a few large record batches,
        not one per batch of the build.
        """
        seq = self._held_seq
        for name, held in self._held.items():
            target = self._schema[name]
            slices: dict = {}
            for table, runs in held:
                if not table.schema.equals(target):     # a column typed by a later batch
                    table = table.cast(target)
                for value, start, n in runs:
                    slices.setdefault(value, []).append(table.slice(start, n))
            held.clear()
            folder = self.folder / name
            folder.mkdir(exist_ok=True)
            path = folder / f"part-{seq:06d}.arrow"
            with open_output(path) as sink, \
                    pa.ipc.new_file(sink, target, options=_IPC) as w:
                for i, value in enumerate(sorted(slices, key=lambda v: (v is None, "" if v is None else v))):
                    rows = slices.pop(value)
                    rows = rows[0] if len(rows) == 1 else pa.concat_tables(rows).combine_chunks()
                    w.write_batch(rows.to_batches()[0])
                    del rows
                    self._parts[name].setdefault(value, []).append((seq, path, i))
        self._held = {}
        self._held_bytes = 0
        # the batches written are freed: their pages go back to the system (on the 48,000-report corpus
        # the driver's own memory while the batches come in peaked at 187 MB with this, 201 MB without)
        trim_heap()

    def _remember(self, name: str, got: pa.Schema) -> None:
        """Put a batch's columns with those of the batches before.

        A column all null in one batch (Arrow's null type) takes the type the others give it.
        """
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
        again with :meth:`add`. Reads the doc ids of every part (nothing is
        kept per report while the batches come in), and the rows of those.
        """
        docs = set(docs) - set(self._left_out)
        self._flush()
        out = {}
        for name in self.names:
            if name not in self._schema:
                continue
            base = self._canonical(name)
            table_def = schema.TABLES.get(name)
            has_period = table_def is not None and PARTITION_COLUMN in table_def.names
            got = [_with_period(base.empty_table(), None, has_period)]
            for value, parts in self._parts[name].items() if docs else ():
                for _, path, i in parts:
                    t = self._read(base, path, i)
                    t = t.filter(pc.is_in(t["doc_id"], value_set=pa.array(sorted(docs), t["doc_id"].type)))
                    if t.num_rows:
                        got.append(_with_period(t, value, has_period))
            table = pa.concat_tables(got)
            out[name] = frame_of_arrow(name, table.select(with_partition_column(name, base.names)))
        for d in docs:              # rows given before now are left out; rows given again are kept
            self._left_out[d] = self._seq
        return out

    def _canonical(self, name: str) -> pa.Schema:
        """Return the table's columns as :func:`arrow_table` gives them for the whole table."""
        meta = self._pandas.get(name)
        fields = []
        for f in self._schema[name]:
            if pa.types.is_null(f.type):
                f = f.with_type(pa.string())
            elif pa.types.is_list(f.type) and pa.types.is_null(f.type.value_type):
                f = f.with_type(pa.list_(pa.string()))
            fields.append(f)
        return pa.schema(fields, metadata={_PANDAS: json.dumps(meta).encode()} if meta is not None else None)

    def _read(self, target: pa.Schema, path: Path, i: int) -> pa.Table:
        """Return record batch ``i`` of a part file (one period of one batch) in the columns ``target``."""
        with pa.memory_map(str(path)) as f:
            table = pa.Table.from_batches([pa.ipc.open_file(f).get_batch(i)])
        return table.cast(target) if not table.schema.remove_metadata().equals(target.remove_metadata()) \
            else table.replace_schema_metadata(target.metadata)

    def _write(self, name: str, folder: Path, old: Path | None) -> None:
        """One table's period files from its parts, as :func:`_write_dataset` writes them.

        Periods are merged on a few threads at once (Arrow's sorting and
        Parquet writing run outside Python's lock), each into its own file;
        those of a table of wide rows (the reports' texts) one at a time.
        """
        folder.mkdir()
        target = self._canonical(name)
        order = [(k, "ascending", "at_end")
                 for k in sort_keys(name, target.names, {**SORT_ORDER, **FILE_ORDER})]

        def merge(value) -> None:
            parts = []
            for seq, path, i in self._parts[name][value]:
                t = self._read(target, path, i)
                out = sorted(d for d, before in self._left_out.items() if seq < before)
                if out:
                    t = t.filter(pc.invert(pc.is_in(t["doc_id"], value_set=pa.array(out, t["doc_id"].type))))
                parts.append(t)
            table = pa.concat_tables(parts) if len(parts) > 1 else parts[0]
            del parts
            if not table.num_rows:
                return
            ranked = pc.sort_indices(table.select([k for k, _, _ in order]), options=pc.SortOptions(sort_keys=order))
            pdir = folder / partition_name(value)
            pdir.mkdir()
            write_sorted_parquet(table, ranked, pdir / PART_FILE)
            del table, ranked
            pa.default_memory_pool().release_unused()   # the next period starts from a small heap

        values = sorted(self._parts[name], key=lambda v: (v is None, "" if v is None else v))
        nbytes, rows = self._size.get(name, (0, 0))
        threads = 1 if nbytes > _WIDE_ROW * rows else min(_MERGE_THREADS, os.cpu_count() or 1)
        with ThreadPoolExecutor(threads) as pool:
            for _ in pool.map(merge, values):
                pass
        # this table's parts are no longer needed: they are removed while the next table is merged
        # (removing gigabytes takes seconds on some file systems); close() waits for it
        gone = threading.Thread(target=shutil.rmtree, args=(self.folder / name,), kwargs={"ignore_errors": True},
                                name=f"remove-parts-{name}")
        gone.start()
        self._removing.append(gone)
        if old is not None and (old / SCHEMA_FILE).exists():
            link_or_copy(old / SCHEMA_FILE, folder / SCHEMA_FILE)
            return
        pq.write_metadata(target, folder / SCHEMA_FILE)
        fsync_file(folder / SCHEMA_FILE)

    def commit(self) -> Path:
        """Write the tables from their parts and swap them in; the output folder.

        A table no batch was given for is left as it is.
        """
        names = sorted(n for n in self.names if n in self._schema)
        self._flush()
        _map_large_buffers()
        with locked(self.out):
            recover(self.out)
            if self.wanted is not None:
                for name in names:
                    refuse_single_file(name, self.out)
            swap_in(self.out, names, set(names), self.wanted, self._write, None)
        return self.out
