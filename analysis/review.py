"""The analysts' review queue: figures ordered by doubt, decided with one click.

:func:`review_queue` lists the figures (facts) of some reports, the most
doubtful first, each with the reasons for doubt (:data:`DOUBTS`, in order):

``no_indicator``
    the suite gave the figure no indicator;
``weak_cue``
    it gave one on a weak cue: the phrase that named the indicator stands in
    the section heading rather than the number's sentence, or away from the
    number, outside its clause (see :func:`cue_strength`);
``conflict``
    the report states the figure's indicator again with another value;
``audit``
    the figure is part of a check of :func:`analysis.reconcile.audit` that does
    not add up (a fraction against the percentage beside it, a result against
    its target, the report's words against its figures);
``metadata``
    the build could not read its report's unit, level, period or kind,
    or the date comes before the period (:func:`metadata_doubts`).

:class:`ReviewApp` builds the widgets of the Voilà app
``notebooks/apps/review.ipynb`` (``make review``; the same in JupyterLab).
Each decision (confirm, reject, set a field of a figure or of a report) is
appended at once to the corrections file (:mod:`analysis.corrections`), and
the next build applies it. The app reads the processed tables only; report
text is always HTML-escaped.
"""
from __future__ import annotations

import getpass
import json
import logging
import math
import re
from pathlib import Path
from typing import Mapping

import ipywidgets as w
import pandas as pd

from . import paths
from .app.html import APP_CSS, escape_text, unit_label
from .app.rows import read_processed
from .app.server import log_to_server
from .catalog import load_catalog
from .corrections import (
    CorrectionError,
    append_corrections,
    corrections_file,
    fact_correction,
    read_corrections,
    report_correction,
)
from .i18n import indicator_name, period_name, t, vietnamese_sort_key
from .load import display_path
from .reconcile import audit
from .schema import DOC_KINDS, KINDS, QUALIFIERS, UNIT_LEVELS, UNITS
from .store import read_table
from .text import fold
from .theme import DEFAULT_LANG, check_lang, format_number, unit_symbol

__all__ = ["DOUBTS", "SHOW", "REVIEW_CSS", "metadata_doubts", "cue_strength", "review_queue",
           "review_tally", "sentence_html", "ReviewApp"]

log = logging.getLogger(__name__)

#: Reasons for doubt, most doubtful first.
DOUBTS = ("no_indicator", "weak_cue", "conflict", "audit", "metadata")
#: What the queue shows: doubtful figures, figures nobody reviewed yet, every figure.
SHOW = ("doubtful", "unreviewed", "all")
_NO_PERIOD = "__none__"
_ALL = "__all__"
#: A report's details a comparison needs (a missing date is no doubt: many reports carry none).
_REPORT_DETAILS = ("unit_name", "unit_level", "period", "doc_kind")
_CUE = re.compile(r'^\s*"(?P<cue>.*)"\s*@\s*(?P<s>\d+)\s*[-–]\s*(?P<e>\d+)\s*$')


def _na(v) -> bool:
    return v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v)) \
        or (isinstance(v, str) and not v.strip())


def metadata_doubts(reports: pd.DataFrame) -> dict[str, dict]:
    """Find what is doubtful in each report's details.

    The fields a comparison needs that the build could not read (``missing``:
    unit, level, period, kind), and a publication date before the period
    (``early``).

    Examples
    --------
    >>> reports = pd.DataFrame({"doc_id": ["a", "b"], "unit_name": ["Cự Khối", None],
    ...     "unit_level": ["ward", None], "period": ["2018-FY", None], "doc_kind": ["results", None],
    ...     "published": [pd.Timestamp("2017-05-02"), pd.NaT],
    ...     "period_start": [pd.Timestamp("2018-01-01"), pd.NaT]})
    >>> metadata_doubts(reports)
    {'a': {'missing': [], 'early': True},
     'b': {'missing': ['unit_name', 'unit_level', 'period', 'doc_kind'], 'early': False}}
    """
    out = {}
    for r in reports.to_dict("records"):
        missing = [f for f in _REPORT_DETAILS if _na(r.get(f))]
        early = (not _na(r.get("published")) and not _na(r.get("period_start"))
                 and pd.Timestamp(r["published"]) < pd.Timestamp(r["period_start"]))
        if missing or early:
            out[r["doc_id"]] = {"missing": missing, "early": bool(early)}
    return out


def _clause(f: Mapping) -> tuple[int, int]:
    """Offsets of the number's clause (the fact's ``quote``) in the report text."""
    sentence, quote = f.get("sentence"), f.get("quote")
    start, end = int(f["start"]), int(f["end"])
    if _na(sentence) or _na(quote) or _na(f.get("sentence_start")):
        return start, end
    base = int(f["sentence_start"])
    at = [m.start() for m in re.finditer(re.escape(str(quote)), str(sentence))]
    at = [a for a in at if base + a <= start and end <= base + a + len(str(quote))]
    return (base + at[0], base + at[0] + len(str(quote))) if at else (start, end)


