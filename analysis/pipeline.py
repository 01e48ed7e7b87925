r"""The one pipeline runner: each report read, described, extracted, assigned and observed.

Everything that runs the pipeline calls this module: the build (full or of
some periods), :func:`read_corpus` (notebooks, doctests, tests), the
benchmarks and the command line. It has two steps.

* **The per-file step** (:func:`process_files`, one file:
  :func:`process_file`) is a pure function of the files' bytes: each file is
  read and decoded, its metadata read (:func:`analysis.load.read_file`,
  :func:`analysis.load.report_of`), its facts extracted and assigned to
  indicators and checked against the plausibility bounds
  (:func:`process_report`), and its observations made (:func:`observe`). A
  report's observations depend on nothing but that report, so the tables of
  a batch of files are those of each file put together: a batch is only how
  the work is shipped to a worker process.
* **The corpus step** (:func:`iter_batches`, :func:`run_corpus`) lists the
  inputs (:func:`analysis.load.plan_inputs`), cuts them into batches, runs the
  per-file step on N local worker processes (the workers end with the build
  however it ends) or hands the batches to a runner
  (:class:`analysis.cluster.ClusterRunner`), and decides in file order, as the
  results come back, which files are loaded and which are duplicates
  (:class:`analysis.load.Intake`). Batch results come out in file order
  whatever the number of workers, so the tables are identical for any
  ``jobs``.

A rebuild of some periods runs the same steps on a plan filtered to the files
that may be of those periods (:func:`plan_periods`), and keeps the reports of
those periods (:class:`CorpusRun`).

Examples
--------
A folder of two short reports, one of them naming no unit:

>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> _ = (folder / "ngoc-lam.txt").write_text("Báo cáo kết quả 6 tháng đầu năm 2021 của UBND phường "
...     "Ngọc Lâm, quận Long Biên.\nPhường đã cấp 28 giấy chứng nhận quyền sử dụng đất.", encoding="utf-8")
>>> _ = (folder / "khong-ro.txt").write_text("Báo cáo kết quả 6 tháng đầu năm 2021.\n"
...     "Đã cấp 14 giấy chứng nhận quyền sử dụng đất.", encoding="utf-8")
>>> corpus = read_corpus(folder)
>>> corpus.reports[["doc_id", "unit_name", "period"]].values.tolist()
[['khong-ro', <NA>, '2021-H1'], ['ngoc-lam', 'Ngọc Lâm', '2021-H1']]
>>> sorted(corpus.facts["value"]), sorted(set(corpus.observations["doc_id"]))
([14.0, 28.0], ['ngoc-lam'])
"""
from __future__ import annotations

import hashlib
import math
import os
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Iterator, NamedTuple

import pandas as pd
from tqdm import tqdm

from analysis import paths, schema
from analysis.extract import extract_facts
from analysis.indicators import assign_indicators
from analysis.load import (
    LIMITS,
    FileRead,
    InputFile,
    InputFiles,
    InputPlan,
    InputRecord,
    InputRecords,
    Intake,
    LoadResult,
    Message,
    limit,
    ordered_in_workers,
    plan_inputs,
    read_file,
    report_of,
    trim_heap,
)
from analysis.observations import build_observations
from analysis.rules import read_rules

__all__ = [
    "facts_for_report", "ReportJob", "ReportOutput", "process_report",
    "Bound", "plausibility_bounds", "bound_for",
    "observe", "BatchOutput", "process_batch",
    "FileTask", "FilesOutput", "process_files", "process_file",
    "BatchResult", "Progress", "iter_batches", "plan_periods", "CorpusRun", "CorpusResult", "run_corpus",
    "Corpus", "read_corpus",
]


# --------------------------------------------------------------------------
# One report's text: facts, indicators, plausibility
# --------------------------------------------------------------------------

def facts_for_report(text: str, doc_id: str) -> list[dict]:
    """Return the facts of one report's normalised text, with their indicators.

    :func:`analysis.extract.extract_facts` then
    :func:`analysis.indicators.assign_indicators`.

    Parameters
    ----------
    text : str
        The report's normalised text.
    doc_id : str
        Its doc id (the facts' ids start with it).

    Returns
    -------
    list of dict
        One record per fact, with ``indicator_id`` where a cue matched.

    Examples
    --------
    >>> facts = facts_for_report("Có 5209/5318 hộ đăng ký gia đình văn hóa.", "thach-ban-2021-h1")
    >>> [(f["raw"], f["numerator"], f["denominator"]) for f in facts]
    [('5209/5318', 5209.0, 5318.0)]
    """
    return assign_indicators(extract_facts(text, doc_id), text)


