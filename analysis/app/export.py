"""What a reader takes away: the table shown with its provenance, as CSV or Excel; charts as PNG or SVG.

Used by the live app's download buttons and by the period reports' links.
"""
from __future__ import annotations

import io
import re
import unicodedata

import pandas as pd

from ..i18n import indicator_name
from ..theme import DEFAULT_LANG, format_number
from .html import as_text

__all__ = ["report_slug", "EXPORT_COLUMNS", "export_table", "table_bytes", "chart_bytes", "MIME"]

def report_slug(unit: str) -> str:
    """Return a file name for a unit: ASCII, lower case, words joined by '-'.

    Examples
    --------
    >>> report_slug("Thạch Bàn"), report_slug("Phúc Đồng"), report_slug("Cự Khối")
    ('thach-ban', 'phuc-dong', 'cu-khoi')
    """
    text = unit.replace("Đ", "D").replace("đ", "d")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "unit"


#: Columns of a downloaded table, in order, when the shown frame has them.
EXPORT_COLUMNS = ("unit_name", "unit_level", "parent", "period", "indicator_id", "indicator",
                  "value", "unit", "value_shown", "raw", "qualifier", "status", "rank",
                  "colour", "target", "achievement_pct", "n_statements", "other_values",
                  "value_stated", "annualised", "note", "programme", "sentence",
                  "report_title", "published", "doc_id", "start", "end")


def export_table(frame: pd.DataFrame, meta: dict | None = None,
                 lang: str = DEFAULT_LANG) -> pd.DataFrame:
    """Return the table shown, ready to take away: its figures and their provenance.

    Beside each value: the number as the report wrote it (``raw``), the
    qualifier, the whole sentence, the report's title, date and id, and the
    figure's character offsets in the report's text.

    Examples
    --------
    >>> frame = pd.DataFrame({"unit_name": ["Thạch Bàn"], "period": ["2021-H1"],
    ...     "indicator_id": ["gifts_value_vnd"], "value": [8e8], "unit": ["vnd"],
    ...     "raw": ["800 triệu đồng"], "qualifier": ["at_least"], "doc_id": ["tb"],
    ...     "sentence": ["... trên 800 triệu đồng."], "start": [10], "end": [24]})
    >>> out = export_table(frame, {"tb": {"title": "Báo cáo 6 tháng", "published": "2021-07-01"}})
    >>> out.loc[0, ["value_shown", "raw", "report_title", "published"]].tolist()
    ['800.000.000 đ', '800 triệu đồng', 'Báo cáo 6 tháng', '2021-07-01']
    """
    out = frame.copy()
    if "indicator_id" in out.columns:
        out["indicator"] = [indicator_name(i, lang) for i in out["indicator_id"]]
    if "value" in out.columns:
        out["value_shown"] = [format_number(v, u, lang) for v, u in
                              zip(out["value"], out.get("unit", [None] * len(out)))]
    if "sentence" not in out.columns and "quote" in out.columns:
        out["sentence"] = out["quote"]
    if "doc_id" in out.columns:
        m = meta or {}
        out["report_title"] = [as_text((m.get(d) or {}).get("title")) for d in out["doc_id"]]
        pub = [pd.to_datetime((m.get(d) or {}).get("published"), errors="coerce") for d in out["doc_id"]]
        out["published"] = [p.strftime("%Y-%m-%d") if pd.notna(p) else "" for p in pub]
    if "target_status" in out.columns and "status" not in out.columns:
        out["status"] = out["target_status"]
    cols = [c for c in EXPORT_COLUMNS if c in out.columns]
    out = out[cols].reset_index(drop=True)
    for c in out.columns:   # list cells and pandas' missing markers as plain text
        if out[c].dtype == object:
            out[c] = [("; ".join(map(str, v)) if isinstance(v, (list, tuple)) else v) for v in out[c]]
    return out


def table_bytes(frame: pd.DataFrame, fmt: str) -> bytes:
    """Return a table as CSV (UTF-8 with a byte-order mark, which Excel reads) or .xlsx bytes."""
    if fmt == "csv":
        return frame.to_csv(index=False).encode("utf-8-sig")
    if fmt == "xlsx":
        buf = io.BytesIO()
        plain = frame.copy()
        for c in plain.columns:
            if str(plain[c].dtype) in ("string", "str") or plain[c].dtype == object:
                plain[c] = plain[c].astype(object).where(plain[c].notna(), None)
        plain.to_excel(buf, index=False, engine="openpyxl")
        return buf.getvalue()
    raise ValueError(f"unknown table format {fmt!r}: use 'csv' or 'xlsx'")


def chart_bytes(spec: dict, fmt: str) -> bytes:
    """Return a chart's Vega-Lite spec drawn as PNG or SVG by vl-convert (offline)."""
    # vl-convert (a whole JavaScript engine) loads only when a chart is downloaded
    import vl_convert as vlc

    if fmt == "png":
        return vlc.vegalite_to_png(spec, scale=2)
    if fmt == "svg":
        return vlc.vegalite_to_svg(spec).encode("utf-8")
    raise ValueError(f"unknown chart format {fmt!r}: use 'png' or 'svg'")


MIME = {"csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "png": "image/png", "svg": "image/svg+xml"}
