"""The unit a report is about: its name, level, parent district and city.

Unit words (``phường``, ``quận``, ``Quận ủy``, ``Q.``) come from
``analysis/rules/metadata_unit_words.csv``, the words before an unnamed unit
(``UBND phường``) from ``metadata_unit_owners.csv``, the short names of cities
(``TPHCM``) from ``metadata_place_aliases.csv``; names are checked against
the gazetteer (:mod:`analysis.metadata.places`).
"""
from __future__ import annotations

import re
from collections import Counter
from datetime import date
from functools import lru_cache

from analysis.fastmatch import LeadingPattern
from analysis.metadata.dates import published_of, ref_date, split_dateline
from analysis.metadata.page import aside_spans
from analysis.metadata.places import HUE_DATE, REFORM_DATE, gazetteer, place_key
from analysis.metadata.report_period import period_of
from analysis.metadata.spans import Covered, blank, fold, phrase_rx
from analysis.metadata.titles import lead_of
from analysis.periods import parse_period
from analysis.rules import read_rules
from analysis.text import normalize_text

__all__ = ["unit_words", "bare_units", "read_unit", "unit_date", "unit_of"]

_TOKEN_RE = re.compile(r"[^\W_]+")
_GAP_RE = re.compile(r"[ \t]+")
_WS_RE = re.compile(r"\s+")
_LEVEL_ORDER = {"ward": 0, "commune": 0, "district": 1, "city": 2, "province": 2}
_UNIT_LEVELS = ("ward", "commune", "district", "city")
_NUMBERED = {"district": "Quận", "ward": "Phường"}
_NAME_GAP_RE = re.compile(r"[ \t]*[-–][ \t]*(?=[^\W\d_])|[ \t]+")


@lru_cache(maxsize=None)
def unit_words():
    """Return the unit words read on folded text, and the abbreviations read as written."""
    rows = sorted(read_rules("metadata_unit_words", ["word", "level", "role", "means"]), key=lambda r: -len(r["word"]))
    words = [r for r in rows if r["role"] != "abbrev"]
    alt = "|".join(phrase_rx(r["word"]) for r in words)
    by_word = {re.sub(r"\s+", " ", r["word"]): r for r in rows}
    abbrevs = [r for r in rows if r["role"] == "abbrev"]
    abbrevs = tuple(r["word"] for r in rows if r["role"] == "abbrev")   # longest first
    return LeadingPattern(r"(" + alt + r")[ \t]+"), by_word, abbrevs


@lru_cache(maxsize=None)
def _place_aliases():
    rows = sorted(read_rules("metadata_place_aliases", ["alias", "province"]), key=lambda r: -len(r["alias"]))
    rx = re.compile(r"(" + "|".join(re.escape(r["alias"]) for r in rows) + r")(?!\w)")
    return rx, {r["alias"]: normalize_text(r["province"]) for r in rows}


@lru_cache(maxsize=None)
def bare_units():
    """'UBND phường', 'toàn huyện': a unit word after an owner word, the unit itself unnamed."""
    owners = sorted((r["word"] for r in read_rules("metadata_unit_owners", ["word"])), key=len, reverse=True)
    words = sorted((r["word"] for r in read_rules("metadata_unit_words", ["word", "level", "role", "means"])
                    if r["role"] == "unit"), key=len, reverse=True)
    rx = LeadingPattern(r"(?:" + "|".join(phrase_rx(o) for o in owners) + r")\s+("
                  + "|".join(phrase_rx(w) for w in words) + r")(?!\w)(?!\s+hội(?!\w))")
    return rx


@lru_cache(maxsize=None)
def _owners_before() -> re.Pattern:
    owners = sorted((r["word"] for r in read_rules("metadata_unit_owners", ["word"])), key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(phrase_rx(o) for o in owners) + r")\s+\Z")


