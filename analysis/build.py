"""Build the processed tables from the raw reports: load, extract, observe, write.

The reading side is the one pipeline runner (:mod:`analysis.pipeline`): the
build streams batches of files through worker processes (``jobs``) or a
cluster, each worker reads, extracts and observes its files at once, and
which files are loaded (and which are duplicates of earlier ones) is decided
in file order as the batches come back, so the output is identical to a
serial run. :func:`build` then
validates the three tables and replaces them atomically
(:func:`analysis.store.write_tables`), partitioned by period; with
``periods=[...]`` it reads and rewrites only those periods. With
``strict=True`` any warning fails the build and nothing is written.

Each fact's value is checked against the bounds of
``analysis/rules/plausibility.csv`` for its unit, kind and the level of its
report's unit: one beyond them is kept, marked ``is_implausible`` and named in
the summary. Two reports of one unit, period and kind are named together.
Before any work the output folder is checked (:func:`analysis.store.check_output`),
and worker processes end with the build however it ends.
"""
from __future__ import annotations

import math
import os
import time
from collections import Counter
from collections.abc import Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analysis import paths, schema
from analysis.cluster import connect
from analysis.corrections import Applied, Corrections, apply_corrections, corrections_file, read_corrections
from analysis.load import LIMITS, InputProblem, InputRecord, LoadResult, Message, display_path, limit
from analysis.periods import parse_period
from analysis.pipeline import (
    BatchOutput,
    Bound,
    CorpusRun,
    Progress,
    ReportJob,
    ReportOutput,
    bound_for,
    facts_for_report,
    observe,
    plausibility_bounds,
    process_batch,
    process_report,
)
from analysis.store import TableMissing, TableWriter, check_output, read_table

__all__ = [
    "implausible_facts", "ReportLine", "ReportLines", "BuildSummary", "BuildFailed", "build",
    # the per-report step, at home in analysis.pipeline
    "facts_for_report", "process_report", "process_batch", "ReportJob", "ReportOutput",
    "Bound", "plausibility_bounds", "bound_for", "BatchOutput",
]


def implausible_facts(processed: str | os.PathLike | None = None) -> pd.DataFrame:
    """Return the stored facts marked implausible, with their report's unit and the bound they pass.

    Columns: ``doc_id``, ``unit_name``, ``unit_level``, ``period``, ``raw``,
    ``value``, ``unit``, ``kind``, ``low``, ``high``, ``quote`` (empty when
    every value is within its bounds).
    """
    columns = ["doc_id", "unit_name", "unit_level", "period", "raw", "value", "unit", "kind",
               "low", "high", "quote"]
    facts = read_table("facts", processed)
    if "is_implausible" not in facts.columns:
        return pd.DataFrame(columns=columns)
    facts = facts[facts["is_implausible"].fillna(False).astype(bool)]
    reports = read_table("reports", processed, columns=["doc_id", "unit_name", "unit_level", "period"])
    rows = facts.merge(reports, on="doc_id", how="left", suffixes=("_fact", ""))
    bounds = plausibility_bounds()
    found = [bound_for(bounds, u, k, _none(lv))
             for u, k, lv in zip(rows["unit"], rows["kind"], rows["unit_level"])]
    rows["low"] = [b.low if b else None for b in found]
    rows["high"] = [b.high if b else None for b in found]
    return rows[columns].reset_index(drop=True)


# --------------------------------------------------------------------------
# Summary
# --------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ReportLine:
    """One line of the build summary."""

    doc: str
    file: str
    unit: str | None
    period: str | None
    kind: str | None
    facts: int
    warnings: int


