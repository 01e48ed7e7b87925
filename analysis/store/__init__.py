"""Write and read the processed tables: atomic, deterministic, partitioned Parquet.

The tables of a build (``reports``, ``facts``, ``observations``) are Parquet
datasets partitioned by reporting period, in the Hive layout that DuckDB,
Dask, Spark and pyarrow read as they are::

    data/processed/
        observations.parquet/
            _common_metadata                     (the table's columns, no rows)
            period=2018-FY/part-0.parquet
            period=2021-H1/part-0.parquet
            _all_periods.parquet.copy            (read-side copy: a Parquet file,
                                                  not part of the dataset; see below)
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
in the same swap, a read-side copy of the observations, made from the
partition files (and made again from all of them when some periods are
rewritten): ``_all_periods.parquet.copy``, every observation in one Parquet
file with its period as a column, sorted by indicator, unit and period, a row
group holding one indicator only. It sits inside the dataset's folder so
that anything replacing the dataset (a build of an older version, another
engine) replaces or drops it with it; readers of the dataset do not see it:
pyarrow, Spark and Hive skip names starting with ``_``, Dask and DuckDB's
``*/*.parquet`` take only ``.parquet`` files. :func:`table_copy` gives the
copy only while it was made from the partition files beside it.

Rows are sorted and the Parquet files carry no timestamps, so identical inputs
give byte-identical files. :func:`read_table` gives back the whole table (or one
period, or some columns) as one frame in the same row order as ever.

The package, in the order of the data flow:

* :mod:`analysis.store.layout`: where each table lives, its row orders, the
  deterministic Parquet writer;
* :mod:`analysis.store.output`: can the tables be replaced, and the atomic swap;
* :mod:`analysis.store.read`: :func:`read_table` and the readers built on it;
* :mod:`analysis.store.copies`: the observations' read-side copy;
* :mod:`analysis.store.write`: :func:`write_tables`, whole frames in;
* :mod:`analysis.store.stream`: :class:`TableWriter`, batches in, the same files out.
"""
from __future__ import annotations

from analysis.store.copies import COPIES, copy_summary, read_copy_summary, table_copies, table_copy
from analysis.store.layout import (
                                   FILE_ORDER,
                                   NULL_PARTITION,
                                   PARTITION_COLUMN,
                                   PARTITIONED,
                                   SORT_ORDER,
                                   TableMissing,
                                   sort_keys,
                                   table_files,
                                   table_path,
                                   with_partition_column,
)
from analysis.store.output import OutputProblem, check_output
from analysis.store.read import frame_from_arrow, partitions, read_table, stored_schema
from analysis.store.stream import TableWriter
from analysis.store.write import write_tables

__all__ = ["TableMissing", "OutputProblem", "check_output", "write_tables", "TableWriter", "read_table",
           "table_path", "table_files", "partitions", "frame_from_arrow", "table_copy", "table_copies",
           "copy_summary", "read_copy_summary", "stored_schema", "sort_keys", "with_partition_column",
           "SORT_ORDER", "FILE_ORDER", "PARTITIONED", "PARTITION_COLUMN", "NULL_PARTITION", "COPIES"]
