"""The leaders' app as HTML: summaries, sources, the report reader, the figures table.

Pure functions of frames and dicts that return HTML strings, shared by the live
app (:mod:`analysis.app.widgets`), the period reports and the review app.
Report text is always escaped (:func:`escape_text`) before it reaches a page;
every label comes from :mod:`analysis.i18n`, every number from
:func:`analysis.theme.format_number`.
"""
from __future__ import annotations

import functools
import html
import re

import pandas as pd

from ..i18n import indicator_name, period_name, t
from ..rules import read_rules
from ..theme import DEFAULT_LANG, PROGRESS_COLOR, STATUS_COLORS, check_lang, format_number

__all__ = ["BADGE_COLORS", "unit_label", "summary_html", "escape_text", "as_text", "sentence_offset",
           "figure_span", "anchor_id", "source_html", "reader_html", "render_facts_table",
           "APP_CSS", "Preview"]
#: Colour of each result's badge and count: against a target of the same period
#: (exceeded, met, missed), or progress toward a plan for a longer period.
BADGE_COLORS = {**STATUS_COLORS, "progress": PROGRESS_COLOR}


def unit_label(unit: str, level: str | None, lang: str = DEFAULT_LANG,
               parent: str | None = None) -> str:
    """Return a unit named as readers say it: 'Phường Cự Khối', 'Cự Khối (ward)'.

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
    """Return the head of a unit's results: its report, then targets exceeded/met/missed.

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
    counts = {s: 0 for s in BADGE_COLORS}
    if card is not None and len(card) and "status" in card.columns:
        for s, n in card["status"].value_counts().items():
            if s in counts:
                counts[s] = int(n)
    progress = counts.pop("progress")
    cards = "".join(
        f'<div class="ad-card" style="background:{BADGE_COLORS[s]}"><b>{counts[s]}</b>'
        f"{escape_text(t('status.' + s, lang))}</div>" for s in STATUS_COLORS)
    text = t("summary.counts", lang, n_obs=n_obs, n_targets=sum(counts.values()), **counts)
    if progress:   # a half-year toward the year's plan: shown apart, never as missed
        cards += (f'<div class="ad-card" style="background:{PROGRESS_COLOR}"><b>{progress}</b>'
                  f"{escape_text(t('status.progress', lang))}</div>")
        text += ". " + t("summary.progress", lang, n=progress)
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


def as_text(x) -> str:
    """Return ``x`` as text: ``""`` for None, NA and NaN.

    Examples
    --------
    >>> as_text(None), as_text(float("nan")), as_text(12)
    ('', '', '12')
    """
    return "" if x is None or x is pd.NA or (isinstance(x, float) and x != x) else str(x)


@functools.lru_cache(maxsize=1)
def _qualifier_phrases() -> dict[str, list[tuple[str, str]]]:
    """Qualifier phrases of the rules table by qualifier: ``[(phrase, scope), ...]``, longest first."""
    out: dict[str, list[tuple[str, str]]] = {}
    for row in read_rules("qualifiers", ["phrase", "qualifier", "scope"]):
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
    """Return the whole sentence of a figure and the span to highlight in it.

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
    sentence = as_text(row.get("sentence")) or as_text(row.get("quote"))
    quote, raw = as_text(row.get("quote")), as_text(row.get("raw"))
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
    qual = as_text(row.get("qualifier"))
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
    """Return the quote escaped, with the number as the report wrote it marked."""
    quote, raw = as_text(quote), as_text(raw)
    i = quote.find(raw) if raw else -1
    if i < 0:
        return escape_text(quote)
    return (escape_text(quote[:i]) + "<mark>" + escape_text(raw) + "</mark>"
            + escape_text(quote[i + len(raw):]))


def anchor_id(doc_id, start) -> str:
    """Return the id of a figure's sentence in the report reader.

    Examples
    --------
    >>> anchor_id("cu-khoi-2018-fy", 4521)
    'at-cu-khoi-2018-fy-4521'
    """
    doc = re.sub(r"[^A-Za-z0-9_-]", "-", as_text(doc_id))
    try:
        return f"at-{doc}-{int(start)}"
    except (TypeError, ValueError):
        return f"at-{doc}"


def _date(x) -> str:
    d = pd.to_datetime(x, errors="coerce")
    return d.strftime("%d/%m/%Y") if pd.notna(d) else "—"


def source_html(row: dict, meta: dict | None = None, text: str | None = None,
                lang: str = DEFAULT_LANG, link: bool = True) -> str:
    """Return a figure's source: the whole sentence with the figure marked, the report and a link.

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
    title = as_text(m.get("title")) or as_text(row.get("doc_id"))
    ref = escape_text(t("source.report", lang, title=title, published=_date(m.get("published"))))
    opener = (f' · <a class="ad-open" href="#{anchor_id(row.get("doc_id"), row.get("start"))}">'
              f'{escape_text(t("source.open", lang))}</a>') if link else ""
    return (f'<div class="ad-sent">{body}</div>'
            f'<div class="ad-ref">{ref}{opener}</div>')