class ReportLines(Sequence):
    """The summary's lines (:class:`ReportLine`) of a build, held as Arrow: a line is made when read.

    About 150 bytes a report, against 600 as objects; reads like a list
    (``len``, ``[i]``, ``[a:b]`` a list, iteration, ``==`` a list).

    Parameters
    ----------
    table : Arrow table of the columns ``doc``, ``file``, ``unit``, ``period``,
        ``kind``, ``facts``, ``warnings`` (a row a line).

    Examples
    --------
    >>> lines = ReportLines.of([ReportLine("a", "raw/a.txt", "Ngọc Lâm", "2021-H1", None, 3, 0)])
    >>> len(lines), lines[0].unit, lines == [ReportLine("a", "raw/a.txt", "Ngọc Lâm", "2021-H1", None, 3, 0)]
    (1, 'Ngọc Lâm', True)
    """

    FIELDS = ("doc", "file", "unit", "period", "kind", "facts", "warnings")

    def __init__(self, table: pa.Table):
        self.table = table

    @classmethod
    def of(cls, lines) -> "ReportLines":
        """Return the lines of a list of :class:`ReportLine`."""
        lines = list(lines)
        types = [pa.string()] * 5 + [pa.int64()] * 2
        return cls(pa.table([pa.array([getattr(ln, f) for ln in lines], t) for f, t in zip(cls.FIELDS, types)],
                            names=list(cls.FIELDS)))

    def __len__(self) -> int:
        """Return the number of lines."""
        return self.table.num_rows

    def __getitem__(self, at):
        """Return line ``at``, or a list of them for a slice."""
        if isinstance(at, slice):
            a, b, step = at.indices(len(self))
            if step != 1:
                return [self[k] for k in range(a, b, step)]
            return list(_line_objects(self.table.slice(a, max(0, b - a))))
        k = range(len(self))[at]
        return next(_line_objects(self.table.slice(k, 1)))

    def __iter__(self):
        """Yield the lines in order."""
        return _line_objects(self.table)

    def __eq__(self, other) -> bool:
        """Whether the lines are those of ``other`` (a sequence of lines)."""
        return isinstance(other, Sequence) and len(other) == len(self) and list(self) == list(other)

    __hash__ = None


def _line_objects(table: pa.Table):
    for b in table.to_batches(max_chunksize=8192):
        yield from (ReportLine(*row) for row in zip(*(b.column(f).to_pylist() for f in ReportLines.FIELDS)))


def _cell(v) -> str:
    return "—" if v is None or v == "" or (isinstance(v, float) and math.isnan(v)) else str(v)


@dataclass
class BuildSummary:
    """What a build did: each report, the messages, the totals, where it wrote."""

    lines: Sequence[ReportLine]      # a list, or ReportLines (Arrow) as a build gives them
    messages: list[Message]
    inputs: Sequence[InputRecord]    # a list, or analysis.load.InputRecords
    n_facts: int
    n_observations: int
    out: Path
    written: bool = False
    strict: bool = False
    #: what became of the analysts' corrections (analysis.corrections), one line
    corrections: str = ""
    #: seconds spent reading, extracting and writing (reading and extracting run
    #: together in the workers: their wall time is shared out as the workers spent it)
    timings: dict = field(default_factory=dict)

    @property
    def n_reports(self) -> int:
        """Reports in the summary."""
        return len(self.lines)

    @property
    def problems(self) -> list[Message]:
        """Errors and warnings (what ``--strict`` fails on)."""
        return [m for m in self.messages if m.level in ("error", "warning")]

    def format_table(self) -> str:
        """Return the summary as the analyst reads it: a table, totals, then the messages."""
        head = ("doc", "unit", "period", "kind", "facts", "warnings")
        rows = [(ln.doc, _cell(ln.unit), _cell(ln.period), _cell(ln.kind), str(ln.facts),
                 str(ln.warnings)) for ln in self.lines]
        widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
        right = {4, 5}

        def fmt(r):
            return "  ".join(c.rjust(w) if i in right else c.ljust(w)
                             for i, (c, w) in enumerate(zip(r, widths))).rstrip()
        out = [fmt(head), fmt(tuple("-" * w for w in widths)), *map(fmt, rows)]
        dup = sum(r.status == "duplicate" for r in self.inputs)
        failed = sum(r.status in ("failed", "skipped") for r in self.inputs)
        n_warn = sum(m.level == "warning" for m in self.messages)
        n_err = sum(m.level == "error" for m in self.messages)
        out.append("")
        out.append(f"{self.n_reports} reports, {self.n_facts} facts, {self.n_observations} observations; "
                   f"{dup} duplicate(s), {failed} file(s) not loaded; {n_err} error(s), {n_warn} warning(s)")
        if self.corrections:
            out.append(self.corrections)
        if self.written:
            out.append(f"tables written to {display_path(self.out)}")
        else:
            out.append(f"nothing written; the tables in {display_path(self.out)} are unchanged")
        shown = [m for m in self.messages if m.level in ("error", "warning")]
        if shown:
            out.append("")
            out.extend(str(m) for m in shown)
        return "\n".join(out)

    def __str__(self) -> str:
        """Return :meth:`format_table`."""
        return self.format_table()


