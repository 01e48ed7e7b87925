"""Metadata of the five bundled reports against their hand-checked gold (``tests/fixtures/reports.jsonl``)."""
from __future__ import annotations

import pytest

from _files import gold_reports
from analysis.metadata import parse_period, read_metadata, read_title
from analysis.paths import RAW

GOLD = gold_reports()


@pytest.mark.parametrize("gold", GOLD, ids=[g["doc"] for g in GOLD])
def test_report_metadata_matches_gold_exactly(gold):
    text = (RAW / f"{gold['doc']}.txt").read_text(encoding="utf-8")
    got = read_metadata(text, gold["doc"])
    assert {k: got[k] for k in gold} == gold


@pytest.mark.parametrize("gold", GOLD, ids=[g["doc"] for g in GOLD])
def test_report_metadata_has_title_and_period_dates(gold):
    got = read_metadata((RAW / f"{gold['doc']}.txt").read_text(encoding="utf-8"), gold["doc"])
    assert set(got) == set(gold) | {"title", "period_start", "period_end", "period_months"}
    start, end, months = parse_period(got["period"])
    assert (got["period_start"], got["period_end"], got["period_months"]) == (
        start.isoformat(), end.isoformat(), months)
    assert got["title"] and len(got["title"].split()) >= 6
    assert "Lượt xem" not in got["title"] and "Ngày đăng" not in got["title"]


def test_titles_of_the_reports_skip_page_furniture():
    titles = {g["doc"]: read_title((RAW / f"{g['doc']}.txt").read_text(encoding="utf-8")) for g in GOLD}
    assert titles["thanh-xuan-2021-q4"].startswith("QUẬN THANH XUÂN QUYẾT TÂM")
    assert titles["cau-giay-2022-h1"].startswith("Đánh giá kết quả 6 tháng đầu năm 2022")
    assert titles["phuc-dong-2020-9m"] == "Phường Phúc Đồng quyết tâm hoàn thành chỉ tiêu về đích trước thời hạn"
