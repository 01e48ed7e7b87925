"""The leaders' app served by a real Voilà and used in Debian's headless Chromium.

One Voilà server for the module, on a free 127.0.0.1 port, reading a processed
dataset made from the real build of the bundled reports plus one report whose
text carries markup (``<script>``, ``<img onerror>``, a ``javascript:`` link):
the page must show it as text. Every request the page makes is recorded and any
that would leave 127.0.0.1 is blocked and reported.
"""
from __future__ import annotations

import os
import re

import pandas as pd
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from _built_data import processed_dir, table
from analysis.theme import PROGRESS_COLOR, STATUS_COLORS
from browser_harness import (
    RequestLog,
    VoilaServer,
    chart_marks,
    charts_seen,
    chromium_missing,
    wait_chart,
    wait_chart_change,
    watch_charts,
)

pytestmark = pytest.mark.browser
if chromium_missing():
    if os.environ.get("CI"):  # in CI a missing browser is a broken set-up, not a skip
        raise RuntimeError(chromium_missing())
    pytest.skip(chromium_missing(), allow_module_level=True)

INJECTED_UNIT = "Ngọc Thụy <i>x</i>"
SCRIPT = '<script>window.__pwned = "script"</script>'
IMG = '<img src="x" onerror="window.__pwned = \'img\'">'
LINK = '<a href="javascript:window.__pwned = \'link\'">xem chi tiết</a>'
YEAR = pd.DateOffset(years=1)


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    """The real build plus a report whose text is hostile markup."""
    from analysis.store import write_tables

    processed_dir()
    reports, facts, obs = table("reports"), table("facts"), table("observations")
    doc = "ngoc-thuy-2019-fy"
    src = reports[reports["doc_id"] == "cu-khoi-2018-fy"].copy()
    src = src.assign(doc_id=doc, unit_name=INJECTED_UNIT, period="2019-FY",
                     period_start=src["period_start"] + YEAR, source_file=f"{doc}.txt",
                     period_end=src["period_end"] + YEAR,
                     title=f"Báo cáo {SCRIPT} năm 2019")
    new_obs = obs[obs["doc_id"] == "cu-khoi-2018-fy"].copy()
    new_obs = new_obs.assign(
        doc_id=doc, unit_name=INJECTED_UNIT, period="2019-FY",
        period_start=new_obs["period_start"] + YEAR,
        period_end=new_obs["period_end"] + YEAR,
        obs_id=[f"{doc}:{i}" for i in range(len(new_obs))],
        fact_id=[f"{doc}:{i}" for i in range(len(new_obs))],
        quote=[f"Phường {SCRIPT} đạt {IMG} {LINK} {raw}" for raw in new_obs["raw"]],
        sentence=[f"Phường {SCRIPT} đạt {IMG} {LINK} {raw}." for raw in new_obs["raw"]])
    new_facts = facts[facts["doc_id"] == "cu-khoi-2018-fy"].copy()
    new_facts = new_facts.assign(doc_id=doc, fact_id=[f"{doc}:{i}" for i in range(len(new_facts))])
    out = tmp_path_factory.mktemp("hostile") / "processed"
    write_tables({"reports": pd.concat([reports, src]), "facts": pd.concat([facts, new_facts]),
                  "observations": pd.concat([obs, new_obs])}, out)
    return out


@pytest.fixture(scope="module")
def server(dataset):
    with VoilaServer(dataset, preheat=True) as srv:
        yield srv


def _select(page, index: int):
    return page.locator(".ad-app select").nth(index)


def _chosen(page, index: int) -> str:
    """The text of a dropdown's chosen option (ipywidgets writes spaces as NBSP)."""
    return _select(page, index).locator("option:checked").inner_text().replace("\xa0", " ")


def _svg_text(page, cls: str) -> str:
    """The text a chart draws (titles, axis labels, value labels)."""
    return page.locator(f".{cls} svg.marks").first.text_content()


def _choose(page, index: int, label: str) -> None:
    _select(page, index).select_option(label=label.replace(" ", "\xa0"))


