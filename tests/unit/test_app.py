"""The leaders' app on small inline inputs: no build (the app on the real build: integration)."""
from __future__ import annotations

import re

import pandas as pd

from analysis.app import DashboardApp, render_facts_table


def test_no_processed_tables_gives_the_fix(monkeypatch, tmp_path):
    monkeypatch.setenv("ANALYSIS_PROCESSED", str(tmp_path / "nothing"))
    app = DashboardApp()
    assert "make build" in app.status.value
    assert app.views.layout.display == "none"


def test_facts_table_escapes_report_text():
    hostile = '<script>alert(1)</script><img src=x onerror=alert(2)> <a href="javascript:x">97,95%</a>'
    obs = pd.DataFrame([{
        "unit_name": "Ngọc Lâm", "period": "2023-H1", "indicator_id": "health_insurance_coverage_rate",
        "value": 97.95, "unit": "percent", "raw": "97,95%", "quote": hostile, "sentence": hostile,
        "doc_id": "ngoc-lam-2023-h1", "start": 120, "end": 126}])
    html = render_facts_table(obs, meta={"ngoc-lam-2023-h1": {"title": "<b>Báo cáo</b>"}})
    assert "<script>" not in html and "<img" not in html and "<b>" not in html
    assert "javascript:" not in html.replace("href=&quot;javascript:", "")
    assert html.count("<a ") == 1 and '<a class="ad-open" href="#at-' in html   # the reader link only
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<mark>97,95%</mark>" in html



def test_an_excerpt_keeps_each_figures_sentence_and_cuts_a_long_paragraph_between_sentences():
    from analysis.app.html import EXCERPT_CHARS, reader_html

    filler = "Công tác tuyên truyền được đẩy mạnh trên địa bàn phường. " * 40      # one long paragraph
    sentence = "Tặng 120 suất quà, trị giá 84 triệu đồng."
    text = "Mở đầu báo cáo.\n" + filler + sentence + " " + filler + "\nKết thúc <b>."
    start = text.index(sentence)
    out = reader_html("tb", text, {"title": "Báo cáo"},
                      [{"start": start + 5, "end": start + 8, "sentence": sentence}], excerpt=True)
    body = out.split('<div class="ad-reader-text">', 1)[1]
    assert f'<span class="ad-rs"><a id="at-tb-{start + 5}"></a>{sentence}</span>' in body
    assert "Mở đầu" not in body and "Kết thúc" not in body                 # other paragraphs left out
    assert body.count("…") == 2 and len(body) < 2 * EXCERPT_CHARS          # cut before and after
    plain = re.sub(r"<[^>]+>", "", body)
    assert plain.startswith("…") and plain.rstrip().endswith("…")
    # cut between whole sentences
    assert plain[1:].startswith("Công tác tuyên truyền") and plain.rstrip()[:-1].endswith("địa bàn phường.")
    whole = reader_html("tb", text, None, [{"start": start + 5, "end": start + 8, "sentence": sentence}])
    assert "Mở đầu" in whole and "Kết thúc &lt;b&gt;" in whole and "…" not in whole
