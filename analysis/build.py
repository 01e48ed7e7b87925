"""Build the processed tables from the raw reports: load, extract, observe, write.

The work on each report is one pure function, :func:`process_report` (text in,
facts and warnings out); :func:`process_batch` runs it over a batch of rows of
the reports table and makes the batch's observations, which depend on nothing
but those reports. The build streams batches of files through worker processes
(``jobs``): each worker reads its files (decoding, normalising, reading their
metadata) and extracts them at once, and the build keeps only compact tables
of the results, so that memory stays bounded. Which files are loaded (and
which are duplicates of earlier ones) is decided in file order as the batches
come back, exactly as :func:`analysis.load.load_reports` decides it, so the
output is identical to a serial run. :func:`build` then
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

import hashlib
import math
import os
import pickle
import sys
import time
from collections import Counter, deque
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache
from pathlib import Path

import pandas as pd

from analysis import paths, schema
from analysis.load import (LIMITS, InputProblem, InputRecord, Message, display_path, end_with_parent,
                           limit, load_reports, ordered_in_workers)
from analysis.corrections import Applied, Corrections, apply_corrections, corrections_file, read_corrections
from analysis.store import TableMissing, TableWriter, check_output, read_table

__all__ = [
    "facts_for_report", "process_report", "process_batch", "ReportJob", "ReportOutput",
    "Bound", "plausibility_bounds", "bound_for", "implausible_facts",
    "BatchOutput", "ReportLine", "BuildSummary", "BuildFailed", "build",
]


def facts_for_report(text: str, doc_id: str) -> list[dict]:
    """Facts of one report's normalised text, with their indicators.

    :func:`analysis.extract.extract_facts` then
    :func:`analysis.indicators.assign_indicators`: what the CLI, the build and
    the benchmarks call.

    Examples
    --------
    >>> facts = facts_for_report("Có 5209/5318 hộ đăng ký gia đình văn hóa.", "thach-ban-2021-h1")
    >>> [(f["raw"], f["numerator"], f["denominator"]) for f in facts]
    [('5209/5318', 5209.0, 5318.0)]
    """
    from analysis.extract import extract_facts
    from analysis.indicators import assign_indicators

    return assign_indicators(extract_facts(text, doc_id), text)


@dataclass(frozen=True)
class ReportJob:
    """One report to process: its id, normalised text, the file shown in
    messages, and its unit's level (for the plausibility bounds)."""

    doc_id: str
    text: str
    file: str
    unit_level: str | None = None


# --------------------------------------------------------------------------
# Plausibility
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class Bound:
    """What a value of one unit and kind can be, for a unit of one level (a row
    of ``analysis/rules/plausibility.csv``)."""

    unit: str
    kind: str | None
    unit_level: str | None
    low: float
    high: float
    note: str


@lru_cache(maxsize=4)
def _bounds_of(path: str, stamp) -> tuple[Bound, ...]:
    from analysis.numbers import read_rule_table

    folder = Path(path).parent
    out = []
    for i, r in enumerate(read_rule_table(Path(path).stem, folder), start=2):
        where = f"{path}:{i}"
        if r["unit"] not in schema.UNITS or (r["kind"] and r["kind"] not in schema.KINDS) \
                or (r["unit_level"] and r["unit_level"] not in schema.UNIT_LEVELS):
            raise ValueError(f"{where}: unit, kind or unit_level not one of the schema's")
        try:
            low, high = float(r["min"]), float(r["max"])
        except ValueError:
            raise ValueError(f"{where}: min and max must be numbers") from None
        out.append(Bound(r["unit"], r["kind"] or None, r["unit_level"] or None, low, high, r["note"]))
    return tuple(out)


def plausibility_bounds(path: str | os.PathLike | None = None) -> tuple[Bound, ...]:
    """The bounds of ``analysis/rules/plausibility.csv`` (read again when the file changes).

    Examples
    --------
    >>> b = bound_for(plausibility_bounds(), "vnd", "amount", "ward")
    >>> b.high
    100000000000000.0
    """
    path = Path(path) if path is not None else paths.RULES / "plausibility.csv"
    try:
        st = path.stat()
        stamp = (st.st_mtime_ns, st.st_size)
    except OSError:
        stamp = None
    return _bounds_of(str(path), stamp)


def bound_for(bounds, unit: str, kind: str, unit_level: str | None) -> Bound | None:
    """The most specific bound for a value: its unit with its kind and level,
    then its kind, then its level, then the unit alone (``None``: no bound)."""
    best, rank = None, -1
    for b in bounds:
        if b.unit != unit or (b.kind and b.kind != kind) or (b.unit_level and b.unit_level != unit_level):
            continue
        r = 2 * (b.kind is not None) + (b.unit_level is not None)
        if r > rank:
            best, rank = b, r
    return best