def test_leader_uses_the_app_and_report_text_stays_text(server, browser):
    """One page, as a leader uses it; then a report whose text is markup.

    (One test, so that one Voilà server and one page load serve both.)
    """
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    log = RequestLog(page)
    watch_charts(page)
    try:
        page.goto(server.url)
        wait_chart(page, "ad-chart-scorecard")
        # The first view was drawn from the page's own HTML before the widgets
        # loaded; the live app then took its place, with the same chart.
        seen = charts_seen(page)
        assert seen["preview"] < seen["live"], seen
        page.locator(".ad-preview").wait_for(state="hidden", timeout=10_000)
        preview_text = page.locator(".ad-preview svg.marks").text_content()
        assert preview_text == _svg_text(page, "ad-chart-scorecard")
        assert page.locator(".ad-preview script").count() == 0          # an SVG drawn on the server
        assert "Cầu Giấy, 6 tháng đầu năm 2022" in preview_text
        assert page.locator(".ad-app .ad-title").inner_text() == "Kết quả công tác của phường, quận"
        assert _chosen(page, 0) == "Quận Cầu Giấy"
        # Its half-year figures "đạt 60,67% kế hoạch" and "3.471/6.000 người (đạt 57,9%
        # kế hoạch)" are progress toward the year's plan: labelled so, never "Không đạt".
        assert "Tiến độ so với kế hoạch năm" in preview_text and "Không đạt" not in preview_text
        summary = page.locator(".ad-app .ad-summary").inner_text()
        assert "0 không đạt" in summary and "2 chỉ tiêu mới là tiến độ" in summary
        missed_red = page.locator(f'.ad-chart-scorecard svg.marks path[fill="{STATUS_COLORS["missed"]}"]')
        assert missed_red.count() == 0
        assert page.locator(f'.ad-chart-scorecard svg.marks path[fill="{PROGRESS_COLOR}"]').count() >= 2

        # Another unit: the scorecard is redrawn with that unit's targets.
        before = chart_marks(page, "ad-chart-scorecard")
        _choose(page, 0, "Phường Cự Khối")
        wait_chart_change(page, "ad-chart-scorecard", before)
        chart_text = _svg_text(page, "ad-chart-scorecard")
        assert "Cự Khối, Năm 2018" in chart_text and "28/20" in chart_text
        assert "Cầu Giấy" not in chart_text
        assert "8" in page.locator(".ad-app .ad-card").first.inner_text()     # 8 targets exceeded

        # A period the unit has no report for: the empty state, never a traceback.
        _choose(page, 1, "6 tháng đầu năm 2021")
        empty = page.locator(".ad-app .ad-empty").first
        empty.wait_for(timeout=10_000)
        assert "Chưa có báo cáo cho kỳ này" in empty.inner_text()
        assert "Các kỳ đã có: Năm 2018" in page.locator(".ad-app").inner_text()
        assert "Traceback" not in page.content()

        # English: every label changes.
        page.locator("button", has_text="English").click()
        page.locator(".ad-app .ad-title", has_text="Ward and district results").wait_for(timeout=10_000)
        page.locator(".ad-app .ad-empty", has_text="No report for this period yet").first.wait_for(
            timeout=10_000)
        text = page.locator(".ad-app").inner_text()
        assert "Unit" in page.locator(".widget-dropdown label").first.inner_text()
        assert _chosen(page, 0) == "Cự Khối (ward)"
        for vi in ("Đơn vị", "Kỳ báo cáo", "Chưa có báo cáo", "Kết quả của đơn vị"):
            assert vi not in text, vi

        # Back to the unit's latest report, in English, then the comparison view.
        before = chart_marks(page, "ad-chart-scorecard")
        _select(page, 1).select_option(index=0)
        wait_chart_change(page, "ad-chart-scorecard", before)
        assert "Cự Khối, Year 2018: results against targets" in \
            _svg_text(page, "ad-chart-scorecard")
        page.locator(".lm-TabBar-tab", has_text="Units compared").click()
        wait_chart(page, "ad-chart-compare")
        assert "Units compared" in _svg_text(page, "ad-chart-compare")

        assert log.errors == [], log.errors
        assert log.outside == [], f"requests left 127.0.0.1: {log.outside}"
        _report_text_shows_as_text(page, log)
    finally:
        page.close()