@dataclass(frozen=True)
class ReportJob:
    """One report to process: its id, normalised text, the file shown in messages, its unit's level."""

    doc_id: str
    text: str
    file: str
    unit_level: str | None = None


@dataclass(frozen=True)
class ReportOutput:
    """What :func:`process_report` gives back for one report."""

    doc_id: str
    facts: list[dict]
    messages: list[Message]


@dataclass(frozen=True)
class Bound:
    """What a value of one unit and kind can be for a unit of one level (a row of ``plausibility.csv``)."""

    unit: str
    kind: str | None
    unit_level: str | None
    low: float
    high: float
    note: str


@lru_cache(maxsize=4)
def _bounds_of(path: str, stamp) -> tuple[Bound, ...]:
    folder = Path(path).parent
    out = []
    for i, r in enumerate(read_rules(Path(path).stem, folder=folder), start=2):
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
    """Return the bounds of ``analysis/rules/plausibility.csv`` (read again when the file changes).

    Parameters
    ----------
    path : path, optional
        Another bounds table of the same columns.

    Returns
    -------
    tuple of Bound
        One per row of the table.

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
    """Return the most specific bound for a value.

    Its unit with its kind and level, then its kind, then its level, then the unit alone.

    Parameters
    ----------
    bounds : iterable of Bound
        As :func:`plausibility_bounds` gives them.
    unit, kind : str
        The value's unit and kind of fact.
    unit_level : str or None
        The level of the report's unit (``ward``, ``district``…).

    Returns
    -------
    Bound or None
        ``None`` when no bound applies.

    Examples
    --------
    >>> bound_for(plausibility_bounds(), "percent", "rate", "ward").unit
    'percent'
    """
    best, rank = None, -1
    for b in bounds:
        if b.unit != unit or (b.kind and b.kind != kind) or (b.unit_level and b.unit_level != unit_level):
            continue
        r = 2 * (b.kind is not None) + (b.unit_level is not None)
        if r > rank:
            best, rank = b, r
    return best


def _implausible(row: dict, unit_level, bounds, known: dict) -> Bound | None:
    key = (row["unit"], row["kind"])
    b = known[key] if key in known else known.setdefault(key, bound_for(bounds, row["unit"], row["kind"], unit_level))
    if b is not None and not (b.low <= row["value"] <= b.high):
        return b
    return None


def _show(v: float) -> str:
    return f"{v:,.0f}" if abs(v) < 1e15 and float(v).is_integer() else f"{v:g}"


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
    """Extract one report's facts and say what went wrong.

    A pure function of the job (no files, no globals written), safe to run in
    worker processes. An extractor failure on one report becomes an ``error``
    message for that report, not a failed build; a report with no statistics
    gets a warning; a value beyond the plausibility bounds is kept, marked
    ``is_implausible``, with a warning.

    Parameters
    ----------
    job : ReportJob
        The report's id, normalised text, file and unit level.

    Returns
    -------
    ReportOutput
        Its fact records (columns of :data:`analysis.schema.FACTS`) and messages.

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
    except Exception as e:  # noqa: BLE001 - one report must not stop a build of thousands
        return ReportOutput(job.doc_id, [], [Message(
            "error", job.file, f"fact extraction failed ({type(e).__name__}: {e}); its facts are "
            "left out — keep the file and report the problem with it", code="extract_failed",
            doc=job.doc_id)])
    facts, dropped = [], []
    names = schema.FACTS.names
    known: dict = {}              # (unit, kind) -> its bound, for this report's level
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
        bound = _implausible(row, job.unit_level, bounds, known)
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
# Observations of reports already loaded
# --------------------------------------------------------------------------

def _none(v):
    return None if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) else v


def _concat(parts: list[pd.DataFrame], empty: pd.DataFrame) -> pd.DataFrame:
    parts = [p for p in parts if len(p)]
    if not parts:
        return empty
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]


def _facts_frame(records: list[dict]) -> pd.DataFrame:
    if not records:
        return schema.empty_frame(schema.FACTS)
    return schema.validate(pd.DataFrame.from_records(records, columns=schema.FACTS.names), schema.FACTS)


def _reports_frame(rows: list[dict]) -> pd.DataFrame:
    if not rows:
        return schema.empty_frame(schema.REPORTS)
    return schema.validate(pd.DataFrame.from_records(rows, columns=schema.REPORTS.names), schema.REPORTS)


