"""Observations from facts, on small frames: derived values, targets, achievements, results, conflicts.

(The observations of the five bundled reports are in
tests/gold/test_observations_gold.py.)
"""
from __future__ import annotations

import pandas as pd
import pytest

from analysis.observations import build_observations, stated_decimals, values_agree
from analysis.schema import FACTS, OBSERVATIONS, validate


def _fact(text, raw, value, kind, indicator, *, unit="percent", num=None, den=None, n=0, doc="d"):
    start = text.index(raw)
    return {"fact_id": f"{doc}:{start}:{n}", "doc_id": doc, "value": value, "unit": unit,
            "kind": kind, "numerator": num, "denominator": den, "qualifier": "exact",
            "indicator_id": indicator, "raw": raw, "start": start, "end": start + len(raw),
            "quote": raw, "sentence": text, "sentence_start": 0, "counted": None, "section": None}


def _report(doc="d", kind="results"):
    return pd.DataFrame([{"doc_id": doc, "unit_name": "Cự Khối", "unit_level": "ward",
                          "parent": "Long Biên", "city": "Hà Nội", "period": "2018-FY",
                          "period_start": pd.Timestamp("2018-01-01"),
                          "period_end": pd.Timestamp("2018-12-31"), "period_months": 12,
                          "doc_kind": kind, "programs": ["02-CTr/QU"]}])


def test_an_excess_over_target_is_not_an_achievement():
    text = 'tỷ lệ hộ gia đình văn hóa (91% - vượt 3%)'
    facts = pd.DataFrame([_fact(text, "91%", 91, "rate", "cultural_family_rate"),
                          _fact(text, "3%", 3, "target_achievement", None, n=1)])
    obs = build_observations(facts, _report())
    assert len(obs) == 1
    assert pd.isna(obs["achievement_pct"].iloc[0]) and obs["stated_result"].iloc[0] == "exceeded"


def test_a_plan_states_no_result():
    text = "Phấn đấu tỷ lệ hộ gia đình văn hóa đạt 92%, vượt kế hoạch."
    facts = pd.DataFrame([_fact(text, "92%", 92, "rate", "cultural_family_rate")])
    assert build_observations(facts, _report()).loc[0, "stated_result"] == "exceeded"
    assert pd.isna(build_observations(facts, _report(kind="plan")).loc[0, "stated_result"])


def test_a_negation_wins_over_the_phrase_it_contains():
    text = "Tỷ lệ trẻ suy dinh dưỡng thể thấp còi 6,8%, chưa đạt kế hoạch."
    facts = pd.DataFrame([_fact(text, "6,8%", 6.8, "rate", "child_stunting_rate")])
    assert build_observations(facts, _report()).loc[0, "stated_result"] == "missed"


def test_facts_without_indicator_make_no_observation_and_none_gives_an_empty_table():
    text = "Tổ chức 06 buổi khám chữa bệnh."
    facts = pd.DataFrame([_fact(text, "06", 6, "count", None, unit="count")])
    obs = build_observations(facts, _report())
    assert len(obs) == 0 and list(obs.columns[:len(OBSERVATIONS.names)]) == OBSERVATIONS.names


def test_facts_of_an_unloaded_report_are_refused_with_the_fix():
    text = "Kết nạp 11 đảng viên mới."
    facts = pd.DataFrame([_fact(text, "11", 11, "count", "new_party_members", unit="count", doc="x")])
    with pytest.raises(ValueError, match=r"\['x'\] have no row in the reports table; load"):
        build_observations(facts, _report())


@pytest.mark.parametrize("raw, decimals", [
    ("97,95%", 2), ("91%", 0), ("120.14%", 2), ("12.877.755.000", 0), ("3.471", 0),
    ("5.6 triệu", 1), ("18,93%0", 2), ("06", 0), ("2,90%", 2), ("không có số", None),
])
def test_stated_decimals_reads_vietnamese_numbers(raw, decimals):
    assert stated_decimals(raw) == decimals