def _report_text_shows_as_text(page, log):
    """Report text with <script>, <img onerror> and a javascript: link, shown as text."""
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.locator("button", has_text="Tiếng Việt").click()
    page.locator(".ad-app .ad-title", has_text="Kết quả công tác").wait_for(timeout=10_000)
    page.locator(".lm-TabBar-tab").nth(0).click()
    option = _select(page, 0).locator("option", has_text="Ngọc Thụy")
    assert option.inner_text().replace("\xa0", " ") == f"Phường {INJECTED_UNIT}"
    before = chart_marks(page, "ad-chart-scorecard")
    _choose(page, 0, f"Phường {INJECTED_UNIT}")
    wait_chart_change(page, "ad-chart-scorecard", before)
    page.locator(".ad-app .ad-facts", has_text=f"Báo cáo {SCRIPT} năm 2019").first.wait_for(
        timeout=10_000)

    facts = page.locator(".ad-app .ad-facts").first.inner_text()
    assert SCRIPT in facts and IMG in facts and LINK in facts       # shown, literally
    assert INJECTED_UNIT in page.locator(".ad-app .ad-summary").inner_text()
    assert page.locator(".ad-app img").count() == 0
    assert page.locator(".ad-app a[href^='javascript']").count() == 0
    assert page.locator(".ad-app script").count() == 0
    assert page.locator(".ad-app i", has_text="x").count() == 0

    # The chart's tooltip shows the quote as text too.
    page.locator(".ad-chart-scorecard svg.marks path[aria-roledescription='bar']").first.hover()
    tooltip = page.locator("#vg-tooltip-element")
    tooltip.wait_for(state="visible", timeout=5_000)
    assert "<script>" in tooltip.inner_text()
    assert tooltip.locator("img, script, a").count() == 0

    assert page.evaluate("() => window.__pwned === undefined")
    assert dialogs == []
    assert log.errors == [] and log.outside == []


def test_exported_chart_draws_offline(browser, tmp_path):
    """A period report page (nbconvert HTML) draws its chart from file://, offline."""
    import altair as alt
    import nbformat

    from analysis.charts import chart_scorecard
    from analysis.compare import scorecard
    from analysis.period_reports import export_offline_html
    from analysis.theme import use_offline_renderer

    chart = chart_scorecard(scorecard(table("observations"), "Cự Khối", "2018-FY"))
    use_offline_renderer()                      # a new session: its first chart brings the JS
    try:
        bundle = alt.renderers.get()(chart.to_dict())
    finally:
        alt.renderers.enable("default")
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("chart")
    cell.outputs = [nbformat.v4.new_output("display_data", data=data)]
    nb.cells = [nbformat.v4.new_markdown_cell("# Cự Khối · Năm 2018"), cell]
    page_path = tmp_path / "cu-khoi.html"
    page_path.write_text(export_offline_html(nb, "Cự Khối"), encoding="utf-8")
    assert not re.search(r"<script[^>]+src=", page_path.read_text(encoding="utf-8"))

    page = browser.new_page()
    log = RequestLog(page)
    try:
        page.goto(page_path.as_uri())
        page.wait_for_selector(".analysis-chart svg.marks", timeout=20_000)
        assert "28/20" in page.locator(".analysis-chart svg.marks").first.text_content()
        assert log.outside == [] and log.errors == []
    finally:
        page.close()


# --------------------------------------------------------------------------
# Only stated numbers, colour, sources, downloads, freshness, small screens


def _stated(doc_id: str, pattern: str) -> float:
    """An amount as a bundled report states it: '<n> triệu đồng' right after ``pattern``."""
    from analysis.paths import RAW

    text = (RAW / f"{doc_id}.txt").read_text(encoding="utf-8")
    m = re.search(pattern + r"\s+(\d+)\s+triệu đồng", text)
    assert m, pattern
    return float(m.group(1)) * 1e6


def _choose_value(page, index: int, value: str) -> None:
    _select(page, index).select_option(value=value)


def _unit_value(page, name: str) -> str:
    """The unit selector's value (level|name|parent) for the one unit of this name."""
    values = _select(page, 0).locator("option").evaluate_all("os => os.map(o => o.value)")
    labels = _select(page, 0).locator("option").evaluate_all("os => os.map(o => o.textContent)")
    found = [i for i, lab in enumerate(labels) if lab.replace("\xa0", " ").endswith(name)]
    assert len(found) == 1, (name, labels)
    return values[found[0]]


def _indicator(page, indicator_id: str) -> None:
    sel = page.locator(".ad-app select").nth(3)
    labels = sel.locator("option").evaluate_all("os => os.map(o => o.textContent)")
    from analysis.i18n import indicator_name

    name = indicator_name(indicator_id).replace(" ", "\xa0")
    label = next(x for x in labels if x.startswith(name))
    sel.select_option(label=label)


