"""Command line: ``python -m analysis extract|reports|build|period-reports``.

Expected problems (a file that cannot be read, a bad manifest, a build that
``--strict`` refuses) are one line on stderr naming the file and the fix, never a
traceback. Exit codes: 0 success, 1 a build that wrote nothing, 2 bad input.

Examples
--------
What the metadata reader makes of a bundled report (exit code 0):

>>> main(["reports", str(paths.RAW / "thach-ban-2021-h1.txt")])
{"doc": "thach-ban-2021-h1", "unit_name": "Thạch Bàn", "unit_level": "ward", "parent": "Long Biên",
 "city": "Hà Nội", "period": "2021-H1", "published": "2021-07-16", "doc_kind": "results",
 "programs": ["02-CTr/QU"]}
0
"""
from __future__ import annotations

import argparse
import csv
import json
import math
import os
import signal
import sys
from pathlib import Path

import pandas as pd

from analysis import paths
from analysis.build import BuildFailed, build
from analysis.corrections import evaluate_reviewed
from analysis.evaluate import evaluate_folder, format_evaluation
from analysis.load import LIMITS, InputProblem, limit, list_inputs, load_reports, open_document, read_manifest
from analysis.periods import parse_period
from analysis.pipeline import facts_for_report
from analysis.store import OutputProblem, TableMissing

__all__ = ["main", "FACT_FIELDS", "REPORT_FIELDS"]

#: Fields printed by ``extract``, in order.
FACT_FIELDS = ("doc", "value", "unit", "kind", "numerator", "denominator", "qualifier",
               "counted", "indicator_id", "start", "end", "quote", "raw", "section", "fact_id",
               "indicator_cue")
#: Fields printed by ``reports`` (those of ``tests/fixtures/reports.jsonl``).
REPORT_FIELDS = ("doc", "unit_name", "unit_level", "parent", "city", "period", "published",
                 "doc_kind", "programs")
EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2


def _err(line: str) -> None:
    print(line, file=sys.stderr)


def _plain(v):
    """JSON-ready value: NaN/NA/infinity → None, whole floats → int, timestamps → ISO dates."""
    if v is None:
        return None
    try:
        if v is pd.NA or v is pd.NaT:
            return None
        if isinstance(v, pd.Timestamp):
            return v.date().isoformat()
    except ImportError:  # pragma: no cover
        pass
    if hasattr(v, "item") and not isinstance(v, (list, tuple, str)):
        v = v.item()
    if isinstance(v, float):
        if not math.isfinite(v):  # strict JSON has no NaN or Infinity
            return None
        if v.is_integer() and abs(v) < 2 ** 53:
            return int(v)
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    return v


def _write(records: list[dict], fields: tuple[str, ...], fmt: str) -> None:
    out = sys.stdout
    if fmt == "jsonl":
        for r in records:
            out.write(json.dumps({k: _plain(r.get(k)) for k in fields}, ensure_ascii=False,
                                 allow_nan=False) + "\n")
        return
    w = csv.writer(out, lineterminator="\n")
    w.writerow(fields)
    for r in records:
        row = []
        for k in fields:
            v = _plain(r.get(k))
            row.append(";".join(map(str, v)) if isinstance(v, list) else ("" if v is None else v))
        w.writerow(row)


def _manifest_for(folder: Path, explicit: str | None) -> Path | None:
    if explicit:
        return Path(explicit)
    candidate = folder / "reports.csv"
    return candidate if candidate.exists() else None


def _groups(files: list[str], manifest: str | None) -> list[tuple[list[Path], Path | None]]:
    """Files grouped by the manifest that names them (their folder's reports.csv)."""
    groups: dict[Path, list[Path]] = {}
    for f in files:
        p = Path(f)
        folder = p if p.is_dir() else p.parent
        groups.setdefault(folder, []).append(p)
    return [(items, _manifest_for(folder, manifest)) for folder, items in groups.items()]


def _print_messages(messages, levels=("error", "warning")) -> None:
    for m in messages:
        if m.level in levels:
            _err(str(m))


def cmd_extract(args) -> int:
    records, status = [], EXIT_OK
    for items, manifest in _groups(args.files, args.manifest):
        ids = {}
        if manifest is not None:
            mdir = manifest.resolve().parent
            ids = {(mdir / r["file"]).resolve(): r["doc"] for r in read_manifest(manifest).to_dict("records")}
        for item in items:
            files = [p for p, _ in _iter_files(item)]
            for path in files:
                try:
                    text = open_document(path).text
                except InputProblem as e:
                    _err(f"error: {e}")
                    status = EXIT_BAD_INPUT
                    continue
                doc = ids.get(path.resolve(), path.stem)
                for f in facts_for_report(text, doc):
                    records.append({**f, "doc": doc})
    _write(records, FACT_FIELDS, args.format)
    return status