class BuildFailed(Exception):
    """The build wrote nothing; ``summary`` says why and what was found."""

    def __init__(self, reason: str, summary: BuildSummary):
        self.reason = reason
        self.summary = summary
        super().__init__(reason)


# --------------------------------------------------------------------------
# Build
# --------------------------------------------------------------------------


def build(raw: str | os.PathLike = paths.RAW, out: str | os.PathLike | None = None,
          strict: bool = False, jobs: int = 1, progress: bool = True,
          today: date | None = None, periods: list[str] | None = None,
          corrections: str | os.PathLike | None = None, cluster: str | None = None) -> BuildSummary:
    """Rebuild ``reports``, ``facts`` and ``observations`` from a folder of reports.

    Parameters
    ----------
    raw : folder of report files, with its manifest ``reports.csv`` (optional).
        Only read, never written.
    out : folder of the processed tables (default :func:`analysis.paths.processed_dir`).
    strict : fail on any warning (for checking the data itself in CI).
    jobs : worker processes reading and extracting reports (``0``: one per
        core). The output does not depend on it.
    progress : show progress on stderr.
    today : the date periods must not start after (default: today).
    periods : rebuild only these periods (``["2021-H1"]``): the reports of
        the raw folder that are new or changed, or were of these periods, are
        read; those of these periods are extracted and their partitions
        replaced; every other period's files are left exactly as they were.
        Needs a previous full build in ``out``.
    corrections : the analysts' corrections to apply
        (:func:`analysis.corrections.apply_corrections`; default
        ``corrections.csv`` beside ``raw``, or ``ANALYSIS_CORRECTIONS``). One
        that no longer matches is a warning naming its line.
    cluster : run the reading and extraction on a ``dask.distributed``
        cluster instead of ``jobs`` local processes: ``"tcp://host:8786"`` (a
        running scheduler; its workers must reach ``raw`` at the same path) or
        ``"local:N"`` (N worker processes started here). The output does not
        depend on it (:mod:`analysis.cluster`).

    Returns
    -------
    BuildSummary
        Each report with its unit, period, kind, facts found and warnings.

    Raises
    ------
    BuildFailed
        With ``strict`` and any warning, or when no report could be loaded;
        nothing is written and the previous tables stay as they were.
    InputProblem
        The raw folder or its manifest cannot be used;
        :class:`analysis.cluster.ClusterProblem` (one) when the cluster cannot
        be reached or its workers run another version of the package. Either
        way before anything is written.

    Examples
    --------
    A full build of the bundled reports (not run with the package's examples:
    ``tests/integration/test_build.py`` runs it):

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:  # doctest: +SKIP
    ...     summary = build(out=Path(d) / "processed", progress=False)
    ...     sorted(p.name for p in summary.out.iterdir())
    ['facts.parquet', 'observations.parquet', 'reports.parquet']
    >>> [(ln.doc, ln.unit, ln.period) for ln in summary.lines][:2]  # doctest: +SKIP
    [('cau-giay-2022-h1', 'Cầu Giấy', '2022-H1'), ('cu-khoi-2018-fy', 'Cự Khối', '2018-FY')]
    """
    raw = Path(raw)
    out_dir = Path(out) if out is not None else paths.processed_dir()
    if not raw.is_dir():
        raise InputProblem(raw, "no such folder of reports",
                           "give the folder that holds the report files (--raw DIR)", code="missing")
    for name in LIMITS:          # a bad limit is said once, before any file is read
        limit(name)
    check_output(out_dir)        # before any work: the tables could not be replaced
    manifest = raw / "reports.csv"
    manifest = manifest if manifest.exists() or manifest.is_symlink() else None
    if periods is not None:
        periods = _check_periods(periods)
    bar = Progress(progress)
    with ExitStack() as writing:
        writing.enter_context(_system_allocator())
        with ExitStack() as stack:
            runner = None
            if cluster is not None:       # reached and checked before any file is read
                runner = stack.enter_context(connect(cluster, progress=bar.note))
            writer = writing.enter_context(BatchWriter(out_dir, periods, corrections_file(raw)
                                                       if corrections is None else corrections))
            clock = time.perf_counter()
            loaded, messages, timings = _extract_all(
                raw, manifest, out_dir, periods, today, jobs, bar, runner, writer.add)
        if runner is not None:        # the cluster's shutdown is not part of the writing
            clock = time.perf_counter() - timings["reading"] - timings["extracting"]
        return _finish(raw, out_dir, strict, periods, writer, loaded, messages, timings, clock)


