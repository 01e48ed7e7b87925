"""The read-side copy of the observations: every period in one file, sorted by indicator.

Made from the partition files (and made again from all of them when some
periods are rewritten), inside the dataset's folder, so that anything
replacing the dataset replaces or drops them with it; a copy is used only
while it was made from the partition files beside it (:func:`table_copy`).
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from analysis.store.layout import (
    FILE_ORDER,
    PARTITION_COLUMN,
    SCHEMA_FILE,
    SORT_ORDER,
    fsync_file,
    kept_for_file,
    listing,
    located,
    open_output,
    sort_keys,
    take_rows,
)

__all__ = ["COPIES", "write_copies", "table_copy", "table_copies", "copy_summary",
           "read_copy_summary"]


#: Read-side copies of a partitioned table: file names inside its folder (see :func:`table_copy`).
COPIES = {"observations": {"all_periods": "_all_periods.parquet.copy"}}


_COPY_GROUP = 16384       # rows per row group of a copy, at most (a row group holds one indicator)


#: rows of a chunk of the copy (whole indicators; one larger is cut between its units). The
#: copy's bytes depend on it: a row group of a cut indicator is written from the rows of two cuts
#: (two chunks, which the Parquet writer pages differently), so changing it changes the file.
#: A chunk is read a few reads at a time (:data:`_COPY_READ`).
_COPY_CHUNK = 1 << 15


#: rows read at once while copying (whole indicators, or one indicator's rows of some units): the
#: copy's memory is about that many rows, a row group's and what the Parquet writer holds.
#: Unlike _COPY_CHUNK it leaves the copy's bytes as they are.
_COPY_READ = 1 << 14


_COPY_STATS = ("indicator_id", "unit_name", "unit_level", "period", "period_end", "doc_kind",
               "kind", "doc_id")   # columns with statistics in the copies (what queries filter on)


_META_SOURCE = b"analysis.source"     # the partition files a copy was made from


_META_SUMMARY = b"analysis.summary"   # counts kept with the copy (indicator_reach)


_FOOTERS: dict = {}                   # key-value metadata of copies read, by file identity


def _source(folder: Path, files: list) -> bytes:
    """Return the partition files a copy is made from: relative path and size of each."""
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


def _add_reach(acc: dict, rows: pd.DataFrame) -> None:
    """Add rows to the reach of their indicators: ``acc[indicator_id] = [units, periods, n_rows]``.

    Rows come in indicator order; an indicator's rows may come in several
    chunks (a large one is cut by unit), so units and periods are kept as sets.
    """
    if not len(rows):
        return
    for k, g in rows.groupby("indicator_id", dropna=False, sort=True):
        key = None if pd.isna(k) else str(k)
        units, periods, n = acc.setdefault(key, [set(), set(), 0])
        units.update(g["unit_name"].dropna().tolist())
        periods.update(g["period"].dropna().tolist())
        acc[key][2] = n + len(g)


def _reach(acc: dict) -> list[list]:
    """Per indicator: units, periods and rows (``[indicator_id, n_units, n_periods, n_rows]``)."""
    return [[k, len(units), len(periods), n] for k, (units, periods, n) in acc.items()]


def _chunks(counts: dict) -> list[tuple[list, list | None, bool]]:
    """Cut the rows into chunks of about :data:`_COPY_CHUNK` rows, in the copy's order.

    ``counts`` maps each indicator to the rows of each of its units. A chunk
    is ``(indicators, None, True)`` (whole indicators), or ``([indicator],
    units, last)`` for an indicator too large for one chunk, cut between its
    units (``last``: its last piece). The copy's row groups do not depend on
    the cut: a piece writes whole row groups and leaves the rest to the next.
    """
    def ordered(values):
        return sorted(v for v in values if v is not None) + ([None] if None in values else [])

    chunks, current, size = [], [], 0
    for v in ordered(counts):
        rows = sum(counts[v].values())
        if rows > _COPY_CHUNK:
            if current:
                chunks.append((current, None, True))
                current, size = [], 0
            units, n = [], 0
            for u in ordered(counts[v]):
                if units and n + counts[v][u] > _COPY_CHUNK:
                    chunks.append(([v], units, False))
                    units, n = [], 0
                units.append(u)
                n += counts[v][u]
            chunks.append(([v], units, True))
            continue
        if current and size + rows > _COPY_CHUNK:
            chunks.append((current, None, True))
            current, size = [], 0
        current.append(v)
        size += rows
    if current or not chunks:
        chunks.append((current, None, True))
    return chunks


def _reads(chunk: list, units: list | None, last: bool, counts: dict) -> list[tuple[list, list | None, set]]:
    """Cut a chunk of :func:`_chunks` into reads of about :data:`_COPY_READ` rows, in the copy's order.

    A read is ``(indicators, units or None, ends)``: whole indicators, or
    one indicator's rows of some units; ``ends`` names the indicators whose
    last rows it holds. The copy's bytes depend on the chunks (a row group
    holds a chunk of rows per chunk its rows come from), not on the reads.
    """
    def ordered(values):
        return sorted(v for v in values if v is not None) + ([None] if None in values else [])

    def by_units(v, among, ends_here):
        out, current, n = [], [], 0
        for u in among:
            if current and n + counts[v][u] > _COPY_READ:
                out.append(([v], current, set()))
                current, n = [], 0
            current.append(u)
            n += counts[v][u]
        out.append(([v], current, {v} if ends_here else set()))
        return out

    if units is not None:
        return by_units(chunk[0], units, last)
    reads, current, size = [], [], 0
    for v in chunk:
        rows = sum(counts[v].values())
        if rows > _COPY_READ:
            if current:
                reads.append((current, None, set(current)))
                current, size = [], 0
            reads.extend(by_units(v, ordered(counts[v]), True))
            continue
        if current and size + rows > _COPY_READ:
            reads.append((current, None, set(current)))
            current, size = [], 0
        current.append(v)
        size += rows
    if current or not reads:
        reads.append((current, None, set(current)))
    return reads


def _row_group_index(pf: pq.ParquetFile, group: str, unit: str) -> list[tuple]:
    """Return what a copy needs of each row group of a file: ``(group stats, unit stats)``, each ``(min, max, nulls)``.

    ``None`` for a column without statistics. Kept in place of the file's
    footer: the footers of every period file together grow with the corpus
    (30 MB for the observations of 48,000 reports).
    """
    at = [pf.schema_arrow.get_field_index(c) for c in (group, unit)]
    out = []
    for i in range(pf.metadata.num_row_groups):
        rg = pf.metadata.row_group(i)
        stats = []
        for j in at:
            st = rg.column(j).statistics if j >= 0 else None
            if st is None or not st.has_min_max:
                stats.append(None)
            else:
                stats.append((st.min, st.max, st.null_count if st.has_null_count else 1))
        out.append(tuple(stats))
    return out


def _may_hold(stats: tuple | None, values: list) -> bool:
    """Whether a row group whose column has these statistics may hold one of ``values`` (None: a null)."""
    if stats is None:
        return True
    low, high, nulls = stats
    if None in values and nulls:
        return True
    known = [v for v in values if v is not None]
    return bool(known) and min(known) <= high and max(known) >= low


def _one_chunk(tables: list[pa.Table]) -> pa.Table:
    """Return the rows of some tables as one chunk, put together a column at a time; ``tables`` is emptied.

    As ``pa.concat_tables(tables).combine_chunks()``, holding the rows and
    one column more rather than the rows twice (a row group of a large
    indicator read in several pieces: 18 MB more on the 48,000-report corpus).
    """
    if len(tables) == 1:
        return tables.pop()
    schema_ = tables[0].schema
    columns = [[t.column(j) for t in tables] for j in range(len(schema_))]
    tables.clear()
    out = []
    for j in range(len(columns)):
        arrays = [a for column in columns[j] for a in column.chunks]
        columns[j] = None
        out.append(pa.concat_arrays(arrays))
        del arrays
    return pa.Table.from_arrays(out, schema=schema_)


def write_copies(name: str, folder: Path) -> None:
    """Write the read-side copies of a partitioned table (:data:`COPIES`) from its partitions.

    Made from the files of ``folder`` alone, so that a full build and a rebuild
    of some periods give the same bytes. The rows are cut into chunks of
    about 33,000 (whole indicators; one too large for that is cut between its
    units), which set the copy's bytes (:func:`_chunks`), and read about
    16,000 at a time (:func:`_reads`; whole indicators, or an indicator's
    rows of some units); they are written a row group at a time, a row group
    made of a chunk of rows per chunk its rows come from. Of each period file
    only the statistics of its row groups are kept between reads (not its
    footer), so memory stays bounded however many periods and reports there
    are (the copy's Arrow buffers peaked at 44 MB on the 24,000-report
    corpus, 58 MB when a chunk was read at once; it takes about 1.6 times as
    long: a read takes the row groups of every period file that may hold its
    rows).
    """
    names = COPIES.get(name)
    if not names:
        return
    files = listing(folder)
    if (folder / SCHEMA_FILE).exists():
        base = pq.read_schema(folder / SCHEMA_FILE)
    elif files:
        base = pq.read_schema(files[0][1])
    else:
        return
    columns = [f.name for f in base if f.name != PARTITION_COLUMN]
    target = pa.schema([base.field(c) for c in columns] + [pa.field(PARTITION_COLUMN, pa.large_string())])
    order = [(k, "ascending", "at_end")
             for k in sort_keys(name, target.names, {**SORT_ORDER, **FILE_ORDER})]
    group, unit = order[0][0], order[1][0]
    counts: dict = {}                    # indicator -> unit -> rows
    index = []                           # (period, file, statistics of each row group)
    for value, f in files:
        with pq.ParquetFile(f) as pf:
            n = pf.read(columns=[group, unit]).group_by([group, unit], use_threads=False) \
                .aggregate([([], "count_all")])
            index.append((value, f, _row_group_index(pf, group, unit)))
        for v, u, k in zip(*(n[c].to_pylist() for c in (group, unit, "count_all"))):
            by_unit = counts.setdefault(v, {})
            by_unit[u] = by_unit.get(u, 0) + k
        del n
    chunks = _chunks(counts)
    stats = [c for c in _COPY_STATS if c in target.names]
    options = dict(compression="zstd", compression_level=3, use_dictionary=True)
    paths = {which: folder / file for which, file in names.items()}
    sink = open_output(paths["all_periods"])
    writers = {"all_periods": pq.ParquetWriter(sink, target, write_statistics=stats,
                                               **options)}

    def write(rows: pa.Table) -> None:
        writers["all_periods"].write_table(rows, row_group_size=_COPY_GROUP)

    reach = {"results": {}, "all": {}}
    reads = [(no, *read) for no, (chunk, units, last) in enumerate(chunks)
             for read in _reads(chunk, units, last, counts)]
    del counts
    carry: list[tuple[int, pa.Table]] = []    # the rows of the next row group, with the chunk of each
    held = 0

    def flush() -> None:
        """Write the rows held as one row group: a chunk of rows per chunk of :func:`_chunks` they come from."""
        nonlocal carry, held
        if not carry:
            return
        pieces: list[tuple[int, list]] = []
        for no, t in carry:
            if pieces and pieces[-1][0] == no:
                pieces[-1][1].append(t)
            else:
                pieces.append((no, [t]))
        carry, held = [], 0
        parts = [_one_chunk(ts) for _, ts in pieces]
        del pieces
        write(parts[0] if len(parts) == 1 else pa.concat_tables(parts))

    try:
        for no, chunk, units, ends in reads:
            parts = [target.empty_table()]
            for value, f, groups in index:
                if len(reads) == 1:
                    with pq.ParquetFile(f) as pf:
                        t = pf.read(columns=columns)
                else:
                    wanted = [i for i, (g, u) in enumerate(groups)
                              if _may_hold(g, chunk) and (units is None or _may_hold(u, units))]
                    if not wanted:
                        continue
                    with pq.ParquetFile(f) as pf:
                        t = pf.read_row_groups(wanted, columns=columns)
                    keep = pc.is_in(t[group], value_set=pa.array(chunk, t.schema.field(group).type),
                                    skip_nulls=False)   # a null matches a null of the chunk
                    if units is not None:
                        keep = pc.and_(keep, pc.is_in(t[unit], value_set=pa.array(units, t.schema.field(unit).type),
                                                      skip_nulls=False))
                    t = t.filter(keep)
                parts.append(t.append_column(PARTITION_COLUMN,
                                             pa.array([value] * t.num_rows, pa.large_string())))
                del t
            table = pa.concat_tables([p.cast(target) for p in parts])
            del parts
            # the rows in order, taken a row group at a time (no second copy of what was read)
            ranked = pc.sort_indices(table, sort_keys=order)
            rows = take_rows(table.select([c for c in ("indicator_id", "unit_name", "period", "doc_kind")
                                           if c in target.names]), ranked)
            for start, n in _segments(rows[group]):
                # an indicator's rows, after those not written yet; a row group every _COPY_GROUP rows
                done = 0
                while done < n:
                    size = min(_COPY_GROUP - held, n - done)
                    carry.append((no, take_rows(table, ranked.slice(start + done, size))))
                    held += size
                    done += size
                    if held == _COPY_GROUP:
                        flush()
                if rows[group][start].as_py() in ends:      # its last rows: the rest of its row group
                    flush()
            rows = rows.to_pandas()
            _add_reach(reach["all"], rows)
            if "doc_kind" in rows:
                rows = rows[(rows["doc_kind"].fillna("results") != "plan").to_numpy(bool)]
            _add_reach(reach["results"], rows)
            del table, rows, ranked
            pa.default_memory_pool().release_unused()   # the next read starts from a small heap
        source = _source(folder, files)
        reach = {k: _reach(v) for k, v in reach.items()}
        summary = json.dumps({"indicator_reach": reach}, ensure_ascii=False, sort_keys=True,
                             separators=(",", ":")).encode()
        writers["all_periods"].add_key_value_metadata({_META_SOURCE: source, _META_SUMMARY: summary})
    finally:
        for w in writers.values():
            w.close()
        sink.close()
    for p in paths.values():
        fsync_file(p)


def _copy_metadata(path: Path) -> dict | None:
    """Key-value metadata of a copy's footer (kept while the file is the same), or None."""
    try:
        return kept_for_file(_FOOTERS, path, lambda: dict(pq.read_metadata(path).metadata or {}))
    except FileNotFoundError:
        return None