def _implausible(row: dict, unit_level, bounds) -> Bound | None:
    b = bound_for(bounds, row["unit"], row["kind"], unit_level)
    if b is not None and not (b.low <= row["value"] <= b.high):
        return b
    return None


def implausible_facts(processed: str | os.PathLike | None = None) -> pd.DataFrame:
    """The stored facts marked implausible, with their report's unit and the bound they pass.

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


def _show(v: float) -> str:
    return f"{v:,.0f}" if abs(v) < 1e15 and float(v).is_integer() else f"{v:g}"


@dataclass(frozen=True)
class ReportOutput:
    """What :func:`process_report` gives back for one report."""

    doc_id: str
    facts: list[dict]
    messages: list[Message]


def _fact_problem(f: dict, n_chars: int) -> str | None:
    value = f.get("value")
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
        return f"value {value!r} is not a finite number"
    for name, allowed in (("unit", schema.UNITS), ("kind", schema.KINDS),
                          ("qualifier", schema.QUALIFIERS)):
        if f.get(name) not in allowed:
            return f"{name} {f.get(name)!r} is not one of the schema's"
    start, end = f.get("start"), f.get("end")
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= n_chars):
        return f"offsets {start!r}-{end!r} fall outside the text"
    return None


def process_report(job: ReportJob) -> ReportOutput:
    """Extract one report's facts and say what went wrong: the build's unit of work.

    A pure function of the job (no files, no globals written), safe to run in
    worker processes. An extractor failure on one report becomes an ``error``
    message for that report, not a failed build; a report with no statistics
    gets a warning.

    Examples
    --------
    >>> out = process_report(ReportJob("thach-ban-2021-h1",
    ...     "Tuyên truyền trên cổng TTĐT phường với 36 tin.", "thach-ban-2021-h1.txt"))
    >>> [(f["fact_id"], f["value"], f["unit"]) for f in out.facts], out.messages
    ([('thach-ban-2021-h1:39-41:0', 36.0, 'count')], [])
    """
    messages: list[Message] = []
    bounds = plausibility_bounds()
    try:
        found = facts_for_report(job.text, job.doc_id)
    except Exception as e:  # one report must not stop a build of thousands
        return ReportOutput(job.doc_id, [], [Message(
            "error", job.file, f"fact extraction failed ({type(e).__name__}: {e}); its facts are "
            "left out — keep the file and report the problem with it", code="extract_failed",
            doc=job.doc_id)])
    facts, dropped = [], []
    names = schema.FACTS.names
    for n, f in enumerate(found):
        row = {c: f.get(c) for c in names}
        row["doc_id"] = job.doc_id
        for c in ("start", "end", "sentence_start"):
            if isinstance(row[c], float) and row[c].is_integer():
                row[c] = int(row[c])
        problem = _fact_problem(row, len(job.text))
        if problem:
            dropped.append(problem)
            continue
        if not row["fact_id"]:
            row["fact_id"] = f"{job.doc_id}:{row['start']}-{row['end']}:{n}"
        row["value"] = float(row["value"])
        bound = _implausible(row, job.unit_level, bounds)
        row["is_implausible"] = bound is not None
        if bound is not None:
            level = job.unit_level or "unit of unknown level"
            messages.append(Message(
                "warning", job.file, f"{row['raw']!r} (offset {row['start']}) reads as {_show(row['value'])} "
                f"{row['unit']}, beyond what a {level} can have ({_show(bound.low)} to {_show(bound.high)}, "
                f"{row['kind']}); kept and marked is_implausible — check the text "
                "(bounds: analysis/rules/plausibility.csv)", code="implausible", doc=job.doc_id))
        facts.append(row)
    if dropped:
        messages.append(Message("warning", job.file, f"{len(dropped)} fact(s) were left out as malformed "
                                f"(first: {dropped[0]}); report the problem with this file",
                                code="malformed_fact", doc=job.doc_id))
    if not facts and not dropped:
        messages.append(Message("warning", job.file, "no statistics were found in the text; check that "
                                "the file is the report itself (not a menu page, cover letter or "
                                "scanned image)", code="no_statistics", doc=job.doc_id))
    return ReportOutput(job.doc_id, facts, messages)


# --------------------------------------------------------------------------
# Summary
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class ReportLine:
    """One line of the build summary."""

    doc: str
    file: str
    unit: str | None
    period: str | None
    kind: str | None
    facts: int
    warnings: int


def _cell(v) -> str:
    return "—" if v is None or v == "" or (isinstance(v, float) and math.isnan(v)) else str(v)


@dataclass
class BuildSummary:
    """What a build did: each report, the messages, the totals, where it wrote."""

    lines: list[ReportLine]
    messages: list[Message]
    inputs: list[InputRecord]
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
        return len(self.lines)

    @property
    def problems(self) -> list[Message]:
        """Errors and warnings (what ``--strict`` fails on)."""
        return [m for m in self.messages if m.level in ("error", "warning")]

    def format_table(self) -> str:
        """The summary as the analyst reads it: a table, totals, then the messages."""
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
        return self.format_table()


class BuildFailed(Exception):
    """The build wrote nothing; ``summary`` says why and what was found."""

    def __init__(self, reason: str, summary: BuildSummary):
        self.reason = reason
        self.summary = summary
        super().__init__(reason)


# --------------------------------------------------------------------------
# Progress
# --------------------------------------------------------------------------

class _Progress:
    """Progress on stderr: a rewritten line on a terminal, a few lines in a log."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.last = 0.0

    def phase(self, name: str):
        def report(i: int, n: int, label: str) -> None:
            if not self.enabled:
                return
            stream = sys.stderr
            tty = stream.isatty()
            now = time.monotonic()
            if tty:
                if i == n or now - self.last > 0.1:
                    self.last = now
                    stream.write(f"\r{name} {i}/{n} {label[-50:]:<50}")
                    if i == n:
                        stream.write("\n")
                    stream.flush()
            elif i == n or i == 1 or i % max(1, n // 10) == 0:
                stream.write(f"{name} {i}/{n} {label}\n")
                stream.flush()
        return report

    def note(self, line: str) -> None:
        """One line of progress (e.g. which cluster the build runs on)."""
        if self.enabled:
            sys.stderr.write(line + "\n")
            sys.stderr.flush()


@dataclass(frozen=True)
class BatchOutput:
    """What :func:`process_batch` gives back: tables of a batch of reports."""

    facts: pd.DataFrame
    observations: pd.DataFrame
    messages: list[Message]


def process_batch(reports: pd.DataFrame, files: list[str] | None = None) -> BatchOutput:
    """Facts and observations of a batch of reports: the build's unit of work.

    A pure function of the rows (the reports table's columns, ``text``
    included): each report's facts come from :func:`process_report`, and its
    observations from :func:`analysis.observations.build_observations`, which
    looks at no other report. Whatever way the reports table is cut into
    batches, the batches' tables put together are the tables of the whole: this
    is what the build runs in worker processes, and what a cluster runs on its
    nodes (``docs/scaling.md``).

    Parameters
    ----------
    reports : rows of the reports table (:data:`analysis.schema.REPORTS`).
    files : the file shown in messages for each row (default: its doc id).

    Examples
    --------
    >>> from analysis.load import load_reports
    >>> reports = load_reports().reports
    >>> out = process_batch(reports[reports["doc_id"] == "cu-khoi-2018-fy"])
    >>> len(out.facts) > 100, sorted(set(out.observations["unit_name"])), out.messages
    (True, ['Cự Khối'], [])
    """
    files = list(reports["doc_id"]) if files is None else list(files)
    outputs = [process_report(ReportJob(d, t, f, _none(lv)))
               for d, t, f, lv in zip(reports["doc_id"], reports["text"], files, reports["unit_level"])]
    facts = _facts_frame([f for o in outputs for f in o.facts])
    return BatchOutput(facts, _observations(facts, reports), [m for o in outputs for m in o.messages])


def _batch_size(n: int, jobs: int) -> int:
    """Reports per batch: enough to keep workers busy, few enough to bound memory."""
    return max(1, min(96, math.ceil(n / max(1, jobs * 4))))


def _workers(jobs: int, runner=None) -> int:
    if runner is not None:
        return runner.n_workers
    return jobs if jobs > 0 else (os.cpu_count() or 1)


def _in_order(fn, items: list, jobs: int):
    """``fn(item)`` of each item, in order: in ``jobs`` worker processes (``0``: one
    per core), with at most ``2 × jobs`` items in flight so that memory stays bounded;
    the workers end with the build, however it ends."""
    return ordered_in_workers(fn, items, jobs)


def _process_slice(args) -> BatchOutput:
    return process_batch(*args)


def _run_batches(reports: pd.DataFrame, files: list[str], jobs: int, report, runner=None):
    """``(rows, batch output)`` of reports already loaded, in report order (on
    ``runner``, a :class:`analysis.cluster.ClusterRunner`, if given)."""
    n = len(reports)
    size = _batch_size(n, _workers(jobs, runner))
    bounds = [(a, min(a + size, n)) for a in range(0, n, size)]
    work = [(reports.iloc[a:b], files[a:b]) for a, b in bounds]
    results = (runner.map_in_order(_process_slice, work) if runner is not None
               else _in_order(_process_slice, work, jobs))
    for (a, b), result in zip(bounds, results):
        yield reports.iloc[a:b].reset_index(drop=True), result
        report(b, n, files[b - 1])


# --------------------------------------------------------------------------
# Reading and extracting together
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class _FileBatch:
    """Files to read and extract in one task (``analysis.load._Input`` each)."""

    inputs: tuple
    mshown: str
    today: date
    #: the driver's input limits as ``(environment variable, value)``, set in
    #: the worker while it reads (a cluster's workers do not share its environment)
    limits: tuple = ()


@dataclass(frozen=True)
class _FileBatchOutput:
    """What :func:`_read_and_process` gives back for a batch of files.

    ``reads``, ``said`` and ``at`` have one item per input: how the file was
    read (its text left out); for a file read without problem, the messages
    about its row (else None); and the position of its row in ``reports``
    (None for a file with a problem, or whose doc id an earlier file of the
    batch has: such a row is in ``spare``, by input). ``batch`` holds the
    facts, observations and extraction messages of the rows of ``reports``.
    """

    reads: list
    said: list
    at: list
    reports: pd.DataFrame
    spare: dict
    batch: BatchOutput
    seconds: tuple[float, float]


def _reports_frame(rows: list[dict]) -> pd.DataFrame:
    if not rows:
        return schema.empty_frame(schema.REPORTS)
    return schema.validate(pd.DataFrame.from_records(rows, columns=schema.REPORTS.names), schema.REPORTS)


def _read_and_process(work: _FileBatch) -> _FileBatchOutput:
    """Read a batch of files and extract their facts and observations: one worker's task.

    Which files are duplicates of files in other batches is decided after,
    in order, by the loader (``analysis.load._Intake``); the tables of a file
    it leaves out are dropped then. A pure function of the files' bytes.
    """
    with _environment(work.limits):
        return _read_and_process_here(work)


@contextmanager
def _environment(values):
    """Environment variables set for the length of a task, then as they were."""
    before = {k: os.environ.get(k) for k, _ in values}
    os.environ.update(dict(values))
    try:
        yield
    finally:
        for k, v in before.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _read_and_process_here(work: _FileBatch) -> _FileBatchOutput:
    from analysis.load import _read_file, _report_of

    clock = time.perf_counter()
    reads, said, at, rows, spare, seen = [], [], [], [], {}, set()
    for k, inp in enumerate(work.inputs):
        got = _read_file(inp.path)
        reads.append(replace(got, text=None))
        if got.problem is not None:
            said.append(None)
            at.append(None)
            continue
        row, messages = _report_of(inp, got, work.mshown, work.today)
        said.append(messages)
        if inp.doc_id in seen:
            spare[k] = row
            at.append(None)
        else:
            seen.add(inp.doc_id)
            at.append(len(rows))
            rows.append(row)
    shown = [inp.shown for inp, pos in zip(work.inputs, at) if pos is not None]
    reports = _reports_frame(rows)
    del rows
    read = time.perf_counter() - clock
    batch = process_batch(reports, shown)
    return _FileBatchOutput(reads, said, at, reports, spare, batch,
                            (read, time.perf_counter() - clock - read))


def _read_and_extract(raw: Path, manifest: Path | None, today: date | None, jobs: int, bar, sink,
                      known: frozenset = frozenset(), runner=None):
    """Load every file of ``raw`` and extract the loaded reports, in one pass.

    Workers read and extract batches of files; here, in file order, the loader
    decides which files are loaded (``analysis.load._Intake``, as
    :func:`analysis.load.load_reports` does), and the tables of those are
    handed to ``sink(reports, batch)`` as each batch comes (nothing is held).
    Returns the load result (its ``reports`` without rows: the rows went to
    ``sink``), the extraction messages in report order, and the seconds
    workers spent reading and extracting.
    With ``runner`` (:class:`analysis.cluster.ClusterRunner`) the batches are
    read and extracted on a cluster's workers, which open the files by their
    absolute paths.
    """
    from analysis.load import LoadResult, _Intake, _plan_inputs

    plan = _plan_inputs(raw, manifest, known)
    today = today or date.today()
    intake = _Intake(plan, today)
    inputs = plan.inputs
    n = len(inputs)
    size = _batch_size(n, _workers(jobs, runner))
    bounds = [(a, min(a + size, n)) for a in range(0, n, size)]
    sent = inputs if runner is None else [replace(i, path=i.path.absolute(), folder=i.folder.absolute())
                                          for i in inputs]
    limits = () if runner is None else tuple((lim.env, str(limit(name))) for name, lim in LIMITS.items())
    work = [_FileBatch(tuple(sent[a:b]), plan.mshown, today, limits) for a, b in bounds]
    del sent
    reading, extracting = bar.phase("reading"), bar.phase("extracting")
    docs, said = [], {}
    seconds = [0.0, 0.0]
    results = (runner.map_in_order(_read_and_process, work) if runner is not None
               else _in_order(_read_and_process, work, jobs))
    for (a, b), out in zip(bounds, results):
        kept = []                                   # indices in the batch of the files loaded
        for k in range(b - a):
            said_k = out.said[k]
            if intake.add(inputs[a + k], out.reads[k], None if said_k is None else (None, said_k)):
                kept.append(k)
            reading(a + k + 1, n, inputs[a + k].shown)
        seconds[0] += out.seconds[0]
        seconds[1] += out.seconds[1]
        rows = [out.at[k] for k in kept if out.at[k] is not None]
        late = [k for k in kept if out.at[k] is None]
        batch = out.batch
        if len(rows) == len(out.reports):
            kept_reports = out.reports
        else:
            kept_reports = out.reports.iloc[rows].reset_index(drop=True)
            keep = set(out.reports["doc_id"].iloc[rows])
            batch = BatchOutput(batch.facts[batch.facts["doc_id"].isin(keep)].reset_index(drop=True),
                                batch.observations[batch.observations["doc_id"].isin(keep)]
                                .reset_index(drop=True),
                                [m for m in batch.messages if m.doc in keep])
        if late:      # loaded, though an earlier file of its batch had its doc id
            clock = time.perf_counter()
            extra = _reports_frame([out.spare[k] for k in late])
            parts = [batch, process_batch(extra, [inputs[a + k].shown for k in late])]
            batch = BatchOutput(_concat([p.facts for p in parts], parts[0].facts),
                                _concat([p.observations for p in parts], parts[0].observations),
                                [m for p in parts for m in p.messages])
            kept_reports = _concat([kept_reports, extra], kept_reports)
            seconds[1] += time.perf_counter() - clock
        docs += list(kept_reports["doc_id"])
        sink(kept_reports, batch)
        for m in batch.messages:
            said.setdefault(m.doc, []).append(m)
        extracting(b, n, inputs[b - 1].shown)
    loaded = LoadResult(schema.empty_frame(schema.REPORTS), intake.messages, intake.inputs)
    messages = [m for d in sorted(docs) for m in said.get(d, ())]
    return loaded, messages, seconds


# --------------------------------------------------------------------------
# Build
# --------------------------------------------------------------------------

def _concat(parts: list[pd.DataFrame], empty: pd.DataFrame) -> pd.DataFrame:
    parts = [p for p in parts if len(p)]
    if not parts:
        return empty
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]