# a district written right after a ward: 'phường 5, quận 3'
_BESIDE_WARD_RE = re.compile(r"(?<!\w)(?:phường|xã|thị\s+trấn)\s+[^\n,.;()]{1,30}\s*[,(]\s*\Z")


def _owned(folded: str, start: int) -> bool:
    """Whether an owner word ('UBND', 'Công an') comes right before ``start``."""
    return _owners_before().search(folded, max(0, start - 30), start) is not None


def _title_case(name: str) -> str:
    return " ".join(t[:1].upper() + t[1:].lower() for t in name.split())


def _name_tokens(text: str, pos: int) -> list[tuple[str, bool]]:
    """Return the capitalised syllables (or a short number) from ``pos`` on the same line.

    Each comes with whether a hyphen comes before it ('Bà Rịa- Vũng Tàu').
    """
    toks, hyphen = [], False
    while len(toks) < 5:
        t = _TOKEN_RE.match(text, pos)
        if not t:
            break
        tok = t.group(0)
        if not (tok[0].isupper() or (tok.isdigit() and len(tok) <= 2)):
            break
        toks.append((tok, hyphen))
        gap = _NAME_GAP_RE.match(text, t.end())
        if not gap:
            break
        hyphen = "-" in gap.group(0) or "–" in gap.group(0)
        pos = gap.end()
    return toks


def _pick_name(toks: list[tuple[str, bool]], level: str, caps: bool) -> str | None:
    """Return the longest name the tables know the run starts with.

    Else (mixed case) the run up to 3 syllables, else (all capitals, where the
    name's end is invisible) 2.
    """
    words = [t for t, _ in toks]
    if words and words[0].isdigit():        # 'Quận 4', 'P.12'
        prefix = _NUMBERED.get(level)
        return f"{prefix} {int(words[0])}" if prefix else None
    got = _known_name(tuple(words[:5]))
    if got:
        return got
    cut = []
    for tok, hyphen in toks:            # an unknown name stops at a hyphen and at a number
        if (hyphen and cut) or tok.isdigit():
            break
        cut.append(tok)
    return _title_case(" ".join(cut[: (2 if caps else 3)])) or None


@lru_cache(maxsize=4096)
def _known_name(words: tuple[str, ...]) -> str | None:
    """Return the longest place name the tables know that the words start with."""
    names = gazetteer().names
    for n in range(len(words), 0, -1):
        got = names.get(place_key(" ".join(words[:n])))
        if got:
            return got
    return None


def _resolve_level(name: str, level: str) -> tuple[str, str]:
    """'thành phố Hồ Chí Minh' is a city, 'thành phố Vĩnh Yên' a district-level unit."""
    if level == "city":
        places = gazetteer()
        if places.is_city(name):
            return places.provinces[place_key(name)]["name"], "city"
        return name, "district"
    return name, level


def _abbreviations(text: str, abbrevs: tuple[str, ...]):
    """``(start, end, name start, word)`` of each abbreviation as written: 'Q.3', 'TX.Thuận An', 'TP Quy Nhơn'.

    Found from the text's dots (and, for the undotted ones, their own letters), which
    is far faster than a pattern tried at every capital letter.
    """
    n = len(text)
    dotted = [w for w in abbrevs if w.endswith(".")]
    # most dots follow a digit or a lower-case word: only those after an abbreviation's last letter
    for dot in _dots_after("".join(sorted({w[-2] for w in dotted}))).finditer(text):
        i = dot.start()
        for w in dotted:
            s = i + 1 - len(w)
            if s >= 0 and text.startswith(w, s) and not _glued(text, s):
                after = i + 1 + (i + 1 < n and text[i + 1] in " \t")
                yield s, i + 1, after, w
                break
    for w in abbrevs:
        if w.endswith("."):
            continue
        i = text.find(w + " ")
        while i != -1:
            if not _glued(text, i):
                after = i + len(w)
                while after < n and text[after] in " \t":
                    after += 1
                yield i, i + len(w), after, w
            i = text.find(w + " ", i + 1)


