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

import html
import logging
import sys
import time
from dataclasses import dataclass, field

import pandas as pd

from .i18n import (LABELS, indicator_info, indicator_name, period_name, t, topic_name,
                   vietnamese_sort_key)
from .theme import (DEFAULT_LANG, STATUS_COLORS, check_lang, enable_offline_widgets,
                    format_number, skip_slow_imports)

__all__ = ["DashboardApp", "Preview", "FrameRows", "QueryRows", "load_tables", "read_processed", "render_facts_table",
           "summary_html", "unit_label", "escape_text", "APP_CSS", "LATEST", "ALL_TOPICS"]

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
        "reports": read_processed("reports", columns=_REPORT_COLUMNS),
        "observations": read_processed("observations"),
    }


def _sorted_reports(reports: pd.DataFrame) -> pd.DataFrame:
    reports = reports.copy()
    for c in _REPORT_COLUMNS:
        if c not in reports.columns:
            reports[c] = None
    reports["period_end"] = pd.to_datetime(reports["period_end"], errors="coerce")
    return reports.sort_values(["period_end", "doc_id"], ascending=[False, True])


class FrameRows:
    """The app's rows from tables in memory (``DashboardApp(tables=...)``).

    :class:`QueryRows` answers the same questions from the processed tables
    on disk, reading only the rows asked for.
    """

    def __init__(self, reports: pd.DataFrame, obs: pd.DataFrame):
        self.reports = _sorted_reports(reports)
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

    def unit_indicators(self, unit: str) -> set[str]:
        return set(self.obs.loc[self.obs["unit_name"] == unit, "indicator_id"].dropna())

    def unit_period(self, unit: str, period: str) -> pd.DataFrame:
        frame = self._by_unit_period.get((unit, period))
        return self.obs.iloc[0:0] if frame is None else frame

    def compare(self, indicator: str, lang: str) -> pd.DataFrame:
        from .compare import compare_units

        return compare_units(self._by_indicator[indicator], indicator, annualise="auto", lang=lang)

    def trend(self, unit: str, indicator: str, lang: str):
        from .compare import trend

        return trend(self._by_indicator[indicator], unit, indicator, annualise="auto", lang=lang)


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

    def unit_indicators(self, unit: str) -> set[str]:
        return self._kept(("unit", unit), lambda: set(self._q.unit_indicators(
            unit, include_plans=True, processed=self._processed)["indicator_id"].dropna()))

    def unit_period(self, unit: str, period: str) -> pd.DataFrame:
        return self._kept(("unit_period", unit, period), lambda: self._q.observations_for(
            unit_name=unit, period=period, processed=self._processed))

    def compare(self, indicator: str, lang: str) -> pd.DataFrame:
        return self._kept(("compare", indicator, lang), lambda: self._q.query_compare_units(
            indicator, processed=self._processed, annualise="auto", lang=lang))

    def trend(self, unit: str, indicator: str, lang: str):
        return self._kept(("trend", unit, indicator, lang), lambda: self._q.query_trend(
            unit, indicator, processed=self._processed, annualise="auto", lang=lang))


def unit_label(unit: str, level: str | None, lang: str = DEFAULT_LANG) -> str:
    """A unit named as readers say it: 'Phường Cự Khối', 'Cự Khối (ward)'.

    Examples
    --------
    >>> unit_label("Cự Khối", "ward"), unit_label("Cầu Giấy", "district", "en")
    ('Phường Cự Khối', 'Cầu Giấy (district)')
    """
    if level not in ("ward", "district", "commune", "city"):
        return unit
    name = t(f"level.{level}", lang)
    return f"{name} {unit}" if lang == "vi" else f"{unit} ({name.lower()})"


