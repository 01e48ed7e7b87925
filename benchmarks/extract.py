r"""Time the fact extractor beside the analyst's regular-expression pass, and the build's extract stage.

Builds (deterministically, from a seed) a corpus of at least 50 MB of report
text by recombining the sentences of the real reports in ``data/raw/`` with
varied numbers and units, then, in a child process pinned to one core, times
on that same corpus, in the same run:

* the bare scan ``re.finditer(r"\d+", text)``, the floor any extractor pays,
  and the extractor's own scan regex alone (numbers with their unit words,
  dates and codes consumed), without any decision about what it finds;
* the plain pass an analyst would write: one compiled alternation of the
  number shapes with Vietnamese separators (``12.877.755.000``, ``97,95``,
  ``5209/5318``, ``36``) and the unit words (``%``, ``đồng``, ``triệu``,
  ``tỷ``, ``hộ``, ``người`` ...), every match kept with its offsets — the
  reference the extractor is held to — and beside it the same pass written
  as a number with its unit words after it;
* :func:`analysis.extract.extract_facts`, report by report;
* where the extractor's time goes, stage by stage (the scan, numerals in
  words, joining ranges, the context right before and after each number —
  non-fact rules, qualifiers, kind cues — then, per fact, the sentence, the
  clause windows, the qualifiers, kinds and plan cues of the clause, the
  counted noun, and the row), as each stage's share of a profiled pass
  applied to the measured time;
* the child's peak resident memory (``ru_maxrss``).

With ``--stage DIR`` (a folder of reports such as ``benchmarks/corpus/n600-s2024``,
made by ``make_corpus.py``) it also times the build's extract stage on one
core: extraction, indicator assignment and observations of the loaded
reports, as the pipeline's per-report step runs them.

Times are CPU times of the child (``time.process_time``), the fastest of a few
passes; the machine may be shared, so its load average is printed beside them.
Prints a table and writes it between the markers ``<!-- extract:start -->``
and ``<!-- extract:end -->`` of ``benchmarks/results.md``.

Usage::

    .venv/bin/python benchmarks/extract.py [--mb 50] [--seed 2024] [--stage benchmarks/corpus/n600-s2024]
"""
from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import random
import re
import subprocess
import sys
import time
from pathlib import Path

import _results

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results.md"
TARGET_PEAK_MB = 1024

# Unit words swapped for one another when sentences are recombined, so that
# the corpus exercises every unit the extractor knows.
UNIT_SWAPS = [
    ["triệu đồng", "tỷ đồng", "nghìn đồng", "đồng", "đ", "VNĐ"],
    ["ha", "m2", "km2", "km", "m", "kg", "tấn", "m3"],
    ["%", "%0", "‰"],
]
_NUM = re.compile(r"\d+(?:[.,]\d+)*")

# The plain pass an analyst would write: money, percentages, fractions and
# counts with Vietnamese separators, and the unit words, in one alternation.
ANALYST_NUMBER = r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+,\d+|\d+/\d+|\d+"
ANALYST_UNITS = ("%", "‰", "đồng", "đ", "VNĐ", "nghìn", "triệu", "tỷ", "hộ", "người", "ha", "m2",
                 "km", "kg", "tấn")
_UNITS_ALT = "|".join(re.escape(u) for u in sorted(ANALYST_UNITS, key=len, reverse=True))
ANALYST = re.compile(rf"{ANALYST_NUMBER}|{_UNITS_ALT}")
ANALYST_WITH_UNIT = re.compile(rf"(?:{ANALYST_NUMBER})(?:[ \t]*(?:{_UNITS_ALT})(?!\w))?")