def _facts_frame(records: list[dict]) -> pd.DataFrame:
    if not records:
        return schema.empty_frame(schema.FACTS)
    return schema.validate(pd.DataFrame.from_records(records, columns=schema.FACTS.names), schema.FACTS)


def _catalog() -> pd.DataFrame:
    """The indicator catalogue (:mod:`analysis.catalog` reads it once per process)."""
    from analysis.catalog import load_catalog

    return load_catalog()


def _observations(facts: pd.DataFrame, reports: pd.DataFrame) -> pd.DataFrame:
    from analysis.observations import build_observations

    placed = reports[reports["unit_name"].notna() & reports["period"].notna()]
    facts = facts[facts["doc_id"].isin(set(placed["doc_id"]))].reset_index(drop=True)
    obs = build_observations(facts, placed.reset_index(drop=True), catalog=_catalog())
    if "is_implausible" in facts.columns:     # the mark follows the fact into its observation
        flag = dict(zip(facts["fact_id"], facts["is_implausible"]))
        obs = obs.assign(is_implausible=obs["fact_id"].map(flag).astype("boolean"))
    return schema.validate(obs, schema.OBSERVATIONS)


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
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     summary = build(out=Path(d) / "processed", progress=False)
    ...     sorted(p.name for p in summary.out.iterdir())
    ['facts.parquet', 'observations.parquet', 'reports.parquet']
    >>> [(ln.doc, ln.unit, ln.period) for ln in summary.lines][:2]
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
    bar = _Progress(progress)
    with ExitStack() as writing:
        with ExitStack() as stack:
            runner = None
            if cluster is not None:       # reached and checked before any file is read
                from analysis.cluster import connect

                runner = stack.enter_context(connect(cluster, progress=bar.note))
            writer = writing.enter_context(BatchWriter(out_dir, periods, corrections_file(raw)
                                                       if corrections is None else corrections))
            clock = time.perf_counter()
            loaded, messages, file_of, timings = _extract_all(
                raw, manifest, out_dir, periods, today, jobs, bar, runner, writer.add)
        if runner is not None:        # the cluster's shutdown is not part of the writing
            clock = time.perf_counter() - timings["reading"] - timings["extracting"]
        return _finish(raw, out_dir, strict, periods, writer, loaded, messages, file_of, timings, clock)


