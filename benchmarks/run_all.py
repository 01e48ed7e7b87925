"""Run every benchmark in ``benchmarks/`` in turn (``make bench``).

Each script prints its table and writes its own section of
``benchmarks/results.md``: ``extract.py`` (extractor throughput),
``dashboard.py`` (the leaders' app in a real browser, when present),
``scale.py`` (a city's decade: build, queries, dashboard at 12,000 reports)
``big_reports.py`` (one report of 1, 10 and 50 MB, stage by stage) and
``metadata.py`` (metadata with and without the regex accelerator).

``--quick`` is a smoke run: every script on small sizes, printing only, so
that results.md keeps the numbers of the last full run.

Usage::

    .venv/bin/python benchmarks/run_all.py [--quick] [--only extract,scale]
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

#: (script, arguments for a full run, arguments for a smoke run)
BENCHMARKS = (
    ("extract.py", [], ["--mb", "2", "--passes", "1", "--no-write"]),
    ("dashboard.py", [], ["--runs", "1", "--changes", "2", "--no-write"]),
    ("scale.py", [], ["--quick", "--no-write"]),
    ("big_reports.py", [], ["--sizes", "0.5", "1", "--no-write"]),
    ("metadata.py", [], ["--corpus", str(HERE / "corpus" / "n300-s2024"), "--sizes", "0.5", "--repeat", "1",
                         "--no-write"]),
)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks in turn; return 1 when any failed, else 0."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="small sizes, print only")
    ap.add_argument("--only", default="", help="comma-separated script names (default: all)")
    a = ap.parse_args(argv)
    only = {s.strip().removesuffix(".py") for s in a.only.split(",") if s.strip()}
    failed = []
    for script, full, quick in BENCHMARKS:
        if only and script.removesuffix(".py") not in only:
            continue
        path = HERE / script
        if not path.exists():
            print(f"== {script}: not present, skipped", flush=True)
            continue
        args = quick if a.quick else full
        print(f"== {script} {' '.join(args)}".rstrip(), flush=True)
        t0 = time.perf_counter()
        code = subprocess.run([sys.executable, str(path), *args], cwd=ROOT).returncode
        print(f"== {script}: exit {code} after {time.perf_counter() - t0:.0f} s", flush=True)
        if code != 0:
            failed.append(script)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
