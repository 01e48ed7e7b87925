"""The app's logic, driven from Python on the real build (the browser tests drive the page)."""
from __future__ import annotations

import pytest

import analysis.build
import analysis.extract
from analysis.dashboard import LATEST, DashboardApp, render_facts_table

from _built_data import processed_dir, table


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
    first = app.indicator.value
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


def test_topic_filters_the_figures(app):
    app.unit.value = app.unit_key_of("Cự Khối")
    everything = app.facts.value.count("<tr>")
    app.topic.value = "health"
    health = app.facts.value.count("<tr>")
    assert 1 < health < everything
    assert all(app.topics_of[i] == "health" for _, i in app.indicator.options)


def test_a_failing_callback_shows_one_line_not_a_traceback(app, monkeypatch):
    import analysis.compare

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(analysis.compare, "scorecard", broken)
    app.unit.value = app.unit_key_of("Cự Khối")
    assert "Không hiển thị được phần này (Đơn vị)" in app.status.value
    assert "Traceback" not in app.status.value and "boom" not in app.status.value
    monkeypatch.undo()
    app.unit.value = app.unit_key_of("Phúc Đồng")
    assert app.status.value == ""


def test_no_processed_tables_gives_the_fix(monkeypatch, tmp_path):
    monkeypatch.setenv("ANALYSIS_PROCESSED", str(tmp_path / "nothing"))
    app = DashboardApp()
    assert "make build" in app.status.value
    assert app.views.layout.display == "none"


def test_facts_table_escapes_report_text():
    hostile = '<script>alert(1)</script><img src=x onerror=alert(2)> <a href="javascript:x">97,95%</a>'
    obs = table("observations").head(1).assign(quote=hostile, sentence=hostile, raw="97,95%")
    html = render_facts_table(obs, meta={obs["doc_id"].iloc[0]: {"title": "<b>Báo cáo</b>"}})
    assert "<script>" not in html and "<img" not in html and "<b>" not in html
    assert "javascript:" not in html.replace("href=&quot;javascript:", "")
    assert html.count("<a ") == 1 and '<a class="ad-open" href="#at-' in html   # the reader link only
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<mark>97,95%</mark>" in html


def test_app_on_disk_reads_only_what_it_shows_and_shows_what_the_whole_tables_give(monkeypatch):
    """At page open the app reads the reports and each indicator's reach, never every
    observation (a city's decade is a million rows); each view then equals what
    the app shows from the whole tables in memory."""
    import analysis.store
    from analysis.dashboard import FrameRows, QueryRows, load_tables

    monkeypatch.setenv("ANALYSIS_PROCESSED", str(processed_dir()))
    whole = DashboardApp(tables=load_tables())
    read_table = analysis.store.read_table

    def refuse_whole_observations(name, *args, **kwargs):
        assert not (name == "observations" and kwargs.get("period") is None), \
            "the app loaded every observation"
        return read_table(name, *args, **kwargs)

    monkeypatch.setattr(analysis.store, "read_table", refuse_whole_observations)
    lean = DashboardApp()
    assert isinstance(whole.rows, FrameRows) and isinstance(lean.rows, QueryRows)
    assert lean.units == whole.units and lean.topics_of == whole.topics_of
    for unit in whole.units:
        for app in (whole, lean):
            app.unit.value = unit
        assert lean.summary.value == whole.summary.value
        assert lean.facts.value == whole.facts.value
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