@contextmanager
def _system_allocator():
    """Allocate pyarrow's buffers with the C library's allocator while the build runs (workers forked in it too).

    For a build started from Python (a notebook, a benchmark): ``python -m
    analysis`` sets ``ARROW_DEFAULT_MEMORY_POOL=system`` before Arrow loads,
    which also covers Arrow's own internals (see ``analysis/__main__.py`` for
    the figures); here only what pyarrow allocates. The pool before is put back after.
    """
    before = pa.default_memory_pool()
    pa.set_memory_pool(pa.system_memory_pool())
    try:
        yield
    finally:
        pa.set_memory_pool(before)


def _extract_all(raw, manifest, out_dir, periods, today, jobs, bar, runner, sink):
    """Run the pipeline over every file the build takes, handing each batch to ``sink``.

    The corpus step (:class:`analysis.pipeline.CorpusRun`) reads, extracts and
    observes the files in workers; with ``periods`` its plan holds only the
    files that may be of them, and only their reports are kept. ``sink``
    gets each batch's reports, tables and the file shown for each report.
    Returns the load result, the messages and the timings; the run itself
    (its plan, the loader's checksums of every file) is dropped here, before
    the tables are written.
    """
    clock = time.perf_counter()
    stored = _stored_reports(out_dir) if periods is not None else None
    run = CorpusRun(raw, manifest, today=today, jobs=jobs, runner=runner, known=_known_files(out_dir),
                    progress=bar, periods=periods, stored=stored)
    for batch in run:
        sink(batch.reports, BatchOutput(batch.facts, batch.observations, batch.messages), batch.files)
    # what became of each file, held compactly until the summary is made (a list then)
    loaded = LoadResult(schema.empty_frame(schema.REPORTS), run.load_messages, run.records)
    # reading and extracting ran together: their time is shared out as the workers spent it
    both = time.perf_counter() - clock
    read, extract = run.seconds["reading"], run.seconds["extracting"]
    timings = {"reading": both * read / (read + extract) if read + extract else both}
    timings["extracting"] = both - timings["reading"]
    return loaded, run.messages, timings


def _stored_reports(out_dir: Path) -> pd.DataFrame:
    """Read the previous build's reports (doc id, period, checksum): what a rebuild of some periods starts from."""
    try:
        return read_table("reports", out_dir, columns=["doc_id", "period", "sha256"])
    except TableMissing:
        raise InputProblem(out_dir, "there are no tables to rebuild a period of",
                           "run a full build first (without --period)", code="missing") from None


#: what the build keeps of each report once its rows are written (no text, no facts)
_KEPT = ["doc_id", "unit_level", "unit_name", "parent", "period", "doc_kind", "sha256"]


#: and, beside those, the file shown for it and its number of facts
_SHOWN, _N_FACTS = "file", "n_facts"


#: the columns of the reports' summaries file (one row a report)
_SUMMARY = pa.schema([(c, pa.string()) for c in _KEPT] + [(_SHOWN, pa.string()), (_N_FACTS, pa.int64())])


#: summary rows held before they are written to the file (about 2 MB): the file is read
#: back a record batch at a time, so it holds few and large ones
_SUMMARY_ROWS = 8192


_SUMMARY_FILE = "summaries.arrow"