def cue_strength(fact: Mapping, cues: Mapping[str, tuple] | None = None) -> tuple[str, str | None]:
    """How firmly a figure's indicator was given, and the phrase that gave it.

    ``none`` (no indicator), ``strong`` (the phrase is in the number's clause),
    ``far`` (in its sentence, outside its clause) or ``heading`` (not in its
    sentence: the section heading). Reads the facts' ``indicator_cue``
    (``'"cue" @ start-end'``) where the build wrote one; else looks for the
    catalogue's ``cues`` of the indicator in the clause, then the sentence.

    Examples
    --------
    >>> sentence = "Về văn hóa: có 12/13 tổ dân phố đạt tổ dân phố văn hóa"
    >>> s, cue = sentence.index("12/13"), sentence.rindex("tổ dân phố văn hóa")
    >>> fact = {"indicator_id": "cultural_group_rate", "sentence": sentence, "sentence_start": 0,
    ...         "quote": "có 12/13 tổ dân phố đạt tổ dân phố văn hóa", "start": s, "end": s + 5}
    >>> cue_strength({**fact, "indicator_cue": f'"tổ dân phố văn hóa" @ {cue}-{cue + 18}'})
    ('strong', 'tổ dân phố văn hóa')
    >>> cue_strength({**fact, "indicator_cue": '"văn hóa" @ 3-10'})
    ('far', 'văn hóa')
    """
    ind = fact.get("indicator_id")
    if _na(ind):
        return "none", None
    lo, hi = _clause(fact)
    sentence = "" if _na(fact.get("sentence")) else str(fact["sentence"])
    base = int(fact["sentence_start"]) if not _na(fact.get("sentence_start")) else lo
    given = fact.get("indicator_cue")
    if not _na(given):
        m = _CUE.match(str(given))
        if not m:
            return "strong", str(given)
        cue, cs, ce = m.group("cue"), int(m.group("s")), int(m.group("e"))
        if not (base <= cs and ce <= base + len(sentence)):
            return "heading", cue
        if ce <= lo or cs >= hi:
            return "far", cue
        return "strong", cue
    phrases = (cues or {}).get(ind, ())
    clause = fold(str(fact.get("quote") or ""))
    for c in phrases:
        if fold(c) in clause:
            return "strong", c
    whole = fold(sentence)
    for c in phrases:
        if fold(c) in whole:
            return "far", c
    return "heading", None


def _catalogue_cues() -> dict[str, tuple]:
    cat = load_catalog()
    return dict(zip(cat["indicator_id"], cat["cues"]))


def review_queue(facts: pd.DataFrame, reports: pd.DataFrame,
                 observations: pd.DataFrame | None = None,
                 checks: pd.DataFrame | None = None) -> pd.DataFrame:
    """Order the figures of ``facts`` most doubtful first, with why each is doubtful.

    Parameters
    ----------
    facts, reports : the processed tables (reports without text will do).
    observations : for the conflicts (``is_conflict``), if given.
    checks : :func:`analysis.reconcile.audit` of these facts, if given.

    Returns
    -------
    DataFrame
        The facts' columns plus the report's ``unit_name``, ``unit_level`` and
        ``period``, ``doubts`` (a list of :data:`DOUBTS` codes),
        ``doubt_rank`` (the index of the first, ``len(DOUBTS)`` when none),
        ``cue_strength`` and ``cue`` (:func:`cue_strength`); sorted by doubt,
        then report, then place in the report.

    Examples
    --------
    >>> sentence = "Tỷ lệ hỏa táng đạt 63,6%, tổ chức 4 buổi nói chuyện."
    >>> facts = pd.DataFrame([
    ...     {"fact_id": "a", "doc_id": "d", "indicator_id": "cremation_rate", "raw": "63,6%",
    ...      "start": 19, "end": 24, "quote": "Tỷ lệ hỏa táng đạt 63,6%", "sentence": sentence,
    ...      "sentence_start": 0},
    ...     {"fact_id": "b", "doc_id": "d", "indicator_id": None, "raw": "4", "start": 34,
    ...      "end": 35, "quote": "tổ chức 4 buổi nói chuyện", "sentence": sentence,
    ...      "sentence_start": 0}])
    >>> reports = pd.DataFrame({"doc_id": ["d"], "unit_name": ["Cự Khối"], "unit_level": ["ward"],
    ...     "period": ["2018-FY"], "doc_kind": ["results"], "published": [pd.Timestamp("2019-01-09")],
    ...     "period_start": [pd.Timestamp("2018-01-01")]})
    >>> review_queue(facts, reports)[["raw", "doubts", "cue_strength", "cue"]]
         raw          doubts cue_strength       cue
    0      4  [no_indicator]         none       NaN
    1  63,6%              []       strong  hỏa táng
    """
    cues = _catalogue_cues()
    meta = metadata_doubts(reports)
    conflicts = set()
    if observations is not None and len(observations) and "is_conflict" in observations.columns:
        flagged = observations["is_conflict"].fillna(False).astype(bool)
        conflicts = set(observations.loc[flagged, "fact_id"])
    places = set()
    if checks is not None and len(checks):
        bad = checks[checks["status"] != "ok"]
        for col in ("start", "other_start"):
            if col in bad.columns:
                places |= {(d, int(s)) for d, s in zip(bad["doc_id"], bad[col]) if not _na(s)}
    rep = reports.set_index("doc_id")
    rows = []
    for f in facts.to_dict("records"):
        strength, cue = cue_strength(f, cues)
        doubts = []
        if strength == "none":
            doubts.append("no_indicator")
        elif strength in ("far", "heading"):
            doubts.append("weak_cue")
        if f["fact_id"] in conflicts:
            doubts.append("conflict")
        if (f["doc_id"], int(f["start"])) in places:
            doubts.append("audit")
        if f["doc_id"] in meta:
            doubts.append("metadata")
        r = rep.loc[f["doc_id"]] if f["doc_id"] in rep.index else {}
        rows.append({**f, "unit_name": r.get("unit_name"), "unit_level": r.get("unit_level"),
                     "period": r.get("period"), "doubts": doubts,
                     "doubt_rank": DOUBTS.index(doubts[0]) if doubts else len(DOUBTS),
                     "cue_strength": strength, "cue": cue})
    extra = ["unit_name", "unit_level", "period", "doubts", "doubt_rank", "cue_strength", "cue"]
    frame = pd.DataFrame(rows, columns=list(facts.columns) + [c for c in extra if c not in facts.columns])
    return frame.sort_values(["doubt_rank", "doc_id", "start"], kind="stable").reset_index(drop=True)