@lru_cache(maxsize=None)
def _dots_after(letters: str) -> re.Pattern:
    """Return the pattern of a dot after one of the letters (found by the dot: a class first is slow to search)."""
    return re.compile(r"\.(?<=[" + re.escape(letters) + r"]\.)")


def _glued(text: str, i: int) -> bool:
    """Whether the character before ``i`` joins a word or an abbreviation to what starts there."""
    return i > 0 and (text[i - 1].isalnum() or text[i - 1] in "._")


def _name_may_start(text: str, pos: int) -> bool:
    """Whether a name can start at ``pos``: :func:`_name_tokens` finds none unless a capital or a digit is there."""
    c = text[pos:pos + 1]
    return c.isupper() or c.isdigit()


def _unit_mentions(text: str, folded: str | None = None, skip=()) -> list[dict]:
    """Every 'phường X' / 'quận Y' / 'Quận ủy Y' / 'Q.1' / 'TPHCM' mention with a name."""
    rx, by_word, abbrevs = unit_words()
    if folded is None:
        folded = fold(text)
    # a name starts with a capital or a number: other mentions are passed over at once
    found = []
    for m in rx.finditer(folded):
        end = m.end()
        c = text[end:end + 1]
        if c.isupper() or c.isdigit():      # (as _name_may_start, inline: most mentions are not names)
            found.append((m.start(), m.start(1), m.end(1), end, by_word[_WS_RE.sub(" ", m.group(1))]))
    found.extend((s, s, e, after, by_word[w]) for s, e, after, w in _abbreviations(text, abbrevs)
                 if _name_may_start(text, after))
    aliases, alias_names = _place_aliases()
    skip = Covered(len(text), skip)
    taken = Covered(len(text))
    out = []
    for m in aliases.finditer(text):
        if _glued(text, m.start()) or m.start() in skip:
            continue
        taken.add(m.start(), m.end())
        out.append({"start": m.start(), "end": m.end(), "name": alias_names[m.group(1)], "level": "city",
                    "role": "unit", "caps": False, "run": fold(m.group(1))})
    for start, w0, w1, end, rule in found:
        if start in skip or start in taken:
            continue
        prefix = text[w0:w1]
        toks = _name_tokens(text, end)
        if not toks or (toks[0][0].isdigit() and len(toks) == 1 and not prefix[:1].isupper()
                        and not _owned(folded, start)
                        and not _BESIDE_WARD_RE.search(folded, max(0, start - 45), start)):
            continue    # 'nhập phường 3 và 11': a number in a list, unless 'UBND phường 5'
        if (rule["role"] == "abbrev" and not toks[0][0].isdigit()
                and _known_name(tuple(t for t, _ in toks[:5])) is None):
            continue    # 'Q. Chủ tịch' (acting), 'P.Giám đốc' (deputy), 'TP. Tổ chức' (head of office)
        caps = prefix.isupper() and all(not t.isalpha() or t.isupper() for t, _ in toks)
        level = rule["level"]
        name = _pick_name(toks, level, caps)
        if not name:
            continue
        name, level = _resolve_level(name, level)
        out.append({"start": start, "end": end + len(name), "name": name, "level": level,
                    "role": rule["role"], "caps": caps, "run": fold(" ".join(t for t, _ in toks)),
                    "type": rule.get("means") or _WS_RE.sub(" ", rule["word"])})
    return sorted(out, key=lambda m: m["start"])


