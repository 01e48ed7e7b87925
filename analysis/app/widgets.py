"""The leaders' app: the ipywidgets and callbacks of ``notebooks/apps/dashboard.ipynb``.

:class:`DashboardApp` reads the processed tables through
:mod:`analysis.app.rows` (nothing is extracted on page load), and on every
choice of unit, period, topic, indicator or language it redraws:

- a summary of the report (its period as the report says it, what was met);
- the scorecard chart: each target the report states, exceeded / met / missed
  (a result toward a plan for a longer period is progress, not missed);
- the comparison chart: all units on one indicator, coloured by their own
  targets (or by rank band among five units or more);
- the trend of the chosen unit on that indicator;
- the table of figures with the sentence each comes from.

A choice with no data shows what is missing ("Chưa có báo cáo cho kỳ này"); an
error inside a callback shows a one-line message and is logged to the server,
never a traceback.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

import altair as alt
import anywidget
import ipywidgets as w
import pandas as pd
import traitlets

from .. import admin, paths, query
from ..charts import chart_compare, chart_scorecard, chart_trend
from ..compare import MIN_PEERS, ComparisonRefused, scorecard
from ..i18n import LABELS, indicator_info, indicator_name, period_name, t, topic_name, vietnamese_sort_key
from ..observations import to_records
from ..theme import DEFAULT_LANG, chart_svg, check_lang, enable_offline_widgets, format_number, offline_chart_html
from .export import MIME, chart_bytes, export_table, report_slug, table_bytes
from .html import APP_CSS, Preview, as_text, escape_text, reader_html, render_facts_table, summary_html, unit_label
from .rows import (
    ALL_TOPICS,
    COMPARE_BARS,
    LATEST,
    REPORT_COLUMNS,
    FrameRows,
    QueryRows,
    duplicate_reports,
    split_unit_key,
    states_targets,
    with_unit_key,
)
from .server import log_to_server, release_memory, release_memory_later, wait_for_request

__all__ = ["DashboardApp", "DownloadButton", "download_button"]

log = logging.getLogger("analysis.app")

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


class DownloadButton(anywidget.AnyWidget):
    """A button that downloads a file made when it is clicked (one click, offline).

    ``make()`` returns ``(file name, format, bytes)``; the bytes go to the
    page as a binary message and the browser saves them.
    """

    _esm = _DOWNLOAD_ESM
    label = traitlets.Unicode("").tag(sync=True)
    enabled = traitlets.Bool(True).tag(sync=True)

    def __init__(self, label, make, **kwargs):
        super().__init__(label=label, **kwargs)
        self.make = make
        self.on_msg(self._asked)

    def file(self) -> tuple[str, str, bytes]:
        """Return ``(file name, MIME type, bytes)`` of what is shown now."""
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


def download_button(label: str, make) -> DownloadButton:
    """Return a :class:`DownloadButton` labelled ``label`` that saves what ``make()`` returns."""
    return DownloadButton(label, make)


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
    >>> app = DashboardApp(tables={"reports": pd.DataFrame(columns=REPORT_COLUMNS),
    ...                            "observations": pd.DataFrame()})
    >>> "Chưa có dữ liệu" in app.status.value
    True
    """

    def __init__(self, lang: str = DEFAULT_LANG, tables: dict | None = None):
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
            self.rows = FrameRows(pd.DataFrame(columns=REPORT_COLUMNS), pd.DataFrame())
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
        self.duplicates = with_unit_key(duplicate_reports(self.reports))

    def unit_key_of(self, name: str, level: str | None = None) -> str:
        """Return the key of the unit of this name (and level): what the unit selector holds."""
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

        Outside a preheated Voilà kernel, returns at once. Before waiting, the
        first view's chart is drawn (and kept for the kernels after this one),
        and the heap the app's start freed is given back to the system
        (:func:`release_memory`): every open page is a kernel of its own.
        """
        self.preview()   # drawn ahead: the first view's chart is kept for this page and the next
        release_memory()
        if wait_for_request():
            release_memory_later()   # once the page's widgets have been sent
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
        """Return ``(file name, format, bytes)`` of a view as shown.

        ``what`` is ``facts``, ``compare``, ``programme`` (tables: ``csv``/``xlsx``)
        or ``scorecard``, ``compare``, ``trend`` (charts: ``png``/``svg``).
        """
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

    @staticmethod
    def _first_chart(spec: dict) -> str:
        """Return the first view's chart: an SVG drawn here, with no JavaScript for the page to run.

        If it cannot be drawn and kept, the chart is drawn in the page by the
        inlined vega-embed bundle, as a notebook's charts are.
        """
        svg = chart_svg(spec)
        if svg is None:
            return offline_chart_html(spec, {"renderer": "svg", "actions": False})
        return f'<div class="analysis-chart">{svg}</div>'

    def preview(self) -> "Preview":
        """Return the app's first view as plain HTML, for the page to show while its widgets load.

        The notebook displays it before :attr:`widget`. Voilà's ``offline``
        template writes it into the page as it is, its chart an SVG drawn here
        (:func:`analysis.theme.chart_svg`): the reader sees the report's
        summary, the scorecard and the figures at once, not after the several
        megabytes of the widgets' JavaScript, and the page runs no script for
        it. The app's own stylesheet hides it once the live chart has drawn (or
        at once when the first view has no chart).

        Examples
        --------
        >>> app = DashboardApp(tables={"reports": pd.DataFrame(columns=REPORT_COLUMNS),
        ...                            "observations": pd.DataFrame()})
        >>> html = app.preview().html
        >>> "Chưa có dữ liệu" in html, "ad-preview-nochart" in html
        (True, True)
        """
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
                parts.append(self._first_chart(chart.spec))
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
        """Return the indicators of the topic, the most reported first, then by name.

        Thin data opens on what most units state. The order never depends on the
        chosen unit: a menu sends the *position* of the choice, and one reordered by
        a change of unit still in flight would turn a quick pick into another
        indicator.
        """
        ids = [i for i in self.reach
               if self.sel.topic == ALL_TOPICS or self.topics_of.get(i) == self.sel.topic]
        return sorted(ids, key=lambda i: (-self.reach[i],
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
        self._guard("control.topic", lambda: (self._set_indicator_options(), self._refresh_all()))

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
        """Run a callback; on any error show one line, log it, clear what it replaced.

        The traceback goes to the server's log, never to the page. ``what`` is the
        label key of the control that changed.
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
        # Only the view on screen is drawn now; the others when they are opened. The menu of
        # indicators depends on the topic and the language only, which set it themselves.
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

    def _readers(self, frame: pd.DataFrame, texts: dict, excerpt: bool = False) -> str:
        # each report's figures as plain rows, grouped in one pass: a frame's groupby copies
        # its attrs for every group (a comparison's list of units left out), which cost about
        # a second for the 30 reports of a comparison on a decade of reports
        figures: dict[str, list[dict]] = {}
        for r in to_records(frame, [c for c in ("doc_id", "start", "end", "sentence") if c in frame.columns]):
            figures.setdefault(r["doc_id"], []).append(r)
        out = [reader_html(doc, texts[doc], self.meta.get(doc), rows, self.sel.lang, excerpt=excerpt)
               for doc, rows in figures.items() if doc in texts]
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
            mine = dup[(dup["unit_key"] == self.sel.unit) & (dup["period"] == period)]
            if len(mine):
                titles = "; ".join(as_text(x) or d for x, d in zip(mine["title"], mine["doc_id"]))
                notes.append(t("note.duplicate", lang, n=len(mine), unit=self._unit_label(self.sel.unit),
                               period=period_name(period, lang), titles=titles))
        try:
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
        # Made once per unit, period, topic and language, then kept; in two steps, the
        # chart sent to the page before the figures' table and the report's text are made.
        view = self._view(("unit", self.sel.unit, period, self.sel.topic, lang))
        if "chart" not in view:
            view.update(self._make_unit_card(period))
        self.summary.value, self.unit_notes.value = view["summary"], view["notes"]
        if view["chart"] is None:
            self._show("scorecard", self.scorecard_msg, message=t("empty.no_targets", lang))
        else:
            self._show("scorecard", self.scorecard_msg, chart=view["chart"])
        if "facts" not in view:
            view.update(self._make_unit_facts(view["frame"], view["card"]))
        self.facts.value, self.reader.value = view["facts"], view["reader"]
        if view["table"] is not None:
            self._shown["table.facts"] = view["table"]

    def _view(self, key: tuple) -> dict:
        """Return the view kept for ``key`` (a new one, the oldest dropped past 64)."""
        view = self._views.get(key)
        if view is None:
            if len(self._views) >= 64:
                self._views.pop(next(iter(self._views)))
            view = self._views[key] = {}
        return view

    def _make_unit_card(self, period: str) -> dict:
        lang = self.sel.lang
        frame = self._unit_obs(period)
        card = self._scorecard(period, frame)
        return {"frame": frame, "card": card,
                "summary": self._summary_html(period, frame, card),
                "notes": self._unit_notes(period),
                "chart": None if card is None or card.empty else chart_scorecard(card, lang)}

    def _make_unit_facts(self, frame: pd.DataFrame, card: pd.DataFrame | None) -> dict:
        lang = self.sel.lang
        if frame.empty:
            return {"facts": f'<div class="ad-empty">{escape_text(t("empty.no_facts", lang))}</div>',
                    "table": None, "reader": ""}
        table = frame
        if card is not None and not card.empty and "status" in card.columns and "obs_id" in card.columns:
            table = frame.merge(card[["obs_id", "status"]], on="obs_id", how="left")
        table = table.sort_values(["start"]) if "start" in table.columns else table
        texts = self._texts(table["doc_id"].unique())
        return {"facts": render_facts_table(table, lang, self.meta, texts),
                "reader": self._readers(table, texts), "table": table}

    def _scorecard(self, period: str, frame: pd.DataFrame) -> pd.DataFrame | None:
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

    #: units a note names one by one; the rest are counted (a decade of a city leaves hundreds out)
    NAMED_IN_NOTE = 12

    def _name_list(self, names: list[str]) -> str:
        """Return names for a note: all of them, or the first few and how many more."""
        if len(names) <= self.NAMED_IN_NOTE:
            return ", ".join(names)
        more = format_number(len(names) - self.NAMED_IN_NOTE, None, self.sel.lang)
        return t("list.and_more", self.sel.lang, names=", ".join(names[:self.NAMED_IN_NOTE]), n=more)

    def _compare_notes(self, cmp: pd.DataFrame, left_out: list[str]) -> list[str]:
        """Return what a reader of the comparison must know, in plain words.

        ``left_out``: the units left out of it (their periods are of another length).
        """
        lang = self.sel.lang
        notes = []
        if left_out:
            months = cmp["period_months"].dropna()
            notes.append(t("note.other_lengths", lang, units=self._name_list(left_out),
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
        twice = [r for r in to_records(cmp, [c for c in ("other_values", "aggregation", "unit_name",
                                                         "unit_key", "n_statements", "raw")
                                             if c in cmp.columns])
                 if as_text(r.get("other_values")) and r.get("aggregation") == "flow"]
        # the unit chosen first; past a few units, the others are counted in one line
        twice.sort(key=lambda r: r.get("unit_key") != self.sel.unit)
        for r in twice[:self.NAMED_IN_NOTE]:
            notes.append(t("note.stated_twice", lang, unit=r["unit_name"],
                           n=int(r.get("n_statements") or 2), shown=r["raw"],
                           others=r["other_values"]))
        if len(twice) > self.NAMED_IN_NOTE:
            notes.append(t("note.stated_twice_more", lang,
                           n=format_number(len(twice) - self.NAMED_IN_NOTE, None, lang)))
        conflicts = cmp.loc[cmp["is_conflict"].fillna(False).astype(bool), "unit_name"].tolist()
        if conflicts:
            notes.append(t("note.conflict", lang, units=self._name_list(conflicts)))
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
        # Made once per indicator, unit and language, then kept; in three steps, each
        # sent to the page before the next is made: the comparison's chart, its table and
        # the reports' paragraphs, the unit's trend.
        view = self._view(("compare", ind, self.sel.unit, lang))
        if "compare" not in view:
            view.update(self._make_compare_chart(ind))
        self.compare_note.value = view["note"]
        kind, what = view["compare"]
        if kind == "chart":
            self._show("compare", self.compare_msg, chart=what)
        elif kind == "html":
            self._show("compare", self.compare_msg, html_message=what)
        else:
            self._show("compare", self.compare_msg, message=what)
        if "table" not in view:
            view.update(self._make_compare_table(view["cmp"]))
        self.compare_table.value, self.compare_reader.value = view["table"], view["reader"]
        if view["cmp"] is not None:
            self._shown["table.compare"] = view["cmp"]
        if "trend" not in view:
            view["trend"] = self._make_trend(ind)
        kind, what = view["trend"]
        if kind == "chart":
            self._show("trend", self.trend_msg, chart=what)
        else:
            self._show("trend", self.trend_msg, message=what)

    def _make_compare_chart(self, ind: str) -> dict:
        lang = self.sel.lang
        name = self._unit_parts()[0]
        found = self.rows.compare(ind, lang, name)
        left_out = list(found.attrs.get("left_out") or [])
        cmp = with_unit_key(found)
        # pandas copies a frame's attrs at every step: on a decade of reports the units left
        # out number hundreds, and copying them cost a tenth of a second a comparison
        cmp.attrs = {}
        view = {"note": "".join(f'<div class="ad-note">{escape_text(c)}</div>'
                                for c in self._compare_notes(cmp, left_out)),
                "cmp": cmp if len(cmp) else None}
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
            rows = cmp.assign(row_unit=[self._unit_label(k) if (k in self._needs_parent or same)
                                        else n for k, n, same in
                                        zip(cmp["unit_key"], cmp["unit_name"], shared)])
            view["compare"] = ("chart", chart_compare(rows, lang, highlight=self.sel.unit,
                                                      max_units=COMPARE_BARS))
        return view

    def _make_compare_table(self, cmp: pd.DataFrame | None) -> dict:
        if cmp is None:
            return {"table": "", "reader": ""}
        texts = self._texts(cmp["doc_id"].unique()[:COMPARE_BARS + 1])
        shown = cmp.head(COMPARE_BARS + 1)
        return {"table": render_facts_table(shown.assign(status=shown["target_status"]), self.sel.lang,
                                            self.meta, texts),
                "reader": self._readers(shown, texts, excerpt=True)}

    def _make_trend(self, ind: str) -> tuple[str, object]:
        lang = self.sel.lang
        name, level, parent = self._unit_parts()
        try:
            result = self.rows.trend(name, ind, lang, level, parent) if name else None
        except ComparisonRefused:
            return ("message", t("empty.trend_lengths", lang))
        if result is None or result.frame.empty:
            return ("message", t("empty.no_trend", lang, unit=self._unit_label(self.sel.unit or "")))
        return ("chart", chart_trend(result, lang))

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

def _without_validation(chart):
    """Return the chart, its ``to_dict`` not validating against the Vega-Lite schema.

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