def observe(facts: pd.DataFrame, reports: pd.DataFrame) -> pd.DataFrame:
    r"""Return the observations of reports' facts: the pipeline's last per-report stage.

    Only a report with a unit and a period has observations (its facts are
    kept all the same); a fact's ``is_implausible`` mark follows it into its
    observation. Each report's observations depend on that report alone.

    Parameters
    ----------
    facts : DataFrame
        Facts of :data:`analysis.schema.FACTS` (``is_implausible`` optional).
    reports : DataFrame
        The rows of the reports table those facts come from.

    Returns
    -------
    DataFrame
        Validated against :data:`analysis.schema.OBSERVATIONS`.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "khong-ro.txt"
    >>> _ = path.write_text("Báo cáo kết quả 6 tháng đầu năm 2021.\n"
    ...     "Đã cấp 14 giấy chứng nhận quyền sử dụng đất.", encoding="utf-8")
    >>> out = process_file(path)
    >>> list(out.batch.facts["value"]), len(observe(out.batch.facts, out.reports))
    ([14.0], 0)
    >>> placed = out.reports.assign(unit_name="Ngọc Lâm")
    >>> observe(out.batch.facts, placed)[["unit_name", "period", "value"]].values.tolist()
    [['Ngọc Lâm', '2021-H1', 14.0]]
    """
    placed = reports[reports["unit_name"].notna() & reports["period"].notna()]
    facts = facts[facts["doc_id"].isin(set(placed["doc_id"]))].reset_index(drop=True)
    obs = build_observations(facts, placed.reset_index(drop=True))
    if "is_implausible" in facts.columns:     # the mark follows the fact into its observation
        at = pd.Index(facts["fact_id"]).get_indexer(obs["fact_id"])
        obs = obs.assign(is_implausible=facts["is_implausible"].astype("boolean").array.take(at, allow_fill=True))
    return schema.validate(obs, schema.OBSERVATIONS)


@dataclass(frozen=True)
class BatchOutput:
    """Facts, observations and messages of a batch of reports (:func:`process_batch`)."""

    facts: pd.DataFrame
    observations: pd.DataFrame
    messages: list[Message]


def process_batch(reports: pd.DataFrame, files: list[str] | None = None) -> BatchOutput:
    r"""Return the facts and observations of reports already loaded.

    Each report's facts come from :func:`process_report`, its observations
    from :func:`observe`, which looks at no other report: whatever way the
    reports are cut into batches, the batches' tables put together are the
    tables of the whole.

    Parameters
    ----------
    reports : DataFrame
        Rows of the reports table (:data:`analysis.schema.REPORTS`, ``text`` included).
    files : list of str, optional
        The file shown in messages for each row (default: its doc id).

    Returns
    -------
    BatchOutput
        The rows' facts, observations and messages.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "bo-de.txt").write_text("Báo cáo kết quả 9 tháng đầu năm 2022 của UBND phường Bồ Đề, "
    ...     "quận Long Biên.\nTổng thu ngân sách đạt 12.877.755.000 đồng.", encoding="utf-8")
    >>> out = process_batch(read_corpus(folder).reports)
    >>> list(out.facts["value"]), sorted(set(out.observations["unit_name"])), out.messages
    ([12877755000.0], ['Bồ Đề'], [])
    """
    files = list(reports["doc_id"]) if files is None else list(files)
    outputs = [process_report(ReportJob(d, t, f, _none(lv)))
               for d, t, f, lv in zip(reports["doc_id"], reports["text"], files, reports["unit_level"])]
    facts = _facts_frame([f for o in outputs for f in o.facts])
    return BatchOutput(facts, observe(facts, reports), [m for o in outputs for m in o.messages])


# --------------------------------------------------------------------------
# The per-file step
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class FileTask:
    """Files to run through the per-file step in one worker task.

    ``mshown`` is the manifest as messages name it; ``limits`` the driver's
    input limits as ``(environment variable, value)`` pairs, set while the
    files are read (a cluster's workers do not share the driver's environment).
    """

    inputs: tuple[InputFile, ...]
    mshown: str
    today: date
    limits: tuple = ()


@dataclass(frozen=True)
class FilesOutput:
    """What :func:`process_files` gives back, one item per input in ``reads``, ``said`` and ``at``.

    ``reads``: how each file was read (its text left out); ``said``: for a
    file read without problem, the messages about its row (else None);
    ``at``: the position of its row in ``reports`` (None for a file with a
    problem, or whose doc id an earlier file of the task has: such a row is in
    ``spare``, by input). ``batch`` holds the facts, observations and
    extraction messages of the rows of ``reports``; ``seconds`` the time spent
    reading and extracting.
    """

    reads: list[FileRead]
    said: list
    at: list
    reports: pd.DataFrame
    spare: dict
    batch: BatchOutput
    seconds: tuple[float, float]


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