#: an excerpt shows a figure's paragraph whole up to this many characters, else the sentence
#: and about half this around it
EXCERPT_CHARS = 900


def _excerpt_windows(text: str, spans: list[list]) -> list[list[int]]:
    """Return the stretches of ``text`` an excerpt shows: each marked sentence's paragraph, merged.

    A paragraph longer than :data:`EXCERPT_CHARS` is cut to its sentence and
    the whole sentences around it (at spaces where no sentence ends near).
    """
    half = EXCERPT_CHARS // 2
    wins: list[list[int]] = []
    for ss, se, _ in spans:
        lo = text.rfind("\n", 0, ss) + 1
        hi = text.find("\n", se)
        hi = len(text) if hi < 0 else hi
        if ss - lo > half:     # from the first sentence (else word) that starts within half
            cut, space = text.find(". ", ss - half, ss), text.find(" ", ss - half, ss)
            lo = cut + 2 if cut >= 0 else (space + 1 if space >= 0 else ss)
        if hi - se > half:     # to the last sentence (else word) that ends within half
            cut, space = text.rfind(". ", se, se + half), text.rfind(" ", se, se + half)
            hi = cut + 1 if cut >= 0 else (space if space >= 0 else se)
        if wins and lo <= wins[-1][1]:
            wins[-1][1] = max(wins[-1][1], hi)
        else:
            wins.append([lo, hi])
    return wins


def reader_html(doc_id: str, text: str, meta: dict | None, figures, lang: str = DEFAULT_LANG,
                excerpt: bool = False) -> str:
    r"""Return the report's text, each figure's sentence an anchor a source link opens.

    ``figures`` are rows with ``start``, ``end`` and ``sentence``. The text is
    escaped; a sentence reached by a link is highlighted (CSS ``:target``).
    With ``excerpt``, only the paragraphs that hold the figures are shown, in
    the report's order, ``…`` where text is left out, and the head says so:
    what a comparison of thirty units shows, 30 KB of text instead of 400 KB
    (the whole reports stay in each unit's own view).

    Examples
    --------
    >>> text = "Mở đầu. Tặng quà trị giá trên 800 triệu đồng. Kết thúc <b>."
    >>> out = reader_html("tb", text, {"title": "Báo cáo"}, [{"start": 30, "end": 44,
    ...     "sentence": "Tặng quà trị giá trên 800 triệu đồng."}])
    >>> '<span class="ad-rs"><a id="at-tb-30"></a>Tặng quà' in out, "&lt;b&gt;" in out
    (True, True)
    >>> text = "Phần một.\nTặng quà trị giá trên 800 triệu đồng.\nPhần ba."
    >>> out = reader_html("tb", text, {"title": "Báo cáo"}, [{"start": 32, "end": 46,
    ...     "sentence": "Tặng quà trị giá trên 800 triệu đồng."}], excerpt=True)
    >>> "Phần một" in out, "Tặng quà" in out, out.count("…")
    (False, True, 2)
    """
    spans: list[list] = []   # [start, end, [ids]]
    for r in figures:
        sentence = as_text(r.get("sentence"))
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
    windows = _excerpt_windows(text, spans) if excerpt and spans else [[0, len(text)]]
    gap = '<span class="ad-gap">…</span>'
    out, i = [], 0
    for k, (lo, hi) in enumerate(windows):
        if excerpt and lo > 0:
            out.append(gap + ("\n" if k else ""))
        pos = lo
        while i < len(spans) and spans[i][1] <= hi:
            ss, se, ids = spans[i]
            out.append(escape_text(text[pos:ss]))
            out.append('<span class="ad-rs">' + "".join(f'<a id="{a}"></a>' for a in ids)
                       + escape_text(text[ss:se]) + "</span>")
            pos = se
            i += 1
        out.append(escape_text(text[pos:hi]))
        if excerpt and hi < len(text) and k == len(windows) - 1:
            out.append(gap)
    m = meta or {}
    head = escape_text(t("source.report", lang, title=as_text(m.get("title")) or doc_id,
                         published=_date(m.get("published"))))
    if excerpt:
        head += f' <span class="ad-excerpt">{escape_text(t("source.excerpt", lang))}</span>'
    return (f'<div class="ad-reader" data-doc="{escape_text(doc_id)}"><div class="ad-reader-head">'
            f'{head}</div><div class="ad-reader-text">{"".join(out)}</div></div>')


def render_facts_table(frame: pd.DataFrame, lang: str = DEFAULT_LANG, meta: dict | None = None,
                       texts: dict | None = None, link: bool = True) -> str:
    """Return an HTML table of figures with their source sentences, all text escaped.

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
        if status in BADGE_COLORS:
            badge = (f'<span class="ad-badge" style="background:{BADGE_COLORS[status]}">'
                     f"{escape_text(t('status.' + status, lang))}</span>")
        n = r.get("n_statements")
        n = int(n) if n is not None and not pd.isna(n) else int(
            times.get((r.get("doc_id"), r.get("indicator_id")), 1))
        others = as_text(r.get("other_values"))
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
.ad-excerpt { font-weight: 400; color: #546E7A; font-size: 13px; }
.ad-gap { color: #78909C; }
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