def _bare_names(title: str) -> list[dict]:
    """Return the district-level units and cities a mixed-case headline names without a unit word.

    As in 'Cẩm Xuyên phát triển đảng viên ...', 'Hương Thủy: 80% số trường ...'.
    """
    if title.isupper():
        return []
    places = gazetteer()
    toks = [t for t in _TOKEN_RE.finditer(title)]
    out = []
    i = 0
    while i < len(toks):
        if not toks[i].group(0)[0].isupper():
            i += 1
            continue
        hit = None
        for n in range(4, 1, -1):
            run = toks[i:i + n]
            if len(run) < n or not all(t.group(0)[0].isupper() for t in run):
                continue
            if any(not _NAME_GAP_RE.fullmatch(title[a.end():b.start()]) for a, b in zip(run, run[1:])):
                continue
            k = place_key(" ".join(t.group(0) for t in run))
            if k in places.districts or places.is_city(k):
                hit = (n, k)
                break
        if hit:
            n, k = hit
            level = "city" if places.is_city(k) and k not in places.districts else "district"
            out.append({"start": toks[i].start(), "name": places.names[k], "level": level,
                        "role": "unit", "caps": False, "run": k})
            i += n
        else:
            i += 1
    return out


def _bare_level(text: str, folded: str) -> str | None:
    """Return the level of a unit the text speaks of without naming it ('UBND phường đã hoàn thành ...')."""
    _, by_word, _ = unit_words()
    counts: Counter = Counter()
    for m in bare_units().finditer(folded):
        nxt = _TOKEN_RE.match(text, _GAP_RE.match(text, m.end()).end() if _GAP_RE.match(text, m.end()) else m.end())
        if nxt and (nxt.group(0)[0].isupper() or nxt.group(0).isdigit()):
            continue
        level = by_word[_WS_RE.sub(" ", m.group(1))]["level"]
        # a city that is not named is a provincial one: the centrally run cities are named
        counts["district" if level == "city" else level] += 1
    counts = Counter({k: v for k, v in counts.items() if k in _UNIT_LEVELS})
    if not counts:
        return None
    return max(counts, key=lambda lv: (counts[lv], -_LEVEL_ORDER[lv]))


def read_unit(text: str, title: str | None = None) -> dict:
    """Return the unit a report is about: name, level, parent district and city.

    The title speaks first (a ward it names wins over the district committee it
    also names; a district or city it names without a unit word counts too);
    otherwise the unit the body names most (two named as often: no name). A
    report that never names its unit still gives its level ("UBND phường").
    A ward's parent is the district the text names, checked against the
    gazetteer, else the one district of the only ward of that name in the
    country; after the reform of 1 July 2025 wards have no parent. The city is
    the province the text names for the unit, else the one province a unit of
    that name belongs to, else null: never a default.

    Examples
    --------
    >>> read_unit("Kết quả ... của Quận ủy Long Biên 6 tháng đầu năm 2021 trên địa bàn phường Thạch Bàn")
    {'unit_name': 'Thạch Bàn', 'unit_level': 'ward', 'parent': 'Long Biên', 'city': 'Hà Nội'}
    >>> read_unit("QUẬN THANH XUÂN QUYẾT TÂM HOÀN THÀNH NHIỆM VỤ 3 THÁNG CUỐI NĂM 2021")["unit_name"]
    'Thanh Xuân'
    >>> read_unit("Xã Kim Sơn tổ chức hội nghị. UBND huyện Gia Lâm chỉ đạo xã Kim Sơn ...")["parent"]
    'Gia Lâm'
    >>> read_unit("Năm 2022, UBND Q.3 tiếp nhận 41.200 hồ sơ")
    {'unit_name': 'Quận 3', 'unit_level': 'district', 'parent': None, 'city': 'Thành phố Hồ Chí Minh'}
    >>> read_unit("Kết quả thu ngân sách của phường Quang Trung")["city"] is None
    True
    """
    text = normalize_text(text)
    folded = fold(text)
    published = published_of(text)
    dateline = split_dateline(text)[1]
    period = period_of(folded, title if title else lead_of(text), published, dateline)
    return unit_of(text, title, folded, unit_date(period, published, dateline))


def unit_date(period: str | None, published: str | None, dateline: str | None) -> date | None:
    """Return the day whose units the report speaks of: the end of its period, else its publication."""
    return parse_period(period)[1] if period else ref_date(published, dateline)


