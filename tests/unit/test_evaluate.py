"""How the evaluation scores extracted facts against gold: the rules, on small inline records."""
from __future__ import annotations

from analysis.evaluate import match_facts, score_indicators, score_metadata


def test_indicator_scores_count_ids_on_matched_facts_only():
    gold = [{"doc": "d", "quote": "a", "value": 5, "unit": "count", "indicator_id": "gifts_given"},
            {"doc": "d", "quote": "b", "value": 7, "unit": "count", "indicator_id": None}]
    ext = [{"doc_id": "d", "value": 5, "unit": "count", "indicator_id": "gifts_given"},
           {"doc_id": "d", "value": 7, "unit": "count", "indicator_id": "medical_visits"},
           {"doc_id": "d", "value": 9, "unit": "count", "indicator_id": "drug_cases"}]
    s = score_indicators(match_facts(ext, gold), gold)
    assert (s.n_right, s.n_assigned, s.n_found, s.n_gold_with_id) == (1, 2, 1, 1)
    assert [e["value"] for e in s.ids_on_false_hits] == [9]


def test_metadata_scores_treat_missing_values_alike():
    gold = [{"doc": "a", "period": None, "published": None, "city": "Hà Nội"}]
    read = {"a": {"period": "", "published": float("nan"), "city": "hà nội"}}
    s = score_metadata(read, gold, fields=("period", "published", "city"))
    assert s.agreement == {"period": 1.0, "published": 1.0, "city": 1.0}