# Where the extractor's time goes: its functions (in analysis/extract.py,
# text.py and numbers.py) by stage, named as ``name`` or, where two modules use
# the name, ``file:name``; the time of a built-in they call (a regex match,
# str.find) counts for the caller. Anything else is the row itself.
STAGES = (
    ("number scan (the scan's regex and each candidate)",
     ("_scan", "_read_token", "_value", "_shape", "_power_of_ten", "extract.py:__init__")),
    ("numerals in words", ("_scan_words", "value_of_number_words")),
    ("joining ranges, result/target pairs and sums", ("_link", "parse_decimal")),
    ("context before and after: non-fact rules, qualifiers, kind cues",
     ("_candidates", "_read_left", "_read_left_phrases", "_read_right", "_kept", "_key", "_role_applies",
      "_names_document", "_lowered")),
    ("sentences and section headings", ("_sentence_bounds", "_opens_sentence", "section_headings",
                                        "_is_heading", "_sentence", "sentence_at", "text.py:__init__",
                                        "<string>:__init__")),
    ("clause windows and quote", ("_clause_start", "_clause_end", "_trim_quote")),
    ("qualifiers, kinds and plan cues of the clause and the sentence",
     ("_find_phrases", "_clause_hits", "_decide_kind", "_first_cue", "_cue_starts", "_sentence_cues",
      "_heading_cues")),
    ("the counted noun", ("_counted", "_counted_after", "_measured_before", "_counted_words")),
)
_OWN_FILES = ("extract.py", "text.py", "numbers.py")
ROW = "the row, and the rest of each fact's decisions"


def _vary_number(rng: random.Random, m: re.Match) -> str:
    """Return a number of the same written shape (separators kept, digits redrawn)."""
    out = []
    for i, ch in enumerate(m.group(0)):
        if ch.isdigit():
            out.append(str(rng.randint(1 if i == 0 else 0, 9)))
        else:
            out.append(ch)
    return "".join(out)


def build_corpus(mb: float, seed: int) -> list[str]:
    """Return reports of about 16 KB each, at least ``mb`` MB of UTF-8 in all."""
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
                s = rx.sub(lambda m, group=group: m.group(1) + rng.choice(group), s)
            parts.append(s)
            size += len(s.encode("utf-8")) + 1
        # keep some structure: paragraphs of a few sentences
        text = ""
        for i, p in enumerate(parts):
            text += p + ("\n\n" if i % 4 == 3 else " ")
        reports.append(text)
        total += len(text.encode("utf-8"))
    return reports


def analyst_pass(text: str, rx: re.Pattern = ANALYST) -> list[tuple[int, int, str]]:
    """Every match of the analyst's pattern with its offsets."""
    return [(m.start(), m.end(), m.group()) for m in rx.finditer(text)]


def _fastest(fn, passes: int) -> tuple[float, float, object]:
    """(CPU seconds, wall seconds, result) of the fastest of ``passes`` calls."""
    cpu = wall = float("inf")
    out = None
    for _ in range(passes):
        w0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        cpu = min(cpu, time.process_time() - c0)
        wall = min(wall, time.perf_counter() - w0)
    return cpu, wall, out


def _stage_of(key: tuple) -> str:
    """Return the stage a profiled function belongs to (``key``: file, line, name)."""
    file, _, name = key
    if file.endswith(_OWN_FILES) or file.startswith("<"):
        qualified = f"{Path(file).name}:{name}"
        for stage, names in STAGES:
            if name in names or qualified in names:
                return stage
    return ROW


def stage_shares(reports: list[str]) -> dict[str, float]:
    """Each stage's share of the extractor's time, from a profiled pass over ``reports``."""
    from analysis.extract import extract_facts

    prof = cProfile.Profile()
    prof.enable()
    for i, r in enumerate(reports):
        extract_facts(r, f"bench-{i}")
    prof.disable()
    own = dict.fromkeys([stage for stage, _ in STAGES] + [ROW], 0.0)
    for key, (_, _, tottime, _, callers) in pstats.Stats(prof).stats.items():
        if key[0] == "~":               # a built-in: its time counts for its callers
            for caller, (_, _, tt, _) in callers.items():
                own[_stage_of(caller)] += tt
        else:
            own[_stage_of(key)] += tottime
    total = sum(own.values())
    return {k: v / total for k, v in own.items()} if total else own


