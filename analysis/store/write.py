"""Writing whole tables: one file per period, swapped in atomically with the read-side copies."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from analysis import schema
from analysis.store.copies import write_copies
from analysis.store.layout import (
    FILE_ORDER,
    NEW_FOLDER,
    OLD_FOLDER,
    PART_FILE,
    PARTITION_COLUMN,
    PARTITIONED,
    SCHEMA_FILE,
    SORT_ORDER,
    TableMissing,
    arrow_table,
    fsync_dir,
    fsync_file,
    link_or_copy,
    partition_name,
    partition_value,
    sort_keys,
    sorted_frame,
    table_path,
    write_parquet,
)
from analysis.store.output import (
    OutputProblem,
    check_output,
    clean_leftovers,
    exchange_folders,
    locked,
    make_parent,
    recover,
)
from analysis.store.read import read_table

__all__ = ["write_tables", "partition_keys", "refuse_strays", "refuse_single_file", "swap_in"]


def _stored_periods(out: Path) -> dict:
    """Doc id -> period of the reports already stored (for facts written without reports)."""
    try:
        stored = read_table("reports", out, columns=["doc_id", "period"])
    except TableMissing:
        return {}
    return {d: (None if pd.isna(p) else p) for d, p in zip(stored["doc_id"], stored["period"])}


def partition_keys(frames: dict[str, pd.DataFrame], out: Path) -> dict[str, pd.Series]:
    """Return the period of every row of each partitioned table (a fact's is its report's)."""
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
    folder.mkdir()
    table = arrow_table(frame)
    if PARTITION_COLUMN in table.column_names:
        table = table.drop_columns([PARTITION_COLUMN])
    part = pa.array(key.to_numpy(object), pa.large_string())
    if table.num_rows:
        order = [("__partition__", "ascending", "at_end")] + \
            [(k, "ascending", "at_end") for k in sort_keys(name, table.column_names,
                                                            {**SORT_ORDER, **FILE_ORDER})]
        keyed = table.select([k for k, _, _ in order[1:]]).append_column("__partition__", part)
        indices = pc.sort_indices(keyed, options=pc.SortOptions(sort_keys=order))
        del keyed
        counts = pc.value_counts(part)
        sizes = dict(zip(counts.field("values").to_pylist(), counts.field("counts").to_pylist()))
        start = 0
        for value in sorted(sizes, key=lambda v: (v is None, "" if v is None else v)):
            rows = table.take(indices.slice(start, sizes[value]))
            pdir = folder / partition_name(value)
            pdir.mkdir()
            write_parquet(rows, pdir / PART_FILE)
            start += sizes[value]
    if old is not None and (old / SCHEMA_FILE).exists():
        link_or_copy(old / SCHEMA_FILE, folder / SCHEMA_FILE)
        return
    pq.write_metadata(table.schema, folder / SCHEMA_FILE)
    fsync_file(folder / SCHEMA_FILE)


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
    make_parent(out)
    frames = {}
    for name, frame in tables.items():
        if name in schema.TABLES and check:
            frame = schema.validate(frame, schema.TABLES[name])
        frames[name] = frame
    wanted = None if periods is None else {str(p) for p in periods}

    def write(name: str, folder: Path, old: Path | None) -> None:
        _write_dataset(name, frames[name], keys[name], folder, old)

    with locked(out):
        recover(out)
        keys = partition_keys(frames, out)
        if wanted is not None:
            for name, key in keys.items():
                refuse_strays(name, key, wanted)
                refuse_single_file(name, out)
        swap_in(out, sorted(frames), set(keys), wanted, write,
                 lambda name, new: write_parquet(sorted_frame(name, frames[name]), new / f"{name}.parquet"))
    return out


def refuse_strays(name: str, key, wanted: set) -> None:
    """Raise ValueError when rows of other periods are given to a write of some periods."""
    stray = sorted({str(v) for v in key if v not in wanted})
    if stray:
        raise ValueError(f"{name}: rows of period(s) {', '.join(stray)} given to a write "
                         f"of period(s) {', '.join(sorted(wanted))} only")


def refuse_single_file(name: str, out: Path) -> None:
    """Raise ValueError when a table is one file (an older layout) and only some periods are written."""
    old = table_path(name, out)
    if old.is_file():
        raise ValueError(f"{old}: the {name} table is a single file (an older layout); "
                         "run a full build (without --period) first")


def swap_in(out: Path, names: list[str], partitioned: set, wanted: set | None, write_dataset,
             write_single) -> None:
    """Write the tables into a new folder beside ``out`` and swap it in (holding the lock).

    ``write_dataset(name, folder, old)`` writes a partitioned table's period
    files and schema into ``folder`` (``old``: the previous folder of a partial
    write); ``write_single(name, new)`` writes any other table.
    """
    clean_leftovers(out)
    check_output(out)               # again, under the lock: nothing is swapped unless it can be
    new = out.parent / f"{NEW_FOLDER.format(out.name)}{os.getpid()}"
    try:
        new.mkdir()
    except OSError as e:
        raise OutputProblem(new, f"the new tables cannot be written ({e.strerror})",
                            "make the folder writable, or give another folder (--out DIR)") from None
    try:
        copies = []
        for name in names:
            if name in partitioned:
                folder = new / f"{name}.parquet"
                old = table_path(name, out)
                write_dataset(name, folder, old if wanted is not None and old.is_dir() else None)
                if wanted is not None and old.is_dir():   # keep the other periods as they are
                    for p in sorted(old.iterdir()):
                        if p.is_dir() and p.name.startswith(PARTITION_COLUMN + "=") \
                                and partition_value(p.name) not in wanted \
                                and not (folder / p.name).exists():
                            shutil.copytree(p, folder / p.name, copy_function=link_or_copy)
                copies.append((name, folder))
            else:
                write_single(name, new)
        # the read-side copies (from every period's file) once every table is written, not
        # beside the next table's merge: the two at once made the driver's largest memory
        # (the copy 120 MB, the reports' merge 140 MB, on the 48,000-report corpus)
        for name, folder in copies:
            write_copies(name, folder)
        if out.exists():  # carry over what this build does not write
            for p in sorted(out.iterdir()):
                target = new / p.name
                if target.exists():
                    continue
                if p.is_dir():
                    shutil.copytree(p, target, copy_function=link_or_copy)
                else:
                    link_or_copy(p, target)
        for d in sorted(new.rglob("*")):
            if d.is_dir():
                fsync_dir(d)
        fsync_dir(new)
        if not out.exists():
            os.rename(new, out)
        elif exchange_folders(new, out):
            # `new` now holds the previous tables (what cannot be removed, the next build does)
            shutil.rmtree(new, ignore_errors=True)
        else:
            old = out.parent / f"{OLD_FOLDER.format(out.name)}{os.getpid()}"
            os.rename(out, old)
            os.rename(new, out)
            shutil.rmtree(old, ignore_errors=True)
        fsync_dir(out.parent)
    except OSError as e:
        shutil.rmtree(new, ignore_errors=True)
        where = e.filename or new
        raise OutputProblem(where, f"the tables could not be written ({e.strerror}); the previous "
                            "tables are unchanged", "free some space or make the folder writable, "
                            "then build again") from None
    except BaseException:
        shutil.rmtree(new, ignore_errors=True)
        raise
