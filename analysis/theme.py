"""One look for every chart: palette, fonts, better/worse colours, number format.

Numbers are shown the Vietnamese way by default (decimal comma, dot thousands:
``97,95%``, ``12.877.755.000 đ``) and the English way on request. The same rules
reach the charts twice: :func:`format_number` writes the labels computed in
Python (tooltips, tables), and :func:`vega_locale` puts a number locale into the
chart spec itself, so that axes format alike in JupyterLab, Voilà and exported
HTML or SVG.
"""
from __future__ import annotations

import hashlib
import importlib.metadata
import json
import logging
import math
import os
import sys
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # altair is imported where it is used: importing it is slow
    import altair as alt

__all__ = [
    "LANGS", "DEFAULT_LANG", "FONT", "PALETTE", "ASSESSMENT_COLORS",
    "STATUS_COLORS", "PROGRESS_COLOR", "NEUTRAL", "TARGET_COLOR", "check_lang", "format_number",
    "unit_symbol", "vega_locale", "vi_locale", "en_locale", "axis_format",
    "apply_theme", "theme_config", "skip_slow_imports", "import_altair", "use_offline_renderer",
    "enable_offline_widgets",
    "offline_chart_html", "chart_svg", "OFFLINE_RENDERER", "VEGALITE_MIMETYPE",
]

def skip_slow_imports() -> None:
    """Spare every kernel 2–3 s when Altair is first imported.

    Altair imports jsonschema, which imports the optional ``rfc3987_syntax``
    package when it is installed (Jupyter's event schemas pull it in); that
    package compiles a grammar on import, only to check "iri" strings, which
    Altair never asks for. Marking it absent before jsonschema's first import
    skips it; once jsonschema is loaded this does nothing.
    """
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)


def import_altair():
    """Import Altair and return it, first sparing the slow optional import (:func:`skip_slow_imports`).

    Examples
    --------
    >>> import_altair().__name__
    'altair'
    """
    skip_slow_imports()
    import altair  # lazy: charts import it at their first chart, not when the package loads

    return altair


#: Languages of the interface: Vietnamese first (the default), then English.
LANGS = ("vi", "en")
DEFAULT_LANG = "vi"

#: Fonts with full Vietnamese glyphs, in order of preference.
FONT = "Noto Sans, DejaVu Sans, Liberation Sans, Arial, sans-serif"

#: Categorical palette (colour-blind safe, after Okabe and Ito).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00",
           "#F0E442", "#000000")
NEUTRAL = "#5B7083"
TARGET_COLOR = "#263238"
#: Colours of a comparison judged by the indicator's direction.
ASSESSMENT_COLORS = {"better": "#1B7F3B", "worse": "#C62828", "none": NEUTRAL}
#: Colours of a scorecard line: result against the report's own target.
STATUS_COLORS = {"exceeded": "#1B7F3B", "met": "#66BB6A", "missed": "#C62828"}
#: Colour of a result short of a plan for a longer period (a half-year toward the
#: year's plan): progress, neither a target's colour nor the missed red.
PROGRESS_COLOR = "#5C6BC0"

# Number conventions per language: decimal mark, thousands mark.
_MARKS = {"vi": (",", "."), "en": (".", ",")}
# Unit suffixes per language; percent and per mille sit right after the number.
_SUFFIX = {
    "vi": {"percent": "%", "per_mille": "‰", "vnd": " đ", "count": "",
           "ha": " ha", "km2": " km²", "m2": " m²", "km": " km", "m": " m",
           "kg": " kg", "ton": " tấn", "m3": " m³"},
    "en": {"percent": "%", "per_mille": "‰", "vnd": " VND", "count": "",
           "ha": " ha", "km2": " km²", "m2": " m²", "km": " km", "m": " m",
           "kg": " kg", "ton": " t", "m3": " m³"},
}
# Decimals kept per unit (trailing zeros are dropped).
_DECIMALS = {"percent": 2, "per_mille": 2, "vnd": 0}


def check_lang(lang: str | None) -> str:
    """Return a supported language code, raising a one-line error otherwise.

    Examples
    --------
    >>> check_lang(None)
    'vi'
    >>> check_lang("fr")
    Traceback (most recent call last):
    ...
    ValueError: language 'fr' is not supported: use 'vi' or 'en'
    """
    if lang is None:
        return DEFAULT_LANG
    if lang not in LANGS:
        raise ValueError(f"language {lang!r} is not supported: use 'vi' or 'en'")
    return lang


def unit_symbol(unit: str | None, lang: str = DEFAULT_LANG) -> str:
    """Return the symbol written after a number of this unit (``'%'``, ``'đ'``, ``''``).

    Examples
    --------
    >>> unit_symbol("vnd"), unit_symbol("vnd", "en"), unit_symbol("per_mille")
    ('đ', 'VND', '‰')
    """
    return _SUFFIX[check_lang(lang)].get(unit or "count", "").strip()