def process_files(task: FileTask) -> FilesOutput:
    r"""Read, describe, extract, assign and observe a batch of files: one worker's task.

    A pure function of the files' bytes. Which files are duplicates of files
    in other tasks is decided after, in order, by the corpus step
    (:class:`analysis.load.Intake`); the tables of a file it leaves out are
    dropped then.

    Parameters
    ----------
    task : FileTask
        The files, the manifest's name, today's date and the input limits.

    Returns
    -------
    FilesOutput
        Each file's read, its report row and its facts, observations and messages.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "a.txt").write_text("Báo cáo kết quả 6 tháng đầu năm 2021 của UBND phường Ngọc Lâm, "
    ...     "quận Long Biên.\nPhường đã cấp 28 giấy chứng nhận quyền sử dụng đất.", encoding="utf-8")
    >>> _ = (folder / "b.txt").write_bytes(b"")
    >>> plan = plan_inputs(folder, None)
    >>> out = process_files(FileTask(tuple(plan.inputs), plan.mshown, date(2026, 1, 1)))
    >>> list(out.reports["unit_name"]), out.at, out.reads[1].problem[2]
    (['Ngọc Lâm'], [0, None], 'empty')
    """
    with _environment(task.limits):
        clock = time.perf_counter()
        reads, said, at, rows, spare, seen = [], [], [], [], {}, set()
        for k, inp in enumerate(task.inputs):
            got = read_file(inp.path)
            reads.append(replace(got, text=None))
            if got.problem is not None:
                said.append(None)
                at.append(None)
                continue
            row, messages = report_of(inp, got, task.mshown, task.today)
            said.append(messages)
            if inp.doc_id in seen:
                spare[k] = row
                at.append(None)
            else:
                seen.add(inp.doc_id)
                at.append(len(rows))
                rows.append(row)
        shown = [inp.shown for inp, pos in zip(task.inputs, at) if pos is not None]
        reports = _reports_frame(rows)
        del rows
        read = time.perf_counter() - clock
        batch = process_batch(reports, shown)
        return FilesOutput(reads, said, at, reports, spare, batch, (read, time.perf_counter() - clock - read))


def process_file(path: str | os.PathLike, doc_id: str | None = None, today: date | None = None) -> FilesOutput:
    r"""Run the per-file step on one file: :func:`process_files` of a task of one.

    Parameters
    ----------
    path : path
        The report file.
    doc_id : str, optional
        Its doc id (default: the file name without its suffix).
    today : date, optional
        The date periods must not start after (default: today).

    Returns
    -------
    FilesOutput
        Its read, its report row, facts, observations and messages.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "ngoc-lam.txt"
    >>> _ = path.write_text("Báo cáo kết quả 6 tháng đầu năm 2021 của UBND phường Ngọc Lâm, quận Long Biên.\n"
    ...     "Phường đã cấp 28 giấy chứng nhận quyền sử dụng đất.", encoding="utf-8")
    >>> out = process_file(path)
    >>> list(out.reports["period"]), list(out.batch.observations["value"]), out.said[0]
    (['2021-H1'], [28.0], [])
    """
    plan = plan_inputs(Path(path), None)
    inputs = tuple(replace(i, doc_id=doc_id) if doc_id else i for i in plan.inputs)
    return process_files(FileTask(inputs, plan.mshown, today or date.today()))


# --------------------------------------------------------------------------
# Progress
# --------------------------------------------------------------------------

class Progress:
    """Progress bars on stderr (tqdm): on a terminal, or anywhere when asked.

    Parameters
    ----------
    show : bool or "always"
        ``True``: bars when stderr is a terminal (tests and CI logs stay
        clean); ``"always"``: bars even when it is not; ``False``: none.
    """

    def __init__(self, show: bool | str = True):
        stream = sys.stderr
        self.enabled = show == "always" or (bool(show) and stream.isatty())
        self._bars: list = []

    def phase(self, name: str, total: int):
        """Return ``report(i, n, label)`` moving the bar ``name`` to ``i`` of ``total``."""
        if not self.enabled:
            return lambda i, n, label: None
        bar = tqdm(total=total, desc=name, unit="file", file=sys.stderr, position=len(self._bars),
                   leave=True, dynamic_ncols=True)
        self._bars.append(bar)

        def report(i: int, n: int, label: str) -> None:
            if i > bar.n:
                bar.update(i - bar.n)
            if i >= total:
                bar.close()
        return report

    def note(self, line: str) -> None:
        """Write one line of progress (e.g. which cluster the build runs on)."""
        if self.enabled:
            tqdm.write(line, file=sys.stderr)

    def close(self) -> None:
        """Close the bars still open (a build that stopped early)."""
        for bar in self._bars:
            bar.close()


