"""How fast the leaders' app answers, measured in a real browser.

The same harness as the browser tests (``tests/browser_harness.py``): a real
Voilà on 127.0.0.1 and Debian's headless Chromium through Playwright. Measured:

- page request → first chart drawn, with a kernel started per page (cold) and
  with a preheated kernel (warm, the setting of ``voila.json``); each page in a
  fresh browser context, so nothing comes from the browser's cache. The first
  chart is the app's first view, which the page draws from its own HTML
  (``DashboardApp.preview``); beside it, the time until the live app has drawn
  its own chart and its controls work;
- a selector change → the chart redrawn (unit → scorecard; indicator →
  comparison chart);
- the same, preheated, for a returning reader (the browser's cache holds Voilà's
  JavaScript from an earlier visit);
- the floor: the same for a notebook that only imports the same libraries and
  draws one trivial chart;
- many leaders at once (issue 16): with 1, 10 and 20 sessions open at once on
  one server (as ``make dashboard`` serves it, preheated; each page its own
  kernel, in its own browser context, opened one after another and kept open),
  the memory of the server and all its kernels (PSS, RSS beside it), the first
  view of each page opened, and unit → scorecard redraws on the last page
  while all the others stay open.

Targets (2-core machine): first view ≤ 1 s preheated, ≤ 6 s cold; the live
app's controls usable within 1.5 × the bare-Voilà floor (preheated, the two
servers are up at once and their pages load in turn; the ratio is taken page
for page, so both see the same load of the machine); selector → chart ≤ 300 ms; at 20 sessions: under 3 GB in all, first
view under 1.5 s, selector under 300 ms. Prints a table and writes its
section of ``benchmarks/results.md``.

Usage: ``python benchmarks/dashboard.py [--processed DIR] [--runs 3] [--changes 10]
[--sessions 1,10,20]`` (default dataset: a fresh build of ``data/raw`` into a
temporary folder).
"""
from __future__ import annotations

import argparse
import contextlib
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import _results

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from browser_harness import (  # noqa: E402
    RequestLog,
    VoilaServer,
    chart_marks,
    charts_seen,
    chromium_missing,
    launch_chromium,
    wait_chart,
    wait_chart_change,
    watch_charts,
)

RESULTS = ROOT / "benchmarks" / "results.md"
START, END = "<!-- dashboard:start -->", "<!-- dashboard:end -->"
TARGETS = {"warm": 1.0, "cold": 6.0, "select": 0.300, "controls_vs_floor": 1.5,
           "memory_20": 3 * 1024, "first_view_20": 1.5}
SESSIONS = (1, 10, 20)

BARE_NOTEBOOK_CELLS = [
    "from analysis import theme\ntheme.skip_slow_imports()  # as the app does\n"
    "import altair as alt\nimport ipywidgets\nimport pandas as pd\nimport pyarrow\n"
    "import scipy.stats",
    "theme.enable_offline_widgets()\n"
    "chart = alt.JupyterChart(alt.Chart(pd.DataFrame({'x': [1, 2]})).mark_bar()"
    ".encode(x=alt.X('x:Q')), embed_options={'renderer': 'svg'})\n"
    "chart.add_class('ad-chart-scorecard')\nchart",
]