def _group(digits: str, sep: str) -> str:
    out = []
    while len(digits) > 3:
        out.append(digits[-3:])
        digits = digits[:-3]
    out.append(digits)
    return sep.join(reversed(out))


def format_number(x, unit: str | None = None, lang: str = DEFAULT_LANG,
                  decimals: int | None = None) -> str:
    """Write a number as a reader of that language expects, with its unit.

    Vietnamese uses a decimal comma and dot thousands; English the reverse.
    Percentages and per-mille rates keep up to two decimals, money none, and
    trailing zeros are dropped. A missing value is a dash.

    Parameters
    ----------
    x : number or None
    unit : one of ``analysis.schema.UNITS`` or None (a bare number)
    lang : ``'vi'`` (default) or ``'en'``
    decimals : maximum decimals to keep (default: by unit, 2 for most)

    Examples
    --------
    >>> format_number(97.95, "percent")
    '97,95%'
    >>> format_number(12877755000, "vnd")
    '12.877.755.000 đ'
    >>> format_number(18.93, "per_mille")
    '18,93‰'
    >>> format_number(5209, "count"), format_number(140.0, "percent")
    ('5.209', '140%')
    >>> format_number(12877755000, "vnd", "en"), format_number(97.95, "percent", "en")
    ('12,877,755,000 VND', '97.95%')
    >>> format_number(-6.55, "percent"), format_number(None, "percent")
    ('-6,55%', '—')
    """
    lang = check_lang(lang)
    if x is None:
        return "—"
    try:
        x = float(x)
    except (TypeError, ValueError):
        return "—"
    if math.isnan(x):
        return "—"
    if math.isinf(x):
        return ("-" if x < 0 else "") + "∞"
    unit = unit or "count"
    nd = _DECIMALS.get(unit, 2) if decimals is None else decimals
    decimal_mark, thousands = _MARKS[lang]
    text = f"{abs(x):.{nd}f}"
    whole, _, frac = text.partition(".")
    frac = frac.rstrip("0")
    body = _group(whole, thousands) + (decimal_mark + frac if frac else "")
    sign = "-" if x < 0 and (whole.strip("0") or frac) else ""
    return sign + body + _SUFFIX[lang].get(unit, "")


def vega_locale(lang: str = DEFAULT_LANG) -> alt.Locale:
    """Return the Vega number locale of a language, to put into a chart's config.

    There is no built-in ``vi-VN`` locale in Vega; this one says: decimal comma,
    dot thousands, groups of three, the đồng sign after the amount.

    Examples
    --------
    >>> vega_locale("vi").to_dict()["number"]["decimal"]
    ','
    >>> vega_locale("en").to_dict()["number"]["thousands"]
    ','
    """
    alt = import_altair()

    lang = check_lang(lang)
    decimal_mark, thousands = _MARKS[lang]
    currency = ["", " ₫"] if lang == "vi" else ["", " VND"]
    return alt.Locale(number=alt.NumberLocale(
        decimal=decimal_mark, thousands=thousands, grouping=[3], currency=currency))


def vi_locale() -> alt.Locale:
    """Return the Vietnamese Vega number locale (see :func:`vega_locale`).

    Examples
    --------
    >>> vi_locale().to_dict()["number"]["currency"]
    ['', ' ₫']
    """
    return vega_locale("vi")


def en_locale() -> alt.Locale:
    """Return the English Vega number locale (see :func:`vega_locale`).

    Examples
    --------
    >>> en_locale().to_dict()["number"]["decimal"]
    '.'
    """
    return vega_locale("en")


def axis_format(unit: str | None) -> str:
    """Return the d3 format of an axis showing values of this unit.

    Values are stored as the reports state them (97,95 for 97,95%), so the axis
    writes plain numbers, grouped, with at most two decimals; the unit goes in
    the axis title.

    Examples
    --------
    >>> axis_format("percent"), axis_format("vnd")
    (',.2~f', ',.0f')
    """
    return ",.0f" if unit == "vnd" else ",.2~f"


