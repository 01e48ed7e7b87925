"""The indicator catalogue: one loader, one cache, and each indicator's properties.

The catalogue (``data/catalog/indicators.csv``) gives each indicator its names,
topic, unit, the kinds of fact it takes, its direction (``up``: more is
better; ``down``: less is better; ``none``), its aggregation (``stock``: a
rate or a level, comparable across periods of any length; ``flow``: a count or
an amount that grows with the period) and the cue phrases that recognise it
(read by :mod:`analysis.indicators`).

Everything that needs an indicator's properties asks this module, never the
first row of a frame: :func:`indicator` (one indicator), :func:`properties`
(the same, with the documented default for an id the catalogue does not know)
and :func:`indicator_properties` (all of them as a frame). The file is read
once per process and again only when it changes (the cache is keyed by its
path and modification time).

Examples
--------
>>> ind = indicator("child_stunting_rate")
>>> ind.direction, ind.aggregation, ind.unit, ind.is_core
('down', 'stock', 'percent', True)
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from analysis.paths import CATALOG
from analysis.schema import KINDS, UNITS
from analysis.text import fold

__all__ = [
    "CATALOG_FILE", "COLUMNS", "LIST_COLUMNS", "DIRECTIONS", "AGGREGATIONS", "SHARE_UNITS",
    "CatalogError", "Indicator", "load_catalog", "core_ids", "indicator_info", "indicator",
    "properties", "indicator_properties", "cue_key",
]

#: The catalogue the package reads by default.
CATALOG_FILE = Path(CATALOG) / "indicators.csv"

#: The catalogue's columns, in the file's order.
COLUMNS = ("indicator_id", "is_core", "name_vi", "name_en", "topic", "unit", "kinds", "direction",
           "aggregation", "cues", "context", "exclude", "counted", "note")
#: Columns holding ``;``-separated lists (read as tuples of strings).
LIST_COLUMNS = ("kinds", "cues", "context", "exclude", "counted")
#: Directions: more is better, less is better, neither.
DIRECTIONS = ("up", "down", "none")
#: Aggregations: a rate or level, or a quantity that grows with the period.
AGGREGATIONS = ("stock", "flow")
#: Units of a share: an indicator in one of them is a stock by default.
SHARE_UNITS = ("percent", "per_mille")

_BOOLS = {"true": True, "false": False, "True": True, "False": False, "1": True, "0": False}


class CatalogError(ValueError):
    """The indicator catalogue is malformed; the message names the file and the fix."""


@dataclass(frozen=True)
class Indicator:
    """One indicator of the catalogue and the properties comparisons use.

    Attributes
    ----------
    indicator_id : str
        The catalogue's id.
    direction : {'up', 'down', 'none'}
        Whether more is better, less is better, or neither.
    aggregation : {'stock', 'flow'}
        A rate or level (``stock``) or a quantity that grows with the period
        (``flow``).
    unit : str or None
        The indicator's unit (one of :data:`analysis.schema.UNITS`).
    kinds : tuple of str
        The kinds of fact it takes.
    is_core : bool
        One of the core indicators of ``docs/indicators.md``.
    name_vi, name_en, topic : str
        Its names and its topic (empty for an id the catalogue does not know).
    """

    indicator_id: str
    direction: str = "none"
    aggregation: str = "flow"
    unit: str | None = None
    kinds: tuple = ()
    is_core: bool = False
    name_vi: str = ""
    name_en: str = ""
    topic: str = ""

    @property
    def is_flow(self) -> bool:
        """Whether the indicator grows with the period (a count or an amount)."""
        return self.aggregation == "flow"

    def name(self, lang: str = "vi") -> str:
        """Return the indicator's name in ``lang`` (``'vi'`` or ``'en'``), or its id as words.

        Examples
        --------
        >>> indicator("child_stunting_rate").name("en")
        'Child stunting'
        """
        given = self.name_en if lang == "en" else self.name_vi
        return given or self.indicator_id.replace("_", " ")


def cue_key(phrase: str) -> str:
    """Return a cue phrase as it is matched: folded, quotes and commas read as spaces.

    Examples
    --------
    >>> cue_key('Gia đình "văn hóa",')
    'gia đình văn hóa'
    """
    return re.sub(r"[\s,\"“”'‘’«»]+", " ", fold(phrase)).strip()


def _split(cell) -> tuple[str, ...]:
    if cell is None or (isinstance(cell, float) and pd.isna(cell)):
        return ()
    return tuple(p.strip() for p in str(cell).split(";") if p.strip())


def _read_catalog(path: Path) -> pd.DataFrame:
    """Read and check one catalogue file (no cache)."""
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except FileNotFoundError:
        raise CatalogError(f"{path}: indicator catalogue missing; restore data/catalog/indicators.csv "
                           "from the repository or pass the path of a catalogue") from None
    missing = [c for c in COLUMNS if c not in frame.columns and c != "note"]
    if missing:
        raise CatalogError(f"{path}: missing column(s) {', '.join(missing)}; "
                           f"the header must be {','.join(COLUMNS)}")
    if "note" not in frame.columns:
        frame["note"] = ""
    frame = frame.apply(lambda s: s.str.strip())
    bad = sorted(set(frame["is_core"]) - set(_BOOLS))
    if bad:
        raise CatalogError(f"{path}: is_core {bad[0]!r} must be 'true' (a core indicator of "
                           "docs/indicators.md) or 'false'")
    frame["is_core"] = frame["is_core"].map(_BOOLS).astype(bool)
    for c in LIST_COLUMNS:
        frame[c] = frame[c].map(_split)
    _check_catalog(frame, path)
    return frame.reset_index(drop=True)


def _check_catalog(frame: pd.DataFrame, path: Path) -> None:
    dup = frame["indicator_id"][frame["indicator_id"].duplicated()].tolist()
    if dup:
        raise CatalogError(f"{path}: indicator id {dup[0]!r} appears twice; keep one row per id")
    # a catalogue other than the package's keeps the package's core ids, marked core
    own = set(frame.loc[frame["is_core"], "indicator_id"])
    package = (core_ids() if Path(path).resolve() != CATALOG_FILE.resolve() and CATALOG_FILE.is_file()
               else tuple(own))
    lost = [i for i in package if i not in own]
    if lost:
        raise CatalogError(f"{path}: core indicator(s) {', '.join(lost)} missing; core ids "
                           "(docs/indicators.md) must stay in the catalogue")
    for _, r in frame.iterrows():
        where = f"{path}: {r['indicator_id'] or '(row without id)'}"
        if not re.fullmatch(r"[a-z][a-z0-9_]*", r["indicator_id"]):
            raise CatalogError(f"{where}: id must be lower-case letters, digits and '_'")
        if r["direction"] not in DIRECTIONS:
            raise CatalogError(f"{where}: direction {r['direction']!r} must be one of {', '.join(DIRECTIONS)}")
        if r["aggregation"] not in AGGREGATIONS:
            raise CatalogError(f"{where}: aggregation {r['aggregation']!r} must be 'stock' "
                               "(a rate or level) or 'flow' (grows with the period)")
        if r["unit"] not in UNITS:
            raise CatalogError(f"{where}: unit {r['unit']!r} must be one of {', '.join(UNITS)}")
        bad = [k for k in r["kinds"] if k not in KINDS]
        if not r["kinds"] or bad:
            raise CatalogError(f"{where}: kinds {';'.join(r['kinds']) or '(empty)'} must be "
                               f"';'-separated fact kinds from {', '.join(KINDS)}")
        if not r["cues"]:
            raise CatalogError(f"{where}: no cues; give the phrases that recognise it, ';'-separated")
        if not r["name_vi"] or not r["name_en"]:
            raise CatalogError(f"{where}: name_vi and name_en are both needed")
        for c in ("cues", "context", "exclude", "counted"):
            for p in r[c]:
                if p != p.lower():
                    raise CatalogError(f"{where}: {c} phrase {p!r} has capitals; write it in lower case "
                                       f"as {p.lower()!r}")
                if not all(re.fullmatch(r"\w+", w) for w in cue_key(p).split(" ")):
                    raise CatalogError(f"{where}: {c} phrase {p!r} mixes letters with other signs; "
                                       "write its words with letters and digits only, spaces between")


@dataclass(frozen=True)
class _Loaded:
    """A catalogue as read once: the frame and what is looked up in it."""

    frame: pd.DataFrame
    by_id: dict
    records: dict
    props: pd.DataFrame


def _indicators(frame: pd.DataFrame, props: pd.DataFrame) -> dict[str, Indicator]:
    out = {}
    for r in frame.to_dict("records"):
        i = str(r["indicator_id"])
        if i in out:
            continue
        p = props.loc[i]
        out[i] = Indicator(i, p["direction"], p["aggregation"], p["unit"], tuple(p["kinds"]),
                           bool(r.get("is_core", False)), str(r.get("name_vi") or ""),
                           str(r.get("name_en") or ""), str(r.get("topic") or ""))
    return out


def _loaded_from(frame: pd.DataFrame) -> _Loaded:
    props = indicator_properties(frame)
    return _Loaded(frame, _indicators(frame, props),
                   {str(r["indicator_id"]): r for r in frame.to_dict("records")}, props)


def _mtime(path: Path) -> int:
    try:
        return Path(path).stat().st_mtime_ns
    except OSError:
        return 0


@lru_cache(maxsize=4)
def _cached(path: str, mtime: int) -> _Loaded:
    """Return the one cache: a catalogue file read once per path and modification time."""
    return _loaded_from(_read_catalog(Path(path)))


def _loaded(catalog=None) -> _Loaded:
    """Return the catalogue asked for: the package's (None), a file's path, or a frame given."""
    if catalog is None or isinstance(catalog, (str, Path)):
        path = Path(catalog) if catalog else CATALOG_FILE
        return _cached(str(path), _mtime(path))
    if isinstance(catalog, _Loaded):
        return catalog
    return _loaded_from(catalog if isinstance(catalog, pd.DataFrame) else pd.DataFrame(catalog))


def load_catalog(path: str | Path | None = None) -> pd.DataFrame:
    """Read and check the indicator catalogue.

    Parameters
    ----------
    path : str or Path, optional
        A catalogue CSV; ``data/catalog/indicators.csv`` by default.

    Returns
    -------
    DataFrame
        One row per indicator with the columns of the file; ``kinds``, ``cues``,
        ``context``, ``exclude`` and ``counted`` are tuples of strings. A copy:
        the file is read once per process (again when it changes).

    Raises
    ------
    CatalogError
        With one line naming the file, the indicator and what to fix.

    Examples
    --------
    >>> cat = load_catalog()
    >>> row = cat.set_index("indicator_id").loc["cultural_family_registration_rate"]
    >>> row["direction"], row["aggregation"], row["kinds"], row["context"]
    ('up', 'stock', ('rate', 'fraction'), ('đăng ký', 'đăng kí'))
    """
    return _loaded(Path(path) if path else None).frame.copy()


def core_ids(catalog: pd.DataFrame | str | Path | None = None) -> tuple[str, ...]:
    """Return the ids of the core indicators (``docs/indicators.md``), in catalogue order.

    The catalogue's ``is_core`` column says which they are; the annotated sets
    (gold) carry core ids only.

    Examples
    --------
    >>> ids = core_ids()
    >>> len(ids), ids[0], "population" in ids
    (42, 'cultural_family_rate', False)
    """
    cat = _loaded(catalog).frame
    return tuple(cat.loc[cat["is_core"].astype(bool), "indicator_id"])


def indicator_info(indicator_id: str, catalog: pd.DataFrame | str | Path | None = None) -> dict:
    """Return the catalogue row of one indicator, as a dict.

    Examples
    --------
    >>> info = indicator_info("health_insurance_target_achievement")
    >>> info["name_en"], info["kinds"], info["direction"]
    ('Health insurance coverage against target', ('target_achievement',), 'up')
    >>> indicator_info("no_such_id")
    Traceback (most recent call last):
    ...
    KeyError: "indicator 'no_such_id' is not in the catalogue (data/catalog/indicators.csv)"
    """
    rec = _loaded(catalog).records.get(indicator_id)
    if rec is None:
        raise KeyError(f"indicator {indicator_id!r} is not in the catalogue (data/catalog/indicators.csv)")
    return dict(rec)


def indicator(indicator_id: str, catalog: pd.DataFrame | str | Path | None = None) -> Indicator:
    """One indicator of the catalogue with its properties.

    Parameters
    ----------
    indicator_id : str
        The catalogue's id.
    catalog : DataFrame, str or Path, optional
        Another catalogue (a frame as :func:`load_catalog` returns, or a file);
        the package's by default.

    Returns
    -------
    Indicator

    Raises
    ------
    KeyError
        When the catalogue has no such id.

    Examples
    --------
    >>> indicator("jobs_created").aggregation, indicator("jobs_created").name_vi
    ('flow', 'Số người được giải quyết việc làm')
    """
    found = _loaded(catalog).by_id.get(indicator_id)
    if found is None:
        raise KeyError(f"indicator {indicator_id!r} is not in the catalogue (data/catalog/indicators.csv)")
    return found


def properties(indicator_id: str, unit: str | None = None,
               catalog: pd.DataFrame | str | Path | None = None) -> Indicator:
    """Return the properties of an indicator, with a default for an id the catalogue lacks.

    An id the catalogue does not know (a hand-made frame, an older catalogue)
    has no direction; it is a stock when its unit is a share (or its id ends in
    ``_rate``), otherwise a flow.

    Parameters
    ----------
    indicator_id : str
    unit : str, optional
        The unit its figures are stated in (read only for an unknown id).
    catalog : DataFrame, str or Path, optional

    Returns
    -------
    Indicator

    Examples
    --------
    >>> properties("child_stunting_rate").direction
    'down'
    >>> p = properties("made_up_share", "percent")
    >>> p.direction, p.aggregation, p.unit
    ('none', 'stock', 'percent')
    >>> properties("made_up_total", "vnd").aggregation
    'flow'
    """
    found = _loaded(catalog).by_id.get(indicator_id)
    if found is not None:
        return found
    share = unit in SHARE_UNITS or str(indicator_id).endswith("_rate")
    return Indicator(str(indicator_id), "none", "stock" if share else "flow",
                     "percent" if share and unit is None else unit)


def indicator_properties(catalog: pd.DataFrame | str | Path | None = None) -> pd.DataFrame:
    """Direction, aggregation and unit of each catalogue indicator.

    Parameters
    ----------
    catalog : DataFrame, str or Path, optional
        The indicator catalogue; the package's by default (read once).

    Returns
    -------
    DataFrame
        Indexed by ``indicator_id``, columns ``direction`` (``up``/``down``/
        ``none``), ``aggregation`` (``stock``/``flow``), ``unit`` and ``kinds``.

    Examples
    --------
    >>> props = indicator_properties()
    >>> props.loc["child_stunting_rate", ["direction", "aggregation"]].tolist()
    ['down', 'stock']
    >>> props.loc["jobs_created", "aggregation"]
    'flow'
    """
    if catalog is None or isinstance(catalog, (str, Path)):
        return _loaded(catalog).props.copy()
    frame = catalog if isinstance(catalog, pd.DataFrame) else pd.DataFrame(catalog)
    if "indicator_id" not in frame.columns:
        frame = frame.reset_index()
        if "indicator_id" not in frame.columns:
            frame = frame.rename(columns={frame.columns[0]: "indicator_id"})
    out = pd.DataFrame({"indicator_id": frame["indicator_id"].astype(str)})
    for col, default in (("direction", "none"), ("aggregation", None), ("unit", None), ("kinds", "")):
        out[col] = frame[col].astype(object).where(frame[col].notna(), default).values \
            if col in frame.columns else default
    out["kinds"] = [k if isinstance(k, (list, tuple)) else
                    [p for p in re.split(r"[;,| ]+", str(k or "")) if p] for k in out["kinds"]]
    # a catalogue without aggregation: shares are stocks, the rest flows
    out["aggregation"] = [a if a in AGGREGATIONS else ("stock" if u in SHARE_UNITS else "flow")
                          for a, u in zip(out["aggregation"], out["unit"])]
    out["direction"] = [d if d in DIRECTIONS else "none" for d in out["direction"]]
    return out.drop_duplicates("indicator_id").set_index("indicator_id")
