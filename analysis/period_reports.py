"""Each period's report for each unit, as a standalone HTML page that opens offline.

:func:`render_period_reports` runs ``notebooks/05_period_report.ipynb`` with
papermill once per unit that has a report for the period, and writes
``reports/<period>/<unit>.html``: the notebook's outputs without its code, with
the charts' JavaScript inlined (no script from a CDN), so that the page can be
mailed or opened on a machine with no internet. The analysis CLI wires it as
``python -m analysis period-reports --period 2021-H1`` (``make reports``).

The notebook itself calls :func:`report_header` and :func:`figures_table`.
"""
from __future__ import annotations

import base64
import os
import tempfile
from pathlib import Path

import pandas as pd
from IPython.display import HTML

from . import paths
from .app.export import MIME, chart_bytes, export_table, report_slug, table_bytes
from .app.html import APP_CSS, escape_text, reader_html, render_facts_table, summary_html, unit_label
from .app.rows import split_unit_key, states_targets, with_unit_key
from .charts import chart_scorecard
from .compare import scorecard
from .i18n import period_name, t
from .store import read_table
from .theme import DEFAULT_LANG, check_lang

__all__ = ["render_period_reports", "period_units", "period_unit_keys", "report_slug",
           "report_file_names", "report_header", "scorecard_chart", "figures_table",
           "downloads_html", "export_offline_html", "PERIOD_NOTEBOOK"]

#: The parameterised notebook run for every unit of a period.
PERIOD_NOTEBOOK = paths.NOTEBOOKS / "05_period_report.ipynb"

# nbconvert's "lab" page without the scripts it would fetch from CDNs
# (require.js, MathJax, Mermaid, the widget manager): the charts bring their own.
_OFFLINE_TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block extra_css -%}
<style>
  body { max-width: 1100px; margin: 0 auto; padding: 12px 24px; }
  .jp-RenderedHTMLCommon table.ad-facts { font-size: 14px; }
  .jp-RenderedHTMLCommon table.ad-facts td, .jp-RenderedHTMLCommon table.ad-facts th {
    text-align: left; vertical-align: top; }
  .jp-RenderedHTMLCommon table.ad-facts td.ad-num { text-align: right; }
  .ad-downloads a { margin-right: 10px; }
  @media (max-width: 600px) { body { padding: 6px; } }