def theme_config(lang: str = DEFAULT_LANG) -> dict:
    """Return the house look as Vega-Lite ``config`` settings (see :func:`apply_theme`).

    Examples
    --------
    >>> theme_config("en")["locale"].to_dict()["number"]["decimal"]
    '.'
    """
    lang = check_lang(lang)
    return dict(
        locale=vega_locale(lang),
        font=FONT,
        background="white",
        padding=8,
        range={"category": list(PALETTE)},
        view={"strokeWidth": 0},
        axis={"labelFontSize": 14, "titleFontSize": 14, "titleFontWeight": "normal",
              "titleColor": "#37474F", "labelColor": "#263238", "gridColor": "#E6EBEF",
              "domainColor": "#90A4AE", "tickColor": "#90A4AE", "labelLimit": 260},
        legend={"labelFontSize": 14, "titleFontSize": 14, "orient": "top",
                "titleFontWeight": "normal", "labelLimit": 260},
        title={"fontSize": 18, "anchor": "start", "color": "#263238",
               "subtitleFontSize": 14, "subtitleColor": "#546E7A", "fontWeight": "bold"},
        header={"labelFontSize": 13, "titleFontSize": 13},
    )


def apply_theme(chart: alt.TopLevelMixin, lang: str = DEFAULT_LANG):
    """Give a chart the house look and the number locale of ``lang``.

    Returns a configured chart: fonts, font sizes large enough to read on a
    projector, light grid, no frame, and ``config.locale`` so that axes and
    ``format()`` expressions use the language's decimal and thousands marks.

    Examples
    --------
    >>> import altair as alt, pandas as pd
    >>> base = alt.Chart(pd.DataFrame({"v": [97.95]})).mark_bar().encode(x="v")
    >>> spec = apply_theme(base, "vi").to_dict()
    >>> spec["config"]["locale"]["number"]["thousands"], spec["config"]["font"][:9]
    ('.', 'Noto Sans')
    """
    return chart.configure(**theme_config(lang))


# -- Rendering with no internet access ---------------------------------------
#
# Vega, Vega-Lite and vega-embed come from vl-convert (a pinned dependency) as
# one JavaScript bundle; building it takes seconds, so it is kept in a cache
# folder keyed by the library versions.

#: Name of the Altair renderer registered by :func:`use_offline_renderer`.
OFFLINE_RENDERER = "analysis_offline"
_SENT_BUNDLE = {"done": False}


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "analysis"


def _cache_path(name: str, suffix: str = ".js") -> Path:
    """Where a made text is kept: named by the library versions that made it."""
    alt = import_altair()
    # the installed version names the cache; importing vl_convert (a JavaScript engine) to
    # ask it would cost every app kernel its import
    vlc_version = importlib.metadata.version("vl-convert-python")
    return _cache_dir() / f"{name}-altair{alt.__version__}-vlc{vlc_version}{suffix}"