def _extract_all(raw, manifest, out_dir, periods, today, jobs, bar, runner, sink):
    """Read and extract every report the build takes, handing each batch to ``sink``.

    Returns the load result, the messages, the file shown for each doc id
    (a function) and the timings.
    """
    clock = time.perf_counter()
    timings = {}
    if periods is not None:
        loaded, reports, messages = _load_periods(raw, manifest, out_dir, periods, today, bar, jobs)
        files = _shown_files(loaded, reports)
        timings["reading"] = time.perf_counter() - clock
        for rows, batch in _run_batches(reports, files, jobs, bar.phase("extracting"), runner):
            sink(rows, batch)
            messages.extend(batch.messages)
        del reports
        timings["extracting"] = time.perf_counter() - clock - timings["reading"]
    else:
        loaded, said, (read, extract) = _read_and_extract(
            raw, manifest, today, jobs, bar, sink, _known_files(out_dir), runner)
        messages = loaded.messages + said
        # reading and extracting ran together: their time is shared out as the workers spent it
        both = time.perf_counter() - clock
        timings["reading"] = both * read / (read + extract) if read + extract else both
        timings["extracting"] = both - timings["reading"]
    by_doc = {r.doc_id: r.file for r in loaded.inputs if r.status == "loaded"}
    return loaded, messages, lambda d: by_doc.get(d, d), timings


