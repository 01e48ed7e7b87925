"""A result toward a plan for a longer period is progress, not a miss (unit tests, inline frames)."""
from __future__ import annotations

import pandas as pd
import pytest

from analysis.app.html import render_facts_table, summary_html
from analysis.charts import chart_scorecard
from analysis.compare import compare_units, scorecard
from analysis.theme import PROGRESS_COLOR, STATUS_COLORS


def _report(sentence: str, raw: str, pct: float, period: str = "2023-H1", months: int = 6,
            unit: str = "Ngọc Lâm") -> dict:
    return dict(unit_name=unit, unit_level="ward", parent="Long Biên", period=period,
                period_months=months, doc_kind="results",
                indicator_id="blood_donation_target_achievement", kind="target_achievement",
                unit="percent", value=pct, achievement_pct=pct, raw=raw, target=None,
                numerator=None, denominator=None, qualifier=None, quote=sentence, sentence=sentence,
                doc_id=f"{unit}-{period}", fact_id=f"f-{unit}-{period}", obs_id=f"o-{unit}-{period}",
                start=10, end=16, direction="up", stated_result=None)


def _status(**kw) -> str:
    obs = pd.DataFrame([_report(**kw)])
    card = scorecard(obs, obs["unit_name"][0], obs["period"][0])
    return card["status"].tolist()[0]


@pytest.mark.parametrize("sentence, raw, pct, period, months, expected", [
    # half a year toward the year's plan: progress, whatever the share
    ("Phường vận động 240 đơn vị máu, đạt 72,5% kế hoạch.", "72,5%", 72.5, "2023-H1", 6, "progress"),
    ("Sáu tháng đầu năm thu ngân sách đạt 48% KH năm.", "48%", 48.0, "2023-H1", 6, "progress"),
    ("Chín tháng: giải quyết việc làm đạt 81% chỉ tiêu quận giao.", "81%", 81.0, "2023-9M", 9, "progress"),
    # the year's plan already passed in half a year: exceeded
    ("Hiến máu 6 tháng đạt 104% kế hoạch năm.", "104%", 104.0, "2023-H1", 6, "exceeded"),
    # a plan for the same period as the report: a miss is a miss
    ("Thu ngân sách đạt 90% kế hoạch 6 tháng.", "90%", 90.0, "2023-H1", 6, "missed"),
    ("Cả năm hiến máu đạt 72,5% kế hoạch.", "72,5%", 72.5, "2023-FY", 12, "missed"),
    ("Quý I giải ngân đạt 40% kế hoạch quý.", "40%", 40.0, "2023-Q1", 3, "missed"),
])
def test_status_against_the_plans_own_period(sentence, raw, pct, period, months, expected):
    assert _status(sentence=sentence, raw=raw, pct=pct, period=period, months=months) == expected


def _half_year_card() -> pd.DataFrame:
    obs = pd.DataFrame([_report("Phường vận động 240 đơn vị máu, đạt 72,5% kế hoạch.", "72,5%", 72.5)])
    return scorecard(obs, "Ngọc Lâm", "2023-H1")


def test_the_scorecard_chart_draws_progress_without_the_missed_colour():
    spec = chart_scorecard(_half_year_card()).to_dict()
    scales = [layer["encoding"]["color"]["scale"] for layer in spec["layer"]
              if "color" in layer.get("encoding", {})]
    assert scales
    for scale in scales:
        colours = dict(zip(scale["domain"], scale["range"]))
        assert colours == {"Tiến độ so với kế hoạch năm": PROGRESS_COLOR}
        assert STATUS_COLORS["missed"] not in scale["range"]


def test_the_summary_counts_progress_apart_from_missed():
    card = _half_year_card()
    report = {"unit_name": "Ngọc Lâm", "unit_level": "ward", "period": "2023-H1",
              "doc_kind": "results", "published": "2023-07-05"}
    html = summary_html(report, 1, card)
    assert "0 vượt, 0 đạt, 0 không đạt" in html
    assert "1 chỉ tiêu mới là tiến độ so với kế hoạch cả năm" in html
    english = summary_html(report, 1, card, lang="en")
    assert "0 missed" in english and "Progress toward the year&#x27;s plan" in english
    table = render_facts_table(card.assign(status=card["status"]))
    assert "Tiến độ so với kế hoạch năm" in table and STATUS_COLORS["missed"] not in table


def test_a_comparison_gives_progress_no_target_colour():
    rows = [_report("Phường vận động 240 đơn vị máu, đạt 72,5% kế hoạch.", "72,5%", 72.5, unit=u)
            for u in ("Ngọc Lâm", "Bồ Đề")]
    rows[1].update(value=110.0, achievement_pct=110.0, raw="110%",
                   sentence="Hiến máu đạt 110% kế hoạch năm.", quote="đạt 110% kế hoạch năm")
    cmp = compare_units(pd.DataFrame(rows), "blood_donation_target_achievement", "2023-H1")
    by_unit = dict(zip(cmp["unit_name"], cmp["target_status"]))
    assert by_unit == {"Ngọc Lâm": "progress", "Bồ Đề": "exceeded"}
    colour = dict(zip(cmp["unit_name"], cmp["colour"]))
    assert colour["Ngọc Lâm"] != "missed" and colour["Bồ Đề"] == "exceeded"