def write_bare_notebook(folder: Path) -> Path:
    """Write the bare-Voilà notebook (the floor: the same imports, one widget chart) into ``folder``."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(src) for src in BARE_NOTEBOOK_CELLS]
    path = folder / "bare.ipynb"
    nbformat.write(nb, path)
    return path


def first_chart(browser, url: str, context=None) -> tuple[dict[str, float], list[str]]:
    """Seconds from the page request to the first chart drawn; outside requests.

    Two times: ``first`` — the first chart on screen, whichever draws first
    (the app's first view from the page's own HTML, or the live widget);
    ``live`` — the app's own scorecard widget drawn (the controls work from
    then on). A fresh browser context (empty cache) unless ``context`` is given.
    """
    own = context is None
    context = context or browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    log = RequestLog(page, block=False)   # watched, not routed: routing slows every request
    watch_charts(page)
    page.goto(url, wait_until="commit")
    wait_chart(page, "ad-chart-scorecard", timeout_ms=120_000)
    seen = charts_seen(page)
    page.close()
    if own:
        context.close()
    times = {"first": min(seen.values()), "live": seen["live"]}
    return times, log.outside + log.errors


def page_loads(browser, server: VoilaServer, runs: int, warm: bool, context=None,
               done: int = 0) -> dict[str, list[float]]:
    """Return ``runs`` page loads; ``done`` pages the server has served already."""
    times: dict[str, list[float]] = {"first": [], "live": []}
    for i in range(runs):
        if warm:  # the pool refills after each page; let the new kernel run the notebook
            server.wait_for_log(r"is filled with", count=done + i + 1, timeout=120)
            time.sleep(10)
        took, problems = first_chart(browser, server.url, context)
        if problems:
            raise RuntimeError(f"the page made outside requests or errors: {problems[:3]}")
        for k in times:
            times[k].append(took[k])
    return times


def selector_changes(browser, server: VoilaServer, changes: int,
                     done: int = 0) -> dict[str, list[float]]:
    """Return unit changes (scorecard redrawn) and indicator changes (comparison redrawn)."""
    server.wait_for_log(r"is filled with", count=done + 1, timeout=120)
    time.sleep(10)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(server.url)
    wait_chart(page, "ad-chart-scorecard", timeout_ms=120_000)
    out: dict[str, list[float]] = {"unit → scorecard": unit_changes(page, changes), "indicator → comparison": []}
    page.locator(".lm-TabBar-tab").nth(1).click()
    wait_chart(page, "ad-chart-compare")
    time.sleep(0.5)
    choices = page.locator(".ad-app select").nth(3).locator("option").all_inner_texts()
    multi = [c for c in choices if not c.endswith("(1 đơn vị)")] or choices
    tried = 0
    while len(out["indicator → comparison"]) < changes and tried < 4 * changes:
        tried += 1
        label = multi[tried % len(multi)]
        before = chart_marks(page, "ad-chart-compare")
        start = time.perf_counter()
        page.locator(".ad-app select").nth(3).select_option(label=label)
        # a comparison of one unit is a sentence, not a chart: not a chart redraw to time
        page.wait_for_function(
            """b => { const s = document.querySelector('.ad-chart-compare svg.marks');
                      const one = document.querySelector('.ad-app .ad-one');
                      return (s && s.innerHTML !== b && s.getBoundingClientRect().height > 0)
                             || (one && one.getBoundingClientRect().height > 0); }""",
            arg=before, timeout=20_000, polling=10)
        took = time.perf_counter() - start
        if page.locator(".ad-app .ad-one").count() == 0 or \
                not page.locator(".ad-app .ad-one").first.is_visible():
            out["indicator → comparison"].append(took)
        time.sleep(0.6)
    page.close()
    return out


def _tree_memory_mb(root: int) -> tuple[float, float]:
    """Return ``(pss, rss)`` in MB of a process and all its descendants.

    The server and the kernels it started, each in its own session. PSS counts a
    library shared by the kernels once across them (what the machine spends);
    RSS counts it in every kernel.
    """
    parent = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
    tree, grew = {root}, True
    while grew:
        more = {p for p, pp in parent.items() if pp in tree} - tree
        tree |= more
        grew = bool(more)
    pss = rss = 0
    for pid in tree:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    pss += int(line.split()[1])
                elif line.startswith("Rss:"):
                    rss += int(line.split()[1])
        except (OSError, ValueError, IndexError):
            continue
    return pss / 1024, rss / 1024


def sessions_memory(browser, data: Path, tmp: Path, counts=SESSIONS) -> dict[int, tuple]:
    """Server and kernels' memory (MB, ``(pss, rss)``) with ``n`` pages open at once."""
    out = {}
    for n in counts:
        with VoilaServer(data, preheat=False, log=tmp / f"sessions-{n}.log") as srv:
            contexts = [browser.new_context(viewport={"width": 1280, "height": 900})
                        for _ in range(n)]
            # opened one after another (a browser keeps few connections to one host
            # while pages load), each kept open with its kernel: n sessions at once
            for c in contexts:
                page = c.new_page()
                page.goto(srv.url, wait_until="commit")
                wait_chart(page, "ad-chart-scorecard", timeout_ms=300_000)
            time.sleep(2)
            out[n] = _tree_memory_mb(srv.proc.pid)
            for c in contexts:
                c.close()
    return out