#: what the build keeps of each report once its rows are written (no text, no facts)
_KEPT = ["doc_id", "unit_level", "unit_name", "parent", "period", "doc_kind", "sha256"]


class BatchWriter:
    """The write side of a build: batch results in, the tables out, atomically.

    Each batch's reports, facts and observations are given their review
    columns (:func:`analysis.corrections.apply_corrections` with no
    correction: what every report not corrected gets) and written at once
    into per-period part files (:class:`analysis.store.TableWriter`); only a
    small summary per report stays here (its unit, period, kind, checksum,
    number of facts) and, for corrections found by a report's words, which
    reports hold those words. :meth:`finish` then applies the corrections to
    the few reports they name (their rows taken back from the parts), and
    :meth:`commit` writes the tables, byte for byte those of the whole
    tables, and swaps them in.

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
        self._kept: list[pd.DataFrame] = []
        self._facts: Counter = Counter()
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
        self.tables.close()

    def _reviewed(self, reports, facts, observations):
        done = apply_corrections(reports, facts, observations, self._none, observe=_observations)
        facts = done.facts
        if self.corrections.rows:       # as the corrected tables are, whatever a batch holds
            facts = schema.validate(facts, schema.FACTS)
        return done.reports, facts, done.observations

    def _count(self, reports, facts, observations, sign: int = 1) -> None:
        for d, k in facts["doc_id"].value_counts().items():
            self._facts[d] += sign * int(k)
        self.n_facts += sign * len(facts)
        self.n_observations += sign * len(observations)

    def add(self, reports: pd.DataFrame, batch: BatchOutput) -> None:
        """Write one batch: its reports' rows (``text`` included) and its :class:`BatchOutput`."""
        reports, facts, observations = self._reviewed(reports, batch.facts, batch.observations)
        self.tables.add({"reports": reports, "facts": facts, "observations": observations})
        self._count(reports, facts, observations)
        self._kept.append(reports[_KEPT].astype(object))
        for i, needle in self._needles.items():
            self._holding[i] += [d for d, t in zip(reports["doc_id"], reports["text"]) if needle in str(t)]

    def finish(self):
        """Apply the corrections; the reports' summaries (doc order) and the corrections' outcome."""
        kept = (pd.concat(self._kept, ignore_index=True) if self._kept
                else pd.DataFrame(columns=_KEPT, dtype=object))
        self._kept = [kept]
        if not self.corrections.rows:
            fixed = Applied(None, None, None, list(self.corrections.messages),
                            apply_corrections(*[schema.empty_frame(t) for t in
                                                (schema.REPORTS, schema.FACTS, schema.OBSERVATIONS)],
                                              self._none).outcomes)
        else:
            docs = set(kept["doc_id"])
            shas = set(kept["sha256"].dropna())
            named = set()
            for i, c in enumerate(self.corrections.rows):
                if c["doc_id"] in docs:
                    named.add(c["doc_id"])
                elif c["sha256"] and c["sha256"] in shas:
                    named.add(kept.loc[kept["sha256"] == c["sha256"], "doc_id"].iloc[0])
                else:
                    named.update(self._holding.get(i, ()))
            taken = self.tables.take(sorted(named))
            self._count(taken["reports"], taken["facts"], taken["observations"], -1)
            fixed = apply_corrections(taken["reports"], taken["facts"], taken["observations"],
                                      self.corrections, observe=_observations, partial=self.partial)
            if len(fixed.reports):
                self.tables.add({"reports": fixed.reports, "facts": fixed.facts,
                                 "observations": fixed.observations})
            self._count(fixed.reports, fixed.facts, fixed.observations)
            now = fixed.reports[_KEPT].astype(object).set_index("doc_id")
            kept = kept.set_index("doc_id")
            kept.update(now)
            kept = kept.reset_index()
        kept = kept.sort_values("doc_id", kind="stable").reset_index(drop=True)
        return kept, fixed

    def facts_of(self, doc: str) -> int:
        """Facts of one report written (corrections applied)."""
        return self._facts.get(doc, 0)

    def commit(self) -> None:
        """Write the tables and swap them in."""
        self.tables.commit()


