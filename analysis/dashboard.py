"""The leaders' app: one unit's results against its targets, and units compared.

:class:`DashboardApp` builds the ipywidgets of the Voilà app in
``notebooks/apps/dashboard.ipynb``. It reads the processed tables once (through
:func:`analysis.store.read_table`; nothing is extracted on page load), and on
every choice of unit, period, topic, indicator or language it redraws:

- a summary of the report (its period as the report says it, what was met);
- the scorecard chart: each target the report states, exceeded / met / missed;
- the comparison chart: all units on one indicator, better/worse coloured;
- the trend of the chosen unit on that indicator;
- the table of figures with the sentence each comes from.

Report text is always HTML-escaped before it reaches the page. A choice with no
data shows what is missing ("Chưa có báo cáo cho kỳ này"); an error inside a
callback shows a one-line message and is logged, never a traceback.
"""
from __future__ import annotations

import functools
import html
import logging
import re
import sys
import time
from dataclasses import dataclass, field

import pandas as pd

from .i18n import (LABELS, indicator_info, indicator_name, period_name, t, topic_name,
                   vietnamese_sort_key)
from .theme import (DEFAULT_LANG, STATUS_COLORS, check_lang, enable_offline_widgets,
                    format_number, skip_slow_imports)

__all__ = ["DashboardApp", "Preview", "FrameRows", "QueryRows", "load_tables", "read_processed",
           "render_facts_table", "source_html", "reader_html", "figure_span", "anchor_id",
           "export_table", "table_bytes", "chart_bytes", "download_button", "duplicate_reports",
           "summary_html", "unit_label", "unit_key", "split_unit_key", "with_unit_key",
           "escape_text", "states_targets", "log_to_server", "APP_CSS", "LATEST", "ALL_TOPICS",
           "EXPORT_COLUMNS"]

log = logging.getLogger(__name__)

#: Period choice meaning "the unit's latest report".
LATEST = "latest"
#: Topic choice meaning "every topic".
ALL_TOPICS = "all"
#: Most bars in the comparison chart: with more units, the first and last
#: fifteen and the unit chosen (a leader reads 31 bars at a glance, not 600).
COMPARE_BARS = 30

_REPORT_COLUMNS = ["doc_id", "title", "unit_name", "unit_level", "parent", "period",
                   "period_start", "period_end", "period_months", "published",
                   "doc_kind"]


def read_processed(name: str, columns: list[str] | None = None, processed=None) -> pd.DataFrame:
    """Read one processed table (``reports``, ``facts``, ``observations``).

    Through :func:`analysis.store.read_table`, from ``processed`` (default
    :func:`analysis.paths.processed_dir`; ``ANALYSIS_PROCESSED`` overrides it).

    Examples
    --------
    >>> read_processed("no_such_table")
    Traceback (most recent call last):
    ...
    analysis.store.TableMissing: ...no_such_table.parquet: the no_such_table table has not been built; ...
    """
    from .store import read_table

    return read_table(name, processed, columns=columns)


def load_tables() -> dict[str, pd.DataFrame]:
    """The processed tables whole: report metadata (no text) and observations.

    For a small corpus, or to hand an app tables made in code
    (``DashboardApp(tables=...)``); the app itself reads only what it shows
    (:class:`QueryRows`).
    """
    return {
        "reports": read_processed("reports", columns=_REPORT_COLUMNS + ["text"]),
        "observations": read_processed("observations"),
    }


def _sorted_reports(reports: pd.DataFrame) -> pd.DataFrame:
    reports = reports.copy()
    for c in _REPORT_COLUMNS:
        if c not in reports.columns:
            reports[c] = None
    reports["period_end"] = pd.to_datetime(reports["period_end"], errors="coerce")
    return reports.sort_values(["period_end", "doc_id"], ascending=[False, True])


def _same_unit(frame: pd.DataFrame, level, parent) -> pd.DataFrame:
    if level is not None and "unit_level" in frame.columns:
        frame = frame[frame["unit_level"] == level]
    if parent is not None and "parent" in frame.columns:
        frame = frame[frame["parent"] == parent]
    elif "parent" in frame.columns:
        frame = frame[frame["parent"].isna()]
    return frame


_PROGRAMME_COLUMNS = ["unit_name", "unit_level", "parent", "period", "period_end", "indicator_id",
                      "value", "unit", "raw", "qualifier", "quote", "sentence", "doc_id", "start",
                      "end", "programme_keys"]


class FrameRows:
    """The app's rows from tables in memory (``DashboardApp(tables=...)``).

    :class:`QueryRows` answers the same questions from the processed tables
    on disk, reading only the rows asked for.
    """

    def __init__(self, reports: pd.DataFrame, obs: pd.DataFrame):
        self._texts = (dict(zip(reports["doc_id"], reports["text"]))
                       if "text" in reports.columns else {})
        self.reports = _sorted_reports(reports.drop(columns=["text"], errors="ignore"))
        if len(obs) == 0 or "indicator_id" not in obs.columns:
            obs = pd.DataFrame(columns=["unit_name", "period", "indicator_id", "value", "unit",
                                        "raw", "quote", "doc_id", "start", "end"])
        self.obs = obs.reset_index(drop=True)
        results = self.obs
        if "doc_kind" in results.columns:  # plans state targets, not results
            results = results[results["doc_kind"].fillna("results") != "plan"]
        self._by_indicator = {i: g for i, g in results.groupby("indicator_id", sort=False)}
        self._by_unit_period = {k: g for k, g in self.obs.groupby(["unit_name", "period"], sort=False)}

    def indicator_units(self) -> dict[str, int]:
        """Indicator → number of units whose results state it (plans left out)."""
        return {i: int(g["unit_name"].nunique()) for i, g in self._by_indicator.items()}

    def indicators(self) -> list[str]:
        """Every indicator with a figure, plans included."""
        return list(self.obs["indicator_id"].dropna().unique())

    def unit_indicators(self, unit: str, level: str | None = None) -> set[str]:
        rows = self.obs[self.obs["unit_name"] == unit]
        if level is not None and "unit_level" in rows.columns:
            rows = rows[rows["unit_level"] == level]
        return set(rows["indicator_id"].dropna())

    def unit_period(self, unit: str, period: str, level: str | None = None,
                    parent: str | None = None) -> pd.DataFrame:
        frame = self._by_unit_period.get((unit, period))
        return self.obs.iloc[0:0] if frame is None else _same_unit(frame, level, parent)

    def compare(self, indicator: str, lang: str, focus: str | None = None) -> pd.DataFrame:
        from .compare import compare_units

        return compare_units(self._by_indicator[indicator], indicator, period_length="auto",
                             focus_unit=focus, lang=lang)

    def trend(self, unit: str, indicator: str, lang: str, level: str | None = None,
              parent: str | None = None):
        from .compare import trend

        return trend(self._by_indicator[indicator], unit, indicator, unit_level=level,
                     parent=parent, lang=lang)

    def texts(self, doc_ids) -> dict[str, str]:
        return {d: str(self._texts[d]) for d in doc_ids if isinstance(self._texts.get(d), str)}

    def programme_rows(self) -> pd.DataFrame:
        if "programme_keys" not in self.obs.columns:
            return self.obs.iloc[0:0]
        has = [isinstance(k, (list, tuple)) and len(k) > 0 or (hasattr(k, "__len__") and not
               isinstance(k, str) and len(k) > 0) for k in self.obs["programme_keys"]]
        rows = self.obs[has]
        return rows.assign(programme_keys=[list(k) for k in rows["programme_keys"]])


class QueryRows:
    """The app's rows from the processed tables, each question one DuckDB query.

    At page open only the reports table (without text) and each indicator's
    reach are read; a unit's report, a comparison or a trend is read when the
    reader asks for it (:mod:`analysis.query`) and kept for the next time.
    A city's decade (a million observations) opens as fast as five reports.
    """

    _KEEP = 256   # answers kept (the oldest goes first)

    def __init__(self, processed=None):
        from . import paths, query

        self._q = query
        # the folder is fixed when the app opens: every later answer comes from it
        self._processed = paths.processed_dir() if processed is None else processed
        self.reports = _sorted_reports(
            read_processed("reports", _REPORT_COLUMNS, self._processed))
        results = query.indicator_reach(self._processed)
        self._reach = dict(zip(results["indicator_id"], results["n_units"].astype(int)))
        everything = query.indicator_reach(self._processed, include_plans=True)
        self._indicators = list(everything["indicator_id"])
        self._cache: dict[tuple, object] = {}

    def _kept(self, key: tuple, make):
        if key not in self._cache:
            if len(self._cache) >= self._KEEP:
                self._cache.pop(next(iter(self._cache)))
            self._cache[key] = make()
        return self._cache[key]

    def indicator_units(self) -> dict[str, int]:
        return dict(self._reach)

    def indicators(self) -> list[str]:
        return list(self._indicators)

    def unit_indicators(self, unit: str, level: str | None = None) -> set[str]:
        return self._kept(("unit", unit, level), lambda: set(self._q.unit_indicators(
            unit, unit_level=level, include_plans=True,
            processed=self._processed)["indicator_id"].dropna()))

    def unit_period(self, unit: str, period: str, level: str | None = None,
                    parent: str | None = None) -> pd.DataFrame:
        return self._kept(("unit_period", unit, period, level, parent), lambda: _same_unit(
            self._q.observations_for(unit_name=unit, period=period, processed=self._processed),
            level, parent))

    def compare(self, indicator: str, lang: str, focus: str | None = None) -> pd.DataFrame:
        return self._kept(("compare", indicator, lang, focus), lambda: self._q.query_compare_units(
            indicator, processed=self._processed, period_length="auto", focus_unit=focus,
            lang=lang))

    def trend(self, unit: str, indicator: str, lang: str, level: str | None = None,
              parent: str | None = None):
        return self._kept(("trend", unit, indicator, lang, level, parent),
                          lambda: self._q.query_trend(unit, indicator, processed=self._processed,
                                                      unit_level=level, parent=parent, lang=lang))

    def texts(self, doc_ids) -> dict[str, str]:
        want = [d for d in doc_ids if ("text", d) not in self._cache]
        if want:
            for d, text in self._q.report_texts(want, self._processed).items():
                self._kept(("text", d), lambda text=text: text)
        return {d: self._cache[("text", d)] for d in doc_ids if ("text", d) in self._cache}

    def programme_rows(self) -> pd.DataFrame:
        def read():
            rows = self._q.observations_for(columns=_PROGRAMME_COLUMNS, processed=self._processed)
            has = [k is not None and not isinstance(k, float) and len(k) > 0
                   for k in rows["programme_keys"]]
            rows = rows[has]
            return rows.assign(programme_keys=[list(k) for k in rows["programme_keys"]])
        return self._kept(("programmes",), read)