def unit_of(text: str, title: str | None, folded: str, when: date | None) -> dict:
    """Return what :func:`read_unit` gives, for a report's normalised and folded text.

    Parameters
    ----------
    text : str
        Report text as :func:`analysis.text.normalize_text` gives it.
    title : str or None
        The report's title.
    folded : str
        ``text`` folded (:func:`analysis.metadata.spans.fold`).
    when : datetime.date or None
        The day whose units the report speaks of (:func:`unit_date`).

    Returns
    -------
    dict
        ``unit_name``, ``unit_level``, ``parent`` and ``city``.
    """
    title = normalize_text(title) if title else None
    aside = aside_spans(folded)
    mentions = _unit_mentions(text, folded, aside)
    units = [m for m in mentions if m["level"] in _UNIT_LEVELS]
    chosen = None
    if title:
        t_all = _unit_mentions(title)
        t_units = [m for m in t_all if m["level"] in _UNIT_LEVELS]
        if not t_units:
            t_units = []
            for m in _bare_names(title):
                said = Counter(u["level"] for u in units if place_key(u["name"]) == m["run"])
                t_units.append(dict(m, level=said.most_common(1)[0][0]) if said else m)
        if t_units:
            t_units = _recut_caps(t_units, units)
            chosen = min(t_units, key=lambda m: (_LEVEL_ORDER[m["level"]], m["start"]))
    if chosen is None and units:
        counts = Counter((m["name"], m["level"]) for m in units)
        first = {}
        for m in units:
            first.setdefault((m["name"], m["level"]), m["start"])
        # ties go to the lower level (a ward report names its district too)
        ranked = sorted(counts, key=lambda k: (-counts[k], _LEVEL_ORDER[k[1]], first[k]))
        top = [k for k in ranked if counts[k] == counts[ranked[0]]]
        # among units named as often: one ward beside its district is the ward; several
        # wards beside one district are the district's; several of the same level, neither
        by_level: dict[int, list] = {}
        for k in top:
            by_level.setdefault(_LEVEL_ORDER[k[1]], []).append(k)
        key = None
        for order in sorted(by_level):
            if len(by_level[order]) == 1:
                key = by_level[order][0]
                break
        if key is None:
            key = top[0]
            chosen = {"name": None, "level": key[1]}
        else:
            types = Counter(m.get("type") for m in units if (m["name"], m["level"]) == key)
            chosen = {"name": key[0], "level": key[1], "type": types.most_common(1)[0][0]}
    if chosen is None:
        level = _bare_level(text, folded)
        chosen = {"name": None, "level": level}
    name, level = chosen["name"], chosen["level"]
    places = gazetteer()
    reformed = when is not None and when >= REFORM_DATE
    said = Counter(m["name"] for m in units if m["level"] == "district")
    district = None     # the ward's district; after the reform it places the ward, but is no parent
    if name and level in ("ward", "commune"):
        table = {r[2] for r in places.wards.get(place_key(name), [])}
        ok = [d for d in said if d in table]
        beside = _district_beside(text, name, units)
        if beside:
            district = beside
        elif ok:
            district = max(ok, key=lambda d: said[d])
        elif len(table) == 1 and not reformed:
            district = next(iter(table))
        elif said:
            district = said.most_common(1)[0][0]
    city = _read_city(text, aside, name, level, district, mentions, reformed, chosen.get("type"))
    if reformed and city:
        city = places.after_reform(city)
    city = places.label(city, early=when is None or when < HUE_DATE)
    parent = None if reformed else district
    return {"unit_name": name, "unit_level": level, "parent": parent, "city": city}


_BESIDE_RE = re.compile(r"[ \t]*(?:,|\(|[-–]|thuộc|của)?[ \t]*(?:thuộc[ \t]+)?$")