def review_tally(facts: pd.DataFrame, by: str = "indicator_id", corrections=None) -> pd.DataFrame:
    """How many figures analysts reviewed and, of those, how many the extractor had right.

    Per indicator (``by="indicator_id"``: the indicator the extractor gave,
    before any correction) or per report (``by="doc_id"``). ``facts`` is a
    build's table (``review_status`` and ``corrected_from`` filled); the
    figures rejected since (gone from the table) are read from the corrections
    file (default :func:`analysis.corrections.corrections_file`): they count
    per report, and per indicator under ``rejected`` (the indicator they had
    is not kept).

    Returns
    -------
    DataFrame
        ``by``, ``figures`` (rejected included), ``reviewed``, ``right``
        (confirmed as read), ``corrected``, ``rejected``, ``share_reviewed``
        and ``share_right`` (right / reviewed), the most reviewed first.

    Examples
    --------
    >>> facts = pd.DataFrame({"doc_id": ["d", "d", "d"], "indicator_id": ["cremation_rate", None, None],
    ...     "review_status": ["confirmed", "corrected", "unreviewed"],
    ...     "corrected_from": [None, '{"indicator_id": "cremation_rate"}', None]})
    >>> review_tally(facts, corrections="/no/such/file.csv")[["indicator_id", "figures", "reviewed", "right"]]
         indicator_id  figures  reviewed  right
    0  cremation_rate        2         2      1
    1            <NA>        1         0      0
    """
    status = facts["review_status"].fillna("unreviewed") if "review_status" in facts.columns \
        else pd.Series(["unreviewed"] * len(facts), index=facts.index)
    key = facts[by].astype("object").where(facts[by].notna(), None)
    if by == "indicator_id" and "corrected_from" in facts.columns:
        before = [json.loads(c).get("indicator_id", k) if isinstance(c, str) else k
                  for c, k in zip(facts["corrected_from"], key)]
        key = pd.Series(before, index=facts.index, dtype="object")
    frame = pd.DataFrame({by: key, "confirmed": status == "confirmed", "corrected": status == "corrected"})
    rows = []
    for k, g in frame.groupby(by, dropna=False, sort=False):
        rows.append({by: k, "figures": len(g), "right": int(g["confirmed"].sum()),
                     "corrected": int(g["corrected"].sum()), "rejected": 0})
    docs = set(facts["doc_id"])
    rejected: dict = {}
    got = read_corrections(corrections)
    last = {}
    for c in got.rows:
        if c["raw"]:
            last[(c["doc_id"], c["raw"], c["context_before"], c["context_after"])] = c["action"]
    for (doc, *_), action in last.items():
        if action == "reject" and doc in docs:
            k = doc if by == "doc_id" else "rejected"
            rejected[k] = rejected.get(k, 0) + 1
    for r in rows:
        r["rejected"] = rejected.pop(r[by], 0) if r[by] is not None else 0
    rows += [{by: k, "figures": 0, "right": 0, "corrected": 0, "rejected": n} for k, n in rejected.items()]
    out = pd.DataFrame(rows, columns=[by, "figures", "right", "corrected", "rejected"])
    out["figures"] += out["rejected"]
    out["reviewed"] = out["right"] + out["corrected"] + out["rejected"]
    out["share_reviewed"] = out["reviewed"] / out["figures"].where(out["figures"] > 0)
    out["share_right"] = out["right"] / out["reviewed"].where(out["reviewed"] > 0)
    out[by] = out[by].astype("string")
    out = out.sort_values(["reviewed", "figures"], ascending=False, kind="stable").reset_index(drop=True)
    return out[[by, "figures", "reviewed", "right", "corrected", "rejected", "share_reviewed",
                "share_right"]]


def sentence_html(sentence, sentence_start, start: int, end: int, raw) -> str:
    """Escape the sentence and mark the number at ``start``–``end``.

    Examples
    --------
    >>> sentence_html("Có 12 <b>tổ</b>, 12 hộ", 100, 117, 119, "12")
    'Có 12 &lt;b&gt;tổ&lt;/b&gt;, <mark>12</mark> hộ'
    """
    text = "" if _na(sentence) else str(sentence)
    raw = "" if _na(raw) else str(raw)
    at = int(start) - int(sentence_start) if not _na(sentence_start) else -1
    if not (0 <= at and text[at:at + len(raw)] == raw):
        at = text.find(raw) if raw else -1
    if at < 0:
        return escape_text(text or raw)
    return (escape_text(text[:at]) + "<mark>" + escape_text(raw) + "</mark>"
            + escape_text(text[at + len(raw):]))