# --------------------------------------------------------------------------
# The corpus step
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class BatchResult:
    """The reports a batch of files adds to the corpus, after the file-order decisions.

    ``reports`` are the rows of the files loaded (not duplicates, not failed),
    ``files`` the file shown for each; ``facts``, ``observations`` and
    ``messages`` (extraction messages) are theirs only.
    """

    reports: pd.DataFrame
    files: list[str]
    facts: pd.DataFrame
    observations: pd.DataFrame
    messages: list[Message]


def _batch_size(n: int, workers: int) -> int:
    """Files per batch: enough to keep workers busy, few enough to bound memory."""
    return max(1, min(96, math.ceil(n / max(1, workers * 4))))


def iter_batches(plan: InputPlan, intake: Intake, today: date, jobs: int = 1, runner=None,
                 progress: Progress | None = None, seconds: list | None = None) -> Iterator[BatchResult]:
    """Run the per-file step over a plan and yield each batch's loaded reports, in file order.

    Workers read and process batches of files (:func:`process_files`); here,
    in file order as results come back, ``intake`` decides which files are
    loaded, and the tables of those are yielded. The output does not depend
    on ``jobs`` or the runner.

    Parameters
    ----------
    plan : InputPlan
        The files, as :func:`analysis.load.plan_inputs` lists them.
    intake : Intake
        The loader's decisions on the plan; its messages and inputs say what
        became of each file once the iteration is over.
    today : date
        The date periods must not start after.
    jobs : int
        Local worker processes (``0``: one per core; ``1``: here).
    runner : ClusterRunner, optional
        Runs the batches instead (``map_in_order(fn, items)``, ``n_workers``);
        its workers open the files by their absolute paths.
    progress : Progress, optional
        Bars for reading and extracting.
    seconds : list, optional
        Two numbers the seconds workers spent reading and extracting are added to.

    Yields
    ------
    BatchResult
        One per batch, in file order.
    """
    inputs = plan.inputs
    n = len(inputs)
    workers = runner.n_workers if runner is not None else (jobs if jobs > 0 else (os.cpu_count() or 1))
    size = _batch_size(n, workers)
    bounds = [(a, min(a + size, n)) for a in range(0, n, size)]
    limits = () if runner is None else tuple((lim.env, str(limit(name))) for name, lim in LIMITS.items())

    def task(a: int, b: int) -> FileTask:
        files = inputs[a:b] if runner is None else [replace(i, path=i.path.absolute(), folder=i.folder.absolute())
                                                    for i in inputs[a:b]]
        return FileTask(tuple(files), plan.mshown, today, limits)
    # each task is made as it is sent, not for every file at once (the plan's files as objects
    # take about 800 bytes a file; a cluster's absolute paths as many again)
    work = _Tasks(bounds, task)
    progress = progress or Progress(False)
    reading, extracting = progress.phase("reading", n), progress.phase("extracting", n)
    seconds = seconds if seconds is not None else [0.0, 0.0]
    results = (runner.map_in_order(process_files, work) if runner is not None
               else ordered_in_workers(process_files, work, jobs))
    for (a, b), out in zip(bounds, results):
        these = inputs[a:b]
        kept = []                                   # indices in the batch of the files loaded
        for k in range(b - a):
            said_k = out.said[k]
            if intake.add(these[k], out.reads[k], None if said_k is None else (None, said_k)):
                kept.append(k)
            reading(a + k + 1, n, these[k].shown)
        seconds[0] += out.seconds[0]
        seconds[1] += out.seconds[1]
        rows = [out.at[k] for k in kept if out.at[k] is not None]
        late = [k for k in kept if out.at[k] is None]
        batch = out.batch
        parts = [out.reports if len(rows) == len(out.reports) else out.reports.iloc[rows]]
        files = [these[k].shown for k in kept if out.at[k] is not None]
        if len(rows) != len(out.reports):
            keep = set(out.reports["doc_id"].iloc[rows])
            batch = BatchOutput(batch.facts[batch.facts["doc_id"].isin(keep)].reset_index(drop=True),
                                batch.observations[batch.observations["doc_id"].isin(keep)]
                                .reset_index(drop=True),
                                [m for m in batch.messages if m.doc in keep])
        if late:      # loaded, though an earlier file of its batch had its doc id
            clock = time.perf_counter()
            extra = _reports_frame([out.spare[k] for k in late])
            parts.append(extra)
            files.extend(these[k].shown for k in late)
            both = [batch, process_batch(extra, [these[k].shown for k in late])]
            batch = BatchOutput(_concat([p.facts for p in both], both[0].facts),
                                _concat([p.observations for p in both], both[0].observations),
                                [m for p in both for m in p.messages])
            seconds[1] += time.perf_counter() - clock
        reports = parts[0] if len(parts) == 1 else _concat(parts, parts[0])
        yield BatchResult(reports, files, batch.facts, batch.observations, batch.messages)
        extracting(b, n, these[-1].shown)
        del these