def _finish(raw, out_dir, strict, periods, writer, loaded, messages, file_of, timings,
            clock) -> BuildSummary:
    """Apply the corrections, check, summarise and write: the build's last, global steps."""
    reports, fixed = writer.finish()
    messages = messages + fixed.messages
    files = [file_of(d) for d in reports["doc_id"]]
    messages = messages + _same_unit_and_period(reports, files)
    per_doc_warnings = Counter(m.doc for m in messages
                               if m.level in ("warning", "error") and m.code != "duplicate")
    lines = [ReportLine(r.doc_id, file, _none(r.unit_name), _none(r.period), _none(r.doc_kind),
                        writer.facts_of(r.doc_id), per_doc_warnings.get(r.doc_id, 0))
             for r, file in zip(reports.itertuples(index=False), files)]
    summary = BuildSummary(lines, messages, loaded.inputs, writer.n_facts, writer.n_observations,
                           out_dir, written=False, strict=strict,
                           corrections=fixed.summary_line(), timings=timings)
    if not len(reports):
        what = f"no report of {', '.join(periods)}" if periods else "no report"
        raise BuildFailed(f"{what} could be loaded from {display_path(raw)}; nothing written", summary)
    if strict and summary.problems:
        raise BuildFailed(f"--strict: {len(summary.problems)} warning(s) or error(s); nothing written",
                          summary)
    writer.commit()
    summary.written = True
    timings["writing"] = time.perf_counter() - clock - timings["reading"] - timings["extracting"]
    return summary