REVIEW_CSS = """
<style>
.rv-app .rv-item { border: 1px solid #CFD8DC; border-radius: 4px; padding: 8px 12px; margin: 6px 0;
                   max-width: 1060px; }
.rv-app .rv-sentence { font-size: 15px; line-height: 1.5; margin: 4px 0; }
.rv-app .rv-sentence mark { background: #FFF176; padding: 0 2px; font-weight: 700; }
.rv-app .rv-doubt { display: inline-block; font-size: 12px; color: #fff; background: #C62828;
                    border-radius: 3px; padding: 1px 6px; margin-right: 4px; }
.rv-app .rv-doubt.rv-weak_cue, .rv-app .rv-doubt.rv-metadata { background: #EF6C00; }
.rv-app .rv-fields { font-size: 14px; border-collapse: collapse; }
.rv-app .rv-fields th { text-align: left; color: #546E7A; font-weight: 400; padding: 1px 10px 1px 0; }
.rv-app .rv-fields td { padding: 1px 18px 1px 0; }
.rv-app .rv-where { font-size: 12px; color: #78909C; }
.rv-app .rv-decided { font-size: 14px; font-weight: 600; color: #1B5E20; margin-top: 4px; }
.rv-app .rv-status { font-size: 15px; background: #E8F5E9; border-left: 5px solid #2E7D32;
                     padding: 8px 12px; margin: 6px 0; }
.rv-app .rv-report { font-size: 15px; background: #ECEFF1; border-radius: 4px; padding: 8px 12px; }
.rv-app .rv-warn { color: #BF360C; font-weight: 600; }
.rv-app .rv-counts { font-size: 15px; font-weight: 600; margin: 6px 0; }
</style>
"""


def _fields(lang: str) -> list[tuple[str, str]]:
    return [(t("field.indicator", lang), "indicator_id"), (t("field.value", lang), "value"),
            (t("review.field.unit", lang), "unit"), (t("review.field.kind", lang), "kind"),
            (t("review.field.qualifier", lang), "qualifier")]


def _report_fields(lang: str) -> list[tuple[str, str]]:
    return [(t("review.field.unit_name", lang), "unit_name"), (t("field.unit_level", lang), "unit_level"),
            (t("field.period", lang), "period"), (t("field.doc_kind", lang), "doc_kind")]


