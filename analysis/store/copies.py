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
)

__all__ = ["COPIES", "write_copies", "table_copy", "table_copies", "copy_summary",
           "read_copy_summary"]


#: Read-side copies of a partitioned table: file names inside its folder (see :func:`table_copy`).
COPIES = {"observations": {"all_periods": "_all_periods.parquet.copy"}}


_COPY_GROUP = 16384       # rows per row group of a copy, at most (a row group holds one indicator)


_COPY_CHUNK = 1 << 15     # rows read at once while copying (whole indicators; more if one is larger)


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


def write_copies(name: str, folder: Path) -> None:
    """Write the read-side copies of a partitioned table (:data:`COPIES`) from its partitions.

    Made from the files of ``folder`` alone, so that a full build and a rebuild
    of some periods give the same bytes. Whole indicators are read at a time
    (about 33,000 rows, more if one indicator has more), so memory stays
    bounded however many periods there are.
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
    sink = open_output(paths["all_periods"])
    writers = {"all_periods": pq.ParquetWriter(sink, target, write_statistics=stats,
                                               **options)}
    reach = {"results": [], "all": []}
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
            rows = table.select([c for c in ("indicator_id", "unit_name", "period", "doc_kind")
                                 if c in target.names]).take(ranked)
            for start, n in _segments(rows[group]):
                writers["all_periods"].write_table(table.take(ranked.slice(start, n)),
                                                   row_group_size=_COPY_GROUP)
            rows = rows.to_pandas()
            reach["all"] += _reach(rows)
            if "doc_kind" in rows:
                rows = rows[(rows["doc_kind"].fillna("results") != "plan").to_numpy(bool)]
            reach["results"] += _reach(rows)
            del table, rows, ranked
            pa.default_memory_pool().release_unused()   # the next chunk starts from a small heap
        source = _source(folder, files)
        summary = json.dumps({"indicator_reach": reach}, ensure_ascii=False, sort_keys=True,
                             separators=(",", ":")).encode()
        writers["all_periods"].add_key_value_metadata({_META_SOURCE: source, _META_SUMMARY: summary})
    finally:
        for w in writers.values():
            w.close()
        sink.close()
        for _, pf in readers:
            pf.close()
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