def unit_changes(page, changes: int) -> list[float]:
    """Seconds from a unit chosen to its scorecard redrawn, ``changes`` times."""
    units = [o.replace("\xa0", " ") for o in
             page.locator(".ad-app select").nth(0).locator("option").all_inner_texts()]
    with_targets = [u for u in units if "Cự Khối" in u or "Phúc Đồng" in u or "Cầu Giấy" in u]
    cycle = with_targets if len(with_targets) >= 2 else units
    out = []
    for i in range(changes):
        label = cycle[(i + 1) % len(cycle)]
        before = chart_marks(page, "ad-chart-scorecard")
        start = time.perf_counter()
        page.locator(".ad-app select").nth(0).select_option(label=label.replace(" ", "\xa0"))
        wait_chart_change(page, "ad-chart-scorecard", before)
        out.append(time.perf_counter() - start)
        time.sleep(0.6)   # let the rest of the page settle, as a reader would
    return out


def concurrent_sessions(browser, data: Path, tmp: Path, counts=SESSIONS,
                        changes: int = 5) -> dict[int, dict]:
    """``n`` leaders at once on one preheated server, for each ``n`` of ``counts``.

    Pages are opened one after another, each once the pool holds a preheated
    kernel again (as readers arriving a few seconds apart), and kept open: the
    ``n``-th page opens while ``n - 1`` are open. Returns, for each ``n``: the
    first view and live-app times of every page, the memory (PSS, RSS) with all
    ``n`` open, and ``changes`` unit → scorecard redraws on the last page.
    """
    out = {}
    for n in counts:
        with VoilaServer(data, preheat=True, log=tmp / f"sessions-{n}.log") as srv:
            contexts, first, live = [], [], []
            for i in range(n):
                srv.wait_for_log(r"is filled with", count=i + 1, timeout=300)
                srv.wait_kernels_idle(quiet=1.0, timeout=300)   # the new pool kernel has run the notebook
                c = browser.new_context(viewport={"width": 1280, "height": 900})
                contexts.append(c)
                page = c.new_page()
                watch_charts(page)
                page.goto(srv.url, wait_until="commit")
                wait_chart(page, "ad-chart-scorecard", timeout_ms=300_000)
                seen = charts_seen(page)
                first.append(min(seen.values()))
                live.append(seen["live"])
            time.sleep(2)
            memory = _tree_memory_mb(srv.proc.pid)
            kernels = len(srv.kernel_pids())
            select = unit_changes(page, changes)
            out[n] = {"first": first, "live": live, "memory": memory, "select": select,
                      "kernels": kernels}
            for c in contexts:
                c.close()
    return out