def _iter_files(item: Path):
    if item.is_dir():
        yield from list_inputs(item)
    else:
        yield item, item.parent


def cmd_reports(args) -> int:
    records, status = [], EXIT_OK
    for items, manifest in _groups(args.files, args.manifest):
        result = load_reports(items, manifest)
        _print_messages(result.messages)
        if any(m.level == "error" for m in result.messages):
            status = EXIT_BAD_INPUT
        for r in result.reports.to_dict("records"):
            records.append({**r, "doc": r["doc_id"]})
    _write(records, REPORT_FIELDS, args.format)
    return status


def _set_limits(pairs: list[str] | None) -> None:
    """Set each ``--limit NAME=VALUE`` for this run and its worker processes.

    Through the limit's environment variable (``analysis.load.LIMITS``).
    """
    for pair in pairs or []:
        name, _, value = pair.partition("=")
        name = name.strip().replace("-", "_")
        if name not in LIMITS or not value.strip():
            raise InputProblem(None, f"--limit {pair!r} is not NAME=VALUE with a known name",
                               f"use one of: {', '.join(LIMITS)} (e.g. --limit max_report_chars=20000000)",
                               code="limit")
        os.environ[LIMITS[name].env] = value.strip()
        limit(name)


def _sigterm_as_interrupt() -> None:
    """SIGTERM ends the build as Ctrl-C does: its temp folder removed, one line said."""
    def stop(signum, frame):
        raise KeyboardInterrupt
    try:
        signal.signal(signal.SIGTERM, stop)
    except ValueError:            # not the main thread (called from a program): leave it
        pass


def cmd_build(args) -> int:
    _set_limits(args.limit)
    _sigterm_as_interrupt()
    try:
        summary = build(raw=args.raw, out=args.out, strict=args.strict, jobs=args.jobs,
                        progress=False if args.quiet else ("always" if args.progress else True),
                        periods=args.period,
                        corrections=args.corrections, cluster=args.cluster)
    except BuildFailed as e:
        print(e.summary.format_table())
        _err(f"error: {e.reason}")
        return EXIT_FAILED
    print(summary.format_table())
    return EXIT_OK


def cmd_evaluate(args) -> int:
    if args.reviewed:
        ev = evaluate_reviewed(args.folder, args.corrections, facts_for_report)
        print(format_evaluation(ev, limit=args.limit))
        return EXIT_OK
    if args.folder is None:
        _err("error: give the annotated folder (python -m analysis evaluate DIR), or --reviewed to "
             "score against the figures analysts reviewed")
        return EXIT_BAD_INPUT
    folder = Path(args.folder)
    gold = Path(args.gold) if args.gold else folder / "gold.jsonl"
    if not gold.is_file():
        _err(f"error: {gold}: no gold facts there; put the hand-checked facts in {gold} "
             "(one JSON object per line, as in tests/fixtures/facts.jsonl) or name them with --gold")
        return EXIT_BAD_INPUT
    meta = Path(args.metadata) if args.metadata else None
    if meta is not None and not meta.is_file():
        _err(f"error: {meta}: no such file; give --metadata a reports.jsonl "
             "(as in tests/fixtures/reports.jsonl)")
        return EXIT_BAD_INPUT
    ev = evaluate_folder(folder, facts_for_report, load_reports, gold=gold, metadata=meta)
    print(format_evaluation(ev, limit=args.limit))
    return EXIT_OK


