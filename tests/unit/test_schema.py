"""The tables' contract: validate() casts to the declared dtypes and names the first problem found.

A frame already of the declared dtypes (what the stages hand on) comes back
equal, with the same dtypes, whether or not it had to be cast.
"""
from __future__ import annotations

import pandas as pd
import pytest

from analysis import schema


def _facts(**changes) -> pd.DataFrame:
    """Two facts as plain Python values, before any cast."""
    rows = [{"fact_id": f"d:{s}-{s + 3}:0", "doc_id": "d", "value": 91.0, "unit": "percent", "kind": "rate",
             "numerator": None, "denominator": None, "qualifier": "exact", "counted": None,
             "indicator_id": "cultural_family_rate", "indicator_cue": None, "raw": "91%", "start": s,
             "end": s + 3, "quote": "đạt 91%", "sentence": "Tỷ lệ đạt 91%.", "sentence_start": 0,
             "section": None} for s in (10, 40)]
    frame = pd.DataFrame(rows)
    for name, values in changes.items():
        frame[name] = values
    return frame


def _reports() -> pd.DataFrame:
    return pd.DataFrame([{
        "doc_id": "d", "title": None, "unit_name": "Cự Khối", "unit_level": "ward", "parent": "Long Biên",
        "city": "Hà Nội", "period": "2018-FY", "period_start": "2018-01-01", "period_end": "2018-12-31",
        "period_months": 12, "published": None, "doc_kind": "results", "programs": ["02-CTr/QU"],
        "source_file": "d.txt", "sha256": "0" * 64, "n_chars": 14, "text": "Tỷ lệ đạt 91%."}])


@pytest.mark.parametrize("table, frame", [(schema.FACTS, _facts()), (schema.REPORTS, _reports())])
def test_a_frame_comes_back_in_the_declared_dtypes_and_again_unchanged(table, frame):
    before = frame.copy()
    out = schema.validate(frame, table)
    assert list(out.columns) == table.names
    assert {c.name: str(out[c.name].dtype) for c in table.columns} == {c.name: c.dtype for c in table.columns}
    pd.testing.assert_frame_equal(frame, before)                  # the caller's frame is left as it was
    again = schema.validate(out, table)
    pd.testing.assert_frame_equal(again, out, check_exact=True)   # a typed frame: same values, same dtypes
    assert list(again.index) == list(range(len(out)))


def test_later_columns_come_as_nulls_of_their_dtype_and_extra_columns_follow_in_order():
    obs = schema.validate(_facts().rename(columns={"fact_id": "obs_id"}).assign(
        fact_id=lambda f: f["obs_id"], unit_name="Cự Khối", unit_level="ward", parent=None, period="2018-FY",
        period_start=None, period_end=None, period_months=None, doc_kind="results", target=None,
        achievement_pct=None, programs=[[], []], is_conflict=False, zz_extra=1, aa_extra="x"),
        schema.OBSERVATIONS)
    assert list(obs.columns) == schema.OBSERVATIONS.names + [
        "counted", "indicator_cue", "sentence_start", "section", "zz_extra", "aa_extra"]
    for name in ("is_implausible", "review_status", "corrected_from"):
        assert str(obs[name].dtype) == next(c.dtype for c in schema.OBSERVATIONS.columns if c.name == name)
        assert obs[name].isna().all()


@pytest.mark.parametrize("frame, message", [
    (_facts().drop(columns=["raw", "quote"]), "facts: missing columns: raw, quote"),
    (_facts(colour="red"), "facts: unexpected columns: colour"),
    (_facts(value=["91", "nhiều"]), "facts.value: cannot be float64: "),
    (_facts(start=[10.5, 40]), "facts.start: cannot be Int64: "),
    (_facts(raw=["91%", None]), "facts.raw: 1 null value(s)"),
    (_facts(kind=["rate", "share"], unit=["percent", "phần trăm"]), "facts.unit: values not allowed: ['phần trăm']"),
    (_facts(kind=["z", "share"]), "facts.kind: values not allowed: ['share', 'z']"),
    (_facts(fact_id=["d:1", "d:1"]), "facts: duplicate keys ('fact_id',): [['d:1'], ['d:1']]"),
])
def test_each_problem_is_named_with_its_table_and_column(frame, message):
    with pytest.raises(schema.SchemaError) as e:
        schema.validate(frame, schema.FACTS)
    assert str(e.value).startswith(message)


def test_the_first_column_in_the_table_order_is_named_first():
    # value (a cast) comes before unit (an allowed value) and raw (a null)
    frame = _facts(value=["91", "nhiều"], unit=["percent", "phần trăm"], raw=[None, None])
    with pytest.raises(schema.SchemaError, match=r"^facts\.value: cannot be float64"):
        schema.validate(frame, schema.FACTS)
    with pytest.raises(schema.SchemaError, match=r"^facts\.unit: values not allowed"):
        schema.validate(frame.assign(value=1.0), schema.FACTS)
    with pytest.raises(schema.SchemaError, match=r"^facts\.raw: 2 null value\(s\)"):
        schema.validate(frame.assign(value=1.0, unit="percent"), schema.FACTS)


def test_dates_are_read_and_kept_to_the_millisecond():
    out = schema.validate(_reports(), schema.REPORTS)
    assert out.loc[0, "period_end"] == pd.Timestamp("2018-12-31") and pd.isna(out.loc[0, "published"])
    assert str(out["period_end"].dtype) == "datetime64[ms]"
