"""Charts rendered offline (vl-convert) and the offline renderer: axes and pages in the theme's language."""
from __future__ import annotations

import json
import re

import pandas as pd
import vl_convert as vlc

from analysis import theme
from analysis.theme import apply_theme, import_altair

alt = import_altair()


def _axis_labels(chart) -> list[str]:
    svg = vlc.vegalite_to_svg(chart.to_dict())
    return re.findall(r">(-?[0-9][0-9.,]*)<", svg)


def test_axes_render_with_the_language_of_the_theme():
    chart = alt.Chart(pd.DataFrame({"v": [12877755000.0, 1.5]})).mark_bar().encode(
        x=alt.X("v:Q", axis=alt.Axis(format=",.2f")))
    vi, en = _axis_labels(apply_theme(chart, "vi")), _axis_labels(apply_theme(chart, "en"))
    assert "10.000.000.000,00" in vi and "0,00" in vi
    assert "10,000,000,000.00" in en and "0.00" in en


def test_offline_html_inlines_the_bundle_and_fetches_nothing():
    spec = {"$schema": "https://vega.github.io/schema/vega-lite/v6.json", "mark": "point",
            "data": {"values": [{"quote": "</script><script>alert(1)</script>"}]}}
    html = theme.offline_chart_html(spec)
    assert "window.vegaEmbed=" in html          # the bundle is in the page
    assert not re.search(r"<script[^>]+src=", html)
    assert not re.search(r"(?:import|fetch)\(\s*['\"]https?:", html)
    # Report text cannot close the script element it travels in.
    assert "</script><script>alert(1)" not in html
    payload = re.search(r"var spec = (\{.*?\}), opt", html, re.S).group(1)
    assert json.loads(payload)["data"]["values"][0]["quote"] == "</script><script>alert(1)</script>"


def test_offline_renderer_gives_vega_lite_and_html_outputs():
    name = theme.use_offline_renderer()
    try:
        chart = alt.Chart(pd.DataFrame({"v": [97.95]})).mark_bar().encode(x=alt.X("v:Q"))
        bundle = alt.renderers.get()(chart.to_dict())
        first = bundle[0] if isinstance(bundle, tuple) else bundle
        assert first[theme.VEGALITE_MIMETYPE]["mark"]["type"] == "bar"
        assert "window.vegaEmbed=" in first["text/html"]
        again = alt.renderers.get()(chart.to_dict())
        again = again[0] if isinstance(again, tuple) else again
        assert "window.vegaEmbed=" not in again["text/html"]   # the bundle goes once per session
        assert "vegaEmbed(" in again["text/html"]
    finally:
        alt.renderers.enable("default")
    assert name == theme.OFFLINE_RENDERER


def _spec_with(text: str) -> dict:
    return alt.Chart(pd.DataFrame({"v": [97.95], "q": [text]})).mark_bar().encode(
        x="v:Q", y="q:N").properties(title=text).to_dict()


def test_a_chart_drawn_as_svg_is_kept_and_report_text_stays_text(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    quote = "</svg><script>alert(1)</script> đạt 97,95%"
    svg = theme.chart_svg(_spec_with(quote))
    assert svg.startswith("<svg") and 'class="marks"' in svg
    assert "<script" not in svg and "&lt;/svg&gt;&lt;script&gt;" in svg   # drawn as text
    assert "đạt 97,95%" in svg
    kept = list((tmp_path / "analysis" / "svg").glob("*.svg"))
    assert len(kept) == 1
    kept[0].write_text(svg.replace("đạt", "KEPT"), encoding="utf-8")
    assert "KEPT 97,95%" in theme.chart_svg(_spec_with(quote))          # read back, not drawn again
    assert "KEPT" not in theme.chart_svg(_spec_with(quote + " "))       # another spec, another file


def test_no_svg_when_the_cache_cannot_be_written(tmp_path, monkeypatch):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))   # nothing can be kept under a file
    assert theme.chart_svg(_spec_with("đạt 97,95%")) is None
