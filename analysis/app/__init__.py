"""The leaders' app (``notebooks/apps/dashboard.ipynb``, served by Voilà).

Modules, in the order the data flows through them:

- :mod:`analysis.app.rows`: what the app reads (:class:`QueryRows` from the
  processed tables, :class:`FrameRows` from frames), and unit keys;
- :mod:`analysis.app.html`: summaries, sources, the report reader and the
  figures table as HTML (shared with the period reports and the review app);
- :mod:`analysis.app.export`: the table shown as CSV or Excel with its
  provenance, charts as PNG or SVG;
- :mod:`analysis.app.server`: a kernel's log to the server, its freed memory given back;
- :mod:`analysis.app.widgets`: :class:`DashboardApp`, the widgets and callbacks.

The names below are re-exported so that ``from analysis.app import DashboardApp``
works; importing the package loads the widgets (altair, ipywidgets).
"""
from .export import EXPORT_COLUMNS, MIME, chart_bytes, export_table, report_slug, table_bytes
from .html import (
                   APP_CSS,
                   Preview,
                   anchor_id,
                   as_text,
                   escape_text,
                   figure_span,
                   reader_html,
                   render_facts_table,
                   source_html,
                   summary_html,
                   unit_label,
)
from .rows import (
                   ALL_TOPICS,
                   LATEST,
                   FrameRows,
                   QueryRows,
                   duplicate_reports,
                   load_tables,
                   read_processed,
                   split_unit_key,
                   states_targets,
                   unit_key,
                   with_unit_key,
)
from .server import log_to_server, release_memory, release_memory_later, wait_for_request
from .widgets import DashboardApp, DownloadButton, download_button

__all__ = ["DashboardApp", "Preview", "FrameRows", "QueryRows", "load_tables", "read_processed",
           "render_facts_table", "source_html", "reader_html", "figure_span", "anchor_id",
           "export_table", "table_bytes", "chart_bytes", "download_button", "DownloadButton",
           "duplicate_reports", "summary_html", "unit_label", "unit_key", "split_unit_key",
           "with_unit_key", "escape_text", "as_text", "states_targets", "log_to_server",
           "release_memory", "release_memory_later", "wait_for_request", "report_slug", "APP_CSS",
           "LATEST", "ALL_TOPICS", "EXPORT_COLUMNS", "MIME"]