def _stage_run(folder: str, passes: int) -> dict:
    """CPU seconds of extraction, assignment and observations of a folder's reports."""
    import pandas as pd

    from analysis import schema
    from analysis.extract import extract_facts
    from analysis.indicators import assign_indicators
    from analysis.load import load_reports
    from analysis.pipeline import observe

    reports = load_reports(Path(folder)).reports
    docs = list(zip(reports["doc_id"], reports["text"]))
    placed = reports[reports["unit_name"].notna() & reports["period"].notna()].reset_index(drop=True)
    extract_facts(docs[0][1], docs[0][0])
    ext_cpu, _, found = _fastest(lambda: [extract_facts(t, d) for d, t in docs], passes)
    asg_cpu, _, assigned = _fastest(lambda: [assign_indicators(f, t) for f, (_, t) in zip(found, docs)],
                                    passes)
    facts = schema.validate(pd.DataFrame.from_records([f for fs in assigned for f in fs],
                                                      columns=schema.FACTS.names), schema.FACTS)
    by_doc = {d: g for d, g in facts.groupby("doc_id", sort=False)}
    batches = []
    for a in range(0, len(placed), 96):   # the pipeline's batch size for a large build
        rep = placed.iloc[a:a + 96].reset_index(drop=True)
        parts = [by_doc[d] for d in rep["doc_id"] if d in by_doc]
        batches.append((pd.concat(parts, ignore_index=True) if parts else facts.iloc[0:0], rep))
    obs_cpu, _, obs = _fastest(lambda: [observe(f, r) for f, r in batches], passes)
    return {"folder": Path(folder).name, "reports": len(docs),
            "mb": sum(len(t.encode("utf-8")) for _, t in docs) / 1e6, "facts": len(facts),
            "observations": sum(len(o) for o in obs),
            "extract_cpu": ext_cpu, "assign_cpu": asg_cpu, "observe_cpu": obs_cpu}


