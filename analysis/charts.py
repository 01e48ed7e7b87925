"""Altair charts of the comparison frames: built, never displayed.

Each function takes a frame from :mod:`analysis.compare` (or the processed
tables) and returns an ``alt.Chart`` (or a layered chart) with the house theme
and the number locale of ``lang``. Every mark's tooltip shows the number as the
report wrote it (``raw``) and the sentence it comes from (``quote``), so that a
reader can check each bar against its source.

Labels computed in Python (``value_label``, periods, indicator names) follow
:func:`analysis.theme.format_number` and :mod:`analysis.i18n`; axes follow the
Vega locale that :func:`analysis.theme.apply_theme` puts into the spec.
"""
from __future__ import annotations

import functools
import math
import textwrap

import pandas as pd

from .compare import MIN_PEERS, MIN_TREND_POINTS, trend_sentence
from .i18n import LABELS, indicator_info, indicator_name, period_name, t
from .theme import (
    DEFAULT_LANG,
    NEUTRAL,
    PROGRESS_COLOR,
    STATUS_COLORS,
    TARGET_COLOR,
    axis_format,
    check_lang,
    format_number,
    import_altair,
    theme_config,
    unit_symbol,
)

__all__ = [
    "chart_compare", "chart_trend", "chart_scorecard", "chart_coverage",
    "chart_audit", "trend_statement", "chart_records", "QUOTE_CHARS", "wrap_label",
    "format_difference", "load_altair",
]

#: Longest source quote shown in a tooltip (longer ones are cut with "…").
QUOTE_CHARS = 240
_BAR = 30          # pixels per bar or row
_WIDTH = 600       # plot width


#: Altair, imported at the first chart (:func:`load_altair`): importing this module stays cheap.
alt = None


def load_altair():
    """Import Altair for the chart functions (once; they call it themselves).

    Altair costs about a second of CPU to import (3.4 s before
    :func:`analysis.theme.skip_slow_imports`, measured on this machine), so the
    module imports it at its first chart rather than at its own import.

    Returns
    -------
    module
        The ``altair`` module.
    """
    global alt
    if alt is None:
        alt = import_altair()
    return alt


def _built_quietly(func):
    """Build a chart without Altair validating every object as it is made.

    Altair's debug mode checks each schema object at creation; the finished
    spec is still validated by ``to_dict()`` (the tests call it on every chart
    function), so skipping the per-object checks only saves time: about a third
    of building a chart, which the dashboard does on every choice.
    """
    @functools.wraps(func)
    def build(*args, **kwargs):
        load_altair()
        from altair.utils.schemapi import debug_mode

        with debug_mode(False):
            return func(*args, **kwargs)

    return build


def chart_records(chart) -> list[dict]:
    """Return the rows of a chart's main data (its first layer's), as the spec holds them.

    Examples
    --------
    >>> chart = load_altair().Chart(pd.DataFrame({"raw": ["97,95%"]})).mark_point()
    >>> chart_records(chart)
    [{'raw': '97,95%'}]
    """
    spec = chart.to_dict()
    data = spec.get("data")
    if data is None:
        for layer in spec.get("layer", []):
            if "data" in layer:
                data = layer["data"]
                break
    if data is None:
        return []
    if "values" in data:
        return list(data["values"])
    return list(spec.get("datasets", {}).get(data.get("name"), []))


def _json_value(v):
    if v is None or isinstance(v, (bool, str)):
        return v
    if isinstance(v, (int, float)):
        return None if isinstance(v, float) and (math.isnan(v) or math.isinf(v)) else v
    if hasattr(v, "item"):  # numpy scalars
        return _json_value(v.item())
    if v is pd.NA or v is pd.NaT:
        return None
    return str(v)


class _Datasets:
    """The data of one chart, kept as named JSON rows at the top of its spec.

    Layers refer to the rows by name, so that Altair neither copies them with
    every layer nor passes every frame through pandas again on ``to_dict``
    (together most of the time a dashboard update took).
    """

    def __init__(self) -> None:
        self.values: dict[str, list[dict]] = {}

    def add(self, name: str, frame: pd.DataFrame) -> alt.NamedData:
        cols = [str(c) for c in frame.columns]
        self.values[name] = [dict(zip(cols, map(_json_value, row)))
                             for row in frame.itertuples(index=False, name=None)]
        return alt.NamedData(name=name)


def _frame_of(obj) -> pd.DataFrame:
    frame = getattr(obj, "frame", obj)
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"expected a DataFrame or a result with .frame, got {type(obj).__name__}")
    return frame


def _short(text, limit: int = QUOTE_CHARS) -> str:
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _num(x):
    """Return a JSON-safe float (None for missing)."""
    try:
        x = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(x) or math.isinf(x) else x


def _col(frame: pd.DataFrame, name: str, default=None) -> pd.Series:
    if name in frame.columns:
        return frame[name]
    return pd.Series([default] * len(frame), index=frame.index, dtype="object")


def _main_unit(frame: pd.DataFrame) -> str | None:
    units = frame["unit"].dropna() if "unit" in frame.columns else pd.Series([], dtype=object)
    return units.mode().iloc[0] if len(units) else None


def _period_order(frame: pd.DataFrame) -> list[str]:
    """Period codes in time order (by end date, else by code)."""
    periods = frame[["period"]].copy()
    periods["_key"] = pd.to_datetime(_col(frame, "period_end"), errors="coerce")
    periods = periods.drop_duplicates("period")
    periods = periods.sort_values(["_key", "period"], na_position="last")
    return periods["period"].astype(str).tolist()


