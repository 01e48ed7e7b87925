"""The tidy tables, declared once: columns, dtypes, allowed values and keys.

Stages validate the frames they hand on with :func:`validate`; a frame that
breaks the schema raises :class:`SchemaError` naming the table and the column.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = [
    "Column", "Table", "SchemaError", "TABLES", "REPORTS", "FACTS",
    "OBSERVATIONS", "UNITS", "KINDS", "QUALIFIERS", "PERIOD_CODES",
    "DOC_KINDS", "UNIT_LEVELS", "REVIEW_STATUSES", "empty_frame", "pandas_dtype", "validate",
]

UNITS = ("count", "percent", "per_mille", "vnd", "ha", "km2", "m2", "km", "m",
         "kg", "ton", "m3")
KINDS = ("count", "amount", "measure", "fraction", "rate",
         "target_achievement", "change", "target")
QUALIFIERS = ("exact", "approx", "at_least", "at_most")
PERIOD_CODES = ("FY", "H1", "H2", "Q1", "Q2", "Q3", "Q4", "9M")
DOC_KINDS = ("results", "plan")
UNIT_LEVELS = ("ward", "district", "commune", "city")
#: Whether a person checked a figure (``analysis.corrections``, applied by the build).
REVIEW_STATUSES = ("confirmed", "corrected", "unreviewed")


@dataclass(frozen=True)
class Column:
    """One column of a table: its name, pandas dtype, nulls and allowed values, and what it holds."""

    name: str
    dtype: str            # pandas dtype name: "string", "float64", "Int64", "boolean", "object", "datetime64[ms]"
    nullable: bool = True
    allowed: tuple | None = None
    doc: str = ""
    #: filled in by a later stage (the build's corrections step): a frame from
    #: an earlier stage may leave it out, and gets it as nulls
    later: bool = False


@dataclass(frozen=True)
class Table:
    """A table's columns in order, its key and what a row is; ``extra_ok`` lets a frame carry more columns."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    doc: str = ""
    extra_ok: bool = field(default=False)

    @property
    def names(self) -> list[str]:
        """The column names, in order."""
        return [c.name for c in self.columns]


def C(name, dtype, nullable=True, allowed=None, doc="", later=False):
    return Column(name, dtype, nullable, allowed, doc, later)


def _review_columns() -> tuple[Column, ...]:
    return (C("review_status", "string", allowed=REVIEW_STATUSES, later=True,
              doc="confirmed or corrected by an analyst (data/corrections.csv), else unreviewed; "
                  "null where no build applied the corrections"),
            C("corrected_from", "string", later=True,
              doc="JSON of the fields an analyst changed, with the values the suite had read"))


REPORTS = Table(
    "reports",
    (
        C("doc_id", "string", False, doc="manifest id, else the file name without extension"),
        C("title", "string"),
        C("unit_name", "string", doc="e.g. 'Thạch Bàn' (no 'phường' prefix)"),
        C("unit_level", "string", allowed=UNIT_LEVELS),
        C("parent", "string", doc="parent district for wards, else null"),
        C("city", "string"),
        C("period", "string", doc="'2021-H1', '2020-9M', '2018-FY', '2021-Q4'"),
        C("period_start", "datetime64[ms]"),
        C("period_end", "datetime64[ms]"),
        C("period_months", "Int64"),
        C("published", "datetime64[ms]"),
        C("doc_kind", "string", allowed=DOC_KINDS),
        C("programs", "object", doc="list of programme numbers cited, e.g. ['02-CTr/QU']"),
        C("source_file", "string", False, doc="path relative to data/raw"),
        C("sha256", "string", False, doc="checksum of the raw file's bytes"),
        C("n_chars", "Int64", False),
        C("text", "string", False, doc="normalised text; all offsets point into it"),
    ),
    key=("doc_id",),
    doc="One row per loaded report.",
)

FACTS = Table(
    "facts",
    (
        C("fact_id", "string", False, doc="'<doc_id>:<start>-<end>:<n>' (deterministic)"),
        C("doc_id", "string", False),
        C("value", "float64", False),
        C("unit", "string", False, allowed=UNITS),
        C("kind", "string", False, allowed=KINDS),
        C("numerator", "float64"),
        C("denominator", "float64"),
        C("qualifier", "string", False, allowed=QUALIFIERS),
        C("counted", "string", doc="the noun phrase measured, in the report's words"),
        C("indicator_id", "string"),
        C("indicator_cue", "string", doc="why the indicator was given: the cue phrase and where it "
          "stands in reports.text, '\"hộ nghèo\" @ 1234-1242'; null when there is no indicator"),
        C("raw", "string", False, doc="the number as the report wrote it: '97,95%'"),
        C("start", "Int64", False, doc="offset of the number's first character in reports.text"),
        C("end", "Int64", False, doc="offset one past the number's last character"),
        C("quote", "string", False, doc="the clause around the number"),
        C("sentence", "string", False),
        C("sentence_start", "Int64", False),
        C("section", "string", doc="heading the sentence sits under"),
        C("is_implausible", "boolean", later=True,
          doc="the value is beyond what a unit of its level can have (analysis/rules/plausibility.csv)"),
        *_review_columns(),
    ),
    key=("fact_id",),
    doc="One row per statistic stated in a report (annotation-guide.md).",
)