</style>
{%- endblock extra_css -%}
"""


def period_units(period: str, reports: pd.DataFrame | None = None) -> list[str]:
    """Return the units that have a report for ``period``, in name order.

    Raises
    ------
    ValueError
        No unit has a report for the period; the message lists the periods there are.

    Examples
    --------
    >>> reports = pd.DataFrame({"unit_name": ["Thạch Bàn", "Cự Khối"],
    ...                         "period": ["2021-H1", "2018-FY"]})
    >>> period_units("2021-H1", reports)
    ['Thạch Bàn']
    >>> period_units("2021-H2", reports)
    Traceback (most recent call last):
    ...
    ValueError: no report for period '2021-H2' in the processed tables (periods there: ...
    """
    if reports is None:
        reports = read_table("reports", columns=["doc_id", "unit_name", "period"])
    units = sorted(set(reports.loc[reports["period"] == period, "unit_name"].dropna()))
    if not units:
        have = ", ".join(sorted(set(reports["period"].dropna()))) or "none"
        raise ValueError(f"no report for period {period!r} in the processed tables "
                         f"(periods there: {have}); check the period code, e.g. 2021-H1")
    return units


def period_unit_keys(period: str, reports: pd.DataFrame | None = None) -> list[str]:
    """Return the units that have a report for ``period``, as unit keys.

    Each is its level, name and parent (:func:`analysis.app.unit_key`): phường
    and quận Long Biên are two units, two pages.

    Raises
    ------
    ValueError
        No unit has a report for the period (as :func:`period_units`).

    Examples
    --------
    >>> reports = pd.DataFrame({"unit_name": ["Long Biên", "Long Biên", "Cự Khối"],
    ...     "unit_level": ["ward", "district", "ward"], "parent": ["Long Biên", None, "Long Biên"],
    ...     "period": ["2025-H2", "2025-H2", "2018-FY"]})
    >>> period_unit_keys("2025-H2", reports)
    ['district|Long Biên|', 'ward|Long Biên|Long Biên']
    """
    if reports is None:
        reports = read_table("reports", columns=["doc_id", "unit_name", "unit_level", "parent",
                                                 "period"])
    period_units(period, reports)          # the same message when there is none
    rows = with_unit_key(reports[(reports["period"] == period) & reports["unit_name"].notna()])
    return sorted(set(rows["unit_key"]), key=lambda k: (split_unit_key(k)[0], k))


def report_file_names(keys: list[str]) -> dict[str, str]:
    """Return a file name for each unit of a period, all different.

    The unit's name without diacritics; where two units share it, their
    level first (``phuong-long-bien``, ``quan-long-bien``); where that is
    still shared, their parent too; then a number.

    Examples
    --------
    >>> names = report_file_names(["ward|Long Biên|Long Biên", "district|Long Biên|",
    ...                            "ward|Cự Khối|Long Biên"])
    >>> [names[k] for k in sorted(names)]
    ['quan-long-bien.html', 'cu-khoi.html', 'phuong-long-bien.html']
    """
    level_word = {"ward": "phuong", "district": "quan", "commune": "xa", "city": "thanh-pho"}
    out: dict[str, str] = {}
    plain = {k: report_slug(split_unit_key(k)[0]) for k in keys}
    for k in keys:
        name, level, parent = split_unit_key(k)
        slug = plain[k]
        if list(plain.values()).count(slug) > 1:
            slug = f"{level_word.get(level or '', level or 'don-vi')}-{slug}"
            same = [j for j in keys if j != k and split_unit_key(j)[1] == level
                    and plain[j] == plain[k]]
            if same:
                slug = f"{slug}-{report_slug(parent or 'khac')}"
        base, n = slug, 2
        while f"{slug}.html" in out.values():
            slug = f"{base}-{n}"
            n += 1
        out[k] = f"{slug}.html"
    return out


def _unit_rows(frame: pd.DataFrame, unit: str, level: str | None, parent: str | None,
               period: str | None = None) -> pd.DataFrame:
    rows = frame[frame["unit_name"] == unit]
    if level is not None and "unit_level" in rows.columns:
        rows = rows[rows["unit_level"] == level]
    if "parent" in rows.columns and (level is not None or parent is not None):
        rows = rows[rows["parent"] == parent] if parent is not None else rows[rows["parent"].isna()]
    if period is not None:
        rows = rows[rows["period"] == period]
    return rows


def report_header(unit: str, period: str, lang: str = DEFAULT_LANG,
                  reports: pd.DataFrame | None = None, obs: pd.DataFrame | None = None,
                  unit_level: str | None = None, parent: str | None = None):
    """Return the head of a period report: the report read, and targets met (HTML).

    A unit with no report for the period gets the empty state
    ("Chưa có báo cáo cho kỳ này") and the periods it does have.

    Examples
    --------
    >>> reports = pd.DataFrame({"doc_id": ["cu-khoi-2018-fy"], "unit_name": ["Cự Khối"],
    ...     "unit_level": ["ward"], "period": ["2018-FY"], "doc_kind": ["results"],
    ...     "published": [pd.Timestamp("2019-01-09")]})
    >>> obs = pd.DataFrame(columns=["unit_name", "period", "indicator_id", "kind"])
    >>> html = report_header("Cự Khối", "2021-H1", reports=reports, obs=obs).data
    >>> "Chưa có báo cáo cho kỳ này" in html, "Các kỳ đã có: Năm 2018" in html
    (True, True)
    """
    lang = check_lang(lang)
    reports = read_table("reports", columns=["doc_id", "title", "unit_name", "unit_level", "parent",
                                             "period", "doc_kind", "published"]) if reports is None else reports
    obs = read_table("observations") if obs is None else obs
    mine = _unit_rows(reports, unit, unit_level, parent)
    rows = mine[mine["period"] == period]
    level = mine["unit_level"] if "unit_level" in mine.columns else pd.Series([], dtype=object)
    title = (f"<h1>{_esc(unit_label(unit, level.iloc[0] if len(level) else None, lang))} · "
             f"{_esc(period_name(period, lang))}</h1>")
    if rows.empty:
        have = mine["period"].tolist()
        detail = (t("empty.no_report_detail", lang, unit=unit, period=period_name(period, lang),
                    periods=", ".join(period_name(p, lang) for p in have))
                  if have else t("empty.no_report_any", lang, unit=unit))
        return HTML(f"{APP_CSS}{title}<div class='ad-empty'>{_esc(t('empty.no_report', lang))}"
                    f"<small>{_esc(detail)}</small></div>")
    frame = _unit_rows(obs, unit, unit_level, parent, period)
    card = unit_scorecard(unit, period, obs, lang, unit_level, parent)
    warn = ""
    if len(rows) > 1:
        titles = "; ".join(str(x) for x in rows.get("title", rows["doc_id"]).fillna(""))
        note = t("note.duplicate", lang, n=len(rows), unit=unit, period=period_name(period, lang),
                 titles=titles)
        warn = f"<div class='ad-warn'>{_esc(note)}</div>"
    return HTML(APP_CSS + title + summary_html(rows.iloc[0].to_dict(), len(frame), card, lang) + warn)


def unit_scorecard(unit: str, period: str, obs: pd.DataFrame, lang: str = DEFAULT_LANG,
                   unit_level: str | None = None, parent: str | None = None):
    """Return the unit's scorecard for the period (empty when its report states no target)."""
    frame = _unit_rows(obs, unit, unit_level, parent, period)
    if frame.empty or not states_targets(frame):
        return frame.iloc[0:0].assign(status=pd.Series(dtype="object"))
    return scorecard(frame, unit, period, lang=lang)


def scorecard_chart(unit: str, period: str, lang: str = DEFAULT_LANG,
                    obs: pd.DataFrame | None = None, unit_level: str | None = None,
                    parent: str | None = None):
    """Return the scorecard chart of the unit's report for the period.

    A report that states no target gets a chart that says so.
    """
    obs = read_table("observations") if obs is None else obs
    return chart_scorecard(unit_scorecard(unit, period, obs, lang, unit_level, parent), lang=lang)


def _figures(unit, period, obs, lang, unit_level, parent) -> pd.DataFrame:
    frame = _unit_rows(obs, unit, unit_level, parent, period).sort_values("start")
    card = unit_scorecard(unit, period, obs, lang, unit_level, parent)
    if len(frame) and len(card) and "obs_id" in card.columns and "obs_id" in frame.columns:
        frame = frame.merge(card[["obs_id", "status"]], on="obs_id", how="left")
    return frame


def _reports_meta(reports: pd.DataFrame | None) -> tuple[dict, dict]:
    if reports is None:
        reports = read_table("reports", columns=["doc_id", "title", "published", "text"])
    meta = {d: {"title": ti, "published": pu} for d, ti, pu in
            zip(reports["doc_id"], reports.get("title", reports["doc_id"]),
                reports.get("published", [None] * len(reports)))}
    texts = (dict(zip(reports["doc_id"], reports["text"])) if "text" in reports.columns else {})
    return meta, {d: x for d, x in texts.items() if isinstance(x, str)}


def figures_table(unit: str, period: str, lang: str = DEFAULT_LANG,
                  obs: pd.DataFrame | None = None, reports: pd.DataFrame | None = None,
                  unit_level: str | None = None, parent: str | None = None):
    """Return the unit's figures for the period with their source sentences (HTML, escaped).

    Each figure: its result badge where the report states a target, the
    whole sentence with the figure marked, the report's title and date, and a
    link that opens the report's text (below the table) at that sentence.

    Examples
    --------
    >>> obs = pd.DataFrame({"unit_name": ["Cự Khối"], "period": ["2018-FY"],
    ...     "indicator_id": ["cremation_rate"], "value": [63.6], "unit": ["percent"],
    ...     "raw": ["63,6%"], "quote": ["hỏa táng người qua đời, đạt tỷ lệ 63,6%"],
    ...     "doc_id": ["cu-khoi-2018-fy"], "start": [4521], "end": [4526]})
    >>> reports = pd.DataFrame({"doc_id": ["cu-khoi-2018-fy"], "title": ["Báo cáo năm 2018"]})
    >>> "<mark>63,6%</mark>" in figures_table("Cự Khối", "2018-FY", obs=obs, reports=reports).data
    True
    """
    lang = check_lang(lang)
    obs = read_table("observations") if obs is None else obs
    frame = _figures(unit, period, obs, lang, unit_level, parent)
    if frame.empty:
        return HTML(f"<div class='ad-empty'>{_esc(t('empty.no_facts', lang))}</div>")
    meta, texts = _reports_meta(reports)
    readers = "".join(reader_html(d, texts[d], meta.get(d), g.to_dict("records"), lang)
                      for d, g in frame.groupby("doc_id", sort=False) if d in texts)
    if readers:
        readers = (f"<h2>{_esc(t('section.reader', lang))}</h2>"
                   f"<div class='ad-note'>{_esc(t('reader.hint', lang))}</div>{readers}")
    return HTML(f"<h2>{_esc(t('section.facts', lang))}</h2>"
                + render_facts_table(frame, lang, meta, texts) + readers)


def _data_link(label: str, name: str, mime: str, data: bytes) -> str:
    return (f'<a download="{_esc(name)}" href="data:{mime};base64,'
            f'{base64.b64encode(data).decode("ascii")}">{_esc(label)}</a>')


def downloads_html(unit: str, period: str, lang: str = DEFAULT_LANG,
                   obs: pd.DataFrame | None = None, reports: pd.DataFrame | None = None,
                   unit_level: str | None = None, parent: str | None = None):
    """Return links that save the page's table (CSV, Excel) and its chart (PNG, SVG).

    The table carries its provenance; the chart is drawn by vl-convert. The
    files are inside the page, so they download from a USB stick or an e-mail
    attachment with no server.
    """
    lang = check_lang(lang)
    obs = read_table("observations") if obs is None else obs
    frame = _figures(unit, period, obs, lang, unit_level, parent)
    meta, _ = _reports_meta(reports)
    stem = f"{report_slug(unit)}-{period}"
    links = []
    if len(frame):
        table = export_table(frame, meta, lang)
        for fmt in ("csv", "xlsx"):
            links.append(_data_link(t(f"download.{fmt}", lang), f"{stem}.{fmt}", MIME[fmt],
                                    table_bytes(table, fmt)))
    card = unit_scorecard(unit, period, obs, lang, unit_level, parent)
    if len(card):
        spec = scorecard_chart(unit, period, lang, obs, unit_level, parent).to_dict()
        for fmt in ("png", "svg"):
            links.append(_data_link(t(f"download.{fmt}", lang), f"{stem}-ket-qua.{fmt}", MIME[fmt],
                                    chart_bytes(spec, fmt)))
    if not links:
        return HTML("")
    return HTML(f"<div class='ad-downloads'><b>{_esc(t('download.label', lang))}</b> "
                + " ".join(links) + "</div>")


def _esc(text) -> str:

    return escape_text(text)


def export_offline_html(nb, title: str, lang: str = DEFAULT_LANG) -> str:
    """Return an executed notebook as one HTML page: outputs only, nothing fetched online.

    The notebook's code and its notes for analysts (markdown) are left out: the
    page is for the report's readers.

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Chạy lại mỗi kỳ")])
    >>> page = export_offline_html(nb, "Cự Khối · Năm 2018")
    >>> "<title>Cự Khối · Năm 2018</title>" in page, "<script src=" in page, "Chạy lại" in page
    (True, False, False)
    """
    # nbconvert (with jinja2) loads only when pages are written: the app and notebooks never need it
    import jinja2
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        extra_loaders=[jinja2.DictLoader({"analysis_offline.html.j2": _OFFLINE_TEMPLATE})],
        template_file="analysis_offline.html.j2", exclude_input=True, exclude_markdown=True,
        exclude_input_prompt=True, exclude_output_prompt=True, language_code=lang,
        anchor_link_text="")
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    return body


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)   # mkstemp makes it private; a report is to be read
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def render_period_reports(period: str, out_dir: str | os.PathLike = paths.REPORTS_OUT,
                          lang: str = DEFAULT_LANG, units: list[str] | None = None,
                          notebook: str | os.PathLike = PERIOD_NOTEBOOK,
                          progress=print) -> list[Path]:
    """Write ``<out_dir>/<period>/<unit>.html`` for every unit reporting ``period``.

    A unit is its level, name and parent: a ward and a district of one name
    get a page each, under different file names (:func:`report_file_names`);
    the pages returned are the files written, one per unit.

    Parameters
    ----------
    period : a period code, e.g. ``"2021-H1"``
    out_dir : folder of the reports (default ``reports/`` at the repository root)
    lang : language of the pages (``'vi'`` default, or ``'en'``)
    units : only these units, by name or :func:`~analysis.app.unit_key`
        (default every unit with a report for the period)
    notebook : the parameterised notebook to run (default ``05_period_report``)
    progress : called with one line per page written (None for silence)

    Returns
    -------
    list of Path
        The pages written, one per unit. Each is replaced atomically.

    Raises
    ------
    ValueError
        No unit has a report for ``period``.
    """
    # papermill (and nbformat) load only when pages are rendered, not with the module
    import nbformat
    import papermill

    lang = check_lang(lang)
    keys = period_unit_keys(period)
    if units is not None:          # names or keys
        keys = [k for k in keys if k in units or split_unit_key(k)[0] in units]
    names = report_file_names(keys)
    folder = Path(out_dir) / period
    notebook = Path(notebook)
    written = []
    with tempfile.TemporaryDirectory(prefix="period-reports-") as tmp:
        for i, key in enumerate(keys, 1):
            unit, level, parent = split_unit_key(key)
            executed = Path(tmp) / f"{i}.ipynb"
            papermill.execute_notebook(
                str(notebook), str(executed), cwd=str(notebook.parent), kernel_name="python3",
                parameters={"unit": unit, "period": period, "lang": lang,
                            "unit_level": level, "parent": parent},
                progress_bar=False, log_output=False, report_mode=True)
            nb = nbformat.read(executed, as_version=4)
            title = f"{unit_label(unit, level, lang)} · {period_name(period, lang)}"
            target = folder / names[key]
            _write_atomic(target, export_offline_html(nb, title, lang))
            written.append(target)
            if progress is not None:
                progress(f"[{i}/{len(keys)}] {target}")
    return written
