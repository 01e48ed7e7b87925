"""One huge report, stage by stage, to tell whether every stage is linear in the report's length.

A stray file of 1, 10 and 50 MB (the bundled reports repeated, as a pasted
export would be) is read as the build reads one report: decoding the bytes,
normalising the text, reading the metadata, extracting the facts (with their
indicators), making the observations. Each stage is timed alone; the table
gives the seconds and the seconds per MB, which stay flat when a stage is
linear. Times are CPU seconds of this process (``time.process_time``), so
that other work on the machine does not blur them. The report-size limit is raised for the run (``max_report_chars``),
since by default the build reads only the first 5 million characters of a
report and says so.

Run: ``python benchmarks/big_reports.py [--sizes 1 10 50]``; the table is
printed and written to ``benchmarks/results.md`` (section ``big-reports``).
"""
from __future__ import annotations

import argparse
import os
import time

import pandas as pd
from _results import write_section

from analysis import paths, schema
from analysis.load import decode_bytes
from analysis.metadata import read_metadata
from analysis.pipeline import ReportJob, observe, process_file, process_report
from analysis.text import normalize_text

STAGES = ("decode", "normalise", "metadata", "extract", "observations")


def big_text(mb: float) -> bytes:
    """About ``mb`` megabytes of report text: the bundled reports again and again."""
    seeds = [p.read_text(encoding="utf-8") for p in sorted(paths.RAW.glob("*.txt"))]
    block = "\n".join(seeds).encode("utf-8")
    n = max(1, round(mb * (1 << 20) / len(block)))
    return b"\n".join([block] * n)


def time_stages(data: bytes) -> dict[str, float]:
    """Return the CPU seconds of each stage of reading one report of these bytes."""
    out = {}
    clock = time.process_time()
    text, _, _ = decode_bytes(data)
    out["decode"] = time.process_time() - clock
    clock = time.process_time()
    text = normalize_text(text)
    out["normalise"] = time.process_time() - clock
    clock = time.process_time()
    read_metadata(text, "big")
    out["metadata"] = time.process_time() - clock
    clock = time.process_time()
    done = process_report(ReportJob("big", text, "big.txt", "ward"))
    out["extract"] = time.process_time() - clock
    facts = schema.validate(pd.DataFrame.from_records(done.facts, columns=schema.FACTS.names),
                            schema.FACTS)
    report = process_file(paths.RAW / "thach-ban-2021-h1.txt").reports.assign(
        doc_id="big", text=text, n_chars=len(text))
    clock = time.process_time()
    observe(facts, report)
    out["observations"] = time.process_time() - clock
    return out


def main(argv=None) -> None:
    """Time the stages at each size and write the table."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", type=float, nargs="+", default=[1, 10, 50], metavar="MB")
    p.add_argument("--no-write", action="store_true", help="print only; leave results.md as it is")
    args = p.parse_args(argv)
    os.environ["ANALYSIS_MAX_REPORT_CHARS"] = str(200_000_000)
    rows = []
    time_stages(big_text(0.05))        # rule tables read and patterns compiled once, not timed
    for mb in args.sizes:
        data = big_text(mb)
        got = time_stages(data)
        size = len(data) / (1 << 20)
        rows.append({"MB": round(size, 1), **{s: got[s] for s in STAGES}})
        print(f"{size:6.1f} MB  " + "  ".join(f"{s} {got[s]:7.2f} s" for s in STAGES), flush=True)
    table = pd.DataFrame(rows)
    lines = ["| MB | " + " | ".join(f"{s} s (s/MB)" for s in STAGES) + " |",
             "|---:|" + "---:|" * len(STAGES)]
    for r in rows:
        lines.append(f"| {r['MB']:.1f} | " + " | ".join(
            f"{r[s]:.2f} ({r[s] / r['MB']:.2f})" for s in STAGES) + " |")
    section = ("## One huge report, stage by stage (`benchmarks/big_reports.py`)\n\n"
               "CPU seconds per stage for one report of the given size (the bundled reports "
               "repeated), one core; the seconds per MB stay flat where a stage is linear.\n\n"
               + "\n".join(lines) + "\n\n")
    print(table.to_string(index=False))
    if not args.no_write:
        write_section("big-reports", section)


if __name__ == "__main__":
    main()