OBSERVATIONS = Table(
    "observations",
    (
        C("obs_id", "string", False),
        C("unit_name", "string", False),
        C("unit_level", "string"),
        C("parent", "string"),
        C("period", "string", False),
        C("period_start", "datetime64[ms]"),
        C("period_end", "datetime64[ms]"),
        C("period_months", "Int64"),
        C("doc_kind", "string"),
        C("indicator_id", "string", False),
        C("value", "float64", False),
        C("unit", "string", False, allowed=UNITS),
        C("kind", "string", False, allowed=KINDS),
        C("numerator", "float64"),
        C("denominator", "float64"),
        C("target", "float64", doc="target stated beside the value, if any"),
        C("achievement_pct", "float64", doc="result as % of target, if stated or derivable"),
        C("qualifier", "string", False, allowed=QUALIFIERS),
        C("raw", "string", False),
        C("programs", "object"),
        C("is_conflict", "boolean", False, doc="the same report states this indicator with another value"),
        C("doc_id", "string", False),
        C("fact_id", "string", False),
        C("quote", "string", False),
        C("sentence", "string"),
        C("start", "Int64", False),
        C("end", "Int64", False),
        C("is_implausible", "boolean", later=True, doc="its fact's value is beyond the plausibility bounds"),
        *_review_columns(),
    ),
    key=("obs_id",),
    doc="One row per (unit, period, indicator) statement: facts with an indicator.",
    extra_ok=True,
)

TABLES = {t.name: t for t in (REPORTS, FACTS, OBSERVATIONS)}


class SchemaError(ValueError):
    """A frame does not match its declared table."""


def empty_frame(table: Table) -> pd.DataFrame:
    """Make an empty frame with the table's columns and dtypes."""
    return pd.DataFrame({c.name: pd.Series([], dtype=c.dtype) for c in table.columns})


def validate(frame: pd.DataFrame, table: Table) -> pd.DataFrame:
    """Check a frame against its table; return it with columns in schema order.

    Casts columns to the declared dtypes, then checks nulls, allowed values and
    key uniqueness. A column already of its dtype is checked as it is (the
    frames the stages hand on are, and a cast would only copy them).

    Examples
    --------
    >>> validate(pd.DataFrame({"doc_id": ["a"]}), REPORTS)
    Traceback (most recent call last):
    ...
    analysis.schema.SchemaError: reports: missing columns: title, unit_name, unit_level, ..., n_chars, text
    """
    missing = [c.name for c in table.columns if c.name not in frame.columns and not c.later]
    if missing:
        raise SchemaError(f"{table.name}: missing columns: {', '.join(missing)}")
    extra = [c for c in frame.columns if c not in table.names]
    if extra and not table.extra_ok:
        raise SchemaError(f"{table.name}: unexpected columns: {', '.join(extra)}")
    later = [c for c in table.columns if c.later and c.name not in frame.columns]
    if later:
        frame = frame.assign(**{c.name: pd.array([None] * len(frame), dtype=c.dtype) for c in later})
    names = table.names + (extra if table.extra_ok else [])
    out = frame if list(frame.columns) == names else frame[names]
    dtypes = {name: pandas_dtype(name) for name in {c.dtype for c in table.columns} - {"object"}}
    cast = {}
    for c in table.columns:
        if c.dtype == "object" and c.nullable:
            continue
        s = out[c.name]
        if c.dtype != "object" and s.dtype != dtypes[c.dtype]:
            try:
                if c.dtype.startswith("datetime64"):
                    s = pd.to_datetime(s).astype(c.dtype)
                else:
                    s = s.astype(dtypes[c.dtype])
            except (TypeError, ValueError) as e:
                raise SchemaError(f"{table.name}.{c.name}: cannot be {c.dtype}: {e}") from None
            cast[c.name] = s
        if not c.nullable:
            missing = s.array.isna()
            if missing.any():
                raise SchemaError(f"{table.name}.{c.name}: {int(missing.sum())} null value(s)")
        if c.allowed is not None:
            bad = sorted({v for v in s.unique() if not pd.isna(v)} - set(c.allowed))
            if bad:
                raise SchemaError(f"{table.name}.{c.name}: values not allowed: {bad[:5]}")
    if cast:
        out = out.assign(**cast)
    key = list(table.key)
    if len(out) and not (out[key[0]].is_unique if len(key) == 1 else not out.duplicated(key).any()):
        dup = out[out.duplicated(key, keep=False)][key].head(3)
        raise SchemaError(f"{table.name}: duplicate keys {table.key}: {dup.values.tolist()}")
    return out.reset_index(drop=True)


def pandas_dtype(name: str):
    """Return the pandas dtype a column's declared dtype names.

    ``string`` is stored as pandas' options say when called. The same as
    ``pandas.api.types.pandas_dtype(name)``, without searching pandas' registry
    of dtypes for the names the tables use.

    Examples
    --------
    >>> [str(pandas_dtype(c.dtype)) for c in REPORTS.columns[7:10]]
    ['datetime64[ms]', 'datetime64[ms]', 'Int64']
    """
    made = _DTYPES.get(name)
    return made() if made is not None else pd.api.types.pandas_dtype(name)


_DTYPES = {"string": pd.StringDtype, "Int64": pd.Int64Dtype, "boolean": pd.BooleanDtype,
           "float64": lambda: np.dtype("float64"), "datetime64[ms]": lambda: np.dtype("datetime64[ms]")}
