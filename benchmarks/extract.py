"""Throughput and peak memory of the fact extractor, beside a bare digit scan.

Builds (deterministically, from a seed) a corpus of at least 50 MB of report
text by recombining the sentences of the real reports in ``data/raw/`` with
varied numbers and units, then, in a child process pinned to one core:

* runs :func:`analysis.extract.extract_facts` report by report;
* runs the bare scan ``re.finditer(r"\\d+", text)`` over the same reports, the
  floor any extractor pays;
* reads the child's peak resident memory (``ru_maxrss``).

Prints a table and writes it between the markers ``<!-- extract:start -->``
and ``<!-- extract:end -->`` of ``benchmarks/results.md`` (other benchmarks
keep their own sections of that file).

Targets: at least 5 MB/s on one core, peak memory under 1 GB.

Usage::

    .venv/bin/python benchmarks/extract.py [--mb 50] [--seed 2024]
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import time
from pathlib import Path

import _results

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results.md"
START, END = "<!-- extract:start -->", "<!-- extract:end -->"
TARGET_MBPS = 5.0
TARGET_PEAK_MB = 1024

# Unit words swapped for one another when sentences are recombined, so that
# the corpus exercises every unit the extractor knows.
UNIT_SWAPS = [
    ["triệu đồng", "tỷ đồng", "nghìn đồng", "đồng", "đ", "VNĐ"],
    ["ha", "m2", "km2", "km", "m", "kg", "tấn", "m3"],
    ["%", "%0", "‰"],
]
_NUM = re.compile(r"\d+(?:[.,]\d+)*")


def _vary_number(rng: random.Random, m: re.Match) -> str:
    """A number of the same written shape (separators kept, digits redrawn)."""
    out = []
    for i, ch in enumerate(m.group(0)):
        if ch.isdigit():
            out.append(str(rng.randint(1 if i == 0 else 0, 9)))
        else:
            out.append(ch)
    return "".join(out)


def build_corpus(mb: float, seed: int) -> list[str]:
    """Reports of about 16 KB each, at least ``mb`` MB of UTF-8 in all."""
    sys.path.insert(0, str(ROOT))
    from analysis.text import normalize_text, split_sentences

    sentences = []
    for path in sorted((ROOT / "data" / "raw").glob("*.txt")):
        text = normalize_text(path.read_text(encoding="utf-8"))
        sentences.extend(s.text for s in split_sentences(text))
    rng = random.Random(seed)
    swaps = []
    for group in UNIT_SWAPS:
        alts = "|".join(re.escape(u) for u in sorted(group, key=len, reverse=True))
        swaps.append((re.compile(rf"(?<=\d)([ ]?)(?:{alts})(?![^\W\d_])"), group))

    target = int(mb * 1_000_000)
    reports, total = [], 0
    while total < target:
        parts, size = [], 0
        while size < 16_000:
            s = rng.choice(sentences)
            s = _NUM.sub(lambda m: _vary_number(rng, m), s)
            for rx, group in swaps:
                s = rx.sub(lambda m: m.group(1) + rng.choice(group), s)
            parts.append(s)
            size += len(s.encode("utf-8")) + 1
        # keep some structure: paragraphs of a few sentences
        text = ""
        for i, p in enumerate(parts):
            text += p + ("\n\n" if i % 4 == 3 else " ")
        reports.append(text)
        total += len(text.encode("utf-8"))
    return reports


def run_worker(mb: float, seed: int, passes: int = 3) -> dict:
    """Measure in this process (the child): corpus, bare scan, extractor, memory."""
    import resource

    try:
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    except (AttributeError, OSError):
        pass
    sys.path.insert(0, str(ROOT))
    from analysis.extract import extract_facts, load_rules

    t0 = time.perf_counter()
    reports = build_corpus(mb, seed)
    build_s = time.perf_counter() - t0
    n_bytes = sum(len(r.encode("utf-8")) for r in reports)
    load_rules()

    # Each measurement is the fastest of three passes over the whole corpus
    # (the machine is shared; the fastest pass is the least disturbed).
    digit = re.compile(r"\d+")
    bare_wall = bare_cpu = ext_wall = ext_cpu = float("inf")
    n_numbers = n_facts = 0
    for _ in range(passes):
        w0, c0 = time.perf_counter(), time.process_time()
        n_numbers = 0
        for r in reports:
            for _m in digit.finditer(r):
                n_numbers += 1
        bare_wall = min(bare_wall, time.perf_counter() - w0)
        bare_cpu = min(bare_cpu, time.process_time() - c0)

        w0, c0 = time.perf_counter(), time.process_time()
        n_facts = 0
        for i, r in enumerate(reports):
            n_facts += len(extract_facts(r, f"bench-{i}"))
        ext_wall = min(ext_wall, time.perf_counter() - w0)
        ext_cpu = min(ext_cpu, time.process_time() - c0)

    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "mb": n_bytes / 1e6, "reports": len(reports), "numbers": n_numbers,
        "facts": n_facts, "build_s": build_s,
        "bare_wall": bare_wall, "bare_cpu": bare_cpu,
        "ext_wall": ext_wall, "ext_cpu": ext_cpu,
        "peak_mb": peak_kb / 1024, "seed": seed, "passes": passes,
    }


def format_results(r: dict) -> str:
    """The results as a Markdown section (MB/s from CPU time of one core)."""
    mb = r["mb"]
    ext = mb / r["ext_cpu"]
    bare = mb / r["bare_cpu"]
    ok = "✓" if ext >= TARGET_MBPS else "✗"
    mem_ok = "✓" if r["peak_mb"] < TARGET_PEAK_MB else "✗"
    py = sys.version.split()[0]
    return "\n".join([
        "## Fact extraction (`benchmarks/extract.py`)",
        "",
        f"Corpus: {r['reports']:,} reports, {mb:.1f} MB of UTF-8 text, recombined from the"
        f" sentences of `data/raw/` with varied numbers and units (seed {r['seed']});"
        f" {r['numbers']:,} digit runs, {r['facts']:,} facts extracted.",
        f"One process pinned to one core, Python {py}; each time is the fastest of"
        f" {r['passes']} passes, MB/s from the process's CPU time (wall time beside it:"
        " the machine is shared).",
        "",
        "| measure | time (CPU / wall) | throughput | target |",
        "|---|---|---|---|",
        f"| `extract_facts`, report by report | {r['ext_cpu']:.1f} s / {r['ext_wall']:.1f} s"
        f" | **{ext:.1f} MB/s** | ≥ {TARGET_MBPS:g} MB/s {ok} |",
        f"| bare scan `re.finditer(r\"\\d+\", text)` | {r['bare_cpu']:.2f} s / {r['bare_wall']:.2f} s"
        f" | {bare:.1f} MB/s | (floor) |",
        f"| ratio extractor / bare scan | | {ext / bare:.3f} ({bare / ext:.0f}× slower) | |",
        f"| peak memory of the process (ru_maxrss) | | {r['peak_mb']:.0f} MB"
        f" | < {TARGET_PEAK_MB} MB {mem_ok} |",
        "",
    ])


def write_section(section: str, path: Path = RESULTS) -> None:
    """Replace (or append) this benchmark's section of results.md, atomically."""
    _results.write_section("extract", section, path)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mb", type=float, default=50.0, help="corpus size in MB (default 50)")
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--passes", type=int, default=3, help="passes over the corpus; the fastest counts")
    ap.add_argument("--no-write", action="store_true", help="print only; leave results.md alone")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.worker:
        print(json.dumps(run_worker(a.mb, a.seed, a.passes)))
        return 0
    out = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--worker", "--mb", str(a.mb),
         "--seed", str(a.seed), "--passes", str(a.passes)],
        check=True, capture_output=True, text=True, cwd=ROOT)
    results = json.loads(out.stdout.strip().splitlines()[-1])
    section = format_results(results)
    print(section)
    if not a.no_write:
        write_section(section)
        print(f"written to {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