class BatchWriter:
    """The write side of a build: batch results in, the tables out, atomically.

    Each batch's reports, facts and observations are given their review
    columns (:func:`analysis.corrections.apply_corrections` with no
    correction: what every report not corrected gets) and written at once
    into per-period part files (:class:`analysis.store.TableWriter`); of each
    report only a small summary is kept (its unit, period, kind, checksum,
    file shown, number of facts), written as Arrow into a file beside the
    parts as the batches come in (nothing per report stays in memory) and,
    for corrections found by a report's words, which reports hold those
    words. :meth:`finish` then applies the corrections to the few reports
    they name (their rows taken back from the parts), :meth:`commit`
    writes the tables, byte for byte those of the whole tables, and swaps
    them in, and :meth:`summaries` reads the summaries back in doc order.

    Parameters
    ----------
    out_dir : the folder of the tables.
    periods : the periods rebuilt (``None``: a full build).
    corrections : the corrections file (or :class:`analysis.corrections.Corrections`).
    """

    def __init__(self, out_dir, periods, corrections):
        self.corrections = (corrections if isinstance(corrections, Corrections)
                            else read_corrections(corrections))
        self._none = Corrections(self.corrections.path)
        self.partial = list(periods) if periods is not None else False
        self.tables = TableWriter(out_dir, periods)
        self._held: list[pa.Table] = []       # summary rows not written yet
        self._held_rows = 0
        self._sink = None                     # the summaries file, open while batches come in
        self._changed: dict[str, dict] = {}   # doc id -> summary values the corrections changed
        self.n_reports = 0
        self.n_facts = 0
        self.n_observations = 0
        self._needles = {}
        if self.partial is False:
            for i, c in enumerate(self.corrections.rows):
                needle = c["context_before"] + c["raw"] + c["context_after"] if c["raw"] else ""
                if len(needle) >= 12:
                    self._needles[i] = needle
        self._holding: dict[int, list[str]] = {i: [] for i in self._needles}

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._close_summaries()
        self.tables.close()

    def _reviewed(self, reports, facts, observations):
        done = apply_corrections(reports, facts, observations, self._none, observe=observe)
        facts = done.facts
        if self.corrections.rows:       # as the corrected tables are, whatever a batch holds
            facts = schema.validate(facts, schema.FACTS)
        return done.reports, facts, done.observations

    def _count(self, reports, facts, observations, sign: int = 1) -> None:
        self.n_facts += sign * len(facts)
        self.n_observations += sign * len(observations)

    def add(self, reports: pd.DataFrame, batch: BatchOutput, files: list[str] | None = None) -> None:
        """Write one batch: its reports' rows (``text`` included), its :class:`BatchOutput`, the files shown."""
        reports, facts, observations = self._reviewed(reports, batch.facts, batch.observations)
        self.tables.add({"reports": reports, "facts": facts, "observations": observations})
        self._count(reports, facts, observations)
        if len(reports):
            kept = reports[_KEPT].assign(**{_SHOWN: reports["doc_id"] if files is None else list(files),
                                            _N_FACTS: _facts_per_report(reports["doc_id"], facts)})
            self._held.append(pa.Table.from_pandas(kept, schema=_SUMMARY, preserve_index=False))
            self._held_rows += len(kept)
            self.n_reports += len(kept)
            if self._held_rows >= _SUMMARY_ROWS:
                self._write_summaries()
        for i, needle in self._needles.items():
            self._holding[i] += [d for d, t in zip(reports["doc_id"], reports["text"]) if needle in str(t)]

    def _write_summaries(self) -> None:
        """Write the summary rows held into the summaries file, as one record batch."""
        if not self._held:
            return
        if self._sink is None:
            path = self.tables.folder / _SUMMARY_FILE
            self._sink = pa.ipc.new_file(pa.OSFile(str(path), "wb"), _SUMMARY,
                                         options=pa.ipc.IpcWriteOptions(compression=None))
        rows = pa.concat_tables(self._held).combine_chunks()
        self._held, self._held_rows = [], 0
        for b in rows.to_batches():
            self._sink.write_batch(b)

    def _close_summaries(self) -> None:
        if self._sink is not None:
            self._sink.close()
            self._sink = None

    def _read_summaries(self, columns: list[str]) -> pa.Table:
        """Return the summary rows as written (batch order), in ``columns``, the corrections' changes left out."""
        path = self.tables.folder / _SUMMARY_FILE if self.tables.folder is not None else None
        if path is None or not path.exists():
            return _SUMMARY.empty_table().select(columns)
        with pa.memory_map(str(path)) as f:
            reader = pa.ipc.open_file(f)
            return pa.Table.from_batches([reader.get_batch(i).select(columns)
                                          for i in range(reader.num_record_batches)],
                                         schema=pa.schema([_SUMMARY.field(c) for c in columns]))

    def finish(self):
        """Apply the corrections; the corrections' outcome (the summaries: :meth:`summaries`)."""
        self._write_summaries()
        self._close_summaries()
        if not self.corrections.rows:
            return Applied(None, None, None, list(self.corrections.messages),
                           apply_corrections(*[schema.empty_frame(t) for t in
                                               (schema.REPORTS, schema.FACTS, schema.OBSERVATIONS)],
                                             self._none).outcomes)
        ids = self._read_summaries(["doc_id", "sha256"])
        docs = set(ids["doc_id"].to_pylist())
        wanted = {c["sha256"] for c in self.corrections.rows if c["sha256"]}
        first_of_sha: dict = {}                 # the first report (in batch order) of each checksum named
        for d, sha in zip(ids["doc_id"].to_pylist(), ids["sha256"].to_pylist()):
            if sha in wanted and sha not in first_of_sha:
                first_of_sha[sha] = d
        del ids
        named = set()
        for i, c in enumerate(self.corrections.rows):
            if c["doc_id"] in docs:
                named.add(c["doc_id"])
            elif c["sha256"] and c["sha256"] in first_of_sha:
                named.add(first_of_sha[c["sha256"]])
            else:
                named.update(self._holding.get(i, ()))
        taken = self.tables.take(sorted(named))
        self._count(taken["reports"], taken["facts"], taken["observations"], -1)
        fixed = apply_corrections(taken["reports"], taken["facts"], taken["observations"],
                                  self.corrections, observe=observe, partial=self.partial)
        if len(fixed.reports):
            self.tables.add({"reports": fixed.reports, "facts": fixed.facts,
                             "observations": fixed.observations})
        self._count(fixed.reports, fixed.facts, fixed.observations)
        # as DataFrame.update of the summaries by the reports corrected: their values that are not missing
        for row in fixed.reports[_KEPT].astype(object).to_dict("records"):
            if row["doc_id"] in docs:
                change = self._changed.setdefault(row["doc_id"], {})
                change.update({c: v for c, v in row.items() if c != "doc_id" and _none(v) is not None})
        # the facts of a report taken back are those given again (none if it was not)
        again = [d for d in taken["reports"]["doc_id"] if d in docs]
        for d, n in zip(again, _facts_per_report(again, fixed.facts)):
            self._changed.setdefault(d, {})[_N_FACTS] = n
        return fixed

    def summaries(self) -> pa.Table:
        """Return each report's summary (columns of :data:`_SUMMARY`), in doc-id order, as Arrow.

        Read from the summaries file (after :meth:`finish`; until the writer is closed).
        """
        rows = self._read_summaries(_SUMMARY.names)
        if self._changed:
            docs = rows["doc_id"].to_pylist()
            for c in {c for change in self._changed.values() for c in change}:
                values = rows[c].to_pylist()
                for i, d in enumerate(docs):
                    if c in self._changed.get(d, ()):
                        values[i] = self._changed[d][c]
                rows = rows.set_column(rows.schema.get_field_index(c), c, pa.array(values, _SUMMARY.field(c).type))
        return rows.take(pc.sort_indices(rows, sort_keys=[("doc_id", "ascending")]))

    def commit(self) -> None:
        """Write the tables and swap them in."""
        self.tables.commit()


