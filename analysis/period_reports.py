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

import os
import re
import tempfile
import unicodedata
from pathlib import Path

import pandas as pd

from . import paths
from .dashboard import APP_CSS, render_facts_table, summary_html, unit_label
from .i18n import period_name, t
from .theme import DEFAULT_LANG, check_lang

__all__ = ["render_period_reports", "period_units", "report_slug", "report_header",
           "scorecard_chart", "figures_table", "export_offline_html", "PERIOD_NOTEBOOK"]

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
</style>
{%- endblock extra_css -%}
"""


def report_slug(unit: str) -> str:
    """A file name for a unit: ASCII, lower case, words joined by '-'.

    Examples
    --------
    >>> report_slug("Thạch Bàn"), report_slug("Phúc Đồng"), report_slug("Cự Khối")
    ('thach-ban', 'phuc-dong', 'cu-khoi')
    """
    text = unit.replace("Đ", "D").replace("đ", "d")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "unit"


def period_units(period: str, reports: pd.DataFrame | None = None) -> list[str]:
    """The units that have a report for ``period``, in name order.

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
    ValueError: no report for period '2021-H2' in the processed tables (periods there: 2018-FY, 2021-H1); check the period code, e.g. 2021-H1
    """
    if reports is None:
        from .store import read_table
        reports = read_table("reports", columns=["doc_id", "unit_name", "period"])
    units = sorted(set(reports.loc[reports["period"] == period, "unit_name"].dropna()))
    if not units:
        have = ", ".join(sorted(set(reports["period"].dropna()))) or "none"
        raise ValueError(f"no report for period {period!r} in the processed tables "
                         f"(periods there: {have}); check the period code, e.g. 2021-H1")
    return units


def report_header(unit: str, period: str, lang: str = DEFAULT_LANG,
                  reports: pd.DataFrame | None = None, obs: pd.DataFrame | None = None):
    """The head of a period report: the report read, and targets met (HTML).

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
    from IPython.display import HTML

    from .store import read_table

    lang = check_lang(lang)
    reports = read_table("reports", columns=["doc_id", "unit_name", "unit_level", "period",
                                             "doc_kind", "published"]) if reports is None else reports
    obs = read_table("observations") if obs is None else obs
    rows = reports[(reports["unit_name"] == unit) & (reports["period"] == period)]
    level = reports.loc[reports["unit_name"] == unit, "unit_level"]
    title = (f"<h1>{_esc(unit_label(unit, level.iloc[0] if len(level) else None, lang))} · "
             f"{_esc(period_name(period, lang))}</h1>")
    if rows.empty:
        have = reports.loc[reports["unit_name"] == unit, "period"].tolist()
        detail = (t("empty.no_report_detail", lang, unit=unit, period=period_name(period, lang),
                    periods=", ".join(period_name(p, lang) for p in have))
                  if have else t("empty.no_report_any", lang, unit=unit))
        return HTML(f"{APP_CSS}{title}<div class='ad-empty'>{_esc(t('empty.no_report', lang))}"
                    f"<small>{_esc(detail)}</small></div>")
    frame = obs[(obs["unit_name"] == unit) & (obs["period"] == period)]
    card = unit_scorecard(unit, period, obs, lang)
    return HTML(APP_CSS + title + summary_html(rows.iloc[0].to_dict(), len(frame), card, lang))


def unit_scorecard(unit: str, period: str, obs: pd.DataFrame, lang: str = DEFAULT_LANG):
    """The unit's scorecard for the period (empty when its report states no target)."""
    from .compare import scorecard
    from .dashboard import _states_targets

    frame = obs[(obs["unit_name"] == unit) & (obs["period"] == period)]
    if frame.empty or not _states_targets(frame):
        return frame.iloc[0:0].assign(status=pd.Series(dtype="object"))
    return scorecard(frame, unit, period, lang=lang)


def scorecard_chart(unit: str, period: str, lang: str = DEFAULT_LANG,
                    obs: pd.DataFrame | None = None):
    """The scorecard chart of the unit's report for the period.

    A report that states no target gets a chart that says so.
    """
    from .charts import chart_scorecard
    from .store import read_table

    obs = read_table("observations") if obs is None else obs
    return chart_scorecard(unit_scorecard(unit, period, obs, lang), lang=lang)


def figures_table(unit: str, period: str, lang: str = DEFAULT_LANG,
                  obs: pd.DataFrame | None = None):
    """The unit's figures for the period with their source sentences (HTML, escaped).

    Examples
    --------
    >>> obs = pd.DataFrame({"unit_name": ["Cự Khối"], "period": ["2018-FY"],
    ...     "indicator_id": ["cremation_rate"], "value": [63.6], "unit": ["percent"],
    ...     "raw": ["63,6%"], "quote": ["hỏa táng người qua đời, đạt tỷ lệ 63,6%"],
    ...     "doc_id": ["cu-khoi-2018-fy"], "start": [4521], "end": [4526]})
    >>> "<mark>63,6%</mark>" in figures_table("Cự Khối", "2018-FY", obs=obs).data
    True
    """
    from IPython.display import HTML

    from .store import read_table

    lang = check_lang(lang)
    obs = read_table("observations") if obs is None else obs
    frame = obs[(obs["unit_name"] == unit) & (obs["period"] == period)].sort_values("start")
    if frame.empty:
        return HTML(f"<div class='ad-empty'>{_esc(t('empty.no_facts', lang))}</div>")
    return HTML(f"<h2>{_esc(t('section.facts', lang))}</h2>" + render_facts_table(frame, lang))


def _esc(text) -> str:
    from .dashboard import escape_text

    return escape_text(text)


def export_offline_html(nb, title: str, lang: str = DEFAULT_LANG) -> str:
    """An executed notebook as one HTML page: outputs only, nothing fetched online.

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

    Parameters
    ----------
    period : a period code, e.g. ``"2021-H1"``
    out_dir : folder of the reports (default ``reports/`` at the repository root)
    lang : language of the pages (``'vi'`` default, or ``'en'``)
    units : only these units (default every unit with a report for the period)
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
    import nbformat
    import papermill

    lang = check_lang(lang)
    units = units or period_units(period)
    folder = Path(out_dir) / period
    notebook = Path(notebook)
    written = []
    with tempfile.TemporaryDirectory(prefix="period-reports-") as tmp:
        for i, unit in enumerate(units, 1):
            executed = Path(tmp) / f"{report_slug(unit)}.ipynb"
            papermill.execute_notebook(
                str(notebook), str(executed), cwd=str(notebook.parent), kernel_name="python3",
                parameters={"unit": unit, "period": period, "lang": lang},
                progress_bar=False, log_output=False, report_mode=True)
            nb = nbformat.read(executed, as_version=4)
            title = f"{unit} · {period_name(period, lang)}"
            target = folder / f"{report_slug(unit)}.html"
            _write_atomic(target, export_offline_html(nb, title, lang))
            written.append(target)
            if progress is not None:
                progress(f"[{i}/{len(units)}] {target}")
    return written