def unit_key(name, level=None, parent=None) -> str:
    """The key that identifies a unit: its level, name and parent.

    A ward and a district may share a name (phường Long Biên, quận Long
    Biên), and two wards of one name lie in different districts; the app's
    selectors, comparisons and period pages tell them apart by this key.

    Examples
    --------
    >>> unit_key("Long Biên", "ward", "Long Biên"), unit_key("Cầu Giấy", "district")
    ('ward|Long Biên|Long Biên', 'district|Cầu Giấy|')
    >>> split_unit_key("ward|Long Biên|Long Biên")
    ('Long Biên', 'ward', 'Long Biên')
    """
    def part(x):
        return "" if x is None or (isinstance(x, float) and x != x) or x is pd.NA else str(x)

    return f"{part(level)}|{part(name)}|{part(parent)}"


def split_unit_key(key: str) -> tuple[str, str | None, str | None]:
    """``(name, level, parent)`` of a :func:`unit_key` (None for a part not known)."""
    level, name, parent = (str(key).split("|", 2) + ["", ""])[:3]
    return name, level or None, parent or None


def with_unit_key(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with a ``unit_key`` column (see :func:`unit_key`)."""
    frame = frame.copy()
    cols = [frame[c] if c in frame.columns else pd.Series([None] * len(frame), index=frame.index)
            for c in ("unit_name", "unit_level", "parent")]
    frame["unit_key"] = [unit_key(n, lv, pa) for n, lv, pa in zip(*cols)]
    return frame


def unit_label(unit: str, level: str | None, lang: str = DEFAULT_LANG,
               parent: str | None = None) -> str:
    """A unit named as readers say it: 'Phường Cự Khối', 'Cự Khối (ward)'.

    With ``parent``, the district it lies in: 'Phường Long Biên (Long Biên)'.

    Examples
    --------
    >>> unit_label("Cự Khối", "ward"), unit_label("Cầu Giấy", "district", "en")
    ('Phường Cự Khối', 'Cầu Giấy (district)')
    >>> unit_label("Long Biên", "ward", "en", parent="Long Biên")
    'Long Biên (ward, Long Biên)'
    """
    if level not in ("ward", "district", "commune", "city"):
        return unit if not parent else f"{unit} ({parent})"
    name = t(f"level.{level}", lang)
    if lang == "vi":
        return f"{name} {unit}" + (f" ({parent})" if parent else "")
    return f"{unit} ({name.lower()}" + (f", {parent})" if parent else ")")


def summary_html(report: dict, n_obs: int, card: pd.DataFrame | None,
                 lang: str = DEFAULT_LANG) -> str:
    """The head of a unit's results: its report, then targets exceeded/met/missed.

    ``report`` is a row of the reports table (``unit_name``, ``unit_level``,
    ``period``, ``doc_kind``, ``published``, ``title``); ``card`` the unit's
    scorecard.

    Examples
    --------
    >>> html = summary_html({"unit_name": "Cự Khối", "unit_level": "ward", "period": "2018-FY",
    ...     "doc_kind": "results", "published": "2019-01-09"}, 43, None)
    >>> "Phường Cự Khối · Năm 2018 · báo cáo kết quả, đăng ngày 09/01/2019" in html
    True
    """
    lang = check_lang(lang)
    unit, period, kind = report.get("unit_name"), report.get("period"), report.get("doc_kind")
    kind_label = t(f"kind.{kind}", lang) if kind in ("results", "plan") else "—"
    published = pd.to_datetime(report.get("published"), errors="coerce")
    args = dict(unit=unit_label(unit, report.get("unit_level"), lang),
                period=period_name(period, lang), kind=kind_label)
    line = (t("summary.report", lang, published=published.strftime("%d/%m/%Y"), **args)
            if pd.notna(published) else t("summary.report_nodate", lang, **args))
    counts = {s: 0 for s in STATUS_COLORS}
    if card is not None and len(card) and "status" in card.columns:
        for s, n in card["status"].value_counts().items():
            if s in counts:
                counts[s] = int(n)
    cards = "".join(
        f'<div class="ad-card" style="background:{STATUS_COLORS[s]}"><b>{counts[s]}</b>'
        f"{escape_text(t('status.' + s, lang))}</div>" for s in STATUS_COLORS)
    text = t("summary.counts", lang, n_obs=n_obs, n_targets=sum(counts.values()), **counts)
    title = report.get("title")
    title_html = (f'<div class="ad-report-title">{escape_text(title)}</div>'
                  if isinstance(title, str) and title else "")
    return (f'<div class="ad-summary"><div class="ad-report">{escape_text(line)}</div>{title_html}'
            f"<div>{escape_text(text)}</div><div class='ad-cards'>{cards}</div></div>")


def escape_text(text) -> str:
    """Report text made safe for HTML: markup shows as text.

    Examples
    --------
    >>> escape_text('Phường <script>alert(1)</script> "đạt" 97,95%')
    'Phường &lt;script&gt;alert(1)&lt;/script&gt; &quot;đạt&quot; 97,95%'
    >>> escape_text(None)
    ''
    """
    if text is None or text is pd.NA or (isinstance(text, float) and text != text):
        return ""
    return html.escape(str(text), quote=True)


def _text(x) -> str:
    return "" if x is None or x is pd.NA or (isinstance(x, float) and x != x) else str(x)


@functools.lru_cache(maxsize=1)
def _qualifier_phrases() -> dict[str, list[tuple[str, str]]]:
    """Qualifier phrases of the rules table by qualifier: ``[(phrase, scope), ...]``, longest first."""
    import csv

    from .paths import RULES

    out: dict[str, list[tuple[str, str]]] = {}
    with open(RULES / "qualifiers.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row.get("scope") in ("left", "right"):
                out.setdefault(row["qualifier"], []).append((row["phrase"].lower(), row["scope"]))
    for v in out.values():
        v.sort(key=lambda x: -len(x[0]))
    return out


def sentence_offset(text: str | None, sentence: str, start, end) -> int | None:
    """Where ``sentence`` (holding the figure at ``start``–``end``) begins in ``text``."""
    if not text or not sentence or start is None or pd.isna(start):
        return None
    start, end = int(start), int(end)
    i = text.rfind(sentence, max(0, end - len(sentence)), start + len(sentence))
    return i if i >= 0 and i <= start else None


def figure_span(row: dict, text: str | None = None) -> tuple[str, int, int]:
    """The whole sentence of a figure and the span to highlight in it.

    The span is the number as the report wrote it, with the qualifier as
    written ("hơn 17,8 tỷ", "khoảng 500", "100 người trở lên"). Falls back to
    the quote when no sentence is stored.

    Examples
    --------
    >>> row = {"sentence": "Thu ngân sách hơn 17,8 tỷ đồng.", "quote": "hơn 17,8 tỷ đồng",
    ...        "raw": "17,8 tỷ đồng", "qualifier": "at_least", "start": 18, "end": 30}
    >>> s, i, j = figure_span(row)
    >>> s[i:j]
    'hơn 17,8 tỷ đồng'
    """
    sentence = _text(row.get("sentence")) or _text(row.get("quote"))
    quote, raw = _text(row.get("quote")), _text(row.get("raw"))
    i = -1
    ss = sentence_offset(text, sentence, row.get("start"), row.get("end"))
    if ss is not None:
        i = int(row["start"]) - ss
        j = int(row["end"]) - ss
        if sentence[i:j] != raw and raw:
            i = -1
    if i < 0:
        q = sentence.find(quote) if quote else -1
        r = quote.find(raw) if (q >= 0 and raw) else -1
        i = q + r if r >= 0 else (sentence.find(raw) if raw else -1)
        if i < 0:
            return sentence, 0, 0
        j = i + len(raw)
    qual = _text(row.get("qualifier"))
    if qual and qual != "exact":
        low = sentence.lower()
        before = low[:i].rstrip()
        for phrase, scope in _qualifier_phrases().get(qual, []):
            if scope == "left" and before.endswith(phrase) and (
                    len(before) == len(phrase) or not before[-len(phrase) - 1].isalnum()):
                i = len(before) - len(phrase)
                break
            after = low[j:]
            if scope == "right" and after.lstrip().startswith(phrase):
                j = j + (len(after) - len(after.lstrip())) + len(phrase)
                break
    return sentence, i, j


def _highlight(quote: str, raw: str) -> str:
    """The quote escaped, with the number as the report wrote it marked."""
    quote, raw = _text(quote), _text(raw)
    i = quote.find(raw) if raw else -1
    if i < 0:
        return escape_text(quote)
    return (escape_text(quote[:i]) + "<mark>" + escape_text(raw) + "</mark>"
            + escape_text(quote[i + len(raw):]))


def anchor_id(doc_id, start) -> str:
    """The id of a figure's sentence in the report reader.

    Examples
    --------
    >>> anchor_id("cu-khoi-2018-fy", 4521)
    'at-cu-khoi-2018-fy-4521'
    """
    doc = re.sub(r"[^A-Za-z0-9_-]", "-", _text(doc_id))
    try:
        return f"at-{doc}-{int(start)}"
    except (TypeError, ValueError):
        return f"at-{doc}"


def _date(x) -> str:
    d = pd.to_datetime(x, errors="coerce")
    return d.strftime("%d/%m/%Y") if pd.notna(d) else "—"


def source_html(row: dict, meta: dict | None = None, text: str | None = None,
                lang: str = DEFAULT_LANG, link: bool = True) -> str:
    """A figure's source: the whole sentence with the figure marked, the report and a link.

    ``meta`` maps ``doc_id`` to the report's ``title`` and ``published``;
    ``text`` is the report's text (to place the sentence exactly). The link
    opens the report reader (:func:`reader_html`) at the sentence.

    Examples
    --------
    >>> row = {"sentence": "Tặng quà trị giá trên 800 triệu đồng.", "quote": "trên 800 triệu đồng",
    ...        "raw": "800 triệu đồng", "qualifier": "at_least", "doc_id": "tb", "start": 22,
    ...        "end": 36}
    >>> out = source_html(row, {"tb": {"title": "Báo cáo <b>6 tháng</b>", "published": "2021-07-01"}})
    >>> "<mark>trên 800 triệu đồng</mark>" in out, "&lt;b&gt;6 tháng" in out, 'href="#at-tb-22"' in out
    (True, True, True)
    """
    sentence, i, j = figure_span(row, text)
    body = (escape_text(sentence[:i]) + "<mark>" + escape_text(sentence[i:j]) + "</mark>"
            + escape_text(sentence[j:])) if j > i else escape_text(sentence)
    m = (meta or {}).get(row.get("doc_id")) or {}
    title = _text(m.get("title")) or _text(row.get("doc_id"))
    ref = escape_text(t("source.report", lang, title=title, published=_date(m.get("published"))))
    opener = (f' · <a class="ad-open" href="#{anchor_id(row.get("doc_id"), row.get("start"))}">'
              f'{escape_text(t("source.open", lang))}</a>') if link else ""
    return (f'<div class="ad-sent">{body}</div>'
            f'<div class="ad-ref">{ref}{opener}</div>')


def reader_html(doc_id: str, text: str, meta: dict | None, figures, lang: str = DEFAULT_LANG) -> str:
    """The report's whole text, each figure's sentence an anchor a source link opens.

    ``figures`` are rows with ``start``, ``end`` and ``sentence``. The text is
    escaped; a sentence reached by a link is highlighted (CSS ``:target``).

    Examples
    --------
    >>> text = "Mở đầu. Tặng quà trị giá trên 800 triệu đồng. Kết thúc <b>."
    >>> out = reader_html("tb", text, {"title": "Báo cáo"}, [{"start": 30, "end": 44,
    ...     "sentence": "Tặng quà trị giá trên 800 triệu đồng."}])
    >>> '<span class="ad-rs"><a id="at-tb-30"></a>Tặng quà' in out, "&lt;b&gt;" in out
    (True, True)
    """
    spans: list[list] = []   # [start, end, [ids]]
    for r in figures:
        sentence = _text(r.get("sentence"))
        ss = sentence_offset(text, sentence, r.get("start"), r.get("end"))
        if ss is None:
            if r.get("start") is None or pd.isna(r.get("start")):
                continue
            ss, se = int(r["start"]), int(r["end"])
        else:
            se = ss + len(sentence)
        aid = anchor_id(doc_id, r.get("start"))
        for sp in spans:
            if sp[0] < se and ss < sp[1]:
                if aid not in sp[2]:
                    sp[2].append(aid)
                break
        else:
            spans.append([ss, se, [aid]])
    spans.sort()
    out, pos = [], 0
    for ss, se, ids in spans:
        out.append(escape_text(text[pos:ss]))
        out.append('<span class="ad-rs">' + "".join(f'<a id="{a}"></a>' for a in ids)
                   + escape_text(text[ss:se]) + "</span>")
        pos = se
    out.append(escape_text(text[pos:]))
    m = meta or {}
    head = escape_text(t("source.report", lang, title=_text(m.get("title")) or doc_id,
                         published=_date(m.get("published"))))
    return (f'<div class="ad-reader" data-doc="{escape_text(doc_id)}"><div class="ad-reader-head">'
            f'{head}</div><div class="ad-reader-text">{"".join(out)}</div></div>')


def render_facts_table(frame: pd.DataFrame, lang: str = DEFAULT_LANG, meta: dict | None = None,
                       texts: dict | None = None, link: bool = True) -> str:
    """An HTML table of figures with their source sentences, all text escaped.

    Each row: the indicator (with its result badge, and how many times the
    report states it when more than once), the value in the reader's number
    format, and the whole sentence with the figure marked, the report's title
    and date and a link that opens the reader at the sentence.

    Examples
    --------
    >>> frame = pd.DataFrame({"indicator_id": ["cremation_rate"], "value": [63.6],
    ...     "unit": ["percent"], "raw": ["63,6%"], "doc_id": ["cu-khoi-2018-fy"],
    ...     "quote": ["hỏa táng <b>người</b> qua đời, đạt tỷ lệ 63,6%"],
    ...     "start": [10], "end": [15]})
    >>> out = render_facts_table(frame)
    >>> "&lt;b&gt;người&lt;/b&gt;" in out, "<mark>63,6%</mark>" in out, "<b>" in out
    (True, True, False)
    """
    lang = check_lang(lang)
    head = "".join(f"<th>{escape_text(t(k, lang))}</th>" for k in (
        "field.indicator", "field.value", "field.sentence"))
    times: dict = {}
    if {"doc_id", "indicator_id"} <= set(frame.columns):     # statements per report
        times = frame.groupby(["doc_id", "indicator_id"], dropna=False).size().to_dict()
    rows = []
    for r in frame.to_dict("records"):
        status = r.get("status")
        badge = ""
        if status in STATUS_COLORS:
            badge = (f'<span class="ad-badge" style="background:{STATUS_COLORS[status]}">'
                     f"{escape_text(t('status.' + status, lang))}</span>")
        n = r.get("n_statements")
        n = int(n) if n is not None and not pd.isna(n) else int(
            times.get((r.get("doc_id"), r.get("indicator_id")), 1))
        others = _text(r.get("other_values"))
        twice = (f'<span class="ad-twice">{escape_text(t("note.twice_short", lang, n=n))}'
                 + (f": {escape_text(others)}" if others else "") + "</span>" if n > 1 else "")
        text = (texts or {}).get(r.get("doc_id"))
        rows.append(
            "<tr>"
            f"<td class='ad-ind'>{escape_text(indicator_name(r.get('indicator_id'), lang))}{badge}{twice}</td>"
            f"<td class='ad-num'>{escape_text(format_number(r.get('value'), r.get('unit'), lang))}</td>"
            f"<td class='ad-quote'>{source_html(r, meta, text, lang, link)}</td>"
            "</tr>")
    return (f'<table class="ad-facts"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>")


#: Columns of a downloaded table, in order, when the shown frame has them.
EXPORT_COLUMNS = ("unit_name", "unit_level", "parent", "period", "indicator_id", "indicator",
                  "value", "unit", "value_shown", "raw", "qualifier", "status", "rank",
                  "colour", "target", "achievement_pct", "n_statements", "other_values",
                  "value_stated", "annualised", "note", "programme", "sentence",
                  "report_title", "published", "doc_id", "start", "end")


def export_table(frame: pd.DataFrame, meta: dict | None = None,
                 lang: str = DEFAULT_LANG) -> pd.DataFrame:
    """The table shown, ready to take away: its figures and their provenance.

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
        out["report_title"] = [_text((m.get(d) or {}).get("title")) for d in out["doc_id"]]
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
    """A table as CSV (UTF-8 with a byte-order mark, which Excel reads) or .xlsx bytes."""
    import io

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
    """A chart's Vega-Lite spec drawn as PNG or SVG by vl-convert (offline)."""
    import vl_convert as vlc

    if fmt == "png":
        return vlc.vegalite_to_png(spec, scale=2)
    if fmt == "svg":
        return vlc.vegalite_to_svg(spec).encode("utf-8")
    raise ValueError(f"unknown chart format {fmt!r}: use 'png' or 'svg'")


MIME = {"csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "png": "image/png", "svg": "image/svg+xml"}

_DOWNLOAD_ESM = """
function render({ model, el }) {
  const b = document.createElement("button");
  b.className = "ad-dl";
  const draw = () => { b.textContent = model.get("label"); b.disabled = !model.get("enabled"); };
  draw();
  model.on("change:label", draw);
  model.on("change:enabled", draw);
  b.addEventListener("click", () => model.send({ ask: true }));
  model.on("msg:custom", (msg, buffers) => {
    if (!msg || !msg.filename || !buffers || !buffers.length) return;
    const blob = new Blob([buffers[0]], { type: msg.mime });
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = msg.filename;
    document.body.appendChild(a);
    a.click();
    setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 2000);
  });
  el.appendChild(b);
}
export default { render };
"""
_DOWNLOAD_CLASS: list = []


def download_button(label: str, make):
    """A button that downloads a file made when it is clicked (one click, offline).

    ``make()`` returns ``(file name, format, bytes)``; the bytes go to the
    page as a binary message and the browser saves them. Built on anywidget.
    """
    if not _DOWNLOAD_CLASS:
        import anywidget
        import traitlets

        class Download(anywidget.AnyWidget):
            _esm = _DOWNLOAD_ESM
            label = traitlets.Unicode("").tag(sync=True)
            enabled = traitlets.Bool(True).tag(sync=True)

            def __init__(self, label, make, **kwargs):
                super().__init__(label=label, **kwargs)
                self.make = make
                self.on_msg(self._asked)

            def file(self):
                """``(file name, MIME type, bytes)`` of what is shown now."""
                name, fmt, data = self.make()
                return name, MIME[fmt], data

            def _asked(self, _widget, content, buffers):
                if not (isinstance(content, dict) and content.get("ask")):
                    return
                try:
                    name, mime, data = self.file()
                except Exception:
                    log.exception("dashboard: making the download %s failed", self.label)
                    return
                self.send({"filename": name, "mime": mime}, buffers=[data])

        _DOWNLOAD_CLASS.append(Download)
    return _DOWNLOAD_CLASS[0](label, make)


def duplicate_reports(reports: pd.DataFrame) -> pd.DataFrame:
    """Reports that share a unit (level, name, parent) and a period: one row per report.

    Examples
    --------
    >>> reports = pd.DataFrame({"doc_id": ["a", "b", "c"], "unit_name": ["Cự Khối"] * 3,
    ...     "unit_level": ["ward"] * 3, "parent": ["Long Biên"] * 3,
    ...     "period": ["2018-FY", "2018-FY", "2019-FY"], "title": ["A", "B", "C"]})
    >>> duplicate_reports(reports)["doc_id"].tolist()
    ['a', 'b']
    """
    if reports.empty:
        return reports.iloc[0:0]
    keyed = with_unit_key(reports)
    dup = keyed.duplicated(["unit_key", "period"], keep=False) & keyed["period"].notna()
    return keyed[dup].sort_values(["unit_key", "period", "doc_id"]).drop(columns="unit_key")


APP_CSS = """
<style>
.ad-app { font-family: 'Noto Sans', 'DejaVu Sans', 'Liberation Sans', Arial, sans-serif;
          font-size: 15px; color: #263238; max-width: 1100px; box-sizing: border-box; }
.ad-app *, .ad-preview * { box-sizing: border-box; }
.ad-title { font-size: 26px; font-weight: 700; margin: 4px 0 2px 0; color: #102027; }
.ad-intro { font-size: 15px; color: #455A64; margin: 0 0 6px 0; max-width: 900px; }
.ad-source { font-size: 12px; color: #78909C; }
.ad-h2 { font-size: 19px; font-weight: 700; margin: 14px 0 4px 0; color: #102027; }
.ad-empty { font-size: 17px; background: #FFF8E1; border-left: 5px solid #F9A825;
            padding: 12px 16px; margin: 8px 0; border-radius: 3px; }
.ad-empty small { display: block; font-size: 14px; color: #5D4037; margin-top: 4px; }
.ad-note { font-size: 13px; color: #546E7A; margin: 2px 0; }
.ad-note::before { content: "• "; }
.ad-warn { font-size: 14px; background: #FFF3E0; border-left: 5px solid #EF6C00;
           padding: 8px 12px; margin: 6px 0; }
.ad-one { font-size: 17px; background: #ECEFF1; padding: 12px 16px; margin: 8px 0;
          border-radius: 3px; }
.ad-error { font-size: 15px; background: #FFEBEE; border-left: 5px solid #C62828;
            padding: 10px 14px; margin: 8px 0; }
.ad-summary { font-size: 16px; padding: 10px 14px; background: #ECEFF1; border-radius: 4px; }
.ad-summary .ad-report { font-size: 18px; font-weight: 600; }
.ad-report-title { font-size: 14px; color: #455A64; margin: 2px 0 4px 0; }
.ad-cards { display: flex; gap: 10px; margin-top: 8px; flex-wrap: wrap; }
.ad-card { color: white; padding: 8px 14px; border-radius: 4px; min-width: 110px; }
.ad-card b { font-size: 26px; display: block; }
.ad-badge { color: white; font-size: 12px; padding: 1px 6px; border-radius: 3px; margin-left: 6px;
            white-space: nowrap; display: inline-block; }
.ad-twice { font-size: 12px; color: #5D4037; background: #FFF8E1; padding: 1px 6px;
            border-radius: 3px; margin-left: 6px; display: inline-block; }
.ad-facts, .jp-RenderedHTMLCommon table.ad-facts { border-collapse: collapse; width: 100%;
  font-size: 14px; table-layout: auto; }
.ad-facts td.ad-quote { width: 62%; }
.ad-facts th { text-align: left; background: #ECEFF1; padding: 6px; }
.ad-facts td, .jp-RenderedHTMLCommon .ad-facts td { border-top: 1px solid #E0E0E0; padding: 6px;
               vertical-align: top; text-align: left; }
.ad-facts th, .jp-RenderedHTMLCommon .ad-facts th { text-align: left; }
.ad-facts td.ad-num, .jp-RenderedHTMLCommon .ad-facts td.ad-num { white-space: nowrap;
               text-align: right; }
.ad-facts td.ad-ind { min-width: 140px; }
.ad-facts mark, .ad-reader mark { background: #FFF176; padding: 0 2px; }
.ad-sent { line-height: 1.45; }
.ad-ref { font-size: 12px; color: #607D8B; margin-top: 3px; }
.ad-open { color: #0B5394; text-decoration: underline; cursor: pointer; white-space: nowrap; }
.ad-reader { border: 1px solid #CFD8DC; border-radius: 4px; margin: 8px 0; }
.ad-reader-head { font-weight: 600; background: #ECEFF1; padding: 6px 10px; font-size: 14px; }
.ad-reader-text { white-space: pre-wrap; max-height: 420px; overflow-y: auto; padding: 8px 10px;
                  font-size: 14px; line-height: 1.5; overflow-wrap: anywhere; }
.ad-rs:has(> a:target) { background: #FFF176; outline: 2px solid #F9A825; }
.ad-rs > a { scroll-margin-top: 80px; }
.ad-downloads { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; margin: 6px 0; }
.ad-downloads .ad-dl { font-size: 13px; padding: 3px 10px; cursor: pointer; }
.ad-chart-box { max-width: 100%; overflow-x: auto; }
.ad-app .widget-label { font-size: 15px; }
.ad-app select, .ad-app .widget-dropdown > select { font-size: 15px; min-width: 0; }
.ad-app .widget-dropdown { max-width: 100%; flex-wrap: wrap; }
.ad-app .widget-toggle-buttons .widget-toggle-button { font-size: 14px; }
.ad-app .ad-controls { flex-wrap: wrap; gap: 8px; max-width: 100%; }
.ad-app .ad-controls > .widget-vbox { max-width: 100%; min-width: 0; }
.ad-app .widget-tab > .lm-TabBar .lm-TabBar-tab,
.ad-app .jupyter-widgets.widget-tab > .lm-TabBar .lm-TabBar-tab {
  flex: 0 1 auto; max-width: none; min-width: 0; font-size: 16px; font-weight: 600;
  padding: 6px 14px; line-height: 22px; height: auto; white-space: normal; }
.ad-app .widget-tab > .lm-TabBar .lm-TabBar-content { flex-wrap: wrap; }
.ad-app .widget-tab > .lm-TabBar { min-height: 42px; height: auto; }
.ad-app .widget-tab { max-width: 100%; }
.ad-app .widget-tab > .widget-tab-contents { overflow-x: hidden; padding: 8px; }
.ad-preview { font-family: 'Noto Sans', 'DejaVu Sans', 'Liberation Sans', Arial, sans-serif;
              font-size: 15px; color: #263238; max-width: 1100px; }
.ad-preview .ad-loading { font-size: 14px; color: #78909C; margin: 10px 0 18px 0; }
@media (max-width: 600px) {
  .ad-app .widget-dropdown { flex-direction: column; align-items: stretch; }
  .ad-app .widget-dropdown > .widget-label { width: auto !important; text-align: left; }
  .ad-app .widget-inline-hbox .widget-label { max-width: 100%; }
  .ad-app .widget-tab > .lm-TabBar .lm-TabBar-tab { font-size: 14px; padding: 4px 8px; }
  .ad-app .ad-controls > .widget-vbox { margin: 0 !important; }
  .ad-title { font-size: 21px; }
  .ad-facts thead { display: none; }
  .ad-facts tr { display: block; border-top: 1px solid #CFD8DC; padding: 4px 0; }
  .ad-facts td, .jp-RenderedHTMLCommon .ad-facts td { display: block; width: auto !important;
    border: 0; padding: 2px 4px; text-align: left; }
  .ad-facts td.ad-ind { font-weight: 600; }
  .ad-facts td.ad-num, .jp-RenderedHTMLCommon .ad-facts td.ad-num { text-align: left; }
  .ad-reader-text { max-height: 320px; }
}
/* The live app replaces the preview once its chart has drawn (or at once when
   the first view has no chart). */
body:has(.ad-app .ad-chart svg.marks) .ad-preview,
body:has(.ad-app) .ad-preview.ad-preview-nochart { display: none; }
</style>
"""


@dataclass
class _Selection:
    unit: str | None = None          # a unit_key
    period: str = LATEST
    topic: str = ALL_TOPICS
    indicator: str | None = None
    programme: str | None = None
    lang: str = DEFAULT_LANG
    timings: dict = field(default_factory=dict)


class DashboardApp:
    """The widgets and callbacks of the leaders' app.

    Parameters
    ----------
    lang : ``'vi'`` (default) or ``'en'``
    tables : ``{"reports": ..., "observations": ...}`` to use instead of the
        processed tables on disk (tests build small ones).

    The notebook displays :attr:`widget`. Selections can also be made from code
    (``app.unit.value = app.unit_key_of("Cự Khối")``), which is how the tests
    drive it. Units are identified by level, name and parent
    (:func:`unit_key`).

    Examples
    --------
    >>> app = DashboardApp(tables={"reports": pd.DataFrame(columns=_REPORT_COLUMNS),
    ...                            "observations": pd.DataFrame()})
    >>> "Chưa có dữ liệu" in app.status.value
    True
    """

    def __init__(self, lang: str = DEFAULT_LANG, tables: dict | None = None):
        skip_slow_imports()
        import altair as alt
        import ipywidgets as w

        self._w = w
        self._alt = alt
        log_to_server()
        self.sel = _Selection(lang=check_lang(lang))
        self._busy = False
        self._stale: set[str] = set()
        self._tables = tables
        self._shown: dict[str, object] = {}
        try:
            enable_offline_widgets()
        except Exception as exc:  # offline bundle missing: charts cannot draw
            log.warning("Altair offline mode unavailable: %s", exc)
        self._open_rows()
        self._index()
        self._build_widgets()
        self._set_labels()
        self._refresh_all()

    # -- data -------------------------------------------------------------
    def _open_rows(self) -> None:
        from . import paths, query

        self._views: dict[tuple, dict] = {}    # views drawn, kept for the next time
        self._stamp = None
        try:
            if self._tables is None:
                # the folder is fixed when the app opens; a new build there is read again
                folder = self._folder = getattr(self, "_folder", None) or paths.processed_dir()
                self._stamp = query.build_stamp(folder)
                self.rows = QueryRows(folder)
            else:
                self.rows = FrameRows(self._tables["reports"], self._tables["observations"])
            self._error = None
        except Exception as exc:
            log.warning("processed tables could not be read: %s", exc)
            self.rows = FrameRows(pd.DataFrame(columns=_REPORT_COLUMNS), pd.DataFrame())
            self._error = str(exc)

    def _index(self) -> None:
        self.reports = with_unit_key(self.rows.reports)
        keys = list(dict.fromkeys(self.reports["unit_key"][self.reports["unit_name"].notna()]))
        self.units = sorted(keys, key=lambda k: (vietnamese_sort_key(split_unit_key(k)[0]), k))
        names = [split_unit_key(k)[0] for k in self.units]
        by_name_level: dict = {}
        for k in self.units:
            n, lv, _ = split_unit_key(k)
            by_name_level.setdefault((n, lv), []).append(k)
        # the parent is named only where it tells two units apart
        self._needs_parent = {k for ks in by_name_level.values() if len(ks) > 1 for k in ks}
        self._names = names
        ends = self.reports.dropna(subset=["period"]).drop_duplicates("period")
        self.periods = ends["period"].tolist()  # latest first
        self.unit_periods = {u: list(dict.fromkeys(g["period"].tolist()))
                             for u, g in self.reports.groupby("unit_key", sort=False)}
        self.topics_of = {i: (indicator_info(i).get("topic") or "other")
                          for i in self.rows.indicators()}
        self.topics = sorted(set(self.topics_of.values()))
        self.reach = self.rows.indicator_units()
        self.meta = {d: {"title": ti, "published": pu} for d, ti, pu in
                     zip(self.reports["doc_id"], self.reports["title"], self.reports["published"])}
        self.duplicates = duplicate_reports(self.reports)

    def unit_key_of(self, name: str, level: str | None = None) -> str:
        """The key of the unit of this name (and level): what the unit selector holds."""
        found = [k for k in self.units if split_unit_key(k)[0] == name
                 and (level is None or split_unit_key(k)[1] == level)]
        if len(found) != 1:
            raise KeyError(f"{len(found)} units named {name!r}"
                           + (f" at level {level!r}" if level else "")
                           + "; give the level (and parent) to tell them apart")
        return found[0]

    def reload_if_stale(self) -> bool:
        """Read the tables again if a build has finished since they were read.

        Called before every redraw and when a preheated page is handed to its
        reader (:meth:`wait_for_page`): a page always shows the latest finished
        build. Returns whether the tables were read again.
        """
        from . import query

        if self._tables is not None or getattr(self, "_folder", None) is None:
            return False
        stamp = query.build_stamp(self._folder)
        if stamp == self._stamp or (self._error is not None and stamp == ()):
            return False
        self._open_rows()
        self._index()
        self._set_labels()
        self._refresh_all()
        if self._error is None:
            self.notice.value = f'<div class="ad-note">{escape_text(t("note.data_updated", self.sel.lang))}</div>'
        return True

    def wait_for_page(self) -> None:
        """Wait for the reader's request (a preheated kernel runs ahead), then check freshness.

        Outside a preheated Voilà kernel, returns at once.
        """
        import os

        if os.environ.get("VOILA_PREHEAT", "False") != "False":
            from voila.utils import wait_for_request

            wait_for_request()
        self.reload_if_stale()

    # -- widgets ----------------------------------------------------------
    def _build_widgets(self) -> None:
        w = self._w
        wide = w.Layout(width="420px", max_width="100%")
        style = {"description_width": "110px"}
        self.css = w.HTML(APP_CSS)
        self.header = w.HTML()
        self.notice = w.HTML()
        self.lang = w.ToggleButtons(options=[(t("lang.vi"), "vi"), (t("lang.en"), "en")],
                                    value=self.sel.lang, style={"button_width": "110px"})
        self.unit = w.Dropdown(layout=wide, style=style)
        self.period = w.Dropdown(layout=wide, style=style)
        self.topic = w.Dropdown(layout=wide, style=style)
        self.indicator = w.Dropdown(layout=w.Layout(width="640px", max_width="100%"), style=style)
        self.programme = w.Dropdown(layout=w.Layout(width="640px", max_width="100%"), style=style)
        self.status = w.HTML()
        self.summary = w.HTML()
        self.unit_notes = w.HTML()
        self.h_scorecard, self.h_compare, self.h_trend, self.h_facts = (w.HTML() for _ in range(4))
        self.h_compare_table, self.h_programme = w.HTML(), w.HTML()
        self.scorecard_msg, self.compare_msg, self.trend_msg = (w.HTML() for _ in range(3))
        self.facts = w.HTML()
        self.reader = w.HTML()
        self.compare_note = w.HTML()
        self.compare_table = w.HTML()
        self.compare_reader = w.HTML()
        self.programme_table = w.HTML()
        self.programme_reader = w.HTML()
        # A chart widget is made when its first chart is drawn: each carries the
        # Vega bundle (about 1 MB), so the page's first load carries only one.
        self.charts: dict[str, object] = {}
        self.slots = {name: w.Box(layout=w.Layout(max_width="100%", overflow="auto"))
                      for name in ("scorecard", "compare", "trend")}
        self.downloads = {
            "facts": self._download_row([("csv", "facts"), ("xlsx", "facts"),
                                         ("png", "scorecard"), ("svg", "scorecard")]),
            "compare": self._download_row([("csv", "compare"), ("xlsx", "compare"),
                                           ("png", "compare"), ("svg", "compare"),
                                           ("png", "trend"), ("svg", "trend")]),
            "programme": self._download_row([("csv", "programme"), ("xlsx", "programme")]),
        }

        unit_view = w.VBox([self.summary, self.unit_notes, self.downloads["facts"],
                            self.h_scorecard, self.scorecard_msg, self.slots["scorecard"],
                            self.h_facts, self.facts, self.reader])
        compare_view = w.VBox([self.indicator, self.downloads["compare"], self.h_compare,
                               self.compare_msg, self.slots["compare"], self.compare_note,
                               self.h_trend, self.trend_msg, self.slots["trend"],
                               self.h_compare_table, self.compare_table, self.compare_reader])
        programme_view = w.VBox([self.programme, self.downloads["programme"], self.h_programme,
                                 self.programme_table, self.programme_reader])
        self.views = w.Tab(children=[unit_view, compare_view, programme_view],
                           layout=w.Layout(max_width="100%"))
        controls = w.HBox([w.VBox([self.unit, self.period, self.topic]),
                           w.VBox([self.lang])], layout=w.Layout(max_width="100%"))
        controls.add_class("ad-controls")
        self.widget = w.VBox([self.css, self.header, controls, self.notice, self.status, self.views],
                             layout=w.Layout(max_width="100%"))
        self.widget.add_class("ad-app")

        self.unit.observe(self._on_unit, names="value")
        self.period.observe(self._on_period, names="value")
        self.topic.observe(self._on_topic, names="value")
        self.indicator.observe(self._on_indicator, names="value")
        self.programme.observe(self._on_programme, names="value")
        self.lang.observe(self._on_lang, names="value")
        self.views.observe(self._on_view, names="selected_index")

    def _download_row(self, items):
        w = self._w
        self._download_buttons = getattr(self, "_download_buttons", {})
        buttons = []
        for fmt, what in items:
            try:
                b = download_button(fmt.upper(), lambda fmt=fmt, what=what: self.export(what, fmt))
            except Exception as exc:   # anywidget missing: no downloads, the rest works
                log.warning("downloads unavailable: %s", exc)
                return w.HBox()
            b.add_class("ad-dl-widget")
            self._download_buttons[(what, fmt)] = b
            buttons.append(b)
        label = w.HTML()
        row = w.HBox([label, *buttons], layout=w.Layout(flex_flow="row wrap", max_width="100%"))
        row.add_class("ad-downloads")
        row._label = label
        return row

    def export(self, what: str, fmt: str) -> tuple[str, str, bytes]:
        """The file of a view as shown: ``what`` is ``facts``, ``compare``,
        ``programme`` (tables: ``csv``/``xlsx``) or ``scorecard``, ``compare``,
        ``trend`` (charts: ``png``/``svg``). Returns ``(file name, format, bytes)``."""
        from .period_reports import report_slug

        lang = self.sel.lang
        name = report_slug(split_unit_key(self.sel.unit or "")[0] or "all")
        if fmt in ("csv", "xlsx"):
            frame = self._shown.get(f"table.{what}")
            if frame is None:
                raise LookupError(f"no {what} table shown")
            table = export_table(frame, self.meta, lang)
            stem = {"facts": f"{name}-{self._current_period() or ''}",
                    "compare": f"so-sanh-{self.sel.indicator}",
                    "programme": f"chuong-trinh-{report_slug(self.sel.programme or '')}"}[what]
            return f"{stem}.{fmt}", fmt, table_bytes(table, fmt)
        widget = self.charts.get(what)
        if widget is None or self.slots[what].layout.display == "none":
            raise LookupError(f"no {what} chart shown")
        stem = {"scorecard": f"{name}-{self._current_period() or ''}-ket-qua",
                "compare": f"so-sanh-{self.sel.indicator}",
                "trend": f"{name}-{self.sel.indicator}-qua-cac-ky"}[what]
        return f"{stem}.{fmt}", fmt, chart_bytes(widget.spec, fmt)

    def preview(self) -> "Preview":
        """The app's first view as plain HTML, for the page to show while its widgets load.

        The notebook displays it before :attr:`widget`. Voilà's ``offline``
        template writes it into the page as it is, its chart drawn by the
        inlined vega-embed bundle: the reader sees the report's summary, the
        scorecard and the figures at once, not after the several megabytes of
        the widgets' JavaScript. The app's own stylesheet hides it once the
        live chart has drawn (or at once when the first view has no chart).

        Examples
        --------
        >>> app = DashboardApp(tables={"reports": pd.DataFrame(columns=_REPORT_COLUMNS),
        ...                            "observations": pd.DataFrame()})
        >>> html = app.preview().html
        >>> "Chưa có dữ liệu" in html, "ad-preview-nochart" in html
        (True, True)
        """
        from .theme import offline_chart_html

        lang = self.sel.lang
        parts = [APP_CSS, self.header.value,
                 f'<div class="ad-loading">{escape_text(t("app.loading", lang))}</div>',
                 self.status.value]
        chart = self.charts.get("scorecard")
        drawn = (chart is not None and self.views.layout.display != "none"
                 and self.views.selected_index == 0
                 and self.slots["scorecard"].layout.display != "none")
        if self.views.layout.display != "none":
            parts += [self.summary.value, self.unit_notes.value, self.h_scorecard.value,
                      self.scorecard_msg.value]
            if drawn:
                parts.append(offline_chart_html(chart.spec, {"renderer": "svg", "actions": False}))
            parts += [self.h_facts.value, self.facts.value]
        cls = "ad-preview" if drawn else "ad-preview ad-preview-nochart"
        return Preview(f'<div class="{cls}">{"".join(parts)}</div>')

    def _unit_label(self, key: str) -> str:
        name, level, parent = split_unit_key(key or "")
        return unit_label(name, level, self.sel.lang,
                          parent=parent if key in self._needs_parent else None)

    def _set_labels(self) -> None:
        """Write every label in the current language, keeping the selections."""
        lang = self.sel.lang
        self._busy = True
        try:
            self.header.value = (
                f'<div class="ad-title">{escape_text(t("app.title", lang))}</div>'
                f'<div class="ad-intro">{escape_text(t("app.intro", lang))}</div>'
                f'<div class="ad-source">{escape_text(t("app.source", lang))}</div>')
            self.unit.description = t("control.unit", lang)
            self.period.description = t("control.period", lang)
            self.topic.description = t("control.topic", lang)
            self.indicator.description = t("control.indicator", lang)
            self.programme.description = t("control.programme", lang)
            self.unit.options = [(self._unit_label(u), u) for u in self.units]
            if self.units:
                self.sel.unit = self.sel.unit if self.sel.unit in self.units else self.units[0]
                self.unit.value = self.sel.unit
            self.period.options = ([(t("period.latest", lang), LATEST)]
                                   + [(period_name(p, lang), p) for p in self.periods])
            self.period.value = self.sel.period if self.sel.period in self.periods else LATEST
            self.topic.options = ([(t("topic.all", lang), ALL_TOPICS)]
                                  + [(topic_name(x, lang), x) for x in self.topics])
            self.topic.value = self.sel.topic if self.sel.topic in self.topics else ALL_TOPICS
            self._set_indicator_options()
            for i, key in enumerate(("view.scorecard", "view.compare", "view.programmes")):
                self.views.set_title(i, t(key, lang))
            for widget, key in ((self.h_scorecard, "section.scorecard"),
                                (self.h_compare, "section.compare"),
                                (self.h_trend, "section.trend"), (self.h_facts, "section.facts"),
                                (self.h_compare_table, "section.compare_table"),
                                (self.h_programme, "section.programme")):
                widget.value = f'<div class="ad-h2">{escape_text(t(key, lang))}</div>'
            for row in self.downloads.values():
                if hasattr(row, "_label"):
                    row._label.value = f"<b>{escape_text(t('download.label', lang))}</b>"
            for (what, fmt), b in getattr(self, "_download_buttons", {}).items():
                kind = "csv" if fmt == "csv" else "xlsx" if fmt == "xlsx" else fmt
                b.label = t(f"download.{kind}", lang) + (
                    f" · {t('section.trend', lang)}" if what == "trend" else "")
        finally:
            self._busy = False

    def _indicator_choices(self) -> list[str]:
        """Indicators of the topic, the most reported first (thin data opens on
        what most units state), then those the chosen unit reports."""
        ids = [i for i in self.reach
               if self.sel.topic == ALL_TOPICS or self.topics_of.get(i) == self.sel.topic]
        mine = self.rows.unit_indicators(*self._unit_parts()[:2]) if self.sel.unit is not None else set()
        return sorted(ids, key=lambda i: (-self.reach[i], i not in mine,
                                          vietnamese_sort_key(indicator_name(i, self.sel.lang))))

    def _unit_parts(self):
        return split_unit_key(self.sel.unit or "")

    def _set_indicator_options(self) -> None:
        lang = self.sel.lang
        ids = self._indicator_choices()
        was = self._busy
        self._busy = True
        try:
            self.indicator.options = [
                (f"{indicator_name(i, lang)} ({t('count.units', lang, n=self.reach[i])})", i)
                for i in ids]
            if ids:
                self.sel.indicator = self.sel.indicator if self.sel.indicator in ids else ids[0]
                self.indicator.value = self.sel.indicator
            else:
                self.sel.indicator = None
                self.indicator.value = None
        finally:
            self._busy = was

    # -- callbacks --------------------------------------------------------
    def _on_unit(self, change) -> None:
        if self._busy or change["new"] is None:
            return
        self.sel.unit = change["new"]
        self._guard("control.unit", self._refresh_all)

    def _on_period(self, change) -> None:
        if self._busy or change["new"] is None:
            return
        self.sel.period = change["new"]
        self._guard("control.period", self._refresh_unit_view)

    def _on_topic(self, change) -> None:
        if self._busy or change["new"] is None:
            return
        self.sel.topic = change["new"]
        self._guard("control.topic", self._refresh_all)

    def _on_indicator(self, change) -> None:
        if self._busy or change["new"] is None:
            return
        self.sel.indicator = change["new"]
        self._guard("control.indicator", self._refresh_compare_view)

    def _on_programme(self, change) -> None:
        if self._busy or change["new"] is None:
            return
        self.sel.programme = change["new"]
        self._guard("control.programme", self._refresh_programme_view)

    def _on_lang(self, change) -> None:
        if self._busy or change["new"] is None:
            return
        self.sel.lang = change["new"]
        self._guard("control.lang", lambda: (self._set_labels(), self._refresh_all()))

    def _on_view(self, change) -> None:
        if self._busy or change["new"] is None:
            return
        self._guard({0: "view.scorecard", 1: "view.compare"}.get(change["new"], "view.programmes"),
                    self._refresh_stale)

    def _guard(self, what: str, action) -> None:
        """Run a callback; on any error show one line, log the traceback, and
        clear what the failed view would have replaced.

        ``what`` is the label key of the control that changed.
        """
        start = time.perf_counter()
        try:
            self.status.value = ""
            self.notice.value = ""
            if not self.reload_if_stale():
                action()
        except Exception:
            log.exception("dashboard: updating after a change of %s failed", what)
            self._clear_views()
            self.status.value = (f'<div class="ad-error">'
                                 f'{escape_text(t("error.view", self.sel.lang, what=t(what, self.sel.lang)))}'
                                 "</div>")
        self.sel.timings[what] = time.perf_counter() - start

    def _clear_views(self) -> None:
        """Nothing of an earlier choice stays on screen under a later one."""
        for widget in (self.summary, self.unit_notes, self.scorecard_msg, self.facts, self.reader,
                       self.compare_msg, self.compare_note, self.trend_msg, self.compare_table,
                       self.compare_reader, self.programme_table, self.programme_reader):
            widget.value = ""
        for slot in self.slots.values():
            slot.layout.display = "none"
        self._shown.clear()
        self._stale = {"unit", "compare", "programme"}

    # -- views ------------------------------------------------------------
    def _refresh_all(self) -> None:
        lang = self.sel.lang
        if self._error is not None or not self.units:
            self.status.value = f'<div class="ad-empty">{escape_text(t("empty.no_data", lang))}</div>'
            self.views.layout.display = "none"
            return
        self.status.value = ""
        self.views.layout.display = None
        self._set_indicator_options()
        # Only the view on screen is drawn now; the others when they are opened.
        self._stale = {"unit", "compare", "programme"}
        self._refresh_stale()

    def _refresh_stale(self) -> None:
        view = {0: "unit", 1: "compare"}.get(self.views.selected_index, "programme")
        if view in self._stale:
            self._stale.discard(view)
            {"unit": self._refresh_unit_view, "compare": self._refresh_compare_view,
             "programme": self._refresh_programme_view}[view]()

    def _current_period(self) -> str | None:
        have = self.unit_periods.get(self.sel.unit, [])
        if self.sel.period == LATEST:
            return have[0] if have else None
        return self.sel.period if self.sel.period in have else None

    def _unit_obs(self, period: str) -> pd.DataFrame:
        name, level, parent = self._unit_parts()
        frame = self.rows.unit_period(name, period, level, parent)
        if self.sel.topic != ALL_TOPICS and len(frame):
            frame = frame[frame["indicator_id"].map(self.topics_of) == self.sel.topic]
        return frame

    def _show(self, name: str, msg_widget, chart=None, message: str | None = None,
              detail: str | None = None, html_message: str | None = None) -> None:
        """Draw a chart in its slot, or hide the slot and say what is missing."""
        slot = self.slots[name]
        if chart is not None:
            chart = _without_validation(chart)
            widget = self.charts.get(name)
            if widget is None:
                widget = self._alt.JupyterChart(chart, embed_options={"renderer": "svg",
                                                                      "actions": False})
                widget.add_class("ad-chart")
                widget.add_class(f"ad-chart-{name}")
                self.charts[name] = widget
                slot.children = (widget,)
            else:
                widget.chart = chart
            slot.layout.display = None
            msg_widget.value = ""
        else:
            slot.layout.display = "none"
            if html_message is not None:
                msg_widget.value = html_message
                return
            extra = f"<small>{escape_text(detail)}</small>" if detail else ""
            msg_widget.value = f'<div class="ad-empty">{escape_text(message)}{extra}</div>'

    def _texts(self, doc_ids) -> dict:
        return self.rows.texts(list(doc_ids))

    def _readers(self, frame: pd.DataFrame, texts: dict) -> str:
        out = []
        for doc, g in frame.groupby("doc_id", sort=False):
            if doc in texts:
                out.append(reader_html(doc, texts[doc], self.meta.get(doc), g.to_dict("records"),
                                       self.sel.lang))
        if not out:
            return ""
        return (f'<div class="ad-h2">{escape_text(t("section.reader", self.sel.lang))}</div>'
                f'<div class="ad-note">{escape_text(t("reader.hint", self.sel.lang))}</div>'
                + "".join(out))

    def _unit_notes(self, period: str) -> str:
        """Warnings about the unit: two reports for one period; a unit the 2025 reform ended."""
        lang = self.sel.lang
        name, level, parent = self._unit_parts()
        notes = []
        dup = self.duplicates
        if len(dup):
            mine = with_unit_key(dup)
            mine = mine[(mine["unit_key"] == self.sel.unit) & (mine["period"] == period)]
            if len(mine):
                titles = "; ".join(_text(x) or d for x, d in zip(mine["title"], mine["doc_id"]))
                notes.append(t("note.duplicate", lang, n=len(mine), unit=self._unit_label(self.sel.unit),
                               period=period_name(period, lang), titles=titles))
        try:
            from . import admin

            after = admin.successors(name, on="2025-07-01", level=level, parent=parent)
            if after and not any(s.unit_name == name and s.unit_level == level for s in after):
                succ = ", ".join(f"{unit_label(s.unit_name, s.unit_level, lang)} "
                                 f"({t('reform.' + s.rollup, lang)})" for s in after)
                notes.append(t("note.reform_gone", lang, unit=self._unit_label(self.sel.unit),
                               successors=succ))
        except Exception as exc:   # a unit not in the reference table: nothing to say
            log.debug("no reform note for %s: %s", self.sel.unit, exc)
        return "".join(f'<div class="ad-warn">{escape_text(n)}</div>' for n in notes)

    def _refresh_unit_view(self) -> None:
        self._stale.discard("unit")
        lang = self.sel.lang
        period = self._current_period()
        self._shown.pop("table.facts", None)
        if period is None:
            have = self.unit_periods.get(self.sel.unit, [])
            label = self._unit_label(self.sel.unit or "")
            detail = (t("empty.no_report_detail", lang, unit=label,
                        period=period_name(self.sel.period, lang),
                        periods=", ".join(period_name(p, lang) for p in have))
                      if have else t("empty.no_report_any", lang, unit=label))
            self.summary.value = (f'<div class="ad-empty">{escape_text(t("empty.no_report", lang))}'
                                  f"<small>{escape_text(detail)}</small></div>")
            self.unit_notes.value = ""
            self._show("scorecard", self.scorecard_msg, message=t("empty.no_report", lang))
            self.facts.value = ""
            self.reader.value = ""
            return
        key = ("unit", self.sel.unit, period, self.sel.topic, lang)
        view = self._views.get(key)
        if view is None:   # made once per unit, period, topic and language, then kept
            view = self._make_unit_view(period)
            if len(self._views) >= 64:
                self._views.pop(next(iter(self._views)))
            self._views[key] = view
        self.summary.value, self.unit_notes.value = view["summary"], view["notes"]
        if view["chart"] is None:
            self._show("scorecard", self.scorecard_msg, message=t("empty.no_targets", lang))
        else:
            self._show("scorecard", self.scorecard_msg, chart=view["chart"])
        self.facts.value, self.reader.value = view["facts"], view["reader"]
        if view["table"] is not None:
            self._shown["table.facts"] = view["table"]

    def _make_unit_view(self, period: str) -> dict:
        from .charts import chart_scorecard

        lang = self.sel.lang
        frame = self._unit_obs(period)
        card = self._scorecard(period, frame)
        view = {"summary": self._summary_html(period, frame, card),
                "notes": self._unit_notes(period),
                "chart": None if card is None or card.empty else chart_scorecard(card, lang),
                "table": None, "reader": ""}
        if frame.empty:
            view["facts"] = f'<div class="ad-empty">{escape_text(t("empty.no_facts", lang))}</div>'
        else:
            table = frame
            if card is not None and not card.empty and "status" in card.columns and "obs_id" in card.columns:
                table = frame.merge(card[["obs_id", "status"]], on="obs_id", how="left")
            table = table.sort_values(["start"]) if "start" in table.columns else table
            texts = self._texts(table["doc_id"].unique())
            view.update(facts=render_facts_table(table, lang, self.meta, texts),
                        reader=self._readers(table, texts), table=table)
        return view

    def _scorecard(self, period: str, frame: pd.DataFrame) -> pd.DataFrame | None:
        from .compare import scorecard

        if frame.empty or not states_targets(frame):  # compare.scorecard needs one
            return None
        name = self._unit_parts()[0]
        card = scorecard(frame, name, period, lang=self.sel.lang)
        if len(card) and self.sel.topic != ALL_TOPICS:
            ids = card["target_id"].fillna(card["indicator_id"])
            card = card[ids.map(self.topics_of) == self.sel.topic]
        return card

    def _summary_html(self, period, frame, card) -> str:
        rep = self.reports[(self.reports["unit_key"] == self.sel.unit) & (self.reports["period"] == period)]
        name = self._unit_parts()[0]
        return summary_html(rep.iloc[0].to_dict() if len(rep) else {"unit_name": name,
                                                                     "period": period},
                            len(frame), card, self.sel.lang)

    def _compare_notes(self, cmp: pd.DataFrame) -> list[str]:
        """What a reader of the comparison must know, in plain words."""
        from .compare import MIN_PEERS

        lang = self.sel.lang
        notes = []
        if cmp.attrs.get("left_out"):
            months = cmp["period_months"].dropna()
            notes.append(t("note.other_lengths", lang, units=", ".join(cmp.attrs["left_out"]),
                           months=int(months.iloc[0]) if len(months) else "?"))
        if cmp.empty:
            return notes
        levels = [lv for lv in dict.fromkeys(cmp["unit_level"].dropna()) if f"level.{lv}" in LABELS]
        if len(levels) > 1:
            notes.append(t("note.levels", lang,
                           levels=", ".join(t(f"level.{lv}", lang).lower() for lv in levels)))
        if cmp["period"].nunique() > 1:
            notes.append(t("note.periods", lang))
        if bool(cmp["annualised"].fillna(False).astype(bool).any()):
            notes.append(t("note.annualised", lang))
        for r in cmp.to_dict("records"):
            if _text(r.get("other_values")) and r.get("aggregation") == "flow":
                notes.append(t("note.stated_twice", lang, unit=r["unit_name"],
                               n=int(r.get("n_statements") or 2), shown=r["raw"],
                               others=r["other_values"]))
        conflicts = cmp.loc[cmp["is_conflict"].fillna(False).astype(bool), "unit_name"].tolist()
        if conflicts:
            notes.append(t("note.conflict", lang, units=", ".join(conflicts)))
        if len(cmp) > 1:
            notes.append(t("note.colour_target", lang))
            notes.append(t("note.colour_band", lang, n=MIN_PEERS) if len(cmp) >= MIN_PEERS
                         else t("note.colour_none", lang, n=MIN_PEERS))
        return notes

    def _refresh_compare_view(self) -> None:
        self._stale.discard("compare")
        lang = self.sel.lang
        ind = self.sel.indicator
        self._shown.pop("table.compare", None)
        self.compare_table.value = self.compare_reader.value = ""
        if ind is None or ind not in self.reach:
            self._show("compare", self.compare_msg, message=t("empty.no_indicator", lang))
            self._show("trend", self.trend_msg, message=t("empty.no_indicator", lang))
            self.compare_note.value = ""
            return
        key = ("compare", ind, self.sel.unit, lang)
        view = self._views.get(key)
        if view is None:   # made once per indicator, unit and language, then kept
            view = self._make_compare_view(ind)
            if len(self._views) >= 64:
                self._views.pop(next(iter(self._views)))
            self._views[key] = view
        self.compare_note.value = view["note"]
        kind, what = view["compare"]
        if kind == "chart":
            self._show("compare", self.compare_msg, chart=what)
        elif kind == "html":
            self._show("compare", self.compare_msg, html_message=what)
        else:
            self._show("compare", self.compare_msg, message=what)
        self.compare_table.value, self.compare_reader.value = view["table"], view["reader"]
        if view["cmp"] is not None:
            self._shown["table.compare"] = view["cmp"]
        kind, what = view["trend"]
        if kind == "chart":
            self._show("trend", self.trend_msg, chart=what)
        else:
            self._show("trend", self.trend_msg, message=what)

    def _make_compare_view(self, ind: str) -> dict:
        from .charts import chart_compare, chart_trend
        from .compare import ComparisonRefused

        lang = self.sel.lang
        name, level, parent = self._unit_parts()
        cmp = with_unit_key(self.rows.compare(ind, lang, name))
        view = {"note": "".join(f'<div class="ad-note">{escape_text(c)}</div>'
                                for c in self._compare_notes(cmp)),
                "table": "", "reader": "", "cmp": None}
        if cmp.empty:
            view["compare"] = ("message", t("empty.no_compare", lang))
        elif len(cmp) == 1:
            r = cmp.iloc[0].to_dict()
            one = t("compare.one_unit", lang, unit=self._unit_label(r["unit_key"]),
                    period=period_name(r["period"], lang),
                    value=format_number(r["value"], r["unit"], lang))
            view["compare"] = ("html", f'<div class="ad-one">{escape_text(one)}</div>')
        else:
            shared = cmp["unit_name"].duplicated(keep=False)    # phường and quận Long Biên
            cmp = cmp.assign(row_unit=[self._unit_label(k) if (k in self._needs_parent or same)
                                       else n for k, n, same in
                                       zip(cmp["unit_key"], cmp["unit_name"], shared)])
            view["compare"] = ("chart", chart_compare(cmp, lang, highlight=self.sel.unit,
                                                      max_units=COMPARE_BARS))
        if len(cmp):
            texts = self._texts(cmp["doc_id"].unique()[:COMPARE_BARS + 1])
            shown = cmp.head(COMPARE_BARS + 1)
            view["table"] = render_facts_table(shown.assign(status=shown["target_status"]), lang,
                                               self.meta, texts)
            view["reader"] = self._readers(shown, texts)
            view["cmp"] = cmp
        try:
            result = self.rows.trend(name, ind, lang, level, parent) if name else None
        except ComparisonRefused:
            view["trend"] = ("message", t("empty.trend_lengths", lang))
            return view
        if result is None or result.frame.empty:
            view["trend"] = ("message", t("empty.no_trend", lang,
                                          unit=self._unit_label(self.sel.unit or "")))
        else:
            view["trend"] = ("chart", chart_trend(result, lang))
        return view

    def _refresh_programme_view(self) -> None:
        self._stale.discard("programme")
        lang = self.sel.lang
        rows = self.rows.programme_rows()
        keys = sorted({k for ks in rows["programme_keys"] for k in (ks or [])}) if len(rows) else []
        was = self._busy
        self._busy = True
        try:
            self.programme.options = [(k, k) for k in keys]
            if keys:
                self.sel.programme = self.sel.programme if self.sel.programme in keys else keys[0]
                self.programme.value = self.sel.programme
        finally:
            self._busy = was
        self._shown.pop("table.programme", None)
        if not keys:
            self.programme_table.value = (f'<div class="ad-empty">'
                                          f'{escape_text(t("empty.no_programme", lang))}</div>')
            self.programme_reader.value = ""
            return
        mine = rows[[self.sel.programme in (ks or []) for ks in rows["programme_keys"]]]
        mine = mine.sort_values(["period_end", "unit_name", "start"], ascending=[False, True, True])
        texts = self._texts(mine["doc_id"].unique())
        parts = []
        for (unit, period), g in mine.groupby(["unit_name", "period"], sort=False):
            parts.append(f'<div class="ad-h2">{escape_text(unit_label(unit, g["unit_level"].iloc[0], lang))}'
                         f" · {escape_text(period_name(period, lang))}</div>")
            parts.append(render_facts_table(g, lang, self.meta, texts))
        self.programme_table.value = "".join(parts)
        self.programme_reader.value = self._readers(mine, texts)
        self._shown["table.programme"] = mine.assign(programme=self.sel.programme)


class Preview:
    """HTML that Voilà's ``offline`` template writes into the page as it is.

    Displayed with the output metadata ``{"analysis_preview": true}``, which the
    template looks for; elsewhere (JupyterLab) it is an ordinary HTML output.

    Examples
    --------
    >>> data, meta = Preview("<b>x</b>")._repr_mimebundle_()
    >>> data["text/html"], meta
    ('<b>x</b>', {'analysis_preview': True})
    """

    def __init__(self, html: str):
        self.html = html

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/html": self.html, "text/plain": "<preview of the app>"}, {"analysis_preview": True}


def log_to_server(logger: logging.Logger = log) -> None:
    """Send an app's log to the kernel process's own stderr (the server's log).

    In a kernel, ``sys.stderr`` goes to the page; a traceback logged there
    would reach the reader's browser. Calling it again adds no second handler.
    """
    if not any(getattr(h, "_analysis_server", False) for h in logger.handlers):
        handler = logging.StreamHandler(sys.__stderr__)
        handler._analysis_server = True
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
        logger.addHandler(handler)
        logger.propagate = False


def states_targets(frame: pd.DataFrame) -> bool:
    """Whether any figure of a report has a target to be checked against."""
    checks = []
    if "kind" in frame.columns:
        checks.append(frame["kind"] == "target_achievement")
    for col in ("target", "achievement_pct", "stated_result"):
        if col in frame.columns:
            checks.append(frame[col].notna())
    return bool(len(frame) and any(c.any() for c in checks))


def _without_validation(chart):
    """The chart, its ``to_dict`` not validating against the Vega-Lite schema.

    ``JupyterChart`` calls ``chart.to_dict()`` on every update; schema validation
    is most of that time (about 0.1 s a chart here) and adds nothing at run
    time: the chart functions' specs are validated by the test suite.
    """
    if getattr(chart, "_analysis_unvalidated", False):   # a kept chart, drawn again
        return chart
    original = chart.to_dict

    def to_dict(*args, **kwargs):
        kwargs.setdefault("validate", False)
        return original(*args, **kwargs)

    object.__setattr__(chart, "to_dict", to_dict)  # SchemaBase.__setattr__ writes spec keys
    object.__setattr__(chart, "_analysis_unvalidated", True)
    return chart