def sessions_table(sessions: dict[int, dict]) -> list[str]:
    """Return the issue 16 table: memory, first view and selector redraw at each number of sessions."""
    lines = ["| sessions open | kernels | memory, server + kernels (PSS) | per session | RSS | "
             "first view, median / max | live app, median | unit → scorecard, median / max | "
             "targets at 20 | met |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for n, r in sorted(sessions.items()):
        pss, rss = r["memory"]
        fv, sel = sorted(r["first"]), sorted(r["select"])
        f_med, sel_med = statistics.median(fv), statistics.median(sel)
        if n == 20:
            ok = (pss <= TARGETS["memory_20"] and f_med <= TARGETS["first_view_20"]
                  and sel_med <= TARGETS["select"])
            target, met = "< 3 GB; < 1.5 s; < 300 ms", "yes" if ok else "**no**"
        else:
            target, met = "—", "—"
        lines.append(f"| {n} | {r['kernels']} | {pss:.0f} MB | {pss / n:.0f} MB | {rss:.0f} MB | "
                     f"{f_med:.2f} s / {fv[-1]:.2f} s | {statistics.median(r['live']):.2f} s | "
                     f"{sel_med * 1000:.0f} ms / {sel[-1] * 1000:.0f} ms | {target} | {met} |")
    return lines


def memory_table(memory: dict[int, tuple]) -> list[str]:
    """Return the rows of the memory-only table, one per number of pages open."""
    lines = []
    for n, (pss, rss) in sorted(memory.items()):
        target = TARGETS["memory_20"] if n == 20 else None
        met = "—" if target is None else ("yes" if pss <= target else "**no**")
        lines.append(f"| app | memory, {n} page(s) open at once (server + kernels, PSS; RSS "
                     f"{rss:.0f} MB) | 1 | {pss:.0f} MB | — | — | {'≤ 3 GB' if target else '—'} "
                     f"| {met} |")
    return lines


def summarise(values: list[float]) -> tuple[float, float, float]:
    """Return the median, 90th percentile and maximum of ``values``."""
    ordered = sorted(values)
    p90 = ordered[min(len(ordered) - 1, int(round(0.9 * (len(ordered) - 1))))]
    return statistics.median(ordered), p90, ordered[-1]


def build_dataset(folder: Path) -> Path:
    """Build ``data/raw`` into ``folder/processed`` and return that folder."""
    from analysis.build import build

    out = folder / "processed"
    build(out=out, progress=False)
    return out


def run(processed: Path | None, runs: int, changes: int, sessions=SESSIONS) -> str:
    """Run every measure and return the section of ``benchmarks/results.md``."""
    from playwright.sync_api import sync_playwright

    tmp = Path(tempfile.mkdtemp(prefix="bench-dashboard-"))
    load_before = os.getloadavg()
    try:
        data = processed or build_dataset(tmp)
        n_reports, n_obs = _count(data, "reports"), _count(data, "observations")
        bare = write_bare_notebook(tmp)
        rows = []
        together: dict[int, dict] = {}
        with sync_playwright() as p:
            browser = launch_chromium(p)
            setups = (("app", None), ("bare Voilà (floor)", bare))
            cold = {}
            for label, notebook in setups:
                kw = {"notebook": notebook} if notebook else {}
                with VoilaServer(data, preheat=False, log=tmp / f"cold-{len(cold)}.log", **kw) as srv:
                    cold[label] = page_loads(browser, srv, runs, warm=False)
            # Preheated, the app and the floor load in turn from two servers up at once: the
            # ratio pairs loads made under the same load of the machine, not minutes apart.
            with contextlib.ExitStack() as stack:
                servers = {label: stack.enter_context(VoilaServer(
                    data, preheat=True, log=tmp / f"warm-{i}.log",
                    **({"notebook": notebook} if notebook else {})))
                    for i, (label, notebook) in enumerate(setups)}
                warm = {label: {"first": [], "live": []} for label in servers}
                for i in range(runs):
                    for label, srv in servers.items():
                        for k, v in page_loads(browser, srv, 1, warm=True, done=i).items():
                            warm[label][k] += v
                cached, select = {}, {}
                for label, srv in servers.items():
                    cached_context = browser.new_context(viewport={"width": 1280, "height": 900})
                    first_chart(browser, srv.url, cached_context)       # fills the cache
                    cached[label] = page_loads(browser, srv, runs, warm=True, context=cached_context,
                                               done=runs + 1)
                    cached_context.close()
                    select[label] = (selector_changes(browser, srv, changes, done=2 * runs + 1)
                                     if label == "app" else {})
            for label, notebook in setups:
                app = notebook is None
                if app:
                    rows.append((label, "first chart, cold", cold[label]["first"], TARGETS["cold"]))
                    rows.append((label, "first view, preheated", warm[label]["first"], TARGETS["warm"]))
                    rows.append((label, "first chart, preheated, browser cache warm",
                                 cached[label]["first"], None))
                live = "live app (controls work), " if app else "first chart, "
                rows.append((label, live + "cold", cold[label]["live"], None))
                rows.append((label, live + "preheated", warm[label]["live"], None))
                rows.append((label, live + "preheated, browser cache warm", cached[label]["live"], None))
                for name, values in select[label].items():
                    rows.append((label, name, values, TARGETS["select"]))
            ratio = [a / f for a, f in zip(warm["app"]["live"], warm["bare Voilà (floor)"]["live"])]
            rows.append(("app", "controls usable, preheated ÷ bare-Voilà floor", ratio,
                         ("ratio", TARGETS["controls_vs_floor"])))
            load_sessions = os.getloadavg()
            if sessions:
                together = concurrent_sessions(browser, data, tmp, sessions)
            browser.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    load_after = os.getloadavg()

    lines = ["| app | measure | n | median | p90 | max | target | met |",
             "|---|---|---|---|---|---|---|---|"]
    for app, measure, values, target in rows:
        med, p90, top = summarise(values)
        if isinstance(target, tuple):       # a ratio
            met = "yes" if med <= target[1] else "**no**"
            lines.append(f"| {app} | {measure} | {len(values)} | {med:.2f} × | {p90:.2f} × | "
                         f"{top:.2f} × | ≤ {target[1]:.1f} × | {met} |")
            continue
        unit = "ms" if target is not None and target < 1 else "s"
        fmt = (lambda x: f"{x * 1000:.0f} ms") if unit == "ms" else (lambda x: f"{x:.2f} s")
        met = "—" if target is None else ("yes" if med <= target else "**no**")
        tgt = "—" if target is None else (f"≤ {target * 1000:.0f} ms" if unit == "ms" else f"≤ {target:.0f} s")
        lines.append(f"| {app} | {measure} | {len(values)} | {fmt(med)} | {fmt(p90)} | "
                     f"{fmt(top)} | {tgt} | {met} |")
    table = "\n".join(lines)
    if together:
        table += ("\n\n### Many leaders at once (issue 16)\n\n"
                  + "\n".join(sessions_table(together))
                  + f"\n\nLoad average when the sessions began: {load_sessions[0]:.2f}. The kernel "
                  "count includes the one preheated kernel waiting in the pool; the memory includes "
                  "the kernel template they are forked from (`analysis.kernels`), whose pages they "
                  "share. Kernels start with "
                  "`MALLOC_ARENA_MAX=2`, `ARROW_DEFAULT_MEMORY_POOL=system` and `ANALYSIS_DUCKDB_THREADS=1` "
                  "(`voila.py`) and give the heap freed by the app's start back "
                  "(`analysis.app.release_memory`).")
    note = (f"Dataset: {n_reports} reports, {n_obs} observations"
            f"{' (' + str(processed) + ')' if processed else ' (fresh build of data/raw)'}. "
            f"Machine: {os.cpu_count()} cores, {platform.python_version()}; load average "
            f"{load_before[0]:.2f} before, {load_after[0]:.2f} after (other work on the machine "
            "slows every number). Each page in a fresh browser context (no cache); "
            "\"met\" compares the median with the target.")
    return f"{table}\n\n{note}\n"


def run_memory(processed: Path | None, sessions=SESSIONS) -> str:
    """Return the memory measure alone: one Voilà per count, that many pages open at once."""
    from playwright.sync_api import sync_playwright

    tmp = Path(tempfile.mkdtemp(prefix="bench-dashboard-"))
    try:
        data = processed or build_dataset(tmp)
        with sync_playwright() as p:
            browser = launch_chromium(p)
            memory = sessions_memory(browser, data, tmp, sessions)
            browser.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    lines = ["| app | measure | n | value | p90 | max | target | met |",
             "|---|---|---|---|---|---|---|---|", *memory_table(memory)]
    per = {n: pss / max(n, 1) for n, (pss, _) in memory.items()}
    note = ("Each page has its own kernel (Voilà's model), forked from one template that imported "
            "the libraries (`analysis.kernels`); PSS counts once the pages they share, and the "
            "libraries mapped from the same files. Per page: "
            + ", ".join(f"{n}: {v:.0f} MB" for n, v in sorted(per.items())) + ".")
    return "\n".join(lines) + "\n\n" + note + "\n"


def _count(folder: Path, name: str) -> int:
    from analysis.store import read_table

    return len(read_table(name, processed=folder, columns=["doc_id"]))


def write_results(section: str) -> None:
    """Write the dashboard section of ``benchmarks/results.md``."""
    heading = f"## Dashboard (benchmarks/dashboard.py, {time.strftime('%Y-%m-%d %H:%M')})\n\n"
    _results.write_section("dashboard", heading + section, RESULTS)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark from the command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--processed", type=Path, help="processed tables to serve "
                        "(default: a fresh build of data/raw)")
    parser.add_argument("--runs", type=int, default=3, help="page loads per setting")
    parser.add_argument("--changes", type=int, default=10, help="selector changes measured")
    parser.add_argument("--sessions", default="1,10,20",
                        help="sessions open at once for the many-leaders table ('' to skip)")
    parser.add_argument("--memory-only", action="store_true",
                        help="only the memory of --sessions pages (its own section)")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)
    missing = chromium_missing()
    if missing:
        print(f"benchmarks/dashboard.py: {missing}", file=sys.stderr)
        return 2
    sessions = tuple(int(x) for x in args.sessions.split(",") if x.strip())
    if args.memory_only:
        section = run_memory(args.processed, sessions)
        print(section)
        if not args.no_write:
            heading = (f"## Dashboard memory (benchmarks/dashboard.py --memory-only, "
                       f"{time.strftime('%Y-%m-%d %H:%M')})\n\n")
            _results.write_section("dashboard-memory", heading + section, RESULTS)
        return 0
    section = run(args.processed, args.runs, args.changes, sessions)
    print(section)
    if not args.no_write:
        write_results(section)
        print(f"written to {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
