"""Every metadata field of one report, read from its text."""
from __future__ import annotations

from analysis.metadata.dates import published_of, split_dateline
from analysis.metadata.kinds import doc_kind_of
from analysis.metadata.programmes import programs_of
from analysis.metadata.report_period import period_of
from analysis.metadata.spans import fold
from analysis.metadata.titles import lead_of, title_of
from analysis.metadata.units import unit_date, unit_of
from analysis.periods import parse_period
from analysis.text import normalize_text

__all__ = ["read_metadata"]

def read_metadata(text: str, doc_id: str | None = None) -> dict:
    r"""Every metadata field of one report, read from its text.

    Parameters
    ----------
    text : str
        The report text (normalised here with :func:`analysis.text.normalize_text`).
    doc_id : str, optional
        The report's id, returned as ``doc``.

    Returns
    -------
    dict
        ``doc``, ``unit_name``, ``unit_level``, ``parent``, ``city``, ``period``,
        ``published`` (ISO date or None), ``doc_kind``, ``programs``, ``title``,
        ``period_start``, ``period_end`` (ISO dates) and ``period_months``.
        A field the text does not give is None.

    Examples
    --------
    >>> md = read_metadata(
    ...     "các bài viết chuyên sâu\n\nKết quả triển khai thực hiện Chương trình số 02-CTr/QU "
    ...     "của Quận ủy Long Biên 6 tháng đầu năm 2021 trên địa bàn phường Thạch Bàn\n"
    ...     "Ngày đăng 16/07/2021 | 09:14  | Lượt xem: 643\n\n"
    ...     "Trong 6 tháng đầu năm 2021, Đảng ủy – UBND phường Thạch Bàn đã lựa chọn ...", "thach-ban-2021-h1")
    >>> {k: md[k] for k in ("unit_name", "parent", "period", "published", "doc_kind", "programs")}
    {'unit_name': 'Thạch Bàn', 'parent': 'Long Biên', 'period': '2021-H1', 'published': '2021-07-16',
     'doc_kind': 'results', 'programs': ['02-CTr/QU']}
    >>> md["period_start"], md["period_end"], md["period_months"]
    ('2021-01-01', '2021-06-30', 6)
    """
    text = normalize_text(text)
    folded = fold(text)
    title = title_of(text)
    published = published_of(text)
    dateline = split_dateline(text)[1]
    period = period_of(folded, title if title else lead_of(text), published, dateline)
    start = end = months = None
    if period:
        s, e, months = parse_period(period)
        start, end = s.isoformat(), e.isoformat()
    unit = unit_of(text, title, folded, unit_date(period, published, dateline))
    return {
        "doc": doc_id,
        "unit_name": unit["unit_name"],
        "unit_level": unit["unit_level"],
        "parent": unit["parent"],
        "city": unit["city"],
        "period": period,
        "published": published,
        "doc_kind": doc_kind_of(folded, title, period, published),
        "programs": programs_of(text),
        "title": title,
        "period_start": start,
        "period_end": end,
        "period_months": months,
    }
