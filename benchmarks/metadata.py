r"""Metadata read with and without the regex accelerator, to tell whether the build needs ``analysis/fastmatch.py``.

The metadata readers find their phrase patterns (``(?<!\w)phrase``) through
:class:`analysis.fastmatch.LeadingPattern`, which lets ``re`` find each pattern
by its first words. This times :func:`analysis.metadata.read_metadata` with it
and with the plain compiled patterns (the same matches, found the way ``re``
finds a pattern that starts with a lookbehind: tried at every character), on
a generated corpus and on one huge report (the bundled reports repeated, as in
``benchmarks/big_reports.py``). Times are CPU seconds of this process
(``time.process_time``), best of ``--repeat`` passes, so that other work on the
machine does not blur them; run it pinned to one core
(``taskset -c 0 python benchmarks/metadata.py``).

The corpus line also gives the milliseconds per report. Searching the
phrases of a text as groups (:class:`analysis.fastmatch.PatternGroup`) took
the corpus from 2.46 ms to 1.50 ms per report (measured 3 December 2026,
best of three, load average 3, the two versions run one after the other).

Run: ``python benchmarks/metadata.py [--corpus benchmarks/corpus/n600-s2024] [--sizes 1 10]``;
the table is printed and written to ``benchmarks/results.md`` (section ``metadata``).
"""
from __future__ import annotations

import argparse
import os
import re
import time
from datetime import datetime, timezone
from pathlib import Path

from _results import write_section
from big_reports import big_text

from analysis.fastmatch import LeadingPattern
from analysis.metadata import dates, kinds, read_metadata, report_period, units
from analysis.text import normalize_text

HERE = Path(__file__).resolve().parent
#: The metadata modules that build their patterns with ``LeadingPattern``.
PATTERN_MODULES = (dates, kinds, report_period, units)
#: Their cached pattern builders, cleared when the pattern class changes.
BUILDERS = (dates.stamp_labels, kinds.kind_cues, kinds.cue_groups, report_period.period_rules,
            report_period.period_groups, units.unit_words, units.bare_units)


class PlainPattern:
    """The full pattern, compiled as written: what the readers would use without the accelerator."""

    def __init__(self, rest: str, before: str = r"\w"):
        self.full = re.compile(f"(?<!{before})" + rest)

    def finditer(self, text: str):
        """Return the matches, as ``re.finditer`` gives them."""
        return self.full.finditer(text)

    def count(self, text: str) -> int:
        """Return the number of matches."""
        return len(self.full.findall(text))


def use_patterns(cls) -> None:
    """Make the metadata readers build their phrase patterns with ``cls``."""
    for module in PATTERN_MODULES:
        module.LeadingPattern = cls
    for builder in BUILDERS:
        builder.cache_clear()
    report_period.forget_hits()


def cpu_seconds(texts: list[str], repeat: int) -> float:
    """Return the best CPU time of ``repeat`` passes of :func:`read_metadata` over the texts."""
    read_metadata(texts[0][:2000], "warm")       # tables read and patterns compiled, not timed
    best = float("inf")
    for _ in range(repeat):
        report_period.forget_hits()
        clock = time.process_time()
        for i, text in enumerate(texts):
            read_metadata(text, str(i))
        best = min(best, time.process_time() - clock)
    return best


def main(argv=None) -> None:
    """Time the readers both ways and write the table."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--corpus", type=Path, default=HERE / "corpus" / "n600-s2024")
    p.add_argument("--sizes", type=float, nargs="+", default=[1, 10], metavar="MB")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--no-write", action="store_true", help="print only; leave results.md as it is")
    args = p.parse_args(argv)
    corpus = [normalize_text(f.read_text(encoding="utf-8")) for f in sorted(args.corpus.glob("*.txt"))]
    corpus_mb = sum(len(t.encode("utf-8")) for t in corpus) / (1 << 20)
    inputs = [(f"{args.corpus.name} ({len(corpus)} reports)", corpus, corpus_mb, args.repeat)]
    for mb in args.sizes:
        data = big_text(mb)
        inputs.append((f"one report of {len(data) / (1 << 20):.1f} MB", [normalize_text(data.decode("utf-8"))],
                       len(data) / (1 << 20), 1))
    rows = []
    for name, texts, mb, repeat in inputs:
        got = {}
        for label, cls in (("with", LeadingPattern), ("without", PlainPattern)):
            use_patterns(cls)
            got[label] = cpu_seconds(texts, repeat)
        use_patterns(LeadingPattern)
        rows.append((name, mb, got["with"], got["without"]))
        per = f"  {got['with'] / len(texts) * 1000:.2f} ms per report with it" if len(texts) > 1 else ""
        print(f"{name:36} {mb:5.1f} MB  with {got['with']:7.2f} s  without {got['without']:7.2f} s  "
              f"({got['without'] / got['with']:.1f}×){per}", flush=True)
    load = os.getloadavg()[0]
    lines = ["| input | MB | with s (s/MB) | without s (s/MB) | without / with |", "|---|---:|---:|---:|---:|"]
    for name, mb, w, wo in rows:
        lines.append(f"| {name} | {mb:.1f} | {w:.2f} ({w / mb:.2f}) | {wo:.2f} ({wo / mb:.2f}) | {wo / w:.1f} |")
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M")
    section = (f"## Metadata with and without the regex accelerator (`benchmarks/metadata.py`, {stamp})\n\n"
               "CPU seconds of `read_metadata`, one core, best of "
               f"{args.repeat} passes over the corpus (one pass over a huge report); load average "
               f"{load:.1f} at the end of the run. `analysis/fastmatch.py` stays while the "
               "\"without\" column is several times the \"with\" one.\n\n" + "\n".join(lines) + "\n\n")
    if not args.no_write:
        write_section("metadata", section)


if __name__ == "__main__":
    main()