class _Tasks:
    """The tasks of the batches ``bounds``, each made by ``make(a, b)`` as it is sent: ``len`` and iteration."""

    def __init__(self, bounds: list, make):
        self.bounds, self.make = bounds, make

    def __len__(self) -> int:
        return len(self.bounds)

    def __iter__(self):
        return (self.make(a, b) for a, b in self.bounds)


def _stored_periods(stored: pd.DataFrame | None) -> tuple[dict, dict]:
    if stored is None:
        return {}, {}
    by_doc = {d: _none(p) for d, p in zip(stored["doc_id"], stored["period"])}
    by_sha = {s: _none(p) for s, p in zip(stored["sha256"], stored["period"])}
    return by_doc, by_sha


def plan_periods(plan: InputPlan, periods: list[str], stored: pd.DataFrame) -> InputPlan:
    """Filter a plan to the files a rebuild of some periods must read.

    Those the manifest gives one of the periods, and those that are new or
    changed since the previous build (``stored``) or whose report was of one
    of the periods. A file that cannot be read stays (the loader says what is
    wrong with it).

    Parameters
    ----------
    plan : InputPlan
        The plan of the whole raw folder.
    periods : list of str
        Period codes.
    stored : DataFrame
        The previous build's reports (``doc_id``, ``period``, ``sha256``).

    Returns
    -------
    InputPlan
        The same plan, with fewer inputs.
    """
    _, period_of_sha = _stored_periods(stored)
    wanted = set(periods)
    chosen = []
    for inp in plan.inputs:
        rec = inp.rec or {}
        if rec.get("period") and str(rec["period"]).strip().upper() in wanted:
            chosen.append(inp)
            continue
        try:
            sha = hashlib.sha256(inp.path.read_bytes()).hexdigest()
        except OSError:
            chosen.append(inp)
            continue
        if sha not in period_of_sha or period_of_sha[sha] in wanted:
            chosen.append(inp)
    return replace(plan, inputs=InputFiles(chosen))


