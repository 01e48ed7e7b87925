"""Report metadata read from the report text itself.

A ward or district report says what it is in its own words: the portal's
"Ngày đăng dd/mm/yyyy" stamp, "phường X" / "quận Y" in the title and body,
"6 tháng đầu năm 2021", "9 tháng đầu năm", "năm 2018", "3 tháng cuối năm 2021",
and the language of plans ("phấn đấu", "tập trung thực hiện") versus results
("đã", "đạt", "kết quả"). :func:`read_metadata` reads all of it.

The knowledge lives in CSV tables under ``analysis/rules/``:

``metadata_periods.csv``
    period phrases (regular expressions) and their period codes, plus masks
    for phrases that name a year without being the report's period
    ("so với năm 2017", "năm học 2021-2022").
``metadata_period_labels.csv``
    how reports say each period, in Vietnamese and English, with its months.
``metadata_kind_cues.csv``
    plan and results cues with weights, in the title or the body.
``metadata_unit_words.csv``
    words that name an administrative unit ("phường", "quận", "Quận ủy").
``metadata_page_furniture.csv``
    portal lines that are never the title, and the labels of the date stamp.
``metadata_doc_codes.csv``
    document codes; which of them are programmes ("02-CTr/QU").
``provinces.csv``, ``places_districts.csv``, ``places_wards.csv``, ``places_wards_2025.csv``
    the gazetteer: the 63 provinces (and the 34 they became in 2025), their
    district-level units, and the wards and communes before and after the
    reform of 1 July 2025; ``hanoi_wards.csv`` and ``hanoi_districts.csv`` add
    the older wards of Hà Nội.
``metadata_place_aliases.csv``, ``metadata_unit_owners.csv``, ``metadata_month_words.csv``
    'TPHCM' and the other short names of cities; the words before an unnamed
    unit ('UBND phường'); month names in stamps ('Tháng Chín').

Every reader works on :func:`analysis.text.normalize_text` output. The
package reads like the order of the work:

``spans``
    folding and blanking text without moving its offsets.
``places``
    the gazetteer.
``page``, ``dates``, ``titles``
    page furniture, the publication date and the title.
``report_period``
    the period the report covers (what period codes mean is :mod:`analysis.periods`).
``units``, ``kinds``, ``programmes``
    the unit, plan or results, the programmes cited.
``read``
    :func:`read_metadata`, all of it for one report.
"""
from __future__ import annotations

from analysis.metadata.dates import read_published
from analysis.metadata.kinds import read_doc_kind
from analysis.metadata.places import REFORM_DATE
from analysis.metadata.programmes import read_programs
from analysis.metadata.read import read_metadata
from analysis.metadata.report_period import read_period
from analysis.metadata.titles import read_title
from analysis.metadata.units import read_unit
from analysis.periods import parse_period, period_label
from analysis.rules import RuleTableError

__all__ = [
    "read_metadata", "parse_period", "period_label", "read_title",
    "read_published", "read_unit", "read_period", "read_doc_kind",
    "read_programs", "RuleTableError", "REFORM_DATE",
]
