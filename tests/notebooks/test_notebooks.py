"""Every notebook runs top to bottom on the real build of the bundled reports.

The notebooks are executed with papermill (the period report with its
parameters, as ``make reports`` runs it) and nbclient (the Voilà app, keeping
its widget state), against the tables a real ``build`` writes into a temporary
folder. They must draw their Vega-Lite charts and show no error; in git they
stay thin (no ``def``/``class``) and carry no outputs.
"""
from __future__ import annotations

import ast
import re

import nbformat
import papermill
import pytest

from _built_data import processed_dir
from analysis import paths
from analysis.period_reports import period_units, render_period_reports
from analysis.theme import VEGALITE_MIMETYPE

pytestmark = pytest.mark.notebook

NOTEBOOKS = sorted(paths.NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
# The period report is run by render_period_reports (test below), as `make reports` runs it.
EXPLORATION = [p for p in NOTEBOOKS if p.stem != "05_period_report"]
APPS = sorted((paths.NOTEBOOKS / "apps").glob("*.ipynb"))
# Charts each notebook must draw on the bundled data.
CHARTS = {"01_overview": 1, "02_compare_units": 1, "03_trends": 1, "04_data_quality": 1,
          "05_period_report": 1}


@pytest.fixture
def built(monkeypatch):
    folder = processed_dir()
    monkeypatch.setenv("ANALYSIS_PROCESSED", str(folder))   # the kernels inherit it
    return folder


def _errors(nb) -> list[str]:
    return [f"{o.get('ename')}: {o.get('evalue')}" for c in nb.cells if c.cell_type == "code"
            for o in c.get("outputs", []) if o.output_type == "error"]


def _stderr(nb) -> list[str]:
    return [o.text for c in nb.cells if c.cell_type == "code"
            for o in c.get("outputs", []) if o.output_type == "stream" and o.name == "stderr"]


def _vega_lite(nb) -> list[dict]:
    return [o["data"][VEGALITE_MIMETYPE] for c in nb.cells if c.cell_type == "code"
            for o in c.get("outputs", []) if VEGALITE_MIMETYPE in o.get("data", {})]


def test_the_notebooks_are_there():
    assert [p.stem for p in NOTEBOOKS] == list(CHARTS)
    assert [p.name for p in APPS] == ["dashboard.ipynb", "review.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS + APPS, ids=lambda p: p.stem)
def test_notebook_is_thin_and_committed_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# "), \
        f"{path.name}: the first cell is the title"
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        assert cell.outputs == [] and cell.execution_count is None, \
            f"{path.name}: clear the outputs before committing (Kernel > Restart and clear outputs)"
        tree = ast.parse(cell.source)
        defs = [n for n in ast.walk(tree)
                if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda))]
        assert not defs, f"{path.name}: logic belongs in analysis/, not in the notebook:\n{cell.source}"
        assert "sys.path" not in cell.source
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, f"{path.name}: one cell tagged 'parameters'"


def test_period_report_takes_unit_and_period_as_parameters():
    nb = nbformat.read(paths.NOTEBOOKS / "05_period_report.ipynb", as_version=4)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    names = {t.id for n in ast.walk(ast.parse(cell.source)) if isinstance(n, ast.Assign)
             for t in n.targets}
    assert {"unit", "period"} <= names


@pytest.mark.parametrize("path", EXPLORATION, ids=lambda p: p.stem)
def test_notebook_runs_and_draws_its_charts(path, built, tmp_path):
    out = tmp_path / path.name
    nb = papermill.execute_notebook(str(path), str(out), cwd=str(path.parent), kernel_name="python3",
                                    progress_bar=False, log_output=False)
    nbformat.validate(nb)
    assert not _errors(nb), _errors(nb)
    assert not [s for s in _stderr(nb) if "Traceback" in s or "Error" in s], _stderr(nb)
    specs = _vega_lite(nb)
    assert len(specs) >= CHARTS[path.stem], f"{path.name}: {len(specs)} chart(s)"
    for spec in specs:
        assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/v6")
        assert spec["config"]["locale"]["number"]["decimal"] == ","
        assert spec.get("datasets"), f"{path.name}: a chart with no data"
    html = [o["data"]["text/html"] for c in nb.cells if c.cell_type == "code"
            for o in c.get("outputs", []) if VEGALITE_MIMETYPE in o.get("data", {})]
    assert "window.vegaEmbed=" in html[0]                      # the first chart brings the JS
    assert not any(re.search(r"<script[^>]+src=", h) for h in html)


def test_period_report_for_a_unit_without_a_report_says_so(built):
    from analysis.charts import chart_records
    from analysis.period_reports import report_header, scorecard_chart

    html = report_header("Cự Khối", "2021-H1").data
    assert "Chưa có báo cáo cho kỳ này" in html and "Năm 2018" in html   # the period it has
    rows = chart_records(scorecard_chart("Thạch Bàn", "2021-H1"))       # a report with no target
    assert rows == [{"message": "Báo cáo kỳ này không nêu chỉ tiêu nào để đối chiếu"}]


def test_dashboard_app_notebook_runs_with_its_charts(built, tmp_path):
    from nbclient import NotebookClient

    path = paths.NOTEBOOKS / "apps" / "dashboard.ipynb"
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, kernel_name="python3", store_widget_state=True, timeout=120,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    assert not _errors(nb)
    views = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
             if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert views, "the app displays its widget"
    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    specs = [m["state"]["spec"] for m in state.values() if m["state"].get("spec")]
    assert specs and all(s["$schema"].startswith("https://vega.github.io/schema/vega-lite/v6")
                         for s in specs)
    texts = " ".join(str(m["state"].get("value", "")) for m in state.values())
    assert "Kết quả công tác của phường, quận" in texts


def test_period_reports_are_standalone_offline_pages(built, tmp_path):
    """05_period_report runs with papermill for each unit of the period and gives one offline page per unit.

    Any cell error fails it.
    """
    assert period_units("2018-FY") == ["Cự Khối"]
    pages = render_period_reports("2018-FY", out_dir=tmp_path, progress=None)
    assert pages == [tmp_path / "2018-FY" / "cu-khoi.html"]
    html = pages[0].read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]+src=", html), "no script fetched from anywhere"
    assert not re.search(r"<link[^>]+href=[\"']https?:", html)
    assert html.count("window.vegaEmbed=") == 1                # the JavaScript, inlined once
    assert '"$schema": "https://vega.github.io/schema/vega-lite/v6' in html   # the spec itself
    assert "Phường Cự Khối · Năm 2018" in html
    assert "Vượt chỉ tiêu" in html and "28/20" in html         # the scorecard
    assert "<mark>1946/2129</mark>" in html                    # figures with their sentences
    assert "import analysis" not in html and "from analysis" not in html   # no code shown
    with pytest.raises(ValueError, match="no report for period '2030-H1'.*periods there: 2018-FY"):
        render_period_reports("2030-H1", out_dir=tmp_path, progress=None)
    assert not (tmp_path / "2030-H1").exists()