def _keep(path: Path, text: str) -> bool:
    """Write ``text`` to ``path`` atomically; False if the folder cannot be written."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
        return True
    except OSError:
        return False


def _cached_text(name: str, make) -> str:
    """Text from the cache folder, made (and written atomically) when missing."""
    path = _cache_path(name)
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        pass
    text = make()
    _keep(path, text)   # a read-only home still renders, only slower
    return text


#: Charts drawn as SVG kept in the cache (the newest; a spec is a unit's view of one build).
SVG_KEPT = 200


def chart_svg(spec: dict) -> str | None:
    """Return the SVG that Vega draws for a Vega-Lite spec, drawn here and kept; None if it cannot be.

    Drawn by vl-convert, the Vega of the inlined bundle, so the text and shapes
    are those the page would draw, with no JavaScript to run in the page. The
    first drawing in a process starts vl-convert's JavaScript engine (about
    0.5 s and 60 MB), so each spec is drawn once per machine and kept in the
    cache folder under a digest of the spec. When that folder cannot be written
    the answer is None: drawing again in every kernel would cost each one the
    engine. Text in the spec is escaped by Vega's SVG writer.
    """
    text = json.dumps(spec, sort_keys=True, ensure_ascii=False, default=str)
    path = _cache_path(f"svg/{hashlib.sha256(text.encode('utf-8')).hexdigest()[:32]}", ".svg")
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        pass
    if not _keep(path.with_name("writable"), ""):
        return None
    try:
        import vl_convert as vlc
        from altair.utils._importers import vl_version_for_vl_convert

        svg = vlc.vegalite_to_svg(spec, vl_version=vl_version_for_vl_convert())
    except Exception as exc:  # the page draws it with the inlined bundle instead
        logging.getLogger(__name__).warning("a chart could not be drawn as SVG: %s", exc)
        return None
    if _keep(path, svg):
        try:   # another kernel may be pruning too
            kept = sorted(path.parent.glob("*.svg"), key=lambda f: f.stat().st_mtime, reverse=True)
            for old in kept[SVG_KEPT:]:
                old.unlink(missing_ok=True)
        except OSError:
            pass
    return svg


def _vega_embed_bundle() -> str:
    def make() -> str:
        # vl-convert builds the bundle once per machine (then it is read from the cache);
        # lazy: vl-convert is heavy and only pages that embed charts need it
        import vl_convert as vlc
        from altair.utils._importers import vl_version_for_vl_convert

        return vlc.javascript_bundle(vl_version=vl_version_for_vl_convert())

    return _cached_text("vega-embed", make)


def _script_json(value) -> str:
    r"""Return JSON safe inside a <script> element: no '<', '>' or '&' appear raw.

    Examples
    --------
    >>> _script_json({"quote": "</script><img src=x onerror=alert(1)>"})
    '{"quote": "\\u003c/script\\u003e\\u003cimg src=x onerror=alert(1)\\u003e"}'
    """
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def offline_chart_html(spec: dict, embed_options: dict | None = None,
                       include_bundle: bool = True) -> str:
    """HTML that draws a Vega-Lite spec with no request to the internet.

    The vega-embed bundle is inlined (wrapped so that a page may hold it more
    than once); a chart whose output comes before the bundle waits for it.

    Examples
    --------
    >>> html = offline_chart_html({"mark": "point"}, include_bundle=False)
    >>> "vegaEmbed" in html and "http" not in html.replace("vega-lite", "")
    True
    """
    div = f"analysis-vis-{uuid.uuid4().hex[:12]}"
    options = {"renderer": "svg", "actions": False, **(embed_options or {})}
    spec_json = _script_json(spec)
    opt_json = _script_json(options)
    parts = [f'<div id="{div}" class="analysis-chart"></div>']
    if include_bundle:
        parts.append(
            "<script type=\"text/javascript\">if (!window.vegaEmbed) { (function () {\n"
            + _vega_embed_bundle()
            + "\n})(); }\n(window.__analysisVega || []).splice(0).forEach(function (f) { f(); });"
            "</script>")
    parts.append(
        "<script type=\"text/javascript\">(function () {\n"
        f"  var spec = {spec_json}, opt = {opt_json};\n"
        f"  var go = function () {{ window.vegaEmbed(document.getElementById(\"{div}\"), spec, opt)"
        ".catch(function (e) { console.error(e); }); };\n"
        "  if (window.vegaEmbed) { go(); } else {"
        " (window.__analysisVega = window.__analysisVega || []).push(go); }\n"
        "})();</script>")
    return "\n".join(parts)


#: The Vega-Lite mimetype of the specs Altair 6 writes (a valid JSON mimetype:
#: Altair's own ``mimetype`` renderer writes ``...v6.json``, which nbformat rejects).
VEGALITE_MIMETYPE = "application/vnd.vegalite.v6+json"


def _render_offline(spec: dict, **kwargs) -> dict:
    first = not _SENT_BUNDLE["done"]
    _SENT_BUNDLE["done"] = True
    return {VEGALITE_MIMETYPE: spec,
            "text/html": offline_chart_html(spec, kwargs.get("embed_options"), first),
            "text/plain": "<Vega-Lite chart>"}


def use_offline_renderer() -> str:
    """Make charts display in notebooks, and in HTML exported from them, offline.

    Registers and enables an Altair renderer whose output is HTML with the
    Vega-Lite spec and, in the first chart of a session, the JavaScript that
    draws it (inlined: no CDN). Works in JupyterLab, Voilà and nbconvert HTML.
    Returns the renderer's name.

    Examples
    --------
    >>> import altair as alt
    >>> name = use_offline_renderer()
    >>> alt.renderers.active == name
    True
    >>> _ = alt.renderers.enable("default")
    """
    alt = import_altair()

    if OFFLINE_RENDERER not in alt.renderers.names():
        alt.renderers.register(OFFLINE_RENDERER, _render_offline)
    alt.renderers.enable(OFFLINE_RENDERER)
    _SENT_BUNDLE["done"] = False
    return OFFLINE_RENDERER


def enable_offline_widgets() -> None:
    """Let ``alt.JupyterChart`` draw with no CDN (Voilà apps), quickly.

    Same as ``alt.JupyterChart.enable_offline()``, with the bundle it builds
    kept in the cache folder so that a new kernel does not spend seconds
    rebuilding it.

    Examples
    --------
    >>> import altair as alt
    >>> enable_offline_widgets()
    >>> alt.JupyterChart._is_offline, "https://" in alt.JupyterChart._esm[:2000]
    (True, False)
    """
    alt = import_altair()

    chart_cls = alt.JupyterChart
    if getattr(chart_cls, "_is_offline", False):
        return
    if hasattr(chart_cls, "_esm"):
        def build() -> str:
            chart_cls.enable_offline()
            return chart_cls._esm

        esm = _cached_text("jupyterchart", build)
        chart_cls._esm = esm
        chart_cls._is_offline = True
    else:  # a future Altair: use its own switch
        chart_cls.enable_offline()