def _png_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG, after inflating its image data (a broken file raises)."""
    import struct
    import zlib

    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, size = 8, b"", None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            size = struct.unpack(">II", body[:8])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    assert size and len(raw) >= size[1] * (size[0] + 1)
    return size


def test_stated_numbers_colours_sources_and_downloads(server, browser, tmp_path):
    """The figures a leader sees are the ones the reports state, with colours, sources and downloads.

    Coloured as the scorecard colours them, each with its sentence one click
    away, and every table and chart downloads.
    """
    from io import BytesIO
    from xml.etree import ElementTree

    import openpyxl

    from analysis.compare import scorecard
    from analysis.theme import STATUS_COLORS

    page = browser.new_page(viewport={"width": 1366, "height": 900}, accept_downloads=True)
    log = RequestLog(page)
    try:
        page.goto(server.url)
        wait_chart(page, "ad-chart-scorecard")
        page.locator(".ad-preview").wait_for(state="hidden", timeout=10_000)

        # Thạch Bàn's gifts: the amount its report states for its six months, never doubled.
        before = page.locator(".ad-app .ad-summary").inner_text()
        _choose_value(page, 0, _unit_value(page, "Thạch Bàn"))
        page.wait_for_function("b => document.querySelector('.ad-app .ad-summary').innerText !== b",
                               arg=before)
        # a source opens the report's text at its sentence
        page.locator(".ad-app .ad-reader[data-doc='thach-ban-2021-h1']").wait_for()
        link = page.locator(".ad-app .ad-facts a.ad-open[href^='#at-thach-ban']").first
        anchor = link.get_attribute("href")[1:]
        sentence = page.locator(".ad-app .ad-facts .ad-sent").first.inner_text()
        link.click()
        page.wait_for_function("id => location.hash === '#' + id", arg=anchor)
        target = page.locator(f"[id='{anchor}']").locator("xpath=..")
        box = target.bounding_box()
        assert box and 0 <= box["y"] < 900, box                         # scrolled into view
        assert " ".join(sentence.split()) in " ".join(target.inner_text().split())
        assert target.evaluate("e => getComputedStyle(e).backgroundColor") != "rgba(0, 0, 0, 0)"

        page.locator(".lm-TabBar-tab").nth(1).click()
        _indicator(page, "gifts_value_vnd")
        stated = _stated("thach-ban-2021-h1", "tổng trị giá trên")
        view = page.locator(".ad-app .widget-tab-contents")
        from analysis.theme import format_number

        # one unit states it for six months: a sentence with its stated amount, not one bar
        page.locator(".ad-app .ad-one", has_text=format_number(stated, "vnd")).wait_for()
        page.locator(".ad-app .ad-facts mark:visible", has_text="triệu đồng").first.wait_for()
        shown = view.inner_text()
        assert format_number(stated * 2, "vnd") not in shown             # no silent annualising
        marks = page.locator(".ad-app .widget-tab-contents .ad-facts mark").all_inner_texts()
        amount = f"trên {stated / 1e6:.0f} triệu đồng"                    # with its qualifier
        assert amount in [" ".join(m.split()) for m in marks], marks

        # Cự Khối's revenue against its plan: the scorecard's colour, not a mean of two.
        _choose_value(page, 0, _unit_value(page, "Cự Khối"))
        card = scorecard(table("observations"), "Cự Khối", "2018-FY")
        status = card[card["target_id"].eq("budget_revenue_target_achievement")
                      | card["indicator_id"].eq("budget_revenue_target_achievement")]["status"].iloc[0]
        _indicator(page, "budget_revenue_target_achievement")
        bars = """() => [...document.querySelectorAll(
            '.ad-chart-compare svg.marks path[aria-roledescription="bar"]')]
            .map(p => [p.getAttribute('aria-label') || '', p.getAttribute('fill')])"""
        try:   # the unit's change and the indicator's each redraw the chart: wait for the last one
            page.wait_for_function(
                f"c => ({bars})().some(([l, f]) => l.includes('Cự Khối') && (f || '').toLowerCase() === c)",
                arg=STATUS_COLORS[status].lower(), timeout=20_000, polling=50)
        except PlaywrightTimeout:
            pass   # the assertion below says what was drawn instead
        fills = page.evaluate(bars)
        mine = [f for label, f in fills if "Cự Khối" in label]
        assert mine and mine[0].lower() == STATUS_COLORS[status].lower(), fills

        # Downloads of what is shown: the comparison's table and chart, the trend's chart.
        files = {}
        for i in range(page.locator(".ad-app .widget-tab-contents .ad-dl:visible").count()):
            with page.expect_download() as dl:
                page.locator(".ad-app .widget-tab-contents .ad-dl:visible").nth(i).click()
            d = dl.value
            files[d.suggested_filename] = (tmp_path / d.suggested_filename)
            d.save_as(files[d.suggested_filename])
        by_ext = {}
        for path in files.values():
            by_ext.setdefault(path.suffix, []).append(path)
        assert set(by_ext) >= {".csv", ".xlsx", ".png", ".svg"}, files
        csv = pd.read_csv(by_ext[".csv"][0])
        assert {"sentence", "raw", "report_title", "doc_id", "start", "end"} <= set(csv.columns)
        row = csv[csv["unit_name"] == "Cự Khối"].iloc[0]
        assert row["raw"] in row["sentence"]
        book = openpyxl.load_workbook(BytesIO(by_ext[".xlsx"][0].read_bytes()))
        assert [c.value for c in book.active[1]] == list(csv.columns)
        assert all(w > 100 and h > 50 for w, h in (_png_size(p.read_bytes()) for p in by_ext[".png"]))
        for p in by_ext[".svg"]:
            assert ElementTree.fromstring(p.read_bytes()).tag.endswith("svg")
        assert log.errors == [] and log.outside == []
    finally:
        page.close()


def test_small_screen_in_english_holds(server, browser, tmp_path):
    """On a 390 px phone, in English: no control wider than the page.

    English number formats, labels wrapped not clipped (screenshots kept for a look).
    """
    page = browser.new_page(viewport={"width": 390, "height": 844})
    try:
        page.goto(server.url)
        wait_chart(page, "ad-chart-scorecard")
        page.locator(".ad-preview").wait_for(state="hidden", timeout=10_000)
        page.locator("button", has_text="English").click()
        page.locator(".ad-app .ad-title", has_text="Ward and district results").wait_for()
        page.wait_for_timeout(500)
        page.screenshot(path=str(tmp_path / "unit-390-en.png"))
        too_wide = page.evaluate("""() => { const W = document.documentElement.clientWidth;
            return [...document.querySelectorAll('.ad-app select, .ad-app button, .ad-app input,'
              + ' .ad-app .widget-dropdown, .ad-app .lm-TabBar-tab, .ad-app .ad-summary')]
              .map(e => [e.className, e.getBoundingClientRect().right])
              .filter(([c, r]) => r > W + 1); }""")
        assert too_wide == []
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
        numbers = page.locator(".ad-app .ad-facts td.ad-num").all_inner_texts()
        assert numbers and not any(re.search(r"\d\.\d{3}(\D|$)", n) for n in numbers
                                   if "%" not in n), numbers      # no "1.553" thousands dots
        labels = page.locator(".ad-chart-scorecard svg.marks .role-axis-label text").all_text_contents()
        assert labels and not any(x.endswith("…") for x in labels)   # wrapped, not clipped
    finally:
        page.close()


def test_a_rebuild_is_read_on_the_next_load(dataset, browser, tmp_path):
    """With the server running, a build that adds a unit: the next page shows it.

    The preheated kernel read the tables before the build, and reads them again.
    """
    import shutil

    from analysis.store import read_table, write_tables

    folder = tmp_path / "processed"
    shutil.copytree(dataset, folder)
    with VoilaServer(folder, preheat=True) as srv:
        page = browser.new_page()
        try:
            page.goto(srv.url)
            wait_chart(page, "ad-chart-scorecard")
            before = _select(page, 0).locator("option").all_inner_texts()
            assert not any("Mới Toanh" in x.replace("\xa0", " ") for x in before)
        finally:
            page.close()
        srv.wait_for_log("is filled with", count=2, timeout=60)   # a new kernel preheated
        reports, facts = read_table("reports", folder), read_table("facts", folder)
        obs = read_table("observations", folder)
        src = reports[reports["doc_id"] == "cu-khoi-2018-fy"].assign(
            doc_id="moi-toanh-2018-fy", unit_name="Mới Toanh", source_file="moi-toanh-2018-fy.txt")
        added = obs[obs["doc_id"] == "cu-khoi-2018-fy"].assign(
            doc_id="moi-toanh-2018-fy", unit_name="Mới Toanh")
        added = added.assign(obs_id=[f"moi-toanh:{i}" for i in range(len(added))])
        write_tables({"reports": pd.concat([reports, src]), "facts": facts,
                      "observations": pd.concat([obs, added])}, folder)
        page = browser.new_page()
        try:
            page.goto(srv.url)
            wait_chart(page, "ad-chart-scorecard")
            after = _select(page, 0).locator("option").all_inner_texts()
            assert any("Mới Toanh" in x.replace("\xa0", " ") for x in after), after
        finally:
            page.close()


def test_a_closed_page_s_kernel_is_culled_and_an_open_one_is_kept(dataset, browser, tmp_path):
    """voila.json's culling, with its timeout shortened: a page closed frees its kernel.

    A page left open keeps its own (cull_connected is false), and so does the
    preheated pool (its kernel waits for the reader's request, busy, never idle).
    """
    import json
    import time
    from pathlib import Path

    settings = json.loads((Path(__file__).resolve().parents[2] / "voila.json").read_text())
    cull = settings["MappingKernelManager"]
    assert cull["cull_idle_timeout"] > 0 and cull["cull_connected"] is False
    # shorter than voila.json's 120 s, still longer than a page takes to connect to the
    # kernel it was handed (a kernel with no page connected yet is idle, and culled too)
    args = ("--MappingKernelManager.cull_idle_timeout=20", "--MappingKernelManager.cull_interval=2")
    with VoilaServer(dataset, preheat=True, extra_args=args, log=tmp_path / "cull.log") as srv:
        pages = []
        for n in (2, 3):      # two readers, one after the other, each given the preheated kernel
            page = browser.new_page()
            page.goto(srv.url)
            wait_chart(page, "ad-chart-scorecard")
            pages.append(page)
            srv.wait_for_log("is filled with", count=n, timeout=120)
        assert len(srv.kernel_pids()) == 3        # two pages and the pool
        pages[0].close()
        deadline = time.monotonic() + 90
        while len(srv.kernel_pids()) > 2 and time.monotonic() < deadline:
            time.sleep(0.5)
        assert len(srv.kernel_pids()) == 2, srv.log_text()[-2000:]
        # the page left open still works: its kernel answers a choice
        before = chart_marks(pages[1], "ad-chart-scorecard")
        _choose(pages[1], 0, "Phường Cự Khối")
        wait_chart_change(pages[1], "ad-chart-scorecard", before)
        pages[1].close()


def test_pages_kernels_share_one_template_and_none_outlives_the_server(dataset, browser, tmp_path):
    """Each page's kernel is forked from the server's kernel template (``analysis.kernels``).

    The libraries are imported once, in the template, and shared; the pages
    work as before. When the server dies without a word (SIGKILL, its process
    alone), the template and every kernel end with it: nothing is left running.
    """
    import signal
    import time
    from pathlib import Path

    def parent(pid: int) -> int:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])

    def runs(pid: int) -> bool:
        try:
            return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
        except OSError:
            return False

    srv = VoilaServer(dataset, preheat=True, log=tmp_path / "template.log").start()
    try:
        pages = []
        for n in (2, 3):
            page = browser.new_page()
            page.goto(srv.url)
            wait_chart(page, "ad-chart-scorecard")
            pages.append(page)
            srv.wait_for_log("is filled with", count=n, timeout=120)
        kernels = srv.kernel_pids()
        assert len(kernels) == 3                            # two pages and the pool
        templates = {parent(pid) for pid in kernels}
        assert len(templates) == 1
        template = templates.pop()
        assert parent(template) == srv.proc.pid
        assert b"analysis.kernels" in Path(f"/proc/{template}/cmdline").read_bytes()
        before = chart_marks(pages[1], "ad-chart-scorecard")
        _choose(pages[1], 0, "Phường Cự Khối")
        wait_chart_change(pages[1], "ad-chart-scorecard", before)

        os.kill(srv.proc.pid, signal.SIGKILL)
        srv.proc.wait(timeout=10)
        deadline = time.monotonic() + 15
        while any(runs(pid) for pid in (template, *kernels)) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not [pid for pid in (template, *kernels) if runs(pid)]
    finally:
        srv.stop()