@pytest.mark.parametrize("a, b, da, db, agree", [
    (97.95, 5209 / 5318 * 100, 2, None, True),
    (57.9, 3471 / 6000 * 100, 1, None, True),
    (91.4, 1946 / 2129 * 100, 1, None, True),
    (91.0, 91.4, 0, 1, True),
    (84.6, 92.3, 1, 1, False),
    (63.6, 21 / 33 * 100, 1, None, True),
    (63.7, 21 / 33 * 100, 1, None, False),
    (100.0, 99.0, 0, 0, False),
])
def test_values_agree_to_the_precision_written(a, b, da, db, agree):
    assert values_agree(a, b, da, db) is agree


def _one(facts, report=None):
    return build_observations(pd.DataFrame(facts), report if report is not None else _report())


def test_a_rate_stated_as_a_fraction_becomes_its_percentage_and_keeps_its_counts():
    text = "Toàn phường có 4.120/4.500 hộ đạt danh hiệu gia đình văn hóa."
    obs = _one([_fact(text, "4.120/4.500", 4120, "fraction", "cultural_family_rate", unit="count",
                      num=4120, den=4500)])
    row = obs.iloc[0]
    assert (row["unit"], row["numerator"], row["denominator"]) == ("percent", 4120, 4500)
    assert row["value"] == 4120 / 4500 * 100 and row["value_derived"]
    assert pd.isna(row["target"])


def test_a_fraction_of_a_count_is_a_result_against_its_target():
    text = "Cấp 35/25 giấy chứng nhận quyền sử dụng đất."
    row = _one([_fact(text, "35/25", 35, "fraction", "land_certificates_issued", unit="count",
                      num=35, den=25)]).iloc[0]
    assert (row["value"], row["unit"], row["target"]) == (35, "count", 25)
    assert row["achievement_pct"] == 140 and row["achievement_source"] == "derived"
    assert not row["value_derived"]


def test_an_achievement_stated_beside_a_fraction_wins_over_the_derived_one():
    text = "Giải quyết việc làm cho 1.200/1.500 người, đạt 80% kế hoạch."
    obs = _one([_fact(text, "1.200/1.500", 1200, "fraction", "jobs_created", unit="count",
                      num=1200, den=1500),
                _fact(text, "80%", 80, "target_achievement", None, n=1)])
    assert len(obs) == 1
    row = obs.iloc[0]
    assert (row["value"], row["target"], row["achievement_pct"]) == (1200, 1500, 80)
    assert row["achievement_source"] == "stated"
    assert row["achievement_fact_id"] == f"d:{text.index('80%')}:1"


def test_a_target_stated_beside_a_value_fills_its_row_and_makes_none_of_its_own():
    text = "Tỷ lệ trẻ suy dinh dưỡng thể thấp còi 5,2%/chỉ tiêu 5,5%."
    obs = _one([_fact(text, "5,2%", 5.2, "rate", "child_stunting_rate"),
                _fact(text, "5,5%", 5.5, "target", "child_stunting_rate", n=1)])
    assert obs["raw"].tolist() == ["5,2%"]
    assert obs.loc[0, "target"] == 5.5 and obs.loc[0, "target_fact_id"] == f"d:{text.index('5,5%')}:1"


def test_a_target_beyond_the_next_clause_item_is_its_own_row():
    text = "Tỷ lệ trẻ suy dinh dưỡng thể thấp còi 5,2%; chỉ tiêu năm sau 5,5%."
    obs = _one([_fact(text, "5,2%", 5.2, "rate", "child_stunting_rate"),
                _fact(text, "5,5%", 5.5, "target", "child_stunting_rate", n=1)])
    assert obs["raw"].tolist() == ["5,2%", "5,5%"] and obs["target"].isna().all()


def test_an_amount_keeps_its_row_and_carries_the_achievement_beside_it():
    text = "Thu ngân sách trên địa bàn 4.350.000.000 đồng, đạt 108% dự toán."
    obs = _one([_fact(text, "4.350.000.000 đồng", 4_350_000_000, "amount", "budget_revenue_vnd", unit="vnd"),
                _fact(text, "108%", 108, "target_achievement", None, n=1)])
    assert len(obs) == 1
    assert (obs.loc[0, "value"], obs.loc[0, "achievement_pct"]) == (4_350_000_000, 108)