def _known_files(out_dir: Path) -> frozenset:
    """The raw files (as ``reports.source_file``) loaded by the previous build, if any."""
    try:
        stored = read_table("reports", out_dir, columns=["source_file"])
    except Exception:  # noqa: BLE001 - no usable previous tables: no file was loaded before
        return frozenset()
    return frozenset(str(f) for f in stored["source_file"].dropna())


def _same_unit_and_period(reports: pd.DataFrame, files: list[str]) -> list[Message]:
    """One warning per pair of reports of the same unit, period and kind (different
    texts: identical ones are duplicates already), naming both files."""
    key = reports[["unit_level", "unit_name", "parent", "period", "doc_kind"]].astype(object)
    first: dict[tuple, tuple[str, str]] = {}
    out = []
    for doc, file, k in zip(reports["doc_id"], files, key.itertuples(index=False)):
        k = tuple(_none(v) for v in k)
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


def _apart(fn, *args, progress=None, **kwargs):
    """``fn(*args, progress=..., **kwargs)`` run in a child process; its result
    (or its exception) comes back, and its progress is reported here.

    The loader holds each text several times over while it builds the reports
    table. Run apart, all of that is given back to the system when the child
    ends, and the build keeps only the table (texts as compact Arrow strings).
    Where processes cannot be forked, ``fn`` runs here.
    """
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods():
        return fn(*args, progress=progress, **kwargs)
    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)

    parent = os.getpid()

    def child():
        end_with_parent(parent)

        def report(i, n, label):
            send.send_bytes(pickle.dumps(("progress", (i, n, label))))
        try:
            payload = ("ok", fn(*args, progress=report if progress else None, **kwargs))
        except InputProblem as e:
            payload = ("input", (e.path, e.problem, e.fix, e.code))
        except BaseException as e:  # noqa: BLE001 - handed to the parent as it is
            payload = ("error", e)
        try:
            data = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
            pickle.loads(data)
        except Exception:
            err = payload[1]
            data = pickle.dumps(("error", RuntimeError(f"{type(err).__name__}: {err}")))
        send.send_bytes(data)
        send.close()

    proc = ctx.Process(target=child, name="analysis-load")
    proc.start()
    send.close()
    try:
        while True:
            data = receive.recv_bytes()
            status, value = pickle.loads(data)
            del data
            if status != "progress":
                break
            if progress is not None:
                progress(*value)
    except EOFError:
        proc.join()
        raise RuntimeError(f"the process reading the reports ended without a result "
                           f"(exit code {proc.exitcode})") from None
    except BaseException:         # interrupted: the child (and its workers) end now
        proc.terminate()
        proc.join(5)
        raise
    finally:
        receive.close()
    proc.join()
    if status == "input":
        raise InputProblem(*value[:3], code=value[3])
    if status == "error":
        raise value
    return value