class ReviewApp:
    """The widgets and callbacks of the analysts' review app.

    Parameters
    ----------
    lang : ``'vi'`` (default) or ``'en'``
    processed : folder of the processed tables (default
        :func:`analysis.paths.processed_dir`)
    corrections : the corrections file decisions are appended to (default
        :func:`analysis.corrections.corrections_file`: ``data/corrections.csv``)
    page_size : figures per page
    reviewer : the name written with each decision (default the login name)

    The notebook displays :attr:`widget`. From code: ``app.period.value``,
    ``app.report.value``, ``app.search.value`` choose, and :meth:`decide`
    records a decision as the buttons do.
    """

    def __init__(self, lang: str = DEFAULT_LANG, processed=None, corrections=None,
                 page_size: int = 8, reviewer: str | None = None):
        self._w = w
        self._read = read_processed
        log_to_server(log)
        self.lang_code = check_lang(lang)
        self.processed = Path(processed) if processed is not None else paths.processed_dir()
        self.corrections = Path(corrections) if corrections is not None else corrections_file()
        self.page_size = page_size
        self.page_no = 0
        self.decided: dict[str, str] = {}          # fact id or doc id -> what was decided
        self._busy = False
        self._cache: dict = {}
        self._texts: dict[str, tuple[str, str]] = {}
        try:
            cols = ["doc_id", "title", "unit_name", "unit_level", "parent", "city", "period",
                    "period_start", "period_end", "period_months", "published", "doc_kind",
                    "programs", "source_file", "sha256", "n_chars"]
            self.reports = read_processed("reports", cols, self.processed)
            self._error = None
        except Exception as exc:  # no build yet: say so on the page
            log.warning("review: processed tables could not be read: %s", exc)
            self.reports = pd.DataFrame(columns=["doc_id", "unit_name", "unit_level", "period",
                                                 "period_end", "doc_kind", "published", "sha256"])
            self._error = str(exc)
        ends = self.reports.sort_values("period_end", ascending=False, na_position="last")
        self.periods = list(dict.fromkeys(ends["period"].dropna()))
        if self.reports["period"].isna().any():
            self.periods.append(_NO_PERIOD)
        self._build(reviewer)
        self._set_labels()
        self._refresh()

    # -- data -------------------------------------------------------------
    def _reports_of(self, period: str | None) -> pd.DataFrame:
        if period == _NO_PERIOD:
            return self.reports[self.reports["period"].isna()]
        return self.reports[self.reports["period"] == period]

    def _period_tables(self, period: str):
        """Facts, observations and audit of one period (kept for the session)."""
        if period not in self._cache:
            docs = set(self._reports_of(period)["doc_id"])
            which = None if period == _NO_PERIOD else period
            facts = self._read_rows("facts", which, docs)
            obs = self._read_rows("observations", which, docs)
            reports = self._reports_of(period)
            try:
                checks = audit(facts, reports.assign(text=None), lang=self.lang_code) \
                    if len(facts) else None
            except Exception:  # the queue still works without the audit
                log.exception("review: the audit of %s failed", period)
                checks = None
            self._cache[period] = review_queue(facts, reports, obs, checks)
        return self._cache[period]

    def _read_rows(self, name: str, period, docs: set) -> pd.DataFrame:
        frame = read_table(name, self.processed, period=period)
        return frame[frame["doc_id"].isin(docs)].reset_index(drop=True)

    def _text_of(self, doc: str) -> tuple[str, str]:
        """Read a report's text and file checksum when a decision needs them."""
        if doc not in self._texts:
            row = read_table("reports", self.processed, columns=["doc_id", "text", "sha256"],
                             filters=[("doc_id", "==", doc)])
            self._texts[doc] = (str(row["text"].iloc[0]), str(row["sha256"].iloc[0]))
        return self._texts[doc]

    def queue(self) -> pd.DataFrame:
        """List the figures the current choices show, most doubtful first.

        A search (:attr:`search`: a number or words of the sentence) looks
        through every figure of the period or report, those that are the number
        looked for first; otherwise :attr:`show` chooses doubtful figures,
        figures nobody reviewed yet, or all.
        """
        period = self.period.value
        if period is None:
            return pd.DataFrame()
        frame = self._period_tables(period)
        if self.report.value not in (None, _ALL):
            frame = frame[frame["doc_id"] == self.report.value]
        needle = fold(self.search.value or "").strip()
        if needle:       # a search looks through every figure, doubtful or not
            pass
        elif self.show.value == "doubtful":
            frame = frame[frame["doubt_rank"] < len(DOUBTS)]
        elif self.show.value == "unreviewed":
            status = frame["review_status"] if "review_status" in frame.columns else None
            keep = ~frame["fact_id"].isin(self.decided)
            if status is not None:
                keep &= status.fillna("unreviewed") == "unreviewed"
            frame = frame[keep]
        if needle:
            hay = (frame["raw"].astype(str) + " " + frame["sentence"].fillna("").astype(str)).map(fold)
            frame = frame[hay.str.contains(needle, regex=False)]
            # the figures that are the number looked for first
            is_it = ~frame["raw"].astype(str).map(fold).str.contains(needle, regex=False)
            frame = frame.assign(_not_it=is_it).sort_values(
                ["_not_it", "doubt_rank", "doc_id", "start"], kind="stable").drop(columns="_not_it")
        return frame.reset_index(drop=True)

    # -- widgets ----------------------------------------------------------
    def _build(self, reviewer: str | None) -> None:
        w = self._w
        style = {"description_width": "120px"}
        try:
            who = reviewer if reviewer is not None else getpass.getuser()
        except Exception:
            who = ""
        self.css = w.HTML(APP_CSS + REVIEW_CSS)
        self.header = w.HTML()
        self.lang = w.ToggleButtons(options=[(t("lang.vi"), "vi"), (t("lang.en"), "en")],
                                    value=self.lang_code, style={"button_width": "110px"})
        self.period = w.Dropdown(layout=w.Layout(width="420px"), style=style)
        self.report = w.Dropdown(layout=w.Layout(width="560px"), style=style)
        self.show = w.Dropdown(layout=w.Layout(width="420px"), style=style)
        self.search = w.Text(continuous_update=False, layout=w.Layout(width="420px"), style=style)
        self.reviewer = w.Text(value=who, layout=w.Layout(width="320px"), style=style)
        self.status = w.HTML()
        self.report_box = w.VBox()
        self.counts = w.HTML()
        self.prev = w.Button(layout=w.Layout(width="110px"))
        self.next = w.Button(layout=w.Layout(width="110px"))
        self.page_label = w.HTML()
        self.items = w.VBox()
        controls = w.HBox([w.VBox([self.period, self.report, self.show, self.search]),
                           w.VBox([self.lang, self.reviewer], layout=w.Layout(margin="0 0 0 30px"))])
        pager = w.HBox([self.prev, self.page_label, self.next])
        self.widget = w.VBox([self.css, self.header, controls, self.status, self.report_box,
                              self.counts, pager, self.items])
        self.widget.add_class("ad-app")
        self.widget.add_class("rv-app")
        for widget, cls in ((self.period, "rv-period"), (self.report, "rv-report-choice"),
                            (self.show, "rv-show"), (self.search, "rv-search"),
                            (self.reviewer, "rv-reviewer")):
            widget.add_class(cls)
        self.period.observe(self._on_period, names="value")
        self.report.observe(self._on_choice, names="value")
        self.show.observe(self._on_choice, names="value")
        self.search.observe(self._on_choice, names="value")
        self.lang.observe(self._on_lang, names="value")
        self.prev.on_click(lambda _: self._guard(lambda: self._turn(-1)))
        self.next.on_click(lambda _: self._guard(lambda: self._turn(+1)))

    def _period_label(self, p: str) -> str:
        return t("review.period.none", self.lang_code) if p == _NO_PERIOD else period_name(p, self.lang_code)

    def _report_label(self, r: Mapping) -> str:
        unit = r.get("unit_name")
        name = unit_label(unit, r.get("unit_level"), self.lang_code) if not _na(unit) else "—"
        period = r.get("period") if not _na(r.get("period")) else _NO_PERIOD
        return f"{name} · {self._period_label(period)} ({r['doc_id']})"

    def _set_labels(self) -> None:
        lang = self.lang_code
        was, self._busy = self._busy, True
        try:
            self.header.value = (f'<div class="ad-title">{escape_text(t("review.title", lang))}</div>'
                                 f'<div class="ad-intro">{escape_text(t("review.intro", lang))}</div>')
            self.period.description = t("control.period", lang)
            self.report.description = t("review.control.report", lang)
            self.show.description = t("review.control.show", lang)
            self.search.description = t("review.control.search", lang)
            self.search.placeholder = t("review.control.search_hint", lang)
            self.reviewer.description = t("review.control.reviewer", lang)
            self.prev.description = t("review.button.prev", lang)
            self.next.description = t("review.button.next", lang)
            period = self.period.value
            self.period.options = [(self._period_label(p), p) for p in self.periods]
            if self.periods:
                self.period.value = period if period in self.periods else self.periods[0]
            show = self.show.value or "doubtful"
            self.show.options = [(t(f"review.show.{s}", lang), s) for s in SHOW]
            self.show.value = show
            self._set_report_options()
        finally:
            self._busy = was

    def _set_report_options(self) -> None:
        chosen = self.report.value
        rows = self._reports_of(self.period.value).to_dict("records") if self.period.value else []
        rows.sort(key=lambda r: vietnamese_sort_key(str(r.get("unit_name") or r["doc_id"])))
        options = [(t("review.report.all", self.lang_code), _ALL)] + \
            [(self._report_label(r), r["doc_id"]) for r in rows]
        was, self._busy = self._busy, True
        try:
            self.report.options = options
            self.report.value = chosen if chosen in [v for _, v in options] else _ALL
        finally:
            self._busy = was

    # -- callbacks --------------------------------------------------------
    def _on_period(self, change) -> None:
        if self._busy or change["new"] is None:
            return
        self._guard(lambda: (self._set_report_options(), self._refresh()))

    def _on_choice(self, change) -> None:
        if self._busy:
            return
        self._guard(self._refresh)

    def _on_lang(self, change) -> None:
        if self._busy or change["new"] is None:
            return
        self.lang_code = change["new"]
        self._guard(lambda: (self._set_labels(), self._refresh(keep_page=True)))

    def _turn(self, step: int) -> None:
        self.page_no += step
        self._draw_page()

    def _guard(self, action) -> None:
        """Run a callback; on any error show one line and log the traceback."""
        try:
            action()
        except CorrectionError:     # already said on the page, in one line
            pass
        except Exception:
            log.exception("review: a callback failed")
            said = t("error.view", self.lang_code, what=t("review.title", self.lang_code))
            self.status.value = f'<div class="ad-error">{escape_text(said)}</div>'

    # -- views ------------------------------------------------------------
    def _refresh(self, keep_page: bool = False) -> None:
        if self._error is not None or not self.periods:
            self.counts.value = f'<div class="ad-empty">{escape_text(t("empty.no_data", self.lang_code))}</div>'
            self.items.children = ()
            return
        if not keep_page:
            self.page_no = 0
        self._draw_report()
        self._draw_page()

    def _draw_page(self) -> None:
        lang = self.lang_code
        frame = self.queue()
        everything = self._period_tables(self.period.value)
        if self.report.value not in (None, _ALL):
            everything = everything[everything["doc_id"] == self.report.value]
        reviewed = everything["fact_id"].isin(self.decided)
        if "review_status" in everything.columns:
            reviewed |= everything["review_status"].isin(["confirmed", "corrected"])
        doubtful = int((everything["doubt_rank"] < len(DOUBTS)).sum())
        said = t("review.counts", lang, n=len(everything), doubtful=doubtful, reviewed=int(reviewed.sum()))
        self.counts.value = f'<div class="rv-counts">{escape_text(said)}</div>'
        pages = max(1, math.ceil(len(frame) / self.page_size))
        self.page_no = min(max(self.page_no, 0), pages - 1)
        self.page_label.value = (f'<div style="padding:4px 12px">'
                                 f'{escape_text(t("review.page", lang, page=self.page_no + 1, pages=pages))}</div>')
        self.prev.disabled = self.page_no == 0
        self.next.disabled = self.page_no >= pages - 1
        if frame.empty:
            self.items.children = (self._w.HTML(f'<div class="ad-empty">{escape_text(t("review.empty", lang))}</div>'),)
            return
        a = self.page_no * self.page_size
        self.items.children = tuple(self._item(f) for f in frame.iloc[a:a + self.page_size].to_dict("records"))

    def _card_html(self, f: Mapping) -> str:
        lang = self.lang_code
        doubts = "".join(f'<span class="rv-doubt rv-{d}">{escape_text(t("review.doubt." + d, lang))}</span>'
                         for d in f.get("doubts") or [])
        kind, qual = f.get("kind"), f.get("qualifier")
        why = self._why(f)
        where = (f"{self._report_label(f)} · [{int(f['start'])}–{int(f['end'])}]")
        status = f.get("review_status")
        done = self.decided.get(f["fact_id"])
        if done is None and status in ("confirmed", "corrected"):
            done = t(f"review.status.{status}", lang)
        sentence = sentence_html(f.get("sentence"), f.get("sentence_start"), f["start"], f["end"], f["raw"])
        indicator = indicator_name(None if _na(f.get("indicator_id")) else f["indicator_id"], lang)
        return (f'<div class="rv-card">{doubts}'
                f'<div class="rv-sentence">{sentence}</div>'
                '<table class="rv-fields">'
                f'<tr><th>{escape_text(t("field.value", lang))}</th>'
                f'<td class="rv-value">{escape_text(format_number(f.get("value"), f.get("unit"), lang))}</td>'
                f'<th>{escape_text(t("review.field.kind", lang))}</th>'
                f'<td>{escape_text(t("review.kind." + kind, lang) if kind else "—")}</td>'
                f'<th>{escape_text(t("review.field.qualifier", lang))}</th>'
                f'<td>{escape_text(t("review.qualifier." + qual, lang) if qual else "—")}</td></tr>'
                f'<tr><th>{escape_text(t("field.indicator", lang))}</th>'
                f'<td colspan="3" class="rv-indicator">{escape_text(indicator)}</td>'
                f'<th>{escape_text(t("review.field.why", lang))}</th><td>{escape_text(why)}</td></tr>'
                f'</table><div class="rv-where">{escape_text(where)}</div>'
                + (f'<div class="rv-decided">{escape_text(done)}</div>' if done else "")
                + "</div>")

    def _why(self, f: Mapping) -> str:
        lang = self.lang_code
        strength, cue = f.get("cue_strength"), f.get("cue")
        if strength == "none":
            return t("review.why.none", lang)
        if not cue:
            return "—"
        key = {"far": "review.why.far", "heading": "review.why.heading"}.get(strength, "review.why.cue")
        return t(key, lang, cue=cue)

    def _item(self, f: dict):
        w = self._w
        lang = self.lang_code
        card = w.HTML(self._card_html(f))
        confirm = w.Button(description=t("review.button.confirm", lang), button_style="success",
                           layout=w.Layout(width="auto"))
        reject = w.Button(description=t("review.button.reject", lang), button_style="danger",
                          layout=w.Layout(width="auto"))
        edit = w.Button(description=t("review.button.edit", lang), layout=w.Layout(width="auto"))
        for b, cls in ((confirm, "rv-confirm"), (reject, "rv-reject"), (edit, "rv-edit")):
            b.add_class(cls)
        form = w.VBox(layout=w.Layout(display="none"))
        box = w.VBox([card, w.HBox([confirm, reject, edit]), form])
        box.add_class("rv-item")

        def decided(action, field=None, value=None, note=""):
            self._guard(lambda: self._decide_and_show(f, card, form, action, field, value, note))

        confirm.on_click(lambda _: decided("confirm"))
        reject.on_click(lambda _: decided("reject"))
        edit.on_click(lambda _: self._guard(lambda: self._open_form(f, form, decided)))
        return box

    def _open_form(self, f: Mapping, form, decided) -> None:
        w = self._w
        lang = self.lang_code
        style = {"description_width": "120px"}
        field = w.Dropdown(options=_fields(lang), value="indicator_id", description=t("review.form.field", lang),
                           style=style, layout=w.Layout(width="420px"))
        slot = w.Box()
        note = w.Text(description=t("review.form.note", lang), style=style, layout=w.Layout(width="560px"))
        save = w.Button(description=t("review.button.save", lang), button_style="primary")
        cancel = w.Button(description=t("review.button.cancel", lang))
        save.add_class("rv-save")
        value_widget = {}

        def show_value(change=None):
            value_widget["w"] = self._value_widget(field.value, f)
            slot.children = (value_widget["w"],)

        field.observe(show_value, names="value")
        show_value()

        save.on_click(lambda _: decided("set", field.value, value_widget["w"].value, note.value))
        cancel.on_click(lambda _: setattr(form.layout, "display", "none"))
        form.children = (field, slot, note, w.HBox([save, cancel]))
        form.layout.display = None

    def _value_widget(self, name: str, f: Mapping | None = None):
        """Make the input for a field's right value.

        A list of the catalogue's names, of units, kinds or levels; a box for a
        number, a name or a period.
        """
        w = self._w
        lang = self.lang_code
        style = {"description_width": "120px"}
        label = t("review.form.value", lang)
        wide = w.Layout(width="560px")
        if name == "indicator_id":
            ids = sorted(load_catalog()["indicator_id"], key=lambda i: vietnamese_sort_key(indicator_name(i, lang)))
            options = [(t("review.no_indicator_choice", lang), "")] + [(indicator_name(i, lang), i) for i in ids]
            now = "" if f is None or _na(f.get("indicator_id")) else f["indicator_id"]
            return w.Dropdown(options=options, value=now if now in ids else "", description=label,
                              style=style, layout=wide)
        choices = {"unit": [(unit_symbol(u, lang).strip() or u, u) for u in UNITS],
                   "kind": [(t(f"review.kind.{k}", lang), k) for k in KINDS],
                   "qualifier": [(t(f"review.qualifier.{q}", lang), q) for q in QUALIFIERS],
                   "unit_level": [(t(f"level.{lv}", lang), lv) for lv in UNIT_LEVELS],
                   "doc_kind": [(t(f"kind.{k}", lang), k) for k in DOC_KINDS]}
        if name in choices:
            now = None if f is None else f.get(name)
            values = [v for _, v in choices[name]]
            return w.Dropdown(options=choices[name], value=now if now in values else values[0],
                              description=label, style=style, layout=wide)
        hint = {"value": t("review.form.value_hint", lang), "period": t("review.form.period_hint", lang)}
        return w.Text(description=label, placeholder=hint.get(name, ""), style=style, layout=wide)

    def _decide_and_show(self, f: Mapping, card, form, action, field=None, value=None, note="") -> None:
        what = self.decide(f, action, field, value, note=note)
        form.layout.display = "none"
        card.value = self._card_html(f)
        self._saved(what)

    def _saved(self, what: str) -> None:
        said = t("review.saved", self.lang_code, file=display_path(self.corrections), what=what)
        self.status.value = f'<div class="rv-status">{escape_text(said)}</div>'

    def _shown_value(self, field: str, value) -> str:
        lang = self.lang_code
        if field == "indicator_id":
            return indicator_name(value or None, lang) if value else t("review.no_indicator_choice", lang)
        if field == "period":
            return period_name(str(value).upper(), lang)
        return str(value)

    def decide(self, fact: Mapping, action: str, field: str | None = None, value=None,
               note: str = "") -> str:
        """Append a decision on a figure to the corrections file; say what was decided.

        ``action`` is ``confirm``, ``reject`` or ``set`` (with ``field`` and
        ``value``). A bad value is shown as a one-line message and raises
        :class:`analysis.corrections.CorrectionError`; nothing is written.
        """
        lang = self.lang_code
        text, sha = self._text_of(fact["doc_id"])
        row = fact_correction(fact, text, action, field, value, sha256=sha, note=note,
                              reviewer=self.reviewer.value.strip())
        try:
            append_corrections([row], self.corrections)
        except CorrectionError as e:
            said = t("review.error.save", lang, problem=str(e))
            self.status.value = f'<div class="ad-error">{escape_text(said)}</div>'
            raise
        if action == "set":
            label = {v: k for k, v in _fields(lang)}.get(field, field)
            what = t("review.decided.set", lang, field=label, value=self._shown_value(field, value))
        else:
            what = t(f"review.decided.{action}", lang)
        self.decided[fact["fact_id"]] = what
        return f"{what} — {fact['raw']} ({fact['doc_id']})"

    def decide_report(self, doc_id: str, field: str, value, note: str = "") -> str:
        """Append a correction of a report's field (unit_name, unit_level, period, doc_kind)."""
        lang = self.lang_code
        _, sha = self._text_of(doc_id)
        value = str(value).strip().upper() if field == "period" else str(value).strip()
        try:
            append_corrections([report_correction(doc_id, field, value, sha256=sha, note=note,
                                                  reviewer=self.reviewer.value.strip())], self.corrections)
        except CorrectionError as e:
            said = t("review.error.save", lang, problem=str(e))
            self.status.value = f'<div class="ad-error">{escape_text(said)}</div>'
            raise
        label = {v: k for k, v in _report_fields(lang)}.get(field, field)
        what = t("review.decided.set", lang, field=label, value=self._shown_value(field, value))
        self.decided.setdefault(doc_id, "")
        self.decided[doc_id] = "; ".join(x for x in (self.decided[doc_id], what) if x)
        return f"{what} ({doc_id})"

    def _draw_report(self) -> None:
        w = self._w
        lang = self.lang_code
        doc = self.report.value
        if doc in (None, _ALL):
            pick = escape_text(t("review.report.pick", lang))
            self.report_box.children = (w.HTML(f'<div class="ad-note">{pick}</div>'),)
            return
        r = self.reports[self.reports["doc_id"] == doc].iloc[0].to_dict()
        doubts = metadata_doubts(pd.DataFrame([r])).get(doc, {"missing": [], "early": False})
        names = dict((v, k) for k, v in _report_fields(lang))
        names["published"] = t("review.field.published", lang)
        warn = []
        if doubts["missing"]:
            warn.append(t("review.report.missing", lang, fields=", ".join(names.get(x, x) for x in doubts["missing"])))
        if doubts["early"]:
            warn.append(t("review.report.early", lang))
        kind = r.get("doc_kind")
        published = pd.to_datetime(r.get("published"), errors="coerce")
        line = " · ".join([
            unit_label(r["unit_name"], r.get("unit_level"), lang) if not _na(r.get("unit_name")) else "—",
            self._period_label(r["period"]) if not _na(r.get("period")) else "—",
            t(f"kind.{kind}", lang) if kind in ("results", "plan") else "—",
            published.strftime("%d/%m/%Y") if pd.notna(published) else "—"])
        done = self.decided.get(doc)
        head = (f'<div class="rv-report"><b>{escape_text(t("review.report.heading", lang))}</b>: '
                f'{escape_text(line)} <span class="rv-where">({escape_text(doc)})</span>'
                + "".join(f'<div class="rv-warn">{escape_text(x)}</div>' for x in warn)
                + (f'<div class="rv-decided">{escape_text(done)}</div>' if done else "") + "</div>")
        style = {"description_width": "120px"}
        field = w.Dropdown(options=_report_fields(lang), value="period", description=t("review.form.field", lang),
                           style=style, layout=w.Layout(width="420px"))
        slot = w.Box()
        note = w.Text(description=t("review.form.note", lang), style=style, layout=w.Layout(width="560px"))
        save = w.Button(description=t("review.button.save_report", lang), button_style="primary",
                        layout=w.Layout(width="260px"))
        save.add_class("rv-save-report")
        holder = {}

        def show_value(change=None):
            holder["w"] = self._value_widget(field.value, r)
            slot.children = (holder["w"],)

        field.observe(show_value, names="value")
        show_value()

        def on_save(_):
            def act():
                what = self.decide_report(doc, field.value, holder["w"].value, note=note.value)
                self._saved(what)
                self._draw_report()
            self._guard(act)

        save.on_click(on_save)
        box = w.VBox([w.HTML(head), field, slot, note, save])
        box.add_class("rv-report-form")
        self.report_box.children = (box,)
