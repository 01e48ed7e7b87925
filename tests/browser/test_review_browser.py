"""The analysts' review app served by a real Voilà and used in Debian's headless Chromium.

An analyst rejects one figure, gives another its indicator (chosen by name) and
sets a report's period; the corrections file then holds three rows, and a
rebuild into a temporary folder gives tables, and a leaders' app, with the
corrected data. One Voilà server for the module, reading a build of the
bundled reports in a temporary folder; the corrections go to a temporary file
(``ANALYSIS_CORRECTIONS``), never to data/.
"""
from __future__ import annotations

import csv
import os
import re

import pytest

from analysis.build import build
from analysis.i18n import indicator_name
from analysis.store import read_table
from browser_harness import ROOT, RequestLog, VoilaServer, chromium_missing

pytestmark = pytest.mark.browser
if chromium_missing():
    if os.environ.get("CI"):  # in CI a missing browser is a broken set-up, not a skip
        raise RuntimeError(chromium_missing())
    pytest.skip(chromium_missing(), allow_module_level=True)

REVIEW_APP = ROOT / "notebooks" / "apps" / "review.ipynb"
GIFTS = ("thach-ban-2021-h1", "1.800")         # "gần 1.800 lượt quà": to reject
VISITS = ("cau-giay-2022-h1", "10.856")        # "khám BHYT là 10.856 lượt người": medical visits
PLAN = "thanh-xuan-2021-q4"                    # its period set to the year 2021


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("review")
    build(out=root / "processed", corrections=root / "corrections.csv", progress=False)
    return root


@pytest.fixture(scope="module")
def server(folder):
    mp = pytest.MonkeyPatch()
    mp.setenv("ANALYSIS_CORRECTIONS", str(folder / "corrections.csv"))   # the kernels inherit it
    try:
        with VoilaServer(folder / "processed", notebook=REVIEW_APP, preheat=True) as srv:
            yield srv
    finally:
        mp.undo()


def _choose(page, cls: str, label: str) -> None:
    """Pick a dropdown option by its text (ipywidgets writes spaces as NBSP)."""
    page.locator(f".rv-app .{cls} select").select_option(label=label.replace(" ", "\xa0"))


def _find(page, number: str):
    box = page.locator(".rv-app .rv-search input")
    box.fill(number)
    box.press("Enter")
    item = page.locator(".rv-item", has=page.locator("mark", has_text=re.compile(f"^{re.escape(number)}$")))
    item.first.wait_for(timeout=20_000)
    return item.first


def _fact(facts, doc, raw):
    rows = facts[(facts["doc_id"] == doc) & (facts["raw"] == raw)]
    assert len(rows) == 1, (doc, raw)
    return rows.iloc[0]


def _marked(number: str, html: str) -> bool:
    """Whether the page shows the number as a figure (marked in its sentence)."""
    return re.search(rf"<mark>[^<]*(?<![\d.,]){re.escape(number)}</mark>", html) is not None


def _leaders_view(monkeypatch, processed, unit: str) -> str:
    """What the leaders' app shows for a unit: its report's summary and table of figures."""
    from analysis.app import DashboardApp

    monkeypatch.setenv("ANALYSIS_PROCESSED", str(processed))
    app = DashboardApp()
    [value] = [v for label, v in app.unit.options if unit in label]
    app.unit.value = value
    return app.summary.value + app.facts.value