class CorpusRun:
    """One run of the corpus step: iterate over it for the batch results, in file order.

    Once the iteration is over, :attr:`messages` holds the loader's messages
    (for a rebuild of some periods: those about the reports kept, and every
    error), then those of the period selection, then each report's extraction
    messages in doc-id order; :attr:`inputs` what became of each input
    (:attr:`records` the same, held compactly); :attr:`seconds` the time the
    workers spent ``reading`` and ``extracting``. Nothing is kept here of a
    report without messages (for some periods: its doc id).

    Parameters
    ----------
    source, manifest, today, jobs, runner, known, progress, periods, stored
        As :func:`run_corpus` takes them.
    """

    def __init__(self, source=paths.RAW, manifest: str | os.PathLike | None = None, *,
                 today: date | None = None, jobs: int = 1, runner=None, known: frozenset = frozenset(),
                 progress: bool | str | Progress = False, periods: list[str] | None = None,
                 stored: pd.DataFrame | None = None):
        self.today = today or date.today()
        plan = plan_inputs(source, manifest, known)
        if periods is not None:
            plan = plan_periods(plan, periods, stored)
        self.plan = plan
        trim_heap()                    # the listing's objects are gone: its pages go back to the system
        self.periods = list(periods) if periods is not None else None
        self._stored_period = _stored_periods(stored)[0]
        self.jobs, self.runner = jobs, runner
        self.progress = progress if isinstance(progress, Progress) else Progress(progress)
        self.intake = Intake(plan, self.today)
        self._seconds = [0.0, 0.0]
        self._kept: set[str] = set()     # the doc ids kept, for a rebuild of some periods
        self._said: dict[str, list[Message]] = {}
        self._other: list[tuple[str, Message]] = []
        self._taken: list[tuple[str, Message]] = []

    def __iter__(self) -> Iterator[BatchResult]:
        """Yield each batch's loaded (and, for some periods, kept) reports and their tables."""
        for batch in iter_batches(self.plan, self.intake, self.today, self.jobs, self.runner,
                                  self.progress, self._seconds):
            if self.periods is not None:
                batch = self._select(batch)
                self._kept.update(batch.reports["doc_id"])
            for m in batch.messages:
                self._said.setdefault(m.doc, []).append(m)
            yield batch

    def _select(self, batch: BatchResult) -> BatchResult:
        """Keep the reports of the periods rebuilt; note a message for each other new report."""
        wanted = set(self.periods)
        reports = batch.reports
        keep = reports["period"].isin(wanted).fillna(False).to_numpy(bool)
        shown = dict(zip(reports["doc_id"], batch.files))
        for doc, period in zip(reports.loc[~keep, "doc_id"], reports.loc[~keep, "period"]):
            period = _none(period)
            where = f"period {period}" if period else "no known period"
            self._other.append((doc, Message(
                "warning", shown[doc], f"new or changed report of {where}, not of {', '.join(self.periods)}: "
                f"its tables were not rebuilt; build "
                f"{'--period ' + period if period else 'without --period'} to include it",
                code="other_period", doc=doc)))
        for doc in reports.loc[keep, "doc_id"]:
            other = self._stored_period.get(doc)
            if doc in self._stored_period and other not in wanted:
                self._taken.append((doc, Message(
                    "error", shown[doc], f"the doc id {doc!r} is already taken by a report of "
                    f"{other or 'no known period'}; give this file another doc id in the manifest "
                    "(column doc)", code="doc_id_taken", doc=doc, field="doc")))
                keep &= (reports["doc_id"] != doc).to_numpy(bool)
        if keep.all():
            return batch
        kept = set(reports.loc[keep, "doc_id"])
        return BatchResult(reports[keep].reset_index(drop=True),
                           [f for f, k in zip(batch.files, keep) if k],
                           batch.facts[batch.facts["doc_id"].isin(kept)].reset_index(drop=True),
                           batch.observations[batch.observations["doc_id"].isin(kept)].reset_index(drop=True),
                           [m for m in batch.messages if m.doc in kept])

    @property
    def inputs(self) -> list[InputRecord]:
        """What became of each input file."""
        return self.intake.inputs

    @property
    def records(self) -> InputRecords:
        """What became of each input file, as :class:`analysis.load.InputRecords` (a list made when read)."""
        return self.intake.records

    @property
    def load_messages(self) -> list[Message]:
        """The loader's messages (for some periods: about the reports kept, and every error)."""
        if self.periods is None:
            return list(self.intake.messages)
        return [m for m in self.intake.messages if m.doc is None or m.doc in self._kept or m.level == "error"]

    @property
    def messages(self) -> list[Message]:
        """The loader's, the period selection's, then the extraction messages by doc id."""
        chosen = [m for _, m in sorted(self._other, key=lambda p: p[0])] + \
            [m for _, m in sorted(self._taken, key=lambda p: p[0])]
        return self.load_messages + chosen + [m for d in sorted(d for d in self._said if d is not None)
                                              for m in self._said[d]]

    @property
    def seconds(self) -> dict:
        """Seconds the workers spent reading and extracting."""
        return {"reading": self._seconds[0], "extracting": self._seconds[1]}


@dataclass
class CorpusResult:
    """The tables of a corpus and what became of each input (:func:`run_corpus`).

    ``reports`` is sorted by doc id, ``files`` gives the file shown for each
    of its rows; ``facts`` and ``observations`` are in file order; the rest
    is as :class:`CorpusRun` says it.
    """

    reports: pd.DataFrame
    facts: pd.DataFrame
    observations: pd.DataFrame
    messages: list[Message]
    inputs: list[InputRecord]
    files: list[str]
    load_messages: list[Message] = field(default_factory=list)
    seconds: dict = field(default_factory=dict)

    @property
    def loaded(self) -> LoadResult:
        """The reports with the loader's messages and inputs, as :func:`analysis.load.load_reports` gives them."""
        return LoadResult(self.reports, self.load_messages, self.inputs)


