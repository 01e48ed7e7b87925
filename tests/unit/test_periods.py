"""Period codes: the days they cover and the words reports use for them."""
from __future__ import annotations

from datetime import date

import pytest

from analysis.periods import parse_period, period_label


@pytest.mark.parametrize("code,start,end,months", [
    ("2021-H1", date(2021, 1, 1), date(2021, 6, 30), 6),
    ("2021-H2", date(2021, 7, 1), date(2021, 12, 31), 6),
    ("2020-9M", date(2020, 1, 1), date(2020, 9, 30), 9),
    ("2018-FY", date(2018, 1, 1), date(2018, 12, 31), 12),
    ("2022-Q1", date(2022, 1, 1), date(2022, 3, 31), 3),
    ("2022-Q2", date(2022, 4, 1), date(2022, 6, 30), 3),
    ("2022-Q3", date(2022, 7, 1), date(2022, 9, 30), 3),
    ("2021-Q4", date(2021, 10, 1), date(2021, 12, 31), 3),
])
def test_parse_period(code, start, end, months):
    assert parse_period(code) == (start, end, months)


@pytest.mark.parametrize("bad", ["2021-H3", "2021", "21-H1", "2021-q1", "", "H1-2021"])
def test_parse_period_refuses_what_is_not_a_code(bad):
    with pytest.raises(ValueError, match="is not a period code"):
        parse_period(bad)


@pytest.mark.parametrize("code,vi,en", [
    ("2021-H1", "6 tháng đầu năm 2021", "First half of 2021"),
    ("2019-H2", "6 tháng cuối năm 2019", "Second half of 2019"),
    ("2020-9M", "9 tháng đầu năm 2020", "First nine months of 2020"),
    ("2018-FY", "Năm 2018", "Year 2018"),
    ("2021-Q4", "3 tháng cuối năm 2021", "Last quarter of 2021"),
    ("2022-Q1", "Quý I năm 2022", "First quarter of 2022"),
    ("2022-Q3", "Quý III năm 2022", "Third quarter of 2022"),
])
def test_period_label_says_it_the_way_reports_do(code, vi, en):
    assert period_label(code) == vi
    assert period_label(code, lang="vi") == vi
    assert period_label(code, lang="en") == en


def test_period_label_refuses_unknown_language_and_codes():
    with pytest.raises(ValueError, match="language 'fr'"):
        period_label("2021-H1", lang="fr")
    with pytest.raises(ValueError, match="not a period code"):
        period_label("2021-S1")
