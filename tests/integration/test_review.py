"""The review queue and the review app's logic, driven from Python (the browser test drives the page).

A report written for the test is built into a temporary folder; the app's
decisions go to a temporary corrections file.
"""
from __future__ import annotations

import csv

import pytest

from analysis.build import build
from analysis.corrections import CorrectionError
from analysis.review import DOUBTS, ReviewApp

DOC = "bo-de-2023-h1"
TEXT = """UỶ BAN NHÂN DÂN PHƯỜNG BỒ ĐỀ
BÁO CÁO
Kết quả công tác 6 tháng đầu năm 2023
Toàn phường có 2.310/2.400 hộ đạt danh hiệu gia đình văn hóa, đạt tỷ lệ 96,25%.
Tổ chức 7 buổi sinh hoạt câu lạc bộ <b>dưỡng sinh</b> cho người cao tuổi.
"""


@pytest.fixture(scope="module")
def processed(tmp_path_factory):
    root = tmp_path_factory.mktemp("review-app")
    (root / "raw").mkdir()
    (root / "raw" / f"{DOC}.txt").write_text(TEXT, encoding="utf-8")
    build(raw=root / "raw", out=root / "processed", progress=False)
    return root / "processed"


@pytest.fixture
def app(processed, tmp_path):
    return ReviewApp(processed=processed, corrections=tmp_path / "corrections.csv", reviewer="lan")


def _rows(app):
    with open(app.corrections, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_the_queue_puts_the_figure_without_indicator_first_and_escapes_the_text(app):
    queue = app.queue()
    assert queue["raw"].iloc[0] == "7" and queue["doubts"].iloc[0] == ["no_indicator"]
    assert queue["doubt_rank"].tolist() == sorted(queue["doubt_rank"])
    card = app.items.children[0].children[0].value
    assert "<mark>7</mark>" in card and "&lt;b&gt;dưỡng sinh&lt;/b&gt;" in card and "<b>" not in card
    assert "Chưa gắn chỉ tiêu" in card
    app.show.value = "all"                      # the figures no doubt was raised on, too
    assert set(app.queue()["raw"]) == {"2.310/2.400", "96,25%", "7"}
    assert (app.queue()["doubt_rank"] == len(DOUBTS)).any()


def test_a_search_finds_the_number_first(app):
    app.search.value = "96,25"
    assert app.queue()["raw"].iloc[0] == "96,25%"


def test_decisions_are_written_at_once_and_the_page_says_the_next_build_applies_them(app):
    fact = app.queue().iloc[0]
    app.decide(fact, "reject")
    app.decide_report(DOC, "period", "2023-9m")
    rows = _rows(app)
    assert [(r["raw"], r["action"], r["field"], r["value"], r["reviewer"]) for r in rows] == [
        ("7", "reject", "", "", "lan"), ("", "set", "period", "2023-9M", "lan")]
    assert rows[0]["context_before"] == "Tổ chức " and rows[0]["context_after"].startswith(" buổi")
    app._saved("x")
    assert "Lần dựng dữ liệu sau (make build) sẽ áp dụng" in app.status.value


def test_a_bad_value_is_one_line_on_the_page_and_nothing_is_written(app):
    fact = app.queue().iloc[0]
    with pytest.raises(CorrectionError):
        app.decide(fact, "set", "value", "bảy")
    assert "Chưa ghi được: value &#x27;bảy&#x27; is not a number" in app.status.value
    assert not app.corrections.exists()


def test_english_switches_the_labels(app):
    app.lang.value = "en"
    assert "Review the figures" in app.header.value
    assert "figures;" in app.counts.value and "No indicator" in app.items.children[0].children[0].value