def cmd_period_reports(args) -> int:
    period = args.period.strip().upper()
    try:
        parse_period(period)
    except ValueError:
        _err(f"error: period {args.period!r} is not a period code; write it as YYYY-FY, YYYY-H1, "
             "YYYY-H2, YYYY-Q1…Q4 or YYYY-9M (e.g. --period 2021-H1)")
        return EXIT_BAD_INPUT
    try:   # imported here: an installation may leave this optional part out (said in one line)
        from analysis.period_reports import render_period_reports
    except ModuleNotFoundError as e:
        if e.name != "analysis.period_reports":
            raise
        _err("error: period reports are not part of this installation; "
             "update the analysis package (analysis/period_reports.py is missing)")
        return EXIT_FAILED
    try:
        pages = list(render_period_reports(period) or [])
    except ValueError as e:                      # no unit reports this period
        _err(f"error: {e}")
        return EXIT_BAD_INPUT
    if pages:
        folder = Path(pages[0]).parent
        print(f"{len(pages)} page(s) for {period} in {folder}")
    return EXIT_OK


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m analysis",
        description="Statistics from Hà Nội ward and district reports.")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    e = sub.add_parser("extract", help="print the facts of report files")
    e.add_argument("files", nargs="+", metavar="FILE", help="report files (.txt, .html, .docx) or folders")
    e.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
    e.add_argument("--manifest", help="manifest giving doc ids (default: reports.csv beside the files)")
    e.set_defaults(run=cmd_extract)

    r = sub.add_parser("reports", help="print each report's metadata as read, to check before building")
    r.add_argument("files", nargs="+", metavar="FILE", help="report files (.txt, .html, .docx) or folders")
    r.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
    r.add_argument("--manifest", help="manifest overriding metadata (default: reports.csv beside the files)")
    r.set_defaults(run=cmd_reports)

    b = sub.add_parser("build", help="rebuild the processed tables from the raw reports")
    b.add_argument("--strict", action="store_true", help="fail on any warning; write nothing")
    b.add_argument("--raw", default=str(paths.RAW), metavar="DIR", help="folder of reports (default data/raw)")
    b.add_argument("--out", default=None, metavar="DIR", help="folder of the tables (default data/processed)")
    b.add_argument("--jobs", type=int, default=1, metavar="N", help="worker processes (0: one per core)")
    b.add_argument("--quiet", action="store_true", help="no progress bars on stderr")
    b.add_argument("--progress", action="store_true",
                   help="progress bars on stderr even when it is not a terminal (e.g. a log)")
    b.add_argument("--cluster", metavar="ADDRESS",
                   help="read and extract on a dask.distributed cluster instead of --jobs: "
                        "tcp://host:8786 (a running scheduler; its workers must reach --raw at the "
                        "same path) or local:N (N worker processes here); see docs/scaling.md")
    b.add_argument("--period", action="append", metavar="P",
                   help="rebuild only this period (e.g. 2021-H1; repeatable); other periods' files "
                        "are left as they are")
    b.add_argument("--corrections", metavar="FILE",
                   help="analysts' corrections to apply (default corrections.csv beside the raw "
                        "folder, i.e. data/corrections.csv)")
    b.add_argument("--limit", action="append", metavar="NAME=N",
                   help="change a limit on input files for this run (e.g. max_report_chars=20000000); "
                        "see docs/robustness.md")
    b.set_defaults(run=cmd_build)

    ev = sub.add_parser("evaluate", help="score the extractor and the metadata reader on an annotated folder")
    ev.description = ("Score facts (precision, recall, F1, kind, qualifier), indicator ids and report "
                      "metadata against hand-checked gold, with the misses and false hits by cause. "
                      "E.g. python -m analysis evaluate data/raw --gold tests/fixtures/facts.jsonl "
                      "--metadata tests/fixtures/reports.jsonl")
    ev.add_argument("folder", metavar="DIR", nargs="?",
                    help="folder with gold.jsonl, optionally reports.jsonl, and the report files "
                         "(beside them or in docs/); with --reviewed, the processed tables "
                         "(default data/processed)")
    ev.add_argument("--reviewed", action="store_true",
                    help="score against the figures analysts confirmed or corrected (and where they "
                         "rejected one), as the last build applied data/corrections.csv")
    ev.add_argument("--corrections", metavar="FILE",
                    help="with --reviewed: the corrections file (default data/corrections.csv)")
    ev.add_argument("--gold", metavar="FILE", help="gold facts (default DIR/gold.jsonl)")
    ev.add_argument("--metadata", metavar="FILE",
                    help="gold report metadata (default DIR/reports.jsonl, if there)")
    ev.add_argument("--limit", type=int, default=30, metavar="N", help="examples shown per cause")
    ev.set_defaults(run=cmd_evaluate)

    pr = sub.add_parser("period-reports", help="standalone HTML reports of every unit for one period")
    pr.add_argument("--period", required=True, help="period code, e.g. 2021-H1")
    pr.set_defaults(run=cmd_period_reports)
    return p


def main(argv: list[str] | None = None) -> int:
    """Run a command; return its exit code (0 done, 1 build refused, 2 bad input).

    Examples
    --------
    >>> main(["period-reports", "--period", "2021-H3"])   # one line on stderr says why
    2
    """
    args = _parser().parse_args(argv)
    try:
        return args.run(args)
    except InputProblem as e:
        _err(f"error: {e}")
        return EXIT_BAD_INPUT
    except OutputProblem as e:
        _err(f"error: {e}")
        return EXIT_BAD_INPUT
    except TableMissing as e:
        _err(f"error: {e}")
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        _err("interrupted; the processed tables are unchanged unless the build had finished")
        return 130
    except BrokenPipeError:
        return EXIT_OK
