"""The gazetteer: provinces, district-level units and wards, before and after the 2025 reform.

Read from ``analysis/rules/provinces.csv``, ``places_districts.csv``,
``places_wards.csv``, ``places_wards_2025.csv`` and the older wards of Hà Nội
(``hanoi_wards.csv``, ``hanoi_districts.csv``).
"""
from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from analysis.rules import read_rules
from analysis.text import normalize_text

__all__ = ["REFORM_DATE", "HUE_DATE", "place_key", "Gazetteer", "gazetteer"]

#: The reform that removed the district level: wards and communes reported after it have no parent district.
REFORM_DATE = date(2025, 7, 1)
# Huế became a centrally run city on 1 January 2025 (before, the province of Thừa Thiên Huế)
HUE_DATE = date(2025, 1, 1)
_HYPHEN_RE = re.compile(r"\s*[-–]\s*")
_WS_RE = re.compile(r"\s+")


def place_key(name: str) -> str:
    """Return a place name as the tables are looked up: folded, hyphens and spaces as one space."""
    key = name.lower()
    if "-" in key or "–" in key or "  " in key:
        key = _WS_RE.sub(" ", _HYPHEN_RE.sub(" ", key))
    return key.strip()


class Gazetteer:
    """The gazetteer: provinces, district-level units and wards, before and after the 2025 reform."""

    __slots__ = ("provinces", "districts", "wards", "wards_2025", "names")

    def __init__(self):
        self.provinces: dict[str, dict] = {}
        self.districts: dict[str, list[tuple[str, str, str]]] = {}
        self.wards: dict[str, list[tuple[str, str, str, str]]] = {}
        self.wards_2025: dict[str, list[tuple[str, str, str]]] = {}
        self.names: dict[str, str] = {}       # key -> the name as the tables write it
        for r in read_rules("provinces", ["province", "kind", "label", "label_before_2025", "after_2025"]):
            name = normalize_text(r["province"])
            row = {"name": name, "kind": r["kind"], "label": normalize_text(r["label"]),
                   "before": normalize_text(r["label_before_2025"]) or None,
                   "after_2025": normalize_text(r["after_2025"])}
            self.provinces[place_key(name)] = row
            self.names.setdefault(place_key(name), name)
            if row["before"]:                   # 'tỉnh Thừa Thiên Huế' is the province of Huế
                self.provinces.setdefault(place_key(row["before"]), row)
                self.names.setdefault(place_key(row["before"]), name)
        for r in [*read_rules("places_districts", ["district", "district_type", "province"], notes=False),
                  *read_rules("hanoi_districts", ["district", "district_type", "city"], notes=False)]:
            name = normalize_text(r["district"])
            prov = normalize_text(r.get("province") or r.get("city"))
            row = (name, r["district_type"], prov)
            got = self.districts.setdefault(place_key(name), [])
            if all(g[0] != name or g[2] != prov for g in got):
                got.append(row)
            self.names.setdefault(place_key(name), name)
        for r in read_rules("places_wards", ["ward", "ward_type", "district", "province"], notes=False):
            self._add_ward(r["ward"], r["ward_type"], r["district"], r["province"])
        for r in read_rules("hanoi_wards", ["ward", "district", "city"], notes=False):
            self._add_ward(normalize_text(r["ward"]), "phường", normalize_text(r["district"]),
                           normalize_text(r["city"]))
        for r in read_rules("places_wards_2025", ["ward", "ward_type", "province"], notes=False):
            name, key = r["ward"], place_key(r["ward"])
            self.wards_2025.setdefault(key, []).append((name, r["ward_type"], r["province"]))
            self.names.setdefault(key, name)

    def _add_ward(self, name, kind, district, province):
        key = place_key(name)
        got = self.wards.setdefault(key, [])
        if all(g[2] != district or g[3] != province for g in got):
            got.append((name, kind, district, province))
        self.names.setdefault(key, name)

    def label(self, province: str | None, early: bool = False) -> str | None:
        """Return how the city field writes a province ('Thành phố Hồ Chí Minh').

        ``early``: before 2025, when Huế was the province of Thừa Thiên Huế.
        """
        if province is None:
            return None
        row = self.provinces.get(place_key(province))
        if not row:
            return province
        return row["before"] if early and row["before"] else row["label"]

    def after_reform(self, province: str | None) -> str | None:
        """Return the province of 1 July 2025 on that a province became part of."""
        row = self.provinces.get(place_key(province)) if province else None
        return row["after_2025"] if row else province

    def is_city(self, name: str) -> bool:
        """Whether a name is a centrally run city (level 'city')."""
        row = self.provinces.get(place_key(name))
        return bool(row) and row["kind"] == "thành phố"


@lru_cache(maxsize=None)
def gazetteer() -> Gazetteer:
    """Return the gazetteer, read once per process.

    Examples
    --------
    >>> gazetteer().is_city("Hà Nội"), gazetteer().label("Hồ Chí Minh")
    (True, 'Thành phố Hồ Chí Minh')
    """
    return Gazetteer()
