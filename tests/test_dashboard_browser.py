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

from browser_harness import (RequestLog, VoilaServer, chart_marks, charts_seen, chromium_missing,
                             launch_chromium, wait_chart, wait_chart_change, watch_charts)

from _built_data import processed_dir, table

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
        quote=[f"Phường {SCRIPT} đạt {IMG} {LINK} {raw}" for raw in new_obs["raw"]])
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


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = launch_chromium(p)
        yield b
        b.close()


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
        assert "Cầu Giấy, 6 tháng đầu năm 2022" in preview_text
        assert page.locator(".ad-app .ad-title").inner_text() == "Kết quả công tác của phường, quận"
        assert _chosen(page, 0) == "Quận Cầu Giấy"

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
    page.locator(".ad-app .ad-facts", has_text="ngoc-thuy-2019-fy").wait_for(timeout=10_000)

    facts = page.locator(".ad-app .ad-facts").inner_text()
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
    import nbformat

    from analysis.charts import chart_scorecard
    from analysis.compare import scorecard
    import altair as alt

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