def _facts_per_report(docs, facts: pd.DataFrame) -> list[int]:
    """Return the number of facts of each report of ``docs`` (doc ids, in their order)."""
    counted = facts["doc_id"].value_counts()
    return [int(counted.get(d, 0)) for d in docs]


def _rows(table: pa.Table, columns: list[str]):
    """Yield the rows of some columns of an Arrow table as tuples (nulls as None), a record batch at a time."""
    for b in table.select(columns).to_batches(max_chunksize=_SUMMARY_ROWS):
        yield from zip(*(b.column(c).to_pylist() for c in columns))


def _lines(rows: pa.Table, per_doc_warnings: Counter) -> ReportLines:
    """Return the summary's line of each report (its summary's doc id, unit, period, kind, file and facts), as Arrow."""
    warnings = pa.array([per_doc_warnings.get(d, 0) for d in rows["doc_id"].to_pylist()] if per_doc_warnings
                        else [0] * rows.num_rows, pa.int64())
    return ReportLines(pa.table([rows["doc_id"], rows[_SHOWN], rows["unit_name"], rows["period"], rows["doc_kind"],
                                 rows[_N_FACTS], warnings], names=list(ReportLines.FIELDS)))


def _warnings_per_doc(messages: list[Message]) -> Counter:
    return Counter(m.doc for m in messages if m.level in ("warning", "error") and m.code != "duplicate")


