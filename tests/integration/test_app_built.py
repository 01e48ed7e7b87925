"""The app's logic, driven from Python on the real build (the browser tests drive the page)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

import analysis.build
import analysis.extract
from _built_data import processed_dir, table
from analysis.app import LATEST, DashboardApp

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def app(monkeypatch):
    monkeypatch.setenv("ANALYSIS_PROCESSED", str(processed_dir()))
    return DashboardApp()


def chart_records_of(widget) -> list[dict]:
    """The rows a chart widget sends to the page."""
    return widget.spec["datasets"]["rows"]


def _spec_units(widget) -> set[str]:
    return {row["unit_name"] for row in chart_records_of(widget)}


def test_app_reads_processed_tables_and_never_extracts(monkeypatch):
    folder = processed_dir()                                  # built before extraction is refused

    def refuse(*args, **kwargs):
        raise AssertionError("the app must not re-extract facts on page load")

    monkeypatch.setattr(analysis.extract, "extract_facts", refuse)
    monkeypatch.setattr(analysis.build, "facts_for_report", refuse)
    monkeypatch.setenv("ANALYSIS_PROCESSED", str(folder))
    app = DashboardApp()
    assert app._error is None, app._error
    assert app.status.value == ""
    assert app.units == ["district|Cầu Giấy|", "ward|Cự Khối|Long Biên", "ward|Phúc Đồng|Long Biên",
                         "ward|Thạch Bàn|Long Biên", "district|Thanh Xuân|"]


def test_unit_choice_redraws_the_scorecard_with_that_unit(app):
    app.unit.value = app.unit_key_of("Cự Khối")
    assert _spec_units(app.charts["scorecard"]) == {"Cự Khối"}
    assert "Phường Cự Khối · Năm 2018" in app.summary.value
    app.unit.value = app.unit_key_of("Phúc Đồng")
    assert _spec_units(app.charts["scorecard"]) == {"Phúc Đồng"}


def test_missing_report_shows_what_is_missing(app):
    app.unit.value = app.unit_key_of("Cự Khối")
    app.period.value = "2021-H1"
    assert "Chưa có báo cáo cho kỳ này" in app.summary.value
    assert "Các kỳ đã có: Năm 2018" in app.summary.value
    assert app.slots["scorecard"].layout.display == "none"
    app.period.value = LATEST
    assert "Năm 2018" in app.summary.value and app.slots["scorecard"].layout.display is None


def test_a_report_without_targets_says_so(app):
    app.unit.value = app.unit_key_of("Thạch Bàn")
    assert "không nêu chỉ tiêu nào để đối chiếu" in app.scorecard_msg.value
    assert "97,95%" in app.facts.value                       # its figures are still listed


def test_english_switch_changes_every_label(app):
    app.unit.value = app.unit_key_of("Cự Khối")
    app.lang.value = "en"
    assert "Ward and district results" in app.header.value
    assert app.unit.description == "Unit" and app.period.description == "Period"
    assert dict(app.unit.options)["Cự Khối (ward)"] == "ward|Cự Khối|Long Biên"
    assert app.views.get_title(0) == "The unit's results"
    assert "Year 2018" in app.summary.value and "exceeded" in app.summary.value
    spec = app.charts["scorecard"].spec
    assert spec["config"]["locale"]["number"]["decimal"] == "."
    assert "Cự Khối, Year 2018: results against targets" in spec["title"]["text"]


def test_comparison_view_draws_on_opening_and_follows_the_indicator(app):
    app.unit.value = app.unit_key_of("Cự Khối")
    assert "compare" not in app.charts                       # drawn when opened
    app.views.selected_index = 1
    assert _spec_units(app.charts["compare"]) >= {"Cự Khối"}
    drawn = []
    for _, other in app.indicator.options[1:]:
        app.indicator.value = other
        if app.slots["compare"].layout.display is None:   # two units or more: a chart
            drawn.append(other)
            assert {r["indicator_id"] for r in chart_records_of(app.charts["compare"])} == {other}
    assert drawn
    one = next(v for _, v in app.indicator.options if app.reach[v] == 1)
    app.indicator.value = one                              # one unit: a sentence, not one bar
    assert app.slots["compare"].layout.display == "none"
    assert "Cần ít nhất hai đơn vị để so sánh" in app.compare_msg.value


def test_an_indicator_picked_while_a_unit_change_is_in_flight_stays_that_indicator(app):
    """The page sends the position of a menu's choice, so the menu must not move under it.

    A leader who changes the unit and at once picks an indicator sends both before the
    kernel answers the first: the position picked in the old menu is read in the menu
    the unit change left, and must still name the indicator the leader picked.
    """
    app.views.selected_index = 1
    menu = list(app.indicator.options)
    for picked in ("budget_revenue_target_achievement", "gifts_value_vnd"):
        position = [v for _, v in menu].index(picked)
        for unit in app.units:
            app.unit.value = unit                 # the kernel takes the unit change first,
            app.indicator.index = position        # then the position the page sent before it knew
            assert app.indicator.value == picked, unit
            assert list(app.indicator.options) == menu, unit
            if app.slots["compare"].layout.display is None:
                assert {r["indicator_id"] for r in chart_records_of(app.charts["compare"])} == {picked}


def test_topic_filters_the_figures(app):
    app.unit.value = app.unit_key_of("Cự Khối")
    everything = app.facts.value.count("<tr>")
    app.topic.value = "health"
    health = app.facts.value.count("<tr>")
    assert 1 < health < everything
    assert all(app.topics_of[i] == "health" for _, i in app.indicator.options)


def test_a_failing_callback_shows_one_line_not_a_traceback(app, monkeypatch):
    import analysis.app.widgets

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(analysis.app.widgets, "scorecard", broken)
    app.unit.value = app.unit_key_of("Cự Khối")
    assert "Không hiển thị được phần này (Đơn vị)" in app.status.value
    assert "Traceback" not in app.status.value and "boom" not in app.status.value
    monkeypatch.undo()
    app.unit.value = app.unit_key_of("Phúc Đồng")
    assert app.status.value == ""


def test_app_on_disk_reads_only_what_it_shows_and_shows_what_the_whole_tables_give(monkeypatch):
    """At page open the app reads the reports and each indicator's reach, never every observation.

    A city's decade is a million rows; each view then equals what the app shows
    from the whole tables in memory.
    """
    import analysis.app.rows
    import analysis.store
    from analysis.app import FrameRows, QueryRows, load_tables

    monkeypatch.setenv("ANALYSIS_PROCESSED", str(processed_dir()))
    whole = DashboardApp(tables=load_tables())
    read_table = analysis.store.read_table

    def refuse_whole_observations(name, *args, **kwargs):
        assert not (name == "observations" and kwargs.get("period") is None), \
            "the app loaded every observation"
        return read_table(name, *args, **kwargs)

    monkeypatch.setattr(analysis.store, "read_table", refuse_whole_observations)
    monkeypatch.setattr(analysis.app.rows, "read_table", refuse_whole_observations)
    lean = DashboardApp()
    assert isinstance(whole.rows, FrameRows) and isinstance(lean.rows, QueryRows)
    assert lean.units == whole.units and lean.topics_of == whole.topics_of
    for unit in whole.units:
        for app in (whole, lean):
            app.unit.value = unit
        assert lean.summary.value == whole.summary.value
        assert lean.facts.value == whole.facts.value
        assert lean.reader.value == whole.reader.value       # texts read by their period's file
        assert lean.indicator.options == whole.indicator.options
        assert (lean.charts.get("scorecard") is None) == (whole.charts.get("scorecard") is None)
        if "scorecard" in whole.charts:
            assert lean.charts["scorecard"].spec == whole.charts["scorecard"].spec
    for app in (whole, lean):
        app.views.selected_index = 1
    for _, ind in whole.indicator.options[:6]:
        for app in (whole, lean):
            app.indicator.value = ind
        assert lean.compare_note.value == whole.compare_note.value
        assert lean.compare_reader.value == whole.compare_reader.value
        assert lean.trend_msg.value == whole.trend_msg.value
        for name in ("compare", "trend"):
            if name in whole.charts:
                assert lean.charts[name].spec == whole.charts[name].spec, (ind, name)


def test_preview_is_the_first_view_of_the_app(app):
    """What the page shows while its widgets load: the same report, figures and chart."""
    html = app.preview().html
    assert app.summary.value in html and app.facts.value in html
    assert "Đang mở các nút chọn" in html
    assert app.charts["scorecard"].spec["title"]["text"] in html     # the chart's spec
    assert html.startswith('<div class="ad-preview">')
    app.unit.value = app.unit_key_of("Thạch Bàn")                          # no targets: no chart to show
    assert app.preview().html.startswith('<div class="ad-preview ad-preview-nochart">')


def test_preview_chart_is_drawn_ahead_or_by_the_page_when_it_cannot_be_kept(app, tmp_path, monkeypatch):
    """The first view's chart is an SVG drawn in the kernel, before the reader's request.

    Where nothing can be kept (every kernel would start the drawing engine), the
    page draws it with the inlined bundle instead.
    """
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    app.wait_for_page()                                      # outside Voilà: at once
    assert len(list((tmp_path / "analysis" / "svg").glob("*.svg"))) == 1
    html = app.preview().html
    assert '<div class="analysis-chart"><svg' in html and "<script" not in html
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    html = app.preview().html
    assert "window.vegaEmbed" in html and '<div class="analysis-chart"><svg' not in html
    assert app.charts["scorecard"].spec["title"]["text"] in html


# --------------------------------------------------------------------------
# take-away, freshness, errors, duplicates, same names, programmes, reform


def test_the_table_and_chart_shown_download_with_their_provenance(app):
    import io

    import openpyxl
    import pandas as pd

    app.unit.value = app.unit_key_of("Cự Khối")
    name, fmt, data = app.export("facts", "csv")
    assert name.endswith(".csv") and fmt == "csv"
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert len(back) == app.facts.value.count("<tr>") - 1             # the rows shown
    assert {"value", "raw", "qualifier", "sentence", "report_title", "published", "doc_id",
            "start", "end"} <= set(back.columns)
    reports = table("reports")                                          # the report's text as read
    text = " ".join(reports.set_index("doc_id").loc["cu-khoi-2018-fy", "text"].split())
    for r in back.head(10).to_dict("records"):                          # raw is in its sentence,
        assert r["raw"] in r["sentence"]                                # which is in the report
        assert " ".join(r["sentence"].split()) in text
    book = openpyxl.load_workbook(io.BytesIO(app.export("facts", "xlsx")[2]))
    assert [c.value for c in book.active[1]] == list(back.columns)
    assert app.export("scorecard", "png")[2][:8] == b"\x89PNG\r\n\x1a\n"
    assert b"<svg" in app.export("scorecard", "svg")[2][:400]
    button = app._download_buttons[("facts", "csv")]
    sent = []
    button.send = lambda content, buffers=None: sent.append((content, buffers))
    button._asked(button, {"ask": True}, [])                            # the page's click
    assert sent[0][0]["filename"] == name and sent[0][1][0] == data


def test_a_build_finished_while_the_page_is_open_is_read_before_the_next_redraw(monkeypatch, tmp_path):
    import shutil

    import pandas as pd

    from analysis.store import write_tables

    folder = tmp_path / "processed"
    shutil.copytree(processed_dir(), folder)
    monkeypatch.setenv("ANALYSIS_PROCESSED", str(folder))
    app = DashboardApp()
    assert not any("Mới Toanh" in k for k in app.units)
    reports, obs = table("reports"), table("observations")
    src = reports[reports["doc_id"] == "cu-khoi-2018-fy"].assign(
        doc_id="moi-toanh-2018-fy", unit_name="Mới Toanh", source_file="moi-toanh-2018-fy.txt")
    added = obs[obs["doc_id"] == "cu-khoi-2018-fy"].assign(doc_id="moi-toanh-2018-fy",
                                                           unit_name="Mới Toanh")
    added = added.assign(obs_id=[f"moi:{i}" for i in range(len(added))])
    write_tables({"reports": pd.concat([reports, src]), "facts": table("facts"),
                  "observations": pd.concat([obs, added])}, folder)
    app.topic.value = "health"                                          # any choice
    assert any("Mới Toanh" in k for k in app.units)
    assert "dựng lại" in app.notice.value
    app.unit.value = app.unit_key_of("Mới Toanh")
    assert "Mới Toanh" in app.summary.value


def test_a_failed_view_leaves_nothing_of_the_previous_unit(app, monkeypatch):
    import analysis.app.widgets

    app.unit.value = app.unit_key_of("Cự Khối")
    assert "Cự Khối" in app.summary.value and app.facts.value

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(analysis.app.widgets, "scorecard", broken)
    app.unit.value = app.unit_key_of("Phúc Đồng")
    assert "Không hiển thị được phần này" in app.status.value
    assert app.summary.value == "" and app.facts.value == "" and app.reader.value == ""
    assert app.slots["scorecard"].layout.display == "none"


def _tables_with(extra_reports, extra_obs):
    import pandas as pd

    return {"reports": pd.concat([table("reports"), extra_reports]),
            "observations": pd.concat([table("observations"), extra_obs])}


def test_two_reports_of_one_unit_and_period_are_flagged(monkeypatch):
    reports, obs = table("reports"), table("observations")
    again = reports[reports["doc_id"] == "cu-khoi-2018-fy"].assign(
        doc_id="cu-khoi-2018-fy-b", title="Báo cáo thứ hai", source_file="b.txt")
    app = DashboardApp(tables=_tables_with(again, obs.iloc[0:0]))
    app.unit.value = app.unit_key_of("Cự Khối")
    assert "Có 2 báo cáo của Phường Cự Khối cho kỳ Năm 2018" in app.unit_notes.value
    assert "Báo cáo thứ hai" in app.unit_notes.value


def test_a_ward_and_a_district_of_one_name_are_two_units():
    reports, obs = table("reports"), table("observations")
    ward = reports[reports["doc_id"] == "cu-khoi-2018-fy"].assign(
        doc_id="lb-ward", unit_name="Long Biên", unit_level="ward", parent="Long Biên")
    district = ward.assign(doc_id="lb-district", unit_level="district", parent=None)
    ck = obs[obs["doc_id"] == "cu-khoi-2018-fy"]
    w_obs = ck.assign(doc_id="lb-ward", unit_name="Long Biên", unit_level="ward",
                      obs_id=[f"w{i}" for i in range(len(ck))])
    d_obs = ck.head(3).assign(doc_id="lb-district", unit_name="Long Biên", unit_level="district",
                              parent=None, obs_id=[f"d{i}" for i in range(3)])
    import pandas as pd

    app = DashboardApp(tables=_tables_with(pd.concat([ward, district]), pd.concat([w_obs, d_obs])))
    labels = dict(app.unit.options)
    assert labels["Phường Long Biên"] == "ward|Long Biên|Long Biên"
    assert labels["Quận Long Biên"] == "district|Long Biên|"
    app.unit.value = "district|Long Biên|"
    assert app.facts.value.count("<tr>") == 1 + 3
    app.unit.value = "ward|Long Biên|Long Biên"
    assert app.facts.value.count("<tr>") == 1 + len(ck)


def test_programmes_view_lists_units_periods_and_sentences(app):
    app.views.selected_index = 2
    keys = [v for _, v in app.programme.options]
    programme = next(k for k in keys if k.startswith("02-CTr/QU") and "2020-2025" in k)
    app.programme.value = programme
    text = (ROOT / "data" / "raw" / "thach-ban-2021-h1.txt").read_text(encoding="utf-8")
    assert "02-CTr/QU" in text                                 # Thạch Bàn reports on it
    assert "Phường Thạch Bàn · 6 tháng đầu năm 2021" in app.programme_table.value
    assert "<mark>" in app.programme_table.value and 'class="ad-reader"' in app.programme_reader.value
    assert app.export("programme", "csv")[2]


def test_a_unit_the_2025_reform_ended_shows_its_successor(app):
    app.unit.value = app.unit_key_of("Thạch Bàn")
    assert "không còn từ ngày 1/7/2025" in app.unit_notes.value
    assert "Phường Long Biên (chỉ một phần" in app.unit_notes.value


def test_english_mode_writes_numbers_the_english_way(app):
    app.unit.value = app.unit_key_of("Cầu Giấy")
    app.lang.value = "en"
    cells = re.findall(r"<td class='ad-num'>([^<]*)</td>", app.facts.value)
    assert cells and not any(re.search(r"\d\.\d{3}(\D|$)", c) for c in cells), cells
    assert not any(re.search(r"\d,\d{1,2}%", c) for c in cells)          # no decimal comma
    texts = [r["text"] for r in chart_records_of(app.charts["scorecard"])]
    assert all(not re.search(r"\d\.\d{3}", x) for x in texts), texts
    assert all("%" in x.split("·")[0] or "(" in x for x in texts)


def test_period_pages_tell_a_ward_from_a_district_of_one_name(monkeypatch, tmp_path):
    """Phường and quận Long Biên in one period: two pages, two files.

    The count printed is the files written (a one-cell notebook stands in for
    the period report).
    """
    import nbformat
    import pandas as pd

    from analysis.period_reports import render_period_reports
    from analysis.store import write_tables

    reports, obs = table("reports"), table("observations")
    ward = reports[reports["doc_id"] == "cu-khoi-2018-fy"].assign(
        doc_id="lb-ward", unit_name="Long Biên", unit_level="ward", parent="Long Biên")
    district = ward.assign(doc_id="lb-district", unit_level="district", parent=None)
    folder = tmp_path / "processed"
    write_tables({"reports": pd.concat([reports, ward, district]), "facts": table("facts"),
                  "observations": obs}, folder)
    monkeypatch.setenv("ANALYSIS_PROCESSED", str(folder))
    stub = tmp_path / "stub.ipynb"
    cell = nbformat.v4.new_code_cell("unit = period = lang = unit_level = parent = None")
    cell.metadata["tags"] = ["parameters"]
    show = nbformat.v4.new_code_cell("print(unit_level, unit, parent)")
    nb = nbformat.v4.new_notebook(cells=[cell, show], metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    nbformat.write(nb, stub)
    lines = []
    pages = render_period_reports("2018-FY", out_dir=tmp_path / "out", notebook=stub,
                                  progress=lines.append)
    names = sorted(p.name for p in pages)
    assert names == ["cu-khoi.html", "phuong-long-bien.html", "quan-long-bien.html"]
    assert sorted(p.name for p in (tmp_path / "out" / "2018-FY").iterdir()) == names
    assert len(lines) == len(pages) == 3
    assert "district Long Biên None" in (tmp_path / "out" / "2018-FY" / "quan-long-bien.html").read_text()


def test_a_period_page_carries_its_downloads_and_sentences():
    """The period report's page carries its table, chart and sentences.

    The table (CSV, Excel) and chart (PNG, SVG) are inside the page, and each
    figure's whole sentence is linked into the report's text.
    """
    import base64
    import io

    import openpyxl
    import pandas as pd

    from analysis.period_reports import downloads_html, figures_table

    obs, reports = table("observations"), table("reports")
    links = re.findall(r'<a download="([^"]+)" href="data:([^;]+);base64,([^"]+)"',
                       downloads_html("Cự Khối", "2018-FY", obs=obs, reports=reports).data)
    files = {name.rsplit(".", 1)[1]: base64.b64decode(data) for name, _, data in links}
    assert set(files) == {"csv", "xlsx", "png", "svg"}
    csv = pd.read_csv(io.BytesIO(files["csv"]), encoding="utf-8-sig")
    assert {"sentence", "report_title", "doc_id", "start", "end"} <= set(csv.columns)
    assert openpyxl.load_workbook(io.BytesIO(files["xlsx"])).active.max_row == len(csv) + 1
    assert files["png"][:8] == b"\x89PNG\r\n\x1a\n" and b"<svg" in files["svg"][:400]
    page = figures_table("Cự Khối", "2018-FY", obs=obs, reports=reports).data
    assert "<mark>1946/2129</mark>" in page and 'class="ad-badge"' in page
    anchors = set(re.findall(r'href="#(at-[^"]+)"', page))
    assert anchors and anchors <= set(re.findall(r'<a id="(at-[^"]+)"></a>', page))


def test_a_comparison_names_a_ward_and_a_district_of_one_name_apart():
    import pandas as pd

    reports, obs = table("reports"), table("observations")
    ward = reports[reports["doc_id"] == "cu-khoi-2018-fy"].assign(
        doc_id="lb-ward", unit_name="Long Biên", unit_level="ward", parent="Long Biên")
    district = ward.assign(doc_id="lb-district", unit_level="district", parent=None)
    rate = obs[(obs["doc_id"] == "cu-khoi-2018-fy") & (obs["indicator_id"] == "cultural_family_rate")]
    both = pd.concat([rate.assign(doc_id=d, unit_name="Long Biên", unit_level=lv, parent=pa,
                                  obs_id=[f"{d}{i}" for i in range(len(rate))])
                      for d, lv, pa in (("lb-ward", "ward", "Long Biên"),
                                        ("lb-district", "district", None))])
    app = DashboardApp(tables=_tables_with(pd.concat([ward, district]), both))
    app.unit.value = "district|Long Biên|"
    app.views.selected_index = 1
    app.indicator.value = "cultural_family_rate"
    labels = [r["row_label"] for r in chart_records_of(app.charts["compare"])]
    assert any(x.startswith("Phường Long Biên") for x in labels)
    assert any(x.startswith("Quận Long Biên") for x in labels)
    selected = [r for r in chart_records_of(app.charts["compare"]) if r["is_selected"]]
    assert [r["row_label"].split(" · ")[0] for r in selected] == ["Quận Long Biên"]


def test_a_preheated_kernel_waits_for_the_request_voila_sends(monkeypatch):
    """The kernel side of Voilà's preheat protocol, as analysis.app.wait_for_request speaks it.

    A stand-in for Voilà's /voila/query/<kernel id> websocket sends the request's details
    when a reader takes the kernel; they land in the kernel's environment.
    """
    import asyncio
    import json
    import os
    import threading

    import websockets

    from analysis.app import wait_for_request

    paths_asked, ready, stop = [], threading.Event(), threading.Event()
    port_box: list[int] = []

    async def handler(ws):
        paths_asked.append(ws.request.path)
        await ws.send(json.dumps({"SCRIPT_NAME": "/lanh-dao/", "QUERY_STRING": "lang=en"}))

    async def serve():
        async with websockets.serve(handler, "127.0.0.1", 0) as server:
            port_box.append(server.sockets[0].getsockname()[1])
            ready.set()
            while not stop.is_set():
                await asyncio.sleep(0.05)

    thread = threading.Thread(target=lambda: asyncio.run(serve()), daemon=True)
    thread.start()
    assert ready.wait(10)
    monkeypatch.setenv("VOILA_PREHEAT", "True")
    monkeypatch.setenv("VOILA_APP_PORT", str(port_box[0]))
    monkeypatch.setenv("VOILA_SERVER_URL", "/lanh-dao/")
    monkeypatch.setenv("VOILA_KERNEL_ID", "k-123")
    monkeypatch.delenv("QUERY_STRING", raising=False)
    try:
        assert wait_for_request() is True
    finally:
        stop.set()
        thread.join(10)
    assert paths_asked == ["/lanh-dao/voila/query/k-123"]
    assert os.environ["QUERY_STRING"] == "lang=en"
    monkeypatch.delenv("QUERY_STRING")
    monkeypatch.delenv("SCRIPT_NAME")
    monkeypatch.setenv("VOILA_PREHEAT", "False")
    assert wait_for_request() is False          # outside a preheated kernel: no wait at all


def _anchors(html: str) -> set[str]:
    return set(re.findall(r'<a id="([^"]+)"></a>', html))


def test_every_source_in_a_comparison_opens_its_sentence_in_an_excerpt(app):
    """In the comparison, each figure's source link leads to its sentence, in its report's own words.

    The comparison's reader holds only the paragraphs with figures (thirty
    whole reports would weigh hundreds of kilobytes at every change of
    indicator), says that it is an excerpt, and the unit's own view keeps the
    whole text.
    """
    from analysis.store import read_table
    texts = dict(read_table("reports", processed_dir(), columns=["doc_id", "text"]).values.tolist())
    app.views.selected_index = 1
    checked = 0
    for _, ind in app.indicator.options:
        app.indicator.value = ind
        links = set(re.findall(r'class="ad-open" href="#([^"]+)"', app.compare_table.value))
        reader = app.compare_reader.value
        assert links <= _anchors(reader), ind
        if not links:
            continue
        assert "trích các đoạn có số liệu" in reader
        docs = set(re.findall(r'class="ad-reader" data-doc="([^"]+)"', reader))
        shown = re.sub(r"<[^>]+>", "", reader)
        assert sum(len(texts[d]) for d in docs) > len(shown)          # less than the whole reports
        for sentence in re.findall(r'<div class="ad-sent">(.*?)</div>', app.compare_table.value):
            plain = " ".join(re.sub(r"<[^>]+>", "", sentence).split())
            assert plain in " ".join(shown.split()), (ind, plain)
        checked += 1
    assert checked >= 3
    app.views.selected_index = 0
    app.unit.value = app.unit_key_of("Cự Khối")
    assert "trích" not in app.reader.value                       # the unit's view: the whole text
    assert re.sub(r"<[^>]+>", "", app.reader.value).count("\n") >= texts["cu-khoi-2018-fy"].count("\n")