def run_corpus(source=paths.RAW, manifest: str | os.PathLike | None = None, *, today: date | None = None,
               jobs: int = 1, runner=None, known: frozenset = frozenset(), progress: bool | str | Progress = False,
               periods: list[str] | None = None, stored: pd.DataFrame | None = None) -> CorpusResult:
    r"""Run the whole pipeline over a folder of reports and put the batches together, in memory.

    Parameters
    ----------
    source : path or list of paths
        A folder of reports (read recursively), a file, or a list of both.
    manifest : path, optional
        The manifest ``reports.csv`` (:func:`analysis.load.read_manifest`); ``None`` for none.
    today : date, optional
        The date periods must not start after (default: today).
    jobs : int
        Local worker processes (``0``: one per core); the result does not depend on it.
    runner : ClusterRunner, optional
        Runs the batches on a cluster instead (:mod:`analysis.cluster`).
    known : frozenset
        Files (relative to their folder) loaded by an earlier build: of two
        copies, the one loaded before keeps its doc id.
    progress : bool, "always" or Progress
        Progress bars on stderr (:class:`Progress`).
    periods : list of str, optional
        Keep only the reports of these periods, reading only the files that
        may be of them (:func:`plan_periods`); needs ``stored``.
    stored : DataFrame, optional
        The previous build's reports (``doc_id``, ``period``, ``sha256``).

    Returns
    -------
    CorpusResult
        The reports (sorted by doc id), facts and observations, with the messages.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> text = ("Báo cáo kết quả 6 tháng đầu năm 2021 của UBND phường Ngọc Lâm, quận Long Biên.\n"
    ...         "Phường đã cấp 28 giấy chứng nhận quyền sử dụng đất.")
    >>> for name in ("ngoc-lam.txt", "ban-sao.txt"):
    ...     _ = (folder / name).write_text(text, encoding="utf-8")
    >>> result = run_corpus(folder)
    >>> list(result.reports["doc_id"]), [(r.file[-12:], r.status) for r in result.inputs]
    (['ban-sao'], [('/ban-sao.txt', 'loaded'), ('ngoc-lam.txt', 'duplicate')])
    """
    run = CorpusRun(source, manifest, today=today, jobs=jobs, runner=runner, known=known, progress=progress,
                    periods=periods, stored=stored)
    report_parts, file_parts, facts_parts, obs_parts = [], [], [], []
    for batch in run:
        report_parts.append(batch.reports)
        file_parts.extend(batch.files)
        facts_parts.append(batch.facts)
        obs_parts.append(batch.observations)
    # the reports table as the loader makes it: every loaded row, sorted by doc id
    reports = _concat(report_parts, schema.empty_frame(schema.REPORTS))
    del report_parts
    order = reports["doc_id"].argsort(kind="stable").to_numpy()
    reports = schema.validate(reports.iloc[order], schema.REPORTS)
    files = [file_parts[i] for i in order]
    facts = _concat(facts_parts, schema.empty_frame(schema.FACTS))
    del facts_parts
    observations = _concat(obs_parts, observe(facts.iloc[0:0], reports.iloc[0:0]))
    del obs_parts
    return CorpusResult(reports, facts, observations, run.messages, run.inputs, files,
                        load_messages=run.load_messages, seconds=run.seconds)


# --------------------------------------------------------------------------
# A folder in memory
# --------------------------------------------------------------------------

class Corpus(NamedTuple):
    """The three tables of a folder of reports, built in memory."""

    reports: pd.DataFrame
    facts: pd.DataFrame
    observations: pd.DataFrame


@lru_cache(maxsize=4)
def _read_corpus(folder: str, stamp: tuple) -> Corpus:
    manifest = Path(folder) / paths.MANIFEST.name
    result = run_corpus(Path(folder), manifest if manifest.is_file() else None)
    return Corpus(result.reports, result.facts, result.observations)


def read_corpus(folder: Path | str | None = None) -> Corpus:
    r"""Load, extract and observe a folder of reports in memory (no files written).

    The same steps as the build (:func:`run_corpus`), for notebooks, doctests
    and tests that want the tables of the bundled reports without a processed
    dataset. Results are cached per folder until a file in it changes; each
    call returns copies.

    Parameters
    ----------
    folder : path, optional
        A folder of reports with an optional ``reports.csv`` manifest
        (default ``data/raw``).

    Returns
    -------
    Corpus
        ``reports``, ``facts`` and ``observations``.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "ngoc-lam.txt").write_text("Báo cáo kết quả 6 tháng đầu năm 2021 của UBND phường "
    ...     "Ngọc Lâm, quận Long Biên.\nPhường đã cấp 28 giấy chứng nhận quyền sử dụng đất.", encoding="utf-8")
    >>> corpus = read_corpus(folder)
    >>> corpus.observations[["unit_name", "period", "value"]].values.tolist()
    [['Ngọc Lâm', '2021-H1', 28.0]]
    """
    folder = Path(folder) if folder is not None else paths.RAW
    stamp = tuple(sorted((str(p), p.stat().st_mtime_ns, p.stat().st_size)
                         for p in folder.rglob("*") if p.is_file()))
    tables = _read_corpus(str(folder), stamp)
    return Corpus(*(t.copy() for t in tables))