def _finish(raw, out_dir, strict, periods, writer, loaded, messages, timings, clock) -> BuildSummary:
    """Apply the corrections, check, summarise and write: the build's last, global steps.

    While the tables are written nothing per report is held here: the
    reports' summaries are in a file beside the parts, and the summary's
    lines and the warnings about two reports of one unit and period are
    made from it once the tables are in (with ``strict``, those warnings
    before: any of them fails the build).
    """
    fixed = writer.finish()
    messages = messages + fixed.messages
    summary = BuildSummary([], messages, loaded.inputs, writer.n_facts, writer.n_observations,
                           out_dir, written=False, strict=strict,
                           corrections=fixed.summary_line(), timings=timings)
    if not writer.n_reports:
        what = f"no report of {', '.join(periods)}" if periods else "no report"
        raise BuildFailed(f"{what} could be loaded from {display_path(raw)}; nothing written", summary)
    del fixed
    if strict:
        rows = writer.summaries()
        summary.messages = messages + _same_unit_and_period(rows)
        if summary.problems:
            summary.lines = _lines(rows, _warnings_per_doc(summary.messages))
            raise BuildFailed(f"--strict: {len(summary.problems)} warning(s) or error(s); nothing written",
                              summary)
        del rows
    writer.commit()
    rows = writer.summaries()
    if not strict:
        summary.messages = messages + _same_unit_and_period(rows)
    summary.lines = _lines(rows, _warnings_per_doc(summary.messages))
    summary.written = True
    timings["writing"] = time.perf_counter() - clock - timings["reading"] - timings["extracting"]
    return summary


def _known_files(out_dir: Path) -> frozenset:
    """Return the raw files (as ``reports.source_file``) loaded by the previous build, if any."""
    try:
        stored = read_table("reports", out_dir, columns=["source_file"])
    except Exception:  # noqa: BLE001 - no usable previous tables: no file was loaded before
        return frozenset()
    return frozenset(str(f) for f in stored["source_file"].dropna())


def _same_unit_and_period(reports: pa.Table) -> list[Message]:
    """Return one warning per pair of reports of the same unit, period and kind, naming both files.

    ``reports``: the reports' summaries in doc-id order. Their texts differ:
    identical ones are duplicates already.
    """
    first: dict[tuple, tuple[str, str]] = {}
    out = []
    for doc, file, *k in _rows(reports, ["doc_id", _SHOWN, "unit_level", "unit_name", "parent", "period",
                                         "doc_kind"]):
        k = tuple(k)
        if k[1] is None or k[3] is None:
            continue
        if k in first:
            other_doc, other_file = first[k]
            what = f"{k[0] or 'unit'} {k[1]}" + (f" ({k[2]})" if k[2] else "")
            out.append(Message("warning", file, f"a second {k[4] or ''} report of {what} for {k[3]}, "
                               f"beside {other_file} (different texts): both are kept; remove the one "
                               "that is not the report, or correct its unit or period in the manifest",
                               code="same_unit_period", doc=doc))
        else:
            first[k] = (doc, file)
    return out


def _check_periods(periods) -> list[str]:
    """Return the period codes asked for, checked, upper-cased and sorted (one line when one is not a code)."""
    if isinstance(periods, str):
        periods = [periods]
    out = []
    for p in periods:
        code = str(p).strip().upper()
        try:
            parse_period(code)
        except ValueError:
            raise InputProblem(None, f"period {p!r} is not a period code",
                               "write it as YYYY-FY, YYYY-H1, YYYY-H2, YYYY-Q1…Q4 or YYYY-9M "
                               "(e.g. --period 2021-H1)", code="period") from None
        out.append(code)
    return sorted(set(out))




def _none(v):
    return None if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) else v