def table_copy(name: str, which: str = "all_periods",
               processed: str | os.PathLike | None = None) -> Path | None:
    """Return a read-side copy of a partitioned table, or None where there is none to trust.

    ``which`` is ``"all_periods"`` (every row in one file, the period as a
    column, sorted by indicator, unit, period; see :data:`COPIES`). None
    when the copy is missing (tables written by an older version) or was not
    made from the partition files now beside it (files added or replaced by
    another writer): readers then use the partitions
    (the partition tests build the bundled reports and read both).
    """
    names = COPIES.get(name, {})
    if which not in names:
        raise ValueError(f"{name}: no copy {which!r} (copies: {', '.join(names) or 'none'})")
    return table_copies(name, processed).get(which)


def table_copies(name: str, processed: str | os.PathLike | None = None) -> dict[str, Path]:
    """Every read-side copy of a table that :func:`table_copy` would give, by kind (one listing)."""
    path = located(name, processed)
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
                source = _source(path, listing(path))
            if meta.get(_META_SOURCE) == source:
                out[which] = path / file
    except FileNotFoundError:   # a build swapped the folder meanwhile: read the partitions
        return {}
    return out


def copy_summary(name: str, processed: str | os.PathLike | None = None) -> dict | None:
    """Return the counts written with a table's copies (``{"indicator_reach": ...}``), or None without copies.

    ``indicator_reach`` maps ``"results"`` (plans left out) and ``"all"`` to
    ``[indicator_id, n_units, n_periods, n_rows]`` per indicator, sorted.
    """
    copy = table_copies(name, processed).get("all_periods")
    return None if copy is None else read_copy_summary(copy)


def read_copy_summary(copy: Path) -> dict | None:
    """Return the counts kept in a copy's footer (``indicator_reach``), or None."""
    meta = _copy_metadata(copy)
    if not meta or _META_SUMMARY not in meta:
        return None
    if "summary" not in meta:   # parsed once per file
        meta["summary"] = json.loads(meta[_META_SUMMARY])
    return meta["summary"]