def summary_html(report: dict, n_obs: int, card: pd.DataFrame | None,
                 lang: str = DEFAULT_LANG) -> str:
    """The head of a unit's results: its report, then targets exceeded/met/missed.

    ``report`` is a row of the reports table (``unit_name``, ``unit_level``,
    ``period``, ``doc_kind``, ``published``); ``card`` the unit's scorecard.

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
    return (f'<div class="ad-summary"><div class="ad-report">{escape_text(line)}</div>'
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
    if text is None or (isinstance(text, float) and text != text):
        return ""
    return html.escape(str(text), quote=True)


def _highlight(quote: str, raw: str) -> str:
    """The quote escaped, with the number as the report wrote it marked."""
    quote = "" if quote is None else str(quote)
    raw = "" if raw is None else str(raw)
    i = quote.find(raw) if raw else -1
    if i < 0:
        return escape_text(quote)
    return (escape_text(quote[:i]) + "<mark>" + escape_text(raw) + "</mark>"
            + escape_text(quote[i + len(raw):]))


def render_facts_table(frame: pd.DataFrame, lang: str = DEFAULT_LANG) -> str:
    """An HTML table of figures with their source sentences, all text escaped.

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
        "field.indicator", "field.value", "field.raw", "field.quote", "field.position"))
    rows = []
    for r in frame.to_dict("records"):
        where = f"{r.get('doc_id', '')} [{r.get('start', '')}–{r.get('end', '')}]"
        status = r.get("status")
        badge = ""
        if status in STATUS_COLORS:
            badge = (f'<span class="ad-badge" style="background:{STATUS_COLORS[status]}">'
                     f"{escape_text(t('status.' + status, lang))}</span>")
        rows.append(
            "<tr>"
            f"<td>{escape_text(indicator_name(r.get('indicator_id'), lang))}{badge}</td>"
            f"<td class='ad-num'>{escape_text(format_number(r.get('value'), r.get('unit'), lang))}</td>"
            f"<td class='ad-num'>{escape_text(r.get('raw'))}</td>"
            f"<td class='ad-quote'>{_highlight(r.get('quote'), r.get('raw'))}</td>"
            f"<td class='ad-where'>{escape_text(where)}</td>"
            "</tr>")
    return (f'<table class="ad-facts"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>")


APP_CSS = """
<style>
.ad-app { font-family: 'Noto Sans', 'DejaVu Sans', 'Liberation Sans', Arial, sans-serif;
          font-size: 15px; color: #263238; max-width: 1100px; }
.ad-title { font-size: 26px; font-weight: 700; margin: 4px 0 2px 0; color: #102027; }
.ad-intro { font-size: 15px; color: #455A64; margin: 0 0 6px 0; max-width: 900px; }
.ad-source { font-size: 12px; color: #78909C; }
.ad-h2 { font-size: 19px; font-weight: 700; margin: 14px 0 4px 0; color: #102027; }
.ad-empty { font-size: 17px; background: #FFF8E1; border-left: 5px solid #F9A825;
            padding: 12px 16px; margin: 8px 0; border-radius: 3px; }
.ad-empty small { display: block; font-size: 14px; color: #5D4037; margin-top: 4px; }
.ad-note { font-size: 13px; color: #546E7A; margin: 2px 0; }
.ad-note::before { content: "• "; }
.ad-error { font-size: 15px; background: #FFEBEE; border-left: 5px solid #C62828;
            padding: 10px 14px; margin: 8px 0; }
.ad-summary { font-size: 16px; padding: 10px 14px; background: #ECEFF1; border-radius: 4px; }
.ad-summary .ad-report { font-size: 18px; font-weight: 600; }
.ad-cards { display: flex; gap: 10px; margin-top: 8px; flex-wrap: wrap; }
.ad-card { color: white; padding: 8px 14px; border-radius: 4px; min-width: 120px; }
.ad-card b { font-size: 26px; display: block; }
.ad-badge { color: white; font-size: 12px; padding: 1px 6px; border-radius: 3px; margin-left: 6px;
            white-space: nowrap; }
.ad-facts { border-collapse: collapse; width: 100%; font-size: 14px; }
.ad-facts th { text-align: left; background: #ECEFF1; padding: 6px; position: sticky; top: 0; }
.ad-facts td { border-top: 1px solid #E0E0E0; padding: 6px; vertical-align: top;
               text-align: left; }
.ad-facts td.ad-num { white-space: nowrap; text-align: right; }
.ad-facts td.ad-where { color: #78909C; font-size: 12px; white-space: nowrap; }
.ad-facts mark { background: #FFF176; padding: 0 2px; }
.ad-app .widget-label { font-size: 15px; }
.ad-app select, .ad-app .widget-dropdown > select { font-size: 15px; }
.ad-app .widget-toggle-buttons .widget-toggle-button { font-size: 14px; }
.ad-app .widget-tab > .lm-TabBar .lm-TabBar-tab,
.ad-app .jupyter-widgets.widget-tab > .lm-TabBar .lm-TabBar-tab {
  flex: 0 0 auto; max-width: none; min-width: 200px; font-size: 16px; font-weight: 600;
  padding: 6px 18px; line-height: 28px; height: auto; }
.ad-app .widget-tab > .lm-TabBar { min-height: 42px; }
.ad-preview { font-family: 'Noto Sans', 'DejaVu Sans', 'Liberation Sans', Arial, sans-serif;
              font-size: 15px; color: #263238; max-width: 1100px; }
.ad-preview .ad-loading { font-size: 14px; color: #78909C; margin: 10px 0 18px 0; }
/* The live app replaces the preview once its chart has drawn (or at once when
   the first view has no chart). */
body:has(.ad-app .ad-chart svg.marks) .ad-preview,
body:has(.ad-app) .ad-preview.ad-preview-nochart { display: none; }
</style>
"""


@dataclass
class _Selection:
    unit: str | None = None
    period: str = LATEST
    topic: str = ALL_TOPICS
    indicator: str | None = None
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
    (``app.unit.value = "Cự Khối"``), which is how the tests drive it.

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
        _log_to_server()
        self.sel = _Selection(lang=check_lang(lang))
        self._busy = False
        self._stale: set[str] = set()
        try:
            enable_offline_widgets()
        except Exception as exc:  # offline bundle missing: charts cannot draw
            log.warning("Altair offline mode unavailable: %s", exc)
        try:
            if tables is None:
                self.rows = QueryRows()
            else:
                self.rows = FrameRows(tables["reports"], tables["observations"])
            self._error = None
        except Exception as exc:
            log.warning("processed tables could not be read: %s", exc)
            self.rows = FrameRows(pd.DataFrame(columns=_REPORT_COLUMNS), pd.DataFrame())
            self._error = str(exc)
        self._index()
        self._build_widgets()
        self._set_labels()
        self._refresh_all()

    # -- data -------------------------------------------------------------
    def _index(self) -> None:
        self.reports = self.rows.reports
        self.units = sorted(self.reports["unit_name"].dropna().unique(), key=vietnamese_sort_key)
        self.levels = dict(zip(self.reports["unit_name"], self.reports["unit_level"]))
        ends = self.reports.dropna(subset=["period"]).drop_duplicates("period")
        self.periods = ends["period"].tolist()  # latest first
        self.unit_periods = {u: g["period"].tolist()
                             for u, g in self.reports.groupby("unit_name", sort=False)}
        self.topics_of = {i: (indicator_info(i).get("topic") or "other")
                          for i in self.rows.indicators()}
        self.topics = sorted(set(self.topics_of.values()))
        self.reach = self.rows.indicator_units()

    # -- widgets ----------------------------------------------------------
    def _build_widgets(self) -> None:
        w = self._w
        wide = w.Layout(width="360px")
        style = {"description_width": "110px"}
        self.css = w.HTML(APP_CSS)
        self.header = w.HTML()
        self.lang = w.ToggleButtons(options=[(t("lang.vi"), "vi"), (t("lang.en"), "en")],
                                    value=self.sel.lang, style={"button_width": "110px"})
        self.unit = w.Dropdown(layout=wide, style=style)
        self.period = w.Dropdown(layout=wide, style=style)
        self.topic = w.Dropdown(layout=wide, style=style)
        self.indicator = w.Dropdown(layout=w.Layout(width="560px"), style=style)
        self.status = w.HTML()
        self.summary = w.HTML()
        self.h_scorecard, self.h_compare, self.h_trend, self.h_facts = (w.HTML() for _ in range(4))
        self.scorecard_msg, self.compare_msg, self.trend_msg = (w.HTML() for _ in range(3))
        self.facts = w.HTML()
        self.compare_note = w.HTML()
        # A chart widget is made when its first chart is drawn: each carries the
        # Vega bundle (about 1 MB), so the page's first load carries only one.
        self.charts: dict[str, object] = {}
        self.slots = {name: w.Box() for name in ("scorecard", "compare", "trend")}

        unit_view = w.VBox([self.summary, self.h_scorecard, self.scorecard_msg,
                            self.slots["scorecard"], self.h_facts, self.facts])
        compare_view = w.VBox([self.indicator, self.h_compare, self.compare_msg,
                               self.slots["compare"], self.compare_note, self.h_trend,
                               self.trend_msg, self.slots["trend"]])
        self.views = w.Tab(children=[unit_view, compare_view])
        controls = w.HBox([w.VBox([self.unit, self.period, self.topic]),
                           w.VBox([self.lang], layout=w.Layout(margin="0 0 0 30px"))])
        self.widget = w.VBox([self.css, self.header, controls, self.status, self.views])
        self.widget.add_class("ad-app")

        self.unit.observe(self._on_unit, names="value")
        self.period.observe(self._on_period, names="value")
        self.topic.observe(self._on_topic, names="value")
        self.indicator.observe(self._on_indicator, names="value")
        self.lang.observe(self._on_lang, names="value")
        self.views.observe(self._on_view, names="selected_index")

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
            parts += [self.summary.value, self.h_scorecard.value, self.scorecard_msg.value]
            if drawn:
                parts.append(offline_chart_html(chart.spec, {"renderer": "svg", "actions": False}))
            parts += [self.h_facts.value, self.facts.value]
        cls = "ad-preview" if drawn else "ad-preview ad-preview-nochart"
        return Preview(f'<div class="{cls}">{"".join(parts)}</div>')

    def _unit_label(self, unit: str) -> str:
        return unit_label(unit, self.levels.get(unit), self.sel.lang)

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
            self.views.set_title(0, t("view.scorecard", lang))
            self.views.set_title(1, t("view.compare", lang))
            self.h_scorecard.value = f'<div class="ad-h2">{escape_text(t("section.scorecard", lang))}</div>'
            self.h_compare.value = f'<div class="ad-h2">{escape_text(t("section.compare", lang))}</div>'
            self.h_trend.value = f'<div class="ad-h2">{escape_text(t("section.trend", lang))}</div>'
            self.h_facts.value = f'<div class="ad-h2">{escape_text(t("section.facts", lang))}</div>'
        finally:
            self._busy = False

    def _indicator_choices(self) -> list[str]:
        """Indicators of the topic, those the chosen unit reports first, then by reach."""
        ids = [i for i in self.reach
               if self.sel.topic == ALL_TOPICS or self.topics_of.get(i) == self.sel.topic]
        mine = self.rows.unit_indicators(self.sel.unit) if self.sel.unit is not None else set()
        return sorted(ids, key=lambda i: (i not in mine, -self.reach[i],
                                          vietnamese_sort_key(indicator_name(i, self.sel.lang))))

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

    def _on_lang(self, change) -> None:
        if self._busy or change["new"] is None:
            return
        self.sel.lang = change["new"]
        self._guard("control.lang", lambda: (self._set_labels(), self._refresh_all()))

    def _on_view(self, change) -> None:
        if self._busy or change["new"] is None:
            return
        self._guard("view.compare" if change["new"] == 1 else "view.scorecard",
                    self._refresh_stale)

    def _guard(self, what: str, action) -> None:
        """Run a callback; on any error show one line, log the traceback.

        ``what`` is the label key of the control that changed.
        """
        start = time.perf_counter()
        try:
            self.status.value = ""
            action()
        except Exception:
            log.exception("dashboard: updating after a change of %s failed", what)
            self.status.value = (f'<div class="ad-error">'
                                 f'{escape_text(t("error.view", self.sel.lang, what=t(what, self.sel.lang)))}'
                                 "</div>")
        self.sel.timings[what] = time.perf_counter() - start

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
        # Only the view on screen is drawn now; the other when it is opened.
        self._stale = {"unit", "compare"}
        self._refresh_stale()

    def _refresh_stale(self) -> None:
        view = "compare" if self.views.selected_index == 1 else "unit"
        if view in self._stale:
            self._stale.discard(view)
            (self._refresh_compare_view if view == "compare" else self._refresh_unit_view)()

    def _current_period(self) -> str | None:
        have = self.unit_periods.get(self.sel.unit, [])
        if self.sel.period == LATEST:
            return have[0] if have else None
        return self.sel.period if self.sel.period in have else None

    def _unit_obs(self, period: str) -> pd.DataFrame:
        frame = self.rows.unit_period(self.sel.unit, period)
        if self.sel.topic != ALL_TOPICS and len(frame):
            frame = frame[frame["indicator_id"].map(self.topics_of) == self.sel.topic]
        return frame

    def _show(self, name: str, msg_widget, chart=None, message: str | None = None,
              detail: str | None = None) -> None:
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
            extra = f"<small>{escape_text(detail)}</small>" if detail else ""
            msg_widget.value = f'<div class="ad-empty">{escape_text(message)}{extra}</div>'

    def _refresh_unit_view(self) -> None:
        from .charts import chart_scorecard

        self._stale.discard("unit")
        lang = self.sel.lang
        unit = self.sel.unit
        period = self._current_period()
        if period is None:
            have = self.unit_periods.get(unit, [])
            detail = (t("empty.no_report_detail", lang, unit=unit,
                        period=period_name(self.sel.period, lang),
                        periods=", ".join(period_name(p, lang) for p in have))
                      if have else t("empty.no_report_any", lang, unit=unit))
            self.summary.value = (f'<div class="ad-empty">{escape_text(t("empty.no_report", lang))}'
                                  f"<small>{escape_text(detail)}</small></div>")
            self._show("scorecard", self.scorecard_msg, message=t("empty.no_report", lang))
            self.facts.value = ""
            return
        frame = self._unit_obs(period)
        card = self._scorecard(unit, period, frame)
        self.summary.value = self._summary_html(unit, period, frame, card)
        if card is None or card.empty:
            self._show("scorecard", self.scorecard_msg, message=t("empty.no_targets", lang))
        else:
            self._show("scorecard", self.scorecard_msg, chart=chart_scorecard(card, lang))
        if frame.empty:
            self.facts.value = f'<div class="ad-empty">{escape_text(t("empty.no_facts", lang))}</div>'
        else:
            table = frame
            if card is not None and not card.empty and "status" in card.columns and "obs_id" in card.columns:
                table = frame.merge(card[["obs_id", "status"]], on="obs_id", how="left")
            table = table.sort_values(["start"]) if "start" in table.columns else table
            self.facts.value = render_facts_table(table, lang)

    def _scorecard(self, unit: str, period: str, frame: pd.DataFrame) -> pd.DataFrame | None:
        from .compare import scorecard

        if frame.empty or not _states_targets(frame):  # compare.scorecard needs one
            return None
        card = scorecard(frame, unit, period, lang=self.sel.lang)
        if len(card) and self.sel.topic != ALL_TOPICS:
            ids = card["target_id"].fillna(card["indicator_id"])
            card = card[ids.map(self.topics_of) == self.sel.topic]
        return card

    def _summary_html(self, unit, period, frame, card) -> str:
        rep = self.reports[(self.reports["unit_name"] == unit) & (self.reports["period"] == period)]
        return summary_html(rep.iloc[0].to_dict() if len(rep) else {"unit_name": unit,
                                                                     "period": period},
                            len(frame), card, self.sel.lang)

    def _compare_notes(self, cmp: pd.DataFrame) -> list[str]:
        """What a reader of the comparison must know, in plain words."""
        lang = self.sel.lang
        notes = []
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
        conflicts = cmp.loc[cmp["is_conflict"].fillna(False).astype(bool), "unit_name"].tolist()
        if conflicts:
            notes.append(t("note.conflict", lang, units=", ".join(conflicts)))
        return notes

    def _refresh_compare_view(self) -> None:
        from .charts import chart_compare, chart_trend

        self._stale.discard("compare")
        lang = self.sel.lang
        ind = self.sel.indicator
        if ind is None or ind not in self.reach:
            self._show("compare", self.compare_msg, message=t("empty.no_indicator", lang))
            self._show("trend", self.trend_msg, message=t("empty.no_indicator", lang))
            self.compare_note.value = ""
            return
        cmp = self.rows.compare(ind, lang)
        self.compare_note.value = "".join(
            f'<div class="ad-note">{escape_text(c)}</div>' for c in self._compare_notes(cmp))
        if cmp.empty:
            self._show("compare", self.compare_msg, message=t("empty.no_compare", lang))
        else:
            self._show("compare", self.compare_msg,
                       chart=chart_compare(cmp, lang, highlight=self.sel.unit,
                                           max_units=COMPARE_BARS))
        unit = self.sel.unit
        result = self.rows.trend(unit, ind, lang) if unit is not None else None
        if result is None or result.frame.empty:
            self._show("trend", self.trend_msg,
                       message=t("empty.no_trend", lang, unit=self._unit_label(unit or "")))
        else:
            self._show("trend", self.trend_msg, chart=chart_trend(result, lang))


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


def _log_to_server() -> None:
    """Send the app's log to the kernel process's own stderr (the server's log).

    In a kernel, ``sys.stderr`` goes to the page; a traceback logged there
    would reach the reader's browser.
    """
    if not any(getattr(h, "_analysis_server", False) for h in log.handlers):
        handler = logging.StreamHandler(sys.__stderr__)
        handler._analysis_server = True
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
        log.addHandler(handler)
        log.propagate = False


def _states_targets(frame: pd.DataFrame) -> bool:
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
    original = chart.to_dict

    def to_dict(*args, **kwargs):
        kwargs.setdefault("validate", False)
        return original(*args, **kwargs)

    object.__setattr__(chart, "to_dict", to_dict)  # SchemaBase.__setattr__ writes spec keys
    return chart