def test_a_fact_between_a_value_and_its_target_keeps_them_apart():
    # "beside" means the next fact in the text, whatever it is: a number of no
    # indicator between them is still between them
    text = "Tỷ lệ trẻ suy dinh dưỡng thể thấp còi 5,2% (12 trẻ), chỉ tiêu 5,5%."
    obs = _one([_fact(text, "5,2%", 5.2, "rate", "child_stunting_rate"),
                _fact(text, "12", 12, "count", None, unit="count", n=1),
                _fact(text, "5,5%", 5.5, "target", "child_stunting_rate", n=2)])
    assert obs["raw"].tolist() == ["5,2%", "5,5%"] and obs["target"].isna().all()


@pytest.mark.parametrize("n", [3, 150])
def test_a_report_repeating_an_indicator_flags_the_one_value_that_disagrees(n):
    # a long report (a pasted table, a report restated many times) repeats one rate;
    # one statement disagrees: every statement of it is flagged, whatever the count
    same = "Tỷ lệ hộ gia đình đạt danh hiệu gia đình văn hóa đạt 93,5%.\n"
    other = "Tỷ lệ hộ gia đình đạt danh hiệu gia đình văn hóa đạt 88,2%.\n"

    def statements(sentences):
        facts, at = [], 0
        for i, sentence in enumerate(sentences):
            raw = sentence.split()[-1].rstrip(".")
            f = _fact(sentence, raw, float(raw[:-1].replace(",", ".")), "rate", "cultural_family_rate", n=i)
            f.update(start=at + f["start"], end=at + f["end"], sentence_start=at,
                     fact_id=f"d:{at + f['start']}:{i}")
            facts.append(f)
            at += len(sentence)
        return _one(facts)

    agreeing = statements([same] * n)
    assert len(agreeing) == n and not agreeing["is_conflict"].any()
    obs = statements([same] * n + [other])
    assert len(obs) == n + 1 and obs["is_conflict"].all()
    assert all("88,2%" in c for c in obs[obs["value"] == 93.5]["conflict_with"])


def _two_reports():
    return pd.concat([_report("a"), _report("b")], ignore_index=True)


TWO_RATES = "Tỷ lệ hộ gia đình văn hóa đạt 91%; tỷ lệ trẻ suy dinh dưỡng thể thấp còi 6,8%."


def _facts_of_two_reports():
    text = TWO_RATES
    facts = []
    for doc in ("b", "a"):
        facts += [_fact(text, "6,8%", 6.8, "rate", "child_stunting_rate", doc=doc, n=1),
                  _fact(text, "91%", 91, "rate", "cultural_family_rate", doc=doc),
                  _fact(text, "6,8%", 6.8, "rate", "child_stunting_rate", doc=doc, n=0)]
    return facts


def test_observations_come_by_report_offset_and_fact_id_whatever_the_facts_order():
    # given report b first, and in each report the second of two facts at one offset first
    obs = _one(_facts_of_two_reports(), _two_reports())
    rate, stunting = TWO_RATES.index("91%"), TWO_RATES.index("6,8%")
    assert obs["fact_id"].tolist() == [f"{d}:{at}:{n}" for d in "ab" for at, n in
                                       ((rate, 0), (stunting, 0), (stunting, 1))]
    assert obs["obs_id"].is_unique and obs.index.tolist() == list(range(6))


def test_facts_as_the_pipeline_hands_them_make_the_same_observations_as_plain_values():
    plain = pd.DataFrame(_facts_of_two_reports())
    typed = validate(plain.assign(indicator_cue=None), FACTS)
    pd.testing.assert_frame_equal(build_observations(typed, _two_reports()),
                                  build_observations(plain.assign(indicator_cue=None), _two_reports()))