def test_analyst_corrects_three_things_and_the_next_build_applies_them(folder, server, browser,
                                                                        monkeypatch):
    processed, corrections = folder / "processed", folder / "corrections.csv"
    facts = read_table("facts", processed)
    gift = _fact(facts, *GIFTS)
    assert gift["indicator_id"] == "gifts_given"                  # a leader sees it today
    assert str(_fact(facts, *VISITS)["indicator_id"]) != "medical_visits"
    assert _marked("1.800", _leaders_view(monkeypatch, processed, "Thạch Bàn"))

    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    log = RequestLog(page)
    try:
        page.goto(server.url)
        title = page.locator(".rv-app .ad-title")
        title.wait_for(timeout=60_000)
        assert title.inner_text() == "Xem lại số liệu trích từ báo cáo"      # Vietnamese first
        page.locator(".rv-app button", has_text="English").click()
        page.locator(".rv-app .ad-title", has_text="Review the figures").wait_for(timeout=10_000)
        page.locator(".rv-app button", has_text="Tiếng Việt").click()
        page.locator(".rv-app .ad-title", has_text="Xem lại số liệu").wait_for(timeout=10_000)

        # 1. Not a figure to keep: one click.
        _choose(page, "rv-period", "6 tháng đầu năm 2021")
        _choose(page, "rv-report-choice", "Phường Thạch Bàn · 6 tháng đầu năm 2021 (thach-ban-2021-h1)")
        item = _find(page, "1.800")
        card = item.inner_text()
        assert "tặng quà Tết" in card and indicator_name("gifts_given") in card   # sentence, indicator
        assert "khoảng, gần" in card and "số đếm" in card                        # qualifier, kind
        item.locator(".rv-reject").click()
        item.locator(".rv-decided", has_text="Đã loại").wait_for(timeout=10_000)
        status = page.locator(".rv-app .rv-status")
        status.wait_for(timeout=10_000)
        assert "Lần dựng dữ liệu sau (make build) sẽ áp dụng" in status.inner_text()

        # 2. Another figure's indicator, chosen from the catalogue by its name.
        _choose(page, "rv-period", "6 tháng đầu năm 2022")
        _choose(page, "rv-report-choice", "Quận Cầu Giấy · 6 tháng đầu năm 2022 (cau-giay-2022-h1)")
        item = _find(page, "10.856")
        item.locator(".rv-edit").click()
        item.locator(".rv-save").wait_for(timeout=10_000)
        name = indicator_name("medical_visits")
        item.locator("select").nth(1).select_option(label=name.replace(" ", "\xa0"))
        item.locator(".rv-save").click()
        item.locator(".rv-decided", has_text=name).wait_for(timeout=10_000)

        # 3. A report's period.
        _choose(page, "rv-period", "3 tháng cuối năm 2021")
        _choose(page, "rv-report-choice", "Quận Thanh Xuân · 3 tháng cuối năm 2021 (thanh-xuan-2021-q4)")
        # the form of the report just chosen, not the previous report's one it replaces
        form = page.locator(".rv-app .rv-report-form", has_text="thanh-xuan-2021-q4")
        form.wait_for(timeout=30_000)   # a behaviour, not a speed (benchmarks/ times the apps)
        form.locator("input[type=text]").first.fill("2021-FY")
        form.locator(".rv-save-report").click()
        form.locator(".rv-decided", has_text="Năm 2021").wait_for(timeout=10_000)

        assert "Traceback" not in page.content()
        assert log.errors == [], log.errors
        assert log.outside == [], f"requests left 127.0.0.1: {log.outside}"
    finally:
        page.close()

    with open(corrections, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["doc_id"], r["raw"], r["action"], r["field"], r["value"]) for r in rows] == [
        ("thach-ban-2021-h1", "1.800", "reject", "", ""),
        ("cau-giay-2022-h1", "10.856", "set", "indicator_id", "medical_visits"),
        (PLAN, "", "set", "period", "2021-FY")]

    rebuilt = folder / "rebuilt"
    summary = build(out=rebuilt, corrections=corrections, progress=False)
    assert "corrections: 3 applied" in str(summary) and "0 no longer match" in str(summary)
    reports, facts, obs = (read_table(n, rebuilt) for n in ("reports", "facts", "observations"))
    assert not ((facts["doc_id"] == GIFTS[0]) & (facts["raw"] == GIFTS[1])).any()
    assert not ((obs["doc_id"] == GIFTS[0]) & (obs["raw"] == GIFTS[1])).any()
    visits = obs[(obs["doc_id"] == VISITS[0]) & (obs["raw"] == VISITS[1])]
    assert visits["indicator_id"].tolist() == ["medical_visits"]
    assert visits["review_status"].tolist() == ["corrected"]
    assert reports.set_index("doc_id").loc[PLAN, "period"] == "2021-FY"
    assert set(read_table("facts", rebuilt, period="2021-FY")["doc_id"]) == {PLAN}

    # The leaders' app on the rebuilt tables.
    assert not _marked("1.800", _leaders_view(monkeypatch, rebuilt, "Thạch Bàn"))
    assert _marked("10.856", _leaders_view(monkeypatch, rebuilt, "Cầu Giấy"))
    assert "Năm 2021" in _leaders_view(monkeypatch, rebuilt, "Thanh Xuân")