def _district_beside(text: str, name: str, units: list[dict]) -> str | None:
    """Return the district written right after the ward.

    As in 'phường Bình An, Quận 2'; 'phường Trần Hưng Đạo (thành phố Thái Bình)';
    'xã Đông Dư thuộc huyện Gia Lâm'.
    """
    wards = [m for m in units if m["name"] == name and m["level"] in ("ward", "commune")]
    said = Counter()
    for d in units:
        if d["level"] != "district":
            continue
        for w in wards:
            if 0 < d["start"] - w.get("end", w["start"]) <= 12 and _BESIDE_RE.match(
                    fold(text[w["end"]:d["start"]])):
                said[d["name"]] += 1
    return said.most_common(1)[0][0] if said else None


def _recut_caps(t_units: list[dict], body_units: list[dict]) -> list[dict]:
    """Cut an all-capital title name to a mixed-case name the body uses."""
    seen = {(m["name"], m["level"]) for m in body_units if not m["caps"]}
    out = []
    for m in t_units:
        if m["caps"] and (m["name"], m["level"]) not in seen:
            # the longest mixed-case name of the body the capital run begins with
            longer = [n for n, lv in seen if lv == m["level"]
                      and (m["run"] + " ").startswith(fold(n) + " ")]
            if longer:
                m = dict(m, name=max(longer, key=len))
        out.append(m)
    return out


def _provinces_of(name: str, level: str, parent: str | None, reformed: bool,
                  kind: str | None = None) -> set[str]:
    places = gazetteer()
    if level == "district":
        rows = places.districts.get(place_key(name), [])
        typed = [r for r in rows if r[1] == kind]     # 'thị xã Sơn Tây' is not 'huyện Sơn Tây'
        return {r[2] for r in (typed or rows)}
    if parent:
        inside = {r[3] for r in places.wards.get(place_key(name), []) if r[2] == parent}
        got = inside or {r[2] for r in places.districts.get(place_key(parent), [])}
        if got and not (reformed and not inside):
            return got
    old = {r[3] for r in places.wards.get(place_key(name), [])}
    new = {r[2] for r in places.wards_2025.get(place_key(name), [])}
    return (new or old) if reformed else (old or new)


def _writes(text: str, name: str) -> bool:
    """Whether the text writes a place name as a word of its own ('Sở Y tế Hà Nội')."""
    i = text.find(name)
    while i != -1:
        j = i + len(name)
        if not _glued(text, i) and (j >= len(text) or not text[j].isalnum()):
            return True
        i = text.find(name, i + 1)
    return False


def _read_city(text, aside, name, level, parent, mentions, reformed, kind=None) -> str | None:
    """Return the province of the unit (as the gazetteer names it), or None.

    ``aside``: the spans of the text that are not the report's own (captions, the site's address).
    """
    places = gazetteer()
    if level == "city":
        return places.provinces[place_key(name)]["name"] if place_key(name) in places.provinces else name
    named = Counter(places.provinces[place_key(m["name"])]["name"] if place_key(m["name"]) in places.provinces
                    else m["name"] for m in mentions if m["level"] in ("city", "province"))
    cands = _provinces_of(name, level, parent, reformed, kind) if name else set()
    inter = [p for p in named if p in cands]
    if inter:
        return max(inter, key=lambda p: named[p])
    if len(cands) == 1:
        return next(iter(cands))
    if cands:
        # a name in several provinces: the one whose name the text writes, if only one is
        # (a province named only in a caption or the site's address is not one the report writes)
        body = blank(text, aside)
        written = [p for p in cands if _writes(body, p)]
        return written[0] if len(written) == 1 else None
    if named:
        top = named.most_common(2)
        return top[0][0] if len(top) == 1 or top[0][1] > top[1][1] else None
    # the districts the text names all lie in one province
    provinces = set()
    for m in mentions:
        if m["level"] == "district":
            got = {r[2] for r in places.districts.get(place_key(m["name"]), [])}
            if len(got) == 1:
                provinces |= got
    return next(iter(provinces)) if len(provinces) == 1 else None