def _value_title(unit: str | None, lang: str) -> str:
    sym = unit_symbol(unit, lang)
    return f"{t('field.value', lang)} ({sym})" if sym else t("field.value", lang)


def _source_tooltips(lang: str) -> list[alt.Tooltip]:
    return [
        alt.Tooltip("raw:N", title=t("field.raw", lang)),
        alt.Tooltip("quote:N", title=t("field.quote", lang)),
        alt.Tooltip("doc_id:N", title=t("field.doc_id", lang)),
    ]


def _base_records(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Columns every chart's data carries: labels and provenance."""
    out = pd.DataFrame(index=frame.index)
    out["unit_name"] = _col(frame, "unit_name", "").astype(str)
    out["period"] = _col(frame, "period", "").astype(str)
    out["period_label"] = [period_name(p, lang) for p in out["period"]]
    out["indicator_id"] = _col(frame, "indicator_id", "").astype(str)
    out["indicator_label"] = [indicator_name(i, lang) for i in _col(frame, "indicator_id")]
    out["value"] = [_num(v) for v in _col(frame, "value")]
    out["unit"] = _col(frame, "unit", "count").astype(str)
    out["value_label"] = [format_number(v, u, lang) for v, u in zip(out["value"], out["unit"])]
    out["raw"] = [_short(r, 80) for r in _col(frame, "raw", "")]
    out["quote"] = [_short(q) for q in _col(frame, "quote", "")]
    out["doc_id"] = _col(frame, "doc_id", "").astype(str)
    return out


def _unique_labels(labels: pd.Series, extra: pd.Series) -> pd.Series:
    """Row labels made unique: repeated ones get ``extra``, then a number."""
    labels = labels.astype(str).copy()
    dup = labels.duplicated(keep=False)
    labels[dup] = labels[dup] + " · " + extra[dup].astype(str)
    seen: dict[str, int] = {}
    out = []
    for lab in labels:
        seen[lab] = seen.get(lab, 0) + 1
        out.append(lab if seen[lab] == 1 else f"{lab} ({seen[lab]})")
    return pd.Series(out, index=labels.index)


def _empty_chart(message: str, title: str, lang: str):
    """Return a chart that says what is missing instead of drawing empty axes."""
    ds = _Datasets()
    text = alt.Chart(ds.add("rows", pd.DataFrame({"message": [message]}))).mark_text(
        fontSize=15, color="#5D4037", align="left", x=0, y=20).encode(
        text=alt.Text("message:N"))
    return _finish([text], ds, lang,
                   width=_WIDTH, height=40, title=alt.Title(title))


def _finish(layers: list, ds: _Datasets, lang: str, **props) -> alt.LayerChart:
    """Return the layers as one chart with its data, size, title and the house theme.

    Same result as ``alt.layer(...).properties(...)`` then
    :func:`~analysis.theme.apply_theme`, built in one step: each of those steps
    copies the whole chart again.
    """
    return alt.LayerChart(layer=list(layers), datasets=ds.values,
                          config=alt.Config(**theme_config(lang)), **props)


#: Colours of the comparison bars: the unit's own target first (the
#: scorecard's colours), else its rank band among at least MIN_PEERS units.
_COMPARE_COLOURS = {"exceeded": STATUS_COLORS["exceeded"], "met": STATUS_COLORS["met"],
                    "missed": STATUS_COLORS["missed"], "top": "#1565C0", "middle": "#64B5F6",
                    "bottom": "#BBDEFB", "none": "#90A4AE"}


def _colour_label(colour: str, lang: str) -> str:
    if colour in STATUS_COLORS:
        return t(f"status.{colour}", lang)
    return t(f"band.{colour}", lang)


def format_difference(d, unit: str | None, lang: str = DEFAULT_LANG) -> str:
    """Return a difference of two values; of two rates, in percentage points.

    Examples
    --------
    >>> format_difference(6.55, "percent"), format_difference(-1.2, "percent", "en")
    ('+6,55 điểm %', '-1.2 pp')
    >>> format_difference(44, "count")
    '+44'
    """
    if d is None or pd.isna(d):
        return "—"
    sign = "+" if d > 0 else ""
    if unit == "percent":
        return f"{sign}{format_number(d, None, lang)} {t('unit.points', lang)}"
    if unit == "per_mille":
        return f"{sign}{format_number(d, None, lang)} {t('unit.points_mille', lang)}"
    return sign + format_number(d, unit, lang)


def wrap_label(text: str, width: int = 30) -> str:
    r"""Return a label broken into lines of at most ``width`` characters (at spaces).

    The lines are joined by newlines; :func:`_wrapped_axis` draws each line
    (labels wrap, never clip).

    Examples
    --------
    >>> wrap_label("Tỷ lệ tổ dân phố đạt danh hiệu tổ dân phố văn hóa", 24)
    'Tỷ lệ tổ dân phố đạt\ndanh hiệu tổ dân phố văn\nhóa'
    """
    lines = textwrap.wrap(str(text), width=width, break_long_words=True) or [""]
    return "\n".join(lines)


def _wrapped_axis(limit: int = 240, **kwargs) -> alt.Axis:
    """Return an axis whose labels are drawn line by line (see :func:`wrap_label`)."""
    return alt.Axis(labelExpr="split(datum.label, '\\n')", labelLimit=limit, **kwargs)


def _direction(indicator_id) -> str:
    d = indicator_info(str(indicator_id)).get("direction")
    return d if d in ("up", "down", "none") else "none"


@_built_quietly
def chart_compare(frame, lang: str = DEFAULT_LANG, highlight: str | None = None,
                  title: str | None = None, max_units: int | None = None) -> alt.LayerChart:
    """Units compared on one indicator: sorted bars, better/worse coloured.

    Parameters
    ----------
    frame : DataFrame from :func:`analysis.compare.compare_units`
        One row per unit (two if a report states the value twice); columns
        ``unit_name``, ``period``, ``indicator_id``, ``value``, ``unit``, ``raw``,
        ``quote``, ``doc_id`` and, when present, ``rank``, ``diff_from_mean``,
        ``assessment`` (``better``/``worse``) and ``target``.
    lang : ``'vi'`` or ``'en'``
    highlight : unit name drawn with a dark outline (the unit being looked at)
    title : chart title (default: the indicator's name)
    max_units : at most this many bars: with more units, the first and last
        ``max_units // 2`` and the highlighted unit, each labelled with its rank,
        and a subtitle saying so (a city's 600 wards do not read as 600 bars)

    Bars are sorted best first (by ``rank`` when given, else by value); a dashed
    rule marks the mean of the units compared (all of them, shown or not), a
    solid one the target where the reports state one.

    Examples
    --------
    >>> frame = pd.DataFrame({
    ...     "unit_name": ["Thạch Bàn", "Cự Khối"], "period": ["2021-H1", "2018-FY"],
    ...     "indicator_id": ["cultural_family_rate"] * 2, "value": [97.95, 91.4],
    ...     "unit": ["percent"] * 2, "raw": ["97,95%", "91,4%"],
    ...     "quote": ["đạt 97,95%", "đạt tỷ lệ 91,4%"], "doc_id": ["a", "b"],
    ...     "start": [0, 0], "end": [6, 6], "rank": [1, 2],
    ...     "diff_from_mean": [3.275, -3.275], "assessment": ["better", "worse"]})
    >>> sorted(r["value_label"] for r in chart_records(chart_compare(frame)))
    ['91,4%', '97,95%']

    Six hundred units, at most ten bars: the first five, the last five and the unit chosen:

    >>> many = pd.DataFrame({"unit_name": [f"Phường {i}" for i in range(1, 601)],
    ...     "period": "2021-H1", "indicator_id": "cultural_family_rate",
    ...     "value": [99.0 - i / 10 for i in range(600)], "unit": "percent", "raw": "",
    ...     "quote": "", "doc_id": "a", "start": 0, "end": 1, "rank": range(1, 601)})
    >>> rows = chart_records(chart_compare(many, highlight="Phường 300", max_units=10))
    >>> [r["row_label"] for r in rows][:6], len(rows)
    (['1. Phường 1', '2. Phường 2', '3. Phường 3', '4. Phường 4', '5. Phường 5', '300. Phường 300'], 11)
    """
    lang = check_lang(lang)
    ds = _Datasets()
    frame = _frame_of(frame)
    if frame.empty:
        return _empty_chart(t("empty.no_compare", lang), title or t("section.compare", lang), lang)
    unit = _main_unit(frame)
    ind = frame["indicator_id"].dropna().iloc[0] if len(frame) and "indicator_id" in frame else None
    values = pd.to_numeric(frame["value"], errors="coerce")   # the mean is of every unit compared
    periods = frame["period"].unique()
    rank = pd.to_numeric(_col(frame, "rank"), errors="coerce")
    if rank.notna().any():
        order_key = rank.fillna(rank.max() + 1)
    else:
        sign = 1 if _direction(ind) == "down" else -1
        order_key = sign * values
    shortlist = None
    if max_units is not None and len(frame) > max_units:
        k = max(1, max_units // 2)
        ordered = order_key.sort_values(kind="stable").index
        place = pd.Series(range(1, len(frame) + 1), index=ordered)
        keep = (place <= k) | (place > len(frame) - k)
        keep |= (frame["unit_name"] == (highlight or "")).reindex(keep.index)
        frame, order_key = frame.loc[keep[keep].index], order_key.loc[keep[keep].index]
        place = rank.loc[frame.index].where(rank.loc[frame.index].notna(), place.loc[frame.index])
        shortlist = t("chart.shortlist", lang, shown=len(frame), k=k,
                      total=format_number(len(keep), None, lang))
    data = _base_records(frame, lang)
    labels = _col(frame, "row_unit").fillna(data["unit_name"]).astype(str) \
        if "row_unit" in frame.columns else data["unit_name"].copy()
    if len(periods) > 1:
        labels = labels + " · " + data["period_label"]
    if shortlist:
        labels = pd.Series([f"{int(p)}. {x}" for p, x in zip(place, labels)], index=labels.index)
    data["row_label"] = [wrap_label(x) for x in _unique_labels(labels, data["raw"])]
    data["_order"] = order_key.values
    data = data.sort_values(["_order", "row_label"])
    order = data["row_label"].tolist()

    colour = _col(frame, "colour").reindex(data.index)
    if colour.isna().all():      # a frame without compare_units' colour column
        colour = pd.Series(["none"] * len(data), index=data.index)
    data["colour"] = [c if c in _COMPARE_COLOURS else "none" for c in colour]
    data["colour_label"] = [_colour_label(c, lang) for c in data["colour"]]
    diff = pd.to_numeric(_col(frame, "diff_from_mean"), errors="coerce").reindex(data.index)
    data["diff_label"] = [format_difference(d, unit, lang) for d in diff]
    data["rank"] = [_num(r) for r in rank.reindex(data.index)]
    target = pd.to_numeric(_col(frame, "target"), errors="coerce").reindex(data.index)
    data["target"] = [_num(x) for x in target]
    data["target_label"] = [format_number(x, unit, lang) if pd.notna(x) else "—" for x in target]
    key_col = "unit_key" if "unit_key" in frame.columns else "unit_name"
    data["is_selected"] = (_col(frame, key_col).reindex(data.index) == (highlight or "")).tolist()
    present = [c for c in _COMPARE_COLOURS if c in set(data["colour"])]
    color = alt.Color(
        "colour_label:N", title=t("field.colour", lang),
        scale=alt.Scale(domain=[_colour_label(c, lang) for c in present],
                        range=[_COMPARE_COLOURS[c] for c in present]),
        legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=400),
    )
    x = alt.X("value:Q", title=_value_title(unit, lang), stack=None,
              axis=alt.Axis(format=axis_format(unit)), scale=alt.Scale(zero=True))
    y = alt.Y("row_label:N", sort=order, title=None, axis=_wrapped_axis(220))
    tooltip = [
        alt.Tooltip("unit_name:N", title=t("field.unit_name", lang)),
        alt.Tooltip("period_label:N", title=t("field.period", lang)),
        alt.Tooltip("value_label:N", title=t("field.value", lang)),
        *_source_tooltips(lang),
        alt.Tooltip("rank:Q", title=t("field.rank", lang), format="d"),
        alt.Tooltip("diff_label:N", title=t("field.diff_from_mean", lang)),
        alt.Tooltip("colour_label:N", title=t("field.colour", lang)),
    ]
    if target.notna().any():
        tooltip.append(alt.Tooltip("target_label:N", title=t("field.target", lang)))
    data = data.drop(columns=["_order"])
    base = alt.Chart(ds.add("rows", data))
    bars = base.mark_bar(cornerRadiusEnd=2, height={"band": 0.7}).encode(
        x=x, y=y, color=color, tooltip=tooltip,
        stroke=alt.Stroke("is_selected:N", legend=None,
                          scale=alt.Scale(domain=[True, False], range=["#111111", "transparent"])),
        strokeWidth=alt.StrokeWidth("is_selected:N", legend=None,
                                    scale=alt.Scale(domain=[True, False], range=[2.5, 0])),
    )
    text = base.mark_text(align="left", dx=4, fontSize=14, color="#263238").encode(
        x=alt.X("value:Q"), y=alt.Y("row_label:N", sort=order), text=alt.Text("value_label:N"),
        tooltip=tooltip)
    layers = [bars, text]

    if len(values.dropna()) >= MIN_PEERS:
        mean = float(values.mean())
        mean_df = pd.DataFrame({"value": [mean], "label": [
            f"{t('chart.mean', lang)}: {format_number(mean, unit, lang)}"]})
        mbase = alt.Chart(ds.add("mean", mean_df))
        layers.append(mbase.mark_rule(strokeDash=[4, 4], color=NEUTRAL).encode(
            x=alt.X("value:Q"), tooltip=alt.Tooltip("label:N", title=t("chart.mean", lang))))
        layers.append(mbase.mark_text(align="left", dx=4, dy=-6, fontSize=12, y="height",
                                      color=NEUTRAL, baseline="bottom").encode(
            x=alt.X("value:Q"), text=alt.Text("label:N")))
    targets = target.dropna().unique()
    kinds = set(_col(frame, "kind").dropna())
    if not len(targets) and kinds == {"target_achievement"}:
        targets = [100.0]  # a result as % of its plan: the plan is 100%
    if len(targets) == 1:
        tgt_df = pd.DataFrame({"value": [float(targets[0])], "label": [
            f"{t('chart.target', lang)}: {format_number(targets[0], unit, lang)}"]})
        tbase = alt.Chart(ds.add("target", tgt_df))
        layers.append(tbase.mark_rule(color=TARGET_COLOR, strokeWidth=2).encode(
            x=alt.X("value:Q"), tooltip=alt.Tooltip("label:N", title=t("field.target", lang))))
        layers.append(tbase.mark_text(align="left", dx=4, dy=-6, fontSize=12, y=0,
                                      color=TARGET_COLOR).encode(x=alt.X("value:Q"), text=alt.Text("label:N")))
    elif len(targets) > 1:
        layers.append(base.transform_filter("isValid(datum.target)").mark_tick(
            color=TARGET_COLOR, thickness=3, size=_BAR * 0.9).encode(
            x=alt.X("target:Q"), y=alt.Y("row_label:N", sort=order), tooltip=tooltip))

    if title is None:
        title = indicator_name(ind, lang) if ind else t("section.compare", lang)
    sub = t("title.compare_sub", lang, period=(period_name(periods[0], lang) if len(periods) == 1
                                               else t("chart.latest", lang)))
    if shortlist:
        sub = [sub, shortlist]
    row = max(_BAR, 17 * max((x.count("\n") + 1 for x in order), default=1) + 10)
    return _finish([*layers], ds, lang,
                   width=_WIDTH - 160, height=max(60, row * len(order)),
        title=alt.Title(title, subtitle=sub))


def trend_statement(result, lang: str = DEFAULT_LANG) -> str:
    """One sentence on a unit's series: too few points, or the robust slope.

    The sentence of :func:`analysis.compare.trend` (a :class:`~analysis.compare.Trend`
    carries it), or for a bare frame :func:`analysis.compare.trend_sentence`:
    one rule for how many periods a trend needs
    (:data:`analysis.compare.MIN_TREND_POINTS`).

    Examples
    --------
    >>> frame = pd.DataFrame({"period": ["2021-H1"], "value": [97.95], "unit": ["percent"]})
    >>> trend_statement(frame)
    'Mới có số liệu của một kỳ (6 tháng đầu năm 2021: 97,95%); cần ít nhất 3 kỳ để tính xu hướng.'
    """
    lang = check_lang(lang)
    stated = getattr(result, "statement", "")
    if stated:
        return stated
    frame = _frame_of(result)
    if frame.empty:
        return ""
    if "period_end" in frame:
        frame = frame.sort_values("period_end", kind="stable")
    slope = _num(getattr(result, "slope", None))
    if slope is not None:
        return t("trend.slope", lang, slope=format_number(slope, _main_unit(frame), lang))
    return trend_sentence(frame, lang, getattr(result, "min_points", MIN_TREND_POINTS))


@_built_quietly
def chart_trend(result, lang: str = DEFAULT_LANG, title: str | None = None) -> alt.LayerChart:
    """One unit's indicator across periods: points joined by a line.

    Periods are labelled as the reports say them ("6 tháng đầu năm 2021",
    "Năm 2018") and placed in time order. The subtitle says whether there are
    enough periods for a trend and, if so, the robust (Theil–Sen) slope.

    Parameters
    ----------
    result : the result of :func:`analysis.compare.trend` (with ``.frame`` and
        ``.slope``) or its frame.
    lang : ``'vi'`` or ``'en'``

    Examples
    --------
    >>> frame = pd.DataFrame({
    ...     "unit_name": ["Cự Khối", "Cự Khối"], "period": ["2017-FY", "2018-FY"],
    ...     "period_end": pd.to_datetime(["2017-12-31", "2018-12-31"]),
    ...     "indicator_id": ["cultural_family_rate"] * 2, "value": [90.2, 91.4],
    ...     "unit": ["percent"] * 2, "raw": ["90,2%", "91,4%"],
    ...     "quote": ["đạt 90,2%", "đạt tỷ lệ 91,4%"], "doc_id": ["a", "b"],
    ...     "start": [0, 0], "end": [5, 5]})
    >>> spec = chart_trend(frame).to_dict()
    >>> spec["layer"][0]["encoding"]["x"]["sort"]
    ['Năm 2017', 'Năm 2018']
    """
    lang = check_lang(lang)
    ds = _Datasets()
    frame = _frame_of(result)
    if frame.empty:
        return _empty_chart(getattr(result, "statement", "") or "—",
                            title or t("section.trend", lang), lang)
    data = _base_records(frame, lang)
    data["era"] = _col(frame, "era").fillna("before").astype(str).values
    unit = _main_unit(frame)
    order = [period_name(p, lang) for p in _period_order(frame)] if len(frame) else []
    ind = frame["indicator_id"].dropna().iloc[0] if len(frame) and "indicator_id" in frame else None
    units = data["unit_name"].unique()
    tooltip = [
        alt.Tooltip("unit_name:N", title=t("field.unit_name", lang)),
        alt.Tooltip("period_label:N", title=t("field.period", lang)),
        alt.Tooltip("value_label:N", title=t("field.value", lang)),
        *_source_tooltips(lang),
    ]
    x = alt.X("period_label:N", sort=order, title=t("field.period", lang),
              axis=alt.Axis(labelAngle=0, labelLimit=180))
    y = alt.Y("value:Q", title=_value_title(unit, lang),
              axis=alt.Axis(format=axis_format(unit)), scale=alt.Scale(zero=False, nice=True))
    base = alt.Chart(ds.add("rows", data))
    points = base.mark_point(filled=True, size=110, color="#0072B2").encode(
        x=x, y=y, tooltip=tooltip)
    labels = base.mark_text(dy=-14, fontSize=14, color="#263238").encode(
        x=alt.X("period_label:N", sort=order), y=alt.Y("value:Q"), text=alt.Text("value_label:N"),
        tooltip=tooltip)
    layers = [points, labels]
    eras = _col(frame, "era").dropna().unique()
    if len(order) >= 2:
        # a series that crosses the 2025 reform is two lines, never one
        line = base.mark_line(color="#0072B2", strokeWidth=2).encode(
            x=alt.X("period_label:N", sort=order), y=alt.Y("mean(value):Q"),
            detail=alt.Detail("era:N"))
        layers.insert(0, line)
    if title is None:
        title = t("title.trend", lang, indicator=indicator_name(ind, lang) if ind else "",
                  unit=", ".join(units))
    return _finish([*layers], ds, lang,
                   width=max(260, min(_WIDTH, 130 * max(1, len(order)))),
                   height=220 if len(order) > 1 else 120,
        title=alt.Title(title, subtitle=(getattr(result, "statement", "") if len(eras) > 1
                                         else trend_statement(result, lang)) or None))


def _progress(row) -> float | None:
    """Return the result as a percentage of target, direction-aware (above 100 is good)."""
    ach = _num(row.get("achievement_pct"))
    if ach is not None:
        return ach
    value, target = _num(row.get("value")), _num(row.get("target"))
    if row.get("kind") == "target_achievement" and value is not None:
        return value
    if value is None or target is None:
        return None
    if _direction(row.get("indicator_id")) == "down":
        return target / value * 100 if value > 0 else None
    return value / target * 100 if target > 0 else None


@_built_quietly
def chart_scorecard(frame, lang: str = DEFAULT_LANG, title: str | None = None) -> alt.LayerChart:
    """Return a unit's targets for one period: how far each result went, and its class.

    Each row is a target the report states. Where the figures allow, a bar
    shows the result as a percentage of the target (the line at 100% is the
    target; for indicators where lower is better, such as stunting, the ratio is
    turned round so that past the line is still good). Where only the report's
    own words classify the result ("vượt kế hoạch"), a square sits on the line.
    The colour is the class: exceeded, met or missed.

    Parameters
    ----------
    frame : DataFrame from :func:`analysis.compare.scorecard` (columns of the
        comparison frames plus ``target``, ``status`` and, when present,
        ``target_id``, ``achievement_pct``, ``basis``, ``note``).

    Examples
    --------
    >>> frame = pd.DataFrame({
    ...     "unit_name": ["Cự Khối"] * 3, "period": ["2018-FY"] * 3,
    ...     "indicator_id": ["land_certificates_issued", "budget_revenue_target_achievement",
    ...                      "cultural_family_rate"],
    ...     "value": [28.0, 120.0, 91.0], "unit": ["count", "percent", "percent"],
    ...     "kind": ["fraction", "target_achievement", "rate"], "target": [20.0, None, None],
    ...     "status": ["exceeded", "exceeded", "exceeded"], "raw": ["28/20", "120%", "91%"],
    ...     "basis": ["target", "achievement", "stated"],
    ...     "quote": ["cấp được 28/20 giấy chứng nhận", "đạt 120% kế hoạch năm",
    ...               "tỷ lệ 'Gia đình văn hóa'(91% - vượt 3%"],
    ...     "doc_id": ["cu-khoi-2018-fy"] * 3, "start": [0, 0, 0], "end": [5, 4, 3]})
    >>> [(r["raw"], r["progress"]) for r in chart_records(chart_scorecard(frame))]
    [('28/20', 140.0), ('120%', 120.0), ('91%', None)]
    """
    lang = check_lang(lang)
    ds = _Datasets()
    frame = _frame_of(frame)
    if frame.empty:
        return _empty_chart(t("empty.no_targets", lang), title or t("section.scorecard", lang), lang)
    data = _base_records(frame, lang)
    if "target_id" in frame.columns:  # the target a figure answers (28/20 → its % of plan)
        ids = frame["target_id"].where(frame["target_id"].notna(), frame["indicator_id"])
        data["indicator_label"] = [indicator_name(i, lang) for i in ids]
    progress = [_progress(r) for r in frame.to_dict("records")]
    data["progress"] = progress
    data["has_bar"] = [p is not None for p in progress]
    data["progress_label"] = [format_number(p, "percent", lang) if p is not None else "—"
                              for p in progress]
    basis = list(_col(frame, "basis"))
    status = [s if s in STATUS_COLORS or s == "progress" else ("plan" if b == "plan" else "unknown")
              for s, b in zip(_col(frame, "status"), basis)]
    data["status"] = status
    data["status_label"] = [t(f"status.{s}", lang) for s in status]
    target = pd.to_numeric(_col(frame, "target"), errors="coerce")
    data["target_label"] = [format_number(x, u, lang) if pd.notna(x) else "—"
                            for x, u in zip(target, data["unit"])]
    data["bar"] = [p if p is not None else 100.0 for p in progress]
    stated = t("scorecard.stated", lang)
    # The figure as written and how it compares: against its target where the
    # report states one ("6,1 (chỉ tiêu 6,3%)"), else, where it is not itself a
    # percentage of the plan, how far it went ("28/20 (140%)").
    texts = []
    nums = pd.to_numeric(_col(frame, "numerator"), errors="coerce")
    dens = pd.to_numeric(_col(frame, "denominator"), errors="coerce")
    for v, u, n, d, pl, lab, has, b, tl in zip(
            data["value_label"], data["unit"], nums, dens, data["progress_label"],
            data["status_label"], data["has_bar"], basis, data["target_label"]):
        # the figure in the reader's number format, with its unit ("6,1%", "6.1%")
        if pd.notna(n) and pd.notna(d) and u != "percent":
            v = f"{format_number(n, None, lang)}/{format_number(d, None, lang)}"
        if b == "target" and tl != "—":
            shown = f"{v} ({t('scorecard.target', lang, target=tl)})"
        elif has and u != "percent":
            shown = f"{v} ({pl})"
        else:
            shown = v
        texts.append(f"{shown}  ·  {lab}" + ("" if has else f" ({stated})"))
    data["text"] = texts
    data["note"] = [_short(n, 160) for n in _col(frame, "note", "")]
    data["row_label"] = [wrap_label(x, 34) for x in _unique_labels(data["indicator_label"], data["raw"])]
    rank = {"exceeded": 0, "met": 1, "progress": 2, "missed": 3, "plan": 4, "unknown": 5}
    data["_o"] = [(rank[s], p is None, -(p or 0)) for s, p in zip(status, progress)]
    data = data.sort_values("_o", kind="stable").drop(columns=["_o"])
    order = data["row_label"].tolist()
    present = [s for s in rank if s in set(status)]
    colors = {**STATUS_COLORS, "progress": PROGRESS_COLOR, "plan": NEUTRAL, "unknown": "#90A4AE"}
    color = alt.Color("status_label:N", title=t("field.status", lang),
                      scale=alt.Scale(domain=[t(f"status.{s}", lang) for s in present],
                                      range=[colors[s] for s in present]))
    tooltip = [
        alt.Tooltip("indicator_label:N", title=t("field.indicator", lang)),
        alt.Tooltip("value_label:N", title=t("field.value", lang)),
        alt.Tooltip("target_label:N", title=t("field.target", lang)),
        alt.Tooltip("progress_label:N", title=t("field.progress", lang)),
        alt.Tooltip("status_label:N", title=t("field.status", lang)),
        *_source_tooltips(lang),
        alt.Tooltip("note:N", title=t("field.detail", lang)),
    ]
    y = alt.Y("row_label:N", sort=order, title=None, axis=_wrapped_axis(260))
    x = alt.X("bar:Q", title=t("field.progress", lang), stack=None,
              axis=alt.Axis(format=",.0f"), scale=alt.Scale(zero=True))
    base = alt.Chart(ds.add("rows", data))
    bars = base.transform_filter("datum.has_bar").mark_bar(
        cornerRadiusEnd=2, height={"band": 0.7}).encode(x=x, y=y, color=color, tooltip=tooltip)
    marks = base.transform_filter("!datum.has_bar").mark_square(size=170, opacity=0.9).encode(
        x=x, y=y, color=color, tooltip=tooltip)
    text = base.mark_text(align="left", dx=9, fontSize=14, color="#263238").encode(
        x=alt.X("bar:Q"), y=alt.Y("row_label:N", sort=order), text=alt.Text("text:N"),
        tooltip=tooltip)
    full = alt.Chart(ds.add("full", pd.DataFrame({"bar": [100.0], "label": [t("chart.full_target", lang)]})))
    rule = full.mark_rule(color=TARGET_COLOR, strokeWidth=2).encode(
        x=alt.X("bar:Q"), tooltip=alt.Tooltip("label:N", title=t("chart.target", lang)))
    unit_name = data["unit_name"].iloc[0] if len(data) else ""
    period = data["period"].iloc[0] if len(data) else ""
    if title is None:
        title = t("title.scorecard", lang, unit=unit_name, period=period_name(period, lang))
    row = max(_BAR, 17 * max((x.count("\n") + 1 for x in order), default=1) + 10)
    return _finish([bars, marks, rule, text], ds, lang,
                   width=_WIDTH - 160, height=max(60, row * len(order)),
        title=alt.Title(title, subtitle=t("title.scorecard_sub", lang)))


@_built_quietly
def chart_coverage(reports: pd.DataFrame, facts: pd.DataFrame | None = None,
                   lang: str = DEFAULT_LANG) -> alt.LayerChart:
    """Which units have which periods, and how many figures each report gave.

    Parameters
    ----------
    reports : the processed ``reports`` table (or any frame with ``doc_id``,
        ``unit_name``, ``period`` and, if known, ``period_end``, ``doc_kind``,
        ``title``, ``published``)
    facts : the processed ``facts`` (or ``observations``) table, counted per
        ``doc_id``; without it the cells show no count.

    Examples
    --------
    >>> reports = pd.DataFrame({"doc_id": ["thach-ban-2021-h1"], "unit_name": ["Thạch Bàn"],
    ...     "period": ["2021-H1"], "title": ["Phường Thạch Bàn: kết quả 6 tháng đầu năm 2021"]})
    >>> facts = pd.DataFrame({"doc_id": ["thach-ban-2021-h1"] * 3})
    >>> chart_records(chart_coverage(reports, facts))[0]["n_facts"]
    3
    """
    lang = check_lang(lang)
    ds = _Datasets()
    reports = _frame_of(reports)
    if reports.empty:
        return _empty_chart(t("empty.no_data", lang), t("title.coverage", lang), lang)
    counts = (facts.groupby("doc_id").size() if facts is not None and len(facts)
              else pd.Series(dtype="int64"))
    data = pd.DataFrame({
        "doc_id": reports["doc_id"].astype(str),
        "unit_name": _col(reports, "unit_name", "—").fillna("—").astype(str),
        "period": _col(reports, "period", "—").fillna("—").astype(str),
    })
    data["period_label"] = [period_name(p, lang) for p in data["period"]]
    data["n_facts"] = [int(counts.get(d, 0)) for d in data["doc_id"]]
    top = max(data["n_facts"].max(), 1) if len(data) else 1
    data["dark"] = data["n_facts"] > top * 0.5
    data["raw"] = [_short(x, 140) for x in _col(reports, "title", "")]
    data["quote"] = data["raw"]
    kinds = _col(reports, "doc_kind")
    data["kind_label"] = [t(f"kind.{k}", lang) if k in ("results", "plan") else "—" for k in kinds]
    levels = _col(reports, "unit_level")
    data["level_label"] = [t(f"level.{v}", lang) if f"level.{v}" in LABELS else "—" for v in levels]
    pub = pd.to_datetime(_col(reports, "published"), errors="coerce")
    data["published"] = [d.strftime("%d/%m/%Y") if pd.notna(d) else "—" for d in pub]
    order_periods = [period_name(p, lang) for p in _period_order(reports)] if len(reports) else []
    data = data.sort_values(["unit_name", "period"])
    tooltip = [
        alt.Tooltip("unit_name:N", title=t("field.unit_name", lang)),
        alt.Tooltip("level_label:N", title=t("field.unit_level", lang)),
        alt.Tooltip("period_label:N", title=t("field.period", lang)),
        alt.Tooltip("kind_label:N", title=t("field.doc_kind", lang)),
        alt.Tooltip("n_facts:Q", title=t("field.n_facts", lang), format=",d"),
        alt.Tooltip("raw:N", title=t("field.raw", lang)),
        alt.Tooltip("doc_id:N", title=t("field.doc_id", lang)),
        alt.Tooltip("published:N", title="📅"),
    ]
    x = alt.X("period_label:N", sort=order_periods, title=t("field.period", lang),
              axis=alt.Axis(labelAngle=-30, labelLimit=200, orient="top"))
    y = alt.Y("unit_name:N", title=t("field.unit_name", lang), sort="ascending")
    base = alt.Chart(ds.add("rows", data))
    cells = base.mark_rect(cornerRadius=3, stroke="white", strokeWidth=2).encode(
        x=x, y=y, tooltip=tooltip,
        color=alt.Color("n_facts:Q", title=t("field.n_facts", lang),
                        scale=alt.Scale(scheme="blues", domainMin=0),
                        legend=alt.Legend(format=",d")))
    text = base.mark_text(fontSize=14, fontWeight="bold").encode(
        x=alt.X("period_label:N", sort=order_periods), y=alt.Y("unit_name:N"),
        text=alt.Text("n_facts:Q", format=",d"), tooltip=tooltip,
        color=alt.Color("dark:N", legend=None,
                        scale=alt.Scale(domain=[True, False], range=["white", "#263238"])))
    return _finish([cells, text], ds, lang,
                   width=max(200, 110 * max(1, len(order_periods))),
        height=max(60, 34 * data["unit_name"].nunique()),
        title=alt.Title(t("title.coverage", lang), subtitle=t("title.coverage_sub", lang)))


_AUDIT_OK = {"ok"}


@_built_quietly
def chart_audit(checks, lang: str = DEFAULT_LANG, only_failures: bool = False) -> alt.LayerChart:
    """Return the consistency audit: each check a row, what does not add up first.

    Parameters
    ----------
    checks : DataFrame from :func:`analysis.reconcile.audit` (its ``checks``);
        columns ``status`` and ``quote`` and, when present, ``check`` (what was
        checked), ``unit_name``, ``period``, ``raw``, ``detail``, ``doc_id``.
    only_failures : leave out the checks that add up.

    Examples
    --------
    >>> checks = pd.DataFrame({
    ...     "unit_name": ["Thạch Bàn", "Cự Khối"], "check": ["fraction_percent", "conflict"],
    ...     "status": ["ok", "conflict"], "raw": ["5209/5318", "84,6%"],
    ...     "quote": ["5209/5318 hộ ... đạt 97,95%", "tổ dân phố văn hóa (84,6%"],
    ...     "doc_id": ["thach-ban-2021-h1", "cu-khoi-2018-fy"]})
    >>> [r["status_label"] for r in chart_records(chart_audit(checks))]
    ['Nêu hai giá trị khác nhau', 'Khớp']
    """
    lang = check_lang(lang)
    ds = _Datasets()
    frame = getattr(checks, "checks", checks)
    frame = _frame_of(frame)
    if only_failures and "status" in frame.columns:
        frame = frame[~frame["status"].astype(str).str.lower().isin(_AUDIT_OK)]
    if frame.empty:
        return _empty_chart(t("empty.audit_clean", lang), t("title.audit", lang), lang)
    data = pd.DataFrame(index=frame.index)
    data["unit_name"] = _col(frame, "unit_name", "").fillna("").astype(str)
    data["period_label"] = [period_name(p, lang) if p else "—" for p in _col(frame, "period", "")]
    data["check"] = [t(f"check.{c}", lang) if f"check.{c}" in LABELS else str(c or "")
                     for c in _col(frame, "check", "")]
    status = _col(frame, "status", "").fillna("").astype(str).str.lower()
    data["is_ok"] = [s in _AUDIT_OK for s in status]
    data["status_label"] = [t(f"audit.{s}", lang) if f"audit.{s}" in LABELS else s
                            for s in status]
    data["raw"] = [_short(r, 80) for r in _col(frame, "raw", "")]
    data["quote"] = [_short(q) for q in _col(frame, "quote", "")]
    detail_col = next((c for c in ("detail", "message", "note", "expected") if c in frame.columns), None)
    data["detail"] = [_short(d, 160) for d in (frame[detail_col] if detail_col else _col(frame, "x", ""))]
    data["doc_id"] = _col(frame, "doc_id", "").astype(str)
    data = data.assign(_o=data["is_ok"].astype(int)).sort_values(["_o", "unit_name"]).drop(columns="_o")
    data["row_label"] = [
        f"{i + 1}. {u}: {_short(q, 70)}" if u else f"{i + 1}. {_short(q, 70)}"
        for i, (u, q) in enumerate(zip(data["unit_name"], data["quote"]))]
    order = data["row_label"].tolist()
    labels = list(dict.fromkeys(data["status_label"]))
    palette = {lab: ("#1B7F3B" if ok else "#C62828")
               for lab, ok in zip(data["status_label"], data["is_ok"])}
    tooltip = [
        alt.Tooltip("unit_name:N", title=t("field.unit_name", lang)),
        alt.Tooltip("period_label:N", title=t("field.period", lang)),
        alt.Tooltip("check:N", title=t("field.check", lang)),
        alt.Tooltip("status_label:N", title=t("field.status", lang)),
        alt.Tooltip("detail:N", title=t("field.detail", lang)),
        *_source_tooltips(lang),
    ]
    base = alt.Chart(ds.add("rows", data))
    marks = base.mark_square(size=180).encode(
        x=alt.X("status_label:N", title=None, sort=labels,
                axis=alt.Axis(orient="top", labelAngle=0, labelLimit=200)),
        y=alt.Y("row_label:N", sort=order, title=None, axis=alt.Axis(labelLimit=520)),
        color=alt.Color("status_label:N", title=t("field.status", lang), legend=None,
                        scale=alt.Scale(domain=labels, range=[palette[lab] for lab in labels])),
        tooltip=tooltip)
    text = base.mark_text(align="left", dx=12, fontSize=12, color="#263238").encode(
        x=alt.X("status_label:N", sort=labels), y=alt.Y("row_label:N", sort=order),
        text=alt.Text("raw:N"), tooltip=tooltip)
    return _finish([marks, text], ds, lang,
                   width=max(160, 150 * max(1, len(labels))), height=max(40, 26 * len(order)),
        title=alt.Title(t("title.audit", lang), subtitle=t("title.audit_sub", lang)))