def _check_periods(periods) -> list[str]:
    from analysis.metadata import parse_period

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


def _load_periods(raw: Path, manifest: Path | None, out_dir: Path, periods: list[str],
                  today, bar, jobs):
    """Load what a rebuild of some periods needs: the files that are new or
    changed, or whose report was of one of those periods; keep those periods' reports."""
    from analysis.load import _list_inputs, read_manifest

    try:
        stored = read_table("reports", out_dir, columns=["doc_id", "period", "sha256"])
    except TableMissing:
        raise InputProblem(out_dir, "there are no tables to rebuild a period of",
                           "run a full build first (without --period)", code="missing") from None
    stored_period = {d: _none(p) for d, p in zip(stored["doc_id"], stored["period"])}
    period_of_sha = {s: _none(p) for s, p in zip(stored["sha256"], stored["period"])}
    named = {}
    if manifest is not None:
        mdir = manifest.resolve().parent
        named = {(mdir / r["file"]).resolve(): r for r in read_manifest(manifest).to_dict("records")}
    wanted = set(periods)
    chosen = []
    for path, _ in _list_inputs(raw):
        rec = named.get(path.resolve()) or {}
        if rec.get("period") and str(rec["period"]).strip().upper() in wanted:
            chosen.append(path)
            continue
        try:
            sha = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            chosen.append(path)          # the loader says what is wrong with it
            continue
        if sha not in period_of_sha or period_of_sha[sha] in wanted:
            chosen.append(path)
    loaded = _apart(load_reports, chosen, manifest, today=today, progress=bar.phase("reading"),
                    jobs=jobs, known=_known_files(out_dir))
    all_reports = loaded.reports
    keep = all_reports["period"].isin(wanted).fillna(False).to_numpy(bool)
    messages = []
    kept_docs = set(all_reports.loc[keep, "doc_id"])
    shown = dict(zip(all_reports["doc_id"], _shown_files(loaded, all_reports)))
    for doc, period in zip(all_reports.loc[~keep, "doc_id"], all_reports.loc[~keep, "period"]):
        period = _none(period)
        where = f"period {period}" if period else "no known period"
        messages.append(Message("warning", shown[doc], f"new or changed report of {where}, not of "
                                f"{', '.join(periods)}: its tables were not rebuilt; build "
                                f"{'--period ' + period if period else 'without --period'} to include it",
                                code="other_period", doc=doc))
    for doc in sorted(kept_docs):
        other = stored_period.get(doc)
        if doc in stored_period and other not in wanted:
            messages.append(Message("error", shown[doc], f"the doc id {doc!r} is already taken by a "
                                    f"report of {other or 'no known period'}; give this file another "
                                    "doc id in the manifest (column doc)", code="doc_id_taken",
                                    doc=doc, field="doc"))
            keep &= (all_reports["doc_id"] != doc).to_numpy(bool)
    kept_docs = set(all_reports.loc[keep, "doc_id"])
    messages = [m for m in loaded.messages if m.doc is None or m.doc in kept_docs
                or m.level == "error"] + messages
    return loaded, all_reports[keep].reset_index(drop=True), messages


def _none(v):
    return None if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) else v


def _shown_files(loaded, reports: pd.DataFrame) -> list[str]:
    by_doc = {r.doc_id: r.file for r in loaded.inputs if r.status == "loaded"}
    return [by_doc.get(d, d) for d in reports["doc_id"]]