def run_worker(mb: float, seed: int, passes: int = 3, stage: str | None = None) -> dict:
    """Measure in this process (the child): corpus, passes, extractor, stages, memory."""
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
    load = os.getloadavg()[0]

    digit = re.compile(r"\d+")
    bare_cpu, bare_wall, n_numbers = _fastest(
        lambda: sum(1 for r in reports for _m in digit.finditer(r)), passes)
    scan = load_rules().scan
    scan_cpu, scan_wall, _ = _fastest(lambda: sum(1 for r in reports for _m in scan.finditer(r)), passes)
    an_cpu, an_wall, n_analyst = _fastest(lambda: sum(len(analyst_pass(r)) for r in reports), passes)
    anu_cpu, anu_wall, n_analyst_unit = _fastest(
        lambda: sum(len(analyst_pass(r, ANALYST_WITH_UNIT)) for r in reports), passes)
    ext_cpu, ext_wall, n_facts = _fastest(
        lambda: sum(len(extract_facts(r, f"bench-{i}")) for i, r in enumerate(reports)), passes)
    shares = stage_shares(reports[: max(1, len(reports) // 10)])
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out = {
        "mb": n_bytes / 1e6, "reports": len(reports), "numbers": n_numbers,
        "analyst_matches": n_analyst, "analyst_unit_matches": n_analyst_unit,
        "facts": n_facts, "build_s": build_s,
        "bare_wall": bare_wall, "bare_cpu": bare_cpu, "scan_cpu": scan_cpu, "scan_wall": scan_wall,
        "analyst_cpu": an_cpu, "analyst_wall": an_wall,
        "analyst_unit_cpu": anu_cpu, "analyst_unit_wall": anu_wall,
        "ext_wall": ext_wall, "ext_cpu": ext_cpu, "shares": shares,
        "peak_mb": peak_kb / 1024, "seed": seed, "passes": passes, "load": load,
    }
    if stage:
        out["stage"] = _stage_run(stage, passes)
    out["load_after"] = os.getloadavg()[0]
    return out


def format_results(r: dict, before: dict | None = None) -> str:
    """Return the results as a Markdown section (MB/s from CPU time of one core).

    ``before``: the measurements of an earlier version of the package (``--json``
    output of this script), shown beside the build's extract stage.
    """
    mb = r["mb"]
    ext, bare = mb / r["ext_cpu"], mb / r["bare_cpu"]
    an, anu = mb / r["analyst_cpu"], mb / r["analyst_unit_cpu"]
    ok = "✓" if ext >= an else "✗"
    mem_ok = "✓" if r["peak_mb"] < TARGET_PEAK_MB else "✗"
    py = sys.version.split()[0]
    lines = [
        "## Fact extraction (`benchmarks/extract.py`)",
        "",
        f"Corpus: {r['reports']:,} reports, {mb:.1f} MB of UTF-8 text, recombined from the"
        f" sentences of `data/raw/` with varied numbers and units (seed {r['seed']});"
        f" {r['numbers']:,} digit runs, {r['facts']:,} facts extracted.",
        f"One process pinned to one core, Python {py}; each time is the fastest of"
        f" {r['passes']} passes, MB/s from the process's CPU time (wall time beside it)."
        f" The machine is shared: load average {r['load']:.1f} at the start,"
        f" {r['load_after']:.1f} at the end.",
        "",
        "| measure | time (CPU / wall) | throughput | target |",
        "|---|---|---|---|",
        f"| `extract_facts`, report by report | {r['ext_cpu']:.1f} s / {r['ext_wall']:.1f} s"
        f" | **{ext:.1f} MB/s** | ≥ the analyst's pass {ok} |",
        f"| the analyst's pass: one alternation of number shapes and unit words"
        f" ({r['analyst_matches']:,} matches) | {r['analyst_cpu']:.2f} s / {r['analyst_wall']:.2f} s"
        f" | {an:.1f} MB/s | (reference) |",
        f"| the same, written as a number with its unit words after it"
        f" ({r['analyst_unit_matches']:,} matches) | {r['analyst_unit_cpu']:.2f} s /"
        f" {r['analyst_unit_wall']:.2f} s | {anu:.1f} MB/s | |",
        f"| bare scan `re.finditer(r\"\\d+\", text)` | {r['bare_cpu']:.2f} s / {r['bare_wall']:.2f} s"
        f" | {bare:.1f} MB/s | (floor) |",
        f"| the extractor's scan regex alone, no decisions | {r['scan_cpu']:.2f} s / {r['scan_wall']:.2f} s"
        f" | {mb / r['scan_cpu']:.1f} MB/s | |",
        f"| ratio extractor / analyst's pass | | {ext / an:.2f} | ≥ 1 {ok} |",
        f"| peak memory of the process (ru_maxrss) | | {r['peak_mb']:.0f} MB"
        f" | < {TARGET_PEAK_MB} MB {mem_ok} |",
        "",
        "Where the extractor's time goes: each stage's share of a profiled pass over a tenth of the"
        " corpus (the time of a regex match or a string search counts for the stage that asks for it),"
        " applied to the CPU time measured above:",
        "",
        "| stage | CPU s | share |",
        "|---|---|---|",
    ]
    for name, share in r["shares"].items():
        lines.append(f"| {name} | {share * r['ext_cpu']:.2f} | {share:.0%} |")
    lines.append("")
    if ext < an:
        per_number = (r["ext_cpu"] - r["scan_cpu"]) / r["numbers"] * 1e6
        lines += [
            f"Short of the target: the extractor's regex finds its numbers in {r['scan_cpu']:.2f} s, about"
            f" the bare scan's time; the other {r['ext_cpu'] - r['scan_cpu']:.1f} s are Python work, about"
            f" {per_number:.1f} µs per digit run: each number's two sides read against the rule tables,"
            f" then for each of the {r['facts']:,} facts its sentence (and the plan and estimate cues it"
            " holds), its clause, qualifier, kind, counted noun and row; the table above shows how it"
            " spreads over the stages. The analyst's pass decides nothing: its time is its regex's and"
            " one tuple per match.",
            "",
        ]
    st = r.get("stage")
    if st:
        total = st["extract_cpu"] + st["assign_cpu"] + st["observe_cpu"]
        lines += [
            f"The build's extract stage on `{st['folder']}` ({st['reports']:,} reports, {st['mb']:.1f} MB,"
            f" {st['facts']:,} facts, {st['observations']:,} observations), one core, CPU time:",
            "",
        ]
        old = (before or {}).get("stage")
        steps = (("extraction (`extract_facts`)", "extract_cpu"),
                 ("indicator assignment (`assign_indicators`)", "assign_cpu"),
                 ("observations (`pipeline.observe`, batches of 96)", "observe_cpu"))
        if old:
            old_total = old["extract_cpu"] + old["assign_cpu"] + old["observe_cpu"]
            lines += [f"| step | CPU s before ({before['label']}) | CPU s now | per report now |",
                      "|---|---|---|---|"]
            for name, k in steps:
                lines.append(f"| {name} | {old[k]:.2f} | {st[k]:.2f} | {st[k] / st['reports'] * 1e3:.1f} ms |")
            lines.append(f"| in all | {old_total:.2f} | {total:.2f} | {total / st['reports'] * 1e3:.1f} ms |")
        else:
            lines += ["| step | CPU s | per report |", "|---|---|---|"]
            for name, k in steps:
                lines.append(f"| {name} | {st[k]:.2f} | {st[k] / st['reports'] * 1e3:.1f} ms |")
            lines.append(f"| in all | {total:.2f} | {total / st['reports'] * 1e3:.1f} ms |")
        per = total / st["reports"]
        lines += ["", f"At {per * 1e3:.1f} ms a report, the 12,000 reports of the city's decade"
                  f" (`benchmarks/scale.py`) need about {per * 12000:.0f} s of CPU for these three steps,"
                  f" {per * 6000:.0f} s on each of 2 cores (the reading, the pipeline's per-report"
                  " bookkeeping and the write come on top)."]
        lines.append("")
    if before:
        lines += [
            f"Before ({before['label']}, same corpus, measured just before, load average"
            f" {before['load']:.1f}): `extract_facts` {before['mb'] / before['ext_cpu']:.1f} MB/s, the analyst's pass"
            f" {before['mb'] / before['analyst_cpu']:.1f} MB/s"
            f" (ratio {before['analyst_cpu'] / before['ext_cpu']:.2f}).",
            "",
        ]
    return "\n".join(lines)


def write_section(section: str, path: Path = RESULTS) -> None:
    """Replace (or append) this benchmark's section of results.md, atomically."""
    _results.write_section("extract", section, path)


def main(argv: list[str] | None = None) -> int:
    """Run the measurements in a child process, print them and write them to results.md."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mb", type=float, default=50.0, help="corpus size in MB (default 50)")
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--passes", type=int, default=3, help="passes over the corpus; the fastest counts")
    ap.add_argument("--stage", default=None, help="a folder of reports: also time the build's extract stage")
    ap.add_argument("--no-write", action="store_true", help="print only; leave results.md alone")
    ap.add_argument("--json", default=None, help="also write the raw measurements to this JSON file")
    ap.add_argument("--before", default=None,
                    help="a JSON file of --json from an earlier version, shown beside these figures")
    ap.add_argument("--label", default="before", help="what --before measured (e.g. a commit)")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.worker:
        print(json.dumps(run_worker(a.mb, a.seed, a.passes, a.stage)))
        return 0
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", "--mb", str(a.mb),
           "--seed", str(a.seed), "--passes", str(a.passes)]
    if a.stage:
        cmd += ["--stage", str(Path(a.stage).resolve())]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT)
    results = json.loads(out.stdout.strip().splitlines()[-1])
    before = None
    if a.before:
        before = dict(json.loads(Path(a.before).read_text(encoding="utf-8")), label=a.label)
    section = format_results(results, before)
    print(section)
    if a.json:
        Path(a.json).write_text(json.dumps(results), encoding="utf-8")
    if not a.no_write:
        write_section(section)
        print(f"written to {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
